"""``silver_support_tickets``: the latest version of each ticket, requester standardised."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from infra.settings import Settings
from jobs.silver.common import SilverJob, email, local_to_utc, name, phone, standardise
from schemas.landing import SUPPORT_TICKETS
from schemas.silver import SILVER_SUPPORT_TICKETS


def transform(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze ticket rows -> standardised tickets (times to UTC from the desk's zone)."""
    tz = SUPPORT_TICKETS.timezone
    df = standardise(
        df,
        name(full="requester_name"),
        email("requester_email"),
        phone("requester_phone", SUPPORT_TICKETS.phone_region),
    )
    return df.withColumns(
        {
            "opened_at": local_to_utc("opened_at", tz),
            "updated_at": local_to_utc("updated_at", tz),
            "is_open": F.col("status").isin("open", "pending"),
        }
    )


JOB = SilverJob(SILVER_SUPPORT_TICKETS, ((SUPPORT_TICKETS, transform),), key="ticket_id")
