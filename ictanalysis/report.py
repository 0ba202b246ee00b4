"""The report stage: papermill runs the report notebook, nbconvert turns it into one offline HTML file.

The notebook (``ictanalysis/notebooks/annual_report.ipynb``, paired through jupytext with the
text form ``annual_report.py`` that reviews read; a test keeps the two in step) takes its parameters from :class:`ReportParameters`,
checked before any kernel starts. It runs in a staging folder; only when it
succeeds are the executed notebook, the charts and ``annual_report.html``
moved into ``reports/<year>/``, so a failed run never replaces the last good
report: the failed notebook is kept as ``annual_report.failed.ipynb``, showing
the cell that failed. The kernel only writes each chart's spec; a
:class:`~ictanalysis.render.ChartRenderer` process draws the chart files on the
other core while the notebook runs.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.errors import DiskFullError, InputError, Problem, ReportError, YearError, is_disk_full
from ictanalysis.render import ChartRenderer
from ictanalysis.startup import SKIP_IN_KERNEL

__all__ = ["NOTEBOOKS", "ReportParameters", "ReportResult", "build_report", "export_html", "table_years"]

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class ReportParameters:
    """What the report notebook is run with: literal values only (papermill stores them in the notebook).

    No secret ever goes here: parameters are written into the executed notebook's metadata.
    """

    year: int
    compare_year: int
    province: str = "58"
    language: str = "vi"
    data: str = "data/processed/indicators.parquet"
    quality: str = ""
    output_dir: str = ""

    def check(self, years: list[int], provinces: set[str]) -> None:
        """Raise YearError or InputError when a parameter is of the wrong type or out of range."""
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
        if self.language not in LANGUAGES:
            raise YearError(f"language must be one of {', '.join(LANGUAGES)}, not {self.language!r}")
        if self.province not in provinces:
            raise YearError(f"province {self.province!r} is not a province code of the catalog (e.g. '58')")


@dataclass
class ReportResult:
    """Where the report went."""

    html: Path
    notebook: Path
    charts: Path
    size_bytes: int


def build_report(
    parameters: ReportParameters,
    reports: Path = Path("reports"),
    *,
    notebook: Path = NOTEBOOKS / "annual_report.ipynb",
    timeout: int = 600,
) -> ReportResult:
    """Run the report notebook for a pair of years and export it as one offline HTML file.

    Writes into ``reports/<year>/``: ``annual_report.html``, ``annual_report.ipynb``
    (executed) and ``charts/``; all three only when the run succeeded.

    Raises:
        InputError: the tidy table is missing.
        YearError: a parameter is wrong (before any kernel starts).
        ReportError: the notebook failed, timed out or lost its kernel (``annual_report.failed.ipynb``
            shows where), or a chart could not be drawn.
        DiskFullError: an output could not be written; the last good report stays.
    """
    table_years, provinces = _data_facts(Path(parameters.data))
    parameters.check(table_years, provinces)
    target = reports / str(parameters.year)
    staging = target / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        run_parameters = _with_defaults(parameters, target, staging)
        with _WarmKernel(staging) as kernel, ChartRenderer(staging / "charts", parameters.language) as charts:
            title = _title(parameters)  # while the kernel warms up, this process has time to spare
            _load_exporter()
            executed = _execute(notebook, staging / "annual_report.ipynb", run_parameters, target, timeout, kernel)
            charts.finish_later()  # draws the last specs while the page is exported
            html = export_html(executed, title=title, language=parameters.language)
            charts.finish(timeout)
        write_atomically(staging / "annual_report.html", lambda p: p.write_text(html, encoding="utf-8"))
        return _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def table_years(data: Path) -> list[int]:
    """Return the years in the tidy table at `data`, reading only that column.

    Raises:
        InputError: when there is no table at `data`.
    """
    if not Path(data).is_file():
        raise InputError([Problem(str(data), message="the tidy table does not exist",
                                  expected="the output of `ictanalysis clean` (run it first)")])  # fmt: skip
    import pyarrow.parquet as pq

    # ParquetFile, not read_table: read_table goes through pyarrow.dataset, which imports pandas.
    return pq.ParquetFile(data).read(columns=["year"]).column("year").to_pylist()


def _data_facts(data: Path) -> tuple[list[int], set[str]]:
    """Return the years in the tidy table and the province codes of the catalog."""
    from ictanalysis.catalog import load_catalog

    return table_years(data), {a.code for a in load_catalog().areas.values() if a.level == "province"}


def _with_defaults(parameters: ReportParameters, target: Path, staging: Path) -> dict:
    values = asdict(parameters)
    values["data"] = str(Path(values["data"]).resolve())
    values["quality"] = str(Path(values["quality"] or target / "quality.json").resolve())
    values["output_dir"] = str(staging.resolve())
    return values


def _title(parameters: ReportParameters) -> str:
    from ictanalysis.present import label

    return label("title", parameters.language, year=parameters.year)


# Imported by the kernel as soon as it starts, while this process is still importing papermill:
# the modules the report notebook's first cells need (pandas and Altair among them).
_WARM_UP = f"{SKIP_IN_KERNEL}\nimport ictanalysis as ict\nict.compare, ict.read_indicators, ict.read_quality, ict.chart, ict.narrative, ict.present"


class _WarmKernel:
    """The notebook's kernel, started at once and importing the library while this process imports papermill.

    Papermill would start the kernel only after its own imports (seconds). Started here,
    the kernel boots and imports pandas and Altair on the other core meanwhile: a thread
    waits until the kernel answers, sends the import (silent: no execution count, no
    output in the notebook) and waits for it to finish. :meth:`ready` joins that thread
    and hands the manager to papermill; nbclient then finds an idle, warm kernel. (A
    request sent before the kernel answers can be lost, and a kernel still busy when
    nbclient connects can miss nbclient's start-up handshake: hence the thread.)

    The kernel's own log lines go to ``kernel.log`` in the staging folder, not to the
    terminal. Leaving the block stops the kernel, whatever happened.
    """

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.manager = None
        self._clients: list = []
        self._thread = threading.Thread(target=self._warm_up, daemon=True)

    def __enter__(self) -> _WarmKernel:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        clients = self._clients

        class Manager(AsyncKernelManager):
            """Remembers its clients: nbclient leaves a kernel's channels open when it did not start the kernel."""

            def client(self, **kwargs):
                clients.append(super().client(**kwargs))
                return clients[-1]

        self.manager = Manager(kernel_name="python3")
        with open(self.staging / "kernel.log", "wb") as log:
            run_sync(self.manager.start_kernel)(cwd=str(NOTEBOOKS), stdout=log, stderr=log,
                                                extra_arguments=["--HistoryManager.hist_file=:memory:"])  # fmt: skip
        self._thread.start()
        return self

    def _warm_up(self) -> None:
        from jupyter_client.blocking import BlockingKernelClient

        client = BlockingKernelClient()
        client.load_connection_info(self.manager.get_connection_info())  # with the key: messages are signed
        client.start_channels()
        try:
            client.wait_for_ready(timeout=_WARM_UP_SECONDS)
            request = client.execute(_WARM_UP, silent=True, store_history=False)
            deadline = time.monotonic() + _WARM_UP_SECONDS
            while client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))["parent_header"].get("msg_id") != request:
                pass
        except Exception:  # noqa: BLE001, S110 - a warm-up that failed only costs time: the notebook's first cell imports again and reports
            pass
        finally:
            client.stop_channels()

    def ready(self):
        """Return the kernel manager once the kernel has imported the library (or given up trying)."""
        self._thread.join(_WARM_UP_SECONDS)
        return self.manager

    def __exit__(self, *exc_info: object) -> None:
        from jupyter_core.utils import run_sync

        self._thread.join(_WARM_UP_SECONDS)
        for client in self._clients:
            client.stop_channels()
        run_sync(self.manager.shutdown_kernel)(now=True)


