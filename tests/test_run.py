"""The scheduled run: the whole pipeline once, a fast no-op, a rebuild after a raw change, the lock, the exit codes.

Every run is the real command in a subprocess on a copy of data/raw in tmp, with
no mail settings (the email is written as .eml). A full run takes tens of
seconds, so one module fixture makes the two full runs and the runs around them,
and the tests check what it recorded.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import fcntl
import os
import pickle
import pty
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ictanalysis import cli
from ictanalysis.errors import ExitCode

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
POPULATION = Path("2020") / "dan-so-2020.csv"

_COMMAND = [sys.executable, "-m", "ictanalysis"]


def _env() -> dict[str, str]:
    """The environment without any mail setting, so the email is only written as .eml."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ICTANALYSIS_")}, "PYTHONIOENCODING": "utf-8"}


def _command(workspace: Path, *extra: str) -> list[str]:
    paths = {"--raw": "raw", "--processed": "processed", "--reports": "reports", "--config": "no-mail.toml"}
    return [*_COMMAND, "run", *(a for k, v in paths.items() for a in (k, str(workspace / v))), *extra]


def _run(workspace: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(workspace, *extra), cwd=workspace, env=_env(), capture_output=True, text=True,
                          encoding="utf-8", timeout=300)  # fmt: skip


def _workspace(folder: Path) -> Path:
    """Copy the bundled year folders into `folder`/raw and return `folder`."""
    for year in sorted(p for p in (REPO / "data" / "raw").iterdir() if p.is_dir() and p.name.isdigit()):
        shutil.copytree(year, folder / "raw" / year.name)
    return folder


def _edit_population(raw: Path, old: str, new: str) -> None:
    """Replace one quoted number of the 2020 population CSV (a valid edit: it still parses)."""
    path = raw / POPULATION
    text = path.read_text(encoding="utf-8-sig")
    assert f';"{old}"' in text
    path.write_text(text.replace(f';"{old}"', f';"{new}"'), encoding="utf-8-sig")


