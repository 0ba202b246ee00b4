"""Content that must stay data: hostile text from the workbooks, through every output.

Payloads (script tags, event handlers, a javascript: link, template and Vega-expression
syntax, spreadsheet formulas, CR/LF header injection, a bidi override, a terminal escape and
a very long name) are planted wherever a workbook can carry free text, and go through the
real pipeline:

- the raw folder: file names, sheet names and note lines under the tables. Ingest keeps
  only the file and sheet names (`source_file`, `source_sheet`); every other text is mapped
  to a catalog id or dropped, which the first test pins down;
- the tidy table as an analyst might hand-edit it: enterprise, agency, area, indicator,
  unit, domain and source-cell columns, and a negative value.

Two builds per test run (`build_once`, shared by xdist workers): one cleans the raw folder,
edits the table, runs the gate (it fails, writing the page and its JSON), builds the
report, the email and the analysts' alert; the other runs `ictanalysis run` on the raw folder
with an SMTP password against a real aiosmtpd server. The tests read what they wrote.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import os
import re
import subprocess
import sys
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import nbformat
import openpyxl
import pandas as pd
import pytest
from aiosmtpd.smtp import AuthResult
from browser import open_page, requires_chromium
from conftest import build_once, load_sample_generator, write_district_table
from test_deliver import Inbox, smtp_server

from ictanalysis.catalog import load_catalog
from ictanalysis.chart import VEGALITE_MIMETYPE, agency_bars, chart_spec, district_bars, operator_shares, year_pair_bars
from ictanalysis.deliver import build_email, send_quality_alert
from ictanalysis.deliver.alert import ALERT_ROWS
from ictanalysis.deliver.compose import write_eml
from ictanalysis.errors import QualityError
from ictanalysis.ingest import clean
from ictanalysis.quality import MAX_ROWS_SHOWN
from ictanalysis.report import ReportParameters, build_report
from ictanalysis.settings import DEFAULTS
from ictanalysis.text import FORMULA_STARTS, visible_text
from ictanalysis.tidy import read_indicators, write_indicators
from ictanalysis.validate import gate
from ictanalysis.years import YearPair

pytestmark = pytest.mark.slow

# --- the payloads ---------------------------------------------------------------------------

SCRIPT = "<script>alert('script')</script>"
IMG = "<img src=x onerror=alert('img')>"
LINK = "javascript:alert('link')"
SVG = "\"><svg onload=alert('svg')>"
DETAILS = "</details><script>alert('details')</script>"
JINJA = "{{7*7}} {% raw %}"
DOLLAR = "${7*7}"
VEGA = "'+datum.x+\"]);alert('vega')//"  # breaks out of a quoted Vega expression, if one were built by hand
HYPERLINK = '=HYPERLINK("http://evil","x")'
CMD = "+cmd|' /C calc'!A0"
MINUS = "-2+3"
AT = "@SUM(A1)"
CRLF = "x\r\nBcc: evil@example.com"
RTL = "bao-cao\u202excod"  # shows as "bao-caodocx" …
ESC = "\x1b[31m"  # a terminal escape: red from here on
LONG = "Trang tính rất dài " * 150
NOTE = "<script>alert('note')</script>"  # only in note lines, which ingest drops

# Where the raw folder carries them (2020; 2019 stays as bundled).
FILES = {  # bundled name → hostile name (no "/" in a file name)
    "bao-cao-tong-hop-so-2020.xlsx": f"{IMG} {SVG}.xlsx",
    "chinh-quyen-dien-tu-2020.xlsx": f"{JINJA} {DOLLAR} {LINK}.xlsx",
    "vien-thong-2020.xlsx": f"vien-thong {CRLF} {RTL} {ESC} do.xlsx",
    "dan-so-2020.csv": f"{AT} dan so.csv",  # a CSV's sheet is its stem: "@SUM(A1) dan so"
}
SHEETS = {  # (bundled file, sheet) → hostile sheet name (written into workbook.xml, past Excel's rules)
    ("bao-cao-tong-hop-so-2020.xlsx", "Tổng hợp"): DETAILS,
    ("chinh-quyen-dien-tu-2020.xlsx", "DVCTT"): HYPERLINK,
    ("chinh-quyen-dien-tu-2020.xlsx", "Chỉ tiêu"): CMD,
    ("vien-thong-2020.xlsx", "TB cố định - Internet"): f"TB cố định - Internet {SCRIPT}",  # the layout's "TB cố định*"
    ("vien-thong-2020.xlsx", "TB di động"): f"TB di động {LONG}",
    ("vien-thong-2020.xlsx", "Doanh thu"): MINUS,
    ("vien-thong-2020.xlsx", "Trạm BTS"): f"Trạm BTS {VEGA}",
}
# And the analyst's hand edits of the tidy table.
OPERATORS = {"Viettel": f"{SCRIPT} {VEGA}", "VNPT": IMG, "MobiFone": HYPERLINK, "VNPost": f"{JINJA} {DOLLAR}",
             "Viettel Post": MINUS, "Vietnamobile": CRLF, "FPT Telecom": AT, "J&T Express": RTL}  # fmt: skip
AGENCIES = {"Sở Tư pháp": SVG, "Sở Xây dựng": DETAILS, "Sở Y tế": LINK, "Sở Nội vụ": CMD}
BAD_INDICATOR = "</details><script>alert('indicator')</script>"
BAD_DOMAIN = JINJA

RAW_PAYLOADS = [IMG, SVG, JINJA, DOLLAR, LINK, CRLF, RTL, ESC, AT, DETAILS, HYPERLINK, CMD, SCRIPT, LONG, MINUS, VEGA]
SECRET = "Mk-7f3e9c-KHONG-lo-Zq81"
SENDER = "bao-cao@stttt.ninhthuan.gov.vn"
LEADERSHIP = ("giam-doc@stttt.ninhthuan.gov.vn",)
ANALYSTS = ("phan-tich@stttt.ninhthuan.gov.vn",)


# --- building ---------------------------------------------------------------------------------


def _rename_sheet(path: Path, old: str, new: str) -> None:
    """Rename a sheet inside an .xlsx by editing xl/workbook.xml, as a hand-made hostile file could."""
    from xml.sax.saxutils import quoteattr

    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = body.decode("utf-8")
                assert text.count(f"name={quoteattr(old)}") == 1, (path.name, old)
                body = text.replace(f"name={quoteattr(old)}", f"name={quoteattr(new)}").encode("utf-8")
            target.writestr(info, body)
    path.write_bytes(buffer.getvalue())


def write_hostile_raw(raw: Path) -> Path:
    """Write the sample workbooks of 2019 and 2020 with hostile notes, sheet names and file names."""
    generator = load_sample_generator()
    notes = generator.note_lines
    generator.note_lines = lambda year, extra: [*notes(year, extra), f"Ghi chú: {NOTE}", NOTE]
    try:
        generator.write_all(raw, years=(2019, 2020))
    finally:
        generator.note_lines = notes
    year = raw / "2020"
    for (file, sheet), name in SHEETS.items():
        _rename_sheet(year / file, sheet, name)
    for old, new in FILES.items():
        (year / old).rename(year / new)
    return raw


def _hand_edited(table: pd.DataFrame) -> pd.DataFrame:
    """Return the tidy table as an analyst's hostile edit: names replaced, odd rows added, a negative value."""
    edited = table.assign(operator=table["operator"].replace(OPERATORS), agency=table["agency"].replace(AGENCIES))
    level4 = (edited["indicator"] == "online_services_level4") & (edited["year"] == 2020) & (edited["agency"] == "")
    edited.loc[level4, "source_cell"] = CMD
    post = (edited["indicator"] == "postal_items") & (edited["year"] == 2020) & (edited["operator"] == MINUS)
    edited.loc[post, "value"] = -5.0
    extra = edited[level4].iloc[[0, 0, 0, 0]].assign(  # each with a key of its own
        area=[IMG, "58", "582", "584"],
        indicator=["online_services_level4", BAD_INDICATOR, "online_services_level4", "online_services_level4"],
        unit=["thủ tục", "thủ tục", LINK, "thủ tục"],
        domain=["egov", "egov", "egov", BAD_DOMAIN],
    )
    return pd.concat([edited, extra], ignore_index=True)


