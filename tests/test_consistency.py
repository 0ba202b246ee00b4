"""Consistency across sources and dimensions, totals that add up exactly, and a year that repeats another's.

Every aggregation the catalog knows (districts → province, enterprises → all
enterprises, agencies → all agencies, parts → whole) is checked by the gate
wherever both sides are in the table; a disagreement names the cells of both
sides. A total differs from the sum of its parts only by a tolerance the catalog
states for that indicator, with its reason, and the quality page says where one
was used. A sheet whose figures are all an earlier year's is a warning.
Great Expectations costs a second or two a call: each table is validated once.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import row_index
from markupsafe import escape

from ictanalysis.catalog import CATALOG_DIR, Catalog, CatalogError, load_catalog
from ictanalysis.errors import InputError
from ictanalysis.ingest import clean
from ictanalysis.quality import render_quality_page
from ictanalysis.rules import build_views
from ictanalysis.tidy import SOURCE_SEPARATOR, Records, frame
from ictanalysis.years import YearPair

PAIR = YearPair(2020, 2019)
STRAY = "2020/thue-bao-huyen-2020.xlsx"
MOBILE = "2020/vien-thong-2020.xlsx" + SOURCE_SEPARATOR + "TB di động" + SOURCE_SEPARATOR
# Bác Ái's 2020 mobile subscribers by enterprise in TB di động: MobiFone, VNPT, Vietnamobile, Viettel (23.566 in all).
BAC_AI_MOBILE_CELLS = ("K9", "E9", "N9", "H9")
ADD_UP_VIEWS = ("district_totals", "enterprise_totals", "agency_totals", "parts")
TOLERATED = {"telecom_revenue", "postal_revenue", "gso_telephone_subscribers", "gso_postal_telecom_revenue"}


# --- helpers ----------------------------------------------------------------------------------


def _validate(table: pd.DataFrame):
    from ictanalysis.validate import validate

    return validate(table, PAIR)


def _rule(result, rule_id: str):
    found = [r for r in result.rules if r.id == rule_id]
    assert found, f"the gate has no rule {rule_id!r}: {[r.id for r in result.rules]}"
    return found[0]


def _finding(page: str, rule_id: str) -> str:
    start = page.index(f'id="rule-{rule_id}"')
    return page[start : page.index("</section>", start)]


def _stray_mobile_workbook(path: Path) -> Path:
    """Write a workbook giving all-enterprise mobile subscribers for three districts, without a total row."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "TB"
    ws["A1"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN"
    ws["A2"] = "SỐ THUÊ BAO DI ĐỘNG THEO HUYỆN NĂM 2020"
    ws["A3"] = "Đơn vị tính: thuê bao"
    ws["A5"], ws["B5"], ws["C5"] = "STT", "Địa bàn", "Thuê bao di động"
    for i, (district, value) in enumerate((("Bác Ái", 10000), ("Ninh Hải", 20000), ("Ninh Sơn", 30000))):
        ws.cell(row=6 + i, column=1, value=i + 1)
        ws.cell(row=6 + i, column=2, value=district)
        ws.cell(row=6 + i, column=3, value=value)
    book.save(path)
    return path


def _number(cell) -> float:
    value = cell.value
    return float(value.replace(".", "").replace(",", ".")) if isinstance(value, str) else float(value)


def _retitled(source: Path, target: Path, old: int, new: int) -> Path:
    """Save workbook `source` as `target` with every year `old` in its text written as `new` (figures kept)."""
    book = openpyxl.load_workbook(source)
    pattern = re.compile(rf"(?<!\d){old}(?!\d)")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and pattern.search(cell.value) and re.search(r"[^\d.,\s%*()-]", cell.value):
                    cell.value = pattern.sub(str(new), cell.value)
    target.unlink(missing_ok=True)
    book.save(target)
    return target


def _tidy(*rows: tuple) -> pd.DataFrame:
    """Return a tidy table of (year, indicator, area, operator, agency, value, file, sheet, cell) rows."""
    catalog, records = load_catalog(), Records()
    for year, indicator, area, operator, agency, value, file, sheet, cell in rows:
        known = catalog.indicator(indicator)
        records.append(year=year, domain=known.domain, indicator=indicator, area=area, operator=operator,
                       agency=agency, value=float(value), unit=known.unit, source_file=file, source_sheet=sheet,
                       source_cell=cell)  # fmt: skip
    return frame(records)


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    """The tidy table of the bundled workbooks (copy it before changing it)."""
    return clean(Path(__file__).resolve().parents[1] / "data" / "raw", out_dir=None).table


@pytest.fixture(scope="module")
def bundled_result(bundled):
    return _validate(bundled.copy())


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


# --- consistency across sources and dimensions ----------------------------------------------------


@pytest.fixture(scope="module")
def stray(tmp_path_factory):
    """The bundled workbooks and a stray one with all-enterprise mobile subscribers for three districts: table, result."""
    raw = tmp_path_factory.mktemp("stray") / "raw"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "raw", raw, ignore=shutil.ignore_patterns("*.py", "*.md"))
    _stray_mobile_workbook(raw / STRAY)
    table = clean(raw, out_dir=None).table
    return table, _validate(table)


