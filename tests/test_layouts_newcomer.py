"""Layouts as a newcomer meets them: the README's examples read real tables, a project's layout wins, messages are whole.

The README section "Adding a new layout" is the documentation of every layout key: each of its
```yaml examples is written to a layouts folder here and reads a workbook of that form, built with
openpyxl, and every key the Layout model accepts is in its table and in an example.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import write_rows

from ictanalysis.catalog import CatalogError
from ictanalysis.cli import main
from ictanalysis.errors import InputError
from ictanalysis.ingest import clean
from ictanalysis.layouts import Layout, load_layouts

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Adding a new layout"


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n{SECTION}\n")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def _examples() -> dict[str, str]:
    """Return the section's ```yaml blocks by the id they declare."""
    blocks = re.findall(r"```yaml\n(.*?)```", _section(), flags=re.S)
    return {yaml.safe_load(block)["id"]: block for block in blocks}


EXAMPLES = _examples()


def _values(table, **key) -> dict:
    """Return {(indicator, area, operator, year): value} of the rows matching `key`."""
    rows = table
    for column, value in key.items():
        rows = rows[rows[column] == value]
    return {(r.indicator, r.area, r.operator, r.year): r.value for r in rows.itertuples()}


# --- one table for each README example, and what reading it must give ---------------------------------------------


def _vnpt_bts(raw: Path) -> None:
    write_rows(raw / "2020/vnpt_bts_2020.xlsx", {"Trạm BTS": [
        ["VNPT NINH THUẬN"],
        ["BÁO CÁO TRẠM BTS NĂM 2020"],
        ["STT", "Huyện/Thành phố", "2G", "eNodeB"],
        [1, "Ninh Sơn", 23, 22],
        [2, "H. Bác Ái", 15, "12"],
        ["", "Tổng cộng", 38, 34],
    ]})  # fmt: skip


def _check_vnpt_bts(table) -> None:
    assert _values(table) == {
        ("bts_2g_stations", "585", "VNPT", 2020): 23, ("bts_4g_stations", "585", "VNPT", 2020): 22,
        ("bts_2g_stations", "584", "VNPT", 2020): 15, ("bts_4g_stations", "584", "VNPT", 2020): 12,
        ("bts_2g_stations", "58", "VNPT", 2020): 38, ("bts_4g_stations", "58", "VNPT", 2020): 34,
    }  # fmt: skip
    assert set(table["unit"]) == {"trạm"}


def _mobile_by_district(raw: Path) -> None:
    write_rows(raw / "2020/thue-bao-di-dong-2020.xlsx", {"TB": [
        ["Đơn vị tính: thuê bao"],
        ["STT", "Địa bàn", "Mã huyện", "Trả trước", "", "Trả sau", ""],
        ["", "", "", "VNPT", "Viettel", "VNPT", "Viettel"],
        [1, "Thuận Bắc", 588, "4.210", 9120, 310, "1.002"],
        [2, "Ninh Hải", 586, 8800, "15.230", 702, 1450],
    ]}, merged={"TB": ["A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:G2"]})  # fmt: skip


def _check_mobile_by_district(table) -> None:
    assert _values(table, area="588") == {
        ("mobile_prepaid_subscribers", "588", "VNPT", 2020): 4210, ("mobile_prepaid_subscribers", "588", "Viettel", 2020): 9120,
        ("mobile_postpaid_subscribers", "588", "VNPT", 2020): 310, ("mobile_postpaid_subscribers", "588", "Viettel", 2020): 1002,
    }  # fmt: skip
    assert len(table) == 8
    assert set(table.query("area == '586' and operator == 'Viettel'")["source_cell"]) == {"E5", "G5"}


def _annual_report(raw: Path) -> None:
    write_rows(raw / "2020/bao-cao-nam-2020.xlsx", {"Báo cáo": [
        ["BÁO CÁO KẾT QUẢ NĂM 2020"],
        ["STT", "Nội dung chỉ tiêu", "Đơn vị", "Kế hoạch", "Thực hiện năm 2020", "So với kế hoạch (%)"],
        [1, "Dịch vụ công trực tuyến mức 3", "thủ tục", 500, "520", "104.0"],
        [2, "DVC mức 4", "thủ tục", 300, "555", "185.0"],
        ["", "Trong đó: qua Cổng Dịch vụ công quốc gia", "thủ tục", "", "120", ""],
        [3, "Văn bản điện tử gửi nhận qua trục liên thông", "văn bản", "10,000", "12,345", "123.5"],
        [4, "Doanh thu bưu chính", "tỷ đồng", "", "135.1", ""],
        [5, "Điểm cầu hội nghị truyền hình", "điểm cầu", 40, "", ""],
        ["", "Tỷ lệ so với năm trước (%)"],
        ["", "Doanh thu bưu chính", "%", "", "105.2", ""],
    ]})  # fmt: skip


