"""The pipeline's steps as plain functions: what Airflow tasks, ``cdp demo`` and the benchmarks call.

Each step takes the settings and the run's identity (``run_id`` and the business date ``as_of``, which
selects the landing batch), opens the shared Spark session itself, and returns a small JSON-serialisable
summary (Airflow keeps it as the task's XCom). Every step is idempotent: running it again for the same
date leaves the tables as they were.

Gold tables are built into staging tables first (``build_profiles``), validated (``check`` with layer
``gold``) and copied to the published tables by ``publish`` only when that run's gold gate passed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from infra.settings import Settings

_SESSIONS: dict[str, Any] = {}

LAYERS = ("bronze", "silver", "identity", "gold")


def spark_and_lake(settings: Settings) -> tuple[Any, Any]:
    """The process-wide Spark session for these settings and a :class:`~infra.storage.Lake` on it."""
    from infra.spark import build_spark
    from infra.storage import Lake

    key = f"{settings.spark.master}|{settings.paths.lake}"
    if key not in _SESSIONS:
        _SESSIONS[key] = build_spark(settings)
    spark = _SESSIONS[key]
    return spark, Lake.from_settings(spark, settings)


def ingest(
    settings: Settings, *, as_of: dt.date | None, run_id: str, channels: list[str] | None = None
) -> dict[str, Any]:
    """Ingest the landing batch of ``as_of`` (every new batch when None) for the given channels."""
    from jobs import bronze

    spark, lake = spark_and_lake(settings)
    report = bronze.run(spark, settings, lake, channels=channels, batch=as_of, run_id=run_id)
    return {
        "files": sum(feed.files for feed in report.feeds),
        "rows_in": report.rows_in,
        "rows_bronze": report.rows_bronze,
        "rows_quarantined": report.rows_quarantined,
        "reasons": dict(report.reasons),
    }


def standardise(settings: Settings, *, as_of: dt.date | None, run_id: str) -> dict[str, Any]:
    """Standardise bronze into silver: the batch of ``as_of`` merged in, or everything rebuilt when None."""
    from jobs import standardise as silver

    spark, lake = spark_and_lake(settings)
    report = silver.run(spark, settings, lake, batches=[as_of] if as_of else None, run_id=run_id)
    return {"rows": report.rows, "versions": report.versions}


def resolve(
    settings: Settings, *, as_of: dt.date, run_id: str, full_rebuild: bool = False, charts: bool = True
) -> dict[str, Any]:
    """Resolve identities over silver's person records and publish the identity tables."""
    from identity import resolve as identity_resolve

    spark, lake = spark_and_lake(settings)
    report = identity_resolve.run(
        spark, settings, lake, run_id=run_id, as_of=as_of, full_rebuild=full_rebuild, charts=charts
    )
    return {
        "mode": report.mode,
        "model_version": report.model_version,
        "records": report.records,
        "customers": report.customers,
        "merges": report.merges,
        "splits": report.splits,
        "largest_cluster": report.largest_cluster,
        "versions": report.versions,
        "seconds": round(report.seconds, 1),
    }


def evaluate_identity(settings: Settings, *, run_id: str) -> dict[str, Any] | None:
    """Score the identity graph against the generator's truth when it is present; None otherwise."""
    from identity import evaluate

    if not evaluate.truth_file(settings).is_file():
        return None
    spark, lake = spark_and_lake(settings)
    return dict(evaluate.evaluate(spark, settings, lake, run_id=run_id))


def check(settings: Settings, *, layer: str, as_of: dt.date, run_id: str) -> dict[str, Any]:
    """Run the quality checkpoint of one layer; raises when a critical expectation fails."""
    from quality import gates

    spark, lake = spark_and_lake(settings)
    result = gates.run_layer(spark, settings, lake, layer, run_id=run_id, as_of=as_of)
    return result.summary()


def build_profiles(settings: Settings, *, as_of: dt.date, run_id: str) -> dict[str, Any]:
    """Build the unified profiles and lifecycle tags into the gold staging tables."""
    from jobs import profiles

    spark, lake = spark_and_lake(settings)
    return profiles.build(spark, settings, lake, as_of=as_of, run_id=run_id).summary()


def publish(settings: Settings, *, as_of: dt.date, run_id: str) -> dict[str, Any]:
    """Publish the staged gold tables, only if this run's gold quality gate passed."""
    from jobs import publish as gold_publish

    spark, lake = spark_and_lake(settings)
    return gold_publish.publish(spark, settings, lake, as_of=as_of, run_id=run_id)


def train_identity(settings: Settings, *, promote: str = "if-better") -> dict[str, Any]:
    """Train a new identity model, score it, and promote it if it is not worse than the current one."""
    from identity import training

    spark, lake = spark_and_lake(settings)
    result = training.train(spark, settings, lake, promote=promote)  # type: ignore[arg-type]
    return {
        "version": result.version,
        "score": result.score,
        "previous_version": result.previous_version,
        "previous_score": result.previous_score,
        "promoted": result.promoted,
    }
