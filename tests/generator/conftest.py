"""One small generated dataset shared by the generator tests (generation is the expensive part)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from generator import GeneratorConfig
from generator.runner import run_generation
from tests.generator.checker import Row, read_landing

# Three chunks of 150 people, so chunking, ordering and multiprocessing are all exercised.
CONFIG = GeneratorConfig(people=400, seed=7, days=500, bad_rate=0.05, workers=1)
CHUNK = 150


@dataclass
class Dataset:
    """A generated home folder with its truth loaded."""

    home: Path
    config: GeneratorConfig
    records: list[dict[str, Any]]
    people: dict[str, dict[str, Any]]
    lifecycle: list[dict[str, Any]]
    negatives: list[dict[str, Any]]
    _rows: list[Row] | None = None

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def rows(self) -> list[Row]:
        """Every landing line read by the reference reader (read once)."""
        if self._rows is None:
            self._rows = read_landing(self.landing)
        return self._rows


def load(home: Path, config: GeneratorConfig) -> Dataset:
    truth = home / "truth"
    people = pq.read_table(truth / "people.parquet").to_pylist()
    return Dataset(
        home=home,
        config=config,
        records=pq.read_table(truth / "records.parquet").to_pylist(),
        people={p["person_id"]: p for p in people},
        lifecycle=pq.read_table(truth / "lifecycle.parquet").to_pylist(),
        negatives=pq.read_table(truth / "hard_negatives.parquet").to_pylist(),
    )


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    home = tmp_path_factory.mktemp("generated")
    run_generation(CONFIG, home, chunk_size=CHUNK)
    return load(home, CONFIG)


@pytest.fixture(scope="session")
def make_home(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        return tmp_path_factory.mktemp(name)

    return make
