"""A Spark standalone cluster on this machine's loopback, started and stopped by the project itself.

It is for tests, and for anyone who wants to run the pipeline against a real cluster (executors in their
own JVMs, data shuffled between processes) without installing Spark: the master and the workers are the
``spark-class`` launcher of the installed pyspark package, run as child processes, so the cluster is always
the same Spark version as the driver. Everything binds to 127.0.0.1 only, on free ports chosen at start, so
two clusters (two test runs, or a user's other Spark) never collide.

Under ``<home>``:

- ``logs/spark-cluster/``: one log per process (``master.log``, ``worker-1.log``, ...) and
  ``cluster.json``, the state (ports, pids, master URL) that lets another process find and stop it;
- ``work/spark-cluster/``: the workers' work folders (executor logs, application files) and scratch space.

Point the pipeline at it with ``CDP_SPARK__MASTER=spark://127.0.0.1:<port>``. From the shell::

    python -m infra.cluster up [--home H] [--workers N] [--cores C] [--memory M]
    python -m infra.cluster status [--home H]
    python -m infra.cluster down [--home H]

Example:
    >>> from pathlib import Path
    >>> with standalone_cluster(Path("/tmp/cdp"), workers=2) as cluster:  # doctest: +SKIP
    ...     print(cluster.master_url)
    spark://127.0.0.1:40123
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.errors import UserFacingError
from infra.spark import require_java

HOST = "127.0.0.1"
LOG_FOLDER = Path("logs") / "spark-cluster"
WORK_FOLDER = Path("work") / "spark-cluster"
STATE_FILE = "cluster.json"
START_TIMEOUT = 120.0
STOP_GRACE = 15.0
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
_MEMORY = re.compile(r"^[1-9][0-9]*[mMgGtT]$")
_START_ATTEMPTS = 3
_STATE_VERSION = 1


class ClusterError(UserFacingError):
    """The cluster could not be started, found or stopped; the message names the log to read."""


class _PortTakenError(ClusterError):
    """A port chosen as free was taken before the JVM bound it; starting again with new ports fixes it."""


@dataclass(frozen=True)
class Daemon:
    """One master or worker process: its pid, RPC and web UI ports, and its log file."""

    name: str
    pid: int
    port: int
    web_port: int
    log: Path


@dataclass(frozen=True)
class Cluster:
    """A running (or just stopped) standalone cluster, as recorded in its state file."""

    master_url: str
    web_url: str
    master: Daemon
    workers: tuple[Daemon, ...]
    log_dir: Path
    work_dir: Path
    cores: int
    memory: str
    # Given on every daemon's command line: tells this cluster's processes from any other Spark's.
    properties_file: Path
    started_at: str

    @property
    def pids(self) -> tuple[int, ...]:
        """The pids of the master and the workers (their executors are their child processes)."""
        return (self.master.pid, *(worker.pid for worker in self.workers))

    @property
    def state_file(self) -> Path:
        """The JSON file this cluster is recorded in."""
        return self.log_dir / STATE_FILE

    def to_json(self) -> dict[str, Any]:
        """The state file's content."""
        data = dataclasses.asdict(self)
        data["version"] = _STATE_VERSION
        plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
        return plain

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cluster:
        """Read back what :meth:`to_json` wrote; raises KeyError, TypeError or ValueError when malformed."""

        def daemon(item: dict[str, Any]) -> Daemon:
            return Daemon(
                str(item["name"]),
                int(item["pid"]),
                int(item["port"]),
                int(item["web_port"]),
                Path(item["log"]),
            )

        if data.get("version") != _STATE_VERSION:
            raise ValueError(f"unknown state version {data.get('version')!r}")
        return cls(
            master_url=str(data["master_url"]),
            web_url=str(data["web_url"]),
            master=daemon(data["master"]),
            workers=tuple(daemon(item) for item in data["workers"]),
            log_dir=Path(data["log_dir"]),
            work_dir=Path(data["work_dir"]),
            cores=int(data["cores"]),
            memory=str(data["memory"]),
            properties_file=Path(data["properties_file"]),
            started_at=str(data["started_at"]),
        )


# Popen objects of the daemons this process started: kept so they are reaped (no zombies, no "still
# running" warnings) when stop() runs in the same process as start().
_children: dict[int, subprocess.Popen[bytes]] = {}


