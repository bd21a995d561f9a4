"""Silver tables: standardised entities and events, the identity input and the hard-link edges.

Silver values are normalised (emails lower-cased and checked, phones in E.164, names case-folded with
pinyin for Chinese names, addresses with canonical abbreviations) and every timestamp is a UTC instant.
Raw emails and phones are kept next to their normalised forms.
"""

from __future__ import annotations

from schemas.core import (
    BOOLEAN,
    DATE,
    DOUBLE,
    INT,
    LONG,
    MONEY,
    STRING,
    STRINGS,
    TIMESTAMP,
    Column,
    TableSchema,
)
from schemas.landing import COUNTRIES, CURRENCIES, ORDER_STATUSES

BATCH = Column("batch_date", DATE, "Landing batch the row's latest version came from.", required=True)


def name_columns(prefix: str = "name") -> tuple[Column, ...]:
    """The standardised name parts (see ``normalise.normalise_name``)."""
    return (
        Column(f"{prefix}_given", STRING, "Given name, case-folded, accents stripped.", pii=True),
        Column(f"{prefix}_family", STRING, "Family name, case-folded, accents stripped.", pii=True),
        Column(f"{prefix}_full", STRING, "Given and family name; pinyin for Chinese names.", pii=True),
        Column(
            f"{prefix}_script",
            STRING,
            "Writing system of the name as received.",
            allowed=("latin", "han", "mixed", "other"),
        ),
        Column(
            f"{prefix}_hanzi", STRING, "The name in Hanzi, family name first, when received so.", pii=True
        ),
        Column(
            f"{prefix}_pinyin_family", STRING, "Family name in toneless pinyin (Chinese names).", pii=True
        ),
        Column(
            f"{prefix}_pinyin_given", STRING, "Given name in toneless pinyin, syllables joined.", pii=True
        ),
        Column(
            f"{prefix}_given_canonical", STRING, "Given name with nicknames mapped (bob -> robert).", pii=True
        ),
        Column(
            f"{prefix}_tokens", STRING, "All name tokens sorted: an order-independent match key.", pii=True
        ),
    )


def email_columns(prefix: str = "email") -> tuple[Column, ...]:
    """A normalised email, its matching key, validity and the raw value."""
    return (
        Column(
            prefix,
            STRING,
            "Email trimmed and lower-cased; null when not a valid address.",
            pii=True,
            fmt="email",
        ),
        Column(
            f"{prefix}_match_key", STRING, "Email for matching: plus tags and gmail dots removed.", pii=True
        ),
        Column(f"{prefix}_status", STRING, "ok, or why the email is not usable.", allowed=_EMAIL_STATUS),
        Column(f"{prefix}_raw", STRING, "The email exactly as received.", pii=True),
    )


def phone_columns(prefix: str = "phone") -> tuple[Column, ...]:
    """A phone in E.164, its validity and the raw value."""
    return (
        Column(prefix, STRING, "Phone in E.164; null when the number is not valid.", pii=True, fmt="e164"),
        Column(f"{prefix}_status", STRING, "ok, or why the phone is not usable.", allowed=_PHONE_STATUS),
        Column(f"{prefix}_region", STRING, "Country the number belongs to.", max_length=2),
        Column(f"{prefix}_raw", STRING, "The phone exactly as received.", pii=True),
    )


def address_columns() -> tuple[Column, ...]:
    """A standardised postal address."""
    return (
        Column("address_line", STRING, "Street line, lower-cased, abbreviations expanded.", pii=True),
        Column("house_number", STRING, "First number in the street line.", pii=True),
        Column("city", STRING, "City, case-folded.", pii=True),
        Column("postcode", STRING, "Postcode in its country's canonical form.", pii=True, fmt="postcode"),
        Column("country_code", STRING, "ISO 3166-1 alpha-2 country.", allowed=COUNTRIES),
    )


_EMAIL_STATUS = ("ok", "EMPTY", "INVALID_SYNTAX", "PLACEHOLDER")
_PHONE_STATUS = ("ok", "EMPTY", "UNPARSEABLE", "INVALID_NUMBER", "PLACEHOLDER")


