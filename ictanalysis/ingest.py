"""The ingest stage: every workbook in ``data/raw/<year>/`` into one tidy table.

Workbooks are read as they arrived, each sheet is matched to a layout (or
recognised from its headers), and its cells become tidy rows that remember
their file, sheet and cell. All problems of the run are collected and raised
together; only a run without problems writes ``indicators.parquet`` and
``indicators.csv``, published as a pair (:func:`ictanalysis.tidy.write_indicators`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ictanalysis.catalog import Catalog, load_catalog
from ictanalysis.errors import InputError, Problem
from ictanalysis.extract import SheetSource, extract_table, find_table
from ictanalysis.layouts import Layout, load_layouts
from ictanalysis.settings import DEFAULTS
from ictanalysis.tidy import KEY, SOURCE_SEPARATOR, Records, frame, key_label, write_indicators
from ictanalysis.workbook import SPREADSHEET_SUFFIXES, Sheet, WorkbookError, column_letter, read_workbook
from ictanalysis.years import raw_years

__all__ = ["CleanResult", "clean", "match_layout", "read_raw"]

_CELL = re.compile(r"([A-Z]+)([0-9]+)")
_log = logging.getLogger(__name__)


@dataclass
class CleanResult:
    """What a clean run read, what it skipped and what it wrote."""

    table: pd.DataFrame
    files: list[str] = field(default_factory=list)
    sheets: dict[str, str] = field(default_factory=dict)  # "file › sheet" → layout id
    skipped: dict[str, str] = field(default_factory=dict)  # what was not read, and why
    notes: list[str] = field(default_factory=list)  # what was read but deserves a look (also logged as warnings)
    outputs: list[Path] = field(default_factory=list)


def clean(
    raw_dir: Path = DEFAULTS.raw,
    out_dir: Path | None = DEFAULTS.processed,
    *,
    province: str = DEFAULTS.province,
    catalog: Catalog | None = None,
    layout_dirs: Iterable[Path] = (),
) -> CleanResult:
    """Read all year folders of `raw_dir` and write the tidy table to `out_dir`.

    Raw files are only read. With `out_dir` None nothing is written.

    Raises:
        InputError: with every problem found, when any workbook cannot be read
            or mapped; nothing is written then.

    Example:
        >>> result = clean(Path("data/raw"), out_dir=None)
        >>> l4 = result.table.query("indicator == 'online_services_level4' and agency == ''")
        >>> l4[["year", "value", "source_cell"]].values.tolist()
        [[2019, 74.0, 'E26'], [2020, 555.0, 'E26']]
    """
    result = read_raw(Path(raw_dir), province=province, catalog=catalog, layouts=load_layouts(*layout_dirs))
    if out_dir is not None:
        outputs = DEFAULTS.replace(processed=Path(out_dir)).outputs
        result.outputs = write_indicators(result.table, outputs.written_table, outputs.written_csv)
    return result


def read_raw(raw_dir: Path, *, province: str, catalog: Catalog | None, layouts: list[Layout]) -> CleanResult:
    """Read every workbook under `raw_dir` into a tidy table without writing anything.

    Raises:
        InputError: with all problems of all files.
        UsageError: `province` is not a province of the catalog.
    """
    catalog = catalog or load_catalog()
    catalog.check_province(province)
    for layout in layouts:
        layout.check_against(catalog)
    run = _Run(raw_dir, province, catalog, layouts)
    result, records, problems = CleanResult(table=pd.DataFrame()), Records(), []
    for year in raw_years(raw_dir):
        found, year_problems = _read_year(run, year, result)
        records.extend(found)
        problems += year_problems
    table = frame(records)
    problems += _duplicate_problems(table)
    if problems:
        raise InputError(problems)
    result.table = table
    return result


@dataclass(frozen=True)
class _Run:
    """What every workbook of a run is read with: the raw folder, the province, the catalog and the layouts."""

    raw_dir: Path
    province: str
    catalog: Catalog
    layouts: list[Layout]

    def relative(self, path: Path) -> str:
        """Return a path as the tidy table names it: relative to the raw folder, printable."""
        return _printable(path.relative_to(self.raw_dir).as_posix())


def _read_year(run: _Run, year: int, result: CleanResult) -> tuple[Records, list[Problem]]:
    """Read every workbook of one year folder; note in `result` what was read and what was skipped."""
    records, problems = Records(), []
    before = len(result.files)
    for path in _year_files(run.raw_dir, year, problems):
        relative = run.relative(path)
        if path.name.startswith((".", "~$")) or path.is_dir():
            continue
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            result.skipped[relative] = "not a workbook (.xlsx, .xls, .ods or .csv)"
            continue
        result.files.append(relative)
        refusal = _refuse_path(path, run.raw_dir, relative)
        if refusal is not None:
            problems.append(refusal)
            continue
        found, file_problems = _read_file(run, path, year, result)
        records.extend(found)
        problems += file_problems
    if len(result.files) == before:
        problems.append(Problem(f"{year}/", message="the year folder holds no workbook",
                                expected="the year's .xlsx, .xls, .ods or .csv files, or no folder for that year"))  # fmt: skip
    return records, problems


def _year_files(raw_dir: Path, year: int, problems: list[Problem]) -> list[Path]:
    """Return the entries of a year folder, sorted; a folder that cannot be listed is a problem."""
    try:
        return sorted((raw_dir / str(year)).iterdir())
    except OSError as exc:
        problems.append(Problem(f"{year}/", message=f"the folder cannot be listed ({exc.strerror})",
                                expected="a folder that the user running ictanalysis may read"))  # fmt: skip
        return []


def _refuse_path(path: Path, raw_dir: Path, relative: str) -> Problem | None:
    """Return why a workbook's path is not read, or None when it is.

    A file name that is not valid Unicode could not be written to the tidy
    table. A symbolic link is followed only within the raw folder: the raw
    folder is the archive of what was received, and a link that leads out of
    it (or nowhere) breaks that.
    """
    if _printable(path.name) != path.name:
        return Problem(relative, message="the file name is not valid UTF-8 (it was written on a system with another "
                       "encoding)", expected="a file name in Unicode: rename the file")  # fmt: skip
    if not path.is_symlink():
        return None if path.is_file() else Problem(relative, message="is not a regular file (a pipe, socket or device)",
                                                    expected="a workbook file")  # fmt: skip
    target = path.resolve()
    if not target.is_file():
        return Problem(relative, message=f"is a symbolic link to {target}, which is not a file",
                       expected="the workbook itself in the year folder")  # fmt: skip
    if not target.is_relative_to(raw_dir.resolve()):
        return Problem(relative, message=f"is a symbolic link to {target}, outside the raw folder",
                       expected="the workbook itself in the year folder: copy the file there (the raw folder "
                       "keeps the workbooks as received), or link only within the raw folder")  # fmt: skip
    return None


def _printable(name: str) -> str:
    r"""Return a file name as text any terminal can show: bytes that are not UTF-8 as ``\xe1``.

    >>> _printable("b\udce1o-c\udce1o.xlsx"), _printable("báo-cáo.xlsx")
    ('b\\xe1o-c\\xe1o.xlsx', 'báo-cáo.xlsx')
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _read_file(run: _Run, path: Path, year: int, result: CleanResult) -> tuple[Records, list[Problem]]:
    """Read every sheet of one workbook; note in `result` the layout of each sheet read, and each sheet skipped."""
    relative = run.relative(path)
    sheets, problems = _open_workbook(path, relative)
    records = Records()
    for sheet in sheets:
        where = f"{relative}{SOURCE_SEPARATOR}{sheet.name}"
        if sheet.hidden or not _has_data(sheet):
            result.skipped[where] = "hidden sheet" if sheet.hidden else "empty sheet"
            continue
        source = SheetSource(relative, sheet, year, run.province)
        table, found, sheet_problems = match_layout(source, path.name, run.catalog, run.layouts)
        problems += sheet_problems
        if table is None and not sheet_problems:
            result.skipped[where] = "marked `skip` by a layout"
        elif table is not None:
            result.sheets[where] = table.layout.id
            records.extend(found)
            result.notes += _hidden_notes(relative, sheet, found.columns["source_cell"])
    return records, problems