def _newest_log(workspace: Path) -> str:
    """Return the text of the newest run log (each run writes its own)."""
    logs = sorted((workspace / "reports" / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime_ns)
    return logs[-1].read_text(encoding="utf-8")


def _lock_is_held(lock: Path) -> bool:
    if not lock.exists():
        return False
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _previous_report(workspace: Path) -> Path:
    """Put a last good report in place, as an earlier run would have left it."""
    html = workspace / "reports" / "2020" / "annual_report.html"
    html.parent.mkdir(parents=True)
    html.write_text("<!DOCTYPE html><title>the last good report</title>", encoding="utf-8")
    return html


@dataclass
class History:
    """What the module's sequence of runs did."""

    workspace: Path
    first: subprocess.CompletedProcess
    first_log: str = ""
    second: subprocess.CompletedProcess | None = None
    noop_seconds: list[float] = field(default_factory=list)
    report_mtimes: dict[str, int] = field(default_factory=dict)
    rebuild: subprocess.CompletedProcess | None = None
    rebuild_pid: int = 0
    rebuild_log: str = ""
    busy: subprocess.CompletedProcess | None = None
    busy_waited: subprocess.CompletedProcess | None = None
    busy_wait_seconds: float = 0.0
    after_rebuild: subprocess.CompletedProcess | None = None


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    """Return what the sequence of runs did; it runs once per test session, even across xdist workers.

    (loadgroup does not keep a group on one worker with pytest 9 and xdist 3.8, so the
    first worker runs the sequence and the others read what it recorded.)
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, common to the workers
    with open(shared / "run-history.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        recorded = shared / "run-history.pickle"
        if not recorded.exists():
            done = _make_history(tmp_path_factory.mktemp("run"))
            recorded.write_bytes(pickle.dumps(done))
        return pickle.loads(recorded.read_bytes())


def _make_history(folder: Path) -> History:
    """Run: a full run; the same again (a no-op, then timed five times); a raw change rebuilt while two more
    runs try the lock (one without waiting, one waiting a second); and once more (up to date)."""
    workspace = _workspace(folder)
    html = workspace / "reports" / "2020" / "annual_report.html"
    done = History(workspace, _run(workspace))
    assert done.first.returncode == 0, done.first.stdout + done.first.stderr
    done.first_log = _newest_log(workspace)
    done.report_mtimes["first"] = html.stat().st_mtime_ns
    done.second = _run(workspace)
    for _ in range(5):
        began = time.perf_counter()
        assert _run(workspace).returncode == 0
        done.noop_seconds.append(time.perf_counter() - began)
    done.report_mtimes["noop"] = html.stat().st_mtime_ns

    _edit_population(workspace / "raw", "168.920", "168.921")
    _edit_population(workspace / "raw", "595.160", "595.161")
    rebuild = subprocess.Popen(_command(workspace), cwd=workspace, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")  # fmt: skip
    deadline = time.monotonic() + 60
    while not _lock_is_held(workspace / "reports" / ".run.lock") and rebuild.poll() is None:
        assert time.monotonic() < deadline, "the run never took the lock"
        time.sleep(0.05)
    done.busy = _run(workspace)
    began = time.perf_counter()
    done.busy_waited = _run(workspace, "--wait", "1")
    done.busy_wait_seconds = time.perf_counter() - began
    out, err = rebuild.communicate(timeout=300)
    done.rebuild = subprocess.CompletedProcess(rebuild.args, rebuild.returncode, out, err)
    done.rebuild_pid = rebuild.pid
    done.rebuild_log = next(p.read_text(encoding="utf-8") for p in (workspace / "reports" / "logs").glob("*.log")
                            if f", pid {rebuild.pid}\n" in p.read_text(encoding="utf-8"))  # fmt: skip
    done.report_mtimes["rebuild"] = html.stat().st_mtime_ns
    done.after_rebuild = _run(workspace)
    return done


# The tests on `history` would rather share one worker; `history` runs once anyway.
HISTORY = pytest.mark.xdist_group("run-pipeline")


@HISTORY
def test_a_full_run_writes_the_report_the_email_and_a_log_line_per_stage(history):
    reports = history.workspace / "reports" / "2020"
    assert (reports / "annual_report.html").stat().st_size > 100_000
    message = email.message_from_bytes((reports / "annual_report.eml").read_bytes(), policy=email.policy.default)
    assert "2020" in message["Subject"]
    assert (history.workspace / "processed" / "indicators.parquet").is_file()
    assert (reports / ".run-state.json").is_file()
    for stage in ("clean", "validate", "report", "send"):
        assert len([line for line in history.first_log.splitlines() if f" stage {stage} ok " in line]) == 1
    assert "run 2020 vs 2019" in history.first_log
    assert "exit 0 in" in history.first_log
    assert "[1/4]" not in history.first.stdout  # not a terminal: no progress display, only the summary
    assert "annual_report.eml" in history.first.stdout


@HISTORY
def test_a_second_run_says_up_to_date_and_rebuilds_nothing(history):
    assert history.second.returncode == 0
    assert history.second.stdout.startswith("report for 2020 is up to date (")
    assert history.second.stderr == ""
    assert history.report_mtimes["noop"] == history.report_mtimes["first"]
    median = statistics.median(history.noop_seconds)
    print(f"no-op run: median {median:.2f} s of {[round(s, 2) for s in history.noop_seconds]}")
    assert median < 2.0


@HISTORY
def test_an_up_to_date_run_does_not_import_pandas(history):
    probe = (
        "import sys, ictanalysis.cli as cli\n"
        "code = cli.main(sys.argv[1:]); print('pandas' in sys.modules, 'great_expectations' in sys.modules)\n"
        "raise SystemExit(code)"
    )
    result = subprocess.run([sys.executable, "-c", probe, *_command(history.workspace)[len(_COMMAND):]],
                            cwd=history.workspace, env=_env(), capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False False"


@HISTORY
def test_a_changed_raw_file_rebuilds_the_report(history):
    assert history.rebuild.returncode == 0, history.rebuild.stderr
    assert "building: raw data changed" in history.rebuild_log
    assert " stage report ok " in history.rebuild_log
    assert history.report_mtimes["rebuild"] > history.report_mtimes["noop"]
    # (Fails with "building: code changed" if the package was edited while the module ran.)
    assert "up to date" in history.after_rebuild.stdout, _newest_log(history.workspace)


@HISTORY
def test_a_second_run_while_one_holds_the_lock_exits_busy(history):
    assert history.busy.returncode == ExitCode.BUSY == 7
    assert f"another run holds the lock (pid {history.rebuild_pid}, started " in history.busy.stderr
    assert history.busy.stdout == ""
    assert history.busy_waited.returncode == ExitCode.BUSY
    assert history.busy_wait_seconds >= 1.0
    assert history.rebuild.returncode == 0  # the first run was not disturbed


def test_a_broken_raw_file_exits_3_keeps_the_last_report_and_logs_the_stage(tmp_path):
    workspace = _workspace(tmp_path)
    (workspace / "raw" / "2020" / "vien-thong-2020.xlsx").write_bytes(b"this is not a workbook")
    report = _previous_report(workspace)
    before = report.read_bytes(), report.stat().st_mtime_ns
    # In a terminal: a progress line per stage, then the error and where the log is.
    main_fd, terminal = pty.openpty()
    process = subprocess.Popen(_command(workspace), cwd=workspace, env=_env(), stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    _, err = process.communicate(timeout=120)
    shown = _read_all(main_fd).decode("utf-8")
    assert process.returncode == ExitCode.INPUT == 3
    assert "[1/4] clean … failed" in shown
    assert "vien-thong-2020.xlsx" in err.decode("utf-8")
    assert "see " in err.decode("utf-8") and "run-" in err.decode("utf-8")
    assert (report.read_bytes(), report.stat().st_mtime_ns) == before
    log = next((workspace / "reports" / "logs").glob("run-*.log")).read_text(encoding="utf-8")
    assert " stage clean failed " in log and "exit 3" in log
    assert not (workspace / "processed" / "indicators.parquet").exists()


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def test_a_failing_gate_exits_4_alerts_the_analysts_and_sends_leadership_nothing(tmp_path):
    workspace = _workspace(tmp_path)
    # A negative population for one district, with the total row still the sum: ingest reads it, the gate refuses it.
    _edit_population(workspace / "raw", "30.710", "-5")
    _edit_population(workspace / "raw", "595.160", "564.445")
    report = _previous_report(workspace)
    before = report.read_bytes(), report.stat().st_mtime_ns
    result = _run(workspace)
    assert result.returncode == ExitCode.QUALITY == 4, result.stdout + result.stderr
    assert "Quality gate 2020 vs 2019: FAILED" in result.stderr
    assert (report.read_bytes(), report.stat().st_mtime_ns) == before
    folder = workspace / "reports" / "2020"
    assert not (folder / "annual_report.eml").exists()
    alert = email.message_from_bytes((folder / "quality_alert.eml").read_bytes(), policy=email.policy.default)
    assert "2020" in alert["Subject"]
    assert (folder / "quality/2020-vs-2019.html").is_file()
    log = _newest_log(workspace)
    assert " stage validate failed " in log and "analysts alerted" in log and "exit 4" in log
    assert " stage report " not in log
    assert not (folder / ".run-state.json").exists()


def test_an_unexpected_error_goes_to_the_log_and_one_line_to_the_terminal(tmp_path):
    workspace = _workspace(tmp_path)
    probe = (
        "import sys, ictanalysis.cli as cli, ictanalysis.ingest as ingest\n"
        "def broken(*args, **kwargs): raise ZeroDivisionError('a bug in clean')\n"
        "ingest.clean = broken\n"
        "raise SystemExit(cli.main(sys.argv[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", probe, *_command(workspace)[len(_COMMAND):]], cwd=workspace,
                            env=_env(), capture_output=True, text=True)  # fmt: skip
    assert result.returncode == ExitCode.INTERNAL == 1
    assert "Traceback" not in result.stderr
    assert "internal error in stage clean: ZeroDivisionError: a bug in clean" in result.stderr
    log = _newest_log(workspace)
    assert "Traceback" in log and "ZeroDivisionError" in log and "exit 1" in log


def _log_at(folder: Path, name: str, days_ago: float) -> Path:
    """Put a log (a file, or a folder with a file: a failed report's) in `folder`, last changed `days_ago` days ago."""
    path = folder / name
    if "." in name:
        path.write_text("an old log", encoding="utf-8")
    else:
        path.mkdir()
        (path / "kernel.log").write_text("an old kernel's log", encoding="utf-8")
    when = time.time() - days_ago * 86_400
    os.utime(path, (when, when))
    return path


def test_the_next_run_removes_the_logs_older_than_log_days_and_keeps_the_others(tmp_path):
    workspace = _workspace(tmp_path)
    (workspace / "ictanalysis.toml").write_text("log_days = 30\n", encoding="utf-8")
    (workspace / "raw" / "2020" / "vien-thong-2020.xlsx").write_bytes(b"broken, so the run stops after clean")
    logs = workspace / "reports" / "logs"
    logs.mkdir(parents=True)
    old = [_log_at(logs, "run-20260101-060000.log", 31), _log_at(logs, "ictanalysis-clean-20260101-060000-1.log", 40),
           _log_at(logs, "report-20260101-060000", 31)]  # fmt: skip
    kept = [_log_at(logs, "run-20261101-060000.log", 29), _log_at(logs, "report-20261101-060000-2", 1),
            _log_at(logs, "notes.txt", 400), _log_at(logs, "run-old-copy", 400)]  # not named as the package names logs
    result = subprocess.run(_command(workspace), cwd=workspace, env=_env(), capture_output=True, text=True,
                            encoding="utf-8", timeout=300)  # fmt: skip
    assert result.returncode == ExitCode.INPUT, result.stdout + result.stderr  # it got as far as the first stage
    assert [p.exists() for p in old] == [False] * 3 and [p.exists() for p in kept] == [True] * 4
    current = [p for p in logs.glob("run-*.log") if p not in kept]
    assert len(current) == 1 and " stage clean failed " in current[0].read_text(encoding="utf-8")
    assert "removed 3 logs older than 30 days (log_days)" in current[0].read_text(encoding="utf-8")


def test_the_current_log_is_never_removed_however_old_it_looks(tmp_path):
    from ictanalysis.runlog import new_log, remove_old_logs

    current, other = new_log(tmp_path), _log_at(tmp_path, "run-20200101-000000.log", 1000)
    os.utime(current, (0, 0))  # a clock set wrong, say
    assert remove_old_logs(tmp_path, 90, keep=current) == [other]
    assert current.exists()


def test_help_has_an_example_and_the_exit_codes():
    commands = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    text = commands.choices["run"].format_help()
    assert "example:" in text and "ictanalysis run" in text.split("example:")[1]
    assert re.search(r"^  7  another (run|command) holds the lock", text, re.MULTILINE), text


def test_a_killed_run_leaves_no_lock_behind(tmp_path):
    workspace = _workspace(tmp_path)
    lock = workspace / "reports" / ".run.lock"
    process = subprocess.Popen(_command(workspace), cwd=workspace, env=_env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not _lock_is_held(lock):
        assert process.poll() is None and time.monotonic() < deadline, "the run never took the lock"
        time.sleep(0.05)
    process.kill()  # SIGKILL: no clean-up code runs; the kernel releases the flock
    process.wait(timeout=30)
    assert not _lock_is_held(lock)
    (workspace / "raw" / "2020" / "vien-thong-2020.xlsx").write_bytes(b"broken, so the next run stops early")
    assert _run(workspace).returncode == ExitCode.INPUT  # it got the lock (not 7)