def _created_updated(what: str) -> tuple[Column, ...]:
    return (
        Column("created_at", TIMESTAMP, f"When the {what} was created (UTC).", required=True),
        Column("updated_at", TIMESTAMP, f"When the {what} last changed (UTC).", required=True),
    )


SILVER_CRM_CONTACTS = TableSchema(
    name="silver_crm_contacts",
    layer="silver",
    description="CRM contacts, latest version of each, standardised.",
    columns=(
        Column("contact_id", STRING, "CRM contact id.", required=True),
        *name_columns(),
        Column("gender", STRING, "F, M or U.", allowed=("F", "M", "U")),
        Column("birth_date", DATE, "Date of birth.", pii=True),
        *email_columns(),
        *phone_columns(),
        *address_columns(),
        Column("email_opt_in", BOOLEAN, "Consent to marketing email."),
        Column("sms_opt_in", BOOLEAN, "Consent to marketing SMS."),
        *_created_updated("contact"),
        BATCH,
    ),
    primary_key=("contact_id",),
    produced_by="jobs.silver.crm_contacts",
)

SILVER_SHOP_ACCOUNTS = TableSchema(
    name="silver_shop_accounts",
    layer="silver",
    description="Shop accounts, latest version of each, standardised.",
    columns=(
        Column("account_id", STRING, "Shop account id.", required=True),
        *name_columns(),
        Column("nickname", STRING, "Display name.", pii=True),
        Column("birth_date", DATE, "Date of birth.", pii=True),
        *email_columns(),
        *phone_columns(),
        Column("device_ids", STRINGS, "Devices the account logged in from.", pii=True),
        *address_columns(),
        Column("marketing_opt_in", BOOLEAN, "Consent to marketing."),
        *_created_updated("account"),
        BATCH,
    ),
    primary_key=("account_id",),
    produced_by="jobs.silver.shop_accounts",
)

SILVER_LOYALTY_MEMBERS = TableSchema(
    name="silver_loyalty_members",
    layer="silver",
    description="Loyalty members, latest version of each, standardised.",
    columns=(
        Column("member_id", STRING, "Membership number.", required=True),
        Column("card_number", STRING, "Loyalty card number, digits only.", required=True, pii=True),
        *name_columns(),
        Column("birth_date", DATE, "Date of birth.", pii=True),
        *email_columns(),
        *phone_columns(),
        Column("tier", STRING, "Membership tier.", allowed=("basic", "silver", "gold", "platinum")),
        Column("points_balance", LONG, "Points available.", min_value=0),
        Column("status", STRING, "Membership state.", allowed=("active", "suspended", "closed")),
        Column("enrolled_at", TIMESTAMP, "When the member joined (UTC).", required=True),
        Column("updated_at", TIMESTAMP, "When the membership last changed (UTC).", required=True),
        BATCH,
    ),
    primary_key=("member_id",),
    produced_by="jobs.silver.loyalty_members",
)

SILVER_SUPPORT_TICKETS = TableSchema(
    name="silver_support_tickets",
    layer="silver",
    description="Support tickets, latest version of each, with the requester standardised.",
    columns=(
        Column("ticket_id", STRING, "Ticket number.", required=True),
        *name_columns(),
        *email_columns(),
        *phone_columns(),
        Column("opened_at", TIMESTAMP, "When the ticket was opened (UTC).", required=True),
        Column("updated_at", TIMESTAMP, "When the ticket last changed (UTC).", required=True),
        Column(
            "status", STRING, "Ticket state.", required=True, allowed=("open", "pending", "solved", "closed")
        ),
        Column("is_open", BOOLEAN, "Open or pending.", required=True),
        Column("priority", STRING, "Urgency.", allowed=("low", "normal", "high", "urgent")),
        Column("category", STRING, "Topic.", allowed=("delivery", "refund", "product", "account", "other")),
        Column(
            "contact_channel", STRING, "How the requester reached us.", allowed=("email", "phone", "chat")
        ),
        Column("csat_score", INT, "Satisfaction rating 1-5.", min_value=1, max_value=5),
        Column("order_ref", STRING, "Order or receipt the ticket is about."),
        BATCH,
    ),
    primary_key=("ticket_id",),
    produced_by="jobs.silver.support_tickets",
)

