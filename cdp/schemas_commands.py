"""``cdp schemas``: the data dictionary generated from ``schemas/``."""

from __future__ import annotations

from pathlib import Path

import click

from cdp.context import CdpContext, friendly_errors
from infra.console import console


@click.group()
def schemas() -> None:
    """The declared tables: columns, types, keys, PII and rules."""


@schemas.command("docs")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="File to write (default: stdout).")
@click.pass_obj
@friendly_errors
def docs(obj: CdpContext, fmt: str, out: Path | None) -> None:
    """Render every table's documentation as Markdown or a self-contained HTML page."""
    from schemas.catalog import all_tables, html_page, markdown

    tables = all_tables()
    text = markdown(tables) if fmt == "md" else html_page(tables)
    if out is None:
        click.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"{len(tables)} tables documented in {out}")
