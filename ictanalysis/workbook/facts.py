"""Collect what a scan of one sheet finds before calamine reads it: its extent, and the cells calamine misreads."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from ictanalysis.workbook.limits import check_extent

__all__ = ["NO_FACTS", "SheetFacts"]


@dataclass
class SheetFacts:
    """What a scan of one sheet found (0-based sheet coordinates); an .ods scan finds its extent, percent and merged cells.

    `spans` holds an .ods table's spanned cells, six numbers each (see
    :data:`ictanalysis.workbook.ods.SPAN_FIELDS`), from which its merged
    ranges are made; it is None where calamine gives the merged ranges (.xlsx, .xls).
    """

    uncached: set[tuple[int, int]] = field(default_factory=set)
    percent: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    spans: array | None = None
    first: tuple[int, int] | None = None  # the first row and the first column with a value
    last_row_cell: tuple[int, int] = (0, 0)  # a cell with a value in the last row, to name in a message
    last_col_cell: tuple[int, int] = (0, 0)  # one in the last column

    def widen(self, cells: list[tuple[int, int]]) -> None:
        """Widen the extent of the values to hold `cells` (0-based row, column)."""
        if not cells:
            return
        if self.first is not None:
            cells = [*cells, self.first, self.last_row_cell, self.last_col_cell]
        self.last_row_cell, self.last_col_cell = max(cells), max(cells, key=lambda cell: cell[1])
        self.first = (min(cells)[0], min(cells, key=lambda cell: cell[1])[1])

    def check(self, name: str) -> None:
        """Refuse the sheet `name` when the extent of its values so far is beyond the limits."""
        if self.first is not None:
            check_extent(name, self.first, self.last_row_cell, self.last_col_cell)


NO_FACTS = SheetFacts()
"""The facts of a sheet no scan saw: nothing found."""
