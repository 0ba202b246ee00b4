r"""The one-page summary leadership reads first: headline tiles, targets against results, and the trend.

:func:`summarise` reads a :class:`~ictanalysis.compare.Comparison` (and the
year's plan, :mod:`ictanalysis.plan`) into a :class:`Summary`: one tile per
headline indicator the report year holds (its value with its unit, its change
against the compared year, and its like-for-like change when the reporters
changed), the targets of the plan against the year's results (omitted, not
empty, without a plan), and the series over every year of the table that the
report's trend chart draws (``catalog/report.yaml``). Nothing is typed in:
every figure is the comparison's. Words come from the catalogs, numbers from
:mod:`ictanalysis.formatting`. The summary is shown twice: as escaped HTML
(:func:`summary_markup`, first in the report) and as a block of the official
document (:func:`document_block`, after its header blocks). Reads nothing but
the plan file.

Example:
    >>> from pathlib import Path
    >>> from ictanalysis.compare import compare
    >>> from ictanalysis.contents import load_contents
    >>> from ictanalysis.ingest import clean
    >>> from ictanalysis.plan import DEFAULT_PLANS, read_plan
    >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
    >>> summary = summarise(cmp, load_contents(), read_plan(DEFAULT_PLANS, 2020))
    >>> tile = summary.tile("mobile_subscribers")
    >>> tile.value_text, tile.change_text, tile.like_for_like_text
    ('669.065\xa0thuê\xa0bao', '+2,1\xa0%', '+0,9\xa0%')
    >>> [(t.indicator, t.met) for t in summary.targets][:2]
    [('online_services_level4', True), ('videoconference_endpoints', False)]
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from ictanalysis.compare import TREND_MIN_YEARS, Comparison, series
from ictanalysis.figures import sources_text
from ictanalysis.formatting import (
    format_change,
    format_money,
    format_number,
    format_percent,
    format_quantity,
    format_times,
    money_scale,
)
from ictanalysis.narrative import multiple
from ictanalysis.present import change_text
from ictanalysis.text import visible_text
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = ["Summary", "TargetRow", "Tile", "TrendLine", "change_line", "document_block", "summarise", "summary_html",
           "summary_markup"]  # fmt: skip

_MONEY = "đồng"  # the catalog's unit of amounts of money, written in tỷ or triệu
_RATE = "%"


@dataclass(frozen=True)
class Tile:
    """One headline figure: its value in the report year, its change, its like-for-like change."""

    indicator: str
    name: str
    value: float
    value_text: str  #: "669.065 thuê bao", "1.120,9 tỷ đồng", "100 %"
    change_text: str  #: "+2,1 %", "+1,5 điểm %", "từ 0", "–"
    like_for_like_text: str  #: the change among the reporters of both years; "" when they did not change
    sources: str
    times_text: str = ""  #: "7,5 lần" when the change is said as a multiple (:func:`ictanalysis.narrative.multiple`)


@dataclass(frozen=True)
class TargetRow:
    """One target of the plan against the year's result."""

    indicator: str
    name: str
    target: float
    result: float  #: NaN when the table gives no figure
    percent: float  #: result ÷ target × 100; NaN when it cannot be said
    met: bool | None  #: None when there is no result
    target_text: str
    result_text: str
    percent_text: str
    verdict: str  #: "Đạt", "Chưa đạt", "Chưa có số liệu"
    illustrative: bool  #: the target is an example, not the department's figure
    sources: str  #: the plan's cell, then the result's cells


@dataclass(frozen=True)
class TrendLine:
    """One series over the years: the years with a figure and their values."""

    indicator: str
    name: str
    unit: str  #: in words, the scale of money included ("tỷ đồng")
    years: tuple[int, ...]
    values: tuple[float, ...]  #: in the catalog's unit
    texts: tuple[str, ...]  #: the values in `unit`, without it


