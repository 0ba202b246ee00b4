"""Comparisons computed from the tidy table: the bundled 2020 report's facts, derived figures, any pair of years.

The bundled table is read once per module; a third year (2021) is written by
the sample generator into a temporary folder and read the same way.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ictanalysis.catalog import load_catalog
from ictanalysis.compare import Comparison, Figure, compare, percent_change, sources_text
from ictanalysis.contents import load_contents
from ictanalysis.errors import YearError
from ictanalysis.present import named
from ictanalysis.words import words

REPO = Path(__file__).resolve().parents[1]
DISTRICTS = ["582", "584", "585", "586", "587", "588", "589"]
SOURCE = ["source_file", "source_sheet", "source_cell"]
HEADLINE = load_contents().headline


def _headline(cmp: Comparison) -> pd.DataFrame:
    """The change table of the report's headline indicators."""
    return cmp.change_table(HEADLINE)


@pytest.fixture(scope="module")
def table_2021(third_year_table) -> pd.DataFrame:
    """Return the tidy table of 2020 and 2021 written by data/raw/generate.py."""
    return third_year_table


def _rows(table: pd.DataFrame, **key) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for column, value in key.items():
        mask &= table[column].isin(value) if isinstance(value, (list, set, tuple)) else table[column] == value
    return table[mask]


def _row_of(frame: pd.DataFrame, column: str, value) -> pd.Series:
    matches = frame[frame[column] == value]
    assert len(matches) == 1, f"{column}={value!r} matches {len(matches)} rows"
    return matches.iloc[0]


# --- the 2020 report's facts, computed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "before", "now", "change"),
    [
        ("online_services_level4", 74, 555, 481),
        ("videoconference_endpoints", 12, 47, 35),
        ("coverage_4g_population", 98.5, 100, 1.5),
        ("legal_documents_drafted", 3, 4, 1),
        ("decisions_drafted", 18, 21, 3),
        ("plans_drafted", 9, 7, -2),
        ("directives_assigned", 60, 66, 6),
        ("directives_completed_on_time", 58, 66, 8),
        ("national_portal_procedures", 0, 4, 4),
        ("interconnected_land_procedures", 0, 32, 32),
    ],
)
def test_report_facts_in_the_change_table(cmp, indicator, before, now, change):
    row = cmp.change_table([indicator]).iloc[0]
    assert (row["value_before"], row["value"], row["change"]) == (before, now, change)
    assert row["sources"].startswith("2019/") and "; 2020/" in row["sources"]


def test_national_portal_share_is_at_least_30_percent(cmp):
    figure = cmp.value("national_portal_share", 2020)
    assert figure.value >= 30 and figure.sources == ("2020/chinh-quyen-dien-tu-2020.xlsx › Chỉ tiêu › D7",)


def test_all_directives_done_on_time(cmp):
    done, assigned = (cmp.value(i, 2020).value for i in ("directives_completed_on_time", "directives_assigned"))
    assert done == assigned == 66


def test_level4_change_in_percent(cmp):
    row = _row_of(_headline(cmp), "indicator", "online_services_level4")
    assert row["change_percent"] == pytest.approx(650.0)


# --- derived figures ----------------------------------------------------------------------------


def test_mobile_2019_is_prepaid_plus_postpaid_over_operators_and_districts(cmp, table):
    figure = cmp.value("mobile_subscribers", 2019)
    parts = ["mobile_prepaid_subscribers", "mobile_postpaid_subscribers"]
    assert _rows(table, year=2019, indicator="mobile_subscribers").empty
    by_district = _rows(table, year=2019, indicator=parts, area=DISTRICTS)["value"].sum()
    by_operator = _rows(table, year=2019, indicator=parts, area="58")["value"].sum()
    assert figure.value == by_district == by_operator == 655519
    assert (figure.derived, figure.how, figure.parts) == (True, "sum of parts", tuple(parts))
    assert len(figure.sources) == 6  # three enterprises, prepaid and postpaid


