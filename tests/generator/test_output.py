"""Files, truth rows and their correspondence; determinism; the output folder rules."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import GeneratorConfig, OutputFolderError, generate
from generator.runner import run_generation
from schemas.landing import CONTRACTS
from tests.generator.conftest import CHUNK, CONFIG, Dataset


def all_files(home: Path) -> dict[str, bytes]:
    return {p.relative_to(home).as_posix(): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def test_every_landing_line_has_exactly_one_truth_row_and_back(generated: Dataset) -> None:
    lines: Counter[tuple[str, int]] = Counter()
    for contract in CONTRACTS:
        for path in (generated.landing / contract.channel).glob(f"*/{contract.file_glob}"):
            relative = path.relative_to(generated.landing).as_posix()
            count = path.read_bytes().count(b"\n")
            first = 2 if contract.file_format == "csv" else 1
            for number in range(first, count + 1):
                lines[(relative, number)] += 1
    truth = Counter((r["source_file"], r["line_number"]) for r in generated.records)
    assert max(truth.values()) == 1
    assert set(truth) == set(lines)
    assert len(truth) == len(generated.records) > 4000


def test_reference_reader_gives_every_row_its_expected_reasons(generated: Dataset) -> None:
    truth = {(r["source_file"], r["line_number"]): r for r in generated.records}
    wrong = [
        (
            row.source_file,
            row.line_number,
            row.reasons,
            truth[(row.source_file, row.line_number)]["expected_reasons"],
        )
        for row in generated.rows
        if sorted(row.reasons) != sorted(truth[(row.source_file, row.line_number)]["expected_reasons"])
    ]
    assert wrong == []
    assert all(r["is_bad"] == bool(r["expected_reasons"]) for r in generated.records)
    assert all(len(r["expected_reasons"]) <= 1 for r in generated.records)


def test_truth_rows_describe_their_files(generated: Dataset) -> None:
    channel_of = {c.feed: c.channel for c in CONTRACTS}
    for record in generated.records:
        folder, batch, _ = record["source_file"].split("/")
        assert folder == record["channel"] == channel_of[record["feed"]]
        assert batch == record["batch_date"].isoformat()
    good = [r for r in generated.records if not r["is_bad"]]
    assert all(r["source_id"] for r in good)
    anonymous = [r for r in good if r["person_id"] is None]
    assert anonymous and {r["feed"] for r in anonymous} == {"orders_pos"}


def test_files_follow_the_contract_layout(generated: Dataset) -> None:
    for contract in CONTRACTS:
        files = list((generated.landing / contract.channel).glob(f"*/{contract.file_glob}"))
        assert files, contract.feed
        for path in files:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", path.parent.name)
            assert path.name.endswith(f"-{path.parent.name}.{contract.file_format}")
            assert path.stat().st_size > 0
    orders = {p.name.split("-")[0] for p in (generated.landing / "orders").glob("*/*")}
    assert orders == {"online", "pos"}
    last = generated.config.end.isoformat()
    assert max(p.name for p in generated.landing.glob("*/*")) <= last


def test_landing_data_reveals_no_truth(generated: Dataset) -> None:
    person_id = re.compile(rb"\bP\d{7}\b")
    for path in generated.landing.rglob("*"):
        assert "bad" not in path.name.lower()
        if path.is_file():
            assert not person_id.search(path.read_bytes()), path


def test_same_config_gives_identical_bytes_with_any_worker_count(
    generated: Dataset, make_home: Callable[[str], Path]
) -> None:
    home = make_home("two_workers")
    run_generation(dataclasses.replace(CONFIG, workers=2), home, chunk_size=CHUNK)
    assert all_files(home) == all_files(generated.home)


def test_regenerating_into_the_same_folder_overwrites_identically(make_home: Callable[[str], Path]) -> None:
    home = make_home("regenerate")
    config = GeneratorConfig(people=40, seed=3, days=90, workers=1)
    generate(config, home)
    first = all_files(home)
    manifest = json.loads((home / "truth" / "manifest.json").read_text())
    assert manifest["config"] == json.loads(json.dumps(config.identity()))
    (home / "truth" / "records.parquet").write_bytes(b"stale")
    generate(config, home)
    assert all_files(home) == first


def test_a_folder_with_other_landing_data_is_refused(make_home: Callable[[str], Path]) -> None:
    home = make_home("refuse")
    generate(GeneratorConfig(people=40, seed=3, days=90, workers=1), home)
    with pytest.raises(OutputFolderError, match=r"different configuration .*seed"):
        generate(GeneratorConfig(people=40, seed=4, days=90, workers=1), home)
    foreign = make_home("foreign")
    (foreign / "landing" / "crm_contacts" / "2024-01-01").mkdir(parents=True)
    (foreign / "landing" / "crm_contacts" / "2024-01-01" / "export.csv").write_text("contact_id\n")
    with pytest.raises(OutputFolderError, match="not written by the generator"):
        generate(GeneratorConfig(people=40, seed=3, days=90, workers=1), foreign)


def test_manifest_records_config_and_counts(generated: Dataset) -> None:
    manifest = json.loads((generated.home / "truth" / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert manifest["config"]["seed"] == CONFIG.seed
    assert manifest["config"]["chunk_size"] == CHUNK
    assert "workers" not in manifest["config"]
    counts = manifest["counts"]
    assert counts["people"] == CONFIG.people == len(generated.people)
    assert sum(counts["records_by_feed"].values()) == len(generated.records)
    assert sum(counts["bad_rows_by_feed"].values()) == sum(r["is_bad"] for r in generated.records)


def test_progress_and_summary(make_home: Callable[[str], Path]) -> None:
    calls: list[tuple[int, int]] = []
    summary = run_generation(
        GeneratorConfig(people=90, seed=5, days=60, workers=1),
        make_home("progress"),
        lambda done, total: calls.append((done, total)),
        chunk_size=40,
    )
    assert calls == [(40, 90), (80, 90), (90, 90)]
    assert summary.people == 90
    assert summary.files > 0 and summary.landing_bytes > 0 and summary.seconds > 0
    assert summary.records == sum(summary.records_by_feed.values())


@pytest.mark.parametrize(("people", "days"), [(1, 1), (3, 2), (25, 31)])
def test_tiny_populations_and_periods_work(people: int, days: int, make_home: Callable[[str], Path]) -> None:
    home = make_home("tiny")
    summary = generate(GeneratorConfig(people=people, days=days, seed=1, workers=1), home)
    assert summary.people == people
    assert summary.records > 0
    manifest = json.loads((home / "truth" / "manifest.json").read_text())
    assert manifest["counts"]["people"] == people
