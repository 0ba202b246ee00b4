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
    for name in ("annual_report.html", "annual_report.eml", "quality.html", ".run-state.json"):
        assert (folder / name).is_file(), name
    again = _run(["-m", "ictanalysis", "run", "--raw", "raw", "--processed", "processed", "--reports", "reports"],
                 tmp_path, windows_like)  # fmt: skip
    assert again.returncode == 0 and "up to date" in again.stdout, again.stderr
