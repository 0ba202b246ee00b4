"""The document's figures: the headline table with real years as headings, each line with its change.

Both are read from the report's own change tables (:meth:`ictanalysis.view.ReportView.frame`),
so every number is the one the HTML report shows, in its notation: money in the
unit the sentences use (tỷ đồng when the larger year is a billion or more), and
the decimals the report's contents declare for the indicator, the same in both years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ictanalysis.document.model import Table
from ictanalysis.present import cell_text, change_text

__all__ = ["ChangeLine", "change_lines", "headline_table"]

#: The columns of the headline table: number, indicator, unit, the two years, the change (shares of the width).
_WIDTHS = (0.06, 0.37, 0.12, 0.14, 0.14, 0.17)
_ALIGN = ("center", "left", "left", "right", "right", "right")


@dataclass(frozen=True)
class ChangeLine:
    """One indicator of a change table, as the document writes it."""

    indicator: str
    name: str
    unit: str  #: in words, "tỷ đồng" for money
    before: str  #: the compared year's figure
    value: str  #: the report year's
    change: str  #: "+2,1 %", "+1,5 điểm %", "từ 0", "–"
    fell: bool  #: the figure is lower than the compared year's


def change_lines(view, table: str) -> list[ChangeLine]:
    """Return the lines of the report's change table `table`, in its order.

    `view` is a :class:`~ictanalysis.view.ReportView`; its language writes the names, units and numbers.
    """
    language, lines = view.language, []
    for row in view.frame(table).to_dict("records"):
        before, value = (cell_text(column, row, language) for column in ("value_before", "value"))
        fell = not math.isnan(row["change"]) and row["change"] < 0
        lines.append(ChangeLine(row["indicator"], row["name"], row["unit"], before, value, change_text(row, language), fell))
    return lines


def headline_table(view, number: int) -> Table:
    """Return the headline table: number, indicator, unit, the compared year, the report year, the change."""
    said, cmp = view.said, view.cmp
    caption = said("document.table", number=number,
                   title=said("document.headline_table", year=cmp.year, cy=cmp.compare_year))  # fmt: skip
    head = (said("document.column.number"), said("document.column.indicator"), said("document.column.unit"),
            said("document.column.year", year=cmp.compare_year), said("document.column.year", year=cmp.year),
            said("document.column.change"))  # fmt: skip
    rows = tuple((str(n), line.name, line.unit, line.before, line.value, line.change)
                 for n, line in enumerate(change_lines(view, "headline"), start=1))  # fmt: skip
    return Table(caption, head, rows, _ALIGN, _WIDTHS)
