"""Gold tables: the unified customer profile with its lifecycle tags, and the stage history.

``jobs.gold.profiles`` builds every gold table into a staging table (:func:`staging_name`);
``jobs.gold.publish`` copies the staging tables to the published ones, with the change data feed on, once
the run's gold quality gate has passed. Downstream tools (email, ads, CRM) read the published tables and
sync their changes.
"""

from __future__ import annotations

from schemas.core import (
    BOOLEAN,
    DATE,
    DOUBLE,
    INT,
    LONG,
    STRING,
    STRINGS,
    TIMESTAMP,
    Column,
    TableSchema,
)
from schemas.landing import COUNTRIES

STAGES = ("churned", "won_back", "declining", "mature", "growth", "new", "prospect")
RFM_SEGMENTS = (
    "Champions",
    "Loyal",
    "Potential Loyalist",
    "New",
    "Promising",
    "Need Attention",
    "About to Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
)
HEALTH_BANDS = ("green", "yellow", "red")
NPS_CLASSES = ("promoter", "passive", "detractor")
TIERS = ("basic", "silver", "gold", "platinum")


def _lineage(attribute: str) -> Column:
    return Column(
        f"{attribute}_record_key",
        STRING,
        f"Source record the golden {attribute.replace('_', ' ')} was taken from (lineage).",
        fmt="record_key",
    )


def _score(name: str, description: str) -> Column:
    return Column(name, INT, description, min_value=1, max_value=5)


CUSTOMER_PROFILE = TableSchema(
    name="customer_profile",
    layer="gold",
    description=(
        "One row per active customer: the golden record chosen by survivorship rules with the source record "
        "of every attribute, combined consent, behavioural traits and lifecycle tags (stage, RFM, CLV, "
        "health), all computed for the build's as-of date."
    ),
    columns=(
        Column("customer_id", STRING, "The persistent customer id.", required=True),
        # Golden record.
        Column("name_full", STRING, "Golden full name (pinyin for Chinese names).", pii=True),
        Column("name_given", STRING, "Golden given name.", pii=True),
        Column("name_family", STRING, "Golden family name.", pii=True),
        Column("name_hanzi", STRING, "The name in Hanzi, when a source received it so.", pii=True),
        _lineage("name"),
        Column("birth_date", DATE, "Golden date of birth.", pii=True),
        _lineage("birth_date"),
        Column("gender", STRING, "F, M or U.", allowed=("F", "M", "U")),
        _lineage("gender"),
        Column("email", STRING, "Golden email, normalised.", pii=True, fmt="email"),
        _lineage("email"),
        Column("phone", STRING, "Golden phone in E.164.", pii=True, fmt="e164"),
        _lineage("phone"),
        Column("address_line", STRING, "Golden street line (the address is chosen as a whole).", pii=True),
        Column("city", STRING, "Golden city.", pii=True),
        Column("postcode", STRING, "Golden postcode.", pii=True, fmt="postcode"),
        Column("country_code", STRING, "Golden country.", allowed=COUNTRIES),
        _lineage("address"),
        Column(
            "source_records", LONG, "Source records resolved to the customer.", required=True, min_value=1
        ),
        Column("sources", STRINGS, "Feeds the customer's records come from, sorted.", required=True),
        # Consent.
        Column("email_consent", BOOLEAN, "May receive marketing email.", required=True),
        Column("email_consent_at", TIMESTAMP, "When the winning email choice was made (UTC)."),
        Column("email_consent_source", STRING, "Record or event that holds the winning email choice."),
        Column("sms_consent", BOOLEAN, "May receive marketing SMS.", required=True),
        Column("sms_consent_at", TIMESTAMP, "When the winning SMS choice was made (UTC)."),
        Column("sms_consent_source", STRING, "Record that holds the winning SMS choice."),
        Column("unsubscribed", BOOLEAN, "Unsubscribed from email anywhere.", required=True),
        # Traits.
        Column(
            "orders_completed", LONG, "Completed orders up to the as-of date.", required=True, min_value=0
        ),
        Column("net_revenue", DOUBLE, "Net revenue after refunds, reporting currency.", required=True),
        Column("average_order_value", DOUBLE, "Net revenue per completed order."),
        Column("first_order_date", DATE, "First completed order."),
        Column("last_order_date", DATE, "Last completed order."),
        Column("orders_web", LONG, "Completed web orders.", required=True, min_value=0),
        Column("orders_app", LONG, "Completed app orders.", required=True, min_value=0),
        Column("orders_store", LONG, "Completed store orders.", required=True, min_value=0),
        Column("top_categories", STRINGS, "Up to three product categories by order count, most first."),
        Column("sessions_30d", LONG, "Web / app sessions in the last 30 days.", required=True, min_value=0),
        Column("sessions_90d", LONG, "Web / app sessions in the last 90 days.", required=True, min_value=0),
        Column("last_activity_at", TIMESTAMP, "Latest order, session, email click, ticket or survey (UTC)."),
        Column("tickets_open", LONG, "Support tickets open or pending.", required=True, min_value=0),
        Column("tickets_total", LONG, "Support tickets.", required=True, min_value=0),
        Column("last_nps_score", INT, "Latest NPS answer.", min_value=0, max_value=10),
        Column("last_nps_class", STRING, "Its class.", allowed=NPS_CLASSES),
        Column("last_nps_at", TIMESTAMP, "When it was given (UTC)."),
        Column("email_clicks_90d", LONG, "Email clicks (not opens) in the last 90 days.", required=True),
        Column("loyalty_tier", STRING, "Loyalty tier (best active membership).", allowed=TIERS),
        Column("loyalty_points", LONG, "Loyalty points available.", min_value=0),
        # Lifecycle stage.
        Column("stage", STRING, "Lifecycle stage; first matching rule wins.", required=True, allowed=STAGES),
        Column("stage_reasons", STRINGS, "Reason codes of the stage.", required=True),
        Column("stage_since", DATE, "First day of the current stage.", required=True),
        Column("previous_stage", STRING, "Stage before the current one.", allowed=STAGES),
        # RFM.
        _score("rfm_recency", "Recency quintile score, 5 = most recent (buyers only)."),
        _score("rfm_frequency", "Frequency quintile score, 5 = most orders."),
        _score("rfm_monetary", "Monetary quintile score, 5 = most revenue."),
        Column("rfm_segment", STRING, "Standard RFM segment (buyers only).", allowed=RFM_SEGMENTS),
        # CLV.
        Column("clv_historic", DOUBLE, "Net revenue to date, reporting currency.", required=True),
        Column("predicted_orders_12m", DOUBLE, "Expected orders in the next 12 months (BG/NBD)."),
        Column("predicted_order_value", DOUBLE, "Expected value per order (Gamma-Gamma)."),
        Column("clv_predicted_12m", DOUBLE, "Predicted net revenue in the next 12 months."),
        Column(
            "probability_alive",
            DOUBLE,
            "BG/NBD probability the customer still buys.",
            min_value=0,
            max_value=1,
        ),
        # Health.
        Column("health_score", INT, "0-100, higher is healthier.", required=True, min_value=0, max_value=100),
        Column("health_band", STRING, "green, yellow or red.", required=True, allowed=HEALTH_BANDS),
        Column(
            "health_factors",
            STRINGS,
            "Factors behind the score, e.g. RECENCY_WITHIN_CYCLE:+30.",
            required=True,
        ),
        # Run.
        Column("as_of", DATE, "Business date the row was computed for.", required=True),
        Column("run_id", STRING, "Build that computed the row.", required=True),
    ),
    primary_key=("customer_id",),
    change_data_feed=True,
    produced_by="jobs.gold.profiles",
)

