"""Metamorphic variants of the bundled workbooks: the same figures written the ways senders write them.

A bundled workbook is read once into plain grids (:func:`read_grids`); a
:class:`Variant` changes how its figures are written (the file format, the
text's Unicode form, the unit line, the numbers' thousands separators) and
writes it back (:func:`write_workbook`). :func:`differences` then compares the
tidy rows read from the variant with the bundled ones: a variant must give the
same values (and the same cells) or be refused, never other values.
tests/test_metamorphic.py generates the cases; nothing here runs ingest.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import pandas as pd

Cell = tuple[int, int]  # 0-based (row, column) in sheet coordinates
Key = tuple  # (year, indicator, area, operator, agency)

KEY = ("year", "indicator", "area", "operator", "agency")
FORMATS = (".xlsx", ".xls", ".ods", ".csv")


# --- the grids ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """One sheet as it is written: its non-empty cells, merged ranges and percent-formatted cells."""

    origin: str  # the sheet's name in the bundled workbook
    name: str  # the name it is written under
    cells: dict[Cell, object]
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first_row, first_col, last_row, last_col), inclusive
    percent: frozenset[Cell] = frozenset()

    def extent(self) -> tuple[int, int]:
        """Return (rows, columns) from A1 to the last cell with a value or a merge."""
        corners = [*self.cells, *((r1, c1) for _, _, r1, c1 in self.merged)]
        return max(r for r, _ in corners) + 1, max(c for _, c in corners) + 1


def read_grids(path: Path) -> list[Grid]:
    """Read the visible sheets of a workbook as the reader sees them (hidden sheets are left out; clean skips them)."""
    from ictanalysis.workbook import read_workbook

    grids = []
    for sheet in read_workbook(path):
        if sheet.hidden:
            continue
        cells = {
            (sheet.top + i, sheet.left + j): value
            for i, row in enumerate(sheet.rows)
            for j, value in enumerate(row)
            if value not in ("", None)
        }
        grids.append(Grid(sheet.name, sheet.name, cells, tuple(sheet.merged), frozenset(sheet.percent_cells)))
    return grids


@dataclass(frozen=True)
class Facts:
    """What the bundled tidy table says about one sheet: the cells it read and the percentages among them."""

    read: frozenset[Cell]
    percentages: dict[Cell, float] = field(default_factory=dict)  # cell → value read, in % (98.5)

    @property
    def first_row(self) -> int:
        """Return the first row a value was read from."""
        return min(r for r, _ in self.read)

    @property
    def value_columns(self) -> frozenset[int]:
        """Return the columns values were read from."""
        return frozenset(c for _, c in self.read)


_A1 = re.compile(r"([A-Z]+)([0-9]+)")


def parse_cell(name: str) -> Cell:
    """Return the 0-based (row, column) of an A1 name.

    >>> parse_cell("D12"), parse_cell("AA1")
    ((11, 3), (0, 26))
    """
    letters, digits = _A1.fullmatch(name).groups()
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(digits) - 1, col - 1


def sheet_facts(table: pd.DataFrame, source_file: str) -> dict[str, Facts]:
    """Return the facts of each sheet of `source_file` ("2020/x.xlsx") from the bundled tidy table."""
    found = {}
    rows = table[table["source_file"] == source_file]
    for sheet, part in rows.groupby("source_sheet"):
        cells = [parse_cell(c) for c in part["source_cell"]]
        percentages = {cell: value for cell, value, unit in zip(cells, part["value"], part["unit"], strict=True)
                       if unit == "%"}  # fmt: skip
        found[sheet] = Facts(frozenset(cells), percentages)
    return found


# --- numbers as a Vietnamese sender's Excel shows them -------------------------------------------


def vi_plain(value: float) -> str:
    """Return a number as Excel's General format shows it with Vietnamese settings: no grouping, a decimal comma.

    >>> vi_plain(5054.0), vi_plain(74108.4), vi_plain(12)
    ('5054', '74108,4', '12')
    """
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        text = format(Decimal(text), "f")
    return text.replace(".", ",")


def vi_percent(fraction: float) -> str:
    """Return a percent-formatted cell's fraction as a CSV saved with format 0,0 % shows it.

    >>> vi_percent(0.985), vi_percent(1.0)
    ('98,5 %', '100,0 %')
    """
    return f"{fraction * 100:.1f}".replace(".", ",") + " %"


_TEXT_NUMBER = re.compile(r"(?P<sign>-?)(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?P<fraction>,\d+)?(?P<mark>\*|\(\*\)|%)?")


def regroup(value, separator: str):
    """Return a number (or a number written as Vietnamese text) as text with `separator` between thousands.

    Footnote marks and a percent sign stay as they were written; anything else is returned unchanged.

    >>> regroup(1265380.0, "."), regroup("11.285,6(*)", "\\u2009"), regroup("1.161", ""), regroup("04", ".")
    ('1.265.380', '11\\u2009285,6(*)', '1161', '04')
    >>> regroup("Ghi chú", "."), regroup(True, ".")
    ('Ghi chú', True)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return value
        value = vi_plain(value)
    if not isinstance(value, str) or not (match := _TEXT_NUMBER.fullmatch(value.strip())):
        return value
    digits = match["whole"].replace(".", "")
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return match["sign"] + separator.join(groups) + (match["fraction"] or "") + (match["mark"] or "")


