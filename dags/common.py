"""What the DAG files share: default arguments, schedules, the business date of a run, the step runner and
the failure callback.

Only the standard library, Airflow's task SDK, pendulum, ``infra`` and ``jobs.steps`` (whose heavy imports
wait inside each step) are imported here: DAG files are parsed often, so Spark, Splink and Great
Expectations load only inside the tasks, where :func:`run_step` calls the pipeline steps.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, CronTriggerTimetable, get_current_context
from airflow.sdk.exceptions import AirflowFailException

from infra.runs import StepReport
from infra.settings import Settings, load_settings

log = logging.getLogger(__name__)


def settings() -> Settings:
    """The platform settings, read from ``CDP_HOME`` / ``CDP_CONFIG`` / ``CDP_*`` like the CLI does."""
    return load_settings()


def default_args(settings: Settings) -> dict[str, Any]:
    """Owner, retries with exponential backoff, and the failure callback, for every task of a DAG."""
    conf = settings.airflow
    return {
        "owner": conf.owner,
        "retries": conf.retries,
        "retry_delay": dt.timedelta(seconds=conf.retry_delay_seconds),
        "retry_exponential_backoff": conf.retry_backoff,
        "max_retry_delay": dt.timedelta(seconds=conf.max_retry_delay_seconds),
        "on_failure_callback": record_failure,
    }


def start_date(settings: Settings) -> pendulum.DateTime:
    """The first logical date of the DAGs, at midnight in the business time zone."""
    day = dt.date.fromisoformat(settings.airflow.start_date)
    return pendulum.datetime(day.year, day.month, day.day, tz=settings.timezone)


def daily_timetable(settings: Settings) -> CronDataIntervalTimetable:
    """Runs on ``airflow.daily_schedule`` for the interval that just ended, whose start is the logical date.

    A data-interval timetable (rather than Airflow 3's default trigger timetable) makes the run that
    starts on day D+1 carry D as its logical date: the batch it processes is complete by then.
    """
    return CronDataIntervalTimetable(settings.airflow.daily_schedule, timezone=settings.timezone)


def training_timetable(settings: Settings) -> CronTriggerTimetable:
    """Runs on ``airflow.training_schedule``; training has no batch, so no data interval either."""
    return cron_timetable(settings.airflow.training_schedule, settings)


def cron_timetable(cron: str, settings: Settings) -> CronTriggerTimetable:
    """Runs on ``cron`` in the business time zone, for work that has no batch (training, maintenance)."""
    return CronTriggerTimetable(cron, timezone=settings.timezone)


def asset(settings: Settings, table: str) -> Asset:
    """The Airflow Asset of a published lake table: named after the table, its URI the table's folder."""
    return Asset(name=table, uri=(settings.paths.lake / table).resolve().as_uri(), group="cdp")


def business_date(context: Mapping[str, Any], settings: Settings) -> dt.date:
    """The batch a run processes: its logical date, as a calendar date in the business time zone.

    Runs without a logical date (triggered without one, or by an Asset) take the date they were
    queued for (``run_after``).
    """
    moment = context.get("logical_date") or context["dag_run"].run_after
    local = pendulum.instance(moment).in_timezone(settings.timezone)
    # A plain date: Spark rejects pendulum's date subclass.
    return dt.date(local.year, local.month, local.day)


def run_step(step: Callable[..., StepReport], *, batch: bool = True, **kwargs: Any) -> dict[str, Any]:
    """Call a step of ``jobs.steps`` with fresh settings inside a running task; returns its report's data.

    With ``batch`` the run's business date and run id are passed as ``as_of`` and ``run_id``; the run id
    is Airflow's, so every task of a run (and every retry) writes under the same id. Errors that another
    try cannot fix (a failed critical quality check, bad input or configuration) fail the task at once
    instead of being retried.
    """
    context = get_current_context()
    current = settings()
    if batch:
        kwargs = {"as_of": business_date(context, current), "run_id": context["run_id"], **kwargs}
    try:
        return step(current, **kwargs).to_dict()
    except Exception as exc:
        if is_final(exc):
            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc
        raise


def is_final(exc: BaseException) -> bool:
    """True for errors that a retry would only repeat."""
    from infra.errors import UserFacingError

    if isinstance(exc, UserFacingError):
        return True
    try:
        from quality.gates import QualityGateError
    except ImportError:
        return False
    return isinstance(exc, QualityGateError)


def label_map_index(value: str) -> None:
    """Show ``value`` instead of the number of a mapped task instance (see ``map_index_template``)."""
    get_current_context()["map_label"] = value  # type: ignore[typeddict-unknown-key]


MAP_INDEX_TEMPLATE = "{{ map_label }}"


def set_asset_extra(assets: list[Asset], extra: dict[str, Any]) -> None:
    """Attach ``extra`` (as-of date, run id, versions) to the Asset events a publishing task emits."""
    events = get_current_context()["outlet_events"]
    for item in assets:
        events[item].extra = extra


def record_failure(context: Mapping[str, Any]) -> None:
    """Task failure callback: write the failure to ``pipeline_failures``, where the run report shows it.

    Called once a task has failed for good (after its last retry). It never raises: a failure to record
    is logged and must not hide the task's own error.
    """
    ti = context["ti"]
    try:
        from quality.failures import record_failure as record

        current = settings()
        error = context.get("exception") or "The task failed without an exception (e.g. it was killed)."
        # The step's own error is more useful in the report than the wrapper that stopped the retries.
        if isinstance(error, AirflowFailException) and error.__cause__ is not None:
            error = error.__cause__
        map_index = getattr(ti, "map_index", -1)
        label = getattr(ti, "rendered_map_index", None) or (str(map_index) if map_index >= 0 else None)
        record(
            current,
            dag_id=ti.dag_id,
            task_id=f"{ti.task_id}[{label}]" if label else ti.task_id,
            run_id=context["run_id"],
            as_of=business_date(context, current),
            try_number=ti.try_number,
            error=error,
        )
    except Exception:
        log.exception("The failure of task %s could not be recorded", getattr(ti, "task_id", "?"))
