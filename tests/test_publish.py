"""Publishing as one unit: a report folder's build and the tidy table's pair, whatever instant the publisher dies at.

The publisher is a real child process that publishes real staging sets (a report build
with a few hundred chart files, or the tidy table written from a frame) with the
package's own functions; it is killed with SIGKILL at instants drawn from a seeded
``random.Random``, or dies (``os._exit``) right after its k-th rename, for every k.
After each death the folder must be one whole build, or hold the journal; once
:func:`~ictanalysis.publish.finish_interrupted` (what the next command runs) is done,
it must be one whole build, the journal's new one if there was a journal.

The kill tests print their seed, the number of kills and where they landed;
``PUBLISH_SEED=<seed>`` replays one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ictanalysis import publish, report
from ictanalysis.atomic import remove_stale
from ictanalysis.errors import BusyError, ExitCode, OutputError
from ictanalysis.outputs import LEFTOVERS, Outputs, ReportFolder
from ictanalysis.publish import finish_interrupted, staging_needed
from ictanalysis.run import _sweep
from ictanalysis.tidy import Records, frame, write_indicators

YEAR = "2020"
CHARTS = 200  #: chart files per report build: the staging set is real and not small
BUILDS = 3  #: builds each publisher publishes, one after the other
KILLS = {"report": 30, "table": 16}  #: SIGKILLs per kill test (a table's publisher imports pandas: 1 s)

# A tiny publisher: what it is given to publish, it publishes with the package's own function, one set after another.
# With a number N first, it dies (os._exit, no clean-up, as under SIGKILL) right after its N-th rename.
PUBLISHER = """
import os, sys
from pathlib import Path
dies_after = int(sys.argv[2])
if dies_after:
    real, done = os.replace, []
    def replace(source, target):
        real(source, target)
        done.append(target)
        if len(done) == dies_after:
            os._exit(9)
    os.replace = replace
if sys.argv[1] == "report":
    from ictanalysis import report
    from ictanalysis.outputs import ReportFolder
    target, builds = ReportFolder(Path(sys.argv[3])), [ReportFolder(Path(p)) for p in sys.argv[4:]]
    publish = lambda build: report._publish(build, target)
else:
    import pandas as pd
    from ictanalysis.tidy import write_indicators
    folder, builds = Path(sys.argv[3]), [pd.read_parquet(p) for p in sys.argv[4:]]
    publish = lambda table: write_indicators(table, folder / "indicators.parquet", folder / "indicators.csv")
print("ready", flush=True)
for build in builds:
    publish(build)
print("done", flush=True)
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(path: Path, text: str) -> None:
    """Write a staged file (not flushed to disk: what a SIGKILL leaves is the system's cache, flushed or not)."""
    path.write_text(text, encoding="utf-8")


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the two kinds of set ----------------------------------------------------------------------------


class ReportSets:
    """Report builds: the HTML, the executed notebook and a charts folder whose files differ from build to build."""

    kind = "report"

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.target = ReportFolder(workspace / "reports" / YEAR)
        self.outputs = Outputs(workspace / "processed", workspace / "reports")
        self.journal = self.target.journal

    def make(self, number: int) -> tuple[Path, dict[str, str]]:
        """Write build `number` into a staging folder; return it and the digests the year folder has once it is in."""
        staging = ReportFolder(self.workspace / "builds" / f"b{number}")
        staging.charts.mkdir(parents=True)
        _write(staging.report, f"<!DOCTYPE html><title>build {number}</title>{'x' * 5000}</html>")
        _write(staging.notebook, json.dumps({"build": number, "cells": []}))
        for chart in [*range(CHARTS - number % 3), f"only-in-{number}"]:  # each build has charts the others lack
            _write(staging.charts / f"chart-{chart}.svg", f"<svg>{number}/{chart}</svg>")
        published = {f"{ReportFolder.CHARTS}/{k}": v for k, v in _tree(staging.charts).items()}
        return staging.path, published | {n: _sha256(staging.path / n) for n in (ReportFolder.REPORT, ReportFolder.NOTEBOOK)}

    def now(self) -> dict[str, str]:
        found = _tree(self.target.path) if self.target.path.is_dir() else {}
        return {name: digest for name, digest in found.items() if not name.startswith(".")}

    def in_place(self, staging: Path) -> None:
        report._publish(ReportFolder(staging), self.target)

    def arguments(self, staging: Path) -> str:
        return str(staging)

    def folder_argument(self) -> str:
        return str(self.target.path)


