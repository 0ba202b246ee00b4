"""Read a located table's rows into tidy records, with every problem met on the way.

Each row's label says what the row is (see :mod:`~ictanalysis.extract.labels`);
each value of a data row is read as a number, converted into its indicator's
unit and kept with its cell. Total rows are checked against the sum of their
parts once every row is read, and merged ranges over values are refused.
A value that its unit's factor makes infinite (1e303 triệu đồng) or zero is
refused naming its cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from ictanalysis.catalog import Catalog, Indicator
from ictanalysis.errors import Problem
from ictanalysis.extract.checks import CsvRows, TotalCheck, merged_over_values, merged_problem
from ictanalysis.extract.columns import Column, year_of
from ictanalysis.extract.context import Context, SheetSource, cell_text
from ictanalysis.extract.labels import (
    IndicatorRows,
    RowRoles,
    clean_label,
    row_key,
    second_table_problem,
    unknown_label_problem,
    unlabelled_problem,
)
from ictanalysis.extract.numbers import looks_numeric, read_number, table_notation
from ictanalysis.extract.table import Table, title_indicator
from ictanalysis.extract.units import UnitFactors
from ictanalysis.normalise import fold
from ictanalysis.tidy import Records
from ictanalysis.workbook import cell_name, column_letter

__all__ = ["extract_table"]

_ROMAN = re.compile(r"[IVX]{1,5}\.?")  # "II", "III." numbering a section
_ROMAN_LABEL = re.compile(r"[IVX]{1,5}[.)/-]?\s+\S")
_NOT_COUNTS = ("%", "đồng")  # units that are no count of things: "182,340" may be a fraction there
_CHECKED_ROWS = ("area", "operator", "agency")  # rows whose total is the sum of the other rows
_EXPECTED_CONVERTIBLE = (
    "a figure in the unit the sheet states: check the cell and the unit, a value that large or that small is "
    "a typing or export error"
)


def extract_table(source: SheetSource, table: Table, catalog: Catalog) -> tuple[Records, list[Problem]]:
    """Read every data row of a located table into tidy records.

    Returns the records and the problems met: cells that are not numbers,
    labels that name no known district/enterprise/agency/indicator, formulas
    without a stored value, and total rows that differ from the sum of their parts.
    """
    reader = _RowReader(_table_context(Context(source, table.layout, catalog), table), table)
    for row in range(table.first_data_row, source.sheet.top + source.sheet.height):
        reader.read_row(row)
    reader.check_merged_values()
    reader.check_totals()
    return reader.records, table.problems + reader.problems


def _map_of(catalog, province: str, year: int) -> tuple:
    """Return what a year's map is for the province: its ground and the level below it."""
    return catalog.territory(province, year), catalog.sublevel(year)


def _another_map(context: Context, year: int, cell: str) -> Problem | None:
    """Refuse a value of a year whose map is not the workbook's year's (a 2024 column in a 2025 workbook).

    Its area would be read on the workbook's map: the merged Khánh Hòa's 2024 figure filed as the
    former Khánh Hòa's, a 2025 commune's code as another 2024 commune's.
    """
    source, catalog = context.source, context.catalog
    if year == source.year or _map_of(catalog, source.province, year) == _map_of(catalog, source.province, source.year):
        return None
    return context.problem(
        cell, f"a figure of {year} in a workbook of {source.year}: the map changed between them (the province "
        f"was {', '.join(catalog.territory(source.province, year)) or 'no unit'} in {year}, with its "
        f"{catalog.sublevel(year)}s; {', '.join(catalog.territory(source.province, source.year))} in "
        f"{source.year}, with its {catalog.sublevel(source.year)}s), so its area cannot be read on this one",
        f"the figures of {year} from the workbooks of {year} (data/raw/{year}/), as their senders gave them")


def _table_context(context: Context, table: Table) -> Context:
    """Return the context the table's values are read in: the notation and the blanks its cells make certain.

    Numbers typed as text in one notation only ("1,234,567") make the whole
    table that notation (see :func:`~ictanalysis.extract.numbers.table_notation`).
    In a table of indicators with a column per year, a blank is a year not
    reported: missing, never zero.
    """
    layout = context.layout
    values = [c for c in table.columns if c.role == "value"]
    update = {}
    if _typed_notation(context, table, values) == "en" and layout.locale != "en":
        update["locale"] = "en"
    if layout.rows == "indicator" and len({c.year for c in values}) > 1:
        update["blank"] = "missing"
    return replace(context, layout=layout.model_copy(update=update)) if update else context