def test_all_enterprise_figures_from_a_second_source_must_equal_the_enterprises_own(stray):
    table, result = stray
    assert set(table.loc[table["source_file"] == STRAY, "value"]) == {10000.0, 20000.0, 30000.0}
    assert not result.passed
    assert "enterprises_add_up" in {r.id for r in result.failures}
    rule = _rule(result, "enterprises_add_up")
    assert rule.failed == 3 == len(rule.rows)
    bac_ai = rule.rows[rule.rows["area"] == "584"].iloc[0]
    assert (bac_ai["all_enterprises_value"], bac_ai["enterprise_sum"], bac_ai["difference"]) == (10000.0, 23566.0, -13566.0)
    assert (bac_ai["source_file"], bac_ai["source_sheet"], bac_ai["source_cell"]) == (STRAY, "TB", "C6")
    assert bac_ai["enterprise_cells"] == ", ".join(MOBILE + cell for cell in BAC_AI_MOBILE_CELLS)


def test_the_page_names_the_cells_of_both_sides_of_a_disagreement(stray, catalog):
    _, result = stray
    finding = _finding(render_quality_page(result, language="vi", catalog=catalog), "enterprises_add_up")
    assert f"<td>{STRAY}</td>" in finding and "<td>C6</td>" in finding
    assert str(escape(", ".join(MOBILE + cell for cell in BAC_AI_MOBILE_CELLS))) in finding
    assert "<td>23.566</td>" in finding and "<td>10.000</td>" in finding


def test_an_all_enterprise_whole_is_checked_against_enterprises_that_give_only_its_parts():
    """2019's form has prepaid and postpaid per enterprise, no total: their sum stands for each enterprise's."""
    table = _tidy(
        (2020, "mobile_subscribers", "584", "", "", 10000, STRAY, "TB", "C6"),
        (2020, "mobile_prepaid_subscribers", "584", "VNPT", "", 5000, "2020/a.xlsx", "TB", "C9"),
        (2020, "mobile_postpaid_subscribers", "584", "VNPT", "", 387, "2020/a.xlsx", "TB", "D9"),
        (2020, "mobile_prepaid_subscribers", "584", "Viettel", "", 12000, "2020/a.xlsx", "TB", "F9"),
        (2020, "mobile_postpaid_subscribers", "584", "Viettel", "", 951, "2020/a.xlsx", "TB", "G9"),
    )
    view = build_views(table, load_catalog(), PAIR)["enterprise_totals"]
    assert view[["all_enterprises_value", "enterprise_sum", "enterprise_cells"]].values.tolist() == [
        [10000.0, 18338.0, "2020/a.xlsx › TB › D9 + C9, 2020/a.xlsx › TB › G9 + F9"]]  # fmt: skip
    assert view["excess"].iloc[0] > 1


def test_enterprises_given_by_district_only_count_in_the_all_enterprise_province_figure():
    """An enterprise sheet without a total row still sums to the province: a stray province figure is checked."""
    codes = ("582", "584", "585", "586", "587", "588", "589")  # Ninh Thuận's seven districts in 2020
    rows = [(2020, "mobile_prepaid_subscribers", code, operator, "", value, "2020/vt.xlsx", "TB", f"{col}{7 + i}")
            for operator, col, value in (("VNPT", "C", 10000), ("Viettel", "D", 20000))
            for i, code in enumerate(codes)]  # fmt: skip
    stray = (2020, "mobile_prepaid_subscribers", "58", "", "", 150000, "2020/tong-hop.xlsx", "Tổng hợp", "E14")
    view = build_views(_tidy(*rows, stray), load_catalog(), PAIR)["enterprise_totals"]
    assert view[["all_enterprises_value", "enterprise_sum"]].values.tolist() == [[150000.0, 210000.0]]
    assert view["excess"].iloc[0] > 1
    assert view["enterprise_cells"].iloc[0] == ("2020/vt.xlsx › TB › C7 + C8 + C9 + C10 + C11 + C12 + C13, "
                                                "2020/vt.xlsx › TB › D7 + D8 + D9 + D10 + D11 + D12 + D13")  # fmt: skip


