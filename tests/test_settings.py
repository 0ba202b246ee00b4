"""The settings: one file per project, found from any folder below it, its paths relative to it; `init` lays one out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED_RAW

from ictanalysis.errors import DeliveryError, ExitCode, UsageError
from ictanalysis.project import init
from ictanalysis.settings import DEFAULTS, Settings, find_settings, load_settings


def _cli(*args: str | os.PathLike, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICTANALYSIS_")}
    return subprocess.run([sys.executable, "-m", "ictanalysis", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", env={**env, "PYTHONIOENCODING": "utf-8"}, timeout=300)  # fmt: skip


def _with_years(raw: Path) -> None:
    for year in ("2019", "2020"):
        shutil.copytree(BUNDLED_RAW / year, raw / year, dirs_exist_ok=True)


def test_without_a_file_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_settings() is None
    settings = load_settings(environ={})
    assert settings == Settings() == DEFAULTS
    assert settings.outputs.table == Path("data/processed/indicators.parquet")


def test_the_nearest_file_above_is_found_and_its_paths_are_relative_to_it(tmp_path, monkeypatch):
    (tmp_path / "ictanalysis.toml").write_text('province = "56"\nlanguage = "en"\n[paths]\nraw = "nhan"\n'
                                               'layouts = ["mau", "mau-2"]\n', encoding="utf-8")  # fmt: skip
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "deep")
    settings = load_settings(environ={})
    assert settings.file.resolve() == (tmp_path / "ictanalysis.toml").resolve()
    assert (settings.province, settings.language) == ("56", "en")
    assert settings.raw.resolve() == (tmp_path / "nhan").resolve()
    assert settings.reports.resolve() == (tmp_path / "reports").resolve()  # a default, also relative to the file
    assert [p.resolve() for p in settings.layouts] == [(tmp_path / "mau").resolve(), (tmp_path / "mau-2").resolve()]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('provnce = "58"\n', "unknown key 'provnce'"),
        ('[paths]\nrows = "x"\n', r"\[paths\] unknown key 'rows'"),
        ("timeout = '600'\n", "timeout = '600' is not a whole number"),
        ('province = "58"\nprovince = "56"\n', "not valid TOML"),
        ('language = "fr"\n', "language = 'fr' has no words"),
        ("log_days = -1\n", r"log_days = -1 is not 0 \(the default, 90\) or more days"),
        ("log_days = 1.5\n", "log_days = 1.5 is not a whole number"),
    ],
)
def test_a_wrong_settings_file_is_a_usage_error_naming_the_key(tmp_path, text, message):
    """Every key of the file is checked when it is read (the [mail] table when mail is sent)."""
    path = tmp_path / "ictanalysis.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message) as caught:
        load_settings(path, environ={})
    assert caught.value.exit_code == ExitCode.USAGE and str(path) in str(caught.value)


@pytest.mark.parametrize(("line", "days"), [("", 90), ("log_days = 0\n", 90), ("log_days = 30\n", 30)])
def test_the_logs_are_kept_log_days_and_0_or_nothing_means_90(tmp_path, line, days):
    path = tmp_path / "ictanalysis.toml"
    path.write_text(line, encoding="utf-8")
    assert load_settings(path, environ={}).log_days == days == (days if line else DEFAULTS.log_days)


def test_a_settings_file_named_on_the_command_line_must_exist(tmp_path):
    done = _cli("clean", "--check", "--settings", tmp_path / "typo.toml", cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "no settings file" in done.stderr and "typo.toml" in done.stderr and "Traceback" not in done.stderr


def test_mail_settings_come_with_the_rest_and_the_environment_overrides_them(tmp_path):
    path = tmp_path / "ictanalysis.toml"
    path.write_text('[mail]\nhost = "mail.example.org"\nsender = "a@example.org"\nrecipients = ["b@example.org"]\n',
                    encoding="utf-8")  # fmt: skip
    settings = load_settings(path, environ={"ICTANALYSIS_SMTP_PORT": "2525", "ICTANALYSIS_SMTP_PASSWORD": "bí-mật"})
    assert settings.mail.address == "mail.example.org:2525" and settings.mail.password == "bí-mật"
    assert "bí-mật" not in repr(settings)
    path.write_text('[mail]\nhost = "h"\npassword = "x"\n', encoding="utf-8")
    settings = load_settings(path, environ={})  # read: only what sends mail checks the [mail] table
    with pytest.raises(DeliveryError, match="must not hold the password"):
        _ = settings.mail


def test_a_typo_in_the_mail_settings_stops_only_what_sends_mail(tmp_path):
    _with_years(tmp_path / "data" / "raw")
    (tmp_path / "ictanalysis.toml").write_text('[mail]\nhost = "h"\nsender = "s"\nrecipient = ["r"]\n', encoding="utf-8")
    assert _cli("clean", "--check", cwd=tmp_path).returncode == 0
    done = _cli("send", "--data", "nowhere.parquet", cwd=tmp_path)
    assert done.returncode in (ExitCode.INPUT, ExitCode.DELIVERY)  # no table yet, or the mail settings first
    sent = _cli("run", cwd=tmp_path)
    assert sent.returncode == ExitCode.DELIVERY and "unknown key in [mail]: recipient" in sent.stderr, sent.stderr


def test_config_names_a_file_whose_mail_table_is_used_and_a_missing_one_holds_none(tmp_path):
    _with_years(tmp_path / "data" / "raw")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "mail.toml").write_text('[mail]\nhost = "h"\n', encoding="utf-8")
    done = _cli("run", "--config", tmp_path / "elsewhere" / "mail.toml", cwd=tmp_path)
    assert done.returncode == ExitCode.DELIVERY and "lack sender, recipients" in done.stderr, done.stderr
    assert not (tmp_path / "elsewhere" / "data").exists()  # the paths stay those of the working folder
    quiet = _cli("clean", "--check", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    written = _cli("send", "--config", tmp_path / "no-such.toml", cwd=tmp_path)  # the run built the report
    assert written.returncode == 0 and written.stdout.startswith("Not sent: no mail settings"), written.stderr


def test_command_line_options_override_the_settings_file(tmp_path):
    _with_years(tmp_path / "elsewhere")
    (tmp_path / "ictanalysis.toml").write_text('[paths]\nraw = "no-such-folder"\n', encoding="utf-8")
    assert _cli("clean", "--check", cwd=tmp_path).returncode == ExitCode.INPUT  # the file's raw folder
    done = _cli("clean", "--check", "--raw", tmp_path / "elsewhere", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"from {tmp_path / 'elsewhere'}:" in done.stdout


def test_init_lays_out_a_project_that_runs_from_any_of_its_folders(tmp_path):
    project = tmp_path / "so-tttt"
    done = _cli("init", project, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "put the year's workbooks there" in done.stdout
    for path in ("ictanalysis.toml", "data/raw/README.md", "layouts/README.md", "notebooks/annual_report.ipynb",
                 "notebooks/annual_report.py", "notebooks/explore.ipynb", "data/processed", "reports"):  # fmt: skip
        assert (project / path).exists(), path
    assert load_settings(project / "ictanalysis.toml", environ={}).province == DEFAULTS.province
    _with_years(project / "data" / "raw")
    cleaned = _cli("clean", cwd=project / "notebooks")  # the settings above, their paths relative to them
    assert cleaned.returncode == 0, cleaned.stderr
    assert (project / "data" / "processed" / "indicators.parquet").is_file()
    assert not (project / "notebooks" / "data").exists()


def test_init_never_overwrites_a_project(tmp_path):
    init(tmp_path / "p")
    settings = tmp_path / "p" / "ictanalysis.toml"
    settings.write_text('province = "56"\n', encoding="utf-8")
    done = _cli("init", tmp_path / "p", cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE and "already holds a project" in done.stderr
    assert settings.read_text(encoding="utf-8") == 'province = "56"\n'
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="is a file"):
        init(tmp_path / "a-file")


def test_the_notebook_takes_what_it_is_not_given_from_the_project(tmp_path):
    project = tmp_path / "p"
    init(project)
    _with_years(project / "data" / "raw")
    assert _cli("clean", cwd=project).returncode == 0
    probe = "import ictanalysis as ict\nview = ict.open_report()\nprint(view.cmp.year, view.cmp.compare_year, view.language)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=project / "notebooks", capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2020", "2019", "vi"]


@pytest.mark.parametrize("path", ["ictanalysis.toml", "ictanalysis/templates/project/ictanalysis.toml"])
def test_the_settings_files_show_the_defaults(path, tmp_path):
    """The repository's settings and the one `init` writes say what the defaults are, and say it truly."""
    source = Path(__file__).resolve().parents[1] / path
    (tmp_path / "ictanalysis.toml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    read = load_settings(tmp_path / "ictanalysis.toml", environ={})
    root = Path(os.path.relpath(tmp_path))
    expected = DEFAULTS.replace(raw=root / DEFAULTS.raw, processed=root / DEFAULTS.processed, reports=root / DEFAULTS.reports,
                                plans=root / DEFAULTS.plans, layouts=read.layouts, file=read.file,
                                mail_file=read.mail_file)  # fmt: skip
    assert read == expected and read.mail is None
    assert [p.name for p in read.layouts] in ([], ["layouts"])


def test_a_layouts_folder_that_does_not_exist_is_refused(tmp_path):
    (tmp_path / "ictanalysis.toml").write_text('[paths]\nlayouts = ["mau-bieu"]\n', encoding="utf-8")
    done = _cli("clean", "--check", cwd=tmp_path)
    assert done.returncode == ExitCode.INPUT and "mau-bieu: no such folder of layouts" in done.stderr, done.stderr
