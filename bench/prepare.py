"""A benchmark home: generated landing data ingested and standardised to silver, built once and reused.

Homes live under ``bench/homes/<people>p-<days>d-s<seed>`` (ignored by git). A home is reused when its
generator manifest says the same configuration finished and silver holds ``silver_person_records``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from bench.common import ROOT
from infra.settings import Settings, load_settings

HOMES = ROOT / "bench" / "homes"


def home_for(people: int, days: int, seed: int, profile: str = "default") -> Path:
    """The folder of the benchmark home for this data set."""
    suffix = "" if profile == "default" else f"-{profile}"
    return HOMES / f"{people}p-{days}d-s{seed}{suffix}"


def settings_for(home: Path, **overrides: Any) -> Settings:
    """Settings of a benchmark home (defaults otherwise; CDP_* variables still apply)."""
    import os

    env = {k: v for k, v in os.environ.items() if k.startswith("CDP_")}
    env["CDP_HOME"] = str(home)
    settings = load_settings(env=env)
    return settings.with_overrides(overrides) if overrides else settings


def has_silver(home: Path) -> bool:
    """True when ``home`` holds ``silver_person_records``."""
    return (home / "lake" / "silver_person_records" / "_delta_log").is_dir()


def generator_config(home: Path) -> dict[str, Any]:
    """The configuration the generator wrote into ``home`` (empty when it has not finished there)."""
    manifest = home / "truth" / "manifest.json"
    if not manifest.is_file():
        return {}
    return dict(json.loads(manifest.read_text(encoding="utf-8")).get("config", {}))


def is_ready(home: Path, people: int, days: int, seed: int, profile: str = "default") -> bool:
    """True when ``home`` already holds this data set up to silver."""
    config = generator_config(home)
    return bool(
        has_silver(home)
        and config.get("people") == people
        and config.get("days") == days
        and config.get("seed") == seed
        and config.get("profile", "default") == profile
    )


def reset_downstream(home: Path) -> None:
    """Remove what identity, quality and profiles wrote, so a benchmark starts from silver."""
    lake = home / "lake"
    for table in lake.iterdir() if lake.is_dir() else []:
        if not table.name.startswith(("bronze_", "silver_", "quarantine", "ingest")):
            shutil.rmtree(table, ignore_errors=True)
    shutil.rmtree(home / "models", ignore_errors=True)
    shutil.rmtree(home / "reports", ignore_errors=True)


def prepare(
    people: int, days: int, seed: int, *, workers: int = 0, profile: str = "default"
) -> tuple[Path, dict[str, float]]:
    """Generate, ingest and standardise a data set unless the home already holds it.

    Returns the home and the seconds each preparation stage took (empty when reused).
    """
    import time

    from generator import GeneratorConfig, generate
    from jobs import steps

    home = home_for(people, days, seed, profile)
    if is_ready(home, people, days, seed, profile):
        return home, {}
    shutil.rmtree(home, ignore_errors=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    generate(GeneratorConfig(people=people, days=days, seed=seed, workers=workers, profile=profile), home)
    timings["generate"] = time.perf_counter() - started
    settings = settings_for(home)
    started = time.perf_counter()
    steps.ingest(settings, run_id="bench-ingest")
    timings["ingest"] = time.perf_counter() - started
    started = time.perf_counter()
    steps.standardise(settings, run_id="bench-standardise")
    timings["standardise"] = time.perf_counter() - started
    return home, timings


def data_set_arguments(doc: str | None) -> argparse.ArgumentParser:
    """A parser with the options that name a generated data set: --people, --days, --seed."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--profile",
        choices=["default", "sparse", "contacts", "cjk"],
        default="default",
        help="generator profile (generator/profiles.py)",
    )
    return parser


def from_silver(people: int, days: int, seed: int, profile: str = "default") -> Settings:
    """Settings of a home prepared up to silver, with identity and everything after it removed."""
    home, timings = prepare(people, days, seed, profile=profile)
    if timings:
        print("prepared: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    reset_downstream(home)
    return settings_for(home)
