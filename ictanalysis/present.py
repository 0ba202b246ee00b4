"""What the report notebook shows: headings, paragraphs and tables as escaped HTML.

Each function returns an IPython ``HTML`` object, so a notebook cell shows it
in JupyterLab and nbconvert copies it into the report. Every string that came
from a workbook is escaped; numbers are written the Vietnamese way (or the
English way) by :mod:`ictanalysis.formatting`; every table ends with the
source cells of its figures.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import pandas as pd

from ictanalysis.formatting import format_change, format_number, format_percent

__all__ = ["SECTIONS", "heading", "paragraphs", "table", "title"]

SECTIONS = {
    "headline": ("Những con số chính", "Headline figures"),
    "postal": ("Bưu chính", "Postal services"),
    "telecom": ("Viễn thông và Internet", "Telecommunications and internet"),
    "infrastructure": ("Hạ tầng viễn thông", "Telecom infrastructure"),
    "subscribers": ("Thuê bao", "Subscribers"),
    "penetration": ("Mật độ thuê bao trên 100 dân", "Subscriptions per 100 inhabitants"),
    "revenue": ("Doanh thu", "Revenue"),
    "egov": ("Chính quyền điện tử", "E-government"),
    "admin": ("Công tác tham mưu, chỉ đạo điều hành của Sở", "The department's own work"),
    "notes": ("Ghi chú số liệu", "Data notes"),
    "sources": ("Phụ lục: nguồn của từng số liệu", "Appendix: where each figure comes from"),
}

# Columns that hold a percentage or a signed change, written as such.
_PERCENT = {"share", "share_before", "per_100", "per_100_before"}
_CHANGE = {"change_percent", "per_100_change"}
_SOURCES = ("Nguồn", "Sources")


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def title(text: str, subtitle: str = ""):
    """Return the report's title and a subtitle line."""
    sub = f'<p class="note">{html.escape(subtitle)}</p>' if subtitle else ""
    return _html(f"<h1>{html.escape(text)}</h1>{sub}")


def heading(section: str, language: str = "vi", level: int = 2):
    """Return the heading of a report section (see :data:`SECTIONS`) in `language`."""
    vi, en = SECTIONS[section]
    return _html(f'<h{level} id="{section}">{html.escape(vi if language == "vi" else en)}</h{level}>')


def paragraphs(sentences: Iterable[str], css_class: str = ""):
    """Return each sentence as a paragraph (escaped)."""
    attribute = f' class="{css_class}"' if css_class else ""
    return _html("".join(f"<p{attribute}>{html.escape(s)}</p>" for s in sentences))


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    language: str = "vi",
    caption: str = "",
    sources: bool = True,
):
    """Return `frame`'s `columns` as an HTML table with local number notation, then its source cells.

    Args:
        frame: Rows to show; numeric columns are formatted, text is escaped.
        columns: column name → (Vietnamese heading, English heading), in display order.
        language: "vi" or "en".
        caption: Shown above the table.
        sources: Add a line listing the source cells of every figure (from `frame["sources"]`).
    """
    return _html(table_markup(frame, columns, language, caption, sources))


def table_markup(frame, columns, language="vi", caption="", sources=True) -> str:
    """Return the markup of :func:`table` as a string."""
    index = 0 if language == "vi" else 1
    head = "".join(f'<th class="{_kind(frame, c)}">{html.escape(labels[index])}</th>' for c, labels in columns.items())
    body = "".join(
        "<tr>" + "".join(f'<td class="{_kind(frame, c)}">{_cell(c, row[c], language)}</td>' for c in columns) + "</tr>"
        for _, row in frame.iterrows()
    )
    caption_markup = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    markup = f"<table>{caption_markup}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if sources and "sources" in frame.columns:
        cells = "; ".join(s for s in frame["sources"].astype(str) if s)
        markup += f'<p class="sources">{_SOURCES[index]}: {html.escape(cells)}</p>'
    return markup


def _kind(frame: pd.DataFrame, column: str) -> str:
    return "num" if column in frame.columns and pd.api.types.is_numeric_dtype(frame[column]) else ""


def _cell(column: str, value, language: str) -> str:
    if isinstance(value, str):
        return html.escape(value)
    if value is None or pd.isna(value):
        return "–"
    if column in _CHANGE:
        return html.escape(format_change(value, language))
    if column in _PERCENT:
        return html.escape(format_percent(value, language))
    if isinstance(value, (int, float)):
        return html.escape(format_number(value, language))
    return html.escape(str(value))
