"""Hold the limits of what ictanalysis reads, and check a file's size and a sheet's extent against them.

Each limit is checked before the work it protects, and its message says what
to do. Every check reads the limits from this module when it runs, so a
deployment (or a test) lowers one by setting it here:
``ictanalysis.workbook.limits.MAX_SHEET_ROWS = 10_000``. The names that
:mod:`ictanalysis.workbook` exports are copies, for reading.
"""

from __future__ import annotations

from pathlib import Path

from ictanalysis.workbook.errors import WorkbookError, count
from ictanalysis.workbook.sheet import cell_name, column_letter

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_PACKAGE_PARTS",
    "MAX_SHEET_CELLS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_UNPACKED_BYTES",
    "check_extent",
    "check_file_size",
]

MAX_FILE_BYTES = 100 * 2**20
"""Largest raw file read, 100 MiB. A department's yearly workbook is well under 5 MiB."""

MAX_UNPACKED_BYTES = 256 * 2**20
"""Largest total size of a zip package's parts once unpacked (.xlsx, .xlsm, .ods), 256 MiB.

Read from the zip's table of contents before anything is unpacked; a sheet of
two million numbers unpacks to about 60 MiB.
"""

MAX_COMPRESSION_RATIO = 100
"""Highest unpacked-to-packed ratio of one part larger than 1 MiB (Apache POI's default).

Real sheets pack 4 to 20 times; a zip bomb, thousands of times.
"""

MAX_PACKAGE_PARTS = 10_000
"""Most parts (files) in a zip package; a workbook has a few dozen."""

MAX_SHEET_ROWS = 100_000
"""Most rows one sheet may span, from its first to its last value; a report table has a few hundred."""

MAX_SHEET_COLUMNS = 1_000
"""Most columns one sheet may span (column ALL); a report table has a few dozen."""

MAX_SHEET_CELLS = 2_000_000
"""Most cells in the rectangle a sheet's values span (about 200 MB once read into Python)."""


def check_file_size(path: Path, suffix: str) -> None:
    """Refuse an empty file, or one larger than :data:`MAX_FILE_BYTES`, before any of it is read."""
    size = path.stat().st_size
    if size == 0:
        raise WorkbookError(f"the file is empty (0 bytes); expected a {suffix} workbook")
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"the file is {count(size // 2**20)} MiB, larger than the {count(MAX_FILE_BYTES // 2**20)} MiB "
            "ictanalysis reads",
            "a yearly report of a few MiB: remove what is not the year's figures (pictures, other tables, "
            "unused rows) or split the file",
        )


def check_extent(
    name: str, first: tuple[int, int], last_row_cell: tuple[int, int], last_col_cell: tuple[int, int]
) -> None:
    """Refuse a sheet whose values span more rows, columns or cells than the limits allow."""
    rows, cols = last_row_cell[0] - first[0] + 1, last_col_cell[1] - first[1] + 1
    span = f"{cell_name(*first)}:{cell_name(last_row_cell[0], last_col_cell[1])}"
    if rows > MAX_SHEET_ROWS:
        raise WorkbookError(
            f"the sheet's values reach row {count(last_row_cell[0] + 1)} ({span}, {count(rows)} rows), more than "
            f"the {count(MAX_SHEET_ROWS)} rows ictanalysis reads from one sheet",
            "one table of at most that many rows: delete the rows below the table, or move other data to another file",
            sheet=name, cell=cell_name(*last_row_cell),
        )  # fmt: skip
    if cols > MAX_SHEET_COLUMNS:
        raise WorkbookError(
            f"the sheet's values reach column {column_letter(last_col_cell[1])} ({span}, {count(cols)} columns), "
            f"more than the {count(MAX_SHEET_COLUMNS)} columns ictanalysis reads from one sheet",
            "one table of at most that many columns: delete the columns to the right of the table",
            sheet=name, cell=cell_name(*last_col_cell),
        )  # fmt: skip
    if rows * cols > MAX_SHEET_CELLS:
        raise WorkbookError(
            f"the sheet's values span {span}, {count(rows * cols)} cells, more than the "
            f"{count(MAX_SHEET_CELLS)} ictanalysis reads from one sheet",
            "one table of the year's figures: delete what is not part of it, or split it into several sheets",
            sheet=name, cell=cell_name(last_row_cell[0], last_col_cell[1]),
        )  # fmt: skip