def _build_injected(folder: Path) -> None:
    raw = write_hostile_raw(folder / "raw")
    clean(raw, out_dir=folder / "processed")
    data = folder / "edited" / "indicators.parquet"
    edited = DEFAULTS.replace(processed=data.parent).outputs
    write_indicators(_hand_edited(read_indicators(folder / "processed" / "indicators.parquet")), edited.written_table,
                     edited.written_csv)
    reports = folder / "reports"
    with pytest.raises(QualityError):
        gate(data, reports, year=2020, compare_year=2019)
    build_report(ReportParameters(2020, 2019, data=str(data)), reports)
    write_eml(build_email(2020, 2019, reports=reports, data=data), reports / "2020" / "annual_report.eml")
    send_quality_alert(reports, YearPair(2020, 2019), None)


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """The hostile raw folder, its clean output, the hand-edited table and everything built from it."""
    root = build_once(tmp_path_factory, "injection-report", _build_injected)
    target = root / "reports" / "2020"
    return SimpleNamespace(
        root=root, raw=root / "raw", processed=root / "processed", edited=root / "edited", target=target,
        report=(target / "annual_report.html").read_text(encoding="utf-8"),
        quality=(target / "quality/2020-vs-2019.html").read_text(encoding="utf-8"),
        quality_json=json.loads((target / "quality/2020-vs-2019.json").read_text(encoding="utf-8")),
        email=_parse((target / "annual_report.eml").read_bytes()),
        alert=_parse((target / "quality_alert.eml").read_bytes()),
    )  # fmt: skip


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


