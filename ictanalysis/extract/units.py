"""Find the unit a value is written in and the factor that turns it into its indicator's unit.

The nearest unit given wins: the column header's (in parentheses), the unit
column of the value's row, the unit line above the table ("Đơn vị tính: …",
"(ĐVT: …)", "Đv tính: …", also after the title in the same cell), the
layout's. Statements are read after NFKC normalisation and without diacritics,
case or extra spaces, so text pasted from a Mac (NFD), a full-width colon and
"ĐƠN VỊ TÍNH" read alike. "Đơn vị: …" states a unit only when what follows is
a unit the catalog knows: it also introduces the sender ("Đơn vị: VNPT").

A unit is never assumed where the catalog writes it in several scales
(đồng, nghìn đồng, triệu đồng…; thuê bao, nghìn thuê bao): a value of such an
indicator whose unit the sheet does not state, or whose row leaves the unit
column blank, is refused. Only an indicator whose unit has a single scale
(trạm, %, thủ tục…) is taken in its own unit when nothing is stated.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ictanalysis.catalog import Catalog, Indicator
from ictanalysis.errors import Problem
from ictanalysis.extract.columns import Column
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.header import merge_origins
from ictanalysis.extract.messages import quote
from ictanalysis.normalise import fold
from ictanalysis.workbook import Sheet, cell_name, column_letter

__all__ = ["UnitFactors", "find_unit_line", "scales", "stated_unit", "unit_line"]

# Read on text without diacritics or case (see _loose), whose characters stand where the original's do.
_STATEMENT = re.compile(
    r"(?:^|(?<=[\s(\[,;.\-–]))(?P<key>don\s*vi\s*tinh|dv\s*tinh|d\.?\s*v\.?\s*t\.?|unit|don\s*vi)"
    r"(?:\s*[-/]\s*unit)?\s*(?P<sep>[:\-–])[^\S\n]*(?P<unit>[^\n();]*)",
    re.MULTILINE,
)
_BARE_KEY = re.compile(r"don\s*vi|unit")  # "Đơn vị:" or "Unit:" alone, which also introduce a sender
# Words that make a parenthesised note a unit, to be converted or refused: scales and currencies.
_UNIT_WORDS = frozenset({"nghin", "ngan", "trieu", "ty", "ti", "dong", "vnd", "usd", "tr", "trd", "thous", "mill", "bill"})


@functools.lru_cache(maxsize=4096)
def _loose_char(char: str) -> str:
    """Return one character lower-cased without its diacritics ("Đ" → "d"), or "?" when that is not one character."""
    base = "".join(c for c in unicodedata.normalize("NFD", char.lower()) if not unicodedata.combining(c))
    base = base.replace("đ", "d")
    return base if len(base) == 1 else "?"


def _loose(text: str) -> str:
    """Return `text` (already NFKC) lower-cased without diacritics, character for character."""
    return "".join(map(_loose_char, text))


def stated_unit(text: str, catalog: Catalog | None = None) -> str | None:
    """Return the unit a text states ("Đơn vị tính: triệu đồng", "(ĐVT: tr.đ)"), or None.

    The statement may stand anywhere in the text (after a title, in
    parentheses, on a line of its own). "Đơn vị: X" counts only when `catalog`
    knows X as a unit.

    Example:
        >>> stated_unit("DOANH THU NĂM 2020 (ĐVT：Triệu đồng)"), stated_unit("Đơn vị báo cáo: VNPT")
        ('Triệu đồng', None)
    """
    normal = unicodedata.normalize("NFKC", text)
    for match in _STATEMENT.finditer(_loose(normal)):
        unit = re.sub(r"\s+", " ", normal[match.start("unit") : match.end("unit")]).strip().rstrip(".").strip()
        if not (fold(unit) or unit == "%"):  # "Đơn vị: ___" states nothing
            continue
        if _BARE_KEY.fullmatch(match.group("key")) and (match.group("sep") != ":" or not _known(catalog, unit)):
            continue
        return unit + _second_unit(normal[match.end("unit") :], catalog)
    return None


def _known(catalog: Catalog | None, unit: str) -> bool:
    """Tell whether `unit` converts into one of the catalog's units."""
    return catalog is not None and any(catalog.unit_factor(unit, u) is not None for u in catalog.units)


def _second_unit(rest: str, catalog: Catalog | None) -> str:
    """Return "; <unit>" when the statement goes on with a second unit ("đồng; triệu đồng"), which makes it unclear."""
    second = rest[1:].split(";")[0].strip() if rest.startswith(";") else ""
    return f"; {second}" if second and _known(catalog, second) else ""