@contextlib.contextmanager
def standalone_cluster(
    home: Path, *, workers: int = 2, cores: int = 1, memory: str = "3g", timeout: float = START_TIMEOUT
) -> Iterator[Cluster]:
    """Start a cluster under ``home``, yield it, and stop it (all its processes) however the block ends."""
    try:
        yield start(home, workers=workers, cores=cores, memory=memory, timeout=timeout)
    finally:
        stop(home)


def start(
    home: Path, *, workers: int = 2, cores: int = 1, memory: str = "3g", timeout: float = START_TIMEOUT
) -> Cluster:
    """Start a master and ``workers`` workers (each offering ``cores`` cores and ``memory`` to executors).

    Returns once the master reports every worker ALIVE. Raises :class:`ClusterError` when a cluster of this
    home is already running, when a process dies during the start or after ``timeout`` seconds; nothing is
    left running then.
    """
    if workers < 1 or cores < 1:
        raise ClusterError(f"workers and cores must be at least 1, got workers={workers}, cores={cores}.")
    if not _MEMORY.match(memory):
        raise ClusterError(f"memory must be a whole amount with a unit, like 512m or 3g; got {memory!r}.")
    require_java()
    spark_class = _spark_class()
    home = home.expanduser().resolve()
    running = status(home)
    if running is not None:
        raise ClusterError(
            f"a Spark cluster of {home} is already running at {running.master_url}; "
            f"stop it first (python -m infra.cluster down --home {home})."
        )
    stop(home)  # a stale state file, or leftovers of a crashed start
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            return _start_once(home, spark_class, workers, cores, memory, timeout)
        except _PortTakenError:
            stop(home)
            if attempt == _START_ATTEMPTS:
                raise
        except BaseException:
            stop(home)
            raise
    raise AssertionError("unreachable")


def stop(home: Path) -> bool:
    """Stop the cluster of ``home``: terminate the process trees of the master and the workers, wait, then
    kill what is left. Idempotent; a stale or unreadable state file is removed.

    Returns True when processes of the cluster were running, False when there was nothing to stop.
    """
    home = home.expanduser().resolve()
    state_file = home / LOG_FOLDER / STATE_FILE
    cluster = _read_state(state_file)
    if cluster is None:
        state_file.unlink(missing_ok=True)
        return False
    found = _end_processes(cluster)
    state_file.unlink(missing_ok=True)
    return found


def status(home: Path) -> Cluster | None:
    """The cluster of ``home`` when its master process is running, else None (also for a stale state)."""
    cluster = _read_state(home.expanduser().resolve() / LOG_FOLDER / STATE_FILE)
    if cluster is None:
        return None
    process = _processes().get(cluster.master.pid)
    return cluster if process is not None and _is_ours(process, cluster) else None


def alive_workers(cluster: Cluster, timeout: float = 5.0) -> int | None:
    """How many workers the master reports ALIVE, or None when the master does not answer."""
    state = _master_state(cluster.web_url, timeout)
    return None if state is None else len(_alive_ports(state) & {worker.port for worker in cluster.workers})


