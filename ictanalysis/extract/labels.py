"""Say what a row label stands for: a key (district, enterprise, agency, indicator or year), a total, or no data.

A row is told by its label: a data row (its key, and whether it is a total,
kept as the province, all enterprises or all agencies), a blank label, a note
the layout skips, the start of a derived section whose rows are not read, or
the label header of a second table below this one.
"""

from __future__ import annotations

import re
from typing import Literal

from ictanalysis.catalog import Catalog
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import match_indicator, year_of
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.messages import quote
from ictanalysis.extract.numbers import EXPECTED_STORED
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold, strip_footnotes
from ictanalysis.workbook import cell_name

__all__ = [
    "ROW_KINDS",
    "RowRoles",
    "clean_label",
    "row_key",
    "second_table_problem",
    "unknown_label_problem",
    "unlabelled_problem",
]

ROW_KINDS = {"area": "district", "operator": "enterprise", "agency": "agency", "indicator": "indicator", "year": "year"}
_TOTAL_LABELS = {"tong cong", "cong", "toan tinh", "tong so", "tong", "total", "ca tinh", "tong cong toan tinh"}
_ENUMERATION = re.compile(r"^\s*(?:[0-9]+(?:\.[0-9]+)*|[IVXLC]+|[a-zđ])\s*[\.\)/-]\s+", re.I)

Role = Literal["data", "blank", "second_table", "skipped", "derived", "after_table"]


def clean_label(value) -> str:
    """Return a row label without footnote marks and its enumeration ("1.", "II.", "a)").

    Example:
        >>> clean_label("1. Huyện Bác Ái (*)"), clean_label("II. Bưu chính"), clean_label(2020.0)
        ('Huyện Bác Ái', 'Bưu chính', '2020')
    """
    label = strip_footnotes(cell_text(value))[0]
    return _ENUMERATION.sub("", label).strip()


class RowRoles:
    """Tell a table's rows apart by their folded label, remembering where in the table the rows are.

    Once a derived section starts ("Tỷ lệ…"), its rows are not data; once a
    second table's header is met, no row below belongs to this table.

    Example:
        >>> from ictanalysis.layouts import Layout
        >>> layout = Layout(id="demo", description="demo", label_headers=("Địa bàn",), skip_rows=("Ghi chú",))
        >>> roles = RowRoles(layout)
        >>> [roles.role(fold(label)) for label in ("Bác Ái", "", "Ghi chú: ước", "Địa bàn", "Bác Ái")]
        ['data', 'blank', 'skipped', 'second_table', 'after_table']
    """

    def __init__(self, layout: Layout) -> None:
        """Read the layout's label headers, notes to skip and derived sections."""
        self.label_headers = {fold(h) for h in layout.label_headers if h}
        self.skip_rows = tuple(fold(s) for s in layout.skip_rows)
        self.derived = tuple(fold(s) for s in layout.derived_sections)
        self.in_derived_section = False
        self.after_table = False  # a second table's header was met: its rows are not this table's

    def role(self, folded: str) -> Role:
        """Return what the row labelled `folded` (see :func:`~ictanalysis.normalise.fold`) is."""
        if self.after_table:
            return "after_table"
        if not folded:
            return "derived" if self.in_derived_section else "blank"
        if folded in self.label_headers:
            self.after_table = True
            return "second_table"
        if folded.startswith(self.skip_rows or ("\0",)):
            return "skipped"
        if self.derived and folded.startswith(self.derived):
            self.in_derived_section = True
        return "derived" if self.in_derived_section else "data"


