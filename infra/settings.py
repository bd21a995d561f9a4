"""One frozen, typed settings object for the whole platform.

Every default is defined once, in the dataclasses below; each field carries a one-line description
(``doc`` in its metadata) and, for numbers, the inclusive bounds checked at load time.
:func:`defaults_yaml` renders them all as a commented YAML file to start a config from.

Settings are built once, from three layers (later wins):

1. the defaults defined in this module;
2. an optional YAML file (``--config`` on the CLI or the ``CDP_CONFIG`` environment variable) holding
   any subset of the keys, nested as in :func:`defaults_yaml`;
3. ``CDP_*`` environment variables: ``CDP_HOME``, ``CDP_DELTA_ENGINE``, and nested keys with a double
   underscore, e.g. ``CDP_SPARK__MASTER=spark://host:7077`` or ``CDP_IDENTITY__MATCH_THRESHOLD=0.95``.
   ``CDP_HOME``, ``CDP_LANDING``, ``CDP_TRUTH``, ``CDP_LAKE``, ``CDP_REPORTS``, ``CDP_MODELS`` and
   ``CDP_WORK`` are shortcuts for the ``paths.*`` keys.

A mapping in the file is merged key by key into the one below it, except ``spark.conf`` which the file
replaces whole; an environment variable replaces the value of its key.

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

ENV_PREFIX = "CDP_"
DEFAULT_HOME = "./cdp_home"
_FOLDERS = ("landing", "sources", "truth", "lake", "reports", "models", "work")
_MASTER = re.compile(r"^(local(\[(\*|\d+)(,\d+)?\])?|spark://.+|yarn|k8s://.+|mesos://.+)$")

DeltaEngine = Literal["auto", "delta-rs", "delta-spark"]
SplinkBackend = Literal["duckdb", "spark"]


class SettingsError(UserFacingError, ValueError):
    """A setting is missing, unknown or has a value that is not allowed."""


def _doc(doc: str, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    """Field metadata: a one-line description and inclusive numeric bounds checked at load time."""
    return {"doc": doc, "min": lo, "max": hi}


def _setting(default: Any, doc: str, lo: float | None = None, hi: float | None = None) -> Any:
    """A field with its default and :func:`_doc` metadata; a mapping default is read-only, one per object."""
    if isinstance(default, Mapping):
        return field(
            default_factory=lambda: types.MappingProxyType(dict(default)), metadata=_doc(doc, lo, hi)
        )
    return field(default=default, metadata=_doc(doc, lo, hi))


@dataclass(frozen=True)
class SparkSettings:
    """How the Spark session is built; see ``infra.spark``."""

    master: str = _setting(
        "local[*]", "Spark master: local, local[N], local[*], spark://HOST:PORT, yarn or k8s://URL"
    )
    app_name: str = _setting("cdp", "Spark application name")
    driver_memory: str = _setting(
        "auto",
        "memory of the Spark driver (spark.driver.memory), e.g. 6g; auto: a quarter of this machine's "
        "memory, between 2g and 8g",
    )
    max_result_size: str = _setting(
        "1g",
        "largest result a job may return to the driver (spark.driver.maxResultSize); a delta-rs write of "
        "a bigger frame goes through delta-spark in the executors instead",
    )
    shuffle_partitions: int = _setting(
        4, "spark.sql.shuffle.partitions, also used as spark.default.parallelism", 1, 100_000
    )
    # Spark sessions load Delta's JARs from files only; `make install` fetches them into .jars/delta.
    delta_jars_dir: Path | None = field(
        default=None,
        metadata=_doc(
            "folder of Delta's Spark JARs (null: the project's .jars/delta, filled by make install)"
        ),
    )
    conf: Mapping[str, str] = _setting(
        {}, 'free-form Spark configuration, applied last, e.g. {"spark.executor.memory": "8g"}'
    )


@dataclass(frozen=True)
class LifecycleSettings:
    """Thresholds of the lifecycle stage rules (see ``schemas.lifecycle``); revenue in reporting currency."""

    churn_days: int = _setting(180, "churned: no order for more than this many days", 1, 3650)
    declining_days: int = _setting(
        90, "declining: no order for more than this many days (below churn_days)", 1, 3650
    )
    won_back_days: int = _setting(
        90, "won back: the comeback order after a churn-length gap is at most this old", 1, 3650
    )
    mature_min_tenure_days: int = _setting(365, "mature: first order at least this many days ago", 0, 3650)
    mature_min_orders_365d: int = _setting(
        6, "mature: at least this many orders in the last 365 days", 1, 10_000
    )
    mature_min_revenue_365d: float = _setting(
        3000.0, "mature: and at least this revenue in the last 365 days", 0, None
    )
    declining_window_days: int = _setting(
        180, "declining frequency: orders in this many days against the window before", 1, 3650
    )
    declining_frequency_ratio: float = _setting(
        0.5, "declining frequency: fewer recent orders than this times the prior window", 0, 1
    )
    declining_min_prior_orders: int = _setting(
        4, "declining frequency: only with at least this many orders in the prior window", 1, 10_000
    )
    reporting_currency: str = _setting(
        "CNY", "the currency revenue thresholds are in; needs a rate in currency_rates"
    )
    currency_rates: Mapping[str, float] = _setting(
        {"CNY": 1.0, "GBP": 9.2, "USD": 7.2}, "fixed conversion rates into the reporting currency"
    )


@dataclass(frozen=True)
class IdentitySettings:
    """Identity resolution: thresholds, over-merge guards and Splink training effort."""

    match_threshold: float = _setting(0.95, "link pairs at or above this Splink match probability", 0.5, 1.0)
    review_threshold: float = _setting(
        0.5, "keep pairs above this in identity_pairs for review, even when not linked", 0.0, 1.0
    )
    max_records_per_identifier: int = _setting(
        25,
        "over-merge guard: an identifier value held by more records is withheld from deterministic linking",
        2,
        1_000_000,
    )
    max_names_per_identifier: int = _setting(
        1, "... or when its records carry more than this many clearly different names", 1, 1000
    )
    max_cluster_size: int = _setting(
        60, "no customer holds more records; bigger clusters are cut at their weakest links", 2, 1_000_000
    )
    blocked_emails: tuple[str, ...] = _setting(
        ("test@test.com", "noemail@noemail.com", "none@none.com"),
        "placeholder emails never used to link records",
    )
    blocked_phones: tuple[str, ...] = _setting(
        ("+8613800000000", "+10000000000"), "placeholder phones never used to link records"
    )
    u_max_pairs: float = _setting(
        5e6, "Splink training: record pairs sampled to estimate u probabilities", 1e4, 1e10
    )
    em_max_pairs: float = _setting(
        2e6, "Splink training: most record pairs per expectation-maximisation block", 1e4, 1e10
    )
    duckdb_threads: int = _setting(0, "DuckDB threads; 0 = one per core", 0, 1024)
    duckdb_memory_limit: str = _setting("8GB", "DuckDB memory_limit; it spills to work/duckdb beyond it")


@dataclass(frozen=True)
class AirflowSettings:
    """How the Airflow DAGs in ``dags/`` are scheduled, owned and retried."""

    owner: str = _setting("data-platform", "owner of the DAGs' tasks")
    daily_schedule: str = _setting(
        "0 0 * * *", "cron in `timezone`; a run processes the day that just ended (its logical date)"
    )
    training_schedule: str = _setting("0 5 * * 0", "cron of the identity model retraining, weekly")
    maintenance_schedule: str = _setting(
        "0 3 * * 6", "cron of the lake maintenance (compaction, VACUUM), weekly"
    )
    start_date: str = _setting("2024-01-01", "earliest logical date a backfill may start from (YYYY-MM-DD)")
    retries: int = _setting(3, "retries of a failed task", 0, 100)
    # Waits grow by retry_backoff per try: delay, delay * backoff, ..., capped at max_retry_delay_seconds.
    retry_delay_seconds: float = _setting(
        60.0, "first wait before a retry; then x retry_backoff per try, capped", 0, 86_400
    )
    retry_backoff: float = _setting(2.0, "factor each further wait grows by", 1.0, 10.0)
    max_retry_delay_seconds: float = _setting(1800.0, "longest wait between retries", 0, 86_400)

    def __post_init__(self) -> None:
        try:
            dt.date.fromisoformat(self.start_date)
        except ValueError:
            raise SettingsError(
                f"Invalid setting 'airflow.start_date' = {self.start_date!r}: expected a date as YYYY-MM-DD."
            ) from None


@dataclass(frozen=True)
class MaintenanceSettings:
    """Lake upkeep by the ``cdp_maintenance`` DAG and ``cdp lake optimize|vacuum``."""

    # Delta's own safety check: files of versions younger than a week stay, for readers still on them.
    vacuum_retention_hours: int = _setting(
        168, "VACUUM keeps the files of versions younger than this (at least 168 hours)", 168, 87_600
    )
    # Daily batches add a few small files per table; compaction pays only past this many.
    optimize_min_files: int = _setting(
        8, "compact a table only when its current version has at least this many data files", 2, 1_000_000
    )


@dataclass(frozen=True)
class QualitySettings:
    """Quality gate thresholds (see ``quality.suites``); shares are fractions of rows, 0-1."""

    min_rows: int = _setting(1, "least rows of every validated table that must hold rows", 0, None)
    max_rows: int = _setting(1_000_000_000, "most rows of such a table", 1, None)
    # Raw (bronze) values that break their format (email, E.164, ...) or allowed values: above the warn
    # share a warning, above the critical share the column counts as broken and blocks publishing.
    invalid_warn_share: float = _setting(
        0.05, "raw values breaking their format / allowed values: warn above this share", 0, 1
    )
    invalid_critical_share: float = _setting(
        0.5, "... and block publishing above this one (the column is broken)", 0, 1
    )
    quarantine_warn_share: float = _setting(
        0.05, "quarantined share of a feed's rows over the window: warn above this", 0, 1
    )
    quarantine_critical_share: float = _setting(0.5, "... and block publishing above this one", 0, 1)
    quarantine_window_days: int = _setting(7, "the window: batches of this many last days", 1, 3650)
    quarantine_min_rows: int = _setting(
        100, "a feed with fewer rows in the window is judged on all its rows so far", 0, None
    )
    future_tolerance_days: int = _setting(
        1, "events may lie this many days past the run's as-of date (time zones, clock skew)", 0, 365
    )
    max_cluster_size: int = _setting(60, "identity: largest customer allowed (records)", 1, 1_000_000)
    min_singleton_share: float = _setting(0.0, "identity: least share of single-record customers", 0, 1)
    max_singleton_share: float = _setting(0.95, "identity: largest share of single-record customers", 0, 1)
    max_merge_rate: float = _setting(0.05, "identity: ids merged per customer of the previous run", 0, 1)
    max_split_rate: float = _setting(0.05, "identity: ids split per customer of the previous run", 0, 1)
    severity_overrides: Mapping[str, str] = _setting(
        {},
        'severity per "table.rule" fnmatch pattern: critical | warning | info, e.g. {bronze_*.allowed: info}',
    )

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


# first_non_null takes the earliest record holding a value.
SURVIVORSHIP_RULES = ("source_priority", "most_recent", "most_frequent", "first_non_null")
GOLDEN_ATTRIBUTES = ("name", "birth_date", "gender", "email", "phone", "address")
_SURVIVORSHIP = {
    "name": "source_priority", "birth_date": "most_frequent", "gender": "source_priority",
    "email": "most_recent", "phone": "most_recent", "address": "most_recent",
}  # fmt: skip
_SOURCES = (
    "crm_contacts", "loyalty_members", "shop_accounts", "support_tickets",
    "orders_online", "orders_pos", "nps_surveys",
)  # fmt: skip


@dataclass(frozen=True)
class ProfileSettings:
    """Unified profiles (``jobs.gold.profiles``): survivorship, RFM / health thresholds, CLV evaluation."""

    source_priority: tuple[str, ...] = _setting(
        _SOURCES, "sources in order of trust, most trusted first; feeds not listed come last"
    )
    survivorship: Mapping[str, str] = _setting(
        _SURVIVORSHIP,
        "rule per golden attribute: source_priority | most_recent | most_frequent | first_non_null",
    )
    attribute_priority: Mapping[str, tuple[str, ...]] = _setting(
        {},
        "an attribute's own source order instead of source_priority, e.g. {phone: [loyalty_members]}",
    )
    top_categories: int = _setting(3, "product categories kept per profile, by order count", 1, 20)
    health_green_min: int = _setting(70, "health score band: green from this score", 1, 100)
    health_yellow_min: int = _setting(
        40, "health score band: yellow from this score (below health_green_min), else red", 0, 100
    )
    engaged_sessions_90d: int = _setting(
        3, "digital engagement counts fully from this many sessions ...", 1, 10_000
    )
    engaged_clicks_90d: int = _setting(2, "... or email clicks in the last 90 days", 1, 10_000)
    trend_window_days: int = _setting(
        180, "purchase trend: orders in the last window of this many days versus the one before", 1, 3650
    )
    clv_holdout_days: int = _setting(
        180, "CLV: the model is scored each run on this many last days, held out", 1, 3650
    )
    clv_horizon_days: int = _setting(365, "CLV: prediction horizon in days", 1, 3650)

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

    # home defaults to DEFAULT_HOME; a relative home is resolved against the current directory at load.
    home: Path = field(
        metadata=_doc("landing/, sources/, truth/, lake/, reports/, models/ and work/ live under it")
    )
    landing: Path = field(
        metadata=_doc("incoming files, one folder per channel and daily batch (null: home/landing)")
    )
    sources: Path = field(
        metadata=_doc(
            "source mappings: one YAML file per source of your own, mapped onto a channel's contract "
            "(null: home/sources)"
        )
    )
    truth: Path = field(
        metadata=_doc("the generator's hidden ground truth, for evaluation only (null: home/truth)")
    )
    lake: Path = field(metadata=_doc("the Delta tables, one folder each (null: home/lake)"))
    reports: Path = field(
        metadata=_doc("HTML reports: run report, Data Docs, Splink charts (null: home/reports)")
    )
    models: Path = field(metadata=_doc("trained Splink models (null: home/models)"))
    work: Path = field(
        metadata=_doc("Spark, DuckDB and Great Expectations scratch space and checkpoints (null: home/work)")
    )


@dataclass(frozen=True)
class Settings:
    """The platform's settings. Build with :func:`load_settings`; never mutate."""

    paths: PathSettings
    timezone: str = _setting(
        "UTC", "IANA zone the business dates (as-of dates, batch dates) are expressed in"
    )
    delta_engine: DeltaEngine = field(
        default="auto",
        metadata=_doc(
            "auto | delta-rs | delta-spark; auto: delta-spark on a cluster, delta-rs on local Spark"
        ),
    )
    splink_backend: SplinkBackend = field(
        default="duckdb", metadata=_doc("where Splink runs: duckdb | spark")
    )
    spark: SparkSettings = field(default_factory=SparkSettings)
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    quality: QualitySettings = field(default_factory=QualitySettings)
    airflow: AirflowSettings = field(default_factory=AirflowSettings)
    profiles: ProfileSettings = field(default_factory=ProfileSettings)
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)

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


