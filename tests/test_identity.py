"""Whose workbook it is: a title naming another province is refused naming its cell.

The district table of tests/conftest.py (`write_district_table`) has the sender in A1
("SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN") and the title in A2, above its header on row 5;
the run is for Ninh Thuận (58). Province names are matched after folding, as whole words,
against the catalog's provinces.
"""

from __future__ import annotations

import unicodedata

import pytest

from ictanalysis.errors import InputError
from ictanalysis.ingest import clean

SHEET = "TB cố định - Internet"
OTHER_SENDER = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG BÌNH THUẬN"

OTHER_PROVINCE_TITLES = {  # cells, the cell named, the province named
    "the sender": ({"A1": OTHER_SENDER}, "A1", "Bình Thuận"),
    "the sender, NFD": ({"A1": unicodedata.normalize("NFD", OTHER_SENDER)}, "A1", "Bình Thuận"),
    "the sender, without diacritics": ({"A1": "SO THONG TIN VA TRUYEN THONG BINH THUAN"}, "A1", "Bình Thuận"),
    "the sender, in lower case": ({"A1": "Sở TT&TT tỉnh Khánh Hoà"}, "A1", "Khánh Hòa"),
    "an operator's branch": ({"A1": "VIETTEL BÌNH THUẬN"}, "A1", "Bình Thuận"),
    "the title": ({"A1": None, "A2": "BÁO CÁO THUÊ BAO CỐ ĐỊNH TỈNH BÌNH THUẬN NĂM 2020"}, "A2", "Bình Thuận"),
    "on the province's ground": ({"A1": None, "A2": "SỐ THUÊ BAO TRÊN ĐỊA BÀN BÌNH THUẬN NĂM 2020"}, "A2", "Bình Thuận"),
    "an UBND letterhead": ({"A1": "UBND TỈNH BÌNH THUẬN"}, "A1", "Bình Thuận"),
}


@pytest.mark.parametrize(("cells", "cell", "named"), OTHER_PROVINCE_TITLES.values(), ids=OTHER_PROVINCE_TITLES.keys())
def test_a_title_naming_another_province_is_refused_naming_the_cell(raw_2020, district_table, cells, cell, named):
    district_table(raw_2020 / "2020/x.xlsx", cells)
    with pytest.raises(InputError) as caught:
        clean(raw_2020, out_dir=None)
    (problem,) = caught.value.problems
    assert (problem.file, problem.sheet, problem.cell) == ("2020/x.xlsx", SHEET, cell)
    assert f"names the province {named}" in problem.message and "Ninh Thuận (58)" in problem.message
    assert "Ninh Thuận" in problem.expected


