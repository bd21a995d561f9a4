"""Parsing landing lines without Spark: each parse-level reason from a line crafted for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.bronze.landing_files import ContractError, check_header, discover, parse_lines
from schemas.landing import NPS_SURVEYS, ORDERS_ONLINE

HEADER = ",".join(NPS_SURVEYS.column_names).encode()


def test_csv_lines_give_fields_or_parse_reasons() -> None:
    content = b"\n".join(
        [
            HEADER,
            b'r1,c1,a@b.com,9,"great, thanks",2025-01-01T10:00:00Z,email',
            b"",
            b'r2,c1,a@b.com,9,"unclosed,2025-01-01T10:00:00Z,email',
            b"r3,c1,a@b.com,9,2025-01-01T10:00:00Z,email",
            b"r4,c1,caf\xe9@b.com,9,,2025-01-01T10:00:00Z,email",
            b"r5,,,7,,2025-01-01T10:00:00Z,\r",
        ]
    )
    lines = list(parse_lines(content, NPS_SURVEYS))
    assert [(p.line_number, p.reasons) for p in lines] == [
        (2, ()),
        (4, ("PARSE_ERROR",)),
        (5, ("COLUMN_COUNT_MISMATCH",)),
        (6, ("ENCODING_ERROR",)),
        (7, ()),
    ]
    assert lines[0].fields == ("r1", "c1", "a@b.com", "9", "great, thanks", "2025-01-01T10:00:00Z", "email")
    assert lines[3].raw_text == "r4,c1,caf\\xe9@b.com,9,,2025-01-01T10:00:00Z,email"
    assert lines[4].fields == ("r5", None, None, "7", None, "2025-01-01T10:00:00Z", None)


def test_json_lines_keep_nested_values_as_json_text() -> None:
    content = (
        b'{"order_id": "o1", "channel": "web", "total_amount": 19.90, "items": [{"sku": "A", "quantity": 2}]}\n'
        b'{"order_id": "o2", "channel": "web", "surprise": 1}\n'
        b'{"order_id": "o3", "channel": \n'
        b"[1, 2]\n"
    )
    lines = list(parse_lines(content, ORDERS_ONLINE))
    assert [p.reasons for p in lines] == [(), ("COLUMN_COUNT_MISMATCH",), ("PARSE_ERROR",), ("PARSE_ERROR",)]
    fields = dict(zip(ORDERS_ONLINE.column_names, lines[0].fields, strict=True))
    assert fields["total_amount"] == "19.9"
    assert fields["items"] == '[{"sku": "A", "quantity": 2}]'
    assert fields["account_id"] is None


def test_discover_rejects_unknown_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "orders" / "2025-01-01").mkdir(parents=True)
    (tmp_path / "orders" / "2025-01-01" / "online-1.jsonl").write_text("{}\n")
    (tmp_path / "orders" / "2025-01-01" / "returns.csv").write_text("x\n")
    (tmp_path / "orders" / "latest").mkdir()
    with pytest.raises(ContractError) as info:
        discover(tmp_path)
    message = str(info.value)
    assert "orders/2025-01-01/returns.csv matches no feed; expected online-*.jsonl (orders_online)" in message
    assert "orders/latest is not a YYYY-MM-DD batch folder" in message


def test_header_contract_names_the_columns(tmp_path: Path) -> None:
    folder = tmp_path / "nps_surveys" / "2025-01-01"
    folder.mkdir(parents=True)
    names = NPS_SURVEYS.column_names
    swapped = [names[1], names[0], *names[2:]]
    (folder / "a.csv").write_text(",".join(swapped) + "\n")
    (file,) = discover(tmp_path)
    with pytest.raises(ContractError, match="columns out of order: contact_id, response_id"):
        check_header(file, NPS_SURVEYS)
    renamed = ["nps", *names[1:]]
    (folder / "a.csv").write_text(",".join(renamed) + "\n")
    (file,) = discover(tmp_path)
    with pytest.raises(ContractError, match="missing columns: response_id; unexpected columns: nps"):
        check_header(file, NPS_SURVEYS)
