"""Reading landing files line by line, without Spark: discovery, checksums, header contracts and parsing.

Parsing turns each non-blank line into its raw text, the contract's fields as text, and the reasons it
could not be read at all (``ENCODING_ERROR``, ``PARSE_ERROR``, ``COLUMN_COUNT_MISMATCH``). Typing and value
checks happen afterwards in Spark. One record per physical line: a CSV value with an embedded line break
is not supported, and such a record is quarantined line by line instead of swallowing the lines after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from infra.errors import UserFacingError
from jobs.bronze.sources import SourceMapping, closest_mapping
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
    source: str | None = None  # the source mapping's name; None for files in a channel's own folder


@dataclass(frozen=True)
class ParsedLine:
    """One non-blank landing line after parsing."""

    line_number: int
    raw_text: str
    fields: tuple[str | None, ...]
    reasons: tuple[str, ...]


def discover(
    landing_root: Path,
    channels: Sequence[str] | None = None,
    batches: Iterable[dt.date] | None = None,
    mappings: Mapping[str, SourceMapping] | None = None,
) -> list[LandingFile]:
    """Every landing file of the given channels (all by default) and batch dates (all by default): the
    channels' own folders, and the folders of the source mappings onto them (``landing/<source>/``).

    Raises:
        ContractError: a batch folder is not named YYYY-MM-DD, or a file matches no feed of its channel
            or no mapping's files; such files would otherwise never be ingested.
    """
    wanted = None if batches is None else set(batches)
    problems: list[str] = []
    found: list[LandingFile] = []
    chosen = channels or list(dict.fromkeys(c.channel for c in CONTRACTS))
    for channel in chosen:
        contracts = feeds_of(channel)
        for path, batch_date in _batch_files(landing_root, landing_root / channel, wanted, problems):
            matches = [c for c in contracts if fnmatch(path.name, c.file_glob)]
            if len(matches) != 1:
                patterns = ", ".join(f"{c.file_glob} ({c.feed})" for c in contracts)
                problems.append(f"{path.relative_to(landing_root)} matches no feed; expected {patterns}")
                continue
            found.append(_describe(landing_root, path, matches[0], batch_date))
    for mapping in (mappings or {}).values():
        if mapping.channel not in chosen:
            continue
        for path, batch_date in _batch_files(landing_root, landing_root / mapping.name, wanted, problems):
            if not fnmatch(path.name, mapping.files):
                where = mapping.path or mapping.name
                problems.append(
                    f"{path.relative_to(landing_root)} matches no file of source {mapping.name} "
                    f"(files: {mapping.files} in {where})"
                )
                continue
            try:
                found.append(_describe(landing_root, path, mapping.contract, batch_date, mapping))
            except ContractError as exc:
                problems.append(str(exc))
    if problems:
        raise ContractError("Landing zone problems (nothing was ingested):\n  - " + "\n  - ".join(problems))
    return found


def _batch_files(
    root: Path, folder: Path, wanted: set[dt.date] | None, problems: list[str]
) -> Iterator[tuple[Path, dt.date]]:
    """The files of a channel's or source's batch folders, with their batch dates."""
    if not folder.is_dir():
        return
    for batch in sorted(folder.iterdir()):
        if not batch.is_dir() or not BATCH_FOLDER.match(batch.name):
            if not batch.name.startswith("."):
                problems.append(f"{batch.relative_to(root)} is not a YYYY-MM-DD batch folder")
            continue
        batch_date = dt.date.fromisoformat(batch.name)
        if wanted is not None and batch_date not in wanted:
            continue
        for path in sorted(batch.iterdir()):
            if not path.name.startswith(".") and path.is_file():
                yield path, batch_date


def _describe(
    root: Path,
    path: Path,
    contract: LandingContract,
    batch_date: dt.date,
    mapping: SourceMapping | None = None,
) -> LandingFile:
    if mapping is not None:
        content = path.read_bytes()
        relative = path.relative_to(root).as_posix()
        header = 1 if mapping.file_format == "csv" else 0
        lines = mapped_lines(content, mapping, relative)
        rows = sum(1 for index, text, _ in lines if index > header and text.strip())
        return LandingFile(
            feed=contract.feed,
            channel=contract.channel,
            batch_date=batch_date,
            path=path,
            relative_path=relative,
            checksum=hashlib.sha256(content).hexdigest(),
            size_bytes=len(content),
            rows=rows,
            source=mapping.name,
        )
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
        f"Expected: {','.join(expected)}. Fix the export; or, when the files come from a system of your "
        "own, move them to landing/<source>/ and map them with sources/<source>.yaml, starting from:\n"
        + closest_mapping(header, contract)
    )


def check_mapped_header(file: LandingFile, mapping: SourceMapping) -> None:
    """Fail when a mapped CSV file's header lacks a column its mapping reads.

    Raises:
        ContractError: naming the missing columns, the closest header columns, and the mapping file.
    """
    if mapping.file_format != "csv":
        return
    first = next(mapped_lines(file.path.read_bytes(), mapping, file.relative_path), (1, "", False))
    header = _csv_row(first[1], mapping) if first[2] else None
    if header is None:
        raise ContractError(
            f"{file.relative_path}: the header line cannot be read as {mapping.encoding} CSV with "
            f"delimiter {mapping.delimiter!r}; check encoding:, delimiter: and quote: in "
            f"{mapping.path or mapping.name}."
        )
    missing = [c for c in mapping.source_columns if c not in header]
    if missing:
        named = [
            f"{c} (closest: {m[0]})" if (m := difflib.get_close_matches(c, header, 1)) else c for c in missing
        ]
        raise ContractError(
            f"{file.relative_path}: source {mapping.name} maps columns the file does not have: "
            f"{', '.join(named)}. The header has: {', '.join(header)}. "
            f"Fix {mapping.path or mapping.name} or the export."
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


def mapped_lines(content: bytes, mapping: SourceMapping, name: str) -> Iterator[tuple[int, str, bool]]:
    """Every physical line of a mapped source's file: (line number, text, decoded cleanly).

    The file is gunzipped as its mapping says and each line decoded on its own, so one bad line costs
    that line only; a line that does not decode keeps its bytes as ``\\xNN`` escapes. UTF-16 is split on
    its own two-byte line breaks.

    Raises:
        ContractError: the file cannot be decompressed.
    """
    try:
        data = mapping.decompress(name, content)
    except (OSError, EOFError) as exc:
        raise ContractError(f"{name}: cannot be decompressed as gzip ({exc}).") from None
    if mapping.encoding.startswith("utf-16"):
        yield from _utf16_lines(data, mapping.encoding)
        return
    for index, physical in enumerate(data.split(b"\n"), start=1):
        line = physical.removesuffix(b"\r")
        try:
            yield index, line.decode(mapping.encoding), True
        except UnicodeDecodeError:
            yield index, line.decode(mapping.encoding, errors="backslashreplace"), False


def _utf16_lines(data: bytes, encoding: str) -> Iterator[tuple[int, str, bool]]:
    codec = "utf-16-be" if encoding == "utf-16-be" else "utf-16-le"
    if data.startswith(b"\xff\xfe"):
        codec, data = "utf-16-le", data[2:]
    elif data.startswith(b"\xfe\xff"):
        codec, data = "utf-16-be", data[2:]
    newline = "\n".encode(codec)
    start = position = 0
    index = 1
    while True:
        found = data.find(newline, position)
        if found != -1 and (found - start) % 2:
            position = found + 1  # the two bytes straddle two characters: not a line break
            continue
        piece = data[start:] if found == -1 else data[start:found]
        try:
            yield index, piece.decode(codec).removesuffix("\r"), True
        except UnicodeDecodeError:
            yield index, piece.decode(codec, errors="backslashreplace").removesuffix("\r"), False
        if found == -1:
            return
        index += 1
        start = position = found + 2


def _csv_row(text: str, mapping: SourceMapping) -> list[str] | None:
    try:
        rows = list(csv.reader([text], delimiter=mapping.delimiter, quotechar=mapping.quote, strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else []


def parse_mapped(content: bytes, mapping: SourceMapping, name: str) -> Iterator[ParsedLine]:
    """Parse one mapped source file into contract fields (see ``jobs.bronze.sources``); blank lines and
    a CSV header are skipped, as for a channel's own files."""
    width = len(mapping.contract.columns)
    header: list[str] = []
    is_csv = mapping.file_format == "csv"
    for index, text, decoded in mapped_lines(content, mapping, name):
        if is_csv and index == 1:
            header = (_csv_row(text, mapping) if decoded else None) or []
            continue
        if not text.strip():
            continue
        if not decoded:
            yield ParsedLine(index, text, (None,) * width, (Reason.ENCODING_ERROR,))
            continue
        row: dict[str, str | None]
        if is_csv:
            values = _csv_row(text, mapping)
            if values is None:
                yield ParsedLine(index, text, (None,) * width, (Reason.PARSE_ERROR,))
                continue
            if len(values) != len(header):
                yield ParsedLine(index, text, (None,) * width, (Reason.COLUMN_COUNT_MISMATCH,))
                continue
            row = dict(zip(header, values, strict=True))
        else:
            try:
                record = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                record = None
            if not isinstance(record, dict):
                yield ParsedLine(index, text, (None,) * width, (Reason.PARSE_ERROR,))
                continue
            row = {str(k): _json_text(v) for k, v in record.items()}
        yield ParsedLine(index, text, mapping.map_row(row), ())
