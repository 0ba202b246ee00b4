"""Find a layout's table in a sheet and turn its cells into tidy records.

A table is found by its label header ("Đơn vị hành chính", "Doanh nghiệp",
"Chỉ tiêu"…). Its header block is as tall as the merged cells starting on that
row; each column's header path (one text per header row, merged cells filled)
is read for an enterprise, a year, a unit in parentheses and, from what is
left, an indicator. Each data row is then a district, an enterprise, an agency,
an indicator or a year; total rows are kept as the province (or all
enterprises, or all agencies) and checked against the sum of their parts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ictanalysis.catalog import Catalog, Indicator
from ictanalysis.errors import Problem
from ictanalysis.layouts import ALWAYS_IGNORED, Layout
from ictanalysis.normalise import NumberFormatError, fold, parse_number, strip_footnotes
from ictanalysis.tidy import Records
from ictanalysis.workbook import Sheet, cell_name, column_letter

__all__ = ["SheetSource", "Table", "extract_table", "find_table"]

_TOTAL_LABELS = {"tong cong", "cong", "toan tinh", "tong so", "tong", "total", "ca tinh", "tong cong toan tinh"}
_GENERIC_WORDS = {"tong so", "tong", "cong", "so luong", "tong cong", "total"}
_UNIT_LINE = re.compile(r"^\s*(?:đơn vị tính|đvt|dvt|don vi tinh|unit)\s*[:\-]\s*(.+)$", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_STATED_YEAR = re.compile(r"\b(?:nam|year)\s+((?:19|20)\d\d)\b")  # in folded text: "NĂM 2019", "Year 2019"
_PRELIMINARY = ("so bo", "prel", "uoc tinh", "uoc thuc hien")
_ENUMERATION = re.compile(r"^\s*(?:[0-9]+(?:\.[0-9]+)*|[IVXLC]+|[a-zđ])\s*[\.\)/-]\s+", re.I)
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_COLUMN_NUMBER = re.compile(r"^\s*+\(?\s*+(?:[0-9]{1,2}|[A-Z])\s*+\)?\s*+(?:[=+*/x-].*)?$")  # possessive: linear
_EXPECTED_NUMBER = {
    "vi": "a number in Vietnamese notation such as 1.234.567 or 12,5 ('-' for zero)",
    "en": "a number in English notation such as 1,234,567 or 12.5 ('-' for zero)",
    None: "a number that reads the same in Vietnamese and English notation",
}
_EXPECTED_STORED = "a value: open and save the workbook in Excel or LibreOffice so that results are stored"
_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
_EXPECTED_NO_ERROR = (
    "a number: correct the formula (#REF! points at deleted cells, #DIV/0! divides by zero, "
    "#N/A found nothing to look up) and save the workbook"
)
MAX_QUOTED = 80
"""Longest cell text quoted in a message; longer texts are cut with an ellipsis and their length."""
_EXPECTED_UNAMBIGUOUS = (
    "a number that reads one way: enter it as a number rather than text, or write a thousand and more "
    "as 1.234 and a fraction with one or two decimals (1,5)"
)
_NOTATIONS = {"vi": "Vietnamese", "en": "English"}
_ROW_KINDS = {"area": "district", "operator": "enterprise", "agency": "agency", "indicator": "indicator", "year": "year"}


@dataclass(frozen=True)
class SheetSource:
    """Where a sheet comes from and what it is about: the context of its records."""

    file: str  # relative to the raw folder, e.g. "2020/vien-thong-2020.xlsx"
    sheet: Sheet
    year: int
    province: str


@dataclass(frozen=True)
class Column:
    """One column of a table and what its header says."""

    index: int
    header: str
    header_cell: str
    role: str  # value | label | unit | ignored
    indicator: Indicator | None = None
    operator: str = ""
    year: int | None = None
    preliminary: bool = False
    units: tuple[str, ...] = ()


@dataclass
class Table:
    """A located table: its columns and the row where data begins."""

    layout: Layout
    label_column: int
    unit_column: int | None
    first_data_row: int
    columns: list[Column]
    unit_line: tuple[str, str] | None  # (unit as written, cell)
    problems: list[Problem]
    merges: dict[tuple[int, int], tuple[int, int]]


# --- finding the table ------------------------------------------------------------------


def find_table(source: SheetSource, layout: Layout, catalog: Catalog) -> Table | None:
    """Locate `layout`'s table in the sheet and resolve its columns.

    Returns None when the sheet has no header the layout looks for; a table
    whose columns cannot all be understood comes back with its problems.
    """
    sheet = source.sheet
    anchor = _find_anchor(sheet, layout)
    if anchor is None:
        return None
    row, label_column = anchor
    merges = _merge_origins(sheet)
    header_rows = _header_rows(sheet, row)
    unit_line = _unit_line(sheet, row)
    problems = _title_year_problems(source, row)
    columns = []
    unit_column = None
    for col in range(min(label_column, sheet.left), sheet.left + sheet.width):
        path, header_cell = _header_path(sheet, header_rows, col, merges)
        if not path:
            continue
        column = _resolve_column(source, layout, catalog, header_rows, merges, col, path, header_cell, label_column, problems)
        if column.role == "unit":
            unit_column = col
        columns.append(column)
    if not any(c.role == "value" for c in columns) and not problems:
        problems.append(_problem(source, cell_name(row, label_column), "the table has no value column", _what_layout_expects(layout)))
    return Table(layout, label_column, unit_column, header_rows[-1] + 1, columns, unit_line, problems, merges)


def _title_year_problems(source: SheetSource, header_row: int) -> list[Problem]:
    """Report a title above the table that states a year ("… NĂM 2019") other than the folder's.

    A title may name several years ("năm 2020 so với năm 2019"); it is right
    as long as one of them is the folder's year.
    """
    sheet = source.sheet
    stated = [
        (int(match.group(1)), sheet.top + i, sheet.left + j, value)
        for i, cells in enumerate(sheet.rows[: header_row - sheet.top])
        for j, value in enumerate(cells)
        if isinstance(value, str)
        for match in _STATED_YEAR.finditer(fold(value))
    ]
    if not stated or any(year == source.year for year, *_ in stated):
        return []
    year, row, col, value = stated[0]
    return [
        _problem(source, cell_name(row, col),
                 f"the title {_quote(value)} states the year {year}, but the file is in the folder {source.year}/",
                 f"the workbooks of {source.year} in {source.year}/: move this file to {year}/, "
                 f"or correct the title if its figures are for {source.year}")
    ]  # fmt: skip


def _find_anchor(sheet: Sheet, layout: Layout) -> tuple[int, int] | None:
    """Return (row, label column) of the header row the layout looks for."""
    wanted = {fold(h) for h in layout.label_headers if h}
    secondary = {fold(h) for h in (*layout.unit_headers, *layout.value_headers) if h and "{" not in h}
    for i, cells in enumerate(sheet.rows[:200]):
        texts = [(j, fold(strip_footnotes(v)[0])) for j, v in enumerate(cells) if isinstance(v, str) and v.strip()]
        for j, text in texts:
            if text in wanted:
                return sheet.top + i, sheet.left + j
        if "" in layout.label_headers and any(text in secondary for _, text in texts):
            return sheet.top + i, sheet.left + _first_filled(sheet, i)
    return None


def _first_filled(sheet: Sheet, i: int) -> int:
    """Return the first column (relative) that has any value below row `i`."""
    below = sheet.rows[i + 1 : i + 50]
    return min((j for r in below for j, v in enumerate(r) if v not in ("", None)), default=0)


def _merge_origins(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Map each cell inside a merged range to the range's top-left cell."""
    origins = {}
    for r0, c0, r1, c1 in sheet.merged:  # cut to the used range, never overlapping (workbook.py)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                origins[(r, c)] = (r0, c0)
    return origins


