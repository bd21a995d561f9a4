"""Every normaliser is total, deterministic and thread-safe, whatever it is given."""

from __future__ import annotations

import doctest
import math
import random
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from normalise import (
    addresses,
    countries,
    emails,
    names,
    normalise_address,
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_text,
    phones,
    text,
)

EMAIL_REASONS = {None, "EMPTY", "INVALID_SYNTAX", "PLACEHOLDER"}
PHONE_REASONS = {None, "EMPTY", "UNPARSEABLE", "INVALID_NUMBER", "PLACEHOLDER"}
PHONE_KINDS = {None, "mobile", "fixed_line", "fixed_line_or_mobile", "voip", "toll_free", "other"}
NAME_SCRIPTS = {None, "latin", "han", "mixed", "other"}
ADDRESS_REASONS = {None, "EMPTY", "UNKNOWN_COUNTRY"}

_ALPHABETS = (
    "abcdefghijklmnopqrstuvwxyzABCXYZ",
    "0123456789+-() .#x",
    "@._+-<>\"'",
    "王小明欧阳单曾·先生号路",
    "éüøßİıÆ",
    "\u0301\u0308\u200b\ufeff\x00\n\t\u3000",
    "＠１２３ａｂｃ，。",
    "ИвнКЛ",
    "\U0001f642\U0001f3fd\u200d",
    "\ud800\udfff",
    "№°º",
)


def garbage(rng: random.Random) -> str:
    size = rng.choice((0, 1, 2, 3, 5, 8, 13, 21, 40, 80))
    chars = []
    for _ in range(size):
        if rng.random() < 0.25:
            chars.append(chr(rng.randrange(0x110000)))
        else:
            chars.append(rng.choice(rng.choice(_ALPHABETS)))
    return "".join(chars)


STRINGS = [garbage(random.Random(seed)) for seed in range(2000)]
ODD_VALUES: list[object] = [None, 0, -1, 13800138000, 1.5, math.nan, math.inf, Decimal("1E+400"), b"\xff\xfe",
                            bytearray(b"abc"), True, object(), ["a"], {"a": 1}, "x" * 1_000_000, "9" * 1_000_000,
                            "王" * 200_000, "@" * 100_000, " " * 100_000, "Wang Xiao Ming " * 30, "+86 " * 50,
                            "a@b." * 80, "王小明" * 70]  # fmt: skip


def check_all(value: object) -> tuple[object, ...]:
    """Call every normaliser on the value and check the invariants of each result."""
    email = normalise_email(value)  # type: ignore[arg-type]
    assert email.reason in EMAIL_REASONS
    assert email.valid == (email.reason is None)
    assert (email.match_key is not None) == email.valid
    assert email.valid <= (email.email is not None and "@" in email.email)

    phone = normalise_phone(value, "CN")  # type: ignore[arg-type]
    phone_in_own_region = normalise_phone(value, value)  # type: ignore[arg-type]
    for result in (phone, phone_in_own_region):
        assert result.reason in PHONE_REASONS
        assert result.kind in PHONE_KINDS
        assert result.valid == (result.reason is None)
        assert result.valid <= (
            result.e164 is not None and result.e164[1:].isdigit() and result.kind is not None
        )

    name = normalise_name(value, value, value, value)  # type: ignore[arg-type]
    full = normalise_name(full_name=value)  # type: ignore[arg-type]
    for name_result in (name, full):
        assert name_result.script in NAME_SCRIPTS
        assert name_result.valid == (name_result.reason is None) == (name_result.tokens_sorted is not None)
        assert name_result.reason in {None, "EMPTY"}

    address = normalise_address(value, value, value, value)  # type: ignore[arg-type]
    assert address.reason in ADDRESS_REASONS
    assert address.valid == (address.reason is None)
    assert address.postcode_valid <= (address.postcode is not None)

    cleaned = normalise_text(value)  # type: ignore[arg-type]
    assert cleaned is None or (cleaned == cleaned.strip() and "  " not in cleaned and cleaned)
    return email, phone, phone_in_own_region, name, full, address, cleaned


def test_total_and_deterministic_on_random_unicode() -> None:
    first = [check_all(value) for value in STRINGS]
    assert [check_all(value) for value in STRINGS[::4]] == first[::4]


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda value: type(value).__name__)
def test_total_on_odd_values(value: object) -> None:
    check_all(value)


def test_thread_safe() -> None:
    values = (
        STRINGS[:400] + ["王小明", "Bob Smith", "13800138000", "john@gmail.com", "Flat 3, 12 High St."] * 40
    )
    expected = [check_all(value) for value in values]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(check_all, values)) == expected


@pytest.mark.parametrize("module", [text, emails, phones, names, addresses, countries])
def test_docstring_examples(module: object) -> None:
    failures, _ = doctest.testmod(module, raise_on_error=False, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert failures == 0


def test_package_docstring_example() -> None:
    import normalise

    failures, tried = doctest.testmod(normalise)
    assert (failures, tried > 0) == (0, True)
