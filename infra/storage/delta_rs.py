"""The delta-rs back end: Delta tables written by the ``deltalake`` package, Arrow between it and Spark.

Reads go through Spark's own Parquet reader on the files of the snapshot, so a read stays lazy and
parallel and never passes through the driver. Writes collect the DataFrame as Arrow on the driver and hand
it to delta-rs, which commits atomically with optimistic concurrency (concurrent appends both land). A frame
past ``spark.driver.maxResultSize`` raises :class:`FrameTooLargeError` before the driver holds it; the lake
then writes it with delta-spark.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, QueryBuilder, write_deltalake
from deltalake.exceptions import TableNotFoundError as DeltaRsNotFound
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType

from infra.storage.base import Commit, FrameTooLargeError, LakeError, check_arrow_keys

# Snapshots up to this size are read through Arrow on the driver; bigger ones by Spark's Parquet reader.
SMALL_TABLE_BYTES = 64 * 1024 * 1024
# Spark aborts a job whose results to the driver pass this limit, naming the key in its message.
RESULT_LIMIT_KEY = "spark.driver.maxResultSize"
# Reader features Spark's plain Parquet reader cannot honour; such snapshots are read through delta-rs.
_KERNEL_ONLY_FEATURES = {"deletionVectors", "columnMapping"}
_STANDARD_COMMIT_KEYS = {
    "timestamp",
    "operation",
    "operationParameters",
    "operationMetrics",
    "engineInfo",
    "clientVersion",
    "version",
    "readVersion",
    "isBlindAppend",
    "isolationLevel",
    "userMetadata",
}
CDF_COLUMNS = StructType(
    [
        StructField("_change_type", StringType()),
        StructField("_commit_version", LongType()),
        StructField("_commit_timestamp", TimestampType()),
    ]
)


def _commit_properties(metadata: Mapping[str, Any]) -> CommitProperties | None:
    if not metadata:
        return None
    return CommitProperties(custom_metadata={"userMetadata": json.dumps(dict(metadata), default=str)})


def _collect(df: DataFrame) -> pa.Table:
    """The frame as Arrow on the driver, or :class:`FrameTooLargeError` past the driver's result limit."""
    try:
        return df.toArrow()
    except Exception as exc:  # Spark raises a Py4J or captured error; only the limit is ours to name.
        if RESULT_LIMIT_KEY not in str(exc):
            raise
        limit = df.sparkSession.conf.get(RESULT_LIMIT_KEY, "1g")
        raise FrameTooLargeError(
            f"The frame to write is bigger than {RESULT_LIMIT_KEY} ({limit}), the most a job may return "
            "to the driver; delta-rs writes from the driver."
        ) from exc


def arrow_schema(schema: StructType) -> pa.Schema:
    """The Arrow schema delta-rs writes for a Spark schema (timestamps as UTC instants)."""
    return to_arrow_schema(schema, timezone="UTC")


def spark_schema(table: DeltaTable) -> StructType:
    """The Spark schema of a delta-rs snapshot."""
    return from_arrow_schema(pa.schema(table.schema().to_arrow()), prefer_timestamp_ntz=True)


def _version_at(table: DeltaTable, timestamp: dt.datetime) -> int:
    """The latest version committed at or before ``timestamp`` (naive means UTC), by commit timestamps.

    delta-rs would pick by the log files' modification times, which trail the commit timestamps that
    :meth:`history` shows, so a timestamp read from the history could land on the version before it.
    """
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=dt.UTC)
    wanted = round(timestamp.timestamp() * 1000)
    versions = [int(e["version"]) for e in table.history() if int(e["timestamp"]) <= wanted]
    if not versions:
        raise LakeError(
            f"Table {table.table_uri} has no version at or before {timestamp.isoformat()}; "
            "read a later timestamp or use version=."
        )
    return max(versions)