def _check_annual_report(table) -> None:
    values = {row.indicator: row.value for row in table.itertuples()}
    assert values == {"online_services_level3": 520, "online_services_level4": 555, "edocuments_exchanged": 12_345,
                      "postal_revenue": pytest.approx(135.1e9)}  # fmt: skip
    assert set(table["source_cell"]) == {"E3", "E4", "E6", "E7"}  # not the note (E5), the blank (E8), the index (E10)


def _district_report(raw: Path) -> None:
    write_rows(raw / "2020/BC so lieu BCVT nam 2020 - Ninh Hai.xlsx", {"Sheet1": [
        ["UBND HUYỆN NINH HẢI"], ["PHÒNG VĂN HÓA VÀ THÔNG TIN"], ["BÁO CÁO SỐ LIỆU BƯU CHÍNH, VIỄN THÔNG NĂM 2020"],
        ["TT", "Tên chỉ tiêu", "Đơn vị", "Số lượng năm 2020", "Ghi chú"],
        [1, "Số điểm phục vụ bưu chính", "điểm", 15, ""],
        [2, "Số trạm BTS", "trạm", 68, ""],
        [3, "Số thuê bao internet băng rộng cố định", "thuê bao", 9949, ""],
        [], ["TRƯỞNG PHÒNG"],
    ]})  # fmt: skip


def _check_district_report(table) -> None:
    values = {(row.indicator, row.area): row.value for row in table.itertuples()}
    assert values == {("postal_service_points", "586"): 15, ("bts_stations", "586"): 68,
                      ("fixed_broadband_subscribers", "586"): 9949}  # fmt: skip


def _statistics(raw: Path) -> None:
    write_rows(raw / "2020/thong-ke-2020.xlsx", {"Viễn thông": [
        ["Số thuê bao viễn thông"],
        ["", "Đơn vị tính", "2019", "Sơ bộ 2020"],
        ["Thuê bao di động", "Nghìn thuê bao", "652,6", "668,4"],
        ["Thuê bao internet băng rộng cố định", "Nghìn thuê bao", "62,9", "76,1"],
    ]})  # fmt: skip


def _check_statistics(table) -> None:
    assert _values(table) == {
        ("mobile_subscribers", "58", "", 2019): 652_600, ("mobile_subscribers", "58", "", 2020): 668_400,
        ("fixed_broadband_subscribers", "58", "", 2019): 62_900, ("fixed_broadband_subscribers", "58", "", 2020): 76_100,
    }  # fmt: skip
    assert table.query("year == 2020")["preliminary"].all() and not table.query("year == 2019")["preliminary"].any()


def _codes(raw: Path) -> None:
    write_rows(raw / "2020/so-lieu-2020.xlsx", {
        "Danh mục": [["Mã", "Tên huyện"], [584, "Bác Ái"], [585, "Ninh Sơn"]],
        "Dân số": [["Đơn vị tính: người"], ["Địa bàn", "Dân số"], ["Bác Ái", 28_000], ["Ninh Sơn", 80_000]],
    })  # fmt: skip


def _check_codes(table) -> None:
    assert _values(table) == {("population", "584", "", 2020): 28_000, ("population", "585", "", 2020): 80_000}


SAMPLES: dict[str, tuple[Callable[[Path], None], Callable]] = {
    "vnpt-bts": (_vnpt_bts, _check_vnpt_bts),
    "tb-di-dong-huyen": (_mobile_by_district, _check_mobile_by_district),
    "bao-cao-nam": (_annual_report, _check_annual_report),
    "bc-huyen-ninh-hai": (_district_report, _check_district_report),
    "thong-ke-vien-thong": (_statistics, _check_statistics),
    "danh-muc": (_codes, _check_codes),
}


def test_every_readme_example_has_a_table_it_is_checked_on():
    assert set(EXAMPLES) == set(SAMPLES)


