"""Record failed pipeline tasks in the ``pipeline_failures`` table, for the run report.

Called from the orchestrator's failure callback, so it must never make things worse: it writes one row,
shortens and masks the message, and logs instead of raising when anything goes wrong.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from infra.runs import runtime
from infra.settings import Settings
from schemas.ops import PIPELINE_FAILURES

log = logging.getLogger(__name__)

MAX_MESSAGE = 2000
_EMAIL = re.compile(r"[^\s@'\"<>]+@[^\s@'\"<>]+\.[^\s@'\"<>]+")
_NUMBER = re.compile(r"\+?\d[\d \-]{7,}\d")


def record_failure(
    settings: Settings,
    *,
    dag_id: str,
    task_id: str,
    run_id: str,
    as_of: dt.date | None,
    try_number: int,
    error: BaseException | str,
) -> None:
    """Append one row to ``pipeline_failures``; never raises (a failure to record is logged)."""
    try:
        if isinstance(error, BaseException):
            error_type, message = type(error).__name__, str(error)
        else:
            error_type, message = "Error", str(error)
        row = (
            dag_id, task_id, run_id, as_of, int(try_number), error_type, mask(message),
            dt.datetime.now(dt.UTC),
        )  # fmt: skip
        spark, lake = runtime(settings).spark, runtime(settings).lake
        schema = PIPELINE_FAILURES.spark_schema
        lake.create(PIPELINE_FAILURES.name, schema, description=PIPELINE_FAILURES.description)
        lake.append(PIPELINE_FAILURES.name, spark.createDataFrame([row], schema), metadata={"run_id": run_id})
    except Exception as exc:  # noqa: BLE001 - a failure callback must not fail the callback chain
        log.warning(
            "Could not record the failure of %s.%s (run %s): %s: %s",
            dag_id,
            task_id,
            run_id,
            type(exc).__name__,
            exc,
        )


def mask(message: str) -> str:
    """The message shortened, with emails and long digit runs (phones, cards) masked."""
    message = _EMAIL.sub("<email>", message)
    message = _NUMBER.sub("<number>", message)
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
