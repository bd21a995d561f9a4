"""Our identity step against a minimal bare Splink + DuckDB script, on the same person records, in one run.

Usage:
    .venv/bin/python bench/identity_vs_splink.py --people 100000
    .venv/bin/python bench/identity_vs_splink.py --dataset febrl3      # or febrl4 (bench/febrl.py)

Both sides start from ``silver_person_records`` of one benchmark home (built once by ``bench/prepare.py``)
and use the same comparisons and blocking rules (``identity.matching``), the same training recipe
(``identity.fields.plan``: lambda from deterministic rules, u by random sampling, m by EM over blocks
chosen from the fields the records hold) and the same 0.95 threshold. The bare
side is what a team would write in an afternoon: predict, then Splink's connected components. Ours adds
deterministic rules with over-merge guards, guarded clustering, persistent ids and publishing to Delta.
Both are scored against the generator's truth with the same code (``identity.evaluate.compute``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import febrl
from bench.common import PeakMemory, record
from bench.prepare import data_set_arguments, from_silver


def person_records(settings: Any) -> Any:
    """silver_person_records as Arrow, read with delta-rs as any outside tool would."""
    import pyarrow as pa
    from deltalake import DeltaTable, QueryBuilder

    from identity import inputs

    table = DeltaTable(str(settings.paths.lake / "silver_person_records"))
    columns = ", ".join(f'"{c}"' for c in inputs.RECORD_COLUMNS)
    return pa.table(QueryBuilder().register("t", table).execute(f"select {columns} from t").read_all())


def bare_splink(settings: Any) -> tuple[Any, float, int]:
    """Train, predict and cluster with Splink on DuckDB only; returns (clusters, seconds, pairs)."""
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, block_on
    from splink.internals.exceptions import SplinkException

    from identity import fields, inputs, matching

    started = time.perf_counter()
    con = inputs.connect(settings)
    # The same prepared matching columns our step sees: read silver_person_records, derive the view.
    inputs.create_records(con, person_records(settings))
    # The same fields, training blocks and prediction blocks as ours, chosen from the same records.
    plan = fields.plan(con, fields.FieldProfile.of(con))
    api = DuckDBAPI(connection=con)
    records = api.register("records")
    linker = Linker(records, matching.settings_creator(plan), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on(*b) for b in plan.lambda_rules], recall=plan.lambda_recall
    )
    training.estimate_u_using_random_sampling(max_pairs=settings.identity.u_max_pairs, seed=1)
    for rule in (block_on(*b) for b in plan.em_blocks):
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=settings.identity.em_max_pairs, estimate_without_term_frequencies=True
            )
        except (ValueError, SplinkException) as exc:
            print(f"  bare Splink: EM on {rule} skipped: {exc}")
    threshold = settings.identity.match_threshold
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    graph = con.sql(
        f"select record_key, cast(cluster_id as varchar) as customer_id from {clusters.physical_name}"
    ).to_arrow_table()
    pairs = int(con.sql(f"select count(*) from {predictions.physical_name}").fetchall()[0][0])
    seconds = time.perf_counter() - started
    con.close()
    return pa.table(graph), seconds, pairs


def score(settings: Any, graph: Any) -> dict[str, float]:
    """Metrics of a record -> customer assignment against the truth, by the project's evaluation code."""
    from identity import evaluate, inputs, models, rules
    from infra.runs import runtime

    lake = runtime(settings).lake
    con = inputs.connect(settings)
    try:
        # Records and silver's hard links, as `cdp identity evaluate` loads them: blocking recall counts
        # the pairs our rules link (hard links included) as seen, through the model's own blocks.
        inputs.load(con, lake)
        model = models.current(settings)
        rules.link(con, settings.identity, model.guards() if model else rules.Guards())
        con.register("graph", graph)
        blocks = model.plan.prediction_blocks if model else evaluate.DEFAULT_PLAN.prediction_blocks
        return evaluate.compute(con, evaluate.truth_file(settings), blocks)
    finally:
        con.close()


def ours(settings: Any) -> tuple[Any, float, Any]:
    """Our identity step from scratch (train a first model, resolve, publish): (graph, seconds, report)."""
    from identity import resolve
    from infra.runs import runtime

    spark, lake = runtime(settings).spark, runtime(settings).lake
    started = time.perf_counter()
    report = resolve.run(spark, settings, lake, run_id="bench-identity", full_rebuild=True, charts=False)
    seconds = time.perf_counter() - started
    graph = lake.read_arrow("identity_graph", ["record_key", "customer_id"])
    return graph, seconds, report


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the data set, run both sides, print and record the comparison."""
    parser = data_set_arguments(__doc__)
    parser.add_argument(
        "--dataset",
        choices=["generated", *febrl.DATA_SETS],
        default="generated",
        help="generated people (--people ...), or a Febrl benchmark loaded through a source mapping",
    )
    args = parser.parse_args(argv)
    if args.dataset == "generated":
        settings = from_silver(args.people, args.days, args.seed, args.profile)
        title = f"{args.people:,} people" + ("" if args.profile == "default" else f", {args.profile} profile")
    else:
        settings = febrl.prepare(args.dataset)
        title = args.dataset

    with PeakMemory() as memory:
        bare_graph, bare_seconds, bare_pairs = bare_splink(settings)
        bare_peak = memory.peak
    with PeakMemory() as memory:
        our_graph, our_seconds, report = ours(settings)
        our_peak = memory.peak
    bare_metrics = score(settings, bare_graph)
    our_metrics = score(settings, our_graph)

    lines = [
        f"{title}; person records {report.records:,}",
        f"{'':28}{'ours':>12}{'bare Splink':>14}",
        f"{'wall seconds':28}{our_seconds:>12.1f}{bare_seconds:>14.1f}",
        f"{'peak RSS MB (process tree)':28}{our_peak / 1e6:>12,.0f}{bare_peak / 1e6:>14,.0f}",
        f"{'customers':28}{our_metrics['customers']:>12,.0f}{bare_metrics['customers']:>14,.0f}",
    ]
    for key in (
        "pairwise_precision",
        "pairwise_recall",
        "pairwise_f1",
        "bcubed_precision",
        "bcubed_recall",
        "bcubed_f1",
        "hard_negative_merged_rate",
    ):
        lines.append(f"{key:28}{our_metrics.get(key, 0.0):>12.4f}{bare_metrics.get(key, 0.0):>14.4f}")
    lines.append(f"{'scored pairs >= threshold':28}{report.probabilistic_pairs:>12,}{bare_pairs:>14,}")
    ratio = our_seconds / bare_seconds if bare_seconds else float("inf")
    lines.append(f"time ratio ours / bare: {ratio:.2f}x (target <= 1.5x)")
    lines.append(
        f"F1 ours - bare: pairwise {our_metrics['pairwise_f1'] - bare_metrics['pairwise_f1']:+.4f}, "
        f"B-cubed {our_metrics['bcubed_f1'] - bare_metrics['bcubed_f1']:+.4f}"
    )
    print("\n".join(lines))
    record(f"identity vs bare Splink, {title}", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
