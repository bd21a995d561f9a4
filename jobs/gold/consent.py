"""Marketing consent combined conservatively across a customer's records.

Per channel (email, SMS) the most recent explicit choice wins, and a tie between an opt-in and an opt-out
counts as an opt-out. An email unsubscribe (from the email tool, for any address of the customer) is
respected whatever the other records say. No explicit choice means no consent.

Explicit choices: the CRM's ``email_opt_in`` and ``sms_opt_in`` and the shop's ``marketing_opt_in`` (both
channels), dated by the record's last update; email ``unsubscribe`` events, dated when they happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class Choice:
    """One explicit consent choice for a channel."""

    channel: str
    granted: bool
    at: dt.datetime
    source: str
    unsubscribe: bool = False


@dataclass(frozen=True)
class Consent:
    """The combined consent for one channel, and the choice it rests on (None: no choice known)."""

    granted: bool
    decided_by: Choice | None


def combine(choices: Iterable[Choice], channel: str) -> Consent:
    """The consent for ``channel`` from all of a customer's choices.

    Example:
        >>> t = dt.datetime(2024, 1, 1)
        >>> combine([Choice("email", True, t, "crm"), Choice("email", False, t, "shop")], "email").granted
        False
    """
    mine = [c for c in choices if c.channel == channel]
    unsubscribes = [c for c in mine if c.unsubscribe]
    if unsubscribes:
        return Consent(False, min(unsubscribes, key=lambda c: (-c.at.timestamp(), c.source)))
    if not mine:
        return Consent(False, None)
    # Latest first; at the same instant an opt-out beats an opt-in; then by source for a stable pick.
    winner = min(mine, key=lambda c: (-c.at.timestamp(), c.granted, c.source))
    return Consent(winner.granted, winner)


def choices_frame(crm: DataFrame, shop: DataFrame, unsubscribes: DataFrame) -> DataFrame:
    """All explicit choices as rows: ``customer_id, channel, granted, at, source, unsubscribe``.

    Args:
        crm: CRM contacts with ``customer_id``, ``record_key``, ``email_opt_in``, ``sms_opt_in`` and
            ``updated_at``.
        shop: shop accounts with ``customer_id``, ``record_key``, ``marketing_opt_in``, ``updated_at``.
        unsubscribes: unsubscribe events with ``customer_id``, ``event_key``, ``occurred_at``.
    """

    def rows(df: DataFrame, channel: str, flag: str) -> DataFrame:
        return df.filter(F.col(flag).isNotNull()).select(
            "customer_id",
            F.lit(channel).alias("channel"),
            F.col(flag).alias("granted"),
            F.col("updated_at").alias("at"),
            F.col("record_key").alias("source"),
            F.lit(False).alias("unsubscribe"),
        )

    events = unsubscribes.select(
        "customer_id",
        F.lit("email").alias("channel"),
        F.lit(False).alias("granted"),
        F.col("occurred_at").alias("at"),
        F.col("event_key").alias("source"),
        F.lit(True).alias("unsubscribe"),
    )
    return (
        rows(crm, "email", "email_opt_in")
        .unionByName(rows(crm, "sms", "sms_opt_in"))
        .unionByName(rows(shop, "email", "marketing_opt_in"))
        .unionByName(rows(shop, "sms", "marketing_opt_in"))
        .unionByName(events)
    )


def consent_frame(choices: DataFrame) -> DataFrame:
    """One row per customer with a choice: ``<channel>_consent``, ``_consent_at``, ``_consent_source``
    for each channel, and ``unsubscribed``. Same rules as :func:`combine`."""
    order = Window.partitionBy("customer_id", "channel").orderBy(
        F.col("unsubscribe").desc(), F.col("at").desc(), F.col("granted").asc(), F.col("source").asc()
    )
    winners = choices.withColumn("_rank", F.row_number().over(order)).filter(F.col("_rank") == 1)
    aggregations = []
    for channel in CHANNELS:
        mine = F.col("channel") == channel
        aggregations += [
            F.max(F.when(mine, F.col("granted"))).alias(f"{channel}_consent"),
            F.max(F.when(mine, F.col("at"))).alias(f"{channel}_consent_at"),
            F.max(F.when(mine, F.col("source"))).alias(f"{channel}_consent_source"),
        ]
    aggregations.append(
        F.max(F.when(F.col("channel") == "email", F.col("unsubscribe"))).alias("unsubscribed")
    )
    return winners.groupBy("customer_id").agg(*aggregations)
