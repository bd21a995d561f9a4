"""The training DAG's decision: a new identity model is promoted only when it scores no worse."""

from __future__ import annotations

import json

import pytest

from infra.settings import Settings
from jobs import steps


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

    comparison = steps.compare_identity_model(settings, version="v0002")

    assert comparison == {
        "version": "v0002",
        "score": new,
        "current_version": "v0001",
        "current_score": current,
        "not_worse": promote,
    }


def test_first_model_is_promoted(settings: Settings) -> None:
    store(settings, "v0001", 0.5)
    assert steps.compare_identity_model(settings, version="v0001")["not_worse"] is True


def test_current_model_without_a_score_is_kept(settings: Settings) -> None:
    store(settings, "v0001", None)
    store(settings, "v0002", 0.99)
    make_current(settings, "v0001")
    assert steps.compare_identity_model(settings, version="v0002")["not_worse"] is False


def test_a_model_without_scores_cannot_be_compared(settings: Settings) -> None:
    from identity.models import ModelNotFoundError

    store(settings, "v0002", None)
    with pytest.raises(ModelNotFoundError, match="v0002 has no scores"):
        steps.compare_identity_model(settings, version="v0002")
