"""normalise_email: cleaning, syntax, placeholders, matching keys, and the fast path's fidelity."""

from __future__ import annotations

import random

import pytest

from normalise import EmailResult, normalise_email
from normalise.emails import _clean, _parse, _parse_with_validator

# raw -> (email, local, domain, match_key) for valid addresses
VALID = [
    ("  John.Smith@Acme.CO.UK ", "john.smith@acme.co.uk", "john.smith", "acme.co.uk", "john.smith@acme.co.uk"),
    ("\tJANE@QQ.COM\n", "jane@qq.com", "jane", "qq.com", "jane@qq.com"),
    ("jane . doe @ 163.com", "jane.doe@163.com", "jane.doe", "163.com", "jane.doe@163.com"),
    ("bob+shop@outlook.com", "bob+shop@outlook.com", "bob+shop", "outlook.com", "bob@outlook.com"),
    ("bob+a+b@outlook.com", "bob+a+b@outlook.com", "bob+a+b", "outlook.com", "bob@outlook.com"),
    ("J.o.h.n@gmail.com", "j.o.h.n@gmail.com", "j.o.h.n", "gmail.com", "john@gmail.com"),
    ("John.Smith+promo@GoogleMail.com", "john.smith+promo@googlemail.com", "john.smith+promo",
     "googlemail.com", "johnsmith@gmail.com"),
    ("john.smith@outlook.com", "john.smith@outlook.com", "john.smith", "outlook.com", "john.smith@outlook.com"),
    ("ｊｏｈｎ＠ｇｍａｉｌ．ｃｏｍ", "john@gmail.com", "john", "gmail.com", "john@gmail.com"),
    ("john\u200b@gmail.com", "john@gmail.com", "john", "gmail.com", "john@gmail.com"),
    ("mailto:Bob@Acme.com", "bob@acme.com", "bob", "acme.com", "bob@acme.com"),
    ("<bob@acme.com>", "bob@acme.com", "bob", "acme.com", "bob@acme.com"),
    ('"bob@acme.com"', "bob@acme.com", "bob", "acme.com", "bob@acme.com"),
    ("用户@例子.广告", "用户@例子.广告", "用户", "例子.广告", "用户@例子.广告"),
    ("a@xn--fsqu00a.xn--0zwm56d", "a@例子.测试", "a", "例子.测试", "a@例子.测试"),
    ("José@Exämple.com", "josé@exämple.com", "josé", "exämple.com", "josé@exämple.com"),
    ("li.lei@sub.mail.163.com", "li.lei@sub.mail.163.com", "li.lei", "sub.mail.163.com", "li.lei@sub.mail.163.com"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "email", "local", "domain", "key"), VALID)
def test_valid_addresses(raw: str, email: str, local: str, domain: str, key: str) -> None:
    assert normalise_email(raw) == EmailResult(email, True, None, local, domain, key, raw)


@pytest.mark.parametrize(
    "raw",
    [
        "john.smith",
        "john@",
        "@gmail.com",
        "john..smith@gmail.com",
        ".john@gmail.com",
        "john.@gmail.com",
        "john@gmail",
        "john@@gmail.com",
        "john@gmail..com",
        "john@-gmail.com",
        "john@localhost",
        "john@printer.local",
        '"john smith"@acme.com',
        "john(comment)@acme.com",
        "john,smith@acme.com",
        "John Smith <john@acme.com>",
        "a" * 250 + "@acme.com",
        "john@" + "a" * 64 + ".com",
        "john@[127.0.0.1]",
        "john@acme.123",
        "\ud800@acme.com",
    ],
)
def test_invalid_syntax(raw: str) -> None:
    assert normalise_email(raw) == EmailResult(None, False, "INVALID_SYNTAX", None, None, None, raw)


