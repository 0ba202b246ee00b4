"""The scheduled run: clean → validate → report → send, once, locked, logged, and only when something changed.

:func:`run_pipeline` is what cron, a systemd timer or any scheduler calls through
``ictanalysis run``. It calls the very stage functions the separate commands
call (:mod:`ictanalysis.stages`), and

- takes the lock of the reports folder (:mod:`ictanalysis.lock`) so two runs never
  overlap; the second waits up to ``--wait`` seconds, then stops with exit 7;
- logs one line per stage, with its status and duration, the years and the exit
  code to ``reports/logs/run-YYYYmmdd-HHMMSS.log`` (:mod:`ictanalysis.runlog`);
  tracebacks of unexpected errors go there, not to the terminal;
- compares the fingerprint of its inputs with the last successful run's
  (:mod:`ictanalysis.runstate`) before reading the table or importing anything heavy,
  and when nothing changed and the outputs are still there, says the report is up to date;
- first completes what runs killed while publishing left half done (SIGKILL, power
  cut: :func:`ictanalysis.publish.finish_interrupted`, from the journals they left),
  then removes what runs killed mid-write left: temporary files of
  :mod:`ictanalysis.atomic` and staging folders, by their names, only of processes that
  are gone and only when no journal still needs them; and removes the logs older than
  the settings' ``log_days`` (90 days by default), never the current run's.

A quality-gate failure sends the analysts the data-quality summary instead of
sending leadership anything.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis import stages
from ictanalysis.atomic import remove_stale
from ictanalysis.errors import (
    DiskFullError,
    ExitCode,
    IctAnalysisError,
    QualityError,
    is_disk_full,
)
from ictanalysis.lock import holding
from ictanalysis.outputs import LEFTOVERS, Outputs
from ictanalysis.publish import finish_interrupted, staging_needed
from ictanalysis.runlog import logging_to, new_log, remove_old_logs
from ictanalysis.runstate import fingerprint, last_state, unchanged_since, why_rebuild, write_state
from ictanalysis.settings import DEFAULTS, Settings
from ictanalysis.years import YearPair, choose_years, raw_years

__all__ = ["STAGES", "RunOptions", "RunResult", "StageResult", "run_pipeline"]

STAGES = ("clean", "validate", "report", "send")


@dataclass(frozen=True)
class RunOptions:
    """What one scheduled run does beyond the settings; the defaults are those of ``ictanalysis run``."""

    year: int | None = None  #: the report year (default: the latest year of the tidy table)
    compare_year: int | None = None  #: the year compared with (default: the year before)
    force: bool = False  #: redo every stage even when nothing changed
    send: bool = True  #: run the send stage (and the analysts' alert on a failed gate)
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

    stages: list[StageResult]
    log: Path
    pair: YearPair | None = None  #: the years compared, once known
    exit_code: ExitCode = ExitCode.OK
    message: str = ""  #: why the run failed, or why it had nothing to do
    up_to_date: bool = False
    duration: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)
    failure: IctAnalysisError | None = field(default=None, repr=False)  #: the error that stopped a stage

    def stage(self, name: str) -> StageResult:
        """Return the result of the stage called `name`."""
        return next(s for s in self.stages if s.name == name)


def run_pipeline(settings: Settings, options: RunOptions = RunOptions()) -> RunResult:
    """Run clean → validate → report → send under the lock, logging each stage to ``reports/logs/``.

    Writes the tidy table, the quality page, the report and the email (or sends
    it), then ``reports/<year>/.run-state.json``. A stage that fails stops the run
    and is recorded in the result (its exit code, its message); the outputs of the
    last good run stay as they were.

    Raises:
        BusyError: another run held the lock for longer than ``settings.wait`` seconds.
        InputError: the raw folder does not exist or has no year folder.
        YearError: the years asked for are the same, or not in the data (before anything is done).
    """
    started = time.monotonic()
    log_path = new_log(settings.outputs.logs)
    with logging_to(log_path) as log:
        try:
            raw_years(settings.raw)  # the raw folder is there and holds years, before the lock is taken
            _check_years(settings, options)
            log.info("run started: raw %s, reports %s, pid %d", settings.raw, settings.reports, os.getpid())
            with holding(settings.outputs, settings.wait):
                result = RunResult([StageResult(name) for name in STAGES], log_path)
                _run_locked(settings, options, result, log, locked_at=time.time())
        except IctAnalysisError as exc:
            log.info("stopped before any stage: %s", exc)
            log.info("exit %d", exc.exit_code)
            raise
        result.duration = time.monotonic() - started
        log.info("exit %d in %.1f s", result.exit_code, result.duration)
    return result


def _run_locked(settings: Settings, options: RunOptions, result: RunResult, log: logging.Logger, *,
                locked_at: float) -> None:  # fmt: skip
    """Sweep, check the fingerprint, then run the stages that are needed; record everything in `result`."""
    try:
        _sweep(settings.outputs, locked_at, log)
        _remove_old_logs(settings, result.log, log)
        reason = _why_build(settings, options, result, log)
        if reason is None:
            return
        log.info("building: %s", reason)
        if _run_stages(settings, options, result, log, only_send=reason == "not sent yet"):
            current = fingerprint(settings, options.year, options.compare_year)  # the raw data as the run read it
            write_state(settings, current, result.pair, send=options.send)
    except Exception as exc:  # a bug outside the stages: traceback to the log only
        log.exception("unexpected error")
        result.exit_code, result.message = ExitCode.INTERNAL, f"internal error: {type(exc).__name__}: {exc}"


def _why_build(settings: Settings, options: RunOptions, result: RunResult, log: logging.Logger) -> str | None:
    """Return why the run must build, or None (recorded in `result`) when the last report is up to date."""
    current = fingerprint(settings, options.year, options.compare_year)
    folder, state = last_state(settings, current, options.year)
    if folder is None:
        return "no earlier successful run"
    result.pair = YearPair(*state["years"], settings.province)
    reason = why_rebuild(state, current, settings, folder, force=options.force, send=options.send)
    if reason is None:
        result.up_to_date = True
        result.message = f"report for {result.pair.year} is up to date ({unchanged_since(state)})"
        for stage in result.stages:
            stage.status = "up to date"
        log.info("up to date: %s", result.message)
    return reason


def _check_years(settings: Settings, options: RunOptions) -> None:
    """Refuse, before the lock and any work, a pair of years that cannot be: the same twice, or not in the data.

    A year is in the data when it has a raw folder or the current tidy table holds it (a yearbook
    in one year's folder gives earlier years).
    """
    year, compare = options.year, options.compare_year
    if year is None:
        return
    choose_years([year, compare if compare is not None else year - 1], year, compare)  # the same year twice
    folders = set(raw_years(settings.raw))
    wanted = {year, year - 1 if compare is None else compare} - folders
    if wanted:
        from ictanalysis.tidy import indicator_years

        held = set(indicator_years(settings.outputs.table)) if settings.outputs.table.is_file() else set()
        choose_years(sorted(folders | held), year, compare, settings.province)  # raises YearError naming them


def _run_stages(settings: Settings, options: RunOptions, result: RunResult, log: logging.Logger, *,
                only_send: bool) -> bool:  # fmt: skip
    """Run the stages in order; return whether every one that ran succeeded."""
    calls = _stage_calls(settings, options, result, log)
    for number, stage in enumerate(result.stages, start=1):
        if only_send and stage.name != "send":
            stage.status = "up to date"
            continue
        if stage.name == "send" and not options.send:
            stage.output = "--no-send"
            log.info("stage send skipped (--no-send)")
            continue
        if not _run_stage(stage, calls[stage.name], number, options, result, log):
            if isinstance(result.failure, QualityError) and options.send:
                _alert_analysts(settings, result, log)
            return False
    return True


def _stage_calls(settings: Settings, options: RunOptions, result: RunResult,
                 log: logging.Logger) -> dict[str, Callable[[], stages.Outcome]]:  # fmt: skip
    """Return each stage as a call of no argument; validate first settles the pair of years on the new table."""

    def validate() -> stages.Outcome:
        result.pair = stages.choose_pair(settings, options.year, options.compare_year)
        log.info("run %s vs %s", result.pair.year, result.pair.compare_year)
        return stages.validate(settings, result.pair)

    return {
        "clean": lambda: stages.clean(settings),
        "validate": validate,
        "report": lambda: stages.report(settings, result.pair),
        "send": lambda: stages.send(settings, result.pair),
    }


def _run_stage(stage: StageResult, call: Callable[[], stages.Outcome], number: int, options: RunOptions,
               result: RunResult, log: logging.Logger) -> bool:  # fmt: skip
    """Run one stage, time it, log it; return whether the run goes on."""
    if options.progress:
        print(f"[{number}/{len(STAGES)}] {stage.name} …", end=" ", flush=True)
    began = time.monotonic()
    try:
        outcome = _call(call)
        stage.status, stage.output = "ok", outcome.summary
        result.outputs.update(outcome.outputs)
    except IctAnalysisError as exc:
        stage.status, stage.output = "failed", str(exc)
        result.exit_code, result.message, result.failure = ExitCode(exc.exit_code), str(exc), exc
        if getattr(exc, "page", None):  # the quality gate's page says why it failed
            result.outputs["quality"] = Path(exc.page)
    except Exception as exc:  # a bug: the traceback goes to the log, one line to the terminal
        stage.status, stage.output = "failed", f"{type(exc).__name__}: {exc}"
        result.exit_code, result.message = ExitCode.INTERNAL, f"internal error in stage {stage.name}: {stage.output}"
        log.exception("stage %s raised an unexpected error", stage.name)
    stage.duration = time.monotonic() - began
    if options.progress:
        print(seconds(stage.duration) if stage.status == "ok" else stage.status, flush=True)
    log.info("stage %s %s %.1f s: %s", stage.name, stage.status, stage.duration, stage.output.split("\n")[0])
    if stage.status == "failed" and "\n" in stage.output:
        log.info("%s", stage.output)
    return stage.status == "ok"


def _call(call: Callable[[], stages.Outcome]) -> stages.Outcome:
    """Run a stage; a full disk met outside :mod:`ictanalysis.atomic` is reported as one met inside."""
    try:
        return call()
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(exc.filename) from None
        raise


def _alert_analysts(settings: Settings, result: RunResult, log: logging.Logger) -> None:
    """Send the analysts the data-quality summary; a failure to do so is logged, the exit code stays 4."""
    try:
        done = stages.alert(settings, result.pair)
        result.outputs.update(done.outputs)
        log.info("%s", done.summary)
    except Exception as exc:
        log.exception("the analysts' alert failed")
        result.message += f"\n(the analysts' alert failed too: {type(exc).__name__}: {exc})"


def _sweep(outputs: Outputs, locked_at: float, log: logging.Logger) -> None:
    """Complete the publishes killed runs left half done, then remove their temporary files and staging folders.

    Looks where the stages write: the processed folder, each year folder of the reports
    (and its charts and quality results). Only ours, by name, only of processes that are gone:
    a file a process still running is writing, one newer than the lock (`locked_at`), and a
    staging folder a journal still needs stay.
    """
    finished = finish_interrupted(outputs)  # before anything else: the folders hold one whole version again
    if finished:
        log.info("completed what killed runs left half published: %s", ", ".join(str(p.parent) for p in finished))
    removed = []
    for folder in [outputs.processed, *(year.path for year in outputs.year_folders())]:
        removed += remove_stale(folder, older_than=locked_at)
        removed += remove_stale(folder, older_than=locked_at, names=LEFTOVERS, keep=staging_needed(folder))
    for folder in outputs.year_folders():
        removed += remove_stale(folder.charts, older_than=locked_at)
        removed += remove_stale(folder.quality, older_than=locked_at)
    if removed:
        log.info("removed what killed runs left: %s", ", ".join(str(p) for p in removed))


def _remove_old_logs(settings: Settings, current: Path, log: logging.Logger) -> None:
    """Remove the logs older than the settings' ``log_days`` (0 or less: the default) from ``reports/logs/``.

    The current run's log always stays.
    """
    days = settings.log_days if settings.log_days > 0 else DEFAULTS.log_days
    removed = remove_old_logs(settings.outputs.logs, days, keep=current)
    if removed:
        log.info("removed %d logs older than %d days (log_days): %s", len(removed), days,
                 ", ".join(p.name for p in removed))  # fmt: skip


def seconds(duration: float) -> str:
    """Return a duration for the terminal: "12.3 s" (diagnostics are in English)."""
    return f"{duration:.1f} s"
