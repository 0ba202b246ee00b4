"""The national standard forms read with no layout file, for any province: the yearbook's tables and the agency form.

Each table is written with openpyxl as the statistics office or a department publishes it, read by
``ingest.read_raw`` with the bundled layouts only, and its values required exactly, or refused naming the cell.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ictanalysis.catalog import load_catalog
from ictanalysis.errors import InputError
from ictanalysis.ingest import read_raw
from ictanalysis.layouts import load_layouts

UNIT = "Nghìn thuê bao - Thous. subs."


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def write(tmp_path: Path, name: str, rows: list[list], *, year: int = 2020, merged: tuple[str, ...] = ()) -> Path:
    """Write one sheet of `rows` to raw/<year>/<name> and return the raw folder."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Biểu"
    for row in rows:
        ws.append(row)
    for cells in merged:
        ws.merge_cells(cells)
    path = tmp_path / "raw" / str(year) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return tmp_path / "raw"


def read(raw: Path, catalog, province: str = "10"):
    result = read_raw(raw, province=province, catalog=catalog, layouts=load_layouts())
    table = result.table
    return {(int(r.year), r.indicator, r.operator): (r.value, bool(r.preliminary), r.source_cell)
            for r in table.itertuples()}, result  # fmt: skip


def problems(raw: Path, catalog, province: str = "10") -> list[tuple[str, str]]:
    with pytest.raises(InputError) as caught:
        read_raw(raw, province=province, catalog=catalog, layouts=load_layouts())
    return [(p.cell, p.message) for p in caught.value.problems]


# --- the yearbook, years as columns -------------------------------------------------------------------


def phones_by_column(bilingual: bool = True, index: bool = True) -> list[list]:
    def label(vi, en):
        return f"{vi} - {en}" if bilingual else vi

    rows = [["Số thuê bao điện thoại - Number of telephone subscribers" if bilingual else "Số thuê bao điện thoại"],
            ["", "Đơn vị tính - Unit" if bilingual else "Đơn vị tính", "2017", "2018", "2019",
             "Sơ bộ - Prel. 2020" if bilingual else "Sơ bộ 2020"],
            [label("Số thuê bao điện thoại", "Number of telephone subscribers"), UNIT if bilingual else "Nghìn thuê bao",
             "812,6", "820,1", "845,3", "861,0"],
            [label("Trong đó", "Of which") + ":"],
            [label("Di động", "Mobile"), UNIT if bilingual else "Nghìn thuê bao", "790,2", "801,0", "829,5", "846,7"],
            [label("Cố định", "Fixed"), UNIT if bilingual else "Nghìn thuê bao", "22,4", "19,1", "15,8", "14,3"]]
    if index:
        rows += [["Chỉ số phát triển (Năm trước = 100) - Index (Previous year = 100) - %"],
                 [label("Số thuê bao điện thoại", "Number of telephone subscribers"), "%", "101,20", "100,92", "103,07",
                  "101,86"]]
    return rows + [[], ["Ghi chú: Số liệu năm 2020 là số sơ bộ."], ["Nguồn: Cục Thống kê tỉnh Lào Cai"]]


@pytest.mark.parametrize("bilingual", [True, False])
@pytest.mark.parametrize("index", [True, False])
def test_the_yearbook_with_years_as_columns_reads_exactly_whatever_the_file_is_named(tmp_path, catalog, bilingual, index):
    raw = write(tmp_path, "bang-so-lieu-thue-bao.xlsx", phones_by_column(bilingual, index))
    values, result = read(raw, catalog)
    assert set(result.sheets.values()) == {"gso-yearbook"}
    assert values[(2017, "gso_telephone_subscribers", "")] == (812_600.0, False, "C3")
    assert values[(2020, "gso_mobile_subscribers", "")] == (846_700.0, True, "F5")
    assert values[(2019, "gso_fixed_telephone_subscribers", "")] == (15_800.0, False, "E6")
    assert len(values) == 12  # the index block and the notes are not data


def test_a_yearbook_part_that_is_not_a_part_of_its_row_is_refused_naming_its_cell(tmp_path, catalog):
    rows = [["", "Đơn vị tính - Unit", "2019", "Sơ bộ - Prel. 2020"],
            ["Số thuê bao internet - Number of internet subscribers", UNIT, "95,1", "104,3"],
            ["Trong đó - Of which:"], ["Thành phố - City", UNIT, "50,2", "55,0"]]
    assert problems(write(tmp_path, "internet.xlsx", rows), catalog) == [
        ("A4", "unknown indicator 'Thành phố - City'")]


