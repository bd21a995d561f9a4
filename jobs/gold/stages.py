"""Lifecycle stages in Spark: the rules of :mod:`schemas.lifecycle` as column expressions.

A customer's completed purchases are one sorted array of ``struct<day: date, amount: double>``; the stage
at any date is a pure expression over that array, so it can be evaluated at the as-of date and at earlier
dates alike. The stage only changes on the dates a rule's condition can flip (an order day, or an order day
plus one of the thresholds), so walking those dates backwards from the as-of date finds when the current
stage began and what came before, without reading any earlier run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from infra.settings import LifecycleSettings
from schemas.lifecycle import STAGES

YEAR_DAYS = 365


def purchase_arrays(purchases: DataFrame) -> DataFrame:
    """Per customer: ``purchases`` (sorted day / amount structs) and ``comebacks``.

    Args:
        purchases: one row per completed order: ``customer_id``, ``day`` (date), ``amount`` (double).

    ``comebacks`` holds the order days that follow a gap longer than ``churn_days`` (see ``won_back``);
    it is filled by :func:`with_comebacks`.
    """
    return purchases.groupBy("customer_id").agg(
        F.array_sort(F.collect_list(F.struct(F.col("day"), F.col("amount")))).alias("purchases")
    )


def with_comebacks(arrays: DataFrame, rules: LifecycleSettings) -> DataFrame:
    """Add ``comebacks``: the days of orders placed more than ``churn_days`` after the previous order."""
    days = F.transform(F.col("purchases"), lambda p: p["day"])
    gaps = F.zip_with(
        F.slice(days, 2, F.greatest(F.size(days) - 1, F.lit(0))),
        F.slice(days, 1, F.greatest(F.size(days) - 1, F.lit(0))),
        lambda later, earlier: F.when(F.datediff(later, earlier) > rules.churn_days, later),
    )
    return arrays.withColumn("comebacks", F.filter(gaps, lambda d: d.isNotNull()))


def let(value: Column, body: Callable[[Column], Column]) -> Column:
    """``body(value)`` with ``value`` computed once (Spark copies a column into every place it is used)."""
    return F.element_at(F.transform(F.array(value), body), 1)


def stage_at(purchases: Column, comebacks: Column, day: Column, rules: LifecycleSettings) -> Column:
    """``struct<stage, reasons>``: the stage on ``day`` of a customer with these purchases.

    Mirrors :func:`schemas.lifecycle.classify` rule for rule (purchases after ``day`` ignored). One pass
    over the purchases gathers every count the rules need.
    """
    window = rules.declining_window_days
    zero = F.struct(
        F.lit(0).alias("orders"),
        F.lit(None).cast("date").alias("first"),
        F.lit(None).cast("date").alias("last"),
        F.lit(0).alias("recent"),
        F.lit(0).alias("prior"),
        F.lit(0).alias("year_orders"),
        F.lit(0.0).alias("year_revenue"),
    )

    def add(acc: Column, p: Column) -> Column:
        age = F.datediff(day, p["day"])
        in_year = age < YEAR_DAYS
        return F.when(p["day"] > day, acc).otherwise(
            F.struct(
                (acc["orders"] + 1).alias("orders"),
                F.coalesce(acc["first"], p["day"]).alias("first"),
                p["day"].alias("last"),
                (acc["recent"] + F.when(age < window, 1).otherwise(0)).alias("recent"),
                (acc["prior"] + F.when((age >= window) & (age < 2 * window), 1).otherwise(0)).alias("prior"),
                (acc["year_orders"] + F.when(in_year, 1).otherwise(0)).alias("year_orders"),
                (acc["year_revenue"] + F.when(in_year, p["amount"]).otherwise(0.0)).alias("year_revenue"),
            )
        )

    counts = F.struct(
        F.aggregate(purchases, zero, add).alias("c"),
        F.array_max(F.filter(comebacks, lambda d: d <= day)).alias("comeback"),
    )

    def result(stage: str, *reasons: str) -> Column:
        return F.struct(F.lit(stage).alias("stage"), F.array(*[F.lit(r) for r in reasons]).alias("reasons"))

    def classify(s: Column) -> Column:
        c = s["c"]
        since_last = F.datediff(day, c["last"])
        no_recent_order = since_last > rules.declining_days
        frequency_falling = (c["prior"] >= rules.declining_min_prior_orders) & (
            c["recent"] < F.lit(rules.declining_frequency_ratio) * c["prior"]
        )
        mature = (
            (F.datediff(day, c["first"]) >= rules.mature_min_tenure_days)
            & (c["year_orders"] >= rules.mature_min_orders_365d)
            & (c["year_revenue"] >= F.lit(float(rules.mature_min_revenue_365d)))
        )
        declining_reasons = F.array_compact(
            F.array(
                F.when(no_recent_order, F.lit(f"NO_ORDER_{rules.declining_days}D")),
                F.when(frequency_falling, F.lit("FREQUENCY_FALLING")),
            )
        )
        return (
            F.when(c["orders"] == 0, result("prospect", "NO_ORDERS"))
            .when(since_last > rules.churn_days, result("churned", f"NO_ORDER_{rules.churn_days}D"))
            .when(
                s["comeback"].isNotNull() & (F.datediff(day, s["comeback"]) <= rules.won_back_days),
                result("won_back", f"RETURNED_AFTER_{rules.churn_days}D_GAP"),
            )
            .when(
                no_recent_order | frequency_falling,
                F.struct(F.lit("declining").alias("stage"), declining_reasons.alias("reasons")),
            )
            .when(mature, result("mature", "LONG_TENURE", "HIGH_FREQUENCY", "HIGH_VALUE"))
            .when(c["orders"] >= 2, result("growth", "REPEAT_BUYER"))
            .otherwise(result("new", "ONE_ORDER"))
        )

    return let(counts, classify)


def change_days(purchases: Column, as_of: dt.date, rules: LifecycleSettings) -> Column:
    """The dates up to ``as_of`` on which a rule's condition can flip, latest first."""
    offsets = sorted(
        {
            0,
            rules.declining_days + 1,
            rules.churn_days + 1,
            rules.won_back_days + 1,
            rules.declining_window_days,
            2 * rules.declining_window_days,
            YEAR_DAYS,
            rules.mature_min_tenure_days,
        }
    )
    candidates = F.flatten(
        F.transform(purchases, lambda p: F.array(*[F.date_add(p["day"], n) for n in offsets]))
    )
    limit = F.lit(as_of)
    kept = F.filter(F.array_distinct(candidates), lambda d: d <= limit)
    return F.reverse(F.array_sort(kept))


