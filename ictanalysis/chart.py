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

Enterprises keep one colour in every chart (:data:`ENTERPRISE_COLOURS`), and
the compared year is always the light bar, the report year the dark one.
"""

from __future__ import annotations

import functools
import math
import numbers
import secrets
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from ictanalysis.embed import VEGALITE_MIMETYPE, spec_html, vega_bundle
from ictanalysis.formatting import format_locale, money_scale
from ictanalysis.render import FONT, INK, spec_title, write_chart_files
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = [
    "ENTERPRISE_COLOURS",
    "FONT",
    "THEME",
    "VEGALITE_MIMETYPE",
    "ChartDisplay",
    "agency_bars",
    "change_bars",
    "chart_html",
    "chart_spec",
    "district_bars",
    "drawable",
    "enable_theme",
    "operator_shares",
    "save_chart",
    "show",
    "trend_lines",
    "vega_bundle",
    "year_pair_bars",
]

THEME = "ictanalysis"


# One colour per enterprise, the same in every chart; muted tones that print well.
ENTERPRISE_COLOURS: Mapping[str, str] = {
    "VNPT": "#2b6cb0",
    "Viettel": "#b5473a",
    "MobiFone": "#3a9aa5",
    "Vietnamobile": "#dd8a35",
    "Gmobile": "#8467b0",
    "FPT Telecom": "#5c9a4f",
    "SCTV": "#9a7653",
    "VNPost": "#d2a72c",
    "Viettel Post": "#c2648b",
    "J&T Express": "#6d7f8f",
    "Giao Hàng Nhanh": "#7d9b3a",
    "Giao Hàng Tiết Kiệm": "#4f8a8b",
    "Nhất Tín": "#a0635a",
}
OTHER_COLOUR = "#9aa5b1"
YEAR_COLOURS = ("#a9c1da", "#1f4e86")  # compared year, report year
INCREASE, DECREASE = "#2e7d6b", "#c0633f"
MUTED, GRID = "#4a5766", "#e3e8ee"

# The Vega-Lite major version JupyterLab 4.6 renders natively: its vega5-extension
# registers application/vnd.vegalite.v3/v4/v5+json (and vega.v5), bundling Vega-Lite 5.6.
_VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

_BAR = 16  # thickness of one bar, in pixels
_WIDTH = 460


# --- theme -------------------------------------------------------------------------------


def theme_config() -> alt.theme.ThemeConfig:
    """Return the house theme: readable sizes, Vietnamese-capable fonts, calm colours.

    >>> theme_config()["config"]["font"].endswith("sans-serif")
    True
    """
    axis = {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": "normal", "labelColor": MUTED,
            "titleColor": MUTED, "gridColor": GRID, "domainColor": "#9aa7b4", "tickColor": "#9aa7b4",
            "labelLimit": 240}  # fmt: skip
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
            "range": {"category": [*ENTERPRISE_COLOURS.values()]},
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
    if unit.casefold() not in {"đồng", "vnd"} or largest < 1e6:
        return 1.0, unit
    return money_scale(largest, language)


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


def _year_colour(year: int, compare_year: int | None, language: str) -> alt.Color:
    years = [year] if compare_year is None else [compare_year, year]
    colours = list(YEAR_COLOURS[-len(years) :])
    return alt.Color("year:O", title=_label("year", language), scale=alt.Scale(domain=years, range=colours))


def _enterprise_colour(operators: Iterable[str], language: str) -> alt.Color:
    names = list(dict.fromkeys(str(o) for o in operators))
    colours = [ENTERPRISE_COLOURS.get(name, OTHER_COLOUR) for name in names]
    return alt.Color("operator:N", title=_label("operator", language), scale=alt.Scale(domain=names, range=colours),
                     legend=None)  # fmt: skip


# --- charts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bars:
    title: str
    axis_title: str
    category_title: str
    year: int
    compare_year: int | None
    language: str


def _grouped_bars(long: pd.DataFrame, category: str, order: list[str], options: _Bars) -> alt.LayerChart:
    """Draw horizontal bars per category, one per year, with the value at the end of each bar."""
    fmt = _number_format(long["value"])
    x = alt.X("value:Q", title=options.axis_title, axis=alt.Axis(format=fmt, tickCount=5))
    y = alt.Y(f"{category}:N", title=options.category_title, sort=order, axis=alt.Axis(labelLimit=260))
    years = [options.year] if options.compare_year is None else [options.compare_year, options.year]
    tooltip = [alt.Tooltip(f"{category}:N", title=options.category_title),
               alt.Tooltip("year:O", title=_label("year", options.language)),
               alt.Tooltip("value:Q", title=options.axis_title, format=fmt)]  # fmt: skip
    base = alt.Chart(long).encode(x=x, y=y, yOffset=alt.YOffset("year:O", sort=years), tooltip=tooltip)
    bars = base.mark_bar(height=_BAR).encode(color=_year_colour(options.year, options.compare_year, options.language))
    labels = base.mark_text(align="left", dx=3, baseline="middle").encode(text=alt.Text("value:Q", format=fmt))
    height = len(order) * (len(years) * (_BAR + 2) + 10)
    return alt.layer(bars, labels).properties(title=options.title, width=_WIDTH, height=height)


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
    scale, unit = _money_scale(unit, [*frame["value"], *frame["value_before"]], language)
    options = _Bars(title, _capitalised(unit), _label("district", language), year, compare_year, language)
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
    options = _Bars(title, _capitalised(unit), _label("agency", language), year, compare_year, language)
    long = _both_years(frame, "agency", year, compare_year, 1.0)
    return _grouped_bars(long, "agency", _order(frame, "agency", "value"), options)


def operator_shares(frame: pd.DataFrame, title: str, year: int, language: str = DEFAULT_LANGUAGE) -> alt.LayerChart:
    """Chart each enterprise's share of the province total in `year`, largest first.

    Shares are in percent (45.2 means 45,2 %), as ``Comparison.by_operator`` gives them.
    Enterprises without a share that year are left out; each keeps its house colour.

    >>> frame = pd.DataFrame({"operator": ["VNPT", "Viettel"], "share": [30.5, 69.5]})
    >>> operator_shares(frame, "Thị phần", 2020).to_dict()["layer"][0]["encoding"]["y"]["sort"]
    ['Viettel', 'VNPT']
    """
    _require(frame, ("operator", "share"))
    shown = frame[frame["share"].map(_finite)]
    order = _order(shown, "operator", "share")
    share_title = _label("share_year", language, year=year)
    tooltip = [alt.Tooltip("operator:N", title=_label("operator", language)),
               alt.Tooltip("share:Q", title=share_title, format=",.1f")]  # fmt: skip
    if "share_before" in shown.columns:
        tooltip.append(alt.Tooltip("share_before:Q", title=_label("share", language) + " ←", format=",.1f"))
    base = alt.Chart(shown).encode(
        x=alt.X("share:Q", title=share_title, axis=alt.Axis(format=",.0f", tickCount=5)),
        y=alt.Y("operator:N", title=_label("operator", language), sort=order),
        tooltip=tooltip,
    )
    bars = base.mark_bar(height=_BAR + 4).encode(color=_enterprise_colour(order, language))
    labels = base.mark_text(align="left", dx=3).encode(text=alt.Text("share:Q", format=",.1f"))
    height = len(order) * (_BAR + 14)
    return alt.layer(bars, labels).properties(title=title, width=_WIDTH, height=height)


def change_bars(
    frame: pd.DataFrame, title: str, language: str = DEFAULT_LANGUAGE, compare_year: int | None = None
) -> alt.LayerChart:
    """Chart the relative change of several indicators, diverging around zero.

    Increases point right in green, decreases left in red, each labelled with its signed
    change ("+650,0"). Indicators without a finite change (nothing the year before) are left
    out: the table beside the chart shows them.

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
    x_scale = alt.Scale(domain=_diverging_domain(shown["change_percent"]), nice=True)
    base = alt.Chart(shown).encode(
        x=alt.X("change_percent:Q", title=axis_title, axis=alt.Axis(format=",.0f", tickCount=5), scale=x_scale),
        y=alt.Y("name:N", title=None, sort=_order(shown, "name", "change_percent")),
        tooltip=_change_tooltip(shown, axis_title, language),
    )
    bars = base.mark_bar(height=_BAR + 4).encode(
        color=alt.condition("datum.change_percent < 0", alt.value(DECREASE), alt.value(INCREASE))
    )
    text = alt.Text("change_percent:Q", format="+,.1f")
    up = base.mark_text(align="left", dx=3).encode(text=text).transform_filter("datum.change_percent >= 0")
    down = base.mark_text(align="right", dx=-3).encode(text=text).transform_filter("datum.change_percent < 0")
    zero = alt.Chart(shown).mark_rule(color=MUTED).encode(x=alt.datum(0))
    return alt.layer(bars, up, down, zero).properties(title=title, width=_WIDTH, height=len(shown) * (_BAR + 14))


