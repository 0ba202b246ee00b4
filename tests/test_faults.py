"""Faults: a run killed at random instants, a full disk, a notebook cell that hangs or kills its kernel.

Each test meets one fault the way a machine meets it and checks what the user is
left with: a clear message and the stage's exit code, every output either as it
was or a complete new version (never half of one), no temporary file once the
next run is over, and no kernel or child process left running.

The kill test replays its schedule from a seed: it prints the seed and every kill
(stage window, fraction, instant); ``FAULTS_SEED=<seed>`` replays one.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from conftest import BUNDLED_RAW, build_once

from ictanalysis import atomic, cli
from ictanalysis.atomic import TEMPORARY_NAME
from ictanalysis.errors import DiskFullError, ExitCode
from ictanalysis.outputs import Outputs, ReportFolder
from ictanalysis.publish import finish_interrupted
from ictanalysis.report import build_report

pytestmark = pytest.mark.slow

YEAR = "2020"
MARK = "FAULTS_TEST_MARK"  # in the environment of every process a test starts, so that none escapes the count
POPULATION = Path(YEAR) / "dan-so-2020.csv"
TABLE = ("processed/indicators.parquet", "processed/indicators.csv")
REPORT = tuple(f"reports/{YEAR}/{name}" for name in ("quality/2020-vs-2019.json", "quality/2020-vs-2019.html",
                                                      "annual_report.html", "annual_report.ipynb", ".run-state.json"))  # fmt: skip
STATE = f"reports/{YEAR}/.run-state.json"
LEFTOVER = re.compile(rf"{TEMPORARY_NAME.pattern}|\.staging-[0-9]+|\.charts-old-[0-9]+|annual_report\.failed\.ipynb|"
                      r"\.publishing\.json")  # fmt: skip


# --- processes, commands --------------------------------------------------------------------------


def _env(token: str) -> dict[str, str]:
    """The environment of a run: no mail setting (no email is sent), and the mark that finds its processes."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ICTANALYSIS_")}
    return {**clean, "PYTHONIOENCODING": "utf-8", MARK: token}


def _marked(token: str) -> list[str]:
    """Return ``pid command`` of every live process (not a zombie) that has ``MARK=token`` in its environment.

    A kernel is started in a session of its own (jupyter_client does so), so killing
    a run's process group does not reach it: it has to notice its parent is gone.
    """
    needle = f"\0{MARK}={token}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in b"\0" + (entry / "environ").read_bytes() or _state(entry) == "Z":
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name} {command[:120]}")
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _state(proc: Path) -> str:
    return (proc / "stat").read_text().rpartition(")")[2].split()[0]


