"""The tidy table: its columns, key and types, and how it is built, read and written.

One row per observed value (see the design's "The tidy table"); every stage
reads and writes it through this module. The column names are part of the
contract: columns are added, never renamed. pandas and pyarrow are imported
inside the functions that need them, so that asking which years a table holds
(:func:`indicator_years`) costs no pandas import.

Example:
    >>> records = Records()
    >>> records.append(year=2020, domain="egov", indicator="online_services_level4", area="58", value=555.0,
    ...                unit="thủ tục", source_file="2020/a.xlsx", source_sheet="DVCTT", source_cell="E26")
    >>> frame(records)[["year", "indicator", "value", "operator", "source_cell"]].values.tolist()
    [[2020, 'online_services_level4', 555.0, '', 'E26']]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.text import FORMULA_STARTS

__all__ = [
    "COLUMNS",
    "KEY",
    "SOURCE",
    "SOURCE_SEPARATOR",
    "Records",
    "frame",
    "fingerprint",
    "indicator_years",
    "key_label",
    "key_without",
    "read_indicators",
    "schema_is_sound",
    "source_of",
    "write_indicators",
]

#: The columns, in order.
COLUMNS = (
    "year", "domain", "indicator", "area", "operator", "agency", "value", "unit",
    "preliminary", "source_file", "source_sheet", "source_cell",
)  # fmt: skip
#: One value per key: the table is sorted by it and a repeated key is an input error.
KEY = ("year", "indicator", "area", "operator", "agency")
#: Where a value was read.
SOURCE = ("source_file", "source_sheet", "source_cell")
#: How a source is written for people: ``2020/vien-thong-2020.xlsx › TB › D12``.
SOURCE_SEPARATOR = " › "
_TYPED = {"year": "int64", "value": "float64", "preliminary": "bool"}  # every other column is text
_DEFAULTS = {"operator": "", "agency": "", "preliminary": False}


@dataclass
class Records:
    """Tidy rows gathered column by column (cheap to append, cheap to frame)."""

    columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in COLUMNS})

    def __len__(self) -> int:
        return len(self.columns["value"])

    def append(self, **values) -> None:
        """Append one row; `operator`, `agency` and `preliminary` may be left out (empty, false)."""
        for name in COLUMNS:
            self.columns[name].append(values[name] if name in values else _DEFAULTS[name])

    def extend(self, other: Records) -> None:
        """Append all rows of `other`."""
        for name, values in other.columns.items():
            self.columns[name].extend(values)


def frame(records: Records):
    """Return the records as the tidy table: typed, sorted by :data:`KEY`, indexed from 0."""
    import pandas as pd

    table = pd.DataFrame(records.columns, columns=list(COLUMNS)).astype(_TYPED)
    text = [c for c in COLUMNS if c not in _TYPED]
    table[text] = table[text].astype("str")
    return table.sort_values(list(KEY), kind="stable").reset_index(drop=True)


def schema_is_sound(table) -> bool:
    """Tell whether `table` has every contract column, numeric values and integer years."""
    import pandas as pd

    return (
        set(COLUMNS) <= set(table.columns)
        and pd.api.types.is_numeric_dtype(table["value"])
        and pd.api.types.is_integer_dtype(table["year"])
    )


def read_indicators(path: Path | str | None = None):
    """Load a tidy table written by :func:`write_indicators` (its Parquet file; by default the project's).

    Raises:
        InputError: there is no table at `path`.

    Example::

        table = read_indicators("data/processed/indicators.parquet")
        table.query("indicator == 'online_services_level4' and year == 2020")
    """
    import pandas as pd

    from ictanalysis.settings import DEFAULTS

    return pd.read_parquet(_existing(DEFAULTS.outputs.table if path is None else path))


def fingerprint(path: Path | str) -> str:
    """Return the sha256 digest of the tidy table's file: what a quality result says it checked.

    Raises:
        InputError: there is no table at `path`.
    """
    import hashlib

    with open(_existing(path), "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def indicator_years(path: Path | str) -> list[int]:
    """Return the year of every row of the tidy table at `path`, reading only that column, without pandas.

    Raises:
        InputError: there is no table at `path`.
    """
    import pyarrow.parquet as pq

    # ParquetFile, not read_table: read_table goes through pyarrow.dataset, which imports pandas.
    return pq.ParquetFile(_existing(path)).read(columns=["year"]).column("year").to_pylist()


def _existing(path: Path | str) -> Path:
    """Return `path`, or raise InputError when no tidy table is there (`clean` was not run)."""
    from ictanalysis.errors import InputError, Problem

    if not Path(path).is_file():
        raise InputError([Problem(str(path), message="the tidy table does not exist",
                                  expected="the output of `ictanalysis clean` (run it first)")])  # fmt: skip
    return Path(path)


def write_indicators(table, parquet: Path, csv: Path) -> list[Path]:
    """Write the tidy table as Parquet (for the stages) and CSV (for people), published as a pair.

    Both are written into a staging folder beside `parquet`, then published as one unit
    (:mod:`ictanalysis.publish`): the previous pair stays until both are written, and a
    process killed while renaming leaves a journal that the next command completes, so
    the folder holds the old pair or the new one, never one of each.
    """
    from ictanalysis.publish import publish_files

    return publish_files([
        (Path(parquet), lambda p: table.to_parquet(p, index=False)),
        (Path(csv), lambda p: _write_csv(table, p)),
    ])  # fmt: skip


def _write_csv(table, path: Path) -> None:
    """Write CSV with pyarrow's writer (about fifteen times faster than pandas'), UTF-8 with a BOM.

    The byte-order mark makes Excel read the Vietnamese text as UTF-8; text Excel would
    run as a formula gets a leading apostrophe (:func:`formulas_as_text`).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, "wb") as handle:
        handle.write("\ufeff".encode())
        pacsv.write_csv(pa.Table.from_pandas(formulas_as_text(table), preserve_index=False), handle)