def _unit_lines(sheet: Sheet, header_row: int, catalog: Catalog | None) -> list[tuple[str, str]]:
    """Return each unit stated above the table, with its cell, row by row."""
    return [
        (unit, cell_name(sheet.top + i, sheet.left + j))
        for i, cells in enumerate(sheet.rows[: header_row - sheet.top])
        for j, value in enumerate(cells)
        if isinstance(value, str) and (unit := stated_unit(value, catalog))
    ]


def unit_line(sheet: Sheet, header_row: int, catalog: Catalog | None = None) -> tuple[str, str] | None:
    """Return the unit of the first unit line above the table and its cell, if there is one.

    Without `catalog`, "Đơn vị: …" is not read as a unit line (see :func:`stated_unit`).

    Example:
        >>> unit_line(Sheet(name="TB", rows=[["Báo cáo"], ["", "ĐVT: triệu đồng."], ["Chỉ tiêu"]]), 2)
        ('triệu đồng', 'B2')
    """
    lines = _unit_lines(sheet, header_row, catalog)
    return lines[0] if lines else None


def find_unit_line(context: Context, header_row: int) -> tuple[tuple[str, str] | None, list[Problem]]:
    """Return the unit line above the table, and a problem for each other unit line that differs from it."""
    lines = _unit_lines(context.sheet, header_row, context.catalog)
    if not lines:
        return None, []
    (first, first_cell), problems = lines[0], []
    for unit, cell in lines[1:]:
        if not _same_unit(context.catalog, first, unit):
            problems.append(context.problem(cell, f"the unit line's unit {quote(unit)} differs from the unit "
                                                  f"{quote(first)} stated in {first_cell}",
                                            "one unit line above the table; a column in another unit states it in "
                                            "its header, in parentheses"))  # fmt: skip
    return lines[0], problems


def _looks_like_unit(note: str) -> bool:
    """Tell whether a parenthesised note of a header is a unit: it names a scale or a currency, or is "%".

    >>> _looks_like_unit("tỷ đ"), _looks_like_unit("USD"), _looks_like_unit("*"), _looks_like_unit("ước tính")
    (True, True, False, False)
    """
    return note.strip() == "%" or bool(_UNIT_WORDS & set(fold(note).split()))


def _same_unit(catalog: Catalog, a: str, b: str) -> bool:
    """Tell whether two units as written mean the same: the same text, or the same factor into every unit."""
    factors = [{u: catalog.unit_factor(x, u) for u in catalog.units} for x in (a, b)]
    return fold(a) == fold(b) or (factors[0] == factors[1] and any(f is not None for f in factors[0].values()))


def scales(catalog: Catalog, unit: str) -> list[str]:
    """Return the first spelling of each scale the catalog writes `unit` in, smallest first.

    Example:
        >>> from ictanalysis.catalog import load_catalog
        >>> scales(load_catalog(), "đồng"), scales(load_catalog(), "trạm")
        (['đồng', 'nghìn đồng', 'triệu đồng', 'tỷ đồng'], ['trạm'])
    """
    found = {1.0: unit}
    for name, factor in catalog.units[unit].factors.items():
        found.setdefault(float(factor), name)
    return [found[factor] for factor in sorted(found)]


