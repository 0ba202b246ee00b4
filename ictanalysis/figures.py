"""Each figure of the tidy table by key: read from its cell, or summed from its parts, with its source cells.

:class:`Figures` answers "what is indicator X for area A, enterprise E,
agency G in year Y?" with a :class:`Figure`: the value read from the one row
that gives it, or, when no row does, the sum the catalog allows (the
enterprises' rows, the agencies' rows, the indicator's parts, the districts
or communes), with every cell it was read from. A figure no row and no sum
gives is NaN, never an error. Nothing here knows about languages or pages.

The province is the one of the latest map: in a year when its ground was
several provinces (the new Khánh Hòa, 56, was Khánh Hòa and Ninh Thuận until
2025), its figure is the sum of theirs, each read or derived as above, with
the cells of both (``sum of former provinces``); a figure that does not add up
(a rate) is then not available. An area code names the unit of that year's
map (56 in 2024 is the former Khánh Hòa).

Example:
    >>> from pathlib import Path
    >>> from ictanalysis.catalog import load_catalog
    >>> from ictanalysis.ingest import clean
    >>> figures = Figures(clean(Path("data/raw"), out_dir=None).table, load_catalog(), "58")
    >>> figures.value("online_services_level4", 2020).value
    555.0
    >>> before = figures.value("mobile_subscribers", 2019)
    >>> before.derived, before.how, before.parts
    (True, 'sum of parts', ('mobile_prepaid_subscribers', 'mobile_postpaid_subscribers'))
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ictanalysis.catalog import Catalog, Indicator
from ictanalysis.tidy import KEY, SOURCE, SOURCE_SEPARATOR

__all__ = ["MISSING", "SEPARATOR", "Figure", "Figures", "percent_change", "sources_text"]

SEPARATOR = SOURCE_SEPARATOR

_Key = tuple[int, str, str, str, str]  # year, indicator, area, operator, agency
_CELL = re.compile(r"([A-Za-z]+)(\d+)")


@dataclass(frozen=True)
class Figure:
    """One number of the report and where it came from.

    Attributes:
        value: the number, NaN when the table cannot give it.
        sources: every cell it was read or summed from, "file › sheet › cell".
        derived: False when read from one cell, True when summed.
        how: "cell", "sum of enterprises", "sum of agencies", "sum of parts",
            "sum of districts", "sum of communes", "sum of former provinces", "sum of the
            comparable area" or "not available".
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
    """Join source cells into one line: the sheets in order of appearance, the cells of one sheet together.

    A sheet's cells are in sheet order, by column (A … Z, AA …) then by row, as a reader
    finds them: H15, D15, F15 is written D15, F15, H15.

    >>> sources_text(["a.xlsx › TB › H15", "a.xlsx › TB › D15", "b.csv › b › C12", "a.xlsx › TB › F15"])
    'a.xlsx › TB › D15, F15, H15; b.csv › b › C12'
    >>> sources_text(["a › S › AA2", "a › S › B10", "a › S › B9", "a › S › B10"])
    'a › S › B9, B10, AA2'
    """
    sheets: dict[str, list[str]] = {}
    for source in sources:
        sheet, _, cell = source.rpartition(SEPARATOR)
        cells = sheets.setdefault(sheet, [])
        if cell not in cells:
            cells.append(cell)
    return "; ".join(f"{sheet}{SEPARATOR}{', '.join(sorted(cells, key=_cell_order))}" for sheet, cells in sheets.items())


def _cell_order(cell: str) -> tuple:
    """Return the sort key of a cell name in sheet order: its column (shorter letters first), then its row.

    A name that is not letters then digits sorts after the cells, as written.

    >>> sorted(["H15", "AA1", "D15", "D9", "x"], key=_cell_order)
    ['D9', 'D15', 'H15', 'AA1', 'x']
    """
    match = _CELL.fullmatch(cell)
    if match is None:
        return (1, 0, "", 0, cell)
    letters, row = match.groups()
    return (0, len(letters), letters.upper(), int(row), cell)


class Figures:
    """The figures of a tidy table for one province, each read or derived once and cached."""

    def __init__(self, table, catalog: Catalog, province: str, as_of: int | None = None) -> None:
        self.catalog, self.province, self.as_of = catalog, province, as_of  #: the province as of a report's year
        self._rows, self._members = _index(table)
        self._cache: dict[_Key, Figure] = {}

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
        only when every part or district is there). NaN when none works. The
        province's figure in a year when it was several is the sum of theirs.
        """
        self.indicator(indicator)
        year = int(year)
        if area is None or area == self.province:
            ground = self.catalog.territory(self.province, year, self.as_of)
            if len(ground) > 1:
                if not self.indicator(indicator).adds_across_merger:
                    return MISSING  # the former provinces' figures do not make the merged one's
                return self.summed(indicator, year, ground, "sum of former provinces", operator, agency)
            area = self.province
        return self._figure((year, indicator, area, operator, agency))

    def of_unit(self, indicator: str, year: int, area: str, operator: str = "", agency: str = "") -> Figure:
        """Return the figure of the unit `area` of `year`'s map as it is: 56 in 2024 is the former Khánh Hòa alone."""
        self.indicator(indicator)
        return self._figure((int(year), indicator, area, operator, agency))

    def summed(self, indicator: str, year: int, areas: Iterable[str], how: str, operator: str = "",
               agency: str = "") -> Figure:  # fmt: skip
        """Return the sum of the figures of `areas` (units of `year`'s map), when the indicator adds up and all are given.

        >>> from pathlib import Path
        >>> from ictanalysis.catalog import load_catalog
        >>> from ictanalysis.ingest import clean
        >>> figures = Figures(clean(Path("data/raw"), out_dir=None).table, load_catalog(), "58")
        >>> figures.summed("fixed_broadband_subscribers", 2020, ["582", "584"], "two districts").value
        34863.0
        """
        areas = tuple(areas)
        if not self._additive(indicator):
            return MISSING
        figures = [self._figure((int(year), indicator, code, operator, agency)) for code in areas]
        if not areas or not all(f.available for f in figures):
            return MISSING
        return _summed(figures, how, areas)

    def _figure(self, key: _Key) -> Figure:
        if key not in self._cache:
            self._cache[key] = self._resolve(key)
        return self._cache[key]

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
        figures = [self._figure((year, p, area, operator, agency)) for p in parts]
        if not parts or not all(f.available for f in figures):
            return None
        return _summed(figures, "sum of parts", parts)

    def _sum_of_districts(self, key: _Key) -> Figure | None:
        """Sum the districts (communes from 2025) of an additive province figure, when every one is given.

        Any province of the report's ground in that year: the former Ninh Thuận's 2024 figure is its districts'.
        """
        year, indicator, area, operator, agency = key
        if area not in self.catalog.territory(self.province, year, self.as_of) or not self._additive(indicator):
            return None
        below = self.catalog.children(area, year)
        figures = [self._figure((year, indicator, a.code, operator, agency)) for a in below]
        if not below or not all(f.available for f in figures):
            return None
        how = "sum of communes" if below[0].level == "commune" else "sum of districts"
        return _summed(figures, how, tuple(a.code for a in below))


def _index(table) -> tuple[dict[_Key, tuple[float, str]], dict[tuple, list[str]]]:
    """Index the rows by key, and list each figure's enterprises and agencies."""
    rows: dict[_Key, tuple[float, str]] = {}
    members: dict[tuple, list[str]] = {}
    columns = [*KEY, "value", *SOURCE]
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
