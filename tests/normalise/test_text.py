"""normalise_text, the coercion of cell values, and accent folding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from normalise import normalise_text
from normalise.text import fold, strip_accents, to_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  John   Smith ", "John Smith"),
        ("Ｊｏｈｎ\u3000Ｓｍｉｔｈ", "John Smith"),
        ("a\tb\nc\r\nd", "a b c d"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("nul\x00byte", "nul byte"),
        ("\u00a0non-breaking\u00a0", "non-breaking"),
        ("ﬁne", "fine"),
        ("王小明", "王小明"),
        ("", None),
        ("   \t\n", None),
        ("\u200b", None),
        (None, None),
    ],
)
def test_normalise_text(raw: str | None, expected: str | None) -> None:
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("text", "text"),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (float("nan"), None),
        (float("inf"), None),
        (Decimal("42.00"), "42"),
        (b"caf\xc3\xa9", "café"),
        (b"\xff", "\ufffd"),
        (True, "True"),
    ],
)
def test_to_text(value: object, expected: str | None) -> None:
    assert to_text(value) == expected


def test_to_text_survives_a_broken_str() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert to_text(Broken()) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zoë", "zoe"),
        ("JOSÉ Núñez", "jose nunez"),
        ("Straße", "strasse"),
        ("Søren Ærø", "soren aero"),
        ("Łódź", "lodz"),
        ("İstanbul", "istanbul"),
        ("Иван Йогурт", "иван иогурт"),
        ("がっこう", "がっこう"),
        ("한국", "한국"),
        ("王小明", "王小明"),
    ],
)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


def test_strip_accents_keeps_case() -> None:
    assert strip_accents("Zoë ØRSTED") == "Zoe ORSTED"
