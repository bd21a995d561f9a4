"""Attribution: every order, event, ticket and survey answer mapped to the customer it belongs to.

A row reaches a customer through the person record it is or references (``identity_graph`` maps record
keys to customer ids):

- orders: a guest order with an email or phone is itself a person record; else its shop account; else the
  loyalty member whose card it used;
- web and app events: the logged-in account; else the account the anonymous id or the device was seen
  logged in with (``silver_identity_links``), when that leads to exactly one customer;
- email events: every customer holding the address (an email shared by several customers reaches each);
- survey answers: the CRM contact; else the answer itself (a person record when it carries an email); else
  the one customer holding that email;
- tickets and loyalty memberships: their own record.

Rows that reach nobody keep a null ``customer_id``: they are counted (``unattributed``), never dropped
silently. Everything after the as-of date is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from infra.storage import Lake
from jobs.gold import LARGE_CACHE
from jobs.silver.common import business_date
from schemas.identity import IDENTITY_GRAPH
from schemas.silver import (
    IDENTITY_LINKS,
    PERSON_RECORDS,
    SILVER_CRM_CONTACTS,
    SILVER_EMAIL_EVENTS,
    SILVER_LOYALTY_MEMBERS,
    SILVER_NPS_RESPONSES,
    SILVER_ORDERS,
    SILVER_SHOP_ACCOUNTS,
    SILVER_SUPPORT_TICKETS,
    SILVER_WEB_EVENTS,
)


@dataclass
class Attributed:
    """Silver rows up to the as-of date, each with the ``customer_id`` it reaches (null: none)."""

    records: DataFrame
    orders: DataFrame
    web_events: DataFrame
    email_events: DataFrame
    nps: DataFrame
    tickets: DataFrame
    loyalty: DataFrame
    crm: DataFrame
    shop: DataFrame

    def persist(self) -> Attributed:
        """Keep every frame cached on disk (:data:`jobs.gold.LARGE_CACHE`): each is read by several
        aggregations."""
        for df in self._frames():
            df.persist(LARGE_CACHE)
        return self

    def unpersist(self) -> None:
        """Release what :meth:`persist` kept."""
        for df in self._frames():
            df.unpersist()

    def _frames(self) -> list[DataFrame]:
        return [self.records, self.orders, self.web_events, self.email_events, self.nps, self.tickets,
                self.loyalty, self.crm, self.shop]  # fmt: skip

    def event_tables(self) -> dict[str, DataFrame]:
        """The attributed transaction and event tables, by silver table name."""
        return {
            SILVER_ORDERS.name: self.orders,
            SILVER_WEB_EVENTS.name: self.web_events,
            SILVER_EMAIL_EVENTS.name: self.email_events,
            SILVER_NPS_RESPONSES.name: self.nps,
            SILVER_SUPPORT_TICKETS.name: self.tickets,
        }


def _key(source: str, column: str) -> Column:
    return F.when(F.col(column).isNotNull(), F.concat(F.lit(f"{source}:"), F.col(column)))


def _empty(lake: Lake, name: str, schema: StructType) -> DataFrame:
    """The table, or no rows of its declared shape when it does not exist (yet)."""
    if lake.exists(name):
        return lake.read(name)
    return lake.spark.createDataFrame([], schema)


def attribute(lake: Lake, as_of: dt.date, timezone: str) -> Attributed:
    """Read silver and identity, and attach a ``customer_id`` to every row up to ``as_of``."""
    graph = lake.read(IDENTITY_GRAPH.name).select("record_key", "customer_id")

    def customer_of(df: DataFrame, key: Column, name: str) -> DataFrame:
        mapped = graph.select(
            F.col("record_key").alias(f"_k_{name}"), F.col("customer_id").alias(f"_c_{name}")
        )
        return df.withColumn(f"_k_{name}", key).join(mapped, f"_k_{name}", how="left").drop(f"_k_{name}")

    def day_of(column: str) -> Column:
        return business_date(F.col(column), timezone)

    limit = F.lit(as_of)
    all_records = _empty(lake, PERSON_RECORDS.name, PERSON_RECORDS.spark_schema).join(
        graph, "record_key", how="inner"
    )
    records = all_records.filter(day_of("seen_at") <= limit)

    # Orders: own record, else the account, else the loyalty card's member.
    members = _empty(lake, SILVER_LOYALTY_MEMBERS.name, SILVER_LOYALTY_MEMBERS.spark_schema)
    card_members = members.groupBy(F.col("card_number").alias("loyalty_card")).agg(
        F.min("member_id").alias("_card_member")
    )
    orders = _empty(lake, SILVER_ORDERS.name, SILVER_ORDERS.spark_schema).filter(F.col("order_date") <= limit)
    is_guest_record = F.col("account_id").isNull() & (
        F.col("guest_email").isNotNull() | F.col("guest_phone").isNotNull()
    )
    orders = orders.join(card_members, "loyalty_card", how="left")
    orders = customer_of(orders, F.when(is_guest_record, F.concat_ws(":", "source", "order_id")), "own")
    orders = customer_of(orders, _key("shop_accounts", "account_id"), "account")
    orders = customer_of(orders, _key("loyalty_members", "_card_member"), "card")
    orders = orders.withColumn("customer_id", F.coalesce("_c_own", "_c_account", "_c_card")).drop(
        "_c_own", "_c_account", "_c_card", "_card_member"
    )

    # Identifier nodes (account:, anon:, device:) -> the one customer they lead to.
    accounts = graph.filter(F.col("record_key").startswith("shop_accounts:")).select(
        F.concat(F.lit("account:"), F.substring_index("record_key", ":", -1)).alias("account_node"),
        "customer_id",
    )
    links = _empty(lake, IDENTITY_LINKS.name, IDENTITY_LINKS.spark_schema)
    linked = (
        links.filter(F.col("node_a").startswith("account:"))
        .select(F.col("node_a").alias("account_node"), F.col("node_b").alias("node"))
        .join(accounts, "account_node", how="inner")
        .groupBy("node")
        .agg(F.countDistinct("customer_id").alias("_n"), F.min("customer_id").alias("customer_id"))
        .filter(F.col("_n") == 1)
        .select("node", "customer_id")
    )

    def by_node(df: DataFrame, kind: str, column: str, name: str) -> DataFrame:
        mapped = linked.select(F.col("node").alias(f"_n_{name}"), F.col("customer_id").alias(f"_c_{name}"))
        key = F.when(F.col(column).isNotNull(), F.concat(F.lit(f"{kind}:"), F.col(column)))
        return df.withColumn(f"_n_{name}", key).join(mapped, f"_n_{name}", how="left").drop(f"_n_{name}")

    web = _empty(lake, SILVER_WEB_EVENTS.name, SILVER_WEB_EVENTS.spark_schema).filter(
        F.col("event_date") <= limit
    )
    web = customer_of(web, _key("shop_accounts", "account_id"), "account")
    web = by_node(web, "anon", "anonymous_id", "anon")
    web = by_node(web, "device", "device_id", "device")
    web = web.withColumn("customer_id", F.coalesce("_c_account", "_c_anon", "_c_device")).drop(
        "_c_account", "_c_anon", "_c_device"
    )

    # Email keys -> customers holding them (from every person record, whatever its date).
    holders = (
        all_records.filter(F.col("email_match_key").isNotNull())
        .select("email_match_key", "customer_id")
        .distinct()
    )
    email = _empty(lake, SILVER_EMAIL_EVENTS.name, SILVER_EMAIL_EVENTS.spark_schema).filter(
        F.col("event_date") <= limit
    )
    email = email.join(holders, "email_match_key", how="left")

    single_holder = (
        holders.groupBy("email_match_key")
        .agg(F.countDistinct("customer_id").alias("_n"), F.min("customer_id").alias("_c_email"))
        .filter(F.col("_n") == 1)
        .drop("_n")
    )
    nps = _empty(lake, SILVER_NPS_RESPONSES.name, SILVER_NPS_RESPONSES.spark_schema).filter(
        day_of("responded_at") <= limit
    )
    nps = customer_of(nps, _key("crm_contacts", "contact_id"), "contact")
    nps = customer_of(nps, _key("nps_surveys", "response_id"), "own")
    nps = nps.join(single_holder, "email_match_key", how="left")
    nps = nps.withColumn("customer_id", F.coalesce("_c_contact", "_c_own", "_c_email")).drop(
        "_c_contact", "_c_own", "_c_email"
    )

    tickets = _empty(lake, SILVER_SUPPORT_TICKETS.name, SILVER_SUPPORT_TICKETS.spark_schema).filter(
        day_of("opened_at") <= limit
    )
    tickets = customer_of(tickets, _key("support_tickets", "ticket_id"), "own").withColumnRenamed(
        "_c_own", "customer_id"
    )
    loyalty = customer_of(
        members.filter(day_of("enrolled_at") <= limit), _key("loyalty_members", "member_id"), "own"
    ).withColumnRenamed("_c_own", "customer_id")

    crm = customer_of(
        _empty(lake, SILVER_CRM_CONTACTS.name, SILVER_CRM_CONTACTS.spark_schema),
        _key("crm_contacts", "contact_id"),
        "own",
    ).withColumnRenamed("_c_own", "customer_id")
    crm = crm.withColumn("record_key", _key("crm_contacts", "contact_id"))
    shop = customer_of(
        _empty(lake, SILVER_SHOP_ACCOUNTS.name, SILVER_SHOP_ACCOUNTS.spark_schema),
        _key("shop_accounts", "account_id"),
        "own",
    ).withColumnRenamed("_c_own", "customer_id")
    shop = shop.withColumn("record_key", _key("shop_accounts", "account_id"))
    return Attributed(records, orders, web, email, nps, tickets, loyalty, crm, shop)


def unattributed_counts(attributed: Attributed) -> dict[str, int]:
    """Rows of each event table (up to the as-of date) that reach no customer (one Spark job)."""
    parts = [
        df.filter(F.col("customer_id").isNull()).select(F.lit(name).alias("table_name"))
        for name, df in attributed.event_tables().items()
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    found = {
        r["table_name"]: int(r["n"])
        for r in union.groupBy("table_name").count().withColumnRenamed("count", "n").collect()
    }
    return {name: found.get(name, 0) for name in attributed.event_tables()}
