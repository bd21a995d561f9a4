"""What every command shares: the settings, a lazily started Spark session, and friendly errors."""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click

from infra.console import err_console
from infra.runs import runtime
from infra.settings import Settings, SettingsError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from infra.storage import Lake

F = TypeVar("F", bound=Callable[..., Any])


class CdpContext:
    """What every command receives: the settings, and the Spark session and lake, started on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def spark(self) -> SparkSession:
        """The process-wide Spark session (the same one the steps use)."""
        return runtime(self.settings).spark

    @property
    def lake(self) -> Lake:
        """The lake on that session."""
        return runtime(self.settings).lake


def friendly_errors(func: F) -> F:
    """Turn expected errors into one clear message and exit code 2 instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from infra.errors import UserFacingError

        try:
            return func(*args, **kwargs)
        except (UserFacingError, SettingsError) as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def parse_date(_: click.Context, __: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback turning YYYY-MM-DD into a date, with a clear message otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD.") from None


def today(timezone: str) -> dt.date:
    """Today's date in the business time zone: the default as-of date of a command run by hand."""
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()
