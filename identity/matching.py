"""The probabilistic matching model: Splink settings, training and scoring, on DuckDB or Spark.

One model definition serves both back ends. A trained model is stored as our own small JSON (the m and u
probabilities per comparison level, plus Splink's own JSON for reference) and loaded by rebuilding the
settings in Python and copying the probabilities in: Splink's JSON embeds back-end-specific SQL, so it does
not move between DuckDB and Spark by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from infra.settings import IdentitySettings

log = logging.getLogger(__name__)

UNIQUE_ID = "record_key"
# The columns Splink sees, derived from silver_person_records by identity.records.
MATCH_COLUMNS = (
    "given",
    "family",
    "name_tokens",
    "dob",
    "email",
    "email_user",
    "phone",
    "postcode",
    "city",
    "address_line",
    "house_number",
)


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    """How two records are compared, field by field."""
    return [
        cl.NameComparison("given").configure(term_frequency_adjustments=True),
        cl.NameComparison("family").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=False),
        # Not Splink's EmailComparison: its Jaro-Winkler level scores liu_y5885@163.com against
        # liu_y7718@163.com as a near match, and generated usernames (name + digits) make such pairs
        # common between different people. One edit apart is a typo; a different number is not.
        cl.CustomComparison(
            output_column_name="email",
            comparison_description="Email match key",
            comparison_levels=[
                cll.NullLevel("email"),
                cll.ExactMatchLevel("email").configure(tf_adjustment_column="email"),
                cll.DamerauLevenshteinLevel("email", 1),
                cll.ExactMatchLevel("email_user"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="phone",
            comparison_description="Phone in E.164",
            comparison_levels=[
                cll.NullLevel("phone"),
                cll.ExactMatchLevel("phone").configure(tf_adjustment_column="phone"),
                cll.DamerauLevenshteinLevel("phone", 1),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="postcode",
            comparison_description="Postcode, then its first three characters",
            comparison_levels=[
                cll.NullLevel("postcode"),
                cll.ExactMatchLevel("postcode"),
                cll.CustomLevel(
                    "substr(postcode_l, 1, 3) = substr(postcode_r, 1, 3)",
                    label_for_charts="Same postcode area",
                ),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="address_line",
            comparison_description="Street line",
            comparison_levels=[
                cll.NullLevel("address_line"),
                cll.ExactMatchLevel("address_line"),
                cll.JaroWinklerLevel("address_line", 0.9),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
    ]


def prediction_rules() -> list[BlockingRuleCreator]:
    """Which pairs are scored at all: chosen for recall (see ``cdp identity evaluate``, blocking recall).

    A full name alone is not a block: common names (wang wei, james smith) put hundreds of records in one
    block, and its pairs grow with the square of the data. A model link must be corroborated anyway
    (``identity.rules``: a birth date or an email or phone within one edit, or the same address), so a
    shared name is blocked together with each way such evidence can show: the same city (address), the
    same birth year or the same day of the year (a one-digit birth-date typo keeps one of the two), the
    same end of the email's user part (a typo before it; ``email_user`` covers a changed domain: the
    domain itself, shared by millions, would make blocks as large as the name's), and the same first or
    last part of the phone (a one-digit typo keeps one of them).
    """
    name = ("given", "family")
    return [
        block_on("email"),
        block_on("phone"),
        block_on(*name, "city"),
        block_on(*name, "year(dob)"),
        block_on(*name, "month(dob)", "day(dob)"),
        block_on(*name, "right(email_user, 4)"),
        block_on(*name, "substr(phone, 1, 8)"),
        block_on(*name, "substr(phone, 9)"),
        block_on("family", "dob"),
        block_on("given", "dob"),
        block_on("email_user"),
        block_on("postcode", "family"),
        block_on("postcode", "house_number"),
        # Given and family swapped (an order-independent key), with the birth date to keep it selective.
        block_on("name_tokens", "dob"),
    ]


def em_rules() -> list[BlockingRuleCreator]:
    """The blocks expectation maximisation trains on: each comparison is outside at least one of them.

    Family name with birth date keeps the second session small at any scale (a full-name block grows with
    the square of the commonest names) while it still holds namesakes and relatives, the non-matches
    that teach the contact comparisons.
    """
    return [block_on("email"), block_on("family", "dob")]


def settings_creator(*, retain_columns: bool = True) -> SettingsCreator:
    """The Splink settings of the model, untrained.

    ``retain_columns`` keeps the matching columns and per-comparison levels in predictions, which the
    waterfall charts and ``cdp identity explain`` need; bulk scoring does without them.
    """
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=[*prediction_rules()],
        retain_intermediate_calculation_columns=retain_columns,
        retain_matching_columns=retain_columns,
    )


@dataclass(frozen=True)
class TrainedModel:
    """A trained model: lambda and the m/u probabilities of every comparison level."""

    version: str
    trained_at: str
    records: int
    probability_two_random_records_match: float
    levels: dict[str, list[dict[str, Any]]]
    splink_json: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The model as JSON-able data."""
        return {
            "version": self.version,
            "trained_at": self.trained_at,
            "records": self.records,
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "levels": self.levels,
            "splink": self.splink_json,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainedModel:
        """Read a model written by :meth:`to_json`."""
        return cls(
            version=str(data["version"]),
            trained_at=str(data["trained_at"]),
            records=int(data["records"]),
            probability_two_random_records_match=float(data["probability_two_random_records_match"]),
            levels={k: list(v) for k, v in data["levels"].items()},
            splink_json=dict(data.get("splink") or {}),
        )

    def settings(self, *, retain_columns: bool = True) -> SettingsCreator:
        """Settings with the trained probabilities, buildable on any back end."""
        creator = settings_creator(retain_columns=retain_columns)
        creator.probability_two_random_records_match = self.probability_two_random_records_match
        for comparison in creator.comparisons:
            assert isinstance(comparison, ComparisonCreator)
            name = comparison.create_output_column_name() or ""
            levels = self.levels.get(name)
            if not levels:
                raise ValueError(f"Model {self.version} has no trained levels for comparison {name!r}")
            comparison.configure(
                m_probabilities=[lv["m_probability"] for lv in levels],
                u_probabilities=[lv["u_probability"] for lv in levels],
            )
        return creator


def train(records: Any, settings: IdentitySettings, version: str, record_count: int) -> TrainedModel:
    """Train the model on registered records (a Splink data frame of the matching columns).

    Lambda comes from deterministic rules (same email, same phone), u from random sampling and m from
    expectation maximisation over the blocks of ``em_rules``, so each comparison is estimated at least once.
    """
    linker = Linker(records, settings_creator(), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match([block_on("email"), block_on("phone")], recall=0.8)
    training.estimate_u_using_random_sampling(max_pairs=settings.u_max_pairs, seed=1)
    for rule in em_rules():
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=settings.em_max_pairs, estimate_without_term_frequencies=True
            )
        except ValueError as exc:
            # Splink refuses an m probability of exactly 0 (a level never seen among matches in this
            # block); the other session still trains those comparisons.
            log.warning("EM on %s skipped: %s", rule, exc)
    model_json = linker.misc.save_model_to_json()
    return TrainedModel(
        version=version,
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        records=record_count,
        probability_two_random_records_match=float(model_json["probability_two_random_records_match"]),
        levels=_levels(model_json),
        splink_json=model_json,
    )


def _levels(model_json: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for comparison in model_json["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            levels.append(
                {
                    "label": level.get("label_for_charts", ""),
                    "m_probability": level.get("m_probability"),
                    "u_probability": level.get("u_probability"),
                }
            )
        result[comparison["output_column_name"]] = levels
    return result


def linker_for(records: Any, model: TrainedModel, *, retain_columns: bool = True) -> Linker:
    """A linker over registered records that scores with ``model`` (see ``settings_creator``)."""
    return Linker(records, model.settings(retain_columns=retain_columns), log_level=logging.WARNING)


def score(linker: Linker, threshold: float, existing: Any | None = None, new: Any | None = None) -> list[Any]:
    """Scored pairs at or above ``threshold`` as Splink data frames.

    With ``existing`` and ``new`` (registered subsets of the linker's records) only pairs touching a new
    record are scored: new against existing through the blocking rules, and new against new.
    """
    if new is None:
        return [linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")]
    for column in TF_COLUMNS:
        linker.table_management.compute_tf_table(column)
    within = linker.inference.predict_within(new, threshold_match_probability=threshold, warning_mode="never")
    if existing is None:
        return [within]
    between = linker.inference.predict_between(
        existing, new, threshold_match_probability=threshold, warning_mode="never"
    )
    return [between, within]


# Term-frequency columns the model uses (EmailComparison adjusts on the email by itself).
TF_COLUMNS: Sequence[str] = ("given", "family", "email", "phone", "city")
