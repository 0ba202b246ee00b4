"""Say what a row label stands for: a key (district, enterprise, agency, indicator or year), a total, or no data.

A row is told by its label: a data row (its key, and whether it is a total,
kept as the province, all enterprises or all agencies), a blank label, a note
the layout skips, the start of a derived section whose rows are not read, or
the label header of a second table below this one.

Area labels are read against the map of the workbook's year (the units in force
on its 31 December, see :class:`~ictanalysis.catalog.Catalog`): districts until
2024, communes from 2025. A unit of another year's map is refused with what
became of it: a district abolished on 2025-07-01, a province merged on
2025-06-12, a commune that exists only from 2025-07-01. Indicators are read
against the definitions of the workbook's year in the same way: a row of a
definition replaced before that year ("mức độ 4" in 2022, replaced by "toàn
trình" under Nghị định 42/2022/NĐ-CP), or of one that does not exist yet, is
refused saying which definition the year counts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from ictanalysis.catalog import Area, Catalog, gazetteer
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import match_indicator, out_of_time_problem, year_of
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.messages import ground_names, quote
from ictanalysis.extract.numbers import EXPECTED_STORED
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold, strip_footnotes
from ictanalysis.workbook import cell_name

__all__ = [
    "ROW_KINDS",
    "IndicatorRows",
    "RowRoles",
    "clean_label",
    "definition_problem",
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
    total = _is_total(folded)
    if kind == "area":
        if total:
            code = _total_area(context)
            return None if code is None else {"area": code, "total": True}
        area = catalog.find_area(label, province=source.province, year=source.year)
        return None if area is None else {"area": area.code, "total": area.level == "province"}
    if kind in ("operator", "agency"):
        if total:
            return {kind: "", "total": True}
        found = catalog.find_operator(label) if kind == "operator" else catalog.find_agency(label)
        return None if found is None else {kind: found.name, "total": False}
    if kind == "indicator":
        indicator = _in_time(context, match_indicator(context.layout, catalog, [label]))
        return None if indicator is None else {"indicator": indicator, "total": False}
    year, preliminary = year_of([label])
    return None if year is None else {"year": year, "preliminary": preliminary, "total": False}


def _is_total(folded: str) -> bool:
    """Tell whether a folded row label is a total row's ("Tổng cộng", "Toàn tỉnh", "Tổng cộng toàn tỉnh")."""
    return folded in _TOTAL_LABELS or folded.startswith(("tong cong ", "toan tinh "))


def _total_area(context: Context) -> str | None:
    """Return the province a total row without a name is the total of, or None when the sheet does not say.

    It is the run's province, unless the run's ground was several provinces in the
    workbook's year (2024's Khánh Hòa and Ninh Thuận for the new Khánh Hòa): then
    the one province whose name or units the sheet's cells name.
    """
    source, catalog = context.source, context.catalog
    if len(catalog.territory(source.province, source.year)) <= 1:
        return source.province
    found = set()
    for cells in context.sheet.rows:
        for value in cells:
            area = catalog.find_area(clean_label(value), province=source.province, year=source.year) \
                if isinstance(value, str) and value.strip() else None  # fmt: skip
            if area is not None:
                found.add(area.code if area.level == "province" else area.parent)
    return found.pop() if len(found) == 1 else None


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
            indicator = _in_time(context, match_indicator(layout, catalog, texts))
            if indicator is not None and indicator != self.parent_indicator:
                return {"indicator": indicator, "total": False}
        return None

    def _as_row(self, context: Context, label: str, numbers: bool, *, becomes_parent: bool = True) -> dict | None:
        """Return the key of a row of its own (under its section), or None; it becomes the parent or the section."""
        layout, catalog = context.layout, context.catalog
        tries = ([self.section, label], [label, self.section], [label]) if self.section else ([label],)
        indicator = next((i for t in tries if (i := _in_time(context, match_indicator(layout, catalog, t))) is not None), None)
        self.open = False
        if indicator is None:
            if not numbers:
                self.section, self.parent, self.parent_indicator = label, "", None
            return None
        if becomes_parent:
            self.parent, self.parent_indicator = label, indicator
        return {"indicator": indicator, "total": False}


def _in_time(context: Context, indicator):
    """Return `indicator` when it is a definition of the workbook's year, else None (see the module)."""
    if indicator is None or context.catalog.out_of_time(indicator.id, context.source.year) is not None:
        return None
    return indicator


