"""Expectation suites generated from the table declarations in ``schemas/``, plus hand-written rules.

Every :class:`~schemas.core.TableSchema` yields one suite: column types (instants must be UTC
``TimestampType``), non-null required columns, unique keys, allowed values, numeric and date ranges, text
lengths, formats (email, E.164, record keys, ...) and row-count bounds. Business rules that a declaration
cannot say (refunds not above the order, no event after the run date, NPS class matching the score, ...)
are added by table name, and the identity layer gets suites over derived frames (cluster sizes, id
tombstones, record assignment, merge and split rates; see ``quality.frames``).

Suites are plain data (:class:`Suite` of :class:`Check`), so they can be listed and tested without Spark;
:meth:`Suite.to_gx` turns one into a Great Expectations suite. Each check carries a severity: ``critical``
fails the gate and blocks publishing, ``warning`` is reported. ``quality.severity_overrides`` changes the
severity of any rule by ``"table.rule"`` pattern.

Raw values never leave the lake through these suites: aggregate expectations (max, mean, quantiles) are
only used on non-personal columns, and results are read with ``partial_unexpected_count`` 0.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pyspark.sql import types as T

from infra.settings import QualitySettings
from schemas.bronze import BRONZE_TABLES, INGEST_MANIFEST, QUARANTINE
from schemas.core import Column, TableSchema
from schemas.gold import GOLD_TABLES, staging_name
from schemas.identity import (
    CUSTOMER_IDS,
    IDENTITY_CHANGES,
    IDENTITY_EVALUATION,
    IDENTITY_GRAPH,
    IDENTITY_PAIRS,
    IDENTITY_RUNS,
    WITHHELD_IDENTIFIERS,
)
from schemas.quality import QUALITY_LAYERS
from schemas.silver import PERSON_RECORDS, SILVER_TABLES

NONE_WHERE = "ExpectTableRowCountToEqual"
CRITICAL = "critical"
WARNING = "warning"
INFO = "info"

# Formats as typed by people (bronze keeps the source's values): surrounding blanks and any case allowed.
RAW_FORMATS = {
    "email": r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$",
    "url": r"^\s*https?://\S+\s*$",
}
# Formats of standardised values (silver and later): exact.
FORMATS = {
    "email": r"^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$",
    "e164": r"^\+[1-9][0-9]{6,14}$",
    "record_key": r"^[a-z][a-z0-9_]*:.+$",
    "country_code": r"^[A-Z]{2}$",
    "currency": r"^[A-Z]{3}$",
    "card_number": r"^[0-9]{6,19}$",
    "url": r"^https?://\S+$",
}
# Tables that may legitimately hold no rows.
MAY_BE_EMPTY = frozenset(
    {QUARANTINE.name, IDENTITY_CHANGES.name, IDENTITY_PAIRS.name, WITHHELD_IDENTIFIERS.name}
)


@dataclass(frozen=True)
class Check:
    """One expectation of a suite, before it becomes a Great Expectations object.

    Attributes:
        rule: what is checked, unique per column within a suite (``not_null``, ``format:email``, ...).
        expectation: the Great Expectations class name, e.g. ``ExpectColumnValuesToNotBeNull``.
        kwargs: the expectation's arguments (column, bounds, value set, query ...).
        severity: ``critical``, ``warning`` or ``info``.
        column: the column (or comma-separated columns) checked; None for table-level checks.
        description: the rule in words, for people reading the reports.
        custom: a hand-written rule; the Data Docs show its description instead of the generated text.
    """

    rule: str
    expectation: str
    kwargs: Mapping[str, Any]
    severity: str = CRITICAL
    column: str | None = None
    description: str = ""
    custom: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the check within its suite."""
        return (self.rule, self.column or "")


@dataclass(frozen=True)
class Suite:
    """The checks of one validated frame: a Delta table, or a frame derived from one (``frame``)."""

    name: str
    layer: str
    table: str
    checks: tuple[Check, ...]
    frame: str | None = None
    missing_severity: str = CRITICAL
    declared: TableSchema | None = field(default=None, compare=False)

    def check(self, rule: str, column: str | None = None) -> Check:
        """The check of ``rule`` (on ``column``)."""
        for c in self.checks:
            if c.key == (rule, column or ""):
                return c
        raise KeyError(f"Suite {self.name} has no rule {rule!r} on column {column!r}")

    def to_gx(self) -> Any:
        """The suite as a ``great_expectations.ExpectationSuite`` (not yet added to a context)."""
        import great_expectations as gx
        import great_expectations.expectations as gxe

        expectations = []
        for c in self.checks:
            cls = getattr(gxe, c.expectation)
            extra: dict[str, Any] = {"description": c.description} if c.custom else {}
            expectations.append(
                cls(**c.kwargs, severity=c.severity, meta={"rule": c.rule, "column": c.column}, **extra)
            )
        return gx.ExpectationSuite(name=self.name, expectations=expectations)


