"""Deterministic linking: records that share a strong identifier, or are joined by a hard link.

Identifiers are typed values: ``email:<match key>``, ``phone:<E.164>``, ``account:``, ``contact:``,
``member:``, ``card:``; silver's hard links join identifiers seen together in one order, login, till
receipt or survey (``account:A1`` - ``card:622...``, ``account:A1`` - ``device:D9``). A record is
*attached* to the identifiers it holds and to those one hard link away.

Over-merge guards withhold an identifier from linking when it is blocklisted, when more records than
``max_records_per_identifier`` are attached to it (a store's phone, a shared tablet), or when two of its
records are clearly different people (a family email, a household landline). Withheld values are reported,
masked; the records they would have joined are still scored by the probabilistic model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from infra.settings import IdentitySettings

# Given names "differ" when they are written the same way (both pinyin, or both not: a Chinese
# customer's English name is no conflict), neither contains the other (sam / samantha, ting / juanting),
# they share no formal name or nickname (kathy may be katherine or kathleen, steve steven or stephen), an
# unknown name is not one edit from the other's forms (bily / billy for william), and they are far apart
# both as received and with nicknames mapped (bob / robert). Two records are clearly different people when
#  - both birth dates are known and differ by more than a typo or a day/month swap; or
#  - their given names differ and they look like twins (same family name and birth date, given names more
#    than one edit apart and not close by Jaro-Winkler), are far apart (Jaro-Winkler below 0.7), or are
#    two different well-known Western given names after nickname mapping (michael / charles: close by
#    Jaro-Winkler, never a typo), unless given and family are swapped.
# Their contacts differ (``contacts_differ``) when emails and phones are both known and different beyond a
# typo, or when at least two of email, phone and place (city, else postcode) are known on both sides and
# differ while none agrees: people change one contact at a time, namesakes and twins differ in all.
# A model link is ``corroborated`` by a birth date or an email or phone that agrees up to a typo, or by the
# same place (the street line, or postcode with house number or a street line within a typo or two)
# together with a similar given name: household members share an address, and the model, scoring fields
# independently, counts address, postcode and city as three agreements. The guards (``Guards``) drop the
# birth-date and given-name vetoes where the data shows those fields differing among one person's records.
CONFLICT_MACRO = """
create or replace macro differs(a, b) as (damerau_levenshtein(a, b) > 1);
create or replace macro dob_close(d1, d2) as (
    damerau_levenshtein(strftime(d1, '%Y%m%d'), strftime(d2, '%Y%m%d')) <= 1
);
create or replace macro contacts_differ(e1, p1, t1, z1, e2, p2, t2, z2) as coalesce(
    (differs(e1, e2) and differs(p1, p2))
    or (
        coalesce(differs(e1, e2)::int, 0) + coalesce(differs(p1, p2)::int, 0)
            + coalesce(coalesce(t1 <> t2, z1 <> z2)::int, 0) >= 2
        and coalesce(differs(e1, e2), true) and coalesce(differs(p1, p2), true)
        and coalesce(coalesce(t1 <> t2, z1 <> z2), true)
    ),
    false
);
create or replace macro same_place(a1, z1, h1, a2, z2, h2) as coalesce(
    a1 = a2 or (z1 = z2 and h1 = h2) or (z1 = z2 and jaro_winkler_similarity(a1, a2) >= 0.88), false
);
create or replace macro corroborated(g1, f1, d1, e1, p1, a1, z1, h1, g2, f2, d2, e2, p2, a2, z2, h2) as (
    coalesce(dob_close(d1, d2), false)
    or coalesce(not differs(e1, e2), false)
    or coalesce(not differs(p1, p2), false)
    -- Where one person's birth dates often differ wholly, a birth date cannot corroborate and the full
    -- name (with the model's term frequencies behind the score) is the evidence left.
    or (not (select dob_veto from guards) and coalesce(
        jaro_winkler_similarity(g1, g2) >= 0.88 and jaro_winkler_similarity(f1, f2) >= 0.88, false
    ))
    or (
        same_place(a1, z1, h1, a2, z2, h2)
        and (
            coalesce(jaro_winkler_similarity(g1, g2) >= 0.88, false)
            -- Where given names are often written wholly differently by one person, the family name
            -- (or the two swapped) stands in for it.
            or (not (select given_veto from guards) and (
                coalesce(jaro_winkler_similarity(f1, f2) >= 0.88, false)
                or coalesce(jaro_winkler_similarity(g1, f2) >= 0.88, false)
                or coalesce(jaro_winkler_similarity(f1, g2) >= 0.88, false)
            ))
        )
    )
);
create or replace macro typo_of(written, forms) as (
    length(written) >= 3 and written not in (select name from known_given)
    and list_bool_or(list_transform(forms, lambda x: damerau_levenshtein(x, written) <= 1))
);
create or replace macro given_differs(g1, r1, c1, a1, g2, r2, c2, a2) as (
    g1 is not null and g2 is not null and c1 = c2
    and not contains(g1, g2) and not contains(g2, g1)
    and not contains(coalesce(r1, g1), coalesce(r2, g2)) and not contains(coalesce(r2, g2), coalesce(r1, g1))
    and not coalesce(list_has_any(a1, a2), false)
    and not coalesce(not c1 and (typo_of(coalesce(r1, g1), a2) or typo_of(coalesce(r2, g2), a1)), false)
);
create or replace macro conflict(g1, r1, f1, d1, c1, a1, g2, r2, f2, d2, c2, a2) as (
    (
        (select dob_veto from guards)
        and d1 is not null and d2 is not null
        and not dob_close(d1, d2)
        and not (day(d1) = month(d2) and month(d1) = day(d2) and year(d1) = year(d2))
    )
    or (
        (select given_veto from guards)
        and given_differs(g1, r1, c1, a1, g2, r2, c2, a2)
        -- coalesce: with a family name missing the swap test is unknown, which must not veto a conflict
        and not coalesce(g1 = f2 or f1 = g2 or coalesce(r1, g1) = f2 or f1 = coalesce(r2, g2), false)
        and (
            (d1 = d2 and f1 = f2 and damerau_levenshtein(g1, g2) > 1
                and damerau_levenshtein(coalesce(r1, g1), coalesce(r2, g2)) > 1
                -- christooher / chrstopher: two typos of one name, not twins
                and jaro_winkler_similarity(coalesce(r1, g1), coalesce(r2, g2)) < 0.9)
            or greatest(
                jaro_winkler_similarity(g1, g2), jaro_winkler_similarity(coalesce(r1, g1), coalesce(r2, g2))
            ) < 0.7
            or (not c1 and g1 in (select name from known_given) and g2 in (select name from known_given))
        )
    )
)
"""

# Identifier kind -> the ``records`` column holding it.
IDENTIFIER_COLUMNS = {
    "email": "email",
    "phone": "phone",
    "account": "account_id",
    "contact": "contact_id",
    "member": "member_id",
    "card": "loyalty_card",
}

IDENTIFIERS = "create or replace table identifiers as\n" + "\nunion all ".join(
    f"select record_key, '{kind}:' || {column} as node from records where {column} is not null"
    for kind, column in IDENTIFIER_COLUMNS.items()
)

ATTACHED = """
create or replace table attached as
select node, record_key, split_part(node, ':', 1) as rule from identifiers
union
select l.node_a, i.record_key, l.link_type from links l join identifiers i on i.node = l.node_b
union
select l.node_b, i.record_key, l.link_type from links l join identifiers i on i.node = l.node_a
"""


@dataclass(frozen=True)
class Guards:
    """Which differences prove two records are different people, in the data at hand.

    In some data a person's birth date or given name is written wholly differently now and then (a
    form filled in by someone else, a swapped field); there, such a difference is no proof, and the
    trained model says how often it happens among matches (``identity.matching.TrainedModel.guards``).
    """

    dob_veto: bool = True
    given_veto: bool = True


def create_conflict_macro(con: duckdb.DuckDBPyConnection, guards: Guards = Guards()) -> None:
    """Create the ``conflict``, ``contacts_differ`` and ``corroborated`` macros and the known-names table."""
    from normalise.data.western_names import WESTERN_GIVEN_NAMES

    names = sorted({name.lower() for name in WESTERN_GIVEN_NAMES})
    con.execute("create or replace table known_given as select unnest($1::varchar[]) as name", [names])
    con.execute(
        "create or replace table guards as select $1::boolean as dob_veto, $2::boolean as given_veto",
        [guards.dob_veto, guards.given_veto],
    )
    con.execute(CONFLICT_MACRO)


def name_aliases() -> pa.Table:
    """Every Western given name the nickname lists know, with all the names it may be written as.

    ``kathy`` lists katherine, catherine, kathleen, kathryn and all their nicknames; ``kathleen`` lists
    itself and its nicknames (kathy, kate, ...). Two given names sharing an entry may be one person.
    """
    from normalise.data.nicknames import NICKNAMES, OTHER_FORMAL_NAMES

    formals: dict[str, set[str]] = {}
    for nickname, formal in NICKNAMES.items():
        formals.setdefault(nickname, set()).add(formal)
    for nickname, others in OTHER_FORMAL_NAMES.items():
        formals.setdefault(nickname, set()).update(others)
    written: dict[str, set[str]] = {}  # formal name -> itself and its nicknames
    for nickname, meanings in formals.items():
        for formal in meanings:
            written.setdefault(formal, {formal}).add(nickname)
    names = sorted(set(formals) | set(written))
    aliases = [
        sorted({name}.union(*(written.get(f, {f}) for f in formals.get(name, set()) | {name})))
        for name in names
    ]
    return pa.table({"name": names, "aliases": aliases})


def link(
    con: duckdb.DuckDBPyConnection, settings: IdentitySettings, guards: Guards = Guards()
) -> tuple[int, int]:
    """Build ``rule_pairs`` (record_key_l, record_key_r, rule) and ``withheld`` in DuckDB.

    Returns:
        (number of rule pairs, number of withheld identifier values).
    """
    create_conflict_macro(con, guards)
    con.execute(IDENTIFIERS)
    con.execute(ATTACHED)
    blocked = [f"email:{e.strip().lower()}" for e in settings.blocked_emails]
    blocked += [f"phone:{p.strip()}" for p in settings.blocked_phones]
    con.execute("create or replace table blocked as select unnest($1::varchar[]) as node", [blocked])
    con.execute(
        """
        create or replace table node_sizes as
        select node, count(distinct record_key) as records from attached group by node
        """
    )
    con.execute(
        """
        create or replace table candidate_pairs as
        select a.node, a.record_key as record_key_l, b.record_key as record_key_r,
               a.rule as rule_l, b.rule as rule_r
        from attached a
        join attached b on a.node = b.node and a.record_key < b.record_key
        join node_sizes s on s.node = a.node
        where s.records <= $max_records and a.node not in (select node from blocked)
        """,
        {"max_records": settings.max_records_per_identifier},
    )
    con.execute(
        """
        create or replace table conflicting_nodes as
        select distinct p.node
        from candidate_pairs p
        join records l on l.record_key = p.record_key_l
        join records r on r.record_key = p.record_key_r
        where conflict(
            l.given, l.given_raw, l.family, l.dob, l.chinese_name, l.given_aliases,
            r.given, r.given_raw, r.family, r.dob, r.chinese_name, r.given_aliases
        )
        """
    )
    _linked_conflicts(con, settings)
    con.execute(
        """
        create or replace table withheld as
        select s.node, s.records, 'blocklist' as reason
        from node_sizes s where s.node in (select node from blocked)
        union all
        select s.node, s.records, 'too_many_records' from node_sizes s
        where s.records > $max_records and s.node not in (select node from blocked)
        union all
        select s.node, s.records, 'different_people' from node_sizes s
        where s.node in (select node from conflicting_nodes)
        union all
        select s.node, s.records, 'different_people_linked' from node_sizes s
        where s.node in (select node from linked_conflicts)
        """,
        {"max_records": settings.max_records_per_identifier},
    )
    con.execute(
        """
        create or replace table rule_pairs as
        select record_key_l, record_key_r,
               list_aggregate(list_sort(list_distinct(list(
                   case
                       when rule_l = rule_r then rule_l
                       else split_part(node, ':', 1) || ' via ' || greatest(rule_l, rule_r)
                   end
               ))), 'string_agg', ', ') as rule
        from candidate_pairs
        where node not in (select node from conflicting_nodes)
          and node not in (select node from linked_conflicts)
        group by record_key_l, record_key_r
        """
    )
    for scratch in ("candidate_pairs", "cooccur", "reached", "identifiers", "node_sizes"):
        con.execute(f"drop table if exists {scratch}")  # millions of rows at scale, needed no more
    pairs = con.execute("select count(*) from rule_pairs").fetchall()[0][0]
    withheld = con.execute("select count(*) from withheld").fetchall()[0][0]
    return int(pairs), int(withheld)


def _linked_conflicts(con: duckdb.DuckDBPyConnection, settings: IdentitySettings) -> None:
    """Fill ``linked_conflicts``: values whose records are each tied to a different person.

    A value two people share is often only visible one step away: a family email sits on the father's
    guest order next to his phone and on the mother's CRM contact next to hers, and neither order names
    anyone. Each other identifier on the value's records leads to records that do not hold the value
    (the father's, through his phone; the mother's, through hers). When two such identifiers lead to
    records that are clearly different people, the value is withheld. The identifiers on either side are
    not: each leads to one person only, the value being the one that bridges them.
    """
    con.execute(
        """
        create or replace table cooccur as
        select distinct a.node, b.node as other
        from attached a join attached b on a.record_key = b.record_key and a.node <> b.node
        join node_sizes s on s.node = b.node
        join node_sizes v on v.node = a.node
        -- A value on one record bridges nothing, and neither does an identifier only that record holds.
        where s.records between 2 and $max_records and v.records >= 2
          and a.node not in (select node from conflicting_nodes)
          and b.node not in (select node from conflicting_nodes)
          and a.node not in (select node from blocked) and b.node not in (select node from blocked)
        """,
        {"max_records": settings.max_records_per_identifier},
    )
    con.execute(
        """
        create or replace table reached as
        select c.node, c.other, a.record_key
        from cooccur c join attached a on a.node = c.other
        anti join attached x on x.node = c.node and x.record_key = a.record_key
        where a.record_key in (select record_key from records where given is not null or dob is not null)
        """
    )
    con.execute(
        """
        create or replace table linked_conflicts as
        select distinct e.node
        from reached e join reached f on e.node = f.node and e.other < f.other
        join records l on l.record_key = e.record_key
        join records r on r.record_key = f.record_key
        where e.record_key <> f.record_key and conflict(
            l.given, l.given_raw, l.family, l.dob, l.chinese_name, l.given_aliases,
            r.given, r.given_raw, r.family, r.dob, r.chinese_name, r.given_aliases
        )
        """
    )


def withheld_report(con: duckdb.DuckDBPyConnection, run_id: str) -> pa.Table:
    """The withheld identifier values, masked, with how many records and names they touch."""
    rows = con.execute(
        """
        select w.node, w.records, w.reason,
               count(distinct r.given || ' ' || coalesce(r.family, '')) as distinct_names
        from withheld w
        left join attached a on a.node = w.node
        left join records r on r.record_key = a.record_key
        group by all
        order by w.node
        """
    ).fetchall()
    kinds, masked, hashes, records, names, reasons = [], [], [], [], [], []
    for node, count, reason, distinct_names in rows:
        kind, _, value = node.partition(":")
        kinds.append(kind)
        masked.append(mask(value))
        hashes.append(hashlib.sha256(value.encode("utf-8")).hexdigest())
        records.append(int(count))
        names.append(int(distinct_names or 0))
        reasons.append(reason)
    return pa.table(
        {
            "identifier_type": pa.array(kinds, pa.string()),
            "value_masked": pa.array(masked, pa.string()),
            "value_hash": pa.array(hashes, pa.string()),
            "records": pa.array(records, pa.int64()),
            "distinct_names": pa.array(names, pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "run_id": pa.array([run_id] * len(rows), pa.string()),
        }
    )


def mask(value: str) -> str:
    """Show only the edges of a value: ``j***@g***.com``, ``+86*******8000``.

    Example:
        >>> mask("john.smith@gmail.com"), mask("+8613800138000")
        ('j*********@g****.com', '+86*******8000')
    """
    if "@" in value:
        user, _, domain = value.partition("@")
        head, dot, tld = domain.rpartition(".")
        shown_domain = f"{head[:1]}{'*' * (len(head) - 1)}{dot}{tld}" if dot else domain[:1] + "***"
        return f"{user[:1]}{'*' * (len(user) - 1)}@{shown_domain}"
    if len(value) <= 6:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
