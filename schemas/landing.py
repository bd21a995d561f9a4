"""Landing contracts: what each channel's files must look like.

Nine feeds from eight channels (orders arrive both as online JSON lines and as store POS CSV). The column
order is the CSV header order; JSON lines carry the same names as keys.
"""

from __future__ import annotations

from pyspark.sql import types as T

from schemas.core import (
    BOOLEAN,
    DATE,
    INT,
    LOCAL_TIMESTAMP,
    LONG,
    MONEY,
    STRING,
    STRINGS,
    TIMESTAMP,
    Column,
    LandingContract,
)

ISO_INSTANT = "yyyy-MM-dd'T'HH:mm:ssXXX"
ISO_INSTANT_MS = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
COUNTRIES = ("CN", "GB", "US", "HK", "SG", "DE", "FR", "AU", "CA")
CURRENCIES = ("CNY", "GBP", "USD")
ORDER_STATUSES = ("completed", "cancelled", "refunded", "partially_refunded")


def _id(name: str, description: str, required: bool = True) -> Column:
    return Column(name, STRING, description, required=required, max_length=64)


def _name(name: str, description: str) -> Column:
    return Column(name, STRING, description, pii=True, max_length=200)


def _email(
    name: str = "email", description: str = "Email address as typed by the person or agent."
) -> Column:
    return Column(name, STRING, description, pii=True, max_length=254, fmt="email")


def _phone(
    name: str = "phone", description: str = "Phone number in whatever format it was captured."
) -> Column:
    return Column(name, STRING, description, pii=True, max_length=40)


def _birth_date(pattern: str) -> Column:
    return Column(
        "birth_date",
        DATE,
        "Date of birth.",
        pii=True,
        parse_format=pattern,
        future_days=0,
        min_date="1900-01-01",
    )


def _local_ts(name: str, description: str, pattern: str, required: bool = False) -> Column:
    return Column(name, LOCAL_TIMESTAMP, description, required=required, parse_format=pattern, future_days=1)


def _instant(name: str, description: str, pattern: str = ISO_INSTANT, required: bool = False) -> Column:
    return Column(name, TIMESTAMP, description, required=required, parse_format=pattern, future_days=1)


def _money(name: str, description: str, required: bool = False) -> Column:
    return Column(name, MONEY, description, required=required, min_value=0, max_value=1_000_000)


def _address() -> tuple[Column, ...]:
    return (
        Column("address_line", STRING, "Street address (building, street, unit).", pii=True, max_length=300),
        Column("city", STRING, "City or town.", pii=True, max_length=100),
        Column("postcode", STRING, "Postal code as captured.", pii=True, max_length=20, fmt="postcode"),
        Column("country_code", STRING, "ISO 3166-1 alpha-2 country code.", allowed=COUNTRIES, max_length=2),
    )


CRM_CONTACTS = LandingContract(
    channel="crm_contacts",
    feed="crm_contacts",
    file_format="csv",
    file_glob="*.csv",
    timezone="Asia/Shanghai",
    phone_region="CN",
    description="Contacts exported daily from the CRM: new and changed contacts since the last export.",
    columns=(
        _id("contact_id", "CRM contact id."),
        _name("first_name", "Given name (Western order); empty for Chinese names held in full_name."),
        _name("last_name", "Family name (Western order)."),
        _name("full_name", "Full name as one string; Chinese names in Hanzi, family name first."),
        Column(
            "gender",
            STRING,
            "Gender as recorded: F, M or U (unknown).",
            allowed=("F", "M", "U"),
            max_length=1,
        ),
        _birth_date("yyyy-MM-dd"),
        _email(),
        _phone(),
        *_address(),
        Column("email_opt_in", BOOLEAN, "Consent to marketing email, as recorded in the CRM."),
        Column("sms_opt_in", BOOLEAN, "Consent to marketing SMS, as recorded in the CRM."),
        _local_ts(
            "created_at", "When the contact was created (CRM local time).", "yyyy-MM-dd HH:mm:ss", True
        ),
        _local_ts(
            "updated_at", "When the contact last changed (CRM local time).", "yyyy-MM-dd HH:mm:ss", True
        ),
    ),
    primary_key=("contact_id",),
    dedupe="row",
    identifies_by=("contact_id", "name", "birth_date", "email", "phone", "address"),
)

