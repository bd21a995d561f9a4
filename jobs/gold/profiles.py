"""``customer_profile`` and ``customer_lifecycle_history``: unified profiles with lifecycle tags.

``build`` reads silver and the identity tables, computes everything for an explicit as-of date (rows after
it are ignored; the wall clock is never read) and writes each gold table into its staging table
(``staging_<name>``, overwritten). ``jobs.gold.publish`` copies the staging tables to the published ones once
the run's gold quality gate has passed. The same inputs and as-of date always give the same staging rows.

The published stage history is the one input besides silver and identity: a build records a transition for
every customer whose stage differs from the one in the published ``customer_lifecycle_history`` at the
latest earlier as-of date (or who has none yet), and stages the whole history with the as-of date's
transitions replaced.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from infra.console import console
from infra.runs import StepReport
from infra.settings import Settings
from infra.storage import Lake
from jobs.gold import CACHE, attribution, clv, consent, health, rfm, stages, survivorship, traits
from jobs.silver.common import business_date
from schemas.core import TableSchema
from schemas.gold import CUSTOMER_LIFECYCLE_HISTORY, CUSTOMER_PROFILE, staging_name

MONEY_DIGITS = 2
RATE_DIGITS = 4
# Rounded so that sums over differently ordered rows give identical values run after run.
MONEY_COLUMNS = ("net_revenue", "average_order_value", "predicted_order_value", "clv_predicted_12m")
RATE_COLUMNS = ("predicted_orders_12m", "probability_alive")


@dataclass
class ProfileReport(StepReport):
    """What a build did: rows staged, stages, RFM segments, unattributed rows, the CLV holdout."""

    run_id: str
    as_of: dt.date
    rows: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    transitions: int = 0
    unattributed: dict[str, int] = field(default_factory=dict)
    clv: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def _known_customers(att: attribution.Attributed, orders: DataFrame, timezone: str) -> DataFrame:
    """Customers known on the as-of date: a record seen by then, or a completed order by then."""
    from_records = att.records.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("source_records"),
        F.array_sort(F.collect_set("source")).alias("sources"),
        F.min(business_date(F.col("seen_at"), timezone)).alias("first_seen_date"),
    )
    from_orders = orders.groupBy("customer_id").agg(F.min("day").alias("_first_order"))
    return from_records.join(from_orders, "customer_id", how="full").select(
        "customer_id",
        F.coalesce("source_records", F.lit(0)).cast("long").alias("source_records"),
        F.coalesce("sources", F.array().cast("array<string>")).alias("sources"),
        F.least("first_seen_date", "_first_order").alias("first_seen_date"),
    )


def _records_with_gender(att: attribution.Attributed) -> DataFrame:
    gender = att.crm.select(F.col("record_key"), F.col("gender"))
    return att.records.join(gender, "record_key", how="left")


def _consent(att: attribution.Attributed) -> DataFrame:
    unsubscribes = att.email_events.filter(
        F.col("customer_id").isNotNull() & (F.col("event_type") == "unsubscribe")
    ).select("customer_id", F.concat(F.lit("email_engagement:"), F.col("event_id")).alias("event_key"),
             "occurred_at")  # fmt: skip
    choices = consent.choices_frame(
        att.crm.filter(F.col("customer_id").isNotNull()),
        att.shop.filter(F.col("customer_id").isNotNull()),
        unsubscribes,
    )
    return consent.consent_frame(choices)


def _stages(orders: DataFrame, customers: DataFrame, as_of: dt.date, settings: Settings) -> DataFrame:
    rules = settings.lifecycle
    arrays = stages.with_comebacks(
        stages.purchase_arrays(orders.select("customer_id", "day", "amount")), rules
    )
    staged = stages.with_stages(arrays, as_of, rules).select(
        "customer_id", "stage", "stage_reasons", "stage_started", "stage_before"
    )
    joined = customers.select("customer_id", "first_seen_date").join(staged, "customer_id", how="left")
    buyer = F.col("stage").isNotNull()
    return joined.select(
        "customer_id",
        F.coalesce("stage", F.lit("prospect")).alias("stage"),
        F.when(buyer, F.col("stage_reasons")).otherwise(F.array(F.lit("NO_ORDERS"))).alias("stage_reasons"),
        F.when(buyer, F.col("stage_started")).otherwise(F.col("first_seen_date")).alias("stage_since"),
        F.when(buyer, F.col("stage_before")).alias("previous_stage"),
    )


def _clv(
    orders: DataFrame, as_of: dt.date, settings: Settings
) -> tuple[DataFrame, dict[str, Any], DataFrame]:
    """CLV scores per buyer, the holdout report, and the summary frame to unpersist afterwards."""
    holdout_days = settings.profiles.clv_holdout_days
    summary = clv.summaries(orders, as_of, holdout_days).persist(CACHE)
    fitted = clv.fit(summary)
    report = {
        "calibration_end": (as_of - dt.timedelta(days=holdout_days)).isoformat(),
        **clv.holdout(summary, fitted["calibration"], holdout_days),
    }
    full = fitted["full"]
    names = ("predicted_orders_12m", "probability_alive", "predicted_order_value", "clv_predicted_12m")
    columns = (
        clv.score_columns(full.model, full.spend, settings.profiles.clv_horizon_days) if full.model else {}
    )
    scored = summary.select(
        "customer_id", *[columns.get(n, F.lit(None).cast("double")).alias(n) for n in names]
    )
    report["model"] = {
        "fitted": full.model is not None,
        **full.sizes,
        "bgnbd": clv.rounded(vars(full.model)) if full.model else None,
        "gamma_gamma": clv.rounded(vars(full.spend)) if full.spend else None,
    }
    return scored, report, summary


def _health(profile: DataFrame, as_of: dt.date, settings: Settings) -> dict[str, Column]:
    orders = F.col("orders_completed")
    cycle = F.when(
        orders >= 2, F.datediff("last_order_date", "first_order_date") / (orders - 1).cast("double")
    )
    return health.health_columns(
        F.datediff(F.lit(as_of), F.col("last_order_date")),
        cycle,
        F.col("_orders_trend_recent"),
        F.col("_orders_trend_prior"),
        F.col("sessions_90d"),
        F.col("email_clicks_90d"),
        F.col("tickets_open"),
        F.col("last_nps_class"),
        settings.profiles,
        settings.lifecycle,
    )


def _conform(df: DataFrame, table: TableSchema) -> DataFrame:
    """The table's columns, in order, cast to their declared types."""
    return df.select(*[F.col(c.name).cast(c.dtype).alias(c.name) for c in table.columns])


