"""The quality gate: every rule of catalog/rules.yaml caught on a copy of the bundled table with one thing broken.

Great Expectations costs a second or two a call, so the bundled table is read
once (module scope) and each variant is validated once (memoised); the tests
of one variant (failing rules, offending rows, the page) share that result.
The gate and the command line run on real files in tmp_path.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import row_index
from markupsafe import escape

import ictanalysis
from ictanalysis.catalog import load_catalog
from ictanalysis.errors import ExitCode
from ictanalysis.ingest import clean
from ictanalysis.quality import format_number, render_quality_page
from ictanalysis.rules import load_rules
from ictanalysis.years import YearPair

REPO = Path(__file__).resolve().parents[1]
PAIR = YearPair(2020, 2019)
MISSING = object()  # an expected cell that is NaN / None / NA
KNOWN_WARNING = {"year": 2020, "indicator": "fixed_telephone_subscribers", "area": "584", "operator": "Viettel",
                 "value": 0.0, "value_before": 64.0, "source_cell": "D8"}  # fmt: skip


# --- building the variants ------------------------------------------------------------------


def _set(column: str, value, **key) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Return a breaker setting `column` of the row at `key` to `value`."""

    def breaker(table: pd.DataFrame) -> pd.DataFrame:
        table.loc[row_index(table, **key), column] = value
        return table

    return breaker


def _add(column: str, amount: float, **key) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def breaker(table: pd.DataFrame) -> pd.DataFrame:
        table.loc[row_index(table, **key), column] += amount
        return table

    return breaker