SHOP_ACCOUNTS = LandingContract(
    channel="shop_accounts",
    feed="shop_accounts",
    file_format="jsonl",
    file_glob="*.jsonl",
    timezone="UTC",
    phone_region="CN",
    description="Online shop accounts (web and app), new and changed since the last export.",
    columns=(
        _id("account_id", "Shop account id."),
        _email(description="Login email of the account."),
        _phone(description="Mobile number given at sign-up or checkout."),
        Column("nickname", STRING, "Display name the customer chose.", pii=True, max_length=100),
        _name("first_name", "Given name, when the customer gave one."),
        _name("last_name", "Family name, when the customer gave one."),
        _birth_date("yyyy-MM-dd"),
        Column("device_ids", STRINGS, "Devices the account has logged in from.", pii=True),
        *_address(),
        Column("marketing_opt_in", BOOLEAN, "Consent to marketing, from the account settings."),
        _instant("created_at", "When the account was created.", required=True),
        _instant("updated_at", "When the account last changed.", required=True),
    ),
    primary_key=("account_id",),
    dedupe="row",
    identifies_by=("account_id", "email", "phone", "device_ids"),
)

ORDER_ITEM = T.StructType(
    [
        T.StructField("sku", STRING),
        T.StructField("category", STRING),
        T.StructField("quantity", INT),
        T.StructField("unit_price", T.DecimalType(12, 2)),
    ]
)

ORDERS_ONLINE = LandingContract(
    channel="orders",
    feed="orders_online",
    file_format="jsonl",
    file_glob="online-*.jsonl",
    timezone="UTC",
    phone_region="CN",
    description="Web and app orders with their line items; guests order with an email or phone only.",
    columns=(
        _id("order_id", "Order number."),
        _id("account_id", "Shop account that placed the order; empty for guest checkout.", required=False),
        _email("guest_email", "Email given at guest checkout."),
        _phone("guest_phone", "Phone given at guest checkout."),
        Column("loyalty_card", STRING, "Loyalty card number entered at checkout.", pii=True, max_length=32),
        Column("channel", STRING, "Where the order was placed.", required=True, allowed=("web", "app")),
        Column("device_id", STRING, "Device the order came from.", pii=True, max_length=64),
        _instant("ordered_at", "When the order was placed, with its UTC offset.", required=True),
        Column("status", STRING, "Order state.", required=True, allowed=ORDER_STATUSES),
        Column("currency", STRING, "ISO 4217 currency of the amounts.", required=True, allowed=CURRENCIES),
        _money("total_amount", "Order total including tax.", required=True),
        _money("refund_amount", "Amount refunded so far."),
        Column("items", T.ArrayType(ORDER_ITEM), "Line items: sku, category, quantity, unit price."),
        Column("shipping_postcode", STRING, "Delivery postcode.", pii=True, max_length=20),
        Column("shipping_country", STRING, "Delivery country.", allowed=COUNTRIES, max_length=2),
    ),
    primary_key=("order_id",),
    dedupe="key",
    identifies_by=("account_id", "guest_email", "guest_phone", "loyalty_card", "device_id"),
)

