"""Read a workbook as it arrived (.xlsx, .xlsm, .xls, .ods or .csv) into plain grids.

python-calamine does the reading: it is about ten times faster than openpyxl,
reads all three spreadsheet formats, reports hidden sheets and merged ranges,
and never evaluates anything. What it cannot tell is added here: from the
.xlsx XML, formula cells without a stored value and error cells (it reads both
as empty), percent-formatted cells, hidden rows and columns; from the .xls
records, error cells; and the grid of a .csv file. Files are opened read-only; nothing here writes.

Whatever arrives, reading ends in a sheet list or a :class:`WorkbookError`
that says what is wrong and what was expected, never in a crash, a hang or
exhausted memory. Before calamine sees a file: its kind is told from its first
bytes, not its name; a zip package's table of contents is checked against the
limits below before anything is unpacked, and every part is refused if it
declares a DTD (entities that could expand without bound); an .xls file's
sector chains and declared sizes are checked; and every sheet's extent is
measured (from the .xlsx and .ods XML, from the .xls records), because
calamine lays a sheet out as a dense grid: values in A1 and XFD1048576 alone
would ask for 550 GB and abort the process. calamine's grid is measured once
more before it becomes Python objects.
"""

from __future__ import annotations

import csv
import functools
import io
import lzma
import mmap
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path, PurePosixPath

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

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")

# --- limits: each is checked before the work it protects, and its message says what to do --------

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

_RATIO_CHECKED_FROM = 2**20  # a small part's ratio says nothing (a 10 kB theme packs 6:1)
_CHUNK_BYTES = 2**20  # parts are unpacked and scanned this much at a time
_EXCEL_COLUMNS = 16_384
_SUFFIX_KINDS = {".xlsx": "zip", ".xlsm": "zip", ".ods": "zip", ".xls": "ole2", ".csv": "text"}
_KIND_NAMES = {
    "zip": "a zip package (an .xlsx or .ods workbook)",
    "ole2": "an OLE2 container (an Excel 97–2003 workbook, or a password-protected one)",
    "html": "a web page (HTML), the way web portals export tables",
    "xml2003": "an Excel 2003 XML spreadsheet",
    "xml": "an XML file",
    "text": "a text file (perhaps CSV)",
    "pdf": "a PDF document",
}
_SAVE_AS_XLSX = "a workbook saved by Excel or LibreOffice: open the file there and save it as Excel Workbook (.xlsx)"
_UNPROTECT = (
    "a workbook without a password: open it in Excel, clear the password "
    "(File › Info › Protect Workbook › Encrypt with Password) and save it"
)
_SEND_AGAIN = "the workbook as it was sent: ask the sender for the file again"


class WorkbookError(Exception):
    """A file that cannot be read as a workbook.

    The message says what is wrong; `expected` what would be right, and
    `sheet` and `cell` where, when the trouble is in one sheet or cell.
    """

    def __init__(self, message: str, expected: str = "", *, sheet: str = "", cell: str = "") -> None:
        super().__init__(message)
        self.expected, self.sheet, self.cell = expected, sheet, cell


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells, with the facts ingest needs about them.

    `rows[i][j]` is the cell at 0-based row `top + i` and column `left + j`
    of the sheet; empty cells are ``""``. `merged` holds 0-based inclusive
    ranges ``(first_row, first_col, last_row, last_col)`` in sheet coordinates,
    cut to the used range. The other sets hold 0-based sheet coordinates; they
    are known for .xlsx only, except the error cells, which .xls files give too.
    """

    name: str
    rows: list[list]
    top: int = 0
    left: int = 0
    hidden: bool = False
    merged: tuple[tuple[int, int, int, int], ...] = ()
    uncached_formulas: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    percent_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # cell → "#REF!"…
    hidden_rows: frozenset[int] = field(default_factory=frozenset)
    hidden_columns: frozenset[int] = field(default_factory=frozenset)

    @property
    def height(self) -> int:
        """Return the number of rows in the used range."""
        return len(self.rows)

    @property
    def width(self) -> int:
        """Return the number of columns in the used range."""
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int):
        """Return the value at sheet coordinates (0-based), ``""`` outside the used range."""
        i, j = row - self.top, col - self.left
        if 0 <= i < len(self.rows) and 0 <= j < len(self.rows[i]):
            return self.rows[i][j]
        return ""


def column_letter(col: int) -> str:
    """Return the spreadsheet letters of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """Return the A1 name of a 0-based cell.

    >>> cell_name(11, 3)
    'D12'
    """
    return f"{column_letter(col)}{row + 1}"


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
    _check_size(path, suffix)
    with path.open("rb") as handle:
        head = handle.read(2048)
    _check_kind(path, suffix, _kind_of(head), head)
    if suffix == ".csv":
        return [_read_csv(path)]
    if _SUFFIX_KINDS[suffix] == "ole2":
        facts = _check_ole2(path.read_bytes(), f"cannot be read as a {suffix} workbook: ")
    else:
        facts = _inspect_package(path, suffix)
    return _read_spreadsheet(path, suffix, facts)


