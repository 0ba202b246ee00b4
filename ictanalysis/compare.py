"""Year-on-year comparisons of the tidy table: changes, shares, ranks and penetration, each traceable to its cells.

:func:`compare` wraps the tidy table, the catalog and a pair of years in a
:class:`Comparison`. :meth:`Comparison.value` returns one
:class:`~ictanalysis.figures.Figure`, read from a cell or derived. The other
methods return DataFrames of figures by indicator, district, enterprise or
agency, keyed by catalog ids and official codes; naming them in a language is
the presentation's job (:mod:`ictanalysis.present`). Every frame has a
``sources`` column listing each cell its numbers came from, as
``file › sheet › cells; …``.

Nothing is typed in: the statistics office's ``gso_*`` series are never
mixed with the department's, and a figure that is missing in a year is NaN,
never an error.

Across the 2025 reorganisation the two years do not share a map. The province
is the one of the report year: its figure of the compared year is the sum of
its predecessors' (:class:`~ictanalysis.figures.Figures`). Below it, a pair
whose years have districts in one and communes in the other compares the
comparable areas (:func:`ictanalysis.catalog.gazetteer.comparable_groups`):
each the smallest group of former districts and new communes that cover the
same ground, keyed ``~`` and its districts' codes (``~569``, ``~582+584+…``),
its figure the sum of its districts in one year and of its communes in the
other. Nothing is apportioned.

Definitions move too (``replaces`` in ``catalog/indicators.yaml``): from 2022 the report counts online
public services "toàn trình" and "một phần" where it counted levels 4 and 3. :meth:`Comparison.current`
is the indicator the report shows for an id ``catalog/report.yaml`` names; a successor's figure of a year
before its definition is the replaced indicator's (``under the earlier definition``, with its cells) when
the catalog says the two compare, and not available when they do not.

Example:
    >>> from pathlib import Path
    >>> from ictanalysis.ingest import clean
    >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
    >>> cmp.value("online_services_level4", 2020).value
    555.0
    >>> cmp.change_table(["videoconference_endpoints"])[["value_before", "value", "change"]].values.tolist()
    [[12.0, 47.0, 35.0]]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ictanalysis.catalog import Catalog, Indicator, Replacement, load_catalog
from ictanalysis.figures import MISSING, Figure, Figures, percent_change, sources_text
from ictanalysis.settings import DEFAULTS
from ictanalysis.years import YearPair, choose_years

__all__ = ["CHANGE_COLUMNS", "EARLIER_DEFINITION", "TREND_MIN_YEARS", "Comparison", "Figure", "LikeForLike", "comparable_areas",
           "annual_growth", "compare", "percent_change", "series", "sources_text", "trend"]

#: How a successor's figure of a year before its definition was obtained: the replaced indicator's figure.
EARLIER_DEFINITION = "under the earlier definition"

CHANGE_COLUMNS = ["value_before", "value", "change", "change_percent"]
#: What a change table adds when the reporters changed: the change among those of both years, who is new, who left.
LIKE_FOR_LIKE_COLUMNS = ["like_for_like_percent", "newcomers", "leavers"]
#: A trend is drawn and its average growth said for a series of at least this many years.
TREND_MIN_YEARS = 3
TREND_COLUMNS = ["indicator", "unit", "first_year", "last_year", "first", "last", "growth_percent", "years",
                 "missing_years", "sources"]  # fmt: skip


def annual_growth(first: float, last: float, years: int) -> float:
    """Return the average annual growth, in percent, from `first` to `last` over `years` years (CAGR).

    NaN when it cannot be said: no years between them, a missing value, a first value not above zero.

    >>> round(annual_growth(100.0, 121.0, 2), 9), round(annual_growth(38200.0, 76100.0, 5), 4)
    (10.0, 14.7795)
    >>> annual_growth(0.0, 5.0, 3)
    nan
    """
    if years <= 0 or math.isnan(first) or math.isnan(last) or first <= 0 or last < 0:
        return math.nan
    return ((last / first) ** (1 / years) - 1) * 100


@dataclass(frozen=True)
class LikeForLike:
    """A change counted among the enterprises (or agencies) that reported in both years.

    When an enterprise reports for the first time, its whole figure would otherwise count
    as growth: the province's mobile subscriptions grew 2,1 % as reported in 2020, 0,9 %
    among the enterprises that reported both years.
    """

    dimension: str  #: "operator" or "agency"
    before: float  #: the compared year's sum over the members of both years
    now: float  #: the report year's
    members: tuple[str, ...]  #: reported both years
    newcomers: tuple[str, ...]  #: reported only in the report year
    leavers: tuple[str, ...]  #: reported only in the compared year

    @property
    def change_percent(self) -> float:
        """The change among the members of both years, in percent."""
        return percent_change(self.before, self.now)


class _Appendix:
    """The penetration table, the sources appendix and the files of a :class:`Comparison` (mixed into it)."""

    def penetration(self, indicator: str = "mobile_subscribers") -> pd.DataFrame:
        """Return subscribers per 100 inhabitants by district and for the province (last row).

        The statistics office's definition: subscribers ÷ population × 100,
        with the population of the table (the average population where given).
        `change` is in points per 100 inhabitants.

        >>> from pathlib import Path
        >>> from ictanalysis.ingest import clean
        >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
        >>> province = cmp.penetration().iloc[-1]
        >>> province[["subscribers", "population", "per_100"]].astype(float).round(2).tolist()
        [669065.0, 595160.0, 112.42]
        """
        rows = [_penetration_row(self, indicator, code) for code in (*self.districts(), self.province)]
        columns = ["area", "subscribers_before", "population_before", "per_100_before",
                   "subscribers", "population", "per_100", "change", "sources"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def sources_appendix(self, indicators: Iterable[str] | None = None) -> pd.DataFrame:
        """Return one row per province figure and year: its value and unit, how it was obtained, its cells.

        By default every department indicator (not the statistics office's
        ``gso_*`` series) that the table holds for either year, in catalog order.
        """
        ids = _department_indicators(self) if indicators is None else list(indicators)
        rows = [_appendix_row(self, i, y) for i in ids for y in (self.compare_year, self.year)]
        return pd.DataFrame(rows, columns=["indicator", "year", "value", "unit", "derived", "how", "sources"])

    def sources(self) -> list[str]:
        """Return the files of both years that the table's rows come from, sorted."""
        years = self.table[self.table["year"].isin([self.compare_year, self.year])]
        return sorted(set(years["source_file"]) - {""})