@dataclass(frozen=True)
class Summary:
    """What the summary shows; `targets` is None without a plan (the part is left out)."""

    year: int
    compare_year: int
    language: str
    tiles: tuple[Tile, ...]
    targets: tuple[TargetRow, ...] | None
    trend: tuple[TrendLine, ...]

    def tile(self, indicator: str) -> Tile:
        """Return the tile of `indicator` (KeyError when the summary has none)."""
        found = [t for t in self.tiles if t.indicator == indicator]
        if not found:
            raise KeyError(f"no tile of {indicator!r}")
        return found[0]

    @property
    def years(self) -> tuple[int, ...]:
        """The years of the trend, oldest first."""
        return tuple(sorted({y for line in self.trend for y in line.years}))

    @property
    def illustrative(self) -> bool:
        """Tell whether a target shown is an illustrative figure."""
        return any(t.illustrative for t in self.targets or ())

    @property
    def empty(self) -> bool:
        """Tell whether the summary has nothing to show (no tile, no target, no trend)."""
        return not (self.tiles or self.targets or self.trend)


def summarise(cmp: Comparison, contents, plan=None, language: str = DEFAULT_LANGUAGE) -> Summary:
    """Return the summary of `cmp`: the headline of `contents` (:class:`~ictanalysis.contents.Contents`), the plan's.

    `plan` is the year's :class:`~ictanalysis.plan.Plan`, or None: the summary then has no targets part.
    """
    targets = None if plan is None else tuple(_target_row(cmp, t, language) for t in plan.targets)
    trend_charts = [name for name, chart in contents.charts.items() if chart.kind == "trend_lines"]
    drawn = dict.fromkeys(cmp.current(i) for name in trend_charts for i in contents.trend_indicators(name))
    trend = tuple(line for line in (_trend_line(cmp, i, language) for i in drawn) if line is not None)
    return Summary(cmp.year, cmp.compare_year, language, _tiles(cmp, contents.headline, language), targets, trend)


def _tiles(cmp: Comparison, headline, language: str) -> tuple[Tile, ...]:
    """Return a tile for each headline indicator with a figure in the report year (a successor's from its `since` on)."""
    tiles = []
    for row in cmp.change_table([cmp.current(i) for i in headline]).to_dict("records"):
        if math.isnan(row["value"]):
            continue
        indicator = cmp.indicator(row["indicator"])
        same, times = row["like_for_like_percent"], multiple(cmp, indicator.id)
        tiles.append(Tile(indicator.id, words(language).indicator(indicator), float(row["value"]),
                          _quantity(cmp, indicator.id, row["value"], language), change_text(row, language),
                          "" if math.isnan(same) else format_change(same, language), row["sources"],
                          "" if math.isnan(times) else format_times(times, language)))  # fmt: skip
    return tuple(tiles)


def _quantity(cmp: Comparison, indicator: str, value: float, language: str) -> str:
    """Write a value with its unit: money in tỷ or triệu đồng, a rate in %, a count with its unit's name."""
    unit = cmp.indicator(indicator).unit
    if unit == _MONEY:
        return format_money(value, language)
    if unit == _RATE:
        return format_percent(value, language, decimals=None)
    said = words(language)
    return format_quantity(value, said.unit(cmp.catalog.units[unit]), language)


def _target_row(cmp: Comparison, target, language: str) -> TargetRow:
    said = words(language)
    result = cmp.value(target.indicator, cmp.year)
    percent = result.value / target.value * 100 if result.available and target.value else math.nan
    met = None if not result.available else result.value >= target.value
    verdict = said("summary.no_result") if met is None else said("summary.met") if met else said("summary.not_met")
    return TargetRow(
        target.indicator, said.indicator(cmp.indicator(target.indicator)), target.value, result.value, percent, met,
        _quantity(cmp, target.indicator, target.value, language),
        _quantity(cmp, target.indicator, result.value, language) if result.available else format_number(None),
        format_percent(percent, language), verdict, target.illustrative,
        sources_text((target.source, *result.sources)),
    )  # fmt: skip


