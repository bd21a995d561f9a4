"""Phone numbers: the E.164 form, the number's country and line type, with placeholders flagged.

Parsing and validation follow ``phonenumbers`` exactly. Two costs dominate that library when it is called
once per value: its ``parse`` (a generic text scanner) and its validation, which looks up and matches the
metadata patterns on each call and is repeated by ``number_type`` and ``region_code_for_number``. This
module therefore

* cleans the text itself (extension, labels, full-width digits, ``00`` prefix) and, for the common inputs
  whose parse involves no national-prefix or carrier-code handling, builds the number directly; all other
  inputs go to ``phonenumbers.parse``;
* validates once, with the same metadata patterns compiled once per region and the same decision order as
  ``phonenumbers`` (``_number_type_helper`` and ``region_code_for_number``), so ``valid`` is exactly
  ``phonenumbers.is_valid_number``. The tests compare both on numbers of every region.

Fictional numbers: NANP ``555-0100``..``555-0199`` numbers are valid in the ``phonenumbers`` metadata and
are accepted like any other valid number (the test data uses them). Ofcom's drama ranges ``07700 900xxx``
and ``01632 960xxx`` are missing from that metadata; they are accepted too (see ``FICTIONAL_RANGES``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata, PhoneNumberDesc

from normalise.countries import country_code
from normalise.text import to_text

__all__ = ["FICTIONAL_RANGES", "PhoneResult", "normalise_phone"]

EMPTY = "EMPTY"
UNPARSEABLE = "UNPARSEABLE"
INVALID_NUMBER = "INVALID_NUMBER"
PLACEHOLDER = "PLACEHOLDER"

NON_GEOGRAPHIC_REGION = "001"

FICTIONAL_RANGES: tuple[tuple[int, str, int, str, str], ...] = (
    (44, "7700900", 10, "GB", "mobile"),
    (44, "1632960", 10, "GB", "fixed_line"),
)
"""(country code, national number prefix, national number length, region, kind) of the Ofcom drama ranges."""

_KINDS: dict[int, str] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
}

_MAX_INPUT_LENGTH = 100
_MIN_NSN_LENGTH = 2  # phonenumbers' _MIN_LENGTH_FOR_NSN
_MAX_NSN_LENGTH = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN

_EXTENSION_RE = re.compile(
    r"[;,]?\s*(?:ext(?:ension)?|x|#|分机|分機|转|轉|内线|內線)\s*[.:=]?\s*\d{1,7}\s*\)?\s*$", re.IGNORECASE
)
# From the first "+" or digit to the last digit: labels before and notes after the number are dropped.
_CORE_RE = re.compile(r"[+\d].*\d|\d", re.DOTALL)
# Letters joined to the last digit ("1-800-FLOWERS", "13800138000abc") are part of the number, not a note.
_VANITY_TAIL_RE = re.compile(r"[-.]?[A-Za-z]")
_DIGIT_RE = re.compile(r"\d")
_NON_DIGIT_RE = re.compile(r"\D")
_BODY_RE = re.compile(r"[\d\s\-‐‑‒–—−.()/\[\]]*")
_ASCENDING = "01234567890123456789"
_DESCENDING = "98765432109876543210"


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """The outcome of normalising one phone value.

    Attributes:
        e164: ``+<country code><national number>`` for valid numbers and placeholders (when the digits
            form a number at all); ``None`` otherwise.
        valid: Whether ``phonenumbers`` considers the number valid (or it is in a fictional range).
        reason: ``None``, ``"EMPTY"``, ``"UNPARSEABLE"``, ``"INVALID_NUMBER"`` or ``"PLACEHOLDER"``.
        region: ISO 3166-1 alpha-2 code of the number's country (not of the default region).
        kind: ``"mobile"``, ``"fixed_line"``, ``"fixed_line_or_mobile"``, ``"voip"``, ``"toll_free"`` or
            ``"other"`` for valid numbers; ``None`` otherwise.
        raw: The value as given.
    """

    e164: str | None
    valid: bool
    reason: str | None
    region: str | None
    kind: str | None
    raw: str | None


def normalise_phone(raw: str | None, default_region: str) -> PhoneResult:
    """Parse and validate one phone number.

    Local numbers are read in ``default_region`` (an ISO code, or a country name such as ``"UK"``);
    numbers with a ``+`` or ``00`` prefix are read as international in any region. Labels and noise
    around the number (``"Tel:"``, ``"(mobile)"``), an extension (``"ext. 12"``, ``"x12"``, ``"转12"``) and
    full-width digits are handled; letters inside the number are not guessed (vanity numbers are
    ``UNPARSEABLE``). A number counts only if valid for ``phonenumbers``; wrong-region local numbers are
    ``INVALID_NUMBER``. Dummy numbers (all one digit, ``1234567890``, ``138 0000 0000``) are
    ``PLACEHOLDER``, with ``e164`` filled so they can be counted. Never raises.

    Args:
        raw: The phone value as captured, or ``None``.
        default_region: Region for numbers written without a country code.

    Returns:
        A :class:`PhoneResult`.

    Example:
        >>> r = normalise_phone("0086-138-0013-8000", "GB")
        >>> (r.e164, r.valid, r.region, r.kind)
        ('+8613800138000', True, 'CN', 'mobile')
    """
    text = to_text(raw)
    if text is None or not text.strip():
        return PhoneResult(None, False, EMPTY, None, None, text)
    cleaned = _clean(text)
    if cleaned is None:
        return PhoneResult(None, False, UNPARSEABLE, None, None, text)
    digits, international = cleaned
    region = _default_region(to_text(default_region))
    placeholder = _is_placeholder(digits)
    if international:
        digits = digits[2:] if digits.startswith("00") else digits
    parsed = _parse(digits, international, region)
    if parsed is None:
        reason = PLACEHOLDER if placeholder else UNPARSEABLE
        return PhoneResult(None, False, reason, None, None, text)
    calling_code, nsn = parsed
    e164 = f"+{calling_code}{nsn}"
    if placeholder or _is_placeholder_nsn(nsn):
        return PhoneResult(e164, False, PLACEHOLDER, _geo(_classify(calling_code, nsn)[0]), None, text)
    number_region, number_type = _classify(calling_code, nsn)
    if number_type != PhoneNumberType.UNKNOWN:
        kind = _KINDS.get(number_type, "other")
        return PhoneResult(e164, True, None, _geo(number_region), kind, text)
    for code, prefix, length, fictional_region, kind in FICTIONAL_RANGES:
        if calling_code == code and len(nsn) == length and nsn.startswith(prefix):
            return PhoneResult(e164, True, None, fictional_region, kind, text)
    return PhoneResult(None, False, INVALID_NUMBER, None, None, text)


def _clean(text: str) -> tuple[str, bool] | None:
    """ASCII digits of the number and whether it was written with an international prefix."""
    if len(text) > _MAX_INPUT_LENGTH:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _EXTENSION_RE.sub("", text)
    core = _CORE_RE.search(text)
    if core is None or _VANITY_TAIL_RE.match(text, core.end()):
        return None
    number = core.group()
    plus = number.startswith("+")
    body = number[1:] if plus else number
    if _BODY_RE.fullmatch(body) is None:
        return None
    if body.isascii():
        digits = _NON_DIGIT_RE.sub("", body)
    else:
        digits = "".join(str(int(char)) for char in _DIGIT_RE.findall(body))
    return digits, plus or digits.startswith("00")


def _is_placeholder(digits: str) -> bool:
    if len(digits) >= 6 and len(set(digits)) == 1:
        return True
    return len(digits) >= 7 and (digits in _ASCENDING or digits in _DESCENDING)


def _is_placeholder_nsn(nsn: str) -> bool:
    # 138 0000 0000, 139 8888 8888: a valid prefix followed by one digit repeated.
    return _is_placeholder(nsn) or (len(nsn) >= 8 and len(set(nsn[-7:])) == 1)


@functools.lru_cache(maxsize=512)
def _default_region(value: str | None) -> str | None:
    return country_code(value)


def _geo(region: str | None) -> str | None:
    return None if region == NON_GEOGRAPHIC_REGION else region


def _parse(digits: str, international: bool, region: str | None) -> tuple[int, str] | None:
    """(country calling code, national significant number) as ``phonenumbers.parse`` reads them."""
    direct = _parse_direct(digits, international, region)
    if direct is not None:
        return direct
    try:
        number = phonenumbers.parse(("+" if international else "") + digits, region)
    except NumberParseException:
        return None
    if number.country_code is None:
        return None
    return number.country_code, phonenumbers.national_significant_number(number)


def _parse_direct(digits: str, international: bool, region: str | None) -> tuple[int, str] | None:
    """The result of ``phonenumbers.parse`` computed directly, or ``None`` to leave it to the library.

    Direct where the library only slices: a ``+`` number, or a national number that does not start with
    an international dialling prefix or the region's own country code. National prefixes are stripped
    as the library does (``_maybe_strip_national_prefix_carrier_code`` and the length test in
    ``parse``); prefixes with a transform rule and numbers that keep a leading zero go to the library.
    """
    if international:
        if len(digits) <= _MIN_NSN_LENGTH or digits[0] == "0":
            return None
        for size in (1, 2, 3):
            calling_code = int(digits[:size])
            regions = COUNTRY_CODE_TO_REGION_CODE.get(calling_code)
            if regions:
                break
        else:
            return None
        if regions[0] == NON_GEOGRAPHIC_REGION:
            return None
        metadata = _metadata(regions[0])
        nsn = digits[size:]
    else:
        metadata = _metadata(region) if region is not None else None
        if metadata is None:
            return None
        if metadata.international_prefix is not None and metadata.international_prefix.match(digits):
            return None
        if digits.startswith(str(metadata.country_code)):
            return None
        calling_code = metadata.country_code
        nsn = digits
    if metadata is None or len(nsn) < _MIN_NSN_LENGTH:
        return None
    stripped = metadata.strip_national_prefix(nsn)
    if stripped is None or not _MIN_NSN_LENGTH <= len(stripped) <= _MAX_NSN_LENGTH or stripped[0] == "0":
        return None
    return calling_code, stripped


_Description = tuple[frozenset[int], Callable[[str], re.Match[str] | None]]


@dataclass(frozen=True, slots=True)
class _Metadata:
    """What parsing and validation read from one region's ``PhoneMetadata``, patterns compiled once.

    A description is (possible lengths, full-match function); empty lengths mean "any length".
    """

    country_code: int
    general: _Description | None
    general_pattern: re.Pattern[str] | None
    general_lengths: tuple[int, ...]
    local_only_lengths: tuple[int, ...]
    special: tuple[tuple[frozenset[int], Callable[[str], re.Match[str] | None], int], ...]
    fixed_line: _Description | None
    mobile: _Description | None
    same_mobile_and_fixed_line: bool
    leading_digits: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    has_transform_rule: bool
    international_prefix: re.Pattern[str] | None

    def number_type(self, nsn: str) -> int:
        """``phonenumbers``' ``_number_type_helper``: the same descriptions in the same order."""
        size = len(nsn)
        general = self.general
        if general is None or (general[0] and size not in general[0]) or general[1](nsn) is None:
            return PhoneNumberType.UNKNOWN
        for lengths, fullmatch, number_type in self.special:
            if (not lengths or size in lengths) and fullmatch(nsn) is not None:
                return number_type
        fixed, mobile = self.fixed_line, self.mobile
        is_mobile = mobile is not None and (not mobile[0] or size in mobile[0]) and mobile[1](nsn) is not None
        if fixed is not None and (not fixed[0] or size in fixed[0]) and fixed[1](nsn) is not None:
            if self.same_mobile_and_fixed_line or is_mobile:
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if not self.same_mobile_and_fixed_line and is_mobile:
            return PhoneNumberType.MOBILE
        return PhoneNumberType.UNKNOWN

    def strip_national_prefix(self, number: str) -> str | None:
        """The number after ``parse`` strips a national prefix; ``None`` where a transform rule applies."""
        if self.national_prefix is None:
            return number
        match = self.national_prefix.match(number)
        if match is None:
            return number
        groups = match.groups()
        if self.has_transform_rule and (not groups or groups[-1] is not None):
            return None
        stripped = number[match.end() :]
        general = self.general_pattern
        if general is not None and general.fullmatch(number) and not general.fullmatch(stripped):
            return number
        # parse() keeps the stripped number only when its length is possible (or too long) for the region.
        if not self.general_lengths:
            return None
        size = len(stripped)
        if size in self.local_only_lengths:
            return number
        if size == self.general_lengths[0] or (
            size > self.general_lengths[0]
            and (size > self.general_lengths[-1] or size in self.general_lengths[1:])
        ):
            return stripped
        return number


