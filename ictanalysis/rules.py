"""The quality gate's rules (YAML) and the views of the tidy table they are checked on.

A rule names an expectation, its arguments and a view. Most rules look at the
tidy table itself; the checks no single column can express look at a view
computed here with pandas: each required (year, indicator, area) and whether
it is there; each province total beside the sum of its districts; each whole
beside the sum of its parts; each value beside last year's. A view's rows keep
the source cells they come from, so the quality page can say where to look.
This module does not import Great Expectations: :mod:`ictanalysis.validate` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ictanalysis.catalog import CATALOG_DIR, Catalog, StrictModel, read_yaml
from ictanalysis.tidy import COLUMNS, KEY, SOURCE, key_without, schema_is_sound
from ictanalysis.years import YearPair

__all__ = ["VIEWS", "Rule", "build_views", "load_rules"]

class Rule(StrictModel):
    """One rule of the gate; see catalog/rules.yaml."""

    id: str
    severity: Literal["error", "warning"]
    view: Literal["table", "sources", "units", "ranges", "completeness", "district_totals", "parts", "changes"]
    expect: str
    kwargs: dict[str, Any]

    def arguments(self, catalog: Catalog, province: str) -> dict[str, Any]:
        """Return the expectation's arguments with "{name}" placeholders filled from the catalog.

        `{areas}` is the province and its districts: a figure about another
        province is as wrong in this report as an unknown code.
        """
        lists = {
            "{columns}": list(COLUMNS),
            "{key}": list(KEY),
            "{indicators}": sorted(catalog.indicators),
            "{areas}": [province, *sorted(a.code for a in catalog.districts(province))],
            "{operators}": ["", *sorted(catalog.operators)],
            "{agencies}": ["", *sorted(catalog.agencies)],
        }
        return {key: lists.get(value, value) if isinstance(value, str) else value for key, value in self.kwargs.items()}


class _RuleFile(StrictModel):
    rules: tuple[Rule, ...]


def load_rules(path: Path = CATALOG_DIR / "rules.yaml") -> tuple[Rule, ...]:
    """Load and validate the gate's rules."""
    return read_yaml(path, _RuleFile).rules


