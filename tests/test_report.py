"""The report stage end to end: papermill runs notebooks/annual_report.py, nbconvert writes one offline HTML file.

A report run takes about half a minute, so each report is built once per test
run (see `_build_once`: with `-n 2` the two workers share it) and then read by
many small tests; nothing here writes into a shared report except through a copy.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import jupytext
import nbformat
import pytest
from browser import open_page, requires_chromium
from bs4 import BeautifulSoup
from conftest import build_once

from ictanalysis.chart import VEGALITE_MIMETYPE
from ictanalysis.compare import compare
from ictanalysis.contents import load_contents
from ictanalysis.errors import ExitCode, InputError, ReportError, UsageError, YearError
from ictanalysis.formatting import format_number, format_percent
from ictanalysis.ingest import clean
from ictanalysis.report import NOTEBOOKS, REPORT_NOTEBOOK, ReportParameters, ReportResult, build_report
from ictanalysis.tidy import read_indicators
from ictanalysis.validate import gate
from ictanalysis.words import words

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
NOTEBOOK_PY = NOTEBOOKS / "annual_report.py"
NOTEBOOK_IPYNB = NOTEBOOKS / "annual_report.ipynb"
SCREENSHOT = REPO / "reports" / "annual_report-screenshot.png"
MAX_BYTES = 2_000_000


def _result(reports: Path, year: int) -> ReportResult:
    target = reports / str(year)
    html = target / "annual_report.html"
    return ReportResult(html, target / "annual_report.ipynb", target / "charts", html.stat().st_size)


def _page_text(markup: str) -> str:
    """Return the visible text of a page: no scripts, no styles, one line per block."""
    soup = BeautifulSoup(markup, "html.parser")
    for element in soup(["script", "style"]):
        element.decompose()
    return re.sub(r"\s*\n\s*", "\n", soup.get_text("\n")).replace("\u00a0", " ")  # no-break: test_official_style


def _paragraphs(markup: str, css_class: str | None = None) -> list[str]:
    soup = BeautifulSoup(markup, "html.parser")
    found = soup.find_all("p", class_=css_class) if css_class else soup.find_all("p")
    return [p.get_text(" ", strip=True).replace("\u00a0", " ") for p in found]  # no-break spaces: test_official_style


def _chart_outputs(notebook: Path) -> list[dict]:
    """Return the Vega-Lite specs the executed notebook's cells displayed, in order."""
    executed = nbformat.read(notebook, as_version=4)
    return [
        output["data"][VEGALITE_MIMETYPE]
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if VEGALITE_MIMETYPE in output.get("data", {})
    ]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The 2020 report of the bundled workbooks, with the quality gate's result beside it."""

    def build(root: Path) -> None:
        clean(RAW, out_dir=root / "processed")
        gate(root / "processed" / "indicators.parquet", root / "reports", year=2020, compare_year=2019)
        started = time.monotonic()
        result = build_report(ReportParameters(2020, 2019, data=str(root / "processed" / "indicators.parquet")),
                              root / "reports")  # fmt: skip
        print(
            f"bundled report built in {time.monotonic() - started:.1f} s: {result.html} ({result.size_bytes:,} bytes)"
        )

    root = build_once(tmp_path_factory, "report-bundled", build)
    data = root / "processed" / "indicators.parquet"
    result = _result(root / "reports", 2020)
    return SimpleNamespace(
        root=root,
        data=data,
        reports=root / "reports",
        result=result,
        html=result.html.read_text(encoding="utf-8"),
        cmp=compare(read_indicators(data), 2020, 2019),
    )


