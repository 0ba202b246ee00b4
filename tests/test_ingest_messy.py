"""The ingest stage on the bundled workbooks: every kind of mess in data/raw/README.md is handled.

The bundled data/raw is copied to tmp and cleaned once for the module. Values are checked
against the cells they came from, read independently (python-calamine for workbooks, the csv
module for CSV), so each test shows both what the engine read and where it read it.
"""

from __future__ import annotations

import csv
import doctest
import functools
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine

from ictanalysis.ingest import CleanResult, clean
from ictanalysis.normalise import parse_number

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
M = 1_000_000  # triệu đồng → đồng


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> CleanResult:
    """Clean a copy of the bundled raw folder once for the module."""
    root = tmp_path_factory.mktemp("messy")
    for year in ("2019", "2020"):
        shutil.copytree(RAW / year, root / "raw" / year)
    return clean(root / "raw", out_dir=root / "out")


@pytest.fixture(scope="module")
def table(bundled) -> pd.DataFrame:
    return bundled.table


def one(table: pd.DataFrame, **key) -> pd.Series:
    """Return the single row matching `key` (operator and agency default to "")."""
    key = {"operator": "", "agency": "", **key}
    rows = table
    for column, value in key.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{key}: {len(rows)} rows"
    return rows.iloc[0]


@functools.cache
def _grid(file: str, sheet: str) -> tuple[list[list], tuple[int, int]]:
    path = RAW / file
    if path.suffix == ".csv":
        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";")), (0, 0)
    data = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    return data.to_python(skip_empty_area=True), data.start


def _row_col(a1: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)([0-9]+)", a1).groups()
    col = 0
    for char in letters:
        col = col * 26 + ord(char) - 64
    return int(digits) - 1, col - 1


def cell(file: str, sheet: str, a1: str):
    """Read one cell of a bundled file directly ("" when empty)."""
    rows, (top, left) = _grid(file, sheet)
    row, col = _row_col(a1)
    i, j = row - top, col - left
    return rows[i][j] if 0 <= i < len(rows) and 0 <= j < len(rows[i]) else ""


def row_of(a1: str) -> int:
    return _row_col(a1)[0] + 1


def value_of(row: pd.Series) -> float:
    """Return the cell a tidy row came from, read as a number (blank = 0), before any unit conversion."""
    number = parse_number(cell(row.source_file, row.source_sheet, row.source_cell), locale="vi")
    return 0.0 if number is None else number


# --- title and unit lines, spacer rows, notes -------------------------------------------------

# (file, sheet) → (first data row, last data row, number of values): the title block, the
# "Đơn vị tính" line and the header rows lie above the first row; blank rows, notes and the
# signature below the last.
READ_ROWS = {
    ("2019/Viettel_BRDD_2019.xls", "BRDD"): (7, 14, 24),
    ("2019/bao-cao-tong-hop-so-2019.xlsx", "Tổng hợp"): (6, 13, 7),
    ("2019/buu-chinh-2019.xlsx", "Bưu chính"): (6, 10, 15),
    ("2019/chinh-quyen-dien-tu-2019.xlsx", "Chỉ tiêu"): (6, 15, 8),
    ("2019/chinh-quyen-dien-tu-2019.xlsx", "DVCTT"): (7, 26, 60),
    ("2019/dan-so-2019.csv", "dan-so-2019"): (5, 12, 8),
    ("2019/vien-thong-2019.xlsx", "Doanh thu"): (6, 10, 5),
    ("2019/vien-thong-2019.xlsx", "TB cố định - Internet"): (7, 14, 40),
    ("2019/vien-thong-2019.xlsx", "TB di động"): (8, 15, 48),
    ("2019/vien-thong-2019.xlsx", "Trạm BTS"): (7, 14, 72),
    ("2020/Viettel_BRDD_2020.xls", "BRDD"): (7, 14, 24),
    ("2020/bao-cao-tong-hop-so-2020.xlsx", "Tổng hợp"): (6, 13, 7),
    ("2020/buu-chinh-2020.xlsx", "Bưu chính"): (6, 11, 18),
    ("2020/chinh-quyen-dien-tu-2020.xlsx", "Chỉ tiêu"): (6, 15, 8),
    ("2020/chinh-quyen-dien-tu-2020.xlsx", "DVCTT"): (7, 26, 60),
    ("2020/dan-so-2020.csv", "dan-so-2020"): (5, 12, 8),
    ("2020/nien-giam-thong-ke-2020.ods", "Bưu chính viễn thông"): (3, 7, 20),
    ("2020/vien-thong-2020.xlsx", "Doanh thu"): (6, 11, 6),
    ("2020/vien-thong-2020.xlsx", "TB cố định - Internet"): (7, 14, 40),
    ("2020/vien-thong-2020.xlsx", "TB di động"): (8, 15, 96),
    ("2020/vien-thong-2020.xlsx", "Trạm BTS"): (7, 14, 96),
}


