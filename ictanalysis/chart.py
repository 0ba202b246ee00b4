"""Charts of the report as Altair values, and their offline rendering (SVG, PNG, HTML).

The chart functions take the frames that :mod:`ictanalysis.compare` returns
(``by_district``, ``by_operator``, ``change_table``/``headline``,
``by_agency``) and return Altair charts with typed encodings and titles in
the language asked for; they draw nothing and write nothing. Rendering lives
in four functions that apply the house theme and the number locale of
:mod:`ictanalysis.formatting` (Vietnamese axes read 1.234.567 and 12,5):

- :func:`save_chart` writes ``name.svg``, ``name.png`` and a standalone,
  offline ``name.html`` (the Vega libraries inlined once, nothing fetched);
- :func:`chart_html` returns the ``<div>`` + ``<script>`` snippet for a page
  that already holds :func:`vega_bundle` (the report embeds it once for all
  of its charts);
- :func:`show` returns a :class:`ChartDisplay` for notebooks;
- :func:`chart_spec` returns the Vega-Lite spec itself.

Colours mean one thing each, and every one stands out from white at 3:1 or
more (WCAG): the compared year is grey, the report year the department's blue
(:data:`YEAR_COLOURS`; an enterprise's share of the report year is that blue too:
an enterprise gets no colour of its own); an increase is dark green, a decrease a
lighter orange (:data:`INCREASE`, :data:`DECREASE`), told apart by lightness as well
as hue. Long names wrap onto several lines instead of being cut; the category axis
has no title (its names say what they are, the chart's title says the rest). A change
far longer than the others is cut at the axis' end (:data:`OUTLIER_RATIO`), marked
and labelled with its value, so the others stay readable. Every chart carries a
``description``, its key figure in words, the accessible name a page gives it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import numbers
import secrets
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from ictanalysis.embed import VEGALITE_MIMETYPE, spec_html, vega_bundle
from ictanalysis.formatting import (
    format_change,
    format_locale,
    format_money,
    format_number,
    format_percent,
    format_quantity,
    money_scale,
)
from ictanalysis.render import FONT, INK, spec_title, write_chart_files
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = [
    "DECREASE",
    "DESK",
    "FONT",
    "INCREASE",
    "OUTLIER_RATIO",
    "PHONE",
    "THEME",
    "VEGALITE_MIMETYPE",
    "ChartDisplay",
    "Layout",
    "agency_bars",
    "change_bars",
    "chart_html",
    "chart_spec",
    "district_bars",
    "drawable",
    "drawn_for",
    "enable_theme",
    "operator_shares",
    "save_chart",
    "show",
    "trend_lines",
    "vega_bundle",
    "year_pair_bars",
    "YEAR_COLOURS",
]

THEME = "ictanalysis"


#: The department's blue (its e-mail banner's): the report year, in every chart.
DEPARTMENT_COLOUR = "#1f4e79"
#: The compared year, then the report year: grey 3.4:1 and blue 8.7:1 against white, 2.5:1 apart.
YEAR_COLOURS = ("#858b93", DEPARTMENT_COLOUR)
#: A rise and a fall: dark green (7.7:1 against white) and a lighter orange (4.2:1), 1.8:1 apart in lightness.
INCREASE, DECREASE = "#0f5e4e", "#d0552a"
MUTED, GRID = "#4a5766", "#e3e8ee"

#: A change bar more than this many times as long as the next shorter one, and every bar longer
#: than it, is an outlier: the axis is cut and those bars run to its end, marked and labelled.
OUTLIER_RATIO = 4.0
#: Where the cut axis ends, in lengths of the longest bar that is not an outlier.
OUTLIER_AXIS = 1.5
_ROUND = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)  # the round numbers a cut axis may end at, times a power of ten
#: The mark drawn in white across the end of a cut bar.
CUT_MARK = "//"

# The Vega-Lite major version JupyterLab 4.6 renders natively: its vega5-extension
# registers application/vnd.vegalite.v3/v4/v5+json (and vega.v5), bundling Vega-Lite 5.6.
_VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

_BAR = 16  # thickness of one bar, in pixels
_LABEL_WIDTH = 7  # the characters of the widest value label at a bar's end ("−48,9", "+650,0", "1.234")


@dataclass(frozen=True)
class Layout:
    """How large a chart is drawn: its plot's width, where its names wrap, the size of its text.

    :data:`DESK` is the report's (a page read at a desk, printed on A4); :data:`PHONE` is the
    email's, whose images a phone shows about 360 px wide: a narrower plot, names and titles
    wrapped shorter and every text a quarter larger, so the smallest one stays above 9 px there.
    """

    width: int = 460  #: the plot's width, in pixels (category names are beside it)
    label_chars: int = 32  #: a category name longer than this wraps onto lines of about equal length
    font_scale: float = 1.0  #: every font size of the theme, times this
    title_chars: int = 0  #: a title (and subtitle) longer than this wraps onto several lines; 0: never
    ticks: int = 5  #: about how many ticks a value axis has

    @property
    def line(self) -> float:
        """The height of one line of an axis label, in pixels."""
        return 14 * self.font_scale

    @property
    def label_room(self) -> float:
        """The share of a change axis kept beyond its longest bar on each side, for the value label there."""
        label = _LABEL_WIDTH * 0.62 * 11 * self.font_scale + 4  # the text marks' font is 11 px, times the scale
        return max(0.12, label / (self.width - 2 * label))


DESK = Layout()
PHONE = Layout(width=280, label_chars=20, font_scale=1.25, title_chars=34, ticks=3)
_LAYOUT: contextvars.ContextVar[Layout] = contextvars.ContextVar("layout", default=DESK)


@contextlib.contextmanager
def drawn_for(layout: Layout) -> Iterator[Layout]:
    """Draw the charts made inside the ``with`` block, and their specs (:func:`chart_spec`), in `layout`.

    >>> with drawn_for(PHONE):
    ...     _layout().width
    280
    >>> _layout().width
    460
    """
    token = _LAYOUT.set(layout)
    try:
        yield layout
    finally:
        _LAYOUT.reset(token)


def _layout() -> Layout:
    """The layout charts are drawn in now (:func:`drawn_for`)."""
    return _LAYOUT.get()


# --- theme -------------------------------------------------------------------------------


def theme_config() -> alt.theme.ThemeConfig:
    """Return the house theme: readable sizes, Vietnamese-capable fonts, calm colours.

    >>> theme_config()["config"]["font"].endswith("sans-serif")
    True
    """
    axis = {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": "normal", "labelColor": MUTED,
            "titleColor": MUTED, "gridColor": GRID, "domainColor": "#9aa7b4", "tickColor": "#9aa7b4",
            "labelLimit": 0, "labelLineHeight": DESK.line}  # fmt: skip
    return {
        "background": "white",
        "padding": 8,
        "config": {
            "font": FONT,
            "title": {"fontSize": 16, "fontWeight": "bold", "color": INK, "anchor": "start", "offset": 12,
                      "subtitleFontSize": 13, "subtitleColor": MUTED},  # fmt: skip
            "axis": axis,
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "labelColor": MUTED,
                       "titleColor": MUTED, "orient": "top", "symbolType": "square"},  # fmt: skip
            "header": {"labelFontSize": 13, "labelColor": INK, "titleFontSize": 13},
            "text": {"fontSize": 11, "color": INK},
            "bar": {"color": YEAR_COLOURS[1]},
            "range": {"category": [DEPARTMENT_COLOUR, YEAR_COLOURS[0], INCREASE, DECREASE]},
            "view": {"stroke": None},
        },
    }


@functools.cache
def _register_theme() -> None:
    """Register the house theme with Altair, once per process (not enabled here)."""
    alt.theme.register(THEME, enable=False)(theme_config)


def enable_theme() -> None:
    """Make the house theme Altair's active theme, for charts shown by Altair's own renderers.

    The functions of this module apply it themselves, whatever theme is active.
    """
    _register_theme()
    alt.theme.enable(THEME)


# --- labels and numbers -------------------------------------------------------------------


def _label(key: str, language: str, **values: object) -> str:
    """Return an axis or legend title in `language`.

    >>> _label("change_since", "vi", year=2019)
    'Thay đổi so với năm 2019 (%)'
    """
    return words(language)(f"chart.{key}", **values)


def _capitalised(text: str) -> str:
    """Return `text` with its first letter upper-case, the rest untouched.

    >>> _capitalised("thuê bao"), _capitalised("")
    ('Thuê bao', '')
    """
    return text[:1].upper() + text[1:]


def _money_scale(unit: str, values: Iterable[float], language: str) -> tuple[float, str]:
    """Return the divisor and unit that keep amounts in đồng short (tỷ / triệu đồng).

    >>> _money_scale("đồng", [3.2e12], "vi"), _money_scale("thuê bao", [3.2e12], "vi")
    ((1000000000.0, 'tỷ đồng'), (1.0, 'thuê bao'))
    """
    largest = max((abs(v) for v in values if _finite(v)), default=0.0)
    if not _is_money(unit) or largest < 1e6:
        return 1.0, unit
    return money_scale(largest, language)


def _is_money(unit: str) -> bool:
    """Tell whether `unit` is the đồng, in the words of any language ("đồng", "VND").

    >>> _is_money("VND"), _is_money("thuê bao")
    (True, False)
    """
    return unit.casefold() in {"đồng", "vnd"}


def _figure(value: float, unit: str, language: str) -> str:
    """Write an amount with its unit as the text does, in tỷ/triệu when in đồng, without a breakable space.

    >>> _figure(1.1209e12, "đồng", "vi") == "1.120,9\xa0tỷ\xa0đồng", _figure(669065, "thuê bao", "en")
    (True, '669,065\xa0thuê\xa0bao')
    """
    if _is_money(unit):
        return format_money(value, language)
    return format_quantity(value, unit, language) if unit else format_number(value, language)


def _change_words(before: object, now: object, language: str) -> str | None:
    """Say how `now` compares with `before` ("tăng 5,3 %"), None when no change can be computed.

    >>> _change_words(1064.5, 1120.9, "vi") == "tăng 5,3\xa0%", _change_words(10, 10, "en"), _change_words(0, 5, "vi")
    (True, 'unchanged', None)
    """
    if not (_finite(before) and _finite(now)) or before == 0:
        return None
    change = (float(now) - float(before)) / abs(float(before)) * 100
    size = format_percent(abs(change), language)
    if size == format_percent(0.0, language):
        return _label("same", language)
    return _label("up", language, change=size) if change > 0 else _label("down", language, change=size)


def _wrap(name: str) -> list[str]:
    """Return the lines a category name is written on: as few as the layout's `label_chars` allows, about equal.

    Words are never broken, so a name without spaces stays on one line, whole.

    >>> _wrap("Sở Nông nghiệp và Phát triển nông thôn"), _wrap("Thuê bao điện thoại di động")
    (['Sở Nông nghiệp và', 'Phát triển nông thôn'], ['Thuê bao điện thoại di động'])
    """
    count = max(1, math.ceil(len(name) / _layout().label_chars))
    for width in range(math.ceil(len(name) / count), len(name) + 1):
        lines = textwrap.wrap(name, width, break_long_words=False, break_on_hyphens=False)
        if len(lines) <= count:
            return lines or [name]
    return [name]


def _category_y(frame: pd.DataFrame, category: str, order: Sequence[str]) -> tuple[pd.DataFrame, alt.Y]:
    """Return `frame` with a ``label`` column, each name on its lines (:func:`_wrap`), and the y that draws it.

    The lines are data, never part of an expression: the axis splits each label at its line
    breaks, writes it whole (no label limit), and moves a label of n lines up by n − 1 half
    lines, so it stays centred on its bar. The tooltip keeps the name on one line.

    >>> frame = pd.DataFrame({"agency": ["Sở Y tế", "Sở Nông nghiệp và Phát triển nông thôn"]})
    >>> labelled, y = _category_y(frame, "agency", ["Sở Y tế", "Sở Nông nghiệp và Phát triển nông thôn"])
    >>> list(labelled["label"]), y.to_dict()["sort"][1], y.to_dict()["axis"]["labelOffset"]["condition"][0]["value"]
    (['Sở Y tế', 'Sở Nông nghiệp và\\nPhát triển nông thôn'], 'Sở Nông nghiệp và\\nPhát triển nông thôn', -7.0)
    """
    labelled = frame.assign(label=frame[category].map(lambda name: "\n".join(_wrap(str(name)))))
    most = max((len(_wrap(name)) for name in order), default=1)
    offsets = [{"test": f"length(split(datum.value, '\\n')) == {lines}", "value": -(lines - 1) * _layout().line / 2}
               for lines in range(2, most + 1)]  # fmt: skip
    moved = {"labelOffset": {"condition": offsets, "value": 0}} if offsets else {}
    axis = alt.Axis(labelLimit=0, labelExpr="split(datum.value, '\\n')", **moved)
    return labelled, alt.Y("label:N", title=None, sort=["\n".join(_wrap(name)) for name in order], axis=axis)


def _band(names: Sequence[str], minimum: int) -> int:
    """Return the height of one category's band: `minimum`, or more for a name on several lines.

    >>> _band(["Sở Y tế"], 30), _band(["Sở Nông nghiệp và Phát triển nông thôn"], 20)
    (30, 38)
    """
    lines = max((len(_wrap(name)) for name in names), default=1)
    return max(minimum, math.ceil(lines * _layout().line) + 10)


def _number_format(values: Iterable[float]) -> str:
    """Return the d3 format for an axis: whole numbers when the values are large or whole.

    >>> _number_format([1234567.0, 12.0]), _number_format([0.5, 2.25])
    (',.0f', ',.2~f')
    """
    finite = [v for v in values if _finite(v)]
    if not finite or max(abs(v) for v in finite) >= 100 or all(float(v).is_integer() for v in finite):
        return ",.0f"
    return ",.2~f"


def _finite(value: object) -> bool:
    """Tell whether `value` is a number that can be drawn (not None, NaN, NA or ±∞).

    >>> _finite(3), _finite(pd.Series([3]).to_numpy()[0]), _finite(float("nan")), _finite(pd.NA), _finite(math.inf)
    (True, True, False, False, False)
    """
    return isinstance(value, numbers.Real) and math.isfinite(value)


# --- frames ---------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise KeyError naming the columns a chart needs and `frame` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"the chart needs the columns {missing}; the frame has {list(frame.columns)}")


def _both_years(frame: pd.DataFrame, category: str, year: int, compare_year: int | None, scale: float) -> pd.DataFrame:
    """Return one row per category and year (category, year, value), missing values left out."""
    pairs = [("value", year)] + ([("value_before", compare_year)] if compare_year is not None else [])
    parts = [pd.DataFrame({category: frame[category], "year": y, "value": frame[column].astype(float) / scale})
             for column, y in pairs]  # fmt: skip
    long = pd.concat(parts, ignore_index=True)
    return long[long["value"].map(_finite)].reset_index(drop=True)


def _order(frame: pd.DataFrame, category: str, by: str) -> list[str]:
    """Return the categories from largest to smallest `by` (missing last, ties by name)."""
    ranked = frame.assign(_key=frame[by].where(frame[by].map(_finite))).sort_values(
        ["_key", category], ascending=[False, True], na_position="last"
    )
    return [str(c) for c in ranked[category]]


def _largest(frame: pd.DataFrame, category: str, by: str) -> pd.Series | None:
    """Return the row of the largest finite `by` (ties by name), None when there is none.

    >>> _largest(pd.DataFrame({"name": ["a", "b"], "v": [1.0, 3.0]}), "name", "v")["name"]
    'b'
    """
    ranked = frame[frame[by].map(_finite)]
    if ranked.empty:
        return None
    return ranked.assign(**{category: ranked[category].astype(str)}).sort_values([by, category], ascending=[False, True]).iloc[0]


def _year_colour(year: int, compare_year: int | None, language: str) -> alt.Color:
    years = [year] if compare_year is None else [compare_year, year]
    colours = list(YEAR_COLOURS[-len(years) :])
    return alt.Color("year:O", title=_label("year", language), scale=alt.Scale(domain=years, range=colours))


# --- charts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bars:
    title: str
    axis_title: str
    category_title: str
    year: int
    compare_year: int | None
    language: str
    description: str


def _grouped_bars(long: pd.DataFrame, category: str, order: list[str], options: _Bars) -> alt.LayerChart:
    """Draw horizontal bars per category, one per year, with the value at the end of each bar."""
    fmt = _number_format(long["value"])
    x = alt.X("value:Q", title=options.axis_title, axis=alt.Axis(format=fmt, tickCount=_layout().ticks))
    long, y = _category_y(long, category, order)
    years = [options.year] if options.compare_year is None else [options.compare_year, options.year]
    tooltip = [alt.Tooltip(f"{category}:N", title=options.category_title),
               alt.Tooltip("year:O", title=_label("year", options.language)),
               alt.Tooltip("value:Q", title=options.axis_title, format=fmt)]  # fmt: skip
    base = alt.Chart(long).encode(x=x, y=y, yOffset=alt.YOffset("year:O", sort=years), tooltip=tooltip)
    bars = base.mark_bar(height=_BAR).encode(color=_year_colour(options.year, options.compare_year, options.language))
    labels = base.mark_text(align="left", dx=3, baseline="middle").encode(text=alt.Text("value:Q", format=fmt))
    height = len(order) * _band(order, len(years) * (_BAR + 2) + 10)
    return alt.layer(bars, labels).properties(title=options.title, description=options.description, width=_layout().width,
                                              height=height)  # fmt: skip


def _describe_top(
    frame: pd.DataFrame, category: str, title: str, unit: str, years: tuple[int, int | None], language: str
) -> str:
    """Say the chart's key figure: the largest category of the report year, and its change since the compared one.

    >>> frame = pd.DataFrame({"agency": ["Sở Tư pháp", "Sở Y tế"], "value_before": [8.0, 3.0], "value": [54.0, 31.0]})
    >>> _describe_top(frame, "agency", "Dịch vụ công", "thủ tục", (2020, 2019), "en").replace("\xa0", " ")
    'Dịch vụ công. In 2020 the highest is Sở Tư pháp: 54 thủ tục, up 575.0% on 2019.'
    """
    year, compare_year = years
    top = _largest(frame, category, "value")
    if top is None:
        return _label("describe_empty", language, title=title)
    said = {"title": title, "year": year, "name": top[category], "figure": _figure(top["value"], unit, language)}
    change = None if compare_year is None else _change_words(top.get("value_before"), top["value"], language)
    if change is None:
        return _label("describe_top", language, **said)
    return _label("describe_top_change", language, change=change, compare_year=compare_year, **said)


def district_bars(
    frame: pd.DataFrame, title: str, unit: str, year: int, compare_year: int, language: str = DEFAULT_LANGUAGE
) -> alt.LayerChart:
    """Chart an indicator by district: one bar per year, districts from largest to smallest.

    Args:
        frame: ``Comparison.by_district`` output: columns ``name``, ``value_before``, ``value``.
        title: The chart's title.
        unit: The indicator's unit ("thuê bao"); amounts in đồng are shown in tỷ or triệu đồng.
        year: The report year (``value``); districts are sorted by it.
        compare_year: The compared year (``value_before``).
        language: "vi" or "en", for axis titles and legends.

    >>> frame = pd.DataFrame({"name": ["Thuận Nam", "Bác Ái"], "value_before": [10.0, 3.0], "value": [12.0, 4.0]})
    >>> chart = district_bars(frame, "Thuê bao cố định", "thuê bao", 2020, 2019)
    >>> encoding = chart.to_dict()["layer"][0]["encoding"]
    >>> encoding["y"]["sort"], encoding["x"]["field"], encoding["x"]["type"]
    (['Thuận Nam', 'Bác Ái'], 'value', 'quantitative')
    """
    _require(frame, ("name", "value_before", "value"))
    description = _describe_top(frame, "name", title, unit, (year, compare_year), language)
    scale, unit = _money_scale(unit, [*frame["value"], *frame["value_before"]], language)
    options = _Bars(title, _capitalised(unit), _label("district", language), year, compare_year, language, description)
    long = _both_years(frame, "name", year, compare_year, scale)
    return _grouped_bars(long, "name", _order(frame, "name", "value"), options)


def agency_bars(
    frame: pd.DataFrame,
    title: str,
    unit: str,
    year: int,
    compare_year: int | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> alt.LayerChart:
    """Chart an e-government indicator by agency, horizontal bars from largest to smallest.

    Args:
        frame: ``Comparison.by_agency`` output: columns ``agency``, ``value`` (and ``value_before``
            when `compare_year` is given).
        title: The chart's title.
        unit: The indicator's unit ("thủ tục").
        year: The report year (``value``); agencies are sorted by it.
        compare_year: The compared year, drawn as a second, lighter bar; None for the report year only.
        language: "vi" or "en".

    >>> frame = pd.DataFrame({"agency": ["Sở Tư pháp", "Sở Xây dựng"], "value": [40.0, 75.0]})
    >>> agency_bars(frame, "Dịch vụ công mức độ 4", "thủ tục", 2020).to_dict()["layer"][0]["encoding"]["y"]["sort"]
    ['Sở Xây dựng', 'Sở Tư pháp']
    """
    _require(frame, ("agency", "value") if compare_year is None else ("agency", "value", "value_before"))
    description = _describe_top(frame, "agency", title, unit, (year, compare_year), language)
    options = _Bars(title, _capitalised(unit), _label("agency", language), year, compare_year, language, description)
    long = _both_years(frame, "agency", year, compare_year, 1.0)
    return _grouped_bars(long, "agency", _order(frame, "agency", "value"), options)


def operator_shares(frame: pd.DataFrame, title: str, year: int, language: str = DEFAULT_LANGUAGE) -> alt.LayerChart:
    """Chart each enterprise's share of the province total in `year`, largest first.

    Shares are in percent (45.2 means 45,2 %), as ``Comparison.by_operator`` gives them.
    Enterprises without a share that year are left out. Every bar is the report year's
    colour: an enterprise's colour would mean nothing.

    >>> frame = pd.DataFrame({"operator": ["VNPT", "Viettel"], "share": [30.5, 69.5]})
    >>> operator_shares(frame, "Thị phần", 2020).to_dict()["layer"][0]["encoding"]["y"]["sort"]
    ['Viettel', 'VNPT']
    """
    _require(frame, ("operator", "share"))
    shown = frame[frame["share"].map(_finite)]
    order = _order(shown, "operator", "share")
    labelled, y = _category_y(shown, "operator", order)
    share_title = _label("share_year", language, year=year)
    tooltip = [alt.Tooltip("operator:N", title=_label("operator", language)),
               alt.Tooltip("share:Q", title=share_title, format=",.1f")]  # fmt: skip
    if "share_before" in shown.columns:
        tooltip.append(alt.Tooltip("share_before:Q", title=_label("share", language) + " ←", format=",.1f"))
    base = alt.Chart(labelled).encode(
        x=alt.X("share:Q", title=share_title, axis=alt.Axis(format=",.0f", tickCount=_layout().ticks)),
        y=y,
        tooltip=tooltip,
    )
    bars = base.mark_bar(height=_BAR + 4, color=DEPARTMENT_COLOUR)
    labels = base.mark_text(align="left", dx=3).encode(text=alt.Text("share:Q", format=",.1f"))
    top = _largest(shown, "operator", "share")
    described = _label("describe_empty", language, title=title) if top is None else _label(
        "describe_share", language, title=title, year=year, name=top["operator"],
        share=format_percent(top["share"], language))  # fmt: skip
    height = len(order) * _band(order, _BAR + 14)
    return alt.layer(bars, labels).properties(title=title, description=described, width=_layout().width, height=height)


def change_bars(
    frame: pd.DataFrame, title: str, language: str = DEFAULT_LANGUAGE, compare_year: int | None = None
) -> alt.LayerChart:
    """Chart the relative change of several indicators, diverging around zero.

    Increases point right in dark green, decreases left in orange, labelled "+650,0". Indicators
    without a finite change are left out (the table shows them). Outliers (:func:`_outlier_limit`)
    run to the end of a cut axis, a white :data:`CUT_MARK` across, labelled with their true value.

    Args:
        frame: ``Comparison.change_table``/``headline`` output: ``name``, ``change_percent`` (in %),
            and ``value_before``/``value`` for the tooltip when present.
        title: The chart's title.
        language: "vi" or "en".
        compare_year: Named in the axis title ("so với năm 2019") when given.

    >>> frame = pd.DataFrame({"name": ["Dịch vụ mức 4", "Thuê bao cố định"], "change_percent": [650.0, -3.2]})
    >>> change_bars(frame, "Thay đổi", compare_year=2019).to_dict()["layer"][0]["encoding"]["x"]["title"]
    'Thay đổi so với năm 2019 (%)'
    """
    _require(frame, ("name", "change_percent"))
    shown = frame[frame["change_percent"].map(_finite)]
    axis_title = (
        _label("change", language) if compare_year is None else _label("change_since", language, year=compare_year)
    )
    limit = _outlier_limit(shown["change_percent"])
    order = _order(shown, "name", "change_percent")
    drawn, y = _category_y(shown.assign(drawn=shown["change_percent"].clip(-limit, limit) if limit else
                                        shown["change_percent"]), "name", order)  # fmt: skip
    x_scale = alt.Scale(domain=_diverging_domain(drawn["drawn"], _layout().label_room, cut=limit), nice=limit is None)
    base = alt.Chart(drawn).encode(
        x=alt.X("drawn:Q", title=axis_title, axis=alt.Axis(format=",.0f", tickCount=_layout().ticks), scale=x_scale),
        y=y,
        tooltip=_change_tooltip(shown, axis_title, language),
    )
    titled = title if limit is None else alt.TitleParams(
        title, subtitle=[_label("cut_note", language, limit=format_percent(limit, language, 0))])
    return alt.layer(*_change_layers(base, limit)).properties(
        title=titled, description=_describe_change(shown, title, language), width=_layout().width,
        height=len(order) * _band(order, _BAR + 14))  # fmt: skip


def _change_layers(base: alt.Chart, limit: float | None) -> list[alt.Chart]:
    """Return the layers of a change chart: its bars, their labels (the true change), the cut marks, zero."""
    bars = base.mark_bar(height=_BAR + 4).encode(
        color=alt.condition("datum.change_percent < 0", alt.value(DECREASE), alt.value(INCREASE))
    )
    text = alt.Text("change_percent:Q", format="+,.1f")
    up = base.mark_text(align="left", dx=3).encode(text=text).transform_filter("datum.change_percent >= 0")
    down = base.mark_text(align="right", dx=-3).encode(text=text).transform_filter("datum.change_percent < 0")
    zero = alt.Chart(base.data).mark_rule(color=MUTED).encode(x=alt.datum(0))
    return [bars, up, down, *([] if limit is None else _cut_marks(base, limit)), zero]


def _outlier_limit(changes: Iterable[float]) -> float | None:
    """Return where the change axis is cut, None when no bar is an outlier.

    The bars are taken from the longest: the first one more than :data:`OUTLIER_RATIO`
    times as long as the next, and every bar before it, are outliers, as long as they are
    at most half of the bars. The axis then ends at :data:`OUTLIER_AXIS` times the
    longest of the others, rounded up to a round number (:func:`_round_up`).

    >>> _outlier_limit([650.0, 291.7, 25.2, 23.7, -10.2, 2.1])  # two outliers; 650 is only 2.2× 291,7
    40.0
    >>> _outlier_limit([650.0, 25.0]), _outlier_limit([40.0, 30.0, 12.0, 5.0]), _outlier_limit([5.0, 0.0, 0.0])
    (40.0, None, None)
    """
    lengths = sorted((abs(float(c)) for c in changes), reverse=True)
    for count in range(1, len(lengths) // 2 + 1):
        longest_other = lengths[count]
        if longest_other > 0 and lengths[count - 1] > OUTLIER_RATIO * longest_other:
            return _round_up(longest_other * OUTLIER_AXIS)
    return None


def _round_up(x: float) -> float:
    """Return the first round number (one of :data:`_ROUND` times a power of ten) at or above a positive `x`.

    >>> _round_up(37.8), _round_up(0.3), _round_up(5000.0), _round_up(121.0)
    (40.0, 0.3, 5000.0, 150.0)
    """
    power = 10.0 ** math.floor(math.log10(x))
    return next(round(step * power, 12) for step in _ROUND if step * power >= x * (1 - 1e-12))


def _cut_marks(base: alt.Chart, limit: float) -> list[alt.Chart]:
    """Return the white :data:`CUT_MARK` drawn across the end of each bar cut at ±`limit`."""
    mark = {"text": CUT_MARK, "color": "white", "fontWeight": "bold", "fontSize": 13, "baseline": "middle"}
    right = base.mark_text(align="right", dx=-4, **mark).transform_filter(f"datum.change_percent > {limit}")
    left = base.mark_text(align="left", dx=4, **mark).transform_filter(f"datum.change_percent < {-limit}")
    return [right.encode(tooltip=alt.value(None)), left.encode(tooltip=alt.value(None))]


def _describe_change(frame: pd.DataFrame, title: str, language: str) -> str:
    """Say the chart's key figure: how many indicators it shows, and the largest change among them.

    >>> frame = pd.DataFrame({"name": ["Thuê bao", "Trạm BTS"], "change_percent": [2.1, -10.2]})
    >>> _describe_change(frame, "Thay đổi", "vi").replace("\xa0", " ")
    'Thay đổi: 2 chỉ tiêu; thay đổi lớn nhất là Trạm BTS (−10,2 %).'
    """
    top = _largest(frame.assign(_size=frame["change_percent"].abs()), "name", "_size")
    if top is None:
        return _label("describe_empty", language, title=title)
    change = format_change(top["change_percent"], language)
    return _label("describe_change", language, title=title, count=len(frame), name=top["name"], change=change)


def _diverging_domain(values: Iterable[float], margin: float = 0.12, cut: float | None = None) -> list[float]:
    """Return an axis range that holds zero and every value, with room for the labels at the bar ends.

    A side that reaches `cut` (bars cut there) ends at it exactly: the cut bars run to the axis' end.

    >>> _diverging_domain([650.0, -3.2])
    [-81.584, 728.384]
    >>> _diverging_domain([10.0, 20.0]), _diverging_domain([40.0, 25.0, -10.0], cut=40.0)
    ([0.0, 22.4], [-16.0, 40.0])
    >>> _diverging_domain([])
    [0.0, 0.0]
    """
    values = [float(v) for v in values]
    low, high = min([0.0, *values]), max([0.0, *values])
    room = (high - low) * margin
    low = low if cut is not None and low <= -cut else low - room if low < 0 else low
    high = high if cut is not None and high >= cut else high + room if high > 0 else high
    return [round(low, 6), round(high, 6)]


def _change_tooltip(frame: pd.DataFrame, axis_title: str, language: str) -> list[alt.Tooltip]:
    tooltip = [alt.Tooltip("name:N", title=_label("indicator", language))]
    tooltip += [alt.Tooltip(f"{c}:Q", title=c, format=",.2~f") for c in ("value_before", "value") if c in frame]
    return [*tooltip, alt.Tooltip("change_percent:Q", title=axis_title, format="+,.1f")]


def year_pair_bars(
    frame: pd.DataFrame, title: str, year: int, compare_year: int, language: str = DEFAULT_LANGUAGE, columns: int = 3
) -> alt.FacetChart:
    """Chart a few indicators side by side, each with its two years on its own scale.

    Args:
        frame: ``Comparison.change_table``/``headline`` output: ``name``, ``value_before``, ``value``
            and ``unit`` when present (shown under each indicator's name; đồng in tỷ/triệu đồng).
        title: The chart's title.
        year: The report year (``value``).
        compare_year: The compared year (``value_before``).
        language: "vi" or "en".
        columns: Indicators per row.

    >>> frame = pd.DataFrame({"name": ["Trạm BTS 4G"], "unit": ["trạm"], "value_before": [310.0], "value": [402.0]})
    >>> year_pair_bars(frame, "Hạ tầng", 2020, 2019).to_dict()["facet"]["field"]
    'panel'
    """
    _require(frame, ("name", "value_before", "value"))
    long = pd.concat([_panel(row, year, compare_year, language) for row in frame.to_dict("records")], ignore_index=True)
    fmt = _number_format(long["value"]) if len(long) else ",.0f"
    base = alt.Chart().encode(
        x=alt.X("year:O", title=None, sort=[compare_year, year], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=fmt, tickCount=4)),
        tooltip=[alt.Tooltip("panel:N", title=_label("indicator", language)),
                 alt.Tooltip("year:O", title=_label("year", language)),
                 alt.Tooltip("value:Q", title=_label("value", language), format=fmt)],  # fmt: skip
    )
    bars = base.mark_bar(width=34).encode(color=_year_colour(year, compare_year, language))
    labels = base.mark_text(baseline="bottom", dy=-3).encode(text=alt.Text("value:Q", format=fmt))
    header = alt.Header(title=None, labelExpr="split(datum.value, '\\n')", labelFontSize=12, labelLimit=0)
    panels = alt.layer(bars, labels, data=long).properties(width=150, height=150)
    facet = alt.Facet("panel:N", header=header, sort=list(dict.fromkeys(long["panel"])))
    faceted = panels.facet(facet=facet, columns=columns, title=title)
    described = faceted.properties(description=_describe_pair(frame, title, (year, compare_year), language))
    return described.resolve_scale(y="independent").resolve_axis(x="independent")


def _describe_pair(frame: pd.DataFrame, title: str, years: tuple[int, int], language: str) -> str:
    """Say the chart's key figure: its first indicator in the report year, and how it changed.

    >>> frame = pd.DataFrame({"name": ["Doanh thu viễn thông"], "unit": ["đồng"], "value_before": [1.0645e12],
    ...                       "value": [1.1209e12]})
    >>> _describe_pair(frame, "Chỉ tiêu chính", (2020, 2019), "vi").replace("\xa0", " ")
    'Chỉ tiêu chính. Doanh thu viễn thông năm 2020: 1.120,9 tỷ đồng, tăng 5,3 % so với năm 2019.'
    """
    rows = [row for row in frame.to_dict("records") if _finite(row["value"])]
    if not rows:
        return _label("describe_empty", language, title=title)
    row, (year, compare_year) = rows[0], years
    said = {"title": title, "name": row["name"], "year": year,
            "figure": _figure(row["value"], str(row.get("unit") or ""), language)}  # fmt: skip
    change = _change_words(row["value_before"], row["value"], language)
    if change is None:
        return _label("describe_pair", language, **said)
    return _label("describe_pair_change", language, change=change, compare_year=compare_year, **said)


def _panel(row: Mapping[str, object], year: int, compare_year: int, language: str) -> pd.DataFrame:
    """Return the two bars of one indicator, labelled "name\\n(unit)" wrapped to fit a panel."""
    unit = str(row.get("unit") or "")
    scale, unit = _money_scale(unit, [row["value"], row["value_before"]], language)
    label = "\n".join(textwrap.wrap(str(row["name"]), 24) + ([f"({unit})"] if unit else []))
    values = [(compare_year, row["value_before"]), (year, row["value"])]
    return pd.DataFrame([{"panel": label, "year": y, "value": v / scale} for y, v in values if _finite(v)],
                        columns=["panel", "year", "value"])  # fmt: skip


def trend_lines(frame: pd.DataFrame, title: str, language: str = DEFAULT_LANGUAGE, columns: int = 3) -> alt.FacetChart:
    """Chart each indicator over the years: one line per panel, each panel on its own scale.

    Years are placed on a time axis, so a year without a figure (2016 between 2015 and 2017)
    is a longer segment, not a hidden gap; each year with a figure is a point.

    Args:
        frame: one row per indicator and year: ``name``, ``unit`` (shown under the name; đồng in
            tỷ/triệu đồng), ``year``, ``value``.
        title: The chart's title.
        language: "vi" or "en".
        columns: Panels per row.

    >>> frame = pd.DataFrame({"name": ["Thuê bao"] * 3, "unit": ["thuê bao"] * 3, "year": [2015, 2017, 2018],
    ...                       "value": [10.0, 12.0, 13.0]})
    >>> spec = trend_lines(frame, "Xu hướng").to_dict()
    >>> spec["spec"]["layer"][0]["mark"]["type"], spec["spec"]["layer"][0]["encoding"]["x"]["axis"]["values"]
    ('line', [2015, 2017, 2018])
    """
    _require(frame, ("name", "unit", "year", "value"))
    panels = [_trend_panel(group, language) for _, group in frame.groupby("name", sort=False)]
    long = pd.concat(panels, ignore_index=True) if panels else pd.DataFrame(columns=["panel", "year", "value"])
    years = sorted({int(y) for y in long["year"]})
    fmt = _number_format(long["value"]) if len(long) else ",.0f"
    base = alt.Chart().encode(
        x=alt.X("year:Q", title=None, scale=alt.Scale(domain=[years[0], years[-1]] if years else None, nice=False),
                axis=alt.Axis(format="d", values=years, labelAngle=0, labelOverlap=False, labelFontSize=11)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt, tickCount=4)),
        tooltip=[alt.Tooltip("panel:N", title=_label("indicator", language)),
                 alt.Tooltip("year:O", title=_label("year", language)),
                 alt.Tooltip("value:Q", title=_label("value", language), format=fmt)],
    )  # fmt: skip
    line = base.mark_line(color=YEAR_COLOURS[1], point={"color": YEAR_COLOURS[1], "size": 40})
    header = alt.Header(title=None, labelExpr="split(datum.value, '\\n')", labelFontSize=12, labelLimit=0)
    drawn = alt.layer(line, data=long).properties(width=230, height=120)
    facet = alt.Facet("panel:N", header=header, sort=list(dict.fromkeys(long["panel"])))
    faceted = drawn.facet(facet=facet, columns=columns, title=title).properties(
        description=_describe_trend(frame, title, language))
    return faceted.resolve_scale(y="independent").resolve_axis(x="independent")


def _describe_trend(frame: pd.DataFrame, title: str, language: str) -> str:
    """Say the chart's key figure: its first series' last year and first year.

    >>> frame = pd.DataFrame({"name": ["Thuê bao"] * 2, "unit": ["thuê bao"] * 2, "year": [2015, 2020],
    ...                       "value": [38000.0, 76000.0]})
    >>> _describe_trend(frame, "Diễn biến", "vi").replace("\xa0", " ")
    'Diễn biến. Thuê bao năm 2020: 76.000 thuê bao (năm 2015: 38.000 thuê bao).'
    """
    shown = frame[frame["value"].map(_finite)]
    if shown.empty:
        return _label("describe_empty", language, title=title)
    first = shown[shown["name"] == shown["name"].iloc[0]].sort_values("year")
    start, end, unit = first.iloc[0], first.iloc[-1], str(first["unit"].iloc[0] or "")
    return _label("describe_trend", language, title=title, name=end["name"], year=int(end["year"]),
                  figure=_figure(end["value"], unit, language), first_year=int(start["year"]),
                  first=_figure(start["value"], unit, language))  # fmt: skip


def _trend_panel(group: pd.DataFrame, language: str) -> pd.DataFrame:
    """Return one indicator's points, labelled "name\\n(unit)" wrapped to fit a panel, money scaled."""
    unit = str(group["unit"].iloc[0] or "")
    scale, unit = _money_scale(unit, group["value"], language)
    label = "\n".join(textwrap.wrap(str(group["name"].iloc[0]), 28) + ([f"({unit})"] if unit else []))
    shown = group[group["value"].map(_finite)]
    return pd.DataFrame({"panel": label, "year": shown["year"].astype(int), "value": shown["value"].astype(float) / scale})


def drawable(frame: pd.DataFrame, *columns: str) -> bool:
    """Tell whether a chart of `frame` would draw anything: a finite number in one of `columns`.

    >>> drawable(pd.DataFrame({"share": [float("nan")]}), "share"), drawable(pd.DataFrame({"share": [3.0]}), "share")
    (False, True)
    """
    return any(c in frame.columns and bool(frame[c].map(_finite).any()) for c in columns)


# --- rendering -------------------------------------------------------------------------------


def chart_spec(chart: alt.TopLevelMixin, language: str = DEFAULT_LANGUAGE) -> dict:
    """Return the chart's Vega-Lite spec with the house theme and the number locale of `language`.

    The locale goes into ``config.locale``, so every Vega renderer that reads the spec
    (JupyterLab, vl-convert, vega-embed) writes numbers the same way. The theme's font
    sizes, and the wrapping of the title, are those of the layout the spec is made in
    (:func:`drawn_for`).

    >>> spec = chart_spec(alt.Chart(pd.DataFrame({"v": [1]})).mark_bar().encode(x="v:Q"))
    >>> spec["config"]["locale"]["number"]["thousands"], spec["config"]["font"] == FONT, spec["config"]["text"]
    ('.', True, {'fontSize': 11, 'color': '#1d2733'})
    >>> with drawn_for(PHONE):
    ...     chart_spec(alt.Chart(pd.DataFrame({"v": [1]})).mark_bar().encode(x="v:Q"))["config"]["text"]["fontSize"]
    13.75
    """
    _register_theme()
    with alt.theme.enable(THEME):
        spec = chart.to_dict()
    config, layout = spec.setdefault("config", {}), _layout()
    for part in config.values():
        if isinstance(part, dict) and layout.font_scale != 1:
            part.update({key: value * layout.font_scale for key, value in part.items() if key.endswith(_SCALED)})
    config["locale"] = {"number": format_locale(language)}
    if "title" in spec and layout.title_chars:
        spec["title"] = _wrapped_title(spec["title"], layout.title_chars)
    return spec


_SCALED = ("FontSize", "fontSize", "LineHeight")  #: the theme's sizes a layout's font scale multiplies


def _wrapped_title(title: str | list | dict, chars: int) -> dict:
    """Return a spec's title with its text and subtitle on lines of at most `chars` characters.

    >>> _wrapped_title("Thuê bao băng rộng cố định theo huyện", 20)
    {'text': ['Thuê bao băng rộng', 'cố định theo huyện']}
    >>> _wrapped_title({"text": "Thay đổi", "subtitle": ["Trục cắt ở 60 %"]}, 20)
    {'text': ['Thay đổi'], 'subtitle': ['Trục cắt ở 60 %']}
    """
    title = dict(title) if isinstance(title, dict) else {"text": title}
    for part in ("text", "subtitle"):
        if part in title:
            lines = [title[part]] if isinstance(title[part], str) else title[part]
            title[part] = [wrapped for line in lines for wrapped in textwrap.wrap(line, chars) or [line]]
    return title


def chart_html(chart: alt.TopLevelMixin | dict, element_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Return ``<div id=…>`` and the script that draws the chart there (see :func:`ictanalysis.embed.spec_html`).

    A spec dict (from :func:`chart_spec`, or a notebook's Vega-Lite output) is taken as it is.

    >>> snippet = chart_html({"mark": "bar", "title": "</script>"}, "c1")
    >>> snippet.startswith('<div id="c1" class="chart"></div>'), snippet.count("</script>")
    (True, 1)
    """
    spec = chart if isinstance(chart, dict) else chart_spec(chart, language)
    return spec_html(spec, element_id, language)


def save_chart(chart: alt.TopLevelMixin, directory: Path, name: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Path]:
    """Write ``name.svg``, ``name.png`` (twice the size, for print) and an offline ``name.html``.

    See :func:`ictanalysis.render.write_chart_files`: atomic writes, the folder made when
    missing, the Vega libraries inside the page.

    Returns:
        The written paths by kind: ``{"svg": …, "png": …, "html": …}``.
    """
    return write_chart_files(chart_spec(chart, language), directory, name, language)


# --- notebooks -------------------------------------------------------------------------------


def _vegalite_v5(spec: dict) -> dict:
    """Return the spec labelled as Vega-Lite 5, the newest version JupyterLab 4.6 draws.

    The charts here use nothing that Vega-Lite 6 added, so only ``$schema`` changes.
    """
    return {**spec, "$schema": _VEGALITE_V5_SCHEMA}


@dataclass(frozen=True)
class ChartDisplay:
    """A chart as a notebook shows it (see :func:`show`).

    Its MIME bundle holds:

    - ``application/vnd.vegalite.v5+json`` (:data:`VEGALITE_MIMETYPE`): the spec with the
      theme and ``config.locale``, labelled Vega-Lite 5. JupyterLab 4.6 draws it natively
      (its vega5-extension takes Vega-Lite 3 to 5 and bundles Vega-Lite 5.6; there is no
      v6 renderer), with tooltips, in trusted and untrusted notebooks alike; VS Code too.
    - ``text/plain``: the title, for consoles and as the last resort of every frontend.
    - ``text/html`` only with `html_snippet`: :func:`chart_html` with a fresh element id,
      for a page that already holds :func:`vega_bundle`. nbconvert's HTML export would
      take it (text/html leads its display priority). JupyterLab would take it too:
      it ranks text/html (50) above its Vega renderer (57), so the notebook would show the
      snippet, which cannot draw without the bundle ("vegaEmbed is not defined"). Hence
      it is off by default: an exporter turns the Vega-Lite output into the snippet
      instead (``chart_html(output_spec, element_id, language)`` takes the spec dict).

    No ``image/png``: notebooks stay small, and :func:`save_chart` writes the PNG.
    (JupyterLab itself adds an image/png to each Vega output it draws, marking the
    notebook changed; saving it from JupyterLab stores that PNG.)
    """

    chart: alt.TopLevelMixin | dict  #: an Altair chart, or its spec (from :func:`chart_spec`) as it is
    language: str = DEFAULT_LANGUAGE
    html_snippet: bool = False
    element_id: str = field(default_factory=lambda: f"chart-{secrets.token_hex(6)}")

    @functools.cached_property
    def spec(self) -> dict:
        """The chart's spec (:func:`chart_spec`), computed once."""
        return self.chart if isinstance(self.chart, dict) else chart_spec(self.chart, self.language)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, object]:
        """Return the chart as Vega-Lite 5 JSON and plain text (and the HTML snippet when asked)."""
        spec = self.spec
        bundle: dict[str, object] = {VEGALITE_MIMETYPE: _vegalite_v5(spec), "text/plain": spec_title(spec, "chart")}
        if self.html_snippet:
            bundle["text/html"] = chart_html(spec, self.element_id, self.language)
        return bundle


def show(chart: alt.TopLevelMixin, language: str = DEFAULT_LANGUAGE, *, html_snippet: bool = False) -> ChartDisplay:
    """Return the chart ready for a notebook cell to display (see :class:`ChartDisplay`).

    >>> shown = show(alt.Chart(pd.DataFrame({"v": [1]})).mark_bar().encode(x="v:Q").properties(title="Số"))
    >>> sorted(shown._repr_mimebundle_()), shown._repr_mimebundle_()["text/plain"]
    (['application/vnd.vegalite.v5+json', 'text/plain'], 'Số')
    """
    return ChartDisplay(chart, language, html_snippet)