@pytest.fixture(scope="module")
def english(tmp_path_factory, bundled):
    """The same report in English (no quality result in its folder)."""

    def build(root: Path) -> None:
        build_report(ReportParameters(2020, 2019, language="en", data=str(bundled.data)), root / "reports")

    root = build_once(tmp_path_factory, "report-english", build)
    result = _result(root / "reports", 2020)
    return SimpleNamespace(result=result, html=result.html.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def third_year(tmp_path_factory, sample_generator):
    """A 2021 report from workbooks the sample generator writes for 2020 and 2021."""

    def build(root: Path) -> None:
        sample_generator.write_all(root / "raw", years=(2020, 2021))
        clean(root / "raw", out_dir=root / "processed")
        build_report(
            ReportParameters(2021, 2020, data=str(root / "processed" / "indicators.parquet")), root / "reports"
        )

    root = build_once(tmp_path_factory, "report-2021", build)
    data = root / "processed" / "indicators.parquet"
    result = _result(root / "reports", 2021)
    return SimpleNamespace(result=result, html=result.html.read_text(encoding="utf-8"),
                           cmp=compare(read_indicators(data), 2021, 2020))  # fmt: skip


@pytest.fixture(scope="module")
def table_only(tmp_path_factory) -> Path:
    """The bundled tidy table alone, for the checks that must fail before any report work."""
    out = tmp_path_factory.mktemp("processed")
    clean(RAW, out_dir=out)
    return out / "indicators.parquet"


# --- 1. the bundled report -------------------------------------------------------------------------


def test_report_is_written_into_the_year_folder_with_executed_notebook_and_charts(bundled):
    target = bundled.reports / "2020"
    assert bundled.result.html == target / "annual_report.html" and bundled.result.html.is_file()
    executed = nbformat.read(target / "annual_report.ipynb", as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    assert executed.metadata.papermill.parameters["year"] == 2020
    assert executed.metadata.papermill.parameters["compare_year"] == 2019
    names = {p.name.removesuffix(".vl.json") for p in (target / "charts").glob("*.vl.json")}
    assert len(names) == len(_chart_outputs(target / "annual_report.ipynb")) > 0
    expected = {f"{name}{suffix}" for name in names for suffix in (".vl.json", ".html", ".png", ".svg")}
    assert {p.name for p in (target / "charts").iterdir()} == expected
    for name in expected:
        assert (target / "charts" / name).stat().st_size > 0, name
    for name in names:
        assert (target / "charts" / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert "<svg" in (target / "charts" / f"{name}.svg").read_text(encoding="utf-8")[:500]


def test_report_folder_holds_no_staging_folder_and_no_failed_notebook(bundled):
    target = bundled.reports / "2020"
    assert sorted(p.name for p in target.iterdir()) == [
        "annual_report.html", "annual_report.ipynb", "bao-cao-2020.docx", "bao-cao-2020.pdf", "charts",
        "quality"]  # fmt: skip


def test_html_shows_no_code_prompts_or_parameters(bundled):
    markup = bundled.html
    soup = BeautifulSoup(markup, "html.parser")
    assert all(area.get_text(strip=True) == "" for area in soup.select(".jp-InputArea"))
    assert not soup.select(".jp-InputArea .highlight, .jp-InputArea pre, .jp-InputPrompt")
    for text in ("import ictanalysis", "ict.present", "ict.compare", "injected-parameters", "In [", "Out["):
        assert text not in markup, text
    assert "parameters" not in _page_text(markup)
    assert str(bundled.root) not in markup  # the run's parameters (local paths) stay out of the page


def test_html_fetches_nothing_from_a_network(bundled):
    markup = bundled.html
    lowered = markup.lower()
    assert "<script src=" not in lowered
    assert re.findall(r"<link[^>]*https?:", lowered) == []
    for text in ("cdn", "require.js", "mathjax"):
        assert text not in lowered, text


def test_vega_libraries_are_embedded_once(bundled):
    assert bundled.html.count("window.vegaEmbed=") == 1


def test_html_is_under_two_megabytes(bundled):
    size = bundled.result.html.stat().st_size
    print(f"annual_report.html: {size:,} bytes ({size / 1e6:.2f} MB)")
    assert size == bundled.result.size_bytes
    assert size < MAX_BYTES


def test_html_title_and_heading_name_the_year(bundled):
    soup = BeautifulSoup(bundled.html, "html.parser")
    assert "2020" in soup.title.get_text()
    assert soup.h1.get_text() == "Báo cáo số liệu ngành Thông tin và Truyền thông năm 2020"
    summary = words("vi")("summary.title", year=2020)  # the one-page summary comes first
    assert [h.get_text() for h in soup.find_all(["h2", "h3"])] == [summary] + [
        words("vi")(f"section.{key}") for key in _notebook_sections()]  # fmt: skip


def test_html_lang_attribute_is_the_report_language(bundled):
    assert BeautifulSoup(bundled.html, "html.parser").html.get("lang") == "vi"


def _notebook_sections() -> list[str]:
    """Return the sections the notebook shows, in its order (`view.section("egov")`)."""
    return re.findall(r'view\.section\("(\w+)"\)', NOTEBOOK_PY.read_text(encoding="utf-8"))


def _level4(cmp, year):
    return cmp.value("online_services_level4", year).value


def _added(cmp, indicator):
    before, now = cmp.figures(indicator)
    return now.value - before.value


# (what the report must say, how the same words come out of ictanalysis.compare on the same table)
VI_FACTS = [
    ("555 dịch vụ công trực tuyến mức độ 4",
     lambda c: f"{format_number(_level4(c, 2020))} dịch vụ công trực tuyến mức độ 4"),
    ("tăng 481 dịch vụ so với năm 2019",
     lambda c: f"tăng {format_number(_added(c, 'online_services_level4'))} dịch vụ so với năm 2019"),
    ("35 điểm cầu hội nghị truyền hình trực tuyến",
     lambda c: f"{format_number(_added(c, 'videoconference_endpoints'))} điểm cầu hội nghị truyền hình trực tuyến"),
    ("100 % khu vực có dân cư được phủ sóng 4G",
     lambda c: f"{format_percent(c.value('coverage_4g_population', 2020).value, decimals=None)} khu vực có dân cư được phủ sóng 4G"),
    ("4 văn bản quy phạm pháp luật",
     lambda c: f"{format_number(c.value('legal_documents_drafted', 2020).value)} văn bản quy phạm pháp luật"),
    ("21 quyết định", lambda c: f"{format_number(c.value('decisions_drafted', 2020).value)} quyết định"),
    ("7 kế hoạch", lambda c: f"{format_number(c.value('plans_drafted', 2020).value)} kế hoạch"),
    ("66/66", lambda c: "/".join(format_number(c.value(i, 2020).value)
                                 for i in ("directives_completed_on_time", "directives_assigned"))),
    ("669.065 thuê bao điện thoại di động",
     lambda c: f"{format_number(c.value('mobile_subscribers', 2020).value)} thuê bao điện thoại di động"),
]  # fmt: skip


@pytest.mark.parametrize(("expected", "computed"), VI_FACTS, ids=[f for f, _ in VI_FACTS])
def test_vietnamese_narrative_states_the_computed_fact(bundled, expected, computed):
    assert computed(bundled.cmp).replace("\u00a0", " ") == expected
    assert any(expected in p for p in _paragraphs(bundled.html)), expected


def test_headline_opens_with_the_level4_services_and_their_increase(bundled):
    first = _paragraphs(bundled.html, "headline")[0]  # the overall assessment: one paragraph of sentences
    assert first.startswith("Cổng dịch vụ công trực tuyến của tỉnh cung cấp 555 dịch vụ công trực tuyến mức độ 4, "
                            "tăng 481 dịch vụ so với năm 2019, gấp 7,5 lần. ")  # fmt: skip


def test_numbers_are_written_the_vietnamese_way(bundled):
    text = _page_text(bundled.html)
    assert "669.065" in text and "669,065" not in text
    assert "2,1 %" in text  # mobile subscriptions up 2.1 %


def test_data_notes_show_the_quality_gate_warning(bundled):
    quality = json.loads((bundled.reports / "2020" / "quality/2020-vs-2019.json").read_text(encoding="utf-8"))
    warned = [r for r in quality["rules"] if not r["success"] and r["severity"] == "warning"]
    assert warned, "the bundled data should give the gate at least one warning"
    notes = " ".join(_paragraphs(bundled.html, "note"))
    for rule in warned:
        description = rule["descriptions"]["vi"].rstrip(".")
        assert (f"Cảnh báo của bước kiểm tra số liệu: {rule['failed']}/{rule['checked']} dòng không đạt yêu cầu "
                f"“{description[0].lower()}{description[1:]}”; xem trang chất lượng dữ liệu.") in notes  # fmt: skip
        for row in rule["rows"]:
            assert f"{row['source_file']} › {row['source_sheet']} › {row['source_cell']}" in notes
    assert "Báo cáo không kèm kết quả kiểm tra chất lượng số liệu." not in notes


# --- 2. in a real browser --------------------------------------------------------------------------


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_every_chart_draws_offline_in_chromium(bundled):
    expected = len(_chart_outputs(bundled.result.notebook))
    with open_page(bundled.result.html) as opened:
        page = opened.page
        page.wait_for_function(
            "n => document.querySelectorAll('[id^=\"chart-\"] svg .role-mark').length > 0"
            " && [...document.querySelectorAll('[id^=\"chart-\"]')].every(c => c.querySelector('svg'))",
            arg=expected, timeout=15_000,
        )  # fmt: skip
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        containers = page.locator('[id^="chart-"]')
        assert containers.count() == expected == 7  # the six of the pair and the trend over the years
        for i in range(expected):
            chart = containers.nth(i)
            assert chart.locator("svg").count() == 1, chart.get_attribute("id")
            assert chart.locator("svg .role-mark > *").count() > 0, chart.get_attribute("id")
        assert opened.page_errors == []
        assert opened.console_errors == []
        assert opened.blocked_requests == []
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


# --- 3. English ---------------------------------------------------------------------------------------


def test_english_report_has_english_headings(english):
    soup = BeautifulSoup(english.html, "html.parser")
    assert soup.h1.get_text() == "Information and communications figures, 2020"
    headings = [h.get_text() for h in soup.find_all(["h2", "h3"])]
    assert headings == [words("en")("summary.title", year=2020)] + [words("en")(f"section.{key}")
                                                                    for key in _notebook_sections()]  # fmt: skip


def test_english_report_writes_english_sentences_and_numbers(english, bundled):
    paragraphs = _paragraphs(english.html)
    level4 = format_number(_level4(bundled.cmp, 2020), "en")
    added = format_number(_added(bundled.cmp, "online_services_level4"), "en")
    assert (f"The provincial public-service portal offered {level4} level-4 online public services, "
            f"{added} more than in 2019, 7.5 times as many.") in " ".join(paragraphs)  # fmt: skip
    assert "In 2020 the department drafted 4 legal documents, 21 decisions and 7 plans" in " ".join(paragraphs)
    assert "66 of 66 directive documents were completed on time, a rate of 100%" in " ".join(paragraphs)
    text = _page_text(english.html)
    assert format_number(bundled.cmp.value("mobile_subscribers", 2020).value, "en") == "669,065"
    assert "669,065" in text and "669.065" not in text
    assert "Cổng dịch vụ công" not in text and "so với năm" not in text
    assert "No data-quality result came with this report." in " ".join(_paragraphs(english.html, "note"))


def test_english_subtitle_names_the_province_in_english(english, bundled):
    subtitle = BeautifulSoup(english.html, "html.parser").h1.find_next("p").get_text()
    assert "Tỉnh" not in subtitle
    assert bundled.cmp.catalog.areas["58"].name_en in subtitle


# --- 4. a third pair of years ---------------------------------------------------------------------


def test_report_for_a_generated_third_year_states_its_level4_figure(third_year, sample_generator):
    assert third_year.result.html.parent.name == "2021"
    soup = BeautifulSoup(third_year.html, "html.parser")
    assert soup.h1.get_text() == "Báo cáo số liệu ngành Thông tin và Truyền thông năm 2021"
    level4 = _level4(third_year.cmp, 2021)
    generated = sample_generator.figures(2021)["egov_services"]
    assert level4 == sum(levels[2] for levels in generated.values())  # what the generator wrote for 2021
    first = _paragraphs(third_year.html, "headline")[0]
    assert f"{format_number(level4)} dịch vụ công trực tuyến mức độ 4" in first
    assert "so với năm 2020" in first
    assert len(_chart_outputs(third_year.result.notebook)) == len(list(third_year.result.charts.glob("*.svg"))) > 0


# --- 5. parameters checked before any kernel starts -------------------------------------------------


@pytest.fixture
def no_kernel(monkeypatch):
    """Make starting the notebook an error: the checks under test must come first."""
    import papermill

    def refuse(*args, **kwargs):
        raise AssertionError("papermill was called: a kernel would have started")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"year": 2031, "compare_year": 2030}, "no data for 2031 and 2030"),
        ({"year": 2031}, "no data for 2031"),
        ({"year": 2020, "compare_year": 2020}, "both 2020"),
        ({"language": "fr"}, "'fr'"),
        ({"year": "2020"}, "'2020'"),
        ({"compare_year": "2019"}, "'2019'"),
        ({"year": 2020.0}, "2020.0"),
        ({"year": True}, "True"),
        ({"province": "99"}, "'99'"),
    ],
    ids=["years-not-in-data", "year-not-in-data", "same-year", "language-fr", "year-as-str", "compare-as-str",
         "year-as-float", "year-as-bool", "unknown-province"],
)  # fmt: skip
def test_wrong_parameter_raises_a_usage_error_before_any_kernel_or_file(table_only, tmp_path, no_kernel, changes, words):
    values = {"year": 2020, "compare_year": 2019, "data": str(table_only), **changes}
    error = UsageError if "language" in changes else YearError  # a language is not a year; both exit 2
    with pytest.raises(error) as caught:
        build_report(ReportParameters(**values), tmp_path / "reports")
    assert caught.value.exit_code == ExitCode.USAGE == 2
    assert words in str(caught.value)
    assert not (tmp_path / "reports").exists()