def layer_suites(layer: str, quality: QualitySettings, as_of: dt.date) -> list[Suite]:
    """Every suite of a quality gate layer (bronze, silver, identity or gold) for the run of ``as_of``."""
    if layer == "bronze":
        # A feed not delivered yet has no bronze table: worth a warning, not a stop.
        suites = [table_suite(t, layer, quality, as_of, missing_severity=WARNING) for t in BRONZE_TABLES]
        suites += [table_suite(t, layer, quality, as_of) for t in (QUARANTINE, INGEST_MANIFEST)]
        suites += derived_suites(layer, quality)
    elif layer == "silver":
        suites = [table_suite(t, layer, quality, as_of) for t in SILVER_TABLES]
    elif layer == "identity":
        tables = (IDENTITY_GRAPH, CUSTOMER_IDS, IDENTITY_CHANGES, IDENTITY_PAIRS, WITHHELD_IDENTIFIERS)
        suites = [table_suite(t, layer, quality, as_of) for t in (*tables, IDENTITY_RUNS)]
        # Evaluation needs the generator's truth, which real deployments do not have.
        suites.append(table_suite(IDENTITY_EVALUATION, layer, quality, as_of, missing_severity=INFO))
        suites += derived_suites(layer, quality)
    elif layer == "gold":
        suites = [table_suite(t, layer, quality, as_of, table_name=staging_name(t.name)) for t in GOLD_TABLES]
    else:
        raise ValueError(f"Unknown quality layer {layer!r}; layers: {', '.join(QUALITY_LAYERS)}")
    return [_with_overrides(s, quality.severity_overrides) for s in suites]


def table_suite(
    table: TableSchema,
    layer: str,
    quality: QualitySettings,
    as_of: dt.date,
    *,
    missing_severity: str = CRITICAL,
    table_name: str | None = None,
) -> Suite:
    """The suite of one declared table: generated checks, then the table's business rules.

    Args:
        layer: the gate layer; bronze values are raw (formats and allowed values are checked with
            tolerances), later layers are standardised (checked exactly).
        table_name: the Delta table validated, when it differs from the declaration's (gold staging).
        missing_severity: the severity of the table not existing at all.
    """
    name = table_name or table.name
    raw = layer == "bronze"
    checks = [
        Check(
            "columns",
            "ExpectTableColumnsToMatchSet",
            {"column_set": table.column_names, "exact_match": True},
            description="The table has exactly the declared columns.",
        ),
        Check(
            "row_count",
            "ExpectTableRowCountToBeBetween",
            {"min_value": 0 if name in MAY_BE_EMPTY else quality.min_rows, "max_value": quality.max_rows},
            description="The table's row count is within bounds.",
        ),
    ]
    key = table.primary_key
    for column in table.columns:
        checks += column_checks(column, raw=raw, key=column.name in key, quality=quality)
    if len(key) == 1:
        checks.append(Check("unique_key", "ExpectColumnValuesToBeUnique", {"column": key[0]}, column=key[0]))
    elif key:
        checks.append(
            Check(
                "unique_key",
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": list(key)},
                column=",".join(key),
            )
        )
    checks += temporal_rules(table, layer, quality, as_of)
    checks += business_rules(table, quality, as_of)
    return Suite(
        name=f"{layer}.{name}", layer=layer, table=name, checks=tuple(checks),
        missing_severity=missing_severity,
        declared=table,
    )  # fmt: skip


