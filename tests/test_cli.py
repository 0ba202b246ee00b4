"""The command line: help that teaches, exit codes that mean something, nothing heavy at start-up."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ictanalysis.cli import build_parser, main
from ictanalysis.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `python -m ictanalysis ARGS` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "ictanalysis", *map(str, args)], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_with_a_runnable_example(name):
    help_text = _commands()[name].format_help()
    assert "example:" in help_text
    assert f"ictanalysis {name}" in help_text.split("example:")[1]


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_is_documented_in_the_readme(name):
    assert f"ictanalysis {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", list(ExitCode))
def test_every_exit_code_is_documented_in_help_and_readme(code):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"  {code.value}  " in build_parser().format_help()
    assert f"| {code.value} |" in readme


def test_help_answers_without_loading_pandas_or_report_libraries():
    probe = "import sys; from ictanalysis.cli import build_parser; build_parser().format_help(); print(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    for heavy in ("pandas", "great_expectations", "altair", "papermill", "nbconvert", "pydantic"):
        assert f"'{heavy}'" not in loaded


def test_importing_the_package_loads_nothing_heavy():
    probe = "import sys, ictanalysis; print(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    for heavy in ("pandas", "great_expectations", "altair", "papermill", "nbconvert"):
        assert f"'{heavy}'" not in loaded


def test_module_and_script_entry_points_print_help():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "clean" in result.stdout


def test_unknown_command_is_a_usage_error():
    result = run_cli("frobnicate")
    assert result.returncode == ExitCode.USAGE
    assert "invalid choice" in result.stderr


def test_clean_writes_the_table_and_says_where(tmp_path):
    out = tmp_path / "processed"
    result = run_cli("clean", "--raw", ROOT / "data/raw", "--out", out)
    assert result.returncode == 0, result.stderr
    assert str(out / "indicators.parquet") in result.stdout
    assert (out / "indicators.parquet").stat().st_size > 0
    assert (out / "indicators.csv").stat().st_size > 0
    assert "hidden sheet" in result.stdout


def test_clean_check_writes_nothing(tmp_path):
    out = tmp_path / "processed"
    assert main(["clean", "--raw", str(ROOT / "data/raw"), "--out", str(out), "--check"]) == 0
    assert not out.exists()


def test_missing_raw_folder_is_an_input_error(tmp_path):
    result = run_cli("clean", "--raw", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert result.returncode == ExitCode.INPUT
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_writing_command_takes_the_lock_and_waits_with_wait(tmp_path):
    import threading

    from ictanalysis.lock import holding
    from ictanalysis.outputs import Outputs

    processed, reports = tmp_path / "processed", tmp_path / "reports"
    options = ("--raw", ROOT / "data/raw", "--out", processed)
    assert run_cli("clean", *options).returncode == 0
    table = ("--data", processed / "indicators.parquet", "--reports", reports)
    commands = {"clean": options, "validate": table, "report": table, "send": (*table, "--eml-only")}
    with holding(Outputs(processed, reports), command="report"):  # both locks, as a run holds them
        refused = {name: run_cli(name, *args) for name, args in commands.items()}
        checked = run_cli("clean", "--check", "--raw", ROOT / "data/raw")  # writes nothing: takes no lock
    for name, done in refused.items():
        assert done.returncode == ExitCode.BUSY, (name, done.stderr)
        assert f"another `ictanalysis report` holds the lock (pid {os.getpid()}, started " in done.stderr
        assert "--wait SECONDS" in done.stderr and "Traceback" not in done.stderr
    assert checked.returncode == 0, checked.stderr
    assert not (reports / "2020").exists()  # nothing was written by the refused commands

    with holding(Outputs(processed, reports), command="validate", scope="reports"):
        cleaned = run_cli("clean", *options)  # the table's lock is free: clean may write it meanwhile
    assert cleaned.returncode == 0, cleaned.stderr

    lock = holding(Outputs(processed, reports), command="run")
    lock.__enter__()
    threading.Timer(3.0, lock.__exit__, (None, None, None)).start()
    waited = run_cli("validate", *table, "--wait", "60")  # the holder lets go after 3 s
    assert waited.returncode == 0, waited.stderr
    assert (reports / "2020" / "quality" / "2020-vs-2019.json").is_file()
