"""The map of a year is the units in force on its 31 December: the catalog's lookups and the ingest across 2025.

2024's map has Khánh Hòa (56) and Ninh Thuận (58) with their districts; 2025's the new Khánh Hòa (56)
with its 65 communes and no districts. Workbooks are written in tmp_path in the form of the bundled
district table (tests/conftest.py), read by the real `clean`, and each refusal names file, sheet and cell.
"""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest
from conftest import BUNDLED_RAW, DISTRICT_TABLE_ROWS, DISTRICT_TABLE_SHEET

from ictanalysis.catalog import load_catalog
from ictanalysis.errors import InputError, UsageError
from ictanalysis.ingest import clean

NEW_DEPARTMENT = "SỞ KHOA HỌC VÀ CÔNG NGHỆ KHÁNH HÒA"
# Seven communes of the new Khánh Hòa (catalog/communes.csv), written the ways senders write them.
COMMUNES = {"B7": "Phường Phan Rang", "B8": "Xã Bác Ái Tây", "B9": "X. Bác Ái Đông", "B10": "P. Đô Vinh",
            "B11": "Đặc khu Trường Sa", "B12": "Xã Ninh Hải", "B13": "Phường Nha Trang"}  # fmt: skip
COMMUNE_CODES = ["22759", "22786", "22801", "22738", "22736", "22852", "22366"]
# The table of data/raw 2019 and 2020 as `clean` gave it before the map in time (sorted, as CSV): 670 values.
BUNDLED_TABLE_SHA256 = "0aed8008096b94b52159d6f595decbd862cc847000bc275b7170d57a29c61270"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _workbook(district_table, raw, year: int, cells: dict | None = None):
    """Write the district table into raw/<year>/ with its title's year set to `year`."""
    title = f"BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH NĂM {year}"
    return district_table(raw / str(year) / f"thue-bao-{year}.xlsx", {"A2": title, **(cells or {})})


def _problems(raw, province: str = "56") -> list[str]:
    with pytest.raises(InputError) as caught:
        clean(raw, out_dir=None, province=province)
    return [str(p) for p in caught.value.problems]


def _at(problems: list[str], year: int, cell: str) -> str:
    prefix = f"{year}/thue-bao-{year}.xlsx, sheet '{DISTRICT_TABLE_SHEET}', cell {cell}: "
    found = [p for p in problems if p.startswith(prefix)]
    assert len(found) == 1, problems
    return found[0].removeprefix(prefix)


# --- the catalog ----------------------------------------------------------------------------------


def test_a_code_names_the_unit_of_the_years_map(catalog):
    assert catalog.area("56", 2024).valid_to.isoformat() == "2025-06-11"
    assert catalog.area("56", 2025).valid_from.isoformat() == "2025-06-12"
    assert catalog.area("58", 2024).name == "Ninh Thuận" and catalog.area("58", 2025) is None
    assert catalog.area("586", 2024).name == "Ninh Hải" and catalog.area("586", 2025) is None
    assert catalog.area("22786", 2025).level == "commune" and catalog.area("22786", 2025).parent == "56"


def test_the_territory_of_the_merged_province_is_its_predecessors_before_2025(catalog):
    assert catalog.territory("56", 2025) == ("56",)
    assert catalog.territory("56", 2024) == ("56", "58")
    assert catalog.territory("58", 2020) == ("58",) and catalog.territory("58", 2025) == ()
    assert catalog.territory("01", 2020) == ("01",) == catalog.territory("01", 2025)


def test_subunits_are_districts_before_2025_and_communes_from_2025(catalog):
    before, after = catalog.subunits("56", 2024), catalog.subunits("56", 2025)
    assert {a.level for a in before} == {"district"} and {a.parent for a in before} == {"56", "58"}
    assert len(after) == 65 and {a.level for a in after} == {"commune"}
    assert [a.code for a in catalog.districts("58", 2020)] == ["582", "584", "585", "586", "587", "588", "589"]
    assert [a.code for a in catalog.districts("56", 2024)] == [a.code for a in before if a.parent == "56"]
    assert catalog.districts("56", 2025) == [] and catalog.districts("58", 2025) == []
    assert len(catalog.provinces(2024)) == 63 and len(catalog.provinces(2025)) == 34


