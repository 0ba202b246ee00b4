"""Check a table's values against its shape: each total against the sum of its parts, no merge over values.

And no field of a .csv data row beyond the header: its values would be shifted or cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ictanalysis.catalog import Tolerance, total_excess
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column
from ictanalysis.extract.context import Context
from ictanalysis.extract.messages import plain, quote
from ictanalysis.workbook import Sheet, cell_name, column_letter

__all__ = ["TotalCheck", "extra_fields_problem", "merged_over_values", "merged_problem"]

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
            if total_excess(total - expected, expected, tolerance) > 1:
                first, last = parts[0][1], parts[-1][1]
                problems.append(
                    context.problem(total_cell,
                                    f"total {plain(total)} differs from the sum {plain(expected)} of {first}:{last} "
                                    f"({column.indicator.id}) by {plain(total - expected)}",
                                    _expected_total(tolerance, expected))
                )  # fmt: skip
        return problems


def _expected_total(tolerance: Tolerance | None, expected: float) -> str:
    """Say what a total row should be: the exact sum, or within the catalog's stated tolerance and why."""
    if tolerance is None:
        return "a total row equal to the sum of the rows above it"
    return (f"a total row within {plain(tolerance.allowed(expected))} of the sum of the rows above it, "
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


def extra_fields_problem(context: Context, row: int, columns: list[Column]) -> Problem | None:
    """Report a .csv data row with a field right of the table's last header column, or None.

    Such a field belongs to no column: a comma-separated file splits an
    unquoted decimal comma ("168,92") into two fields, and a text holding the
    separator shifts the rest of its line. Where the field's column has a
    heading that is not one of the table's (an enterprise whose indicator
    heading was merged over it before the file was saved as CSV), the one
    problem of that column names the heading. The row's values are not read.

    Example:
        >>> from ictanalysis.extract.context import SheetSource
        >>> from ictanalysis.layouts import Layout
        >>> rows = [["STT", "Huyện", "Dân số"], ["1", "Bác Ái", "30", "71"]]
        >>> source = SheetSource("2020/d.csv", Sheet(name="d", rows=rows, separator=","), 2020, "58")
        >>> context = Context(source, Layout(id="demo", description="demo"), catalog=None)
        >>> problem = extra_fields_problem(context, 1, [Column(2, "Dân số", "C1", "value")])
        >>> problem.cell, problem.message[:62]
        ('D2', 'row 2 has 4 fields, but the header (to C1) has 3 columns: D2 (')
    """
    sheet = context.sheet
    if not sheet.separator or not columns:
        return None
    last = max(columns, key=lambda c: c.index)
    fields = sheet.rows[row - sheet.top]
    extra = [j for j in range(last.index + 1 - sheet.left, len(fields)) if fields[j] != ""]
    if not extra:
        return None
    cell = cell_name(row, sheet.left + extra[0])
    found = (f"row {row + 1} has {len(fields)} fields, but the header (to {last.header_cell}) has "
             f"{last.index + 1 - sheet.left} columns: {cell} ({quote(fields[extra[0]])}) is under no column")  # fmt: skip
    heading = _heading_above(sheet, sheet.left + extra[0], row)
    if heading is not None:  # one problem for the column, whichever row meets it
        return context.problem(heading[0], f"column {column_letter(sheet.left + extra[0])} is headed "
                               f"{quote(heading[1])}, but the header names no indicator above it: its values "
                               "belong to no column of the table", _EXPECTED_HEADED_FIELDS)  # fmt: skip
    if sheet.separator == ",":
        return context.problem(cell, found + "; a comma-separated file splits a number with a decimal comma "
                               "(168,92) into two fields", _EXPECTED_COMMA_FIELDS)  # fmt: skip
    return context.problem(cell, found + f"; a text holding the separator {sheet.separator!r} is split into two "
                           "fields unless it is in quotes", _EXPECTED_FIELDS)  # fmt: skip


def _heading_above(sheet: Sheet, col: int, row: int) -> tuple[str, str] | None:
    """Return the cell and text of the nearest text above `row` in column `col` that is not a number, or None."""
    from ictanalysis.extract.numbers import looks_numeric

    for above in range(row - 1, sheet.top - 1, -1):
        value = sheet.value(above, col)
        if isinstance(value, str) and value.strip() and not looks_numeric(value, None):
            return cell_name(above, col), value.strip()
    return None
