"""Chart files drawn from specs in a process of their own, and the import cost the project's processes skip."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ictanalysis.errors import ReportError
from ictanalysis.render import SPEC_SUFFIX, ChartRenderer, write_chart_files, write_spec
from ictanalysis.startup import SKIPPED_MODULE

ROOT = Path(__file__).resolve().parents[1]
BARS = {
    "data": {"values": [{"huyện": "Bác Ái", "thuê bao": 1234567}, {"huyện": "Ninh Sơn", "thuê bao": 98765}]},
    "mark": "bar",
    "encoding": {"y": {"field": "huyện", "type": "nominal"}, "x": {"field": "thuê bao", "type": "quantitative"}},
    "title": "Thuê bao theo huyện",
}


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_write_chart_files_draws_svg_png_and_an_offline_page_with_vietnamese_numbers(tmp_path):
    paths = write_chart_files(BARS, tmp_path, "bars", "vi")
    svg = paths["svg"].read_text(encoding="utf-8")
    assert "Bác Ái" in svg and "1.200.000" in svg  # an axis tick in Vietnamese notation
    assert paths["png"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page = paths["html"].read_text(encoding="utf-8")
    assert "<title>Thuê bao theo huyện</title>" in page and "https://" not in page.split("vegaEmbed(")[-1]
    assert _files(tmp_path) == {"bars.svg", "bars.png", "bars.html"}


def test_the_renderer_draws_specs_written_while_it_runs_and_those_left_at_the_end(tmp_path):
    folder = tmp_path / "charts"
    with ChartRenderer(folder, "vi") as renderer:
        write_spec(BARS, folder, "first")
        deadline = time.monotonic() + 60
        while not (folder / "first.png").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (folder / "first.png").exists(), "a spec written while the renderer runs is drawn before the end"
        write_spec({**BARS, "title": "Lần hai"}, folder, "second")
        renderer.finish(timeout=60)
    expected = {f"{name}{suffix}" for name in ("first", "second") for suffix in (SPEC_SUFFIX, ".svg", ".png", ".html")}
    assert _files(folder) == expected
    assert "Lần hai" in (folder / "second.svg").read_text(encoding="utf-8")


def test_a_spec_that_cannot_be_drawn_is_a_report_error_naming_the_chart(tmp_path):
    folder = tmp_path / "charts"
    with ChartRenderer(folder, "vi") as renderer:
        write_spec({"mark": "no-such-mark", "data": {"values": [{"a": 1}]}}, folder, "broken")
        with pytest.raises(ReportError, match=r"the charts could not be drawn: .*broken\.vl\.json"):
            renderer.finish(timeout=60)
    assert not (folder / "broken.svg").exists()


def test_leaving_the_block_without_finishing_stops_the_renderer(tmp_path):
    with pytest.raises(RuntimeError, match="the notebook failed"), ChartRenderer(tmp_path, "vi") as renderer:
        process = renderer._process
        raise RuntimeError("the notebook failed")
    assert process.poll() is not None, "the renderer's process is stopped, not left running"


def test_a_view_keeps_the_spec_of_the_chart_it_displays(tmp_path, cmp, monkeypatch):
    from ictanalysis.chart import VEGALITE_MIMETYPE
    from ictanalysis.view import ReportView

    out = tmp_path / "run"
    shown = ReportView(cmp, "vi", output_dir=str(out)).chart("mobile_share")
    kept = json.loads((out / "charts" / f"mobile_share{SPEC_SUFFIX}").read_text(encoding="utf-8"))
    displayed = shown._repr_mimebundle_()[VEGALITE_MIMETYPE]
    assert {k: v for k, v in kept.items() if k != "$schema"} == {k: v for k, v in displayed.items() if k != "$schema"}
    (tmp_path / "analyst").mkdir()
    monkeypatch.chdir(tmp_path / "analyst")
    ReportView(cmp, "vi").chart("mobile_share")  # an analyst's run keeps nothing, here or anywhere
    assert list((tmp_path / "analyst").iterdir()) == []
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [f"mobile_share{SPEC_SUFFIX}"]


# --- the IRI grammar the command line skips ----------------------------------------------------------


def _modules_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys, json\nprint(json.dumps(sorted(k for k, v in sys.modules.items() if v is not None)))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_command_line_never_builds_the_iri_grammar_yet_altair_still_validates():
    code = (
        "from ictanalysis.startup import skip_iri_grammar\nskip_iri_grammar()\n"
        "import altair as alt, jsonschema, nbformat\n"
        "try:\n    alt.Chart().mark_bar().encode(x=alt.X('a:Q', bin='wrong')).to_dict()\n"
        "except Exception as exc:\n    print('refused', type(exc).__name__)\n"
        "checker = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
        "print('uri checked', 'uri' in checker.checkers, 'iri checked', 'iri' in checker.checkers)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "refused SchemaValidationError" in done.stdout, done.stdout + done.stderr
    assert "uri checked True iri checked False" in done.stdout
    command_line = "from ictanalysis.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\nimport nbformat"
    assert SKIPPED_MODULE not in _modules_after(command_line)


def test_importing_the_package_in_a_notebook_changes_no_import():
    assert SKIPPED_MODULE in _modules_after("import ictanalysis.chart") or _rfc3987_not_installed()


def _rfc3987_not_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec(SKIPPED_MODULE) is None


def test_the_package_function_compare_stays_a_function_after_its_module_is_imported():
    code = "import ictanalysis as ict\na = ict.compare\nimport ictanalysis.compare\nb = ict.compare\nprint(callable(a), a is b)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]