def profile_frame(
    spark: SparkSession, settings: Settings, lake: Lake, *, as_of: dt.date, run_id: str
) -> tuple[DataFrame, dict[str, Any]]:
    """The ``customer_profile`` rows for ``as_of`` (not written) and the build's side figures."""
    att = attribution.attribute(lake, as_of, settings.timezone).persist()
    orders = traits.completed_orders(att).persist(CACHE)
    customers = _known_customers(att, orders, settings.timezone).persist(CACHE)
    golden = survivorship.golden_record(_records_with_gender(att), settings.profiles)
    features = traits.traits(customers, orders, att, as_of, settings.profiles)
    stage = _stages(orders, customers, as_of, settings)
    buyers = features.filter(F.col("orders_completed") > 0).select(
        "customer_id", "last_order_date", "orders_completed", "net_revenue"
    )
    scores = rfm.rfm_scores(buyers, as_of)
    clv_scores, clv_report, clv_summary = _clv(orders, as_of, settings)
    profile = (
        features.join(golden, "customer_id", how="left")
        .join(_consent(att), "customer_id", how="left")
        .join(stage, "customer_id", how="left")
        .join(scores, "customer_id", how="left")
        .join(clv_scores, "customer_id", how="left")
    )
    # One final projection: every derived column at once (each DataFrame step re-analyses the whole plan).
    derived = {
        **_health(profile, as_of, settings),
        **{name: F.round(F.col(name), MONEY_DIGITS) for name in MONEY_COLUMNS},
        "clv_historic": F.round(F.col("net_revenue"), MONEY_DIGITS),
        **{name: F.round(F.col(name), RATE_DIGITS) for name in RATE_COLUMNS},
        **{
            name: F.coalesce(F.col(name), F.lit(False))
            for name in ("email_consent", "sms_consent", "unsubscribed")
        },
        "as_of": F.lit(as_of),
        "run_id": F.lit(run_id),
    }
    columns = [
        (derived[c.name] if c.name in derived else F.col(c.name)).cast(c.dtype).alias(c.name)
        for c in CUSTOMER_PROFILE.columns
    ]
    profile = profile.select(*columns)
    unattributed = attribution.unattributed_counts(att)
    return profile, {
        "clv": clv_report,
        "unattributed": unattributed,
        "cached": [orders, customers, att, clv_summary],
    }


