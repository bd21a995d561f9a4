"""What the records hold, and the training plan it calls for.

A CRM export may carry names, birth dates and addresses but no emails or phones; a newsletter list emails
and little else. The model is built from what the data holds: a field enters the model when enough records
carry it with more than one value (:class:`FieldProfile`), and :func:`plan` chooses from those fields

- the comparisons (one per usable field; a comparison for an absent field would learn nothing);
- the deterministic rules that estimate lambda, the prior chance that two records match: exact contacts
  when the data has them, else the full name with the birth date, else weaker combinations;
- the blocks expectation maximisation trains on: every comparison is estimated at least once, in a block
  that does not use its own field and that produces pairs;
- the blocks that decide which pairs are scored at all.

Every choice is made in SQL over the ``records`` table in DuckDB, before Splink sees the data, so a subset
of fields that cannot be trained on stops with a message naming what is missing, never with Splink's
own exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from infra.errors import UserFacingError

log = logging.getLogger(__name__)
Block = tuple[str, ...]  # SQL expressions over a record's matching columns, all equal on both sides

# Comparison name -> the matching columns it reads (the first one decides whether it is usable).
COMPARISON_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "given": ("given",),
    "family": ("family",),
    "dob": ("dob",),
    "email": ("email", "email_user"),
    "phone": ("phone",),
    "postcode": ("postcode",),
    "address_line": ("address_line",),
    "city": ("city",),
}
MATCHING_COLUMNS = (
    "given", "family", "name_tokens", "dob", "email", "email_user", "phone",
    "postcode", "city", "address_line", "house_number",
)  # fmt: skip

# A field is used when at least this share of the records hold it (and at least MIN_HOLDING of them).
MIN_SHARE = 0.01
MIN_HOLDING = 10
# A training block must produce at least this many pairs to teach anything.
MIN_BLOCK_PAIRS = 10

_NAME = ("given", "family")
# Lambda: the deterministic rules, strongest first, with the share of true matches they are taken to
# find. Exact contacts find most (one person, one email, typos aside); a full name with the birth date
# misses every pair with a typo in any of the three.
LAMBDA_RULES: tuple[tuple[tuple[Block, ...], float], ...] = (
    ((("email",), ("phone",)), 0.8),
    (((*_NAME, "dob"),), 0.6),
    (((*_NAME, "postcode"), (*_NAME, "address_line")), 0.6),
    ((("family", "dob", "postcode"),), 0.5),
    (((*_NAME, "city"),), 0.5),
    ((("dob", "postcode"), ("dob", "address_line")), 0.5),
)
# Expectation maximisation: candidate blocks in order of preference. Family name with birth date keeps a
# block small at any scale and holds namesakes and relatives, the non-matches that teach the contacts.
EM_CANDIDATES: tuple[Block, ...] = (
    ("email",),
    ("family", "dob"),
    ("phone",),
    ("given", "dob"),
    (*_NAME,),
    ("dob", "postcode"),
    ("family", "postcode"),
    ("given", "postcode"),
    ("dob",),
    ("postcode",),
)
# Prediction: which pairs are scored. A full name alone is not a block (common names put hundreds of
# records in one); a shared name is blocked together with each way corroborating evidence can show: the
# same city, birth year or day of the year (a one-digit birth-date typo keeps one of the two), the same end
# of the email's user part, the same first or last part of the phone.
PREDICTION_BLOCKS: tuple[Block, ...] = (
    ("email",),
    ("phone",),
    (*_NAME, "city"),
    (*_NAME, "year(dob)"),
    (*_NAME, "month(dob)", "day(dob)"),
    (*_NAME, "right(email_user, 4)"),
    (*_NAME, "substr(phone, 1, 8)"),
    (*_NAME, "substr(phone, 9)"),
    ("family", "dob"),
    ("given", "dob"),
    ("email_user",),
    ("postcode", "family"),
    ("postcode", "house_number"),
    # Given and family swapped (an order-independent key), with the birth date to keep it selective.
    ("name_tokens", "dob"),
)
# When most records have neither email nor phone, a typo in a name or the birth date is no longer caught
# by a contact block: place and birth date together carry that recall instead.
SPARSE_BLOCKS: tuple[Block, ...] = (
    ("given", "postcode"),
    ("dob", "postcode"),
    ("dob", "house_number"),
    ("dob", "city"),
)
# Probes for the blocking recall a model expects: single fields whose blocks stay under this many pairs
# per record. Far broader than the prediction blocks, they still hold the pairs a typo hides from them.
PROBE_COLUMNS = ("dob", "postcode", "address_line", "family", "given", "email_user", "phone", "city")
PROBE_MAX_PAIRS_PER_RECORD = 50
# Below this share of records with an email or a phone, the data counts as sparse in contacts.
CONTACT_SHARE_FOR_CONTACT_BLOCKS = 0.5


class IdentityTrainingError(UserFacingError):
    """The records do not hold the fields a matching model can be trained on."""


def block_columns(block: Block) -> set[str]:
    """The matching columns a block's expressions read."""
    words = set(re.findall(r"[a-z_]+", " ".join(block)))
    return words & set(MATCHING_COLUMNS)


