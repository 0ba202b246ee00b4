"""The package as an analyst installs it: built as a wheel, installed without -e outside the checkout, run end to end.

The wheel is built from the checkout and installed with ``--no-deps`` into a
fresh virtual environment in a temporary folder; that environment sees the
tested dependencies through a ``.pth`` line naming this environment's
site-packages (whose editable hook to the checkout is not run, as .pth files of
a folder named that way are not read), and their data files (nbconvert's
templates) through ``JUPYTER_PATH``. ``ictanalysis init`` lays out a project,
the bundled workbooks go into it, and ``ictanalysis run`` builds the report and
the email there, far from the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import BUNDLED_RAW

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _run(args: list, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ICTANALYSIS_", "PYTHONPATH"))}
    data = str(Path(sys.prefix) / "share" / "jupyter")  # where pip put the dependencies' data files
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          env={**env, "PYTHONIOENCODING": "utf-8", "JUPYTER_PATH": data}, timeout=timeout)  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources (setuptools writes build/ and *.egg-info beside them)."""
    source, dist = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "ictanalysis", source / "ictanalysis", ignore=shutil.ignore_patterns("__pycache__"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", dist,
                  source], cwd=dist)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = dist.glob("ictanalysis-*.whl")
    return found


def test_the_wheel_holds_every_file_the_package_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "ictanalysis"
    needed = {p.relative_to(REPO).as_posix() for p in package.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc",)}  # fmt: skip
    assert sorted(needed - names) == []
    for name in ("ictanalysis/notebooks/annual_report.ipynb", "ictanalysis/templates/nbconvert/ictanalysis_report/conf.json",
                 "ictanalysis/locale/vi/LC_MESSAGES/ictanalysis.po", "ictanalysis/catalog/report.yaml"):  # fmt: skip
        assert name in names


def test_installed_from_the_wheel_outside_the_checkout_it_runs_the_whole_pipeline(wheel, tmp_path):
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", venv], cwd=tmp_path).returncode == 0
    python, command = venv / "bin" / "python", venv / "bin" / "ictanalysis"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip())
    (site / "tested_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    project = tmp_path / "so-tttt"
    assert _run([command, "init", project], cwd=tmp_path).returncode == 0
    for year in ("2019", "2020"):
        shutil.copytree(BUNDLED_RAW / year, project / "data" / "raw" / year)
    done = _run([command, "run"], cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("annual_report.html", "annual_report.eml", "quality/2020-vs-2019.html"):
        assert (project / "reports" / "2020" / name).is_file(), name
    where = _run([python, "-c", "import ictanalysis; print(ictanalysis.__file__)"], cwd=project).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(REPO)
