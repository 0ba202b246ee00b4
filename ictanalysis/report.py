"""The report stage: papermill runs the report notebook, nbconvert turns it into one offline HTML file.

The notebook (``ictanalysis/notebooks/annual_report.ipynb``, paired through jupytext with the
text form ``annual_report.py`` that reviews read; a test keeps the two in step) takes its parameters from :class:`ReportParameters`,
checked before any kernel starts. It runs in a staging folder; only when it
succeeds are the executed notebook, the charts and ``annual_report.html``
published into ``reports/<year>/``, as one unit (:mod:`ictanalysis.publish`: a run
killed meanwhile leaves a journal the next command completes), and the year's
run state is removed first (:func:`ictanalysis.runstate.forget`), so that the next
``ictanalysis run`` rebuilds after a kill. A failed run never replaces the last good
report: the failed notebook is kept as ``annual_report.failed.ipynb``, showing
the cell that failed, and with the kernel's own log in a folder of its own,
``reports/logs/report-YYYYmmdd-HHMMSS/``, which the error names. A kernel that fails
before it answers (it does not start, or dies before the first cell) is replaced
once by a fresh one, and the logs say so; one that dies in a cell is not (the
notebook or the memory is at fault). The kernel only writes each chart's spec; a
:class:`~ictanalysis.render.ChartRenderer` process draws the chart files on the
other core while the notebook runs.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from ictanalysis.atomic import replace, write_atomically
from ictanalysis.document.settings import DocumentSettings
from ictanalysis.errors import DiskFullError, ReportError, YearError, is_disk_full
from ictanalysis.export import export_html, load_exporter, made_from_of
from ictanalysis.kernel import WarmKernel
from ictanalysis.outputs import Outputs, ReportFolder
from ictanalysis.publish import discard, prepare, publish
from ictanalysis.render import ChartRenderer
from ictanalysis.runlog import new_log_folder
from ictanalysis.runstate import forget
from ictanalysis.settings import DEFAULTS
from ictanalysis.tidy import indicator_years
from ictanalysis.words import check_language, words

__all__ = ["NOTEBOOKS", "REPORT_NOTEBOOK", "ReportParameters", "ReportResult", "build_report", "check_pair"]

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS / ReportFolder.NOTEBOOK  #: the executed notebook keeps its name
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportParameters:
    """What the report notebook is run with: literal values only (papermill stores them in the notebook).

    No secret ever goes here: parameters are written into the executed notebook's metadata.
    """

    year: int
    compare_year: int
    province: str = DEFAULTS.province
    language: str = DEFAULTS.language
    data: str = str(DEFAULTS.outputs.table)
    quality: str = ""
    output_dir: str = ""
    plans: str = str(DEFAULTS.plans)  #: the folder of the plan files; "" for none (the summary shows no targets)

    def check(self, years: list[int], provinces: set[str]) -> None:
        """Raise YearError (a year, the province) or UsageError (the language) for a parameter out of range."""
        for name in ("year", "compare_year"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2100:
                raise YearError(f"{name} must be a year such as 2020, not {value!r}")
        if self.year == self.compare_year:
            raise YearError(f"year and compare_year are both {self.year}: choose two different years")
        missing = [y for y in (self.year, self.compare_year) if y not in years]
        if missing:
            held = ", ".join(map(str, sorted(set(years))))
            raise YearError(f"no data for {' and '.join(map(str, missing))}: the table holds {held}")
        check_language(self.language)
        if self.province not in provinces:
            raise YearError(f"province {self.province!r} is not a province code of the catalog "
                            f"(e.g. {DEFAULTS.province!r})")  # fmt: skip


@dataclass
class ReportResult:
    """Where the report went."""

    html: Path
    notebook: Path
    charts: Path
    size_bytes: int


def build_report(
    parameters: ReportParameters,
    reports: Path = DEFAULTS.reports,
    *,
    notebook: Path = REPORT_NOTEBOOK,
    timeout: int = DEFAULTS.timeout,
    document: DocumentSettings = DEFAULTS.document,
) -> ReportResult:
    """Run the report notebook for a pair of years and export it as one offline HTML file.

    Writes into ``reports/<year>/``: ``annual_report.html``, ``annual_report.ipynb``, ``charts/``
    and the official document (``bao-cao-<year>.pdf``, ``.docx``; its header and signer `document`),
    only when the run succeeded, as one unit, the run state removed first. A failed notebook
    leaves ``annual_report.failed.ipynb`` and, with the kernel's log, ``reports/logs/report-…/``.

    Raises:
        InputError: the tidy table is missing.
        UsageError: a parameter is wrong (before any kernel starts): a year or a pair with nothing to compare
            (YearError, see :func:`check_pair`), the language.
        ReportError: the notebook failed, timed out or lost its kernel (``annual_report.failed.ipynb``
            shows where, the message names the logs), a chart or the PDF could not be made, a section is missing.
        DiskFullError: an output could not be written; the last good report stays.
        BusyError: another process is publishing into the year's folder.
    """
    made_from = _checked(parameters)
    target = ReportFolder(Path(reports) / str(parameters.year))
    staging = ReportFolder(prepare(target.path))  # an interrupted publish there is completed first
    try:
        run_parameters = _with_defaults(parameters, target, staging)
        with ChartRenderer(staging.charts, parameters.language) as charts:
            executed = _run_notebook(notebook, staging, run_parameters, target, timeout)
            charts.finish_later()  # draws the last specs while the page is exported
            html = export_html(executed, title=_title(parameters), language=parameters.language, made_from=made_from)
            charts.finish(timeout)
        if Path(notebook) == REPORT_NOTEBOOK:  # another notebook (a test's, an analyst's variant) shows what it shows
            _check_sections(html, notebook)
        _document(parameters, staging, target, document, html)
        return _publish(staging, target)
    finally:
        discard(staging.path, target.journal)  # kept only while a journal still needs it


def _checked(parameters: ReportParameters) -> dict:
    """Check the parameters against the table and the pair against what the report compares; return what made it."""
    parameters.check(*_data_facts(Path(parameters.data)))
    check_pair(parameters)
    return made_from_of(parameters.year, parameters.compare_year, parameters.province, Path(parameters.data))


def _data_facts(data: Path) -> tuple[list[int], set[str]]:
    """Return the years in the tidy table and the province codes of the catalog."""
    from ictanalysis.catalog import load_catalog

    return indicator_years(data), {a.code for a in load_catalog().areas.values() if a.level == "province"}


def check_pair(parameters: ReportParameters) -> None:
    """Refuse a pair of years that holds nothing the report compares in both years, before any kernel starts.

    What the report compares is declared in ``catalog/report.yaml`` (:meth:`~ictanalysis.contents.Contents.compared`);
    the pair needs at least one of those indicators with a figure of the province in both years.

    Raises:
        YearError: (exit 2) naming what each year holds and the years that could be compared instead.
    """
    from ictanalysis.catalog import load_catalog
    from ictanalysis.contents import held
    from ictanalysis.tidy import read_indicators

    table, catalog = read_indicators(parameters.data), load_catalog()
    pair = (parameters.compare_year, parameters.year)
    holding = held(table, catalog, parameters.province, pair)
    if holding.comparable():
        return
    others = [y for y in sorted(set(table["year"].astype(int))) if y != parameters.year
              and held(table, catalog, parameters.province, (y, parameters.year)).comparable()]  # fmt: skip
    instead = (f"years that can be compared with {parameters.year}: {', '.join(map(str, others))}" if others
               else f"no year of the table holds figures to compare with {parameters.year}'s")  # fmt: skip
    said = "; ".join(_what_is_held(holding, year, parameters.province) for year in pair)
    raise YearError(f"nothing to compare between {parameters.year} and {parameters.compare_year}: {said}; {instead}")


def _what_is_held(holding, year: int, province: str) -> str:
    """Say what one year holds of what the report compares: "2018 holds only gso_…, none of the 53 …"."""
    from ictanalysis.contents import load_contents

    compared, others = sorted(holding.indicators[year]), sorted(holding.others[year])
    total = len(load_contents().compared())
    if compared:
        listed = ", ".join(compared[:4]) + (", …" if len(compared) > 4 else "")
        return f"{year} holds {len(compared)} of the {total} indicators the report compares ({listed})"
    if others:
        listed = ", ".join(others[:6]) + (", …" if len(others) > 6 else "")
        return f"{year} holds only {listed}, none of the {total} indicators the report compares"
    return f"{year} holds no figure for province {province}"


def _with_defaults(parameters: ReportParameters, target: ReportFolder, staging: ReportFolder) -> dict:
    values = asdict(parameters)
    values["data"] = str(Path(values["data"]).resolve())
    values["quality"] = str(Path(values["quality"] or target.quality_json(parameters.compare_year)).resolve())
    values["output_dir"] = str(staging.path.resolve())
    values["plans"] = str(Path(values["plans"]).resolve()) if values["plans"] else ""
    return values


def _check_sections(html: str, notebook: Path) -> None:
    """Refuse a report that leaves out a section the contents declare (its heading carries the section's id).

    Raises:
        ReportError: naming the sections the notebook shows no cell for.
    """
    from ictanalysis.contents import load_contents

    missing = [s.id for s in load_contents().sections if f' id="{s.id}"' not in html]
    if missing:
        raise ReportError(f"the notebook {notebook} shows no section {', '.join(missing)} that catalog/report.yaml "
                          "declares: give each a cell view.section(\"…\")")  # fmt: skip


def _title(parameters: ReportParameters) -> str:
    return words(parameters.language)("report.title", year=parameters.year)


class _NotebookFailed(Exception):
    """The notebook did not run to its end: what to tell, whether its notebook was kept, whether a cell ran."""

    def __init__(self, message: str, *, kept: bool, answered: bool = True) -> None:
        super().__init__(message)
        self.message, self.kept, self.answered = message, kept, answered


def _run_notebook(notebook: Path, staging: ReportFolder, parameters: dict, target: ReportFolder, timeout: int):
    """Run the notebook on a warm kernel; one that fails before it answers is replaced once by a fresh one.

    Raises:
        ReportError: the notebook failed (see :func:`_execute`); the message names the failed notebook
            and the folder of ``reports/logs/`` that keeps it with the kernel's log.
        DiskFullError: the disk filled up while papermill saved the executed notebook.
    """
    for attempt in (1, 2):
        try:
            return _attempt(notebook, staging, parameters, target, timeout)
        except _NotebookFailed as failed:
            if failed.answered or attempt == 2:
                said = failed.message
                if attempt == 2:
                    said += " (on a fresh kernel, the first one having failed before answering)" if failed.answered \
                        else " (a fresh kernel failed too)"  # fmt: skip
                raise ReportError(_kept_logs(said, failed.kept, staging, target)) from None
            _log.warning("%s; starting a fresh kernel (once)", failed.message)
            with open(staging.kernel_log, "a", encoding="utf-8") as log:
                log.write(f"\n--- ictanalysis: {failed.message}; starting a fresh kernel (once) ---\n\n")
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(notebook: Path, staging: ReportFolder, parameters: dict, target: ReportFolder, timeout: int):
    """Start a kernel and run the notebook on it once; a kernel that cannot start has not answered."""
    try:
        with WarmKernel(staging.path, NOTEBOOKS) as kernel:
            load_exporter()  # while the kernel warms up, this process has time to spare
            return _execute(notebook, staging.notebook, parameters, target, timeout, kernel)
    except ReportError as exc:  # only WarmKernel raises one here: its kernel could not start
        raise _NotebookFailed(str(exc), kept=False, answered=False) from None


def _kept_logs(message: str, kept: bool, staging: ReportFolder, target: ReportFolder) -> str:
    """Copy the kernel's log (and the failed notebook, if `kept`) to a new folder of the logs; return the message, saying so."""
    if kept:
        message += f"\nSee the failing cell in {target.failed_notebook}"
    try:
        folder = new_log_folder(target.logs, Outputs.REPORT_LOG)
        if staging.kernel_log.is_file():
            shutil.copyfile(staging.kernel_log, folder / ReportFolder.KERNEL_LOG)
        if kept:
            shutil.copyfile(target.failed_notebook, folder / ReportFolder.FAILED_NOTEBOOK)
    except OSError as exc:  # a full disk, say: the error itself matters more than its logs
        return f"{message}\n(the kernel's log could not be kept: {exc})"
    what = "The kernel's log and the failed notebook are" if kept else "The kernel's log is"
    return f"{message}\n{what} kept in {folder}"


def _execute(notebook: Path, output: Path, parameters: dict, target: ReportFolder, timeout: int, kernel: WarmKernel):
    """Run the notebook with papermill on `kernel`; keep a failed run's notebook beside the last good report.

    Raises:
        _NotebookFailed: a cell raised, ran longer than `timeout` seconds, or the kernel died; the
            notebook as far as it ran is kept as ``annual_report.failed.ipynb``, the failing cell marked
            (not when the kernel failed before running a cell: then it has not answered).
        DiskFullError: the disk filled up while papermill saved the executed notebook.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    progress = _Progress()
    try:
        return papermill.execute_notebook(
            _notebook_source(notebook), str(output), parameters=parameters, kernel_name="python3", km=kernel.ready(),
            progress_bar=False, log_output=False, execution_timeout=timeout,
            request_save_on_cell_execute=False,  # saved once at the end: a save per cell cost seconds
            on_notebook_start=progress.notebook_started, on_cell_start=progress.cell_started,
        )  # fmt: skip
    except PapermillExecutionError as exc:  # a cell raised: papermill saved the notebook, the error in the cell
        if output.exists():
            replace(output, target.failed_notebook)
        message = f"the notebook cell {exc.exec_count} failed: {exc.ename}: {_first_line(exc.evalue, first=True)}"
        raise _NotebookFailed(message, kept=target.failed_notebook.exists()) from None
    except (TimeoutError, RuntimeError) as exc:  # nbclient's CellTimeoutError and DeadKernelError
        message = progress.what_stopped(exc, timeout)
        kept = progress.keep(target.failed_notebook, exc, message)
        raise _NotebookFailed(message, kept=kept, answered=progress.index is not None) from None
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(output) from None
        raise


@dataclass
class _Progress:
    """How far papermill got, followed through nbclient's hooks: for the message when a cell never returns."""

    notebook: object = None
    index: int | None = None

    def notebook_started(self, notebook, **_) -> None:
        self.notebook = notebook

    def cell_started(self, cell, cell_index: int, **_) -> None:
        self.index = cell_index

    def cell(self) -> str:
        """Return the running cell as a reader finds it: its number (``In [N]``) and its first line."""
        cells = self.notebook.cells
        number = cells[self.index].get("execution_count") or sum(
            c.cell_type == "code" for c in cells[: self.index + 1])  # fmt: skip
        return f"cell {number} ({_first_line(cells[self.index].source, first=True)[:80]})"

    def what_stopped(self, exc: Exception, timeout: int) -> str:
        """Return what stopped the notebook, for a person: which cell, and whether it hung or its kernel died."""
        from nbclient.exceptions import DeadKernelError

        if self.notebook is None or self.index is None:
            return f"the notebook kernel failed before running a cell: {_first_line(str(exc)) or type(exc).__name__}"
        if isinstance(exc, TimeoutError):
            return (f"the notebook {self.cell()} did not finish within {timeout} s; its kernel was stopped "
                    f"(--timeout SECONDS allows longer)")  # fmt: skip
        if isinstance(exc, DeadKernelError):
            return f"the notebook kernel died in {self.cell()} (out of memory, or a crash in compiled code)"
        return f"the notebook {self.cell()} failed: {_first_line(str(exc))}"

    def keep(self, failed: Path, exc: Exception, message: str) -> bool:
        """Write the notebook as far as it ran to `failed`, the message as the stopped cell's error output."""
        if self.notebook is None or self.index is None:
            return False
        import nbformat

        error = nbformat.v4.new_output("error", ename=type(exc).__name__, evalue=message, traceback=[message])
        cell = self.notebook.cells[self.index]
        cell.setdefault("outputs", []).append(error)
        if "papermill" in cell.metadata:
            cell.metadata.papermill["status"] = "failed"
        write_atomically(failed, lambda p: nbformat.write(self.notebook, str(p)))
        return True


def _notebook_source(notebook: Path):
    """Return what papermill runs: the ``.ipynb`` path as it is, a jupytext text notebook read into a notebook."""
    if notebook.suffix == ".ipynb":
        return str(notebook)
    import jupytext

    return jupytext.read(notebook)


def _first_line(text: str, *, first: bool = False) -> str:
    """Return the last non-blank line of `text` (of an error, the line that says what went wrong), or the first."""
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return (lines[0] if first else lines[-1]) if lines else ""


def _document(parameters: ReportParameters, staging: ReportFolder, target: ReportFolder,
              document: DocumentSettings, html: str) -> None:  # fmt: skip
    """Write the page `html` and the official document (PDF and .docx, from the table and the charts) into `staging`."""
    from ictanalysis.document.build import build_document

    write_atomically(staging.report, lambda p: p.write_text(html, encoding="utf-8"))
    quality = target.quality_json(parameters.compare_year)
    build_document(parameters.year, parameters.compare_year, data=Path(parameters.data),
                   quality=quality if quality.is_file() else None, out_dir=staging.path,
                   province=parameters.province, language=parameters.language, document=document,
                   plans=Path(parameters.plans) if parameters.plans else None)  # fmt: skip


def _publish(staging: ReportFolder, target: ReportFolder) -> ReportResult:
    """Publish the charts, the document, the executed notebook and the HTML (in that order) as one unit.

    The run state is removed first. An earlier failed notebook goes with the old build, and so do old
    charts or an old document when the new build has none (the folder's name is the year).
    """
    forget(target)
    pairs = [(staging.charts, target.charts), *zip(staging.documents(target.path.name),
                                                   target.documents(target.path.name), strict=True)]  # fmt: skip
    moves = [(new, old) for new, old in pairs if new.exists()]
    moves += [(staging.notebook, target.notebook), (staging.report, target.report)]
    gone = [target.failed_notebook, *(old for new, old in pairs if not new.exists())]
    publish(moves, staging=staging.path, journal=target.journal, remove=[p for p in gone if p.exists()])
    return ReportResult(target.report, target.notebook, target.charts, target.report.stat().st_size)
