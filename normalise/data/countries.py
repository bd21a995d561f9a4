"""Country names, native names and ISO 3166-1 alpha-3 codes that people type instead of alpha-2 codes.

Keys are in the folded form that ``normalise_country_code`` compares: lower case, accents stripped, full
stops and apostrophes removed, other punctuation turned into single spaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_BY_CODE: dict[str, tuple[str, ...]] = {
    "CN": (
        "china",
        "prc",
        "pr china",
        "peoples republic of china",
        "the peoples republic of china",
        "mainland china",
        "chn",
        "中国",
        "中华人民共和国",
        "中國",
        "中国大陆",
    ),
    "GB": (
        "uk",
        "united kingdom",
        "the united kingdom",
        "united kingdom of great britain and northern ireland",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "gbr",
        "英国",
        "英國",
    ),
    "US": (
        "usa",
        "us of a",
        "united states",
        "the united states",
        "united states of america",
        "the united states of america",
        "america",
        "美国",
        "美國",
    ),
    "HK": ("hong kong", "hongkong", "hong kong sar", "hong kong china", "hkg", "hksar", "香港", "中国香港"),
    "SG": ("singapore", "republic of singapore", "sgp", "新加坡"),
    "DE": ("germany", "deutschland", "federal republic of germany", "deu", "德国", "德國"),
    "FR": ("france", "french republic", "republique francaise", "fra", "法国", "法國"),
    "AU": ("australia", "commonwealth of australia", "aus", "澳大利亚", "澳洲"),
    "CA": ("canada", "can", "加拿大"),
    "MO": ("macau", "macao", "mac", "澳门", "澳門"),
    "TW": ("taiwan", "twn", "台湾", "臺灣", "台灣"),
    "JP": ("japan", "jpn", "日本"),
    "KR": ("south korea", "korea", "republic of korea", "kor", "韩国", "韓國"),
    "NZ": ("new zealand", "nzl", "新西兰"),
    "IE": ("ireland", "republic of ireland", "irl", "爱尔兰"),
    "NL": ("netherlands", "the netherlands", "holland", "nld", "荷兰"),
    "IT": ("italy", "italia", "ita", "意大利"),
    "ES": ("spain", "espana", "esp", "西班牙"),
    "MY": ("malaysia", "mys", "马来西亚"),
    "IN": ("india", "ind", "印度"),
}

COUNTRY_ALIASES: Mapping[str, str] = MappingProxyType(
    {alias: code for code, aliases in _BY_CODE.items() for alias in aliases}
)
"""Folded country name or alpha-3 code -> ISO 3166-1 alpha-2 code."""
