"""One chunk of people: every source record they leave in every feed, the bad rows, and the truth.

A chunk is generated from its own random stream (seeded by the run seed and the chunk index) and never
looks at another chunk, so chunks can run in any process in any order and the output is still the same.
The result holds the landing lines grouped by (feed, batch day) and Arrow tables of truth; the parent
process appends them to files in chunk order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import pyarrow as pa

from generator import data, noise
from generator.clock import DAY_MS, Clock
from generator.config import CHUNK_SIZE, GeneratorConfig, broken_column
from generator.defects import ColumnBreaker, DefectMaker
from generator.encode import FeedSpec, Item, Money, Rec, Record, build_specs
from generator.history import STAGE_WEIGHTS, HistoryPlanner, classify_days, feasible_stages
from generator.ids import IdSequence, luhn_digit
from generator.people import Person, PopulationBuilder, Uniques, Weighted, lognormal_spend
from generator.profiles import PROFILES
from generator.timefmt import UTC, zone
from schemas.lifecycle import Purchase, StageResult, classify

SPECS: tuple[FeedSpec, ...] = build_specs()
_ORDER = attrgetter("key", "seq")
FEED = {spec.feed: spec for spec in SPECS}
LATE_RATE = 0.01

_COUNTRY_ZONES = {
    "CN": "Asia/Shanghai",
    "GB": "Europe/London",
    "US": "America/New_York",
    "HK": "Asia/Hong_Kong",
    "SG": "Asia/Singapore",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "AU": "Australia/Sydney",
    "CA": "America/Toronto",
}
_CITY_ZONES = {
    "San Francisco": "America/Los_Angeles",
    "Los Angeles": "America/Los_Angeles",
    "Seattle": "America/Los_Angeles",
    "Chicago": "America/Chicago",
    "Austin": "America/Chicago",
    "Denver": "America/Denver",
    "Vancouver": "America/Vancouver",
    "Melbourne": "Australia/Melbourne",
}
_CURRENCY = {"CN": "CNY", "GB": "GBP", "US": "USD"}
_CN_CHANNELS = Weighted([("pos", 45.0), ("app", 35.0), ("web", 20.0)])
_NEAR_CHANNELS = Weighted([("pos", 3.0), ("app", 42.0), ("web", 55.0)])
_FAR_CHANNELS = Weighted([("pos", 0.5), ("app", 44.5), ("web", 55.0)])
_ITEM_COUNTS = Weighted([(1, 50.0), (2, 28.0), (3, 15.0), (4, 7.0)])
_CATEGORIES = Weighted(list(zip(data.CATEGORIES, data.CATEGORY_WEIGHTS, strict=True)))
_PAYMENTS = Weighted([("alipay", 35.0), ("wechat_pay", 40.0), ("card", 20.0), ("cash", 5.0)])
_DEVICE_COUNTS = Weighted([(1, 55.0), (2, 33.0), (3, 12.0)])
_CN_PLATFORMS = Weighted([("web", 20.0), ("ios", 35.0), ("android", 45.0)])
_PLATFORMS = Weighted([("web", 45.0), ("ios", 35.0), ("android", 20.0)])
_TICKET_CHANNELS = Weighted([("email", 55.0), ("chat", 25.0), ("phone", 20.0)])
_PRIORITIES = Weighted([("low", 15.0), ("normal", 60.0), ("high", 20.0), ("urgent", 5.0)])
_CSAT = Weighted([(1, 1.0), (2, 1.0), (3, 2.0), (4, 3.0), (5, 4.0)])
_CSAT_REFUND = Weighted([(1, 3.0), (2, 2.0), (3, 2.0), (4, 2.0), (5, 1.0)])
_CAMPAIGN_PAGES = ("new-in", "sale", "c/apparel", "c/beauty", "members")
_SURVEY_CHANNELS = Weighted([("email", 60.0), ("app", 25.0), ("sms", 15.0)])
_OPEN_RATE = {
    "mature": 0.5,
    "growth": 0.4,
    "new": 0.35,
    "won_back": 0.35,
    "prospect": 0.25,
    "declining": 0.15,
    "churned": 0.08,
}
_NPS = {  # (promoter, passive) shares; the rest are detractors
    "mature": (0.65, 0.27),
    "growth": (0.55, 0.3),
    "new": (0.45, 0.35),
    "won_back": (0.4, 0.35),
    "declining": (0.15, 0.3),
    "churned": (0.1, 0.25),
    "prospect": (0.3, 0.4),
}
_LOYALTY = {
    "mature": 0.8,
    "growth": 0.5,
    "won_back": 0.5,
    "declining": 0.45,
    "new": 0.3,
    "churned": 0.35,
    "prospect": 0.12,
}
_TIERS = ((15_000, "platinum"), (6_000, "gold"), (2_000, "silver"), (0, "basic"))

TRUTH_RECORDS = pa.schema(
    [
        ("feed", pa.string()),
        ("channel", pa.string()),
        ("source_file", pa.string()),
        ("line_number", pa.int64()),
        ("batch_date", pa.date32()),
        ("source_id", pa.string()),
        ("person_id", pa.string()),
        ("is_bad", pa.bool_()),
        ("expected_reasons", pa.list_(pa.string())),
    ]
)
TRUTH_PEOPLE = pa.schema(
    [
        ("person_id", pa.string()),
        ("country", pa.string()),
        ("gender", pa.string()),
        ("birth_date", pa.date32()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("given_name_hanzi", pa.string()),
        ("family_name_hanzi", pa.string()),
        ("emails", pa.list_(pa.string())),
        ("phones", pa.list_(pa.string())),
        ("address_line", pa.string()),
        ("city", pa.string()),
        ("postcode", pa.string()),
        ("moved_on", pa.date32()),
        ("household_id", pa.string()),
        ("twin_of", pa.string()),
        ("namesake_group", pa.string()),
        ("loyalty_member", pa.bool_()),
        ("target_stage", pa.string()),
        ("first_order_date", pa.date32()),
        ("last_order_date", pa.date32()),
        ("completed_orders", pa.int32()),
        ("net_revenue", pa.float64()),
    ]
)
TRUTH_LIFECYCLE = pa.schema(
    [
        ("person_id", pa.string()),
        ("month_end", pa.date32()),
        ("stage", pa.string()),
        ("reasons", pa.list_(pa.string())),
    ]
)
TRUTH_NEGATIVES = pa.schema([("person_a", pa.string()), ("person_b", pa.string()), ("kind", pa.string())])


@dataclass(frozen=True)
class FileGroup:
    """The lines one chunk adds to one landing file."""

    feed: str
    path: str
    header: bytes
    blob: bytes
    lines: int


@dataclass(frozen=True)
class ChunkResult:
    """Everything one chunk produced; truth ``records`` carry group-local line numbers."""

    index: int
    people: int
    groups: list[FileGroup]
    records: pa.Table
    people_table: pa.Table
    lifecycle: pa.Table
    negatives: pa.Table
    rows_by_feed: dict[str, int]
    bad_by_feed: dict[str, int]


@dataclass(slots=True)
class Device:
    """A browser or app install a person uses."""

    platform: str
    device_id: str
    anonymous_id: str
    first_day: int = 1 << 30


@dataclass(slots=True)
class Order:
    """One order of a person, online or in a store."""

    day: int
    status: str
    channel: str
    currency: str
    total: int
    refund: int
    items: list[Item]
    ts: int = 0
    order_id: str = ""

    @property
    def completed(self) -> bool:
        """Whether the order counts as a purchase (not cancelled, not fully refunded)."""
        return self.status in ("completed", "partially_refunded")


@dataclass(slots=True)
class Entity:
    """A person's record in a snapshot source (CRM contact, shop account, loyalty membership)."""

    key: str
    created_day: int
    values: Record
    email: str | None = None
    email_typo: bool = False
    opt_in: bool = False
    clean_email: str | None = None
    changes: list[tuple[int, Record]] = field(default_factory=list)