@dataclass
class Comparison(_Appendix):
    """The tidy table, the catalog and the two years a report compares.

    Build it with :func:`compare`. Every method reads the table only.
    """

    table: pd.DataFrame
    catalog: Catalog
    pair: YearPair
    _figures: Figures = field(init=False, repr=False)
    _groups: dict[str, dict[int, tuple[str, ...]]] = field(init=False, repr=False)  #: comparable area → units by year

    def __post_init__(self) -> None:
        self._figures = Figures(self.table, self.catalog, self.pair.province, as_of=self.pair.year)
        self._groups = comparable_areas(self.catalog, self.pair)

    @property
    def year(self) -> int:
        """Return the report year."""
        return self.pair.year

    @property
    def compare_year(self) -> int:
        """Return the year the report compares with."""
        return self.pair.compare_year

    @property
    def province(self) -> str:
        """Return the province's code."""
        return self.pair.province

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the catalog's indicator, with a clear KeyError when it is unknown."""
        return self._figures.indicator(indicator_id)

    def current(self, indicator_id: str) -> str:
        """Return the indicator the report shows for `indicator_id`: its successor from the successor's `since` on."""
        return self.catalog.current(indicator_id, self.year)

    def value(self, indicator: str, year: int, area: str | None = None, operator: str = "", agency: str = "") -> Figure:
        """Return one figure (see :meth:`ictanalysis.figures.Figures.value`); `area` may be a comparable area.

        A successor's figure of a year before its definition: see the module.
        """
        if (earlier := _earlier(self.indicator(indicator), int(year))) is not None:
            return _under_earlier(self, earlier, year, area, operator, agency)
        units = self._groups.get(area or "", {}).get(int(year))
        if units is not None:
            return self._figures.summed(indicator, year, units, "sum of the comparable area", operator, agency)
        return self._figures.value(indicator, year, area, operator, agency)

    def figures(self, indicator: str, area: str | None = None, operator: str = "", agency: str = "") -> tuple[Figure, Figure]:
        """Return the figure of the compared year and of the report year."""
        return tuple(self.value(indicator, y, area, operator, agency) for y in (self.compare_year, self.year))

    def change_table(self, indicators: Iterable[str]) -> pd.DataFrame:
        """Return one row per indicator: its unit, both years' values, the change and the sources.

        The change of an indicator measured in percent is in ``change_points`` (percentage
        points), and its ``change_percent`` is empty; the other way round for the rest.
        """
        rows = [_indicator_row(self, i) for i in indicators]
        columns = ["indicator", "unit", *CHANGE_COLUMNS, "change_points", *LIKE_FOR_LIKE_COLUMNS, "derived", "sources"]
        return pd.DataFrame(rows, columns=columns)

    def like_for_like(self, indicator: str) -> LikeForLike | None:
        """Return the change among the enterprises (or agencies) of both years, when the reporters changed.

        None when the indicator does not add up (a rate), is not given by enterprise or agency,
        or when the same ones reported both years.

        >>> from pathlib import Path
        >>> from ictanalysis.ingest import clean
        >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
        >>> same = cmp.like_for_like("mobile_subscribers")
        >>> round(same.change_percent, 1), same.newcomers
        (0.9, ('Vietnamobile',))
        """
        if self.indicator(indicator).aggregation != "sum":
            return None
        for dimension in ("operator", "agency"):
            found = _like_for_like(self, indicator, dimension)
            if found is not None:
                return found
        return None

    def districts(self) -> list[str]:
        """Return the codes of the districts (communes) in force in either year; across 2025, the comparable areas."""
        if self._groups:
            return list(self._groups)
        return sorted({a.code for y in (self.compare_year, self.year) for a in self.catalog.subunits(self.province, y, self.year)})

    def by_district(self, indicator: str) -> pd.DataFrame:
        """Return each district's values, change, share of the province and rank (1 = largest).

        A per-enterprise indicator's district value is the sum over the
        enterprises. `rank_change` is positive when a district moved up.

        >>> from pathlib import Path
        >>> from ictanalysis.ingest import clean
        >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
        >>> top = cmp.by_district("mobile_subscribers").iloc[0]
        >>> print(top["area"], top["rank"], round(top["share"], 1))
        582 1 35.6
        """
        rows = [{"area": code, **_change(*self.figures(indicator, area=code))} for code in self.districts()]
        frame = pd.DataFrame(rows, columns=["area", *CHANGE_COLUMNS, "sources"])
        frame.insert(5, "share", _share(frame["value"], self.figures(indicator)[1].value))
        for column, values in (("rank_before", frame["value_before"]), ("rank", frame["value"])):
            frame.insert(len(frame.columns) - 1, column, _rank(values))
        frame.insert(len(frame.columns) - 1, "rank_change", frame["rank_before"] - frame["rank"])
        return frame

    def by_operator(self, indicator: str) -> pd.DataFrame:
        """Return each enterprise's values, change and share of the all-enterprise province total.

        An enterprise absent in one year has NaN there. Largest first.
        """
        rows = [{"operator": op, **_change(*self.figures(indicator, operator=op))} for op in _present(self, indicator, "operator")]
        return _with_shares(self, indicator, pd.DataFrame(rows, columns=["operator", *CHANGE_COLUMNS, "sources"]))

    def by_agency(self, indicator: str) -> pd.DataFrame:
        """Return each agency's values, change and share of the province total (e-government). Largest first."""
        rows = [{"agency": a, **_change(*self.figures(indicator, agency=a))} for a in _present(self, indicator, "agency")]
        return _with_shares(self, indicator, pd.DataFrame(rows, columns=["agency", *CHANGE_COLUMNS, "sources"]))


