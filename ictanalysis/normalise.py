"""Normalise names and numbers as they are typed in provincial workbooks.

Pure functions, no I/O: :func:`fold` makes labels comparable without
diacritics, case or punctuation; :func:`strip_footnotes` separates footnote
marks from a label or a number; :func:`parse_number` reads a cell value written
in Vietnamese (``1.234,5``) or English (``1,234.5``) notation, refusing
anything it cannot read for certain.
"""

from __future__ import annotations

import functools
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import get_decimal_symbol, get_group_symbol

__all__ = ["NumberFormatError", "fold", "parse_number", "strip_footnotes"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# The marks' patterns stay linear on hostile text (a label of 100.000 spaces or
# stars): a run of spaces or superscripts is only entered at its start
# (lookbehinds) and never given back (possessive quantifiers).
_STAR = r"\(\*{1,3}\)|\*{1,3}+"
_SUPERSCRIPT = r"(?<![⁰¹²³⁴⁵⁶⁷⁸⁹])[⁰¹²³⁴⁵⁶⁷⁸⁹]++"
_NOTE_NUMBER = r"\([1-9a-z]\)"
_TRAILING_MARK = re.compile(
    rf"(?<=\S)\s*+(?P<mark>{_STAR}|{_SUPERSCRIPT}|{_NOTE_NUMBER})\s*+$"
)
_MAX_TRAILING_MARKS = 4  # "1.234 (*)(1)" has two; a longer tail is not footnotes
_EMBEDDED_MARK = re.compile(rf"(?<!\s)\s*+(?:{_STAR}|{_SUPERSCRIPT})")
_LENGTH_UNIT = re.compile(r"(?<![^\W\d_])[kcdhKCDH]?[mM]$")  # m, km, cm… as a word of their own
_MARK_CHARS = frozenset("*()⁰¹²³⁴⁵⁶⁷⁸⁹")
_NOTE_FOLLOWS = frozenset(")*%")  # besides letters and digits

_ZERO_DASHES = frozenset({"-", "–", "—"})
_NOT_REPORTED = frozenset({"x", "X"})
_SPACES = re.compile(r"\s+")
_AUTO_LOCALES = ("vi", "en")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a label for diacritic-, case- and punctuation-insensitive matching.

    Applies NFKC, lower-cases, maps ``đ`` to ``d``, drops combining marks and
    turns every run of other characters into one space. Results are cached.

    Args:
        text: Any label, e.g. a header or an area name.

    Returns:
        Only ``a-z``, ``0-9`` and single inner spaces.

    Example:
        >>> fold("TP. Phan Rang - Tháp Chàm")
        'tp phan rang thap cham'
        >>> fold("  ĐIỆN   thoại ")
        'dien thoai'
    """
    text = unicodedata.normalize("NFKC", text).lower().replace("đ", "d")
    text = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return _NON_ALNUM.sub(" ", text).strip()


def strip_footnotes(text: str) -> tuple[str, str]:
    """Split footnote marks off a label or a number string.

    Stars (``*``, ``**``, ``(*)``, ``(**)``) and superscript digits are marks
    wherever they stand, except ``²``/``³`` right after a unit of length
    (``m²``, ``km³``; but ``Thuận Nam²`` carries note 2). ``(1)`` to
    ``(9)`` and ``(a)`` to ``(z)`` are marks only at the end and after other
    text, so ``"(1)"`` (minus one) and ``"(3)=(1)+(2)"`` are left alone.

    Args:
        text: A label or a number as typed.

    Returns:
        The stripped text without marks, and the marks found, in order and
        separated by a space (empty when there were none).

    Example:
        >>> strip_footnotes("UBND cấp xã (*)")
        ('UBND cấp xã', '(*)')
        >>> strip_footnotes("555*")
        ('555', '*')
        >>> strip_footnotes("(1)")
        ('(1)', '')
    """
    if _MARK_CHARS.isdisjoint(text):
        return text.strip(), ""
    clean, trailing = _strip_trailing_marks(text)
    clean, embedded = _strip_embedded_marks(clean)
    return clean.strip(), " ".join(embedded + trailing)


def _strip_trailing_marks(text: str) -> tuple[str, list[str]]:
    """Remove marks at the end of ``text``, right to left.

    Example:
        >>> _strip_trailing_marks("1.234 (*)(1)")
        ('1.234', ['(*)', '(1)'])
    """
    marks: list[str] = []
    for _ in range(_MAX_TRAILING_MARKS):
        match = _TRAILING_MARK.search(text)
        if match is None:
            break
        before = text[: match.start()].rstrip()
        mark = match.group("mark")
        if (mark.startswith("(") and not _may_carry_note(before)) or _is_unit_power(text, match.start("mark"), mark):
            break
        marks.insert(0, mark)
        text = before
    return text, marks


def _is_unit_power(text: str, start: int, mark: str) -> bool:
    """Tell whether the superscript ``mark`` at ``start`` squares or cubes a unit (m², km³) rather than marks a note.

    Example:
        >>> _is_unit_power("(m²)", 2, "²"), _is_unit_power("1 km³", 4, "³"), _is_unit_power("Thuận Nam²", 9, "²")
        (True, True, False)
    """
    return mark in ("²", "³") and _LENGTH_UNIT.search(text, max(start - 2, 0), start) is not None


def _may_carry_note(before: str) -> bool:
    """Tell whether a ``(1)``-style note may follow ``before``.

    Example:
        >>> _may_carry_note("Doanh thu"), _may_carry_note("(3)=(1)+")
        (True, False)
    """
    last = before[-1:]
    return last.isalnum() or last in _NOTE_FOLLOWS


def _strip_embedded_marks(text: str) -> tuple[str, list[str]]:
    """Remove star and superscript marks anywhere in ``text``.

    Example:
        >>> _strip_embedded_marks("UBND (*) cấp xã")
        ('UBND cấp xã', ['(*)'])
    """
    marks: list[str] = []

    def drop(match: re.Match[str]) -> str:
        found = match.group(0)
        if _is_unit_power(text, match.end() - len(found.strip()), found.strip()):
            return found
        marks.append(found.strip())
        glued = match.end() < len(text) and not text[match.end()].isspace()
        return " " if glued and found[0].isspace() else ""

    return _EMBEDDED_MARK.sub(drop, text), marks


class NumberFormatError(ValueError):
    """A cell value that cannot be read as a number for certain.

    Attributes:
        text: The value as it was given, as a string.
        reason: A short English sentence saying what was expected.

    Example:
        >>> err = NumberFormatError("12.5", "expected a number")
        >>> err.text, str(err)
        ('12.5', "cannot read '12.5' as a number: expected a number")
    """

    def __init__(self, text: str, reason: str) -> None:
        """Keep the offending text and the reason it was refused."""
        super().__init__(f"cannot read {text!r} as a number: {reason}")
        self.text = text
        self.reason = reason

    def __reduce__(self) -> tuple[type[NumberFormatError], tuple[str, str]]:
        """Pickle with both arguments (for multiprocessing).

        Example:
            >>> import pickle
            >>> pickle.loads(pickle.dumps(NumberFormatError("a", "b"))).reason
            'b'
        """
        return type(self), (self.text, self.reason)


@dataclass(frozen=True, slots=True)
class _Notation:
    """How one locale writes numbers: its symbols and a compiled pattern."""

    locale: str
    group: str
    decimal: str
    pattern: re.Pattern[str]

    def read(self, text: str) -> float | None:
        """Return the value of ``text`` if it is well formed here, else None.

        Example:
            >>> _notation("vi").read("1.234,5"), _notation("vi").read("1,234.5")
            (1234.5, None)
        """
        if self.pattern.fullmatch(text) is None:
            return None
        if " " in text:
            text = text.replace(" ", "")
        return float(text.replace(self.group, "").replace(self.decimal, "."))

    def example(self) -> str:
        """Show how this locale writes 1234567.5.

        Example:
            >>> _notation("en").example()
            '1,234,567.5'
        """
        return f"1{self.group}234{self.group}567{self.decimal}5"


@functools.cache
def _notation(locale: str) -> _Notation:
    """Build the notation of ``locale`` from Babel's symbols (cached).

    Example:
        >>> _notation("vi").group, _notation("vi").decimal
        ('.', ',')
    """
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    group = " " if group.isspace() else group
    g, d = re.escape(group), re.escape(decimal)
    # Possessive quantifiers: no backtracking, about twice as fast here.
    integer = rf"[1-9]\d{{0,2}}+(?:{g}\d{{3}})++|[1-9]\d{{0,2}}+(?: \d{{3}})++|\d++"
    pattern = re.compile(rf"[+-]?(?:{integer})(?:{d}\d++)?+")
    return _Notation(locale, group, decimal, pattern)


@functools.cache
def _notations(locale: str | None) -> tuple[_Notation, ...]:
    """Return the notations to try: one, or vi and en when ``locale`` is None.

    Example:
        >>> [n.locale for n in _notations(None)]
        ['vi', 'en']
    """
    return tuple(_notation(name) for name in ((locale,) if locale else _AUTO_LOCALES))


def parse_number(value: object, *, locale: str | None = "vi") -> float | None:
    """Read a cell value as a number, refusing anything not certain.

    Numbers come back as floats (NaN as None, a blank cell). Text is read in
    ``locale``'s notation (symbols from Babel): groups of exactly three digits
    or no grouping, spaces allowed as groups, an optional decimal part. Around
    the number, whitespace, footnote marks, a trailing ``%``, a leading sign
    and accounting parentheses ``(1.234)`` are accepted. ``-``, ``–`` and
    ``—`` mean zero; blank text and ``x`` (not reported) mean None. With
    ``locale=None`` both vi and en notations are tried and a string that
    reads differently in the two, such as ``1.234``, is refused.

    Args:
        value: A cell value: str, a real number (int, float, Decimal,
            NumPy scalars) or None.
        locale: A Babel locale name, or None to accept either vi or en.

    Returns:
        The value as a float, or None when nothing was reported.

    Raises:
        NumberFormatError: If the value is not a well-formed number (or is
            ambiguous in auto mode), or is a bool or another type.

    Example:
        >>> parse_number("1.234.567"), parse_number("98,5%"), parse_number("-")
        (1234567.0, 98.5, 0.0)
        >>> parse_number("1,234.5", locale="en"), parse_number("1.234,5", locale=None)
        (1234.5, 1234.5)
        >>> try:
        ...     parse_number("1.234", locale=None)
        ... except NumberFormatError as err:
        ...     print(err.reason)
        ambiguous: 1234.0 in vi notation but 1.234 in en notation; pass locale= to choose
    """
    if isinstance(value, str):
        return _parse_text(value, locale)
    return _parse_value(value)


def _parse_value(value: object) -> float | None:
    """Convert a cell value that is not text: floats and ints at once, anything else carefully.

    Example:
        >>> _parse_value(2.5), _parse_value(float("nan")), _parse_value(3), _parse_value(None)
        (2.5, None, 3.0, None)
    """
    if type(value) is float:
        return None if value != value else value
    if type(value) is int:
        return float(value)
    return _parse_other(value)


def _parse_other(value: object) -> float | None:
    """Convert a non-string cell value, refusing bools and unknown types.

    Example:
        >>> _parse_other(7), _parse_other(None)
        (7.0, None)
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise NumberFormatError(str(value), f"expected a number or text, not {type(value).__name__}")
    number = float(value)
    return None if number != number else number


def _parse_text(text: str, locale: str | None) -> float | None:
    """Read plain number text quickly, falling back to the careful path.

    Example:
        >>> _parse_text(" 1.234 ", "vi"), _parse_text("", "vi")
        (1234.0, None)
    """
    stripped = text.strip()
    if not stripped:
        return None
    notations = _notations(locale)
    if len(notations) == 1:
        value = notations[0].read(stripped)
    else:
        value = _read_unambiguous(stripped, notations, text)
    return _parse_decorated(stripped, notations, text) if value is None else value


def _read(text: str, notations: tuple[_Notation, ...], original: str) -> float | None:
    """Read bare number text in one notation, or unambiguously in several.

    Example:
        >>> _read("12,5", _notations("vi"), "12,5")
        12.5
    """
    if len(notations) == 1:
        return notations[0].read(text)
    return _read_unambiguous(text, notations, original)


def _read_unambiguous(text: str, notations: tuple[_Notation, ...], original: str) -> float | None:
    """Read bare number text that means the same in every notation it fits.

    Example:
        >>> _read_unambiguous("12,5", _notations(None), "12,5")
        12.5
    """
    readings = [(n.locale, v) for n in notations if (v := n.read(text)) is not None]
    if not readings:
        return None
    value = readings[0][1]
    if any(other != value for _, other in readings):
        shown = " but ".join(f"{v!r} in {name} notation" for name, v in readings)
        raise NumberFormatError(original, f"ambiguous: {shown}; pass locale= to choose")
    return value


def _parse_decorated(text: str, notations: tuple[_Notation, ...], original: str) -> float | None:
    """Read number text with marks, percent, dashes or parentheses around it.

    Example:
        >>> _parse_decorated("(1.234,5)*", _notations("vi"), "(1.234,5)*")
        -1234.5
    """
    text, _ = strip_footnotes(_SPACES.sub(" ", text).replace("\u2212", "-"))
    text = _strip_percent(text)
    if text in _ZERO_DASHES:
        return 0.0
    if text in _NOT_REPORTED:
        return None
    negative = len(text) > 2 and text[0] == "(" and text[-1] == ")"
    if negative:
        text = _strip_percent(text[1:-1].strip())
    value = None if negative and text[:1] in "+-" else _read(text, notations, original)
    if value is None:
        raise NumberFormatError(original, _expected(notations))
    return -value if negative else value


def _strip_percent(text: str) -> str:
    """Drop one trailing percent sign and the space before it.

    Example:
        >>> _strip_percent("98,5 %")
        '98,5'
    """
    return text[:-1].rstrip() if text.endswith("%") else text


def _expected(notations: tuple[_Notation, ...]) -> str:
    """Say which notations were expected, for an error message.

    Example:
        >>> _expected(_notations("vi"))
        'expected a number in vi notation (1.234.567,5 or 1234567,5)'
    """
    shown = " or ".join(
        f"{n.locale} notation ({n.example()} or 1234567{n.decimal}5)" for n in notations
    )
    return f"expected a number in {shown}"
