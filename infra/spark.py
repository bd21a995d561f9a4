"""The Spark session factory.

One place decides how Spark is configured: a local session tuned for a small machine by default, a cluster
by setting ``spark.master``. JARs are only ever taken from local files (Splink's similarity UDFs, and
Delta's, which ``make install`` fetched into ``.jars/delta``); ``spark.jars.packages`` is refused: a session
must never depend on reaching a repository when it starts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from infra.errors import UserFacingError
from infra.jars import JARS_DIR, JarsError, installed_jars, missing_message
from infra.settings import Settings, SettingsError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MIN_JAVA = 17
LOOPBACK_MASTER = re.compile(r"^spark://(127\.0\.0\.1|localhost)(:\d+)?$")
LOG4J_FILE = Path(__file__).with_name("log4j2.properties")
DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"


class JavaMissingError(UserFacingError):
    """Java 17 or newer is needed to run Spark and was not found."""


@lru_cache(maxsize=1)
def java_version() -> int | None:
    """The major version of the ``java`` on PATH (or under JAVA_HOME), or None when there is none."""
    java = shutil.which("java")
    if java is None:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 reports itself as "1.8".
    return int(match.group(2) or 0) if major == 1 else major


def require_java() -> int:
    """Return the Java major version, or raise with install instructions when it is missing or too old."""
    version = java_version()
    if version is None or version < MIN_JAVA:
        found = "no java on PATH" if version is None else f"Java {version}"
        raise JavaMissingError(
            f"Spark needs Java {MIN_JAVA} or newer, found {found}. Install it (Debian/Ubuntu: "
            "`apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and make sure "
            "`java -version` works, or set JAVA_HOME."
        )
    return version


def delta_jars_folder(settings: Settings) -> Path:
    """Where Delta's Spark JARs are: ``spark.delta_jars_dir``, or the project's ``.jars/delta``."""
    return settings.spark.delta_jars_dir or JARS_DIR


def delta_spark_jars(settings: Settings) -> list[Path]:
    """Delta's Spark JARs in :func:`delta_jars_folder` (empty when absent)."""
    return installed_jars(delta_jars_folder(settings))


def driver_memory(setting: str) -> str:
    """``spark.driver.memory`` for a setting: as given, or for ``auto`` a quarter of the machine's
    memory between 2 and 8 GB. In a local session the driver's heap is also the executors', and at
    100,000 people the profile build's joins and aggregations need more than 4 GB of it.

    Example:
        >>> driver_memory("3g")
        '3g'
    """
    if setting != "auto":
        return setting
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4g"
    return f"{min(8, max(2, round(total / 4 / 1024**3)))}g"


def spark_conf(settings: Settings) -> dict[str, str]:
    """The full Spark configuration the factory applies, for inspection and tests."""
    from splink.backends.spark import similarity_jar_location

    if any(key == "spark.jars.packages" for key in settings.spark.conf):
        raise SettingsError(
            "Invalid setting 'spark.conf.spark.jars.packages': JARs must come from local files "
            "(spark.delta_jars_dir or spark.conf.spark.jars), never from Maven at session start."
        )
    work = settings.paths.work
    jars = [similarity_jar_location(), *(str(p) for p in delta_spark_jars(settings))]
    conf = {
        "spark.master": settings.spark.master,
        "spark.app.name": settings.spark.app_name,
        "spark.driver.memory": driver_memory(settings.spark.driver_memory),
        # The guard on frames crossing to the driver: Spark aborts a collect past it before the driver
        # runs out of memory, and the lake then writes that frame with delta-spark (infra.storage.lake).
        "spark.driver.maxResultSize": settings.spark.max_result_size,
        "spark.sql.shuffle.partitions": str(settings.spark.shuffle_partitions),
        "spark.default.parallelism": str(settings.spark.shuffle_partitions),
        # All timestamps are stored and computed in UTC; business dates use settings.timezone explicitly.
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "true",
        "spark.sql.adaptive.enabled": "true",
        # Shuffles start in 8x the configured partitions and adaptive execution merges them back to
        # 64 MB each: small runs still get a few tasks, while at 100,000 people each sort and aggregation
        # holds an eighth of what it would, within a 4 GB local session.
        "spark.sql.adaptive.coalescePartitions.initialPartitionNum": str(
            max(32, 8 * settings.spark.shuffle_partitions)
        ),
        # Cached blocks may hold at most 30% of unified memory against eviction (Spark's default 50%):
        # joins and sorts then take the rest back, cached blocks spilling to disk, instead of failing with
        # UNABLE_TO_ACQUIRE_MEMORY while a big frame is cached.
        "spark.memory.storageFraction": "0.3",
        # Daily batches make many small files; a lower open cost packs them into fewer scan tasks.
        "spark.sql.files.openCostInBytes": str(512 * 1024),
        # Reads pass the snapshot's file list explicitly; stat-ing it on the driver is far cheaper than the
        # one-task-per-path Spark job Spark would otherwise launch for more than 32 paths.
        "spark.sql.sources.parallelPartitionDiscovery.threshold": "1000000",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
        "spark.sql.warehouse.dir": str(work / "spark-warehouse"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.jars": ",".join(jars),
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG4J_FILE}",
    }
    if settings.spark.master.startswith("local") or LOOPBACK_MASTER.match(settings.spark.master):
        # A laptop or CI box may have no resolvable hostname; loopback always works locally, and a cluster
        # on this machine's loopback (make cluster-up) runs its executors with this same interpreter.
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
        # Python workers must be this interpreter (the .venv), not whatever python3 is on PATH.
        conf["spark.pyspark.python"] = sys.executable
        conf["spark.pyspark.driver.python"] = sys.executable
    if delta_spark_jars(settings) and settings.delta_engine != "delta-rs":
        conf["spark.sql.extensions"] = DELTA_EXTENSION
        conf["spark.sql.catalog.spark_catalog"] = DELTA_CATALOG
        # Delta rebuilds a table's snapshot in 50 partitions by default: 50 tasks per table state read
        # is most of the cost of a small commit. The shuffle width suits the same data sizes.
        conf["spark.databricks.delta.snapshotPartitions"] = str(settings.spark.shuffle_partitions)
    elif settings.delta_engine == "delta-spark":
        raise JarsError(missing_message(delta_jars_folder(settings)))
    conf.update(settings.spark.conf)
    return conf


def build_spark(settings: Settings) -> SparkSession:
    """Create (or return the running) SparkSession configured from ``settings``.

    Example:
        >>> from infra.settings import load_settings
        >>> spark = build_spark(load_settings())  # doctest: +SKIP
    """
    require_java()
    from pyspark.sql import SparkSession

    settings.paths.work.mkdir(parents=True, exist_ok=True)
    conf = spark_conf(settings)
    if "spark.pyspark.python" in conf:
        # PySpark starts local Python workers from PYSPARK_PYTHON, not from the conf key.
        os.environ["PYSPARK_PYTHON"] = conf["spark.pyspark.python"]
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    checkpoints = settings.paths.work / "spark-checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    spark.sparkContext.setCheckpointDir(str(checkpoints))
    return spark


def has_delta_spark(spark: SparkSession) -> bool:
    """True when Delta Lake's Spark classes are loaded in this session's JVM, with Delta's SQL extension."""
    try:
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        # JARs given in spark.jars live in Spark's own class loader, not the JVM's system one.
        loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
        jvm.java.lang.Class.forName("io.delta.tables.DeltaTable", False, loader)
    except Exception:  # noqa: BLE001 - py4j raises its own error types for a missing class
        return False
    return spark.conf.get("spark.sql.extensions", "") == DELTA_EXTENSION