def test_the_provinces_of_both_maps_are_accepted(catalog):
    assert catalog.check_province("56") == "56" and catalog.check_province("58") == "58"
    assert len({catalog.check_province(a.code) for a in catalog.provinces(2025)}) == 34
    with pytest.raises(UsageError):
        catalog.check_province("99")


@pytest.mark.parametrize(
    ("label", "year", "code"),
    [("Ninh Thuận", 2024, "58"), ("Tỉnh Ninh Thuận", 2024, "58"), ("H. Ninh Hải", 2024, "586"),
     ("Cam Ranh", 2024, "569"), ("Phường Phan Rang", 2025, "22759"), ("P. Phan Rang", 2025, "22759"),
     ("Xã Bác Ái Tây", 2025, "22786"), ("Bác Ái Tây", 2025, "22786"), ("Đặc khu Trường Sa", 2025, "22736"),
     ("Khánh Hòa", 2025, "56"),
     ("Ninh Thuận", 2025, None), ("H. Ninh Hải", 2025, None), ("Phường Phan Rang", 2024, None),
     ("Bác Ái", 2025, None)],  # a commune's bare name that a former district had: the row may be the district's
)  # fmt: skip
def test_find_area_looks_in_the_years_map(catalog, label, year, code):
    found = catalog.find_area(label, province="56", year=year)
    assert (found and found.code) == code


def test_the_ninh_thuan_lookups_of_2019_and_2020_are_unchanged(catalog):
    for label, district in zip([r[0] for r in DISTRICT_TABLE_ROWS], "2456789", strict=True):
        assert catalog.find_area(label, province="58", year=2020).code == "58" + district
        assert catalog.find_area(label, province="58").code == "58" + district
    assert catalog.find_area("Tỉnh Ninh Thuận", province="58", year=2019).code == "58"


# --- reading workbooks ----------------------------------------------------------------------------


def test_a_2024_workbook_of_ninh_thuan_districts_is_read_for_the_new_khanh_hoa(tmp_path, district_table):
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2024)
    table = clean(raw, out_dir=None, province="56").table
    districts = table[table["source_cell"].str[1:] != "14"]
    assert sorted(districts["area"].unique()) == ["582", "584", "585", "586", "587", "588", "589"]
    total = table[table["source_cell"] == "C14"]
    assert total["area"].tolist() == ["58"]  # the sheet's "Cộng" is Ninh Thuận's: its rows are Ninh Thuận's alone
    assert set(table["year"]) == {2024}


def test_a_2025_commune_workbook_gives_the_commune_codes_and_the_province_total(tmp_path, district_table):
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2025, {"A1": NEW_DEPARTMENT, **COMMUNES})
    table = clean(raw, out_dir=None, province="56").table
    fixed = table[table["source_cell"].str[0] == "C"].sort_values("source_cell", key=lambda c: c.str[1:].astype(int))
    assert fixed["area"].tolist() == [*COMMUNE_CODES, "56"]
    assert fixed["value"].tolist() == [float(r[1]) for r in DISTRICT_TABLE_ROWS] + [11732.0]


def test_a_2025_table_by_district_is_refused_naming_the_cell(tmp_path, district_table):
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2025, {"A1": NEW_DEPARTMENT})
    problems = _problems(raw)
    message = _at(problems, 2025, "B11")
    assert message.startswith("'Huyện Ninh Phước' is the district Ninh Phước (587), abolished on 2025-07-01 with "
                              "the district level: a 2025 table lists the communes (xã, phường, đặc khu) of the "
                              "province; expected a commune (xã, phường, đặc khu) of Khánh Hòa (56) in force in 2025 "
                              "(catalog/communes.csv); its ground is now Xã Ninh Phước")  # fmt: skip
    assert "abolished on 2025-07-01 with the district level" in _at(problems, 2025, "B7")  # Tp PR-TC
    assert _at(problems, 2025, "B8").startswith("'Bác Ái' names both the commune Xã Bác Ái (22795) and the "
                                                "district Bác Ái (584), abolished on 2025-07-01")  # fmt: skip