def _gone(token: str, seconds: float = 10.0) -> list[str]:
    """Wait up to `seconds` for the marked processes to end; return those still running."""
    deadline = time.monotonic() + seconds
    while (left := _marked(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _command(workspace: Path, *extra: str) -> list[str]:
    paths = {"--raw": "raw", "--processed": "processed", "--reports": "reports", "--config": "no-mail.toml"}
    return [sys.executable, "-m", "ictanalysis", "run", "--no-send",
            *(a for k, v in paths.items() for a in (k, str(workspace / v))), *extra]  # fmt: skip


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    """Return the temporary files and folders (ours, by name) anywhere under `folder`."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if LEFTOVER.fullmatch(p.name))


# --- watching a run ------------------------------------------------------------------------------

# The windows of a run, each opened by an event: start-up and clean (reading the workbooks, writing
# the table and its two renames), validate, the notebook running in its kernel, and the rest of
# the report stage (the export, the page's write, the renames that publish it, the run's state).
OPENED_BY = {"start": "start", "validate": "clean", "report": "validate", "export": "notebook"}
CLOSED_BY = {"start": "clean", "validate": "validate", "report": "notebook", "export": "report"}


@dataclass
class Kill:
    """One kill: where it was aimed, when it landed, what it left."""

    number: int
    window: str
    fraction: float
    offset: float = 0.0  #: seconds after the window opened
    instant: float | None = None  #: seconds after the start; None when the run ended first
    last_line: str = ""  #: the last line of the run's log when it was killed
    changed: str = ""  #: which outputs it left new
    orphans: float = 0.0  #: seconds its children took to end after it

    def __str__(self) -> str:
        landed = f"killed at {self.instant:5.2f} s" if self.instant is not None else "finished first"
        return (f"#{self.number:2d} {self.window:8s} {self.fraction:.2f} (+{self.offset:5.2f} s) {landed}; "
                f"log: {self.last_line[:50]!r}; new: {self.changed or '-'}; children gone in {self.orphans:.1f} s")


def _log_of(workspace: Path, pid: int) -> Path | None:
    for log in (workspace / "reports" / "logs").glob("run-*.log"):
        if f", pid {pid}\n" in log.read_text(encoding="utf-8"):
            return log
    return None


def _events(workspace: Path, pid: int, log: str) -> set[str]:
    """Return what the run `pid` has done so far: clean, validate, the notebook and the report stage finished."""
    done = {stage for stage in ("clean", "validate", "report") if f" stage {stage} ok " in log}
    if (workspace / "reports" / YEAR / f".staging-{pid}" / "annual_report.ipynb").exists():  # papermill's one save
        done.add("notebook")
    return done


def _watch(workspace: Path, token: str, kill: Kill | None = None, windows: dict[str, float] | None = None):
    """Run ``ictanalysis run`` in its own process group and note when each event happens (seconds from the start).

    With `kill`, SIGKILL the whole group at its instant in its window. Returns the
    instants (with ``end`` when the run ended by itself), its exit code and its log.
    """
    process = subprocess.Popen(_command(workspace), cwd=workspace, env=_env(token), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    started = time.monotonic()
    if kill is not None:
        kill.offset = kill.fraction * windows[kill.window]
    at, log = {"start": 0.0}, None
    while process.poll() is None:
        now = time.monotonic() - started
        log = log or _log_of(workspace, process.pid)
        for event in _events(workspace, process.pid, log.read_text(encoding="utf-8") if log else "") - at.keys():
            at[event] = now
        opened = at.get(OPENED_BY[kill.window]) if kill is not None else None
        if opened is not None and now >= opened + kill.offset:
            try:
                os.killpg(process.pid, signal.SIGKILL)
                kill.instant = now
            except ProcessLookupError:  # it ended meanwhile
                pass
            break
        time.sleep(0.01)
    process.wait(timeout=600)
    if kill is None or kill.instant is None:
        at["end"] = time.monotonic() - started
    log = log or _log_of(workspace, process.pid)
    return at, process.returncode, log.read_text(encoding="utf-8") if log else ""


def _learn(windows: dict[str, float], at: dict[str, float]) -> None:
    """Set the length of each window the run `at` saw from its opening to its closing event."""
    for window, opened_by in OPENED_BY.items():
        if opened_by in at and CLOSED_BY[window] in at:
            windows[window] = at[CLOSED_BY[window]] - at[opened_by]


# --- the last good state, built once per test session --------------------------------------------


@dataclass(frozen=True)
class GoodState:
    """A project after one successful run: raw 2019–2020, the tidy table, the quality page and the report."""

    folder: Path
    windows: dict[str, float]  #: how long each window of that run lasted (cold: the first run of a session)

    def copy(self, to: Path) -> Path:
        shutil.copytree(self.folder, to, ignore=shutil.ignore_patterns(".done", "windows.json", "logs"))
        return to


@pytest.fixture(scope="session")
def good_state(tmp_path_factory) -> GoodState:
    def build(folder: Path) -> None:
        for year in ("2019", YEAR):
            shutil.copytree(BUNDLED_RAW / year, folder / "raw" / year)
        at, code, log = _watch(folder, "good")
        assert code == 0, log
        windows: dict[str, float] = {}
        _learn(windows, at)
        assert windows.keys() == OPENED_BY.keys(), f"events seen: {at}"
        (folder / "windows.json").write_text(json.dumps(windows), encoding="utf-8")

    folder = build_once(tmp_path_factory, "faults-good-state", build)
    return GoodState(folder, json.loads((folder / "windows.json").read_text(encoding="utf-8")))


# --- 1. SIGKILL at random instants -----------------------------------------------------------------

# How many kills fall in each window. A kill costs the run's time up to its instant, so most fall
# in the first seconds (start-up, the workbooks, the table and its renames: about 1 s a kill);
# validate costs about 7 s a kill, the report 10 to 20 s. Within a window, the kills' instants
# are stratified (one in each equal slice). Uniform instants over a whole run would cost 10 runs.
KILLS = {"start": 14, "validate": 3, "report": 2, "export": 1}


def _plan(seed: int) -> list[Kill]:
    """Return the kills of a seed: in each window, one instant per equal slice of it (stratified), shuffled."""
    rng = random.Random(seed)
    kills = [(window, (k + rng.random()) / count) for window, count in KILLS.items() for k in range(count)]
    rng.shuffle(kills)
    return [Kill(number, window, fraction) for number, (window, fraction) in enumerate(kills, start=1)]


def _population(raw: Path, district: int) -> None:
    """Set the first district's 2020 population to 168.920 + `district`, the province total to match."""
    path = raw / POPULATION
    text = path.read_text(encoding="utf-8-sig")
    text = re.sub(r';"168\.9[0-9][0-9]"', f';"{168_920 + district:,}"'.replace(",", "."), text, count=1)
    text = re.sub(r';"595\.1[0-9][0-9]"', f';"{595_160 + district:,}"'.replace(",", "."), text, count=1)
    path.write_text(text, encoding="utf-8-sig")


VARIANTS = (1, 2, 3)  # of the raw data: always one that differs from the raw now and from the last success


def _change(workspace: Path, now: int, recorded: int) -> int:
    """Change the raw data to a variant other than the one it is and the one of the last successful run."""
    variant = min(set(VARIANTS) - {now, recorded})
    _population(workspace / "raw", variant)
    return variant


def _fresh_tables(good: GoodState, folder: Path, variants: tuple[int, ...]) -> dict[int, dict[str, str]]:
    """Return the digests of the tidy table a fresh clean writes for each variant of the raw data."""
    from ictanalysis.ingest import clean

    digests = {}
    for variant in variants:
        raw = shutil.copytree(good.folder / "raw", folder / f"raw-{variant}")
        _population(raw, variant)
        clean(raw, out_dir=folder / f"processed-{variant}")
        digests[variant] = {name: _sha256(folder / f"processed-{variant}" / Path(name).name) for name in TABLE}
    return digests


def _complete(path: Path, good: GoodState) -> str:
    """Return why the output at `path` is not a complete version of itself ('' when it is one).

    A version is complete when it reads back whole: JSON that parses, a page that ends
    with ``</html>`` and is at least half the size of the good one, a valid notebook
    whose code cells all ran without error.
    """
    data = path.read_bytes()
    if path.suffix == ".json":
        try:
            json.loads(data)
        except ValueError as exc:
            return f"not JSON: {exc}"
        return ""
    if path.suffix == ".html":
        parts = path.parts
        within = parts[len(parts) - parts[::-1].index("reports") :]  # what follows the last "reports": 2020/…
        good_size = (good.folder / "reports" / Path(*within)).stat().st_size
        if not data.rstrip().endswith(b"</html>") or len(data) < good_size / 2:
            return f"a cut page ({len(data):,} bytes, the good one {good_size:,})"
        return ""
    if path.suffix == ".ipynb":
        try:
            notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(notebook)
        except Exception as exc:  # noqa: BLE001 - any failure to read it is the finding
            return f"not a notebook: {type(exc).__name__}: {exc}"
        code = [c for c in notebook.cells if c.cell_type == "code"]
        if any(c.execution_count is None or any(o.output_type == "error" for o in c.outputs) for c in code):
            return "a notebook with a cell not run, or failed"
        return ""
    return f"no check for {path.name}"


def _check_outputs(workspace: Path, good: GoodState, previous: dict[str, str], table: dict[str, str]) -> dict[str, str]:
    """Assert each output is as before or a complete new version (the table: the one a fresh clean writes).

    Returns the digests now, which the next check compares with.
    """
    import pandas as pd

    now = {}
    for name in (*TABLE, *REPORT):
        path = workspace / name
        if not path.exists():
            assert name not in previous, f"{name} disappeared"
            continue
        now[name] = _sha256(path)
        if now[name] == previous.get(name):
            continue
        if name in TABLE:
            assert now[name] == table[name], f"{name} is neither the previous one nor a fresh clean's"
            read = pd.read_parquet if path.suffix == ".parquet" else pd.read_csv
            assert len(read(path)) > 0, name
        else:
            assert not (why := _complete(path, good)), f"{name}: {why}"
    return now


def test_sigkill_at_random_instants_never_leaves_half_an_output_and_the_next_run_cleans_up(good_state, tmp_path):
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(1, 1_000_000))
    kills = _plan(seed)
    windows = dict(good_state.windows)
    print(f"seed {seed} (replay: FAULTS_SEED={seed}); windows of the good run: "
          + ", ".join(f"{w} {s:.1f} s × {KILLS[w]}" for w, s in windows.items()))  # fmt: skip
    workspace = good_state.copy(tmp_path / "project")
    assert [_complete(workspace / name, good_state) for name in REPORT] == [""] * len(REPORT)
    tables = _fresh_tables(good_state, tmp_path, variants=VARIANTS)
    previous = {name: _sha256(workspace / name) for name in (*TABLE, *REPORT)}
    token = uuid.uuid4().hex
    done = []
    variant, recorded = 0, 0  # the raw data now, and in the last run's state (0: as bundled)
    for kill in kills:
        variant = _change(workspace, variant, recorded)
        at, code, log = _watch(workspace, token, kill, windows)
        kill.last_line = log.splitlines()[-1].split(" INFO ")[-1] if log else ""
        assert kill.instant is not None or code == 0, f"seed {seed}, {kill}: exit {code}\n{log}"
        assert " up to date" not in log, f"seed {seed}, {kill}: the run did not rebuild\n{log}"
        _learn(windows, at)
        began = time.monotonic()
        left = _gone(token)
        kill.orphans = time.monotonic() - began
        assert not left, f"seed {seed}, {kill}: still running 10 s after the kill: {left}"
        try:
            now = _check_outputs(workspace, good_state, previous, tables[variant])
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, {kill}: {exc}\n" + "\n".join(done)) from None
        kill.changed = ", ".join(Path(n).name for n in now if now[n] != previous.get(n))
        if now.get(STATE) != previous.get(STATE):  # the run got as far as recording its success
            recorded = variant
        previous = now
        done.append(str(kill))
        print(kill)

    left_by_kills = _leftovers(workspace)
    print(f"left by the kills: {left_by_kills or 'nothing'}")
    variant = _change(workspace, variant, recorded)
    began = time.monotonic()
    recovery = subprocess.run(_command(workspace), cwd=workspace, env=_env(token), capture_output=True, text=True,
                              encoding="utf-8", timeout=600)  # fmt: skip
    print(f"recovery run: exit {recovery.returncode} in {time.monotonic() - began:.1f} s")
    assert recovery.returncode == 0, f"seed {seed}: {recovery.stdout}{recovery.stderr}"
    assert "up to date" not in recovery.stdout
    assert _leftovers(workspace) == [], f"seed {seed}: the run after the kills left {_leftovers(workspace)}"
    expected = {str(p.relative_to(good_state.folder)) for p in good_state.folder.rglob("*")
                if "logs" not in p.parts and p.name not in (".done", "windows.json")}  # fmt: skip
    found = {str(p.relative_to(workspace)) for p in workspace.rglob("*") if "logs" not in p.parts}
    assert found == expected, f"seed {seed}: extra {sorted(found - expected)}, missing {sorted(expected - found)}"
    assert {name: _sha256(workspace / name) for name in TABLE} == tables[variant]
    assert [_complete(workspace / name, good_state) for name in REPORT] == [""] * len(REPORT)
    assert not _gone(token, 5), "a process of the last run is still running"


def _kill_once_publishing(workspace: Path, token: str, delay: float, *, journal: bool) -> subprocess.Popen:
    """Run ``ictanalysis run --force``; SIGKILL it `delay` seconds after its report stage removed the run state
    (or, with `journal`, after the publish's journal appeared).

    The report stage removes ``.run-state.json`` just before it publishes the new build
    (then the journal, the renames, the journal's removal, and the run's new state):
    watched for, as fast as Python polls, once the executed notebook is in the staging folder.
    """
    process = subprocess.Popen(_command(workspace, "--force"), cwd=workspace, env=_env(token),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    folder = ReportFolder(workspace / "reports" / YEAR)
    while not (folder.staging(process.pid).notebook.exists() or process.poll() is not None):
        time.sleep(0.01)
    while folder.run_state.exists() and process.poll() is None:
        pass
    assert process.poll() is None, "the run ended, and its run state was there until the end of its report stage"
    while journal and not folder.journal.exists() and process.poll() is None:
        pass
    time.sleep(delay)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended first: the caller sees its new run state, and tries again
        pass
    process.wait(timeout=60)
    return process


def test_a_run_killed_while_publishing_the_report_is_completed_and_redone_by_the_next_run(good_state, tmp_path):
    seed = int(os.environ.get("FAULTS_SEED") or random.SystemRandom().randrange(1, 1_000_000))
    rng = random.Random(seed)
    anchor = rng.choice(["the run state went", "the journal came"])
    delay = rng.uniform(0.0, 0.01 if anchor == "the run state went" else 0.002)  # the publish takes milliseconds
    token = uuid.uuid4().hex
    for attempt in range(1, 4):  # a kill that came after the run recorded its success is tried again, sooner
        workspace = good_state.copy(tmp_path / f"project-{attempt}")
        folder = ReportFolder(workspace / "reports" / YEAR)
        old = {name: _sha256(workspace / name) for name in REPORT if not name.endswith(".run-state.json")}
        _kill_once_publishing(workspace, token, delay, journal=anchor == "the journal came")
        assert not _gone(token), "a process of the killed run is still running"
        journal = folder.journal.is_file()
        new = [Path(name).name for name in old if _sha256(workspace / name) != old[name]]
        print(f"seed {seed} (replay: FAULTS_SEED={seed}): kill {attempt}, {delay * 1000:.2f} ms after {anchor}; "
              f"journal {'there' if journal else 'not there'}; new: {new or 'nothing'}")  # fmt: skip
        if not (workspace / STATE).exists():
            break
        delay /= 4
    assert not (workspace / STATE).exists(), "every kill came after the run had recorded its success"
    assert finish_interrupted(Outputs(workspace / "processed", workspace / "reports")) == ([folder.journal] if journal else [])
    notebook_is_old = _sha256(folder.notebook) == _good_sha(good_state, folder.notebook)
    if notebook_is_old:  # nothing was published: the whole old build, charts included
        assert _tree(folder.charts) == _tree(good_state.folder / "reports" / YEAR / "charts")
        assert _sha256(folder.report) == _good_sha(good_state, folder.report)
    assert [_complete(folder.path / n, good_state) for n in (folder.REPORT, folder.NOTEBOOK)] == ["", ""]
    again = subprocess.run(_command(workspace), cwd=workspace, env=_env(token), capture_output=True, text=True,
                           encoding="utf-8", timeout=600)  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "up to date" not in again.stdout, f"seed {seed}: the run after the kill did not rebuild: {again.stdout}"
    log = max((workspace / "reports" / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime_ns)
    assert "building: no earlier successful run" in log.read_text(encoding="utf-8")
    assert _leftovers(workspace) == [], _leftovers(workspace)
    assert [_complete(workspace / name, good_state) for name in REPORT] == [""] * len(REPORT)
    assert sorted(p.name for p in folder.charts.iterdir()) == sorted(_tree(good_state.folder / "reports" / YEAR / "charts"))
    assert not _gone(token, 5)


def _good_sha(good: GoodState, path: Path) -> str:
    """Return the digest of the good state's file at the place of `path` (under its ``reports/``)."""
    parts = path.parts
    return _sha256(good.folder / Path(*parts[len(parts) - parts[::-1].index("reports") - 1 :]))


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 2. a full disk --------------------------------------------------------------------------------


def _full_at(monkeypatch, name: str) -> None:
    """Make the disk fill up while `name` is written: half of its file (temporary, or staged) is kept, then ENOSPC.

    This stands in for the operating system (write and fsync report ENOSPC when the
    file system is full); :mod:`ictanalysis.atomic` itself runs unchanged.
    """
    fsync = atomic._fsync

    def fsync_until_full(path: Path) -> None:
        if not (path.name.startswith(f".{name}.") or path.name == name):
            return fsync(path)
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size // 2)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # no file name: write(2) does not give one

    monkeypatch.setattr(atomic, "_fsync", fsync_until_full)


def _previous(folder: Path, files: dict[str, int]) -> dict[str, str]:
    """Put earlier outputs of the given sizes in `folder`; return their digests by name."""
    for name, size in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(os.urandom(size))
    return {name: _sha256(folder / name) for name in files}


def _files(folder: Path) -> dict[str, str]:
    """Return the digests of the files under `folder` by path, but the locks' (every writing command takes them)."""
    return {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith((".lock", ".lock.json"))}  # fmt: skip


def test_disk_full_while_writing_the_table_exits_8_and_keeps_the_previous_table(bundled_raw_copy, tmp_path,
                                                                              monkeypatch, capsys):  # fmt: skip
    out = tmp_path / "processed"
    before = _previous(out, {"indicators.parquet": 14_000, "indicators.csv": 90_000})
    _full_at(monkeypatch, "indicators.csv")  # the second of the pair: the Parquet file is written by then
    monkeypatch.chdir(tmp_path)
    code = cli.main(["clean", "--raw", str(bundled_raw_copy), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == ExitCode.OUTPUT == 8, err
    assert err.startswith(f"error: disk full while writing {out / 'indicators.csv'}: ")
    assert "free some space and run again (the previous file is kept)" in err
    assert "Traceback" not in err
    assert _files(out) == before  # both files as they were, and no temporary file


def _notebook(path: Path, *cells: str) -> Path:
    """Write a small report notebook: the parameters cell, then `cells`."""
    parameters = ('year = 2020\ncompare_year = 2019\nprovince = "58"\nlanguage = "vi"\ndata = ""\nquality = ""\n'
                  'output_dir = ""')  # fmt: skip
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})  # fmt: skip
    notebook.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                      *(nbformat.v4.new_code_cell(source) for source in cells)]  # fmt: skip
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def table_file(tmp_path_factory) -> Path:
    """The bundled tidy table, for reports of small notebooks, and beside it the gate's result on it (``reports/``)."""
    from ictanalysis.ingest import clean
    from ictanalysis.validate import gate

    out = tmp_path_factory.mktemp("table")
    clean(BUNDLED_RAW, out_dir=out)
    gate(out / "indicators.parquet", out / "reports", year=2020, compare_year=2019)
    return out / "indicators.parquet"


LAST_GOOD = {"2020/annual_report.html": 40_000, "2020/annual_report.ipynb": 20_000, "2020/charts/a.svg": 3_000}


def _checked(reports: Path, table: Path) -> dict[str, str]:
    """Put the gate's result on `table` in `reports` (a report goes on only from a checked table); return digests."""
    checked = ReportFolder(table.parent / "reports" / YEAR).quality
    shutil.copytree(checked, ReportFolder(reports / YEAR).quality, dirs_exist_ok=True)
    return {str(p.relative_to(reports)): _sha256(p) for p in ReportFolder(reports / YEAR).quality.iterdir()}


def _report_cli(notebook: Path, table: Path, reports: Path, monkeypatch, *extra: str) -> int:
    """Run ``ictanalysis report`` in this process on `notebook` instead of the report notebook."""
    monkeypatch.setitem(build_report.__kwdefaults__, "notebook", notebook)
    monkeypatch.chdir(reports.parent)
    return cli.main(["report", "--data", str(table), "--reports", str(reports), *extra])


def test_disk_full_while_writing_the_report_exits_8_and_keeps_the_last_good_report(table_file, tmp_path,
                                                                                 monkeypatch, capsys):  # fmt: skip
    reports = tmp_path / "reports"
    before = _previous(reports, LAST_GOOD) | _checked(reports, table_file)
    _full_at(monkeypatch, "annual_report.html")
    token = uuid.uuid4().hex
    monkeypatch.setenv(MARK, token)
    code = _report_cli(_notebook(tmp_path / "small.ipynb", "print('xin chào')"), table_file, reports, monkeypatch)
    err = capsys.readouterr().err
    assert code == ExitCode.OUTPUT == 8, err
    assert re.match(r"error: disk full while writing \S+annual_report\.html: .+ free there; free some space", err), err
    assert "Traceback" not in err
    assert _files(reports) == before  # no staging folder, no temporary file, nothing replaced
    assert not _gone(token), "the kernel or the chart renderer is still running"


@pytest.fixture
def small_disk():
    """Return a function that mounts a tmpfs of a given size on a folder (skips the test where mount is refused)."""
    mounted: list[Path] = []

    def mount(folder: Path, kilobytes: int) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs", str(folder)],
                              capture_output=True, text=True)  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN): {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.skipif(shutil.which("mount") is None, reason="no mount command")
def test_a_really_full_disk_while_writing_the_table_exits_8_and_keeps_the_previous_table(bundled_raw_copy, tmp_path,
                                                                                       small_disk):  # fmt: skip
    out = small_disk(tmp_path / "processed", 128)  # the previous table takes 104 KB; the new CSV needs 89 more
    before = _previous(out, {"indicators.parquet": 14_000, "indicators.csv": 90_000})
    done = subprocess.run([sys.executable, "-m", "ictanalysis", "clean", "--raw", str(bundled_raw_copy), "--out",
                           str(out)], cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=120)  # fmt: skip
    assert done.returncode == ExitCode.OUTPUT == 8, done.stderr
    assert re.match(rf"error: disk full while writing {re.escape(str(out))}/indicators\.\w+: ", done.stderr)
    assert "Traceback" not in done.stderr
    assert _files(out) == before


@pytest.mark.skipif(shutil.which("mount") is None, reason="no mount command")
def test_a_really_full_disk_while_writing_the_report_exits_8_and_keeps_the_last_good_report(table_file, tmp_path,
                                                                                          small_disk, monkeypatch,
                                                                                          capsys):  # fmt: skip
    reports = tmp_path / "reports"
    small_disk(reports / YEAR, 128)  # 64 KB of the last good report; the new page alone needs more than the rest
    before = _previous(reports, LAST_GOOD) | _checked(reports, table_file)
    token = uuid.uuid4().hex
    monkeypatch.setenv(MARK, token)
    code = _report_cli(_notebook(tmp_path / "small.ipynb", "print('xin chào')"), table_file, reports, monkeypatch)
    err = capsys.readouterr().err
    assert code == ExitCode.OUTPUT == 8, err
    assert "disk full while writing " in err and "Traceback" not in err, err
    assert _files(reports) == before
    assert not _gone(token), "the kernel or the chart renderer is still running"


@pytest.mark.skipif(shutil.which("mount") is None, reason="no mount command")
def test_a_run_whose_reports_folder_is_full_says_so_without_a_traceback(bundled_raw_copy, tmp_path, small_disk):
    reports = small_disk(tmp_path / "reports", 64)
    (reports / "filler").write_bytes(bytes(64 * 1024))  # not a byte left: the lock's holder line cannot be written
    done = subprocess.run([sys.executable, "-m", "ictanalysis", "run", "--no-send", "--raw", str(bundled_raw_copy),
                           "--processed", str(tmp_path / "processed"), "--reports", str(reports)], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})  # fmt: skip
    assert done.stderr.startswith(f"error: disk full while writing {reports / '.run.lock'}: 0 bytes free there;")
    assert "Traceback" not in done.stderr and "Logging error" not in done.stderr
    assert done.returncode == ExitCode.OUTPUT
    assert not (tmp_path / "processed").exists()


