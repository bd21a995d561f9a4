"""The Great Expectations project of a home, and its Data Docs site under the reports folder.

The project is a file context under ``<work>/gx``: suites, checkpoints and validation results (counts
only; see ``quality.gates``) persist there, so the Data Docs site keeps every run's pages. Data Docs pages
load their styling from public CDNs; :func:`build_data_docs` strips those references so the site works
offline and a browser opening it contacts nobody.
"""

from __future__ import annotations

import ast
import html
import os
import re
from pathlib import Path
from typing import Any

from infra.settings import Settings

SITE = "lake_site"
# <script src="https://...">, <link href="https://...">, <img src="https://..."> in generated pages.
_EXTERNAL = re.compile(r'<(script|link|img)\b[^>]*(?:src|href)="https?://[^"]*"[^>]*>(?:\s*</script>)?', re.I)
_HREF = re.compile(r'href="([^"]+)"')
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_OFFLINE_STYLE = """<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2433}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d5dae3;padding:.25rem .5rem;
text-align:left;vertical-align:top}a{color:#1f5fbf}.hide,.d-none{display:none}
.fa-check-circle::before{content:"\\2714";color:#2e7d32}.fa-times::before{content:"\\2718";color:#c62828}
</style>"""


def site_dir(settings: Settings) -> Path:
    """Where the Data Docs site is written: ``<reports>/data_docs``."""
    return settings.paths.reports / "data_docs"


def gx_context(settings: Settings) -> Any:
    """The home's Great Expectations file context, with its Data Docs site pointed at the reports folder.

    Create the Spark session before calling this: Great Expectations would otherwise start its own.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    root = settings.paths.work / "gx"
    root.mkdir(parents=True, exist_ok=True)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    sites = context.list_data_docs_sites()
    config: Any = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(site_dir(settings)),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    for name in [n for n in sites if n != SITE]:
        context.delete_data_docs_site(name)
    if SITE not in sites:
        context.add_data_docs_site(SITE, config)
    elif sites[SITE] != config:
        # The home may have moved since the project was created.
        context.update_data_docs_site(SITE, config)
    return context


def build_data_docs(settings: Settings, context: Any | None = None) -> Path:
    """Build the Data Docs site from every stored validation result and make it work offline.

    Returns:
        The site's ``index.html``.
    """
    context = context or gx_context(settings)
    context.build_data_docs(site_names=[SITE])
    folder = site_dir(settings)
    make_offline(folder)
    return folder / "index.html"


def make_offline(folder: Path) -> int:
    """Make the pages under ``folder`` work without network access; returns how many pages changed.

    Scripts, stylesheets and images loaded from other hosts are removed and a small inline stylesheet
    added. The index page builds its tables with a script library from a CDN, so those tables are
    rendered here as plain HTML; every other inline script needs the removed libraries and goes too.
    """
    changed = 0
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        offline = _SCRIPT.sub(_static_table, _EXTERNAL.sub("", text))
        if offline != text:
            if _OFFLINE_STYLE not in offline:
                offline = offline.replace("</head>", f"{_OFFLINE_STYLE}</head>", 1)
            page.write_text(offline, encoding="utf-8")
            changed += 1
    return changed


def _static_table(match: re.Match[str]) -> str:
    """A ``bootstrapTable`` script as the plain table it would have drawn; any other script as nothing."""
    script = match.group(1)
    if ".bootstrapTable(" not in script:
        return ""
    try:
        columns = ast.literal_eval(_literal_after(script, "columns:"))
        rows = ast.literal_eval(_literal_after(script, "data:"))
    except (ValueError, SyntaxError):
        return ""
    head = "".join(f"<th>{html.escape(str(c.get('title', c['field'])))}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for i, column in enumerate(columns):
            field, raw = column["field"], str(row.get(column["field"], ""))
            # Icons and tooltips need the removed libraries: use the plain text GX keeps for sorting.
            text = row.get(f"_{field}_text") or (raw if "<" not in raw else row.get(f"_{field}_sort", raw))
            cell = html.escape(str(text).strip())
            href = row.get("_table_row_link_path") if i == 0 else None
            found = _HREF.search(raw)
            href = href or (found.group(1) if found else None)
            cells.append(f"<td><a href='{html.escape(href)}'>{cell}</a></td>" if href else f"<td>{cell}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table class='offline'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _literal_after(text: str, marker: str) -> str:
    """The bracketed Python literal that follows ``marker`` in ``text``."""
    start = text.index("[", text.index(marker))
    depth, quote, i = 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    raise ValueError(f"unbalanced brackets after {marker}")
