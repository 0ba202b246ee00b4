"""The quality gate's result as plain values, and the data-quality page made from it.

:mod:`ictanalysis.validate` fills a :class:`QualityResult`; this module turns it
into ``quality/<year>-vs-<compare year>.json`` and a self-contained ``.html`` (inline CSS, no
script, nothing fetched) that lists every failed or warned rule in plain
Vietnamese (or English), with the offending rows and the cells they came from,
and each tolerance the catalog states that a rule used: for which indicator, how
much it allowed and why.
Every value on the page is escaped, its control and bidirectional-override
characters written out (:func:`~ictanalysis.text.visible_text`).
Both files are written atomically, one pair per pair of years.

The gate is bound to what it checked: the result records its pair and the
sha256 of the tidy table's file, and :func:`require_passed` (what ``report``
and ``send`` call) refuses a result that is missing, failed, for another pair
or for another table.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ictanalysis.atomic import write_atomically
from ictanalysis.catalog import Catalog, load_catalog
from ictanalysis.formatting import format_number
from ictanalysis.outputs import ReportFolder
from ictanalysis.rules import Rule, YearPair
from ictanalysis.tidy import source_of
from ictanalysis.words import DEFAULT_LANGUAGE, DIAGNOSTICS, languages, words

__all__ = ["QualityResult", "RuleResult", "describe_rule", "read_quality", "require_passed", "write_quality_page"]

MAX_ROWS_SHOWN = 200

# Columns of a view worth showing, in this order (their headings are ``quality.column.<name>`` in the words).
_COLUMNS = (
    "year", "domain", "indicator", "area", "operator", "agency", "figures", "value_before", "value", "change_percent", "unit",
    "catalog_unit", "minimum", "maximum", "province_value", "district_sum", "all_enterprises_value", "enterprise_sum",
    "all_agencies_value", "agency_sum", "whole_value", "parts_sum", "difference", "allowed", "present",
    "source_file", "source_sheet", "source_cell", "year_before", "source_file_before", "source_sheet_before",
    "source_cell_before", "district_cells", "enterprise_cells", "agency_cells", "part_cells",
)  # fmt: skip
_NUMBERS = {"value", "value_before", "change_percent", "minimum", "maximum", "province_value", "district_sum",
            "all_enterprises_value", "enterprise_sum", "all_agencies_value", "agency_sum", "whole_value", "parts_sum",
            "difference", "allowed"}  # fmt: skip


@dataclass
class RuleResult:
    """The outcome of one rule: how many rows it checked, which failed."""

    id: str
    severity: str
    success: bool
    checked: int
    failed: int = 0
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    observed: str | None = None
    error: str | None = None
    skipped: bool = False  #: not checked, because the table's schema is wrong
    #: per indicator, the tolerance the catalog states that the rule's totals were checked with
    #: (:func:`ictanalysis.rules.tolerances_used`); empty where every total had to add up exactly
    tolerances: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_rule(cls, rule: Rule, **outcome) -> RuleResult:
        """Return the result of `rule` with the outcome given."""
        return cls(rule.id, rule.severity, **outcome)

    def description(self, language: str) -> str:
        """Return what the rule checks, in `language`."""
        return describe_rule(self.id, language)


@dataclass
class QualityResult:
    """The gate's verdict on the tidy table for one pair of years."""

    pair: YearPair
    rules: list[RuleResult]
    checked_rows: int
    table: str = ""  #: the sha256 of the tidy table's file the rules ran on (:func:`ictanalysis.tidy.fingerprint`)

    @property
    def failures(self) -> list[RuleResult]:
        """Return the error rules that failed: any of them stops the run."""
        return [r for r in self.rules if not r.success and r.severity == "error"]

    @property
    def warnings(self) -> list[RuleResult]:
        """Return the warning rules that failed: they travel on into the report."""
        return [r for r in self.rules if not r.success and r.severity == "warning"]

    @property
    def passed(self) -> bool:
        """Tell whether the gate lets the run go on."""
        return not self.failures

    def summary(self) -> str:
        """Return a few lines for the terminal."""
        head = f"Quality gate {self.pair.year} vs {self.pair.compare_year}: "
        head += "passed" if self.passed else "FAILED"
        head += f" ({len(self.rules)} rules on {self.checked_rows:,} rows, "
        warned = len(self.warnings)
        head += f"{len(self.failures)} failing, {warned} warning{'' if warned == 1 else 's'})"
        lines = [head]
        for rule in self.failures + self.warnings:
            where = f"not met by {rule.failed} of {rule.checked} rows" if rule.failed else "not met"
            lines.append(f"  {rule.severity} [{rule.id}] {rule.description(DIAGNOSTICS)}: {where}")
            lines += [f"    {place}" for place in _places(rule.rows)]
        return "\n".join(lines)

    def to_json_dict(self) -> dict:
        """Return the whole result as JSON-ready data (offending rows included, up to 1000 a rule)."""
        return {
            "year": self.pair.year,
            "compare_year": self.pair.compare_year,
            "province": self.pair.province,
            "passed": self.passed,
            "checked_rows": self.checked_rows,
            "table_sha256": self.table,
            "rules": [
                {
                    "id": r.id, "severity": r.severity, "success": r.success, "checked": r.checked,
                    "failed": r.failed, "descriptions": {language: r.description(language) for language in languages()},
                    "observed": r.observed, "error": r.error, "skipped": r.skipped, "rows": _records(r.rows.head(1000)),
                    "tolerances": _records(r.tolerances),
                }
                for r in self.rules
            ],
        }  # fmt: skip


