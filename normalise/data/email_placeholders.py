"""Values typed into email fields when the person has no address or would not give one."""

from __future__ import annotations

PLACEHOLDER_VALUES: frozenset[str] = frozenset(
    {
        "-",
        "--",
        "---",
        ".",
        "0",
        "?",
        "x",
        "xx",
        "xxx",
        "na",
        "n/a",
        "n.a",
        "n.a.",
        "none",
        "null",
        "nil",
        "unknown",
        "noemail",
        "no-email",
        "no_email",
        "nomail",
        "notprovided",
        "not-provided",
        "notavailable",
        "refused",
        "declined",
        "tbc",
        "tbd",
        "test",
        "无",
        "没有",
        "暂无",
    }
)
"""Whole values (whitespace removed, lower case) that stand for "no email address"."""

PLACEHOLDER_LOCAL_PARTS: frozenset[str] = frozenset(
    {
        "test",
        "testing",
        "tester",
        "noemail",
        "no.email",
        "no-email",
        "no_email",
        "nomail",
        "no.mail",
        "no-mail",
        "none",
        "null",
        "nil",
        "na",
        "n/a",
        "unknown",
        "dummy",
        "fake",
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "do.not.reply",
        "asdf",
        "qwerty",
        "example",
        "sample",
        "email",
        "nobody",
        "anonymous",
        "abc",
        "abcd",
        "xxx",
        "customer",
    }
)
"""Local parts (plus tag removed) that no real mailbox of a customer uses."""

PLACEHOLDER_DOMAINS: frozenset[str] = frozenset(
    {
        "example.com",
        "example.org",
        "example.net",
        "test.com",
        "none.com",
        "noemail.com",
        "nomail.com",
        "no-email.com",
        "domain.com",
        "yourdomain.com",
        "email.invalid",
    }
)
"""Domains (and their subdomains) used only in documentation and dummy values; ``*.example`` too."""
