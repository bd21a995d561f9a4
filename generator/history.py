"""Purchase histories built backwards from a lifecycle stage.

Each person is given a target stage at the as-of date; the functions here choose the days and values of
their completed purchases so that :func:`schemas.lifecycle.classify` puts them in exactly that stage.
Callers verify with ``classify`` after turning the plan into real orders (currency rounding and partial
refunds change the net values) and plan again if needed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infra.settings import LifecycleSettings
from schemas.lifecycle import Purchase, StageResult, classify

# Share of each stage in the population at the as-of date.
STAGE_WEIGHTS: dict[str, float] = {
    "prospect": 0.12,
    "new": 0.10,
    "growth": 0.22,
    "mature": 0.14,
    "declining": 0.14,
    "churned": 0.20,
    "won_back": 0.08,
}


@dataclass(frozen=True, slots=True)
class PlannedPurchase:
    """A completed purchase to create: the day (index into the period) and its value in CNY."""

    day: int
    value_cny: float


def feasible_stages(days: int, rules: LifecycleSettings) -> list[str]:
    """The stages a history inside a period of ``days`` days can end in (short periods rule some out)."""
    last = days - 1
    stages = ["prospect", "new", "growth"]
    if last >= rules.declining_days + 1:
        stages.append("declining")
    if last >= rules.churn_days + 1:
        stages += ["churned", "won_back"]
    if last >= rules.mature_min_tenure_days and last >= rules.mature_min_orders_365d:
        stages.append("mature")
    return [s for s in STAGE_WEIGHTS if s in stages]


def classify_days(
    purchases: Sequence[tuple[int, float]], start: dt.date, as_of: dt.date, rules: LifecycleSettings
) -> StageResult:
    """``classify`` for (day index, net value in the reporting currency) pairs."""
    return classify(
        [Purchase(start + dt.timedelta(days=day), value) for day, value in purchases], as_of, rules
    )


class HistoryPlanner:
    """Plans completed purchases that end in a target stage, for one period and one set of rules."""

    def __init__(self, start: dt.date, days: int, rules: LifecycleSettings) -> None:
        self.start = start
        self.last = days - 1
        self.as_of = start + dt.timedelta(days=self.last)
        self.rules = rules
        cny_rate = rules.currency_rates.get("CNY", 1.0)
        self.cny_to_reporting = cny_rate
        self.mature_revenue_cny = rules.mature_min_revenue_365d / cny_rate if cny_rate else 0.0
        self._planners: dict[str, Callable[[random.Random], list[int]]] = {
            "prospect": lambda rng: [],
            "new": self._new,
            "growth": self._growth,
            "mature": self._mature,
            "declining": self._declining,
            "churned": self._churned,
            "won_back": self._won_back,
        }

    def plan(self, rng: random.Random, stage: str, spend_cny: float) -> list[PlannedPurchase]:
        """Purchases (sorted by day) whose classification is ``stage``, assuming values as planned.

        Tries a few random shapes; a plan that classifies differently is discarded. Returns an empty
        list (a prospect) only for ``prospect`` or when the stage cannot be reached in this period.
        """
        for _ in range(40):
            days = sorted(self._planners[stage](rng))
            if any(d < 0 or d > self.last for d in days):
                continue
            values = [spend_cny * math.exp(rng.gauss(0.0, 0.35)) for _ in days]
            if stage == "mature":
                values = self._lift_to_mature(days, values)
            plan = [PlannedPurchase(d, round(v, 2)) for d, v in zip(days, values, strict=True)]
            result = classify_days(
                [(p.day, p.value_cny * self.cny_to_reporting) for p in plan],
                self.start,
                self.as_of,
                self.rules,
            )
            if result.stage == stage:
                return plan
        return []

    def _lift_to_mature(self, days: list[int], values: list[float]) -> list[float]:
        """Scale values up so the last 365 days clear the mature revenue bar with room for refunds."""
        year = [i for i, d in enumerate(days) if self.last - d < 365]
        revenue = sum(values[i] for i in year)
        needed = self.mature_revenue_cny * 1.3
        if revenue >= needed or revenue <= 0:
            return values
        factor = needed / revenue
        return [v * factor if i in year else v for i, v in enumerate(values)]

    def _recent(self, rng: random.Random) -> int:
        return self.last - rng.randint(0, min(self.last, self.rules.declining_days))

    def _back_from(self, rng: random.Random, day: int, count: int, max_gap: int) -> list[int]:
        """``count`` earlier days going back from ``day`` with gaps of at most ``max_gap``."""
        days = []
        current = day
        for _ in range(count):
            current -= rng.randint(7, max(8, max_gap))
            if current < 0:
                break
            days.append(current)
        return days

    def _new(self, rng: random.Random) -> list[int]:
        return [self._recent(rng)]

    def _growth(self, rng: random.Random) -> list[int]:
        r = self.rules
        last = self._recent(rng)
        count = rng.randint(1, max(1, min(4, r.mature_min_orders_365d - 2)))
        gap = min(r.churn_days, 120)
        earlier = self._back_from(rng, last, count, gap)
        if not earlier:
            earlier = [max(0, last - rng.randint(0, min(last, 30)))]
        return [last, *earlier]

    def _mature(self, rng: random.Random) -> list[int]:
        r = self.rules
        in_year = rng.randint(r.mature_min_orders_365d, r.mature_min_orders_365d + 4)
        window = min(365, self.last + 1)
        # Evenly spread with jitter keeps recent frequency level with the half-year before.
        step = window / in_year
        days = [self.last - int(step * i + rng.uniform(0, step * 0.8)) for i in range(in_year)]
        days[0] = self.last - rng.randint(0, min(45, r.declining_days))
        first_needed = self.last - r.mature_min_tenure_days
        earliest = min(days)
        if earliest > first_needed:
            earlier = self._back_from(rng, earliest, rng.randint(1, 2), min(r.churn_days, 90))
            earlier = [d for d in earlier if d >= 0]
            if not earlier or min(earlier) > first_needed:
                earlier.append(max(0, first_needed - rng.randint(0, 30)))
            days += earlier
        return days

    def _declining(self, rng: random.Random) -> list[int]:
        r = self.rules
        window = r.declining_window_days
        frequency_possible = self.last >= 2 * window - 1 and r.declining_min_prior_orders <= 12
        if frequency_possible and rng.random() < 0.4:
            prior = rng.randint(r.declining_min_prior_orders, r.declining_min_prior_orders + 4)
            recent = max(1, math.ceil(r.declining_frequency_ratio * prior) - 1)
            lo, hi = self.last - 2 * window + 1, self.last - window
            prior_days = [rng.randint(max(lo, hi - 120), hi) for _ in range(prior)]
            recent_days = [
                self.last - rng.randint(0, min(r.declining_days, window - 1)) for _ in range(recent)
            ]
            return prior_days + recent_days
        last = self.last - rng.randint(r.declining_days + 1, min(self.last, r.churn_days))
        return [last, *self._back_from(rng, last, rng.randint(0, 4), min(r.churn_days, 100))]

    def _churned(self, rng: random.Random) -> list[int]:
        r = self.rules
        latest = self.last - r.churn_days - 1
        last = latest - int(rng.random() ** 2 * latest)
        return [last, *self._back_from(rng, last, rng.randint(0, 3), min(r.churn_days, 120))]

    def _won_back(self, rng: random.Random) -> list[int]:
        r = self.rules
        comeback = self.last - rng.randint(0, min(r.won_back_days, self.last - r.churn_days - 1))
        gap = rng.randint(r.churn_days + 1, r.churn_days + 240)
        before = comeback - gap
        if before < 0:
            before = rng.randint(0, comeback - r.churn_days - 1)
        after = [rng.randint(comeback, self.last) for _ in range(rng.choice((0, 0, 1, 2)))]
        earlier = self._back_from(rng, before, rng.randint(0, 4), min(r.churn_days, 90))
        return [comeback, before, *after, *earlier]
