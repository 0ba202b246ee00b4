"""What the report shows, declared once as data: its sections, tables and charts, and what the email carries.

``catalog/report.yaml`` is the declaration; this module validates it (unknown
keys rejected, every table, chart, indicator and sentence set it names must
exist) so that a chart missing from the declaration is an error at load time,
never a chart silently left out.

Example:
    >>> shown = load_contents()
    >>> shown.headline[:2], shown.charts["mobile_share"].indicator
    (('online_services_level4', 'videoconference_endpoints'), 'mobile_subscribers')
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ictanalysis.catalog import CATALOG_DIR, Catalog, CatalogError, StrictModel, load_catalog, read_yaml

__all__ = ["SENTENCES", "Chart", "Contents", "Holding", "Notation", "Section", "Table", "held", "load_contents"]

TableKind = Literal["change", "operator", "district", "penetration", "source"]
Domain = Literal["postal", "telecom", "internet", "egov", "admin", "population"]
#: The sets of sentences ictanalysis.narrative writes, by the name a section gives.
SENTENCES = ("headline", "postal", "telecom", "egov", "admin", "trend", "declined", "notes")


class Notation(StrictModel):
    """How the tables write each figure: one number of decimals per indicator, the same in a whole column.

    An indicator's decimals are its own (``indicators``), else its unit's (``units``), else ``decimals``;
    the columns a table derives (shares, subscriptions per 100 inhabitants) have theirs (``columns``).
    Amounts in the ``money`` unit are written in tỷ or triệu đồng, as the sentences write them.

    >>> from ictanalysis.catalog import load_catalog
    >>> notation, indicators = load_contents().notation, load_catalog().indicators
    >>> notation.decimals_of(indicators["telecom_revenue"]), notation.decimals_of(indicators["mobile_subscribers"])
    (1, 0)
    """

    decimals: int = Field(ge=0, le=3)
    units: dict[str, int] = {}
    indicators: dict[str, int] = {}
    columns: dict[str, int] = {}
    money: str

    def decimals_of(self, indicator) -> int:
        """Return the decimals of an indicator's figures (a :class:`~ictanalysis.catalog.Indicator`)."""
        return self.indicators.get(indicator.id, self.units.get(indicator.unit, self.decimals))


class Table(StrictModel):
    """A table of the report: its kind and what it is about."""

    kind: TableKind
    indicator: str | None = None  #: for every kind but change and source
    indicators: tuple[str, ...] | Literal["headline"] = ()  #: for a change table
    caption: bool = False  #: shows ``report.<name>`` above the table
    sources: bool = True  #: lists the source cells of its figures below it


class Chart(StrictModel):
    """A chart of the report: its kind and the table or indicator it draws."""

    kind: Literal["change_bars", "operator_shares", "district_bars", "agency_bars", "trend_lines"]
    table: str | None = None  #: for change_bars: a change table
    indicator: str | None = None  #: for operator_shares, district_bars and agency_bars
    #: for trend_lines: the series drawn over the years; ``headline`` among them stands for the headline's
    indicators: tuple[str, ...] = ()


class Section(StrictModel):
    """A section: its heading (``section.<id>``), its sentences, then its tables and charts in order."""

    id: str
    level: int = Field(default=2, ge=2, le=4)
    #: what the section is about: when the pair holds none of them in a year, a sentence says so instead
    domains: tuple[Domain, ...] = ()
    sentences: str | None = None
    #: the indicators its sentences speak of beyond its tables and charts (they count as compared)
    indicators: tuple[str, ...] = ()
    style: Literal["headline", "note"] | None = None
    show: tuple[dict[Literal["table", "chart"], str], ...] = ()


class Email(StrictModel):
    """What the email carries: its sentences, one table and the charts, in order."""

    sentences: str
    table: str
    charts: tuple[str, ...]