def _open_workbook(path: Path, relative: str) -> tuple[list[Sheet], list[Problem]]:
    """Return the sheets of a workbook, or none and the problem of a file that cannot be read or holds no data."""
    try:
        sheets = read_workbook(path)
    except WorkbookError as exc:
        return [], [Problem(relative, exc.sheet, exc.cell, str(exc), exc.expected)]
    except OSError as exc:
        return [], [Problem(relative, message=f"cannot be opened ({exc.strerror})",
                            expected="a file that the user running ictanalysis may read")]  # fmt: skip
    if not any(_has_data(sheet) for sheet in sheets):
        return [], [Problem(relative, message="the workbook holds no data: every sheet is empty",
                            expected="the year's figures, or no file")]  # fmt: skip
    return sheets, []


def _has_data(sheet: Sheet) -> bool:
    return any(v not in ("", None) for row in sheet.rows for v in row)


def _hidden_notes(relative: str, sheet: Sheet, cells: list[str]) -> list[str]:
    """Note the hidden rows and columns whose cells were read as data (and log the note as a warning).

    They are read, as Excel's own SUM reads them: a hidden row is most often a
    district that is not shown, and a hidden duplicate or working row makes
    its own problem (a duplicated key, an unknown label). The note says so.
    """
    if not (sheet.hidden_rows or sheet.hidden_columns):
        return []
    rows, columns = set(), set()
    for cell in cells:
        letters, digits = _CELL.fullmatch(cell).groups()
        rows.add(int(digits) - 1)
        columns.add(letters)
    found = []
    if hidden := sorted(rows & sheet.hidden_rows):
        found.append(f"hidden row{'s' if len(hidden) > 1 else ''} {', '.join(str(r + 1) for r in hidden)}")
    if hidden := sorted(columns & {column_letter(c) for c in sheet.hidden_columns}, key=lambda c: (len(c), c)):
        found.append(f"hidden column{'s' if len(hidden) > 1 else ''} {', '.join(hidden)}")
    if not found:
        return []
    note = (f"{relative}, sheet {sheet.name!r}: {' and '.join(found)} read as data; unhide them to check, "
            "and delete them if they are not the year's figures")  # fmt: skip
    _log.warning("%s", note)
    return [note]


