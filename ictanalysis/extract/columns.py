"""Say what each column of a table holds, from its header: labels, units, values of an indicator, or nothing.

A column's header path is read for an enterprise, a year, a unit in
parentheses and, from what is left, an indicator. In a table whose rows are
indicators, a value column is one the layout names ("Năm {year}", "Thực
hiện"), one whose header is a year alone ("2019", "Sơ bộ - Prel. 2020": the
form "STT | Chỉ tiêu | ĐVT | 2008 | 2009 | …") or, when it names none, one
whose header names a year. A column headed
"Đơn vị tính", "ĐVT"… (or a layout's `unit_headers`) holds each row's unit, in
any table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ictanalysis.catalog import Catalog, Indicator
from ictanalysis.errors import Problem
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.header import Header, Heading
from ictanalysis.extract.messages import layout_expectation, quote
from ictanalysis.layouts import ALWAYS_IGNORED, Layout
from ictanalysis.normalise import fold, strip_footnotes
from ictanalysis.workbook import cell_name

__all__ = ["UNIT_COLUMN_HEADERS", "YEAR", "Column", "match_indicator", "resolve_column", "resolve_columns", "split_units", "vietnamese_side", "year_of"]

YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_GENERIC_WORDS = {"tong so", "tong", "cong", "so luong", "tong cong", "total", "tong so total", "chia ra", "of which",
                  "chia ra of which", "trong do", "trong do of which", "in which"}
# A header that is a year and nothing else ("2019", "Sơ bộ - Prel. 2020"), folded: always that year's values.
_BARE_YEAR = re.compile(r"(?:(?:so bo|prel)\s)*(?:19|20)\d\d")
_PRELIMINARY = ("so bo", "prel", "uoc tinh", "uoc thuc hien")
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
# A column headed so holds each row's unit in any table, besides the headers a layout lists as `unit_headers`.
UNIT_COLUMN_HEADERS = ("Đơn vị tính", "ĐVT", "Đ.V.T", "Đv tính", "ĐV tính", "Đơn vị tính - Unit", "Unit")


@dataclass(frozen=True)
class Column:
    """One column of a table and what its header says."""

    index: int
    header: str
    header_cell: str
    role: str  # value | label | unit | ignored
    indicator: Indicator | None = None
    operator: str = ""
    year: int | None = None
    preliminary: bool = False
    units: tuple[str, ...] = ()


def resolve_columns(context: Context, header: Header, parent: str = "") -> tuple[list[Column], list[Problem]]:
    """Resolve every column under `header` that has a header text, left to right, with the problems met.

    `parent` is the text (a title) that every column's header is read under: "Cố định - Fixed" under
    "Số thuê bao điện thoại" is the fixed telephones, and names nothing under "Số thuê bao internet".
    """
    sheet = context.sheet
    columns, problems = [], []
    for col in range(min(header.label_column, sheet.left), sheet.left + sheet.width):
        heading = header.heading(col)
        if heading is None:
            continue
        column, found = resolve_column(context, header, heading, parent)
        columns.append(column)
        problems += found
    return columns, problems


def resolve_column(context: Context, header: Header, heading: Heading, parent: str = "") -> tuple[Column, list[Problem]]:
    """Say what a column holds, from its header path, and what in that path could not be understood."""
    role = _plain_role(context.layout, header, heading, context.source.year)
    if role is not None:
        return Column(heading.index, heading.text, heading.cell, role), []
    if context.layout.rows == "indicator":
        return _resolve_year_column(context, heading)
    return _resolve_value_column(context, header, heading, parent)


def _plain_role(layout: Layout, header: Header, heading: Heading, year: int) -> str | None:
    """Return "label", "unit" or "ignored" for a column that holds no values, None for one that may.

    `{year}` in the layout's headers is the folder's `year` ("Kế hoạch năm {year}").
    """
    if heading.index == header.label_column:
        return "label"
    folded = {fold(strip_footnotes(p)[0]) for p in heading.path}
    if folded & {fold(h.replace("{year}", str(year))) for h in (*UNIT_COLUMN_HEADERS, *layout.unit_headers)}:
        return "unit"
    if folded & {fold(h.replace("{year}", str(year))) for h in (*ALWAYS_IGNORED, *layout.ignore_columns)}:
        return "ignored"
    return None


def _resolve_value_column(context: Context, header: Header, heading: Heading, parent: str = "") -> tuple[Column, list[Problem]]:
    """Resolve a column of a table whose rows are districts, enterprises, agencies or years."""
    layout = context.layout
    operator, rest, problems = take_operator(context, header, heading)
    texts, units = split_units(rest)
    year, preliminary = year_of(texts) if layout.rows != "year" else (None, False)
    texts = [t for t in texts if not YEAR.fullmatch(fold(t))] if year else texts
    indicator = match_indicator(layout, context.catalog, [parent, *texts] if parent else texts)
    if indicator is None:
        problems.append(
            context.problem(heading.cell, f"column header {quote(heading.text)} names no indicator the catalog knows",
                            "a header matching an indicator's name or alias (catalog/indicators.yaml) "
                            f"or one listed in layout {layout.id!r}")
        )  # fmt: skip
        return Column(heading.index, heading.text, heading.cell, "ignored"), problems
    operator = operator or layout.operator or ""
    stale = out_of_time_problem(context, heading.cell, heading.text, indicator, year or context.source.year)
    if stale is not None:  # "Mức 4" over a 2024 column: a definition replaced in 2022
        return Column(heading.index, heading.text, heading.cell, "ignored"), [*problems, stale]
    column = Column(heading.index, heading.text, heading.cell, "value", indicator, operator, year, preliminary, units)
    return column, problems


def _resolve_year_column(context: Context, heading: Heading) -> tuple[Column, list[Problem]]:
    """Resolve a value column of an indicators-as-rows table: a year or "the" value."""
    layout, folder_year = context.layout, context.source.year
    wanted = {fold(h.replace("{year}", str(folder_year))) for h in layout.value_headers}
    texts, units = split_units(list(heading.path))
    folded = {fold(t) for t in texts}
    year, preliminary = year_of(texts)
    index, text, cell = heading.index, heading.text, heading.cell
    if wanted and folded & wanted:
        return Column(index, text, cell, "value", year=year or folder_year, preliminary=preliminary, units=units), []
    if year and (not wanted or all(_BARE_YEAR.fullmatch(f) for f in folded)):
        return Column(index, text, cell, "value", year=year, preliminary=preliminary, units=units), []
    problem = context.problem(cell, f"column header {quote(text)} is neither a value column nor one to ignore",
                              layout_expectation(layout))  # fmt: skip
    return Column(index, text, cell, "ignored"), [problem]


def take_operator(context: Context, header: Header, heading: Heading) -> tuple[str, list[str], list[Problem]]:
    """Return the enterprise a column belongs to, the header path without it, and the problem of an unknown one.

    The enterprise is read from the layout's enterprise header row when it has
    one; otherwise it is any text of the path that names an enterprise, or
    ends in one ("Thuê bao Viettel").
    """
    path, catalog = list(heading.path), context.catalog
    row_number = context.layout.operator_header_row
    if row_number and row_number <= len(header.rows):
        return _operator_from_row(context, header, heading, header.rows[row_number - 1])
    for text in path:
        operator = catalog.find_operator(text)
        if operator is not None:
            return operator.name, [p for p in path if p != text], []
    for i, text in enumerate(path):
        found = catalog.operator_suffix(text)
        if found is not None:
            operator, rest = found
            return operator.name, [*path[:i], rest, *path[i + 1 :]], []
    return "", path, []


def _operator_from_row(
    context: Context, header: Header, heading: Heading, row: int
) -> tuple[str, list[str], list[Problem]]:
    """Return the enterprise written in header row `row` above a column, as :func:`take_operator` does."""
    origin = header.origin(row, heading.index)
    text = cell_text(context.sheet.value(*origin))
    operator = context.catalog.find_operator(text) if text else None
    rest = [p for p in heading.path if p != text]
    if operator is None:
        problem = context.problem(cell_name(*origin), f"unknown enterprise {quote(text)} in the header",
                                  "an enterprise listed in catalog/operators.yaml (name or spelling)")  # fmt: skip
        return "", rest, [problem]
    return operator.name, rest, []


def split_units(path: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Separate parenthesised notes (possible units) from header texts.

    Example:
        >>> split_units(["Doanh thu (triệu đồng)", "VNPT"])
        (['Doanh thu', 'VNPT'], ('triệu đồng',))
    """
    texts, units = [], []
    for part in path:
        units += [u.strip() for u in _PARENTHESIS.findall(part)]
        rest = _PARENTHESIS.sub(" ", part).strip()
        if rest:
            texts.append(rest)
    return texts, tuple(units)


