"""Model versions: a new identity model is promoted only when it scores no worse (the training DAG's decision)."""

from __future__ import annotations

import json

import pytest

from identity import models
from infra.settings import Settings


def store(settings: Settings, version: str, score: float | None) -> None:
    folder = settings.paths.models / "identity" / version
    folder.mkdir(parents=True, exist_ok=True)
    if score is not None:
        (folder / "metrics.json").write_text(json.dumps({"score": score, "pairwise_f1": score}))


def make_current(settings: Settings, version: str) -> None:
    (settings.paths.models / "identity" / "CURRENT").write_text(version + "\n")


@pytest.mark.parametrize(
    ("current", "new", "promote"), [(0.9, 0.95, True), (0.9, 0.9, True), (0.9, 0.89, False)]
)
def test_promotes_only_when_not_worse(settings: Settings, current: float, new: float, promote: bool) -> None:
    store(settings, "v0001", current)
    store(settings, "v0002", new)
    make_current(settings, "v0001")

    comparison = models.compare(settings, "v0002")

    assert comparison.to_dict() == {
        "version": "v0002",
        "score": new,
        "current_version": "v0001",
        "current_score": current,
        "not_worse": promote,
    }


def test_first_model_is_promoted(settings: Settings) -> None:
    store(settings, "v0001", 0.5)
    assert models.compare(settings, "v0001").not_worse is True


def test_current_model_without_a_score_is_kept(settings: Settings) -> None:
    store(settings, "v0001", None)
    store(settings, "v0002", 0.99)
    make_current(settings, "v0001")
    assert models.compare(settings, "v0002").not_worse is False


def test_a_model_without_scores_cannot_be_compared(settings: Settings) -> None:
    store(settings, "v0002", None)
    with pytest.raises(models.ModelNotFoundError, match="v0002 has no scores"):
        models.compare(settings, "v0002")


def test_promotion_moves_current_and_reports_the_previous_version(settings: Settings) -> None:
    for version in ("v0001", "v0002"):
        folder = settings.paths.models / "identity" / version
        folder.mkdir(parents=True, exist_ok=True)
    make_current(settings, "v0001")
    with pytest.raises(models.ModelNotFoundError):
        models.promote(settings, "v0002")  # no model.json: nothing to promote
    assert models.current_version(settings) == "v0001"
