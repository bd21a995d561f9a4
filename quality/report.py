"""The one-page run report: a self-contained HTML page for people who do not read code or logs.

It answers "can today's profiles be trusted, and if not, why?": rows in and out per layer, quarantine by
reason code, quality results by table and severity, identity metrics (clusters, merges, splits, largest
customers, accuracy against the truth when there is one), the lifecycle stage confusion matrix and failed
pipeline tasks. Every chart is inline SVG and every style inline CSS; the page loads nothing from anywhere
and runs no script. It reads only aggregate tables (counts, ids, results), never a personal value.
Sections whose tables do not exist yet say so.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from infra.settings import Settings
from infra.storage import Lake
from quality.frames import arrow
from schemas.bronze import BRONZE_TABLES, INGEST_MANIFEST, QUARANTINE
from schemas.gold import GOLD_TABLES, LIFECYCLE_EVALUATION, STAGES, staging_name
from schemas.identity import IDENTITY_CHANGES, IDENTITY_EVALUATION, IDENTITY_GRAPH, IDENTITY_RUNS
from schemas.ops import PIPELINE_FAILURES
from schemas.quality import QUALITY_LAYERS, QUALITY_RESULTS
from schemas.silver import PERSON_RECORDS, SILVER_TABLES

log = logging.getLogger(__name__)

REPORT_FILE = "run_report.html"
COLOURS = {"ok": "#2e7d32", "warning": "#f9a825", "critical": "#c62828", "info": "#1565c0", "bar": "#3867b5"}


@dataclass
class Page:
    """The report's content, section by section (HTML fragments), plus the headline figures."""

    title: str
    headline: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, label, value, tone
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # id, title, body

    def kpi(self, key: str, label: str, value: Any, tone: str = "") -> None:
        self.headline.append((key, label, _fmt(value), tone))

    def section(self, key: str, title: str, body: str) -> None:
        self.sections.append((key, title, body))


def build_report(
    spark: SparkSession, settings: Settings, lake: Lake, run_id: str | None = None, *, docs: bool = True
) -> Path:
    """Write ``<reports>/run_report.html`` for a run, and the Data Docs site beside it; return the page.

    Args:
        run_id: the pipeline run; by default the latest run that has quality results.
        docs: also rebuild the Data Docs site (``<reports>/data_docs``) from every stored validation.
    """
    results = _arrow(lake, QUALITY_RESULTS.name)
    if run_id is None and results is not None and results.num_rows:
        latest = pc.max(results["validated_at"]).as_py()
        run_id = results.filter(pc.equal(results["validated_at"], latest))["run_id"][0].as_py()
    page = Page(title=f"Run report {run_id}" if run_id else "Run report")
    tables = {info.name: info for info in lake.tables()}
    _rows_section(page, lake, tables, run_id)
    _quarantine_section(page, spark, lake, run_id)
    _quality_section(page, results, run_id)
    _identity_section(page, lake)
    _lifecycle_section(page, lake, run_id)
    _failures_section(page, lake, run_id)
    path = settings.paths.reports / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(page, run_id, settings), encoding="utf-8")
    if docs and results is not None:
        from quality.docs import build_data_docs

        try:
            build_data_docs(settings)
        except Exception as exc:  # noqa: BLE001 - the run report stands on its own; the docs are extra
            log.warning("Data Docs were not built: %s: %s", type(exc).__name__, exc)
    return path


# --- sections -----------------------------------------------------------------------------------------


