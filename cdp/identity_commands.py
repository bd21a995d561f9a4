"""``cdp identity``: train, compare and promote models; resolve, explain and evaluate identities."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

import click
from rich.table import Table

from cdp.context import CdpContext, friendly_errors, parse_date, today
from infra.console import console
from infra.runs import new_run_id

if TYPE_CHECKING:
    from identity.resolve import ResolveReport
    from identity.training import PromotionPolicy


@click.group()
def identity() -> None:
    """Resolve person records into customers with persistent ids (deterministic rules + Splink)."""


@identity.command()
@click.option(
    "--promote",
    type=click.Choice(["if-better", "always", "never"]),
    default="if-better",
    show_default=True,
    help="Make the new version current: if it scores at least as well as the current one, always, or never.",
)
@click.pass_obj
@friendly_errors
def train(obj: CdpContext, promote: str) -> None:
    """Train a new Splink model version on the current person records and score it."""
    from jobs import steps

    result = steps.train_identity(obj.settings, promote=cast("PromotionPolicy", promote))
    table = Table(title=f"Model {result.version}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(result.metrics.items()):
        table.add_row(name, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    previous = "no current model"
    if result.previous_score is not None:
        previous = f"{result.previous_version} scored {result.previous_score:.4f}"
    state = "promoted to current" if result.promoted else "stored, not promoted"
    console.print(f"{result.version} scored {result.score:.4f} ({previous}): {state}.")


@identity.command()
@click.argument("version")
@click.pass_obj
@friendly_errors
def compare(obj: CdpContext, version: str) -> None:
    """Compare a trained model version's score with the current version's."""
    from jobs import steps

    result = steps.compare_identity_model(obj.settings, version=version)
    current = "no current model"
    if result.current_version is not None:
        score = "unknown" if result.current_score is None else f"{result.current_score:.4f}"
        current = f"current {result.current_version} scored {score}"
    verdict = "not worse: may be promoted" if result.not_worse else "worse: keep the current model"
    console.print(f"{result.version} scored {result.score:.4f}; {current}. {verdict}.")


@identity.command()
@click.argument("version")
@click.pass_obj
@friendly_errors
def promote(obj: CdpContext, version: str) -> None:
    """Make a trained model version the one identity resolution uses."""
    from jobs import steps

    result = steps.promote_identity(obj.settings, version=version)
    console.print(f"{result.version} is now current (was {result.previous_version or 'none'}).")


@identity.command()
@click.option(
    "--full-rebuild", is_flag=True, help="Score every pair again instead of only new and changed records."
)
@click.option("--run-id", help="Run id recorded in the identity tables (default: generated).")
@click.option("--as-of", callback=parse_date, help="Business date of the run (YYYY-MM-DD).")
@click.option("--no-charts", is_flag=True, help="Skip the cluster studio and waterfall charts.")
@click.pass_obj
@friendly_errors
def resolve(
    obj: CdpContext, full_rebuild: bool, run_id: str | None, as_of: dt.date | None, no_charts: bool
) -> None:
    """Resolve person records into customers and publish the identity tables."""
    from jobs import steps

    report = steps.resolve(
        obj.settings, as_of=as_of or today(obj.settings.timezone), run_id=run_id or new_run_id("identity"),
        full_rebuild=full_rebuild, charts=not no_charts,
    )  # fmt: skip
    print_resolve_report(report)


def print_resolve_report(report: ResolveReport) -> None:
    """The headline figures of a resolution run."""
    table = Table(title=f"Identity {report.run_id} ({report.mode}, model {report.model_version})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in (
        ("person records", report.records),
        ("records scored this run", report.new_records),
        ("customers", report.customers),
        ("single-record customers", report.singletons),
        ("largest customer (records)", report.largest_cluster),
        ("rule links", report.deterministic_pairs),
        ("model links", report.probabilistic_pairs),
        ("links cut by guards", report.pairs_cut_by_guards),
        ("identifier values withheld", report.withheld_identifiers),
        ("new ids", report.new_ids),
        ("merged ids", report.merges),
        ("split ids", report.splits),
        ("erased ids", report.erased),
    ):
        table.add_row(label, f"{value:,}")
    table.add_row("seconds", f"{report.seconds:.1f}")
    for stage, seconds in report.stage_seconds.items():
        table.add_row(f"  {stage}", f"{seconds:.1f}")
    console.print(table)


@identity.command()
@click.argument("record_key")
@click.pass_obj
@friendly_errors
def explain(obj: CdpContext, record_key: str) -> None:
    """Show why RECORD_KEY (e.g. crm_contacts:C123) belongs to its customer."""
    from identity.explain import explain as run_explain

    result = run_explain(obj.settings, obj.lake, record_key)
    console.print(f"[bold]{record_key}[/] -> customer [bold]{result.customer_id}[/] ({result.link_method})")
    fields = Table(title="Matching fields")
    fields.add_column("field")
    fields.add_column("value")
    for key, value in result.record.items():
        if value is not None:
            fields.add_row(key, str(value))
    console.print(fields)
    members = Table(title=f"Records of {result.customer_id}")
    for column in ("record_key", "source", "link_method", "link_rule", "match_probability"):
        members.add_column(column)
    for member in result.members:
        members.add_row(
            *[
                _text(member[c])
                for c in ("record_key", "source", "link_method", "link_rule", "match_probability")
            ]
        )
    console.print(members)
    pairs = Table(title="Pairs with this record")
    for column in ("other record", "method", "rule", "match weight", "probability", "linked"):
        pairs.add_column(column)
    for pair in result.pairs:
        pairs.add_row(
            pair["other"], pair["method"], _text(pair["rule"]), _text(pair["match_weight"]),
            _text(pair["match_probability"]), "yes" if pair["is_linked"] else "no",
        )  # fmt: skip
    console.print(pairs if result.pairs else "No scored or rule-linked pairs: the record is on its own.")
    if result.waterfall_pair:
        waterfall = Table(title=f"Match weights: {result.waterfall_pair[0]} vs {result.waterfall_pair[1]}")
        for column in ("comparison", "left", "right", "match weight"):
            waterfall.add_column(column)
        for step in result.waterfall:
            waterfall.add_row(
                step["comparison"],
                _text(step.get("left")),
                _text(step.get("right")),
                _text(step.get("match_weight")),
            )
        console.print(waterfall)


@identity.command()
@click.pass_obj
@friendly_errors
def evaluate(obj: CdpContext) -> None:
    """Score the current identity graph against the generator's ground truth."""
    from identity.evaluate import summary
    from jobs import steps

    metrics = steps.evaluate_identity(obj.settings, run_id=new_run_id("evaluate")).metrics
    table = Table(title="Identity accuracy against ground truth")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in summary(metrics):
        table.add_row(name, value)
    for name in sorted(
        k for k in metrics if k.startswith("hard_negative_merged_") and k != "hard_negative_merged_rate"
    ):
        kind = name.removeprefix("hard_negative_merged_")
        table.add_row(
            f"{kind} pairs wrongly merged",
            f"{metrics[name]:.0f} of {metrics[f'hard_negative_pairs_{kind}']:.0f}",
        )
    console.print(table)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
