"""The report as the notebook shows it: its title and sections, built from the declared contents.

:class:`ReportView` joins a :class:`~ictanalysis.compare.Comparison`, the
report's contents (:mod:`ictanalysis.contents`), the words of a language and
the gate's result into the pieces a notebook cell displays: the title, each
section (heading, sentences, tables and charts in their declared order), or
one table or chart by its name. A name the contents do not declare is an
error. A section shows what the pair holds (:func:`ictanalysis.contents.held`):
in a year that holds none of its domains, one sentence says so; when neither
year does, that sentence is all it shows; a table of indicators neither year
holds is left out, and a chart with nothing to draw is one line saying so,
never an empty chart. An indicator the contents name that a successor replaces from the report year on
(``replaces`` in the catalog: level 4 → "toàn trình" from 2022) is shown as its successor
(:meth:`~ictanalysis.compare.Comparison.current`), a chart of it under the successor's own title. When the run has an output folder, every chart's spec is kept in
``<output_dir>/charts/<name>.vl.json`` for the report stage to draw
(:class:`ictanalysis.render.ChartRenderer`); an analyst's interactive run only
sees the charts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ictanalysis import chart, narrative, present
from ictanalysis.compare import Comparison, percent_change, series, trend
from ictanalysis.contents import Contents, Holding, held, load_contents
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

    @functools.cached_property
    def holding(self) -> Holding:
        """What the pair holds of what the report compares, year by year."""
        cmp = self.cmp
        return held(cmp.table, cmp.catalog, cmp.province, (cmp.compare_year, cmp.year), self.contents)

    def summary(self, plans: str = ""):
        """Return the one-page summary (tiles, targets against the plan in folder `plans`, the trend) as HTML."""
        from ictanalysis.summary import summary_html

        return summary_html(self, Path(plans) if plans else None)

    def section(self, section_id: str) -> Shown:
        """Return section `section_id`: its heading, sentences, then its tables and charts in order.

        A year holding none of the section's domains is said in one sentence; when neither year
        holds them, the heading and that sentence are all the section shows. A sentence an earlier
        section says is not said again (:meth:`told`); the sentences are grouped in paragraphs.
        """
        section = self.contents.section(section_id)
        items = [present.heading(section.id, self.language, section.level)]
        absence, groups = self.told[section.id]
        if absence:
            items.append(present.paragraphs(absence, "note"))
        if len(self.holding.lacking(section.domains)) == len(self.holding.years):
            return Shown(tuple(items))
        if groups:
            items.append(present.paragraphs([" ".join(g) for g in groups], section.style or ""))
        for item in section.show:
            (kind, name), = item.items()
            if kind == "chart":
                items.append(self.chart(name))
            elif self._shows_table(name):
                items.append(self.table(name))
        return Shown(tuple(items))

    @functools.cached_property
    def told(self) -> dict[str, tuple[list[str], list[list[str]]]]:
        """Each section's sentences where the report says them first: its absence sentence, its paragraphs.

        The sections are read in the report's order; a sentence said by an earlier one (the headline's,
        that a sector would repeat) is left out of the later, and a paragraph left empty is dropped.
        """
        return _told(self)

    def _shows_table(self, name: str) -> bool:
        """Tell whether either year holds an indicator of table `name` (a source table always shows)."""
        table = self.contents.tables[name]
        if table.kind == "source":
            return True
        ids = self.contents.table_indicators(name) if table.kind == "change" else [table.indicator]
        return self.holding.shows([self.cmp.current(i) for i in ids])

    def sentences(self, name: str) -> list[str]:
        """Return the sentences `name` (see :func:`ictanalysis.narrative.sentences`)."""
        return narrative.sentences(name, self.cmp, self.language, self.quality)

    def paragraphs(self, name: str) -> list[list[str]]:
        """Return the sentences `name` grouped in paragraphs (see :func:`ictanalysis.narrative.paragraphs`)."""
        return narrative.paragraphs(name, self.cmp, self.language, self.quality)

    def frame(self, name: str) -> pd.DataFrame:
        """Return the figures of table `name` as the report writes them (:func:`ictanalysis.present.written`).

        Named in the report's language; a table of districts or enterprises ends with the province's
        total, and every row of the province's total has ``total`` set.
        """
        table, cmp = self.contents.tables[name], self.cmp
        indicator = cmp.current(table.indicator or "")
        if table.kind == "change":
            figures = cmp.change_table([cmp.current(i) for i in self.contents.table_indicators(name)])
        elif table.kind == "source":
            figures = cmp.sources_appendix()
        else:
            figures = _with_total(cmp, table.kind, indicator, self.said)
        named = present.named(figures, cmp.catalog, self.language)
        shown = present.written(named, cmp.catalog, (cmp.compare_year, cmp.year), self.language, indicator)
        if table.kind == "penetration":  # its columns are people, subscriptions and a ratio: no one unit
            shown.attrs.pop("unit", None)
        return shown

    def table(self, name: str):
        """Return table `name` as HTML: its caption, its columns, the source cells of its figures."""
        table = self.contents.tables[name]
        caption = self.title_of(name) if table.caption else ""
        return present.table(self.frame(name), table.kind, self.contents.columns[table.kind], self.language,
                             caption, table.sources)  # fmt: skip

    def chart(self, name: str):
        """Return chart `name` for display, keeping its spec in the output folder when there is one.

        A chart with nothing to draw (no figure the pair holds) is one line saying so instead, and no spec.
        """
        spec = self.chart_spec(name)
        if spec is None:
            return present.paragraphs([self.said("report.no_chart", title=self.title_of(name))], "note")
        if self.output_dir:
            from ictanalysis.render import write_spec

            write_spec(spec, ReportFolder(Path(self.output_dir)).charts, name)
        return chart.ChartDisplay(spec, self.language)

    def title_of(self, name: str) -> str:
        """Return chart (or table) `name`'s title: ``report.<name>``, ``report.<name>.<id>`` shown as successor `id`."""
        return _title(self, name)

    def chart_spec(self, name: str) -> dict | None:
        """Return chart `name`'s Vega-Lite spec, drawn in the active layout (:func:`chart.drawn_for`).

        None when it has nothing to draw (no figure the pair holds).
        """
        frame, columns = self._chart_data(name)
        if not chart.drawable(frame, *columns):
            return None
        return chart.chart_spec(_draw(self, name, frame), self.language)

    def _chart_data(self, name: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
        """Return the frame chart `name` draws, and the columns of which one must hold a number to draw anything."""
        spec, cmp = self.contents.charts[name], self.cmp
        if spec.kind == "change_bars":
            return self.frame(spec.table), ("change_percent",)
        if spec.kind == "operator_shares":
            return cmp.by_operator(spec.indicator), ("share",)
        if spec.kind == "trend_lines":
            return _trend_frame(self, name), ("value",)
        indicator = cmp.current(spec.indicator or "")
        if spec.kind == "district_bars":
            return present.named(cmp.by_district(indicator), cmp.catalog, self.language), ("value", "value_before")
        return cmp.by_agency(indicator), ("value", "value_before")


def _draw(view: ReportView, name: str, frame: pd.DataFrame):
    """Return chart `name` of the view drawn from `frame`, in the active layout."""
    spec, cmp, language = view.contents.charts[name], view.cmp, view.language
    title = view.title_of(name)
    if spec.kind == "change_bars":
        return chart.change_bars(frame, title, language, cmp.compare_year)
    if spec.kind == "operator_shares":
        return chart.operator_shares(frame, title, cmp.year, language)
    if spec.kind == "trend_lines":
        return chart.trend_lines(frame, title, language)
    unit = view.said.unit(cmp.catalog.units[cmp.indicator(cmp.current(spec.indicator)).unit])
    if spec.kind == "district_bars":
        return chart.district_bars(frame, title, unit, cmp.year, cmp.compare_year, language)
    return chart.agency_bars(frame, title, unit, cmp.year, cmp.compare_year, language)


def _title(view: ReportView, name: str) -> str:
    """Return :meth:`ReportView.title_of`: a chart of an indicator shown as its successor is titled by its name.

    A title names what it shows ("… mức độ 4 theo cơ quan"): over a successor's figures it is the successor's own
    (``report.by_agency``: "Dịch vụ công trực tuyến toàn trình theo cơ quan").
    """
    declared = view.contents.charts.get(name) or view.contents.tables[name]
    shown = view.cmp.current(declared.indicator or "")
    if shown == (declared.indicator or ""):
        return view.said(f"report.{name}")
    if declared.kind != "agency_bars":
        raise KeyError(f"no title of {name!r} over {shown!r}: a successor's title is known for agency_bars only")
    return view.said("report.by_agency", name=view.said.indicator(view.cmp.indicator(shown)))


def _trend_frame(view: ReportView, name: str) -> pd.DataFrame:
    """Return the points of the trend chart `name`: one row per series with enough years, and year."""
    cmp, said = view.cmp, view.said
    shown = dict.fromkeys(cmp.current(i) for i in view.contents.trend_indicators(name))
    found = [(i, series(cmp, i)) for i in trend(cmp, shown)["indicator"]]
    frames = [s.assign(name=said.indicator(cmp.indicator(i)), unit=said.unit(cmp.catalog.units[cmp.indicator(i).unit]))
              for i, s in found]  # fmt: skip
    columns = ["name", "unit", "year", "value"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def _told(view: ReportView) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Return :attr:`ReportView.told`: each section's absence sentence and paragraphs, each sentence once."""
    years, told, said = view.holding.years, set(), {}
    for section in view.contents.sections:
        lacking = view.holding.lacking(section.domains)
        absence = [narrative.absence_sentence(section.domains, lacking, view.language)] if lacking else []
        groups = view.paragraphs(section.sentences) if section.sentences and len(lacking) < len(years) else []
        said[section.id] = (_untold(absence, told), [g for g in (_untold(g, told) for g in groups) if g])
    return said


def _untold(sentences: list[str], told: set[str]) -> list[str]:
    """Return the sentences not in `told` (each once), and add them to it."""
    fresh = [s for s in dict.fromkeys(sentences) if s not in told]
    told.update(fresh)
    return fresh


def _with_total(cmp: Comparison, kind: str, indicator: str, said: Words) -> pd.DataFrame:
    """Return the figures of a district, enterprise or penetration table, the province's total row marked.

    A district or enterprise table gets the province's figures as its last row (its share 100 %,
    no rank); a penetration table's last row is already the province's.
    """
    if kind == "penetration":
        frame = cmp.penetration(indicator)
        return frame.assign(total=frame["area"] == cmp.province)
    frame = cmp.by_district(indicator) if kind == "district" else cmp.by_operator(indicator)
    before, now = cmp.figures(indicator)
    total = {"area": cmp.province} if kind == "district" else {"operator": said("report.total")}
    total |= {"value_before": before.value, "value": now.value, "change": now.value - before.value,
              "change_percent": percent_change(before.value, now.value), "sources": ""}  # fmt: skip
    total |= {c: 100.0 for c in ("share", "share_before") if c in frame.columns}
    rows = pd.concat([frame.assign(total=False), pd.DataFrame([{**total, "total": True}])], ignore_index=True)
    return rows.astype({c: frame[c].dtype for c in frame.columns if str(frame[c].dtype) == "Int64"})


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
