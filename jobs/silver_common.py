"""What every silver job shares: standardising columns with ``jobs.normalise`` and converting times.

Normalisation runs in Python over the *distinct* input values only (a phone number seen in 50 orders is
parsed once), in parallel Spark tasks, and the results are joined back to the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from infra.storage import Lake
from jobs.normalise import normalise_address, normalise_email, normalise_name, normalise_phone

# Null inputs travel through distinct() and the join as this marker (equality joins drop nulls).
_NULL = "\u0000"


def _standardise(
    df: DataFrame,
    inputs: Sequence[Column],
    fn: Callable[..., Sequence[Any]],
    outputs: Sequence[tuple[str, T.DataType]],
) -> DataFrame:
    """Add ``outputs`` computed by ``fn(*input values)`` over the distinct inputs, joined back by value."""
    keys = [f"__in{i}" for i in range(len(inputs))]
    with_keys = df.select(
        "*", *[F.coalesce(c.cast("string"), F.lit(_NULL)).alias(k) for c, k in zip(inputs, keys, strict=True)]
    )
    distinct = with_keys.select(*keys).distinct()
    schema = T.StructType(
        [*[T.StructField(k, T.StringType()) for k in keys], *[T.StructField(n, t) for n, t in outputs]]
    )
    arrow_schema = pa.schema([(f.name, _arrow_type(f.dataType)) for f in schema.fields])

    def apply(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            columns = [batch.column(k).to_pylist() for k in keys]
            results: list[list[Any]] = [[] for _ in outputs]
            for values in zip(*columns, strict=True):
                out = fn(*[None if v == _NULL else v for v in values])
                for i, value in enumerate(out):
                    results[i].append(value)
            arrays = [batch.column(k) for k in keys] + [
                pa.array(values, type=arrow_schema.field(len(keys) + i).type)
                for i, values in enumerate(results)
            ]
            yield pa.RecordBatch.from_arrays(arrays, schema=arrow_schema)

    mapped = distinct.mapInArrow(apply, schema)
    return with_keys.join(mapped, on=keys, how="left").drop(*keys)


def _arrow_type(dtype: T.DataType) -> pa.DataType:
    if isinstance(dtype, T.BooleanType):
        return pa.bool_()
    return pa.string()


def standardise_email(df: DataFrame, column: str, prefix: str = "email") -> DataFrame:
    """Add ``<prefix>``, ``<prefix>_match_key``, ``<prefix>_status`` and ``<prefix>_raw`` for an email."""

    def fn(raw: str | None) -> tuple[str | None, str | None, str]:
        r = normalise_email(raw)
        return r.email if r.valid else None, r.match_key, r.reason or "ok"

    outputs = [
        (prefix, T.StringType()),
        (f"{prefix}_match_key", T.StringType()),
        (f"{prefix}_status", T.StringType()),
    ]
    df = df.withColumnRenamed(column, "__raw")
    out = _standardise(df, [F.col("__raw")], fn, outputs)
    return out.withColumnRenamed("__raw", f"{prefix}_raw")


def standardise_phone(df: DataFrame, column: str, region: str, prefix: str = "phone") -> DataFrame:
    """Add ``<prefix>`` (E.164), ``<prefix>_status``, ``<prefix>_region`` and ``<prefix>_raw``.

    ``region`` is the feed's default region for numbers written without a country code.
    """

    def fn(raw: str | None) -> tuple[str | None, str, str | None]:
        r = normalise_phone(raw, region)
        return r.e164 if r.valid else None, r.reason or "ok", r.region

    outputs = [
        (prefix, T.StringType()),
        (f"{prefix}_status", T.StringType()),
        (f"{prefix}_region", T.StringType()),
    ]
    df = df.withColumnRenamed(column, "__raw")
    out = _standardise(df, [F.col("__raw")], fn, outputs)
    return out.withColumnRenamed("__raw", f"{prefix}_raw")


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


def standardise_name(
    df: DataFrame,
    *,
    full: str | None = None,
    first: str | None = None,
    last: str | None = None,
    nickname: str | None = None,
    prefix: str = "name",
) -> DataFrame:
    """Add the standardised name parts ``<prefix>_given`` ... ``<prefix>_tokens`` (see schemas.silver)."""
    inputs = [F.col(c) if c else F.lit(None).cast("string") for c in (full, first, last, nickname)]

    def fn(
        full_name: str | None, first_name: str | None, last_name: str | None, nick: str | None
    ) -> tuple[str | None, ...]:
        r = normalise_name(full_name, first_name, last_name, nick)
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

    return _standardise(df, inputs, fn, [(f"{prefix}_{p}", T.StringType()) for p in NAME_PARTS])


def standardise_address(df: DataFrame, line: str, city: str, postcode: str, country: str) -> DataFrame:
    """Replace the address columns with their standardised forms and add ``house_number``."""

    def fn(
        line_raw: str | None, city_raw: str | None, postcode_raw: str | None, country_raw: str | None
    ) -> tuple[str | None, ...]:
        r = normalise_address(line_raw, city_raw, postcode_raw, country_raw)
        return r.line, r.house_number, r.city, r.postcode, r.country_code

    names = ["address_line", "house_number", "city", "postcode", "country_code"]
    out = _standardise(
        df.withColumnsRenamed({line: "__line", city: "__city", postcode: "__postcode", country: "__country"}),
        [F.col("__line"), F.col("__city"), F.col("__postcode"), F.col("__country")],
        fn,
        [(n, T.StringType()) for n in names],
    )
    return out.drop("__line", "__city", "__postcode", "__country")


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
