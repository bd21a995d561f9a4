"""One frozen, typed settings object for the whole platform.

Settings are built once, from three layers (later wins):

1. the packaged defaults in ``infra/cdp.yaml``;
2. an optional YAML file (``--config`` on the CLI or the ``CDP_CONFIG`` environment variable);
3. ``CDP_*`` environment variables: ``CDP_HOME``, ``CDP_DELTA_ENGINE``, and nested keys with a double
   underscore, e.g. ``CDP_SPARK__MASTER=spark://host:7077`` or ``CDP_IDENTITY__MATCH_THRESHOLD=0.95``.

The result is passed explicitly to every job; nothing below the CLI or the DAG reads the environment.
Invalid values fail at load time with a message naming the key, where it came from and what is allowed.

Example:
    >>> from infra.settings import load_settings
    >>> settings = load_settings(env={"CDP_HOME": "/tmp/cdp"})
    >>> str(settings.paths.lake)
    '/tmp/cdp/lake'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import types
import typing
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from infra.errors import UserFacingError

DEFAULTS_FILE = Path(__file__).with_name("cdp.yaml")
ENV_PREFIX = "CDP_"
_MASTER = re.compile(r"^(local(\[(\*|\d+)(,\d+)?\])?|spark://.+|yarn|k8s://.+|mesos://.+)$")

DeltaEngine = Literal["auto", "delta-rs", "delta-spark"]
SplinkBackend = Literal["duckdb", "spark"]


class SettingsError(UserFacingError, ValueError):
    """A setting is missing, unknown or has a value that is not allowed."""


def _bounded(default: Any, lo: float | None = None, hi: float | None = None) -> Any:
    """A dataclass field with inclusive numeric bounds checked at load time."""
    return field(default=default, metadata={"min": lo, "max": hi})


@dataclass(frozen=True)
class SparkSettings:
    """How the Spark session is built; see ``infra.spark``."""

    master: str = "local[*]"
    app_name: str = "cdp"
    driver_memory: str = "4g"
    shuffle_partitions: int = _bounded(4, 1, 100_000)
    # A folder holding delta-spark JARs (delta-spark_2.13-*.jar, delta-storage-*.jar). When set and
    # delta_engine is auto, tables are written with delta-spark; Maven is never contacted.
    delta_jars_dir: Path | None = None
    # Free-form Spark configuration, applied last, e.g. {"spark.executor.memory": "8g"}.
    conf: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LifecycleSettings:
    """Thresholds of the lifecycle stage rules (see ``schemas.lifecycle``)."""

    churn_days: int = _bounded(180, 1, 3650)
    declining_days: int = _bounded(90, 1, 3650)
    won_back_days: int = _bounded(90, 1, 3650)
    mature_min_tenure_days: int = _bounded(365, 0, 3650)
    mature_min_orders_365d: int = _bounded(6, 1, 10_000)
    mature_min_revenue_365d: float = _bounded(3000.0, 0, None)
    declining_window_days: int = _bounded(180, 1, 3650)
    declining_frequency_ratio: float = _bounded(0.5, 0, 1)
    declining_min_prior_orders: int = _bounded(4, 1, 10_000)
    reporting_currency: str = "CNY"
    # Fixed conversion rates into the reporting currency; revenue thresholds are in that currency.
    currency_rates: Mapping[str, float] = field(
        default_factory=lambda: types.MappingProxyType({"CNY": 1.0, "GBP": 9.2, "USD": 7.2})
    )


@dataclass(frozen=True)
class IdentitySettings:
    """Identity resolution: thresholds, over-merge guards and Splink training effort."""

    # Pairs at or above this match probability link two records.
    match_threshold: float = _bounded(0.95, 0.5, 1.0)
    # Pairs scored above this are kept in identity_pairs for review even when not linked.
    review_threshold: float = _bounded(0.5, 0.0, 1.0)
    # An identifier value held by more records than this is withheld from deterministic linking.
    max_records_per_identifier: int = _bounded(25, 2, 1_000_000)
    # ... or when its records carry more than this many clearly different names.
    max_names_per_identifier: int = _bounded(1, 1, 1000)
    # No customer may hold more records than this; bigger clusters are cut at their weakest links.
    max_cluster_size: int = _bounded(60, 2, 1_000_000)
    blocked_emails: tuple[str, ...] = ("test@test.com", "noemail@noemail.com", "none@none.com")
    blocked_phones: tuple[str, ...] = ("+8613800000000", "+10000000000")
    u_max_pairs: float = _bounded(5e6, 1e4, 1e10)
    em_max_pairs: float = _bounded(2e6, 1e4, 1e10)
    duckdb_threads: int = _bounded(0, 0, 1024)  # 0 = one per core
    duckdb_memory_limit: str = "8GB"


@dataclass(frozen=True)
class AirflowSettings:
    """How the Airflow DAGs in ``dags/`` are scheduled, owned and retried."""

    owner: str = "data-platform"
    # Cron in the business time zone; a run processes the day that just ended (its logical date).
    daily_schedule: str = "0 0 * * *"
    training_schedule: str = "0 5 * * 0"
    start_date: str = "2024-01-01"
    retries: int = _bounded(3, 0, 100)
    # Waits grow by retry_backoff per try: delay, delay * backoff, ..., capped at max_retry_delay_seconds.
    retry_delay_seconds: float = _bounded(60.0, 0, 86_400)
    retry_backoff: float = _bounded(2.0, 1.0, 10.0)
    max_retry_delay_seconds: float = _bounded(1800.0, 0, 86_400)

    def __post_init__(self) -> None:
        try:
            dt.date.fromisoformat(self.start_date)
        except ValueError:
            raise SettingsError(
                f"Invalid setting 'airflow.start_date' = {self.start_date!r}: expected a date as YYYY-MM-DD."
            ) from None


@dataclass(frozen=True)
class QualitySettings:
    """Quality gate thresholds (see ``quality.suites``); shares are fractions of rows, 0-1."""

    # Table row-count bounds for every validated table that must hold rows.
    min_rows: int = _bounded(1, 0, None)
    max_rows: int = _bounded(1_000_000_000, 1, None)
    # Raw (bronze) values that break their format (email, E.164, ...) or allowed values: above the warn
    # share a warning, above the critical share the column counts as broken and blocks publishing.
    invalid_warn_share: float = _bounded(0.05, 0, 1)
    invalid_critical_share: float = _bounded(0.5, 0, 1)
    # Quarantined share of a feed's rows over the batches of the last window days.
    quarantine_warn_share: float = _bounded(0.05, 0, 1)
    quarantine_critical_share: float = _bounded(0.5, 0, 1)
    quarantine_window_days: int = _bounded(7, 1, 3650)
    # A feed with fewer rows than this in the window is judged on all its rows so far instead.
    quarantine_min_rows: int = _bounded(100, 0, None)
    # Events may lie this many days past the run's as-of date (late time zones, clock skew).
    future_tolerance_days: int = _bounded(1, 0, 365)
    # Identity: the largest customer, the share of single-record customers, and merges / splits per
    # customer of the previous run.
    max_cluster_size: int = _bounded(60, 1, 1_000_000)
    min_singleton_share: float = _bounded(0.0, 0, 1)
    max_singleton_share: float = _bounded(0.95, 0, 1)
    max_merge_rate: float = _bounded(0.05, 0, 1)
    max_split_rate: float = _bounded(0.05, 0, 1)
    # Severity per rule, by "table.rule" pattern (fnmatch), e.g. {"bronze_*.allowed": "info"}.
    severity_overrides: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.severity_overrides.items() if v not in ("critical", "warning", "info")}
        if bad:
            key, value = next(iter(bad.items()))
            raise SettingsError(
                f"Invalid setting 'quality.severity_overrides.{key}' = {value!r}: allowed values are "
                "critical, warning, info."
            )
        if self.min_rows > self.max_rows or self.min_singleton_share > self.max_singleton_share:
            raise SettingsError(
                "Invalid settings: quality.min_rows must not exceed quality.max_rows, nor "
                "quality.min_singleton_share quality.max_singleton_share."
            )


SURVIVORSHIP_RULES = ("source_priority", "most_recent", "most_frequent", "first_non_null")
GOLDEN_ATTRIBUTES = ("name", "birth_date", "gender", "email", "phone", "address")
_SURVIVORSHIP = {
    "name": "source_priority", "birth_date": "most_frequent", "gender": "source_priority",
    "email": "most_recent", "phone": "most_recent", "address": "most_recent",
}  # fmt: skip


@dataclass(frozen=True)
class ProfileSettings:
    """Unified profiles (``jobs.gold.profiles``): survivorship, RFM / health thresholds, CLV evaluation."""

    # Sources in order of trust, most trusted first; feeds not listed come last.
    source_priority: tuple[str, ...] = (
        "crm_contacts", "loyalty_members", "shop_accounts", "support_tickets",
        "orders_online", "orders_pos", "nps_surveys",
    )  # fmt: skip
    # Survivorship rule per golden attribute (one of SURVIVORSHIP_RULES).
    survivorship: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType(_SURVIVORSHIP))
    # A source order for one attribute, replacing source_priority for it, e.g. {"phone": [...]}.
    attribute_priority: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    top_categories: int = _bounded(3, 1, 20)
    # Health score: bands, and what counts as engaged / a falling trend.
    health_green_min: int = _bounded(70, 1, 100)
    health_yellow_min: int = _bounded(40, 0, 100)
    engaged_sessions_90d: int = _bounded(3, 1, 10_000)
    engaged_clicks_90d: int = _bounded(2, 1, 10_000)
    trend_window_days: int = _bounded(180, 1, 3650)
    # CLV: the holdout the model is scored on each run, and the prediction horizon.
    clv_holdout_days: int = _bounded(180, 1, 3650)
    clv_horizon_days: int = _bounded(365, 1, 3650)

    def __post_init__(self) -> None:
        for attribute, rule in self.survivorship.items():
            if attribute not in GOLDEN_ATTRIBUTES or rule not in SURVIVORSHIP_RULES:
                raise SettingsError(
                    f"Invalid setting 'profiles.survivorship.{attribute}' = {rule!r}: attributes are "
                    f"{', '.join(GOLDEN_ATTRIBUTES)}; rules are {', '.join(SURVIVORSHIP_RULES)}."
                )
        unknown = sorted(set(self.attribute_priority) - set(GOLDEN_ATTRIBUTES))
        if unknown:
            raise SettingsError(
                f"Unknown setting 'profiles.attribute_priority.{unknown[0]}'; attributes are "
                f"{', '.join(GOLDEN_ATTRIBUTES)}."
            )
        if self.health_yellow_min >= self.health_green_min:
            raise SettingsError(
                "Invalid settings: profiles.health_yellow_min must be below profiles.health_green_min "
                f"(got {self.health_yellow_min} and {self.health_green_min})."
            )


@dataclass(frozen=True)
class PathSettings:
    """Where data lives. Everything defaults to a folder under ``home``."""

    home: Path
    landing: Path
    truth: Path
    lake: Path
    reports: Path
    models: Path
    work: Path


@dataclass(frozen=True)
class Settings:
    """The platform's settings. Build with :func:`load_settings`; never mutate."""

    paths: PathSettings
    timezone: str = "UTC"
    delta_engine: DeltaEngine = "auto"
    splink_backend: SplinkBackend = "duckdb"
    spark: SparkSettings = field(default_factory=SparkSettings)
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    airflow: AirflowSettings = field(default_factory=AirflowSettings)
    profiles: ProfileSettings = field(default_factory=ProfileSettings)

    def __post_init__(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"Invalid setting 'timezone' = {self.timezone!r}: expected an IANA time zone name "
                "such as UTC, Europe/London or Asia/Shanghai."
            ) from None
        if not _MASTER.match(self.spark.master):
            raise SettingsError(
                f"Invalid setting 'spark.master' = {self.spark.master!r}: expected local, local[N], "
                "local[*], spark://HOST:PORT, yarn, or k8s://URL."
            )
        rates = self.lifecycle.currency_rates
        if self.lifecycle.reporting_currency not in rates:
            raise SettingsError(
                f"Invalid setting 'lifecycle.reporting_currency' = {self.lifecycle.reporting_currency!r}: "
                f"it needs a rate in lifecycle.currency_rates (has {', '.join(sorted(rates))})."
            )
        if self.lifecycle.declining_days >= self.lifecycle.churn_days:
            raise SettingsError(
                "Invalid settings: lifecycle.declining_days must be smaller than lifecycle.churn_days "
                f"(got {self.lifecycle.declining_days} and {self.lifecycle.churn_days})."
            )

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """Return new settings with dotted-key overrides applied, validated like any other source.

        Example:
            >>> s = load_settings(env={"CDP_HOME": "/tmp/x"})
            >>> s.with_overrides({"spark.shuffle_partitions": 2}).spark.shuffle_partitions
            2
        """
        raw = to_dict(self)
        for dotted, value in overrides.items():
            _set_dotted(raw, dotted.split("."), value)
        return _build(Settings, raw, "", dict.fromkeys(overrides, "override"))