def _places(rows: pd.DataFrame, shown: int = 3) -> list[str]:
    """Say where the first offending rows were read, for the terminal: a cell, or a sheet and the one it repeats.

    >>> rows = pd.DataFrame({"source_file": ["2020/a.xlsx"], "source_sheet": ["TB"], "source_cell": ["D8"]})
    >>> _places(rows)
    ['2020/a.xlsx › TB › D8']
    """
    places = []
    for row in rows.head(shown).to_dict("records"):
        if row.get("repeated") is True:  # a sheet that repeats an earlier year's (the repeated_years view)
            places.append(f"{row['source_file']} › {row['source_sheet']} repeats {row['source_file_before']} › "
                          f"{row['source_sheet_before']}")  # fmt: skip
        elif source_of(row):
            places.append(source_of(row))
    more = len(rows) - shown
    return places + ([f"… and {more} more rows (see the page)"] if more > 0 and places else [])


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False)) if len(frame) else []


def write_quality_page(
    result: QualityResult, out_dir: Path, *, language: str = DEFAULT_LANGUAGE, catalog: Catalog | None = None
) -> tuple[Path, Path]:
    """Write the pair's page and JSON into the year folder `out_dir` (``quality/2020-vs-2019.html``, ``.json``).

    Each is written atomically. Returns the paths of the page and of the JSON. Another pair's files stay.
    """
    catalog = catalog or load_catalog()
    folder = ReportFolder(out_dir)
    folder.quality.mkdir(parents=True, exist_ok=True)
    page, data = folder.quality_page(result.pair.compare_year), folder.quality_json(result.pair.compare_year)
    html = render_quality_page(result, language=language, catalog=catalog)
    text = json.dumps(result.to_json_dict(), ensure_ascii=False, indent=1)
    write_atomically(data, lambda p: p.write_text(text, encoding="utf-8"))
    write_atomically(page, lambda p: p.write_text(html, encoding="utf-8"))
    return page, data


def render_quality_page(result: QualityResult, *, language: str = DEFAULT_LANGUAGE, catalog: Catalog) -> str:
    """Return the data-quality page as one self-contained HTML string (all text escaped)."""
    from ictanalysis.pages import render

    province = catalog.areas.get(result.pair.province)
    return render(
        "quality.html.j2", language, result=result,
        findings=[_finding(rule, language, catalog) for rule in result.failures + result.warnings],
        tolerances=_tolerances(result, language, catalog),
        province=words(language).area(province) if province else result.pair.province,
        checked_rows=format_number(result.checked_rows, language),
        generated=dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M"),
    )  # fmt: skip


def describe_rule(rule_id: str, language: str) -> str:
    """Return what the rule `rule_id` checks, as the data-quality page says it in `language` (its id if unknown)."""
    said = words(language)
    return said(f"rule.{rule_id}") if f"rule.{rule_id}" in said else rule_id