class _RowReader:
    """The state of reading one table's rows: records, problems, and the totals to check."""

    def __init__(self, context: Context, table: Table) -> None:
        """Prepare to read the rows of `table`."""
        self.context, self.table = context, table
        self.records = Records()
        self.problems: list[Problem] = []
        self.value_columns = [c for c in table.columns if c.role == "value"]
        self.letters = [column_letter(c.index) for c in self.value_columns]
        self.roles = RowRoles(context.layout)
        self.units = UnitFactors(context, table.unit_column, table.unit_line)
        self.sums = TotalCheck(c.index for c in self.value_columns)
        self.checks_totals = context.layout.rows in _CHECKED_ROWS
        self.data_rows: set[int] = set()
        self.csv_rows = CsvRows(table.columns, table.header_rows)
        self.indicator_rows = IndicatorRows(_title(context, table)) if context.layout.rows == "indicator" else None
        self.years_read: set[tuple[int, bool]] = set()  # a year read again starts a second table
        self.counts_context = _counts_context(self.context, table, self.value_columns)

    def read_row(self, row: int) -> None:
        """Read one row: a data or total row, a section, a note, or a blank spacer."""
        label_column = self.table.label_column
        label_origin = self.table.merges.get((row, label_column), (row, label_column))
        raw = self.context.sheet.value(*label_origin)
        label = clean_label(raw)
        role = self.roles.role(folded := fold(label))
        if role == "data" and _starts_second_table(self, row, label):
            role, self.roles.after_table = "second_table", True
        if role == "blank" and self.roles.enter_derived(_texts(self.context.sheet, row)):
            return
        if role == "blank" and self._holds_numbers(row):
            self._refuse_row(unlabelled_problem(self.context, label_origin))
        elif role == "second_table":
            cell = cell_name(row, label_column)
            self.problems.append(second_table_problem(self.context, cell, label, self.table.first_data_row))
        elif role == "data":
            self._read_labelled(row, label, folded, raw)

    def _read_cell(self, row: int, column: Column, indicator: Indicator):
        """Read one value cell: a count written "182,340" in its own unit as thousands where the table says so."""
        if self.counts_context is not None and indicator.unit not in _NOT_COUNTS and indicator.aggregation == "sum":
            factor, _ = self.units.factor(row, column, indicator)
            if factor == 1:
                return read_number(self.counts_context, row, column.index, indicator)
        return read_number(self.context, row, column.index, indicator)

    def _read_labelled(self, row: int, label: str, folded: str, raw=None) -> None:
        """Read a row whose label names its key, or report a label that names nothing known."""
        if self.indicator_rows is not None:
            raw_text = raw if isinstance(raw, str) else label
            key = self.indicator_rows.key(self.context, raw_text, label, self._holds_numbers(row), _numbered_section(self.context.sheet, row, raw_text, self.table.label_column))
        else:
            key = row_key(self.context, label, folded)
        if key is None:
            if self._holds_numbers(row):  # a row without numbers is a note
                cell = cell_name(row, self.table.label_column)
                self._refuse_row(unknown_label_problem(self.context, cell, label))
            return
        self.data_rows.add(row)
        if (problem := self.csv_rows.problem(self.context, row, self.data_rows)) is not None:
            self._refuse_row(problem)  # a field beyond the header: the row's values are shifted or cut
            return
        self._read_values(row, key)

    def _holds_numbers(self, row: int) -> bool:
        """Tell whether any value column of `row` holds a number: a row without one is a note or a spacer."""
        sheet, locale = self.context.sheet, self.context.layout.locale
        return any(looks_numeric(sheet.value(row, c.index), locale) for c in self.value_columns)

    def _refuse_row(self, problem: Problem) -> None:
        """Report a row whose values cannot be read: no total of this table can be checked then."""
        self.sums.skip(c.index for c in self.value_columns)
        self.problems.append(problem)

    def _read_values(self, row: int, key: dict) -> None:
        """Read each value of a data row into a record, converted into its indicator's unit."""
        number = str(row + 1)
        for column, letter in zip(self.value_columns, self.letters, strict=True):
            indicator = key.get("indicator") or column.indicator
            value = self._read_cell(row, column, indicator)
            if isinstance(value, Problem):
                self.problems.append(value)
                self.sums.skip((column.index,))
                continue
            if value is None:
                continue
            factor, problem = self.units.factor(row, column, indicator)
            if problem is not None:
                self.problems.append(problem)
            if factor is None:
                continue
            cell = letter + number
            problem = _another_map(self.context, key.get("year") or column.year or self.context.source.year, cell)
            if problem is not None:
                self.problems.append(problem)
                self.sums.skip((column.index,))
                continue
            value = self._converted(value, factor, cell, indicator)
            if value is None:
                self.sums.skip((column.index,))
                continue
            self._append(column, key, indicator, value, cell)
            if self.checks_totals and indicator.aggregation == "sum":
                self.sums.add(column.index, value, cell, total=key["total"])

    def _converted(self, value: float, factor: float, cell: str, indicator: Indicator) -> float | None:
        """Return `value` converted into its indicator's unit, or None (and a problem) when the factor breaks it.

        A float cannot hold 1e303 × 1.000.000: the product is INF (infinity),
        which would pass every range and sum; 5e-324 × 0,001 is 0.
        """
        converted = value * factor
        if math.isfinite(converted) and (converted != 0 or value == 0):
            return converted
        became = "0" if math.isfinite(converted) else "INF (infinity)"
        self.problems.append(self.context.problem(
            cell, f"found {value!r}, which becomes {became} once converted into {indicator.unit} "
            f"(times {factor!r}, the factor of its unit)", _EXPECTED_CONVERTIBLE,
        ))  # fmt: skip
        return None

    def _append(self, column: Column, key: dict, indicator: Indicator, value: float, cell: str) -> None:
        """Append one tidy record: the row's key, the column's enterprise and year, the value and its cell."""
        source, c = self.context.source, self.records.columns
        c["year"].append(key.get("year") or column.year or source.year)
        c["domain"].append(indicator.domain)
        c["indicator"].append(indicator.id)
        c["area"].append(key.get("area", self.context.layout.area or self.table.ground or source.province))
        c["operator"].append(key.get("operator", column.operator))
        c["agency"].append(key.get("agency", ""))
        c["value"].append(value)
        c["unit"].append(indicator.unit)
        c["preliminary"].append(key.get("preliminary", False) or column.preliminary)
        c["source_file"].append(source.file)
        c["source_sheet"].append(source.sheet.name)
        c["source_cell"].append(cell)

    def check_merged_values(self) -> None:
        """Report merged ranges over the values of data rows: all but the first cell read as blank."""
        columns = {c.index for c in self.value_columns}
        for merged, merged_columns in merged_over_values(self.context.sheet, columns, self.data_rows):
            self.sums.skip(merged_columns)
            self.problems.append(merged_problem(self.context, merged))

    def check_totals(self) -> None:
        """Report each total row that differs from the sum of its parts beyond tolerance."""
        self.problems += self.sums.problems(self.context, self.value_columns)


