"""The executed report notebook as one self-contained, offline HTML page without code (nbconvert).

nbconvert's own HTML templates load require.js and MathJax from CDNs, so the
page uses a template of ours (``templates/nbconvert/ictanalysis_report``):
no code cells, no prompts, no parameters cell, the Vega libraries embedded once
for every chart, and nothing fetched from a network.
"""

from __future__ import annotations

import re
from pathlib import Path

from ictanalysis.words import DEFAULT_LANGUAGE

__all__ = ["export_html", "load_exporter", "made_from_of", "read_made_from"]

def export_html(executed, *, title: str, language: str = DEFAULT_LANGUAGE, made_from: dict[str, str] | None = None) -> str:
    """Return the executed notebook as one self-contained HTML page without code.

    No code cells, no prompts, no injected-parameters cell; the Vega libraries
    are embedded once for every chart, and nothing is fetched from a network.
    `made_from` (the pair, the province, the table's sha256) is written into the
    page's head as ``<meta name="ictanalysis:…">``, which ``send`` checks.
    """
    _charts_to_html(executed, language)
    from ictanalysis.embed import vega_bundle

    executed.metadata["title"] = title
    resources = {"vega_bundle": vega_bundle(), "report_made_from": made_from or {}}
    body, _ = _exporter(language).from_notebook_node(executed, resources=resources)
    return body


def load_exporter() -> None:
    """Import nbconvert and read the Vega bundle, so that the export after the run starts at once."""
    import nbconvert.exporters.html  # noqa: F401 - imported for its cost, now rather than later

    from ictanalysis.embed import vega_bundle

    vega_bundle()


def _exporter(language: str):
    """Return nbconvert's HTML exporter set up for the report: our template, no code, no prompts."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = ("injected-parameters", "parameters", "remove-cell")
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    exporter = HTMLExporter(
        config=config, template_name="ictanalysis_report", extra_template_basedirs=[str(_TEMPLATES)], language_code=language
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exporter


_TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"


def _charts_to_html(notebook, language: str) -> None:
    """Replace each chart output (Vega-Lite JSON, which JupyterLab draws) by the HTML that draws it in the page."""
    from ictanalysis.embed import VEGALITE_MIMETYPE, spec_html

    number = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            spec = output.get("data", {}).pop(VEGALITE_MIMETYPE, None)
            if spec is not None:
                number += 1
                output["data"]["text/html"] = spec_html(dict(spec), f"chart-{number}", language)


def made_from_of(year: int, compare_year: int, province: str, data: Path) -> dict[str, str]:
    """Return what a report is made from, as its page records it: the pair, the province and the table's sha256."""
    from ictanalysis.tidy import fingerprint

    return {"year": str(year), "compare-year": str(compare_year), "province": province, "table-sha256": fingerprint(data)}


def read_made_from(report: Path) -> dict[str, str]:
    """Return what the report page at `report` says it was made from ({} for a page that says nothing).

    >>> import tempfile; page = Path(tempfile.mkdtemp()) / "r.html"
    >>> _ = page.write_text('<html lang="vi"><head><meta name="ictanalysis:year" content="2020">', encoding="utf-8")
    >>> read_made_from(page)
    {'year': '2020'}
    """
    head = Path(report).read_bytes()[:8192].decode("utf-8", "replace")
    found = {}
    for tag in re.findall(r"<meta\s([^>]*)>", head):  # the exporter may write the attributes in any order
        attributes = dict(re.findall(r'([a-z:-]+)="([^"]*)"', tag))
        name = attributes.get("name", "")
        if name.startswith("ictanalysis:"):
            found[name.removeprefix("ictanalysis:")] = attributes.get("content", "")
    return found
