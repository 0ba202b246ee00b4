"""The report as an email leadership can read: HTML for mail clients, the charts inside, the report attached.

:func:`build_email` writes the email from the same computed figures as the
report (:class:`ictanalysis.view.ReportView`, :mod:`ictanalysis.narrative`):
HTML that mail clients render (no script, CSS inlined into ``style``
attributes by css-inline, tables for layout), the charts the report's
contents declare for the email as PNG parts of a multipart/related message
referenced by Content-ID, a plain-text alternative, and two attachments: the
official document as PDF (``bao-cao-<year>.pdf``, what leadership prints and
files; an HTML attachment is what mail filters most often quarantine) and the
tidy table as an Excel workbook. Everything taken
from the data is escaped, its control and bidirectional-override characters
written out (:func:`~ictanalysis.text.visible_text`) in the HTML and the plain
text alike. Nothing is sent here (:mod:`ictanalysis.deliver.smtp`).

Size: the charts are rasterised once more from their SVG at screen size
(about 0.5 MB for the six, against 1.3 MB for the print-size PNGs); the PDF,
its fonts subset, is about 0.3 MB.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.deliver.spreadsheet import XLSX_TYPE, tidy_workbook
from ictanalysis.errors import DeliveryError
from ictanalysis.outputs import ReportFolder, chart_file
from ictanalysis.settings import DEFAULTS, MailConfig
from ictanalysis.text import visible_text
from ictanalysis.words import words

__all__ = ["EMAIL_WIDTH", "MAX_BYTES", "build_email", "missing_charts", "new_message", "write_eml"]

MAX_BYTES = 2_000_000  #: what the whole message stays under (the tests check it), for servers capped at a few MB
EMAIL_WIDTH = 640
_TABLE_ATTACHMENT = "indicators.xlsx"
_log = logging.getLogger(__name__)


def build_email(
    year: int,
    compare_year: int,
    *,
    reports: Path = DEFAULTS.reports,
    data: Path = DEFAULTS.outputs.table,
    province: str = DEFAULTS.province,
    language: str = DEFAULTS.language,
    config: MailConfig | None = None,
) -> EmailMessage:
    """Return the email of the report of `year` compared with `compare_year`.

    Reads the tidy table at `data`, the report and the charts in
    ``reports/<year>/``; writes nothing. Without `config` the message has no
    sender and no recipients (an .eml to open and forward by hand).

    A chart the contents declare for the email but the report has no file of is left out (see
    :func:`missing_charts`, which the send command reports).

    Raises:
        DeliveryError: the report or its official document is not there (run ``ictanalysis report`` first).
    """
    from ictanalysis.compare import compare
    from ictanalysis.tidy import read_indicators
    from ictanalysis.view import ReportView

    folder = ReportFolder(Path(reports) / str(year))
    document = _document_path(folder, year)
    table = read_indicators(Path(data))
    view = ReportView(compare(table, year, compare_year, province), language)
    charts = _chart_images(folder.charts, view.contents.email.charts)
    return _message(_content(view), charts, document, tidy_workbook(table), config)


def _document_path(folder: ReportFolder, year: int) -> Path:
    """Return the official document's PDF the email attaches, once the report is there."""
    pdf = folder.documents(year)[0]
    if not folder.report.is_file():
        raise DeliveryError(f"no report at {folder.report}: run `ictanalysis report` first")
    if not pdf.is_file():
        raise DeliveryError(f"no official document at {pdf} (a report built by an earlier version): "
                            "run `ictanalysis report` again")  # fmt: skip
    return pdf


@dataclass(frozen=True)
class _Chart:
    name: str
    png: bytes
    width: int
    height: int
    cid: str


def missing_charts(charts: Path, names: Sequence[str]) -> list[str]:
    """Return the charts of `names` that have no file in `charts` (a report built before they were declared)."""
    return [n for n in names if not (chart_file(charts, n, "svg").is_file() or chart_file(charts, n, "png").is_file())]


def _chart_images(charts: Path, names: Sequence[str]) -> list[_Chart]:
    """Return the charts `names` that were drawn, as screen-size PNGs (from the SVG when there is one).

    A chart without a file is left out with a warning in the log; :func:`missing_charts` names them
    for the command's output.
    """
    images = []
    for name in names:
        png = _screen_png(chart_file(charts, name, "svg"), chart_file(charts, name, "png"))
        if png is None:
            _log.warning("the chart %s is not in %s: the email goes without it (run `ictanalysis report` again)",
                         name, charts)  # fmt: skip
            continue
        width, height = _png_size(png)
        images.append(_Chart(name, png, width, height, f"<{name}.{secrets.token_hex(6)}@ictanalysis.invalid>"))
    return images


