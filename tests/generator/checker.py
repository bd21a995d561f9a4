"""A small pure-Python reader of landing files by their contracts, independent of the generator.

It applies the ingestion rules to each physical line (undecodable bytes, unparseable CSV or JSON, wrong
column count, missing key, values that do not fit their Spark type and ``parse_format``, too long, out of
range) and, across files in batch order, duplicates. The tests compare its verdicts with the truth the
generator wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyspark.sql import types as T

from schemas.core import Column, LandingContract
from schemas.landing import CONTRACTS

_TOKENS = {
    "yyyy": r"(?P<y>\d{4})",
    "MM": r"(?P<mo>\d{2})",
    "dd": r"(?P<d>\d{2})",
    "HH": r"(?P<h>\d{2})",
    "mm": r"(?P<mi>\d{2})",
    "ss": r"(?P<s>\d{2})",
    "SSS": r"(?P<ms>\d{3})",
    "XXX": r"(?P<off>Z|[+-]\d{2}:\d{2})",
}
_BOOLEANS = {"t", "true", "y", "yes", "1", "f", "false", "n", "no", "0"}
EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a Spark datetime pattern (the letters the contracts use)."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.index("'", i + 1)
            out.append(re.escape(pattern[i + 1 : end]))
            i = end + 1
        elif char.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == char:
                j += 1
            out.append(_TOKENS[pattern[i:j]])
            i = j
        else:
            out.append(re.escape(char))
            i += 1
    return re.compile("^" + "".join(out) + "$")


def parse_temporal(column: Column, text: str) -> dt.datetime | None:
    """The value of a date or timestamp text, or None when it does not fit the column's pattern.

    Instants come back as aware UTC datetimes, wall-clock values and dates as naive datetimes.
    """
    assert column.parse_format
    match = pattern_regex(column.parse_format).match(text)
    if not match:
        return None
    g = match.groupdict()
    try:
        value = dt.datetime(
            int(g["y"]),
            int(g["mo"]),
            int(g["d"]),
            int(g.get("h") or 0),
            int(g.get("mi") or 0),
            int(g.get("s") or 0),
            int(g.get("ms") or 0) * 1000,
        )
    except ValueError:
        return None
    off = g.get("off")
    if off is not None:
        minutes = 0 if off == "Z" else int(off[1:3]) * 60 + int(off[4:6])
        sign = -1 if off.startswith("-") else 1
        value = (value - dt.timedelta(minutes=sign * minutes)).replace(tzinfo=dt.UTC)
    return value


def typed(column: Column, text: str) -> tuple[bool, Any]:
    """(fits the type, typed value) for one non-null field text."""
    dtype = column.dtype
    if isinstance(dtype, T.StringType):
        return True, text
    if isinstance(dtype, T.DateType | T.TimestampType | T.TimestampNTZType):
        moment = parse_temporal(column, text)
        return moment is not None, moment
    if isinstance(dtype, T.BooleanType):
        return text.strip().lower() in _BOOLEANS, text.strip().lower() in {"t", "true", "y", "yes", "1"}
    if isinstance(dtype, T.IntegerType | T.LongType):
        stripped = text.strip()
        if re.fullmatch(r"[+-]?\d+", stripped) is None:
            return False, None
        return True, int(stripped)
    if isinstance(dtype, T.DecimalType):
        try:
            amount = Decimal(text.strip())
        except InvalidOperation:
            return False, None
        exponent = amount.as_tuple().exponent
        ok = amount.is_finite() and isinstance(exponent, int) and -exponent <= dtype.scale
        return ok, amount
    if isinstance(dtype, T.ArrayType):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return False, None
        return isinstance(value, list), value
    raise AssertionError(f"unexpected type {dtype}")


def field_reasons(contract: LandingContract, fields: dict[str, str | None], batch: dt.date) -> list[str]:
    """The ingestion reasons of a parsed row (empty when the row is acceptable)."""
    reasons = []
    for column in contract.columns:
        raw = fields.get(column.name)
        if column.name in contract.primary_key and (raw is None or not raw.strip()):
            reasons.append(f"NULL_KEY:{column.name}")
        if raw is None:
            continue
        ok, value = typed(column, raw)
        if not ok:
            reasons.append(f"TYPE_CAST:{column.name}")
            continue
        if column.max_length is not None and len(raw) > column.max_length:
            reasons.append(f"FIELD_TOO_LONG:{column.name}")
        if out_of_range(contract, column, value, batch):
            reasons.append(f"OUT_OF_RANGE:{column.name}")
    return reasons


def out_of_range(contract: LandingContract, column: Column, value: Any, batch: dt.date) -> bool:
    """Whether a typed value lies outside the column's declared range."""
    if value is None or isinstance(value, str | list | bool):
        return False
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zoneinfo.ZoneInfo(contract.timezone))
        day = value.date()
        if column.future_days is not None and day > batch + dt.timedelta(days=column.future_days):
            return True
        return column.min_date is not None and day < dt.date.fromisoformat(column.min_date)
    if column.min_value is not None and value < Decimal(str(column.min_value)):
        return True
    return column.max_value is not None and value > Decimal(str(column.max_value))


