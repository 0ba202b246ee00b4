"""The plan file read by the workbooks' rules: the bundled plan written in every form it may come in, and bad cells.

Each variant is written per test (tmp_path) from the bundled ``data/plans/ke-hoach-2020.csv``: as .xlsx
(openpyxl), .xls (xlwt), .ods (odfpy), as .csv in UTF-8 with a byte-order mark and in Windows-1258, its text
decomposed (NFD), a rate in a percent-formatted cell, amounts with Vietnamese thousand and decimal separators.
Each must give the bundled plan's targets, or a refusal naming the file, the sheet and the cell.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest
import xlwt

from ictanalysis.errors import InputError
from ictanalysis.plan import DEFAULT_PLANS, read_plan, read_plan_file

SHEET = "Kế hoạch"
BUNDLED = DEFAULT_PLANS / "ke-hoach-2020.csv"
#: Windows-1258 writes Vietnamese with these tones as combining marks after the letter (grave, acute, tilde,
#: hook above, dot below); the rest (â, ê, ô, ơ, ư, ă, đ) are letters of the code page.
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _rows() -> list[list[str]]:
    """Return the bundled plan's cells as text, its header first."""
    return [line.split(";") for line in BUNDLED.read_text(encoding="utf-8").splitlines()]


def _typed(rows: list[list[str]]) -> list[list]:
    """Return the rows as a spreadsheet holds them: the targets as numbers, the rest as text."""
    return [rows[0], *([a, b, float(c.replace(".", "").replace(",", ".")), d] for a, b, c, d in rows[1:])]


def _targets(plan) -> list[tuple[str, float, str, bool]]:
    return [(t.indicator, t.value, unicodedata.normalize("NFC", t.note), t.illustrative) for t in plan.targets]


EXPECTED = _targets(read_plan_file(BUNDLED, 2020))


