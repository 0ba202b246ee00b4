"""Scan an .xls workbook stream's BIFF records as calamine reads them: each sheet's extent, and its error cells.

calamine reserves a cell for each cell a sheet's DIMENSIONS record declares
and lays the cells it meets out as a dense grid (MS-XLS): both are measured
here against the sheet limits first. calamine reads error cells as empty;
they are collected here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ictanalysis.workbook.errors import WorkbookError
from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.limits import check_extent

__all__ = ["check_biff"]

_BIFF_EOF, _BIFF_BOF, _BIFF_BOUNDSHEET, _BIFF_SST, _BIFF_DIMENSIONS, _BIFF_MULRK = 0x0A, 0x0809, 0x85, 0xFC, 0x200, 0xBD
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}  # fmt: skip
_BIFF_CELLS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}  # the cell records calamine lays out, and MULRK


def check_biff(stream: bytes, damaged: WorkbookError) -> dict[str, SheetFacts]:
    """Check the workbook stream as calamine reads it: globals first, then each sheet from its BOUNDSHEET offset.

    Each sheet's declared used range (DIMENSIONS) and the extent of its cells
    must be within the sheet limits, and the shared-string count within the
    stream. Returns each sheet's facts: its error cells.
    """
    sheets, found = {}, {}
    for kind, body in _biff_records(stream, 0):
        if kind == _BIFF_BOUNDSHEET and len(body) >= 8:
            sheets[_uint(body[:4])] = _biff_name(body)
        elif kind == _BIFF_SST and len(body) >= 8 and _uint(body[4:8]) > len(stream):
            raise damaged
    for start, name in sheets.items():
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
        facts.check(name)
        found[name] = facts
    return found


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
