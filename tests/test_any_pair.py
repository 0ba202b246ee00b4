"""A report for any pair the data holds: every pair builds or exits 2 naming what is missing, never a crash.

Every ordered pair of years of the bundled table goes through the report stage's checks
(:func:`ictanalysis.report.check_pair`, before any kernel); the pairs that pass are built
for real, once per test run (``build_once``), from one shared table. What a pair lacks is
said in words, section by section; the quality gate's completeness asks only for the
domains the pair holds; where the table holds more than two years of a series, the report
draws its trend and says its average annual growth.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import BUNDLED_RAW, build_once

from ictanalysis import chart, narrative
from ictanalysis.catalog import load_catalog
from ictanalysis.compare import annual_growth, compare, trend
from ictanalysis.contents import held, load_contents
from ictanalysis.errors import ExitCode, YearError
from ictanalysis.ingest import clean
from ictanalysis.report import ReportParameters, build_report, check_pair
from ictanalysis.rules import VIEWS
from ictanalysis.tidy import Records, frame, read_indicators
from ictanalysis.validate import validate
from ictanalysis.view import ReportView
from ictanalysis.years import YearPair

BUNDLED_YEARS = (2015, 2017, 2018, 2019, 2020)
PAIRS = list(itertools.permutations(BUNDLED_YEARS, 2))  # (year, compare_year), both directions
# Built for real: the department's pair both ways, a department year against a yearbook-only one, two yearbook years.
BUILT = ((2020, 2019), (2019, 2020), (2020, 2018), (2018, 2017))
SECOND = Path(__file__).resolve().parents[1] / "data" / "examples" / "binh-thuan" / "raw"
SECOND_YEARS = (2016, 2017, 2018, 2019, 2020, 2021)
SECOND_PAIRS = list(itertools.permutations(SECOND_YEARS, 2))
SECOND_BUILT = ((2021, 2020), (2020, 2019), (2018, 2016))  # e-government is missing in 2019; 2016–2018 yearbook only


def _reports(root: Path, year: int, compare_year: int) -> Path:
    return root / f"reports-{year}-vs-{compare_year}"


def _build_pairs(raw: Path, province: str, pairs) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        clean(raw, out_dir=root / "processed", province=province)
        data = root / "processed" / "indicators.parquet"
        for year, compare_year in pairs:
            build_report(ReportParameters(year, compare_year, province, data=str(data)), _reports(root, year, compare_year))

    return build


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """One tidy table of the bundled workbooks, and a real report of each pair of BUILT."""
    root = build_once(tmp_path_factory, "any-pair", _build_pairs(BUNDLED_RAW, "58", BUILT))
    data = root / "processed" / "indicators.parquet"
    return SimpleNamespace(root=root, data=data, table=read_indicators(data))


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    """The second example (Bình Thuận, yearbook and agency forms only), and a real report of each of SECOND_BUILT."""
    root = build_once(tmp_path_factory, "any-pair-second", _build_pairs(SECOND, "60", SECOND_BUILT))
    return SimpleNamespace(root=root, data=root / "processed" / "indicators.parquet")


@pytest.fixture
def no_kernel(monkeypatch):
    """Make starting the notebook an error: a pair refused must be refused before any kernel."""
    import papermill

    def refuse(*args, **kwargs):
        raise AssertionError("papermill was called: a kernel would have started")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)


def _sections_shown(html: str) -> list[str]:
    return [s.id for s in load_contents().sections if f' id="{s.id}"' not in html]


# --- 1. every pair builds or exits 2 with a sentence ------------------------------------------------


def test_the_bundled_table_holds_the_years_the_pairs_are_made_of(bundled):
    assert sorted(set(bundled.table["year"])) == list(BUNDLED_YEARS)


@pytest.mark.parametrize(("year", "compare_year"), PAIRS, ids=[f"{y}-vs-{c}" for y, c in PAIRS])
def test_every_bundled_pair_has_something_to_compare(bundled, year, compare_year, no_kernel):
    """The statistics office's yearbook gives every year a few series: each pair is a report, if a thin one."""
    check_pair(ReportParameters(year, compare_year, data=str(bundled.data)))  # raises nothing


