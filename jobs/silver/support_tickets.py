"""``silver_support_tickets``: the latest version of each ticket, requester standardised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from infra.settings import Settings
from infra.storage import Lake
from jobs.silver.common import email, local_to_utc, name, phone, standardise
from jobs.silver.entities import publish_entities
from schemas.bronze import bronze_name
from schemas.landing import SUPPORT_TICKETS
from schemas.silver import SILVER_SUPPORT_TICKETS


def transform(df: DataFrame) -> DataFrame:
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


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    batches: Sequence[dt.date] | None = None,
    run_id: str = "",
) -> int:
    """Write ``silver_support_tickets`` from bronze (all of it, or merge the given batches)."""
    return publish_entities(
        lake,
        SILVER_SUPPORT_TICKETS,
        bronze_name(SUPPORT_TICKETS.feed),
        "ticket_id",
        transform,
        batches,
        run_id,
    )
