"""Deliberately bad rows, each with exactly one defect and the reason code ingestion must give it.

Bad rows are extra rows derived from a good row of the same feed (with a fresh key, so the defect is the
only thing wrong), except duplicates, which repeat a good row byte for byte, and missing keys, which
blank it. ``break_column`` instead spoils one column in every row of a feed, to prove the quality gates
stop a broken source.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from pyspark.sql import types as T

from generator.encode import FeedSpec, Money, Rec, is_temporal, is_text
from generator.people import ascii_fold
from schemas.bronze import Reason
from schemas.core import Column

SENTINEL = "\ue000"
SENTINEL_BYTES = SENTINEL.encode("utf-8")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EXTRA_KEYS = (("coupon_code", "SPRING24"), ("debug", True), ("_schema_version", 3), ("referrer", "partner"))

# In this order, so a seed gives the same defects: random choices are made over this sequence.
KINDS = tuple(Reason)


def _numeric(column: Column) -> bool:
    return isinstance(column.dtype, T.IntegerType | T.LongType | T.DecimalType | T.DoubleType)


class DefectMaker:
    """Makes bad rows for one feed of one chunk."""

    def __init__(
        self,
        spec: FeedSpec,
        rng: random.Random,
        start: dt.date,
        last_day: int,
        new_key: Callable[[], str],
    ) -> None:
        self.spec = spec
        self.rng = rng
        self.start = start
        self.last_day = last_day
        self.new_key = new_key
        columns = [c for c in spec.columns if c.name != spec.key]
        self.typed = [c for c in columns if not is_text(c) and not isinstance(c.dtype, T.ArrayType)]
        self.ranged = [
            c
            for c in columns
            if (_numeric(c) and (c.min_value is not None or c.max_value is not None))
            or (is_temporal(c) and c.future_days is not None)
        ]
        self.long = [c for c in columns if is_text(c) and c.max_length and not c.allowed and not c.fmt]
        self.text = [c for c in columns if is_text(c) and not c.allowed]
        kinds = [Reason.PARSE_ERROR, Reason.COLUMN_COUNT_MISMATCH, Reason.NULL_KEY, Reason.DUPLICATE]
        kinds += [Reason.TYPE_CAST] if self.typed else []
        kinds += [Reason.ENCODING_ERROR] if self.text else []
        kinds += [Reason.OUT_OF_RANGE] if self.ranged else []
        kinds += [Reason.FIELD_TOO_LONG] if self.long else []
        self.kinds = [k for k in KINDS if k in kinds]

    def inject(self, good: list[Rec], rate: float, next_seq: Callable[[], int]) -> list[Rec]:
        """Bad rows for a feed whose good rows are ``good``: about ``rate`` of all rows end up bad."""
        if not good or rate <= 0:
            return []
        rng = self.rng
        expected = len(good) * rate / (1 - rate)
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        return [self.make(rng.choice(good), rng.choice(self.kinds), next_seq()) for _ in range(count)]

    def make(self, template: Rec, kind: str, seq: int) -> Rec:
        """One bad row of ``kind`` derived from the good row ``template``."""
        rng = self.rng
        spec = self.spec
        if kind == Reason.DUPLICATE:
            later = template.batch + rng.randint(1, 3)
            if rng.random() < 0.5 and later <= self.last_day:
                bad = Rec(later, template.key, template.values, template.person, seq)
            else:
                bad = Rec(
                    template.batch,
                    template.key + rng.randint(1, 3_600_000),
                    template.values,
                    template.person,
                    seq,
                )
            bad.reason = Reason.DUPLICATE.value
            return bad
        values = dict(template.values)
        bad = Rec(template.batch, template.key + rng.randint(1, 60_000), values, template.person, seq)
        if kind == Reason.NULL_KEY:
            values[spec.key] = None
            bad.reason = Reason.NULL_KEY.on(spec.key)
            return bad
        values[spec.key] = self.new_key()
        if kind == Reason.PARSE_ERROR:
            bad.defect = "parse"
            bad.reason = Reason.PARSE_ERROR.value
        elif kind == Reason.COLUMN_COUNT_MISMATCH:
            bad.defect = "columns"
            bad.reason = Reason.COLUMN_COUNT_MISMATCH.value
            if not spec.is_csv:
                extra_key, extra_value = rng.choice(_EXTRA_KEYS)
                values[extra_key] = extra_value
        elif kind == Reason.TYPE_CAST:
            column = rng.choice(self.typed)
            values[column.name] = self.junk(column)
            bad.reason = Reason.TYPE_CAST.on(column.name)
        elif kind == Reason.OUT_OF_RANGE:
            column = rng.choice(self.ranged)
            values[column.name] = self.out_of_range(column, template.batch)
            bad.reason = Reason.OUT_OF_RANGE.on(column.name)
        elif kind == Reason.FIELD_TOO_LONG:
            column = rng.choice(self.long)
            values[column.name] = self.too_long(column, values.get(column.name))
            bad.reason = Reason.FIELD_TOO_LONG.on(column.name)
        else:
            column = rng.choice(self.text)
            original = values.get(column.name)
            values[column.name] = SENTINEL
            bad.payload = corrupt_bytes(rng, original if isinstance(original, str) else "")
            bad.defect = "encoding"
            bad.reason = Reason.ENCODING_ERROR.value
        return bad

    def line(self, rec: Rec) -> bytes:
        """The written line of a row, with its line-level defect applied."""
        spec = self.spec
        if rec.defect == "parse":
            if spec.is_csv:
                fields = spec.fields(rec.values)
                i = self.rng.randrange(len(fields) - 1)
                fields[i] = fields[i][:-1] if fields[i].startswith('"') else '"' + fields[i]
                text = ",".join(fields)
            else:
                whole = spec.line(rec.values)
                text = whole[: self.rng.randint(len(whole) // 3, len(whole) - 2)]
            return text.encode("utf-8")
        if rec.defect == "columns" and spec.is_csv:
            fields = spec.fields(rec.values)
            fields = (
                fields[:-1] if self.rng.random() < 0.5 else [*fields, self.rng.choice(("", "x", "EXTRA"))]
            )
            return ",".join(fields).encode("utf-8")
        data = spec.line(rec.values).encode("utf-8")
        if rec.defect == "encoding" and rec.payload is not None:
            data = data.replace(SENTINEL_BYTES, rec.payload)
        return data

    def junk(self, column: Column) -> str:
        """Text that cannot be read as the column's type."""
        rng = self.rng
        if is_temporal(column):
            day = self.start + dt.timedelta(days=rng.randint(0, max(0, self.last_day)))
            return rng.choice(
                (
                    f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
                    f"{day.isoformat()} at {rng.randint(8, 20)}:{rng.randint(10, 59)}",
                    f"{_MONTHS[day.month - 1]} {day.day}th",
                    "TBC",
                )
            )
        if isinstance(column.dtype, T.BooleanType):
            return rng.choice(("maybe", "ja", "Y/N", "opt-in"))
        if isinstance(column.dtype, T.DecimalType | T.DoubleType):
            return rng.choice(("¥128.00", "12.5O", "129,00 CNY", "free"))
        return rng.choice(("five", "7 stars", "12k", "ten"))

    def out_of_range(self, column: Column, batch: int) -> Any:
        """A value of the right type outside the column's declared range."""
        rng = self.rng
        if is_temporal(column):
            pattern = self.spec.patterns[column.name]
            if column.future_days == 0:
                day = self.start + dt.timedelta(days=batch + rng.randint(1, 400))
                return pattern.format(day)
            moment = dt.datetime(
                2099,
                rng.randint(1, 12),
                rng.randint(1, 28),
                rng.randint(0, 23),
                rng.randint(0, 59),
                tzinfo=dt.UTC,
            )
            return pattern.format(moment)
        low, high = column.min_value, column.max_value
        money = isinstance(column.dtype, T.DecimalType)
        if low is not None and (high is None or rng.random() < 0.5):
            below = low - (rng.randint(1, 500) if money else rng.randint(1, 5))
            return Money(int(below * 100)) if money else int(below)
        assert high is not None
        above = high + (rng.randint(1, 10_000) if money else rng.randint(1, 5))
        return Money(int(above * 100)) if money else int(above)

    def too_long(self, column: Column, current: Any) -> str:
        """Plain ASCII text a little longer than the column allows."""
        assert column.max_length is not None
        base = ascii_fold(current) if isinstance(current, str) else ""
        base = base or column.name.replace("_", "")
        text = base
        while len(text) <= column.max_length:
            text = f"{text} {base}"
        return text[: column.max_length + self.rng.randint(1, 40)].strip() + "x"