@pytest.fixture(scope="module")
def read_rows(table) -> dict[tuple[str, str], tuple[int, int, int]]:
    rows = table.assign(row=table["source_cell"].map(row_of))
    grouped = rows.groupby(["source_file", "source_sheet"])["row"].agg(["min", "max", "count"])
    return {key: tuple(int(v) for v in values) for key, values in grouped.iterrows()}


def test_every_table_is_read_from_its_first_to_its_last_data_row(read_rows):
    assert read_rows == READ_ROWS


def test_title_and_unit_lines_above_the_table_are_not_read(read_rows):
    assert cell("2020/vien-thong-2020.xlsx", "TB di động", "A3") == "Đơn vị tính: thuê bao"
    assert read_rows[("2020/vien-thong-2020.xlsx", "TB di động")][0] == 8  # rows 1–3 title, 5–7 header
    assert cell("2020/vien-thong-2020.xlsx", "Doanh thu", "A2") == "DOANH THU DỊCH VỤ VIỄN THÔNG NĂM 2020"
    assert read_rows[("2020/vien-thong-2020.xlsx", "Doanh thu")][0] == 6


def test_blank_spacer_rows_and_notes_under_the_table_are_ignored(read_rows, bundled):
    file, sheet = "2020/chinh-quyen-dien-tu-2020.xlsx", "DVCTT"
    assert cell(file, sheet, "B27") == ""
    assert cell(file, sheet, "B30") == "* Tăng 481 dịch vụ mức độ 4 so với năm 2019."  # a note with a number
    assert read_rows[(file, sheet)][1] == 26
    assert cell("2020/dan-so-2020.csv", "dan-so-2020", "A13").startswith("Nguồn:")
    assert read_rows[("2020/dan-so-2020.csv", "dan-so-2020")][1] == 12


def test_the_bundled_data_reads_without_problems_and_skips_only_the_hidden_sheets(bundled):
    assert bundled.skipped == {
        "2019/vien-thong-2019.xlsx › DM": "hidden sheet",
        "2020/vien-thong-2020.xlsx › DM": "hidden sheet",
    }
    assert len(bundled.files) == 13
    assert len(bundled.sheets) == 21


def test_the_hidden_lookup_sheet_is_skipped(bundled, table):
    for year in (2019, 2020):
        assert bundled.skipped[f"{year}/vien-thong-{year}.xlsx › DM"] == "hidden sheet"
    assert "DM" not in set(table["source_sheet"])


# --- merged headers ---------------------------------------------------------------------------


def test_a_three_row_merged_header_gives_enterprise_and_subscription_type(table):
    file, sheet = "2020/vien-thong-2020.xlsx", "TB di động"
    expected = {  # (indicator, operator) → (cell, value) for Phan Rang-Tháp Chàm, row 8
        ("mobile_prepaid_subscribers", "VNPT"): ("C8", 52379),
        ("mobile_postpaid_subscribers", "VNPT"): ("D8", 5054),
        ("mobile_subscribers", "VNPT"): ("E8", 57433),
        ("mobile_prepaid_subscribers", "Viettel"): ("F8", 117392),
        ("mobile_postpaid_subscribers", "Vietnamobile"): ("M8", 86),
        ("mobile_subscribers", "Vietnamobile"): ("N8", 2874),
    }
    for (indicator, operator), (source, value) in expected.items():
        row = one(table, year=2020, indicator=indicator, area="582", operator=operator)
        assert (row.source_file, row.source_sheet, row.source_cell, row.value) == (file, sheet, source, value)


