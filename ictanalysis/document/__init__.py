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

__all__ = ["DocumentResult", "DocumentSettings", "build_document", "document_files", "document_settings",
           "load_document_settings"]  # fmt: skip


def __getattr__(name: str):
    """Import the builder only when asked: :mod:`ictanalysis.settings` reads :mod:`.settings` of this package."""
    if name in ("DocumentResult", "build_document", "document_files"):
        from ictanalysis.document import build

        return getattr(build, name)
    if name in ("DocumentSettings", "document_settings", "load_document_settings"):
        from ictanalysis.document import settings

        return getattr(settings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
