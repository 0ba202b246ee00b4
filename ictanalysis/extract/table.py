"""Find a layout's table in a sheet: its header, its columns, the unit line and the title above it.

The title (the rows above the header) is checked against the run: a year it
states must include the folder's, and a province it claims must be the run's.
Province names are matched after folding, as whole words, against the
catalog's provinces, once the run's own district names are set aside (Bạc
Liêu has a district Hòa Bình). A name claims the sheet for its province only
as a letterhead or a title writes it: in a line of a Sở or an UBND, after
"tỉnh", "thành phố", "trên địa bàn", "chi nhánh", "cục thống kê" or an
enterprise's name ("Viettel Bình Thuận"); an address or a company's name
("… Cầu Giấy, Hà Nội", "Công ty cổ phần Viễn thông Hà Nội") claims nothing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ictanalysis.catalog import Catalog
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column, match_indicator, resolve_columns
from ictanalysis.extract.context import Context, SheetSource
from ictanalysis.extract.header import Header, find_anchor, label_rows_header
from ictanalysis.extract.messages import ground_names, layout_expectation, quote
from ictanalysis.extract.units import find_unit_line
from ictanalysis.layouts import Layout
from ictanalysis.normalise import fold
from ictanalysis.workbook import cell_name

__all__ = ["Table", "find_table", "title_indicator", "title_province_problems", "title_year_problems"]

# Folded words right before a province's name that make the line that province's ("tỉnh Bình Thuận").
_CLAIMS = ("tinh", "thanh pho", "tp", "tren dia ban", "dia ban", "chi nhanh", "cuc thong ke", "nien giam thong ke")
_LETTERHEADS = ("sở ", "ubnd ", "ủy ban nhân dân ", "uỷ ban nhân dân ")  # a line so begun is its province's
_FOLDED_LETTERHEADS = ("so thong tin", "so tt", "ubnd", "uy ban nhan dan")  # the same written without diacritics
_TABLE_NUMBER = re.compile(r"^(?:biểu\s*)?\d{1,4}[.)]?\s+", re.I)  # "205. Số thuê bao…", "Biểu 12 …"
_STATED_YEAR = re.compile(r"\b(?:nam|year)\s+((?:19|20)\d\d)\b")  # in folded text: "NĂM 2019", "Year 2019"


@dataclass
class Table:
    """A located table: its columns and the row where data begins."""

    layout: Layout
    label_column: int
    unit_column: int | None
    first_data_row: int
    columns: list[Column]
    unit_line: tuple[str, str] | None  # (unit as written, cell)
    problems: list[Problem]
    merges: dict[tuple[int, int], tuple[int, int]]
    header_rows: tuple[int, ...] = ()  #: the rows of the header (0-based)
    #: the province a row without an area is about: the run's, or, where its ground in the workbook's year
    #: was several provinces (56 in 2024: Khánh Hòa and Ninh Thuận), the one the title names
    ground: str = ""


def find_table(source: SheetSource, layout: Layout, catalog: Catalog) -> Table | None:
    """Locate `layout`'s table in the sheet and resolve its columns.

    Returns None when the sheet has no header the layout looks for; a table
    whose columns cannot all be understood comes back with its problems.
    """
    anchor = find_anchor(source.sheet, layout, source.year)
    if anchor is None:
        return None
    row, label_column = anchor
    context = Context(source, layout, catalog)
    years_below_blank = layout.rows == "year" and "" in layout.label_headers
    header = (label_rows_header if years_below_blank else Header.at)(source.sheet, row, label_column)
    columns, column_problems = resolve_columns(context, header, title_indicator(context, row) if years_below_blank else "")
    found_unit_line, unit_line_problems = find_unit_line(context, row)
    problems = title_year_problems(context, row) + title_province_problems(context, row) + column_problems
    problems += title_district_problems(context, row)
    ground, ground_problems = title_ground(context, row, label_column)
    problems += unit_line_problems + ground_problems
    if not any(c.role == "value" for c in columns) and not problems:
        problems.append(context.problem(cell_name(row, label_column), "the table has no value column",
                                        layout_expectation(layout)))  # fmt: skip
    unit_column = next((c.index for c in reversed(columns) if c.role == "unit"), None)
    first_data_row = header.rows[-1] + 1
    return Table(layout, label_column, unit_column, first_data_row, columns, found_unit_line, problems, header.merges,
                 tuple(header.rows), ground)


def title_indicator(context: Context, header_row: int) -> str:
    """Return the title above the table that names an indicator ("Số thuê bao điện thoại - Number of …"), or "".

    In the statistics office's tables whose rows are years, the title names
    what the columns ("Tổng số - Total", "Cố định - Fixed") are parts of.
    The nearest such title wins; a table number before it ("205.") is dropped.
    """
    for _row, _col, value in reversed(list(_title_cells(context, header_row))):
        text = _TABLE_NUMBER.sub("", value.strip())
        if match_indicator(context.layout, context.catalog, [text]) is not None:
            return text
    return ""


def title_year_problems(context: Context, header_row: int) -> list[Problem]:
    """Report a title above the table that states a year ("… NĂM 2019") other than the folder's.

    A title may name several years ("năm 2020 so với năm 2019"); it is right
    as long as one of them is the folder's year.
    """
    sheet, folder_year = context.sheet, context.source.year
    stated = [
        (int(match.group(1)), sheet.top + i, sheet.left + j, value)
        for i, cells in enumerate(sheet.rows[: header_row - sheet.top])
        for j, value in enumerate(cells)
        if isinstance(value, str)
        for match in _STATED_YEAR.finditer(fold(value))
    ]
    if not stated or any(year == folder_year for year, *_ in stated):
        return []
    year, row, col, value = stated[0]
    return [
        context.problem(cell_name(row, col),
                        f"the title {quote(value)} states the year {year}, "
                        f"but the file is in the folder {folder_year}/",
                        f"the workbooks of {folder_year} in {folder_year}/: move this file to {year}/, "
                        f"or correct the title if its figures are for {folder_year}")
    ]  # fmt: skip


def _title_cells(context: Context, header_row: int):
    """Yield (row, column, text) of each text cell above the table's header."""
    sheet = context.sheet
    for i, cells in enumerate(sheet.rows[: header_row - sheet.top]):
        for j, value in enumerate(cells):
            if isinstance(value, str) and value.strip():
                yield sheet.top + i, sheet.left + j, value


