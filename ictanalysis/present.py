"""What the report notebook shows: headings, paragraphs and tables as escaped HTML.

Each function returns an IPython ``HTML`` object, so a notebook cell shows it
in JupyterLab and nbconvert copies it into the report. Every string that came
from a workbook is escaped, its control and bidirectional-override characters
written out (:func:`~ictanalysis.text.visible_text`); numbers are written
the Vietnamese way (or the English way) by :mod:`ictanalysis.formatting`, each
indicator with the decimals and in the unit the report's contents declare
(``notation`` in ``catalog/report.yaml``: money in tỷ đồng, as the sentences
write it, the unit stated in the table); a table's year columns are headed
with their years, its total row is set apart, and it ends with the source
cells of its figures.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from ictanalysis.contents import load_contents
from ictanalysis.formatting import format_change, format_number, format_percent, format_points, money_scale
from ictanalysis.text import visible_text
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = [
    "cell_text",
    "change_text",
    "heading",
    "headings",
    "named",
    "paragraphs",
    "table",
    "table_markup",
    "title",
    "written",
]


# Columns that hold a percentage or a signed change, written as such.
_PERCENT = {"share", "share_before"}
_PLAIN = {"year", "rank", "rank_before"}  # counted, not measured: no thousands separator
_CHANGE = {"per_100_change", "like_for_like_percent"}  # change_percent goes through change_text (points for a rate)
#: Columns of figures in the indicator's unit: written with the row's ``decimals``, money in the table's unit.
_AMOUNTS = ("value_before", "value", "subscribers_before", "subscribers", "population_before", "population")
#: The kinds of table whose value columns are years (a source table's rows are).
_BY_YEAR = {"change", "operator", "district", "penetration"}


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
    """Return the markup of :func:`table` as a string.

    A frame from :func:`written` heads its year columns with the years and states its unit in the
    caption; a row whose ``total`` is true is the table's total (``class="total"``, in bold).
    """
    columns = list(columns)
    head = "".join(f'<th class="{_kind(frame, c)}">{html.escape(h)}</th>'
                   for c, h in zip(columns, headings(frame, kind, columns, language), strict=True))  # fmt: skip
    body = "".join(_row_markup(frame, row, columns, language) for _, row in frame.iterrows())
    unit = frame.attrs.get("unit", "")
    if caption and unit:
        caption = words(language)("report.caption_unit", caption=caption, unit=unit)
    caption_markup = f"<caption>{_escape(caption)}</caption>" if caption else ""
    markup = f"<table>{caption_markup}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if sources and "sources" in frame.columns:
        cells = "; ".join(s for s in frame["sources"].astype(str) if s)
        markup += (f'<details class="sources"><summary>{html.escape(words(language)("report.sources"))}</summary>'
                   f"<p>{_escape(cells)}</p></details>")  # fmt: skip
    return markup


def _row_markup(frame, row, columns, language: str) -> str:
    total = bool(row.get("total", False))
    cells = (_row_cell(c, row, language) for c in columns)
    cells = (f"<strong>{cell}</strong>" for cell in cells) if total else cells
    opening = '<tr class="total">' if total else "<tr>"
    return (
        opening
        + "".join(f'<td class="{_kind(frame, c)}">{cell}</td>' for c, cell in zip(columns, cells, strict=True))
        + "</tr>"
    )


def headings(frame: pd.DataFrame, kind: str, columns: Iterable[str], language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the headings of `columns`: ``column.<kind>.<column>``, a year column by its year when `frame` knows them.

    >>> rows = pd.DataFrame({"name": ["x"], "value": [1.0]})
    >>> rows.attrs["years"] = (2019, 2020)
    >>> headings(rows, "change", ["name", "value"]), headings(rows, "change", ["value"], "en")
    (['Chỉ tiêu', 'Năm 2020'], ['2020'])
    """
    said, years = words(language), frame.attrs.get("years")
    return [_heading(said, kind, c, years if kind in _BY_YEAR else None) for c in columns]


def _heading(said, kind: str, column: str, years: tuple[int, int] | None) -> str:
    """Return one column's heading: a year column's by its year (the compared year's for ``*_before``)."""
    if years and column in ("value_before", "value"):
        return said("column.year", year=years[column == "value"])
    if years and column in ("per_100_before", "per_100"):
        return said("column.per_100_year", year=years[column == "per_100"])
    return said(f"column.{kind}.{column}")


