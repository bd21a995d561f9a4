"""Shared shape of the silver entity jobs: latest version per id, standardised, merged by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from infra.storage import Lake
from jobs.silver.common import latest_per_key, read_bronze
from schemas.core import TableSchema


def publish_entities(
    lake: Lake,
    table: TableSchema,
    bronze: str,
    key: str,
    transform: Callable[[DataFrame], DataFrame],
    batches: Sequence[dt.date] | None,
    run_id: str,
    newest_first: str = "updated_at",
) -> int:
    """Standardise the latest version of each entity in ``bronze`` and write it to ``table``.

    With ``batches`` the rows of those batches are merged in (a row only replaces an older version);
    without, the table is rebuilt from all of bronze. Returns the table version written, or -1 when bronze
    does not exist yet.
    """
    source = read_bronze(lake, bronze, batches)
    if source is None:
        return -1
    order = [F.col(newest_first).desc(), F.col("batch_date").desc(), F.col("line_number").desc()]
    latest = latest_per_key(source, [key], order)
    df = transform(latest).select(*table.column_names)
    lake.create(table.name, table.spark_schema, properties=table.properties, description=table.description)
    metadata = {"run_id": run_id, "batches": "all" if not batches else ",".join(map(str, batches))}
    if not batches:
        return lake.overwrite(table.name, df, metadata=metadata)
    newer = "s.updated_at > t.updated_at OR (s.updated_at = t.updated_at AND s.batch_date >= t.batch_date)"
    lake.merge(table.name, df, [key], update_condition=newer, metadata=metadata)
    return lake.version(table.name)