class TableSets:
    """Tidy tables, each published as its Parquet and CSV pair by :func:`ictanalysis.tidy.write_indicators`."""

    kind = "table"

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.outputs = Outputs(workspace / "processed", workspace / "reports")
        self.journal = self.outputs.table_journal

    def make(self, number: int) -> tuple[Path, dict[str, str]]:
        """Write table `number` as a Parquet file to publish from; return it and the digests of the pair it gives."""
        import pandas as pd

        records = Records()
        for row in range(3000):
            records.append(year=2019 + row % 2, domain="telecom", indicator=f"indicator_{row // 2}", area="58",
                           value=float(row * (number + 1)), unit="thuê bao", source_file=f"{number}.xlsx",
                           source_sheet="TB", source_cell=f"D{row + 1}")  # fmt: skip
        given = self.workspace / "inputs" / f"t{number}.parquet"
        given.parent.mkdir(parents=True, exist_ok=True)
        frame(records).to_parquet(given, index=False)
        expected = self.workspace / "expected" / str(number)
        write_indicators(pd.read_parquet(given), expected / "indicators.parquet", expected / "indicators.csv")
        return given, _tree(expected)

    def now(self) -> dict[str, str]:
        names = (Outputs.TABLE, Outputs.TABLE_CSV)
        return {n: _sha256(self.outputs.processed / n) for n in names if (self.outputs.processed / n).is_file()}

    def in_place(self, given: Path) -> None:
        import pandas as pd

        write_indicators(pd.read_parquet(given), self.outputs.written_table, self.outputs.written_csv)

    def arguments(self, given: Path) -> str:
        return str(given)

    def folder_argument(self) -> str:
        return str(self.outputs.processed)


SETS = {"report": ReportSets, "table": TableSets}


# --- one publisher's life and death ------------------------------------------------------------------


@dataclass
class Death:
    """Where one publisher died and what the folder held then and after the next command."""

    number: int
    delay: float | None  #: seconds after it was ready (None: it died after its k-th rename)
    at: str = ""  #: "old", "build N", "mixed", …, with "+journal" when a journal was there
    after: str = ""
    publish: int | None = None  #: the delay counts from the appearance of this publish's journal

    def __str__(self) -> str:
        anchor = "ready" if self.publish is None else f"journal {self.publish}"
        when = f"{anchor:9s} +{self.delay * 1000:7.2f} ms" if self.delay is not None else "after a rename"
        return f"#{self.number:2d} {when}: {self.at:16s} → {self.after}"


def _which(now: dict[str, str], builds: list[dict[str, str]]) -> int | None:
    return next((number for number, build in enumerate(builds) if build == now), None)


def _workspace(kind: str, folder: Path) -> tuple[object, list[Path], list[dict[str, str]]]:
    """Return a workspace holding build 0 in place (and a run state beside a report), and builds 1… to publish.

    The first workspace of a test is made, the next ones are copied from it (``<tmp>/template-<kind>``).
    """
    template = folder.parent / f"template-{kind}"
    if not template.is_dir():
        sets = SETS[kind](template)
        made = [sets.make(number) for number in range(BUILDS + 1)]
        sets.in_place(made[0][0])
        if kind == "report":
            sets.target.run_state.write_text("{}", encoding="utf-8")
        recorded = {"stagings": [str(p.relative_to(template)) for p, _ in made[1:]], "builds": [d for _, d in made]}
        (template / "made.json").write_text(json.dumps(recorded), encoding="utf-8")
    shutil.copytree(template, folder)
    recorded = json.loads((folder / "made.json").read_text(encoding="utf-8"))
    return SETS[kind](folder), [folder / p for p in recorded["stagings"]], recorded["builds"]


