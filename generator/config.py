"""The generator's configuration and the summary it returns."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyspark.sql import types as T

from infra.errors import UserFacingError
from infra.settings import LifecycleSettings
from schemas.landing import CONTRACTS

GENERATOR_VERSION = "1.0.0"
CHUNK_SIZE = 2000
MAX_PEOPLE = 2_000_000
FEEDS = tuple(c.feed for c in CONTRACTS)


class GeneratorConfigError(UserFacingError, ValueError):
    """A generator setting has a value that is not allowed."""


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate.

    Attributes:
        people: size of the population.
        seed: the random seed; the same config always gives byte-identical output.
        start: first day of the period.
        days: length of the period; the as-of date is ``start + days - 1``.
        bad_rate: share of deliberately bad rows per feed.
        bad_rate_by_feed: per-feed overrides of ``bad_rate``, e.g. ``{"orders_pos": 0.05}``.
        break_column: ``"feed.column"``; every value of that column is made invalid.
        workers: processes to use (0 = one per CPU); never changes the output.
        lifecycle: the lifecycle rules the target stages are built for.
        profile: which fields the channels carry and who the people are (``generator.profiles``).
    """

    people: int = 2000
    seed: int = 42
    start: dt.date = dt.date(2024, 1, 1)
    days: int = 730
    bad_rate: float = 0.005
    bad_rate_by_feed: Mapping[str, float] = field(default_factory=dict)
    break_column: str | None = None
    workers: int = 0
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    profile: str = "default"

    def __post_init__(self) -> None:
        from generator.profiles import PROFILES

        if self.profile not in PROFILES:
            raise GeneratorConfigError(f"profile {self.profile!r} is not one of {', '.join(PROFILES)}")
        if not 1 <= self.people <= MAX_PEOPLE:
            raise GeneratorConfigError(f"people must be between 1 and {MAX_PEOPLE:,}, got {self.people}")
        if not 1 <= self.days <= 3650:
            raise GeneratorConfigError(f"days must be between 1 and 3650, got {self.days}")
        if self.workers < 0:
            raise GeneratorConfigError(f"workers must be 0 (one per CPU) or more, got {self.workers}")
        for feed, rate in {"(all feeds)": self.bad_rate, **dict(self.bad_rate_by_feed)}.items():
            if not 0.0 <= rate <= 0.5:
                raise GeneratorConfigError(f"bad rate for {feed} must be between 0 and 0.5, got {rate}")
        unknown = sorted(set(self.bad_rate_by_feed) - set(FEEDS))
        if unknown:
            raise GeneratorConfigError(
                f"bad_rate_by_feed names unknown feeds {unknown}; feeds: {', '.join(FEEDS)}"
            )
        if self.break_column is not None:
            broken_column(self.break_column)
        missing = {"CNY", "GBP", "USD"} - set(self.lifecycle.currency_rates)
        if missing:
            raise GeneratorConfigError(f"lifecycle.currency_rates needs rates for {sorted(missing)}")

    @property
    def end(self) -> dt.date:
        """The as-of date: the last day of the period."""
        return self.start + dt.timedelta(days=self.days - 1)

    def bad_rate_for(self, feed: str) -> float:
        """The share of deliberately bad rows in ``feed``."""
        return float(self.bad_rate_by_feed.get(feed, self.bad_rate))

    def identity(self) -> dict[str, Any]:
        """Everything that decides the output (not ``workers``), as JSON-able data."""
        return {
            "people": self.people,
            "seed": self.seed,
            "start": self.start.isoformat(),
            "days": self.days,
            "bad_rate": self.bad_rate,
            "bad_rate_by_feed": {k: self.bad_rate_by_feed[k] for k in sorted(self.bad_rate_by_feed)},
            "break_column": self.break_column,
            "lifecycle": _settings_dict(self.lifecycle),
            # Only a non-default profile is recorded, so homes generated before profiles stay valid.
            **({"profile": self.profile} if self.profile != "default" else {}),
        }

    @classmethod
    def from_identity(cls, data: Mapping[str, Any], workers: int = 1) -> GeneratorConfig:
        """Rebuild a config from :meth:`identity` output (how workers receive it)."""
        lifecycle = dict(data["lifecycle"])
        lifecycle["currency_rates"] = types.MappingProxyType(dict(lifecycle["currency_rates"]))
        return cls(
            people=int(data["people"]),
            seed=int(data["seed"]),
            start=dt.date.fromisoformat(data["start"]),
            days=int(data["days"]),
            bad_rate=float(data["bad_rate"]),
            bad_rate_by_feed=dict(data["bad_rate_by_feed"]),
            break_column=data["break_column"],
            workers=workers,
            lifecycle=LifecycleSettings(**lifecycle),
            profile=str(data.get("profile", "default")),
        )


def _settings_dict(settings: LifecycleSettings) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        result[f.name] = {k: value[k] for k in sorted(value)} if isinstance(value, Mapping) else value
    return result


def broken_column(spec: str) -> tuple[str, str]:
    """Split and check a ``feed.column`` break specification."""
    feed, _, column = spec.partition(".")
    contract = next((c for c in CONTRACTS if c.feed == feed), None)
    if contract is None or not column:
        raise GeneratorConfigError(f"break_column must be 'feed.column' with a known feed, got {spec!r}")
    if column not in contract.column_names:
        raise GeneratorConfigError(
            f"break_column {spec!r}: feed {feed} has no column {column!r}; "
            f"columns: {', '.join(contract.column_names)}"
        )
    if isinstance(contract.column(column).dtype, T.ArrayType):
        raise GeneratorConfigError(f"break_column {spec!r}: list columns cannot be broken value by value")
    return feed, column


@dataclass(frozen=True)
class GenerationSummary:
    """What a generation run produced."""

    people: int
    records_by_feed: Mapping[str, int]
    bad_rows_by_feed: Mapping[str, int]
    files: int
    seconds: float
    landing_bytes: int
    out: Path
    as_of: dt.date

    @property
    def records(self) -> int:
        """Landing rows over all feeds (bad rows included)."""
        return sum(self.records_by_feed.values())
