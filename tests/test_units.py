"""Units on real generated workbooks: every written form of a unit statement reads alike, or is refused.

The bundled telecom revenue ("Doanh thu", vien-thong-2020.xlsx, written by data/raw/generate.py) is in
triệu đồng, stated by the line "Đơn vị tính: triệu đồng" in A3 above the table (header on row 5, values
C6:C10, total C11). Each test rewrites that statement the way a sender does (NFD text pasted from a Mac,
in parentheses, "ĐVT:", a full-width colon…) and requires the very same tidy table, or a refusal naming
the cell; never different values with exit 0.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ictanalysis.catalog import load_catalog
from ictanalysis.errors import InputError, Problem
from ictanalysis.ingest import clean

REVENUE = "Doanh thu"
TELECOM = "2020/vien-thong-2020.xlsx"
LINE = "Đơn vị tính: triệu đồng"
HEADER = "Doanh thu dịch vụ viễn thông"
TITLE = "DOANH THU DỊCH VỤ VIỄN THÔNG NĂM 2020"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture(scope="module")
def generated(tmp_path_factory, sample_generator) -> Path:
    """The 2020 workbooks of the generator (vien-thong, buu-chinh, chinh-quyen-dien-tu, yearbook…)."""
    out = tmp_path_factory.mktemp("generated")
    sample_generator.write_all(out, years=(2020,))
    return out


@pytest.fixture(scope="module")
def baseline(generated, tmp_path_factory) -> pd.DataFrame:
    """The tidy table of the generated telecom workbook as written."""
    raw = tmp_path_factory.mktemp("baseline") / "raw"
    (raw / "2020").mkdir(parents=True)
    shutil.copy(generated / TELECOM, raw / TELECOM)
    return clean(raw, out_dir=None).table


def edited(generated: Path, tmp_path: Path, name: str, sheet: str, cells: dict, insert_column=None) -> Path:
    """Copy the generated workbook `name` into `<tmp>/raw` and set `cells` of `sheet` (None empties one).

    With `insert_column`, an empty column is inserted there first (the cells right of it move one column).
    """
    raw = tmp_path / "raw"
    (raw / "2020").mkdir(parents=True, exist_ok=True)
    book = openpyxl.load_workbook(generated / name)
    ws = book[sheet]
    if insert_column:
        ws.insert_cols(insert_column)
    for cell, value in cells.items():
        ws[cell] = value
    book.save(raw / name)
    return raw


def refusals(raw: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        clean(raw, out_dir=None)
    return caught.value.problems


# --- every written form of the same unit line gives the same values -----------------------------------

UNIT_LINE_FORMS = {
    "NFC": {"A3": LINE},
    "NFD (pasted from a Mac)": {"A3": nfd(LINE)},
    "Đơn vị:": {"A3": "Đơn vị: triệu đồng"},
    "ĐVT:": {"A3": "ĐVT: triệu đồng"},
    "Đv tính:": {"A3": "Đv tính: triệu đồng"},
    "in parentheses": {"A3": f"({LINE})"},
    "full-width colon": {"A3": "Đơn vị tính：triệu đồng"},
    "double spaces": {"A3": "Đơn vị  tính:  triệu  đồng"},
    "no-break space": {"A3": "Đơn vị tính:\u00a0triệu đồng"},
    "upper case": {"A3": LINE.upper()},
    "without diacritics": {"A3": "Don vi tinh: trieu dong"},
    "NFD upper case in parentheses": {"A3": nfd("(ĐVT: TRIỆU ĐỒNG)")},
    "abbreviated tr.đ": {"A3": "ĐVT: tr.đ"},
    "triệu alone": {"A3": "Đơn vị tính: Triệu"},
    "after the title, in parentheses": {"A2": f"{TITLE} ({LINE})", "A3": None},
    "after the title, on its own line": {"A2": f"{TITLE}\n{LINE}", "A3": None},
    "on the right, below": {"A3": None, "D4": "ĐVT: Triệu đồng"},
    "in the column header's parentheses": {"A3": None, "C5": f"{HEADER} (triệu đồng)"},
    "in the column header, ĐVT:": {"A3": None, "C5": f"{HEADER} ({nfd('ĐVT')}: Tr.đ)"},
    "line and header agreeing": {"C5": f"{HEADER} (Triệu đồng)"},
}


@pytest.mark.parametrize("cells", UNIT_LINE_FORMS.values(), ids=UNIT_LINE_FORMS.keys())
def test_every_written_form_of_the_unit_line_gives_the_same_tidy_values(generated, baseline, tmp_path, cells):
    raw = edited(generated, tmp_path, TELECOM, REVENUE, cells)
    table = clean(raw, out_dir=None).table
    pd.testing.assert_frame_equal(table, baseline)
    revenue = table.query("indicator == 'telecom_revenue' and operator == 'VNPT'")
    assert revenue["value"].tolist() == [392_806.2e6]


REFUSED_FORMS = {  # (cells, the cell named, words of the message)
    "no unit at all": ({"A3": None}, "C5", "no unit"),
    "a unit line that names no unit": ({"A3": "Đơn vị tính:"}, "C5", "no unit"),
    "'Đơn vị:' naming the sender, not a unit": ({"A3": "Đơn vị: Viễn thông Ninh Thuận"}, "C5", "no unit"),
    "a unit of money the catalog cannot convert": ({"A3": "Đơn vị tính: USD"}, "A3", "'USD' cannot be converted"),
    "a unit of another kind": ({"A3": "ĐVT: thuê bao"}, "A3", "'thuê bao' cannot be converted"),
    "two unit lines that disagree": ({"D4": "(ĐVT: nghìn đồng)"}, "D4", "differs"),
    "two units in one statement": ({"A3": "Đơn vị tính: đồng; triệu đồng"}, "A3", "cannot be converted"),
    "a header unit the catalog cannot convert, over the line's": ({"C5": f"{HEADER} (USD)"}, "C5", "'USD' cannot"),
    "a header scale without its currency": ({"C5": f"{HEADER} (nghìn)"}, "C5", "'nghìn' cannot be converted"),
    "a ratio in the header": ({"C5": f"{HEADER} (triệu đồng/người)"}, "C5", "'triệu đồng/người' cannot"),
    "a ratio as the unit line": ({"A3": "ĐVT: triệu đồng/thuê bao"}, "A3", "cannot be converted"),
}

ALSO_READ = {  # the same figures, in tỷ đồng written short, or a statement that is no unit beside the line
    "a header in tỷ đ": ({"C5": f"{HEADER} (tỷ đ)"}, 1e9),
    "a header in Tỉ Đ.": ({"C5": f"{HEADER} (Tỉ Đ.)"}, 1e9),
    "a business unit named above the line": ({"A1": "Business unit: VNPT"}, 1e6),
    "a blank 'Đơn vị:' above the line": ({"A1": "Đơn vị: ___"}, 1e6),
    "a note in the header that is no unit": ({"C5": f"{HEADER} (*)"}, 1e6),
}


@pytest.mark.parametrize(("cells", "factor"), ALSO_READ.values(), ids=ALSO_READ.keys())
def test_a_unit_stated_short_or_a_statement_that_is_no_unit_reads_as_written(generated, tmp_path, cells, factor):
    table = clean(edited(generated, tmp_path, TELECOM, REVENUE, cells), out_dir=None).table
    revenue = table.query("indicator == 'telecom_revenue' and operator == 'VNPT'")
    assert revenue["value"].tolist() == [392_806.2 * factor]


@pytest.mark.parametrize(("cells", "cell", "says"), REFUSED_FORMS.values(), ids=REFUSED_FORMS.keys())
def test_a_unit_line_that_does_not_establish_the_unit_is_refused_naming_the_cell(generated, tmp_path, cells, cell, says):
    problems = refusals(edited(generated, tmp_path, TELECOM, REVENUE, cells))
    assert [(p.file, p.sheet, p.cell) for p in problems] == [(TELECOM, REVENUE, cell)], [str(p) for p in problems]
    (problem,) = problems
    assert says in problem.message
    assert "unit" in problem.expected


def test_a_revenue_without_a_unit_says_what_to_add(generated, tmp_path):
    (problem,) = refusals(edited(generated, tmp_path, TELECOM, REVENUE, {"A3": None}))
    assert "telecom_revenue" in problem.message and "'đồng'" in problem.message
    assert "Đơn vị tính: …" in problem.expected and f"'{HEADER} (…)'" in problem.expected
    assert "nghìn đồng, triệu đồng" in problem.expected  # the scales, none assumed


# --- which indicators need a stated unit ---------------------------------------------------------------


def test_a_money_column_whose_header_lost_its_unit_is_refused_naming_the_header(generated, tmp_path):
    raw = edited(generated, tmp_path, "2020/buu-chinh-2020.xlsx", "Bưu chính", {"E5": None})
    (problem,) = refusals(raw)
    assert (problem.sheet, problem.cell) == ("Bưu chính", "E4")
    assert "postal_revenue" in problem.message and "no unit" in problem.message


def test_a_count_whose_unit_has_no_other_scale_needs_no_unit_line(generated, tmp_path):
    name = "2020/chinh-quyen-dien-tu-2020.xlsx"
    before = clean(edited(generated, tmp_path / "as-written", name, "DVCTT", {}), out_dir=None).table
    after = clean(edited(generated, tmp_path / "no-line", name, "DVCTT", {"A3": None}), out_dir=None).table
    pd.testing.assert_frame_equal(after, before)


@pytest.mark.parametrize(
    ("line", "factor"),
    [("Đơn vị tính: thuê bao", 1), (nfd("(Đơn vị tính: nghìn thuê bao)"), 1000), ("ĐVT：Nghìn TB", 1000)],
)  # fmt: skip
def test_subscribers_in_a_detected_table_are_read_in_the_unit_the_line_states(raw_2020, district_table, line, factor):
    district_table(raw_2020 / "2020/x.xlsx", {"A3": line}, sheet="Số liệu")  # no layout of its own: a detector
    table = clean(raw_2020, out_dir=None).table
    assert table.query("area == '582' and operator == 'VNPT'")["value"].tolist() == [4865.0 * factor]


def test_subscribers_in_a_detected_table_without_a_unit_are_refused(raw_2020, district_table):
    district_table(raw_2020 / "2020/x.xlsx", {"A3": nfd("Đơn vị báo cáo: VNPT Ninh Thuận")}, sheet="Số liệu")
    problems = refusals(raw_2020)
    assert {p.cell for p in problems} == {"C6", "D6"}  # each enterprise's column, where its header ends
    assert all("fixed_telephone_subscribers" in p.message and "no unit" in p.message for p in problems)
    assert all("nghìn thuê bao" in p.expected for p in problems)


# --- a unit column ----------------------------------------------------------------------------------------


def revenue_with_unit_column(generated, tmp_path, units: dict[int, str | None]) -> Path:
    """The revenue sheet with a "ĐVT" column inserted before the values (C), its rows 6–11 as given."""
    cells = {"C5": "ĐVT", **{f"C{row}": unit for row, unit in units.items()}}
    return edited(generated, tmp_path, TELECOM, REVENUE, {"A3": None, **cells}, insert_column=3)


def test_a_unit_column_in_any_table_gives_each_rows_unit(generated, baseline, tmp_path):
    raw = revenue_with_unit_column(generated, tmp_path, {r: nfd("Triệu đồng") for r in range(6, 12)})
    table = clean(raw, out_dir=None).table.query("indicator == 'telecom_revenue'")
    expected = baseline.query("indicator == 'telecom_revenue'")
    assert table[["operator", "value"]].values.tolist() == expected[["operator", "value"]].values.tolist()
    assert set(table["source_cell"].str[0]) == {"D"}


def test_a_blank_unit_cell_in_a_table_with_a_unit_column_is_refused_naming_it(generated, tmp_path):
    units = {r: "triệu đồng" for r in range(6, 12)} | {8: None}
    problems = refusals(revenue_with_unit_column(generated, tmp_path, units))
    (problem,) = [p for p in problems if p.cell == "C8"]  # the total in D11 then differs from its read parts too
    assert problem.sheet == REVENUE
    assert "blank" in problem.message and "telecom_revenue" in problem.message


def test_a_blank_unit_cell_in_a_yearbook_row_is_refused_naming_it(generated, tmp_path, sample_generator, monkeypatch):
    rows = sample_generator.yearbook_rows()
    rows[4][1] = ""  # "Di động - Mobile", in thousands like every other row
    monkeypatch.setattr(sample_generator, "yearbook_rows", lambda: rows)
    raw = tmp_path / "raw"
    sample_generator.write_yearbook(raw, 2020)
    (problem,) = refusals(raw)
    assert (problem.file, problem.sheet, problem.cell) == ("2020/nien-giam-thong-ke-2020.ods", "Bưu chính viễn thông", "B5")
    assert "gso_mobile_subscribers" in problem.message and "blank" in problem.message
    assert "Nghìn thuê bao" in problem.expected or "nghìn thuê bao" in problem.expected


# --- the spellings senders use ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical", "factor"),
    [("tr.đ", "đồng", 1e6), ("Trđ", "đồng", 1e6), ("triệu", "đồng", 1e6), ("Triệu VNĐ", "đồng", 1e6),
     ("tỷ", "đồng", 1e9), ("Tỷ VNĐ", "đồng", 1e9), ("Mill. dongs", "đồng", 1e6), ("nghìn TB", "thuê bao", 1e3),
     ("ngàn TB", "thuê bao", 1e3), ("Ngàn người", "người", 1e3), ("Thous. persons", "người", 1e3),
     ("ngàn bưu gửi", "bưu gửi", 1e3), ("triệu", "thuê bao", None), ("tỷ", "%", None)],
)  # fmt: skip
def test_the_abbreviations_senders_write_convert_in_their_own_unit_only(written, canonical, factor):
    assert load_catalog().unit_factor(written, canonical) == factor


def test_a_unit_cell_merged_over_several_rows_gives_each_of_them_its_unit(raw_2020):
    book = openpyxl.Workbook()
    ws = book.active
    for row in (["SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN"], ["MỘT SỐ CHỈ TIÊU NĂM 2020"], [],
                ["STT", "Chỉ tiêu", "ĐVT", "Năm 2020"],
                [1, "Doanh thu dịch vụ viễn thông", "Tỷ đồng", "1.120,9"], [2, "Doanh thu bưu chính", None, "135,1"]):
        ws.append(row)  # fmt: skip
    ws.merge_cells("C5:C6")
    book.save(raw_2020 / "2020/chi-tieu.xlsx")
    table = clean(raw_2020, out_dir=None).table.set_index("indicator")
    assert table["value"].to_dict() == pytest.approx({"telecom_revenue": 1_120.9e9, "postal_revenue": 135.1e9})
    assert table["source_cell"].to_dict() == {"telecom_revenue": "D5", "postal_revenue": "D6"}


def test_a_ratio_in_a_unit_column_is_refused_not_read_as_its_first_unit(generated, tmp_path):
    """"Thuê bao điện thoại di động | TB/100 dân | 112,4" is a density, not 112 subscribers."""
    cells = {"A14": "3", "B14": "Thuê bao điện thoại di động", "C14": "TB/100 dân", "D14": None, "E14": "112,4"}
    raw = edited(generated, tmp_path, "2020/bao-cao-tong-hop-so-2020.xlsx", "Tổng hợp", cells)
    (problem,) = refusals(raw)
    assert (problem.cell, problem.message) == ("C14", "unit 'TB/100 dân' cannot be converted to 'thuê bao'")
