"""``silver_nps_responses``: survey answers with their NPS class."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from infra.settings import Settings
from jobs.silver.common import SilverJob, email, standardise
from schemas.landing import NPS_SURVEYS
from schemas.silver import SILVER_NPS_RESPONSES


def nps_class(score: Column) -> Column:
    """promoter (9-10), passive (7-8) or detractor (0-6)."""
    return F.when(score >= 9, "promoter").when(score >= 7, "passive").when(score >= 0, "detractor")


def transform(df: DataFrame, settings: Settings) -> DataFrame:
    """Bronze survey answers -> responses with standardised emails and their NPS class."""
    return standardise(df, email("email")).withColumn("nps_class", nps_class(F.col("score")))


JOB = SilverJob(SILVER_NPS_RESPONSES, ((NPS_SURVEYS, transform),))