def test_year_not_in_data_leaves_an_existing_reports_folder_untouched(table_only, tmp_path, no_kernel, tree_snapshot):
    reports = tmp_path / "reports"
    (reports / "2020").mkdir(parents=True)
    (reports / "2020" / "annual_report.html").write_text("<p>the last good report</p>", encoding="utf-8")
    before = tree_snapshot(reports)
    held = ", ".join(map(str, sorted(set(read_indicators(table_only)["year"]))))
    with pytest.raises(YearError, match=f"no data for 2031: the table holds {held}$"):
        build_report(ReportParameters(2031, 2020, data=str(table_only)), reports)
    assert tree_snapshot(reports) == before
    assert sorted(p.name for p in reports.iterdir()) == ["2020"]
    assert list(reports.rglob(".staging-*")) == []


def test_missing_table_raises_input_error_exit_3(tmp_path, no_kernel):
    with pytest.raises(InputError) as caught:
        build_report(ReportParameters(2020, 2019, data=str(tmp_path / "none.parquet")), tmp_path / "reports")
    assert caught.value.exit_code == ExitCode.INPUT == 3
    assert "none.parquet" in str(caught.value) and "ictanalysis clean" in str(caught.value)
    assert not (tmp_path / "reports").exists()


def test_parameters_check_accepts_the_bundled_pair():
    ReportParameters(2020, 2019).check([2019, 2020], {"58"})


