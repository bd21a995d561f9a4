"""Text helpers shared by every normaliser: coercion, Unicode clean-up, case and accent folding."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

__all__ = ["HAN_CLASS", "MARK_CLASS", "fold", "normalise_text", "strip_accents", "to_text"]

# Soft hyphen, Mongolian vowel separator, zero-width space / non-joiner / joiner, word joiner, BOM:
# invisible in a UI, so they ride along in copy-pasted values and break equality.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_CLEAN_TABLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE}
_CLEAN_TABLE.update(dict.fromkeys((*range(0x20), 0x7F, *range(0x80, 0xA0)), " "))
_NEEDS_CLEANING_RE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")

# Combining marks that carry accents on Latin, Greek and Cyrillic letters. Marks of other scripts (the kana
# voicing marks, Indic vowel signs, ...) change the letter itself and are kept.
_ACCENT_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Letters that carry no decomposable accent but are written as ASCII in names and addresses.
_LETTER_TABLE = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŀ": "l",
        "ŋ": "n",
        "ſ": "s",
        "Ø": "O",
        "Æ": "AE",
        "Œ": "OE",
        "Ł": "L",
        "Đ": "D",
        "Ð": "D",
        "Þ": "TH",
        "Ħ": "H",
        "Ŋ": "N",
    }
)

_SPECIAL_LETTER_RE = re.compile(f"[{''.join(chr(c) for c in _LETTER_TABLE)}]")

MARK_CLASS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0900-\u0dff\u0e00-\u0eff\u3099\u309a"
)
"""Regular-expression class body of combining marks (Latin, Cyrillic, Hebrew, Arabic) and of the Indic and
Thai blocks, whose vowel signs are marks: parts of a word, though ``re`` does not count them as ``\\w``."""

HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
"""Regular-expression class body of the CJK ideographs (unified, extensions, compatibility, 〇)."""


def to_text(value: object) -> str | None:
    """Coerce any cell value to ``str`` (or ``None``) without raising.

    Spark, CSV readers and JSON decoders hand over numbers, bytes or ``None`` where a string is expected;
    numbers that are whole (a phone read as a double) are written without a decimal part.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if value == int(value):
            return str(int(value))
        return str(value)
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a caller's object with a broken __str__ must not fail a Spark task
        return None


def normalise_text(raw: str | None) -> str | None:
    """NFKC-normalise, trim and collapse whitespace; ``None`` for empty input.

    Control characters become spaces and zero-width characters are removed, so values copied from web
    forms and spreadsheets compare equal to their typed forms.

    Args:
        raw: Any text, or ``None``.

    Returns:
        The cleaned text, or ``None`` when nothing but whitespace is left.

    Example:
        >>> normalise_text("  Ｊｏｈｎ\\u3000 Smith\\n")
        'John Smith'
    """
    text = to_text(raw)
    if not text:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if _NEEDS_CLEANING_RE.search(text):
        text = text.translate(_CLEAN_TABLE)
    text = " ".join(text.split())
    return text or None


def strip_accents(text: str) -> str:
    """Remove Latin/Greek/Cyrillic diacritics (``Zoë`` -> ``Zoe``) and keep every other character."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = _ACCENT_RE.sub("", decomposed)
    if _SPECIAL_LETTER_RE.search(stripped):
        stripped = stripped.translate(_LETTER_TABLE)
    return unicodedata.normalize("NFC", stripped)


def fold(text: str) -> str:
    """Case-fold and strip accents: the comparison form of a name, city or street token."""
    if text.isascii():
        return text.lower()
    return strip_accents(text.casefold())
