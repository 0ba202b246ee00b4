"""The gate is bound to what it checked: ``report`` and ``send`` go on only from the table and pair it passed.

A quality result records its pair and the sha256 of the tidy table's file;
results are kept per pair (``quality/2020-vs-2019.json``). Each refusal
is exit 4, says what to run, and writes nothing beside the quality files.
The tables are the bundled one and a copy with a third year (2018, 2019's
figures), checked once per module with the real gate.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ictanalysis import cli
from ictanalysis.errors import ExitCode, QualityError
from ictanalysis.validate import gate

PAIR = ("--year", "2020", "--compare-year", "2019")


@pytest.fixture(scope="module")
def checked(tmp_path_factory, table) -> Path:
    """A project whose three-year table the gate checked for 2020 vs 2019 (passed) and 2020 vs 2018."""
    root = tmp_path_factory.mktemp("gate")
    (root / "processed").mkdir()
    others = table[table["year"] != 2018]  # the yearbook gives a few 2018 figures: 2018 is 2019's here
    three_years = pd.concat([others, table[table["year"] == 2019].assign(year=2018)], ignore_index=True)
    three_years.to_parquet(root / "processed" / "indicators.parquet", index=False)
    gate(root / "processed" / "indicators.parquet", root / "reports", year=2020, compare_year=2019)
    (root / "first.json").write_bytes((root / "reports" / "2020" / "quality/2020-vs-2019.json").read_bytes())
    try:
        gate(root / "processed" / "indicators.parquet", root / "reports", year=2020, compare_year=2018)
    except QualityError:
        pass  # failed or passed, it is 2020 vs 2018's result
    return root


@pytest.fixture
def project(checked, tmp_path, monkeypatch) -> Path:
    """A copy of the checked project, the working folder."""
    root = tmp_path / "project"
    shutil.copytree(checked, root)
    monkeypatch.chdir(root)
    return root


def _main(*args: str) -> int:
    return cli.main([*args, "--data", "processed/indicators.parquet", "--reports", "reports"])


def _written(root: Path) -> set[str]:
    return {p.name for p in (root / "reports" / "2020").iterdir()}


def test_each_pair_keeps_its_own_result(checked):
    folder = checked / "reports" / "2020"
    results = {cy: json.loads((folder / f"quality/2020-vs-{cy}.json").read_text(encoding="utf-8")) for cy in (2019, 2018)}
    assert {cy: (r["year"], r["compare_year"]) for cy, r in results.items()} == {2019: (2020, 2019), 2018: (2020, 2018)}
    assert (folder / "quality/2020-vs-2019.json").read_bytes() == (checked / "first.json").read_bytes()  # not overwritten
    assert (folder / "quality/2020-vs-2019.html").is_file() and (folder / "quality/2020-vs-2018.html").is_file()


def test_a_result_records_the_sha256_of_the_table_it_checked(checked):
    import hashlib

    digest = hashlib.sha256((checked / "processed" / "indicators.parquet").read_bytes()).hexdigest()
    result = json.loads((checked / "reports" / "2020" / "quality/2020-vs-2019.json").read_text(encoding="utf-8"))
    assert result["table_sha256"] == digest and result["passed"] is True


def test_a_report_for_a_pair_the_gate_did_not_check_is_refused(project, capsys):
    for name in ("quality/2020-vs-2019.json", "quality/2020-vs-2019.html"):  # only 2020 vs 2018 was checked
        (project / "reports" / "2020" / name).unlink()
    before = _written(project)
    assert _main("report", *PAIR) == ExitCode.QUALITY == 4
    err = capsys.readouterr().err
    assert "has not been checked for 2020 vs 2019" in err
    assert "run `ictanalysis validate --year 2020 --compare-year 2019` first" in err and "Traceback" not in err
    assert _written(project) == before  # no report, no staging left


def test_a_result_of_another_pair_under_this_pairs_name_is_refused(project, capsys):
    folder = project / "reports" / "2020"
    shutil.copyfile(folder / "quality/2020-vs-2018.json", folder / "quality/2020-vs-2019.json")
    assert _main("report", *PAIR) == 4
    assert "is for 2020 vs 2018 (province 58), not 2020 vs 2019" in capsys.readouterr().err


def test_a_report_from_a_table_changed_since_it_was_checked_is_refused(project, capsys):
    table = pd.read_parquet(project / "processed" / "indicators.parquet")
    table.loc[table.index[0], "value"] += 1  # cleaned again from a corrected workbook, say
    table.to_parquet(project / "processed" / "indicators.parquet", index=False)
    assert _main("report", *PAIR) == 4
    err = capsys.readouterr().err
    assert "is for another tidy table than processed/indicators.parquet".replace("/", str(Path("/"))) in err
    assert "validate --year 2020 --compare-year 2019` again" in err
    assert "annual_report.html" not in _written(project)


def test_a_report_after_a_failed_gate_is_refused_naming_the_failed_rules(project, capsys):
    table = pd.read_parquet(project / "processed" / "indicators.parquet")
    table.loc[table["indicator"] == "coverage_3g4g_population", "value"] = 130.0  # a rate above 100 %
    table.to_parquet(project / "processed" / "indicators.parquet", index=False)
    assert _main("validate", *PAIR) == 4
    capsys.readouterr()
    assert _main("report", *PAIR) == 4
    err = capsys.readouterr().err
    assert "the quality gate failed for 2020 vs 2019" in err and "value_not_above_range" in err
    assert str(Path("reports/2020/quality/2020-vs-2019.html")) in err
    assert "annual_report.html" not in _written(project)


def test_send_is_refused_like_report_and_writes_no_email(project, capsys):
    (project / "reports" / "2020" / "quality/2020-vs-2019.json").unlink()
    assert _main("send", "--eml-only", *PAIR) == 4
    assert "has not been checked for 2020 vs 2019" in capsys.readouterr().err
    assert "annual_report.eml" not in _written(project)


def test_the_gate_passed_on_this_table_lets_report_and_send_go_on(project):
    from ictanalysis.settings import DEFAULTS
    from ictanalysis.stages import require_gate
    from ictanalysis.years import YearPair

    settings = DEFAULTS.replace(data=project / "processed" / "indicators.parquet", reports=project / "reports")
    require_gate(settings, YearPair(2020, 2019))  # raises nothing


def test_the_notebooks_data_notes_take_a_result_of_another_table_for_none(project):
    from ictanalysis.view import open_report

    data = project / "processed" / "indicators.parquet"
    view = open_report(2020, 2019, province="58", language="vi", data=str(data))
    assert view.quality is not None and view.quality["compare_year"] == 2019
    table = pd.read_parquet(data)
    table.loc[table.index[0], "value"] += 1
    table.to_parquet(data, index=False)
    assert open_report(2020, 2019, province="58", language="vi", data=str(data)).quality is None
