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

The HTML reads on a 390 px phone and in Outlook for Windows alike: one column
at most :data:`EMAIL_WIDTH` wide that narrows with the screen (Outlook, which
knows no ``max-width``, gets a fixed-width table in a conditional comment), the
figures table stacked (each indicator's name on its own row, its figures under
it), the font on every cell, images as wide as their ``width`` attribute and
never wider than the screen. A number is tied to its unit by a no-break space
(U+00A0) in the HTML and the plain text, so "53,9 %" never breaks before "%".

Charts: the report's charts drawn again from the same figures in the phone layout
(:data:`ictanalysis.chart.PHONE`: a narrower plot, names and titles wrapped shorter,
text a quarter larger), so that a phone, which shows them about 360 px wide, still
writes their smallest text above 9 px; a desktop client shows them at their own size,
at most :data:`CHART_WIDTH`. Each PNG has twice the pixels of its shown size (sharp
on phones) and is compressed again losslessly (vl-convert writes them fast and three
times as large): about 0.4 MB for the six. Each image's alt text says the chart's key
figure. A chart with nothing to draw for the pair is left out, as the report shows a
note instead. The PDF, its fonts subset, is about 0.3 MB.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import functools
import html
import logging
import secrets
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.deliver.spreadsheet import XLSX_TYPE, tidy_workbook
from ictanalysis.errors import DeliveryError
from ictanalysis.formatting import bind_units
from ictanalysis.outputs import ReportFolder, chart_file
from ictanalysis.settings import DEFAULTS, MailConfig
from ictanalysis.text import visible_text
from ictanalysis.words import words

__all__ = ["CHART_WIDTH", "EMAIL_WIDTH", "MAX_BYTES", "build_email", "new_message", "write_eml"]

MAX_BYTES = 2_000_000  #: what the whole message stays under (the tests check it), for servers capped at a few MB
EMAIL_WIDTH = 680  #: the widest the email's column is (a desktop client), in CSS pixels
CHART_WIDTH = EMAIL_WIDTH - 16  #: the widest a chart is shown, inside the column's padding
PNG_SCALE = 2  #: the email's chart PNGs have twice the pixels of the size they are shown at
_TABLE_ATTACHMENT = "indicators.xlsx"
_MONEY = "đồng"  #: the catalog's unit of money, written in tỷ or triệu đồng
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
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

    The charts are drawn from the table in the phone layout; one with nothing to draw is left out.

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
    charts = _chart_images(view, view.contents.email.charts)
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
    width: int  #: the width it is shown at, in CSS pixels (the image has PNG_SCALE times as many)
    cid: str


def _chart_images(view, names: Sequence[str]) -> list[_Chart]:
    """Return the charts `names` drawn in the phone layout, as PNGs of twice the size they are shown at."""
    import vl_convert

    from ictanalysis.chart import PHONE, drawn_for
    from ictanalysis.formatting import format_locale

    images = []
    for name in names:
        with drawn_for(PHONE):
            spec = view.chart_spec(name)
        if spec is None:
            _log.info("the chart %s has nothing to draw for this pair: the email goes without it", name)
            continue
        svg = vl_convert.vegalite_to_svg(spec, format_locale=format_locale(view.language))
        png = _recompressed(vl_convert.svg_to_png(svg, scale=PNG_SCALE))
        width = min(_png_size(png)[0] // PNG_SCALE, CHART_WIDTH)
        images.append(_Chart(name, png, width, f"<{name}.{secrets.token_hex(6)}@ictanalysis.invalid>"))
    return images


def _png_size(png: bytes) -> tuple[int, int]:
    """Return a PNG's width and height from its header.

    >>> _png_size(bytes(16) + (640).to_bytes(4, "big") + (480).to_bytes(4, "big"))
    (640, 480)
    """
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _recompressed(png: bytes) -> bytes:
    """Return `png` with its image data compressed again at zlib's best level: the same pixels, fewer bytes.

    The other chunks are kept, in order, before the one image-data chunk.

    >>> header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])  # one grey pixel
    >>> png = _PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(bytes(400), 0))
    >>> small = _recompressed(png + _png_chunk(b"IEND", b""))
    >>> len(small) < len(png), _png_size(small), small.endswith(_png_chunk(b"IEND", b""))
    (True, (1, 1), True)
    """
    kept, data, at = [], [], len(_PNG_SIGNATURE)
    while at < len(png):
        size = int.from_bytes(png[at : at + 4], "big")
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + size]
        at += 12 + size
        if kind == b"IDAT":
            data.append(body)
        elif kind != b"IEND":
            kept.append(_png_chunk(kind, body))
    pixels = zlib.compress(zlib.decompress(b"".join(data)), 9)
    return b"".join([_PNG_SIGNATURE, *kept, _png_chunk(b"IDAT", pixels), _png_chunk(b"IEND", b"")])


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


@dataclass(frozen=True)
class _Content:
    """The words and figures of the email, shared by the HTML and the plain text (numbers tied to their units)."""

    subject: str
    title: str
    subtitle: str
    intro: str
    lead: str
    sentences: list[str]
    table_headings: list[str]
    table_rows: list[list[str]]
    numeric: list[bool]  #: which of the table's columns hold figures (the others name the row)
    chart_alts: dict[str, str]  #: each chart's alt text: its title and its key figure
    language: str


