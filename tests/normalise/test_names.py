"""normalise_name: Hanzi, pinyin and Western names, titles, nicknames, and the order-free keys."""

from __future__ import annotations

import pytest
from pypinyin import lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

from normalise import CHINESE_SURNAMES_PINYIN, NICKNAMES, NameResult, normalise_name
from normalise.names import _pinyin, _single_reading
from normalise.text import strip_accents


def chinese(family: str, given: str | None, script: str = "latin", hanzi: str | None = None) -> NameResult:
    full = f"{family} {given}" if given else family
    tokens = " ".join(sorted(t for t in (family, given) if t))
    return NameResult(given, family, full, script, hanzi, family, given, given, tokens, True, None)


def western(
    given: str | None, family: str | None, canonical: str | None = None, script: str = "latin"
) -> NameResult:
    tokens = " ".join(sorted(((given or "") + " " + (family or "")).split()))
    full = " ".join(t for t in (given, family) if t)
    return NameResult(given, family, full, script, None, None, None, canonical or given, tokens, True, None)


EMPTY = NameResult(None, None, None, None, None, None, None, None, None, False, "EMPTY")


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("王小明", chinese("wang", "xiaoming", "han", "王小明")),
        ("王 小明", chinese("wang", "xiaoming", "han", "王小明")),
        ("李娜", chinese("li", "na", "han", "李娜")),
        ("欧阳娜娜", chinese("ouyang", "nana", "han", "欧阳娜娜")),
        ("歐陽娜娜", chinese("ouyang", "nana", "han", "歐陽娜娜")),
        ("司马光", chinese("sima", "guang", "han", "司马光")),
        ("诸葛亮", chinese("zhuge", "liang", "han", "诸葛亮")),
        ("上官婉儿", chinese("shangguan", "waner", "han", "上官婉儿")),
        ("尉迟恭", chinese("yuchi", "gong", "han", "尉迟恭")),
        ("单田芳", chinese("shan", "tianfang", "han", "单田芳")),
        ("曾小贤", chinese("zeng", "xiaoxian", "han", "曾小贤")),
        ("仇英", chinese("qiu", "ying", "han", "仇英")),
        ("吕布", chinese("lu", "bu", "han", "吕布")),
        ("乐乐", chinese("yue", "le", "han", "乐乐")),
        ("王先生", chinese("wang", None, "han", "王")),
        ("欧阳女士", chinese("ouyang", None, "han", "欧阳")),
        ("欧阳", chinese("ouyang", None, "han", "欧阳")),
        ("王小明2", chinese("wang", "xiaoming", "han", "王小明")),
        ("约翰·史密斯", NameResult("yuehan", "shimisi", "shimisi yuehan", "han", "约翰·史密斯", "shimisi", "yuehan",
                                    "yuehan", "shimisi yuehan", True, None)),
    ],
)  # fmt: skip
def test_hanzi_full_names(full_name: str, expected: NameResult) -> None:
    assert normalise_name(full_name) == expected


@pytest.mark.parametrize(
    "full_name",
    [
        "Wang Xiaoming",
        "Xiaoming Wang",
        "Wang Xiao Ming",
        "Xiao Ming Wang",
        "WANG Xiaoming",
        "WANG Xiao Ming",
        "Xiaoming WANG",
        "Wang, Xiaoming",
        "Wang, Xiao Ming",
        "Xiao-Ming Wang",
        "XiaoMing Wang",
        "wang xiaoming",
        "  WANG   XIAOMING ",
        "Wáng Xiǎomíng",
        "Mr Wang Xiaoming",
    ],
)
def test_pinyin_names_in_any_order_and_spacing(full_name: str) -> None:
    assert normalise_name(full_name) == chinese("wang", "xiaoming")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"full_name": "Zhang Wei"}, chinese("zhang", "wei")),
        ({"full_name": "Wei Zhang"}, chinese("zhang", "wei")),
        ({"full_name": "Ouyang Nana"}, chinese("ouyang", "nana")),
        ({"full_name": "Nana Ouyang"}, chinese("ouyang", "nana")),
        ({"full_name": "Lü Bu"}, chinese("lu", "bu")),
        ({"full_name": "Lv Bu"}, chinese("lu", "bu")),
        ({"full_name": "Bu Lu"}, chinese("lu", "bu")),
        ({"first_name": "Xiao Ming", "last_name": "Wang"}, chinese("wang", "xiaoming")),
        ({"first_name": "Xiaoming", "last_name": "WANG"}, chinese("wang", "xiaoming")),
        ({"last_name": "Li"}, chinese("li", None)),
        ({"first_name": "小明", "last_name": "王"}, chinese("wang", "xiaoming", "han", "王小明")),
        ({"first_name": "娜娜", "last_name": "欧阳"}, chinese("ouyang", "nana", "han", "欧阳娜娜")),
        ({"last_name": "王小明"}, chinese("wang", "xiaoming", "han", "王小明")),
        ({"first_name": "小明"}, NameResult("xiaoming", None, "xiaoming", "han", "小明", None, "xiaoming", "xiaoming",
                                          "xiaoming", True, None)),
    ],
)  # fmt: skip
def test_chinese_names_from_parts_and_ambiguous_orders(kwargs: dict[str, str], expected: NameResult) -> None:
    assert normalise_name(**kwargs) == expected


