"""The catalog and the layouts are data that a loader validates."""

import hashlib
import shutil
from pathlib import Path

import pytest

from ictanalysis.catalog import CATALOG_DIR, Catalog, CatalogError, load_catalog
from ictanalysis.layouts import load_layouts


@pytest.fixture
def catalog_copy(tmp_path) -> Path:
    for path in CATALOG_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    return tmp_path


def test_bundled_catalog_loads_and_every_layout_fits_it():
    catalog = load_catalog()
    for layout in load_layouts():
        layout.check_against(catalog)
    assert len(catalog.indicators) >= 35


def test_every_indicator_unit_and_part_is_known():
    catalog = load_catalog()
    for indicator in catalog.indicators.values():
        assert indicator.unit in catalog.units
        assert set(indicator.parts) <= set(catalog.indicators)
        assert indicator.range[0] <= indicator.range[1]


def test_an_unknown_key_in_the_catalog_is_an_error_naming_the_file(catalog_copy):
    path = catalog_copy / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  itu: i112\n", "  itu: i112\n  colour: red\n"), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"indicators\.yaml.*colour"):
        Catalog(catalog_copy)


def test_one_spelling_for_two_enterprises_is_an_error(catalog_copy):
    path = catalog_copy / "operators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("[Vietnamobile,", "[Vietnamobile, Viettel,"), encoding="utf-8")
    with pytest.raises(CatalogError, match="names both"):
        Catalog(catalog_copy)


def test_an_unknown_key_in_a_layout_is_an_error(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\ndescription: x\nrows: area\nlabel_headers: [Địa bàn]\nheader_row: 3\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yaml.*header_row"):
        load_layouts(tmp_path)


def test_a_layout_naming_an_unknown_indicator_is_an_error(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "id: bad\ndescription: x\nrows: area\nlabel_headers: [Địa bàn]\naliases:\n  fax_machines: [Fax]\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match="fax_machines"):
        for layout in load_layouts(tmp_path):
            layout.check_against(load_catalog())


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("TP. Phan Rang - Tháp Chàm", "582"), ("Tp PR-TC", "582"), ("Thành phố Phan Rang-Tháp Chàm", "582"),
        ("TP Phan Rang Tháp Chàm", "582"), ("H. Bác Ái", "584"), ("Huyện Bác Ái", "584"), ("Ninh Son", "585"),
        ("NINH HẢI", "586"), ("Huyện Ninh Phước", "587"), ("Thuận Bắc", "588"), ("H.Thuận Nam", "589"),
        ("Tỉnh Ninh Thuận", "58"),
    ],
)  # fmt: skip
def test_district_spellings_met_in_the_wild(label, code):
    assert load_catalog().find_area(label, province="58", year=2020).code == code


def test_a_district_is_not_found_outside_its_validity():
    catalog = load_catalog()
    assert catalog.find_area("Bác Ái", province="58", year=2020) is not None
    assert catalog.find_area("Bác Ái", province="58", year=2026) is None


def test_a_district_name_is_looked_up_within_the_province_only():
    assert load_catalog().find_area("Ba Đình", province="58") is None
    assert load_catalog().find_area("Ba Đình", province="01").code == "001"


@pytest.mark.parametrize(
    ("written", "canonical", "factor"),
    [("triệu đồng", "đồng", 1e6), ("Tỷ đồng", "đồng", 1e9), ("Nghìn thuê bao - Thous. subs.", "thuê bao", 1e3),
     ("%", "%", 1), ("thuê bao", "đồng", None)],
)  # fmt: skip
def test_unit_conversion(written, canonical, factor):
    assert load_catalog().unit_factor(written, canonical) == factor


def test_bundled_workbooks_are_exactly_what_the_generator_writes(tmp_path, sample_generator):
    raw = Path(__file__).resolve().parents[1] / "data/raw"
    written = sample_generator.write_all(tmp_path)
    assert written
    for path in written:
        committed = raw / path.relative_to(tmp_path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashlib.sha256(committed.read_bytes()).hexdigest(), committed
