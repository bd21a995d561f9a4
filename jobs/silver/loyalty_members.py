"""``silver_loyalty_members``: the latest version of each loyalty member, standardised."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from infra.settings import Settings
from jobs.silver.common import SilverJob, email, local_to_utc, name, phone, standardise
from schemas.landing import LOYALTY_MEMBERS
from schemas.silver import SILVER_LOYALTY_MEMBERS


def card_number(column: str) -> F.Column:
    """A loyalty card number as digits only, so spaced and dashed forms match."""
    digits = F.regexp_replace(F.col(column), r"[^0-9]", "")
    return F.when(F.length(digits) > 0, digits)


def transform(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze member rows -> standardised members (times to UTC from the programme's zone)."""
    tz = LOYALTY_MEMBERS.timezone
    df = standardise(df, name(full="full_name"), email("email"), phone("phone", LOYALTY_MEMBERS.phone_region))
    return df.withColumns(
        {
            "card_number": card_number("card_number"),
            "enrolled_at": local_to_utc("enrolled_at", tz),
            "updated_at": local_to_utc("updated_at", tz),
        }
    )


JOB = SilverJob(SILVER_LOYALTY_MEMBERS, ((LOYALTY_MEMBERS, transform),), key="member_id")
