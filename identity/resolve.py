"""``cdp identity resolve``: person records -> customers with persistent ids.

Steps: load records into DuckDB; link deterministically (shared identifiers and hard links, with
over-merge guards); score with Splink (all pairs on a full rebuild, or only pairs touching new and changed
records when incremental); cluster rule links and model links above the threshold with the conflict and
size guards; carry ids over from the previous run; publish ``identity_graph``, ``identity_pairs``,
``customer_ids``, ``identity_changes``, ``identity_withheld_identifiers`` and ``identity_runs``.

Publishing only writes real changes, so resolving the same data twice commits nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from pyspark.sql import SparkSession

from identity import charts as identity_charts
from identity import inputs, models, rules
from identity.backends import SplinkRunner
from identity.clustering import cluster, components
from identity.ids import Assignment, IssuedId, assign_ids
from identity.matching import TrainedModel
from infra.errors import UserFacingError
from infra.runs import StepReport, new_run_id
from infra.settings import Settings
from infra.storage import Lake
from schemas.identity import (
    CUSTOMER_IDS,
    IDENTITY_CHANGES,
    IDENTITY_GRAPH,
    IDENTITY_PAIRS,
    IDENTITY_RUNS,
    WITHHELD_IDENTIFIERS,
)
from schemas.silver import PERSON_RECORDS

log = logging.getLogger(__name__)
RULE_STRENGTH = 2.0  # rule links outrank any model probability when the guards rebuild a cluster
DIRECT_RULES = tuple(rules.IDENTIFIER_COLUMNS)  # a rule named after an identifier records hold themselves


@dataclass
class ResolveReport(StepReport):
    """What a resolution run did."""

    digits = 1

    run_id: str
    mode: str
    model_version: str
    records: int = 0
    new_records: int = 0
    customers: int = 0
    singletons: int = 0
    largest_cluster: int = 0
    deterministic_pairs: int = 0
    probabilistic_pairs: int = 0
    pairs_cut_by_guards: int = 0
    merges: int = 0
    splits: int = 0
    new_ids: int = 0
    erased: int = 0
    withheld_identifiers: int = 0
    seconds: float = 0.0
    largest_clusters: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage of the run into ``stage_seconds`` (shown by ``cdp identity resolve``)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + time.perf_counter() - started


def ensure_model(settings: Settings, runner: SplinkRunner, con: duckdb.DuckDBPyConnection) -> TrainedModel:
    """The current model, training and promoting a first one when there is none."""
    model = models.current(settings)
    if model is not None:
        return model
    log.info("No identity model yet: training the first one.")
    model = runner.train(models.next_version(settings))
    models.save(settings, model)
    models.promote(settings, model.version)
    try:
        identity_charts.model_charts(settings, con, model)
    except Exception as exc:  # noqa: BLE001 - charts are a view; a failure is reported, not fatal
        log.warning("Model charts were not written: %s: %s", type(exc).__name__, exc)
    return model


def run(
    spark: SparkSession,
    settings: Settings,
    lake: Lake,
    *,
    full_rebuild: bool = False,
    run_id: str | None = None,
    as_of: dt.date | None = None,
    spark_factory: Callable[[], SparkSession] | None = None,
    charts: bool = True,
) -> ResolveReport:
    """Resolve identities and publish the identity tables.

    Args:
        full_rebuild: score every pair again instead of only pairs touching new or changed records.
        run_id: recorded in every table (default: generated).
        as_of: business date of the run (default: today in the settings' time zone).
        charts: write Splink's cluster studio and waterfall charts for the largest customers.
    """
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    run_id = run_id or new_run_id("identity", now)
    as_of = as_of or now.date()
    if not lake.exists(PERSON_RECORDS.name):
        raise inputs_missing()
    con = inputs.connect(settings)
    report = ResolveReport(run_id=run_id, mode="", model_version="")
    try:
        with report.stage("load"):
            report.records = inputs.load(con, lake)
            runner = SplinkRunner(settings, con, spark_factory or (lambda: spark))
        with report.stage("model"):
            model = ensure_model(settings, runner, con)
        with report.stage("load"):
            previous = _previous(con, lake)
        report.model_version = model.version
        report.mode = (
            "full" if full_rebuild or previous is None or previous != model.version else "incremental"
        )
        assignment = resolve_in(con, settings, runner, model, lake, report)
        with report.stage("publish"):
            report.versions = _publish(lake, con, report, assignment, now)
        if charts:
            with report.stage("charts"):
                try:
                    identity_charts.resolution_charts(settings, con, model, report.largest_clusters)
                except Exception as exc:  # noqa: BLE001 - charts are a view; a failure is reported, not fatal
                    log.warning("Identity charts were not written: %s: %s", type(exc).__name__, exc)
    finally:
        con.close()
    report.seconds = time.perf_counter() - started
    with report.stage("publish"):
        _record_run(lake, report, as_of)
    log.info(
        "Identity run %s (%s): %s",
        run_id,
        report.mode,
        ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.stage_seconds.items()),
    )
    return report


def resolve_in(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    runner: SplinkRunner,
    model: TrainedModel,
    lake: Lake,
    report: ResolveReport,
) -> Assignment:
    """Link, score, cluster and assign ids inside ``con``; nothing is written to the lake.

    Leaves ``edges`` (every pair, with ``is_linked``) and ``assigned`` (record -> customer id) in ``con``.
    """
    clustering = link_and_cluster(con, settings, runner, model, report)
    with report.stage("ids"):
        assignment = _assign_ids(con, lake, clustering)
        _describe(con, report, assignment)
    return assignment


def link_and_cluster(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    runner: SplinkRunner,
    model: TrainedModel,
    report: ResolveReport,
) -> Clusters:
    """The resolution core over ``records`` and ``links`` in ``con``, without the lake: rule links with
    their guards, Splink scores (all pairs, or those touching new records in incremental mode) and
    guarded clustering. Leaves ``edges`` in ``con``."""
    with report.stage("rules"):
        report.deterministic_pairs, report.withheld_identifiers = rules.link(
            con, settings.identity, model.guards()
        )
    with report.stage("score"):
        report.new_records = _score(con, runner, model, settings, report.mode)
    with report.stage("cluster"):
        return _cluster(con, settings, report)


def inputs_missing() -> Exception:
    return UserFacingError(
        f"Table {PERSON_RECORDS.name} does not exist yet: run `cdp ingest` and `cdp standardise` first."
    )


def _previous(con: duckdb.DuckDBPyConnection, lake: Lake) -> str | None:
    """Load the previous graph and pairs; returns the model version they were made with (None: none)."""
    if not lake.exists(IDENTITY_GRAPH.name) or not lake.exists(IDENTITY_RUNS.name):
        con.execute(
            "create or replace table prev_graph "
            "(record_key varchar, customer_id varchar, record_hash varchar)"
        )
        con.execute(
            "create or replace table prev_pairs (record_key_l varchar, record_key_r varchar, method varchar, "
            "match_weight double, match_probability double)"
        )
        return None
    graph = lake.read_arrow(IDENTITY_GRAPH.name, ["record_key", "customer_id", "record_hash"])
    inputs.materialise(con, "prev_graph", graph)
    pairs = lake.read_arrow(
        IDENTITY_PAIRS.name, ["record_key_l", "record_key_r", "method", "match_weight", "match_probability"]
    ) if lake.exists(IDENTITY_PAIRS.name) else None  # fmt: skip
    if pairs is not None:
        # Only model scores are carried over; rule pairs are rebuilt every run.
        inputs.materialise(con, "prev_pairs", pairs, where="method = 'probabilistic'")
    runs = lake.read_arrow(IDENTITY_RUNS.name, ["finished_at", "model_version"]).to_pylist()
    if not runs:
        return None
    return str(max(runs, key=lambda r: r["finished_at"])["model_version"])


def _score(
    con: duckdb.DuckDBPyConnection, runner: SplinkRunner, model: TrainedModel, settings: Settings, mode: str
) -> int:
    """Fill ``scored_pairs``; returns how many records were scored."""
    threshold = settings.identity.review_threshold
    if mode == "full":
        inputs.materialise(con, "scored_pairs", runner.score_all(model, threshold))
        return int(con.execute("select count(*) from records").fetchall()[0][0])
    con.execute(
        """
        create or replace table new_keys as
        select r.record_key from records r left join prev_graph g using (record_key)
        where g.record_key is null or g.record_hash is distinct from r.record_hash
        """
    )
    new = int(con.execute("select count(*) from new_keys").fetchall()[0][0])
    kept = """
        select p.record_key_l, p.record_key_r, p.match_weight, p.match_probability from prev_pairs p
        where p.record_key_l in (select record_key from records)
          and p.record_key_r in (select record_key from records)
          and p.record_key_l not in (select record_key from new_keys)
          and p.record_key_r not in (select record_key from new_keys)
    """
    if new:
        inputs.materialise(con, "scored_new", runner.score_new(model, threshold))
        con.execute(f"create or replace table scored_pairs as {kept} union all select * from scored_new")
        con.execute("drop table scored_new")
    else:
        con.execute(f"create or replace table scored_pairs as {kept}")
    return new


@dataclass(frozen=True)
class Clusters:
    """Records (``keys``, in record-key order) and the cluster label of each."""

    keys: list[str]
    labels: np.ndarray

    def as_arrow(self) -> pa.Table:
        """record_key -> customer (the cluster label as text)."""
        return pa.table({"record_key": self.keys, "customer": [str(x) for x in self.labels.tolist()]})


def _cluster(con: duckdb.DuckDBPyConnection, settings: Settings, report: ResolveReport) -> Clusters:
    threshold = settings.identity.match_threshold
    con.execute(
        f"""
        create or replace table edges as
        select record_key_l, record_key_r, 'deterministic' as method, rule,
               null::double as match_weight, 1.0::double as match_probability,
               -- More identifiers in common make a stronger link when the guards rebuild a cluster;
               -- a link only through a device or another hard link is the weakest.
               {RULE_STRENGTH} + 0.1 * len(list_filter(string_split(rule, ', '),
                                                      lambda x: x in {DIRECT_RULES}))::double as strength
        from rule_pairs
        union all
        select s.record_key_l, s.record_key_r, 'probabilistic',
               -- A model link is refused between records whose contacts differ, or with no personal
               -- evidence beyond a shared place (see identity.rules): the model scores each field
               -- independently, so a rare name and a shared birth date outweigh everything else for
               -- namesakes and twins, and a shared address does the same for a household.
               case when contacts_differ(l.email, l.phone, l.city, l.postcode,
                                         r.email, r.phone, r.city, r.postcode)
                    then 'splink, contacts differ'
                    when not corroborated(l.given, l.family, l.dob, l.email, l.phone, l.address_line,
                                          l.postcode, l.house_number, r.given, r.family, r.dob, r.email,
                                          r.phone, r.address_line, r.postcode, r.house_number)
                    then 'splink, uncorroborated'
                    else 'splink' end,
               s.match_weight, s.match_probability, s.match_probability
        from scored_pairs s
        join records l on l.record_key = s.record_key_l
        join records r on r.record_key = s.record_key_r
        anti join rule_pairs p on p.record_key_l = s.record_key_l and p.record_key_r = s.record_key_r
        """
    )
    # Records are nodes 0..n-1 in record-key order; DuckDB maps edge ends to them (no Python dicts).
    con.execute(
        "create or replace table record_index as "
        "select record_key, (row_number() over (order by record_key) - 1)::bigint as i from records"
    )
    keys = con.sql("select record_key from record_index order by i").to_arrow_table().column(0).to_pylist()
    linking = con.sql(
        f"""
        select e.record_key_l, e.record_key_r, l.i as left_i, r.i as right_i, e.strength
        from edges e
        join record_index l on l.record_key = e.record_key_l
        join record_index r on r.record_key = e.record_key_r
        where e.method = 'deterministic' or (e.rule = 'splink' and e.match_probability >= {threshold})
        order by e.record_key_l, e.record_key_r
        """
    ).to_arrow_table()
    left = linking.column("left_i").to_numpy().astype(np.int64)
    right = linking.column("right_i").to_numpy().astype(np.int64)
    strength = linking.column("strength").to_numpy()
    labels = components(len(keys), left, right)
    inputs.materialise(con, "component", pa.table({"i": np.arange(len(keys)), "component": labels}))
    conflicts = con.execute(
        """
        with sizes as (select component from component group by component having count(*) > 1)
        select a.i, b.i
        from component a
        join component b on a.component = b.component and a.i < b.i
        join record_index ka on ka.i = a.i
        join record_index kb on kb.i = b.i
        join records l on l.record_key = ka.record_key
        join records r on r.record_key = kb.record_key
        where a.component in (select component from sizes)
          and (
              conflict(
                  l.given, l.given_raw, l.family, l.dob, l.chinese_name, l.given_aliases,
                  r.given, r.given_raw, r.family, r.dob, r.chinese_name, r.given_aliases
              )
              -- Named records whose contacts differ are namesakes: within one source by the usual
              -- test, across sources when email, phone and city all differ.
              or (l.given is not null and r.given is not null
                  and ((l.source = r.source
                        and contacts_differ(
                            l.email, l.phone, l.city, l.postcode, r.email, r.phone, r.city, r.postcode
                        ))
                       or coalesce(differs(l.email, r.email) and differs(l.phone, r.phone)
                                   and l.city <> r.city, false)))
          )
        """
    ).fetchall()
    result = cluster(
        len(keys),
        left,
        right,
        strength,
        [(int(a), int(b)) for a, b in conflicts],
        settings.identity.max_cluster_size,
    )
    cut = sorted(result.cut_edges)
    report.pairs_cut_by_guards = len(cut)
    inputs.materialise(
        con,
        "cut",
        pa.table(
            {
                "record_key_l": [linking.column("record_key_l")[i].as_py() for i in cut],
                "record_key_r": [linking.column("record_key_r")[i].as_py() for i in cut],
            },
            schema=pa.schema([("record_key_l", pa.string()), ("record_key_r", pa.string())]),
        ),
    )
    con.execute(
        f"""
        create or replace table edges as
        select e.*,
               (e.method = 'deterministic' or (e.rule = 'splink' and e.match_probability >= {threshold}))
               and c.record_key_l is null as is_linked
        from edges e left join cut c using (record_key_l, record_key_r)
        """
    )
    con.execute("drop table cut")
    con.execute("drop table component")
    con.execute("drop table record_index")
    report.deterministic_pairs = int(
        con.execute("select count(*) from edges where is_linked and method = 'deterministic'").fetchall()[0][
            0
        ]
    )
    report.probabilistic_pairs = int(
        con.execute("select count(*) from edges where is_linked and method = 'probabilistic'").fetchall()[0][
            0
        ]
    )
    return Clusters(keys, result.labels)


def _assign_ids(con: duckdb.DuckDBPyConnection, lake: Lake, clusters: Clusters) -> Assignment:
    prev = con.sql("select record_key, customer_id from prev_graph").to_arrow_table()
    previous = dict(zip(prev.column(0).to_pylist(), prev.column(1).to_pylist(), strict=True))
    registry: dict[str, IssuedId] = {}
    if lake.exists(CUSTOMER_IDS.name):
        for row in lake.read_arrow(CUSTOMER_IDS.name, ["customer_id", "created_at", "status"]).to_pylist():
            registry[row["customer_id"]] = IssuedId(row["customer_id"], row["created_at"], row["status"])
    reasons = _reasons(con, clusters)
    assignment = assign_ids(
        dict(zip(clusters.keys, clusters.labels.tolist(), strict=True)), previous, registry, reasons
    )
    inputs.materialise(
        con,
        "assigned",
        pa.table({"record_key": list(assignment.ids), "customer_id": list(assignment.ids.values())}),
    )
    return assignment


def _reasons(con: duckdb.DuckDBPyConnection, clusters: Clusters) -> dict[int, str]:
    """Why each multi-record cluster formed: the rules and the model links inside it."""
    inputs.materialise(con, "labels", pa.table({"record_key": clusters.keys, "label": clusters.labels}))
    rows = con.execute(
        """
        select l.label, list_aggregate(list_sort(list_distinct(list(e.rule))), 'string_agg', ', ')
        from edges e join labels l on l.record_key = e.record_key_l
        where e.is_linked
        group by l.label
        """
    ).fetchall()
    con.execute("drop table labels")
    return {int(label): f"records linked by {rules_used}" for label, rules_used in rows}


def _describe(con: duckdb.DuckDBPyConnection, report: ResolveReport, assignment: Assignment) -> None:
    sizes = con.execute(
        "select customer_id, count(*) n from assigned group by customer_id order by n desc, customer_id"
    ).fetchall()
    report.customers = len(sizes)
    report.singletons = sum(1 for _, n in sizes if n == 1)
    report.largest_cluster = int(sizes[0][1]) if sizes else 0
    report.largest_clusters = [c for c, _ in sizes[:10]]
    report.merges = sum(1 for c in assignment.changes if c.change_type == "merge")
    report.splits = sum(1 for c in assignment.changes if c.change_type == "split")
    report.new_ids = sum(1 for c in assignment.changes if c.change_type == "new")
    report.erased = len(assignment.erased)


def _publish(
    lake: Lake,
    con: duckdb.DuckDBPyConnection,
    report: ResolveReport,
    assignment: Assignment,
    now: dt.datetime,
) -> dict[str, int]:
    meta = {"run_id": report.run_id, "model_version": report.model_version, "mode": report.mode}
    versions: dict[str, int] = {}
    graph = con.sql(
        """
        with linked as (
            select record_key_l as record_key, method, rule, match_probability, strength
            from edges where is_linked
            union all
            select record_key_r, method, rule, match_probability, strength from edges where is_linked
        ),
        best as (
            select record_key,
                   first(method order by strength desc, rule) as method,
                   first(rule order by strength desc, rule) as rule,
                   max(match_probability) as match_probability
            from linked group by record_key
        ),
        sizes as (select customer_id, count(*) as cluster_size from assigned group by customer_id)
        select a.record_key, a.customer_id, r.source,
               coalesce(b.method, 'singleton') as link_method, b.rule as link_rule, b.match_probability,
               s.cluster_size, r.record_hash, $run_id as run_id, $now::timestamptz as updated_at
        from assigned a
        join records r using (record_key)
        join sizes s using (customer_id)
        left join best b using (record_key)
        order by a.record_key
        """,
        params={"run_id": report.run_id, "now": now.isoformat()},
    ).to_arrow_table()
    lake.create(
        IDENTITY_GRAPH.name, IDENTITY_GRAPH.spark_schema, properties=IDENTITY_GRAPH.properties,
        description=IDENTITY_GRAPH.description,
    )  # fmt: skip
    versions[IDENTITY_GRAPH.name] = lake.sync(
        IDENTITY_GRAPH.name, IDENTITY_GRAPH.to_arrow(graph), ["record_key"],
        ignore_changes_in=["run_id", "updated_at"], metadata=meta,
    )  # fmt: skip
    del graph  # a million rows: let go before the pairs are built
    pairs = con.sql(
        """
        select record_key_l, record_key_r, method, rule, match_weight, match_probability, is_linked,
               $run_id as run_id
        from edges order by record_key_l, record_key_r
        """,
        params={"run_id": report.run_id},
    ).to_arrow_table()
    lake.create(IDENTITY_PAIRS.name, IDENTITY_PAIRS.spark_schema, description=IDENTITY_PAIRS.description)
    versions[IDENTITY_PAIRS.name] = lake.sync(
        IDENTITY_PAIRS.name, IDENTITY_PAIRS.to_arrow(pairs), ["record_key_l", "record_key_r"],
        ignore_changes_in=["run_id"], metadata=meta,
    )  # fmt: skip
    del pairs
    withheld = rules.withheld_report(con, report.run_id)
    lake.create(WITHHELD_IDENTIFIERS.name, WITHHELD_IDENTIFIERS.spark_schema)
    versions[WITHHELD_IDENTIFIERS.name] = lake.sync(
        WITHHELD_IDENTIFIERS.name, WITHHELD_IDENTIFIERS.to_arrow(withheld),
        ["identifier_type", "value_hash"], ignore_changes_in=["run_id"], metadata=meta,
    )  # fmt: skip
    run = report.run_id
    registry_rows: list[tuple[Any, ...]] = [
        (cid, "active", None, now, run, None, None) for cid in assignment.created
    ]
    registry_rows += [(cid, "merged", into, now, run, now, run) for cid, into in assignment.merged.items()]
    registry_rows += [(cid, "erased", None, now, run, now, run) for cid in assignment.erased]
    if registry_rows or not lake.exists(CUSTOMER_IDS.name):
        lake.create(CUSTOMER_IDS.name, CUSTOMER_IDS.spark_schema, properties=CUSTOMER_IDS.properties)
        updates = CUSTOMER_IDS.rows_to_arrow(registry_rows)
        # A retired id keeps its creation time; only its status, target and retirement change.
        lake.merge(
            CUSTOMER_IDS.name,
            updates,
            ["customer_id"],
            update_condition="s.status <> 'active'",
            metadata=meta,
        )
    versions[CUSTOMER_IDS.name] = lake.version(CUSTOMER_IDS.name)
    changes = [
        (report.run_id, now, c.change_type, c.customer_id, c.related_customer_id, c.record_count, c.reason)
        for c in assignment.changes
    ]
    lake.create(IDENTITY_CHANGES.name, IDENTITY_CHANGES.spark_schema, properties=IDENTITY_CHANGES.properties)
    if changes:
        lake.merge(
            IDENTITY_CHANGES.name,
            IDENTITY_CHANGES.rows_to_arrow(changes),
            ["run_id", "change_type", "customer_id"],
            metadata=meta,
        )
    versions[IDENTITY_CHANGES.name] = lake.version(IDENTITY_CHANGES.name)
    return versions


def _record_run(lake: Lake, report: ResolveReport, as_of: dt.date) -> None:
    row = (
        report.run_id, as_of, dt.datetime.now(dt.UTC), report.mode, report.model_version, report.records,
        report.new_records, report.customers, report.singletons, report.largest_cluster,
        report.deterministic_pairs, report.probabilistic_pairs, report.pairs_cut_by_guards, report.merges,
        report.splits, report.new_ids, report.withheld_identifiers, report.seconds, report.largest_clusters,
    )  # fmt: skip
    lake.create(IDENTITY_RUNS.name, IDENTITY_RUNS.spark_schema)
    lake.merge(IDENTITY_RUNS.name, IDENTITY_RUNS.rows_to_arrow([row]), ["run_id"])
