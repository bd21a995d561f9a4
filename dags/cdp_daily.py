"""# cdp_daily

The daily pipeline: landing files -> bronze -> silver -> identity -> gold, with a quality gate after
every layer, and the gold tables published only when every gate passed.

```
channels -> ingest[channel] (mapped) -> check_bronze -> standardise -> check_silver
  -> resolve_identities -> check_identity -> build_profiles -> check_gold
  -> publish (Assets customer_profile, identity_graph)
```

**Which data a run processes.** The logical date, as a calendar date in the business time zone
(`timezone` setting), is the run's business date `as_of`: it selects the landing batch
`landing/<channel>/<as_of>/`, and the profiles and lifecycle tags are computed as of that date. The
scheduled run that starts on day D+1 (at `airflow.daily_schedule`) has logical date D, so its batch is
complete. Each run also ingests every *earlier* batch that is still pending (files not in the ingest
manifest): the whole history on the first run of a fresh home, a day whose run was skipped (catchup is
off), a late delivery. Batches dated after `as_of` are left to their own run, so backfilling an old date
never reads ahead. Standardisation then merges every batch ingested since the previous successful run
started, so batches brought in by a run that failed later are not left behind; the first run rebuilds
silver from bronze.

**Idempotent.** Every task can be rerun: ingestion skips files already in the manifest and overwrites a
batch's partition when it has new files; silver merges by key; identities and gold are published only
where they changed. Rerunning or backfilling a date leaves the tables as that date's first run did.
Runs of this DAG never overlap (`max_active_runs=1`), so a backfill processes its dates one at a time,
oldest first.

**Ingest tasks** are mapped over the landing channels and run one at a time (`max_active_tis_per_dag=1`):
they share the `quarantine` and `ingest_manifest` tables, and concurrent Delta commits to those could
conflict; on a small machine each would also start its own local Spark session.

**Failures.** Every task retries with exponential backoff (`airflow.retries`, `retry_delay_seconds`,
`retry_backoff`, `max_retry_delay_seconds`), except for errors another try cannot fix: a critical quality
failure (`QualityGateError`) or bad input or configuration fails the task at once, the remaining tasks
are not run, nothing is published, and the gold tables keep their last good version. A task that fails
for good is recorded in the `pipeline_failures` table, which the run report shows.

**Spark.** Each task runs its step in the task process on the session `infra.spark` builds from the
settings: local by default, a cluster with `CDP_SPARK__MASTER=spark://host:7077` (or yarn, k8s://...),
with no change to this file.

Backfill: `airflow backfill create --dag-id cdp_daily --from-date 2024-03-01 --to-date 2024-03-07`
(needs a running scheduler and the DAG unpaused). See the README, section "Airflow".
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import chain, dag, get_current_context, task

from dags import common
from jobs import steps

SETTINGS = common.settings()
CUSTOMER_PROFILE = common.asset(SETTINGS, "customer_profile")
IDENTITY_GRAPH = common.asset(SETTINGS, "identity_graph")


@dag(
    dag_id="cdp_daily",
    schedule=common.daily_timetable(SETTINGS),
    start_date=common.start_date(SETTINGS),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(SETTINGS),
    tags=["cdp", "daily", "bronze", "silver", "identity", "gold"],
    doc_md=__doc__,
)
def cdp_daily() -> None:
    @task
    def channels() -> list[str]:
        """The landing channels; one ingest task is mapped over each."""
        return steps.channels(common.settings())

    @task(max_active_tis_per_dag=1, map_index_template=common.MAP_INDEX_TEMPLATE)
    def ingest(channel: str) -> dict[str, Any]:
        """Ingest the channel's batch of the logical date and any earlier pending batch into bronze."""
        common.label_map_index(channel)
        return common.run_step(steps.ingest, channels=[channel])

    @task
    def check(layer: str) -> dict[str, Any]:
        """Run the layer's quality checkpoint; a failed critical expectation stops the run here."""
        return common.run_step(steps.check, layer=layer)

    @task
    def standardise() -> dict[str, Any]:
        """Standardise into silver every batch ingested since the previous successful run started."""
        previous = get_current_context().get("prev_start_date_success")
        # A lazy proxy: false when no earlier run succeeded (the first run rebuilds silver).
        since = pendulum.instance(previous) if previous else None
        return common.run_step(steps.standardise, since=since)

    @task
    def resolve_identities() -> dict[str, Any]:
        """Resolve identities over silver's person records and publish the identity tables."""
        return common.run_step(steps.resolve)

    @task
    def build_profiles() -> dict[str, Any]:
        """Build the unified profiles and lifecycle tags into the gold staging tables."""
        return common.run_step(steps.build_profiles)

    @task(outlets=[CUSTOMER_PROFILE, IDENTITY_GRAPH])
    def publish() -> dict[str, Any]:
        """Publish the staged gold tables; emits the customer_profile and identity_graph Asset events."""
        result = common.run_step(steps.publish)
        context = get_current_context()
        extra = {"as_of": common.business_date(context, common.settings()).isoformat()}
        common.set_asset_extra([CUSTOMER_PROFILE, IDENTITY_GRAPH], {**extra, "run_id": context["run_id"]})
        return result

    chain(
        ingest.expand(channel=channels()),
        check.override(task_id="check_bronze")(layer="bronze"),
        standardise(),
        check.override(task_id="check_silver")(layer="silver"),
        resolve_identities(),
        check.override(task_id="check_identity")(layer="identity"),
        build_profiles(),
        check.override(task_id="check_gold")(layer="gold"),
        publish(),
    )


cdp_daily()