def test_an_enterprise_missing_a_district_is_not_summed_into_a_province_figure():
    rows = [(2020, "mobile_prepaid_subscribers", code, "VNPT", "", 10000, "2020/vt.xlsx", "TB", f"C{7 + i}")
            for i, code in enumerate(("582", "584", "585"))]  # three of seven districts: not the province's
    stray = (2020, "mobile_prepaid_subscribers", "58", "", "", 150000, "2020/tong-hop.xlsx", "Tổng hợp", "E14")
    assert build_views(_tidy(*rows, stray), load_catalog(), PAIR)["enterprise_totals"].empty


def test_agencies_must_add_up_to_all_agencies(bundled):
    table = bundled.copy()
    table.loc[row_index(table, year=2020, indicator="online_services_level4", agency="Sở Y tế"), "value"] += 1
    result = _validate(table)
    assert {r.id for r in result.failures} == {"agencies_add_up"}
    rows = _rule(result, "agencies_add_up").rows
    assert rows[["indicator", "all_agencies_value", "agency_sum", "source_cell"]].values.tolist() == [
        ["online_services_level4", 555.0, 556.0, "E26"]]  # fmt: skip
    assert "E16" in rows["agency_cells"].iloc[0] and "2020/" not in rows["agency_cells"].iloc[0]  # the same sheet


def test_districts_add_up_to_the_province_per_enterprise_and_per_agency():
    sheet = ("2020/a.xlsx", "A")
    table = _tidy(
        (2020, "fixed_telephone_subscribers", "58", "VNPT", "", 30, *sheet, "C10"),
        (2020, "fixed_telephone_subscribers", "582", "VNPT", "", 10, *sheet, "C7"),
        (2020, "fixed_telephone_subscribers", "584", "VNPT", "", 21, *sheet, "C8"),
        (2020, "online_services_level4", "58", "", "UBND cấp huyện", 5, *sheet, "D10"),
        (2020, "online_services_level4", "582", "", "UBND cấp huyện", 2, *sheet, "D7"),
        (2020, "online_services_level4", "584", "", "UBND cấp huyện", 2, *sheet, "D8"),
    )
    view = build_views(table, load_catalog(), PAIR)["district_totals"]
    failing = view[view["excess"] > 1]
    assert failing[["indicator", "operator", "agency", "province_value", "district_sum", "district_cells"]].values.tolist() == [
        ["fixed_telephone_subscribers", "VNPT", "", 30.0, 31.0, "C7, C8"],
        ["online_services_level4", "", "UBND cấp huyện", 5.0, 4.0, "D7, D8"],
    ]  # fmt: skip


def test_a_part_from_another_sheet_is_named_with_its_file_and_sheet():
    table = _tidy(
        (2020, "mobile_subscribers", "584", "VNPT", "", 100, "2020/a.xlsx", "TB", "E9"),
        (2020, "mobile_prepaid_subscribers", "584", "VNPT", "", 60, "2020/a.xlsx", "TB", "C9"),
        (2020, "mobile_postpaid_subscribers", "584", "VNPT", "", 30, "2020/b.xlsx", "TS", "B4"),
    )
    view = build_views(table, load_catalog(), PAIR)["parts"]
    assert view[["whole_value", "parts_sum", "part_cells"]].values.tolist() == [[100.0, 90.0, "2020/b.xlsx › TS › B4, C9"]]
    assert view["excess"].iloc[0] > 1


def test_a_key_given_by_two_workbooks_is_refused_naming_both_cells(bundled_raw_copy, district_table):
    district_table(bundled_raw_copy / "2020" / "co-dinh-2020.xlsx")
    with pytest.raises(InputError) as raised:
        clean(bundled_raw_copy, out_dir=None)
    duplicated = [p for p in raised.value.problems if "duplicated key" in p.message]
    assert duplicated, str(raised.value)
    message = duplicated[0].message
    assert "2020/co-dinh-2020.xlsx › TB cố định - Internet › C" in message
    assert "2020/vien-thong-2020.xlsx › TB cố định - Internet › C" in message


# --- totals add up exactly ------------------------------------------------------------------------


