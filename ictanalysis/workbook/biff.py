"""Scan an .xls workbook stream's BIFF records as calamine reads them: each sheet's extent, error and percent cells.

calamine reserves a cell for each cell a sheet's DIMENSIONS record declares
and lays the cells it meets out as a dense grid (MS-XLS): both are measured
here against the sheet limits first. calamine reads error cells as empty, and
a percent-formatted cell as its fraction (0.985 for 98,5 %) without saying it
is one: both are collected here. A cell record names its style (an XF record
of the workbook globals, by its place), and the style its number format (a
built-in one, or a FORMAT record of the globals).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ictanalysis.workbook.errors import WorkbookError
from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.formats import PERCENT_BUILTIN, shows_percent
from ictanalysis.workbook.limits import check_extent

__all__ = ["check_biff"]

_BIFF_EOF, _BIFF_BOF, _BIFF_BOUNDSHEET, _BIFF_SST, _BIFF_DIMENSIONS, _BIFF_MULRK = 0x0A, 0x0809, 0x85, 0xFC, 0x200, 0xBD
_BIFF_FORMAT, _BIFF_XF = 0x041E, 0xE0
_BIFF8 = 0x0600  # the version a BOF record gives for Excel 97 and later (0x0500 for Excel 5 and 95)
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}  # fmt: skip
_BIFF_CELLS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}  # the cell records calamine lays out, besides MULRK


def check_biff(stream: bytes, damaged: WorkbookError) -> dict[str, SheetFacts]:
    """Check the workbook stream as calamine reads it: globals first, then each sheet from its BOUNDSHEET offset.

    Each sheet's declared used range (DIMENSIONS) and the extent of its cells
    must be within the sheet limits, and the shared-string count within the
    stream. Returns each sheet's facts: its error cells and its percent-formatted cells.
    """
    book = _Globals()
    for kind, body in _biff_records(stream, 0):
        if kind == _BIFF_SST and len(body) >= 8 and _uint(body[4:8]) > len(stream):
            raise damaged
        book.read(kind, body)
    percent_styles = book.percent_styles()
    return {name: _check_sheet(stream, start, name, percent_styles, damaged) for start, name in book.sheets.items()}


@dataclass
class _Globals:
    """What the workbook globals say: where each sheet starts, and which cell styles show a percentage."""

    sheets: dict[int, str] = field(default_factory=dict)  # the offset of a sheet's BOF record → its name
    formats: dict[int, str] = field(default_factory=dict)  # a FORMAT record's number format index → its code
    styles: list[int] = field(default_factory=list)  # each XF record's number format index, in their order
    version: int = _BIFF8

    def read(self, kind: int, body: bytes) -> None:
        """Take what one record of the globals says."""
        if kind == _BIFF_BOUNDSHEET and len(body) >= 8:
            self.sheets[_uint(body[:4])] = _biff_name(body)
        elif kind == _BIFF_BOF and len(body) >= 2:
            self.version = _uint(body[:2])
        elif kind == _BIFF_FORMAT and len(body) >= 3:
            self.formats[_uint(body[:2])] = _format_code(body, self.version)
        elif kind == _BIFF_XF and len(body) >= 4:
            self.styles.append(_uint(body[2:4]))

    def percent_styles(self) -> frozenset[int]:
        """Return the indexes of the styles (XF records) whose number format shows a percentage."""
        percent = PERCENT_BUILTIN | {index for index, code in self.formats.items() if shows_percent(code)}
        return frozenset(i for i, number_format in enumerate(self.styles) if number_format in percent)


def _check_sheet(
    stream: bytes, start: int, name: str, percent_styles: frozenset[int], damaged: WorkbookError
) -> SheetFacts:
    """Check one sheet's records from its BOF at `start`; return its facts."""
    facts = SheetFacts()
    for kind, body in _biff_records(stream, start):
        if kind == _BIFF_DIMENSIONS and len(body) in (10, 14):
            _check_dimensions(name, body, damaged)
        elif kind in _BIFF_CELLS and len(body) >= 4:
            facts.widen([(_uint(body[:2]), _uint(body[2:4]))])
        elif kind == _BIFF_MULRK and len(body) >= 6:
            facts.widen([(_uint(body[:2]), _uint(body[2:4])), (_uint(body[:2]), _uint(body[-2:]))])
        if (error := _biff_error(kind, body)) is not None:
            facts.errors[_uint(body[:2]), _uint(body[2:4])] = error
        if percent_styles and (cells := _styled_cells(kind, body, percent_styles)):
            facts.widen(cells)
            facts.check(name)  # before the cells are kept: a sheet beyond the limits is refused first
            facts.percent.update(cells)
    facts.check(name)
    return facts


