"""``silver_identity_links``: hard links between identifiers seen together in transactions and events.

Nodes are typed identifier values (``account:A1``, ``card:6222...``, ``device:D9``, ``anon:X``,
``phone:+86...``, ``email:<match key>``, ``contact:C1``); a link says two of them were used by the same
person in one order, login, till receipt, guest checkout or survey answer. Identity resolution joins
these with each person record's own identifiers.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from infra.settings import Settings
from infra.storage import Lake
from schemas.silver import (
    IDENTITY_LINKS,
    SILVER_NPS_RESPONSES,
    SILVER_ORDERS,
    SILVER_SHOP_ACCOUNTS,
    SILVER_WEB_EVENTS,
)


def node(kind: str, value: Column) -> Column:
    """An identifier node ``kind:value``; null when the value is null or empty."""
    return F.when(value.isNotNull() & (F.trim(value) != ""), F.concat(F.lit(f"{kind}:"), value))


def _links(
    df: DataFrame, a: Column, b: Column, link_type: str, evidence: Column, seen_at: Column
) -> DataFrame:
    return df.select(
        a.alias("node_a"), b.alias("node_b"), F.lit(link_type).alias("link_type"),
        evidence.alias("evidence"), seen_at.alias("seen_at"),
    ).filter(F.col("node_a").isNotNull() & F.col("node_b").isNotNull())  # fmt: skip


def build(lake: Lake) -> DataFrame | None:
    """Every hard link from the silver tables that exist, one row per (node_a, node_b, link_type)."""
    parts: list[DataFrame] = []
    if lake.exists(SILVER_ORDERS.name):
        orders = lake.read(SILVER_ORDERS.name)
        account, card = node("account", F.col("account_id")), node("card", F.col("loyalty_card"))
        device, phone = node("device", F.col("device_id")), node("phone", F.col("guest_phone"))
        email = node("email", F.col("guest_email_match_key"))
        key, at = F.col("order_key"), F.col("ordered_at")
        parts.append(_links(orders, account, card, "order_loyalty_card", key, at))
        parts.append(_links(orders, account, device, "order_device", key, at))
        parts.append(_links(orders, card, phone, "receipt_card_phone", key, at))
        # A guest checkout's device ties its contact details to whoever logged in on that device.
        guests = orders.filter(F.col("account_id").isNull())
        parts.append(_links(guests, email, device, "guest_order_device", key, at))
        parts.append(_links(guests, phone, device, "guest_order_device", key, at))
    if lake.exists(SILVER_WEB_EVENTS.name):
        logins = lake.read(SILVER_WEB_EVENTS.name).filter(F.col("account_id").isNotNull())
        account, key, at = node("account", F.col("account_id")), F.col("event_id"), F.col("occurred_at")
        parts.append(_links(logins, account, node("device", F.col("device_id")), "login_device", key, at))
        parts.append(_links(logins, account, node("anon", F.col("anonymous_id")), "login_session", key, at))
    if lake.exists(SILVER_SHOP_ACCOUNTS.name):
        accounts = lake.read(SILVER_SHOP_ACCOUNTS.name).select(
            "account_id", "updated_at", F.explode_outer("device_ids").alias("device_id")
        )
        account = node("account", F.col("account_id"))
        parts.append(
            _links(
                accounts,
                account,
                node("device", F.col("device_id")),
                "account_device",
                F.col("account_id"),
                F.col("updated_at"),
            )
        )
    if lake.exists(SILVER_NPS_RESPONSES.name):
        answers = lake.read(SILVER_NPS_RESPONSES.name)
        contact, email = node("contact", F.col("contact_id")), node("email", F.col("email_match_key"))
        parts.append(
            _links(
                answers, contact, email, "survey_contact_email", F.col("response_id"), F.col("responded_at")
            )
        )
    if not parts:
        return None
    df = parts[0]
    for part in parts[1:]:
        df = df.unionByName(part)
    first = F.min_by(F.col("evidence"), F.struct(F.col("seen_at"), F.col("evidence")))
    return (
        df.groupBy("node_a", "node_b", "link_type")
        .agg(
            first.alias("evidence"),
            F.count("*").alias("observations"),
            F.min("seen_at").alias("first_seen_at"),
        )
        .select(*IDENTITY_LINKS.column_names)
    )


def run(spark: SparkSession, settings: Settings, lake: Lake, run_id: str = "") -> int:
    """Rebuild ``silver_identity_links`` from silver; returns the version written (-1: no input)."""
    links = build(lake)
    if links is None:
        return -1
    table = IDENTITY_LINKS
    lake.create(table.name, table.spark_schema, properties=table.properties, description=table.description)
    return lake.overwrite(table.name, links, metadata={"run_id": run_id})
