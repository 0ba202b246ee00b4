"""Tell, from a cell's number format, whether it shows a percentage: the value is then a fraction (0,985 for 98,5 %).

Excel's built-in formats 9 (``0%``) and 10 (``0.00%``) are percentages in
every workbook; a format of the workbook's own is one when it holds a ``%``
that is not literal text (in quotes, or escaped with ``\\``, ``_`` or ``*``).
"""

from __future__ import annotations

__all__ = ["PERCENT_BUILTIN", "shows_percent"]

PERCENT_BUILTIN = frozenset({9, 10})
"""The built-in number formats that show a percentage (``0%`` and ``0.00%``)."""


def shows_percent(code: str) -> bool:
    """Tell whether the number format `code` shows its value times 100, with a ``%`` sign.

    A quoted or escaped ``%`` is literal text: ``0.0"%"`` shows 98,5 as "98,5%".

    >>> [shows_percent(code) for code in ("0.0%", "#,##0.00%;[Red]-0.00%", '0.0"%"', "0.0\\\\%", "#,##0", "General")]
    [True, True, False, False, False, False]
    """
    quoted, escaped = False, False
    for char in code:
        if escaped:
            escaped = False
        elif char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\\_*":
            escaped = True  # the next character is shown as it is (or stands for its width, or fills the cell)
        elif char == "%":
            return True
    return False
