"""Hold one sheet's cells as read (:class:`Sheet`), and name cells the way spreadsheets do."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Sheet", "cell_name", "column_letter"]


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells, with the facts ingest needs about them.

    `rows[i][j]` is the cell at 0-based row `top + i` and column `left + j`
    of the sheet; empty cells are ``""``. `merged` holds 0-based inclusive
    ranges ``(first_row, first_col, last_row, last_col)`` in sheet coordinates,
    cut to the used range, for every format but .csv (those of an .ods read from
    its spanned cells, since calamine gives none). The other sets hold 0-based sheet coordinates; they
    are known for .xlsx only, except the error cells, which .xls files give too,
    and the percent-formatted cells, which .xls and .ods files give too.
    """

    name: str
    rows: list[list]
    top: int = 0
    left: int = 0
    hidden: bool = False
    merged: tuple[tuple[int, int, int, int], ...] = ()
    uncached_formulas: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    percent_cells: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)  # cell → "#REF!"…
    hidden_rows: frozenset[int] = field(default_factory=frozenset)
    hidden_columns: frozenset[int] = field(default_factory=frozenset)
    separator: str = ""  # a .csv file's field separator (its rows are as long as each line's fields); "" otherwise

    @property
    def height(self) -> int:
        """Return the number of rows in the used range."""
        return len(self.rows)

    @property
    def width(self) -> int:
        """Return the number of columns in the used range."""
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int):
        """Return the value at sheet coordinates (0-based), ``""`` outside the used range."""
        i, j = row - self.top, col - self.left
        if 0 <= i < len(self.rows) and 0 <= j < len(self.rows[i]):
            return self.rows[i][j]
        return ""


def column_letter(col: int) -> str:
    """Return the spreadsheet letters of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """Return the A1 name of a 0-based cell.

    >>> cell_name(11, 3)
    'D12'
    """
    return f"{column_letter(col)}{row + 1}"
