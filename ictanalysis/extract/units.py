"""Find the unit a value is written in and the factor that turns it into its indicator's unit.

The nearest unit given wins: the column header's (in parentheses), the unit
column of the value's row, the "Đơn vị tính: …" line above the table, the
layout's. With none, the value is taken to be in the indicator's own unit.
"""

from __future__ import annotations

import re

from ictanalysis.catalog import Indicator
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.messages import quote
from ictanalysis.workbook import Sheet, cell_name, column_letter

__all__ = ["UnitFactors", "unit_line"]

_UNIT_LINE = re.compile(r"^\s*(?:đơn vị tính|đvt|dvt|don vi tinh|unit)\s*[:\-]\s*(.+)$", re.I)


def unit_line(sheet: Sheet, header_row: int) -> tuple[str, str] | None:
    """Return the unit of a "Đơn vị tính: …" line above the table and its cell, if there is one.

    Example:
        >>> unit_line(Sheet(name="TB", rows=[["Báo cáo"], ["", "ĐVT: triệu đồng."], ["Chỉ tiêu"]]), 2)
        ('triệu đồng', 'B2')
    """
    for i, cells in enumerate(sheet.rows[: header_row - sheet.top]):
        for j, value in enumerate(cells):
            match = _UNIT_LINE.match(value) if isinstance(value, str) else None
            if match:
                return match.group(1).strip().rstrip("."), cell_name(sheet.top + i, sheet.left + j)
    return None


class UnitFactors:
    """The factors of one table's values, found once per column, unit-column text and indicator."""

    def __init__(self, context: Context, unit_column: int | None, unit_line: tuple[str, str] | None) -> None:
        """Prepare to find factors in the table whose unit column and unit line are given (either may be None)."""
        self.context, self.unit_column, self.unit_line = context, unit_column, unit_line
        self._found: dict[tuple[int, str | None, str], float | None] = {}

    def factor(self, row: int, column: Column, indicator: Indicator) -> tuple[float | None, Problem | None]:
        """Return the multiplier into `indicator`'s unit for a value of `column` in `row`.

        The factor is None when the unit given cannot be converted, or when the
        row's unit and the header's disagree; the problem saying so comes back
        the first time only, as the factor is found once.
        """
        written = None
        if self.unit_column is not None:
            written = cell_text(self.context.sheet.value(row, self.unit_column)) or None
        key = (column.index, written, indicator.id)
        if key in self._found:
            return self._found[key], None
        factor, problem = self._find(column, indicator.unit, (written, cell_name(row, self.unit_column or 0)))
        self._found[key] = factor
        return factor, problem

    def _find(self, column: Column, unit: str, row_unit: tuple[str | None, str]) -> tuple[float | None, Problem | None]:
        """Return the factor of the nearest unit given: header, unit column, unit line, layout."""
        catalog = self.context.catalog
        for note in column.units:
            factor = catalog.unit_factor(note, unit)
            if factor is not None:
                return self._agreeing(factor, note, column, unit, row_unit)
        layout = self.context.layout
        for written, where in (row_unit, self.unit_line or (None, ""), (layout.unit, "")):
            if written:
                factor = catalog.unit_factor(written, unit)
                if factor is not None:
                    return factor, None
                place = f" in layout {layout.id!r}" if not where else ""
                return None, self.context.problem(
                    where, f"unit {quote(written)}{place} cannot be converted to {unit!r}",
                    f"a unit listed for {unit!r} in catalog/units.yaml")  # fmt: skip
        return 1.0, None

    def _agreeing(self, factor: float, note: str, column: Column, unit: str, row_unit: tuple[str | None, str]):
        """Return the header's `factor`, or None and a problem when the row's unit converts differently.

        Both units are written for this very cell, and neither is nearer.
        """
        written, where = row_unit
        row_factor = self.context.catalog.unit_factor(written, unit) if written else None
        if row_factor is None or row_factor == factor:
            return factor, None
        return None, self.context.problem(
            where, f"the row's unit {quote(written)} differs from the unit {note!r} in the header of "
                   f"column {column_letter(column.index)} ({column.header_cell})",
            "one unit for each value: correct the unit column or the column header")  # fmt: skip