def _rows_section(page: Page, lake: Lake, tables: dict[str, Any], run_id: str | None) -> None:
    manifest = _arrow(lake, INGEST_MANIFEST.name)
    if manifest is None or manifest.num_rows == 0:
        page.kpi("rows-in", "Rows received", None)
        page.section("rows", "Rows in and out per layer", _missing(INGEST_MANIFEST.name, "cdp ingest"))
        return
    scope = "all batches ingested so far"
    if run_id is not None:
        mine = manifest.filter(pc.equal(manifest["run_id"], run_id))
        if mine.num_rows:
            manifest, scope = mine, f"files ingested by run {run_id}"
    per_feed: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in manifest.select(["feed", "rows_in", "rows_bronze", "rows_quarantined"]).to_pylist():
        counts = per_feed[row["feed"]]
        counts[0] += row["rows_in"]
        counts[1] += row["rows_bronze"]
        counts[2] += row["rows_quarantined"]
    rows_in = sum(c[0] for c in per_feed.values())
    bronze = sum(c[1] for c in per_feed.values())
    quarantined = sum(c[2] for c in per_feed.values())
    page.kpi("rows-in", "Rows received", rows_in)
    page.kpi("rows-bronze", "Rows accepted (bronze)", bronze)
    page.kpi("rows-quarantined", "Rows quarantined", quarantined, "warning" if quarantined else "ok")
    feeds = _table(
        ["feed", "rows in", "bronze", "quarantined", "quarantined %"],
        [
            [feed, c[0], c[1], c[2], f"{100 * c[2] / c[0]:.2f}" if c[0] else "0.00"]
            for feed, c in sorted(per_feed.items())
        ],
        numeric_from=1,
    )
    chart = _stacked(
        [
            (feed, [("bronze", c[1], COLOURS["ok"]), ("quarantine", c[2], COLOURS["critical"])])
            for feed, c in sorted(per_feed.items())
        ]
    )
    layers = [
        ("landing rows in", rows_in),
        ("bronze rows", bronze),
        ("quarantined rows", quarantined),
        ("silver rows (all tables)", _sum_rows(tables, [t.name for t in SILVER_TABLES])),
        ("person records", _rows_of(tables, PERSON_RECORDS.name)),
        ("customers (identity graph ids)", None),
        ("customer profiles (published)", _rows_of(tables, GOLD_TABLES[0].name)),
        ("customer profiles (staged)", _rows_of(tables, staging_name(GOLD_TABLES[0].name))),
    ]
    graph = _arrow(lake, IDENTITY_GRAPH.name, ["customer_id"])
    if graph is not None:
        layers[5] = ("customers (identity graph ids)", len(pc.unique(graph["customer_id"])))
    flow = _table(["layer", "rows"], [[name, "not built yet" if n is None else n] for name, n in layers], 1)
    bronze_tables = _table(
        ["bronze table", "version", "rows"],
        [[t.name, tables[t.name].version, tables[t.name].rows] for t in BRONZE_TABLES if t.name in tables],
        numeric_from=1,
    )
    body = (
        f"<p class='note'>Landing to bronze: {html.escape(scope)}. Later layers: current table versions.</p>"
        f"<div class='grid'><div>{flow}</div><div>{chart}</div></div>{feeds}{bronze_tables}"
    )
    page.section("rows", "Rows in and out per layer", body)


def _quarantine_section(page: Page, spark: SparkSession, lake: Lake, run_id: str | None) -> None:
    if not lake.exists(QUARANTINE.name):
        page.section("quarantine", "Quarantine by reason code", _missing(QUARANTINE.name, "cdp ingest"))
        return
    # Only the reason codes are read; the raw lines (personal data) stay in the lake.
    df = lake.read(QUARANTINE.name).select("feed", "reasons", "run_id")
    scope = "every quarantined row so far"
    if run_id is not None and df.filter(F.col("run_id") == run_id).limit(1).count():
        df, scope = df.filter(F.col("run_id") == run_id), f"rows quarantined by run {run_id}"
    exploded = df.select("feed", F.explode("reasons").alias("reason"))
    counts = [
        (r["feed"], r["reason"], r["n"])
        for r in exploded.groupBy("feed", "reason").agg(F.count("*").alias("n")).collect()
    ]
    if not counts:
        page.section("quarantine", "Quarantine by reason code", "<p>No row was quarantined.</p>")
        return
    by_code: Counter[str] = Counter()
    for _, reason, n in counts:
        by_code[reason.split(":", 1)[0]] += n
    chart = _bars(by_code.most_common(), COLOURS["critical"])
    detail = _table(
        ["feed", "reason", "rows"],
        [list(c) for c in sorted(counts, key=lambda c: (-c[2], c[0], c[1]))[:40]],
        2,
    )
    body = f"<p class='note'>{html.escape(scope)}; a row may carry several reasons.</p>{chart}{detail}"
    page.section("quarantine", "Quarantine by reason code", body)