def with_stages(arrays: DataFrame, as_of: dt.date, rules: LifecycleSettings) -> DataFrame:
    """Add ``stage``, ``stage_reasons``, ``stage_started`` and ``stage_before`` for ``as_of``.

    ``arrays`` comes from :func:`purchase_arrays` and :func:`with_comebacks`. ``stage_started`` is the first
    day of the current stage (the first order day when the stage never changed since); ``stage_before``
    the stage held the day before it (null when it never changed since the first order). Customers without
    purchases are left to the caller (they are prospects since they became known).
    """
    purchases, comebacks = F.col("purchases"), F.col("comebacks")
    current = stage_at(purchases, comebacks, F.lit(as_of), rules)
    days = change_days(purchases, as_of, rules)

    def step(acc: Column, day: Column) -> Column:
        # Walk back while the stage is unchanged; the first different one ends the walk, and the CASE
        # keeps the remaining dates from being classified at all.
        def compare(other: Column) -> Column:
            same = F.struct(
                F.lit(False).alias("done"),
                acc["stage"].alias("stage"),
                day.alias("since"),
                F.lit(None).cast("string").alias("before"),
            )
            changed = F.struct(
                F.lit(True).alias("done"),
                acc["stage"].alias("stage"),
                acc["since"].alias("since"),
                other.alias("before"),
            )
            return F.when(other == acc["stage"], same).otherwise(changed)

        return F.when(acc["done"], acc).otherwise(
            let(stage_at(purchases, comebacks, day, rules)["stage"], compare)
        )  # fmt: skip

    start = F.struct(
        F.lit(False).alias("done"),
        F.col("_current")["stage"].alias("stage"),
        F.lit(as_of).alias("since"),
        F.lit(None).cast("string").alias("before"),
    )
    walked = F.aggregate(days, start, step)
    return (
        arrays.withColumn("_current", current)
        .withColumn("_walk", walked)
        .select(
            *arrays.columns,
            F.col("_current")["stage"].alias("stage"),
            F.col("_current")["reasons"].alias("stage_reasons"),
            F.col("_walk")["since"].alias("stage_started"),
            # Before the first order every customer was a prospect.
            F.coalesce(F.col("_walk")["before"], F.lit("prospect")).alias("stage_before"),
        )
    )


__all__ = ["STAGES", "change_days", "purchase_arrays", "stage_at", "with_comebacks", "with_stages"]
