"""Running Splink on DuckDB (embedded default) or Spark, over the same records and the same model.

Both back ends read the ``records`` table prepared in DuckDB, so they see identical input; scored pairs
come back as Arrow with the pair in canonical order (``record_key_l < record_key_r``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from identity import fields, matching
from identity.matching import TrainedModel
from infra.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)
PAIR_COLUMNS = ("record_key_l", "record_key_r", "match_weight", "match_probability")


class SplinkRunner:
    """Train and score with Splink on the configured back end."""

    def __init__(
        self, settings: Settings, con: duckdb.DuckDBPyConnection, spark: Callable[[], SparkSession]
    ) -> None:
        self.settings = settings
        self.con = con
        self.backend = settings.splink_backend
        self._spark_factory = spark
        self._api: Any = None
        self._spark_records: Any = None

    def _db_api(self) -> Any:
        if self._api is None:
            if self.backend == "duckdb":
                from splink import DuckDBAPI

                self._api = DuckDBAPI(connection=self.con)
            else:
                from splink import SparkAPI

                self._api = SparkAPI(spark_session=self._spark_factory())
        return self._api

    def _records(self, name: str, where: str = "") -> Any:
        """Register (a subset of) ``records`` with Splink under ``name``."""
        api = self._db_api()
        query = f"select * from records {where}"
        if self.backend == "duckdb":
            # A view: Splink copies what it needs into its own tables, so a second copy of the records
            # would only hold memory.
            self.con.execute(f"create or replace view {name} as {query}")
            return api.register(name)
        spark = self._spark_factory()
        data = self.con.sql(query).to_arrow_table()
        return api.register(spark.createDataFrame(data), table_name=name)

    def train(self, version: str) -> TrainedModel:
        """Train a new model version on all records."""
        profile = fields.FieldProfile.of(self.con)
        plan = fields.plan(self.con, profile)
        log.info(
            "Identity training on %d records with fields %s; EM blocks %s",
            profile.records, ", ".join(plan.fields), plan.em_blocks,
        )  # fmt: skip
        if not plan.fields:
            log.warning(
                "Identity has no probabilistic model for these records (usable fields: email or phone "
                "only); shared values link them."
            )
            return matching.rules_only(version, profile.records, profile.to_json())
        try:
            model = matching.train(
                self._records("train_records"),
                self.settings.identity,
                version,
                profile.records,
                plan,
                profile.to_json(),
            )
        finally:
            self.release()
        return model.with_blocking_recall(self.expected_blocking_recall(model, profile))

    def expected_blocking_recall(self, model: TrainedModel, profile: fields.FieldProfile) -> float | None:
        """The share of the matches ``model`` finds in broad single-field probe blocks that its own
        prediction blocks reach too: an estimate, without truth, of the pairs it can see at all.

        None when no probe block is small enough to score, or the probes find no match.
        """
        probes = fields.probe_blocks(self.con, profile)
        if not probes:
            return None
        probe = replace(model, plan=replace(model.plan, prediction_blocks=probes))
        linker = matching.linker_for(self._records("probe_records"), probe, retain_columns=False)
        try:
            found = _pairs(matching.score(linker, probe, self.settings.identity.match_threshold))
        finally:
            self.release()
        covered = " or ".join(f"({c})" for c in matching.block_conditions(model.plan.prediction_blocks))
        self.con.register("probe_found", found)
        try:
            total, seen = self.con.execute(
                f"""
                select count(*), count(*) filter (where {covered})
                from probe_found p
                join records l on l.record_key = p.record_key_l
                join records r on r.record_key = p.record_key_r
                """
            ).fetchall()[0]
        finally:
            self.con.unregister("probe_found")
        return float(seen) / float(total) if total else None

    def score_all(self, model: TrainedModel, threshold: float) -> pa.Table:
        """Score every blocked pair of records."""
        if not model.plan.fields:
            return _pairs([])
        linker = matching.linker_for(self._records("score_records"), model, retain_columns=False)
        try:
            return _pairs(matching.score(linker, model, threshold))
        finally:
            self.release()

    def score_new(self, model: TrainedModel, threshold: float) -> pa.Table:
        """Score the records in ``new_keys`` against each other and against all other records."""
        if not model.plan.fields:
            return _pairs([])
        records = self._records("score_records")
        linker = matching.linker_for(records, model, retain_columns=False)
        new = self._records("new_records", "where record_key in (select record_key from new_keys)")
        existing = self._records(
            "existing_records", "where record_key not in (select record_key from new_keys)"
        )
        try:
            return _pairs(matching.score(linker, model, threshold, existing=existing, new=new))
        finally:
            self.release()

    def release(self) -> None:
        """Drop the tables Splink made in DuckDB (records with term frequencies, blocked pairs, scores).

        At a million records they hold gigabytes the rest of the run does not need. The next use starts
        a fresh Splink API, whose cache does not point at the dropped tables.
        """
        if self.backend != "duckdb" or self._api is None:
            return
        self._api.delete_tables_created_by_splink_from_db()
        self._api = None


def _pairs(frames: list[Any]) -> pa.Table:
    tables = []
    for frame in frames:
        table = frame.as_pyarrow_table().select(list(PAIR_COLUMNS))
        left, right = table.column("record_key_l"), table.column("record_key_r")
        swap = pc.greater(left, right)
        tables.append(
            pa.table(
                {
                    "record_key_l": pc.if_else(swap, right, left),
                    "record_key_r": pc.if_else(swap, left, right),
                    "match_weight": pc.cast(table.column("match_weight"), pa.float64()),
                    "match_probability": pc.cast(table.column("match_probability"), pa.float64()),
                }
            )
        )
    if not tables:
        return pa.table(
            {c: pa.array([], pa.string() if c.startswith("record") else pa.float64()) for c in PAIR_COLUMNS}
        )
    return pa.concat_tables(tables)
