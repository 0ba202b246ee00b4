"""`ictanalysis layout suggest`: a first layout for a sheet nothing reads, that reads it or says what is left to fill in.

Every case builds a real workbook with openpyxl, asks for a suggestion, checks that the printed
YAML parses to the layout described, writes it to a layouts folder and reads the raw folder with
it through the ingest stage.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import write_rows

from ictanalysis.catalog import CatalogError
from ictanalysis.cli import main
from ictanalysis.errors import ExitCode, InputError, UsageError
from ictanalysis.ingest import clean
from ictanalysis.layouts import load_layouts
from ictanalysis.suggest import suggest_layout

ROOT = Path(__file__).resolve().parents[1]


def _parsed(suggestion) -> dict:
    """Return the suggestion's YAML as read back, after checking that it holds exactly the fields suggested."""
    parsed = yaml.safe_load(str(suggestion))
    assert parsed == {key: list(value) if isinstance(value, tuple) else value for key, value in suggestion.fields.items()}
    return parsed


def _saved(tmp_path: Path, suggestion, extra: str = "") -> Path:
    """Write the suggestion (and `extra` lines) as the project's layout file; return the layouts folder."""
    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    (folder / f"{suggestion.fields['id']}.yaml").write_text(str(suggestion) + "\n" + extra, encoding="utf-8")
    return folder


def _values(table) -> dict:
    return {(r.indicator, r.area, r.operator, r.year): r.value for r in table.itertuples()}


BTS_ROWS = [
    ["VNPT NINH THUẬN - BÁO CÁO TRẠM BTS NĂM 2020"],
    ["Đơn vị tính: trạm"],
    ["STT", "Địa bàn", "Trạm BTS 4G", "Trạm 5G"],
    [1, "Ninh Sơn", 22, 1],
    [2, "H. Bác Ái", 9, 0],
    ["", "Cộng", 31, 1],
]


def test_known_headers_are_matched_and_an_unknown_one_is_left_to_fill_in(tmp_path):
    path = write_rows(tmp_path / "raw/2020/vnpt_tram_2020.xlsx", {"Trạm": BTS_ROWS})
    suggestion = suggest_layout(path)
    assert _parsed(suggestion) == {
        "id": "vnpt-tram", "description": "VNPT NINH THUẬN - BÁO CÁO TRẠM BTS NĂM 2020", "files": ["vnpt_tram_*"],
        "rows": "area", "label_headers": ["Địa bàn"], "unit": "trạm", "operator": "VNPT",
    }  # fmt: skip
    text = str(suggestion)
    assert "#   C3 'Trạm BTS 4G' → bts_4g_stations" in text
    assert '#   TODO_indicator_id: ["Trạm 5G"]  # D3' in text
    assert ("# Read with this layout: 3 values and 1 problem; still to fill in:\n"
            "#   - cell D3: column header 'Trạm 5G' names no indicator the catalog knows") in text  # fmt: skip


def test_the_suggested_layout_names_what_is_left_and_reads_the_sheet_once_it_is_filled_in(tmp_path):
    path = write_rows(tmp_path / "raw/2020/vnpt_tram_2020.xlsx", {"Trạm": BTS_ROWS})
    suggestion = suggest_layout(path)
    layouts = _saved(tmp_path, suggestion)
    with pytest.raises(InputError) as caught:
        clean(tmp_path / "raw", None, layout_dirs=[layouts])
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.cell) == ("Trạm", "D3")
    assert "layout 'vnpt-tram'" in problem.expected
    layouts = _saved(tmp_path, suggestion, 'ignore_columns: ["Trạm 5G"]\n')
    result = clean(tmp_path / "raw", None, layout_dirs=[layouts])
    assert result.sheets == {"2020/vnpt_tram_2020.xlsx › Trạm": "vnpt-tram"}
    assert _values(result.table) == {("bts_4g_stations", "585", "VNPT", 2020): 22,
                                     ("bts_4g_stations", "584", "VNPT", 2020): 9,
                                     ("bts_4g_stations", "58", "VNPT", 2020): 31}  # fmt: skip


