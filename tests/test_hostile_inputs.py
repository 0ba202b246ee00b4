"""The hostile-input corpus: whatever arrives in data/raw/<year>/, `ictanalysis clean` ends well.

Each case writes a real file into `<tmp>/raw/2020/` (with openpyxl, xlwt, zipfile, raw bytes…),
runs the real command line on it, and checks the promise of the hardening issue: a clear message
naming file, sheet and cell (where there is one) and what was expected; exit code 3; no traceback;
the previous good output in `processed/` byte-identical; the raw files unchanged. Cases that
legitimately succeed check the values read instead.

Most cases run in-process (`ictanalysis.cli.main` with capsys). Those that, were a guard to
regress, would abort or exhaust the interpreter (a Rust allocation of 550 GB) run in a
subprocess, and a few more run through `python -m ictanalysis` and the `ictanalysis` script to
prove that no traceback reaches the terminal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import logging
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlwt
from conftest import DISTRICT_TABLE_ROWS, ods_package, write_district_table, xls_bytes
from openpyxl.utils import get_column_letter

from ictanalysis import workbook
from ictanalysis.cli import main
from ictanalysis.errors import ExitCode
from ictanalysis.ingest import clean
from ictanalysis.outputs import Outputs

SHEET = "TB cố định - Internet"  # the sheet of write_district_table
X = "2020/x.xlsx"
IN_SHEET = f"{X}, sheet '{SHEET}'"


# --- writing hostile files ---------------------------------------------------------------------


def district(path: Path, cells: dict | None = None, edit: Callable | None = None, **options) -> Path:
    """Write the minimal district table (conftest), override `cells`, then let `edit(ws)` change the sheet."""
    write_district_table(path, cells, **options)
    if edit is not None:
        book = openpyxl.load_workbook(path)
        edit(book.active)
        book.save(path)
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
# "Billion laughs": ten levels of ten references, a thousand million "lol"s once expanded.
_LEVELS = ["lol", *(f"lol{i}" for i in range(1, 10))]
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY {name} "{("&" + below + ";") * 10}">' for below, name in itertools.pairwise(_LEVELS))
    + "]>"
)


def package(path: Path, sheet_data: str | Iterable[str], *, strings: tuple[str, ...] = ("Địa bàn",),
            prolog: str = "", strings_prolog: str = "", merges: str = "") -> Path:  # fmt: skip
    """Write an .xlsx by hand, the way a hostile generator would: sheet 'S' with `sheet_data` as its rows.

    `sheet_data` may come in pieces, written one after the other (a large sheet never is one string).
    """
    pieces = [sheet_data] if isinstance(sheet_data, str) else sheet_data
    shared = "".join(f"<si><t>{text}</t></si>" for text in strings)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {_MAIN} xmlns:r="http'
                         '://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" '
                         'sheetId="1" r:id="rId1"/></sheets></workbook>')  # fmt: skip
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {_MAIN}><sheetData>'.encode())
            for piece in pieces:
                sheet.write(piece.encode())
            sheet.write(f"</sheetData>{merges}</worksheet>".encode())
        archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?>{strings_prolog}<sst {_MAIN}>'
                         f"{shared}</sst>")  # fmt: skip
    return path


ROWS = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>5</v></c></row>'


def patch_central_directory(path: Path, member: str, offset: int, value: bytes) -> None:
    """Overwrite bytes at `offset` of `member`'s central-directory entry (24: unpacked size; 8: flags)."""
    data = bytearray(path.read_bytes())
    start = 0
    while (start := data.find(b"PK\x01\x02", start + 1)) > 0:
        name_length = int.from_bytes(data[start + 28 : start + 30], "little")
        if data[start + 46 : start + 46 + name_length] == member.encode():
            data[start + offset : start + offset + len(value)] = value
            path.write_bytes(bytes(data))
            return
    raise AssertionError(f"{member} not in {path}")


def bomb(path: Path, unpacked_mib: int) -> Path:
    """Write an .xlsx whose sheet part is `unpacked_mib` MiB of spaces: packed about a thousand to one."""
    package(path, ROWS)
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("xl/worksheets/padding.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as part:
            for _ in range(unpacked_mib):
                part.write(b" " * 2**20)
    return path


def many_parts(path: Path, count: int) -> Path:
    """Write an .xlsx whose package holds `count` more (empty) parts: each costs memory to list."""
    package(path, ROWS)
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(count):
            archive.writestr(f"xl/media/empty{number}.bin", b"")
    return path


def lying_sizes(path: Path) -> Path:
    """Write an .xlsx whose sheet part says it unpacks to 100 bytes but unpacks to 2 MiB."""
    package(path, ROWS + "<!-- " + "x" * 2**21 + " -->")
    patch_central_directory(path, "xl/worksheets/sheet1.xml", 24, (100).to_bytes(4, "little"))
    return path


def encrypted_member(path: Path) -> Path:
    """Write an .xlsx whose sheet part is flagged as locked with a zip password."""
    package(path, ROWS)
    patch_central_directory(path, "xl/worksheets/sheet1.xml", 8, b"\x01")
    return path


def corrupt_member(path: Path) -> Path:
    """Write an .xlsx whose sheet part's packed bytes were damaged in transit."""
    package(path, ROWS * 50)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 5 : start + 25] = b"\xff" * 20
    path.write_bytes(bytes(data))
    return path


