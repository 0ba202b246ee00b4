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
    "IndicatorRows",
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

# Folded first words of a line that opens the parts of the row above: "Trong đó:", "Chia ra - Of which:".
_GROUP_OPENERS = ("trong do of which", "chia ra of which", "trong do", "chia ra", "of which", "bao gom")
# What marks a row label, as typed, as a part of the row above: a dash or plus, "1.1", "a)", an indent.
_PART_MARK = re.compile(r"^(?:\s*[-+–•]\s*|\s*\d+\.\d+\.?\s+|\s*[a-zđ]\)\s*|\s{2,})", re.I)

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

    def enter_derived(self, texts: list[str]) -> bool:
        """Start the derived section when a row without label holds its heading elsewhere ("Chỉ số phát triển…")."""
        if self.derived and any(fold(t).startswith(self.derived) for t in texts):
            self.in_derived_section = True
        return self.in_derived_section

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


class IndicatorRows:
    """Say which indicator a row of an indicators-as-rows table is, from its label and the rows above it.

    A row without figures that names no indicator is a section ("I. Bưu
    chính"); a row is a part of the row above it (its parent) after "Trong
    đó:"/"Chia ra - Of which:" or when its label is marked as one ("- Bưu
    chính", "1.1", indented). A label is read together with its parent, then
    its section ("Doanh thu" under "II. Viễn thông" is the telecom revenue), then
    alone; a part that names an enterprise is the parent's figure for that
    enterprise. A part is never read as its parent: one that names nothing is
    refused ("Thành thị" under a rate is not the rate).

    Example:
        >>> from ictanalysis.catalog import load_catalog
        >>> from ictanalysis.extract.context import SheetSource
        >>> from ictanalysis.workbook import Sheet
        >>> source = SheetSource("2020/a.xlsx", Sheet(name="TB", rows=[["x"]]), 2020, "60")
        >>> context = Context(source, Layout(id="demo", description="demo", rows="indicator"), load_catalog())
        >>> rows = IndicatorRows()
        >>> [k and k["indicator"].id for k in (rows.key(context, "II. Viễn thông", "Viễn thông", False),
        ...  rows.key(context, "Doanh thu", "Doanh thu", True), rows.key(context, "- VNPT", "VNPT", True))]
        [None, 'telecom_revenue', 'telecom_revenue']
    """

    def __init__(self, title: str = "") -> None:
        """Start in the section the table's `title` names (the yearbook's "Số thuê bao điện thoại"), no row above."""
        self.section, self.parent, self.parent_indicator, self.open = title, "", None, False

    def key(self, context: Context, raw: str, label: str, numbers: bool, section: bool = False) -> dict | None:
        """Return the key of the row labelled `label` (`raw`: as typed), None when it names nothing.

        `section`: the row is numbered as a section ("II", "III."): without figures it is one.
        """
        folded = fold(label)
        opener = next((o for o in _GROUP_OPENERS if folded == o or folded.startswith(o + " ")), None)
        if opener is not None:
            self.open = True
            label = re.sub(r"^[^:]*:\s*", "", label) if ":" in label else ""
            if not label:
                return None
        if section and not numbers:
            self.section, self.parent, self.parent_indicator, self.open = label, "", None, False
            return None
        marked = opener is not None or _PART_MARK.match(raw) is not None
        if self.parent and (marked or self.open):
            found = self._as_part(context, label)
            if found is not None or marked:
                return found
        return self._as_row(context, label, numbers, becomes_parent=not marked)

    def _as_part(self, context: Context, label: str) -> dict | None:
        """Return the key of a part of the parent row: an indicator read with the parent, or an enterprise."""
        layout, catalog = context.layout, context.catalog
        operator = catalog.find_operator(label)
        if operator is not None and self.parent_indicator is not None:
            return {"indicator": self.parent_indicator, "operator": operator.name, "total": False}
        for texts in ([self.parent, label], [label, self.parent], [label]):
            indicator = match_indicator(layout, catalog, texts)
            if indicator is not None and indicator != self.parent_indicator:
                return {"indicator": indicator, "total": False}
        return None

    def _as_row(self, context: Context, label: str, numbers: bool, *, becomes_parent: bool = True) -> dict | None:
        """Return the key of a row of its own (under its section), or None; it becomes the parent or the section."""
        layout, catalog = context.layout, context.catalog
        tries = ([self.section, label], [label, self.section], [label]) if self.section else ([label],)
        indicator = next((i for t in tries if (i := match_indicator(layout, catalog, t)) is not None), None)
        self.open = False
        if indicator is None:
            if not numbers:
                self.section, self.parent, self.parent_indicator = label, "", None
            return None
        if becomes_parent:
            self.parent, self.parent_indicator = label, indicator
        return {"indicator": indicator, "total": False}


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
