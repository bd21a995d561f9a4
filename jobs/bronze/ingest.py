"""Bronze ingestion: landing files -> ``bronze_<feed>`` tables, ``quarantine`` and ``ingest_manifest``.

For every feed with new files: check each CSV header against the contract (a mismatch fails before
anything is written), parse every line (Python, one file per task), type each field with ``try_*``
functions so one bad value quarantines its row instead of failing the job, flag duplicates within and
across batches, then write the good rows to bronze and the rest to quarantine with reason codes. Rows in =
bronze + quarantine is checked for every file before anything is written; a mismatch fails the run.

Batches are the unit of idempotency: a batch with any new file is re-read whole and its partition
overwritten, a batch whose files are all in the manifest is skipped, and a file whose checksum changed
since it was ingested fails loudly (landing files are immutable; corrections come as new files).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from infra.errors import UserFacingError
from infra.runs import StepReport, new_run_id
from infra.settings import Settings
from infra.storage import Lake
from jobs.bronze import sources
from jobs.bronze.landing_files import (
    LandingFile,
    check_header,
    check_mapped_header,
    discover,
    parse_lines,
    parse_mapped,
)
from jobs.bronze.sources import SourceMapping
from schemas.bronze import INGEST_MANIFEST, QUARANTINE, Reason, bronze_table
from schemas.core import Column, LandingContract
from schemas.landing import contract as contract_of

PARSE_BYTES_PER_TASK = 16 * 1024 * 1024
FEED_THREADS = 3


class ChangedFileError(UserFacingError):
    """A landing file already ingested now has different content."""


class BalanceError(UserFacingError):
    """Rows read from a file do not equal rows written to bronze plus quarantine."""


@dataclass
class FeedResult:
    """What one feed's ingestion did."""

    feed: str
    channel: str
    batches: list[dt.date] = field(default_factory=list)
    files: int = 0
    rows_in: int = 0
    rows_bronze: int = 0
    rows_quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


