"""The hidden truth: lifecycle stages, the people and their look-alikes, batches and late arrivals."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from generator import GeneratorConfig
from generator.history import STAGE_WEIGHTS
from generator.runner import run_generation
from infra.settings import LifecycleSettings
from schemas.landing import contract
from schemas.lifecycle import Purchase, classify
from tests.generator.checker import parse_temporal
from tests.generator.conftest import Dataset, load

COMPLETED = {"completed", "partially_refunded"}


def purchases_from_landing(data: Dataset) -> dict[str, list[Purchase]]:
    """Every person's completed purchases, read back from the good order rows of the landing files."""
    rates = data.config.lifecycle.currency_rates
    truth = {(r["source_file"], r["line_number"]): r for r in data.records}
    result: dict[str, list[Purchase]] = defaultdict(list)
    for row in data.rows:
        record = truth[(row.source_file, row.line_number)]
        if row.feed not in {"orders_online", "orders_pos"} or record["is_bad"] or record["person_id"] is None:
            continue
        assert row.fields is not None
        if row.fields["status"] not in COMPLETED:
            continue
        if row.feed == "orders_online":
            column = contract("orders_online").column("ordered_at")
            text = row.fields["ordered_at"]
            assert text is not None
            instant = parse_temporal(column, text)
            assert instant is not None
            local = dt.datetime.fromisoformat(text).date()
            # Online orders fall on the same day in the customer's zone and in UTC.
            assert instant.date() == local
            day = local
        else:
            value = parse_temporal(
                contract("orders_pos").column("purchased_at"), row.fields["purchased_at"] or ""
            )
            assert value is not None
            day = value.date()
        net = Decimal(row.fields["total_amount"] or "0") - Decimal(row.fields["refund_amount"] or "0")
        result[record["person_id"]].append(Purchase(day, float(net) * rates[row.fields["currency"] or ""]))
    return result


def test_target_stages_are_what_classify_says_about_the_landing_orders(generated: Dataset) -> None:
    rules = generated.config.lifecycle
    history = purchases_from_landing(generated)
    as_of = generated.config.end
    for person_id, person in generated.people.items():
        purchases = history.get(person_id, [])
        assert classify(purchases, as_of, rules).stage == person["target_stage"], person_id
        assert person["completed_orders"] == len(purchases)
        assert abs(person["net_revenue"] - sum(p.net_amount for p in purchases)) < 0.05
        if purchases:
            assert person["first_order_date"] == min(p.day for p in purchases)
            assert person["last_order_date"] == max(p.day for p in purchases)


def test_lifecycle_trajectory_is_classify_at_every_month_end(generated: Dataset) -> None:
    rules = generated.config.lifecycle
    history = purchases_from_landing(generated)
    months = sorted({row["month_end"] for row in generated.lifecycle})
    assert months[0] == dt.date(2024, 1, 31) and len(months) == 16
    assert len(generated.lifecycle) == len(months) * len(generated.people)
    for row in generated.lifecycle:
        result = classify(history.get(row["person_id"], []), row["month_end"], rules)
        assert (row["stage"], tuple(row["reasons"])) == (result.stage, result.reasons)


def test_every_stage_is_represented_roughly_as_configured(generated: Dataset) -> None:
    stages = Counter(p["target_stage"] for p in generated.people.values())
    assert set(stages) == set(STAGE_WEIGHTS)
    for stage, weight in STAGE_WEIGHTS.items():
        assert abs(stages[stage] / len(generated.people) - weight) < 0.07, (stage, stages)


def test_a_short_period_only_uses_reachable_stages(make_home: Callable[[str], Path]) -> None:
    home = make_home("short")
    config = GeneratorConfig(people=120, seed=9, days=45, workers=1, bad_rate=0.0)
    run_generation(config, home, chunk_size=120)
    data = load(home, config)
    stages = Counter(p["target_stage"] for p in data.people.values())
    assert set(stages) == {"prospect", "new", "growth"}
    history = purchases_from_landing(data)
    for person_id, person in data.people.items():
        assert (
            classify(history.get(person_id, []), config.end, LifecycleSettings()).stage
            == person["target_stage"]
        )