def match_layout(source: SheetSource, file_name: str, catalog: Catalog, layouts: list[Layout]):
    """Return the layout whose table fits the sheet, with its records, or the problems of trying.

    A layout named for the file or sheet is used when its table is found, and
    its problems are the sheet's; of several, a project's own comes first (see
    :func:`~ictanalysis.layouts.load_layouts`), so it wins over a bundled one.
    Otherwise each detector is tried, and one is accepted only when it reads
    the sheet without a single problem (a project's own, where it does, over
    the bundled ones).

    Returns:
        (table, records, problems): table None when no layout reads the sheet (and no problem when one
        marked it `skip`).
    """
    claiming = [lay for lay in layouts if not lay.is_detector and lay.applies_to(file_name, source.sheet.name)]
    if claiming and claiming[0].skip:
        return None, Records(), []
    for layout in claiming:
        table = find_table(source, layout, catalog)
        if table is not None:
            return (table, *extract_table(source, table, catalog))
    if claiming:
        return None, Records(), [_not_found(source, [lay for lay in claiming if not lay.skip])]
    return _detect(source, catalog, [lay for lay in layouts if lay.is_detector])


def _not_found(source: SheetSource, claiming: list[Layout]) -> Problem:
    """Report that no layout claiming the sheet (by its file or sheet name) found its table there."""
    if len(claiming) == 1:
        message = f"the table of layout {_named(claiming[0])} was not found"
        expected = claiming[0].header_expectation()
    else:
        names = ", ".join(map(_named, claiming))
        message = f"the table of none of the layouts that claim this sheet ({names}) was found"
        expected = "; or ".join(f"{layout.header_expectation()} (layout {layout.id!r})" for layout in claiming)
    if all(layout.bundled for layout in claiming):
        expected += ("; or, if the sheet is another form, a layout of your own that claims it (a project's "
                     "layouts are tried before the bundled ones; `ictanalysis layout suggest FILE` writes a first "
                     "one)")  # fmt: skip
    return Problem(source.file, source.sheet.name, "", message, expected)


