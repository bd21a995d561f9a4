"""Lifecycle stages against the generator's truth: a confusion matrix of true and computed stages.

The truth knows each person's stage on the last day of the generated period (``people.parquet``) and at
every month end (``lifecycle.parquet``); a build whose as-of date is neither is not evaluated. Each person
is compared through their *primary* customer: the customer holding most of the person's person records
and attributed orders (ties: the smallest customer id). People none of whose records reached a customer
known on the as-of date are counted apart.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from infra.errors import UserFacingError
from infra.runs import StepReport
from infra.settings import Settings
from infra.storage import Lake
from jobs.gold import attribution
from schemas.gold import CUSTOMER_PROFILE, LIFECYCLE_EVALUATION, staging_name

MANIFEST = "manifest.json"


@dataclass
class StageEvaluation(StepReport):
    """The confusion matrix rows (true stage, computed stage, people) and the headline figures."""

    derived = ("agreement_by_true_stage",)

    matrix: list[tuple[str, str, int]] = field(default_factory=list)
    people: int = 0
    agreement: float = 0.0
    people_without_customer: int = 0
    truth_date: str = ""

    @property
    def agreement_by_true_stage(self) -> dict[str, float]:
        """The share of the people of each true stage given that stage."""
        per_stage: dict[str, list[int]] = {}
        for true_stage, stage, n in self.matrix:
            counts = per_stage.setdefault(true_stage, [0, 0])
            counts[1] += n
            if true_stage == stage:
                counts[0] += n
        return {s: a / t for s, (a, t) in sorted(per_stage.items()) if t}


def evaluate_staged(
    spark: SparkSession, settings: Settings, lake: Lake, *, as_of: dt.date, run_id: str
) -> StageEvaluation | None:
    """Evaluate the staged ``customer_profile`` of ``as_of`` and store the matrix in ``lifecycle_evaluation``.

    The rows of ``as_of`` are replaced, so evaluating a date again leaves one copy. None (nothing written)
    when the truth does not know ``as_of``.
    """
    staged = staging_name(CUSTOMER_PROFILE.name)
    if not lake.exists(staged):
        raise UserFacingError(f"{staged} does not exist yet: run `cdp profile build --as-of {as_of}` first.")
    att = attribution.attribute(lake, as_of, settings.timezone)
    profile = lake.read(staged).filter(F.col("as_of") == F.lit(as_of))
    result = evaluate(spark, settings, as_of, profile, att.records, att.orders)
    if result is None:
        return None
    table = LIFECYCLE_EVALUATION
    lake.create(table.name, table.spark_schema, description=table.description)
    rows = [(run_id, as_of, true_stage, stage, n) for true_stage, stage, n in result.matrix]
    df = spark.createDataFrame(rows, table.spark_schema)
    lake.overwrite(table.name, df, where={"as_of": as_of}, metadata={"run_id": run_id})
    return result


def truth_period_end(truth: Path) -> dt.date | None:
    """The last generated day, from the truth manifest (None without truth)."""
    manifest = truth / MANIFEST
    if not manifest.is_file():
        return None
    config = json.loads(manifest.read_text(encoding="utf-8"))["config"]
    return dt.date.fromisoformat(config["start"]) + dt.timedelta(days=int(config["days"]) - 1)


def true_stages(spark: SparkSession, settings: Settings, as_of: dt.date) -> DataFrame | None:
    """``person_id, true_stage`` on ``as_of``; None when the truth does not know that date."""
    truth = settings.paths.truth
    end = truth_period_end(truth)
    if end is None:
        return None
    if as_of == end:
        people = spark.read.parquet(str(truth / "people.parquet"))
        return people.select("person_id", F.col("target_stage").alias("true_stage"))
    lifecycle = truth / "lifecycle.parquet"
    if not lifecycle.exists():
        return None
    rows = spark.read.parquet(str(lifecycle)).filter(F.col("month_end") == F.lit(as_of))
    if rows.limit(1).count() == 0:
        return None
    return rows.select("person_id", F.col("stage").alias("true_stage"))


def primary_customers(
    spark: SparkSession, settings: Settings, records: DataFrame, orders: DataFrame
) -> DataFrame:
    """``person_id, customer_id``: the customer holding most of each person's records and orders.

    Args:
        records: ``record_key, customer_id`` of the person records.
        orders: ``order_key, customer_id`` of the attributed orders.
    """
    truth = spark.read.parquet(str(settings.paths.truth / "records.parquet"))
    keys = (
        truth.filter(F.col("person_id").isNotNull() & ~F.col("is_bad"))
        .select(F.concat_ws(":", "feed", "source_id").alias("key"), "person_id")
        .distinct()
    )
    held = records.select(F.col("record_key").alias("key"), "customer_id").unionByName(
        orders.filter(F.col("customer_id").isNotNull()).select(F.col("order_key").alias("key"), "customer_id")
    )
    weights = (
        keys.join(held, "key", how="inner")
        .groupBy("person_id", "customer_id")
        .agg(F.count(F.lit(1)).alias("n"))
    )
    best = Window.partitionBy("person_id").orderBy(F.col("n").desc(), F.col("customer_id").asc())
    return (
        weights.withColumn("_rank", F.row_number().over(best))
        .filter(F.col("_rank") == 1)
        .select("person_id", "customer_id")
    )


def evaluate(
    spark: SparkSession,
    settings: Settings,
    as_of: dt.date,
    profile: DataFrame,
    records: DataFrame,
    orders: DataFrame,
) -> StageEvaluation | None:
    """Compare each person's true stage with their primary customer's stage (None: no truth for the date).

    Args:
        profile: ``customer_id, stage`` of the build.
    """
    truth = true_stages(spark, settings, as_of)
    if truth is None:
        return None
    primary = primary_customers(spark, settings, records, orders)
    joined = truth.join(primary, "person_id", how="left").join(
        profile.select("customer_id", "stage"), "customer_id", how="left"
    )
    counts = joined.groupBy("true_stage", "stage").agg(F.count(F.lit(1)).alias("n")).collect()
    result = StageEvaluation(truth_date=as_of.isoformat())
    for row in sorted(counts, key=lambda r: (r["true_stage"], r["stage"] or "")):
        if row["stage"] is None:
            result.people_without_customer += int(row["n"])
        else:
            result.matrix.append((row["true_stage"], row["stage"], int(row["n"])))
    result.people = sum(n for _, _, n in result.matrix)
    agreed = sum(n for true_stage, stage, n in result.matrix if true_stage == stage)
    result.agreement = agreed / result.people if result.people else 0.0
    return result
