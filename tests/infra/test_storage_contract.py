"""One contract for every Delta back end: each test runs on delta-rs and on delta-spark, and each engine
reads and extends the tables the other wrote.

delta-spark needs Delta's JARs, which ``make install`` fetches into ``.jars/delta``; without them its runs
fail with that instruction rather than being skipped.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.testing import assertDataFrameEqual

from infra.jars import missing_message
from infra.spark import has_delta_spark
from infra.storage import DuplicateKeyError, Lake, LakeError, SchemaMismatchError, TableNotFoundError

ALL_TYPES = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("name", T.StringType()),
        T.StructField("score", T.DoubleType()),
        T.StructField("amount", T.DecimalType(12, 2)),
        T.StructField("born_on", T.DateType()),
        T.StructField("seen_at", T.TimestampType()),
        T.StructField("is_active", T.BooleanType()),
        T.StructField("tags", T.ArrayType(T.StringType())),
        T.StructField("counts", T.MapType(T.StringType(), T.LongType())),
        T.StructField("batch_date", T.DateType()),
    ]
)
UTC = dt.UTC
DAY1, DAY2 = dt.date(2025, 3, 1), dt.date(2025, 3, 2)


def typed_rows() -> list[tuple[object, ...]]:
    return [
        (
            1,
            "Zoë 王",
            0.5,
            Decimal("10.25"),
            dt.date(1990, 5, 17),
            dt.datetime(2025, 3, 1, 8, 30, 1, 123000, UTC),
            True,
            ["vip", "app"],
            {"web": 3},
            DAY1,
        ),
        (2, None, None, None, None, None, None, None, None, DAY1),
        (
            3,
            "Bob",
            -1.25,
            Decimal("-0.01"),
            dt.date(2001, 1, 1),
            dt.datetime(2025, 3, 2, 23, 59, 59, 0, UTC),
            False,
            [],
            {},
            DAY2,
        ),
    ]


@pytest.fixture(params=["delta-rs", "delta-spark"])
def lake(request: pytest.FixtureRequest, spark: SparkSession, tmp_path: Path) -> Lake:
    engine = request.param
    if engine == "delta-spark" and not has_delta_spark(spark):
        pytest.fail(missing_message())
    return Lake.open(spark, tmp_path / "lake", engine)


ENGINE_PAIRS = [("delta-rs", "delta-spark"), ("delta-spark", "delta-rs")]


@pytest.mark.parametrize(("writer", "reader"), ENGINE_PAIRS)
def test_each_engine_reads_and_extends_the_other_s_tables(
    spark: SparkSession, tmp_path: Path, writer: str, reader: str
) -> None:
    if not has_delta_spark(spark):
        pytest.fail(missing_message())
    first, second = Lake.open(spark, tmp_path, writer), Lake.open(spark, tmp_path, reader)
    props = {"delta.enableChangeDataFeed": "true"}
    typed = spark.createDataFrame(typed_rows(), ALL_TYPES)
    first.append("typed", typed, partition_by=["batch_date"], properties=props)
    assertDataFrameEqual(second.read("typed"), typed)
    assert second.partition_columns("typed") == ["batch_date"]
    # The other engine overwrites a partition and merges; the first reads the result and the change feed.
    day2 = typed.filter(F.col("batch_date") == F.lit(DAY2)).withColumn("score", F.lit(0.5))
    second.overwrite("typed", day2, where={"batch_date": DAY2})
    start = first.version("typed")
    change = typed.filter(F.col("id") == 1).withColumn("name", F.lit("Ann"))
    second.merge("typed", change, ["id"])
    expected = (
        typed.filter(F.col("batch_date") == F.lit(DAY1))
        .withColumn("name", F.when(F.col("id") == 1, "Ann").otherwise(F.col("name")))
        .unionByName(day2)
    )
    assertDataFrameEqual(first.read("typed"), expected)
    changes = first.changes("typed", start + 1).select("id", "name", "_change_type")
    assert sorted(tuple(r) for r in changes.collect()) == [
        (1, "Ann", "update_postimage"),
        (1, "Zoë 王", "update_preimage"),
    ]
    # Arrow sync from either side commits nothing when nothing changed.
    before = first.version("typed")
    second.sync("typed", first.read_arrow("typed"), ["id"])
    assert first.version("typed") == before
    assert [c.operation for c in first.history("typed")][:1] != []


def people(spark: SparkSession, rows: list[tuple[object, ...]]) -> object:
    schema = "customer_id string, name string, points long, region string"
    return spark.createDataFrame(rows, schema)


def test_round_trip_keeps_every_type(lake: Lake, spark: SparkSession) -> None:
    df = spark.createDataFrame(typed_rows(), ALL_TYPES)
    version = lake.append("typed", df, partition_by=["batch_date"])
    assert version == 1  # create, then the append
    back = lake.read("typed")
    assert [(f.name, f.dataType) for f in back.schema.fields] == [
        (f.name, f.dataType) for f in ALL_TYPES.fields
    ]
    assertDataFrameEqual(back, df)
    assert lake.partition_columns("typed") == ["batch_date"]


def test_merge_updates_inserts_and_deletes_when_matched(lake: Lake, spark: SparkSession) -> None:
    lake.append(
        "customers", people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 20, "cn"), ("c3", "Cy", 5, "us")])
    )
    source = spark.createDataFrame(
        [
            ("c1", "Ann", 15, "uk", False),
            ("c2", None, None, None, True),
            ("c4", "Dee", 1, "cn", False),
            ("c5", "Gone", 0, "cn", True),
        ],
        "customer_id string, name string, points long, region string, _deleted boolean",
    )
    metrics = lake.merge(
        "customers", source, ["customer_id"], delete_condition="s._deleted", insert_condition="NOT s._deleted"
    )
    expected = people(spark, [("c1", "Ann", 15, "uk"), ("c3", "Cy", 5, "us"), ("c4", "Dee", 1, "cn")])
    assertDataFrameEqual(lake.read("customers"), expected)
    assert "_deleted" not in lake.schema("customers").fieldNames()
    assert isinstance(metrics, dict) and metrics


def test_merge_update_condition_and_no_insert(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 20, "cn")]))
    source = people(spark, [("c1", "Ann", 5, "uk"), ("c2", "Bo", 25, "cn"), ("c9", "New", 1, "uk")])
    lake.merge("customers", source, ["customer_id"], update_condition="s.points > t.points", insert=False)
    assertDataFrameEqual(
        lake.read("customers"), people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 25, "cn")])
    )


def test_merge_creates_a_missing_table(lake: Lake, spark: SparkSession) -> None:
    lake.merge("fresh", people(spark, [("c1", "Ann", 1, "uk")]), ["customer_id"])
    assertDataFrameEqual(lake.read("fresh"), people(spark, [("c1", "Ann", 1, "uk")]))


def test_merge_refuses_duplicate_and_null_keys(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]))
    before = lake.version("customers")
    dupes = people(spark, [("c1", "Ann", 11, "uk"), ("c1", "Ann", 12, "uk")])
    with pytest.raises(DuplicateKeyError, match=r"same key more than once \(customer_id='c1'\)"):
        lake.merge("customers", dupes, ["customer_id"])
    with pytest.raises(DuplicateKeyError, match="null key"):
        lake.merge("customers", people(spark, [(None, "X", 1, "uk")]), ["customer_id"])
    assert lake.version("customers") == before


def test_partition_overwrite_replaces_only_its_partition(lake: Lake, spark: SparkSession) -> None:
    df = spark.createDataFrame(typed_rows(), ALL_TYPES)
    lake.append("typed", df, partition_by=["batch_date"])
    replacement = spark.createDataFrame(
        [(9, "New", None, None, None, None, None, None, None, DAY1)], ALL_TYPES
    )
    lake.overwrite("typed", replacement, where={"batch_date": DAY1})
    assert sorted(r.id for r in lake.read("typed").collect()) == [3, 9]
    # Rerunning the same partition overwrite gives the same table content.
    lake.overwrite("typed", replacement, where={"batch_date": DAY1})
    assert sorted(r.id for r in lake.read("typed").collect()) == [3, 9]
    stray = spark.createDataFrame([(10, "x", None, None, None, None, None, None, None, DAY2)], ALL_TYPES)
    with pytest.raises(LakeError, match="rows outside that predicate"):
        lake.overwrite("typed", stray, where={"batch_date": DAY1})


def test_whole_table_overwrite_and_delete(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 20, "cn")]))
    lake.overwrite("customers", people(spark, [("c3", "Cy", 1, "us"), ("c4", "Di", 2, "uk")]))
    assert lake.delete("customers", "region = 'uk'") == 1
    assertDataFrameEqual(lake.read("customers"), people(spark, [("c3", "Cy", 1, "us")]))


def test_time_travel_by_version_and_timestamp(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]))
    first = lake.version("customers")
    stamp = lake.history("customers", 1)[0].timestamp
    lake.append("customers", people(spark, [("c2", "Bo", 20, "cn")]))
    assertDataFrameEqual(lake.read("customers", version=first), people(spark, [("c1", "Ann", 10, "uk")]))
    assertDataFrameEqual(lake.read("customers", timestamp=stamp), people(spark, [("c1", "Ann", 10, "uk")]))
    assert lake.read("customers").count() == 2


def test_change_data_feed_between_versions(lake: Lake, spark: SparkSession) -> None:
    props = {"delta.enableChangeDataFeed": "true"}
    lake.append(
        "customers", people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 20, "cn")]), properties=props
    )
    start = lake.version("customers")
    lake.merge("customers", people(spark, [("c1", "Ann", 11, "uk"), ("c3", "Cy", 1, "us")]), ["customer_id"])
    lake.delete("customers", "customer_id = 'c2'")
    changes = lake.changes("customers", start + 1).select("customer_id", "points", "_change_type")
    expected = spark.createDataFrame(
        [
            ("c1", 10, "update_preimage"),
            ("c1", 11, "update_postimage"),
            ("c3", 1, "insert"),
            ("c2", 20, "delete"),
        ],
        "customer_id string, points long, _change_type string",
    )
    assertDataFrameEqual(changes, expected)
    assert lake.properties("customers")["delta.enableChangeDataFeed"] == "true"


def test_change_data_feed_must_be_enabled(lake: Lake, spark: SparkSession) -> None:
    lake.append("plain", people(spark, [("c1", "Ann", 10, "uk")]))
    with pytest.raises(LakeError, match=r"change data feed enabled; set the table property"):
        lake.changes("plain", 0)
    lake.set_properties("plain", {"delta.enableChangeDataFeed": "true"})
    version = lake.version("plain")
    lake.append("plain", people(spark, [("c2", "Bo", 1, "cn")]))
    assert [r.customer_id for r in lake.changes("plain", version + 1).collect()] == ["c2"]


def test_schema_mismatch_names_the_columns(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]))
    wrong_type = spark.createDataFrame(
        [("c2", "Bo", "lots", "cn")], "customer_id string, name string, points string, region string"
    )
    with pytest.raises(SchemaMismatchError, match=r"points \(table bigint, data string\)"):
        lake.append("customers", wrong_type)
    extra = spark.createDataFrame(
        [("c2", "Bo", 1, "cn", "x@y.z")],
        "customer_id string, name string, points long, region string, email string",
    )
    with pytest.raises(SchemaMismatchError, match="columns not in the table: email"):
        lake.append("customers", extra)
    with pytest.raises(SchemaMismatchError, match="columns missing from the data: region"):
        lake.append("customers", extra.drop("region", "email"))
    lake.append("customers", extra, schema_evolution=True)
    assert lake.schema("customers").fieldNames() == ["customer_id", "name", "points", "region", "email"]
    assert sorted((r.customer_id, r.email) for r in lake.read("customers").collect()) == [
        ("c1", None),
        ("c2", "x@y.z"),
    ]


def test_add_columns_upgrades_a_table_in_place(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]))
    wider = T.StructType(
        [
            *lake.schema("customers").fields,
            T.StructField("email", T.StringType()),
            T.StructField("joined", T.DateType()),
        ]
    )
    assert lake.add_columns("customers", wider)
    assert not lake.add_columns("customers", wider)  # nothing left to add: no commit
    version = lake.version("customers")
    assert lake.schema("customers").fieldNames() == [
        "customer_id", "name", "points", "region", "email", "joined",
    ]  # fmt: skip
    lake.append(
        "customers",
        spark.createDataFrame(
            [("c2", "Bo", 1, "cn", "b@o.cn", dt.date(2024, 1, 2))],
            "customer_id string, name string, points long, region string, email string, joined date",
        ),
    )
    assert lake.version("customers") == version + 1
    assert sorted((r.customer_id, r.email, r.joined) for r in lake.read("customers").collect()) == [
        ("c1", None, None),
        ("c2", "b@o.cn", dt.date(2024, 1, 2)),
    ]


def test_columns_are_aligned_by_name_not_position(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]))
    shuffled = spark.createDataFrame(
        [("cn", 20, "Bo", "c2")], "region string, points long, name string, customer_id string"
    )
    lake.append("customers", shuffled)
    assertDataFrameEqual(
        lake.read("customers"), people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 20, "cn")])
    )


def test_concurrent_appends_both_land(lake: Lake, spark: SparkSession) -> None:
    lake.append("events", people(spark, [("c0", "seed", 0, "uk")]))
    frames = [people(spark, [(f"c{i}", f"writer {i}", i, "uk")]).toPandas() for i in (1, 2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(frame: object) -> None:
        try:
            df = spark.createDataFrame(frame)  # type: ignore[arg-type]
            barrier.wait()
            lake.append("events", df)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f,)) for f in frames]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.customer_id for r in lake.read("events").collect()) == ["c0", "c1", "c2"]
    assert lake.version("events") == 3


def test_history_metadata_vacuum_and_listing(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]), metadata={"run_id": "r-1"})
    lake.overwrite("customers", people(spark, [("c2", "Bo", 20, "cn")]), metadata={"run_id": "r-2"})
    history = lake.history("customers")
    assert [c.version for c in history] == [2, 1, 0]
    assert history[0].metadata.get("run_id") == "r-2"
    assert history[1].metadata.get("run_id") == "r-1"
    assert history[0].timestamp.tzinfo is not None
    with pytest.raises(LakeError, match="at least 168 hours"):
        lake.vacuum("customers", retention_hours=0)
    # Nothing is a week old yet: a dry run lists no file, and the data and its history stay readable.
    assert lake.vacuum("customers", dry_run=True) == []
    lake.vacuum("customers")
    assertDataFrameEqual(lake.read("customers", version=1), people(spark, [("c1", "Ann", 10, "uk")]))
    assertDataFrameEqual(lake.read("customers"), people(spark, [("c2", "Bo", 20, "cn")]))
    (info,) = [t for t in lake.tables() if t.name == "customers"]
    assert (info.rows, info.version >= 2, info.last_write is not None) == (1, True, True)


def test_optimize_compacts_small_files_and_keeps_the_data(lake: Lake, spark: SparkSession) -> None:
    for n in range(3):
        lake.append("events", people(spark, [(f"c{n}", "Ann", n, "uk")]).coalesce(1))
    assert lake.file_count("events") == 3
    before = sorted(tuple(r) for r in lake.read("events").collect())
    compaction = lake.optimize("events")
    assert (compaction.files_before, compaction.files_after) == (3, 1)
    assert (compaction.files_removed, compaction.files_added) == (3, 1)
    assert sorted(tuple(r) for r in lake.read("events").collect()) == before
    again = lake.optimize("events")
    assert (again.files_before, again.files_after, again.files_removed) == (1, 1, 0)


def test_missing_table_and_bad_names(lake: Lake) -> None:
    with pytest.raises(TableNotFoundError, match="Table 'nope' does not exist"):
        lake.read("nope")
    with pytest.raises(LakeError, match="Invalid table name"):
        lake.path("../escape")


def test_empty_table_reads_as_empty_frame(lake: Lake, spark: SparkSession) -> None:
    lake.create("empty", T.StructType([T.StructField("id", T.LongType())]))
    assert lake.create("empty", T.StructType([T.StructField("id", T.LongType())])) is False
    df = lake.read("empty")
    assert df.count() == 0 and df.columns == ["id"]
    with pytest.raises(SchemaMismatchError):
        lake.create("empty", T.StructType([T.StructField("id", T.StringType())]))


def test_row_objects_with_nested_types_survive_merge(lake: Lake, spark: SparkSession) -> None:
    df = spark.createDataFrame(typed_rows(), ALL_TYPES)
    lake.append("typed", df)
    update = spark.createDataFrame([(*typed_rows()[0][:1], "Zoe", *typed_rows()[0][2:])], ALL_TYPES)
    lake.merge("typed", update, ["id"])
    row = lake.read("typed").filter(F.col("id") == 1).collect()[0]
    assert row == Row(**{**typed_rows_as_dict(0), "name": "Zoe"})


def typed_rows_as_dict(index: int) -> dict[str, object]:
    values = typed_rows()[index]
    result = dict(zip(ALL_TYPES.fieldNames(), values, strict=True))
    result["seen_at"] = result["seen_at"].astimezone().replace(tzinfo=None)  # type: ignore[union-attr]
    return result


@pytest.mark.parametrize("as_arrow", [False, True], ids=["dataframe", "arrow"])
def test_sync_commits_only_real_changes(lake: Lake, spark: SparkSession, as_arrow: bool) -> None:
    schema = "customer_id string, name string, points long, run_id string"
    props = {"delta.enableChangeDataFeed": "true"}

    def source(df: DataFrame) -> DataFrame | pa.Table:
        return df.toArrow() if as_arrow else df

    first = spark.createDataFrame(
        [("c1", "Ann", 1, "r1"), ("c2", "Bo", 2, "r1"), ("c3", "Cy", 3, "r1")], schema
    )
    version = lake.sync(
        "profiles", source(first), ["customer_id"], ignore_changes_in=["run_id"], properties=props
    )
    same_but_new_run = source(first.withColumn("run_id", F.lit("r2")))
    assert lake.sync("profiles", same_but_new_run, ["customer_id"], ignore_changes_in=["run_id"]) == version
    second = spark.createDataFrame(
        [("c1", "Ann", 1, "r3"), ("c2", "Bo", 5, "r3"), ("c4", "Di", 4, "r3")], schema
    )
    new_version = lake.sync("profiles", source(second), ["customer_id"], ignore_changes_in=["run_id"])
    assert new_version > version
    assertDataFrameEqual(
        lake.read("profiles").select("customer_id", "points"),
        spark.createDataFrame([("c1", 1), ("c2", 5), ("c4", 4)], "customer_id string, points long"),
    )
    changes = lake.changes("profiles", version + 1).select("customer_id", "_change_type")
    expected = spark.createDataFrame(
        [("c2", "update_preimage"), ("c2", "update_postimage"), ("c3", "delete"), ("c4", "insert")],
        "customer_id string, _change_type string",
    )
    assertDataFrameEqual(changes, expected)


def test_arrow_sync_keeps_every_type_and_compares_every_column(lake: Lake, spark: SparkSession) -> None:
    df = spark.createDataFrame(typed_rows(), ALL_TYPES)
    version = lake.sync("typed", df.toArrow(), ["id"])
    assertDataFrameEqual(lake.read("typed"), df)
    assert lake.sync("typed", df.toArrow(), ["id"]) == version
    # A change in a nested column alone is a change; a vanished key is deleted.
    changed = df.where("id <> 3").withColumn(
        "counts",
        F.when(F.col("id") == 1, F.create_map(F.lit("web"), F.lit(4).cast("long"))).otherwise(
            F.col("counts")
        ),
    )
    assert lake.sync("typed", changed.toArrow(), ["id"]) > version
    assertDataFrameEqual(lake.read("typed"), changed)


def test_arrow_sync_refuses_duplicate_keys_and_wrong_columns(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk")]))
    before = lake.version("customers")
    dupes = people(spark, [("c1", "Ann", 11, "uk"), ("c1", "Ann", 12, "uk")]).toArrow()
    with pytest.raises(DuplicateKeyError, match=r"same key more than once \(customer_id='c1'\)"):
        lake.sync("customers", dupes, ["customer_id"])
    with pytest.raises(SchemaMismatchError, match="columns missing from the data: region"):
        lake.sync("customers", dupes.drop_columns(["region"]), ["customer_id"])
    assert lake.version("customers") == before


def test_read_arrow_returns_the_snapshot(lake: Lake, spark: SparkSession) -> None:
    lake.append("customers", people(spark, [("c1", "Ann", 10, "uk"), ("c2", "Bo", 20, "cn")]))
    table = lake.read_arrow("customers", ["customer_id", "points"])
    assert table.column_names == ["customer_id", "points"]
    assert sorted(zip(*table.to_pydict().values(), strict=True)) == [("c1", 10), ("c2", 20)]


def big_frame(spark: SparkSession, rows: int = 500_000) -> DataFrame:
    """About 37 MB as Arrow: past the test session's spark.driver.maxResultSize (32m)."""
    return spark.range(rows).select(F.col("id"), F.sha2(F.col("id").cast("string"), 256).alias("label"))


