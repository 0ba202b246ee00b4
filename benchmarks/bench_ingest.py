"""Reading cost of ``ictanalysis.ingest.clean`` on a huge messy workbook, and start-up cost.

Reading: a synthetic mobile-subscriber workbook of about a million cells (one
sheet, ~71,400 districts × 14 columns, see ``benchmarks/_synthetic.py``) is
cleaned end to end (reading, mapping, checking the total row, writing Parquet
and CSV) and, for comparison, read raw by ``pandas.read_excel`` with openpyxl
and with calamine. Each step runs in a fresh process, so its peak memory is
its own; steps are interleaved round by round so that machine noise hits all
of them alike, and medians are reported. A clean run counts only when its
result is right: every value read, every total equal to the sum of its
districts, every value in the right district.

Targets: clean takes less time than openpyxl's raw read of the same file
(ratio < 1) and peaks below 1500 MB.

Start-up: ``import ictanalysis`` costs at most 0.1 s more than ``import
pandas`` and ``ictanalysis --help`` answers within 0.5 s (medians of 7 fresh
interpreters); after ``import ictanalysis`` none of the heavy report
libraries is loaded.
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._child import PROJECT_DIR, Sample, Step, measure, wall_time
from benchmarks._synthetic import PROVINCE, Manifest, build
from benchmarks._table import MISSED, OK, Row, within

__all__ = ["run"]

DISTRICTS = {False: 71_400, True: 3_000}  # quick → smaller: (71,400 + 16) rows × 14 columns ≈ 1.0 M cells
REPEATS = {False: 3, True: 1}
STARTUP_REPEATS = {False: 7, True: 3}
CLEAN_PEAK_LIMIT_MB = 1500
CLEAN_RATIO_LIMIT = 1.0
IMPORT_EXTRA_LIMIT_S = 0.1
HELP_LIMIT_S = 0.5
HEAVY_MODULES = ("great_expectations", "altair", "papermill", "nbconvert")
RAW_ENGINES = ("openpyxl", "calamine")


def run(*, quick: bool = False) -> list[Row]:
    """Run the reading and start-up benchmarks and return their rows."""
    return reading_rows(quick=quick) + startup_rows(quick=quick)


# --- steps, each set up and timed in a fresh child process ------------------------------


def catalog_step(root: str) -> Step:
    """Build the synthetic catalog and pickle it to ``root/catalog.pickle`` for the clean steps.

    The catalog's YAML is read with libyaml's loader, which builds the very same
    Catalog three times faster than ``yaml.safe_load``'s pure-Python one (~100 s
    for 71,000 areas): this is setup, not the thing measured.
    """
    import yaml

    from ictanalysis.catalog import Catalog

    yaml.safe_load = lambda text: yaml.load(text, Loader=yaml.CSafeLoader)  # this child only

    def dump(catalog: Catalog) -> dict:
        (Path(root) / "catalog.pickle").write_bytes(pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
        return {"areas": len(catalog.areas)}

    return Step(lambda: Catalog(Path(root) / "catalog"), dump)


def clean_setup_step(root: str) -> Step:
    """Do clean's setup only (imports, catalog): the memory baseline of :func:`clean_step`."""
    _load_catalog(root)
    return Step(lambda: None)


def clean_step(root: str) -> Step:
    """Clean the raw folder into ``root/out`` (Parquet and CSV); the summary says whether it was right."""
    from ictanalysis.ingest import clean

    catalog = _load_catalog(root)
    raw, out = Path(root) / "raw", Path(root) / "out"
    manifest = Manifest.load(Path(root))
    return Step(lambda: clean(raw, out_dir=out, province=PROVINCE, catalog=catalog),
                lambda result: check_clean(result, manifest))  # fmt: skip


def read_excel_step(root: str, engine: str) -> Step:
    """Read the workbook raw with ``pandas.read_excel(engine=engine, header=None)``."""
    import pandas as pd

    path = Manifest.load(Path(root)).workbook
    return Step(lambda: pd.read_excel(path, engine=engine, header=None), lambda frame: {"shape": list(frame.shape)})


def _load_catalog(root: str):
    import ictanalysis.ingest  # noqa: F401  (what clean imports, so the baseline holds it too)

    return pickle.loads((Path(root) / "catalog.pickle").read_bytes())


