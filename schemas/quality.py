"""Quality tables: every expectation result of every quality gate run."""

from __future__ import annotations

from schemas.core import BOOLEAN, DATE, DOUBLE, LONG, STRING, TIMESTAMP, Column, TableSchema

SEVERITIES = ("critical", "warning", "info")
QUALITY_LAYERS = ("bronze", "silver", "identity", "gold")

QUALITY_RESULTS = TableSchema(
    name="quality_results",
    layer="ops",
    description=(
        "One row per expectation evaluated by a quality gate run, with its severity and outcome. Only "
        "aggregates are stored (counts, shares, types, sizes): never a value taken from a row."
    ),
    columns=(
        Column("run_id", STRING, "Pipeline run the gate belongs to.", required=True),
        Column("layer", STRING, "Gate: the layer validated.", required=True, allowed=QUALITY_LAYERS),
        Column("table_name", STRING, "Delta table validated.", required=True),
        Column("delta_version", LONG, "Version of the table that was validated.", min_value=0),
        Column("suite", STRING, "Expectation suite.", required=True),
        Column(
            "expectation",
            STRING,
            "Expectation type, e.g. expect_column_values_to_not_be_null.",
            required=True,
        ),
        Column(
            "rule",
            STRING,
            "What the expectation checks, e.g. not_null or refund_not_above_total.",
            required=True,
        ),
        Column("column_name", STRING, "Column or columns checked (comma separated); null for table checks."),
        Column(
            "severity",
            STRING,
            "critical blocks publishing; warning is reported.",
            required=True,
            allowed=SEVERITIES,
        ),
        Column("success", BOOLEAN, "The expectation held.", required=True),
        Column("observed_value", STRING, "Aggregate observed (a count, share, type or size), as text."),
        Column("element_count", LONG, "Rows the expectation looked at.", min_value=0),
        Column("unexpected_count", LONG, "Rows that broke it.", min_value=0),
        Column(
            "unexpected_percent",
            DOUBLE,
            "Share of non-null rows that broke it, in percent.",
            min_value=0,
            max_value=100,
        ),
        Column("error", STRING, "Why the expectation could not be evaluated (values redacted)."),
        Column("description", STRING, "The rule in words, for people."),
        Column("as_of", DATE, "Business date of the run.", required=True),
        Column("validated_at", TIMESTAMP, "When the gate ran.", required=True),
    ),
    primary_key=("run_id", "layer", "table_name", "suite", "rule", "column_name"),
    partition_by=("layer",),
    produced_by="quality.gates",
)

QUALITY_TABLES = (QUALITY_RESULTS,)
