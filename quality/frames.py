"""The Spark DataFrames a quality gate validates: Delta table versions, and frames derived from them.

Each frame comes with the Delta table and version it was read from, so every result can say exactly
which version it judged. Derived frames (identity layer) hold only ids and counts, never personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from infra.settings import QualitySettings
from infra.storage import Lake
from schemas.bronze import INGEST_MANIFEST
from schemas.identity import CUSTOMER_IDS, IDENTITY_GRAPH, IDENTITY_RUNS
from schemas.silver import PERSON_RECORDS


@dataclass(frozen=True)
class Frame:
    """A DataFrame to validate and the table version it was read at."""

    df: DataFrame
    table: str
    version: int


def arrow(lake: Lake, table: str, columns: Sequence[str] | None = None) -> pa.Table | None:
    """A small table read to the driver as Arrow (string views as plain strings, so the compute
    functions accept them), or None when it does not exist."""
    if not lake.exists(table):
        return None
    data = lake.read_arrow(table, columns)
    fields = [
        pa.field(f.name, pa.string(), f.nullable) if f.type == pa.string_view() else f for f in data.schema
    ]
    return data.cast(pa.schema(fields))


def table_frame(lake: Lake, table: str) -> Frame | None:
    """The current version of ``table``, or None when the table does not exist."""
    if not lake.exists(table):
        return None
    version = lake.version(table)
    return Frame(lake.read(table, version=version), table, version)


def derived_frame(lake: Lake, frame: str, quality: QualitySettings, as_of: dt.date) -> Frame | None:
    """A derived frame by name (see ``quality.suites.DERIVED_FRAMES``); None when its inputs do not
    exist yet."""
    if frame == "quarantine_share":
        return _quarantine_share(lake, quality, as_of)
    builders = {"clusters": _clusters, "tombstones": _tombstones, "assignment": _assignment, "rates": _rates}
    return builders[frame](lake)


def _read(lake: Lake, table: str) -> tuple[DataFrame, int] | None:
    if not lake.exists(table):
        return None
    version = lake.version(table)
    return lake.read(table, version=version), version


def _quarantine_share(lake: Lake, quality: QualitySettings, as_of: dt.date) -> Frame | None:
    """Per feed: the share of its rows quarantined over the batches of the window up to ``as_of``; a feed
    with too few rows there to judge is judged on all its rows up to ``as_of``."""
    manifest = _read(lake, INGEST_MANIFEST.name)
    if manifest is None:
        return None
    df, version = manifest
    start = as_of - dt.timedelta(days=quality.quarantine_window_days - 1)
    in_window = F.col("batch_date").between(F.lit(start), F.lit(as_of))
    to_date = F.col("batch_date") <= F.lit(as_of)

    def total(column: str, condition: Column) -> Column:
        return F.sum(F.when(condition, F.col(column)).otherwise(0))

    sums = df.groupBy("feed").agg(
        total("rows_in", in_window).alias("window_in"),
        total("rows_quarantined", in_window).alias("window_quarantined"),
        total("rows_in", to_date).alias("all_in"),
        total("rows_quarantined", to_date).alias("all_quarantined"),
    )
    enough = F.col("window_in") >= F.lit(max(quality.quarantine_min_rows, 1))
    rows_in = F.when(enough, F.col("window_in")).otherwise(F.col("all_in"))
    quarantined = F.when(enough, F.col("window_quarantined")).otherwise(F.col("all_quarantined"))
    share = F.when(rows_in > 0, quarantined / rows_in).otherwise(F.lit(0.0))
    frame = sums.select(
        "feed",
        rows_in.cast("long").alias("rows_in"),
        quarantined.cast("long").alias("rows_quarantined"),
        share.cast("double").alias("quarantine_share"),
    )
    return Frame(frame, INGEST_MANIFEST.name, version)


def _clusters(lake: Lake) -> Frame | None:
    graph = _read(lake, IDENTITY_GRAPH.name)
    if graph is None:
        return None
    df, version = graph
    sizes = df.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("records"),
        F.min("cluster_size").alias("smallest_stated"),
        F.max("cluster_size").alias("largest_stated"),
    )
    stated_ok = (F.col("smallest_stated") == F.col("records")) & (F.col("largest_stated") == F.col("records"))
    frame = sizes.select(
        "customer_id",
        F.col("records").cast("long").alias("records"),
        (F.col("records") == 1).cast("double").alias("is_singleton"),
        F.coalesce(stated_ok, F.lit(False)).alias("stated_size_ok"),
    )
    return Frame(frame, IDENTITY_GRAPH.name, version)


def _tombstones(lake: Lake) -> Frame | None:
    ids = _read(lake, CUSTOMER_IDS.name)
    graph = _read(lake, IDENTITY_GRAPH.name)
    if ids is None or graph is None:
        return None
    registry, version = ids
    held = graph[0].groupBy("customer_id").agg(F.count(F.lit(1)).alias("records"))
    frame = registry.select("customer_id", "status").join(held, on="customer_id", how="full_outer")
    return Frame(frame.select("customer_id", "status", "records"), CUSTOMER_IDS.name, version)


def _assignment(lake: Lake) -> Frame | None:
    records = _read(lake, PERSON_RECORDS.name)
    graph = _read(lake, IDENTITY_GRAPH.name)
    if records is None or graph is None:
        return None
    silver, version = records
    ids = graph[0].groupBy("record_key").agg(F.countDistinct("customer_id").alias("customer_ids"))
    present = silver.select("record_key", F.lit(1).alias("in_silver"))
    frame = present.join(ids, on="record_key", how="full_outer").select(
        "record_key",
        "in_silver",
        F.coalesce(F.col("customer_ids"), F.lit(0)).cast("long").alias("customer_ids"),
    )
    return Frame(frame, PERSON_RECORDS.name, version)


def _rates(lake: Lake) -> Frame | None:
    """Merges and splits of the latest resolution run per customer of the run before it (or of the
    latest run itself, for the first run)."""
    runs = _read(lake, IDENTITY_RUNS.name)
    if runs is None:
        return None
    df, version = runs
    ordered = Window.orderBy(F.col("finished_at").desc(), F.col("run_id").desc())
    ranked = df.withColumn("rank", F.row_number().over(ordered)).filter(F.col("rank") <= 2)
    latest = ranked.filter(F.col("rank") == 1).alias("l")
    previous = ranked.filter(F.col("rank") == 2).alias("p")
    base = F.greatest(F.coalesce(F.col("p.customers"), F.col("l.customers")), F.lit(1))
    frame = latest.join(previous, how="left", on=F.lit(True)).select(
        F.col("l.run_id").alias("identity_run_id"),
        F.col("l.merges").alias("merges"),
        F.col("l.splits").alias("splits"),
        (F.col("l.merges") / base).alias("merge_rate"),
        (F.col("l.splits") / base).alias("split_rate"),
    )
    return Frame(frame, IDENTITY_RUNS.name, version)