def encrypted_ooxml(path: Path) -> Path:
    """Write what Excel writes for a workbook with a password: an OLE2 container with an EncryptedPackage stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in
                         ("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"))  # fmt: skip
    path.write_bytes(header + directory + bytes(2048))
    return path


def looping_xls(path: Path) -> Path:
    """Write an .xls whose workbook stream's sector chain loops back to its start (calamine would read on)."""
    data = bytearray(xls_bytes())
    fat = 512 * (int.from_bytes(data[76:80], "little") + 1)  # the first FAT sector, from the header's DIFAT
    workbook_entry = 512 * (int.from_bytes(data[48:52], "little") + 1) + 128  # after the root entry
    assert data[workbook_entry : workbook_entry + 16].decode("utf-16-le") == "Workbook"
    first = sector = int.from_bytes(data[workbook_entry + 116 : workbook_entry + 120], "little")
    while (following := int.from_bytes(data[fat + 4 * sector : fat + 4 * sector + 4], "little")) != 0xFFFF_FFFE:
        sector = following
    data[fat + 4 * sector : fat + 4 * sector + 4] = first.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def xls_declaring_rows(path: Path, rows: int) -> Path:
    """Write an .xls whose sheet's DIMENSIONS record declares `rows` rows (calamine reserves a cell for each)."""
    data = bytearray(xls_bytes())
    record = data.index(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes: first row, end row (32 bits each), columns
    data[record + 8 : record + 12] = rows.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def xls_far_cell(path: Path) -> Path:
    """Write an .xls with values in A1 and IV65536, the corners of a BIFF8 sheet."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("TB")
    sheet.write(0, 0, "Địa bàn")
    sheet.write(65535, 255, 1)
    book.save(path)
    return path


def district_xls(path: Path, errors: dict[tuple[int, int], str]) -> Path:
    """Write the minimal district table as an Excel 97–2003 file, with error values at 0-based (row, column)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet(SHEET)
    sheet.write(1, 0, "BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH NĂM 2020")
    sheet.write(2, 0, "Đơn vị tính: thuê bao")
    sheet.write_merge(4, 5, 0, 0, "STT")
    sheet.write_merge(4, 5, 1, 1, "Địa bàn")
    sheet.write_merge(4, 4, 2, 3, "Điện thoại cố định")
    sheet.write(5, 2, "VNPT")
    sheet.write(5, 3, "Viettel")
    for i, row in enumerate([*DISTRICT_TABLE_ROWS, ("Cộng", 11732, 2607)]):
        for col, value in enumerate((i + 1 if i < 7 else "", *row)):
            if (6 + i, col) in errors:
                sheet.row(6 + i).set_cell_error(col, errors[6 + i, col])
            else:
                sheet.write(6 + i, col, value)
    book.save(path)
    return path


def _value(v: int) -> str:
    return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'


def _row(cells: str, repeat: int = 1) -> str:
    return f'<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>'


DISTRICTS = tuple(row[0] for row in DISTRICT_TABLE_ROWS)
POPULATION = {label: 1000 * (i + 1) for i, label in enumerate(DISTRICTS)}


def population_csv(path: Path, cells: dict[int, tuple[str, str]] | None = None) -> Path:
    """Write a population CSV as Excel exports it (title, unit line, header on line 4, districts on lines 5–11).

    `cells` replaces the label and the value of a line (by line number).
    """
    lines = ["Dân số trung bình năm 2020;;", "Đơn vị tính: người;;", ";;", "STT;Huyện/thành phố;Dân số"]
    for i, (label, value) in enumerate(POPULATION.items(), start=1):
        label, value = (cells or {}).get(4 + i, (label, f"{value:,}".replace(",", ".")))
        lines.append(f'{i};"{label}";"{value}"')
    path.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode())
    return path


def second_table(ws) -> None:
    """Put the same form again under the first: header in row 20, districts from row 22."""
    ws["B18"] = None
    ws["B20"], ws["C20"], ws["C21"], ws["D21"] = "Địa bàn", "Internet băng rộng cố định", "VNPT", "Viettel"
    for i, (label, vnpt, viettel) in enumerate(DISTRICT_TABLE_ROWS):
        ws.cell(row=22 + i, column=2, value=label)
        ws.cell(row=22 + i, column=3, value=vnpt * 2)
        ws.cell(row=22 + i, column=4, value=viettel * 2)


def indicator_table(path: Path, value_header: str = "Thực hiện") -> Path:
    """Write a 'Tổng hợp' sheet of indicators as rows, each with its own unit (thousands, ones, %), under a unit line."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Tổng hợp"
    ws.append(["BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020"])
    ws.append(["Đơn vị tính: thuê bao"])
    ws.append([])
    ws.append(["TT", "Chỉ tiêu", "ĐVT", value_header])
    ws.append([1, "Thuê bao di động", "Nghìn thuê bao", "612,5"])
    ws.append([2, "Thuê bao cố định", "Thuê bao", 11732])
    ws.append([3, "Thuê bao internet băng rộng cố định", "TB", "45.678"])
    ws.append([4, "Tỷ lệ vùng phủ sóng 4G khu vực có dân cư", "%", "98,5%"])
    book.save(path)
    return path


def html_export(path: Path) -> Path:
    path.write_text(
        '\ufeff<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>'
        "<table><tr><td>STT</td><td>Địa bàn</td><td>VNPT</td></tr><tr><td>1</td><td>Ninh Hải</td><td>1379</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    return path


def spreadsheet_2003(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-'
        'com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="TB">'
        '<Table><Row><Cell><Data ss:Type="String">Địa bàn</Data></Cell></Row></Table></Worksheet></Workbook>',
        encoding="utf-8",
    )
    return path


def word_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return path


def overlapping_merges(path: Path) -> Path:
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}</v></c></row>' for r in (1, 2))
    return package(path, cells, merges="<mergeCells>" + '<mergeCell ref="A1:B2"/>' * 1000 + "</mergeCells>")


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A problem line expected on stderr: where it is (as printed), and fragments it must hold."""

    where: str
    says: tuple[str, ...]

    def __init__(self, where: str, *says: str) -> None:
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "says", says)


