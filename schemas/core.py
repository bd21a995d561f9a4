"""The building blocks every table declaration uses: columns, tables and landing contracts.

A declaration says, once, what a column is: its Spark type, whether it may be null, whether it holds
personal data, its allowed values, range, length and format, and what it means. Ingestion, quality suites,
privacy handling and documentation are all generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pyarrow as pa
from pyspark.sql import types as T

STRING = T.StringType()
LONG = T.LongType()
INT = T.IntegerType()
DOUBLE = T.DoubleType()
BOOLEAN = T.BooleanType()
DATE = T.DateType()
TIMESTAMP = T.TimestampType()  # an instant; stored in UTC
LOCAL_TIMESTAMP = T.TimestampNTZType()  # a wall-clock time in the channel's declared zone
MONEY = T.DecimalType(12, 2)
STRINGS = T.ArrayType(STRING)

Layer = Literal["landing", "bronze", "silver", "gold", "ops"]
Format = Literal["email", "e164", "country_code", "currency", "postcode", "card_number", "url", "record_key"]


@dataclass(frozen=True)
class Column:
    """One column of a table or landing file.

    Attributes:
        name: column name (snake_case; suffixes carry meaning: ``_id``, ``_at``, ``is_``, ``_amount``).
        dtype: the Spark type.
        description: what the column means, for people.
        required: never null (checked by quality suites; a null key also quarantines at ingestion).
        pii: holds personal data (names, contacts, addresses, birth dates); never copied into reports.
        allowed: the only values allowed, when the column is categorical.
        min_value / max_value: inclusive numeric bounds; outside them a landing row is quarantined.
        max_length: longest allowed text; longer landing values are quarantined.
        fmt: a named format checked by quality suites (email, E.164 phone, ...).
        parse_format: for landing dates and timestamps, the Spark datetime pattern they arrive in.
        future_days: for dates and timestamps, how far past the batch date a value may lie.
        min_date: for dates, the earliest plausible value (ISO text).
    """

    name: str
    dtype: T.DataType
    description: str
    required: bool = False
    pii: bool = False
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    fmt: Format | None = None
    parse_format: str | None = None
    future_days: int | None = None
    min_date: str | None = None

    @property
    def type_name(self) -> str:
        """The Spark SQL name of the type, e.g. ``bigint`` or ``decimal(12,2)``."""
        return self.dtype.simpleString()

    def field(self) -> T.StructField:
        """The column as a Spark struct field."""
        return T.StructField(self.name, self.dtype, nullable=not self.required)


@dataclass(frozen=True)
class TableSchema:
    """A Delta table of the lake: its columns, keys, partitioning and purpose."""

    name: str
    layer: Layer
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ()
    change_data_feed: bool = False
    produced_by: str = ""

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"Table {self.name} declares columns more than once: {sorted(duplicates)}")
        unknown = [c for c in (*self.primary_key, *self.partition_by) if c not in names]
        if unknown:
            raise ValueError(f"Table {self.name}: key or partition columns {unknown} are not declared")

    @property
    def spark_schema(self) -> T.StructType:
        """The Spark schema of the table."""
        return T.StructType([c.field() for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        """Column names, in declared order."""
        return [c.name for c in self.columns]

    @property
    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of the table (timestamps as UTC instants)."""
        from pyspark.sql.pandas.types import to_arrow_schema

        return to_arrow_schema(self.spark_schema, timezone="UTC")

    def to_arrow(self, data: pa.Table) -> pa.Table:
        """``data`` with the table's columns, in order, cast to the table's types.

        For data computed outside Spark (DuckDB, Python) on its way to the lake; a column that cannot be
        cast raises ``pyarrow.ArrowInvalid``.
        """
        return data.select(self.column_names).cast(self.arrow_schema)

    def rows_to_arrow(self, rows: Sequence[Sequence[Any]]) -> pa.Table:
        """Python rows, each in the table's column order, as Arrow with the table's types."""
        schema = self.arrow_schema
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
        arrays = [pa.array(list(values), field.type) for values, field in zip(columns, schema, strict=True)]
        return pa.Table.from_arrays(arrays, schema=schema)

    @property
    def pii_columns(self) -> list[str]:
        """Names of the columns that hold personal data."""
        return [c.name for c in self.columns if c.pii]

    @property
    def properties(self) -> dict[str, str]:
        """Delta table properties the declaration implies."""
        return {"delta.enableChangeDataFeed": "true"} if self.change_data_feed else {}

    def column(self, name: str) -> Column:
        """The declared column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"Table {self.name} has no column {name!r}; columns: {', '.join(self.column_names)}")


@dataclass(frozen=True)
class LandingContract:
    """The contract of one landing format: the files a channel drops and what each row must hold.

    A channel may deliver more than one format (orders arrive as online JSON lines and store CSV); each
    format is a *feed* with its own contract and its own bronze table ``bronze_<feed>``.

    Attributes:
        channel: the landing folder, ``landing/<channel>/<YYYY-MM-DD>/``.
        feed: the name of this format; also names the bronze table.
        file_format: ``csv`` (header line, comma separated, double-quote quoting) or ``jsonl``.
        file_glob: which files in a batch folder belong to this feed.
        timezone: the zone naive timestamps of this feed are expressed in.
        phone_region: the region phone numbers without a country code belong to.
        columns: the fields, in header order for CSV.
        primary_key: the source's own id for a row.
        dedupe: ``key`` for events (the same id again is a duplicate, within and across batches);
            ``row`` for entity snapshots (only an identical row again is a duplicate; a changed row with
            the same id is a new version).
    """

    channel: str
    feed: str
    file_format: Literal["csv", "jsonl"]
    file_glob: str
    timezone: str
    phone_region: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    dedupe: Literal["key", "row"]
    identifies_by: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        """Field names in header order."""
        return [c.name for c in self.columns]

    @property
    def landing_table(self) -> TableSchema:
        """The contract as a table declaration (landing layer), for validation and documentation."""
        return TableSchema(
            name=self.feed,
            layer="landing",
            description=self.description,
            columns=self.columns,
            primary_key=self.primary_key,
        )

    def column(self, name: str) -> Column:
        """The declared field called ``name``."""
        return self.landing_table.column(name)


def renamed(column: Column, name: str, description: str | None = None) -> Column:
    """A copy of ``column`` under another name."""
    return replace(column, name=name, description=description or column.description)