def _header_rows(sheet: Sheet, row: int) -> list[int]:
    """Return the rows of the header block that starts at `row`.

    The block is as tall as the merged cells that start on its first row,
    plus a row of column numbers ("(1)", "(2)"… or "A", "B"…) right below it.
    """
    last = row
    for r0, _c0, r1, _c1 in sheet.merged:
        if r0 == row and r1 - r0 < 6:
            last = max(last, r1)
    numbers = [v for v in sheet.rows[last + 1 - sheet.top] if v not in ("", None)] if last + 1 < sheet.top + sheet.height else []
    if numbers and all(isinstance(v, str) and _COLUMN_NUMBER.match(v) for v in numbers):
        last += 1
    return list(range(row, last + 1))


def _header_path(sheet: Sheet, rows: list[int], col: int, merges: dict) -> tuple[list[str], str]:
    """Return the texts of a column's header (merged cells filled, repeats dropped) and the cell of the last."""
    path: list[str] = []
    last_cell = cell_name(rows[0], col)
    for r in rows:
        text = _text(sheet.value(*merges.get((r, col), (r, col))))
        if text and (not path or path[-1] != text):
            path.append(text)
            last_cell = cell_name(r, col)
    return path, last_cell


def _unit_line(sheet: Sheet, header_row: int) -> tuple[str, str] | None:
    """Return the unit of a "Đơn vị tính: …" line above the table and its cell, if there is one."""
    for i, cells in enumerate(sheet.rows[: header_row - sheet.top]):
        for j, value in enumerate(cells):
            match = _UNIT_LINE.match(value) if isinstance(value, str) else None
            if match:
                return match.group(1).strip().rstrip("."), cell_name(sheet.top + i, sheet.left + j)
    return None


