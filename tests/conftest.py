"""Shared fixtures: one SparkSession for the whole run, and a fresh settings object per test home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.settings import Settings, load_settings

TEST_ENV = {
    "CDP_SPARK__MASTER": "local[2]",
    "CDP_SPARK__SHUFFLE_PARTITIONS": "2",
    "CDP_SPARK__DRIVER_MEMORY": "2g",
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
