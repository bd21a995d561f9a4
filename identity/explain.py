"""``cdp identity explain RECORD_KEY``: why a record belongs to its customer.

Shows the record, its customer and the other records of that customer, every pair the record is part of
(rule links with their identifier, model scores with their probability, and whether a guard cut them),
and for the record's strongest model pair the Splink waterfall: the match weight each field contributed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from identity import inputs, models
from identity.matching import MATCH_COLUMNS, linker_for
from infra.errors import UserFacingError
from infra.settings import Settings
from infra.storage import Lake
from schemas.identity import IDENTITY_GRAPH, IDENTITY_PAIRS


@dataclass
class Explanation:
    """Everything ``explain`` found about one record."""

    record: dict[str, Any]
    customer_id: str
    link_method: str
    members: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    waterfall: list[dict[str, Any]] = field(default_factory=list)
    waterfall_pair: tuple[str, str] | None = None


def explain(settings: Settings, lake: Lake, record_key: str) -> Explanation:
    """Explain how ``record_key`` was resolved (see the module docstring)."""
    if not lake.exists(IDENTITY_GRAPH.name):
        raise UserFacingError("identity_graph does not exist yet: run `cdp identity resolve` first.")
    con = inputs.connect(settings)
    try:
        inputs.load(con, lake)
        inputs.register(con, "graph", lake.read_arrow(IDENTITY_GRAPH.name))
        found = con.execute("select * from records where record_key = ?", [record_key]).fetchall()
        if not found:
            raise UserFacingError(
                f"No person record {record_key!r}. Record keys look like 'crm_contacts:C123' "
                "(feed:source id); see silver_person_records."
            )
        columns = [d[0] for d in con.description or []]
        record = dict(zip(columns, found[0], strict=True))
        (customer_id, method) = con.execute(
            "select customer_id, link_method from graph where record_key = ?", [record_key]
        ).fetchall()[0]
        result = Explanation(record=record, customer_id=customer_id, link_method=method)
        result.members = _rows(
            con,
            """
            select g.record_key, g.source, g.link_method, g.link_rule, g.match_probability
            from graph g where g.customer_id = ? order by g.record_key
            """,
            [customer_id],
        )
        if lake.exists(IDENTITY_PAIRS.name):
            inputs.register(con, "pairs", lake.read_arrow(IDENTITY_PAIRS.name))
            result.pairs = _rows(
                con,
                """
                select case when record_key_l = $key then record_key_r else record_key_l end as other,
                       method, rule, match_weight, match_probability, is_linked
                from pairs where record_key_l = $key or record_key_r = $key
                order by match_probability desc, other
                """,
                {"key": record_key},
            )
        best = next((p for p in result.pairs if p["method"] == "probabilistic"), None)
        model = models.current(settings)
        if best is not None and model is not None:
            result.waterfall_pair = (record_key, best["other"])
            result.waterfall = _waterfall(con, model, record_key, best["other"])
    finally:
        con.close()
    return result


def _rows(con: Any, query: str, params: Any) -> list[dict[str, Any]]:
    rows = con.execute(query, params).fetchall()
    names = [d[0] for d in con.description or []]
    return [dict(zip(names, row, strict=True)) for row in rows]


def _waterfall(con: Any, model: Any, left: str, right: str) -> list[dict[str, Any]]:
    """Match weight per comparison for one pair, scored by the current model."""
    from splink import DuckDBAPI

    api = DuckDBAPI(connection=con)
    linker = linker_for(api.register("records"), model)
    pick = ", ".join([*MATCH_COLUMNS, "record_key"])
    # One-row tables, not dicts: a NULL in a dict loses its column type (NULL dates cannot be compared).
    sides = [
        api.register(con.sql(f"select {pick} from records where record_key = '{key}'").to_arrow_table())
        for key in (left.replace("'", "''"), right.replace("'", "''"))
    ]
    scored = linker.inference.score_pair(sides[0], sides[1]).as_record_list()[0]
    steps = []
    for name in [c.create_output_column_name() for c in model.settings().comparisons]:
        steps.append(
            {
                "comparison": name,
                "left": scored.get(f"{name}_l"),
                "right": scored.get(f"{name}_r"),
                "match_weight": scored.get(f"mw_{name}"),
            }
        )
    steps.append({"comparison": "total", "match_weight": scored.get("match_weight"),
                  "match_probability": scored.get("match_probability")})  # fmt: skip
    return steps
