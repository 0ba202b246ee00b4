"""Read the department's plan of a year: its targets, one per indicator, from ``data/plans/ke-hoach-<year>.csv``.

A plan file is a small table an analyst types or copies from the department's
plan (kế hoạch): a header row naming the indicator (``Chỉ tiêu``), its unit
(``Đơn vị tính``), the target (``Kế hoạch``) and, optionally, where the figure
comes from (``Nguồn``); then one row per target. It may be a .csv, .xlsx,
.xls or .ods file, read as the workbooks are (:func:`~ictanalysis.workbook.read_workbook`),
each target by the workbooks' rule for a figure (:func:`~ictanalysis.extract.numbers.read_number`:
Vietnamese notation, a rate's percent-formatted cell as it is shown, refusals of what is not certain)
and its units converted to the catalog's (``tỷ đồng`` → đồng; a unit written in
several scales must be stated). A row whose source says ``minh hoạ``
(illustrative) is a figure not taken from the department's plan, and the
summary says so. Every problem of the file is reported at once, naming its
cell and what was expected (:class:`~ictanalysis.errors.InputError`). Without a
file for the year there is no plan, and the summary shows no targets.

Next year's plan is one more file in the folder: ``ke-hoach-2021.csv``.

Example:
    >>> plan = read_plan(DEFAULT_PLANS, 2020)
    >>> plan.target("online_services_level4").value, plan.target("telecom_revenue").value
    (500.0, 1100000000000.0)
    >>> read_plan(DEFAULT_PLANS, 1999) is None
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ictanalysis.catalog import Catalog, Indicator, load_catalog
from ictanalysis.errors import InputError, Problem
from ictanalysis.extract.context import Context, SheetSource
from ictanalysis.extract.numbers import read_number
from ictanalysis.extract.units import scales
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold
from ictanalysis.settings import DEFAULTS
from ictanalysis.tidy import SOURCE_SEPARATOR
from ictanalysis.workbook import SPREADSHEET_SUFFIXES, Sheet, WorkbookError, cell_name, read_workbook

__all__ = ["DEFAULT_PLANS", "Plan", "Target", "plan_file", "read_plan", "read_plan_file"]

#: The folder of the plan files without a settings file: ``data/plans/`` (``[paths] plans`` in the settings).
DEFAULT_PLANS = DEFAULTS.plans
#: A year's plan file, without its suffix (.csv, .xlsx, .xls or .ods).
PLAN_NAME = "ke-hoach-{year}"
#: The columns of a plan, by the folded start of their headings.
_COLUMNS = {"indicator": ("chi tieu", "indicator"), "unit": ("don vi", "dvt", "unit"),
            "target": ("ke hoach", "muc tieu", "target"), "source": ("nguon", "ghi chu", "source", "note")}  # fmt: skip
_ILLUSTRATIVE = ("minh hoa", "illustrative")
_EXPECTED_HEADER = ("a header row naming the columns Chỉ tiêu (the indicator), Đơn vị tính (its unit), Kế hoạch "
                    "(the target) and, optionally, Nguồn (where the figure comes from)")  # fmt: skip
_EXPECTED_NUMBER = "a number in Vietnamese notation such as 1.234.567 or 12,5"
#: How a plan's cells are read: as a workbook of the layouts' default notation (Vietnamese), a blank cell no target.
_LAYOUT = Layout(id="plan", description="a plan file: one target per row", blank="missing")


@dataclass(frozen=True)
class Target:
    """One target of the plan, in the catalog's unit of its indicator."""

    indicator: str  #: catalog id
    value: float  #: in the indicator's unit (đồng, thuê bao, %)
    source: str  #: the cell it was read from, "file › sheet › cell"
    note: str  #: what the plan file says of the figure's origin
    illustrative: bool  #: not the department's figure: an example, marked so wherever it is shown


