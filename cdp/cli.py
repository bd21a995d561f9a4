"""The ``cdp`` command line.

Settings are loaded once here (``--config`` / ``CDP_CONFIG`` / ``CDP_*``) and passed down explicitly.
Heavy packages (Spark, Splink, Great Expectations) are imported inside the commands that need them, so
``cdp --help`` answers at once.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from cdp.context import CdpContext, friendly_errors, parse_date
from infra.console import configure_logging, console, err_console
from infra.runs import new_run_id
from infra.settings import SettingsError, load_settings

if TYPE_CHECKING:
    from jobs.bronze.ingest import IngestReport
    from jobs.maintenance import MaintenanceReport


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CDP_CONFIG",
    help="YAML settings file layered over the defaults (also CDP_CONFIG).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.version_option(package_name="cdp", prog_name="cdp")
@click.pass_context
def main(ctx: click.Context, config: Path | None, verbose: bool) -> None:
    """Customer data platform: ingest channels into Delta Lake, resolve identities with Splink, check
    quality with Great Expectations and publish unified customer profiles with lifecycle tags.

    All data lives under CDP_HOME (default ./cdp_home): landing/, truth/, lake/, reports/.
    """
    configure_logging(verbose)
    try:
        settings = load_settings(config)
    except SettingsError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)
    ctx.obj = CdpContext(settings)


@main.command()
@click.pass_obj
def doctor(obj: CdpContext) -> None:
    """Print versions and run a real Delta write / merge / read round trip in a temporary lake."""
    from cdp.doctor import run_doctor

    report = run_doctor(obj.settings)
    table = Table(title="Versions", show_header=False)
    for name, value in report.versions.items():
        table.add_row(name, value)
    console.print(table)
    checks = Table(title=f"Round trip ({report.engine or 'no engine'})")
    checks.add_column("check")
    checks.add_column("result")
    checks.add_column("detail", overflow="fold")
    for name, passed, detail in report.checks:
        checks.add_row(name, "[green]ok[/]" if passed else "[red]FAILED[/]", detail)
    console.print(checks)
    if report.ok:
        console.print(f"[green]All checks passed[/] in {report.seconds:.1f} s.")
    else:
        console.print("[red]Some checks failed[/]: see the details above.")
        sys.exit(1)


@main.command()
@click.pass_obj
@friendly_errors
def demo(obj: CdpContext) -> None:
    """Run every pipeline step on generated sample data under CDP_HOME."""
    from cdp.demo import run_demo

    run_demo(obj.settings)


@main.command()
@click.option("--people", type=click.IntRange(1), default=2000, show_default=True, help="How many people.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed; same seed, same files.")
@click.option(
    "--start", callback=parse_date, default="2024-01-01", show_default=True, help="First day (YYYY-MM-DD)."
)
@click.option("--days", type=click.IntRange(1, 3650), default=730, show_default=True, help="Days of history.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Home folder to write landing/ and truth/ into. Default: CDP_HOME.",
)
@click.option("--bad-rate", type=click.FloatRange(0, 0.5), default=0.005, show_default=True,
              help="Share of deliberately bad rows per feed.")  # fmt: skip
@click.option("--break-column", help="FEED.COLUMN whose every value is made invalid (quality drills).")
@click.option("--workers", type=click.IntRange(0), default=0, help="Processes (0 = one per CPU).")
@click.option(
    "--profile",
    type=click.Choice(["default", "sparse", "contacts", "cjk"]),
    default="default",
    show_default=True,
    help="Which fields the channels carry: sparse (no emails or phones), contacts (few names), cjk "
    "(Chinese people only); see generator/profiles.py.",
)
@click.pass_obj
@friendly_errors
def generate(
    obj: CdpContext,
    people: int,
    seed: int,
    start: Any,
    days: int,
    out: Path | None,
    bad_rate: float,
    break_column: str | None,
    workers: int,
    profile: str,
) -> None:
    """Generate realistic landing files for every channel, with the hidden truth beside them."""
    from generator import GeneratorConfig
    from generator import generate as run_generator

    config = GeneratorConfig(
        people=people, seed=seed, start=start, days=days, bad_rate=bad_rate, break_column=break_column,
        workers=workers, lifecycle=obj.settings.lifecycle, profile=profile,
    )  # fmt: skip
    summary = run_generator(config, out or obj.settings.paths.home)
    table = Table(
        title=f"Generated {summary.people:,} people in {summary.seconds:.1f} s (as of {summary.as_of})"
    )
    table.add_column("feed")
    table.add_column("rows", justify="right")
    table.add_column("bad on purpose", justify="right")
    for feed, rows in summary.records_by_feed.items():
        table.add_row(feed, f"{rows:,}", f"{summary.bad_rows_by_feed.get(feed, 0):,}")
    table.add_row("[bold]total", f"{summary.records:,}", f"{sum(summary.bad_rows_by_feed.values()):,}")
    console.print(table)
    console.print(f"Landing files under {summary.out / 'landing'}, truth under {summary.out / 'truth'}.")


@main.command()
@click.option("--channel", "channels", multiple=True, help="Only this channel (repeatable). Default: all.")
@click.option(
    "--batch", callback=parse_date, help="Only this batch date (YYYY-MM-DD). Default: every new batch."
)
@click.option("--as-of", callback=parse_date, help="Only batches dated on or before this date (YYYY-MM-DD).")
@click.option("--run-id", help="Run id recorded with every row (default: generated).")
@click.pass_obj
@friendly_errors
def ingest(
    obj: CdpContext,
    channels: tuple[str, ...],
    batch: dt.date | None,
    as_of: dt.date | None,
    run_id: str | None,
) -> None:
    """Ingest new landing files into bronze tables; bad rows go to quarantine with reason codes."""
    from jobs import steps
    from schemas.landing import CHANNELS

    unknown = [c for c in channels if c not in CHANNELS]
    if unknown:
        raise click.BadParameter(f"unknown channel(s) {unknown}; choose from {', '.join(CHANNELS)}")
    report = steps.ingest(
        obj.settings, run_id=run_id or new_run_id("ingest"), as_of=as_of, batch=batch, channels=channels
    )
    print_ingest_report(report)


@main.command()
@click.option(
    "--batch",
    callback=parse_date,
    help="Only this batch date (merged in). Default: rebuild from all of bronze.",
)
@click.option("--run-id", help="Run id recorded in the commits (default: generated).")
@click.pass_obj
@friendly_errors
def standardise(obj: CdpContext, batch: dt.date | None, run_id: str | None) -> None:
    """Standardise bronze into silver tables, person records and identity links."""
    from jobs import steps

    report = steps.standardise(
        obj.settings, run_id=run_id or new_run_id("standardise"), batches=[batch] if batch else None
    )
    table = Table(title=f"Silver {report.run_id}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


@main.command()
@click.option("--as-of", callback=parse_date, required=True, help="Business date of the build (YYYY-MM-DD).")
@click.option("--run-id", required=True, help="Run id of the profile build whose gold gate passed.")
@click.pass_obj
@friendly_errors
def publish(obj: CdpContext, as_of: dt.date, run_id: str) -> None:
    """Publish the staged gold tables of a run, only when that run's gold quality gate passed."""
    from jobs import steps

    report = steps.publish(obj.settings, as_of=as_of, run_id=run_id)
    table = Table(title=f"Published run {report.run_id} as of {report.as_of}")
    table.add_column("table")
    table.add_column("version", justify="right")
    for name, version in report.versions.items():
        table.add_row(name, str(version))
    console.print(table)


