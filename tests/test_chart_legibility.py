"""Charts a director can read: no label on another, none cut, outliers that leave the rest readable,
colours of 3:1 or more against white, a description holding each chart's key figure.

Every chart the report declares is drawn from the bundled 2019/2020 figures as the report stage
draws it (``ReportView.chart`` writes the spec, ``render.write_chart_files`` turns it into SVG,
PNG and an offline page through vl-convert), in both languages and both layouts (the report's
and the email's phone layout, ``chart.PHONE``); headless Chromium then opens each SVG, and each
page drawn by Vega in the browser, and reads the box of every ``<text>``.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from browser import open_page, requires_chromium

from ictanalysis import chart
from ictanalysis.chart import agency_bars, change_bars, chart_spec, save_chart, year_pair_bars
from ictanalysis.render import write_chart_files
from ictanalysis.view import ReportView

NBSP = "\u00a0"
SVG_NS = "{http://www.w3.org/2000/svg}"

# Every <text> with something in it: its text and its box, in the SVG's own pixels.
_TEXT_BOXES = """(root) => {
  const svg = root || document.documentElement;
  const frame = svg.getBoundingClientRect();
  const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, x: r.left - frame.left, y: r.top - frame.top, w: r.width, h: r.height};
  });
  return {width: frame.width, height: frame.height, boxes};
}"""


# --- the charts of the real report ----------------------------------------------------------


def _draw_report_charts(cmp, language: str, folder: Path, layout: chart.Layout = chart.DESK) -> dict[str, Path]:
    """Draw every chart the report declares, as the report stage does; return each one's spec file."""
    view = ReportView(cmp, language, output_dir=str(folder))
    with chart.drawn_for(layout):
        for name in view.contents.charts:
            view.chart(name)
    specs = {p.name.removesuffix(".vl.json"): p for p in sorted((folder / "charts").glob("*.vl.json"))}
    for name, spec in specs.items():
        write_chart_files(json.loads(spec.read_text(encoding="utf-8")), spec.parent, name, language)
    return specs


LAYOUTS = {"desk": chart.DESK, "phone": chart.PHONE}


@pytest.fixture(scope="module", params=[("vi", "desk"), ("en", "desk"), ("vi", "phone"), ("en", "phone")],
                ids="-".join)  # fmt: skip
def report_charts(request, cmp, tmp_path_factory) -> tuple[str, dict[str, Path]]:
    language, layout = request.param
    folder = tmp_path_factory.mktemp(f"charts-{language}-{layout}")
    specs = _draw_report_charts(cmp, language, folder, LAYOUTS[layout])
    assert set(specs) == set(ReportView(cmp, language).contents.charts)  # the bundled pair draws every chart
    return language, specs


def _overlapping(boxes: list[dict], tolerance: float = 0.5) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
            if a["x"] + tolerance < b["x"] + b["w"] and b["x"] + tolerance < a["x"] + a["w"]
            and a["y"] + tolerance < b["y"] + b["h"] and b["y"] + tolerance < a["y"] + a["h"]]  # fmt: skip


def _outside(measured: dict) -> list[str]:
    return [b["text"] for b in measured["boxes"] if b["x"] < 0 or b["y"] < 0
            or b["x"] + b["w"] > measured["width"] + 0.5 or b["y"] + b["h"] > measured["height"] + 0.5]  # fmt: skip


def _assert_legible(measured: dict, name: str) -> None:
    boxes = measured["boxes"]
    assert len(boxes) >= 10, f"{name}: only {len(boxes)} texts"
    assert _overlapping(boxes) == [], f"{name}: texts on one another"
    assert _outside(measured) == [], f"{name}: texts outside the picture"
    assert [b["text"] for b in boxes if "…" in b["text"]] == [], f"{name}: a label cut short"


def _measure_svg(path: Path) -> dict:
    with open_page(path) as opened:
        measured = opened.page.evaluate(_TEXT_BOXES, None)
        assert opened.page.evaluate("document.documentElement.viewBox.baseVal.width") == measured["width"]
    return measured


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_no_label_of_the_reports_charts_overlaps_another_or_is_cut(report_charts):
    language, specs = report_charts
    for name, spec in specs.items():
        _assert_legible(_measure_svg(spec.with_name(f"{name}.svg")), f"{language} {name}.svg")