def test_a_district_total_off_by_150_subscribers_is_refused_at_ingest(bundled_raw_copy):
    path = bundled_raw_copy / "2020" / "vien-thong-2020.xlsx"
    book = openpyxl.load_workbook(path)
    cell = book["TB di động"]["F15"]  # Viettel's prepaid total, 333.962
    assert _number(cell) == 333962
    cell.value = 333962 + 150
    book.save(path)
    with pytest.raises(InputError) as raised:
        clean(bundled_raw_copy, out_dir=None)
    problems = [(p.file, p.sheet, p.cell, p.message) for p in raised.value.problems]
    assert ("2020/vien-thong-2020.xlsx", "TB di động", "F15",
            "total 334.112 differs from the sum 333.962 of F8:F14 (mobile_prepaid_subscribers) by 150") in problems


def test_a_province_total_off_by_150_subscribers_fails_the_gate(bundled):
    table = bundled.copy()
    for indicator in ("mobile_prepaid_subscribers", "mobile_subscribers"):  # the whole stays the sum of its parts
        table.loc[row_index(table, year=2020, indicator=indicator, area="58", operator="Viettel"), "value"] += 150
    result = _validate(table)
    assert {r.id for r in result.failures} == {"districts_add_up"}
    rows = _rule(result, "districts_add_up").rows
    assert rows[["indicator", "difference", "allowed", "source_cell"]].values.tolist() == [
        ["mobile_prepaid_subscribers", 150.0, 0.0, "F15"], ["mobile_subscribers", 150.0, 0.0, "H15"]]  # fmt: skip


def test_a_tolerance_is_stated_only_for_some_indicators_each_with_its_reason(catalog):
    stated = {i.id: i.tolerance for i in catalog.indicators.values() if i.tolerance is not None}
    assert set(stated) == TOLERATED
    assert all(t.reason.strip() and t.reason_en.strip() for t in stated.values())
    assert catalog.tolerance("mobile_subscribers") is None  # no default: counts add up exactly


def test_a_tolerance_without_a_reason_is_refused(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    indicators = folder / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    text = text.replace("  aliases: [Điện thoại cố định,", "  tolerance: {absolute: 10}\n  aliases: [Điện thoại cố định,", 1)
    indicators.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"tolerance\.reason: missing"):
        Catalog(folder)


def test_the_bundled_data_adds_up_exactly_where_no_tolerance_is_stated(bundled, catalog):
    views = build_views(bundled, catalog, PAIR)
    for name in ADD_UP_VIEWS:
        view = views[name]
        assert len(view), name
        exact = view[view["indicator"].map(lambda i: catalog.tolerance(i) is None)]
        assert (exact["allowed"] == 0).all() and (exact["difference"].abs() < 1e-6).all(), (name, exact)
    assert len(views["enterprise_totals"]) == 8 and len(views["agency_totals"]) == 6


def test_a_revenue_total_may_differ_by_its_stated_tolerance_and_no_more(bundled):
    key = {"year": 2020, "indicator": "telecom_revenue", "operator": ""}
    within, beyond = bundled.copy(), bundled.copy()
    within.loc[row_index(within, **key), "value"] += 400_000  # 0,4 triệu đồng: rounding
    beyond.loc[row_index(beyond, **key), "value"] += 600_000
    assert _validate(within).passed
    result = _validate(beyond)
    assert {r.id for r in result.failures} == {"enterprises_add_up"}
    assert _rule(result, "enterprises_add_up").rows[["difference", "allowed"]].values.tolist() == [[600_000.0, 500_000.0]]


def test_a_revenue_tolerance_is_for_figures_rounded_as_its_reason_says(bundled):
    """500.000 đồng is for revenue written in million đồng with one decimal, not for a total in nghìn or đồng."""
    finer = bundled.copy()
    finer.loc[row_index(finer, year=2020, indicator="telecom_revenue", operator=""), "value"] += 401_000  # nghìn đồng
    result = _validate(finer)
    assert {r.id for r in result.failures} == {"enterprises_add_up"}
    assert _rule(result, "enterprises_add_up").rows[["difference", "allowed"]].values.tolist() == [[401_000.0, 0.0]]


def test_a_total_row_written_in_nghin_dong_adds_up_exactly_at_ingest(tmp_path):
    from ictanalysis.extract.checks import _expected_total

    tolerance = load_catalog().tolerance("telecom_revenue")
    assert tolerance.allowed(1.1e12, [1_120_863_400_000.0, 1_120_863_000_000.0]) == 500_000
    assert tolerance.allowed(1.1e12, [1_120_863_401_000.0, 1_120_863_000_000.0]) == 0
    said = _expected_total(tolerance, 1.1e12, [1_120_863_401_000.0])
    assert said.startswith("a total row equal to the sum of the rows above it: the catalog's tolerance is for figures")


