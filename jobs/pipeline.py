"""The pipeline end to end, as ``cdp demo`` and the benchmarks run it.

Airflow runs the same steps as tasks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import SparkSession

from infra.console import console, err_console
from infra.settings import Settings
from infra.storage import Lake


@dataclass
class StageTiming:
    """How long one stage took and what it produced."""

    name: str
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class PipelineRun:
    """Timings and results of every stage of one run."""

    stages: list[StageTiming] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    def timed(self, name: str, func: Callable[[], Any]) -> Any:
        """Run one stage, print its progress and keep its timing."""
        err_console.print(f"[bold cyan]>[/] {name} ...")
        started = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - started
        self.stages.append(StageTiming(name, seconds))
        self.results[name] = result
        err_console.print(f"[green]done[/] {name} in {seconds:.1f} s")
        return result


def ensure_sample_data(settings: Settings, people: int = 2000, seed: int = 42) -> Any:
    """Generate the demo data set unless the same one is already in the landing zone."""
    from jobs.generate import GeneratorConfig, generate

    config = GeneratorConfig(people=people, seed=seed, lifecycle=settings.lifecycle)
    manifest = settings.paths.truth / "manifest.json"
    if manifest.is_file():
        existing = json.loads(manifest.read_text(encoding="utf-8"))
        if existing.get("complete") and existing.get("config") == json.loads(json.dumps(config.identity())):
            return None
    return generate(config, settings.paths.home)


def run_pipeline(
    spark: SparkSession, settings: Settings, lake: Lake, run: PipelineRun | None = None
) -> PipelineRun:
    """Ingest every new batch, then standardise, for the data already in the landing zone."""
    from jobs import bronze, standardise

    run = run or PipelineRun()
    run.timed("ingest (bronze)", lambda: bronze.run(spark, settings, lake))
    run.timed("standardise (silver)", lambda: standardise.run(spark, settings, lake))
    return run


def run_demo(settings: Settings, ctx: Any) -> PipelineRun:
    """Generate sample data if needed, run every pipeline step and print what each layer holds."""
    from cdp.cli import print_ingest_report

    run = PipelineRun()
    run.timed("generate sample data", lambda: ensure_sample_data(settings))
    run.timed("start Spark", lambda: ctx.spark)
    lake = ctx.lake()
    run_pipeline(ctx.spark, settings, lake, run)
    print_ingest_report(run.results["ingest (bronze)"])
    silver = run.results["standardise (silver)"]
    console.print("Silver rows: " + ", ".join(f"{name} {rows:,}" for name, rows in silver.rows.items()))
    total = sum(stage.seconds for stage in run.stages)
    console.print(
        "Stage times: "
        + ", ".join(f"{s.name} {s.seconds:.1f} s" for s in run.stages)
        + f"; total {total:.1f} s"
    )
    return run
