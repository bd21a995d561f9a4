"""The run report's templates, rendered from hand-made pages: no Spark, no lake.

``test_gates.test_run_report_in_a_real_browser`` covers the figures gathered from a real lake.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from jinja2 import UndefinedError

from quality.report import Page, render

SCRIPT = "<script>alert('x')</script>"


class _Text(HTMLParser):
    """The page's visible text, one string per text node."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip = tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skip:
            self.chunks.append(data.strip())


def text_of(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.chunks


def full_page(hostile: str = SCRIPT) -> Page:
    """Every section with something to show; ``hostile`` stands in for names and messages from data."""
    page = Page(run_id=f"run-{hostile}", home="/tmp/home")
    page.kpi("rows-in", "Rows received", 12345)
    page.kpi("rows-quarantined", "Rows quarantined", 0, "ok")
    page.kpi("critical", "Critical failures", 2, "critical")
    page.kpi("gates", "Gates passed", "1 / 2", "critical")
    page.kpi("customers", "Customers", None)
    page.section(
        "rows",
        "Rows in and out per layer",
        scope=f"files ingested by run {hostile}",
        layers=[["landing rows in", 1500], ["person records", "not built yet"]],
        chart=[
            (hostile, [("bronze", 1400), ("quarantine", 100)]),
            ("orders_pos", [("bronze", 0), ("quarantine", 0)]),
        ],
        feeds=[[hostile, 1500, 1400, 100, "6.67"]],
        bronze=[["bronze_orders_pos", 3, 1400]],
    )
    page.section(
        "quarantine",
        "Quarantine by reason code",
        scope="rows quarantined by run r1",
        codes=[("PARSE_ERROR", 80), (hostile, 20)],
        detail=[("orders_pos", "PARSE_ERROR", 80), ("orders_pos", f"{hostile}:col", 20)],
    )
    page.section(
        "quality",
        "Quality results by table and severity",
        gates={"bronze": True, "silver": False},
        checks=1234,
        chart=[("silver_orders", [("passed", 10), ("warning", 1), ("critical", 2), ("info", 0)])],
        failed=[
            ["critical", "silver", "silver_orders", "range", "amount", 7, "0.1235", hostile],
            ["warning", "silver", "silver_orders", "not_null", "email", 3, None, "Values are present."],
        ],
        summary=[["silver", "silver_orders", 4, 13, 10, 2, 1]],
    )
    page.section(
        "identity",
        "Identity resolution",
        figures=[("identity run", "id-1"), ("as of", dt.date(2024, 3, 1)), ("customers", 2178)],
        histogram=[("1", 900), ("2", 0), ("51+", 1)],
        trend=[["id-0", dt.date(2024, 2, 1), 2100, 3, 1, 12], ["id-1", dt.date(2024, 3, 1), 2178, 4, 0, 14]],
        changes=[("merged", 4), ("split", 1)],
        largest=[["C-1", 14], ["C-2", None]],
        evaluation={"run_id": "id-1", "metrics": [["precision", "0.9876"]]},
    )
    page.section(
        "lifecycle",
        "Lifecycle stages against the truth",
        build="gold-1",
        agree=1500,
        total=2000,
        share="75.0%",
        stages=["new", "lapsed"],
        matrix=[("new", [(1500, 0.68, True), (0, 0, False)]), ("lapsed", [(500, 0.28, False), (0, 0, True)])],
    )
    page.section(
        "failures",
        "Failed pipeline tasks",
        failures=[[dt.datetime(2024, 3, 1, 6, 5, 4), "cdp_daily", "ingest", "r1", 2, "ValueError", hostile]],
    )
    return page


def test_every_section_is_shown_in_order_with_its_navigation() -> None:
    page = render(full_page())
    keys = ["rows", "quarantine", "quality", "identity", "lifecycle", "failures"]
    assert re.findall(r"<section id='([a-z]+)'>", page) == keys
    assert re.findall(r"<a href='#([a-z]+)'>", page) == keys
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for heading in (
        "Failed checks",
        "By table",
        "Recent runs",
        "Id changes in the latest run",
        "Largest customers",
    ):
        assert f"<h3>{heading}</h3>" in page
    assert "<h3>Accuracy against the truth (run id-1)</h3>" in page
    assert "<h3>Customers by number of records</h3>" in page


def test_data_values_are_escaped_once() -> None:
    page = render(full_page())
    assert "<script" not in page
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    assert page.count(escaped) >= 10
    assert f"<title>Run report run-{escaped}</title>" in page
    assert f"<strong id='run-id'>run-{escaped}</strong>" in page
    # What the reader sees is the value itself: escaped exactly once, never twice.
    assert "&amp;lt;" not in page
    assert f"files ingested by run {SCRIPT}. Later layers: current table versions." in " ".join(text_of(page))
    amp = render(full_page("a & b &amp; c"))
    assert "a &amp; b &amp;amp; c" in amp and "a & b &amp; c" in text_of(amp)


def test_numbers_are_formatted_and_aligned_as_before() -> None:
    page = render(full_page())
    assert "<div class='kpi ' id='kpi-rows-in'><div class='value'>12,345</div>" in page
    assert "<div class='kpi ok' id='kpi-rows-quarantined'><div class='value'>0</div>" in page
    assert "<div class='kpi critical' id='kpi-gates'><div class='value'>1 / 2</div>" in page
    assert "id='kpi-customers'><div class='value'>–</div>" in page
    assert "<td>landing rows in</td><td class='num'>1,500</td>" in page
    assert "<td>person records</td><td>not built yet</td>" in page
    # The check count is written as it is counted, without a thousands separator.
    assert "<p class='note'>1234 checks evaluated." in page
    assert (
        "<td>as of</td><td>2024-03-01</td>" in page and "<td>customers</td><td class='num'>2,178</td>" in page
    )
    assert "<td>C-2</td><td>–</td>" in page
    assert "<td>2024-03-01 06:05:04</td><td>cdp_daily</td><td>ingest</td><td>r1</td><td>2</td>" in page
    assert "<td>precision</td><td>0.9876</td>" in page
    assert "got their true stage." in page and "Build gold-1: 1,500 of 2,000 customers (75.0%)" in page
    assert "style='background:rgba(46,125,50,0.68)'>1,500</td>" in page
    assert "style='background:rgba(198,40,40,0.00)'>0</td>" in page


def test_pills_show_severity_and_gates() -> None:
    page = render(full_page())
    assert "<span class='pill ok' id='gate-bronze'>bronze: passed</span>" in page
    assert "<span class='pill critical' id='gate-silver'>silver: FAILED</span>" in page
    assert "<td><span class='pill critical'>critical</span></td><td>silver</td>" in page
    assert "<td><span class='pill warning'>warning</span></td>" in page


def test_charts_are_inline_svg_drawn_to_scale() -> None:
    page = render(full_page())
    assert page.count("<svg class='chart' role='img'") == 5
    # Bars: 640 wide, labels 190 wide, so the longest bar is 380; a non-zero value gets at least a sliver.
    assert (
        "<rect x='190' y='6' width='380.0' height='16' fill='#c62828'><title>PARSE_ERROR: 80</title>" in page
    )
    assert "width='95.0' height='16' fill='#c62828'>" in page
    assert "<rect x='60' y='50' width='1.0' height='16' fill='#3867b5'><title>51+: 1</title></rect>" in page
    assert "<rect x='60' y='28' width='0.0' height='16' fill='#3867b5'><title>2: 0</title></rect>" in page
    # Stacked bars: segments end to end, empty ones left out, the total after the bar, a legend below.
    assert "<rect x='230.0' y='6' width='336.0' height='14' fill='#2e7d32'>" in page
    assert "<rect x='566.0' y='6' width='24.0' height='14' fill='#c62828'>" in page
    assert "<text x='595.0' y='17'>1,500</text>" in page and "<text x='235.0' y='37'>0</text>" in page
    assert "<rect x='230' y='51' width='10' height='10' fill='#2e7d32'/>" in page
    assert "<text x='244' y='60'>bronze</text>" in page
    assert "<text x='316' y='60'>quarantine</text>" in page
    assert "<title>silver_orders critical: 2</title>" in page and "silver_orders info" not in page
    # Text inside the SVG stays on its line: a line break there would show as a space in the browser.
    assert "text-anchor='end'>PARSE_ERROR</text>" in page


def test_sections_without_data_say_why() -> None:
    page = Page(run_id=None, home="/tmp/home")
    page.missing("rows", "Rows in and out per layer", "ingest_manifest", "cdp ingest")
    page.note("quarantine", "Quarantine by reason code", "No row was quarantined.")
    page.note("quality", "Quality results by table and severity", f"Run {SCRIPT} has no quality results.")
    page.section(
        "identity",
        "Identity resolution",
        figures=[("identity run", "id-1")],
        histogram=None,
        trend=None,
        changes=[],
        largest=[],
        evaluation=None,
    )
    html = render(page)
    assert "<title>Run report</title>" in html
    assert "<strong id='run-id'>no run with quality results yet</strong>" in html
    assert (
        "<p class='missing'>Table <code>ingest_manifest</code> does not exist yet: it is written by cdp ingest.</p>"
        in html
    )
    assert "<p>No row was quarantined.</p>" in html
    assert "<p>Run &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; has no quality results.</p>" in html
    text = text_of(html)
    assert text[text.index("Id changes in the latest run") + 1] == "None."
    assert "No evaluation: there is no ground truth for this data." in text
    for absent in ("Recent runs", "Largest customers", "Customers by number of records", "<svg"):
        assert absent not in html
    no_changes_table = Page(run_id="r", home="/h")
    no_changes_table.section(
        "identity",
        "Identity",
        figures=[],
        histogram=None,
        trend=None,
        changes=None,
        largest=[],
        evaluation=None,
    )
    assert "Id changes" not in render(no_changes_table)


def test_a_forgotten_value_fails_loudly() -> None:
    page = Page(run_id="r", home="/h")
    page.section("quarantine", "Quarantine by reason code", scope="everything")
    with pytest.raises(UndefinedError):
        render(page)