def definition_problem(context: Context, cell: str, label: str) -> Problem | None:
    """Report a row label naming an indicator that is not a definition of the workbook's year; None when it is one.

    "Dịch vụ công trực tuyến mức độ 4" in a 2022 workbook: replaced by "toàn trình" from 2022 (Nghị định
    42/2022/NĐ-CP); "DVCTT toàn trình" in a 2021 one: counted only from 2022, the year counts level 4.
    """
    indicator = match_indicator(context.layout, context.catalog, [label])
    return None if indicator is None else out_of_time_problem(context, cell, label, indicator, context.source.year)


def second_table_problem(context: Context, cell: str, label: str, first_data_row: int) -> Problem:
    """Report a second table, whose header `label` is at `cell`: its rows would be read as this table's."""
    return context.problem(cell, f"a second table starts here (header {quote(label)}), below the table whose data "
                                 f"starts at row {first_data_row + 1}",
                           "one table per sheet: move the second table to a sheet of its own")  # fmt: skip


def unlabelled_problem(context: Context, label_origin: tuple[int, int]) -> Problem:
    """Report a row that holds numbers but no label (or an unreadable one): its values would be lost."""
    sheet, kind = context.sheet, _row_kind(context)
    if label_origin in sheet.error_cells:
        message = f"the row label is the error value {sheet.error_cells[label_origin]}"
        expected = f"a {kind} name: correct the formula and save the workbook"
    elif label_origin in sheet.uncached_formulas:
        message, expected = "the row label is a formula without a stored value", EXPECTED_STORED
    else:
        message, expected = "a row holds numbers but has no label", f"a {kind} name in this cell"
    return context.problem(cell_name(*label_origin), message, expected)


def unknown_label_problem(context: Context, cell: str, label: str) -> Problem:
    """Report a row label that names no district, enterprise, agency, indicator or year the catalog knows.

    An area label that names a unit of another year's map says what became of it (see the module).
    """
    kind, source = _row_kind(context), context.source
    if kind in ("district", "commune") and (in_time := _area_in_time_problem(context, cell, label)) is not None:
        return in_time
    if kind == "indicator" and (replaced := definition_problem(context, cell, label)) is not None:
        return replaced
    expected = {
        "district": _expected_area(context), "commune": _expected_area(context),
        "enterprise": "an enterprise in catalog/operators.yaml",
        "agency": "an agency in catalog/agencies.yaml",
        "indicator": "an indicator name or alias in catalog/indicators.yaml",
        "year": "a year such as 2020 or 'Sơ bộ 2020'",
    }[kind]  # fmt: skip
    others = other_provinces_of(context.catalog, label, source.province, source.year) if expected == _expected_area(
        context) else []  # fmt: skip
    if others:  # another province's district: the workbook is likely another province's
        own = context.catalog.area(source.province, source.year) or context.catalog.areas[source.province]
        names = ", ".join(f"{a.name} ({a.code})" for a in others[:3]) + (", …" if len(others) > 3 else "")
        return context.problem(cell, f"{quote(label)} is not a {kind} of {own.name} ({own.code}) but of {names}",
                               f"the workbooks of {own.name} only: take this file out of the raw folder if it is "
                               f"another province's, or correct the {kind}; {expected}")  # fmt: skip
    return context.problem(cell, f"unknown {kind} {quote(label)}", expected)


def _row_kind(context: Context) -> str:
    """Return what a row label names: "district" (until 2024) or "commune" (from 2025) for area rows, else its kind."""
    kind = ROW_KINDS[context.layout.rows]
    return "commune" if kind == "district" and context.catalog.sublevel(context.source.year) == "commune" else kind


def _expected_area(context: Context) -> str:
    """Say which units a row of an area table may name in the workbook's year."""
    catalog, source = context.catalog, context.source
    territory, year = catalog.territory(source.province, source.year), source.year
    if catalog.sublevel(year) == "district" and territory == (source.province,):
        return f"a district of province {source.province} in force in {year} (catalog/areas.yaml)"
    names = " or ".join(_named(catalog.area(code, year)) for code in territory) or f"province {source.province}"
    if catalog.sublevel(year) == "district":
        return f"a district of {names} in force in {year} (catalog/areas.yaml)"
    return f"a commune (xã, phường, đặc khu) of {names} in force in {year} (catalog/communes.csv)"


def _named(area: Area) -> str:
    """Name a unit for a message: "Khánh Hòa (56)"."""
    return f"{area.name} ({area.code})"


