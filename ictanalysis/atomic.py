"""Write output files so that a reader never sees half of one.

Each file is written under a temporary name in its own folder, flushed to disk
and renamed over the target, which is atomic on POSIX file systems. Until the
rename the previous file stays as it was; a failure removes the temporary file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["write_atomically", "write_files_atomically"]

Writer = Callable[[Path], object]


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

    A failure in any writer leaves every target as it was.
    """
    temporaries: list[Path] = []
    try:
        for target, write in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Named, not created, here: the writer creates it with the usual mode (mkstemp's is 0600).
            temporaries.append(target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            write(temporaries[-1])
            _fsync(temporaries[-1])
        for temporary, (target, _) in zip(temporaries, files, strict=True):
            os.replace(temporary, target)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
    return [target for target, _ in files]


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
