"""Say which rows are a table's header: the row a layout looks for, the block below it, each column's texts.

A table is found by its label header ("Đơn vị hành chính", "Doanh nghiệp",
"Chỉ tiêu"…). Its header block is as tall as the merged cells starting on that
row, plus a row of column numbers right below it; a column's header path is
its text on each header row, merged cells filled and repeats dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ictanalysis.extract.context import cell_text
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold, strip_footnotes
from ictanalysis.workbook import Sheet, cell_name

__all__ = ["Header", "Heading", "find_anchor", "header_rows", "label_rows_header", "merge_origins", "year_rows_anchor"]

_COLUMN_NUMBER = re.compile(r"^\s*+\(?\s*+(?:[0-9]{1,2}|[A-Z])\s*+\)?\s*+(?:[=+*/x-].*)?$")  # possessive: linear
_SEARCHED_ROWS = 200  # a table's header is among a sheet's first rows
_YEAR_LABEL = re.compile(r"(?:(?:so bo|prel|nam|year)\s)*(?:19|20)\d\d(?:\s(?:so bo|prel))*")  # folded
_NUMBER_TEXT = re.compile(r"[-+(]?\d[\d.,\s]*+\)?%?")


def find_anchor(sheet: Sheet, layout: Layout, year: int | None = None) -> tuple[int, int] | None:
    """Return (row, label column) of the header row the layout looks for, or None.

    A layout whose label header may be blank ("") is anchored on a row that
    holds one of its unit or value headers (`{year}` is `year`, the folder's),
    its label column the first one filled below it, whose header cell is blank.
    A blank label header of a table whose rows are years is found by the years:
    the header is the rows right above the first year label ("2015", "Sơ bộ -
    Prel. 2020"), blank in the label column (see :func:`year_rows_anchor`).

    Example:
        >>> sheet = Sheet(name="TB", rows=[["Báo cáo"], ["STT", "Địa bàn", "Dân số"]])
        >>> find_anchor(sheet, Layout(id="demo", description="demo", label_headers=("Địa bàn",)))
        (1, 1)
    """
    wanted = {fold(h) for h in layout.label_headers if h}
    secondary = {fold(h.replace("{year}", str(year))) for h in layout.anchor_headers if year is not None or "{" not in h}
    blank = "" in layout.label_headers
    for i, cells in enumerate(sheet.rows[:_SEARCHED_ROWS]):
        texts = [(j, fold(strip_footnotes(v)[0])) for j, v in enumerate(cells) if isinstance(v, str) and v.strip()]
        for j, text in texts:
            if text in wanted:
                return sheet.top + i, sheet.left + j
        if blank and any(text in secondary for _, text in texts):
            label = _first_filled(sheet, i)
            if label >= len(cells) or cells[label] in ("", None):  # the cell above the labels is blank
                return sheet.top + i, sheet.left + label
    return year_rows_anchor(sheet) if blank and layout.rows == "year" else None


def _first_filled(sheet: Sheet, i: int) -> int:
    """Return the first column (relative) that has any value below row `i`."""
    below = sheet.rows[i + 1 : i + 50]
    return min((j for r in below for j, v in enumerate(r) if v not in ("", None)), default=0)


def _is_year_label(value) -> bool:
    """Tell whether a cell is a row label that is a year ("2015", 2015, "Sơ bộ - Prel. 2020")."""
    text = cell_text(value)
    return bool(text) and _YEAR_LABEL.fullmatch(fold(text)) is not None


def year_rows_anchor(sheet: Sheet) -> tuple[int, int] | None:
    """Return (first header row, label column) of a table whose rows are years under a blank label header.

    The first year label with a number to its right starts the data; the
    header is the block of rows right above it that are blank in the label
    column and hold text to its right, without a unit line ("Đơn vị tính: …")
    at its top.

    Example:
        >>> rows = [["Số thuê bao"], ["", "Tổng số", "Cố định"], ["2019", 5, 1], ["Sơ bộ 2020", 6, 2]]
        >>> year_rows_anchor(Sheet(name="TB", rows=rows))
        (1, 0)
    """
    for i, cells in enumerate(sheet.rows[:_SEARCHED_ROWS]):
        j = next((j for j, v in enumerate(cells) if v not in ("", None)), None)
        if j is None or not _is_year_label(cells[j]) or not any(_numeric(v) for v in cells[j + 1 :]):
            continue
        block = [r for r in _rows_above(sheet, i, j)]
        while block and _is_unit_line(sheet.rows[block[0]], j):
            block.pop(0)
        return (sheet.top + block[0], sheet.left + j) if block else None
    return None


def _rows_above(sheet: Sheet, i: int, j: int) -> list[int]:
    """Return the rows (relative) right above row `i` that are blank in column `j` and hold text to its right."""
    block = []
    for r in range(i - 1, -1, -1):
        cells = sheet.rows[r]
        if (j < len(cells) and cells[j] not in ("", None)) or not any(v not in ("", None) for v in cells[j + 1 :]):
            break
        block.insert(0, r)
    return block


def _is_unit_line(cells: list, j: int) -> bool:
    """Tell whether a row right of column `j` holds a unit line only ("Đơn vị tính: Nghìn thuê bao")."""
    texts = [fold(cell_text(v)) for v in cells[j + 1 :] if v not in ("", None)]
    return len(texts) == 1 and texts[0].startswith(("don vi tinh", "dvt", "unit", "don vi"))


def _numeric(value) -> bool:
    """Tell whether a cell holds a number or number-like text (digits with separators)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()) is not None


def label_rows_header(sheet: Sheet, row: int, label_column: int) -> Header:
    """Return the header of a table whose rows are years: from `row` to the row before the first year label."""
    last = row
    while last + 1 < sheet.top + sheet.height and not _is_year_label(sheet.value(last + 1, label_column)):
        last += 1
    return Header(sheet, tuple(range(row, last + 1)), label_column, merge_origins(sheet))


def merge_origins(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int]]:
    """Map each cell inside a merged range to the range's top-left cell.

    Example:
        >>> merge_origins(Sheet(name="TB", rows=[["a", ""]], merged=((0, 0, 0, 1),)))
        {(0, 0): (0, 0), (0, 1): (0, 0)}
    """
    origins = {}
    for r0, c0, r1, c1 in sheet.merged:  # cut to the used range, never overlapping (ictanalysis.workbook.grid)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                origins[(r, c)] = (r0, c0)
    return origins


