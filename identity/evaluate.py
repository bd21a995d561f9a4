"""``cdp identity evaluate``: identity accuracy against the generator's ground truth.

Metrics, over the person records present in the lake:

- pairwise precision / recall / F1: over all pairs of records, "same customer" against "same person";
- B-cubed precision / recall / F1: per record, how much of its customer is its person and vice versa;
- hard negatives wrongly merged: look-alike people (household members, twins, namesakes, people sharing an
  email) that ended up under one customer id, per kind and overall;
- blocking recall: the share of true matching pairs that a prediction blocking rule or a rule link covers,
  i.e. that the model could see at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from pyspark.sql import SparkSession

from identity import inputs, models, rules
from identity.fields import DEFAULT_PLAN, Block
from infra.errors import UserFacingError
from infra.runs import StepReport, new_run_id
from infra.settings import Settings
from infra.storage import Lake
from schemas.identity import IDENTITY_EVALUATION, IDENTITY_GRAPH


def blocking_conditions(blocks: Sequence[Block] = DEFAULT_PLAN.prediction_blocks) -> list[str]:
    """Prediction blocks as DuckDB conditions over ``l`` and ``r``, for measuring their recall.

    Built by Splink from the blocks themselves (``identity.matching.block_conditions``), so the measure
    follows exactly what the model scores.
    """
    from identity.matching import block_conditions

    return block_conditions(blocks)


class TruthMissingError(UserFacingError):
    """There is no generator truth to evaluate against."""


def truth_file(settings: Settings) -> Path:
    """Where the generator's record-level truth lives in a generated home."""
    return settings.paths.truth / "records.parquet"


@dataclass
class IdentityEvaluation(StepReport):
    """Identity accuracy of one evaluation run: metric name -> value (see the module docstring)."""

    run_id: str
    truth: str
    metrics: dict[str, float] = field(default_factory=dict)


def evaluate(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    *,
    mode: str = "latest",
    run_id: str | None = None,
    truth: Path | None = None,
) -> IdentityEvaluation:
    """Score the current ``identity_graph`` against a truth file and record the metrics.

    Args:
        truth: the record-level truth (``feed, source_id, person_id, is_bad``); the generator's
            ``truth/records.parquet`` under the home by default.

    Raises:
        TruthMissingError: there is no truth file (only generated data has one).
    """
    truth = truth or truth_file(settings)
    if not truth.is_file():
        raise TruthMissingError(
            f"No ground truth at {truth}: evaluation needs data made by `cdp generate` (or a truth file)."
        )
    if not lake.exists(IDENTITY_GRAPH.name):
        raise UserFacingError("identity_graph does not exist yet: run `cdp identity resolve` first.")
    con = inputs.connect(settings)
    try:
        inputs.load(con, lake)
        model = models.current(settings)
        rules.link(con, settings.identity, model.guards() if model else rules.Guards())
        graph = lake.read_arrow(IDENTITY_GRAPH.name, ["record_key", "customer_id"])
        inputs.register(con, "graph", graph)
        blocks = (model.plan if model else DEFAULT_PLAN).prediction_blocks
        metrics = compute(con, truth, blocks)
    finally:
        con.close()
    run_id = run_id or new_run_id("evaluate")
    version = models.current_version(settings) or "none"
    now = dt.datetime.now(dt.UTC)
    rows = [(run_id, now, mode, name, float(value), version) for name, value in sorted(metrics.items())]
    lake.create(IDENTITY_EVALUATION.name, IDENTITY_EVALUATION.spark_schema)
    lake.append(IDENTITY_EVALUATION.name, spark.createDataFrame(rows, IDENTITY_EVALUATION.spark_schema))
    return IdentityEvaluation(run_id=run_id, truth=str(truth), metrics=metrics)


