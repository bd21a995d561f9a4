"""``silver_email_events``: email engagement with the recipient address normalised."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from infra.settings import Settings
from jobs.silver.common import SilverJob, business_date, email, standardise
from schemas.landing import EMAIL_ENGAGEMENT
from schemas.silver import SILVER_EMAIL_EVENTS


def transform(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze email engagement -> events with standardised emails and a business date."""
    df = standardise(df, email("email"))
    return df.withColumn("event_date", business_date(F.col("occurred_at"), settings.timezone))


JOB = SilverJob(SILVER_EMAIL_EVENTS, ((EMAIL_ENGAGEMENT, transform),))
