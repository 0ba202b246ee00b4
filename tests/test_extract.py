"""Tests for ictanalysis.extract, piece by piece, on small real sheets.

Each piece of the reader answers one question about a sheet (which row is the
header, what a column holds, what a row label stands for, what number a cell
holds, which unit it is in, whether the totals add up) and is tested here on
its own, with :class:`~ictanalysis.workbook.Sheet` grids built in the test and
the bundled catalog; failure paths as carefully as success.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ictanalysis.catalog import load_catalog
from ictanalysis.errors import Problem
from ictanalysis.extract import SheetSource, Table, extract_table, find_table
from ictanalysis.extract.checks import TotalCheck, merged_over_values, merged_problem
from ictanalysis.extract.columns import Column, match_indicator, resolve_column, resolve_columns, year_of
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.header import Header, Heading, find_anchor, header_rows
from ictanalysis.extract.labels import (
    RowRoles,
    clean_label,
    row_key,
    second_table_problem,
    unknown_label_problem,
    unlabelled_problem,
)
from ictanalysis.extract.numbers import looks_numeric, other_reading, read_number
from ictanalysis.extract.table import title_year_problems
from ictanalysis.extract.units import UnitFactors, unit_line
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold
from ictanalysis.workbook import Sheet

DISTRICTS = Layout(id="districts", description="test", rows="area", label_headers=("Địa bàn",))
INDICATORS = Layout(
    id="indicators", description="test", rows="indicator", label_headers=("Chỉ tiêu",), unit_headers=("ĐVT",),
    value_headers=("Năm {year}",), ignore_columns=("Kế hoạch",),
)  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def sheet(rows, **facts) -> Sheet:
    return Sheet(name="TB", rows=[list(r) for r in rows], **facts)


def context(catalog, grid: Sheet, layout: Layout = DISTRICTS, year: int = 2020) -> Context:
    return Context(SheetSource("2020/test.xlsx", grid, year, "58"), layout, catalog)


def district_rows(*rows, unit_line: str = "Đơn vị tính: thuê bao"):
    """A district table: a unit line, a header (STT, Địa bàn, fixed lines) on row 2 (1-based), then `rows`."""
    return [[unit_line, "", ""], ["STT", "Địa bàn", "Điện thoại cố định"], *rows]


def messages(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.cell, p.message) for p in problems]


# --- context -------------------------------------------------------------------------------------------


def test_a_context_names_its_problems_by_file_sheet_and_cell(catalog):
    problem = context(catalog, sheet([["x"]])).problem("C4", "found 'x'", "a number")
    assert problem == Problem("2020/test.xlsx", "TB", "C4", "found 'x'", "a number")


@pytest.mark.parametrize(("value", "text"), [(None, ""), ("", ""), (2020.0, "2020"), (12.5, "12.5"), (" VNPT ", "VNPT")])
def test_cell_text_strips_and_drops_the_point_of_whole_floats(value, text):
    assert cell_text(value) == text


# --- header: which row is the header -------------------------------------------------------------------


def test_the_anchor_is_the_label_header_wherever_it_stands_and_despite_a_footnote_mark():
    grid = sheet([["Báo cáo"], [], ["", "", "Địa bàn (*)", "Dân số"]], top=4, left=2)
    assert find_anchor(grid, DISTRICTS) == (6, 4)


def test_a_sheet_without_the_label_header_has_no_anchor():
    assert find_anchor(sheet([["Huyện", "Dân số"], ["Bác Ái", 5]]), DISTRICTS) is None


def test_a_blank_label_header_is_anchored_on_a_value_header_and_the_first_column_filled_below():
    layout = Layout(id="blank", description="test", rows="indicator", label_headers=("",), value_headers=("Số liệu",))
    grid = sheet([["", "", "Số liệu"], ["", "Dân số", 5]])
    assert find_anchor(grid, layout) == (0, 1)


def test_the_header_block_is_as_tall_as_the_merges_on_its_first_row_plus_a_row_of_column_numbers():
    grid = sheet([["Địa bàn", "Thuê bao"], ["", "VNPT"], ["(1)", "(2)"], ["Bác Ái", 5]], merged=((0, 0, 1, 0),))
    assert header_rows(grid, 0) == [0, 1, 2]


def test_a_row_of_texts_under_the_header_is_not_part_of_it():
    grid = sheet([["Địa bàn", "Thuê bao"], ["Bác Ái", "5"]])
    assert header_rows(grid, 0) == [0]


def test_a_merge_seven_rows_tall_does_not_make_a_header_block():
    grid = sheet([["Địa bàn", "Ghi chú"], *([["Bác Ái", ""]] * 7)], merged=((0, 1, 6, 1),))
    assert header_rows(grid, 0) == [0]


def test_a_heading_fills_merged_cells_drops_repeats_and_names_its_last_text():
    rows = [["Địa bàn", "Thuê bao", "", ""], ["", "VNPT", "VNPT", ""], ["Bác Ái", 5, 6, 7]]
    header = Header.at(sheet(rows, merged=((0, 0, 1, 0), (0, 1, 0, 3))), 0, 0)
    assert header.heading(2) == Heading(2, ("Thuê bao", "VNPT"), "C2")
    assert header.heading(3) == Heading(3, ("Thuê bao",), "D1")
    assert header.heading(0).text == "Địa bàn"


def test_a_column_without_header_text_has_no_heading():
    header = Header.at(sheet([["Địa bàn", "", "Dân số"]]), 0, 0)
    assert header.heading(1) is None


# --- columns: what a column holds ----------------------------------------------------------------------


def resolved(catalog, rows, col, layout=DISTRICTS, **facts) -> tuple[Column, list[Problem]]:
    grid = sheet(rows, **facts)
    row, label_column = find_anchor(grid, layout)
    header = Header.at(grid, row, label_column)
    return resolve_column(context(catalog, grid, layout), header, header.heading(col))


@pytest.mark.parametrize(("col", "role"), [(0, "ignored"), (1, "label"), (2, "value")])
def test_the_label_column_is_the_anchors_and_stt_is_ignored(catalog, col, role):
    column, problems = resolved(catalog, district_rows(), col)
    assert (column.role, problems) == (role, [])


def test_a_value_column_gives_its_indicator_enterprise_year_and_unit(catalog):
    rows = [["Địa bàn", "Doanh thu viễn thông (triệu đồng)"], ["", "VNPT"], ["", "2019"]]
    column, problems = resolved(catalog, rows, 1, merged=((0, 0, 2, 0),))
    assert problems == []
    assert (column.indicator.id, column.operator, column.year, column.preliminary, column.units) == (
        "telecom_revenue", "VNPT", 2019, False, ("triệu đồng",))  # fmt: skip
    assert (column.header, column.header_cell) == ("Doanh thu viễn thông (triệu đồng) / VNPT / 2019", "B3")


def test_a_year_with_words_around_it_is_not_taken_off_the_header_and_names_no_indicator(catalog):
    rows = [["Địa bàn", "Doanh thu viễn thông"], ["", "Sơ bộ 2020"]]
    column, problems = resolved(catalog, rows, 1, merged=((0, 0, 1, 0),))
    assert column.role == "ignored"
    assert messages(problems) == [
        ("B2", "column header 'Doanh thu viễn thông / Sơ bộ 2020' names no indicator the catalog knows")]  # fmt: skip


def test_an_enterprise_at_the_end_of_a_header_text_is_taken_from_it(catalog):
    column, _ = resolved(catalog, [["Địa bàn", "Thuê bao di động trả trước Viettel"]], 1)
    assert (column.indicator.id, column.operator) == ("mobile_prepaid_subscribers", "Viettel")


def test_a_header_that_names_no_indicator_is_ignored_and_reported_at_its_cell(catalog):
    column, problems = resolved(catalog, [["Địa bàn", "Số cột điện"]], 1)
    assert column.role == "ignored"
    assert messages(problems) == [("B1", "column header 'Số cột điện' names no indicator the catalog knows")]


def test_the_enterprise_comes_from_the_layouts_enterprise_row(catalog):
    layout = DISTRICTS.model_copy(update={"operator_header_row": 2})
    rows = [["Địa bàn", "Thuê bao di động", ""], ["", "Viettel", ""], ["", "Trả trước", "Trả sau"]]
    column, problems = resolved(catalog, rows, 2, layout, merged=((0, 0, 2, 0), (0, 1, 0, 2), (1, 1, 1, 2)))
    assert (column.indicator.id, column.operator, problems) == ("mobile_postpaid_subscribers", "Viettel", [])


def test_an_unknown_enterprise_on_the_layouts_enterprise_row_is_reported_at_its_merged_cell(catalog):
    layout = DISTRICTS.model_copy(update={"operator_header_row": 2})
    rows = [["Địa bàn", "Thuê bao di động", ""], ["", "Hanoi Telecom", ""], ["", "Trả trước", "Trả sau"]]
    column, problems = resolved(catalog, rows, 2, layout, merged=((0, 0, 2, 0), (0, 1, 0, 2), (1, 1, 1, 2)))
    assert (column.indicator.id, column.operator) == ("mobile_postpaid_subscribers", "")
    assert messages(problems) == [("B2", "unknown enterprise 'Hanoi Telecom' in the header")]


def test_in_an_indicator_table_the_layouts_value_header_is_the_years_value_and_others_are_reported(catalog):
    rows = [["Chỉ tiêu", "ĐVT", "Năm 2020", "Kế hoạch", "Ước 2021"]]
    grid = sheet(rows)
    header = Header.at(grid, 0, 0)
    columns, problems = resolve_columns(context(catalog, grid, INDICATORS), header)
    assert [(c.role, c.year) for c in columns] == [
        ("label", None), ("unit", None), ("value", 2020), ("ignored", None), ("ignored", None)]  # fmt: skip
    assert messages(problems) == [("E1", "column header 'Ước 2021' is neither a value column nor one to ignore")]


def test_without_value_headers_an_indicator_tables_year_columns_are_values(catalog):
    layout = INDICATORS.model_copy(update={"value_headers": ()})
    column, problems = resolved(catalog, [["Chỉ tiêu", "Năm 2019"]], 1, layout)
    assert (column.role, column.year, problems) == ("value", 2019, [])


def test_an_indicator_is_matched_on_the_whole_path_then_without_generic_words(catalog):
    assert match_indicator(DISTRICTS, catalog, ["Thuê bao di động", "Tổng số"]).id == "mobile_subscribers"
    assert match_indicator(DISTRICTS, catalog, ["Thuê bao di động", "Hanoi Telecom"]) is None
    assert match_indicator(DISTRICTS, catalog, []) is None


def test_a_layout_alias_comes_before_the_catalogs(catalog):
    layout = Layout(id="aliased", description="test", rows="area", aliases={"bts_stations": ("Tổng",)})
    assert match_indicator(layout, catalog, ["Tổng"]).id == "bts_stations"


def test_a_year_is_read_from_a_header_with_its_preliminary_mark():
    assert year_of(["Ước thực hiện 2020"]) == (2020, True)
    assert year_of(["120"]) == (None, False)


# --- table: where the table is -------------------------------------------------------------------------


def test_a_found_table_knows_its_columns_first_data_row_and_unit_line(catalog):
    grid = sheet(district_rows(["1", "Bác Ái", 10]))
    table = find_table(context(catalog, grid).source, DISTRICTS, catalog)
    assert isinstance(table, Table)
    assert (table.label_column, table.unit_column, table.first_data_row) == (1, None, 2)
    assert table.unit_line == ("thuê bao", "A1")
    assert [c.role for c in table.columns] == ["ignored", "label", "value"]
    assert table.problems == []


def test_no_table_is_found_without_the_layouts_header(catalog):
    assert find_table(context(catalog, sheet([["Huyện", "Dân số"]])).source, DISTRICTS, catalog) is None


def test_a_table_without_a_value_column_is_a_problem_at_its_label_header(catalog):
    grid = sheet([["STT", "Địa bàn", "Ghi chú"], [1, "Bác Ái", ""]])
    table = find_table(context(catalog, grid).source, DISTRICTS, catalog)
    assert messages(table.problems) == [("B1", "the table has no value column")]


def test_the_unit_column_of_an_indicator_table_is_found(catalog):
    grid = sheet([["Chỉ tiêu", "ĐVT", "Năm 2020"], ["Doanh thu viễn thông", "triệu đồng", 5]])
    table = find_table(context(catalog, grid, INDICATORS).source, INDICATORS, catalog)
    assert table.unit_column == 1


def test_a_title_stating_another_year_than_the_folders_is_reported(catalog):
    grid = sheet([["BÁO CÁO NĂM 2019"], ["Địa bàn", "Dân số"]])
    assert messages(title_year_problems(context(catalog, grid), 1)) == [
        ("A1", "the title 'BÁO CÁO NĂM 2019' states the year 2019, but the file is in the folder 2020/")]  # fmt: skip


def test_a_title_naming_the_folders_year_among_others_is_right(catalog):
    grid = sheet([["Năm 2020 so với năm 2019"], ["Địa bàn", "Dân số"]])
    assert title_year_problems(context(catalog, grid), 1) == []


# --- labels: what a row label stands for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [("1. Huyện Bác Ái", "Huyện Bác Ái"), ("II. Bưu chính", "Bưu chính"), ("a) Ninh Hải (*)", "Ninh Hải"),
     ("Ninh Sơn²", "Ninh Sơn"), (None, ""), (2020.0, "2020")],
)  # fmt: skip
def test_a_label_loses_its_enumeration_and_footnote_marks(value, label):
    assert clean_label(value) == label


def test_row_roles_follow_derived_sections_and_skipped_notes():
    layout = DISTRICTS.model_copy(update={"skip_rows": ("Ghi chú",), "derived_sections": ("Tỷ lệ",)})
    roles = RowRoles(layout)
    labels = ["Bác Ái", "", "Ghi chú: ước tính", "Tỷ lệ so với cả nước", "Ninh Hải", "", "Địa bàn", "Bác Ái"]
    assert [roles.role(fold(label)) for label in labels] == [
        "data", "blank", "skipped", "derived", "derived", "derived", "second_table", "after_table"]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "key"),
    [("Bác Ái", {"area": "584", "total": False}), ("Cộng", {"area": "58", "total": True}),
     ("Tổng cộng toàn tỉnh", {"area": "58", "total": True}), ("Ninh Thuận", {"area": "58", "total": True}),
     ("Huyện Hà Nội", None)],
)  # fmt: skip
def test_a_district_label_gives_its_code_and_a_total_the_province(catalog, label, key):
    assert row_key(context(catalog, sheet([[]])), label, fold(label)) == key


@pytest.mark.parametrize(
    ("rows", "label", "key"),
    [("operator", "VinaPhone", {"operator": "VNPT", "total": False}), ("operator", "Cộng", {"operator": "", "total": True}),
     ("operator", "Hanoi Telecom", None), ("agency", "Sở Tư pháp", {"agency": "Sở Tư pháp", "total": False}),
     ("year", "Sơ bộ 2020", {"year": 2020, "preliminary": True, "total": False}), ("year", "Tổng", None)],
)  # fmt: skip
def test_enterprise_agency_and_year_labels_give_their_keys(catalog, rows, label, key):
    layout = DISTRICTS.model_copy(update={"rows": rows})
    assert row_key(context(catalog, sheet([[]]), layout), label, fold(label)) == key


def test_an_indicator_label_gives_its_indicator(catalog):
    key = row_key(context(catalog, sheet([[]]), INDICATORS), "Doanh thu viễn thông", fold("Doanh thu viễn thông"))
    assert (key["indicator"].id, key["total"]) == ("telecom_revenue", False)
    assert row_key(context(catalog, sheet([[]]), INDICATORS), "Số cột điện", fold("Số cột điện")) is None


@pytest.mark.parametrize(
    ("facts", "message", "expected"),
    [({}, "a row holds numbers but has no label", "a district name in this cell"),
     ({"error_cells": {(2, 1): "#REF!"}}, "the row label is the error value #REF!",
      "a district name: correct the formula and save the workbook"),
     ({"uncached_formulas": frozenset({(2, 1)})}, "the row label is a formula without a stored value",
      "a value: open and save the workbook in Excel or LibreOffice so that results are stored")],
)  # fmt: skip
def test_an_unlabelled_row_says_why_its_label_cannot_be_read(catalog, facts, message, expected):
    problem = unlabelled_problem(context(catalog, sheet(district_rows(["", "", 5]), **facts)), (2, 1))
    assert (problem.cell, problem.message, problem.expected) == ("B3", message, expected)


def test_an_unknown_label_names_what_was_expected(catalog):
    problem = unknown_label_problem(context(catalog, sheet([[]])), "B7", "Huyện Hà Nội")
    assert (problem.cell, problem.message) == ("B7", "unknown district 'Huyện Hà Nội'")
    assert problem.expected == "a district of province 58 in force in 2020 (catalog/areas.yaml)"


def test_a_second_table_is_reported_with_the_first_tables_data_row(catalog):
    problem = second_table_problem(context(catalog, sheet([[]])), "B12", "Địa bàn", 2)
    assert problem.message == "a second table starts here (header 'Địa bàn'), below the table whose data starts at row 3"


# --- numbers: what number a cell holds -----------------------------------------------------------------


def number(catalog, value, indicator="fixed_telephone_subscribers", layout=DISTRICTS, **facts):
    grid = sheet([["Bác Ái", value]], **facts)
    return read_number(context(catalog, grid, layout), 0, 1, catalog.indicator(indicator))


@pytest.mark.parametrize(("value", "read"), [(5, 5.0), (12.5, 12.5), ("1.234", 1234.0), ("1.234,5", 1234.5),
                                             ("-", 0.0), ("", 0.0), ("x", 0.0), ("(1.234)", -1234.0)])  # fmt: skip
def test_numbers_are_read_in_the_layouts_notation(catalog, value, read):
    assert number(catalog, value) == read


@pytest.mark.parametrize("value", ["", None, "x"])
def test_a_blank_or_not_reported_cell_is_missing_when_the_layout_says_so(catalog, value):
    assert number(catalog, value, layout=DISTRICTS.model_copy(update={"blank": "missing"})) is None


@pytest.mark.parametrize(
    ("value", "facts", "message"),
    [(None, {"uncached_formulas": frozenset({(0, 1)})}, "formula without a stored value"),
     (None, {"error_cells": {(0, 1): "#DIV/0!"}}, "found the error value #DIV/0!"),
     ("#N/A", {}, "found the error value #N/A"),
     (True, {}, "found a true/false value (True)"),
     (dt.date(2020, 5, 1), {}, "found a date or time (2020-05-01)"),
     ("12 máy", {}, "found text '12 máy' where a number belongs"),
     ("1,234", {}, "found text '1,234': a fraction (1,234) in the layout's Vietnamese notation, "
                   "but 1.234 in English notation"),
     ("98,5%", {}, "found a percentage '98,5%' in a column of 'thuê bao' (fixed_telephone_subscribers)"),
     (0.985, {"percent_cells": frozenset({(0, 1)})},
      "found a percentage 98,5 % in a column of 'thuê bao' (fixed_telephone_subscribers)")],
)  # fmt: skip
def test_a_cell_that_cannot_be_read_for_certain_is_a_problem_at_its_cell(catalog, value, facts, message):
    problem = number(catalog, value, **facts)
    assert isinstance(problem, Problem)
    assert (problem.cell, problem.message) == ("B1", message)


def test_without_a_notation_the_reason_of_a_refused_text_is_given(catalog):
    problem = number(catalog, "1.234", layout=DISTRICTS.model_copy(update={"locale": None}))
    assert problem.message.startswith("found text '1.234' where a number belongs (ambiguous: ")


def test_a_percent_cell_of_a_rate_reads_as_excel_shows_it(catalog):
    assert number(catalog, 0.985, "coverage_4g_population", percent_cells=frozenset({(0, 1)})) == 98.5
    assert number(catalog, "98,5%", "coverage_4g_population") == 98.5


def test_only_a_fraction_that_reads_otherwise_in_the_other_notation_is_ambiguous():
    assert other_reading("1.234,5", 1234.5, "vi") is None
    assert other_reading("1,5", 1.5, "vi") is None
    assert other_reading("1.234", 1.234, "en").endswith("but 1.234 in Vietnamese notation")
    assert other_reading("1,234", 1.234, None) is None


def test_a_dash_text_or_a_boolean_does_not_count_as_a_number_in_a_row():
    assert [looks_numeric(v, "vi") for v in (0, 2.5, "12,5", "-", "Ghi chú", True, None)] == [
        True, True, True, False, False, False, False]  # fmt: skip


# --- units: which unit a value is in -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [("Đơn vị tính: triệu đồng", "triệu đồng"), ("ĐVT: nghìn thuê bao.", "nghìn thuê bao"),
     ("Đơn vị tính - Unit: thuê bao", "thuê bao"), ("Unit: thuê bao", "thuê bao"), ("Đơn vị: người", "người"),
     ("Đơn vị: VNPT", None), ("Business unit: VNPT", None), ("Đơn vị: ___", None), ("Đơn vị tính: –", None)],
)  # fmt: skip
def test_a_unit_line_above_the_table_is_found(text, unit, catalog):
    found = unit_line(sheet([["Báo cáo", text], ["Địa bàn"]]), 1, catalog)
    assert (found[0] if found else None) == unit
    assert found is None or found[1] == "B1"


def factors(catalog, rows, layout=INDICATORS) -> tuple[UnitFactors, Table, Context]:
    ctx = context(catalog, sheet(rows), layout)
    table = find_table(ctx.source, layout, catalog)
    return UnitFactors(ctx, table.unit_column, table.unit_line), table, ctx


def value_column(table: Table) -> Column:
    return next(c for c in table.columns if c.role == "value")


def test_the_header_unit_comes_before_the_unit_line(catalog):
    units, table, _ = factors(catalog, [["ĐVT: tỷ đồng"], ["Chỉ tiêu", "Năm 2020 (triệu đồng)"], ["Doanh thu viễn thông", 5]])
    assert units.factor(2, value_column(table), catalog.indicator("telecom_revenue")) == (1e6, None)


def test_the_unit_column_comes_before_the_unit_line_and_the_layouts_unit(catalog):
    layout = INDICATORS.model_copy(update={"unit": "đồng"})
    rows = [["ĐVT: tỷ đồng"], ["Chỉ tiêu", "ĐVT", "Năm 2020"], ["Doanh thu viễn thông", "nghìn đồng", 5]]
    units, table, _ = factors(catalog, rows, layout)
    assert units.factor(2, value_column(table), catalog.indicator("telecom_revenue")) == (1000.0, None)


def test_the_unit_line_then_the_layouts_unit_then_the_indicators_own_unit(catalog):
    revenue = catalog.indicator("telecom_revenue")
    units, table, _ = factors(catalog, [["ĐVT: tỷ đồng"], ["Chỉ tiêu", "Năm 2020"], ["Doanh thu viễn thông", 5]])
    assert units.factor(2, value_column(table), revenue) == (1e9, None)
    layout = INDICATORS.model_copy(update={"unit": "triệu đồng"})
    units, table, _ = factors(catalog, [["Chỉ tiêu", "Năm 2020"], ["Doanh thu viễn thông", 5]], layout)
    assert units.factor(1, value_column(table), revenue) == (1e6, None)
    documents = catalog.indicator("edocuments_exchanged")  # văn bản, one scale only: nothing to assume
    units, table, _ = factors(catalog, [["Chỉ tiêu", "Năm 2020"], ["Số văn bản điện tử gửi nhận qua trục liên thông", 5]])
    assert units.factor(1, value_column(table), documents) == (1.0, None)


def test_a_unit_that_cannot_be_converted_is_reported_once(catalog):
    rows = [["Chỉ tiêu", "ĐVT", "Năm 2020"], ["Doanh thu viễn thông", "ha", 5], ["Doanh thu viễn thông", "ha", 6]]
    units, table, _ = factors(catalog, rows)
    revenue, column = catalog.indicator("telecom_revenue"), value_column(table)
    factor, problem = units.factor(1, column, revenue)
    assert factor is None
    assert (problem.cell, problem.message) == ("B2", "unit 'ha' cannot be converted to 'đồng'")
    assert units.factor(2, column, revenue) == (None, None)


def test_a_layout_unit_that_cannot_be_converted_names_the_layout(catalog):
    layout = INDICATORS.model_copy(update={"unit": "trạm"})
    units, table, _ = factors(catalog, [["Chỉ tiêu", "Năm 2020"], ["Doanh thu viễn thông", 5]], layout)
    factor, problem = units.factor(1, value_column(table), catalog.indicator("telecom_revenue"))
    assert (factor, problem.cell, problem.message) == (None, "", "unit 'trạm' in layout 'indicators' cannot be converted to 'đồng'")


def test_a_row_unit_that_disagrees_with_the_header_unit_is_reported(catalog):
    rows = [["Chỉ tiêu", "ĐVT", "Năm 2020 (triệu đồng)"], ["Doanh thu viễn thông", "tỷ đồng", 5],
            ["Doanh thu viễn thông", "triệu đồng", 5]]  # fmt: skip
    units, table, _ = factors(catalog, rows)
    revenue, column = catalog.indicator("telecom_revenue"), value_column(table)
    factor, problem = units.factor(1, column, revenue)
    assert (factor, problem.cell) == (None, "B2")
    assert problem.message == "the row's unit 'tỷ đồng' differs from the unit 'triệu đồng' in the header of column C (C1)"
    assert units.factor(2, column, revenue) == (1e6, None)


# --- checks: totals and merged values ------------------------------------------------------------------


def fixed_lines(catalog) -> list[Column]:
    return [Column(2, "Điện thoại cố định", "C2", "value", catalog.indicator("fixed_telephone_subscribers"))]


def test_a_total_off_its_parts_is_reported_with_the_parts_cells(catalog):
    check = TotalCheck([2])
    for value, cell in ((10.0, "C3"), (20.0, "C4")):
        check.add(2, value, cell, total=False)
    check.add(2, 31.0, "C5", total=True)
    problems = check.problems(context(catalog, sheet([[]])), fixed_lines(catalog))
    assert messages(problems) == [("C5", "total 31 differs from the sum 30 of C3:C4 (fixed_telephone_subscribers) by 1")]


def test_a_total_within_tolerance_or_in_an_unchecked_column_is_not_reported(catalog):
    # A count adds up exactly; revenue has a tolerance in the catalog (rounded to 0,1 triệu đồng).
    revenue = [Column(2, "Doanh thu", "C2", "value", catalog.indicator("telecom_revenue"))]
    check = TotalCheck([2])
    check.add(2, 10e6, "C3", total=False)  # 10,0 and 10,4 triệu đồng: rounded as the tolerance's reason says
    check.add(2, 10.4e6, "C4", total=True)
    assert check.problems(context(catalog, sheet([[]])), revenue) == []
    check.add(2, 99.0, "C5", total=True)
    check.skip([2])
    assert check.problems(context(catalog, sheet([[]])), fixed_lines(catalog)) == []


def test_a_total_without_parts_is_not_checked(catalog):
    check = TotalCheck([2])
    check.add(2, 5.0, "C3", total=True)
    assert check.problems(context(catalog, sheet([[]])), fixed_lines(catalog)) == []


def test_only_merges_over_values_of_data_rows_are_found(catalog):
    grid = sheet(district_rows(["1", "Bác Ái", 10], ["2", "Ninh Hải", ""]), merged=((2, 2, 3, 2), (0, 0, 0, 2), (2, 0, 3, 0)))
    found = list(merged_over_values(grid, {2}, {2, 3}))
    assert found == [((2, 2, 3, 2), {2})]
    problem = merged_problem(context(catalog, grid), found[0][0])
    assert (problem.cell, problem.message) == (
        "C3", "cells C3:C4 are merged over the table's values; all but the first would read as blank")  # fmt: skip


# --- rows: a located table into records ----------------------------------------------------------------


def extracted(catalog, rows, layout=DISTRICTS, **facts):
    grid = sheet(rows, **facts)
    source = context(catalog, grid, layout).source
    table = find_table(source, layout, catalog)
    records, problems = extract_table(source, table, catalog)
    return records.columns, problems


def test_a_district_table_reads_into_records_with_their_cells_and_the_total_as_the_province(catalog):
    columns, problems = extracted(catalog, district_rows(["1", "Bác Ái", 10], ["2", "Ninh Hải", "1.234"],
                                                         ["", "Cộng", 1244]))  # fmt: skip
    assert problems == []
    assert list(zip(columns["area"], columns["value"], columns["source_cell"], strict=True)) == [
        ("584", 10.0, "C3"), ("586", 1234.0, "C4"), ("58", 1244.0, "C5")]  # fmt: skip
    assert set(columns["indicator"]) == {"fixed_telephone_subscribers"}
    assert set(columns["source_sheet"]) == {"TB"} and set(columns["year"]) == {2020}


def test_a_unit_line_converts_every_value(catalog):
    columns, _ = extracted(catalog, district_rows(["1", "Bác Ái", 1.5], unit_line="ĐVT: nghìn thuê bao"))
    assert columns["value"] == [1500.0]


def test_a_total_off_the_sum_of_its_districts_is_reported(catalog):
    _, problems = extracted(catalog, district_rows(["1", "Bác Ái", 10], ["2", "Ninh Hải", 20], ["", "Cộng", 40]))
    assert messages(problems) == [("C5", "total 40 differs from the sum 30 of C3:C4 (fixed_telephone_subscribers) by 10")]


def test_an_unreadable_cell_is_reported_and_leaves_its_total_unchecked(catalog):
    columns, problems = extracted(catalog, district_rows(["1", "Bác Ái", "mười"], ["2", "Ninh Hải", 20], ["", "Cộng", 40]))
    assert messages(problems) == [("C3", "found text 'mười' where a number belongs")]
    assert columns["source_cell"] == ["C4", "C5"]


def test_a_row_with_numbers_but_no_label_or_an_unknown_one_is_reported_and_a_note_is_not(catalog):
    rows = district_rows(["1", "Bác Ái", 10], ["", "", 5], ["", "Huyện Hà Nội", 7], ["", "Người lập biểu", ""], [])
    _, problems = extracted(catalog, rows)
    assert messages(problems) == [("B4", "a row holds numbers but has no label"), ("B5", "unknown district 'Huyện Hà Nội'")]


def test_a_second_table_below_is_reported_and_its_rows_are_not_read(catalog):
    rows = district_rows(["1", "Bác Ái", 10], [], ["STT", "Địa bàn", "Điện thoại cố định"], ["1", "Bác Ái", 99])
    columns, problems = extracted(catalog, rows)
    assert columns["value"] == [10.0]
    assert messages(problems) == [
        ("B5", "a second table starts here (header 'Địa bàn'), below the table whose data starts at row 3")]  # fmt: skip


def test_a_derived_section_is_not_read(catalog):
    layout = DISTRICTS.model_copy(update={"derived_sections": ("Tỷ lệ",)})
    rows = district_rows(["1", "Bác Ái", 10], ["", "Tỷ lệ so với năm trước", ""], ["", "Bác Ái", 105], ["", "", 7])
    columns, problems = extracted(catalog, rows, layout)
    assert (columns["value"], problems) == ([10.0], [])


def test_merged_values_are_reported_and_their_total_is_not_checked(catalog):
    rows = district_rows(["1", "Bác Ái", 10], ["2", "Ninh Hải", ""], ["", "Cộng", 25])
    _, problems = extracted(catalog, rows, merged=((2, 2, 3, 2),))
    assert messages(problems) == [
        ("C3", "cells C3:C4 are merged over the table's values; all but the first would read as blank")]  # fmt: skip


def test_the_tables_own_problems_come_first(catalog):
    rows = [["BÁO CÁO NĂM 2019"], ["Địa bàn", "Điện thoại cố định"], ["Bác Ái", "mười"]]
    _, problems = extracted(catalog, rows)
    assert [p.cell for p in problems] == ["A1", "B3"]