@dataclass(frozen=True)
class Case:
    """One hostile input: how to write it into the year folder, and what `clean` must answer."""

    make: Callable[[Path], object]  # gets the year folder
    lines: tuple[Line, ...] = ()  # expected problem lines (exit 3); empty for a case that succeeds
    check: Callable[[pd.DataFrame, list[str]], None] | None = None  # the table and the warnings logged
    subprocess: bool = False  # run only in a subprocess: a regression would kill the test process


def _values(table: pd.DataFrame, operator: str = "VNPT") -> dict[str, float]:
    rows = table[(table.indicator == "fixed_telephone_subscribers") & (table.operator == operator)]
    return dict(zip(rows.source_cell, rows.value, strict=True))


VNPT_CELLS = {f"C{7 + i}": float(row[1]) for i, row in enumerate(DISTRICT_TABLE_ROWS)} | {"C14": 11732.0}


def _check_text_numbers(table: pd.DataFrame, _warnings) -> None:
    assert _values(table) == VNPT_CELLS


def _check_long_label(table: pd.DataFrame, _warnings) -> None:
    assert dict(zip(table.source_cell, table.area, strict=True))["C11"] == "589"  # H.Thuận Nam
    assert table.value.sum() == sum(POPULATION.values())


def _check_hidden_row(table: pd.DataFrame, warnings: list[str]) -> None:
    assert _values(table)["C9"] == 1190.0
    assert any("hidden row 9 read as data" in w and SHEET in w for w in warnings), warnings


def _check_mixed_units(table: pd.DataFrame, _warnings) -> None:
    got = dict(zip(table.indicator, zip(table.value, table.source_cell, strict=True), strict=True))
    assert got == {
        "mobile_subscribers": (612_500.0, "D5"),
        "fixed_telephone_subscribers": (11_732.0, "D6"),
        "fixed_broadband_subscribers": (45_678.0, "D7"),
        "coverage_4g_population": (98.5, "D8"),  # a percentage where one belongs
    }


VIETNAMESE_NAME = "Báo cáo viễn thông 2020.xlsx"  # with spaces, decomposed (NFD) as macOS writes it
VIETNAMESE_SHEET = "Thuê bao cố định năm 2020"


def _check_vietnamese_names(table: pd.DataFrame, _warnings) -> None:
    import unicodedata

    assert set(table.source_file) == {"2020/" + unicodedata.normalize("NFD", VIETNAMESE_NAME)}
    assert set(table.source_sheet) == {VIETNAMESE_SHEET}
    assert _values(table) == VNPT_CELLS


def _check_sixteen_values(table: pd.DataFrame, _warnings) -> None:
    assert len(table) == 16 and _values(table) == VNPT_CELLS


def _vietnamese_names(year: Path) -> None:
    import unicodedata

    district(year / unicodedata.normalize("NFD", VIETNAMESE_NAME), sheet=VIETNAMESE_SHEET)


def _symlink_outside(year: Path) -> None:
    outside = year.parents[1] / "elsewhere" / "x.xlsx"
    district(outside)
    (year / "x.xlsx").symlink_to(outside)


def _symlink_inside(year: Path) -> None:
    district(year.parent / "shared" / "x.xlsx")
    (year / "x.xlsx").symlink_to(Path("..") / "shared" / "x.xlsx")


def _non_utf8_name(year: Path) -> None:
    district(Path(os.fsdecode(os.fsencode(year) + b"/b\xe1o-c\xe1o.xlsx")))


def _too_large(year: Path) -> None:
    with (year / "x.xlsx").open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(workbook.MAX_FILE_BYTES + 2**20)  # sparse: 101 MiB on paper, no disk used


def _csv_with_a_huge_field(year: Path) -> None:
    (year / "dan-so.csv").write_text(f'STT;Huyện;Dân số\n1;"{"x" * 200_000}";5\n', encoding="utf-8")


def _sixteen_thousand_columns(ws) -> None:
    for col in range(1, 16_001):
        ws.cell(row=20, column=col, value=col)


EXPECTED_NUMBER = "1.234.567"  # the Vietnamese example in every "expected a number" message
DAMAGED = "the workbook as it was sent: ask the sender for the file again"
SAVE_AS = "save it as Excel Workbook (.xlsx)"