def _publisher(sets, stagings: list[Path], dies_after: int = 0) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", PUBLISHER, sets.kind, str(dies_after), sets.folder_argument(),
                                *map(sets.arguments, stagings)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    assert process.stdout.readline() == "ready\n", process.stderr.read()
    return process


def _check_death(sets, builds: list[dict[str, str]], death: Death) -> None:
    """Check the folder the dead publisher left, complete its publish as the next command would, and check again."""
    which, journal = _which(sets.now(), builds), sets.journal.is_file()
    death.at = ("mixed" if which is None else "old" if which == 0 else f"build {which}") + ("+journal" if journal else "")
    assert which is not None or journal, f"{death}: neither a whole build nor a journal: {sets.now()}"
    if sets.kind == "report" and (journal or which != 0):
        assert not sets.target.run_state.exists(), f"{death}: the run state outlived the start of the publish"
    named = _published_by_journal(sets, builds) if journal else None
    finished = finish_interrupted(sets.outputs)  # what every command does first, under the lock
    assert finished == ([sets.journal] if journal else []), death
    _sweep(sets.outputs, time.time() + 60, logging.getLogger("ictanalysis.test"))  # what `run` does then
    after = _which(sets.now(), builds)
    death.after = "mixed" if after is None else "old" if after == 0 else f"build {after}"
    assert after is not None, f"{death}: not a whole build once the next command ran: {sets.now()}"
    assert not sets.journal.exists()
    assert after == (which if named is None else named), f"{death}: the journal was publishing build {named}"
    if sets.kind == "report":
        left = {p.name for p in sets.target.path.iterdir()} - {ReportFolder.RUN_STATE}
        assert left == {ReportFolder.REPORT, ReportFolder.NOTEBOOK, ReportFolder.CHARTS}, left  # no staging, no aside
    else:  # a publisher killed before its journal leaves its staging folder: the sweep removed it
        assert sorted(p.name for p in sets.outputs.processed.iterdir() if p.name.startswith(".")) == [], death


def _published_by_journal(sets, builds: list[dict[str, str]]) -> int:
    """Return the build a journal is publishing: its staging folder's (a report), or what its files make (a table)."""
    journal = json.loads(sets.journal.read_text(encoding="utf-8"))
    if sets.kind == "report":
        return int(Path(journal["staging"]).name.removeprefix("b"))
    files = sets.now()
    for move in journal["moves"]:  # the sources not moved yet are the rest of the new pair
        source = sets.journal.parent / move["from"]
        if source.is_file():
            files[Path(move["to"]).name] = _sha256(source)
    named = _which(files, builds)
    assert named is not None, f"the journal's files make no build: {files}"
    return named


@dataclass
class Timing:
    """How long a publisher took here and now, and how long each of its journals was there (as seen by polling)."""

    total: float
    journal: float


def _watch(process: subprocess.Popen, journal: Path, until: int | None = None) -> list[float]:
    """Poll, as fast as Python can, for the journal to appear and go; return how long each one was there.

    With `until`, return as soon as the journal appeared for the `until`-th time.
    """
    windows: list[float] = []
    opened = None
    while process.poll() is None:
        present, now = os.path.exists(journal), time.perf_counter()
        if present and opened is None:
            opened = now
            if until is not None and len(windows) + 1 == until:
                break
        elif not present and opened is not None:
            windows.append(now - opened)
            opened = None
    return windows


