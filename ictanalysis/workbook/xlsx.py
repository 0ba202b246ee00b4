"""Scan an .xlsx package's XML for what calamine does not tell: extents, uncached formulas, errors, percents, hidden.

From the sheet XML: each sheet's extent (measured piece by piece, so a sheet
too large is refused before it is read), the formula cells without a stored
value and the error cells (calamine reads both as empty), the cells whose
style shows a percentage, and the hidden rows and columns. The XML is never
parsed: every pattern is linear and no entity is ever expanded.
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Iterator
from html import unescape
from pathlib import PurePosixPath

from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.formats import PERCENT_BUILTIN, shows_percent
from ictanalysis.workbook.parts import PREFIX, part_pieces, read_part

__all__ = ["scan_sheet", "scan_workbook"]

_P = PREFIX
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
_SHEET = re.compile(rb"<" + _P + rb"sheet\b[^>]*?>", re.S)
_REL = re.compile(rb"<" + _P + rb"Relationship\b[^>]*?>", re.S)
_ATTRIBUTE = re.compile(rb"\b([A-Za-z:]+)=(?:\"([^\"]*)\"|'([^']*)')")
_XF = re.compile(rb"<" + _P + rb"xf\b[^>]*?>", re.S)
_NUMFMT = re.compile(rb"<" + _P + rb"numFmt\b[^>]*?>", re.S)
_EXCEL_COLUMNS = 16_384


def scan_workbook(archive: zipfile.ZipFile, lead: str) -> dict[str, SheetFacts]:
    """Scan every part of an .xlsx package, refusing a DTD or a sheet beyond the limits; return each sheet's facts.

    Every part is measured, not only those the workbook names as sheets: a
    relationship written in a way the scan here does not follow would still be
    one calamine follows. Returns the facts of the named sheets.
    """
    sheets = {part: name for name, part in _sheet_parts(archive, lead).items()}
    percent_styles = _percent_styles(archive)
    facts = {}
    for info in archive.infolist():
        name = sheets.get(info.filename, info.filename)
        part = scan_sheet(name, part_pieces(archive, info, lead), percent_styles)
        if info.filename in sheets:
            facts[name] = part
    return facts


def scan_sheet(name: str, pieces: Iterator[bytes], percent_styles: frozenset[bytes]) -> SheetFacts:
    """Find, piece by piece, the extent of the values and the cells calamine reads wrongly or not at all.

    The extent is checked after each piece, so a sheet too large is refused
    as soon as it is known to be. Every pattern is linear: a cell's body ends
    at its ``</c>`` or at the next ``<c``, and is never scanned again.
    """
    facts = SheetFacts()
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


def _scan_cells(piece: bytes, facts: SheetFacts) -> None:
    """Record the formula cells without a stored value and the error cells of a piece."""
    for attributes, body in _CELL.findall(piece):
        ref = _REF.search(attributes)
        if ref is None:
            continue
        if _ERROR_TYPE.search(attributes) and (value := _ERROR_VALUE.search(body)):
            facts.errors[_cell_index(ref)] = value.group(1).decode(errors="replace")
        elif _FORMULA.search(body) and not _STORED_VALUE.search(body):
            facts.uncached.add(_cell_index(ref))


def _sheet_parts(archive: zipfile.ZipFile, lead: str) -> dict[str, str]:
    """Return each sheet's name and its part, from the workbook and its relationships."""
    rels = {}
    for tag in _REL.findall(read_part(archive, "xl/_rels/workbook.xml.rels", lead)):
        attributes = _attributes(tag)
        rels[attributes.get(b"Id", b"")] = attributes.get(b"Target", b"").decode(errors="replace")
    parts = {}
    names = set(archive.namelist())
    for tag in _SHEET.findall(read_part(archive, "xl/workbook.xml", lead)):
        attributes = _attributes(tag)
        rel_id = next((value for key, value in attributes.items() if key.endswith(b":id")), b"")  # r:id, ns1:id…
        target = rels.get(rel_id, "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if part in names:
            parts[unescape(attributes.get(b"name", b"").decode(errors="replace"))] = part
    return parts


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[bytes]:
    """Return the style indexes (as written in `s="…"`) whose number format shows a percentage."""
    try:
        styles = archive.read("xl/styles.xml")
    except KeyError:
        return frozenset()
    percent_formats = set(PERCENT_BUILTIN)
    for tag in _NUMFMT.findall(styles):
        attributes = _attributes(tag)
        if shows_percent(unescape(attributes.get(b"formatCode", b"").decode(errors="replace"))):
            percent_formats.add(_number(attributes.get(b"numFmtId", b"-1")))
    cell_xfs = styles.split(b"cellXfs", 1)[1].split(b"cellXfs>", 1)[0] if b"cellXfs" in styles else b""
    return frozenset(
        str(i).encode() for i, tag in enumerate(_XF.findall(cell_xfs))
        if _number(_attributes(tag).get(b"numFmtId", b"0")) in percent_formats
    )  # fmt: skip


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTRIBUTE.findall(tag)}


def _number(digits: bytes) -> int:
    return int(digits) if digits.lstrip(b"-").isdigit() else -1


@functools.lru_cache(maxsize=4096)
def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index - 1


def _cell_index(ref: re.Match) -> tuple[int, int]:
    return int(ref.group(2)) - 1, _column_index(ref.group(1))
