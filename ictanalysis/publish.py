"""Publish a set of files and folders as one unit: a roll-forward journal completes what a killed process began.

A report folder's build (``annual_report.html``, ``annual_report.ipynb``, ``charts/``) and
the tidy table's pair (``indicators.parquet``, ``indicators.csv``) must each change as a
whole. Replacing several files in one step is not portable (Windows has no
``RENAME_EXCHANGE``), so :func:`publish` goes forward in steps that can always be finished:

1. the new set is complete in a staging folder (``.staging-<pid>/``) and flushed to disk;
2. a journal, ``.publishing.json``, is written atomically beside the targets: the process
   (its id and start time), the staging folder and every move, source → target;
3. the moves are done in order: a target folder is first moved aside into the staging
   folder, then the new one takes its place; a file is renamed over the old one;
4. the journal is removed, and only then the staging folder (with the old versions).

A process killed (SIGKILL, power cut) before step 2 leaves the old set untouched (and a
staging folder that :func:`ictanalysis.atomic.remove_stale` sweeps later); killed after it,
it leaves the journal and the staging folder, and the next command that takes the lock
calls :func:`finish_interrupted` before anything else: it redoes the moves not yet done
(each one can be redone) and removes the journal. A folder therefore holds either the old
set or the new one, except between a kill and the next command, while the journal is
there: a reader who finds ``.publishing.json`` in ``reports/<year>/`` or in the processed
folder is looking at a publish half done (the journal says which files are new); running
any ``ictanalysis`` command that writes completes it.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("old")
    >>> [p.name for p in publish_files([(folder / "a.csv", lambda p: p.write_text("new")),
    ...                                 (folder / "b.csv", lambda p: p.write_text("new too"))])]
    ['a.csv', 'b.csv']
    >>> sorted(p.name for p in folder.iterdir()), (folder / "a.csv").read_text()
    (['a.csv', 'b.csv'], 'new')
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.atomic import check_replaceable, fsync_file, fsync_folder, write_atomically, write_synced
from ictanalysis.errors import BusyError, OutputError
from ictanalysis.outputs import Outputs, journal_in, staging_in

__all__ = ["discard", "finish", "finish_interrupted", "prepare", "publish", "publish_files", "staging_needed"]

Writer = Callable[[Path], object]
_ASIDE = ".replaced"  #: the folder of the staging folder where the versions replaced wait for their removal


def finish_interrupted(outputs: Outputs, *, table: bool = True, reports: bool = True) -> list[Path]:
    """Complete every publish a process that is gone left half done under the processed and reports folders.

    Call it once the lock is held, before anything else is read or written, for the folders that lock
    covers (`table`: the processed folder; `reports`: the year folders), so that two commands never
    complete the same journal at once. Returns the
    journals it completed (none, almost always). A publish of a process still running is left to it.

    Raises:
        OutputError: a target is held open by another program (Windows), or a journal cannot be read;
            the journal stays, and the next command tries again.
    """
    folders = [*([outputs.processed] if table else []),
               *(folder.path for folder in (outputs.year_folders() if reports else []))]  # fmt: skip
    return [journal for journal in map(journal_in, folders) if journal.is_file() and finish(journal)]


def finish(journal: Path) -> bool:
    """Complete the publish `journal` records, unless its process is still running; return whether it did."""
    record = _Journal.read(journal)
    if record.pid != os.getpid() and _running(record.pid, record.started):
        return False
    record.roll_forward()
    record.close()
    return True


def prepare(folder: Path) -> Path:
    """Return a fresh staging folder of this process for a publish into `folder`, having completed an interrupted one.

    Raises:
        BusyError: another process that is still running is publishing into `folder`.
        OutputError: an interrupted publish there cannot be completed (see :func:`finish_interrupted`).
    """
    journal = journal_in(folder)
    if journal.is_file() and not finish(journal):
        raise BusyError(f"another process is publishing into {folder} (its journal: {journal}); try again later")
    staging = staging_in(folder, os.getpid())
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def discard(staging: Path, journal: Path) -> None:
    """Remove a staging folder after a publish or a failure, unless `journal` still needs it."""
    if staging.name not in staging_needed(journal.parent):
        shutil.rmtree(staging, ignore_errors=True)


def staging_needed(folder: Path) -> set[str]:
    """Return the names of the staging folders in `folder` that its journal still needs (none without a journal)."""
    journal = journal_in(folder)
    if not journal.is_file():
        return set()
    try:
        return {_Journal.read(journal).staging.name}
    except OutputError:  # unreadable: keep every staging folder, a person has to look
        return {path.name for path in folder.iterdir()}


def publish_files(files: Sequence[tuple[Path, Writer]]) -> list[Path]:
    """Write files of one folder through their writers into a staging folder, then publish them as one unit.

    A failure while writing leaves every target as it was, and no staging folder.

    Raises:
        DiskFullError: the disk filled up while a file was written (named as its target); nothing is replaced.
        OutputError: a target is held open by another program (Windows) or read-only.
    """
    folder = files[0][0].parent
    folder.mkdir(parents=True, exist_ok=True)
    staging = prepare(folder)
    try:
        for target, write in files:
            write_synced(staging / target.name, write, target=target)
        publish([(staging / target.name, target) for target, _ in files], staging=staging, journal=journal_in(folder))
    finally:
        discard(staging, journal_in(folder))
    return [target for target, _ in files]


def publish(moves: Sequence[tuple[Path, Path]], *, staging: Path, journal: Path, remove: Sequence[Path] = ()) -> None:
    """Replace each target of `moves` by its source (in `staging`) and take away `remove`, as one unit.

    Every source must be complete. A source file is flushed to disk here, before the journal
    is written; a source folder's entries are too, but its files must have been flushed as
    they were written (:func:`ictanalysis.atomic.write_atomically` does so; a report's charts
    folder holds a few hundred). A target folder is replaced whole. Nothing is changed when a
    target is held open (checked for all first); a target refused later leaves the journal,
    and the next command completes the publish.

    Raises:
        OutputError: a target is held open by another program (Windows) or read-only.
    """
    for source, _ in moves:
        _flush(source)
    fsync_folder(staging)
    for target in [target for _, target in moves] + list(remove):
        _check(target)
    record = _Journal.of(journal, staging, [*moves, *((None, target) for target in remove)])
    record.write()
    record.roll_forward()
    record.close()


@dataclass
class _Journal:
    """The record of one publish: whose it is, its staging folder and its moves, paths relative to its folder."""

    path: Path
    pid: int
    started: float
    staging: Path
    moves: list[dict] = field(default_factory=list)  #: {"from": source or None (a removal), "to": target, "aside": …}

    @classmethod
    def of(cls, path: Path, staging: Path, moves: Iterable[tuple[Path | None, Path]]) -> _Journal:
        aside = Path(staging) / _ASIDE
        listed = [{"from": None if source is None else _relative(source, path.parent), "to": _relative(target, path.parent),
                   "aside": _relative(aside / str(number), path.parent)}
                  for number, (source, target) in enumerate(moves)]  # fmt: skip
        return cls(path, os.getpid(), _started(os.getpid()), Path(staging), listed)

    @classmethod
    def read(cls, path: Path) -> _Journal:
        """Read the journal at `path`.

        Raises:
            OutputError: it is not a journal this module wrote.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, int(data["pid"]), float(data["started"]), path.parent / data["staging"], list(data["moves"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutputError(f"cannot read the publish journal {path} ({type(exc).__name__}: {exc}): look at "
                              f"{path.parent} and remove the journal once it holds one whole version") from None  # fmt: skip

    def write(self) -> None:
        """Write the journal atomically and flush its folder: from now on the publish is completed whatever happens."""
        text = json.dumps({"pid": self.pid, "started": self.started, "staging": _relative(self.staging, self.path.parent),
                           "moves": self.moves}, indent=1)  # fmt: skip
        write_atomically(self.path, lambda p: p.write_text(text, encoding="utf-8"))
        fsync_folder(self.path.parent)

    def roll_forward(self) -> None:
        """Do every move not yet done; each is done once whatever was done before (its source is gone after it)."""
        for move in self.moves:
            source, target, aside = (None if move["from"] is None else self._path(move["from"]), self._path(move["to"]),
                                     self._path(move["aside"]))  # fmt: skip
            replaced = os.path.lexists(target) and (source is None or target.is_dir() or source.is_dir())
            if (source is None or os.path.lexists(source)) and replaced:
                if os.path.lexists(aside):  # only if the target was made again after it was moved aside
                    _remove(aside)
                aside.parent.mkdir(parents=True, exist_ok=True)
                self._move(target, aside)
            if source is not None and os.path.lexists(source):
                self._move(source, target)

    def close(self) -> None:
        """Flush the moves to disk, remove the journal, then the staging folder (with the versions replaced)."""
        for folder in {self._path(move["to"]).parent for move in self.moves} | {self.staging, self.staging / _ASIDE}:
            fsync_folder(folder)
        self.path.unlink(missing_ok=True)
        fsync_folder(self.path.parent)
        shutil.rmtree(self.staging, ignore_errors=True)

    def _path(self, relative: str) -> Path:
        return self.path.parent / relative

    def _move(self, source: Path, target: Path) -> None:
        try:
            os.replace(source, target)
        except PermissionError:
            raise OutputError(f"cannot replace {target}: it is open in another program or read-only; close it and run "
                              f"again: the next command completes the publish {self.path} records") from None  # fmt: skip


def _flush(source: Path) -> None:
    """Flush a file to disk; of a folder, its entries and its sub-folders' (its files were flushed as they were written)."""
    if source.is_dir():
        for path in sorted(p for p in source.rglob("*") if p.is_dir()):
            fsync_folder(path)
        fsync_folder(source)
    else:
        fsync_file(source)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _check(target: Path) -> None:
    """Refuse a target (a file, or the files of a folder) that another program holds open."""
    for path in sorted(target.iterdir()) if target.is_dir() else [target]:
        check_replaceable(path)


def _relative(path: Path, folder: Path) -> str:
    """Return `path` relative to `folder` (the journal then survives the project folder being moved)."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder))).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(os.path.abspath(path)).as_posix()


def _started(pid: int) -> float:
    """Return when process `pid` started (with its id, what tells it from a later process given the same id)."""
    import psutil

    return psutil.Process(pid).create_time()


def _running(pid: int, started: float) -> bool:
    """Return whether the process that wrote a journal still runs: its id, started when it says, and no zombie.

    psutil, not ``os.kill(pid, 0)``: on Windows that call terminates the process.
    """
    import psutil

    try:
        process = psutil.Process(pid)
        return abs(process.create_time() - started) < 1.0 and process.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, OverflowError, ValueError):  # gone, or no process id at all
        return False
    except psutil.AccessDenied:  # another user's process: leave its publish to it
        return True
