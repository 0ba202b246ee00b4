"""pyproject.toml (ranges), requirements.lock (the exact tested set) and environment.yml (conda) agree.

pyproject.toml says what the code works with, so the package installs beside an analyst's
JupyterLab; requirements.lock, compiled from it by `make lock`, is the one set of versions that is
installed (`make install`, environment.yml) and tested. These tests fail when the three drift apart.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = "requirements.lock"
PROJECT = "ictanalysis (pyproject.toml)"  # how uv names the project in a lock entry's "# via" list
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


@dataclass
class Entry:
    """One requirement of the lock file, with the hashes and the "# via" sources listed under it."""

    line: str
    requirement: Requirement
    hashes: list[str]
    via: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    @property
    def version(self) -> Version:
        (specifier,) = self.requirement.specifier
        return Version(specifier.version)


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _declared() -> dict[str, list[Requirement]]:
    """The project's requirements: "" for the runtime ones, then one list per extra."""
    project = _pyproject()["project"]
    groups = {"": project["dependencies"], **project.get("optional-dependencies", {})}
    return {group: [Requirement(r) for r in requirements] for group, requirements in groups.items()}


def _environment_yml() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _lock_text() -> str:
    return (ROOT / LOCK).read_text(encoding="utf-8")


def _lock(text: str | None = None) -> list[Entry]:
    """The lock file's entries: a requirement line, its `--hash` continuation lines, its `# via` comment."""
    entries: list[Entry] = []
    logical = ""
    for raw in (_lock_text() if text is None else text).splitlines():
        stripped = raw.strip()
        if stripped.startswith("#"):
            comment = stripped.lstrip("#").strip()
            source = comment[len("via") :].strip() if comment == "via" or comment.startswith("via ") else comment
            if entries and not logical and source:
                entries[-1].via.add(source)
            continue
        logical += " " + stripped.removesuffix("\\").strip()
        if stripped.endswith("\\"):
            continue
        logical = logical.strip()
        if logical:
            assert not logical.startswith("-"), f"{LOCK} has an option line, not a requirement: {logical}"
            hashes = HASH.findall(logical)
            requirement = Requirement(HASH.sub("", logical).strip())
            entries.append(Entry(logical, requirement, hashes))
        logical = ""
    return entries


def _header_command() -> list[str]:
    """The `uv pip compile …` command the lock's header says produced it."""
    for line in _lock_text().splitlines():
        if not line.startswith("#"):
            break
        command = line.lstrip("#").strip()
        if command.startswith("uv pip compile"):
            return shlex.split(command)
    raise AssertionError(f"{LOCK} does not say which `uv pip compile` command wrote it; run `make lock`")


def _conda_python() -> str:
    (python,) = [d for d in _environment_yml()["dependencies"] if isinstance(d, str) and d.split("=")[0] == "python"]
    return python.removeprefix("python").lstrip("=")


def test_the_parser_reads_a_lock_entry_its_hashes_and_its_sources():
    entries = _lock(
        "# header\n"
        "soupsieve==2.10 ; python_full_version < '3.11.5' \\\n"
        f"    --hash=sha256:{'a' * 64} \\\n"
        f"    --hash=sha256:{'b' * 64}\n"
        "    # via\n    #   beautifulsoup4\n    #   ictanalysis (pyproject.toml)\n"
        "pandas==3.1.1\n    # via ictanalysis (pyproject.toml)\n"
    )
    assert [(e.name, str(e.version), len(e.hashes)) for e in entries] == [
        ("soupsieve", "2.10", 2),
        ("pandas", "3.1.1", 0),
    ]
    assert entries[0].via == {"beautifulsoup4", PROJECT} and entries[1].via == {PROJECT}
    assert str(entries[0].requirement.marker) == 'python_full_version < "3.11.5"'