def _count(number: int) -> str:
    """Write a count the Vietnamese way for messages.

    >>> _count(1048576)
    '1.048.576'
    """
    return f"{number:,}".replace(",", ".")


def _check_size(path: Path, suffix: str) -> None:
    size = path.stat().st_size
    if size == 0:
        raise WorkbookError(f"the file is empty (0 bytes); expected a {suffix} workbook")
    if size > MAX_FILE_BYTES:
        raise WorkbookError(
            f"the file is {_count(size // 2**20)} MiB, larger than the {_count(MAX_FILE_BYTES // 2**20)} MiB "
            "ictanalysis reads",
            "a yearly report of a few MiB: remove what is not the year's figures (pictures, other tables, "
            "unused rows) or split the file",
        )


# --- what kind of file it really is ----------------------------------------------------------


def _kind_of(head: bytes) -> str:
    """Tell a file's kind from its first bytes.

    >>> _kind_of(b"PK\\x03\\x04..."), _kind_of(b"<html><table>"), _kind_of(b"STT;Huyen;Dan so")
    ('zip', 'html', 'text')
    """
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"
    if head.startswith(b"%PDF"):
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in start and b"<workbook" in start:
        return "xml2003"
    if b"<!doctype html" in start or b"<html" in start or b"<table" in start:
        return "html"
    if start.startswith(b"<?xml"):
        return "xml"
    return "text" if b"\x00" not in head else "binary"


def _check_kind(path: Path, suffix: str, kind: str, head: bytes) -> None:
    """Refuse a file whose content is not what its name says, saying what it is and what to do."""
    expected_kind = _SUFFIX_KINDS[suffix]
    if kind == expected_kind or (suffix == ".csv" and kind in ("binary", "xml")):
        return  # a binary .csv is refused by the CSV reader, which says why
    lead = f"cannot be read as a {suffix} {'file' if suffix == '.csv' else 'workbook'}: "
    if kind == "ole2" and suffix != ".csv" and _is_encrypted_package(path):
        raise WorkbookError(lead + "it is password-protected or encrypted", _UNPROTECT)
    if kind == "binary":
        raise WorkbookError(
            lead + f"the file is damaged or of another kind (it starts with {head[:8].hex(' ')})", _SEND_AGAIN
        )
    rename = {"zip": ".xlsx (or .ods)", "ole2": ".xls", "text": ".csv"}.get(kind)
    what = "an Excel 97–2003 workbook" if kind == "ole2" else _KIND_NAMES[kind]
    expected = f"the file renamed to {rename}, or {_SAVE_AS_XLSX}" if rename else _SAVE_AS_XLSX
    raise WorkbookError(lead + f"it is {what}, not {_KIND_NAMES[expected_kind]}", expected)


