"""Read a checked workbook's sheets with python-calamine into :class:`Sheet` grids, with the facts the scans found.

calamine's grid of each sheet is measured once more before it becomes
Python objects, and whatever calamine raises (several unrelated types, and a
Rust panic that is no Exception) ends in a :class:`WorkbookError`.
"""

from __future__ import annotations

from pathlib import Path

from ictanalysis.workbook.errors import SAVE_AS_XLSX, SEND_AGAIN, UNPROTECT, WorkbookError
from ictanalysis.workbook.facts import NO_FACTS, SheetFacts
from ictanalysis.workbook.limits import check_extent
from ictanalysis.workbook.sheet import Sheet

__all__ = ["read_spreadsheet"]


def read_spreadsheet(path: Path, suffix: str, facts: dict[str, SheetFacts]) -> list[Sheet]:
    """Read every sheet of the workbook at `path` with calamine, adding each sheet's `facts`."""
    import python_calamine

    lead = f"cannot be read as a {suffix} workbook: "
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return [_read_sheet(book, meta, facts.get(meta.name, NO_FACTS)) for meta in book.sheets_metadata]
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
        merged=_merged_within(meta.name, sheet.merged_cell_ranges or (), top, left, rows),
        uncached_formulas=frozenset(facts.uncached),
        percent_cells=frozenset(facts.percent),
        error_cells=dict(facts.errors),
        hidden_rows=frozenset(facts.hidden_rows),
        hidden_columns=frozenset(facts.hidden_columns),
    )


def _merged_within(name: str, ranges, top: int, left: int, rows: list[list]) -> tuple[tuple[int, int, int, int], ...]:
    """Return the merged ranges cut to the used range; refuse overlapping ones (Excel never writes them).

    Cut and without overlaps, the merged cells are never more than the used
    range's cells, so a sheet of a million merged ranges cannot exhaust memory.
    """
    bottom, right = top + len(rows) - 1, left + max((len(r) for r in rows), default=0) - 1
    merged, cells = [], 0
    for (r0, c0), (r1, c1) in ranges:
        r0, c0, r1, c1 = max(r0, top), max(c0, left), min(r1, bottom), min(c1, right)
        if r0 <= r1 and c0 <= c1:
            merged.append((r0, c0, r1, c1))
            cells += (r1 - r0 + 1) * (c1 - c0 + 1)
    if cells > (bottom - top + 1) * (right - left + 1):
        raise WorkbookError(
            "the sheet's merged ranges overlap, which Excel and LibreOffice never write",
            SAVE_AS_XLSX,
            sheet=name,
        )
    return tuple(merged)