def _trend_line(cmp: Comparison, indicator: str, language: str) -> TrendLine | None:
    """Return the series of `indicator` over every year of the table, when it has :data:`TREND_MIN_YEARS` or more."""
    points = series(cmp, indicator)
    if len(points) < TREND_MIN_YEARS:
        return None
    said, unit = words(language), cmp.indicator(indicator).unit
    values = tuple(float(v) for v in points["value"])
    size, written = (money_scale(max(abs(v) for v in values), language) if unit == _MONEY
                     else (1.0, said.unit(cmp.catalog.units[unit])))  # fmt: skip
    texts = tuple(format_number(v / size, language, 1 if size > 1 else None) for v in values)
    return TrendLine(indicator, said.indicator(cmp.indicator(indicator)), written,
                     tuple(int(y) for y in points["year"]), values, texts)  # fmt: skip


# --- the HTML of the report -----------------------------------------------------------------------------------------

# Inline styles: the section needs no stylesheet of its own, and reads the same in the email.
_GRID = "list-style:none;margin:.4rem 0 1rem;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.5rem"
_TILE = "border:1px solid #cfd6de;border-radius:6px;padding:.45rem .6rem;margin:0;min-width:0;overflow-wrap:anywhere"
_NAME = "margin:0;font-size:.85rem;color:#3d4a59"
_VALUE = "margin:.15rem 0;font-size:1.15rem;font-weight:bold;color:#0b3d6b"
_CHANGE = "margin:0;font-size:.85rem;color:#3d4a59"
_NUM = ' class="num"'


def _e(text: str) -> str:
    return html.escape(visible_text(str(text)))


def summary_markup(summary: Summary) -> str:
    """Return the summary as a section of escaped HTML: its heading, the tiles, the targets, the trend.

    A part with nothing to show is left out; an empty summary is "".
    """
    if summary.empty:
        return ""
    said = words(summary.language)
    parts = [f'<h2 id="summary">{_e(said("summary.title", year=summary.year))}</h2>']
    if summary.tiles:
        parts.append(f'<ul style="{_GRID}" aria-label="{_e(said("summary.tiles", year=summary.year))}">'
                     + "".join(_tile_markup(t, summary) for t in summary.tiles) + "</ul>")  # fmt: skip
    if summary.targets:
        parts.append(_targets_markup(summary))
    if summary.trend:
        parts.append(_trend_markup(summary))
    return f'<section class="summary" aria-labelledby="summary">{"".join(parts)}</section>'


def change_line(tile: Tile, summary: Summary) -> str:
    """Return a tile's line of change: a multiple as the sentences say it, else the change in percent.

    >>> tile = Tile("x", "X", 555.0, "555", "+650,0 %", "", "", "7,5 lần")
    >>> change_line(tile, Summary(2020, 2019, DEFAULT_LANGUAGE, (tile,), None, ()))
    'gấp 7,5 lần so với năm 2019'
    """
    said, cy = words(summary.language), summary.compare_year
    if tile.times_text:
        return said("narrative.times", ratio=tile.times_text, cy=cy)
    return said("summary.change", change=tile.change_text, cy=cy)


def _tile_markup(tile: Tile, summary: Summary) -> str:
    said = words(summary.language)
    lines = [f'<p style="{_NAME}">{_e(tile.name)}</p>', f'<p style="{_VALUE}">{_e(tile.value_text)}</p>',
             f'<p style="{_CHANGE}">{_e(change_line(tile, summary))}</p>']  # fmt: skip
    if tile.like_for_like_text:
        lines.append(f'<p style="{_CHANGE}">{_e(said("summary.like_for_like", change=tile.like_for_like_text))}</p>')
    return f'<li style="{_TILE}" title="{_e(tile.sources)}">{"".join(lines)}</li>'


def _targets_markup(summary: Summary) -> str:
    said = words(summary.language)
    head = (said("summary.column.indicator"), said("summary.column.target"), said("summary.column.result"),
            said("summary.column.percent"), said("summary.column.verdict"))  # fmt: skip
    rows = [(f"{t.name} (*)" if t.illustrative else t.name, t.target_text, t.result_text, t.percent_text, t.verdict)
            for t in summary.targets]  # fmt: skip
    note = f'<p class="note">{_e(said("summary.illustrative"))}</p>' if summary.illustrative else ""
    return _table_markup(said("summary.targets", year=summary.year), head, rows) + note