def test_a_two_row_merged_header_gives_indicator_and_enterprise(table):
    fixed = one(table, year=2020, indicator="fixed_telephone_subscribers", area="582", operator="Viettel")
    broadband = one(table, year=2020, indicator="fixed_broadband_subscribers", area="582", operator="FPT Telecom")
    bts = one(table, year=2020, indicator="bts_4g_stations", area="582", operator="Vietnamobile")
    assert (fixed.source_cell, fixed.value) == ("D7", 1141)
    assert (broadband.source_cell, broadband.value) == ("G7", 7023)
    assert (bts.source_sheet, bts.source_cell, bts.value) == ("Trạm BTS", "N7", 4)


# --- numbers as Vietnamese text, "-" and blanks, footnote marks -------------------------------

TEXT_NUMBERS = [  # file, sheet, cell, text in the cell, key, value read (in the catalog's unit)
    ("2020/vien-thong-2020.xlsx", "TB di động", "C8", "52.379",
     dict(indicator="mobile_prepaid_subscribers", area="582", operator="VNPT"), 52379),
    ("2020/buu-chinh-2020.xlsx", "Bưu chính", "D11", "2.609.980",
     dict(indicator="postal_items", area="58"), 2609980),
    ("2019/buu-chinh-2019.xlsx", "Bưu chính", "D9", "7.591,2",
     dict(indicator="postal_revenue", area="58", operator="Giao Hàng Nhanh"), 7591.2 * M),
    ("2019/bao-cao-tong-hop-so-2019.xlsx", "Tổng hợp", "D12", "98,5%",
     dict(indicator="coverage_4g_population", area="58"), 98.5),
    ("2020/chinh-quyen-dien-tu-2020.xlsx", "Chỉ tiêu", "D6", "04",
     dict(indicator="national_portal_procedures", area="58"), 4),
    ("2020/nien-giam-thong-ke-2020.ods", "Bưu chính viễn thông", "G5", "668,4",
     dict(indicator="gso_mobile_subscribers", area="58"), 668400),
]  # fmt: skip


@pytest.mark.parametrize("file, sheet, source, text, key, value", TEXT_NUMBERS, ids=[t[3] for t in TEXT_NUMBERS])
def test_numbers_stored_as_vietnamese_text_are_read(table, file, sheet, source, text, key, value):
    assert cell(file, sheet, source) == text
    year = int(file[:4])
    row = one(table, year=year, **key)
    assert (row.source_file, row.source_sheet, row.source_cell) == (file, sheet, source)
    assert row.value == pytest.approx(value)


ZEROS = [  # file, sheet, cell, what the cell holds, key
    ("2020/vien-thong-2020.xlsx", "TB cố định - Internet", "G8", "-",
     dict(indicator="fixed_broadband_subscribers", area="584", operator="FPT Telecom")),
    ("2020/vien-thong-2020.xlsx", "TB cố định - Internet", "D8", "",
     dict(indicator="fixed_telephone_subscribers", area="584", operator="Viettel")),
    ("2020/vien-thong-2020.xlsx", "Trạm BTS", "M8", "-",
     dict(indicator="bts_3g_stations", area="584", operator="Vietnamobile")),
    ("2019/chinh-quyen-dien-tu-2019.xlsx", "DVCTT", "E7", "",
     dict(indicator="online_services_level4", area="58", agency="Văn phòng UBND tỉnh")),
    ("2019/chinh-quyen-dien-tu-2019.xlsx", "Chỉ tiêu", "D6", "-",
     dict(indicator="national_portal_procedures", area="58")),
]  # fmt: skip