def test_cli_report_for_a_year_not_in_the_data_exits_2_with_a_clear_message(ictanalysis_cli, table_only, tmp_path):
    run = ictanalysis_cli("report", "--year", "2031", "--data", table_only, "--reports", tmp_path / "reports")
    assert run.returncode == ExitCode.USAGE == 2, run.stderr
    assert run.stderr.startswith("error: no data for 2031")
    held = ", ".join(map(str, sorted(set(read_indicators(table_only)["year"]))))
    assert f"the table holds {held}; choose --year and --compare among them" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "reports").exists()


def test_cli_report_with_the_same_two_years_exits_2(ictanalysis_cli, table_only, tmp_path):
    run = ictanalysis_cli(
        "report", "--year", "2020", "--compare", "2020", "--data", table_only, "--reports", tmp_path / "r"
    )
    assert run.returncode == 2, run.stderr
    assert "both 2020" in run.stderr and "Traceback" not in run.stderr


def test_cli_report_language_fr_is_refused_by_the_parser(ictanalysis_cli, table_only, tmp_path):
    run = ictanalysis_cli("report", "--language", "fr", "--data", table_only, "--reports", tmp_path / "r")
    assert run.returncode == 2
    assert "invalid choice: 'fr'" in run.stderr


def test_cli_report_without_the_table_exits_3(ictanalysis_cli, tmp_path):
    run = ictanalysis_cli("report", "--data", tmp_path / "none.parquet", "--reports", tmp_path / "reports")
    assert run.returncode == ExitCode.INPUT == 3, run.stderr
    assert "none.parquet" in run.stderr and "the tidy table does not exist" in run.stderr
    assert "Traceback" not in run.stderr


