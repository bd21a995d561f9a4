"""Benchmark the landing-data generator: throughput and peak memory of the whole process tree.

Usage:
    .venv/bin/python bench/generate.py --people 100000 --workers 2

Prints people/s, records/s, total records, wall seconds, CPU seconds and the peak resident memory of the
generator process plus its workers (sampled every 50 ms with psutil).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psutil

# Run as a script from anywhere: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PeakMemory, cpu_seconds
from generator import GeneratorConfig, generate


def main(argv: Sequence[str] | None = None) -> int:
    """Run one generation and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--workers", type=int, default=0, help="0 = one per CPU")
    parser.add_argument("--out", type=Path, default=None, help="home folder (default: a temporary one)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="cdp-generate-"))
    config = GeneratorConfig(people=args.people, seed=args.seed, days=args.days, workers=args.workers)
    started_cpu = cpu_seconds()
    try:
        with PeakMemory() as memory:
            summary = generate(config, out)
        cpu = cpu_seconds() - started_cpu
        records = summary.records
        print(f"people            {summary.people:>14,}")
        print(f"records           {records:>14,}  ({records / summary.people:.1f} per person)")
        print(f"bad rows          {sum(summary.bad_rows_by_feed.values()):>14,}")
        print(f"files             {summary.files:>14,}")
        print(f"landing MB        {summary.landing_bytes / 1e6:>14,.1f}")
        print(f"seconds           {summary.seconds:>14,.1f}")
        print(f"cpu seconds       {cpu:>14,.1f}")
        print(f"people/s          {summary.people / summary.seconds:>14,.0f}")
        print(f"records/s         {records / summary.seconds:>14,.0f}")
        print(f"peak RSS MB       {memory.peak / 1e6:>14,.0f}  (process tree)")
        print(f"workers           {config.workers or psutil.cpu_count()}")
        for feed, count in summary.records_by_feed.items():
            print(f"  {feed:<22}{count:>12,}")
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
