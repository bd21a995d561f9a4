"""``cdp identity train``: train a new model version, score it, and promote it when it is not worse.

A candidate is scored by resolving all records with it (nothing is published). A production deployment has
no ground truth, so the score is a proxy: the share of rule-linked pairs the model links on its own (it
should agree with the identifiers) minus the share of its links that join records known to be different
people. Accuracy against a truth is measured apart (``cdp identity evaluate``, the benchmarks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pyspark.sql import SparkSession

from identity import charts as identity_charts
from identity import inputs, models, resolve
from identity.backends import SplinkRunner
from identity.matching import TrainedModel
from infra.runs import StepReport
from infra.settings import Settings
from infra.storage import Lake

log = logging.getLogger(__name__)
PromotionPolicy = Literal["if-better", "always", "never"]


@dataclass(frozen=True)
class TrainingResult(StepReport):
    """The new version, its scores, the current version's scores, and whether it was promoted."""

    version: str
    score: float
    metrics: dict[str, float]
    previous_version: str | None
    previous_score: float | None
    promoted: bool


def train(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    *,
    promote: PromotionPolicy = "if-better",
    spark_factory: Callable[[], SparkSession] | None = None,
) -> TrainingResult:
    """Train, score and (maybe) promote a model version; see the module docstring."""
    con = inputs.connect(settings)
    try:
        inputs.load(con, lake)
        runner = SplinkRunner(settings, con, spark_factory or (lambda: spark))
        model = runner.train(models.next_version(settings))
        models.save(settings, model)
        metrics = score_model(con, settings, runner, model, lake)
        models.write_metrics(settings, model.version, metrics)
        try:
            identity_charts.model_charts(settings, con, model)
        except Exception as exc:  # noqa: BLE001 - charts are a view; a failure is reported, not fatal
            log.warning("Model charts were not written: %s: %s", type(exc).__name__, exc)
        current = models.current_version(settings)
        previous_score = None
        if current is not None and current != model.version:
            stored = models.metrics_of(settings, current)
            if stored is None:
                stored = score_model(con, settings, runner, models.load(settings, current), lake)
                models.write_metrics(settings, current, stored)
            previous_score = float(stored["score"])
    finally:
        con.close()
    score = float(metrics["score"])
    promoted = promote == "always" or (
        promote == "if-better" and (previous_score is None or score >= previous_score)
    )
    if promoted:
        models.promote(settings, model.version)
    return TrainingResult(model.version, score, metrics, current, previous_score, promoted)


def score_model(
    con: Any, settings: Settings, runner: SplinkRunner, model: TrainedModel, lake: Lake
) -> dict[str, float]:
    """Resolve every record with ``model`` (a full, unpublished run) and score the result."""
    con.execute(
        "create or replace table prev_graph (record_key varchar, customer_id varchar, record_hash varchar)"
    )
    report = resolve.ResolveReport(run_id="candidate", mode="full", model_version=model.version)
    resolve.resolve_in(con, settings, runner, model, lake, report)
    con.execute("create or replace table graph as select record_key, customer_id from assigned")
    metrics: dict[str, float] = {}
    rule_recall, conflict_rate = con.execute(
        f"""
        select
            (select coalesce(avg(case when s.match_probability >= {settings.identity.match_threshold}
                                      then 1.0 else 0.0 end), 1.0)
             from rule_pairs r left join scored_pairs s using (record_key_l, record_key_r)),
            (select coalesce(avg(case when conflict(l.given, l.given_raw, l.family, l.dob, l.chinese_name,
                                                     l.given_aliases, r.given, r.given_raw, r.family,
                                                     r.dob, r.chinese_name, r.given_aliases)
                                      then 1.0 else 0.0 end), 0.0)
             from edges e join records l on l.record_key = e.record_key_l
             join records r on r.record_key = e.record_key_r
             where e.is_linked and e.method = 'probabilistic')
        """
    ).fetchall()[0]
    metrics["rule_pair_recall"] = float(rule_recall)
    metrics["model_conflict_rate"] = float(conflict_rate)
    metrics["score"] = float(rule_recall) - float(conflict_rate)
    metrics["customers"] = float(report.customers)
    return metrics
