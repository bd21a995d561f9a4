"""What the generator writes matches each feed's contract; bad rows are bad in exactly the stated way."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import GeneratorConfig, GeneratorConfigError, generate
from generator.runner import run_generation
from schemas.landing import CONTRACTS, contract
from tests.generator.checker import quality_reasons, read_landing
from tests.generator.conftest import Dataset, load

REASON = re.compile(
    r"^(PARSE_ERROR|COLUMN_COUNT_MISMATCH|ENCODING_ERROR|DUPLICATE|"
    r"(TYPE_CAST|NULL_KEY|FIELD_TOO_LONG|OUT_OF_RANGE|FORMAT|ALLOWED):[a-z_]+)$"
)


def test_good_rows_fit_types_formats_and_allowed_values(generated: Dataset) -> None:
    truth = {(r["source_file"], r["line_number"]): r for r in generated.records}
    checked: Counter[str] = Counter()
    for row in generated.rows:
        if truth[(row.source_file, row.line_number)]["is_bad"]:
            continue
        assert row.reasons == [] and row.fields is not None
        feed = contract(row.feed)
        assert quality_reasons(feed, row.fields) == [], (row.source_file, row.line_number)
        for column in feed.columns:
            if column.required:
                assert row.fields[column.name] is not None, (row.source_file, column.name)
        if row.record is not None:
            assert set(row.record) <= set(feed.column_names)
        checked[row.feed] += 1
    assert set(checked) == {c.feed for c in CONTRACTS}


def test_json_amounts_have_two_decimals_and_items_are_well_formed(generated: Dataset) -> None:
    amount = re.compile(rb'"(total_amount|refund_amount|unit_price)":(-?\d+(\.\d+)?)')
    orders = [r for r in generated.rows if r.feed == "orders_online" and not r.reasons]
    assert orders
    for row in orders:
        for match in amount.finditer(row.raw):
            assert re.fullmatch(rb"-?\d+\.\d{2}", match.group(2)), row.raw
        assert row.record is not None
        items = row.record["items"]
        assert items and all(set(i) == {"sku", "category", "quantity", "unit_price"} for i in items)
        assert all(isinstance(i["quantity"], int) and i["quantity"] >= 1 for i in items)
        total = sum(round(i["quantity"] * i["unit_price"] * 100) for i in items)
        assert total == round(row.record["total_amount"] * 100)


def test_csv_values_never_span_lines_and_are_quoted_when_needed(generated: Dataset) -> None:
    quoted = 0
    for row in generated.rows:
        if contract(row.feed).file_format == "csv":
            assert b"\r" not in row.raw
            quoted += row.raw.count(b',"')
    assert quoted > 0


def test_bad_rows_match_the_requested_rate_per_feed(generated: Dataset) -> None:
    rows = Counter(r["feed"] for r in generated.records)
    bad = Counter(r["feed"] for r in generated.records if r["is_bad"])
    chunks = 3
    for feed, count in rows.items():
        share = bad[feed] / count
        # Each chunk rounds its bad-row count to a whole row; small feeds get that much slack.
        slack = chunks / count
        assert 0.03 - slack <= share <= 0.07 + slack, (feed, bad[feed], count)
    total = sum(bad.values()) / sum(rows.values())
    assert 0.04 <= total <= 0.06


def test_every_kind_of_defect_occurs_and_reasons_are_well_formed(generated: Dataset) -> None:
    reasons = Counter(
        reason.split(":")[0]
        for r in generated.records
        for reason in r["expected_reasons"]
        if REASON.match(reason)
    )
    assert all(REASON.match(x) for r in generated.records for x in r["expected_reasons"])
    kinds = {
        "PARSE_ERROR",
        "COLUMN_COUNT_MISMATCH",
        "TYPE_CAST",
        "NULL_KEY",
        "ENCODING_ERROR",
        "DUPLICATE",
        "OUT_OF_RANGE",
        "FIELD_TOO_LONG",
    }
    assert set(reasons) == kinds


def test_duplicates_repeat_a_good_row_later(generated: Dataset) -> None:
    by_key: dict[tuple[str, bytes], list[tuple[str, int]]] = defaultdict(list)
    for row in generated.rows:
        by_key[(row.feed, row.raw)].append((row.source_file, row.line_number))
    truth = {(r["source_file"], r["line_number"]): r for r in generated.records}
    duplicates = [r for r in generated.records if r["expected_reasons"] == ["DUPLICATE"]]
    assert duplicates
    for duplicate in duplicates:
        row = next(
            x
            for x in generated.rows
            if (x.source_file, x.line_number) == (duplicate["source_file"], duplicate["line_number"])
        )
        copies = by_key[(row.feed, row.raw)]
        original = copies[0]
        assert original != (duplicate["source_file"], duplicate["line_number"])
        assert not truth[original]["is_bad"]
        assert truth[original]["source_id"] == duplicate["source_id"]


@pytest.mark.parametrize(
    ("column", "reason"),
    [
        ("crm_contacts.email", "FORMAT:email"),
        ("orders_online.total_amount", "OUT_OF_RANGE:total_amount"),
        ("nps_surveys.responded_at", "TYPE_CAST:responded_at"),
        ("support_tickets.status", "ALLOWED:status"),
        ("loyalty_members.full_name", "FIELD_TOO_LONG:full_name"),
    ],
)
def test_break_column_spoils_every_value_of_one_column(
    column: str, reason: str, make_home: Callable[[str], Path]
) -> None:
    home = make_home("broken")
    config = GeneratorConfig(people=150, seed=11, days=200, workers=1, break_column=column)
    run_generation(config, home, chunk_size=150)
    data = load(home, config)
    feed = column.split(".", maxsplit=1)[0]
    rows = [r for r in data.records if r["feed"] == feed]
    assert rows and all(r["is_bad"] and r["expected_reasons"] == [reason] for r in rows)
    checked = read_landing(home / "landing")
    mine = [r for r in checked if r.feed == feed]
    name = column.split(".")[1]
    for row in mine:
        assert row.fields is not None
        found = row.reasons or quality_reasons(contract(feed), row.fields)
        assert found == [reason], (row.raw, found)
        assert row.fields[name] is not None


def test_invalid_configurations_are_refused(make_home: Callable[[str], Path]) -> None:
    with pytest.raises(GeneratorConfigError, match=r"feed\.column"):
        GeneratorConfig(break_column="nonsense")
    with pytest.raises(GeneratorConfigError, match="no column"):
        GeneratorConfig(break_column="crm_contacts.nope")
    with pytest.raises(GeneratorConfigError, match="list columns"):
        GeneratorConfig(break_column="orders_online.items")
    with pytest.raises(GeneratorConfigError, match="unknown feeds"):
        GeneratorConfig(bad_rate_by_feed={"orders": 0.1})
    with pytest.raises(GeneratorConfigError, match=r"between 0 and 0\.5"):
        GeneratorConfig(bad_rate=0.9)
    with pytest.raises(GeneratorConfigError, match="people"):
        GeneratorConfig(people=0)


def test_bad_rate_can_be_set_per_feed(make_home: Callable[[str], Path]) -> None:
    home = make_home("per_feed")
    summary = generate(
        GeneratorConfig(
            people=200, seed=2, days=200, workers=1, bad_rate=0.0, bad_rate_by_feed={"orders_pos": 0.2}
        ),
        home,
    )
    assert summary.bad_rows_by_feed["orders_pos"] / summary.records_by_feed["orders_pos"] > 0.1
    assert sum(v for k, v in summary.bad_rows_by_feed.items() if k != "orders_pos") == 0
