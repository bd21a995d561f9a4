"""Shared fixtures: one SparkSession for the whole run, and a fresh settings object per test home."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.settings import Settings, load_settings

# A pytest-xdist worker runs under execnet, whose __main__ has neither __spec__ nor __file__; importing
# pyspark.sql.connect (Great Expectations does) then takes the process for a doctest run and exits it.
# The stand-in must be a real, empty module: multiprocessing's spawn runs it in every child process.
_MAIN = sys.modules["__main__"]
if getattr(_MAIN, "__spec__", None) is None and not hasattr(_MAIN, "__file__"):
    _MAIN.__file__ = str(Path(__file__).with_name("xdist_main.py"))

TEST_ENV = {
    "CDP_SPARK__MASTER": "local[2]",
    "CDP_SPARK__SHUFFLE_PARTITIONS": "2",
    "CDP_SPARK__DRIVER_MEMORY": "2g",
    # Low enough that the contract suite can pass it with a frame of half a million rows.
    "CDP_SPARK__MAX_RESULT_SIZE": "32m",
}


def make_settings(home: Path, **env: str) -> Settings:
    """Settings for a test home folder; extra CDP_* variables may be given as keyword arguments."""
    return load_settings(env={"CDP_HOME": str(home), **TEST_ENV, **env})


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("session_home"))


@pytest.fixture(scope="session")
def spark(session_settings: Settings) -> Iterator[object]:
    from infra.spark import build_spark

    session = build_spark(session_settings)
    yield session
    session.stop()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


SAMPLE_PEOPLE = 300
SAMPLE_DAYS = 400


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory, spark: object) -> Path:
    """A generated sample (300 people, 400 days) ingested and standardised to silver, built once.

    Tests that change the lake work on a copy (see ``pipeline_copy``).
    """
    from generator import GeneratorConfig, generate
    from infra.storage import Lake
    from jobs.bronze import ingest as bronze
    from jobs.silver import standardise

    home = tmp_path_factory.mktemp("sample") / "home"
    settings = make_settings(home)
    generate(GeneratorConfig(people=SAMPLE_PEOPLE, days=SAMPLE_DAYS, seed=7, workers=1), home)
    lake = Lake.from_settings(spark, settings)  # type: ignore[arg-type]
    bronze.run(spark, settings, lake)  # type: ignore[arg-type]
    standardise.run(spark, settings, lake)  # type: ignore[arg-type]
    return home


def copy_home(source: Path, target: Path) -> Settings:
    """A private copy of a sample home, with settings pointing at it."""
    import shutil

    shutil.copytree(source, target)
    return make_settings(target)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs the Spark session (directly or through a fixture) with ``spark``.

    ``make test-fast`` deselects them: what is left are the pure unit tests, which run in seconds.
    """
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