ORDERS_POS = LandingContract(
    channel="orders",
    feed="orders_pos",
    file_format="csv",
    file_glob="pos-*.csv",
    timezone="Asia/Shanghai",
    phone_region="CN",
    description=(
        "Store till receipts; customers identify with a loyalty card or a phone number, or not at all."
    ),
    columns=(
        _id("receipt_id", "Receipt number, unique across stores."),
        _id("store_id", "Store code.", required=True),
        Column("loyalty_card", STRING, "Loyalty card scanned at the till.", pii=True, max_length=32),
        _phone("customer_phone", "Phone number given at the till."),
        _local_ts(
            "purchased_at", "When the sale was rung up (store local time).", "yyyy-MM-dd HH:mm:ss", True
        ),
        Column("status", STRING, "Sale state.", required=True, allowed=ORDER_STATUSES),
        Column("currency", STRING, "ISO 4217 currency of the amounts.", required=True, allowed=CURRENCIES),
        _money("total_amount", "Receipt total including tax.", required=True),
        _money("refund_amount", "Amount refunded at a till later."),
        Column("item_count", INT, "Number of items on the receipt.", min_value=1, max_value=500),
        Column("main_category", STRING, "Category of the most expensive item.", max_length=50),
        Column(
            "payment_method",
            STRING,
            "How the customer paid.",
            allowed=("cash", "card", "alipay", "wechat_pay"),
        ),
    ),
    primary_key=("receipt_id",),
    dedupe="key",
    identifies_by=("loyalty_card", "customer_phone"),
)

WEB_APP_EVENTS = LandingContract(
    channel="web_app_events",
    feed="web_app_events",
    file_format="jsonl",
    file_glob="*.jsonl",
    timezone="UTC",
    phone_region="CN",
    description="Clickstream from the website and the apps; anonymous until the visitor logs in.",
    columns=(
        _id("event_id", "Event id from the tracker."),
        Column(
            "event_type",
            STRING,
            "What happened.",
            required=True,
            allowed=(
                "page_view",
                "product_view",
                "search",
                "add_to_cart",
                "checkout",
                "login",
                "logout",
                "app_open",
            ),
        ),
        _instant("occurred_at", "When it happened (UTC, milliseconds).", ISO_INSTANT_MS, required=True),
        Column("anonymous_id", STRING, "Tracker cookie or app install id.", pii=True, max_length=64),
        Column("device_id", STRING, "Device id.", pii=True, max_length=64),
        _id("account_id", "Shop account, once the visitor has logged in.", required=False),
        _id("session_id", "Tracker session id.", required=True),
        Column("platform", STRING, "Where.", allowed=("web", "ios", "android")),
        Column("page", STRING, "Page path or app screen.", max_length=500),
        Column("sku", STRING, "Product, for product views and cart events.", max_length=64),
    ),
    primary_key=("event_id",),
    dedupe="key",
    identifies_by=("anonymous_id", "device_id", "account_id"),
)

SUPPORT_TICKETS = LandingContract(
    channel="support_tickets",
    feed="support_tickets",
    file_format="csv",
    file_glob="*.csv",
    timezone="Europe/London",
    phone_region="GB",
    description="Help-desk tickets, new and changed since the last export (the desk runs in London).",
    columns=(
        _id("ticket_id", "Ticket number."),
        _name("requester_name", "Name the requester gave."),
        _email("requester_email", "Email the requester wrote from or gave."),
        _phone("requester_phone", "Phone the requester called from or gave."),
        _local_ts("opened_at", "When the ticket was opened (London time).", "dd/MM/yyyy HH:mm", True),
        _local_ts("updated_at", "When the ticket last changed (London time).", "dd/MM/yyyy HH:mm", True),
        Column(
            "status", STRING, "Ticket state.", required=True, allowed=("open", "pending", "solved", "closed")
        ),
        Column("priority", STRING, "Urgency.", allowed=("low", "normal", "high", "urgent")),
        Column(
            "category",
            STRING,
            "Topic.",
            allowed=("delivery", "refund", "product", "account", "other"),
        ),
        Column(
            "contact_channel", STRING, "How the requester reached us.", allowed=("email", "phone", "chat")
        ),
        Column("csat_score", INT, "Satisfaction rating after solving, 1-5.", min_value=1, max_value=5),
        Column("order_ref", STRING, "Order or receipt the ticket is about.", max_length=64),
    ),
    primary_key=("ticket_id",),
    dedupe="row",
    identifies_by=("requester_name", "requester_email", "requester_phone"),
)