def _duplicate(**key) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def breaker(table: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([table, table.loc[[row_index(table, **key)]]], ignore_index=True)

    return breaker


def _drop_indicator_year(indicator: str, year: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def breaker(table: pd.DataFrame) -> pd.DataFrame:
        return table[~((table["indicator"] == indicator) & (table["year"] == year))].reset_index(drop=True)

    return breaker


def _jump_fourfold(table: pd.DataFrame) -> pd.DataFrame:
    """Multiply Bác Ái's 2020 VNPT fixed lines by 4 and add the same to the province total: only the change is odd."""
    key = {"year": 2020, "indicator": "fixed_telephone_subscribers", "operator": "VNPT"}
    district, province = row_index(table, area="584", **key), row_index(table, area="58", **key)
    before = table.loc[district, "value"]
    table.loc[district, "value"] = before * 4
    table.loc[province, "value"] += before * 3
    return table


def _repeat_2019_sheet(table: pd.DataFrame) -> pd.DataFrame:
    """Give 2020's 'Chỉ tiêu' sheet 2019's figures: last year's workbook carried over under new titles."""
    sheet = table["source_sheet"] == "Chỉ tiêu"
    before = table[sheet & (table["year"] == 2019)].set_index("indicator")["value"]
    now = sheet & (table["year"] == 2020)
    table.loc[now, "value"] = table.loc[now, "indicator"].map(before)
    return table


def _missing_year(table: pd.DataFrame) -> pd.DataFrame:
    """Empty one year cell: pandas then holds the years as floats (so year_is_integer fails too)."""
    table = table.astype({"year": "float64"})
    table.loc[row_index(table, year=2018, indicator="gso_internet_subscribers"), "year"] = np.nan
    return table


COVERAGE_2020 = {"year": 2020, "indicator": "coverage_4g_population"}
GSO_INTERNET_2018 = {"year": 2018, "indicator": "gso_internet_subscribers"}
MOBILE_584_VIETTEL = {"year": 2020, "indicator": "mobile_subscribers", "area": "584", "operator": "Viettel"}
REVENUE_VNPT = {"year": 2020, "indicator": "telecom_revenue", "operator": "VNPT"}
REVENUE_VIETNAMOBILE = {"year": 2020, "indicator": "telecom_revenue", "operator": "Vietnamobile"}
REVENUE_ALL = {"year": 2020, "indicator": "telecom_revenue", "operator": ""}


@dataclass(frozen=True)
class Variant:
    """A copy of the bundled table with one thing broken, and what the gate must say about it."""

    breaker: Callable[[pd.DataFrame], pd.DataFrame]
    failing: frozenset[str]  # the error rules that fail (knock-ons included, explicitly)
    rule: str  # the rule whose offending rows and finding are checked
    row: dict  # cells an offending row of `rule` has
    shown: tuple[str | float, ...] = ()  # cells the rule's finding on the page shows (numbers as the page writes them)
    failed: int = 1  # offending rows of `rule`
    warnings: frozenset[str] = frozenset({"plausible_change"})  # the bundled data's known warning stays


# With a column missing or values/years not numeric, the views beyond the table are not built:
# their rules (the known warning's among them) are reported as not checked.
SCHEMA_BROKEN: frozenset[str] = frozenset()

VARIANTS = {
    "negative_subscriber_count": Variant(
        _set("value", -5.0, year=2020, indicator="gso_internet_subscribers"),
        frozenset({"value_not_below_range"}), "value_not_below_range",
        {"year": 2020, "indicator": "gso_internet_subscribers", "value": -5.0, "minimum": 0.0, "source_cell": "G7"},
        (-5.0, "G7"),
    ),
    "coverage_of_130_percent": Variant(
        _set("value", 130.0, **COVERAGE_2020),
        frozenset({"value_not_above_range"}), "value_not_above_range",
        {**COVERAGE_2020, "value": 130.0, "maximum": 100.0, "source_cell": "E12"},
        (130.0, 100.0, "E12"),
    ),
    "unknown_district_999": Variant(
        _set("area", "999", **MOBILE_584_VIETTEL),
        frozenset({"area_known"}), "area_known",
        {**MOBILE_584_VIETTEL, "area": "999", "source_cell": "H9"},
        ("999", "H9"),
    ),
    "unknown_enterprise_gtel": Variant(
        _set("operator", "Gtel", **REVENUE_VIETNAMOBILE),
        frozenset({"operator_known"}), "operator_known",
        {**REVENUE_VIETNAMOBILE, "operator": "Gtel", "source_cell": "C9"},
        ("Gtel", "C9"),
    ),
    "unknown_agency": Variant(
        _set("agency", "Sở Ngoại vụ", year=2020, indicator="online_services_level4", agency="Ban Quản lý các khu công nghiệp"),
        frozenset({"agency_known"}), "agency_known",
        {"year": 2020, "indicator": "online_services_level4", "agency": "Sở Ngoại vụ", "source_cell": "E23"},
        ("Sở Ngoại vụ", "E23"),
    ),
    # Knock-on: the units view has no catalog unit for an unknown indicator, so its unit is not canonical.
    "unknown_indicator_id": Variant(
        _set("indicator", "satellite_phones", **GSO_INTERNET_2018),
        frozenset({"indicator_known", "unit_is_canonical"}), "indicator_known",
        {**GSO_INTERNET_2018, "indicator": "satellite_phones", "source_cell": "E7"},
        ("satellite_phones", "E7"),
    ),
    "revenue_in_million_dong": Variant(
        _set("unit", "triệu đồng", **REVENUE_VNPT),
        frozenset({"unit_is_canonical"}), "unit_is_canonical",
        {**REVENUE_VNPT, "unit": "triệu đồng", "catalog_unit": "đồng", "source_cell": "C6"},
        ("triệu đồng", "đồng", "C6"),
    ),
    "duplicated_key_row": Variant(
        _duplicate(**COVERAGE_2020),
        frozenset({"key_unique"}), "key_unique",
        {**COVERAGE_2020, "area": "58", "source_cell": "E12"},
        ("E12",), failed=2,  # both copies are shown
    ),
    "missing_value": Variant(
        _set("value", np.nan, **COVERAGE_2020),
        frozenset({"value_present"}), "value_present",
        {**COVERAGE_2020, "value": MISSING, "source_cell": "E12"},
        ("E12",),
    ),
    "empty_source_cell": Variant(
        _set("source_cell", "", **COVERAGE_2020),
        frozenset({"source_present"}), "source_present",
        {**COVERAGE_2020, "source_cell": "", "complete": False,
         "source_file": "2020/bao-cao-tong-hop-so-2020.xlsx", "source_sheet": "Tổng hợp"},  # fmt: skip
        ("2020/bao-cao-tong-hop-so-2020.xlsx", "Tổng hợp"),
    ),
    "postal_revenue_missing_for_2019": Variant(
        _drop_indicator_year("postal_revenue", 2019),
        frozenset({"complete"}), "complete",
        {"year": 2019, "indicator": "postal_revenue", "area": "58", "present": False},
        ("2019", "Doanh thu bưu chính (postal_revenue)", "58 Ninh Thuận", "thiếu"),
    ),
    "district_value_off_by_100": Variant(
        _add("value", 100, year=2020, indicator="fixed_telephone_subscribers", area="582", operator="VNPT"),
        frozenset({"districts_add_up"}), "districts_add_up",
        {"year": 2020, "indicator": "fixed_telephone_subscribers", "area": "58", "operator": "VNPT",
         "province_value": 11732.0, "district_sum": 11832.0, "difference": -100.0,
         "source_cell": "C14", "district_cells": "C7, C8, C9, C10, C11, C12, C13"},  # fmt: skip
        (11732.0, 11832.0, -100.0, "C14", "C7, C8, C9, C10, C11, C12, C13"),
    ),
    # Knock-on: a district's prepaid count is also one of the province total's districts.
    "prepaid_off_by_1000": Variant(
        _add("value", 1000, year=2020, indicator="mobile_prepaid_subscribers", area="584", operator="VNPT"),
        frozenset({"parts_add_up", "districts_add_up"}), "parts_add_up",
        {"year": 2020, "indicator": "mobile_subscribers", "area": "584", "operator": "VNPT",
         "whole_value": 5387.0, "parts_sum": 6387.0, "source_cell": "E9", "part_cells": "D9, C9"},  # fmt: skip
        (5387.0, 6387.0, "E9", "D9, C9"),
    ),
    "fourfold_jump_in_one_district": Variant(
        _jump_fourfold,
        frozenset(), "plausible_change",
        {"year": 2020, "indicator": "fixed_telephone_subscribers", "area": "584", "operator": "VNPT",
         "value": 984.0, "value_before": 251.0, "source_cell": "C8", "source_cell_before": "C8"},  # fmt: skip
        (984.0, 251.0, "C8"), failed=2,  # with the known warning
    ),
    "extra_column": Variant(
        lambda table: table.assign(note=""),
        frozenset({"columns"}), "columns", {},
    ),
    "missing_preliminary_column": Variant(
        lambda table: table.drop(columns="preliminary"),
        frozenset({"columns"}), "columns", {}, warnings=SCHEMA_BROKEN,
    ),
    "year_as_float": Variant(
        lambda table: table.astype({"year": "float64"}),
        frozenset({"year_is_integer"}), "year_is_integer", {}, ("float64",), failed=0, warnings=SCHEMA_BROKEN,
    ),
    # Knock-on: a missing year makes the column float.
    "missing_year": Variant(
        _missing_year,
        frozenset({"year_present", "year_is_integer"}), "year_present",
        {**GSO_INTERNET_2018, "year": MISSING, "source_cell": "E7"},
        ("E7",), warnings=SCHEMA_BROKEN,
    ),
    # Knock-on: no indicator, so no catalog unit either, and VNPT's revenue is missing from the enterprises' sum.
    "missing_indicator": Variant(
        _set("indicator", None, **REVENUE_VNPT),
        frozenset({"indicator_present", "unit_is_canonical", "enterprises_add_up"}), "indicator_present",
        {**REVENUE_VNPT, "indicator": MISSING, "source_cell": "C6"},
        ("C6",),
    ),
    "missing_area": Variant(
        _set("area", None, **MOBILE_584_VIETTEL),
        frozenset({"area_present"}), "area_present",
        {**MOBILE_584_VIETTEL, "area": MISSING, "source_cell": "H9"},
        ("H9",),
    ),
    "values_as_python_objects": Variant(
        lambda table: table.astype({"value": object}),
        frozenset({"value_is_number"}), "value_is_number",
        {**COVERAGE_2020, "source_cell": "E12"},
        failed=670, warnings=SCHEMA_BROKEN,
    ),
    "all_enterprise_revenue_off_by_a_million": Variant(
        _add("value", 1_000_000, **REVENUE_ALL),
        frozenset({"enterprises_add_up"}), "enterprises_add_up",
        {**REVENUE_ALL, "area": "58", "all_enterprises_value": 1120864100000.0, "allowed": 500000.0,
         "source_cell": "C11", "enterprise_cells": "C10, C8, C6, C9, C7"},  # fmt: skip
        (1120864100000.0, 1120863100000.0, 1000000.0, 500000.0, "C11", "C10, C8, C6, C9, C7"),
    ),
    "one_agency_off_by_one": Variant(
        _add("value", 1, year=2020, indicator="online_services_level4", agency="Sở Y tế"),
        frozenset({"agencies_add_up"}), "agencies_add_up",
        {"year": 2020, "indicator": "online_services_level4", "agency": "", "all_agencies_value": 555.0,
         "agency_sum": 556.0, "difference": -1.0, "source_cell": "E26"},  # fmt: skip
        (555.0, 556.0, -1.0, "E26"),
    ),
    "sheet_repeating_2019": Variant(
        _repeat_2019_sheet,
        frozenset(), "year_not_repeated",
        {"year": 2020, "source_file": "2020/chinh-quyen-dien-tu-2020.xlsx", "source_sheet": "Chỉ tiêu",
         "source_cell": "D6:D15", "year_before": 2019, "source_file_before": "2019/chinh-quyen-dien-tu-2019.xlsx",
         "source_sheet_before": "Chỉ tiêu", "source_cell_before": "D6:D15"},  # fmt: skip
        ("2020/chinh-quyen-dien-tu-2020.xlsx", "2019/chinh-quyen-dien-tu-2019.xlsx", "D6:D15"),
        warnings=frozenset({"plausible_change", "year_not_repeated"}),
    ),
    "postal_workbook_missing_in_2019": Variant(
        lambda table: table[~((table["domain"] == "postal") & (table["year"] == 2019))].reset_index(drop=True),
        frozenset(), "domain_in_both_years", {"year": 2019, "domain": "postal", "present": False},
        ("bưu chính (postal)",), warnings=frozenset({"plausible_change", "domain_in_both_years"}),
    ),
    "script_as_enterprise_name": Variant(
        _set("operator", "<script>alert(1)</script>", **REVENUE_VIETNAMOBILE),
        frozenset({"operator_known"}), "operator_known",
        {**REVENUE_VIETNAMOBILE, "operator": "<script>alert(1)</script>", "source_cell": "C9"},
        ("<script>alert(1)</script>", "C9"),
    ),
}
ERROR_RULES = {rule.id for rule in load_rules() if rule.severity == "error"}


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    """The tidy table of the bundled Ninh Thuận 2019/2020 workbooks."""
    return clean(REPO / "data" / "raw", out_dir=None).table


@pytest.fixture(scope="module")
def check(bundled):
    """Return `check(name)`: the gate's result on VARIANTS[name] (or "bundled"), validated once."""
    from ictanalysis.validate import validate

    results = {}

    def run(name: str):
        if name not in results:
            table = bundled.copy() if name == "bundled" else VARIANTS[name].breaker(bundled.copy())
            results[name] = validate(table, PAIR)
        return results[name]

    return run


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _rule(result, rule_id: str):
    return next(r for r in result.rules if r.id == rule_id)


def _matches(rows: pd.DataFrame, cells: dict) -> pd.DataFrame:
    """Return the rows having every cell of `cells` (MISSING matches NaN/None/NA)."""
    mask = pd.Series(True, index=rows.index)
    for column, value in cells.items():
        assert column in rows.columns, f"the rows have no column {column!r}: {list(rows.columns)}"
        mask &= rows[column].isna() if value is MISSING else (rows[column] == value).fillna(False)
    return rows[mask]


def _finding(page: str, rule_id: str) -> str:
    """Return the page's section about one failed or warned rule."""
    start = page.index(f'id="rule-{rule_id}"')
    return page[start : page.index("</section>", start)]


def _td(text: str | float, language: str = "vi") -> str:
    """Return a table cell as the page writes it (numbers in the language's notation)."""
    return f"<td>{escape(text if isinstance(text, str) else format_number(text, language))}</td>"


# --- every rule, broken once ------------------------------------------------------------------


def test_every_rule_has_a_variant_that_breaks_it():
    broken = set().union(*(v.failing | v.warnings for v in VARIANTS.values()))
    assert broken == {rule.id for rule in load_rules()}


def test_the_bundled_table_passes_with_only_the_known_warning(check):
    result = check("bundled")
    assert result.passed
    assert result.failures == []
    assert [w.id for w in result.warnings] == ["plausible_change"]
    warning = result.warnings[0]
    assert warning.severity == "warning" and warning.failed == 1
    assert len(_matches(warning.rows, KNOWN_WARNING)) == 1
    summary = result.summary()  # the terminal names where the row was read, and no sheet "repeats" another
    assert "    2020/vien-thong-2020.xlsx › TB cố định - Internet › D8" in summary and "repeats" not in summary
    assert all(r.success for r in result.rules if r.id != "plausible_change")


@pytest.mark.parametrize("name", VARIANTS)
def test_a_broken_table_fails_exactly_the_rules_it_breaks(check, name):
    variant = VARIANTS[name]
    result = check(name)
    assert {r.id for r in result.failures} == variant.failing
    assert {r.id for r in result.warnings} == variant.warnings
    assert result.passed is (not variant.failing)  # a warning alone lets the run go on
    assert all(r.error is None for r in result.rules), [(r.id, r.error) for r in result.rules if r.error]


@pytest.mark.parametrize("name", [n for n, v in VARIANTS.items() if v.row])
def test_the_offending_row_is_reported_with_its_source_cell(check, name):
    variant = VARIANTS[name]
    rule = _rule(check(name), variant.rule)
    assert not rule.success
    assert rule.failed == variant.failed == len(rule.rows)
    assert len(_matches(rule.rows, variant.row)) >= 1, rule.rows.to_string()


@pytest.mark.parametrize("name", VARIANTS)
def test_the_vietnamese_page_describes_the_rule_and_shows_the_offending_cells(check, catalog, name):
    variant = VARIANTS[name]
    result = check(name)
    rule = _rule(result, variant.rule)
    page = render_quality_page(result, language="vi", catalog=catalog)
    finding = _finding(page, variant.rule)
    assert str(escape(rule.description("vi"))) in finding
    for text in variant.shown:  # in a cell of the offending rows, or (a column's type) in the note
        assert (_td(text) if variant.row else str(escape(text))) in finding, text
    verdict = "KHÔNG ĐẠT" if variant.failing else "ĐẠT, có cảnh báo"
    assert f'id="verdict">{verdict}' in page


# --- what the variants above do not cover -----------------------------------------------------


def test_a_fourfold_jump_is_a_warning_that_lets_the_run_go_on(check, catalog):
    result = check("fourfold_jump_in_one_district")
    warning = _rule(result, "plausible_change")
    assert result.passed and warning.severity == "warning"
    jump = _matches(warning.rows, VARIANTS["fourfold_jump_in_one_district"].row)
    assert jump["change_percent"].round(2).tolist() == [292.03]
    page = render_quality_page(result, language="vi", catalog=catalog)
    assert _td(float(jump["change_percent"].iloc[0])) in _finding(page, "plausible_change")
    assert len(_matches(warning.rows, KNOWN_WARNING)) == 1
    assert "plausible_change" in result.summary()


def test_a_float_year_column_is_reported_by_its_type(check, catalog):
    rule = _rule(check("year_as_float"), "year_is_integer")
    assert rule.observed == "float64"
    assert rule.rows.empty  # a column's type has no offending row
    assert "float64" in _finding(render_quality_page(check("year_as_float"), language="vi", catalog=catalog), rule.id)


def test_a_missing_indicator_year_is_named_on_the_page(check, catalog):
    page = render_quality_page(check("postal_revenue_missing_for_2019"), language="vi", catalog=catalog)
    finding = _finding(page, "complete")
    assert _td("2019") in finding and _td("Doanh thu bưu chính (postal_revenue)") in finding


def test_the_english_page_shows_english_descriptions(check, catalog):
    result = check("district_value_off_by_100")
    page = render_quality_page(result, language="en", catalog=catalog)
    rule = _rule(result, "districts_add_up")
    assert str(escape(rule.description("en"))) in _finding(page, "districts_add_up")
    assert 'lang="en"' in page and "FAILED" in page
    for r in result.rules:
        assert str(escape(r.description("en"))) in page
        assert str(escape(r.description("vi"))) not in page
    assert _td(11732.0, "en") in page and _td(11832.0, "en") in page  # English number notation


@pytest.mark.parametrize("name", ["bundled", "script_as_enterprise_name", "district_value_off_by_100"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_is_self_contained_without_script_or_links(check, catalog, name, language):
    page = render_quality_page(check(name), language=language, catalog=catalog)
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page.lower() and "src=" not in page.lower()


def test_the_page_escapes_text_from_the_data(check, catalog):
    page = render_quality_page(check("script_as_enterprise_name"), language="vi", catalog=catalog)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _finding(page, "operator_known")
    assert "<script>" not in page


# --- bugs: each test says what should happen --------------------------------------------------


def test_a_missing_agency_column_fails_the_columns_rule(bundled):
    from ictanalysis.validate import validate

    result = validate(bundled.drop(columns="agency"), PAIR)
    assert not result.passed
    assert "columns" in {r.id for r in result.failures}


def test_a_value_given_as_text_fails_value_is_number(bundled):
    from ictanalysis.validate import validate

    table = bundled.astype({"value": object})
    table.loc[row_index(table, **COVERAGE_2020), "value"] = "98,5"
    result = validate(table, PAIR)
    assert "value_is_number" in {r.id for r in result.failures}


def test_nullable_integer_years_pass_year_is_integer(bundled):
    from ictanalysis.validate import validate

    result = validate(bundled.astype({"year": "Int64"}), PAIR)
    assert _rule(result, "year_is_integer").success


def test_nullable_float_values_pass_value_is_number(bundled):
    from ictanalysis.validate import validate

    result = validate(bundled.astype({"value": "Float64"}), PAIR)
    assert _rule(result, "value_is_number").success


# --- the gate and the command line, on real files -----------------------------------------------


@dataclass
class Workspace:
    """A project folder in tmp_path: processed/indicators.parquet and a report already built."""

    root: Path
    report_bytes: bytes = b"<html>the 2020 annual report, already sent</html>"
    before: set[str] = field(default_factory=set)

    @property
    def report(self) -> Path:
        return self.root / "reports" / "2020" / "annual_report.html"

    def paths(self) -> set[str]:
        return {p.relative_to(self.root).as_posix() for p in self.root.rglob("*")}

    def new_paths(self) -> set[str]:
        return self.paths() - self.before


LOCK_FILE = "reports/.run.lock"  # what the command's lock leaves (the operating system's lock is gone with it)


@pytest.fixture
def workspace(tmp_path, bundled) -> Callable[[str], Workspace]:
    """Return `make(variant)`: the workspace holding the bundled table, or a broken variant of it."""

    def make(name: str = "bundled") -> Workspace:
        space = Workspace(tmp_path)
        table = bundled.copy() if name == "bundled" else VARIANTS[name].breaker(bundled.copy())
        (tmp_path / "processed").mkdir()
        table.to_parquet(tmp_path / "processed" / "indicators.parquet", index=False)
        space.report.parent.mkdir(parents=True)
        space.report.write_bytes(space.report_bytes)
        space.before = space.paths()
        return space

    return make


VALIDATE = ["validate", "--data", "processed/indicators.parquet", "--reports", "reports"]
QUALITY_FILES = {"reports/2020/quality", "reports/2020/quality/2020-vs-2019.html", "reports/2020/quality/2020-vs-2019.json"}


def test_gate_writes_the_page_then_raises_quality_error(workspace, monkeypatch):
    from ictanalysis.errors import QualityError
    from ictanalysis.validate import gate

    space = workspace("coverage_of_130_percent")
    monkeypatch.chdir(space.root)
    with pytest.raises(QualityError) as raised:
        gate(space.root / "processed" / "indicators.parquet", space.root / "reports", year=2020, compare_year=2019)
    assert raised.value.exit_code == ExitCode.QUALITY == 4
    assert raised.value.page == space.root / "reports" / "2020" / "quality/2020-vs-2019.html"
    assert "FAILED" in str(raised.value) and str(raised.value.page) in str(raised.value)
    data = json.loads((space.root / "reports" / "2020" / "quality/2020-vs-2019.json").read_text(encoding="utf-8"))
    assert data["passed"] is False and (data["year"], data["compare_year"]) == (2020, 2019)
    failed = [r for r in data["rules"] if not r["success"]]
    assert {r["id"] for r in failed} == {"value_not_above_range", "plausible_change"}
    assert space.new_paths() == QUALITY_FILES
    assert space.report.read_bytes() == space.report_bytes


@pytest.mark.slow
def test_cli_validate_passes_the_bundled_table_and_prints_the_page(workspace, ictanalysis_cli):
    space = workspace()
    run = ictanalysis_cli(*VALIDATE, "--year", "2020", "--compare", "2019")
    assert run.returncode == ExitCode.OK, run.stderr
    assert str(Path("reports/2020/quality/2020-vs-2019.html")) in run.stdout
    assert "passed" in run.stdout and "plausible_change" in run.stdout
    assert space.new_paths() == QUALITY_FILES | {LOCK_FILE}  # the lock it held; its holder's record is gone
    assert json.loads((space.root / "reports/2020/quality/2020-vs-2019.json").read_text(encoding="utf-8"))["passed"] is True
    assert space.report.read_bytes() == space.report_bytes


@pytest.mark.slow
def test_cli_validate_stops_a_broken_table_with_exit_4_and_leaves_the_report_alone(workspace, ictanalysis_cli):
    space = workspace("coverage_of_130_percent")
    run = ictanalysis_cli(*VALIDATE, "--year", "2020", "--compare", "2019")
    output = run.stdout + run.stderr
    assert run.returncode == ExitCode.QUALITY == 4, output
    assert "FAILED" in output and "value_not_above_range" in output
    assert str(Path("reports/2020/quality/2020-vs-2019.html")) in output
    assert "Traceback" not in output
    assert space.report.read_bytes() == space.report_bytes
    assert space.new_paths() == QUALITY_FILES | {LOCK_FILE}  # no gx/ folder, no temporary file
    page = (space.root / "reports/2020/quality/2020-vs-2019.html").read_text(encoding="utf-8")
    assert "KHÔNG ĐẠT" in page and _td("E12") in _finding(page, "value_not_above_range")


@pytest.mark.slow
def test_cli_validate_rejects_years_not_in_the_data_with_exit_2(workspace, ictanalysis_cli):
    space = workspace()
    run = ictanalysis_cli(*VALIDATE, "--year", "2031", "--compare", "2019")
    assert run.returncode == ExitCode.USAGE == 2, run.stdout + run.stderr
    assert "no data for 2031" in run.stderr and "2019, 2020" in run.stderr and "--year" in run.stderr
    assert "Traceback" not in run.stderr
    assert space.new_paths() == set()


@pytest.mark.slow
def test_cli_validate_without_the_tidy_table_exits_3(tmp_path, ictanalysis_cli):
    run = ictanalysis_cli("validate", "--data", "processed/missing.parquet", "--reports", "reports", "--year", "2020")
    assert run.returncode == ExitCode.INPUT == 3, run.stdout + run.stderr
    assert "processed/missing.parquet" in run.stderr and "ictanalysis clean" in run.stderr
    assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


# --- only ictanalysis.validate pays for Great Expectations ------------------------------------------


def _modules_loaded_by(*modules: str) -> set[str]:
    probe = "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)\nprint('\\n'.join(sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe, *modules], capture_output=True, text=True, check=True, timeout=120)
    return set(run.stdout.split())


def _package_modules() -> list[str]:
    found = [m.name for m in pkgutil.walk_packages(ictanalysis.__path__, "ictanalysis.")]
    return ["ictanalysis", *sorted(m for m in found if m not in ("ictanalysis.validate", "ictanalysis.__main__"))]


def test_every_module_but_validate_imports_without_great_expectations():
    modules = _package_modules()
    named = {"cli", "ingest", "extract", "rules", "quality", "catalog", "layouts", "workbook", "normalise", "errors", "atomic"}
    assert {f"ictanalysis.{m}" for m in named} <= set(modules)
    loaded = _modules_loaded_by(*modules)
    assert set(modules) <= loaded
    assert not {m for m in loaded if m.split(".")[0] == "great_expectations"}


@pytest.mark.slow
def test_importing_validate_imports_great_expectations():
    assert "great_expectations" in _modules_loaded_by("ictanalysis.validate")

