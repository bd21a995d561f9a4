"""``silver_person_records``: one row per source record that describes a person — the identity input.

Built from the silver entity tables plus the guest transactions that carry contact details. The table is
merged by ``record_key`` and a row only changes when its matching fields change (``record_hash``), so the
change data feed tells identity resolution exactly which records are new or changed.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from infra.settings import Settings
from infra.storage import Lake
from schemas.silver import (
    PERSON_RECORDS,
    SILVER_CRM_CONTACTS,
    SILVER_LOYALTY_MEMBERS,
    SILVER_NPS_RESPONSES,
    SILVER_ORDERS,
    SILVER_SHOP_ACCOUNTS,
    SILVER_SUPPORT_TICKETS,
    name_columns,
)

NAMES = [c.name for c in name_columns()]
ADDRESS = ["address_line", "house_number", "city", "postcode", "country_code"]
IDS = ["account_id", "contact_id", "member_id", "loyalty_card"]
MATCH_FIELDS = [*NAMES, "birth_date", "email", "email_match_key", "phone", *ADDRESS, *IDS]


def _null(name: str, dtype: str = "string") -> Column:
    return F.lit(None).cast(dtype).alias(name)


def _records(
    df: DataFrame,
    source: Column | str,
    source_id: str,
    present: dict[str, Column],
    seen_at: str,
    updated_at: str,
) -> DataFrame:
    """Project a silver table onto the person-record columns; absent fields are null.

    ``record_key`` is ``<source>:<source id>``, unique across the platform.
    """
    source_col = F.lit(source) if isinstance(source, str) else source
    columns = []
    for name in [*NAMES, "birth_date", "email", "email_match_key", "phone", *ADDRESS, *IDS]:
        if name in present:
            columns.append(present[name].alias(name))
        else:
            columns.append(_null(name, "date" if name == "birth_date" else "string"))
    return df.select(
        F.concat(source_col, F.lit(":"), F.col(source_id)).alias("record_key"),
        source_col.alias("source"),
        F.col(source_id).alias("source_id"),
        *columns,
        F.col(seen_at).alias("seen_at"),
        F.col(updated_at).alias("updated_at"),
        F.col("batch_date"),
    )


def _same(*names: str) -> dict[str, Column]:
    return {n: F.col(n) for n in names}


def build(lake: Lake) -> DataFrame | None:
    """All person records from the silver tables that exist; None when there are none yet."""
    parts: list[DataFrame] = []
    person = [*NAMES, "birth_date", "email", "email_match_key", "phone"]
    if lake.exists(SILVER_CRM_CONTACTS.name):
        df = lake.read(SILVER_CRM_CONTACTS.name)
        fields = _same(*person, *ADDRESS, "contact_id")
        parts.append(_records(df, "crm_contacts", "contact_id", fields, "created_at", "updated_at"))
    if lake.exists(SILVER_SHOP_ACCOUNTS.name):
        df = lake.read(SILVER_SHOP_ACCOUNTS.name)
        fields = _same(*person, *ADDRESS, "account_id")
        parts.append(_records(df, "shop_accounts", "account_id", fields, "created_at", "updated_at"))
    if lake.exists(SILVER_LOYALTY_MEMBERS.name):
        df = lake.read(SILVER_LOYALTY_MEMBERS.name)
        fields = {**_same(*person, "member_id"), "loyalty_card": F.col("card_number")}
        parts.append(_records(df, "loyalty_members", "member_id", fields, "enrolled_at", "updated_at"))
    if lake.exists(SILVER_SUPPORT_TICKETS.name):
        df = lake.read(SILVER_SUPPORT_TICKETS.name)
        fields = _same(*NAMES, "email", "email_match_key", "phone")
        parts.append(_records(df, "support_tickets", "ticket_id", fields, "opened_at", "updated_at"))
    if lake.exists(SILVER_ORDERS.name):
        orders = lake.read(SILVER_ORDERS.name)
        # Guest checkouts and till receipts with a phone describe a person; account orders do not (the
        # account record does) and their links are in silver_identity_links.
        guests = orders.filter(
            F.col("account_id").isNull()
            & (F.col("guest_email").isNotNull() | F.col("guest_phone").isNotNull())
        )
        fields = {
            "email": F.col("guest_email"),
            "email_match_key": F.col("guest_email_match_key"),
            "phone": F.col("guest_phone"),
            "loyalty_card": F.col("loyalty_card"),
        }
        parts.append(_records(guests, F.col("source"), "order_id", fields, "ordered_at", "ordered_at"))
    if lake.exists(SILVER_NPS_RESPONSES.name):
        answers = lake.read(SILVER_NPS_RESPONSES.name).filter(
            F.col("contact_id").isNull() & F.col("email").isNotNull()
        )
        fields = _same("email", "email_match_key")
        parts.append(_records(answers, "nps_surveys", "response_id", fields, "responded_at", "responded_at"))
    if not parts:
        return None
    df = parts[0]
    for part in parts[1:]:
        df = df.unionByName(part)
    record_hash = F.sha2(F.to_json(F.struct(*[F.col(c) for c in MATCH_FIELDS])), 256)
    return df.withColumn("record_hash", record_hash).select(*PERSON_RECORDS.column_names)


def run(spark: SparkSession, settings: Settings, lake: Lake, run_id: str = "") -> int:
    """Merge the person records into ``silver_person_records``; returns the table version (-1: no input).

    New records are inserted, records whose matching fields changed are updated, and records that no
    longer exist upstream (erased) are deleted.
    """
    records = build(lake)
    if records is None:
        return -1
    table = PERSON_RECORDS
    lake.create(table.name, table.spark_schema, properties=table.properties, description=table.description)
    metadata = {"run_id": run_id}
    current = lake.read(table.name).select("record_key")
    gone_keys = [r.record_key for r in current.join(records, on="record_key", how="left_anti").collect()]
    changed = "s.record_hash <> t.record_hash"
    lake.merge(table.name, records, ["record_key"], update_condition=changed, metadata=metadata)
    if gone_keys:
        lake.delete(table.name, {"record_key": gone_keys}, metadata=metadata)
    return lake.version(table.name)