# --- the variants ---------------------------------------------------------------------------------

Change = Callable[[Grid, "Facts | None"], Grid]


@dataclass(frozen=True)
class Variant:
    """One way of writing the same figures: a change to each sheet's cells, and the format written."""

    id: str
    what: str
    change: Change | None = None
    format: str | None = None  # one of FORMATS; None writes the workbook's own format

    def apply(self, grids: list[Grid], facts: dict[str, Facts]) -> list[Grid]:
        """Return the sheets as this variant writes them."""
        if self.change is None:
            return list(grids)
        return [self.change(grid, facts.get(grid.origin)) for grid in grids]

    def changes(self, grids: list[Grid], facts: dict[str, Facts]) -> bool:
        """Tell whether this variant writes the workbook differently: a re-save in a format, or other cells."""
        return self.apply(grids, facts) != list(grids) if self.change is not None else self.format is not None


def _map_cells(grid: Grid, change: Callable[[Cell, object], object], name: str | None = None) -> Grid:
    cells = {cell: change(cell, value) for cell, value in grid.cells.items()}
    return replace(grid, cells=cells, name=grid.name if name is None else name)


def _nfd(text):
    return unicodedata.normalize("NFD", text) if isinstance(text, str) else text


def in_nfd(grid: Grid, facts: Facts | None) -> Grid:
    """Write every text cell and the sheet's name in NFD, as text pasted from a Mac arrives."""
    return _map_cells(grid, lambda _, value: _nfd(value), name=_nfd(grid.name))


def header_rows(grid: Grid, facts: Facts | None) -> range:
    """Return the rows of the table's header: below the last blank row above the first value read."""
    if facts is None:
        return range(0)
    filled = {r for r, _ in grid.cells}
    blank = [r for r in range(facts.first_row) if r not in filled]
    return range(max(blank) + 1 if blank else 0, facts.first_row)


def upper_headers(grid: Grid, facts: Facts | None) -> Grid:
    """Write the table's header cells in upper case."""
    rows = header_rows(grid, facts)
    return _map_cells(grid, lambda cell, value: value.upper() if isinstance(value, str) and cell[0] in rows else value)


def nfd_upper_headers(grid: Grid, facts: Facts | None) -> Grid:
    """Write the header in upper case, and all text in NFD."""
    return in_nfd(upper_headers(grid, facts), facts)


