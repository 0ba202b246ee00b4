"""environment.yml (conda) and pyproject.toml (pip) describe the same environment."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        name, op, version = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(==|>=|~=|<=)?\s*(\S*)", requirement).groups()
        pins[re.sub(r"[-_.]+", "-", name).lower()] = f"{op}{version}"
    return pins


def test_every_dependency_is_pinned_exactly():
    project = _pyproject()["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    loose = [r for r in requirements if "==" not in r]
    assert not loose, f"pin these with ==: {loose}"


def test_environment_yml_lists_the_same_pins_as_pyproject():
    project = _pyproject()["project"]
    expected = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == expected


def test_both_files_ask_for_python_3_11():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in environment["dependencies"]
    assert _pyproject()["project"]["requires-python"] == ">=3.11,<3.12"
