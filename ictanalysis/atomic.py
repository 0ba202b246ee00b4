"""Write output files so that a reader never sees half of one.

Each file is written under a temporary name in its own folder, flushed to disk
and renamed over the target (``os.replace``), which is atomic on POSIX and NTFS file systems. Until the
rename the previous file stays as it was; a failure removes the temporary file,
and a full disk is reported as :class:`~ictanalysis.errors.DiskFullError`.

A process killed while writing (SIGKILL, power cut) cannot remove its temporary
file: :func:`remove_stale` removes such leftovers later, by their name.

Each file of :func:`write_files_atomically` is whole, but the set is not replaced in one
step; files that must change together (the tidy table's pair, a report folder) are
published through :mod:`ictanalysis.publish`, which builds on the pieces here.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from ictanalysis.errors import DiskFullError, OutputError, is_disk_full

__all__ = ["TEMPORARY_NAME", "check_replaceable", "fsync_file", "fsync_folder", "remove_stale", "replace",
           "write_atomically", "write_files_atomically", "write_synced"]  # fmt: skip

Writer = Callable[[Path], object]

#: How a file is called while it is written: ``.NAME.PID.RANDOM.tmp``, beside its target.
TEMPORARY_NAME = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]{8}\.tmp")


def write_atomically(target: Path, write: Writer) -> Path:
    """Write one file through `write(temporary_path)`, then rename it to `target`.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomically(folder / "a.txt", lambda p: p.write_text("xin chào")).read_text()
    'xin chào'
    """
    return write_files_atomically([(target, write)])[0]


def write_files_atomically(files: Sequence[tuple[Path, Writer]]) -> list[Path]:
    """Write every file to a temporary name first, and rename them only when all are written.

    A failure in any writer leaves every target as it was, and so does a target that
    another program holds open (checked for all before any is renamed). (The renames are
    not one step: a process killed between two of them leaves the first file new, the
    others as they were, each one whole.)

    Raises:
        DiskFullError: the disk or the quota filled up; no temporary file is left.
        OutputError: a target is held open by another program (Windows) or read-only.
    """
    temporaries: list[Path] = []
    try:
        for target, write in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Named, not created, here: the writer creates it with the usual mode (mkstemp's is 0600).
            temporaries.append(target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            write_synced(temporaries[-1], write, target=target)
        for target, _ in files:
            check_replaceable(target)
        for number, (temporary, (target, _)) in enumerate(zip(temporaries, files, strict=True)):
            replace(temporary, target, already=[t for t, _ in files[:number]])
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return [target for target, _ in files]


def write_synced(path: Path, write: Writer, *, target: Path | None = None) -> Path:
    """Write `path` through `write(path)` and flush it to disk; return it.

    Raises:
        DiskFullError: the disk or the quota filled up, naming `target` (the file `path` stands for) or `path`.
    """
    try:
        write(path)
        _fsync(path)
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(target or path) from None
        raise
    return path


def replace(source: Path, target: Path, *, already: Sequence[Path] = ()) -> None:
    """Rename `source` (a file or a folder) over `target`; a target held by another program is an OutputError.

    `already` names the files of the same set replaced before this one, for the message.
    """
    try:
        os.replace(source, target)
    except PermissionError:
        kept = f"{', '.join(map(str, already))} already replaced" if already else "the previous file is kept"
        raise OutputError(f"{_HELD.format(target=target)}; close it and run again ({kept})") from None


def check_replaceable(target: Path) -> None:
    """Refuse a target file that cannot be opened for writing: on Windows, another program holds it open.

    Raises:
        OutputError: naming the file and saying the previous one is kept.
    """
    if not target.is_file():
        return
    try:
        with open(target, "rb+"):
            pass
    except PermissionError:
        raise OutputError(f"{_HELD.format(target=target)}; close it and run again (the previous file is kept)") from None


_HELD = "cannot replace {target}: it is open in another program (Excel keeps the files it shows open) or read-only"


def fsync_file(path: Path) -> None:
    """Flush the file at `path` to disk (a full disk is an OSError, as from the write)."""
    _fsync(path)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:  # writable: Windows' fsync refuses a read-only handle
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (the renames and removals in it) to disk, where the system allows it.

    POSIX needs this for a rename to survive a power cut; Windows cannot open a folder
    as a file (NTFS journals its folders itself), and there this does nothing.
    """
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # a file system that cannot flush a folder: nothing more to do
        pass
    finally:
        os.close(descriptor)


def remove_stale(folder: Path, *, older_than: float, names: re.Pattern[str] = TEMPORARY_NAME,
                 keep: Collection[str] = ()) -> list[Path]:  # fmt: skip
    """Remove what killed writers left in `folder`: files or folders named like `names`; return them.

    Only an entry whose name carries the id of a process that is no longer running
    (the ``pid`` group of `names`) and that was last modified before `older_than`
    (a :func:`time.time` value) is removed; a writer still at work keeps its file,
    and so does an entry named in `keep` (a staging folder a publish journal still needs).
    A missing `folder` has nothing to remove.

    >>> import tempfile, time
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".a.csv.999999999.0123abcd.tmp").write_text("half")
    >>> _ = (folder / f".b.csv.{os.getpid()}.0123abcd.tmp").write_text("being written")
    >>> [p.name for p in remove_stale(folder, older_than=time.time() + 1)]
    ['.a.csv.999999999.0123abcd.tmp']
    """
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        found = names.fullmatch(path.name)
        if not found or path.name in keep or _running(int(found["pid"])) or path.lstat().st_mtime >= older_than:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    """Return whether a process `pid` exists (this one included), on any operating system.

    psutil, not ``os.kill(pid, 0)``: on Windows that call terminates the process.
    """
    import psutil

    try:
        return psutil.pid_exists(pid)
    except (OverflowError, ValueError):  # too large, or negative: not a process id
        return False