# --- 6. a failing notebook ---------------------------------------------------------------------------

FAILING_CELL = 'raise RuntimeError("ô lỗi cố ý")'


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory, bundled):
    """Run a notebook whose last cell raises, into a copy of the bundled reports folder (once per run).

    What build_report raised is kept in `raised.json`, the report folder's bytes before the run
    in `before.json` (sha256 by path), so every worker reads the same outcome.
    """

    def build(root: Path) -> None:
        notebook = root / "annual_report.py"
        notebook.write_text(NOTEBOOK_PY.read_text(encoding="utf-8").rstrip("\n") + f"\n\n# %%\n{FAILING_CELL}\n",
                            encoding="utf-8")  # fmt: skip
        reports = root / "reports"
        shutil.copytree(bundled.reports, reports)
        (root / "before.json").write_text(json.dumps(_hashes(reports)), encoding="utf-8")
        try:
            build_report(ReportParameters(2020, 2019, data=str(bundled.data)), reports, notebook=notebook)
            raised = {"type": None}
        except Exception as exc:  # noqa: BLE001 - what was raised is the outcome under test
            raised = {"type": type(exc).__name__, "exit_code": int(getattr(exc, "exit_code", -1)), "message": str(exc)}
        (root / "raised.json").write_text(json.dumps(raised, ensure_ascii=False), encoding="utf-8")

    root = build_once(tmp_path_factory, "report-failing", build)
    raised = json.loads((root / "raised.json").read_text(encoding="utf-8"))
    assert raised["type"] == ReportError.__name__, f"build_report raised {raised}"
    before = json.loads((root / "before.json").read_text(encoding="utf-8"))
    return SimpleNamespace(raised=raised, reports=root / "reports", target=root / "reports" / "2020", before=before)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def test_failing_notebook_raises_report_error_naming_the_failed_notebook(failed_run):
    assert failed_run.raised["exit_code"] == ExitCode.REPORT == 5
    assert str(failed_run.target / "annual_report.failed.ipynb") in failed_run.raised["message"]
    assert "ô lỗi cố ý" in failed_run.raised["message"]