def chunk_seed(seed: int, chunk: int, purpose: str = "people") -> int:
    """The seed of one chunk's random stream."""
    digest = hashlib.blake2b(f"{seed}:{chunk}:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def chunk_count(people: int, chunk_size: int = CHUNK_SIZE) -> int:
    """How many chunks a population is cut into."""
    return math.ceil(people / chunk_size)


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month that ends inside [start, end]."""
    result: list[dt.date] = []
    year, month = start.year, start.month
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        if last > end:
            return result
        if last >= start:
            result.append(last)
        year, month = nxt.year, nxt.month


def generate_chunk(identity: dict[str, Any], index: int) -> ChunkResult:
    """Generate chunk ``index`` of the run described by ``identity`` (a config identity plus chunk size)."""
    config = GeneratorConfig.from_identity(identity)
    return ChunkBuilder(config, index, int(identity.get("chunk_size", CHUNK_SIZE))).run()


class ChunkBuilder:
    """Generates the people of one chunk and everything they leave behind."""

    def __init__(self, config: GeneratorConfig, index: int, chunk_size: int = CHUNK_SIZE) -> None:
        self.config = config
        self.profile = PROFILES[config.profile]
        self.index = index
        self.first = index * chunk_size
        self.count = min(chunk_size, config.people - self.first)
        self.rng = random.Random(chunk_seed(config.seed, index))
        self.start = config.start
        self.last = config.days - 1
        self.rules = config.lifecycle
        self.rates = config.lifecycle.currency_rates
        self.clock = Clock(self.start, config.days, self.rng)
        self.rows: list[list[Rec]] = [[] for _ in SPECS]
        self.seq = 0
        seed = config.seed
        self.contact_ids = IdSequence(seed, "contact", index, 12_000, 9, "C")
        self.account_ids = IdSequence(seed, "account", index, 12_000, 9, "U")
        self.member_ids = IdSequence(seed, "member", index, 12_000, 9, "M")
        self.card_ids = IdSequence(seed, "card", index, 12_000, 11, "")
        self.order_ids = IdSequence(seed, "order", index, 100_000, 10, "SO")
        self.receipt_ids = IdSequence(seed, "receipt", index, 100_000, 8, "")
        self.ticket_ids = IdSequence(seed, "ticket", index, 12_000, 8, "TK")
        self.response_ids = IdSequence(seed, "response", index, 12_000, 9, "NPS")
        self.planner = HistoryPlanner(self.start, config.days, self.rules)
        stages = feasible_stages(config.days, self.rules)
        self.stages = Weighted([(s, STAGE_WEIGHTS[s]) for s in stages])
        self.month_ends = month_ends(self.start, config.end)
        self.people_rows: dict[str, list[Any]] = {name: [] for name in TRUTH_PEOPLE.names}
        self.life_rows: dict[str, list[Any]] = {name: [] for name in TRUTH_LIFECYCLE.names}
        self.pos_receipts = 0

    # --- driver -------------------------------------------------------------------------------------

    def run(self) -> ChunkResult:
        """Generate the chunk."""
        population = PopulationBuilder(
            self.rng,
            Uniques(self.config.seed, self.config.people),
            self.first,
            self.count,
            self.start,
            self.config.days,
            countries=self.profile.countries,
        )
        people, negatives = population.build()
        for person in people:
            self.person(person)
        self.walk_ins()
        groups, records, rows_by_feed, bad_by_feed = self.assemble()
        return ChunkResult(
            index=self.index,
            people=len(people),
            groups=groups,
            records=records,
            people_table=pa.table(self.people_rows, schema=TRUTH_PEOPLE),
            lifecycle=pa.table(self.life_rows, schema=TRUTH_LIFECYCLE),
            negatives=pa.table(
                {
                    "person_a": [n.person_a for n in negatives],
                    "person_b": [n.person_b for n in negatives],
                    "kind": [n.kind for n in negatives],
                },
                schema=TRUTH_NEGATIVES,
            ),
            rows_by_feed=rows_by_feed,
            bad_by_feed=bad_by_feed,
        )

    def person(self, p: Person) -> None:
        """Everything one person leaves in the sources."""
        rng = self.rng
        stage = self.stages.pick(rng)
        p.spend_cny = lognormal_spend(rng) * (1.3 if stage == "mature" else 1.0)
        orders, stage = self.orders_for(p, stage)
        p.stage = stage
        completed = [o for o in orders if o.completed]
        first_day = min((o.day for o in orders), default=None)
        known = max(0, first_day - rng.randint(0, 40)) if first_day is not None else rng.randint(0, self.last)
        devices = self.devices(p)
        member_p = _LOYALTY[stage] * (1.0 if p.country == "CN" else 0.5)
        p.loyalty_member = rng.random() < member_p
        pos_days = [o.day for o in orders if o.channel == "pos"]
        online = [o for o in orders if o.channel != "pos"]
        member = self.loyalty_entity(p, known, pos_days) if p.loyalty_member else None
        has_crm = rng.random() < (0.85 if (pos_days or member) else 0.55)
        contacts = [self.crm_entity(p, min(self.last, known + rng.randint(0, 5)))] if has_crm else []
        if contacts and rng.random() < 0.03 and contacts[0].created_day < self.last:
            contacts.append(
                self.crm_entity(p, rng.randint(contacts[0].created_day + 1, self.last), second=True)
            )
        shop_p = 0.72 if online else 0.4 if not orders else 0.2
        accounts: list[Entity] = []
        if rng.random() < shop_p:
            created = (
                online[0].day if online and rng.random() < 0.7 else min(self.last, known + rng.randint(0, 20))
            )
            accounts.append(self.shop_entity(p, created, self.pick_email(p)))
            # A second account needs another address: shops allow one account per email.
            others = [e for e in p.emails if e != accounts[0].clean_email]
            if others and rng.random() < 0.1 and created < self.last:
                later = rng.randint(created + 1, self.last)
                accounts.append(self.shop_entity(p, later, rng.choice(others)))
        if not (contacts or accounts or member or orders):
            contacts.append(self.crm_entity(p, known))
        for order in orders:
            if order.channel == "pos":
                self.pos_order(p, order, member)
            else:
                self.online_order(p, order, accounts, member, devices)
        self.browsing(p, known, accounts, devices)
        self.email_engagement(p, stage, contacts, accounts)
        for contact in contacts:
            self.crm_rows(p, contact)
        for account in accounts:
            self.shop_rows(p, account, devices)
        if member:
            self.loyalty_rows(p, member, completed)
        self.tickets(p, stage, orders, known)
        self.nps(p, stage, completed, contacts, accounts)
        self.truth(p, completed)

    # --- orders -------------------------------------------------------------------------------------

    def orders_for(self, p: Person, stage: str) -> tuple[list[Order], str]:
        """Orders whose completed ones classify as ``stage`` (re-planned until they do)."""
        rng = self.rng
        orders: list[Order] = []
        result = stage
        for _ in range(12):
            plan = self.planner.plan(rng, stage, p.spend_cny)
            orders = [self.order(p, item.day, item.value_cny, completed=True) for item in plan]
            purchases = [(o.day, self.net(o)) for o in orders if o.completed]
            result = classify_days(purchases, self.start, self.config.end, self.rules).stage
            if result == stage:
                break
        extra: list[Order] = []
        for order in orders:
            if rng.random() < 0.1:
                day = min(self.last, max(0, order.day + rng.randint(-30, 30)))
                status = "cancelled" if rng.random() < 0.55 else "refunded"
                extra.append(
                    self.order(
                        p,
                        day,
                        order.total / 100 * self._to_cny(order.currency),
                        completed=False,
                        status=status,
                    )
                )
        if not orders and rng.random() < 0.15:
            extra.append(
                self.order(p, rng.randint(0, self.last), p.spend_cny, completed=False, status="cancelled")
            )
        everything = sorted([*orders, *extra], key=lambda o: (o.day, o.ts))
        return everything, result

    def _to_cny(self, currency: str) -> float:
        return self.rates[currency] / self.rates["CNY"]

    def net(self, order: Order) -> float:
        """The order's net value in the reporting currency."""
        return (order.total - order.refund) / 100 * self.rates[order.currency]

    def order(
        self, p: Person, day: int, value_cny: float, completed: bool, status: str = "completed"
    ) -> Order:
        """An order on ``day`` worth about ``value_cny``, with its channel, currency, items and time."""
        rng = self.rng
        if p.country == "CN":
            channel = _CN_CHANNELS.pick(rng)
        else:
            channel = (_NEAR_CHANNELS if p.country in {"HK", "SG"} else _FAR_CHANNELS).pick(rng)
        currency = "CNY" if channel == "pos" else _CURRENCY.get(p.country, "USD")
        amount = value_cny / self._to_cny(currency)
        items = self.items(round(amount * 100))
        total = sum(i.quantity * i.unit_price for i in items)
        refund = 0
        if completed and rng.random() < 0.05:
            status = "partially_refunded"
            refund = int(total * rng.uniform(0.1, 0.6))
        elif status == "refunded":
            refund = total
        order = Order(day, status, channel, currency, total, refund, items)
        if channel == "pos":
            order.ts = self.clock.local_ts(day, FEED["orders_pos"].tz, 10, 22)
        else:
            order.ts = self.clock.online_ts(day, self.customer_zone(p, day))
        return order

    def items(self, target_cents: int) -> list[Item]:
        """Order lines adding up to about ``target_cents``."""
        rng = self.rng
        random = rng.random
        count = _ITEM_COUNTS.pick(rng)
        shares = [0.5 + random() for _ in range(count)]
        whole = sum(shares)
        result = []
        for share in shares:
            cat = _CATEGORIES.pick(rng)
            quantity = 1 if random() < 0.8 else 2 + int(random() * cat[4])
            unit = max(100, int(target_cents * share / whole / quantity))
            sku = f"{cat[1]}-{10_000 + int(random() * data.SKUS_PER_CATEGORY):05d}"
            result.append(Item(sku, cat[0], quantity, Money(unit)))
        return result

    def customer_zone(self, p: Person, day: int) -> dt.tzinfo:
        """The time zone the person lives in on ``day``."""
        city = p.address_on(day).city
        return zone(_CITY_ZONES.get(city) or _COUNTRY_ZONES[p.country])

    def pos_order(self, p: Person, order: Order, member: Entity | None) -> None:
        """A till receipt, identified by loyalty card or phone."""
        rng = self.rng
        spec = FEED["orders_pos"]
        address = p.address_on(order.day)
        store = address.store_id if address.store_id and rng.random() < 0.8 else rng.choice(data.STORES)[0]
        day = self.start + dt.timedelta(days=order.day)
        order.order_id = f"{store}-{day:%y%m%d}-{self.receipt_ids.number():08d}"
        card = None
        phone = None
        if member and member.created_day <= order.day and rng.random() < 0.85:
            card = member.values["card_number"]
        else:
            phone = noise.phone(rng, self.mobile(p), p.country, spec.contract.phone_region)
        self.pos_receipts += 1
        self.emit_receipt(order, store, card, phone, p.index)

    def emit_receipt(
        self, order: Order, store: str, card: str | None, phone: str | None, person: int
    ) -> None:
        """Write one receipt row."""
        rng = self.rng
        spec = FEED["orders_pos"]
        main = max(order.items, key=lambda i: i.unit_price)
        values: Record = {
            "receipt_id": order.order_id,
            "store_id": store,
            "loyalty_card": card,
            "customer_phone": phone,
            "purchased_at": self.clock.text(spec.patterns["purchased_at"], order.ts, spec.tz),
            "status": order.status,
            "currency": order.currency,
            "total_amount": Money(order.total),
            "refund_amount": Money(order.refund) if order.refund else None,
            "item_count": sum(i.quantity for i in order.items),
            "main_category": main.category,
            "payment_method": _PAYMENTS.pick(rng),
        }
        self.emit(spec, self.clock.local_day(order.ts, spec.tz), order.ts, values, person)

    def walk_ins(self) -> None:
        """Anonymous store receipts of shoppers who are not in the population."""
        rng = self.rng
        for _ in range(int(self.pos_receipts * 0.25)):
            day = rng.randint(0, self.last)
            order = Order(
                day,
                "completed",
                "pos",
                "CNY",
                0,
                0,
                self.items(int(rng.lognormvariate(math.log(15_000), 0.6))),
            )
            order.total = sum(i.quantity * i.unit_price for i in order.items)
            if rng.random() < 0.03:
                order.status, order.refund = "refunded", order.total
            order.ts = self.clock.local_ts(day, FEED["orders_pos"].tz, 10, 22)
            store = rng.choice(data.STORES)[0]
            order.order_id = (
                f"{store}-{self.start + dt.timedelta(days=day):%y%m%d}-{self.receipt_ids.number():08d}"
            )
            self.emit_receipt(order, store, None, None, -1)

    def online_order(
        self, p: Person, order: Order, accounts: list[Entity], member: Entity | None, devices: list[Device]
    ) -> None:
        """A web or app order: account or guest checkout, with a tracked session most of the time."""
        rng = self.rng
        spec = FEED["orders_online"]
        usable = [a for a in accounts if a.created_day <= order.day]
        account = None
        if usable and rng.random() < 0.88:
            account = usable[-1] if len(usable) > 1 and rng.random() < 0.3 else usable[0]
        platform_ok = [d for d in devices if (d.platform == "web") == (order.channel == "web")] or devices
        device = rng.choice(platform_ok)
        device.first_day = min(device.first_day, order.day)
        order.order_id = self.order_ids.next()
        guest_email = guest_phone = None
        if account is None:
            if rng.random() < 0.9:
                guest_email, _ = noise.email(rng, self.pick_email(p))
            if guest_email is None or rng.random() < 0.6:
                guest_phone = noise.phone(rng, self.mobile(p), p.country, spec.contract.phone_region)
        address = p.address_on(order.day)
        postcode = noise.postcode(rng, address)
        values: Record = {
            "order_id": order.order_id,
            "account_id": account.key if account else None,
            "guest_email": guest_email,
            "guest_phone": guest_phone,
            "loyalty_card": _card_typed(rng, member.values["card_number"])
            if member and member.created_day <= order.day and rng.random() < 0.15
            else None,
            "channel": "web" if device.platform == "web" else "app",
            "device_id": device.device_id,
            "ordered_at": self.clock.text(
                spec.patterns["ordered_at"], order.ts, self.customer_zone(p, order.day)
            ),
            "status": order.status,
            "currency": order.currency,
            "total_amount": Money(order.total),
            "refund_amount": Money(order.refund) if order.refund else None,
            "items": order.items,
            "shipping_postcode": postcode,
            "shipping_country": address.country,
        }
        self.emit(spec, self.clock.utc_day(order.ts), order.ts, values, p.index)
        if rng.random() < 0.2:
            self.session(
                p,
                device,
                order.ts,
                account.key if account else None,
                checkout=True,
                skus=[i.sku for i in order.items],
            )

    # --- web and app --------------------------------------------------------------------------------

    def devices(self, p: Person) -> list[Device]:
        """The browsers and app installs a person uses during the period."""
        rng = self.rng
        count = _DEVICE_COUNTS.pick(rng)
        platforms = _CN_PLATFORMS if p.country == "CN" else _PLATFORMS
        result = []
        for _ in range(count):
            platform = platforms.pick(rng)
            if platform == "ios":
                device_id = _uuid(rng).upper()
            elif platform == "android":
                device_id = f"{rng.getrandbits(64):016x}"
            else:
                device_id = f"fp-{rng.getrandbits(80):020x}"
            result.append(Device(platform, device_id, _uuid(rng)))
        return result

    def browsing(self, p: Person, known: int, accounts: list[Entity], devices: list[Device]) -> None:
        """Sessions that do not end in an order: a few per person over the period."""
        rng = self.rng
        sessions = min(4, int(rng.expovariate(1.0) * 0.75))
        for _ in range(sessions):
            day = rng.randint(max(0, known - 30), self.last)
            device = rng.choice(devices)
            device.first_day = min(device.first_day, day)
            usable = [a for a in accounts if a.created_day <= day]
            account = usable[0].key if usable and rng.random() < 0.8 else None
            ts = self.clock.online_ts(day, self.customer_zone(p, day))
            self.session(p, device, ts, account, checkout=False, skus=[])

    def session(
        self, p: Person, device: Device, end_ts: int, account: str | None, checkout: bool, skus: Sequence[str]
    ) -> None:
        """One visit: events before the login are anonymous, the login and later carry the account."""
        rng = self.rng
        spec = FEED["web_app_events"]
        app = device.platform != "web"
        steps: list[tuple[str, str, str | None]] = []
        if app:
            steps.append(("app_open", "home", None))
        for _ in range(int(rng.random() * 3) + (0 if checkout else 1)):
            kind = rng.random()
            sku = skus[0] if skus and rng.random() < 0.6 else _random_sku(rng)
            if kind < 0.3:
                page = rng.choice(data.STATIC_PAGES)
                steps.append(("page_view", (page.strip("/") or "home") if app else page, None))
            elif kind < 0.5:
                term = rng.choice(data.SEARCH_TERMS)
                steps.append(("search", "search" if app else f"/search?q={term.replace(' ', '+')}", None))
            elif kind < 0.85:
                steps.append(("product_view", f"product/{sku}" if app else f"/p/{sku}", sku))
            else:
                steps.append(("add_to_cart", "cart" if app else "/cart", sku))
        login_at = None
        if account is not None:
            login_at = min(len(steps), rng.randint(0, 1) + (1 if app else 0))
            steps.insert(login_at, ("login", "login" if app else "/login", None))
        if checkout:
            for sku in skus[:1]:
                steps.append(("add_to_cart", "cart" if app else "/cart", sku))
            steps.append(("checkout", "checkout" if app else "/checkout", None))
        elif rng.random() < 0.05 and account is not None:
            steps.append(("logout", "logout" if app else "/logout", None))
        session_id = f"s-{rng.getrandbits(64):016x}"
        ts = end_ts - 5_000 - int(rng.random() * 55_000)
        times = []
        for _ in steps:
            times.append(ts)
            ts -= 4_000 + int(rng.random() * 86_000)
        times.reverse()
        platform = device.platform
        pattern = spec.patterns["occurred_at"]
        for i, ((event, screen, item), moment) in enumerate(zip(steps, times, strict=True)):
            logged_in = login_at is not None and i >= login_at
            values: Record = {
                "event_id": _uuid(rng),
                "event_type": event,
                "occurred_at": self.clock.text(pattern, moment, UTC),
                "anonymous_id": device.anonymous_id,
                "device_id": device.device_id,
                "account_id": account if logged_in else None,
                "session_id": session_id,
                "platform": platform,
                "page": screen,
                "sku": item,
            }
            self.emit(spec, self.clock.utc_day(moment), moment, values, p.index)

    # --- snapshot sources ---------------------------------------------------------------------------

    def mobile(self, p: Person) -> str:
        """The mobile a source gets: the main one, unless the person has a second and gives that."""
        if len(p.mobiles) > 1 and self.rng.random() < 0.25:
            return p.mobiles[1]
        return p.mobiles[0]

    def pick_email(self, p: Person, work_share: float = 0.12) -> str:
        """Which of the person's addresses a source gets: mostly the main personal one."""
        rng = self.rng
        roll = rng.random()
        if p.shared_email and roll < 0.12:
            return p.shared_email
        personal = [e for e in p.emails if e != p.shared_email]
        if len(personal) > 1 and roll > 1 - work_share - 0.1:
            return rng.choice(personal[1:])
        return personal[0]

    def crm_entity(self, p: Person, created: int, second: bool = False) -> Entity:
        """A CRM contact as the agent typed it in."""
        rng = self.rng
        spec = FEED["crm_contacts"]
        if p.chinese and rng.random() < (0.8 if not second else 0.5):
            family, given = noise.hanzi(rng, p)
            first, last, full = None, family, family + given
        elif p.chinese:
            first, last = noise.pinyin_given(rng, p), p.family
            full = f"{last} {first}"
        else:
            first, last = noise.western_parts(rng, p)
            full = f"{first.strip()} {last.strip()}"
        email, typo = noise.email(rng, self.pick_email(p)) if rng.random() < 0.88 else (None, False)
        phone = None
        if rng.random() < 0.9:
            number = p.landline if p.landline and rng.random() < 0.12 else self.mobile(p)
            phone = noise.phone(rng, number, p.country, spec.contract.phone_region)
        address = p.address_on(created)
        line, city, postcode = (
            noise.address(rng, address, native=True) if rng.random() < 0.85 else (None, None, None)
        )
        roll = rng.random()
        gender = p.gender if roll < 0.92 else "U" if roll < 0.95 else None
        values: Record = {
            "contact_id": self.contact_ids.next(),
            "first_name": first,
            "last_name": last,
            "full_name": full,
            "gender": gender,
            "birth_date": self.birth_text(p, spec, "birth_date") if rng.random() < 0.85 else None,
            "email": email,
            "phone": phone,
            "address_line": line,
            "city": city,
            "postcode": postcode,
            "country_code": address.country if line else None,
            "email_opt_in": bool(email) and rng.random() < 0.62,
            "sms_opt_in": bool(phone) and rng.random() < 0.4,
        }
        return Entity(values["contact_id"], created, values, email, typo, bool(values["email_opt_in"]))

    def birth_text(self, p: Person, spec: FeedSpec, column: str) -> str:
        """The birth date in the column's pattern; now and then with day and month swapped."""
        birth = p.birth
        if birth.day <= 12 and birth.day != birth.month and self.rng.random() < 0.01:
            birth = birth.replace(month=birth.day, day=birth.month)
        return spec.patterns[column].format(birth)

    def crm_rows(self, p: Person, contact: Entity) -> None:
        """The contact's versions: created, then moves, consent changes and profile edits."""
        rng = self.rng
        spec = FEED["crm_contacts"]
        tz = spec.tz
        created_ts = self.clock.local_ts(contact.created_day, tz, 9, 21)
        versions: list[tuple[int, Record]] = [(created_ts, dict(contact.values))]
        current = dict(contact.values)
        changes = list(contact.changes)
        if p.moved_on is not None and p.moved_on > contact.created_day and current["address_line"]:
            line, city, postcode = noise.address(rng, p.address_on(p.moved_on), native=True)
            changes.append(
                (p.moved_on + rng.randint(0, 20), {"address_line": line, "city": city, "postcode": postcode})
            )
        if rng.random() < 0.05 and contact.created_day < self.last:
            changes.append(
                (rng.randint(contact.created_day + 1, self.last), {"sms_opt_in": not current["sms_opt_in"]})
            )
        for day, change in sorted(changes, key=lambda c: c[0]):
            if day > self.last:
                continue
            current = {**current, **change}
            versions.append((self.clock.local_ts(day, tz, 9, 21), dict(current)))
        created_text = self.clock.text(spec.patterns["created_at"], created_ts, tz)
        updated = spec.patterns["updated_at"]

        def stamp(row: Record, ts: int) -> None:
            row["created_at"] = created_text
            row["updated_at"] = self.clock.text(updated, ts, tz)

        self.snapshots(spec, versions, p.index, stamp)

    def shop_entity(self, p: Person, created: int, login: str) -> Entity:
        """A shop account signed up with the address ``login``, as the customer filled it in."""
        rng = self.rng
        spec = FEED["shop_accounts"]
        email, typo = noise.email(rng, login, typo_rate=0.03)
        first = last = None
        if rng.random() < 0.55:
            if p.chinese and rng.random() < 0.3:
                last, first = noise.hanzi(rng, p)
            else:
                first, last = noise.western_parts(rng, p)
        address = p.address_on(created)
        line, city, postcode = (
            noise.address(rng, address, native=False) if rng.random() < 0.55 else (None, None, None)
        )
        values: Record = {
            "account_id": self.account_ids.next(),
            "email": email,
            "phone": noise.phone(rng, self.mobile(p), p.country, spec.contract.phone_region)
            if rng.random() < 0.8
            else None,
            "nickname": _nickname(rng, p),
            "first_name": first,
            "last_name": last,
            "birth_date": self.birth_text(p, spec, "birth_date") if rng.random() < 0.35 else None,
            "address_line": line,
            "city": city,
            "postcode": postcode,
            "country_code": address.country if line else None,
            "marketing_opt_in": rng.random() < 0.55,
        }
        return Entity(
            values["account_id"], created, values, email, typo, bool(values["marketing_opt_in"]), login
        )

    def shop_rows(self, p: Person, account: Entity, devices: list[Device]) -> None:
        """The account's versions: created, then moves, consent changes and new devices."""
        rng = self.rng
        spec = FEED["shop_accounts"]
        created_ts = self.clock.local_ts(account.created_day, UTC, 0, 24)
        changes = list(account.changes)
        if p.moved_on is not None and p.moved_on > account.created_day and account.values["address_line"]:
            line, city, postcode = noise.address(rng, p.address_on(p.moved_on), native=False)
            changes.append(
                (p.moved_on + rng.randint(0, 10), {"address_line": line, "city": city, "postcode": postcode})
            )
        for device in devices:
            if account.created_day < device.first_day <= self.last:
                changes.append((device.first_day, {}))
        current = dict(account.values)
        versions = [(created_ts, current)]
        for day, change in sorted(changes, key=lambda c: c[0]):
            if day <= self.last:
                current = {**current, **change}
                versions.append((self.clock.local_ts(day, UTC, 0, 24), current))
        created_text = self.clock.text(spec.patterns["created_at"], created_ts, UTC)
        updated = spec.patterns["updated_at"]

        def stamp(row: Record, ts: int) -> None:
            day = self.clock.utc_day(ts)
            row["device_ids"] = [d.device_id for d in devices if d.first_day <= day] or None
            row["created_at"] = created_text
            row["updated_at"] = self.clock.text(updated, ts, UTC)

        self.snapshots(spec, versions, p.index, stamp)

    def loyalty_entity(self, p: Person, known: int, pos_days: list[int]) -> Entity:
        """A loyalty membership: enrolled at the first store visit or soon after first contact."""
        rng = self.rng
        spec = FEED["loyalty_members"]
        enrolled = (
            pos_days[0] if pos_days and rng.random() < 0.7 else min(self.last, known + rng.randint(0, 60))
        )
        number = f"6288{self.card_ids.number():011d}"
        card = number + luhn_digit(number)
        if p.chinese:
            family, given = noise.hanzi(rng, p)
            name = family + given
        else:
            first, last = noise.western_parts(rng, p)
            name = f"{first.strip()} {last.strip()}"
        email = noise.email(rng, self.pick_email(p))[0] if rng.random() < 0.62 else None
        values: Record = {
            "member_id": self.member_ids.next(),
            "card_number": card,
            "full_name": name,
            "phone": noise.phone(rng, p.mobiles[0], p.country, spec.contract.phone_region)
            if rng.random() < 0.92
            else None,
            "email": email,
            "birth_date": self.birth_text(p, spec, "birth_date") if rng.random() < 0.75 else None,
            "tier": "basic",
            "points_balance": 0,
            "status": "active",
        }
        return Entity(values["member_id"], enrolled, values)

    def loyalty_rows(self, p: Person, member: Entity, completed: list[Order]) -> None:
        """Membership versions: points and tier follow spend; a few memberships close."""
        rng = self.rng
        spec = FEED["loyalty_members"]
        tz = spec.tz
        enrolled_ts = self.clock.local_ts(member.created_day, tz, 10, 22)
        current = dict(member.values)
        versions = [(enrolled_ts, dict(current))]
        earned: list[tuple[int, int]] = []
        balance = 0
        eligible = [o for o in completed if o.day >= member.created_day]
        keep = set(rng.sample(range(len(eligible)), min(len(eligible), 3)))
        for i, order in enumerate(eligible):
            points = int(self.net(order) / self.rates["CNY"])
            earned.append((order.day, points))
            balance += points
            if balance > 3000 and rng.random() < 0.1:
                balance -= rng.choice((500, 1000, 2000))
            if i not in keep:
                continue
            year = sum(pts for day, pts in earned if order.day - day < 365)
            tier = next(name for floor, name in _TIERS if year >= floor)
            current = {**current, "points_balance": balance, "tier": tier}
            versions.append((order.ts + rng.randint(60_000, 7_200_000), dict(current)))
        if p.stage == "churned" and rng.random() < 0.15 and completed:
            day = completed[-1].day + rng.randint(200, 400)
            if day <= self.last:
                current = {**current, "status": "closed"}
                versions.append((self.clock.local_ts(day, tz, 10, 22), dict(current)))
        enrolled_text = self.clock.text(spec.patterns["enrolled_at"], enrolled_ts, tz)
        updated = spec.patterns["updated_at"]

        def stamp(row: Record, ts: int) -> None:
            row["enrolled_at"] = enrolled_text
            row["updated_at"] = self.clock.text(updated, ts, tz)

        self.snapshots(spec, versions, p.index, stamp)

    def snapshots(
        self,
        spec: FeedSpec,
        versions: list[tuple[int, Record]],
        person: int,
        stamp: Callable[[Record, int], None],
    ) -> None:
        """Emit an entity's versions, given in the order they happened.

        Version times are made strictly increasing, ``stamp`` writes them into the row, and a daily
        export carries only the last version of each day.
        """
        by_day: dict[int, tuple[int, Record]] = {}
        previous = -(1 << 62)
        for ts, values in versions:
            moment = max(ts, previous + 60_000)
            previous = moment
            row = dict(values)
            stamp(row, moment)
            by_day[self.clock.local_day(moment, spec.tz)] = (moment, row)
        for day, (moment, row) in sorted(by_day.items()):
            self.emit(spec, day, moment, row, person, late_ok=False)

    # --- engagement ---------------------------------------------------------------------------------

    def email_engagement(self, p: Person, stage: str, contacts: list[Entity], accounts: list[Entity]) -> None:
        """Campaign sends to subscribed addresses; opens, clicks, bounces and unsubscribes."""
        rng = self.rng
        spec = FEED["email_engagement"]
        pattern = spec.patterns["occurred_at"]
        source = next((e for e in [*contacts, *accounts] if e.opt_in and e.email), None)
        if source is None or source.email is None:
            return
        address = source.email
        first_week = (source.created_day + 7) // 7
        weeks = list(range(first_week, (self.last - 1) // 7 + 1))
        if not weeks:
            return
        sends = sorted(rng.sample(weeks, min(len(weeks), max(0, int(rng.gauss(len(weeks) * 0.03, 1.0))))))
        open_rate = _OPEN_RATE[stage]
        for week in sends:
            day = week * 7 + 1
            campaign_day = self.start + dt.timedelta(days=day)
            iso = campaign_day.isocalendar()
            campaign = f"CMP-{iso[0]}-W{iso[1]:02d}"
            sent = self.clock.base_ms + day * DAY_MS + 2 * 3_600_000 + rng.randrange(3 * 3_600_000)
            events: list[tuple[str, int, str | None]] = [("sent", sent, None)]
            stop = False
            if source.email_typo:
                events.append(("bounce", sent + rng.randint(30_000, 900_000), None))
                stop = True
            elif rng.random() < open_rate:
                opened = sent + rng.randint(600_000, 48 * 3_600_000)
                events.append(("open", opened, None))
                if rng.random() < 0.35:
                    landing = rng.choice(_CAMPAIGN_PAGES)
                    link = f"https://shop.example.com/{landing}?utm_source=email&utm_campaign={campaign}"
                    events.append(("click", opened + rng.randint(5_000, 1_800_000), link))
                if rng.random() < (0.06 if stage in {"declining", "churned"} else 0.02):
                    events.append(("unsubscribe", opened + rng.randint(10_000, 600_000), None))
                    stop = True
            for event, moment, url in events:
                values: Record = {
                    "event_id": f"{rng.getrandbits(96):024x}",
                    "email": address,
                    "campaign_id": campaign,
                    "event_type": event,
                    "occurred_at": self.clock.text(pattern, moment, UTC),
                    "link_url": url,
                }
                self.emit(spec, self.clock.utc_day(moment), moment, values, p.index)
            if stop:
                if events[-1][0] == "unsubscribe":
                    change_day = self.clock.utc_day(events[-1][1]) + rng.randint(0, 2)
                    flag = "email_opt_in" if "contact_id" in source.values else "marketing_opt_in"
                    source.changes.append((change_day, {flag: False}))
                break

    def tickets(self, p: Person, stage: str, orders: list[Order], known: int) -> None:
        """Help-desk tickets: more for refunds and unhappy customers; each opened, then solved."""
        rng = self.rng
        troubled = [o for o in orders if o.status != "completed"]
        chance = 0.08 + (0.35 if troubled else 0.0) + (0.08 if stage in {"declining", "churned"} else 0.0)
        if rng.random() >= chance:
            return
        for _ in range(1 if rng.random() < 0.8 else 2):
            about = (
                rng.choice(troubled)
                if troubled and rng.random() < 0.7
                else (rng.choice(orders) if orders and rng.random() < 0.5 else None)
            )
            day = min(self.last, (about.day if about else known) + rng.randint(0, 7))
            self.ticket(p, about, day)

    def ticket(self, p: Person, about: Order | None, day: int) -> None:
        """One ticket's versions (open, solved, sometimes closed)."""
        rng = self.rng
        spec = FEED["support_tickets"]
        tz = spec.tz
        channel = _TICKET_CHANNELS.pick(rng)
        if p.chinese and rng.random() < 0.15:
            family, given = noise.hanzi(rng, p)
            name: str | None = family + given
        else:
            name = noise.full_latin(rng, p) if rng.random() < 0.95 else None
        email = (
            noise.email(rng, self.pick_email(p, work_share=0.3))[0]
            if channel != "phone" or rng.random() < 0.3
            else None
        )
        phone = None
        if channel == "phone" or rng.random() < 0.4:
            number = p.landline if p.landline and rng.random() < 0.2 else self.mobile(p)
            phone = noise.phone(rng, number, p.country, spec.contract.phone_region)
        if about is None:
            category = rng.choice(("product", "account", "other", "delivery"))
        elif about.status in ("refunded", "partially_refunded", "cancelled"):
            category = "refund"
        else:
            category = rng.choice(("delivery", "product", "refund"))
        opened = self.clock.local_ts(day, tz, 8, 20)
        base: Record = {
            "ticket_id": self.ticket_ids.next(),
            "requester_name": name,
            "requester_email": email,
            "requester_phone": phone,
            "opened_at": self.clock.text(spec.patterns["opened_at"], opened, tz),
            "status": "open",
            "priority": _PRIORITIES.pick(rng),
            "category": category,
            "contact_channel": channel,
            "csat_score": None,
            "order_ref": about.order_id if about and rng.random() < 0.8 else None,
        }
        solved = opened + rng.randint(3_600_000, 5 * DAY_MS)
        versions = [(opened, {**base})]
        csat = (_CSAT_REFUND if category == "refund" else _CSAT).pick(rng)
        versions.append(
            (solved, {**base, "status": "solved", "csat_score": csat if rng.random() < 0.6 else None})
        )
        if rng.random() < 0.4:
            versions.append((solved + rng.randint(3, 7) * DAY_MS, {**versions[-1][1], "status": "closed"}))
        updated = spec.patterns["updated_at"]

        def stamp(row: Record, ts: int) -> None:
            row["updated_at"] = self.clock.text(updated, ts, tz)

        self.snapshots(spec, versions, p.index, stamp)

    def nps(
        self, p: Person, stage: str, completed: list[Order], contacts: list[Entity], accounts: list[Entity]
    ) -> None:
        """Survey answers after purchases: promoters among loyal customers, detractors among lapsing ones."""
        rng = self.rng
        if not completed or rng.random() >= (0.28 if stage == "mature" else 0.18):
            return
        spec = FEED["nps_surveys"]
        for _ in range(1 if rng.random() < 0.85 else 2):
            order = rng.choice(completed)
            moment = order.ts + rng.randint(2, 14) * DAY_MS + rng.randint(0, DAY_MS)
            channel = _SURVEY_CHANNELS.pick(rng)
            contact = contacts[0].key if contacts and channel != "app" and rng.random() < 0.6 else None
            email = None
            if channel == "email" and rng.random() < 0.9:
                email = noise.email(rng, self.pick_email(p))[0]
            elif channel == "app" and accounts and rng.random() < 0.7:
                email = accounts[0].email
            if channel == "sms" and contact is None:
                channel = "email"
            promoter, passive = _NPS[stage]
            roll = rng.random()
            score = (
                rng.randint(9, 10)
                if roll < promoter
                else rng.randint(7, 8)
                if roll < promoter + passive
                else rng.randint(0, 6)
            )
            comments = (
                data.NPS_COMMENTS_POSITIVE
                if score >= 9
                else data.NPS_COMMENTS_NEUTRAL
                if score >= 7
                else data.NPS_COMMENTS_NEGATIVE
            )
            values: Record = {
                "response_id": self.response_ids.next(),
                "contact_id": contact,
                "email": email,
                "score": score,
                "comment": rng.choice(comments) if rng.random() < 0.4 else None,
                "responded_at": self.clock.text(spec.patterns["responded_at"], moment, UTC),
                "survey_channel": channel,
            }
            self.emit(spec, self.clock.utc_day(moment), moment, values, p.index)

    # --- output -------------------------------------------------------------------------------------

    def emit(
        self, spec: FeedSpec, batch: int, key: int, values: Record, person: int, late_ok: bool = True
    ) -> None:
        """Queue a good row for batch day ``batch``; rows outside the period are dropped."""
        if batch < 0 or batch > self.last:
            return
        if late_ok and spec.contract.dedupe == "key" and self.rng.random() < LATE_RATE:
            later = batch + self.rng.randint(1, 3)
            if later <= self.last:
                batch = later
        if self.profile.reshapes_rows:
            shaped = self.profile.shape(spec.contract, values, self.rng)
            if shaped is None:
                return
            values = shaped
        self.seq += 1
        self.rows[spec.index].append(Rec(batch, key, values, person, self.seq))

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def truth(self, p: Person, completed: list[Order]) -> None:
        """The person's truth row and their stage at every month end."""
        rows = self.people_rows
        address = p.address_on(self.last)
        purchases = sorted((o.day, self.net(o)) for o in completed)
        rows["person_id"].append(p.person_id)
        rows["country"].append(p.country)
        rows["gender"].append(p.gender)
        rows["birth_date"].append(p.birth)
        rows["given_name"].append(p.given)
        rows["family_name"].append(p.family)
        rows["given_name_hanzi"].append(p.given_native)
        rows["family_name_hanzi"].append(p.family_native)
        rows["emails"].append(p.emails)
        rows["phones"].append(p.phones)
        rows["address_line"].append(address.clean_line())
        rows["city"].append(address.city)
        rows["postcode"].append(address.postcode)
        rows["moved_on"].append(
            self.start + dt.timedelta(days=p.moved_on) if p.moved_on is not None else None
        )
        rows["household_id"].append(p.household_id)
        rows["twin_of"].append(p.twin_of)
        rows["namesake_group"].append(p.namesake_group)
        rows["loyalty_member"].append(p.loyalty_member)
        rows["target_stage"].append(p.stage)
        rows["first_order_date"].append(
            self.start + dt.timedelta(days=purchases[0][0]) if purchases else None
        )
        rows["last_order_date"].append(
            self.start + dt.timedelta(days=purchases[-1][0]) if purchases else None
        )
        rows["completed_orders"].append(len(purchases))
        rows["net_revenue"].append(round(sum(v for _, v in purchases), 2))
        life = self.life_rows
        history = [Purchase(self.start + dt.timedelta(days=day), value) for day, value in purchases]
        first = history[0].day if history else None
        last = history[-1].day if history else None
        months = self.month_ends
        life["person_id"] += [p.person_id] * len(months)
        life["month_end"] += months
        stages = life["stage"]
        reasons = life["reasons"]
        lapsed: StageResult | None = None
        for month_end in months:
            if first is None or month_end < first:
                stages.append("prospect")
                reasons.append(["NO_ORDERS"])
                continue
            # Past the last order, a churned customer stays churned: classify once, reuse the result.
            result = lapsed or classify(history, month_end, self.rules)
            if result.stage == "churned" and last is not None and month_end > last:
                lapsed = result
            stages.append(result.stage)
            reasons.append(list(result.reasons))

    def assemble(self) -> tuple[list[FileGroup], pa.Table, dict[str, int], dict[str, int]]:
        """Add bad rows, group rows into files and build the truth rows in file order."""
        config = self.config
        broken = broken_column(config.break_column) if config.break_column else None
        groups: list[FileGroup] = []
        columns: dict[str, list[Any]] = {name: [] for name in TRUTH_RECORDS.names}
        rows_by_feed: dict[str, int] = {}
        bad_by_feed: dict[str, int] = {}
        for spec in SPECS:
            rng = random.Random(chunk_seed(config.seed, self.index, f"defects:{spec.feed}"))
            maker = DefectMaker(spec, rng, self.start, self.last, self._key_maker(spec, rng))
            good = self.rows[spec.index]
            if broken and broken[0] == spec.feed:
                breaker = ColumnBreaker(spec, broken[1], rng, maker)
                for rec in good:
                    breaker.apply(rec)
                rows = good
            else:
                rows = good + maker.inject(good, config.bad_rate_for(spec.feed), self._next_seq)
            rows_by_feed[spec.feed] = len(rows)
            bad_by_feed[spec.feed] = sum(1 for r in rows if r.reason)
            by_batch: dict[int, list[Rec]] = {}
            for rec in rows:
                by_batch.setdefault(rec.batch, []).append(rec)
            for batch in sorted(by_batch):
                batch_rows = sorted(by_batch[batch], key=_ORDER)
                day = self.start + dt.timedelta(days=batch)
                path = spec.relative_path(day)
                lines = [maker.line(rec) for rec in batch_rows]
                groups.append(
                    FileGroup(spec.feed, path, spec.header(), b"\n".join(lines) + b"\n", len(lines))
                )
                count = len(batch_rows)
                columns["feed"] += [spec.feed] * count
                columns["channel"] += [spec.contract.channel] * count
                columns["source_file"] += [path] * count
                columns["line_number"] += list(range(count))
                columns["batch_date"] += [day] * count
                columns["source_id"] += [_key_text(rec.values.get(spec.key)) for rec in batch_rows]
                columns["person_id"] += [
                    f"P{rec.person:07d}" if rec.person >= 0 else None for rec in batch_rows
                ]
                columns["is_bad"] += [rec.reason is not None for rec in batch_rows]
                columns["expected_reasons"] += [[rec.reason] if rec.reason else [] for rec in batch_rows]
        return groups, pa.table(columns, schema=TRUTH_RECORDS), rows_by_feed, bad_by_feed

    def _key_maker(self, spec: FeedSpec, rng: random.Random) -> Any:
        makers = {
            "crm_contacts": self.contact_ids.next,
            "shop_accounts": self.account_ids.next,
            "orders_online": self.order_ids.next,
            "orders_pos": lambda: (
                f"{rng.choice(data.STORES)[0]}-{self.start:%y%m%d}-{self.receipt_ids.number():08d}"
            ),
            "support_tickets": self.ticket_ids.next,
            "nps_surveys": self.response_ids.next,
            "loyalty_members": self.member_ids.next,
            "web_app_events": lambda: _uuid(rng),
            "email_engagement": lambda: f"{rng.getrandbits(96):024x}",
        }
        return makers[spec.feed]


def _key_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def _random_sku(rng: random.Random) -> str:
    cat = _CATEGORIES.pick(rng)
    return f"{cat[1]}-{rng.randint(10_000, 10_000 + data.SKUS_PER_CATEGORY):05d}"


def _card_typed(rng: random.Random, card: str) -> str:
    """A card number as typed at checkout: sometimes in groups of four."""
    if rng.random() < 0.3:
        return " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    return card


def _nickname(rng: random.Random, p: Person) -> str:
    """The display name a customer picks."""
    given = noise.given_name(rng, p, nickname_rate=0.4)
    kind = rng.random()
    if kind < 0.3 and p.given_native and p.family_native:
        return p.given_native if len(p.given_native) > 1 else p.family_native + p.given_native
    if kind < 0.55:
        return given
    if kind < 0.8:
        return f"{given.lower().replace(' ', '')}{rng.randint(1, 99)}"
    return f"{given.lower().replace(' ', '')}_{p.family[:1].lower()}"