@requires_chromium
@pytest.mark.xdist_group("browser")
@pytest.mark.parametrize("report_charts", [("vi", "desk"), ("vi", "phone")], indirect=True, ids="-".join)  # longer labels
def test_no_label_overlaps_where_vega_draws_the_chart_in_the_browser(report_charts):
    _, specs = report_charts
    for name, spec in specs.items():
        with open_page(spec.with_name(f"{name}.html")) as opened:
            opened.page.wait_for_selector("#chart svg text")
            measured = opened.page.evaluate(_TEXT_BOXES, opened.page.query_selector("#chart svg"))
            assert (opened.blocked_requests, opened.page_errors) == ([], [])
        _assert_legible(measured, f"{name}.html")


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_long_names_wrap_whole_instead_of_being_cut(tmp_path):
    names = ["Sở Lao động - Thương binh và Xã hội", "Sở Nông nghiệp và Phát triển nông thôn",
             "Ban Quản lý các khu công nghiệp và khu kinh tế ven biển tỉnh Ninh Thuận", "Sở Y tế",
             "TênKhôngCóDấuCáchNàoCảNênKhôngThểNgắtDòngĐược"]  # fmt: skip
    frame = pd.DataFrame({"agency": names, "value_before": [2.0, 2, 1, 3, 0], "value": [24.0, 19, 14, 31, 1]})
    svg = save_chart(agency_bars(frame, "Dịch vụ công", "thủ tục", 2020, 2019), tmp_path, "long")["svg"]
    measured = _measure_svg(svg)
    _assert_legible(measured, "long names")
    texts = [b["text"] for b in measured["boxes"]]
    assert all(name.replace(" ", "") in {t.replace(" ", "") for t in texts} for name in names)  # every name whole
    root = ET.parse(svg).getroot()
    lines = [[s.text for s in t.iter(f"{SVG_NS}tspan")] for t in root.iter(f"{SVG_NS}text")]
    assert ["Ban Quản lý các khu công", "nghiệp và khu kinh tế", "ven biển tỉnh Ninh Thuận"] in lines  # about even


# --- outliers ------------------------------------------------------------------------------


def _changes(*changes: float) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"Chỉ tiêu {i + 1}" for i in range(len(changes))], "change_percent": changes})


def _drawn(spec: dict) -> dict[str, float]:
    return {r["name"]: r["drawn"] for r in spec["datasets"][spec["data"]["name"]]}


def test_one_huge_change_is_cut_at_the_axis_end_so_the_others_stay_readable(tmp_path):
    frame = _changes(5000.0, 30.0, 22.0, 15.0, 8.0, 3.0, -4.0, -12.0)
    spec = chart_spec(change_bars(frame, "Thay đổi", compare_year=2019))
    low, high = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert high == 50.0 == chart._round_up(30.0 * chart.OUTLIER_AXIS)  # not 5000
    assert _drawn(spec)["Chỉ tiêu 1"] == high and _drawn(spec)["Chỉ tiêu 2"] == 30.0
    assert all(abs(frame["change_percent"][i]) / (high - low) >= 0.04 for i in range(1, 7))  # none flattened
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", save_chart(change_bars(frame, "x"), tmp_path, "c")["svg"].read_text())
    assert "+5.000,0" in texts and texts.count(chart.CUT_MARK) == 1  # the true value, and the mark of the cut


def test_a_huge_fall_is_cut_on_the_left_and_ordinary_changes_are_not_cut():
    fall = chart_spec(change_bars(_changes(-900.0, 20.0, 10.0, 5.0), "Thay đổi"))
    assert fall["layer"][0]["encoding"]["x"]["scale"]["domain"][0] == -30.0
    assert _drawn(fall)["Chỉ tiêu 1"] == -30.0
    ordinary = chart_spec(change_bars(_changes(40.0, 30.0, 12.0, -5.0), "Thay đổi"))
    assert len(ordinary["layer"]) == 4 and ordinary["title"] == "Thay đổi"  # no cut marks, no note
    assert _drawn(ordinary) == {"Chỉ tiêu 1": 40.0, "Chỉ tiêu 2": 30.0, "Chỉ tiêu 3": 12.0, "Chỉ tiêu 4": -5.0}
    two = chart_spec(change_bars(_changes(5.0, 0.0, 0.0), "Thay đổi"))  # next to nothing, nothing is "many times"
    assert _drawn(two)["Chỉ tiêu 1"] == 5.0


def test_the_outlier_rule_is_the_named_ratio(monkeypatch):
    frame = _changes(100.0, 20.0, 10.0, 5.0)  # 5 × the next bar
    assert _drawn(chart_spec(change_bars(frame, "t")))["Chỉ tiêu 1"] == 30.0
    monkeypatch.setattr(chart, "OUTLIER_RATIO", 6.0)
    assert _drawn(chart_spec(change_bars(frame, "t")))["Chỉ tiêu 1"] == 100.0