def _indicator_row(cmp: Comparison, indicator_id: str) -> dict:
    indicator = cmp.indicator(indicator_id)
    before, now = cmp.figures(indicator_id)
    change = _change(before, now)
    # A rate's change is told in percentage points (98,5 % → 100 %: +1,5 points), never as a
    # relative change of the rate (+1,5 %), which a reader would take for the same thing.
    in_points = indicator.unit == "%"
    same = cmp.like_for_like(indicator_id)
    return {
        "indicator": indicator_id,
        "unit": indicator.unit,
        **change,
        "change_percent": math.nan if in_points else change["change_percent"],
        "change_points": change["change"] if in_points else math.nan,
        "like_for_like_percent": same.change_percent if same else math.nan,
        "newcomers": ", ".join(same.newcomers) if same else "",
        "leavers": ", ".join(same.leavers) if same else "",
        "derived": before.derived or now.derived,
    }


def series(cmp: Comparison, indicator: str) -> pd.DataFrame:
    """Return the province's figure of `indicator` in each year of the table up to the report year that gives one.

    Columns ``year``, ``value``, ``sources``; a year without a figure is left out (not NaN).
    """
    years = sorted(y for y in set(cmp.table["year"].astype(int)) if y <= cmp.year)
    figures = [(y, cmp.value(indicator, y)) for y in years]
    rows = [(y, f.value, sources_text(f.sources)) for y, f in figures if f.available]
    return pd.DataFrame(rows, columns=["year", "value", "sources"])


