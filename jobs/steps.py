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
from collections.abc import Iterable, Mapping
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
    from jobs.bronze import ingest as bronze

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
    from jobs.silver import standardise as silver

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
    from jobs.gold import profiles

    spark, lake = spark_and_lake(settings)
    return profiles.build(spark, settings, lake, as_of=as_of, run_id=run_id).summary()


def publish(settings: Settings, *, as_of: dt.date, run_id: str) -> dict[str, Any]:
    """Publish the staged gold tables, only if this run's gold quality gate passed."""
    from jobs.gold.publish import publish as publish_gold

    spark, lake = spark_and_lake(settings)
    return publish_gold(spark, settings, lake, as_of=as_of, run_id=run_id)


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


def channels(settings: Settings) -> list[str]:
    """The landing channels, in contract order: what the daily DAG's ingest tasks are mapped over."""
    from schemas.landing import CHANNELS

    return list(CHANNELS)


def ingest_pending(
    settings: Settings, *, as_of: dt.date, run_id: str, channels: list[str] | None = None
) -> dict[str, Any]:
    """Ingest every landing batch dated on or before ``as_of`` that holds files not ingested yet.

    The batch of ``as_of`` itself, and any earlier one still pending: the history on a fresh home, a
    day whose run was skipped, a late delivery. Batches dated after ``as_of`` are left for their own
    run, so a backfill of an old date never reads ahead. ``batches`` in the result lists the dates read.
    """
    from jobs.bronze import ingest as bronze
    from jobs.bronze.landing_files import discover
    from schemas.bronze import INGEST_MANIFEST

    spark, lake = spark_and_lake(settings)
    seen: set[str] = set()
    if lake.exists(INGEST_MANIFEST.name):
        seen = set(lake.read_arrow(INGEST_MANIFEST.name, ["source_file"]).column("source_file").to_pylist())
    files = discover(settings.paths.landing, channels)
    pending = {f.batch_date for f in files if f.relative_path not in seen}
    due = sorted(day for day in pending if day <= as_of)
    reports = [
        bronze.run(spark, settings, lake, channels=channels, batch=batch, run_id=run_id)
        for batch in ingest_passes(pending, as_of)
    ]
    reasons: dict[str, int] = {}
    for report in reports:
        for reason, count in report.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    return {
        "batches": [day.isoformat() for day in due],
        "files": sum(feed.files for report in reports for feed in report.feeds),
        "rows_in": sum(report.rows_in for report in reports),
        "rows_bronze": sum(report.rows_bronze for report in reports),
        "rows_quarantined": sum(report.rows_quarantined for report in reports),
        "reasons": reasons,
    }


def standardise_pending(
    settings: Settings, *, as_of: dt.date, run_id: str, since: dt.datetime | None
) -> dict[str, Any]:
    """Standardise into silver every batch ingested at or after ``since``, plus the batch of ``as_of``.

    ``since`` is when the previous successful pipeline run started: everything ingested before then was
    standardised by that run or an earlier one, so the batches ingested since (by this run, or by runs
    that failed in between) are the ones still to merge (see :func:`standardise_batches`). Without
    ``since`` (no run has succeeded yet) silver is rebuilt from all of bronze.
    """
    from jobs.silver import standardise as silver
    from schemas.bronze import INGEST_MANIFEST

    spark, lake = spark_and_lake(settings)
    manifest = []
    if lake.exists(INGEST_MANIFEST.name):
        manifest = lake.read_arrow(INGEST_MANIFEST.name, ["batch_date", "ingested_at"]).to_pylist()
    batches = standardise_batches(manifest, as_of=as_of, since=since)
    report = silver.run(spark, settings, lake, batches=batches, run_id=run_id)
    return {
        "batches": "all" if batches is None else [day.isoformat() for day in batches],
        "rows": report.rows,
        "versions": report.versions,
    }


def ingest_passes(pending: Iterable[dt.date], as_of: dt.date) -> list[dt.date | None]:
    """The ``batch`` argument of each ``jobs.bronze.run`` call ingesting the batches pending by ``as_of``.

    One pass over everything pending (``[None]``) is far cheaper than one call per day, and is used
    whenever no pending batch lies after ``as_of``; otherwise one call per due date.

    Example:
        >>> d = dt.date(2024, 1, 1)
        >>> ingest_passes([d, d + dt.timedelta(days=1)], d + dt.timedelta(days=1))
        [None]
        >>> ingest_passes([d, d + dt.timedelta(days=1)], d)
        [datetime.date(2024, 1, 1)]
    """
    pending = set(pending)
    due = sorted(day for day in pending if day <= as_of)
    if not due:
        return []
    return [None] if len(due) == len(pending) else list(due)


def standardise_batches(
    manifest: Iterable[Mapping[str, Any]], *, as_of: dt.date, since: dt.datetime | None
) -> list[dt.date] | None:
    """The batches to merge into silver, from the ingest manifest's ``batch_date`` and ``ingested_at``.

    Every batch with a file ingested at or after ``since`` (less an hour of slack for clocks that differ
    between machines; merging a batch twice changes nothing), plus ``as_of``'s own batch. None, meaning
    "rebuild silver from all of bronze", when there is no ``since``.
    """
    if since is None:
        return None
    cutoff = since - dt.timedelta(hours=1)
    batches = {as_of}
    for row in manifest:
        ingested = row["ingested_at"]
        if ingested.tzinfo is None:  # stored in UTC
            ingested = ingested.replace(tzinfo=dt.UTC)
        if ingested >= cutoff:
            batches.add(row["batch_date"])
    return sorted(batches)


def compare_identity_model(settings: Settings, *, version: str) -> dict[str, Any]:
    """A trained model version's stored score next to the current version's, and whether it is not worse."""
    from identity import models

    metrics = models.metrics_of(settings, version)
    if metrics is None:
        raise models.ModelNotFoundError(
            f"Identity model {version} has no scores under {models.model_root(settings)}; "
            "train it with `cdp identity train` or the cdp_identity_training DAG."
        )
    current = models.current_version(settings)
    if current == version:
        current = None
    current_metrics = models.metrics_of(settings, current) if current else None
    score = float(metrics["score"])
    current_score = float(current_metrics["score"]) if current_metrics else None
    # A current model whose score is unknown cannot be shown to be worse, so it stays.
    not_worse = current is None or (current_score is not None and score >= current_score)
    return {
        "version": version,
        "score": score,
        "current_version": current,
        "current_score": current_score,
        "not_worse": not_worse,
    }


def promote_identity(settings: Settings, *, version: str) -> dict[str, Any]:
    """Make a trained model version the one identity resolution uses."""
    from identity import models

    previous = models.current_version(settings)
    models.promote(settings, version)
    return {"version": version, "previous_version": previous}