@pytest.mark.parametrize("layout_id", sorted(EXAMPLES))
def test_each_readme_example_reads_its_table(tmp_path, layout_id):
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / f"{layout_id}.yaml").write_text(EXAMPLES[layout_id], encoding="utf-8")
    write, check = SAMPLES[layout_id]
    write(tmp_path / "raw")
    result = clean(tmp_path / "raw", None, layout_dirs=[layouts])
    check(result.table)
    example = next(layout for layout in load_layouts(layouts) if layout.id == layout_id)
    if example.skip:
        assert result.skipped == {"2020/so-lieu-2020.xlsx › Danh mục": "marked `skip` by a layout"}
    else:
        assert set(result.sheets.values()) == {layout_id}


@pytest.mark.parametrize("layout_id", ["vnpt-bts", "tb-di-dong-huyen", "bao-cao-nam", "danh-muc"])
def test_without_its_layout_the_table_is_not_read_as_it_should_be(tmp_path, layout_id):
    write, check = SAMPLES[layout_id]
    write(tmp_path / "raw")
    try:
        result = clean(tmp_path / "raw", None)
    except InputError:
        return
    with pytest.raises(AssertionError):
        check(result.table)


def test_every_key_of_the_layout_model_is_in_the_readme_table_and_in_an_example():
    section = _section()
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M))
    used = {key for block in EXAMPLES.values() for key in yaml.safe_load(block)}
    keys = set(Layout.model_fields) - {"source"}
    assert listed == keys
    assert keys - used == set()
    assert "`source`" in section  # not written in a file: said so


def test_the_readme_says_a_blank_label_header_needs_a_unit_or_value_header():
    section = " ".join(_section().split())
    assert 'label_headers: [""]' in section
    assert "found on a row that holds one of the layout's `unit_headers` or `value_headers`" in section


# --- a project's layout wins over a bundled one ---------------------------------------------------------------------


def _yearbook(raw: Path, name: str = "nien-giam-2020.xlsx") -> Path:
    """Write a table of the statistics office's form, which the bundled gso-yearbook claims by the file's name."""
    return write_rows(raw / "2020" / name, {"Sheet1": [
        ["Số thuê bao điện thoại - Number of telephone subscribers"],
        ["", "Đơn vị tính - Unit", "2019", "Sơ bộ - Prel. 2020"],
        ["Di động - Mobile", "Nghìn thuê bao - Thous. subs.", "652,6", "668,4"],
    ]})  # fmt: skip


MY_YEARBOOK = """id: my-yearbook
description: The yearbook table, read as the department's own mobile figures
files: ["nien-giam*"]
rows: indicator
label_headers: [""]
unit_headers: [Đơn vị tính - Unit]
aliases:
  mobile_subscribers: ["Di động - Mobile"]
"""