def test_the_page_shows_each_tolerance_used_with_its_indicator_and_reason(bundled_result, catalog):
    used = {(r.id, indicator) for r in bundled_result.rules for indicator in r.tolerances["indicator"]}
    assert used == {("enterprises_add_up", "telecom_revenue"), ("enterprises_add_up", "postal_revenue"),
                    ("parts_add_up", "gso_telephone_subscribers")}  # fmt: skip
    for language in ("vi", "en"):
        page = render_quality_page(bundled_result, language=language, catalog=catalog)
        section = page[page.index('id="tolerances"') :]
        for rule_id, indicator in used:
            tolerance = catalog.tolerance(indicator)
            row = section[section.index(f'id="tolerance-{rule_id}-{indicator}"') :]
            row = row[: row.index("</tr>")]
            assert str(escape(tolerance.reason if language == "vi" else tolerance.reason_en)) in row
            assert f"({indicator})" in row
        revenue = section[section.index('id="tolerance-enterprises_add_up-telecom_revenue"') :]
        assert ("500.000" if language == "vi" else "500,000") in revenue[: revenue.index("</tr>")]


# --- a year that repeats another's ------------------------------------------------------------------


@pytest.fixture(scope="module")
def repeated(tmp_path_factory):
    """The bundled workbooks with 2020's vien-thong workbook carrying 2019's figures under 2020 titles: table, result."""
    raw = tmp_path_factory.mktemp("repeated") / "raw"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "raw", raw, ignore=shutil.ignore_patterns("*.py", "*.md"))
    _retitled(raw / "2019" / "vien-thong-2019.xlsx", raw / "2020" / "vien-thong-2020.xlsx", 2019, 2020)
    table = clean(raw, out_dir=None).table
    return table, _validate(table)


def test_a_sheet_repeating_the_previous_years_figures_is_a_warning_naming_both_sheets(repeated):
    table, result = repeated
    assert 2020 in set(table.loc[table["source_file"] == "2020/vien-thong-2020.xlsx", "year"])
    assert result.passed
    assert "year_not_repeated" in {r.id for r in result.warnings}
    rows = _rule(result, "year_not_repeated").rows
    sheets = {"TB di động", "TB cố định - Internet", "Trạm BTS", "Doanh thu"}
    assert set(rows["source_sheet"]) == sheets and len(rows) == 4
    assert set(rows["source_file"]) == {"2020/vien-thong-2020.xlsx"}
    assert (rows["year"] == 2020).all() and (rows["year_before"] == 2019).all()
    assert set(rows["source_file_before"]) == {"2019/vien-thong-2019.xlsx"}
    assert (rows["source_sheet_before"] == rows["source_sheet"]).all()
    assert (rows["source_cell"] != "").all() and (rows["source_cell_before"] == rows["source_cell"]).all()


def test_a_repeated_year_is_on_the_page_in_the_run_summary_and_the_data_notes(repeated, catalog):
    from ictanalysis.compare import compare
    from ictanalysis.narrative import data_notes

    table, result = repeated
    finding = _finding(render_quality_page(result, language="vi", catalog=catalog), "year_not_repeated")
    assert "<td>2019/vien-thong-2019.xlsx</td>" in finding and "<td>2020/vien-thong-2020.xlsx</td>" in finding
    summary = result.summary()
    assert "[year_not_repeated]" in summary
    assert "    2020/vien-thong-2020.xlsx › Doanh thu repeats 2019/vien-thong-2019.xlsx › Doanh thu" in summary, summary
    notes = data_notes(compare(table, 2020, 2019), result.to_json_dict(), "vi")
    description = _rule(result, "year_not_repeated").description("vi")
    assert any(description.rstrip(".")[1:] in note for note in notes), notes
    assert any("2019/vien-thong-2019.xlsx › Doanh thu" in note for note in notes), notes


def test_the_bundled_years_repeat_nothing(bundled_result):
    rule = _rule(bundled_result, "year_not_repeated")
    assert rule.success and rule.checked > 10


def test_few_or_zero_figures_the_same_as_last_year_are_not_a_repeat():
    sheet = ("2020/a.xlsx", "A")
    before = ("2019/a.xlsx", "A")
    rows = []
    for year, (file, name) in ((2019, before), (2020, sheet)):
        rows += [(year, "bts_2g_stations", area, "VNPT", "", 0, file, name, f"C{i}") for i, area in enumerate(("582", "584", "585"), 7)]
        rows += [(year, "ministries_connected", "58", "", "", 20, file, f"{name}2", "D7"),
                 (year, "government_agencies_connected", "58", "", "", 10, file, f"{name}2", "D8")]  # fmt: skip
    view = build_views(_tidy(*rows), load_catalog(), PAIR)["repeated_years"]
    assert not view["repeated"].any()
