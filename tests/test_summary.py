"""The one-page summary: headline tiles, targets against results from the plan file, the trend; in the PDF and .docx.

The figures are checked against the bundled tidy table, summed here with pandas
(not through the library's own figures); the plan file's failures are checked on
small files written per test; the document is built once (with the bundled plan,
and without one) and read back with pypdf and python-docx; the HTML section is
opened in headless Chromium at a phone's width.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import docx
import pypdf
import pytest
from browser import open_page, requires_chromium
from conftest import build_once
from htmlchecks import axe_violations, requires_node

from ictanalysis.catalog import load_catalog
from ictanalysis.contents import load_contents
from ictanalysis.document import build_document, document_files
from ictanalysis.errors import InputError
from ictanalysis.ingest import clean
from ictanalysis.narrative import headline_sentences
from ictanalysis.plan import read_plan, read_plan_file
from ictanalysis.summary import change_line, document_block, summarise, summary_markup

REPO = Path(__file__).resolve().parents[1]
PLANS = REPO / "data" / "plans"
PROVINCE = "58"
MM = 72 / 25.4
A4_HEIGHT = 841.89
HEADER = "Chỉ tiêu;Đơn vị tính;Kế hoạch năm 2020;Nguồn\n"


def _nfc(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", unicodedata.normalize("NFC", text))


def _sp(*texts: str) -> list[str]:
    """Return the texts with their no-break spaces (between a number and its unit) as plain ones."""
    return [t.replace("\u00a0", " ") for t in texts]


def _from_table(table, indicator: str, year: int) -> float:
    """Return the province's figure as the tidy table gives it: its row, else its enterprises', parts' or districts'."""
    rows = table[(table["year"] == year) & (table["indicator"] == indicator)]
    province = rows[rows["area"] == PROVINCE]
    whole = province[(province["operator"] == "") & (province["agency"] == "")]
    if len(whole):
        return float(whole["value"].iloc[0])
    members = province[(province["operator"] != "") & (province["agency"] == "")]
    if len(members):
        return float(members["value"].sum())
    parts = load_catalog().indicator(indicator).parts
    if parts:
        return sum(_from_table(table, part, year) for part in parts)
    districts = rows[(rows["area"] != PROVINCE) & (rows["operator"] == "") & (rows["agency"] == "")]
    return float(districts["value"].sum()) if len(districts) else math.nan


@pytest.fixture(scope="module")
def summary(cmp):
    return summarise(cmp, load_contents(), read_plan(PLANS, 2020, cmp.catalog))


# --- the figures -----------------------------------------------------------------------------------------------------


def test_each_tile_is_the_tidy_table_s_figure_for_2020_and_its_change_from_2019(table, summary):
    headline = load_contents().headline
    assert [t.indicator for t in summary.tiles] == list(headline)  # every headline indicator has a 2020 figure
    for tile in summary.tiles:
        now, before = _from_table(table, tile.indicator, 2020), _from_table(table, tile.indicator, 2019)
        assert tile.value == pytest.approx(now), tile.indicator
        if load_catalog().indicator(tile.indicator).unit != "%":
            change = f"{(now / before - 1) * 100:+.1f}".replace(".", ",").replace("-", "\u2212")
            assert _sp(tile.change_text) == [f"{change} %"], tile.indicator
    mobile = summary.tile("mobile_subscribers")
    assert _sp(mobile.value_text, mobile.change_text, mobile.like_for_like_text) == ["669.065 thuê bao", "+2,1 %", "+0,9 %"]
    assert _sp(summary.tile("telecom_revenue").value_text) == ["1.120,9 tỷ đồng"]
    coverage = summary.tile("coverage_4g_population")
    assert _sp(coverage.value_text, coverage.change_text, coverage.like_for_like_text) == ["100 %", "+1,5 điểm %", ""]


def test_a_tile_says_a_multiple_as_the_sentences_do_from_the_table_s_figures(table, cmp, summary):
    """Level-4 services went from 74 to 555: the tile says "gấp 7,5 lần", as the headline sentence does."""
    before, now = _from_table(table, "online_services_level4", 2019), _from_table(table, "online_services_level4", 2020)
    assert (before, now) == (74, 555)
    level4 = summary.tile("online_services_level4")
    assert _sp(level4.times_text, change_line(level4, summary)) == ["7,5 lần", "gấp 7,5 lần so với năm 2019"]
    assert f"gấp {level4.times_text}" in headline_sentences(cmp)[0]  # the same words, the same rule
    assert _sp(change_line(summary.tile("videoconference_endpoints"), summary)) == ["gấp 3,9 lần so với năm 2019"]
    below = [t for t in summary.tiles if t.indicator not in ("online_services_level4", "videoconference_endpoints")]
    assert all(t.times_text == "" and change_line(t, summary).startswith(t.change_text) for t in below)
    english = summarise(cmp, load_contents(), None, "en")
    assert _sp(change_line(english.tile("online_services_level4"), english)) == ["7.5 times the 2019 figure"]
    markup = summary_markup(summary)
    assert "gấp 7,5\u00a0lần so với năm 2019" in markup and "+650" not in markup
    block = document_block(summary)
    assert _sp(next(t.change for t in block.tiles if t.name == level4.name)) == ["gấp 7,5 lần so với năm 2019"]


def test_each_target_is_set_against_the_table_s_result(table, summary):
    plan = read_plan(PLANS, 2020)
    assert [t.indicator for t in summary.targets] == [t.indicator for t in plan.targets]
    for row in summary.targets:
        result = _from_table(table, row.indicator, 2020)
        assert row.result == pytest.approx(result) and row.percent == pytest.approx(result / row.target * 100)
        assert row.met == (result >= row.target) and row.verdict == ("Đạt" if row.met else "Chưa đạt")
    by_id = {row.indicator: row for row in summary.targets}
    assert by_id["telecom_revenue"].target == 1.1e12 and _sp(by_id["telecom_revenue"].target_text) == ["1.100 tỷ đồng"]
    assert _sp(by_id["videoconference_endpoints"].percent_text) == ["94,0 %"] and not by_id["videoconference_endpoints"].met
    assert not by_id["national_portal_share"].illustrative and by_id["online_services_level4"].illustrative


def test_the_trend_holds_every_year_the_table_holds_for_its_series(table, summary):
    years = sorted(int(y) for y in set(table["year"]))
    for line in summary.trend:
        held = [y for y in years if not math.isnan(_from_table(table, line.indicator, y))]
        assert list(line.years) == held and len(held) >= 3, line.indicator
        assert list(line.values) == [pytest.approx(_from_table(table, line.indicator, y)) for y in held]
    telephones = next(line for line in summary.trend if line.indicator == "gso_telephone_subscribers")
    assert telephones.years == (2015, 2017, 2018, 2019, 2020) and telephones.texts[-1] == "683.100"


# --- the plan file ---------------------------------------------------------------------------------------------------


def test_without_a_plan_file_for_the_year_the_targets_part_is_left_out(cmp, tmp_path):
    assert read_plan(tmp_path, 2020) is None and read_plan(PLANS, 2021) is None
    summary = summarise(cmp, load_contents(), None)
    assert summary.targets is None and summary.tiles
    markup = summary_markup(summary)
    assert "Kết quả thực hiện kế hoạch" not in markup and "Kế hoạch" not in markup and "<ul" in markup


@pytest.mark.parametrize(("row", "cell", "found", "expected"), [
    ("Dịch vụ công trực tuyến mức độ 4;thủ tục;5OO;", "C2", "found text '5OO'", "a number in Vietnamese notation"),
    ("Thuê bao di động;thuê bao;1.2.34;", "C2", "found text '1.2.34'", "a number in Vietnamese notation"),
    ("Doanh thu bưu chính;;140;", "B2", "the unit of 'postal_revenue' is not stated", "đồng, nghìn đồng, triệu đồng"),
    ("Doanh thu bưu chính;thuê bao;140;", "B2", "'thuê bao' is not a unit of 'postal_revenue'", "tỷ đồng"),
    ("Số cây xanh;cây;12;", "A2", "unknown indicator 'Số cây xanh'", "catalog/indicators.yaml"),
    ("Điểm cầu hội nghị truyền hình;điểm cầu;;", "C2", "no target", "the target"),
])  # fmt: skip
def test_a_wrong_row_of_the_plan_is_refused_naming_the_file_and_the_cell(tmp_path, row, cell, found, expected):
    path = tmp_path / "ke-hoach-2020.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(tmp_path, 2020)
    (problem,) = caught.value.problems
    assert (problem.file, problem.cell) == (str(path), cell)
    assert found in problem.message and expected in problem.expected, problem
    assert f"{path}, sheet 'ke-hoach-2020', cell {cell}: " in str(caught.value)


def test_every_problem_of_a_plan_is_reported_at_once_and_a_second_target_is_one(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "Thuê bao di động;nghìn thuê bao;680;\nDoanh thu bưu chính;tỷ;abc;\n"
                    "Thuê bao điện thoại di động;thuê bao;1;\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_plan_file(path, 2020)
    assert [(p.cell, p.message) for p in caught.value.problems] == [
        ("C3", "found text 'abc' where a number belongs"), ("A4", "a second target for 'mobile_subscribers'")]  # fmt: skip
    path.write_text(HEADER + "Thuê bao di động;nghìn thuê bao;680;\n", encoding="utf-8")
    assert read_plan_file(path, 2020).targets[0].value == 680_000  # the stated unit is converted
    path.write_text("Năm;Giá trị\n2020;5\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header row of a plan"):
        read_plan_file(path, 2020)


def test_two_plan_files_for_one_year_are_refused(tmp_path):
    for suffix in (".csv", ".ods"):
        (tmp_path / f"ke-hoach-2020{suffix}").write_text(HEADER, encoding="utf-8")
    with pytest.raises(InputError, match="a second plan for 2020"):
        read_plan(tmp_path, 2020)


# --- the official document -------------------------------------------------------------------------------------------


def _build(folder: Path) -> None:
    clean(REPO / "data" / "raw", out_dir=folder / "processed")
    data = folder / "processed" / "indicators.parquet"
    build_document(2020, 2019, data=data, quality=None, out_dir=folder / "plan", plans=PLANS)
    (folder / "no-plans").mkdir()
    build_document(2020, 2019, data=data, quality=None, out_dir=folder / "none", plans=folder / "no-plans")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_once(tmp_path_factory, "summary", _build)


def _pages(built: Path, variant: str) -> list:
    return pypdf.PdfReader(document_files(built / variant, 2020)[0]).pages


@pytest.mark.slow
def test_the_pdf_s_first_two_pages_hold_the_tiles_and_the_targets(built, summary):
    pages = _pages(built, "plan")
    text = _nfc(pages[0].extract_text() + "\n" + pages[1].extract_text())
    text_flat = re.sub(r"\s+", " ", text)
    assert "TÓM TẮT KẾT QUẢ NĂM 2020" in text
    for tile in summary.tiles:
        assert _nfc(tile.value_text) in text and _nfc(change_line(tile, summary)) in text, tile.indicator
    for row in summary.targets:
        line = _nfc(f"{row.target_text} {row.result_text} {row.percent_text} {row.verdict}")
        assert line in text_flat, line
    assert "(*) Chỉ tiêu kế hoạch minh hoạ" in text and "2015: 717.300" in text


@pytest.mark.slow
def test_the_summary_fits_on_one_page_above_its_bottom_margin(built, summary):
    pages = _pages(built, "plan")
    (page,) = [p for p in pages if "TÓM TẮT KẾT QUẢ" in _nfc(p.extract_text())]
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((_nfc(text.strip()), tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    last = [y for text, y in found if text.startswith("2020: ")]  # the trend's last labels, the summary's foot
    assert len(last) == len(summary.trend) and min(last) > 20 * MM, (last, 20 * MM)
    text = _nfc(page.extract_text())
    assert all(_nfc(t.value_text) in text for t in summary.tiles) and "Doanh thu bưu chính (*)" in text
    assert text.index("TÓM TẮT KẾT QUẢ") < text.index("Diễn biến qua các năm")


@pytest.mark.slow
def test_without_a_plan_the_document_has_no_targets_part(built):
    text = _nfc("\n".join(p.extract_text() for p in _pages(built, "none")))
    assert "TÓM TẮT KẾT QUẢ NĂM 2020" in text and "669.065 thuê bao" in text.replace("\u00a0", " ")
    assert "Kết quả thực hiện kế hoạch" not in text and "minh hoạ" not in text
    word = docx.Document(str(document_files(built / "none", 2020)[1]))
    assert not [t for t in word.tables if t.rows[0].cells[0].text == "Chỉ tiêu" and "Kế hoạch" in t.rows[0].cells[1].text]


@pytest.mark.slow
def test_the_docx_holds_the_tiles_the_targets_and_the_trend(built, summary):
    word = docx.Document(str(document_files(built / "plan", 2020)[1]))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs.index("TÓM TẮT KẾT QUẢ NĂM 2020") < paragraphs.index("I. ĐÁNH GIÁ CHUNG")
    tiles = word.tables[1]  # after the header blocks
    cells = [[p.text for p in cell.paragraphs] for row in tiles.rows for cell in row.cells]
    for tile in summary.tiles:
        assert [tile.name, tile.value_text, change_line(tile, summary),
                *([f"cùng đơn vị báo cáo: {tile.like_for_like_text}"] if tile.like_for_like_text else [])] in cells  # fmt: skip
    targets = word.tables[2]
    assert [c.text for c in targets.rows[0].cells] == ["Chỉ tiêu", "Kế hoạch", "Thực hiện", "So với kế hoạch", "Đánh giá"]
    assert _sp(*(c.text for c in targets.rows[-1].cells)) == ["Doanh thu bưu chính (*)", "140 tỷ đồng", "135,1 tỷ đồng",
                                                             "96,5 %", "Chưa đạt"]  # fmt: skip
    trend = word.tables[3]
    assert [c.text for c in trend.rows[0].cells] == ["Chỉ tiêu", "2015", "2017", "2018", "2019", "2020"]
    assert trend.rows[1].cells[-1].text == "683.100"


# --- the HTML section --------------------------------------------------------------------------------------------------


@requires_chromium
@requires_node
@pytest.mark.xdist_group("browser")
def test_the_html_section_fits_a_phone_and_has_no_accessibility_violation(summary, tmp_path):
    page_file = tmp_path / "summary.html"
    page_file.write_text('<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" '
                         'content="width=device-width, initial-scale=1"><title>Tóm tắt</title></head><body><main>'
                         f"{summary_markup(summary)}</main></body></html>", encoding="utf-8")  # fmt: skip
    with open_page(page_file, width=390, height=844, screenshot=tmp_path / "summary.png") as opened:
        page = opened.page
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tops = page.eval_on_selector_all("section.summary li", "items => items.map(i => i.getBoundingClientRect().top)")
        assert len(tops) == 13 and tops[0] == tops[1] and tops.count(tops[0]) == 2  # two tiles a row on a phone
        assert "669.065 thuê bao" in page.inner_text("section.summary").replace("\u00a0", " ")
        assert axe_violations(page) == []
        assert opened.blocked_requests == [] and opened.page_errors == []
