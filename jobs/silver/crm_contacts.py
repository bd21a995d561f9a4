"""``silver_crm_contacts``: the latest version of each CRM contact, standardised."""

from __future__ import annotations

from pyspark.sql import DataFrame

from infra.settings import Settings
from jobs.silver.common import SilverJob, address, email, local_to_utc, name, phone, standardise
from schemas.landing import CRM_CONTACTS
from schemas.silver import SILVER_CRM_CONTACTS


def transform(df: DataFrame, settings: Settings) -> DataFrame:
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


JOB = SilverJob(SILVER_CRM_CONTACTS, ((CRM_CONTACTS, transform),), key="contact_id")
