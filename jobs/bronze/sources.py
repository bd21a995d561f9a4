"""Source mappings: your own files, as their systems write them, mapped onto a channel's landing contract.

One YAML file per source under ``paths.sources`` (``<home>/sources/<name>.yaml``); the source's files land
in ``landing/<name>/<YYYY-MM-DD>/``. Example, a bank's CRM export::

    channel: crm_contacts          # the contract the rows become (schemas/landing.py)
    files: "contacts_*.csv.gz"     # which files of a batch folder belong to this source
    format: csv                    # csv | jsonl
    encoding: gb18030              # utf-8 (a byte-order mark is fine), gb18030, gbk, utf-16, latin-1 ...
    delimiter: ";"                 # csv only; quote: '"' likewise
    compression: gzip              # none | gzip | auto (auto: gzip when the name ends in .gz)
    timezone: Europe/Berlin        # the zone local times are written in (default: the contract's)
    phone_region: DE               # the region of phone numbers without a country code
    country: DE                    # country_code of every row, unless a column gives it
    key_prefix: true               # prefix the source's ids with its name (default: true)
    columns:                       # contract column: how to fill it
      contact_id: KundenNr                                  # a source column
      first_name: Vorname
      last_name: Nachname
      birth_date: {column: Geburtsdatum, format: dd.MM.yyyy}  # a date in its own pattern
      address_line: {join: [Strasse, Hausnummer]}           # columns joined with a space
      city: {split: Ort, separator: " ", part: 1}           # one part of a column
      gender: {constant: U}                                  # the same value on every row

Contract columns left out are empty. Dates and times are rewritten into the contract's pattern (and
local times into its zone), and phones with the mapping's region into E.164, so the rest of the pipeline
reads every source alike. With ``key_prefix`` the key columns carry ``<source>:`` in front, so two CRMs
feeding one channel keep their own record keys.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from infra.errors import UserFacingError
from schemas.core import DATE, LOCAL_TIMESTAMP, TIMESTAMP, LandingContract
from schemas.landing import CONTRACTS, feeds_of

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
ENCODINGS = {
    "utf-8": "utf-8-sig",  # a byte-order mark, when present, is not part of the first value
    "utf-8-sig": "utf-8-sig",
    "gb18030": "gb18030",
    "gbk": "gbk",
    "gb2312": "gb18030",  # GB18030 is a superset; exports labelled GB2312 often hold GBK characters
    "utf-16": "utf-16",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "latin-1": "latin-1",
    "cp1252": "cp1252",
    "shift_jis": "shift_jis",
    "big5": "big5",
}
_KEYS = {
    "channel", "feed", "files", "format", "encoding", "delimiter", "quote", "compression",
    "timezone", "phone_region", "country", "key_prefix", "columns",
}  # fmt: skip
_RULE_KEYS = {"column", "constant", "join", "separator", "split", "part", "format"}


class MappingError(UserFacingError):
    """A source mapping is malformed or does not fit its contract."""


@dataclass(frozen=True)
class FieldRule:
    """How one contract column is filled from a source row (exactly one of column, constant, join,
    split)."""

    column: str | None = None
    constant: str | None = None
    join: tuple[str, ...] = ()
    separator: str = " "
    split: str | None = None
    part: int = 0
    format: str | None = None

    @property
    def reads(self) -> tuple[str, ...]:
        """The source columns this rule reads."""
        if self.column:
            return (self.column,)
        if self.split:
            return (self.split,)
        return self.join

    def value(self, row: Mapping[str, str | None]) -> str | None:
        """The rule's text for one source row (empty text is null)."""
        if self.constant is not None:
            return self.constant
        if self.column:
            return _text(row.get(self.column))
        if self.join:
            parts = [p for p in (_text(row.get(c)) for c in self.join) if p]
            return self.separator.join(parts) if parts else None
        text = _text(row.get(self.split or ""))
        if text is None:
            return None
        pieces = [p for p in text.split(self.separator) if p]
        index = self.part if self.part >= 0 else len(pieces) + self.part
        return pieces[index] if 0 <= index < len(pieces) else None