class Contents(StrictModel):
    """The whole declaration (``catalog/report.yaml``)."""

    headline: tuple[str, ...]
    columns: dict[TableKind, tuple[str, ...]]
    tables: dict[str, Table]
    charts: dict[str, Chart]
    sections: tuple[Section, ...]
    email: Email
    notation: Notation

    @model_validator(mode="after")
    def _names_exist(self) -> Contents:
        problems = [*self._table_problems(), *self._chart_problems(), *self._section_problems()]
        problems += [f"email: unknown chart {c!r}" for c in self.email.charts if c not in self.charts]
        if self.email.table not in self.tables:
            problems.append(f"email: unknown table {self.email.table!r}")
        if self.email.sentences not in SENTENCES:
            problems.append(f"email: unknown sentences {self.email.sentences!r}; known: {', '.join(SENTENCES)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _table_problems(self) -> list[str]:
        problems = [f"columns: no column list for table kind {kind!r}" for kind in {t.kind for t in self.tables.values()}
                    if kind not in self.columns]  # fmt: skip
        for name, table in self.tables.items():
            if table.kind not in ("change", "source") and not table.indicator:
                problems.append(f"table {name}: a {table.kind} table needs an `indicator`")
            if table.kind == "change" and not table.indicators:
                problems.append(f"table {name}: a change table needs `indicators` (a list, or headline)")
        return problems

    def _chart_problems(self) -> list[str]:
        problems = []
        for name, chart in self.charts.items():
            if chart.kind == "change_bars" and (chart.table not in self.tables or self.tables[chart.table].kind != "change"):
                problems.append(f"chart {name}: change_bars needs the `table` of a change table")
            elif chart.kind == "trend_lines" and not chart.indicators:
                problems.append(f"chart {name}: a trend_lines chart needs `indicators` (headline stands for its list)")
            elif chart.kind not in ("change_bars", "trend_lines") and not chart.indicator:
                problems.append(f"chart {name}: a {chart.kind} chart needs an `indicator`")
        return problems

    def _section_problems(self) -> list[str]:
        problems = [f"section {s.id}: unknown sentences {s.sentences!r}; known: {', '.join(SENTENCES)}"
                    for s in self.sections if s.sentences and s.sentences not in SENTENCES]  # fmt: skip
        for section in self.sections:
            for item in section.show:
                for kind, name in item.items():
                    if name not in (self.tables if kind == "table" else self.charts):
                        problems.append(f"section {section.id}: unknown {kind} {name!r}")
        return problems

    def indicators(self) -> set[str]:
        """Return every indicator the declaration names."""
        return self.compared() | {i for name in self.charts for i in self.trend_indicators(name)}

    def compared(self) -> set[str]:
        """Return the indicators the report compares between the two years: its tables' and bar charts'.

        A penetration table compares the population too. Not the trend's series, drawn over all years.
        """
        named = {*self.headline, *(c.indicator for c in self.charts.values() if c.indicator)}
        named |= {i for section in self.sections for i in section.indicators}
        for table in self.tables.values():
            named |= {table.indicator} if table.indicator else set()
            named |= set(table.indicators) if table.indicators != "headline" else set()
            named |= {"population"} if table.kind == "penetration" else set()
        return named

    def trend_indicators(self, name: str) -> tuple[str, ...]:
        """Return the series of the trend chart `name`, ``headline`` replaced by the headline's indicators."""
        named = [i for entry in self.charts[name].indicators for i in (self.headline if entry == "headline" else (entry,))]
        return tuple(dict.fromkeys(named))

    def table_indicators(self, name: str) -> tuple[str, ...]:
        """Return the indicators of the change table `name` (the headline's when it says so)."""
        indicators = self.tables[name].indicators
        return self.headline if indicators == "headline" else indicators

    def section(self, section_id: str) -> Section:
        """Return the section `section_id` (KeyError naming the sections there are)."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"no section {section_id!r} in the report's contents; there are {[s.id for s in self.sections]}")


@functools.cache
def load_contents(path: Path = CATALOG_DIR / "report.yaml") -> Contents:
    """Load and check the report's contents (cached per path).

    Raises:
        CatalogError: a key is unknown or missing, or a name refers to nothing (an indicator of the catalog,
            a table, a chart or a set of sentences).
    """
    contents = read_yaml(Path(path), Contents)
    catalog = load_catalog()
    unknown = sorted((contents.indicators() | set(contents.notation.indicators)) - set(catalog.indicators))
    if unknown:
        raise CatalogError(f"{path}: unknown indicators {', '.join(unknown)} (not in catalog/indicators.yaml)")
    units = sorted({*contents.notation.units, contents.notation.money} - set(catalog.units))
    if units:
        raise CatalogError(f"{path}: notation: unknown units {', '.join(units)} (not in catalog/units.yaml)")
    return contents


@dataclass(frozen=True)
class Holding:
    """What a pair of years holds of what the report compares (:meth:`Contents.compared`), year by year.

    Attributes:
        years: the compared year, then the report year.
        indicators: by year, the compared indicators with a figure of the province or its districts
            (its own rows or its parts').
        others: by year, the indicators held that the report does not compare (the statistics office's series).
    """

    years: tuple[int, int]
    indicators: dict[int, frozenset[str]]
    others: dict[int, frozenset[str]]
    catalog: Catalog

    def comparable(self) -> set[str]:
        """Return the compared indicators held in both years."""
        return set(self.indicators[self.years[0]] & self.indicators[self.years[1]])

    def domains(self, year: int | None = None) -> set[str]:
        """Return the domains the department's figures hold in `year` (in either year by default).

        The statistics office's series (``source: gso``) have a section of their own: a yearbook
        figure does not make a year hold the department's telecom or postal work.
        """
        years = self.years if year is None else (year,)
        indicators = self.catalog.indicators
        return {indicators[i].domain for y in years for i in self.indicators[y] if indicators[i].source != "gso"}

    def lacking(self, domains: Iterable[str]) -> list[int]:
        """Return the years (compared year first) that hold none of `domains`; none for no domain."""
        wanted = set(domains)
        return [y for y in self.years if wanted and not wanted & self.domains(y)]

    def shows(self, indicators: Iterable[str]) -> bool:
        """Tell whether either year holds one of `indicators`."""
        return bool(set(indicators) & (self.indicators[self.years[0]] | self.indicators[self.years[1]]))


def held(table, catalog: Catalog, province: str, years: tuple[int, int], contents: Contents | None = None) -> Holding:
    """Return what the tidy `table` holds, for `province` and the pair `years`, of what the report compares.

    `years` is (compared year, report year). Only rows of the province and its districts count (its
    ground in each year, and the units below it: communes from 2025); an indicator is held in a year
    when it has a row, or one of its parts has.
    """
    compared = (contents or load_contents()).compared()
    areas = {province, *(a.code for a in catalog.districts(province))}
    as_of = years[-1]  # the province as of the report year
    areas |= {code for y in years
              for code in (*catalog.territory(province, y, as_of), *(a.code for a in catalog.subunits(province, y, as_of)))}
    rows = table[table["area"].isin(areas)]
    held_by_year, others = {}, {}
    for year in years:
        present = set(rows.loc[rows["year"] == year, "indicator"])
        held_by_year[year] = frozenset(i for i in compared if i in present or present & set(catalog.indicator(i).parts))
        parts = {p for i in compared for p in catalog.indicator(i).parts}
        others[year] = frozenset(present - compared - parts)
    return Holding(tuple(years), held_by_year, others, catalog)
