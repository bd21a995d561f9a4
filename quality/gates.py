"""Quality gates: validate a layer's Delta tables with Great Expectations and store every result.

A gate run (:func:`run_layer`) validates Spark DataFrames of the current version of each table of the
layer (bronze, silver, identity or gold staging) against the suites generated in ``quality.suites``,
one Great Expectations checkpoint per table, and replaces that run and layer's rows in the Delta table
``quality_results``. A failed ``critical`` expectation fails the gate (:class:`QualityGateError`) and, for
the gold layer, keeps the staged profiles from being published (``jobs.gold.publish`` asks :func:`passed`).

No raw value is ever stored: results are read with ``partial_unexpected_count`` 0 (counts only), observed
values are kept only for aggregate expectations on non-personal columns, and error messages are redacted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from infra.console import progress
from infra.errors import UserFacingError
from infra.runs import StepReport
from infra.settings import Settings
from infra.storage import Lake
from quality import frames
from quality.suites import CRITICAL, NONE_WHERE, WARNING, Check, Suite, layer_suites
from schemas.quality import QUALITY_RESULTS

log = logging.getLogger(__name__)

# Counts only: no value from a row reaches the results, their JSON store or the Data Docs pages.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}
# Expectations whose observed value is an aggregate (a count, type, size or share), never a row's value.
AGGREGATES = frozenset(
    {
        "ExpectTableRowCountToBeBetween",
        "ExpectTableColumnsToMatchSet",
        "ExpectColumnValuesToBeOfType",
        "ExpectColumnMaxToBeBetween",
        "ExpectColumnMeanToBeBetween",
        "ExpectColumnMedianToBeBetween",
        NONE_WHERE,
    }
)
_QUOTED = re.compile(r"'[^']*'")
_EMAIL = re.compile(r"[^\s@'\"]+@[^\s@'\"]+")
_NUMBER = re.compile(r"\+?\d[\d \-]{6,}\d")


class QualityGateError(UserFacingError):
    """A critical expectation failed: the layer's data must not be used downstream."""


@dataclass(frozen=True)
class Failure:
    """A failed expectation, as shown in messages and tables."""

    table: str
    rule: str
    column: str | None
    severity: str
    unexpected_count: int | None
    observed: str | None

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        detail = f"{self.unexpected_count:,} rows" if self.unexpected_count else (self.observed or "failed")
        return f"{where} {self.rule} ({detail})"


