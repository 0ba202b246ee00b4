"""What the official document shows of the report's contents, declared once as data (``document.yaml``).

The document tells the report's sections (``catalog/report.yaml``) in the order
of an administrative report; this file says which of the report's charts it
shows, and where. Every name is checked against the report's contents when it
is loaded.

Example:
    >>> shown = load_document_contents()
    >>> [(c.after, c.chart) for c in shown.charts][0]
    ('overview', 'headline_change')
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field

from ictanalysis.catalog import CatalogError, StrictModel, read_yaml
from ictanalysis.contents import Contents, Section, load_contents

__all__ = ["MAX_CHARTS", "OVERVIEW", "ChartPlace", "DocumentContents", "load_document_contents", "sectors"]

DOCUMENT_YAML = Path(__file__).parent / "document.yaml"
#: The most charts the document shows: it is read on paper, the report has the rest.
MAX_CHARTS = 3
#: The part a chart may follow besides a section: the overall assessment and its headline table.
OVERVIEW = "overview"


class ChartPlace(StrictModel):
    """A chart of the report and the part it follows (:data:`OVERVIEW` or a section's id)."""

    after: str
    chart: str


class DocumentContents(StrictModel):
    """The whole declaration (``document/document.yaml``)."""

    charts: tuple[ChartPlace, ...] = Field(default=(), max_length=MAX_CHARTS)

    def charts_after(self, part: str) -> list[str]:
        """Return the charts that follow `part`, in order."""
        return [c.chart for c in self.charts if c.after == part]


def sectors(contents: Contents) -> list[Section]:
    """Return the report's sections that the document tells by sector: those with domains and sentences.

    >>> [s.id for s in sectors(load_contents())]
    ['postal', 'telecom', 'egov', 'admin']
    """
    return [s for s in contents.sections if s.domains and s.sentences]


@functools.cache
def load_document_contents(path: Path = DOCUMENT_YAML) -> DocumentContents:
    """Load and check the declaration (cached per path).

    Raises:
        CatalogError: an unknown key, more than :data:`MAX_CHARTS` charts, or a name the report's contents
            do not declare (a chart, a section to follow).
    """
    shown = read_yaml(Path(path), DocumentContents)
    contents = load_contents()
    parts = {OVERVIEW, *(s.id for s in sectors(contents))}
    problems = [f"charts: unknown chart {c.chart!r}" for c in shown.charts if c.chart not in contents.charts]
    problems += [f"charts: {c.chart} follows {c.after!r}, which is not one of {', '.join(sorted(parts))}"
                 for c in shown.charts if c.after not in parts]  # fmt: skip
    if problems:
        raise CatalogError(f"{path}: " + "; ".join(problems))
    return shown
