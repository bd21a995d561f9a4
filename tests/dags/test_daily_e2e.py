"""``airflow dags test cdp_daily <date>`` end to end on a small generated data set (the slow one).

One Airflow home and one CDP home are shared by the module: a first run ingests the whole generated
history and publishes, a second run of the same date must leave every gold table at its version, and a run
of the next day whose batch breaks a critical quality rule (on a copy of both homes) must stop before
publishing and leave gold as it was.

Then the same DAG runs on a real Spark standalone cluster: a master and two workers start on 127.0.0.1
(``infra.cluster``), ``airflow dags test cdp_daily`` runs against them on the same generated landing files
with nothing but ``CDP_SPARK__MASTER`` changed (so delta-spark writes in the executors there), and its gold
and identity tables must equal the local run's, row for row. The cluster's home then resolves its
identities again from scratch with Splink's Spark back end on the cluster (same records, same model): its
pairwise F1 must be within 0.005 of DuckDB's. The cluster is stopped whatever happens, and no worker or
executor process may outlive it.
Spark, Delta, Great Expectations and Splink run for real in the ``airflow`` subprocess.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.cluster import Cluster, standalone_cluster
from tests.dags.conftest import airflow_env

pytestmark = pytest.mark.slow

PEOPLE = 150
DAYS = 10  # the first days without email engagement or NPS rows would leave their silver tables missing
START = dt.date(2024, 1, 1)
AS_OF = START + dt.timedelta(days=DAYS - 1)  # the last generated day
NEXT_DAY = AS_OF + dt.timedelta(days=1)
GOLD = ("customer_profile", "customer_lifecycle_history", "identity_graph", "identity_changes")
LAYERS = {"bronze", "silver", "identity", "gold"}
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


@dataclass
class Homes:
    """An Airflow home and a CDP home that belong together, and the environment naming them."""

    airflow: Path
    cdp: Path
    env: dict[str, str]

    def copy(self, target: Path) -> Homes:
        shutil.copytree(self.airflow, target / "airflow_home")
        shutil.copytree(self.cdp, target / "cdp_home")
        return make_homes(target)


def make_homes(root: Path) -> Homes:
    # One retry after a second: enough to see that critical failures are not retried, no long waits.
    env = airflow_env(
        root / "airflow_home",
        root / "cdp_home",
        CDP_AIRFLOW__RETRIES="1",
        CDP_AIRFLOW__RETRY_DELAY_SECONDS="1",
    )
    return Homes(root / "airflow_home", root / "cdp_home", {**os.environ, **env})


@dataclass
class RunResult:
    """What one ``airflow dags test`` left behind."""

    returncode: int
    output: str
    run_id: str
    states: dict[str, str]
    tries: dict[str, int]
    asset_events: list[tuple[str, dict[str, Any]]]


def dags_test(homes: Homes, day: dt.date) -> RunResult:
    done = subprocess.run(
        [AIRFLOW, "dags", "test", "cdp_daily", day.isoformat()],
        capture_output=True,
        text=True,
        env=homes.env,
        timeout=1500,
        check=False,
    )
    with sqlite3.connect(homes.airflow / "airflow.db") as db:
        (run_id,) = db.execute(
            "select run_id from dag_run where dag_id = 'cdp_daily' and date(logical_date) = ?",
            (day.isoformat(),),
        ).fetchone()
        rows = db.execute(
            "select task_id, map_index, state, try_number from task_instance where run_id = ?", (run_id,)
        ).fetchall()
        events = db.execute(
            "select a.name, e.extra from asset_event e join asset a on a.id = e.asset_id "
            "where e.source_run_id = ?",
            (run_id,),
        ).fetchall()
    states = {(t if m < 0 else f"{t}[{m}]"): s for t, m, s, _ in rows}
    tries = {(t if m < 0 else f"{t}[{m}]"): n for t, m, _, n in rows}
    parsed = [(name, json.loads(extra) if extra else {}) for name, extra in events]
    return RunResult(done.returncode, done.stdout + done.stderr, run_id, states, tries, parsed)


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homes]:
    from generator import GeneratorConfig, generate

    homes = make_homes(tmp_path_factory.mktemp("daily_e2e"))
    generate(GeneratorConfig(people=PEOPLE, days=DAYS, start=START, seed=11, workers=1), homes.cdp)
    homes.airflow.mkdir(parents=True)
    subprocess.run(
        [AIRFLOW, "db", "migrate"], capture_output=True, text=True, env=homes.env, timeout=600, check=True
    )
    yield homes


@pytest.fixture(scope="module")
def first_run(homes: Homes) -> RunResult:
    return dags_test(homes, AS_OF)


def lake_of(spark: Any, homes: Homes) -> Any:
    from infra.storage import Lake
    from tests.conftest import make_settings

    return Lake.from_settings(spark, make_settings(homes.cdp))


def gold_versions(lake: Any) -> dict[str, int]:
    return {table: lake.version(table) for table in GOLD}


def count(lake: Any, table: str) -> int:
    return int(lake.read_arrow(table).num_rows)


def rows(lake: Any, table: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    return lake.read_arrow(table, columns).to_pylist()


def test_first_run_publishes_every_layer(first_run: RunResult, homes: Homes, spark: Any) -> None:
    from jobs.bronze.landing_files import discover

    assert first_run.returncode == 0, first_run.output[-5000:]
    assert set(first_run.states.values()) == {"success"}, first_run.states
    assert sum(1 for task in first_run.states if task.startswith("ingest[")) == 8
    lake = lake_of(spark, homes)

    # Every landing row of every batch is in bronze or in quarantine.
    files = discover(homes.cdp / "landing")
    assert len({f.batch_date for f in files}) == DAYS
    due = {f.relative_path: f.rows for f in files}
    manifest = rows(lake, "ingest_manifest", ["source_file", "rows_in", "rows_bronze", "rows_quarantined"])
    assert {r["source_file"]: r["rows_in"] for r in manifest} == due
    assert all(r["rows_in"] == r["rows_bronze"] + r["rows_quarantined"] for r in manifest)
    bronze = sum(count(lake, t.name) for t in lake.tables() if t.name.startswith("bronze_"))
    assert bronze + count(lake, "quarantine") == sum(due.values())

    # Every silver person record has one customer, and every customer one profile as of the run date.
    records = count(lake, "silver_person_records")
    graph = rows(lake, "identity_graph", ["record_key", "customer_id"])
    assert records and len(graph) == records
    assert len({r["record_key"] for r in graph}) == records
    customers = {r["customer_id"] for r in graph}
    profiles = rows(lake, "customer_profile", ["customer_id", "as_of", "source_records"])
    assert {r["as_of"] for r in profiles} == {AS_OF}
    assert len(profiles) == len(customers)
    assert {r["customer_id"] for r in profiles} == customers
    assert sum(r["source_records"] for r in profiles) == records
    assert count(lake, "customer_lifecycle_history") > 0

    # The quality results of the run cover the four layers, with no critical failure.
    results = [r for r in rows(lake, "quality_results") if r["run_id"] == first_run.run_id]
    assert {r["layer"] for r in results} == LAYERS
    for layer in LAYERS:
        assert sum(1 for r in results if r["layer"] == layer) >= 5, layer
    assert all(r["success"] for r in results if r["severity"] == "critical")

    # publish emitted one event per Asset, carrying the business date.
    assert sorted(name for name, _ in first_run.asset_events) == ["customer_profile", "identity_graph"]
    assert all(extra["as_of"] == AS_OF.isoformat() for _, extra in first_run.asset_events)


def test_rerunning_a_date_changes_no_gold_table(first_run: RunResult, homes: Homes, spark: Any) -> None:
    assert first_run.returncode == 0, first_run.output[-5000:]
    lake = lake_of(spark, homes)
    before = gold_versions(lake)
    profiles_before = sorted(
        json.dumps(r, default=str, sort_keys=True) for r in rows(lake, "customer_profile")
    )

    rerun = dags_test(homes, AS_OF)

    assert rerun.returncode == 0, rerun.output[-5000:]
    assert set(rerun.states.values()) == {"success"}, rerun.states
    assert rerun.run_id != first_run.run_id
    assert gold_versions(lake) == before
    assert sorted(json.dumps(r, default=str, sort_keys=True) for r in rows(lake, "customer_profile")) == (
        profiles_before
    )
    results = [r for r in rows(lake, "quality_results") if r["run_id"] == rerun.run_id]
    assert {r["layer"] for r in results} == LAYERS


def test_critical_quality_failure_stops_before_publish(
    first_run: RunResult, homes: Homes, tmp_path: Path, spark: Any
) -> None:
    assert first_run.returncode == 0, first_run.output[-5000:]
    copy = homes.copy(tmp_path)
    # The next day's batch holds one web order whose refund exceeds its total: a critical bronze rule.
    (template,) = (copy.cdp / "landing" / "orders" / AS_OF.isoformat()).glob("online-*.jsonl")
    order = json.loads(template.read_text(encoding="utf-8").splitlines()[0])
    order.update(
        order_id="SO0000000001",
        ordered_at=f"{NEXT_DAY.isoformat()}T10:00:00+08:00",
        status="refunded",
        refund_amount=round(float(order["total_amount"]) + 100, 2),
    )
    batch = copy.cdp / "landing" / "orders" / NEXT_DAY.isoformat()
    batch.mkdir()
    (batch / f"online-{NEXT_DAY.isoformat()}.jsonl").write_text(json.dumps(order) + "\n", encoding="utf-8")
    lake = lake_of(spark, copy)
    before = gold_versions(lake)

    failed = dags_test(copy, NEXT_DAY)

    assert failed.returncode == 1, failed.output[-5000:]
    assert failed.states["check_bronze"] == "failed"
    assert failed.tries["check_bronze"] == 1  # failed for good at once, despite retries=1
    after = ("standardise", "check_silver", "resolve_identities", "check_identity", "build_profiles")
    assert all(failed.states[task] == "upstream_failed" for task in (*after, "check_gold", "publish"))
    assert "refund_not_above_total" in failed.output
    assert gold_versions(lake) == before
    assert failed.asset_events == []

    results = [r for r in rows(lake, "quality_results") if r["run_id"] == failed.run_id]
    broken = [r for r in results if r["severity"] == "critical" and not r["success"]]
    assert [(r["layer"], r["table_name"], r["rule"]) for r in broken] == [
        ("bronze", "bronze_orders_online", "refund_not_above_total")
    ]
    failures = [r for r in rows(lake, "pipeline_failures") if r["run_id"] == failed.run_id]
    assert [(r["dag_id"], r["task_id"]) for r in failures] == [("cdp_daily", "check_bronze")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with standalone_cluster(tmp_path_factory.mktemp("cluster"), workers=2, cores=1, memory="2g") as running:
        yield running


def on_cluster(cluster: Cluster, **settings: str) -> dict[str, str]:
    return {
        "CDP_SPARK__MASTER": cluster.master_url,
        # Two workers of one core and 2 GB: executors of 1 GB, and never more cores than the cluster has.
        "CDP_SPARK__CONF": json.dumps({"spark.executor.memory": "1g", "spark.cores.max": "2"}),
        **settings,
    }


@pytest.fixture(scope="module")
def cluster_run(
    first_run: RunResult, homes: Homes, cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Homes:
    """The same landing files through the DAG on the cluster, in homes of their own."""
    root = tmp_path_factory.mktemp("on_cluster")
    for folder in ("landing", "truth"):
        shutil.copytree(homes.cdp / folder, root / "cdp_home" / folder)
    env = airflow_env(root / "airflow_home", root / "cdp_home", **on_cluster(cluster))
    clustered = Homes(root / "airflow_home", root / "cdp_home", {**os.environ, **env})
    clustered.airflow.mkdir(parents=True)
    subprocess.run(
        [AIRFLOW, "db", "migrate"], capture_output=True, text=True, env=clustered.env, timeout=600, check=True
    )
    result = dags_test(clustered, AS_OF)
    assert result.returncode == 0, result.output[-5000:]
    return clustered


def table_rows(home: Path, table: str, ignored: tuple[str, ...]) -> list[tuple[str, ...]]:
    from deltalake import DeltaTable

    data = DeltaTable(str(home / "lake" / table)).to_pyarrow_table()
    columns = [c for c in data.column_names if c not in ignored]
    return sorted(tuple(json.dumps(v, sort_keys=True, default=str) for v in row.values())
                  for row in data.select(columns).to_pylist())  # fmt: skip


def pairwise_f1(home: Path) -> float:
    env = {**os.environ, "CDP_HOME": str(home), "CDP_CONFIG": "", "CDP_SPARK__MASTER": "local[2]"}
    done = subprocess.run(
        [CDP, "identity", "evaluate"], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    from deltalake import DeltaTable

    evaluation = DeltaTable(str(home / "lake" / "identity_evaluation")).to_pyarrow_table().to_pylist()
    return float(next(r["value"] for r in evaluation if r["metric"] == "pairwise_f1"))


def test_the_daily_dag_on_a_cluster_equals_the_local_run(
    homes: Homes, cluster: Cluster, cluster_run: Homes
) -> None:
    with urllib.request.urlopen(f"{cluster.web_url}/json/", timeout=10) as answer:
        state = json.load(answer)
    assert [*state.get("activeapps", []), *state.get("completedapps", [])], "nothing ran on the cluster"
    for table, ignored in COMPARED.items():
        expected = table_rows(homes.cdp, table, ignored)
        assert expected, table
        assert table_rows(cluster_run.cdp, table, ignored) == expected, table


def test_splink_on_spark_on_the_cluster_matches_duckdb(
    tmp_path: Path, cluster: Cluster, cluster_run: Homes
) -> None:
    spark_home = tmp_path / "cdp_home"
    shutil.copytree(cluster_run.cdp, spark_home)
    env = {
        **os.environ, "CDP_HOME": str(spark_home), "CDP_CONFIG": "",
        **on_cluster(cluster, CDP_SPLINK_BACKEND="spark"),
    }  # fmt: skip
    done = subprocess.run(
        [CDP, "identity", "resolve", "--full-rebuild", "--no-charts", "--as-of", AS_OF.isoformat()],
        capture_output=True, text=True, env=env, timeout=1800, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    duckdb_f1, spark_f1 = pairwise_f1(cluster_run.cdp), pairwise_f1(spark_home)
    assert duckdb_f1 > 0.9
    assert abs(spark_f1 - duckdb_f1) <= 0.005, (spark_f1, duckdb_f1)