def test_an_indicator_table_gets_its_value_column_and_the_columns_to_ignore(tmp_path):
    path = write_rows(tmp_path / "raw/2020/tong-ket-2020.xlsx", {"Báo cáo": [
        ["TỔNG KẾT NĂM 2020"],
        ["TT", "Nội dung báo cáo", "ĐVT", "Chỉ tiêu giao", "Số liệu năm 2020"],
        ["1", "Dịch vụ công trực tuyến mức 4", "thủ tục", 400, "555*"],
        ["2", "Doanh thu bưu chính", "tỷ đồng", 120, "135,1"],
        ["3", "Số điểm cầu", "điểm cầu", 40, 47],
    ]})  # fmt: skip
    suggestion = suggest_layout(path)
    parsed = _parsed(suggestion)
    assert (parsed["rows"], parsed["label_headers"]) == ("indicator", ["Nội dung báo cáo"])
    assert (parsed["value_headers"], parsed["ignore_columns"]) == (["Số liệu năm {year}"], ["Chỉ tiêu giao"])
    assert "# Read with this layout: 3 values, no problem." in str(suggestion)
    assert "#   B3 'Dịch vụ công trực tuyến mức 4' → online_services_level4" in str(suggestion)
    result = clean(tmp_path / "raw", None, layout_dirs=[_saved(tmp_path, suggestion)])
    values = {r.indicator: r.value for r in result.table.itertuples()}
    assert values == {"online_services_level4": 555, "postal_revenue": pytest.approx(135.1e9), "videoconference_endpoints": 47}


def test_a_blank_label_header_is_found_by_its_unit_header_and_wins_over_the_bundled_layout_of_the_file(tmp_path):
    rows = [["Thuê bao"], ["", "ĐVT", "2019", "2020"], ["Thuê bao di động", "thuê bao", 652_600, 668_400]]
    path = write_rows(tmp_path / "raw/2020/nien-giam-2020.xlsx", {"TB": rows})
    assert clean(tmp_path / "raw", None).sheets == {"2020/nien-giam-2020.xlsx › TB": "gso-yearbook"}  # the form
    suggestion = suggest_layout(path)
    parsed = _parsed(suggestion)
    assert (parsed["label_headers"], parsed["unit_headers"], parsed["files"]) == ([""], ["ĐVT"], ["nien-giam-*"])
    assert "value_headers" not in parsed  # the years are the columns
    result = clean(tmp_path / "raw", None, layout_dirs=[_saved(tmp_path, suggestion)])
    assert result.sheets == {"2020/nien-giam-2020.xlsx › TB": "nien-giam"}
    assert _values(result.table) == {("mobile_subscribers", "58", "", 2019): 652_600,
                                     ("mobile_subscribers", "58", "", 2020): 668_400}  # fmt: skip


def test_rows_computed_from_the_others_are_named_as_a_derived_section_to_add(tmp_path):
    suggestion = suggest_layout(ROOT / "data/raw/2020/nien-giam-thong-ke-2020.ods")
    text = str(suggestion)
    assert "# Note: layout 'gso-yearbook' already reads this sheet without a problem" in text
    assert "#   - cell A9: unknown indicator 'Số thuê bao điện thoại - Telephone subscribers'" in text
    assert '#   derived_sections: ["Chỉ số phát triển"]' in text
    raw = tmp_path / "raw/2020"
    raw.mkdir(parents=True)
    (raw / "nien-giam-thong-ke-2020.ods").write_bytes((ROOT / "data/raw/2020/nien-giam-thong-ke-2020.ods").read_bytes())
    layouts = _saved(tmp_path, suggestion, 'derived_sections: ["Chỉ số phát triển"]\n')
    result = clean(tmp_path / "raw", None, layout_dirs=[layouts])
    assert set(result.sheets.values()) == {"nien-giam-thong-ke"}
    bundled = clean(tmp_path / "raw", None).table
    assert sorted(result.table["value"]) == sorted(bundled["value"])


def test_empty_value_cells_are_named_with_what_to_write_when_they_are_not_zeros(tmp_path):
    rows = [["Đơn vị tính: trạm"], ["Địa bàn", "Trạm BTS 4G", "Trạm BTS 3G"], ["Ninh Sơn", 22, ""], ["Bác Ái", 9, 4]]
    path = write_rows(tmp_path / "raw/2020/tram-2020.xlsx", {"Trạm": rows})
    suggestion = suggest_layout(path)
    assert ("# Read with this layout: 4 values, no problem.\n"
            "#   - 1 empty value cell (C3) read as 0: write blank: missing") in str(suggestion)  # fmt: skip
    result = clean(tmp_path / "raw", None, layout_dirs=[_saved(tmp_path, suggestion, "blank: missing\n")])
    assert len(result.table) == 3


def test_the_first_sheet_no_layout_reads_is_described_and_named(tmp_path):
    path = write_rows(tmp_path / "raw/2020/tong-hop-2020.xlsx", {
        "Dân số": [["Địa bàn", "Dân số (người)"], ["Bác Ái", 28_000]],  # the bundled area-table reads it
        "Trạm": BTS_ROWS,
    })  # fmt: skip
    suggestion = suggest_layout(path)
    parsed = _parsed(suggestion)
    assert (parsed["id"], parsed["files"], parsed["sheets"]) == ("tong-hop-tram", ["tong-hop-*"], ["Trạm*"])
    assert "# Other sheets: 'Dân số' (--sheet NAME describes one)." in str(suggestion)
    named = suggest_layout(path, sheet="Dân số")
    assert "# Note: layout 'area-table' already reads this sheet without a problem" in str(named)