class UnitFactors:
    """The factors of one table's values, found once per column, unit-column text and indicator."""

    def __init__(self, context: Context, unit_column: int | None, unit_line: tuple[str, str] | None) -> None:
        """Prepare to find factors in the table whose unit column and unit line are given (either may be None)."""
        self.context, self.unit_column, self.unit_line = context, unit_column, unit_line
        self._found: dict[tuple, float | None] = {}

    @functools.cached_property
    def _merges(self) -> dict[tuple[int, int], tuple[int, int]]:
        return merge_origins(self.context.sheet)

    def factor(self, row: int, column: Column, indicator: Indicator) -> tuple[float | None, Problem | None]:
        """Return the multiplier into `indicator`'s unit for a value of `column` in `row`.

        The factor is None when the unit given cannot be converted, when the
        row's unit and the header's disagree, or when no unit is stated for an
        indicator whose unit has several scales; the problem saying so comes
        back the first time only, as the factor is found once (a blank unit
        cell once per row).
        """
        written = self._row_unit(row)
        blank_row = row if self.unit_column is not None and written is None else None
        key = (column.index, written, indicator.id, blank_row)
        if key in self._found:
            return self._found[key], None
        factor, problem = self._find(row, column, indicator, written)
        self._found[key] = factor
        return factor, problem

    def _row_unit(self, row: int) -> str | None:
        """Return the unit written in the unit column of `row` (a merged cell's), None when blank or no column."""
        if self.unit_column is None:
            return None
        text = cell_text(self.context.sheet.value(*self._merges.get((row, self.unit_column), (row, self.unit_column))))
        if not (fold(text) or text.strip() == "%"):  # blank, or a dash for "none"
            return None
        return stated_unit(text, self.context.catalog) or text

    def _find(self, row: int, column: Column, indicator: Indicator, written: str | None):
        """Return the factor of the nearest unit given: header, unit column, unit line, layout; or refuse."""
        catalog, unit = self.context.catalog, indicator.unit
        for note in column.units:
            note = stated_unit(note, catalog) or note
            factor = catalog.unit_factor(note, unit)
            if factor is not None:
                return self._agreeing(factor, note, column, unit, (written, cell_name(row, self.unit_column or 0)))
            if _looks_like_unit(note):  # "(tỷ đ)", "(USD)", "(nghìn)": a unit, but not one this value converts from
                return self._converted(note, unit, column.header_cell)
        needs_unit = len(scales(catalog, unit)) > 1
        if written is None and self.unit_column is not None and needs_unit:
            return None, self._blank_unit_problem(row, indicator)
        line = self.unit_line or (None, "")
        for stated, where in ((written, cell_name(row, self.unit_column or 0)), line, (self.context.layout.unit, "")):
            if stated:
                return self._converted(stated, unit, where)
        if needs_unit:
            return None, self._no_unit_problem(row, column, indicator)
        return 1.0, None

    def _converted(self, written: str, unit: str, where: str) -> tuple[float | None, Problem | None]:
        """Return the factor of `written` into `unit`, or None and the problem at `where` (the layout when "")."""
        factor = self.context.catalog.unit_factor(written, unit)
        if factor is not None:
            return factor, None
        layout = self.context.layout
        place = f" in layout {layout.id!r}" if not where else ""
        return None, self.context.problem(
            where, f"unit {quote(written)}{place} cannot be converted to {unit!r}",
            f"a unit listed for {unit!r} in catalog/units.yaml")  # fmt: skip

    def _agreeing(self, factor: float, note: str, column: Column, unit: str, row_unit: tuple[str | None, str]):
        """Return the header's `factor`, or None and a problem when the row's unit converts differently.

        Both units are written for this very cell, and neither is nearer.
        """
        written, where = row_unit
        if written is None:
            return factor, None
        row_factor = self.context.catalog.unit_factor(written, unit)
        if row_factor is None:
            return self._converted(written, unit, where)
        if row_factor == factor:
            return factor, None
        return None, self.context.problem(
            where, f"the row's unit {quote(written)} differs from the unit {note!r} in the header of "
                   f"column {column_letter(column.index)} ({column.header_cell})",
            "one unit for each value: correct the unit column or the column header")  # fmt: skip

    def _scales_said(self, unit: str) -> str:
        """Say that `unit` is written in several scales, for a problem's expectation."""
        return f"{unit} is written in several scales ({', '.join(scales(self.context.catalog, unit))}), so none is assumed"

    def _blank_unit_problem(self, row: int, indicator: Indicator) -> Problem:
        """Report a blank unit cell in a table with a unit column, for an indicator written in several scales."""
        return self.context.problem(
            cell_name(row, self.unit_column),
            f"the unit cell is blank, and the values of {indicator.id} ({indicator.unit!r}) in this row may be in "
            "any of its scales",
            f"the unit of this row's values in this cell; {self._scales_said(indicator.unit)}")  # fmt: skip

    def _no_unit_problem(self, row: int, column: Column, indicator: Indicator) -> Problem:
        """Report values of an indicator written in several scales whose unit the sheet does not state.

        The problem names the column's header, where the unit belongs, or the
        value's cell when the rows are indicators (one header for them all).
        """
        layout, letter = self.context.layout, column_letter(column.index)
        by_rows = layout.rows == "indicator"
        cell = cell_name(row, column.index) if by_rows else column.header_cell
        where = ("a unit column ('Đơn vị tính') giving each row's unit" if by_rows
                 else f"the unit in parentheses in the column header ({quote(column.header + ' (…)')})")  # fmt: skip
        return self.context.problem(
            cell,
            f"column {letter} ({quote(column.header)}) holds {indicator.id} ({indicator.unit!r}) with no unit stated: "
            f"not in its header, a unit column, a line above the table, nor layout {layout.id!r}",
            f"the unit its values are written in, stated on the sheet: a line 'Đơn vị tính: …' above the table, or "
            f"{where}; {self._scales_said(indicator.unit)}")  # fmt: skip