@pytest.mark.parametrize(
    ("raw", "email", "local", "domain"),
    [
        ("test@test.com", "test@test.com", "test", "test.com"),
        ("TEST@test.com", "test@test.com", "test", "test.com"),
        ("noemail@acme.com", "noemail@acme.com", "noemail", "acme.com"),
        ("none@none.com", "none@none.com", "none", "none.com"),
        ("a@a.com", "a@a.com", "a", "a.com"),
        ("abc@abc.com", "abc@abc.com", "abc", "abc.com"),
        ("anyone@example.com", "anyone@example.com", "anyone", "example.com"),
        ("x@mail.example.org", "x@mail.example.org", "x", "mail.example.org"),
        ("someone@shop.example", "someone@shop.example", "someone", "shop.example"),
        ("xxx@gmail.com", "xxx@gmail.com", "xxx", "gmail.com"),
        ("aaaa@qq.com", "aaaa@qq.com", "aaaa", "qq.com"),
        ("test+1@gmail.com", "test+1@gmail.com", "test+1", "gmail.com"),
        ("noreply@shop.com", "noreply@shop.com", "noreply", "shop.com"),
        ("N/A@acme.com", "n/a@acme.com", "n/a", "acme.com"),
    ],
)
def test_placeholder_addresses(raw: str, email: str, local: str, domain: str) -> None:
    assert normalise_email(raw) == EmailResult(email, False, "PLACEHOLDER", local, domain, None, raw)


@pytest.mark.parametrize(
    ("raw", "email"),
    [("N/A", "n/a"), ("n/a", "n/a"), (" none ", "none"), ("NULL", "null"), ("-", "-"), ("No Email", "noemail"),
     ("无", "无")],
)  # fmt: skip
def test_placeholder_values(raw: str, email: str) -> None:
    assert normalise_email(raw) == EmailResult(email, False, "PLACEHOLDER", None, None, None, raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n", "\u200b\ufeff"])
def test_empty(raw: str | None) -> None:
    assert normalise_email(raw) == EmailResult(None, False, "EMPTY", None, None, None, raw)


def test_short_real_local_parts_are_not_placeholders() -> None:
    assert normalise_email("li@163.com").valid
    assert normalise_email("ab@acme.com").valid
    assert normalise_email("jo@jo.com").reason == "PLACEHOLDER"


def test_non_string_input() -> None:
    assert normalise_email(12345) == EmailResult(None, False, "INVALID_SYNTAX", None, None, None, "12345")  # type: ignore[arg-type]


def test_variants_of_one_mailbox_share_a_match_key() -> None:
    variants = ["John.Smith@gmail.com", " johnsmith@GMAIL.COM", "j.o.h.n.smith+orders@googlemail.com"]
    assert {normalise_email(v).match_key for v in variants} == {"johnsmith@gmail.com"}


def test_fast_path_agrees_with_email_validator() -> None:
    """The split/local-part/domain-cache path gives exactly validate_email's verdict and normal form."""
    rng = random.Random(11)
    seeds = ["john.smith@gmail.com", "a@b.co", "用户@例子.广告", "josé@acme.com", "x@xn--fsqu00a.xn--0zwm56d",
             "first_last@sub.domain.org", "a+b@c.io"]  # fmt: skip
    pieces = [*'.+-_@"<>(),;:\\[] üé用', "\u0301", "\u200b", "..", "@@", "xn--", "--", ".com", "localhost",
              "\ud800", "ǅ", "İ", "ß", "Ⅻ", "١", "a" * 70]  # fmt: skip
    compared = accepted = 0
    for _ in range(3000):
        value = rng.choice(seeds)
        for _ in range(rng.randint(0, 3)):
            at = rng.randint(0, len(value))
            value = value[:at] + rng.choice(pieces) + value[at:]
        cleaned = _clean(value)
        if not cleaned or len(cleaned) > 254:
            continue
        expected = _parse_with_validator(cleaned)
        assert _parse(cleaned) == expected, cleaned
        compared += 1
        accepted += expected is not None
    assert compared > 2500
    assert 300 < accepted < compared - 300  # both verdicts are well represented
