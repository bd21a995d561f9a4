"""``silver_web_events``: clickstream with business dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from infra.settings import Settings
from infra.storage import Lake
from jobs.silver.common import business_date, read_bronze
from jobs.silver.events import publish_events
from schemas.bronze import bronze_name
from schemas.landing import WEB_APP_EVENTS
from schemas.silver import SILVER_WEB_EVENTS


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    batches: Sequence[dt.date] | None = None,
    run_id: str = "",
) -> int:
    """Write ``silver_web_events`` for some batches (or all); -1 when there is no bronze yet."""
    bronze = read_bronze(lake, bronze_name(WEB_APP_EVENTS.feed), batches)
    if bronze is None:
        return -1
    df = bronze.withColumn("event_date", business_date(F.col("occurred_at"), settings.timezone))
    return publish_events(lake, SILVER_WEB_EVENTS, df, batches, run_id)
