"""The scheduled run's log: one new file per run in ``reports/logs/``, the package's records written to it.

A full disk loses log lines quietly (the run still says on the terminal why it
stops); the standard handler would print a traceback for every line it cannot write.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ictanalysis.errors import is_disk_full

__all__ = ["logging_to", "new_log"]


def new_log(folder: Path, prefix: str = "run") -> Path:
    """Create and return a new, empty log file named after the current time (never reusing a name)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{prefix}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for suffix in ("", *(f"-{n}" for n in range(1, 1000))):
        path = folder / f"{stem}{suffix}.log"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return path
        except FileExistsError:
            continue
    raise OSError(f"cannot create a log file in {folder}")


@contextmanager
def logging_to(path: Path) -> Iterator[logging.Logger]:
    """Send the package's log records to `path` for the block; restore the logger afterwards."""
    package = logging.getLogger("ictanalysis")
    handler = _LogFile(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    level, propagate = package.level, package.propagate
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    package.propagate = False
    try:
        yield logging.getLogger("ictanalysis.run")
    finally:
        package.removeHandler(handler)
        package.setLevel(level)
        package.propagate = propagate
        handler.close()


class _LogFile(logging.FileHandler):
    """The run's log file; on a full disk its lines are lost quietly."""

    def handleError(self, record: logging.LogRecord) -> None:
        if not is_disk_full(sys.exc_info()[1]):
            super().handleError(record)

    def close(self) -> None:
        try:
            super().close()
        except OSError as exc:  # the last lines could not be flushed
            if not is_disk_full(exc):
                raise
