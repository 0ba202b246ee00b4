"""The ingest stage end to end: the bundled years, a third year, and the table forms it reads."""

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ictanalysis.ingest import clean
from ictanalysis.tidy import COLUMNS as TIDY_COLUMNS
from ictanalysis.tidy import read_indicators

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("processed")
    return clean(RAW, out)


def _one(table: pd.DataFrame, **key) -> pd.Series:
    rows = table
    for column, value in key.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, f"{key}: {len(rows)} rows"
    return rows.iloc[0]


def _province(table, indicator, year):
    return _one(table, indicator=indicator, year=year, area="58", operator="", agency="")


# --- the facts of the 2020 report, read from the bundled workbooks ------------------------


def test_level4_services_read_555_and_74_with_their_source_cells(bundled):
    for year, expected in ((2020, 555), (2019, 74)):
        row = _province(bundled.table, "online_services_level4", year)
        assert row.value == expected
        assert (row.source_file, row.source_sheet, row.source_cell) == (
            f"{year}/chinh-quyen-dien-tu-{year}.xlsx", "DVCTT", "E26")


def test_level4_services_added_in_2020_is_481(bundled):
    added = (_province(bundled.table, "online_services_level4", 2020).value
             - _province(bundled.table, "online_services_level4", 2019).value)
    assert added == 481


def test_video_conference_endpoints_grew_by_35(bundled):
    table = bundled.table
    assert _province(table, "videoconference_endpoints", 2020).value - _province(table, "videoconference_endpoints", 2019).value == 35


@pytest.mark.parametrize(
    ("indicator", "value"),
    [
        ("legal_documents_drafted", 4), ("decisions_drafted", 21), ("plans_drafted", 7),
        ("directives_assigned", 66), ("directives_completed_on_time", 66),
        ("coverage_4g_population", 100), ("coverage_3g4g_population", 100),
        ("national_portal_procedures", 4), ("national_portal_share", 30),
        ("interconnected_land_procedures", 32), ("ministries_connected", 20),
        ("government_agencies_connected", 10), ("document_interconnection_levels", 3),
    ],
)  # fmt: skip
def test_2020_report_figures(bundled, indicator, value):
    assert _province(bundled.table, indicator, 2020).value == value


def test_census_population_2019_is_590467(bundled):
    assert _province(bundled.table, "population", 2019).value == 590_467
    districts = bundled.table.query("indicator == 'population' and year == 2019 and area != '58'")
    assert sorted(districts["area"]) == ["582", "584", "585", "586", "587", "588", "589"]
    assert districts["value"].sum() == 590_467


# --- the table written ----------------------------------------------------------------------


def test_tidy_table_has_the_contract_columns_and_types(bundled):
    table = read_indicators(bundled.outputs[0])
    assert list(table.columns) == list(TIDY_COLUMNS)
    assert table["year"].dtype == "int64" and table["value"].dtype == "float64"
    assert table["preliminary"].dtype == bool
    assert table[["source_file", "source_sheet", "source_cell"]].ne("").all().all()
    assert table["value"].notna().all()


def test_csv_and_parquet_hold_the_same_rows(bundled):
    parquet, csv = bundled.outputs
    from_csv = pd.read_csv(csv, dtype={"area": str, "operator": str, "agency": str}, keep_default_na=False)
    from_parquet = pd.read_parquet(parquet)
    assert len(from_csv) == len(from_parquet)
    assert (from_csv["value"].to_numpy() == from_parquet["value"].to_numpy()).all()
    assert (from_csv["source_cell"].to_numpy() == from_parquet["source_cell"].to_numpy()).all()


