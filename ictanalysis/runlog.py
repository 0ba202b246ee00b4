"""The scheduled run's log: one new file per run in ``reports/logs/``, the package's records written to it.

A full disk loses log lines quietly (the run still says on the terminal why it
stops); the standard handler would print a traceback for every line it cannot write.
A failed report keeps its kernel's log in a folder of its own there (:func:`new_log_folder`).
The logs are kept for the settings' ``log_days`` (90 by default): :func:`remove_old_logs`,
called at the start of every scheduled run, removes the older ones, by their names only.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ictanalysis.errors import is_disk_full
from ictanalysis.outputs import LOG_NAMES, Outputs

__all__ = ["logging_to", "new_log", "new_log_folder", "remove_old_logs"]

_DAY = 86_400


def new_log(folder: Path, prefix: str = Outputs.RUN_LOG) -> Path:
    """Create and return a new, empty log file named after the current time (never reusing a name)."""
    return _new(folder, prefix, lambda path: os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)),
                ".log")  # fmt: skip


def new_log_folder(folder: Path, prefix: str = Outputs.REPORT_LOG) -> Path:
    """Create and return a new, empty folder of logs named after the current time: ``report-YYYYmmdd-HHMMSS[-n]``."""
    return _new(folder, prefix, Path.mkdir, "")


def _new(folder: Path, prefix: str, create, suffix: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{prefix}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for number in ("", *(f"-{n}" for n in range(1, 1000))):
        path = folder / f"{stem}{number}{suffix}"
        try:
            create(path)
            return path
        except FileExistsError:
            continue
    raise OSError(f"cannot create a log in {folder}")


def remove_old_logs(folder: Path, days: float, *, keep: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the logs in `folder` last changed more than `days` days ago; return them.

    Only what the package names there goes (:data:`~ictanalysis.outputs.LOG_NAMES`: run logs,
    crash logs, failed reports' folders); `keep` (the current run's log) always stays.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> old, new = new_log(folder), new_log(folder)
    >>> os.utime(old, (time.time() - 91 * 86_400,) * 2)
    >>> remove_old_logs(folder, 90) == [old], [p.name for p in folder.iterdir()] == [new.name]
    (True, True)
    """
    if not folder.is_dir():
        return []
    oldest = (time.time() if now is None else now) - days * _DAY
    removed = []
    for path in sorted(folder.iterdir()):
        if not LOG_NAMES.fullmatch(path.name) or (keep is not None and path.name == Path(keep).name):
            continue
        try:
            if path.lstat().st_mtime >= oldest:
                continue
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError:  # gone meanwhile, or held open (Windows): the next run tries again
            continue
        removed.append(path)
    return removed


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