_WARM_UP_SECONDS = 120


def _execute(notebook: Path, output: Path, parameters: dict, target: Path, timeout: int, kernel: _WarmKernel):
    """Run the notebook with papermill on `kernel`; keep a failed run's notebook beside the last good report.

    Raises:
        ReportError: a cell raised, ran longer than `timeout` seconds, or the kernel died; the
            notebook as far as it ran is kept as ``annual_report.failed.ipynb``, the failing cell marked.
        DiskFullError: the disk filled up while papermill saved the executed notebook.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    progress = _Progress()
    failed = target / "annual_report.failed.ipynb"
    try:
        return papermill.execute_notebook(
            _notebook_source(notebook), str(output), parameters=parameters, kernel_name="python3", km=kernel.ready(),
            progress_bar=False, log_output=False, execution_timeout=timeout,
            request_save_on_cell_execute=False,  # saved once at the end: a save per cell cost seconds
            on_notebook_start=progress.notebook_started, on_cell_start=progress.cell_started,
        )  # fmt: skip
    except PapermillExecutionError as exc:  # a cell raised: papermill saved the notebook, the error in the cell
        if output.exists():
            os.replace(output, failed)
        message = f"the notebook cell {exc.exec_count} failed: {exc.ename}: {_first_line(exc.evalue, first=True)}"
    except (TimeoutError, RuntimeError) as exc:  # nbclient's CellTimeoutError and DeadKernelError
        message = progress.what_stopped(exc, timeout)
        if not progress.keep(failed, exc, message):
            raise ReportError(message) from None
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(output) from None
        raise
    raise ReportError(f"{message}\nSee the failing cell in {failed}") from None


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


def _publish(staging: Path, target: Path) -> ReportResult:
    """Move the executed notebook, the charts and the HTML from staging into place (HTML last)."""
    charts_new, charts = staging / "charts", target / "charts"
    if charts_new.is_dir():
        old = target / f".charts-old-{os.getpid()}"
        if charts.exists():
            os.replace(charts, old)
        os.replace(charts_new, charts)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(staging / "annual_report.ipynb", target / "annual_report.ipynb")
    os.replace(staging / "annual_report.html", target / "annual_report.html")
    (target / "annual_report.failed.ipynb").unlink(missing_ok=True)
    html = target / "annual_report.html"
    return ReportResult(html, target / "annual_report.ipynb", charts, html.stat().st_size)


def export_html(executed, *, title: str, language: str = "vi") -> str:
    """Return the executed notebook as one self-contained HTML page without code.

    No code cells, no prompts, no injected-parameters cell; the Vega libraries
    are embedded once for every chart, and nothing is fetched from a network.
    """
    _charts_to_html(executed, language)
    from ictanalysis.embed import vega_bundle

    executed.metadata["title"] = title
    body, _ = _exporter(language).from_notebook_node(executed, resources={"vega_bundle": vega_bundle()})
    return body


def _load_exporter() -> None:
    """Import nbconvert and read the Vega bundle, so that the export after the run starts at once."""
    import nbconvert.exporters.html  # noqa: F401 - imported for its cost, now rather than later

    from ictanalysis.embed import vega_bundle

    vega_bundle()


def _exporter(language: str):
    """Return nbconvert's HTML exporter set up for the report: our template, no code, no prompts."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = ("injected-parameters", "parameters", "remove-cell")
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(
        config=config, template_name="ictanalysis_report", extra_template_basedirs=[str(_TEMPLATES)], language_code=language
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exporter


_TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"


def _charts_to_html(notebook, language: str) -> None:
    """Replace each chart output (Vega-Lite JSON, which JupyterLab draws) by the HTML that draws it in the page."""
    from ictanalysis.embed import VEGALITE_MIMETYPE, spec_html

    number = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            spec = output.get("data", {}).pop(VEGALITE_MIMETYPE, None)
            if spec is not None:
                number += 1
                output["data"]["text/html"] = spec_html(dict(spec), f"chart-{number}", language)
