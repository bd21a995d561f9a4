"""The daily DAG on a real Spark standalone cluster equals the same DAG in local mode, row for row.

A master and two workers start on 127.0.0.1 (``infra.cluster``), ``airflow dags test cdp_daily`` runs
against them with nothing but ``CDP_SPARK__MASTER`` changed, and the gold and identity tables are compared
with those of a local run on a copy of the same generated home. A third run resolves identities with
Splink's Spark back end on the cluster; its accuracy must be within 0.005 pairwise F1 of DuckDB's. The
cluster is stopped whatever happens, and no worker or executor process may outlive it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.cluster import Cluster, standalone_cluster
from tests.dags.conftest import airflow_env

pytestmark = pytest.mark.slow

PEOPLE = 150
DAYS = 10
START = dt.date(2024, 1, 1)
AS_OF = START + dt.timedelta(days=DAYS - 1)
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
CDP = str(Path(sys.executable).with_name("cdp"))
# Every table a downstream tool reads, with the columns that say only when or by which run a row was written.
COMPARED = {
    "customer_profile": ("run_id",),
    "customer_lifecycle_history": ("run_id",),
    "identity_graph": ("run_id", "updated_at"),
    "customer_ids": ("created_at", "created_run", "retired_at", "retired_run"),
    "identity_changes": ("run_id", "changed_at"),
}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator import GeneratorConfig, generate

    home = tmp_path_factory.mktemp("cluster_source") / "cdp_home"
    generate(GeneratorConfig(people=PEOPLE, days=DAYS, start=START, seed=11, workers=1), home)
    return home


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with standalone_cluster(tmp_path_factory.mktemp("cluster"), workers=2, cores=1, memory="2g") as running:
        yield running


def run_daily(root: Path, source: Path, **settings: str) -> Path:
    """A copy of ``source`` through ``airflow dags test cdp_daily``; returns the CDP home."""
    shutil.copytree(source, root / "cdp_home")
    env = {**os.environ, **airflow_env(root / "airflow_home", root / "cdp_home", **settings)}
    (root / "airflow_home").mkdir()
    subprocess.run([AIRFLOW, "db", "migrate"], capture_output=True, env=env, timeout=600, check=True)
    done = subprocess.run(
        [AIRFLOW, "dags", "test", "cdp_daily", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return root / "cdp_home"


def on_cluster(cluster: Cluster, **settings: str) -> dict[str, str]:
    return {
        "CDP_SPARK__MASTER": cluster.master_url,
        # Two workers of one core: a second application must not wait for the first one's cores.
        "CDP_SPARK__CONF": json.dumps({"spark.executor.memory": "1g", "spark.cores.max": "2"}),
        **settings,
    }


def applications(cluster: Cluster) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{cluster.web_url}/json/", timeout=10) as answer:  # noqa: S310 - loopback
        state = json.load(answer)
    return [*state.get("activeapps", []), *state.get("completedapps", [])]


def table_rows(home: Path, table: str, ignored: tuple[str, ...]) -> list[tuple[Any, ...]]:
    from deltalake import DeltaTable

    data = DeltaTable(str(home / "lake" / table)).to_pyarrow_table()
    columns = [c for c in data.column_names if c not in ignored]
    return sorted(tuple(json.dumps(v, sort_keys=True, default=str) for v in row.values())
                  for row in data.select(columns).to_pylist())  # fmt: skip


def pairwise_f1(home: Path) -> float:
    env = {**os.environ, "CDP_HOME": str(home), "CDP_CONFIG": "", "CDP_SPARK__MASTER": "local[2]"}
    done = subprocess.run([CDP, "identity", "evaluate"], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    from deltalake import DeltaTable

    rows = DeltaTable(str(home / "lake" / "identity_evaluation")).to_pyarrow_table().to_pylist()
    return float(next(r["value"] for r in rows if r["metric"] == "pairwise_f1"))


def test_the_daily_dag_on_a_cluster_equals_a_local_run(
    tmp_path: Path, source: Path, cluster: Cluster
) -> None:
    local = run_daily(tmp_path / "local", source)
    clustered = run_daily(tmp_path / "cluster", source, **on_cluster(cluster))
    apps = applications(cluster)
    assert apps, "no application ran on the cluster"
    for table, ignored in COMPARED.items():
        expected = table_rows(local, table, ignored)
        assert expected, table
        assert table_rows(clustered, table, ignored) == expected, table


def test_splink_on_spark_on_the_cluster_matches_duckdb(tmp_path: Path, source: Path, cluster: Cluster) -> None:
    duckdb_home = run_daily(tmp_path / "duckdb", source)
    spark_home = run_daily(tmp_path / "spark", source, **on_cluster(cluster, CDP_SPLINK_BACKEND="spark"))
    duckdb_f1, spark_f1 = pairwise_f1(duckdb_home), pairwise_f1(spark_home)
    assert duckdb_f1 > 0.9
    assert abs(spark_f1 - duckdb_f1) <= 0.005, (spark_f1, duckdb_f1)