def _quality_section(page: Page, results: pa.Table | None, run_id: str | None) -> None:
    title = "Quality results by table and severity"
    if results is None or run_id is None:
        page.kpi("critical", "Critical failures", None)
        page.section("quality", title, _missing(QUALITY_RESULTS.name, "cdp quality run --layer bronze"))
        return
    rows = results.filter(pc.equal(results["run_id"], run_id)).to_pylist()
    if not rows:
        page.kpi("critical", "Critical failures", None)
        page.section("quality", title, f"<p>Run {html.escape(run_id)} has no quality results.</p>")
        return
    failed = [r for r in rows if not r["success"]]
    critical = sum(1 for r in failed if r["severity"] == "critical")
    warnings = sum(1 for r in failed if r["severity"] == "warning")
    layers = sorted({r["layer"] for r in rows}, key=QUALITY_LAYERS.index)
    gates = {
        layer: not any(r["layer"] == layer and r["severity"] == "critical" and not r["success"] for r in rows)
        for layer in layers
    }
    passed_gates = sum(gates.values())
    page.kpi("critical", "Critical failures", critical, "critical" if critical else "ok")
    page.kpi("warnings", "Warnings", warnings, "warning" if warnings else "ok")
    page.kpi(
        "gates",
        "Gates passed",
        f"{passed_gates} / {len(gates)}",
        "ok" if passed_gates == len(gates) else "critical",
    )
    gate_cells = "".join(
        f"<span class='pill {'ok' if ok else 'critical'}' id='gate-{html.escape(layer)}'>"
        f"{html.escape(layer)}: {'passed' if ok else 'FAILED'}</span>"
        for layer, ok in gates.items()
    )
    per_table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        counts = per_table[(r["layer"], r["table_name"])]
        counts["checks"] += 1
        counts["passed" if r["success"] else r["severity"]] += 1
    ordered = sorted(per_table.items(), key=lambda kv: (QUALITY_LAYERS.index(kv[0][0]), kv[0][1]))
    chart = _stacked(
        [
            (
                f"{table}",
                [
                    ("passed", c["passed"], COLOURS["ok"]),
                    ("warning", c["warning"], COLOURS["warning"]),
                    ("critical", c["critical"], COLOURS["critical"]),
                    ("info", c["info"], COLOURS["info"]),
                ],
            )
            for (_, table), c in ordered
        ]
    )
    versions = {(r["layer"], r["table_name"]): r["delta_version"] for r in rows}
    summary = _table(
        ["layer", "table", "version", "checks", "passed", "failed critical", "failed warning"],
        [
            [
                layer,
                table,
                versions.get((layer, table)),
                c["checks"],
                c["passed"],
                c["critical"],
                c["warning"],
            ]
            for (layer, table), c in ordered
        ],
        numeric_from=2,
    )
    order = {"critical": 0, "warning": 1}
    failed.sort(key=lambda r: (order.get(r["severity"], 2), r["layer"], r["table_name"], r["rule"]))
    failures = _table(
        ["severity", "layer", "table", "rule", "column", "unexpected rows", "observed", "what it checks"],
        [
            [
                _pill(r["severity"]),
                r["layer"],
                r["table_name"],
                r["rule"],
                r["column_name"],
                r["unexpected_count"],
                _observed(r["observed_value"]) or r["error"],
                r["description"],
            ]
            for r in failed
        ],
        raw_columns={0},
    )
    body = (
        f"<p>{gate_cells}</p><p class='note'>{len(rows)} checks evaluated. Details of every expectation: "
        "<a href='data_docs/index.html'>Data Docs</a>.</p>"
        f"{chart}<h3>Failed checks</h3>{failures if failed else '<p>None.</p>'}<h3>By table</h3>{summary}"
    )
    page.section("quality", title, body)


