"""A real Spark standalone cluster on loopback: it runs a job on two executors and leaves nothing behind.

The job runs in a subprocess: the test session's own local SparkSession (the ``spark`` fixture) stays
untouched, and a driver process can only ever join one cluster.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from infra.cluster import (
    STATE_FILE,
    Cluster,
    ClusterError,
    Daemon,
    main,
    standalone_cluster,
    start,
    status,
    stop,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

# Runs the job, writes what it saw to a file, then keeps the application (and so its executors) alive
# until it is ended, so that stopping the cluster is tested with executors and Python workers running.
DRIVER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from pyspark.sql import SparkSession

    master_url, out = sys.argv[1], Path(sys.argv[2])
    spark = (
        SparkSession.builder.master(master_url)
        .appName("cluster-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "1g")
        .config("spark.executor.memory", "512m")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    sc = spark.sparkContext
    deadline = time.monotonic() + 90
    while sc._jsc.sc().getExecutorMemoryStatus().size() < 3 and time.monotonic() < deadline:
        time.sleep(0.5)

    def probe(rows):
        import os, sys
        yield sum(rows), os.getpid(), os.getppid(), sys.prefix

    parts = sc.parallelize(range(1000), 4).mapPartitions(probe).collect()
    result = {
        "total": sum(part[0] for part in parts),
        "python_pids": sorted({pid for part in parts for pid in part[1:3]}),
        "prefixes": sorted({part[3] for part in parts}),
        "executors": sc._jsc.sc().getExecutorMemoryStatus().size(),
    }
    (out.with_suffix(".tmp")).write_text(json.dumps(result))
    (out.with_suffix(".tmp")).replace(out)
    time.sleep(300)
    """
)


def _live(pids: list[int] | tuple[int, ...]) -> list[int]:
    """The pids still running (zombies waiting for a parent to reap them count as gone)."""
    out = subprocess.run(["ps", "-A", "-o", "pid=,stat="], capture_output=True, text=True, check=True).stdout
    running = {int(pid) for pid, state in (line.split() for line in out.splitlines()) if state[0] != "Z"}
    return [pid for pid in pids if pid in running]


def _running_commands() -> list[str]:
    """The command lines of all running processes (zombies left out)."""
    out = subprocess.run(
        ["ps", "-A", "-ww", "-o", "stat=,args="], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split(None, 1) for line in out.splitlines()]
    return [row[1] for row in rows if len(row) == 2 and not row[0].startswith("Z")]


def _processes_of(cluster: Cluster) -> list[str]:
    """Command lines of running processes of the cluster: by its work folder (on the daemons' and the
    executors' command lines) or its ports (the daemons' ``--port``, the executors' ``--worker-url``)."""
    marks = [str(cluster.work_dir), f"--port {cluster.master.port}"]
    marks += [f"--port {worker.port}" for worker in cluster.workers]
    marks += [f"spark://Worker@127.0.0.1:{worker.port}" for worker in cluster.workers]
    return [line for line in _running_commands() if any(mark in line for mark in marks)]


def _master_json(cluster: Cluster) -> dict:
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{cluster.web_url}/json/", timeout=10) as response:
        return json.load(response)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """End a driver started in a process group of its own, and its JVM with it."""

    def members() -> bool:
        out = subprocess.run(["ps", "-A", "-o", "pgid=,stat="], capture_output=True, text=True, check=True)
        rows = (line.split() for line in out.stdout.splitlines())
        return any(int(pgid) == process.pid and not state.startswith("Z") for pgid, state in rows)

    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + 30
        while (process.poll() is None or members()) and time.monotonic() < deadline:
            time.sleep(0.2)
        if process.poll() is not None and not members():
            return


def _write_stale_state(home: Path, master_pid: int, *worker_pids: int) -> Path:
    """The state file of a long-gone cluster, with the given pids (now dead, or reused by others)."""
    log_dir = home / "logs" / "spark-cluster"
    log_dir.mkdir(parents=True, exist_ok=True)
    work_dir = home / "work" / "spark-cluster"
    stale = Cluster(
        master_url="spark://127.0.0.1:1",
        web_url="http://127.0.0.1:2",
        master=Daemon("master", master_pid, 1, 2, log_dir / "master.log"),
        workers=tuple(
            Daemon(f"worker-{n}", pid, 10 + n, 20 + n, log_dir / f"worker-{n}.log")
            for n, pid in enumerate(worker_pids, 1)
        ),
        log_dir=log_dir,
        work_dir=work_dir,
        cores=1,
        memory="1g",
        properties_file=work_dir / "cluster-stale.conf",
        started_at="2024-01-01T00:00:00+00:00",
    )
    state_file = log_dir / STATE_FILE
    state_file.write_text(json.dumps(stale.to_json()))
    return state_file