@dataclass
class IngestReport(StepReport):
    """What an ingestion run did, per feed, and which files it skipped as already ingested."""

    derived = ("batches", "files", "rows_in", "rows_bronze", "rows_quarantined", "reasons")

    run_id: str
    feeds: list[FeedResult] = field(default_factory=list)
    skipped_files: int = 0

    @property
    def batches(self) -> list[dt.date]:
        return sorted({day for f in self.feeds for day in f.batches})

    @property
    def files(self) -> int:
        return sum(f.files for f in self.feeds)

    @property
    def rows_in(self) -> int:
        return sum(f.rows_in for f in self.feeds)

    @property
    def rows_bronze(self) -> int:
        return sum(f.rows_bronze for f in self.feeds)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.feeds)

    @property
    def reasons(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.feeds:
            total.update(f.reasons)
        return total


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    *,
    channels: Sequence[str] | None = None,
    batches: Sequence[dt.date] | None = None,
    run_id: str | None = None,
) -> IngestReport:
    """Ingest every new landing batch of the given channels (all by default), or of the given batch dates.

    Raises:
        ContractError: a file's header, name or folder breaks its contract (nothing is written).
        ChangedFileError: a file already ingested has changed (nothing is written).
        BalanceError: rows in differ from rows out for a file (nothing is written).
    """
    run_id = run_id or new_run_id("ingest")
    report = IngestReport(run_id=run_id)
    if batches is not None and not batches:
        return report
    mappings = sources.load(settings.paths.sources)
    files = discover(settings.paths.landing, channels, batches, mappings)
    seen = _manifest(lake)
    changed = [f for f in files if f.relative_path in seen and seen[f.relative_path] != f.checksum]
    if changed:
        names = ", ".join(f.relative_path for f in changed[:5])
        raise ChangedFileError(
            f"{len(changed)} landing file(s) changed after they were ingested: {names}. Landing files are "
            "immutable; deliver corrections as a new file in a new batch folder."
        )
    by_feed: dict[str, list[LandingFile]] = {}
    for f in files:
        by_feed.setdefault(f.feed, []).append(f)
    pending: dict[str, list[LandingFile]] = {}
    for feed, feed_files in by_feed.items():
        new_batches = {f.batch_date for f in feed_files if f.relative_path not in seen}
        pending[feed] = [f for f in feed_files if f.batch_date in new_batches]
        report.skipped_files += len(feed_files) - len(pending[feed])
    for feed, feed_files in pending.items():
        for f in feed_files:
            if f.source is None:
                check_header(f, contract_of(feed))
            else:
                check_mapped_header(f, mappings[f.source])
    ingested_at = dt.datetime.now(dt.UTC)
    manifest_rows: list[tuple[object, ...]] = []
    todo = [(feed, feed_files) for feed, feed_files in sorted(pending.items()) if feed_files]
    if todo:
        lake.create(QUARANTINE.name, QUARANTINE.spark_schema, partition_by=QUARANTINE.partition_by)
    # Feeds are independent: a few at once keep both cores busy while one waits on its small Spark jobs
    # or on the driver (Arrow conversion, Delta commits). Quarantine writes, one table, take turns.
    quarantine_lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=FEED_THREADS, thread_name_prefix="ingest") as pool:
        args = (run_id, ingested_at, quarantine_lock)
        futures = [
            pool.submit(_ingest_feed, spark, lake, contract_of(feed), feed_files, mappings, *args)
            for feed, feed_files in todo
        ]
        outcomes = [future.result() for future in futures]
    for (_, feed_files), (result, per_file) in zip(todo, outcomes, strict=True):
        report.feeds.append(result)
        for f in feed_files:
            bronze_rows, quarantined = per_file.get(f.relative_path, (0, 0))
            row = (f.relative_path, f.channel, f.feed, f.batch_date, f.checksum, f.size_bytes, f.rows)
            manifest_rows.append((*row, bronze_rows, quarantined, ingested_at, run_id))
    if manifest_rows:
        manifest = spark.createDataFrame(manifest_rows, INGEST_MANIFEST.spark_schema)
        lake.merge(INGEST_MANIFEST.name, manifest, ["source_file"], metadata={"run_id": run_id})
    return report


def _manifest(lake: Lake) -> dict[str, str]:
    if not lake.exists(INGEST_MANIFEST.name):
        return {}
    rows = lake.read(INGEST_MANIFEST.name).select("source_file", "checksum").collect()
    return {r.source_file: r.checksum for r in rows}