def _identity_section(page: Page, lake: Lake) -> None:
    title = "Identity resolution"
    runs = _arrow(lake, IDENTITY_RUNS.name)
    if runs is None or runs.num_rows == 0:
        page.kpi("customers", "Customers", None)
        page.section("identity", title, _missing(IDENTITY_RUNS.name, "cdp identity resolve"))
        return
    ordered = sorted(runs.to_pylist(), key=lambda r: r["finished_at"])
    run = ordered[-1]
    page.kpi("customers", "Customers", run["customers"])
    figures = [
        ("identity run", run["run_id"]),
        ("as of", run["as_of"]),
        ("mode", run["mode"]),
        ("model version", run["model_version"]),
        ("person records", run["records"]),
        ("customers", run["customers"]),
        ("single-record customers", run["singletons"]),
        ("largest customer (records)", run["largest_cluster"]),
        ("rule links", run["deterministic_pairs"]),
        ("model links", run["probabilistic_pairs"]),
        ("links cut by guards", run["pairs_cut_by_guards"]),
        ("ids merged", run["merges"]),
        ("ids split", run["splits"]),
        ("ids issued", run["new_ids"]),
    ]
    figure_table = _table(["figure", "value"], [[k, v] for k, v in figures], numeric_from=1)
    parts = [f"<div class='grid'><div>{figure_table}</div><div>{_cluster_histogram(lake)}</div></div>"]
    if len(ordered) > 1:
        trend = _table(
            ["identity run", "as of", "customers", "merges", "splits", "largest"],
            [
                [r["run_id"], r["as_of"], r["customers"], r["merges"], r["splits"], r["largest_cluster"]]
                for r in ordered[-10:]
            ],
            numeric_from=2,
        )
        parts.append(f"<h3>Recent runs</h3>{trend}")
    changes = _arrow(lake, IDENTITY_CHANGES.name, ["run_id", "change_type", "record_count"])
    if changes is not None:
        mine = changes.filter(pc.equal(changes["run_id"], run["run_id"])).to_pylist()
        by_type = Counter(r["change_type"] for r in mine)
        parts.append(
            f"<h3>Id changes in the latest run</h3>{_bars(sorted(by_type.items()), COLOURS['bar'])}"
            if by_type
            else "<h3>Id changes in the latest run</h3><p>None.</p>"
        )
    largest = run.get("largest_clusters") or []
    if largest:
        sizes = _cluster_sizes(lake)
        parts.append(
            "<h3>Largest customers</h3>"
            + _table(["customer id", "records"], [[c, sizes.get(c)] for c in largest[:10]], numeric_from=1)
        )
    parts.append(_evaluation(lake))
    page.section("identity", title, "".join(parts))


def _evaluation(lake: Lake) -> str:
    evaluation = _arrow(lake, IDENTITY_EVALUATION.name)
    if evaluation is None or evaluation.num_rows == 0:
        return (
            "<h3>Accuracy against the truth</h3><p>No evaluation: there is no ground truth for this data.</p>"
        )
    rows = evaluation.to_pylist()
    latest = max(r["evaluated_at"] for r in rows)
    mine = [r for r in rows if r["evaluated_at"] == latest]
    table = _table(
        ["metric", "value"],
        [[r["metric"], f"{r['value']:.4f}"] for r in sorted(mine, key=lambda r: r["metric"])],
        1,
    )
    return f"<h3>Accuracy against the truth (run {html.escape(mine[0]['run_id'])})</h3>{table}"


def _lifecycle_section(page: Page, lake: Lake, run_id: str | None) -> None:
    title = "Lifecycle stages against the truth"
    evaluation = _arrow(lake, LIFECYCLE_EVALUATION.name)
    if evaluation is None or evaluation.num_rows == 0:
        page.section("lifecycle", title, _missing(LIFECYCLE_EVALUATION.name, "the gold profile build"))
        return
    rows = evaluation.to_pylist()
    chosen = run_id if run_id is not None and any(r["run_id"] == run_id for r in rows) else None
    if chosen is None:
        chosen = max(rows, key=lambda r: (r["as_of"], r["run_id"]))["run_id"]
    cells: dict[tuple[str, str], int] = {
        (r["true_stage"], r["stage"]): r["customers"] for r in rows if r["run_id"] == chosen
    }
    total = sum(cells.values())
    agree = sum(n for (truth, stage), n in cells.items() if truth == stage)
    peak = max(cells.values(), default=0) or 1
    head = "".join(f"<th>{html.escape(s)}</th>" for s in STAGES)
    body_rows = []
    for truth in STAGES:
        tds = []
        for stage in STAGES:
            n = cells.get((truth, stage), 0)
            alpha = 0.08 + 0.6 * n / peak if n else 0
            colour = "46,125,50" if truth == stage else "198,40,40"
            tds.append(f"<td class='num' style='background:rgba({colour},{alpha:.2f})'>{n:,}</td>")
        body_rows.append(f"<tr><th>{html.escape(truth)}</th>{''.join(tds)}</tr>")
    matrix = (
        f"<table class='matrix'><thead><tr><th>true \\ computed</th>{head}</tr></thead>"
        f"<tbody>{''.join(body_rows)}</tbody></table>"
    )
    share = f"{100 * agree / total:.1f}%" if total else "n/a"
    page.section(
        "lifecycle",
        title,
        f"<p>Build {html.escape(str(chosen))}: {agree:,} of {total:,} customers ({share}) got their true "
        f"stage.</p>{matrix}",
    )


