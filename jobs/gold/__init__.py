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
