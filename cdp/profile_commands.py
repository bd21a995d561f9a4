"""``cdp profile``: build the unified profiles into staging; show one customer's profile."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from rich.panel import Panel
from rich.table import Table

from cdp.context import CdpContext, friendly_errors, parse_date
from infra.console import console
from infra.errors import UserFacingError
from infra.runs import new_run_id

if TYPE_CHECKING:
    from jobs.gold.profiles import ProfileReport


class CustomerNotFoundError(UserFacingError):
    """No customer matches what was asked for."""


@click.group()
def profile() -> None:
    """Unified customer profiles: golden record, consent, traits and lifecycle tags."""


@profile.command()
@click.option(
    "--as-of", callback=parse_date, required=True, help="Business date to compute for (YYYY-MM-DD)."
)
@click.option("--run-id", help="Run id recorded with the rows (default: generated).")
@click.option("--json", "as_json", is_flag=True, help="Print the build summary as JSON.")
@click.pass_obj
@friendly_errors
def build(obj: CdpContext, as_of: dt.date, run_id: str | None, as_json: bool) -> None:
    """Build every gold table into its staging table (then `cdp quality run --layer gold`, `cdp publish`)."""
    from jobs import steps

    report = steps.build_profiles(obj.settings, as_of=as_of, run_id=run_id or new_run_id("profiles"))
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
        return
    print_build_summary(report)


def print_build_summary(report: ProfileReport) -> None:
    """Stages, unattributed rows and the CLV holdout of a build."""
    table = Table(title=f"Profiles {report.run_id} as of {report.as_of} ({report.seconds:.1f} s)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, rows in report.rows.items():
        table.add_row(f"rows staged: {name}", f"{rows:,}")
    for stage, n in report.stages.items():
        table.add_row(f"stage {stage}", f"{n:,}")
    for name, n in report.unattributed.items():
        table.add_row(f"unattributed rows: {name}", f"{n:,}")
    clv = report.clv
    if clv.get("evaluated"):
        table.add_row("CLV holdout customers", f"{clv['customers']:,}")
        table.add_row(
            "purchases MAE: model / baseline", f"{clv['model_orders_mae']} / {clv['baseline_orders_mae']}"
        )
        table.add_row(
            "revenue MAE: model / baseline", f"{clv['model_value_mae']} / {clv['baseline_value_mae']}"
        )
    console.print(table)


@profile.command()
@click.option("--as-of", callback=parse_date, required=True, help="As-of date of the staged build.")
@click.pass_obj
@friendly_errors
def evaluate(obj: CdpContext, as_of: dt.date) -> None:
    """Compare the staged lifecycle stages with the generator's truth (generated data only)."""
    from jobs import steps

    result = steps.evaluate_lifecycle(obj.settings, as_of=as_of, run_id=new_run_id("evaluate"))
    if result is None:
        raise UserFacingError(
            f"The truth under {obj.settings.paths.truth} knows no stages on {as_of}: evaluate the last "
            "generated day or a month end of generated data."
        )
    table = Table(title=f"Lifecycle stages against the truth, {as_of}")
    table.add_column("true stage")
    table.add_column("agreement", justify="right")
    for stage, share in result.agreement_by_true_stage.items():
        table.add_row(stage, f"{share:.2%}")
    table.add_row("[bold]all", f"{result.agreement:.2%} of {result.people:,}")
    console.print(table)


@profile.command()
@click.argument("query")
@click.option(
    "--region", default="CN", show_default=True, help="Country of a phone number given without +code."
)
@click.option("--staging", is_flag=True, help="Read the staged profile instead of the published one.")
@click.pass_obj
@friendly_errors
def show(obj: CdpContext, query: str, region: str, staging: bool) -> None:
    """Print one customer's unified profile, found by customer id, email or phone."""
    from cdp import profile_lookup

    lake = obj.lake
    found = profile_lookup.find(lake, query, region=region, staging=staging)
    if not found.profile:
        candidates = ", ".join(found.customer_ids) or "none"
        raise CustomerNotFoundError(
            f"No profile found for {query!r} (customers matched: {candidates}). Pass a customer id, an email "
            "or a phone number; build and publish the profiles first (`cdp profile build --as-of DATE`), or "
            "add --staging to read the staged build."
        )
    if len(found.customer_ids) > 1:
        console.print(
            f"[yellow]{query!r} belongs to {len(found.customer_ids)} customers: "
            f"{', '.join(found.customer_ids)}; showing the first.[/]"
        )
    print_profile(found)


