"""One result row of a benchmark, its verdict, and the table every run prints.

A bench module returns a list of :class:`Row`; the runner prints them as one
aligned text table and writes them as JSON. Rows with a target are judged
here, so every module words its targets and verdicts the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["COLUMNS", "INFO", "MISSED", "OK", "Row", "format_table", "within"]

COLUMNS = ("benchmark", "measure", "value", "unit", "target", "verdict")

OK, MISSED, INFO = "ok", "MISSED", "info"


@dataclass(frozen=True)
class Row:
    """One measured quantity.

    Attributes:
        benchmark: What was run, e.g. ``"ingest/clean"``.
        measure: What was measured, e.g. ``"seconds (median of 3)"``.
        value: The number (or a short text such as ``"yes"``).
        unit: The unit of `value`, e.g. ``"s"`` or ``"MB"``.
        target: The target as text (``"< 1.0"``), empty for information only.
        verdict: ``"ok"``, ``"MISSED"`` or ``"info"``.
        samples: Every repetition's value, kept in the JSON, not printed.
    """

    benchmark: str
    measure: str
    value: float | int | str
    unit: str = ""
    target: str = ""
    verdict: str = INFO
    samples: tuple[float, ...] = field(default=())

    def as_dict(self) -> dict:
        """Return the row as a JSON-ready dict."""
        row = dataclasses.asdict(self)
        row["samples"] = list(self.samples)
        return row


def within(
    benchmark: str,
    measure: str,
    value: float,
    unit: str,
    limit: float,
    *,
    inclusive: bool = False,
    samples: Sequence[float] = (),
) -> Row:
    """Return a row judged against an upper limit.

    Args:
        benchmark: What was run.
        measure: What was measured.
        value: The measured value (a median).
        unit: Its unit.
        limit: The largest acceptable value.
        inclusive: Accept `value` equal to `limit` (target ``<=``), not only below it.
        samples: The repetitions behind `value`.

    Returns:
        A row whose verdict is ``"ok"`` when `value` is within the limit, else ``"MISSED"``.

    Example:
        >>> within("x", "seconds", 0.4, "s", 0.5).verdict
        'ok'
        >>> within("x", "seconds", 0.5, "s", 0.5).target
        '< 0.5 s'
    """
    passed = value <= limit if inclusive else value < limit
    target = f"{'<=' if inclusive else '<'} {limit:g}{' ' + unit if unit else ''}"
    return Row(benchmark, measure, value, unit, target, OK if passed else MISSED, tuple(samples))


def format_value(value: float | int | str) -> str:
    """Show a value with as many digits as a noisy measurement deserves.

    Example:
        >>> format_value(1234567.8), format_value(12.345), format_value(0.01234), format_value("yes"), format_value(3)
        ('1,234,568', '12.3', '0.012', 'yes', '3')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int):  # a count: no digits it does not have
        return f"{value:,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def format_table(rows: Sequence[Row]) -> str:
    """Return the rows as one aligned text table with a header line.

    Example:
        >>> print(format_table([Row("a", "b", 1.5, "s")]))
        benchmark  measure  value  unit  target  verdict
        ---------  -------  -----  ----  ------  -------
        a          b        1.500  s             info
    """
    cells = [list(COLUMNS)] + [
        [r.benchmark, r.measure, format_value(r.value), r.unit, r.target, r.verdict] for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    numeric = [False, True] + [not isinstance(r.value, str) for r in rows]  # header, rule, rows
    cells.insert(1, ["-" * w for w in widths])
    value = COLUMNS.index("value")
    lines = []
    for line, right in zip(cells, numeric, strict=True):
        parts = [text.rjust(w) if i == value and right else text.ljust(w)
                 for i, (text, w) in enumerate(zip(line, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