def test_mobile_2020_is_the_sum_of_the_enterprises(cmp, table):
    figure = cmp.value("mobile_subscribers", 2020)
    assert figure.value == 669065 == _rows(table, year=2020, indicator="mobile_subscribers", area="58")["value"].sum()
    assert figure.how == "sum of enterprises"
    assert set(figure.parts) == {"MobiFone", "VNPT", "Viettel", "Vietnamobile"}


def test_mobile_change_is_2_1_percent(cmp):
    row = _row_of(_headline(cmp), "indicator", "mobile_subscribers")
    assert round(row["change_percent"], 1) == 2.1
    assert bool(row["derived"])


def test_a_cell_is_read_not_derived(cmp):
    figure = cmp.value("online_services_level4", 2020)
    assert figure == Figure(555.0, ("2020/chinh-quyen-dien-tu-2020.xlsx › DVCTT › E26",), False, "cell", ())


def test_bts_total_is_the_sum_of_its_generations(cmp, table):
    parts = ["bts_2g_stations", "bts_3g_stations", "bts_4g_stations"]
    for year in (2019, 2020):
        expected = _rows(table, year=year, indicator=parts, area="58")["value"].sum()
        assert cmp.value("bts_stations", year).value == expected


def test_operator_value_from_parts(cmp, table):
    figure = cmp.value("mobile_subscribers", 2019, operator="VNPT")
    parts = _rows(table, year=2019, indicator=["mobile_prepaid_subscribers", "mobile_postpaid_subscribers"],
                  area="58", operator="VNPT")  # fmt: skip
    assert figure.value == parts["value"].sum() and len(figure.sources) == 2


def test_province_from_districts_when_no_province_row(table):
    without_province = table[~((table["indicator"] == "population") & (table["area"] == "58"))]
    figure = compare(without_province, 2020, 2019).value("population", 2020)
    assert figure.how == "sum of districts" and figure.parts == tuple(DISTRICTS)
    assert figure.value == _rows(table, year=2020, indicator="population", area=DISTRICTS)["value"].sum()


def test_no_partial_sum_of_districts(table):
    broken = table[~((table["indicator"] == "population") & (table["area"].isin(["58", "584"])))]
    assert math.isnan(compare(broken, 2020, 2019).value("population", 2020).value)


def test_rate_is_never_summed():
    rows = [_tidy(2020, "coverage_4g_population", area, 100.0) for area in DISTRICTS]
    rows += [_tidy(2019, "coverage_4g_population", "58", 90.0)]
    figure = compare(pd.DataFrame(rows), 2020, 2019).value("coverage_4g_population", 2020)
    assert not figure.available and figure.how == "not available"


def _tidy(year: int, indicator: str, area: str, value: float, operator: str = "", agency: str = "") -> dict:
    """Return one tidy row with a made-up source cell."""
    return {"year": year, "domain": "telecom", "indicator": indicator, "area": area, "operator": operator,
            "agency": agency, "value": value, "unit": "", "preliminary": False,
            "source_file": f"{year}/t.xlsx", "source_sheet": "S", "source_cell": f"{area}{operator}"}  # fmt: skip


def test_small_hand_made_table():
    rows = [_tidy(y, "fixed_broadband_subscribers", d, 10.0 * (i + 1) + y - 2019, op)
            for y in (2019, 2020) for i, d in enumerate(DISTRICTS) for op in ("VNPT", "FPT Telecom")]  # fmt: skip
    cmp = compare(pd.DataFrame(rows), 2020, 2019)
    figure = cmp.value("fixed_broadband_subscribers", 2020)
    assert figure.how == "sum of districts" and figure.value == 2 * (10 * 28 + 7)
    operators = cmp.by_operator("fixed_broadband_subscribers")
    assert operators["share"].sum() == pytest.approx(100)
    assert set(operators["operator"]) == {"VNPT", "FPT Telecom"}


# --- frames -------------------------------------------------------------------------------------


