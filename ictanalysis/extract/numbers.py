"""Read one cell as a number, or say why it cannot be read for certain.

A cell is refused, naming what was found, when it holds a formula without a
stored value, an Excel error, a date or a true/false value, a number that is
not finite (NaN, INF), text that is not a number in the layout's notation, a
percentage where the indicator is not a rate, or text that reads as a
different number in the other notation.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from ictanalysis.catalog import Indicator
from ictanalysis.errors import Problem
from ictanalysis.extract.context import Context
from ictanalysis.extract.messages import plain, quote
from ictanalysis.normalise import NumberFormatError, fold, parse_number, strip_footnotes
from ictanalysis.workbook import Sheet, cell_name

__all__ = ["EXPECTED_STORED", "looks_numeric", "other_reading", "read_number", "table_notation"]

_EXPECTED_NUMBER = {
    "vi": "a number in Vietnamese notation such as 1.234.567 or 12,5 ('-' for zero)",
    "en": "a number in English notation such as 1,234,567 or 12.5 ('-' for zero)",
    None: "a number that reads the same in Vietnamese and English notation",
}
EXPECTED_STORED = "a value: open and save the workbook in Excel or LibreOffice so that results are stored"
_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
_EXPECTED_NO_ERROR = (
    "a number: correct the formula (#REF! points at deleted cells, #DIV/0! divides by zero, "
    "#N/A found nothing to look up) and save the workbook"
)
_EXPECTED_UNAMBIGUOUS = (
    "a number that reads one way: enter it as a number rather than text, or write a thousand and more "
    "as 1.234 and a fraction with one or two decimals (1,5)"
)
_NOTATIONS = {"vi": "Vietnamese", "en": "English"}
_NOT_FINITE = {"nan": "NaN (not a number)", "inf": "INF (infinity)", "-inf": "-INF (minus infinity)"}  # by repr
_EXPECTED_FINITE = (
    "a figure: NaN (not a number) and INF (infinity) are what a program writes for a value it could not "
    "compute; ask the sender for the figure"
)

Refusal = tuple[str, str]  # (what was found, what was expected)

# Text that only one notation reads: two group separators, both separators in its order, or a decimal
# separator followed by other than three digits.
_ONLY = {
    "en": re.compile(r"[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|[+-]?\d{1,3}(?:,\d{3})+\.\d+|[+-]?\d+\.(?:\d{1,2}|\d{4,})"),
    "vi": re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|[+-]?\d{1,3}(?:\.\d{3})+,\d+|[+-]?\d+,(?:\d{1,2}|\d{4,})"),
}
_EN_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")  # "182,340": thousands, or a fraction of three decimals


def table_notation(texts: list[str]) -> str | None:
    """Return the notation the table's number texts make certain: "en", "vi", "en-counts" or None.

    A table is in one notation when some of its texts read only in that one
    and none only in the other. "en-counts": every text with a comma is
    written as thousands ("182,340") and none reads only one way; such a text
    is a whole count (182 340 máy), never 182,34 of a count, but it says
    nothing for a rate, an amount of money or a scaled unit.

    Example:
        >>> table_notation(["1,234,567", "182,340"]), table_notation(["12,5", "182,340"]), table_notation(["182,340"])
        ('en', 'vi', 'en-counts')
        >>> table_notation(["1,234,567", "12,5"]), table_notation(["5"])
        (None, None)
    """
    numbers = [strip_footnotes(t)[0].rstrip("% ").strip() for t in texts]
    only = {name for name, pattern in _ONLY.items() if any(pattern.fullmatch(n) for n in numbers)}
    if len(only) == 1:
        return only.pop()
    commas = [n for n in numbers if "," in n]
    if not only and commas and all(_EN_THOUSANDS.fullmatch(n) for n in commas):
        return "en-counts"
    return None


def read_number(context: Context, row: int, col: int, indicator: Indicator) -> float | Problem | None:
    """Return the value of cell (row, col) as a number in the unit it is written in.

    Returns None when the cell holds nothing (or 0.0, when the layout reads a
    blank as zero), and a Problem naming the cell when it cannot be read.
    A percent-formatted cell is read as Excel and LibreOffice show it (0.985 as 98.5, 1 as 100).
    """
    sheet, locale = context.sheet, context.layout.locale
    value = sheet.value(row, col)
    number = None
    refusal = _unstored(sheet, (row, col), value) or _not_a_number(value, locale)
    if refusal is None:
        number, refusal = _parse(value, locale)
    if refusal is None and number is not None:
        percent = (row, col) in sheet.percent_cells or (isinstance(value, str) and "%" in value)
        refusal = _misplaced_percent(value, number, percent, indicator) or _ambiguous(value, number, locale)
    if refusal is not None:
        return context.problem(cell_name(row, col), *refusal)
    if number is None:
        return 0.0 if context.layout.blank == "zero" else None
    if (row, col) in sheet.percent_cells and isinstance(value, int | float):
        number *= 100  # a cell formatted as a percentage keeps 98,5 % as 0.985 (and 100 % as 1, an int in an .xls)
    return number


def _unstored(sheet: Sheet, cell: tuple[int, int], value) -> Refusal | None:
    """Refuse a formula without a stored value, and an Excel error value (stored, or typed as text)."""
    if cell in sheet.uncached_formulas:
        return "formula without a stored value", EXPECTED_STORED
    error = sheet.error_cells.get(cell) or (value.strip() if isinstance(value, str) else "")
    if error in _EXCEL_ERRORS:
        return f"found the error value {error}", _EXPECTED_NO_ERROR
    return None


def _not_a_number(value, locale: str | None) -> Refusal | None:
    """Refuse a true/false value, a date or time, which Excel may show as a number, and NaN or an infinity.

    A numeric NaN or INF is valid in an .xlsx (``<v>NaN</v>``) and in an .xls:
    read as blank it would be a zero, and an infinity would pass every sum.

    Example:
        >>> _not_a_number(True, "vi")[0], _not_a_number(dt.date(2020, 5, 1), "vi")[0], _not_a_number(5, "vi")
        ('found a true/false value (True)', 'found a date or time (2020-05-01)', None)
        >>> _not_a_number(float("nan"), "vi")[0], _not_a_number(float("-inf"), "vi")[0]
        ('found the number NaN (not a number)', 'found the number -INF (minus infinity)')
    """
    if isinstance(value, bool):
        return f"found a true/false value ({value})", _EXPECTED_NUMBER[locale]
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return f"found a date or time ({value})", _EXPECTED_NUMBER[locale]
    if isinstance(value, float) and not math.isfinite(value):
        return f"found the number {_NOT_FINITE[repr(float(value))]}", _EXPECTED_FINITE
    return None


def _parse(value, locale: str | None) -> tuple[float | None, Refusal | None]:
    """Return the number a value is written as in `locale`'s notation, or why it is not one.

    Example:
        >>> _parse("1.234,5", "vi"), _parse("", "vi")
        ((1234.5, None), (None, None))
        >>> _parse("abc", "vi")[1][0]
        "found text 'abc' where a number belongs"
    """
    try:
        return parse_number(value, locale=locale), None
    except NumberFormatError as exc:
        detail = f" ({exc.reason})" if locale is None else ""
        return None, (f"found text {quote(value)} where a number belongs{detail}", _EXPECTED_NUMBER[locale])


def _misplaced_percent(value, number: float, percent: bool, indicator: Indicator) -> Refusal | None:
    """Refuse a percentage (a percent-formatted cell, or text with %) where the indicator is not a rate."""
    if not percent or indicator.unit == "%":
        return None
    shown = quote(value) if isinstance(value, str) else f"{plain(number * 100)} %"
    return (f"found a percentage {shown} in a column of {indicator.unit!r} ({indicator.id})",
            f"a number of {indicator.unit}, without %")  # fmt: skip


def _ambiguous(value, number: float, locale: str | None) -> Refusal | None:
    """Refuse text whose fraction reads as another number in the other notation."""
    if not isinstance(value, str):
        return None
    other = other_reading(value, number, locale)
    return None if other is None else (other, _EXPECTED_UNAMBIGUOUS)


def other_reading(text: str, number: float, locale: str | None) -> str | None:
    """Say how a text number with a fraction reads otherwise in the other notation, if it does.

    "1,234" is 1,234 in Vietnamese notation but 1234 in English: a text that
    an English-notation workbook would read as a whole number is refused
    rather than read as a fraction. "1.234" (a whole number here) is read.

    Example:
        >>> other_reading("1,234", 1.234, "vi")
        "found text '1,234': a fraction (1,234) in the layout's Vietnamese notation, but 1.234 in English notation"
        >>> other_reading("12,5", 12.5, "vi"), other_reading("1.234", 1234.0, "vi")
        (None, None)
    """
    if locale is None or number.is_integer():
        return None
    try:
        parse_number(text, locale=None)
    except NumberFormatError as exc:
        if "ambiguous" in exc.reason:
            other = "en" if locale == "vi" else "vi"
            reading = parse_number(text, locale=other)
            return (f"found text {quote(text)}: a fraction ({plain(number, 6)}) in the layout's "
                    f"{_NOTATIONS[locale]} notation, but {plain(reading, 6)} in "
                    f"{_NOTATIONS[other]} notation")  # fmt: skip
    return None


def looks_numeric(value, locale: str | None) -> bool:
    """Tell whether a cell holds a number, or text that reads as one (a row that would lose its values).

    A dash alone ("-", zero) or a blank is not counted: a row of dashes holds nothing to lose.

    Example:
        >>> [looks_numeric(value, "vi") for value in (5, "1.234", "-", "Ghi chú", "", True)]
        [True, True, False, False, False, False]
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    try:
        return isinstance(value, str) and fold(value) != "" and parse_number(value, locale=locale) is not None
    except NumberFormatError:
        return False
