"""``silver_crm_contacts``: the latest version of each CRM contact, standardised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession

from infra.settings import Settings
from infra.storage import Lake
from jobs.silver.common import address, email, local_to_utc, name, phone, standardise
from jobs.silver.entities import publish_entities
from schemas.bronze import bronze_name
from schemas.landing import CRM_CONTACTS
from schemas.silver import SILVER_CRM_CONTACTS


def transform(df: DataFrame) -> DataFrame:
    """Bronze CRM rows -> standardised contacts (times to UTC from the CRM's zone)."""
    tz = CRM_CONTACTS.timezone
    df = standardise(
        df,
        name(full="full_name", first="first_name", last="last_name"),
        email("email"),
        phone("phone", CRM_CONTACTS.phone_region),
        address("address_line", "city", "postcode", "country_code"),
    )
    return df.withColumns(
        {"created_at": local_to_utc("created_at", tz), "updated_at": local_to_utc("updated_at", tz)}
    )


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    batches: Sequence[dt.date] | None = None,
    run_id: str = "",
) -> int:
    """Write ``silver_crm_contacts`` from bronze (all of it, or merge the given batches)."""
    return publish_entities(
        lake, SILVER_CRM_CONTACTS, bronze_name(CRM_CONTACTS.feed), "contact_id", transform, batches, run_id
    )