def test_a_yearbook_value_that_is_not_a_number_is_refused_naming_its_cell(tmp_path, catalog):
    rows = phones_by_column()
    rows[4][4] = "829.5.1"
    found = problems(write(tmp_path, "nien-giam.xlsx", rows), catalog)
    assert [cell for cell, _ in found] == ["E5"]


# --- the yearbook, years as rows ----------------------------------------------------------------------


def turnover_by_row(index: bool = True) -> list[list]:
    rows = [["201. Doanh thu bưu chính, chuyển phát và viễn thông - Turnover of postal, delivery and "
             "telecommunication services"],
            ["Đơn vị tính: Tỷ đồng - Unit: Bill. dongs"],
            ["", "Tổng số - Total", "Chia ra - Of which", ""],
            ["", "", "Bưu chính, chuyển phát - Postal and delivery", "Viễn thông - Telecommunication"],
            [2018, 1240.5, 80.3, 1160.2], [2019, 1302.9, 88.1, 1214.8], ["Sơ bộ - Prel. 2020", 1355.0, 95.4, 1259.6]]
    if index:
        rows += [["", "Chỉ số phát triển (Năm trước = 100) - Index (Previous year = 100) - %"],
                 [2019, 105.03, 109.71, 104.70], ["Sơ bộ - Prel. 2020", 104.0, 108.29, 103.69]]
    return rows


@pytest.mark.parametrize("index", [True, False])
def test_the_yearbook_with_years_as_rows_reads_its_columns_under_its_title(tmp_path, catalog, index):
    raw = write(tmp_path, "doanh-thu.xlsx", turnover_by_row(index), merged=("B3:B4", "C3:D3"))
    values, result = read(raw, catalog)
    assert set(result.sheets.values()) == {"gso-yearbook-years"}
    assert values[(2018, "gso_postal_telecom_revenue", "")] == (1240.5e9, False, "B5")
    assert values[(2020, "gso_postal_revenue", "")] == (95.4e9, True, "C7")
    assert values[(2019, "gso_telecom_revenue", "")] == (1214.8e9, False, "D6")
    assert len(values) == 9


def test_a_second_yearbook_table_below_is_never_read_as_the_same_years(tmp_path, catalog):
    rows = [*turnover_by_row(index=False), [], ["Số thuê bao internet - Number of internet subscribers"],
            ["", "Tổng số - Total"], [2019, 95.1], [2020, 104.3]]
    found = problems(write(tmp_path, "doanh-thu.xlsx", rows, merged=("B3:B4", "C3:D3")), catalog)
    assert [cell for cell, _ in found] == ["A11"] and "second table" in found[0][1]


# --- the department and agency form -------------------------------------------------------------------


def agency_form() -> list[list]:
    return [["SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH LÀO CAI"], ["MỘT SỐ CHỈ TIÊU BƯU CHÍNH, VIỄN THÔNG"],
            ["TT", "Chỉ tiêu", "ĐVT", "2018", "2019", "2020", "Kế hoạch năm 2020"],
            ["I", "Bưu chính", "", "", "", "", ""],
            ["1", "Số điểm phục vụ bưu chính", "điểm", 120, 124, 126, 125],
            ["2", "Doanh thu", "triệu đồng", None, 61_250, 70_480, 65_000],
            ["II", "Viễn thông", "", "", "", "", ""],
            ["1", "Thuê bao điện thoại đi động", "thuê bao", 702_118, 720_940, 741_005, ""],
            ["", "Trong đó: Thuê bao băng rộng di động", "thuê bao", 401_220, 455_310, 510_876, ""],
            ["2", "Doanh thu", "triệu đồng", 1_102_300, 1_150_420, 1_201_700, ""],
            ["", "- VNPT", "triệu đồng", 400_100, 410_200, 421_300, ""],
            ["", "- Viettel", "triệu đồng", 702_200, 740_220, 780_400, ""],
            ["III", "Internet", "", "", "", "", ""],
            ["1", "Tỷ lệ người sử dụng Internet", "%", 55.2, 60.1, 66.4, ""],
            ["", "- Thành thị", "%", 70.5, 74.0, 78.2, ""],
            ["", "- Nông thôn", "%", 48.1, 53.6, 60.9, ""]]