EMAIL_ENGAGEMENT = LandingContract(
    channel="email_engagement",
    feed="email_engagement",
    file_format="csv",
    file_glob="*.csv",
    timezone="UTC",
    phone_region="CN",
    description="Email service provider events: sends, opens, clicks, bounces and unsubscribes.",
    columns=(
        _id("event_id", "Event id from the email service."),
        _email(description="Recipient address."),
        _id("campaign_id", "Campaign.", required=True),
        Column(
            "event_type",
            STRING,
            "What happened.",
            required=True,
            allowed=("sent", "open", "click", "bounce", "unsubscribe"),
        ),
        _instant("occurred_at", "When it happened (UTC).", required=True),
        Column("link_url", STRING, "The link clicked, for clicks.", max_length=500, fmt="url"),
    ),
    primary_key=("event_id",),
    dedupe="key",
    identifies_by=("email",),
)

NPS_SURVEYS = LandingContract(
    channel="nps_surveys",
    feed="nps_surveys",
    file_format="csv",
    file_glob="*.csv",
    timezone="UTC",
    phone_region="CN",
    description="Net Promoter Score answers: how likely, 0-10, to recommend us.",
    columns=(
        _id("response_id", "Survey response id."),
        _id("contact_id", "CRM contact the survey was sent to, when sent from the CRM.", required=False),
        _email(description="Respondent email, when the survey was sent by email."),
        Column("score", INT, "Likelihood to recommend, 0-10.", required=True, min_value=0, max_value=10),
        Column("comment", STRING, "Free-text comment.", pii=True, max_length=2000),
        _instant("responded_at", "When the answer was given.", required=True),
        Column("survey_channel", STRING, "How the survey was delivered.", allowed=("email", "app", "sms")),
    ),
    primary_key=("response_id",),
    dedupe="key",
    identifies_by=("contact_id", "email"),
)

LOYALTY_MEMBERS = LandingContract(
    channel="loyalty_members",
    feed="loyalty_members",
    file_format="csv",
    file_glob="*.csv",
    timezone="Asia/Shanghai",
    phone_region="CN",
    description="Loyalty programme members, new and changed since the last export.",
    columns=(
        _id("member_id", "Membership number."),
        Column(
            "card_number",
            STRING,
            "Loyalty card number.",
            required=True,
            pii=True,
            max_length=32,
            fmt="card_number",
        ),
        _name("full_name", "Member name as on the card; Chinese names in Hanzi."),
        _phone(),
        _email(),
        _birth_date("yyyy/MM/dd"),
        Column("tier", STRING, "Membership tier.", allowed=("basic", "silver", "gold", "platinum")),
        Column("points_balance", LONG, "Points available.", min_value=0, max_value=100_000_000),
        Column("status", STRING, "Membership state.", allowed=("active", "suspended", "closed")),
        _local_ts("enrolled_at", "When the member joined (local time).", "yyyy/MM/dd HH:mm:ss", True),
        _local_ts(
            "updated_at", "When the membership last changed (local time).", "yyyy/MM/dd HH:mm:ss", True
        ),
    ),
    primary_key=("member_id",),
    dedupe="row",
    identifies_by=("member_id", "card_number", "name", "phone", "email", "birth_date"),
)

CONTRACTS: tuple[LandingContract, ...] = (
    CRM_CONTACTS,
    SHOP_ACCOUNTS,
    ORDERS_ONLINE,
    ORDERS_POS,
    WEB_APP_EVENTS,
    SUPPORT_TICKETS,
    EMAIL_ENGAGEMENT,
    NPS_SURVEYS,
    LOYALTY_MEMBERS,
)
CHANNELS: tuple[str, ...] = tuple(dict.fromkeys(c.channel for c in CONTRACTS))


def contract(feed: str) -> LandingContract:
    """The contract of one feed, by name."""
    for item in CONTRACTS:
        if item.feed == feed:
            return item
    raise KeyError(f"Unknown feed {feed!r}; feeds: {', '.join(c.feed for c in CONTRACTS)}")


def feeds_of(channel: str) -> list[LandingContract]:
    """The contracts of one channel (orders has two)."""
    found = [c for c in CONTRACTS if c.channel == channel]
    if not found:
        raise KeyError(f"Unknown channel {channel!r}; channels: {', '.join(CHANNELS)}")
    return found
