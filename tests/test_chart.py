"""Charts: typed encodings, the house theme, Vietnamese numbers and text, offline HTML in Chromium."""

from __future__ import annotations

import math
import re
import struct
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from browser import open_page, requires_chromium

from ictanalysis import chart
from ictanalysis.chart import (
    DEPARTMENT_COLOUR,
    FONT,
    VEGALITE_MIMETYPE,
    YEAR_COLOURS,
    agency_bars,
    change_bars,
    chart_html,
    chart_spec,
    district_bars,
    operator_shares,
    save_chart,
    show,
    vega_bundle,
    year_pair_bars,
)

REPO = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BREAKOUT = "</script><script>window.escaped=1</script>"


# --- frames shaped like compare.py's outputs ------------------------------------------------


@pytest.fixture
def by_district() -> pd.DataFrame:
    names = ["Phan Rang - Tháp Chàm", "Bác Ái", "Ninh Sơn", "Ninh Hải", "Ninh Phước", "Thuận Bắc", "Thuận Nam"]
    before = [1_200_000.0, 20_500, 90_000, 110_000, 150_000, 40_000, 1_100_000]
    now = [1_250_000.0, 21_000, 95_000, 120_000, 160_000, 41_000, 1_234_567]
    return pd.DataFrame(
        {
            "area": ["582", "584", "585", "586", "587", "588", "589"],
            "name": names,
            "value_before": before,
            "value": now,
            "change_percent": [(n - b) / b * 100 for b, n in zip(before, now, strict=True)],
            "share": [n / sum(now) * 100 for n in now],
            "rank": [1, 7, 5, 4, 3, 6, 2],
            "sources": "2020/vien-thong.xlsx › TB › D7",
        }
    )


@pytest.fixture
def by_operator() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "operator": ["VNPT", "Viettel", "MobiFone", "Vietnamobile"],
            "value_before": [190_000.0, 330_000, 100_000, 30_000],
            "value": [190_000.0, 348_600, 97_700, 32_765],
            "change_percent": [0.0, 5.6, -2.3, 9.2],
            "share_before": [29.2, 50.8, 15.4, 4.6],
            "share": [28.4, 52.1, 14.6, 4.9],
            "sources": "",
        }
    )


@pytest.fixture
def change_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["online_services_level4", "mobile_subscribers", "fixed_subscribers", "bts_4g", "new_one"],
            "name": [
                "Dịch vụ công trực tuyến mức độ 4",
                "Thuê bao di động",
                "Thuê bao điện thoại cố định",
                "Trạm BTS 4G",
                "Điểm cầu truyền hình",
            ],
            "unit": ["thủ tục", "thuê bao", "thuê bao", "trạm", "điểm cầu"],
            "value_before": [74.0, 650_000, 12_000, 310, 0],
            "value": [555.0, 669_065, 11_616, 402, 35],
            "change_percent": [650.0, 2.9, -3.2, 29.7, math.inf],
            "sources": "",
        }
    )


@pytest.fixture
def by_agency() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agency": ["Sở Tư pháp", "Sở Lao động - Thương binh và Xã hội", "Sở Xây dựng", "Văn phòng UBND tỉnh"],
            "value_before": [10.0, 20, 5, math.nan],
            "value": [40.0, 75, 33, 2],
            "sources": "",
        }
    )


def encodings(spec: dict) -> list[dict]:
    """Return the encoding of every layer of a (possibly faceted) layered spec."""
    inner = spec.get("spec", spec)
    return [layer["encoding"] for layer in inner["layer"] if "encoding" in layer]


