"""Versioned Splink models under ``<models>/identity``: ``v0001/model.json`` ..., and ``CURRENT``.

Training writes a new version; resolution uses the current one. A version becomes current when it is
promoted: at once for the first model, or by the training DAG when its scores are not worse.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from identity.matching import TrainedModel
from infra.errors import UserFacingError
from infra.runs import StepReport
from infra.settings import Settings

VERSION = re.compile(r"^v\d{4,}$")


class ModelNotFoundError(UserFacingError):
    """No trained identity model exists (or the named version does not)."""


def model_root(settings: Settings) -> Path:
    """The folder holding every identity model version."""
    return settings.paths.models / "identity"


def versions(settings: Settings) -> list[str]:
    """All stored versions, oldest first."""
    root = model_root(settings)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if VERSION.match(p.name) and (p / "model.json").is_file())


def next_version(settings: Settings) -> str:
    """The version number a new model gets."""
    existing = versions(settings)
    return f"v{int(existing[-1][1:]) + 1:04d}" if existing else "v0001"


def save(settings: Settings, model: TrainedModel, metrics: dict[str, Any] | None = None) -> Path:
    """Store a model version (not promoted); returns its folder."""
    folder = model_root(settings) / model.version
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(model.to_json(), indent=2, default=str), encoding="utf-8")
    if metrics is not None:
        write_metrics(settings, model.version, metrics)
    return folder


def write_metrics(settings: Settings, version: str, metrics: dict[str, Any]) -> None:
    """Record a version's evaluation scores next to it."""
    folder = model_root(settings) / version
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str), encoding="utf-8")


def metrics_of(settings: Settings, version: str) -> dict[str, Any] | None:
    """A version's evaluation scores, when it was evaluated."""
    path = model_root(settings) / version / "metrics.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def load(settings: Settings, version: str) -> TrainedModel:
    """A stored model version."""
    path = model_root(settings) / version / "model.json"
    if not path.is_file():
        raise ModelNotFoundError(
            f"Identity model {version} not found under {model_root(settings)}; versions: "
            f"{', '.join(versions(settings)) or 'none'}. Train one with `cdp identity train`."
        )
    return TrainedModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def current_version(settings: Settings) -> str | None:
    """The promoted version, if any."""
    marker = model_root(settings) / "CURRENT"
    if not marker.is_file():
        return None
    version = marker.read_text(encoding="utf-8").strip()
    return version if VERSION.match(version) else None


def current(settings: Settings) -> TrainedModel | None:
    """The promoted model, if any."""
    version = current_version(settings)
    return load(settings, version) if version else None


@dataclass(frozen=True)
class Promotion(StepReport):
    """Which version became current, and which one it replaced."""

    version: str
    previous_version: str | None


def promote(settings: Settings, version: str) -> Promotion:
    """Make ``version`` the model resolution uses."""
    load(settings, version)
    previous = current_version(settings)
    marker = model_root(settings) / "CURRENT"
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(version + "\n", encoding="utf-8")
    temporary.replace(marker)
    return Promotion(version=version, previous_version=previous)


@dataclass(frozen=True)
class ModelComparison(StepReport):
    """A trained version's stored score next to the current version's, and whether it is not worse."""

    version: str
    score: float
    current_version: str | None
    current_score: float | None
    not_worse: bool


def compare(settings: Settings, version: str) -> ModelComparison:
    """Compare ``version``'s stored score with the current version's.

    Raises:
        ModelNotFoundError: ``version`` has no stored scores.
    """
    metrics = metrics_of(settings, version)
    if metrics is None:
        raise ModelNotFoundError(
            f"Identity model {version} has no scores under {model_root(settings)}; "
            "train it with `cdp identity train` or the cdp_identity_training DAG."
        )
    current = current_version(settings)
    if current == version:
        current = None
    current_metrics = metrics_of(settings, current) if current else None
    score = float(metrics["score"])
    current_score = float(current_metrics["score"]) if current_metrics else None
    # A current model whose score is unknown cannot be shown to be worse, so it stays.
    not_worse = current is None or (current_score is not None and score >= current_score)
    return ModelComparison(version, score, current, current_score, not_worse)
