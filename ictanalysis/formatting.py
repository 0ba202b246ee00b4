"""Numbers as people read them: Vietnamese 1.234.567 and 12,5 %, English 1,234,567 and 12.5%.

Every number the report, its charts and the quality page show goes through
this module. Digits, decimal marks and group separators come from Babel's
CLDR data for the locales ``vi`` and ``en``; the only house rules are which
number of decimals to show, the minus sign (U+2212, as Vega's d3-format
writes it), and the space before ``%`` in Vietnamese.

Percentages are given in percent points: ``format_percent(12.5)`` is
"12,5 %", not ``format_percent(0.125)``.
"""

from __future__ import annotations

import decimal
import math

__all__ = [
    "EN_FORMAT_LOCALE",
    "LANGUAGES",
    "VI_FORMAT_LOCALE",
    "format_change",
    "format_locale",
    "format_money",
    "format_number",
    "format_percent",
    "format_points",
]

LANGUAGES = ("vi", "en")

MISSING = "–"
MINUS = "\u2212"

# d3-format locales for Vega (vega-embed's `formatLocale`, vl-convert's `format_locale`).
VI_FORMAT_LOCALE = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", "\u00a0₫"],
    "percent": " %",
    "minus": MINUS,
}
EN_FORMAT_LOCALE = {
    "decimal": ".",
    "thousands": ",",
    "grouping": [3],
    "currency": ["", "\u00a0₫"],
    "percent": "%",
    "minus": MINUS,
}

_PERCENT_SIGN = {"vi": " %", "en": "%"}
_MONEY_UNITS = {
    "vi": ((1e9, "tỷ đồng"), (1e6, "triệu đồng"), (1.0, "đồng")),
    "en": ((1e9, "billion đồng"), (1e6, "million đồng"), (1.0, "đồng")),
}


def format_locale(language: str = "vi") -> dict:
    """Return the d3-format locale that makes Vega charts write numbers like the text.

    >>> format_locale("vi")["decimal"], format_locale("en")["thousands"]
    (',', ',')
    """
    _check_language(language)
    source = VI_FORMAT_LOCALE if language == "vi" else EN_FORMAT_LOCALE
    return {key: list(value) if isinstance(value, list) else value for key, value in source.items()}


def format_number(x: float | None, language: str = "vi", decimals: int | None = None) -> str:
    """Write a number with the language's group and decimal marks.

    Without `decimals`, whole numbers get none, numbers of 100 or more at
    most one and smaller numbers at most two (trailing zeros dropped). With
    `decimals`, exactly that many are shown. Missing values (None, NaN) are "–".

    >>> format_number(669065), format_number(669065, "en")
    ('669.065', '669,065')
    >>> format_number(1234567.25), format_number(2.125), format_number(2.1, decimals=2)
    ('1.234.567,3', '2,13', '2,10')
    >>> format_number(-3.2), format_number(None), format_number(float("inf"))
    ('−3,2', '–', '∞')
    """
    _check_language(language)
    if _missing(x):
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    places = _default_decimals(x) if decimals is None else decimals
    rounded = _round_half_up(x, places)
    pattern = "#,##0" + ("." + ("0" if decimals is not None else "#") * places if places else "")
    return _babel_decimal(rounded, pattern, language).replace("-", MINUS)


def format_percent(x: float | None, language: str = "vi", decimals: int | None = 1) -> str:
    """Write a value given in percent: "12,5 %" (Vietnamese), "12.5%" (English).

    `decimals` None shows them as :func:`format_number` does (none for 100).

    >>> format_percent(12.5), format_percent(12.5, "en"), format_percent(100, decimals=0)
    ('12,5 %', '12.5%', '100 %')
    >>> format_percent(100, decimals=None), format_percent(98.5, decimals=None)
    ('100 %', '98,5 %')
    >>> format_percent(float("nan"))
    '–'
    """
    if _missing(x):
        return MISSING
    return format_number(x, language, decimals) + _PERCENT_SIGN[language]


def format_change(x: float | None, language: str = "vi", decimals: int | None = 1) -> str:
    """Write a change in percent with its sign: "+650,0 %", "−3,2 %".

    A change that rounds to zero carries no sign.

    >>> format_change(650), format_change(-3.2), format_change(-3.2, "en"), format_change(0.01)
    ('+650,0 %', '−3,2 %', '−3.2%', '0,0 %')
    """
    text = format_percent(x, language, decimals)
    if text == MISSING or _round_half_up(x, 2 if decimals is None else decimals) <= 0:
        return text
    return "+" + text


def format_points(x: float | None, language: str = "vi", decimals: int = 1) -> str:
    """Write a change of a rate in percentage points with its sign: "+1,5 điểm %", "−0.4 pp".

    >>> format_points(1.5), format_points(-0.4, "en"), format_points(0.01)
    ('+1,5 điểm %', '−0.4 pp', '0,0 điểm %')
    """
    _check_language(language)
    if _missing(x):
        return MISSING
    text = format_number(x, language, decimals) + (" điểm %" if language == "vi" else " pp")
    return "+" + text if _round_half_up(x, decimals) > 0 else text


def format_money(dong: float | None, language: str = "vi", decimals: int = 1) -> str:
    """Write an amount in đồng in tỷ (billions) or triệu (millions) as its size asks.

    >>> format_money(1_120_900_000_000), format_money(1_120_900_000_000, "en")
    ('1.120,9 tỷ đồng', '1,120.9 billion đồng')
    >>> format_money(45_000_000), format_money(5000)
    ('45 triệu đồng', '5.000 đồng')
    """
    _check_language(language)
    if _missing(dong):
        return MISSING
    size, unit = next((s, u) for s, u in _MONEY_UNITS[language] if abs(dong) >= s or s == 1.0)
    places = decimals if size > 1 else 0
    return f"{format_number(_round_half_up(dong / size, places), language)} {unit}"


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")


def _missing(x: float | None) -> bool:
    """Tell whether `x` is None, NaN or pandas' NA."""
    try:
        return x is None or math.isnan(x)
    except TypeError:  # pd.NA and other non-numbers
        return True


def _default_decimals(x: float) -> int:
    if float(x).is_integer():
        return 0
    return 1 if abs(x) >= 100 else 2


def _round_half_up(x: float, places: int) -> float:
    """Round half away from zero, as people do (Python's round() rounds half to even)."""
    exact = decimal.Decimal(repr(float(x)))
    rounded = exact.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    return float(rounded) or 0.0  # no "−0"


def _babel_decimal(x: float, pattern: str, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(x, format=pattern, locale=language, decimal_quantization=True)
