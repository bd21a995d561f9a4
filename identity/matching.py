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
from dataclasses import dataclass, replace
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from identity.fields import (
    COMPARISON_COLUMNS,
    DEFAULT_PLAN,
    MATCHING_COLUMNS,
    RULES_ONLY,
    Block,
    TrainingPlan,
)
from identity.rules import Guards
from infra.settings import IdentitySettings

log = logging.getLogger(__name__)

UNIQUE_ID = "record_key"
# A difference vetoes a link only when the model saw it in at most this share of matches. Typos and
# swapped day and month stay within the agreeing birth-date levels, so in clean data hardly any match
# has a birth date further apart (1 in 40 allowed); nicknames and transliterations (bob / robert) fall in
# the given name's last level legitimately, so it is allowed twice that (1 in 20).
DOB_VETO_MAX_DISAGREEMENT = 0.025
GIVEN_VETO_MAX_DISAGREEMENT = 0.05
# Levels of the birth-date comparison that a typo or a day/month swap reaches: exact, one edit, a month.
DOB_AGREEING_LEVELS = 3
# Levels of the given-name comparison short of "all other": exact and the three Jaro-Winkler bands.
GIVEN_AGREEING_LEVELS = 4
# The columns Splink sees, derived from silver_person_records by identity.inputs.
MATCH_COLUMNS = MATCHING_COLUMNS


def comparisons(fields: Sequence[str] = tuple(COMPARISON_COLUMNS)) -> list[ComparisonCreator]:
    """How two records are compared, field by field: one comparison per field in ``fields``."""
    every = [
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
    return [c for c in every if c.create_output_column_name() in fields]


def prediction_rules(blocks: Sequence[Block] = DEFAULT_PLAN.prediction_blocks) -> list[BlockingRuleCreator]:
    """Which pairs are scored at all (see ``identity.fields.PREDICTION_BLOCKS`` for the reasoning)."""
    return [block_on(*block) for block in blocks]


def block_conditions(blocks: Sequence[Block]) -> list[str]:
    """Blocks as DuckDB conditions over records ``l`` and ``r``, as Splink writes them."""
    return [str(r.create_blocking_rule_dict("duckdb")["blocking_rule"]) for r in prediction_rules(blocks)]


def settings_creator(plan: TrainingPlan = DEFAULT_PLAN, *, retain_columns: bool = True) -> SettingsCreator:
    """The Splink settings of a model with ``plan``'s fields and prediction blocks, untrained.

    ``retain_columns`` keeps the matching columns and per-comparison levels in predictions, which the
    waterfall charts and ``cdp identity explain`` need; bulk scoring does without them.
    """
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=UNIQUE_ID,
        comparisons=list(comparisons(plan.fields)),
        blocking_rules_to_generate_predictions=[*prediction_rules(plan.prediction_blocks)],
        retain_intermediate_calculation_columns=retain_columns,
        retain_matching_columns=retain_columns,
    )


