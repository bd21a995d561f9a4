"""Customer lifetime value: BG/NBD for how many purchases, Gamma-Gamma for how much each is worth.

Both models are fitted by maximum likelihood (numpy / scipy) on per-customer summaries, in days:

- ``x``: repeat purchases (distinct purchase days after the first),
- ``t_x``: days from the first to the last purchase day, ``T``: days from the first purchase to the end of
  the period (the as-of date),
- ``m``: mean net value of the repeat purchase days.

The BG/NBD likelihood only depends on ``(x, t_x, T)``, so it is evaluated once per distinct combination
with the number of customers as weight: ten million customers collapse to a few hundred thousand rows and
fit in seconds. Gamma-Gamma is fitted the same way on ``(x, m)`` with ``m`` rounded to three significant
digits (a relative change below 0.05 %). Scoring runs in Spark as column expressions with the fitted
parameters; the Gauss hypergeometric function of the BG/NBD expectation is summed as its power series.

References: Fader, Hardie & Lee, "Counting your customers the easy way" (2005) and "RFM and CLV: using
iso-value curves for customer base analysis" (2005).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from scipy import optimize, special

MIN_CUSTOMERS = 20  # fewer buyers than this (or repeat buyers, for Gamma-Gamma): no model
MAX_SERIES_TERMS = 20_000


@dataclass(frozen=True)
class BgNbd:
    """BG/NBD parameters: purchase rates ~ Gamma(r, alpha), drop-out probabilities ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    """Gamma-Gamma parameters: order values ~ Gamma(p, nu), nu ~ Gamma(q, v) across customers."""

    p: float
    q: float
    v: float


def bgnbd_log_likelihood(model: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Log-likelihood of each customer summary under ``model``."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    safe = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(repeat, np.log(a) - np.log(safe) - (r + x) * np.log(alpha + t_x), -np.inf)
    return np.asarray(a1 + a2 + np.logaddexp(a3, a4))


def gamma_gamma_log_likelihood(model: GammaGamma, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Log-likelihood of each repeat buyer's (x, mean value) under ``model``."""
    p, q, v = model.p, model.q, model.v
    return np.asarray(
        special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(v)
        + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v)
    )  # fmt: skip


def _fit(negative_ll: Any, start: np.ndarray) -> np.ndarray:
    """Minimise over log-parameters (keeps them positive); falls back to Nelder-Mead if L-BFGS-B fails."""
    best = optimize.minimize(negative_ll, start, method="L-BFGS-B", bounds=[(-12.0, 12.0)] * len(start))
    if not best.success or not np.isfinite(best.fun):
        best = optimize.minimize(negative_ll, start, method="Nelder-Mead", options={"maxiter": 20_000})
    return np.exp(best.x)


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weights: np.ndarray | None = None) -> BgNbd:
    """Maximum-likelihood BG/NBD parameters for customer summaries (``weights``: customers per row)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    total = w.sum()

    def negative(logs: np.ndarray) -> float:
        ll = bgnbd_log_likelihood(BgNbd(*np.exp(logs)), x, t_x, T)
        value = -float(np.dot(w, ll)) / total
        return value if np.isfinite(value) else 1e300

    scale = max(float(np.average(T, weights=w)), 1.0)
    return BgNbd(*_fit(negative, np.log([1.0, scale, 1.0, 1.0])))


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray, weights: np.ndarray | None = None) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma parameters for repeat buyers (x > 0, m > 0)."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    total = w.sum()

    def negative(logs: np.ndarray) -> float:
        ll = gamma_gamma_log_likelihood(GammaGamma(*np.exp(logs)), x, m)
        value = -float(np.dot(w, ll)) / total
        return value if np.isfinite(value) else 1e300

    scale = max(float(np.average(m, weights=w)), 1e-6)
    return GammaGamma(*_fit(negative, np.log([1.0, 1.0, scale])))


def expected_purchases(model: BgNbd, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in the next ``t`` days given each customer's history (scipy's 2F1)."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    first = (a + b + x - 1) / (a - 1)
    second = 1 - hyp * ((alpha + T) / (alpha + T + t)) ** (r + x)
    return np.asarray(first * second / (1 + _dropout_odds(model, x, t_x, T)))


def probability_alive(model: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Probability each customer has not dropped out."""
    return np.asarray(1 / (1 + _dropout_odds(model, x, t_x, T)))