def test_headline_columns_and_indicators(cmp):
    frame = named(_headline(cmp), cmp.catalog)
    assert list(frame.columns) == ["indicator", "name", "unit", "value_before", "value", "change",
                                   "change_percent", "change_points", "like_for_like_percent", "newcomers", "leavers",
                                   "derived", "sources"]  # fmt: skip
    assert tuple(frame["indicator"]) == HEADLINE
    assert not any(i.startswith("gso_") for i in frame["indicator"])
    assert frame[["value_before", "value"]].notna().all().all()


def test_headline_in_english(cmp):
    row = _row_of(named(_headline(cmp), cmp.catalog, "en"), "indicator", "mobile_subscribers")
    assert (row["name"], row["unit"]) == ("Mobile-cellular subscriptions", "subscriptions")


@pytest.mark.parametrize("indicator", ["mobile_subscribers", "fixed_broadband_subscribers", "population"])
def test_district_ranks_are_a_permutation(cmp, indicator):
    frame = cmp.by_district(indicator)
    assert list(frame["area"]) == DISTRICTS
    assert sorted(frame["rank"]) == sorted(frame["rank_before"]) == list(range(1, 8))
    assert (frame["rank_change"] == frame["rank_before"] - frame["rank"]).all()
    assert frame["share"].sum() == pytest.approx(100)
    assert (frame.loc[frame["rank"] == 1, "value"] == frame["value"].max()).all()


def test_tied_districts_share_the_better_rank(cmp):
    frame = cmp.by_district("bts_4g_stations")  # Bác Ái and Thuận Bắc both have 55 4G stations in 2020
    tied = frame[frame["area"].isin(["584", "588"])]
    assert list(tied["value"]) == [55, 55] and list(tied["rank"]) == [6, 6]
    assert sorted(frame["rank"]) == [1, 2, 3, 4, 5, 6, 6]
    assert _row_of(frame, "area", "584")["rank_change"] == 1  # 7th in 2019


def test_district_columns(cmp):
    frame = named(cmp.by_district("mobile_subscribers"), cmp.catalog)
    assert list(frame.columns) == ["area", "name", "value_before", "value", "change", "change_percent", "share",
                                   "rank_before", "rank", "rank_change", "sources"]  # fmt: skip
    assert _row_of(frame, "area", "584")["name"] == "Bác Ái"
    assert _row_of(named(cmp.by_district("mobile_subscribers"), cmp.catalog, "en"), "area", "584")["name"] == "Bac Ai"


def test_district_value_is_the_sum_over_operators(cmp, table):
    row = _row_of(cmp.by_district("mobile_subscribers"), "area", "584")
    assert row["value"] == _rows(table, year=2020, indicator="mobile_subscribers", area="584")["value"].sum()


@pytest.mark.parametrize("indicator", ["mobile_subscribers", "telecom_revenue", "postal_revenue", "postal_items"])
def test_operator_shares_sum_to_100(cmp, indicator):
    frame = cmp.by_operator(indicator)
    assert frame["share"].sum() == pytest.approx(100)
    assert frame["share_before"].sum() == pytest.approx(100)
    assert list(frame.columns) == ["operator", "value_before", "value", "change", "change_percent",
                                   "share_before", "share", "sources"]  # fmt: skip
    assert frame["value"].is_monotonic_decreasing


def test_an_operator_absent_in_one_year_has_nan(cmp):
    row = _row_of(cmp.by_operator("mobile_subscribers"), "operator", "Vietnamobile")
    assert math.isnan(row["value_before"]) and math.isnan(row["share_before"]) and row["value"] == 7921
    assert row["sources"] == "2020/vien-thong-2020.xlsx › TB di động › N15"


def test_agencies(cmp):
    frame = cmp.by_agency("online_services_level4")
    assert frame["value"].sum() == 555 and frame["value_before"].sum() == 74
    assert frame["share"].sum() == pytest.approx(100)
    assert len(frame) == len(load_catalog().agencies)
    english = named(cmp.by_agency("online_services_level4"), cmp.catalog, "en")
    assert "Department of Planning and Investment" in set(english["name"])


