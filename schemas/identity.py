"""Identity tables: which record belongs to which customer, how it was linked, how ids changed."""

from __future__ import annotations

from schemas.core import BOOLEAN, DATE, DOUBLE, LONG, STRING, STRINGS, TIMESTAMP, Column, TableSchema

LINK_METHODS = ("deterministic", "probabilistic", "singleton")
CHANGE_TYPES = ("new", "merge", "split", "erased")

IDENTITY_GRAPH = TableSchema(
    name="identity_graph",
    layer="gold",
    description="Every person record and the customer it belongs to, with how it was linked.",
    columns=(
        Column("record_key", STRING, "feed:source id of the person record.", required=True, fmt="record_key"),
        Column("customer_id", STRING, "The persistent customer id.", required=True),
        Column("source", STRING, "Feed the record comes from.", required=True),
        Column(
            "link_method", STRING, "Strongest link into its cluster.", required=True, allowed=LINK_METHODS
        ),
        Column(
            "link_rule", STRING, "Identifier or model that made that link (email, phone, account, splink)."
        ),
        Column(
            "match_probability",
            DOUBLE,
            "Best match probability to another record of the cluster (1.0 for deterministic links).",
            min_value=0,
            max_value=1,
        ),
        Column("cluster_size", LONG, "Records of the customer.", required=True, min_value=1),
        Column(
            "record_hash", STRING, "Hash of the record's matching fields when it was resolved.", required=True
        ),
        Column("run_id", STRING, "Run that last changed the row.", required=True),
        Column("updated_at", TIMESTAMP, "When the row last changed.", required=True),
    ),
    primary_key=("record_key",),
    change_data_feed=True,
    produced_by="identity.resolve",
)

CUSTOMER_IDS = TableSchema(
    name="customer_ids",
    layer="gold",
    description=(
        "Every customer id ever issued: active, or retired with a tombstone saying where its records went "
        "(merged into another id) or that they were erased."
    ),
    columns=(
        Column("customer_id", STRING, "The id.", required=True),
        Column(
            "status",
            STRING,
            "active, merged or erased.",
            required=True,
            allowed=("active", "merged", "erased"),
        ),
        Column("merged_into", STRING, "For a merged id: the surviving id."),
        Column("created_at", TIMESTAMP, "When the id was issued.", required=True),
        Column("created_run", STRING, "Run that issued it.", required=True),
        Column("retired_at", TIMESTAMP, "When it stopped being active."),
        Column("retired_run", STRING, "Run that retired it."),
    ),
    primary_key=("customer_id",),
    change_data_feed=True,
    produced_by="identity.resolve",
)

IDENTITY_CHANGES = TableSchema(
    name="identity_changes",
    layer="gold",
    description="Every new, merged, split and erased customer id, with the run and the reason.",
    columns=(
        Column("run_id", STRING, "Resolution run.", required=True),
        Column("changed_at", TIMESTAMP, "When the run made the change.", required=True),
        Column("change_type", STRING, "What happened.", required=True, allowed=CHANGE_TYPES),
        Column("customer_id", STRING, "The id concerned (for a merge: the retired id).", required=True),
        Column("related_customer_id", STRING, "Merge: the survivor. Split: the id the records came from."),
        Column("record_count", LONG, "Records involved.", required=True, min_value=0),
        Column(
            "reason",
            STRING,
            "Why, e.g. 'records linked by email' or 'cluster split by conflict guard'.",
            required=True,
        ),
    ),
    primary_key=("run_id", "change_type", "customer_id"),
    change_data_feed=True,
    produced_by="identity.resolve",
)

IDENTITY_PAIRS = TableSchema(
    name="identity_pairs",
    layer="gold",
    description="Rule-linked and scored pairs of person records above the review threshold, with weights.",
    columns=(
        Column("record_key_l", STRING, "One record.", required=True),
        Column("record_key_r", STRING, "The other record (record_key_l < record_key_r).", required=True),
        Column("method", STRING, "deterministic or probabilistic.", required=True, allowed=LINK_METHODS[:2]),
        Column("rule", STRING, "Identifier (deterministic) or 'splink'.", required=True),
        Column("match_weight", DOUBLE, "Splink match weight (log2 Bayes factor); null for rules."),
        Column("match_probability", DOUBLE, "Match probability (1.0 for rules).", required=True),
        Column(
            "is_linked",
            BOOLEAN,
            "Used to link the two records (above threshold, not cut by a guard).",
            required=True,
        ),
        Column("run_id", STRING, "Run that scored the pair.", required=True),
    ),
    primary_key=("record_key_l", "record_key_r"),
    produced_by="identity.resolve",
)