def test_a_former_province_in_2025_is_refused_saying_it_was_merged(tmp_path, district_table):
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2025, {"A1": NEW_DEPARTMENT, **COMMUNES, "B8": "Ninh Thuận"})
    problems = _problems(raw)
    assert len(problems) == 1
    assert _at(problems, 2025, "B8") == (
        "'Ninh Thuận' is the former province Ninh Thuận (58), merged into Khánh Hòa (56) on 2025-06-12; expected a "
        "commune (xã, phường, đặc khu) of Khánh Hòa (56) in force in 2025 (catalog/communes.csv), or the province's "
        "total row")


def test_a_new_commune_in_a_2024_table_is_refused_saying_when_it_begins(tmp_path, district_table):
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2024, {"B8": "Phường Phan Rang"})
    problems = _problems(raw)
    assert len(problems) == 1
    assert _at(problems, 2024, "B8") == (
        "'Phường Phan Rang' is the commune Phường Phan Rang (22759) of Khánh Hòa (56), which exists only from "
        "2025-07-01; expected a district of Khánh Hòa (56) or Ninh Thuận (58) in force in 2024 (catalog/areas.yaml): "
        "a 2024 table lists the districts (huyện, thị xã, thành phố), the communes of the new map only from 2025")


def test_a_2024_total_of_rows_of_both_former_provinces_is_refused(tmp_path, district_table):
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2024, {"B9": "Cam Ranh"})  # a district of the former Khánh Hòa
    assert _at(_problems(raw), 2024, "B14").startswith(
        "'Cộng': in 2024 the ground of province 56 was Khánh Hòa (56) and Ninh Thuận (58)")


def test_the_bundled_2019_2020_ninh_thuan_table_is_unchanged(tmp_path):
    raw = tmp_path / "raw"
    for year in ("2019", "2020"):
        shutil.copytree(BUNDLED_RAW / year, raw / year)
    table = clean(raw, out_dir=None).table
    table = table.sort_values(["source_file", "source_sheet", "source_cell", "year", "indicator", "area", "operator"])
    digest = hashlib.sha256(table.reset_index(drop=True).to_csv(index=False).encode()).hexdigest()
    assert len(table) == 670 and sorted(table["area"].unique()) == ["58", "582", "584", "585", "586", "587", "588", "589"]
    assert digest == BUNDLED_TABLE_SHA256, "the 2019/2020 table changed (or data/raw/generate.py did: update the digest)"


# --- a table without district rows, in a year when the province was two -------------------------------------

EXAMPLE_2024 = BUNDLED_RAW.parent / "examples" / "khanh-hoa" / "raw" / "2024"


def _postal_table(raw, title: str | None):
    """Copy the example's 2024 postal table of Ninh Thuận (rows are enterprises) into raw/2024, its A1 set to `title`."""
    import openpyxl

    path = raw / "2024" / "ninh-thuan-buu-chinh-2024.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.load_workbook(EXAMPLE_2024 / path.name)
    book.active["A1"] = title
    book.save(path)
    return path


