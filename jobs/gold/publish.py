"""Publishing: the staged gold tables become the published ones, once the run's gold gate has passed.

Each published table is created with the change data feed on and made to hold exactly what was staged
with :meth:`Lake.sync`, which commits only rows that really changed: publishing the same data twice leaves
every version unchanged, and downstream tools reading the change feed see only real changes.

``customer_profile`` follows its staging table (the run and as-of columns alone do not count as a change).
``customer_lifecycle_history`` accumulates: its staging table already holds the published transitions of
other as-of dates plus the run's (see ``jobs.gold.profiles.history_frame``), and publishing checks that it
drops none of them, so a rerun of a date replaces that date's transitions and never duplicates them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from infra.errors import UserFacingError
from infra.runs import StepReport
from infra.settings import Settings
from infra.storage import Lake
from schemas.core import TableSchema
from schemas.gold import CUSTOMER_LIFECYCLE_HISTORY, CUSTOMER_PROFILE, GOLD_TABLES, staging_name

# Columns saying which build wrote a row; a change in them alone is not a change of the row.
RUN_COLUMNS = ("as_of", "run_id")


class PublishBlockedError(UserFacingError):
    """The run's gold quality gate has not passed, so nothing may be published."""


@dataclass(frozen=True)
class PublishReport(StepReport):
    """The run and date published, and the version of each published gold table."""

    run_id: str
    as_of: dt.date
    versions: dict[str, int]


def publish(
    spark: SparkSession, settings: Settings, lake: Lake, *, as_of: dt.date, run_id: str
) -> PublishReport:
    """Copy every staged gold table to its published table.

    Raises:
        PublishBlockedError: the gold quality gate of ``run_id`` did not pass (or never ran), or a
            staging table is missing.
    """
    from quality import gates

    if not gates.passed(lake, run_id, "gold"):
        raise PublishBlockedError(
            f"Not publishing run {run_id}: its gold quality gate has not passed. Run "
            f"`cdp quality run --layer gold --as-of {as_of} --run-id {run_id}` and fix the failed "
            "critical expectations listed in the quality_results table first."
        )
    missing = [staging_name(t.name) for t in GOLD_TABLES if not lake.exists(staging_name(t.name))]
    if missing:
        raise PublishBlockedError(
            f"Not publishing run {run_id}: staging table(s) {', '.join(missing)} do not exist; run "
            f"`cdp profile build --as-of {as_of}` first."
        )
    versions = {}
    for table in GOLD_TABLES:
        staged = lake.read(staging_name(table.name))
        if table.name == CUSTOMER_LIFECYCLE_HISTORY.name:
            staged = _accumulated(lake, staged, as_of)
        versions[table.name] = _sync(lake, table, staged, run_id)
    return PublishReport(run_id=run_id, as_of=as_of, versions=versions)


def _accumulated(lake: Lake, staged: DataFrame, as_of: dt.date) -> DataFrame:
    """The published history with the run's as-of date replaced by the staged transitions.

    The staging table normally holds exactly that already; transitions published since the build (or
    staged by an older build) are kept rather than deleted.
    """
    table = CUSTOMER_LIFECYCLE_HISTORY.name
    mine = staged.filter(F.col("as_of") == F.lit(as_of))
    if not lake.exists(table):
        return mine
    kept = lake.read(table).filter(F.col("as_of") != F.lit(as_of))
    return kept.unionByName(mine)


def _sync(lake: Lake, table: TableSchema, df: DataFrame, run_id: str) -> int:
    lake.create(table.name, table.spark_schema, properties=table.properties, description=table.description)
    ignored = (
        [c for c in RUN_COLUMNS if c not in table.primary_key] if table is CUSTOMER_PROFILE else ["run_id"]
    )
    return lake.sync(
        table.name,
        df.select(*table.column_names),
        list(table.primary_key),
        ignore_changes_in=ignored,
        properties=table.properties,
        metadata={"run_id": run_id},
    )
