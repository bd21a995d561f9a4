"""The one-page run report: a self-contained HTML page for people who do not read code or logs.

It answers "can today's profiles be trusted, and if not, why?": rows in and out per layer, quarantine by
reason code, quality results by table and severity, identity metrics (clusters, merges, splits, largest
customers, accuracy against the truth when there is one), the lifecycle stage confusion matrix and failed
pipeline tasks. Every chart is inline SVG and every style inline CSS; the page loads nothing from anywhere
and runs no script. It reads only aggregate tables (counts, ids, results), never a personal value.
Sections whose tables do not exist yet say so.

This module gathers the figures into a ``Page`` of plain values; the Jinja templates in
``quality/templates`` lay it out (``run_report.html.j2``, one template per section under ``sections/``,
tables, pills and SVG charts in ``macros.html.j2``) and escape every value on the way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
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


@dataclass(frozen=True)
class Section:
    """One section of the page: ``data`` for ``sections/<key>.html.j2`` (rows, counts and names, not markup).

    A section whose input table does not exist yet has ``missing`` (the table and the step that writes
    it) instead, and one with nothing to show a one-line ``note``.
    """

    key: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, str] | None = None
    note: str | None = None


@dataclass(frozen=True)
class Kpi:
    """A headline figure; ``tone`` (ok, warning, critical or empty) colours it."""

    key: str
    label: str
    value: Any
    tone: str = ""


@dataclass
class Page:
    """The report's content, section by section, plus the headline figures."""

    run_id: str | None
    home: str
    kpis: list[Kpi] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def kpi(self, key: str, label: str, value: Any, tone: str = "") -> None:
        self.kpis.append(Kpi(key, label, value, tone))

    def section(self, key: str, title: str, **data: Any) -> None:
        self.sections.append(Section(key, title, data))

    def missing(self, key: str, title: str, table: str, producer: str) -> None:
        self.sections.append(Section(key, title, missing=(table, producer)))

    def note(self, key: str, title: str, text: str) -> None:
        self.sections.append(Section(key, title, note=text))


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
    page = Page(run_id=run_id, home=str(settings.paths.home))
    tables = {info.name: info for info in lake.tables()}
    _rows_section(page, lake, tables, run_id)
    _quarantine_section(page, spark, lake, run_id)
    _quality_section(page, results, run_id)
    _identity_section(page, lake)
    _lifecycle_section(page, lake, run_id)
    _failures_section(page, lake, run_id)
    path = settings.paths.reports / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(page), encoding="utf-8")
    if docs and results is not None:
        from quality.docs import build_data_docs

        try:
            build_data_docs(settings)
        except Exception as exc:  # noqa: BLE001 - the run report stands on its own; the docs are extra
            log.warning("Data Docs were not built: %s: %s", type(exc).__name__, exc)
    return path


# --- sections -----------------------------------------------------------------------------------------


def _rows_section(page: Page, lake: Lake, tables: dict[str, Any], run_id: str | None) -> None:
    title = "Rows in and out per layer"
    manifest = _arrow(lake, INGEST_MANIFEST.name)
    if manifest is None or manifest.num_rows == 0:
        page.kpi("rows-in", "Rows received", None)
        page.missing("rows", title, INGEST_MANIFEST.name, "cdp ingest")
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
    feeds = sorted(per_feed.items())
    rows_in = sum(c[0] for c in per_feed.values())
    bronze = sum(c[1] for c in per_feed.values())
    quarantined = sum(c[2] for c in per_feed.values())
    page.kpi("rows-in", "Rows received", rows_in)
    page.kpi("rows-bronze", "Rows accepted (bronze)", bronze)
    page.kpi("rows-quarantined", "Rows quarantined", quarantined, "warning" if quarantined else "ok")
    graph = _arrow(lake, IDENTITY_GRAPH.name, ["customer_id"])
    layers = [
        ("landing rows in", rows_in),
        ("bronze rows", bronze),
        ("quarantined rows", quarantined),
        ("silver rows (all tables)", _sum_rows(tables, [t.name for t in SILVER_TABLES])),
        ("person records", _rows_of(tables, PERSON_RECORDS.name)),
        ("customers (identity graph ids)", None if graph is None else len(pc.unique(graph["customer_id"]))),
        ("customer profiles (published)", _rows_of(tables, GOLD_TABLES[0].name)),
        ("customer profiles (staged)", _rows_of(tables, staging_name(GOLD_TABLES[0].name))),
    ]
    page.section(
        "rows",
        title,
        scope=scope,
        layers=[[name, "not built yet" if n is None else n] for name, n in layers],
        chart=[(feed, [("bronze", c[1]), ("quarantine", c[2])]) for feed, c in feeds],
        feeds=[[feed, *c, f"{100 * c[2] / c[0]:.2f}" if c[0] else "0.00"] for feed, c in feeds],
        bronze=[
            [t.name, tables[t.name].version, tables[t.name].rows] for t in BRONZE_TABLES if t.name in tables
        ],
    )


