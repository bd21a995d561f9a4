"""Writing dates and timestamps in the Spark datetime patterns the landing contracts declare.

Only the pattern letters the contracts use are supported (``yyyy MM dd HH mm ss SSS XXX`` and quoted
literals); any other letter fails loudly, so a contract change cannot silently produce unparseable files.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from operator import itemgetter

UTC = dt.UTC

_FIELDS = {
    "yyyy": (0, "%04d"),
    "MM": (1, "%02d"),
    "dd": (2, "%02d"),
    "HH": (3, "%02d"),
    "mm": (4, "%02d"),
    "ss": (5, "%02d"),
    "SSS": (6, "%03d"),
    "XXX": (7, "%s"),
}


class SparkPattern:
    """A compiled Spark datetime pattern that formats Python datetimes.

    Example:
        >>> p = SparkPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        >>> p.format(dt.datetime(2024, 3, 5, 9, 7, 1, 250000, tzinfo=dt.UTC))
        '2024-03-05T09:07:01.250Z'
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        parts: list[str] = []
        order: list[int] = []
        i = 0
        while i < len(pattern):
            char = pattern[i]
            if char == "'":
                end = pattern.find("'", i + 1)
                if end < 0:
                    raise ValueError(f"Unclosed quote in datetime pattern {pattern!r}")
                parts.append((pattern[i + 1 : end] or "'").replace("%", "%%"))
                i = end + 1
            elif char.isalpha():
                j = i
                while j < len(pattern) and pattern[j] == char:
                    j += 1
                token = pattern[i:j]
                if token not in _FIELDS:
                    raise ValueError(f"Datetime pattern letter {token!r} in {pattern!r} is not supported")
                position, spec = _FIELDS[token]
                order.append(position)
                parts.append(spec)
                i = j
            else:
                parts.append(char.replace("%", "%%"))
                i += 1
        self.has_offset = 7 in order
        self._template = "".join(parts)
        if len(order) < 2:
            raise ValueError(f"Datetime pattern {pattern!r} needs at least two fields")
        self._pick = itemgetter(*order)

    def format(self, value: dt.datetime | dt.date) -> str:
        """``value`` written in the pattern; an offset pattern needs an aware datetime."""
        if isinstance(value, dt.datetime):
            off = ""
            if self.has_offset:
                delta = value.utcoffset()
                if delta is None:
                    raise ValueError(f"Pattern {self.pattern!r} needs an aware datetime")
                off = offset_text(delta)
            fields = (
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond // 1000,
                off,
            )
        else:
            fields = (value.year, value.month, value.day, 0, 0, 0, 0, "Z")
        return self._template % self._pick(fields)

    def format_fields(
        self, year: int, month: int, day: int, hour: int, minute: int, second: int, milli: int, offset: int
    ) -> str:
        """The pattern filled from clock fields and a UTC offset in minutes (no datetime needed)."""
        off = offset_minutes_text(offset) if self.has_offset else ""
        return self._template % self._pick((year, month, day, hour, minute, second, milli, off))


def offset_text(delta: dt.timedelta) -> str:
    """A UTC offset as Spark's ``XXX`` writes it: ``Z`` for zero, else ``+08:00`` / ``-05:00``."""
    return offset_minutes_text(int(delta.total_seconds()) // 60)


def offset_minutes_text(minutes: int) -> str:
    """``offset_text`` for an offset given in minutes."""
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@lru_cache(maxsize=64)
def zone(name: str) -> dt.tzinfo:
    """The time zone called ``name`` (``UTC`` maps to the fixed UTC zone, which is faster)."""
    return UTC if name == "UTC" else zoneinfo.ZoneInfo(name)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def at(epoch_ms: int, tz: dt.tzinfo) -> dt.datetime:
    """The aware datetime of an instant (epoch milliseconds) in a zone."""
    moment = _EPOCH + dt.timedelta(milliseconds=epoch_ms)
    return moment if tz is UTC else moment.astimezone(tz)


def epoch_ms(day: dt.date, seconds: float, tz: dt.tzinfo) -> int:
    """The instant at ``seconds`` after local midnight of ``day`` in zone ``tz``."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=tz) + dt.timedelta(seconds=seconds)
    return round(local.timestamp() * 1000)
