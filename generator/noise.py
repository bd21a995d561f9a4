"""How one person's details get written differently by different sources, agents and customers.

Every function takes the clean truth and a random stream and returns one plausible rendering: typos,
nicknames, Hanzi or pinyin, family-name-first or last, phones in local or international formats, email
case and gmail tricks, address abbreviations and postcode spacing. Rates are tuned so that most records
of a person still share a clean email or phone, while a real minority only match on fuzzy evidence.
"""

from __future__ import annotations

import random

from generator import data
from generator.people import Address, Person

_KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji", "v": "cfgb",
    "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip

EMAIL_TYPO_RATE = 0.07
NICKNAME_RATE = 0.15
NAME_TYPO_RATE = 0.05
CASE_NOISE_RATE = 0.07


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip in the letters of ``text``: substitution, transposition, drop or double.

    Digits and punctuation are never touched, so a typo cannot turn one person's unique email number
    into another's.
    """
    letters = [i for i, c in enumerate(text) if c.isascii() and c.isalpha()]
    if len(letters) < 3:
        return text
    kind = rng.random()
    i = rng.choice(letters[1:-1]) if len(letters) > 2 else letters[0]
    char = text[i]
    if kind < 0.35:
        near = _KEYBOARD.get(char.lower(), "e")
        replacement = rng.choice(near)
        return text[:i] + (replacement.upper() if char.isupper() else replacement) + text[i + 1 :]
    if kind < 0.6 and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != char:
        return text[:i] + text[i + 1] + char + text[i + 2 :]
    if kind < 0.8:
        return text[:i] + text[i + 1 :]
    return text[:i] + char + text[i:]


def case_noise(rng: random.Random, text: str) -> str:
    """Upper case, lower case, doubled spaces or padding, as typed by a hurried agent."""
    kind = rng.random()
    if kind < 0.3:
        return text.upper()
    if kind < 0.55:
        return text.lower()
    if kind < 0.8:
        return f"  {text} " if rng.random() < 0.5 else f" {text}"
    return text.replace(" ", "  ", 1) if " " in text else f"{text} "


def maybe_typo(rng: random.Random, text: str, rate: float = NAME_TYPO_RATE) -> str:
    """``text`` with a typo at the given rate."""
    return typo(rng, text) if rng.random() < rate else text


def given_name(rng: random.Random, person: Person, nickname_rate: float = NICKNAME_RATE) -> str:
    """The given name as a Latin-script source would hold it (nickname or English name sometimes)."""
    if person.chinese:
        if person.english_name and rng.random() < 0.3:
            return person.english_name
        return pinyin_given(rng, person)
    nicknames = data.NICKNAMES.get(person.given)
    if nicknames and rng.random() < nickname_rate:
        return rng.choice(nicknames)
    return person.given


def pinyin_given(rng: random.Random, person: Person) -> str:
    """The given name in pinyin: 'Xiaoming', 'Xiao Ming', 'Xiao-Ming' or 'XiaoMing'."""
    syllables = [s.capitalize() for s in person.given_syllables] or [person.given]
    if len(syllables) == 1:
        return syllables[0]
    kind = rng.random()
    if kind < 0.6:
        return "".join(syllables).capitalize()
    if kind < 0.8:
        return " ".join(syllables)
    if kind < 0.9:
        return "-".join(syllables)
    return "".join(syllables)


def hanzi(rng: random.Random, person: Person) -> tuple[str, str]:
    """(family, given) in Hanzi, with a homophone character slipped in now and then."""
    family = person.family_native or person.family
    given = person.given_native or person.given
    if rng.random() < 0.04:
        chars = [data.CN_HOMOPHONES.get(c, c) if rng.random() < 0.7 else c for c in given]
        given = "".join(chars)
    return family, given


def full_latin(rng: random.Random, person: Person) -> str:
    """A full name in Latin script as typed into a free-text field."""
    given = given_name(rng, person)
    family = person.family
    if person.chinese:
        kind = rng.random()
        if kind < 0.4:
            text = f"{family} {given}"
        elif kind < 0.75:
            text = f"{given} {family}"
        elif kind < 0.9:
            text = f"{family.upper()} {' '.join(s.capitalize() for s in person.given_syllables) or given}"
        else:
            text = f"{family}, {given}"
    else:
        kind = rng.random()
        if kind < 0.8:
            text = f"{given} {family}"
        elif kind < 0.9:
            text = f"{family}, {given}"
        else:
            text = f"{given[0]}. {family}"
    text = maybe_typo(rng, text)
    return case_noise(rng, text) if rng.random() < CASE_NOISE_RATE else text


def western_parts(rng: random.Random, person: Person) -> tuple[str, str]:
    """(first, last) for a form with two name fields, with the usual slips."""
    first = maybe_typo(rng, given_name(rng, person))
    last = maybe_typo(rng, person.family)
    if rng.random() < CASE_NOISE_RATE:
        first, last = case_noise(rng, first), case_noise(rng, last)
    return first, last


# --- email ---------------------------------------------------------------------------------------------


def email(rng: random.Random, address: str, typo_rate: float = EMAIL_TYPO_RATE) -> tuple[str, bool]:
    """An email address as captured by a source, and whether it was captured wrongly (a typo).

    Case, padding, gmail dots and plus tags do not change the mailbox; a typo does.
    """
    local, domain = address.split("@", 1)
    if rng.random() < typo_rate:
        if domain in data.DOMAIN_TYPOS and rng.random() < 0.35:
            return f"{local}@{rng.choice(data.DOMAIN_TYPOS[domain])}", True
        changed = typo(rng, local)
        if changed != local:
            return f"{changed}@{domain}", True
    kind = rng.random()
    if kind < 0.08:
        return rng.choice(
            (address.upper(), f"{local.capitalize()}@{domain}", f"{local}@{domain.upper()}")
        ), False
    if kind < 0.10:
        return rng.choice((f" {address}", f"{address} ")), False
    if kind < 0.14 and domain == "gmail.com":
        if "." in local:
            return f"{local.replace('.', '')}@{domain}", False
        cut = rng.randint(1, max(1, len(local) - 1))
        return f"{local[:cut]}.{local[cut:]}@{domain}", False
    if kind < 0.17 and domain in {"gmail.com", "outlook.com", "icloud.com"}:
        return f"{local}+{rng.choice(('shop', 'orders', 'promo', 'cn'))}@{domain}", False
    return address, False


# --- phones --------------------------------------------------------------------------------------------


def phone(rng: random.Random, e164: str, country: str, region: str, local_share: float = 0.6) -> str:
    """A phone number as a source captured it: local formats only in the number's own region."""
    local_ok = country == region or (region == "US" and country == "CA")
    use_local = local_ok and rng.random() < local_share
    code, national = _split(e164)
    formats = _LOCAL[code](national) if use_local else _INTERNATIONAL[code](national)
    return rng.choice(formats)