def written(frame: pd.DataFrame, catalog, years: tuple[int, int], language: str = DEFAULT_LANGUAGE,
            indicator: str = "") -> pd.DataFrame:  # fmt: skip
    """Return `frame` as the tables write it: each row's ``decimals``, money in tỷ or triệu đồng, the years known.

    The rows' indicators are `indicator`'s, else the frame's ``indicator`` column. An indicator's
    figures take the decimals the contents declare for it (``notation``); money is divided into the
    unit its largest figure in the table needs, and its ``unit`` column says so. ``attrs`` holds
    the years (compared, report) and, for a table of one indicator, its unit in words; `frame` is
    not modified.

    >>> from ictanalysis.catalog import load_catalog
    >>> rows = pd.DataFrame({"operator": ["A", "B"], "value": [486_527_400_000.0, 11_285_600_000.0]})
    >>> shown = written(rows, load_catalog(), (2019, 2020), indicator="telecom_revenue")
    >>> shown["value"].round(2).tolist(), shown["decimals"].tolist(), shown.attrs["unit"]
    ([486.53, 11.29], [1, 1], 'tỷ đồng')
    """
    notation, said = load_contents().notation, words(language)
    shown = frame.copy()
    ids = pd.Series(indicator or None, index=frame.index) if indicator else frame["indicator"]
    shown["decimals"] = [notation.decimals_of(catalog.indicators[i]) for i in ids]
    amounts = [c for c in _AMOUNTS if c in frame.columns]
    units = {}
    for indicator_id, rows in shown.groupby(ids, sort=False):
        unit = catalog.indicators[indicator_id].unit
        units[indicator_id] = said.unit(catalog.units[unit])
        if unit == notation.money and amounts:
            largest = shown.loc[rows.index, amounts].abs().max().max()
            size, units[indicator_id] = money_scale(0.0 if pd.isna(largest) else float(largest), language)
            shown.loc[rows.index, amounts] = shown.loc[rows.index, amounts] / size
            if "unit" in shown.columns:
                shown.loc[rows.index, "unit"] = units[indicator_id]
    shown.attrs = {"years": tuple(years), **({"unit": units[indicator]} if indicator and indicator in units else {})}
    return shown


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
        columns["name"] = [area_name(a, catalog, said) for a in frame["area"]]
    elif "agency" in frame.columns:
        columns["name"] = [said.agency(a, catalog.agencies.get(a)) for a in frame["agency"]]
    if "unit" in frame.columns:
        columns["unit"] = [said.unit(catalog.units[u]) if u in catalog.units else u for u in frame["unit"]]
    shown = frame.assign(**columns)
    if "name" not in columns:
        return shown
    first = [c for c in frame.columns if c in ("indicator", "area", "agency")][:1]
    return shown[[*first, "name", *[c for c in shown.columns if c not in (*first, "name")]]]


def area_name(code: str, catalog, said) -> str:
    """Return the name of an area: a province, district or commune, or a comparable area across 2025 ("~569").

    A comparable area is named by its former districts, or by its former province when it is all of one
    ("Ninh Thuận (cũ)"): its figures are those districts' in one year and their new communes' in the other.

    >>> from ictanalysis.catalog import load_catalog
    >>> catalog, said = load_catalog(), words("vi")
    >>> area_name("~569", catalog, said), area_name("~582+584+585+586+587+588+589", catalog, said)
    ('Cam Ranh (cũ)', 'Ninh Thuận (cũ)')
    >>> area_name("22759", catalog, said), area_name("584", catalog, words("en"))
    ('Phan Rang', 'Bac Ai')
    """
    if not code.startswith("~"):
        area = catalog.areas.get(code) or catalog.area(code, _LATEST)
        return said.area(area)
    districts = [catalog.areas[c] for c in code[1:].split("+")]
    parents = {a.parent for a in districts}
    whole = len(parents) == 1 and len(districts) > 1 and len(catalog.districts(districts[0].parent)) == len(districts)
    names = [said.area(catalog.areas[districts[0].parent])] if whole else [said.area(a) for a in districts]
    return said("area.former", name=", ".join(names))


_LATEST = 9999  #: a year whose map is the latest: the units in force today


def _kind(frame: pd.DataFrame, column: str) -> str:
    return "num" if column in frame.columns and pd.api.types.is_numeric_dtype(frame[column]) else ""


def change_text(row, language: str = DEFAULT_LANGUAGE) -> str:
    """Return a change-table row's change as people read it: in percent, in points for a rate, from 0 as such.

    >>> change_text({"change_percent": 650.0}), change_text({"change_percent": float("nan"), "change_points": 1.5})
    ('+650,0\xa0%', '+1,5\xa0điểm\xa0%')
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

    A figure takes its row's ``decimals`` (see :func:`written`), a derived column the decimals the
    contents declare for it, so that a column has one number of decimals.

    >>> cell_text("share", {"share": 45.25}), cell_text("rank", {"rank": 3}), cell_text("value", {"value": None})
    ('45,3\xa0%', '3', '–')
    >>> cell_text("value", {"value": 100.0, "decimals": 1}), cell_text("per_100", {"per_100": 141.0})
    ('100,0', '141,0')
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
    declared = load_contents().notation.columns.get(column)
    if column in _PERCENT:
        return format_percent(value, language, 1 if declared is None else declared)
    if declared is None and column in _AMOUNTS:
        declared = row.get("decimals")
        declared = None if declared is None or pd.isna(declared) else int(declared)
    return format_number(value, language, declared) if isinstance(value, (int, float)) else str(value)