def percent_formatted(grid: Grid, facts: Facts | None) -> Grid:
    """Store each percentage read ("100%", or 100 in a row of %) as its fraction with a percent format (0,0 %)."""
    if facts is None or not facts.percentages:
        return grid
    cells = {**grid.cells, **{cell: value / 100 for cell, value in facts.percentages.items()}}
    return replace(grid, cells=cells, percent=grid.percent | frozenset(facts.percentages))


_UNIT_LINE = re.compile(r"Đơn vị tính:\s*(?P<unit>.+)")


def unit_line(template: str, then: Callable[[str], str] = str) -> Change:
    """Return the change that rewrites each "Đơn vị tính: …" line above a table as `template` ({unit})."""

    def change(grid: Grid, facts: Facts | None) -> Grid:
        def rewrite(cell: Cell, value):
            match = _UNIT_LINE.fullmatch(value) if isinstance(value, str) and cell[0] < facts.first_row else None
            return then(template.format(unit=match["unit"])) if match else value

        return grid if facts is None else _map_cells(grid, rewrite)

    return change


def double_spaced(text: str) -> str:
    """Double the spaces of a unit line but the first, as text retyped or pasted from a web page may have them.

    >>> double_spaced("Đơn vị tính: triệu đồng")
    'Đơn vị  tính:  triệu  đồng'
    """
    head, _, rest = text.partition(" ")
    return head + " " + rest.replace(" ", "  ")


def thousands(separator: str) -> Change:
    """Return the change that writes every value read (and its column's totals) as text with `separator`."""

    def change(grid: Grid, facts: Facts | None) -> Grid:
        if facts is None:
            return grid
        columns, first = facts.value_columns, facts.first_row
        return _map_cells(grid, lambda cell, value: regroup(value, separator)
                          if cell[0] >= first and cell[1] in columns else value)  # fmt: skip

    return change


VARIANTS = (
    *(Variant(f"as-{fmt[1:]}", f"the same sheets saved as {fmt}", format=fmt) for fmt in FORMATS),
    *(Variant(f"pct-{fmt[1:]}", f"percentages stored as fractions formatted 0,0 %, saved as {fmt}",
              percent_formatted, fmt) for fmt in FORMATS),  # fmt: skip
    Variant("nfd", "all text and sheet names in NFD", in_nfd),
    Variant("upper-headers", "the table headers in upper case", upper_headers),
    Variant("nfd-upper-headers", "headers in upper case, all text in NFD", nfd_upper_headers),
    Variant("unit-don-vi", "unit line 'Đơn vị: …'", unit_line("Đơn vị: {unit}")),
    Variant("unit-dvt", "unit line 'ĐVT: …'", unit_line("ĐVT: {unit}")),
    Variant("unit-dv-tinh", "unit line 'Đv tính: …'", unit_line("Đv tính: {unit}")),
    Variant("unit-parens", "unit line '(Đơn vị tính: …)'", unit_line("(Đơn vị tính: {unit})")),
    Variant("unit-fullwidth-colon", "unit line with a full-width colon", unit_line("Đơn vị tính\uff1a {unit}")),
    Variant("unit-double-space", "unit line with double spaces", unit_line("Đơn vị tính: {unit}", double_spaced)),
    Variant("unit-nfd", "unit line in NFD", unit_line("Đơn vị tính: {unit}", _nfd)),
    Variant("unit-upper", "unit line in upper case", unit_line("Đơn vị tính: {unit}", str.upper)),
    Variant("num-dots", "numbers as text, thousands separated by dots (1.234.567)", thousands(".")),
    Variant("num-thin-space", "numbers as text, thousands separated by thin spaces", thousands("\u2009")),
    Variant("num-nbsp", "numbers as text, thousands separated by no-break spaces", thousands("\u00a0")),
    Variant("num-plain", "numbers as text without a thousands separator", thousands("")),
)


# --- writing --------------------------------------------------------------------------------------


