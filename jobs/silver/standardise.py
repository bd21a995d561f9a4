"""The silver step: every silver job in dependency order, for some batches or for all of bronze."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark.sql import SparkSession

from infra.runs import StepReport, new_run_id
from infra.settings import Settings
from infra.storage import Lake
from jobs.silver import (
    crm_contacts,
    email_events,
    identity_links,
    loyalty_members,
    nps_responses,
    orders,
    person_records,
    shop_accounts,
    support_tickets,
    web_events,
)
from jobs.silver.common import SilverJob
from schemas.silver import IDENTITY_LINKS, PERSON_RECORDS, SILVER_TABLES

# In dependency order: the person records and identity links are derived from these tables.
BATCH_JOBS: tuple[SilverJob, ...] = tuple(
    module.JOB
    for module in (
        crm_contacts,
        shop_accounts,
        loyalty_members,
        support_tickets,
        orders,
        web_events,
        email_events,
        nps_responses,
    )
)


@dataclass
class StandardiseReport(StepReport):
    """The batches merged (None: rebuilt from all of bronze), rows per silver table, versions written."""

    run_id: str
    batches: list[dt.date] | None = None
    rows: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    batches: Sequence[dt.date] | None = None,
    run_id: str | None = None,
) -> StandardiseReport:
    """Standardise bronze into silver: the given batches (merged in), or everything (rebuilt)."""
    run_id = run_id or new_run_id("standardise")
    report = StandardiseReport(run_id=run_id, batches=None if batches is None else sorted(batches))
    for job in BATCH_JOBS:
        version = job.run(settings, lake, batches, run_id)
        if version >= 0:
            report.versions[job.table.name] = version
    for derived, table in ((person_records, PERSON_RECORDS), (identity_links, IDENTITY_LINKS)):
        version = derived.run(spark, settings, lake, run_id)
        if version >= 0:
            report.versions[table.name] = version
    counts = {t.name: t.rows for t in lake.tables()}
    report.rows = {t.name: counts[t.name] or 0 for t in SILVER_TABLES if t.name in counts}
    return report
