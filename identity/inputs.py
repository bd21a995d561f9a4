"""Loading the identity input into DuckDB: person records as matching columns, and identifier links.

All graph work (rules, clustering, ids, evaluation) runs in an embedded DuckDB on the driver: it is fast
and needs no cluster for tens of millions of records. Only Splink scoring moves to Spark when the Splink
back end is set to ``spark``.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa

from infra.settings import Settings
from infra.storage import Lake
from schemas.silver import IDENTITY_LINKS, PERSON_RECORDS

RECORD_COLUMNS = (
    "record_key",
    "source",
    "name_given",
    "name_given_canonical",
    "name_family",
    "name_pinyin_given",
    "name_tokens",
    "birth_date",
    "email_match_key",
    "phone",
    "postcode",
    "city",
    "address_line",
    "house_number",
    "account_id",
    "contact_id",
    "member_id",
    "loyalty_card",
    "record_hash",
)

MATCHING_VIEW = """
create or replace table records as
select
    p.record_key,
    p.source,
    coalesce(p.name_given_canonical, p.name_given) as given,
    p.name_given as given_raw,
    p.name_family as family,
    p.name_pinyin_given is not null as chinese_name,
    -- Every way the given name may be written (identity.rules.name_aliases), as received and canonical.
    case when coalesce(p.name_given_canonical, p.name_given) is not null then list_distinct(list_concat(
        coalesce(c.aliases, [coalesce(p.name_given_canonical, p.name_given)]),
        coalesce(a.aliases, [coalesce(p.name_given, p.name_given_canonical)])
    )) end as given_aliases,
    p.name_tokens,
    p.birth_date as dob,
    p.email_match_key as email,
    nullif(split_part(p.email_match_key, '@', 1), '') as email_user,
    p.phone,
    p.postcode,
    p.city,
    p.address_line,
    p.house_number,
    p.account_id,
    p.contact_id,
    p.member_id,
    p.loyalty_card,
    p.record_hash
from person_records_raw p
left join name_aliases c on c.name = coalesce(p.name_given_canonical, p.name_given)
left join name_aliases a on a.name = p.name_given
order by p.record_key
"""


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB sized by the identity settings, spilling to the work folder."""
    threads = settings.identity.duckdb_threads or os.cpu_count() or 1
    spill = Path(settings.paths.work) / "duckdb"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{settings.identity.duckdb_memory_limit}'")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def load(con: duckdb.DuckDBPyConnection, lake: Lake) -> int:
    """Create ``records`` (matching columns) and ``links`` in DuckDB; returns the record count."""
    create_records(con, lake.read_arrow(PERSON_RECORDS.name, list(RECORD_COLUMNS)))
    links = None
    if lake.exists(IDENTITY_LINKS.name):
        links = lake.read_arrow(IDENTITY_LINKS.name, ["node_a", "node_b", "link_type"])
    create_links(con, links)
    return int(con.execute("select count(*) from records").fetchall()[0][0])


def create_links(con: duckdb.DuckDBPyConnection, links: pa.Table | None = None) -> None:
    """Create ``links`` (node_a, node_b, link_type) from silver's identity links; empty without them."""
    if links is None:
        con.execute("create or replace table links (node_a varchar, node_b varchar, link_type varchar)")
        return
    register(con, "links_raw", links)
    con.execute("create or replace table links as select distinct node_a, node_b, link_type from links_raw")
    con.unregister("links_raw")


def create_records(con: duckdb.DuckDBPyConnection, person_records: pa.Table) -> None:
    """Create ``records``, the matching columns, from ``silver_person_records`` rows (``RECORD_COLUMNS``)."""
    from identity.rules import name_aliases

    register(con, "person_records_raw", person_records)
    register(con, "name_aliases", name_aliases())
    con.execute(MATCHING_VIEW)
    con.unregister("person_records_raw")
    con.unregister("name_aliases")


def materialise(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table, where: str = "true") -> None:
    """Copy an Arrow table (its rows matching ``where``) into the DuckDB table ``name``; the Arrow table
    is not referenced afterwards."""
    con.register("__arrow_in", table)
    try:
        con.execute(f"create or replace table {name} as select * from __arrow_in where {where}")
    finally:
        con.unregister("__arrow_in")


def register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Expose an Arrow table to SQL under ``name`` (no copy)."""
    con.register(name, table)