@pytest.mark.parametrize(("year", "compare_year"), BUILT, ids=[f"{y}-vs-{c}" for y, c in BUILT])
def test_a_pair_builds_a_report_with_every_section(bundled, year, compare_year):
    html = (_reports(bundled.root, year, compare_year) / str(year) / "annual_report.html").read_text(encoding="utf-8")
    assert _sections_shown(html) == [] and "Traceback" not in html
    assert f"so sánh với năm {compare_year}" in html


def test_a_department_year_against_a_yearbook_year_says_what_2018_lacks(bundled):
    html = (_reports(bundled.root, 2020, 2018) / "2020" / "annual_report.html").read_text(encoding="utf-8")
    assert "Năm 2018 không có số liệu bưu chính." in html
    assert "chưa có số liệu năm 2018 để so sánh" in html  # the headline says it figure by figure
    assert 'id="yearbook"' in html and "683.100" in html  # the yearbook's telephone subscribers in 2020


def test_the_reversed_bundled_pair_is_a_report_of_2019(bundled):
    html = (_reports(bundled.root, 2019, 2020) / "2019" / "annual_report.html").read_text(encoding="utf-8")
    assert "so với năm 2020" in html


@pytest.mark.parametrize(("year", "compare_year"), SECOND_PAIRS, ids=[f"{y}-vs-{c}" for y, c in SECOND_PAIRS])
def test_every_pair_of_the_second_example_is_a_report_or_exits_2_naming_what_is_missing(second, year, compare_year,
                                                                                        no_kernel):  # fmt: skip
    """2021's yearbook is not out yet: 2021 holds the department's figures only, 2016–2018 the yearbook's only."""
    apart = 2021 in (year, compare_year) and min(year, compare_year) <= 2018
    if not apart:
        check_pair(ReportParameters(year, compare_year, "60", data=str(second.data)))  # raises nothing
        return
    with pytest.raises(YearError) as caught:
        check_pair(ReportParameters(year, compare_year, "60", data=str(second.data)))
    message = str(caught.value)
    assert message.startswith(f"nothing to compare between {year} and {compare_year}: ")
    assert "2021 holds 10 of the" in message and "holds 6 of the" in message and "gso_mobile_subscribers" in message
    others = ", ".join(str(y) for y in (2016, 2017, 2018, 2019, 2020) if y != year)
    assert message.endswith(f"years that can be compared with {year}: {'2019, 2020' if year == 2021 else others}")


@pytest.mark.parametrize(("year", "compare_year"), SECOND_BUILT, ids=[f"{y}-vs-{c}" for y, c in SECOND_BUILT])
def test_the_second_example_builds_its_reports_saying_what_a_year_lacks(second, year, compare_year):
    html = (_reports(second.root, year, compare_year) / str(year) / "annual_report.html").read_text(encoding="utf-8")
    assert _sections_shown(html) == [] and "Bình Thuận" in html and "Ninh Thuận" not in html
    if (year, compare_year) == (2020, 2019):
        assert "Năm 2019 không có số liệu chính quyền điện tử." in html


def test_a_pair_with_nothing_to_compare_exits_2_before_any_kernel(bundled, no_kernel, tmp_path):
    table = bundled.table
    data = tmp_path / "apart.parquet"
    pd.concat([table[(table["year"] == 2019) & (table["domain"] == "postal")],
               table[(table["year"] == 2020) & (table["domain"] == "egov")]]).to_parquet(data)  # fmt: skip
    with pytest.raises(YearError) as caught:
        build_report(ReportParameters(2020, 2019, data=str(data)), tmp_path / "reports")
    assert caught.value.exit_code == ExitCode.USAGE == 2
    assert str(caught.value).startswith("nothing to compare between 2020 and 2019: ")
    assert str(caught.value).endswith("no year of the table holds figures to compare with 2020's")
    assert not (tmp_path / "reports").exists()