def print_ingest_report(report: IngestReport) -> None:
    """Rows in and out per feed, and quarantine reasons, as tables."""
    table = Table(title=f"Ingestion {report.run_id}")
    for column in ("feed", "batches", "files", "rows in", "bronze", "quarantine"):
        table.add_column(column, justify="left" if column == "feed" else "right")
    for f in report.feeds:
        table.add_row(
            f.feed, str(len(f.batches)), str(f.files), f"{f.rows_in:,}", f"{f.rows_bronze:,}",
            f"{f.rows_quarantined:,}",
        )  # fmt: skip
    table.add_row(
        "[bold]total",
        "",
        "",
        f"{report.rows_in:,}",
        f"{report.rows_bronze:,}",
        f"{report.rows_quarantined:,}",
    )
    console.print(table)
    if report.reasons:
        reasons = Table(title="Quarantine by reason")
        reasons.add_column("reason")
        reasons.add_column("rows", justify="right")
        for reason, count in report.reasons.most_common():
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
    if report.skipped_files:
        console.print(f"{report.skipped_files} file(s) already ingested with the same checksum: skipped.")
    if not report.feeds:
        console.print("Nothing new to ingest.")


@main.command("settings")
@click.option("--defaults", is_flag=True, help="Print the packaged defaults, each key with its description.")
@click.pass_obj
def settings_command(obj: CdpContext, defaults: bool) -> None:
    """Print the settings in force (defaults, config file and CDP_* variables applied) as YAML.

    With --defaults: every key with its default value and description, a starting point for a config file.
    """
    import yaml

    from infra.settings import defaults_yaml, to_dict

    if defaults:
        click.echo(defaults_yaml(), nl=False)
        return
    click.echo(yaml.safe_dump(to_dict(obj.settings), sort_keys=False, allow_unicode=True), nl=False)


