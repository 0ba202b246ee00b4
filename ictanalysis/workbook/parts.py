"""Read a zip package's XML parts in pieces: a chunk at a time, never a cell cut in two, never a DTD."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from ictanalysis.workbook.errors import SAVE_AS_XLSX, SEND_AGAIN, WorkbookError

__all__ = ["PREFIX", "part_pieces", "read_part", "shown_name"]

PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
"""An optional namespace prefix in a tag pattern: ``<x:c>`` is a cell too."""

_CHUNK_BYTES = 2**20  # parts are unpacked and scanned this much at a time
_ROW_END = re.compile(rb"</" + PREFIX + rb"(?:table-)?row>")  # .xlsx </row>, .ods </table:table-row>
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def part_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, lead: str) -> Iterator[bytes]:
    """Return a part's bytes as pieces that each end after a row's end tag; any DTD is refused on the way.

    The part is unpacked as the pieces are taken, which also checks its
    checksum: a part whose size in the table of contents is a lie ends there,
    with zipfile's error.
    """
    return _row_pieces(_part_chunks(archive, info, lead))


def read_part(archive: zipfile.ZipFile, name: str, lead: str) -> bytes:
    """Return a whole part the package must hold (a workbook's index, its relationships)."""
    try:
        return archive.read(name)
    except KeyError:
        raise WorkbookError(lead + f"its part {name} is missing", SEND_AGAIN) from None


def shown_name(name: str) -> str:
    """Quote a part's name for a message, cut short."""
    return repr(name if len(name) <= 60 else name[:59] + "…")


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
                    lead + f"its part {shown_name(info.filename)} declares a document type (<!DOCTYPE> or "
                    "<!ENTITY>), which Excel and LibreOffice never write; refused, since its entities could "
                    "expand without bound",
                    SAVE_AS_XLSX,
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
