"""Building blocks of the generator: ids, datetime patterns, histories, encoders."""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo

import pytest

from generator.encode import Item, Money, build_specs, json_keys, json_object
from generator.history import STAGE_WEIGHTS, HistoryPlanner, classify_days, feasible_stages
from generator.ids import IdSequence, Permutation, luhn_digit
from generator.timefmt import SparkPattern
from infra.settings import LifecycleSettings


@pytest.mark.parametrize("size", [2, 10, 999, 1000, 4097])
def test_permutation_is_a_bijection(size: int) -> None:
    permutation = Permutation("key", size)
    assert sorted(permutation(i) for i in range(size)) == list(range(size))


def test_id_sequences_of_different_chunks_never_collide() -> None:
    sequences = [IdSequence(1, "order", chunk, 500, 6, "SO") for chunk in range(20)]
    ids = {sequence.next() for sequence in sequences for _ in range(500)}
    assert len(ids) == 20 * 500
    sequence = IdSequence(1, "order", 0, 2, 6, "SO")
    sequence.next()
    sequence.next()
    with pytest.raises(RuntimeError, match="ran out"):
        sequence.next()


def test_luhn_check_digit() -> None:
    assert luhn_digit("7992739871") == "3"
    number = "628812345678901"
    digits = [int(c) for c in reversed(number + luhn_digit(number))]
    assert sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(digits)) % 10 == 0


def test_spark_patterns_write_offsets_like_spark() -> None:
    shanghai = dt.datetime(2024, 3, 5, 21, 7, 1, 250000, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    new_york = dt.datetime(2024, 7, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    london = dt.datetime(2024, 1, 5, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    instant = SparkPattern("yyyy-MM-dd'T'HH:mm:ssXXX")
    assert instant.format(shanghai) == "2024-03-05T21:07:01+08:00"
    assert instant.format(new_york) == "2024-07-05T09:00:00-04:00"
    assert instant.format(london) == "2024-01-05T09:00:00Z"
    assert SparkPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").format(shanghai) == "2024-03-05T21:07:01.250+08:00"
    assert SparkPattern("dd/MM/yyyy HH:mm").format(shanghai) == "05/03/2024 21:07"
    assert SparkPattern("yyyy/MM/dd").format(dt.date(1984, 2, 29)) == "1984/02/29"
    with pytest.raises(ValueError, match="not supported"):
        SparkPattern("yyyy-MMM-dd")


def test_feasible_stages_follow_the_period_length() -> None:
    rules = LifecycleSettings()
    assert feasible_stages(30, rules) == ["prospect", "new", "growth"]
    assert "declining" in feasible_stages(120, rules) and "churned" not in feasible_stages(120, rules)
    assert set(feasible_stages(730, rules)) == set(STAGE_WEIGHTS)


@pytest.mark.parametrize("stage", sorted(STAGE_WEIGHTS))
def test_planned_histories_classify_as_their_stage_under_other_rules(stage: str) -> None:
    rules = LifecycleSettings(
        churn_days=120,
        declining_days=60,
        won_back_days=45,
        mature_min_tenure_days=200,
        mature_min_orders_365d=4,
        mature_min_revenue_365d=1500.0,
        declining_window_days=90,
    )
    start = dt.date(2023, 6, 1)
    planner = HistoryPlanner(start, 500, rules)
    rng = random.Random(stage)
    for _ in range(30):
        plan = planner.plan(rng, stage, 200.0)
        purchases = [(p.day, p.value_cny) for p in plan]
        assert classify_days(purchases, start, start + dt.timedelta(days=499), rules).stage == stage


def test_json_lines_use_contract_names_and_two_decimal_amounts() -> None:
    keys = json_keys(["order_id", "total_amount", "items", "note"])
    text = json_object(
        {
            "order_id": "SO1",
            "total_amount": Money(1250),
            "items": [Item("A-1", "home", 2, Money(5))],
            "note": None,
        },
        keys,
    )
    assert text == (
        '{"order_id":"SO1","total_amount":12.50,'
        '"items":[{"sku":"A-1","category":"home","quantity":2,"unit_price":0.05}]}'
    )
    assert json.loads(json_object({"order_id": "王", "extra": True}, keys)) == {
        "order_id": "王",
        "extra": True,
    }


def test_file_names_match_the_contract_globs() -> None:
    day = dt.date(2024, 5, 6)
    names = {spec.feed: spec.file_name(day) for spec in build_specs()}
    assert names["orders_pos"] == "pos-2024-05-06.csv"
    assert names["orders_online"] == "online-2024-05-06.jsonl"
    assert names["crm_contacts"] == "crm_contacts-2024-05-06.csv"