CASES = {
    # -- files that are not what their name says ------------------------------------------------------
    "png-named-xlsx": Case(lambda y: (y / "x.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
                           (Line(X, "cannot be read as a .xlsx workbook", "damaged or of another kind",
                                 "89 50 4e 47", DAMAGED),)),
    "pdf-named-xlsx": Case(lambda y: (y / "x.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n"),
                           (Line(X, "it is a PDF document, not a zip package", SAVE_AS),)),
    "empty-file": Case(lambda y: (y / "x.xlsx").write_bytes(b""),
                       (Line(X, "the file is empty (0 bytes)", "expected a .xlsx workbook"),)),
    "empty-workbook": Case(lambda y: openpyxl.Workbook().save(y / "x.xlsx"),
                           (Line(X, "the workbook holds no data: every sheet is empty", "expected the year's figures"),)),
    "password-protected-xlsx": Case(lambda y: encrypted_ooxml(y / "x.xlsx"),
                                    (Line(X, "password-protected or encrypted", "clear the password"),)),
    "zip-member-with-a-password": Case(lambda y: encrypted_member(y / "x.xlsx"),
                                       (Line(X, "password-protected or encrypted", "clear the password"),)),
    "xls-named-xlsx": Case(lambda y: (y / "x.xlsx").write_bytes(xls_bytes()),
                           (Line(X, "it is an Excel 97–2003 workbook, not a zip package", "renamed to .xls"),)),
    "truncated-zip": Case(lambda y: (y / "x.xlsx").write_bytes(district(y.parent / "x.xlsx").read_bytes()[:3000]),
                          (Line(X, "the zip package is damaged or truncated", DAMAGED),)),
    "corrupt-zip-part": Case(lambda y: corrupt_member(y / "x.xlsx"),
                             (Line(X, "the zip package is damaged or truncated", DAMAGED),)),
    "csv-named-xlsx": Case(lambda y: (y / "x.xlsx").write_text("STT;Địa bàn;VNPT\n1;Ninh Hải;1379\n", encoding="utf-8"),
                           (Line(X, "it is a text file (perhaps CSV)", "renamed to .csv"),)),
    "xlsx-named-csv": Case(lambda y: district(y / "x.csv"),
                           (Line("2020/x.csv", "cannot be read as a .csv file", "it is a zip package",
                                 "renamed to .xlsx"),)),
    "html-named-xls": Case(lambda y: html_export(y / "x.xls"),
                           (Line("2020/x.xls", "it is a web page (HTML)", SAVE_AS),)),
    "excel-2003-xml-named-xls": Case(lambda y: spreadsheet_2003(y / "x.xls"),
                                     (Line("2020/x.xls", "it is an Excel 2003 XML spreadsheet", SAVE_AS),)),
    "word-document-named-xlsx": Case(lambda y: word_document(y / "x.xlsx"),
                                     (Line(X, "it is a Word document, not a zip package (an .xlsx", SAVE_AS),)),
    # -- hostile packages ---------------------------------------------------------------------------------
    "billion-laughs-in-sheet": Case(
        lambda y: package(y / "x.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                          prolog=LAUGHS),
        (Line(X, "its part 'xl/worksheets/sheet1.xml' declares a document type", "expand without bound", SAVE_AS),)),
    "billion-laughs-in-shared-strings": Case(
        lambda y: package(y / "x.xlsx", ROWS, strings=("&lol9;",), strings_prolog=LAUGHS),
        (Line(X, "its part 'xl/sharedStrings.xml' declares a document type", "expand without bound"),)),
    "zip-bomb-ratio": Case(lambda y: bomb(y / "x.xlsx", 64),
                           (Line(X, "its part 'xl/worksheets/padding.xml' is packed", "more than the 100 to 1",
                                 "zip bomb"),)),
    "zip-bomb-declared-size": Case(
        lambda y: patch_central_directory(package(y / "x.xlsx", ROWS), "xl/worksheets/sheet1.xml", 24,
                                          (0xF000_0000).to_bytes(4, "little")),
        (Line(X, "its parts unpack to 3.840 MiB, more than the 256 MiB"),)),
    "zip-with-ten-thousand-parts": Case(lambda y: many_parts(y / "x.xlsx", 10_000),
                                        (Line(X, "its zip package holds 10.006 parts, more than the 10.000"),)),
    "zip-part-lying-about-its-size": Case(lambda y: lying_sizes(y / "x.xlsx"),
                                          (Line(X, "damaged or truncated", "Bad CRC-32", DAMAGED),)),
    "file-over-the-size-limit": Case(_too_large, (Line(X, "the file is 101 MiB, larger than the 100 MiB"),)),
    "xls-with-a-looping-sector-chain": Case(
        lambda y: looping_xls(y / "x.xls"),
        (Line("2020/x.xls", "the file is damaged (its sector chains or sizes are impossible)", DAMAGED),)),
    "xls-with-45-bytes-inserted": Case(
        lambda y: (y / "x.xls").write_bytes((lambda d: d[:1033] + bytes(range(45)) + d[1033:])(xls_bytes())),
        (Line("2020/x.xls", "the file is damaged (its sector chains or sizes are impossible)", DAMAGED),),
        subprocess=True),
    "xls-declaring-two-billion-rows": Case(
        lambda y: xls_declaring_rows(y / "x.xls", 2_080_374_806),
        (Line("2020/x.xls, sheet 'TB', cell A2080374806", "reach row 2.080.374.806", "100.000 rows"),),
        subprocess=True),
    "xls-with-values-in-a1-and-iv65536": Case(
        lambda y: xls_far_cell(y / "x.xls"),
        (Line("2020/x.xls, sheet 'TB', cell IV65536", "span A1:IV65536, 16.777.216 cells", "2.000.000"),)),
    "overlapping-merged-ranges": Case(lambda y: overlapping_merges(y / "x.xlsx"),
                                      (Line(f"{X}, sheet 'S'", "merged ranges overlap"),)),
    # -- sheets too large to lay out --------------------------------------------------------------------
    "values-in-a1-and-xfd1048576": Case(
        lambda y: district(y / "x.xlsx", {"XFD1048576": 1}),
        (Line(f"{IN_SHEET}, cell XFD1048576", "values reach row 1.048.576", "100.000 rows",
              "delete the rows below the table"),), subprocess=True),
    "namespace-prefixed-far-cell": Case(
        lambda y: package(y / "x.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><x:row xmlns:x="http://schemas.'
                          'openxmlformats.org/spreadsheetml/2006/main" r="5000000"><x:c r="C5000000"><x:v>2</x:v>'
                          "</x:c></x:row>"),
        (Line(f"{X}, sheet 'S', cell C5000000", "values reach row 5.000.000"),), subprocess=True),
    "sixteen-thousand-columns": Case(
        lambda y: district(y / "x.xlsx", edit=_sixteen_thousand_columns),
        (Line(f"{IN_SHEET}, cell {get_column_letter(16_000)}20", "values reach column WQJ", "16.000 columns",
              "1.000 columns", "delete the columns to the right"),)),
    "ods-repeating-a-value-a-million-rows": Case(
        lambda y: ods_package(y / "x.ods", manifest=False, rows=_row(_value(1)) + _row('<table:table-cell table:number-columns-repeated="3"/>',
                                                          1_048_574) + _row(_value(2))),
        (Line("2020/x.ods, sheet 'S', cell A1048576", "values reach row 1.048.576"),), subprocess=True),
    "ods-asking-for-a-hundred-million-cells": Case(
        lambda y: ods_package(y / "x.ods", manifest=False, rows=_row('<table:table-cell table:number-columns-repeated="999" '
                                        'office:value-type="float" office:value="1"/>', 99_000)),
        (Line("2020/x.ods, sheet 'S', cell ALK99000", "98.901.000 cells, more than the 2.000.000"),), subprocess=True),
    "csv-with-a-200000-character-cell": Case(
        _csv_with_a_huge_field,
        (Line("2020/dan-so.csv, sheet 'dan-so', cell A2", "line 2 cannot be read as CSV", "field larger than"),)),
    # -- cells --------------------------------------------------------------------------------------------
    "formula-without-a-stored-value": Case(
        lambda y: district(y / "x.xlsx", {"C14": "=SUM(C7:C13)"}),
        (Line(f"{IN_SHEET}, cell C14", "formula without a stored value", "open and save the workbook"),)),
    "error-cells": Case(
        lambda y: district(y / "x.xlsx", {"D8": "#REF!", "D9": "#DIV/0!", "D10": "#N/A"}),
        (Line(f"{IN_SHEET}, cell D8", "found the error value #REF!", "correct the formula"),
         Line(f"{IN_SHEET}, cell D9", "found the error value #DIV/0!"),
         Line(f"{IN_SHEET}, cell D10", "found the error value #N/A"))),
    "error-cells-in-an-xls": Case(
        lambda y: district_xls(y / "x.xls", {(8, 3): "#REF!", (9, 2): "#DIV/0!"}),
        (Line(f"2020/x.xls, sheet '{SHEET}', cell D9", "found the error value #REF!", "correct the formula"),
         Line(f"2020/x.xls, sheet '{SHEET}', cell C10", "found the error value #DIV/0!"))),
    "error-cell-as-row-label": Case(
        lambda y: district(y / "x.xlsx", {"B13": "#REF!"}, total=False),
        (Line(f"{IN_SHEET}, cell B13", "the row label is the error value #REF!", "a district name"),)),
    "numbers-as-text-in-vietnamese-formats": Case(
        lambda y: district(y / "x.xlsx", {"C7": "4.865", "C8": " 246 ", "C9": "1 190", "C10": "1\u00a0379",
                                          "C11": "2.323*", "C12": "590", "C13": "1139", "C14": "11.732"}),
        check=_check_text_numbers),
    "english-thousands-in-a-vietnamese-table": Case(
        lambda y: district(y / "x.xlsx", {"D9": "1,234,567"}),
        (Line(f"{IN_SHEET}, cell D9", "found text '1,234,567' where a number belongs", EXPECTED_NUMBER),)),
    "ambiguous-1,253": Case(
        lambda y: district(y / "x.xlsx", {"D9": "1,253"}),
        (Line(f"{IN_SHEET}, cell D9", "found text '1,253': a fraction (1,253) in the layout's Vietnamese notation",
              "but 1.253 in English notation", "enter it as a number rather than text"),)),
    "percentage-in-a-count-column": Case(
        lambda y: district(y / "x.xlsx", {"D9": "12,5%"}),
        (Line(f"{IN_SHEET}, cell D9", "found a percentage '12,5%' in a column of 'thuê bao'", "without %"),)),
    "date-where-a-number-belongs": Case(
        lambda y: district(y / "x.xlsx", {"D9": dt.date(2020, 5, 1)}),
        (Line(f"{IN_SHEET}, cell D9", "found a date or time (2020-05-01", EXPECTED_NUMBER),)),
    "true-where-a-number-belongs": Case(
        lambda y: district(y / "x.xlsx", {"D9": True}),
        (Line(f"{IN_SHEET}, cell D9", "found a true/false value (True)"),)),
    "label-of-excels-32767-characters": Case(
        lambda y: district(y / "x.xlsx", {"B13": "Huyện Không Tồn Tại " * 1700}),
        (Line(f"{IN_SHEET}, cell B13", "unknown district 'Huyện Không Tồn Tại", "…' (32.767 characters)"),)),
    "100000-character-label": Case(
        lambda y: population_csv(y / "dan-so.csv", {7: ("Huyện Không Tồn Tại " * 5000, "3.000")}),
        (Line("2020/dan-so.csv, sheet 'dan-so', cell B7", "unknown district 'Huyện Không Tồn Tại",
              "…' (99.999 characters)"),)),
    "100000-spaces-before-a-footnote-mark": Case(
        lambda y: population_csv(y / "dan-so.csv", {11: ("H.Thuận Nam" + " " * 100_000 + "(*)", "7.000")}),
        check=_check_long_label),
    "100000-character-number": Case(
        lambda y: population_csv(y / "dan-so.csv", {7: ("Ninh Son", "1" + " " * 100_000 + "2")}),
        (Line("2020/dan-so.csv, sheet 'dan-so', cell C7", "found text '1    ",
              "…' (100.002 characters) where a number belongs"),)),
    # -- tables -----------------------------------------------------------------------------------------
    "merged-cells-over-the-values": Case(
        lambda y: district(y / "x.xlsx", edit=lambda ws: ws.merge_cells("C8:C9")),
        (Line(f"{IN_SHEET}, cell C8", "cells C8:C9 are merged over the table's values", "unmerge the cells"),)),
    "two-tables-on-one-sheet": Case(
        lambda y: district(y / "x.xlsx", edit=second_table),
        (Line(f"{IN_SHEET}, cell B20", "a second table starts here (header 'Địa bàn')", "one table per sheet"),)),
    "hidden-row-that-is-data": Case(
        lambda y: district(y / "x.xlsx", edit=lambda ws: setattr(ws.row_dimensions[9], "hidden", True)),
        check=_check_hidden_row),
    "hidden-row-that-is-a-duplicate": Case(
        lambda y: district(y / "x.xlsx", {"B13": "Tp PR-TC"},
                           edit=lambda ws: setattr(ws.row_dimensions[13], "hidden", True)),
        (Line(f"{IN_SHEET}, cell C7", "duplicated key", f"{X} › {SHEET} › C13"),)),
    "duplicated-district": Case(
        lambda y: district(y / "x.xlsx", {"B13": "TP. Phan Rang - Tháp Chàm"}),
        (Line(f"{IN_SHEET}, cell C7", "duplicated key (year=2020, indicator=fixed_telephone_subscribers, area=582",
              "each indicator once per year"),)),
    "unknown-district": Case(
        lambda y: district(y / "x.xlsx", {"B13": "Huyện Không Tồn Tại"}),
        (Line(f"{IN_SHEET}, cell B13", "unknown district 'Huyện Không Tồn Tại'", "catalog/areas.yaml"),)),
    "unknown-operator": Case(
        lambda y: district(y / "x.xlsx", operators=("VNPT", "Gtel Mobile")),
        (Line(f"{IN_SHEET}, cell D6", "unknown enterprise 'Gtel Mobile' in the header", "operators.yaml"),)),
    "title-of-another-year": Case(
        lambda y: district(y / "x.xlsx", {"A2": "BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH NĂM 2019"}),
        (Line(f"{IN_SHEET}, cell A2", "states the year 2019, but the file is in the folder 2020/",
              "move this file to 2019/"),)),
    "mixed-units-in-one-column": Case(lambda y: indicator_table(y / "x.xlsx"), check=_check_mixed_units),
    "unit-column-against-the-header": Case(
        lambda y: indicator_table(y / "x.xlsx", value_header="Thực hiện (thuê bao)"),
        (Line(f"{X}, sheet 'Tổng hợp', cell C5", "the row's unit 'Nghìn thuê bao' differs from the unit 'thuê bao'",
              "header of column D (D4)", "one unit for each value"),)),
    # -- names and paths --------------------------------------------------------------------------------
    "vietnamese-file-and-sheet-names-with-spaces": Case(_vietnamese_names, check=_check_vietnamese_names),
    "symlink-out-of-the-raw-folder": Case(_symlink_outside,
                                          (Line(X, "is a symbolic link to", "outside the raw folder",
                                                "copy the file there"),)),
    "symlink-within-the-raw-folder": Case(_symlink_inside, check=_check_sixteen_values),
    "dangling-symlink": Case(lambda y: (y / "x.xlsx").symlink_to(y / "gone.xlsx"),
                             (Line(X, "is a symbolic link to", "which is not a file"),)),
    "file-name-not-utf8": Case(_non_utf8_name,
                               (Line("2020/b\\xe1o-c\\xe1o.xlsx", "the file name is not valid UTF-8",
                                     "rename the file"),)),
    "named-pipe": Case(lambda y: os.mkfifo(y / "x.csv"),
                       (Line("2020/x.csv", "is not a regular file (a pipe, socket or device)"),)),
}  # fmt: skip


# --- running a case ------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple]:
    """Return each entry under `folder` with its size, time and mode, and its hash when it is a readable file."""
    found = {}
    for path in sorted(folder.rglob("*")):
        status = path.lstat()
        entry = (status.st_size, status.st_mtime_ns, status.st_mode)
        if path.is_file() and os.access(path, os.R_OK):
            with path.open("rb") as handle:
                entry += (hashlib.file_digest(handle, "sha256").hexdigest(),)
        found[path.relative_to(folder).as_posix()] = entry
    return found


@pytest.fixture(scope="session")
def good_output(tmp_path_factory) -> dict[str, bytes]:
    """The tidy table of a good district table: the 'previous good output' each case must leave alone."""
    base = tmp_path_factory.mktemp("good")
    district(base / "raw/2020/x.xlsx")
    clean(base / "raw", out_dir=base / "processed")
    return {p.name: p.read_bytes() for p in (base / "processed").iterdir()}


@pytest.fixture
def corpus_run(tmp_path, good_output, capsys, caplog):
    """Return a function that writes a case into <tmp>/raw/2020, runs `clean` in-process and checks the promise."""

    def run(case: Case, around: Callable = contextlib.nullcontext) -> tuple[int, str]:
        raw, out = prepare(case, tmp_path, good_output)
        before = snapshot(tmp_path)
        with caplog.at_level(logging.WARNING, logger="ictanalysis"), around():
            code = main(["clean", "--raw", str(raw), "--out", str(out)])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.out + captured.err
        after = snapshot(tmp_path)
        assert {k: v for k, v in after.items() if not k.startswith("processed")} == \
               {k: v for k, v in before.items() if not k.startswith("processed")}, "a raw file was changed"  # fmt: skip
        check_outcome(case, code, captured.err, out, good_output, [r.getMessage() for r in caplog.records])
        return code, captured.err

    return run


def prepare(case: Case, root: Path, good: dict[str, bytes]) -> tuple[Path, Path]:
    """Write the case into <root>/raw/2020 and the last good output into <root>/processed; return both folders."""
    raw, out = root / "raw", root / "processed"
    (raw / "2020").mkdir(parents=True)
    out.mkdir()
    for name, data in good.items():
        (out / name).write_bytes(data)
    case.make(raw / "2020")
    return raw, out


def check_outcome(case: Case, code: int, stderr: str, out: Path, good: dict[str, bytes], warnings: list[str]) -> None:
    """Check the exit code and messages of a failing case (output untouched), or the values of one that succeeds."""
    if case.check is not None:
        assert code == ExitCode.OK, stderr
        case.check(pd.read_parquet(out / "indicators.parquet"), warnings)
        return
    assert code == ExitCode.INPUT == 3, stderr
    assert stderr.startswith("error: "), stderr
    assert tidy_outputs(out) == good, "the previous good output was changed"
    problem_lines = [line for line in stderr.splitlines() if line.startswith("  - ")]
    for expected in case.lines:
        matching = [line for line in problem_lines if line.startswith(f"  - {expected.where}: ")]
        assert any(all(s in line for s in expected.says) for line in matching), (expected, problem_lines)
    assert all(len(line) < 700 for line in problem_lines), "a message was not cut short"


def tidy_outputs(folder: Path) -> dict[str, bytes]:
    """Return the files `clean` left in `folder` by name, without the lock it holds while writing them."""
    locks = {Outputs.TABLE_LOCK, Outputs.TABLE_LOCK_HOLDER}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in locks}


IN_PROCESS = [pytest.param(case, id=name) for name, case in CASES.items() if not case.subprocess]
IN_SUBPROCESS = [pytest.param(case, id=name) for name, case in CASES.items() if case.subprocess]


def test_the_corpus_has_at_least_thirty_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", IN_PROCESS)
def test_hostile_input(case, corpus_run):
    corpus_run(case)


SUBPROCESS_MEMORY = 3 * 2**30  # address space of a subprocess case: twice what `clean` maps; a regression stops there


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SUBPROCESS_MEMORY, SUBPROCESS_MEMORY))


