"""Tests for ictanalysis.normalise: folding labels, footnotes and numbers."""

from __future__ import annotations

import doctest
import pickle
import re
import unicodedata
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from ictanalysis import normalise
from ictanalysis.normalise import NumberFormatError, fold, parse_number, strip_footnotes

# ---------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TP. Phan Rang - Tháp Chàm", "tp phan rang thap cham"),
        ("Phan Rang-Tháp Chàm", "phan rang thap cham"),
        ("  ĐIỆN   thoại cố định ", "dien thoai co dinh"),
        ("H.Thuận Nam", "h thuan nam"),
        ("Số thuê bao (*)", "so thue bao"),
        ("Thuê bao\u00a0di\u2009động", "thue bao di dong"),
        ("ﬁber ²", "fiber 2"),  # NFKC: ligature and superscript
        ("Hoà", "hoa"),
        ("Hòa", "hoa"),
        ("", ""),
        ("--", ""),
    ],
)
def test_fold_examples(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_precomposed_and_decomposed_agree() -> None:
    composed = "Ninh Thuận"
    assert fold(unicodedata.normalize("NFD", composed)) == fold(composed) == "ninh thuan"


_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_VIETNAMESE_LOWER = "bcdđghklmnpqrstvxfjwz" + "".join(
    unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES
)
_VIETNAMESE_TEXT = st.text(
    alphabet=_VIETNAMESE_LOWER + _VIETNAMESE_LOWER.upper() + "0123456789 .,-()/*%",
    max_size=40,
)


@given(st.text(max_size=60))
def test_fold_is_idempotent_and_clean(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert re.fullmatch(r"[a-z0-9 ]*", folded)
    assert folded == folded.strip()
    assert "  " not in folded


@given(_VIETNAMESE_TEXT)
def test_fold_ignores_case_of_vietnamese_letters(text: str) -> None:
    assert fold(text) == fold(text.upper()) == fold(text.lower())


def test_vietnamese_alphabet_is_complete() -> None:
    assert len(_VIETNAMESE_LOWER) == 21 + 12 * 6


# ---------------------------------------------------------------- footnotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UBND cấp xã (*)", ("UBND cấp xã", "(*)")),
        ("UBND cấp xã(**)", ("UBND cấp xã", "(**)")),
        ("555*", ("555", "*")),
        ("555**", ("555", "**")),
        ("Số thuê bao¹", ("Số thuê bao", "¹")),
        ("1.234²³", ("1.234", "²³")),
        ("Doanh thu (1)", ("Doanh thu", "(1)")),
        ("Doanh thu(9)", ("Doanh thu", "(9)")),
        ("Tổng cộng (a)", ("Tổng cộng", "(a)")),
        ("1.234 (1)", ("1.234", "(1)")),
        ("(1.234) (2)", ("(1.234)", "(2)")),
        ("Ninh Thuận (*) (1)", ("Ninh Thuận", "(*) (1)")),
        ("UBND (*) cấp xã", ("UBND cấp xã", "(*)")),
        ("* Ghi chú", ("Ghi chú", "*")),
        ("  Bác Ái  ", ("Bác Ái", "")),
        ("", ("", "")),
    ],
)
def test_strip_footnotes_removes_marks(text: str, expected: tuple[str, str]) -> None:
    assert strip_footnotes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "(1)",  # a negative number in accounting notation, not a note
        "(a)",
        "Tổng (3)=(1)+(2)",  # column arithmetic in a header
        "Diện tích (m²)",
        "Dung tích m³",
        "Doanh thu (10)",  # notes are single digits
        "1.234",
        "12,5",
        "(1.234)",
    ],
)
def test_strip_footnotes_leaves_non_marks_alone(text: str) -> None:
    assert strip_footnotes(text) == (text, "")


