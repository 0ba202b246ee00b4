"""The whole pipeline (`make report`) beside the toolchain's own floor, measured in the same run.

The floor: papermill executing a one-cell notebook that imports pandas and
altair, plus nbconvert exporting it to HTML — what any papermill report costs
before it does anything. Target: the report stage within 1.5× that floor
(ingest and validation are measured beside it and come on top).

The project's processes skip building jsonschema's IRI grammar (see
:mod:`ictanalysis.startup`), which the plain floor pays in both of its processes.
So that the ratio is not read as more than it is, the floor is measured a second
time with the same skip, and the report stage is compared with that too.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks._child import PROJECT_DIR, Step, measure, wall_time
from benchmarks._table import Row, within

__all__ = ["run"]

REPEATS = {False: 3, True: 1}
FLOOR_FACTOR = 1.5


def run(*, quick: bool = False) -> list[Row]:
    """Time clean, validate, report and the floor, interleaved round by round; report medians."""
    bin_dir = Path(sys.executable).parent
    times: dict[str, list[float]] = {"clean": [], "validate": [], "report": [], "floor": [], "floor_skip": []}
    size = 0
    with tempfile.TemporaryDirectory(prefix="bench-report-") as root:
        data, reports = Path(root) / "processed", Path(root) / "reports"
        commands = {
            "clean": [str(bin_dir / "ictanalysis"), "clean", "--out", str(data)],
            "validate": [str(bin_dir / "ictanalysis"), "validate", "--data", str(data / "indicators.parquet"), "--reports", str(reports)],
            "report": [str(bin_dir / "ictanalysis"), "report", "--data", str(data / "indicators.parquet"), "--reports", str(reports)],
        }  # fmt: skip
        for _ in range(REPEATS[quick]):
            for name, command in commands.items():
                times[name].append(wall_time(command))
            times["floor"].append(measure("benchmarks.bench_report:floor_step", root).seconds)
            times["floor_skip"].append(measure("benchmarks.bench_report:floor_step", root, "skip").seconds)
        size = (reports / "2020" / "annual_report.html").stat().st_size
    median = {name: statistics.median(values) for name, values in times.items()}
    n = REPEATS[quick]
    return [
        *(Row("report", f"`ictanalysis {name}` (median of {n})", median[name], "s", samples=tuple(times[name]))
          for name in ("clean", "validate", "report")),
        Row("report", f"floor: papermill one-cell notebook + nbconvert (median of {n})", median["floor"], "s",
            samples=tuple(times["floor"])),
        within("report", "report stage ÷ floor", median["report"] / median["floor"], "×", FLOOR_FACTOR, inclusive=True),
        Row("report", f"floor with the same IRI-grammar skip (median of {n})", median["floor_skip"], "s",
            samples=tuple(times["floor_skip"])),
        Row("report", "report stage ÷ floor with the same skip", round(median["report"] / median["floor_skip"], 3), "×"),
        Row("report", "make report end to end (clean + validate + report)", sum(median[k] for k in commands), "s"),
        Row("report", "annual_report.html size", round(size / 1e6, 3), "MB"),
    ]  # fmt: skip


def floor_step(root: str, skip: str = "") -> Step:
    """Execute a one-cell notebook importing pandas and altair with papermill, and export it with nbconvert.

    With `skip`, both processes skip the IRI grammar as the project's own do.
    """
    from ictanalysis.startup import SKIP_IN_KERNEL, skip_iri_grammar

    if skip:
        skip_iri_grammar()
    import nbformat

    code = f"{SKIP_IN_KERNEL}\nimport pandas\nimport altair" if skip else "import pandas\nimport altair"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source, output = Path(root) / "floor.ipynb", Path(root) / "floor-out.ipynb"
    nbformat.write(notebook, source)

    def floor() -> None:
        import papermill
        from nbconvert import HTMLExporter

        executed = papermill.execute_notebook(str(source), str(output), kernel_name="python3", progress_bar=False,
                                              cwd=str(PROJECT_DIR))  # fmt: skip
        HTMLExporter().from_notebook_node(executed)

    return Step(floor)
