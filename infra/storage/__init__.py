"""Delta Lake storage: the only place that touches delta-rs or delta-spark.

Jobs hold a :class:`Lake` and speak in table names; the lake maps a name to ``<lake root>/<name>`` and
hands the work to one of two back ends that write the same open Delta protocol:

- ``delta-rs`` (the embedded default): Spark DataFrames cross to the ``deltalake`` package as Arrow, and
  reads go back to Spark through the table's Parquet files, so reading stays lazy and parallel;
- ``delta-spark``: Delta's own Spark integration, used when its JARs are on the classpath.

Example:
    >>> lake = Lake.from_settings(spark, settings)  # doctest: +SKIP
    >>> lake.merge("customers", updates_df, keys=["customer_id"])  # doctest: +SKIP
"""

from infra.storage.base import (
    Commit,
    Compaction,
    DuplicateKeyError,
    LakeError,
    SchemaMismatchError,
    TableInfo,
    TableNotFoundError,
)
from infra.storage.lake import Lake

__all__ = [
    "Commit",
    "Compaction",
    "DuplicateKeyError",
    "Lake",
    "LakeError",
    "SchemaMismatchError",
    "TableInfo",
    "TableNotFoundError",
]