# ---------------------------------------------------------------- parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1234567.0),
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("555*", 555.0),
        ("555 (*)", 555.0),
        ("98,5%", 98.5),
        ("98,5 %", 98.5),
        ("1234", 1234.0),
        ("0,5", 0.5),
        ("0", 0.0),
        ("1 234 567", 1234567.0),
        ("1\u00a0234\u202f567", 1234567.0),
        ("\u2009 1.234 \u00a0", 1234.0),
        ("+5", 5.0),
        ("-5", -5.0),
        ("\u22125", -5.0),
        ("-1.234,5", -1234.5),
        ("(1.234)", -1234.0),
        ("(1.234,5)*", -1234.5),
        ("(5%)", -5.0),
        ("(1)", -1.0),
        ("1.234 (1)", 1234.0),
        ("-", 0.0),
        ("–", 0.0),
        ("—", 0.0),
        (" - ", 0.0),
        ("12345678901", 12345678901.0),
    ],
)
def test_parse_number_vi(text: str, expected: float) -> None:
    assert parse_number(text) == expected
    assert parse_number(text, locale="vi") == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\u00a0\u2009", "x", "X"])
def test_parse_number_blank_is_none(value: object) -> None:
    assert parse_number(value) is None


@pytest.mark.parametrize(
    "text",
    [
        "1,234,567",  # English notation under vi
        "12.5",  # "." must be followed by three digits in vi
        "1.2.3",
        "1.23",
        "1.2345",
        "1234.567",  # first group longer than three digits
        "0.500",  # a group never starts with 0
        "1.234 567",  # mixed separators
        "1,2,3",
        "12,",
        ",5",
        "1e5",
        "abc",
        "UBND",
        "*",
        "%",
        "(-5)",
        "- 5",
        "5-",
        "1..234",
    ],
)
def test_parse_number_vi_refuses(text: str) -> None:
    with pytest.raises(NumberFormatError) as caught:
        parse_number(text)
    assert caught.value.text == text
    assert "vi notation" in caught.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567", 1234567.0),
        ("12.5", 12.5),
        ("1,234.5", 1234.5),
        ("98.5%", 98.5),
        ("(1,234)", -1234.0),
        ("1234", 1234.0),
    ],
)
def test_parse_number_en(text: str, expected: float) -> None:
    assert parse_number(text, locale="en") == expected


@pytest.mark.parametrize("text", ["1.234.567", "12,5", "1.234,5", "1,23"])
def test_parse_number_en_refuses_vi_notation(text: str) -> None:
    with pytest.raises(NumberFormatError, match="en notation"):
        parse_number(text, locale="en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("1234", 1234.0),
        ("1 234", 1234.0),
        ("555*", 555.0),
        ("-", 0.0),
    ],
)
def test_parse_number_auto_reads_unambiguous_text(text: str, expected: float) -> None:
    assert parse_number(text, locale=None) == expected


@pytest.mark.parametrize("text", ["1.234", "1,234", "(1.234)", "12.345 (1)", "-1,500"])
def test_parse_number_auto_refuses_ambiguous_text(text: str) -> None:
    with pytest.raises(NumberFormatError, match="ambiguous") as caught:
        parse_number(text, locale=None)
    assert "locale=" in caught.value.reason


def test_parse_number_auto_names_both_notations_when_unreadable() -> None:
    with pytest.raises(NumberFormatError) as caught:
        parse_number("1.2.3", locale=None)
    assert "vi notation" in caught.value.reason
    assert "en notation" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7.0), (2.5, 2.5), (-0.0, 0.0), (Decimal("1.5"), 1.5), (float("nan"), None)],
)
def test_parse_number_accepts_numbers(value: object, expected: float | None) -> None:
    result = parse_number(value)
    assert result == expected
    assert result is None or type(result) is float


def test_parse_number_accepts_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert parse_number(np.int64(5)) == 5.0
    assert parse_number(np.float64("nan")) is None


@pytest.mark.parametrize("value", [True, False, [1], object()])
def test_parse_number_refuses_other_types(value: object) -> None:
    with pytest.raises(NumberFormatError, match="expected a number or text"):
        parse_number(value)


