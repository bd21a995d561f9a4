"""What every silver job shares: standardising columns with ``normalise``, converting times, and
:class:`SilverJob`, the declaration of how one silver table is made from bronze and written.

Standardisation is one ``mapInArrow`` pass per table: every step (email, phone, name, address) runs on
each row in the same Python task, with a per-task cache so a value repeated across rows (a guest's phone on
fifty orders) is normalised once. No shuffle, no join back.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from infra.settings import Settings
from infra.storage import Lake
from normalise import normalise_address, normalise_email, normalise_name, normalise_phone
from schemas.bronze import bronze_name
from schemas.core import LandingContract, TableSchema

CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Step:
    """One standardisation: input columns -> output columns through a pure function.

    ``keep_as`` renames the input columns that are kept next to the outputs (e.g. the raw email); inputs
    not listed there are dropped.
    """

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    fn: Callable[..., tuple[Any, ...]]
    keep_as: tuple[tuple[str, str], ...] = ()


def _email(raw: str | None) -> tuple[Any, ...]:
    r = normalise_email(raw)
    return r.email if r.valid else None, r.match_key, r.reason or "ok"


def email(column: str, prefix: str = "email") -> Step:
    """``<prefix>``, ``<prefix>_match_key``, ``<prefix>_status``, and the input kept as ``<prefix>_raw``."""
    return Step(
        (column,), (prefix, f"{prefix}_match_key", f"{prefix}_status"), _email, ((column, f"{prefix}_raw"),)
    )


def phone(column: str, region: str, prefix: str = "phone") -> Step:
    """``<prefix>`` (E.164), ``<prefix>_status``, ``<prefix>_region``, and the input as ``<prefix>_raw``.

    ``region`` is the feed's default region for numbers written without a country code.
    """
    return Step(
        (column,),
        (prefix, f"{prefix}_status", f"{prefix}_region"),
        functools.partial(_phone, region=region),
        ((column, f"{prefix}_raw"),),
    )


def _phone(raw: str | None, region: str) -> tuple[Any, ...]:
    r = normalise_phone(raw, region)
    return r.e164 if r.valid else None, r.reason or "ok", r.region


NAME_PARTS = (
    "given",
    "family",
    "full",
    "script",
    "hanzi",
    "pinyin_family",
    "pinyin_given",
    "given_canonical",
    "tokens",
)


def _name(full: str | None, first: str | None, last: str | None, nick: str | None) -> tuple[Any, ...]:
    r = normalise_name(full, first, last, nick)
    return (
        r.given,
        r.family,
        r.full,
        r.script,
        r.hanzi,
        r.pinyin_family,
        r.pinyin_given,
        r.given_canonical,
        r.tokens_sorted,
    )


def name(
    *,
    full: str | None = None,
    first: str | None = None,
    last: str | None = None,
    nickname: str | None = None,
    prefix: str = "name",
) -> Step:
    """The standardised name parts ``<prefix>_given`` ... ``<prefix>_tokens`` (see schemas.silver).

    The raw name columns are dropped, except ``nickname``, which is kept as is.
    """
    inputs = tuple(c or "" for c in (full, first, last, nickname))
    keep = ((nickname, nickname),) if nickname else ()
    return Step(inputs, tuple(f"{prefix}_{p}" for p in NAME_PARTS), _name, keep)


def _address(
    line: str | None, city: str | None, postcode: str | None, country: str | None
) -> tuple[Any, ...]:
    r = normalise_address(line, city, postcode, country)
    return r.line, r.house_number, r.city, r.postcode, r.country_code


def address(line: str, city: str, postcode: str, country: str) -> Step:
    """Replace the address columns with their standardised forms, plus ``house_number``."""
    return Step(
        (line, city, postcode, country),
        ("address_line", "house_number", "city", "postcode", "country_code"),
        _address,
    )


def standardise(df: DataFrame, *steps: Step) -> DataFrame:
    """Apply the steps to every row in one Python pass; outputs are strings.

    Example:
        >>> silver = standardise(bronze, email("email"), phone("phone", "CN"))  # doctest: +SKIP
    """
    consumed = {c for step in steps for c in step.inputs if c}
    renamed = {src: dst for step in steps for src, dst in step.keep_as}
    passthrough = [f for f in df.schema.fields if f.name not in consumed]
    kept = [
        T.StructField(dst, T.StringType()) for src, dst in renamed.items() if src != dst or src in consumed
    ]
    outputs = [T.StructField(o, T.StringType()) for step in steps for o in step.outputs]
    schema = T.StructType(passthrough + kept + outputs)
    input_columns = sorted(consumed)

    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cached = [functools.lru_cache(maxsize=CACHE_SIZE)(step.fn) for step in steps]
        for batch in batches:
            values = {c: batch.column(c).to_pylist() for c in input_columns}
            arrays = [batch.column(f.name) for f in passthrough]
            arrays += [batch.column(src) for src, dst in renamed.items() if src != dst or src in consumed]
            for step, fn in zip(steps, cached, strict=True):
                rows = zip(*[values[c] if c else [None] * batch.num_rows for c in step.inputs], strict=True)
                results = [fn(*row) for row in rows]
                for i in range(len(step.outputs)):
                    arrays.append(pa.array([r[i] for r in results], type=pa.string()))
            yield pa.RecordBatch.from_arrays(arrays, names=schema.fieldNames())

    return df.mapInArrow(apply, schema)


def local_to_utc(column: str, timezone: str) -> Column:
    """A wall-clock timestamp of ``timezone`` (timestamp_ntz) as a UTC instant."""
    return F.to_utc_timestamp(F.col(column).cast("timestamp"), timezone)


def business_date(instant: Column, timezone: str) -> Column:
    """The calendar date of a UTC instant in the business time zone."""
    return F.to_date(F.from_utc_timestamp(instant, timezone))


def latest_per_key(df: DataFrame, keys: Sequence[str], order: Sequence[Column]) -> DataFrame:
    """One row per key: the first by ``order`` (put the newest first)."""
    window = Window.partitionBy(*keys).orderBy(*order)
    return df.withColumn("__rank", F.row_number().over(window)).filter(F.col("__rank") == 1).drop("__rank")


def read_bronze(lake: Lake, table: str, batches: Sequence[dt.date] | None) -> DataFrame | None:
    """A bronze table, limited to some batches; None when the table does not exist yet."""
    if not lake.exists(table):
        return None
    df = lake.read(table)
    return df.filter(F.col("batch_date").isin(list(batches))) if batches else df


Transform = Callable[[DataFrame, Settings], DataFrame]


@dataclass(frozen=True)
class SilverJob:
    """How one silver table is made: its bronze feeds, each with its transform, and how rows are written.

    An *entity* table (``key`` set: contacts, accounts, members, tickets) keeps the newest version of each
    key (by ``updated_at``, then batch and line) and, for some batches, merges them in so a row only
    replaces an older version. An *event* table (no key) replaces the rows of the batches read, so a rerun
    of the same batches gives the same content. Without batches the table is rebuilt from all of bronze.
    """

    table: TableSchema
    sources: tuple[tuple[LandingContract, Transform], ...]
    key: str | None = None

    def run(self, settings: Settings, lake: Lake, batches: Sequence[dt.date] | None, run_id: str) -> int:
        """Write the table; returns the version written, or -1 when no source has bronze yet."""
        parts = []
        for contract, transform in self.sources:
            bronze = read_bronze(lake, bronze_name(contract.feed), batches)
            if bronze is None:
                continue
            if self.key is not None:
                newest = [F.col("updated_at").desc(), F.col("batch_date").desc(), F.col("line_number").desc()]
                bronze = latest_per_key(bronze, [self.key], newest)
            parts.append(transform(bronze, settings).select(*self.table.column_names))
        if not parts:
            return -1
        df = functools.reduce(DataFrame.unionByName, parts)
        table = self.table
        lake.create(
            table.name, table.spark_schema, properties=table.properties, description=table.description
        )
        metadata = {"run_id": run_id, "batches": "all" if not batches else ",".join(map(str, batches))}
        if self.key is None:
            where = {"batch_date": list(batches)} if batches else None
            return lake.overwrite(table.name, df, where=where, metadata=metadata)
        if not batches:
            return lake.overwrite(table.name, df, metadata=metadata)
        newer = (
            "s.updated_at > t.updated_at OR (s.updated_at = t.updated_at AND s.batch_date >= t.batch_date)"
        )
        lake.merge(table.name, df, [self.key], update_condition=newer, metadata=metadata)
        return lake.version(table.name)