def row_key(context: Context, label: str, folded: str) -> dict | None:
    """Return the dimensions a row label stands for, or None when it names nothing known.

    The key holds the label's district, enterprise, agency, indicator or year
    (by the layout's kind of rows) and `total`: whether it is the whole.
    """
    kind, source, catalog = context.layout.rows, context.source, context.catalog
    total = folded in _TOTAL_LABELS or folded.startswith(("tong cong ", "toan tinh "))
    if kind == "area":
        if total:
            return {"area": source.province, "total": True}
        area = catalog.find_area(label, province=source.province, year=source.year)
        return None if area is None else {"area": area.code, "total": area.code == source.province}
    if kind in ("operator", "agency"):
        if total:
            return {kind: "", "total": True}
        found = catalog.find_operator(label) if kind == "operator" else catalog.find_agency(label)
        return None if found is None else {kind: found.name, "total": False}
    if kind == "indicator":
        indicator = match_indicator(context.layout, catalog, [label])
        return None if indicator is None else {"indicator": indicator, "total": False}
    year, preliminary = year_of([label])
    return None if year is None else {"year": year, "preliminary": preliminary, "total": False}


def second_table_problem(context: Context, cell: str, label: str, first_data_row: int) -> Problem:
    """Report a second table, whose header `label` is at `cell`: its rows would be read as this table's."""
    return context.problem(cell, f"a second table starts here (header {quote(label)}), below the table whose data "
                                 f"starts at row {first_data_row + 1}",
                           "one table per sheet: move the second table to a sheet of its own")  # fmt: skip


def unlabelled_problem(context: Context, label_origin: tuple[int, int]) -> Problem:
    """Report a row that holds numbers but no label (or an unreadable one): its values would be lost."""
    sheet, kind = context.sheet, ROW_KINDS[context.layout.rows]
    if label_origin in sheet.error_cells:
        message = f"the row label is the error value {sheet.error_cells[label_origin]}"
        expected = f"a {kind} name: correct the formula and save the workbook"
    elif label_origin in sheet.uncached_formulas:
        message, expected = "the row label is a formula without a stored value", EXPECTED_STORED
    else:
        message, expected = "a row holds numbers but has no label", f"a {kind} name in this cell"
    return context.problem(cell_name(*label_origin), message, expected)


def unknown_label_problem(context: Context, cell: str, label: str) -> Problem:
    """Report a row label that names no district, enterprise, agency, indicator or year the catalog knows."""
    kind, source = ROW_KINDS[context.layout.rows], context.source
    expected = {
        "district": f"a district of province {source.province} in force in {source.year} (catalog/areas.yaml)",
        "enterprise": "an enterprise in catalog/operators.yaml",
        "agency": "an agency in catalog/agencies.yaml",
        "indicator": "an indicator name or alias in catalog/indicators.yaml",
        "year": "a year such as 2020 or 'Sơ bộ 2020'",
    }[kind]
    others = other_provinces_of(context.catalog, label, source.province, source.year) if kind == "district" else []
    if others:  # another province's district: the workbook is likely another province's
        own = context.catalog.areas[source.province]
        names = ", ".join(f"{a.name} ({a.code})" for a in others[:3]) + (", …" if len(others) > 3 else "")
        return context.problem(cell, f"{quote(label)} is not a district of {own.name} ({own.code}) but of {names}",
                               f"the workbooks of {own.name} only: take this file out of the raw folder if it is "
                               f"another province's, or correct the district; {expected}")  # fmt: skip
    return context.problem(cell, f"unknown {kind} {quote(label)}", expected)


def other_provinces_of(catalog: Catalog, label: str, province: str, year: int | None = None) -> list:
    """Return the provinces other than `province` that have a district `label` names (in force during `year`).

    What a label unknown in the run's province may tell: the workbook is another province's.

    Example:
        >>> from ictanalysis.catalog import load_catalog
        >>> [a.name for a in other_provinces_of(load_catalog(), "Tuy Phong", "58", 2020)]
        ['Bình Thuận']
    """
    found = []
    for other in catalog.areas.values():
        if other.level == "province" and other.code != province:
            area = catalog.find_area(label, province=other.code, year=year)
            if area is not None and area.level != "province":
                found.append(other)
    return found
