"""Check a table's values against its shape: each total against the sum of its parts, no merge over values.

And no field of a .csv data row beyond the header: its values would be shifted or cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ictanalysis.catalog import Tolerance, total_excess
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column
from ictanalysis.extract.context import Context
from ictanalysis.extract.messages import plain, quote
from ictanalysis.extract.numbers import looks_numeric
from ictanalysis.workbook import Sheet, cell_name, column_letter

__all__ = ["CsvRows", "TotalCheck", "merged_over_values", "merged_problem"]

Range = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based, inclusive)
_EXPECTED_FIELDS = "one field under each header column: a text that holds the separator in quotes"
_EXPECTED_COMMA_FIELDS = (
    'one field under each header column: numbers with a decimal comma in quotes ("168,92"), '
    "or the file saved with semicolons (;) between fields, as Excel does with Vietnamese settings"
)
_EXPECTED_HEADED_FIELDS = (
    "a header naming the indicator above each column: a heading merged over several columns in the workbook is "
    "lost when it is saved as CSV, so save the sheet as .xlsx, or write the heading above every column"
)


class TotalCheck:
    """The total and the parts of each value column, gathered row by row, then checked against each other.

    Example:
        >>> check = TotalCheck([0])
        >>> check.add(0, 5.0, "C7", total=False); check.add(0, 6.0, "C8", total=False)
        >>> check.add(0, 11.0, "C9", total=True)
        >>> check.totals, check.parts
        ({0: (11.0, 'C9')}, {0: [(5.0, 'C7'), (6.0, 'C8')]})
    """

    def __init__(self, columns: Iterable[int]) -> None:
        """Start with no total and no part in any of `columns`."""
        self.parts: dict[int, list[tuple[float, str]]] = {c: [] for c in columns}
        self.totals: dict[int, tuple[float, str]] = {}
        self.unchecked: set[int] = set()  # columns with an unread cell: their totals cannot be checked

    def add(self, column: int, value: float, cell: str, *, total: bool) -> None:
        """Count a value read in `column`: the total (the last one read wins), or one of its parts."""
        if total:
            self.totals[column] = (value, cell)
        else:
            self.parts[column].append((value, cell))

    def skip(self, columns: Iterable[int]) -> None:
        """Leave `columns` unchecked: one of their cells could not be read, and its own problem says so."""
        self.unchecked.update(columns)

    def problems(self, context: Context, columns: list[Column]) -> list[Problem]:
        """Report each total of `columns` that differs from the sum of its parts.

        A total adds up exactly, unless the catalog states a tolerance for its indicator (with its reason).
        """
        problems = []
        for column in columns:
            if column.index not in self.totals or not self.parts[column.index] or column.indicator is None:
                continue
            if column.index in self.unchecked:
                continue
            total, total_cell = self.totals[column.index]
            parts = self.parts[column.index]
            expected = sum(v for v, _ in parts)
            tolerance = context.catalog.tolerance(column.indicator.id)
            figures = [total, *(v for v, _ in parts)]
            if total_excess(total - expected, expected, tolerance, figures) > 1:
                first, last = parts[0][1], parts[-1][1]
                problems.append(
                    context.problem(total_cell,
                                    f"total {plain(total)} differs from the sum {plain(expected)} of {first}:{last} "
                                    f"({column.indicator.id}) by {plain(total - expected)}",
                                    _expected_total(tolerance, expected, figures))
                )  # fmt: skip
        return problems


def _expected_total(tolerance: Tolerance | None, expected: float, figures: list[float]) -> str:
    """Say what a total row should be: the exact sum, or within the catalog's stated tolerance and why."""
    if tolerance is None:
        return "a total row equal to the sum of the rows above it"
    if not tolerance.allowed(expected, figures):
        return (f"a total row equal to the sum of the rows above it: the catalog's tolerance is for figures rounded "
                f"to {plain(tolerance.precision)} ({tolerance.reason_en}), and these are written more precisely")  # fmt: skip
    return (f"a total row within {plain(tolerance.allowed(expected, figures))} of the sum of the rows above it, "
            f"the catalog's tolerance ({tolerance.reason_en})")  # fmt: skip


def merged_over_values(sheet: Sheet, columns: set[int], data_rows: set[int]) -> Iterator[tuple[Range, set[int]]]:
    """Yield each merged range over value `columns` of `data_rows`, with the value columns it covers.

    All but the first cell of such a range read as blank.

    Example:
        >>> sheet = Sheet(name="TB", rows=[["a", 1, 2], ["b", "", 3]], merged=((0, 1, 1, 1),))
        >>> list(merged_over_values(sheet, {1, 2}, {0, 1})), list(merged_over_values(sheet, {2}, {0, 1}))
        ([((0, 1, 1, 1), {1})], [])
    """
    for r0, c0, r1, c1 in sheet.merged:
        merged_columns = columns.intersection(range(c0, c1 + 1))
        if merged_columns and any(r0 <= row <= r1 for row in data_rows):
            yield (r0, c0, r1, c1), merged_columns


