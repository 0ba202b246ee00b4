"""Year-on-year comparisons computed from the tidy table, each number traceable to its cells.

:func:`compare` wraps the tidy table, the catalog and a pair of years in a
:class:`Comparison`. :meth:`Comparison.value` returns one :class:`Figure`: a
value read from one cell, or derived when the table has no such row (the sum
of the enterprises' rows, of the indicator's parts, or of the districts).
The other methods return DataFrames for the report (headline indicators, by
district, by enterprise, by agency, per-100 penetration); every one of them
has a ``sources`` column listing each cell its numbers came from, as
``file › sheet › cells; …``.

Nothing is typed in: the statistics office's ``gso_*`` series are never
mixed with the department's, and a figure that is missing in a year is NaN,
never an error.

Example:
    >>> from pathlib import Path
    >>> from ictanalysis.ingest import clean
    >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
    >>> cmp.value("online_services_level4", 2020).value
    555.0
    >>> before = cmp.value("mobile_subscribers", 2019)
    >>> before.derived, before.how, before.parts
    (True, 'sum of parts', ('mobile_prepaid_subscribers', 'mobile_postpaid_subscribers'))
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ictanalysis.catalog import Catalog, Indicator, load_catalog
from ictanalysis.years import YearPair, choose_years

__all__ = ["HEADLINE", "Comparison", "Figure", "compare", "percent_change", "sources_text"]

# The indicators the report opens with, in this order.
HEADLINE = (
    "online_services_level4",
    "videoconference_endpoints",
    "mobile_subscribers",
    "fixed_telephone_subscribers",
    "fixed_broadband_subscribers",
    "mobile_broadband_subscribers",
    "bts_stations",
    "bts_4g_stations",
    "coverage_4g_population",
    "telecom_revenue",
    "postal_service_points",
    "postal_items",
    "postal_revenue",
)

SEPARATOR = " › "
CHANGE_COLUMNS = ["value_before", "value", "change", "change_percent"]

_Key = tuple[int, str, str, str, str]  # year, indicator, area, operator, agency


@dataclass(frozen=True)
class Figure:
    """One number of the report and where it came from.

    Attributes:
        value: the number, NaN when the table cannot give it.
        sources: every cell it was read or summed from, "file › sheet › cell".
        derived: False when read from one cell, True when summed.
        how: "cell", "sum of enterprises", "sum of agencies", "sum of parts",
            "sum of districts" or "not available".
        parts: what was summed (enterprises, agencies, indicator ids or area codes).
    """

    value: float
    sources: tuple[str, ...] = ()
    derived: bool = False
    how: str = "cell"
    parts: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """Tell whether the table gives this figure."""
        return not math.isnan(self.value)


MISSING = Figure(math.nan, how="not available")


def percent_change(before: float, now: float) -> float:
    """Return the change from `before` to `now` in percent, NaN when `before` is 0 or missing.

    >>> percent_change(12, 47), percent_change(0, 5), percent_change(100, 100)
    (291.66666666666663, nan, 0.0)
    """
    if math.isnan(before) or math.isnan(now) or before == 0:
        return math.nan
    return (now / before - 1) * 100


def sources_text(sources: Iterable[str]) -> str:
    """Join source cells into one line, the cells of one sheet together, in order of appearance.

    >>> sources_text(["a.xlsx › TB › D15", "a.xlsx › TB › F15", "b.csv › b › C12"])
    'a.xlsx › TB › D15, F15; b.csv › b › C12'
    """
    sheets: dict[str, list[str]] = {}
    for source in sources:
        sheet, _, cell = source.rpartition(SEPARATOR)
        cells = sheets.setdefault(sheet, [])
        if cell not in cells:
            cells.append(cell)
    return "; ".join(f"{sheet}{SEPARATOR}{', '.join(cells)}" for sheet, cells in sheets.items())


@dataclass
class Comparison:
    """The tidy table, the catalog and the two years a report compares.

    Build it with :func:`compare`. Every method reads the table only; the
    figures are cached per (year, indicator, area, operator, agency).
    """

    table: pd.DataFrame
    catalog: Catalog
    pair: YearPair
    _rows: dict[_Key, tuple[float, str]] = field(init=False, repr=False)
    _members: dict[tuple, list[str]] = field(init=False, repr=False)
    _cache: dict[_Key, Figure] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._rows, self._members = _index(self.table)

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

    @property
    def province_name(self) -> str:
        """Return the province's official name, "Tỉnh Ninh Thuận"."""
        return self.catalog.areas[self.province].full_name

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the catalog's indicator, with a clear KeyError when it is unknown."""
        try:
            return self.catalog.indicator(indicator_id)
        except KeyError:
            raise KeyError(f"unknown indicator {indicator_id!r}: not in the catalog") from None

    def value(self, indicator: str, year: int, area: str | None = None, operator: str = "", agency: str = "") -> Figure:
        """Return one figure: the province's by default, for all enterprises and agencies.

        Read from the table's row when there is one; otherwise derived, in this
        order: the sum of the enterprises' rows, of the agencies' rows, of the
        indicator's parts, or of the districts (additive indicators only, and
        only when every part or district is there). NaN when none works.
        """
        self.indicator(indicator)
        return self._figure((int(year), indicator, self.province if area is None else area, operator, agency))

    def _figure(self, key: _Key) -> Figure:
        if key not in self._cache:
            self._cache[key] = self._resolve(key)
        return self._cache[key]

    def figures(
        self, indicator: str, area: str | None = None, operator: str = "", agency: str = ""
    ) -> tuple[Figure, Figure]:
        """Return the figure of the compared year and of the report year."""
        return tuple(self.value(indicator, y, area, operator, agency) for y in (self.compare_year, self.year))

    def _resolve(self, key: _Key) -> Figure:
        if key in self._rows:
            value, source = self._rows[key]
            return Figure(value, (source,))
        for derive in (self._sum_of_members, self._sum_of_parts, self._sum_of_districts):
            figure = derive(key)
            if figure is not None:
                return figure
        return MISSING

    def _additive(self, indicator: str) -> bool:
        return self.indicator(indicator).aggregation == "sum"

    def _sum_of_members(self, key: _Key) -> Figure | None:
        """Sum the enterprises' (or agencies') rows of an all-enterprise figure."""
        year, indicator, area, operator, agency = key
        if operator or agency or not self._additive(indicator):
            return None
        for dimension, how in (("operator", "sum of enterprises"), ("agency", "sum of agencies")):
            members = self._members.get((year, indicator, area, dimension), [])
            if members:
                keys = [_member_key(key, dimension, m) for m in members]
                return _summed([self._figure(k) for k in keys], how, tuple(members))
        return None

    def _sum_of_parts(self, key: _Key) -> Figure | None:
        """Sum the parts (prepaid + postpaid), when every part is given."""
        year, indicator, area, operator, agency = key
        parts = self.indicator(indicator).parts
        figures = [self.value(p, year, area, operator, agency) for p in parts]
        if not parts or not all(f.available for f in figures):
            return None
        return _summed(figures, "sum of parts", parts)

    def _sum_of_districts(self, key: _Key) -> Figure | None:
        """Sum the districts of an additive province figure, when every district is given."""
        year, indicator, area, operator, agency = key
        if area != self.province or not self._additive(indicator):
            return None
        codes = tuple(a.code for a in self.catalog.districts(self.province, year))
        figures = [self.value(indicator, year, code, operator, agency) for code in codes]
        if not codes or not all(f.available for f in figures):
            return None
        return _summed(figures, "sum of districts", codes)

    def change_table(self, indicators: Iterable[str], language: str = "vi") -> pd.DataFrame:
        """Return one row per indicator: name, unit, both years' values, change and sources.

        The change of an indicator measured in percent is in ``change_points`` (percentage
        points), and its ``change_percent`` is empty; the other way round for the rest.

        >>> from pathlib import Path
        >>> from ictanalysis.ingest import clean
        >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
        >>> row = cmp.change_table(["videoconference_endpoints"]).iloc[0]
        >>> row["name"], row[["value_before", "value", "change"]].astype(float).tolist()
        ('Điểm cầu hội nghị truyền hình trực tuyến', [12.0, 47.0, 35.0])
        """
        rows = [self._indicator_row(i, language) for i in indicators]
        columns = ["indicator", "name", "unit", *CHANGE_COLUMNS, "change_points", "derived", "sources"]
        return pd.DataFrame(rows, columns=columns)

    def _indicator_row(self, indicator_id: str, language: str) -> dict:
        indicator = self.indicator(indicator_id)
        before, now = self.figures(indicator_id)
        change = _change(before, now)
        # A rate's change is told in percentage points (98,5 % → 100 %: +1,5 points), never as a
        # relative change of the rate (+1,5 %), which a reader would take for the same thing.
        in_points = indicator.unit == "%"
        return {
            "indicator": indicator_id,
            "name": indicator.name_vi if language == "vi" else indicator.name_en,
            "unit": self._unit(indicator, language),
            **change,
            "change_percent": math.nan if in_points else change["change_percent"],
            "change_points": change["change"] if in_points else math.nan,
            "derived": before.derived or now.derived,
        }

    def headline(self, language: str = "vi") -> pd.DataFrame:
        """Return the change table of the headline indicators (:data:`HEADLINE`)."""
        return self.change_table(HEADLINE, language)

    def districts(self) -> list[str]:
        """Return the codes of the districts in force in either year, in code order."""
        codes = {a.code for y in (self.compare_year, self.year) for a in self.catalog.districts(self.province, y)}
        return sorted(codes)

    def area_name(self, code: str, language: str = "vi") -> str:
        """Return an area's short name: "Bác Ái" (vi) or "Bac Ai" (en)."""
        area = self.catalog.areas[code]
        return area.name if language == "vi" else area.name_en

    def by_district(self, indicator: str, language: str = "vi") -> pd.DataFrame:
        """Return each district's values, change, share of the province and rank (1 = largest).

        A per-enterprise indicator's district value is the sum over the
        enterprises. `rank_change` is positive when a district moved up.

        >>> from pathlib import Path
        >>> from ictanalysis.ingest import clean
        >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
        >>> top = cmp.by_district("mobile_subscribers").iloc[0]
        >>> print(top["name"], top["rank"], round(top["share"], 1))
        Phan Rang-Tháp Chàm 1 35.6
        """
        rows = [self._area_row(indicator, code, language) for code in self.districts()]
        frame = pd.DataFrame(rows, columns=["area", "name", *CHANGE_COLUMNS, "sources"])
        province = self.figures(indicator)
        frame.insert(6, "share", _share(frame["value"], province[1].value))
        for column, values in (("rank_before", frame["value_before"]), ("rank", frame["value"])):
            frame.insert(len(frame.columns) - 1, column, _rank(values))
        frame.insert(len(frame.columns) - 1, "rank_change", frame["rank_before"] - frame["rank"])
        return frame

    def _area_row(self, indicator: str, code: str, language: str) -> dict:
        before, now = self.figures(indicator, area=code)
        return {"area": code, "name": self.area_name(code, language), **_change(before, now)}

    def by_operator(self, indicator: str) -> pd.DataFrame:
        """Return each enterprise's values, change and share of the all-enterprise province total.

        An enterprise absent in one year has NaN there. Largest first.
        """
        operators = self._present(indicator, "operator")
        rows = [{"operator": op, **self._member_row(indicator, operator=op)} for op in operators]
        return self._with_shares(indicator, pd.DataFrame(rows, columns=["operator", *CHANGE_COLUMNS, "sources"]))

    def by_agency(self, indicator: str, language: str = "vi") -> pd.DataFrame:
        """Return each agency's values, change and share of the province total (e-government)."""
        agencies = self._present(indicator, "agency")
        rows = [
            {"agency": a, "name": self._agency_name(a, language), **self._member_row(indicator, agency=a)}
            for a in agencies
        ]
        frame = pd.DataFrame(rows, columns=["agency", "name", *CHANGE_COLUMNS, "sources"])
        return self._with_shares(indicator, frame)

    def _agency_name(self, agency: str, language: str) -> str:
        known = self.catalog.agencies.get(agency)
        return agency if language == "vi" or known is None else known.name_en

    def _member_row(self, indicator: str, operator: str = "", agency: str = "") -> dict:
        return _change(*self.figures(indicator, operator=operator, agency=agency))

    def _present(self, indicator: str, dimension: str) -> list[str]:
        """Return the enterprises (or agencies) with a row of `indicator` or of its parts, either year."""
        ids = {indicator, *self.indicator(indicator).parts}
        rows = self.table[self.table["indicator"].isin(ids) & self.table["year"].isin([self.year, self.compare_year])]
        return sorted(set(rows[dimension]) - {""})

    def _with_shares(self, indicator: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Add the shares of the province totals of both years; sort largest first."""
        before, now = self.figures(indicator)
        frame.insert(len(frame.columns) - 1, "share_before", _share(frame["value_before"], before.value))
        frame.insert(len(frame.columns) - 1, "share", _share(frame["value"], now.value))
        ordered = frame.sort_values(["value", "value_before"], ascending=False, na_position="last", kind="stable")
        return ordered.reset_index(drop=True)

    def penetration(self, indicator: str = "mobile_subscribers", language: str = "vi") -> pd.DataFrame:
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
        codes = [*self.districts(), self.province]
        rows = [self._penetration_row(indicator, code, language) for code in codes]
        columns = ["area", "name", "subscribers_before", "population_before", "per_100_before",
                   "subscribers", "population", "per_100", "change", "sources"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def _penetration_row(self, indicator: str, code: str, language: str) -> dict:
        row: dict = {"area": code, "name": self.area_name(code, language)}
        sources: list[str] = []
        for suffix, year in (("_before", self.compare_year), ("", self.year)):
            subscribers, population = self.value(indicator, year, code), self.value("population", year, code)
            row[f"subscribers{suffix}"], row[f"population{suffix}"] = subscribers.value, population.value
            row[f"per_100{suffix}"] = _per_100(subscribers.value, population.value)
            sources += [*subscribers.sources, *population.sources]
        row["change"] = row["per_100"] - row["per_100_before"]
        row["sources"] = sources_text(sources)
        return row

    def sources_appendix(self, language: str = "vi", indicators: Iterable[str] | None = None) -> pd.DataFrame:
        """Return one row per province figure and year: name, value, how it was obtained, its cells.

        By default every department indicator (not the statistics office's
        ``gso_*`` series) that the table holds for either year, in catalog order.
        """
        ids = self._department_indicators() if indicators is None else list(indicators)
        rows = [self._appendix_row(i, y, language) for i in ids for y in (self.compare_year, self.year)]
        return pd.DataFrame(rows, columns=["indicator", "name", "year", "value", "unit", "derived", "how", "sources"])

    def _department_indicators(self) -> list[str]:
        present = set(self.table.loc[self.table["year"].isin([self.compare_year, self.year]), "indicator"])
        wanted = [i for i in self.catalog.indicators.values() if i.source == "department"]
        return [i.id for i in wanted if i.id in present or present & set(i.parts)]

    def _appendix_row(self, indicator_id: str, year: int, language: str) -> dict:
        indicator, figure = self.indicator(indicator_id), self.value(indicator_id, year)
        return {
            "indicator": indicator_id, "name": indicator.name_vi if language == "vi" else indicator.name_en,
            "year": year, "value": figure.value, "unit": self._unit(indicator, language),
            "derived": figure.derived, "how": figure.how, "sources": sources_text(figure.sources),
        }  # fmt: skip

    def _unit(self, indicator: Indicator, language: str) -> str:
        return indicator.unit if language == "vi" else self.catalog.units[indicator.unit].name_en

    def sources(self) -> list[str]:
        """Return the files of both years that the table's rows come from, sorted."""
        years = self.table[self.table["year"].isin([self.compare_year, self.year])]
        return sorted(set(years["source_file"]) - {""})


def compare(
    table: pd.DataFrame, year: int, compare_year: int, province: str = "58", catalog: Catalog | None = None
) -> Comparison:
    """Return the comparison of `year` with `compare_year` for `province`.

    Raises:
        YearError: when either year is not in the table, or both are the same.
    """
    pair = choose_years(table["year"].astype(int).tolist(), year, compare_year, province)
    return Comparison(table, catalog or load_catalog(), pair)


def _index(table: pd.DataFrame) -> tuple[dict[_Key, tuple[float, str]], dict[tuple, list[str]]]:
    """Index the rows by key, and list each figure's enterprises and agencies."""
    rows: dict[_Key, tuple[float, str]] = {}
    members: dict[tuple, list[str]] = {}
    columns = ["year", "indicator", "area", "operator", "agency", "value", "source_file", "source_sheet", "source_cell"]
    for year, indicator, area, operator, agency, value, file, sheet, cell in table[columns].itertuples(index=False):
        key = (int(year), indicator, area, operator, agency)
        rows.setdefault(key, (float(value), SEPARATOR.join((file, sheet, cell))))
        for dimension, member, other in (("operator", operator, agency), ("agency", agency, operator)):
            if member and not other:
                members.setdefault((int(year), indicator, area, dimension), []).append(member)
    return rows, {key: sorted(set(names)) for key, names in members.items()}


def _member_key(key: _Key, dimension: str, member: str) -> _Key:
    year, indicator, area, _, _ = key
    return (year, indicator, area, member, "") if dimension == "operator" else (year, indicator, area, "", member)


def _summed(figures: list[Figure], how: str, parts: tuple[str, ...]) -> Figure:
    sources = tuple(s for f in figures for s in f.sources)
    return Figure(float(sum(f.value for f in figures)), sources, True, how, tuple(parts))


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

