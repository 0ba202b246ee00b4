"""Run every benchmark module, print one table, write ``benchmarks/results/latest.json``.

Usage::

    python -m benchmarks [-k SUBSTRING] [--quick]

The exit status is 0 when every target is met, 1 when a target is missed or
a benchmark failed (its error is a row of the table), 2 for a wrong command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from benchmarks._table import MISSED, Row, format_table

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "latest.json"


def discover(substring: str = "") -> list[str]:
    """Return the module names of ``benchmarks/bench_*.py`` whose name contains `substring`, sorted."""
    names = sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    return [f"benchmarks.{name}" for name in names if substring.lower() in name.lower()]


def run_module(name: str, *, quick: bool) -> list[Row]:
    """Run one benchmark module; a failure becomes a MISSED row carrying the error."""
    try:
        return list(importlib.import_module(name).run(quick=quick))
    except Exception as exc:  # one broken benchmark must not hide the others' results
        traceback.print_exc(file=sys.stderr)
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        return [Row(name.removeprefix("benchmarks."), "error", message[:300], "", "runs", MISSED)]


def write_json(rows: Sequence[Row], *, quick: bool, seconds: float, modules: Sequence[str], path: Path = RESULTS) -> None:
    """Write the rows, with what run produced them, to `path`."""
    meta = {
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "modules": list(modules),
        "seconds": round(seconds, 1),
        "python": sys.version.split()[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "rows": [r.as_dict() for r in rows]}, ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="substring", default="", metavar="SUBSTRING",
                        help="run only the bench_*.py modules whose name contains SUBSTRING")
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition: a smoke test")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks and return the exit status."""
    args = parse_args(argv)
    modules = discover(args.substring)
    if not modules:
        print(f"no benchmark module matches {args.substring!r}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    rows = []
    for name in modules:
        print(f"running {name}{' (quick)' if args.quick else ''}…", file=sys.stderr, flush=True)
        rows += run_module(name, quick=args.quick)
    seconds = time.perf_counter() - start
    print(format_table(rows))
    print(f"\n{len(modules)} module(s) in {seconds:.0f} s{' (quick)' if args.quick else ''}; "
          f"rows written to {RESULTS.relative_to(BENCH_DIR.parent)}")
    write_json(rows, quick=args.quick, seconds=seconds, modules=modules)
    return 1 if any(r.verdict == MISSED for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
