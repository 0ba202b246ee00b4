"""The report's email as leadership's mail clients show it: a 390 px phone, Outlook for Windows, a screen reader.

One report is built per module (clean → gate → build_report, as tests/test_deliver.py builds it, about
30 s) into a temporary folder, its email written by the CLI (`send --eml-only`), and every test reads
the .eml that `send` wrote there: its HTML part opened in
headless Chromium (the images written beside it, their cid: links pointed at them), checked by axe-core
and by the caniemail data for Outlook for Windows, and its plain-text part read as it is.
"""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import lxml.html
import pytest
import vl_convert
from browser import open_page, requires_chromium
from htmlchecks import axe_violations, email_findings, requires_node

from ictanalysis import chart
from ictanalysis.compare import compare
from ictanalysis.deliver import build_email
from ictanalysis.deliver.compose import EMAIL_WIDTH, MAX_BYTES
from ictanalysis.formatting import format_locale
from ictanalysis.ingest import clean
from ictanalysis.report import ReportParameters, build_report
from ictanalysis.settings import DEFAULTS
from ictanalysis.tidy import read_indicators
from ictanalysis.validate import gate
from ictanalysis.view import ReportView

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PHONE = 390
DESKTOP = 760
# Units as a reader sees them after a number, in both languages; a plain space before one may break the line there.
UNITS = ("%", "điểm", "tỷ", "triệu", "đồng", "thuê bao", "trạm", "thủ tục", "bưu gửi", "pp", "percentage points",
         "percent", "billion", "million", "subscriptions", "stations", "procedures", "endpoints", "postal items")  # fmt: skip
NUMBER_THEN_UNIT = re.compile(r"\d[ \t]+(?:" + "|".join(re.escape(u) for u in UNITS) + r")(?![\w])")
# A unit of two words is held together too: "1.120,9 tỷ đồng" must not break between tỷ and đồng.
SPLIT_UNIT = re.compile(r"\d\u00a0(?:tỷ|triệu|thuê|thủ|bưu|điểm|percentage|billion|million|postal) ")
# What the page shows, measured in Chromium.
WIDER_THAN = """width => Array.from(document.body.querySelectorAll('*'))
    .filter(e => { const r = e.getBoundingClientRect(); return r.right > width + 0.5 || r.width > width; })
    .map(e => e.outerHTML.slice(0, 100))"""
IMAGE_WIDTHS = "Array.from(document.images).map(i => [i.naturalWidth, i.getBoundingClientRect().width, +i.getAttribute('width')])"
SHOWN_IMAGES = "Array.from(document.images).map(i => [i.getAttribute('src'), i.getBoundingClientRect().width])"
#: The smallest text (CSS px, as shown) a chart in the email may have on a phone.
LEGIBLE_PX = 9
COLUMN_WIDTH = "document.querySelector('h1').closest('table').getBoundingClientRect().width"


def _cli(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "ictanalysis", *args, "--wait", "120"], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)  # fmt: skip
    assert done.returncode == 0, f"ictanalysis {' '.join(args)}: {done.stdout}\n{done.stderr}"


@dataclass(frozen=True)
class Built:
    """The email `send` wrote, its parts, and its HTML as a page with the images beside it."""

    folder: Path
    message: EmailMessage
    markup: str  #: the HTML part as sent
    page: Path  #: the HTML part with cid: links turned into the image files beside it
    images: dict[str, bytes]  #: the PNG parts by Content-ID


