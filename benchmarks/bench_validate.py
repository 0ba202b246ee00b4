"""The quality gate's cost: Great Expectations' import, then validating the bundled two years.

Targets: validating the bundled 2019/2020 table takes under 2 s beyond the
import of Great Expectations. Each step runs in a fresh interpreter (see
:mod:`benchmarks._child`); medians of several runs are reported.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks._child import PROJECT_DIR, Step, measure, wall_time
from benchmarks._table import Row, within

__all__ = ["run"]

REPEATS = {False: 5, True: 1}
VALIDATE_LIMIT_S = 2.0
RAW = PROJECT_DIR / "data" / "raw"


def run(*, quick: bool = False) -> list[Row]:
    """Measure the import, the validation and the whole `ictanalysis validate` command."""
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as root:
        table = Path(root) / "indicators.parquet"
        measure("benchmarks.bench_validate:clean_step", str(table))
        n = REPEATS[quick]
        imports = [measure("benchmarks.bench_validate:import_step") for _ in range(n)]
        checks = [measure("benchmarks.bench_validate:validate_step", str(table)) for _ in range(n)]
        command = [str(Path(__import__("sys").executable).parent / "ictanalysis"), "validate",
                   "--data", str(table), "--reports", str(Path(root) / "reports")]  # fmt: skip
        commands = [wall_time(command) for _ in range(n)]
    seconds = [s.seconds for s in checks]
    verdicts = {s.summary["passed"] for s in checks}
    return [
        Row("validate", "result on the bundled data", "passed" if verdicts == {True} else "FAILED", "", "passed",
            "ok" if verdicts == {True} else "MISSED"),
        Row("validate", f"import great_expectations (median of {n})", statistics.median(s.seconds for s in imports),
            "s", samples=tuple(s.seconds for s in imports)),
        within("validate", f"validate 2020 vs 2019 beyond the import (median of {n})", statistics.median(seconds),
               "s", VALIDATE_LIMIT_S, samples=tuple(seconds)),
        Row("validate", "peak RSS of validate (import included)", max(s.peak_mb for s in checks), "MB"),
        Row("validate", f"`ictanalysis validate` wall time, page included (median of {n})",
            statistics.median(commands), "s", samples=tuple(commands)),
    ]  # fmt: skip


def clean_step(target: str) -> Step:
    """Clean the bundled raw data into `target` (setup for the other steps)."""
    from ictanalysis.ingest import clean

    return Step(lambda: clean(RAW, out_dir=Path(target).parent))


def import_step() -> Step:
    """Import Great Expectations, as the gate does."""
    import importlib

    return Step(lambda: importlib.import_module("great_expectations"))


def validate_step(table_path: str) -> Step:
    """Validate the bundled table for 2020 against 2019; the import is setup, not timed."""
    from ictanalysis.tidy import read_indicators
    from ictanalysis.validate import validate
    from ictanalysis.years import YearPair

    table = read_indicators(Path(table_path))
    return Step(lambda: validate(table, YearPair(2020, 2019)), lambda result: {"passed": result.passed})
