"""Words of street addresses: abbreviations and their one canonical spelling, and unit words."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "st": "street",
        "str": "street",
        "rd": "road",
        "ave": "avenue",
        "av": "avenue",
        "avn": "avenue",
        "apt": "apartment",
        "apmt": "apartment",
        "flat": "apartment",
        "bldg": "building",
        "bld": "building",
        "fl": "floor",
        "flr": "floor",
        "ste": "suite",
        "dr": "drive",
        "drv": "drive",
        "ln": "lane",
        "blvd": "boulevard",
        "ct": "court",
        "crt": "court",
        "pl": "place",
        "sq": "square",
        "hwy": "highway",
        "pkwy": "parkway",
        "ter": "terrace",
        "terr": "terrace",
        "cres": "crescent",
        "gdns": "gardens",
        "cir": "circle",
        "ctr": "center",
        "rm": "room",
        "blk": "block",
        "twr": "tower",
        "hse": "house",
        "mt": "mount",
        # Street words of Chinese addresses written in pinyin (世纪大道 = Shiji Dadao = Century Avenue).
        "lu": "road",
        "dadao": "avenue",
        "jie": "street",
    }
)
"""Lower-case abbreviation -> canonical word (the canonical words map to themselves implicitly)."""

GERMAN_STREET_COUNTRIES: frozenset[str] = frozenset({"DE", "AT", "CH", "LI"})
"""Countries where ``Str.`` abbreviates ``Straße`` (folded ``strasse``), also at the end of a compound."""

DIRECTIONS: Mapping[str, str] = MappingProxyType(
    {
        "n": "north",
        "s": "south",
        "e": "east",
        "w": "west",
        "ne": "northeast",
        "nw": "northwest",
        "se": "southeast",
        "sw": "southwest",
    }
)
"""Compass abbreviations, expanded only where they start a street name (``12 N Main St``)."""

UNIT_WORDS: frozenset[str] = frozenset(
    {"apartment", "suite", "floor", "unit", "room", "building", "block", "level", "tower", "box"}
)
"""Words whose following number is a unit, not the house number."""
