"""Where every output goes: the tidy table, each year's report folder, the logs and the lock.

Each path is named here once; the stages ask :class:`Outputs` and
:class:`ReportFolder` instead of spelling a file name. Standard library only.

Example:
    >>> outputs = Outputs(Path("data/processed"), Path("reports"))
    >>> outputs.table.as_posix(), outputs.year(2020).quality_json(2019).as_posix()
    ('data/processed/indicators.parquet', 'reports/2020/quality/2020-vs-2019.json')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHART_SPEC", "JOURNAL", "LEFTOVERS", "LOG_NAMES", "Outputs", "ReportFolder", "chart_file", "journal_in",
           "staging_in"]  # fmt: skip

#: What a chart's spec file is called: ``<name>.vl.json`` (the online Vega editor opens it too).
CHART_SPEC = ".vl.json"
_CHART_SUFFIXES = {"spec": CHART_SPEC, "svg": ".svg", "png": ".png", "html": ".html"}
#: The journal of a publish under way in a folder (:mod:`ictanalysis.publish`), there until its last move is done.
JOURNAL = ".publishing.json"
#: What a killed writer leaves: its staging folder (and, from earlier versions, the charts folder it replaced).
LEFTOVERS = re.compile(r"\.(?:staging|charts-old)-(?P<pid>[0-9]+)")
#: The logs in ``reports/logs/`` that are removed after the settings' ``log_days``: the runs' (``run-…log``),
#: the crash logs (``ictanalysis-<command>-…log``) and the failed reports' folders (``report-…/``).
LOG_NAMES = re.compile(r"(?:run|report|ictanalysis-[a-z-]+)-[0-9]{8}-[0-9]{6}(?:-[0-9]+)?(?:\.log)?")


def staging_in(folder: Path, pid: int) -> Path:
    """Return the folder where process `pid` prepares what it publishes into `folder`.

    >>> staging_in(Path("data/processed"), 42).as_posix()
    'data/processed/.staging-42'
    """
    return Path(folder) / f".staging-{pid}"


def journal_in(folder: Path) -> Path:
    """Return the journal of a publish into `folder` (``.publishing.json``)."""
    return Path(folder) / JOURNAL


def chart_file(directory: Path, name: str, kind: str) -> Path:
    """Return the file of chart `name` of a kind (``spec``, ``svg``, ``png`` or ``html``) in `directory`.

    >>> chart_file(Path("charts"), "mobile_share", "spec").as_posix()
    'charts/mobile_share.vl.json'
    """
    return Path(directory) / f"{name}{_CHART_SUFFIXES[kind]}"


@dataclass(frozen=True)
class ReportFolder:
    """One year's report folder, ``reports/<year>/``, and every file a stage leaves there."""

    path: Path

    #: The folder of the gate's pages and results, one pair each: ``quality/2020-vs-2019.html`` and ``.json``.
    QUALITY = "quality"
    REPORT = "annual_report.html"
    NOTEBOOK = "annual_report.ipynb"
    FAILED_NOTEBOOK = "annual_report.failed.ipynb"
    CHARTS = "charts"
    EMAIL = "annual_report.eml"
    #: The official document of the year: a PDF to print, sign and file, and its editable draft.
    DOCUMENT_PDF = "bao-cao-{year}.pdf"
    DOCUMENT_DOCX = "bao-cao-{year}.docx"
    ALERT = "quality_alert.eml"
    SENT_LEDGER = ".sent.json"
    ALERT_LEDGER = ".alert-sent.json"
    RUN_STATE = ".run-state.json"
    KERNEL_LOG = "kernel.log"
    LEFTOVERS = LEFTOVERS

    @property
    def quality(self) -> Path:
        """The folder of the gate's results, one pair each (``quality/``)."""
        return self.path / self.QUALITY

    def quality_page(self, compare_year: int) -> Path:
        """The data-quality page of this year (the folder's name) against `compare_year`: ``quality/2020-vs-2019.html``."""
        return self.quality / f"{self.path.name}-vs-{compare_year}.html"

    def quality_json(self, compare_year: int) -> Path:
        """The gate's result for this year against `compare_year`, read back by report, send and the alert."""
        return self.quality / f"{self.path.name}-vs-{compare_year}.json"

    @property
    def report(self) -> Path:
        """The self-contained HTML report."""
        return self.path / self.REPORT

    @property
    def notebook(self) -> Path:
        """The executed report notebook."""
        return self.path / self.NOTEBOOK

    @property
    def failed_notebook(self) -> Path:
        """A failed run's notebook, showing the cell that failed."""
        return self.path / self.FAILED_NOTEBOOK

    @property
    def charts(self) -> Path:
        """The folder of chart files (spec, SVG, PNG, HTML)."""
        return self.path / self.CHARTS

    @property
    def email(self) -> Path:
        """The leadership email as an .eml file."""
        return self.path / self.EMAIL

    def documents(self, year: int | str) -> tuple[Path, Path]:
        """The official document of `year` in this folder: its PDF and its .docx (``bao-cao-2020.pdf``, ``.docx``)."""
        return self.path / self.DOCUMENT_PDF.format(year=year), self.path / self.DOCUMENT_DOCX.format(year=year)

    @property
    def alert(self) -> Path:
        """The analysts' email when the gate fails."""
        return self.path / self.ALERT

    @property
    def sent_ledger(self) -> Path:
        """The record of what was sent to whom (``.sent.json``)."""
        return self.path / self.SENT_LEDGER

    @property
    def alert_ledger(self) -> Path:
        """The record of which analysts received which quality alert (``.alert-sent.json``)."""
        return self.path / self.ALERT_LEDGER

    @property
    def run_state(self) -> Path:
        """The scheduled run's record of its last success (``.run-state.json``)."""
        return self.path / self.RUN_STATE

    @property
    def kernel_log(self) -> Path:
        """What the report's kernel printed (in a staging folder; a failed report keeps it under ``reports/logs/``)."""
        return self.path / self.KERNEL_LOG

    @property
    def journal(self) -> Path:
        """The journal of a publish of this folder under way (``.publishing.json``), which the next command completes."""
        return journal_in(self.path)

    @property
    def logs(self) -> Path:
        """The reports folder's logs (``reports/logs/``), where a failed report keeps its kernel's log and notebook."""
        return self.path.parent / Outputs.LOGS

    def staging(self, pid: int) -> ReportFolder:
        """Return the folder where process `pid` builds the next report before publishing it."""
        return ReportFolder(staging_in(self.path, pid))


