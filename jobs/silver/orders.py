"""``silver_orders``: web, app and store orders in one shape, with net amounts in the reporting currency."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from infra.settings import Settings
from jobs.silver.common import SilverJob, business_date, email, local_to_utc, phone, standardise
from jobs.silver.loyalty_members import card_number
from schemas.landing import ORDERS_ONLINE, ORDERS_POS
from schemas.silver import SILVER_ORDERS


def _amounts(settings: Settings) -> dict[str, Column]:
    rates = F.create_map(*[F.lit(x) for kv in settings.lifecycle.currency_rates.items() for x in kv])
    refund = F.coalesce(F.col("refund_amount"), F.lit(0).cast("decimal(12,2)"))
    net = (F.col("total_amount") - refund).cast("decimal(12,2)")
    return {
        "refund_amount": refund,
        "net_amount": net,
        "net_amount_reporting": F.round(net.cast("double") * rates[F.col("currency")], 2),
        # A purchase is what the customer kept: not cancelled, not refunded in full.
        "is_completed": F.col("status").isin("completed", "partially_refunded") & (net > 0),
    }


def online(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze online orders -> silver order rows."""
    by_value = F.array_sort(
        F.col("items"),
        lambda a, b: F.signum(
            (b.quantity * b.unit_price).cast("double") - (a.quantity * a.unit_price).cast("double")
        ).cast("int"),
    )
    df = standardise(
        df,
        email("guest_email", prefix="guest_email"),
        phone("guest_phone", ORDERS_ONLINE.phone_region, prefix="guest_phone"),
    )
    return df.withColumns(
        {
            "order_key": F.concat(F.lit(f"{ORDERS_ONLINE.feed}:"), F.col("order_id")),
            "source": F.lit(ORDERS_ONLINE.feed),
            "order_channel": F.col("channel"),
            "loyalty_card": card_number("loyalty_card"),
            "store_id": F.lit(None).cast("string"),
            "order_date": business_date(F.col("ordered_at"), settings.timezone),
            "item_count": F.aggregate(
                F.col("items"), F.lit(0), lambda acc, i: acc + F.coalesce(i.quantity, F.lit(0))
            ),
            "categories": F.array_distinct(
                F.filter(F.transform(by_value, lambda i: i.category), lambda c: c.isNotNull())
            ),
            "payment_method": F.lit(None).cast("string"),
            **_amounts(settings),
        }
    )


def pos(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze till receipts -> silver order rows."""
    df = standardise(
        df.withColumn("guest_email", F.lit(None).cast("string")),
        email("guest_email", prefix="guest_email"),
        phone("customer_phone", ORDERS_POS.phone_region, prefix="guest_phone"),
    )
    ordered_at = local_to_utc("purchased_at", ORDERS_POS.timezone)
    return df.withColumns(
        {
            "order_key": F.concat(F.lit(f"{ORDERS_POS.feed}:"), F.col("receipt_id")),
            "source": F.lit(ORDERS_POS.feed),
            "order_id": F.col("receipt_id"),
            "order_channel": F.lit("store"),
            "account_id": F.lit(None).cast("string"),
            "loyalty_card": card_number("loyalty_card"),
            "device_id": F.lit(None).cast("string"),
            "ordered_at": ordered_at,
            "order_date": business_date(ordered_at, settings.timezone),
            "categories": F.when(F.col("main_category").isNotNull(), F.array(F.col("main_category"))),
            **_amounts(settings),
        }
    )


JOB = SilverJob(SILVER_ORDERS, ((ORDERS_ONLINE, online), (ORDERS_POS, pos)))
