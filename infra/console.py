"""Terminal output: one rich console, progress bars for long work, and a quiet-logging switch."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)


def configure_logging(verbose: bool = False) -> None:
    """Send log records through rich; third-party chatter stays at warnings."""
    level = logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(
        level=level,
        format="%(message)s",
        datefmt="%H:%M:%S",
        handlers=[RichHandler(console=err_console, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    for noisy in ("py4j", "great_expectations", "splink", "airflow", "urllib3", "filelock", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def progress() -> Progress:
    """A progress display for multi-step work; use as a context manager."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not err_console.is_terminal and os.environ.get("CDP_PROGRESS", "") != "1",
    )


@contextmanager
def step(title: str) -> Iterator[None]:
    """Print a step's title, run it, and print how long it took."""
    started = time.perf_counter()
    err_console.print(f"[bold cyan]>[/] {title} ...")
    yield
    err_console.print(f"[green]done[/] {title} in {time.perf_counter() - started:.1f} s")
