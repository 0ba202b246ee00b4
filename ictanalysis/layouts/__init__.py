"""Source layouts: how the tables of a known form are laid out, as YAML data.

A layout says what a table's rows are (districts, enterprises, agencies,
indicators or years), which column holds their labels, and, where the
catalog's aliases are not enough, what a column header means. Column headers
are otherwise read against the catalog, so most layouts are a few lines, and a
layout with no `sheets`/`files` patterns is a *detector*: it is tried on any
sheet and accepted only when every column of the table is understood.
See README, "Adding a new layout".
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


def _matches(patterns: Iterable[str], name: str) -> bool:
    patterns = tuple(patterns)
    folded = fold(name)
    return not patterns or any(fnmatch.fnmatchcase(folded, _fold_pattern(p)) for p in patterns)


def _fold_pattern(pattern: str) -> str:
    return "*".join(fold(part) for part in pattern.split("*"))


def load_layouts(*directories: Path) -> list[Layout]:
    """Load every ``*.yaml`` layout in the bundled folder and in `directories`.

    Layouts tied to files or sheets come first, detectors last; ties keep file order.

    Raises:
        CatalogError: when a folder does not exist, or a layout has an unknown key, a missing
            field, or an id already used by another layout.
    """
    layouts: dict[str, Layout] = {}
    for directory in (LAYOUT_DIR, *directories):
        if not Path(directory).is_dir():
            raise CatalogError(f"{directory}: no such folder of layouts (the settings' layouts or --layouts name it)")
        for path in sorted(Path(directory).glob("*.yaml")):
            layout = read_yaml(path, Layout).model_copy(update={"source": path})
            if layout.id in layouts:
                raise CatalogError(f"{path}: layout id {layout.id!r} is already used by {layouts[layout.id].source}")
            if not layout.skip and (layout.rows is None or not layout.label_headers):
                raise CatalogError(f"{path}: a layout that is not `skip` needs `rows` and `label_headers`")
            layouts[layout.id] = layout
    return sorted(layouts.values(), key=lambda layout: layout.is_detector)