def title_province_problems(context: Context, header_row: int) -> list[Problem]:
    """Report a title above the table that names another province than the run's, and not the run's.

    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG BÌNH THUẬN" above a table read for Ninh
    Thuận is refused; a title naming the run's province, or none, is right. The run's province is its
    ground in the workbook's year: for the new Khánh Hòa (56) in 2024, Khánh Hòa and Ninh Thuận.
    """
    catalog, source = context.catalog, context.source
    provinces = _province_names(catalog)
    own = {source.province, *catalog.territory(source.province, source.year)}  # 2024's Ninh Thuận is 56's ground
    own_names = tuple(n for code in own for n in provinces.get(code, ()))
    own_districts = _folded_names(catalog.subunits(source.province, source.year))
    named = []
    for row, col, value in _title_cells(context, header_row):
        words = f" {fold(value)} "
        if _spans(words, own_names):
            return []
        districts, claims = _spans(words, own_districts), _claimed(value, words, _operator_names(catalog))
        named += [(code, row, col, value) for code, names in provinces.items() if code not in own
                  and any(not _within(span, districts) and claims(span) for span in _spans(words, names))]  # fmt: skip
    if not named:
        return []
    code, row, col, value = named[0]
    other, own = catalog.areas[code], catalog.areas[source.province]
    return [
        context.problem(cell_name(row, col),
                        f"the title {quote(value)} names the province {other.name} ({code}), "
                        f"but the workbooks are read for {own.name} ({own.code})",
                        f"the workbooks of {own.name} only: take this file out of the raw folder, or correct the "
                        f"title if its figures are {own.name}'s; read {other.name}'s workbooks with province {code}")
    ]  # fmt: skip


def title_ground(context: Context, header_row: int, label_column: int) -> tuple[str, list[Problem]]:
    """Return the province the table's rows without an area are about, and the problem when it cannot be told.

    Most years it is the run's province. In a year when the run's province was several (the new Khánh
    Hòa, 56, was Khánh Hòa and Ninh Thuận until 2025), it is the one the title names
    ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN": 58). A table whose rows are areas needs none: each row
    says its own, and its total row is the province whose units it lists. A table whose area the layout
    states is that area's.
    """
    source, layout, catalog = context.source, context.layout, context.catalog
    ground = catalog.territory(source.province, source.year)
    if len(ground) < 2 or layout.rows == "area" or layout.area:
        return source.province, []
    provinces = _province_names(catalog)
    named = {code for _, _, value in _title_cells(context, header_row) for code in ground
             if _spans(f" {fold(value)} ", provinces.get(code, ()))}  # fmt: skip
    if len(named) == 1:
        return named.pop(), []
    names = ground_names(catalog, source.province, source.year)
    return source.province, [context.problem(cell_name(header_row, label_column),
        f"in {source.year} the ground of province {source.province} was {names}, and the title above the table "
        + ("names both" if named else "names neither"),
        "the province the table is about named in its title (e.g. 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG "
        f"{catalog.areas[ground[-1]].name.upper()}'), or one province's workbooks per file")]  # fmt: skip


