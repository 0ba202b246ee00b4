"""Text from workbooks, shown safely: invisible characters written out, formula-like text kept as text.

File and sheet names are the only free text ingest keeps; they travel into
terminals, pages, emails and spreadsheets. :func:`visible_text` writes out the
characters that print nothing but reorder what follows or drive a terminal;
:data:`FORMULA_STARTS` are the first characters that make a spreadsheet run a
text cell as a formula.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_STARTS", "one_line", "visible_text"]

#: A text cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection):
#: the CSV output and the Excel attachment keep such text as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Control characters (but tab and newline) and the bidirectional marks, overrides and isolates.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_text(value):
    r"""Return text with its control and bidirectional-override characters written as escapes.

    A file or sheet name can hold characters that show nothing yet reorder what
    follows (U+202E makes "baocao\u202excod.xlsx" read "baocaoxslx.docx") or drive a
    terminal (ESC); pages, emails and messages show them as ``\u202e``, ``\x1b``, ``\r``,
    so what a reader sees is what the file holds. Tab and newline stay. Anything but
    text, and markup already made safe (``markupsafe.Markup``), is returned as it is,
    so the function can be a Jinja ``finalize``.

    >>> visible_text("bao-cao\u202excod.xlsx"), visible_text("Bưu chính"), visible_text(2.5)
    ('bao-cao\\u202excod.xlsx', 'Bưu chính', 2.5)
    >>> print(visible_text("x\r\nBcc: a@b\x1b[2J"))
    x\r
    Bcc: a@b\x1b[2J
    """
    if not isinstance(value, str) or hasattr(value, "__html__"):
        return value
    return _HIDDEN.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), value)


def one_line(text: str) -> str:
    r"""Return `text` for a message line: control and direction characters, line breaks too, written out.

    >>> print(one_line("bao-cao\r\nBcc: x\u202e.xlsx"))
    bao-cao\r\nBcc: x\u202e.xlsx
    """
    return visible_text(text).replace("\n", "\\n").replace("\t", "\\t")