@pytest.mark.parametrize("case", IN_SUBPROCESS)
def test_hostile_input_in_a_subprocess(case, tmp_path, good_output):
    raw, out = prepare(case, tmp_path, good_output)
    before = snapshot(raw)
    result = subprocess.run([sys.executable, "-m", "ictanalysis", "clean", "--raw", str(raw), "--out", str(out)],
                            capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120,
                            preexec_fn=_cap_memory)  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(raw) == before
    check_outcome(case, result.returncode, result.stderr, out, good_output, [])


# --- through the installed entry points ------------------------------------------------------------

SCRIPT = Path(sys.executable).with_name("ictanalysis")


@pytest.mark.parametrize("name", ["billion-laughs-in-shared-strings", "error-cells", "png-named-xlsx"])
def test_the_installed_script_shows_no_traceback(name, tmp_path, good_output):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    (raw / "2020").mkdir(parents=True)
    out.mkdir()
    for file, data in good_output.items():
        (out / file).write_bytes(data)
    CASES[name].make(raw / "2020")
    result = subprocess.run([str(SCRIPT), "clean", "--raw", str(raw), "--out", str(out)], capture_output=True,
                            text=True, encoding="utf-8", cwd=tmp_path, timeout=120)  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    check_outcome(CASES[name], result.returncode, result.stderr, out, good_output, [])


