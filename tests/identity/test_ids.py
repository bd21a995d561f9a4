"""Persistent customer ids: reruns, merges, splits, erasures and rebuilds from scratch."""

from __future__ import annotations

import datetime as dt

from identity.ids import IssuedId, assign_ids, new_id

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def registry(*ids: tuple[str, int]) -> dict[str, IssuedId]:
    return {cid: IssuedId(cid, T0 + dt.timedelta(days=day)) for cid, day in ids}


def test_first_run_ids_derive_from_the_smallest_record_key() -> None:
    result = assign_ids({"b": 1, "a": 1, "c": 2}, {}, {})
    assert result.ids == {"a": new_id("a", set()), "b": new_id("a", set()), "c": new_id("c", set())}
    assert sorted((c.change_type, c.record_count) for c in result.changes) == [("new", 1), ("new", 2)]


def test_rerun_keeps_every_id_and_reports_nothing() -> None:
    first = assign_ids({"a": 1, "b": 1, "c": 2}, {}, {})
    again = assign_ids(
        {"a": 7, "b": 7, "c": 9}, first.ids, registry(*[(c, 0) for c in set(first.ids.values())])
    )
    assert again.ids == first.ids
    assert again.changes == [] and again.created == [] and again.merged == {}


def test_merge_keeps_the_oldest_id_and_tombstones_the_other() -> None:
    previous = {"a": "cus_old", "b": "cus_old", "c": "cus_young"}
    result = assign_ids({"a": 1, "b": 1, "c": 1}, previous, registry(("cus_old", 0), ("cus_young", 5)))
    assert set(result.ids.values()) == {"cus_old"}
    assert result.merged == {"cus_young": "cus_old"}
    assert [
        (c.change_type, c.customer_id, c.related_customer_id, c.record_count) for c in result.changes
    ] == [("merge", "cus_young", "cus_old", 1)]


def test_oldest_wins_even_when_it_has_fewer_records() -> None:
    previous = {"a": "cus_young", "b": "cus_young", "c": "cus_old"}
    result = assign_ids({"a": 1, "b": 1, "c": 1}, previous, registry(("cus_old", 0), ("cus_young", 5)))
    assert set(result.ids.values()) == {"cus_old"} and result.merged == {"cus_young": "cus_old"}


def test_split_keeps_the_id_for_the_larger_part() -> None:
    previous = {"a": "cus_1", "b": "cus_1", "c": "cus_1", "d": "cus_1"}
    result = assign_ids({"a": 1, "b": 1, "c": 1, "d": 2}, previous, registry(("cus_1", 0)))
    assert result.ids["a"] == result.ids["b"] == result.ids["c"] == "cus_1"
    assert result.ids["d"] == new_id("d", {"cus_1"})
    assert [(c.change_type, c.customer_id, c.related_customer_id) for c in result.changes] == [
        ("split", new_id("d", {"cus_1"}), "cus_1")
    ]


def test_split_tie_goes_to_the_part_with_the_smallest_record_key() -> None:
    previous = {"a": "cus_1", "b": "cus_1", "c": "cus_1", "d": "cus_1"}
    result = assign_ids({"c": 1, "d": 1, "a": 2, "b": 2}, previous, registry(("cus_1", 0)))
    assert result.ids["a"] == "cus_1" and result.ids["c"] != "cus_1"


def test_ids_whose_records_are_all_gone_are_erased() -> None:
    result = assign_ids({"a": 1}, {"a": "cus_1", "z": "cus_2"}, registry(("cus_1", 0), ("cus_2", 0)))
    assert result.erased == ["cus_2"]
    assert [(c.change_type, c.customer_id, c.record_count) for c in result.changes] == [
        ("erased", "cus_2", 1)
    ]


def test_new_ids_never_reuse_an_issued_id() -> None:
    retired = new_id("a", set())
    result = assign_ids({"a": 1}, {}, registry((retired, 0)))
    assert result.ids["a"] != retired and result.ids["a"].startswith("cus_")


def test_rebuild_from_an_empty_lake_gives_unchanged_clusters_their_ids() -> None:
    first = assign_ids({"a": 1, "b": 1, "c": 2}, {}, {})
    rebuilt = assign_ids({"a": 5, "b": 5, "c": 6}, {}, {})
    assert rebuilt.ids == first.ids
