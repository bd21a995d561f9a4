"""``silver_nps_responses``: survey answers with their NPS class."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from infra.settings import Settings
from infra.storage import Lake
from jobs.silver.common import email, read_bronze, standardise
from jobs.silver.events import publish_events
from schemas.bronze import bronze_name
from schemas.landing import NPS_SURVEYS
from schemas.silver import SILVER_NPS_RESPONSES


def nps_class(score: Column) -> Column:
    """promoter (9-10), passive (7-8) or detractor (0-6)."""
    return F.when(score >= 9, "promoter").when(score >= 7, "passive").when(score >= 0, "detractor")


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    batches: Sequence[dt.date] | None = None,
    run_id: str = "",
) -> int:
    """Write ``silver_nps_responses`` for some batches (or all); -1 when there is no bronze yet."""
    bronze = read_bronze(lake, bronze_name(NPS_SURVEYS.feed), batches)
    if bronze is None:
        return -1
    df = standardise(bronze, email("email")).withColumn("nps_class", nps_class(F.col("score")))
    return publish_events(lake, SILVER_NPS_RESPONSES, df, batches, run_id)
