"""The headless-browser helper (tests/browser.py) on small pages written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import browser
import pytest
from browser import open_page, requires_chromium

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# One xdist worker opens the pages, one Chromium at a time (see browser.open_page).
pytestmark = pytest.mark.xdist_group("browser")


def write_page(tmp_path: Path, body: str, head: str = "") -> Path:
    path = tmp_path / "page.html"
    path.write_text(
        f'<!doctype html>\n<html lang="vi"><head><meta charset="utf-8"><title>Trang thử</title>{head}</head>\n'
        f"<body>{body}</body></html>\n",
        encoding="utf-8",
    )
    return path


@requires_chromium
def test_self_contained_page_renders_and_is_screenshotted(tmp_path):
    page = write_page(
        tmp_path,
        '<h1 id="title">Chất lượng dữ liệu</h1><table><tr><td class="n">4 865</td></tr></table>',
        head="<style>h1 { color: #036; }</style>",
    )
    screenshot = tmp_path / "shots" / "page.png"
    with open_page(page, screenshot=screenshot, width=800, height=600) as opened:
        assert opened.page.locator("#title").inner_text() == "Chất lượng dữ liệu"
        assert opened.page.locator("td.n").inner_text() == "4 865"
        assert opened.page.viewport_size == {"width": 800, "height": 600}
        assert opened.blocked_requests == []
        assert opened.console_errors == []
        assert opened.page_errors == []
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)


@requires_chromium
def test_requests_to_the_network_are_blocked_and_recorded(tmp_path):
    page = write_page(
        tmp_path,
        '<p>ok</p><img src="http://example.com/a.png">',
        head='<script src="https://cdn.example.org/x.js"></script>',
    )
    with open_page(page) as opened:
        assert opened.page.locator("p").inner_text() == "ok"
        assert "https://cdn.example.org/x.js" in opened.blocked_requests
        assert "http://example.com/a.png" in opened.blocked_requests
        # The script never ran: nothing came back from the CDN.
        assert opened.page.evaluate("typeof window.fromCdn") == "undefined"
        # Chromium also logs each refused resource as a console error.
        assert all("ERR_BLOCKED_BY_CLIENT" in message for message in opened.console_errors)


@requires_chromium
def test_fetch_and_websocket_from_a_script_are_blocked(tmp_path):
    page = write_page(
        tmp_path,
        '<p id="out">waiting</p><script>'
        'fetch("https://api.example.net/q").then(() => out.textContent = "fetched",'
        ' () => out.textContent = "refused");'
        'new WebSocket("wss://ws.example.net/live");'
        "</script>",
    )
    with open_page(page) as opened:
        assert opened.page.locator("#out").inner_text() == "refused"
        assert sorted(opened.blocked_requests) == ["https://api.example.net/q", "wss://ws.example.net/live"]


@requires_chromium
def test_a_page_that_keeps_polling_does_not_hang(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "NETWORKIDLE_TIMEOUT_MS", 1_000)
    page = write_page(
        tmp_path,
        '<p>live</p><script>setInterval(() => fetch("https://poll.example.net/").catch(() => {}), 100)</script>',
    )
    with open_page(page) as opened:
        assert opened.page.locator("p").inner_text() == "live"
        assert len(opened.blocked_requests) >= 5
        assert set(opened.blocked_requests) == {"https://poll.example.net/"}


@requires_chromium
def test_uncaught_script_error_is_collected(tmp_path):
    page = write_page(tmp_path, '<p>before</p><script>throw new Error("boom")</script><p>after</p>')
    with open_page(page) as opened:
        assert opened.page_errors == ["boom"]
        assert opened.page.locator("p").count() == 2


@requires_chromium
def test_console_error_is_collected(tmp_path):
    page = write_page(tmp_path, '<script>console.error("bad cell", 3); console.log("fine")</script>')
    with open_page(page) as opened:
        assert opened.console_errors == ["bad cell 3"]
        assert opened.page_errors == []


@requires_chromium
def test_svg_drawn_by_a_script_is_found(tmp_path):
    page = write_page(
        tmp_path,
        '<div id="chart"></div><script>'
        'const ns = "http://www.w3.org/2000/svg";'
        'const svg = document.createElementNS(ns, "svg");'
        'svg.setAttribute("width", "200"); svg.setAttribute("height", "100");'
        'const bar = document.createElementNS(ns, "rect");'
        'bar.setAttribute("width", "120"); bar.setAttribute("height", "40"); bar.setAttribute("fill", "steelblue");'
        "svg.appendChild(bar);"
        'document.getElementById("chart").appendChild(svg);'
        "</script>",
    )
    with open_page(page, screenshot=tmp_path / "chart.png") as opened:
        assert opened.page.locator("svg").count() == 1
        assert opened.page.locator("#chart svg rect").get_attribute("fill") == "steelblue"
        box = opened.page.locator("svg").bounding_box()
        assert (box["width"], box["height"]) == (200, 100)
        assert opened.page_errors == []
    assert (tmp_path / "chart.png").read_bytes().startswith(PNG_SIGNATURE)
