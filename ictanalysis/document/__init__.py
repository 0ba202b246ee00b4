"""The report as the department's official document: a PDF to print, sign and file, and an editable .docx draft.

An administrative report laid out as Nghị định 30/2020/NĐ-CP asks (A4, the
header blocks, a Times-metric serif, the margins), telling the figures and
sentences the HTML report tells. One call writes both files::

    from ictanalysis.document import build_document, load_document_settings
    result = build_document(2020, 2019, data=Path("data/processed/indicators.parquet"),
                            quality=Path("reports/2020/quality/2020-vs-2019.json"), out_dir=Path("reports/2020"),
                            document=load_document_settings(Path("ictanalysis.toml")))
    result.pdf, result.docx, result.placeholders

The header blocks, the signer and the recipients are the ``[document]`` table of
the settings file (:class:`DocumentSettings`).
"""

from __future__ import annotations

from ictanalysis.document.build import DOCX_NAME, PDF_NAME, DocumentResult, build_document, document_files
from ictanalysis.document.settings import DocumentSettings, document_settings, load_document_settings

__all__ = ["DOCX_NAME", "PDF_NAME", "DocumentResult", "DocumentSettings", "build_document", "document_files",
           "document_settings", "load_document_settings"]  # fmt: skip
