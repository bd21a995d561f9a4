"""The pipeline's steps: the one entry path that Airflow tasks, the ``cdp`` commands and the demo call.

Each step takes the settings and the run's identity (``run_id`` and, for batch work, the business date
``as_of``), runs on the process-wide Spark session and lake (:func:`infra.runs.runtime`), and returns a
report object that serialises itself (``to_dict``; Airflow keeps that as the task's XCom). When a step
ends, whatever its outcome, the session's caches are dropped (:func:`infra.runs.releasing`), so steps
run one after another in one process never inherit each other's cached data. Every step is
idempotent: running it again for the same date leaves the tables as they were.

Gold tables are built into staging tables first (:func:`build_profiles`), validated (:func:`check` with
layer ``gold``) and copied to the published tables by :func:`publish` only when that run's gold gate passed.

Evaluation against the generator's truth (:func:`evaluate_identity`, :func:`evaluate_lifecycle`) is not
part of a production run: the demo, the benchmarks and ``cdp ... evaluate`` call it explicitly.

Heavy packages (Spark, Splink, Great Expectations) are imported inside the steps, so DAG files that import
this module stay quick to parse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.runs import releasing, runtime
from infra.settings import Settings

if TYPE_CHECKING:
    from identity.evaluate import IdentityEvaluation
    from identity.models import ModelComparison, Promotion
    from identity.resolve import ResolveReport
    from identity.training import PromotionPolicy, TrainingResult
    from jobs.bronze.ingest import IngestReport
    from jobs.gold.evaluation import StageEvaluation
    from jobs.gold.profiles import ProfileReport
    from jobs.gold.publish import PublishReport
    from jobs.maintenance import MaintenanceReport
    from jobs.silver.standardise import StandardiseReport
    from quality.gates import GateResult


def channels(settings: Settings) -> list[str]:
    """The landing channels, in contract order: what the daily DAG's ingest tasks are mapped over."""
    from schemas.landing import CHANNELS

    return list(CHANNELS)


@releasing
def ingest(
    settings: Settings,
    *,
    run_id: str,
    as_of: dt.date | None = None,
    batch: dt.date | None = None,
    channels: Sequence[str] | None = None,
) -> IngestReport:
    """Ingest pending landing batches into bronze; bad rows go to quarantine with reason codes.

    With ``batch``, that batch alone. Otherwise every batch dated on or before ``as_of`` (every batch when
    None) that holds files not ingested yet: the batch of ``as_of`` itself and any earlier one still
    pending (the history on a fresh home, a day whose run was skipped, a late delivery). Batches dated
    after ``as_of`` are left for their own run, so a backfill of an old date never reads ahead.
    """
    from jobs.bronze import ingest as bronze
    from jobs.bronze.landing_files import discover
    from schemas.bronze import INGEST_MANIFEST

    rt = runtime(settings)
    wanted = list(channels) if channels else None
    if batch is not None:
        return bronze.run(rt.spark, settings, rt.lake, channels=wanted, batches=[batch], run_id=run_id)
    seen: set[str] = set()
    if rt.lake.exists(INGEST_MANIFEST.name):
        manifest = rt.lake.read_arrow(INGEST_MANIFEST.name, ["source_file"])
        seen = set(manifest.column("source_file").to_pylist())
    pending = {f.batch_date for f in discover(settings.paths.landing, wanted) if f.relative_path not in seen}
    batches = due_batches(pending, as_of)
    return bronze.run(rt.spark, settings, rt.lake, channels=wanted, batches=batches, run_id=run_id)


def due_batches(pending: Iterable[dt.date], as_of: dt.date | None) -> list[dt.date] | None:
    """The ``batches`` argument of the bronze run that ingests the batches pending by ``as_of``.

    None (every batch) when every pending batch is due: one pass over all files, which also finds
    ingested files edited since. Otherwise the due dates; an empty list when nothing is due.

    Example:
        >>> d = dt.date(2024, 1, 1)
        >>> due_batches([d, d + dt.timedelta(days=1)], d + dt.timedelta(days=1)) is None
        True
        >>> due_batches([d, d + dt.timedelta(days=1)], d)
        [datetime.date(2024, 1, 1)]
    """
    pending = set(pending)
    due = sorted(day for day in pending if as_of is None or day <= as_of)
    return None if due and len(due) == len(pending) else due


@releasing
def standardise(
    settings: Settings,
    *,
    run_id: str,
    as_of: dt.date | None = None,
    since: dt.datetime | None = None,
    batches: Sequence[dt.date] | None = None,
) -> StandardiseReport:
    """Standardise bronze into silver, the person records and the deterministic identity links.

    ``batches`` given: those batches are merged in. Otherwise, with ``since`` (when the previous
    successful pipeline run started), every batch ingested at or after it plus the batch of ``as_of``
    (see :func:`batches_since`): everything ingested earlier was standardised by that run. Without either,
    silver is rebuilt from all of bronze.
    """
    from jobs.silver import standardise as silver
    from schemas.bronze import INGEST_MANIFEST

    rt = runtime(settings)
    if batches is None and since is not None and as_of is not None:
        manifest: list[dict[str, Any]] = []
        if rt.lake.exists(INGEST_MANIFEST.name):
            manifest = rt.lake.read_arrow(INGEST_MANIFEST.name, ["batch_date", "ingested_at"]).to_pylist()
        batches = batches_since(manifest, as_of=as_of, since=since)
    return silver.run(rt.spark, settings, rt.lake, batches=batches, run_id=run_id)