def _is_encrypted_package(path: Path) -> bool:
    """Tell whether an OLE2 file is an encrypted Office package (it holds an "EncryptedPackage" stream)."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find("EncryptedPackage".encode("utf-16-le")) >= 0


# --- OLE2 containers (.xls): every sector chain calamine will follow, checked first -------------

_END_OF_CHAIN, _DIFAT_SECTOR, _RESERVED_SECTORS = 0xFFFF_FFFE, 0xFFFF_FFFC, 0xFFFF_FFFA
_WORKBOOK_STREAMS = ("Workbook", "Book")  # what calamine reads from an .xls


def _check_ole2(data: bytes, lead: str) -> dict[str, _SheetFacts]:
    """Refuse an OLE2 container whose sector chains or sizes calamine would trust to its ruin.

    calamine sizes its buffers by the sector numbers and lengths it meets
    (MS-CFB), reserves a cell for each one a sheet's DIMENSIONS record
    declares and lays the cells it meets out as a dense grid (MS-XLS): a few
    damaged bytes (a bad copy that inserts some) make it ask for gigabytes and
    abort the process. A chain of sectors that loops it reads as data. All of
    these are checked here; whatever else is wrong, calamine reports itself.
    Returns each sheet's error cells, which calamine reads as empty.
    """
    damaged = WorkbookError(lead + "the file is damaged (its sector chains or sizes are impossible)", _SEND_AGAIN)
    container = _Ole2(data, damaged)
    return _check_biff(container.workbook_stream(), damaged) if container.sector_size else {}


class _Ole2:
    """An OLE2 container's header, tables and directory, read with every number checked."""

    def __init__(self, data: bytes, damaged: WorkbookError) -> None:
        self.data, self.damaged = data, damaged
        shift, mini_shift = _uint(data[30:32]), _uint(data[32:34])
        valid = len(data) >= 512 and shift in (9, 12) and mini_shift == 6
        self.sector_size = 1 << shift if valid else 0  # 0: a header calamine refuses with its own message
        self.sectors = -(-(len(data) - self.sector_size) // self.sector_size) if valid else 0

    def workbook_stream(self) -> bytes:
        """Return the workbook stream, having checked that every chain calamine follows is short and loop-free."""
        data, size = self.data, self.sector_size
        fat_sectors, minifat_sectors = _uint(data[44:48]), _uint(data[64:68])
        if fat_sectors > self.sectors or (_uint(data[40:44]) + minifat_sectors) * size > len(data):
            raise self.damaged
        fat = self._fat()
        directory = b"".join(self._sector(n) for n in self._follow(_uint(data[48:52]), fat, self.sectors))
        entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        if not entries:
            return b""
        root_length = self._length(entries[0])
        root = self._follow(_uint(entries[0][116:120]), fat, self.sectors)
        ministream = b"".join(self._sector(n) for n in root)[:root_length]
        minifat = [n for s in self._follow(_uint(data[60:64]), fat, self.sectors) for n in _uints(self._sector(s))]
        streams = {}
        for entry in entries[1:]:
            name = entry[:64].decode("utf-16-le", errors="replace").split("\0")[0]
            if entry[66] == 2 or name in _WORKBOOK_STREAMS:  # a stream, or read as one
                length = self._length(entry)
                if length < 4096:
                    chain = self._follow(_uint(entry[116:120]), minifat, -(-root_length // 64))
                    stream = b"".join(ministream[n * 64 : (n + 1) * 64] for n in chain)
                else:
                    stream = b"".join(self._sector(n) for n in self._follow(_uint(entry[116:120]), fat, self.sectors))
                streams.setdefault(name, stream[:length])
        return next((streams[name] for name in _WORKBOOK_STREAMS if name in streams), b"")

    def _sector(self, number: int) -> bytes:
        return self.data[(number + 1) * self.sector_size : (number + 2) * self.sector_size]

    def _length(self, entry: bytes) -> int:
        length = _uint(entry[120:124] if self.sector_size == 512 else entry[120:128])
        if length > len(self.data):
            raise self.damaged
        return length

    def _follow(self, start: int, table: list[int], limit: int) -> list[int]:
        """Return the sector numbers of the chain from `start`: each below `limit`, none twice."""
        chain, number = [], start
        while number != _END_OF_CHAIN:
            if number >= limit or number >= len(table) or len(chain) >= limit:
                raise self.damaged
            chain.append(number)
            number = table[number]
        return chain

    def _fat(self) -> list[int]:
        """Return the file allocation table: the sectors the header lists, and those its DIFAT chain adds."""
        listed, number = _uints(self.data[76:512]), _uint(self.data[68:72])
        for _ in range(self.sectors + 1):
            if number >= _RESERVED_SECTORS:
                break
            if number >= self.sectors:
                raise self.damaged
            more = _uints(self._sector(number))
            listed, number = listed + more[:-1], more[-1]
        else:
            raise self.damaged  # the DIFAT chain loops
        fat_sectors = [n for n in listed if n < _DIFAT_SECTOR]
        if any(n >= self.sectors for n in fat_sectors):
            raise self.damaged
        return [n for s in fat_sectors for n in _uints(self._sector(s).ljust(self.sector_size, b"\xff"))]


_BIFF_EOF, _BIFF_BOF, _BIFF_BOUNDSHEET, _BIFF_SST, _BIFF_DIMENSIONS, _BIFF_MULRK = 0x0A, 0x0809, 0x85, 0xFC, 0x200, 0xBD
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}  # fmt: skip
_BIFF_CELLS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}  # the cell records calamine lays out, and MULRK


def _check_biff(stream: bytes, damaged: WorkbookError) -> dict[str, _SheetFacts]:
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
        facts = _SheetFacts()
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
    _check_extent(name, (first_row, first_col), (end_row - 1, first_col), (first_row, end_col - 1))


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


def _uints(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))