def test_two_years_that_share_no_compared_indicator_name_what_each_holds(bundled, tmp_path, no_kernel):
    table = bundled.table
    only_postal = table[(table["year"] == 2019) & (table["domain"] == "postal")]
    only_egov = table[(table["year"] == 2020) & (table["domain"] == "egov")]
    data = tmp_path / "apart.parquet"
    pd.concat([only_postal, only_egov]).to_parquet(data)
    with pytest.raises(YearError) as caught:
        check_pair(ReportParameters(2020, 2019, data=str(data)))
    message = str(caught.value)
    assert "2019 holds 3 of the" in message and "(postal_items, postal_revenue, postal_service_points)" in message
    assert re.search(r"; 2020 holds \d+ of the \d+ indicators the report compares \(document_interconnection_levels, ", message)


# --- 2. what a pair lacks is said in words ----------------------------------------------------------


def _without(table: pd.DataFrame, domain: str, years) -> pd.DataFrame:
    return table[~((table["domain"] == domain) & table["year"].isin(years))].reset_index(drop=True)


def _markup(shown) -> str:
    return "".join(getattr(item, "data", "") or "" for item in shown.items)


@pytest.mark.parametrize(
    ("language", "years", "sentence"),
    [
        ("vi", [2019], "Năm 2019 không có số liệu bưu chính."),
        ("en", [2019], "There are no postal figures for 2019."),
        ("vi", [2019, 2020], "Năm 2019 và 2020 không có số liệu bưu chính."),
        ("en", [2019, 2020], "There are no postal figures for 2019 and 2020."),
    ],
)
def test_a_section_says_which_year_lacks_its_domain(bundled, language, years, sentence):
    view = ReportView(compare(_without(bundled.table, "postal", years), 2020, 2019), language)
    shown = view.section("postal")
    markup = _markup(shown)
    assert '<h2 id="postal">' in markup and f'<p class="note">{sentence}</p>' in markup
    if len(years) == 2:  # neither year: the heading and the sentence, nothing else
        assert len(shown.items) == 2
    else:  # the report year's figures are still shown
        assert "<table>" in markup


def test_a_domain_neither_year_holds_leaves_every_section_about_it_to_one_sentence(bundled):
    view = ReportView(compare(_without(bundled.table, "telecom", [2019, 2020]), 2020, 2019))
    shown = [view.section(section) for section in ("penetration", "infrastructure", "revenue")]
    said = [_markup(s).count("Năm 2019 và 2020 không có số liệu viễn thông.") for s in shown]
    assert said == [1, 0, 0]  # said once, where the report first meets it: no sentence twice
    assert [len(s.items) for s in shown] == [2, 1, 1]  # the heading, and nothing drawn or tabled


def test_a_chart_with_nothing_to_draw_is_a_sentence_never_an_empty_chart(bundled):
    view = ReportView(compare(_without(bundled.table, "postal", [2020]), 2020, 2019), "en")
    drawn = view.chart("postal_revenue_share")  # no 2020 figure: no share to draw
    assert drawn.data == '<p class="note">The chart “Share of postal revenue” is not drawn: there are no figures to draw.</p>'


def test_a_change_chart_without_any_change_is_not_drawn(bundled):
    table = bundled.table
    kept = table[(table["year"] != 2019) | (table["domain"] == "admin")]  # no headline figure the year before
    view = ReportView(compare(kept, 2020, 2019))
    assert "Không vẽ biểu đồ" in view.chart("headline_change").data
    assert chart._diverging_domain([]) == [0.0, 0.0]


