"""Metamorphic tests: the bundled 2020 workbooks written the ways senders write them read the same, or are refused.

The class of a mistake, not the one instance thought of: each case takes one bundled
2020 workbook, writes the same figures another way (saved as .xlsx, .xls,
.ods or .csv; percentages stored as percent-formatted fractions; text in NFD,
headers in upper case; the unit line in each spelling senders use; numbers as
text with dots, thin spaces, no-break spaces or no thousands separator, see
tests/metamorphic.py), puts it in a copy of the raw folder in place of the
bundled one (2019 and the other 2020 workbooks as they are), and runs
``clean``. The case passes when the tidy table is the bundled one (every key's
value, unit, preliminary flag, and its sheet and cell, the sheet renamed as the
variant renames it), or when clean refuses with an InputError. It fails when
clean gives other values or other keys without refusing: a silent wrong number.

A case exists wherever its variant changes the workbook, so a new bundled
workbook or variant brings its cases with it. A workbook of several sheets has
a case of its own for each sheet too (``as-ods:vien-thong-2020.xlsx/doanh-thu``:
that sheet alone in a file of the variant, the others re-saved as they were),
so a sheet refused for one reason does not hide another sheet's misreading,
which would pass unseen once the sender fixed the first. Each case records its outcome;
at the end of the session the counts (read exactly, refused, misread) are
printed (``-s``, without xdist) and written to ``<basetemp>/metamorphic/summary.json``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import BUNDLED_RAW
from metamorphic import (
    VARIANTS,
    Facts,
    Grid,
    Variant,
    differences,
    first_of_each_kind,
    read_grids,
    readings,
    sheet_facts,
    write_workbook,
)

pytestmark = pytest.mark.slow

YEAR = "2020"
# Cases also run through `python -m ictanalysis clean --check`: exit 0 or 3, never a traceback.
CLI_CASES = (
    "unit-don-vi:vien-thong-2020.xlsx",
    "as-csv:vien-thong-2020.xlsx",
    "pct-ods:bao-cao-tong-hop-so-2020.xlsx",
    "nfd:chinh-quyen-dien-tu-2020.xlsx",
)


@dataclass(frozen=True)
class Bundled:
    """One bundled 2020 workbook: its visible sheets as grids, and what the tidy table read from each."""

    path: Path
    grids: list[Grid]
    facts: dict[str, Facts]


@dataclass(frozen=True)
class Case:
    """One variant of one bundled workbook, or of one sheet of it (then in a file of its own)."""

    variant: Variant
    workbook: str  # file name in data/raw/2020
    sheet: str | None = None  # the sheet's name; None: the whole workbook

    @property
    def slug(self) -> str:
        """Return the sheet's name folded to ASCII, for ids and file names ("Chỉ tiêu" → "chi-tieu")."""
        from ictanalysis.normalise import fold

        return fold(self.sheet).replace(" ", "-")

    @property
    def id(self) -> str:
        return f"{self.variant.id}:{self.workbook}" + ("" if self.sheet is None else f"/{self.slug}")

    def parts(self, book: Bundled) -> tuple[list[Grid], list[Grid]]:
        """Return the sheets the variant writes and the sheets re-saved as they are (all but one, or none)."""
        if self.sheet is None:
            return book.grids, []
        return [g for g in book.grids if g.origin == self.sheet], [g for g in book.grids if g.origin != self.sheet]


@functools.cache
def bundled():
    """Return the bundled tidy table as {key: reading} and the 2020 workbooks (read once per process)."""
    from ictanalysis.ingest import clean

    table = clean(BUNDLED_RAW, out_dir=None).table
    books = {}
    for path in sorted(p for p in (BUNDLED_RAW / YEAR).iterdir() if p.is_file()):
        books[path.name] = Bundled(path, read_grids(path), sheet_facts(table, f"{YEAR}/{path.name}"))
    return readings(table), books