def test_every_locked_package_is_pinned_exactly_and_has_hashes():
    entries = _lock()
    assert len(entries) > 50, f"{LOCK} looks empty"
    unpinned = [
        e.line.split(" --hash")[0]
        for e in entries
        if [(s.operator, "*" in s.version) for s in e.requirement.specifier] != [("==", False)]
    ]
    assert not unpinned, f"pin these with == in {LOCK}: {unpinned}"
    without_hashes = [e.name for e in entries if not e.hashes]
    assert not without_hashes, f"these have no --hash in {LOCK} (run `make lock`): {without_hashes}"


def test_every_pyproject_dependency_is_locked_at_a_version_its_range_allows():
    locked: dict[str, list[Entry]] = {}
    for entry in _lock():
        locked.setdefault(entry.name, []).append(entry)
    missing, outside = [], []
    for group, requirements in _declared().items():
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            if name not in locked:
                missing.append(f"{requirement} ({group or 'runtime'})")
            outside += [
                f"{entry.requirement} is outside {requirement}"
                for entry in locked.get(name, [])
                if not requirement.specifier.contains(entry.version, prereleases=True)
            ]
    assert not missing, f"not in {LOCK} (run `make lock`): {missing}"
    assert not outside, f"{LOCK} no longer satisfies pyproject.toml (run `make lock`): {outside}"


def test_the_lock_was_compiled_from_pyproject_with_every_extra_for_python_3_11_everywhere():
    command = _header_command()
    extras = {command[i + 1] for i, word in enumerate(command[:-1]) if word == "--extra"}
    assert "--all-extras" in command or extras >= set(_declared()) - {""}, f"compiled without some extras: {command}"
    assert "pyproject.toml" in command, command
    assert "--universal" in command, "compile with --universal: the lock must also serve Windows laptops"
    assert "--generate-hashes" in command, command
    locked_for = command[command.index("--python-version") + 1] if "--python-version" in command else None
    assert locked_for == _conda_python(), (
        f"{LOCK} was compiled for Python {locked_for}; environment.yml: {_conda_python()}"
    )
    # The project's direct requirements, as the lock records them, are exactly pyproject.toml's:
    # a dependency added without `make lock` is missing here, a removed one is still listed.
    direct = {e.name for e in _lock() if PROJECT in e.via}
    declared = {canonicalize_name(r.name) for requirements in _declared().values() for r in requirements}
    assert direct == declared, (
        f"run `make lock`: in pyproject.toml but not locked as its requirement: {sorted(declared - direct)}; "
        f"locked as a requirement but not in pyproject.toml: {sorted(direct - declared)}"
    )


def test_environment_yml_asks_for_the_python_of_requires_python_and_installs_the_lock():
    requires_python = SpecifierSet(_pyproject()["project"]["requires-python"])
    conda_python = _conda_python()
    assert re.fullmatch(r"3\.\d+", conda_python), (
        f"environment.yml should ask for one minor, e.g. python=3.11: {conda_python}"
    )
    allowed = {f"3.{minor}" for minor in range(40) for patch in (0, 99) if f"3.{minor}.{patch}" in requires_python}
    assert allowed == {conda_python}, (
        f"requires-python {requires_python} allows {sorted(allowed)}; environment.yml: {conda_python}"
    )
    dependencies = _environment_yml()["dependencies"]
    assert "pip" in dependencies
    (pip_section,) = [d["pip"] for d in dependencies if isinstance(d, dict) and "pip" in d]
    # Only the lock: a package listed here as well would be a second, drifting source of versions.
    assert pip_section == [f"-r {LOCK}"], f"environment.yml's pip section should be just '-r {LOCK}': {pip_section}"


def test_this_environment_runs_the_locked_versions():
    environment = default_environment()
    wrong = []
    for entry in _lock():
        if entry.requirement.marker is not None and not entry.requirement.marker.evaluate(environment):
            continue
        try:
            installed = Version(metadata.version(entry.name))
        except metadata.PackageNotFoundError:
            installed = None
        if installed != entry.version:
            wrong.append(f"{entry.name} {installed or 'missing'} (locked {entry.version})")
    assert not wrong, f"the tests run on versions other than {LOCK}'s; run `make install`: {wrong}"
