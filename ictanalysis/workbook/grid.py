"""Read a checked workbook's sheets with python-calamine into :class:`Sheet` grids, with the facts the scans found.

calamine's grid of each sheet is measured once more before it becomes
Python objects, and whatever calamine raises (several unrelated types, and a
Rust panic that is no Exception) ends in a :class:`WorkbookError`. The merged
ranges of an .ods sheet, which calamine does not give, are those its scan read
from the spanned cells of its content.xml; where calamine gives some too,
they must be the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from pathlib import Path

from ictanalysis.workbook.errors import SAVE_AS_XLSX, SEND_AGAIN, UNPROTECT, WorkbookError
from ictanalysis.workbook.facts import NO_FACTS, SheetFacts
from ictanalysis.workbook.limits import check_extent
from ictanalysis.workbook.ods import span_ranges
from ictanalysis.workbook.sheet import Sheet, cell_name

__all__ = ["merged_ranges", "read_spreadsheet"]

Merged = tuple[tuple[int, int, int, int], ...]  # (first_row, first_col, last_row, last_col), 0-based, inclusive


def read_spreadsheet(path: Path, suffix: str, facts: dict[str, SheetFacts]) -> list[Sheet]:
    """Read every sheet of the workbook at `path` with calamine, adding each sheet's `facts`."""
    import python_calamine

    lead = f"cannot be read as a {suffix} workbook: "
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return [_read_sheet(book, meta, _facts_of(facts, meta.name, suffix)) for meta in book.sheets_metadata]
    except WorkbookError:
        raise
    except python_calamine.PasswordError:
        raise WorkbookError(lead + "it is password-protected or encrypted", UNPROTECT) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # calamine raises several unrelated types, and a Rust panic is no Exception
        raise WorkbookError(
            lead + f"the file is damaged or of another kind (reader said {type(exc).__name__}: {_first_line(exc)})",
            SEND_AGAIN,
        ) from None


def _facts_of(facts: dict[str, SheetFacts], name: str, suffix: str) -> SheetFacts:
    """Return what the scan found about the sheet `name`; every table of an .ods was scanned, or none is read."""
    if name in facts or suffix != ".ods":
        return facts.get(name, NO_FACTS)
    raise WorkbookError(
        f"the reader found a sheet {name!r} that is no table of the file's content.xml, so its percentages and merged "
        "cells are unknown", SEND_AGAIN, sheet=name,
    )  # fmt: skip


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines() or [""]
    return lines[0] if len(lines[0]) <= 160 else lines[0][:159] + "…"


def _read_sheet(book, meta, facts: SheetFacts) -> Sheet:
    import python_calamine

    if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
        return Sheet(name=meta.name, rows=[], hidden=True)
    sheet = book.get_sheet_by_name(meta.name)
    if sheet.height and sheet.width:  # calamine's grid, measured before it becomes Python objects
        (r0, c0), (r1, c1) = sheet.start, sheet.end
        check_extent(meta.name, (r0, c0), (r1, c0), (r0, c1))
    rows = sheet.to_python(skip_empty_area=True)
    top, left = sheet.start if rows else (0, 0)
    return Sheet(
        name=meta.name,
        rows=rows,
        top=top,
        left=left,
        hidden=meta.visible != python_calamine.SheetVisibleEnum.Visible,
        merged=merged_ranges(meta.name, sheet.merged_cell_ranges or (), facts.spans, top, left, rows),
        uncached_formulas=frozenset(facts.uncached),
        percent_cells=frozenset(facts.percent),
        error_cells=dict(facts.errors),
        hidden_rows=frozenset(facts.hidden_rows),
        hidden_columns=frozenset(facts.hidden_columns),
    )


def merged_ranges(name: str, ranges: Iterable, spans: array | None, top: int, left: int, rows: list[list]) -> Merged:
    """Return a sheet's merged ranges cut to its used range: calamine's `ranges`, or those of an .ods scan's `spans`.

    calamine gives none for an .ods; should it give some, they must be the
    ones the scan read. A sheet whose two readings disagree is refused.
    """
    theirs = _merged_within(name, ranges, top, left, rows)
    if spans is None:
        return theirs
    bottom, right = top + len(rows) - 1, left + max((len(r) for r in rows), default=0) - 1
    ours = _merged_within(name, span_ranges(spans, top, left, bottom, right), top, left, rows)
    if theirs and sorted(theirs) != sorted(ours):
        raise WorkbookError(
            f"the sheet's merged ranges disagree: its content.xml spans {_shown(ours)}, the reader gives "
            f"{_shown(theirs)}", SEND_AGAIN, sheet=name,
        )  # fmt: skip
    return ours


def _shown(merged: Merged) -> str:
    """Name merged ranges the way spreadsheets do ("A1:B1, C4:D5"), the first few of them."""
    names = [f"{cell_name(r0, c0)}:{cell_name(r1, c1)}" for r0, c0, r1, c1 in sorted(merged)[:4]]
    return ", ".join(names) + (", …" if len(merged) > 4 else "") if names else "none"


def _merged_within(name: str, ranges: Iterable, top: int, left: int, rows: list[list]) -> Merged:
    """Return the merged ranges cut to the used range; refuse overlapping ones (Excel never writes them).

    Each cell of the used range is marked as its range is taken: a cell in
    two ranges is refused at once, so the merged cells taken are never more
    than the used range's cells, and a sheet of a million merged ranges cannot exhaust memory.
    """
    bottom, width = top + len(rows) - 1, max((len(r) for r in rows), default=0)
    right, taken, merged = left + width - 1, bytearray(len(rows) * width), []
    for (r0, c0), (r1, c1) in ranges:
        r0, c0, r1, c1 = max(r0, top), max(c0, left), min(r1, bottom), min(c1, right)
        if r0 > r1 or c0 > c1:
            continue
        for row in range(r0 - top, r1 - top + 1):
            start, end = row * width + c0 - left, row * width + c1 - left + 1
            if taken.find(1, start, end) >= 0:
                raise WorkbookError(
                    "the sheet's merged ranges overlap, which Excel and LibreOffice never write",
                    SAVE_AS_XLSX, sheet=name,
                )  # fmt: skip
            taken[start:end] = b"\x01" * (end - start)
        merged.append((r0, c0, r1, c1))
    return tuple(merged)