SILVER_ORDERS = TableSchema(
    name="silver_orders",
    layer="silver",
    description="Orders from web, app and store tills in one shape, amounts also in the reporting currency.",
    columns=(
        Column("order_key", STRING, "feed:order id, unique across feeds.", required=True),
        Column("source", STRING, "Feed.", required=True, allowed=("orders_online", "orders_pos")),
        Column("order_id", STRING, "Order or receipt number.", required=True),
        Column(
            "order_channel", STRING, "Where it was bought.", required=True, allowed=("web", "app", "store")
        ),
        Column("account_id", STRING, "Shop account, for account orders."),
        Column("loyalty_card", STRING, "Loyalty card used.", pii=True),
        *email_columns("guest_email"),
        *phone_columns("guest_phone"),
        Column("device_id", STRING, "Device of an online order.", pii=True),
        Column("store_id", STRING, "Store of a till receipt."),
        Column("ordered_at", TIMESTAMP, "When the order was placed (UTC).", required=True),
        Column("order_date", DATE, "Business date of the order (settings time zone).", required=True),
        Column("status", STRING, "Order state.", required=True, allowed=ORDER_STATUSES),
        Column("currency", STRING, "Currency of the amounts.", required=True, allowed=CURRENCIES),
        Column("total_amount", MONEY, "Total.", required=True, min_value=0),
        Column("refund_amount", MONEY, "Refunded so far (0 when none).", required=True, min_value=0),
        Column("net_amount", MONEY, "Total minus refunds.", required=True),
        Column("net_amount_reporting", DOUBLE, "Net amount in the reporting currency.", required=True),
        Column(
            "is_completed", BOOLEAN, "Counts as a purchase: not cancelled, not fully refunded.", required=True
        ),
        Column("item_count", INT, "Number of items."),
        Column("categories", STRINGS, "Product categories on the order, most valuable first."),
        Column("payment_method", STRING, "How a till receipt was paid."),
        BATCH,
    ),
    primary_key=("order_key",),
    produced_by="jobs.silver.orders",
)

SILVER_WEB_EVENTS = TableSchema(
    name="silver_web_events",
    layer="silver",
    description="Web and app events with UTC times and business dates.",
    columns=(
        Column("event_id", STRING, "Event id.", required=True),
        Column("event_type", STRING, "What happened.", required=True),
        Column("occurred_at", TIMESTAMP, "When (UTC).", required=True),
        Column("event_date", DATE, "Business date.", required=True),
        Column("anonymous_id", STRING, "Tracker id.", pii=True),
        Column("device_id", STRING, "Device id.", pii=True),
        Column("account_id", STRING, "Logged-in account."),
        Column("session_id", STRING, "Session.", required=True),
        Column("platform", STRING, "web, ios or android."),
        Column("page", STRING, "Page or screen."),
        Column("sku", STRING, "Product."),
        BATCH,
    ),
    primary_key=("event_id",),
    produced_by="jobs.silver.web_events",
)

SILVER_EMAIL_EVENTS = TableSchema(
    name="silver_email_events",
    layer="silver",
    description="Email sends, opens, clicks, bounces and unsubscribes, with the recipient normalised.",
    columns=(
        Column("event_id", STRING, "Event id.", required=True),
        *email_columns(),
        Column("campaign_id", STRING, "Campaign.", required=True),
        Column("event_type", STRING, "What happened.", required=True),
        Column("occurred_at", TIMESTAMP, "When (UTC).", required=True),
        Column("event_date", DATE, "Business date.", required=True),
        Column("link_url", STRING, "Clicked link."),
        BATCH,
    ),
    primary_key=("event_id",),
    produced_by="jobs.silver.email_events",
)

