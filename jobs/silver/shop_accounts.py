"""``silver_shop_accounts``: the latest version of each shop account, standardised."""

from __future__ import annotations

from pyspark.sql import DataFrame

from infra.settings import Settings
from jobs.silver.common import SilverJob, address, email, name, phone, standardise
from schemas.landing import SHOP_ACCOUNTS
from schemas.silver import SILVER_SHOP_ACCOUNTS


def transform(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze account rows -> standardised accounts (times already carry offsets)."""
    return standardise(
        df,
        name(first="first_name", last="last_name", nickname="nickname"),
        email("email"),
        phone("phone", SHOP_ACCOUNTS.phone_region),
        address("address_line", "city", "postcode", "country_code"),
    )


JOB = SilverJob(SILVER_SHOP_ACCOUNTS, ((SHOP_ACCOUNTS, transform),), key="account_id")