PASSING_TITLES = {
    "the run's province": {},
    "the run's province, NFD": {"A1": unicodedata.normalize("NFD", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN")},
    "no province": {"A1": "BÁO CÁO SỐ LIỆU", "A2": "THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH NĂM 2020"},
    "the run's province beside another": {"A2": "SO SÁNH NINH THUẬN VÀ BÌNH THUẬN NĂM 2020"},
    "a district whose name holds a province's inside its words": {"A2": "TRẠM NINH SƠN LẮP ĐẶT NĂM 2020"},
    "the sender's district": {"A1": "VNPT HUYỆN THUẬN NAM"},
    "an enterprise's head office address": {"A1": "TỔNG CÔNG TY VIỄN THÔNG MOBIFONE - Số 1 Phạm Văn Bạch, Cầu Giấy, Hà Nội"},
    "an enterprise's legal name holding a province": {"A1": "CÔNG TY CỔ PHẦN VIỄN THÔNG HÀ NỘI (VIETNAMOBILE)"},
    "an address line of its own": {"A1": "Số 12 Trần Phú, Hà Nội"},
}


@pytest.mark.parametrize("cells", PASSING_TITLES.values(), ids=PASSING_TITLES.keys())
def test_a_title_naming_the_runs_province_or_none_passes(raw_2020, district_table, cells):
    district_table(raw_2020 / "2020/x.xlsx", cells)
    assert len(clean(raw_2020, out_dir=None).table) == 16


def test_the_same_title_is_right_for_a_run_of_the_province_it_names(raw_2020, district_table):
    district_table(raw_2020 / "2020/x.xlsx", {"A1": OTHER_SENDER, "B7": "Thành phố Phan Thiết", "B8": "Tuy Phong",
                                              "B9": "Bắc Bình", "B10": "Hàm Thuận Bắc", "B11": "Hàm Thuận Nam",
                                              "B12": "Tánh Linh", "B13": "Đức Linh"})  # fmt: skip
    table = clean(raw_2020, out_dir=None, province="60").table
    assert set(table["area"]) >= {"60"}


BINH_THUAN_DISTRICTS = {"A1": "VNPT", "B7": "Thành phố Phan Thiết", "B8": "Tuy Phong", "B9": "Bắc Bình",
                        "B10": "Hàm Thuận Bắc", "B11": "Hàm Thuận Nam", "B12": "Tánh Linh", "B13": "Đức Linh"}  # fmt: skip


def test_a_workbook_listing_another_provinces_districts_is_refused_naming_that_province(raw_2020, district_table):
    district_table(raw_2020 / "2020/x.xlsx", BINH_THUAN_DISTRICTS)  # no province in its title
    with pytest.raises(InputError) as refused:
        clean(raw_2020, out_dir=None)
    problems = {p.cell: p for p in refused.value.problems}
    assert set(problems) == {f"B{row}" for row in range(7, 14)}
    assert problems["B8"].message == "'Tuy Phong' is not a district of Ninh Thuận (58) but of Bình Thuận (60)"
    assert problems["B8"].expected.startswith("the workbooks of Ninh Thuận only: take this file out of the raw folder")


def test_a_district_name_several_provinces_have_names_a_few_of_them(raw_2020, district_table):
    district_table(raw_2020 / "2020/x.xlsx", {"B9": "Châu Thành"})
    with pytest.raises(InputError) as refused:
        clean(raw_2020, out_dir=None)
    (problem,) = refused.value.problems
    assert problem.cell == "B9" and problem.message.startswith("'Châu Thành' is not a district of Ninh Thuận (58) but of ")
    assert problem.message.endswith(", …") and problem.message.count("(") == 4  # the run's and three others


def test_a_district_agencys_report_is_refused_unless_a_layout_states_its_district(raw_2020, tmp_path):
    """"UBND HUYỆN NINH HẢI" above indicator rows: read without its district, its figures would be the province's."""
    from conftest import write_rows

    write_rows(raw_2020 / "2020/bc-huyen.xlsx", {"Sheet1": [
        ["UBND HUYỆN NINH HẢI"], ["BÁO CÁO SỐ LIỆU NĂM 2020"],
        ["TT", "Chỉ tiêu", "ĐVT", "Năm 2020"], [1, "Số trạm BTS", "trạm", 68]]})  # fmt: skip
    with pytest.raises(InputError) as refused:
        clean(raw_2020, out_dir=None)
    (problem,) = refused.value.problems
    assert problem.cell == "A1" and problem.message.startswith("the title 'UBND HUYỆN NINH HẢI' names the district "
                                                               "Ninh Hải (586), but the table has no district rows")
    assert '`area: "586"`' in problem.expected
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "huyen.yaml").write_text("id: huyen\ndescription: x\nfiles: ['bc-huyen*']\nrows: indicator\n"
                                        "area: '586'\nlabel_headers: [Chỉ tiêu]\nunit_headers: [ĐVT]\n"
                                        "value_headers: ['Năm {year}']\n", encoding="utf-8")  # fmt: skip
    table = clean(raw_2020, out_dir=None, layout_dirs=[layouts]).table
    assert table[["indicator", "area", "value"]].values.tolist() == [["bts_stations", "586", 68.0]]