def trend(cmp: Comparison, indicators: Iterable[str]) -> pd.DataFrame:
    """Return one row per indicator with figures in at least :data:`TREND_MIN_YEARS` years up to the report year.

    The first and last years with a figure, their values, the average annual growth between them
    (:func:`annual_growth`, over the years that passed, not the years counted; empty for a rate in %),
    the years with a figure and those of the period without one.
    """
    rows = [_trend_row(cmp, i, series(cmp, i)) for i in indicators]
    return pd.DataFrame([r for r in rows if r], columns=TREND_COLUMNS)


def _trend_row(cmp: Comparison, indicator_id: str, series: pd.DataFrame) -> dict | None:
    if len(series) < TREND_MIN_YEARS:
        return None
    years = [int(y) for y in series["year"]]
    first, last = float(series["value"].iloc[0]), float(series["value"].iloc[-1])
    unit = cmp.indicator(indicator_id).unit
    growth = math.nan if unit == "%" else annual_growth(first, last, years[-1] - years[0])
    return {"indicator": indicator_id, "unit": unit, "first_year": years[0], "last_year": years[-1], "first": first,
            "last": last, "growth_percent": growth, "years": tuple(years),
            "missing_years": tuple(y for y in range(years[0], years[-1] + 1) if y not in years),
            "sources": "; ".join(series["sources"])}  # fmt: skip


def _like_for_like(cmp: Comparison, indicator: str, dimension: str) -> LikeForLike | None:
    """Return the like-for-like change over the members of `dimension`, or None when they did not change."""
    reported = {}
    for member in _present(cmp, indicator, dimension):
        figures = cmp.figures(indicator, **{dimension: member})
        reported[member] = tuple(f.value if f.available else None for f in figures)
    both = tuple(m for m, (before, now) in reported.items() if before is not None and now is not None)
    newcomers = tuple(m for m, (before, now) in reported.items() if before is None and now is not None)
    leavers = tuple(m for m, (before, now) in reported.items() if before is not None and now is None)
    if not both or not (newcomers or leavers):
        return None
    before, now = (sum(reported[m][i] for m in both) for i in (0, 1))
    return LikeForLike(dimension, float(before), float(now), both, newcomers, leavers)


def _earlier(indicator: Indicator, year: int) -> Replacement | None:
    """Return what `indicator` replaces when `year` is before its definition, else None."""
    replaces = indicator.replaces
    return replaces if replaces is not None and year < replaces.since else None


def _under_earlier(cmp: Comparison, replaces: Replacement, year: int, area, operator: str, agency: str) -> Figure:
    """Return the replaced indicator's figure, as a successor's of a year before it: when they compare."""
    figure = cmp.value(replaces.indicator, year, area, operator, agency) if replaces.comparable else MISSING
    if not figure.available:
        return MISSING
    return Figure(figure.value, figure.sources, True, EARLIER_DEFINITION, (replaces.indicator,))


def _present(cmp: Comparison, indicator: str, dimension: str) -> list[str]:
    """Return the enterprises (or agencies) with a row of `indicator`, of its parts or of what it replaces, either year."""
    replaces = cmp.indicator(indicator).replaces
    ids = {indicator, *cmp.indicator(indicator).parts, *([replaces.indicator] if replaces and replaces.comparable else [])}
    rows = cmp.table[cmp.table["indicator"].isin(ids) & cmp.table["year"].isin([cmp.year, cmp.compare_year])]
    return sorted(set(rows[dimension]) - {""})