_DISTRICT_WORDS = ("huyen", "thi xa", "thanh pho", "tp", "quan")  # folded: the kind of a district-level unit


def title_district_problems(context: Context, header_row: int) -> list[Problem]:
    """Report a title naming one district of the run's province above a table that has no district rows.

    "UBND HUYỆN NINH HẢI" above "TT | Chỉ tiêu | Đơn vị | Năm 2020" is a district's report:
    read without a district, its figures would be the province's. A layout that states the
    table's district (`area:`) reads them as that district's; a district table names its districts itself.
    The districts are those of the run's ground in the workbook's year (none from 2025).
    """
    layout, catalog, source = context.layout, context.catalog, context.source
    if layout.rows == "area" or layout.area is not None:
        return []
    areas = [a for a in catalog.subunits(source.province, source.year) if a.level == "district"]
    districts = {a.code: (a, _folded_names([a])) for a in areas}
    for row, col, value in _title_cells(context, header_row):
        words = f" {fold(value)} "
        for code, (area, names) in districts.items():
            if any(_names_district(words, name, span) for name in names for span in _spans(words, (name,))):
                return [context.problem(
                    cell_name(row, col),
                    f"the title {quote(value)} names the district {area.name} ({code}), but the table has no "
                    "district rows: its figures would be read as the whole province's",
                    f"a layout for this form stating `area: \"{code}\"` (every value is {area.name}'s), or the "
                    "province's own report")]  # fmt: skip
    return []


def _names_district(words: str, name: str, span: tuple[int, int]) -> bool:
    """Tell whether `name` at `span` of `words` is written as a district ("huyện Ninh Hải", "TP. Phan Rang…")."""
    before = words[: span[0]].strip()
    return name.startswith(_DISTRICT_WORDS) or any(before == w or before.endswith(f" {w}") for w in _DISTRICT_WORDS)


def _claimed(value: str, words: str, operators: tuple[str, ...]):
    """Return whether a province's name at a span of `words` (the folded `value`) claims the line for it."""
    letterhead = (unicodedata.normalize("NFC", value).strip().lower().startswith(_LETTERHEADS)
                  or words.strip().startswith(_FOLDED_LETTERHEADS))  # fmt: skip

    def claims(span: tuple[int, int]) -> bool:
        before = words[: span[0]].strip()
        return letterhead or any(before == m or before.endswith(f" {m}") for m in (*_CLAIMS, *operators))

    return claims


@functools.lru_cache(maxsize=4)
def _operator_names(catalog: Catalog) -> tuple[str, ...]:
    """Return the enterprises' names and spellings, folded ("viettel", "vnpt", "buu dien"…)."""
    return tuple({fold(n) for o in catalog.operators.values() for n in (o.name, *o.spellings)} - {""})


def _spans(words: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Return where each of `names` stands in `words` (" folded text "), as whole words.

    Example:
        >>> _spans(" binh thuan nam 2020 ", ("binh thuan", "thuan nam", "ninh thuan"))
        [(0, 12), (5, 16)]
    """
    found = []
    for name in names:
        start = words.find(f" {name} ")
        while start >= 0:
            found.append((start, start + len(name) + 2))
            start = words.find(f" {name} ", start + 1)
    return found


def _within(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    """Tell whether `span` lies inside one of `others` (a province's name inside a district's: Hòa Bình, Bạc Liêu)."""
    return any(start <= span[0] and span[1] <= end for start, end in others)


@functools.lru_cache(maxsize=4)
def _province_names(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """Map each province's code to its names as folded whole words ("binh thuan", "tinh binh thuan"…)."""
    return {a.code: _folded_names([a]) for a in catalog.areas.values() if a.level == "province"}


def _folded_names(areas) -> tuple[str, ...]:
    """Return the folded names of `areas` of two words or more (a one-word spelling is too easily another word)."""
    names = {fold(n) for a in areas for n in (a.name, a.full_name, a.name_en, *a.spellings)}
    return tuple(sorted((n for n in names if " " in n), key=len, reverse=True))
