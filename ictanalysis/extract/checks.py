"""Check a table's values against its shape: each total against the sum of its parts, no merge over values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column
from ictanalysis.extract.context import Context
from ictanalysis.extract.messages import plain
from ictanalysis.workbook import Sheet, cell_name

__all__ = ["TotalCheck", "merged_over_values", "merged_problem"]

Range = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based, inclusive)


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
        """Report each total of `columns` that differs from the sum of its parts beyond the catalog's tolerance."""
        problems = []
        for column in columns:
            if column.index not in self.totals or not self.parts[column.index] or column.indicator is None:
                continue
            if column.index in self.unchecked:
                continue
            total, total_cell = self.totals[column.index]
            parts = self.parts[column.index]
            expected = sum(v for v, _ in parts)
            if not context.catalog.tolerance(column.indicator.id).allows(expected, total):
                first, last = parts[0][1], parts[-1][1]
                problems.append(
                    context.problem(total_cell,
                                    f"total {plain(total)} differs from the sum {plain(expected)} of {first}:{last} "
                                    f"({column.indicator.id}) by {plain(total - expected)}",
                                    "a total row equal to the sum of the rows above it")
                )  # fmt: skip
        return problems


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
