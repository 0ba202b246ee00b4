"""Tell what kind of file a workbook really is from its first bytes, and refuse one that is not what its name says."""

from __future__ import annotations

import mmap
from pathlib import Path

from ictanalysis.workbook.errors import SAVE_AS_XLSX, SEND_AGAIN, UNPROTECT, WorkbookError

__all__ = ["KIND_NAMES", "SPREADSHEET_SUFFIXES", "SUFFIX_KINDS", "check_kind", "kind_of"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
SUFFIX_KINDS = {".xlsx": "zip", ".xlsm": "zip", ".ods": "zip", ".xls": "ole2", ".csv": "text"}
KIND_NAMES = {
    "zip": "a zip package (an .xlsx or .ods workbook)",
    "ole2": "an OLE2 container (an Excel 97–2003 workbook, or a password-protected one)",
    "html": "a web page (HTML), the way web portals export tables",
    "xml2003": "an Excel 2003 XML spreadsheet",
    "xml": "an XML file",
    "text": "a text file (perhaps CSV)",
    "pdf": "a PDF document",
}


def kind_of(head: bytes) -> str:
    """Tell a file's kind from its first bytes.

    >>> kind_of(b"PK\\x03\\x04..."), kind_of(b"<html><table>"), kind_of(b"STT;Huyen;Dan so")
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


def check_kind(path: Path, suffix: str, kind: str, head: bytes) -> None:
    """Refuse a file whose content is not what its name says, saying what it is and what to do."""
    expected_kind = SUFFIX_KINDS[suffix]
    if kind == expected_kind or (suffix == ".csv" and kind in ("binary", "xml")):
        return  # a binary .csv is refused by the CSV reader, which says why
    lead = f"cannot be read as a {suffix} {'file' if suffix == '.csv' else 'workbook'}: "
    if kind == "ole2" and suffix != ".csv" and _is_encrypted_package(path):
        raise WorkbookError(lead + "it is password-protected or encrypted", UNPROTECT)
    if kind == "binary":
        raise WorkbookError(
            lead + f"the file is damaged or of another kind (it starts with {head[:8].hex(' ')})", SEND_AGAIN
        )
    rename = {"zip": ".xlsx (or .ods)", "ole2": ".xls", "text": ".csv"}.get(kind)
    what = "an Excel 97–2003 workbook" if kind == "ole2" else KIND_NAMES[kind]
    expected = f"the file renamed to {rename}, or {SAVE_AS_XLSX}" if rename else SAVE_AS_XLSX
    raise WorkbookError(lead + f"it is {what}, not {KIND_NAMES[expected_kind]}", expected)


def _is_encrypted_package(path: Path) -> bool:
    """Tell whether an OLE2 file is an encrypted Office package (it holds an "EncryptedPackage" stream).

    The name is searched for in the bytes rather than in the directory, so
    that a container too damaged to list still says it is encrypted.
    """
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find("EncryptedPackage".encode("utf-16-le")) >= 0
