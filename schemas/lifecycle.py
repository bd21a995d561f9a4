"""The lifecycle stage rules, as plain Python: the reference the Spark implementation is tested against.

Exactly one stage per customer, first matching rule wins, for an explicit as-of date:

1. ``churned`` (流失): has bought, but not for more than ``churn_days``.
2. ``won_back`` (挽回): came back after a gap of more than ``churn_days`` between two orders, and that
   comeback order is at most ``won_back_days`` old.
3. ``declining`` (衰退): no order for more than ``declining_days``, or frequency falling: fewer orders in
   the last ``declining_window_days`` than ``declining_frequency_ratio`` times the window before, with at
   least ``declining_min_prior_orders`` orders in that earlier window.
4. ``mature`` (成熟): first order at least ``mature_min_tenure_days`` ago, and in the last 365 days at
   least ``mature_min_orders_365d`` orders worth at least ``mature_min_revenue_365d``.
5. ``growth`` (成长): two or more orders.
6. ``new`` (新客): exactly one order.
7. ``prospect`` (潜在): known, never bought.

Only *completed* orders count: not cancelled and not fully refunded; their value is the net amount after
refunds, in the reporting currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from infra.settings import LifecycleSettings

STAGES = ("churned", "won_back", "declining", "mature", "growth", "new", "prospect")


@dataclass(frozen=True)
class Purchase:
    """One completed order: its date and net value in the reporting currency."""

    day: dt.date
    net_amount: float


@dataclass(frozen=True)
class StageResult:
    """A stage with the reason codes that put the customer there."""

    stage: str
    reasons: tuple[str, ...]


def classify(purchases: Iterable[Purchase], as_of: dt.date, rules: LifecycleSettings) -> StageResult:
    """The lifecycle stage of a customer with these completed purchases, as of a date.

    Purchases after ``as_of`` are ignored, so any past date can be recomputed.

    Example:
        >>> from infra.settings import LifecycleSettings
        >>> classify([Purchase(dt.date(2025, 1, 1), 50.0)], dt.date(2025, 1, 31), LifecycleSettings())
        StageResult(stage='new', reasons=('ONE_ORDER',))
    """
    known = [p for p in purchases if p.day <= as_of]
    days = sorted(p.day for p in known)
    if not days:
        return StageResult("prospect", ("NO_ORDERS",))
    since_last = (as_of - days[-1]).days
    if since_last > rules.churn_days:
        return StageResult("churned", (f"NO_ORDER_{rules.churn_days}D",))
    comeback = _last_comeback(days, rules.churn_days)
    if comeback is not None and (as_of - comeback).days <= rules.won_back_days:
        return StageResult("won_back", (f"RETURNED_AFTER_{rules.churn_days}D_GAP",))
    window = rules.declining_window_days
    recent = sum(1 for d in days if (as_of - d).days < window)
    prior = sum(1 for d in days if window <= (as_of - d).days < 2 * window)
    reasons = []
    if since_last > rules.declining_days:
        reasons.append(f"NO_ORDER_{rules.declining_days}D")
    if prior >= rules.declining_min_prior_orders and recent < rules.declining_frequency_ratio * prior:
        reasons.append("FREQUENCY_FALLING")
    if reasons:
        return StageResult("declining", tuple(reasons))
    tenure = (as_of - days[0]).days
    last_year = [p for p in known if (as_of - p.day).days < 365]
    orders_year = len(last_year)
    revenue_year = sum(p.net_amount for p in last_year)
    if (
        tenure >= rules.mature_min_tenure_days
        and orders_year >= rules.mature_min_orders_365d
        and revenue_year >= rules.mature_min_revenue_365d
    ):
        return StageResult("mature", ("LONG_TENURE", "HIGH_FREQUENCY", "HIGH_VALUE"))
    if len(days) >= 2:
        return StageResult("growth", ("REPEAT_BUYER",))
    return StageResult("new", ("ONE_ORDER",))


def _last_comeback(days: list[dt.date], churn_days: int) -> dt.date | None:
    """The first order after the most recent gap longer than ``churn_days``."""
    for earlier, later in zip(reversed(days[:-1]), reversed(days[1:]), strict=True):
        if (later - earlier).days > churn_days:
            return later
    return None
