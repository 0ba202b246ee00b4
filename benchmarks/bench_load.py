"""Four reports at once beside a CPU hog: does every report's kernel survive a loaded machine?

Set up once in a temporary folder: the bundled raw data cleaned into a tidy
table, and one reports folder per pair of years, each validated (one reports
folder holds one lock, so each concurrent report gets its own). Each pair is
then built once alone, for the baseline. A round starts one spinning process
per CPU, then four ``ictanalysis report`` commands together, one per pair,
waits for all four and stops the spinners (by pid). Every report is counted as
built (exit 0 and a new ``annual_report.html``), a kernel failure (exit 5 whose
message says the kernel died, failed to start or before running a cell, or did
not finish a cell in time) or another failure (any other outcome, with its
message). A command still running after 15 minutes is interrupted and counted
as another failure: a hang. A report that was built on a second kernel after
its first failed to answer (its warning says so) is counted apart: built, but
its first kernel failed.

Target: no kernel failure and every report built. The median wall time of a
report under load beside the median alone is information, not a target.

Rounds: 3 (1 with ``--quick``), about 25 s each on two cores after a minute of
set-up; ``ICTANALYSIS_BENCH_LOAD_ROUNDS=N`` sets another number::

    ICTANALYSIS_BENCH_LOAD_ROUNDS=20 python -m benchmarks -k load
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from benchmarks._child import PROJECT_DIR, wall_time
from benchmarks._table import MISSED, OK, Row

__all__ = ["run"]

ROUNDS = {False: 3, True: 1}
ROUNDS_VARIABLE = "ICTANALYSIS_BENCH_LOAD_ROUNDS"
# (year, compare year) of the bundled data: 2019 and 2020 hold every domain, 2015–2018 the GSO subscriber counts.
PAIRS = ((2020, 2019), (2019, 2018), (2020, 2018), (2018, 2017))
RAW = PROJECT_DIR / "data" / "raw"
KERNEL_FAILED = 5  # ExitCode.REPORT: the report could not be built
KERNEL_SIGNS = ("kernel died", "kernel failed before running a cell", "kernel failed to start", "did not finish within")
DEADLINE_S = 900  # beyond the report's own 600 s cell timeout: a command still running then is hung
RETRY_SIGN = "starting a fresh kernel"  # the warning of a report that replaced a kernel which failed to answer
_STOP_GRACE_S = 30
_DETAILS = re.compile(r" \((details in|see) [^)]*\)$")  # "… (details in …/logs/ictanalysis-report-….log)"


@dataclass(frozen=True)
class _Job:
    """One pair's report command and the page it writes."""

    pair: tuple[int, int]
    command: list[str]
    html: Path


@dataclass(frozen=True)
class Outcome:
    """How one report command of a round ended."""

    pair: tuple[int, int]
    exit_code: int | None  # None: still running at the deadline, stopped
    seconds: float
    stderr: str
    fresh_html: bool

    def kind(self) -> str:
        """Return ``"built"``, ``"kernel"`` (a kernel failure) or ``"other"``."""
        if self.exit_code == 0 and self.fresh_html:
            return "built"
        if self.exit_code == KERNEL_FAILED and any(sign in self.stderr for sign in KERNEL_SIGNS):
            return "kernel"
        return "other"

    def message(self) -> str:
        """Return what a failed report said: its ``error:`` line, else its stderr's last line."""
        if self.exit_code is None:
            return f"no exit within {DEADLINE_S} s: stopped"
        if self.exit_code == 0:
            return "exit 0 but no new annual_report.html"
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        said = next((line.removeprefix("error: ") for line in lines if line.startswith("error:")),
                    lines[-1] if lines else "(no stderr)")  # fmt: skip
        return f"exit {self.exit_code}: {_DETAILS.sub('', said)[:240]}"  # without the log's name, alike failures group


def run(*, quick: bool = False) -> list[Row]:
    """Build each pair alone, then run the rounds of four reports beside the hog; count and time them."""
    rounds = max(1, int(os.environ.get(ROUNDS_VARIABLE) or ROUNDS[quick]))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as root:
        jobs = _workspace(Path(root))
        alone = [wall_time(job.command) for job in jobs]
        outcomes, round_seconds = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            with _hog(os.cpu_count() or 1):
                outcomes += _round(jobs)
            round_seconds.append(time.perf_counter() - start)
    return _rows(outcomes, alone, round_seconds)