def _area_in_time_problem(context: Context, cell: str, label: str) -> Problem | None:
    """Report an area label that names a unit of another year's map, or a total row of no one province; else None."""
    catalog, source = context.catalog, context.source
    end = dt.date(source.year, 12, 31)
    if _is_total(fold(label)):
        return _total_problem(context, cell, label)
    found = catalog.find_units(label, province=source.province)
    now = [a for a in found if a.in_force(end)]
    gone = [a for a in found if a.valid_to is not None and a.valid_to < end]
    coming = [a for a in found if a.valid_from is not None and a.valid_from > end]
    if gone and any(a.level == "commune" for a in now) and any(a.level == "district" for a in gone):
        commune, district = next(a for a in now if a.level == "commune"), next(a for a in gone if a.level == "district")
        return context.problem(cell, f"{quote(label)} names both the commune {commune.full_name} ({commune.code}) and "
                                     f"the district {_named(district)}, abolished on {_after(district)}",
                               f"the commune's full name ({quote(commune.full_name)}) if the row is the commune's: "
                               f"{_expected_area(context)}")  # fmt: skip
    if now or not (gone or coming):
        return None
    if gone:
        return _ceased_problem(context, cell, label, gone[0])
    area = coming[0]
    within = catalog.area(area.parent or area.code, area.valid_from.year)
    return context.problem(cell, f"{quote(label)} is the {area.level} {area.full_name} ({area.code}) of "
                                 f"{_named(within)}, which exists only from {area.valid_from.isoformat()}",
                           f"{_expected_area(context)}: a {source.year} table lists the districts "
                           "(huyện, thị xã, thành phố), the communes of the new map only from 2025")  # fmt: skip


def _after(area: Area) -> str:
    """Return the first day a unit was no longer in force, as ISO text."""
    return (area.valid_to + dt.timedelta(days=1)).isoformat()


def _ceased_problem(context: Context, cell: str, label: str, area: Area) -> Problem:
    """Report a label naming a former province, district or commune in a year after it ceased."""
    catalog, year = context.catalog, context.source.year
    if area.level == "province":
        into = ", ".join(_named(catalog.area(code, year)) for code in gazetteer.successors(area.code))
        message = f"{quote(label)} is the former province {_named(area)}, merged into {into} on {_after(area)}"
        return context.problem(cell, message, f"{_expected_area(context)}, or the province's total row")
    links = [link for link in gazetteer.crosswalk()
             if (link.former_district if area.level == "district" else link.former_code) == area.code]  # fmt: skip
    new = list(dict.fromkeys(catalog.area(link.new_code, year).full_name for link in links))
    now = f"; its ground is now {', '.join(new[:4])}{', …' if len(new) > 4 else ''}" if new else ""
    if area.level == "district":
        message = (f"{quote(label)} is the district {_named(area)}, abolished on {_after(area)} with the district "
                   f"level: a {year} table lists the communes (xã, phường, đặc khu) of the province")  # fmt: skip
        return context.problem(cell, message, f"{_expected_area(context)}{now}")
    message = f"{quote(label)} is the former commune {area.full_name} ({area.code}), in force until {area.valid_to}"
    return context.problem(cell, message, f"{_expected_area(context)}{now}")


def _total_problem(context: Context, cell: str, label: str) -> Problem:
    """Report a total row without a name where the run's ground was several provinces that year."""
    catalog, source = context.catalog, context.source
    return context.problem(cell, f"{quote(label)}: in {source.year} the ground of province {source.province} was "
                                 f"{ground_names(catalog, source.province, source.year)}, and the sheet does not "
                                 "name one of them alone",
                           "the province's name as the total row's label (e.g. 'Tỉnh Ninh Thuận'), or one "
                           "province's districts per table")  # fmt: skip


def other_provinces_of(catalog: Catalog, label: str, province: str, year: int | None = None) -> list:
    """Return the provinces other than `province`'s ground that have a unit `label` names (in `year`'s map).

    What a label unknown in the run's province may tell: the workbook is another province's.

    Example:
        >>> from ictanalysis.catalog import load_catalog
        >>> [a.name for a in other_provinces_of(load_catalog(), "Tuy Phong", "58", 2020)]
        ['Bình Thuận']
        >>> [a.name for a in other_provinces_of(load_catalog(), "Xã Bác Ái Tây", "01", 2025)]
        ['Khánh Hòa']
    """
    if year is None:
        return [other for other in catalog.areas.values() if other.level == "province" and other.code != province
                and (area := catalog.find_area(label, province=other.code)) is not None and area.level != "province"]
    own = set(catalog.territory(province, year)) | {province}
    return [other for other in catalog.provinces(year) if other.code not in own
            and (area := catalog.find_in_map(label, (other.code,), year)) is not None and area.level != "province"]