def _open_eml(eml: Path, folder: Path) -> Built:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    markup = message.get_body(("html",)).get_content()
    page, images = markup, {}
    folder.mkdir(parents=True, exist_ok=True)
    for part in message.walk():
        if part.get_content_type() == "image/png":
            cid = part["Content-ID"].strip().strip("<>")
            images[cid] = part.get_content()
            (folder / part.get_filename()).write_bytes(images[cid])
            page = page.replace(f"cid:{cid}", part.get_filename())
    (folder / "email.html").write_text(page, encoding="utf-8")
    (folder / "raw.html").write_text(markup, encoding="utf-8")
    return Built(folder, message, markup, folder / "email.html", images)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the 2020 report in a fresh folder, and its .eml with the CLI, as the scheduled job sends it."""
    work = tmp_path_factory.mktemp("email-clients")
    data, reports = work / "processed" / "indicators.parquet", work / "reports"
    clean(REPO / "data" / "raw", out_dir=data.parent)
    gate(data, reports, year=2020, compare_year=2019)
    build_report(ReportParameters(2020, 2019, data=str(data)), reports)
    _cli("send", "--eml-only", "--year", "2020", "--compare-year", "2019", "--data", str(data), "--reports",
         str(reports), cwd=work)  # fmt: skip
    return _open_eml(reports / "2020" / "annual_report.eml", work / "email")


@pytest.fixture(scope="module")
def english(built: Built) -> EmailMessage:
    """The same report's email in English (built by the library from the CLI's report)."""
    work = built.folder.parent
    return build_email(2020, 2019, reports=work / "reports", data=work / "processed" / "indicators.parquet",
                       language="en")  # fmt: skip


def _texts(markup: str) -> list[str]:
    """Return what a reader of the HTML reads: its text and the alt text of its images."""
    tree = lxml.html.fromstring(markup)
    return [tree.body.text_content(), *(img.get("alt", "") for img in tree.iter("img"))]


# --- a phone, a desktop client ----------------------------------------------------------------


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_the_email_fits_a_phone_without_scrolling_sideways(built: Built) -> None:
    with open_page(built.page, width=PHONE, screenshot=built.folder / "phone.png") as opened:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert page.evaluate(WIDER_THAN, PHONE) == []
        images = page.evaluate(IMAGE_WIDTHS)
        assert len(images) == 6 and all(natural > 0 and 0 < shown <= PHONE for natural, shown, _ in images), images
        assert opened.blocked_requests == [] and opened.page_errors == []


def _smallest_fonts(built: Built) -> dict[str, float]:
    """Return each chart's smallest font size in its own pixels: the email's chart drawn again as SVG."""
    table = read_indicators(built.folder.parent / "processed" / "indicators.parquet")
    view = ReportView(compare(table, 2020, 2019, DEFAULTS.province), "vi")
    smallest = {}
    for name in view.contents.email.charts:
        with chart.drawn_for(chart.PHONE):
            svg = vl_convert.vegalite_to_svg(view.chart_spec(name), format_locale=format_locale("vi"))
        smallest[f"{name}.png"] = min(float(size) for size in re.findall(r'<text[^>]*font-size="([\d.]+)', svg))
    return smallest


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_on_a_phone_every_charts_smallest_text_is_legible(built: Built) -> None:
    """The email's charts are drawn in the phone layout: shown about 360 px wide, no text is under 9 px."""
    smallest = _smallest_fonts(built)
    with open_page(built.page, width=PHONE) as opened:
        shown = dict(opened.page.evaluate(SHOWN_IMAGES))
    pngs = {p.get_filename(): p.get_content() for p in built.message.walk() if p.get_content_type() == "image/png"}
    natural = {name: int.from_bytes(pngs[name][16:20], "big") / 2 for name in shown}
    legible = {name: round(smallest[name] * width / natural[name], 1) for name, width in shown.items()}
    assert len(legible) == 6 and min(legible.values()) >= LEGIBLE_PX, legible
    assert min(smallest.values()) >= 13, smallest  # the report's own charts (11 px at 460 px) would not do


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_on_a_desktop_the_email_is_one_column_and_the_charts_their_own_size(built: Built) -> None:
    with open_page(built.page, width=DESKTOP) as opened:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP
        assert page.evaluate(WIDER_THAN, DESKTOP) == []
        assert page.evaluate(COLUMN_WIDTH) == EMAIL_WIDTH
        images = page.evaluate(IMAGE_WIDTHS)
        assert len(images) == 6 and all(shown == attribute for _, shown, attribute in images), images


@requires_chromium
@requires_node
@pytest.mark.xdist_group("browser")
def test_axe_finds_no_violation_on_a_phone(built: Built) -> None:
    with open_page(built.page, width=PHONE) as opened:
        assert axe_violations(opened.page) == []


# --- Outlook for Windows --------------------------------------------------------------------------


@requires_node
def test_outlook_for_windows_supports_everything_the_email_uses(built: Built) -> None:
    found = email_findings(built.folder / "raw.html", "outlook.windows")
    assert found["success"] is True and found.get("errors", []) == [], found.get("errors")
    assert "white-space" not in built.markup