CUSTOMER_LIFECYCLE_HISTORY = TableSchema(
    name="customer_lifecycle_history",
    layer="gold",
    description=(
        "Every lifecycle stage transition a build observed, dated with that build's as-of date: the "
        "customer's stage differs from the one recorded at the latest earlier as-of date (or none was)."
    ),
    columns=(
        Column("customer_id", STRING, "The customer.", required=True),
        Column("as_of", DATE, "As-of date of the build that observed the transition.", required=True),
        Column("stage", STRING, "The new stage.", required=True, allowed=STAGES),
        Column(
            "previous_stage",
            STRING,
            "Stage at the latest earlier as-of date; null the first time.",
            allowed=STAGES,
        ),
        Column("stage_since", DATE, "First day of the new stage, from the order history.", required=True),
        Column("reasons", STRINGS, "Reason codes of the new stage.", required=True),
        Column("run_id", STRING, "Build that observed it.", required=True),
    ),
    primary_key=("customer_id", "as_of"),
    change_data_feed=True,
    produced_by="jobs.gold.profiles",
)

LIFECYCLE_EVALUATION = TableSchema(
    name="lifecycle_evaluation",
    layer="ops",
    description=(
        "Stage agreement with the generator's truth: a confusion matrix per build, one row per "
        "(true stage, computed stage) pair, customers counted by their true person."
    ),
    columns=(
        Column("run_id", STRING, "Build.", required=True),
        Column("as_of", DATE, "As-of date of the build.", required=True),
        Column("true_stage", STRING, "Stage of the person in the truth.", required=True, allowed=STAGES),
        Column("stage", STRING, "Stage the build gave the person's customer.", required=True, allowed=STAGES),
        Column("customers", LONG, "People with this pair of stages.", required=True, min_value=0),
    ),
    primary_key=("run_id", "true_stage", "stage"),
    produced_by="jobs.gold.profiles",
)

GOLD_TABLES = (CUSTOMER_PROFILE, CUSTOMER_LIFECYCLE_HISTORY)


def staging_name(name: str) -> str:
    """The staging table a gold table is built into before it is published."""
    return f"staging_{name}"
