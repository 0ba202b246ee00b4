"""Nothing depends on POSIX: the whole pipeline runs with `fcntl` unimportable and `os.kill` refused to the package.

Analysts run ictanalysis on Windows laptops, where there is no `fcntl` and where
``os.kill(pid, 0)`` terminates the process it was meant to probe. A
``sitecustomize`` module, on the path of every Python process the test starts
(the command, the report's kernel, the chart renderer), makes ``import fcntl``
fail and makes ``os.kill`` raise when the package calls it; the standard library's
own POSIX paths (``subprocess`` ending a child) keep it, as they take other paths
on Windows. The static side is in tests/test_code_shape.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BUNDLED_RAW

import ictanalysis

pytestmark = pytest.mark.slow

PACKAGE = Path(ictanalysis.__file__).resolve().parent
SITECUSTOMIZE = f'''
import os, sys
sys.modules["fcntl"] = None  # "import fcntl" raises ImportError, as on Windows
_kill = os.kill

def _refused_kill(pid, signal):
    caller = sys._getframe(1).f_code.co_filename
    if caller.startswith({str(PACKAGE)!r}):
        raise AttributeError(f"os.kill called by {{caller}}: on Windows it terminates the process")
    return _kill(pid, signal)

os.kill = _refused_kill
'''


@pytest.fixture
def windows_like(tmp_path) -> dict[str, str]:
    """Return an environment whose Python processes have no fcntl and refuse os.kill to the package."""
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ICTANALYSIS_")}
    return {**clean, "PYTHONPATH": str(boot), "PYTHONIOENCODING": "utf-8"}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=600)  # fmt: skip


def test_the_environment_really_has_no_fcntl_and_refuses_os_kill(tmp_path, windows_like):
    probe = ("import os, sys\ntry:\n    import fcntl\nexcept ImportError:\n    print('no fcntl')\n"
             "from ictanalysis import atomic\nprint(atomic._running(os.getpid()))\n"
             "sys.path.insert(0, os.path.dirname(atomic.__file__))\n"
             f"exec(compile('import os\\nos.kill(os.getpid(), 0)', {str(PACKAGE / 'probe.py')!r}, 'exec'))")  # fmt: skip
    done = _run(["-c", probe], tmp_path, windows_like)
    assert done.stdout.splitlines()[:2] == ["no fcntl", "True"], done.stderr
    assert "os.kill called by" in done.stderr


def test_the_whole_pipeline_runs_without_fcntl_and_os_kill(tmp_path, windows_like):
    for year in ("2019", "2020"):
        shutil.copytree(BUNDLED_RAW / year, tmp_path / "raw" / year)
    assert _run(["-m", "ictanalysis", "--help"], tmp_path, windows_like).returncode == 0
    done = _run(["-m", "ictanalysis", "run", "--raw", "raw", "--processed", "processed", "--reports", "reports"],
                tmp_path, windows_like)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    folder = tmp_path / "reports" / "2020"
    for name in ("annual_report.html", "annual_report.eml", "quality/2020-vs-2019.html", ".run-state.json"):
        assert (folder / name).is_file(), name
    again = _run(["-m", "ictanalysis", "run", "--raw", "raw", "--processed", "processed", "--reports", "reports"],
                 tmp_path, windows_like)  # fmt: skip
    assert again.returncode == 0 and "up to date" in again.stdout, again.stderr


# --- an output another program holds open (Windows: Excel keeps the files it shows open) --------------


def _held_on_windows(monkeypatch, held: Path, *, at_rename: bool = False) -> None:
    """Make `held` behave as Windows makes a file Excel has open: not openable for writing, not replaceable."""
    import builtins

    from ictanalysis import atomic

    real_open, real_replace = builtins.open, os.replace

    def refusing_open(file, mode="r", *args, **kwargs):
        if Path(file) == held and "+" in mode and not at_rename:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real_open(file, mode, *args, **kwargs)

    def refusing_replace(source, target):
        if Path(target) == held:
            raise PermissionError(13, "Access is denied")
        return real_replace(source, target)

    monkeypatch.setattr(builtins, "open", refusing_open)
    monkeypatch.setattr(atomic.os, "replace", refusing_replace)


def _write_pair(folder: Path) -> list[Path]:
    from ictanalysis.atomic import write_files_atomically

    return write_files_atomically([(folder / "indicators.parquet", lambda p: p.write_text("new parquet")),
                                   (folder / "indicators.csv", lambda p: p.write_text("new csv"))])  # fmt: skip


def test_an_output_held_open_leaves_both_files_of_the_pair_as_they_were(tmp_path, monkeypatch):
    from ictanalysis.errors import ExitCode, OutputError

    (tmp_path / "indicators.parquet").write_text("old parquet")
    (tmp_path / "indicators.csv").write_text("old csv")
    _held_on_windows(monkeypatch, tmp_path / "indicators.csv")
    with pytest.raises(OutputError, match="indicators.csv: it is open in another program") as caught:
        _write_pair(tmp_path)
    assert caught.value.exit_code == ExitCode.OUTPUT and "the previous file is kept" in str(caught.value)
    monkeypatch.undo()
    assert [p.read_text() for p in (tmp_path / "indicators.parquet", tmp_path / "indicators.csv")] == [
        "old parquet", "old csv"]  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv", "indicators.parquet"]


def test_a_file_held_only_at_the_rename_says_which_files_were_already_replaced(tmp_path, monkeypatch):
    from ictanalysis.errors import OutputError

    (tmp_path / "indicators.csv").write_text("old csv")
    _held_on_windows(monkeypatch, tmp_path / "indicators.csv", at_rename=True)
    with pytest.raises(OutputError, match=r"indicators\.parquet already replaced"):
        _write_pair(tmp_path)
