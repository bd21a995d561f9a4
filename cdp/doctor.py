"""``cdp doctor``: versions of everything the platform runs on, and a real Delta round trip."""

from __future__ import annotations

import platform
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from infra.settings import Settings

PACKAGES = {
    "PySpark": "pyspark",
    "delta-rs (deltalake)": "deltalake",
    "delta-spark (Python)": "delta-spark",
    "Splink": "splink",
    "DuckDB": "duckdb",
    "Great Expectations": "great-expectations",
    "Apache Airflow": "apache-airflow",
    "pandas": "pandas",
    "PyArrow": "pyarrow",
}


@dataclass
class DoctorReport:
    """What ``cdp doctor`` found: versions, round-trip checks and any problems."""

    versions: dict[str, str] = field(default_factory=dict)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    engine: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(passed for _, passed, _ in self.checks)


def versions() -> dict[str, str]:
    """Versions of Python, Java and the engines, read from package metadata (nothing is imported)."""
    from infra.spark import java_version

    found = {"Python": platform.python_version()}
    java = java_version()
    found["Java"] = str(java) if java else "missing (Java 17+ needed)"
    for label, dist in PACKAGES.items():
        try:
            found[label] = version(dist)
        except PackageNotFoundError:
            found[label] = "not installed"
    return found


def run_doctor(settings: Settings) -> DoctorReport:
    """Check the installation: start Spark and write, merge, read and time-travel a Delta table.

    The round trip runs in a temporary lake so it never touches real data.
    """
    report = DoctorReport(versions=versions())
    started = time.perf_counter()

    def check(name: str, passed: bool, detail: str = "") -> None:
        report.checks.append((name, passed, detail))

    try:
        from infra.spark import build_spark
        from infra.storage import Lake

        spark = build_spark(settings)
        check("Spark session starts", True, f"master {spark.sparkContext.master}, Spark {spark.version}")
    except Exception as exc:  # noqa: BLE001 - the doctor reports every failure instead of raising
        check("Spark session starts", False, str(exc))
        report.seconds = time.perf_counter() - started
        return report

    with tempfile.TemporaryDirectory(prefix="cdp-doctor-") as tmp:
        try:
            lake = Lake.from_settings(spark, settings.with_overrides({"paths.lake": tmp}))
            report.engine = lake.engine
            schema = "customer_id string, email string, orders long"
            lake.append(
                "doctor_check",
                spark.createDataFrame([("c1", "a@example.com", 1), ("c2", "b@example.com", 2)], schema),
                properties={"delta.enableChangeDataFeed": "true"},
            )
            check("Delta write", lake.version("doctor_check") == 1, f"engine {lake.engine}")
            lake.merge(
                "doctor_check",
                spark.createDataFrame([("c2", "b@example.com", 3), ("c3", "c@example.com", 1)], schema),
                ["customer_id"],
            )
            rows = sorted((r.customer_id, r.orders) for r in lake.read("doctor_check").collect())
            expected = [("c1", 1), ("c2", 3), ("c3", 1)]
            check("Delta merge and read", rows == expected, f"read {rows}, expected {expected}")
            old = sorted((r.customer_id, r.orders) for r in lake.read("doctor_check", version=1).collect())
            check("Delta time travel", old == [("c1", 1), ("c2", 2)], f"version 1 holds {old}")
            kinds = sorted(r._change_type for r in lake.changes("doctor_check", 2).collect())
            want = ["insert", "update_postimage", "update_preimage"]
            check("Delta change data feed", kinds == want, f"changes {kinds}")
        except Exception as exc:  # noqa: BLE001
            check("Delta round trip", False, f"{type(exc).__name__}: {exc}")
    report.seconds = time.perf_counter() - started
    return report