def text_of(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


# --- charts as values ----------------------------------------------------------------------


def test_district_bars_have_typed_encodings_and_sort_by_the_report_year(by_district):
    spec = chart_spec(district_bars(by_district, "Thuê bao di động", "thuê bao", 2020, 2019))
    bars = encodings(spec)[0]
    assert (bars["x"]["field"], bars["x"]["type"]) == ("value", "quantitative")
    assert (bars["y"]["field"], bars["y"]["type"]) == ("label", "nominal")  # the name, on its lines
    assert (bars["yOffset"]["field"], bars["yOffset"]["type"]) == ("year", "ordinal")
    assert bars["color"]["scale"] == {"domain": [2019, 2020], "range": list(chart.YEAR_COLOURS)}
    assert bars["y"]["sort"][:3] == ["Phan Rang - Tháp Chàm", "Thuận Nam", "Ninh Phước"]
    assert bars["y"]["sort"][-1] == "Bác Ái"
    assert bars["x"]["axis"]["format"] == ",.0f"
    assert (bars["y"]["title"], bars["x"]["title"], bars["color"]["title"]) == (None, "Thuê bao", "Năm")
    assert [(t["field"], t["title"]) for t in bars["tooltip"]] == [("name", "Huyện/thành phố"), ("year", "Năm"),
                                                                   ("value", "Thuê bao")]  # fmt: skip
    assert spec["description"].replace("\xa0", " ") == ("Thuê bao di động. Năm 2020 cao nhất là Phan Rang - Tháp Chàm: "
                                                        "1.250.000 thuê bao, tăng 4,2 % so với năm 2019.")  # fmt: skip
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 14 and {r["year"] for r in rows} == {2019, 2020}


def test_district_bars_leave_out_missing_values_and_speak_english(by_district):
    frame = by_district.assign(value_before=by_district["value_before"].where(by_district["name"] != "Bác Ái"))
    spec = chart_spec(district_bars(frame, "Mobile subscriptions", "subscriptions", 2020, 2019, "en"), "en")
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 13
    assert [r["year"] for r in rows if r["name"] == "Bác Ái"] == [2020]
    bars = encodings(spec)[0]
    assert (bars["tooltip"][0]["title"], bars["x"]["title"], bars["color"]["title"]) == ("District", "Subscriptions", "Year")
    assert spec["description"].startswith("Mobile subscriptions. In 2020 the highest is Phan Rang - Tháp Chàm: 1,250,000")
    assert spec["config"]["locale"]["number"]["thousands"] == ","


def test_whole_number_columns_with_gaps_are_drawn(by_district):
    frame = by_district.assign(
        value=by_district["value"].astype("int64"),
        value_before=by_district["value_before"].astype("Int64").mask(by_district["name"] == "Ninh Sơn"),
    )
    spec = chart_spec(district_bars(frame, "Thuê bao", "thuê bao", 2020, 2019))
    rows = spec["datasets"][spec["data"]["name"]]
    assert len(rows) == 13 and all(isinstance(r["value"], float) for r in rows)


def test_amounts_in_dong_are_drawn_in_billions(by_district):
    money = by_district.assign(value=by_district["value"] * 1e6, value_before=by_district["value_before"] * 1e6)
    spec = chart_spec(district_bars(money, "Doanh thu", "đồng", 2020, 2019))
    assert encodings(spec)[0]["x"]["title"] == "Tỷ đồng"
    rows = spec["datasets"][spec["data"]["name"]]
    assert max(r["value"] for r in rows) == pytest.approx(1_250.0)


def test_operator_shares_draw_every_enterprise_in_the_report_years_colour(by_operator):
    spec = chart_spec(operator_shares(by_operator, "Thị phần thuê bao di động", 2020))
    bars = encodings(spec)[0]
    assert (bars["x"]["field"], bars["x"]["type"], bars["y"]["type"]) == ("share", "quantitative", "nominal")
    assert bars["y"]["sort"] == ["Viettel", "VNPT", "MobiFone", "Vietnamobile"]
    assert bars["x"]["title"] == "Thị phần năm 2020 (%)"
    assert bars["y"]["title"] is None  # the names say they are enterprises
    assert "color" not in bars  # an enterprise's colour would mean nothing
    assert spec["layer"][0]["mark"]["color"] == DEPARTMENT_COLOUR == YEAR_COLOURS[1]
    assert spec["description"].replace("\xa0", " ") == "Thị phần thuê bao di động. Năm 2020, Viettel dẫn đầu với 52,1 %."


def test_operator_shares_leave_out_an_enterprise_absent_that_year(by_operator):
    frame = by_operator.assign(share=[28.4, 52.1, math.nan, 4.9])
    spec = chart_spec(operator_shares(frame, "Thị phần", 2020))
    assert encodings(spec)[0]["y"]["sort"] == ["Viettel", "VNPT", "Vietnamobile"]


def test_change_bars_diverge_around_zero_and_skip_changes_from_nothing(change_table):
    ordinary = change_table.assign(change_percent=[12.0, 2.9, -3.2, math.inf, math.inf])  # 12 < 4 × 3,2: no outlier
    spec = chart_spec(change_bars(ordinary, "Thay đổi", compare_year=2019))
    bars, up, down, zero = encodings(spec)
    assert (bars["x"]["field"], bars["x"]["type"]) == ("drawn", "quantitative")
    assert bars["x"]["title"] == "Thay đổi so với năm 2019 (%)"
    assert bars["y"]["sort"] == ["Dịch vụ công trực tuyến mức độ 4", "Thuê bao di động", "Thuê bao điện thoại cố định"]
    assert bars["color"]["condition"]["value"] == chart.DECREASE and bars["color"]["value"] == chart.INCREASE
    assert (up["text"]["field"], up["text"]["format"]) == ("change_percent", "+,.1f")  # the true change
    assert zero["x"] == {"datum": 0}
    low, high = bars["x"]["scale"]["domain"]
    assert low < -3.2 and high > 12 and bars["x"]["scale"]["nice"] is True
    rows = spec["datasets"][spec["data"]["name"]]
    assert "Điểm cầu truyền hình" not in {r["name"] for r in rows}  # +∞ %: nothing the year before
    assert all(r["drawn"] == r["change_percent"] for r in rows)  # no outlier: nothing is cut
    assert spec["title"] == "Thay đổi"


def test_change_bars_cut_the_axis_at_an_outlier_and_label_it_with_its_value(change_table):
    spec = chart_spec(change_bars(change_table, "Thay đổi", compare_year=2019))
    bars, up, down, cut_right, cut_left, zero = encodings(spec)
    assert bars["x"]["scale"]["domain"][1] == 50.0  # 1,5 × 29,7 rounded up; +650 % is over 4× the next bar
    rows = {r["name"]: r for r in spec["datasets"][spec["data"]["name"]]}
    assert rows["Dịch vụ công trực tuyến mức độ 4"]["drawn"] == 50.0
    assert rows["Dịch vụ công trực tuyến mức độ 4"]["change_percent"] == 650.0
    assert rows["Trạm BTS 4G"]["drawn"] == 29.7
    assert spec["layer"][3]["mark"]["text"] == chart.CUT_MARK
    assert spec["title"]["subtitle"] == ["Trục cắt ở 50\xa0%: cột có dấu // dài hơn, số bên cạnh là mức thật."]


def test_year_pair_bars_give_each_indicator_its_own_scale(change_table):
    revenue = pd.DataFrame({"name": ["Doanh thu viễn thông"], "unit": ["đồng"], "value_before": [1.05e12],
                            "value": [1.1209e12]})  # fmt: skip
    spec = chart_spec(year_pair_bars(pd.concat([change_table, revenue]), "Các chỉ tiêu chính", 2020, 2019))
    assert spec["facet"] == {"field": "panel", "type": "nominal", "header": spec["facet"]["header"],
                             "sort": spec["facet"]["sort"]}  # fmt: skip
    assert spec["resolve"]["scale"]["y"] == "independent"
    bars = encodings(spec)[0]
    assert (bars["x"]["field"], bars["x"]["type"], bars["y"]["type"]) == ("year", "ordinal", "quantitative")
    panels = spec["facet"]["sort"]
    assert panels[0] == "Dịch vụ công trực tuyến\nmức độ 4\n(thủ tục)"
    assert panels[-1] == "Doanh thu viễn thông\n(tỷ đồng)"
    rows = spec["datasets"][spec["data"]["name"]]
    assert max(r["value"] for r in rows if r["panel"] == panels[-1]) == pytest.approx(1120.9)


def test_agency_bars_are_horizontal_and_sorted(by_agency):
    one_year = chart_spec(agency_bars(by_agency[["agency", "value"]], "Dịch vụ công mức độ 4", "thủ tục", 2020))
    bars = encodings(one_year)[0]
    assert (bars["x"]["type"], bars["y"]["field"], bars["y"]["type"]) == ("quantitative", "label", "nominal")
    assert bars["y"]["sort"] == ["Sở Lao động - Thương\nbinh và Xã hội", "Sở Tư pháp", "Sở Xây dựng", "Văn phòng UBND tỉnh"]
    assert bars["y"]["axis"]["labelExpr"] == "split(datum.value, '\\n')"  # data stays data: no name in an expression
    rows = one_year["datasets"][one_year["data"]["name"]]
    assert {r["agency"]: r["label"] for r in rows}["Sở Lao động - Thương binh và Xã hội"] == "Sở Lao động - Thương\nbinh và Xã hội"
    assert bars["color"]["scale"]["domain"] == [2020]
    both = chart_spec(agency_bars(by_agency, "Dịch vụ công mức độ 4", "thủ tục", 2020, 2019))
    assert len(both["datasets"][both["data"]["name"]]) == 7  # the missing 2019 value is left out
    assert encodings(both)[0]["y"]["title"] is None  # "Sở …" says it is an agency; a title collided with the labels
    assert encodings(both)[0]["tooltip"][0]["title"] == "Cơ quan, đơn vị"


@pytest.mark.parametrize(
    ("make", "column"),
    [
        (lambda f: district_bars(f, "t", "thuê bao", 2020, 2019), "value_before"),
        (lambda f: operator_shares(f, "t", 2020), "operator"),
        (lambda f: change_bars(f, "t"), "change_percent"),
        (lambda f: year_pair_bars(f, "t", 2020, 2019), "value_before"),
        (lambda f: agency_bars(f, "t", "thủ tục", 2020), "agency"),
    ],
)
def test_a_frame_without_the_needed_columns_is_refused(make, column):
    with pytest.raises(KeyError, match=column):
        make(pd.DataFrame({"name": ["Thuận Nam"], "value": [1.0]}))


def test_an_unknown_language_is_refused(by_district):
    with pytest.raises(ValueError, match="language"):
        district_bars(by_district, "t", "thuê bao", 2020, 2019, "fr")


# --- theme ----------------------------------------------------------------------------------


def test_the_theme_is_applied_without_changing_the_active_theme(by_operator):
    before = alt.theme.active
    spec = chart_spec(operator_shares(by_operator, "Thị phần", 2020))
    assert alt.theme.active == before
    assert spec["config"]["font"] == FONT and FONT.endswith("sans-serif")
    assert spec["config"]["title"]["fontSize"] >= 14 and spec["config"]["axis"]["labelFontSize"] >= 11
    assert spec["config"]["range"]["category"][:2] == [DEPARTMENT_COLOUR, YEAR_COLOURS[0]]
    assert spec["config"]["axis"]["labelLimit"] == 0  # a label is wrapped, never cut


def test_enable_theme_makes_it_active_and_registers_once():
    before = alt.theme.active
    try:
        chart.enable_theme()
        chart.enable_theme()
        assert alt.theme.active == chart.THEME
        assert alt.theme.names().count(chart.THEME) == 1
        assert alt.Chart(pd.DataFrame({"v": [1]})).mark_bar().to_dict()["config"]["font"] == FONT
    finally:
        alt.theme.enable(before)


# --- rendering through vl-convert -----------------------------------------------------------


def test_svg_and_png_show_vietnamese_names_and_numbers(tmp_path, by_district):
    paths = save_chart(district_bars(by_district, "Thuê bao di động năm 2020", "thuê bao", 2020, 2019), tmp_path, "d")
    assert set(paths) == {"svg", "png", "html"}
    assert {p.name for p in tmp_path.iterdir()} == {"d.svg", "d.png", "d.html"}  # no temporary file left
    texts = text_of(paths["svg"].read_text(encoding="utf-8"))
    assert "Thuận Nam" in texts and "Thuê bao di động năm 2020" in texts
    assert "Huyện/thành phố" not in texts  # the names say they are districts
    assert "1.234.567" in texts  # the Thuận Nam bar's label, through the Vietnamese locale
    assert "1.200.000" in texts
    assert 'font-family="Segoe UI, Roboto' in paths["svg"].read_text(encoding="utf-8")
    png = paths["png"].read_bytes()
    assert png.startswith(PNG_SIGNATURE) and len(png) > 20_000
    width, height = struct.unpack(">II", png[16:24])
    svg_width = float(re.search(r'<svg[^>]*width="([\d.]+)"', paths["svg"].read_text(encoding="utf-8")).group(1))
    assert width == pytest.approx(2 * svg_width, abs=2) and height > 300  # scale 2


def test_english_charts_write_english_numbers(tmp_path, by_district, change_table):
    paths = save_chart(district_bars(by_district, "Mobile", "subscriptions", 2020, 2019, "en"), tmp_path, "d", "en")
    assert "1,234,567" in text_of(paths["svg"].read_text(encoding="utf-8"))
    changes = save_chart(change_bars(change_table, "Change", "en"), tmp_path, "c", "en")
    texts = text_of(changes["svg"].read_text(encoding="utf-8"))
    assert "+650.0" in texts and "−3.2" in texts
    vi = text_of(save_chart(change_bars(change_table, "Thay đổi"), tmp_path, "v")["svg"].read_text(encoding="utf-8"))
    assert "+650,0" in vi and "−3,2" in vi


def test_save_chart_writes_an_offline_page_with_one_copy_of_the_libraries(tmp_path, by_operator):
    page = save_chart(operator_shares(by_operator, "Thị phần", 2020), tmp_path / "new" / "charts", "shares")["html"]
    text = page.read_text(encoding="utf-8")
    bundle = vega_bundle()
    assert text.count(bundle) == 1 and text.count("window.vegaEmbed=") == 1
    assert not re.search(r"<script[^>]+src=|<link|src=\"http|href=\"http", text, re.IGNORECASE)
    # The bundle's own strings hold a few URLs (SVG namespaces, schema ids, the editor's
    # address for the actions menu, which is off), CSS and the tooltip's <img> template;
    # the rest of the page holds none of them.
    rest = text.replace(bundle, "")
    assert not re.search(r"https?://|<img|<iframe|@import|url\(", rest, re.IGNORECASE)
    assert '<html lang="vi">' in text and "<title>Thị phần</title>" in text
    assert '"renderer": "svg"' in rest and '"actions": false' in rest and '"thousands": "."' in rest


def test_save_chart_replaces_files_atomically(tmp_path, by_operator):
    target = tmp_path / "shares.svg"
    target.write_text("old", encoding="utf-8")
    save_chart(operator_shares(by_operator, "Thị phần", 2020), tmp_path, "shares")
    assert target.read_text(encoding="utf-8").startswith("<svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shares.html", "shares.png", "shares.svg"]


# --- HTML snippets and notebooks ------------------------------------------------------------


def test_chart_html_cannot_be_broken_out_of(by_operator):
    frame = by_operator.assign(operator=[BREAKOUT, "VNPT", "Viettel", "<!--"])
    snippet = chart_html(operator_shares(frame, "a & b", 2020), "shares")
    assert snippet.count("</script>") == 1 and snippet.endswith("</script>")
    assert "<!--" not in snippet and "<script>window" not in snippet
    assert snippet.startswith('<div id="shares" class="chart"></div>')
    assert "\\u003c/script\\u003e" in snippet


@pytest.mark.parametrize("element_id", ["", "1chart", 'a" onload="x', "a b", "a<b"])
def test_chart_html_refuses_an_unsafe_element_id(element_id):
    with pytest.raises(ValueError, match="element_id"):
        chart_html({"mark": "bar"}, element_id)


def test_show_gives_jupyterlab_a_vegalite_5_spec(by_operator):
    shown = show(operator_shares(by_operator, "Thị phần thuê bao", 2020))
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {VEGALITE_MIMETYPE, "text/plain"}
    assert VEGALITE_MIMETYPE == "application/vnd.vegalite.v5+json"
    spec = bundle[VEGALITE_MIMETYPE]
    assert spec["$schema"] == "https://vega.github.io/schema/vega-lite/v5.json"
    assert spec["config"]["locale"]["number"] == {**chart.format_locale("vi")}
    assert bundle["text/plain"] == "Thị phần thuê bao"


def test_show_with_html_snippet_gives_each_display_its_own_element(by_operator):
    made = operator_shares(by_operator, "Thị phần", 2020)
    first, second = (show(made, "en", html_snippet=True)._repr_mimebundle_() for _ in range(2))
    ids = [re.match(r'<div id="([\w-]+)"', b["text/html"]).group(1) for b in (first, second)]
    assert ids[0] != ids[1]
    assert '"decimal": "."' in first["text/html"]


def test_jupyterlab_renders_the_mimetype_emitted():
    """The installed JupyterLab's Vega renderer lists the mimetype (and no Vega-Lite 6 one)."""
    static = REPO / ".venv" / "share" / "jupyter" / "lab" / "static"
    if not static.is_dir():
        pytest.skip("JupyterLab's static files are not in .venv")
    core = next(static.glob("jlab_core.*.js")).read_text(encoding="utf-8", errors="replace")
    assert VEGALITE_MIMETYPE in core
    assert "application/vnd.vegalite.v6" not in core


# --- in a real browser, network off ---------------------------------------------------------


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_standalone_page_draws_the_chart_offline(tmp_path, by_district):
    made = district_bars(by_district, "Thuê bao di động theo huyện/thành phố", "thuê bao", 2020, 2019)
    page = save_chart(made, tmp_path, "districts")["html"]
    screenshot = REPO / "reports" / "charts-test.png"
    with open_page(page, screenshot=screenshot, width=900, height=620) as opened:
        svg = opened.page.locator("#chart svg")
        opened.page.wait_for_selector("#chart svg .mark-rect path")
        assert opened.page.locator("#chart svg .mark-rect path").count() == 14
        labels = svg.locator("text").all_text_contents()
        assert "Thuận Nam" in labels and "1.234.567" in labels and "Thuê bao di động" in " ".join(labels)
        assert opened.blocked_requests == []
        assert opened.page_errors == []
        assert opened.console_errors == []
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_snippets_share_one_bundle_and_labels_stay_text(tmp_path, by_operator, change_table):
    hostile = by_operator.assign(operator=[BREAKOUT, "VNPT", "Viettel", "MobiFone"])
    page = tmp_path / "report.html"
    page.write_text(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo</title>'
        f"<script>{vega_bundle()}</script></head><body>"
        f"{chart_html(operator_shares(hostile, 'Thị phần', 2020), 'shares')}"
        f"{chart_html(change_bars(change_table, 'Thay đổi'), 'changes')}"
        "<script>const n = 1; let t = 2;</script>"  # names the bundle uses at its top level
        "</body></html>",
        encoding="utf-8",
    )
    with open_page(page) as opened:
        opened.page.wait_for_selector("#changes svg .mark-rect path")
        assert opened.page.locator("#shares svg .mark-rect path").count() == 4
        assert opened.page.locator("#changes svg .mark-rect path").count() == 4
        # A label is text in the chart (cut short at the axis' label limit), never markup.
        assert any(t.startswith("</script><script>") for t in opened.page.locator("#shares svg text").all_text_contents())
        assert "+650,0" in opened.page.locator("#changes svg text").all_text_contents()
        assert opened.page.evaluate("window.escaped") is None
        assert (opened.blocked_requests, opened.page_errors, opened.console_errors) == ([], [], [])


@requires_chromium
@pytest.mark.xdist_group("browser")
def test_a_snippet_without_the_bundle_says_so(tmp_path, by_operator):
    page = tmp_path / "bare.html"
    page.write_text(
        f'<!doctype html><meta charset="utf-8"><body>{chart_html(operator_shares(by_operator, "x", 2020), "c")}',
        encoding="utf-8",
    )
    with open_page(page) as opened:
        assert "vega_bundle" in opened.page.locator("#c").inner_text()
        assert opened.page_errors == []