def formulas_as_text(table):
    """Return `table` with an apostrophe before each text cell a spreadsheet would run as a formula.

    OWASP's advice for CSV that people open in Excel: a sheet named ``=HYPERLINK(…)``
    must stay text. Numbers, negative ones too, are left alone; `table` is not modified.

    >>> import pandas as pd
    >>> sample = pd.DataFrame({"source_sheet": ["=1+1", "-2", "TB"], "value": [-2.0, 1.0, 0.0]})
    >>> formulas_as_text(sample).values.tolist()
    [["'=1+1", -2.0], ["'-2", 1.0], ['TB', 0.0]]
    """
    text = table.select_dtypes(include=["object", "string"]).columns
    quoted = {c: table[c].mask(table[c].str.startswith(FORMULA_STARTS, na=False), "'" + table[c]) for c in text}
    return table.assign(**quoted)


def key_without(*names: str) -> list[str]:
    """Return the key's columns but `names`: what a sum over those columns groups by.

    >>> key_without("area")
    ['year', 'indicator', 'operator', 'agency']
    """
    return [column for column in KEY if column not in names]


def source_of(row, suffix: str = "") -> str:
    """Return where a row's value was read, "file › sheet › cell" ("" when not all three are given).

    `suffix` reads the columns of another value of the row (``source_cell_before``…).

    >>> source_of({"source_file": "2020/a.xlsx", "source_sheet": "TB", "source_cell": "D12"})
    '2020/a.xlsx › TB › D12'
    """
    parts = [row.get(f"{column}{suffix}") for column in SOURCE]
    return SOURCE_SEPARATOR.join(map(str, parts)) if all(parts) else ""


def key_label(key: Sequence, names: Iterable[str] = KEY) -> str:
    """Return a key as people read it in a message, empty parts left out.

    >>> key_label((2020, "mobile_subscribers", "584", "VNPT", ""))
    'year=2020, indicator=mobile_subscribers, area=584, operator=VNPT'
    """
    return ", ".join(f"{name}={value}" for name, value in zip(names, key, strict=True) if value != "")
