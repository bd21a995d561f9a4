"""Splink's HTML charts under ``<reports>/identity``: what the model learned and what it did.

- ``model-<version>-match-weights.html`` and ``-m-u.html``: the trained weights, written at training;
- ``waterfall.html``: field-by-field match weights for sample linked pairs;
- ``cluster-studio.html``: the largest customers, their records and the links between them.

Charts are self-contained files (their JavaScript inlined), so they open without network access.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb

from identity.matching import TrainedModel, linker_for, tf_columns
from infra.settings import Settings

log = logging.getLogger(__name__)


def folder(settings: Settings) -> Path:
    """Where identity charts go."""
    path = settings.paths.reports / "identity"
    path.mkdir(parents=True, exist_ok=True)
    return path


def model_charts(settings: Settings, con: duckdb.DuckDBPyConnection, model: TrainedModel) -> list[Path]:
    """Match-weight and m/u charts of a model (needs ``records`` in ``con``); none for a rules-only model."""
    from splink import DuckDBAPI

    if not model.plan.fields:
        return []

    linker = linker_for(DuckDBAPI(connection=con).register("records"), model)
    out = folder(settings)
    written = []
    for name, chart in (
        ("match-weights", linker.visualisations.match_weights_chart()),
        ("m-u", linker.visualisations.m_u_parameters_chart()),
    ):
        path = out / f"model-{model.version}-{name}.html"
        chart.save_offline_chart(str(path), overwrite=True, print_msg=False)
        written.append(path)
    return written


def resolution_charts(
    settings: Settings, con: duckdb.DuckDBPyConnection, model: TrainedModel, largest: list[str]
) -> list[Path]:
    """Waterfall of sample linked pairs and a cluster studio of the largest customers.

    Needs ``records``, ``edges`` and ``assigned`` in ``con`` (left there by a resolution run). A
    rules-only model scores nothing, so it has no charts.
    """
    if not model.plan.fields:
        return []
    from splink import DuckDBAPI

    if not largest:
        return []
    api = DuckDBAPI(connection=con)
    ids = ", ".join(f"'{c}'" for c in largest[:10])
    con.execute(
        f"""
        create or replace table chart_records as
        select r.*, a.customer_id as cluster_id from records r join assigned a using (record_key)
        where a.customer_id in ({ids})
        """
    )
    linker = linker_for(api.register("records"), model)
    sample = api.register("chart_records")
    for column in tf_columns(model.plan):  # predict_within scores with the whole data set's term frequencies
        linker.table_management.compute_tf_table(column)
    predictions = linker.inference.predict_within(sample, warning_mode="never")
    out = folder(settings)
    written: list[Path] = []
    studio = out / "cluster-studio.html"
    clustered = api.register("chart_records", table_name="chart_clusters")
    linker.visualisations.cluster_studio_dashboard(
        predictions, clustered, str(studio), sampling_method="by_cluster_size", sample_size=10, overwrite=True
    )
    written.append(studio)
    records: list[dict[str, Any]] = predictions.as_record_list(limit=5)
    if records:
        path = out / "waterfall.html"
        linker.visualisations.waterfall_chart(records, filter_nulls=False).save_offline_chart(
            str(path), overwrite=True, print_msg=False
        )
        written.append(path)
    return written