def column_checks(column: Column, *, raw: bool, key: bool, quality: QualitySettings) -> list[Check]:
    """The checks a column declaration implies; ``raw`` for values as received (bronze)."""
    name = column.name
    type_name = type(column.dtype).__name__
    is_instant = isinstance(column.dtype, T.TimestampType)
    checks = [
        Check(
            "timestamp_utc" if is_instant else "type",
            "ExpectColumnValuesToBeOfType",
            {"column": name, "type_": type_name},
            column=name,
            description=(
                "An instant stored in UTC (TimestampType)." if is_instant else f"Values are {type_name}."
            ),
        )
    ]
    if column.required or key:
        checks.append(Check("not_null", "ExpectColumnValuesToNotBeNull", {"column": name}, column=name))
    if column.allowed:
        values = list(column.allowed)
        checks += _tiered("allowed", "ExpectColumnValuesToBeInSet", {"column": name, "value_set": values},
                          name, raw, quality)  # fmt: skip
    if column.min_value is not None or column.max_value is not None:
        bounds = {"min_value": column.min_value, "max_value": column.max_value}
        checks.append(
            Check("range", "ExpectColumnValuesToBeBetween", {"column": name, **bounds}, column=name)
        )
    if column.min_date is not None and isinstance(column.dtype, T.DateType):
        checks.append(
            Check(
                "min_date",
                "ExpectColumnValuesToBeBetween",
                {"column": name, "min_value": column.min_date},
                column=name,
            )
        )
    patterns = RAW_FORMATS if raw else FORMATS
    if column.fmt in patterns and isinstance(column.dtype, T.StringType):
        kwargs = {"column": name, "regex": patterns[column.fmt]}
        checks += _tiered(
            f"format:{column.fmt}", "ExpectColumnValuesToMatchRegex", kwargs, name, raw, quality
        )
    return checks


def _tiered(
    rule: str, expectation: str, kwargs: dict[str, Any], column: str, raw: bool, quality: QualitySettings
) -> list[Check]:
    """Raw values: a warning above the warn share of bad values, critical above the broken share.
    Standardised values: any bad value is critical (standardisation should have caught it)."""
    if not raw:
        return [Check(rule, expectation, kwargs, column=column)]
    return [
        Check(
            rule,
            expectation,
            {**kwargs, "mostly": round(1 - quality.invalid_warn_share, 6)},
            WARNING,
            column,
            f"At most {quality.invalid_warn_share:.0%} of values break the rule.",
        ),
        Check(
            f"{rule}:broken",
            expectation,
            {**kwargs, "mostly": round(1 - quality.invalid_critical_share, 6)},
            CRITICAL,
            column,
            f"The column is broken when more than {quality.invalid_critical_share:.0%} of values break it.",
        ),
    ]


def none_where(
    rule: str, condition: str, description: str, severity: str = CRITICAL, column: str | None = None
) -> Check:
    """A hand-written rule: no row matches the Spark SQL ``condition``.

    Expressed as a row count of 0 under a row condition rather than as an unexpected-rows query, whose
    shared temporary view would make concurrent validations on one Spark session race.
    """
    kwargs = {"value": 0, "row_condition": condition, "condition_parser": "spark"}
    return Check(rule, NONE_WHERE, kwargs, severity, column, description, custom=True)


def rule(
    rule: str,
    expectation: str,
    kwargs: Mapping[str, Any],
    description: str,
    severity: str = CRITICAL,
    column: str | None = None,
) -> Check:
    """A hand-written rule expressed by a built-in expectation."""
    return Check(rule, expectation, kwargs, severity, column, description, custom=True)


def _sql_date(day: dt.date) -> str:
    return f"DATE'{day.isoformat()}'"


def temporal_rules(table: TableSchema, layer: str, quality: QualitySettings, as_of: dt.date) -> list[Check]:
    """No event in the future: bronze relative to each row's batch, later layers to the run's as-of date."""
    if layer == "identity":
        return []  # identity tables hold processing times (when a run changed a row), not events
    names = set(table.column_names)
    conditions: dict[str, str] = {}
    for column in table.columns:
        if not isinstance(column.dtype, T.DateType | T.TimestampType | T.TimestampNTZType):
            continue
        col = f"`{column.name}`"
        if layer == "bronze":
            if column.future_days is None or "batch_date" not in names:
                continue
            # Instants are compared by their UTC day; a day of slack covers zones ahead of UTC.
            slack = column.future_days + (0 if isinstance(column.dtype, T.DateType) else 1)
            conditions[column.name] = f"to_date({col}) > date_add(batch_date, {slack})"
        elif not column.pii and column.name not in ("batch_date", "as_of"):  # birth dates have own bounds
            limit = as_of + dt.timedelta(days=quality.future_tolerance_days)
            conditions[column.name] = f"to_date({col}) > {_sql_date(limit)}"
    if not conditions:
        return []
    # One rule per table: each row condition costs a Spark job of its own.
    condition = " OR ".join(f"({c})" for c in conditions.values())
    if layer == "bronze":
        what = "No date lies after the batch it arrived in (by more than the contract allows)."
    elif "batch_date" in names or "as_of" in names:
        # Rows of batches after the run date are left out, so a backfill does not trip on later data.
        own = "batch_date" if "batch_date" in names else "as_of"
        condition = f"({condition}) AND {own} <= {_sql_date(as_of)}"
        what = f"No event lies after the run date {as_of} (+{quality.future_tolerance_days} day)."
    else:
        return []  # no way to tell rows of later runs apart
    return [none_where("not_future", condition, what, column=",".join(conditions))]