def compute(
    con: duckdb.DuckDBPyConnection,
    truth: Path,
    blocks: Sequence[Block] = DEFAULT_PLAN.prediction_blocks,
) -> dict[str, float]:
    """The metrics, given ``records`` and ``graph`` tables in ``con`` and a truth file (no lake access).

    ``blocks`` are the prediction blocks of the model that resolved the graph (for blocking recall).
    Hard-negative figures come from ``hard_negatives.parquet`` beside the truth file, when it exists.
    """
    con.execute(
        """
        create or replace table truth as
        select distinct feed || ':' || source_id as record_key, person_id
        from read_parquet($truth)
        where not is_bad and person_id is not null and source_id is not null
        """,
        {"truth": str(truth)},
    )
    con.execute(
        """
        create or replace table ev as
        select g.record_key, g.customer_id, t.person_id
        from graph g join truth t using (record_key)
        """
    )
    metrics: dict[str, float] = {}
    (records, customers, people) = con.execute(
        "select count(*), count(distinct customer_id), count(distinct person_id) from ev"
    ).fetchall()[0]
    metrics.update({"records": records, "customers": customers, "people": people})
    tp, predicted, actual = con.execute(
        """
        select
            (select coalesce(sum(n * (n - 1) / 2), 0)
             from (select count(*) n from ev group by customer_id, person_id)),
            (select coalesce(sum(n * (n - 1) / 2), 0) from (select count(*) n from ev group by customer_id)),
            (select coalesce(sum(n * (n - 1) / 2), 0) from (select count(*) n from ev group by person_id))
        """
    ).fetchall()[0]
    metrics.update(_prf("pairwise", float(tp), float(predicted), float(actual)))
    precision, recall = con.execute(
        """
        with overlap as (select customer_id, person_id, count(*) n from ev group by all),
             c as (select customer_id, count(*) n from ev group by all),
             p as (select person_id, count(*) n from ev group by all)
        select sum(b.n * b.n / c.n) / sum(b.n), sum(b.n * b.n / p.n) / sum(b.n)
        from overlap b join c using (customer_id) join p using (person_id)
        """
    ).fetchall()[0]
    metrics.update(_f1("bcubed", float(precision or 0.0), float(recall or 0.0)))
    metrics.update(_hard_negatives(con, truth.with_name("hard_negatives.parquet")))
    metrics["blocking_recall"] = _blocking_recall(con, blocks)
    return metrics


def _prf(prefix: str, tp: float, predicted: float, actual: float) -> dict[str, float]:
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    return _f1(prefix, precision, recall)


def _f1(prefix: str, precision: float, recall: float) -> dict[str, float]:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {f"{prefix}_precision": precision, f"{prefix}_recall": recall, f"{prefix}_f1": f1}


def _hard_negatives(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, float]:
    if not path.is_file():
        return {}
    rows = con.execute(
        """
        with pairs as (
            select distinct person_a, person_b, kind from read_parquet($path)
        ),
        present as (
            select p.* from pairs p
            where p.person_a in (select person_id from ev) and p.person_b in (select person_id from ev)
        ),
        merged as (
            select distinct p.person_a, p.person_b, p.kind
            from present p
            join ev a on a.person_id = p.person_a
            join ev b on b.person_id = p.person_b and b.customer_id = a.customer_id
        )
        select p.kind, count(*) as pairs, count(m.kind) as merged
        from present p left join merged m using (person_a, person_b, kind)
        group by p.kind order by p.kind
        """,
        {"path": str(path)},
    ).fetchall()
    result: dict[str, float] = {}
    total = merged_total = 0
    for kind, pairs, merged in rows:
        result[f"hard_negative_pairs_{kind}"] = pairs
        result[f"hard_negative_merged_{kind}"] = merged
        total += pairs
        merged_total += merged
    result["hard_negative_pairs"] = total
    result["hard_negative_merged"] = merged_total
    result["hard_negative_merged_rate"] = merged_total / total if total else 0.0
    return result


def _blocking_recall(con: duckdb.DuckDBPyConnection, blocks: Sequence[Block]) -> float:
    covered = " or ".join(f"({c})" for c in blocking_conditions(blocks))
    total, hit = con.execute(
        f"""
        with true_pairs as (
            select a.record_key as kl, b.record_key as kr
            from truth a join truth b on a.person_id = b.person_id and a.record_key < b.record_key
            where a.record_key in (select record_key from records)
              and b.record_key in (select record_key from records)
        )
        select count(*),
               count(*) filter (where ({covered}) or rp.record_key_l is not null)
        from true_pairs t
        join records l on l.record_key = t.kl
        join records r on r.record_key = t.kr
        left join rule_pairs rp on rp.record_key_l = t.kl and rp.record_key_r = t.kr
        """
    ).fetchall()[0]
    return float(hit) / float(total) if total else 1.0


def summary(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline figures, formatted for a table."""
    keys = [
        ("pairwise_precision", "{:.4f}"),
        ("pairwise_recall", "{:.4f}"),
        ("pairwise_f1", "{:.4f}"),
        ("bcubed_precision", "{:.4f}"),
        ("bcubed_recall", "{:.4f}"),
        ("bcubed_f1", "{:.4f}"),
        ("hard_negative_merged_rate", "{:.2%}"),
        ("blocking_recall", "{:.4f}"),
        ("records", "{:,.0f}"),
        ("customers", "{:,.0f}"),
        ("people", "{:,.0f}"),
    ]
    return [(k, fmt.format(metrics[k])) for k, fmt in keys if k in metrics]