def test_a_table_without_area_rows_is_the_former_province_its_title_names(tmp_path):
    _postal_table(tmp_path / "raw", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN")
    table = clean(tmp_path / "raw", out_dir=None, province="56").table
    assert set(table["area"]) == {"58"} and len(table) > 5


@pytest.mark.parametrize("title", [None, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG KHÁNH HÒA VÀ NINH THUẬN"])
def test_a_table_without_area_rows_whose_title_names_neither_or_both_former_provinces_is_refused(tmp_path, title):
    _postal_table(tmp_path / "raw", title)
    problems = _problems(tmp_path / "raw")
    prefix = "2024/ninh-thuan-buu-chinh-2024.xlsx, sheet 'Bưu chính', cell B4: in 2024 the ground of province 56 was "
    found = [p for p in problems if p.startswith(prefix)]
    assert len(found) == 1, problems
    assert "Khánh Hòa (56) and Ninh Thuận (58)" in found[0] and ("neither" if title is None else "both") in found[0]


def test_a_figure_of_the_year_before_the_map_changed_in_a_workbook_of_2025_is_refused(tmp_path):
    """A 2024 column beside 2025's: its area read on 2025's map would file the merged province's 2024 figure as
    the former Khánh Hòa's (56 in 2024), and Ninh Thuận's would be added to it again."""
    import openpyxl

    path = tmp_path / "raw" / "2025" / "buu-chinh-2025.xlsx"
    path.parent.mkdir(parents=True)
    book = openpyxl.load_workbook(EXAMPLE_2024.parent / "2025" / path.name)
    sheet = book.active
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))
    sheet.insert_cols(3)  # points of service: 2024 | 2025 under one merged heading
    sheet["C4"], sheet["C5"], sheet["D5"] = "Số điểm phục vụ (điểm)", "2024", "2025"
    sheet["D4"], sheet["F4"], sheet["F5"] = None, "Doanh thu (triệu đồng)", None
    for cells in ("A4:A5", "B4:B5", "C4:D4", "E4:E5", "F4:F5"):
        sheet.merge_cells(cells)
    for row in range(6, sheet.max_row + 1):
        sheet.cell(row, 3).value = sheet.cell(row, 4).value
    book.save(path)
    problems = _problems(tmp_path / "raw")
    refused = [p for p in problems if "a figure of 2024 in a workbook of 2025: the map changed" in p]
    assert refused and all(", cell C" in p for p in refused), problems
    assert refused[0].startswith("2025/buu-chinh-2025.xlsx, sheet 'Bưu chính', cell C6: ")


@pytest.mark.parametrize(("label", "commune"), [("Phường Vĩnh Hải", "Xã Vĩnh Hải"), ("Phường Ninh Hải", "Xã Ninh Hải")])
def test_a_former_communes_full_name_is_not_read_as_the_new_commune_of_another_kind(tmp_path, district_table,
                                                                                     label, commune):  # fmt: skip
    """Phường Vĩnh Hải was a ward of Nha Trang until 2025; dropping its kind word would read it as Xã Vĩnh Hải of the
    former Ninh Thuận, and its figures would go to another comparable area."""
    raw = tmp_path / "raw"
    _workbook(district_table, raw, 2025, {"A1": NEW_DEPARTMENT, **COMMUNES, "B12": label})
    problems = _problems(raw)
    assert len(problems) == 1 and f"'{label}'" in _at(problems, 2025, "B12")
    assert catalog_commune(commune)  # the new commune it would have been read as exists


def catalog_commune(name: str) -> bool:
    return any(a.full_name == name for a in load_catalog().subunits("56", 2025))


def test_a_former_province_reports_as_itself_in_its_own_years(tmp_path, district_table):
    """The former Khánh Hòa's own report of 2024 (against 2023) is its own, not the merged province's."""
    from ictanalysis.compare import compare

    table = clean(EXAMPLE_2024.parent, out_dir=None, province="56").table
    own = table[(table["year"] == 2024) & ~table["source_file"].str.contains("ninh-thuan|NinhThuan")]
    before = own.assign(year=2023, value=own["value"] * 0.9)
    cmp = compare(pd.concat([before, own], ignore_index=True), 2024, 2023, "56")
    figure = cmp.value("population", 2024)
    assert (figure.value, figure.how) == (1_250_000.0, "cell")
    assert cmp.districts() == [a.code for a in load_catalog().districts("56", 2024)]


def test_a_report_of_a_former_province_after_its_merger_is_refused_naming_its_successor():
    from ictanalysis.compare import compare

    table = clean(EXAMPLE_2024.parent, out_dir=None, province="56").table
    with pytest.raises(UsageError, match=r"there is no province 58 in 2025: Ninh Thuận \(58\) was merged into "
                                         r"Khánh Hòa \(56\) on 2025-06-12; report 2025 with --province 56"):
        compare(table, 2025, 2024, "58")