def build_views(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> dict[str, pd.DataFrame | None]:
    """Return every view the rules look at, by name.

    The views beyond the table itself assume its schema; when the schema is
    wrong (a column missing, values or years not numeric) they are None, and
    their rules are reported as not checked while the schema rules fail.
    """
    if not schema_is_sound(table):
        return {name: (table if name == "table" else None) for name in VIEWS}
    return {name: build(table, catalog, pair) for name, build in VIEWS.items()}


def _table(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    return table


def _sources(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each row, with `complete` true when its file, sheet and cell are all given."""
    given = table[list(SOURCE)].fillna("").astype(str).ne("").all(axis=1) if len(table) else pd.Series(dtype=bool)
    return table.assign(complete=given)


def _units(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each row with its indicator's unit in the catalog (empty for an unknown indicator)."""
    units = {i.id: i.unit for i in catalog.indicators.values()}
    return table.assign(catalog_unit=table["indicator"].map(units).fillna(""))


def _ranges(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each row of a known indicator with its valid minimum and maximum."""
    bounds = pd.DataFrame(
        [(i.id, *i.range) for i in catalog.indicators.values()], columns=["indicator", "minimum", "maximum"]
    )
    merged = table.reset_index(drop=True).merge(bounds, on="indicator", how="inner")
    return merged.dropna(subset=["value"])


def _completeness(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """One row per (year, indicator, area) the report needs, `present` when the table has it."""
    wanted = []
    for year in (pair.compare_year, pair.year):
        districts = [a.code for a in catalog.districts(pair.province, year)]
        for indicator in catalog.indicators.values():
            areas = {"province": [pair.province], "districts": [pair.province, *districts]}.get(indicator.completeness, [])
            wanted += [(year, indicator.id, area) for area in areas]
    needed = pd.DataFrame(wanted, columns=["year", "indicator", "area"]).astype({"year": "int64"})
    have = table[["year", "indicator", "area"]].drop_duplicates().assign(present=True)
    merged = needed.merge(have, on=["year", "indicator", "area"], how="left")
    return merged.assign(present=merged["present"].eq(True))


def _district_totals(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each province figure of an additive indicator beside the sum of its districts."""
    rows = _years(table, pair)
    rows = rows[rows["indicator"].map(lambda i: _aggregates(catalog, i))]
    province = rows[rows["area"] == pair.province]
    districts = rows[rows["area"] != pair.province]
    group = key_without("area")
    sums = districts.groupby(group, as_index=False).agg(
        district_sum=("value", "sum"), districts=("area", "count"), district_cells=("source_cell", _cells)
    )
    merged = province.merge(sums, on=group, how="inner").rename(columns={"value": "province_value"})
    return _with_excess(merged, catalog, "province_value", "district_sum")


def _parts(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each whole (e.g. mobile subscribers) beside the sum of its parts, where all of them are given."""
    rows = _years(table, pair)
    frames = []
    for whole in (i for i in catalog.indicators.values() if i.parts):
        wholes = rows[rows["indicator"] == whole.id]
        parts = rows[rows["indicator"].isin(whole.parts)]
        group = key_without("indicator")
        sums = parts.groupby(group, as_index=False).agg(
            parts_sum=("value", "sum"), parts_given=("indicator", "nunique"), part_cells=("source_cell", _cells)
        )
        sums = sums[sums["parts_given"] == len(whole.parts)]
        frames.append(wholes.merge(sums, on=group, how="inner"))
    merged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return _with_excess(merged.rename(columns={"value": "whole_value"}), catalog, "whole_value", "parts_sum")


def _changes(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each value of the report year beside the compared year's, with the change allowed.

    `excess` is the ratio of the change to the indicator's threshold: over 1
    is worth a warning. A value below the catalog's `change_min_base` the year
    before (small counts swing) or absent then is not judged.
    """
    group = key_without("year")
    now = table[table["year"] == pair.year]
    before = table[table["year"] == pair.compare_year][[*group, "value", *SOURCE]]
    merged = now.merge(before, on=group, how="inner", suffixes=("", "_before"))
    merged = merged[(merged["value_before"] >= max(catalog.change_min_base, 1e-9)) & (merged["value"] >= 0)].copy()
    limit = 1 + merged["indicator"].map(catalog.max_change).astype(float)
    ratio = merged["value"] / merged["value_before"]
    merged["change_percent"] = (ratio - 1) * 100
    merged["excess"] = np.maximum(ratio, 1 / ratio.where(ratio > 0, np.nan)).fillna(np.inf) / limit
    return merged.reset_index(drop=True)


def _years(table: pd.DataFrame, pair: YearPair) -> pd.DataFrame:
    return table[table["year"].isin([pair.year, pair.compare_year])]


def _aggregates(catalog: Catalog, indicator_id: str) -> bool:
    indicator = catalog.indicators.get(indicator_id)
    return indicator is not None and indicator.aggregation == "sum"


def _cells(cells: pd.Series) -> str:
    return ", ".join(cells.astype(str))


def _with_excess(frame: pd.DataFrame, catalog: Catalog, total: str, parts: str) -> pd.DataFrame:
    """Add the difference, the tolerance allowed and `excess` = |difference| / allowed."""
    if frame.empty:
        return frame.assign(difference=[], allowed=[], excess=[])
    frame = frame.reset_index(drop=True)
    tolerances = frame["indicator"].map(catalog.tolerance)
    allowed = [max(t.absolute, t.relative * abs(v)) for t, v in zip(tolerances, frame[parts], strict=True)]
    frame["difference"] = frame[total] - frame[parts]
    frame["allowed"] = allowed
    frame["excess"] = frame["difference"].abs() / frame["allowed"]
    return frame


VIEWS = {
    "table": _table,
    "sources": _sources,
    "units": _units,
    "ranges": _ranges,
    "completeness": _completeness,
    "district_totals": _district_totals,
    "parts": _parts,
    "changes": _changes,
}
