"""The DAG files: they load, stay light to parse, retry every task, and wire the steps in order."""

from __future__ import annotations

import ast
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pendulum
import pytest

from tests.dags.conftest import DAGS_FOLDER, airflow_env, parse_dags

DAILY_UPSTREAM = {
    "channels": set(),
    "ingest": {"channels"},
    "check_bronze": {"ingest"},
    "standardise": {"check_bronze"},
    "check_silver": {"standardise"},
    "resolve_identities": {"check_silver"},
    "check_identity": {"resolve_identities"},
    "build_profiles": {"check_identity"},
    "check_gold": {"build_profiles"},
    "publish": {"check_gold"},
}
TRAINING_UPSTREAM = {"train": set(), "evaluate": {"train"}, "promote": {"evaluate", "train"}}
DAG_IDS = ["cdp_daily", "cdp_identity_training", "cdp_maintenance"]
HEAVY = ("pyspark", "py4j", "splink", "great_expectations", "duckdb", "pandas", "deltalake", "delta")
# The DAGs import the step functions (``jobs.steps``), whose own imports wait inside each step.
PROJECT_STEPS = ("identity", "quality", "schemas", "generator", "normalise")


def test_dags_load_without_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == set(DAG_IDS)


def test_parsing_imports_nothing_heavy(tmp_path: Path) -> None:
    """Parsing the DAG folder (what the dag processor does every few minutes) stays on Airflow and stdlib."""
    script = f"""
import json, sys
from airflow.models import DagBag
before = set(sys.modules)
bag = DagBag(dag_folder={str(DAGS_FOLDER)!r})
loaded = sorted(set(sys.modules) - before)
print(json.dumps({{"errors": sorted(bag.import_errors), "dags": sorted(bag.dags), "loaded": loaded}}))
"""
    env = airflow_env(tmp_path / "airflow_home", tmp_path / "cdp_home")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["dags"] == sorted(DAG_IDS)
    top_level = {name.split(".")[0] for name in report["loaded"]}
    assert top_level.isdisjoint(HEAVY), sorted(top_level & set(HEAVY))
    assert top_level.isdisjoint(PROJECT_STEPS), sorted(top_level & set(PROJECT_STEPS))
    assert {name for name in report["loaded"] if name.startswith("jobs")} == {"jobs", "jobs.steps"}
    assert "dags.common" in report["loaded"]


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_every_task_retries_with_exponential_backoff(dagbag: Any, dag_id: str) -> None:
    from dags.common import record_failure

    dag = dagbag.dags[dag_id]
    assert dag.tasks
    for task in dag.tasks:
        assert task.retries == 3, task.task_id
        assert task.retry_delay == dt.timedelta(seconds=60), task.task_id
        assert float(task.retry_exponential_backoff) == 2.0, task.task_id
        assert task.max_retry_delay == dt.timedelta(seconds=1800), task.task_id
        assert task.owner == "data-platform", task.task_id
        assert record_failure in _callbacks(task.on_failure_callback), task.task_id


def test_retries_follow_the_settings(airflow_homes: dict[str, str]) -> None:
    env = {
        **airflow_homes,
        "CDP_AIRFLOW__RETRIES": "5",
        "CDP_AIRFLOW__RETRY_DELAY_SECONDS": "2",
        "CDP_AIRFLOW__OWNER": "crm-team",
    }
    bag = parse_dags(env)
    assert bag.import_errors == {}
    for task in bag.dags["cdp_daily"].tasks:
        assert (task.retries, task.retry_delay, task.owner) == (5, dt.timedelta(seconds=2), "crm-team")


def test_invalid_settings_show_as_an_import_error(airflow_homes: dict[str, str]) -> None:
    bag = parse_dags({**airflow_homes, "CDP_AIRFLOW__RETRIES": "many"})
    assert set(bag.import_errors) == {str(DAGS_FOLDER / f"{dag_id}.py") for dag_id in DAG_IDS}
    assert all("airflow.retries" in error for error in bag.import_errors.values())


def test_daily_dag_wiring(dagbag: Any) -> None:
    dag = dagbag.dags["cdp_daily"]
    assert {t.task_id: set(t.upstream_task_ids) for t in dag.tasks} == DAILY_UPSTREAM
    ingest = dag.task_dict["ingest"]
    assert type(ingest).__name__.endswith("MappedOperator")  # one task instance per channel
    # Mapped ingest tasks share the quarantine and manifest tables, so they run one at a time.
    assert ingest.max_active_tis_per_dag == 1
    assert dag.max_active_runs == 1