def _description(description: PhoneNumberDesc | None) -> _Description | None:
    if description is None or not description.national_number_pattern:
        return None
    pattern = re.compile(description.national_number_pattern)
    return frozenset(description.possible_length or ()), pattern.fullmatch


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern is not None else None


def _build(metadata: PhoneMetadata | None) -> _Metadata | None:
    if metadata is None or metadata.country_code is None:
        return None
    special = []
    for description, number_type in (
        (metadata.premium_rate, PhoneNumberType.PREMIUM_RATE),
        (metadata.toll_free, PhoneNumberType.TOLL_FREE),
        (metadata.shared_cost, PhoneNumberType.SHARED_COST),
        (metadata.voip, PhoneNumberType.VOIP),
        (metadata.personal_number, PhoneNumberType.PERSONAL_NUMBER),
        (metadata.pager, PhoneNumberType.PAGER),
        (metadata.uan, PhoneNumberType.UAN),
        (metadata.voicemail, PhoneNumberType.VOICEMAIL),
    ):
        compiled = _description(description)
        # Possible lengths of (-1,) mark a type the region does not have: it can never match.
        if compiled is not None and compiled[0] != frozenset({-1}):
            special.append((compiled[0], compiled[1], number_type))
    general = metadata.general_desc
    return _Metadata(
        country_code=metadata.country_code,
        general=_description(general),
        general_pattern=_compile(general.national_number_pattern or None) if general is not None else None,
        general_lengths=tuple(general.possible_length or ()) if general is not None else (),
        local_only_lengths=tuple(general.possible_length_local_only or ()) if general is not None else (),
        special=tuple(special),
        fixed_line=_description(metadata.fixed_line),
        mobile=_description(metadata.mobile),
        same_mobile_and_fixed_line=bool(metadata.same_mobile_and_fixed_line_pattern),
        leading_digits=_compile(metadata.leading_digits),
        national_prefix=_compile(metadata.national_prefix_for_parsing or None),
        has_transform_rule=bool(metadata.national_prefix_transform_rule),
        international_prefix=_compile(metadata.international_prefix),
    )