def _layouts(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def _clean_check(capsys, raw: Path, *layouts: Path) -> tuple[int, str, str]:
    options = [arg for folder in layouts for arg in ("--layouts", str(folder))]
    code = main(["clean", "--check", "--raw", str(raw), *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_bundled_layout_reads_the_file_it_claims_when_the_project_has_none(tmp_path, capsys):
    _yearbook(tmp_path / "raw")
    code, out, err = _clean_check(capsys, tmp_path / "raw")
    assert code == 0, err
    assert "read 2020/nien-giam-2020.xlsx › Sheet1 with layout gso-yearbook" in out


def test_a_project_layout_claiming_the_same_file_as_a_bundled_one_reads_it(tmp_path, capsys):
    _yearbook(tmp_path / "raw")
    layouts = _layouts(tmp_path, **{"my-yearbook": MY_YEARBOOK})
    code, out, err = _clean_check(capsys, tmp_path / "raw", layouts)
    assert code == 0, err
    assert "read 2020/nien-giam-2020.xlsx › Sheet1 with layout my-yearbook" in out
    table = clean(tmp_path / "raw", None, layout_dirs=[layouts]).table
    assert _values(table) == {("mobile_subscribers", "58", "", 2019): 652_600, ("mobile_subscribers", "58", "", 2020): 668_400}


def test_project_layouts_come_before_the_bundled_ones_whatever_their_names(tmp_path):
    layouts = _layouts(tmp_path, **{"a-first": MY_YEARBOOK.replace("my-yearbook", "a-first")})
    ordered = [layout.id for layout in load_layouts(layouts)]
    assert ordered.index("a-first") < ordered.index("viettel-mobile-broadband") < ordered.index("area-table")


def test_a_project_layout_marked_skip_wins_over_the_bundled_layout_that_reads_the_sheet(tmp_path):
    _yearbook(tmp_path / "raw")
    layouts = _layouts(tmp_path, ignore="id: ignore\ndescription: not ours\nfiles: ['nien-giam*']\nskip: true\n")
    result = clean(tmp_path / "raw", None, layout_dirs=[layouts])
    assert result.skipped == {"2020/nien-giam-2020.xlsx › Sheet1": "marked `skip` by a layout"}
    assert result.table.empty


def test_a_project_detector_wins_over_a_bundled_detector_that_reads_the_sheet_too(tmp_path):
    write_rows(tmp_path / "raw/2020/dan-so.xlsx", {"DS": [["Địa bàn", "Dân số (người)"], ["Bác Ái", 28_000]]})
    layouts = _layouts(tmp_path, districts="id: districts\ndescription: ours\nrows: area\nlabel_headers: [Địa bàn]\n")
    result = clean(tmp_path / "raw", None, layout_dirs=[layouts])
    assert result.sheets == {"2020/dan-so.xlsx › DS": "districts"}


# --- messages are whole sentences -----------------------------------------------------------------------------------


def _problems(raw: Path, *layouts: Path) -> list:
    with pytest.raises(InputError) as caught:
        clean(raw, None, layout_dirs=layouts)
    return caught.value.problems


def test_a_bundled_layout_that_claims_a_file_but_finds_no_table_says_what_it_looks_for(tmp_path):
    write_rows(tmp_path / "raw/2020/Viettel_BRDD_2020.xlsx", {"Sheet1": [
        ["Báo cáo"], ["Chỉ tiêu", "Năm 2020"], ["Thuê bao di động", 5]]})  # fmt: skip
    (problem,) = _problems(tmp_path / "raw")
    assert problem.message == "the table of layout 'viettel-mobile-broadband' (viettel-mobile-broadband.yaml) was not found"
    assert problem.expected.startswith(
        "a header cell 'Đơn vị', 'Địa bàn' or 'Huyện/Thành phố' above the row labels; or, if the sheet is another "
        "form, a layout of your own")  # fmt: skip
    text = str(problem)
    assert not text.rstrip().endswith(("cell", "cell ", "header", "expected")), text
    assert text.endswith("writes a first one)")


def test_a_message_names_what_each_claiming_layout_looks_for(tmp_path):
    write_rows(tmp_path / "raw/2020/Viettel_BRDD_2020.xlsx", {"Sheet1": [["Chỉ tiêu", "Năm 2020"], ["Thuê bao", 5]]})
    layouts = _layouts(tmp_path, mine="id: mine\ndescription: x\nfiles: ['viettel_brdd*']\nrows: area\n"
                                      "label_headers: [Quận, Huyện]\n")  # fmt: skip
    (problem,) = _problems(tmp_path / "raw", layouts)
    assert problem.message == ("the table of none of the layouts that claim this sheet ('mine' (mine.yaml), "
                               "'viettel-mobile-broadband' (viettel-mobile-broadband.yaml)) was found")  # fmt: skip
    assert problem.expected == (
        "a header cell 'Quận' or 'Huyện' above the row labels (layout 'mine'); or a header cell 'Đơn vị', 'Địa bàn' "
        "or 'Huyện/Thành phố' above the row labels (layout 'viettel-mobile-broadband')")  # fmt: skip


def test_a_blank_label_header_without_a_header_to_be_found_by_is_refused_when_loaded(tmp_path):
    layouts = _layouts(tmp_path, lost="id: lost\ndescription: x\nfiles: ['x*']\nrows: indicator\nlabel_headers: ['']\n")
    with pytest.raises(CatalogError, match=r"lost\.yaml: a blank label header .* `unit_headers` or `value_headers`"):
        load_layouts(layouts)


def test_source_is_not_a_key_of_a_layout_file(tmp_path):
    layouts = _layouts(tmp_path, sneaky="id: sneaky\ndescription: x\nskip: true\nsheets: [x]\nsource: /etc/passwd\n")
    with pytest.raises(CatalogError, match=r"sneaky\.yaml: source: not a key"):
        load_layouts(layouts)


@pytest.mark.parametrize("layout", load_layouts(), ids=lambda layout: layout.id)
def test_what_every_bundled_layout_looks_for_is_a_whole_phrase(layout):
    if layout.skip:
        return
    said = layout.header_expectation()
    assert said.endswith(("above the row labels", "'")), said
    assert "(none listed)" not in said
    for header in (h for h in layout.label_headers if h):
        assert repr(header) in said