def write_workbook(grids: list[Grid], folder: Path, stem: str, fmt: str, by_sheet: bool) -> dict[str, str]:
    """Write the sheets as `folder/<stem><fmt>` (a .csv per sheet); return each origin's sheet name as it reads back.

    Saved as CSV, a workbook of one sheet is `<stem>.csv`; the sheets of a larger one (`by_sheet`) are
    `<sheet name>.csv` each, as a sender saves them one by one (a CSV sheet is named after its file).
    """
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == ".csv":
        names = {}
        for grid in grids:
            name = grid.name if by_sheet else stem
            _write_csv(grid, folder / f"{name}.csv")
            names[grid.origin] = name
        return names
    {".xlsx": _write_xlsx, ".xls": _write_xls, ".ods": _write_ods}[fmt](grids, folder / f"{stem}{fmt}")
    return {grid.origin: grid.name for grid in grids}


def _write_xlsx(grids: list[Grid], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for grid in grids:
        ws = book.create_sheet(title=grid.name)
        for (r, c), value in grid.cells.items():
            cell = ws.cell(row=r + 1, column=c + 1, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, not a formula
            if (r, c) in grid.percent:
                cell.number_format = "0.0%"
        for r0, c0, r1, c1 in grid.merged:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    book.save(path)


def _write_xls(grids: list[Grid], path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    percent = xlwt.easyxf(num_format_str="0.0%")
    for grid in grids:
        ws = book.add_sheet(grid.name, cell_overwrite_ok=True)
        for (r, c), value in grid.cells.items():
            if (r, c) in grid.percent:
                ws.write(r, c, value, percent)
            else:
                ws.write(r, c, value)
        for r0, c0, r1, c1 in grid.merged:
            ws.merge(r0, r1, c0, c1)
    book.save(str(path))


def _write_ods(grids: list[Grid], path: Path) -> None:
    from odf.number import Number, PercentageStyle
    from odf.number import Text as NumberText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style
    from odf.table import CoveredTableCell, Table, TableRow

    doc = OpenDocumentSpreadsheet()
    shown = PercentageStyle(name="N-percent")
    shown.addElement(Number(decimalplaces="1", minintegerdigits="1"))
    shown.addElement(NumberText(text=" %"))
    doc.automaticstyles.addElement(shown)
    percent = Style(name="ce-percent", family="table-cell", datastylename="N-percent")
    doc.automaticstyles.addElement(percent)
    for grid in grids:
        table = Table(name=grid.name)
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in grid.merged}
        covered = {(r, c) for r0, c0, r1, c1 in grid.merged
                   for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - spans.keys()  # fmt: skip
        height, width = grid.extent()
        for r in range(height):
            row = TableRow()
            for c in range(width):
                cell = CoveredTableCell() if (r, c) in covered else _ods_cell(grid, (r, c), spans.get((r, c)), percent)
                row.addElement(cell)
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))


def _ods_cell(grid: Grid, cell: Cell, span: tuple[int, int] | None, percent_style):
    from odf import teletype
    from odf.table import TableCell
    from odf.text import P

    options = {} if span is None else {"numberrowsspanned": span[0], "numbercolumnsspanned": span[1]}
    value = grid.cells.get(cell, "")
    if value == "":
        return TableCell(**options)
    if isinstance(value, str):
        element, text = TableCell(valuetype="string", **options), value
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{grid.name} {cell}: cannot write {value!r} to .ods")
    elif cell in grid.percent:
        element = TableCell(valuetype="percentage", value=value, stylename=percent_style, **options)
        text = vi_percent(value)
    else:
        element, text = TableCell(valuetype="float", value=value, **options), vi_plain(value)
    paragraph = P()
    teletype.addTextToElement(paragraph, text)  # keeps runs of spaces (text:s)
    element.addElement(paragraph)
    return element


def _write_csv(grid: Grid, path: Path) -> None:
    """Write one sheet as Excel saves a CSV with Vietnamese settings: UTF-8 with a BOM, ';', CRLF, padded rows."""
    height, width = grid.extent()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for r in range(height):
        writer.writerow([_csv_text(grid, (r, c)) for c in range(width)])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def _csv_text(grid: Grid, cell: Cell) -> str:
    value = grid.cells.get(cell, "")
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{grid.name} {cell}: cannot write {value!r} to .csv")
    return vi_percent(value) if cell in grid.percent else vi_plain(value)


# --- comparing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What the tidy table says of one key: the value and how it was read, and where."""

    value: float
    unit: str
    preliminary: bool
    sheet: str
    cell: str
    file: str


def readings(table: pd.DataFrame) -> dict[Key, Reading]:
    """Return the tidy table as {key: reading}."""
    found = {}
    for row in table.itertuples(index=False):
        key = tuple(getattr(row, column) for column in KEY)
        found[key] = Reading(float(row.value), row.unit, bool(row.preliminary), row.source_sheet, row.source_cell,
                             row.source_file)  # fmt: skip
    return found


def same_value(a: float, b: float) -> bool:
    """Tell whether two values are the same figure: equal, or equal to 12 significant digits.

    A percent-formatted 30 % is stored as 0.3, and 0.3 × 100 is 30.000000000000004 in binary floating
    point: the same figure. Every misreading a sender's notation can cause (a unit or percent factor, a
    lost or extra digit, a decimal read as a thousands separator) is off by far more than that.

    >>> same_value(30.000000000000004, 30.0), same_value(0.985, 98.5), same_value(1.1, 1100000.0)
    (True, False, False)
    """
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


@dataclass(frozen=True)
class Difference:
    """One way a variant's tidy rows differ from the bundled ones."""

    kind: str  # "value", "unit", "preliminary", "source", "missing key", "extra key"
    key: Key
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.key}: bundled {self.expected}, variant {self.found}"


