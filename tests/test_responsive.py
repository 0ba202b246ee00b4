"""The report and the data-quality page on a phone (390 px), at a desk (1280 px), printed (A4), and to axe-core.

The 2020 report is built once by the CLI (clean, validate, then report) into a temporary folder, from the raw
workbooks alone, as on a clean checkout that holds no tidy table; the failed quality page is built as
tests/test_quality_page.py builds it (a negative count, an unknown district).
Every page is opened in the real headless Chromium of tests/browser.py with the network off.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from browser import open_page, requires_chromium
from conftest import build_once
from htmlchecks import axe_violations, requires_node
from pypdf import PdfReader

from ictanalysis.embed import chart_label, spec_html, vega_bundle
from ictanalysis.ingest import clean
from ictanalysis.quality import write_quality_page
from ictanalysis.validate import validate
from ictanalysis.years import YearPair

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.slow, requires_chromium, pytest.mark.xdist_group("browser")]

REPO = Path(__file__).resolve().parents[1]
PHONE, DESK = 390, 1280
A4_PT = (595, 842)
#: The smallest text (px, after any scaling) a chart may show on a phone.
LEGIBLE_PX = 9

CHARTS_DRAWN = "[...document.querySelectorAll('.chart')].every(c => c.querySelector('svg'))"

#: For every table wider than the viewport: is it inside a box that scrolls sideways, fits the
#: viewport, takes the keyboard's focus and has a name? One entry per such table.
WIDE_TABLES = """() => [...document.querySelectorAll('table')]
  .filter(t => t.getBoundingClientRect().width > innerWidth)
  .map(t => {
    let box = t.parentElement;
    while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    const label = box && (box.getAttribute('aria-label')
      || document.getElementById(box.getAttribute('aria-labelledby') || '')?.textContent || '');
    return {table: t.textContent.slice(0, 40), scrolls: !!box && box.scrollWidth > box.clientWidth,
            fits: !!box && box.getBoundingClientRect().right <= innerWidth, focusable: !!box && box.tabIndex === 0,
            named: !!label && label.trim().length > 0};
  })"""

#: Per chart: its drawn width, its box's width, and the smallest font size it shows (px, scaled).
CHART_SIZES = """() => [...document.querySelectorAll('.chart')].map(c => {
  const svg = c.querySelector('svg'), drawn = svg.getBoundingClientRect().width;
  const scale = drawn / Number(svg.getAttribute('width'));
  const fonts = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  return {id: c.id, drawn: drawn, box: c.clientWidth, scale: scale, smallest: Math.min(...fonts),
          role: c.getAttribute('role'), label: c.getAttribute('aria-label'), hidden: svg.getAttribute('aria-hidden')};
})"""


def _cli(*args: str | Path) -> None:
    done = subprocess.run([sys.executable, "-m", "ictanalysis", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The 2020 report, its passed quality page and a failed quality page."""

    def build(root: Path) -> None:
        _cli("clean", "--raw", REPO / "data" / "raw", "--out", root / "processed", "--wait", "120")
        pair = ("--year", "2020", "--compare", "2019", "--data", root / "processed" / "indicators.parquet")
        _cli("validate", *pair, "--reports", root / "reports", "--wait", "120")
        _cli("report", *pair, "--reports", root / "reports", "--wait", "120")
        table = clean(REPO / "data" / "raw", out_dir=None).table
        items = (table["indicator"] == "postal_items") & (table["year"] == 2020) & (table["operator"] == "Viettel Post")
        table.loc[items, "value"] = -5
        table.loc[table.index[0], "area"] = "999"
        write_quality_page(validate(table, YearPair(2020, 2019)), root / "failed" / "2020")

    root = build_once(tmp_path_factory, "responsive-report", build)
    return SimpleNamespace(
        report=root / "reports" / "2020" / "annual_report.html",
        passed=root / "reports" / "2020" / "quality" / "2020-vs-2019.html",
        failed=root / "failed" / "2020" / "quality" / "2020-vs-2019.html",
    )