def _resolve_column(source, layout, catalog, header_rows, merges, col, path, header_cell, label_column, problems) -> Column:
    """Say what a column holds, from its header path; `header_cell` is where its last text is written."""
    header = " / ".join(path)
    if col == label_column:
        return Column(col, header, header_cell, "label")
    folded = [fold(strip_footnotes(p)[0]) for p in path]
    if set(folded) & {fold(h) for h in layout.unit_headers}:
        return Column(col, header, header_cell, "unit")
    if set(folded) & {fold(h) for h in (*ALWAYS_IGNORED, *layout.ignore_columns)}:
        return Column(col, header, header_cell, "ignored")
    if layout.rows == "indicator":
        return _resolve_year_column(source, layout, col, path, header, header_cell, problems)
    operator, rest = _take_operator(source, layout, catalog, header_rows, merges, col, path, problems)
    texts, units = _split_units(rest)
    year, preliminary = _year_of(texts) if layout.rows != "year" else (None, False)
    texts = [t for t in texts if not _YEAR.fullmatch(fold(t))] if year else texts
    indicator = _match_indicator(layout, catalog, texts)
    if indicator is None:
        problems.append(
            _problem(source, header_cell, f"column header {_quote(header)} names no indicator the catalog knows",
                     "a header matching an indicator's name or alias (catalog/indicators.yaml) "
                     f"or one listed in layout {layout.id!r}")
        )  # fmt: skip
        return Column(col, header, header_cell, "ignored")
    operator = operator or layout.operator or ""
    return Column(col, header, header_cell, "value", indicator, operator, year, preliminary, units)


