"""Suite generation from the table declarations, without Spark."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from infra.settings import QualitySettings, SettingsError, load_settings
from quality.failures import mask
from quality.gates import redact
from quality.suites import (
    FORMATS,
    RAW_FORMATS,
    Suite,
    layer_suites,
)
from schemas.bronze import BRONZE_TABLES
from schemas.gold import GOLD_TABLES, staging_name
from schemas.identity import IDENTITY_TABLES
from schemas.silver import SILVER_TABLES

AS_OF = dt.date(2025, 2, 3)
Q = QualitySettings()


def suites(layer: str, quality: QualitySettings = Q) -> dict[str, Suite]:
    return {s.name: s for s in layer_suites(layer, quality, AS_OF)}


def test_every_declared_table_gets_a_suite() -> None:
    assert {s.table for s in suites("bronze").values()} == {
        *(t.name for t in BRONZE_TABLES),
        "quarantine",
        "ingest_manifest",
    }
    assert {s.table for s in suites("silver").values()} == {t.name for t in SILVER_TABLES}
    assert {s.table for s in suites("identity").values()} == {t.name for t in IDENTITY_TABLES} | {
        "silver_person_records"
    }
    assert {s.table for s in suites("gold").values()} == {staging_name(t.name) for t in GOLD_TABLES}


@pytest.mark.parametrize("layer", ["bronze", "silver", "identity", "gold"])
def test_rules_are_unique_within_a_suite_and_severities_known(layer: str) -> None:
    for suite in suites(layer).values():
        keys = [c.key for c in suite.checks]
        assert len(keys) == len(set(keys)), suite.name
        assert {c.severity for c in suite.checks} <= {"critical", "warning", "info"}


def test_column_checks_follow_the_declaration() -> None:
    silver = suites("silver")["silver.silver_orders"]
    declared = {c.name: c for c in SILVER_TABLES[4].columns}
    assert SILVER_TABLES[4].name == "silver_orders"
    for name, column in declared.items():
        rule = "timestamp_utc" if type(column.dtype).__name__ == "TimestampType" else "type"
        check = silver.check(rule, name)
        assert check.kwargs == {"column": name, "type_": type(column.dtype).__name__}
        assert check.severity == "critical"
        has_not_null = any(c.key == ("not_null", name) for c in silver.checks)
        assert has_not_null == column.required
    assert silver.check("unique_key", "order_key").expectation == "ExpectColumnValuesToBeUnique"
    status = silver.check("allowed", "status")
    assert status.kwargs["value_set"] == ["completed", "cancelled", "refunded", "partially_refunded"]
    assert "mostly" not in status.kwargs and status.severity == "critical"
    assert silver.check("range", "total_amount").kwargs == {
        "column": "total_amount",
        "min_value": 0,
        "max_value": None,
    }
    refund = silver.check("refund_not_above_total", "total_amount,refund_amount")
    assert refund.kwargs["column_A"] == "total_amount" and refund.kwargs["or_equal"] is True
    assert silver.check("net_not_negative", "net_amount").kwargs["min_value"] == 0


def test_bronze_tolerates_a_few_bad_raw_values_but_not_a_broken_column() -> None:
    crm = suites("bronze")["bronze.bronze_crm_contacts"]
    warn, broken = crm.check("format:email", "email"), crm.check("format:email:broken", "email")
    assert (warn.severity, warn.kwargs["mostly"]) == ("warning", 0.95)
    assert (broken.severity, broken.kwargs["mostly"]) == ("critical", 0.5)
    assert warn.kwargs["regex"] == RAW_FORMATS["email"]
    gender = crm.check("allowed:broken", "gender")
    assert gender.kwargs["value_set"] == ["F", "M", "U"] and gender.severity == "critical"
    compound = crm.check("unique_key", "source_file,line_number")
    assert compound.kwargs == {"column_list": ["source_file", "line_number"]}
    assert crm.missing_severity == "warning"


def test_key_formats() -> None:
    email, e164, key = (re.compile(FORMATS[f]) for f in ("email", "e164", "record_key"))
    raw_email = re.compile(RAW_FORMATS["email"])
    assert email.match("li.wei@example.com") and not email.match("Li.Wei@Example.com")
    assert not email.match("not-an-email") and not email.match("a b@c.com")
    assert raw_email.match("  Li.Wei@Example.COM ") and not raw_email.match("not-an-email")
    assert e164.match("+8613912345678") and not e164.match("13912345678") and not e164.match("+0123456")
    assert key.match("crm_contacts:C000123") and not key.match("C000123")
    person = suites("silver")["silver.silver_person_records"]
    assert person.check("format:e164", "phone").kwargs["regex"] == FORMATS["e164"]
    assert person.check("format:record_key", "record_key").severity == "critical"


def test_business_rules() -> None:
    silver = suites("silver")
    nps = silver["silver.silver_nps_responses"]
    assert nps.check("range", "score").kwargs == {"column": "score", "min_value": 0, "max_value": 10}
    pairs = dict(nps.check("nps_class_matches_score", "score,nps_class").kwargs["value_pairs_set"])
    assert (pairs[6], pairs[7], pairs[8], pairs[9]) == ("detractor", "passive", "passive", "promoter")
    future = silver["silver.silver_orders"].check("not_future", "ordered_at,order_date")
    condition = future.kwargs["row_condition"]
    assert "DATE'2025-02-04'" in condition and "batch_date <= DATE'2025-02-03'" in condition
    assert future.kwargs["value"] == 0 and future.kwargs["condition_parser"] == "spark"
    # Birth dates are personal data with their own bounds, not events.
    crm = silver["silver.silver_crm_contacts"]
    assert "birth_date" not in crm.check("not_future", "created_at,updated_at").kwargs["row_condition"]
    bronze = suites("bronze")
    nps_raw = bronze["bronze.bronze_nps_surveys"].check("not_future", "responded_at")
    assert "date_add(batch_date, 2)" in nps_raw.kwargs["row_condition"]
    manifest = bronze["bronze.ingest_manifest"]
    assert (
        manifest.check("rows_balance").kwargs["row_condition"] == "rows_in <> rows_bronze + rows_quarantined"
    )
    share = bronze["bronze.ingest_manifest.quarantine_share"]
    assert share.frame == "quarantine_share"
    assert share.check("quarantine_share", "quarantine_share").kwargs["max_value"] == 0.05
    assert share.check("quarantine_share:broken", "quarantine_share").severity == "critical"


def test_identity_rules_use_the_thresholds() -> None:
    quality = QualitySettings(max_cluster_size=12, max_merge_rate=0.2, max_singleton_share=0.9)
    identity = suites("identity", quality)
    clusters = identity["identity.identity_graph.clusters"]
    assert clusters.check("largest_cluster", "records").kwargs["max_value"] == 12
    assert clusters.check("largest_cluster", "records").severity == "critical"
    assert clusters.check("singleton_share", "is_singleton").kwargs["max_value"] == 0.9
    tombstones = identity["identity.customer_ids.tombstones"]
    assert tombstones.check("no_silent_disappearance", "customer_id").kwargs["row_condition"] == (
        "status = 'active' AND records IS NULL"
    )
    assignment = identity["identity.silver_person_records.assignment"]
    assert assignment.check("one_customer_id", "customer_ids").kwargs["min_value"] == 1
    assert assignment.check("one_customer_id", "customer_ids").kwargs["max_value"] == 1
    rates = identity["identity.identity_runs.rates"]
    assert rates.check("merge_rate", "merge_rate").kwargs["max_value"] == 0.2
    assert rates.check("merge_rate", "merge_rate").severity == "warning"
    assert identity["identity.identity_evaluation"].missing_severity == "info"
    # Identity tables record processing times, which are never checked against the run date.
    assert not [c for s in identity.values() for c in s.checks if c.rule == "not_future"]


def test_gold_suites_validate_the_staging_tables() -> None:
    gold = suites("gold")
    profile = gold["gold.staging_customer_profile"]
    assert profile.table == "staging_customer_profile"
    assert profile.check("built_for_run_date", "as_of").kwargs["min_value"] == "2025-02-03"
    assert profile.check("allowed", "stage").severity == "critical"
    assert profile.check("range", "health_score").kwargs == {
        "column": "health_score",
        "min_value": 0,
        "max_value": 100,
    }


def test_severity_overrides_by_pattern() -> None:
    quality = QualitySettings(
        severity_overrides={"bronze_*.format:*": "info", "ingest_manifest.rows_balance": "warning"}
    )
    bronze = suites("bronze", quality)
    crm = bronze["bronze.bronze_crm_contacts"]
    assert crm.check("format:email", "email").severity == "info"
    assert crm.check("format:email:broken", "email").severity == "info"
    assert crm.check("allowed:broken", "gender").severity == "critical"
    assert bronze["bronze.ingest_manifest"].check("rows_balance").severity == "warning"


def test_quality_settings_are_validated() -> None:
    settings = load_settings(env={"CDP_HOME": "/tmp/q", "CDP_QUALITY__MAX_CLUSTER_SIZE": "8"})
    assert settings.quality.max_cluster_size == 8
    with pytest.raises(SettingsError, match="severity_overrides"):
        load_settings(env={"CDP_HOME": "/tmp/q", "CDP_QUALITY__SEVERITY_OVERRIDES": '{"x.y": "fatal"}'})
    with pytest.raises(SettingsError, match="between 0 and 1"):
        load_settings(env={"CDP_HOME": "/tmp/q", "CDP_QUALITY__MAX_MERGE_RATE": "2"})


def test_great_expectations_suite_keeps_severity_and_rule() -> None:
    suite = suites("silver")["silver.silver_nps_responses"]
    gx_suite = suite.to_gx()
    assert gx_suite.name == "silver.silver_nps_responses"
    assert len(gx_suite.expectations) == len(suite.checks)
    by_rule = {(e.meta["rule"], e.meta["column"]): e for e in gx_suite.expectations}
    rule = by_rule[("nps_class_matches_score", "score,nps_class")]
    assert rule.severity.value == "critical" and rule.description
    assert by_rule[("not_null", "score")].description is None


def test_messages_are_masked() -> None:
    spark_error = "[CAST_INVALID_INPUT] The value 'li.wei@example.com' of the type \"STRING\" cannot be cast"
    assert "li.wei" not in redact(spark_error) and "CAST_INVALID_INPUT" in redact(spark_error)
    text = mask("failed for li.wei@example.com and +86 139 1234 5678 in table silver_orders " + "x" * 3000)
    assert "li.wei" not in text and "1234" not in text and "silver_orders" in text
    assert len(text) == 2000
