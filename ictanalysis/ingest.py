"""The ingest stage: every workbook in ``data/raw/<year>/`` into one tidy table.

Workbooks are read as they arrived, each sheet is matched to a layout (or
recognised from its headers), and its cells become tidy rows that remember
their file, sheet and cell. All problems of the run are collected and raised
together; only a run without problems writes ``indicators.parquet`` and
``indicators.csv``, each through a temporary file renamed into place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ictanalysis.atomic import write_files_atomically
from ictanalysis.catalog import Catalog, load_catalog
from ictanalysis.errors import InputError, Problem
from ictanalysis.extract import TIDY_COLUMNS, Records, SheetSource, extract_table, find_table
from ictanalysis.layouts import Layout, load_layouts
from ictanalysis.workbook import SPREADSHEET_SUFFIXES, WorkbookError, read_workbook

__all__ = ["KEY_COLUMNS", "CleanResult", "clean", "read_indicators", "read_raw", "tidy_frame", "year_folders"]

KEY_COLUMNS = ["year", "indicator", "area", "operator", "agency"]
_YEAR_FOLDER = re.compile(r"^(19|20)\d\d$")


@dataclass
class CleanResult:
    """What a clean run read, what it skipped and what it wrote."""

    table: pd.DataFrame
    files: list[str] = field(default_factory=list)
    sheets: dict[str, str] = field(default_factory=dict)  # "file › sheet" → layout id
    skipped: dict[str, str] = field(default_factory=dict)  # what was not read, and why
    outputs: list[Path] = field(default_factory=list)


def year_folders(raw_dir: Path) -> list[int]:
    """Return the years that have a folder in `raw_dir`, oldest first."""
    return sorted(int(p.name) for p in Path(raw_dir).iterdir() if p.is_dir() and _YEAR_FOLDER.match(p.name))


def clean(
    raw_dir: Path = Path("data/raw"),
    out_dir: Path | None = Path("data/processed"),
    *,
    province: str = "58",
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
        result.outputs = write_tidy(result.table, Path(out_dir))
    return result


def read_raw(raw_dir: Path, *, province: str, catalog: Catalog | None, layouts: list[Layout]) -> CleanResult:
    """Read every workbook under `raw_dir` into a tidy table without writing anything.

    Raises:
        InputError: with all problems of all files.
    """
    catalog = catalog or load_catalog()
    for layout in layouts:
        layout.check_against(catalog)
    if not raw_dir.is_dir():
        raise InputError([Problem(str(raw_dir), message="the raw-data folder does not exist",
                                  expected="a folder with one sub-folder per year, e.g. data/raw/2020/")])  # fmt: skip
    years = year_folders(raw_dir)
    if not years:
        raise InputError([Problem(str(raw_dir), message="no year folder found",
                                  expected="sub-folders named by year, e.g. data/raw/2020/")])  # fmt: skip
    records, problems = Records(), []
    result = CleanResult(table=pd.DataFrame())
    for year in years:
        before = len(result.files)
        for path in sorted((raw_dir / str(year)).iterdir()):
            relative = path.relative_to(raw_dir).as_posix()
            if path.name.startswith((".", "~$")) or not path.is_file():
                continue
            if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
                result.skipped[relative] = "not a workbook (.xlsx, .xls, .ods or .csv)"
                continue
            result.files.append(relative)
            found, file_problems = _read_file(path, relative, year, province, catalog, layouts, result)
            records.extend(found)
            problems += file_problems
        if len(result.files) == before:
            problems.append(Problem(f"{year}/", message="the year folder holds no workbook",
                                    expected="the year's .xlsx, .xls, .ods or .csv files, or no folder for that year"))  # fmt: skip
    table = tidy_frame(records)
    problems += _duplicate_problems(table)
    if problems:
        raise InputError(problems)
    result.table = table
    return result


def _read_file(path, relative, year, province, catalog, layouts, result) -> tuple[Records, list[Problem]]:
    try:
        sheets = read_workbook(path)
    except WorkbookError as exc:
        return Records(), [Problem(relative, message=str(exc))]
    except OSError as exc:
        return Records(), [Problem(relative, message=f"cannot be opened ({exc.strerror})")]
    records, problems = Records(), []
    for sheet in sheets:
        where = f"{relative} › {sheet.name}"
        if sheet.hidden:
            result.skipped[where] = "hidden sheet"
            continue
        if not any(v not in ("", None) for row in sheet.rows for v in row):
            result.skipped[where] = "empty sheet"
            continue
        source = SheetSource(relative, sheet, year, province)
        table, found, sheet_problems = _match_layout(source, path.name, catalog, layouts)
        problems += sheet_problems
        if table is None and not sheet_problems:
            result.skipped[where] = "marked `skip` by a layout"
        elif table is not None:
            result.sheets[where] = table.layout.id
            records.extend(found)
    return records, problems


def _match_layout(source: SheetSource, file_name: str, catalog: Catalog, layouts: list[Layout]):
    """Return the layout whose table fits the sheet, with its records, or the problems of trying.

    A layout named for the file or sheet is used when its table is found, and
    its problems are the sheet's. Otherwise each detector is tried, and one is
    accepted only when it reads the sheet without a single problem.
    """
    specific = [lay for lay in layouts if not lay.is_detector and lay.applies_to(file_name, source.sheet.name)]
    if specific and specific[0].skip:
        return None, Records(), []
    for layout in specific:
        table = find_table(source, layout, catalog)
        if table is not None:
            return (table, *extract_table(source, table, catalog))
    if specific:
        headers = " or ".join(repr(h) for h in specific[0].label_headers if h)
        return None, Records(), [Problem(source.file, source.sheet.name, "", f"the table of layout {specific[0].id!r} was not found",
                                         f"a header cell {headers}")]  # fmt: skip
    tried = []
    for layout in (lay for lay in layouts if lay.is_detector):
        table = find_table(source, layout, catalog)
        if table is not None:
            records, problems = extract_table(source, table, catalog)
            tried.append((table, records, problems))
    fits = [attempt for attempt in tried if len(attempt[1]) and not attempt[2]]
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
                                     "(see README, 'Adding a new layout'); a sheet that holds no data can be marked `skip`")]  # fmt: skip


def tidy_frame(records: Records) -> pd.DataFrame:
    """Return the records as the tidy table, typed and sorted (see design, "The tidy table")."""
    frame = pd.DataFrame(records.columns, columns=list(TIDY_COLUMNS))
    frame = frame.astype({"year": "int64", "value": "float64", "preliminary": "bool"})
    strings = [c for c in TIDY_COLUMNS if c not in ("year", "value", "preliminary")]
    frame[strings] = frame[strings].astype("str")
    return frame.sort_values(KEY_COLUMNS, kind="stable").reset_index(drop=True)


def _duplicate_problems(table: pd.DataFrame) -> list[Problem]:
    """Report keys (year, indicator, area, operator, agency) read more than once.

    Keys repeated between the same sheets are reported together, with a few
    examples, so a table copied into two files is one problem, not one per cell.
    """
    duplicated = table[table.duplicated(KEY_COLUMNS, keep=False)]
    groups: dict[tuple[str, ...], list[tuple[tuple, list[str]]]] = {}
    for key, rows in duplicated.groupby(KEY_COLUMNS, sort=True):
        places = [f"{r.source_file} › {r.source_sheet} › {r.source_cell}" for r in rows.itertuples()]
        sheets = tuple(sorted({f"{r.source_file} › {r.source_sheet}" for r in rows.itertuples()}))
        groups.setdefault(sheets, []).append((key, places))
    return [_duplicate_problem(examples) for examples in groups.values()]


def _duplicate_problem(examples: list[tuple[tuple, list[str]]]) -> Problem:
    key, places = examples[0]
    file, sheet, cell = places[0].split(" › ")
    label = ", ".join(f"{k}={v}" for k, v in zip(KEY_COLUMNS, key, strict=True) if v != "")
    message = f"duplicated key ({label}) is given {len(places)} times, at " + "; ".join(places)
    if len(examples) > 1:
        message += f"; and {len(examples) - 1} more keys given again in the same places"
    return Problem(file, sheet, cell, message, "each indicator once per year, area, enterprise and agency")


def write_tidy(table: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Write the tidy table as Parquet and CSV, atomically: both are replaced, or neither."""
    return write_files_atomically([
        (out_dir / "indicators.parquet", lambda p: table.to_parquet(p, index=False)),
        (out_dir / "indicators.csv", lambda p: _write_csv(table, p)),
    ])  # fmt: skip


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write CSV with pyarrow's writer (about fifteen times faster than pandas'), UTF-8 with a BOM.

    The byte-order mark makes Excel read the Vietnamese text as UTF-8.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, "wb") as handle:
        handle.write("\ufeff".encode())
        pacsv.write_csv(pa.Table.from_pandas(table, preserve_index=False), handle)


def read_indicators(path: Path = Path("data/processed/indicators.parquet")) -> pd.DataFrame:
    """Load the tidy table written by `clean`.

    Example::

        table = read_indicators()
        table.query("indicator == 'online_services_level4' and year == 2020")
    """
    return pd.read_parquet(path)