@dataclass(frozen=True)
class FieldProfile:
    """How many records hold each matching column, and how many distinct values it has."""

    records: int
    holding: Mapping[str, int]
    distinct: Mapping[str, int]

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection, table: str = "records") -> FieldProfile:
        """Profile ``table`` (the matching columns of ``identity.inputs``) in one scan."""
        parts = ["count(*)"]
        for column in MATCHING_COLUMNS:
            parts += [f'count("{column}")', f'approx_count_distinct("{column}")']
        row = con.execute(f"select {', '.join(parts)} from {table}").fetchall()[0]
        holding = {c: int(row[1 + 2 * i]) for i, c in enumerate(MATCHING_COLUMNS)}
        distinct = {c: int(row[2 + 2 * i]) for i, c in enumerate(MATCHING_COLUMNS)}
        return cls(int(row[0]), holding, distinct)

    def share(self, column: str) -> float:
        """The share of records holding a value of ``column``."""
        return self.holding.get(column, 0) / self.records if self.records else 0.0

    def usable(self, column: str) -> bool:
        """True when enough records hold the column, with more than one value, for it to tell anything."""
        held = self.holding.get(column, 0)
        return held >= max(MIN_HOLDING, MIN_SHARE * self.records) and self.distinct.get(column, 0) >= 2

    def usable_block(self, block: Block) -> bool:
        """True when every column the block reads is usable."""
        return all(self.usable(c) for c in block_columns(block))

    def to_json(self) -> dict[str, Any]:
        """The profile as JSON-able data (shares rounded)."""
        return {
            "records": self.records,
            "share": {c: round(self.share(c), 4) for c in MATCHING_COLUMNS},
            "distinct": dict(self.distinct),
        }