@dataclass(frozen=True)
class SourceMapping:
    """One source of your own mapped onto a landing contract; see the module docstring."""

    name: str
    contract: LandingContract
    files: str
    file_format: Literal["csv", "jsonl"]
    encoding: str
    delimiter: str
    quote: str
    compression: Literal["none", "gzip", "auto"]
    timezone: str
    phone_region: str
    country: str | None
    key_prefix: bool
    rules: Mapping[str, FieldRule] = field(default_factory=dict)
    path: Path | None = None

    @property
    def channel(self) -> str:
        """The contract's channel."""
        return self.contract.channel

    @property
    def source_columns(self) -> list[str]:
        """Every source column the mapping reads, in first-use order."""
        return list(dict.fromkeys(c for rule in self.rules.values() for c in rule.reads))

    def decompress(self, name: str, content: bytes) -> bytes:
        """The file's bytes, gunzipped when the mapping (or, with ``auto``, the name) says so."""
        import gzip

        if self.compression == "gzip" or (self.compression == "auto" and name.endswith(".gz")):
            return gzip.decompress(content)
        return content

    def map_row(self, row: Mapping[str, str | None]) -> tuple[str | None, ...]:
        """The contract's fields (as text, in contract order) for one source row."""
        values: list[str | None] = []
        for column in self.contract.columns:
            rule = self.rules.get(column.name)
            value = rule.value(row) if rule else None
            if value is None and column.name == "country_code" and self.country:
                value = self.country
            if value is not None:
                value = self._convert(column.name, value, rule)
            values.append(value)
        return tuple(values)

    def _convert(self, name: str, value: str, rule: FieldRule | None) -> str:
        column = self.contract.column(name)
        if name in self.contract.primary_key and self.key_prefix:
            return f"{self.name}:{value}"
        if column.dtype in (DATE, LOCAL_TIMESTAMP, TIMESTAMP) and column.parse_format:
            return self._datetime(value, column.dtype, column.parse_format, rule.format if rule else None)
        if name == "phone" or name.endswith("_phone"):
            return self._phone(value)
        return value

    def _datetime(self, value: str, dtype: Any, target: str, source: str | None) -> str:
        """Rewrite a date or time from the source's pattern (and zone) into the contract's; text that
        does not parse is passed on unchanged, to be rescued or quarantined by the typing step."""
        if source is None and self.timezone == self.contract.timezone:
            return value
        try:
            parsed = dt.datetime.strptime(value, strptime_pattern(source or target))
        except ValueError:
            return value
        if dtype == LOCAL_TIMESTAMP and parsed.tzinfo is None:
            zoned = parsed.replace(tzinfo=ZoneInfo(self.timezone))
            parsed = zoned.astimezone(ZoneInfo(self.contract.timezone)).replace(tzinfo=None)
        elif dtype == TIMESTAMP and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(self.timezone))
        return format_pattern(parsed, target)

    def _phone(self, value: str) -> str:
        if self.phone_region == self.contract.phone_region or value.lstrip().startswith("+"):
            return value
        from normalise.phones import normalise_phone

        result = normalise_phone(value, self.phone_region)
        return result.e164 or value


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


_TOKENS = re.compile(r"'[^']*'|yyyy|yy|MM|M|dd|d|HH|H|mm|m|ss|s|SSSSSS|SSS|XXX|XX|X|Z")
_STRPTIME = {
    "yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d", "HH": "%H", "H": "%H",
    "mm": "%M", "m": "%M", "ss": "%S", "s": "%S", "SSSSSS": "%f", "SSS": "%f",
    "XXX": "%z", "XX": "%z", "X": "%z", "Z": "%z",
}  # fmt: skip


def strptime_pattern(pattern: str) -> str:
    """A Spark datetime pattern as a ``strptime`` format.

    Example:
        >>> strptime_pattern("dd.MM.yyyy HH:mm"), strptime_pattern("yyyy-MM-dd'T'HH:mm:ssXXX")
        ('%d.%m.%Y %H:%M', '%Y-%m-%dT%H:%M:%S%z')
    """

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        return text[1:-1].replace("%", "%%") if text.startswith("'") else _STRPTIME[text]

    return _TOKENS.sub(token, pattern)