@pytest.mark.parametrize("file, sheet, source, text, key", ZEROS, ids=[f"{z[2]}={z[3]!r}" for z in ZEROS])
def test_a_dash_or_a_blank_cell_reads_as_zero_with_its_own_source_cell(table, file, sheet, source, text, key):
    assert cell(file, sheet, source) == text
    row = one(table, year=int(file[:4]), **key)
    assert (row.source_file, row.source_sheet, row.source_cell, row.value) == (file, sheet, source, 0)


@pytest.mark.parametrize(
    "file, sheet, source, text, key, value",
    [
        ("2020/chinh-quyen-dien-tu-2020.xlsx", "DVCTT", "E26", "555*", dict(indicator="online_services_level4"), 555),
        ("2020/vien-thong-2020.xlsx", "Doanh thu", "C9", "11.285,6(*)",
         dict(indicator="telecom_revenue", operator="Vietnamobile"), 11285.6 * M),
        ("2019/vien-thong-2019.xlsx", "Doanh thu", "C8", "148.962,3(*)",
         dict(indicator="telecom_revenue", operator="MobiFone"), 148962.3 * M),
    ],
    ids=["555*", "11.285,6(*)", "148.962,3(*)"],
)  # fmt: skip
def test_a_footnote_mark_on_a_value_is_dropped(table, file, sheet, source, text, key, value):
    assert cell(file, sheet, source) == text
    row = one(table, year=int(file[:4]), area="58", **key)
    assert row.source_cell == source
    assert row.value == pytest.approx(value)


@pytest.mark.parametrize("year", [2019, 2020])
def test_a_footnote_mark_on_a_label_is_dropped(table, year):
    file = f"{year}/chinh-quyen-dien-tu-{year}.xlsx"
    assert cell(file, "DVCTT", "B25") == "UBND cấp xã (*)"
    rows = table[(table["year"] == year) & (table["agency"] == "UBND cấp xã")]
    assert sorted(rows["source_cell"]) == ["C25", "D25", "E25"]


# --- total rows -------------------------------------------------------------------------------

TOTALS = [  # file, sheet, label cell, label, key of the total's value, its cell, value
    ("2020/vien-thong-2020.xlsx", "TB di động", "B15", "Tổng cộng",
     dict(indicator="mobile_prepaid_subscribers", area="58", operator="VNPT"), "C15", 147056),
    ("2020/vien-thong-2020.xlsx", "TB cố định - Internet", "B14", "Cộng",
     dict(indicator="fixed_telephone_subscribers", area="58", operator="VNPT"), "C14", 11732),
    ("2019/dan-so-2019.csv", "dan-so-2019", "B12", "Toàn tỉnh",
     dict(indicator="population", area="58"), "C12", 590467),
    ("2020/Viettel_BRDD_2020.xls", "BRDD", "B14", "Cộng",
     dict(indicator="mobile_broadband_subscribers", area="58", operator="Viettel"), "E14", 145866),
    ("2020/vien-thong-2020.xlsx", "Doanh thu", "B11", "Tổng cộng",
     dict(indicator="telecom_revenue", area="58", operator=""), "C11", 1120863.1 * M),
    ("2020/buu-chinh-2020.xlsx", "Bưu chính", "B11", "Cộng",
     dict(indicator="postal_service_points", area="58", operator=""), "C11", 121),
    ("2020/chinh-quyen-dien-tu-2020.xlsx", "DVCTT", "B26", "Tổng cộng",
     dict(indicator="online_services_level2", area="58", agency=""), "C26", 1013),
]  # fmt: skip


@pytest.mark.parametrize("file, sheet, label_cell, label, key, source, value", TOTALS,
                         ids=[f"{t[1]}-{t[3]}" for t in TOTALS])  # fmt: skip
