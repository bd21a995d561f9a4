"""Lake upkeep: compaction of small files and VACUUM of files no version still needs.

Daily batches leave a few small files per table and day; readers pay per file. Compaction rewrites a
table's current files into fewer large ones (the data is unchanged), and VACUUM then deletes the files
that only versions older than the retention refer to, keeping Delta's one-week safety margin. Both are
idempotent: a second run finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from infra.runs import StepReport
from infra.settings import Settings
from infra.storage import Lake, TableNotFoundError


@dataclass
class TableUpkeep:
    """What maintenance did to one table."""

    table: str
    files_before: int
    files_after: int
    compacted: bool
    vacuumed_files: int


@dataclass
class MaintenanceReport(StepReport):
    """Per-table file counts before and after, and the totals."""

    derived = ("files_before", "files_after")

    run_id: str
    dry_run: bool
    tables: list[TableUpkeep] = field(default_factory=list)

    @property
    def files_before(self) -> int:
        return sum(t.files_before for t in self.tables)

    @property
    def files_after(self) -> int:
        return sum(t.files_after for t in self.tables)


def run(
    settings: Settings,
    lake: Lake,
    *,
    run_id: str,
    tables: Sequence[str] | None = None,
    optimize: bool = True,
    vacuum: bool = True,
    dry_run: bool = False,
) -> MaintenanceReport:
    """Compact and vacuum ``tables`` (every table of the lake by default).

    A table is compacted only when it has at least ``maintenance.optimize_min_files`` data files. With
    ``dry_run`` nothing changes: the report lists the files VACUUM would delete.
    """
    names = list(tables) if tables else [info.name for info in lake.tables()]
    known = {info.name for info in lake.tables()} if tables else set(names)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise TableNotFoundError(
            f"No table {', '.join(unknown)} in {settings.paths.lake}; `cdp lake tables` lists them."
        )
    conf = settings.maintenance
    report = MaintenanceReport(run_id=run_id, dry_run=dry_run)
    for name in names:
        before = lake.file_count(name)
        compacted = False
        if optimize and not dry_run and before >= conf.optimize_min_files:
            lake.optimize(name)
            compacted = True
        removed = 0
        if vacuum:
            removed = len(lake.vacuum(name, conf.vacuum_retention_hours, dry_run=dry_run))
        report.tables.append(TableUpkeep(name, before, lake.file_count(name), compacted, removed))
    return report