def format_pattern(value: dt.datetime, pattern: str) -> str:
    """Write ``value`` in a Spark datetime pattern (the contract's own).

    Example:
        >>> format_pattern(dt.datetime(2024, 3, 5, 7, 8, 9), "yyyy-MM-dd HH:mm:ss")
        '2024-03-05 07:08:09'
    """

    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith("'"):
            return text[1:-1]
        if text == "SSS":
            return f"{value.microsecond // 1000:03d}"
        if text in ("XXX", "XX", "X", "Z"):
            offset = value.utcoffset() or dt.timedelta(0)
            if not offset:
                return "Z"
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        return value.strftime(_STRPTIME[text])

    return _TOKENS.sub(token, pattern)


def load(folder: Path) -> dict[str, SourceMapping]:
    """Every mapping in ``folder`` (``<name>.yaml``), by source name; none when the folder is absent.

    Raises:
        MappingError: a mapping is malformed, names an unknown channel or column, or a source name is
            also a channel's folder.
    """
    if not folder.is_dir():
        return {}
    mappings: dict[str, SourceMapping] = {}
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        mapping = parse(path.stem, _read_yaml(path), path)
        mappings[mapping.name] = mapping
    return mappings


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(f"Source mapping {path} is not valid YAML: {exc}") from None


def parse(name: str, raw: Any, path: Path | None = None) -> SourceMapping:
    """Build a mapping from its YAML content, checking it against the contract.

    Raises:
        MappingError: saying which key is wrong and what it may be.
    """
    where = f"Source mapping {path or name}"
    if not NAME.match(name):
        raise MappingError(f"{where}: the source name {name!r} must be lower-case letters, digits, '_'.")
    if name in {c.channel for c in CONTRACTS}:
        raise MappingError(
            f"{where}: {name!r} is a channel's own landing folder; name the source after its system "
            "(e.g. bank_crm) and set channel: " + name
        )
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected a YAML mapping with at least channel and columns.")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise MappingError(f"{where}: unknown keys {unknown}; allowed: {', '.join(sorted(_KEYS))}.")
    contract = _contract(where, raw)
    fmt = raw.get("format", "csv")
    if fmt not in ("csv", "jsonl"):
        raise MappingError(f"{where}: format {fmt!r} is not csv or jsonl.")
    encoding = str(raw.get("encoding", "utf-8")).lower().replace("_", "-")
    if encoding not in ENCODINGS:
        raise MappingError(f"{where}: encoding {encoding!r} is not one of {', '.join(ENCODINGS)}.")
    compression = raw.get("compression", "auto")
    if compression not in ("none", "gzip", "auto"):
        raise MappingError(f"{where}: compression {compression!r} is not none, gzip or auto.")
    delimiter, quote = str(raw.get("delimiter", ",")), str(raw.get("quote", '"'))
    if len(delimiter) != 1 or len(quote) != 1:
        raise MappingError(f"{where}: delimiter and quote must be one character each.")
    timezone = str(raw.get("timezone", contract.timezone))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"{where}: timezone {timezone!r} is not an IANA time zone name.") from None
    country = raw.get("country")
    if country is not None:
        if "country_code" not in contract.column_names:
            raise MappingError(f"{where}: the {contract.feed} contract has no country_code for country:.")
        if str(country) not in (contract.column("country_code").allowed or (str(country),)):
            raise MappingError(f"{where}: country {country!r} is not an ISO 3166-1 alpha-2 code we know.")
    rules = _rules(where, raw.get("columns"), contract)
    return SourceMapping(
        name=name,
        contract=contract,
        files=str(raw.get("files", "*.csv" if fmt == "csv" else "*.jsonl")),
        file_format=fmt,
        encoding=ENCODINGS[encoding],
        delimiter=delimiter,
        quote=quote,
        compression=compression,
        timezone=timezone,
        phone_region=str(raw.get("phone_region", contract.phone_region)).upper(),
        country=None if country is None else str(country),
        key_prefix=bool(raw.get("key_prefix", True)),
        rules=rules,
        path=path,
    )


