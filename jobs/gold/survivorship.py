"""Survivorship: which source record's value becomes a customer's golden attribute.

Every rule is an ordering of a customer's candidate records (those holding a value for the attribute); the
first record wins and its ``record_key`` is kept as lineage. Ties always fall back to source priority and
then to the record key, so the result never depends on row order.

- ``source_priority``: the most trusted source (``profiles.source_priority``), then the latest update.
- ``most_recent``: the latest updated record.
- ``most_frequent``: the value held by most records, then the latest update.
- ``first_non_null``: the earliest record (first seen) holding a value.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from infra.settings import ProfileSettings

# Attribute -> the person-record columns it is made of; the first one decides whether a record holds it.
ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "name": ("name_full", "name_given", "name_family", "name_hanzi"),
    "birth_date": ("birth_date",),
    "gender": ("gender",),
    "email": ("email",),
    "phone": ("phone",),
    "address": ("address_line", "city", "postcode", "country_code"),
}

# Each rule as sort keys over a candidate: (field, descending). Python and Spark both read this table.
RULE_ORDER: Mapping[str, tuple[tuple[str, bool], ...]] = {
    "source_priority": (("priority", False), ("updated_at", True)),
    "most_recent": (("updated_at", True), ("priority", False)),
    "most_frequent": (("frequency", True), ("updated_at", True), ("priority", False)),
    "first_non_null": (("seen_at", False), ("priority", False)),
}
TIE_BREAK = (("record_key", False),)


@dataclass(frozen=True)
class Candidate:
    """One source record's value for an attribute."""

    record_key: str
    source: str
    value: Any
    seen_at: dt.datetime
    updated_at: dt.datetime


def priority_of(source: str, order: Sequence[str]) -> int:
    """A source's rank in ``order`` (0 = most trusted); unlisted sources rank last."""
    return order.index(source) if source in order else len(order)


def source_order(settings: ProfileSettings, attribute: str) -> tuple[str, ...]:
    """The source order for one attribute: its own when configured, else the global one."""
    return tuple(settings.attribute_priority.get(attribute, settings.source_priority))


def survivor(candidates: Sequence[Candidate], rule: str, order: Sequence[str]) -> Candidate | None:
    """The winning candidate under ``rule`` (None when no candidate holds a value).

    Example:
        >>> jan, feb = dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)
        >>> a = Candidate("crm_contacts:C1", "crm_contacts", "x", jan, jan)
        >>> b = Candidate("shop_accounts:U1", "shop_accounts", "y", feb, feb)
        >>> survivor([a, b], "most_recent", ["crm_contacts", "shop_accounts"]).value
        'y'
    """
    held = [c for c in candidates if c.value is not None]
    if not held:
        return None
    counts = Counter(c.value for c in held)

    def field(c: Candidate, *, name: str) -> Any:
        if name == "priority":
            return priority_of(c.source, order)
        if name == "frequency":
            return counts[c.value]
        return getattr(c, name)

    ranked = list(held)
    # Stable sorts from the last key to the first give the lexicographic order of RULE_ORDER + TIE_BREAK.
    for name, descending in reversed((*RULE_ORDER[rule], *TIE_BREAK)):
        ranked.sort(key=functools.partial(field, name=name), reverse=descending)
    return ranked[0]


def _priority_column(order: Sequence[str]) -> Column:
    rank = F.lit(len(order))
    for i, source in reversed(list(enumerate(order))):
        rank = F.when(F.col("source") == source, F.lit(i)).otherwise(rank)
    return rank


def _sort_value(record: Column, name: str, descending: bool, frequency: Column | None) -> Column:
    """A value whose ascending order is the rule's order for ``name`` (timestamps as microseconds)."""
    if name == "frequency":
        assert frequency is not None
        value = frequency.cast("long")
    elif name in ("updated_at", "seen_at"):
        value = F.unix_micros(record[name])
    else:
        value = record[name]
    return -value if descending else value


def golden_record(records: DataFrame, settings: ProfileSettings) -> DataFrame:
    """Every golden attribute of every customer, with lineage; customers without records are absent.

    Args:
        records: person records with ``customer_id``, ``record_key``, ``source``, ``seen_at``,
            ``updated_at`` and every attribute's columns.

    One shuffle for all attributes: each customer's records are gathered into an array, and each attribute's
    winner is the smallest of the candidates' sort keys (built from :data:`RULE_ORDER`).
    """
    fields = sorted({c for columns in ATTRIBUTES.values() for c in columns})
    priorities = {
        attribute: _priority_column(source_order(settings, attribute)).alias(f"_p_{attribute}")
        for attribute in ATTRIBUTES
    }
    gathered = (
        records.select(
            "customer_id",
            F.struct("record_key", "source", "seen_at", "updated_at", *fields, *priorities.values()).alias(
                "r"
            ),
        )
        .groupBy("customer_id")
        .agg(F.collect_list("r").alias("records"))
    )
    result = []
    for attribute, columns in ATTRIBUTES.items():
        rule = settings.survivorship.get(attribute, "source_priority")
        held = F.filter(F.col("records"), _holds(columns[0]))
        winner = F.array_min(F.transform(held, _candidate_key(attribute, rule, held)))["r"]
        result += [winner[c].alias(c) for c in columns]
        result.append(winner["record_key"].alias(f"{attribute}_record_key"))
    return gathered.select("customer_id", *result)


def _holds(column: str) -> Callable[[Column], Column]:
    return lambda r: r[column].isNotNull()


def _candidate_key(attribute: str, rule: str, held: Column) -> Callable[[Column], Column]:
    """The sort key of one candidate record under ``rule``, with the record itself last."""
    columns = ATTRIBUTES[attribute]

    def key(r: Column) -> Column:
        frequency = None
        if rule == "most_frequent":
            value = F.struct(*[r[c] for c in columns])
            same = F.filter(held, lambda o: F.struct(*[o[c] for c in columns]).eqNullSafe(value))
            frequency = F.size(same)
        parts: list[Column] = []
        for name, descending in (*RULE_ORDER[rule], *TIE_BREAK):
            column = f"_p_{attribute}" if name == "priority" else name
            parts.append(_sort_value(r, column, descending, frequency).alias(f"k{len(parts)}"))
        return F.struct(*parts, r.alias("r"))

    return key