def differences(bundled: dict[Key, Reading], variant: dict[Key, Reading], changed_file: str,
                sheet_names: dict[str, str]) -> list[Difference]:  # fmt: skip
    """Return how `variant` differs from `bundled`; rows of `changed_file` are expected in the renamed sheets.

    Source files are not compared (a variant's file has another name); a source sheet is compared in NFC.
    """
    found = []
    for key, want in bundled.items():
        got = variant.get(key)
        if got is None:
            found.append(Difference("missing key", key, _shown(want), "nothing"))
            continue
        sheet = sheet_names.get(want.sheet, want.sheet) if want.file == changed_file else want.sheet
        checks = (("value", same_value(want.value, got.value), repr(want.value), repr(got.value)),
                  ("unit", want.unit == got.unit, repr(want.unit), repr(got.unit)),
                  ("preliminary", want.preliminary == got.preliminary, repr(want.preliminary), repr(got.preliminary)),
                  ("source", (_nfc(sheet), want.cell) == (_nfc(got.sheet), got.cell),
                   f"{sheet!r} {want.cell}", f"{got.sheet!r} {got.cell}"))  # fmt: skip
        found += [Difference(kind, key, a, b) for kind, same, a, b in checks if not same]
    extra = [(key, got) for key, got in variant.items() if key not in bundled]
    found += [Difference("extra key", key, "nothing", _shown(got)) for key, got in extra]
    return found


def _shown(reading: Reading) -> str:
    return f"{reading.value!r} {reading.unit} at {reading.sheet!r} {reading.cell}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def first_of_each_kind(found: list[Difference]) -> dict[str, str]:
    """Return the first difference of each kind, and how many there are of it, as text."""
    kinds: dict[str, list[Difference]] = {}
    for difference in found:
        kinds.setdefault(difference.kind, []).append(difference)
    return {kind: f"{items[0]} ({len(items)} of this kind)" for kind, items in kinds.items()}
