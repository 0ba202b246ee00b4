"""The ingest stage on broken input.

Each test writes real workbooks into `<tmp>/raw/2020/`, breaks one thing, runs the real
`clean` (and, for a few, the real command line) and checks that the run fails with an
InputError whose problem names the file, sheet and cell and says what was found and what
was expected; that nothing is written; and that the raw files are byte-for-byte unchanged.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import stat
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from ictanalysis.errors import ExitCode, InputError, Problem
from ictanalysis.ingest import clean

SHEET = "TB cố định - Internet"  # the sheet written by the `district_table` fixture
DISTRICTS = ("Tp PR-TC", "H. Bác Ái", "Ninh Son", "NINH HẢI", "Huyện Ninh Phước", "Thuận Bắc", "H.Thuận Nam")


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture
def failing_clean(tmp_path, tree_snapshot, assert_nothing_written):
    """Return a function that runs clean on a raw folder, expects an InputError and returns its problems.

    It also checks that the raw files are unchanged and that nothing was written.
    """

    def run(raw: Path) -> list[Problem]:
        before = tree_snapshot(raw)
        out = tmp_path / "out"
        with pytest.raises(InputError) as caught:
            clean(raw, out_dir=out)
        assert tree_snapshot(raw) == before, "a raw file was changed"
        assert_nothing_written(out)
        assert caught.value.problems, "an InputError without problems"
        return caught.value.problems

    return run


@pytest.fixture
def failing_cli(tmp_path, ictanalysis_cli, tree_snapshot, assert_nothing_written):
    """Return a function that runs `ictanalysis clean` on a raw folder, expects exit 3 and returns stderr."""

    def run(raw: Path) -> str:
        before = tree_snapshot(raw)
        out = tmp_path / "cli-out"
        result = ictanalysis_cli("clean", "--raw", raw, "--out", out)
        assert result.returncode == ExitCode.INPUT == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("error: ")
        assert tree_snapshot(raw) == before, "a raw file was changed"
        assert_nothing_written(out)
        return result.stderr

    return run


def at(problems: list[Problem], cell: str, file: str = "2020/x.xlsx", sheet: str = SHEET) -> Problem:
    """Return the one problem located at `file` › `sheet` › `cell`."""
    found = [p for p in problems if (p.file, p.sheet, p.cell) == (file, sheet, cell)]
    assert len(found) == 1, f"no single problem at {file} › {sheet} › {cell}: {[str(p) for p in problems]}"
    return found[0]


def _mobile_table(path: Path, enterprises: tuple[str, str]) -> Path:
    """Write a 'TB di động' sheet like the bundled one: a 3-row header, enterprises merged over two columns."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "TB di động"
    ws["A1"], ws["A3"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN", "Đơn vị tính: thuê bao"
    ws["A5"], ws["B5"], ws["C5"] = "STT", "Đơn vị hành chính", "Thuê bao di động (thuê bao)"
    for merged in ("A5:A7", "B5:B7", "C5:F5", "C6:D6", "E6:F6"):
        ws.merge_cells(merged)
    ws["C6"], ws["E6"] = enterprises
    ws["C7"], ws["D7"], ws["E7"], ws["F7"] = "Trả trước", "Trả sau", "Trả trước", "Trả sau"
    for i, label in enumerate(DISTRICTS):
        for col, value in enumerate((i + 1, label, 100 + i, 10 + i, 50 + i, 5 + i), start=1):
            ws.cell(row=8 + i, column=col, value=value)
    ws["B15"] = "Tổng cộng"
    for col, base in zip("CDEF", (100, 10, 50, 5), strict=True):
        ws[f"{col}15"] = sum(base + i for i in range(len(DISTRICTS)))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _bts_table(path: Path, technologies: tuple[str, ...]) -> Path:
    """Write a 'Trạm BTS' sheet: one enterprise merged over its technology columns in row 6."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Trạm BTS"
    ws["A1"], ws["A3"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN", "Đơn vị tính: trạm"
    ws["A5"], ws["B5"], ws["C5"] = "STT", "Huyện/Thành phố", "VNPT"
    last = get_column_letter(2 + len(technologies))
    for merged in ("A5:A6", "B5:B6", f"C5:{last}5"):
        ws.merge_cells(merged)
    for j, tech in enumerate(technologies):
        ws.cell(row=6, column=3 + j, value=tech)
    for i, label in enumerate(DISTRICTS):
        ws.cell(row=7 + i, column=1, value=i + 1)
        ws.cell(row=7 + i, column=2, value=label)
        for j in range(len(technologies)):
            ws.cell(row=7 + i, column=3 + j, value=j + 1)
    ws["B14"] = "Tổng cộng"
    for j in range(len(technologies)):
        ws.cell(row=14, column=3 + j, value=(j + 1) * len(DISTRICTS))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# --- the factory itself -----------------------------------------------------------------------


def test_the_minimal_district_table_is_read_without_problems(raw_2020, district_table, tmp_path):
    district_table(raw_2020 / "2020/x.xlsx")
    result = clean(raw_2020, out_dir=tmp_path / "out")
    assert len(result.table) == 16  # 7 districts and the province, for 2 enterprises
    assert result.sheets == {f"2020/x.xlsx › {SHEET}": "telecom-fixed-internet"}


# --- 1. formulas ------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, formula", [("C14", "=SUM(C7:C13)"), ("D9", "=D8+D10")])
def test_formula_without_a_stored_value_is_named_by_its_cell(raw_2020, district_table, failing_clean, cell, formula):
    district_table(raw_2020 / "2020/x.xlsx", {cell: formula})
    problem = at(failing_clean(raw_2020), cell)
    assert "formula" in problem.message
    assert "stored value" in problem.message
    assert problem.expected  # says what to do: store the results


# --- 2. text where a number belongs -----------------------------------------------------------


@pytest.mark.parametrize("text", ["không rõ", "12.5", "1,234,567"])
def test_text_in_a_number_column_is_named_with_what_was_expected(raw_2020, district_table, failing_clean, text):
    district_table(raw_2020 / "2020/x.xlsx", {"D9": text})
    problem = at(failing_clean(raw_2020), "D9")
    assert repr(text) in problem.message
    assert "number" in problem.expected
    assert "1.234.567" in problem.expected  # shows the Vietnamese notation it wants


def test_text_in_a_number_column_exits_3_with_the_cell_on_stderr(raw_2020, district_table, failing_cli):
    district_table(raw_2020 / "2020/x.xlsx", {"D9": "không rõ"})
    stderr = failing_cli(raw_2020)
    assert f"2020/x.xlsx, sheet '{SHEET}', cell D9: found text 'không rõ'" in stderr


# --- 3. unknown district ----------------------------------------------------------------------


def test_unknown_district_names_the_label_cell(raw_2020, district_table, failing_clean):
    district_table(raw_2020 / "2020/x.xlsx", {"B13": "Huyện Không Tồn Tại"})
    problem = at(failing_clean(raw_2020), "B13")
    assert "unknown district 'Huyện Không Tồn Tại'" in problem.message
    assert "58" in problem.expected and "2020" in problem.expected


# --- 4. unknown enterprise --------------------------------------------------------------------


def test_unknown_enterprise_in_an_operator_header_names_the_header_cell(raw_2020, failing_clean):
    _mobile_table(raw_2020 / "2020/x.xlsx", ("VNPT (VinaPhone)", "Gtel Mobile"))
    problems = failing_clean(raw_2020)
    problem = at(problems, "E6", sheet="TB di động")
    assert "unknown enterprise 'Gtel Mobile'" in problem.message
    assert "operators.yaml" in problem.expected
    assert [p.cell for p in problems] == ["E6"]  # the known enterprise's columns are fine


def test_the_mobile_table_with_known_enterprises_is_read(raw_2020, tmp_path):
    _mobile_table(raw_2020 / "2020/x.xlsx", ("VNPT (VinaPhone)", "Viettel"))
    table = clean(raw_2020, out_dir=tmp_path / "out").table
    assert set(table["operator"]) == {"VNPT", "Viettel"}


# --- 5. duplicated keys -----------------------------------------------------------------------


def test_the_same_district_twice_in_one_table_is_a_duplicated_key(raw_2020, district_table, failing_clean):
    district_table(raw_2020 / "2020/x.xlsx", {"B13": "TP. Phan Rang - Tháp Chàm"})  # a second 582
    problem = at(failing_clean(raw_2020), "C7")
    assert "duplicated key" in problem.message
    assert "area=582" in problem.message and "operator=VNPT" in problem.message
    assert f"2020/x.xlsx › {SHEET} › C7" in problem.message
    assert f"2020/x.xlsx › {SHEET} › C13" in problem.message


def test_the_same_table_in_two_files_of_one_year_is_a_duplicated_key(raw_2020, district_table, failing_clean):
    district_table(raw_2020 / "2020/a.xlsx")
    district_table(raw_2020 / "2020/b.xlsx")
    (problem,) = failing_clean(raw_2020)  # one problem for the copied table, not one per cell
    assert (problem.file, problem.sheet) == ("2020/a.xlsx", SHEET)
    assert "duplicated key" in problem.message
    cell = problem.cell
    assert f"2020/a.xlsx › {SHEET} › {cell}" in problem.message
    assert f"2020/b.xlsx › {SHEET} › {cell}" in problem.message
    assert "more keys given again in the same places" in problem.message


# --- 6. totals --------------------------------------------------------------------------------


def test_total_that_is_not_the_sum_of_its_parts_names_the_total_cell_and_the_parts(
    raw_2020, district_table, failing_clean
):
    district_table(raw_2020 / "2020/x.xlsx", {"C14": 99})
    problems = failing_clean(raw_2020)
    problem = at(problems, "C14")
    assert "total 99" in problem.message
    assert "C7:C13" in problem.message
    assert "fixed_telephone_subscribers" in problem.message
    assert [p.cell for p in problems] == ["C14"]  # D14 is right


# --- 7. files that are not workbooks ----------------------------------------------------------

NOT_WORKBOOKS = [
    pytest.param(
        "x.xlsx", random.Random(7).randbytes(4096), "cannot be read as a .xlsx workbook", id="random-bytes-xlsx"
    ),
    pytest.param("x.xls", b"", "the file is empty (0 bytes)", id="empty-xls"),
    pytest.param("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "text", id="binary-csv"),
]


@pytest.mark.parametrize("name, content, says", NOT_WORKBOOKS)
def test_a_file_that_is_not_a_workbook_is_a_problem_naming_the_file(raw_2020, failing_clean, name, content, says):
    (raw_2020 / "2020" / name).write_bytes(content)
    (problem,) = failing_clean(raw_2020)
    assert (problem.file, problem.sheet, problem.cell) == (f"2020/{name}", "", "")
    assert says in problem.message


@pytest.mark.parametrize("name, content, says", NOT_WORKBOOKS)
def test_a_file_that_is_not_a_workbook_exits_3(raw_2020, failing_cli, name, content, says):
    (raw_2020 / "2020" / name).write_bytes(content)
    stderr = failing_cli(raw_2020)
    assert f"2020/{name}: " in stderr and says in stderr


# --- 8. a sheet no layout knows ---------------------------------------------------------------


def test_a_sheet_no_layout_recognises_is_named(raw_2020, failing_clean):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Ghi chú"
    for row in (["Danh sách thiết bị"], [], ["Mục", "Giá"], ["Máy in", 5], ["Máy chiếu", 7]):
        ws.append(row)
    book.save(raw_2020 / "2020/y.xlsx")
    (problem,) = failing_clean(raw_2020)
    assert (problem.file, problem.sheet) == ("2020/y.xlsx", "Ghi chú")
    assert "no layout recognises this sheet" in problem.message
    assert "layout" in problem.expected


# --- 9. all problems of a run together --------------------------------------------------------


def _two_broken_files(raw: Path, district_table) -> None:
    district_table(raw / "2020/a.xlsx", {"D9": "không rõ"})
    (raw / "2020/b.xlsx").write_bytes(b"this is not a zip archive")


def test_all_problems_of_a_run_come_in_one_error(raw_2020, district_table, failing_clean):
    _two_broken_files(raw_2020, district_table)
    problems = failing_clean(raw_2020)
    assert at(problems, "D9", file="2020/a.xlsx").message.startswith("found text 'không rõ'")
    assert at(problems, "", file="2020/b.xlsx", sheet="").message.startswith("cannot be read")


def test_all_problems_of_a_run_are_printed_by_the_command(raw_2020, district_table, failing_cli):
    _two_broken_files(raw_2020, district_table)
    stderr = failing_cli(raw_2020)
    assert f"  - 2020/a.xlsx, sheet '{SHEET}', cell D9: found text 'không rõ'" in stderr
    assert "  - 2020/b.xlsx: cannot be read as a .xlsx workbook" in stderr


# --- 10. dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [dt.date(2020, 5, 1), dt.datetime(2020, 12, 31, 8, 30)], ids=["date", "datetime"])
def test_a_date_where_a_number_belongs_is_named(raw_2020, district_table, failing_clean, value):
    district_table(raw_2020 / "2020/x.xlsx", {"D9": value})
    problem = at(failing_clean(raw_2020), "D9")
    assert "date" in problem.message
    assert value.strftime("%Y-%m-%d") in problem.message
    assert "number" in problem.expected


# --- 11. a header that names no indicator -----------------------------------------------------


def test_a_header_naming_no_indicator_in_a_specific_layout_is_named(raw_2020, failing_clean):
    _bts_table(raw_2020 / "2020/x.xlsx", ("2G", "3G", "4G", "5G"))
    (problem,) = failing_clean(raw_2020)
    assert (problem.file, problem.sheet) == ("2020/x.xlsx", "Trạm BTS")
    assert problem.cell[0] == "F"  # the 5G column
    assert "'VNPT / 5G'" in problem.message and "names no indicator" in problem.message
    assert "telecom-bts" in problem.expected


def test_a_header_naming_no_indicator_names_the_cell_with_the_unknown_text(raw_2020, failing_clean):
    _bts_table(raw_2020 / "2020/x.xlsx", ("2G", "3G", "4G", "5G"))
    (problem,) = failing_clean(raw_2020)
    assert problem.cell == "F6"


# --- 12. units --------------------------------------------------------------------------------


def test_a_unit_that_cannot_be_converted_is_named(raw_2020, district_table, failing_clean):
    district_table(raw_2020 / "2020/x.xlsx", unit="km")
    problems = failing_clean(raw_2020)
    (problem,) = problems  # once, where the unit is written: the "Đơn vị tính: km" line
    assert problem.cell == "A3"
    assert "unit 'km'" in problem.message and "'thuê bao'" in problem.message
    assert "units.yaml" in problem.expected


# --- 13. the previous good output ------------------------------------------------------------


def test_a_failed_run_keeps_the_previous_good_output(raw_2020, district_table, tmp_path):
    out = tmp_path / "out"
    district_table(raw_2020 / "2020/x.xlsx")
    clean(raw_2020, out_dir=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ["indicators.csv", "indicators.parquet"]

    district_table(raw_2020 / "2020/x.xlsx", {"D9": "không rõ"})
    with pytest.raises(InputError):
        clean(raw_2020, out_dir=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_written_table_gets_the_mode_of_any_new_file(raw_2020, district_table, tmp_path):
    reference = tmp_path / "reference"
    reference.touch()
    usual = stat.S_IMODE(reference.stat().st_mode)
    if usual == 0o600:
        pytest.skip("this umask makes every new file private")
    district_table(raw_2020 / "2020/x.xlsx")
    out = tmp_path / "out"
    clean(raw_2020, out_dir=out)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {
        "indicators.csv": usual,
        "indicators.parquet": usual,
    }


# --- raw files are only read -----------------------------------------------------------------


def test_raw_files_are_opened_read_only(bundled_raw_copy, tree_snapshot, tmp_path):
    raw = bundled_raw_copy
    before = tree_snapshot(raw)
    folders = [raw, *(p for p in raw.rglob("*") if p.is_dir())]
    files = [p for p in raw.rglob("*") if p.is_file()]
    try:
        for path in files:
            path.chmod(0o444)
        for path in folders:
            path.chmod(0o555)
        if os.geteuid() != 0:  # as root the modes do not stop writes; the snapshot below still does
            assert not os.access(files[0], os.W_OK)
        result = clean(raw, out_dir=tmp_path / "out")
    finally:
        for path in folders:
            path.chmod(0o755)
        for path in files:
            path.chmod(0o644)
    assert len(result.table) > 0
    assert tree_snapshot(raw) == before  # same bytes and the same modification times


# --- bugs found while writing these tests -----------------------------------------------------


def test_a_year_folder_without_workbooks_is_an_input_error_on_the_command_line(raw_2020, failing_cli):
    (raw_2020 / "2020/ghi-chu.txt").write_text("chưa có số liệu", encoding="utf-8")
    stderr = failing_cli(raw_2020)
    assert "2020" in stderr


def test_a_year_folder_without_workbooks_keeps_the_previous_good_output(raw_2020, district_table, tmp_path):
    out = tmp_path / "out"
    district_table(raw_2020 / "2020/x.xlsx")
    clean(raw_2020, out_dir=out)
    before = (out / "indicators.parquet").read_bytes()
    (raw_2020 / "2020/x.xlsx").unlink()
    with pytest.raises(InputError):
        clean(raw_2020, out_dir=out)
    assert (out / "indicators.parquet").read_bytes() == before


def test_an_unknown_district_in_a_detector_table_is_named_by_its_cell(raw_2020, failing_clean):
    labels = list(DISTRICTS)
    labels[2] = "Huyện Không Tồn Tại"  # line 7 of the file: cell B7
    _population_csv(raw_2020 / "2020/dan-so.csv", labels)
    problem = at(failing_clean(raw_2020), "B7", file="2020/dan-so.csv", sheet="dan-so")
    assert "unknown district" in problem.message


def test_the_detector_table_of_that_test_is_read_when_every_district_is_known(raw_2020, tmp_path):
    _population_csv(raw_2020 / "2020/dan-so.csv", DISTRICTS)
    table = clean(raw_2020, out_dir=tmp_path / "out").table
    assert len(table) == 8 and table["value"].max() == 28000


def _population_csv(path: Path, labels) -> None:
    """Write a population CSV the way Excel exports it (like data/raw/2020/dan-so-2020.csv): 1.000 × row."""
    lines = ["Dân số trung bình năm 2020;;", "Đơn vị tính: người;;", ";;", "STT;Huyện/thành phố;Dân số"]
    lines += [f'{i};{label};"{i}.000"' for i, label in enumerate(labels, start=1)]
    lines.append(';Toàn tỉnh;"28.000"')
    path.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode())


@pytest.mark.parametrize("label", [None, "=DM!A8"], ids=["blank-label", "uncached-formula-label"])
def test_a_row_with_numbers_but_no_readable_label_is_not_silently_dropped(
    raw_2020, district_table, failing_clean, label
):
    district_table(raw_2020 / "2020/x.xlsx", {"B13": label}, total=False)
    problem = at(failing_clean(raw_2020), "B13")
    assert problem.message
