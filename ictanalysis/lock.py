"""The one lock of a reports folder, so that two writers never overlap, on Linux, macOS and Windows alike.

:func:`holding` takes ``reports/.run.lock`` with `filelock` (``flock`` on
POSIX, ``LockFileEx`` on Windows: the operating system releases it when the
process ends, crash or SIGKILL included), waits up to `wait` seconds for
another holder, then stops with :class:`~ictanalysis.errors.BusyError`
(exit 7) naming it. The holder writes who it is (process id, start time)
beside the lock, in ``.run.lock.json``, for the message a waiting process gives.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ictanalysis.errors import BusyError, DiskFullError, is_disk_full
from ictanalysis.outputs import Outputs

__all__ = ["holding", "now"]


@contextmanager
def holding(outputs: Outputs, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock of `outputs`' reports folder for the block.

    Raises:
        BusyError: another process held it for longer than `wait` seconds.
        DiskFullError: the holder's record could not be written (the lock is then released).
    """
    import filelock

    outputs.reports.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(outputs.lock, timeout=max(wait, 0.0))
    try:
        lock.acquire(poll_interval=0.1)
    except filelock.Timeout:
        raise BusyError(f"another run holds the lock ({_holder(outputs)}); try again later or pass --wait SECONDS") from None
    try:
        _write_holder(outputs)
        try:
            yield
        finally:
            _remove_holder(outputs)
    finally:
        lock.release()  # whatever happened to the holder's record


def now() -> str:
    """Return the local time as the logs and records write it: ``2026-12-01 06:00:00``."""
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def _write_holder(outputs: Outputs) -> None:
    record = json.dumps({"pid": os.getpid(), "started": now()})
    try:  # a full disk fails here, while the lock is held, rather than unnoticed later
        outputs.lock_holder.write_text(record, encoding="utf-8")
    except OSError as exc:
        outputs.lock_holder.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFullError(outputs.lock) from None
        raise


def _remove_holder(outputs: Outputs) -> None:
    try:
        outputs.lock_holder.unlink(missing_ok=True)
    except OSError:  # another process reads it (Windows refuses to remove an open file): the next holder rewrites it
        pass


def _holder(outputs: Outputs) -> str:
    try:
        holder = json.loads(outputs.lock_holder.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    return f"pid {holder.get('pid', '?')}, started {holder.get('started', '?')}"
