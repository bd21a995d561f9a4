"""Settings: defaults, layering of file and environment, and a clear message for every invalid value."""

from __future__ import annotations

import dataclasses
import doctest
import typing
from pathlib import Path

import pytest
import yaml

import infra.settings
from infra.settings import Settings, SettingsError, defaults_yaml, load_settings, to_dict


def test_defaults_put_everything_under_cdp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    home = tmp_path / "cdp_home"
    assert settings.paths.home == home
    assert (settings.paths.landing, settings.paths.truth, settings.paths.lake, settings.paths.reports) == (
        home / "landing",
        home / "truth",
        home / "lake",
        home / "reports",
    )
    assert (settings.delta_engine, settings.splink_backend, settings.timezone) == ("auto", "duckdb", "UTC")
    assert settings.spark.master == "local[*]"
    assert settings.spark.shuffle_partitions == 4


def test_file_then_environment_override(tmp_path: Path) -> None:
    config = tmp_path / "cdp.yaml"
    config.write_text(
        "paths:\n  home: /data/cdp\n  reports: /srv/reports\n"
        "delta_engine: delta-rs\nspark:\n  master: local[2]\n  shuffle_partitions: 8\n"
        "  conf:\n    spark.executor.memory: 2g\n"
    )
    settings = load_settings(
        config, env={"CDP_SPARK__SHUFFLE_PARTITIONS": "16", "CDP_SPLINK_BACKEND": "spark"}
    )
    assert settings.paths.lake == Path("/data/cdp/lake")
    assert settings.paths.reports == Path("/srv/reports")
    assert settings.delta_engine == "delta-rs"
    assert settings.splink_backend == "spark"
    assert settings.spark.master == "local[2]"
    assert settings.spark.shuffle_partitions == 16  # the environment wins over the file
    assert dict(settings.spark.conf) == {"spark.executor.memory": "2g"}


def test_cdp_config_variable_and_home_variable(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("timezone: Asia/Shanghai\n")
    settings = load_settings(env={"CDP_CONFIG": str(config), "CDP_HOME": str(tmp_path / "h")})
    assert settings.timezone == "Asia/Shanghai"
    assert settings.paths.models == tmp_path / "h" / "models"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CDP_DELTA_ENGINE": "rocks"},
            "Invalid setting 'delta_engine' = 'rocks' (from environment variable CDP_DELTA_ENGINE): "
            "allowed values are auto, delta-rs, delta-spark.",
        ),
        (
            {"CDP_SPLINK_BACKEND": "postgres"},
            "Invalid setting 'splink_backend' = 'postgres' (from environment variable CDP_SPLINK_BACKEND): "
            "allowed values are duckdb, spark.",
        ),
        (
            {"CDP_SPARK__SHUFFLE_PARTITIONS": "many"},
            "Invalid setting 'spark.shuffle_partitions' = 'many' (from environment variable "
            "CDP_SPARK__SHUFFLE_PARTITIONS): expected an integer.",
        ),
        (
            {"CDP_SPARK__SHUFFLE_PARTITIONS": "0"},
            "Invalid setting 'spark.shuffle_partitions' = '0' (from environment variable "
            "CDP_SPARK__SHUFFLE_PARTITIONS): must be between 1 and 100000.",
        ),
        (
            {"CDP_TIMEZONE": "Mars/Olympus"},
            "Invalid setting 'timezone' = 'Mars/Olympus': expected an IANA time zone name",
        ),
        (
            {"CDP_SPARK__MASTER": "localhost"},
            "Invalid setting 'spark.master' = 'localhost': expected local, local[N], local[*]",
        ),
        (
            {"CDP_SPARK__COLOUR": "blue"},
            "Unknown setting 'spark.colour' (from environment variable CDP_SPARK__COLOUR); known keys here: "
            "app_name, conf, delta_jars_dir, driver_memory, master, max_result_size, shuffle_partitions.",
        ),
    ],
)
def test_invalid_values_name_key_source_and_allowed_values(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env=env)
    assert message in str(info.value)