def corrupt_bytes(rng: random.Random, text: str) -> bytes:
    """``text`` as bytes that are not valid UTF-8: a legacy encoding (Latin-1, GBK) or stray bytes."""
    text = text.split(",", maxsplit=1)[0].strip() or rng.choice(("Renée", "Zoë", "王芳", "Müller"))
    if any(ord(c) > 127 for c in text):
        for codec in ("latin-1", "gbk"):
            try:
                raw = text.encode(codec)
            except UnicodeEncodeError:
                continue
            if _invalid_utf8(raw) and not any(b in raw for b in b'",\\\n\r'):
                return raw
    raw = text.encode("utf-8")
    middle = len(raw) // 2
    return raw[:middle] + b"\xff\xfe" + raw[middle:]


def _invalid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class ColumnBreaker:
    """Spoils one column in every row of a feed (``GeneratorConfig.break_column``)."""

    def __init__(self, spec: FeedSpec, column: str, rng: random.Random, maker: DefectMaker) -> None:
        self.spec = spec
        self.column = spec.contract.column(column)
        self.rng = rng
        self.maker = maker
        self.reason = self._reason()

    def _reason(self) -> str:
        c = self.column
        if is_text(c):
            if c.fmt:
                return f"FORMAT:{c.name}"
            if c.allowed:
                return f"ALLOWED:{c.name}"
            return Reason.FIELD_TOO_LONG.on(c.name)
        if _numeric(c) and (c.min_value is not None or c.max_value is not None):
            return Reason.OUT_OF_RANGE.on(c.name)
        return Reason.TYPE_CAST.on(c.name)

    def apply(self, rec: Rec) -> None:
        """Break the column in ``rec`` and mark the row bad with the matching reason."""
        c = self.column
        values = dict(rec.values)
        kind = self.reason.split(":", 1)[0]
        if kind == "FORMAT":
            values[c.name] = "not-an-email" if c.fmt == "email" else "#invalid#"[: c.max_length or 20]
        elif kind == "ALLOWED":
            values[c.name] = "?" if c.max_length == 1 else "unknown_value"[: c.max_length or 20]
        elif kind == Reason.FIELD_TOO_LONG:
            values[c.name] = self.maker.too_long(c, values.get(c.name))
        elif kind == Reason.OUT_OF_RANGE:
            values[c.name] = self.maker.out_of_range(c, rec.batch)
        else:
            values[c.name] = self.maker.junk(c)
        rec.values = values
        rec.reason = self.reason
