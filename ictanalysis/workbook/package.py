"""Check a zip package (.xlsx, .xlsm, .ods) against the limits before anything in it is unpacked, then scan it.

From the zip's table of contents, before any part is unpacked: the number of
parts, their total unpacked size and each large part's compression ratio (a
zip bomb announces itself there), and the part that makes the package a
workbook of its kind. Then every part is unpacked once, in pieces, by the
scan of its format (:mod:`.xlsx`, :mod:`.ods`).
"""

from __future__ import annotations

import lzma
import struct
import zipfile
import zlib
from pathlib import Path

import ictanalysis.workbook.limits as limits
from ictanalysis.workbook.errors import SAVE_AS_XLSX, SEND_AGAIN, UNPROTECT, WorkbookError, count
from ictanalysis.workbook.facts import SheetFacts
from ictanalysis.workbook.kind import KIND_NAMES
from ictanalysis.workbook.ods import scan_document
from ictanalysis.workbook.parts import shown_name
from ictanalysis.workbook.xlsx import scan_workbook

__all__ = ["inspect_package"]

_RATIO_CHECKED_FROM = 2**20  # a small part's ratio says nothing (a 10 kB theme packs 6:1)
_PACKAGE_HOLDS = {  # a part that names what a zip package is
    "xl/workbook.xml": "an .xlsx workbook",
    "content.xml": "an OpenDocument file (.ods or .odt)",
    "word/document.xml": "a Word document",
    "ppt/presentation.xml": "a PowerPoint presentation",
}
_MAIN_PART = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".ods": "content.xml"}


def inspect_package(path: Path, suffix: str) -> dict[str, SheetFacts]:
    """Check a zip package before calamine reads it; return each sheet's facts (for an .ods, its spanned cells too).

    Every part is unpacked once, in pieces, which also checks each part's
    checksum: a part whose size in the table of contents is a lie ends there.
    """
    lead = f"cannot be read as a {suffix} workbook: "
    if (parts := _zip_entry_count(path)) > limits.MAX_PACKAGE_PARTS:
        raise WorkbookError(lead + f"its zip package holds {count(parts)} parts, more than the "
                            f"{count(limits.MAX_PACKAGE_PARTS)} ictanalysis accepts", SAVE_AS_XLSX)  # fmt: skip
    try:
        with zipfile.ZipFile(path) as archive:
            _check_unpacked_sizes(archive.infolist(), lead)
            _check_main_part(archive, suffix, lead)
            if suffix == ".ods":
                return scan_document(archive, lead)
            return scan_workbook(archive, lead)
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError) as exc:  # bz2 says OSError
        raise WorkbookError(lead + f"the zip package is damaged or truncated ({exc})", SEND_AGAIN) from None
    except RuntimeError:  # zipfile's word for a part locked with a password
        raise WorkbookError(lead + "it is password-protected or encrypted (its parts are locked)", UNPROTECT) from None
    except NotImplementedError as exc:
        raise WorkbookError(lead + f"its zip package uses a method Excel does not ({exc})", SAVE_AS_XLSX) from None


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
    return limits.MAX_PACKAGE_PARTS + 1 if entries == 0xFFFF else entries


def _check_unpacked_sizes(infos: list[zipfile.ZipInfo], lead: str) -> None:
    total = sum(info.file_size for info in infos)
    if total > limits.MAX_UNPACKED_BYTES:
        raise WorkbookError(
            lead + f"its parts unpack to {count(total // 2**20)} MiB, more than the "
            f"{count(limits.MAX_UNPACKED_BYTES // 2**20)} MiB ictanalysis unpacks (a zip bomb, or far more than a "
            "yearly report)",
            SAVE_AS_XLSX,
        )
    ratio_limit = limits.MAX_COMPRESSION_RATIO
    for info in infos:
        if info.file_size > _RATIO_CHECKED_FROM and info.file_size > ratio_limit * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise WorkbookError(
                lead + f"its part {shown_name(info.filename)} is packed {count(ratio)} to 1, more than the "
                f"{ratio_limit} to 1 of any real workbook; refused as a possible zip bomb",
                SAVE_AS_XLSX,
            )


def _check_main_part(archive: zipfile.ZipFile, suffix: str, lead: str) -> None:
    names = set(archive.namelist())
    if _MAIN_PART[suffix] in names:
        return
    what = next(
        (kind for part, kind in _PACKAGE_HOLDS.items() if part in names), "a zip archive that holds no workbook"
    )
    raise WorkbookError(lead + f"it is {what}, not {KIND_NAMES['zip']}", SAVE_AS_XLSX)
