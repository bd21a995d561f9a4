"""Survivorship per rule and conservative consent: the pure rules, and the Spark versions against them."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from infra.settings import ProfileSettings
from jobs.gold import consent, survivorship
from jobs.gold.consent import Choice, combine
from jobs.gold.survivorship import Candidate, survivor

ORDER = ("crm_contacts", "loyalty_members", "shop_accounts", "support_tickets")


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 1, 1) + dt.timedelta(days=day)


def cand(key: str, value: object, seen: int, updated: int) -> Candidate:
    return Candidate(key, key.split(":", maxsplit=1)[0], value, at(seen), at(updated))


# One customer's records: the CRM is the oldest and most trusted, the shop the newest, two tickets agree.
RECORDS = [
    cand("crm_contacts:C1", "li wei", 0, 10),
    cand("shop_accounts:U1", "wei li", 5, 300),
    cand("support_tickets:T1", "li wei", 50, 50),
    cand("support_tickets:T2", "wei li", 60, 60),
    cand("support_tickets:T3", "wei li", 70, 70),
    cand("loyalty_members:M1", None, 1, 400),
]


@pytest.mark.parametrize(
    ("rule", "winner"),
    [
        ("source_priority", "crm_contacts:C1"),
        ("most_recent", "shop_accounts:U1"),  # the loyalty record is newer but holds no value
        ("most_frequent", "shop_accounts:U1"),  # 'wei li' x3 beats 'li wei' x2; newest holder wins
        ("first_non_null", "crm_contacts:C1"),
    ],
)
def test_each_rule_picks_its_winner(rule: str, winner: str) -> None:
    chosen = survivor(RECORDS, rule, ORDER)
    assert chosen is not None and chosen.record_key == winner


def test_ties_fall_back_to_priority_then_record_key() -> None:
    same_time = [cand("support_tickets:T9", "a", 0, 5), cand("crm_contacts:C9", "b", 0, 5),
                 cand("crm_contacts:C2", "c", 0, 5)]  # fmt: skip
    for rule in ("most_recent", "first_non_null", "most_frequent"):
        chosen = survivor(same_time, rule, ORDER)
        assert chosen is not None and chosen.record_key == "crm_contacts:C2", rule


def test_unlisted_source_ranks_last_and_no_value_gives_none() -> None:
    records = [cand("orders_pos:R1", "x", 0, 0), cand("support_tickets:T1", "y", 9, 9)]
    chosen = survivor(records, "source_priority", ORDER)
    assert chosen is not None and chosen.record_key == "support_tickets:T1"
    assert survivor([cand("crm_contacts:C1", None, 0, 0)], "most_recent", ORDER) is None


def test_attribute_priority_overrides_the_global_order() -> None:
    settings = ProfileSettings(attribute_priority={"phone": ("shop_accounts", "crm_contacts")})
    assert survivorship.source_order(settings, "phone")[0] == "shop_accounts"
    assert survivorship.source_order(settings, "email") == settings.source_priority


def test_spark_golden_record_agrees_with_the_rules(spark: SparkSession) -> None:
    """One Spark query: four attributes holding the same values, each under a different rule."""
    rules = {"name": "source_priority", "email": "most_recent", "phone": "most_frequent",
             "address": "first_non_null"}  # fmt: skip
    rows = [("K1", r.record_key, r.source, r.seen_at, r.updated_at, r.value) for r in RECORDS]
    df = spark.createDataFrame(
        rows, "customer_id string, record_key string, source string, seen_at timestamp, updated_at timestamp, "
        "value string",
    )  # fmt: skip
    for column in ("name_full", "email", "phone", "address_line"):
        df = df.withColumn(column, F.col("value"))
    for column in ("name_given", "name_family", "name_hanzi", "city", "postcode", "country_code", "gender"):
        df = df.withColumn(column, F.lit(None).cast("string"))
    df = df.withColumn("birth_date", F.lit(None).cast("date"))
    settings = ProfileSettings(source_priority=ORDER, survivorship=rules)
    golden = survivorship.golden_record(df, settings).collect()[0]
    for attribute, rule in rules.items():
        expected = survivor(RECORDS, rule, ORDER)
        assert expected is not None
        assert golden[f"{attribute}_record_key"] == expected.record_key, rule
        assert golden[survivorship.ATTRIBUTES[attribute][0]] == expected.value, rule
    assert golden["birth_date_record_key"] is None and golden["gender"] is None


# ---- consent ---------------------------------------------------------------------------------------


def test_latest_explicit_choice_wins() -> None:
    choices = [Choice("email", True, at(1), "crm_contacts:C1"), Choice("email", False, at(5), "shop_accounts:U1"),
               Choice("email", True, at(9), "crm_contacts:C2")]  # fmt: skip
    result = combine(choices, "email")
    assert result.granted and result.decided_by is not None and result.decided_by.source == "crm_contacts:C2"


def test_opt_out_wins_a_tie_and_no_choice_means_no_consent() -> None:
    tie = [Choice("sms", True, at(3), "crm_contacts:C1"), Choice("sms", False, at(3), "shop_accounts:U1")]
    assert not combine(tie, "sms").granted
    assert combine([], "sms") == consent.Consent(False, None)
    assert not combine([Choice("email", True, at(1), "crm_contacts:C1")], "sms").granted


def test_an_unsubscribe_anywhere_is_respected() -> None:
    choices = [Choice("email", False, at(2), "email_engagement:E1", unsubscribe=True),
               Choice("email", True, at(30), "crm_contacts:C1")]  # fmt: skip
    result = combine(choices, "email")
    assert not result.granted and result.decided_by is not None
    assert result.decided_by.source == "email_engagement:E1"


def test_spark_consent_agrees_with_combine(spark: SparkSession) -> None:
    cases = {
        "A": [Choice("email", True, at(1), "c1"), Choice("email", False, at(5), "s1"), Choice("sms", True, at(2), "c1")],
        "B": [Choice("email", True, at(3), "c1"), Choice("email", False, at(3), "s1")],
        "C": [Choice("email", False, at(2), "e1", unsubscribe=True), Choice("email", True, at(30), "c1"),
              Choice("sms", False, at(1), "c1"), Choice("sms", True, at(1), "s1")],
        "D": [Choice("sms", True, at(4), "s1")],
    }  # fmt: skip
    rows = [(k, c.channel, c.granted, c.at, c.source, c.unsubscribe) for k, cs in cases.items() for c in cs]
    choices = spark.createDataFrame(
        rows,
        "customer_id string, channel string, granted boolean, at timestamp, source string, unsubscribe boolean",
    )
    result = {r["customer_id"]: r for r in consent.consent_frame(choices).collect()}
    for customer, cs in cases.items():
        for channel in consent.CHANNELS:
            expected = combine(cs, channel)
            row = result[customer]
            assert bool(row[f"{channel}_consent"]) == expected.granted, (customer, channel)
            source = expected.decided_by.source if expected.decided_by else None
            assert row[f"{channel}_consent_source"] == source, (customer, channel)
        assert bool(row["unsubscribed"]) == any(c.unsubscribe for c in cs)
