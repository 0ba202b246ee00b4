"""Every figure is read as its sender meant it, whatever the file's format, or refused naming its cell.

The same table is written as a real .xlsx (openpyxl), .xls (xlwt) and .ods
(odfpy), with a percent-formatted coverage rate; the tidy values must be the
same in each. Numbers that are not numbers (NaN, INF, dates), CSV lines with
more fields than their header, and values too large for the formatter are
refused or shown, never read or shown as something else.
"""

from __future__ import annotations

import math
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from conftest import BUNDLED_RAW, ods_package

from ictanalysis.catalog import load_catalog
from ictanalysis.errors import InputError, Problem
from ictanalysis.formatting import format_change, format_money, format_number, format_percent, format_points
from ictanalysis.ingest import clean
from ictanalysis.workbook import WorkbookError, read_workbook
from ictanalysis.workbook.biff import check_biff

SHEET = "Tổng hợp"
# An indicators-as-rows table (layout indicator-table) whose rates are percent-formatted: 98,5 % and 100 %,
# stored as 0.985 and 1 the way Excel and LibreOffice store them.
RATES = [
    ["BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020"],
    [],
    [],
    ["TT", "Chỉ tiêu", "ĐVT", "Thực hiện"],
    [1, "Thuê bao điện thoại cố định", "Thuê bao", 11732],
    [2, "Tỷ lệ vùng phủ sóng 4G khu vực có dân cư", "%", 0.985],
    [3, "Tỷ lệ vùng phủ sóng 3G/4G khu vực có dân cư", "%", 1],
]
PERCENT_CELLS = ((5, 3), (6, 3))  # 0-based (row, column): D6 and D7
READ = {  # what the table holds, as its sender meant it
    "fixed_telephone_subscribers": (11732.0, "D5"),
    "coverage_4g_population": (98.5, "D6"),
    "coverage_3g4g_population": (100.0, "D7"),
}


# --- writing the same table in each format ---------------------------------------------------------


