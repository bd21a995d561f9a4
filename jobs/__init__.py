"""Pipeline steps: one module per produced table, each with ``run(spark, settings, ...)``."""