def test_the_email_is_hardened_for_outlook(built: Built) -> None:
    markup = built.markup
    head, body = markup.split("<body", 1)
    assert re.search(r"<!--\[if mso\]>.*<o:OfficeDocumentSettings>.*<o:PixelsPerInch>96</o:PixelsPerInch>.*<!\[endif\]-->",
                     head, re.DOTALL)  # fmt: skip
    assert re.search(rf'<!--\[if mso\]><table [^>]*width="{EMAIL_WIDTH}"[^>]*><tr><td width="{EMAIL_WIDTH}"><!\[endif\]-->',
                     body)  # fmt: skip
    assert "<!--[if mso]></td></tr></table><![endif]-->" in body
    tree = lxml.html.fromstring(markup)
    assert all(table.get("width") for table in tree.iter("table"))
    cells = [cell for cell in tree.iter("td", "th", "h1") if (cell.text or "").strip()]
    assert len(cells) > 60
    for cell in cells:
        style = cell.get("style", "")
        assert all(f"{p}:" in style for p in ("font-family", "font-size", "color")), lxml.html.tostring(cell)[:200]
        assert "sans-serif" in style


# --- images -------------------------------------------------------------------------------------------


def test_every_image_says_its_figure_and_is_twice_as_sharp_as_shown(built: Built) -> None:
    images = list(lxml.html.fromstring(built.markup).iter("img"))
    assert len(images) == 6
    for img in images:
        alt, width = img.get("alt", ""), int(img.get("width"))
        assert re.search(r"\d", alt) and len(alt) > 40, alt
        png = built.images[img.get("src").removeprefix("cid:")]
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert int.from_bytes(png[16:20], "big") >= 2 * width, (img.get("src"), width)
        assert 0 < width <= EMAIL_WIDTH
        assert "max-width: 100%" in img.get("style") and "height: auto" in img.get("style")
    alts = [img.get("alt") for img in images]
    assert alts[0] == ("Tăng/giảm so với năm trước (%): từ −10,2\u00a0% (Thuê bao điện thoại cố định) "
                       "đến +650,0\u00a0% (Dịch vụ công trực tuyến mức độ 4).")  # fmt: skip
    assert "669.065\u00a0thuê\u00a0bao (+2,1\u00a0% so với năm 2019)" in alts[1]
    assert "135,1\u00a0tỷ\u00a0đồng" in alts[5]


def test_the_charts_keep_the_message_small(built: Built) -> None:
    size = len(built.message.as_bytes())
    assert size < MAX_BYTES * 0.6, size  # 2× images, compressed again: about 1.0 MB in all
    assert sum(len(png) for png in built.images.values()) < 600_000


# --- words ------------------------------------------------------------------------------------------------


def test_numbers_hold_to_their_units_in_both_parts_and_both_languages(built: Built, english: EmailMessage) -> None:
    vi_plain = built.message.get_body(("plain",)).get_content()
    en_html, en_plain = (english.get_body((kind,)).get_content() for kind in ("html", "plain"))
    for text in [*_texts(built.markup), vi_plain, *_texts(en_html), en_plain]:
        assert NUMBER_THEN_UNIT.findall(text) == [] and SPLIT_UNIT.findall(text) == []
    assert "tăng 2,1\u00a0% so với năm 2019" in vi_plain and "1.120,9\u00a0tỷ\u00a0đồng" in vi_plain
    assert "+1,5\u00a0điểm\u00a0%" in vi_plain and "1,5\u00a0điểm\u00a0phần\u00a0trăm" in vi_plain
    assert "1.5\u00a0percentage\u00a0points" in en_plain and "1,120.9\u00a0billion\u00a0đồng" in en_plain
    assert "tăng 2,1\u00a0% so với năm 2019" in _texts(built.markup)[0]


def test_the_province_is_named_once_and_the_sender_in_natural_words(built: Built, english: EmailMessage) -> None:
    message = built.message
    vi = [message["Subject"], *_texts(built.markup), message.get_body(("plain",)).get_content()]
    assert all("Tỉnh Tỉnh" not in text and "tỉnh Tỉnh" not in text for text in vi)
    assert "Tỉnh Ninh Thuận" in vi[1] and "Tỉnh Ninh Thuận" in vi[-1]
    assert all("bởi ictanalysis" not in text for text in vi)
    assert re.search(r"Thư này do chương trình lập báo cáo của Sở soạn tự động lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}\.",
                     vi[-1])  # fmt: skip
    en = english.get_body(("plain",)).get_content()
    assert re.search(r"This message was prepared automatically by the department's reporting program at \d\d:\d\d on", en)
    assert "Ninh Thuan province" in en and "province province" not in en