def test_number_format_error_is_a_value_error_and_pickles() -> None:
    error = NumberFormatError("12.5", "expected a number")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.text, copy.reason, str(copy)) == (error.text, error.reason, str(error))


# ---------------------------------------------------------------- properties

_AMOUNTS = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(min_value=-(10**12) + 1, max_value=10**12 - 1),
    st.integers(min_value=0, max_value=3),
)


@given(_AMOUNTS, st.sampled_from(["vi", "en"]))
def test_babel_formatted_numbers_round_trip(amount: Decimal, locale: str) -> None:
    text = format_decimal(amount, locale=locale)
    assert parse_number(text, locale=locale) == float(amount)


@given(st.integers(min_value=0, max_value=10**12 - 1), st.sampled_from([",", "."]))
def test_space_grouped_numbers_round_trip(n: int, decimal: str) -> None:
    text = f"{n:,}".replace(",", " ") + f"{decimal}25"
    locale = "vi" if decimal == "," else "en"
    assert parse_number(text, locale=locale) == n + 0.25


@given(_AMOUNTS, st.sampled_from(["vi", "en"]))
def test_auto_mode_never_misreads(amount: Decimal, locale: str) -> None:
    text = format_decimal(amount, locale=locale)
    try:
        value = parse_number(text, locale=None)
    except NumberFormatError as error:
        assert "ambiguous" in error.reason
    else:
        assert value == float(amount)


@given(st.text(alphabet="0123456789.,- ()%*+", max_size=12))
def test_parse_number_returns_float_none_or_refuses(text: str) -> None:
    for locale in ("vi", "en", None):
        try:
            value = parse_number(text, locale=locale)
        except NumberFormatError as error:
            assert error.text == text
        else:
            assert value is None or type(value) is float


def test_docstring_examples_run() -> None:
    results = doctest.testmod(normalise)
    assert results.attempted > 0
    assert results.failed == 0


# ---------------------------------------------------------------- properties: numbers as typed

_DECORATIONS = ["{}", " {} ", "{}*", "{} (*)", "{}¹", "{}%", "{} %", "({})"]


@given(_AMOUNTS, st.sampled_from(["vi", "en"]), st.sampled_from(_DECORATIONS))
def test_decorated_numbers_read_as_their_value(amount: Decimal, locale: str, decoration: str) -> None:
    """Spaces, footnote marks, a percent sign or accounting parentheses around a number never change it."""
    text = decoration.format(format_decimal(abs(amount), locale=locale))
    expected = -float(abs(amount)) if decoration == "({})" and amount else float(abs(amount))
    assert parse_number(text, locale=locale) == expected


@given(_AMOUNTS, st.sampled_from(["vi", "en"]), st.sampled_from(_DECORATIONS))
def test_auto_mode_reads_a_decorated_number_right_or_refuses_it(amount: Decimal, locale, decoration) -> None:
    text = decoration.format(format_decimal(abs(amount), locale=locale))
    expected = -float(abs(amount)) if decoration == "({})" and amount else float(abs(amount))
    try:
        value = parse_number(text, locale=None)
    except NumberFormatError as error:
        assert "ambiguous" in error.reason
    else:
        assert value == expected


@given(st.text(alphabet="0123456789.,  \u00a0%*()-", max_size=14))
def test_auto_mode_agrees_with_every_notation_that_reads_the_text(text: str) -> None:
    """Whatever auto mode returns, each notation that can read the text reads the same number."""
    try:
        value = parse_number(text, locale=None)
    except NumberFormatError:
        return
    readings = []
    for locale in ("vi", "en"):
        try:
            readings.append(parse_number(text, locale=locale))
        except NumberFormatError:
            continue
    assert readings and all(reading == value for reading in readings)


# ---------------------------------------------------------------- properties: names as typed

