"""The :class:`Lake`: table-name level Delta operations with schema and key checks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, MapType, StructField, StructType

from infra.storage.base import (
    CDF_PROPERTY,
    MIN_RETENTION_HOURS,
    Backend,
    Commit,
    Compaction,
    FrameTooLargeError,
    LakeError,
    SchemaMismatchError,
    TableInfo,
    TableNotFoundError,
    check_arrow_keys,
)

if TYPE_CHECKING:
    from infra.settings import Settings

Where = Mapping[str, Any] | str | None
T = TypeVar("T")
log = logging.getLogger(__name__)


class Lake:
    """A folder of Delta tables, one sub-folder per table, named after the table.

    Every write checks the data's schema against the table's (names and types; nullability is not
    enforced at storage level, quality suites check it). New columns need ``schema_evolution=True``.
    Merges refuse sources with duplicate or null keys instead of writing double rows.
    """

    def __init__(self, spark: SparkSession, root: Path | str, backend: Backend) -> None:
        self.spark = spark
        self.root = str(root).rstrip("/")
        self.backend = backend

    @classmethod
    def from_settings(cls, spark: SparkSession, settings: Settings) -> Lake:
        """Open the lake at ``settings.paths.lake`` with the engine ``settings.delta_engine`` picks.

        ``auto`` takes delta-spark on a cluster (executors write the data; nothing funnels through the
        driver), when Delta's Spark classes are loaded, and delta-rs on a local session, where driver and
        executors share one machine and delta-rs commits in a fraction of delta-spark's fixed cost per
        write (see the README, "Delta engines", for the measurements).
        """
        from infra.spark import has_delta_spark

        engine = settings.delta_engine
        if engine == "auto":
            local = settings.spark.master.startswith("local")
            engine = "delta-spark" if not local and has_delta_spark(spark) else "delta-rs"
        return cls.open(spark, settings.paths.lake, engine)

    @classmethod
    def open(cls, spark: SparkSession, root: Path | str, engine: str) -> Lake:
        """Open the lake at ``root`` with the named engine (``delta-rs`` or ``delta-spark``)."""
        if engine == "delta-spark":
            from infra.spark import has_delta_spark
            from infra.storage.delta_spark import DeltaSparkBackend

            if not has_delta_spark(spark):
                raise LakeError(
                    "delta_engine is delta-spark but Delta's Spark classes are not loaded in this Spark "
                    "session: run `make install` (it fetches Delta's JARs into .jars/delta), set "
                    "spark.delta_jars_dir (CDP_SPARK__DELTA_JARS_DIR) to a folder holding them, or use "
                    "delta_engine=delta-rs."
                )
            backend: Backend = DeltaSparkBackend(spark)
        elif engine == "delta-rs":
            from infra.storage.delta_rs import DeltaRsBackend

            backend = DeltaRsBackend(spark)
        else:
            raise LakeError(f"Unknown Delta engine {engine!r}; use delta-rs or delta-spark.")
        Path(root).mkdir(parents=True, exist_ok=True) if "://" not in str(root) else None
        return cls(spark, root, backend)

    @property
    def engine(self) -> str:
        """The name of the Delta engine in use."""
        return self.backend.name

    def path(self, table: str) -> str:
        """Where ``table`` lives: ``<lake root>/<table>``."""
        if not table or "/" in table or table.startswith("."):
            raise LakeError(f"Invalid table name {table!r}: use letters, digits and underscores.")
        return f"{self.root}/{table}"

    def exists(self, table: str) -> bool:
        """True when the table has at least one commit."""
        return self.backend.exists(self.path(table))

    def _require(self, table: str) -> str:
        path = self.path(table)
        if not self.backend.exists(path):
            raise TableNotFoundError(
                f"Table '{table}' does not exist at {path}; run the job that produces it first."
            )
        return path

    def create(
        self,
        table: str,
        schema: StructType,
        *,
        partition_by: Sequence[str] = (),
        properties: Mapping[str, str] | None = None,
        description: str | None = None,
    ) -> bool:
        """Create an empty table unless it exists; returns True when it was created.

        An existing table whose columns differ from ``schema`` raises :class:`SchemaMismatchError`.
        """
        path = self.path(table)
        if self.backend.exists(path):
            _check_schema(table, self.backend.schema(path), schema, evolution=False)
            return False
        missing = [c for c in partition_by if c not in schema.fieldNames()]
        if missing:
            raise LakeError(f"Partition columns {missing} of table '{table}' are not in its schema.")
        self.backend.create(path, _nullable(schema), partition_by, dict(properties or {}), description)
        return True

    def schema(self, table: str) -> StructType:
        """The table's current schema."""
        return self.backend.schema(self._require(table))

    def add_columns(self, table: str, fields: StructType) -> bool:
        """Add the nullable columns of ``fields`` the table lacks (existing rows read them as null);
        returns True when any was added. Upgrades a table to a schema that gained columns."""
        path = self._require(table)
        current = set(self.backend.schema(path).fieldNames())
        missing = StructType([f for f in fields.fields if f.name not in current])
        if not missing.fields:
            return False
        self.backend.add_columns(path, _nullable(missing))
        return True

    def partition_columns(self, table: str) -> list[str]:
        """The table's partition columns, in order."""
        return self.backend.partition_columns(self._require(table))

    def version(self, table: str) -> int:
        """The table's latest version number."""
        return self.backend.version(self._require(table))

    def read(
        self, table: str, *, version: int | None = None, timestamp: dt.datetime | None = None
    ) -> DataFrame:
        """The table as a Spark DataFrame, at its latest version or as of ``version`` / ``timestamp``."""
        if version is not None and timestamp is not None:
            raise LakeError("Pass either version or timestamp to Lake.read, not both.")
        return self.backend.read(self._require(table), version, timestamp)

    def append(
        self,
        table: str,
        df: DataFrame,
        *,
        schema_evolution: bool = False,
        partition_by: Sequence[str] = (),
        properties: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """Append rows, creating the table from the data's schema if needed; returns the new version."""
        df = self._prepare(table, df, schema_evolution, partition_by, properties)
        path = self.path(table)
        meta = dict(metadata or {})
        self._writing(table, lambda b: b.write(path, df, "append", None, schema_evolution, meta))
        return self.backend.version(path)

    def overwrite(
        self,
        table: str,
        df: DataFrame,
        *,
        where: Where = None,
        schema_evolution: bool = False,
        partition_by: Sequence[str] = (),
        properties: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        verify: bool = True,
    ) -> int:
        """Replace the whole table, or only the rows matching ``where`` (a partition or predicate).

        ``where`` is a mapping of column to a value or a list of values, e.g.
        ``{"batch_date": date(2024, 1, 1)}``, or a SQL predicate. Every row of ``df`` must match it, so a
        partition rerun cannot touch other partitions; ``verify=False`` skips that check (one Spark job)
        for callers whose data matches by construction.
        """
        df = self._prepare(table, df, schema_evolution, partition_by, properties)
        predicate = _predicate(where)
        if verify and predicate is not None and isinstance(where, Mapping):
            stray = df.filter(~_condition(where)).limit(1).count()
            if stray:
                raise LakeError(
                    f"Overwrite of table '{table}' where {predicate}: the data holds rows outside "
                    "that predicate; filter the data or widen the predicate."
                )
        path = self.path(table)
        meta = dict(metadata or {})
        self._writing(table, lambda b: b.write(path, df, "overwrite", predicate, schema_evolution, meta))
        return self.backend.version(path)

    def merge(
        self,
        table: str,
        df: DataFrame | pa.Table,
        keys: Sequence[str],
        *,
        delete_condition: str | None = None,
        update_condition: str | None = None,
        insert_condition: str | None = None,
        update: bool = True,
        insert: bool = True,
        delete_missing: bool = False,
        partition_by: Sequence[str] = (),
        properties: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Upsert ``df`` into the table by ``keys``; creates the table when it is new.

        Conditions are SQL over ``s.`` (source) and ``t.`` (target) columns:

        - matched rows are deleted when ``delete_condition`` holds;
        - other matched rows are updated (when ``update`` and ``update_condition``, if given, holds);
        - unmatched rows are inserted (when ``insert`` and ``insert_condition``, over ``s.`` only, holds);
        - with ``delete_missing``, target rows whose key is not in the source are deleted.

        Source columns whose names start with an underscore are merge controls (e.g. ``_deleted``):
        usable in conditions, never written to the table.

        ``df`` may be an Arrow table (data computed on the driver); the delta-rs engine then takes it as it
        is, without a round trip through Spark.

        Returns:
            The engine's merge metrics (rows inserted, updated, deleted, ...).

        Raises:
            DuplicateKeyError: the source has a key more than once, or a null key.
        """
        if not keys:
            raise LakeError("Lake.merge needs at least one key column.")
        names = df.column_names if isinstance(df, pa.Table) else df.columns
        missing = [k for k in keys if k not in names]
        if missing:
            raise SchemaMismatchError(f"Merge into '{table}': key columns {missing} are not in the data.")
        controls = [c for c in names if c.startswith("_")]
        data_schema = StructType([f for f in _spark_schema(df).fields if f.name not in controls])
        path = self.path(table)
        if not self.backend.exists(path):
            self.create(table, data_schema, partition_by=partition_by, properties=properties)
        current = self.backend.schema(path)
        _check_schema(table, current, data_schema, evolution=False)
        ordered = [*current.fieldNames(), *controls]
        source: DataFrame | pa.Table = (
            df.select(ordered) if isinstance(df, pa.Table) else df.select(*[F.col(f"`{c}`") for c in ordered])
        )
        return self._writing(
            table,
            lambda b: b.merge(
                path,
                source,
                keys,
                current.fieldNames(),
                delete_condition,
                update_condition if update else "false",
                insert_condition if insert else "false",
                delete_missing,
                dict(metadata or {}),
            ),
        )

    def _writing(self, table: str, write: Callable[[Backend], T]) -> T:
        """Run ``write`` with the lake's engine; a frame too big to cross to the driver for delta-rs is
        written by delta-spark in the executors instead (both write the same protocol)."""
        try:
            return write(self.backend)
        except FrameTooLargeError as exc:
            from infra.spark import has_delta_spark
            from infra.storage.delta_spark import DeltaSparkBackend

            if self.backend.name == "delta-spark" or not has_delta_spark(self.spark):
                raise FrameTooLargeError(
                    f"Writing table '{table}': {exc} Delta's Spark classes, which would write it in the "
                    "executors, are not loaded: run `make install` (it fetches them into .jars/delta) and "
                    "keep delta_engine at auto, or raise spark.max_result_size (CDP_SPARK__MAX_RESULT_SIZE) "
                    "and spark.driver_memory together."
                ) from exc
            log.warning("Table %s: %s Writing it with delta-spark in the executors.", table, exc)
            return write(DeltaSparkBackend(self.spark))

    def sync(
        self,
        table: str,
        df: DataFrame | pa.Table,
        keys: Sequence[str],
        *,
        ignore_changes_in: Sequence[str] = (),
        properties: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """Make the table hold exactly ``df``, touching only rows that differ; returns the table version.

        New keys are inserted, keys gone from ``df`` deleted, and a row is updated only when a column other
        than ``ignore_changes_in`` (run ids, timestamps) differs. Publishing the same data twice therefore
        commits nothing the second time, and the change data feed carries only real changes.

        With an Arrow table (data computed on the driver) the differing rows are found on the driver, by
        comparing with the table's current rows, and only they are merged: no commit at all when nothing
        differs.
        """
        if isinstance(df, pa.Table):
            return self._sync_arrow(table, df, keys, ignore_changes_in, properties, metadata)
        compared = [c for c in df.columns if c not in keys and c not in ignore_changes_in]
        if self.exists(table) and not _differs(self.read(table), df, list(keys), compared):
            return self.version(table)
        changed = " OR ".join(f"(t.{c} IS DISTINCT FROM s.{c})" for c in compared) or "false"
        self.merge(
            table,
            df,
            keys,
            update_condition=changed,
            delete_missing=True,
            properties=properties,
            metadata=metadata,
        )
        return self.version(table)

    def _sync_arrow(
        self,
        table: str,
        data: pa.Table,
        keys: Sequence[str],
        ignore_changes_in: Sequence[str],
        properties: Mapping[str, str] | None,
        metadata: Mapping[str, Any] | None,
    ) -> int:
        if not keys:
            raise LakeError("Lake.sync needs at least one key column.")
        path = self.path(table)
        incoming = _spark_schema(data)
        if not self.backend.exists(path):
            self.create(table, incoming, properties=properties)
        current = self.backend.schema(path)
        _check_schema(table, current, incoming, evolution=False)
        columns = current.fieldNames()
        data = data.select(columns)
        check_arrow_keys(path, data, keys)
        compared = [c for c in columns if c not in keys and c not in ignore_changes_in]
        changes = arrow_changes(data, self.backend.read_arrow(path, columns), keys, compared)
        if changes.num_rows:
            self.merge(
                table,
                changes,
                keys,
                delete_condition="s._deleted",
                update_condition="NOT s._deleted",
                insert_condition="NOT s._deleted",
                metadata=metadata,
            )
        return self.version(table)

    def read_arrow(self, table: str, columns: Sequence[str] | None = None) -> pa.Table:
        """The table (or some of its columns) as an Arrow table on the driver, without going through Spark
        where the engine allows (delta-rs)."""
        return self.backend.read_arrow(self._require(table), columns)

    def delete(self, table: str, where: Where, *, metadata: Mapping[str, Any] | None = None) -> int:
        """Delete the rows matching ``where``; returns how many were deleted."""
        predicate = _predicate(where)
        if predicate is None:
            raise LakeError("Lake.delete needs a predicate; use overwrite to empty a table.")
        return self.backend.delete(self._require(table), predicate, dict(metadata or {}))

    def history(self, table: str, limit: int | None = None) -> list[Commit]:
        """Commits, newest first."""
        return self.backend.history(self._require(table), limit)

    def vacuum(
        self, table: str, retention_hours: int = MIN_RETENTION_HOURS, *, dry_run: bool = False
    ) -> list[str]:
        """Remove data files no longer referenced by versions younger than ``retention_hours``.

        Delta's safety check is kept: a retention under a week is refused, since a reader or writer still
        working on an older version could lose files under its feet.
        """
        if retention_hours < MIN_RETENTION_HOURS:
            raise LakeError(
                f"VACUUM of '{table}' with {retention_hours} hours of retention refused: Delta's safety "
                f"check needs at least {MIN_RETENTION_HOURS} hours (7 days), so that readers of recent "
                "versions keep their files."
            )
        return self.backend.vacuum(self._require(table), retention_hours, dry_run)

    def optimize(self, table: str) -> Compaction:
        """Compact the table's small data files into larger ones (bin-packing); the data is unchanged.

        The replaced files stay on disk for time travel until :meth:`vacuum` removes them.
        """
        path = self._require(table)
        before = self.backend.file_count(path)
        removed, added = self.backend.optimize(path)
        return Compaction(table, before, self.backend.file_count(path), removed, added)

    def file_count(self, table: str) -> int:
        """How many data files the table's current version is made of."""
        return self.backend.file_count(self._require(table))

    def changes(self, table: str, start_version: int, end_version: int | None = None) -> DataFrame:
        """Row-level changes between two versions (inclusive) from the change data feed.

        Columns: the table's, plus ``_change_type`` (insert, update_preimage, update_postimage,
        delete), ``_commit_version`` and ``_commit_timestamp``.
        """
        path = self._require(table)
        if self.backend.properties(path).get(CDF_PROPERTY, "false").lower() != "true":
            raise LakeError(
                f"Table '{table}' does not have the change data feed enabled; set the table "
                f"property {CDF_PROPERTY}=true before the versions you want to read."
            )
        return self.backend.changes(path, start_version, end_version)

    def properties(self, table: str) -> dict[str, str]:
        """The table's properties (``delta.*`` and custom)."""
        return self.backend.properties(self._require(table))

    def set_properties(self, table: str, properties: Mapping[str, str]) -> None:
        """Set table properties, e.g. ``{"delta.enableChangeDataFeed": "true"}``."""
        self.backend.set_properties(self._require(table), properties)

    def tables(self) -> list[TableInfo]:
        """Every Delta table under the lake root with its version, row count and last write."""
        root = Path(self.root)
        infos = []
        for folder in sorted(root.iterdir() if root.is_dir() else []):
            if not (folder / "_delta_log").is_dir():
                continue
            path = str(folder)
            if not self.backend.exists(path):
                continue
            last = self.backend.history(path, 1)
            infos.append(
                TableInfo(
                    name=folder.name,
                    path=path,
                    version=self.backend.version(path),
                    rows=self.backend.row_count(path),
                    last_write=last[0].timestamp if last else None,
                    last_operation=last[0].operation if last else None,
                )
            )
        return infos

    def _prepare(
        self,
        table: str,
        df: DataFrame,
        evolution: bool,
        partition_by: Sequence[str],
        properties: Mapping[str, str] | None,
    ) -> DataFrame:
        """Align ``df`` with the table's columns, creating the table first when it is new."""
        path = self.path(table)
        if not self.backend.exists(path):
            self.create(table, df.schema, partition_by=partition_by, properties=properties)
            return df
        current = self.backend.schema(path)
        _check_schema(table, current, df.schema, evolution)
        columns = []
        for f in current.fields:
            if f.name in df.columns:
                columns.append(F.col(f"`{f.name}`"))
            else:
                columns.append(F.lit(None).cast(f.dataType).alias(f.name))
        columns += [F.col(f"`{c}`") for c in df.columns if c not in current.fieldNames()]
        return df.select(*columns)


def _differs(current: DataFrame, incoming: DataFrame, keys: list[str], compared: list[str]) -> bool:
    """True unless ``incoming`` holds exactly the keys and compared values of ``current``.

    Checked before a sync's MERGE because delta-spark commits a new version even when a MERGE changes no
    row. Columns Spark cannot compare as a set (maps) leave the answer to the MERGE itself.
    """
    columns = [*keys, *compared]
    if any(isinstance(current.schema[c].dataType, MapType) for c in columns if c in current.columns):
        return True
    try:
        old, new = current.select(*columns), incoming.select(*columns)
        return not (new.exceptAll(old).isEmpty() and old.exceptAll(new).isEmpty())
    except AnalysisException:
        return True


def _nullable(schema: StructType) -> StructType:
    """Nullability is checked by quality suites, not storage, so tables accept nulls everywhere."""
    return StructType([StructField(f.name, f.dataType, True, f.metadata) for f in schema.fields])


def _type_name(data_type: DataType) -> str:
    return data_type.simpleString()


def _check_schema(table: str, current: StructType, incoming: StructType, evolution: bool) -> None:
    have = {f.name: f.dataType for f in current.fields}
    got = {f.name: f.dataType for f in incoming.fields}
    missing = [c for c in have if c not in got]
    extra = [c for c in got if c not in have]
    changed = [
        f"{c} (table {_type_name(have[c])}, data {_type_name(got[c])})"
        for c in have
        if c in got and _type_name(have[c]) != _type_name(got[c])
    ]
    problems = []
    if changed:
        problems.append("type differences: " + ", ".join(changed))
    if not evolution:
        if missing:
            problems.append("columns missing from the data: " + ", ".join(missing))
        if extra:
            problems.append("columns not in the table: " + ", ".join(extra))
    if problems:
        hint = (
            "Cast the data to the table's types."
            if changed and evolution
            else "Fix the data, or pass schema_evolution=True to add new columns (missing ones become null)."
        )
        raise SchemaMismatchError(f"Schema mismatch writing table '{table}': {'; '.join(problems)}. {hint}")


def _spark_schema(df: DataFrame | pa.Table) -> StructType:
    if isinstance(df, pa.Table):
        from pyspark.sql.pandas.types import from_arrow_schema

        return from_arrow_schema(df.schema)
    return df.schema


def arrow_changes(new: pa.Table, old: pa.Table, keys: Sequence[str], compared: Sequence[str]) -> pa.Table:
    """The rows that turn ``old`` into ``new``, by key, with a ``_deleted`` flag.

    New keys and rows where a ``compared`` column differs come from ``new`` (``_deleted`` false); keys only
    in ``old`` come with their key columns and nulls elsewhere (``_deleted`` true). Both tables have the
    same columns; keys are unique and not null.
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("s", new)
        con.register("t", old)
        on = " AND ".join(f's."{k}" = t."{k}"' for k in keys)
        differs = " OR ".join(f's."{c}" IS DISTINCT FROM t."{c}"' for c in compared) or "false"
        upserted = ", ".join(f's."{c}"' for c in new.column_names)
        deleted = ", ".join(f't."{c}"' if c in keys else f'NULL AS "{c}"' for c in new.column_names)
        result = con.sql(
            f"""
            SELECT {upserted}, false AS _deleted FROM s LEFT JOIN t ON {on}
            WHERE t."{keys[0]}" IS NULL OR {differs}
            UNION ALL
            SELECT {deleted}, true FROM t ANTI JOIN s ON {on}
            """
        ).to_arrow_table()
    finally:
        con.close()
    # Deleted rows carry nulls in every non-key column, so every column is nullable here.
    fields = [field.with_nullable(True) for field in new.schema]
    return result.cast(pa.schema([*fields, pa.field("_deleted", pa.bool_())]))


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat(sep=' ')}'"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _predicate(where: Where) -> str | None:
    if where is None:
        return None
    if isinstance(where, str):
        return where
    if not where:
        return None
    parts = []
    for name, value in where.items():
        if value is None:
            parts.append(f"{name} IS NULL")
        elif isinstance(value, list | tuple | set | frozenset):
            if not value:
                raise LakeError(f"Empty value list for column '{name}' in a predicate.")
            parts.append(f"{name} IN ({', '.join(_literal(v) for v in sorted(value))})")
        else:
            parts.append(f"{name} = {_literal(value)}")
    return " AND ".join(parts)


def _condition(where: Mapping[str, Any]) -> Any:
    cond = F.lit(True)
    for name, value in where.items():
        col = F.col(f"`{name}`")
        if value is None:
            cond = cond & col.isNull()
        elif isinstance(value, list | tuple | set | frozenset):
            cond = cond & col.isin(list(value))
        else:
            cond = cond & col.eqNullSafe(F.lit(value))
    return cond
