"""The period's calendar and clocks: day indexes, local midnights and timestamps in any zone.

Every record carries a true instant (epoch milliseconds). Batch days, naive wall-clock columns and
offset timestamps are all derived from it here, with zoneinfo as the reference and cached per-day
midnights so the common case (a zone without a daylight-saving change that day) is plain arithmetic.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from generator.people import Weighted
from generator.timefmt import UTC, SparkPattern, at, epoch_ms

DAY_MS = 86_400_000
# Local hour of day of online orders and browsing: lunch and evening peaks.
_HOUR_WEIGHTS = (
    1, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 2.5, 2.8, 3,
    3.2, 3, 2.8, 2.8, 3, 3.2, 3.6, 4.2, 4.8, 5, 4, 2.5,
)  # fmt: skip
ONLINE_HOURS = Weighted(list(enumerate(_HOUR_WEIGHTS)))


class Clock:
    """Day indexes (0 = the period's first day) and instants for one period, in any time zone."""

    def __init__(self, start: dt.date, days: int, rng: random.Random) -> None:
        self.start = start
        self.last = days - 1
        self.base_ms = int(dt.datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp() * 1000)
        self._rng = rng
        self._midnights: dict[tuple[dt.tzinfo, int], int] = {}
        self._offsets: dict[dt.tzinfo, int | None] = {}
        self._dates = [start + dt.timedelta(days=day) for day in range(days + 4)]

    def midnight(self, day: int, tz: dt.tzinfo) -> int:
        """The instant (epoch ms) local day ``day`` of the period begins in zone ``tz``."""
        key = (tz, day)
        value = self._midnights.get(key)
        if value is None:
            value = self._midnights[key] = epoch_ms(self.start + dt.timedelta(days=day), 0, tz)
        return value

    def online_ts(self, day: int, tz: dt.tzinfo) -> int:
        """A local evening-heavy time on ``day`` whose local and UTC dates are both ``day``.

        Keeping the two dates equal makes the purchase day unambiguous for every consumer.
        """
        rng = self._rng
        begin = self.midnight(day, tz)
        end = self.midnight(day + 1, tz)
        for _ in range(8):
            ts = begin + ONLINE_HOURS.pick(rng) * 3_600_000 + int(rng.random() * 3_600_000)
            if ts < end and (ts - self.base_ms) // DAY_MS == day:
                return ts
        return begin + 12 * 3_600_000 + rng.randrange(1_800_000)

    def local_ts(self, day: int, tz: dt.tzinfo, from_hour: int, to_hour: int) -> int:
        """A random instant on local ``day`` between two hours of the clock in zone ``tz``."""
        span = (to_hour - from_hour) * 3_600_000
        return self.midnight(day, tz) + from_hour * 3_600_000 + int(self._rng.random() * span)

    def fixed_offset(self, tz: dt.tzinfo) -> int | None:
        """The zone's UTC offset in ms if it never changes during the period (no daylight saving)."""
        if tz in self._offsets:
            return self._offsets[tz]
        starts = [self.midnight(day, tz) for day in range(-3, self.last + 5)]
        steady = all(b - a == DAY_MS for a, b in itertools.pairwise(starts))
        offset = self.base_ms - self.midnight(0, tz) if steady else None
        self._offsets[tz] = offset
        return offset

    def date_of(self, day: int) -> dt.date:
        """The calendar date of a period day index."""
        if 0 <= day < len(self._dates):
            return self._dates[day]
        return self.start + dt.timedelta(days=day)

    def text(self, pattern: SparkPattern, ts: int, tz: dt.tzinfo) -> str:
        """An instant written in a feed's pattern as wall-clock time in zone ``tz`` (with its offset)."""
        offset = 0 if tz is UTC else self.fixed_offset(tz)
        if offset is None:
            day = self.local_day(ts, tz)
            begin = self.midnight(day, tz)
            if self.midnight(day + 1, tz) - begin != DAY_MS:
                # A daylight-saving change that day: let zoneinfo work out the clock.
                return pattern.format(at(ts, tz))
            offset = self.base_ms + day * DAY_MS - begin
        wall = ts + offset - self.base_ms
        day = wall // DAY_MS
        into = wall - day * DAY_MS
        date = self.date_of(day)
        return pattern.format_fields(
            date.year,
            date.month,
            date.day,
            into // 3_600_000,
            into // 60_000 % 60,
            into // 1000 % 60,
            into % 1000,
            offset // 60_000,
        )

    def utc_day(self, ts: int) -> int:
        """The period day index of an instant in UTC."""
        return (ts - self.base_ms) // DAY_MS

    def local_day(self, ts: int, tz: dt.tzinfo) -> int:
        """The period day index of an instant in a zone."""
        if tz is UTC:
            return (ts - self.base_ms) // DAY_MS
        offset = self.fixed_offset(tz)
        if offset is not None:
            return (ts + offset - self.base_ms) // DAY_MS
        guess = (ts - self.base_ms) // DAY_MS
        if ts < self.midnight(guess, tz):
            return guess - 1
        return guess if ts < self.midnight(guess + 1, tz) else guess + 1
