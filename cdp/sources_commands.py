"""``cdp sources``: files from your own systems, mapped onto the channels' contracts (``sources/*.yaml``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

import click
from rich.table import Table

from cdp.context import CdpContext, friendly_errors
from infra.console import console
from infra.errors import UserFacingError


@click.group()
def sources() -> None:
    """Source mappings: your own files, mapped onto a channel's landing contract (sources/<name>.yaml)."""


@sources.command("list")
@click.pass_obj
@friendly_errors
def list_sources(obj: CdpContext) -> None:
    """Every source mapping, the contract it feeds and the files waiting in its landing folder."""
    from jobs.bronze import sources as mappings

    folder = obj.settings.paths.sources
    found = mappings.load(folder)
    if not found:
        console.print(f"No source mappings in {folder}. See the README, 'Bring your own data'.")
        return
    table = Table(title=f"Source mappings in {folder}")
    for column in ("source", "feeds", "files", "read as", "columns mapped", "landing files"):
        table.add_column(column)
    for name, mapping in sorted(found.items()):
        landed = _files(obj.settings.paths.landing / name, mapping.files)
        read_as = f"{mapping.file_format}, {mapping.encoding}, {mapping.compression}"
        if mapping.file_format == "csv":
            read_as += f", delimiter {mapping.delimiter!r}"
        table.add_row(
            name, mapping.contract.feed, mapping.files, read_as, str(len(mapping.rules)), str(len(landed))
        )
    console.print(table)


@sources.command("check")
@click.argument("source")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rows", default=10, show_default=True, type=click.IntRange(1, 1000), help="Lines to show.")
@click.option("--unmask", is_flag=True, help="Show personal data as read (PII is masked by default).")
@click.pass_obj
@friendly_errors
def check(obj: CdpContext, source: str, file: Path | None, rows: int, unmask: bool) -> None:
    """Show how the first rows of FILE map onto the contract and which would be quarantined.

    FILE defaults to the newest file of SOURCE in its landing folder. The rows are parsed and typed
    exactly as ingestion does it; nothing is written.
    """
    from jobs.bronze import sources as mappings
    from jobs.bronze.ingest import preview
    from jobs.bronze.landing_files import LandingFile, check_mapped_header

    found = mappings.load(obj.settings.paths.sources)
    if source not in found:
        known = ", ".join(sorted(found)) or "none"
        raise UserFacingError(
            f"No source mapping {source!r} in {obj.settings.paths.sources} (known: {known}). Write "
            f"{obj.settings.paths.sources / (source + '.yaml')} first; the README shows how."
        )
    mapping = found[source]
    if file is None:
        landed = _files(obj.settings.paths.landing / source, mapping.files)
        if not landed:
            raise UserFacingError(
                f"No file of source {source} ({mapping.files}) under "
                f"{obj.settings.paths.landing / source}/<YYYY-MM-DD>/; pass a FILE to check."
            )
        file = landed[-1]
    try:
        batch_date = dt.date.fromisoformat(file.parent.name)
    except ValueError:
        batch_date = dt.date.today()
    landing = LandingFile(
        mapping.contract.feed, mapping.channel, batch_date, file, str(file), "", 0, 0, source
    )
    check_mapped_header(landing, mapping)
    previewed = preview(obj.spark, mapping, file, batch_date, rows)
    shown = [
        c
        for c in mapping.contract.columns
        if c.name in mapping.rules or (c.name == "country_code" and mapping.country)
    ]
    table = Table(title=f"{file} as {mapping.contract.feed} (source {source})")
    table.add_column("line", justify="right")
    table.add_column("outcome")
    for column in shown:
        table.add_column(column.name + (" (pii)" if column.pii and not unmask else ""))
    outcomes: Counter[str] = Counter()
    for row in previewed:
        outcome = ", ".join(row.reasons) if row.reasons else "bronze"
        outcomes["quarantine" if row.reasons else "bronze"] += 1
        values = [_show(row.fields.get(c.name), c.pii and not unmask) for c in shown]
        table.add_row(str(row.line_number), outcome, *values)
    console.print(table)
    console.print(
        f"{len(previewed)} line(s) checked: {outcomes['bronze']} would land in bronze, "
        f"{outcomes['quarantine']} would be quarantined. Nothing was written."
    )


def _files(folder: Path, pattern: str) -> list[Path]:
    """The source's landing files, oldest batch first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*/*") if p.is_file() and fnmatch(p.name, pattern))


def _show(value: str | None, masked: bool) -> str:
    if value is None:
        return ""
    if not masked:
        return value
    if "@" in value or value.startswith("+"):
        from identity.rules import mask

        return mask(value)  # the edges of an email or phone, as identity reports show them
    # Names, birth dates and addresses: the first character only.
    return value[:1] + "*" * (len(value) - 1)
