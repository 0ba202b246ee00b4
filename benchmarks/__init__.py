"""Benchmarks of ictanalysis: ``python -m benchmarks [-k SUBSTRING] [--quick]`` (or ``make bench``).

Every module ``benchmarks/bench_*.py`` is one benchmark. It exposes
``run(*, quick: bool = False) -> list[Row]`` and does nothing at import;
`quick` asks for small sizes and one repetition, a smoke test of the
benchmark itself rather than a measurement. The runner prints all rows as one
table (benchmark, measure, value, unit, target, verdict) and writes them to
``benchmarks/results/latest.json``.

A new benchmark is a new ``bench_<name>.py``; :class:`Row` and
:func:`within` (a row judged against a limit) come from
``benchmarks._table``, and ``benchmarks._child`` measures a step in a
fresh process (wall time and that process's own peak memory).
"""

from benchmarks._table import Row, within

__all__ = ["Row", "within"]
