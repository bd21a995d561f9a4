"""Single-core throughput of the normalisers on realistic, distinct synthetic values.

Run ``python -m bench.normalise [--count N]``. The normalisers cache parts of values (email domains,
the pinyin of Hanzi given names, pinyin syllable checks), never whole results, so a repeated value costs as
much as a new one; the generated values share such parts at roughly their real frequency (phones and email
local parts are unique), so the caches help as much as they would on a column's distinct values. Rates
are per second of this process's CPU time, so they hold when other work shares the machine.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence

from normalise import normalise_address, normalise_email, normalise_name, normalise_phone

_FIRST: tuple[str, ...] = (
    "James",
    "John",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Bob",
    "Liz",
    "Kate",
    "Mike",
    "Jim",
    "Jen",
    "Zoë",
    "Chloé",
    "José",
    "Seán",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Ivy",
)
_LAST: tuple[str, ...] = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "O'Brien",
    "Müller",
    "Nuñez",
    "Smith-Jones",
    "van der Berg",
    "MacDonald",
)
_SURNAMES_HAN = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任卢"
)
_GIVEN_HAN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉梅红飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣雪琳晨"
    "小大子文志海云东春燕晓玲婷瑞嘉思佳雨轩梓涵一诺欣怡博"
)
_PINYIN_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou")
_PINYIN_GIVEN = ("Xiaoming", "Xiao Ming", "Wei", "Fang", "Jing", "Haoran", "Zihan", "Yuxuan", "Na", "Lei")
_DOMAINS = (
    "gmail.com",
    "qq.com",
    "163.com",
    "126.com",
    "outlook.com",
    "hotmail.co.uk",
    "yahoo.com",
    "icloud.com",
    "sina.com",
    "foxmail.com",
    "btinternet.com",
    "googlemail.com",
)


def make_emails(rng: random.Random, count: int) -> list[str]:
    """Distinct emails with case, whitespace and plus-tag noise over a realistic domain mix."""
    values = []
    for i in range(count):
        last = rng.choice(_LAST).lower().replace("'", "").replace(" ", "")
        local = f"{rng.choice(_FIRST).lower()}.{last}{i}"
        domain = rng.choice(_DOMAINS) if rng.random() < 0.9 else f"company{rng.randrange(2000)}.com"
        tag = "+shop" if rng.random() < 0.1 else ""
        address = f"{local}{tag}@{domain}"
        values.append(f"  {address.upper()} " if rng.random() < 0.3 else address)
    return values


def make_phones(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct phone numbers in the formats of the CN, GB and US channels."""
    formats: Sequence[Callable[[], tuple[str, str]]] = (
        lambda: (f"+86 13{rng.randrange(10)} {rng.randrange(10000):04d} {rng.randrange(10000):04d}", "CN"),
        lambda: (f"1{rng.choice('3589')}{rng.randrange(10)}{rng.randrange(10**8):08d}", "CN"),
        lambda: (f"0086-13{rng.randrange(10)}-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}", "CN"),
        lambda: (f"07{rng.randrange(400, 1000)} {rng.randrange(10**6):06d}", "GB"),
        lambda: (f"+44 20 {rng.randrange(10000):04d} {rng.randrange(10000):04d}", "GB"),
        lambda: (f"({rng.randrange(201, 990)}) {rng.randrange(200, 1000)}-{rng.randrange(10000):04d}", "US"),
    )
    return [rng.choice(formats)() for _ in range(count)]


def make_names(rng: random.Random, count: int) -> list[tuple[str | None, str | None, str | None]]:
    """(full, first, last) for Western names, Hanzi full names and pinyin names, about a third each."""
    values: list[tuple[str | None, str | None, str | None]] = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.35:
            values.append((None, rng.choice(_FIRST), rng.choice(_LAST)))
        elif kind < 0.7:
            given = "".join(rng.choice(_GIVEN_HAN) for _ in range(rng.choice((1, 2, 2))))
            values.append((rng.choice(_SURNAMES_HAN) + given, None, None))
        else:
            family, given = rng.choice(_PINYIN_SURNAMES), rng.choice(_PINYIN_GIVEN)
            values.append((f"{family} {given}" if rng.random() < 0.5 else f"{given} {family}", None, None))
    return values


def make_addresses(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    """Addresses of GB, US and CN in the styles the channels capture."""
    values = []
    for i in range(count):
        kind = rng.random()
        if kind < 0.34:
            values.append((f"Flat {i % 40}, {rng.randrange(1, 300)} High St.", "London", "sw1a 1aa", "UK"))
        elif kind < 0.67:
            line = f"{rng.randrange(1, 9999)} N Main St Apt {i % 50}"
            values.append((line, "San Francisco", "94105-1234", "USA"))
        else:
            line = f"浦东新区世纪大道{rng.randrange(1, 2000)}号{i % 30}栋{rng.randrange(100, 3000)}室"
            values.append((line, "上海市", "200120", "中国"))
    return values


def _rate(function: Callable[[], object], count: int) -> float:
    # CPU time of this process: calls per core-second, steady even when other work shares the machine.
    start = time.process_time()
    function()
    return count / (time.process_time() - start)


def run(count: int = 50_000, seed: int = 7) -> dict[str, float]:
    """Calls per second of each normaliser over ``count`` distinct values.

    Args:
        count: Values per function.
        seed: Seed of the generated values.

    Returns:
        Function name -> calls per second.

    Example:
        >>> rates = run(count=200)
        >>> sorted(rates)
        ['normalise_address', 'normalise_email', 'normalise_name', 'normalise_phone']
    """
    rng = random.Random(seed)
    emails = make_emails(rng, count)
    phones = make_phones(rng, count)
    names = make_names(rng, count)
    addresses = make_addresses(rng, count)
    return {
        "normalise_email": _rate(lambda: [normalise_email(v) for v in emails], count),
        "normalise_phone": _rate(lambda: [normalise_phone(v, r) for v, r in phones], count),
        "normalise_name": _rate(lambda: [normalise_name(f, g, s) for f, g, s in names], count),
        "normalise_address": _rate(lambda: [normalise_address(*v) for v in addresses], count),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Print the calls per second of each normaliser."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=50_000, help="distinct values per function")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for name, rate in run(args.count, args.seed).items():
        print(f"{name:<20}{rate:>12,.0f} calls/s")


if __name__ == "__main__":
    main()