def _ingest_feed(
    spark: SparkSession,
    lake: Lake,
    contract: LandingContract,
    files: list[LandingFile],
    mappings: dict[str, SourceMapping],
    run_id: str,
    ingested_at: dt.datetime,
    quarantine_lock: threading.Lock,
) -> tuple[FeedResult, dict[str, tuple[int, int]]]:
    table = bronze_table(contract)
    batches = sorted({f.batch_date for f in files})
    used = {f.source: mappings[f.source] for f in files if f.source is not None}
    parsed = _parse(spark, contract, files, used)
    typed = _type_and_check(parsed, contract)
    flagged = _flag_duplicates(typed, contract, lake, table.name, batches).persist()
    try:
        # One pass gives both the balance per file and the quarantine reasons.
        counts = flagged.groupBy("source_file", "reasons").count().collect()
        per_file: dict[str, list[int]] = {}
        reasons: Counter[str] = Counter()
        for row in counts:
            slot = per_file.setdefault(row.source_file, [0, 0])
            slot[1 if row.reasons else 0] += row["count"]
            for reason in row.reasons:
                reasons[reason] += row["count"]
        _check_balance(files, per_file)
        stamp = [F.lit(ingested_at).alias("ingested_at"), F.lit(run_id).alias("run_id")]
        good = flagged.filter(F.size("reasons") == 0).select(
            *contract.column_names, "batch_date", "source_file", "line_number", "row_hash", *stamp
        )
        bad = flagged.filter(F.size("reasons") > 0).select(
            F.lit(contract.channel).alias("channel"),
            F.lit(contract.feed).alias("feed"),
            "batch_date",
            "source_file",
            "line_number",
            "raw_text",
            "reasons",
            "row_hash",
            *stamp,
        )
        lake.create(
            table.name, table.spark_schema, partition_by=table.partition_by, description=table.description
        )
        metadata = {"run_id": run_id, "feed": contract.feed}
        # Every row's batch_date is one of ``batches`` by construction (it comes from the file's folder).
        lake.overwrite(table.name, good, where={"batch_date": batches}, metadata=metadata, verify=False)
        where = {"feed": contract.feed, "batch_date": batches}
        with quarantine_lock:
            lake.overwrite(QUARANTINE.name, bad, where=where, metadata=metadata, verify=False)
    finally:
        flagged.unpersist()
    result = FeedResult(
        feed=contract.feed,
        channel=contract.channel,
        batches=batches,
        files=len(files),
        rows_in=sum(f.rows for f in files),
        rows_bronze=sum(v[0] for v in per_file.values()),
        rows_quarantined=sum(v[1] for v in per_file.values()),
        reasons=reasons,
    )
    return result, {k: (v[0], v[1]) for k, v in per_file.items()}


def _check_balance(files: list[LandingFile], per_file: dict[str, list[int]]) -> None:
    wrong = []
    for f in files:
        out = sum(per_file.get(f.relative_path, [0, 0]))
        if out != f.rows:
            wrong.append(f"{f.relative_path}: {f.rows} rows in, {out} out")
    if wrong:
        raise BalanceError(
            "Rows in do not equal bronze + quarantine (nothing was written): " + "; ".join(wrong[:5])
        )


