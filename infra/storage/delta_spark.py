"""The delta-spark back end: Delta Lake's own Spark integration, for sessions with Delta's JARs loaded.

Data moves only through Spark: appends, partition replacements (``replaceWhere``), MERGE and DELETE run in
the executors, so nothing is collected to the driver, at any size and on any cluster. Questions about a
table's log (version, schema, history, properties, file and row counts) and reads into Arrow for the
driver-side identity engine are answered by delta-rs from the same log: the same answers without a Spark
job each, which at one commit per table and step is most of delta-spark's fixed cost on small data.
It is chosen by ``delta_engine: auto`` when the session has Delta's classes, which the session factory
loads from local JARs (never from a repository).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from infra.storage.base import Commit, check_merge_keys
from infra.storage.delta_rs import DeltaRsBackend


def _quote(path: str) -> str:
    return "delta.`" + path.replace("`", "``") + "`"


class DeltaSparkBackend:
    """Delta tables through delta-spark; see the module docstring."""

    name = "delta-spark"

    def __init__(self, spark: SparkSession) -> None:
        from delta.tables import DeltaTable

        self.spark = spark
        self._delta = DeltaTable
        self._log = DeltaRsBackend(spark)

    def exists(self, path: str) -> bool:
        return bool(self._delta.isDeltaTable(self.spark, path))

    def create(
        self,
        path: str,
        schema: StructType,
        partition_by: Sequence[str],
        properties: Mapping[str, str],
        description: str | None,
    ) -> None:
        builder = self._delta.createIfNotExists(self.spark).location(path).addColumns(schema)
        if partition_by:
            builder = builder.partitionedBy(*partition_by)
        for key, value in properties.items():
            builder = builder.property(key, value)
        if description:
            builder = builder.comment(description)
        builder.execute()

    def schema(self, path: str) -> StructType:
        return self._log.schema(path)

    def partition_columns(self, path: str) -> list[str]:
        return self._log.partition_columns(path)

    def version(self, path: str) -> int:
        return self._log.version(path)

    def read(self, path: str, version: int | None, timestamp: dt.datetime | None) -> DataFrame:
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        elif timestamp is not None:
            reader = reader.option("timestampAsOf", timestamp.astimezone(dt.UTC).isoformat())
        return reader.load(path)

    def write(
        self,
        path: str,
        df: DataFrame,
        mode: Literal["append", "overwrite"],
        predicate: str | None,
        schema_evolution: bool,
        metadata: Mapping[str, Any],
    ) -> None:
        writer = df.write.format("delta").mode(mode)
        if predicate is not None:
            writer = writer.option("replaceWhere", predicate)
        if schema_evolution:
            writer = writer.option("mergeSchema", "true")
        if metadata:
            writer = writer.option("userMetadata", json.dumps(dict(metadata), default=str))
        writer.save(path)

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
        if isinstance(df, pa.Table):
            df = self.spark.createDataFrame(df)
        key_cols = [F.col(f"`{k}`") for k in keys]
        nulls = df.filter(functools.reduce(lambda a, b: a | b, [c.isNull() for c in key_cols])).count()
        dupes = df.groupBy(*key_cols).count().filter(F.col("count") > 1).limit(3).collect()
        check_merge_keys(path, keys, nulls, [r.asDict() for r in dupes])
        table = self._delta.forPath(self.spark, path)
        assignments: dict[str, str | Column] = {c: F.col(f"s.`{c}`") for c in columns}
        merger = table.alias("t").merge(df.alias("s"), " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys))
        if delete_condition is not None:
            merger = merger.whenMatchedDelete(condition=delete_condition)
        if update_condition is None:
            merger = merger.whenMatchedUpdate(set=assignments)
        elif update_condition != "false":
            merger = merger.whenMatchedUpdate(condition=update_condition, set=assignments)
        if insert_condition is None:
            merger = merger.whenNotMatchedInsert(values=assignments)
        elif insert_condition != "false":
            merger = merger.whenNotMatchedInsert(condition=insert_condition, values=assignments)
        if delete_missing:
            merger = merger.whenNotMatchedBySourceDelete()
        key = "spark.databricks.delta.commitInfo.userMetadata"
        if metadata:
            self.spark.conf.set(key, json.dumps(dict(metadata), default=str))
        try:
            merger.execute()
        finally:
            if metadata:
                self.spark.conf.unset(key)
        (last,) = self._log.history(path, 1)
        return dict(last.metrics)

    def delete(self, path: str, predicate: str, metadata: Mapping[str, Any]) -> int:
        table = self._delta.forPath(self.spark, path)
        key = "spark.databricks.delta.commitInfo.userMetadata"
        if metadata:
            self.spark.conf.set(key, json.dumps(dict(metadata), default=str))
        try:
            table.delete(predicate)
        finally:
            if metadata:
                self.spark.conf.unset(key)
        (last,) = self._log.history(path, 1)
        return int(last.metrics.get("numDeletedRows", 0))

    def history(self, path: str, limit: int | None) -> list[Commit]:
        # Spark's own history: its timestamps are the ones delta-spark's time travel resolves against.
        table = self._delta.forPath(self.spark, path)
        rows = (table.history(limit) if limit else table.history()).collect()
        commits = []
        for row in rows:
            meta: dict[str, Any] = {}
            if row["userMetadata"]:
                try:
                    meta = json.loads(row["userMetadata"])
                except json.JSONDecodeError:
                    meta = {"userMetadata": row["userMetadata"]}
            stamp = row["timestamp"]
            commits.append(
                Commit(
                    version=int(row["version"]),
                    timestamp=stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp,
                    operation=str(row["operation"]),
                    parameters=dict(row["operationParameters"] or {}),
                    metrics={k: _number(v) for k, v in (row["operationMetrics"] or {}).items()},
                    metadata=meta,
                )
            )
        return commits

    def vacuum(self, path: str, retention_hours: int, dry_run: bool) -> list[str]:
        # The same files and the same log entries either way; Spark's VACUUM costs a Spark job per step
        # of its file listing, delta-rs's a directory walk. The Lake has checked the retention already.
        return self._log.vacuum(path, retention_hours, dry_run)

    def optimize(self, path: str) -> tuple[int, int]:
        result = self._delta.forPath(self.spark, path).optimize().executeCompaction().collect()
        metrics = result[0]["metrics"] if result else None
        if metrics is None:
            return 0, 0
        return int(metrics["numFilesRemoved"]), int(metrics["numFilesAdded"])

    def file_count(self, path: str) -> int:
        return self._log.file_count(path)

    def changes(self, path: str, start_version: int, end_version: int | None) -> DataFrame:
        reader = (
            self.spark.read.format("delta")
            .option("readChangeFeed", "true")
            .option("startingVersion", start_version)
        )
        if end_version is not None:
            reader = reader.option("endingVersion", end_version)
        return reader.load(path)

    def properties(self, path: str) -> dict[str, str]:
        return self._log.properties(path)

    def set_properties(self, path: str, properties: Mapping[str, str]) -> None:
        pairs = ", ".join(f"'{k}' = '{v}'" for k, v in properties.items())
        self.spark.sql(f"ALTER TABLE {_quote(path)} SET TBLPROPERTIES ({pairs})")

    def add_columns(self, path: str, fields: StructType) -> None:
        columns = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in fields)
        self.spark.sql(f"ALTER TABLE {_quote(path)} ADD COLUMNS ({columns})")

    def read_arrow(self, path: str, columns: Sequence[str] | None) -> pa.Table:
        return self._log.read_arrow(path, columns)

    def row_count(self, path: str) -> int | None:
        return self._log.row_count(path)


def _number(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
