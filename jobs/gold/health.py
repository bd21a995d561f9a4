"""Customer health: a 0-100 score, a green / yellow / red band, and the factors behind the score.

Five factors add up to at most 100 points:

- recency (30) against the customer's own purchase cycle (mean days between orders; for one-order
  customers the ``declining_days`` threshold): within the cycle 30, up to 1.5 cycles 20, up to 2 cycles 10;
- purchase trend (20): completed orders in the last ``trend_window_days`` against the window before:
  steady or rising 20, first orders in the window 15, at least half 10, falling 0;
- digital engagement (20): sessions or email clicks in the last 90 days (fully engaged from
  ``engaged_sessions_90d`` sessions or ``engaged_clicks_90d`` clicks) 20, some 10, none 0;
- support (15): no open ticket 15, one 8, several 0;
- NPS (15): promoter 15, passive 10, never answered 8, detractor 0.

Each factor reports a code with its points, e.g. ``RECENCY_WITHIN_CYCLE:+30``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F

from infra.settings import LifecycleSettings, ProfileSettings


@dataclass(frozen=True)
class HealthInputs:
    """What the score is computed from, for one customer."""

    days_since_last_order: int | None
    cycle_days: float | None
    orders_recent: int
    orders_prior: int
    sessions_90d: int
    email_clicks_90d: int
    tickets_open: int
    nps_class: str | None


@dataclass(frozen=True)
class Health:
    """A score with its band and factor codes."""

    score: int
    band: str
    factors: tuple[str, ...]


def _recency(i: HealthInputs, lifecycle: LifecycleSettings) -> tuple[str, int]:
    if i.days_since_last_order is None:
        return "NO_ORDERS", 0
    cycle = i.cycle_days if i.cycle_days is not None else float(lifecycle.declining_days)
    ratio = i.days_since_last_order / max(cycle, 1.0)
    if ratio <= 1:
        return "RECENCY_WITHIN_CYCLE", 30
    if ratio <= 1.5:
        return "RECENCY_SLIGHTLY_LATE", 20
    if ratio <= 2:
        return "RECENCY_LATE", 10
    return "RECENCY_OVERDUE", 0


def _trend(i: HealthInputs) -> tuple[str, int]:
    if i.orders_recent == 0 and i.orders_prior == 0:
        return "NO_RECENT_ORDERS", 0
    if i.orders_prior == 0:
        return "TREND_NEW", 15
    if i.orders_recent >= i.orders_prior:
        return "TREND_STEADY", 20
    if 2 * i.orders_recent >= i.orders_prior:
        return "TREND_SLOWING", 10
    return "TREND_FALLING", 0


def _engagement(i: HealthInputs, settings: ProfileSettings) -> tuple[str, int]:
    if i.sessions_90d >= settings.engaged_sessions_90d or i.email_clicks_90d >= settings.engaged_clicks_90d:
        return "DIGITALLY_ENGAGED", 20
    if i.sessions_90d > 0 or i.email_clicks_90d > 0:
        return "SOME_DIGITAL_ACTIVITY", 10
    return "NO_DIGITAL_ACTIVITY", 0


def _support(i: HealthInputs) -> tuple[str, int]:
    if i.tickets_open == 0:
        return "NO_OPEN_TICKETS", 15
    if i.tickets_open == 1:
        return "OPEN_TICKET", 8
    return "SEVERAL_OPEN_TICKETS", 0


def _nps(i: HealthInputs) -> tuple[str, int]:
    return {
        "promoter": ("NPS_PROMOTER", 15),
        "passive": ("NPS_PASSIVE", 10),
        "detractor": ("NPS_DETRACTOR", 0),
    }.get(i.nps_class or "", ("NO_NPS", 8))


def band(score: int, settings: ProfileSettings) -> str:
    """green, yellow or red."""
    if score >= settings.health_green_min:
        return "green"
    return "yellow" if score >= settings.health_yellow_min else "red"


def health(inputs: HealthInputs, settings: ProfileSettings, lifecycle: LifecycleSettings) -> Health:
    """The health of one customer.

    Example:
        >>> from infra.settings import LifecycleSettings, ProfileSettings
        >>> inputs = HealthInputs(10, 30.0, 3, 3, 5, 0, 0, "promoter")
        >>> h = health(inputs, ProfileSettings(), LifecycleSettings())
        >>> h.score, h.band
        (100, 'green')
    """
    parts = [_recency(inputs, lifecycle), _trend(inputs), _engagement(inputs, settings), _support(inputs),
             _nps(inputs)]  # fmt: skip
    score = sum(points for _, points in parts)
    return Health(score, band(score, settings), tuple(f"{code}:+{points}" for code, points in parts))


def _factor(*cases: tuple[Column | None, str, int]) -> tuple[Column, Column]:
    """(code, points) columns from ``(condition, code, points)`` cases; the last has no condition."""
    code: Column = F.lit(cases[-1][1])
    points: Column = F.lit(cases[-1][2])
    for condition, name, value in reversed(cases[:-1]):
        assert condition is not None
        code = F.when(condition, F.lit(name)).otherwise(code)
        points = F.when(condition, F.lit(value)).otherwise(points)
    return code, points


def health_columns(
    days_since_last_order: Column,
    cycle_days: Column,
    orders_recent: Column,
    orders_prior: Column,
    sessions_90d: Column,
    email_clicks_90d: Column,
    tickets_open: Column,
    nps_class: Column,
    settings: ProfileSettings,
    lifecycle: LifecycleSettings,
) -> dict[str, Column]:
    """:func:`health` as Spark expressions: ``health_score``, ``health_band``, ``health_factors``."""
    cycle = F.greatest(F.coalesce(cycle_days, F.lit(float(lifecycle.declining_days))), F.lit(1.0))
    ratio = days_since_last_order / cycle
    factors = [
        _factor(
            (days_since_last_order.isNull(), "NO_ORDERS", 0),
            (ratio <= 1, "RECENCY_WITHIN_CYCLE", 30),
            (ratio <= 1.5, "RECENCY_SLIGHTLY_LATE", 20),
            (ratio <= 2, "RECENCY_LATE", 10),
            (None, "RECENCY_OVERDUE", 0),
        ),
        _factor(
            ((orders_recent == 0) & (orders_prior == 0), "NO_RECENT_ORDERS", 0),
            (orders_prior == 0, "TREND_NEW", 15),
            (orders_recent >= orders_prior, "TREND_STEADY", 20),
            (2 * orders_recent >= orders_prior, "TREND_SLOWING", 10),
            (None, "TREND_FALLING", 0),
        ),
        _factor(
            (
                (sessions_90d >= settings.engaged_sessions_90d)
                | (email_clicks_90d >= settings.engaged_clicks_90d),
                "DIGITALLY_ENGAGED",
                20,
            ),
            ((sessions_90d > 0) | (email_clicks_90d > 0), "SOME_DIGITAL_ACTIVITY", 10),
            (None, "NO_DIGITAL_ACTIVITY", 0),
        ),
        _factor(
            (tickets_open == 0, "NO_OPEN_TICKETS", 15),
            (tickets_open == 1, "OPEN_TICKET", 8),
            (None, "SEVERAL_OPEN_TICKETS", 0),
        ),
        _factor(
            (nps_class == "promoter", "NPS_PROMOTER", 15),
            (nps_class == "passive", "NPS_PASSIVE", 10),
            (nps_class == "detractor", "NPS_DETRACTOR", 0),
            (None, "NO_NPS", 8),
        ),
    ]
    score = sum((points for _, points in factors[1:]), factors[0][1])
    labels = F.array(*[F.concat(code, F.lit(":+"), points.cast("string")) for code, points in factors])
    band_column = (
        F.when(score >= settings.health_green_min, F.lit("green"))
        .when(score >= settings.health_yellow_min, F.lit("yellow"))
        .otherwise(F.lit("red"))
    )
    return {"health_score": score.cast("int"), "health_band": band_column, "health_factors": labels}
