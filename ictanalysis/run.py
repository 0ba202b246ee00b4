"""The scheduled run: clean → validate → report → send, once, safely, and only when something changed.

:func:`run_pipeline` is what cron, a systemd timer or any scheduler calls through
``ictanalysis run``. It

- takes a lock (``reports/.run.lock``, ``fcntl.flock``) so two runs never overlap;
  the second waits up to ``--wait`` seconds, then stops with :class:`BusyError`
  (exit 7). The kernel releases the lock when the process ends, crash or not;
- logs one line per stage, with its status and duration, the years and the exit
  code to ``reports/logs/run-YYYYmmdd-HHMMSS.log``; tracebacks of unexpected
  errors go there, not to the terminal;
- fingerprints its inputs (every file under the raw folder, the package's code,
  templates and catalog, the report notebook, the parameters) before importing
  anything heavy, and when nothing changed since the last successful run and its
  outputs are still there, says the report is up to date and stops at once;
- first removes what runs killed mid-write left (SIGKILL, power cut): temporary
  files of :mod:`ictanalysis.atomic` and the report's staging folders, by their
  names, only of processes that are gone (:func:`_sweep`).

A quality-gate failure sends the analysts the data-quality summary (through
:mod:`ictanalysis.deliver`) instead of sending leadership anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.atomic import remove_stale, write_atomically
from ictanalysis.errors import (
    DiskFullError,
    ExitCode,
    IctAnalysisError,
    InputError,
    Problem,
    QualityError,
    YearError,
    is_disk_full,
)
from ictanalysis.years import year_folders

__all__ = ["BusyError", "RunOptions", "RunResult", "StageResult", "add_parser", "fingerprint", "run_pipeline"]

STAGES = ("clean", "validate", "report", "send")
STATE_FILE = ".run-state.json"
LOCK_FILE = ".run.lock"
_PACKAGE = Path(__file__).resolve().parent
_CODE_SUFFIXES = {".py", ".ipynb", ".yaml", ".j2", ".json", ".po"}
_OUTPUTS = ("annual_report.html", "annual_report.ipynb", "quality.json")
# What ictanalysis.report leaves when killed: its staging folder and the folder of the charts it replaces.
_REPORT_TEMPORARIES = re.compile(r"\.(?:staging|charts-old)-(?P<pid>[0-9]+)")


class BusyError(IctAnalysisError):
    """Another run holds the lock on the reports folder."""

    exit_code = ExitCode.BUSY


@dataclass(frozen=True)
class RunOptions:
    """What one scheduled run does; the defaults are those of ``ictanalysis run``."""

    year: int | None = None  #: the report year (default: the latest year folder in `raw`)
    compare_year: int | None = None  #: the year compared with (default: the year before)
    force: bool = False  #: redo every stage even when nothing changed
    wait: float = 0.0  #: seconds to wait for another run's lock before giving up
    send: bool = True  #: run the send stage (and the analysts' alert on a failed gate)
    raw: Path = Path("data/raw")
    processed: Path = Path("data/processed")
    reports: Path = Path("reports")
    province: str = "58"
    language: str = "vi"
    mail_config: Path = Path("ictanalysis.toml")  #: mail settings (see :func:`ictanalysis.deliver.load_mail_config`)
    timeout: int = 600  #: the longest a report notebook cell may run, in seconds
    progress: bool = False  #: show one line per stage on stdout as it runs (for a terminal)


@dataclass
class StageResult:
    """How one stage went: ``ok``, ``failed``, ``skipped`` (not run) or ``up to date``."""

    name: str
    status: str = "skipped"
    duration: float = 0.0
    output: str = ""


@dataclass
class RunResult:
    """What a run did, stage by stage, and the exit code it ends with."""

    year: int
    compare_year: int
    stages: list[StageResult]
    log: Path
    exit_code: ExitCode = ExitCode.OK
    message: str = ""  #: why the run failed, or why it had nothing to do
    up_to_date: bool = False
    duration: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)

    def stage(self, name: str) -> StageResult:
        """Return the result of the stage called `name`."""
        return next(s for s in self.stages if s.name == name)


def run_pipeline(options: RunOptions) -> RunResult:
    """Run clean → validate → report → send under the lock, logging each stage to ``reports/logs/``.

    Writes the tidy table, the quality page, the report and the email (or sends
    it), then ``reports/<year>/.run-state.json``. A stage that fails stops the run
    and is recorded in the result (its exit code, its message); the outputs of the
    last good run stay as they were.

    Raises:
        BusyError: another run held the lock for longer than ``options.wait`` seconds.
        InputError: the raw folder does not exist or has no year folder.
        YearError: the years asked for are not usable.
    """
    started = time.monotonic()
    log_path = _new_log(options.reports / "logs")
    with _logging_to(log_path) as log:
        try:
            year, compare_year = _years(options)
            log.info("run %s vs %s: raw %s, reports %s, pid %d", year, compare_year, options.raw, options.reports, os.getpid())
            with _lock(options.reports / LOCK_FILE, options.wait):
                locked_at = time.time()
                result = RunResult(year, compare_year, [StageResult(name) for name in STAGES], log_path)
                try:
                    _sweep(options, locked_at, log)
                    _run_locked(options, result, log)
                except Exception as exc:  # a bug outside the stages: traceback to the log only
                    log.exception("unexpected error")
                    result.exit_code = ExitCode.INTERNAL
                    result.message = f"internal error: {type(exc).__name__}: {exc}"
        except IctAnalysisError as exc:
            log.info("stopped before any stage: %s", exc)
            log.info("exit %d", exc.exit_code)
            raise
        result.duration = time.monotonic() - started
        log.info("exit %d in %.1f s", result.exit_code, result.duration)
    return result


def _run_locked(options: RunOptions, result: RunResult, log: logging.Logger) -> None:
    """Check the fingerprint, then run the stages that are needed; record everything in `result`."""
    target = options.reports / str(result.year)
    current = fingerprint(options, result.year, result.compare_year)
    state = _read_state(target)
    reason = _why_rebuild(state, current, options, target)
    if reason is None:
        result.up_to_date = True
        result.message = f"report for {result.year} is up to date ({_unchanged_since(state)})"
        for stage in result.stages:
            stage.status = "up to date"
        log.info("up to date: %s", result.message)
        return
    log.info("building: %s", reason)
    stages = _stage_functions(options, result)
    only_send = reason == "not sent yet"
    for number, stage in enumerate(result.stages, start=1):
        if only_send and stage.name != "send":
            stage.status = "up to date"
            continue
        if stage.name == "send" and not options.send:
            stage.output = "--no-send"
            log.info("stage send skipped (--no-send)")
            continue
        if not _run_stage(stage, stages[stage.name], number, options, result, log):
            return
    _write_state(options, target, current, years=(result.year, result.compare_year))


def _run_stage(stage: StageResult, function: Callable[[], str], number: int, options: RunOptions,
               result: RunResult, log: logging.Logger) -> bool:  # fmt: skip
    """Run one stage, time it, log it; return whether the run goes on."""
    if options.progress:
        print(f"[{number}/{len(STAGES)}] {stage.name} …", end=" ", flush=True)
    began = time.monotonic()
    gate_failed = False
    try:
        stage.output = _call(function)
        stage.status = "ok"
    except IctAnalysisError as exc:
        stage.status, stage.output = "failed", str(exc)
        result.exit_code, result.message = ExitCode(exc.exit_code), str(exc)
        gate_failed = isinstance(exc, QualityError)
        if getattr(exc, "page", None):  # the quality gate's page says why it failed
            result.outputs["quality"] = Path(exc.page)
    except Exception as exc:  # a bug: the traceback goes to the log, one line to the terminal
        stage.status, stage.output = "failed", f"{type(exc).__name__}: {exc}"
        result.exit_code = ExitCode.INTERNAL
        result.message = f"internal error in stage {stage.name}: {stage.output}"
        log.exception("stage %s raised an unexpected error", stage.name)
    stage.duration = time.monotonic() - began
    if options.progress:
        print(_seconds(stage.duration, options.language) if stage.status == "ok" else stage.status, flush=True)
    first_line = stage.output.splitlines()[0] if stage.output else ""
    log.info("stage %s %s %.1f s: %s", stage.name, stage.status, stage.duration, first_line)
    if stage.status == "failed" and stage.output.count("\n"):
        log.info("%s", stage.output)
    if gate_failed and options.send:  # not for a full disk, which also ends validate with exit 4
        _alert_analysts(options, result, log)
    return stage.status == "ok"


def _call(stage: Callable[[], str]) -> str:
    """Run a stage function; a full disk met outside :mod:`ictanalysis.atomic` is reported as one met inside."""
    try:
        return stage()
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(exc.filename) from None
        raise


def _stage_functions(options: RunOptions, result: RunResult) -> dict[str, Callable[[], str]]:
    """Return each stage as a function of no argument returning a line that says what it wrote."""
    table = options.processed / "indicators.parquet"

    def clean() -> str:
        from ictanalysis.ingest import clean

        done = clean(options.raw, options.processed, province=options.province)
        return f"{len(done.files)} workbooks, {len(done.table):,} values → {table}"

    def validate() -> str:
        from ictanalysis.validate import gate

        quality, page = gate(table, options.reports, year=result.year, compare_year=result.compare_year,
                             province=options.province, language=options.language)  # fmt: skip
        result.outputs["quality"] = page
        return f"{quality.summary().splitlines()[0]} → {page}"

    def report() -> str:
        from ictanalysis.report import ReportParameters, build_report

        parameters = ReportParameters(result.year, result.compare_year, options.province, options.language,
                                      str(table.resolve()))  # fmt: skip
        built = build_report(parameters, options.reports, timeout=options.timeout)
        result.outputs["report"] = built.html
        return f"{built.html} ({built.size_bytes / 1e6:.1f} MB)"

    def send() -> str:
        return _deliver(options, result)

    return {"clean": clean, "validate": validate, "report": report, "send": send}


def _deliver(options: RunOptions, result: RunResult) -> str:
    """Write the leadership email next to the report, and send it when mail settings exist (never twice)."""
    from ictanalysis import deliver

    config = deliver.load_mail_config(options.mail_config)
    done = deliver.send_report(result.year, result.compare_year, config, reports=options.reports,
                               data=options.processed / "indicators.parquet", province=options.province,
                               language=options.language)  # fmt: skip
    result.outputs["email"] = done.eml
    size = f"{done.size_bytes / 1e6:.2f} MB"
    if config is None:
        return f"no mail settings: wrote {done.eml} ({size})"
    if done.already_sent:
        return f"already sent on {done.already_sent}: {done.eml} ({size})"
    return f"sent to {', '.join(config.recipients)} through {config.address}: {done.eml} ({size})"


def _alert_analysts(options: RunOptions, result: RunResult, log: logging.Logger) -> None:
    """Send the analysts the data-quality summary; a failure to do so is logged, the exit code stays 4."""
    try:
        from ictanalysis import deliver

        config = deliver.load_mail_config(options.mail_config)
        eml = deliver.send_quality_alert(options.reports, result.year, config, options.language)
        result.outputs["alert"] = eml
        log.info("analysts alerted: %s", f"sent to {', '.join(config.analysts)}" if config else f"wrote {eml}")
    except Exception as exc:
        log.exception("the analysts' alert failed")
        result.message += f"\n(the analysts' alert failed too: {type(exc).__name__}: {exc})"


# --- years, lock, log ------------------------------------------------------------------------------


def _years(options: RunOptions) -> tuple[int, int]:
    """Return (year, compare_year): by default the latest year folder of the raw folder and the year before.

    Raises:
        InputError: the raw folder does not exist or has no year folder.
        YearError: `year` has no folder, or both years are the same.
    """
    if not options.raw.is_dir():
        raise InputError([Problem(str(options.raw), message="the raw-data folder does not exist",
                                  expected="a folder with one sub-folder per year, e.g. data/raw/2020/")])  # fmt: skip
    years = year_folders(options.raw)
    if not years:
        raise InputError([Problem(str(options.raw), message="no year folder found",
                                  expected="sub-folders named by year, e.g. data/raw/2020/")])  # fmt: skip
    year = years[-1] if options.year is None else options.year
    compare_year = year - 1 if options.compare_year is None else options.compare_year
    if year not in years:
        raise YearError(f"no folder {options.raw / str(year)}: the raw folder holds {', '.join(map(str, years))}")
    if year == compare_year:
        raise YearError(f"--year and --compare are both {year}: choose two different years")
    return year, compare_year


def _sweep(options: RunOptions, locked_at: float, log: logging.Logger) -> None:
    """Remove the temporary files and folders that killed runs left; only ours, only of processes that are gone.

    Looks where the stages write: the processed folder, each year folder of the reports
    (and its charts). A file a process still running is writing, or one newer than the
    lock (`locked_at`), stays.
    """
    years = sorted(p for p in options.reports.iterdir() if p.is_dir() and p.name.isdigit())
    removed = remove_stale(options.processed, older_than=locked_at)
    for year in years:
        removed += remove_stale(year, older_than=locked_at)
        removed += remove_stale(year / "charts", older_than=locked_at)
        removed += remove_stale(year, older_than=locked_at, names=_REPORT_TEMPORARIES)
    if removed:
        log.info("removed what killed runs left: %s", ", ".join(str(p) for p in removed))


def _lock_holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    return f"pid {holder.get('pid', '?')}, started {holder.get('started', '?')}"


@contextmanager
def _lock(path: Path, wait: float) -> Iterator[None]:
    """Hold an exclusive flock on `path` for the block; retry for `wait` seconds, then raise BusyError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with open(path, "a+", encoding="utf-8") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(f"another run holds the lock ({_lock_holder(path)}); "
                                    f"try again later or pass --wait SECONDS") from None  # fmt: skip
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        try:  # unbuffered: a full disk fails here, not again when the file is closed
            os.ftruncate(handle.fileno(), 0)
            os.write(handle.fileno(), json.dumps({"pid": os.getpid(), "started": _now()}).encode())
        except OSError as exc:
            if is_disk_full(exc):
                raise DiskFullError(path) from None
            raise
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def _new_log(folder: Path) -> Path:
    """Create and return a new, empty log file named after the current time (never reusing a name)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"run-{dt.datetime.now():%Y%m%d-%H%M%S}"
    for suffix in ("", *(f"-{n}" for n in range(1, 1000))):
        path = folder / f"{stem}{suffix}.log"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return path
        except FileExistsError:
            continue
    raise OSError(f"cannot create a log file in {folder}")


@contextmanager
def _logging_to(path: Path) -> Iterator[logging.Logger]:
    """Send the package's log records to `path` for the block; restore the logger afterwards."""
    package = logging.getLogger("ictanalysis")
    handler = _LogFile(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    level, propagate = package.level, package.propagate
    package.addHandler(handler)
    package.setLevel(logging.INFO)
    package.propagate = False
    try:
        yield logging.getLogger("ictanalysis.run")
    finally:
        package.removeHandler(handler)
        package.setLevel(level)
        package.propagate = propagate
        handler.close()


class _LogFile(logging.FileHandler):
    """The run's log file; on a full disk its lines are lost quietly (the run still says why it stops).

    The standard handler would print a traceback on the terminal for every line it cannot write.
    """

    def handleError(self, record: logging.LogRecord) -> None:
        if not is_disk_full(sys.exc_info()[1]):
            super().handleError(record)

    def close(self) -> None:
        try:
            super().close()
        except OSError as exc:  # the last lines could not be flushed
            if not is_disk_full(exc):
                raise


# --- incremental runs ------------------------------------------------------------------------------


def fingerprint(options: RunOptions, year: int, compare_year: int) -> dict[str, str]:
    """Return sha256 digests of the raw folder, the code and the parameters of a run.

    Only the standard library is used, so that an up-to-date run never imports pandas.
    The raw digest covers every file under `options.raw` (path, size and content);
    the code digest every .py, .yaml, .j2 and .json file of the package and the
    report notebook.
    """
    code_files = [p for p in sorted(_PACKAGE.rglob("*")) if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts]
    parameters = {"year": year, "compare_year": compare_year, "province": options.province, "language": options.language,
                  "raw": str(options.raw.resolve()), "processed": str(options.processed.resolve())}  # fmt: skip
    return {
        "raw data": _digest_files(options.raw, sorted(p for p in options.raw.rglob("*") if p.is_file())),
        "code": _digest_files(_PACKAGE.parent, code_files),
        "parameters": hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest(),
    }


def _digest_files(root: Path, files: list[Path]) -> str:
    total = hashlib.sha256()
    for path in files:
        total.update(f"{path.relative_to(root).as_posix()}\0{path.stat().st_size}\0{_sha256(path)}\n".encode())
    return total.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _read_state(target: Path) -> dict:
    try:
        return json.loads((target / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _why_rebuild(state: dict, current: dict[str, str], options: RunOptions, target: Path) -> str | None:
    """Return why the run must do something (None when the report is up to date)."""
    if options.force:
        return "--force"
    if not state:
        return "no earlier successful run"
    changed = [name for name, digest in current.items() if state.get("fingerprint", {}).get(name) != digest]
    if changed:
        return " and ".join(changed) + " changed"
    stored = state.get("outputs", {})
    for name, path in _output_files(options, target).items():
        if not path.is_file() or stored.get(name) != _sha256(path):
            return f"{path} is missing or was changed since the last run"
    if options.send and state.get("sent") != _mail_settings(options):
        return "not sent yet"
    return None


def _mail_settings(options: RunOptions) -> str:
    """Return a digest of the mail settings (file and ICTANALYSIS_SMTP_* variables, not the password).

    A run that sent (or wrote the .eml) under other settings is not up to date:
    its send stage runs again, and :mod:`ictanalysis.deliver` sends only what was not sent yet.
    """
    digest = hashlib.sha256()
    if options.mail_config.is_file():
        digest.update(options.mail_config.read_bytes())
    for name in sorted(os.environ):
        if name.startswith("ICTANALYSIS_SMTP_") and name != "ICTANALYSIS_SMTP_PASSWORD":
            digest.update(f"\0{name}={os.environ[name]}".encode())
    return digest.hexdigest()


def _output_files(options: RunOptions, target: Path) -> dict[str, Path]:
    """Return the files a successful run leaves, by name; an up-to-date run needs them unchanged."""
    return {**{name: target / name for name in _OUTPUTS}, "table": options.processed / "indicators.parquet"}


def _write_state(options: RunOptions, target: Path, current: dict[str, str], *, years: tuple[int, int]) -> None:
    """Record a successful run's fingerprint and output digests in ``<target>/.run-state.json`` (atomically)."""
    outputs = {name: _sha256(path) for name, path in _output_files(options, target).items()}
    sent = _mail_settings(options) if options.send else None
    state = {"fingerprint": current, "outputs": outputs, "sent": sent, "years": list(years), "finished": _now()}
    write_atomically(target / STATE_FILE, lambda p: p.write_text(json.dumps(state, indent=2), encoding="utf-8"))


def _unchanged_since(state: dict) -> str:
    return f"raw data, code and parameters unchanged since {state.get('finished', '?')}; --force rebuilds it"


def _seconds(duration: float, language: str) -> str:
    text = f"{duration:.1f} s"
    return text.replace(".", ",") if language == "vi" else text


# --- command line ----------------------------------------------------------------------------------


def _options(args: argparse.Namespace) -> RunOptions:
    return RunOptions(year=args.year, compare_year=args.compare, force=args.force, wait=args.wait, send=not args.no_send,
                      mail_config=args.config, raw=args.raw, processed=args.processed, reports=args.reports, province=args.province,
                      language=args.language, timeout=args.timeout, progress=sys.stdout.isatty())  # fmt: skip


def _run(args: argparse.Namespace) -> int:
    """Handle ``ictanalysis run``: run the pipeline, print a short summary, return the exit code."""
    result = run_pipeline(_options(args))
    if result.up_to_date:
        print(result.message)
        return ExitCode.OK
    print(f"Run {result.year} vs {result.compare_year}: " + ", ".join(
        f"{s.name} {s.status}" + (f" {_seconds(s.duration, args.language)}" if s.status in ("ok", "failed") else "")
        for s in result.stages) + f" (total {_seconds(result.duration, args.language)})")  # fmt: skip
    for name, path in result.outputs.items():
        print(f"  {name}: {path}")
    if result.exit_code != ExitCode.OK:
        message = result.message if result.exit_code != ExitCode.INTERNAL else result.message.splitlines()[0]
        print(f"error: {message}\nsee {result.log}", file=sys.stderr)
    else:
        print(f"  log: {result.log}")
    return result.exit_code


def add_parser(commands) -> None:
    """Register ``ictanalysis run`` on the sub-command set `commands`."""
    from ictanalysis.cli import EXIT_CODES, add_timeout_option

    parser = commands.add_parser(
        "run",
        help="run clean → validate → report → send, for cron (locked, logged, incremental)",
        description="Run the whole pipeline for a pair of years: read RAW into PROCESSED, check it with the quality "
        "gate, build the report in REPORTS/<year>/ and write or send the email. A lock (REPORTS/.run.lock) keeps two "
        "runs from overlapping; each run logs one line per stage to REPORTS/logs/. When neither the raw files, the "
        "code nor the parameters changed since the last successful run, it only says the report is up to date. "
        "When the quality gate fails, the analysts get the data-quality summary and leadership nothing.",
        epilog="example:\n  ictanalysis run                           # latest year in data/raw vs the year before\n"
        "  ictanalysis run --year 2020 --compare 2019 --force --no-send\n"
        "  ictanalysis run --wait 600                # from cron: wait up to 10 min for a running run\n\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--year", type=int, help="the report year (default: the latest year folder in RAW)")
    parser.add_argument("--compare", type=int, help="the year to compare with (default: the year before)")
    parser.add_argument("--force", action="store_true", help="redo every stage even when nothing changed")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long for another run to finish before giving up (default: %(default)s)")
    parser.add_argument("--no-send", action="store_true", help="stop after the report: no email, no alert")
    parser.add_argument("--config", type=Path, default=Path("ictanalysis.toml"),
                        help="mail settings, git-ignored; without them the email is only written as .eml (default: %(default)s)")
    parser.add_argument("--raw", type=Path, default=Path("data/raw"), help="raw folder, one sub-folder per year (default: %(default)s)")
    parser.add_argument("--processed", type=Path, default=Path("data/processed"), help="where the tidy table goes (default: %(default)s)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="where reports and logs go (default: %(default)s)")
    parser.add_argument("--province", default="58", help="official code of the province (default: %(default)s)")
    parser.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the report and email (default: %(default)s)")
    add_timeout_option(parser)
    parser.set_defaults(handler=_run)