def _start_once(
    home: Path, spark_class: Path, workers: int, cores: int, memory: str, timeout: float
) -> Cluster:
    log_dir = home / LOG_FOLDER
    work_dir = home / WORK_FOLDER
    conf_dir = work_dir / "conf"
    for folder in (log_dir, conf_dir, work_dir / "local"):
        folder.mkdir(parents=True, exist_ok=True)
    cluster_id = uuid.uuid4().hex[:12]
    properties = work_dir / f"cluster-{cluster_id}.conf"
    for old in work_dir.glob("cluster-*.conf"):
        old.unlink()
    properties.write_text(
        "# Written by infra.cluster for one start of the cluster.\n"
        # A chosen port that is taken must fail the start (which then retries with new ports) rather than
        # silently move to the next port, which the state file and the master URL would not know about.
        "spark.port.maxRetries 0\n"
        # The REST submission server would take the fixed port 6066 and collide with any other master.
        "spark.master.rest.enabled false\n"
    )
    master_port, master_web, *worker_ports = _free_ports(2 + 2 * workers)

    env = _environment(spark_class.parent.parent, conf_dir, work_dir / "local")
    launch = _Launch(spark_class, properties, log_dir, work_dir, env)
    deadline = time.monotonic() + timeout

    master = launch.spawn("master", MASTER_CLASS, master_port, master_web)
    cluster = Cluster(
        master_url=f"spark://{HOST}:{master_port}",
        web_url=f"http://{HOST}:{master_web}",
        master=master,
        workers=(),
        log_dir=log_dir,
        work_dir=work_dir,
        cores=cores,
        memory=memory,
        properties_file=properties,
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    _write_state(cluster)
    # Workers started before the master answers wait seconds between registration attempts.
    _wait(cluster, deadline, timeout)
    for number in range(1, workers + 1):
        name = f"worker-{number}"
        port, web_port = worker_ports[2 * number - 2 : 2 * number]
        worker = launch.spawn(
            name, WORKER_CLASS, port, web_port,
            "--cores", str(cores), "--memory", memory, "--work-dir", str(work_dir / name), cluster.master_url,
        )  # fmt: skip
        cluster = dataclasses.replace(cluster, workers=(*cluster.workers, worker))
        _write_state(cluster)
    _wait(cluster, deadline, timeout)
    return cluster


@dataclass(frozen=True)
class _Launch:
    """What every daemon of one start shares: the launcher, the properties, the folders, the environment."""

    spark_class: Path
    properties: Path
    log_dir: Path
    work_dir: Path
    env: dict[str, str]

    def spawn(self, name: str, main_class: str, port: int, web_port: int, *args: str) -> Daemon:
        """Start one daemon, its output going to ``<log_dir>/<name>.log``."""
        command = [
            "bash", str(self.spark_class), main_class, "--host", HOST, "--port", str(port),
            "--webui-port", str(web_port), "--properties-file", str(self.properties), *args,
        ]  # fmt: skip
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as out:
            # A session of its own: a Ctrl-C or hang-up of the starting shell does not reach the cluster,
            # and every process the daemon starts (executors, Python workers) keeps its session id, which
            # stop() relies on.
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.work_dir,
                env=self.env,
                start_new_session=True,
            )
        _children[process.pid] = process
        return Daemon(name, process.pid, port, web_port, log)


def _spark_class() -> Path:
    """The launcher script of the installed pyspark, found without importing pyspark."""
    spec = importlib.util.find_spec("pyspark")
    locations = list(spec.submodule_search_locations or []) if spec else []
    script = Path(locations[0]) / "bin" / "spark-class" if locations else None
    if script is None or not script.is_file():
        raise ClusterError("pyspark's bin/spark-class was not found; reinstall pyspark (make install).")
    if shutil.which("bash") is None:
        raise ClusterError("bash is needed to run Spark's launcher script and is not on PATH.")
    return script


def _environment(spark_home: Path, conf_dir: Path, local_dir: Path) -> dict[str, str]:
    """The daemons' environment: this pyspark as Spark, loopback only, this interpreter for Python."""
    env = dict(os.environ)
    python_bin = str(Path(sys.executable).parent)
    env.update(
        {
            "SPARK_HOME": str(spark_home),
            # An empty folder: a spark-env.sh or spark-defaults.conf of another Spark must not apply.
            "SPARK_CONF_DIR": str(conf_dir),
            "SPARK_LOCAL_IP": HOST,
            "SPARK_MASTER_HOST": HOST,
            "SPARK_PUBLIC_DNS": HOST,
            "SPARK_LOCAL_DIRS": str(local_dir),
            "PYSPARK_PYTHON": sys.executable,
            # A driver that sets no PYSPARK_PYTHON asks executors for `python3`: found here, it is this
            # interpreter's environment (the .venv) rather than the system's.
            "PATH": os.pathsep.join([python_bin, env.get("PATH", "")]),
        }
    )
    env.pop("SPARK_ENV_LOADED", None)
    return env


