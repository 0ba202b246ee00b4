"""Carry what every step of reading a sheet shares: the sheet, its layout and the catalog.

Each step of the reader (finding the header, resolving a column, reading a row
label, a number or a unit) is handed one :class:`Context` instead of a list of
positional arguments, and names its problems through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ictanalysis.catalog import Catalog
from ictanalysis.errors import Problem
from ictanalysis.layouts import Layout
from ictanalysis.workbook import Sheet

__all__ = ["Context", "SheetSource", "cell_text"]


@dataclass(frozen=True)
class SheetSource:
    """Where a sheet comes from and what it is about: the context of its records."""

    file: str  # relative to the raw folder, e.g. "2020/vien-thong-2020.xlsx"
    sheet: Sheet
    year: int
    province: str


@dataclass(frozen=True)
class Context:
    """One sheet read with one layout against the catalog: what every step of reading needs.

    Example:
        >>> from ictanalysis.layouts import Layout
        >>> source = SheetSource("2020/a.xlsx", Sheet(name="TB", rows=[["x"]]), 2020, "58")
        >>> context = Context(source, Layout(id="demo", description="demo"), catalog=None)
        >>> print(context.problem("D12", "found 'abc'", "a number"))
        2020/a.xlsx, sheet 'TB', cell D12: found 'abc'; expected a number
    """

    source: SheetSource
    layout: Layout
    catalog: Catalog

    @property
    def sheet(self) -> Sheet:
        """Return the sheet being read."""
        return self.source.sheet

    def problem(self, cell: str, message: str, expected: str = "") -> Problem:
        """Return a problem located at `cell` of this sheet."""
        return Problem(self.source.file, self.source.sheet.name, cell, message, expected)


def cell_text(value) -> str:
    """Return a cell as stripped text ("" for empty); whole floats lose their ".0".

    Example:
        >>> cell_text(2020.0), cell_text(None), cell_text("  Ninh Hải "), cell_text(12.5)
        ('2020', '', 'Ninh Hải', '12.5')
    """
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
