"""The official document's words and figures, composed from a report's view and the analyst's document settings.

:func:`compose` returns a :class:`~ictanalysis.document.model.Document` that
reads as an administrative report does: the header blocks; the kind and the
trích yếu; I. the overall assessment (the headline sentences and table); II.
each sector of the report (its sentences not said above, a sentence saying a
year holds none of its figures); III. the indicators that fell (the report's sentences); IV. the
department's assessment and V. next year's tasks (the analyst's, or marked
places to fill in); the closing sentence, the recipients and the signature;
and an appendix with the data notes. Every sentence and figure comes from the
report's library (:class:`~ictanalysis.view.ReportView`); nothing is computed
here, and no sentence is said twice. Reads only which chart files exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.document.contents import OVERVIEW, load_document_contents, sectors
from ictanalysis.document.model import Document, Figure, Header, Heading, PageBreak, Paragraph, Placeholder, Signer
from ictanalysis.document.settings import DocumentSettings
from ictanalysis.document.tables import headline_table
from ictanalysis.narrative import absence_sentence
from ictanalysis.outputs import chart_file

__all__ = ["compose", "date_line"]

#: The report's headline: its sentences and its change table have this name in ``catalog/report.yaml``.
_HEADLINE = "headline"
#: What fell: a set of sentences of ictanalysis.narrative, said in the report's own part (catalog/report.yaml).
_DECLINED = "declined"
_PARTS = ("I", "II", "III", "IV", "V")


def compose(view, settings: DocumentSettings, charts: Path) -> Document:
    """Return the document of `view` (a :class:`~ictanalysis.view.ReportView`) with `settings`' header and signer.

    `charts` is the report folder's charts folder: a chart the document shows is there as
    ``<name>.png`` or ``<name>.svg``, or left out.
    """
    said, cmp = view.said, view.cmp
    body = _Body(view, Path(charts))
    area = said.area(cmp.catalog.areas[cmp.province], full=True, in_sentence=True)
    body.add(Paragraph(said("document.intro", agency=settings.agency, province=area, year=cmp.year,
                            cy=cmp.compare_year), "intro"))  # fmt: skip
    body.overview()
    body.sectors()
    body.declined()
    body.to_fill(settings)
    signer = _signer(settings, said)
    missing = (*body.placeholders, *([signer.name] if signer.name_missing else []))
    subject = said("document.subject", year=cmp.year, cy=cmp.compare_year)
    return Document(
        language=view.language, title=subject, author=settings.agency, header=_header(view, settings),
        kind=said("document.kind"), subject=subject, draft=said("document.draft") if missing else "",
        body=tuple(body.blocks), closing=said("document.closing", year=cmp.year, agency=settings.agency),
        recipients_title=said("document.recipients"), recipients=settings.recipients,
        signer=signer, appendix=_appendix(view, settings), placeholders=missing,
    )  # fmt: skip


@dataclass
class _Body:
    """The body as it is written: its blocks, the sentences said so far, the tables and figures numbered."""

    view: object
    charts: Path
    blocks: list = field(default_factory=list)
    told: set = field(default_factory=set)
    placeholders: list = field(default_factory=list)
    tables: int = 0
    figures: int = 0

    def add(self, *blocks) -> None:
        self.blocks.extend(blocks)

    def untold(self, sentences: list[str]) -> list[str]:
        """Return the sentences not said yet (each once), and count them as said."""
        fresh = [s for s in dict.fromkeys(sentences) if s not in self.told]
        self.told.update(fresh)
        return fresh

    def _paragraphs(self, groups: list[list[str]]) -> list[Paragraph]:
        """Return a paragraph per group of sentences, of the sentences not said yet; none for a group all said."""
        fresh = (self.untold(group) for group in groups)
        return [Paragraph(" ".join(sentences)) for sentences in fresh if sentences]

    def overview(self) -> None:
        """Write part I: the headline sentences, the headline table and the charts that follow it."""
        view = self.view
        self.add(Heading(f"{_PARTS[0]}. {view.said('document.part.overview')}"))
        self.add(*self._paragraphs(view.paragraphs(_HEADLINE)))
        if view.holding.shows(view.contents.table_indicators(_HEADLINE)):
            self.tables += 1
            self.add(headline_table(view, self.tables))
        self.add(*self._figures(OVERVIEW))

    def sectors(self) -> None:
        """Write part II: one numbered heading per sector that has something left to say, then its charts."""
        view = self.view
        self.add(Heading(f"{_PARTS[1]}. {view.said('document.part.sectors')}"))
        number = 0
        for section in sectors(view.contents):
            lacking = view.holding.lacking(section.domains)
            told = [[absence_sentence(section.domains, lacking, view.language)]] if lacking else []
            if len(lacking) < len(view.holding.years):
                told += view.paragraphs(section.sentences)
            paragraphs = self._paragraphs(told)
            figures = self._figures(section.id) if len(lacking) < len(view.holding.years) else []
            if paragraphs or figures:
                number += 1
                self.add(Heading(f"{number}. {view.said(f'section.{section.id}')}", 2), *paragraphs, *figures)

    def declined(self) -> None:
        """Write part III: what fell, as the report's own part says it (each fall a line of a list, the largest first).

        The sentences are the report's (:func:`ictanalysis.narrative.declined_sentences`): the same falls, in the
        same words, in the HTML report and the document; without any, the one sentence saying none fell.
        """
        view = self.view
        self.add(Heading(f"{_PARTS[2]}. {view.said('document.part.declined', cy=view.cmp.compare_year)}"))
        groups = [self.untold(group) for group in view.paragraphs(_DECLINED)]
        self.add(*(Paragraph(" ".join(group), "item" if n else "") for n, group in enumerate(groups) if group))

    def to_fill(self, settings: DocumentSettings) -> None:
        """Write parts IV and V: the analyst's assessment and tasks, or marked places for them."""
        said, year = self.view.said, self.view.cmp.year + 1
        parts = ((said("document.part.assessment"), settings.assessment, said("document.placeholder.assessment")),
                 (said("document.part.tasks", year=year), settings.tasks, said("document.placeholder.tasks", year=year)))  # fmt: skip
        for number, (heading, written, placeholder) in zip(_PARTS[3:], parts, strict=True):
            self.add(Heading(f"{number}. {heading}"))
            paragraphs = [p.strip() for p in written.split("\n\n") if p.strip()]
            self.add(*(Paragraph(" ".join(p.split())) for p in paragraphs))
            if not paragraphs:
                self.placeholders.append(placeholder)
                self.add(Placeholder(placeholder))

    def _figures(self, part: str) -> list[Figure]:
        figures = []
        for name in load_document_contents().charts_after(part):
            image = next((f for f in (chart_file(self.charts, name, k) for k in ("png", "svg")) if f.is_file()), None)
            if image is not None:
                self.figures += 1
                title = self.view.title_of(name)
                figures.append(Figure(image, self.view.said("document.figure", number=self.figures, title=title)))
        return figures


