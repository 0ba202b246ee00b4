"""Definitions in time: from 2022 (Nghị định 42/2022/NĐ-CP) online public services are "toàn trình" / "một phần".

The catalog says which indicator replaces which from a report year on, and whether the two compare
(``replaces`` in catalog/indicators.yaml). A pair across the change shows the successor wherever
report.yaml names the replaced indicator; the compared year's figure of a comparable successor is the
replaced indicator's, with its cells, and of one not comparable is not available; the sentences and the
data notes say so. The pair here is the bundled table with its years shifted by two (2019 → 2021,
2020 → 2022) and 2022's level-4 and level-3 rows renamed, built in memory. A workbook that names a
definition out of its year is refused naming its cell.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from conftest import write_rows

from ictanalysis import narrative
from ictanalysis.catalog import CATALOG_DIR, CatalogError, load_catalog
from ictanalysis.compare import EARLIER_DEFINITION, compare
from ictanalysis.contents import load_contents
from ictanalysis.errors import InputError
from ictanalysis.ingest import clean
from ictanalysis.view import ReportView

FULL, PARTIAL, LEVEL4, LEVEL3 = "online_services_full", "online_services_partial", "online_services_level4", "online_services_level3"


def _shifted(table, years: int, renamed_from: int):
    """Return the table with its years moved by `years`, its level-4/3 rows from `renamed_from` on renamed."""
    shifted = table.assign(year=table["year"] + years)
    for old, new in ((LEVEL4, FULL), (LEVEL3, PARTIAL)):
        shifted.loc[(shifted["year"] >= renamed_from) & (shifted["indicator"] == old), "indicator"] = new
    return shifted


@pytest.fixture(scope="module")
def across(table):
    """2022 against 2021: the bundled pair moved by two years, 2022 counted in the new definitions."""
    return compare(_shifted(table, 2, 2022), 2022, 2021)


# --- the catalog ----------------------------------------------------------------------------------------------------


def test_the_catalog_states_each_replacement_from_its_first_report_year():
    catalog = load_catalog()
    full, partial = catalog.indicator(FULL), catalog.indicator(PARTIAL)
    assert (full.replaces.indicator, full.replaces.since, full.replaces.comparable) == (LEVEL4, 2022, True)
    assert (partial.replaces.indicator, partial.replaces.since, partial.replaces.comparable) == (LEVEL3, 2022, False)
    assert catalog.successor(LEVEL4) is full and catalog.successor("online_services_level2") is None
    assert [catalog.current(LEVEL4, y) for y in (2021, 2022, 2025)] == [LEVEL4, FULL, FULL]
    for label, indicator in (("DVCTT toàn trình", FULL), ("Số DVCTT toàn trình", FULL), ("Dịch vụ công trực tuyến "
                             "một phần", PARTIAL), ("DVCTT một phần", PARTIAL)):  # fmt: skip
        assert catalog.find_indicator(label).id == indicator
    assert catalog.out_of_time(LEVEL4, 2022) == (catalog.indicator(LEVEL4), full) == catalog.out_of_time(FULL, 2021)
    assert catalog.out_of_time(LEVEL4, 2021) is None and catalog.out_of_time(FULL, 2022) is None


def test_a_replacement_of_an_unknown_indicator_is_refused(tmp_path):
    folder = shutil.copytree(CATALOG_DIR, tmp_path / "catalog", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    indicators = folder / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    indicators.write_text(text.replace(f"replaces: {{indicator: {LEVEL4},", "replaces: {indicator: online_services_level9,"),
                          encoding="utf-8")  # fmt: skip
    with pytest.raises(CatalogError, match=f"indicator {FULL}: replaces unknown indicator 'online_services_level9'"):
        load_catalog(folder)


# --- a pair across the change ----------------------------------------------------------------------------------------


def test_the_headline_shows_the_successor_against_the_earlier_definition_with_its_cells(across):
    assert across.current(LEVEL4) == FULL and across.current(LEVEL3) == PARTIAL
    row = across.change_table(map(across.current, load_contents().headline)).iloc[0]
    assert (row["indicator"], row["value_before"], row["value"]) == (FULL, 74.0, 555.0)
    before, level4 = across.value(FULL, 2021), across.value(LEVEL4, 2021)
    assert before.how == EARLIER_DEFINITION and before.derived and before.parts == (LEVEL4,)
    assert before.sources == level4.sources and before.sources  # the level-4 cell of 2021's workbook
    assert row["sources"].startswith(before.sources[0].rpartition(" › ")[0])
    shown = ReportView(across).frame("headline")
    assert shown.iloc[0]["name"] == "Dịch vụ công trực tuyến toàn trình"
    appendix = across.sources_appendix()
    assert appendix.query(f"indicator == '{FULL}' and year == 2021")["how"].tolist() == [EARLIER_DEFINITION]


def test_a_successor_not_comparable_is_not_compared(across):
    before, now = across.figures(PARTIAL)
    assert not before.available and now.value == 248.0
    row = across.change_table([PARTIAL]).iloc[0]
    assert math.isnan(row["value_before"]) and math.isnan(row["change_percent"])
    egov = ReportView(across).frame("egov")
    assert egov["name"].tolist()[:3] == ["Dịch vụ công trực tuyến mức độ 2", "Dịch vụ công trực tuyến một phần",
                                         "Dịch vụ công trực tuyến toàn trình"]  # fmt: skip


@pytest.mark.parametrize(("language", "sentences", "notes"), [
    ("vi", ["Cổng dịch vụ công trực tuyến của tỉnh cung cấp 555 dịch vụ công trực tuyến toàn trình, tăng 481 dịch vụ "
            "so với năm 2021, gấp 7,5 lần (số liệu năm 2021 là số dịch vụ công trực tuyến mức độ 4).",
            "Số dịch vụ công trực tuyến một phần là 248 dịch vụ, không so sánh với năm 2021 do định nghĩa đã thay đổi.",
            "Sở Kế hoạch và Đầu tư cung cấp nhiều dịch vụ toàn trình nhất (88 dịch vụ)."],
     ["Từ năm 2022 (Nghị định số 42/2022/NĐ-CP), dịch vụ công trực tuyến được tính là toàn trình hoặc một phần",
      "tương ứng với dịch vụ mức độ 4 (gần đúng): số liệu năm 2021 là số dịch vụ mức độ 4, được so sánh với số dịch "
      "vụ toàn trình năm 2022.", "Dịch vụ công trực tuyến một phần không tương ứng với một mức độ trước đây (gồm dịch "
      "vụ mức độ 3 và một phần dịch vụ mức độ 2) nên không so sánh với số liệu năm 2021"]),
    ("en", ["The provincial public-service portal offered 555 full online public services, 481 more than in 2021, 7.5 "
            "times as many (the 2021 figure is the number of online public services, level 4).",
            "The portal offered 248 partial online public services, not compared with 2021, whose definitions differ."],
     ["From 2022 (Decree 42/2022/ND-CP), online public services are counted as full or partial",
      "correspond to level-4 services (approximately): the 2021 figure is the number of level-4 services",
      "Partial online public services do not correspond to any one former level"]),
])  # fmt: skip
def test_the_sentences_and_the_notes_say_the_definitions_changed(across, language, sentences, notes):
    written = [" ".join(s.split()) for s in narrative.sentences("egov", across, language)]
    assert all(any(s == w for w in written) for s in sentences), written
    assert " ".join(narrative.sentences("headline", across, language)[0].split()) == sentences[0]
    noted = " ".join(" ".join(n.split()) for n in narrative.data_notes(across, None, language))
    assert all(n in noted for n in notes), noted
    assert len([n for n in narrative.data_notes(across, None, language) if "42/2022" in n]) == 1


def test_titles_over_the_successor_name_it_never_level_4(across):
    view = ReportView(across)
    assert view.title_of("level4_by_agency") == "Dịch vụ công trực tuyến toàn trình theo cơ quan"
    assert ReportView(across, "en").title_of("level4_by_agency") == "Full online public services by agency"
    spec = json.dumps(view.chart_spec("level4_by_agency"), ensure_ascii=False)
    assert "toàn trình theo cơ quan" in spec and "mức độ 4" not in spec
    headline = " ".join(view.sentences("headline")[0].split())
    assert "mức độ 4" not in headline.split(" (số liệu")[0]  # level 4 named only as the earlier definition


# --- pairs on one side of the change ---------------------------------------------------------------------------------


def test_a_pair_before_the_change_is_unchanged(cmp):
    assert cmp.current(LEVEL4) == LEVEL4
    assert narrative.headline_sentences(cmp)[0].replace("\xa0", " ") == (
        "Cổng dịch vụ công trực tuyến của tỉnh cung cấp 555 dịch vụ công trực tuyến mức độ 4, tăng 481 dịch vụ so "
        "với năm 2019, gấp 7,5 lần.")  # fmt: skip
    assert ReportView(cmp).title_of("level4_by_agency") == "Dịch vụ công trực tuyến mức độ 4 theo cơ quan"
    for language in ("vi", "en"):
        assert not any("42/2022" in n for n in narrative.data_notes(cmp, None, language))
    assert cmp.change_table([LEVEL4]).iloc[0][["value_before", "value"]].tolist() == [74.0, 555.0]


def test_a_pair_after_the_change_reads_both_years_from_their_cells(table):
    after = compare(_shifted(table, 4, 2023), 2024, 2023)  # 2019 → 2023, 2020 → 2024, both counted toàn trình
    before = after.value(FULL, 2023)
    assert (before.value, before.how, after.value(FULL, 2024).value) == (74.0, "cell", 555.0)
    assert after.figures(PARTIAL)[0].available  # both years count một phần: compared
    assert not any("42/2022" in n for n in narrative.data_notes(after, None, "vi"))


# --- ingest ----------------------------------------------------------------------------------------------------------


def _indicator_workbook(raw, year: int, rows: list[list]):
    """Write an e-government indicators table (the bundled 'Chỉ tiêu' form) of `year` into raw/<year>/."""
    return write_rows(raw / str(year) / f"chi-tieu-{year}.xlsx", {"Chỉ tiêu": [
        ["SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN"], [f"MỘT SỐ CHỈ TIÊU CHÍNH QUYỀN ĐIỆN TỬ NĂM {year}"],
        ["STT", "Chỉ tiêu", "Đơn vị tính", f"Năm {year}", "Ghi chú"], ["I", "Dịch vụ công", None, None, None], *rows,
        ["3", "Số thủ tục liên thông lĩnh vực đất đai cấp huyện", "thủ tục", 32, None]]})  # fmt: skip


def _problems(raw) -> list[str]:
    with pytest.raises(InputError) as caught:
        clean(raw, out_dir=None, province="58")
    return [str(p) for p in caught.value.problems]


def test_a_replaced_definition_in_a_later_workbook_is_refused_naming_its_cell(tmp_path):
    raw = tmp_path / "raw"
    _indicator_workbook(raw, 2023, [["1", "Dịch vụ công trực tuyến mức độ 4", "thủ tục", 555, None],
                                    ["2", "DVCTT một phần", "thủ tục", 248, None]])  # fmt: skip
    problems = _problems(raw)
    assert len(problems) == 1, problems
    assert problems[0].startswith("2023/chi-tieu-2023.xlsx, sheet 'Chỉ tiêu', cell B5: 'Dịch vụ công trực tuyến mức độ "
                                  f"4' ({LEVEL4}) was replaced by 'Dịch vụ công trực tuyến toàn trình' ({FULL}) from "
                                  "2022 (Nghị định 42/2022/NĐ-CP)")  # fmt: skip


def test_a_new_definition_in_an_earlier_workbook_is_refused_naming_its_cell(tmp_path):
    raw = tmp_path / "raw"
    _indicator_workbook(raw, 2021, [["1", "Số DVCTT toàn trình", "thủ tục", 555, None],
                                    ["2", "DVCTT mức 3", "thủ tục", 248, None]])  # fmt: skip
    problems = _problems(raw)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"2021/chi-tieu-2021.xlsx, sheet 'Chỉ tiêu', cell B5: 'Số DVCTT toàn trình' ({FULL}) "
                                  "is counted only from 2022 (Nghị định 42/2022/NĐ-CP)")  # fmt: skip
    assert "'Dịch vụ công trực tuyến mức độ 4'" in problems[0]


def test_each_definition_reads_in_its_own_years(tmp_path):
    raw = tmp_path / "raw"
    _indicator_workbook(raw, 2021, [["1", "DVCTT mức 4", "thủ tục", 74, None]])
    _indicator_workbook(raw, 2022, [["1", "DVCTT toàn trình", "thủ tục", 555, None],
                                    ["2", "Số DVCTT một phần", "thủ tục", 248, None]])  # fmt: skip
    table = clean(raw, out_dir=None, province="58").table
    read = {(r.year, r.indicator): (r.value, r.source_cell) for r in table.itertuples() if r.indicator.startswith("online")}
    assert read == {(2021, LEVEL4): (74.0, "D5"), (2022, FULL): (555.0, "D5"), (2022, PARTIAL): (248.0, "D6")}


def test_a_column_of_a_replaced_definition_in_a_later_year_is_refused_naming_its_header(tmp_path):
    """The 2020 DVCTT form ("Mức 2 | Mức 3 | Mức 4") sent again for 2023: its level columns are refused by cell."""
    import openpyxl

    from ictanalysis.errors import InputError
    from ictanalysis.ingest import clean

    path = tmp_path / "raw" / "2023" / "chinh-quyen-dien-tu-2023.xlsx"
    path.parent.mkdir(parents=True)
    book = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "data/raw/2020/chinh-quyen-dien-tu-2020.xlsx")
    book["DVCTT"]["A2"] = "BÁO CÁO SỐ LƯỢNG DỊCH VỤ CÔNG TRỰC TUYẾN NĂM 2023"
    del book["Chỉ tiêu"]
    book.save(path)
    with pytest.raises(InputError) as caught:
        clean(tmp_path / "raw", out_dir=None, province="58")
    problems = [str(p) for p in caught.value.problems]
    level4 = [p for p in problems if p.startswith("2023/chinh-quyen-dien-tu-2023.xlsx, sheet 'DVCTT', cell E6: ")]
    assert len(level4) == 1 and "was replaced by 'Dịch vụ công trực tuyến toàn trình' (online_services_full) " \
        "from 2022 (Nghị định 42/2022/NĐ-CP)" in level4[0], problems