def test_a_job_runs_on_two_executors_and_stopping_leaves_no_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stranger = subprocess.Popen(["sleep", "120"])
    try:
        # A state file of a long-gone cluster whose master pid now belongs to another process.
        state_file = _write_stale_state(home, stranger.pid)
        log_dir = state_file.parent
        assert status(home) is None

        result_file = tmp_path / "result.json"
        driver: subprocess.Popen[bytes] | None = None
        started = time.monotonic()
        with standalone_cluster(home, workers=2, cores=1, memory="1g") as cluster:
            assert _live([stranger.pid]) == [stranger.pid], "a stale state's pid of another process was ended"
            assert cluster.master_url == f"spark://127.0.0.1:{cluster.master.port}"
            assert status(home) == cluster
            assert json.loads(state_file.read_text())["master_url"] == cluster.master_url
            assert {path.name for path in log_dir.glob("*.log")} == {
                "master.log",
                "worker-1.log",
                "worker-2.log",
            }
            assert sorted(p.name for p in (home / "work" / "spark-cluster").glob("worker-*")) == [
                "worker-1",
                "worker-2",
            ]
            with pytest.raises(ClusterError, match="already running"):
                start(home, workers=1)
            print(f"cluster up in {time.monotonic() - started:.1f} s")

            env = {key: value for key, value in os.environ.items() if key != "PYSPARK_PYTHON"}
            env["SPARK_LOCAL_IP"] = "127.0.0.1"
            driver_log = tmp_path / "driver.log"
            with driver_log.open("wb") as log:
                driver = subprocess.Popen(
                    [sys.executable, "-c", DRIVER, cluster.master_url, str(result_file)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=tmp_path,
                    start_new_session=True,
                )
            try:
                deadline = time.monotonic() + 240
                while not result_file.exists():
                    tail = driver_log.read_text(errors="replace")[-3000:]
                    assert driver.poll() is None, f"the driver exited with {driver.returncode}:\n{tail}"
                    assert time.monotonic() < deadline, f"no result from the driver in 240 s:\n{tail}"
                    time.sleep(0.5)
                result = json.loads(result_file.read_text())
                print(f"job done {time.monotonic() - started:.1f} s after the start")

                assert result["total"] == sum(range(1000))
                assert result["executors"] == 3, "the driver and two executors"
                # Executors run Python from this interpreter's environment (the .venv), not the system's.
                assert result["prefixes"] == [sys.prefix]
                apps = _master_json(cluster)["activeapps"]
                assert [(app["name"], app["cores"]) for app in apps] == [("cluster-test", 2)]
                running = _processes_of(cluster)
                assert sum("CoarseGrainedExecutorBackend" in line for line in running) == 2, running
                assert _live(result["python_pids"])

                assert stop(home) is True
            finally:
                if driver is not None:
                    _end_group(driver)

        assert _live(cluster.pids) == []
        assert _live(result["python_pids"]) == [], "Python workers of the executors outlived the cluster"
        assert _processes_of(cluster) == []
        assert status(home) is None
        assert not state_file.exists()
        assert stop(home) is False, "stopping twice"
        assert _live([stranger.pid]) == [stranger.pid]
    finally:
        stranger.kill()
        stranger.wait()
        stop(home)


def test_a_stale_or_broken_state_file_is_cleaned_up_without_touching_other_processes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stranger = subprocess.Popen(["sleep", "120"])
    gone = subprocess.Popen(["true"])
    gone.wait()
    try:
        state_file = _write_stale_state(home, gone.pid, stranger.pid)
        assert status(home) is None
        assert stop(home) is False
        assert not state_file.exists()
        assert _live([stranger.pid]) == [stranger.pid], "a process that reuses a stale pid was ended"

        state_file.write_text("{not json")
        assert status(home) is None
        assert stop(home) is False
        assert not state_file.exists()
        assert stop(home) is False
    finally:
        stranger.kill()
        stranger.wait()


def test_a_start_that_times_out_names_the_log_and_leaves_nothing_running(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with pytest.raises(ClusterError, match=r"timed out .*master\.log") as caught:
        start(home, workers=1, memory="512m", timeout=0.5)
    assert str(home / "logs" / "spark-cluster" / "master.log") in str(caught.value)
    assert status(home) is None
    assert not (home / "logs" / "spark-cluster" / STATE_FILE).exists()
    marker = str(home / "work" / "spark-cluster")
    assert [line for line in _running_commands() if marker in line] == []


def test_the_command_line_starts_reports_and_stops_a_cluster_from_separate_processes(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "infra.cluster", *args, "--home", str(home)],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
            timeout=180,
        )

    try:
        up = cli("up", "--workers", "1", "--memory", "512m")
        assert up.returncode == 0, up.stderr
        cluster = status(home)
        assert cluster is not None
        assert f"CDP_SPARK__MASTER={cluster.master_url}" in up.stdout
        shown = cli("status")
        assert shown.returncode == 0, shown.stderr
        assert "1 of 1 ALIVE" in shown.stdout
        down = cli("down")
        assert down.returncode == 0, down.stderr
        assert "Stopped" in down.stdout
        assert _live(cluster.pids) == []
        assert _processes_of(cluster) == []
        assert cli("status").returncode == 1
        assert cli("down").returncode == 0
    finally:
        stop(home)


@pytest.mark.parametrize(
    "args",
    [["up", "--workers", "0"], ["up", "--memory", "lots"]],
)
def test_command_line_errors_are_one_line_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main([*args, "--home", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
