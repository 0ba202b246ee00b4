"""How wide a line of text is in one of the package's fonts, read from the font file's own tables.

The .docx draws the rule under the motto as long as the motto's line, as the
PDF does; Word cannot be asked, so the width is computed from the advance
widths of Liberation Serif, which are Times New Roman's (the fonts are
metric-compatible): the line Word sets is this wide. Reads the ``cmap``
(format 4), ``hhea``, ``hmtx`` and ``head`` tables; kerning is not applied, as
Word does not apply it by default.
"""

from __future__ import annotations

import functools
import struct
from pathlib import Path

__all__ = ["characters", "text_width"]


def text_width(text: str, font: Path, size: float) -> float:
    """Return the width of `text` set in `font` at `size` points, in points.

    >>> from ictanalysis.document.pdf import FONTS_DIR
    >>> round(text_width("Độc lập - Tự do - Hạnh phúc", FONTS_DIR / "LiberationSerif-Bold.ttf", 14), 1)
    171.4
    """
    glyphs, advances, units = _metrics(Path(font))
    widths = [advances[min(glyphs.get(ord(c), 0), len(advances) - 1)] for c in text]
    return sum(widths) * size / units


def characters(font: Path) -> frozenset[int]:
    """Return the code points `font` has a glyph for.

    >>> from ictanalysis.document.pdf import FONTS_DIR
    >>> {ord(c) in characters(FONTS_DIR / "LiberationSerif-Regular.ttf") for c in "ơưậỹ₫"}, ord("中") in characters(
    ...     FONTS_DIR / "LiberationSerif-Regular.ttf")
    ({True}, False)
    """
    return frozenset(_metrics(Path(font))[0])


@functools.cache
def _metrics(font: Path) -> tuple[dict[int, int], list[int], int]:
    """Return the font's glyph of each character, each glyph's advance width, and its units per em."""
    data = font.read_bytes()
    tables = _tables(data)
    units = struct.unpack_from(">H", data, tables["head"] + 18)[0]
    count = struct.unpack_from(">H", data, tables["hhea"] + 34)[0]
    advances = [struct.unpack_from(">H", data, tables["hmtx"] + 4 * i)[0] for i in range(count)]
    return _cmap(data, tables["cmap"]), advances, units


def _tables(data: bytes) -> dict[str, int]:
    """Return the offset of each table of the font, by its tag."""
    count = struct.unpack_from(">H", data, 4)[0]
    records = (struct.unpack_from(">4sIII", data, 12 + 16 * i) for i in range(count))
    return {tag.decode("latin-1"): offset for tag, _, offset, _ in records}


def _cmap(data: bytes, offset: int) -> dict[int, int]:
    """Return the character → glyph map of the font's Unicode BMP subtable (format 4)."""
    count = struct.unpack_from(">H", data, offset + 2)[0]
    for i in range(count):
        platform, encoding, start = struct.unpack_from(">HHI", data, offset + 4 + 8 * i)
        if (platform, encoding) in ((3, 1), (0, 3)) and struct.unpack_from(">H", data, offset + start)[0] == 4:
            return _format4(data, offset + start)
    raise ValueError("the font has no Unicode cmap subtable of format 4")


def _format4(data: bytes, at: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    ranges_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
    glyphs = {}
    for i, (start, end, delta, offset) in enumerate(zip(starts, ends, deltas, ranges, strict=True)):
        for code in range(start, min(end, 0xFFFE) + 1):
            if offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                glyph = struct.unpack_from(">H", data, ranges_at + 2 * i + offset + 2 * (code - start))[0]
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                glyphs[code] = glyph
    return glyphs