def test_hanzi_and_pinyin_forms_share_their_keys() -> None:
    hanzi, latin = normalise_name("王小明"), normalise_name("Xiao Ming WANG")
    assert (hanzi.pinyin_family, hanzi.pinyin_given, hanzi.tokens_sorted, hanzi.full) == (
        latin.pinyin_family,
        latin.pinyin_given,
        latin.tokens_sorted,
        latin.full,
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"full_name": "John Smith"}, western("john", "smith")),
        ({"full_name": "Smith, John"}, western("john", "smith")),
        ({"full_name": "SMITH John"}, western("john", "smith")),
        ({"full_name": "John SMITH"}, western("john", "smith")),
        ({"full_name": "Mr. John Smith Jr."}, western("john", "smith")),
        ({"full_name": "John Smith, Jr."}, western("john", "smith")),
        ({"full_name": "Smith, Dr John"}, western("john", "smith")),
        ({"full_name": "Prof Jane Doe III"}, western("jane", "doe")),
        ({"full_name": "Mrs Jane Doe"}, western("jane", "doe")),
        ({"full_name": "Ms. Jane Doe"}, western("jane", "doe")),
        ({"full_name": "Miss Jane Doe"}, western("jane", "doe")),
        ({"full_name": "Dr Zoë O'Brien"}, western("zoe", "obrien")),
        ({"full_name": "José Núñez"}, western("jose", "nunez")),
        ({"full_name": "Ｊｏｈｎ　Ｓｍｉｔｈ"}, western("john", "smith")),
        ({"full_name": "Mary-Jane Watson-Parker"}, western("mary jane", "watson parker")),
        ({"full_name": "Ludwig van Beethoven"}, western("ludwig", "van beethoven")),
        ({"full_name": "Juan de la Cruz"}, western("juan", "de la cruz")),
        ({"full_name": "J. R. R. Tolkien"}, western("j r r", "tolkien")),
        ({"full_name": "Madonna"}, western("madonna", None)),
        ({"full_name": "Kevin Wang"}, western("kevin", "wang")),
        ({"first_name": "Mary-Jane", "last_name": "Watson-Parker"}, western("mary jane", "watson parker")),
        ({"first_name": "Mrs Jane", "last_name": "Doe"}, western("jane", "doe")),
        ({"first_name": "  JOHN ", "last_name": "o'brien"}, western("john", "obrien")),
        ({"first_name": "Kate"}, western("kate", None, "katherine")),
        ({"last_name": "Smith"}, western(None, "smith")),
    ],
)
def test_western_names(kwargs: dict[str, str], expected: NameResult) -> None:
    assert normalise_name(**kwargs) == expected


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Bob", "robert"),
        ("Bobby", "robert"),
        ("Liz", "elizabeth"),
        ("Bill", "william"),
        ("Kate", "katherine"),
        ("Katie", "katherine"),
        ("Mike", "michael"),
        ("Jim", "james"),
        ("Jimmy", "james"),
        ("Jen", "jennifer"),
        ("Jenny", "jennifer"),
        ("Robert", "robert"),
        ("Margaret", "margaret"),
    ],
)
def test_nicknames_map_to_the_formal_name(given: str, canonical: str) -> None:
    result = normalise_name(first_name=given, last_name="Taylor")
    assert (result.given, result.given_canonical) == (given.lower(), canonical)