def business_rules(table: TableSchema, quality: QualitySettings, as_of: dt.date) -> list[Check]:
    """Rules written by hand for particular tables."""
    name = table.name
    checks: list[Check] = []
    if name in ("bronze_orders_online", "bronze_orders_pos", "silver_orders"):
        checks.append(
            rule(
                "refund_not_above_total",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "total_amount",
                    "column_B": "refund_amount",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "A refund is never larger than its order.",
                column="total_amount,refund_amount",
            )
        )
    if name == "silver_orders":
        checks.append(
            rule(
                "net_not_negative",
                "ExpectColumnValuesToBeBetween",
                {"column": "net_amount", "min_value": 0},
                "Order amounts after refunds are not negative.",
                column="net_amount",
            )
        )
    if name == "silver_nps_responses":
        pairs = [(s, "promoter" if s >= 9 else "passive" if s >= 7 else "detractor") for s in range(11)]
        checks.append(
            rule(
                "nps_class_matches_score",
                "ExpectColumnPairValuesToBeInSet",
                {"column_A": "score", "column_B": "nps_class", "value_pairs_set": pairs},
                "The NPS class follows the 0-10 score: promoter 9-10, passive 7-8, detractor 0-6.",
                column="score,nps_class",
            )
        )
    if name == INGEST_MANIFEST.name:
        checks.append(
            none_where(
                "rows_balance",
                "rows_in <> rows_bronze + rows_quarantined",
                "Every landing row is in bronze or in quarantine: rows in = bronze + quarantined.",
            )
        )
    if name == QUARANTINE.name:
        checks.append(
            none_where(
                "reasons_given", "size(reasons) = 0", "Every quarantined row says why.", column="reasons"
            )
        )
    if name == IDENTITY_PAIRS.name:
        checks.append(
            rule(
                "pair_ordered",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": "record_key_r", "column_B": "record_key_l", "or_equal": False},
                "Each pair is stored once, its smaller record key first.",
                column="record_key_r,record_key_l",
            )
        )
    if name == CUSTOMER_IDS.name:
        checks.append(
            none_where(
                "merged_has_survivor",
                "status = 'merged' AND merged_into IS NULL",
                "A merged id names the id its records went to.",
                column="merged_into",
            )
        )
    if name == "customer_profile":
        checks.append(
            rule(
                "built_for_run_date",
                "ExpectColumnValuesToBeBetween",
                {"column": "as_of", "min_value": as_of.isoformat(), "max_value": as_of.isoformat()},
                "Every profile was computed for the run's as-of date.",
                column="as_of",
            )
        )
        checks.append(
            rule(
                "order_dates_ordered",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "last_order_date",
                    "column_B": "first_order_date",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "The last order is not before the first.",
                column="last_order_date,first_order_date",
            )
        )
    return checks


# Frames derived from a layer's tables (built by ``quality.frames``): name -> (layer, source table).
DERIVED_FRAMES = {
    "quarantine_share": ("bronze", INGEST_MANIFEST.name),
    "clusters": ("identity", IDENTITY_GRAPH.name),
    "tombstones": ("identity", CUSTOMER_IDS.name),
    "assignment": ("identity", PERSON_RECORDS.name),
    "rates": ("identity", IDENTITY_RUNS.name),
}


