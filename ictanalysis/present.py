"""What the report notebook shows: headings, paragraphs and tables as escaped HTML.

Each function returns an IPython ``HTML`` object, so a notebook cell shows it
in JupyterLab and nbconvert copies it into the report. Every string that came
from a workbook is escaped, its control and bidirectional-override characters
written out (:func:`~ictanalysis.text.visible_text`); numbers are written
the Vietnamese way (or the English way) by :mod:`ictanalysis.formatting`; every
table ends with the source cells of its figures.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from ictanalysis.formatting import format_change, format_number, format_percent, format_points
from ictanalysis.text import visible_text
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = ["cell_text", "change_text", "heading", "named", "paragraphs", "table", "table_markup", "title"]


# Columns that hold a percentage or a signed change, written as such.
_PERCENT = {"share", "share_before"}
_PLAIN = {"year", "rank", "rank_before"}  # counted, not measured: no thousands separator
_CHANGE = {"per_100_change", "like_for_like_percent"}  # change_percent goes through change_text (points for a rate)


def _escape(text: str) -> str:
    r"""Return text for HTML: markup characters escaped, invisible control characters written out.

    >>> _escape('<img src=x onerror="alert(1)">\u202e')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\\u202e'
    """
    return html.escape(visible_text(text))


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def title(text: str, subtitle: str = ""):
    """Return the report's title and a subtitle line."""
    sub = f'<p class="note">{_escape(subtitle)}</p>' if subtitle else ""
    return _html(f"<h1>{_escape(text)}</h1>{sub}")


def heading(section: str, language: str = DEFAULT_LANGUAGE, level: int = 2):
    """Return the heading of a report section (``section.<id>`` in the words of `language`)."""
    return _html(f'<h{level} id="{section}">{html.escape(words(language)(f"section.{section}"))}</h{level}>')


def paragraphs(sentences: Iterable[str], css_class: str = ""):
    """Return each sentence as a paragraph (escaped)."""
    attribute = f' class="{css_class}"' if css_class else ""
    return _html("".join(f"<p{attribute}>{_escape(s)}</p>" for s in sentences))


def table(frame: pd.DataFrame, kind: str, columns: Iterable[str], language: str = DEFAULT_LANGUAGE, caption: str = "",
          sources: bool = True):  # fmt: skip
    """Return `frame`'s `columns` as an HTML table with local number notation, then its source cells.

    Args:
        frame: Rows to show; numeric columns are formatted, text is escaped.
        kind: The kind of table (``change``, ``district``…): its headings are ``column.<kind>.<column>``.
        columns: The columns to show, in order.
        language: The language of the headings and of the numbers.
        caption: Shown above the table.
        sources: Add a line listing the source cells of every figure (from `frame["sources"]`).
    """
    return _html(table_markup(frame, kind, columns, language, caption, sources))


def table_markup(frame, kind, columns, language=DEFAULT_LANGUAGE, caption="", sources=True) -> str:
    """Return the markup of :func:`table` as a string."""
    said = words(language)
    head = "".join(f'<th class="{_kind(frame, c)}">{html.escape(said(f"column.{kind}.{c}"))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{_kind(frame, c)}">{_row_cell(c, row, language)}</td>' for c in columns) + "</tr>"
        for _, row in frame.iterrows()
    )
    caption_markup = f"<caption>{_escape(caption)}</caption>" if caption else ""
    markup = f"<table>{caption_markup}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if sources and "sources" in frame.columns:
        cells = "; ".join(s for s in frame["sources"].astype(str) if s)
        markup += (f'<details class="sources"><summary>{html.escape(said("report.sources"))}</summary>'
                   f"<p>{_escape(cells)}</p></details>")  # fmt: skip
    return markup


def named(frame: pd.DataFrame, catalog, language: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Return `frame` with a ``name`` column in `language`, and its ``unit`` column in words.

    The name is the indicator's (an ``indicator`` column), else the area's (``area``),
    else the agency's (``agency``); `frame` is not modified.

    >>> from ictanalysis.catalog import load_catalog
    >>> rows = pd.DataFrame({"area": ["584"], "value": [1.0]})
    >>> named(rows, load_catalog(), "vi")["name"].tolist(), named(rows, load_catalog(), "en")["name"].tolist()
    (['Bác Ái'], ['Bac Ai'])
    """
    said, columns = words(language), {}
    if "indicator" in frame.columns:
        columns["name"] = [said.indicator(catalog.indicators[i]) for i in frame["indicator"]]
    elif "area" in frame.columns:
        columns["name"] = [said.area(catalog.areas[a]) for a in frame["area"]]
    elif "agency" in frame.columns:
        columns["name"] = [said.agency(a, catalog.agencies.get(a)) for a in frame["agency"]]
    if "unit" in frame.columns:
        columns["unit"] = [said.unit(catalog.units[u]) if u in catalog.units else u for u in frame["unit"]]
    shown = frame.assign(**columns)
    if "name" not in columns:
        return shown
    first = [c for c in frame.columns if c in ("indicator", "area", "agency")][:1]
    return shown[[*first, "name", *[c for c in shown.columns if c not in (*first, "name")]]]


def _kind(frame: pd.DataFrame, column: str) -> str:
    return "num" if column in frame.columns and pd.api.types.is_numeric_dtype(frame[column]) else ""


def change_text(row, language: str = DEFAULT_LANGUAGE) -> str:
    """Return a change-table row's change as people read it: in percent, in points for a rate, from 0 as such.

    >>> change_text({"change_percent": 650.0}), change_text({"change_percent": float("nan"), "change_points": 1.5})
    ('+650,0 %', '+1,5 điểm %')
    >>> change_text({"change_percent": float("nan"), "value_before": 0.0, "value": 5.0}, "en")
    'from 0'
    """
    points = row.get("change_points")
    if points is not None and not pd.isna(points):
        return format_points(points, language)
    if row.get("value_before") == 0 and (row.get("value") or 0) > 0:
        return words(language)("report.from_zero")
    return format_change(row.get("change_percent"), language)


def _row_cell(column: str, row, language: str) -> str:
    return _escape(cell_text(column, row, language))


def cell_text(column: str, row, language: str = DEFAULT_LANGUAGE) -> str:
    """Return one cell of a report table as plain text: numbers in the language's notation, "–" for none.

    >>> cell_text("share", {"share": 45.25}), cell_text("rank", {"rank": 3}), cell_text("value", {"value": None})
    ('45,3 %', '3', '–')
    """
    value = row[column]
    if column == "change_percent":
        return change_text(row, language)
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return "–"
    if column in _PLAIN:
        return str(int(value))
    if column in _CHANGE:
        return format_change(value, language)
    if column in _PERCENT:
        return format_percent(value, language)
    return format_number(value, language) if isinstance(value, (int, float)) else str(value)
