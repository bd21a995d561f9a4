"""Turning records into landing lines exactly as each feed's contract describes.

A record is a mapping from contract column names to Python values: ``str``, ``int``, ``bool``,
:class:`Money` (integer cents), ``list[str]``, ``list[Item]`` or ``None``. Dates and timestamps are
already text in their column's ``parse_format``; a deliberately bad value is simply text where a number
belongs. CSV lines follow RFC 4180 quoting; JSON lines are compact objects with decimals written with
two decimals, non-ASCII text unescaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from pyspark.sql import types as T

from generator.timefmt import SparkPattern, zone
from schemas.core import Column, LandingContract
from schemas.landing import CONTRACTS


class Money(int):
    """An amount in cents; written as a decimal with two places."""

    def text(self) -> str:
        """The amount as ``12.50`` (or ``-3.05``)."""
        sign = "-" if self < 0 else ""
        cents = abs(int(self))
        return f"{sign}{cents // 100}.{cents % 100:02d}"


class Item(NamedTuple):
    """One order line."""

    sku: str
    category: str
    quantity: int
    unit_price: Money


Record = dict[str, Any]


@dataclass(frozen=True)
class FeedSpec:
    """Everything the generator needs to know about one feed, derived once from its contract."""

    index: int
    contract: LandingContract
    columns: tuple[Column, ...]
    names: tuple[str, ...]
    key: str
    tz: dt.tzinfo
    patterns: Mapping[str, SparkPattern]
    file_prefix: str
    keys: tuple[tuple[str, str], ...]

    @property
    def feed(self) -> str:
        """The feed name."""
        return self.contract.feed

    @property
    def is_csv(self) -> bool:
        """Whether the feed's files are CSV (else JSON lines)."""
        return self.contract.file_format == "csv"

    def file_name(self, day: dt.date) -> str:
        """The landing file name for a batch day, matching the contract's ``file_glob``."""
        suffix = "csv" if self.is_csv else "jsonl"
        return f"{self.file_prefix}-{day.isoformat()}.{suffix}"

    def relative_path(self, day: dt.date) -> str:
        """The file's path relative to the landing root."""
        return f"{self.contract.channel}/{day.isoformat()}/{self.file_name(day)}"

    def header(self) -> bytes:
        """The CSV header line (empty for JSON lines)."""
        return (",".join(self.names) + "\n").encode("utf-8") if self.is_csv else b""

    def fields(self, record: Mapping[str, Any]) -> list[str]:
        """The CSV fields of a record, quoted where needed."""
        return [_csv_field(record.get(name)) for name in self.names]

    def line(self, record: Mapping[str, Any]) -> str:
        """The record as one landing line, without the line end."""
        if self.is_csv:
            return ",".join(self.fields(record))
        return json_object(record, self.keys)


def _file_prefix(contract: LandingContract) -> str:
    glob = contract.file_glob
    if glob.startswith("*"):
        return contract.feed
    prefix = glob.split("*", 1)[0]
    return prefix.rstrip("-")


def build_specs() -> tuple[FeedSpec, ...]:
    """One spec per landing contract, in contract order."""
    specs = []
    for index, contract in enumerate(CONTRACTS):
        patterns = {c.name: SparkPattern(c.parse_format) for c in contract.columns if c.parse_format}
        specs.append(
            FeedSpec(
                index=index,
                contract=contract,
                columns=contract.columns,
                names=tuple(contract.column_names),
                key=contract.primary_key[0],
                tz=zone(contract.timezone),
                patterns=patterns,
                file_prefix=_file_prefix(contract),
                keys=json_keys(contract.column_names),
            )
        )
    return tuple(specs)


def _csv_field(value: Any) -> str:
    if type(value) is str:
        if '"' in value or "," in value or value[:1].isspace() or value[-1:].isspace():
            return '"' + value.replace('"', '""') + '"'
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Money):
        return value.text()
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"CSV fields hold scalars, got {type(value).__name__}")


def _json_value(value: Any) -> str:
    if isinstance(value, str):
        return str(encode_basestring(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Money):
        return value.text()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Item):
        return (
            f'{{"sku":{encode_basestring(value.sku)},"category":{encode_basestring(value.category)},'
            f'"quantity":{value.quantity},"unit_price":{value.unit_price.text()}}}'
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json_value(v) for v in value) + "]"
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def json_keys(names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(name, JSON key prefix) pairs, computed once per feed."""
    return tuple((name, f"{encode_basestring(name)}:") for name in names)


def json_object(record: Mapping[str, Any], keys: Sequence[tuple[str, str]]) -> str:
    """A compact JSON object of the record's non-null fields in contract order, then any extra keys.

    Amounts are numbers with two decimals and non-ASCII text is left unescaped.
    """
    parts = [
        prefix + (encode_basestring(value) if type(value) is str else _json_value(value))
        for name, prefix in keys
        if (value := record.get(name)) is not None
    ]
    if len(record) != len(keys):
        known = {name for name, _ in keys}
        parts += [
            f"{encode_basestring(k)}:{_json_value(v)}"
            for k, v in record.items()
            if k not in known and v is not None
        ]
    return "{" + ",".join(parts) + "}"


def is_text(column: Column) -> bool:
    """Whether a column holds plain text."""
    return isinstance(column.dtype, T.StringType)


def is_temporal(column: Column) -> bool:
    """Whether a column holds a date or timestamp."""
    return isinstance(column.dtype, T.DateType | T.TimestampType | T.TimestampNTZType)


class Rec:
    """One landing row in the making: its batch, sort key, values and the person behind it.

    ``reason`` is set for deliberately bad rows; ``defect`` names a change made to the written line
    (``parse``, ``columns`` or ``encoding``) and ``payload`` carries what that change needs.
    """

    __slots__ = ("batch", "defect", "key", "payload", "person", "reason", "seq", "values")

    def __init__(self, batch: int, key: int, values: Record, person: int, seq: int) -> None:
        self.batch = batch
        self.key = key
        self.values = values
        self.person = person
        self.seq = seq
        self.reason: str | None = None
        self.defect: str | None = None
        self.payload: bytes | None = None