def assert_same_rows(actual: DataFrame, expected: DataFrame) -> None:
    """Whole-frame equality computed in the executors (the frames are too big to collect here)."""
    assert actual.exceptAll(expected).count() == 0
    assert expected.exceptAll(actual).count() == 0


def test_a_frame_too_big_for_the_driver_is_written_by_the_executors(
    spark: SparkSession, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if not has_delta_spark(spark):
        pytest.fail(missing_message(Path(".jars/delta")))
    lake = Lake.open(spark, tmp_path / "lake", "delta-rs")
    lake.append("small", big_frame(spark, 1_000))
    with caplog.at_level("WARNING", logger="infra.storage.lake"):
        lake.append("big", big_frame(spark))
        lake.merge("small", big_frame(spark).filter("id % 2 = 0"), ["id"])
    assert [r.getMessage() for r in caplog.records if "delta-spark in the executors" in r.getMessage()]
    assert lake.engine == "delta-rs"
    assert_same_rows(lake.read("big"), big_frame(spark))
    merged = big_frame(spark).filter("id % 2 = 0 OR id < 1000")
    assert_same_rows(lake.read("small"), merged)
    # The tables delta-spark wrote stay readable and writable by delta-rs.
    lake.append("small", big_frame(spark, 1_000).filter("id % 2 = 1").withColumn("id", F.col("id") + 10**7))
    assert lake.read("small").count() == merged.count() + 500


def test_a_frame_too_big_without_delta_spark_says_how_to_fix_it(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("infra.spark.has_delta_spark", lambda _spark: False)
    lake = Lake.open(spark, tmp_path / "lake", "delta-rs")
    with pytest.raises(LakeError) as info:
        lake.append("big", big_frame(spark))
    message = str(info.value)
    assert "Writing table 'big'" in message and "spark.driver.maxResultSize (32m)" in message
    assert "make install" in message and "CDP_SPARK__MAX_RESULT_SIZE" in message
    assert lake.read("big").count() == 0
