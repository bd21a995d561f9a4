"""Identity noise: the same person written differently, calibrated so a good matcher can still win."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict

import phonenumbers

from generator import noise
from generator.people import Address, Person
from schemas.landing import contract
from tests.generator.conftest import Dataset

PHONES = {
    "crm_contacts": ["phone"],
    "shop_accounts": ["phone"],
    "loyalty_members": ["phone"],
    "support_tickets": ["requester_phone"],
    "orders_online": ["guest_phone"],
    "orders_pos": ["customer_phone"],
}
EMAILS = {
    "crm_contacts": ["email"],
    "shop_accounts": ["email"],
    "loyalty_members": ["email"],
    "support_tickets": ["requester_email"],
    "orders_online": ["guest_email"],
    "nps_surveys": ["email"],
    "email_engagement": ["email"],
}


def _e164(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _good_rows(data: Dataset) -> list[tuple[dict[str, str | None], str, str]]:
    truth = {(r["source_file"], r["line_number"]): r for r in data.records}
    result = []
    for row in data.rows:
        record = truth[(row.source_file, row.line_number)]
        if not record["is_bad"] and record["person_id"] and row.fields is not None:
            result.append((row.fields, row.feed, record["person_id"]))
    return result


def test_every_phone_is_one_of_the_persons_numbers_in_some_format(generated: Dataset) -> None:
    formats: dict[str, set[str]] = defaultdict(set)
    for fields, feed, person_id in _good_rows(generated):
        person = generated.people[person_id]
        region = contract(feed).phone_region
        for column in PHONES.get(feed, []):
            text = fields[column]
            if text is None:
                continue
            assert _e164(text, region) in person["phones"], (feed, text, person["phones"])
            local = not text.startswith(("+", "00", "(+"))
            # A number without a country code only appears where it is local.
            assert not local or person["country"] == region, (feed, text, person["country"])
            formats[_e164(text, region) or ""].add(text)
    assert max(len(v) for v in formats.values()) >= 3


def test_most_emails_are_clean_some_are_noisy(generated: Dataset) -> None:
    clean = noisy = 0
    for fields, feed, person_id in _good_rows(generated):
        known = generated.people[person_id]["emails"]
        for column in EMAILS.get(feed, []):
            text = fields[column]
            if text is None:
                continue
            local, _, domain = text.strip().partition("@")
            assert local and "." in domain, text
            if text in known:
                clean += 1
            else:
                noisy += 1
    share = noisy / (clean + noisy)
    assert 0.08 <= share <= 0.3, share


def test_chinese_names_appear_in_hanzi_and_in_pinyin(generated: Dataset) -> None:
    scripts: dict[str, Counter[str]] = defaultdict(Counter)
    for fields, feed, person_id in _good_rows(generated):
        if generated.people[person_id]["country"] != "CN":
            continue
        name = fields.get("full_name") or fields.get("requester_name")
        if name:
            scripts[feed]["hanzi" if not name.isascii() else "latin"] += 1
    assert scripts["crm_contacts"]["hanzi"] > scripts["crm_contacts"]["latin"] > 0
    assert scripts["loyalty_members"]["latin"] == 0 < scripts["loyalty_members"]["hanzi"]
    assert scripts["support_tickets"]["latin"] > scripts["support_tickets"]["hanzi"] > 0


def test_a_minority_of_cross_source_pairs_only_match_fuzzily(generated: Dataset) -> None:
    """Pairs of one person's records in different sources sharing no normalised email or phone."""
    records: dict[str, dict[tuple[str, str], tuple[set[str], set[str]]]] = defaultdict(dict)
    truth = {(r["source_file"], r["line_number"]): r for r in generated.records}
    for row in generated.rows:
        record = truth[(row.source_file, row.line_number)]
        if record["is_bad"] or not record["person_id"] or row.fields is None:
            continue
        region = contract(row.feed).phone_region
        email_texts = [row.fields[c] for c in EMAILS.get(row.feed, [])]
        phone_texts = [row.fields[c] for c in PHONES.get(row.feed, [])]
        emails = {text.strip().lower() for text in email_texts if text}
        phones = {_e164(text, region) or "" for text in phone_texts if text}
        if row.feed == "email_engagement" or not (emails or phones):
            continue
        records[record["person_id"]][(row.feed, record["source_id"])] = (emails, phones)
    pairs = fuzzy = 0
    for entities in records.values():
        for (a_key, a), (b_key, b) in itertools.combinations(entities.items(), 2):
            if a_key[0] == b_key[0]:
                continue
            pairs += 1
            fuzzy += not (a[0] & b[0]) and not (a[1] & b[1])
    assert pairs > 500
    assert 0.12 <= fuzzy / pairs <= 0.3, fuzzy / pairs


def _person(country: str = "GB") -> Person:
    address = Address(
        country=country,
        city="London",
        city_native=None,
        district=None,
        district_native=None,
        number=12,
        street="Station Road",
        street_native=None,
        street_base=None,
        street_type_native=None,
        unit="Flat 3",
        building=None,
        room=None,
        postcode="SW1A 1AA",
        store_id=None,
    )
    return Person(
        index=0,
        person_id="P0000000",
        country=country,
        gender="M",
        birth=dt.date(1980, 2, 3),
        family="Smith",
        given="Robert",
        given_syllables=(),
        family_native=None,
        given_native=None,
        english_name=None,
        emails=["robert.smith1234@gmail.com"],
        mobiles=["+447412345678"],
        landline=None,
        addresses=[(0, address)],
    )


def test_noise_functions_produce_the_documented_variants() -> None:
    rng = random.Random(1)
    person = _person()
    typos = {noise.typo(rng, "robert.smith1234") for _ in range(200)}
    assert len(typos) > 20 and all("1234" in t for t in typos)
    nicknames = {noise.given_name(rng, person, nickname_rate=0.5) for _ in range(200)}
    assert {"Robert", "Bob", "Rob", "Bobby"} <= nicknames
    emails = {noise.email(rng, "robert.smith1234@gmail.com")[0] for _ in range(2000)}
    assert "robertsmith1234@gmail.com" in emails
    assert any("+" in e for e in emails) and any(e != e.strip() for e in emails)
    local = {noise.phone(rng, "+447412345678", "GB", "GB") for _ in range(200)}
    international = {noise.phone(rng, "+447412345678", "GB", "CN") for _ in range(200)}
    assert "07412 345678" in local
    assert all(p.startswith(("+", "00")) for p in international)
    addresses = {noise.address(rng, person.addresses[0][1], native=False)[0] for _ in range(300)}
    assert any("Rd" in a for a in addresses) and any("Road" in a for a in addresses)
    postcodes = {noise.postcode(rng, person.addresses[0][1]) for _ in range(300)}
    assert {"SW1A 1AA", "sw1a1aa"} <= postcodes
