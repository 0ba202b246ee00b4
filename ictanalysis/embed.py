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
import string
from pathlib import Path

from ictanalysis.atomic import write_atomically
from ictanalysis.formatting import format_locale
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = ["VEGALITE_MIMETYPE", "chart_label", "script_json", "spec_html", "vega_bundle"]

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


def chart_label(spec: dict, language: str = DEFAULT_LANGUAGE) -> str:
    """Return the chart's accessible name: its title, then its description (a generic word when it has neither).

    >>> chart_label({"title": {"text": ["Thuê bao", "2020"]}, "description": "Tăng 2,1 %."})
    'Thuê bao 2020. Tăng 2,1 %.'
    >>> chart_label({"title": "Thuê bao", "description": "Thuê bao: tăng 2,1 %."}), chart_label({}, "en")
    ('Thuê bao: tăng 2,1 %.', 'Chart')
    """
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else str(title or "")
    description = str(spec.get("description") or "")
    if description.startswith(title):
        return description or words(language)("chart.unnamed")
    return f"{title.rstrip('. ')}. {description}" if description else title


#: The script after each chart's div. It names the div (role "img", the chart's label; the SVG
#: itself is then hidden from assistive technology) and draws the chart. A chart wider than its
#: box is narrowed to fit, again after each change of width: a faceted chart gets fewer columns,
#: any other chart a narrower plot (never below _MIN_PLOT px), and then a title still too wide is
#: put on two lines. CSS scales what is still too wide instead of letting the page scroll sideways.
# The script holds no "<", ">" or "&" (comparisons through Math.sign and Math.max): a test checks that no
# chart's script could be read as markup.
_DRAW = string.Template("""<script>(function () {
  var element = document.getElementById($id);
  if (typeof vegaEmbed !== "function") {
    element.textContent = $no_bundle;
    return;
  }
  var spec = $spec, options = $options, shown = null, timer = null, fitted = 0;
  function name() {
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", $label);
    element.removeAttribute("aria-roledescription");
  }
  function draw(shape) {
    if (shown) shown.finalize();
    var shaped = Object.assign({}, spec, shape.columns ? {columns: shape.columns} : {}, shape.title ? {title: shape.title} : {});
    return vegaEmbed(element, shaped, options).then(function (result) { shown = result; return fit(shape); });
  }
  function fit(shape) {
    var svg = element.querySelector("svg"), view = shown.view;
    svg.setAttribute("aria-hidden", "true");
    name();
    fitted = element.clientWidth;
    var over = Number(svg.getAttribute("width")) - fitted;
    if (Math.max(over, 0) === 0) return null;
    if ((shape.columns || 1) !== 1) return draw({columns: shape.columns - 1});
    var width = typeof spec.width === "number" ? Math.min(view.width(), Math.max($min_plot, Math.floor(view.width() - over))) : view.width();
    if (width !== view.width()) return view.width(width).runAsync().then(function () { return fit(shape); });
    var title = shape.title ? null : wrap(spec.title);
    return title ? draw({columns: shape.columns, title: title}) : null;
  }
  function wrap(title) {
    var text = typeof title === "string" ? title : (title ? (typeof title.text === "string" ? title.text : "") : "");
    var middle = text.length / 2, before = text.lastIndexOf(" ", middle), after = text.indexOf(" ", middle);
    var nearer = Math.sign(before) === 1 ? Math.sign((middle - before) - (after - middle)) !== 1 : false;
    var at = Math.sign(after) === -1 || nearer ? before : after;
    if (Math.max(at, 0) === 0) return null;
    var size = (title.fontSize || ((spec.config || {}).title || {}).fontSize || 13);
    return Object.assign({}, title.text ? title : {}, {text: [text.slice(0, at), text.slice(at + 1)], lineHeight: 1.35 * size});
  }
  function failed(error) {
    ["role", "aria-label", "aria-roledescription"].forEach(function (a) { element.removeAttribute(a); });
    element.textContent = String(error);
    console.error(error);
  }
  name();
  draw({columns: spec.columns}).catch(failed);
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (shown ? element.clientWidth !== fitted : false) draw({columns: spec.columns}).catch(failed);
    }, 150);
  });
})();</script>""")

#: The narrowest plot area (px) a chart is given to fit a small screen.
_MIN_PLOT = 160


def spec_html(spec: dict, element_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Return ``<div id=…>`` and the script that draws the chart there with ``vegaEmbed``.

    The page must already hold :func:`vega_bundle` (the report embeds it once for all its
    charts); where it does not, the div says so instead of staying blank. The chart is drawn
    as SVG, without the actions menu, with the number locale of `language`, narrowed to fit
    its box (see ``_DRAW``); the div is an image named by :func:`chart_label`. A spec dict (from
    :func:`chart_spec`, or a notebook's Vega-Lite output) is taken as it is.

    >>> snippet = spec_html({"mark": "bar", "title": "</script>"}, "c1")
    >>> snippet.startswith('<div id="c1" class="chart"></div>'), snippet.count("</script>")
    (True, 1)
    """
    if not _ELEMENT_ID.fullmatch(element_id):
        raise ValueError(f"element_id must be letters, digits, '-' or '_' after a letter, not {element_id!r}")
    options = {"mode": "vega-lite", "renderer": "svg", "actions": False, "formatLocale": format_locale(language)}
    script = _DRAW.substitute(
        id=script_json(element_id), no_bundle=script_json(words(language)("chart.no_bundle")),
        label=script_json(chart_label(spec, language)), spec=script_json(_embed_spec(spec)),
        options=script_json(options), min_plot=_MIN_PLOT,
    )  # fmt: skip
    return f'<div id="{element_id}" class="chart"></div>\n{script}'
