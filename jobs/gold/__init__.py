"""The pieces of the unified customer profile, each a small module ``jobs.gold.profiles`` puts together.

``attribution`` maps every order, event, ticket and survey to a customer; ``survivorship`` and ``consent``
build the golden record; ``traits`` aggregates behaviour; ``stages``, ``rfm``, ``clv`` and ``health`` compute
the lifecycle tags; ``evaluation`` scores the stages against the generator's truth. Rules are small pure
functions (unit-testable without Spark) next to the Spark column expressions that apply them.
"""

from pyspark import StorageLevel

# Frames a profile build reads several times are cached serialized, spilling to disk: deserialized, they
# outgrow a 4 GB driver heap at 100,000 people.
CACHE = StorageLevel.MEMORY_AND_DISK
# The attributed silver rows (every event, order, ticket and survey) are cached on disk only: at 100,000
# people they are millions of rows, and held in memory they starve the sorts of the joins that build them
# (Spark's UNABLE_TO_ACQUIRE_MEMORY in a local session of 4 GB). Read back from local disk they still cost
# far less than recomputing the attribution for each aggregation.
LARGE_CACHE = StorageLevel.DISK_ONLY