def year_of(texts: list[str]) -> tuple[int | None, bool]:
    """Return the year a header names and whether it is marked preliminary.

    Example:
        >>> year_of(["Dân số", "Sơ bộ 2020"]), year_of(["Năm 2019"]), year_of(["Dân số"])
        ((2020, True), (2019, False), (None, False))
    """
    for text in texts:
        match = YEAR.search(text)
        if match:
            return int(match.group(1)), any(word in fold(text) for word in _PRELIMINARY)
    return None, False


def match_indicator(layout: Layout, catalog: Catalog, texts: list[str]) -> Indicator | None:
    """Find the indicator a whole header path names: the layout's aliases first, then the catalog's.

    The path is tried as written, then without generic words ("Tổng số",
    "Cộng", "Chia ra - Of which"), so "Thuê bao di động / Tổng số" is mobile
    subscribers while a layout may still call a lone "Tổng" column what it is;
    then each bilingual text by its Vietnamese side ("Di động - Mobile" as "Di
    động"). Every text must be understood: a path with an unknown part (an
    enterprise the catalog lacks) names nothing.

    Example:
        >>> from ictanalysis.catalog import load_catalog
        >>> layout = Layout(id="demo", description="demo")
        >>> match_indicator(layout, load_catalog(), ["Số thuê bao điện thoại - Telephone subscribers", "Di động - Mobile"]).id
        'mobile_subscribers'
    """
    parts = [strip_footnotes(t)[0] for t in texts]
    specific = [p for p in parts if fold(p) not in _GENERIC_WORDS]
    layout_aliases = layout.alias_index
    for candidate in (parts, specific, [vietnamese_side(p) for p in specific]):
        joined = " ".join(candidate)
        if fold(joined) in layout_aliases:
            return catalog.indicator(layout_aliases[fold(joined)])
        found = catalog.find_indicator(joined) if candidate else None
        if found is not None:
            return found
    return None