def _quarantine_section(page: Page, spark: SparkSession, lake: Lake, run_id: str | None) -> None:
    title = "Quarantine by reason code"
    if not lake.exists(QUARANTINE.name):
        page.missing("quarantine", title, QUARANTINE.name, "cdp ingest")
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
        page.note("quarantine", title, "No row was quarantined.")
        return
    by_code: Counter[str] = Counter()
    for _, reason, n in counts:
        by_code[reason.split(":", 1)[0]] += n
    page.section(
        "quarantine",
        title,
        scope=scope,
        codes=by_code.most_common(),
        detail=sorted(counts, key=lambda c: (-c[2], c[0], c[1]))[:40],
    )


def _quality_section(page: Page, results: pa.Table | None, run_id: str | None) -> None:
    title = "Quality results by table and severity"
    if results is None or run_id is None:
        page.kpi("critical", "Critical failures", None)
        page.missing("quality", title, QUALITY_RESULTS.name, "cdp quality run --layer bronze")
        return
    rows = results.filter(pc.equal(results["run_id"], run_id)).to_pylist()
    if not rows:
        page.kpi("critical", "Critical failures", None)
        page.note("quality", title, f"Run {run_id} has no quality results.")
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
    per_table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        counts = per_table[(r["layer"], r["table_name"])]
        counts["checks"] += 1
        counts["passed" if r["success"] else r["severity"]] += 1
    ordered = sorted(per_table.items(), key=lambda kv: (QUALITY_LAYERS.index(kv[0][0]), kv[0][1]))
    versions = {(r["layer"], r["table_name"]): r["delta_version"] for r in rows}
    counted = ("checks", "passed", "critical", "warning")
    order = {"critical": 0, "warning": 1}
    failed.sort(key=lambda r: (order.get(r["severity"], 2), r["layer"], r["table_name"], r["rule"]))
    page.section(
        "quality",
        title,
        gates=gates,
        checks=len(rows),
        chart=[
            (table, [(k, c[k]) for k in ("passed", "warning", "critical", "info")])
            for (_, table), c in ordered
        ],
        failed=[
            [
                r["severity"],
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
        summary=[
            [layer, table, versions.get((layer, table)), *(c[k] for k in counted)]
            for (layer, table), c in ordered
        ],
    )


def _identity_section(page: Page, lake: Lake) -> None:
    title = "Identity resolution"
    runs = _arrow(lake, IDENTITY_RUNS.name)
    if runs is None or runs.num_rows == 0:
        page.kpi("customers", "Customers", None)
        page.missing("identity", title, IDENTITY_RUNS.name, "cdp identity resolve")
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
    trend = [
        [r["run_id"], r["as_of"], r["customers"], r["merges"], r["splits"], r["largest_cluster"]]
        for r in ordered[-10:]
    ]
    changes = _arrow(lake, IDENTITY_CHANGES.name, ["run_id", "change_type", "record_count"])
    by_type = None
    if changes is not None:
        mine = changes.filter(pc.equal(changes["run_id"], run["run_id"])).to_pylist()
        by_type = sorted(Counter(r["change_type"] for r in mine).items())
    largest = run.get("largest_clusters") or []
    sizes = _cluster_sizes(lake)
    page.section(
        "identity",
        title,
        figures=figures,
        histogram=_cluster_histogram(sizes),
        trend=trend if len(ordered) > 1 else None,
        changes=by_type,
        largest=[[c, sizes.get(c)] for c in largest[:10]],
        evaluation=_evaluation(lake),
    )


def _evaluation(lake: Lake) -> dict[str, Any] | None:
    evaluation = _arrow(lake, IDENTITY_EVALUATION.name)
    if evaluation is None or evaluation.num_rows == 0:
        return None
    rows = evaluation.to_pylist()
    latest = max(r["evaluated_at"] for r in rows)
    mine = sorted((r for r in rows if r["evaluated_at"] == latest), key=lambda r: r["metric"])
    return {
        "run_id": mine[0]["run_id"],
        "metrics": [[r["metric"], f"{r['value']:.4f}"] for r in mine],
    }


def _lifecycle_section(page: Page, lake: Lake, run_id: str | None) -> None:
    title = "Lifecycle stages against the truth"
    evaluation = _arrow(lake, LIFECYCLE_EVALUATION.name)
    if evaluation is None or evaluation.num_rows == 0:
        page.missing("lifecycle", title, LIFECYCLE_EVALUATION.name, "the gold profile build")
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

    def cell(truth: str, stage: str) -> tuple[int, float, bool]:
        n = cells.get((truth, stage), 0)
        return n, 0.08 + 0.6 * n / peak if n else 0, truth == stage

    page.section(
        "lifecycle",
        title,
        build=chosen,
        agree=agree,
        total=total,
        share=f"{100 * agree / total:.1f}%" if total else "n/a",
        stages=STAGES,
        matrix=[(truth, [cell(truth, stage) for stage in STAGES]) for truth in STAGES],
    )


def _failures_section(page: Page, lake: Lake, run_id: str | None) -> None:
    title = "Failed pipeline tasks"
    failures = _arrow(lake, PIPELINE_FAILURES.name)
    if failures is None:
        page.note("failures", title, "No pipeline task has failed so far (no failures recorded).")
        return
    rows = sorted(failures.to_pylist(), key=lambda r: r["failed_at"], reverse=True)
    mine = [r for r in rows if r["run_id"] == run_id]
    page.kpi("task-failures", "Failed tasks (this run)", len(mine), "critical" if mine else "ok")
    if not rows:
        page.note("failures", title, "None.")
        return
    columns = ["failed_at", "dag_id", "task_id", "run_id", "try_number", "error_type", "message"]
    page.section("failures", title, failures=[[r[c] for c in columns] for r in rows[:20]])


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


def _cluster_histogram(sizes: dict[str, int]) -> list[tuple[str, int]] | None:
    if not sizes:
        return None
    bins = [(str(n), n, n) for n in range(1, 6)]
    bins += [("6-10", 6, 10), ("11-20", 11, 20), ("21-50", 21, 50), ("51+", 51, 10**12)]
    return [(label, sum(1 for s in sizes.values() if lo <= s <= hi)) for label, lo, hi in bins]


# --- rendering ----------------------------------------------------------------------------------------


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


# Autoescaping is what keeps values (table names, rules, error messages) from being read as markup.
_TEMPLATES = Environment(
    loader=PackageLoader("quality", "templates"),
    autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["fmt"] = _fmt
# Only int and float are right-aligned (Jinja's own `number` test would take Decimal and complex too).
_TEMPLATES.tests["numeric"] = lambda value: isinstance(value, int | float)


def render(page: Page) -> str:
    """The page as one self-contained HTML document."""
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _TEMPLATES.get_template("run_report.html.j2").render(page=page, generated=generated)
