"""Finding one customer's profile by customer id, email or phone (for ``cdp profile show``).

Emails and phones are normalised the way silver normalises them (``normalise``) and looked up among
the person records; the records lead to customers through ``identity_graph``. Reads are Arrow reads of
the few columns needed, so a lookup starts no Spark job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from infra.storage import Lake
from normalise import normalise_email, normalise_phone
from schemas.gold import CUSTOMER_LIFECYCLE_HISTORY, CUSTOMER_PROFILE, staging_name
from schemas.identity import IDENTITY_GRAPH
from schemas.silver import PERSON_RECORDS


@dataclass
class Lookup:
    """What a query found: the matching customers, the first one's profile, records and history."""

    query: str
    customer_ids: list[str] = field(default_factory=list)
    table: str = ""
    profile: dict[str, Any] | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return list(table.to_pylist())


def _read(lake: Lake, name: str, columns: list[str] | None = None) -> pa.Table:
    """A table on the driver with plain strings (Delta reads may return string views)."""
    table = lake.read_arrow(name, columns)
    return table.cast(pa.schema([pa.field(f.name, _plain(f.type)) for f in table.schema]))


def _plain(dtype: pa.DataType) -> pa.DataType:
    if pa.types.is_string_view(dtype):
        return pa.string()
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return pa.list_(_plain(dtype.value_type))
    if pa.types.is_struct(dtype):
        return pa.struct([pa.field(f.name, _plain(f.type)) for f in dtype])
    return dtype


def customers_for(lake: Lake, query: str, *, region: str = "CN") -> list[str]:
    """Customer ids matching a customer id, an email or a phone number, sorted."""
    query = query.strip()
    graph = (
        _read(lake, IDENTITY_GRAPH.name, ["record_key", "customer_id"])
        if lake.exists(IDENTITY_GRAPH.name)
        else None
    )
    if graph is not None and pc.any(pc.equal(graph["customer_id"], query)).as_py():
        return [query]
    if graph is None or not lake.exists(PERSON_RECORDS.name):
        return []
    if "@" in query:
        key = normalise_email(query).match_key
        column = "email_match_key"
    else:
        key = normalise_phone(query, region).e164
        column = "phone"
    if not key:
        return []
    records = _read(lake, PERSON_RECORDS.name, ["record_key", column])
    keys = records.filter(pc.equal(records[column], key))["record_key"]
    matched = graph.filter(pc.is_in(graph["record_key"], value_set=keys))["customer_id"]
    return sorted(set(matched.to_pylist()))


def find(lake: Lake, query: str, *, region: str = "CN", staging: bool = False) -> Lookup:
    """The profile (published, or staged with ``staging``) of the first customer matching ``query``."""
    found = Lookup(query=query, customer_ids=customers_for(lake, query, region=region))
    if not found.customer_ids:
        return found
    customer = found.customer_ids[0]
    name = staging_name(CUSTOMER_PROFILE.name) if staging else CUSTOMER_PROFILE.name
    found.table = name
    if lake.exists(name):
        profiles = _read(lake, name)
        rows = _rows(profiles.filter(pc.equal(profiles["customer_id"], customer)))
        found.profile = rows[0] if rows else None
    graph = _read(lake, IDENTITY_GRAPH.name)
    records = graph.filter(pc.equal(graph["customer_id"], customer))
    found.records = sorted(_rows(records), key=lambda r: r["record_key"])
    history_name = CUSTOMER_LIFECYCLE_HISTORY.name
    if lake.exists(history_name):
        history = _read(lake, history_name)
        found.history = sorted(
            _rows(history.filter(pc.equal(history["customer_id"], customer))), key=lambda r: r["as_of"]
        )
    return found
