"""Say why a file cannot be read as a workbook: the error every reader raises, and the advice it shares."""

from __future__ import annotations

__all__ = ["SAVE_AS_XLSX", "SEND_AGAIN", "UNPROTECT", "WorkbookError", "count"]

SAVE_AS_XLSX = "a workbook saved by Excel or LibreOffice: open the file there and save it as Excel Workbook (.xlsx)"
UNPROTECT = (
    "a workbook without a password: open it in Excel, clear the password "
    "(File › Info › Protect Workbook › Encrypt with Password) and save it"
)
SEND_AGAIN = "the workbook as it was sent: ask the sender for the file again"


class WorkbookError(Exception):
    """A file that cannot be read as a workbook.

    The message says what is wrong; `expected` what would be right, and
    `sheet` and `cell` where, when the trouble is in one sheet or cell.
    """

    def __init__(self, message: str, expected: str = "", *, sheet: str = "", cell: str = "") -> None:
        super().__init__(message)
        self.expected, self.sheet, self.cell = expected, sheet, cell


def count(number: int) -> str:
    """Write a count the Vietnamese way for messages.

    >>> count(1048576)
    '1.048.576'
    """
    return f"{number:,}".replace(",", ".")