def test_a_total_row_is_kept_as_the_province_all_enterprise_or_all_agency_figure(
    table, file, sheet, label_cell, label, key, source, value
):
    assert cell(file, sheet, label_cell) == label
    row = one(table, year=int(file[:4]), **key)
    assert (row.source_file, row.source_sheet, row.source_cell) == (file, sheet, source)
    assert row.value == pytest.approx(value)


# --- district spellings -----------------------------------------------------------------------

SPELLINGS = {
    "TP. Phan Rang - Tháp Chàm": "582", "Tp PR-TC": "582", "Thành phố Phan Rang-Tháp Chàm": "582",
    "TP Phan Rang Tháp Chàm": "582",
    "Huyện Bác Ái": "584", "Bác Ái": "584", "H. Bác Ái": "584",
    "Huyện Ninh Sơn": "585", "Ninh Sơn": "585", "H. Ninh Sơn": "585", "Ninh Son": "585",
    "Huyện Ninh Hải": "586", "Ninh Hải": "586", "H. Ninh Hải": "586", "NINH HẢI": "586",
    "Huyện Ninh Phước": "587", "Ninh Phước": "587", "H. Ninh Phước": "587", "Ninh Phuoc": "587",
    "Huyện Thuận Bắc": "588", "Thuận Bắc": "588", "H. Thuận Bắc": "588",
    "Huyện Thuận Nam": "589", "Thuận Nam": "589", "H.Thuận Nam": "589", "Thuan Nam": "589",
}  # fmt: skip


@pytest.fixture(scope="module")
def district_labels(table) -> dict[str, set[str]]:
    """Map each label written in column B of a district row to the areas read from that row."""
    labels: dict[str, set[str]] = {}
    for row in table[table["area"] != "58"].itertuples():
        label = cell(row.source_file, row.source_sheet, f"B{row_of(row.source_cell)}")
        labels.setdefault(label, set()).add(row.area)
    return labels


def test_every_district_label_in_the_bundled_data_is_a_known_spelling(district_labels):
    assert set(district_labels) == set(SPELLINGS)


@pytest.mark.parametrize("label, code", SPELLINGS.items(), ids=list(SPELLINGS))
def test_a_district_spelling_maps_to_its_code(district_labels, label, code):
    assert district_labels[label] == {code}


def test_tp_pr_tc_in_the_fixed_lines_sheet_is_phan_rang_thap_cham(table):
    file, sheet = "2020/vien-thong-2020.xlsx", "TB cố định - Internet"
    assert cell(file, sheet, "B7") == "Tp PR-TC"
    row = one(table, year=2020, indicator="fixed_broadband_subscribers", area="582", operator="VNPT")
    assert (row.source_file, row.source_sheet, row.source_cell) == (file, sheet, "E7")
    assert row.value == parse_number(cell(file, sheet, "E7")) == 13164


# --- layout drift 2019 ↔ 2020 -----------------------------------------------------------------


def test_2019_postpaid_before_prepaid_is_read_by_header_not_position(table):
    file, sheet = "2019/vien-thong-2019.xlsx", "TB di động"
    assert (cell(file, sheet, "C7"), cell(file, sheet, "D7")) == ("TB trả sau", "TB trả trước")
    postpaid = one(table, year=2019, indicator="mobile_postpaid_subscribers", area="582", operator="VNPT")
    prepaid = one(table, year=2019, indicator="mobile_prepaid_subscribers", area="582", operator="VNPT")
    assert (postpaid.source_cell, postpaid.value) == ("C8", parse_number(cell(file, sheet, "C8")))
    assert (prepaid.source_cell, prepaid.value) == ("D8", parse_number(cell(file, sheet, "D8")))
    assert (postpaid.value, prepaid.value) == (4956, 53346)


@pytest.mark.parametrize("year", [2019, 2020])
def test_every_prepaid_and_postpaid_value_sits_under_its_own_header(table, year):
    file, sheet = f"{year}/vien-thong-{year}.xlsx", "TB di động"
    words = {"mobile_prepaid_subscribers": "trả trước", "mobile_postpaid_subscribers": "trả sau"}
    rows = table[table["indicator"].isin(words) & (table["year"] == year)]
    assert len(rows) == 2 * {2019: 3, 2020: 4}[year] * 8  # 2 types × enterprises × 8 rows
    for row in rows.itertuples():
        column = re.match(r"[A-Z]+", row.source_cell).group()
        assert words[row.indicator] in cell(file, sheet, f"{column}7").lower(), row.source_cell