def test_writing_replaces_the_previous_table_and_leaves_no_temporary_file(tmp_path):
    (tmp_path / "indicators.parquet").write_bytes(b"old")
    result = clean(RAW, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv", "indicators.parquet"]
    assert len(read_indicators(result.outputs[0])) == len(result.table)


def test_every_enterprise_and_district_is_a_catalog_name(bundled):
    table = bundled.table
    assert set(table["operator"]) - {""} <= {
        "VNPT", "Viettel", "MobiFone", "Vietnamobile", "FPT Telecom",
        "VNPost", "Viettel Post", "J&T Express", "Giao Hàng Nhanh", "Giao Hàng Tiết Kiệm",
    }  # fmt: skip
    assert set(table["area"]) == {"58", "582", "584", "585", "586", "587", "588", "589"}


# --- any pair of years ------------------------------------------------------------------------


def test_a_third_year_made_by_the_generator_is_read_like_the_others(tmp_path, sample_generator):
    generator = sample_generator
    raw = tmp_path / "raw"
    generator.write_all(raw, years=(2020, 2021))
    result = clean(raw, tmp_path / "out")
    expected = generator.figures(2021)
    level4 = _province(result.table, "online_services_level4", 2021)
    assert level4.value == sum(levels[2] for levels in expected["egov_services"].values())
    assert level4.source_file == "2021/chinh-quyen-dien-tu-2021.xlsx"
    assert {2020, 2021} <= set(result.table["year"])


# --- table forms read without a layout file ---------------------------------------------------


def _workbook(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_years_as_rows_with_a_preliminary_year(tmp_path):
    _workbook(tmp_path / "raw/2020/thue-bao.xlsx", [
        ["Số thuê bao theo năm"],
        ["Đơn vị tính: nghìn thuê bao"],
        ["Năm", "Thuê bao di động", "Thuê bao internet băng rộng cố định"],
        ["2018", "640,1", "55,6"],
        ["2019", 652.6, "62,9"],
        ["Sơ bộ 2020", "668,4", "76,1"],
    ])  # fmt: skip
    table = clean(tmp_path / "raw", None).table
    mobile = table.query("indicator == 'mobile_subscribers'").set_index("year")
    assert mobile["value"].to_dict() == {2018: 640_100, 2019: 652_600, 2020: 668_400}
    assert mobile["preliminary"].to_dict() == {2018: False, 2019: False, 2020: True}
    assert mobile.loc[2020, "source_cell"] == "B6"


def test_indicators_as_rows_with_a_value_column_for_the_year(tmp_path):
    _workbook(tmp_path / "raw/2020/tong-hop.xlsx", [
        ["BÁO CÁO NĂM 2020"],
        [],
        ["STT", "Chỉ tiêu", "ĐVT", "Năm 2020", "Ghi chú"],
        ["1", "Dịch vụ công trực tuyến mức 4", "thủ tục", "555*", ""],
        ["2", "Doanh thu bưu chính", "tỷ đồng", "135,1", "ước tính"],
    ])  # fmt: skip
    table = clean(tmp_path / "raw", None).table.set_index("indicator")
    assert table.loc["online_services_level4", "value"] == 555
    assert table.loc["postal_revenue", "value"] == pytest.approx(135.1e9)
    assert table.loc["postal_revenue", "unit"] == "đồng"


def test_areas_as_rows_with_enterprises_in_the_headers(tmp_path):
    _workbook(tmp_path / "raw/2020/co-dinh.xlsx", [
        ["Đơn vị tính: thuê bao"],
        ["STT", "Địa bàn", "Điện thoại cố định VNPT", "Điện thoại cố định Viettel"],
        [1, "Tp PR-TC", "4.865", 1141],
        [2, "H. Bác Ái", 246, "-"],
        ["", "Cộng", "5.111", 1141],
    ])  # fmt: skip
    table = clean(tmp_path / "raw", None).table
    assert _one(table, area="584", operator="Viettel").value == 0
    assert _one(table, area="58", operator="VNPT").value == 5111


def test_a_new_layout_in_an_extra_folder_reads_a_new_form(tmp_path):
    _workbook(tmp_path / "raw/2020/vnpt_bts_2020.xlsx", [
        ["VNPT NINH THUẬN"],
        ["Huyện/Thành phố", "2G", "4G"],
        ["Ninh Sơn", 23, 22],
        ["Tổng cộng", 23, 22],
    ])  # fmt: skip
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "vnpt-bts.yaml").write_text(
        "id: vnpt-bts\ndescription: Trạm BTS của VNPT\nfiles: ['vnpt_bts*']\nrows: area\n"
        "label_headers: [Huyện/Thành phố]\noperator: VNPT\nunit: trạm\n"
        "aliases:\n  bts_2g_stations: ['2G']\n  bts_4g_stations: ['4G']\n",
        encoding="utf-8",
    )
    result = clean(tmp_path / "raw", None, layout_dirs=[layouts])
    assert set(result.sheets.values()) == {"vnpt-bts"}
    assert _one(result.table, indicator="bts_4g_stations", area="585").value == 22
    assert _one(result.table, indicator="bts_4g_stations", area="585").operator == "VNPT"
