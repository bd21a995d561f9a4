"""Country codes: ISO 3166-1 alpha-2 from codes, alpha-3 codes and common names in English and Chinese."""

from __future__ import annotations

import functools
import re

import phonenumbers

from normalise.data.countries import COUNTRY_ALIASES
from normalise.text import fold, normalise_text, to_text

__all__ = ["ISO_COUNTRY_CODES", "country_code"]

ISO_COUNTRY_CODES: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS) - {"001"}
"""Alpha-2 codes of every country or territory with its own numbering plan (all ISO 3166-1 codes in use)."""

_ALIASES: dict[str, str] = {alias.replace(" ", ""): code for alias, code in COUNTRY_ALIASES.items()}
_DROP_RE = re.compile(r"[.'’`]")
_SEPARATOR_RE = re.compile(r"[\W_]+")


def country_code(value: object) -> str | None:
    """The ISO 3166-1 alpha-2 code for a code or country name, or ``None`` when not recognised.

    Args:
        value: ``"gb"``, ``"U.K."``, ``"United Kingdom"``, ``"中国"``, ``"USA"``, ...

    Returns:
        The upper-case alpha-2 code, or ``None``.

    Example:
        >>> country_code(" U.K. "), country_code("People's Republic of China"), country_code("Narnia")
        ('GB', 'CN', None)
    """
    text = normalise_text(to_text(value))
    if text is None or len(text) > 80:
        return None
    return _lookup(text)


@functools.lru_cache(maxsize=4096)
def _lookup(text: str) -> str | None:
    upper = text.upper()
    if upper in ISO_COUNTRY_CODES:
        return upper
    key = _SEPARATOR_RE.sub("", _DROP_RE.sub("", fold(text)))
    if len(key) == 2 and key.upper() in ISO_COUNTRY_CODES:
        return key.upper()
    return _ALIASES.get(key)