def _free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on loopback now (held open together, so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait(cluster: Cluster, deadline: float, timeout: float) -> None:
    """Poll the master's JSON until the master (and every worker of ``cluster``) is ALIVE.

    Fails early when a daemon exits, and after the deadline naming the log of the process that is late.
    """
    while True:
        for daemon in (cluster.master, *cluster.workers):
            if not _running(daemon.pid):
                raise _died(daemon)
        state = _master_state(cluster.web_url, timeout=5.0)
        master_up = state is not None and state.get("status") == "ALIVE"
        registered = _alive_ports(state) if state is not None else set()
        late = [worker for worker in cluster.workers if worker.port not in registered]
        if master_up and not late:
            return
        if time.monotonic() > deadline:
            daemon = cluster.master if not master_up else late[0]
            what = "the master to answer" if not master_up else f"{daemon.name} to register with the master"
            raise ClusterError(
                f"timed out after {timeout:g} s waiting for {what} ({cluster.master_url}); read {daemon.log}."
            )
        time.sleep(0.5)


def _died(daemon: Daemon) -> ClusterError:
    """The error for a daemon that exited during the start, quoting its log's telling line."""
    try:
        lines = daemon.log.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    cause = next((line for line in reversed(lines) if "Exception" in line or "ERROR" in line), "")
    if "BindException" in cause or "Address already in use" in cause:
        return _PortTakenError(f"the Spark {daemon.name} could not bind its port; read {daemon.log}.")
    hint = f" ({cause.strip()[:200]})" if cause else ""
    return ClusterError(f"the Spark {daemon.name} exited during the start{hint}; read {daemon.log}.")


def _master_state(web_url: str, timeout: float) -> dict[str, Any] | None:
    """The master's JSON status page, or None when it does not answer (yet)."""
    # No proxy: an http_proxy in the environment must not take loopback requests elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{web_url}/json/", timeout=timeout) as response:
            data = json.load(response)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive_ports(state: dict[str, Any]) -> set[int]:
    """The RPC ports of the workers the master reports ALIVE."""
    return {worker.get("port") for worker in state.get("workers", []) if worker.get("state") == "ALIVE"}


def _write_state(cluster: Cluster) -> None:
    temporary = cluster.state_file.with_suffix(".tmp")
    temporary.write_text(json.dumps(cluster.to_json(), indent=2) + "\n")
    temporary.replace(cluster.state_file)


def _read_state(state_file: Path) -> Cluster | None:
    try:
        return Cluster.from_json(json.loads(state_file.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# --- processes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Process:
    pid: int
    ppid: int
    sid: int | None
    command: str


def _processes() -> dict[int, _Process]:
    """Every live (not zombie) process: from /proc on Linux, else from ``ps``."""
    _reap()
    proc = Path("/proc")
    if (proc / "self" / "stat").exists():
        found = {}
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            # The command name in parentheses may itself hold spaces and parentheses.
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] in ("Z", "X"):
                continue
            found[int(entry.name)] = _Process(int(entry.name), int(fields[1]), int(fields[3]), command)
        return found
    out = subprocess.run(
        ["ps", "-A", "-ww", "-o", "pid=", "-o", "ppid=", "-o", "stat=", "-o", "command="],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3 and not parts[2].startswith("Z"):
            found[int(parts[0])] = _Process(
                int(parts[0]), int(parts[1]), None, parts[3] if len(parts) > 3 else ""
            )
    return found


def _reap() -> None:
    for pid, process in list(_children.items()):
        if process.poll() is not None:
            del _children[pid]


def _running(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    return pid in _processes()


def _is_ours(process: _Process, cluster: Cluster) -> bool:
    """True when ``process`` is a daemon of ``cluster``, not an unrelated process that reuses a stale pid."""
    return str(cluster.properties_file) in process.command


def _related(processes: dict[int, _Process], leaders: set[int], sessions: set[int]) -> set[int]:
    """The leaders, their descendants, and every process left in their sessions (orphaned executors)."""
    children: dict[int, list[int]] = {}
    for process in processes.values():
        children.setdefault(process.ppid, []).append(process.pid)
    found = {
        process.pid for process in processes.values() if process.sid is not None and process.sid in sessions
    }
    todo = [pid for pid in leaders if pid in processes]
    visited: set[int] = set()
    while todo:
        pid = todo.pop()
        if pid not in visited:
            visited.add(pid)
            todo.extend(children.get(pid, []))
    return found | visited


def _end_processes(cluster: Cluster) -> bool:
    """Terminate the cluster's process trees, kill what outlives the grace period; True when any ran."""
    processes = _processes()
    leaders = {pid for pid in cluster.pids if pid in processes and _is_ours(processes[pid], cluster)}
    # Each daemon led a session of its own. A session id stays reserved while any process holds it, so
    # processes in the session of a daemon that is gone can only be that daemon's orphans.
    sessions = leaders | {pid for pid in cluster.pids if pid not in processes}
    seen: set[int] = set()
    signalled: dict[int, set[int]] = {signal.SIGTERM: set(), signal.SIGKILL: set()}
    started = time.monotonic()
    while True:
        alive = _related(processes, leaders, sessions) | (seen & processes.keys())
        if not alive:
            return bool(seen)
        seen |= alive
        elapsed = time.monotonic() - started
        if elapsed > STOP_GRACE + 10:
            raise ClusterError(
                f"processes {sorted(alive)} of the Spark cluster at {cluster.master_url} did not end even "
                "when killed; end them by hand."
            )
        sig = signal.SIGKILL if elapsed > STOP_GRACE else signal.SIGTERM
        for pid in alive - signalled[sig]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
            signalled[sig].add(pid)
        time.sleep(0.2)
        processes = _processes()


# --- command line ---------------------------------------------------------------------------------------


def _describe(cluster: Cluster) -> str:
    workers = len(cluster.workers)
    return (
        f"Spark standalone cluster: {cluster.master_url} ({workers} worker{'s' * (workers != 1)}, "
        f"{cluster.cores} core{'s' * (cluster.cores != 1)} and {cluster.memory} each for executors)\n"
        f"  web UI: {cluster.web_url}\n"
        f"  logs:   {cluster.log_dir}\n"
        f"  pids:   master {cluster.master.pid}, workers {', '.join(str(w.pid) for w in cluster.workers)}"
    )


def main(argv: list[str] | None = None, default_home: Path = Path("cdp_home")) -> int:
    """``python -m infra.cluster up|down|status``: returns the exit code (2 for an error)."""
    parser = argparse.ArgumentParser(
        prog="python -m infra.cluster",
        description="A Spark standalone cluster on 127.0.0.1 for this project: logs and state under "
        "HOME/logs/spark-cluster, work folders under HOME/work/spark-cluster.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start a master and workers; prints the master URL")
    down = commands.add_parser("down", help="stop the cluster and every process it started")
    state = commands.add_parser("status", help="show the cluster; exit code 1 when none is running")
    for command in (up, down, state):
        command.add_argument(
            "--home",
            type=Path,
            default=default_home,
            help="the CDP home folder (default: $CDP_HOME or ./cdp_home)",
        )
    up.add_argument("--workers", type=int, default=2, help="number of workers (default 2)")
    up.add_argument("--cores", type=int, default=1, help="cores each worker offers (default 1)")
    up.add_argument("--memory", default="3g", help="memory each worker offers to executors (default 3g)")
    up.add_argument("--timeout", type=float, default=START_TIMEOUT, help="seconds to wait for the workers")
    args = parser.parse_args(argv)
    home = args.home.expanduser().resolve()
    try:
        if args.command == "up":
            cluster = start(
                home, workers=args.workers, cores=args.cores, memory=args.memory, timeout=args.timeout
            )
            print(_describe(cluster))
            print(
                "\nRun the pipeline on it (SPARK_LOCAL_IP keeps the driver on loopback too; executors get "
                "spark.executor.memory, 1g unless set):\n"
                f"  export CDP_SPARK__MASTER={cluster.master_url}\n"
                f"  export SPARK_LOCAL_IP={HOST}\n"
                f"Stop it with: python -m infra.cluster down --home {home}"
            )
        elif args.command == "down":
            stopped = stop(home)
            print(
                f"Stopped the Spark cluster of {home}."
                if stopped
                else f"No Spark cluster was running for {home}."
            )
        else:
            found = status(home)
            if found is None:
                print(f"No Spark cluster is running for {home}.")
                return 1
            print(_describe(found))
            alive = alive_workers(found)
            answer = (
                "the master does not answer" if alive is None else f"{alive} of {len(found.workers)} ALIVE"
            )
            print(f"  workers: {answer}")
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 2
    except UserFacingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"error: {exc.strerror or exc}{where}; check that --home {home} is a writable folder.",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    from infra.settings import DEFAULT_HOME

    sys.exit(main(default_home=Path(os.environ.get("CDP_HOME", DEFAULT_HOME))))
