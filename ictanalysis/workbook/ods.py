"""Measure every table of an OpenDocument spreadsheet (.ods) before calamine lays it out; find percent and merged cells.

A row or cell may stand for many (``number-rows-repeated``,
``number-columns-repeated``): calamine lays repeated cells with a value out
one by one, so 800 bytes can ask for a grid of a hundred million cells. The
tags are followed in the XML's pieces without parsing it. calamine reads a
percentage cell (``office:value-type="percentage"``) as its fraction (0.985
for 98,5 %) without saying it is one, and gives no merged ranges for an .ods:
both are collected here. A merged range is a cell that spans it
(``number-rows-spanned``, ``number-columns-spanned``), the other cells of the
range being covered cells (``table:covered-table-cell``), which take their
places in the row like any cell. A spanned cell is kept once, with the
repeats of its row and of itself (six numbers, :data:`SPAN_FIELDS`), and its
copies are laid out only where they reach into the used range
(:func:`span_ranges`): a row with a span repeated a billion times costs what
the used range holds.
"""

from __future__ import annotations

import re
import zipfile
from array import array
from collections.abc import Iterator
from html import unescape

import ictanalysis.workbook.limits as limits
from ictanalysis.workbook.errors import SAVE_AS_XLSX, WorkbookError, count
from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.parts import PREFIX, part_pieces
from ictanalysis.workbook.sheet import cell_name

__all__ = ["SPAN_FIELDS", "OdsExtent", "scan_document", "span_ranges"]