def test_invalid_file_values_name_the_file(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("spark:\n  mastr: local\n")
    with pytest.raises(SettingsError, match=r"Unknown setting 'spark.mastr' \(from config file .*bad.yaml\)"):
        load_settings(config, env={})
    config.write_text("- just\n- a list\n")
    with pytest.raises(SettingsError, match="must hold a mapping"):
        load_settings(config, env={})
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "missing.yaml", env={})


def test_settings_are_frozen_and_overrides_revalidate() -> None:
    settings = load_settings(env={"CDP_HOME": "/tmp/cdp-x"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.timezone = "UTC"  # type: ignore[misc]
    changed = settings.with_overrides({"spark.shuffle_partitions": 3, "paths.lake": "/elsewhere"})
    assert (changed.spark.shuffle_partitions, changed.paths.lake) == (3, Path("/elsewhere"))
    assert settings.spark.shuffle_partitions == 4
    with pytest.raises(SettingsError, match="allowed values are auto, delta-rs, delta-spark"):
        settings.with_overrides({"delta_engine": "x"})
    assert isinstance(changed, Settings)
    assert to_dict(changed)["paths"]["lake"] == "/elsewhere"


def test_spark_conf_refuses_maven_packages(tmp_path: Path) -> None:
    from infra.spark import spark_conf

    settings = load_settings(
        env={"CDP_HOME": str(tmp_path), "CDP_SPARK__CONF": '{"spark.jars.packages": "io.delta:x"}'}
    )
    with pytest.raises(SettingsError, match="never from Maven"):
        spark_conf(settings)
    conf = spark_conf(load_settings(env={"CDP_HOME": str(tmp_path)}))
    assert conf["spark.driver.host"] == "127.0.0.1"
    assert conf["spark.ui.enabled"] == "false"
    assert "scala-udf-similarity" in conf["spark.jars"]
    assert "spark.jars.packages" not in conf


def test_defaults_yaml_loads_back_to_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "defaults.yaml"
    config.write_text(defaults_yaml())
    assert load_settings(config, env={}) == load_settings(env={})
    assert load_settings(config, env={"CDP_HOME": "/data/cdp"}).paths.lake == Path("/data/cdp/lake")


def test_defaults_yaml_documents_every_key() -> None:
    text = defaults_yaml()
    data = yaml.safe_load(text)
    defaults = to_dict(load_settings(env={"CDP_HOME": "/tmp/cdp"}))
    assert {k: set(v) if isinstance(v, dict) else None for k, v in data.items()} == {
        k: set(v) if isinstance(v, dict) else None for k, v in defaults.items()
    }
    assert data["paths"] == {
        "home": "./cdp_home",
        **dict.fromkeys(["landing", "sources", "truth", "lake", "reports", "models", "work"]),
    }
    assert data["airflow"]["start_date"] == "2024-01-01"  # quoted, so not read back as a date
    assert data["identity"]["blocked_phones"] == ["+8613800000000", "+10000000000"]
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            previous = lines[number - 1].strip()
            assert previous.startswith("# ") and len(previous) > 4, f"no description above {line!r}"


def _documented_fields(cls: type) -> list[tuple[str, str]]:
    hints = typing.get_type_hints(cls)
    found = []
    for spec in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[spec.name]):
            found += _documented_fields(hints[spec.name])
        else:
            found.append((f"{cls.__name__}.{spec.name}", spec.metadata.get("doc", "")))
    return found


def test_every_setting_has_a_one_line_description() -> None:
    for name, doc in _documented_fields(Settings):
        assert doc and "\n" not in doc, name


def test_file_mappings_merge_into_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("lifecycle:\n  currency_rates: {EUR: 7.8}\nspark:\n  conf: {a: {b: 1}}\n")
    with pytest.raises(
        SettingsError, match=r"Invalid setting 'spark.conf.a' = \{'b': 1\} \(from config file "
    ):
        load_settings(config, env={})
    config.write_text("lifecycle:\n  currency_rates: {EUR: 7.8}\n")
    rates = load_settings(config, env={}).lifecycle.currency_rates
    assert dict(rates) == {"CNY": 1.0, "GBP": 9.2, "USD": 7.2, "EUR": 7.8}


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(infra.settings)
    assert (failures, tried > 0) == (0, True)
