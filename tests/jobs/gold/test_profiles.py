"""Profiles end to end on the generated sample: one row per customer, determinism, truth agreement, publish."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from identity import resolve
from infra.settings import Settings
from infra.storage import Lake
from jobs.gold import evaluation, profiles, publish
from jobs.gold.evaluation import truth_period_end
from quality import gates
from schemas.gold import CUSTOMER_LIFECYCLE_HISTORY, CUSTOMER_PROFILE, LIFECYCLE_EVALUATION, staging_name
from tests.conftest import copy_home

PROFILE = CUSTOMER_PROFILE.name
HISTORY = CUSTOMER_LIFECYCLE_HISTORY.name


def snapshot(df: DataFrame) -> list[tuple[Any, ...]]:
    """Every row without the run id, sorted: two builds compare equal only if all values are equal."""
    columns = [c for c in df.columns if c != "run_id"]
    return sorted(tuple(r) for r in df.select(*columns).collect())


@dataclass
class Built:
    settings: Settings
    lake: Lake
    as_of: dt.date
    past: dt.date
    past_profile: list[tuple[Any, ...]]
    past_history: list[tuple[Any, ...]]
    report: profiles.ProfileReport


@pytest.fixture(scope="module")
def built(sample_home: Path, tmp_path_factory: pytest.TempPathFactory, spark: SparkSession) -> Built:
    settings = copy_home(sample_home, tmp_path_factory.mktemp("profiles") / "home")
    lake = Lake.from_settings(spark, settings)
    resolve.run(spark, settings, lake, run_id="identity-1", charts=False)
    as_of = truth_period_end(settings.paths.truth)
    assert as_of is not None
    past = as_of - dt.timedelta(days=75)
    profiles.build(spark, settings, lake, as_of=past, run_id="past-1")
    past_profile = snapshot(lake.read(staging_name(PROFILE)))
    past_history = snapshot(lake.read(staging_name(HISTORY)).filter(F.col("as_of") == F.lit(past)))
    report = profiles.build(spark, settings, lake, as_of=as_of, run_id="run-1")
    return Built(settings, lake, as_of, past, past_profile, past_history, report)


def gate_row(run_id: str, as_of: dt.date, *, success: bool) -> dict[str, Any]:
    """One quality_results row of a gold gate run, as the gate records it."""
    return {"run_id": run_id, "layer": "gold", "table_name": staging_name(PROFILE), "suite": "gold.test",
            "expectation": "expect_column_values_to_not_be_null", "rule": "not_null", "severity": "critical",
            "success": success, "as_of": as_of, "validated_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}  # fmt: skip


def pass_gold_gate(spark: SparkSession, lake: Lake, run_id: str, as_of: dt.date) -> None:
    gates.store_results(spark, lake, [gate_row(run_id, as_of, success=True)], run_id=run_id, layer="gold")


def test_one_row_per_active_customer(built: Built) -> None:
    lake = built.lake
    staged = lake.read(staging_name(PROFILE))
    active = {r.customer_id for r in lake.read("customer_ids").filter("status = 'active'").collect()}
    ids = [r.customer_id for r in staged.select("customer_id").collect()]
    assert len(ids) == len(set(ids)) == len(active)
    assert set(ids) == active
    assert staged.filter(F.col("as_of") != F.lit(built.as_of)).count() == 0
    # Every customer starts with a transition into its first stage.
    assert lake.read(staging_name(HISTORY)).count() == len(ids)


def test_summary_counts(built: Built) -> None:
    summary = built.report.to_dict()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["rows"][PROFILE] == sum(summary["stages"].values())
    assert set(summary["unattributed"]) >= {"silver_orders", "silver_web_events", "silver_email_events"}
    # Till receipts without card or phone reach nobody: they are counted, not dropped.
    assert summary["unattributed"]["silver_orders"] > 0
    clv = summary["clv"]
    assert clv["evaluated"] and clv["model_orders_mae"] is not None and clv["baseline_orders_mae"] is not None
    # The build never reads the generator's truth: evaluation is a step of its own.
    assert not built.lake.exists(LIFECYCLE_EVALUATION.name) or (
        built.lake.read(LIFECYCLE_EVALUATION.name).filter(F.col("run_id") == "run-1").count() == 0
    )


def test_stage_evaluation_against_truth_replaces_its_date(spark: SparkSession, built: Built) -> None:
    first = evaluation.evaluate_staged(spark, built.settings, built.lake, as_of=built.as_of, run_id="eval-1")
    assert first is not None and first.truth_date == built.as_of.isoformat()
    # A regression floor well under the benchmark's.
    assert first.agreement >= 0.9
    second = evaluation.evaluate_staged(spark, built.settings, built.lake, as_of=built.as_of, run_id="eval-2")
    assert second is not None and second.to_dict() == first.to_dict()
    stored = built.lake.read(LIFECYCLE_EVALUATION.name).filter(F.col("as_of") == F.lit(built.as_of))
    # One copy of the matrix for the date, from the latest evaluation.
    assert {r.run_id for r in stored.select("run_id").distinct().collect()} == {"eval-2"}
    assert stored.agg(F.sum("customers")).collect()[0][0] == first.people


def test_publish_is_refused_without_a_passed_gold_gate(spark: SparkSession, built: Built) -> None:
    with pytest.raises(publish.PublishBlockedError, match="gold quality gate"):
        publish.publish(spark, built.settings, built.lake, as_of=built.as_of, run_id="run-1")
    assert not built.lake.exists(PROFILE)
    failed = gate_row("run-1", built.as_of, success=False)
    gates.store_results(spark, built.lake, [failed], run_id="run-1", layer="gold")
    with pytest.raises(publish.PublishBlockedError):
        publish.publish(spark, built.settings, built.lake, as_of=built.as_of, run_id="run-1")


def test_publish_copies_staging_and_a_second_publish_commits_nothing(
    spark: SparkSession, built: Built
) -> None:
    lake = built.lake
    pass_gold_gate(spark, lake, "run-1", built.as_of)
    versions = publish.publish(spark, built.settings, lake, as_of=built.as_of, run_id="run-1").versions
    assert set(versions) == {PROFILE, HISTORY}
    for table in (PROFILE, HISTORY):
        assert lake.properties(table).get("delta.enableChangeDataFeed") == "true"
        assert snapshot(lake.read(table)) == snapshot(lake.read(staging_name(table)))
    again = publish.publish(spark, built.settings, lake, as_of=built.as_of, run_id="run-1")
    assert again.versions == versions


def test_past_as_of_recomputed_gives_the_same_answer(spark: SparkSession, built: Built) -> None:
    """The past date again, after a later date was built and published: identical staging rows."""
    lake = built.lake
    profiles.build(spark, built.settings, lake, as_of=built.past, run_id="past-2")
    assert snapshot(lake.read(staging_name(PROFILE))) == built.past_profile
    staged_history = lake.read(staging_name(HISTORY))
    assert snapshot(staged_history.filter(F.col("as_of") == F.lit(built.past))) == built.past_history
    # The staged history also holds the later date's published transitions.
    assert {r.as_of for r in staged_history.select("as_of").distinct().collect()} == {built.past, built.as_of}
    # Publishing the past date adds its transitions to the history and keeps the later date's.
    pass_gold_gate(spark, lake, "past-2", built.past)
    publish.publish(spark, built.settings, lake, as_of=built.past, run_id="past-2")
    dates = {r.as_of: r.n for r in lake.read(HISTORY).groupBy("as_of").agg(F.count("*").alias("n")).collect()}
    assert set(dates) == {built.past, built.as_of}
    version = lake.version(HISTORY)
    publish.publish(spark, built.settings, lake, as_of=built.past, run_id="past-2")
    assert lake.version(HISTORY) == version
    keys = lake.read(HISTORY).groupBy("customer_id", "as_of").count().filter("count > 1")
    assert keys.count() == 0