def test_penetration_of_the_province(cmp):
    frame = cmp.penetration()
    province = frame.iloc[-1]
    assert province["area"] == "58" and province["population"] == 595160
    assert province["per_100"] == pytest.approx(669065 / 595160 * 100)
    assert province["per_100_before"] == pytest.approx(655519 / 590467 * 100)
    assert province["change"] == pytest.approx(province["per_100"] - province["per_100_before"])
    assert list(frame["area"]) == [*DISTRICTS, "58"]


def test_penetration_per_row(cmp):
    frame = cmp.penetration()
    assert np.allclose(frame["per_100"], frame["subscribers"] / frame["population"] * 100)
    assert np.allclose(frame["per_100_before"], frame["subscribers_before"] / frame["population_before"] * 100)
    assert "dan-so-2020.csv › dan-so-2020 › C12" in frame.iloc[-1]["sources"]


def _frames(cmp: Comparison) -> dict[str, pd.DataFrame]:
    return {
        "headline": _headline(cmp),
        "change_table": cmp.change_table(["plans_drafted", "population"]),
        "by_district": cmp.by_district("fixed_telephone_subscribers"),
        "by_operator": cmp.by_operator("telecom_revenue"),
        "by_agency": cmp.by_agency("online_services_level3"),
        "penetration": cmp.penetration(),
        "sources_appendix": cmp.sources_appendix(),
    }


def test_every_frame_has_sources(cmp):
    for name, frame in _frames(cmp).items():
        assert "sources" in frame.columns, name
        assert frame["sources"].str.len().gt(0).all(), name


def test_every_source_cell_is_in_the_table(cmp, table):
    cells = set(table[SOURCE].itertuples(index=False, name=None))
    for name, frame in _frames(cmp).items():
        for text in frame["sources"]:
            for group in text.split("; "):
                file, sheet, listed = group.split(" › ")
                for cell in listed.split(", "):
                    assert (file, sheet, cell) in cells, (name, file, sheet, cell)


def test_sources_appendix(cmp):
    frame = cmp.sources_appendix()
    assert not frame["indicator"].str.startswith("gso_").any()
    row = frame[(frame["indicator"] == "mobile_subscribers") & (frame["year"] == 2019)].iloc[0]
    assert (row["value"], row["how"], bool(row["derived"])) == (655519, "sum of parts", True)
    assert words("vi").area(cmp.catalog.areas[cmp.province], full=True) == "Tỉnh Ninh Thuận"


def test_sources_text_groups_cells_of_a_sheet():
    assert sources_text(["f › s › A1", "f › s › A2", "g › s › B1", "f › s › A1"]) == "f › s › A1, A2; g › s › B1"
    assert sources_text([]) == ""


@pytest.mark.parametrize(("before", "now", "expected"), [(100, 110, 10.0), (0, 5, math.nan), (math.nan, 5, math.nan)])
def test_percent_change(before, now, expected):
    assert percent_change(before, now) == pytest.approx(expected, nan_ok=True)


# --- failure paths ------------------------------------------------------------------------------


def test_unknown_indicator(cmp):
    with pytest.raises(KeyError, match="unknown indicator 'mobile_phones'"):
        cmp.value("mobile_phones", 2020)
    with pytest.raises(KeyError, match="unknown indicator"):
        cmp.by_district("mobile_phones")


@pytest.mark.parametrize(("year", "compare_year", "message"), [(2021, 2020, "no data for 2021"), (2020, 2020, "both 2020")])
def test_years_not_in_the_table(table, year, compare_year, message):
    with pytest.raises(YearError, match=message):
        compare(table, year, compare_year)