def check_clean(result, manifest: Manifest) -> dict:
    """Compare a clean result with what was generated.

    Returns:
        ``{"values": n, "correct": bool, "problems": [...]}``; problems name the first differences.
    """
    table = result.table
    problems = []
    if len(table) != manifest.expected_values:
        problems.append(f"{len(table):,} values read, expected {manifest.expected_values:,}")
    districts = table[table["area"] != PROVINCE]
    if districts["area"].nunique() != manifest.districts:
        problems.append(f"{districts['area'].nunique():,} districts read, expected {manifest.districts:,}")
    keys = [districts["indicator"], districts["operator"]]
    sums = districts["value"].groupby(keys).sum()
    weighted = (districts["value"] * districts["area"].str[1:].astype("int64")).groupby(keys).sum()
    totals = table[table["area"] == PROVINCE].set_index(["indicator", "operator"])["value"]
    for k, key in enumerate(manifest.columns_read):
        expected = manifest.totals[k]
        for what, found in (("total row", totals.get(key)), ("sum of districts", sums.get(key))):
            if found != expected:
                problems.append(f"{key}: {what} {found}, expected {expected}")
        if weighted.get(key) != manifest.weighted[k]:
            problems.append(f"{key}: values read into the wrong districts")
    problems += [f"{p} was not written" for p in result.outputs if not Path(p).stat().st_size]
    if len(result.outputs) != 2:
        problems.append(f"wrote {len(result.outputs)} files, expected Parquet and CSV")
    return {"values": len(table), "correct": not problems, "problems": problems[:5]}


# --- reading: measurement and rows -------------------------------------------------------


