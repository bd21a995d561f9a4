"""The SQL guards of identity.rules, evaluated in DuckDB (no Spark, no Splink)."""

from __future__ import annotations

import duckdb
import pytest

from identity.rules import create_conflict_macro

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