def test_what_a_pair_holds_is_counted_from_the_declared_indicators_and_their_parts(bundled):
    catalog = load_catalog()
    holding = held(bundled.table, catalog, "58", (2018, 2020))
    yearbook = {"gso_fixed_telephone_subscribers", "gso_internet_subscribers", "gso_mobile_subscribers",
                "gso_telephone_subscribers"}  # fmt: skip
    assert holding.indicators[2018] == yearbook and holding.comparable() == yearbook  # the yearbook's own section
    assert holding.domains(2018) == set() and holding.others[2018] == frozenset()  # and no department domain
    assert holding.domains(2020) == {"postal", "telecom", "internet", "egov", "admin", "population"}
    assert holding.lacking(["postal"]) == [2018] and holding.lacking([]) == []


# --- 3. the gate's completeness follows the declaration -----------------------------------------------


def _completeness(table: pd.DataFrame, year: int, compare_year: int) -> pd.DataFrame:
    return VIEWS["completeness"](table, load_catalog(), YearPair(year, compare_year))


def test_completeness_asks_the_bundled_pair_for_every_required_indicator(bundled):
    view = _completeness(bundled.table, 2020, 2019)
    catalog = load_catalog()  # toàn trình and một phần are definitions from 2022: not asked of 2020 or 2019
    required = {i.id for i in catalog.indicators.values() if i.completeness != "none"
                and not (catalog.out_of_time(i.id, 2020) and catalog.out_of_time(i.id, 2019))}  # fmt: skip
    assert set(view["indicator"]) == required and view["present"].all()


def test_a_domain_neither_year_holds_is_not_required(bundled):
    view = _completeness(_without(bundled.table, "postal", [2019, 2020]), 2020, 2019)
    assert not {"postal_revenue", "postal_items", "postal_service_points"} & set(view["indicator"])
    assert view["present"].all()


def test_a_domain_held_in_one_year_is_a_warning_not_a_missing_indicator(bundled):
    """No postal workbook for 2019: the report says so in words; the gate warns, it does not stop the run."""
    table = _without(bundled.table, "postal", [2019])
    view = _completeness(table, 2020, 2019)
    assert not view["indicator"].str.startswith("postal").any() and view["present"].all()
    domains = VIEWS["held_domains"](table, load_catalog(), YearPair(2020, 2019))
    assert domains[~domains["present"]][["year", "domain"]].values.tolist() == [[2019, "postal"]]
    result = validate(table, YearPair(2020, 2019))
    assert result.passed and [r.id for r in result.warnings] == ["plausible_change", "domain_in_both_years"]


def test_an_indicator_missing_in_a_domain_both_years_hold_stops_the_gate(bundled):
    table = bundled.table
    table = table[~((table["indicator"] == "postal_items") & (table["year"] == 2019))].reset_index(drop=True)
    view = _completeness(table, 2020, 2019)
    assert view[~view["present"]][["year", "indicator"]].drop_duplicates().values.tolist() == [[2019, "postal_items"]]


def test_a_yearbook_only_pair_is_asked_for_nothing_the_department_reports(bundled):
    table = bundled.table
    yearbook = table[table["indicator"].str.startswith("gso_")].reset_index(drop=True)
    assert _completeness(yearbook, 2020, 2018).empty
    result = validate(yearbook, YearPair(2020, 2018))
    complete = next(r for r in result.rules if r.id == "complete")
    assert complete.success and result.passed


def test_the_bundled_gate_still_passes_with_its_one_warning(bundled):
    result = validate(bundled.table, YearPair(2020, 2019))
    assert result.passed and [r.id for r in result.warnings] == ["plausible_change"]


# --- 4. the trend over the years ---------------------------------------------------------------------


def _series_table(values: dict[int, float], indicator: str = "gso_internet_subscribers") -> pd.DataFrame:
    records = Records()
    for year, value in values.items():
        records.append(year=year, domain="internet", indicator=indicator, area="58", value=value, unit="thuê bao",
                       source_file=f"{year}/nien-giam.xlsx", source_sheet="TB", source_cell=f"C{year - 2000}")  # fmt: skip
    return frame(records)