def _contract(where: str, raw: Mapping[str, Any]) -> LandingContract:
    channels = sorted({c.channel for c in CONTRACTS})
    channel = raw.get("channel")
    if channel not in channels:
        raise MappingError(f"{where}: channel {channel!r} is not one of {', '.join(channels)}.")
    feeds = feeds_of(str(channel))
    feed = raw.get("feed", feeds[0].feed if len(feeds) == 1 else None)
    chosen = [c for c in feeds if c.feed == feed]
    if not chosen:
        names = ", ".join(c.feed for c in feeds)
        raise MappingError(f"{where}: channel {channel} has several feeds ({names}); set feed: to one.")
    return chosen[0]


def _rules(where: str, raw: Any, contract: LandingContract) -> dict[str, FieldRule]:
    if not isinstance(raw, dict) or not raw:
        raise MappingError(f"{where}: columns: must map contract columns to source columns.")
    names = contract.column_names
    unknown = [c for c in raw if c not in names]
    if unknown:
        hints = [
            f"{c} (did you mean {m[0]}?)" for c in unknown if (m := difflib.get_close_matches(c, names, 1))
        ]
        verb = "is" if len(unknown) == 1 else "are"
        hint = "; " + ", ".join(hints) if hints else ""
        raise MappingError(
            f"{where}: {', '.join(unknown)} {verb} not in the {contract.feed} contract{hint}. "
            f"Its columns: {', '.join(names)}."
        )
    rules = {str(k): _rule(where, str(k), v) for k, v in raw.items()}
    missing = [c.name for c in contract.columns if c.required and c.name not in rules]
    if missing:
        raise MappingError(f"{where}: the contract's required columns {missing} are not mapped.")
    return rules


def _rule(where: str, column: str, raw: Any) -> FieldRule:
    if isinstance(raw, str):
        return FieldRule(column=raw)
    if not isinstance(raw, dict) or set(raw) - _RULE_KEYS:
        raise MappingError(
            f"{where}: column {column}: give a source column name, or one of {{column: ...}}, "
            "{constant: ...}, {join: [a, b], separator: ' '}, {split: a, separator: ' ', part: 0}, "
            "each with an optional format: for dates and times."
        )
    kinds = [k for k in ("column", "constant", "join", "split") if k in raw]
    if len(kinds) != 1:
        raise MappingError(f"{where}: column {column}: use exactly one of column, constant, join, split.")
    join = raw.get("join", ())
    if "join" in raw and (not isinstance(join, list) or not join):
        raise MappingError(f"{where}: column {column}: join: takes a list of source columns.")
    part = raw.get("part", 0)
    if not isinstance(part, int):
        raise MappingError(f"{where}: column {column}: part: is a whole number (0 is the first part).")
    constant = raw.get("constant")
    return FieldRule(
        column=raw.get("column"),
        constant=None if constant is None else str(constant),
        join=tuple(str(c) for c in join),
        separator=str(raw.get("separator", " ")),
        split=raw.get("split"),
        part=part,
        format=raw.get("format"),
    )


def closest_mapping(header: Sequence[str], contract: LandingContract) -> str:
    """A mapping to start from for a file with ``header``: each contract column with the closest header
    column (or a comment where none is close), as YAML text."""
    lines = [f"channel: {contract.channel}", f'files: "{contract.file_glob}"', "columns:"]
    lowered = {h.lower(): h for h in header}
    for column in contract.column_names:
        match = difflib.get_close_matches(column.lower(), list(lowered), 1, cutoff=0.6)
        if match:
            lines.append(f"  {column}: {lowered[match[0]]}")
        else:
            lines.append(
                f"  # {column}: <source column>{'  (required)' if contract.column(column).required else ''}"
            )
    return "\n".join(lines)