def _failures_section(page: Page, lake: Lake, run_id: str | None) -> None:
    title = "Failed pipeline tasks"
    failures = _arrow(lake, PIPELINE_FAILURES.name)
    if failures is None:
        page.section("failures", title, "<p>No pipeline task has failed so far (no failures recorded).</p>")
        return
    rows = sorted(failures.to_pylist(), key=lambda r: r["failed_at"], reverse=True)
    mine = [r for r in rows if r["run_id"] == run_id]
    page.kpi("task-failures", "Failed tasks (this run)", len(mine), "critical" if mine else "ok")
    table = _table(
        ["failed at (UTC)", "pipeline", "task", "run", "try", "error", "message"],
        [
            [
                r["failed_at"],
                r["dag_id"],
                r["task_id"],
                r["run_id"],
                r["try_number"],
                r["error_type"],
                r["message"],
            ]
            for r in rows[:20]
        ],
    )
    page.section("failures", title, table if rows else "<p>None.</p>")


# --- data helpers --------------------------------------------------------------------------------------


def _arrow(lake: Lake, table: str, columns: Sequence[str] | None = None) -> pa.Table | None:
    return arrow(lake, table, columns)


def _rows_of(tables: dict[str, Any], name: str) -> int | None:
    info = tables.get(name)
    return None if info is None else info.rows


def _sum_rows(tables: dict[str, Any], names: Iterable[str]) -> int | None:
    counts = [tables[n].rows for n in names if n in tables and tables[n].rows is not None]
    return sum(counts) if counts else None


def _cluster_sizes(lake: Lake) -> dict[str, int]:
    graph = _arrow(lake, IDENTITY_GRAPH.name, ["customer_id"])
    if graph is None:
        return {}
    counts = graph.group_by("customer_id").aggregate([("customer_id", "count")])
    return dict(zip(counts["customer_id"].to_pylist(), counts["customer_id_count"].to_pylist(), strict=True))


def _cluster_histogram(lake: Lake) -> str:
    sizes = _cluster_sizes(lake)
    if not sizes:
        return ""
    bins = [
        ("1", 1, 1),
        ("2", 2, 2),
        ("3", 3, 3),
        ("4", 4, 4),
        ("5", 5, 5),
        ("6-10", 6, 10),
        ("11-20", 11, 20),
        ("21-50", 21, 50),
        ("51+", 51, 10**12),
    ]
    counts = [(label, sum(1 for s in sizes.values() if lo <= s <= hi)) for label, lo, hi in bins]
    return "<h3>Customers by number of records</h3>" + _bars(counts, COLOURS["bar"], label_width=60)


# --- rendering -----------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _observed(text: str | None) -> str | None:
    """An observed value for people: numbers rounded, anything else as stored."""
    try:
        return _fmt(float(text)) if text is not None else None
    except ValueError:
        return text


def _pill(severity: str) -> str:
    return f"<span class='pill {html.escape(severity)}'>{html.escape(severity)}</span>"