# --- zip packages: sizes before unpacking, no DTD, and what calamine does not tell -----------


@dataclass
class _SheetFacts:
    """What a scan of one sheet found (0-based sheet coordinates); only the extent is known for .ods."""

    uncached: set[tuple[int, int]] = field(default_factory=set)
    percent: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    first: tuple[int, int] | None = None  # the first row and the first column with a value
    last_row_cell: tuple[int, int] = (0, 0)  # a cell with a value in the last row, to name in a message
    last_col_cell: tuple[int, int] = (0, 0)  # one in the last column

    def widen(self, cells: list[tuple[int, int]]) -> None:
        """Widen the extent of the values to hold `cells` (0-based row, column)."""
        if not cells:
            return
        if self.first is not None:
            cells = [*cells, self.first, self.last_row_cell, self.last_col_cell]
        self.last_row_cell, self.last_col_cell = max(cells), max(cells, key=lambda cell: cell[1])
        self.first = (min(cells)[0], min(cells, key=lambda cell: cell[1])[1])

    def check(self, name: str) -> None:
        """Refuse the sheet `name` when the extent of its values so far is beyond the limits."""
        if self.first is not None:
            _check_extent(name, self.first, self.last_row_cell, self.last_col_cell)


_NO_FACTS = _SheetFacts()
_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix: <x:c> is a cell too
_CELL = re.compile(
    rb"<" + _P + rb"c\b([^>]*+)(?<!/)>((?:[^<]++|<(?!/" + _P + rb"c>|" + _P + rb"c\b))*+)</" + _P + rb"c>"
)
_CONTENT_REF = re.compile(rb"<" + _P + rb"c\b[^>]*?\br=[\"']([A-Z]+)([0-9]+)[\"'][^>]*+(?<!/)>")
_REF = re.compile(rb"\br=[\"']([A-Z]+)([0-9]+)[\"']")
_FORMULA = re.compile(rb"<" + _P + rb"f[\s>/]")
_STORED_VALUE = re.compile(rb"<" + _P + rb"v>[^<]")
_ERROR_TYPE = re.compile(rb"\bt=[\"']e[\"']")
_ERROR_VALUE = re.compile(rb"<" + _P + rb"v>([^<]*)<")
_HIDDEN_ROW = re.compile(rb"<" + _P + rb"row\b[^>]*?\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_HIDDEN_COLUMNS = re.compile(rb"<" + _P + rb"col\b[^>]*?\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_ROW_NUMBER = re.compile(rb"\br=[\"']([0-9]+)[\"']")
_ROW_END = re.compile(rb"</" + _P + rb"(?:table-)?row>")  # .xlsx </row>, .ods </table:table-row>
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_SHEET = re.compile(rb"<" + _P + rb"sheet\b[^>]*?>", re.S)
_REL = re.compile(rb"<" + _P + rb"Relationship\b[^>]*?>", re.S)
_ATTRIBUTE = re.compile(rb"\b([A-Za-z:]+)=(?:\"([^\"]*)\"|'([^']*)')")
_XF = re.compile(rb"<" + _P + rb"xf\b[^>]*?>", re.S)
_NUMFMT = re.compile(rb"<" + _P + rb"numFmt\b[^>]*?>", re.S)
_PERCENT_BUILTIN = {9, 10}
_ODS_TAG = re.compile(rb"<(/?)" + _P + rb"(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb"\b" + _P + rb"number-(?:rows|columns)-repeated=[\"']([0-9]+)[\"']")
_ODS_VALUE = re.compile(rb"\b" + _P + rb"value-type=")
_ODS_NAME = re.compile(rb"\b" + _P + rb"name=[\"']([^\"']*)[\"']")
_PACKAGE_HOLDS = {  # a part that names what a zip package is
    "xl/workbook.xml": "an .xlsx workbook",
    "content.xml": "an OpenDocument file (.ods or .odt)",
    "word/document.xml": "a Word document",
    "ppt/presentation.xml": "a PowerPoint presentation",
}
_MAIN_PART = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".ods": "content.xml"}


def _inspect_package(path: Path, suffix: str) -> dict[str, _SheetFacts]:
    """Check a zip package before calamine reads it; return, for .xlsx, each sheet's facts.

    Every part is unpacked once, in pieces, which also checks each part's
    checksum: a part whose size in the table of contents is a lie ends there.
    """
    lead = f"cannot be read as a {suffix} workbook: "
    if (parts := _zip_entry_count(path)) > MAX_PACKAGE_PARTS:
        raise WorkbookError(lead + f"its zip package holds {_count(parts)} parts, more than the "
                            f"{_count(MAX_PACKAGE_PARTS)} ictanalysis accepts", _SAVE_AS_XLSX)  # fmt: skip
    try:
        with zipfile.ZipFile(path) as archive:
            _check_unpacked_sizes(archive.infolist(), lead)
            _check_main_part(archive, suffix, lead)
            return _scan_parts(archive, suffix, lead)
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError) as exc:  # bz2 says OSError
        raise WorkbookError(lead + f"the zip package is damaged or truncated ({exc})", _SEND_AGAIN) from None
    except RuntimeError:  # zipfile's word for a part locked with a password
        raise WorkbookError(lead + "it is password-protected or encrypted (its parts are locked)", _UNPROTECT) from None
    except NotImplementedError as exc:
        raise WorkbookError(lead + f"its zip package uses a method Excel does not ({exc})", _SAVE_AS_XLSX) from None


