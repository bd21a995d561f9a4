"""Persistent customer ids: carry ids over from the previous resolution so downstream tools can keep them.

Rules, applied to the new clustering against the previous record -> id assignment:

- a cluster whose records held one id keeps it, so a rerun gives identical ids;
- an old id whose records now sit in several clusters stays with the cluster holding most of them (ties:
  the cluster with the smallest record key); the other parts are splits and get new ids;
- a cluster holding the records of several old ids keeps the oldest of them; the others are tombstoned
  as ``merged`` into it;
- an old id none of whose records remain is tombstoned as ``erased``;
- a new id is derived from the smallest record key of its cluster, so even a rebuild from an empty lake
  gives unchanged clusters the same ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IssuedId:
    """An id in the registry."""

    customer_id: str
    created_at: dt.datetime
    status: str = "active"


@dataclass(frozen=True)
class Change:
    """One change of an id, for ``identity_changes``."""

    change_type: str
    customer_id: str
    related_customer_id: str | None
    record_count: int
    reason: str


@dataclass
class Assignment:
    """The outcome: record -> id, the changes, and the registry updates."""

    ids: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)
    erased: list[str] = field(default_factory=list)


def new_id(record_key: str, taken: set[str]) -> str:
    """A deterministic id for a cluster founded by ``record_key``, avoiding ids ever issued."""
    salt = 0
    while True:
        text = record_key if salt == 0 else f"{record_key}#{salt}"
        candidate = "cus_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        if candidate not in taken:
            return candidate
        salt += 1


def assign_ids(
    clusters: Mapping[str, int],
    previous: Mapping[str, str],
    registry: Mapping[str, IssuedId],
    reasons: Mapping[int, str] | None = None,
) -> Assignment:
    """Give every cluster a customer id, reusing previous ids where the rules above allow.

    Args:
        clusters: record key -> cluster number of the new clustering.
        previous: record key -> customer id of the previous resolution (empty on the first run).
        registry: every id ever issued, with when it was created (to find the oldest).
        reasons: optional cluster -> why it formed (e.g. "records linked by email"), for change reasons.

    Example:
        >>> result = assign_ids({"a": 1, "b": 1}, {}, {})
        >>> len(set(result.ids.values())), result.changes[0].change_type
        (1, 'new')
    """
    reasons = reasons or {}
    members: dict[int, list[str]] = defaultdict(list)
    for record, cluster in clusters.items():
        members[cluster].append(record)
    for records in members.values():
        records.sort()
    # Which new clusters each old id's surviving records went to.
    spread: dict[str, Counter[int]] = defaultdict(Counter)
    for record, old in previous.items():
        if record in clusters:
            spread[old][clusters[record]] += 1
    home: dict[str, int] = {}
    for old, counts in spread.items():
        home[old] = min(counts, key=lambda c: (-counts[c], members[c][0]))
    claimed: dict[int, list[str]] = defaultdict(list)
    for old, cluster in home.items():
        claimed[cluster].append(old)

    def age(customer_id: str) -> tuple[dt.datetime, str]:
        issued = registry.get(customer_id)
        return (issued.created_at if issued else dt.datetime.max.replace(tzinfo=dt.UTC), customer_id)

    result = Assignment()
    taken = set(registry)
    for cluster in sorted(members, key=lambda c: members[c][0]):
        records = members[cluster]
        owners = sorted(claimed.get(cluster, []), key=age)
        if owners:
            survivor = owners[0]
            for loser in owners[1:]:
                result.merged[loser] = survivor
                result.changes.append(
                    Change(
                        "merge",
                        loser,
                        survivor,
                        spread[loser][cluster],
                        reasons.get(cluster, "records linked"),
                    )
                )
        else:
            survivor = new_id(records[0], taken)
            taken.add(survivor)
            result.created.append(survivor)
            split_from = _split_source(records, previous)
            if split_from is not None:
                result.changes.append(
                    Change(
                        "split", survivor, split_from, len(records), "cluster split: records no longer linked"
                    )
                )
            else:
                result.changes.append(
                    Change("new", survivor, None, len(records), reasons.get(cluster, "new records"))
                )
        for record in records:
            result.ids[record] = survivor
    previous_sizes = Counter(previous.values())  # counted once: erasing many ids must stay linear
    for old in sorted(set(previous_sizes) - set(home)):
        count = previous_sizes[old]
        result.erased.append(old)
        result.changes.append(Change("erased", old, None, count, "all records of the customer were removed"))
    return result


def _split_source(records: list[str], previous: Mapping[str, str]) -> str | None:
    """The old id most of these records had, when they had one (the cluster broke away from it)."""
    olds = Counter(previous[r] for r in records if r in previous)
    if not olds:
        return None
    return min(olds, key=lambda o: (-olds[o], o))