def defaults_yaml() -> str:
    """The default settings as a commented YAML file: every key, its default and what it is for.

    Loaded with ``load_settings(config_file=...)`` it gives exactly the defaults. Every key is optional,
    so a config file need only keep the keys it changes.

    Example:
        >>> print(*defaults_yaml().splitlines()[5:9], sep="\\n")
        # Where data lives. Everything defaults to a folder under `home`.
        paths:
          # landing/, sources/, truth/, lake/, reports/, models/ and work/ live under it
          home: ./cdp_home
    """
    lines = [
        "# Default settings of the customer data platform, as defined in infra/settings.py. Every key is",
        "# optional: keep the ones you change and pass the file with --config FILE or CDP_CONFIG=FILE.",
        "# CDP_* environment variables override the file, with a double underscore for nesting, e.g.",
        "# CDP_HOME=/data/cdp or CDP_SPARK__MASTER=spark://spark-master:7077.",
    ]

    def render(cls: type[Any], values: Mapping[str, Any], indent: str) -> None:
        hints = typing.get_type_hints(cls)
        for spec in dataclasses.fields(cls):
            tp, value = hints[spec.name], values.get(spec.name)
            if not indent:
                lines.append("")  # a blank line between top-level keys
            if isinstance(tp, type) and dataclasses.is_dataclass(tp):
                summary = (tp.__doc__ or "").split("\n")[0].replace("``", "`")
                lines.extend([f"# {summary}", f"{spec.name}:"])
                render(tp, values[spec.name], indent + "  ")
                continue
            text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
            text = text.removesuffix("\n").removesuffix("\n...")
            lines.extend([f"{indent}# {spec.metadata['doc']}", f"{indent}{spec.name}: {text}"])

    render(Settings, _defaults(), "")
    return "\n".join(lines) + "\n"


