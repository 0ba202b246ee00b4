"""Measure the extent of every table in an OpenDocument spreadsheet (.ods) before calamine lays it out.

A row or cell may stand for many (``number-rows-repeated``,
``number-columns-repeated``): calamine lays repeated cells with a value out
one by one, so 800 bytes can ask for a grid of a hundred million cells. The
tags are followed in the XML's pieces without parsing it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from html import unescape

from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.parts import PREFIX, part_pieces

__all__ = ["OdsExtent", "scan_document"]

_ODS_TAG = re.compile(rb"<(/?)" + PREFIX + rb"(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb"\b" + PREFIX + rb"number-(?:rows|columns)-repeated=[\"']([0-9]+)[\"']")
_ODS_VALUE = re.compile(rb"\b" + PREFIX + rb"value-type=")
_ODS_NAME = re.compile(rb"\b" + PREFIX + rb"name=[\"']([^\"']*)[\"']")


def scan_document(archive: zipfile.ZipFile, lead: str) -> None:
    """Follow the tables of every part of an .ods package, refusing a DTD or a table beyond the limits."""
    for info in archive.infolist():
        OdsExtent().scan(part_pieces(archive, info, lead))


class OdsExtent:
    """The extent of each table in an OpenDocument part, followed tag by tag across pieces."""

    def __init__(self) -> None:
        self.name, self.facts = "", SheetFacts()
        self.row, self.col, self.repeat = 0, 0, 1
        self.first_col, self.last_col = -1, -1  # of the values in the current row

    def scan(self, pieces: Iterator[bytes]) -> None:
        """Follow every table, row and cell tag of the pieces, refusing a table beyond the limits."""
        for piece in pieces:
            for closing, element, attributes, empty in _ODS_TAG.findall(piece):
                if element == b"table":
                    self._table(closing, attributes)
                elif element == b"table-row":
                    self._row(closing, attributes, empty)
                elif not closing:
                    self._cell(attributes, empty)

    def _table(self, closing: bytes, attributes: bytes) -> None:
        if not closing:
            name = _ODS_NAME.search(attributes)
            self.name = unescape(name.group(1).decode(errors="replace")) if name else ""
            self.facts, self.row = SheetFacts(), 0

    def _row(self, closing: bytes, attributes: bytes, empty: bytes) -> None:
        if not closing:
            self.repeat, self.col, self.first_col, self.last_col = _repeated(attributes), 0, -1, -1
        if closing or empty:
            if self.last_col >= 0:
                self.facts.widen([(self.row, self.first_col), (self.row + self.repeat - 1, self.last_col)])
                self.facts.check(self.name)
            self.row += self.repeat

    def _cell(self, attributes: bytes, empty: bytes) -> None:
        count = _repeated(attributes)
        if _ODS_VALUE.search(attributes) or not empty:
            self.first_col = self.col if self.first_col < 0 else self.first_col
            self.last_col = self.col + count - 1
        self.col += count


def _repeated(attributes: bytes) -> int:
    repeat = _ODS_REPEAT.search(attributes)
    return max(int(repeat.group(1)), 1) if repeat else 1