def _styled_cells(kind: int, body: bytes, styles: frozenset[int]) -> list[tuple[int, int]]:
    """Return the cells of a cell record (or of a MULRK record's run) whose style is one of `styles`.

    Every cell record starts with its row, its column and its style's index;
    a MULRK record holds a run of numbers in one row, each with its style.
    """
    if kind in _BIFF_CELLS and len(body) >= 6:
        return [(_uint(body[:2]), _uint(body[2:4]))] if _uint(body[4:6]) in styles else []
    if kind != _BIFF_MULRK or len(body) < 12:
        return []
    row, first = _uint(body[:2]), _uint(body[2:4])
    runs = (len(body) - 6) // 6  # each: the style's index (2 bytes), then the number (4 bytes)
    return [(row, first + i) for i in range(runs) if _uint(body[4 + 6 * i : 6 + 6 * i]) in styles]


def _format_code(body: bytes, version: int) -> str:
    """Return the code of a FORMAT record's number format ("0.0%"): a UTF-16 or 8-bit string since BIFF8."""
    if version < _BIFF8:
        return body[3 : 3 + body[2]].decode("cp1252", errors="replace")
    if len(body) < 5:
        return ""
    length, wide = _uint(body[2:4]), body[4] & 1
    text = body[5 : 5 + length * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "latin-1", errors="replace")


def _biff_error(kind: int, body: bytes) -> str | None:
    """Return the error value (#REF!…) of a BOOLERR record, or of a FORMULA record whose stored result is one."""
    if kind == 0x0205 and len(body) >= 8 and body[7] == 1:
        return _BIFF_ERRORS.get(body[6], "#VALUE!")
    if kind == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
        return _BIFF_ERRORS.get(body[8], "#VALUE!")
    return None


def _check_dimensions(name: str, body: bytes, damaged: WorkbookError) -> None:
    """Check the used range a DIMENSIONS record declares: calamine reserves a cell for each of its cells."""
    width = 2 if len(body) == 10 else 4  # row numbers take 16 bits before BIFF8, 32 since
    first_row, end_row = _uint(body[:width]), _uint(body[width : 2 * width])
    first_col, end_col = _uint(body[2 * width : 2 * width + 2]), _uint(body[2 * width + 2 : 2 * width + 4])
    if end_row == 0 or end_col == 0:
        return  # an empty sheet: calamine reserves one cell
    if first_row >= end_row or first_col >= end_col:
        raise damaged  # calamine's unsigned subtraction would wrap round to billions of cells
    check_extent(name, (first_row, first_col), (end_row - 1, first_col), (first_row, end_col - 1))


def _biff_records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """Yield (type, body) of the records from `start` to the end-of-file record."""
    position = start
    while position + 4 <= len(stream):
        kind, size = _uint(stream[position : position + 2]), _uint(stream[position + 2 : position + 4])
        yield kind, stream[position + 4 : position + 4 + size]
        if kind == _BIFF_EOF:
            return
        position += 4 + size


def _biff_name(boundsheet: bytes) -> str:
    """Return a sheet's name from its BOUNDSHEET record (BIFF8: UTF-16 when its flag says so)."""
    length, wide = boundsheet[6], boundsheet[7] & 1
    text = boundsheet[8 : 8 + length * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "cp1252", errors="replace")


def _uint(data: bytes) -> int:
    return int.from_bytes(data, "little")
