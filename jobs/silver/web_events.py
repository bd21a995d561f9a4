"""``silver_web_events``: clickstream with business dates."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from infra.settings import Settings
from jobs.silver.common import SilverJob, business_date
from schemas.landing import WEB_APP_EVENTS
from schemas.silver import SILVER_WEB_EVENTS


def transform(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze web and app events -> events with a business date."""
    return df.withColumn("event_date", business_date(F.col("occurred_at"), settings.timezone))


JOB = SilverJob(SILVER_WEB_EVENTS, ((WEB_APP_EVENTS, transform),))