def write_xlsx(path: Path, rows: list[list], formats: dict[tuple[int, int], str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            sheet.cell(row=r + 1, column=c + 1, value=value).number_format = (formats or {}).get((r, c), "General")
    book.save(path)
    return path


def write_xls(path: Path, rows: list[list], formats: dict[tuple[int, int], str] | None = None) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(SHEET)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            sheet.write(r, c, value, xlwt.easyxf(num_format_str=(formats or {}).get((r, c), "General")))
    book.save(str(path))
    return path


def write_ods(path: Path, rows: list[list], formats: dict[tuple[int, int], str] | None = None) -> Path:
    """Write the table as LibreOffice does: a percent-formatted cell has the value type "percentage"."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document, table = OpenDocumentSpreadsheet(), Table(name=SHEET)
    for r, cells in enumerate(rows):
        row = TableRow()
        for c, value in enumerate(cells):
            kind = "percentage" if "%" in (formats or {}).get((r, c), "") else "float"
            cell = TableCell(valuetype="string") if isinstance(value, str) else TableCell(valuetype=kind, value=value)
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


WRITERS = {".xlsx": write_xlsx, ".xls": write_xls, ".ods": write_ods}


def _cp1258(text: str) -> bytes:
    """Encode Vietnamese text as Windows-1258 does: a tone the code page has no letter for is a combining mark."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
            out.append((base + "".join(p for p in parts if p in _TONES)).encode("cp1258"))
    return b"".join(out)


def _csv(rows: list[list[str]]) -> str:
    return "\r\n".join(";".join(cells) for cells in rows) + "\r\n"


# --- the same plan in every form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_the_plan_as_a_workbook_gives_the_same_targets(tmp_path, suffix):
    WRITERS[suffix](tmp_path / f"ke-hoach-2020{suffix}", _typed(_rows()))
    assert _targets(read_plan(tmp_path, 2020)) == EXPECTED


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_the_plan_as_a_workbook_of_text_cells_gives_the_same_targets(tmp_path, suffix):
    """Targets typed as text in Vietnamese notation ("680.000", "1.100"), as a copy from a document leaves them."""
    WRITERS[suffix](tmp_path / f"ke-hoach-2020{suffix}", _rows())
    assert _targets(read_plan(tmp_path, 2020)) == EXPECTED


@pytest.mark.parametrize(("name", "encode"), [
    ("utf-8 with a byte-order mark", lambda text: text.encode("utf-8-sig")),
    ("windows-1258", _cp1258),
    ("utf-8, decomposed (NFD)", lambda text: unicodedata.normalize("NFD", text).encode("utf-8")),
])  # fmt: skip
def test_the_plan_as_csv_in_each_encoding_gives_the_same_targets(tmp_path, name, encode):
    """cp1252 is not among them: it cannot write Vietnamese (the reader decodes UTF-8, else Windows-1258)."""
    (tmp_path / "ke-hoach-2020.csv").write_bytes(encode(_csv(_rows())))
    assert _targets(read_plan(tmp_path, 2020)) == EXPECTED, name


def test_the_windows_1258_file_is_really_not_utf_8():
    with pytest.raises(UnicodeDecodeError):
        _cp1258(_csv(_rows())).decode("utf-8")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_rate_in_a_percent_formatted_cell_is_read_as_shown(tmp_path, suffix):
    rows = _typed(_rows())
    share, coverage = (next(i for i, r in enumerate(rows) if r[0].startswith(s)) for s in ("Tỷ lệ dịch vụ", "Tỷ lệ vùng"))
    rows[share][2], rows[coverage][2] = 0.30, 0.95  # shown as 30 % and 95 %
    path = WRITERS[suffix](tmp_path / f"ke-hoach-2020{suffix}", rows, {(share, 2): "0%", (coverage, 2): "0%"})
    plan = read_plan_file(path, 2020)
    assert plan.target("national_portal_share").value == pytest.approx(30)
    assert plan.target("coverage_4g_population").value == pytest.approx(95)


def test_a_rate_typed_with_its_percent_sign_in_a_percent_formatted_cell_is_not_multiplied(tmp_path):
    rows = _typed(_rows())
    coverage = next(i for i, r in enumerate(rows) if r[0].startswith("Tỷ lệ vùng"))
    rows[coverage][2] = "95 %"
    plan = read_plan_file(write_xlsx(tmp_path / "ke-hoach-2020.xlsx", rows, {(coverage, 2): "0%"}), 2020)
    assert plan.target("coverage_4g_population").value == 95


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_amounts_with_vietnamese_thousands_and_decimals_are_read(tmp_path, suffix):
    rows = _rows()
    revenue = next(i for i, r in enumerate(rows) if r[0] == "Doanh thu dịch vụ viễn thông")
    rows[revenue][2] = "1.234,5"
    path = tmp_path / f"ke-hoach-2020{suffix}"
    path.write_text(_csv(rows), encoding="utf-8") if suffix == ".csv" else write_xlsx(path, rows)
    assert read_plan_file(path, 2020).target("telecom_revenue").value == pytest.approx(1_234_500_000_000)


# --- bad cells: refused, naming the file, the sheet and the cell ----------------------------------------------------


def _refusal(path: Path) -> list[tuple[str, str, str, str, str]]:
    with pytest.raises(InputError) as caught:
        read_plan_file(path, 2020)
    return [(p.file, p.sheet, p.cell, p.message, p.expected) for p in caught.value.problems]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods", ".csv"])
def test_text_for_a_target_and_an_unknown_indicator_are_refused_with_their_cells(tmp_path, suffix):
    rows = _typed(_rows()) if suffix != ".csv" else _rows()
    rows[5][2] = "khoảng 680 nghìn"  # mobile subscribers, row 6
    rows[7][0] = "Số trạm sạc xe điện"  # an indicator the catalog does not know, row 8
    path = tmp_path / f"ke-hoach-2020{suffix}"
    path.write_text(_csv(rows), encoding="utf-8") if suffix == ".csv" else WRITERS[suffix](path, rows)
    sheet = "ke-hoach-2020" if suffix == ".csv" else SHEET
    (text, unknown) = _refusal(path)
    assert text[:4] == (str(path), sheet, "C6", "found text 'khoảng 680 nghìn' where a number belongs")
    assert "Vietnamese notation" in text[4]
    assert unknown[:4] == (str(path), sheet, "A8", "unknown indicator 'Số trạm sạc xe điện'")


def test_a_percentage_for_a_count_is_refused_not_read_as_a_fraction(tmp_path):
    rows = _typed(_rows())
    rows[5][2] = 0.95  # mobile subscribers in a percent-formatted cell
    (problem,) = _refusal(write_xlsx(tmp_path / "ke-hoach-2020.xlsx", rows, {(5, 2): "0%"}))
    assert problem[1:3] == (SHEET, "C6") and "found a percentage 95 %" in problem[3], problem


@pytest.mark.parametrize(("written", "found"), [
    ("1,234", "a fraction (1,234) in the layout's Vietnamese notation, but 1.234 in English notation"),
    ("#REF!", "found the error value #REF!"),
    ("-5", "found '-5'"),
])  # fmt: skip
def test_a_target_that_is_not_certain_is_refused(tmp_path, written, found):
    rows = _rows()
    rows[2][2] = written  # videoconference endpoints, row 3
    path = tmp_path / "ke-hoach-2020.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    (problem,) = _refusal(path)
    assert problem[2] == "C3" and found in problem[3], problem


def test_a_date_for_a_target_is_refused(tmp_path):
    import datetime as dt

    rows = _typed(_rows())
    rows[2][2] = dt.datetime(2020, 5, 1)
    (problem,) = _refusal(write_xlsx(tmp_path / "ke-hoach-2020.xlsx", rows, {(2, 2): "yyyy-mm-dd"}))
    assert problem[1:3] == (SHEET, "C3") and "found a date or time" in problem[3], problem
