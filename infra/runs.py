"""What every pipeline run shares: its run id, the Spark session and lake it runs on, and step reports.

A step (``jobs.steps``) returns a report: a dataclass deriving from :class:`StepReport`, which knows how to
turn itself into JSON-safe data. Airflow keeps that data as the task's XCom, the CLI prints it with
``--json``, and the demo reads the report's attributes directly.

Example:
    >>> import datetime as dt
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Counted(StepReport):
    ...     as_of: dt.date
    ...     rows: int
    >>> Counted(dt.date(2024, 3, 1), 7).to_dict()
    {'as_of': '2024-03-01', 'rows': 7}
    >>> new_run_id("ingest", dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC))[:22]
    'ingest-20240301T120000'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar

from infra.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from infra.storage import Lake

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger(__name__)


def new_run_id(kind: str, now: dt.datetime | None = None) -> str:
    """A fresh run id for work started outside a scheduled run: ``<kind>-<UTC time>-<6 hex digits>``."""
    moment = now or dt.datetime.now(dt.UTC)
    return f"{kind}-{moment:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


class StepReport:
    """Base of the reports pipeline steps return: a dataclass that serialises itself.

    ``to_dict`` gives every field, plus the properties named in ``derived``, as JSON-safe values: dates and
    times in ISO format, paths and other objects as text, floats rounded to ``digits`` places.
    """

    derived: ClassVar[tuple[str, ...]] = ()
    digits: ClassVar[int] = 4

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-safe data (Airflow XCom, ``--json`` output)."""
        assert dataclasses.is_dataclass(self), f"{type(self).__name__} must be a dataclass"
        names = [f.name for f in dataclasses.fields(self)] + list(self.derived)
        return {name: self._plain(getattr(self, name)) for name in names}

    def _plain(self, value: Any) -> Any:
        if isinstance(value, StepReport):
            return value.to_dict()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: self._plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Mapping):
            return {str(k): self._plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._plain(v) for v in value]
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        if isinstance(value, float):
            return round(value, self.digits)
        if value is None or isinstance(value, bool | int | str):
            return value
        return str(value)


@dataclass(frozen=True)
class Runtime:
    """The Spark session and the lake a process's steps run on."""

    spark: SparkSession
    lake: Lake

    def release(self) -> int:
        """Drop every cached frame and table of the session; returns how many cached RDDs were dropped.

        Called when a step ends, whatever its outcome: what one step cached must not squeeze the memory
        the next step's joins and sorts need (cached blocks hold on to half of Spark's unified memory).
        """
        count = cached_rdds(self.spark)
        self.spark.catalog.clearCache()
        context = self.spark.sparkContext._jsc
        assert context is not None
        for rdd in list(context.getPersistentRDDs().values()):
            rdd.unpersist(True)
        # Broadcasts of past joins and the frames Python made from Arrow stay in the driver until both
        # sides collect their garbage: Python drops its handles, then the JVM's collection lets Spark's
        # cleaner remove their blocks, which otherwise pin storage memory the next step's joins need.
        gc.collect()
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None
        jvm.System.gc()
        held = storage_memory_used(self.spark)
        if held > 64 * 1024 * 1024:
            log.info("Spark storage memory still held between steps: %.0f MB", held / 1e6)
        return count


def storage_memory_used(spark: SparkSession) -> int:
    """Bytes of storage memory in use on the driver's block manager (caches, broadcasts)."""
    context = spark.sparkContext._jsc
    assert context is not None
    status = context.sc().getExecutorMemoryStatus()
    total = 0
    iterator = status.iterator()
    while iterator.hasNext():
        entry = iterator.next()
        total += int(entry._2()._1()) - int(entry._2()._2())
    return total


def cached_rdds(spark: SparkSession) -> int:
    """How many RDDs the session keeps cached (0 between steps)."""
    context = spark.sparkContext._jsc
    assert context is not None
    return int(context.getPersistentRDDs().size())


_RUNTIMES: dict[tuple[str, Path, str], Runtime] = {}


def releasing(step: Callable[P, T]) -> Callable[P, T]:
    """Decorate a step (settings first) so the session's caches are dropped when it ends, whatever happens."""

    @functools.wraps(step)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return step(*args, **kwargs)
        finally:
            settings = args[0]
            assert isinstance(settings, Settings)
            started = _RUNTIMES.get(_key(settings))
            if started is not None:
                started.release()

    return wrapper


def _key(settings: Settings) -> tuple[str, Path, str]:
    return (settings.spark.master, settings.paths.lake, settings.delta_engine)


def runtime(settings: Settings) -> Runtime:
    """The process-wide Spark session for these settings and a lake on it, started on first use.

    One session per process: starting Spark costs 10-30 s, and every step of a run, each CLI command and
    the failure callback share it.
    """
    key = _key(settings)
    if key not in _RUNTIMES:
        from infra.spark import build_spark
        from infra.storage import Lake

        spark = build_spark(settings)
        _RUNTIMES[key] = Runtime(spark, Lake.from_settings(spark, settings))
    return _RUNTIMES[key]
