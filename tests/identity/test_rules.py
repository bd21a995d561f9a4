"""The SQL guards of identity.rules, evaluated in DuckDB (no Spark, no Splink)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from identity.inputs import RECORD_COLUMNS, create_records
from identity.rules import create_conflict_macro, link, name_aliases
from infra.settings import IdentitySettings

A = ("li.wei@qq.com", "+8613800138000", "shanghai", "200001")


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_conflict_macro(con)
    return con


def contacts_differ(con: duckdb.DuckDBPyConnection, left: tuple, right: tuple) -> bool:
    (value,) = con.execute("select contacts_differ(?, ?, ?, ?, ?, ?, ?, ?)", [*left, *right]).fetchone()
    return value


@pytest.mark.parametrize(
    ("right", "expected"),
    [
        # Email and phone both known and both different: different people whatever the place says.
        (("wei.li@163.com", "+8613900139000", "shanghai", "200001"), True),
        # Phone and place differ, no email on one side and nothing agrees: namesakes.
        ((None, "+8613900139000", "beijing", None), True),
        # Email and place differ, phone unknown on one side.
        (("wei.li@163.com", None, "beijing", "100001"), True),
        # A typo is not a difference.
        (("li.wei@qq.com", "+8613800138001", "beijing", None), False),
        (("li.wei@qq.co", "+8613900139000", "beijing", None), False),
        # One changed contact is a move or a new phone, not another person.
        ((None, "+8613900139000", None, None), False),
        (("li.wei@qq.com", "+8613900139000", "beijing", None), False),
        # Place falls back to the postcode when a city is missing.
        ((None, "+8613900139000", None, "100001"), True),
        ((None, "+8613900139000", None, "200001"), False),
    ],
)
def test_contacts_differ(con: duckdb.DuckDBPyConnection, right: tuple, expected: bool) -> None:
    assert contacts_differ(con, A, right) is expected


def test_contacts_differ_is_symmetric(con: duckdb.DuckDBPyConnection) -> None:
    other = (None, "+8613900139000", "beijing", None)
    assert contacts_differ(con, A, other) == contacts_differ(con, other, A)


def aliases(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    table = name_aliases()
    known = dict(zip(table.column("name").to_pylist(), table.column("aliases").to_pylist(), strict=True))
    return known.get(name, [name])


def conflict(
    con: duckdb.DuckDBPyConnection,
    left: tuple[str, str | None, str | None, dt.date | None],
    right: tuple[str, str | None, str | None, dt.date | None],
) -> bool:
    """``conflict`` of two Western names given as (canonical given, given as received, family, birth date)."""
    args: list[object] = []
    for given, raw, family, dob in (left, right):
        args += [given, raw, family, dob, False, aliases(con, raw or given) + aliases(con, given)]
    (value,) = con.execute(
        "select conflict(?, ?, ?, ?::date, ?, ?::varchar[], ?, ?, ?, ?::date, ?, ?::varchar[])", args
    ).fetchone()
    return bool(value)


def test_name_aliases_cover_every_formal_name_an_ambiguous_nickname_may_stand_for() -> None:
    table = name_aliases()
    known = dict(zip(table.column("name").to_pylist(), table.column("aliases").to_pylist(), strict=True))
    assert {"katherine", "kathleen", "catherine", "kathryn"} <= set(known["kathy"])
    assert {"kathy", "kate"} <= set(known["kathleen"])
    assert "stephen" not in known["steven"] and "steve" in known["steven"] and "steve" in known["stephen"]
    assert not set(known["michael"]) & set(known["charles"])


DOB = dt.date(1972, 4, 3)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        # Known different Western names, with or without a family name on one side.
        (("michael", "michael", "wood", None), ("charles", "charles", "wood", None), True),
        (("henry", "henry", "king", None), ("joseph", "joseph", None, None), True),
        # An ambiguous nickname and either formal name it stands for.
        (("katherine", "kathy", "moore", None), ("kathleen", "kathleen", "moore", None), False),
        (("steven", "steve", "phillips", None), ("stephen", "stephen", "phillips", None), False),
        # An unknown name one edit from a nickname of the other: a typo, not a twin.
        (("bily", "bily", "scott", DOB), ("william", "william", "scott", DOB), False),
        (("jowy", "jowy", "davis", DOB), ("joseph", "joseph", "davis", DOB), False),
        # Two known names one edit apart stay different people (a couple, john and joan).
        (("john", "john", "smith", None), ("joan", "joan", "smith", None), True),
        # Twins: same family name and birth date, names far apart; two typos of one name are not twins.
        (("yuan", "yuan", "li", DOB), ("yang", "yang", "li", DOB), True),
        (("christooher", "christooher", "roberts", DOB), ("chrstopher", "chrstopher", "roberts", DOB), False),
    ],
)
def test_conflict_between_given_names(
    con: duckdb.DuckDBPyConnection, left: tuple, right: tuple, expected: bool
) -> None:
    assert conflict(con, left, right) is expected
    assert conflict(con, right, left) is expected


def corroborated(con: duckdb.DuckDBPyConnection, left: dict, right: dict) -> bool:
    columns = ("given", "family", "dob", "email", "phone", "address", "postcode", "house")
    args = [side.get(c) for side in (left, right) for c in columns]
    (value,) = con.execute(
        "select corroborated(?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?::date, ?, ?, ?, ?, ?)", args
    ).fetchone()
    return bool(value)


HOME = {"address": "192 queens road", "postcode": "SW3 0EF", "house": "192"}


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        # Only the place agrees: two members of one household.
        ({"given": "henry", **HOME}, {"given": "joseph", "email": "thekings@gmail.com", **HOME}, False),
        ({"given": "sophia", **HOME}, {"email": "tcollins@gmail.com", **HOME}, False),
        # The same address and a similar given name, or any agreeing birth date or contact (up to a typo).
        ({"given": "patricia", **HOME}, {"given": "patricia", **HOME}, True),
        ({"given": "mick", "dob": DOB}, {"given": "michael", "dob": DOB}, True),
        ({"email": "a.b@gmail.com"}, {"email": "a.b@gmal.com"}, True),
        ({"phone": "+447906330531"}, {"phone": "+447906330532"}, True),
        # A similar name alone, with nothing else agreeing, is a namesake as often as not.
        ({"given": "wei", "email": "wei.li@qq.com"}, {"given": "wei", "email": "liwei88@163.com"}, False),
    ],
)
def test_corroborated(con: duckdb.DuckDBPyConnection, left: dict, right: dict, expected: bool) -> None:
    assert corroborated(con, left, right) is expected


def test_a_family_email_between_two_people_is_withheld_but_their_own_phones_are_not() -> None:
    """Each parent's guest order holds the family email and their own phone; neither order names anyone."""
    rows = [
        ("crm:F", "crm", "thomas", "parker", "thomas@icloud.com", "+447449168791"),
        ("order:F1", "order", None, None, "parker.home@yahoo.co.uk", "+447449168791"),
        ("order:F2", "order", None, None, "thomas@icloud.com", "+447449168791"),
        ("crm:M", "crm", "deborah", "parker", "deborah@outlook.com", "+447869555535"),
        ("order:M1", "order", None, None, "parker.home@yahoo.co.uk", "+447869555535"),
    ]
    given = ("record_key", "source", "name_given", "name_family", "email_match_key", "phone")
    types = {"name_tokens": pa.list_(pa.string()), "birth_date": pa.date32()}
    person_records = pa.table(
        {
            c: pa.array(
                [row[given.index(c)] if c in given else None for row in rows], types.get(c, pa.string())
            )
            for c in RECORD_COLUMNS
        }
    )
    con = duckdb.connect()
    create_records(con, person_records)
    con.execute("create table links (node_a varchar, node_b varchar, link_type varchar)")
    link(con, IdentitySettings())
    withheld = dict(con.execute("select node, reason from withheld").fetchall())
    assert withheld == {"email:parker.home@yahoo.co.uk": "different_people_linked"}
    pairs = set(con.execute("select record_key_l, record_key_r from rule_pairs").fetchall())
    # The guest order stays with the father through his phone, and nothing joins him to the mother.
    father, mother = {"crm:F", "order:F1", "order:F2"}, {"crm:M", "order:M1"}
    # Without the guard the family email would join the two orders, and so the parents.
    assert ("order:F1", "order:M1") not in pairs
    assert ("crm:F", "order:F1") in pairs and ("crm:M", "order:M1") in pairs
    assert all({a, b} <= father or {a, b} <= mother for a, b in pairs)
