"""What the lake and its two back ends share: errors, history entries, the back-end protocol, key checks.

Kept apart from :mod:`infra.storage.lake` so the back ends need not import the lake that chooses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql.types import StructType

from infra.errors import UserFacingError


class LakeError(UserFacingError):
    """A Delta table operation could not be done as asked."""


class TableNotFoundError(LakeError):
    """The named table does not exist in the lake."""


class SchemaMismatchError(LakeError):
    """The data's columns or types differ from the table's."""


class FrameTooLargeError(LakeError):
    """A Spark frame is too big to cross to the driver as Arrow (over ``spark.driver.maxResultSize``)."""


class DuplicateKeyError(LakeError):
    """A merge source holds the same key more than once, or a null key."""


@dataclass(frozen=True)
class Commit:
    """One entry of a table's history."""

    version: int
    timestamp: dt.datetime
    operation: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Compaction:
    """What compacting one table did: its data files before and after, and the files rewritten."""

    table: str
    files_before: int
    files_after: int
    files_removed: int
    files_added: int


@dataclass(frozen=True)
class TableInfo:
    """A table as listed by :meth:`Lake.tables`."""

    name: str
    path: str
    version: int
    rows: int | None
    last_write: dt.datetime | None
    last_operation: str | None


class Backend(Protocol):
    """What a Delta engine must provide; both back ends pass one contract test suite."""

    name: str

    def exists(self, path: str) -> bool: ...
    def create(
        self,
        path: str,
        schema: StructType,
        partition_by: Sequence[str],
        properties: Mapping[str, str],
        description: str | None,
    ) -> None: ...
    def schema(self, path: str) -> StructType: ...
    def partition_columns(self, path: str) -> list[str]: ...
    def add_columns(self, path: str, fields: StructType) -> None: ...
    def version(self, path: str) -> int: ...
    def read(self, path: str, version: int | None, timestamp: dt.datetime | None) -> DataFrame: ...
    def write(
        self,
        path: str,
        df: DataFrame,
        mode: Literal["append", "overwrite"],
        predicate: str | None,
        schema_evolution: bool,
        metadata: Mapping[str, Any],
    ) -> None: ...
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
    ) -> dict[str, Any]: ...
    def read_arrow(self, path: str, columns: Sequence[str] | None) -> pa.Table: ...
    def delete(self, path: str, predicate: str, metadata: Mapping[str, Any]) -> int: ...
    def history(self, path: str, limit: int | None) -> list[Commit]: ...
    def vacuum(self, path: str, retention_hours: int, dry_run: bool) -> list[str]: ...
    def optimize(self, path: str) -> tuple[int, int]: ...
    def file_count(self, path: str) -> int: ...
    def changes(self, path: str, start_version: int, end_version: int | None) -> DataFrame: ...
    def properties(self, path: str) -> dict[str, str]: ...
    def set_properties(self, path: str, properties: Mapping[str, str]) -> None: ...
    def row_count(self, path: str) -> int | None: ...


CDF_PROPERTY = "delta.enableChangeDataFeed"
# Delta's default minimum retention for VACUUM: a week of versions stays readable.
MIN_RETENTION_HOURS = 168


def check_arrow_keys(path: str, source: pa.Table, keys: Sequence[str]) -> None:
    """Raise when an Arrow merge source has null keys or the same key twice."""
    import pyarrow.compute as pc

    key_table = source.select(list(keys))
    nulls = 0
    if any(key_table.column(k).null_count for k in keys):
        mask = pc.is_null(key_table.column(keys[0]))
        for k in keys[1:]:
            mask = pc.or_(mask, pc.is_null(key_table.column(k)))
        nulls = int(pc.sum(mask.cast(pa.int64())).as_py() or 0)
    counts = key_table.group_by(list(keys)).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts.column("count_all"), 1))
    check_merge_keys(path, keys, nulls, repeated.slice(0, 3).to_pylist())


def check_merge_keys(path: str, keys: Sequence[str], nulls: int, duplicates: list[dict[str, Any]]) -> None:
    """Raise when a merge source has null keys or the same key twice (back ends count, this words it)."""
    table = path.rstrip("/").rsplit("/", 1)[-1]
    if nulls:
        raise DuplicateKeyError(
            f"Merge into '{table}': the source has {nulls} row(s) with a null key ({', '.join(keys)}); "
            "null keys never match, so such rows would be inserted again on every run."
        )
    if duplicates:
        examples = "; ".join(", ".join(f"{k}={row[k]!r}" for k in keys) for row in duplicates[:3])
        raise DuplicateKeyError(
            f"Merge into '{table}': the source holds the same key more than once ({examples}); "
            "deduplicate the source so each key appears once."
        )
