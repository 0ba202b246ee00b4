"""The third bundled example, Khánh Hòa (56) across the 2025 reorganisation: 2024 by district, 2025 by commune.

The 2024 workbooks of each former department read alone under its old province give the generator's own
figures (not a re-read); the 2025 workbooks and the whole example need the map in time (``Catalog.territory``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from ictanalysis.catalog import gazetteer
from ictanalysis.ingest import clean

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "examples" / "khanh-hoa"
def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return _load("khanh_hoa_generate", EXAMPLE / "generate.py")


def _only(tmp_path: Path, year: int, names: list[str]) -> Path:
    """Copy some of the example's files into a raw folder of their own."""
    (tmp_path / str(year)).mkdir(parents=True)
    for name in names:
        shutil.copy(EXAMPLE / "raw" / str(year) / name, tmp_path / str(year) / name)
    return tmp_path


def _department_files(prefix: str, branch: str) -> list[str]:
    return [p.name for p in (EXAMPLE / "raw" / "2024").iterdir() if p.name.startswith(prefix)] + \
        [f"Viettel_BRDD_{branch}_2024.xls"]


def _values(table) -> dict:
    return {(int(r.year), r.indicator, r.area, r.operator, r.agency): r.value for r in table.itertuples()}


def _assert_same(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=0), key


def test_the_generator_writes_the_same_files_again(generator, tmp_path):
    written = generator.write_all(tmp_path)
    assert len(written) == 18
    for path in written:
        assert path.read_bytes() == (EXAMPLE / "raw" / path.relative_to(tmp_path)).read_bytes(), path


def test_file_names_carry_the_department_in_2024_and_the_year_everywhere():
    names_2024 = sorted(p.name for p in (EXAMPLE / "raw" / "2024").iterdir())
    assert sum(name.startswith("khanh-hoa-") for name in names_2024) == 5
    assert sum(name.startswith("ninh-thuan-") for name in names_2024) == 5
    assert all("2025" in p.name for p in (EXAMPLE / "raw" / "2025").iterdir())


def test_the_communes_and_groups_are_the_gazetteers(generator):
    groups = {group.communes: group.districts for group in gazetteer.comparable_groups("56")}
    mine = {}
    for code, name, group in generator.COMMUNES:
        mine.setdefault(generator.GROUPS[group], []).append(code)
        assert gazetteer.unit(code, dt.date(2025, 7, 1)).full_name == name
    assert {tuple(sorted(codes)): districts for districts, codes in mine.items()} == groups


def test_ninh_thuans_2020_base_is_the_bundled_one(generator):
    bundled = _load("ninh_thuan_generate", ROOT / "data" / "raw" / "generate.py").FIGURES_2020
    for table, rows in generator.NT_2020.items():
        if table in generator.AREA_TABLES:
            copied = {op: dict(zip((int(d) for d in generator.NT_DISTRICTS), values, strict=True))
                      for op, values in rows.items()}
            if table == "population":
                copied = {d: v[0] for d, v in copied[""].items()}
            elif table == "mobile_broadband_viettel":
                copied = copied["Viettel"]
            elif table in ("fixed_phone", "fixed_broadband"):
                copied = {op: {d: v[0] for d, v in by.items()} for op, by in copied.items()}
            assert copied == bundled[table], table
        else:
            assert rows == bundled[table], table


def test_every_comparable_group_grows_from_2024_to_2025_and_totals_add_up(generator):
    generator.check()
    kh, nt, merged = (generator.figures(key) for key in ("khanh-hoa", "ninh-thuan", "merged"))
    for op, by_commune in merged["mobile"].items():
        before = sum(map(sum, [*kh["mobile"][op].values(), *nt["mobile"][op].values()]))
        after = sum(map(sum, by_commune.values()))
        assert 1.0 < after / before < 1.1, op


@pytest.mark.parametrize(("key", "prefix", "branch", "province"), [
    ("ninh-thuan", "ninh-thuan-", "NinhThuan", "58"),
    ("khanh-hoa", "khanh-hoa-", "KhanhHoa", "56"),
])
def test_each_former_departments_2024_files_read_alone_give_the_generators_figures(
        generator, tmp_path, key, prefix, branch, province):
    raw = _only(tmp_path, 2024, _department_files(prefix, branch))
    table = clean(raw, None, province=province).table
    _assert_same(_values(table), generator.expected(key))
    assert set(table["area"]) == {province, *(generator.NT_DISTRICTS if key == "ninh-thuan" else generator.KH_DISTRICTS)}


def test_the_merged_departments_2025_files_read_by_commune(generator, tmp_path):
    raw = _only(tmp_path, 2025, [p.name for p in (EXAMPLE / "raw" / "2025").iterdir()])
    table = clean(raw, None, province="56").table
    _assert_same(_values(table), generator.expected("merged"))
    assert set(table["area"]) == {"56", *(code for code, _, _ in generator.COMMUNES)}


def test_the_whole_example_reads_under_the_new_province(generator):
    table = clean(EXAMPLE / "raw", None, province="56").table
    got = _values(table)
    in_2025 = {key: value for key, value in got.items() if key[0] == 2025}
    _assert_same(in_2025, generator.expected("merged"))
    # each former department's figures, its province-level tables keyed to the province its title names
    _assert_same({key: value for key, value in got.items() if key[0] == 2024},
                 {**generator.expected("khanh-hoa"), **generator.expected("ninh-thuan")})
    assert set(table.query("year == 2024")["area"]) == {"56", "58", *generator.KH_DISTRICTS, *generator.NT_DISTRICTS}