def header_rows(sheet: Sheet, row: int) -> list[int]:
    """Return the rows of the header block that starts at `row`.

    The block is as tall as the merged cells that start on its first row,
    plus a row of column numbers ("(1)", "(2)"… or "A", "B"…) right below it.

    Example:
        >>> rows = [["Địa bàn", "Thuê bao"], ["", "VNPT"], ["(1)", "(2)"], ["Bác Ái", 5]]
        >>> header_rows(Sheet(name="TB", rows=rows, merged=((0, 0, 1, 0),)), 0)
        [0, 1, 2]
    """
    last = row
    for r0, _c0, r1, _c1 in sheet.merged:
        if r0 == row and r1 - r0 < 6:
            last = max(last, r1)
    numbers = [v for v in sheet.rows[last + 1 - sheet.top] if v not in ("", None)] if last + 1 < sheet.top + sheet.height else []
    if numbers and all(isinstance(v, str) and _COLUMN_NUMBER.match(v) for v in numbers):
        last += 1
    return list(range(row, last + 1))


@dataclass(frozen=True)
class Heading:
    """What one column's header says: its texts top to bottom and the cell of the last one."""

    index: int
    path: tuple[str, ...]
    cell: str

    @property
    def text(self) -> str:
        """Return the header as one text, its parts joined by " / "."""
        return " / ".join(self.path)


@dataclass(frozen=True)
class Header:
    """Where a table's header is: its rows, its label column and the merged cells that fill it."""

    sheet: Sheet
    rows: tuple[int, ...]
    label_column: int
    merges: dict[tuple[int, int], tuple[int, int]]

    @classmethod
    def at(cls, sheet: Sheet, row: int, label_column: int) -> Header:
        """Return the header block starting at `row`, its labels in `label_column`.

        Example:
            >>> rows = [["Địa bàn", "Thuê bao", ""], ["", "VNPT", "Viettel"], ["Bác Ái", 5, 6]]
            >>> header = Header.at(Sheet(name="TB", rows=rows, merged=((0, 0, 1, 0), (0, 1, 0, 2))), 0, 0)
            >>> header.rows, header.heading(2)
            ((0, 1), Heading(index=2, path=('Thuê bao', 'Viettel'), cell='C2'))
        """
        return cls(sheet, tuple(header_rows(sheet, row)), label_column, merge_origins(sheet))

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """Return the cell whose value shows at (row, col): a merged range's first, or the cell itself."""
        return self.merges.get((row, col), (row, col))

    def heading(self, col: int) -> Heading | None:
        """Return what column `col`'s header says (merged cells filled, repeats dropped), None when nothing."""
        path: list[str] = []
        last_cell = cell_name(self.rows[0], col)
        for r in self.rows:
            text = cell_text(self.sheet.value(*self.origin(r, col)))
            if text and (not path or path[-1] != text):
                path.append(text)
                last_cell = cell_name(r, col)
        return Heading(col, tuple(path), last_cell) if path else None
