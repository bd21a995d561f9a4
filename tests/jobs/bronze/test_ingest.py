"""Bronze ingestion on real Spark and Delta: every reason code from a landing file crafted for it,
balanced counts, idempotent reruns, changed files and header contracts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from infra.settings import Settings
from infra.storage import Lake
from jobs.bronze import ingest as bronze
from jobs.bronze.ingest import ChangedFileError
from jobs.bronze.landing_files import ContractError
from schemas.landing import CRM_CONTACTS, NPS_SURVEYS

DAY1, DAY2 = "2025-03-01", "2025-03-02"


def write_csv(root: Path, channel: str, day: str, name: str, header: list[str], lines: list[str]) -> Path:
    folder = root / channel / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(("\n".join([",".join(header), *lines]) + "\n").encode())
    return path


def order(order_id: str | None, **changes: object) -> str:
    record: dict[str, object] = {
        "order_id": order_id, "account_id": "A1", "channel": "web", "ordered_at": "2025-03-01T09:30:00+08:00",
        "status": "completed", "currency": "CNY", "total_amount": 120.5, "refund_amount": 0,
        "items": [{"sku": "S1", "category": "shoes", "quantity": 1, "unit_price": 120.5}],
    }  # fmt: skip
    record.update(changes)
    return json.dumps(record)


@pytest.fixture
def landing(settings: Settings) -> Path:
    root = settings.paths.landing
    nps = NPS_SURVEYS.column_names
    write_csv(root, "nps_surveys", DAY1, "nps-1.csv", nps, [
        "r1,c1,ann@example.com,9,,2025-03-01T10:00:00Z,email",         # 2 good
        "r2,c1,ann@example.com,eleven,,2025-03-01T10:00:00Z,email",    # 3 TYPE_CAST:score
        "r3,c1,ann@example.com,11,,2025-03-01T10:00:00Z,email",        # 4 OUT_OF_RANGE:score
        ",c1,ann@example.com,5,,2025-03-01T10:00:00Z,email",           # 5 NULL_KEY:response_id
        "r5,c1,ann@example.com,5,,2099-03-01T10:00:00Z,email",         # 6 OUT_OF_RANGE:responded_at
        "r6,c1,ann@example.com,5,\"x" + "y" * 2000 + "\",2025-03-01T10:00:00Z,app",  # 7 FIELD_TOO_LONG:comment
        "r7,c1,\"broken,5,,2025-03-01T10:00:00Z,email",               # 8 PARSE_ERROR
        "r8,c1,ann@example.com,5,2025-03-01T10:00:00Z,email",          # 9 COLUMN_COUNT_MISMATCH
        "r1,c1,ann@example.com,9,,2025-03-01T10:00:00Z,email",         # 10 DUPLICATE (same id as line 2)
        "r9,c1,ann@example.com,3,,03/01/2025,email",                   # 11 TYPE_CAST:responded_at
        "r10,c2,,0,,2025-03-01T23:59:59+08:00,sms",                    # 12 good (zero is in range)
    ])  # fmt: skip
    path = root / "nps_surveys" / DAY1 / "nps-1.csv"
    path.write_bytes(
        path.read_bytes() + b"r11,c1,b\xe9a@example.com,5,,2025-03-01T10:00:00Z,email\n"
    )  # 13 ENCODING
    write_csv(root, "nps_surveys", DAY2, "nps-2.csv", nps, [
        "r1,c1,ann@example.com,9,,2025-03-01T10:00:00Z,email",         # DUPLICATE across batches
        "r12,,bo@example.com,8,\"good, really\",2025-03-02T08:00:00Z,email",
    ])  # fmt: skip
    online = root / "orders" / DAY1
    online.mkdir(parents=True)
    (online / "online-1.jsonl").write_text(
        "\n".join(
            [
                order("o1"),
                order("o2", total_amount="12,50"),  # TYPE_CAST:total_amount
                order("o3", items="not a list"),  # TYPE_CAST:items
                order("o4", total_amount=-1),  # OUT_OF_RANGE:total_amount
                order("o5", coupon="X"),  # COLUMN_COUNT_MISMATCH
                order("o1"),  # DUPLICATE
                '{"order_id": "o6", "channel": "web"',  # PARSE_ERROR
                order(
                    "o7", guest_email="g@example.com", account_id=None, status="shipped"
                ),  # good: enums are
            ]  # checked by quality suites, not quarantined
        )
        + "\n"
    )
    crm = CRM_CONTACTS.column_names
    write_csv(root, "crm_contacts", DAY1, "crm-1.csv", crm, [
        "C1,Ann,Lee,,F,1990-05-17,ann@example.com,13800138000,1 High St,London,SW1A 1AA,GB,true,N,"
        "2025-03-01 09:00:00,2025-03-01 09:00:00",
        "C2,,,王小明,M,2030-01-01,,+86 138 0013 8001,,上海,200001,CN,,,2025-03-01 10:00:00,2025-03-01 10:00:00",
        "C3,,,李雷,M,1985-13-45,,,,,,CN,,,2025-03-01 10:00:00,2025-03-01 10:00:00",
        "C1,Ann,Lee,,F,1990-05-17,ann@example.com,13800138000,1 High St,London,SW1A 1AA,GB,true,N,"
        "2025-03-01 09:00:00,2025-03-01 09:00:00",
    ])  # fmt: skip
    return root


def quarantined(spark: SparkSession, lake: Lake) -> list[tuple[str, int, list[str]]]:
    rows = lake.read("quarantine").select("source_file", "line_number", "reasons").collect()
    return sorted((r.source_file, r.line_number, list(r.reasons)) for r in rows)


def test_every_reason_code_lands_in_quarantine(
    spark: SparkSession, settings: Settings, landing: Path
) -> None:
    lake = Lake.from_settings(spark, settings)
    report = bronze.run(spark, settings, lake, run_id="run-1")
    nps1, nps2 = f"nps_surveys/{DAY1}/nps-1.csv", f"nps_surveys/{DAY2}/nps-2.csv"
    orders, crm = f"orders/{DAY1}/online-1.jsonl", f"crm_contacts/{DAY1}/crm-1.csv"
    assert quarantined(spark, lake) == sorted(
        [
            (nps1, 3, ["TYPE_CAST:score"]),
            (nps1, 4, ["OUT_OF_RANGE:score"]),
            (nps1, 5, ["NULL_KEY:response_id"]),
            (nps1, 6, ["OUT_OF_RANGE:responded_at"]),
            (nps1, 7, ["FIELD_TOO_LONG:comment"]),
            (nps1, 8, ["PARSE_ERROR"]),
            (nps1, 9, ["COLUMN_COUNT_MISMATCH"]),
            (nps1, 10, ["DUPLICATE"]),
            (nps1, 11, ["TYPE_CAST:responded_at"]),
            (nps1, 13, ["ENCODING_ERROR"]),
            (nps2, 2, ["DUPLICATE"]),
            (orders, 2, ["TYPE_CAST:total_amount"]),
            (orders, 3, ["TYPE_CAST:items"]),
            (orders, 4, ["OUT_OF_RANGE:total_amount"]),
            (orders, 5, ["COLUMN_COUNT_MISMATCH"]),
            (orders, 6, ["DUPLICATE"]),
            (orders, 7, ["PARSE_ERROR"]),
            (crm, 3, ["OUT_OF_RANGE:birth_date"]),
            (crm, 4, ["TYPE_CAST:birth_date"]),
            (crm, 5, ["DUPLICATE"]),
        ]
    )
    assert (report.rows_in, report.rows_bronze, report.rows_quarantined) == (26, 6, 20)
    encoding = lake.read("quarantine").filter("line_number = 13").collect()[0].raw_text
    assert "b\\xe9a@example.com" in encoding

    nps = lake.read("bronze_nps_surveys").select(
        "response_id", "score", "responded_at", "batch_date", "line_number"
    )
    expected = spark.createDataFrame(
        [
            ("r1", 9, dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC), dt.date(2025, 3, 1), 2),
            ("r10", 0, dt.datetime(2025, 3, 1, 15, 59, 59, tzinfo=dt.UTC), dt.date(2025, 3, 1), 12),
            ("r12", 8, dt.datetime(2025, 3, 2, 8, 0, tzinfo=dt.UTC), dt.date(2025, 3, 2), 3),
        ],
        "response_id string, score int, responded_at timestamp, batch_date date, line_number long",
    )
    assertDataFrameEqual(nps, expected)
    crm_rows = (
        lake.read("bronze_crm_contacts")
        .select("contact_id", "birth_date", "sms_opt_in", "created_at")
        .collect()
    )
    assert [(r.contact_id, r.birth_date, r.sms_opt_in, r.created_at) for r in crm_rows] == [
        (
            "C1",
            dt.date(1990, 5, 17),
            False,
            dt.datetime(2025, 3, 1, 9, 0),
        )  # wall clock of Asia/Shanghai, as sent
    ]
    (o7,) = lake.read("bronze_orders_online").filter("order_id = 'o7'").collect()
    assert (o7.status, o7.total_amount, o7.items[0].unit_price) == (
        "shipped",
        Decimal("120.50"),
        Decimal("120.50"),
    )
    manifest = {
        r.source_file: (r.rows_in, r.rows_bronze, r.rows_quarantined)
        for r in lake.read("ingest_manifest").collect()
    }
    assert manifest == {nps1: (12, 2, 10), nps2: (2, 1, 1), orders: (8, 2, 6), crm: (4, 1, 3)}


def table_versions(lake: Lake) -> dict[str, int]:
    return {t.name: t.version for t in lake.tables()}


def test_rerun_is_a_no_op_and_changed_files_fail(
    spark: SparkSession, settings: Settings, landing: Path
) -> None:
    lake = Lake.from_settings(spark, settings)
    bronze.run(spark, settings, lake, channels=["nps_surveys"])
    before = table_versions(lake)
    again = bronze.run(spark, settings, lake, channels=["nps_surveys"])
    assert again.feeds == [] and again.skipped_files == 2
    assert table_versions(lake) == before
    path = landing / "nps_surveys" / DAY2 / "nps-2.csv"
    path.write_bytes(path.read_bytes() + b"r99,,z@example.com,1,,2025-03-02T08:00:00Z,email\n")
    with pytest.raises(
        ChangedFileError, match=r"nps_surveys/2025-03-02/nps-2.csv\. Landing files are immutable"
    ):
        bronze.run(spark, settings, lake, channels=["nps_surveys"])
    assert table_versions(lake) == before


def test_a_late_file_reloads_its_whole_batch_without_doubles(
    spark: SparkSession, settings: Settings, landing: Path
) -> None:
    lake = Lake.from_settings(spark, settings)
    bronze.run(spark, settings, lake, channels=["nps_surveys"], batches=[dt.date(2025, 3, 2)])
    write_csv(landing, "nps_surveys", DAY2, "nps-3.csv", NPS_SURVEYS.column_names, [
        "r20,,cy@example.com,10,,2025-03-02T09:00:00Z,app",
    ])  # fmt: skip
    report = bronze.run(spark, settings, lake, channels=["nps_surveys"], batches=[dt.date(2025, 3, 2)])
    assert [(f.files, f.rows_in) for f in report.feeds] == [(2, 3)]
    ids = sorted(r.response_id for r in lake.read("bronze_nps_surveys").collect())
    assert ids == ["r1", "r12", "r20"]  # r1 is not a duplicate here: batch 1 was never ingested


def test_header_mismatch_fails_before_anything_is_written(
    spark: SparkSession, settings: Settings, landing: Path
) -> None:
    lake = Lake.from_settings(spark, settings)
    names = NPS_SURVEYS.column_names
    write_csv(
        landing,
        "nps_surveys",
        "2025-03-03",
        "nps-3.csv",
        [*names[:-1], "channel"],
        ["r30,,,1,,2025-03-03T00:00:00Z,app"],
    )
    with pytest.raises(ContractError, match="missing columns: survey_channel; unexpected columns: channel"):
        bronze.run(spark, settings, lake)
    assert lake.tables() == []


def test_a_mapped_source_lands_beside_the_channel_s_own_files(
    spark: SparkSession, settings: Settings
) -> None:
    """A second CRM, exported in GB18030 with semicolons and gzipped, feeds crm_contacts with its own keys."""
    import gzip

    import yaml

    own = [
        "c1,Ann,Lee,,F,1990-05-01,ann@example.com,13800138000,,Shanghai,200001,CN,true,false,"
        "2025-03-01 09:00:00,2025-03-01 09:00:00"
    ]
    write_csv(settings.paths.landing, "crm_contacts", DAY1, "crm-1.csv", CRM_CONTACTS.column_names, own)
    settings.paths.sources.mkdir(parents=True)
    mapping = {
        "channel": "crm_contacts",
        "files": "kunden*.csv.gz",
        "encoding": "gb18030",
        "delimiter": ";",
        "columns": {
            "contact_id": "编号",
            "full_name": "姓名",
            "birth_date": {"column": "生日", "format": "yyyy/M/d"},
            "created_at": {"column": "创建", "format": "yyyy/M/d HH:mm"},
            "updated_at": {"column": "创建", "format": "yyyy/M/d HH:mm"},
        },
    }
    (settings.paths.sources / "old_crm.yaml").write_text(yaml.safe_dump(mapping, allow_unicode=True))
    folder = settings.paths.landing / "old_crm" / DAY1
    folder.mkdir(parents=True)
    lines = [
        "编号;姓名;生日;创建",
        "c1;王伟;1985/3/7;2025/3/1 08:05",
        "c2;李娜;1985/13/7;2025/3/1 08:06",
        "c3;x",
    ]
    (folder / "kunden-1.csv.gz").write_bytes(gzip.compress("\n".join(lines).encode("gb18030")))

    lake = Lake.from_settings(spark, settings)
    report = bronze.run(spark, settings, lake, channels=["crm_contacts"])
    assert [(f.feed, f.files, f.rows_in, f.rows_bronze, f.rows_quarantined) for f in report.feeds] == [
        ("crm_contacts", 2, 4, 2, 2)
    ]
    rows = {r.contact_id: r for r in lake.read("bronze_crm_contacts").collect()}
    assert set(rows) == {"c1", "old_crm:c1"}  # the same id in two systems stays two records
    assert rows["old_crm:c1"].full_name == "王伟"
    assert rows["old_crm:c1"].birth_date == dt.date(1985, 3, 7)
    assert rows["old_crm:c1"].created_at == dt.datetime(2025, 3, 1, 8, 5)
    assert rows["old_crm:c1"].source_file == f"old_crm/{DAY1}/kunden-1.csv.gz"
    reasons = {(line, tuple(r)) for _, line, r in quarantined(spark, lake)}
    assert reasons == {(3, ("TYPE_CAST:birth_date",)), (4, ("COLUMN_COUNT_MISMATCH",))}
