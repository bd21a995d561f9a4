"""Shared shape of the silver event jobs: rows of some batches (or all), transformed, partition-replaced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import DataFrame

from infra.storage import Lake
from schemas.core import TableSchema


def publish_events(
    lake: Lake, table: TableSchema, df: DataFrame, batches: Sequence[dt.date] | None, run_id: str
) -> int:
    """Write events: replace the rows of ``batches``, or the whole table when ``batches`` is None.

    A rerun of the same batches therefore gives the same table content. Returns the version written.
    """
    df = df.select(*table.column_names)
    lake.create(table.name, table.spark_schema, properties=table.properties, description=table.description)
    metadata = {"run_id": run_id, "batches": "all" if not batches else ",".join(map(str, batches))}
    where = {"batch_date": list(batches)} if batches else None
    return lake.overwrite(table.name, df, where=where, metadata=metadata)