def reading_rows(*, quick: bool) -> list[Row]:
    """Generate the workbook, measure every step in rounds and return the reading rows."""
    from ictanalysis.catalog import CATALOG_DIR

    root = Path(tempfile.mkdtemp(prefix="ictanalysis-bench-"))
    try:
        start = time.perf_counter()
        manifest = build(root, DISTRICTS[quick], catalog_source=CATALOG_DIR)
        generated = time.perf_counter() - start
        catalog = measure(f"{__name__}:catalog_step", str(root))
        baseline = measure(f"{__name__}:clean_setup_step", str(root))
        samples = _measure_rounds(root, REPEATS[quick])
        return (
            _workbook_rows(manifest, generated, catalog)
            + _clean_rows(manifest, samples, baseline)
            + [row for engine in RAW_ENGINES for row in _raw_rows(manifest, engine, samples[engine])]
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _measure_rounds(root: Path, repeats: int) -> dict[str, list[Sample]]:
    """Run clean and each raw read once per round, `repeats` rounds, and return their samples."""
    steps = {"clean": (f"{__name__}:clean_step",)}
    steps |= {engine: (f"{__name__}:read_excel_step", engine) for engine in RAW_ENGINES}
    samples: dict[str, list[Sample]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, (factory, *args) in steps.items():
            samples[name].append(measure(factory, str(root), *args))
    return samples


def _workbook_rows(manifest: Manifest, generated: float, catalog: Sample) -> list[Row]:
    name = "ingest/workbook"
    size_mb = manifest.workbook.stat().st_size / 2**20
    return [
        Row(name, f"cells: used range {manifest.rows:,} rows × {manifest.columns} columns", manifest.cells, "cells"),
        Row(name, "file size", size_mb, "MB"),
        Row(name, "generation (openpyxl write-only), once", generated, "s"),
        Row("ingest/catalog", f"setup: build synthetic catalog ({catalog.summary['areas']:,} areas, libyaml)",
            catalog.seconds, "s"),
    ]  # fmt: skip


def _clean_rows(manifest: Manifest, samples: dict[str, list[Sample]], baseline: Sample) -> list[Row]:
    """Rows for clean: correctness first, then time, speed, memory and the ratio to openpyxl."""
    name, runs = "ingest/clean", samples["clean"]
    wrong = [s.summary for s in runs if not s.summary.get("correct")]
    verdict = "yes" if not wrong else "no: " + "; ".join(wrong[0]["problems"])
    measure_text = f"result correct ({runs[0].summary['values']:,} values, totals, districts)"
    correct = Row(name, measure_text, verdict, "", "yes", OK if not wrong else MISSED)
    seconds = _median(runs, "seconds")
    ratio = seconds / _median(samples["openpyxl"], "seconds")
    rows = [
        correct,
        *_speed_rows(name, manifest, runs),
        within(name, "peak RSS (setup included)", _median(runs, "peak_mb"), "MB", CLEAN_PEAK_LIMIT_MB,
               samples=[s.peak_mb for s in runs]),
        Row(name, "peak RSS of the setup alone (imports, catalog)", baseline.peak_mb, "MB"),
        within(name, "time ÷ openpyxl raw read", ratio, "×", CLEAN_RATIO_LIMIT),
        Row(name, "time ÷ calamine raw read", seconds / _median(samples["calamine"], "seconds"), "×"),
    ]  # fmt: skip
    return rows if not wrong else [_void(row) for row in rows]


def _raw_rows(manifest: Manifest, engine: str, runs: list[Sample]) -> list[Row]:
    """Rows for a raw ``read_excel``: time, speed, memory (information only), after checking its shape."""
    name = f"ingest/read_excel {engine}"
    shapes = {tuple(s.summary["shape"]) for s in runs}
    rows = [*_speed_rows(name, manifest, runs),
            Row(name, "peak RSS", _median(runs, "peak_mb"), "MB", samples=tuple(s.peak_mb for s in runs))]  # fmt: skip
    if shapes != {(manifest.rows, manifest.columns)}:
        rows.append(Row(name, "frame shape", f"{sorted(shapes)}", "", f"{manifest.rows} × {manifest.columns}", MISSED))
    return rows


def _speed_rows(name: str, manifest: Manifest, runs: list[Sample]) -> list[Row]:
    seconds = [s.seconds for s in runs]
    median = statistics.median(seconds)
    return [
        Row(name, f"time (median of {len(runs)})", median, "s", samples=tuple(seconds)),
        Row(name, "cells per second", manifest.cells / median, "cells/s"),
    ]


def _median(runs: list[Sample], attribute: str) -> float:
    return statistics.median(getattr(s, attribute) for s in runs)


def _void(row: Row) -> Row:
    """Mark a row measured on a wrong clean result: its number means nothing."""
    if row.verdict == MISSED or row.target == "yes":
        return row
    return dataclasses.replace(row, measure=row.measure + " [wrong result]", verdict=MISSED if row.target else row.verdict)


# --- start-up ----------------------------------------------------------------------------


def startup_rows(*, quick: bool) -> list[Row]:
    """Time fresh interpreters importing pandas, importing ictanalysis, and ``ictanalysis --help``."""
    python = sys.executable
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "import pandas": [python, "-c", "import pandas"],
        "import ictanalysis": [python, "-c", "import ictanalysis"],
        "ictanalysis --help": [_console_script(), "--help"],
    }
    times = _interleaved(commands, STARTUP_REPEATS[quick])
    median = {label: statistics.median(values) for label, values in times.items()}
    n, name = STARTUP_REPEATS[quick], "startup"
    return [
        *(Row(name, f"{label} (median of {n})", median[label], "s", samples=tuple(times[label]))
          for label in ("python -c pass", "import pandas", "import ictanalysis")),
        within(name, "import ictanalysis − import pandas", median["import ictanalysis"] - median["import pandas"],
               "s", IMPORT_EXTRA_LIMIT_S, inclusive=True),
        within(name, f"ictanalysis --help (median of {n})", median["ictanalysis --help"], "s", HELP_LIMIT_S,
               inclusive=True, samples=times["ictanalysis --help"]),
        Row(name, "heavy modules loaded by import ictanalysis", ", ".join(_heavy_modules_after("ictanalysis")) or "none"),
    ]  # fmt: skip


def _interleaved(commands: dict[str, list[str]], repeats: int) -> dict[str, list[float]]:
    """Run each command once untimed (warm caches), then `repeats` timed rounds, one of each per round."""
    for command in commands.values():
        wall_time(command)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(repeats):
        for label, command in commands.items():
            times[label].append(wall_time(command))
    return times


def _console_script() -> str:
    """Return the ``ictanalysis`` command beside this interpreter (the project's virtualenv)."""
    beside = Path(sys.executable).parent / "ictanalysis"
    return str(beside) if beside.exists() else shutil.which("ictanalysis") or "ictanalysis"


def _heavy_modules_after(module: str) -> list[str]:
    """Return which of :data:`HEAVY_MODULES` a fresh interpreter holds after importing `module`."""
    code = f"import sys, {module}; print(' '.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_DIR, check=True)
    return done.stdout.split()