def _resolve_year_column(source, layout, col, path, header, header_cell, problems) -> Column:
    """Resolve a value column of an indicators-as-rows table: a year or "the" value."""
    wanted = {fold(h.replace("{year}", str(source.year))) for h in layout.value_headers}
    texts, units = _split_units(path)
    folded = {fold(t) for t in texts}
    year, preliminary = _year_of(texts)
    if wanted and folded & wanted:
        return Column(col, header, header_cell, "value", year=year or source.year, preliminary=preliminary, units=units)
    if not wanted and year:
        return Column(col, header, header_cell, "value", year=year, preliminary=preliminary, units=units)
    problems.append(
        _problem(source, header_cell, f"column header {_quote(header)} is neither a value column nor one to ignore",
                 _what_layout_expects(layout))
    )  # fmt: skip
    return Column(col, header, header_cell, "ignored")


def _take_operator(source, layout, catalog, header_rows, merges, col, path, problems) -> tuple[str, list[str]]:
    """Return the enterprise a column belongs to and the header path without it."""
    if layout.operator_header_row and layout.operator_header_row <= len(header_rows):
        r = header_rows[layout.operator_header_row - 1]
        origin = merges.get((r, col), (r, col))
        text = _text(source.sheet.value(*origin))
        operator = catalog.find_operator(text) if text else None
        if operator is None:
            problems.append(
                _problem(source, cell_name(*origin), f"unknown enterprise {_quote(text)} in the header",
                         "an enterprise listed in catalog/operators.yaml (name or spelling)")
            )  # fmt: skip
            return "", [p for p in path if p != text]
        return operator.name, [p for p in path if p != text]
    for text in path:
        operator = catalog.find_operator(text)
        if operator is not None:
            return operator.name, [p for p in path if p != text]
    for i, text in enumerate(path):
        found = catalog.operator_suffix(text)
        if found is not None:
            operator, rest = found
            return operator.name, [*path[:i], rest, *path[i + 1 :]]
    return "", path


