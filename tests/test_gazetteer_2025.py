"""Tests for the 2025 gazetteer (catalog/communes.csv, crosswalk.csv) and its reader, ictanalysis.catalog.gazetteer."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from ictanalysis.catalog import gazetteer

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO / "ictanalysis" / "catalog"
SCRIPT = REPO / "tools" / "build_gazetteer.py"
REGISTER = REPO.parent / "shared" / "reference" / "vn-admin-units-2021.csv"
AFTER = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


def test_34_provinces_from_2025_06_12_and_63_before() -> None:
    assert len(gazetteer.units(dt.date(2025, 6, 12), "province")) == 34
    assert len(gazetteer.units(dt.date(2025, 6, 11), "province")) == 63
    assert len(gazetteer.units(AFTER, "province")) == 34


def test_3321_communes_by_kind_and_no_district_after_the_reorganisation() -> None:
    communes = gazetteer.units(AFTER, "commune")
    assert len(communes) == 3321
    assert Counter(u.kind for u in communes) == {"xã": 2621, "phường": 687, "đặc khu": 13}
    assert gazetteer.units(AFTER, "district") == []
    assert all(u.valid_from == AFTER and u.parent == u.province for u in communes)


def test_former_communes_end_on_2025_06_30_and_sit_in_a_district() -> None:
    former = gazetteer.units(BEFORE, "commune")
    assert len(former) > 10_000
    assert all(u.valid_to == BEFORE and gazetteer.unit(u.parent, BEFORE).level == "district" for u in former)


def test_new_khanh_hoa_has_65_communes_24_of_them_from_former_ninh_thuan() -> None:
    khanh_hoa = {u.code for u in gazetteer.units(AFTER, "commune") if u.province == "56"}
    assert len(khanh_hoa) == 65
    drawing = {link.new_code for link in gazetteer.crosswalk() if link.new_code in khanh_hoa and link.former_province == "58"}
    assert len(drawing) == 24
    assert gazetteer.unit("22910", AFTER).full_name == "Xã Cà Ná"


def test_one_code_names_the_former_and_the_new_province_by_date() -> None:
    assert gazetteer.unit("56", dt.date(2024, 12, 31)).valid_to == dt.date(2025, 6, 11)
    new = gazetteer.unit("56", AFTER)
    assert (new.full_name, new.valid_from) == ("Tỉnh Khánh Hòa", dt.date(2025, 6, 12))
    with pytest.raises(KeyError, match="no unit '58' in force on 2025-07-01"):
        gazetteer.unit("58", AFTER)


def test_successors_and_predecessors() -> None:
    assert gazetteer.successors("58") == gazetteer.successors("56") == ("56",)
    assert gazetteer.predecessors("56") == ("56", "58")
    assert gazetteer.successors("01") == ("01",) and gazetteer.predecessors("01") == ("01",)
    assert gazetteer.predecessors("79") == ("74", "77", "79")  # Bình Dương, Bà Rịa - Vũng Tàu, Hồ Chí Minh
    news = {gazetteer.successors(u.code) for u in gazetteer.units(dt.date(2025, 6, 11), "province")}
    assert all(len(codes) == 1 for codes in news) and len(news) == 34


def test_an_unmerged_province_stays_one_entry() -> None:
    hanoi = [u for u in gazetteer.units(dt.date(2020, 1, 1), "province") if u.code == "01"]
    assert hanoi == [gazetteer.unit("01", AFTER)]


def test_a_divided_commune_has_one_row_per_successor_and_no_invented_share() -> None:
    links = [link for link in gazetteer.crosswalk() if link.former_code == "22768"]
    assert gazetteer.unit("22768", BEFORE).full_name == "Phường Đông Hải"
    assert [(link.former_district, link.new_code) for link in links] == [("582", "22779"), ("582", "22903")]
    assert {gazetteer.unit(link.new_code, AFTER).name for link in links} == {"Đông Hải", "Phước Dinh"}
    assert all(link.share is None for link in gazetteer.crosswalk())


def test_island_districts_without_communes_go_to_a_special_zone() -> None:
    (link,) = [link for link in gazetteer.crosswalk() if link.former_district == "755"]
    assert link.former_code == "" and gazetteer.unit(link.new_code, AFTER).full_name == "Đặc khu Côn Đảo"


def test_comparable_groups_of_new_khanh_hoa() -> None:
    groups = gazetteer.comparable_groups("56")
    cam_ranh = next(group for group in groups if "569" in group.districts)
    assert cam_ranh.districts == ("569",)
    assert cam_ranh.communes == ("22408", "22420", "22423", "22432", "22480")
    assert len(cam_ranh.former_communes) == 15
    # Phường Đông Hải of Phan Rang-Tháp Chàm went partly to Phước Dinh (Thuận Nam): chained like this,
    # the seven districts of former Ninh Thuận and its 24 new communes compare only as a whole.
    ninh_thuan = next(group for group in groups if "582" in group.districts)
    assert ninh_thuan.districts == ("582", "584", "585", "586", "587", "588", "589")
    assert len(ninh_thuan.communes) == 24


def test_groups_partition_the_province() -> None:
    groups = gazetteer.comparable_groups("56")
    communes = [c for group in groups for c in group.communes]
    districts = [d for group in groups for d in group.districts]
    assert sorted(communes) == sorted(u.code for u in gazetteer.units(AFTER, "commune") if u.province == "56")
    assert len(districts) == len(set(districts)) == 16


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown level 'ward'"):
        gazetteer.units(AFTER, "ward")


def test_the_csv_files_say_they_are_generated_and_from_which_releases() -> None:
    for name in ("communes.csv", "crosswalk.csv"):
        head = (CATALOG / name).read_text(encoding="utf-8").splitlines()[:2]
        assert "GENERATED by tools/build_gazetteer.py" in head[1]
        assert "vietnamadminunits 1.0.4" in head[1] and "vietnam-provinces 2025.10.1" in head[1]


def test_the_wheel_declares_the_csv_files() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert "catalog/*.csv" in data["ictanalysis"]


def _gazetteer_site_packages() -> Path | None:
    """Return the site-packages of $GAZETTEER_PYTHON, the Python that has the two source packages."""
    python = os.environ.get("GAZETTEER_PYTHON")
    if not python:
        return None
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout.strip())


@pytest.mark.skipif(
    not os.environ.get("GAZETTEER_PYTHON") or not REGISTER.is_file(),
    reason="set GAZETTEER_PYTHON to a Python with vietnamadminunits 1.0.4 and vietnam-provinces 2025.10.1 "
    "(python3.11 -m venv /tmp/gz && /tmp/gz/bin/pip install vietnamadminunits==1.0.4 vietnam-provinces==2025.10.1), "
    f"and put the GSO register at {REGISTER}",
)
def test_script_reproduces_the_committed_2025_files(tmp_path: Path) -> None:
    out = tmp_path / "areas.yaml"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(REGISTER), "--out", str(out),
         "--site-packages", str(_gazetteer_site_packages())],  # fmt: skip
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    for name in ("areas.yaml", "communes.csv", "crosswalk.csv"):
        assert (tmp_path / name).read_bytes() == (CATALOG / name).read_bytes(), name
