"""Evaluation measures that need no lake: blocking conditions against the model's rules."""

from __future__ import annotations

import duckdb

from identity.evaluate import blocking_conditions
from identity.matching import MATCH_COLUMNS, prediction_rules


def test_blocking_recall_counts_a_pair_for_every_prediction_rule() -> None:
    """For each rule, a pair agreeing only on that rule's columns is covered by exactly that condition."""
    conditions = blocking_conditions()
    assert len(conditions) == len(prediction_rules())
    con = duckdb.connect()
    for index, condition in enumerate(conditions):
        used = [c for c in MATCH_COLUMNS if f'"{c}"' in condition]
        assert used, condition
        # Two records that agree on this rule's columns and differ on everything else.
        left = ", ".join(f"'same' as {c}" if c in used else f"'left' as {c}" for c in MATCH_COLUMNS)
        right = ", ".join(f"'same' as {c}" if c in used else f"'right' as {c}" for c in MATCH_COLUMNS)
        hits = con.execute(
            f"""
            with l as (select {left}), r as (select {right})
            select {", ".join(f"coalesce(({c}), false)" for c in conditions)} from l, r
            """
        ).fetchall()[0]
        assert hits[index], condition
        # Other rules fire only when their columns are a subset of this one's.
        for other, hit in enumerate(hits):
            other_used = {c for c in MATCH_COLUMNS if f'"{c}"' in conditions[other]}
            assert hit == (other_used <= set(used)), (condition, conditions[other])