# --- reading HTML -----------------------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
_ACTIVE_TAGS = {"img", "svg", "math", "iframe", "frame", "frameset", "object", "embed", "form", "base", "audio",
                "video", "source", "link"}  # fmt: skip


class Page(HTMLParser):
    """What a page holds: its elements, the text of each script, the text shown, the dangerous attributes."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.shown: list[str] = []
        self._script: list[str] | None = None
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        (self._script if self._script is not None else self.shown).append(data)

    @property
    def text(self) -> str:
        return _squeeze(" ".join(self.shown))

    def handlers(self) -> list[tuple[str, str, str]]:
        """Return every on* attribute (onerror, onload…) on any element."""
        return [(tag, name, value) for tag, attrs in self.tags for name, value in attrs.items() if name.startswith("on")]

    def script_urls(self) -> list[tuple[str, str, str]]:
        """Return every URL attribute that would run code (javascript:, vbscript:, data:text/html)."""
        return [(tag, name, value) for tag, attrs in self.tags for name, value in attrs.items()
                if name in _URL_ATTRIBUTES and re.match(r"\s*(javascript|vbscript|data:text/html)", value or "", re.I)]  # fmt: skip

    def active(self, allowed: set[str] = frozenset()) -> list[str]:
        """Return the elements that load or run something, other than `allowed`."""
        return [tag for tag, _ in self.tags if tag in _ACTIVE_TAGS - allowed]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def shown(payload: str) -> str:
    """Return how a page shows a payload: control and bidi characters written out, white space squeezed."""
    return _squeeze(visible_text(payload))


def assert_inert(page: Page, *, allowed: set[str] = frozenset()) -> None:
    assert page.handlers() == []
    assert page.script_urls() == []
    assert page.active(allowed) == []
    assert not [t for t, a in page.tags if t == "meta" and "refresh" in a.get("http-equiv", "").lower()]
    assert not [a["href"] for t, a in page.tags if t == "a" and a.get("href") and not a["href"].startswith("#")]
    assert not re.search(r"[\u202a-\u202e\u2066-\u2069\x1b\r]", page.text), "an invisible character is shown raw"


def assert_shown(text: str, payloads, where: str) -> None:
    missing = [p[:60] for p in payloads if shown(p) not in text]
    assert missing == [], f"not on {where} (as text): {missing}"


# --- 1. what survives ingest -----------------------------------------------------------------------


def test_only_file_and_sheet_names_travel_from_a_workbook_as_free_text(injected):
    table = read_indicators(injected.processed / "indicators.parquet")
    catalog = load_catalog()
    assert set(table["indicator"]) <= set(catalog.indicators)
    assert set(table["area"]) <= set(catalog.areas)
    assert set(table["operator"]) - {""} <= {o.name for o in catalog.operators.values()}
    assert set(table["agency"]) - {""} <= set(catalog.agencies)
    assert set(table["unit"]) <= {i.unit for i in catalog.indicators.values()}
    assert table["source_cell"].str.fullmatch(r"[A-Z]{1,3}[0-9]+").all()
    sources = set(table["source_file"]) | set(table["source_sheet"])
    assert [p for p in RAW_PAYLOADS if not any(p in s for s in sources)] == []
    everything = table.astype(str).to_numpy().ravel().tolist()
    assert not [v for v in everything if "alert('note')" in v], "a note line reached the table"


# --- 2. spreadsheets: the CSV of clean, the Excel attachment ----------------------------------------


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_quotes_formula_like_text_and_keeps_numbers(injected):
    table = read_indicators(injected.edited / "indicators.parquet")
    rows = _csv_rows(injected.edited / "indicators.csv")
    assert len(rows) == len(table)
    text_columns = [c for c in table.columns if table[c].dtype.kind not in "biuf"]
    quoted = 0
    for row, (_, original) in zip(rows, table.iterrows(), strict=True):
        for column in text_columns:
            written, value = row[column], str(original[column])
            if value.startswith(FORMULA_STARTS):
                assert written == "'" + value, (column, value)
                quoted += 1
            else:
                assert written == value, (column, value)
        assert float(row["value"]) == original["value"]  # numbers stay numbers, −5 too
    assert quoted >= 4 and any(float(r["value"]) < 0 for r in rows)
    assert {r["source_sheet"] for r in _csv_rows(injected.processed / "indicators.csv")} >= {
        "'" + HYPERLINK, "'" + CMD, "'" + MINUS, f"'{AT} dan so"}  # fmt: skip


def test_the_excel_attachment_keeps_formula_like_text_as_text(injected):
    attachment = next(p for p in injected.email.iter_attachments() if p.get_filename() == "indicators.xlsx")
    data = attachment.get_content()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(min_row=2))
    table = read_indicators(injected.edited / "indicators.parquet")
    assert len(rows) == len(table)
    header = [c.value for c in sheet[1]]
    risky, negative = [], []
    for cells in rows:
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                risky.append(cell.value)
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
        value = cells[header.index("value")]
        assert value.data_type == "n", value.value
        negative += [value.value] if value.value < 0 else []
    assert {HYPERLINK, CMD, MINUS, AT} <= set(risky) and negative == [-5.0]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    files = [cells[header.index("source_file")].value for cells in rows]
    assert any("\\x1b[31m" in f and "\u202e" in f for f in files)  # ESC, which XML cannot hold, written out
    assert not [f for f in files if "\x1b" in f]


# --- 3. the report ------------------------------------------------------------------------------------


def test_the_report_holds_no_script_but_the_vega_ones_and_shows_every_payload_as_text(injected):
    page = Page(injected.report)
    assert_inert(page)
    bundles = [s for s in page.scripts if "vegaEmbed=" in s]
    charts = [s for s in page.scripts if s not in bundles]
    assert len(bundles) == 1 and len(charts) == 7
    for script in charts:
        assert re.match(r'\(function \(\) \{\s*var element = document\.getElementById\("chart-\d+"\);', script)
        assert not re.search("[<>&]", script), "a chart's JSON holds a raw <, > or &"
    operators = list(OPERATORS.values())
    notes = [BAD_INDICATOR, CMD]  # the gate's failing rows, in the data notes; the source cell in the appendix
    assert_shown(page.text, [*RAW_PAYLOADS, *operators, *notes], "the report")  # {{7*7}} too: nothing evaluated it
    assert "alert('note')" not in injected.report


def test_the_chart_files_hold_no_script_but_the_vega_ones(injected):
    charts = sorted((injected.target / "charts").glob("*.svg"))
    assert len(charts) == 7
    drawn = ""
    for svg in charts:
        image = Page(svg.read_text(encoding="utf-8"))
        assert image.scripts == [] and image.handlers() == [] and image.script_urls() == []
        drawn += image.text + " "
        page = Page((svg.with_suffix(".html")).read_text(encoding="utf-8"))
        assert page.handlers() == [] and page.script_urls() == [] and page.active() == []
        assert len(page.scripts) == 2 and not re.search("[<>&]", page.scripts[1])  # the Vega bundle, then the chart
    assert_shown(drawn, [IMG, SCRIPT, SVG, LINK], "the chart images")  # enterprises, agencies: drawn as text


def test_chart_data_in_the_executed_notebook_is_data_only(injected):
    notebook = nbformat.read(injected.target / "annual_report.ipynb", as_version=4)
    specs = [o["data"][VEGALITE_MIMETYPE] for c in notebook.cells for o in c.get("outputs", [])
             if VEGALITE_MIMETYPE in o.get("data", {})]  # fmt: skip
    places = {path for spec in specs for path, _ in _strings_with(spec, ("alert(", "datum.x"))}
    assert places, "no payload reached a chart"
    text_places = {".description"}  # the chart's accessible description: read out as text, never evaluated
    assert places <= _DATA_PLACES | text_places, places - _DATA_PLACES - text_places


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_the_report_in_chromium_runs_no_payload_even_in_tooltips(injected):
    with open_page(injected.target / "annual_report.html") as opened:
        page = opened.page
        page.wait_for_function(
            "[...document.querySelectorAll('[id^=\"chart-\"]')].every(c => c.querySelector('svg .role-mark > *'))",
            timeout=15_000,
        )
        hostile = page.locator('[id^="chart-"] svg .role-mark [aria-label*="alert("]')
        assert hostile.count() >= 4
        for i in range(hostile.count()):
            page.mouse.move(0, 0)  # leave the last mark, so its tooltip goes
            hostile.nth(i).scroll_into_view_if_needed()
            hostile.nth(i).hover(force=True)
            page.wait_for_function(
                "() => { const tip = document.getElementById('vg-tooltip-element');"
                " return tip && tip.classList.contains('visible') && tip.textContent.includes('alert('); }",
                timeout=5_000,
            )
            assert page.locator("#vg-tooltip-element").locator("script, img, svg, iframe, [onerror], [onload]").count() == 0
        drawn = page.evaluate("[...document.querySelectorAll('[id^=\"chart-\"] svg')].map(s => s.textContent).join(' ')")
        counts = page.evaluate("""() => ({
            scripts: document.scripts.length - document.querySelectorAll('[id^="chart-"]').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            images: document.querySelectorAll('img, iframe, object, embed, svg image, foreignObject').length,
        })""")  # fmt: skip
        assert opened.dialogs == [] and opened.page_errors == [] and opened.console_errors == []
        assert opened.blocked_requests == []
    assert counts == {"scripts": 1, "handlers": 0, "images": 0}  # the Vega bundle, then one script per chart
    assert_shown(_squeeze(drawn), [SVG, LINK, SCRIPT, IMG], "the charts")


# --- 4. the data-quality page ---------------------------------------------------------------------------

_TEXT_COLUMNS = ("operator", "agency", "unit", "source_file", "source_sheet", "source_cell", "source_cell_before")


def test_the_quality_page_shows_the_failing_rows_as_text_only(injected):
    page = Page(injected.quality)
    assert_inert(page)
    assert page.scripts == []
    catalog = load_catalog()
    expected = set()
    for rule in injected.quality_json["rules"]:
        if rule["success"]:
            continue
        for row in rule["rows"][:MAX_ROWS_SHOWN]:
            expected |= {row[c] for c in _TEXT_COLUMNS if isinstance(row.get(c), str) and row[c]}
            expected |= {row[c] for c, known in (("indicator", catalog.indicators), ("area", catalog.areas))
                         if isinstance(row.get(c), str) and row[c] not in known}  # fmt: skip
    assert {IMG, BAD_INDICATOR, LINK, CMD, MINUS} <= expected  # area, indicator, unit, cell, the negative's enterprise
    assert_shown(page.text, sorted(expected), "the quality page")


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_the_quality_page_in_chromium_runs_no_payload(injected):
    with open_page(injected.target / "quality/2020-vs-2019.html") as opened:
        assert opened.page.evaluate("document.scripts.length") == 0
        assert opened.page.locator("#rule-operator_known").inner_text().count("alert(") > 0
        assert opened.dialogs == [] and opened.page_errors == [] and opened.blocked_requests == []


# --- 5. the emails -------------------------------------------------------------------------------------


def _assert_headers_clean(message: email.message.EmailMessage) -> None:
    assert message["Bcc"] is None and message["Cc"] is None
    for name, value in message.items():
        assert not re.search(r"[\r\n]", str(value)), name
        assert "evil" not in str(value), name


def test_the_leadership_email_has_no_script_and_no_injected_header(injected):
    message = injected.email
    _assert_headers_clean(message)
    assert message["Subject"].startswith("Báo cáo số liệu ngành Thông tin và Truyền thông năm 2020")
    raw = (injected.target / "annual_report.eml").read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|Cc|To):", head, re.M | re.I)
    markup = message.get_body(("html",)).get_content()
    page = Page(markup)
    assert page.scripts == [] and "<script" not in markup.lower()
    assert_inert(page, allowed={"img"})
    assert all(a.get("src", "").startswith("cid:") for t, a in page.tags if t == "img")
    assert {p.get_filename() for p in message.iter_attachments()} <= {"bao-cao-2020.pdf", "indicators.xlsx"}
    plain = message.get_body(("plain",)).get_content()
    assert not re.search(r"[\u202a-\u202e\x1b]", plain + page.text)


def test_the_analysts_alert_shows_the_hostile_rows_as_text(injected):
    message = injected.alert
    _assert_headers_clean(message)
    markup, plain = message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()
    page = Page(markup)
    assert page.scripts == [] and "<script" not in markup.lower()
    assert_inert(page)
    expected = set()
    for rule in injected.quality_json["rules"]:
        if not rule["success"]:
            for row in rule["rows"][:ALERT_ROWS]:
                expected |= {str(row[k]) for k in ("indicator", "area", "operator", "agency") if row.get(k)}
    assert {IMG, BAD_INDICATOR} <= expected
    assert_shown(page.text, sorted(expected), "the alert's HTML")
    assert_shown(_squeeze(plain), sorted(expected), "the alert's plain text")
    assert not re.search(r"[\u202a-\u202e\x1b]", plain)
    assert [p.get_filename() for p in message.iter_attachments()] == ["2020-vs-2019.html"]


# --- 6. chart specs ------------------------------------------------------------------------------------

# Where a value from the data may sit in a Vega-Lite spec: as data, or as a literal list of data values.
_DATA_PLACES = {".datasets.*[].*", ".data.values[].*", ".layer[].encoding.y.sort[]", ".encoding.y.sort[]",
                ".layer[].encoding.color.scale.domain[]", ".encoding.color.scale.domain[]", ".facet.sort[]",
                ".spec.layer[].encoding.x.sort[]"}  # fmt: skip


def _strings_with(value, needles, path=""):
    """Yield (generalised path, string) for every string in a spec holding one of `needles`."""
    if isinstance(value, dict):
        for key, item in value.items():
            step = "*" if path == ".datasets" or (path.endswith("[]") and ".datasets" in path) else key
            yield from _strings_with(item, needles, f"{path}.{step}")
    elif isinstance(value, list):
        for item in value:
            yield from _strings_with(item, needles, f"{path}[]")
    elif isinstance(value, str) and any(n in value for n in needles):
        yield path, value


HOSTILE_NAMES = [SCRIPT, VEGA, IMG, SVG, DETAILS, LINK, JINJA, DOLLAR, HYPERLINK, "a'b\"c\\d", "datum.value", LONG[:80]]


@pytest.mark.parametrize(
    "draw",
    [
        lambda f: district_bars(f.assign(name=f["label"]), DETAILS, SCRIPT, 2020, 2019),
        lambda f: agency_bars(f.assign(agency=f["label"]), VEGA, IMG, 2020, 2019),
        lambda f: operator_shares(f.assign(operator=f["label"]), SVG, 2020),
        lambda f: year_pair_bars(f.assign(name=f["label"], unit=LINK).head(4), JINJA, 2020, 2019),
    ],
    ids=["district_bars", "agency_bars", "operator_shares", "year_pair_bars"],
)
def test_chart_labels_and_titles_from_data_stay_data(draw):
    import vl_convert

    frame = pd.DataFrame({"label": HOSTILE_NAMES, "value_before": 10.0, "value": range(1, len(HOSTILE_NAMES) + 1),
                          "share": 5.0, "share_before": 4.0})  # fmt: skip
    spec = chart_spec(draw(frame))
    needles = ("alert(", "7*7", "a'b", "Trang tính")
    for path, text in _strings_with(spec, needles):
        if path in _DATA_PLACES:
            continue
        assert path.endswith(("title", "title.text", "axis.title", "description")), (path, text)  # text, never run
    expressions = [text for path, text in _strings_with(spec, ("datum",)) if path.rsplit(".", 1)[-1] in
                   ("labelExpr", "expr", "test", "calculate", "filter", "signal")]  # fmt: skip
    assert not [e for e in expressions if "alert" in e or "7*7" in e]
    # Compiled, a sort list becomes an expression; each value in it must be a whole string literal.
    data = {text for path, text in _strings_with(spec, ("",)) if path.startswith(".datasets")}
    vega = vl_convert.vegalite_to_vega(spec)
    compiled = [text for _, text in _strings_with(vega, needles) if "indexof(" in text or "===" in text]
    assert compiled
    for text in compiled:
        literals = [json.loads(f'"{literal}"') for literal in re.findall(r'==="((?:[^"\\]|\\.)*)"', text)]
        literals += [v for array in re.findall(r"indexof\((\[.*?\]), datum", text) for v in json.loads(array)]
        assert literals and set(literals) <= data, text
    svg = Page(vl_convert.vegalite_to_svg(spec))
    assert svg.scripts == [] and svg.handlers() == [] and svg.script_urls() == []
    assert svg.active({"svg"}) == []


# --- 7. the scheduled run with an SMTP password -------------------------------------------------------


def _accepting(password: str, logins: list):
    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.password == password.encode(), handled=False)

    return authenticate


def _build_run(folder: Path) -> None:
    write_hostile_raw(folder / "raw")
    inbox, logins = Inbox(), []
    options = {"authenticator": _accepting(SECRET, logins), "auth_required": True, "auth_require_tls": False}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
        with smtp_server(inbox, **options) as port:
            mail = {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none", "USER": "bao-cao", "SENDER": SENDER,
                    "RECIPIENTS": ",".join(LEADERSHIP), "ANALYSTS": ",".join(ANALYSTS), "PASSWORD": SECRET}  # fmt: skip
            env = {**{k: v for k, v in os.environ.items() if not k.startswith("ICTANALYSIS_")},
                   "PYTHONIOENCODING": "utf-8", **{f"ICTANALYSIS_SMTP_{k}": v for k, v in mail.items()}}  # fmt: skip
            done = subprocess.run(
                [sys.executable, "-m", "ictanalysis", "run", "--raw", "raw", "--processed", "processed",
                 "--reports", "reports", "--config", "no-mail.toml"],
                cwd=folder, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600,
            )  # fmt: skip
    received = [{"rcpt_tos": e.rcpt_tos, "mail_from": e.mail_from} for e in inbox.envelopes]
    (folder / "received.json").write_text(json.dumps({"envelopes": received, "logins": logins}), encoding="utf-8")
    for number, envelope in enumerate(inbox.envelopes):
        (folder / f"received-{number}.eml").write_bytes(envelope.original_content)
    (folder / "run.json").write_text(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr}),
                                     encoding="utf-8")  # fmt: skip


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory):
    """`ictanalysis run` on the hostile raw folder with mail settings and a password in the environment."""
    root = build_once(tmp_path_factory, "injection-run", _build_run)
    done = json.loads((root / "run.json").read_text(encoding="utf-8"))
    assert done["code"] == 0, done["out"] + done["err"]
    return SimpleNamespace(root=root, **done, **json.loads((root / "received.json").read_text(encoding="utf-8")))


def test_the_run_sends_once_to_the_configured_people_only(scheduled):
    assert scheduled.logins == ["bao-cao"]
    assert scheduled.envelopes == [{"rcpt_tos": list(LEADERSHIP), "mail_from": SENDER}]
    message = _parse((scheduled.root / "received-0.eml").read_bytes())
    _assert_headers_clean(message)
    assert message["To"] == ", ".join(LEADERSHIP)


def test_the_password_is_nowhere_the_run_writes_or_prints(scheduled):
    assert SECRET not in scheduled.out + scheduled.err
    outputs = [p for p in (scheduled.root / "reports").rglob("*") if p.is_file()]
    assert any(p.parent.name == "logs" for p in outputs) and (scheduled.root / "reports/2020/annual_report.ipynb") in outputs
    leaks = [p for p in [*outputs, *(scheduled.root / "processed").iterdir()] if SECRET.encode() in p.read_bytes()]
    assert leaks == []
    metadata = nbformat.read(scheduled.root / "reports/2020/annual_report.ipynb", as_version=4).metadata.papermill
    assert metadata.environment_variables == {} and "PASSWORD" not in json.dumps(metadata).upper()
    assert not re.search(r"[\u202a-\u202e\x1b]", scheduled.out + scheduled.err)


# --- 8. the terminal ---------------------------------------------------------------------------------


def test_clean_prints_file_names_with_their_control_characters_written_out(injected, tmp_path):
    done = subprocess.run([sys.executable, "-m", "ictanalysis", "clean", "--raw", str(injected.raw), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "skipped 2020/vien-thong" in done.stdout
    assert not re.search(r"[\r\x1b\u202a-\u202e]", done.stdout)


@pytest.mark.filterwarnings("ignore:Title is more than 31 characters")  # the hostile sheet name is meant to be long
def test_clean_errors_write_control_characters_out(tmp_path):
    raw = tmp_path / "raw"
    write_district_table(raw / "2020" / f"{CRLF} {RTL} {ESC}.xlsx", {"B8": f"Huyện {RTL} {CRLF}"},
                         sheet=f"TB cố định {IMG}")  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "ictanalysis", "clean", "--raw", str(raw), "--check"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})  # fmt: skip
    assert done.returncode == 3 and "unknown district" in done.stderr
    assert not re.search(r"[\r\x1b\u202a-\u202e]", done.stderr)
