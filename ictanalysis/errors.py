"""What can go wrong, as values: problems found in the input, and the exit codes.

Every stage collects the problems of a whole run and raises them together, so
an analyst fixes all of a year's workbooks in one pass rather than one error
per run. The CLI maps each error class to its documented exit code.
"""

from __future__ import annotations

import enum
import errno
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ictanalysis.text import one_line

__all__ = [
    "BusyError",
    "DeliveryError",
    "DiskFullError",
    "ExitCode",
    "IctAnalysisError",
    "MaybeDeliveredError",
    "OutputError",
    "InputError",
    "Problem",
    "QualityError",
    "ReportError",
    "UsageError",
    "YearError",
    "is_disk_full",
]


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
    OUTPUT = 8  #: an output could not be written: the disk (or the quota) is full, or a file is held open


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
        where = one_line(self.file)  # a file name may hold a line break or a terminal escape
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


class UsageError(IctAnalysisError, ValueError):
    """The command line or a parameter asks for something there is not (a language, a year)."""

    exit_code = ExitCode.USAGE


class YearError(UsageError):
    """The years asked for are not in the data."""


class QualityError(IctAnalysisError):
    """The quality gate failed, or did not pass the table and pair asked for; the data-quality page says why.

    `page` is None when there is no page to see (the table was never checked for the pair).
    """

    exit_code = ExitCode.QUALITY

    def __init__(self, summary: str, page) -> None:
        super().__init__(f"{summary}\nSee {page}" if page is not None else summary)
        self.page = page


class ReportError(IctAnalysisError):
    """The report could not be built; the last good report is untouched."""

    exit_code = ExitCode.REPORT


class BusyError(IctAnalysisError):
    """Another process holds the lock on the reports folder."""

    exit_code = ExitCode.BUSY


class DeliveryError(IctAnalysisError):
    """The report could not be delivered (or the mail settings are wrong); the .eml stays on disk."""

    exit_code = ExitCode.DELIVERY


class MaybeDeliveredError(DeliveryError):
    """The whole message went out and the server's answer did not come back: it may have been delivered.

    Not retried (a retry could deliver it twice); the ledger records the attempt, so a later
    ``send`` does not send it again unless ``--resend``.
    """


class OutputError(IctAnalysisError):
    """An output could not be written: the disk is full, or the file is held by another program."""

    exit_code = ExitCode.OUTPUT


class DiskFullError(OutputError):
    """The disk (or the user's quota) filled up while an output was written.

    Nothing half-written is left: the file being replaced keeps its previous content
    and the temporary file is removed. Whatever stage was writing, the exit code is
    :attr:`ExitCode.OUTPUT`: a scheduler can tell "make room" from "fix the data".

    Example:
        >>> str(DiskFullError("/nonexistent/indicators.csv", free=0))
        'disk full while writing /nonexistent/indicators.csv: 0 bytes free there; free some space and run again (the previous file is kept)'
    """

    def __init__(self, path: str | Path | None, *, free: int | None = None) -> None:
        self.path = Path(path) if path else None  # None: the system did not say which file (write(2) does not)
        self.free = _free_bytes(self.path) if free is None and self.path else free
        room = f": {_size(self.free)} free there" if self.free is not None else ""
        where = one_line(str(path)) if path else "an output file"
        super().__init__(f"disk full while writing {where}{room}; free some space and run again "
                         f"(the previous file is kept)")  # fmt: skip


def is_disk_full(error: BaseException) -> bool:
    """Return whether `error` is the operating system saying the disk or the quota is full."""
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def _free_bytes(path: Path) -> int | None:
    """Return the bytes free on the file system holding `path` (its nearest existing folder)."""
    for folder in (path, *path.parents):
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return None


def _size(count: int) -> str:
    """Return a byte count for people: ``0 bytes``, ``12 KB``, ``3.4 MB``."""
    if count < 1000:
        return f"{count} bytes"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"