def test_the_agency_form_reads_sections_parts_enterprises_and_breakdowns(tmp_path, catalog):
    values, result = read(write(tmp_path, "chi-tieu.xlsx", agency_form()), catalog)
    assert set(result.sheets.values()) == {"indicator-table"}
    assert values[(2019, "postal_revenue", "")] == (61_250e6, False, "E6")
    assert (2018, "postal_revenue", "") not in values  # a blank year is not reported: missing, never zero
    assert values[(2020, "telecom_revenue", "")][0] == 1_201_700e6
    assert values[(2019, "telecom_revenue", "Viettel")][0] == 740_220e6
    assert values[(2020, "mobile_broadband_subscribers", "")][0] == 510_876
    assert values[(2018, "mobile_subscribers", "")][0] == 702_118
    assert values[(2020, "internet_users_rate", "")][0] == 66.4
    assert values[(2020, "internet_users_rate_urban", "")][0] == 78.2
    assert values[(2019, "internet_users_rate_rural", "")][0] == 53.6
    assert len(values) == 3 * 10 - 1  # ten series, 2018's postal revenue not reported


def test_a_breakdown_the_catalog_does_not_know_is_refused_not_read_as_the_total(tmp_path, catalog):
    rows = [*agency_form(), ["", "- Vùng đồng bào dân tộc", "%", 30.2, 33.1, 35.0, ""]]
    found = problems(write(tmp_path, "chi-tieu.xlsx", rows), catalog)
    assert found == [("B17", "unknown indicator '- Vùng đồng bào dân tộc'")]


def test_a_second_table_below_the_agency_form_is_refused(tmp_path, catalog):
    rows = [*agency_form(), [], ["STT", "Doanh nghiệp", "Doanh thu", "", "", "", ""], ["1", "VNPT", 5, "", "", "", ""]]
    found = problems(write(tmp_path, "chi-tieu.xlsx", rows), catalog)
    assert [cell for cell, _ in found] == ["B18"] and "second table" in found[0][1]


def test_the_years_plan_column_is_ignored_in_the_single_year_form(tmp_path, catalog):
    rows = [["STT", "Chỉ tiêu", "ĐVT", "Năm 2020", "Kế hoạch năm 2020"], ["1", "Số trạm BTS", "trạm", 1_250, 1_300]]
    values, _ = read(write(tmp_path, "bao-cao.xlsx", rows), catalog)
    assert values == {(2020, "bts_stations", ""): (1_250.0, False, "D2")}


# --- number notation decided for the table ------------------------------------------------------------


def test_english_thousands_pasted_from_a_web_page_are_read_for_the_whole_table(tmp_path, catalog):
    rows = [["STT", "Chỉ tiêu", "ĐVT", "2020"], ["1", "Thuê bao di động", "máy", "1,234,567"],
            ["2", "Thuê bao internet băng rộng cố định", "máy", "182,340"]]
    values, _ = read(write(tmp_path, "web.xlsx", rows), catalog)
    assert values[(2020, "fixed_broadband_subscribers", "")][0] == 182_340


def test_thousands_of_a_count_in_its_own_unit_are_read_but_of_a_rate_refused(tmp_path, catalog):
    rows = [["STT", "Chỉ tiêu", "ĐVT", "2020"], ["1", "Thuê bao internet băng rộng cố định", "máy", "182,340"]]
    values, _ = read(write(tmp_path, "web.xlsx", rows), catalog)
    assert values[(2020, "fixed_broadband_subscribers", "")][0] == 182_340
    rows.append(["2", "Tỷ lệ người sử dụng Internet", "%", "66,412"])
    found = problems(write(tmp_path / "b", "web.xlsx", rows), catalog)
    assert [cell for cell, _ in found] == ["D3"]


def test_thousands_in_a_scaled_unit_are_not_certain_and_refused(tmp_path, catalog):
    rows = [["STT", "Chỉ tiêu", "ĐVT", "2020"], ["1", "Thuê bao internet băng rộng cố định", "nghìn thuê bao", "182,340"]]
    found = problems(write(tmp_path, "web.xlsx", rows), catalog)
    assert [cell for cell, _ in found] == ["D2"]


def test_one_english_text_among_numbers_typed_as_numbers_is_refused(tmp_path, catalog):
    rows = [["STT", "Chỉ tiêu", "ĐVT", "2020"], ["1", "Thuê bao di động", "thuê bao", "1,234,567"],
            ["2", "Số trạm BTS", "trạm", 1_250]]
    assert [cell for cell, _ in problems(write(tmp_path, "web.xlsx", rows), catalog)] == ["D2"]


def test_a_table_in_both_notations_is_refused_cell_by_cell(tmp_path, catalog):
    rows = [["STT", "Chỉ tiêu", "ĐVT", "2020"], ["1", "Thuê bao di động", "thuê bao", "1,234,567"],
            ["2", "Tỷ lệ người sử dụng Internet", "%", "66,4"], ["3", "Số trạm BTS", "trạm", "1,250"]]
    found = problems(write(tmp_path, "web.xlsx", rows), catalog)
    assert {cell for cell, _ in found} == {"D2", "D4"}
