"""Silver on real Spark and Delta: standardised entities, unified orders, person records and links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from infra.settings import Settings
from infra.storage import Lake
from jobs.bronze import ingest as bronze
from jobs.silver import standardise
from tests.jobs.bronze.landing_samples import write_sample_landing

UTC = dt.UTC


@pytest.fixture
def silver_lake(spark: SparkSession, settings: Settings) -> Lake:
    write_sample_landing(settings.paths.landing)
    lake = Lake.from_settings(spark, settings)
    report = bronze.run(spark, settings, lake)
    assert report.rows_quarantined == 0
    standardise.run(spark, settings, lake)
    return lake


def test_entities_keep_the_latest_version_standardised(spark: SparkSession, silver_lake: Lake) -> None:
    crm = silver_lake.read("silver_crm_contacts").select(
        "contact_id", "name_given", "name_family", "name_pinyin_given", "email", "email_raw", "phone",
        "address_line", "city", "postcode", "email_opt_in", "updated_at",
    )  # fmt: skip
    expected = spark.createDataFrame(
        [
            ("C1", "robert", "smith", None, "bob.smith@outlook.com", "bob.smith@outlook.com", "+447700900123",
             "1 new road", "leeds", "LS1 1AA", False, dt.datetime(2025, 3, 2, 0, 0, tzinfo=UTC)),
            ("C2", "xiaoming", "wang", "xiaoming", "xiaoming@qq.com", "xiaoming@qq.com", "+8613800138000",
             "88 nanjing road", "shanghai", "200001", False, dt.datetime(2025, 3, 1, 2, 0, tzinfo=UTC)),
        ],
        crm.schema,
    )  # fmt: skip
    assertDataFrameEqual(crm, expected)


def test_orders_are_unified_with_net_amounts(spark: SparkSession, silver_lake: Lake) -> None:
    orders = silver_lake.read("silver_orders").select(
        "order_key", "order_channel", "account_id", "loyalty_card", "guest_email", "guest_phone", "order_date",
        "net_amount", "net_amount_reporting", "is_completed", "item_count", "categories",
    )  # fmt: skip
    expected = spark.createDataFrame(
        [
            ("orders_online:O1", "app", "A1", "622200001111", None, None, dt.date(2025, 3, 1), Decimal("80.00"),
             736.0, True, 3, ["apparel", "shoes"]),
            ("orders_online:O2", "web", None, None, "xiaoming@qq.com", "+8613800138000", dt.date(2025, 3, 1),
             Decimal("50.00"), 50.0, False, 1, ["beauty"]),
            ("orders_pos:R1", "store", None, None, None, "+8613800138000", dt.date(2025, 3, 1), Decimal("88.00"),
             88.0, True, 2, ["grocery"]),
            ("orders_pos:R2", "store", None, "622200001111", None, None, dt.date(2025, 3, 1), Decimal("0.00"),
             0.0, False, 1, ["home"]),
        ],
        orders.schema,
    )  # fmt: skip
    assertDataFrameEqual(orders, expected)


def test_person_records_and_links(spark: SparkSession, silver_lake: Lake) -> None:
    records = silver_lake.read("silver_person_records").select(
        "record_key",
        "source",
        "email_match_key",
        "phone",
        "account_id",
        "contact_id",
        "member_id",
        "loyalty_card",
    )
    expected = spark.createDataFrame(
        [
            ("crm_contacts:C1", "crm_contacts", "bob.smith@outlook.com", "+447700900123", None, "C1", None, None),
            ("crm_contacts:C2", "crm_contacts", "xiaoming@qq.com", "+8613800138000", None, "C2", None, None),
            ("shop_accounts:A1", "shop_accounts", "bob.smith@outlook.com", "+447700900123", "A1", None, None, None),
            ("loyalty_members:M100", "loyalty_members", None, "+8613800138000", None, None, "M100", "622200001111"),
            ("support_tickets:T1", "support_tickets", "bob.smith@outlook.com", None, None, None, None, None),
            ("orders_online:O2", "orders_online", "xiaoming@qq.com", "+8613800138000", None, None, None, None),
            ("orders_pos:R1", "orders_pos", None, "+8613800138000", None, None, None, None),
            ("nps_surveys:N2", "nps_surveys", "someone.else@163.com", None, None, None, None, None),
        ],
        records.schema,
    )  # fmt: skip
    assertDataFrameEqual(records, expected)
    links = silver_lake.read("silver_identity_links").select("node_a", "node_b", "link_type", "observations")
    expected_links = spark.createDataFrame(
        [
            ("account:A1", "card:622200001111", "order_loyalty_card", 1),
            ("account:A1", "device:D1", "order_device", 1),
            ("account:A1", "device:D3", "login_device", 1),
            ("account:A1", "anon:X1", "login_session", 1),
            ("account:A1", "device:D1", "account_device", 1),
            ("account:A1", "device:D2", "account_device", 1),
            ("contact:C2", "email:xiaoming@qq.com", "survey_contact_email", 1),
            ("email:xiaoming@qq.com", "device:D9", "guest_order_device", 1),
            ("phone:+8613800138000", "device:D9", "guest_order_device", 1),
        ],
        links.schema,
    )  # fmt: skip
    assertDataFrameEqual(links, expected_links)


def test_rerunning_a_batch_changes_nothing(
    spark: SparkSession, silver_lake: Lake, settings: Settings
) -> None:
    before = silver_lake.read("silver_person_records").select("record_key", "record_hash")
    before_rows = sorted(before.collect())
    version = silver_lake.version("silver_person_records")
    standardise.run(spark, settings, silver_lake, batches=[dt.date(2025, 3, 1)])
    after = sorted(silver_lake.read("silver_person_records").select("record_key", "record_hash").collect())
    assert after == before_rows
    assert (
        silver_lake.version("silver_person_records") == version
    )  # nothing changed, so nothing was committed
    crm = silver_lake.read("silver_crm_contacts").filter("contact_id = 'C1'").collect()[0]
    assert crm.city == "leeds"  # merging the older batch again did not roll the contact back
