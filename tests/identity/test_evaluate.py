"""Evaluation measures that need no lake: blocking conditions against the model's rules."""

from __future__ import annotations

import re

import duckdb

from identity.evaluate import blocking_conditions
from identity.matching import MATCH_COLUMNS, prediction_rules

# Two values per matching column: records agree on a column by both taking the first.
VALUES = {
    "given": ("'wei'", "'lei'"),
    "family": ("'wang'", "'zhang'"),
    "name_tokens": ("'wang wei'", "'lei zhang'"),
    "dob": ("date '1985-03-12'", "date '1990-07-28'"),
    "email": ("'wang.wei@qq.com'", "'lz77@163.com'"),
    "email_user": ("'wang.wei'", "'lz77'"),
    "phone": ("'+8613800138000'", "'+8613912345678'"),
    "postcode": ("'200001'", "'100001'"),
    "city": ("'shanghai'", "'beijing'"),
    "address_line": ("'1 nanjing road'", "'9 chang an avenue'"),
    "house_number": ("'1'", "'9'"),
}


def used_columns(condition: str) -> set[str]:
    """The matching columns a blocking condition reads on the left record."""
    return {m for m in re.findall(r'\bl\."?(\w+)', condition) if m in MATCH_COLUMNS}


def test_blocking_recall_counts_a_pair_for_every_prediction_rule() -> None:
    """For each rule, a pair agreeing only on that rule's columns is covered by that rule's condition."""
    conditions = blocking_conditions()
    assert len(conditions) == len(prediction_rules())
    assert set(VALUES) == set(MATCH_COLUMNS)
    con = duckdb.connect()
    checks = ", ".join(f"coalesce(({c}), false)" for c in conditions)
    for index, condition in enumerate(conditions):
        used = used_columns(condition)
        assert used, condition
        left = ", ".join(f"{same} as {c}" for c, (same, _) in VALUES.items())
        right = ", ".join(f"{same if c in used else other} as {c}" for c, (same, other) in VALUES.items())
        hits = con.execute(f"with l as (select {left}), r as (select {right}) select {checks} from l, r")
        row = hits.fetchall()[0]
        assert row[index], condition
        # A rule reading a column the pair disagrees on does not fire.
        for other, hit in enumerate(row):
            if not used_columns(conditions[other]) <= used:
                assert not hit, (condition, conditions[other])