def test_a_hidden_row_read_as_data_is_noted_on_the_terminal(tmp_path, ictanalysis_cli):
    CASES["hidden-row-that-is-data"].make(tmp_path / "raw" / "2020")
    result = ictanalysis_cli("clean", "--raw", tmp_path / "raw", "--out", tmp_path / "processed")
    assert result.returncode == 0, result.stderr
    assert f"{X}, sheet '{SHEET}': hidden row 9 read as data" in result.stderr


# --- a file or folder that cannot be read --------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_named(tmp_path, corpus_run):
    def unreadable(year: Path) -> None:
        district(year / "x.xlsx").chmod(0)

    corpus_run(Case(unreadable, (Line(X, "cannot be opened (Permission denied)", "may read"),)))


def test_a_file_that_cannot_be_opened_is_named(tmp_path, corpus_run, monkeypatch):
    """The same as the test above, for root: the first open of the file is refused."""
    refuse_open = Path.open

    def open_or_refuse(self, *args, **kwargs):
        if self.name == "x.xlsx" and self.parent.name == "2020":
            raise PermissionError(13, "Permission denied", str(self))
        return refuse_open(self, *args, **kwargs)

    @contextlib.contextmanager
    def refused():
        with monkeypatch.context() as patch:
            patch.setattr(Path, "open", open_or_refuse)
            yield

    case = Case(lambda y: district(y / "x.xlsx"), (Line(X, "cannot be opened (Permission denied)", "may read"),))
    corpus_run(case, around=refused)