def quality_reasons(contract: LandingContract, fields: dict[str, str | None]) -> list[str]:
    """Checks quality suites make beyond ingestion: email format and allowed values."""
    reasons = []
    for column in contract.columns:
        raw = fields.get(column.name)
        if raw is None:
            continue
        if column.fmt == "email" and not EMAIL.match(raw.strip()):
            reasons.append(f"FORMAT:{column.name}")
        if column.allowed is not None and raw not in column.allowed:
            reasons.append(f"ALLOWED:{column.name}")
    return reasons


@dataclass
class Row:
    """One physical landing line as the reference reader sees it."""

    feed: str
    source_file: str
    line_number: int
    batch: dt.date
    raw: bytes
    fields: dict[str, str | None] | None
    record: dict[str, Any] | None
    reasons: list[str]


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value or None
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_file(landing: Path, path: Path, contract: LandingContract) -> Iterator[Row]:
    """Every data line of one landing file, with its parse- and field-level reasons."""
    relative = path.relative_to(landing).as_posix()
    batch = dt.date.fromisoformat(path.parent.name)
    names = contract.column_names
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"", f"{relative} must end with a line break"
    for number, raw in enumerate(lines[:-1], start=1):
        if contract.file_format == "csv" and number == 1:
            assert raw.decode("utf-8") == ",".join(names), f"{relative}: header differs from the contract"
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield Row(contract.feed, relative, number, batch, raw, None, None, ["ENCODING_ERROR"])
            continue
        if contract.file_format == "csv":
            try:
                values = next(csv.reader([text], strict=True))
            except csv.Error:
                yield Row(contract.feed, relative, number, batch, raw, None, None, ["PARSE_ERROR"])
                continue
            if len(values) != len(names):
                yield Row(contract.feed, relative, number, batch, raw, None, None, ["COLUMN_COUNT_MISMATCH"])
                continue
            fields = {n: (v if v != "" else None) for n, v in zip(names, values, strict=True)}
            record = None
        else:
            try:
                record = json.loads(text)
            except json.JSONDecodeError:
                yield Row(contract.feed, relative, number, batch, raw, None, None, ["PARSE_ERROR"])
                continue
            if not isinstance(record, dict):
                yield Row(contract.feed, relative, number, batch, raw, None, None, ["PARSE_ERROR"])
                continue
            if not set(record) <= set(names):
                yield Row(
                    contract.feed, relative, number, batch, raw, None, record, ["COLUMN_COUNT_MISMATCH"]
                )
                continue
            fields = {n: _json_text(record.get(n)) for n in names}
        yield Row(
            contract.feed,
            relative,
            number,
            batch,
            raw,
            fields,
            record,
            field_reasons(contract, fields, batch),
        )


def read_landing(landing: Path) -> list[Row]:
    """Every data line of every landing file, with reasons, duplicates flagged in ingestion order."""
    rows: list[Row] = []
    for contract in CONTRACTS:
        files = sorted(
            (p for p in (landing / contract.channel).glob(f"*/{contract.file_glob}")),
            key=lambda p: (p.parent.name, p.name),
        )
        seen: set[Any] = set()
        for path in files:
            for row in read_file(landing, path, contract):
                if not row.reasons:
                    assert row.fields is not None
                    if contract.dedupe == "key":
                        key: Any = tuple(row.fields[k] for k in contract.primary_key)
                    else:
                        key = row.raw
                    if key in seen:
                        row.reasons = ["DUPLICATE"]
                    seen.add(key)
                rows.append(row)
    return rows
