"""The department in time: the issuing agency follows the year of the report, and the settings can say more.

The provinces' Sở Thông tin và Truyền thông were merged into their Sở Khoa học và Công nghệ in 2025: a
report of 2024 or before is the Sở TT&TT's, one of 2025 or later the Sở KH&CN's, unless the settings file
says otherwise, for every year (``[document]``) or from a year on (``[document.2025]``).
"""

from __future__ import annotations

import pytest

from ictanalysis.document import DocumentSettings, load_document_settings
from ictanalysis.errors import UsageError


@pytest.mark.parametrize(("year", "agency", "symbol", "ministry"), [
    (2019, "Sở Thông tin và Truyền thông", "/BC-STTTT", "Bộ Thông tin và Truyền thông (b/c);"),
    (2024, "Sở Thông tin và Truyền thông", "/BC-STTTT", "Bộ Thông tin và Truyền thông (b/c);"),
    (2025, "Sở Khoa học và Công nghệ", "/BC-SKHCN", "Bộ Khoa học và Công nghệ (b/c);"),
    (2026, "Sở Khoa học và Công nghệ", "/BC-SKHCN", "Bộ Khoa học và Công nghệ (b/c);"),
])  # fmt: skip
def test_without_settings_the_department_is_the_one_of_the_report_year(year, agency, symbol, ministry):
    settings = DocumentSettings().for_year(year)
    assert (settings.agency, settings.symbol.strip(), settings.recipients[0]) == (agency, symbol, ministry)
    assert settings.recipients[-1] == "Lưu: VT."


def test_a_year_table_changes_what_it_names_from_that_year_on_and_the_general_keys_hold_for_every_year(tmp_path):
    path = tmp_path / "ictanalysis.toml"
    path.write_text('[document]\nsigner_name = "Nguyễn Văn An"\nrecipients = ["Lưu: VT."]\n\n'
                    '[document.2025]\nsigner_name = "Trần Thị Bình"\nnumber = "12"\n', encoding="utf-8")  # fmt: skip
    settings = load_document_settings(path)
    before, after = settings.for_year(2024), settings.for_year(2025)
    assert (before.signer_name, before.number, before.agency) == ("Nguyễn Văn An", "", "Sở Thông tin và Truyền thông")
    assert (after.signer_name, after.symbol, after.agency) == ("Trần Thị Bình", "12/BC-SKHCN", "Sở Khoa học và Công nghệ")
    assert before.recipients == after.recipients == ("Lưu: VT.",)  # the file's own list, for every year


def test_an_agency_the_file_gives_for_every_year_keeps_its_own_symbol(tmp_path):
    path = tmp_path / "ictanalysis.toml"
    path.write_text('[document]\nagency = "Sở Thông tin và Truyền thông"\n', encoding="utf-8")
    assert load_document_settings(path).for_year(2025).symbol.strip() == "/BC-STTTT"


@pytest.mark.parametrize("line", ['signer = "x"', "number = 12"])
def test_a_wrong_key_in_a_year_table_is_named_with_its_table(tmp_path, line):
    path = tmp_path / "ictanalysis.toml"
    path.write_text(f"[document.2025]\n{line}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"\[document\.2025\] (unknown key 'signer'|number = 12 is not a text)"):
        load_document_settings(path)


def test_a_year_table_that_names_the_agency_keeps_the_years_department_out_whole(tmp_path):
    path = tmp_path / "ictanalysis.toml"
    path.write_text('[document.2024]\nagency = "Sở Thông tin và Truyền thông"\n', encoding="utf-8")
    settings = load_document_settings(path).for_year(2025)
    assert (settings.agency, settings.symbol.strip()) == ("Sở Thông tin và Truyền thông", "/BC-STTTT")


@pytest.mark.parametrize("name", ["25", "12025", "year"])
def test_a_sub_table_not_named_by_a_year_is_an_unknown_key(tmp_path, name):
    path = tmp_path / "ictanalysis.toml"
    path.write_text(f'[document.{name}]\nagency = "X"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=rf"\[document\] {name} = .* is not|unknown key '{name}'"):
        load_document_settings(path)