def write_xlsx(path: Path, rows: list[list], formats: dict[tuple[int, int], str]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SHEET
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            cell = ws.cell(row=r + 1, column=c + 1, value=value)
            cell.number_format = formats.get((r, c), "General")
    book.save(path)
    return path


def write_xls(path: Path, rows: list[list], formats: dict[tuple[int, int], str]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(SHEET)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            ws.write(r, c, value, xlwt.easyxf(num_format_str=formats.get((r, c), "General")))
    book.save(str(path))
    return path


def write_ods(path: Path, rows: list[list], formats: dict[tuple[int, int], str]) -> Path:
    """Write the table as LibreOffice would: a percent-formatted cell has the value type "percentage"."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name=SHEET)
    for r, cells in enumerate(rows):
        row = TableRow()
        for c, value in enumerate(cells):
            if isinstance(value, str):
                cell = TableCell(valuetype="string")
            else:
                kind = "percentage" if "%" in formats.get((r, c), "") else "float"
                cell = TableCell(valuetype=kind, value=value)
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


WRITERS = {".xlsx": write_xlsx, ".xls": write_xls, ".ods": write_ods}


def write_rates(year: Path, suffix: str, number_format: str = "0.0%", cells: dict | None = None,
                formats: dict | None = None) -> Path:  # fmt: skip
    """Write RATES into `year`/x<suffix>, its rates in `number_format`.

    `cells` overrides values and `formats` number formats, by 0-based (row, column).
    """
    rows = [list(line) for line in RATES]
    for (r, c), value in (cells or {}).items():
        rows[r][c] = value
    shown = {cell: number_format for cell in PERCENT_CELLS} | (formats or {})
    year.mkdir(parents=True, exist_ok=True)
    return WRITERS[suffix](year / f"x{suffix}", rows, shown)


def tidy_values(raw: Path) -> dict[str, tuple[float, str]]:
    table = clean(raw, out_dir=None).table
    return {i: (v, cell) for i, v, cell in zip(table.indicator, table.value, table.source_cell, strict=True)}


def problems_of(raw: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        clean(raw, out_dir=None)
    return caught.value.problems


def only_problem(raw: Path) -> Problem:
    problems = problems_of(raw)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- percentages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "number_format"),
    [(".xlsx", "0.0%"), (".xls", "0.0%"), (".xls", "0%"), (".xls", "0.00%"), (".xls", "#,##0.0 %"),
     (".ods", "0.0%")],
    ids=["xlsx", "xls-own-format", "xls-builtin-9", "xls-builtin-10", "xls-spaced", "ods"],
)  # fmt: skip
def test_a_percent_formatted_rate_gives_the_same_tidy_value_in_every_format(tmp_path, suffix, number_format):
    write_rates(tmp_path / "raw" / "2020", suffix, number_format)
    assert tidy_values(tmp_path / "raw") == READ


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_percent_formatted_cell_in_a_count_column_is_refused(tmp_path, suffix):
    write_rates(tmp_path / "raw" / "2020", suffix, cells={(4, 3): 1}, formats={(4, 3): "0%"})
    problem = only_problem(tmp_path / "raw")
    assert (problem.file, problem.sheet, problem.cell) == (f"2020/x{suffix}", SHEET, "D5")
    assert problem.message == "found a percentage 100 % in a column of 'thuê bao' (fixed_telephone_subscribers)"
    assert problem.expected == "a number of thuê bao, without %"


@pytest.mark.parametrize("number_format", ['0.0"%"', "0.0\\%"])
def test_a_literal_percent_sign_in_a_format_is_no_percentage(tmp_path, number_format):
    """A quoted or escaped % shows the number as it is: 98,5 stored, "98,5%" shown, 98,5 meant."""
    write_rates(tmp_path / "raw" / "2020", ".xls", number_format, cells={(5, 3): 98.5, (6, 3): 100})
    assert tidy_values(tmp_path / "raw") == READ


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _format_record(index: int, code: str, version: int) -> bytes:
    if version < 0x0600:
        return _record(0x041E, struct.pack("<HB", index, len(code)) + code.encode("cp1252"))
    return _record(0x041E, struct.pack("<HHB", index, len(code), 1) + code.encode("utf-16-le"))


def biff_stream(version: int, cells: list[bytes]) -> bytes:
    """Return a workbook stream as Excel writes one: globals with number formats and styles, then sheet 'S'.

    Styles (XF records, by their place): 0 General, 1 built-in 9 (0%), 2 built-in 10 (0.00%), 3 the
    workbook's own "0.0%", 4 its own '0.0"%"' (a literal sign), 5 built-in 3 (#,##0).
    """
    bof = _record(0x0809, struct.pack("<HHHH", version, 0x0005, 0, 0) + bytes(8))
    styles = b"".join(_record(0xE0, struct.pack("<HH", 0, fmt) + bytes(16)) for fmt in (0, 9, 10, 164, 165, 3))
    formats = _format_record(164, "0.0%", version) + _format_record(165, '0.0"%"', version)
    name = b"S"
    head = bof + formats + styles
    sheet_offset = len(head) + 4 + 8 + len(name) + 4  # after the BOUNDSHEET and EOF records
    boundsheet = _record(0x85, struct.pack("<IBBBB", sheet_offset, 0, 0, len(name), 0) + name)
    return head + boundsheet + _record(0x0A, b"") + bof + b"".join(cells) + _record(0x0A, b"")


def _mulrk(row: int, first: int, styles: list[int]) -> bytes:
    runs = b"".join(struct.pack("<HI", style, 0x3FF00000) for style in styles)
    return _record(0xBD, struct.pack("<HH", row, first) + runs + struct.pack("<H", first + len(styles) - 1))


@pytest.mark.parametrize("version", [0x0600, 0x0500], ids=["biff8", "biff5"])
def test_the_xls_scan_finds_the_percent_style_of_every_kind_of_cell_record(version):
    stream = biff_stream(version, [
        _record(0x0203, struct.pack("<HHHd", 0, 0, 1, 0.985)),  # NUMBER in 0%: percent
        _record(0x027E, struct.pack("<HHHI", 0, 1, 2, 0x3FF00000)),  # RK in 0.00%: percent
        _record(0x027E, struct.pack("<HHHI", 0, 2, 5, 0x3FF00000)),  # RK in #,##0: not
        _record(0x00FD, struct.pack("<HHHI", 1, 0, 3, 0)),  # a string in 0.0%, as Excel keeps it: percent
        _record(0x0006, struct.pack("<HHHdHI", 1, 1, 3, 0.5, 0, 0) + struct.pack("<H", 0)),  # FORMULA: percent
        _record(0x0203, struct.pack("<HHHd", 1, 2, 4, 98.5)),  # NUMBER in 0.0"%": not
        _record(0x0201, struct.pack("<HHH", 1, 3, 1)),  # BLANK in 0%: no value, not kept
        _mulrk(2, 1, [3, 0, 1, 4]),  # MULRK C3:F3: C3 and E3 percent
    ])  # fmt: skip
    facts = check_biff(stream, WorkbookError("damaged"))
    assert facts["S"].percent == {(0, 0), (0, 1), (1, 0), (1, 1), (2, 1), (2, 3)}


def test_an_xls_run_of_percent_cells_beyond_the_limits_is_refused_before_it_is_kept(monkeypatch):
    monkeypatch.setattr("ictanalysis.workbook.limits.MAX_SHEET_COLUMNS", 100)
    with pytest.raises(WorkbookError, match="more than the 100 columns"):
        check_biff(biff_stream(0x0600, [_mulrk(0, 0, [1] * 500)]), WorkbookError("damaged"))


def test_the_ods_scan_finds_every_repeated_percentage_cell_where_calamine_puts_it(tmp_path):
    def cell(kind: str, value: float, repeat: int = 1, prefix: str = "office") -> str:
        return (f'<table:table-cell {prefix}:value-type="{kind}" office:value="{value}" '
                f'table:number-columns-repeated="{repeat}"><text:p>{value}</text:p></table:table-cell>')  # fmt: skip

    rows = (
        '<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>'
        f"<table:table-row><table:table-cell/>{cell('percentage', 0.5)}<table:covered-table-cell/>"
        f"{cell('float', 7)}{cell('percentage', 0.25, prefix='calcext')}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="2">{cell("percentage", 0.75, repeat=3)}</table:table-row>'
    )
    path = ods_package(tmp_path / "x.ods", rows)
    (sheet,) = read_workbook(path)
    expected = {(2, 1), (2, 4), (3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (4, 2)}
    assert sheet.percent_cells == expected
    assert {cell: sheet.value(*cell) for cell in expected} == {
        (2, 1): 0.5, (2, 4): 0.25, **{(r, c): 0.75 for r in (3, 4) for c in range(3)}}  # fmt: skip
    assert sheet.value(2, 3) == 7


# --- numbers that are not numbers -------------------------------------------------------------------


def _patched_xlsx(path: Path, written: str) -> None:
    """Write the value of D5 into the sheet's XML as `written` (<v>NaN</v>), which openpyxl cannot write."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert sheet.count(b"<v>987654</v>") == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<v>987654</v>", f"<v>{written}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    ("suffix", "written", "found"),
    [(".xlsx", "NaN", "NaN (not a number)"), (".xlsx", "INF", "INF (infinity)"),
     (".xlsx", "-INF", "-INF (minus infinity)"), (".xlsx", "1E+309", "INF (infinity)"),
     (".xls", float("nan"), "NaN (not a number)"), (".xls", float("inf"), "INF (infinity)")],
)  # fmt: skip
def test_a_nan_or_infinite_number_in_a_value_column_is_refused_naming_its_cell(tmp_path, suffix, written, found):
    year = tmp_path / "raw" / "2020"
    if suffix == ".xlsx":
        _patched_xlsx(write_rates(year, suffix, cells={(4, 3): 987654}), written)
    else:
        write_rates(year, suffix, cells={(4, 3): written})
    problem = only_problem(tmp_path / "raw")
    assert (problem.file, problem.sheet, problem.cell) == (f"2020/x{suffix}", SHEET, "D5")
    assert problem.message == f"found the number {found}"
    assert problem.expected.startswith("a figure: NaN (not a number) and INF (infinity) are")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_date_in_a_value_column_is_refused_in_every_format(tmp_path, suffix):
    year = tmp_path / "raw" / "2020"
    if suffix == ".ods":  # odfpy writes a date cell by its own attribute
        write_rates(year, suffix)
        _ods_date(year / "x.ods")
    else:
        write_rates(year, suffix, cells={(4, 3): 43952}, formats={(4, 3): "dd/mm/yyyy"})
    problem = only_problem(tmp_path / "raw")
    assert (problem.file, problem.cell) == (f"2020/x{suffix}", "D5")
    assert problem.message == "found a date or time (2020-05-01)"


def _ods_date(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    old = b'office:value-type="float" office:value="11732"'
    assert parts["content.xml"].count(old) == 1
    parts["content.xml"] = parts["content.xml"].replace(old, b'office:value-type="date" office:date-value="2020-05-01"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)


# --- CSV lines with more fields than their header ---------------------------------------------------

POPULATION = ("168,92", "30,71", "77,05", "94,96", "123,62", "41,48", "58,42")  # nghìn người
DISTRICTS = ("Thành phố Phan Rang-Tháp Chàm", "Huyện Bác Ái", "Huyện Ninh Sơn", "Huyện Ninh Hải",
             "Huyện Ninh Phước", "Huyện Thuận Bắc", "Huyện Thuận Nam")  # fmt: skip


def population_csv(path: Path, separator: str, values: tuple[str, ...] = POPULATION, quote: str = "") -> Path:
    """Write the population table (header on line 4, districts on lines 5–11) with `separator` between fields."""
    s = separator
    lines = [f"Dân số trung bình năm 2020{s}{s}", f"Đơn vị tính: nghìn người{s}{s}", f"{s}{s}",
             f"STT{s}Huyện/thành phố{s}Dân số"]  # fmt: skip
    rows = enumerate(zip(DISTRICTS, values, strict=True), start=1)
    lines += [f"{i}{s}{label}{s}{quote}{value}{quote}" for i, (label, value) in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode())
    return path


def test_a_comma_separated_csv_with_decimal_commas_is_refused_naming_each_row(tmp_path):
    population_csv(tmp_path / "raw" / "2020" / "dan-so.csv", ",")
    problems = problems_of(tmp_path / "raw")
    assert [(p.file, p.sheet, p.cell) for p in problems] == [("2020/dan-so.csv", "dan-so", f"D{n}") for n in range(5, 12)]
    first = problems[0]
    assert first.message == ("row 5 has 4 fields, but the header line has 3 and the table's columns end at C (C4): "
                             "D5 ('92') is under no column; a comma-separated file splits a number with a decimal "
                             "comma (168,92) into two fields")  # fmt: skip
    assert first.expected.startswith('one field under each header column: numbers with a decimal comma in quotes')


def test_a_csv_row_with_a_field_beyond_the_header_is_refused(tmp_path):
    values = (*POPULATION[:1], "30,71;(ước tính)", *POPULATION[2:])
    population_csv(tmp_path / "raw" / "2020" / "dan-so.csv", ";", values)
    problem = only_problem(tmp_path / "raw")
    assert problem.cell == "D6"
    assert problem.message.startswith("row 6 has 4 fields, but the header line has 3 and the table's columns end at "
                                      "C (C4): D6 ('(ước tính)')")  # fmt: skip
    assert "a text holding the separator ';' is split into two fields unless it is in quotes" in problem.message


@pytest.mark.parametrize("lines", [
    ["STT,Huyện/thành phố,Dân số,Ghi chú", "1,Bác Ái,168,92,", "2,Ninh Sơn,30,1,"],  # the split lands in "Ghi chú"
    ["STT,Huyện/thành phố,Dân số,,", "1,Bác Ái,168,92,,", "2,Ninh Sơn,30,1,,"],  # the same, every line padded
], ids=["into a notes column", "into the padding"])
def test_a_decimal_comma_split_into_an_ignored_column_is_refused(tmp_path, lines):
    """Unquoted "168,92" in a comma-separated file is one field too many: it never silently becomes 168."""
    path = tmp_path / "raw" / "2020" / "dan-so.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(["Dân số trung bình năm 2020", "Đơn vị tính: nghìn người", "", *lines]) + "\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError) as refused:
        clean(tmp_path / "raw", out_dir=None)
    cells = {p.cell for p in refused.value.problems}
    assert {"E5", "E6"} <= cells or {"D5", "D6"} <= cells, refused.value
    assert all("splits a number with a decimal comma" in p.message for p in refused.value.problems), refused.value


def test_an_enterprise_column_whose_merged_heading_a_csv_lost_is_refused_once_naming_its_heading(tmp_path):
    """Saved as CSV, "Điện thoại cố định" merged over VNPT and Viettel heads VNPT's column only."""
    rows = [["SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN"], ["Đơn vị tính: thuê bao"], [],
            ["STT", "Địa bàn", "Điện thoại cố định", ""], ["", "", "VNPT", "Viettel"],
            ["1", "Bác Ái", "246", "0"], ["2", "Ninh Sơn", "1190", "253"]]  # fmt: skip
    path = tmp_path / "raw" / "2020" / "tb.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(";".join(row) for row in rows) + "\n", encoding="utf-8")
    problem = only_problem(tmp_path / "raw")  # one problem for the column, not one per row
    assert problem.cell == "D5"
    assert problem.message == ("column D is headed 'Viettel', but the header names no indicator above it: its values "
                               "belong to no column of the table")  # fmt: skip
    assert "lost when it is saved as CSV" in problem.expected


@pytest.mark.parametrize(("separator", "quote"), [(",", '"'), (";", "")])
def test_decimal_commas_in_quotes_or_between_semicolons_are_read(tmp_path, separator, quote):
    population_csv(tmp_path / "raw" / "2020" / "dan-so.csv", separator, quote=quote)
    table = clean(tmp_path / "raw", out_dir=None).table
    assert sorted(table.value) == pytest.approx(sorted(float(v.replace(",", ".")) * 1000 for v in POPULATION))


# --- values too large to show -----------------------------------------------------------------------


@pytest.mark.parametrize("x", [1e308, -1e308, 1.7976931348623157e308, 1e27, 123456789012345678.0, 5e-324])
def test_any_finite_float_is_formatted_with_all_its_digits(x):
    for decimals in (None, 0, 2):
        text = format_number(x, "en", decimals)
        assert float(text.replace(",", "").replace("\u2212", "-")) == pytest.approx(x, rel=1e-15, abs=0.01)
    assert format_number(1e308) == "100." + ".".join(["000"] * 102)
    assert format_percent(x) and format_change(x) and format_points(x) and format_money(x)


def test_a_change_from_zero_is_an_infinite_change_with_its_sign():
    assert (format_change(math.inf), format_change(-math.inf, "en")) == ("+∞\u00a0%", "−∞%")


@pytest.fixture(scope="module")
def huge_count_result():
    """The gate's result on the bundled table with one count of 1e308."""
    from ictanalysis.validate import validate
    from ictanalysis.years import YearPair

    table = clean(BUNDLED_RAW, out_dir=None).table
    row = table.index[(table.indicator == "postal_items") & (table.year == 2020)][0]
    table.loc[row, "value"] = 1e308
    return validate(table, YearPair(2020, 2019)), table.loc[row]


def test_a_count_of_1e308_fails_the_gate_and_the_quality_page_shows_it(huge_count_result):
    from ictanalysis.quality import render_quality_page

    result, row = huge_count_result
    assert not result.passed
    failed = next(r for r in result.failures if r.id == "value_not_above_range")
    assert row.source_cell in set(failed.rows.source_cell)
    page = render_quality_page(result, catalog=load_catalog())
    assert "100." + ".".join(["000"] * 102) in page


def test_every_indicator_range_is_finite_so_the_gate_refuses_a_huge_value():
    for indicator in load_catalog().indicators.values():
        low, high = indicator.range
        assert math.isfinite(low) and math.isfinite(high) and high < 1e308, indicator.id


# --- merged ranges in an .ods -------------------------------------------------------------------------

# Enterprises as columns (layout enterprise-columns): each enterprise's name merged over its prepaid and postpaid
# columns, and the number and label headers merged over the header's two rows.
MOBILE = [
    ["BÁO CÁO SỐ LIỆU THUÊ BAO DI ĐỘNG NĂM 2020"],
    ["Đơn vị tính: thuê bao"],
    [],
    ["STT", "Đơn vị hành chính", "VNPT", "", "Viettel", ""],
    ["", "", "Trả trước", "Trả sau", "Trả trước", "Trả sau"],
    [1, "Huyện Bác Ái", 4913, 474, 12148, 803],
    [2, "Huyện Ninh Sơn", 17934, 1730, 40228, 2659],
]
# 0-based, inclusive: A4:A5, B4:B5, C4:D4, E4:F4
MOBILE_MERGES = {(3, 0, 4, 0), (3, 1, 4, 1), (3, 2, 3, 3), (3, 4, 3, 5)}
MOBILE_READ = {  # (indicator, area, operator) → (value, cell)
    ("mobile_prepaid_subscribers", "584", "VNPT"): (4913.0, "C6"),
    ("mobile_postpaid_subscribers", "584", "VNPT"): (474.0, "D6"),
    ("mobile_prepaid_subscribers", "584", "Viettel"): (12148.0, "E6"),
    ("mobile_postpaid_subscribers", "584", "Viettel"): (803.0, "F6"),
    ("mobile_prepaid_subscribers", "585", "VNPT"): (17934.0, "C7"),
    ("mobile_postpaid_subscribers", "585", "VNPT"): (1730.0, "D7"),
    ("mobile_prepaid_subscribers", "585", "Viettel"): (40228.0, "E7"),
    ("mobile_postpaid_subscribers", "585", "Viettel"): (2659.0, "F7"),
}


def write_mobile_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "TB"
    for r, cells in enumerate(MOBILE):
        for c, value in enumerate(cells):
            if value != "":
                ws.cell(row=r + 1, column=c + 1, value=value)
    for r0, c0, r1, c1 in MOBILE_MERGES:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    book.save(path)
    return path


def write_mobile_ods(path: Path) -> Path:
    """Write MOBILE as LibreOffice does: a merged range's first cell spans it, the others are covered cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in MOBILE_MERGES}
    covered = {(r, c) for r0, c0, r1, c1 in MOBILE_MERGES
               for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - spans.keys()  # fmt: skip
    document = OpenDocumentSpreadsheet()
    table = Table(name="TB")
    for r, cells in enumerate(MOBILE):
        row = TableRow()
        for c in range(6):
            value = cells[c] if c < len(cells) else ""
            rows, cols = spans.get((r, c), (1, 1))
            spanned = {"numberrowsspanned": rows, "numbercolumnsspanned": cols} if (r, c) in spans else {}
            if (r, c) in covered:
                cell = CoveredTableCell()
            elif value == "":
                cell = TableCell(**spanned)
            else:
                kind = {"valuetype": "string"} if isinstance(value, str) else {"valuetype": "float", "value": value}
                cell = TableCell(**kind, **spanned)
                cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def tidy_keys(raw: Path) -> dict[tuple[str, str, str], tuple[float, str]]:
    table = clean(raw, out_dir=None).table
    return {(i, a, o): (v, cell) for i, a, o, v, cell
            in zip(table.indicator, table.area, table.operator, table.value, table.source_cell, strict=True)}  # fmt: skip


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_a_header_merged_over_columns_and_rows_reads_the_same_in_ods_as_in_xlsx(tmp_path, suffix):
    """calamine gives no merged ranges for .ods: they are read from its content.xml, where they are spans."""
    year = tmp_path / "raw" / "2020"
    year.mkdir(parents=True)
    path = {".xlsx": write_mobile_xlsx, ".ods": write_mobile_ods}[suffix](year / f"tb{suffix}")
    (sheet,) = read_workbook(path)
    assert set(sheet.merged) == MOBILE_MERGES
    assert tidy_keys(tmp_path / "raw") == MOBILE_READ


def _text(text: str, attributes: str = "") -> str:
    return f'<table:table-cell office:value-type="string" {attributes}><text:p>{text}</text:p></table:table-cell>'


def _span(rows: int = 1, cols: int = 1, repeat: int = 1) -> str:
    return (f'<table:table-cell table:number-rows-spanned="{rows}" table:number-columns-spanned="{cols}" '
            f'table:number-columns-repeated="{repeat}"/>')  # fmt: skip


def _ods_row(cells: str, repeat: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>'


def test_ods_spans_in_a_billion_repeated_rows_are_kept_within_the_used_range_only(tmp_path):
    """A row with a span, repeated a billion times, is one span of the XML: only its copies in the values are kept."""
    spanned = _text("t", 'table:number-columns-spanned="2"') + "<table:covered-table-cell/>"
    rows = (_ods_row(_text("a") + "<table:table-cell/>" + _text("b"))
            + _ods_row(spanned, 3)
            + _ods_row(_span(cols=2) + "<table:covered-table-cell/>", 1_000_000_000)
            + _ods_row(_span(rows=1_000_000, cols=1_000)))  # fmt: skip
    (sheet,) = read_workbook(ods_package(tmp_path / "x.ods", rows))
    assert sheet.rows == [["a", "", "b"], ["t", "", ""], ["t", "", ""], ["t", "", ""]]
    assert set(sheet.merged) == {(1, 0, 1, 1), (2, 0, 2, 1), (3, 0, 3, 1)}


def test_an_ods_with_more_spans_than_a_sheet_within_the_limits_can_hold_is_refused(tmp_path, monkeypatch):
    import ictanalysis.workbook.limits as limits

    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 1_000)  # at most 500 merged ranges of two cells or more
    rows = _ods_row(_text("a")) + _ods_row(_span(cols=2) + "<table:covered-table-cell/>") * 501
    with pytest.raises(WorkbookError) as caught:
        read_workbook(ods_package(tmp_path / "x.ods", rows))
    assert (caught.value.sheet, caught.value.cell) == ("S", "A502")
    assert "more than the 500 merged ranges" in str(caught.value)


@pytest.mark.parametrize(
    ("rows", "cell"),
    [(_ods_row(_span(rows=2, cols=1), 3), "A2"), (_ods_row("<table:table-cell/>" + _span(cols=2, repeat=4)), "B2")],
    ids=["rows-spanned-in-repeated-rows", "columns-spanned-and-repeated"],
)
def test_an_ods_span_repeated_over_itself_is_refused_as_overlapping(tmp_path, rows, cell):
    with pytest.raises(WorkbookError) as caught:
        read_workbook(ods_package(tmp_path / "x.ods", _ods_row(_text("a") * 3) + rows))
    assert (caught.value.sheet, caught.value.cell) == ("S", cell)
    assert "merged ranges overlap" in str(caught.value)


@pytest.mark.parametrize(
    ("table", "name"),
    [("table:style-name=\"ta1\" table:name=\"Số liệu 'TB'\"", "Số liệu 'TB'"),
     ("table:name='Q&apos;ty &amp; \"TB\"'", "Q'ty & \"TB\"")],
    ids=["apostrophe-after-style-name", "single-quoted-with-entities"],
)  # fmt: skip
def test_the_facts_of_an_ods_table_go_to_the_sheet_of_its_whole_name(tmp_path, table, name):
    rows = _ods_row(_text("a", 'table:number-columns-spanned="2"') + "<table:covered-table-cell/>" + _text("b"))
    rows += _ods_row('<table:table-cell office:value-type="percentage" office:value="0.5"/>')
    (sheet,) = read_workbook(ods_package(tmp_path / "x.ods", rows, table))
    assert (sheet.name, sheet.merged, sheet.percent_cells) == (name, ((0, 0, 0, 1),), {(1, 0)})


def test_merged_ranges_read_from_the_ods_and_by_calamine_must_agree():
    from array import array

    from ictanalysis.workbook.grid import merged_ranges

    rows = [["a", "", "b"], ["", "", ""]]
    ours = array("q", [0, 0, 0, 1, 1, 1])  # a scan's span: first row, first column, last row, last column, repeats
    assert merged_ranges("S", [((0, 0), (0, 1))], ours, 0, 0, rows) == ((0, 0, 0, 1),)
    assert merged_ranges("S", [], ours, 0, 0, rows) == ((0, 0, 0, 1),)
    assert merged_ranges("S", [((0, 0), (0, 1))], None, 0, 0, rows) == ((0, 0, 0, 1),)
    with pytest.raises(WorkbookError) as caught:
        merged_ranges("S", [((0, 0), (1, 1))], ours, 0, 0, rows)
    assert caught.value.sheet == "S"
    assert "merged ranges" in str(caught.value) and "disagree" in str(caught.value)


# --- a value that overflows once converted into its indicator's unit ---------------------------------


def test_a_value_infinite_only_after_its_unit_factor_is_refused_naming_its_cell(tmp_path):
    year = tmp_path / "raw" / "2020"
    year.mkdir(parents=True)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Doanh thu"
    title, unit, header = (
        ["DOANH THU DỊCH VỤ VIỄN THÔNG NĂM 2020"],
        ["Đơn vị tính: triệu đồng"],
        ["STT", "Doanh nghiệp", "Doanh thu dịch vụ viễn thông"],
    )
    for row in (title, unit, [], header, [1, "VNPT", 1e303], [2, "Viettel", 486527.4]):
        ws.append(row)
    book.save(year / "x.xlsx")
    problem = only_problem(tmp_path / "raw")
    assert (problem.file, problem.sheet, problem.cell) == ("2020/x.xlsx", "Doanh thu", "C5")
    assert "1e+303" in problem.message and "đồng" in problem.message
    assert "infinity" in problem.message
