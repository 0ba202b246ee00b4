"""Build the official document of a report year: ``bao-cao-<year>.pdf`` to sign and ``bao-cao-<year>.docx`` to edit.

:func:`build_document` reads the tidy table (and the gate's result, for the data
notes, and the year's plan, for the targets), takes the figures and sentences from the report's library
(:class:`~ictanalysis.view.ReportView`), composes the document once
(:mod:`ictanalysis.document.compose`), opens its body with the one-page
summary (:mod:`ictanalysis.summary`) and writes it twice, as a PDF
(:mod:`ictanalysis.document.pdf`) and as a .docx
(:mod:`ictanalysis.document.word`), both in the output folder. Each file is
written whole under a temporary name and renamed only when both are written.
It takes no lock: the stage that calls it does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ictanalysis.atomic import write_files_atomically
from ictanalysis.document.settings import DOCUMENT_DEFAULTS, DocumentSettings
from ictanalysis.outputs import ReportFolder
from ictanalysis.plan import DEFAULT_PLANS
from ictanalysis.settings import DEFAULTS

__all__ = ["DocumentResult", "build_document", "document_files"]


def document_files(out_dir: Path, year: int) -> tuple[Path, Path]:
    """Return the PDF and the .docx of `year` in `out_dir`.

    >>> [p.as_posix() for p in document_files(Path("reports/2020"), 2020)]
    ['reports/2020/bao-cao-2020.pdf', 'reports/2020/bao-cao-2020.docx']
    """
    return ReportFolder(Path(out_dir)).documents(year)


@dataclass(frozen=True)
class DocumentResult:
    """What :func:`build_document` wrote."""

    pdf: Path
    docx: Path
    charts: tuple[Path, ...]  #: the chart images the document shows, in order
    placeholders: tuple[str, ...]  #: the marked places left for the analyst to fill in before signing

    @property
    def draft(self) -> bool:
        """Tell whether a place is left to fill in (the PDF then carries the draft marker)."""
        return bool(self.placeholders)


def build_document(year: int, compare_year: int, *, data: Path, quality: Path | None, out_dir: Path,
                   province: str = DEFAULTS.province, language: str = DEFAULTS.language,
                   document: DocumentSettings = DOCUMENT_DEFAULTS, plans: Path | None = DEFAULT_PLANS) -> DocumentResult:  # fmt: skip
    """Write the official document of `year` compared with `compare_year` into `out_dir`; return what was written.

    Args:
        year, compare_year: The pair of years, as the report compares them.
        data: The tidy table (``indicators.parquet``).
        quality: The gate's result for the pair (``quality/<year>-vs-<compare year>.json``), for the data
            notes; None: the notes say the figures were not checked.
        out_dir: The report year's folder; the charts the document shows are read from its ``charts/``
            (``<name>.png``, else ``<name>.svg``) and left out when absent.
        province, language: The province's code and the document's language.
        document: The header blocks, signer and recipients, as of the report year (``for_year``).
        plans: The folder of the plan files (``ke-hoach-<year>.csv``, :mod:`ictanalysis.plan`), whose targets
            the summary sets against the results; None, or no file for the year: no targets.

    Raises:
        YearError, UsageError: a year the table does not hold, a language without words.
        InputError: the year's plan file has problems (each named by its cell).
        ReportError: the PDF could not be typeset.
        DiskFullError, OutputError: a file could not be written; neither is replaced then.
    """
    from ictanalysis.compare import compare
    from ictanalysis.document.compose import compose
    from ictanalysis.document.pdf import pdf_bytes
    from ictanalysis.document.word import docx_bytes
    from ictanalysis.quality import read_quality
    from ictanalysis.tidy import read_indicators
    from ictanalysis.view import ReportView
    from ictanalysis.words import check_language

    cmp = compare(read_indicators(Path(data)), year, compare_year, province)
    view = ReportView(cmp, check_language(language), read_quality(quality) if quality is not None else None)
    composed = compose(view, document.for_year(year), ReportFolder(Path(out_dir)).charts)  # the year's department
    composed = visible(with_summary(composed, view, plans))
    pdf, docx = pdf_bytes(composed), docx_bytes(composed)
    pdf_path, docx_path = document_files(Path(out_dir), year)
    write_files_atomically([(pdf_path, lambda p: p.write_bytes(pdf)), (docx_path, lambda p: p.write_bytes(docx))])
    return DocumentResult(pdf_path, docx_path, tuple(f.image for f in composed.figures), composed.placeholders)


def with_summary(composed, view, plans: Path | None):
    """Return the composed document with the one-page summary first in its body (none when it has nothing to show).

    Raises:
        InputError: the year's plan file has problems.
    """
    from ictanalysis.plan import read_plan
    from ictanalysis.summary import document_block, summarise

    cmp = view.cmp
    summary = summarise(cmp, view.contents, read_plan(plans, cmp.year, cmp.catalog), view.language)
    if summary.empty:
        return composed
    return dataclasses.replace(composed, body=(document_block(summary), *composed.body))


def visible(value):
    r"""Return `value` (the composed document, or any part of it) with every text's control characters written out.

    A file or sheet name in the data notes may hold a control or direction-override character: the
    document shows it as ``\u202e``, as the report and the email do (:func:`~ictanalysis.text.visible_text`);
    the .docx could not hold it at all.

    >>> visible(("a\x00b", 2))
    ('a\\x00b', 2)
    """
    from ictanalysis.text import visible_text

    if isinstance(value, str):
        return visible_text(value)
    if isinstance(value, tuple | list):
        return type(value)(visible(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: visible(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})  # fmt: skip
    return value
