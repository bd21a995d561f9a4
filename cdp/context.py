"""What every command shares: the settings, a lazily started Spark session, and friendly errors."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from infra.console import err_console
from infra.settings import Settings, SettingsError

F = TypeVar("F", bound=Callable[..., Any])


class CdpContext:
    """What every command receives: the settings, and a Spark session started on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._spark: Any = None

    @property
    def spark(self) -> Any:
        if self._spark is None:
            from infra.spark import build_spark

            self._spark = build_spark(self.settings)
        return self._spark

    def lake(self) -> Any:
        from infra.storage import Lake

        return Lake.from_settings(self.spark, self.settings)


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