def to_dict(settings: Any) -> dict[str, Any]:
    """Settings as plain YAML-able data (paths as strings)."""

    def convert(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, Mapping):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return [convert(v) for v in value]
        return value

    result = convert(settings)
    assert isinstance(result, dict)
    return result


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from packaged defaults, an optional YAML file and ``CDP_*`` variables.

    Args:
        config_file: a YAML file whose keys override the defaults; falls back to ``$CDP_CONFIG``.
        env: the environment to read ``CDP_*`` variables from (default: ``os.environ``).

    Raises:
        SettingsError: a key is unknown or a value is invalid; the message names the key, its
            source and the allowed values.
    """
    env = os.environ if env is None else env
    raw = _read_yaml(DEFAULTS_FILE)
    sources: dict[str, str] = {}
    config_file = config_file or env.get("CDP_CONFIG")
    if config_file:
        user = _read_yaml(Path(config_file))
        _merge(raw, user, [], sources, f"config file {config_file}")
    for name, value in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or name == "CDP_CONFIG":
            continue
        keys = name[len(ENV_PREFIX) :].lower().split("__")
        if keys == ["home"]:
            keys = ["paths", "home"]
        elif keys[0] in {"landing", "truth", "lake", "reports", "models", "work"} and len(keys) == 1:
            keys = ["paths", keys[0]]
        _set_dotted(raw, keys, value)
        sources[".".join(keys)] = f"environment variable {name}"
    raw["paths"] = _derive_paths(raw.get("paths") or {})
    return _build(Settings, raw, "", sources)


def _derive_paths(paths: dict[str, Any]) -> dict[str, Any]:
    home = Path(str(paths.get("home") or "./cdp_home")).expanduser()
    home = home if home.is_absolute() else Path.cwd() / home
    derived: dict[str, Any] = {"home": home}
    for name in ("landing", "truth", "lake", "reports", "models", "work"):
        value = paths.get(name)
        derived[name] = Path(str(value)).expanduser() if value else home / name
    extra = set(paths) - set(derived)
    if extra:
        raise SettingsError(
            f"Unknown setting 'paths.{sorted(extra)[0]}'; known keys: {', '.join(sorted(derived))}."
        )
    return derived


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SettingsError(f"Settings file {path} does not exist; pass an existing YAML file.") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"Settings file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"Settings file {path} must hold a mapping of keys to values.")
    return data


def _merge(
    base: dict[str, Any], new: Mapping[str, Any], prefix: list[str], sources: dict[str, str], source: str
) -> None:
    for key, value in new.items():
        dotted = [*prefix, str(key)]
        if isinstance(value, Mapping) and isinstance(base.get(key), dict) and key != "conf":
            _merge(base[key], value, dotted, sources, source)
        else:
            base[key] = value
            sources[".".join(dotted)] = source


def _set_dotted(raw: dict[str, Any], keys: list[str], value: Any) -> None:
    node = raw
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[keys[-1]] = value


def _build(cls: type[Any], raw: Mapping[str, Any], prefix: str, sources: Mapping[str, str]) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(raw) - set(fields)
    if unknown:
        key = f"{prefix}{sorted(unknown)[0]}"
        raise SettingsError(
            f"Unknown setting '{key}'{_from(sources, key)}; known keys here: {', '.join(sorted(fields))}."
        )
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        key = f"{prefix}{name}"
        if name not in raw:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                raise SettingsError(f"Missing setting '{key}'.")
            continue
        values[name] = _coerce(hints[name], raw[name], key, sources, spec.metadata)
    return cls(**values)


def _from(sources: Mapping[str, str], key: str) -> str:
    return f" (from {sources[key]})" if key in sources else ""


def _coerce(tp: Any, value: Any, key: str, sources: Mapping[str, str], meta: Mapping[str, Any]) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)

    def fail(expected: str) -> SettingsError:
        return SettingsError(
            f"Invalid setting '{key}' = {value!r}{_from(sources, key)}: expected {expected}."
        )

    if origin in (typing.Union, types.UnionType):
        empty = value is None or (isinstance(value, str) and value.strip().lower() in {"", "null", "none"})
        if empty and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, key, sources, meta)
    if origin is Literal:
        if value not in args:
            allowed = ", ".join(str(a) for a in args)
            raise SettingsError(
                f"Invalid setting '{key}' = {value!r}{_from(sources, key)}: allowed values are {allowed}."
            )
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if isinstance(value, str):
            value = _parse_structured(value, key, sources)
        if not isinstance(value, Mapping):
            raise fail("a mapping of keys to values")
        return _build(tp, value, f"{key}.", sources)
    if origin in (Mapping, dict) or tp in (Mapping, dict):
        if isinstance(value, str):
            value = _parse_structured(value, key, sources)
        if not isinstance(value, Mapping):
            raise fail("a mapping of keys to values")
        vtype = args[1] if len(args) == 2 else str
        return types.MappingProxyType(
            {str(k): _coerce(vtype, v, f"{key}.{k}", sources, {}) for k, v in value.items()}
        )
    if origin is tuple:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list | tuple):
            raise fail("a list")
        return tuple(_coerce(args[0], v, f"{key}[{i}]", sources, {}) for i, v in enumerate(value))
    if tp is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "yes", "1", "on"}:
            return True
        if text in {"false", "no", "0", "off"}:
            return False
        raise fail("true or false")
    if tp in (int, float):
        if isinstance(value, bool):
            raise fail("a number")
        try:
            number = tp(value)
        except (TypeError, ValueError):
            raise fail("an integer" if tp is int else "a number") from None
        if tp is int and isinstance(value, float) and not value.is_integer():
            raise fail("an integer")
        lo, hi = meta.get("min"), meta.get("max")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise SettingsError(
                f"Invalid setting '{key}' = {value!r}{_from(sources, key)}: must be between {lo} and {hi}."
            )
        return number
    if tp is Path:
        if not isinstance(value, str | Path) or not str(value):
            raise fail("a path")
        return Path(value).expanduser()
    if tp is str:
        if isinstance(value, Mapping | list):
            raise fail("a text value")
        return str(value)
    raise fail(f"a value of type {tp}")  # pragma: no cover - a settings class uses an unsupported type


def _parse_structured(value: str, key: str, sources: Mapping[str, str]) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        try:
            return yaml.safe_load(value)
        except yaml.YAMLError:
            raise SettingsError(
                f"Invalid setting '{key}'{_from(sources, key)}: expected JSON or YAML mapping text."
            ) from None
