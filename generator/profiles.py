"""Generator profiles: the same people and histories, carried by the channels in other shapes.

The default profile is what the platform grew up on: every channel with names, birth dates, addresses,
emails and phones, with typos and variants. The others change which fields the channels carry (and who
the people are), so identity and ingestion are tested on data shaped unlike the default:

- ``sparse``: no email or phone anywhere, as in a bank's or an older retailer's CRM: names, birth dates
  and addresses (plus account, member and card ids) are all there is. Channels that exist only through
  an email (email engagement) stay empty.
- ``contacts``: emails and phones everywhere, but names on one row in five, as in a newsletter list or
  a web shop that never asked.
- ``cjk``: Chinese people only, their names written in Hanzi or pinyin as each system writes them.

A profile's rows are a subset of the default's fields; truth and hard negatives stay exact.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from schemas.core import Column, LandingContract

NAME_COLUMNS = frozenset({"first_name", "last_name", "full_name", "requester_name"})


@dataclass(frozen=True)
class Profile:
    """What a profile changes: the share of rows keeping contacts and names, and the country mix."""

    name: str
    description: str
    contacts: float = 1.0
    names: float = 1.0
    countries: tuple[tuple[str, float], ...] | None = None

    @property
    def reshapes_rows(self) -> bool:
        """Whether rows lose fields (the default keeps every row as made, drawing no random numbers)."""
        return self.contacts < 1.0 or self.names < 1.0

    def shape(
        self, contract: LandingContract, values: Mapping[str, Any], rng: random.Random
    ) -> dict[str, Any] | None:
        """The row's values as this profile's channels carry them; None when the row cannot exist: a
        required column would be empty, or every column the feed identifies people by (an email
        engagement event without its email)."""
        keep = {"contact": rng.random() < self.contacts, "name": rng.random() < self.names}
        shaped = dict(values)
        for column in contract.columns:
            kind = column_kind(column)
            if kind is None or keep[kind] or shaped.get(column.name) is None:
                continue
            if column.required:
                return None
            shaped[column.name] = None
        identifying = [c for c in contract.identifies_by if c in contract.column_names]
        had = any(values.get(c) is not None for c in identifying)
        if had and all(shaped.get(c) is None for c in identifying):
            return None
        return shaped


def column_kind(column: Column) -> str | None:
    """``contact`` for email and phone columns, ``name`` for person names, else None."""
    if column.fmt == "email" or column.name.endswith(("email", "phone")):
        return "contact"
    if column.name in NAME_COLUMNS:
        return "name"
    return None


PROFILES: Mapping[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "default",
            "every channel with names, birth dates, addresses, emails and phones, typos and variants",
        ),
        Profile("sparse", "names, birth dates and addresses; no email or phone anywhere", contacts=0.0),
        Profile("contacts", "emails and phones everywhere; names on one row in five", names=0.2),
        Profile(
            "cjk",
            "Chinese people only, names in Hanzi or pinyin as each system writes them",
            countries=(("CN", 1.0),),
        ),
    )
}