def _missing(table: str, producer: str) -> str:
    return (
        f"<p class='missing'>Table <code>{html.escape(table)}</code> does not exist yet: "
        f"it is written by {html.escape(producer)}.</p>"
    )


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric_from: int | None = None,
    raw_columns: set[int] | None = None,
) -> str:
    raw_columns = raw_columns or set()
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    lines = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = value if i in raw_columns else html.escape(_fmt(value))
            numeric = numeric_from is not None and i >= numeric_from and isinstance(value, int | float)
            cells.append(f"<td class='num'>{text}</td>" if numeric else f"<td>{text}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _bars(items: Sequence[tuple[str, int]], colour: str, label_width: int = 190) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return ""
    peak = max(v for _, v in items) or 1
    width, bar_area, row = 640, 640 - label_width - 70, 22
    parts = [f"<svg class='chart' role='img' viewBox='0 0 {width} {row * len(items) + 6}' width='{width}'>"]
    for i, (label, value) in enumerate(items):
        y = 3 + i * row
        length = max(1.0, bar_area * value / peak) if value else 0
        parts.append(
            f"<text x='{label_width - 6}' y='{y + 15}' text-anchor='end'>{html.escape(str(label))}</text>"
            f"<rect x='{label_width}' y='{y + 3}' width='{length:.1f}' height='{row - 6}' fill='{colour}'>"
            f"<title>{html.escape(str(label))}: {value:,}</title></rect>"
            f"<text x='{label_width + length + 5:.1f}' y='{y + 15}'>{value:,}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _stacked(items: Sequence[tuple[str, Sequence[tuple[str, int, str]]]]) -> str:
    """Horizontal stacked bars (one per label, segments coloured by kind) as inline SVG, with a legend."""
    if not items:
        return ""
    peak = max(sum(v for _, v, _ in segs) for _, segs in items) or 1
    label_width, width, row = 230, 660, 20
    bar_area = width - label_width - 70
    height = row * len(items) + 30
    parts = [f"<svg class='chart' role='img' viewBox='0 0 {width} {height}' width='{width}'>"]
    for i, (label, segments) in enumerate(items):
        y = 3 + i * row
        x = float(label_width)
        parts.append(
            f"<text x='{label_width - 6}' y='{y + 14}' text-anchor='end'>{html.escape(label)}</text>"
        )
        for kind, value, colour in segments:
            if not value:
                continue
            length = bar_area * value / peak
            parts.append(
                f"<rect x='{x:.1f}' y='{y + 3}' width='{length:.1f}' height='{row - 6}' fill='{colour}'>"
                f"<title>{html.escape(label)} {html.escape(kind)}: {value:,}</title></rect>"
            )
            x += length
        parts.append(f"<text x='{x + 5:.1f}' y='{y + 14}'>{sum(v for _, v, _ in segments):,}</text>")
    kinds = list(dict.fromkeys((k, c) for _, segs in items for k, v, c in segs if v))
    lx, ly = label_width, height - 10
    for kind, colour in kinds:
        parts.append(
            f"<rect x='{lx}' y='{ly - 9}' width='10' height='10' fill='{colour}'/>"
            f"<text x='{lx + 14}' y='{ly}'>{html.escape(kind)}</text>"
        )
        lx += 24 + 8 * len(kind)
    parts.append("</svg>")
    return "".join(parts)


CSS = """\
:root{--fg:#1d2433;--muted:#5b6478;--line:#d5dae3;--ok:#2e7d32;--warning:#b7791f;--critical:#c62828}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);margin:0;background:#f5f7fa}
header{background:#1d2433;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c9d1e0}
main{padding:18px 28px;max-width:1280px}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 18px}
.kpi{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:150px}
.kpi .value{font-size:24px;font-weight:650}
.kpi .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.kpi.ok .value{color:var(--ok)}
.kpi.warning .value{color:var(--warning)}
.kpi.critical .value{color:var(--critical)}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 18px}
section h2{margin:0 0 10px;font-size:18px}
h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;margin:6px 0 10px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:#eef1f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.matrix td{min-width:64px}
.note{color:var(--muted)}
.missing{color:var(--muted);font-style:italic}
.grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.pill{display:inline-block;border-radius:10px;padding:1px 9px;margin:0 6px 4px 0;color:#fff;font-size:12px}
.pill.ok{background:var(--ok)}
.pill.warning{background:#f9a825;color:#1d2433}
.pill.critical{background:var(--critical)}
.pill.info{background:#1565c0}
svg.chart{max-width:100%;height:auto;font-size:12px;fill:var(--fg)}
nav a{margin-right:14px;color:#9ec1ff}
"""


def render(page: Page, run_id: str | None, settings: Settings) -> str:
    """The page as one self-contained HTML document."""
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kpis = "".join(
        f"<div class='kpi {tone}' id='kpi-{key}'><div class='value'>{html.escape(value)}</div>"
        f"<div class='label'>{html.escape(label)}</div></div>"
        for key, label, value, tone in page.headline
    )
    nav = "".join(f"<a href='#{key}'>{html.escape(title)}</a>" for key, title, _ in page.sections)
    sections = "".join(
        f"<section id='{key}'><h2>{html.escape(title)}</h2>{body}</section>"
        for key, title, body in page.sections
    )
    run = html.escape(run_id or "no run with quality results yet")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<link rel='icon' href='data:,'><title>{html.escape(page.title)}</title><style>{CSS}</style></head>"
        "<body><header><h1>Customer data platform: run report</h1>"
        f"<p>Run <strong id='run-id'>{run}</strong> · generated {generated} · home "
        f"{html.escape(str(settings.paths.home))}</p><nav>{nav}</nav></header>"
        f"<main><div class='kpis'>{kpis}</div>{sections}</main></body></html>"
    )
