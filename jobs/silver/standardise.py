"""The silver step: every silver job in dependency order, for some batches or for all of bronze."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark.sql import SparkSession

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
from schemas.silver import SILVER_TABLES

BATCH_JOBS = (
    crm_contacts,
    shop_accounts,
    loyalty_members,
    support_tickets,
    orders,
    web_events,
    email_events,
    nps_responses,
)


@dataclass
class StandardiseReport:
    """Rows per silver table after the step, and the versions written."""

    run_id: str
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
    run_id = run_id or f"standardise-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    report = StandardiseReport(run_id=run_id)
    for job in BATCH_JOBS:
        version = job.run(spark, settings, lake, batches, run_id)
        if version >= 0:
            report.versions[job.__name__.rsplit(".", 1)[-1]] = version
    for derived in (person_records, identity_links):
        version = derived.run(spark, settings, lake, run_id)
        if version >= 0:
            report.versions[derived.__name__.rsplit(".", 1)[-1]] = version
    counts = {t.name: t.rows for t in lake.tables()}
    report.rows = {t.name: counts[t.name] or 0 for t in SILVER_TABLES if t.name in counts}
    return report