def _diverging_domain(values: Iterable[float], margin: float = 0.12) -> list[float]:
    """Return an axis range that holds zero and every value, with room for the labels at the bar ends.

    >>> _diverging_domain([650.0, -3.2])
    [-81.584, 728.384]
    >>> _diverging_domain([10.0, 20.0])
    [0.0, 22.4]
    >>> _diverging_domain([])
    [0.0, 0.0]
    """
    values = [float(v) for v in values]
    low, high = min([0.0, *values]), max([0.0, *values])
    room = (high - low) * margin
    return [round(low - room if low < 0 else low, 6), round(high + room if high > 0 else high, 6)]


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
    return faceted.resolve_scale(y="independent").resolve_axis(x="independent")


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
    faceted = drawn.facet(facet=facet, columns=columns, title=title)
    return faceted.resolve_scale(y="independent").resolve_axis(x="independent")


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
    (JupyterLab, vl-convert, vega-embed) writes numbers the same way.

    >>> spec = chart_spec(alt.Chart(pd.DataFrame({"v": [1]})).mark_bar().encode(x="v:Q"))
    >>> spec["config"]["locale"]["number"]["thousands"], spec["config"]["font"] == FONT
    ('.', True)
    """
    _register_theme()
    with alt.theme.enable(THEME):
        spec = chart.to_dict()
    spec.setdefault("config", {})["locale"] = {"number": format_locale(language)}
    return spec


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

    chart: alt.TopLevelMixin
    language: str = DEFAULT_LANGUAGE
    html_snippet: bool = False
    element_id: str = field(default_factory=lambda: f"chart-{secrets.token_hex(6)}")

    @functools.cached_property
    def spec(self) -> dict:
        """The chart's spec (:func:`chart_spec`), computed once."""
        return chart_spec(self.chart, self.language)

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