def test_a_year_folder_that_cannot_be_listed_is_named(tmp_path, corpus_run, monkeypatch):
    listing = Path.iterdir

    def iterdir_or_refuse(self):
        if self.name == "2020":
            raise PermissionError(13, "Permission denied", str(self))
        return listing(self)

    @contextlib.contextmanager
    def refused():
        with monkeypatch.context() as patch:
            patch.setattr(Path, "iterdir", iterdir_or_refuse)
            yield

    case = Case(lambda y: district(y / "x.xlsx"), (Line("2020/", "the folder cannot be listed (Permission denied)"),))
    corpus_run(case, around=refused)


# --- size: a real large case, refused within bounded memory --------------------------------------

# The child's own peak, VmHWM: getrusage's ru_maxrss would also count the parent's peak, which
# Linux carries over when the child is started by vfork and exec.
_PEAK_RSS = (
    "import re, sys\n"
    "from ictanalysis.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "status = open('/proc/self/status').read()\n"
    "print('peak-rss-kib', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _peak_rss_run(raw: Path, out: Path, cwd: Path) -> tuple[subprocess.CompletedProcess, int]:
    result = subprocess.run([sys.executable, "-c", _PEAK_RSS, "clean", "--raw", str(raw), "--out", str(out)],
                            capture_output=True, text=True, encoding="utf-8", cwd=cwd, timeout=300)  # fmt: skip
    peak = int(result.stderr.rsplit("peak-rss-kib", 1)[1].split()[0])
    return result, peak


def million_rows(path: Path) -> Path:
    """Write an .xlsx with a header and a million data rows of three cells (about 70 MB of XML, 7 MB packed).

    The sheet is written a thousand rows at a time, so the test process stays small.
    """
    header = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    rows = ("".join(f'<row r="{r}"><c r="A{r}" t="s"><v>2</v></c><c r="B{r}"><v>{r}</v></c><c r="C{r}"><v>{r % 997}'
                    f"</v></c></row>" for r in range(start, start + 1000)) for start in range(2, 1_000_002, 1000))  # fmt: skip
    return package(path, itertools.chain([header], rows), strings=("Địa bàn", "VNPT", "Ninh Hải"))


def test_a_million_row_sheet_is_refused_within_bounded_memory(tmp_path):
    small = tmp_path / "small"
    district(small / "raw/2020/x.xlsx")
    _, baseline = _peak_rss_run(small / "raw", small / "processed", tmp_path)

    big = tmp_path / "big"
    (big / "raw/2020").mkdir(parents=True)
    million_rows(big / "raw/2020/x.xlsx")
    result, peak = _peak_rss_run(big / "raw", big / "processed", tmp_path)
    assert result.returncode == ExitCode.INPUT, result.stderr
    assert "Traceback" not in result.stderr
    assert "  - 2020/x.xlsx, sheet 'S', cell " in result.stderr
    assert "values reach row 1" in result.stderr and "more than the 100.000 rows" in result.stderr
    assert not (big / "processed").exists()
    # Read, its three million cells would take some 300 MB; refused from the XML, it costs little.
    assert peak - baseline < 60 * 1024, f"peak {peak} KiB against {baseline} KiB for a small table"


@pytest.mark.parametrize("limit, says", [
    ("MAX_SHEET_ROWS", "values reach row 18 (A1:D18, 18 rows), more than the 10 rows"),
    ("MAX_SHEET_COLUMNS", "values reach column D (A1:D18, 4 columns), more than the 3 columns"),
    ("MAX_SHEET_CELLS", "values span A1:D18, 72 cells, more than the 50 ictanalysis reads"),
])  # fmt: skip
def test_the_sheet_limits_are_constants_read_at_each_call(limit, says, raw_2020, monkeypatch, tmp_path, capsys):
    """A deployment (or a test) may lower a limit; the ordinary district table then breaks it."""
    district(raw_2020 / "2020/x.xlsx")
    monkeypatch.setattr(
        workbook.limits, limit, {"MAX_SHEET_ROWS": 10, "MAX_SHEET_COLUMNS": 3, "MAX_SHEET_CELLS": 50}[limit]
    )
    assert main(["clean", "--raw", str(raw_2020), "--out", str(tmp_path / "out")]) == ExitCode.INPUT
    assert says in capsys.readouterr().err


# --- the command itself never shows a traceback ---------------------------------------------------


def _boom(*_args, **_kwargs):
    raise RuntimeError("a bug in the library\nsecond line")


def test_an_unexpected_error_is_one_line_and_a_log(tmp_path, monkeypatch, capsys):
    import ictanalysis.ingest

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ictanalysis.ingest, "clean", _boom)
    assert main(["clean", "--raw", "raw"]) == ExitCode.INTERNAL == 1
    err = capsys.readouterr().err
    (log,) = (tmp_path / "reports/logs").glob("ictanalysis-clean-*.log")
    assert err == f"internal error: RuntimeError: a bug in the library (details in {Path('reports/logs') / log.name})\n"
    assert "Traceback" in log.read_text(encoding="utf-8") and "_boom" in log.read_text(encoding="utf-8")