def _zip_entry_count(path: Path) -> int:
    """Return the number of parts the zip's end record announces, before zipfile lists them all.

    An end record that announces a ZIP64 directory (65.535 parts or more) counts as too many.
    """
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))  # the end record (22 bytes) and the longest comment
        tail = handle.read()
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 12:
        return 0  # zipfile will say the package is damaged
    (entries,) = struct.unpack("<H", tail[end + 10 : end + 12])
    return MAX_PACKAGE_PARTS + 1 if entries == 0xFFFF else entries


def _check_unpacked_sizes(infos: list[zipfile.ZipInfo], lead: str) -> None:
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED_BYTES:
        raise WorkbookError(
            lead + f"its parts unpack to {_count(total // 2**20)} MiB, more than the "
            f"{_count(MAX_UNPACKED_BYTES // 2**20)} MiB ictanalysis unpacks (a zip bomb, or far more than a yearly report)",
            _SAVE_AS_XLSX,
        )
    for info in infos:
        if info.file_size > _RATIO_CHECKED_FROM and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise WorkbookError(
                lead + f"its part {_shown_name(info.filename)} is packed {_count(ratio)} to 1, more than the "
                f"{MAX_COMPRESSION_RATIO} to 1 of any real workbook; refused as a possible zip bomb",
                _SAVE_AS_XLSX,
            )