@contextmanager
def _report_page(path: Path, width: int) -> Iterator[Page]:
    """Open the report at `width` px and yield its page once every chart is drawn and fitted."""
    with open_page(path, width=width) as opened:
        opened.page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        opened.page.wait_for_timeout(600)  # the charts narrow themselves after their first drawing
        yield opened.page
        assert opened.page_errors == [] and opened.blocked_requests == []


# --- the report --------------------------------------------------------------------------------------


def test_report_on_a_phone_scrolls_only_inside_its_table_boxes(built):
    with _report_page(built.report, PHONE) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        wide = page.evaluate(WIDE_TABLES)
        assert wide, "at 390 px some tables are wider than the screen: the check would check nothing"
        for table in wide:
            assert table["scrolls"] and table["fits"] and table["focusable"] and table["named"], table


def test_report_charts_fit_a_phone_with_legible_text(built):
    with _report_page(built.report, PHONE) as page:
        charts = page.evaluate(CHART_SIZES)
        assert len(charts) == 7
        for chart in charts:
            assert chart["drawn"] <= chart["box"] <= PHONE, chart
            assert chart["smallest"] >= LEGIBLE_PX, chart


def test_report_at_a_desk_draws_charts_unscaled_and_tables_unscrolled(built):
    with _report_page(built.report, DESK) as page:
        assert page.evaluate("document.documentElement.scrollWidth") <= DESK
        for chart in page.evaluate(CHART_SIZES):
            assert chart["scale"] == pytest.approx(1), chart
        assert page.evaluate("[...document.querySelectorAll('.table-box')].filter(b => b.scrollWidth > b.clientWidth)"
                             ".length") == 0  # fmt: skip


@requires_node
def test_report_on_a_phone_has_no_axe_violation_and_named_charts(built):
    with _report_page(built.report, PHONE) as page:
        assert axe_violations(page) == []
        for chart in page.evaluate(CHART_SIZES):
            assert chart["role"] == "img" and chart["label"] and chart["hidden"] == "true", chart


def _pdf_lines(pdf: Path) -> list[list[tuple[float, str]]]:
    """Return each page's text chunks with their height on the page (pt from the bottom), footers left out."""
    pages = []
    for sheet in PdfReader(pdf).pages:
        chunks: list[tuple[float, str]] = []

        def visit(text, cm, tm, font, size, chunks=chunks):
            y = tm[5] * cm[3] + cm[5]
            if text.strip() and y > 45:  # below 45 pt: the page number in the bottom margin
                chunks.append((y, text.strip()))

        sheet.extract_text(visitor_text=visit)
        pages.append(chunks)
    return pages


def test_printed_report_is_a4_with_captions_kept_with_their_tables(built, tmp_path):
    with _report_page(built.report, DESK) as page:
        captions = page.evaluate("[...document.querySelectorAll('caption')].map(c => c.textContent.trim())")
        page.pdf(path=str(tmp_path / "report.pdf"), prefer_css_page_size=True, print_background=True)
    sheets = PdfReader(tmp_path / "report.pdf").pages
    assert len(sheets) > 3
    assert {(round(float(s.mediabox.width)), round(float(s.mediabox.height))) for s in sheets} == {A4_PT}
    pages = _pdf_lines(tmp_path / "report.pdf")
    assert len(captions) >= 5
    for caption in captions:
        found = [(chunks, y) for chunks in pages for y, text in chunks if text.startswith(caption[:30])]
        assert found, caption
        chunks, y = found[0]
        assert any(other < y - 5 for other, _ in chunks), f"caption alone at the foot of its page: {caption}"


# --- the data-quality page -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["passed", "failed"])
def test_quality_page_on_a_phone_scrolls_only_inside_its_table_boxes(built, form):
    with open_page(getattr(built, form), width=PHONE) as opened:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        wide = page.evaluate(WIDE_TABLES)
        assert len(wide) >= 2
        for table in wide:
            assert table["scrolls"] and table["fits"] and table["focusable"] and table["named"], table
        assert page.locator("#verdict").count() == 1