def test_missing_indicator_is_nan_not_an_error(table):
    gone = {"mobile_prepaid_subscribers", "mobile_subscribers", "videoconference_endpoints", "population"}
    cmp = compare(table[~((table["year"] == 2020) & table["indicator"].isin(gone))], 2020, 2019)
    row = _row_of(_headline(cmp), "indicator", "videoconference_endpoints")
    assert row["value_before"] == 12 and math.isnan(row["value"]) and math.isnan(row["change_percent"])
    districts = cmp.by_district("mobile_subscribers")
    assert districts["value"].isna().all() and districts["rank"].isna().all()
    assert districts["rank_before"].notna().all()
    assert cmp.penetration()["per_100"].isna().all()
    assert cmp.by_operator("mobile_subscribers")["share"].isna().all()


def test_comparison_does_not_change_the_table(table):
    copy = table.copy()
    _frames(compare(table, 2020, 2019))
    pd.testing.assert_frame_equal(table, copy)


# --- any pair of years --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cmp_2021(table_2021) -> Comparison:
    return compare(table_2021, 2021, 2020)


def test_third_year_compares_with_2020(cmp_2021, cmp):
    later, bundled = _headline(cmp_2021), _headline(cmp)
    assert later[["value_before", "value"]].notna().all().all()
    pd.testing.assert_series_equal(later["value_before"], bundled["value"], check_names=False)


def test_third_year_mobile_growth(cmp_2021, table_2021):
    row = _row_of(_headline(cmp_2021), "indicator", "mobile_subscribers")
    assert row["value"] == _rows(table_2021, year=2021, indicator="mobile_subscribers", area=DISTRICTS)["value"].sum()
    assert row["change_percent"] == pytest.approx(5, abs=0.05)  # the generator grows subscribers by 5 % a year


def test_third_year_frames(cmp_2021):
    for name, frame in _frames(cmp_2021).items():
        assert "sources" in frame.columns and not frame["sources"].str.contains("2019/").any(), name
    assert sorted(cmp_2021.by_district("mobile_subscribers")["rank"]) == list(range(1, 8))
    assert cmp_2021.by_operator("mobile_subscribers")["share"].sum() == pytest.approx(100)


def test_reversed_pair(table):
    row = _row_of(_headline(compare(table, 2019, 2020)), "indicator", "online_services_level4")
    assert (row["value_before"], row["value"], row["change"]) == (555, 74, -481)


def test_a_rate_changes_in_percentage_points_not_in_percent(cmp):
    rate, count = cmp.change_table(["coverage_4g_population", "bts_4g_stations"]).to_dict("records")
    assert math.isnan(rate["change_percent"]) and rate["change_points"] == rate["value"] - rate["value_before"]
    assert math.isnan(count["change_points"]) and count["change_percent"] > 0


# --- like for like: growth among the reporters of both years -----------------------------------------


@pytest.mark.parametrize(
    ("indicator", "reported", "same", "newcomer"),
    [
        ("mobile_subscribers", 2.1, 0.9, "Vietnamobile"),  # Vietnamobile reports for the first time in 2020
        ("postal_revenue", 12.5, 9.2, "Giao Hàng Tiết Kiệm"),
    ],
)
def test_growth_is_also_counted_among_the_enterprises_of_both_years(cmp, indicator, reported, same, newcomer):
    row = _row_of(cmp.change_table([indicator]), "indicator", indicator)
    assert round(row["change_percent"], 1) == reported and round(row["like_for_like_percent"], 1) == same
    assert row["newcomers"] == newcomer and row["leavers"] == ""
    found = cmp.like_for_like(indicator)
    both = cmp.by_operator(indicator).dropna(subset=["value", "value_before"])
    assert (found.before, found.now) == (both["value_before"].sum(), both["value"].sum())


def test_no_like_for_like_when_the_same_reported_or_for_a_rate(cmp):
    assert cmp.like_for_like("online_services_level4") is None  # the same agencies both years
    assert cmp.like_for_like("coverage_4g_population") is None  # a rate does not add up
    assert cmp.like_for_like("fixed_telephone_subscribers") is None  # VNPT and Viettel both years