def _named(layout: Layout) -> str:
    """Name a layout and its file for a message: 'gso-yearbook' (gso-yearbook.yaml)."""
    return f"{layout.id!r} ({layout.source.name})" if layout.source else repr(layout.id)


def _detect(source: SheetSource, catalog: Catalog, detectors: list[Layout]):
    """Return the one detector that reads the sheet without a problem, or the problems of the closest tries."""
    tried = []
    for layout in detectors:
        table = find_table(source, layout, catalog)
        if table is not None:
            records, problems = extract_table(source, table, catalog)
            tried.append((table, records, problems))
    fits = [attempt for attempt in tried if len(attempt[1]) and not attempt[2]]
    fits = [attempt for attempt in fits if not attempt[0].layout.bundled] or fits  # a project's own wins
    if len(fits) == 1:
        return fits[0]
    if not fits and tried:
        # The sheet looks like a detector's table but has problems: they say what to fix.
        return min(tried, key=lambda attempt: (len(attempt[2]), -len(attempt[1])))
    if len(fits) > 1:
        names = ", ".join(table.layout.id for table, _, _ in fits)
        return None, Records(), [Problem(source.file, source.sheet.name, "", f"the sheet fits several layouts ({names})",
                                         "one layout: add `files:` or `sheets:` patterns to the right one")]  # fmt: skip
    return None, Records(), [Problem(source.file, source.sheet.name, "", "no layout recognises this sheet",
                                     "a table whose headers name known indicators, or a layout file for this form "
                                     "(see README, 'Adding a new layout'; `ictanalysis layout suggest FILE` writes a "
                                     "first one); a sheet that holds no data can be marked `skip`")]  # fmt: skip


def _duplicate_problems(table: pd.DataFrame) -> list[Problem]:
    """Report keys (year, indicator, area, operator, agency) read more than once.

    Keys repeated between the same sheets are reported together, with a few
    examples, so a table copied into two files is one problem, not one per cell.
    """
    duplicated = table[table.duplicated(list(KEY), keep=False)]
    groups: dict[tuple[str, ...], list[tuple[tuple, list[str]]]] = {}
    for key, rows in duplicated.groupby(list(KEY), sort=True):
        places = [SOURCE_SEPARATOR.join((r.source_file, r.source_sheet, r.source_cell)) for r in rows.itertuples()]
        sheets = tuple(sorted({SOURCE_SEPARATOR.join((r.source_file, r.source_sheet)) for r in rows.itertuples()}))
        groups.setdefault(sheets, []).append((key, places))
    return [_duplicate_problem(examples) for examples in groups.values()]


def _duplicate_problem(examples: list[tuple[tuple, list[str]]]) -> Problem:
    key, places = examples[0]
    file, sheet, cell = places[0].split(SOURCE_SEPARATOR)
    label = key_label(key)
    message = f"duplicated key ({label}) is given {len(places)} times, at " + "; ".join(places)
    if len(examples) > 1:
        message += f"; and {len(examples) - 1} more keys given again in the same places"
    return Problem(file, sheet, cell, message, "each indicator once per year, area, enterprise and agency: of two "
                   "sources of the same figures, take the one that does not count out of the raw folder, or give its "
                   "sheet a layout with `skip: true`")  # fmt: skip
