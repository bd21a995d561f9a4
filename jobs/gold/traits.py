"""Behavioural traits per customer, from the attributed silver rows, for an as-of date.

Only completed orders count (not cancelled, not fully refunded), at their net value after refunds in the
reporting currency. Windows ("last 30 days") end on the as-of date and include it.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from infra.settings import ProfileSettings
from jobs.gold.attribution import Attributed

TIER_RANK = {"basic": 1, "silver": 2, "gold": 3, "platinum": 4}


def _within(day: Column, as_of: dt.date, days: int) -> Column:
    """``day`` lies in the ``days`` days that end on ``as_of``."""
    return (F.datediff(F.lit(as_of), day) >= 0) & (F.datediff(F.lit(as_of), day) < days)


def completed_orders(attributed: Attributed) -> DataFrame:
    """Completed, attributed orders: ``customer_id, day, amount, ordered_at, order_channel, categories``."""
    return attributed.orders.filter(F.col("is_completed") & F.col("customer_id").isNotNull()).select(
        "customer_id",
        F.col("order_date").alias("day"),
        F.col("net_amount_reporting").cast("double").alias("amount"),
        "ordered_at",
        "order_channel",
        "categories",
    )


def order_traits(orders: DataFrame, as_of: dt.date, settings: ProfileSettings) -> DataFrame:
    """Order counts, revenue, dates, channels, top categories and the purchase trend (one aggregation)."""
    window = settings.trend_window_days
    age = F.datediff(F.lit(as_of), F.col("day"))

    def count_if(condition: Column) -> Column:
        return F.sum(F.when(condition, 1).otherwise(0)).cast("long")

    summary = orders.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("orders_completed"),
        # Summed as exact cents: a floating-point sum depends on the order rows arrive in, and a different
        # partitioning could move a rounded revenue or average by a cent between identical runs.
        F.sum(F.col("amount").cast("decimal(18,2)")).cast("double").alias("net_revenue"),
        F.min("day").alias("first_order_date"),
        F.max("day").alias("last_order_date"),
        F.max("ordered_at").alias("_last_order_at"),
        count_if(F.col("order_channel") == "web").alias("orders_web"),
        count_if(F.col("order_channel") == "app").alias("orders_app"),
        count_if(F.col("order_channel") == "store").alias("orders_store"),
        count_if(age < window).alias("_orders_trend_recent"),
        count_if((age >= window) & (age < 2 * window)).alias("_orders_trend_prior"),
        F.flatten(F.collect_list(F.coalesce("categories", F.array().cast("array<string>")))).alias("_cats"),
    )
    cats = F.col("_cats")
    # Most frequent first, then by name: sort (-count, name) pairs.
    counted = F.transform(
        F.array_distinct(cats),
        lambda c: F.struct((-F.size(F.filter(cats, lambda x: x == c))).alias("n"), c.alias("category")),
    )
    top = F.slice(F.transform(F.array_sort(counted), lambda t: t["category"]), 1, settings.top_categories)
    return summary.select(
        *[c for c in summary.columns if c != "_cats"],
        F.when(F.size(cats) > 0, top).alias("top_categories"),
        (F.col("net_revenue") / F.col("orders_completed")).alias("average_order_value"),
    )


def activity_traits(attributed: Attributed, as_of: dt.date) -> DataFrame:
    """Sessions, email clicks, tickets, the latest NPS answer and the loyalty membership.

    The five sources are stacked into one narrow frame and aggregated in a single pass.
    """
    nps_type = "struct<score:int,nps_class:string,responded_at:timestamp>"
    member_type = "struct<tier:string,points_balance:bigint>"

    def stacked(df: DataFrame, kind: str, **values: Column) -> DataFrame:
        defaults: dict[str, Column] = {
            "day": F.lit(None).cast("date"),
            "at": F.lit(None).cast("timestamp"),
            "session_id": F.lit(None).cast("string"),
            "is_open": F.lit(None).cast("boolean"),
            "nps": F.lit(None).cast(nps_type),
            "nps_order": F.lit(None).cast("struct<at:timestamp,id:string>"),
            "member": F.lit(None).cast(member_type),
            "member_order": F.lit(None).cast("struct<active:boolean,tier:int,points:bigint,id:string>"),
        }
        defaults.update(values)
        return df.filter(F.col("customer_id").isNotNull()).select(
            "customer_id", F.lit(kind).alias("kind"), *[v.alias(k) for k, v in defaults.items()]
        )

    tier_rank = F.lit(0)
    for tier, rank in TIER_RANK.items():
        tier_rank = F.when(F.col("tier") == tier, F.lit(rank)).otherwise(tier_rank)
    rows = (
        stacked(attributed.web_events, "web", day=F.col("event_date"), at=F.col("occurred_at"),
                session_id=F.col("session_id"))
        .unionByName(stacked(attributed.email_events.filter(F.col("event_type") == "click"), "click",
                             day=F.col("event_date"), at=F.col("occurred_at")))
        .unionByName(stacked(attributed.tickets, "ticket", at=F.col("opened_at"), is_open=F.col("is_open")))
        .unionByName(stacked(
            attributed.nps, "nps",
            at=F.col("responded_at"),
            nps=F.struct("score", "nps_class", "responded_at").cast(nps_type),
            nps_order=F.struct(F.col("responded_at").alias("at"), F.col("response_id").alias("id")),
        ))
        .unionByName(stacked(
            attributed.loyalty, "loyalty",
            member=F.struct("tier", "points_balance").cast(member_type),
            member_order=F.struct((F.col("status") == "active").alias("active"), tier_rank.alias("tier"),
                                  F.col("points_balance").alias("points"), F.col("member_id").alias("id")),
        ))
    )  # fmt: skip
    kind = F.col("kind")

    def count_if(condition: Column) -> Column:
        return F.sum(F.when(condition, 1).otherwise(0)).cast("long")

    def sessions(days: int) -> Column:
        return F.count_distinct(
            F.when((kind == "web") & _within(F.col("day"), as_of, days), F.col("session_id"))
        )

    result = rows.groupBy("customer_id").agg(
        sessions(30).alias("sessions_30d"),
        sessions(90).alias("sessions_90d"),
        F.max(F.when(kind == "web", F.col("at"))).alias("_last_web_at"),
        count_if((kind == "click") & _within(F.col("day"), as_of, 90)).alias("email_clicks_90d"),
        F.max(F.when(kind == "click", F.col("at"))).alias("_last_click_at"),
        count_if((kind == "ticket") & F.col("is_open")).alias("tickets_open"),
        count_if(kind == "ticket").alias("tickets_total"),
        F.max(F.when(kind == "ticket", F.col("at"))).alias("_last_ticket_at"),
        F.max_by("nps", "nps_order").alias("_nps"),
        F.max_by("member", "member_order").alias("_member"),
    )
    return result.select(
        *[c for c in result.columns if c not in ("_nps", "_member")],
        F.col("_nps")["score"].alias("last_nps_score"),
        F.col("_nps")["nps_class"].alias("last_nps_class"),
        F.col("_nps")["responded_at"].alias("last_nps_at"),
        F.col("_member")["tier"].alias("loyalty_tier"),
        F.col("_member")["points_balance"].alias("loyalty_points"),
    )


def traits(customers: DataFrame, orders: DataFrame, attributed: Attributed, as_of: dt.date,
           settings: ProfileSettings) -> DataFrame:  # fmt: skip
    """Every trait for every customer in ``customers`` (zeros where nothing happened)."""
    joined = customers.join(order_traits(orders, as_of, settings), "customer_id", how="left").join(
        activity_traits(attributed, as_of), "customer_id", how="left"
    )
    zeros = {
        "orders_completed", "orders_web", "orders_app", "orders_store", "sessions_30d", "sessions_90d",
        "tickets_open", "tickets_total", "email_clicks_90d", "_orders_trend_recent", "_orders_trend_prior",
    }  # fmt: skip
    last_seen = ("_last_order_at", "_last_web_at", "_last_click_at", "_last_ticket_at")
    columns = []
    for name in joined.columns:
        if name in zeros:
            columns.append(F.coalesce(F.col(name).cast("long"), F.lit(0).cast("long")).alias(name))
        elif name == "net_revenue":
            columns.append(F.coalesce(F.col(name), F.lit(0.0)).alias(name))
        elif name not in last_seen:
            columns.append(F.col(name))
    last_activity = F.greatest(*last_seen, "last_nps_at").alias("last_activity_at")
    return joined.select(*columns, last_activity)