def _parse(
    spark: SparkSession,
    contract: LandingContract,
    files: list[LandingFile],
    mappings: dict[str, SourceMapping] | None = None,
) -> DataFrame:
    """Each file's lines as text fields plus parse-level reasons; files of a mapped source are read
    and mapped as their mapping says (``jobs.bronze.sources``).

    Spark distributes the *file list*; each task opens its files through pyarrow's file systems (local
    disk, S3, GCS, HDFS), so no Spark file listing is needed however many small batch files there are.
    """
    names = contract.column_names
    schema = parsed_schema(contract, T.StructField("batch", T.StringType()))
    arrow_schema = pa.schema(
        [
            ("source_file", pa.string()),
            ("batch", pa.string()),
            ("line_number", pa.int64()),
            ("raw_text", pa.string()),
            ("parse_reasons", pa.list_(pa.string())),
            *[(f"raw_{n}", pa.string()) for n in names],
        ]
    )

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for uri, relative, batch_date, source in zip(
                batch.column("uri").to_pylist(),
                batch.column("relative").to_pylist(),
                batch.column("batch").to_pylist(),
                batch.column("source").to_pylist(),
                strict=True,
            ):
                filesystem, path = pafs.FileSystem.from_uri(uri)
                # Raw bytes as delivered: pyarrow would otherwise gunzip by the name; the checksum and
                # the mapping decide that.
                with filesystem.open_input_stream(path, compression=None) as stream:
                    content = stream.read()
                mapping = (mappings or {}).get(source) if source else None
                lines = (
                    parse_mapped(content, mapping, relative) if mapping else parse_lines(content, contract)
                )
                columns: list[list[object]] = [[] for _ in range(5 + len(names))]
                for line in lines:
                    columns[0].append(relative)
                    columns[1].append(batch_date)
                    columns[2].append(line.line_number)
                    columns[3].append(line.raw_text)
                    columns[4].append(list(line.reasons))
                    for i, value in enumerate(line.fields):
                        columns[5 + i].append(value)
                yield pa.RecordBatch.from_arrays(
                    [pa.array(values, type=arrow_schema.field(i).type) for i, values in enumerate(columns)],
                    schema=arrow_schema,
                )

    listing = [
        (f.path.resolve().as_uri(), f.relative_path, f.batch_date.isoformat(), f.source) for f in files
    ]
    # A Python task costs ~0.1-0.2 s to start, so small batches get few tasks and big ones one per core.
    size = sum(f.size_bytes for f in files)
    tasks = max(1, min(len(files), spark.sparkContext.defaultParallelism, 1 + size // PARSE_BYTES_PER_TASK))
    files_df = spark.createDataFrame(
        listing, "uri string, relative string, batch string, source string"
    ).repartition(tasks)
    return files_df.mapInArrow(parse, schema).withColumn("batch_date", F.to_date("batch")).drop("batch")


@dataclass(frozen=True)
class PreviewRow:
    """One landing line as ingestion would take it: its contract fields as mapped, and the reasons it
    would be quarantined (none: it would land in bronze)."""

    line_number: int
    fields: dict[str, str | None]
    reasons: tuple[str, ...]


def preview(
    spark: SparkSession, mapping: SourceMapping, path: Path, batch_date: dt.date, rows: int = 10
) -> list[PreviewRow]:
    """The first ``rows`` lines of one file of a mapped source, mapped and checked exactly as ingestion
    does (the same parsing and the same Spark typing), without writing anything. Duplicates across
    batches are not looked up."""
    contract = mapping.contract
    lines = list(itertools.islice(parse_mapped(path.read_bytes(), mapping, path.name), rows))
    names = contract.column_names
    data = [
        (path.name, batch_date, line.line_number, line.raw_text, list(line.reasons), *line.fields)
        for line in lines
    ]
    schema = parsed_schema(contract, T.StructField("batch_date", T.DateType()))
    checked = _type_and_check(spark.createDataFrame(data, schema), contract)
    reasons = {r.line_number: tuple(r.reasons) for r in checked.select("line_number", "reasons").collect()}
    return [
        PreviewRow(line.line_number, dict(zip(names, line.fields, strict=True)), reasons[line.line_number])
        for line in lines
    ]


def parsed_schema(contract: LandingContract, batch: T.StructField) -> T.StructType:
    """Parsed landing lines: file, ``batch``, line, raw text, parse reasons and each field as text."""
    return T.StructType(
        [
            T.StructField("source_file", T.StringType()),
            batch,
            T.StructField("line_number", T.LongType()),
            T.StructField("raw_text", T.StringType()),
            T.StructField("parse_reasons", T.ArrayType(T.StringType())),
            *[T.StructField(f"raw_{n}", T.StringType()) for n in contract.column_names],
        ]
    )


def typed_value(column: Column, raw: SparkColumn) -> SparkColumn:
    """The Spark expression that types one landing field; null when the text does not fit the type."""
    dtype = column.dtype
    if isinstance(dtype, T.StringType):
        return raw
    if isinstance(dtype, T.ArrayType | T.StructType):
        return F.from_json(raw, dtype)
    if isinstance(dtype, T.MapType):
        return F.from_json(raw, dtype.simpleString())
    if isinstance(dtype, T.DateType):
        return F.try_to_timestamp(raw, F.lit(column.parse_format or "yyyy-MM-dd")).cast("date")
    if isinstance(dtype, T.TimestampNTZType):
        # Parsed in the session zone (UTC) and cast without shifting: the feed's wall-clock time stays as is.
        return F.try_to_timestamp(raw, F.lit(column.parse_format)).cast(T.TimestampNTZType())
    if isinstance(dtype, T.TimestampType):
        return F.try_to_timestamp(raw, F.lit(column.parse_format))
    if isinstance(dtype, T.BooleanType):
        return F.lower(F.trim(raw)).try_cast(dtype)
    return F.trim(raw).try_cast(dtype)


def _type_and_check(parsed: DataFrame, contract: LandingContract) -> DataFrame:
    """Typed columns plus the full list of reasons each row cannot be accepted."""
    typed = parsed.select(
        "*", *[typed_value(c, F.col(f"raw_{c.name}")).alias(c.name) for c in contract.columns]
    )
    checks: list[SparkColumn] = []
    for c in contract.columns:
        raw, value = F.col(f"raw_{c.name}"), F.col(c.name)
        if c.name in contract.primary_key:
            checks.append(F.when(raw.isNull() | (F.trim(raw) == ""), F.lit(Reason.NULL_KEY.on(c.name))))
        if not isinstance(c.dtype, T.StringType):
            checks.append(F.when(raw.isNotNull() & value.isNull(), F.lit(Reason.TYPE_CAST.on(c.name))))
        if c.max_length is not None:
            checks.append(F.when(F.length(raw) > c.max_length, F.lit(Reason.FIELD_TOO_LONG.on(c.name))))
        out_of_range = _out_of_range(c, value, contract)
        if out_of_range is not None:
            checks.append(F.when(out_of_range, F.lit(Reason.OUT_OF_RANGE.on(c.name))))
    field_reasons = F.array_compact(F.array(*checks)) if checks else F.array().cast("array<string>")
    reasons = F.when(F.size("parse_reasons") > 0, F.col("parse_reasons")).otherwise(field_reasons)
    return typed.withColumn("reasons", reasons).withColumn("row_hash", F.sha2("raw_text", 256))


def _out_of_range(column: Column, value: SparkColumn, contract: LandingContract) -> SparkColumn | None:
    conditions = []
    if column.min_value is not None:
        conditions.append(value < F.lit(column.min_value))
    if column.max_value is not None:
        conditions.append(value > F.lit(column.max_value))
    if column.future_days is not None:
        if isinstance(column.dtype, T.TimestampType):
            local_day = F.to_date(F.from_utc_timestamp(value, contract.timezone))
        else:
            local_day = F.to_date(value)
        conditions.append(local_day > F.date_add(F.col("batch_date"), column.future_days))
    if column.min_date is not None:
        conditions.append(F.to_date(value) < F.lit(dt.date.fromisoformat(column.min_date)))
    if not conditions:
        return None
    result = conditions[0]
    for condition in conditions[1:]:
        result = result | condition
    return F.coalesce(result, F.lit(False))


def _flag_duplicates(
    df: DataFrame, contract: LandingContract, lake: Lake, table: str, batches: list[dt.date]
) -> DataFrame:
    """Add DUPLICATE to clean rows whose id (events) or whole row (entities) was already seen.

    "Seen" means earlier in this run's data (by batch, file, line) or in bronze outside these batches.
    """
    if contract.dedupe == "key":
        key = F.concat_ws("\u0001", *[F.col(k) for k in contract.primary_key])
        existing_key = key
    else:
        key = F.col("row_hash")
        existing_key = F.col("row_hash")
    clean = F.size("reasons") == 0
    df = df.withColumn("dedupe_key", F.when(clean, key))
    order = Window.partitionBy("dedupe_key").orderBy("batch_date", "source_file", "line_number")
    df = df.withColumn("occurrence", F.when(clean, F.row_number().over(order)))
    if lake.exists(table):
        seen = (
            lake.read(table)
            .filter(~F.col("batch_date").isin(batches))
            .select(existing_key.alias("dedupe_key"))
            .distinct()
            .withColumn("seen_before", F.lit(True))
        )
        df = df.join(seen, on="dedupe_key", how="left")
    else:
        df = df.withColumn("seen_before", F.lit(False))
    duplicate = clean & ((F.col("occurrence") > 1) | F.coalesce(F.col("seen_before"), F.lit(False)))
    return df.withColumn(
        "reasons", F.when(duplicate, F.array(F.lit(Reason.DUPLICATE.value))).otherwise(F.col("reasons"))
    )