def _finding(rule: RuleResult, language: str, catalog: Catalog) -> dict:
    """Return one failed rule's table: headings and formatted rows."""
    said = words(language)
    columns = [c for c in _COLUMNS if c in rule.rows.columns]
    shown = rule.rows.head(MAX_ROWS_SHOWN)
    rows = [[_cell(column, row[column], language, catalog) for column in columns] for _, row in shown.iterrows()]
    return {
        "rule": rule,
        "headings": [said(f"quality.column.{c}") for c in columns],
        "rows": rows,
        "more": max(0, len(rule.rows) - MAX_ROWS_SHOWN),
    }


def _tolerances(result: QualityResult, language: str, catalog: Catalog) -> list[dict]:
    """Return, for each rule that used a tolerance the catalog states, one row per indicator: what it allowed, why."""
    said, rows = words(language), []
    for rule in result.rules:
        for used in rule.tolerances.itertuples(index=False):
            indicator = catalog.indicators.get(used.indicator)
            if indicator is None or indicator.tolerance is None:
                continue
            unit, stated = f" {said.unit(catalog.units[indicator.unit])}", indicator.tolerance
            rows.append({
                "rule": rule, "indicator_id": indicator.id,
                "indicator": f"{said.indicator(indicator)} ({indicator.id})",
                "allowed": format_number(float(used.allowed), language) + unit, "rows": int(used.rows),
                "largest": format_number(float(used.largest_difference), language) + unit,
                "reason": stated.reason if language == DEFAULT_LANGUAGE else stated.reason_en,
            })  # fmt: skip
    return rows


def _cell(column: str, value, language: str, catalog: Catalog) -> str:
    """Format one value of an offending row for people: names for codes, local number notation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column in _NUMBERS:
        return format_number(float(value), language)
    if column == "indicator" and value in catalog.indicators:
        return f"{words(language).indicator(catalog.indicators[value])} ({value})"
    if column == "domain" and f"report.domain.{value}" in words(language):
        return f"{words(language)(f'report.domain.{value}')} ({value})"
    if column == "area" and value in catalog.areas:
        return f"{value} {words(language).area(catalog.areas[value])}"
    if column == "present":
        return words(language)("quality.yes" if value else "quality.no")
    return str(value)


def read_quality(path: str | Path) -> dict | None:
    """Return the gate's JSON result written beside the page, or None when there is none."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def require_passed(folder: ReportFolder, pair: YearPair, table: Path) -> dict:
    """Return the gate's result for `pair` on the tidy table at `table`, when the gate passed on that very table.

    What ``report`` and ``send`` check first: a report is published only from a
    table the gate passed, for the years it shows.

    Raises:
        QualityError: the result is missing, unreadable, failed, for another pair or province, or for another
            table (cleaned again since, or another ``--data``); the message says what to run.
    """
    from ictanalysis.errors import QualityError
    from ictanalysis.tidy import fingerprint

    path, page = folder.quality_json(pair.compare_year), folder.quality_page(pair.compare_year)
    command = f"ictanalysis validate --year {pair.year} --compare-year {pair.compare_year}"
    try:
        found = read_quality(path)
    except (OSError, ValueError):
        found = {}
    if not found:
        raise QualityError(f"the tidy table {table} has not been checked for {pair.year} vs {pair.compare_year}: "
                           f"no quality result at {path}; run `{command}` first", None)  # fmt: skip
    checked = (found.get("year"), found.get("compare_year"), found.get("province"))
    if checked != (pair.year, pair.compare_year, pair.province):
        raise QualityError(f"the quality result {path} is for {checked[0]} vs {checked[1]} (province {checked[2]}), "
                           f"not {pair.year} vs {pair.compare_year} (province {pair.province}): run `{command}`",
                           page)  # fmt: skip
    if found.get("table_sha256") != fingerprint(table):
        raise QualityError(f"the quality result {path} is for another tidy table than {table} (cleaned again or "
                           f"changed since it was checked): run `{command}` again", page)  # fmt: skip
    if not found.get("passed"):
        failed = ", ".join(r["id"] for r in found.get("rules", []) if not r.get("success") and r.get("severity") == "error")
        raise QualityError(f"the quality gate failed for {pair.year} vs {pair.compare_year} on {table} ({failed}): "
                           f"correct the raw workbooks, then run `ictanalysis clean` and `{command}`", page)  # fmt: skip
    return found