@dataclass(frozen=True)
class TrainedModel:
    """A trained model: lambda and the m/u probabilities of every comparison level, and its plan.

    ``plan`` names the fields the model compares and the blocks it scores; ``fields_profile`` is what the
    training records held; ``expected_blocking_recall`` the share of the matches the model finds in
    broad probe blocks that its prediction blocks also reach (``identity.fields``).
    """

    version: str
    trained_at: str
    records: int
    probability_two_random_records_match: float
    levels: dict[str, list[dict[str, Any]]]
    splink_json: dict[str, Any]
    plan: TrainingPlan = DEFAULT_PLAN
    fields_profile: dict[str, Any] | None = None
    expected_blocking_recall: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The model as JSON-able data."""
        return {
            "version": self.version,
            "trained_at": self.trained_at,
            "records": self.records,
            "fields": list(self.plan.fields),
            "expected_blocking_recall": self.expected_blocking_recall,
            "probability_two_random_records_match": self.probability_two_random_records_match,
            "levels": self.levels,
            "plan": self.plan.to_json(),
            "fields_profile": self.fields_profile,
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
            plan=TrainingPlan.from_json(data["plan"]) if data.get("plan") else DEFAULT_PLAN,
            fields_profile=data.get("fields_profile"),
            expected_blocking_recall=data.get("expected_blocking_recall"),
        )

    def disagreement(self, comparison: str, agreeing_levels: int) -> float | None:
        """The share of matches whose ``comparison`` falls below its first ``agreeing_levels`` levels
        (the m probability of the rest); None when the model has no such comparison."""
        levels = self.levels.get(comparison) if comparison in self.plan.fields else None
        if not levels:
            return None
        return max(0.0, 1.0 - sum(float(lv["m_probability"] or 0.0) for lv in levels[:agreeing_levels]))

    def guards(self) -> Guards:
        """Which differences veto a link in this data (``identity.rules.Guards``).

        A birth date further apart than a typo, or a wholly different given name, proves two people
        only where the model found it in few of the matches (``DOB_VETO_MAX_DISAGREEMENT``,
        ``GIVEN_VETO_MAX_DISAGREEMENT``).
        """
        dob = self.disagreement("dob", DOB_AGREEING_LEVELS)
        given = self.disagreement("given", GIVEN_AGREEING_LEVELS)
        return Guards(
            dob_veto=dob is None or dob <= DOB_VETO_MAX_DISAGREEMENT,
            given_veto=given is None or given <= GIVEN_VETO_MAX_DISAGREEMENT,
        )

    def with_blocking_recall(self, recall: float | None) -> TrainedModel:
        """This model with its expected blocking recall set."""
        return replace(self, expected_blocking_recall=recall)

    def settings(self, *, retain_columns: bool = True) -> SettingsCreator:
        """Settings with the trained probabilities, buildable on any back end."""
        creator = settings_creator(self.plan, retain_columns=retain_columns)
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


def train(
    records: Any,
    settings: IdentitySettings,
    version: str,
    record_count: int,
    plan: TrainingPlan = DEFAULT_PLAN,
    fields_profile: dict[str, Any] | None = None,
) -> TrainedModel:
    """Train the model on registered records (a Splink data frame of the matching columns).

    Lambda comes from ``plan``'s deterministic rules, u from random sampling and m from expectation
    maximisation over ``plan``'s blocks, chosen so each comparison is estimated at least once
    (``identity.fields.plan``).
    """
    linker = Linker(records, settings_creator(plan), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on(*rule) for rule in plan.lambda_rules], recall=plan.lambda_recall
    )
    training.estimate_u_using_random_sampling(max_pairs=settings.u_max_pairs, seed=1)
    for rule in (block_on(*b) for b in plan.em_blocks):
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
        plan=plan,
        fields_profile=fields_profile,
    )


def rules_only(version: str, record_count: int, fields_profile: dict[str, Any] | None) -> TrainedModel:
    """A model that scores nothing: the records' shared emails or phones link them (``identity.rules``)."""
    return TrainedModel(
        version=version,
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        records=record_count,
        probability_two_random_records_match=0.0,
        levels={},
        splink_json={},
        plan=RULES_ONLY,
        fields_profile=fields_profile,
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


def score(
    linker: Linker,
    model: TrainedModel,
    threshold: float,
    existing: Any | None = None,
    new: Any | None = None,
) -> list[Any]:
    """Scored pairs at or above ``threshold`` as Splink data frames.

    With ``existing`` and ``new`` (registered subsets of the linker's records) only pairs touching a new
    record are scored: new against existing through the blocking rules, and new against new.
    """
    if new is None:
        return [linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")]
    for column in tf_columns(model.plan):
        linker.table_management.compute_tf_table(column)
    within = linker.inference.predict_within(new, threshold_match_probability=threshold, warning_mode="never")
    if existing is None:
        return [within]
    between = linker.inference.predict_between(
        existing, new, threshold_match_probability=threshold, warning_mode="never"
    )
    return [between, within]


# Term-frequency columns of the comparisons (the email comparison adjusts on the email itself).
TF_COLUMNS: Sequence[str] = ("given", "family", "email", "phone", "city")


def tf_columns(plan: TrainingPlan) -> list[str]:
    """The term-frequency columns of the comparisons ``plan`` uses."""
    return [c for c in TF_COLUMNS if c in plan.fields]
