"""Read a workbook as it arrived (.xlsx, .xlsm, .xls, .ods or .csv) into plain grids.

python-calamine does the reading: it is about ten times faster than openpyxl,
reads all three spreadsheet formats, reports hidden sheets and (.xlsx, .xls) merged ranges,
and never evaluates anything. What it cannot tell is added here: from the
.xlsx XML, formula cells without a stored value and error cells (it reads both
as empty), percent-formatted cells, hidden rows and columns; from the .xls
records, error cells and percent-formatted cells; from the .ods XML,
percentage cells and merged ranges (calamine gives none for an .ods); and the
grid of a .csv file. Files are opened read-only; nothing here writes.

Whatever arrives, reading ends in a sheet list or a :class:`WorkbookError`
that says what is wrong and what was expected, never in a crash, a hang or
exhausted memory. Before calamine sees a file: its kind is told from its first
bytes, not its name (:mod:`.kind`); a zip package's table of contents is
checked against the limits before anything is unpacked, and every part is
refused if it declares a DTD, entities that could expand without bound
(:mod:`.package`, :mod:`.parts`); an .xls file's container is opened with
olefile and every sector chain and declared size calamine trusts is checked
(:mod:`.ole2`); and every sheet's extent is measured (from the .xlsx and .ods
XML, from the .xls records: :mod:`.xlsx`, :mod:`.ods`, :mod:`.biff`), because
calamine lays a sheet out as a dense grid: values in A1 and XFD1048576 alone
would ask for 550 GB and abort the process. calamine's grid is measured once
more before it becomes Python objects (:mod:`.grid`).

The limits are read from :mod:`.limits` at each call: lower one there. The
``MAX_*`` names exported here are copies, for reading.
"""

from __future__ import annotations

from pathlib import Path

from ictanalysis.workbook.biff import check_biff
from ictanalysis.workbook.csv import read_csv
from ictanalysis.workbook.errors import SEND_AGAIN, WorkbookError
from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.grid import read_spreadsheet
from ictanalysis.workbook.kind import SPREADSHEET_SUFFIXES, SUFFIX_KINDS, check_kind, kind_of
from ictanalysis.workbook.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_PACKAGE_PARTS,
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_UNPACKED_BYTES,
    check_file_size,
)
from ictanalysis.workbook.package import inspect_package
from ictanalysis.workbook.sheet import Sheet, cell_name, column_letter

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_PACKAGE_PARTS",
    "MAX_SHEET_CELLS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_UNPACKED_BYTES",
    "SPREADSHEET_SUFFIXES",
    "Sheet",
    "WorkbookError",
    "cell_name",
    "column_letter",
    "read_workbook",
]


def read_workbook(path: Path) -> list[Sheet]:
    """Read every sheet of the workbook at `path`, hidden ones flagged.

    Raises:
        WorkbookError: when the file is not a workbook of the kind its name
            says, breaks a limit of this module, or cannot be read; the
            message says what was expected.
        OSError: when the file cannot be opened at all.
    """
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise WorkbookError(f"unsupported file type {suffix!r}: expected one of {', '.join(SPREADSHEET_SUFFIXES)}")
    check_file_size(path, suffix)
    with path.open("rb") as handle:
        head = handle.read(2048)
    check_kind(path, suffix, kind_of(head), head)
    if suffix == ".csv":
        return [read_csv(path)]
    if SUFFIX_KINDS[suffix] == "ole2":
        facts = _inspect_xls(path, suffix)
    else:
        facts = inspect_package(path, suffix)
    return read_spreadsheet(path, suffix, facts)


def _inspect_xls(path: Path, suffix: str) -> dict[str, SheetFacts]:
    """Check an .xls file's container and records before calamine reads it; return each sheet's facts."""
    # olefile, like calamine, is imported when a workbook needs it
    from ictanalysis.workbook.ole2 import workbook_stream

    lead = f"cannot be read as a {suffix} workbook: "
    damaged = WorkbookError(lead + "the file is damaged (its sector chains or sizes are impossible)", SEND_AGAIN)
    stream = workbook_stream(path.read_bytes(), damaged)
    return {} if stream is None else check_biff(stream, damaged)
