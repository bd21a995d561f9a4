"""# cdp_maintenance

Weekly upkeep of the Delta lake: every table's small files compacted into larger ones, then VACUUM of the
files that no version younger than `maintenance.vacuum_retention_hours` (at least a week) still needs.

```
maintain
```

Daily batches add a few small files to every table each day, and readers pay per file. Compaction runs on
a table only from `maintenance.optimize_min_files` data files on; the data and its history are unchanged
(time travel keeps working within the retention). Runs on `airflow.maintenance_schedule` (Saturday 03:00
in the business time zone by default), never two at a time, no catchup. The task returns the file counts
before and after, per table. The same step runs by hand as `cdp lake optimize` and `cdp lake vacuum`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import dag, get_current_context, task

from dags import common
from jobs import steps

SETTINGS = common.settings()


@dag(
    dag_id="cdp_maintenance",
    schedule=common.cron_timetable(SETTINGS.airflow.maintenance_schedule, SETTINGS),
    start_date=common.start_date(SETTINGS),
    catchup=False,
    max_active_runs=1,
    default_args=common.default_args(SETTINGS),
    tags=["cdp", "maintenance"],
    doc_md=__doc__,
)
def cdp_maintenance() -> None:
    @task
    def maintain() -> dict[str, Any]:
        """Compact and vacuum every table of the lake; returns file counts before and after."""
        return common.run_step(steps.maintain, batch=False, run_id=get_current_context()["run_id"])

    maintain()


cdp_maintenance()
