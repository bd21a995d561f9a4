"""Generator profiles: the channels carry other fields, truth stays exact, the default is unchanged."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import GeneratorConfig, GeneratorConfigError
from generator.profiles import PROFILES, column_kind
from generator.runner import run_generation
from schemas.landing import contract
from tests.generator.conftest import Dataset, load


def generate(profile: str, make_home: Callable[[str], Path], people: int = 200) -> Dataset:
    config = GeneratorConfig(people=people, seed=5, days=300, workers=1, profile=profile)
    home = make_home(profile)
    run_generation(config, home, chunk_size=people)
    return load(home, config)


def good_values(data: Dataset) -> dict[str, list[object]]:
    """Every value of the good rows, by column kind (contact, name)."""
    truth = {(r["source_file"], r["line_number"]): r for r in data.records}
    values: dict[str, list[object]] = {"contact": [], "name": []}
    for row in data.rows:
        if truth[(row.source_file, row.line_number)]["is_bad"] or row.fields is None:
            continue
        for column in contract(row.feed).columns:
            kind = column_kind(column)
            if kind is not None:
                values[kind].append(row.fields.get(column.name))
    return values


def test_sparse_carries_no_email_or_phone(make_home: Callable[[str], Path]) -> None:
    data = generate("sparse", make_home)
    values = good_values(data)
    assert values["contact"] and all(v is None for v in values["contact"])
    assert sum(v is not None for v in values["name"]) > 0.6 * len(values["name"])
    # Every landed good row is in the truth, with its person: nothing made up, nothing lost.
    assert len(data.rows) == len(data.records)
    assert not [r for r in data.records if r["feed"] == "email_engagement" and not r["is_bad"]]


def test_contacts_keeps_names_on_few_rows(make_home: Callable[[str], Path]) -> None:
    values = good_values(generate("contacts", make_home))
    named = sum(v is not None for v in values["name"]) / len(values["name"])
    assert 0.05 < named < 0.35
    assert sum(v is not None for v in values["contact"]) > 0.5 * len(values["contact"])


def test_cjk_people_are_all_chinese(make_home: Callable[[str], Path]) -> None:
    data = generate("cjk", make_home)
    assert {p["country"] for p in data.people.values()} == {"CN"}
    assert any(r.fields and r.fields.get("full_name") for r in data.rows)


def test_the_default_profile_is_the_generator_as_before(make_home: Callable[[str], Path]) -> None:
    """Naming the default profile changes nothing: same files, byte for byte."""
    config = GeneratorConfig(people=120, seed=3, days=200, workers=1)
    first, second = make_home("plain"), make_home("named")
    run_generation(config, first, chunk_size=120)
    run_generation(
        GeneratorConfig(people=120, seed=3, days=200, workers=1, profile="default"), second, chunk_size=120
    )

    def digest(home: Path) -> str:
        h = hashlib.sha256()
        for path in sorted((home / "landing").rglob("*")):
            if path.is_file():
                h.update(path.relative_to(home).as_posix().encode() + path.read_bytes())
        return h.hexdigest()

    assert digest(first) == digest(second)


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(GeneratorConfigError, match="profile 'dense' is not one of default, sparse"):
        GeneratorConfig(profile="dense")
    assert set(PROFILES) == {"default", "sparse", "contacts", "cjk"}
