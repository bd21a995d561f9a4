"""The pipeline end to end, as the demo and the benchmarks run it (Airflow runs the same steps as tasks)."""

from __future__ import annotations

from typing import Any

from infra.console import console, step
from infra.settings import Settings


def run_demo(settings: Settings, ctx: Any) -> None:
    """Check the installation, then run every available step on sample data and list the lake."""
    from cdp.doctor import run_doctor

    with step("Installation check (Spark + Delta round trip)"):
        report = run_doctor(settings)
    for name, passed, detail in report.checks:
        console.print(f"  {'ok' if passed else 'FAILED'}  {name}: {detail}")
    if not report.ok:
        raise SystemExit(1)
    tables = ctx.lake().tables()
    console.print(f"Lake {settings.paths.lake}: {len(tables)} tables.")