def _check_main_part(archive: zipfile.ZipFile, suffix: str, lead: str) -> None:
    names = set(archive.namelist())
    if _MAIN_PART[suffix] in names:
        return
    what = next(
        (kind for part, kind in _PACKAGE_HOLDS.items() if part in names), "a zip archive that holds no workbook"
    )
    raise WorkbookError(lead + f"it is {what}, not {_KIND_NAMES['zip']}", _SAVE_AS_XLSX)


def _shown_name(name: str) -> str:
    return repr(name if len(name) <= 60 else name[:59] + "…")


def _scan_parts(archive: zipfile.ZipFile, suffix: str, lead: str) -> dict[str, _SheetFacts]:
    """Unpack every part once, refusing a DTD, and check the extent of every part that holds cells.

    Every part is measured, not only those the workbook names as sheets: a
    relationship written in a way the scan here does not follow would still be
    one calamine follows. Returns the facts of the named sheets.
    """
    sheets: dict[str, str] = {}
    percent_styles: frozenset[bytes] = frozenset()
    if suffix in (".xlsx", ".xlsm"):
        sheets = {part: name for name, part in _sheet_parts(archive, lead).items()}
        percent_styles = _percent_styles(archive)
    facts = {}
    for info in archive.infolist():
        name = sheets.get(info.filename, info.filename)
        pieces = _row_pieces(_part_chunks(archive, info, lead))
        if suffix == ".ods":
            _OdsExtent().scan(pieces)
            continue
        part = _scan_sheet(name, pieces, percent_styles)
        if info.filename in sheets:
            facts[name] = part
    return facts


def _part_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, lead: str) -> Iterator[bytes]:
    """Yield a part's bytes a chunk at a time, refusing any DTD.

    XML cannot declare entities without a DTD, and Excel and LibreOffice never
    write one; calamine refuses unknown entities, and the scans here never
    expand any, but a package that declares them is refused outright.
    """
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            if _DTD.search(tail + chunk):
                raise WorkbookError(
                    lead + f"its part {_shown_name(info.filename)} declares a document type (<!DOCTYPE> or "
                    "<!ENTITY>), which Excel and LibreOffice never write; refused, since its entities could "
                    "expand without bound",
                    _SAVE_AS_XLSX,
                )
            tail = chunk[-16:]
            yield chunk