def merged_problem(context: Context, merged: Range) -> Problem:
    """Report a merged range over a table's values."""
    r0, c0, r1, c1 = merged
    return context.problem(cell_name(r0, c0),
                           f"cells {cell_name(r0, c0)}:{cell_name(r1, c1)} are merged over the table's values; "
                           "all but the first would read as blank",
                           "one value in each cell: unmerge the cells and write each row's own value")  # fmt: skip


@dataclass(frozen=True)
class CsvRows:
    """What a .csv table's rows are checked against: the width of its header line and where its data rows are.

    A CSV line is as long as its fields: a data row with more fields than the
    header line, or a field right of the table's last column, belongs to no
    column. A comma-separated file splits an unquoted decimal comma ("168,92")
    into two fields, and a text holding the separator shifts the rest of its
    line; an extra field may then land in an ignored column ("Ghi chú"), so the
    width is checked too, empty fields included.
    """

    columns: list[Column]
    header_rows: tuple[int, ...] = ()  #: the table's header rows (0-based)

    def problem(self, context: Context, row: int, data_rows: Iterable[int] = ()) -> Problem | None:
        """Report the first field of `row` that belongs to no column, or None (always None outside a .csv).

        Where that field's column has a heading outside the data rows (an
        enterprise whose indicator heading was merged over it before the file
        was saved as CSV), the one problem of the column names the heading.

        Example:
            >>> from ictanalysis.extract.context import SheetSource
            >>> from ictanalysis.layouts import Layout
            >>> rows = [["STT", "Huyện", "Dân số"], ["1", "Bác Ái", "30", "71"]]
            >>> source = SheetSource("2020/d.csv", Sheet(name="d", rows=rows, separator=","), 2020, "58")
            >>> context = Context(source, Layout(id="demo", description="demo"), catalog=None)
            >>> problem = CsvRows([Column(2, "Dân số", "C1", "value")], (0,)).problem(context, 1)
            >>> problem.cell, problem.message[:58]
            ('D2', 'row 2 has 4 fields, but the header line has 3 and the tabl')
        """
        sheet = context.sheet
        if not sheet.separator or not self.columns:
            return None
        fields = sheet.rows[row - sheet.top]
        extra = self._first_extra(sheet, fields)
        if extra is None:
            return None
        heading = _heading_above(sheet, sheet.left + extra, row, set(data_rows))
        if heading is not None:  # one problem for the column, whichever row meets it
            return context.problem(heading[0], f"column {column_letter(sheet.left + extra)} is headed "
                                   f"{quote(heading[1])}, but the header names no indicator above it: its values "
                                   "belong to no column of the table", _EXPECTED_HEADED_FIELDS)  # fmt: skip
        return self._split_problem(context, row, fields, extra)

    def _first_extra(self, sheet: Sheet, fields: list) -> int | None:
        """Return the index in `fields` of the first field beyond the table's columns or the header line, or None."""
        last = max(c.index for c in self.columns) + 1 - sheet.left
        beyond = next((j for j in range(last, len(fields)) if fields[j] != ""), None)
        width = self._header_width(sheet)
        if beyond is None and width and len(fields) > width:
            return width  # an extra field, empty or in an ignored column: the line was split somewhere
        return beyond

    def _header_width(self, sheet: Sheet) -> int:
        """Return how many fields the header line(s) have (0 when unknown)."""
        return max((len(sheet.rows[r - sheet.top]) for r in self.header_rows if 0 <= r - sheet.top < len(sheet.rows)), default=0)

    def _split_problem(self, context: Context, row: int, fields: list, extra: int) -> Problem:
        """Report the row's field `extra` as the end of a line split by a separator inside a value."""
        sheet, last = context.sheet, max(self.columns, key=lambda c: c.index)
        cell = cell_name(row, sheet.left + extra)
        found = (f"row {row + 1} has {len(fields)} fields, but the header line has {self._header_width(sheet) or '?'} "
                 f"and the table's columns end at {column_letter(last.index)} ({last.header_cell}): {cell} "
                 f"({quote(fields[extra])}) is under no column")  # fmt: skip
        if sheet.separator == ",":
            return context.problem(cell, found + "; a comma-separated file splits a number with a decimal comma "
                                   "(168,92) into two fields", _EXPECTED_COMMA_FIELDS)  # fmt: skip
        return context.problem(cell, found + f"; a text holding the separator {sheet.separator!r} is split into two "
                               "fields unless it is in quotes", _EXPECTED_FIELDS)  # fmt: skip


def _heading_above(sheet: Sheet, col: int, row: int, data_rows: set[int]) -> tuple[str, str] | None:
    """Return the cell and text of the nearest text above `row` in column `col` outside the data rows, or None.

    A number is no heading, nor is a note in a data row ("ước tính").
    """
    for above in range(row - 1, sheet.top - 1, -1):
        value = sheet.value(above, col)
        if above not in data_rows and isinstance(value, str) and value.strip() and not looks_numeric(value, None):
            return cell_name(above, col), value.strip()
    return None
