"""Open a local HTML file in Debian's headless Chromium with the network switched off.

    from browser import open_page, requires_chromium

    @requires_chromium
    def test_page(tmp_path):
        with open_page(tmp_path / "page.html", screenshot=tmp_path / "page.png") as opened:
            assert opened.page.locator("h1").inner_text() == "Chất lượng dữ liệu"
            assert opened.blocked_requests == []
            assert opened.page_errors == []

Chromium is the apt package (`apt-get install chromium`), driven by Playwright through
`executable_path`; Playwright's own browser download is never used. Every request whose URL
is not file:, data:, about: or blob: is aborted and its URL recorded in `blocked_requests`,
so a page that would fetch a script, a font or an image from the internet shows up there.
Every dialog the page opens (alert, confirm, prompt) is dismissed and its text recorded in
`dialogs`, from the first byte of the page on: a script that data smuggled in shows up there.
Outside CI the tests skip when Chromium is missing; with CI set they run and fail instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Error, Page, Route, WebSocketRoute

LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")

# --no-sandbox: Chromium refuses to start as root with its sandbox. The rest stop the
# browser's own background calls (updates, sync, field trials), which a closed network
# would refuse slowly. The host-resolver rule is a second lock behind the request route:
# a request that somehow escapes the route cannot resolve any host name either.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

# networkidle means 500 ms without requests; with the network blocked every request ends
# at once, so only a page that keeps sending requests (a poller) is still busy after this.
# Such a page is not an error here: the wait gives up and its URLs are in blocked_requests.
NETWORKIDLE_TIMEOUT_MS = 3_000


def chromium_path() -> str | None:
    """The Chromium on PATH (Debian: chromium; older Ubuntu: chromium-browser), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


requires_chromium = pytest.mark.skipif(
    chromium_path() is None and not os.environ.get("CI"),
    reason="Debian chromium not installed (apt-get install chromium)",
)


@dataclass
class OpenedPage:
    """What `open_page` yields; the lists keep growing while the page is used."""

    page: Page
    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@contextmanager
def open_page(
    path: Path,
    *,
    screenshot: Path | None = None,
    width: int = 1280,
    height: int = 900,
) -> Iterator[OpenedPage]:
    """Open `path` in headless Chromium with the network blocked; yield an `OpenedPage`.

    Waits for the load event and for network idle (at most NETWORKIDLE_TIMEOUT_MS), then
    saves a full-page PNG to `screenshot` if given. The browser and its temporary profile
    are gone on exit. Tests that open pages should share the xdist group "browser"
    (`pytest.mark.xdist_group("browser")`): `make test` runs `-n 2 --dist loadgroup`, and
    two Chromiums starting at once on a 2-CPU runner each take twice as long.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium not found on PATH: apt-get install chromium")
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)

    with tempfile.TemporaryDirectory(prefix="ictanalysis-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport={"width": width, "height": height},
            service_workers="block",
            accept_downloads=False,
        )
        try:
            opened = OpenedPage(page=context.pages[0] if context.pages else context.new_page())

            def route(route: Route) -> None:
                url = route.request.url
                if url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    opened.blocked_requests.append(url)
                    route.abort("blockedbyclient")

            def websocket(ws: WebSocketRoute) -> None:
                opened.blocked_requests.append(ws.url)
                ws.close()

            def console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    opened.console_errors.append(message.text)

            def page_error(error: Error) -> None:
                opened.page_errors.append(error.message)

            def dialog(shown: Dialog) -> None:
                opened.dialogs.append(f"{shown.type}: {shown.message}")
                shown.dismiss()

            context.route("**/*", route)
            context.route_web_socket("**/*", websocket)
            page = opened.page
            page.on("console", console)
            page.on("pageerror", page_error)
            page.on("dialog", dialog)

            page.goto(path.as_uri(), wait_until="load")
            try:
                page.wait_for_load_state("networkidle", timeout=NETWORKIDLE_TIMEOUT_MS)
            except PlaywrightTimeoutError:
                pass  # still sending requests; all of them were blocked and recorded
            if screenshot is not None:
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            yield opened
        finally:
            context.close()
