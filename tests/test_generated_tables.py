"""Tables nobody wrote by hand: Hypothesis draws the figures and how a sender writes them, and ingest must read
each value exactly or refuse, naming a cell.

A district × enterprise table of fixed-telephone subscribers is drawn with
random figures, one to three enterprises, a unit statement in one of the ways
senders write it (in any of its scales: thuê bao or nghìn thuê bao), its text
in NFC or NFD, its numbers as numbers or as text grouped by dots, thin,
no-break or narrow no-break spaces, and saved as .xlsx, .xls, .ods or .csv
(tests/metamorphic.py writes the formats). What ingest gives is compared
cell by cell with the figures drawn, times the unit's factor: never another
value with no problem. Tables written as numbers in a binary format must be
read, not only refused: a reader that refused everything would pass otherwise.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from metamorphic import Grid, regroup, same_value, write_workbook

from ictanalysis.errors import InputError
from ictanalysis.ingest import clean
from ictanalysis.workbook import cell_name

DISTRICTS = ("Tp PR-TC", "H. Bác Ái", "Ninh Sơn", "NINH HẢI", "Huyện Ninh Phước", "Thuận Bắc", "H.Thuận Nam")
OPERATORS = ("VNPT", "Viettel", "FPT Telecom")
# (unit statement above the table, the factor into subscribers): the ways senders write it
UNIT_LINES = (
    ("Đơn vị tính: thuê bao", 1), ("ĐVT: thuê bao", 1), ("(Đơn vị tính: thuê bao)", 1), ("Đơn vị: thuê bao", 1),
    ("Đv tính: TB", 1), ("ĐƠN VỊ TÍNH：THUÊ BAO", 1), ("Đơn vị  tính:  thuê bao", 1),
    ("Đơn vị tính: nghìn thuê bao", 1000), ("ĐVT: Nghìn TB", 1000), ("(ĐVT: ngàn thuê bao)", 1000),
)  # fmt: skip
SEPARATORS = ("", ".", "\u2009", "\u00a0", "\u202f")
FIRST_ROW = 6  # 0-based: the districts are rows 7–13 of the sheet, the total row 14


@st.composite
def tables(draw):
    """Draw the figures (in the unit written) and how the table is written."""
    operators = draw(st.lists(st.sampled_from(OPERATORS), min_size=1, max_size=3, unique=True))
    unit, factor = draw(st.sampled_from(UNIT_LINES))
    if factor == 1:
        figures = st.integers(min_value=0, max_value=5_000_000)
    else:  # thousands with up to one decimal, as the statistics office writes them
        figures = st.integers(min_value=0, max_value=50_000).map(lambda tenths: tenths / 10)
    values = draw(st.lists(st.lists(figures, min_size=len(operators), max_size=len(operators)),
                           min_size=len(DISTRICTS), max_size=len(DISTRICTS)))  # fmt: skip
    return {
        "operators": operators, "unit": unit, "factor": factor, "values": values,
        "form": draw(st.sampled_from(("NFC", "NFD"))), "as_text": draw(st.booleans()),
        "separator": draw(st.sampled_from(SEPARATORS)), "format": draw(st.sampled_from((".xlsx", ".xls", ".ods", ".csv"))),
    }  # fmt: skip


def _grid(drawn: dict) -> tuple[Grid, dict[str, float]]:
    """Return the sheet as written and the value each cell must be read as (districts and the total row)."""
    operators, values, n = drawn["operators"], drawn["values"], len(drawn["operators"])
    cells: dict[tuple[int, int], object] = {
        (0, 0): "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN", (1, 0): "BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH NĂM 2020",
        (2, 0): drawn["unit"], (4, 0): "STT", (4, 1): "Địa bàn", (4, 2): "Điện thoại cố định",
    }  # fmt: skip
    expected = {}
    for j, operator in enumerate(operators):
        cells[(5, 2 + j)] = operator
        column = [row[j] for row in values]
        total = round(sum(column), 1)
        for i, value in enumerate([*column, total]):
            cells[(FIRST_ROW + i, 2 + j)] = _written(value, drawn)
            expected[cell_name(FIRST_ROW + i, 2 + j)] = value * drawn["factor"]
    for i, label in enumerate(DISTRICTS):
        cells[(FIRST_ROW + i, 0)], cells[(FIRST_ROW + i, 1)] = i + 1, label
    cells[(FIRST_ROW + len(DISTRICTS), 1)] = "Cộng"
    if drawn["form"] == "NFD":
        cells = {at: unicodedata.normalize("NFD", v) if isinstance(v, str) else v for at, v in cells.items()}
    merged = ((1, 0, 1, 1 + n), (4, 0, 5, 0), (4, 1, 5, 1), (4, 2, 4, 1 + n))
    return Grid("TB", "TB cố định - Internet", cells, merged if n > 1 else merged[:3]), expected


def _written(value: float, drawn: dict):
    """Return a figure as the sender writes it: a number, or text grouped by the drawn separator."""
    if not drawn["as_text"]:
        return int(value) if float(value).is_integer() else value
    return regroup(value, drawn["separator"])


def _may_refuse(drawn: dict) -> bool:
    """Tell whether the drawn table may be refused: numbers as text (a notation can be ambiguous), or a CSV."""
    return drawn["as_text"] or drawn["format"] == ".csv"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_a_generated_table_is_read_exactly_or_refused_naming_a_cell(drawn):
    grid, expected = _grid(drawn)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "raw"
        write_workbook([grid], raw / "2020", "tb", drawn["format"], by_sheet=False)
        try:
            table = clean(raw, out_dir=None).table
        except InputError as refused:
            assert _may_refuse(drawn), f"a table of numbers was refused: {refused}"
            assert all(p.cell for p in refused.problems), refused  # every refusal names its cell
            event(f"refused ({drawn['format']}, text: {drawn['as_text']})")
            return
    read = {row.source_cell: row.value for row in table.itertuples()}
    assert set(read) == set(expected), drawn
    wrong = {cell: (read[cell], want) for cell, want in expected.items() if not same_value(read[cell], want)}
    assert wrong == {}, drawn
    assert set(table["indicator"]) == {"fixed_telephone_subscribers"} and set(table["unit"]) == {"thuê bao"}
    event(f"read exactly ({drawn['format']}, text: {drawn['as_text']})")


@pytest.mark.parametrize("unit, factor", UNIT_LINES)
def test_every_unit_line_of_the_generator_reads_in_its_own_scale(unit, factor, tmp_path):
    """The generator's unit lines each state a scale the reader knows (the property would be vacuous otherwise)."""
    drawn = {"operators": ["VNPT"], "unit": unit, "factor": factor, "values": [[12.5 if factor > 1 else 12]] * 7,
             "form": "NFC", "as_text": False, "separator": "", "format": ".xlsx"}  # fmt: skip
    grid, expected = _grid(drawn)
    write_workbook([grid], tmp_path / "raw" / "2020", "tb", ".xlsx", by_sheet=False)
    read = {row.source_cell: row.value for row in clean(tmp_path / "raw", out_dir=None).table.itertuples()}
    assert read == pytest.approx(expected)
