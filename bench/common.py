"""What every benchmark shares: peak memory of the process tree, CPU time, and the results log.

Figures go to stdout and are appended to ``bench/RESULTS.md`` with the machine (cores, memory), the
versions of the engines, the commit and the command, so a result can always be traced and repeated.
"""

from __future__ import annotations

import datetime as dt
import platform
import shlex
import subprocess
import sys
import threading
from importlib import metadata
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
ENGINES = ("pyspark", "delta-spark", "deltalake", "splink", "duckdb", "great-expectations", "apache-airflow")


class PeakMemory:
    """Samples the resident memory of this process and all its children (the Spark JVM too)."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        """Start a new peak from the current footprint (per-stage peaks in one process)."""
        self.peak = 0

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def machine() -> str:
    """Cores, memory, OS and Python, in one line."""
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{psutil.cpu_count(logical=True)} cores, {memory:.0f} GiB, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )


def versions() -> str:
    """Versions of the engines the figures depend on."""
    found = []
    for name in ENGINES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def commit() -> str:
    """The checked-out commit, marked dirty when the work tree has changes."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return f"{sha}{' (dirty)' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def record(title: str, lines: list[str]) -> None:
    """Append one result block to ``bench/RESULTS.md``."""
    script = Path(sys.argv[0])
    script = script.relative_to(ROOT) if script.is_absolute() and script.is_relative_to(ROOT) else script
    command = " ".join(shlex.quote(a) for a in ["python", str(script), *sys.argv[1:]])
    block = [
        f"## {title}: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- command: `{command}`",
        f"- commit: {commit()}",
        f"- machine: {machine()}",
        f"- versions: {versions()}",
        "",
        "```",
        *lines,
        "```",
        "",
    ]
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by the scripts in `bench/`; newest last.\n\n")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(block) + "\n")
    print(f"(appended to {RESULTS.relative_to(ROOT)})")