SILVER_NPS_RESPONSES = TableSchema(
    name="silver_nps_responses",
    layer="silver",
    description="NPS answers with their promoter / passive / detractor class.",
    columns=(
        Column("response_id", STRING, "Response id.", required=True),
        Column("contact_id", STRING, "CRM contact the survey went to."),
        *email_columns(),
        Column("score", INT, "0-10.", required=True, min_value=0, max_value=10),
        Column(
            "nps_class",
            STRING,
            "promoter (9-10), passive (7-8) or detractor (0-6).",
            required=True,
            allowed=("promoter", "passive", "detractor"),
        ),
        Column("comment", STRING, "Free text.", pii=True),
        Column("responded_at", TIMESTAMP, "When (UTC).", required=True),
        Column("survey_channel", STRING, "How the survey was delivered."),
        BATCH,
    ),
    primary_key=("response_id",),
    produced_by="jobs.silver.nps_responses",
)

PERSON_RECORDS = TableSchema(
    name="silver_person_records",
    layer="silver",
    description=(
        "The identity input: one row per source record that describes a person (CRM contact, shop account, "
        "loyalty member, ticket requester, guest order, till receipt with a phone, survey answer by email)."
    ),
    columns=(
        Column("record_key", STRING, "feed:source id, unique.", required=True, fmt="record_key"),
        Column("source", STRING, "The feed the record comes from.", required=True),
        Column("source_id", STRING, "The record's id in its source.", required=True),
        *name_columns(),
        Column("birth_date", DATE, "Date of birth.", pii=True),
        Column("email", STRING, "Normalised email.", pii=True, fmt="email"),
        Column("email_match_key", STRING, "Email for matching.", pii=True),
        Column("phone", STRING, "Phone in E.164.", pii=True, fmt="e164"),
        *address_columns(),
        Column("account_id", STRING, "Shop account id the record is or belongs to."),
        Column("contact_id", STRING, "CRM contact id the record is or belongs to."),
        Column("member_id", STRING, "Loyalty member id the record is."),
        Column("loyalty_card", STRING, "Loyalty card number the record holds or used.", pii=True),
        Column(
            "seen_at",
            TIMESTAMP,
            "When the record was created or the transaction happened (UTC).",
            required=True,
        ),
        Column("updated_at", TIMESTAMP, "When the record last changed (UTC).", required=True),
        Column(
            "record_hash", STRING, "Hash of the matching fields, to detect changed records.", required=True
        ),
        BATCH,
    ),
    primary_key=("record_key",),
    change_data_feed=True,
    produced_by="jobs.silver.person_records",
)

IDENTITY_LINKS = TableSchema(
    name="silver_identity_links",
    layer="silver",
    description=(
        "Hard links observed in transactions and events, between identifiers: an order's account and "
        "the loyalty card it used, an account and the devices it logged in from, a till receipt's card "
        "and phone, a survey's contact and email."
    ),
    columns=(
        Column(
            "node_a",
            STRING,
            "Identifier, as type:value (account:A1, card:622..., device:D1, ...).",
            required=True,
        ),
        Column("node_b", STRING, "The other identifier.", required=True),
        Column("link_type", STRING, "What the link came from.", required=True),
        Column("evidence", STRING, "Key of the first order / event / answer that showed it.", required=True),
        Column("observations", LONG, "How many times the link was seen.", required=True, min_value=1),
        Column("first_seen_at", TIMESTAMP, "First time the link was seen (UTC).", required=True),
    ),
    primary_key=("node_a", "node_b", "link_type"),
    produced_by="jobs.silver.identity_links",
)

SILVER_TABLES = (
    SILVER_CRM_CONTACTS,
    SILVER_SHOP_ACCOUNTS,
    SILVER_LOYALTY_MEMBERS,
    SILVER_SUPPORT_TICKETS,
    SILVER_ORDERS,
    SILVER_WEB_EVENTS,
    SILVER_EMAIL_EVENTS,
    SILVER_NPS_RESPONSES,
    PERSON_RECORDS,
    IDENTITY_LINKS,
)