@dataclass
class GateResult(StepReport):
    """What a gate run validated and found."""

    layer: str
    run_id: str
    as_of: dt.date
    versions: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def tables(self) -> list[str]:
        """Tables the gate looked at (validated or found missing), in order."""
        return list(dict.fromkeys(r["table_name"] for r in self.rows))

    @property
    def failures(self) -> list[Failure]:
        """Every failed expectation, critical ones first."""
        order = {CRITICAL: 0, WARNING: 1}
        failed = [r for r in self.rows if not r["success"]]
        failed.sort(key=lambda r: (order.get(r["severity"], 2), r["table_name"], r["rule"]))
        return [
            Failure(r["table_name"], r["rule"], r["column_name"], r["severity"], r["unexpected_count"],
                    r["observed_value"])
            for r in failed
        ]  # fmt: skip

    @property
    def critical_failures(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == CRITICAL]

    @property
    def passed(self) -> bool:
        """No critical expectation failed."""
        return not self.critical_failures

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary (kept by Airflow as the task's XCom); each expectation's row stays out."""
        counts = Counter(f.severity for f in self.failures)
        return {
            "layer": self.layer,
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "passed": self.passed,
            "tables": self.tables,
            "versions": dict(self.versions),
            "evaluated_expectations": len(self.rows),
            "failed_critical": counts.get(CRITICAL, 0),
            "failed_warning": counts.get(WARNING, 0),
            "failed_info": counts.get("info", 0),
            "failures": [f.describe() for f in self.failures[:20]],
            "seconds": round(self.seconds, 1),
        }


def run_layer(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    layer: str,
    *,
    run_id: str,
    as_of: dt.date,
    raise_on_critical: bool = True,
    tables: Sequence[str] | None = None,
) -> GateResult:
    """Validate the current Delta versions of a layer's tables and store every result.

    Args:
        layer: ``bronze``, ``silver``, ``identity`` or ``gold`` (the gold staging tables).
        run_id: the pipeline run; rerunning the same run and layer replaces its results.
        as_of: the run's business date (rules such as "no event in the future" are relative to it).
        raise_on_critical: raise :class:`QualityGateError` when a critical expectation failed.
        tables: only these tables (by Delta table name); all of the layer's by default.

    Raises:
        QualityGateError: a critical expectation failed (after every result was stored).
    """
    started = time.perf_counter()
    suites = layer_suites(layer, settings.quality, as_of)
    if tables is not None:
        known = sorted({s.table for s in suites})
        unknown = sorted(set(tables) - set(known))
        if unknown:
            raise UserFacingError(f"Layer {layer} has no table(s) {unknown}; its tables: {', '.join(known)}.")
        suites = [s for s in suites if s.table in tables]
    from great_expectations.core.run_identifier import RunIdentifier

    from quality.docs import gx_context

    context = gx_context(settings)
    validated_at = dt.datetime.now(dt.UTC)
    # One at a time: Great Expectations' file-backed project is not safe to use from several threads.
    source = context.data_sources.add_or_update_spark(name="spark", persist=False)
    run = RunIdentifier(run_name=run_id, run_time=validated_at)
    result = GateResult(layer=layer, run_id=run_id, as_of=as_of)
    with progress() as bar:
        task = bar.add_task(f"Quality gate {layer}", total=len(suites))
        for suite in suites:
            bar.update(task, description=f"Quality gate {layer}: {suite.name}")
            if suite.frame:
                frame = frames.derived_frame(lake, suite.frame, settings.quality, as_of)
            else:
                frame = frames.table_frame(lake, suite.table)
            if frame is None:
                result.rows.append(_missing_row(suite))
            else:
                # Great Expectations runs about ten Spark jobs per table; cached, they scan memory
                # instead of reading and converting the Delta files again each time.
                frame.df.persist()
                try:
                    outcome = _checkpoint(context, source, suite).run(
                        batch_parameters={"dataframe": frame.df}, run_id=run
                    )
                finally:
                    frame.df.unpersist()
                validation = next(iter(outcome.run_results.values()))
                result.versions.setdefault(frame.table, frame.version)
                rows = _rows(suite, validation)
                result.rows += [dict(r, delta_version=frame.version, table_name=frame.table) for r in rows]
            bar.advance(task)
    for row in result.rows:
        row.update(run_id=run_id, layer=layer, as_of=as_of, validated_at=validated_at)
    store_results(spark, lake, result.rows, run_id=run_id, layer=layer, tables=tables)
    result.seconds = time.perf_counter() - started
    log.debug("Quality gate %s for run %s: %s", layer, run_id, json.dumps(result.to_dict()))
    if raise_on_critical and not result.passed:
        raise QualityGateError(gate_message(settings, result))
    return result


def _checkpoint(context: Any, source: Any, suite: Suite) -> Any:
    """The suite's checkpoint, saved in the project with its expectation suite and batch definition."""
    import great_expectations as gx

    # A stored definition may point at an asset of an earlier run that no longer exists, which Great
    # Expectations cannot even load to replace; they are rebuilt every run, so the old files go first.
    root = Path(context.root_directory)
    for folder in ("validation_definitions", "checkpoints"):
        (root / folder / f"{suite.name}.json").unlink(missing_ok=True)
    asset = source.add_dataframe_asset(name=suite.name)
    batch = asset.add_batch_definition_whole_dataframe(name="current")
    gx_suite = context.suites.add_or_update(suite.to_gx())
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    return context.checkpoints.add(
        gx.Checkpoint(name=suite.name, validation_definitions=[definition], result_format=RESULT_FORMAT)
    )


def gate_message(settings: Settings, result: GateResult) -> str:
    """What failed, where the details are and how to see the report."""
    failures = result.critical_failures
    listed = "; ".join(f.describe() for f in failures[:5])
    more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
    report = settings.paths.reports / "run_report.html"
    return (
        f"Quality gate '{result.layer}' failed for run {result.run_id}: {len(failures)} critical "
        f"expectation(s) failed: {listed}{more}. Every result is in the quality_results table; run "
        f"`cdp report --run-id {result.run_id}` and open {report} (Data Docs: "
        f"{settings.paths.reports / 'data_docs' / 'index.html'})."
    )


def passed(lake: Lake, run_id: str, layer: str) -> bool:
    """True when the run's layer was validated and no critical expectation failed."""
    import pyarrow.compute as pc

    table = frames.arrow(lake, QUALITY_RESULTS.name, ["run_id", "layer", "severity", "success"])
    if table is None:
        return False
    mine = table.filter(pc.and_(pc.equal(table["run_id"], run_id), pc.equal(table["layer"], layer)))
    if mine.num_rows == 0:
        return False
    critical = mine.filter(pc.equal(mine["severity"], CRITICAL))
    return bool(pc.all(critical["success"]).as_py()) if critical.num_rows else True


def store_results(
    spark: SparkSession,
    lake: Lake,
    rows: list[dict[str, Any]],
    *,
    run_id: str,
    layer: str,
    tables: Sequence[str] | None = None,
) -> int:
    """Replace the run and layer's rows of ``quality_results`` (only those of ``tables`` when given) with
    ``rows``; returns the table version."""
    schema = QUALITY_RESULTS.spark_schema
    lake.create(
        QUALITY_RESULTS.name, schema, partition_by=QUALITY_RESULTS.partition_by,
        description=QUALITY_RESULTS.description,
    )  # fmt: skip
    data = [tuple(row.get(name) for name in schema.fieldNames()) for row in rows]
    df = spark.createDataFrame(data, schema)
    meta = {"run_id": run_id, "layer": layer}
    where: dict[str, Any] = {"run_id": run_id, "layer": layer}
    if tables is not None:
        where["table_name"] = sorted({r["table_name"] for r in rows} | set(tables))
    return lake.overwrite(QUALITY_RESULTS.name, df, where=where, metadata=meta)


def _missing_row(suite: Suite) -> dict[str, Any]:
    what = "its input tables do not" if suite.frame else "the table does not"
    return {
        "table_name": suite.table,
        "delta_version": None,
        "suite": suite.name,
        "expectation": "expect_table_to_exist",
        "rule": "table_exists",
        "column_name": None,
        "severity": suite.missing_severity,
        "success": False,
        "observed_value": None,
        "element_count": None,
        "unexpected_count": None,
        "unexpected_percent": None,
        "error": f"Not validated: {what} exist yet; run the step that produces it.",
        "description": "The table exists.",
    }


def _rows(suite: Suite, validation: Any) -> list[dict[str, Any]]:
    """One result row per check of the suite."""
    personal = set(suite.declared.pii_columns) if suite.declared else set()
    checks = {c.key: c for c in suite.checks}
    rows = []
    for r in validation.results:
        meta = r.expectation_config.meta or {}
        rows.append(_row(checks[(meta["rule"], meta.get("column") or "")], r, suite, personal))
    return rows


def _row(check: Check, r: Any, suite: Suite, personal: set[str]) -> dict[str, Any]:
    res = r.result or {}
    columns = set((check.column or "").split(","))
    observed = None
    if check.expectation in AGGREGATES and not (columns & personal):
        observed = _text(res.get("observed_value"))
    error = _exception(r.exception_info or {})
    unexpected = _int(res.get("unexpected_count"))
    if check.expectation == NONE_WHERE and isinstance(res.get("observed_value"), int):
        unexpected = res["observed_value"]  # the rows matching a "no row where" rule
    return {
        "suite": suite.name,
        "expectation": r.expectation_config.type,
        "rule": check.rule,
        "column_name": check.column,
        "severity": check.severity,
        "success": bool(r.success),
        "observed_value": observed,
        "element_count": _int(res.get("element_count")),
        "unexpected_count": unexpected,
        "unexpected_percent": _float(res.get("unexpected_percent")),
        "error": redact(error)[:500] if error else None,
        "description": check.description or None,
    }


def _exception(info: dict[str, Any]) -> str | None:
    # Two shapes: flat, or keyed by metric id.
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info["raised_exception"] else None
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def redact(text: str) -> str:
    """``text`` with quoted literals, emails and long digit runs masked (Spark quotes offending values)."""
    text = _QUOTED.sub("'…'", text)
    text = _EMAIL.sub("<email>", text)
    return _NUMBER.sub("<number>", text)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text[:500]


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
