"""The pipeline's stages run twice over in one process, as the demo and the benchmarks run them.

A leak shows here before it shows at 100,000 people: after every stage no cached data may remain in the
shared Spark session, and the second pass over the same data must leave every gold and identity table at
the version the first pass published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdp.demo import PipelineRun, run_pipeline
from infra.runs import cached_rdds, runtime
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

PEOPLE = 120
DAYS = 10
START = dt.date(2024, 1, 1)
AS_OF = START + dt.timedelta(days=DAYS - 1)
PUBLISHED = ("customer_profile", "customer_lifecycle_history", "identity_graph", "customer_ids")


class CheckedRun(PipelineRun):
    """A pipeline run that records, after each stage, how many RDDs the session still caches."""

    def __init__(self, spark: Any) -> None:
        super().__init__()
        self.spark = spark
        self.left_cached: dict[str, int] = {}

    def timed(self, name: str, func: Callable[[], Any]) -> Any:
        result = super().timed(name, func)
        self.left_cached[name] = cached_rdds(self.spark)
        return result


def test_two_passes_in_one_process_leave_nothing_cached_and_change_nothing(
    spark: Any, tmp_path: Path
) -> None:
    from generator import GeneratorConfig, generate

    home = tmp_path / "home"
    generate(GeneratorConfig(people=PEOPLE, days=DAYS, start=START, seed=3, workers=1), home)
    settings = make_settings(home)
    first = run_pipeline(settings, as_of=AS_OF, run_id="pass-1", run=CheckedRun(spark))
    lake = runtime(settings).lake
    versions = {table: lake.version(table) for table in PUBLISHED}
    second = run_pipeline(settings, as_of=AS_OF, run_id="pass-2", run=CheckedRun(spark))
    for run in (first, second):
        assert isinstance(run, CheckedRun)
        assert run.left_cached and set(run.left_cached.values()) == {0}, run.left_cached
    assert {table: lake.version(table) for table in PUBLISHED} == versions
    assert second.results["resolve identities"].customers == first.results["resolve identities"].customers