# --- 3. a notebook cell that hangs, a kernel that dies ---------------------------------------------

TIMEOUT = 4  # seconds; the kernel has imported the library before the first cell (report._WarmKernel)


@pytest.mark.parametrize(
    ("cell", "message", "error"),
    [
        ("import time\ntime.sleep(600)", f"the notebook cell 4 (import time) did not finish within {TIMEOUT} s",
         "CellTimeoutError"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "the notebook kernel died in cell 4 (import os,",
         "DeadKernelError"),
    ],
    ids=["hangs", "dies"],
)  # fmt: skip
def test_a_cell_that_hangs_or_a_kernel_that_dies_exits_5_keeps_the_failed_notebook_and_no_kernel(
    table_file, tmp_path, monkeypatch, capsys, cell, message, error
):
    reports = tmp_path / "reports"
    before = _previous(reports, LAST_GOOD) | _checked(reports, table_file)
    token = uuid.uuid4().hex
    monkeypatch.setenv(MARK, token)
    notebook = _notebook(tmp_path / "small.ipynb", "print('xin chào')", cell, "print('never reached')")
    began = time.monotonic()
    code = _report_cli(notebook, table_file, reports, monkeypatch, "--timeout", str(TIMEOUT))
    seconds = time.monotonic() - began
    err = capsys.readouterr().err
    failed = reports / YEAR / "annual_report.failed.ipynb"
    assert code == ExitCode.REPORT == 5, err
    assert f"error: {message}" in err, err
    assert f"See the failing cell in {failed}" in err
    assert "Traceback" not in err
    assert seconds < TIMEOUT + 60, f"took {seconds:.0f} s: the kernel was waited for, not stopped"
    kept = nbformat.read(failed, as_version=4)
    stopped = next(c for c in kept.cells if c.source == cell)
    assert [o.ename for o in stopped.outputs if o.output_type == "error"] == [error]
    assert "xin chào" in "".join(o.get("text", "") for c in kept.cells for o in c.get("outputs", []))
    logs = _kept_logs(reports, err)
    assert (logs / "annual_report.failed.ipynb").read_bytes() == failed.read_bytes()
    assert FRESH_KERNEL not in err and FRESH_KERNEL not in (logs / "kernel.log").read_text(encoding="utf-8")  # no retry
    after = {name: digest for name, digest in _files(reports).items() if not name.startswith("logs/")}
    assert after.pop(f"{YEAR}/annual_report.failed.ipynb")
    assert after == before  # the last good report, byte for byte; no staging folder
    assert not _gone(token), "the kernel or the chart renderer is still running"