def test_every_given_token_is_canonicalised() -> None:
    assert normalise_name("Bob Jim Smith").given_canonical == "robert james"


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("David 曾", western("david", "zeng", script="mixed")),
        ("Иван Петров", western("иван", "петров", script="other")),
        ("Ólafur Ragnar Grímsson", western("olafur ragnar", "grimsson")),
    ],
)
def test_other_scripts(full_name: str, expected: NameResult) -> None:
    assert normalise_name(full_name) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"full_name": None},
        {"full_name": ""},
        {"full_name": "   "},
        {"full_name": "Mr"},
        {"full_name": "Dr. Jr."},
        {"full_name": "123 456"},
        {"full_name": "!!! ???"},
        {"first_name": "", "last_name": " "},
        {"nickname": "cool_guy88"},
        {"nickname": "shopper@home"},
    ],
)
def test_empty(kwargs: dict[str, str | None]) -> None:
    assert normalise_name(**kwargs) == EMPTY


def test_first_and_last_take_precedence_over_full_name_and_nickname() -> None:
    result = normalise_name(full_name="Robert Smith", first_name="Bob", last_name="Jones", nickname="Bobby")
    assert result == western("bob", "jones", "robert")


def test_full_name_is_used_when_the_parts_hold_no_name() -> None:
    assert normalise_name(full_name="Anna Schmidt", first_name="Mr", last_name="") == western(
        "anna", "schmidt"
    )


def test_nickname_is_a_fallback_when_it_looks_like_a_name() -> None:
    assert normalise_name(nickname="Kate Winslet") == western("kate", "winslet", "katherine")
    short = normalise_name(nickname="小明")
    assert (short.given, short.family, short.hanzi) == ("xiaoming", None, "小明")
    assert normalise_name(nickname="王小明") == normalise_name(full_name="王小明")


def test_very_long_names_are_cut_not_rejected() -> None:
    result = normalise_name("王" * 100_000)
    assert (result.valid, result.family, len(result.hanzi or "")) == (True, "wang", 300)


def test_reference_lists() -> None:
    assert len(NICKNAMES) >= 80
    assert not set(NICKNAMES.values()) & set(NICKNAMES)  # formal names map to themselves, never onwards
    assert {"wang", "li", "zhang", "liu", "chen", "ouyang", "sima"} <= CHINESE_SURNAMES_PINYIN
    assert len(CHINESE_SURNAMES_PINYIN) >= 100


@pytest.mark.parametrize(
    "hanzi", ["小明", "乐乐", "长青", "重阳", "朝阳", "银行", "曾经", "绿", "略", "单于"]
)
def test_pinyin_matches_lazy_pinyin(hanzi: str) -> None:
    assert _pinyin(hanzi) == "".join(lazy_pinyin(hanzi)).replace("v", "u")


def test_single_readings_never_depend_on_context() -> None:
    """The per-character shortcut of _pinyin is exact: no phrase reads such a character otherwise."""
    differing = set()
    for phrase, readings in phrases_dict.items():
        if len(phrase) != len(readings):
            continue
        for char, reading in zip(phrase, readings, strict=True):
            single = _single_reading(char)
            if single is not None and strip_accents(reading[0]) != single:
                differing.add(char)
    assert differing == set()
    assert _single_reading("燵") is None


def test_a_lone_family_name_defers_to_the_full_name() -> None:
    result = normalise_name(full_name="王小明", first_name=None, last_name="王")
    assert (result.given, result.family, result.hanzi) == ("xiaoming", "wang", "王小明")
    western = normalise_name(full_name="Robert Smith", first_name=None, last_name="Smith")
    assert (western.given, western.family) == ("robert", "smith")
    parts_only = normalise_name(first_name=None, last_name="Smith")
    assert (parts_only.given, parts_only.family) == (None, "smith")


@pytest.mark.parametrize(
    ("first", "last", "pinyin_given"),
    [
        ("Alice", "Huang", None),
        ("Linda", "Zhao", None),
        ("Xiaoming", "Wang", "xiaoming"),
        ("Dan", "Huang", "dan"),
    ],
)
def test_western_names_that_split_into_syllables_are_not_pinyin(
    first: str, last: str, pinyin_given: str | None
) -> None:
    assert normalise_name(first_name=first, last_name=last).pinyin_given == pinyin_given
