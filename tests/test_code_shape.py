"""How the code reads: small pieces, one job per module, no import cycle, one home for each shared name.

These read the package's source with `ast`; each can fail, and each failure names
the module and line to change.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ictanalysis"
MAX_FUNCTION_LINES = 40
MAX_CLASS_LINES = 150
# Number notations of workbooks ("1.234,5" is "vi") are not languages of the outputs: they live where numbers are read.
NOTATION_MODULES = {"normalise", "layouts", "extract.numbers", "extract.columns", "extract.rows", "extract.units"}
# Calls that exist only on POSIX, or mean something else on Windows (os.kill(pid, 0) terminates the process there).
POSIX_ONLY = {"fcntl", "pty", "termios", "resource", "grp", "pwd"}
POSIX_CALLS = {("os", "kill"), ("os", "killpg"), ("os", "getuid"), ("os", "setsid"), ("os", "fork"), ("select", "select")}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] == "notebooks":  # jupytext text notebooks, not modules (tests/test_report.py reads them)
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"
        found[name] = path
    return found


MODULES = _modules()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the string constants that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _strings(tree: ast.AST) -> list[ast.Constant]:
    """Return the string constants that are not docstrings."""
    skip = _docstrings(tree)
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_functions_and_classes_are_small(module):
    too_long = []
    for node in ast.walk(_tree(MODULES[module])):
        limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.end_lineno - node.lineno + 1 > limit:
                too_long.append(f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines")
    assert too_long == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_states_its_one_job_in_its_first_docstring_line(module):
    docstring = ast.get_docstring(_tree(MODULES[module]))
    assert docstring, f"{module} has no docstring"
    first = docstring.splitlines()[0]
    assert first.endswith((".", ")", ":")) and len(first) <= 120, first


def _imports(module: str) -> set[str]:
    """Return the package modules `module` imports, anywhere in it (lazy imports too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(_tree(path)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = ["ictanalysis", *package.split(".")][: len(package.split(".")) + 2 - node.level]
                base = ".".join([*parts, base] if base else parts)
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        for name in names:
            if name.startswith("ictanalysis."):
                inner = name.removeprefix("ictanalysis.")
                while inner and inner not in MODULES:
                    inner = inner.rpartition(".")[0]
                if inner and inner != module:
                    found.add(inner)
    return found


def test_no_import_cycle():
    graph = {module: _imports(module) for module in MODULES}
    cycles, state = [], {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                cycles.append(" → ".join([*trail[trail.index(other):], other]))
            elif other not in state:
                visit(other, [*trail, other])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_languages_are_named_only_by_the_words():
    """A language is a catalog: no module but words.py spells "vi" or "en" (or compares a language with one)."""
    spelled = []
    for module, path in MODULES.items():
        if module == "words" or module in NOTATION_MODULES:
            continue
        spelled += [f"{module}:{n.lineno} {n.value!r}" for n in _strings(_tree(path)) if n.value in ("vi", "en")]
    assert spelled == []


def test_output_file_names_are_named_only_by_the_output_layout():
    names = {"annual_report.html", "annual_report.ipynb", "annual_report.eml",
             "quality_alert.eml", ".sent.json", ".alert-sent.json", ".run-state.json", "indicators.parquet", "indicators.csv", ".run.lock"}
    spelled = []
    for module, path in MODULES.items():
        if module != "outputs":
            spelled += [f"{module}:{n.lineno} {n.value!r}" for n in _strings(_tree(path)) if n.value in names]
    assert spelled == []


def test_the_province_default_is_written_once():
    spelled = [f"{m}:{n.lineno}" for m, p in MODULES.items() if m != "settings" for n in _strings(_tree(p))
               if n.value == "58"]  # fmt: skip
    assert spelled == []


def test_nothing_posix_only_is_called_on_a_path_a_windows_user_runs():
    found = []
    for module, path in MODULES.items():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{module}:{node.lineno} import {n}" for n in names if n.split(".")[0] in POSIX_ONLY]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in POSIX_CALLS:
                    found.append(f"{module}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []
