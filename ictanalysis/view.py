"""The report as the notebook shows it: its title and sections, built from the declared contents.

:class:`ReportView` joins a :class:`~ictanalysis.compare.Comparison`, the
report's contents (:mod:`ictanalysis.contents`), the words of a language and
the gate's result into the pieces a notebook cell displays: the title, each
section (heading, sentences, tables and charts in their declared order), or
one table or chart by its name. A name the contents do not declare is an
error. When the run has an output folder, every chart's spec is kept in
``<output_dir>/charts/<name>.vl.json`` for the report stage to draw
(:class:`ictanalysis.render.ChartRenderer`); an analyst's interactive run only
sees the charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ictanalysis import chart, narrative, present
from ictanalysis.compare import Comparison
from ictanalysis.contents import Contents, load_contents
from ictanalysis.outputs import ReportFolder
from ictanalysis.words import DEFAULT_LANGUAGE, Words, words

__all__ = ["ReportView", "Shown", "open_report"]


@dataclass(frozen=True)
class Shown:
    """Several outputs shown by one notebook cell, in order (headings, paragraphs, tables, charts)."""

    items: tuple

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for item in self.items:
            display(item)


@dataclass
class ReportView:
    """The pieces of one report: a comparison in one language, with the gate's result and an output folder."""

    cmp: Comparison
    language: str = DEFAULT_LANGUAGE
    quality: dict | None = None  #: the gate's result for the pair (its JSON read back), for the data notes
    output_dir: str = ""  #: where chart specs go; empty in an interactive run
    contents: Contents = field(default_factory=load_contents)

    @property
    def said(self) -> Words:
        """The words of the report's language."""
        return words(self.language)

    def title(self):
        """Return the report's title and its subtitle line."""
        area = self.cmp.catalog.areas[self.cmp.province]
        subtitle = self.said("report.subtitle", province=self.said.area(area), compare_year=self.cmp.compare_year)
        return present.title(self.said("report.title", year=self.cmp.year), subtitle)

    def section(self, section_id: str) -> Shown:
        """Return section `section_id`: its heading, sentences, then its tables and charts in order."""
        section = self.contents.section(section_id)
        items = [present.heading(section.id, self.language, section.level)]
        if section.sentences:
            items.append(present.paragraphs(self.sentences(section.sentences), section.style or ""))
        for item in section.show:
            (kind, name), = item.items()
            items.append(self.table(name) if kind == "table" else self.chart(name))
        return Shown(tuple(items))

    def sentences(self, name: str) -> list[str]:
        """Return the sentences `name` (see :func:`ictanalysis.narrative.sentences`)."""
        return narrative.sentences(name, self.cmp, self.language, self.quality)

    def frame(self, name: str) -> pd.DataFrame:
        """Return the figures of table `name`, named in the report's language."""
        table, cmp = self.contents.tables[name], self.cmp
        if table.kind == "change":
            figures = cmp.change_table(self.contents.table_indicators(name))
        elif table.kind == "source":
            figures = cmp.sources_appendix()
        else:
            figures = {"operator": cmp.by_operator, "district": cmp.by_district,
                       "penetration": cmp.penetration}[table.kind](table.indicator)  # fmt: skip
        return present.named(figures, cmp.catalog, self.language)

    def table(self, name: str):
        """Return table `name` as HTML: its caption, its columns, the source cells of its figures."""
        table = self.contents.tables[name]
        caption = self.said(f"report.{name}") if table.caption else ""
        return present.table(self.frame(name), table.kind, self.contents.columns[table.kind], self.language,
                             caption, table.sources)  # fmt: skip

    def chart(self, name: str) -> chart.ChartDisplay:
        """Return chart `name` for display, keeping its spec in the output folder when there is one."""
        drawn = chart.show(self._draw(name), self.language)
        if self.output_dir:
            from ictanalysis.render import write_spec

            write_spec(drawn.spec, ReportFolder(Path(self.output_dir)).charts, name)
        return drawn

    def _draw(self, name: str):
        spec, cmp, language = self.contents.charts[name], self.cmp, self.language
        title = self.said(f"report.{name}")
        if spec.kind == "change_bars":
            return chart.change_bars(self.frame(spec.table), title, language, cmp.compare_year)
        if spec.kind == "operator_shares":
            return chart.operator_shares(cmp.by_operator(spec.indicator), title, cmp.year, language)
        unit = self.said.unit(cmp.catalog.units[cmp.indicator(spec.indicator).unit])
        if spec.kind == "district_bars":
            frame = present.named(cmp.by_district(spec.indicator), cmp.catalog, language)
            return chart.district_bars(frame, title, unit, cmp.year, cmp.compare_year, language)
        return chart.agency_bars(cmp.by_agency(spec.indicator), title, unit, cmp.year, cmp.compare_year, language)


def open_report(year: int | None = None, compare_year: int | None = None, *, province: str = "", language: str = "",
                data: str = "", quality: str = "", output_dir: str = "") -> ReportView:  # fmt: skip
    """Return the view of a report for the notebook: what is given here, the rest from the project's settings.

    Without years, the latest year of the tidy table against the year before; an
    empty text takes the setting of the project's ``ictanalysis.toml`` (the nearest
    one above the working folder), or the package's default. The gate's result
    is read from the pair's ``quality/<year>-vs-<compare year>.json`` in the report
    year's folder unless `quality` names one; a result for another table than
    the one read counts as none.

    Raises:
        YearError, UsageError: a year the table does not hold, a language without words.
    """
    from ictanalysis.compare import compare
    from ictanalysis.quality import read_quality
    from ictanalysis.settings import DEFAULTS, load_settings
    from ictanalysis.tidy import fingerprint, read_indicators
    from ictanalysis.words import check_language

    settings = DEFAULTS if province and language and data else load_settings()
    settings = settings.replace(province=province or None, language=language or None, data=Path(data) if data else None)
    cmp = compare(read_indicators(settings.outputs.table), year, compare_year, settings.province)
    findings = read_quality(quality or settings.outputs.year(cmp.year).quality_json(cmp.compare_year))
    if findings is not None and not quality and findings.get("table_sha256") != fingerprint(settings.outputs.table):
        findings = None  # checked another table: the data notes say this one was not checked
    return ReportView(cmp, check_language(settings.language), findings, output_dir)
