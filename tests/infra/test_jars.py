"""Delta's JARs: pinned, checked, found only in local files, and a clear message when they are missing."""

from __future__ import annotations

import doctest
import zipfile
from pathlib import Path

import pytest

import infra.jars
from infra import jars
from infra.spark import delta_spark_jars, spark_conf
from tests.conftest import make_settings


def jar(folder: Path, name: str, *members: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for member in members or ("META-INF/MANIFEST.MF",):
            archive.writestr(member, "x")
    return path


def test_verify_names_every_problem(tmp_path: Path) -> None:
    good = jar(tmp_path, "io.delta_delta-spark_4.2_2.13-4.4.0.jar", jars.MARKER_CLASS)
    other = jar(tmp_path, "io.delta_delta-storage-4.4.0.jar")
    pins = {good.name: jars.sha256(good), other.name: jars.sha256(other), "gone-1.0.jar": "0" * 64}
    assert jars.verify(tmp_path, pins) == ["gone-1.0.jar is missing"]
    jar(tmp_path, "stray-2.0.jar")
    other.write_bytes(b"not the pinned file")
    problems = jars.verify(tmp_path, pins)
    assert "stray-2.0.jar is not pinned in delta-jars.sha256" in problems
    assert "io.delta_delta-storage-4.4.0.jar does not match its pinned SHA-256" in problems


def test_a_jar_set_without_delta_is_refused(tmp_path: Path) -> None:
    only = jar(tmp_path, "something-1.0.jar")
    assert jars.verify(tmp_path, {only.name: jars.sha256(only)}) == [f"no JAR provides {jars.MARKER_CLASS}"]


def test_the_lock_pins_the_coordinates_delta_spark_names() -> None:
    assert jars.locked_coordinates() == jars.delta_coordinates()
    assert any(name.startswith("io.delta_delta-spark_") for name in jars.read_lock())
    # Libraries Spark ships itself are never added a second time.
    assert not {jars.artifact_of(name) for name in jars.read_lock()} & jars.spark_artifacts()


def test_installed_jars_match_their_pins() -> None:
    assert jars.verify(jars.JARS_DIR, jars.read_lock()) == [], jars.missing_message()


def test_sessions_load_jars_from_the_folder_and_say_how_to_get_them(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", CDP_SPARK__DELTA_JARS_DIR=str(tmp_path / "empty"))
    assert delta_spark_jars(settings) == []
    assert "spark.sql.extensions" not in spark_conf(settings)  # auto falls back to delta-rs
    strict = settings.with_overrides({"delta_engine": "delta-spark"})
    with pytest.raises(jars.JarsError, match="run `make install`"):
        spark_conf(strict)
    default = make_settings(tmp_path / "home")
    conf = spark_conf(default)
    assert all(str(p) in conf["spark.jars"] for p in jars.installed_jars())
    assert "spark.jars.packages" not in conf


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(infra.jars)
    assert (failures, tried > 0) == (0, True)
