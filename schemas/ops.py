"""Operations tables: what went wrong in pipeline runs."""

from __future__ import annotations

from schemas.core import DATE, INT, STRING, TIMESTAMP, Column, TableSchema

PIPELINE_FAILURES = TableSchema(
    name="pipeline_failures",
    layer="ops",
    description="One row per failed pipeline task try, written by the orchestrator's failure callback.",
    columns=(
        Column("dag_id", STRING, "Pipeline (DAG) that failed.", required=True),
        Column("task_id", STRING, "Task that failed.", required=True),
        Column("run_id", STRING, "Pipeline run.", required=True),
        Column("as_of", DATE, "Business date of the run, when known."),
        Column("try_number", INT, "Which try of the task failed.", required=True, min_value=0),
        Column("error_type", STRING, "Exception class, e.g. QualityGateError.", required=True),
        Column("message", STRING, "Error message, shortened, with emails and long numbers masked."),
        Column("failed_at", TIMESTAMP, "When the failure was recorded (UTC).", required=True),
    ),
    primary_key=("dag_id", "task_id", "run_id", "try_number"),
    produced_by="quality.failures",
)

OPS_TABLES = (PIPELINE_FAILURES,)
