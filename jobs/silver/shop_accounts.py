"""``silver_shop_accounts``: the latest version of each shop account, standardised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession

from infra.settings import Settings
from infra.storage import Lake
from jobs.silver.common import address, email, name, phone, standardise
from jobs.silver.entities import publish_entities
from schemas.bronze import bronze_name
from schemas.landing import SHOP_ACCOUNTS
from schemas.silver import SILVER_SHOP_ACCOUNTS


def transform(df: DataFrame) -> DataFrame:
    """Bronze account rows -> standardised accounts (times already carry offsets)."""
    return standardise(
        df,
        name(first="first_name", last="last_name", nickname="nickname"),
        email("email"),
        phone("phone", SHOP_ACCOUNTS.phone_region),
        address("address_line", "city", "postcode", "country_code"),
    )


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    batches: Sequence[dt.date] | None = None,
    run_id: str = "",
) -> int:
    """Write ``silver_shop_accounts`` from bronze (all of it, or merge the given batches)."""
    return publish_entities(
        lake, SILVER_SHOP_ACCOUNTS, bronze_name(SHOP_ACCOUNTS.feed), "account_id", transform, batches, run_id
    )
