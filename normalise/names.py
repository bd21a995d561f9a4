"""Personal names: Western names and Chinese names (Hanzi or pinyin) to comparable parts and matching keys.

Output tokens are case-folded ASCII where the script allows (accents stripped), hyphenated names are split
into space-separated tokens (``Mary-Jane`` -> ``mary jane``) and apostrophes are dropped (``O'Brien`` ->
``obrien``), the same way in every field, so first/last fields and full-name strings agree.

Known limits, by design: Japanese names in Kanji are read as Chinese (pinyin); Cantonese and Wade-Giles
romanisations (``Chan Tai Man``, ``Wong``) are not pinyin, so they follow the Western order rules; a pinyin
name with a typo is no longer all pinyin and also follows the Western rules (``tokens_sorted`` still
matches it); an English given name that is also a pinyin syllable, next to a Chinese surname (``Ben
Chen``), is read as pinyin, so it gets no nickname expansion.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict as _CHARACTER_READINGS

from normalise.data.nicknames import NICKNAMES
from normalise.data.pinyin import MAX_SYLLABLE_LENGTH, PINYIN_SYLLABLES
from normalise.data.surnames import (
    CHINESE_SURNAMES_PINYIN,
    COMPOUND_SURNAMES,
    SURNAME_READINGS,
    SURNAMES_BY_FREQUENCY,
)
from normalise.data.western_names import WESTERN_GIVEN_NAMES
from normalise.text import HAN_CLASS, MARK_CLASS, fold, normalise_text, strip_accents

__all__ = ["NameResult", "normalise_name"]

EMPTY = "EMPTY"
LATIN = "latin"
HAN = "han"
MIXED = "mixed"
OTHER = "other"

TITLES: frozenset[str] = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "doctor",
        "sir",
        "dame",
        "madam",
        "madame",
        "mme",
        "mlle",
        "rev",
        "revd",
        "herr",
        "frau",
    }
)
SUFFIXES: frozenset[str] = frozenset(
    {"jr", "junior", "sr", "senior", "ii", "iii", "iv", "phd", "md", "esq", "obe", "mbe", "cbe"}
)
# Lower-case words that belong to the family name that follows them (Ludwig van Beethoven).
PARTICLES: frozenset[str] = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "dos", "das", "la", "le", "ter"}
)
HAN_HONORIFICS: tuple[str, ...] = ("先生", "女士", "小姐", "太太", "夫人")

_LETTER = rf"(?:[^\W\d_]|[{MARK_CLASS}])"
_JOINERS = "\\-‐‑‒–—'’‘`´ʼ"
_UNIT_RE = re.compile(rf"{_LETTER}+(?:[{_JOINERS}]+{_LETTER}+)*")
_HYPHEN_RE = re.compile(r"[\-‐‑‒–—]+")
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ")
_HAN_RUN_RE = re.compile(f"[{HAN_CLASS}]+")
_LATIN_RANGES = "A-Za-z\u00aa-\u024f\u1e00-\u1eff"
_LATIN_LETTER_RE = re.compile(f"(?=[^\\W\\d_])[{_LATIN_RANGES}]")
_OTHER_LETTER_RE = re.compile(f"(?=[^\\W\\d_])[^{_LATIN_RANGES}{HAN_CLASS}]")
_NOT_HAN_RE = re.compile(f"[^{HAN_CLASS}·・•‧\\s]+")
_MIDDLE_DOT_RE = re.compile(r"\s*[·・•‧]+\s*")
_NICKNAME_NOISE_RE = re.compile(r"[\d_@#$%&*+=<>/\\|~^]")

# Characters with one reading in pypinyin's character dictionary that a phrase entry reads otherwise
# (the tests check the whole phrase dictionary for more).
_CONTEXT_READINGS: frozenset[str] = frozenset({"燵"})

_SURNAME_RANK: dict[str, int] = {
    # Compound surnames are ranked first: as given names they are rare, as surnames unmistakable.
    **dict.fromkeys(COMPOUND_SURNAMES.values(), -1),
    **{name: rank for rank, name in enumerate(SURNAMES_BY_FREQUENCY)},
}


@dataclass(frozen=True, slots=True)
class NameResult:
    """The outcome of normalising one person's name.

    Attributes:
        given: Given name(s), folded; pinyin (syllables joined) for Chinese names.
        family: Family name, folded; pinyin for Chinese names.
        full: ``"given family"`` for Western names, ``"family given"`` in pinyin for Chinese names.
        script: ``"latin"``, ``"han"``, ``"mixed"``, ``"other"``, or ``None`` when empty.
        hanzi: The Hanzi full name, family name first, no spaces, when the input was Hanzi.
        pinyin_family: Toneless pinyin of the family name of a Chinese name.
        pinyin_given: Toneless pinyin of the given name of a Chinese name, syllables joined.
        given_canonical: Given name(s) with English nicknames replaced by the formal name
            (``bob`` -> ``robert``); for Chinese names the pinyin given name.
        tokens_sorted: Every name token, sorted and space-joined: an order-independent key.
        valid: Whether any name was found.
        reason: ``None``, or ``"EMPTY"`` when no name was found.
    """

    given: str | None
    family: str | None
    full: str | None
    script: str | None
    hanzi: str | None
    pinyin_family: str | None
    pinyin_given: str | None
    given_canonical: str | None
    tokens_sorted: str | None
    valid: bool
    reason: str | None


_MAX_LENGTH = 300
_EMPTY_RESULT = NameResult(None, None, None, None, None, None, None, None, None, False, EMPTY)


class _Unit(NamedTuple):
    """One word of a name: as written, its folded parts (split at hyphens), and the parts joined."""

    text: str
    parts: tuple[str, ...]
    word: str

    @property
    def is_caps(self) -> bool:
        return self.text.isupper() and sum(char.isalpha() for char in self.text) >= 2


def normalise_name(
    full_name: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    nickname: str | None = None,
) -> NameResult:
    """Split a person's name into comparable parts and matching keys.

    First and last names, when both are given (or no full name is), are taken as they are (Western
    order). Otherwise the full name is parsed: a Hanzi name takes its first character as the family
    name (the first two for a compound surname such as 欧阳), with pinyin from ``pypinyin`` read as a
    surname where that differs (单 shan, 曾 zeng); a Latin name is ``Given Family``, ``Family, Given``,
    or family-first when the family name alone is in capitals (``WANG Xiaoming``). A Latin name made
    only of pinyin syllables, with a common Chinese surname at one end, is read as a Chinese name:
    ``Wang Xiaoming``, ``Xiaoming Wang`` and ``Wang Xiao Ming`` all give family ``wang`` and given
    ``xiaoming``. Titles and suffixes are dropped.
    The nickname (a display name) is used only when no other name is given and it looks like a name.
    Never raises.

    Args:
        full_name: The whole name as one string.
        first_name: Given name(s).
        last_name: Family name.
        nickname: Display name chosen by the person.

    Returns:
        A :class:`NameResult`.

    Example:
        >>> r = normalise_name("Dr. Zoë O'Brien-Smith")
        >>> (r.given, r.family, r.full, r.tokens_sorted)
        ('zoe', 'obrien smith', 'zoe obrien smith', 'obrien smith zoe')
        >>> r = normalise_name("欧阳小明")
        >>> (r.hanzi, r.pinyin_family, r.pinyin_given, r.full)
        ('欧阳小明', 'ouyang', 'xiaoming', 'ouyang xiaoming')
    """
    first = _bounded(first_name)
    last = _bounded(last_name)
    full = _bounded(full_name)
    # Parts win when both are there; a lone family name next to a full name (a CRM that files 王 as the
    # last name and 王小明 as the full name) is incomplete, so the full name is parsed instead.
    if (first is not None and last is not None) or (full is None and (first is not None or last is not None)):
        result = _from_parts(first, last)
        if result.valid:
            return result
    if full is not None:
        result = _from_full(full)
        if result.valid:
            return result
    nick = _bounded(nickname)
    if nick is not None and _NICKNAME_NOISE_RE.search(nick) is None and len(nick.split()) <= 4:
        # A short Hanzi display name is what friends call the person (娟婷): a given name, so no family
        # name is split off it. Longer ones and Latin ones read like a full name.
        return _from_parts(nick, None) if _script(nick) == HAN else _from_full(nick)
    return _EMPTY_RESULT


def _bounded(value: str | None) -> str | None:
    # Landing names are at most 200 characters; past this the rest is noise, and pinyin of a
    # megabyte of Hanzi would stall a task.
    if value is None:
        return None
    text = normalise_text(value)
    return text[:_MAX_LENGTH] if text is not None and len(text) > _MAX_LENGTH else text


def _script(text: str) -> str | None:
    if text.isascii():
        return LATIN if any(char.isalpha() for char in text) else None
    found = [
        script
        for script, pattern in ((HAN, _HAN_RUN_RE), (LATIN, _LATIN_LETTER_RE), (OTHER, _OTHER_LETTER_RE))
        if pattern.search(text)
    ]
    if not found:
        return None
    return found[0] if len(found) == 1 else MIXED


def _units(text: str) -> list[_Unit]:
    units = []
    for word in _UNIT_RE.findall(text):
        if word.isascii() and word.isalpha():
            folded = word.lower()
            units.append(_Unit(word, (folded,), folded))
            continue
        letters = word if word.isalpha() else word.translate(_APOSTROPHES)
        parts = tuple(part for part in _HYPHEN_RE.split(fold(letters)) if part)
        if parts:
            units.append(_Unit(letters, parts, "".join(parts)))
    return units


def _strip_titles(units: list[_Unit]) -> list[_Unit]:
    start, end = 0, len(units)
    while start < end and units[start].word in TITLES:
        start += 1
    while end > start and units[end - 1].word in SUFFIXES:
        end -= 1
    return units[start:end]


def _from_full(text: str) -> NameResult:
    script = _script(text)
    if script is None:
        return _EMPTY_RESULT
    if script == HAN:
        return _from_hanzi(text)
    if script == MIXED:
        text = _HAN_RUN_RE.sub(lambda match: f" {_han_word(match.group())} ", text)
    if "," in text:
        family_text, given_text = text.split(",", 1)
        family_units = _strip_titles(_units(family_text))
        given_units = _strip_titles(_units(given_text))
        if family_units and given_units:
            return _assigned(given_units, family_units, script)
        units = family_units or given_units
    else:
        units = _strip_titles(_units(text))
    if not units:
        return _EMPTY_RESULT
    if len(units) == 1:
        return _western(units, [], script)
    return _ordered(units, script)


def _ordered(units: list[_Unit], script: str) -> NameResult:
    """Decide which end of a multi-word name is the family name."""
    caps = [unit.is_caps for unit in units]
    if any(caps) and not all(caps):
        leading = next(i for i, is_caps in enumerate(caps) if not is_caps)
        if leading and not any(caps[leading:]):
            return _assigned(units[leading:], units[:leading], script)
        trailing = next(i for i, is_caps in enumerate(reversed(caps)) if not is_caps)
        if trailing and not any(caps[:-trailing]):
            return _assigned(units[:-trailing], units[-trailing:], script)
    if all(_is_pinyin(part) for unit in units for part in unit.parts):
        first_word, last_word = _joined(units[:1]), _joined(units[-1:])
        first_rank = _SURNAME_RANK.get(first_word)
        last_rank = _SURNAME_RANK.get(last_word)
        if first_rank is not None and (last_rank is None or first_rank <= last_rank):
            return _chinese(first_word, _joined(units[1:]), script)
        if last_rank is not None:
            return _chinese(last_word, _joined(units[:-1]), script)
    family_start = len(units) - 1
    while family_start > 1 and units[family_start - 1].word in PARTICLES:
        family_start -= 1
    return _western(units[:family_start], units[family_start:], script)


def _assigned(given: list[_Unit], family: list[_Unit], script: str) -> NameResult:
    """A name whose family part is known: Chinese when it reads as pinyin with a Chinese surname."""
    family_word = _joined(family)
    if family_word in CHINESE_SURNAMES_PINYIN and all(
        _is_pinyin(part) for unit in (*given, *family) for part in unit.parts
    ):
        return _chinese(family_word, _joined(given), script)
    return _western(given, family, script)


def _from_parts(first: str | None, last: str | None) -> NameResult:
    scripts = {script for text in (first, last) if text is not None and (script := _script(text)) is not None}
    if not scripts:
        return _EMPTY_RESULT
    if scripts == {HAN}:
        if first is None or last is None:
            only = first if last is None else last
            assert only is not None
            # A lone Hanzi field of three or more characters is a whole name typed into one box.
            if len(_NOT_HAN_RE.sub("", only)) >= 3:
                return _from_hanzi(only)
        return _han_result(_han_only(last or ""), _han_only(first or ""), foreign=False)
    script = next(iter(scripts)) if len(scripts) == 1 else MIXED
    if script == MIXED:
        first = _HAN_RUN_RE.sub(lambda m: f" {_han_word(m.group())} ", first) if first else None
        last = _HAN_RUN_RE.sub(lambda m: f" {_han_word(m.group())} ", last) if last else None
    given = _strip_titles(_units(first)) if first else []
    family = _strip_titles(_units(last)) if last else []
    if not given and not family:
        return _EMPTY_RESULT
    return _assigned(given, family, script)


def _from_hanzi(text: str) -> NameResult:
    cleaned = _NOT_HAN_RE.sub("", text).strip()
    if _MIDDLE_DOT_RE.search(cleaned):
        # A transliterated foreign name (约翰·史密斯): given names first, family name last.
        parts = [part for part in _MIDDLE_DOT_RE.split(cleaned) if part.strip()]
        parts = ["".join(part.split()) for part in parts]
        if len(parts) >= 2:
            return _han_result(parts[-1], "".join(parts[:-1]), foreign=True, hanzi="·".join(parts))
        cleaned = "".join(parts)
    words = cleaned.split()
    if len(words) == 2:
        return _han_result(words[0], words[1], foreign=False)
    name = "".join(words)
    for honorific in HAN_HONORIFICS:
        if name.endswith(honorific) and len(name) > len(honorific):
            name = name[: -len(honorific)]
            break
    if name in COMPOUND_SURNAMES or (len(name) >= 3 and name[:2] in COMPOUND_SURNAMES):
        return _han_result(name[:2], name[2:], foreign=False)
    return _han_result(name[:1], name[1:], foreign=False)


def _han_only(text: str) -> str:
    return "".join(_NOT_HAN_RE.sub("", text).split())


def _han_result(family: str, given: str, *, foreign: bool, hanzi: str | None = None) -> NameResult:
    if not family and not given:
        return _EMPTY_RESULT
    pinyin_family = (_pinyin(family) if foreign else _surname_pinyin(family)) or None
    pinyin_given = _pinyin(given) or None
    full = " ".join(part for part in (pinyin_family, pinyin_given) if part) or None
    tokens = sorted(part for part in (pinyin_family, pinyin_given) if part)
    return NameResult(
        given=pinyin_given,
        family=pinyin_family,
        full=full,
        script=HAN,
        hanzi=hanzi or (family + given),
        pinyin_family=pinyin_family,
        pinyin_given=pinyin_given,
        given_canonical=pinyin_given,
        tokens_sorted=" ".join(tokens) or None,
        valid=True,
        reason=None,
    )


def _chinese(family: str, given: str, script: str) -> NameResult:
    pinyin_given = given or None
    full = f"{family} {given}" if given else family
    return NameResult(
        given=pinyin_given,
        family=family,
        full=full,
        script=script,
        hanzi=None,
        pinyin_family=family,
        pinyin_given=pinyin_given,
        given_canonical=pinyin_given,
        tokens_sorted=" ".join(sorted(part for part in (family, given) if part)),
        valid=True,
        reason=None,
    )


def _western(given_units: list[_Unit], family_units: list[_Unit], script: str) -> NameResult:
    given_tokens = [part for unit in given_units for part in unit.parts]
    family_tokens = [part for unit in family_units for part in unit.parts]
    if not given_tokens and not family_tokens:
        return _EMPTY_RESULT
    given = " ".join(given_tokens) or None
    family = " ".join(family_tokens) or None
    canonical = " ".join(NICKNAMES.get(token, token) for token in given_tokens) or None
    return NameResult(
        given=given,
        family=family,
        full=" ".join(part for part in (given, family) if part),
        script=script,
        hanzi=None,
        pinyin_family=None,
        pinyin_given=None,
        given_canonical=canonical,
        tokens_sorted=" ".join(sorted(given_tokens + family_tokens)),
        valid=True,
        reason=None,
    )


def _joined(units: list[_Unit]) -> str:
    """The units as one pinyin word; ``v`` (keyboard spelling of ``ü``) as ``u``, as Hanzi input gives."""
    return "".join(unit.word for unit in units).replace("v", "u")


@functools.lru_cache(maxsize=1 << 14)
def _is_pinyin(token: str) -> bool:
    """Whether the token splits into pinyin syllables (``xiaoming`` = ``xiao`` + ``ming``)."""
    size = len(token)
    if not 0 < size <= 6 * MAX_SYLLABLE_LENGTH or not token.isascii():
        return False
    if token in WESTERN_GIVEN_NAMES and token not in PINYIN_SYLLABLES:
        # Alice (a-li-ce) and Linda (lin-da) split into syllables but are Western names; a name that is
        # itself one syllable (Dan, Lin) stays ambiguous and is read as pinyin.
        return False
    reachable = [True] + [False] * size
    for start in range(size):
        if reachable[start]:
            for end in range(start + 1, min(size, start + MAX_SYLLABLE_LENGTH) + 1):
                if token[start:end] in PINYIN_SYLLABLES:
                    reachable[end] = True
    return reachable[size]


@functools.lru_cache(maxsize=1 << 16)
def _pinyin(hanzi: str) -> str:
    """Toneless pinyin, syllables joined, ``ü`` as ``u`` (the form accent-stripped Latin input takes).

    ``lazy_pinyin`` costs about 100 µs a call. Most name characters have one reading whatever the
    context, and for them the reading is taken from pypinyin's character dictionary directly; a name
    with any other character goes to ``lazy_pinyin`` whole, so phrases still choose between readings.
    """
    if not hanzi:
        return ""
    readings = []
    for char in hanzi:
        reading = _single_reading(char)
        if reading is None:
            # errors="default" keeps a character pypinyin cannot read, rather than losing it.
            return "".join(lazy_pinyin(hanzi, style=Style.NORMAL, errors="default")).replace("v", "u")
        readings.append(reading)
    return "".join(readings)


@functools.lru_cache(maxsize=1 << 15)
def _single_reading(char: str) -> str | None:
    """The toneless reading of a character that has only one, or ``None``."""
    if char in _CONTEXT_READINGS:
        return None
    entry = _CHARACTER_READINGS.get(ord(char))
    if entry is None:
        return None
    readings = {strip_accents(reading) for reading in entry.split(",")}
    return readings.pop() if len(readings) == 1 else None


def _surname_pinyin(family: str) -> str:
    return COMPOUND_SURNAMES.get(family) or SURNAME_READINGS.get(family) or _pinyin(family)


def _han_word(run: str) -> str:
    """A Hanzi run inside a mixed-script name, as one pinyin word (read as a surname if it is one)."""
    return _surname_pinyin(run) if len(run) <= 2 else _pinyin(run)