_SEPARATORS = st.text(alphabet=" \t\u00a0\u2009.,-–/()", min_size=1, max_size=4)
_WORDS = st.lists(st.text(alphabet=_VIETNAMESE_LOWER + "0123456789", min_size=1, max_size=8), min_size=1, max_size=5)


@given(st.text(max_size=40))
def test_fold_is_the_same_for_every_unicode_normal_form(text: str) -> None:
    forms = {fold(unicodedata.normalize(form, text)) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    assert forms == {fold(text)}


@given(_WORDS, st.lists(_SEPARATORS, min_size=6, max_size=6))
def test_fold_ignores_spacing_and_punctuation_around_words(words: list[str], separators: list[str]) -> None:
    typed = separators[0] + "".join(word + separator for word, separator in zip(words, separators[1:], strict=False))
    assert fold(typed) == fold(" ".join(words))


def _catalog():
    from ictanalysis.catalog import load_catalog

    return load_catalog()


_LABELS = sorted(
    {name for a in _catalog().areas.values() if a.parent == "58" for name in (a.name, a.full_name, *a.spellings)}
    | {name for o in _catalog().operators.values() for name in (o.name, *o.spellings)}
    | {name for i in _catalog().indicators.values() for name in (i.name_vi, *i.aliases)}
)
_MARKS = st.sampled_from(["*", "**", "(*)", " (**)", "¹", " ²", " (1)", "(a)"])


@given(st.sampled_from(_LABELS), _MARKS)
def test_a_footnote_mark_never_changes_a_label(label: str, mark: str) -> None:
    assert fold(strip_footnotes(label + mark)[0]) == fold(label)


_DISTRICT_SPELLINGS = sorted(
    (spelling, area.code)
    for area in _catalog().areas.values() if area.parent == "58" and area.valid_in(2020)
    for spelling in (area.name, area.full_name, *area.spellings)
)  # fmt: skip


@given(
    st.sampled_from(_DISTRICT_SPELLINGS),
    st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
    st.sampled_from(["NFC", "NFD"]),
    st.sampled_from(["{}", "  {}  ", "{}*", "{} (*)", "\u00a0{}"]),
    st.booleans(),
)
def test_a_district_is_found_however_its_name_is_typed(spelling_code, case, form, frame, doubled) -> None:
    """Case, Unicode form, surrounding and doubled spaces and a footnote mark never change the district found."""
    spelling, code = spelling_code
    typed = frame.format(unicodedata.normalize(form, case(spelling)))
    typed = typed.replace(" ", "  ") if doubled else typed
    label = strip_footnotes(typed)[0]
    assert _catalog().find_area(label, province="58", year=2020).code == code


@pytest.mark.parametrize("year", [2019, 2020, 2024])
def test_distinct_units_never_fold_to_the_same_official_name(year: int) -> None:
    seen: dict[tuple[str | None, str], str] = {}
    for area in _catalog().areas.values():
        if area.valid_in(year):
            key = (area.parent, fold(area.full_name))
            assert seen.setdefault(key, area.code) == area.code, f"{area.full_name} and {seen[key]} fold alike"


def test_a_short_name_two_units_share_is_refused_rather_than_guessed() -> None:
    """Huyện Kỳ Anh and Thị xã Kỳ Anh fold alike without their kind: "Kỳ Anh" alone names neither."""
    catalog, shared = _catalog(), {}
    for area in catalog.areas.values():
        if area.parent and area.valid_in(2020):
            shared.setdefault((area.parent, fold(area.name)), []).append(area)
    pairs = [areas for areas in shared.values() if len(areas) > 1]
    assert pairs, "the gazetteer has such pairs (Kỳ Anh, Cai Lậy, Duyên Hải…)"
    for areas in pairs:
        province = areas[0].parent
        assert catalog.find_area(areas[0].name, province=province, year=2020) is None
        for area in areas:
            assert catalog.find_area(area.full_name, province=province, year=2020).code == area.code
