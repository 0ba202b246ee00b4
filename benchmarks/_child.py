"""Measure one step in a fresh Python process: its wall time and its own peak memory.

The parent calls :func:`measure` with a *factory*, ``"module:function"`` plus
string arguments. In the child the factory does the untimed setup (imports,
loading inputs) and returns a :class:`Step`; only ``Step.run`` is timed. Peak
memory is the child's ``ru_maxrss`` read right after the step, so it is that
process's high-water mark, setup included. ``Step.summarise`` then turns the
step's result into a small JSON-ready dict the parent uses to check the run.

Child usage (done by :func:`measure`)::

    python -m benchmarks._child benchmarks.bench_ingest:clean_step /tmp/x
"""

from __future__ import annotations

import importlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChildError", "Sample", "Step", "measure", "wall_time"]

PROJECT_DIR = Path(__file__).resolve().parent.parent
_MARKER = "BENCHMARK-SAMPLE "


class ChildError(RuntimeError):
    """A measured child process that failed; the message ends with its stderr."""


@dataclass(frozen=True)
class Step:
    """What a factory hands the child: the timed callable and how to summarise its result."""

    run: Callable[[], object]
    summarise: Callable[[object], dict] | None = None


@dataclass(frozen=True)
class Sample:
    """One measured run of a step.

    Attributes:
        seconds: Wall time of ``Step.run`` alone.
        peak_mb: The child's peak resident set size in MiB (setup included).
        summary: What ``Step.summarise`` returned (empty without one).
    """

    seconds: float
    peak_mb: float
    summary: dict


def measure(factory: str, *args: str, timeout: float = 3600) -> Sample:
    """Run one step in a fresh interpreter and return its measurement.

    Args:
        factory: ``"module:function"``; the function takes `args` and returns a :class:`Step`.
        *args: String arguments for the factory.
        timeout: Seconds before the child is killed.

    Raises:
        ChildError: when the child exits with an error or reports no sample.
    """
    command = [sys.executable, "-m", "benchmarks._child", factory, *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_DIR, timeout=timeout, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(_MARKER)]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise ChildError(f"{factory} {' '.join(args)} failed (exit {done.returncode}):\n{tail}")
    return Sample(**json.loads(lines[-1][len(_MARKER) :]))


def wall_time(command: list[str]) -> float:
    """Return the wall time of running `command` to completion (it must succeed).

    Raises:
        ChildError: when the command exits with an error.
    """
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_DIR, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise ChildError(f"{' '.join(command)} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed


def _run_in_child(factory: str, args: list[str]) -> Sample:
    """Set the step up, time it, read the peak memory, then summarise the result."""
    module_name, _, function_name = factory.partition(":")
    step: Step = getattr(importlib.import_module(module_name), function_name)(*args)
    start = time.perf_counter()
    result = step.run()
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    summary = step.summarise(result) if step.summarise else {}
    return Sample(seconds, peak_kib / 1024, summary)


def _main(argv: list[str]) -> int:
    sample = _run_in_child(argv[0], argv[1:])
    print(_MARKER + json.dumps(sample.__dict__, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
