"""# cdp_identity_training

Retrains the identity model (Splink) on a schedule and promotes it only when it is not worse than the
model in use.

```
train -> evaluate -> promote
```

* **train** fits a new model version on every silver person record, scores it by resolving all records
  with it (nothing is published), and stores it next to the others under `models/identity/`; it is not
  promoted yet. The score needs no ground truth: the share of rule-linked pairs the model links on its
  own minus the share of its links that join records known to be different people.
* **evaluate** compares the new version's score with the current version's. When the new one scores
  lower (or the current one's score is unknown), the run stops here and `promote` is skipped.
* **promote** makes the new version current: the next `cdp_daily` run resolves identities with it.

Runs weekly (`airflow.training_schedule`, in the business time zone), never two at a time; catchup is
off, since only the latest data matters for training. Retries, failure recording and the Spark session
work as in `cdp_daily`.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import chain, dag, task

from dags import common
from jobs import steps

SETTINGS = common.settings()
log = logging.getLogger(__name__)


@dag(
    dag_id="cdp_identity_training",
    schedule=common.training_timetable(SETTINGS),
    start_date=common.start_date(SETTINGS),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(SETTINGS),
    tags=["cdp", "identity", "training"],
    doc_md=__doc__,
)
def cdp_identity_training() -> None:
    @task
    def train() -> dict[str, Any]:
        """Train and score a new identity model version, without promoting it."""
        return common.run_step(steps.train_identity, batch=False, promote="never")

    @task.short_circuit
    def evaluate(trained: dict[str, Any]) -> bool:
        """Compare the new version's score with the current version's; skip promotion when it is worse."""
        comparison = common.run_step(steps.compare_identity_model, batch=False, version=trained["version"])
        log.info("Identity model comparison: %s", comparison)
        return bool(comparison["not_worse"])

    @task
    def promote(trained: dict[str, Any]) -> dict[str, Any]:
        """Make the new version the one identity resolution uses."""
        return common.run_step(steps.promote_identity, batch=False, version=trained["version"])

    # An XComArg at parse time; the task arguments receive the dict at run time.
    trained: Any = train()
    chain(evaluate(trained), promote(trained))


cdp_identity_training()