def vietnamese_side(text: str) -> str:
    """Return the Vietnamese side of a bilingual text "Việt - English", or the text itself.

    Example:
        >>> vietnamese_side("Di động - Mobile"), vietnamese_side("Phan Rang - Tháp Chàm")
        ('Di động', 'Phan Rang - Tháp Chàm')
    """
    left, dash, right = text.partition(" - ")
    if dash and right.isascii() and not left.isascii():
        return left.strip()
    return text


def out_of_time_problem(context: Context, cell: str, label: str, indicator, year: int) -> Problem | None:
    """Report a row label or column header naming `indicator` in a `year` it is not a definition of; else None."""
    found = context.catalog.out_of_time(indicator.id, year)
    if found is None:
        return None
    old, new = found
    since, basis = new.replaces.since, new.replaces.basis
    if indicator.id == old.id:
        message = f"{quote(label)} ({old.id}) was replaced by {quote(new.name_vi)} ({new.id}) from {since} ({basis})"
        wanted = new
    else:
        message = f"{quote(label)} ({new.id}) is counted only from {since} ({basis}), replacing {quote(old.name_vi)} ({old.id})"
        wanted = old
    return context.problem(cell, message, f"the figure under the definition of {year}, {quote(wanted.name_vi)} "
                                          "(or the workbook in the folder of its year)")  # fmt: skip