def _split(e164: str) -> tuple[str, str]:
    for code in ("852", "86", "44", "65", "49", "33", "61", "1"):
        if e164.startswith(f"+{code}"):
            return code, e164[len(code) + 1 :]
    raise ValueError(f"Unsupported phone number {e164}")


def _cn_groups(n: str) -> tuple[str, str, str]:
    if n.startswith("1"):
        return n[:3], n[3:7], n[7:]
    area = n[:2] if n[0] == "2" or n.startswith("10") else n[:3]
    rest = n[len(area) :]
    return area, rest[:4], rest[4:]


def _cn_international(n: str) -> list[str]:
    a, b, c = _cn_groups(n)
    return [f"+86 {a} {b} {c}", f"+86-{a}-{b}-{c}", f"+86{n}", f"0086-{a}-{b}-{c}", f"0086 {n}", f"(+86) {n}"]


def _cn_local(n: str) -> list[str]:
    a, b, c = _cn_groups(n)
    if n.startswith("1"):
        return [n, f"{a} {b} {c}", f"{a}-{b}-{c}"]
    return [f"0{a}-{b}{c}", f"(0{a}) {b} {c}", f"0{a}{b}{c}", f"0{a} {b} {c}"]


def _gb_groups(n: str) -> tuple[str, str]:
    if n.startswith("7"):
        return n[:4], n[4:]
    if n.startswith("20"):
        return "20", f"{n[2:6]} {n[6:]}"
    return n[:3], f"{n[3:6]} {n[6:]}"


def _gb_international(n: str) -> list[str]:
    a, b = _gb_groups(n)
    return [f"+44 {a} {b}", f"+44{n}", f"0044 {a} {b}", f"+44 (0){a} {b}"]


def _gb_local(n: str) -> list[str]:
    a, b = _gb_groups(n)
    return [f"0{a} {b}", f"0{n}", f"(0{a}) {b}"]


def _nanp_international(n: str) -> list[str]:
    a, b, c = n[:3], n[3:6], n[6:]
    return [
        f"+1 {a}-{b}-{c}",
        f"+1 ({a}) {b}-{c}",
        f"+1 {a}.{b}.{c}",
        f"+1{n}",
        f"001 {a} {b} {c}",
        f"+1 {a} {b} {c}",
    ]


