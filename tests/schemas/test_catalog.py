"""The data dictionary covers every declared table and column."""

from __future__ import annotations

from html.parser import HTMLParser

from schemas.bronze import BRONZE_TABLES
from schemas.catalog import all_tables, html_page, markdown
from schemas.identity import IDENTITY_TABLES
from schemas.landing import CONTRACTS
from schemas.silver import SILVER_TABLES


def test_catalogue_holds_every_layer_once() -> None:
    tables = all_tables()
    keys = [(t.layer, t.name) for t in tables]
    assert len(keys) == len(set(keys))
    names = {t.name for t in tables}
    expected = {c.feed for c in CONTRACTS} | {
        t.name for t in (*BRONZE_TABLES, *SILVER_TABLES, *IDENTITY_TABLES)
    }
    assert expected <= names
    assert {"customer_profile", "customer_lifecycle_history", "quality_results"} <= names


def test_markdown_lists_every_column_and_marks_pii() -> None:
    tables = all_tables()
    text = markdown(tables)
    for table in tables:
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type_name} | {'yes' if column.pii else ''} |" in text


def test_html_is_well_formed_and_self_contained() -> None:
    page = html_page(all_tables())
    assert "http://" not in page and "https://" not in page

    class Count(HTMLParser):
        sections = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.sections += tag == "section"

    parser = Count()
    parser.feed(page)
    assert parser.sections == len(all_tables())
