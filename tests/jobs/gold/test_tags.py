"""RFM segment mapping and quintiles, and the health score: pure rules, and Spark against them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from infra.settings import LifecycleSettings, ProfileSettings
from jobs.gold import health, rfm
from jobs.gold.health import HealthInputs
from schemas.gold import RFM_SEGMENTS

SCORES = list(itertools.product(range(1, 6), repeat=3))


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ((5, 5, 5), "Champions"),
        ((4, 4, 3), "Champions"),  # FM = 3.5 rounds up to 4
        ((3, 5, 5), "Loyal"),
        ((4, 3, 3), "Loyal"),
        ((1, 5, 4), "Can't Lose Them"),
        ((1, 3, 3), "At Risk"),
        ((2, 5, 5), "At Risk"),
        ((5, 1, 1), "New"),
        ((4, 1, 1), "Promising"),
        ((5, 2, 2), "Potential Loyalist"),
        ((3, 2, 2), "Need Attention"),
        ((3, 1, 1), "About to Sleep"),
        ((2, 1, 2), "Hibernating"),
        ((1, 1, 1), "Lost"),
    ],
)
def test_segment_examples(scores: tuple[int, int, int], expected: str) -> None:
    assert rfm.segment(*scores) == expected


def test_every_score_combination_has_a_segment_and_every_segment_is_reachable() -> None:
    reached = {rfm.segment(*s) for s in SCORES}
    assert reached == set(RFM_SEGMENTS)
    with pytest.raises(ValueError, match="scores are 1-5"):
        rfm.segment(0, 3, 3)


def test_first_matching_rule_wins() -> None:
    """(4, 5, 5) matches Champions and Loyal; Champions comes first."""
    matching = [name for name, (r0, r1), (f0, f1) in rfm.SEGMENT_RULES if r0 <= 4 <= r1 and f0 <= 5 <= f1]
    assert matching[:2] == ["Champions", "Loyal"]
    assert rfm.segment(4, 5, 5) == "Champions"


# ---- health ----------------------------------------------------------------------------------------

PROFILE = ProfileSettings()
LIFECYCLE = LifecycleSettings()


def inputs(**changes: object) -> HealthInputs:
    base = {"days_since_last_order": 10, "cycle_days": 30.0, "orders_recent": 3, "orders_prior": 3,
            "sessions_90d": 0, "email_clicks_90d": 0, "tickets_open": 0, "nps_class": None}  # fmt: skip
    return HealthInputs(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "factor"),
    [
        ({"days_since_last_order": 30}, "RECENCY_WITHIN_CYCLE:+30"),
        ({"days_since_last_order": 31}, "RECENCY_SLIGHTLY_LATE:+20"),
        ({"days_since_last_order": 45}, "RECENCY_SLIGHTLY_LATE:+20"),
        ({"days_since_last_order": 46}, "RECENCY_LATE:+10"),
        ({"days_since_last_order": 61}, "RECENCY_OVERDUE:+0"),
        (
            {"days_since_last_order": 90, "cycle_days": None},
            "RECENCY_WITHIN_CYCLE:+30",
        ),  # one order: 90-day cycle
        ({"days_since_last_order": None}, "NO_ORDERS:+0"),
        ({"orders_recent": 0, "orders_prior": 0}, "NO_RECENT_ORDERS:+0"),
        ({"orders_recent": 2, "orders_prior": 0}, "TREND_NEW:+15"),
        ({"orders_recent": 2, "orders_prior": 4}, "TREND_SLOWING:+10"),
        ({"orders_recent": 1, "orders_prior": 3}, "TREND_FALLING:+0"),
        ({"sessions_90d": 3}, "DIGITALLY_ENGAGED:+20"),
        ({"email_clicks_90d": 2}, "DIGITALLY_ENGAGED:+20"),
        ({"sessions_90d": 2, "email_clicks_90d": 1}, "SOME_DIGITAL_ACTIVITY:+10"),
        ({"tickets_open": 1}, "OPEN_TICKET:+8"),
        ({"tickets_open": 2}, "SEVERAL_OPEN_TICKETS:+0"),
        ({"nps_class": "promoter"}, "NPS_PROMOTER:+15"),
        ({"nps_class": "detractor"}, "NPS_DETRACTOR:+0"),
    ],
)
def test_health_factors_at_boundaries(changes: dict[str, object], factor: str) -> None:
    result = health.health(inputs(**changes), PROFILE, LIFECYCLE)
    assert factor in result.factors
    assert result.score == sum(int(f.rsplit("+", 1)[1]) for f in result.factors)


def test_health_bands() -> None:
    assert health.band(100, PROFILE) == "green" and health.band(70, PROFILE) == "green"
    assert health.band(69, PROFILE) == "yellow" and health.band(40, PROFILE) == "yellow"
    assert health.band(39, PROFILE) == "red" and health.band(0, PROFILE) == "red"
    best = health.health(inputs(sessions_90d=5, nps_class="promoter"), PROFILE, LIFECYCLE)
    worst = health.health(inputs(days_since_last_order=None, orders_recent=0, orders_prior=0, tickets_open=3,
                                 nps_class="detractor"), PROFILE, LIFECYCLE)  # fmt: skip
    assert (best.score, best.band) == (100, "green") and (worst.score, worst.band) == (0, "red")


def test_spark_tags_agree_with_the_rules(spark: SparkSession) -> None:
    """One query: the segment of all 125 score combinations and the health of a grid of inputs."""
    grid = [
        inputs(
            days_since_last_order=d,
            cycle_days=c,
            orders_recent=r,
            orders_prior=p,
            sessions_90d=s,
            email_clicks_90d=k,
            tickets_open=t,
            nps_class=n,
        )
        for d, c, (r, p), (s, k), t, n in itertools.product(
            (None, 0, 30, 31, 46, 61),
            (None, 30.0),
            ((0, 0), (1, 0), (3, 3), (2, 4), (1, 3)),
            ((0, 0), (0, 1), (3, 0), (0, 2)),
            (0, 1, 2),
            (None, "promoter", "passive", "detractor"),
        )
    ]
    rows = [
        (i, *s, *vars(h).values())
        for i, (s, h) in enumerate(zip(itertools.cycle(SCORES), grid, strict=False))
    ]
    df = spark.createDataFrame(
        rows,
        "i int, r int, f int, m int, days int, cycle double, recent int, prior int, sessions int, clicks int, "
        "open int, nps string",
    )
    columns = health.health_columns(
        F.col("days"), F.col("cycle"), F.col("recent"), F.col("prior"), F.col("sessions"), F.col("clicks"),
        F.col("open"), F.col("nps"), PROFILE, LIFECYCLE,
    )  # fmt: skip
    result = df.select(
        "i", "r", "f", "m", rfm.segment_column(F.col("r"), F.col("f"), F.col("m")).alias("segment"),
        *[c.alias(n) for n, c in columns.items()],
    ).collect()  # fmt: skip
    assert len(result) == len(grid)
    for row in result:
        assert row["segment"] == rfm.segment(row["r"], row["f"], row["m"])
        expected = health.health(grid[row["i"]], PROFILE, LIFECYCLE)
        assert (row["health_score"], row["health_band"], tuple(row["health_factors"])) == (
            expected.score, expected.band, expected.factors,
        )  # fmt: skip


def test_spark_quintiles_give_ties_one_score(spark: SparkSession) -> None:
    as_of = dt.date(2025, 1, 31)
    buyers = [
        (f"C{i:03d}", as_of - dt.timedelta(days=i), 1 if i < 60 else i, float(i * 10)) for i in range(100)
    ]
    df = spark.createDataFrame(
        buyers, "customer_id string, last_order_date date, orders_completed int, net_revenue double"
    )
    scores = {r["customer_id"]: r for r in rfm.rfm_scores(df, as_of).collect()}
    assert {scores[f"C{i:03d}"]["rfm_frequency"] for i in range(60)} == {2}  # 60 tied one-order buyers
    assert [scores[f"C{i:03d}"]["rfm_monetary"] for i in (0, 19, 20, 99)] == [1, 1, 2, 5]
    assert [scores[f"C{i:03d}"]["rfm_recency"] for i in (0, 19, 20, 99)] == [5, 5, 4, 1]
    assert all(r["rfm_segment"] == rfm.segment(r["rfm_recency"], r["rfm_frequency"], r["rfm_monetary"])
               for r in scores.values())  # fmt: skip