@functools.cache
def _metadata(region: str) -> _Metadata | None:
    return _build(PhoneMetadata.metadata_for_region(region, None))


@functools.cache
def _non_geographic_metadata(calling_code: int) -> _Metadata | None:
    return _build(PhoneMetadata.metadata_for_nongeo_region(calling_code, None))


def _classify(calling_code: int, nsn: str) -> tuple[str | None, int]:
    """(region, type): ``region_code_for_number`` and ``number_type`` in one pass.

    ``phonenumbers.is_valid_number`` is exactly "the type is not UNKNOWN" for the region found here.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(calling_code)
    if not regions:
        return None, PhoneNumberType.UNKNOWN
    if len(regions) == 1:
        region = regions[0]
        if region == NON_GEOGRAPHIC_REGION:
            metadata = _non_geographic_metadata(calling_code)
        else:
            metadata = _metadata(region)
        return region, metadata.number_type(nsn) if metadata is not None else PhoneNumberType.UNKNOWN
    for region in regions:
        metadata = _metadata(region)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if metadata.leading_digits.match(nsn):
                return region, metadata.number_type(nsn)
        else:
            number_type = metadata.number_type(nsn)
            if number_type != PhoneNumberType.UNKNOWN:
                return region, number_type
    return None, PhoneNumberType.UNKNOWN


# Compiled once at import for the regions of our channels, so the first rows of a task are not slower.
for _region in ("CN", "GB", "US", "HK", "SG", "DE", "FR", "AU", "CA"):
    _metadata(_region)