def _nanp_local(n: str) -> list[str]:
    a, b, c = n[:3], n[3:6], n[6:]
    return [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", n]


def _de_international(n: str) -> list[str]:
    return [f"+49 {n[:3]} {n[3:]}", f"+49{n}", f"0049 {n[:3]} {n[3:]}", f"+49 (0){n[:3]} {n[3:]}"]


def _de_local(n: str) -> list[str]:
    return [f"0{n[:3]} {n[3:]}", f"0{n[:3]}-{n[3:]}", f"0{n}"]


def _fr_pairs(n: str) -> str:
    return " ".join(n[i : i + 2] for i in range(1, 9, 2))


def _fr_international(n: str) -> list[str]:
    return [f"+33 {n[0]} {_fr_pairs(n)}", f"+33{n}", f"0033 {n[0]} {_fr_pairs(n)}"]


def _fr_local(n: str) -> list[str]:
    return [f"0{n[0]} {_fr_pairs(n)}", f"0{n[0]}.{_fr_pairs(n).replace(' ', '.')}", f"0{n}"]


def _au_international(n: str) -> list[str]:
    return [f"+61 {n[:3]} {n[3:6]} {n[6:]}", f"+61{n}", f"0061 {n[:3]} {n[3:6]} {n[6:]}"]


def _au_local(n: str) -> list[str]:
    return [f"0{n[:3]} {n[3:6]} {n[6:]}", f"0{n}"]


def _hk_international(n: str) -> list[str]:
    return [f"+852 {n[:4]} {n[4:]}", f"+852{n}", f"00852 {n[:4]} {n[4:]}"]


def _sg_international(n: str) -> list[str]:
    return [f"+65 {n[:4]} {n[4:]}", f"+65{n}", f"0065 {n[:4]} {n[4:]}"]


def _eight_local(n: str) -> list[str]:
    return [f"{n[:4]} {n[4:]}", n]


_INTERNATIONAL = {
    "86": _cn_international,
    "44": _gb_international,
    "1": _nanp_international,
    "852": _hk_international,
    "65": _sg_international,
    "49": _de_international,
    "33": _fr_international,
    "61": _au_international,
}
_LOCAL = {
    "86": _cn_local,
    "44": _gb_local,
    "1": _nanp_local,
    "852": _eight_local,
    "65": _eight_local,
    "49": _de_local,
    "33": _fr_local,
    "61": _au_local,
}


# --- addresses -----------------------------------------------------------------------------------------


def address(rng: random.Random, addr: Address, native: bool) -> tuple[str, str, str | None]:
    """(address line, city, postcode) as a source wrote them; ``native`` prefers Hanzi for China."""
    if addr.country == "CN":
        line, city = _cn_address(rng, addr, native)
    else:
        line, city = _western_address(rng, addr)
    if rng.random() < 0.05:
        line = line.upper()
    return line, city, postcode(rng, addr)


def _cn_address(rng: random.Random, addr: Address, native: bool) -> tuple[str, str]:
    if native and addr.street_native and addr.district_native and addr.city_native:
        district = addr.district_native if rng.random() < 0.75 else ""
        building = f"{addr.building}栋" if rng.random() < 0.6 else f"{addr.building}号楼"
        room = f"{addr.room}室" if rng.random() < 0.7 else str(addr.room)
        sep = " " if rng.random() < 0.15 else ""
        line = f"{district}{sep}{addr.street_native}{addr.number}号{sep}{building}{room}"
        city = addr.city_native + ("市" if rng.random() < 0.4 else "")
        return line, city
    kind_native = addr.street_type_native or "路"
    street_type = rng.choice(data.CN_STREET_TYPES[kind_native])
    street = f"{addr.street_base} {street_type}"
    style = rng.random()
    if style < 0.4:
        line = f"Room {addr.room}, Building {addr.building}, No. {addr.number} {street}"
        line += f", {addr.district} District"
    elif style < 0.75:
        line = f"{addr.number} {street}, Bldg {addr.building} Rm {addr.room}"
    else:
        line = f"No.{addr.number} {street} {addr.building}-{addr.room}"
    city = addr.city if rng.random() < 0.9 else addr.city.upper()
    return line, city


def _western_address(rng: random.Random, addr: Address) -> tuple[str, str]:
    street = addr.street
    unit = addr.unit
    if rng.random() < 0.35:
        street = _abbreviate(rng, street)
        unit = _abbreviate(rng, unit) if unit else None
    if addr.country == "DE":
        line = f"{street} {addr.number}"
    elif addr.country == "GB" and unit and rng.random() < 0.6:
        line = f"{unit}, {addr.number} {street}"
    else:
        line = f"{addr.number} {street}"
    if unit and not (addr.country == "GB" and line.startswith(unit)):
        line = f"{line}, {unit}" if rng.random() < 0.5 else f"{line} {unit}"
    city = addr.city if rng.random() < 0.92 else rng.choice((addr.city.upper(), addr.city.lower()))
    return line, city


def _abbreviate(rng: random.Random, text: str) -> str:
    for full, short in data.ADDRESS_ABBREVIATIONS:
        if full in text:
            return text.replace(full, rng.choice(short))
        lowered = full.lower()
        if lowered in text:
            return text.replace(lowered, rng.choice(short).lower())
    return text


def postcode(rng: random.Random, addr: Address) -> str | None:
    """The postcode as captured: sometimes missing, run together, lower case or with a ZIP+4."""
    code = addr.postcode
    if code is None or rng.random() < 0.04:
        return None
    if " " in code and rng.random() < 0.2:
        return rng.choice((code.replace(" ", "").lower(), code.replace(" ", ""), code.lower()))
    if addr.country == "US" and rng.random() < 0.05:
        return f"{code}-{rng.randint(1000, 9999)}"
    return code