def _cases() -> tuple[list[Case], BaseException | None]:
    """Return a case for each variant and each bundled workbook it changes, and each sheet of a larger workbook.

    A sheet's own case (the sheet in a file of its own, the other sheets re-saved as they are) shows how
    that sheet reads even when another sheet of the workbook is refused. None if the bundled data cannot be read.
    """
    try:
        _, books = bundled()
    except Exception as exc:  # reported by test_bundled_workbooks_are_read_and_every_variant_has_cases
        return [], exc
    cases = []
    for variant in VARIANTS:
        for name, book in books.items():
            sheets = [None] + [grid.origin for grid in book.grids] if len(book.grids) > 1 else [None]
            cases += [case for case in (Case(variant, name, sheet) for sheet in sheets)
                      if variant.changes(case.parts(book)[0], book.facts)]  # fmt: skip
    return cases, None


CASES, BUNDLED_ERROR = _cases()


# --- the outcomes of a session ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def outcomes_log(tmp_path_factory: pytest.TempPathFactory):
    """Return the file each case appends its outcome to (shared by xdist workers); summarise it at the end."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the workers' base folders share this parent
    folder = base / "metamorphic"
    folder.mkdir(exist_ok=True)
    log = folder / "outcomes.jsonl"
    yield log
    summary = summarise(log)
    temporary = folder / f"summary.json.{os.getpid()}"
    temporary.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, folder / "summary.json")  # the last worker to finish has seen every case
    print("\n" + summary_text(summary) + f"\nsummary: {folder / 'summary.json'}")


def record(log: Path, outcome: dict) -> None:
    """Append one outcome as a line of JSON, in one write (workers append to the same file)."""
    line = (json.dumps(outcome, ensure_ascii=False) + "\n").encode("utf-8")
    handle = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(handle, line)
    finally:
        os.close(handle)


def summarise(log: Path) -> dict:
    """Return the counts of the outcomes recorded so far, and the cases that were not read exactly."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    outcomes = {o["case"]: o for o in map(json.loads, filter(None, lines))}  # a case run again counts once
    counts = Counter(o["result"] for o in outcomes.values())
    by_result = {result: {case: o["detail"] for case, o in sorted(outcomes.items()) if o["result"] == result}
                 for result in ("refused", "misread", "crashed")}  # fmt: skip
    return {
        "cases": len(CASES),
        "variants": len({case.variant.id for case in CASES}),
        "workbooks": len({case.workbook for case in CASES}),
        "recorded": len(outcomes),
        **{result: counts[result] for result in ("exact", "refused", "misread", "crashed")},
        "seconds": round(sum(o["seconds"] for o in outcomes.values()), 1),
        **{f"{result}_cases": cases for result, cases in by_result.items()},
    }


def summary_text(summary: dict) -> str:
    """Return the summary as a few lines for the terminal."""
    lines = [f"metamorphic: {summary['recorded']} of {summary['cases']} cases ({summary['variants']} variants, "
             f"{summary['workbooks']} workbooks): {summary['exact']} read exactly, {summary['refused']} refused, "
             f"{summary['misread']} misread, {summary['crashed']} crashed"]  # fmt: skip
    for result in ("misread", "crashed"):
        lines += [f"  {result} {case}: {detail}" for case, detail in summary[f"{result}_cases"].items()]
    return "\n".join(lines)


# --- one case ----------------------------------------------------------------------------------------


def build_raw(case: Case, book: Bundled, tmp_path: Path) -> tuple[Path, list[str], dict[str, str]]:
    """Write the raw folder of a case; return it, the variant's files (relative) and each sheet's new name."""
    raw = tmp_path / "raw"
    for year in sorted(p for p in BUNDLED_RAW.iterdir() if p.is_dir() and p.name.isdigit() and p.name != YEAR):
        shutil.copytree(year, raw / year.name)
    folder = raw / YEAR
    folder.mkdir(parents=True)
    for path in sorted((BUNDLED_RAW / YEAR).iterdir()):
        if path.is_file() and path.name != case.workbook:
            shutil.copy2(path, folder / path.name)
    before = set(folder.iterdir())
    changed, kept = case.parts(book)
    by_sheet, stem = len(book.grids) > 1, book.path.stem
    names = write_workbook(kept, folder, stem, book.path.suffix, by_sheet) if kept else {}
    names |= write_workbook(case.variant.apply(changed, book.facts), folder,
                            stem if case.sheet is None else f"{stem} ({case.slug})",
                            case.variant.format or book.path.suffix, by_sheet)  # fmt: skip
    written = sorted(f"{YEAR}/{p.name}" for p in set(folder.iterdir()) - before)
    return raw, written, names


