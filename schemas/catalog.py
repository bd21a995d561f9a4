"""Every declared table in one place, and its documentation rendered as Markdown or HTML.

The catalogue is built from the schema modules themselves, so a table declared anywhere under
``schemas/`` is documented without being registered twice.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Iterable

from schemas.core import Column, TableSchema

MODULES = ("landing", "bronze", "silver", "identity", "gold", "quality", "ops")
LAYER_ORDER = ("landing", "bronze", "silver", "gold", "ops")


def all_tables() -> list[TableSchema]:
    """Every declared table (landing contracts included), ordered by layer then name."""
    found: dict[str, TableSchema] = {}
    for name in MODULES:
        module = importlib.import_module(f"schemas.{name}")
        for value in vars(module).values():
            candidates: Iterable[object] = value if isinstance(value, tuple | list) else (value,)
            for item in candidates:
                table = getattr(item, "landing_table", item)
                if isinstance(table, TableSchema):
                    found.setdefault(f"{table.layer}:{table.name}", table)

    def order(table: TableSchema) -> tuple[int, str]:
        layer = LAYER_ORDER.index(table.layer) if table.layer in LAYER_ORDER else len(LAYER_ORDER)
        return layer, table.name

    return sorted(found.values(), key=order)


def _rules(column: Column) -> str:
    parts = []
    if column.required:
        parts.append("required")
    if column.allowed:
        parts.append("one of " + ", ".join(column.allowed))
    if column.min_value is not None or column.max_value is not None:
        lo = "" if column.min_value is None else f"{column.min_value:g}"
        hi = "" if column.max_value is None else f"{column.max_value:g}"
        parts.append(f"range [{lo}, {hi}]")
    if column.max_length:
        parts.append(f"at most {column.max_length} chars")
    if column.fmt:
        parts.append(f"format {column.fmt}")
    if column.parse_format:
        parts.append(f"arrives as {column.parse_format}")
    if column.future_days is not None:
        parts.append(f"at most {column.future_days} days after the batch")
    return "; ".join(parts)


def _facts(table: TableSchema) -> list[str]:
    facts = [f"layer {table.layer}"]
    if table.primary_key:
        facts.append("key " + ", ".join(table.primary_key))
    if table.partition_by:
        facts.append("partitioned by " + ", ".join(table.partition_by))
    if table.change_data_feed:
        facts.append("change data feed on")
    if table.produced_by:
        facts.append(f"written by {table.produced_by}")
    return facts


def markdown(tables: Iterable[TableSchema]) -> str:
    """The tables as one Markdown document."""
    tables = list(tables)
    lines = ["# Data dictionary", "", f"{len(tables)} tables. PII columns are marked and never reported.", ""]
    for table in tables:
        lines += [f"## `{table.name}`", "", table.description, "", "*" + " · ".join(_facts(table)) + "*", ""]
        lines += ["| column | type | PII | rules | description |", "|---|---|---|---|---|"]
        for c in table.columns:
            cells = [f"`{c.name}`", c.type_name, "yes" if c.pii else "", _rules(c), c.description]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def html_page(tables: Iterable[TableSchema]) -> str:
    """The tables as one self-contained HTML page."""
    tables = list(tables)
    esc = html.escape
    toc = "".join(
        f'<li><a href="#{esc(t.name)}">{esc(t.name)}</a> <small>{esc(t.layer)}</small></li>' for t in tables
    )
    body = []
    for t in tables:
        rows = "".join(
            f"<tr><td><code>{esc(c.name)}</code></td><td>{esc(c.type_name)}</td>"
            f"<td>{'PII' if c.pii else ''}</td><td>{esc(_rules(c))}</td><td>{esc(c.description)}</td></tr>"
            for c in t.columns
        )
        body.append(
            f'<section id="{esc(t.name)}"><h2>{esc(t.name)}</h2><p>{esc(t.description)}</p>'
            f"<p class=facts>{esc(' · '.join(_facts(t)))}</p><table><thead><tr><th>column</th><th>type</th>"
            f"<th>PII</th><th>rules</th><th>description</th></tr></thead><tbody>{rows}</tbody></table></section>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse;"
        "width:100%}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}"
        "th{background:#f4f4f4}.facts{color:#555;font-style:italic}small{color:#777}"
    )
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Data dictionary</title>"
        f"<style>{style}</style></head><body><h1>Data dictionary</h1><p>{len(tables)} tables.</p>"
        f"<ul>{toc}</ul>{''.join(body)}</body></html>"
    )
