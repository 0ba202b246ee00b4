"""Numbers as people read them: Vietnamese 1.234.567 and 12,5 %, English 1,234,567 and 12.5%."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from hypothesis import given
from hypothesis import strategies as st

from ictanalysis.formatting import (
    NBSP,
    format_change,
    format_locale,
    format_money,
    format_number,
    format_percent,
)

VI_FORMAT_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0₫"], "percent": " %",
                    "minus": "\u2212"}  # fmt: skip
EN_FORMAT_LOCALE = {**VI_FORMAT_LOCALE, "decimal": ".", "thousands": ",", "percent": "%"}
SWAP = str.maketrans({".": ",", ",": "."})


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (669065, "669.065", "669,065"),
        (1234567.0, "1.234.567", "1,234,567"),
        (1234567.25, "1.234.567,3", "1,234,567.3"),  # at most one decimal from 100 up
        (112.4177, "112,4", "112.4"),
        (2.125, "2,13", "2.13"),  # half away from zero, at most two decimals below 100
        (0.5, "0,5", "0.5"),
        (0, "0", "0"),
        (-3.2, "−3,2", "−3.2"),
        (np.int64(555), "555", "555"),
        (np.float64(47.0), "47", "47"),
    ],
)
def test_number_in_both_languages(value, vi, en):
    assert format_number(value) == vi
    assert format_number(value, "en") == en


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, np.float32("nan")])
def test_missing_numbers_are_a_dash(missing):
    assert format_number(missing) == "–"
    assert format_percent(missing) == "–"
    assert format_change(missing, "en") == "–"
    assert format_money(missing) == "–"


def test_fixed_decimals_keep_trailing_zeros():
    assert format_number(2.1, decimals=2) == "2,10"
    assert format_number(1234, "en", decimals=1) == "1,234.0"
    assert format_number(2.25, decimals=1) == "2,3"  # not Python's round-half-even 2,2


def test_no_negative_zero():
    assert format_number(-0.04, decimals=1) == "0,0"
    assert format_change(-0.04) == "0,0\u00a0%"


def test_infinity():
    assert format_number(float("inf")) == "∞"
    assert format_number(float("-inf"), "en") == "−∞"


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from([None, 0, 1, 2]))
def test_vietnamese_and_english_differ_only_in_marks(value, decimals):
    assert format_number(value, "vi", decimals).translate(SWAP) == format_number(value, "en", decimals)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_integers_match_babel_grouping(value):
    for language in ("vi", "en"):
        assert format_number(value, language) == format_decimal(value, locale=language).replace("-", "−")


@pytest.mark.parametrize(
    ("value", "decimals", "vi", "en"),
    [
        (12.5, 1, "12,5_%", "12.5%"),
        (2.0665, 1, "2,1_%", "2.1%"),
        (100, 0, "100_%", "100%"),
        (100, None, "100_%", "100%"),
        (98.5, None, "98,5_%", "98.5%"),
        (30, 1, "30,0_%", "30.0%"),
    ],
)
def test_percent(value, decimals, vi, en):
    assert format_percent(value, "vi", decimals).replace(NBSP, "_") == vi  # "_": the no-break space U+00A0
    assert format_percent(value, "en", decimals) == en


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(650, "+650,0_%", "+650.0%"), (-3.2, "−3,2_%", "−3.2%"), (0, "0,0_%", "0.0%"), (0.04, "0,0_%", "0.0%")],
)
def test_change_carries_its_sign(value, vi, en):
    assert format_change(value).replace(NBSP, "_") == vi
    assert format_change(value, "en") == en


@pytest.mark.parametrize(
    ("dong", "vi", "en"),
    [
        (1_120_863_000_000, "1.120,9_tỷ_đồng", "1,120.9_billion_đồng"),
        (135_095_700_000, "135,1_tỷ_đồng", "135.1_billion_đồng"),
        (1_000_000_000, "1_tỷ_đồng", "1_billion_đồng"),
        (45_000_000, "45_triệu_đồng", "45_million_đồng"),
        (7_591_200, "7,6_triệu_đồng", "7.6_million_đồng"),
        (5_000, "5.000_đồng", "5,000_đồng"),
        (-2_500_000_000, "−2,5_tỷ_đồng", "−2.5_billion_đồng"),
    ],
)
def test_money_chooses_billions_or_millions(dong, vi, en):
    assert format_money(dong).replace(NBSP, "_") == vi
    assert format_money(dong, "en").replace(NBSP, "_") == en


def test_format_locale_is_babels_data_for_vega():
    for language, constant in (("vi", VI_FORMAT_LOCALE), ("en", EN_FORMAT_LOCALE)):
        locale = format_locale(language)
        assert locale == constant
        assert locale["decimal"] == get_decimal_symbol(language)
        assert locale["thousands"] == get_group_symbol(language)
        assert locale["grouping"] == [3]
        assert len(locale["currency"]) == 2


def test_format_locale_returns_a_copy():
    locale = format_locale("vi")
    locale["grouping"].append(2)
    locale["decimal"] = "?"
    assert VI_FORMAT_LOCALE["grouping"] == [3]
    assert format_locale("vi")["decimal"] == ","


@pytest.mark.parametrize(
    "call",
    [
        lambda: format_number(1, "fr"),
        lambda: format_percent(1, "VI"),
        lambda: format_change(1, ""),
        lambda: format_money(1, "de"),
        lambda: format_locale("fr"),
    ],
)
def test_unknown_language_is_refused(call):
    with pytest.raises(ValueError, match="language must be one of"):
        call()


def test_percent_text_has_no_vietnamese_marks_in_english():
    text = " ".join(format_percent(v, "en") for v in (12.5, 1234.5, 0.25))
    assert " %" not in text and "," not in text.replace("1,234", "")
    assert not math.isnan(float(format_percent(12.5, "en").rstrip("%")))
