"""Read a .csv file (comma-, semicolon- or tab-separated, UTF-8 or Windows-1258) into one :class:`Sheet`.

Each row keeps the fields its line holds, no more: a line with more fields
than the table's header (a comma-separated file with decimal commas) is
refused by the reader of the table, which knows where the header ends.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import ictanalysis.workbook.limits as limits
from ictanalysis.workbook.errors import WorkbookError, count
from ictanalysis.workbook.sheet import Sheet, cell_name

__all__ = ["read_csv"]


def read_csv(path: Path) -> Sheet:
    """Read the file at `path` as one sheet named after the file, refusing one beyond the sheet limits."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly any byte string
        raise WorkbookError("cannot be decoded: expected UTF-8 or Windows-1258 text")
    if "\x00" in text:
        raise WorkbookError("is not a text file: expected comma- or semicolon-separated text")
    separator = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    rows, cells = [], 0
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            cells += len(row)
            if _beyond_limits(len(rows), len(row), cells):
                raise _csv_too_large(path.stem, len(rows), len(row))
    except csv.Error as exc:
        raise WorkbookError(
            f"line {reader.line_num} cannot be read as CSV ({exc})",
            "comma- or semicolon-separated text as Excel or LibreOffice saves it, with cells under 128 KiB",
            sheet=path.stem, cell=cell_name(len(rows), 0),
        ) from None  # fmt: skip
    return Sheet(name=path.stem, rows=rows, separator=separator)


def _beyond_limits(rows: int, width: int, cells: int) -> bool:
    return rows > limits.MAX_SHEET_ROWS or width > limits.MAX_SHEET_COLUMNS or cells > limits.MAX_SHEET_CELLS


def _csv_too_large(name: str, rows: int, width: int) -> WorkbookError:
    return WorkbookError(
        f"the file goes past {count(limits.MAX_SHEET_ROWS)} rows, {count(limits.MAX_SHEET_COLUMNS)} columns or "
        f"{count(limits.MAX_SHEET_CELLS)} cells, the most ictanalysis reads from one sheet",
        "one table of the year's figures: delete what is not part of it, or split the file",
        sheet=name, cell=cell_name(rows - 1, width - 1),
    )  # fmt: skip


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    return max(counts, key=counts.get) if any(counts.values()) else ","