def _split_units(path: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Separate parenthesised notes (possible units) from header texts."""
    texts, units = [], []
    for part in path:
        units += [u.strip() for u in _PARENTHESIS.findall(part)]
        rest = _PARENTHESIS.sub(" ", part).strip()
        if rest:
            texts.append(rest)
    return texts, tuple(units)


def _year_of(texts: list[str]) -> tuple[int | None, bool]:
    """Return the year a header names and whether it is marked preliminary."""
    for text in texts:
        match = _YEAR.search(text)
        if match:
            return int(match.group(1)), any(word in fold(text) for word in _PRELIMINARY)
    return None, False


def _match_indicator(layout: Layout, catalog: Catalog, texts: list[str]) -> Indicator | None:
    """Find the indicator a whole header path names: the layout's aliases first, then the catalog's.

    The path is tried as written, then without generic words ("Tổng số",
    "Cộng"), so "Thuê bao di động / Tổng số" is mobile subscribers while a
    layout may still call a lone "Tổng" column what it is. Every text must be
    understood: a path with an unknown part (an enterprise the catalog lacks)
    names nothing.
    """
    parts = [strip_footnotes(t)[0] for t in texts]
    specific = [p for p in parts if fold(p) not in _GENERIC_WORDS]
    layout_aliases = layout.alias_index
    for candidate in (parts, specific):
        joined = " ".join(candidate)
        if fold(joined) in layout_aliases:
            return catalog.indicator(layout_aliases[fold(joined)])
        found = catalog.find_indicator(joined) if candidate else None
        if found is not None:
            return found
    return None


def _what_layout_expects(layout: Layout) -> str:
    source = f" ({layout.source.name})" if layout.source else ""
    return f"the columns of layout {layout.id!r}{source}"


# --- reading the rows -------------------------------------------------------------------


def extract_table(source: SheetSource, table: Table, catalog: Catalog) -> tuple[Records, list[Problem]]:
    """Read every data row of a located table into tidy records.

    Returns the records and the problems met: cells that are not numbers,
    labels that name no known district/enterprise/agency/indicator, formulas
    without a stored value, and total rows that differ from the sum of their parts.
    """
    reader = _RowReader(source, table, catalog)
    for row in range(table.first_data_row, source.sheet.top + source.sheet.height):
        reader.read_row(row)
    reader.check_merged_values()
    reader.check_totals()
    return reader.records, table.problems + reader.problems


class _RowReader:
    """The state of reading one table's rows: records, problems, totals to check."""

    def __init__(self, source: SheetSource, table: Table, catalog: Catalog) -> None:
        self.source, self.table, self.catalog, self.layout = source, table, catalog, table.layout
        self.records = Records()
        self.problems: list[Problem] = []
        self.value_columns = [c for c in table.columns if c.role == "value"]
        self.letters = [column_letter(c.index) for c in self.value_columns]
        self.checks_totals = self.layout.rows in ("area", "operator", "agency")
        self.factors: dict[tuple[int, str | None], float | None] = {}
        self.parts: dict[int, list[tuple[float, str]]] = {c.index: [] for c in self.value_columns}
        self.totals: dict[int, tuple[float, str]] = {}
        self.unchecked: set[int] = set()  # columns with an unread cell: their totals cannot be checked
        self.in_derived_section = False
        self.after_table = False  # a second table's header was met: its rows are not this table's
        self.data_rows: set[int] = set()
        self.label_headers = {fold(h) for h in self.layout.label_headers if h}
        self.skip_rows = tuple(fold(s) for s in self.layout.skip_rows)
        self.derived = tuple(fold(s) for s in self.layout.derived_sections)

    def read_row(self, row: int) -> None:
        """Read one row: a data or total row, a section, a note, or a blank spacer."""
        sheet = self.source.sheet
        label_origin = self.table.merges.get((row, self.table.label_column), (row, self.table.label_column))
        label = strip_footnotes(_text(sheet.value(*label_origin)))[0]
        label = _ENUMERATION.sub("", label).strip()
        folded = fold(label)
        if self.after_table:
            return
        if not folded:
            self._report_unlabelled(row, label_origin)
            return
        if folded in self.label_headers:
            self._report_second_table(row, label)
            return
        if folded.startswith(self.skip_rows or ("\0",)):
            return
        if self.derived and folded.startswith(self.derived):
            self.in_derived_section = True
            return
        if self.in_derived_section:
            return
        key = self._row_key(label, folded)
        if key is None:
            self._report_unknown_label(row, label)
            return
        self.data_rows.add(row)
        self._read_values(row, key)

    def _row_key(self, label: str, folded: str) -> dict | None:
        """Return the dimensions a row label stands for, or None when unknown."""
        kind, source = self.layout.rows, self.source
        total = folded in _TOTAL_LABELS or folded.startswith(("tong cong ", "toan tinh "))
        if kind == "area":
            if total:
                return {"area": source.province, "total": True}
            area = self.catalog.find_area(label, province=source.province, year=source.year)
            return None if area is None else {"area": area.code, "total": area.code == source.province}
        if kind in ("operator", "agency"):
            if total:
                return {kind: "", "total": True}
            found = self.catalog.find_operator(label) if kind == "operator" else self.catalog.find_agency(label)
            return None if found is None else {kind: found.name, "total": False}
        if kind == "indicator":
            indicator = _match_indicator(self.layout, self.catalog, [label])
            return None if indicator is None else {"indicator": indicator, "total": False}
        year, preliminary = _year_of([label])
        return None if year is None else {"year": year, "preliminary": preliminary, "total": False}

    def _holds_numbers(self, row: int) -> bool:
        return any(_looks_numeric(self.source.sheet.value(row, c.index), self.layout.locale) for c in self.value_columns)

    def _report_second_table(self, row: int, label: str) -> None:
        """Report a second table under this one: its rows would be read as this table's."""
        self.after_table = True
        self.problems.append(
            _problem(self.source, cell_name(row, self.table.label_column),
                     f"a second table starts here (header {_quote(label)}), below the table whose data "
                     f"starts at row {self.table.first_data_row + 1}",
                     "one table per sheet: move the second table to a sheet of its own")
        )  # fmt: skip

    def _report_unlabelled(self, row: int, label_origin: tuple[int, int]) -> None:
        """Report a row that holds numbers but no label: its values would be lost."""
        if self.in_derived_section or not self._holds_numbers(row):
            return
        self.unchecked.update(c.index for c in self.value_columns)
        sheet = self.source.sheet
        if label_origin in sheet.error_cells:
            message = f"the row label is the error value {sheet.error_cells[label_origin]}"
            expected = f"a {_ROW_KINDS[self.layout.rows]} name: correct the formula and save the workbook"
        elif label_origin in sheet.uncached_formulas:
            message, expected = "the row label is a formula without a stored value", _EXPECTED_STORED
        else:
            message, expected = "a row holds numbers but has no label", f"a {_ROW_KINDS[self.layout.rows]} name in this cell"
        self.problems.append(_problem(self.source, cell_name(*label_origin), message, expected))

    def _report_unknown_label(self, row: int, label: str) -> None:
        """Report a label that names nothing known, unless its row holds no numbers (a note)."""
        if not self._holds_numbers(row):
            return
        self.unchecked.update(c.index for c in self.value_columns)
        kind = _ROW_KINDS[self.layout.rows]
        where = cell_name(row, self.table.label_column)
        expected = {
            "district": f"a district of province {self.source.province} in force in {self.source.year} (catalog/areas.yaml)",
            "enterprise": "an enterprise in catalog/operators.yaml",
            "agency": "an agency in catalog/agencies.yaml",
            "indicator": "an indicator name or alias in catalog/indicators.yaml",
            "year": "a year such as 2020 or 'Sơ bộ 2020'",
        }[kind]
        self.problems.append(_problem(self.source, where, f"unknown {kind} {_quote(label)}", expected))

    def _read_values(self, row: int, key: dict) -> None:
        sheet = self.source.sheet
        cells = sheet.rows[row - sheet.top]
        number = str(row + 1)
        for column, letter in zip(self.value_columns, self.letters, strict=True):
            indicator = key.get("indicator") or column.indicator
            cell = letter + number
            j = column.index - sheet.left
            value = self._number(cells[j] if j < len(cells) else "", row, column.index, cell, indicator)
            if value is None:
                continue
            if value != value:  # NaN: the cell could not be read, its problem is reported
                self.unchecked.add(column.index)
                continue
            factor = self._factor(row, column, indicator, cell)
            if factor is None:
                continue
            value *= factor
            self._append(row, column, key, indicator, value, cell)
            if self.checks_totals and indicator.aggregation == "sum":
                if key["total"]:
                    self.totals[column.index] = (value, cell)
                else:
                    self.parts[column.index].append((value, cell))

    def _append(self, row, column: Column, key: dict, indicator: Indicator, value: float, cell: str) -> None:
        c = self.records.columns
        c["year"].append(key.get("year") or column.year or self.source.year)
        c["domain"].append(indicator.domain)
        c["indicator"].append(indicator.id)
        c["area"].append(key.get("area", self.source.province))
        c["operator"].append(key.get("operator", column.operator))
        c["agency"].append(key.get("agency", ""))
        c["value"].append(value)
        c["unit"].append(indicator.unit)
        c["preliminary"].append(key.get("preliminary", False) or column.preliminary)
        c["source_file"].append(self.source.file)
        c["source_sheet"].append(self.source.sheet.name)
        c["source_cell"].append(cell)

    def _number(self, value, row: int, col: int, cell: str, indicator: Indicator) -> float | None:
        """Return a cell's value as a number; None when it holds none, NaN when it cannot be read (reported)."""
        sheet = self.source.sheet
        expected = _EXPECTED_NUMBER[self.layout.locale]
        if (row, col) in sheet.uncached_formulas:
            return self._unreadable(cell, "formula without a stored value", _EXPECTED_STORED)
        error = sheet.error_cells.get((row, col)) or (value.strip() if isinstance(value, str) else "")
        if error in _EXCEL_ERRORS:
            return self._unreadable(cell, f"found the error value {error}", _EXPECTED_NO_ERROR)
        if isinstance(value, bool) or isinstance(value, dt.date | dt.time | dt.timedelta):
            return self._unreadable(cell, f"found {_describe(value)}", expected)
        try:
            number = parse_number(value, locale=self.layout.locale)
        except NumberFormatError as exc:
            detail = f" ({exc.reason})" if self.layout.locale is None else ""
            return self._unreadable(cell, f"found text {_quote(value)} where a number belongs{detail}", expected)
        if number is None:
            return 0.0 if self.layout.blank == "zero" else None
        percent = (row, col) in sheet.percent_cells or (isinstance(value, str) and "%" in value)
        if percent and indicator.unit != "%":
            shown = _quote(value) if isinstance(value, str) else f"{_plain(number * 100)} %"
            return self._unreadable(cell, f"found a percentage {shown} in a column of {indicator.unit!r} "
                                          f"({indicator.id})", f"a number of {indicator.unit}, without %")  # fmt: skip
        if isinstance(value, str) and (other := self._other_reading(value, number)) is not None:
            return self._unreadable(cell, other, _EXPECTED_UNAMBIGUOUS)
        if (row, col) in sheet.percent_cells and isinstance(value, float):
            number *= 100  # Excel keeps 98,5 % as 0.985 in a cell formatted as a percentage
        return number

    def _other_reading(self, text: str, number: float) -> str | None:
        """Say how a text number with a fraction reads otherwise in the other notation, if it does.

        "1,234" is 1,234 in Vietnamese notation but 1234 in English: a text that
        an English-notation workbook would read as a whole number is refused
        rather than read as a fraction. "1.234" (a whole number here) is read.
        """
        if self.layout.locale is None or number.is_integer():
            return None
        try:
            parse_number(text, locale=None)
        except NumberFormatError as exc:
            if "ambiguous" in exc.reason:
                other = "en" if self.layout.locale == "vi" else "vi"
                reading = parse_number(text, locale=other)
                return (f"found text {_quote(text)}: a fraction ({_plain(number, 6)}) in the layout's "
                        f"{_NOTATIONS[self.layout.locale]} notation, but {_plain(reading, 6)} in "
                        f"{_NOTATIONS[other]} notation")  # fmt: skip
        return None

    def _unreadable(self, cell: str, message: str, expected: str) -> float:
        self.problems.append(_problem(self.source, cell, message, expected))
        return float("nan")

    def _factor(self, row: int, column: Column, indicator: Indicator, cell: str) -> float | None:
        """Return the multiplier into the indicator's unit, from the nearest unit given."""
        row_unit = None
        if self.table.unit_column is not None:
            row_unit = _text(self.source.sheet.value(row, self.table.unit_column)) or None
        key = (column.index, row_unit, indicator.id)
        if key not in self.factors:
            self.factors[key] = self._find_factor(row, column, indicator, row_unit, cell)
        return self.factors[key]

    def _find_factor(self, row, column: Column, indicator: Indicator, row_unit, cell) -> float | None:
        """Return the factor of the nearest unit given: header, unit column, unit line, layout.

        A unit column that disagrees with the column header's unit is a
        problem: both are written for this very cell, and neither is nearer.
        """
        for note in column.units:
            factor = self.catalog.unit_factor(note, indicator.unit)
            if factor is not None:
                return self._agreeing(factor, note, column, indicator, row, row_unit)
        unit_line = self.table.unit_line or (None, "")
        for written, where in (
            (row_unit, cell_name(row, self.table.unit_column or 0)),
            unit_line,
            (self.layout.unit, ""),
        ):
            if written:
                factor = self.catalog.unit_factor(written, indicator.unit)
                if factor is None:
                    place = f" in layout {self.layout.id!r}" if not where else ""
                    self.problems.append(
                        _problem(self.source, where, f"unit {_quote(written)}{place} cannot be converted to {indicator.unit!r}",
                                 f"a unit listed for {indicator.unit!r} in catalog/units.yaml")
                    )  # fmt: skip
                return factor
        return 1.0

    def _agreeing(self, factor: float, note: str, column: Column, indicator: Indicator, row: int, row_unit) -> float | None:
        """Return the header's `factor`, or None (a problem) when the row's unit converts differently."""
        row_factor = self.catalog.unit_factor(row_unit, indicator.unit) if row_unit else None
        if row_factor is None or row_factor == factor:
            return factor
        self.problems.append(
            _problem(self.source, cell_name(row, self.table.unit_column),
                     f"the row's unit {_quote(row_unit)} differs from the unit {note!r} in the header of "
                     f"column {column_letter(column.index)} ({column.header_cell})",
                     "one unit for each value: correct the unit column or the column header")
        )  # fmt: skip
        return None

    def check_merged_values(self) -> None:
        """Report merged ranges over the values of data rows: all but the first cell read as blank."""
        columns = {c.index for c in self.value_columns}
        for r0, c0, r1, c1 in self.source.sheet.merged:
            merged_columns = columns.intersection(range(c0, c1 + 1))
            if not merged_columns or not any(r0 <= row <= r1 for row in self.data_rows):
                continue
            self.unchecked.update(merged_columns)
            self.problems.append(
                _problem(self.source, cell_name(r0, c0),
                         f"cells {cell_name(r0, c0)}:{cell_name(r1, c1)} are merged over the table's values; "
                         "all but the first would read as blank",
                         "one value in each cell: unmerge the cells and write each row's own value")
            )  # fmt: skip

    def check_totals(self) -> None:
        """Report each total row that differs from the sum of its parts beyond tolerance."""
        for column in self.value_columns:
            if column.index not in self.totals or not self.parts[column.index] or column.indicator is None:
                continue
            if column.index in self.unchecked:
                continue  # a part could not be read: its own problem says so
            total, total_cell = self.totals[column.index]
            parts = self.parts[column.index]
            expected = sum(v for v, _ in parts)
            if not self.catalog.tolerance(column.indicator.id).allows(expected, total):
                first, last = parts[0][1], parts[-1][1]
                self.problems.append(
                    _problem(self.source, total_cell,
                             f"total {_plain(total)} differs from the sum {_plain(expected)} of {first}:{last} "
                             f"({column.indicator.id}) by {_plain(total - expected)}",
                             "a total row equal to the sum of the rows above it")
                )  # fmt: skip


def _text(value) -> str:
    """Return a cell as stripped text ("" for empty); whole floats lose their ".0"."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _looks_numeric(value, locale) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    try:
        return isinstance(value, str) and fold(value) != "" and parse_number(value, locale=locale) is not None
    except NumberFormatError:
        return False


def _quote(value) -> str:
    """Quote a cell's text for a message, cut to MAX_QUOTED characters.

    >>> _quote("Ninh Hải"), _quote("x" * 100_000)[-23:]
    ("'Ninh Hải'", "…' (100.000 characters)")
    """
    text = str(value)
    if len(text) <= MAX_QUOTED:
        return repr(text)
    return f"{text[: MAX_QUOTED - 1] + '…'!r} ({_plain(len(text))} characters)"


def _describe(value) -> str:
    if isinstance(value, bool):
        return f"a true/false value ({value})"
    return f"a date or time ({value})"


def _plain(number: float, decimals: int = 2) -> str:
    """Write a number the Vietnamese way for messages: 1.234.567,5."""
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


def _problem(source: SheetSource, cell: str, message: str, expected: str = "") -> Problem:
    return Problem(source.file, source.sheet.name, cell, message, expected)

