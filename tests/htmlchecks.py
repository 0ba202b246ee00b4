"""The checks a director's and an analyst's reader would make of our HTML: accessibility and mail clients.

    from browser import open_page
    from htmlchecks import axe_violations, email_findings, requires_node

    @requires_node
    def test_no_violation(tmp_path):
        with open_page(page_path, width=390) as opened:
            assert axe_violations(opened.page) == []

    @requires_node
    def test_outlook(tmp_path):
        assert email_findings(html_path, "outlook.windows")["errors"] == []

Both use npm packages that `make test` installs into tests/js/node_modules from
tests/js/package-lock.json: axe-core (run inside the page Chromium opened) and
@jsx-email/doiuse-email (the caniemail database, run by Node on the HTML file).
Outside CI the tests skip when Node or those packages are missing; with CI set they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

NODE_DIR = Path(__file__).parent / "js"
AXE = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
DOIUSE = NODE_DIR / "node_modules" / "@jsx-email" / "doiuse-email"

requires_node = pytest.mark.skipif(
    (shutil.which("node") is None or not AXE.is_file() or not DOIUSE.is_dir()) and not os.environ.get("CI"),
    reason="Node or the npm packages of tests/js are missing (make node-tools)",
)


def axe_violations(page: Page, *, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[str]:
    """Run axe-core in `page` and return one line per violation: rule, impact, the first offending nodes.

    `tags` are the WCAG levels checked (A and AA of WCAG 2.0 and 2.1 by default).
    """
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(tags))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
        for v in found["violations"]
    ]


def email_findings(html: Path, *clients: str) -> dict:
    """Return the caniemail findings for the email `html` in `clients` (e.g. "outlook.windows", "gmail.*").

    A dict with "success", "errors" (features the client does not support), "warnings" (partial
    support) and "notes".
    """
    done = subprocess.run(["node", str(NODE_DIR / "lint-email.mjs"), str(Path(html).resolve()), *clients],
                          capture_output=True, text=True, encoding="utf-8", cwd=NODE_DIR, check=True, timeout=120)
    found = json.loads(done.stdout)
    for key in ("errors", "warnings", "notes"):  # the lint leaves out a list it has nothing for
        found.setdefault(key, [])
    return found
