"""``cdp quality``: run a layer's quality gate or list its checks; ``cdp report``: the run report."""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from typing import TYPE_CHECKING

import click
from rich.table import Table

from cdp.context import CdpContext, friendly_errors, parse_date, today
from infra.console import console, err_console
from infra.runs import new_run_id
from schemas.quality import QUALITY_LAYERS

if TYPE_CHECKING:
    from quality.gates import GateResult


@click.group()
def quality() -> None:
    """Quality gates: Great Expectations suites generated from schemas/, per layer."""


@quality.command("run")
@click.option(
    "--layer", type=click.Choice(QUALITY_LAYERS), required=True, help="Which layer's tables to validate."
)
@click.option("--as-of", callback=parse_date, help="Business date of the run (YYYY-MM-DD). Default: today.")
@click.option("--run-id", help="Pipeline run the results belong to (default: generated).")
@click.pass_obj
@friendly_errors
def run(obj: CdpContext, layer: str, as_of: dt.date | None, run_id: str | None) -> None:
    """Validate the current version of every table of a layer; exit 1 when a critical check fails."""
    from jobs import steps
    from quality.gates import gate_message

    result = steps.check(
        obj.settings, layer=layer, as_of=as_of or today(obj.settings.timezone),
        run_id=run_id or new_run_id("quality"), raise_on_critical=False,
    )  # fmt: skip
    print_gate(result)
    if not result.passed:
        err_console.print(f"[bold red]error:[/] {gate_message(obj.settings, result)}")
        sys.exit(1)


@quality.command("checks")
@click.option(
    "--layer", type=click.Choice(QUALITY_LAYERS), required=True, help="Which layer's suites to list."
)
@click.option("--as-of", callback=parse_date, help="Business date the rules are relative to.")
@click.pass_obj
def checks(obj: CdpContext, layer: str, as_of: dt.date | None) -> None:
    """List every check of a layer's suites with its severity (no Spark needed)."""
    from quality.suites import describe, layer_suites

    rows = describe(layer_suites(layer, obj.settings.quality, as_of or today(obj.settings.timezone)))
    table = Table(title=f"Quality checks of the {layer} layer ({len(rows)})")
    for column in ("table", "rule", "column", "severity", "expectation"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["table"], row["rule"], row["column"] or "", _severity(row["severity"]), row["expectation"]
        )
    console.print(table)


@click.command()
@click.option("--run-id", help="Run to report on. Default: the latest run with quality results.")
@click.pass_obj
@friendly_errors
def report(obj: CdpContext, run_id: str | None) -> None:
    """Write the one-page run report and the Data Docs site under the reports folder; print the path."""
    from jobs import steps
    from quality.docs import build_data_docs, site_dir

    path = steps.report(obj.settings, run_id=run_id, docs=False)
    if (obj.settings.paths.work / "gx").is_dir():
        err_console.print(f"Data Docs: {build_data_docs(obj.settings)}")
    else:
        err_console.print(f"No Data Docs yet: no quality gate has run (they go to {site_dir(obj.settings)}).")
    console.print(str(path))


def print_gate(result: GateResult) -> None:
    """Per-table counts of a gate run, then every failed check."""
    per_table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in result.rows:
        counts = per_table[row["table_name"]]
        counts["checks"] += 1
        if not row["success"]:
            counts[row["severity"]] += 1
    state = "[green]passed[/]" if result.passed else "[bold red]FAILED[/]"
    table = Table(title=f"Quality gate {result.layer}, run {result.run_id} ({result.as_of}): {state}")
    for column in ("table", "version", "checks", "failed critical", "failed warning"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for name, counts in per_table.items():
        version = result.versions.get(name)
        table.add_row(
            name, "" if version is None else str(version), str(counts["checks"]),
            _count(counts["critical"], "red"), _count(counts["warning"], "yellow"),
        )  # fmt: skip
    console.print(table)
    failures = result.failures
    if failures:
        listing = Table(title="Failed checks")
        for column in ("severity", "table", "rule", "column", "unexpected rows", "observed"):
            listing.add_column(column, overflow="fold")
        for f in failures:
            unexpected = "" if f.unexpected_count is None else f"{f.unexpected_count:,}"
            listing.add_row(
                _severity(f.severity), f.table, f.rule, f.column or "", unexpected, f.observed or ""
            )
        console.print(listing)
    console.print(f"{len(result.rows)} checks in {result.seconds:.1f} s; results in table quality_results.")


def _count(value: int, colour: str) -> str:
    return f"[{colour}]{value}[/]" if value else "0"


def _severity(severity: str) -> str:
    colour = {"critical": "red", "warning": "yellow"}.get(severity, "cyan")
    return f"[{colour}]{severity}[/]"
