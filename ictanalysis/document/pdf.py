"""The official document as a PDF to print, sign and file: Typst typesets ``document.typ`` with the package's fonts.

Typst's compiler comes inside its Python wheel (Windows, macOS, Linux), so
nothing is installed beside it. It sees only the four Liberation Serif files
of ``ictanalysis/fonts/`` (neither the system's fonts nor its own embedded
ones) and embeds the glyphs it uses; nothing is fetched. The template reads
the document as data (``data.json``): a text from a workbook or a setting is
shown as written, never read as Typst markup; a character the fonts have
no glyph for (a Chinese name, an emoji pasted into a workbook) is written out
as its code, ``<U+4E2D>``, and logged, never dropped. The PDF is PDF/A-2b, the
archival form.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import tempfile
from pathlib import Path

from ictanalysis.document.metrics import characters
from ictanalysis.document.model import Document, to_data
from ictanalysis.errors import ReportError

__all__ = ["FONTS_DIR", "PDF_STANDARD", "TEMPLATE", "pdf_bytes", "showable"]

#: The fonts the PDF is set in: Liberation Serif 2.1.5 (SIL Open Font License 1.1, see its LICENSE).
FONTS_DIR = Path(__file__).parents[1] / "fonts"
TEMPLATE = Path(__file__).with_name("document.typ")
#: Archival PDF (ISO 19005-2, level B): every font embedded, no transparency groups a printer may get wrong.
PDF_STANDARD = "a-2b"
_DATA = "data.json"
_log = logging.getLogger(__name__)


def pdf_bytes(document: Document) -> bytes:
    """Return `document` typeset as a PDF.

    Works in a temporary folder (the template, its data and copies of the chart images), removed after.

    Raises:
        ReportError: Typst could not typeset it (a chart image it cannot read, a broken template).
    """
    import typst

    with tempfile.TemporaryDirectory(prefix="ictanalysis-document-") as folder:
        root = Path(folder)
        images = {}
        for number, figure in enumerate(document.figures, start=1):
            images[figure.image] = f"figure-{number}{figure.image.suffix.lower()}"
            shutil.copyfile(figure.image, root / images[figure.image])
        data = json.dumps(showable(to_data(document, images)), ensure_ascii=False, default=str)
        (root / _DATA).write_text(data, encoding="utf-8")
        shutil.copyfile(TEMPLATE, root / TEMPLATE.name)
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS_DIR)])
        try:
            pdf, warnings = typst.compile_with_warnings(str(root / TEMPLATE.name), root=str(root), font_paths=fonts,
                                                        format="pdf", pdf_standards=PDF_STANDARD)  # fmt: skip
        except typst.TypstError as exc:
            raise ReportError(f"the document's PDF could not be typeset: {exc.message} {exc.diagnostic}") from None
    for warning in warnings:
        _log.warning("typesetting the document: %s", warning.message)
    return pdf


def showable(value):
    """Return `value` (JSON-ready data) with each character the fonts lack written out as its code.

    >>> showable({"name": ["Công ty 中", "ơ"]})
    {'name': ['Công ty <U+4E2D>', 'ơ']}
    """
    if isinstance(value, dict):
        return {key: showable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [showable(item) for item in value]
    lacking = sorted({c for c in value if ord(c) not in _covered()}) if isinstance(value, str) else []
    if not lacking:
        return value
    _log.warning("the document's fonts have no glyph for %s: written out as codes", ", ".join(map(repr, lacking)))
    return "".join(f"<U+{ord(c):04X}>" if c in lacking else c for c in value)


@functools.cache
def _covered() -> frozenset[int]:
    """Return the characters all four fonts have a glyph for."""
    return frozenset.intersection(*(characters(font) for font in sorted(FONTS_DIR.glob("*.ttf"))))