def derived_suites(layer: str, quality: QualitySettings) -> list[Suite]:
    """Suites over frames derived from a layer's tables: quarantine shares per feed; the shape and
    stability of the identity clusters."""
    checks = {
        "quarantine_share": _quarantine_checks(quality),
        "clusters": _cluster_checks(quality),
        "tombstones": (
            rule(
                "registered",
                "ExpectColumnValuesToNotBeNull",
                {"column": "status"},
                "Every customer id in the identity graph is registered in customer_ids.",
                column="status",
            ),
            none_where(
                "no_silent_disappearance",
                "status = 'active' AND records IS NULL",
                "No customer id disappears without a tombstone: every active id still holds records.",
                column="customer_id",
            ),
            none_where(
                "retired_without_records",
                "status <> 'active' AND records IS NOT NULL",
                "A merged or erased id holds no records any more.",
                column="customer_id",
            ),
        ),
        "assignment": (
            rule(
                "one_customer_id",
                "ExpectColumnValuesToBeBetween",
                {"column": "customer_ids", "min_value": 1, "max_value": 1},
                "Every person record has exactly one customer id.",
                column="customer_ids",
            ),
            rule(
                "graph_record_in_silver",
                "ExpectColumnValuesToNotBeNull",
                {"column": "in_silver"},
                "Every record of the identity graph is still a person record in silver.",
                WARNING,
                "in_silver",
            ),
        ),
        "rates": (
            rule(
                "merge_rate",
                "ExpectColumnMaxToBeBetween",
                {"column": "merge_rate", "min_value": 0, "max_value": quality.max_merge_rate},
                f"Ids merged by the latest resolution are at most {quality.max_merge_rate:.0%} of the "
                "previous run's customers.",
                WARNING,
                "merge_rate",
            ),
            rule(
                "split_rate",
                "ExpectColumnMaxToBeBetween",
                {"column": "split_rate", "min_value": 0, "max_value": quality.max_split_rate},
                f"Ids split by the latest resolution are at most {quality.max_split_rate:.0%} of the "
                "previous run's customers.",
                WARNING,
                "split_rate",
            ),
        ),
    }
    return [
        Suite(
            name=f"{layer}.{table}.{frame}",
            layer=layer,
            table=table,
            checks=tuple(checks[frame]),
            frame=frame,
        )
        for frame, (frame_layer, table) in DERIVED_FRAMES.items()
        if frame_layer == layer
    ]


def _quarantine_checks(quality: QualitySettings) -> tuple[Check, ...]:
    days = quality.quarantine_window_days
    return tuple(
        rule(
            name,
            "ExpectColumnMaxToBeBetween",
            {"column": "quarantine_share", "min_value": 0, "max_value": share},
            f"No feed had more than {share:.0%} of its rows quarantined in the {days} days up to the "
            "run date.",
            severity,
            "quarantine_share",
        )
        for name, share, severity in (
            ("quarantine_share", quality.quarantine_warn_share, WARNING),
            ("quarantine_share:broken", quality.quarantine_critical_share, CRITICAL),
        )
    )


def _cluster_checks(quality: QualitySettings) -> tuple[Check, ...]:
    limit = quality.max_cluster_size
    low, high = quality.min_singleton_share, quality.max_singleton_share
    return (
        rule(
            "largest_cluster",
            "ExpectColumnMaxToBeBetween",
            {"column": "records", "min_value": 1, "max_value": limit},
            f"No customer holds more than {limit} records.",
            column="records",
        ),
        rule(
            "singleton_share",
            "ExpectColumnMeanToBeBetween",
            {"column": "is_singleton", "min_value": low, "max_value": high},
            f"Between {low:.0%} and {high:.0%} of customers have a single record.",
            WARNING,
            "is_singleton",
        ),
        rule(
            "median_cluster_size",
            "ExpectColumnMedianToBeBetween",
            {"column": "records", "min_value": 1, "max_value": limit},
            "The median number of records per customer lies within the size limit.",
            WARNING,
            "records",
        ),
        none_where(
            "cluster_size_consistent",
            "NOT stated_size_ok",
            "Each record's cluster_size in the identity graph is the number of records of its customer.",
            column="records",
        ),
    )


def _with_overrides(suite: Suite, overrides: Mapping[str, str]) -> Suite:
    if not overrides:
        return suite
    checks = tuple(_override(suite.table, c, overrides) for c in suite.checks)
    return replace(suite, checks=checks)


def _override(table: str, check: Check, overrides: Mapping[str, str]) -> Check:
    severity = check.severity
    for pattern, value in overrides.items():
        if fnmatch.fnmatchcase(f"{table}.{check.rule}", pattern):
            severity = value
    return replace(check, severity=severity) if severity != check.severity else check


def describe(suites: Iterable[Suite]) -> list[dict[str, Any]]:
    """The checks of ``suites`` as rows (suite, table, rule, column, severity, expectation), for listings."""
    return [
        {
            "suite": s.name,
            "table": s.table,
            "rule": c.rule,
            "column": c.column,
            "severity": c.severity,
            "expectation": c.expectation,
        }
        for s in suites
        for c in s.checks
    ]