@dataclass(frozen=True)
class TrainingPlan:
    """The fields and blocks a model is trained and scored with (see the module docstring)."""

    fields: tuple[str, ...]
    lambda_rules: tuple[Block, ...]
    lambda_recall: float
    em_blocks: tuple[Block, ...]
    prediction_blocks: tuple[Block, ...]

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-able data."""
        return {
            "fields": list(self.fields),
            "lambda_rules": [list(b) for b in self.lambda_rules],
            "lambda_recall": self.lambda_recall,
            "em_blocks": [list(b) for b in self.em_blocks],
            "prediction_blocks": [list(b) for b in self.prediction_blocks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrainingPlan:
        """Read a plan written by :meth:`to_json`."""
        return cls(
            fields=tuple(data["fields"]),
            lambda_rules=tuple(tuple(b) for b in data["lambda_rules"]),
            lambda_recall=float(data["lambda_recall"]),
            em_blocks=tuple(tuple(b) for b in data["em_blocks"]),
            prediction_blocks=tuple(tuple(b) for b in data["prediction_blocks"]),
        )


# No probabilistic model: the records' only usable field is an email or a phone, which rules link.
RULES_ONLY = TrainingPlan(fields=(), lambda_rules=(), lambda_recall=0.0, em_blocks=(), prediction_blocks=())
# The plan of models saved before plans were recorded: every field, the contact-era blocks.
DEFAULT_PLAN = TrainingPlan(
    fields=tuple(COMPARISON_COLUMNS),
    lambda_rules=LAMBDA_RULES[0][0],
    lambda_recall=LAMBDA_RULES[0][1],
    em_blocks=(("email",), ("family", "dob")),
    prediction_blocks=PREDICTION_BLOCKS,
)


def block_pairs(con: duckdb.DuckDBPyConnection, block: Block, table: str = "records") -> int:
    """How many record pairs agree on every expression of ``block`` (nulls agree with nothing)."""
    keys = ", ".join(block)
    not_null = " and ".join(f"({e}) is not null" for e in block)
    row = con.execute(
        f"select coalesce(sum(n * (n - 1) // 2), 0) from "
        f"(select count(*) as n from {table} where {not_null} group by {keys})"
    ).fetchall()[0]
    return int(row[0])


def plan(con: duckdb.DuckDBPyConnection, profile: FieldProfile, table: str = "records") -> TrainingPlan:
    """Choose comparisons and blocks for the records in ``table``; see the module docstring.

    Records whose only usable fields are an email or a phone need no model: shared values link them
    (``identity.rules``), and the plan is empty (:data:`RULES_ONLY`).

    Raises:
        IdentityTrainingError: the records hold too little to resolve, with what is missing.
    """
    usable = tuple(n for n, cols in COMPARISON_COLUMNS.items() if profile.usable(cols[0]))
    contacts = [n for n in ("email", "phone") if n in usable]
    if not usable:
        raise IdentityTrainingError(
            f"Identity has no identifying field to resolve on: of {profile.records:,} person records, "
            f"{_describe_usable(profile)}. Map the sources' name, birth date, email, phone or address "
            "columns onto their contracts."
        )
    if set(usable) <= set(_NAME):
        raise IdentityTrainingError(
            f"Identity cannot resolve on names alone: of {profile.records:,} person records, "
            f"{_describe_usable(profile)}. Namesakes would merge; map at least one of birth date, "
            "email, phone, postcode or street address as well."
        )
    if len(usable) < 2:
        if contacts:
            return RULES_ONLY
        raise IdentityTrainingError(
            f"Identity cannot resolve on {usable[0]} alone: of {profile.records:,} person records, "
            f"{_describe_usable(profile)}. Map at least two of name, birth date, email, phone and "
            "address onto the sources' contracts."
        )
    pairs: dict[Block, int] = {}

    def produces(block: Block) -> bool:
        if not profile.usable_block(block):
            return False
        if block not in pairs:
            pairs[block] = block_pairs(con, block, table)
        return pairs[block] >= MIN_BLOCK_PAIRS

    lambda_rules: tuple[Block, ...] = ()
    lambda_recall = 0.0
    for rules, recall in LAMBDA_RULES:
        found = tuple(b for b in rules if produces(b))
        if found:
            lambda_rules, lambda_recall = found, recall
            break
    if not lambda_rules:
        if contacts:
            return RULES_ONLY
        raise IdentityTrainingError(
            f"Identity cannot train a matching model: none of the {profile.records:,} person records "
            "shares a full name with a birth date, postcode, street or city, or a birth date with a "
            "postcode or street, with another record, so there is no example of a match to learn from. "
            "Resolution needs records that repeat people (two sources, or repeat contacts in one)."
        )
    em_blocks, trained = _em_blocks(usable, produces)
    if len(trained) < 2:
        if contacts:
            return RULES_ONLY
        raise IdentityTrainingError(
            "Identity cannot train a matching model: no block of records sharing a value produces pairs "
            "to estimate the comparisons on. The records seem to hold each person once; resolution needs "
            "records that repeat people (two sources, or repeat contacts in one)."
        )
    contact_share = max(profile.share("email"), profile.share("phone"))
    candidates = PREDICTION_BLOCKS
    if contact_share < CONTACT_SHARE_FOR_CONTACT_BLOCKS:
        candidates = (*PREDICTION_BLOCKS, *SPARSE_BLOCKS)
    prediction = tuple(b for b in candidates if profile.usable_block(b))
    return TrainingPlan(trained, lambda_rules, lambda_recall, em_blocks, prediction)


def probe_blocks(
    con: duckdb.DuckDBPyConnection, profile: FieldProfile, table: str = "records"
) -> tuple[Block, ...]:
    """Single-field blocks for measuring a model's expected blocking recall, each kept small enough to
    score (at most ``PROBE_MAX_PAIRS_PER_RECORD`` pairs per record)."""
    cap = max(100_000, PROBE_MAX_PAIRS_PER_RECORD * profile.records)
    return tuple((c,) for c in PROBE_COLUMNS if profile.usable(c) and block_pairs(con, (c,), table) <= cap)


def _em_blocks(fields: Sequence[str], produces: Any) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """Greedy: the preferred producing blocks until every comparison is estimated outside its own block.

    Returns the blocks and the comparisons they estimate (in ``fields`` order); a comparison no block
    can estimate is left out of the model, with a warning.
    """
    untrained = set(fields)
    chosen: list[Block] = []
    for block in EM_CANDIDATES:
        if not untrained:
            break
        used = block_columns(block)
        trains = {f for f in untrained if not used & set(COMPARISON_COLUMNS[f])}
        if trains and produces(block):
            chosen.append(block)
            untrained -= trains
    if untrained:
        log.warning(
            "Identity model leaves out %s: no block of records sharing other values produces pairs to "
            "estimate it on.",
            ", ".join(sorted(untrained)),
        )
    return tuple(chosen), tuple(f for f in fields if f not in untrained)


def _describe_usable(profile: FieldProfile) -> str:
    held = [
        f"{name} on {profile.share(cols[0]):.1%}"
        for name, cols in COMPARISON_COLUMNS.items()
        if profile.holding.get(cols[0], 0)
    ]
    usable = [name for name, cols in COMPARISON_COLUMNS.items() if profile.usable(cols[0])]
    return (
        f"the fields held are {', '.join(held) if held else 'none'}"
        f" and usable {', '.join(usable) if usable else 'none'}"
    )