@requires_node
@pytest.mark.parametrize("form", ["passed", "failed"])
def test_quality_page_on_a_phone_has_no_axe_violation(built, form):
    with open_page(getattr(built, form), width=PHONE) as opened:
        assert ("KHÔNG ĐẠT" in opened.page.locator("#verdict").inner_text()) == (form == "failed")
        assert axe_violations(opened.page) == []


# --- one chart, as embed.py draws it -----------------------------------------------------------------------

WIDE_BAR = {
    "title": "Thuê bao băng rộng cố định theo huyện/thành phố năm 2020",
    "description": "Phan Rang-Tháp Chàm có nhiều thuê bao nhất: 33.662, tăng 21,9 %.",
    "width": 700,
    "height": 200,
    "data": {"values": [{"area": "Phan Rang-Tháp Chàm", "n": 33662}, {"area": "Bác Ái", "n": 1201}]},
    "mark": "bar",
    "encoding": {"y": {"field": "area", "type": "nominal"}, "x": {"field": "n", "type": "quantitative"}},
}

FACETED = {
    "title": "Diễn biến qua các năm",
    "data": {"values": [{"panel": p, "year": y, "v": y - 2000} for p in "ABC" for y in (2019, 2020)]},
    "facet": {"field": "panel", "type": "nominal"},
    "columns": 3,
    "spec": {"width": 220, "height": 120, "mark": "line",
             "encoding": {"x": {"field": "year", "type": "ordinal"}, "y": {"field": "v", "type": "quantitative"}}},
}  # fmt: skip


def _chart_page(tmp_path: Path, spec: dict) -> Path:
    page = tmp_path / "chart.html"
    page.write_text(
        '<!doctype html>\n<html lang="vi"><head><meta charset="utf-8"><title>Biểu đồ</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body { margin: 0 1rem; } .chart svg { max-width: 100%; height: auto; }</style>"
        f"<script>{vega_bundle()}</script></head>\n<body><main>{spec_html(spec, 'c1')}</main></body></html>\n",
        encoding="utf-8",
    )
    return page


@requires_node
def test_embedded_chart_is_an_image_named_by_its_title_and_description(tmp_path):
    label = chart_label(WIDE_BAR)
    assert label == f"{WIDE_BAR['title']}. {WIDE_BAR['description']}"
    with open_page(_chart_page(tmp_path, WIDE_BAR), width=PHONE) as opened:
        page = opened.page
        page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        image = page.get_by_role("img", name=label)
        assert image.count() == 1 and image.get_attribute("id") == "c1"
        assert page.locator("#c1 svg").get_attribute("aria-hidden") == "true"
        assert axe_violations(page) == []
        assert opened.page_errors == [] and opened.console_errors == []


def test_embedded_chart_narrows_its_plot_to_a_phone_and_keeps_it_at_a_desk(tmp_path):
    page_path = _chart_page(tmp_path, WIDE_BAR)
    for width in (PHONE, DESK):
        with open_page(page_path, width=width) as opened:
            page = opened.page
            page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
            page.wait_for_timeout(400)
            drawn = page.evaluate("[Number(document.querySelector('#c1 svg').getAttribute('width')),"
                                  " document.getElementById('c1').clientWidth]")  # fmt: skip
            if width == PHONE:
                assert drawn[0] <= drawn[1] < PHONE, drawn  # the plot, not the text, was made narrower
            else:
                assert drawn[0] > 700, drawn  # the spec's own width, plus the axis labels


def test_embedded_faceted_chart_takes_fewer_columns_on_a_phone(tmp_path):
    with open_page(_chart_page(tmp_path, FACETED), width=PHONE) as opened:
        page = opened.page
        page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
        page.wait_for_timeout(600)
        drawn, box = page.evaluate("[Number(document.querySelector('#c1 svg').getAttribute('width')),"
                                   " document.getElementById('c1').clientWidth]")  # fmt: skip
        assert drawn <= box
        # Three panels of 220 px cannot stand side by side in 358 px: they stand one under another.
        assert page.evaluate("Number(document.querySelector('#c1 svg').getAttribute('height'))") > 3 * 120