def _content(view) -> _Content:
    from ictanalysis.present import cell_text, headings

    cmp, said, language = view.cmp, view.said, view.language
    year, cy, area = cmp.year, cmp.compare_year, cmp.catalog.areas[cmp.province]
    tie = _unit_tier(cmp.catalog, language)
    title = said("report.title", year=year)
    frame, kind = view.frame(view.contents.email.table), view.contents.tables[view.contents.email.table].kind
    columns = view.contents.columns[kind]
    return _Content(
        subject=said("email.subject", title=title, province=said.area(area, full=True), cy=cy),
        title=title,
        subtitle=tie(said("report.subtitle", province=said.area(area), compare_year=cy)),
        intro=said("email.intro"),
        lead=tie(said("email.lead", year=year, cy=cy)),
        sentences=[tie(s) for s in view.sentences(view.contents.email.sentences)],
        table_headings=headings(frame, kind, columns, language),
        table_rows=[[tie(cell_text(c, row, language)) for c in columns] for _, row in frame.iterrows()],
        numeric=[_holds_numbers(frame, c) for c in columns],
        chart_alts={name: tie(_chart_alt(view, name)) for name in view.contents.email.charts},
        language=language,
    )


def _holds_numbers(frame, column: str) -> bool:
    import pandas as pd

    return column in frame.columns and pd.api.types.is_numeric_dtype(frame[column])


def _unit_tier(catalog, language: str):
    """Return a function that ties every number of a text to the unit after it with no-break spaces.

    The units are the catalog's, in `language`, the scales of money, percent and percentage points.

    >>> from ictanalysis.catalog import load_catalog
    >>> tie = _unit_tier(load_catalog(), "vi")
    >>> tie("tăng 2,1 % lên 1.120,9 tỷ đồng, 35 điểm cầu, 1,5 điểm phần trăm; 555 dịch vụ")
    'tăng 2,1\\xa0% lên 1.120,9\\xa0tỷ\\xa0đồng, 35\\xa0điểm\\xa0cầu, 1,5\\xa0điểm\\xa0phần\\xa0trăm; 555 dịch vụ'
    """
    said = words(language)
    units = {said.unit(u) for u in catalog.units.values()} | {"%", said("number.points", number="").strip()}
    units |= {said(key) for key in ("money.billion", "money.million", "money.dong", "narrative.points")}
    return functools.partial(bind_units, units=units)


def _chart_alt(view, name: str) -> str:
    """Return the alt text of chart `name`: its title and key figure (the range of changes, or the total and change)."""
    import pandas as pd

    from ictanalysis.present import cell_text, named

    spec, cmp, said, language = view.contents.charts[name], view.cmp, view.said, view.language
    title = view.title_of(name)
    if spec.kind == "change_bars":
        changes = view.frame(spec.table).dropna(subset=["change_percent"])
        if changes.empty:
            return title
        low, high = (changes.loc[i] for i in (changes["change_percent"].idxmin(), changes["change_percent"].idxmax()))
        return said("email.alt_range", title=title, low=cell_text("change_percent", low, language),
                    low_name=low["name"], high=cell_text("change_percent", high, language), high_name=high["name"])  # fmt: skip
    if spec.indicator is None:
        return title
    figures = cmp.change_table([spec.indicator])
    row = named(figures, cmp.catalog, language).iloc[0]
    if pd.isna(row["value"]):
        return title
    return said("email.alt_figure", title=title, name=row["name"], year=cmp.year, cy=cmp.compare_year,
                amount=_amount(row, figures["unit"].iloc[0], language),
                change=cell_text("change_percent", row, language))  # fmt: skip


def _amount(row, unit: str, language: str) -> str:
    """Return a figure with its unit: money in tỷ or triệu đồng, the rest as the table writes it."""
    from ictanalysis.formatting import format_money
    from ictanalysis.present import cell_text

    if unit == _MONEY:
        return format_money(row["value"], language)
    return words(language)("number.quantity", number=cell_text("value", row, language), unit=row["unit"])


def _message(content: _Content, charts, document: Path, workbook: bytes, config) -> EmailMessage:
    said = words(content.language)
    table_name = _TABLE_ATTACHMENT
    attached = said("email.attached", report=document.name, table=table_name)
    now = dt.datetime.now().astimezone()
    generated = said("email.generated", time=now.strftime("%H:%M"), date=now.strftime("%d/%m/%Y"))
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


def _figures(content: _Content) -> dict:
    """Return the figures table as the template stacks it: the figures' headings, and per row its label and figures.

    A row's label is its first naming cell, the others (the unit) in parentheses.
    """
    numeric = content.numeric
    rows = []
    for row in content.table_rows:
        names = [cell for cell, is_number in zip(row, numeric, strict=True) if not is_number]
        more = [n for n in names[1:] if n and n != "–"]
        label = f"{names[0]} ({', '.join(more)})" if names and more else (names[0] if names else "")
        rows.append({"label": label, "figures": [c for c, is_number in zip(row, numeric, strict=True) if is_number]})
    headings = [h for h, is_number in zip(content.table_headings, numeric, strict=True) if is_number]
    return {"headings": headings, "rows": rows}


def _email_html(content: _Content, charts, attached: str, generated: str) -> str:
    """Render the template and inline its CSS into style attributes (no <style> left).

    The alt texts go in after inlining, fully escaped: css-inline writes ``<`` and ``>`` of an
    attribute's value as they are, and a name from the data may hold them.
    """
    import css_inline

    from ictanalysis.pages import render

    alts = {f"alt-{secrets.token_hex(8)}": content.chart_alts.get(c.name, c.name) for c in charts}
    images = [{"cid": c.cid[1:-1], "alt": slot, "width": c.width} for slot, c in zip(alts, charts, strict=True)]
    page = render("email.html.j2", content.language, c=content, figures=_figures(content), charts=images,
                  attached=attached, generated=generated, width=EMAIL_WIDTH)  # fmt: skip
    page = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False).inline(page)
    for slot, alt in alts.items():
        page = page.replace(slot, html.escape(visible_text(alt)))
    return page


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