def test_failed_notebook_holds_the_error_output_of_the_failing_cell(failed_run):
    failed = nbformat.read(failed_run.target / "annual_report.failed.ipynb", as_version=4)
    cell = next(c for c in failed.cells if c.cell_type == "code" and FAILING_CELL in c.source)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1
    assert (errors[0].ename, errors[0].evalue) == ("RuntimeError", "ô lỗi cố ý")


def test_failed_run_keeps_the_kernel_log_and_the_failed_notebook_under_reports_logs(failed_run):
    folders = sorted(p for p in (failed_run.reports / "logs").iterdir() if p.is_dir())
    assert len(folders) == 1 and re.fullmatch(r"report-[0-9]{8}-[0-9]{6}(-[0-9]+)?", folders[0].name), folders
    assert f"The kernel's log and the failed notebook are kept in {folders[0]}" in failed_run.raised["message"]
    assert sorted(p.name for p in folders[0].iterdir()) == ["annual_report.failed.ipynb", "kernel.log"]
    copy = folders[0] / "annual_report.failed.ipynb"
    assert copy.read_bytes() == (failed_run.target / "annual_report.failed.ipynb").read_bytes()
    assert any(FAILING_CELL in cell.source for cell in nbformat.read(copy, as_version=4).cells)


def test_failed_run_keeps_the_last_good_report_byte_for_byte(failed_run):
    after = {name: digest for name, digest in _hashes(failed_run.reports).items() if not name.startswith("logs/")}
    assert after.pop("2020/annual_report.failed.ipynb")
    assert after.keys() == failed_run.before.keys()
    assert after["2020/annual_report.html"] == failed_run.before["2020/annual_report.html"]
    assert after == failed_run.before


def test_failed_run_leaves_no_staging_folder(failed_run):
    assert list(failed_run.reports.rglob(".staging-*")) == []
    assert list(failed_run.reports.rglob(".charts-old-*")) == []
    assert list(failed_run.reports.rglob(".publishing.json")) == []


# --- 7. the notebook as committed ------------------------------------------------------------------


def _code_cells(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


def test_notebook_ipynb_and_py_are_in_sync():
    paired, text = jupytext.read(NOTEBOOK_IPYNB), jupytext.read(NOTEBOOK_PY)
    assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in paired.cells] == [
        (c.cell_type, c.source, c.metadata.get("tags", [])) for c in text.cells], (
        "the report runs the .ipynb: run `jupytext --sync ictanalysis/notebooks/annual_report.py`")  # fmt: skip