def _row_pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Regroup chunks into pieces that end after a row's end tag, so that no cell is cut in two.

    XML text cannot hold an unescaped ``<``, so an end tag is never a cell's text.
    """
    pending: list[bytes] = []
    for chunk in chunks:
        ends = [match.end() for match in _ROW_END.finditer(chunk)]
        if not ends:
            pending.append(chunk)
            continue
        yield b"".join([*pending, chunk[: ends[-1]]])
        pending = [chunk[ends[-1] :]]
    yield b"".join(pending)


def _sheet_parts(archive: zipfile.ZipFile, lead: str) -> dict[str, str]:
    """Return each sheet's name and its part, from the workbook and its relationships."""
    rels = {}
    for tag in _REL.findall(_read_part(archive, "xl/_rels/workbook.xml.rels", lead)):
        attributes = _attributes(tag)
        rels[attributes.get(b"Id", b"")] = attributes.get(b"Target", b"").decode(errors="replace")
    parts = {}
    names = set(archive.namelist())
    for tag in _SHEET.findall(_read_part(archive, "xl/workbook.xml", lead)):
        attributes = _attributes(tag)
        rel_id = next((value for key, value in attributes.items() if key.endswith(b":id")), b"")  # r:id, ns1:id…
        target = rels.get(rel_id, "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if part in names:
            parts[unescape(attributes.get(b"name", b"").decode(errors="replace"))] = part
    return parts


def _read_part(archive: zipfile.ZipFile, name: str, lead: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise WorkbookError(lead + f"its part {name} is missing", _SEND_AGAIN) from None


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(tag)}


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[bytes]:
    """Return the style indexes (as written in `s="…"`) whose number format shows a percentage."""
    try:
        styles = archive.read("xl/styles.xml")
    except KeyError:
        return frozenset()
    percent_formats = set(_PERCENT_BUILTIN)
    for tag in _NUMFMT.findall(styles):
        attributes = _attributes(tag)
        if b"%" in re.sub(rb"&quot;.*?&quot;", b"", attributes.get(b"formatCode", b"")):
            percent_formats.add(_number(attributes.get(b"numFmtId", b"-1")))
    cell_xfs = styles.split(b"cellXfs", 1)[1].split(b"cellXfs>", 1)[0] if b"cellXfs" in styles else b""
    return frozenset(
        str(i).encode() for i, tag in enumerate(_XF.findall(cell_xfs))
        if _number(_attributes(tag).get(b"numFmtId", b"0")) in percent_formats
    )  # fmt: skip


def _number(digits: bytes) -> int:
    return int(digits) if digits.lstrip(b"-").isdigit() else -1


def _scan_sheet(name: str, pieces: Iterator[bytes], percent_styles: frozenset[bytes]) -> _SheetFacts:
    """Find, piece by piece, the extent of the values and the cells calamine reads wrongly or not at all.

    The extent is checked after each piece, so a sheet too large is refused
    as soon as it is known to be. Every pattern is linear: a cell's body ends
    at its ``</c>`` or at the next ``<c``, and is never scanned again.
    """
    facts = _SheetFacts()
    styled = None
    if percent_styles:
        styled = re.compile(
            rb"<" + _P + rb"c\b([^>]*?\bs=[\"'](?:" + b"|".join(sorted(percent_styles)) + rb")[\"'][^>]*+)(?<!/)>"
        )
    for piece in pieces:
        facts.widen([(int(digits) - 1, _column_index(letters)) for letters, digits in _CONTENT_REF.findall(piece)])
        facts.check(name)
        if _FORMULA.search(piece) or _ERROR_TYPE.search(piece):
            _scan_cells(piece, facts)
        if styled is not None:
            facts.percent.update(_cell_index(ref) for tag in styled.findall(piece) if (ref := _REF.search(tag)))
        for tag in _HIDDEN_ROW.findall(piece):
            if number := _ROW_NUMBER.search(tag):
                facts.hidden_rows.add(int(number.group(1)) - 1)
        for tag in _HIDDEN_COLUMNS.findall(piece):
            span = _attributes(tag)
            first, last = _number(span.get(b"min", b"0")), _number(span.get(b"max", b"0"))
            facts.hidden_columns.update(range(max(first - 1, 0), min(last, _EXCEL_COLUMNS)))
    return facts


class _OdsExtent:
    """The extent of each table in an OpenDocument part, followed tag by tag across pieces.

    A row or cell may stand for many (``number-rows-repeated``,
    ``number-columns-repeated``): calamine lays repeated cells with a value out
    one by one, so 800 bytes can ask for a grid of a hundred million cells.
    """

    def __init__(self) -> None:
        self.name, self.facts = "", _SheetFacts()
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
            self.facts, self.row = _SheetFacts(), 0

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


def _scan_cells(piece: bytes, facts: _SheetFacts) -> None:
    """Record the formula cells without a stored value and the error cells of a piece."""
    for attributes, body in _CELL.findall(piece):
        ref = _REF.search(attributes)
        if ref is None:
            continue
        if _ERROR_TYPE.search(attributes) and (value := _ERROR_VALUE.search(body)):
            facts.errors[_cell_index(ref)] = value.group(1).decode(errors="replace")
        elif _FORMULA.search(body) and not _STORED_VALUE.search(body):
            facts.uncached.add(_cell_index(ref))


@functools.lru_cache(maxsize=4096)
def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index - 1


def _cell_index(ref: re.Match) -> tuple[int, int]:
    return int(ref.group(2)) - 1, _column_index(ref.group(1))


def _check_extent(
    name: str, first: tuple[int, int], last_row_cell: tuple[int, int], last_col_cell: tuple[int, int]
) -> None:
    """Refuse a sheet whose values span more rows, columns or cells than the limits allow."""
    rows, cols = last_row_cell[0] - first[0] + 1, last_col_cell[1] - first[1] + 1
    span = f"{cell_name(*first)}:{cell_name(last_row_cell[0], last_col_cell[1])}"
    if rows > MAX_SHEET_ROWS:
        raise WorkbookError(
            f"the sheet's values reach row {_count(last_row_cell[0] + 1)} ({span}, {_count(rows)} rows), more than "
            f"the {_count(MAX_SHEET_ROWS)} rows ictanalysis reads from one sheet",
            "one table of at most that many rows: delete the rows below the table, or move other data to another file",
            sheet=name, cell=cell_name(*last_row_cell),
        )  # fmt: skip
    if cols > MAX_SHEET_COLUMNS:
        raise WorkbookError(
            f"the sheet's values reach column {column_letter(last_col_cell[1])} ({span}, {_count(cols)} columns), "
            f"more than the {_count(MAX_SHEET_COLUMNS)} columns ictanalysis reads from one sheet",
            "one table of at most that many columns: delete the columns to the right of the table",
            sheet=name, cell=cell_name(*last_col_cell),
        )  # fmt: skip
    if rows * cols > MAX_SHEET_CELLS:
        raise WorkbookError(
            f"the sheet's values span {span}, {_count(rows * cols)} cells, more than the "
            f"{_count(MAX_SHEET_CELLS)} ictanalysis reads from one sheet",
            "one table of the year's figures: delete what is not part of it, or split it into several sheets",
            sheet=name, cell=cell_name(last_row_cell[0], last_col_cell[1]),
        )  # fmt: skip


# --- reading with calamine ---------------------------------------------------------------------


def _read_spreadsheet(path: Path, suffix: str, facts: dict[str, _SheetFacts]) -> list[Sheet]:
    import python_calamine

    lead = f"cannot be read as a {suffix} workbook: "
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return [_read_sheet(book, meta, facts.get(meta.name, _NO_FACTS)) for meta in book.sheets_metadata]
    except WorkbookError:
        raise
    except python_calamine.PasswordError:
        raise WorkbookError(lead + "it is password-protected or encrypted", _UNPROTECT) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # calamine raises several unrelated types, and a Rust panic is no Exception
        raise WorkbookError(
            lead + f"the file is damaged or of another kind (reader said {type(exc).__name__}: {_first_line(exc)})",
            _SEND_AGAIN,
        ) from None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines() or [""]
    return lines[0] if len(lines[0]) <= 160 else lines[0][:159] + "…"


def _read_sheet(book, meta, facts: _SheetFacts) -> Sheet:
    import python_calamine

    if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
        return Sheet(name=meta.name, rows=[], hidden=True)
    sheet = book.get_sheet_by_name(meta.name)
    if sheet.height and sheet.width:  # calamine's grid, measured before it becomes Python objects
        (r0, c0), (r1, c1) = sheet.start, sheet.end
        _check_extent(meta.name, (r0, c0), (r1, c0), (r0, c1))
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
            _SAVE_AS_XLSX,
            sheet=name,
        )
    return tuple(merged)