def batches_since(
    manifest: Iterable[Mapping[str, Any]], *, as_of: dt.date, since: dt.datetime
) -> list[dt.date]:
    """The batches to merge into silver, from the ingest manifest's ``batch_date`` and ``ingested_at``.

    Every batch with a file ingested at or after ``since`` (less an hour of slack for clocks that differ
    between machines; merging a batch twice changes nothing), plus ``as_of``'s own batch.

    Example:
        >>> at = dt.datetime(2024, 3, 2, 1, tzinfo=dt.UTC)
        >>> rows = [{"batch_date": dt.date(2024, 3, 1), "ingested_at": at},
        ...         {"batch_date": dt.date(2024, 2, 1), "ingested_at": at - dt.timedelta(days=30)}]
        >>> batches_since(rows, as_of=dt.date(2024, 3, 2), since=at)
        [datetime.date(2024, 3, 1), datetime.date(2024, 3, 2)]
    """
    cutoff = since - dt.timedelta(hours=1)
    batches = {as_of}
    for row in manifest:
        ingested = row["ingested_at"]
        if ingested.tzinfo is None:  # stored in UTC
            ingested = ingested.replace(tzinfo=dt.UTC)
        if ingested >= cutoff:
            batches.add(row["batch_date"])
    return sorted(batches)


@releasing
def check(
    settings: Settings, *, layer: str, as_of: dt.date, run_id: str, raise_on_critical: bool = True
) -> GateResult:
    """Run the quality checkpoint of one layer; raises ``QualityGateError`` when a critical check fails."""
    from quality import gates

    rt = runtime(settings)
    return gates.run_layer(
        rt.spark, settings, rt.lake, layer, run_id=run_id, as_of=as_of, raise_on_critical=raise_on_critical
    )


@releasing
def resolve(
    settings: Settings, *, as_of: dt.date, run_id: str, full_rebuild: bool = False, charts: bool = True
) -> ResolveReport:
    """Resolve identities over silver's person records and publish the identity tables."""
    from identity import resolve as identity_resolve

    rt = runtime(settings)
    return identity_resolve.run(
        rt.spark, settings, rt.lake, run_id=run_id, as_of=as_of, full_rebuild=full_rebuild, charts=charts
    )


@releasing
def build_profiles(settings: Settings, *, as_of: dt.date, run_id: str) -> ProfileReport:
    """Build the unified profiles and lifecycle tags into the gold staging tables."""
    from jobs.gold import profiles

    rt = runtime(settings)
    return profiles.build(rt.spark, settings, rt.lake, as_of=as_of, run_id=run_id)


@releasing
def publish(settings: Settings, *, as_of: dt.date, run_id: str) -> PublishReport:
    """Publish the staged gold tables, only if this run's gold quality gate passed."""
    from jobs.gold.publish import publish as publish_gold

    rt = runtime(settings)
    return publish_gold(rt.spark, settings, rt.lake, as_of=as_of, run_id=run_id)


@releasing
def report(settings: Settings, *, run_id: str | None, docs: bool = True) -> Path:
    """Write the HTML run report of ``run_id`` (the latest run when None); returns its path."""
    from quality.report import build_report

    rt = runtime(settings)
    return build_report(rt.spark, settings, rt.lake, run_id=run_id, docs=docs)


@releasing
def evaluate_identity(settings: Settings, *, run_id: str, truth: Path | None = None) -> IdentityEvaluation:
    """Score the identity graph against the generator's truth (``truth/records.parquet`` by default).

    Raises ``TruthMissingError`` when there is no truth: only generated data has one.
    """
    from identity import evaluate

    rt = runtime(settings)
    return evaluate.evaluate(rt.spark, settings, rt.lake, run_id=run_id, truth=truth)


@releasing
def evaluate_lifecycle(settings: Settings, *, as_of: dt.date, run_id: str) -> StageEvaluation | None:
    """Compare the staged lifecycle stages with the generator's truth; None when the truth lacks ``as_of``."""
    from jobs.gold import evaluation

    rt = runtime(settings)
    return evaluation.evaluate_staged(rt.spark, settings, rt.lake, as_of=as_of, run_id=run_id)


@releasing
def train_identity(settings: Settings, *, promote: PromotionPolicy = "if-better") -> TrainingResult:
    """Train a new identity model, score it, and promote it if it is not worse than the current one."""
    from identity import training

    rt = runtime(settings)
    return training.train(rt.spark, settings, rt.lake, promote=promote)


@releasing
def maintain(
    settings: Settings,
    *,
    run_id: str,
    tables: Sequence[str] | None = None,
    optimize: bool = True,
    vacuum: bool = True,
    dry_run: bool = False,
) -> MaintenanceReport:
    """Compact the lake's small files and VACUUM what no recent version needs (every table by default)."""
    from jobs import maintenance

    return maintenance.run(
        settings, runtime(settings).lake, run_id=run_id, tables=tables, optimize=optimize, vacuum=vacuum,
        dry_run=dry_run,
    )  # fmt: skip


def compare_identity_model(settings: Settings, *, version: str) -> ModelComparison:
    """A trained model version's stored score next to the current version's, and whether it is not worse."""
    from identity import models

    return models.compare(settings, version)


def promote_identity(settings: Settings, *, version: str) -> Promotion:
    """Make a trained model version the one identity resolution uses."""
    from identity import models

    return models.promote(settings, version)
