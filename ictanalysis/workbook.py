"""Read a workbook as it arrived (.xlsx, .xlsm, .xls, .ods or .csv) into plain grids.

python-calamine does the reading: it is about ten times faster than openpyxl,
reads all three spreadsheet formats, reports hidden sheets and merged ranges,
and never evaluates anything. Two things it cannot tell are added here: which
.xlsx formula cells have no stored value (calamine reads them as empty), and
the grid of a .csv file. Files are opened read-only; nothing here writes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = ["SPREADSHEET_SUFFIXES", "Sheet", "WorkbookError", "cell_name", "column_letter", "read_workbook"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


class WorkbookError(Exception):
    """A file that cannot be read as a workbook; the message says why."""


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells, with the facts ingest needs about them.

    `rows[i][j]` is the cell at 0-based row `top + i` and column `left + j`
    of the sheet; empty cells are ``""``. `merged` holds 0-based inclusive
    ranges ``(first_row, first_col, last_row, last_col)`` in sheet coordinates.
    """

    name: str
    rows: list[list]
    top: int = 0
    left: int = 0
    hidden: bool = False
    merged: tuple[tuple[int, int, int, int], ...] = ()
    uncached_formulas: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    percent_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)

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
        WorkbookError: when the file is not a workbook of a supported kind or
            cannot be read; the message says what was expected.
    """
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise WorkbookError(f"unsupported file type {suffix!r}: expected one of {', '.join(SPREADSHEET_SUFFIXES)}")
    if suffix == ".csv":
        return [_read_csv(path)]
    return _read_spreadsheet(path, suffix)


def _read_spreadsheet(path: Path, suffix: str) -> list[Sheet]:
    import python_calamine

    if path.stat().st_size == 0:
        raise WorkbookError(f"the file is empty (0 bytes); expected a {suffix} workbook")
    cell_facts = _xlsx_cell_facts(path) if suffix in (".xlsx", ".xlsm") else {}
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [_read_sheet(book, meta, cell_facts.get(meta.name, _NO_FACTS)) for meta in book.sheets_metadata]
    except WorkbookError:
        raise
    except Exception as exc:  # calamine raises several unrelated types for a bad file
        raise WorkbookError(
            f"cannot be read as a {suffix} workbook: the file is damaged or of another kind "
            f"(reader said {type(exc).__name__}: {exc})"
        ) from None
    return sheets


def _read_sheet(book, meta, facts: tuple[frozenset, frozenset]) -> Sheet:
    import python_calamine

    uncached, percent = facts
    if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
        return Sheet(name=meta.name, rows=[], hidden=True)
    sheet = book.get_sheet_by_name(meta.name)
    rows = sheet.to_python(skip_empty_area=True)
    top, left = sheet.start if rows else (0, 0)
    merged = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or ()))
    return Sheet(
        name=meta.name,
        rows=rows,
        top=top,
        left=left,
        hidden=meta.visible != python_calamine.SheetVisibleEnum.Visible,
        merged=merged,
        uncached_formulas=uncached,
        percent_cells=percent,
    )


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
    rows = list(csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text)))
    return Sheet(name=path.stem, rows=[[cell.strip() for cell in row] for row in rows])


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


# --- .xlsx facts calamine does not give: formulas without a value, percentage formats --------

_NO_FACTS: tuple[frozenset, frozenset] = (frozenset(), frozenset())
_FORMULA_CELL = re.compile(rb"<c\b([^>]*)(?<!/)>((?:(?!</c>).)*?<f[ >/](?:(?!</c>).)*?)</c>", re.S)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_SHEET = re.compile(rb"<sheet\b[^>]*?>", re.S)
_REL = re.compile(rb"<Relationship\b[^>]*?>", re.S)
_ATTRIBUTE = re.compile(rb'\b([A-Za-z:]+)="([^"]*)"')
_XF = re.compile(rb"<xf\b[^>]*?>", re.S)
_NUMFMT = re.compile(rb"<numFmt\b[^>]*?>", re.S)
_PERCENT_BUILTIN = {9, 10}


def _xlsx_cell_facts(path: Path) -> dict[str, tuple[frozenset, frozenset]]:
    """Return, per sheet name, the cells with a formula but no stored value, and the percent-formatted cells.

    The XML is scanned as bytes with regular expressions, never parsed by an
    XML parser, so no entity is ever expanded.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            percent_styles = _percent_styles(archive)
            return {name: _scan_sheet(archive.read(target), percent_styles) for name, target in _sheet_targets(archive).items()}
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return {}  # calamine will report what is wrong with the file


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return dict(_ATTRIBUTE.findall(tag))


def _sheet_targets(archive: zipfile.ZipFile) -> dict[str, str]:
    from html import unescape

    rels = {}
    for tag in _REL.findall(archive.read("xl/_rels/workbook.xml.rels")):
        attributes = _attributes(tag)
        rels[attributes.get(b"Id", b"")] = attributes.get(b"Target", b"").decode()
    targets = {}
    names = set(archive.namelist())
    for tag in _SHEET.findall(archive.read("xl/workbook.xml")):
        attributes = _attributes(tag)
        target = rels.get(attributes.get(b"r:id", b""), "")
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if member in names:
            targets[unescape(attributes.get(b"name", b"").decode())] = member
    return targets


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
            percent_formats.add(int(attributes.get(b"numFmtId", b"-1")))
    cell_xfs = styles.split(b"<cellXfs", 1)[1].split(b"</cellXfs>", 1)[0] if b"<cellXfs" in styles else b""
    return frozenset(
        str(i).encode() for i, tag in enumerate(_XF.findall(cell_xfs))
        if int(_attributes(tag).get(b"numFmtId", b"0")) in percent_formats
    )  # fmt: skip


def _scan_sheet(xml: bytes, percent_styles: frozenset[bytes]) -> tuple[frozenset, frozenset]:
    """Find formula cells without a value and percent-styled cells, touching only those cells."""
    uncached, percent = set(), set()
    if b"<f" in xml:
        for match in _FORMULA_CELL.finditer(xml):
            attributes, body = match.groups()
            ref = _REF.search(attributes)
            if ref is not None and not re.search(rb"<v>[^<]", body):
                uncached.add(_cell_index(ref))
    if percent_styles:
        styled = re.compile(rb'<c\b([^>]*?\bs="(?:' + b"|".join(sorted(percent_styles)) + rb')"[^>]*?)(?:/>|>)')
        for match in styled.finditer(xml):
            ref = _REF.search(match.group(1))
            if ref is not None:
                percent.add(_cell_index(ref))
    return frozenset(uncached), frozenset(percent)


def _cell_index(ref: re.Match) -> tuple[int, int]:
    index = 0
    for char in ref.group(1).decode():
        index = index * 26 + ord(char) - 64
    return int(ref.group(2)) - 1, index - 1