def test_hard_negatives_of_every_kind_are_different_people_sharing_the_stated_details(
    generated: Dataset,
) -> None:
    people = generated.people
    kinds = Counter(n["kind"] for n in generated.negatives)
    assert set(kinds) == {"household", "twin", "namesake", "shared_email"}
    for pair in generated.negatives:
        a, b = people[pair["person_a"]], people[pair["person_b"]]
        assert a["person_id"] != b["person_id"]
        if pair["kind"] in {"household", "twin"}:
            assert a["household_id"] == b["household_id"] is not None
            assert (a["address_line"], a["city"], a["postcode"]) == (
                b["address_line"],
                b["city"],
                b["postcode"],
            )
            assert set(a["phones"]) & set(b["phones"])
        if pair["kind"] == "twin":
            assert a["birth_date"] == b["birth_date"] and a["family_name"] == b["family_name"]
            assert a["given_name"] != b["given_name"]
            assert a["twin_of"] == b["person_id"] and b["twin_of"] == a["person_id"]
        if pair["kind"] == "namesake":
            assert (a["given_name"], a["family_name"], a["birth_date"]) == (
                b["given_name"],
                b["family_name"],
                b["birth_date"],
            )
            assert (a["given_name_hanzi"], a["family_name_hanzi"]) == (
                b["given_name_hanzi"],
                b["family_name_hanzi"],
            )
            assert a["city"] != b["city"] and not set(a["emails"]) & set(b["emails"])
            assert a["namesake_group"] == b["namesake_group"] is not None
        if pair["kind"] == "shared_email":
            assert set(a["emails"]) & set(b["emails"])
    in_households = sum(1 for p in people.values() if p["household_id"])
    assert 0.06 <= in_households / len(people) <= 0.2
    namesakes = sum(1 for p in people.values() if p["namesake_group"])
    assert namesakes / len(people) >= 0.005


def test_contacts_are_unique_except_where_shared_on_purpose(generated: Dataset) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    phones: dict[str, set[str]] = defaultdict(set)
    for person in generated.people.values():
        for email in person["emails"]:
            owners[email].add(person["person_id"])
        for phone in person["phones"]:
            phones[phone].add(person["person_id"])
    shared = {
        frozenset((n["person_a"], n["person_b"])) for n in generated.negatives if n["kind"] == "shared_email"
    }
    for email, who in owners.items():
        assert len(who) == 1 or frozenset(who) in shared, email
    for phone, who in phones.items():
        households = {generated.people[p]["household_id"] for p in who}
        assert len(who) == 1 or (len(households) == 1 and None not in households), phone


def test_batches_hold_their_own_day_with_about_one_percent_late(generated: Dataset) -> None:
    truth = {(r["source_file"], r["line_number"]): r for r in generated.records}
    event_column = {
        "orders_online": "ordered_at",
        "orders_pos": "purchased_at",
        "web_app_events": "occurred_at",
        "email_engagement": "occurred_at",
        "nps_surveys": "responded_at",
        "crm_contacts": "updated_at",
        "shop_accounts": "updated_at",
        "support_tickets": "updated_at",
        "loyalty_members": "updated_at",
    }
    late: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row in generated.rows:
        if truth[(row.source_file, row.line_number)]["is_bad"]:
            continue
        feed = contract(row.feed)
        assert row.fields is not None
        value = parse_temporal(feed.column(event_column[row.feed]), row.fields[event_column[row.feed]] or "")
        assert value is not None
        if value.tzinfo is not None:
            value = value.astimezone(zoneinfo.ZoneInfo(feed.timezone))
        gap = (row.batch - value.date()).days
        assert 0 <= gap <= 3, (row.source_file, row.line_number)
        if feed.dedupe == "key":
            total["events"] += 1
            late["events"] += gap > 0
        else:
            assert gap == 0
    assert 0.003 <= late["events"] / total["events"] <= 0.03


def test_person_records_stay_within_a_realistic_volume(generated: Dataset) -> None:
    per_person = len(generated.records) / len(generated.people)
    assert 10 <= per_person <= 22
    by_person = Counter(r["person_id"] for r in generated.records if r["person_id"])
    assert len(by_person) == len(generated.people)
    shares = Counter(r["feed"] for r in generated.records)
    assert shares.most_common(1)[0][0] == "web_app_events"


def test_people_are_spread_over_countries_and_scripts(generated: Dataset) -> None:
    countries = Counter(p["country"] for p in generated.people.values())
    total = len(generated.people)
    assert 0.45 <= countries["CN"] / total <= 0.65
    assert 0.12 <= countries["GB"] / total <= 0.28 and 0.12 <= countries["US"] / total <= 0.28
    chinese = [p for p in generated.people.values() if p["country"] == "CN"]
    assert all(p["given_name_hanzi"] and p["family_name_hanzi"] for p in chinese)
    assert all(p["family_name"].isascii() and p["given_name"].isascii() for p in chinese)
    surnames = Counter(p["family_name_hanzi"] for p in chinese)
    assert surnames.most_common(1)[0][1] >= 8
    names = Counter((p["given_name"], p["family_name"]) for p in generated.people.values())
    assert any(count > 1 for count in names.values())
