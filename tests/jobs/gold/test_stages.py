"""Lifecycle stages: every rule at its boundaries, the Spark expressions against the Python reference."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pyspark.sql import SparkSession

from infra.settings import LifecycleSettings
from jobs.gold import stages
from schemas.lifecycle import Purchase, StageResult, classify

RULES = LifecycleSettings()
AS_OF = dt.date(2025, 6, 30)


def ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


def history(*days_ago: int, amount: float = 100.0) -> list[Purchase]:
    return [Purchase(ago(d), amount) for d in days_ago]


# (name, purchases, expected stage) -- each rule just inside and just outside its threshold.
CASES: list[tuple[str, list[Purchase], str]] = [
    ("no orders", [], "prospect"),
    ("only future orders", [Purchase(AS_OF + dt.timedelta(days=1), 50.0)], "prospect"),
    ("churned: last order 181 days ago", history(181), "churned"),
    ("not churned at exactly 180 days", history(180), "declining"),
    ("churned: many old orders", history(400, 300, 250, 200, 181), "churned"),
    ("won back: comeback 90 days ago after a 181-day gap", history(271, 90), "won_back"),
    ("won back: comeback today", history(200, 0), "won_back"),
    ("not won back: comeback 91 days ago", history(272, 91), "declining"),
    ("not won back: gap of exactly 180 days", history(200, 20), "growth"),
    ("won back: old gap, latest comeback counts", history(700, 500, 60, 30), "won_back"),
    ("declining: last order 91 days ago", history(120, 91), "declining"),
    ("not declining at exactly 90 days", history(120, 90), "growth"),
    ("declining: frequency halved", history(350, 320, 300, 250, 100), "declining"),
    ("not declining: recent = half of prior", history(350, 320, 300, 250, 100, 60), "growth"),
    ("not declining: only 3 prior orders", history(350, 300, 250, 120, 10), "growth"),
    ("declining: both reasons", history(350, 320, 300, 250, 100, 91), "declining"),
    ("mature", [*history(400, 300, 240, 200), *history(60, 40, 20, amount=1000.0)], "mature"),
    ("not mature: tenure 364 days", [*history(364, 300, 240), *history(60, 40, 20, amount=1000.0)], "growth"),
    (
        "not mature: 5 orders in the year",
        [*history(400, 300, 200), *history(60, 40, 20, amount=1000.0)],
        "growth",
    ),
    ("mature: revenue exactly 3000", history(500, 364, 300, 200, 150, 100, 50, amount=3000.0 / 6), "mature"),
    (
        "not mature: revenue just under",
        history(500, 364, 300, 200, 150, 100, 50, amount=2999.0 / 6),
        "growth",
    ),
    ("growth: two orders the same day", history(10, 10), "growth"),
    ("new: one order today", history(0), "new"),
    ("new: one order 90 days ago", history(90), "new"),
]


def spark_stages(spark: SparkSession, cases: list[list[Purchase]], as_of: dt.date) -> list[dict[str, Any]]:
    rows = [
        (str(i), p.day, float(p.net_amount))
        for i, purchases in enumerate(cases)
        for p in purchases
        if p.day <= as_of
    ]
    df = spark.createDataFrame(rows, "customer_id string, day date, amount double")
    arrays = stages.with_comebacks(stages.purchase_arrays(df), RULES)
    result = {r.customer_id: r.asDict() for r in stages.with_stages(arrays, as_of, RULES).collect()}
    return [result.get(str(i), {"stage": "prospect"}) for i in range(len(cases))]


def walk_back(purchases: list[Purchase], as_of: dt.date) -> tuple[dt.date | None, str | None]:
    """Brute force: classify every day back from as_of until the stage differs."""
    current = classify(purchases, as_of, RULES).stage
    day = as_of
    while day >= min(p.day for p in purchases):
        earlier = classify(purchases, day - dt.timedelta(days=1), RULES).stage
        if earlier != current:
            return day, earlier
        day -= dt.timedelta(days=1)
    return None, None


@pytest.mark.parametrize(("name", "purchases", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reference_rules_at_boundaries(name: str, purchases: list[Purchase], expected: str) -> None:
    assert classify(purchases, AS_OF, RULES).stage == expected


def test_spark_agrees_with_reference(spark: SparkSession) -> None:
    histories = [purchases for _, purchases, _ in CASES]
    computed = spark_stages(spark, histories, AS_OF)
    for (name, purchases, _), row in zip(CASES, computed, strict=True):
        reference = classify(purchases, AS_OF, RULES)
        if reference.stage == "prospect":
            assert row["stage"] == "prospect", name
            continue
        assert StageResult(row["stage"], tuple(row["stage_reasons"])) == reference, name
        since, before = walk_back(purchases, AS_OF)
        assert row["stage_started"] == since, name
        assert row["stage_before"] == before, name


def test_past_dates_agree_with_reference(spark: SparkSession) -> None:
    """The same histories classified at several earlier dates: orders after each date are ignored."""
    histories = [purchases for _, purchases, _ in CASES if purchases]
    for as_of in (ago(30), ago(95), ago(200)):
        computed = spark_stages(spark, histories, as_of)
        for purchases, row in zip(histories, computed, strict=True):
            reference = classify(purchases, as_of, RULES)
            assert row["stage"] == reference.stage
            if reference.stage != "prospect":
                assert tuple(row["stage_reasons"]) == reference.reasons
                since, before = walk_back([p for p in purchases if p.day <= as_of], as_of)
                assert (row["stage_started"], row["stage_before"]) == (since, before)


def test_change_days_cover_every_change() -> None:
    """Between two consecutive change days the reference stage is constant (checked day by day)."""
    purchases = history(700, 500, 360, 300, 250, 200, 120, 100, 95, 60, 40, 20, amount=700.0)
    offsets = {0, RULES.declining_days + 1, RULES.churn_days + 1, RULES.won_back_days + 1,
               RULES.declining_window_days, 2 * RULES.declining_window_days, 365, RULES.mature_min_tenure_days}  # fmt: skip
    changes = sorted({p.day + dt.timedelta(days=n) for p in purchases for n in offsets})
    day = purchases[0].day
    previous = classify(purchases, day, RULES).stage
    while day < AS_OF + dt.timedelta(days=400):
        day += dt.timedelta(days=1)
        stage = classify(purchases, day, RULES).stage
        if stage != previous:
            assert day in changes, f"stage changed on {day}, not a change day"
        previous = stage