def _trend_markup(summary: Summary) -> str:
    said, years = words(summary.language), summary.years
    head = (said("summary.column.indicator"), *map(str, years))
    rows = [(said("summary.named_unit", name=line.name, unit=line.unit),
             *(dict(zip(line.years, line.texts, strict=True)).get(y, format_number(None)) for y in years))
            for line in summary.trend]  # fmt: skip
    return _table_markup(said("summary.trend"), head, rows)


def _table_markup(caption: str, head, rows) -> str:
    """Return a table that scrolls sideways on a narrow screen rather than widen the page."""
    heads = "".join(f'<th scope="col"{_NUM if n else ""}>{_e(h)}</th>' for n, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<th scope="row">{_e(c)}</th>' if n == 0 else f'<td class="num">{_e(c)}</td>'
                                    for n, c in enumerate(row)) + "</tr>" for row in rows)  # fmt: skip
    return (f'<div style="overflow-x:auto" role="region" tabindex="0" aria-label="{_e(caption)}">'
            f"<table><caption>{_e(caption)}</caption><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table></div>")  # fmt: skip


def summary_html(view, plans=None):
    """Return the summary of a report's view (:class:`~ictanalysis.view.ReportView`) for the notebook to show.

    `plans` is the folder of the plan files (None: no folder, so no targets).

    Raises:
        InputError: the year's plan file has problems.
    """
    from IPython.display import HTML

    from ictanalysis.plan import read_plan

    plan = read_plan(plans, view.cmp.year, view.cmp.catalog)
    return HTML(summary_markup(summarise(view.cmp, view.contents, plan, view.language)))


# --- the block of the official document -----------------------------------------------------------------------------


def document_block(summary: Summary):
    """Return the summary as a block of the official document (:class:`~ictanalysis.document.model.Summary`)."""
    from ictanalysis.document.model import Summary as Block
    from ictanalysis.document.model import Table
    from ictanalysis.document.model import Tile as DocumentTile

    said = words(summary.language)
    tiles = tuple(DocumentTile(t.name, t.value_text, change_line(t, summary),
                               said("summary.like_for_like", change=t.like_for_like_text) if t.like_for_like_text else "")
                  for t in summary.tiles)  # fmt: skip
    targets = None
    if summary.targets:
        head = (said("summary.column.indicator"), said("summary.column.target"), said("summary.column.result"),
                said("summary.column.percent"), said("summary.column.verdict"))  # fmt: skip
        rows = tuple((f"{t.name} (*)" if t.illustrative else t.name, t.target_text, t.result_text, t.percent_text,
                      t.verdict) for t in summary.targets)  # fmt: skip
        targets = Table(said("summary.targets", year=summary.year), head, rows,
                        ("left", "right", "right", "right", "center"), (0.38, 0.16, 0.16, 0.15, 0.15))  # fmt: skip
    return Block(said("summary.title", year=summary.year), said("summary.tiles", year=summary.year), tiles, targets,
                 said("summary.illustrative") if summary.illustrative else "", _document_trend(summary))  # fmt: skip


def _document_trend(summary: Summary):
    """Return the trend as the document draws it: each series' points scaled into a unit square, its labels."""
    from ictanalysis.document.model import Trend, TrendSeries

    if not summary.trend:
        return None
    said, years = words(summary.language), summary.years
    first, span = years[0], max(years[-1] - years[0], 1)
    drawn = []
    for line in summary.trend:
        low, high = min(line.values), max(line.values)
        height = (high - low) or 1.0
        points = tuple(((y - first) / span, (v - low) / height if high > low else 0.5)
                       for y, v in zip(line.years, line.values, strict=True))  # fmt: skip
        by_year = dict(zip(line.years, line.texts, strict=True))
        drawn.append(TrendSeries(line.name, line.unit, tuple(by_year.get(y, format_number(None)) for y in years), points))
    return Trend(said("summary.trend"), tuple(map(str, years)), tuple(drawn), said("summary.column.indicator"))
