"""What can go wrong, as values: problems found in the input, and the exit codes.

Every stage collects the problems of a whole run and raises them together, so
an analyst fixes all of a year's workbooks in one pass rather than one error
per run. The CLI maps each error class to its documented exit code.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = ["ExitCode", "IctAnalysisError", "InputError", "Problem", "QualityError", "ReportError", "YearError"]


class ExitCode(enum.IntEnum):
    """The exit codes of the `ictanalysis` command (documented in the README)."""

    OK = 0
    INTERNAL = 1  #: a bug: the traceback is in the log
    USAGE = 2  #: the command line is wrong
    INPUT = 3  #: a raw workbook cannot be read or mapped
    QUALITY = 4  #: the quality gate failed
    REPORT = 5  #: the report could not be built
    DELIVERY = 6  #: the report could not be sent
    BUSY = 7  #: another run holds the lock


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be.

    Example:
        >>> print(Problem("2020/a.xlsx", "TB", "D12", "found 'abc'", "a number such as 1.234,5"))
        2020/a.xlsx, sheet 'TB', cell D12: found 'abc'; expected a number such as 1.234,5
    """

    file: str
    sheet: str = ""
    cell: str = ""
    message: str = ""
    expected: str = ""

    def sort_key(self) -> tuple:
        """Order problems by file, sheet, then cell as a reader scans it (C7 before C10)."""
        match = re.fullmatch(r"([A-Z]+)([0-9]+)", self.cell)
        cell = (int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, self.cell)
        return (self.file, self.sheet, cell, self.message)

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f", sheet {self.sheet!r}"
        if self.cell:
            where += f", cell {self.cell}"
        text = f"{where}: {self.message}"
        return f"{text}; expected {self.expected}" if self.expected else text


class IctAnalysisError(Exception):
    """Base of the errors the CLI reports without a traceback."""

    exit_code = ExitCode.INTERNAL


class InputError(IctAnalysisError):
    """The raw workbooks have problems; all of a run's problems travel together."""

    exit_code = ExitCode.INPUT

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=Problem.sort_key)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input")

    def __str__(self) -> str:
        return "\n".join([self.args[0] + ":", *(f"  - {p}" for p in self.problems)])


class YearError(IctAnalysisError):
    """The years asked for are not in the data."""

    exit_code = ExitCode.USAGE


class QualityError(IctAnalysisError):
    """The quality gate failed; the data-quality page says why."""

    exit_code = ExitCode.QUALITY

    def __init__(self, summary: str, page) -> None:
        super().__init__(f"{summary}\nSee {page}")
        self.page = page


class ReportError(IctAnalysisError):
    """The report could not be built; the last good report is untouched."""

    exit_code = ExitCode.REPORT