@main.group()
def lake() -> None:
    """Inspect the Delta tables under the lake root."""


@lake.command("tables")
@click.pass_obj
def lake_tables(obj: CdpContext) -> None:
    """List every table with its version, row count and last write."""
    infos = obj.lake.tables()
    table = Table(title=f"Tables in {obj.settings.paths.lake}")
    for column in ("table", "version", "rows", "last write (UTC)", "operation"):
        table.add_column(column, justify="right" if column in {"version", "rows"} else "left")
    for info in infos:
        table.add_row(
            info.name,
            str(info.version),
            "?" if info.rows is None else f"{info.rows:,}",
            info.last_write.strftime("%Y-%m-%d %H:%M:%S") if info.last_write else "",
            info.last_operation or "",
        )
    console.print(table if infos else f"No tables yet in {obj.settings.paths.lake}.")


@lake.command("optimize")
@click.argument("tables", nargs=-1)
@click.pass_obj
@friendly_errors
def lake_optimize(obj: CdpContext, tables: tuple[str, ...]) -> None:
    """Compact small data files (every table by default); VACUUM then frees the replaced ones."""
    from jobs import steps

    report = steps.maintain(obj.settings, run_id=new_run_id("optimize"), tables=tables, vacuum=False)
    print_maintenance(report, "Compaction")


@lake.command("vacuum")
@click.argument("tables", nargs=-1)
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.pass_obj
@friendly_errors
def lake_vacuum(obj: CdpContext, tables: tuple[str, ...], dry_run: bool) -> None:
    """Delete data files only versions older than maintenance.vacuum_retention_hours need."""
    from jobs import steps

    report = steps.maintain(
        obj.settings, run_id=new_run_id("vacuum"), tables=tables, optimize=False, dry_run=dry_run
    )
    print_maintenance(report, "VACUUM (dry run)" if dry_run else "VACUUM")


def print_maintenance(report: MaintenanceReport, title: str) -> None:
    """Data files per table before and after, and what was compacted or vacuumed."""
    table = Table(title=f"{title} {report.run_id}")
    for column in ("table", "files before", "files after", "compacted", "files vacuumed"):
        table.add_column(column, justify="left" if column == "table" else "right")
    for t in report.tables:
        table.add_row(
            t.table, f"{t.files_before:,}", f"{t.files_after:,}", "yes" if t.compacted else "",
            f"{t.vacuumed_files:,}",
        )  # fmt: skip
    table.add_row("[bold]total", f"{report.files_before:,}", f"{report.files_after:,}", "", "")
    console.print(table)


def _register_groups() -> None:
    from cdp.identity_commands import identity
    from cdp.profile_commands import profile
    from cdp.quality_commands import quality, report
    from cdp.schemas_commands import schemas
    from cdp.sources_commands import sources

    main.add_command(identity)
    main.add_command(profile)
    main.add_command(quality)
    main.add_command(report)
    main.add_command(schemas)
    main.add_command(sources)


_register_groups()

if __name__ == "__main__":  # pragma: no cover
    main()
