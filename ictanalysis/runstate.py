"""Whether a scheduled run has anything to do: digests of its inputs, and the record of the last success.

A run's fingerprint is the sha256 of every file under the raw folder (path,
size, content), of the package's code, templates, catalog, words and
notebooks, and of its parameters as asked (the years given, or none: the same
raw data and code give the same table, hence the same pair). A successful run
records it, with the pair it chose and the digests of the files it left, in
``reports/<year>/.run-state.json``; the next run with the same fingerprint and
untouched outputs is up to date. Standard library only: an up-to-date run
reads no table and imports neither pandas nor pyarrow.

The report stage removes the year's record (:func:`forget`) before it begins to publish
a new build, so a run killed while publishing is redone by the next run, never taken for
up to date. The tidy table needs no such step: the record holds its digest, and a table
published since (whole or, after a kill, completed by the next command) differs from it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ictanalysis.atomic import fsync_folder, write_atomically
from ictanalysis.lock import now
from ictanalysis.outputs import ReportFolder
from ictanalysis.settings import Settings
from ictanalysis.years import YearPair

__all__ = ["fingerprint", "forget", "last_state", "read_state", "unchanged_since", "why_rebuild", "write_state"]

_PACKAGE = Path(__file__).resolve().parent
_CODE_SUFFIXES = {".py", ".ipynb", ".yaml", ".j2", ".json", ".po"}


def fingerprint(settings: Settings, year: int | None, compare_year: int | None) -> dict[str, str]:
    """Return sha256 digests of the raw folder, the code and the parameters of a run asked for these years."""
    code = [p for p in sorted(_PACKAGE.rglob("*")) if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts]
    parameters = {"year": year, "compare_year": compare_year, "province": settings.province,
                  "language": settings.language, "raw": str(settings.raw.resolve()),
                  "processed": str(settings.processed.resolve()),
                  "layouts": [str(p.resolve()) for p in settings.layouts]}  # fmt: skip
    return {
        "raw data": _digest_files(settings.raw, sorted(p for p in settings.raw.rglob("*") if p.is_file())),
        "code": _digest_files(_PACKAGE.parent, code),
        "parameters": hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest(),
    }


def read_state(folder: ReportFolder) -> dict:
    """Return the record of the last successful run in `folder` ({} when there is none or it is unreadable)."""
    try:
        return json.loads(folder.run_state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def last_state(settings: Settings, current: dict[str, str], year: int | None) -> tuple[ReportFolder | None, dict]:
    """Return the folder and record of the last successful run asked as this one (with its parameters).

    With a year, that year's folder; without one, the most recent record whose parameters
    are the same (a run asked for the default pair), in whichever year folder it chose.
    """
    folders = [settings.outputs.year(year)] if year is not None else settings.outputs.year_folders()
    found = [(folder, read_state(folder)) for folder in folders]
    same = [(f, s) for f, s in found if s.get("fingerprint", {}).get("parameters") == current["parameters"]]
    return max(same, key=lambda pair: pair[1].get("finished", ""), default=(None, {}))


def why_rebuild(state: dict, current: dict[str, str], settings: Settings, folder: ReportFolder, *,
                force: bool, send: bool) -> str | None:  # fmt: skip
    """Return why the run must do something (None when the report is up to date)."""
    if force:
        return "--force"
    if not state:
        return "no earlier successful run"
    changed = [name for name, digest in current.items() if state.get("fingerprint", {}).get(name) != digest]
    if changed:
        return " and ".join(changed) + " changed"
    stored = state.get("outputs", {})
    for name, path in _output_files(settings, folder, (state.get("years") or [None, None])[-1]).items():
        if not path.is_file() or stored.get(name) != _sha256(path):
            return f"{path} is missing or was changed since the last run"
    if send and state.get("sent") != _mail_digest(settings):
        return "not sent yet"
    return None


def write_state(settings: Settings, current: dict[str, str], pair: YearPair, *, send: bool) -> None:
    """Record a successful run's fingerprint, pair and output digests in the report year's run state (atomically)."""
    folder = settings.outputs.year(pair.year)
    outputs = {name: _sha256(path) for name, path in _output_files(settings, folder, pair.compare_year).items()}
    state = {"fingerprint": current, "outputs": outputs, "sent": _mail_digest(settings) if send else None,
             "years": [pair.year, pair.compare_year], "finished": now()}  # fmt: skip
    text = json.dumps(state, indent=2)
    write_atomically(folder.run_state, lambda p: p.write_text(text, encoding="utf-8"))


def forget(folder: ReportFolder) -> None:
    """Remove the record of the last successful run in `folder`, durably: the next run then rebuilds.

    Called before a new report is published there, so that a run killed while publishing is not up to date.
    """
    folder.run_state.unlink(missing_ok=True)
    fsync_folder(folder.path)


def unchanged_since(state: dict) -> str:
    """Say since when nothing changed, for the up-to-date message."""
    return f"raw data, code and parameters unchanged since {state.get('finished', '?')}; --force rebuilds it"


def _output_files(settings: Settings, folder: ReportFolder, compare_year: int | None) -> dict[str, Path]:
    """Return the files a successful run against `compare_year` leaves, by name; an up-to-date run needs them unchanged."""
    files = {"report": folder.report, "notebook": folder.notebook, "quality": folder.quality_json(compare_year)}
    return {**files, "table": settings.outputs.written_table}


def _mail_digest(settings: Settings) -> str:
    """Return a digest of the mail settings, without the password (which their repr leaves out).

    A run that sent (or wrote the .eml) under other settings is not up to date: its
    send stage runs again, and :mod:`ictanalysis.deliver` sends only what was not sent yet.
    """
    return hashlib.sha256(repr(settings.mail).encode()).hexdigest()


def _digest_files(root: Path, files: list[Path]) -> str:
    total = hashlib.sha256()
    for path in files:
        total.update(f"{path.relative_to(root).as_posix()}\0{path.stat().st_size}\0{_sha256(path)}\n".encode())
    return total.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