def history_frame(lake: Lake, profile: DataFrame, *, as_of: dt.date, run_id: str) -> DataFrame:
    """The stage history as it should be published after this build.

    The published transitions of every other as-of date, plus this build's: customers whose stage differs
    from their latest one published before ``as_of`` (or who have none). Rebuilding a date replaces its
    transitions, and a day without any transition still stages the history (never an empty table).
    """
    table = CUSTOMER_LIFECYCLE_HISTORY.name
    current = profile.select("customer_id", "stage", "stage_since", F.col("stage_reasons").alias("reasons"))
    published = lake.read(table) if lake.exists(table) else None
    if published is not None:
        latest = Window.partitionBy("customer_id").orderBy(F.col("as_of").desc())
        before = (
            published.filter(F.col("as_of") < F.lit(as_of))
            .withColumn("_rank", F.row_number().over(latest))
            .filter(F.col("_rank") == 1)
            .select("customer_id", F.col("stage").alias("previous_stage"))
        )
        current = current.join(before, "customer_id", how="left")
    else:
        current = current.withColumn("previous_stage", F.lit(None).cast("string"))
    changed = current.filter(~F.col("stage").eqNullSafe(F.col("previous_stage")))
    transitions = _conform(
        changed.withColumns({"as_of": F.lit(as_of), "run_id": F.lit(run_id)}), CUSTOMER_LIFECYCLE_HISTORY
    )
    if published is None:
        return transitions
    kept = _conform(published.filter(F.col("as_of") != F.lit(as_of)), CUSTOMER_LIFECYCLE_HISTORY)
    return kept.unionByName(transitions)


def _stage(lake: Lake, table: TableSchema, df: DataFrame, run_id: str) -> int:
    name = staging_name(table.name)
    lake.create(name, table.spark_schema, description=f"Staging copy of {table.name}: {table.description}")
    return lake.overwrite(name, df, metadata={"run_id": run_id})


def build(
    spark: SparkSession, settings: Settings, lake: Lake, *, as_of: dt.date, run_id: str
) -> ProfileReport:
    """Build every gold table into its staging table for ``as_of``; returns what was built.

    Writes ``staging_customer_profile`` and ``staging_customer_lifecycle_history`` (overwritten); never the
    published gold tables (see ``jobs.gold.publish``).
    """
    started = time.perf_counter()
    report = ProfileReport(run_id=run_id, as_of=as_of)
    with console.status(f"Building customer profiles as of {as_of}..."):
        profile, extra = profile_frame(spark, settings, lake, as_of=as_of, run_id=run_id)
        profile = profile.persist(CACHE)
        extra["cached"].append(profile)
        _stage(lake, CUSTOMER_PROFILE, profile, run_id)
        staged = profile
        history = history_frame(lake, staged, as_of=as_of, run_id=run_id)
        _stage(lake, CUSTOMER_LIFECYCLE_HISTORY, history, run_id)
        counts = staged.groupBy("stage", "rfm_segment").agg(F.count(F.lit(1)).alias("n")).collect()
        for row in counts:
            report.stages[row["stage"]] = report.stages.get(row["stage"], 0) + int(row["n"])
            if row["rfm_segment"] is not None:
                report.segments[row["rfm_segment"]] = report.segments.get(row["rfm_segment"], 0) + int(
                    row["n"]
                )
        report.stages = dict(sorted(report.stages.items()))
        report.segments = dict(sorted(report.segments.items()))
        # One pass over the staged history: all its rows, and this as-of date's transitions.
        (history_rows, transitions), *_ = (
            lake.read(staging_name(CUSTOMER_LIFECYCLE_HISTORY.name))
            .agg(F.count(F.lit(1)), F.count_if(F.col("as_of") == F.lit(as_of)))
            .collect()
        )
        report.rows = {
            CUSTOMER_PROFILE.name: sum(report.stages.values()),
            CUSTOMER_LIFECYCLE_HISTORY.name: int(history_rows),
        }
        report.transitions = int(transitions)
        report.unattributed = extra["unattributed"]
        report.clv = extra["clv"]
        for cached in extra["cached"]:
            cached.unpersist()
    report.seconds = time.perf_counter() - started
    return report