_ODS_TAG = re.compile(rb"<(/?)" + PREFIX + rb"(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb"\b" + PREFIX + rb"number-(?:rows|columns)-repeated=[\"']([0-9]+)[\"']")
_ODS_SPAN = re.compile(rb"\s" + PREFIX + rb"number-(rows|columns)-spanned=[\"']([0-9]+)[\"']")
_ODS_VALUE = re.compile(rb"\b" + PREFIX + rb"value-type=")
_ODS_PERCENT = re.compile(rb"\b" + PREFIX + rb"value-type=[\"']percentage[\"']")
_ODS_NAME = re.compile(rb"\s" + PREFIX + rb"name=(?:\"([^\"]*)\"|'([^']*)')")  # not table:style-name; "Q'ty" whole
_CONTENT = "content.xml"  # the part that holds the tables calamine reads
_FAR = 2**62  # beyond any cell calamine can place (it counts rows and columns in 32 bits): clamped, not stored as is

SPAN_FIELDS = 6
"""The numbers kept for each spanned cell: first row, first column, last row, last column of its range, then
how many times its row is repeated and how many times the cell itself is (each copy one row, or one column, on)."""


def scan_document(archive: zipfile.ZipFile, lead: str) -> dict[str, SheetFacts]:
    """Follow the tables of every part of an .ods package, refusing a DTD or a table beyond the limits.

    Returns the facts of each table of the document's content: its percentage cells and its spanned cells.
    """
    found: dict[str, SheetFacts] = {}
    for info in archive.infolist():
        extent = OdsExtent()
        extent.scan(part_pieces(archive, info, lead))
        if info.filename == _CONTENT:
            found = extent.tables
    return found


def span_ranges(spans: array, top: int, left: int, bottom: int, right: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """Yield the merged ranges the spanned cells make that reach into rows top–bottom and columns left–right.

    Each as calamine gives a merged range, ``((first_row, first_col), (last_row, last_col))``, 0-based and
    inclusive, not cut; the copies of a repeated spanned cell outside those rows and columns are skipped unseen.
    """
    for i in range(0, len(spans), SPAN_FIELDS):
        r0, c0, r1, c1, rows, cols = spans[i : i + SPAN_FIELDS]
        for down in range(max(0, top - r1), min(rows, bottom - r0 + 1)):
            for across in range(max(0, left - c1), min(cols, right - c0 + 1)):
                yield (r0 + down, c0 + across), (r1 + down, c1 + across)


class OdsExtent:
    """The extent, percentage and spanned cells of each table in an OpenDocument part, followed tag by tag."""

    def __init__(self) -> None:
        self.name, self.facts = "", SheetFacts()
        self.tables: dict[str, SheetFacts] = {}  # each table's facts, by its name
        self.row, self.col, self.repeat = 0, 0, 1
        self.first_col, self.last_col = -1, -1  # of the values in the current row
        self.spanned = 0  # the spanned cells kept, in all tables of the part

    def scan(self, pieces: Iterator[bytes]) -> None:
        """Follow every table, row and cell tag of the pieces, refusing a table beyond the limits."""
        for piece in pieces:
            for closing, element, attributes, empty in _ODS_TAG.findall(piece):
                if element == b"table":
                    self._table(closing, attributes)
                elif element == b"table-row":
                    self._row(closing, attributes, empty)
                elif not closing:
                    self._cell(element, attributes, empty)

    def _table(self, closing: bytes, attributes: bytes) -> None:
        if not closing:
            name = _ODS_NAME.search(attributes)
            self.name = unescape((name.group(1) or name.group(2) or b"").decode(errors="replace")) if name else ""
            if self.name in self.tables:  # its facts would be another table's
                raise WorkbookError(f"two tables are named {self.name!r}, which LibreOffice never writes",
                                    SAVE_AS_XLSX, sheet=self.name)  # fmt: skip
            self.facts, self.row = SheetFacts(spans=array("q")), 0
            self.tables[self.name] = self.facts

    def _row(self, closing: bytes, attributes: bytes, empty: bytes) -> None:
        if not closing:
            self.repeat, self.col, self.first_col, self.last_col = _repeated(attributes), 0, -1, -1
        if closing or empty:
            if self.last_col >= 0:
                self.facts.widen([(self.row, self.first_col), (self.row + self.repeat - 1, self.last_col)])
                self.facts.check(self.name)
            self.row += self.repeat

    def _cell(self, element: bytes, attributes: bytes, empty: bytes) -> None:
        copies = _repeated(attributes)
        if _ODS_VALUE.search(attributes) or not empty:
            self.first_col = self.col if self.first_col < 0 else self.first_col
            self.last_col = self.col + copies - 1
        if _ODS_PERCENT.search(attributes):
            self._percent(copies)
        if element == b"table-cell" and b"-spanned" in attributes:
            spanned = dict(_ODS_SPAN.findall(attributes))
            self._span(_number(spanned.get(b"rows", b"1")), _number(spanned.get(b"columns", b"1")), copies)
        self.col += copies

    def _percent(self, copies: int) -> None:
        """Keep the cells a percentage cell stands for, once the table with them is known to be within the limits."""
        rows, cols = range(self.row, self.row + self.repeat), range(self.col, self.col + copies)
        self.facts.widen([(rows[0], cols[0]), (rows[-1], cols[-1])])
        self.facts.check(self.name)
        self.facts.percent.update((row, col) for row in rows for col in cols)

    def _span(self, rows: int, cols: int, copies: int) -> None:
        """Keep the merged range a cell spans (`rows` by `cols` cells), with the repeats of its row and of itself.

        A spanned cell repeated along its own span (a row spanning two rows, repeated) would overlap itself.
        A sheet within the limits holds at most half as many merged ranges as cells: a part that declares more,
        in all its tables, is refused before they are kept.
        """
        if rows <= 1 and cols <= 1:
            return  # a cell that spans itself only (or none, spanning 0)
        rows, cols = max(rows, 1), max(cols, 1)
        if (rows > 1 and self.repeat > 1) or (cols > 1 and copies > 1):
            raise WorkbookError(
                f"the sheet's merged ranges overlap, which Excel and LibreOffice never write: the cell spanning "
                f"{_count_of(rows, 'row')} and {_count_of(cols, 'column')} is repeated "
                f"{count(self.repeat if rows > 1 else copies)} times over its own span",
                SAVE_AS_XLSX, sheet=self.name, cell=cell_name(self.row, self.col),
            )  # fmt: skip
        most = limits.MAX_SHEET_CELLS // 2
        if self.spanned >= most:
            raise WorkbookError(
                f"the workbook declares more than the {count(most)} merged ranges a sheet of at most "
                f"{count(limits.MAX_SHEET_CELLS)} cells can hold",
                "one table of the year's figures with a few merged header cells: unmerge the cells outside it",
                sheet=self.name, cell=cell_name(self.row, self.col),
            )  # fmt: skip
        first = (self.row, self.col, self.row + rows - 1, self.col + cols - 1, self.repeat, copies)
        self.facts.spans.extend(first if max(first) < _FAR else [min(number, _FAR) for number in first])
        self.spanned += 1


def _count_of(number: int, what: str) -> str:
    """Return a count with its noun ("1 row", "2 columns").

    >>> _count_of(1, "row"), _count_of(1000, "column")
    ('1 row', '1.000 columns')
    """
    return f"{count(number)} {what}{'' if number == 1 else 's'}"


def _repeated(attributes: bytes) -> int:
    repeat = _ODS_REPEAT.search(attributes)
    return max(_number(repeat.group(1)), 1) if repeat else 1


def _number(digits: bytes) -> int:
    """Return a count the XML writes, at most :data:`_FAR` (Python refuses to read an int of 4.300 digits and more).

    >>> _number(b"3"), _number(b"9" * 5000) == _FAR
    (3, True)
    """
    return min(int(digits), _FAR) if len(digits) <= 19 else _FAR