@pytest.mark.parametrize("notebook", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_committed_ipynb_has_no_outputs_and_no_execution_counts(notebook):
    committed = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    for cell in _code_cells(committed):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("notebook", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_committed_notebooks_ask_for_the_kernel_every_jupyterlab_has(notebook):
    """python3: the kernel of the Python JupyterLab runs in, where an analyst installed the package."""
    assert nbformat.read(NOTEBOOKS / notebook, as_version=4).metadata.kernelspec.name == "python3"


def test_first_code_cell_is_tagged_parameters_and_holds_only_literals():
    first = _code_cells(jupytext.read(NOTEBOOK_PY))[0]
    assert "parameters" in first.metadata.get("tags", [])
    statements = ast.parse(first.source).body
    assert statements
    for statement in statements:
        assert isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant), ast.unparse(statement)
    names = {target.id for statement in statements for target in statement.targets}
    assert names == set(ReportParameters.__dataclass_fields__)


def test_the_notebook_shows_every_declared_section_in_order():
    assert _notebook_sections() == [section.id for section in load_contents().sections]


def test_a_report_that_leaves_out_a_declared_section_is_refused():
    from ictanalysis.report import _check_sections

    page = "".join(f'<h2 id="{s.id}">…</h2>' for s in load_contents().sections if s.id != "egov")
    with pytest.raises(ReportError, match="shows no section egov that catalog/report.yaml declares"):
        _check_sections(page, REPORT_NOTEBOOK)


def test_notebook_defines_no_function_or_class():
    for cell in _code_cells(jupytext.read(NOTEBOOK_PY)):
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), cell.source


def test_every_code_cell_after_the_parameters_calls_the_library():
    """The cell that opens the view imports the library; every later cell is one call of the view or of `ict`."""
    first, *others = _code_cells(jupytext.read(NOTEBOOK_PY))[1:]
    tree = ast.parse(first.source)
    assert {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} == {"ictanalysis"}
    assert len(tree.body) <= 5, f"more than a few statements of logic in a cell: {first.source}"
    for cell in others:
        (statement,) = ast.parse(cell.source).body
        assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call), cell.source
        root = statement.value.func
        while isinstance(root, ast.Attribute):
            root = root.value
        assert isinstance(root, ast.Name) and root.id in ("view", "ict"), cell.source


# --- 8. the command line end to end --------------------------------------------------------------


def test_cli_report_builds_the_report_and_prints_its_path_and_size(bundled, tmp_path):
    reports = tmp_path / "reports"
    (reports / "2020" / "charts").mkdir(parents=True)
    (reports / "2020" / "annual_report.failed.ipynb").write_text("{}", encoding="utf-8")  # an earlier failure
    (reports / "2020" / "charts" / "stale.svg").write_text("<svg/>", encoding="utf-8")
    shutil.copytree(bundled.reports / "2020" / "quality", reports / "2020" / "quality")  # the gate passed this table
    run = subprocess.run(
        [sys.executable, "-m", "ictanalysis", "report", "--data", str(bundled.data), "--reports", str(reports)],
        cwd=tmp_path, capture_output=True, text=True, encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    html = reports / "2020" / "annual_report.html"
    assert html.is_file()
    assert f"Report 2020 vs 2019: {html} ({html.stat().st_size / 1e6:.1f} MB)" in run.stdout
    assert str(reports / "2020" / "annual_report.ipynb") in run.stdout
    assert "window.vegaEmbed=" in html.read_text(encoding="utf-8")
    assert not (reports / "2020" / "annual_report.failed.ipynb").exists()  # a good run clears the failure
    assert sorted(p.name for p in (reports / "2020" / "charts").iterdir()) == sorted(
        p.name for p in bundled.result.charts.iterdir())  # fmt: skip
    assert list(reports.rglob(".staging-*")) == [] and list(reports.rglob(".charts-old-*")) == []
    assert not (reports / "2020" / ".publishing.json").exists()


def test_the_explore_notebook_runs_in_a_project_with_its_defaults(tmp_path):
    """What an analyst does after `ictanalysis init`: open explore.ipynb in the project and run it as it is."""
    from ictanalysis.project import init

    init(tmp_path / "p")
    for year in ("2019", "2020"):
        shutil.copytree(REPO / "data" / "raw" / year, tmp_path / "p" / "data" / "raw" / year)
    assert subprocess.run([sys.executable, "-m", "ictanalysis", "clean"], cwd=tmp_path / "p", capture_output=True,
                          timeout=300).returncode == 0  # fmt: skip
    import nbclient

    notebook = nbformat.read(tmp_path / "p" / "notebooks" / "explore.ipynb", as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(tmp_path / "p" / "notebooks")}}).execute()
    outputs = [o for c in _code_cells(notebook) for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
