"""Drawing Vega-Lite charts inside an HTML page, without Altair and without a network.

:func:`vega_bundle` is the Vega, Vega-Lite and vega-embed code to put on a page
once; :func:`spec_html` is the snippet that draws one chart spec there. The
report's export uses these without importing Altair (seconds saved per run).
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.formatting import format_locale
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = ["VEGALITE_MIMETYPE", "script_json", "spec_html", "vega_bundle"]

#: The Vega-Lite output JupyterLab 4.6 draws natively (its renderer bundles Vega-Lite 5).
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"

_ELEMENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@functools.cache
def vega_bundle() -> str:
    """Return Vega, Vega-Lite and vega-embed as one script that defines ``vegaEmbed`` (~880 KB).

    Put it once on a page, inside ``<script>…</script>``, before any :func:`chart_html`
    snippet. The code runs in its own function scope, so its top-level names cannot
    clash with other scripts on the page (or with a second copy).

    Bundling takes several seconds, so the result is kept in the user's cache folder
    (``$XDG_CACHE_HOME/ictanalysis`` or ``~/.cache/ictanalysis``), one file per
    vl-convert version; without a writable cache it is simply rebuilt.
    """
    import vl_convert

    cache = _cache_dir() / f"vega-bundle-{vl_convert.__version__}.js"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    code = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    bundle = f"(function () {{\n{code}\n}})();"
    try:
        write_atomically(cache, lambda p: p.write_text(bundle, encoding="utf-8"))
    except OSError:
        pass  # a read-only home: rebuild next time
    return bundle


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ictanalysis"


def script_json(value: object) -> str:
    """Return `value` as JSON safe inside ``<script>``: every "<" written as ``\\u003c``.

    No label can then close the script ("</script>") or open an HTML comment.

    >>> script_json({"label": "</script><b>"})
    '{"label": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _embed_spec(spec: dict) -> dict:
    """Return the spec without its ``$schema`` URL (vega-embed is told the mode instead)."""
    return {key: value for key, value in spec.items() if key != "$schema"}


def spec_html(spec: dict, element_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Return ``<div id=…>`` and the script that draws the chart there with ``vegaEmbed``.

    The page must already hold :func:`vega_bundle` (the report embeds it once for all its
    charts); where it does not, the div says so instead of staying blank. The chart is drawn
    as SVG, without the actions menu, with the number locale of `language`. A spec dict (from
    :func:`chart_spec`, or a notebook's Vega-Lite output) is taken as it is.

    >>> snippet = spec_html({"mark": "bar", "title": "</script>"}, "c1")
    >>> snippet.startswith('<div id="c1" class="chart"></div>'), snippet.count("</script>")
    (True, 1)
    """
    if not _ELEMENT_ID.fullmatch(element_id):
        raise ValueError(f"element_id must be letters, digits, '-' or '_' after a letter, not {element_id!r}")
    options = {"mode": "vega-lite", "renderer": "svg", "actions": False, "formatLocale": format_locale(language)}
    return (
        f'<div id="{element_id}" class="chart"></div>\n<script>(function () {{\n'
        f"  var element = document.getElementById({script_json(element_id)});\n"
        f'  if (typeof vegaEmbed !== "function") {{\n'
        f"    element.textContent = {script_json(words(language)('chart.no_bundle'))};\n    return;\n  }}\n"
        f"  vegaEmbed(element, {script_json(_embed_spec(spec))}, {script_json(options)})\n"
        f"    .catch(function (error) {{ element.textContent = String(error); console.error(error); }});\n"
        f"}})();</script>"
    )