def test_average_annual_growth_is_over_the_years_that_passed_not_the_years_counted():
    cmp = compare(_series_table({2015: 100.0, 2017: 121.0, 2018: 133.1}), 2018, 2017)
    row = trend(cmp, ["gso_internet_subscribers"]).iloc[0]
    assert (row["first_year"], row["last_year"], row["years"], row["missing_years"]) == (2015, 2018, (2015, 2017, 2018), (2016,))
    assert math.isclose(row["growth_percent"], 10.0, rel_tol=1e-12)
    assert math.isclose(annual_growth(100.0, 133.1, 3), 10.0, rel_tol=1e-12)


def test_the_trend_is_said_with_its_period_and_the_year_without_a_figure():
    cmp = compare(_series_table({2015: 100.0, 2017: 121.0, 2018: 133.1}), 2018, 2017)
    assert narrative.trend_sentences(cmp) == [
        "Số thuê bao internet (Niên giám thống kê) bình quân tăng 10,0\u00a0%/năm giai đoạn 2015–2018 "
        "(từ 100 năm 2015 đến 133,1 năm 2018; không có số liệu năm 2016)."
    ]
    assert narrative.trend_sentences(cmp, "en") == [
        "Internet subscribers (statistical yearbook): on average up 10.0% a year over 2015–2018 "
        "(from 100 in 2015 to 133.1 in 2018; no figures for 2016)."
    ]


def test_two_years_are_no_trend_and_the_report_says_so():
    cmp = compare(_series_table({2017: 121.0, 2018: 133.1}), 2018, 2017)
    assert trend(cmp, ["gso_internet_subscribers"]).empty
    assert narrative.trend_sentences(cmp, "en") == [
        "The table holds no indicator with figures for 3 or more years up to 2018, so the report has no trend chart."
    ]
    assert "not drawn" in ReportView(cmp, "en").chart("trend").data


def test_a_later_year_is_not_part_of_an_earlier_report_s_trend():
    cmp = compare(_series_table({2015: 100.0, 2017: 121.0, 2018: 133.1, 2019: 150.0}), 2018, 2017)
    assert trend(cmp, ["gso_internet_subscribers"]).iloc[0]["last_year"] == 2018


def test_the_built_report_draws_the_trend_and_states_the_average_growth(bundled):
    html = (_reports(bundled.root, 2020, 2019) / "2020" / "annual_report.html").read_text(encoding="utf-8")
    html = html.replace("\u00a0", " ")  # a number and its unit are joined by a no-break space
    assert ("Số thuê bao internet (Niên giám thống kê) bình quân tăng 14,8 %/năm giai đoạn 2015–2020 "
            "(từ 38.200 năm 2015 đến 76.100 năm 2020; không có số liệu năm 2016).") in html  # fmt: skip
    assert "Thuê bao di động (Niên giám thống kê) bình quân giảm 0,6 %/năm giai đoạn 2015–2020" in html
    charts = _reports(bundled.root, 2020, 2019) / "2020" / "charts"
    assert {(charts / f"trend.{kind}").is_file() for kind in ("svg", "png", "html")} == {True}
    spec = json.loads((charts / "trend.vl.json").read_text(encoding="utf-8"))
    panels = {row["panel"].split("\n")[0] for row in next(iter(spec["datasets"].values()))}
    assert len(panels) == 4 and spec["spec"]["layer"][0]["mark"]["type"] == "line"


def test_the_growth_of_the_bundled_series_is_computed_from_its_first_and_last_years(bundled):
    cmp = compare(bundled.table, 2020, 2019)
    row = trend(cmp, ["gso_internet_subscribers"]).iloc[0]
    assert math.isclose(row["growth_percent"], ((76100 / 38200) ** (1 / 5) - 1) * 100, rel_tol=1e-12)
