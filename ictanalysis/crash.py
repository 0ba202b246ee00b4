"""When a command fails unexpectedly (a bug): one line on the terminal, the whole traceback in a log file.

The log goes to the reports folder's ``logs/`` (``reports/logs`` by default),
or to the system's temporary folder when that cannot be written; whatever
happens, reporting the crash never raises. The scheduled run removes the crash logs
of ``reports/logs/`` after the settings' ``log_days``, with the run logs
(:func:`ictanalysis.runlog.remove_old_logs`; their names:
:data:`ictanalysis.outputs.LOG_NAMES`).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

from ictanalysis.errors import ExitCode

__all__ = ["report_crash"]


def report_crash(command: str, exc: BaseException, logs: Path) -> int:
    """Say in one line on stderr that `command` failed unexpectedly; write the traceback to a log in `logs`.

    Never raises: a log that cannot be written, or a terminal that is gone,
    leaves the exit code as it is.
    """
    log = _write_crash_log(command, "".join(traceback.format_exception(exc)), logs)
    where = f"details in {log}" if log else "no log file could be written"
    if isinstance(exc, MemoryError):
        summary = ("MemoryError: out of memory; the input is larger than this machine can hold even within "
                   "the limits of ictanalysis/workbook/limits.py (MAX_FILE_BYTES, MAX_SHEET_CELLS…): "
                   "close other programs, or lower those limits")  # fmt: skip
    else:
        summary = f"{type(exc).__name__}: {_first_line(exc)}"
    try:
        print(f"internal error: {summary} ({where})", file=sys.stderr)
    except (OSError, ValueError):
        pass
    return ExitCode.INTERNAL


def _first_line(exc: BaseException) -> str:
    try:
        lines = str(exc).strip().splitlines()
    except Exception:  # an exception whose message cannot be built
        return "(no message)"
    line = lines[0] if lines else ""
    return line if len(line) <= 200 else line[:199] + "…"


def _write_crash_log(command: str, details: str, logs: Path) -> Path | None:
    """Write `details` to a new ``ictanalysis-<command>-<time>.log``; return its path, or None if none could be written.

    Tries `logs`, then the system's temporary folder.
    """
    stem = f"ictanalysis-{command}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for folder in _crash_log_folders(logs):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return _new_log_file(folder, stem, details)
        except (OSError, ValueError):
            continue
    return None


def _crash_log_folders(logs: Path) -> Iterator[Path]:
    yield logs
    try:
        temporary = Path(tempfile.gettempdir())
    except OSError:  # no usable temporary folder at all
        return
    yield temporary


def _new_log_file(folder: Path, stem: str, details: str) -> Path:
    """Write `details` to a file named `stem` (or `stem-1`, `stem-2`…) that did not exist before."""
    for suffix in ("", *(f"-{n}" for n in range(1, 100))):
        path = folder / f"{stem}{suffix}.log"
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as log:
            log.write(details)
        return path
    raise FileExistsError(f"no free log name for {stem} in {folder}")
