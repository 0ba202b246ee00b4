"""Source layouts: how the tables of a known form are laid out, as YAML data.

A layout says what a table's rows are (districts, enterprises, agencies,
indicators or years), which column holds their labels, and, where the
catalog's aliases are not enough, what a column header means. Column headers
are otherwise read against the catalog, so most layouts are a few lines, and a
layout with no `sheets`/`files` patterns is a *detector*: it is tried on any
sheet and accepted only when every column of the table is understood. A
project's own layouts (its `layouts/` folder, ``--layouts``) are tried before
the bundled ones, so a project's layout always wins over a bundled one that
claims the same sheet. See README, "Adding a new layout".
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import Field

from ictanalysis.catalog import Catalog, CatalogError, StrictModel, read_yaml
from ictanalysis.normalise import fold

LAYOUT_DIR = Path(__file__).parent

__all__ = ["ALWAYS_IGNORED", "LAYOUT_DIR", "Layout", "load_layouts"]

RowKind = Literal["area", "operator", "agency", "indicator", "year"]


class Layout(StrictModel):
    """One known table form. Field meanings are in README, "Adding a new layout"."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str
    files: tuple[str, ...] = ()
    sheets: tuple[str, ...] = ()
    skip: bool = False
    rows: RowKind | None = None
    label_headers: tuple[str, ...] = ()
    unit_headers: tuple[str, ...] = ()
    value_headers: tuple[str, ...] = ()
    operator_header_row: int | None = Field(default=None, ge=1)
    operator: str | None = None
    area: str | None = None  #: the district (official code) of every value, when the whole table is one district's
    unit: str | None = None
    aliases: dict[str, tuple[str, ...]] = {}
    ignore_columns: tuple[str, ...] = ()
    skip_rows: tuple[str, ...] = ()
    derived_sections: tuple[str, ...] = ()
    blank: Literal["zero", "missing"] = "zero"
    locale: Literal["vi", "en"] | None = "vi"
    source: Path | None = None

    @functools.cached_property
    def alias_index(self) -> dict[str, str]:
        """Map each folded alias of this layout to its indicator id."""
        return {fold(alias): indicator for indicator, aliases in self.aliases.items() for alias in aliases}

    @property
    def is_detector(self) -> bool:
        """Tell whether this layout applies to any sheet (no file or sheet pattern)."""
        return not (self.files or self.sheets)

    @property
    def bundled(self) -> bool:
        """Tell whether this layout is one of the package's own (a project's layouts are tried first)."""
        return self.source is not None and self.source.parent == LAYOUT_DIR

    @property
    def anchor_headers(self) -> tuple[str, ...]:
        """Return the headers a blank label header ("") is found by: the unit and value headers (`{year}`: the folder's)."""
        return tuple(h for h in (*self.unit_headers, *self.value_headers) if h)

    def header_expectation(self) -> str:
        """Say which header cell the table of this layout is found by, as the end of a problem's sentence.

        Example:
            >>> Layout(id="a", description="a", label_headers=("Địa bàn", "Huyện")).header_expectation()
            "a header cell 'Địa bàn' or 'Huyện' above the row labels"
            >>> Layout(id="b", description="b", label_headers=("",), unit_headers=("ĐVT",)).header_expectation()
            "a blank header cell above the row labels, on a row that holds the header 'ĐVT'"
        """
        named = [h for h in self.label_headers if h]
        found = [f"a header cell {_either(named)} above the row labels"] if named else []
        if "" in self.label_headers and self.anchor_headers:
            found.append(f"a blank header cell above the row labels, on a row that holds the header "
                         f"{_either(self.anchor_headers)}")  # fmt: skip
        if "" in self.label_headers and self.rows == "year":
            found.append("a blank header cell, over years such as '2015' or 'Sơ bộ - Prel. 2020', above the row labels")
        return ", or ".join(found) or "a header cell naming the row labels (the layout lists no `label_headers`)"

    def check_against(self, catalog: Catalog) -> None:
        """Raise CatalogError when the layout names an indicator, enterprise or unit the catalog lacks."""
        problems = [f"unknown indicator {i!r} in aliases" for i in self.aliases if i not in catalog.indicators]
        if self.operator is not None and catalog.find_operator(self.operator) is None:
            problems.append(f"unknown enterprise {self.operator!r}")
        if self.unit is not None and not any(catalog.unit_factor(self.unit, u) for u in catalog.units):
            problems.append(f"unknown unit {self.unit!r}")
        if problems:
            raise CatalogError(f"{self.source or self.id}: " + "; ".join(problems))

    def applies_to(self, file_name: str, sheet_name: str) -> bool:
        """Tell whether the file and sheet names match this layout's patterns."""
        return _matches(self.files, file_name) and _matches(self.sheets, sheet_name)


