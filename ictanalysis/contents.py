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
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ictanalysis.catalog import CATALOG_DIR, CatalogError, StrictModel, load_catalog, read_yaml

__all__ = ["SENTENCES", "Chart", "Contents", "Section", "Table", "load_contents"]

TableKind = Literal["change", "operator", "district", "penetration", "source"]
#: The sets of sentences ictanalysis.narrative writes, by the name a section gives.
SENTENCES = ("headline", "postal", "telecom", "egov", "admin", "notes")


class Table(StrictModel):
    """A table of the report: its kind and what it is about."""

    kind: TableKind
    indicator: str | None = None  #: for every kind but change and source
    indicators: tuple[str, ...] | Literal["headline"] = ()  #: for a change table
    caption: bool = False  #: shows ``report.<name>`` above the table
    sources: bool = True  #: lists the source cells of its figures below it


class Chart(StrictModel):
    """A chart of the report: its kind and the table or indicator it draws."""

    kind: Literal["change_bars", "operator_shares", "district_bars", "agency_bars"]
    table: str | None = None  #: for change_bars: a change table
    indicator: str | None = None  #: for the other kinds


class Section(StrictModel):
    """A section: its heading (``section.<id>``), its sentences, then its tables and charts in order."""

    id: str
    level: int = Field(default=2, ge=2, le=4)
    sentences: str | None = None
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
            elif chart.kind != "change_bars" and not chart.indicator:
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
        named = {*self.headline, *(c.indicator for c in self.charts.values() if c.indicator)}
        for table in self.tables.values():
            named |= {table.indicator} if table.indicator else set()
            named |= set(table.indicators) if table.indicators != "headline" else set()
        return named

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
    unknown = sorted(contents.indicators() - set(load_catalog().indicators))
    if unknown:
        raise CatalogError(f"{path}: unknown indicators {', '.join(unknown)} (not in catalog/indicators.yaml)")
    return contents
