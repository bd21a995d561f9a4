"""Source mappings: parsing the YAML, reading files as their systems write them, mapping onto contracts."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
import yaml

from jobs.bronze import sources
from jobs.bronze.landing_files import ContractError, check_header, check_mapped_header, discover, parse_mapped
from jobs.bronze.sources import MappingError, SourceMapping
from schemas.bronze import Reason
from schemas.landing import CRM_CONTACTS

BANK = {
    "channel": "crm_contacts",
    "files": "kunden_*.csv*",
    "delimiter": ";",
    "timezone": "Europe/Berlin",
    "phone_region": "DE",
    "country": "DE",
    "columns": {
        "contact_id": "KundenNr",
        "first_name": "Vorname",
        "last_name": "Nachname",
        "birth_date": {"column": "Geburtsdatum", "format": "dd.MM.yyyy"},
        "address_line": {"join": ["Strasse", "Hausnummer"]},
        "city": {"split": "Ort", "separator": " ", "part": -1},
        "phone": "Telefon",
        "gender": {"constant": "U"},
        "created_at": {"column": "Angelegt", "format": "dd.MM.yyyy HH:mm"},
        "updated_at": {"column": "Angelegt", "format": "dd.MM.yyyy HH:mm"},
    },
}
HEADER = "KundenNr;Vorname;Nachname;Geburtsdatum;Strasse;Hausnummer;Ort;Telefon;Angelegt"
ROWS = [
    "K1;Jürgen;Müller;24.12.1960;Hauptstraße;5;10115 Berlin;030 1234567;01.03.2024 09:30",
    "K2;Anna;Schmidt;31.02.1990;;;Hamburg;;15.07.2024 23:15",
]


def bank(**changes: object) -> SourceMapping:
    return sources.parse("bank_crm", {**BANK, **changes})


def fields(mapping: SourceMapping, content: bytes, name: str = "kunden_1.csv") -> list[dict[str, object]]:
    names = mapping.contract.column_names
    return [
        {"line": p.line_number, "reasons": p.reasons, **dict(zip(names, p.fields, strict=True))}
        for p in parse_mapped(content, mapping, name)
    ]


def test_a_row_maps_onto_the_contract() -> None:
    first, second = fields(bank(), "\n".join([HEADER, *ROWS]).encode())
    assert first["contact_id"] == "bank_crm:K1"  # the source keeps its own keys
    assert (first["first_name"], first["last_name"]) == ("Jürgen", "Müller")
    assert first["birth_date"] == "1960-12-24"  # rewritten into the contract's pattern
    assert first["address_line"] == "Hauptstraße 5" and first["city"] == "Berlin"
    assert first["phone"] == "+49301234567"  # the mapping's region, not the contract's (CN)
    assert first["gender"] == "U" and first["country_code"] == "DE"
    # 09:30 in Berlin (CET, +1) is 16:30 in Shanghai, the contract's zone.
    assert first["created_at"] == "2024-03-01 16:30:00"
    assert first["email"] is None and first["full_name"] is None
    # A date that does not exist stays as written, for the typing step to catch; empty parts vanish.
    assert second["birth_date"] == "31.02.1990" and second["address_line"] is None
    assert second["created_at"] == "2024-07-16 05:15:00"  # summer time, +2 -> +8
    assert first["line"] == 2 and first["reasons"] == ()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-be"])
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_files_are_read_in_their_encoding_and_compression(encoding: str, compressed: bool) -> None:
    # Characters every one of these encodings holds: ASCII and common Hanzi.
    rows = [
        "K1;Juergen;Mueller;24.12.1960;Hauptstrasse;5;10115 Berlin;030 1234567;01.03.2024 09:30",
        "K2;Anna;Schmidt;01.02.1990;;;Hamburg;;15.07.2024 23:15",
        "K3;伟;王;01.01.1980;南京路;1;上海;;01.01.2024 00:00",
    ]
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    data = text.encode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    name = "kunden_1.csv.gz" if compressed else "kunden_1.csv"
    mapping = bank(encoding=encoding.replace("-sig", ""))
    got = fields(mapping, gzip.compress(data) if compressed else data, name)
    assert [r["contact_id"] for r in got] == ["bank_crm:K1", "bank_crm:K2", "bank_crm:K3"]
    assert got[2]["first_name"] == "伟" and got[2]["city"] == "上海"
    assert all(r["reasons"] == () for r in got)


def test_a_line_in_the_wrong_encoding_is_quarantined_alone_and_keeps_its_bytes() -> None:
    bad = "K9;José;Pérez;01.01.1980;;;Madrid;;01.01.2024 00:00".encode("latin-1")
    content = b"\n".join([HEADER.encode(), ROWS[0].encode(), bad])
    good, wrong = fields(bank(), content)
    assert good["reasons"] == ()
    assert wrong["reasons"] == (Reason.ENCODING_ERROR,)
    raw = next(p.raw_text for p in parse_mapped(content, bank(), "kunden_1.csv") if p.line_number == 3)
    # The undecodable bytes survive as escapes: the original line can be rebuilt byte for byte.
    assert raw.encode("utf-8", errors="strict").decode("unicode_escape").encode("latin-1") == bad


def test_structural_faults_quarantine_the_row() -> None:
    content = "\n".join([HEADER, "K1;only;three", 'K2;"unclosed;x;y;z;1;a;b;c', ""]).encode()
    short, broken = fields(bank(), content)
    assert short["reasons"] == (Reason.COLUMN_COUNT_MISMATCH,)
    assert broken["reasons"] == (Reason.PARSE_ERROR,)


def test_json_lines_sources_map_by_key() -> None:
    mapping = sources.parse(
        "app_users",
        {
            "channel": "crm_contacts",
            "format": "jsonl",
            "columns": {"contact_id": "uid", "email": "mail", "created_at": "at", "updated_at": "at"},
        },
    )
    content = b'{"uid": 7, "mail": "a@b.de", "at": "2024-01-01 00:00:00", "extra": [1]}\n[1, 2]\n'
    first, second = fields(mapping, content, "x.jsonl")
    assert first["contact_id"] == "app_users:7" and first["email"] == "a@b.de"
    assert second["reasons"] == (Reason.PARSE_ERROR,)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"channel": "crm"}, "channel 'crm' is not one of"),
        ({"colour": "red"}, "unknown keys ['colour']"),
        ({"encoding": "ebcdic"}, "encoding 'ebcdic' is not one of"),
        ({"timezone": "Mars/Olympus"}, "not an IANA time zone"),
        ({"columns": {**BANK["columns"], "frist_name": "X"}}, "frist_name (did you mean first_name?)"),
        ({"columns": {"first_name": "Vorname"}}, "required columns ['contact_id'"),
        ({"columns": {**BANK["columns"], "city": {"join": "Ort"}}}, "join: takes a list"),
        ({"columns": {**BANK["columns"], "city": {"column": "a", "constant": "b"}}}, "exactly one of"),
        ({"delimiter": ";;"}, "one character each"),
    ],
)
def test_mapping_errors_say_what_to_fix(changes: dict[str, object], words: str) -> None:
    with pytest.raises(MappingError) as info:
        bank(**changes)
    assert words in str(info.value)


def test_a_source_may_not_take_a_channel_s_folder() -> None:
    with pytest.raises(MappingError, match="is a channel's own landing folder"):
        sources.parse("crm_contacts", BANK)


def landing(tmp_path: Path, mapping: dict[str, object], lines: list[str], name: str = "kunden_1.csv") -> Path:
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "bank_crm.yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    folder = tmp_path / "landing" / "bank_crm" / "2024-03-01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes("\n".join(lines).encode())
    return tmp_path


def test_discovery_finds_mapped_sources_and_counts_their_rows(tmp_path: Path) -> None:
    home = landing(tmp_path, BANK, [HEADER, *ROWS, "", ""])
    mappings = sources.load(home / "sources")
    (found,) = discover(home / "landing", mappings=mappings)
    assert (found.source, found.feed, found.rows) == ("bank_crm", "crm_contacts", 2)
    assert found.batch_date == dt.date(2024, 3, 1)
    check_mapped_header(found, mappings["bank_crm"])
    assert discover(home / "landing", channels=["orders"], mappings=mappings) == []


def test_a_header_without_the_mapped_columns_names_them(tmp_path: Path) -> None:
    home = landing(tmp_path, BANK, [HEADER.replace("Vorname", "Vornamen"), *ROWS])
    mappings = sources.load(home / "sources")
    (found,) = discover(home / "landing", mappings=mappings)
    with pytest.raises(ContractError) as info:
        check_mapped_header(found, mappings["bank_crm"])
    assert "maps columns the file does not have: Vorname (closest: Vornamen)" in str(info.value)


def test_a_foreign_header_in_a_channel_folder_suggests_a_mapping(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "crm_contacts" / "2024-03-01"
    folder.mkdir(parents=True)
    (folder / "export.csv").write_text("ContactID,FirstName,LastName,Email\n1,a,b,c\n", encoding="utf-8")
    (found,) = discover(tmp_path / "landing")
    with pytest.raises(ContractError) as info:
        check_header(found, CRM_CONTACTS)
    message = str(info.value)
    assert "sources/<source>.yaml" in message
    assert "  contact_id: ContactID" in message and "  first_name: FirstName" in message
    assert "  email: Email" in message and "# birth_date: <source column>" in message


def test_files_no_mapping_claims_are_reported(tmp_path: Path) -> None:
    home = landing(tmp_path, BANK, [HEADER, *ROWS], name="other.txt")
    with pytest.raises(ContractError, match="matches no file of source bank_crm"):
        discover(home / "landing", mappings=sources.load(home / "sources"))


def test_pattern_translation_round_trips() -> None:
    value = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
    text = sources.format_pattern(value, pattern)
    assert text == "2024-01-02T03:04:05.678+08:00"
    assert dt.datetime.strptime(text, sources.strptime_pattern(pattern)) == value
