"""Email addresses: a syntax check, the clean address, and the key that links one person's addresses."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import DOT_ATOM_TEXT
from email_validator.syntax import validate_email_local_part

from normalise.data.email_placeholders import (
    PLACEHOLDER_DOMAINS,
    PLACEHOLDER_LOCAL_PARTS,
    PLACEHOLDER_VALUES,
)
from normalise.text import to_text

__all__ = ["EmailResult", "normalise_email"]

EMPTY = "EMPTY"
INVALID_SYNTAX = "INVALID_SYNTAX"
PLACEHOLDER = "PLACEHOLDER"

_MAX_LENGTH = 254  # RFC 5321 as email_validator applies it, in UTF-8 bytes
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_DROP_TABLE = {ord(c): None for c in "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"}


@dataclass(frozen=True, slots=True)
class EmailResult:
    """The outcome of normalising one email value.

    Attributes:
        email: Trimmed, lower-cased, NFKC-normalised address when it is syntactically valid; for
            ``PLACEHOLDER`` the cleaned value, so it can be inspected; otherwise ``None``.
        valid: Whether the address is usable for contact and matching.
        reason: ``None``, ``"EMPTY"``, ``"INVALID_SYNTAX"`` or ``"PLACEHOLDER"``.
        local: The part before the ``@``.
        domain: The domain in its Unicode form (IDNA A-labels are decoded).
        match_key: Identity-matching form: plus tag removed, and for Gmail dots removed and
            ``googlemail.com`` written ``gmail.com``; ``None`` unless valid.
        raw: The value as given.
    """

    email: str | None
    valid: bool
    reason: str | None
    local: str | None
    domain: str | None
    match_key: str | None
    raw: str | None


def normalise_email(raw: str | None) -> EmailResult:
    """Clean and check one email address.

    Whitespace (also inside the value), zero-width characters, a ``mailto:`` prefix and enclosing angle
    brackets or quotes are removed; the text is NFKC-normalised (full-width ``＠`` becomes ``@``) and
    lower-cased. The syntax check is ``email_validator`` without any network access. Addresses that
    only stand in for a missing one (``test@test.com``, ``none@none.com``, ``a@a.com``, anything at
    ``example.com``, ``n/a``) are flagged as ``PLACEHOLDER``. Never raises.

    Args:
        raw: The email value as captured, or ``None``.

    Returns:
        An :class:`EmailResult`.

    Example:
        >>> r = normalise_email("  John.Smith+Shop@GoogleMail.com ")
        >>> (r.email, r.valid, r.match_key)
        ('john.smith+shop@googlemail.com', True, 'johnsmith@gmail.com')
    """
    text = to_text(raw)
    value = _clean(text) if text else ""
    if not value:
        return EmailResult(None, False, EMPTY, None, None, None, text)
    if value in PLACEHOLDER_VALUES:
        return EmailResult(value, False, PLACEHOLDER, None, None, None, text)
    parsed = _parse(value)
    if parsed is None:
        return EmailResult(None, False, INVALID_SYNTAX, None, None, None, text)
    local, domain = parsed
    address = f"{local}@{domain}"
    base = local.split("+", 1)[0] or local
    if _is_placeholder(base, domain):
        return EmailResult(address, False, PLACEHOLDER, local, domain, None, text)
    key = f"{base.replace('.', '')}@gmail.com" if domain in _GMAIL_DOMAINS else f"{base}@{domain}"
    return EmailResult(address, True, None, local, domain, key, text)


def _clean(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_DROP_TABLE)
    value = "".join(text.split()).lower()
    if value.startswith("mailto:"):
        value = value[7:]
    while len(value) >= 2 and (value[0], value[-1]) in (("<", ">"), ('"', '"'), ("'", "'")):
        value = value[1:-1]
    return value


def _parse(value: str) -> tuple[str, str] | None:
    """(local part, Unicode domain) when ``email_validator`` accepts the address, else ``None``.

    ``validate_email`` splits the address, checks the local part, checks the domain (IDNA processing,
    most of the cost) and checks the lengths. For an address with one ``@`` and no quote or angle bracket
    before it, the split is trivial, so the same steps run here with the validator's own local-part
    check and a per-domain cache of its verdict on the domain (domains repeat). Other addresses go
    through ``validate_email`` whole. The tests compare both paths.
    """
    if len(value) > _MAX_LENGTH:
        return None
    at = value.find("@")
    if at <= 0 or value.find("@", at + 1) >= 0:
        return _parse_with_validator(value)
    local = value[:at]
    if not DOT_ATOM_TEXT.match(local):
        if '"' in local or "<" in local or unicodedata.normalize("NFC", local) != local:
            return _parse_with_validator(value)
        try:
            validate_email_local_part(local, allow_smtputf8=True, allow_empty_local=False, strict=False)
        except EmailNotValidError:
            return None
    checked = _check_domain(value[at + 1 :])
    if checked is None:
        return None
    domain, ascii_domain = checked
    for address in (value, f"{local}@{domain}", f"{local}@{ascii_domain}"):
        if len(address.encode("utf-8")) > _MAX_LENGTH:
            return None
    return local, domain


def _parse_with_validator(value: str) -> tuple[str, str] | None:
    try:
        checked = validate_email(value, check_deliverability=False)
    except (EmailNotValidError, ValueError):
        # ValueError covers UnicodeError and idna.IDNAError, which the validator does not always wrap.
        return None
    return checked.local_part, checked.domain


@functools.lru_cache(maxsize=1 << 15)
def _check_domain(domain: str) -> tuple[str, str] | None:
    try:
        checked = validate_email("x@" + domain, check_deliverability=False)
    except (EmailNotValidError, ValueError):
        return None
    return checked.domain, checked.ascii_domain


def _is_placeholder(base: str, domain: str) -> bool:
    if base in PLACEHOLDER_LOCAL_PARTS:
        return True
    labels = domain.split(".")
    if labels[-1] == "example":
        return True
    for start in range(len(labels) - 1):
        if ".".join(labels[start:]) in PLACEHOLDER_DOMAINS:
            return True
    # a@a.com, abc@abc.com: a short local part repeating the domain name is typed to get past a form.
    if len(base) <= 3 and base == labels[0]:
        return True
    return len(base) >= 3 and len(set(base)) == 1
