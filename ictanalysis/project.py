"""Lay out a new project folder: the raw-data folders, a commented settings file, a layouts folder, the notebooks.

``ictanalysis init DIR`` is how an analyst who installed the package (from its
wheel, into a JupyterLab they already have) learns where things go, as
``kedro new`` or cookiecutter-data-science do. Nothing that exists is
overwritten, and a folder that already holds a project is refused.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from ictanalysis.errors import UsageError
from ictanalysis.report import NOTEBOOKS
from ictanalysis.settings import DEFAULTS, SETTINGS_FILE

__all__ = ["init"]

_TEMPLATES = Path(__file__).parent / "templates" / "project"


def init(folder: Path) -> list[str]:
    """Create a project in `folder` (made when missing) and return the lines that say what to do next.

    Creates ``ictanalysis.toml`` (every setting, commented), ``data/raw/`` with a note (a year
    folder holds that year's workbooks; an empty one would be an input error, so none is made),
    ``data/processed/``, ``reports/``, ``layouts/`` with a note, and ``notebooks/`` with the
    report and exploration notebooks.

    Raises:
        UsageError: `folder` already holds an ``ictanalysis.toml``, or is a file.

    Example:
        >>> import tempfile
        >>> made = Path(tempfile.mkdtemp()) / "so-tttt"
        >>> _ = init(made)
        >>> sorted(p.relative_to(made).as_posix() for p in made.rglob("*") if p.is_dir())
        ['data', 'data/processed', 'data/raw', 'layouts', 'notebooks', 'reports']
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: give the folder of the new project")
    if (folder / SETTINGS_FILE).exists():
        raise UsageError(f"{folder} already holds a project ({folder / SETTINGS_FILE}); nothing was changed")
    example = dt.date.today().year - 1  # a report is about the year before
    raw = folder / DEFAULTS.raw
    for path in (raw, folder / DEFAULTS.processed, folder / DEFAULTS.reports, folder / "layouts",
                 folder / "notebooks"):  # fmt: skip
        path.mkdir(parents=True, exist_ok=True)
    copies = [(_TEMPLATES / SETTINGS_FILE, folder / SETTINGS_FILE), (_TEMPLATES / "raw-README.md", raw / "README.md"),
              (_TEMPLATES / "layouts-README.md", folder / "layouts" / "README.md")]  # fmt: skip
    copies += [(n, folder / "notebooks" / n.name) for n in sorted([*NOTEBOOKS.glob("*.ipynb"), *NOTEBOOKS.glob("*.py")])]
    kept = [target for source, target in copies if not _copy(source, target)]
    return [
        f"Created the project {folder}:",
        f"  {folder / SETTINGS_FILE}   the settings (province, language, paths, mail), each explained",
        f"  {raw}/   make a folder per year ({raw / str(example)}/) and put the year's workbooks there, as received",
        f"  {folder / 'notebooks'}/   the report and exploration notebooks, to open in JupyterLab",
        *(f"  kept as it was: {target}" for target in kept),
        f"Next: cd {folder} && ictanalysis clean --check, then ictanalysis run",
    ]


def _copy(source: Path, target: Path) -> bool:
    """Copy `source` to `target` unless `target` exists; return whether it copied."""
    if target.exists():
        return False
    shutil.copyfile(source, target)
    return True