def test_an_unwritable_log_folder_falls_back_to_the_temporary_folder(tmp_path, monkeypatch, capsys):
    import tempfile

    import ictanalysis.ingest

    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").write_text("a file where the reports folder should be")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(ictanalysis.ingest, "clean", _boom)
    assert main(["clean", "--raw", "raw"]) == ExitCode.INTERNAL
    (log,) = (tmp_path / "tmp").glob("ictanalysis-clean-*.log")
    assert f"(details in {log})" in capsys.readouterr().err


def test_no_log_at_all_still_ends_with_one_line(tmp_path, monkeypatch, capsys):
    import tempfile

    import ictanalysis.ingest

    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").write_text("not a folder")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "nowhere" / "tmp"))
    (tmp_path / "nowhere").write_text("not a folder either")
    monkeypatch.setattr(ictanalysis.ingest, "clean", _boom)
    assert main(["clean", "--raw", "raw"]) == ExitCode.INTERNAL
    assert capsys.readouterr().err.endswith("(no log file could be written)\n")


def test_running_out_of_memory_says_so_and_names_the_limits(tmp_path, monkeypatch, capsys):
    import ictanalysis.ingest

    def exhaust(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ictanalysis.ingest, "clean", exhaust)
    assert main(["clean", "--raw", "raw"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("internal error: MemoryError: out of memory") and "MAX_SHEET_CELLS" in err
    assert err.count("\n") == 1 and "details in reports/logs/ictanalysis-clean-" in err


def test_an_unexpected_error_shows_no_traceback_in_a_real_process(tmp_path):
    probe = ("import sys, ictanalysis.ingest\n"
             "def boom(*a, **k): raise KeyError('no such thing')\n"
             "ictanalysis.ingest.clean = boom\n"
             "from ictanalysis.cli import main\n"
             "sys.exit(main(['clean']))\n")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("internal error: KeyError: 'no such thing' (details in reports/logs/")
    assert len(result.stderr.splitlines()) == 1