FRESH_KERNEL = "starting a fresh kernel"


def _kept_logs(reports: Path, err: str) -> Path:
    """Return the one folder of reports/logs/ where the failed report kept its logs, checking the message names it."""
    folders = [p for p in (reports / "logs").iterdir() if p.is_dir()]
    assert len(folders) == 1 and re.fullmatch(r"report-[0-9]{8}-[0-9]{6}(-[0-9]+)?", folders[0].name), folders
    assert f"kept in {folders[0]}" in err, err
    assert (folders[0] / "kernel.log").is_file()
    return folders[0]


def _failing_kernel(folder: Path, *, times: int) -> Path:
    """Write a kernel spec ``python3`` whose launcher exits 3 (as a kernel that cannot start) its first `times` starts.

    Each start that fails leaves a marker file; the launcher then runs the real ipykernel.
    Returns the folder to put in JUPYTER_PATH (jupyter_client looks there before the native kernel).
    """
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    launcher = folder / "launcher.py"
    launcher.write_text(
        "import os, sys\n"
        f"failed = [n for n in range({times}) if os.path.exists({str(folder)!r} + f'/failed-{{n}}')]\n"
        f"if len(failed) < {times}:\n"
        f"    open({str(folder)!r} + f'/failed-{{len(failed)}}', 'w').close()\n"
        "    print('the launcher refuses to start (a test)', file=sys.stderr)\n"
        "    sys.exit(3)\n"
        "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', *sys.argv[1:]])\n",
        encoding="utf-8",
    )  # fmt: skip
    (spec / "kernel.json").write_text(json.dumps({"argv": [sys.executable, str(launcher), "-f", "{connection_file}"],
                                                  "display_name": "Python 3", "language": "python"}), encoding="utf-8")  # fmt: skip
    return folder


