"""The whole pipeline on generated data at several sizes, and the scale curve.

Usage:
    .venv/bin/python bench/pipeline.py --people 2000 --people 20000 --people 100000

For each size, a fresh process generates N people into a temporary home and runs every step exactly as
the daily DAG does (``jobs.steps``): ingest -> bronze quality -> standardise -> silver quality -> identity
-> identity quality -> profiles -> gold quality -> publish. Per stage it prints wall time, rows in and
out, rows/s and the peak resident memory of the whole process tree (Python, the Spark JVM, DuckDB).
Then the scale curve: the time ratio between consecutive sizes, normalised per 10x data. "Landing to
published" is the sum of every stage after generation. ``--profile DIR`` runs each stage under cProfile
(the driver side: Spark work shows up as time waiting on the JVM) to see where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import itertools
import json
import math
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PeakMemory, record
from bench.prepare import settings_for

Counter = Callable[[Any], int]


def _rows(settings: Any, prefixes: tuple[str, ...]) -> int:
    from infra.runs import runtime

    lake = runtime(settings).lake
    return sum(t.rows or 0 for t in lake.tables() if t.name.startswith(prefixes))


def run_one(
    people: int,
    days: int,
    seed: int,
    keep: Path | None,
    profile: Path | None = None,
    data_profile: str = "default",
) -> list[dict[str, Any]]:
    """Every stage for one size, in this process; returns one dict per stage.

    With ``profile``, each stage runs under cProfile: ``<profile>/<N>p-<stage>.prof`` (open with
    ``python -m pstats`` or snakeviz) and a ``.txt`` with the 25 functions of most cumulative time.
    """
    from generator import GeneratorConfig, generate
    from jobs import steps

    home = keep or Path(tempfile.mkdtemp(prefix=f"cdp-bench-{people}-"))
    settings = settings_for(home)
    config = GeneratorConfig(people=people, days=days, seed=seed, profile=data_profile)
    as_of = config.start + dt.timedelta(days=days - 1)
    run_id = f"bench-{people}"
    stages: list[dict[str, Any]] = []

    def stage(name: str, func: Callable[[], Any], rows_in: Counter, rows_out: Counter) -> Any:
        profiler = cProfile.Profile() if profile else None
        with PeakMemory() as memory:
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            result = func()
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
        if profiler and profile:
            _save_profile(profiler, profile / f"{people}p-{name.replace(' ', '_')}")
        stages.append(
            {
                "stage": name,
                "seconds": seconds,
                "rows_in": rows_in(result),
                "rows_out": rows_out(result),
                "peak_mb": memory.peak / 1e6,
            }
        )
        from infra.runs import runtime, storage_memory_used

        held = storage_memory_used(runtime(settings).spark) / 1e6
        print(
            f"  {name:<18}{seconds:>8.1f} s   (Spark storage memory held after it: {held:,.0f} MB)",
            flush=True,
        )
        return result

    def check(layer: str) -> Callable[[], Any]:
        return lambda: steps.check(settings, layer=layer, as_of=as_of, run_id=run_id)

    def expectations(result: Any) -> int:
        return int(result.to_dict().get("evaluated_expectations", 0))

    try:
        stage("generate", lambda: generate(config, home), lambda r: r.people, lambda r: r.records)
        stage(
            "ingest",
            lambda: steps.ingest(settings, run_id=run_id),
            lambda r: r.rows_in,
            lambda r: r.rows_bronze + r.rows_quarantined,
        )
        bronze = _rows(settings, ("bronze_",))
        stage("bronze quality", check("bronze"), lambda _: bronze, expectations)
        stage(
            "standardise",
            lambda: steps.standardise(settings, run_id=run_id),
            lambda _: bronze,
            lambda r: sum(r.rows.values()),
        )
        silver = _rows(settings, ("silver_",))
        stage("silver quality", check("silver"), lambda _: silver, expectations)
        identity = stage(
            "identity",
            lambda: steps.resolve(settings, as_of=as_of, run_id=run_id, charts=False),
            lambda r: r.records,
            lambda r: r.customers,
        )
        stage("identity quality", check("identity"), lambda _: identity.records, expectations)
        profiles = stage(
            "profiles",
            lambda: steps.build_profiles(settings, as_of=as_of, run_id=run_id),
            lambda _: silver,
            lambda r: sum(r.rows.values()),
        )
        gold = sum(profiles.rows.values())
        stage("gold quality", check("gold"), lambda _: gold, expectations)
        stage(
            "publish",
            lambda: steps.publish(settings, as_of=as_of, run_id=run_id),
            lambda _: gold,
            lambda r: len(r.versions),
        )
    finally:
        if keep is None:
            shutil.rmtree(home, ignore_errors=True)
    return stages


def _save_profile(profiler: cProfile.Profile, stem: Path) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(stem.with_suffix(".prof"))
    with stem.with_suffix(".txt").open("w", encoding="utf-8") as out:
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)


def table(people: int, stages: list[dict[str, Any]]) -> list[str]:
    """The per-stage figures of one size as text lines."""
    header = f"  {'stage':<18}{'seconds':>9}{'rows in':>13}{'rows out':>13}{'rows/s':>11}{'peak MB':>10}"
    lines = [f"{people:,} people", header]
    for s in stages:
        rate = s["rows_in"] / s["seconds"] if s["seconds"] else 0.0
        lines.append(f"  {s['stage']:<18}{s['seconds']:>9.1f}{s['rows_in']:>13,}{s['rows_out']:>13,}"
                     f"{rate:>11,.0f}{s['peak_mb']:>10,.0f}")  # fmt: skip
    landing = sum(s["seconds"] for s in stages if s["stage"] != "generate")
    peak = max(s["peak_mb"] for s in stages)
    lines.append(f"  landing to published: {landing:.1f} s; peak memory {peak:,.0f} MB")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run each size in its own process, print the tables and the scale curve, record them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people", type=int, action="append", help="repeatable (default 2000, 20000, 100000)"
    )
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the homes: this one, or <folder>/<N>p for several sizes"
    )
    parser.add_argument("--profile", type=Path, default=None, help="cProfile each stage into this folder")
    parser.add_argument("--engine", choices=["auto", "delta-rs", "delta-spark"], help="delta_engine setting")
    parser.add_argument(
        "--master", help="spark.master setting, e.g. spark://127.0.0.1:7077 (make cluster-up)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="run every size this many times in a row")
    parser.add_argument(
        "--data-profile",
        choices=["default", "sparse", "contacts", "cjk"],
        default="default",
        help="generator profile of the data (generator/profiles.py)",
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = args.people or [2000, 20000, 100000]

    if args.one:
        stages = run_one(sizes[0], args.days, args.seed, args.keep, args.profile, args.data_profile)
        if args.json:
            args.json.write_text(json.dumps(stages), encoding="utf-8")
        return 0

    env = dict(os.environ)
    if args.engine:
        env["CDP_DELTA_ENGINE"] = args.engine
    if args.master:
        env["CDP_SPARK__MASTER"] = args.master
    engine, master = env.get("CDP_DELTA_ENGINE", "auto"), env.get("CDP_SPARK__MASTER", "local[*]")
    setup = f"delta_engine {engine}, master {master}"
    if args.data_profile != "default":
        setup += f", {args.data_profile} profile"
    results: dict[int, list[dict[str, Any]]] = {}
    lines: list[str] = [setup]
    failed: list[str] = []
    for people in [size for size in sizes for _ in range(args.repeat)]:
        print(f"{people:,} people ({setup}) ...", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
            target = Path(out.name)
        command = [sys.executable, __file__, "--one", "--people", str(people), "--days", str(args.days),
                   "--seed", str(args.seed), "--json", str(target),
                   "--data-profile", args.data_profile]  # fmt: skip
        if args.profile:
            command += ["--profile", str(args.profile)]
        if args.keep:
            command += ["--keep", str(args.keep if len(sizes) == 1 else args.keep / f"{people}p")]
        done = subprocess.run(command, env=env, check=False)
        if done.returncode != 0:
            failed.append(f"{people:,} people: FAILED (exit code {done.returncode})")
            lines.append(failed[-1])
            print(failed[-1], flush=True)
            continue
        results[people] = json.loads(target.read_text(encoding="utf-8"))
        target.unlink()
        block = table(people, results[people])
        print("\n".join(block), flush=True)
        lines += block
    if len(sizes) > 1 and not failed:
        lines.append("scale curve (landing to published; 'per 10x' = time ratio scaled to 10x more people)")
        for small, large in itertools.pairwise(sizes):
            t_small = sum(s["seconds"] for s in results[small] if s["stage"] != "generate")
            t_large = sum(s["seconds"] for s in results[large] if s["stage"] != "generate")
            ratio = t_large / t_small
            per_10x = ratio ** (1 / math.log10(large / small)) if large != small else float("nan")
            lines.append(f"  {small:,} -> {large:,}: x{large / small:.0f} data, x{ratio:.2f} time "
                         f"(x{per_10x:.2f} per 10x)")  # fmt: skip
        print("\n".join(lines[-len(sizes) :]))
    record("pipeline scale curve", lines)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
