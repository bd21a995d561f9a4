"""Delta Lake's Spark JARs: fetched once at install time, checked, and kept in the project's ``.jars/``.

A Spark session never downloads anything: it loads the JARs from this folder (see ``infra.spark``).
``make install`` runs ``python -m infra.jars fetch``, which resolves the artifact that delta-spark's own
``configure_spark_with_delta_pip`` names for the installed delta-spark and pyspark (with delta-storage and
whatever else it depends on) through Spark's Ivy resolver, from Maven Central, into a scratch folder;
drops the libraries Spark itself ships (Hadoop, Jackson, Parquet, log4j, ... in newer versions: a second,
older copy on the classpath only invites conflicts); checks every JAR left against
``infra/delta-jars.sha256`` (the pinned SHA-256 of each file) and that each is a readable archive; and
only then moves them into place. ``--update-lock`` rewrites the pins after a
deliberate version change.

Example:
    >>> delta_coordinates().startswith("io.delta:delta-spark_")
    True
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from infra.errors import UserFacingError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
JARS_DIR = PROJECT_ROOT / ".jars" / "delta"
LOCK_FILE = Path(__file__).with_name("delta-jars.sha256")
# A class every delta-spark JAR set must provide; its absence means the download is not Delta at all.
MARKER_CLASS = "io/delta/tables/DeltaTable.class"
# Ivy names a JAR <group>_<artifact>-<version>.jar; Spark's own are <artifact>-<version>.jar.
_JAR_NAME = re.compile(r"^(?:(?P<group>[^_]+)_)?(?P<artifact>.+?)-(?P<version>\d[^/]*)\.jar$")


class JarsError(UserFacingError):
    """Delta's JARs are missing, or a fetched JAR does not match its pinned checksum."""


def delta_coordinates() -> str:
    """The Maven coordinates delta-spark's ``configure_spark_with_delta_pip`` names for this install."""
    from delta.pip_utils import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    # A builder only records options; nothing starts until getOrCreate, which is never called here.
    builder = configure_spark_with_delta_pip(SparkSession.Builder())
    packages: str = builder._options["spark.jars.packages"]
    return packages


def installed_jars(folder: Path = JARS_DIR) -> list[Path]:
    """The JARs in ``folder`` (empty when it does not exist)."""
    return sorted(folder.glob("*.jar")) if folder.is_dir() else []


def missing_message(folder: Path = JARS_DIR) -> str:
    """What to do when Delta's JARs are not where the settings say."""
    return (
        f"Delta Lake's Spark JARs are not in {folder}: run `make install` (it fetches them from Maven "
        "Central once), point spark.delta_jars_dir (CDP_SPARK__DELTA_JARS_DIR) at a folder holding them, "
        "or set delta_engine to delta-rs."
    )


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_lock(lock: Path = LOCK_FILE) -> dict[str, str]:
    """JAR file name -> pinned SHA-256, from the lock file (``<sha256>  <name>`` lines)."""
    if not lock.is_file():
        return {}
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            pins[name.strip()] = digest
    return pins


def locked_coordinates(lock: Path = LOCK_FILE) -> str | None:
    """The coordinates the lock file pins the JARs of (its ``# coordinates:`` line)."""
    if not lock.is_file():
        return None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith("# coordinates:"):
            return line.split(":", 1)[1].strip()
    return None


def verify(folder: Path, pins: dict[str, str]) -> list[str]:
    """Problems with the JARs in ``folder`` against ``pins``: missing, unexpected, altered or unreadable."""
    found = {p.name: p for p in installed_jars(folder)}
    problems = [f"{name} is missing" for name in sorted(set(pins) - set(found))]
    problems += [f"{name} is not pinned in {LOCK_FILE.name}" for name in sorted(set(found) - set(pins))]
    for name in sorted(set(pins) & set(found)):
        if sha256(found[name]) != pins[name]:
            problems.append(f"{name} does not match its pinned SHA-256")
        elif not zipfile.is_zipfile(found[name]):
            problems.append(f"{name} is not a readable JAR")
    if found and not any(_has_marker(path) for path in found.values()):
        problems.append(f"no JAR provides {MARKER_CLASS}")
    return problems