def _text(value: Any) -> str:
    if value is None:
        return "[dim]-[/]"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "[dim]-[/]"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_profile(found: Any) -> None:
    """The rich view of one profile: golden record with lineage, consent, traits, tags, sources, history."""
    p = found.profile
    console.print(
        Panel(
            f"[bold]{_text(p['name_full'])}[/]  {p['customer_id']}\n"
            f"stage [bold]{p['stage']}[/] since {p['stage_since']} (before: {_text(p['previous_stage'])}) "
            f"· RFM {_text(p['rfm_segment'])} · health {p['health_score']} {p['health_band']} "
            f"· as of {p['as_of']}",
            title=f"Customer profile ({found.table})",
        )
    )
    golden = Table(title="Golden record")
    for column in ("attribute", "value", "source record"):
        golden.add_column(column, overflow="fold")
    attributes = {
        "name": ("name_full", "name_hanzi"),
        "birth_date": ("birth_date",),
        "gender": ("gender",),
        "email": ("email",),
        "phone": ("phone",),
        "address": ("address_line", "city", "postcode", "country_code"),
    }
    for attribute, columns in attributes.items():
        value = " / ".join(str(p[c]) for c in columns if p[c] is not None) or None
        golden.add_row(attribute, _text(value), _text(p[f"{attribute}_record_key"]))
    console.print(golden)

    consent = Table(title="Consent")
    for column in ("channel", "granted", "decided", "by"):
        consent.add_column(column, overflow="fold")
    for channel in ("email", "sms"):
        granted = p[f"{channel}_consent"]
        consent.add_row(
            channel, "[green]yes[/]" if granted else "[red]no[/]", _text(p[f"{channel}_consent_at"]),
            _text(p[f"{channel}_consent_source"]),
        )  # fmt: skip
    if p["unsubscribed"]:
        consent.caption = "Unsubscribed from email: respected whatever other sources say."
    console.print(consent)

    traits = Table(title="Traits", show_header=False)
    traits.add_column("trait")
    traits.add_column("value", overflow="fold")
    for name in (
        "orders_completed", "net_revenue", "average_order_value", "first_order_date", "last_order_date",
        "orders_web", "orders_app", "orders_store", "top_categories", "sessions_30d", "sessions_90d",
        "last_activity_at", "tickets_open", "tickets_total", "last_nps_score", "last_nps_class",
        "email_clicks_90d", "loyalty_tier", "loyalty_points",
    ):  # fmt: skip
        traits.add_row(name, _text(p[name]))
    console.print(traits)

    tags = Table(title="Lifecycle tags", show_header=False)
    tags.add_column("tag")
    tags.add_column("value", overflow="fold")
    tags.add_row("stage", f"{p['stage']} ({_text(p['stage_reasons'])})")
    tags.add_row("stage since / previous", f"{p['stage_since']} / {_text(p['previous_stage'])}")
    rfm = (
        "-" if p["rfm_recency"] is None else f"R{p['rfm_recency']} F{p['rfm_frequency']} M{p['rfm_monetary']}"
    )
    tags.add_row("RFM", f"{rfm} {_text(p['rfm_segment'])}")
    tags.add_row("CLV historic", _text(p["clv_historic"]))
    tags.add_row(
        "CLV predicted 12 months",
        f"{_text(p['clv_predicted_12m'])} ({_text(p['predicted_orders_12m'])} orders x "
        f"{_text(p['predicted_order_value'])}; P(alive) {_text(p['probability_alive'])})",
    )
    tags.add_row("health", f"{p['health_score']} {p['health_band']}: {_text(p['health_factors'])}")
    console.print(tags)

    sources = Table(title=f"Source records ({len(found.records)})")
    for column in ("record", "source", "linked by", "probability"):
        sources.add_column(column, overflow="fold")
    for record in found.records:
        sources.add_row(
            record["record_key"], record["source"], f"{record['link_method']} ({_text(record['link_rule'])})",
            _text(record["match_probability"]),
        )  # fmt: skip
    console.print(sources)
    if found.history:
        history = Table(title="Stage history")
        for column in ("as of", "stage", "previous", "since", "reasons"):
            history.add_column(column, overflow="fold")
        for row in found.history:
            history.add_row(
                str(row["as_of"]), row["stage"], _text(row["previous_stage"]), str(row["stage_since"]),
                _text(row["reasons"]),
            )  # fmt: skip
        console.print(history)
