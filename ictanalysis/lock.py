"""The locks of a project's outputs, so that two writers never overlap, on Linux, macOS and Windows alike.

Every command that writes shared outputs holds a lock while it writes: the
reports folder's (``reports/.run.lock``) for ``validate``, ``report`` and
``send``; the processed folder's (``processed/.table.lock``) for ``clean``;
both for ``run``, which writes both (the reports folder's first, so that no
two holders can wait for each other). So a ``clean`` typed by hand never
rewrites the tidy table under a scheduled run, and two ``send`` never both
send. :func:`holding` takes them with `filelock` (``flock`` on POSIX,
``LockFileEx`` on Windows: the operating system releases a lock when its
process ends, crash or SIGKILL included), waits up to `wait` seconds for
another holder, then stops with :class:`~ictanalysis.errors.BusyError` (exit 7)
naming it. The holder writes who it is (the command, process id, start time)
beside the lock (``.run.lock.json``), for the message a waiting process gives.
Once it holds its locks, a command first completes any publish a killed one
left half done (:func:`ictanalysis.publish.finish_interrupted`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ictanalysis.errors import BusyError, DiskFullError, is_disk_full
from ictanalysis.outputs import Outputs

__all__ = ["SCOPES", "holding", "now"]

#: What each scope locks: the reports folder, the processed folder (the tidy table), or both.
SCOPES = ("reports", "table", "all")


@contextmanager
def holding(outputs: Outputs, wait: float = 0.0, command: str = "run", scope: str = "all") -> Iterator[None]:
    """Hold the locks of `outputs` that `scope` names for the block, as `command` (named to whoever waits).

    Raises:
        BusyError: another process held a lock for longer than `wait` seconds (all the locks together).
        DiskFullError: the holder's record could not be written (the lock is then released).
        OutputError: a publish left half done could not be completed (a file held open); the lock is released.
    """
    locks = {"reports": [(outputs.lock, outputs.lock_holder)],
             "table": [(outputs.table_lock, outputs.table_lock_holder)]}  # fmt: skip
    locks["all"] = locks["reports"] + locks["table"]  # always in this order
    deadline = time.monotonic() + max(wait, 0.0)  # one wait for all the locks, not one each
    with ExitStack() as stack:
        for lock, holder in locks[scope]:
            stack.enter_context(_holding(lock, holder, max(deadline - time.monotonic(), 0.0), command))
        from ictanalysis.publish import finish_interrupted

        covered = {"table": scope != "reports", "reports": scope != "table"}  # only what this lock covers
        for journal in finish_interrupted(outputs, **covered):  # a publish a killed command left half done first
            logging.getLogger(__name__).info("completed the publish a killed command left half done: %s", journal)
        yield


@contextmanager
def _holding(path: Path, holder: Path, wait: float, command: str) -> Iterator[None]:
    """Hold the lock file `path` for the block, saying who holds it in `holder`."""
    import filelock

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, timeout=max(wait, 0.0))
    try:
        lock.acquire(poll_interval=0.1)
    except filelock.Timeout:
        raise BusyError(f"{_holder(holder)}; try again later or pass --wait SECONDS") from None
    try:
        _write_holder(path, holder, command)
        try:
            yield
        finally:
            _remove_holder(holder)
    finally:
        lock.release()  # whatever happened to the holder's record


def now() -> str:
    """Return the local time as the logs and records write it: ``2026-12-01 06:00:00``."""
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def _write_holder(lock: Path, holder: Path, command: str) -> None:
    record = json.dumps({"pid": os.getpid(), "started": now(), "command": command})
    try:  # a full disk fails here, while the lock is held, rather than unnoticed later
        holder.write_text(record, encoding="utf-8")
    except OSError as exc:
        holder.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFullError(lock) from None
        raise


def _remove_holder(holder: Path) -> None:
    try:
        holder.unlink(missing_ok=True)
    except OSError:  # another process reads it (Windows refuses to remove an open file): the next holder rewrites it
        pass


def _holder(holder: Path) -> str:
    """Say who holds the lock: "another run holds the lock (pid 12, started …)", or ``ictanalysis send``."""
    try:
        found = json.loads(holder.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        found = {}
    found = found if isinstance(found, dict) else {}
    command = found.get("command", "command" if not found else "run")  # no record yet: it is being written
    who = {"run": "another run", "command": "another command"}.get(command, f"another `ictanalysis {command}`")
    return f"{who} holds the lock (pid {found.get('pid', '?')}, started {found.get('started', '?')})"