def _calibrate(kind: str, folder: Path) -> Timing:
    """Return the median time from ready to exit and the median life of a journal, over three publishers."""
    totals, journals = [], []
    for attempt in range(3):
        sets, stagings, _ = _workspace(kind, folder / f"calibrate-{attempt}")
        process = _publisher(sets, stagings)
        began = time.perf_counter()
        journals += _watch(process, sets.journal)
        totals.append(time.perf_counter() - began)
        assert process.wait(timeout=60) == 0, process.stderr.read()
    return Timing(sorted(totals)[1], sorted(journals)[len(journals) // 2] if journals else 0.001)


@dataclass
class Kill:
    """When to kill: `delay` seconds after the publisher is ready, or after its `publish`-th journal appeared."""

    delay: float
    publish: int | None = None


def _schedule(rng: random.Random, timing: Timing, kills: int) -> list[Kill]:
    """Half the kills anywhere in the publisher's life, half within a journal's: one per equal slice, shuffled."""
    half = kills // 2
    anywhere = [Kill((k + rng.random()) / half * timing.total * 1.1) for k in range(half)]
    within = [Kill((k + rng.random()) / half * timing.journal, rng.randrange(1, BUILDS + 1)) for k in range(half)]
    kills = anywhere + within
    rng.shuffle(kills)
    return kills


HITS = 3  #: kills that must fall while a journal is there; on a loaded machine more kills are made until they do


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(SETS))
def test_sigkill_at_random_instants_leaves_one_whole_build_or_a_journal_the_next_command_completes(kind, tmp_path):
    seed = int(os.environ.get("PUBLISH_SEED") or random.SystemRandom().randrange(1, 1_000_000))
    rng = random.Random(seed)
    timing = _calibrate(kind, tmp_path)
    kills = _schedule(rng, timing, KILLS[kind])
    print(f"\n{kind}: seed {seed} (replay: PUBLISH_SEED={seed}); {len(kills)} kills; a publisher lives "
          f"{timing.total * 1000:.1f} ms ({BUILDS} publishes of {CHARTS if kind == 'report' else 2} files), "
          f"a journal {timing.journal * 1000:.2f} ms")  # fmt: skip
    deaths: list[Death] = []
    while kills:
        death = _kill(kind, tmp_path / f"kill-{len(deaths) + 1}", kills.pop(0), len(deaths) + 1)
        try:
            _check_death(*death)
        except AssertionError as exc:
            raise AssertionError(f"{kind}, seed {seed}: {exc}\n" + "\n".join(map(str, deaths))) from None
        deaths.append(death[2])
        print(death[2])
        hits = sum("journal" in d.at for d in deaths)
        if not kills and hits < HITS and len(deaths) < 3 * KILLS[kind]:  # the machine is busy: kill within more journals
            kills = [k for k in _schedule(rng, timing, 4) if k.publish is not None]
    print(f"{kind}, seed {seed}: {len(deaths)} kills, {hits} of them while a journal was there")
    assert hits >= HITS, f"seed {seed}: only {hits} of {len(deaths)} kills fell while a journal was there"


def _kill(kind: str, folder: Path, kill: Kill, number: int) -> tuple[object, list[dict[str, str]], Death]:
    """Start a publisher in a fresh workspace and SIGKILL it at the instant `kill` says."""
    sets, stagings, builds = _workspace(kind, folder)
    process = _publisher(sets, stagings)
    if kill.publish is not None:
        _watch(process, sets.journal, until=kill.publish)
    time.sleep(kill.delay)
    process.kill()  # SIGKILL
    process.wait(timeout=60)
    return sets, builds, Death(number, kill.delay, publish=kill.publish)


@pytest.mark.parametrize(("kind", "renames"), [("report", 6), ("table", 3)])
def test_a_publisher_that_dies_after_any_rename_leaves_what_the_next_command_completes(kind, renames, tmp_path):
    """Every instant between two renames, in turn: the journal's, each move's (a folder moved aside, then in)."""
    for dies_after in range(1, renames + 1):
        sets, stagings, builds = _workspace(kind, tmp_path / f"dies-after-{dies_after}")
        if kind == "report":
            sets.target.failed_notebook.write_text("{}", encoding="utf-8")  # a failure before: it goes with the old build
            builds[0] = {**builds[0], ReportFolder.FAILED_NOTEBOOK: _sha256(sets.target.failed_notebook)}
        process = _publisher(sets, stagings[:1], dies_after)
        assert process.wait(timeout=60) == 9, process.stderr.read()
        assert sets.journal.is_file(), f"died after rename {dies_after}, and no journal"
        _check_death(sets, builds, death := Death(dies_after, None))
        assert death.after == "build 1", death


def test_a_publish_whose_process_still_runs_is_left_to_it(tmp_path):
    folder = tmp_path / "processed"
    (folder / "staging" / "a.csv").parent.mkdir(parents=True)
    (folder / "staging" / "a.csv").write_text("new", encoding="utf-8")
    (folder / "a.csv").write_text("old", encoding="utf-8")
    writer = ("import sys, time\nfrom pathlib import Path\nfrom ictanalysis import publish\nf = Path(sys.argv[1])\n"
              "publish._Journal.of(f / '.publishing.json', f / 'staging', [(f / 'staging' / 'a.csv', f / 'a.csv')]).write()\n"
              "print('written', flush=True)\ntime.sleep(600)\n")  # fmt: skip
    process = subprocess.Popen([sys.executable, "-c", writer, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "written\n"
        outputs = Outputs(folder, tmp_path / "reports")
        assert finish_interrupted(outputs) == []
        with pytest.raises(BusyError, match=f"another process is publishing into {folder}") as busy:
            publish.prepare(folder)
        assert busy.value.exit_code == ExitCode.BUSY
        assert (folder / "a.csv").read_text(encoding="utf-8") == "old"
        assert staging_needed(folder) == {"staging"}
    finally:
        process.kill()
        process.wait(timeout=60)
    assert finish_interrupted(outputs) == [folder / ".publishing.json"]
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv"] and (folder / "a.csv").read_text() == "new"


def test_the_sweep_keeps_a_staging_folder_a_journal_needs_and_completes_its_publish(tmp_path):
    sets, stagings, builds = _workspace("table", tmp_path / "project")
    process = _publisher(sets, stagings[:1], dies_after=1)  # right after the journal: nothing moved yet
    assert process.wait(timeout=60) == 9
    staging = sets.outputs.processed / f".staging-{process.pid}"
    assert staging.is_dir() and staging_needed(sets.outputs.processed) == {staging.name}
    assert remove_stale(sets.outputs.processed, older_than=time.time() + 60, names=LEFTOVERS,
                        keep=staging_needed(sets.outputs.processed)) == []  # fmt: skip
    assert staging.is_dir()
    _sweep(sets.outputs, time.time() + 60, logging.getLogger("ictanalysis.test"))
    assert sets.now() == builds[1]
    assert sorted(p.name for p in sets.outputs.processed.iterdir()) == ["indicators.csv", "indicators.parquet"]


def test_a_target_held_open_at_its_rename_keeps_the_journal_and_the_next_publish_completes_it(tmp_path, monkeypatch):
    sets, stagings, builds = _workspace("table", tmp_path / "project")
    real = os.replace

    def refusing(source, target):  # as Windows refuses to replace a file another program holds open
        if Path(target).name == Outputs.TABLE_CSV and Path(source).parent.name.startswith(".staging-"):
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real(source, target)

    monkeypatch.setattr(os, "replace", refusing)
    with pytest.raises(OutputError, match="the next command completes the publish") as caught:
        sets.in_place(stagings[0])
    assert caught.value.exit_code == ExitCode.OUTPUT and str(sets.outputs.written_csv) in str(caught.value)
    assert sets.journal.is_file() and _which(sets.now(), builds) is None  # half published, and it says so
    monkeypatch.undo()
    assert finish_interrupted(sets.outputs) == [sets.journal]  # this very process's: it is not publishing any more
    assert sets.now() == builds[1]
    assert sorted(p.name for p in sets.outputs.processed.iterdir()) == ["indicators.csv", "indicators.parquet"]


def test_an_unreadable_journal_stops_with_an_output_error_naming_it(tmp_path):
    outputs = Outputs(tmp_path / "processed", tmp_path / "reports")
    outputs.processed.mkdir()
    outputs.table_journal.write_text("{not json", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot read the publish journal .*publishing.json"):
        finish_interrupted(outputs)