WITHHELD_IDENTIFIERS = TableSchema(
    name="identity_withheld_identifiers",
    layer="gold",
    description=(
        "Identifier values not used for deterministic linking because too many different people share them "
        "(shop phone numbers, test emails, family addresses) or because they are blocklisted. "
        "Values are masked."
    ),
    columns=(
        Column("identifier_type", STRING, "email, phone, card, device, ...", required=True),
        Column("value_masked", STRING, "The value with most characters masked.", required=True),
        Column(
            "value_hash", STRING, "SHA-256 of the value, to look it up without showing it.", required=True
        ),
        Column("records", LONG, "Person records holding it.", required=True),
        Column("distinct_names", LONG, "Distinct names among those records.", required=True),
        Column(
            "reason",
            STRING,
            "blocklist, too_many_records, different_people (among its own records) or "
            "different_people_linked (among the records its records' other identifiers lead to).",
            required=True,
        ),
        Column("run_id", STRING, "Run.", required=True),
    ),
    primary_key=("identifier_type", "value_hash"),
    produced_by="identity.resolve",
)

IDENTITY_EVALUATION = TableSchema(
    name="identity_evaluation",
    layer="ops",
    description="Identity accuracy against the generator's ground truth, one row per run and metric.",
    columns=(
        Column("run_id", STRING, "Evaluation run.", required=True),
        Column("evaluated_at", TIMESTAMP, "When.", required=True),
        Column("mode", STRING, "incremental or full.", required=True),
        Column("metric", STRING, "Metric name, e.g. pairwise_f1.", required=True),
        Column("value", DOUBLE, "Metric value.", required=True),
        Column("model_version", STRING, "Splink model version used.", required=True),
    ),
    primary_key=("run_id", "metric"),
    produced_by="identity.evaluate",
)

IDENTITY_RUNS = TableSchema(
    name="identity_runs",
    layer="ops",
    description="One row per resolution run: what it did and how the clusters look.",
    columns=(
        Column("run_id", STRING, "Run.", required=True),
        Column("as_of", DATE, "Business date of the run.", required=True),
        Column("finished_at", TIMESTAMP, "When it finished.", required=True),
        Column("mode", STRING, "incremental or full.", required=True),
        Column("model_version", STRING, "Splink model version.", required=True),
        Column("records", LONG, "Person records resolved.", required=True),
        Column("new_records", LONG, "Records scored this run.", required=True),
        Column("customers", LONG, "Active customer ids.", required=True),
        Column("singletons", LONG, "Customers with one record.", required=True),
        Column("largest_cluster", LONG, "Records of the biggest customer.", required=True),
        Column("deterministic_pairs", LONG, "Pairs linked by rules.", required=True),
        Column("probabilistic_pairs", LONG, "Pairs linked by the model.", required=True),
        Column("pairs_cut_by_guards", LONG, "Links removed by the conflict and size guards.", required=True),
        Column("merges", LONG, "Ids merged into others.", required=True),
        Column("splits", LONG, "Ids split.", required=True),
        Column("new_ids", LONG, "Ids issued.", required=True),
        Column("withheld_identifiers", LONG, "Identifier values withheld.", required=True),
        Column("seconds", DOUBLE, "Wall time.", required=True),
        Column("largest_clusters", STRINGS, "The biggest customer ids, largest first."),
    ),
    primary_key=("run_id",),
    produced_by="identity.resolve",
)

IDENTITY_TABLES = (
    IDENTITY_GRAPH,
    CUSTOMER_IDS,
    IDENTITY_CHANGES,
    IDENTITY_PAIRS,
    WITHHELD_IDENTIFIERS,
    IDENTITY_EVALUATION,
    IDENTITY_RUNS,
)
