"""The report of the merged Khánh Hòa (56), 2025 against 2024, across the reorganisation (the third example).

Each 2024 figure of the province must be the sum of the two former provinces' figures, each read from its own
department's workbooks: here each department's files are read alone, under their own province (58 for Ninh
Thuận, 56 for the former Khánh Hòa), as a second path that knows nothing of the merger, and the merged
report's figure is held against their sum, its cells against theirs. Below the province, the tables compare
the comparable areas. The whole report is built by the real `ictanalysis run`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from ictanalysis.catalog import gazetteer, load_catalog
from ictanalysis.compare import compare
from ictanalysis.contents import load_contents
from ictanalysis.ingest import clean
from ictanalysis.present import area_name
from ictanalysis.words import words

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "khanh-hoa"
FORMER = {"56": ("khanh-hoa-", "KhanhHoa"), "58": ("ninh-thuan-", "NinhThuan")}


def _alone(tmp_path: Path, province: str):
    """Read one former department's 2024 workbooks alone, under its own province."""
    prefix, branch = FORMER[province]
    raw = tmp_path / province / "2024"
    raw.mkdir(parents=True)
    for path in (EXAMPLE / "raw" / "2024").iterdir():
        if path.name.startswith(prefix) or path.name == f"Viettel_BRDD_{branch}_2024.xls":
            shutil.copy(path, raw / path.name)
    return clean(raw.parent, None, province=province).table  # the same relative names: 2024/<file>


@pytest.fixture(scope="module")
def merged():
    return compare(clean(EXAMPLE / "raw", None, province="56").table, 2025, 2024, "56")


@pytest.fixture(scope="module")
def former(tmp_path_factory):
    """Each former province's own Figures of 2024, from its department's workbooks alone."""
    from ictanalysis.figures import Figures

    folder = tmp_path_factory.mktemp("former")
    return {code: Figures(_alone(folder, code), load_catalog(), code) for code in FORMER}


def test_every_2024_headline_figure_is_the_sum_of_the_two_former_provinces_with_their_cells(merged, former):
    compared = 0
    for indicator in map(merged.current, load_contents().headline):  # level 4 is "toàn trình" from 2022
        figure = merged.value(indicator, 2024)
        parts = [former[code].of_unit(indicator, 2024, code) for code in FORMER]
        catalogued = merged.indicator(indicator)
        if not catalogued.adds_across_merger:  # a rate; a portal's catalogue of procedures
            assert not figure.available and all(p.available for p in parts), indicator
            continue
        if not all(p.available for p in parts):
            assert not figure.available, indicator
            continue
        assert figure.how == "sum of former provinces" and figure.parts == ("56", "58"), indicator
        assert figure.value == pytest.approx(sum(p.value for p in parts), rel=1e-12), indicator
        assert sorted(figure.sources) == sorted(s for p in parts for s in p.sources), indicator
        assert all(p.sources for p in parts), indicator  # a cell of each former department
        compared += 1
    assert compared >= 10


def test_one_2024_figure_traces_to_a_cell_of_each_former_department(merged):
    figure = merged.value("fixed_broadband_subscribers", 2024)
    files = {source.split(" › ")[0] for source in figure.sources}
    assert any(f.startswith("2024/khanh-hoa-") for f in files) and any(f.startswith("2024/ninh-thuan-") for f in files)


def test_the_tables_by_area_compare_the_comparable_areas(merged):
    frame = merged.by_district("fixed_broadband_subscribers")
    groups = gazetteer.comparable_groups("56")
    assert list(frame["area"]) == ["~" + "+".join(g.districts) for g in groups]
    province = merged.figures("fixed_broadband_subscribers")
    assert frame["value_before"].sum() == pytest.approx(province[0].value)
    assert frame["value"].sum() == pytest.approx(province[1].value)
    cam_ranh = next(g for g in groups if g.districts == ("569",))
    row = frame[frame["area"] == "~569"].iloc[0]
    assert row["value_before"] == merged.value("fixed_broadband_subscribers", 2024, "569").value
    assert row["value"] == pytest.approx(sum(merged.value("fixed_broadband_subscribers", 2025, c).value
                                             for c in cam_ranh.communes))  # fmt: skip
    said = words("vi")
    assert [area_name(code, merged.catalog, said) for code in frame["area"]][-1] == "Ninh Thuận (cũ)"


