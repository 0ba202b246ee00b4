"""Find a layout's table in a sheet: its header, its columns, the unit line and the title above it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ictanalysis.catalog import Catalog
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column, resolve_columns
from ictanalysis.extract.context import Context, SheetSource
from ictanalysis.extract.header import Header, find_anchor
from ictanalysis.extract.messages import layout_expectation, quote
from ictanalysis.extract.units import unit_line
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold
from ictanalysis.workbook import cell_name

__all__ = ["Table", "find_table", "title_year_problems"]

_STATED_YEAR = re.compile(r"\b(?:nam|year)\s+((?:19|20)\d\d)\b")  # in folded text: "NĂM 2019", "Year 2019"


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


def find_table(source: SheetSource, layout: Layout, catalog: Catalog) -> Table | None:
    """Locate `layout`'s table in the sheet and resolve its columns.

    Returns None when the sheet has no header the layout looks for; a table
    whose columns cannot all be understood comes back with its problems.
    """
    anchor = find_anchor(source.sheet, layout)
    if anchor is None:
        return None
    row, label_column = anchor
    context = Context(source, layout, catalog)
    header = Header.at(source.sheet, row, label_column)
    columns, column_problems = resolve_columns(context, header)
    problems = title_year_problems(context, row) + column_problems
    if not any(c.role == "value" for c in columns) and not problems:
        problems.append(context.problem(cell_name(row, label_column), "the table has no value column",
                                        layout_expectation(layout)))  # fmt: skip
    unit_column = next((c.index for c in reversed(columns) if c.role == "unit"), None)
    first_data_row = header.rows[-1] + 1
    found_unit_line = unit_line(source.sheet, row)
    return Table(layout, label_column, unit_column, first_data_row, columns, found_unit_line, problems, header.merges)


def title_year_problems(context: Context, header_row: int) -> list[Problem]:
    """Report a title above the table that states a year ("… NĂM 2019") other than the folder's.

    A title may name several years ("năm 2020 so với năm 2019"); it is right
    as long as one of them is the folder's year.
    """
    sheet, folder_year = context.sheet, context.source.year
    stated = [
        (int(match.group(1)), sheet.top + i, sheet.left + j, value)
        for i, cells in enumerate(sheet.rows[: header_row - sheet.top])
        for j, value in enumerate(cells)
        if isinstance(value, str)
        for match in _STATED_YEAR.finditer(fold(value))
    ]
    if not stated or any(year == folder_year for year, *_ in stated):
        return []
    year, row, col, value = stated[0]
    return [
        context.problem(cell_name(row, col),
                        f"the title {quote(value)} states the year {year}, "
                        f"but the file is in the folder {folder_year}/",
                        f"the workbooks of {folder_year} in {folder_year}/: move this file to {year}/, "
                        f"or correct the title if its figures are for {folder_year}")
    ]  # fmt: skip
