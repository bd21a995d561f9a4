"""Ingestion and standardisation throughput: landing files to bronze, bronze to silver.

Usage:
    .venv/bin/python bench/ingest.py --people 100000

Generates the landing set once (kept under ``bench/homes/``), removes the lake so both steps start from
nothing, then times ``cdp ingest`` (every batch) and ``cdp standardise`` (full rebuild) in one process,
printing rows/s and peak memory of the process tree. Target: 100,000 people to silver in under 5 minutes.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PeakMemory, record
from bench.prepare import HOMES, data_set_arguments, settings_for


def main(argv: Sequence[str] | None = None) -> int:
    """Time bronze and silver on one generated landing set."""
    from generator import GeneratorConfig, generate
    from infra.runs import runtime
    from jobs import steps

    args = data_set_arguments(__doc__).parse_args(argv)

    home = HOMES / f"ingest-{args.people}p-{args.days}d-s{args.seed}"
    if not (home / "truth" / "manifest.json").is_file():
        shutil.rmtree(home, ignore_errors=True)
        generate(GeneratorConfig(people=args.people, days=args.days, seed=args.seed), home)
    for folder in ("lake", "work", "models", "reports"):
        shutil.rmtree(home / folder, ignore_errors=True)
    settings = settings_for(home)
    started = time.perf_counter()
    runtime(settings)
    spark_seconds = time.perf_counter() - started

    with PeakMemory() as memory:
        started = time.perf_counter()
        bronze = steps.ingest(settings, run_id="bench-ingest")
        bronze_seconds = time.perf_counter() - started
        bronze_peak = memory.peak
    with PeakMemory() as memory:
        started = time.perf_counter()
        silver = steps.standardise(settings, run_id="bench-standardise")
        silver_seconds = time.perf_counter() - started
        silver_peak = memory.peak
    silver_rows = sum(silver.rows.values())
    total = bronze_seconds + silver_seconds
    lines = [
        f"people {args.people:,}; files {bronze['files']:,}; landing rows {bronze['rows_in']:,}",
        f"Spark start                 {spark_seconds:8.1f} s",
        f"bronze  {bronze_seconds:8.1f} s  {bronze['rows_in'] / bronze_seconds:>10,.0f} rows/s  "
        f"bronze {bronze['rows_bronze']:,}, quarantined {bronze['rows_quarantined']:,}; "
        f"peak {bronze_peak / 1e6:,.0f} MB",
        f"silver  {silver_seconds:8.1f} s  {bronze['rows_bronze'] / silver_seconds:>10,.0f} rows/s  "
        f"silver rows {silver_rows:,}; peak {silver_peak / 1e6:,.0f} MB",
        f"landing to silver {total:.1f} s (target < 300 s at 100,000 people)",
    ]
    print("\n".join(lines))
    record(f"ingest and standardise, {args.people:,} people", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
