"""The identity step alone: accuracy against truth, wall time and peak memory, full and incremental.

Usage:
    .venv/bin/python bench/identity.py --people 100000
    .venv/bin/python bench/identity.py --home bench/homes/pipeline/100000p

With ``--home`` it runs on a home already holding silver (for example one kept by ``bench/pipeline.py
--keep``) and keeps that home's model: the full run is then a rebuild with the stored model, the way a
scheduled ``--full-rebuild`` runs.

Prepares (or reuses) a benchmark home up to silver, then runs identity resolution from scratch (training
the first model, scoring every pair, publishing), scores it against the generator's truth, and runs it
again to show the cost of a no-change incremental run. Targets (issue: identity resolution): pairwise
and B-cubed F1 >= 0.98, hard-negative pairs wrongly merged < 0.5%, 1M person records in under 3 minutes
with peak memory under 8 GB; the comparison with bare Splink is ``bench/identity_vs_splink.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PeakMemory, record
from bench.identity_vs_splink import ours, score
from bench.prepare import data_set_arguments, from_silver, generator_config, has_silver, settings_for


def main(argv: Sequence[str] | None = None) -> int:
    """Run the identity step twice on one data set and print its figures."""
    parser = data_set_arguments(__doc__)
    parser.add_argument("--home", type=Path, help="a home holding silver, used as it is (model included)")
    args = parser.parse_args(argv)
    if args.home is not None:
        if not has_silver(args.home):
            parser.error(f"{args.home} has no silver_person_records: build one with bench/pipeline.py --keep")
        settings = settings_for(args.home)
        args.people = int(generator_config(args.home).get("people", 0))
    else:
        settings = from_silver(args.people, args.days, args.seed, args.profile)

    with PeakMemory() as memory:
        graph, seconds, report = ours(settings)
        peak = memory.peak
    metrics = score(settings, graph)
    from identity import resolve
    from infra.runs import runtime

    spark, lake = runtime(settings).spark, runtime(settings).lake
    started = time.perf_counter()
    again = resolve.run(spark, settings, lake, run_id="bench-identity-again", charts=False)
    rerun = time.perf_counter() - started

    lines = [
        f"home {settings.paths.home}",
        f"people {args.people:,} ({args.profile} profile); person records {report.records:,}; "
        f"customers {report.customers:,}",
        f"{'full rebuild, stored model' if args.home else 'full run (train, resolve, publish)':<38}"
        f"{seconds:8.1f} s ({report.records / seconds:,.0f} records/s)",
        "  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.stage_seconds.items()),
        f"peak RSS (process tree)               {peak / 1e6:8,.0f} MB",
        f"no-change rerun ({again.mode})        {rerun:8.1f} s",
        "  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in again.stage_seconds.items()),
        f"deterministic pairs {report.deterministic_pairs:,}; model pairs {report.probabilistic_pairs:,}; "
        f"cut by guards {report.pairs_cut_by_guards:,}; withheld identifiers {report.withheld_identifiers:,}",
        f"largest cluster {report.largest_cluster}; singletons {report.singletons:,}",
    ]
    for key in (
        "pairwise_precision",
        "pairwise_recall",
        "pairwise_f1",
        "bcubed_precision",
        "bcubed_recall",
        "bcubed_f1",
        "blocking_recall",
        "hard_negative_pairs",
        "hard_negative_merged",
        "hard_negative_merged_rate",
    ):
        if key in metrics:
            lines.append(f"{key:<38}{metrics[key]:>10.4f}")
    print("\n".join(lines))
    record(f"identity, {args.people:,} people", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