def _texts(sheet, row: int) -> list[str]:
    """Return the texts of a row's cells."""
    return [v for v in sheet.rows[row - sheet.top] if isinstance(v, str) and v.strip()]


def _numbered_section(sheet, row: int, raw: str, label_column: int) -> bool:
    """Tell whether a row is numbered as a section: a Roman numeral in a column left of its label, or before it."""
    cells = [cell_text(v) for v in sheet.rows[row - sheet.top][: label_column - sheet.left]]
    return any(_ROMAN.fullmatch(c) for c in cells if c) or _ROMAN_LABEL.match(raw.strip()) is not None


def _title(context: Context, table: Table) -> str:
    """Return the title that names the indicator of a table whose label header is blank (the yearbook's), or ""."""
    if "" not in context.layout.label_headers or not table.header_rows:
        return ""
    return title_indicator(context, table.header_rows[0])


def _typed_notation(context: Context, table: Table, value_columns: list[Column]) -> str | None:
    """Return the notation the table's values make certain, when every one of them is typed as text (a pasted page).

    A table that holds numbers as numbers and a text "1,234,567" among them is not a pasted page: that one text
    is refused, cell by cell (see :func:`~ictanalysis.extract.numbers.table_notation`).
    """
    sheet = context.sheet
    cells = [sheet.value(r, c.index) for r in range(table.first_data_row, sheet.top + sheet.height) for c in value_columns]
    if any(isinstance(v, int | float) and not isinstance(v, bool) for v in cells):
        return None
    return table_notation([v for v in cells if isinstance(v, str) and v.strip()])


def _counts_context(context: Context, table: Table, value_columns: list[Column]) -> Context | None:
    """Return the context that reads "182,340" as thousands in count columns, when the table makes that certain."""
    layout = context.layout
    if layout.locale != "vi" or _typed_notation(context, table, value_columns) != "en-counts":
        return None
    return replace(context, layout=layout.model_copy(update={"locale": "en"}))


def _starts_second_table(self: _RowReader, row: int, label: str) -> bool:
    """Tell whether a row is a second table's header ("STT" left of its label) or repeats a year already read."""
    sheet, label_column = self.context.sheet, self.table.label_column
    cells = sheet.rows[row - sheet.top][: label_column - sheet.left]
    if any(isinstance(v, str) and fold(v) in {"stt", "tt", "so tt"} for v in cells):
        return True
    if self.context.layout.rows != "year" or self.roles.in_derived_section:
        return False
    year = year_of([label])
    if year[0] is not None and year in self.years_read and self._holds_numbers(row):
        return True
    self.years_read.add(year)
    return False

