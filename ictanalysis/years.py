"""Which years there are and which two a run compares; standard library only.

The command line, the report stage and the scheduled run all need these answers
before they know whether to import pandas, so nothing heavy is imported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ictanalysis.errors import InputError, Problem, YearError
from ictanalysis.settings import DEFAULTS

__all__ = ["YearPair", "choose_years", "raw_years", "year_folders"]

_YEAR_FOLDER = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class YearPair:
    """The two years a report compares, and the province it is about."""

    year: int
    compare_year: int
    province: str = DEFAULTS.province


def year_folders(raw_dir: Path) -> list[int]:
    """Return the years that have a folder (named like ``2020``) in `raw_dir`, oldest first."""
    return sorted(int(p.name) for p in Path(raw_dir).iterdir() if p.is_dir() and _YEAR_FOLDER.match(p.name))


def choose_years(years: list[int], year: int | None = None, compare_year: int | None = None, province: str = DEFAULTS.province) -> YearPair:
    """Return the pair of years to compare: by default the latest year in the data and the one before.

    Raises:
        YearError: when a year asked for, or the default pair, is not in the data.

    >>> choose_years([2015, 2019, 2020])
    YearPair(year=2020, compare_year=2019, province='58')
    """
    available = sorted(set(years))
    if not available:
        raise YearError("the table holds no data: run `ictanalysis clean` first")
    defaulted = compare_year is None
    year = available[-1] if year is None else year
    compare_year = year - 1 if compare_year is None else compare_year
    missing = [y for y in (year, compare_year) if y not in available]
    if missing:
        said = [f"{y} (the year before {year})" if y == compare_year and defaulted else str(y) for y in missing]
        raise YearError(
            f"no data for {' and '.join(said)}: the table holds {', '.join(map(str, available))}"
            "; choose --year and --compare among them"
        )
    if year == compare_year:
        raise YearError(f"--year and --compare are both {year}: choose two different years")
    return YearPair(year, compare_year, province)


def raw_years(raw_dir: Path) -> list[int]:
    """Return the year folders of `raw_dir`.

    Raises:
        InputError: when the folder does not exist, cannot be listed or holds no year folder.
    """
    if not raw_dir.is_dir():
        raise InputError([Problem(str(raw_dir), message="the raw-data folder does not exist",
                                  expected="a folder with one sub-folder per year, e.g. data/raw/2020/ "
                                  "(`ictanalysis init DIR` lays out a project)")])  # fmt: skip
    try:
        years = year_folders(raw_dir)
    except OSError as exc:
        raise InputError([Problem(str(raw_dir), message=f"the raw-data folder cannot be listed ({exc.strerror})",
                                  expected="a folder that the user running ictanalysis may read")]) from None  # fmt: skip
    if not years:
        raise InputError([Problem(str(raw_dir), message="no year folder found",
                                  expected="sub-folders named by year, e.g. data/raw/2020/")])  # fmt: skip
    return years