class DeltaRsBackend:
    """Delta tables through delta-rs; see the module docstring."""

    name = "delta-rs"

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def _open(self, path: str) -> DeltaTable:
        try:
            return DeltaTable(path)
        except DeltaRsNotFound:
            raise LakeError(f"No Delta table at {path}.") from None

    def exists(self, path: str) -> bool:
        return DeltaTable.is_deltatable(path)

    def create(
        self,
        path: str,
        schema: StructType,
        partition_by: Sequence[str],
        properties: Mapping[str, str],
        description: str | None,
    ) -> None:
        DeltaTable.create(
            path,
            arrow_schema(schema),
            mode="ignore",
            partition_by=list(partition_by) or None,
            configuration=dict(properties) or None,
            description=description,
        )

    def schema(self, path: str) -> StructType:
        return spark_schema(self._open(path))

    def partition_columns(self, path: str) -> list[str]:
        return list(self._open(path).metadata().partition_columns)

    def version(self, path: str) -> int:
        return self._open(path).version()

    def read(self, path: str, version: int | None, timestamp: dt.datetime | None) -> DataFrame:
        table = self._open(path)
        if version is not None:
            table.load_as_version(version)
        elif timestamp is not None:
            table.load_as_version(_version_at(table, timestamp))
        schema = spark_schema(table)
        actions = pa.table(table.get_add_actions(flatten=True))
        if actions.num_rows == 0:
            return self.spark.createDataFrame([], schema)
        small = pc.sum(actions.column("size_bytes")).as_py() <= SMALL_TABLE_BYTES
        if small or _KERNEL_ONLY_FEATURES & set(table.protocol().reader_features or []):
            # Many tiny daily files: one multi-threaded Arrow read beats a Spark scan opening each file.
            data = pa.table(QueryBuilder().register("t", table).execute("SELECT * FROM t").read_all())
            data = data.select(schema.fieldNames()).cast(arrow_schema(schema))
            return self.spark.createDataFrame(data, schema)
        files = table.file_uris()
        df = self.spark.read.schema(schema).option("basePath", path).parquet(*files)
        return df.select(*[f"`{name}`" for name in schema.fieldNames()])

    def _to_arrow(self, df: DataFrame | pa.Table, target: pa.Schema | None) -> pa.Table:
        data = df if isinstance(df, pa.Table) else _collect(df)
        if target is None:
            return data
        fields = [
            target.field(name) if name in target.names else data.schema.field(name)
            for name in data.column_names
        ]
        return data.cast(pa.schema(fields))

    def write(
        self,
        path: str,
        df: DataFrame,
        mode: Literal["append", "overwrite"],
        predicate: str | None,
        schema_evolution: bool,
        metadata: Mapping[str, Any],
    ) -> None:
        data = self._to_arrow(df, pa.schema(self._open(path).schema().to_arrow()))
        schema_mode: Literal["merge"] | None = "merge" if schema_evolution else None
        commit = _commit_properties(metadata)
        if mode == "append":
            write_deltalake(path, data, mode="append", schema_mode=schema_mode, commit_properties=commit)
        else:
            write_deltalake(
                path,
                data,
                mode="overwrite",
                predicate=predicate,
                schema_mode=schema_mode,
                commit_properties=commit,
            )

    def merge(
        self,
        path: str,
        df: DataFrame | pa.Table,
        keys: Sequence[str],
        columns: Sequence[str],
        delete_condition: str | None,
        update_condition: str | None,
        insert_condition: str | None,
        delete_missing: bool,
        metadata: Mapping[str, Any],
    ) -> dict[str, Any]:
        table = self._open(path)
        source = self._to_arrow(df, pa.schema(table.schema().to_arrow()))
        check_arrow_keys(path, source, keys)
        merger = table.merge(
            source,
            predicate=" AND ".join(f"t.{k} = s.{k}" for k in keys),
            source_alias="s",
            target_alias="t",
            commit_properties=_commit_properties(metadata),
        )
        assignments = {c: f"s.{c}" for c in columns}
        if delete_condition is not None:
            merger = merger.when_matched_delete(predicate=delete_condition)
        if update_condition != "false":
            merger = merger.when_matched_update(updates=assignments, predicate=update_condition)
        if insert_condition != "false":
            merger = merger.when_not_matched_insert(updates=assignments, predicate=insert_condition)
        if delete_missing:
            merger = merger.when_not_matched_by_source_delete()
        return dict(merger.execute())

    def read_arrow(self, path: str, columns: Sequence[str] | None) -> pa.Table:
        table = self._open(path)
        fields = {f.name: f for f in spark_schema(table).fields}
        names = list(columns) if columns else list(fields)
        select = ", ".join(f'"{n}"' for n in names)
        data = pa.table(QueryBuilder().register("t", table).execute(f"SELECT {select} FROM t").read_all())
        # The query engine answers with Arrow view types (string_view, ...), which Spark and older Arrow
        # readers do not take: give the table's own types back, as the delta-spark back end does.
        wanted = to_arrow_schema(StructType([fields[n] for n in names]), timezone="UTC")
        return data.cast(wanted)

    def delete(self, path: str, predicate: str, metadata: Mapping[str, Any]) -> int:
        result = self._open(path).delete(predicate, commit_properties=_commit_properties(metadata))
        return int(result.get("num_deleted_rows", 0))

    def history(self, path: str, limit: int | None) -> list[Commit]:
        commits = []
        for entry in self._open(path).history(limit):
            user = entry.get("userMetadata")
            meta: dict[str, Any] = {k: v for k, v in entry.items() if k not in _STANDARD_COMMIT_KEYS}
            if user:
                try:
                    meta.update(json.loads(user))
                except (TypeError, json.JSONDecodeError):
                    meta["userMetadata"] = user
            commits.append(
                Commit(
                    version=int(entry["version"]),
                    timestamp=dt.datetime.fromtimestamp(entry["timestamp"] / 1000, tz=dt.UTC),
                    operation=str(entry.get("operation", "")),
                    parameters=entry.get("operationParameters") or {},
                    metrics=entry.get("operationMetrics") or {},
                    metadata=meta,
                )
            )
        return commits

    def vacuum(self, path: str, retention_hours: int, dry_run: bool) -> list[str]:
        return list(
            self._open(path).vacuum(
                retention_hours=retention_hours, dry_run=dry_run, enforce_retention_duration=False
            )
        )

    def optimize(self, path: str) -> tuple[int, int]:
        metrics = self._open(path).optimize.compact()
        return int(metrics.get("numFilesRemoved", 0)), int(metrics.get("numFilesAdded", 0))

    def file_count(self, path: str) -> int:
        return len(self._open(path).file_uris())

    def changes(self, path: str, start_version: int, end_version: int | None) -> DataFrame:
        table = self._open(path)
        schema = StructType(spark_schema(table).fields + CDF_COLUMNS.fields)
        reader = table.load_cdf(starting_version=start_version, ending_version=end_version)
        data = pa.table(reader.read_all())
        if data.num_rows == 0:
            return self.spark.createDataFrame([], schema)
        data = data.select(schema.fieldNames())
        return self.spark.createDataFrame(data.cast(arrow_schema(schema)), schema)

    def properties(self, path: str) -> dict[str, str]:
        return dict(self._open(path).metadata().configuration)

    def set_properties(self, path: str, properties: Mapping[str, str]) -> None:
        self._open(path).alter.set_table_properties(dict(properties))

    def add_columns(self, path: str, fields: StructType) -> None:
        from deltalake import Schema

        self._open(path).alter.add_columns(list(Schema.from_arrow(arrow_schema(fields)).fields))

    def row_count(self, path: str) -> int | None:
        actions = pa.table(self._open(path).get_add_actions(flatten=True))
        if actions.num_rows == 0:
            return 0
        counts = actions.column("num_records")
        if counts.null_count:
            return None
        return int(pa.compute.sum(counts).as_py())