# Columns that never hold data in any form: row numbers and remarks.
ALWAYS_IGNORED = ("STT", "TT", "Số TT", "Ghi chú", "Ghi chu", "Note", "Notes")


def _either(texts: Iterable[str]) -> str:
    """Quote texts as alternatives: 'a', 'b' or 'c'."""
    quoted = [repr(t) for t in texts]
    return " or ".join(filter(None, (", ".join(quoted[:-1]), quoted[-1]))) if quoted else "(none listed)"


def _matches(patterns: Iterable[str], name: str) -> bool:
    patterns = tuple(patterns)
    folded = fold(name)
    return not patterns or any(fnmatch.fnmatchcase(folded, _fold_pattern(p)) for p in patterns)


def _fold_pattern(pattern: str) -> str:
    return "*".join(fold(part) for part in pattern.split("*"))


def load_layouts(*directories: Path) -> list[Layout]:
    """Load every ``*.yaml`` layout in the bundled folder and in `directories`.

    Layouts tied to files or sheets come first, detectors last; within each, a
    project's own (from `directories`) come before the bundled ones, so a
    project's layout is tried first wherever both claim a sheet. Ties keep the
    order of the folders and of the files in them. An empty file is no layout
    and is passed over (``ictanalysis layout suggest FILE > layouts/new.yaml``
    creates its file empty before the layouts are read).

    Raises:
        CatalogError: when a folder does not exist, or a layout has an unknown key, a missing
            field, an id already used by another layout, or a blank label header it cannot be found by.
    """
    layouts: dict[str, Layout] = {}
    for directory in (LAYOUT_DIR, *directories):
        if not Path(directory).is_dir():
            raise CatalogError(f"{directory}: no such folder of layouts (the settings' layouts or --layouts name it)")
        for path in sorted(Path(directory).glob("*.yaml")):
            if path.stat().st_size == 0:
                continue
            layout = _read_layout(path)
            if layout.id in layouts:
                raise CatalogError(f"{path}: layout id {layout.id!r} is already used by {layouts[layout.id].source}")
            layouts[layout.id] = layout
    return sorted(layouts.values(), key=lambda layout: (layout.is_detector, layout.bundled))


def _read_layout(path: Path) -> Layout:
    """Read one layout file and check what a single field cannot say alone.

    Raises:
        CatalogError: naming the file and what is wrong.
    """
    layout = read_yaml(path, Layout)
    if layout.source is not None:
        raise CatalogError(f"{path}: source: not a key of a layout file (it is set to the file's own path)")
    if not layout.skip and (layout.rows is None or not layout.label_headers):
        raise CatalogError(f"{path}: a layout that is not `skip` needs `rows` and `label_headers`")
    if not layout.skip and "" in layout.label_headers and not layout.anchor_headers and layout.rows != "year":
        raise CatalogError(f'{path}: a blank label header ("") is found only on a row that holds one of the '
                           "layout's `unit_headers` or `value_headers` (or, with `rows: year`, by the years "
                           "below it); add the header of the unit or value column on the row of the blank cell")  # fmt: skip
    return layout.model_copy(update={"source": path})