def _workspace(root: Path) -> list[_Job]:
    """Clean the bundled raw data and validate each pair in its own reports folder; return each pair's report."""
    from ictanalysis.outputs import ReportFolder

    ictanalysis = str(Path(sys.executable).parent / "ictanalysis")
    table = root / "processed" / "indicators.parquet"
    wall_time([ictanalysis, "clean", "--raw", str(RAW), "--processed", str(table.parent)])
    jobs = []
    for year, compare in PAIRS:
        reports = root / f"reports-{year}-vs-{compare}"
        pair = ["--year", str(year), "--compare", str(compare), "--data", str(table), "--reports", str(reports)]
        wall_time([ictanalysis, "validate", *pair])
        jobs.append(_Job((year, compare), [ictanalysis, "report", *pair], ReportFolder(reports / str(year)).report))
    return jobs


@contextmanager
def _hog(processes: int) -> Iterator[None]:
    """Keep `processes` CPUs busy for the block: one Python process each, spinning; stopped by pid afterwards."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        time.sleep(0.5)  # spinning before the reports start
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def _round(jobs: Sequence[_Job]) -> list[Outcome]:
    """Start every report together, wait for all of them, and return how each ended, in the order of `jobs`."""
    outcomes: list[Outcome | None] = [None] * len(jobs)
    started = time.time()

    def report(i: int) -> None:
        outcomes[i] = _report(jobs[i], started)

    threads = [threading.Thread(target=report, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _report(job: _Job, started: float) -> Outcome:
    """Run one report to its end (stopping its process group at the deadline) and say how it ended."""
    begin = time.perf_counter()
    process = subprocess.Popen(job.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               cwd=PROJECT_DIR, start_new_session=True)  # fmt: skip
    try:
        _, stderr = process.communicate(timeout=DEADLINE_S)
        exit_code = process.returncode
    except subprocess.TimeoutExpired:
        stderr, exit_code = _stop(process), None
    seconds = time.perf_counter() - begin
    fresh = job.html.exists() and job.html.stat().st_mtime >= started
    return Outcome(job.pair, exit_code, seconds, stderr, fresh)


def _stop(process: subprocess.Popen) -> str:
    """Interrupt a hung report's process group (so that it stops its kernel), kill it if it lingers; return its stderr."""
    with suppress(ProcessLookupError):  # it may have ended meanwhile
        os.killpg(process.pid, signal.SIGINT)
    try:
        return process.communicate(timeout=_STOP_GRACE_S)[1]
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()[1]


def _rows(outcomes: Sequence[Outcome], alone: Sequence[float], rounds: Sequence[float]) -> list[Row]:
    """Turn the outcomes into the table's rows: the counts (two targets), each failure's message, the times."""
    kinds = Counter(outcome.kind() for outcome in outcomes)
    total, cpus = len(outcomes), os.cpu_count() or 1
    loaded = [o.seconds for o in outcomes if o.kind() == "built"]
    alone_median = statistics.median(alone)
    loaded_median = statistics.median(loaded) if loaded else float("nan")
    failures = Counter(f"{o.pair[0]} vs {o.pair[1]}: {o.message()}" for o in outcomes if o.kind() != "built")
    return [
        Row("load", f"rounds of {len(PAIRS)} reports at once beside {cpus} spinning processes", len(rounds), "rounds"),
        Row("load", "reports built (exit 0, new annual_report.html)", kinds["built"], "reports", f"= {total}",
            OK if kinds["built"] == total else MISSED),
        Row("load", "kernel failures (exit 5: kernel died, failed to start, cell timed out)", kinds["kernel"],
            "reports", "= 0", OK if kinds["kernel"] == 0 else MISSED),
        Row("load", "other failures", kinds["other"], "reports"),
        Row("load", "built on a fresh kernel after the first one failed (stderr's warning)",
            sum(o.kind() == "built" and RETRY_SIGN in o.stderr for o in outcomes), "reports"),
        *(Row("load", f"failure: {message}", count, "times") for message, count in failures.items()),
        Row("load", f"report alone, no load (median of {len(alone)})", alone_median, "s", samples=tuple(alone)),
        Row("load", f"report under load (median of {len(loaded)} built)", loaded_median, "s", samples=tuple(loaded)),
        Row("load", "under load ÷ alone", round(loaded_median / alone_median, 3), "×"),
        Row("load", f"round wall time (median of {len(rounds)})", statistics.median(rounds), "s", samples=tuple(rounds)),
    ]  # fmt: skip
