"""The command line: every step the daily DAG runs has a command, and a user's mistake is one clear line."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cdp.cli import main
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def steps_called(folder: Path) -> set[str]:
    """Names of ``jobs.steps`` functions called as ``steps.<name>`` in the files of ``folder``."""
    names: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "steps"
            ):
                names.add(node.attr)
    return names


def test_the_cli_offers_every_step_the_dags_run() -> None:
    in_dags = steps_called(ROOT / "dags")
    # The DAG maps its ingest tasks over the channel list; that is wiring, not a step a user runs.
    assert in_dags - {"channels"} <= steps_called(ROOT / "cdp"), in_dags - steps_called(ROOT / "cdp")
    assert {"ingest", "check", "standardise", "resolve", "build_profiles", "publish"} <= in_dags
    assert {"train_identity", "compare_identity_model", "promote_identity"} <= in_dags


def test_model_commands_compare_and_promote(settings: Any) -> None:
    import json

    root = settings.paths.models / "identity"
    for version, score in (("v0001", 0.9), ("v0002", 0.95)):
        (root / version).mkdir(parents=True)
        (root / version / "metrics.json").write_text(json.dumps({"score": score}))
    (root / "CURRENT").write_text("v0001\n")
    env = {"CDP_HOME": str(settings.paths.home), "CDP_CONFIG": ""}
    compared = CliRunner().invoke(main, ["identity", "compare", "v0002"], env=env)
    assert compared.exit_code == 0, compared.output
    assert "v0002 scored 0.9500; current v0001 scored 0.9000. not worse" in " ".join(compared.output.split())
    missing = CliRunner().invoke(main, ["identity", "promote", "v0002"], env=env)
    # metrics alone are not a model: promotion refuses, with the reason, and CURRENT stays
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    assert (root / "CURRENT").read_text().strip() == "v0001"


def test_help_lists_the_pipeline_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "standardise", "identity", "quality", "profile", "publish", "report", "demo"):
        assert f"\n  {command} " in result.output, command


def test_publish_without_a_passed_gold_gate_is_refused_clearly(spark: Any, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    env = {"CDP_HOME": str(settings.paths.home), "CDP_CONFIG": "", "CDP_SPARK__MASTER": settings.spark.master}
    result = CliRunner().invoke(
        main, ["publish", "--as-of", dt.date(2025, 3, 1).isoformat(), "--run-id", "r-1"], env=env
    )
    assert result.exit_code == 2, result.output
    assert "gold quality gate has not passed" in result.output
    assert "cdp quality run --layer gold --as-of 2025-03-01 --run-id r-1" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (settings.paths.lake / "customer_profile").exists()


def test_a_bad_date_names_the_format() -> None:
    result = CliRunner().invoke(main, ["publish", "--as-of", "01/03/2025", "--run-id", "r-1"])
    assert result.exit_code == 2
    assert "is not a date; use YYYY-MM-DD" in result.output


def test_settings_command_prints_loadable_yaml(tmp_path: Path) -> None:
    from infra.settings import load_settings

    env = {"CDP_HOME": str(tmp_path / "home"), "CDP_CONFIG": "", "CDP_SPARK__SHUFFLE_PARTITIONS": "7"}
    shown = CliRunner().invoke(main, ["settings"], env=env)
    assert shown.exit_code == 0, shown.output
    (tmp_path / "shown.yaml").write_text(shown.output, encoding="utf-8")
    # What is shown is what is in force: loaded back, it gives the same settings.
    assert load_settings(tmp_path / "shown.yaml", env={}) == load_settings(env=env)
    wrong = CliRunner().invoke(main, ["settings"], env={**env, "CDP_SPARK__SHUFFLE_PARTITIONS": "many"})
    assert wrong.exit_code == 2 and "CDP_SPARK__SHUFFLE_PARTITIONS" in wrong.output


def test_sources_check_shows_the_mapping_and_writes_nothing(settings: Any, spark: Any) -> None:
    """A foreign CSV previewed through its mapping: mapped values (PII masked), what would be quarantined."""
    import yaml

    settings.paths.sources.mkdir(parents=True)
    mapping = {
        "channel": "crm_contacts",
        "files": "*.csv",
        "columns": {
            "contact_id": "Id",
            "first_name": "First",
            "last_name": "Last",
            "birth_date": {"column": "Born", "format": "dd/MM/yyyy"},
            "created_at": {"constant": "2024-01-01 00:00:00"},
            "updated_at": {"constant": "2024-01-01 00:00:00"},
        },
    }
    (settings.paths.sources / "legacy_crm.yaml").write_text(yaml.safe_dump(mapping))
    folder = settings.paths.landing / "legacy_crm" / "2024-01-02"
    folder.mkdir(parents=True)
    (folder / "export.csv").write_text(
        "Id,First,Last,Born\n7,Margaret,Hill,03/04/1961\n,Tom,Key,01/01/1970\n"
    )
    env = {"CDP_HOME": str(settings.paths.home), "CDP_CONFIG": "", "COLUMNS": "250"}
    result = CliRunner().invoke(main, ["sources", "check", "legacy_crm"], env=env)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "legacy_crm:7" in output and "1961-04-03" not in output  # birth dates are personal data
    assert "M*******" in output and "Margaret" not in output
    assert "NULL_KEY:contact_id" in output
    assert "1 would land in bronze, 1 would be quarantined. Nothing was written." in output
    assert not settings.paths.lake.exists() or not any(settings.paths.lake.iterdir())
    unmasked = CliRunner().invoke(main, ["sources", "check", "legacy_crm", "--unmask"], env=env)
    assert "Margaret" in unmasked.output and "1961-04-03" in unmasked.output
    listed = CliRunner().invoke(main, ["sources", "list"], env=env)
    assert "legacy_crm" in listed.output and "crm_contacts" in listed.output
    missing = CliRunner().invoke(main, ["sources", "check", "other_crm"], env=env)
    assert missing.exit_code == 2 and "No source mapping 'other_crm'" in missing.output
    assert "Traceback" not in missing.output
