"""The tidy table as an Excel workbook, every text cell kept as text (the email's attachment)."""

from __future__ import annotations

import io
import math
import re

from ictanalysis.text import FORMULA_STARTS, visible_text

__all__ = ["XLSX_TYPE", "tidy_workbook"]

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Control characters that XML 1.0, hence a worksheet, cannot hold.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def tidy_workbook(table) -> bytes:
    """Return the tidy table as an .xlsx workbook, every text cell kept as text.

    A text cell that a spreadsheet would run as a formula (starting with
    ``=``, ``+``, ``-``, ``@``, tab or carriage return) is stored as a string
    with Excel's quote prefix, so it shows as typed and never computes.

    >>> import pandas as pd, openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(tidy_workbook(pd.DataFrame({"a": ["=1+1"], "b": [2.5]}))))
    >>> cell = book.active["A2"]
    >>> cell.value, cell.data_type, cell.quotePrefix, book.active["B2"].value
    ('=1+1', 's', True, 2.5)
    """
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("indicators")
    sheet.freeze_panes = "A2"
    sheet.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        sheet.append([_cell_value(sheet, value, WriteOnlyCell) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_value(sheet, value, cell_type):
    """Return what to append for one value: None for missing, a quote-prefixed text cell for formula-like text.

    Control characters a worksheet cannot hold (ESC in a file name…) are written out as ``\\x1b``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = _NOT_IN_XML.sub(lambda found: visible_text(found.group()), value)
        if not value.startswith(FORMULA_STARTS):
            return value
        cell = cell_type(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value.item() if hasattr(value, "item") else value