def test_the_gate_checks_each_former_province_against_its_own_districts_and_the_change_against_the_merged_sum(merged):
    from ictanalysis.rules import build_views

    views = build_views(merged.table, merged.catalog, merged.pair)
    totals = views["district_totals"]
    assert set(totals.loc[totals["year"] == 2024, "area"]) == {"56", "58"}
    assert (totals["excess"] <= 1).all()
    changes = views["changes"]
    mobile = changes[(changes["indicator"] == "mobile_subscribers") & (changes["area"] == "56")
                     & (changes["operator"] == "Viettel")].iloc[0]  # fmt: skip
    assert mobile["value_before"] == merged.value("mobile_subscribers", 2024, operator="Viettel").value


@pytest.mark.slow
def test_the_report_of_2025_against_2024_is_the_merged_departments_with_the_summed_figures(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "ictanalysis", "run", "--settings", str(EXAMPLE / "ictanalysis.toml"), "--year", "2025",
         "--compare", "2024", "--no-send", "--out", str(tmp_path / "processed"), "--reports", str(tmp_path / "reports")],
        capture_output=True, text=True, encoding="utf-8", timeout=900, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "reports/2025/bao-cao-2025.pdf").pages)
    text = " ".join(text.split())
    for expected in ("UBND TỈNH KHÁNH HÒA", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "/BC-SKHCN", "Năm 2024", "Năm 2025",
                     "tổng số liệu của các tỉnh cũ"):  # fmt: skip
        assert expected in text, expected
    table = clean(EXAMPLE / "raw", None, province="56").table
    mobile = compare(table, 2025, 2024, "56").value("mobile_subscribers", 2024).value
    assert f"{mobile:,.0f}".replace(",", ".") in text  # the 2024 column holds the sum
    page = (tmp_path / "reports/2025/annual_report.html").read_text(encoding="utf-8")
    assert "Ninh Thuận (cũ)" in page and "Cam Ranh (cũ)" in page
    # Both years count online services as "toàn trình" / "một phần" (Nghị định 42/2022/NĐ-CP): the report says
    # toàn trình in its own words, its chart by agency under its own title; no level is named over its figures.
    full = compare(table, 2025, 2024, "56").value("online_services_full", 2025).value
    line = f"cung cấp {full:,.0f} dịch vụ công trực tuyến toàn trình".replace(",", ".")
    assert line in text and line in " ".join(page.replace("\xa0", " ").split())
    assert "Dịch vụ công trực tuyến toàn trình theo cơ quan" in page and "mức độ 4" not in page


def test_the_change_check_compares_the_comparable_areas(merged):
    """Cam Ranh's five communes of 2025 four times its 2024 district, the province total kept: the change is seen."""
    from ictanalysis.rules import build_views

    table = merged.table.copy()
    cam_ranh = next(g for g in gazetteer.comparable_groups("56") if g.districts == ("569",))
    rows = (table["year"] == 2025) & table["area"].isin(cam_ranh.communes) & (table["indicator"] == "population")
    table.loc[rows, "value"] *= 4
    changes = build_views(table, merged.catalog, merged.pair)["changes"]
    area = changes[(changes["area"] == "~569") & (changes["indicator"] == "population")].iloc[0]
    assert area["excess"] > 1 and area["value_before"] == merged.value("population", 2024, "569").value
    unchanged = changes[(changes["area"] == "~568") & (changes["indicator"] == "population")].iloc[0]
    assert unchanged["excess"] < 1
