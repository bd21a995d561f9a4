"""The pipeline end to end in one process, as ``cdp demo`` runs it.

The same steps (``jobs.steps``) in the same order as the ``cdp_daily`` DAG: ingest -> bronze quality ->
standardise -> silver quality -> identity -> identity quality -> profiles -> gold quality -> publish, then
the run report. The demo ingests every pending batch at once and uses the last generated day as the
business date; since it generated the data, it also scores identities and stages against the truth.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from infra.console import console, err_console
from infra.runs import runtime
from infra.settings import Settings

if TYPE_CHECKING:
    from identity.evaluate import IdentityEvaluation
    from identity.resolve import ResolveReport
    from jobs.bronze.ingest import IngestReport
    from jobs.gold.evaluation import StageEvaluation
    from jobs.gold.profiles import ProfileReport
    from jobs.gold.publish import PublishReport
    from jobs.silver.standardise import StandardiseReport
    from quality.gates import GateResult


@dataclass
class StageTiming:
    """How long one stage took."""

    name: str
    seconds: float


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
    from generator import GeneratorConfig, generate

    config = GeneratorConfig(people=people, seed=seed, lifecycle=settings.lifecycle)
    if _generated_config(settings) == json.loads(json.dumps(config.identity())):
        return None
    return generate(config, settings.paths.home)


def _generated_config(settings: Settings) -> dict[str, Any] | None:
    manifest = settings.paths.truth / "manifest.json"
    if not manifest.is_file():
        return None
    existing = json.loads(manifest.read_text(encoding="utf-8"))
    return existing.get("config") if existing.get("complete") else None


def last_batch_date(settings: Settings) -> dt.date:
    """The newest landing batch date: the business date of a catch-up run."""
    dates = [
        dt.date.fromisoformat(folder.name)
        for channel in settings.paths.landing.iterdir()
        if channel.is_dir()
        for folder in channel.iterdir()
        if folder.is_dir() and len(folder.name) == 10
    ]
    if not dates:
        from infra.errors import UserFacingError

        raise UserFacingError(
            f"No landing batches under {settings.paths.landing}: run `cdp generate` or deliver files "
            "as landing/<channel>/<YYYY-MM-DD>/."
        )
    return max(dates)


def run_pipeline(
    settings: Settings, *, as_of: dt.date, run_id: str, run: PipelineRun | None = None
) -> PipelineRun:
    """Every step of the daily DAG for one business date, ingesting every pending batch up to it.

    The generator's truth is there, so the identity graph and the lifecycle stages are also evaluated
    against it (steps a production run does not have).
    """
    from jobs import steps

    run = run or PipelineRun()

    def check(layer: str) -> GateResult:
        return steps.check(settings, layer=layer, as_of=as_of, run_id=run_id)

    run.timed("ingest (bronze)", lambda: steps.ingest(settings, as_of=as_of, run_id=run_id))
    run.timed("bronze quality", lambda: check("bronze"))
    run.timed("standardise (silver)", lambda: steps.standardise(settings, run_id=run_id))
    run.timed("silver quality", lambda: check("silver"))
    run.timed("resolve identities", lambda: steps.resolve(settings, as_of=as_of, run_id=run_id))
    run.timed("evaluate identities", lambda: steps.evaluate_identity(settings, run_id=run_id))
    run.timed("identity quality", lambda: check("identity"))
    run.timed("profiles and lifecycle", lambda: steps.build_profiles(settings, as_of=as_of, run_id=run_id))
    run.timed("evaluate lifecycle", lambda: steps.evaluate_lifecycle(settings, as_of=as_of, run_id=run_id))
    run.timed("gold quality", lambda: check("gold"))
    run.timed("publish gold", lambda: steps.publish(settings, as_of=as_of, run_id=run_id))
    return run


def run_demo(settings: Settings) -> PipelineRun:
    """Generate sample data if needed, run every step, build the run report and print a summary."""
    from jobs import steps

    run = PipelineRun()
    run.timed("generate sample data", lambda: ensure_sample_data(settings))
    run.timed("start Spark", lambda: runtime(settings))
    as_of = last_batch_date(settings)
    run_id = f"demo-{as_of.isoformat()}"
    run_pipeline(settings, as_of=as_of, run_id=run_id, run=run)
    report: Path = run.timed("run report", lambda: steps.report(settings, run_id=run_id))
    _print_summary(run, as_of, report)
    return run


def _print_summary(run: PipelineRun, as_of: dt.date, report: Path) -> None:
    results = run.results
    ingest: IngestReport = results["ingest (bronze)"]
    silver: StandardiseReport = results["standardise (silver)"]
    identity: ResolveReport = results["resolve identities"]
    profiles: ProfileReport = results["profiles and lifecycle"]
    published: PublishReport = results["publish gold"]
    table = Table(title=f"Demo run, business date {as_of}", show_lines=False)
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    table.add_column("result")
    detail = {
        "ingest (bronze)": f"{ingest.rows_in:,} rows in, {ingest.rows_bronze:,} to bronze, "
        f"{ingest.rows_quarantined:,} quarantined",
        "standardise (silver)": ", ".join(
            f"{name.removeprefix('silver_')} {rows:,}" for name, rows in silver.rows.items()
        ),
        "resolve identities": f"{identity.records:,} records -> {identity.customers:,} customers "
        f"({identity.mode}, model {identity.model_version})",
        "profiles and lifecycle": ", ".join(f"{stage} {count:,}" for stage, count in profiles.stages.items()),
        "publish gold": ", ".join(f"{name} v{version}" for name, version in published.versions.items()),
    }
    evaluation: IdentityEvaluation = results["evaluate identities"]
    metrics = evaluation.metrics
    detail["evaluate identities"] = (
        f"pairwise F1 {metrics['pairwise_f1']:.4f}, B-cubed F1 {metrics['bcubed_f1']:.4f}, "
        f"hard negatives merged {metrics.get('hard_negative_merged_rate', 0.0):.2%}"
    )
    stages: StageEvaluation | None = results["evaluate lifecycle"]
    if stages is not None:
        detail["evaluate lifecycle"] = f"stage agreement {stages.agreement:.2%} of {stages.people:,} people"
    for name in ("bronze quality", "silver quality", "identity quality", "gold quality"):
        gate = results[name].to_dict()
        detail[name] = (
            f"{gate['evaluated_expectations']} expectations; failed: {gate['failed_critical']} critical, "
            f"{gate['failed_warning']} warning"
        )
    for stage in run.stages:
        table.add_row(stage.name, f"{stage.seconds:.1f}", detail.get(stage.name, ""))
    console.print(table)
    total = sum(stage.seconds for stage in run.stages)
    console.print(f"Total {total:.1f} s. Run report: [bold]{report}[/]")