def _dropout_odds(model: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    safe = np.where(x > 0, b + x - 1, 1.0)
    return np.asarray(np.where(x > 0, a / safe * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0))


def expected_order_value(model: GammaGamma, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Expected value per purchase given x repeat purchases of mean value m (population mean when x = 0)."""
    p, q, v = model.p, model.q, model.v
    m = np.nan_to_num(np.asarray(m, dtype=float))
    return np.asarray((v + x * m) * p / (p * x + q - 1))


def simulate_bgnbd(model: BgNbd, T: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw (x, t_x) for customers observed for T days, from the BG/NBD process itself."""
    n = len(T)
    rates = rng.gamma(model.r, 1 / model.alpha, n)
    dropout = rng.beta(model.a, model.b, n)
    now = np.zeros(n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        wait = rng.exponential(1 / np.maximum(rates, 1e-12))
        nxt = now + wait
        buys = alive & (nxt < T)
        x[buys] += 1
        t_x[buys] = nxt[buys]
        now = np.where(buys, nxt, now)
        # After each repeat purchase the customer drops out with probability p.
        alive = buys & (rng.random(n) >= dropout)
    return x, t_x


def simulate_gamma_gamma(model: GammaGamma, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw each repeat buyer's mean purchase value over x purchases."""
    nu = rng.gamma(model.q, 1 / model.v, len(x))
    # The sum of x Gamma(p, nu) values is Gamma(p x, nu).
    return np.asarray(rng.gamma(model.p * x, 1 / nu) / x)


# ---- Spark ---------------------------------------------------------------------------------------


def summaries(purchases: DataFrame, as_of: dt.date, holdout_days: int) -> DataFrame:
    """Per customer with a purchase by ``as_of``: the model inputs for the whole period and for the
    calibration period that ends ``holdout_days`` earlier, and what happened in the holdout.

    Columns: ``x, t_x, T, m`` (whole period; m null when x = 0), ``cal_x, cal_t_x, cal_T, cal_m`` (null
    for customers whose first purchase is in the holdout), ``first_value`` (value of the first purchase
    day), ``holdout_orders`` and ``holdout_value`` (purchase days and net value after the calibration end).

    Args:
        purchases: ``customer_id, day, amount`` rows, one per completed order.
    """
    end = F.lit(as_of - dt.timedelta(days=holdout_days))
    days = (
        purchases.filter(F.col("day") <= F.lit(as_of))
        .groupBy("customer_id", "day")
        .agg(F.sum("amount").alias("amount"))
    )
    early = F.col("day") <= end
    per_customer = days.groupBy("customer_id").agg(
        F.count(F.lit(1)).alias("_days"),
        F.min("day").alias("_first"),
        F.max("day").alias("_last"),
        F.sum("amount").alias("_total"),
        F.min_by("amount", "day").alias("first_value"),
        F.count(F.when(early, 1)).alias("_cal_days"),
        F.max(F.when(early, F.col("day"))).alias("_cal_last"),
        F.sum(F.when(early, F.col("amount"))).alias("_cal_total"),
        F.count(F.when(~early, 1)).cast("double").alias("holdout_orders"),
        F.coalesce(F.sum(F.when(~early, F.col("amount"))), F.lit(0.0)).alias("holdout_value"),
    )
    x = (F.col("_days") - 1).cast("double")
    cal_x = (F.col("_cal_days") - 1).cast("double")
    calibrated = F.col("_cal_days") > 0
    return per_customer.select(
        "customer_id",
        x.alias("x"),
        F.datediff("_last", "_first").cast("double").alias("t_x"),
        F.datediff(F.lit(as_of), "_first").cast("double").alias("T"),
        F.when(x > 0, (F.col("_total") - F.col("first_value")) / x).alias("m"),
        F.when(calibrated, cal_x).alias("cal_x"),
        F.when(calibrated, F.datediff("_cal_last", "_first").cast("double")).alias("cal_t_x"),
        F.when(calibrated, F.datediff(end, "_first").cast("double")).alias("cal_T"),
        F.when(calibrated & (cal_x > 0), (F.col("_cal_total") - F.col("first_value")) / cal_x).alias("cal_m"),
        "first_value",
        "holdout_orders",
        "holdout_value",
    )


def _three_digits(value: Column) -> Column:
    scale = F.pow(F.lit(10.0), F.floor(F.log10(value)) - 2)
    return F.round(value / scale) * scale


@dataclass(frozen=True)
class Fitted:
    """Both models of one period (None where there was too little data) and what they were fitted on."""

    model: BgNbd | None
    spend: GammaGamma | None
    sizes: dict[str, int]


def _sorted(df: DataFrame) -> pd.DataFrame:
    """The rows on the driver in a fixed order, so the fit sums them in the same order every run."""
    data = pd.DataFrame(df.toPandas())
    return data.sort_values([c for c in data.columns if c != "n"], kind="stable").reset_index(drop=True)


def fit(summary: DataFrame) -> dict[str, Fitted]:
    """Fit both models for the whole period (``full``) and the calibration period (``calibration``).

    Two small Spark jobs gather the distinct combinations of both periods; the fits run on the driver.
    """
    periods = {"full": "", "calibration": "cal_"}

    def stacked(columns: list[str], condition: str) -> DataFrame:
        parts = [
            summary.filter(F.col(f"{prefix}x").isNotNull())
            .filter(condition.format(p=prefix))
            .select(F.lit(period).alias("period"), *[F.col(f"{prefix}{c}").alias(c) for c in columns])
            for period, prefix in periods.items()
        ]
        return parts[0].unionByName(parts[1])

    combos = _sorted(
        stacked(["x", "t_x", "T"], "true")
        .groupBy("period", "x", "t_x", "T")
        .agg(F.count(F.lit(1)).alias("n"))
    )
    values = _sorted(
        stacked(["x", "m"], "{p}x > 0 AND {p}m > 0")
        .groupBy("period", "x", _three_digits(F.col("m")).alias("m"))
        .agg(F.count(F.lit(1)).alias("n"))
    )
    result = {}
    for period in periods:
        c = combos[combos["period"] == period]
        v = values[values["period"] == period]
        buyers, repeat = int(c["n"].sum()), int(v["n"].sum())
        model = None
        if buyers >= MIN_CUSTOMERS and (c["x"] > 0).any():
            model = fit_bgnbd(c["x"].to_numpy(), c["t_x"].to_numpy(), c["T"].to_numpy(), c["n"].to_numpy())
        spend = None
        if repeat >= MIN_CUSTOMERS:
            spend = fit_gamma_gamma(v["x"].to_numpy(), v["m"].to_numpy(), v["n"].to_numpy())
        sizes = {"customers": buyers, "combinations": len(c), "repeat_customers": repeat,
                 "value_combinations": len(v)}  # fmt: skip
        result[period] = Fitted(model, spend, sizes)
    return result


def series_terms(model: BgNbd, t: float, x: Column, T: Column) -> Column:
    """Enough power-series terms for 2F1(r+x, b+x; a+b+x-1; z) to converge to double precision."""
    z = F.lit(t) / (F.lit(model.alpha + t) + T)
    # Terms grow while (r+x)(b+x) z / ((a+b+x-1+n)(n+1)) > 1 and then shrink roughly like z^n.
    peak = (F.lit(model.r + model.b) + 2 * x) * z / (1 - z)
    tail = F.lit(math.log(1e-17)) / F.log(z)
    return F.least(F.lit(MAX_SERIES_TERMS), F.ceil(peak + tail).cast("int") + 10)


def hyp2f1_series(a: Column, b: Column, c: Column, z: Column, terms: Column) -> Column:
    """Gauss's hypergeometric function by its power series, for 0 <= z < 1."""
    start = F.struct(F.lit(1.0).alias("term"), F.lit(1.0).alias("total"))

    def add(acc: Column, n: Column) -> Column:
        term = acc["term"] * (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        return F.struct(term.alias("term"), (acc["total"] + term).alias("total"))

    return F.aggregate(F.sequence(F.lit(0), terms), start, add)["total"]


def score_columns(
    model: BgNbd, spend: GammaGamma | None, horizon: float, prefix: str = ""
) -> dict[str, Column]:
    """Spark columns over ``x, t_x, T, m`` (or ``cal_x`` ... with ``prefix="cal_"``):
    ``predicted_orders_12m``, ``probability_alive``, ``predicted_order_value`` and ``clv_predicted_12m``
    (orders times value) for ``horizon`` days."""
    r, alpha, a, b = (F.lit(v) for v in (model.r, model.alpha, model.a, model.b))
    x, t_x, T = F.col(f"{prefix}x"), F.col(f"{prefix}t_x"), F.col(f"{prefix}T")
    t = F.lit(float(horizon))
    z = t / (alpha + T + t)
    hyp = hyp2f1_series(r + x, b + x, a + b + x - 1, z, series_terms(model, horizon, x, T))
    odds = F.when(x > 0, a / (b + x - 1) * F.pow((alpha + T) / (alpha + t_x), r + x)).otherwise(F.lit(0.0))
    orders = (a + b + x - 1) / (a - 1) * (1 - hyp * F.pow((alpha + T) / (alpha + T + t), r + x)) / (1 + odds)
    columns = {"predicted_orders_12m": orders, "probability_alive": 1 / (1 + odds)}
    if spend is not None:
        p, q, v = (F.lit(val) for val in (spend.p, spend.q, spend.v))
        value = (v + x * F.coalesce(F.col(f"{prefix}m"), F.lit(0.0))) * p / (p * x + q - 1)
        columns["predicted_order_value"] = value
        columns["clv_predicted_12m"] = orders * value
    return columns


def holdout(summary: DataFrame, fitted: Fitted, holdout_days: int) -> dict[str, Any]:
    """Score the calibration-period model on the holdout against a naive baseline (one Spark job).

    The baseline predicts each customer keeps their historic repeat rate (``x / T``) at their mean value.
    Errors are mean absolute errors per customer, in purchase days and in net revenue over the holdout.
    """
    if fitted.model is None:
        return {"evaluated": False, **fitted.sizes}
    scores = score_columns(fitted.model, fitted.spend, holdout_days, prefix="cal_")
    x, T = F.col("cal_x"), F.col("cal_T")
    baseline_orders = F.when(T > 0, x / T * holdout_days).otherwise(F.lit(0.0))
    model_value = scores.get("clv_predicted_12m", F.lit(None).cast("double"))
    scored = summary.filter(x.isNotNull()).select(
        F.col("holdout_orders").alias("actual_orders"),
        F.col("holdout_value").alias("actual_value"),
        scores["predicted_orders_12m"].alias("model_orders"),
        model_value.alias("model_value"),
        baseline_orders.alias("baseline_orders"),
        (baseline_orders * F.coalesce(F.col("cal_m"), F.col("first_value"))).alias("baseline_value"),
    )

    def mae(predicted: str, actual: str) -> Column:
        return F.avg(F.abs(F.col(predicted) - F.col(actual)))

    row = scored.agg(
        F.count(F.lit(1)).alias("customers"),
        F.avg("actual_orders").alias("actual_orders_mean"),
        mae("model_orders", "actual_orders").alias("model_orders_mae"),
        mae("baseline_orders", "actual_orders").alias("baseline_orders_mae"),
        mae("model_value", "actual_value").alias("model_value_mae"),
        mae("baseline_value", "actual_value").alias("baseline_value_mae"),
        F.sum("actual_orders").alias("actual_orders_total"),
        F.sum("model_orders").alias("model_orders_total"),
        F.sum("baseline_orders").alias("baseline_orders_total"),
    ).collect()[0]
    metrics: dict[str, Any] = {
        k: (round(float(v), 4) if v is not None else None) for k, v in row.asDict().items()
    }
    metrics["customers"] = int(row["customers"])
    return {"evaluated": True, **fitted.sizes, **metrics, "bgnbd": rounded(asdict(fitted.model)),
            "gamma_gamma": rounded(asdict(fitted.spend)) if fitted.spend else None}  # fmt: skip


def rounded(params: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 6) for k, v in params.items()}