def _defaults() -> dict[str, Any]:
    """The defaults of every key as plain data: the first layer :func:`load_settings` builds on."""
    rest = {
        f.name: f.default_factory() if callable(f.default_factory) else f.default
        for f in dataclasses.fields(Settings)
        if f.name != "paths"
    }
    return {"paths": {"home": DEFAULT_HOME}, **to_dict(rest)}


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from the defaults, an optional YAML file and ``CDP_*`` variables.

    Args:
        config_file: a YAML file whose keys override the defaults; falls back to ``$CDP_CONFIG``.
        env: the environment to read ``CDP_*`` variables from (default: ``os.environ``).

    Raises:
        SettingsError: a key is unknown or a value is invalid; the message names the key, its
            source and the allowed values.
    """
    env = os.environ if env is None else env
    raw = _defaults()
    sources: dict[str, str] = {}
    config_file = config_file or env.get("CDP_CONFIG")
    if config_file:
        user = _read_yaml(Path(config_file))
        _merge(raw, user, [], sources, f"config file {config_file}")
    for name, value in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or name == "CDP_CONFIG":
            continue
        keys = name[len(ENV_PREFIX) :].lower().split("__")
        if len(keys) == 1 and keys[0] in ("home", *_FOLDERS):
            keys = ["paths", keys[0]]
        _set_dotted(raw, keys, value)
        sources[".".join(keys)] = f"environment variable {name}"
    raw["paths"] = _derive_paths(raw.get("paths") or {})
    return _build(Settings, raw, "", sources)


def _derive_paths(paths: dict[str, Any]) -> dict[str, Any]:
    home = Path(str(paths.get("home") or DEFAULT_HOME)).expanduser()
    home = home if home.is_absolute() else Path.cwd() / home
    derived: dict[str, Any] = {"home": home}
    for name in _FOLDERS:
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
    """Where the value of ``key``, or of the mapping or list holding it, came from (for messages)."""
    while key:
        if key in sources:
            return f" (from {sources[key]})"
        key = key[: max(key.rfind("."), key.rfind("["), 0)]
    return ""


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