def test_more_than_half_of_the_bars_are_never_outliers():
    frame = _changes(900.0, 800.0, 700.0, 5.0, 4.0)  # three of five: the axis is theirs
    assert _drawn(chart_spec(change_bars(frame, "t")))["Chỉ tiêu 1"] == 900.0


# --- colours -------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mark_colours(svg: Path) -> set[str]:
    """The fill and stroke of every bar, line and point the SVG draws (not text, axes or grid)."""
    colours = set()
    for group in ET.parse(svg).getroot().iter(f"{SVG_NS}g"):
        kind = group.get("class", "")
        if "role-mark" in kind and any(f"mark-{m}" in kind for m in ("rect", "line", "symbol", "area")):
            for path in group.iter(f"{SVG_NS}path"):
                colours |= {path.get(a) for a in ("fill", "stroke") if path.get(a, "none").startswith("#")}
    return colours


def test_the_reference_luminance_is_wcag():
    assert _contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert _contrast("#a9c1da", "#ffffff") == pytest.approx(1.85, abs=0.01)  # the old 2019 bars


def test_every_mark_colour_of_the_reports_charts_stands_out_from_white(report_charts):
    _, specs = report_charts
    seen = set()
    for name, spec in specs.items():
        colours = _mark_colours(spec.with_name(f"{name}.svg"))
        assert colours, name
        assert {c: round(_contrast(c, "#ffffff"), 2) for c in colours if _contrast(c, "#ffffff") < 3} == {}, name
        seen |= colours
    assert _mark_colours(specs["mobile_share"].with_name("mobile_share.svg")) == {chart.DEPARTMENT_COLOUR}
    assert _mark_colours(specs["level4_by_agency"].with_name("level4_by_agency.svg")) == set(chart.YEAR_COLOURS)
    assert {chart.INCREASE, chart.DECREASE} <= seen


def test_the_colours_that_mean_something_differ_in_lightness_too():
    compare, report = chart.YEAR_COLOURS
    assert min(_contrast(c, "#ffffff") for c in (compare, report, chart.INCREASE, chart.DECREASE)) >= 3
    r, g, b = (int(compare[i : i + 2], 16) for i in (1, 3, 5))
    assert max(r, g, b) - min(r, g, b) <= 20  # the compared year is a grey
    assert _contrast(compare, report) >= 2  # the two years apart in a grey print too
    assert _contrast(chart.INCREASE, chart.DECREASE) >= 1.5  # a rise and a fall, for a colour-blind reader too


# --- titles and descriptions -----------------------------------------------------------------


def test_every_chart_of_the_report_has_a_title_and_a_description_with_its_key_figure(report_charts):
    language, specs = report_charts
    for name, path in specs.items():
        spec = json.loads(path.read_text(encoding="utf-8"))
        title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
        title = " ".join(title) if isinstance(title, list) else title  # a phone's title is on several lines
        description = spec["description"]
        assert title and description.startswith(title), name
        assert re.search(r"\d", description), name
        assert not re.search(r"\d %", description), f"{name}: a breakable space between a number and its unit"
        assert NBSP in description or "%" in description, f"{name}: no figure with its unit"
    described = json.loads(specs["headline_change"].read_text(encoding="utf-8"))["description"]
    assert ("+650,0" + NBSP + "%" if language == "vi" else "+650.0%") in described


def test_the_description_says_the_figure_in_the_projects_number_format():
    revenue = pd.DataFrame({"name": ["Doanh thu viễn thông"], "unit": ["đồng"], "value_before": [1.0645e12],
                            "value": [1.1209e12]})  # fmt: skip
    vi = chart_spec(year_pair_bars(revenue, "Chỉ tiêu chính", 2020, 2019))["description"]
    assert vi == f"Chỉ tiêu chính. Doanh thu viễn thông năm 2020: 1.120,9{NBSP}tỷ{NBSP}đồng, tăng 5,3{NBSP}% so với năm 2019."
    en = chart_spec(year_pair_bars(revenue, "Main figures", 2020, 2019, "en"), "en")["description"]
    assert en == f"Main figures. Doanh thu viễn thông in 2020: 1,120.9{NBSP}billion{NBSP}đồng, up 5.3% on 2019."
    nothing = revenue.assign(value=math.nan)
    assert chart_spec(year_pair_bars(nothing, "t", 2020, 2019))["description"] == "t: không có số liệu để vẽ."
