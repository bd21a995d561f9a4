"""Lake maintenance: small files compacted, VACUUM within Delta's safety margin, nothing else changed."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import SparkSession

from infra.settings import Settings
from infra.storage import Lake, TableNotFoundError
from jobs import maintenance


def small_files(spark: SparkSession, lake: Lake, table: str, files: int) -> list[tuple[Any, ...]]:
    for n in range(files):
        rows = spark.createDataFrame([(f"c{n}", n)], "customer_id string, points long").coalesce(1)
        lake.append(table, rows)
    return sorted(tuple(r) for r in lake.read(table).collect())


def test_tables_with_many_small_files_are_compacted(spark: SparkSession, settings: Settings) -> None:
    lake = Lake.from_settings(spark, settings)
    busy = small_files(spark, lake, "busy", settings.maintenance.optimize_min_files)
    quiet = small_files(spark, lake, "quiet", 2)
    report = maintenance.run(settings, lake, run_id="m-1")
    by_table = {t.table: t for t in report.tables}
    assert (by_table["busy"].files_before, by_table["busy"].files_after) == (8, 1)
    assert by_table["busy"].compacted and not by_table["quiet"].compacted
    assert (by_table["quiet"].files_before, by_table["quiet"].files_after) == (2, 2)
    # Nothing is older than the week VACUUM keeps: time travel still reads the first version.
    assert all(t.vacuumed_files == 0 for t in report.tables)
    assert sorted(tuple(r) for r in lake.read("busy").collect()) == busy
    assert sorted(tuple(r) for r in lake.read("quiet").collect()) == quiet
    assert lake.read("busy", version=1).count() == 1
    assert report.to_dict()["files_before"] == 10 and report.to_dict()["files_after"] == 3
    again = maintenance.run(settings, lake, run_id="m-2")
    assert not any(t.compacted for t in again.tables)


def test_a_dry_run_changes_nothing_and_unknown_tables_are_named(
    spark: SparkSession, settings: Settings
) -> None:
    lake = Lake.from_settings(spark, settings)
    small_files(spark, lake, "busy", 9)
    version = lake.version("busy")
    report = maintenance.run(settings, lake, run_id="m-1", dry_run=True)
    assert lake.version("busy") == version and report.tables[0].files_after == 9
    with pytest.raises(TableNotFoundError, match="No table nope"):
        maintenance.run(settings, lake, run_id="m-2", tables=["nope"])