def _has_marker(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return MARKER_CLASS in archive.namelist()
    except zipfile.BadZipFile:
        return False


_RESOLVE = """
import sys
from pyspark.sql import SparkSession
coordinates, ivy = sys.argv[1], sys.argv[2]
spark = (SparkSession.builder.master("local[1]").appName("cdp-fetch-delta-jars")
         .config("spark.jars.packages", coordinates).config("spark.jars.ivy", ivy)
         .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate())
spark.stop()
"""


def artifact_of(name: str) -> str:
    """The artifact id in a JAR file name, Ivy's or Spark's.

    Example:
        >>> artifact_of("io.delta_delta-spark_4.2_2.13-4.4.0.jar"), artifact_of("zstd-jni-1.5.7-7.jar")
        ('delta-spark_4.2_2.13', 'zstd-jni')
    """
    match = _JAR_NAME.match(name)
    return match.group("artifact") if match else name


def spark_artifacts() -> set[str]:
    """The artifacts whose JARs ship inside the pyspark package."""
    import pyspark

    return {artifact_of(path.name) for path in (Path(pyspark.__file__).parent / "jars").glob("*.jar")}


def resolve(coordinates: str, scratch: Path) -> list[Path]:
    """Download ``coordinates`` and their dependencies with Spark's Ivy resolver; returns the JARs."""
    ivy = scratch / "ivy"
    done = subprocess.run(
        [sys.executable, "-c", _RESOLVE, coordinates, str(ivy)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    jars = sorted((ivy / "jars").glob("*.jar"))
    if done.returncode != 0 or not jars:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise JarsError(
            f"Could not fetch {coordinates} from Maven Central (Spark's Ivy resolver, exit code "
            f"{done.returncode}). Check that this machine reaches Maven Central, then rerun `make install`."
            f"\n{tail}"
        )
    return jars


def fetch(folder: Path = JARS_DIR, *, update_lock: bool = False, force: bool = False) -> list[Path]:
    """Make ``folder`` hold exactly the pinned Delta JARs, fetching them when needed; returns them.

    Nothing is fetched when the folder already matches the lock. With ``update_lock``, the pins are
    rewritten from what was fetched (after a deliberate change of the delta-spark or pyspark version).
    """
    pins = read_lock()
    coordinates = delta_coordinates()
    if not update_lock and locked_coordinates() != coordinates:
        raise JarsError(
            f"{LOCK_FILE.name} pins the JARs of {locked_coordinates()}, but the installed delta-spark and "
            f"pyspark need {coordinates}. After a deliberate version change run "
            "`python -m infra.jars fetch --update-lock` and review the new pins."
        )
    if not force and not update_lock and pins and not verify(folder, pins):
        return installed_jars(folder)
    with tempfile.TemporaryDirectory(prefix="cdp-jars-") as tmp:
        provided = spark_artifacts()
        fetched = [jar for jar in resolve(coordinates, Path(tmp)) if artifact_of(jar.name) not in provided]
        staging = Path(tmp) / "checked"
        staging.mkdir()
        for jar in fetched:
            shutil.copy2(jar, staging / jar.name)
        if update_lock:
            pins = {jar.name: sha256(jar) for jar in sorted(staging.glob("*.jar"))}
            lines = [
                "# SHA-256 of the JARs these coordinates resolve to, less those Spark ships.",
                "# Rewrite after a deliberate version change: python -m infra.jars fetch --update-lock",
                f"# coordinates: {coordinates}",
            ]
            LOCK_FILE.write_text("\n".join([*lines, *(f"{d}  {n}" for n, d in pins.items())]) + "\n")
        problems = verify(staging, pins) if pins else ["infra/delta-jars.sha256 pins no JAR"]
        if problems:
            raise JarsError(
                f"The JARs fetched for {coordinates} failed their check: {'; '.join(problems)}. Nothing was "
                "installed. If the delta-spark or pyspark version changed on purpose, run "
                "`python -m infra.jars fetch --update-lock` and review the new pins."
            )
        if folder.exists():
            shutil.rmtree(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), str(folder))
    (folder / "coordinates.json").write_text(
        json.dumps({"coordinates": coordinates, "delta_spark": importlib.metadata.version("delta_spark")})
        + "\n"
    )
    return installed_jars(folder)


def main(argv: list[str] | None = None) -> int:
    """``python -m infra.jars fetch [--update-lock] [--force] | check``."""
    parser = argparse.ArgumentParser(prog="python -m infra.jars", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "check", "coordinates"])
    parser.add_argument("--update-lock", action="store_true", help="Rewrite the pinned checksums.")
    parser.add_argument("--force", action="store_true", help="Fetch again even when the folder is complete.")
    args = parser.parse_args(argv)
    try:
        if args.command == "coordinates":
            print(delta_coordinates())
        elif args.command == "check":
            problems = verify(JARS_DIR, read_lock())
            if problems:
                raise JarsError(f"{missing_message()} ({'; '.join(problems)})")
            print(f"Delta JARs in {JARS_DIR}: all {len(read_lock())} match their pins.")
        else:
            jars = fetch(update_lock=args.update_lock, force=args.force)
            print(f"Delta JARs ({delta_coordinates()}) in {JARS_DIR}: {', '.join(p.name for p in jars)}")
    except UserFacingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
