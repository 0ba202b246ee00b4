"""Find a layout's table in a sheet and turn its cells into tidy records.

A table is found by its label header ("Đơn vị hành chính", "Doanh nghiệp",
"Chỉ tiêu"…). Its header block is as tall as the merged cells starting on that
row; each column's header path (one text per header row, merged cells filled)
is read for an enterprise, a year, a unit in parentheses and, from what is
left, an indicator. Each data row is then a district, an enterprise, an agency,
an indicator or a year; total rows are kept as the province (or all
enterprises, or all agencies) and checked against the sum of their parts.

Each step answers one question about the sheet, in its own module:

- :mod:`~ictanalysis.extract.context`: what every step shares (the sheet, its layout, the catalog);
- :mod:`~ictanalysis.extract.header`: which row is the header, and what each column's header says;
- :mod:`~ictanalysis.extract.columns`: what a column holds (a label, a unit, an indicator's values);
- :mod:`~ictanalysis.extract.table`: where the table is, with its columns, unit line and title;
- :mod:`~ictanalysis.extract.labels`: what a row label stands for (a key, a total, a note…);
- :mod:`~ictanalysis.extract.numbers`: what number a cell holds, or why it cannot be read;
- :mod:`~ictanalysis.extract.units`: which unit a value is written in, and its factor;
- :mod:`~ictanalysis.extract.checks`: whether totals add up and no merge hides values;
- :mod:`~ictanalysis.extract.rows`: the rows of a located table, read into records.
"""

from ictanalysis.extract.context import SheetSource
from ictanalysis.extract.rows import extract_table
from ictanalysis.extract.table import Table, find_table

__all__ = ["SheetSource", "Table", "extract_table", "find_table"]
