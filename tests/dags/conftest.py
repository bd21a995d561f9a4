"""Airflow test environment: a private AIRFLOW_HOME and CDP_HOME, this project's DAGs, no examples.

Airflow reads its configuration once, on first import, so the environment is set before any test of this
folder imports it; subprocesses get the same variables from :func:`airflow_env`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_ENV

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"


def airflow_env(airflow_home: Path, cdp_home: Path, **extra: str) -> dict[str, str]:
    """Environment variables for Airflow and the pipeline steps it runs."""
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "CDP_HOME": str(cdp_home),
        "CDP_CONFIG": "",  # never a developer's own settings file
        **TEST_ENV,
        **extra,
    }


def parse_dags(env: dict[str, str]) -> Any:
    """A DagBag of the project's DAG folder, parsed with the ``CDP_*`` variables of ``env``."""
    from airflow.models import DagBag

    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if name.startswith("CDP_"):
                patch.setenv(name, value)
        return DagBag(dag_folder=str(DAGS_FOLDER))


@pytest.fixture(scope="session")
def airflow_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of the DAG tests; returns it.

    Only Airflow's own variables are set in this process (for the whole session, since Airflow reads its
    configuration once); the ``CDP_*`` ones are set just while DAG files are parsed (:func:`parse_dags`),
    so no other test sees them.
    """
    root = tmp_path_factory.mktemp("airflow")
    env = airflow_env(root / "airflow_home", root / "cdp_home")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if name.startswith("AIRFLOW"):
                patch.setenv(name, value)
        yield env


@pytest.fixture(scope="session")
def dagbag(airflow_homes: dict[str, str]) -> Any:
    return parse_dags(airflow_homes)