def judge(case: Case, raw: Path, written: list[str], names: dict[str, str]) -> dict:
    """Clean the case's raw folder and say whether it read the bundled values, was refused, or misread."""
    from ictanalysis.errors import InputError
    from ictanalysis.ingest import clean

    expected, _ = bundled()
    outcome = {"case": case.id, "variant": case.variant.id, "workbook": case.workbook, "sheet": case.sheet,
               "files": written}  # fmt: skip
    try:
        read = clean(raw, out_dir=None).table
    except InputError as exc:
        named = any(problem.file in written for problem in exc.problems)
        first = str(exc.problems[0]) if exc.problems else str(exc)
        return {**outcome, "result": "refused",
                "detail": f"{len(exc.problems)} problem(s){'' if named else ' (none names the variant)'}: {first}"}
    except Exception as exc:  # neither a reading nor a refusal: the command would end in a traceback
        return {**outcome, "result": "crashed", "detail": f"{type(exc).__name__}: {exc}"}
    found = differences(expected, readings(read), f"{YEAR}/{case.workbook}", names)
    if not found:
        return {**outcome, "result": "exact", "detail": f"{len(read)} rows as bundled"}
    return {**outcome, "result": "misread", "detail": first_of_each_kind(found)}


def check_cli(raw: Path, outcome: dict, tmp_path: Path, ictanalysis_cli) -> None:
    """Run `clean --check` on the case's raw folder: exit 0 or 3 as clean itself decided, never a traceback."""
    processed = tmp_path / "processed"
    run = ictanalysis_cli("clean", "--check", "--raw", raw, "--processed", processed)
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output
    assert run.returncode in (0, 3), output
    assert run.returncode == (3 if outcome["result"] == "refused" else 0), output
    assert not processed.exists() or not any(processed.iterdir()), "clean --check wrote to the processed folder"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_variant_reads_the_bundled_values_or_is_refused(case, tmp_path, outcomes_log, ictanalysis_cli):
    start = time.perf_counter()
    _, books = bundled()
    raw, written, names = build_raw(case, books[case.workbook], tmp_path)
    outcome = judge(case, raw, written, names)
    outcome["seconds"] = round(time.perf_counter() - start, 3)
    record(outcomes_log, outcome)
    sheet = "" if case.sheet is None else f", sheet {case.sheet!r} alone"
    print(f"{case.id} ({case.variant.what}{sheet}): {outcome['result']}: {outcome['detail']}")
    if case.id in CLI_CASES:
        check_cli(raw, outcome, tmp_path, ictanalysis_cli)
    assert outcome["result"] in ("exact", "refused"), (
        f"{case.id}: {case.variant.what}, written as {', '.join(written)}, gave other tidy values without a "
        f"refusal:\n" + "\n".join(f"  {kind}: {text}" for kind, text in outcome["detail"].items())
        if outcome["result"] == "misread" else f"{case.id}: clean crashed: {outcome['detail']}"
    )


def test_bundled_workbooks_are_read_and_every_variant_has_cases():
    if BUNDLED_ERROR is not None:
        raise BUNDLED_ERROR
    _, books = bundled()
    assert {case.workbook for case in CASES} == set(books), "a bundled 2020 workbook has no metamorphic case"
    assert {case.variant.id for case in CASES} == {variant.id for variant in VARIANTS}, "a variant changes nothing"
    assert set(CLI_CASES) <= {case.id for case in CASES}, "a case named in CLI_CASES does not exist"