def _with_shares(cmp: Comparison, indicator: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the shares of the province totals of both years; sort largest first."""
    before, now = cmp.figures(indicator)
    frame.insert(len(frame.columns) - 1, "share_before", _share(frame["value_before"], before.value))
    frame.insert(len(frame.columns) - 1, "share", _share(frame["value"], now.value))
    ordered = frame.sort_values(["value", "value_before"], ascending=False, na_position="last", kind="stable")
    return ordered.reset_index(drop=True)


def _penetration_row(cmp: Comparison, indicator: str, code: str) -> dict:
    row: dict = {"area": code}
    sources: list[str] = []
    for suffix, year in (("_before", cmp.compare_year), ("", cmp.year)):
        subscribers, population = cmp.value(indicator, year, code), cmp.value("population", year, code)
        row[f"subscribers{suffix}"], row[f"population{suffix}"] = subscribers.value, population.value
        row[f"per_100{suffix}"] = _per_100(subscribers.value, population.value)
        sources += [*subscribers.sources, *population.sources]
    row["change"] = row["per_100"] - row["per_100_before"]
    row["sources"] = sources_text(sources)
    return row


def _department_indicators(cmp: Comparison) -> list[str]:
    present = set(cmp.table.loc[cmp.table["year"].isin([cmp.compare_year, cmp.year]), "indicator"])
    wanted = [i for i in cmp.catalog.indicators.values() if i.source == "department"]
    return [i.id for i in wanted if i.id in present or present & set(i.parts)]

def _appendix_row(cmp: Comparison, indicator_id: str, year: int) -> dict:
    figure = cmp.value(indicator_id, year)
    return {"indicator": indicator_id, "year": year, "value": figure.value, "unit": cmp.indicator(indicator_id).unit,
            "derived": figure.derived, "how": figure.how, "sources": sources_text(figure.sources)}  # fmt: skip


def comparable_areas(catalog: Catalog, pair: YearPair) -> dict[str, dict[int, tuple[str, ...]]]:
    """Return the comparable areas of a pair whose years have districts in one and communes in the other.

    By key ("~569"), the units each covers in each year: its former districts, then its new communes.
    """
    from ictanalysis.catalog import gazetteer

    years = (pair.compare_year, pair.year)
    if len({catalog.sublevel(y) for y in years}) == 1:
        return {}
    groups = gazetteer.comparable_groups(pair.province)
    return {"~" + "+".join(g.districts): {y: g.districts if catalog.sublevel(y) == "district" else g.communes
                                          for y in years} for g in groups}  # fmt: skip


def compare(
    table: pd.DataFrame, year: int, compare_year: int, province: str = DEFAULTS.province, catalog: Catalog | None = None
) -> Comparison:
    """Return the comparison of `year` with `compare_year` for `province`.

    Raises:
        YearError: when either year is not in the table, or both are the same.
        UsageError: the province is a former one in the report year (58 in 2025).
    """
    pair = choose_years(table["year"].astype(int).tolist(), year, compare_year, province)
    catalog = catalog or load_catalog()
    catalog.check_report_province(province, pair.year)
    return Comparison(table, catalog, pair)


def _change(before: Figure, now: Figure) -> dict:
    """Return both values, the change, the change in percent and the sources of both."""
    return {
        "value_before": before.value,
        "value": now.value,
        "change": now.value - before.value,
        "change_percent": percent_change(before.value, now.value),
        "sources": sources_text(before.sources + now.sources),
    }


def _share(values: pd.Series, total: float) -> pd.Series:
    if math.isnan(total) or total == 0:
        return pd.Series(np.nan, index=values.index)
    return values / total * 100


def _rank(values: pd.Series) -> pd.Series:
    """Rank largest first (1), ties sharing the better rank; NaN stays unranked."""
    return values.rank(ascending=False, method="min").astype("Int64")


def _per_100(subscribers: float, population: float) -> float:
    return math.nan if not population or math.isnan(population) else subscribers / population * 100