def test_a_kernel_that_fails_before_answering_is_replaced_once_and_the_report_is_built(
    table_file, tmp_path, monkeypatch, capsys, caplog
):
    reports = tmp_path / "reports"
    _checked(reports, table_file)
    kernels = _failing_kernel(tmp_path / "jupyter", times=1)
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    token = uuid.uuid4().hex
    monkeypatch.setenv(MARK, token)
    code = _report_cli(_notebook(tmp_path / "small.ipynb", "print('xin chào')"), table_file, reports, monkeypatch)
    err = capsys.readouterr().err
    assert code == 0, err
    assert (kernels / "failed-0").exists(), "the first kernel did not go through the failing launcher"
    warned = [r.getMessage() for r in caplog.records if FRESH_KERNEL in r.getMessage()]
    assert len(warned) == 1 and "the notebook kernel failed before running a cell" in warned[0], warned
    built = nbformat.read(reports / YEAR / "annual_report.ipynb", as_version=4)
    assert "xin chào" in "".join(o.get("text", "") for c in built.cells for o in c.get("outputs", []))
    assert not (reports / "logs").exists()  # nothing failed in the end
    assert not _gone(token), "a kernel or the chart renderer is still running"


def test_a_kernel_that_fails_before_answering_twice_exits_5_and_keeps_its_log(table_file, tmp_path, monkeypatch,
                                                                            capsys):  # fmt: skip
    reports = tmp_path / "reports"
    before = _previous(reports, LAST_GOOD) | _checked(reports, table_file)
    kernels = _failing_kernel(tmp_path / "jupyter", times=2)
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    code = _report_cli(_notebook(tmp_path / "small.ipynb", "print('xin chào')"), table_file, reports, monkeypatch)
    err = capsys.readouterr().err
    assert code == ExitCode.REPORT == 5, err
    assert "the notebook kernel failed before running a cell" in err and "(a fresh kernel failed too)" in err, err
    assert sorted(p.name for p in kernels.glob("failed-*")) == ["failed-0", "failed-1"]  # two starts, no third
    log = (_kept_logs(reports, err) / "kernel.log").read_text(encoding="utf-8")
    assert log.count("the launcher refuses to start (a test)") == 2 and log.count(FRESH_KERNEL) == 1, log
    assert {n: d for n, d in _files(reports).items() if not n.startswith("logs/")} == before


def test_timeout_option_is_offered_by_report_and_run_and_refuses_zero(capsys):
    for command in ("report", "run"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert "--timeout SECONDS" in capsys.readouterr().out
        with pytest.raises(SystemExit) as refused:
            cli.main([command, "--timeout", "0"])
        assert refused.value.code == ExitCode.USAGE
        assert "expected a whole number of seconds above 0" in capsys.readouterr().err


def test_disk_full_error_names_the_file_and_the_free_space(tmp_path):
    error = DiskFullError(tmp_path / "indicators.csv")
    assert str(error).startswith(f"disk full while writing {tmp_path / 'indicators.csv'}: ")
    assert " free there; free some space and run again (the previous file is kept)" in str(error)