def test_labels_that_name_nothing_leave_rows_to_fill_in_and_the_layout_says_so_when_loaded(tmp_path):
    path = write_rows(tmp_path / "raw/2020/xa-2020.xlsx", {"Xã": [
        ["Tên xã", "Dân số (người)"], ["Xã Phước Đại", 5_000], ["Xã Phước Tiến", 4_000]]})  # fmt: skip
    suggestion = suggest_layout(path)
    assert "rows" not in _parsed(suggestion)
    text = str(suggestion)
    assert "# Not read with this layout yet: fill in rows" in text
    assert "# TODO rows: none of the row labels ('Xã Phước Đại', 'Xã Phước Tiến', …)" in text
    with pytest.raises(CatalogError, match="needs `rows` and `label_headers`"):
        load_layouts(_saved(tmp_path, suggestion))


def test_a_suggested_id_is_one_no_layout_has(tmp_path):
    path = write_rows(tmp_path / "area-table.xlsx", {"Trạm": BTS_ROWS})
    assert suggest_layout(path).fields["id"] == "area-table-2"


def test_a_sheet_that_is_not_there_is_a_usage_error_naming_the_sheets(tmp_path):
    path = write_rows(tmp_path / "a.xlsx", {"Trạm": BTS_ROWS})
    with pytest.raises(UsageError, match=r"a\.xlsx has no sheet 'BTS'; its sheets are 'Trạm'"):
        suggest_layout(path, sheet="BTS")


def test_a_sheet_without_a_table_is_an_input_error(tmp_path):
    path = write_rows(tmp_path / "a.xlsx", {"Ghi chú": [["Số liệu gửi sau"], ["Người lập biểu"]]})
    with pytest.raises(InputError, match="no table was found on the sheet; expected a header row"):
        suggest_layout(path)


# --- the command ----------------------------------------------------------------------------------------------------


def test_the_command_prints_the_yaml_and_writes_nothing(tmp_path, capsys):
    path = write_rows(tmp_path / "raw/2020/vnpt_tram_2020.xlsx", {"Trạm": BTS_ROWS})
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["layout", "suggest", str(path)]) == ExitCode.OK
    out, err = capsys.readouterr()
    assert err == ""
    assert yaml.safe_load(out)["label_headers"] == ["Địa bàn"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_the_command_printed_into_the_layouts_folder_makes_a_layout_that_reads_the_sheet(tmp_path, capsys):
    path = write_rows(tmp_path / "raw/2020/nien-giam-2020.xlsx", {"TB": [
        ["", "ĐVT", "2019", "2020"], ["Thuê bao di động", "thuê bao", 652_600, 668_400]]})  # fmt: skip
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    target = layouts / "nien-giam.yaml"
    target.touch()  # what `> layouts/nien-giam.yaml` does before the command starts
    assert main(["layout", "suggest", str(path), "--layouts", str(layouts)]) == ExitCode.OK
    target.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["clean", "--check", "--raw", str(tmp_path / "raw"), "--layouts", str(layouts)]) == ExitCode.OK
    assert "read 2020/nien-giam-2020.xlsx › TB with layout nien-giam" in capsys.readouterr().out


def test_the_command_takes_a_sheet(tmp_path, capsys):
    path = write_rows(tmp_path / "b.xlsx", {"Khác": [["x"]], "Trạm": BTS_ROWS})
    assert main(["layout", "suggest", str(path), "--sheet", "Trạm"]) == ExitCode.OK
    assert yaml.safe_load(capsys.readouterr().out)["sheets"] == ["Trạm*"]


@pytest.mark.parametrize(
    ("content", "code", "said"),
    [
        (b"STT;Dia ban\n1;Bac Ai\n", ExitCode.INPUT, "error: 1 problem in the input:\n  - bad.xlsx: cannot be read as a .xlsx"),
        (None, ExitCode.INPUT, "error: 1 problem in the input:\n  - bad.xlsx: cannot be opened"),
    ],
)  # fmt: skip
def test_a_file_the_command_cannot_read_is_an_input_error(tmp_path, capsys, content, code, said):
    path = tmp_path / "bad.xlsx"
    if content is not None:
        path.write_bytes(content)
    assert main(["layout", "suggest", str(path)]) == code
    _, err = capsys.readouterr()
    assert err.startswith(said)
    assert "Traceback" not in err


def test_an_unknown_sheet_is_exit_2_and_an_unknown_action_too(tmp_path, capsys):
    path = write_rows(tmp_path / "a.xlsx", {"Trạm": BTS_ROWS})
    assert main(["layout", "suggest", str(path), "--sheet", "Nope"]) == ExitCode.USAGE
    assert "has no sheet 'Nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["layout", "write", str(path)])
    assert exited.value.code == ExitCode.USAGE