# --- .csv ---------------------------------------------------------------------------------------


def _read_csv(path: Path) -> Sheet:
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
    reader = csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text))
    rows, cells = [], 0
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            cells += len(row)
            if len(rows) > MAX_SHEET_ROWS or len(row) > MAX_SHEET_COLUMNS or cells > MAX_SHEET_CELLS:
                raise _csv_too_large(path.stem, len(rows), len(row))
    except csv.Error as exc:
        raise WorkbookError(
            f"line {reader.line_num} cannot be read as CSV ({exc})",
            "comma- or semicolon-separated text as Excel or LibreOffice saves it, with cells under 128 KiB",
            sheet=path.stem, cell=cell_name(len(rows), 0),
        ) from None  # fmt: skip
    return Sheet(name=path.stem, rows=rows)


def _csv_too_large(name: str, rows: int, width: int) -> WorkbookError:
    return WorkbookError(
        f"the file goes past {_count(MAX_SHEET_ROWS)} rows, {_count(MAX_SHEET_COLUMNS)} columns or "
        f"{_count(MAX_SHEET_CELLS)} cells, the most ictanalysis reads from one sheet",
        "one table of the year's figures: delete what is not part of it, or split the file",
        sheet=name, cell=cell_name(rows - 1, width - 1),
    )  # fmt: skip


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    return max(counts, key=counts.get) if any(counts.values()) else ","
