"""Postal addresses: one canonical spelling of the street line, city, postcode and country code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from normalise import countries
from normalise.data.address_terms import (
    ABBREVIATIONS,
    DIRECTIONS,
    GERMAN_STREET_COUNTRIES,
    UNIT_WORDS,
)
from normalise.text import HAN_CLASS, MARK_CLASS, fold, normalise_text

__all__ = ["AddressResult", "normalise_address"]

EMPTY = "EMPTY"
UNKNOWN_COUNTRY = "UNKNOWN_COUNTRY"

_MAX_LENGTH = 1000
# NFKC has already turned № and nº into "No"; the degree sign in "n° 12" survives it.
_NUMBER_SIGN_RE = re.compile(r"\bn°\s*")
# "#5" is a unit number in US and Singapore addresses ("12 Main St #5", "1 Raffles Place #20-01").
_UNIT_SIGN_RE = re.compile(r"#\s*(?=\d)")
_APOSTROPHE_RE = re.compile(r"['’‘`´ʼ]")
# Keep "-" and "/" only between digits (12-14, 3/12); every other non-word character separates words.
_SEPARATOR_RE = re.compile(rf"(?<=\d)[-/](?=\d)|([^\w\-/{MARK_CLASS}]|_|[-/])")
_SPACE_NEAR_HAN_RE = re.compile(f"(?<=[{HAN_CLASS}])\\s+|\\s+(?=[{HAN_CLASS}])")
_HOUSE_NUMBER_RE = re.compile(r"\d+(?:[a-z](?![a-z]))?")
_SHI_RE = re.compile(f"(?<=[{HAN_CLASS}])市$|(?<=\\S) shi$")
_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")
_STREET_WORDS = frozenset(ABBREVIATIONS.values()) - UNIT_WORDS
_ALNUM_RE = re.compile(r"[^0-9A-Z]")

_POSTCODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "GB": re.compile(r"(?:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|GIR 0AA)"),
    "US": re.compile(r"\d{5}"),
    "CN": re.compile(r"\d{6}"),
    "HK": re.compile(r"999077"),
    "SG": re.compile(r"\d{6}"),
    "DE": re.compile(r"\d{5}"),
    "FR": re.compile(r"\d{5}"),
    "AU": re.compile(r"\d{4}"),
    "CA": re.compile(r"[ABCEGHJ-NPRSTVXY]\d[A-Z]\d[A-Z]\d"),
}
_GB_COMPACT_RE = re.compile(r"(?:[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}|GIR0AA)")
_GENERIC_POSTCODE_RE = re.compile(r"[0-9A-Z]{2,10}")


@dataclass(frozen=True, slots=True)
class AddressResult:
    """The outcome of normalising one address.

    Attributes:
        line: Street line, lower case, accents stripped, punctuation removed, abbreviations expanded.
        house_number: The first number in the line that is not a flat, suite or floor number.
        city: City, folded, without a trailing 市 / ``shi``; Hanzi become toneless pinyin, so 上海市 and
            Shanghai compare equal.
        postcode: Postcode in the country's canonical form.
        postcode_valid: Whether the postcode has the country's format.
        country_code: ISO 3166-1 alpha-2 code.
        valid: Whether there is an address (line, city or postcode) in a recognised country.
        reason: ``None``, ``"EMPTY"`` (no line, city or postcode) or ``"UNKNOWN_COUNTRY"``.
    """

    line: str | None
    house_number: str | None
    city: str | None
    postcode: str | None
    postcode_valid: bool
    country_code: str | None
    valid: bool
    reason: str | None


def normalise_address(
    line: str | None, city: str | None, postcode: str | None, country_code: str | None
) -> AddressResult:
    """Bring one address to a canonical form for storage and matching.

    The line is lower-cased, NFKC-normalised (full-width digits and punctuation become ASCII) and
    accent-stripped; punctuation becomes spaces, and street words take one spelling (``St.`` ->
    ``street``, ``Rd`` -> ``road``, ``Apt``/``Flat`` -> ``apartment``, ...; ``St`` before a name, as in
    ``St John's Road``, is ``saint``; ``#5`` is ``apartment 5``; in German-speaking countries ``Str.`` is
    ``strasse``). ``No.``/``№`` before a number is dropped. Chinese text keeps its
    characters (号, 室, 楼, 路, 街, 区) with the spaces around them removed. Postcodes take the country's
    form: ``SW1A 1AA`` (GB), five digits (US, ZIP+4 cut), six digits (CN), upper-case letters and digits
    elsewhere. Country names are accepted for the code. Never raises.

    Args:
        line: Street address (building, street, unit).
        city: City or town.
        postcode: Postal code as captured.
        country_code: ISO code or country name.

    Returns:
        An :class:`AddressResult`.

    Example:
        >>> r = normalise_address("Flat 3, 12 High St.", "London", "sw1a1aa", "UK")
        >>> (r.line, r.house_number, r.city, r.postcode, r.postcode_valid, r.country_code)
        ('apartment 3 12 high street', '12', 'london', 'SW1A 1AA', True, 'GB')
    """
    code = countries.country_code(country_code)
    street = _line(normalise_text(line), code)
    town = _city(normalise_text(city))
    post, post_valid = _postcode(normalise_text(postcode), code)
    number = _house_number(street) if street else None
    if street is None and town is None and post is None:
        return AddressResult(None, None, None, None, False, code, False, EMPTY)
    if code is None:
        return AddressResult(street, number, town, post, post_valid, None, False, UNKNOWN_COUNTRY)
    return AddressResult(street, number, town, post, post_valid, code, True, None)


def _line(text: str | None, code: str | None) -> str | None:
    if text is None:
        return None
    text = _NUMBER_SIGN_RE.sub("no ", fold(text[:_MAX_LENGTH]))
    text = _UNIT_SIGN_RE.sub(" apartment ", _APOSTROPHE_RE.sub("", text))
    text = _SEPARATOR_RE.sub(lambda match: " " if match.group(1) is not None else match.group(), text)
    words = text.split()
    german = code in GERMAN_STREET_COUNTRIES
    out: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        if word == "no" and following is not None and following[0].isdigit():
            continue
        if german and word.endswith("str"):
            out.append(word + "asse")
            continue
        expanded = _expand(word, out[-1] if out else None, following)
        if expanded == "apartment" and out and out[-1] in UNIT_WORDS:
            continue  # "Apt #5", "Unit #5": the sign repeats the unit word
        out.append(expanded)
    joined = " ".join(out)
    return _SPACE_NEAR_HAN_RE.sub("", joined) or None


def _expand(word: str, previous: str | None, following: str | None) -> str:
    starts_name = previous is None or previous[0].isdigit()
    followed_by_word = following is not None and not following.isdigit()  # "E 42nd St" counts
    if word == "st" and starts_name and followed_by_word:
        # "12 St John's Road", "St Mary Street": before a name, St is Saint; after one, Street.
        return "saint"
    if word in DIRECTIONS and (
        (starts_name and followed_by_word) or (following is None and previous in _STREET_WORDS)
    ):
        # "12 N Main St", "100 Queen St W": a compass point before or after the street name.
        return DIRECTIONS[word]
    return ABBREVIATIONS.get(word, word)


def _house_number(line: str) -> str | None:
    words = line.split()
    first: str | None = None
    for i, word in enumerate(words):
        match = _HOUSE_NUMBER_RE.search(word)
        if match is None:
            continue
        if i == 0 or words[i - 1] not in UNIT_WORDS:
            return match.group()
        first = first or match.group()
    return first


def _city(text: str | None) -> str | None:
    if text is None:
        return None
    city = " ".join(_SEPARATOR_RE.sub(" ", _APOSTROPHE_RE.sub("", fold(text[:_MAX_LENGTH]))).split())
    city = _SPACE_NEAR_HAN_RE.sub("", city)
    city = _SHI_RE.sub("", city) or city
    # Sources write Chinese cities in Hanzi or in pinyin; one spelling lets them match and group.
    return _HAN_RUN_RE.sub(lambda m: "".join(lazy_pinyin(m.group())), city) or None


def _postcode(text: str | None, code: str | None) -> tuple[str | None, bool]:
    if text is None:
        return None, False
    compact = _ALNUM_RE.sub("", text.upper()[:_MAX_LENGTH])
    if not compact:
        return None, False
    if code == "GB" and _GB_COMPACT_RE.fullmatch(compact):
        compact = f"{compact[:-3]} {compact[-3:]}"
    elif code == "US" and len(compact) == 9 and compact.isdigit():
        compact = compact[:5]  # ZIP+4: the +4 narrows delivery, it does not identify the address
    pattern = _POSTCODE_PATTERNS.get(code or "", _GENERIC_POSTCODE_RE)
    return compact, pattern.fullmatch(compact) is not None