def test_publish_updates_the_assets(dagbag: Any, airflow_homes: dict[str, str]) -> None:
    dag = dagbag.dags["cdp_daily"]
    outlets = {asset.name: asset.uri for asset in dag.task_dict["publish"].outlets}
    lake = Path(airflow_homes["CDP_HOME"]) / "lake"
    assert outlets == {name: (lake / name).as_uri() for name in ("customer_profile", "identity_graph")}
    assert [t.task_id for t in dag.tasks if t.outlets] == ["publish"]


def test_training_dag_wiring(dagbag: Any) -> None:
    dag = dagbag.dags["cdp_identity_training"]
    assert {t.task_id: set(t.upstream_task_ids) for t in dag.tasks} == TRAINING_UPSTREAM
    assert type(dag.task_dict["evaluate"]).__name__ == "_ShortCircuitDecoratedOperator"
    assert dag.max_active_runs == 1


def test_maintenance_dag_runs_weekly_on_its_setting(dagbag: Any) -> None:
    dag = dagbag.dags["cdp_maintenance"]
    assert [t.task_id for t in dag.tasks] == ["maintain"]
    assert dag.max_active_runs == 1
    assert dag.timetable.expression == "0 3 * * 6"


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_dag_settings(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.catchup is False
    assert "cdp" in dag.tags and len(dag.tags) >= 2
    module = ast.parse((DAGS_FOLDER / f"{dag_id}.py").read_text(encoding="utf-8"))
    assert dag.doc_md == ast.get_docstring(module, clean=False)
    assert dag.doc_md.startswith(f"# {dag_id}\n")
    assert dag.start_date == pendulum.datetime(2024, 1, 1, tz="UTC")


def test_daily_runs_take_the_day_that_just_ended(dagbag: Any) -> None:
    """The run that starts at midnight has the previous day as its logical date."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction

    timetable = coerce_to_core_timetable(dagbag.dags["cdp_daily"].timetable)
    last = DataInterval(pendulum.datetime(2024, 3, 4, tz="UTC"), pendulum.datetime(2024, 3, 5, tz="UTC"))
    following = timetable.next_dagrun_info(
        last_automated_data_interval=last, restriction=TimeRestriction(None, None, catchup=True)
    )
    assert following.logical_date == pendulum.datetime(2024, 3, 5, tz="UTC")
    assert following.run_after == pendulum.datetime(2024, 3, 6, tz="UTC")
    # Without catchup the next run is the latest complete day, still one day before it starts.
    latest = timetable.next_dagrun_info(
        last_automated_data_interval=last, restriction=TimeRestriction(None, None, catchup=False)
    )
    assert latest.logical_date > following.logical_date
    assert latest.run_after - latest.logical_date == dt.timedelta(days=1)


def _callbacks(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


@pytest.mark.parametrize(
    ("zone", "logical", "expected"),
    [
        ("UTC", pendulum.datetime(2024, 3, 5, tz="UTC"), dt.date(2024, 3, 5)),
        # A run scheduled at midnight Shanghai time starts at 16:00 UTC the day before.
        ("Asia/Shanghai", pendulum.datetime(2024, 3, 4, 16, tz="UTC"), dt.date(2024, 3, 5)),
    ],
)
def test_business_date_is_the_logical_date_in_the_business_time_zone(
    zone: str, logical: pendulum.DateTime, expected: dt.date
) -> None:
    from dags.common import business_date
    from tests.conftest import make_settings

    settings = make_settings(Path("/tmp/unused"), CDP_TIMEZONE=zone)
    day = business_date({"logical_date": logical}, settings)
    assert day == expected and type(day) is dt.date


def test_business_date_without_a_logical_date_uses_run_after() -> None:
    from types import SimpleNamespace

    from dags.common import business_date
    from tests.conftest import make_settings

    run = SimpleNamespace(run_after=pendulum.datetime(2024, 6, 1, 2, tz="UTC"))
    context = {"logical_date": None, "dag_run": run}
    assert business_date(context, make_settings(Path("/tmp/unused"))) == dt.date(2024, 6, 1)


def test_only_errors_a_retry_cannot_fix_are_final() -> None:
    from dags.common import is_final
    from infra.errors import UserFacingError
    from quality.gates import QualityGateError

    assert is_final(QualityGateError("bronze: critical expectation failed"))
    assert is_final(UserFacingError("a landing file changed"))
    assert not is_final(OSError("connection reset"))
    assert not is_final(RuntimeError("executor lost"))
