"""The second bundled example, Bình Thuận (60): yearbook-form and agency-form tables only, no layout file.

``ictanalysis clean --check`` reads every file of ``data/examples/binh-thuan/raw`` with the bundled layouts, and
the tidy values are the generator's own figures (not a re-read).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from ictanalysis.cli import main
from ictanalysis.ingest import clean

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "binh-thuan"


def _generator():
    spec = importlib.util.spec_from_file_location("binh_thuan_generate", EXAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table():
    return clean(EXAMPLE / "raw", None, province="60").table


def test_clean_check_reads_every_file_of_the_example_without_a_problem(capsys):
    assert main(["clean", "--check", "--raw", str(EXAMPLE / "raw"), "--province", "60"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Read 4 workbooks (6 tables) from ")
    assert "77 values for 6 years (2016–2021)" in out


def test_the_tidy_values_are_the_generators_figures(table):
    got = {(int(r.year), r.indicator, r.operator): r.value for r in table.itertuples()}
    expected = {(year, indicator, operator): value for year, indicator, operator, value in _generator().expected()}
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=0), key
    assert set(table["area"]) == {"60"}


def test_the_last_yearbook_year_is_preliminary_and_no_other(table):
    preliminary = table[table["preliminary"]]
    assert set(preliminary["year"]) == {2020} and set(preliminary["indicator"].str[:4]) == {"gso_"}
    assert len(preliminary) == 6


def test_a_domain_missing_in_one_year_is_missing_not_zero(table):
    assert set(table.query("domain == 'egov'")["year"]) == {2020, 2021}
    assert not ((table["indicator"] == "internet_users_rate_male") & (table["year"] == 2019)).any()


def test_the_generator_writes_the_same_files_again(tmp_path):
    for written in _generator().write_all(tmp_path):
        assert written.read_bytes() == (EXAMPLE / "raw" / written.relative_to(tmp_path)).read_bytes(), written