def _screen_png(svg: Path, png: Path) -> bytes | None:
    if svg.is_file():
        import vl_convert

        return vl_convert.svg_to_png(svg.read_text(encoding="utf-8"), scale=1)
    return png.read_bytes() if png.is_file() else None


def _png_size(png: bytes) -> tuple[int, int]:
    """Return a PNG's width and height from its header.

    >>> _png_size(bytes(16) + (640).to_bytes(4, "big") + (480).to_bytes(4, "big"))
    (640, 480)
    """
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@dataclass(frozen=True)
class _Content:
    """The words and figures of the email, shared by the HTML and the plain text."""

    subject: str
    title: str
    subtitle: str
    intro: str
    lead: str
    sentences: list[str]
    table_html: str
    table_headings: list[str]
    table_rows: list[list[str]]
    language: str


def _content(view) -> _Content:
    from ictanalysis.present import cell_text, table_markup

    cmp, said, language = view.cmp, view.said, view.language
    year, cy, area = cmp.year, cmp.compare_year, cmp.catalog.areas[cmp.province]
    title = said("report.title", year=year)
    table = view.contents.email.table
    frame, kind = view.frame(table), view.contents.tables[table].kind
    columns = view.contents.columns[kind]
    return _Content(
        subject=said("email.subject", title=title, province=said.area(area, full=True), cy=cy),
        title=title,
        subtitle=said("report.subtitle", province=said.area(area), compare_year=cy),
        intro=said("email.intro"),
        lead=said("email.lead", year=year, cy=cy),
        sentences=view.sentences(view.contents.email.sentences),
        table_html=table_markup(frame, kind, columns, language, sources=False),
        table_headings=[said(f"column.{kind}.{c}") for c in columns],
        table_rows=[[cell_text(c, row, language) for c in columns] for _, row in frame.iterrows()],
        language=language,
    )


def _message(content: _Content, charts, document: Path, workbook: bytes, config) -> EmailMessage:
    said = words(content.language)
    table_name = _TABLE_ATTACHMENT
    attached = said("email.attached", report=document.name, table=table_name)
    generated = said("email.generated", when=dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M"))
    message = new_message(content.subject, config, config.recipients if config else ())
    message.set_content(_plain_text(content, attached, generated))
    message.add_alternative(_email_html(content, charts, attached, generated), subtype="html")
    related = message.get_payload()[1]
    for chart in charts:
        related.add_related(
            chart.png, "image", "png", cid=chart.cid, filename=chart_file(Path(), chart.name, "png").name,
            disposition="inline",
        )
    message.add_attachment(document.read_bytes(), "application", "pdf", filename=document.name)
    message.add_attachment(workbook, *XLSX_TYPE, filename=table_name)
    return message


def new_message(subject: str, config: MailConfig | None, to: Sequence[str]) -> EmailMessage:
    """Return an empty message with its subject, sender and recipients (none without `config`), date and id."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = subject
    if config is not None:
        message["From"] = config.sender
        if to:
            message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] if config else "ictanalysis.invalid")
    return message


def _plain_text(content: _Content, attached: str, generated: str) -> str:
    table = [" | ".join(content.table_headings)] + [" | ".join(row) for row in content.table_rows]
    parts = [content.intro, "", content.title, content.subtitle, "", content.lead, "",
             *(f"- {s}" for s in content.sentences), "", *table, "", attached, "", generated]  # fmt: skip
    return visible_text("\n".join(parts) + "\n")


def _email_html(content: _Content, charts, attached: str, generated: str) -> str:
    """Render the template and inline its CSS into style attributes (no <style> left)."""
    import css_inline
    from markupsafe import Markup

    from ictanalysis.pages import render

    said = words(content.language)
    images = [{"cid": c.cid[1:-1], "caption": said(f"report.{c.name}"), "alt": said(f"report.{c.name}"),
               "width": min(c.width, EMAIL_WIDTH - 40)} for c in charts]  # fmt: skip
    page = render("email.html.j2", content.language, c=content, table=Markup(content.table_html), charts=images,
                  attached=attached, generated=generated, width=EMAIL_WIDTH)  # fmt: skip
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False).inline(page)


def write_eml(message: EmailMessage, path: Path) -> Path:
    """Write `message` to `path` as an .eml file, atomically (a reader never sees half of it).

    The file carries ``X-Unsent: 1``, so that Outlook opens it as a draft to send or forward;
    the message sent over SMTP does not (the header is removed again).
    """
    message["X-Unsent"] = "1"
    try:
        data = message.as_bytes(policy=email.policy.SMTP)
    finally:
        del message["X-Unsent"]
    return write_atomically(Path(path), lambda p: p.write_bytes(data))
