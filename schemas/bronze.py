"""Bronze tables: each feed's rows, typed by its contract, plus ingestion metadata; and the quarantine.

Bronze keeps the source's own values (typed, nothing normalised); naive timestamps stay wall-clock times
of the feed's declared zone. Every landing row is either here or in ``quarantine``.
"""

from __future__ import annotations

import enum

from schemas.core import DATE, LONG, STRING, STRINGS, TIMESTAMP, Column, LandingContract, TableSchema
from schemas.landing import CONTRACTS


class Reason(enum.StrEnum):
    """Why a landing row went to quarantine: the one list of reason codes.

    The row-level codes stand alone; a code about one field is written ``<CODE>:<column>`` (:meth:`on`).

    Example:
        >>> Reason.TYPE_CAST.on("birth_date")
        'TYPE_CAST:birth_date'
    """

    PARSE_ERROR = "PARSE_ERROR"  # the line is not valid CSV / JSON
    COLUMN_COUNT_MISMATCH = "COLUMN_COUNT_MISMATCH"  # more or fewer fields than the header
    TYPE_CAST = "TYPE_CAST"  # a field does not parse as its column's type
    NULL_KEY = "NULL_KEY"  # the record key is empty
    ENCODING_ERROR = "ENCODING_ERROR"  # the line is not valid UTF-8
    DUPLICATE = "DUPLICATE"  # the same record again, within or across batches
    OUT_OF_RANGE = "OUT_OF_RANGE"  # a number or date outside its column's bounds
    FIELD_TOO_LONG = "FIELD_TOO_LONG"  # a text longer than its column allows

    def on(self, column: str) -> str:
        """The code for one column, ``<CODE>:<column>``."""
        return f"{self.value}:{column}"


INGEST_METADATA = (
    Column("batch_date", DATE, "The landing batch (folder date) the row arrived in.", required=True),
    Column("source_file", STRING, "File the row came from, relative to the landing root.", required=True),
    Column("line_number", LONG, "1-based line of the row in its file.", required=True),
    Column(
        "row_hash", STRING, "SHA-256 of the raw line; identical rows have identical hashes.", required=True
    ),
    Column("ingested_at", TIMESTAMP, "When the row was ingested.", required=True),
    Column("run_id", STRING, "The ingestion run that wrote the row.", required=True),
)


def bronze_name(feed: str) -> str:
    """The bronze table of a feed."""
    return f"bronze_{feed}"


def bronze_table(contract: LandingContract) -> TableSchema:
    """The bronze table declaration of one feed."""
    return TableSchema(
        name=bronze_name(contract.feed),
        layer="bronze",
        description=f"{contract.description} Typed by contract, one row per accepted landing row.",
        columns=(*contract.columns, *INGEST_METADATA),
        primary_key=("source_file", "line_number"),
        partition_by=("batch_date",),
        produced_by="jobs.bronze.ingest",
    )


BRONZE_TABLES = tuple(bronze_table(c) for c in CONTRACTS)

QUARANTINE = TableSchema(
    name="quarantine",
    layer="bronze",
    description="Landing rows that could not be accepted, with every reason; nothing is dropped silently.",
    columns=(
        Column("channel", STRING, "Landing channel.", required=True),
        Column("feed", STRING, "Landing format (feed) within the channel.", required=True),
        Column("batch_date", DATE, "Batch the row arrived in.", required=True),
        Column("source_file", STRING, "File, relative to the landing root.", required=True),
        Column("line_number", LONG, "1-based line in the file.", required=True),
        Column(
            "raw_text",
            STRING,
            "The raw line; undecodable bytes shown as \\x escapes.",
            required=True,
            pii=True,
        ),
        Column("reasons", STRINGS, "Reason codes, e.g. TYPE_CAST:birth_date or DUPLICATE.", required=True),
        Column("row_hash", STRING, "SHA-256 of the raw line.", required=True),
        Column("ingested_at", TIMESTAMP, "When the row was quarantined.", required=True),
        Column("run_id", STRING, "The ingestion run.", required=True),
    ),
    primary_key=("source_file", "line_number"),
    partition_by=("feed",),
    produced_by="jobs.bronze.ingest",
)

INGEST_MANIFEST = TableSchema(
    name="ingest_manifest",
    layer="ops",
    description=(
        "Every landing file processed, with its checksum, so a rerun is a no-op and a changed file fails."
    ),
    columns=(
        Column("source_file", STRING, "File, relative to the landing root.", required=True),
        Column("channel", STRING, "Landing channel.", required=True),
        Column("feed", STRING, "Landing format.", required=True),
        Column("batch_date", DATE, "Batch folder date.", required=True),
        Column("checksum", STRING, "SHA-256 of the file's bytes.", required=True),
        Column("size_bytes", LONG, "File size.", required=True),
        Column("rows_in", LONG, "Rows read (non-blank lines, header excluded).", required=True, min_value=0),
        Column("rows_bronze", LONG, "Rows written to bronze.", required=True, min_value=0),
        Column("rows_quarantined", LONG, "Rows written to quarantine.", required=True, min_value=0),
        Column("ingested_at", TIMESTAMP, "When the file was ingested.", required=True),
        Column("run_id", STRING, "The ingestion run.", required=True),
    ),
    primary_key=("source_file",),
    produced_by="jobs.bronze.ingest",
)
