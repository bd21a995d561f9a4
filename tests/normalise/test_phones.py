"""normalise_phone: formats of several countries, placeholders, garbage, and fidelity to phonenumbers."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from normalise import PhoneResult, normalise_phone
from normalise.phones import _classify, _clean, _parse, _parse_direct

CN_MOBILE = ("+8613800138000", True, None, "CN", "mobile")


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("+86 138 0013 8000", "CN"),
        ("0086-138-0013-8000", "CN"),
        ("0086 13800138000", "CN"),
        ("13800138000", "CN"),
        ("138-0013-8000", "CN"),
        ("138 0013 8000", "CN"),
        ("+86-138-0013-8000", "CN"),
        ("+8613800138000", "CN"),
        ("(+86) 13800138000", "CN"),
        ("１３８００１３８０００", "CN"),
        ("＋８６ １３８ ００１３ ８０００", "CN"),
        ("Tel: 138 0013 8000 (mobile)", "CN"),
        ("手机：13800138000", "CN"),
        (" 138 0013 8000 ext. 12", "CN"),
        ("+86 138 0013 8000 转 12", "CN"),
        ("13800138000#12", "CN"),
        ("+86 138 0013 8000", "GB"),
        ("0086 13800138000", "GB"),
        ("0086-138-0013-8000", "US"),
        ("13800138000", "China"),
        ("13800138000", " cn "),
        (13800138000, "CN"),
        (13800138000.0, "CN"),
    ],
)
def test_chinese_mobile_in_every_format(raw: object, region: str) -> None:
    result = normalise_phone(raw, region)  # type: ignore[arg-type]
    assert (result.e164, result.valid, result.reason, result.region, result.kind) == CN_MOBILE
    assert result.raw == (raw if isinstance(raw, str) else "13800138000")


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        # China, fixed lines (the trunk 0 and the "(0)" of international forms are dropped)
        ("010-6552-9988", "CN", ("+861065529988", "CN", "fixed_line")),
        ("(010) 6552 9988", "CN", ("+861065529988", "CN", "fixed_line")),
        ("+86 (0) 10 6552 9988", "CN", ("+861065529988", "CN", "fixed_line")),
        # United Kingdom: Ofcom drama numbers (accepted, see FICTIONAL_RANGES) and real ranges
        ("+44 7700 900123", "GB", ("+447700900123", "GB", "mobile")),
        ("07700 900123", "GB", ("+447700900123", "GB", "mobile")),
        ("0044 7700 900123", "GB", ("+447700900123", "GB", "mobile")),
        ("0044 7700 900123", "US", ("+447700900123", "GB", "mobile")),
        ("+44 (0)7700 900123", "GB", ("+447700900123", "GB", "mobile")),
        ("07700 900123", "uk", ("+447700900123", "GB", "mobile")),
        ("01632 960123", "GB", ("+441632960123", "GB", "fixed_line")),
        ("07400 123456", "GB", ("+447400123456", "GB", "mobile")),
        ("020 7946 0018", "GB", ("+442079460018", "GB", "fixed_line")),
        ("+44 20 7946 0018", "CN", ("+442079460018", "GB", "fixed_line")),
        ("0800 123 4567", "GB", ("+448001234567", "GB", "toll_free")),
        # NANP: 555-0100..0199 are fictional but valid in phonenumbers' metadata, and accepted
        ("(415) 555-0100", "US", ("+14155550100", "US", "fixed_line_or_mobile")),
        ("+1 415-555-0100", "US", ("+14155550100", "US", "fixed_line_or_mobile")),
        ("415.555.0100", "US", ("+14155550100", "US", "fixed_line_or_mobile")),
        ("1-415-555-0100", "US", ("+14155550100", "US", "fixed_line_or_mobile")),
        ("+1 (415) 555-0100 x12", "US", ("+14155550100", "US", "fixed_line_or_mobile")),
        ("001 415 555 0100", "CN", ("+14155550100", "US", "fixed_line_or_mobile")),
        ("011 44 20 7946 0018", "US", ("+442079460018", "GB", "fixed_line")),
        ("(416) 555-0123", "US", ("+14165550123", "CA", "fixed_line_or_mobile")),
        # Hong Kong, Singapore, Germany, France, Australia
        ("2123 4567", "HK", ("+85221234567", "HK", "fixed_line")),
        ("9123 4567", "HK", ("+85291234567", "HK", "mobile")),
        ("+852 9123 4567", "CN", ("+85291234567", "HK", "mobile")),
        ("8123 4567", "SG", ("+6581234567", "SG", "mobile")),
        ("+65 6123 4567", "SG", ("+6561234567", "SG", "fixed_line")),
        ("030 1234567", "DE", ("+49301234567", "DE", "fixed_line")),
        ("0151 23456789", "DE", ("+4915123456789", "DE", "mobile")),
        ("+49 30 1234567", "GB", ("+49301234567", "DE", "fixed_line")),
        ("06 12 34 56 78", "FR", ("+33612345678", "FR", "mobile")),
        ("0412 345 678", "AU", ("+61412345678", "AU", "mobile")),
        # international non-geographic freephone: valid, no country
        ("+800 1234 5679", "US", ("+80012345679", None, "toll_free")),
    ],
)
def test_valid_numbers(raw: str, region: str, expected: tuple[str, str | None, str]) -> None:
    e164, number_region, kind = expected
    assert normalise_phone(raw, region) == PhoneResult(e164, True, None, number_region, kind, raw)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("07700 900123", "US"),  # a GB local number read in the US
        ("13800138000", "GB"),  # a CN mobile read in the UK
        ("020 7946 0018", "US"),
        ("+86 555 1234 5678", "CN"),
        ("+86 10 1234", "CN"),
        ("+44 20 1234 567", "GB"),
        ("+1 415 555 010", "US"),
        ("12", "CN"),
    ],
)
def test_invalid_numbers_are_flagged_not_guessed(raw: str, region: str) -> None:
    assert normalise_phone(raw, region) == PhoneResult(None, False, "INVALID_NUMBER", None, None, raw)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "number_region"),
    [
        ("13800000000", "CN", "+8613800000000", "CN"),
        ("+86 139 8888 8888", "CN", "+8613988888888", "CN"),
        ("11111111111", "CN", "+8611111111111", "CN"),
        ("999999", "CN", "+86999999", "CN"),
        ("1234567890", "US", "+11234567890", None),
        ("+1 555 555 5555", "US", "+15555555555", None),
        ("0123456789", "GB", "+44123456789", None),
        ("00000000000", "CN", None, None),
        ("0000 0000", "HK", None, None),
    ],
)
def test_placeholders(raw: str, region: str, e164: str | None, number_region: str | None) -> None:
    assert normalise_phone(raw, region) == PhoneResult(e164, False, "PLACEHOLDER", number_region, None, raw)


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("abc", "CN"),
        ("n/a", "CN"),
        ("+", "CN"),
        ("++86 138 0013 8000", "CN"),
        ("1-800-FLOWERS", "US"),
        ("13800138000abc", "CN"),
        ("138 0013 8000 or 139 0013 9000", "CN"),
        ("13800138000 / 13900139000", "CN"),
        ("1" * 101, "CN"),
        ("13800138000", "XX"),  # a local number needs a known default region
        ("13800138000", ""),
    ],
)
def test_unparseable(raw: str, region: str) -> None:
    assert normalise_phone(raw, region) == PhoneResult(None, False, "UNPARSEABLE", None, None, raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "\t"])
def test_empty(raw: str | None) -> None:
    assert normalise_phone(raw, "CN") == PhoneResult(None, False, "EMPTY", None, None, raw)


def test_international_number_needs_no_default_region() -> None:
    assert normalise_phone("+44 20 7946 0018", "XX").e164 == "+442079460018"


@pytest.mark.parametrize(
    ("raw", "region"),
    [("13800138000", "CN"), ("+86 138 0013 8000", "GB"), ("0086 138 0013 8000", "US"), ("07911 123456", "GB"),
     ("020 7946 0018", "GB"), ("(415) 555-0100", "US"), ("+1 415 555 0100", "CN"), ("030 1234567", "DE")],
)  # fmt: skip
def test_common_formats_take_the_direct_path(raw: str, region: str) -> None:
    """The throughput target depends on these not going through phonenumbers.parse."""
    cleaned = _clean(raw)
    assert cleaned is not None
    digits, international = cleaned
    if international and digits.startswith("00"):
        digits = digits[2:]
    assert _parse_direct(digits, international, region) is not None


def _samples(rng: random.Random) -> list[tuple[str, bool, str]]:
    """(digits, international, region) around the example numbers of every region and number type."""
    types = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
             PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.UAN)  # fmt: skip
    samples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in types:
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is None or rng.random() < 0.5:
                continue
            nsn = phonenumbers.national_significant_number(example)
            digits = list(nsn)
            position = rng.randrange(len(digits))
            change = rng.random()
            if change < 0.5:
                digits[position] = str(rng.randrange(10))
            elif change < 0.75:
                del digits[position]
            else:
                digits.insert(position, str(rng.randrange(10)))
            for variant in (nsn, "".join(digits)):
                samples.append((f"{example.country_code}{variant}", True, region))
                samples.append((variant, False, region))
                samples.append((f"0{variant}", False, region))
                samples.append((f"{example.country_code}{variant}", False, region))
    return samples


def test_parse_and_validation_agree_with_phonenumbers() -> None:
    """_parse is phonenumbers.parse, and _classify is is_valid_number / number_type / region_code_for_number."""
    checked = valid = 0
    for digits, international, region in _samples(random.Random(3)):
        try:
            number = phonenumbers.parse(("+" if international else "") + digits, region)
        except phonenumbers.NumberParseException:
            assert _parse(digits, international, region) is None
            continue
        nsn = phonenumbers.national_significant_number(number)
        assert number.country_code is not None
        assert _parse(digits, international, region) == (number.country_code, nsn), (digits, region)
        expected = (phonenumbers.region_code_for_number(number), phonenumbers.number_type(number))
        assert _classify(number.country_code, nsn) == expected, (digits, region)
        is_valid = phonenumbers.is_valid_number(number)
        assert is_valid == (expected[1] != PhoneNumberType.UNKNOWN)
        checked += 1
        valid += is_valid
    assert checked > 1500
    assert 300 < valid < checked - 300
