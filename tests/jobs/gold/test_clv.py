"""CLV models: parameters recovered from data simulated from the models, and Spark scoring against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from jobs.gold import clv
from jobs.gold.clv import BgNbd, GammaGamma

TRUE_BGNBD = BgNbd(r=0.6, alpha=40.0, a=0.8, b=2.5)
TRUE_SPEND = GammaGamma(p=6.0, q=4.0, v=150.0)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(20240101)
    T = rng.integers(30, 730, 30_000).astype(float)
    x, t_x = clv.simulate_bgnbd(TRUE_BGNBD, T, rng)
    # Whole days, as the summaries from the order tables are.
    return pd.DataFrame({"x": x, "t_x": np.round(t_x), "T": T})


def within(fitted: float, true: float, tolerance: float) -> bool:
    return abs(fitted - true) <= tolerance * true


def test_bgnbd_recovers_known_parameters_from_weighted_combinations(simulated: pd.DataFrame) -> None:
    combos = simulated.groupby(["x", "t_x", "T"]).size().reset_index(name="n")
    assert len(combos) < len(simulated)  # the weighting is what makes large populations cheap
    fitted = clv.fit_bgnbd(combos["x"], combos["t_x"], combos["T"], combos["n"])
    for name in ("r", "alpha", "a", "b"):
        assert within(getattr(fitted, name), getattr(TRUE_BGNBD, name), 0.15), (name, fitted)


def test_weighted_and_unweighted_likelihoods_agree(simulated: pd.DataFrame) -> None:
    sample = simulated.head(3000)
    combos = sample.groupby(["x", "t_x", "T"]).size().reset_index(name="n")
    per_row = clv.bgnbd_log_likelihood(TRUE_BGNBD, *(sample[c].to_numpy() for c in ("x", "t_x", "T"))).sum()
    weighted = np.dot(
        combos["n"], clv.bgnbd_log_likelihood(TRUE_BGNBD, *(combos[c].to_numpy() for c in ("x", "t_x", "T")))
    )
    assert per_row == pytest.approx(weighted, rel=1e-9)


def test_gamma_gamma_recovers_known_parameters() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 15, 20_000).astype(float)
    m = clv.simulate_gamma_gamma(TRUE_SPEND, x, rng)
    rounded = pd.DataFrame({"x": x, "m": [float(f"{v:.3g}") for v in m]})
    combos = rounded.groupby(["x", "m"]).size().reset_index(name="n")
    fitted = clv.fit_gamma_gamma(combos["x"], combos["m"], combos["n"])
    assert within(fitted.p, TRUE_SPEND.p, 0.15) and within(fitted.q, TRUE_SPEND.q, 0.15)
    assert within(fitted.v, TRUE_SPEND.v, 0.2)
    # The conditional expectation shrinks a customer's mean towards the population mean.
    population = TRUE_SPEND.p * TRUE_SPEND.v / (TRUE_SPEND.q - 1)
    value = clv.expected_order_value(TRUE_SPEND, np.array([1.0, 50.0]), np.array([1000.0, 1000.0]))
    assert population < value[0] < value[1] < 1000.0


def test_expected_purchases_of_a_new_customer_match_simulation() -> None:
    """With no history (x = t_x = T = 0) the conditional expectation is the population's mean purchases."""
    rng = np.random.default_rng(11)
    zero = np.zeros(1)
    for days in (180.0, 545.0):
        simulated, _ = clv.simulate_bgnbd(TRUE_BGNBD, np.full(100_000, days), rng)
        expected = clv.expected_purchases(TRUE_BGNBD, days, zero, zero, zero)[0]
        assert simulated.mean() == pytest.approx(expected, rel=0.03)


def test_spark_scores_match_scipy(spark: SparkSession) -> None:
    summaries = [(x, t_x, T, m) for x, t_x, T, m in [
        (0.0, 0.0, 0.0, None), (0.0, 0.0, 400.0, None), (1.0, 30.0, 60.0, 120.0), (5.0, 90.0, 100.0, 80.0),
        (20.0, 300.0, 320.0, 55.5), (60.0, 650.0, 700.0, 300.0), (3.0, 10.0, 700.0, 10.0),
    ]]  # fmt: skip
    df = spark.createDataFrame(summaries, "x double, t_x double, T double, m double")
    columns = clv.score_columns(TRUE_BGNBD, TRUE_SPEND, 365.0)
    rows = df.select("x", "t_x", "T", "m", *[c.alias(n) for n, c in columns.items()]).collect()
    for row in rows:
        x, t_x, T = (np.array([row[c]]) for c in ("x", "t_x", "T"))
        expected = clv.expected_purchases(TRUE_BGNBD, 365.0, x, t_x, T)[0]
        alive = clv.probability_alive(TRUE_BGNBD, x, t_x, T)[0]
        value = clv.expected_order_value(TRUE_SPEND, x, np.array([row["m"] or 0.0]))[0]
        assert row["predicted_orders_12m"] == pytest.approx(expected, rel=1e-9)
        assert row["probability_alive"] == pytest.approx(alive, rel=1e-12)
        assert row["clv_predicted_12m"] == pytest.approx(expected * value, rel=1e-9)
