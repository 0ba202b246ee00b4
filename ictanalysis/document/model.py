"""The official document as values: its header blocks, its blocks of text, tables and figures, its signature.

:func:`ictanalysis.document.compose.compose` fills a :class:`Document` from a
report's figures and sentences; :mod:`ictanalysis.document.pdf` and
:mod:`ictanalysis.document.word` lay the same value out, one as a PDF and one
as a .docx, so both say the same words in the same order. Every text here is
plain text, never markup.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Block", "Document", "Figure", "Header", "Heading", "PageBreak", "Paragraph", "Placeholder", "Signer",
           "Summary", "Table", "Tile", "Trend", "TrendSeries", "to_data"]  # fmt: skip


@dataclass(frozen=True)
class Header:
    """The two header blocks: the agency's on the left, the national name and motto, place and date on the right."""

    governing_body: str  #: "UBND TỈNH NINH THUẬN", in capitals
    agency: str  #: "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", in capitals
    number: str  #: "Số: 2291/BC-STTTT"
    nation: str  #: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto: str  #: "Độc lập - Tự do - Hạnh phúc"
    date: str  #: "Ninh Thuận, ngày 13 tháng 11 năm 2020", its day and month blank until signed


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 for a part ("I. ĐÁNH GIÁ CHUNG"), 2 for a sector ("1. Bưu chính")."""

    text: str
    level: int = 1
    kind: str = field(default="heading", init=False)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the body.

    Styles: "" (body text), "item" (a line of a list, after a dash), "intro" (the body's opening),
    "title" and "subtitle" (centred lines of an appendix's heading), "note" (the appendix's smaller text).
    """

    text: str
    style: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Placeholder:
    """A place the analyst fills in before signing, marked so that it is found: "[Đánh giá của Sở: …]"."""

    text: str
    kind: str = field(default="placeholder", init=False)


@dataclass(frozen=True)
class Table:
    """A table with a caption above it: its column headings, its rows of text, which columns hold numbers."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]  #: each column's alignment below the headings: "left", "right" or "center"
    widths: tuple[float, ...]  #: the columns' shares of the text width, adding up to 1
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class Figure:
    """A chart image from the report folder, with its caption below it."""

    image: Path
    caption: str
    kind: str = field(default="figure", init=False)


@dataclass(frozen=True)
class Tile:
    """One headline figure of the summary: its name, its value with its unit, its changes (plain lines)."""

    name: str
    value: str  #: "669.065 thuê bao"
    change: str  #: "+2,1 % so với năm 2019"
    like_for_like: str = ""  #: "+0,9 % cùng đơn vị báo cáo"; "" when the reporters did not change


@dataclass(frozen=True)
class TrendSeries:
    """One series of the summary's trend: its name and unit, its value in each year, its points to draw.

    `points` are (year, value) scaled into the unit square: 0 the first year and the lowest value, 1 the
    last year and the highest.
    """

    name: str
    unit: str
    values: tuple[str, ...]  #: one per year of the trend, "–" for a year without a figure
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Trend:
    """The summary's trend: a small chart of each series (the PDF), or a table of years (the .docx)."""

    caption: str
    years: tuple[str, ...]
    series: tuple[TrendSeries, ...]
    first_heading: str  #: the heading of the table's first column ("Chỉ tiêu")


@dataclass(frozen=True)
class Summary:
    """The one-page summary after the header blocks: the headline tiles, the targets, the trend, kept on one page.

    A part the report has nothing for is left out: no tiles, `targets` None (no plan), `trend` None.
    """

    title: str
    tiles_caption: str
    tiles: tuple[Tile, ...]
    targets: Table | None
    note: str  #: under the targets ("(*) …" for an illustrative target), or ""
    trend: Trend | None
    kind: str = field(default="summary", init=False)


@dataclass(frozen=True)
class PageBreak:
    """The start of a new page (before an appendix)."""

    kind: str = field(default="pagebreak", init=False)


Block = Heading | Paragraph | Placeholder | Table | Figure | Summary | PageBreak


@dataclass(frozen=True)
class Signer:
    """The signature block: the authority lines ("KT. GIÁM ĐỐC"), the title, the name (or the place for it)."""

    authority: tuple[str, ...]
    title: str
    name: str
    name_missing: bool  #: the name is a placeholder to fill in


@dataclass(frozen=True)
class Document:
    """The whole document, in the order it reads."""

    language: str
    title: str  #: the document's title for its metadata
    author: str  #: the issuing agency, for the metadata
    header: Header
    kind: str  #: "BÁO CÁO"
    subject: str  #: the trích yếu, below the kind
    draft: str  #: the draft marker ("DỰ THẢO") while a place is left to fill in, else ""
    body: tuple[Block, ...]
    closing: str  #: the last sentence, kept on the page of the signature
    recipients_title: str  #: "Nơi nhận:"
    recipients: tuple[str, ...]
    signer: Signer
    appendix: tuple[Block, ...] = ()  #: after the signature, from a new page
    placeholders: tuple[str, ...] = ()  #: the texts of the places left to fill in

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Return the figures of the body, in order."""
        return tuple(b for b in self.body if isinstance(b, Figure))


def to_data(document: Document, images: dict[Path, str]) -> dict:
    """Return the document as JSON-ready data: nested dicts and lists, each figure's image by its name in `images`.

    >>> to_data(Document("x", "t", "a", Header(*"abcdef"), "K", "S", "", (Heading("I. A"),), "C", "N", (),
    ...                  Signer((), "T", "N", False)), {})["body"]
    ({'text': 'I. A', 'level': 1, 'kind': 'heading'},)
    """
    data = dataclasses.asdict(document)
    for blocks in (data["body"], data["appendix"]):
        for block in blocks:
            if block["kind"] == "figure":
                block["image"] = images[Path(block["image"])]
    return data