@dataclass(frozen=True)
class Outputs:
    """The outputs of one project: the processed folder, the reports folder and what lies in them.

    Its folders come from the settings (:attr:`ictanalysis.settings.Settings.outputs`).
    """

    processed: Path
    reports: Path
    data: Path | None = None  #: the tidy table to read, when it is not the processed folder's

    TABLE = "indicators.parquet"
    TABLE_CSV = "indicators.csv"
    LOGS = "logs"
    #: How a run's log and a failed report's folder in ``logs/`` begin: ``run-YYYYmmdd-HHMMSS.log``, ``report-…/``.
    RUN_LOG, REPORT_LOG = "run", "report"
    LOCK = ".run.lock"
    LOCK_HOLDER = ".run.lock.json"
    TABLE_LOCK = ".table.lock"
    TABLE_LOCK_HOLDER = ".table.lock.json"

    @property
    def table(self) -> Path:
        """The tidy table the stages read (``indicators.parquet``)."""
        return Path(self.data) if self.data is not None else self.processed / self.TABLE

    @property
    def written_table(self) -> Path:
        """Where ``clean`` writes the tidy table's Parquet file."""
        return self.processed / self.TABLE

    @property
    def written_csv(self) -> Path:
        """Where ``clean`` writes the tidy table for people (``indicators.csv``)."""
        return self.processed / self.TABLE_CSV

    @property
    def table_journal(self) -> Path:
        """The journal of a publish of the tidy table under way (``processed/.publishing.json``)."""
        return journal_in(self.processed)

    @property
    def logs(self) -> Path:
        """The folder of run logs, crash reports and failed reports' kernel logs."""
        return self.reports / self.LOGS

    @property
    def lock(self) -> Path:
        """The file every writer locks."""
        return self.reports / self.LOCK

    @property
    def lock_holder(self) -> Path:
        """Who holds the lock: a small JSON file written by the holder."""
        return self.reports / self.LOCK_HOLDER

    @property
    def table_lock(self) -> Path:
        """The file ``clean`` and ``run`` lock while they write the tidy table (in the processed folder)."""
        return self.processed / self.TABLE_LOCK

    @property
    def table_lock_holder(self) -> Path:
        """Who holds the table's lock."""
        return self.processed / self.TABLE_LOCK_HOLDER

    def year(self, year: int) -> ReportFolder:
        """Return the report folder of `year`."""
        return ReportFolder(self.reports / str(year))

    def year_folders(self) -> list[ReportFolder]:
        """Return the report folders that exist, oldest year first."""
        if not self.reports.is_dir():
            return []
        return [ReportFolder(p) for p in sorted(self.reports.iterdir()) if p.is_dir() and p.name.isdigit()]
