"""Numbers as people read them: Vietnamese 1.234.567 and 12,5 %, English 1,234,567 and 12.5%.

Every number the report, its charts and the quality page show goes through
this module. Digits, decimal marks and group separators come from Babel's
CLDR data for the language's locale; the words around a number (the space
before ``%`` in Vietnamese, "điểm %", "tỷ đồng") come from the language's
catalog (:mod:`ictanalysis.words`). The house rules are which number of
decimals to show, the minus sign (U+2212, as Vega's d3-format writes it), and
the no-break space (U+00A0) that keeps a number and its unit on one line:
every space of "12,5 %", "1.120,9 tỷ đồng" or "7,5 lần" is one, and
:func:`bind_units` joins a number to the unit words that follow it in a sentence.

Percentages are given in percent points: ``format_percent(12.5)`` is
"12,5 %", not ``format_percent(0.125)``.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Iterable

from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = [
    "NBSP",
    "bind_units",
    "format_change",
    "format_locale",
    "format_money",
    "format_number",
    "format_percent",
    "format_points",
    "format_quantity",
    "format_times",
    "money_scale",
]

MISSING = "–"
MINUS = "\u2212"
NBSP = "\u00a0"  #: between a number and its unit, and inside a unit of several words
_MONEY_SCALES = ((1e9, "money.billion"), (1e6, "money.million"), (1.0, "money.dong"))
_EXACT = decimal.Context(prec=400)  # digits enough to round any float: the largest has 309 before the point


def format_locale(language: str = DEFAULT_LANGUAGE) -> dict:
    """Return the d3-format locale that makes Vega charts write numbers like the text.

    >>> format_locale("vi")["decimal"], format_locale("en")["thousands"], format_locale("vi")["percent"]
    (',', ',', ' %')
    """
    from babel.numbers import get_decimal_symbol, get_group_symbol

    said = words(language)
    return {
        "decimal": get_decimal_symbol(said.locale),
        "thousands": get_group_symbol(said.locale),
        "grouping": [3],
        "currency": ["", "\u00a0₫"],
        "percent": said("number.percent", number=""),
        "minus": MINUS,
    }


def money_scale(largest: float, language: str = DEFAULT_LANGUAGE) -> tuple[float, str]:
    """Return the divisor and unit that keep an amount in đồng short: tỷ, triệu or plain đồng.

    >>> money_scale(3.2e12), money_scale(45e6, "en"), money_scale(5000)
    ((1000000000.0, 'tỷ đồng'), (1000000.0, 'million đồng'), (1.0, 'đồng'))
    """
    size, key = next((s, k) for s, k in _MONEY_SCALES if abs(largest) >= s or s == 1.0)
    return size, words(language)(key)


def format_number(x: float | None, language: str = DEFAULT_LANGUAGE, decimals: int | None = None) -> str:
    """Write a number with the language's group and decimal marks.

    Without `decimals`, whole numbers get none, numbers of 100 or more at
    most one and smaller numbers at most two (trailing zeros dropped). With
    `decimals`, exactly that many are shown. Missing values (None, NaN) are "–".
    Any finite number is written with all the digits of its shortest form,
    however large: 1e308 as 1 and 308 zeros, in groups of three (411 characters).

    >>> format_number(669065), format_number(669065, "en")
    ('669.065', '669,065')
    >>> format_number(1234567.25), format_number(2.125), format_number(2.1, decimals=2)
    ('1.234.567,3', '2,13', '2,10')
    >>> format_number(-3.2), format_number(None), format_number(float("inf"))
    ('−3,2', '–', '∞')
    >>> format_number(1e308)[:15], len(format_number(1e308)), format_number(-1.5e20, "en")
    ('100.000.000.000', 411, '−150,000,000,000,000,000,000')
    """
    words(language)  # refuses a language without a catalog
    if _missing(x):
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    places = _default_decimals(x) if decimals is None else decimals
    rounded = _round_half_up(x, places)
    pattern = "#,##0" + ("." + ("0" if decimals is not None else "#") * places if places else "")
    return _babel_decimal(rounded, pattern, language).replace("-", MINUS)


def format_percent(x: float | None, language: str = DEFAULT_LANGUAGE, decimals: int | None = 1) -> str:
    """Write a value given in percent: "12,5 %" (Vietnamese), "12.5%" (English).

    `decimals` None shows them as :func:`format_number` does (none for 100).

    The space before "%" is a no-break space (U+00A0), so "100 %" never breaks at the end of a line.

    >>> format_percent(12.5), format_percent(12.5, "en"), format_percent(100, decimals=0)
    ('12,5\xa0%', '12.5%', '100\xa0%')
    >>> format_percent(100, decimals=None), format_percent(98.5, decimals=None)
    ('100\xa0%', '98,5\xa0%')
    >>> format_percent(float("nan"))
    '–'
    """
    said = words(language)
    if _missing(x):
        return MISSING
    return _unbroken(said("number.percent", number=format_number(x, language, decimals)))


def format_change(x: float | None, language: str = DEFAULT_LANGUAGE, decimals: int | None = 1) -> str:
    """Write a change in percent with its sign: "+650,0 %", "−3,2 %".

    A change that rounds to zero carries no sign.

    >>> format_change(650), format_change(-3.2), format_change(-3.2, "en"), format_change(0.01)
    ('+650,0\xa0%', '−3,2\xa0%', '−3.2%', '0,0\xa0%')
    """
    text = format_percent(x, language, decimals)
    if text == MISSING or _round_half_up(x, 2 if decimals is None else decimals) <= 0:
        return text
    return "+" + text


def format_points(x: float | None, language: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """Write a change of a rate in percentage points with its sign: "+1,5 điểm %", "−0.4 pp".

    >>> format_points(1.5), format_points(-0.4, "en"), format_points(0.01)
    ('+1,5\xa0điểm\xa0%', '−0.4\xa0pp', '0,0\xa0điểm\xa0%')
    """
    said = words(language)
    if _missing(x):
        return MISSING
    text = _unbroken(said("number.points", number=format_number(x, language, decimals)))
    return "+" + text if _round_half_up(x, decimals) > 0 else text


def format_money(dong: float | None, language: str = DEFAULT_LANGUAGE, decimals: int = 1) -> str:
    """Write an amount in đồng in tỷ (billions) or triệu (millions) as its size asks.

    >>> format_money(1_120_900_000_000).replace(NBSP, "_"), format_money(1_120_900_000_000, "en").replace(NBSP, "_")
    ('1.120,9_tỷ_đồng', '1,120.9_billion_đồng')
    >>> format_money(45_000_000).replace(NBSP, "_"), format_money(5000).replace(NBSP, "_")
    ('45_triệu_đồng', '5.000_đồng')
    """
    if _missing(dong):
        return MISSING
    size, unit = money_scale(dong, language)
    return format_quantity(_round_half_up(dong / size, decimals if size > 1 else 0), unit, language)


def format_quantity(x: float | None, unit: str, language: str = DEFAULT_LANGUAGE, decimals: int | None = None) -> str:
    """Write a number and its unit on one line: "669.065 thuê bao", its spaces no-break ones.

    >>> format_quantity(669065, "thuê bao").replace(NBSP, "_"), format_quantity(None, "trạm")
    ('669.065_thuê_bao', '–')
    """
    if _missing(x):
        return MISSING
    return _unbroken(words(language)("number.quantity", number=format_number(x, language, decimals), unit=unit))


def format_times(ratio: float | None, language: str = DEFAULT_LANGUAGE) -> str:
    """Write how many times a figure is another, with one decimal: "7,5 lần", "7.5 times".

    >>> format_times(555 / 74).replace(NBSP, "_"), format_times(47 / 12, "en").replace(NBSP, "_")
    ('7,5_lần', '3.9_times')
    """
    if _missing(ratio):
        return MISSING
    return _unbroken(words(language)("number.times", number=format_number(ratio, language, 1)))


def bind_units(text: str, units: Iterable[str]) -> str:
    """Join each number of `text` to the unit word that follows it (one of `units`) with a no-break space.

    The longest unit is tried first, and the spaces inside it are made no-break too; a word that only
    starts with a unit is left alone ("3 trạmx" is not "3 trạm" and "x").

    >>> bind_units("có 669.065 thuê bao, tăng 2,1 % và 3 trạm", ["thuê bao", "%", "trạm"]).replace(NBSP, "_")
    'có 669.065_thuê_bao, tăng 2,1_% và 3_trạm'
    >>> bind_units("năm 2020 có 3 trạmx", ["trạm"]) == "năm 2020 có 3 trạmx"
    True
    """
    spelled = sorted({u for u in units if u.strip()}, key=len, reverse=True)
    if not spelled:
        return text
    pattern = re.compile(r"(?<=\d)[ \u00a0](" + "|".join(re.escape(u) for u in spelled) + r")(?!\w)")
    return pattern.sub(lambda m: NBSP + _unbroken(m.group(1)), text)


def _unbroken(text: str) -> str:
    """Make every space of a number-and-unit text a no-break space."""
    return text.replace(" ", NBSP)


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
    """Round half away from zero, as people do (Python's round() rounds half to even); an infinity stays one.

    Any finite float is rounded, the largest too: Decimal's default precision
    (28 digits) cannot hold 1e308.

    >>> _round_half_up(2.675, 2), _round_half_up(-0.04, 1), _round_half_up(1e308, 2), _round_half_up(float("inf"), 1)
    (2.68, 0.0, 1e+308, inf)
    """
    if not math.isfinite(x):
        return float(x)
    exact = decimal.Decimal(repr(float(x)))
    rounded = exact.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP, context=_EXACT)
    return float(rounded) or 0.0  # no "−0"


def _babel_decimal(x: float, pattern: str, language: str) -> str:
    from babel.numbers import format_decimal

    with decimal.localcontext(_EXACT):  # Babel quantizes in the current context, too narrow for 1e308
        return format_decimal(x, format=pattern, locale=language, decimal_quantization=True)
