"""Step reports serialise themselves to JSON-safe data; run ids have one format."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import infra.runs
import jobs.steps
from infra.runs import StepReport, new_run_id


@dataclass
class Inner(StepReport):
    seen: dt.datetime
    path: Path


@dataclass
class Outer(StepReport):
    derived = ("total",)

    as_of: dt.date
    share: float
    counts: Counter[str] = field(default_factory=Counter)
    parts: list[Inner] = field(default_factory=list)
    nothing: None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def test_reports_serialise_every_field_and_derived_figure() -> None:
    moment = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.UTC)
    report = Outer(dt.date(2024, 3, 1), 1 / 3, Counter(a=2, b=1), [Inner(moment, Path("/x/y"))])
    data = report.to_dict()
    assert data == {
        "as_of": "2024-03-01",
        "share": 0.3333,
        "counts": {"a": 2, "b": 1},
        "parts": [{"seen": "2024-03-01T12:30:00+00:00", "path": "/x/y"}],
        "nothing": None,
        "total": 3,
    }
    assert json.loads(json.dumps(data)) == data


def test_run_ids_are_unique_and_name_their_kind() -> None:
    moment = dt.datetime(2024, 3, 1, 12, 30, 5, tzinfo=dt.UTC)
    ids = {new_run_id("ingest", moment) for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"ingest-20240301T123005-[0-9a-f]{6}", run_id) for run_id in ids)


def test_docstring_examples() -> None:
    for module in (infra.runs, jobs.steps):
        failures, tried = doctest.testmod(module)
        assert (failures, tried > 0) == (0, True), module.__name__