def test_vietnamobile_appears_only_in_2020(table):
    vietnamobile = table[table["operator"] == "Vietnamobile"]
    assert set(vietnamobile["year"]) == {2020}
    assert set(vietnamobile["source_sheet"]) == {"TB di động", "Trạm BTS", "Doanh thu"}


def test_the_postal_columns_swapped_in_2019_and_the_renamed_vnpost_are_read(table):
    for year, revenue_cell, items_cell in ((2019, "D6", "E6"), (2020, "E6", "D6")):
        revenue = one(table, year=year, indicator="postal_revenue", area="58", operator="VNPost")
        items = one(table, year=year, indicator="postal_items", area="58", operator="VNPost")
        assert (revenue.source_cell, items.source_cell) == (revenue_cell, items_cell)
    assert cell("2019/buu-chinh-2019.xlsx", "Bưu chính", "B6") == "BĐT Ninh Thuận (VNPost)"
    assert cell("2020/buu-chinh-2020.xlsx", "Bưu chính", "B6") == "Bưu điện tỉnh Ninh Thuận"


def test_the_2020_summary_reads_the_actual_not_the_plan(table):
    row = one(table, year=2020, indicator="decisions_drafted", area="58")
    assert (row.source_cell, row.value) == ("E7", 21)  # D7 holds the plan, 20
    assert cell("2020/bao-cao-tong-hop-so-2020.xlsx", "Tổng hợp", "D7") == 20


# --- units ------------------------------------------------------------------------------------


def test_million_dong_is_converted_to_dong(table):
    line = cell("2020/vien-thong-2020.xlsx", "Doanh thu", "A3")
    assert line == "Đơn vị tính: triệu đồng"
    row = one(table, year=2020, indicator="telecom_revenue", area="58", operator="VNPT")
    assert (row.unit, row.value) == ("đồng", pytest.approx(392806.2 * M))
    postal = one(table, year=2020, indicator="postal_revenue", area="58", operator="VNPost")  # "(triệu đồng)" header
    assert (postal.unit, postal.value) == ("đồng", pytest.approx(74108.4 * M))


def test_thousand_subscribers_is_converted_to_subscribers(table):
    file, sheet = "2020/nien-giam-thong-ke-2020.ods", "Bưu chính viễn thông"
    assert cell(file, sheet, "B7") == "Nghìn thuê bao - Thous. subs."
    row = one(table, year=2019, indicator="gso_internet_subscribers", area="58")
    assert (row.source_cell, row.unit, row.value) == ("F7", "thuê bao", pytest.approx(62900))


# --- file formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where, layout",
    [
        ("2020/Viettel_BRDD_2020.xls › BRDD", "viettel-mobile-broadband"),
        ("2019/Viettel_BRDD_2019.xls › BRDD", "viettel-mobile-broadband"),
        ("2020/nien-giam-thong-ke-2020.ods › Bưu chính viễn thông", "gso-yearbook"),
        ("2020/dan-so-2020.csv › dan-so-2020", "area-table"),
        ("2019/dan-so-2019.csv › dan-so-2019", "area-table"),
    ],
)
def test_xls_ods_and_csv_files_are_read(bundled, where, layout):
    assert bundled.sheets[where] == layout
    file = where.split(" › ")[0]
    assert (bundled.table["source_file"] == file).sum() > 0


# --- the statistics office's yearbook ---------------------------------------------------------