def _header(view, settings: DocumentSettings) -> Header:
    """Return the header blocks; a governing body or place the settings leave empty is the province's own."""
    said, area = view.said, view.cmp.catalog.areas[view.cmp.province]
    kind = len(area.full_name) - len(area.name)  # the official names stay Vietnamese: "UBND tỉnh Ninh Thuận"
    governing = settings.governing_body or said("document.governing_body",
                                                province=area.full_name[:kind].lower() + area.name)  # fmt: skip
    return Header(governing_body=governing.upper(), agency=settings.agency.upper(),
                  number=said("document.number", number=settings.symbol), nation=said("document.nation"),
                  motto=said("document.motto"), date=date_line(said, settings.place or area.name, settings.date,
                                                               view.cmp.year))  # fmt: skip


def date_line(said, place: str, date: dt.date | None, year: int) -> str:
    """Return the place and date line; without a date, its day and month blank (written when it is signed).

    A day below 10 and the months 1 and 2 take a leading zero (Nghị định 30/2020/NĐ-CP).

    >>> from ictanalysis.words import words
    >>> date_line(words(), "Ninh Thuận", dt.date(2021, 2, 5), 2020)
    'Ninh Thuận, ngày 05 tháng 02 năm 2021'
    >>> date_line(words(), "Ninh Thuận", dt.date(2020, 11, 13), 2020), date_line(words(), "Ninh Thuận", None, 2020)
    ('Ninh Thuận, ngày 13 tháng 11 năm 2020', 'Ninh Thuận, ngày      tháng      năm 2020')
    """
    if date is None:
        return said("document.date_unsigned", place=place, year=year)
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return said("document.date", place=place, day=f"{date.day:02d}", month=month, year=date.year)


def _signer(settings: DocumentSettings, said) -> Signer:
    name = settings.signer_name or said("document.placeholder.signer")
    authority = tuple(line.upper() for line in settings.signer_authority)
    return Signer(authority, settings.signer_title.upper(), name, not settings.signer_name)


def _appendix(view, settings: DocumentSettings) -> tuple:
    """Return the appendix: its heading, what it goes with, and the report's data notes."""
    said = view.said
    heading = (Paragraph(said("document.appendix"), "title"), Paragraph(said("document.appendix_title"), "title"),
               Paragraph(said("document.appendix_of", number=settings.symbol, agency=settings.agency), "subtitle"))  # fmt: skip
    fell = set(view.sentences(_DECLINED))  # part III says what fell
    return (PageBreak(), *heading, *(Paragraph(note, "note") for note in view.sentences("notes") if note not in fell))