@dataclass(frozen=True)
class Plan:
    """The targets of one year, in the order of the file."""

    year: int
    file: Path
    targets: tuple[Target, ...]

    @property
    def illustrative(self) -> bool:
        """Tell whether a target of the plan is an illustrative figure."""
        return any(t.illustrative for t in self.targets)

    def target(self, indicator: str) -> Target | None:
        """Return the target of `indicator`, or None when the plan sets none."""
        return next((t for t in self.targets if t.indicator == indicator), None)


def plan_file(folder: Path, year: int) -> Path | None:
    """Return the plan file of `year` in `folder`, or None when there is none.

    Raises:
        InputError: two files for the same year (``ke-hoach-2020.csv`` and ``.xlsx``).
    """
    found = [Path(folder) / f"{PLAN_NAME.format(year=year)}{s}" for s in SPREADSHEET_SUFFIXES]
    found = [p for p in found if p.is_file()]
    if len(found) > 1:
        raise InputError([Problem(str(found[1]), message=f"a second plan for {year}, beside {found[0].name}",
                                  expected="one plan file per year")])  # fmt: skip
    return found[0] if found else None


def read_plan(folder: Path | None, year: int, catalog: Catalog | None = None) -> Plan | None:
    """Return the plan of `year` from `folder` (None: no folder), or None when the folder holds none.

    Raises:
        InputError: every problem of the plan file, each naming its cell and what was expected.
    """
    path = plan_file(folder, year) if folder is not None else None
    return read_plan_file(path, year, catalog) if path is not None else None


def read_plan_file(path: Path, year: int, catalog: Catalog | None = None) -> Plan:
    """Return the plan read from the file at `path`.

    Raises:
        InputError: the file cannot be read, has no header row, or rows with an unknown indicator, a unit
            that is not the indicator's, a number that is not certain, or a target given twice.
    """
    catalog = catalog or load_catalog()
    try:
        sheets = [s for s in read_workbook(Path(path)) if not s.hidden]
    except (WorkbookError, OSError) as exc:
        raise InputError([Problem(str(path), getattr(exc, "sheet", ""), getattr(exc, "cell", ""), str(exc),
                                  getattr(exc, "expected", "a plan file that can be read"))]) from None  # fmt: skip
    if not sheets:
        raise InputError([Problem(str(path), message="the file holds no sheet", expected=_EXPECTED_HEADER)])
    targets, problems = _read_sheet(_Where(Path(path), sheets[0]), catalog)
    if problems:
        raise InputError(problems)
    return Plan(int(year), Path(path), tuple(targets))


@dataclass(frozen=True)
class _Where:
    """The file and sheet being read, to name a cell."""

    path: Path
    sheet: Sheet

    @property
    def context(self) -> Context:
        """The sheet as the ingest's readers see it: a table of the plan's layout (:data:`_LAYOUT`)."""
        return Context(SheetSource(str(self.path), self.sheet, 0, ""), _LAYOUT, catalog=None)

    def problem(self, row: int, col: int, message: str, expected: str) -> Problem:
        cell = cell_name(self.sheet.top + row, self.sheet.left + col) if row >= 0 else ""
        return Problem(str(self.path), self.sheet.name, cell, message, expected)

    def source(self, row: int, col: int) -> str:
        return SOURCE_SEPARATOR.join((self.path.name, self.sheet.name, cell_name(self.sheet.top + row, self.sheet.left + col)))


def _read_sheet(where: _Where, catalog: Catalog) -> tuple[list[Target], list[Problem]]:
    """Return the targets of the sheet below its header row, and the problems of its rows."""
    header = _header(where.sheet)
    if header is None:
        return [], [where.problem(-1, 0, "no header row of a plan was found", _EXPECTED_HEADER)]
    row_number, columns = header
    targets, problems, seen = [], [], set()
    for i in range(row_number + 1, where.sheet.height):
        cells = where.sheet.rows[i]
        if all(str(c).strip() == "" for c in cells):
            continue
        target, found = _target(where, i, columns, catalog)
        if target is not None and target.indicator in seen:
            found.append(where.problem(i, columns["indicator"], f"a second target for {target.indicator!r}",
                                       "one row per indicator"))  # fmt: skip
        problems += found
        if target is not None and not found:
            targets.append(target)
            seen.add(target.indicator)
    return targets, problems