def test_the_yearbook_preliminary_column_is_marked_preliminary(table):
    file, sheet = "2020/nien-giam-thong-ke-2020.ods", "Bưu chính viễn thông"
    assert cell(file, sheet, "G2") == "Sơ bộ - Prel. 2020"
    yearbook = table[table["source_file"] == file]
    assert set(yearbook.loc[yearbook["preliminary"], "year"]) == {2020}
    assert set(yearbook.loc[~yearbook["preliminary"], "year"]) == {2015, 2017, 2018, 2019}
    assert set(yearbook.loc[yearbook["preliminary"], "source_cell"].str[0]) == {"G"}
    assert not table.loc[table["source_file"] != file, "preliminary"].any()


def test_the_yearbook_index_rows_are_not_read(table):
    file, sheet = "2020/nien-giam-thong-ke-2020.ods", "Bưu chính viễn thông"
    assert cell(file, sheet, "A8").startswith("Chỉ số phát triển (Năm trước = 100)")
    rows = table.loc[table["source_file"] == file, "source_cell"].map(row_of)
    assert set(rows) == {3, 5, 6, 7}  # telephone, mobile, fixed, internet; not 9 and 10
    telephone = one(table, year=2019, indicator="gso_telephone_subscribers", area="58")
    assert telephone.value == pytest.approx(668900)  # not the index 101,6


# --- provenance -------------------------------------------------------------------------------


def _factor(row) -> float:
    """Return the unit factor a bundled value was converted by (from the unit written in the file)."""
    if row.unit == "đồng":
        return M  # "Đơn vị tính: triệu đồng" (Doanh thu) and "(triệu đồng)" (Bưu chính)
    if row.source_file.endswith(".ods"):
        return 1000  # "Nghìn thuê bao"
    return 1


def test_every_row_has_its_source_file_sheet_and_cell(table):
    assert len(table) == 670
    for column in ("source_file", "source_sheet", "source_cell"):
        assert (table[column].str.len() > 0).all(), column
    assert table["source_cell"].str.fullmatch(r"[A-Z]+[1-9][0-9]*").all()
    assert not table.duplicated(["source_file", "source_sheet", "source_cell"]).any()


def test_every_value_is_the_number_in_its_source_cell(table):
    wrong = [
        f"{row.source_file} › {row.source_sheet} › {row.source_cell}: "
        f"{cell(row.source_file, row.source_sheet, row.source_cell)!r} but read {row.value}"
        for row in table.itertuples()
        if row.value != pytest.approx(value_of(row) * _factor(row))
    ]
    assert wrong == []


# --- the real figures -------------------------------------------------------------------------


@pytest.mark.parametrize("year, value", [(2020, 555), (2019, 74)])
def test_level4_totals_are_read_from_e26_of_dvctt(table, year, value):
    row = one(table, year=year, indicator="online_services_level4", area="58")
    file = f"{year}/chinh-quyen-dien-tu-{year}.xlsx"
    assert (row.value, row.source_file, row.source_sheet, row.source_cell) == (value, file, "DVCTT", "E26")


def test_the_example_in_cleans_docstring_is_true(monkeypatch):
    import ictanalysis.ingest as ingest

    monkeypatch.chdir(REPO)
    (example,) = [t for t in doctest.DocTestFinder().find(ingest) if t.name == "ictanalysis.ingest.clean"]
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(example, out=report.append)
    assert runner.failures == 0, "".join(report)


# --- a mess the bundled data does not have ----------------------------------------------------


def test_an_excel_percentage_cell_reads_as_percent(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Tổng hợp"
    ws.append(["BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020"])
    ws.append([])
    ws.append(["TT", "Nội dung", "ĐVT", "Thực hiện"])
    ws.append(["1", "Tỷ lệ vùng phủ sóng 4G khu vực có dân cư", "%", 0.985])
    ws["D4"].number_format = "0.0%"
    (tmp_path / "raw/2020").mkdir(parents=True)
    book.save(tmp_path / "raw/2020/tong-hop.xlsx")
    table = clean(tmp_path / "raw", out_dir=None).table
    row = one(table, year=2020, indicator="coverage_4g_population", area="58")
    assert row.source_cell == "D4"
    assert row.value == pytest.approx(98.5)
