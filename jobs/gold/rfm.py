"""RFM: recency, frequency and monetary scores 1-5 by quintile, and the standard segment names.

Scores rank buyers against each other on the as-of date: recency by days since the last completed order
(fewer is better), frequency by completed orders, monetary by net revenue. A score is the quintile of the
customer's mid-rank percentile (the middle of the block of equal values), so equal values always get equal
scores and a large block of ties (the many one-order buyers) lands in the middle of its range instead of at
its bottom. Customers who never bought get none.

Segments are read from recency ``R`` and the rounded mean ``FM`` of frequency and monetary, first matching
rule wins, in the fixed order of :data:`SEGMENT_RULES` (every combination of scores has exactly one).
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

# (segment, R range, FM range), inclusive; evaluated top to bottom.
SEGMENT_RULES: tuple[tuple[str, tuple[int, int], tuple[int, int]], ...] = (
    ("Champions", (4, 5), (4, 5)),
    ("Loyal", (3, 5), (3, 5)),
    ("Can't Lose Them", (1, 1), (4, 5)),
    ("At Risk", (1, 2), (3, 5)),
    ("New", (5, 5), (1, 1)),
    ("Promising", (4, 4), (1, 1)),
    ("Potential Loyalist", (4, 5), (2, 2)),
    ("Need Attention", (3, 3), (2, 2)),
    ("About to Sleep", (3, 3), (1, 1)),
    ("Hibernating", (2, 2), (1, 2)),
    ("Lost", (1, 1), (1, 2)),
)


def fm_score(frequency: int, monetary: int) -> int:
    """The mean of the frequency and monetary scores, rounded half up."""
    return (frequency + monetary + 1) // 2


def segment(recency: int, frequency: int, monetary: int) -> str:
    """The segment of one customer's scores.

    Example:
        >>> segment(5, 1, 1)
        'New'
        >>> segment(1, 5, 4)
        "Can't Lose Them"
    """
    fm = fm_score(frequency, monetary)
    for name, (r_lo, r_hi), (fm_lo, fm_hi) in SEGMENT_RULES:
        if r_lo <= recency <= r_hi and fm_lo <= fm <= fm_hi:
            return name
    raise ValueError(f"No RFM segment for scores {recency}, {frequency}, {monetary}; scores are 1-5.")


def quintile(order: Column) -> Column:
    """Score 1-5: the quintile of each row's mid-rank percentile when ordered by ``order``."""
    # One global ranking: a single partition, acceptable for tens of millions of small rows.
    ranked = Window.orderBy(order)
    total = F.count(F.lit(1)).over(Window.partitionBy())
    below = (F.rank().over(ranked) - 1) / total
    percentile = (below + F.cume_dist().over(ranked)) / 2
    return F.least(F.lit(5), F.floor(percentile * 5).cast("int") + 1)


def segment_column(recency: Column, frequency: Column, monetary: Column) -> Column:
    """:func:`segment` as a Spark expression (null when a score is null)."""
    fm = F.floor((frequency + monetary + 1) / 2).cast("int")
    result: Column = F.lit(None).cast("string")
    for name, (r_lo, r_hi), (fm_lo, fm_hi) in reversed(SEGMENT_RULES):
        matches = recency.between(r_lo, r_hi) & fm.between(fm_lo, fm_hi)
        result = F.when(matches, F.lit(name)).otherwise(result)
    return result


def rfm_scores(buyers: DataFrame, as_of: dt.date) -> DataFrame:
    """``customer_id, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment`` for customers with orders.

    Args:
        buyers: ``customer_id, last_order_date, orders_completed, net_revenue`` (orders_completed > 0).
    """
    days_since = F.datediff(F.lit(as_of), F.col("last_order_date"))
    recency = quintile(days_since.desc())
    frequency = quintile(F.col("orders_completed").asc())
    monetary = quintile(F.col("net_revenue").asc())
    scored = buyers.select(
        "customer_id",
        recency.alias("rfm_recency"),
        frequency.alias("rfm_frequency"),
        monetary.alias("rfm_monetary"),
    )
    return scored.withColumn(
        "rfm_segment", segment_column(F.col("rfm_recency"), F.col("rfm_frequency"), F.col("rfm_monetary"))
    )