def _header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """Return the first row that names the indicator and the target columns, with each column's index."""
    for i, cells in enumerate(sheet.rows):
        columns = {}
        for j, cell in enumerate(cells):
            heading = fold(str(cell))
            kind = next((k for k, starts in _COLUMNS.items() if heading.startswith(starts)), None)
            if kind is not None and kind not in columns:
                columns[kind] = j
        if "indicator" in columns and "target" in columns:
            return i, columns
    return None


def _cell(sheet: Sheet, row: int, col: int | None):
    return "" if col is None else sheet.value(sheet.top + row, sheet.left + col)


def _target(where: _Where, row: int, columns: dict[str, int], catalog: Catalog) -> tuple[Target | None, list[Problem]]:
    """Return the row's target (None when its indicator is unknown) and its problems."""
    sheet = where.sheet
    label = str(_cell(sheet, row, columns["indicator"])).strip()
    indicator = catalog.indicators.get(label) or catalog.find_indicator(label)
    if indicator is None:
        return None, [where.problem(row, columns["indicator"], f"unknown indicator {label!r}",
                                    "an indicator of catalog/indicators.yaml, by its name, an alias or its id")]  # fmt: skip
    factor, problems = _factor(where, row, columns.get("unit"), indicator, catalog)
    value, number_problems = _number(where, row, columns["target"], indicator)
    problems += number_problems
    if problems:
        return Target(indicator.id, math.nan, "", "", False), problems
    note = str(_cell(sheet, row, columns.get("source"))).strip()
    illustrative = any(word in fold(note) for word in _ILLUSTRATIVE)
    return Target(indicator.id, value * factor, where.source(row, columns["target"]), note, illustrative), []


def _factor(where: _Where, row: int, col: int | None, indicator: Indicator, catalog: Catalog) -> tuple[float, list[Problem]]:
    """Return the factor of the row's unit into the indicator's, or the problem of a unit not certain."""
    written = str(_cell(where.sheet, row, col)).strip()
    known = scales(catalog, indicator.unit)
    if not written:
        if len(known) == 1:
            return 1.0, []
        return 1.0, [where.problem(row, col if col is not None else 0, f"the unit of {indicator.id!r} is not stated",
                                   f"its unit, one of: {', '.join(known)}")]  # fmt: skip
    factor = catalog.unit_factor(written, indicator.unit)
    if factor is None:
        return 1.0, [where.problem(row, col, f"the unit {written!r} is not a unit of {indicator.id!r}",
                                   f"one of: {', '.join(known)}")]  # fmt: skip
    return factor, []


def _number(where: _Where, row: int, col: int, indicator: Indicator) -> tuple[float, list[Problem]]:
    """Return the row's target as the workbooks' cells are read (:func:`~ictanalysis.extract.numbers.read_number`).

    A percent-formatted cell of a rate is read as it is shown (0.95 as 95 %); a percentage for an indicator
    that is not a rate, a date, an error value, text that is not a number in Vietnamese notation or that
    reads as another number in English notation, a blank and a negative target are refused.
    """
    absolute = (where.sheet.top + row, where.sheet.left + col)
    value = read_number(where.context, *absolute, indicator)
    if isinstance(value, Problem):
        return math.nan, [value]
    if value is None or value < 0:
        found = "no target" if value is None else f"found {_cell(where.sheet, row, col)!r}"
        return math.nan, [where.problem(row, col, found, f"the target: {_EXPECTED_NUMBER}, not below zero")]
    return value, []
