"""Reading landing files line by line, without Spark: discovery, checksums, header contracts and parsing.

Parsing turns each non-blank line into its raw text, the contract's fields as text, and the reasons it
could not be read at all (``ENCODING_ERROR``, ``PARSE_ERROR``, ``COLUMN_COUNT_MISMATCH``). Typing and value
checks happen afterwards in Spark. One record per physical line: a CSV value with an embedded line break
is not supported, and such a record is quarantined line by line instead of swallowing the lines after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from infra.errors import UserFacingError
from schemas.bronze import Reason
from schemas.core import LandingContract
from schemas.landing import CONTRACTS, feeds_of

BATCH_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ContractError(UserFacingError):
    """A landing file breaks its feed's contract as a whole (header, name, location)."""


@dataclass(frozen=True)
class LandingFile:
    """One file in the landing zone, with what the ingestion needs to know before reading it."""

    feed: str
    channel: str
    batch_date: dt.date
    path: Path
    relative_path: str
    checksum: str
    size_bytes: int
    rows: int


@dataclass(frozen=True)
class ParsedLine:
    """One non-blank landing line after parsing."""

    line_number: int
    raw_text: str
    fields: tuple[str | None, ...]
    reasons: tuple[str, ...]


def discover(
    landing_root: Path, channels: Sequence[str] | None = None, batches: Iterable[dt.date] | None = None
) -> list[LandingFile]:
    """Every landing file of the given channels (all by default) and batch dates (all by default).

    Raises:
        ContractError: a batch folder is not named YYYY-MM-DD, or a file matches no feed of its channel;
            such files would otherwise never be ingested.
    """
    wanted = None if batches is None else set(batches)
    problems: list[str] = []
    found: list[LandingFile] = []
    for channel in channels or list(dict.fromkeys(c.channel for c in CONTRACTS)):
        contracts = feeds_of(channel)
        channel_dir = landing_root / channel
        if not channel_dir.is_dir():
            continue
        for folder in sorted(channel_dir.iterdir()):
            if not folder.is_dir() or not BATCH_FOLDER.match(folder.name):
                if not folder.name.startswith("."):
                    problems.append(f"{folder.relative_to(landing_root)} is not a YYYY-MM-DD batch folder")
                continue
            batch_date = dt.date.fromisoformat(folder.name)
            if wanted is not None and batch_date not in wanted:
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith(".") or not path.is_file():
                    continue
                matches = [c for c in contracts if fnmatch(path.name, c.file_glob)]
                if len(matches) != 1:
                    patterns = ", ".join(f"{c.file_glob} ({c.feed})" for c in contracts)
                    problems.append(f"{path.relative_to(landing_root)} matches no feed; expected {patterns}")
                    continue
                found.append(_describe(landing_root, path, matches[0], batch_date))
    if problems:
        raise ContractError("Landing zone problems (nothing was ingested):\n  - " + "\n  - ".join(problems))
    return found


def _describe(root: Path, path: Path, contract: LandingContract, batch_date: dt.date) -> LandingFile:
    digest = hashlib.sha256()
    rows = 0
    size = 0
    first = True
    with path.open("rb") as handle:
        for line in handle:
            digest.update(line)
            size += len(line)
            if first and contract.file_format == "csv":
                first = False
                continue
            first = False
            if line.strip():
                rows += 1
    return LandingFile(
        feed=contract.feed,
        channel=contract.channel,
        batch_date=batch_date,
        path=path,
        relative_path=path.relative_to(root).as_posix(),
        checksum=digest.hexdigest(),
        size_bytes=size,
        rows=rows,
    )


def check_header(file: LandingFile, contract: LandingContract) -> None:
    """Fail when a CSV file's header is not exactly the contract's columns in order.

    Raises:
        ContractError: naming the missing, unexpected and misplaced columns.
    """
    if contract.file_format != "csv":
        return
    with file.path.open("rb") as handle:
        first = handle.readline()
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
        header = next(csv.reader([text]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        raise ContractError(f"{file.relative_path}: the header line cannot be read as UTF-8 CSV.") from None
    expected = contract.column_names
    if header == expected:
        return
    missing = [c for c in expected if c not in header]
    unexpected = [c for c in header if c not in expected]
    details = []
    if missing:
        details.append(f"missing columns: {', '.join(missing)}")
    if unexpected:
        details.append(f"unexpected columns: {', '.join(unexpected)}")
    if not missing and not unexpected:
        moved = [c for i, c in enumerate(header) if i >= len(expected) or expected[i] != c]
        details.append(f"columns out of order: {', '.join(moved)}")
    raise ContractError(
        f"{file.relative_path}: header does not match the {contract.feed} contract ({'; '.join(details)}). "
        f"Expected: {','.join(expected)}. Fix the export, or update schemas/landing.py if the source changed."
    )


def parse_lines(content: bytes, contract: LandingContract) -> Iterator[ParsedLine]:
    """Parse one landing file's bytes into lines; blank lines (and a CSV header) are skipped.

    Example:
        >>> from schemas.landing import NPS_SURVEYS
        >>> line = next(parse_lines(b"h\\nr1,,a@b.c,9,,2025-01-01T00:00:00Z,email\\n", NPS_SURVEYS))
        >>> line.line_number, line.fields[3], line.reasons
        (2, '9', ())
    """
    width = len(contract.columns)
    names = contract.column_names
    known = set(names)
    is_csv = contract.file_format == "csv"
    for index, physical in enumerate(content.split(b"\n"), start=1):
        if is_csv and index == 1:
            continue
        line = physical.removesuffix(b"\r")
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raw = line.decode("utf-8", errors="backslashreplace")
            yield ParsedLine(index, raw, (None,) * width, (Reason.ENCODING_ERROR,))
            continue
        if is_csv:
            yield _parse_csv(index, text, width)
        else:
            yield _parse_json(index, text, names, known)


def _parse_csv(index: int, text: str, width: int) -> ParsedLine:
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error:
        return ParsedLine(index, text, (None,) * width, (Reason.PARSE_ERROR,))
    values = rows[0] if rows else []
    if len(values) != width:
        return ParsedLine(index, text, (None,) * width, (Reason.COLUMN_COUNT_MISMATCH,))
    return ParsedLine(index, text, tuple(v if v != "" else None for v in values), ())


def _parse_json(index: int, text: str, names: list[str], known: set[str]) -> ParsedLine:
    width = len(names)
    try:
        # Floats print back in their shortest round-trip form, so 19.90 reaches decimal(12,2) exactly.
        record = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return ParsedLine(index, text, (None,) * width, (Reason.PARSE_ERROR,))
    if not isinstance(record, dict):
        return ParsedLine(index, text, (None,) * width, (Reason.PARSE_ERROR,))
    if not set(record) <= known:
        return ParsedLine(index, text, (None,) * width, (Reason.COLUMN_COUNT_MISMATCH,))
    return ParsedLine(index, text, tuple(_json_text(record.get(n)) for n in names), ())


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
