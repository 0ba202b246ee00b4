"""The report stage: papermill runs the report notebook, nbconvert turns it into one offline HTML file.

The notebook (``notebooks/annual_report.py``, a jupytext text notebook paired
with its ``.ipynb``) takes its parameters from :class:`ReportParameters`,
checked before any kernel starts. It runs in a staging folder; only when it
succeeds are the executed notebook, the charts and ``annual_report.html``
moved into ``reports/<year>/``, so a failed run never replaces the last good
report: the failed notebook is kept as ``annual_report.failed.ipynb``, showing
the cell that failed.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.errors import InputError, Problem, ReportError, YearError

__all__ = ["NOTEBOOKS", "ReportParameters", "ReportResult", "build_report", "export_html", "table_years"]

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
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
    notebook: Path = NOTEBOOKS / "annual_report.py",
    timeout: int = 600,
) -> ReportResult:
    """Run the report notebook for a pair of years and export it as one offline HTML file.

    Writes into ``reports/<year>/``: ``annual_report.html``, ``annual_report.ipynb``
    (executed) and ``charts/``; all three only when the run succeeded.

    Raises:
        InputError: the tidy table is missing.
        YearError: a parameter is wrong (before any kernel starts).
        ReportError: the notebook failed (``annual_report.failed.ipynb`` shows where) or timed out.
    """
    table_years, provinces = _data_facts(Path(parameters.data))
    parameters.check(table_years, provinces)
    target = reports / str(parameters.year)
    staging = target / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        run_parameters = _with_defaults(parameters, target, staging)
        executed = _execute(notebook, staging / "annual_report.ipynb", run_parameters, target, timeout)
        html = export_html(executed, title=_title(parameters), language=parameters.language)
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

    return pq.read_table(data, columns=["year"]).column("year").to_pylist()


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


def _execute(notebook: Path, output: Path, parameters: dict, target: Path, timeout: int):
    """Run the notebook with papermill; keep a failed run's notebook beside the last good report."""
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = jupytext.read(notebook)
    try:
        return papermill.execute_notebook(
            source, str(output), parameters=parameters, kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False,
            log_output=False, execution_timeout=timeout, shutdown_kernel="immediate",
        )  # fmt: skip
    except (PapermillExecutionError, TimeoutError, RuntimeError) as exc:
        failed = target / "annual_report.failed.ipynb"
        if output.exists():
            os.replace(output, failed)
        raise ReportError(f"the report notebook failed: {_first_line(exc)}\nSee the failing cell in {failed}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return next((line for line in reversed(text) if line.strip()), type(exc).__name__)


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
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    from ictanalysis.embed import vega_bundle

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = ("injected-parameters", "parameters", "remove-cell")
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(
        config=config, template_name="ictanalysis_report", extra_template_basedirs=[str(_TEMPLATES)], language_code=language
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    executed.metadata["title"] = title
    body, _ = exporter.from_notebook_node(executed, resources={"vega_bundle": vega_bundle()})
    return body


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
