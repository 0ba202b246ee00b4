"""The quality gate's rules (YAML) and the views of the tidy table they are checked on.

A rule names an expectation, its arguments and a view. Most rules look at the
tidy table itself; the checks no single column can express look at a view
computed here with pandas: each required (year, indicator, area) and whether
it is there; every aggregation the catalog knows, wherever both sides are in
the table: each province figure beside the sum of its districts, each
all-enterprise figure beside the sum of the enterprises', each all-agency
figure beside the sum of the agencies', each whole beside the sum of its
parts; each value beside last year's; each sheet beside an earlier year's
that holds the same figures. A view's rows keep the source cells of both
sides, so the quality page can say where to look. A total adds up exactly
unless the catalog states a tolerance for its indicator (:func:`tolerances_used`
says where one was). This module does not import Great Expectations:
:mod:`ictanalysis.validate` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ictanalysis.catalog import CATALOG_DIR, Catalog, StrictModel, read_yaml, total_excess
from ictanalysis.tidy import COLUMNS, KEY, SOURCE, SOURCE_SEPARATOR, key_without, schema_is_sound
from ictanalysis.years import YearPair

__all__ = ["VIEWS", "Rule", "build_views", "load_rules", "tolerances_used"]

#: A sheet is compared with earlier years' when it holds at least this many figures that are not zero:
#: one or two figures equal to last year's, or a sheet of zeros, prove nothing.
REPEAT_MIN_FIGURES = 3


class Rule(StrictModel):
    """One rule of the gate; see catalog/rules.yaml."""

    id: str
    severity: Literal["error", "warning"]
    view: Literal["table", "sources", "areas", "units", "ranges", "completeness", "district_totals", "enterprise_totals",
                  "agency_totals", "parts", "changes", "repeated_years", "held_domains"]  # fmt: skip
    expect: str
    kwargs: dict[str, Any]

    def arguments(self, catalog: Catalog, pair: YearPair) -> dict[str, Any]:
        """Return the expectation's arguments with "{name}" placeholders filled from the catalog.

        `{areas}` is the province and its districts (or communes), with, in a year when its ground was
        several provinces, theirs: a figure about another province is as wrong in this report as an
        unknown code.
        """
        lists = {
            "{columns}": list(COLUMNS),
            "{key}": list(KEY),
            "{indicators}": sorted(catalog.indicators),
            "{areas}": sorted(_areas(catalog, pair)),
            "{operators}": ["", *sorted(catalog.operators)],
            "{agencies}": ["", *sorted(catalog.agencies)],
        }
        return {key: lists.get(value, value) if isinstance(value, str) else value for key, value in self.kwargs.items()}


def _areas(catalog: Catalog, pair: YearPair) -> set[str]:
    """Return the codes of the province, its ground in either year and the units below it (any year without one)."""
    areas = {pair.province, *(a.code for a in catalog.districts(pair.province))}
    for year in (pair.year, pair.compare_year):
        areas |= {*catalog.territory(pair.province, year, pair.year),
                  *(a.code for a in catalog.subunits(pair.province, year, pair.year))}
    return areas


def _ground(rows: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.Series:
    """Return, for each row, the province of its year's map its area is or lies in.

    An unknown area (``area_known`` fails on it) counts as the report's province's when that was one
    province that year, as a district of it: its value stays in the sum, so that one wrong code is one
    failure. In a year when the province was several, it lies in none ("").
    """
    found = {}
    for year, area in rows[["year", "area"]].drop_duplicates().itertuples(index=False):
        unit, ground = catalog.area(area, int(year)), catalog.territory(pair.province, int(year), pair.year)
        if unit is None:
            found[(year, area)] = ground[0] if len(ground) == 1 else ""
        else:
            found[(year, area)] = unit.code if unit.level == "province" else unit.parent or ""
    return pd.Series([found[key] for key in zip(rows["year"], rows["area"], strict=True)], index=rows.index,
                     dtype=object)  # fmt: skip


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


def _area_years(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each row, with `known` true when its area is the province or a unit of its ground in the row's year.

    The ground is the province's as of the report year, and in a year outside the pair also its
    lineage's (a table of 2026 against 2025 may hold 2024's rows of Khánh Hòa and Ninh Thuận). A
    figure about another province, or a code of another year's map, is as wrong as an unknown code.
    """
    known: dict[int, set[str]] = {}
    for year in {int(y) for y in table["year"].dropna()} if len(table) else ():
        as_of = (pair.year,) if year in (pair.year, pair.compare_year) else (pair.year, None)
        known[year] = {pair.province} | {code for when in as_of for code in (
            *catalog.territory(pair.province, year, when), *(a.code for a in catalog.subunits(pair.province, year, when)))}
    rows = zip(table["year"], table["area"], strict=True)  # a missing area is area_present's, not this rule's
    return table.assign(known=[pd.isna(area) or area in known.get(int(year), ()) for year, area in rows])


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
    """One row per (year, indicator, area) the pair must hold, `present` when the table has it.

    What one year of the pair holds, the other must hold too: an indicator with a ``completeness``
    in the catalog, of a domain both years hold as the report's declaration counts it
    (:func:`ictanalysis.contents.held`), is asked for in both years when either year gives it, for
    the province and, when either year gives it by district (``completeness: districts``), for every
    district in force, in the years its definition is in force (not level 4 in 2022, nor toàn trình
    in 2021: :meth:`ictanalysis.catalog.Catalog.out_of_time`). A domain or an indicator neither year gives (a yearbook-only province's postal
    work, district figures a province never collects) is not asked for: the report says it lacks them;
    a domain one year lacks altogether is the warning of :func:`_held_domains`.
    """
    from ictanalysis.contents import held

    holding = held(table, catalog, pair.province, (pair.compare_year, pair.year))
    domains = holding.domains(pair.year) & holding.domains(pair.compare_year)
    provinces = {year: catalog.territory(pair.province, year, pair.year) or (pair.province,)
                 for year in (pair.compare_year, pair.year)}
    rows = table[table["year"].isin([pair.compare_year, pair.year]) & table["area"].isin(_areas(catalog, pair))]
    whole = [area in provinces[year] for year, area in zip(rows["year"], rows["area"], strict=True)]
    given, by_district = set(rows["indicator"]), set(rows.loc[[not w for w in whole], "indicator"])
    wanted = []
    for year in (pair.compare_year, pair.year):
        for indicator in catalog.indicators.values():
            if indicator.domain not in domains or indicator.id not in given or indicator.completeness == "none":
                continue
            if catalog.out_of_time(indicator.id, year):  # level 4 from 2022 on, toàn trình before it
                continue
            by_area = indicator.completeness == "districts" and indicator.id in by_district
            for province in provinces[year]:
                below = [a.code for a in catalog.children(province, year)] if by_area else []
                wanted += [(year, indicator.id, area) for area in [province, *below]]
    needed = pd.DataFrame(wanted, columns=["year", "indicator", "area"]).astype({"year": "int64"})
    have = table[["year", "indicator", "area"]].drop_duplicates().assign(present=True)
    merged = needed.merge(have, on=["year", "indicator", "area"], how="left")
    return merged.assign(present=merged["present"].eq(True))


def _held_domains(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """One row per (year, domain) either year of the pair holds, `present` when that year holds it.

    A year without a whole domain (no postal workbook that year, say) is a warning: the report says
    so in words, and the analyst sees whether a workbook was forgotten.
    """
    from ictanalysis.contents import held

    holding = held(table, catalog, pair.province, (pair.compare_year, pair.year))
    rows = [(year, domain, domain in holding.domains(year)) for year in (pair.compare_year, pair.year)
            for domain in sorted(holding.domains())]  # fmt: skip
    return pd.DataFrame(rows, columns=["year", "domain", "present"]).astype({"year": "int64"})


@dataclass(frozen=True)
class _Breakdown:
    """One dimension the catalog's sums run over: its whole, and the view's names for the two sides."""

    dimension: str  #: the key column summed over
    whole: str  #: the whole's value column
    total: str  #: the parts' sum
    count: str  #: how many parts were summed
    cells: str  #: where the parts were read

    def is_whole(self, rows: pd.DataFrame) -> pd.Series:
        """Tell which rows are the whole: a province (its `ground`), or the figure of all enterprises or agencies."""
        return rows[self.dimension] == (rows[_GROUND] if self.dimension == "area" else "")

    def group(self) -> list[str]:
        """Return the columns a whole and its parts share: the key but the dimension, and the province."""
        return [*key_without(self.dimension), _GROUND]


_GROUND = "ground"  #: the column of the province a row's area is or lies in, in the row's year


_DISTRICTS = _Breakdown("area", "province_value", "district_sum", "districts", "district_cells")
_ENTERPRISES = _Breakdown("operator", "all_enterprises_value", "enterprise_sum", "enterprises", "enterprise_cells")
_AGENCIES = _Breakdown("agency", "all_agencies_value", "agency_sum", "agencies", "agency_cells")


def _breakdown_totals(table: pd.DataFrame, catalog: Catalog, pair: YearPair, breakdown: _Breakdown) -> pd.DataFrame:
    """Each whole of an additive indicator beside the sum of its parts along one dimension."""
    rows = _years(table, pair)
    rows = rows[rows["indicator"].map(lambda i: _aggregates(catalog, i)).astype(bool)]
    rows = rows.assign(**{_GROUND: _ground(rows, catalog, pair)})
    if breakdown is not _DISTRICTS:  # an enterprise given by district only still counts in the province's sum
        rows = pd.concat([rows, _province_sums(rows, catalog)], ignore_index=True)
    derived = _derived_wholes(rows, catalog)
    derived = derived.assign(**{_GROUND: _ground(derived, catalog, pair)})
    whole = breakdown.is_whole(rows)
    parts = pd.concat([rows[~whole], derived[~breakdown.is_whole(derived)]], ignore_index=True)
    parts = parts.sort_values(list(KEY), kind="stable")
    names = (breakdown.total, breakdown.count, breakdown.cells)
    merged = _beside_parts(rows[whole], parts, breakdown.group(), names)
    return _with_excess(merged.rename(columns={"value": breakdown.whole}), catalog, breakdown.whole, breakdown.total)


def _district_totals(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each province figure of an additive indicator beside the sum of its districts (per enterprise and agency)."""
    return _breakdown_totals(table, catalog, pair, _DISTRICTS)


def _enterprise_totals(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each all-enterprise figure beside the sum of the enterprises' own (per area and agency)."""
    return _breakdown_totals(table, catalog, pair, _ENTERPRISES)


def _agency_totals(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each all-agency figure beside the sum of the agencies' own (per area and enterprise)."""
    return _breakdown_totals(table, catalog, pair, _AGENCIES)


def _parts(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each whole (e.g. mobile subscribers) beside the sum of its parts, where all of them are given."""
    rows = _years(table, pair)
    frames = []
    for whole in (i for i in catalog.indicators.values() if i.parts):
        wholes = rows[rows["indicator"] == whole.id]
        parts = rows[rows["indicator"].isin(whole.parts)]
        merged = _beside_parts(wholes, parts, key_without("indicator"), ("parts_sum", "parts_given", "part_cells"))
        frames.append(merged[merged["parts_given"] == len(whole.parts)])
    merged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return _with_excess(merged.rename(columns={"value": "whole_value"}), catalog, "whole_value", "parts_sum")


def _province_sums(rows: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Return, for each figure given for every district in force but not for its province, the districts' sum.

    An enterprise's sheet without a total row gives its districts only; their sum is
    its province figure, which the all-enterprise figure of another sheet must then
    equal. The derived row's cell names its districts' cells ("C7 + … + C13"). Each
    province of the year's map is summed apart (in 2024, Khánh Hòa's and Ninh Thuận's).
    """
    group = [*key_without("area"), _GROUND]
    districts = rows[(rows["area"] != rows[_GROUND]) & (rows[_GROUND] != "")]
    sums = districts.groupby(group, as_index=False, sort=False, dropna=False).agg(
        value=("value", "sum"), given=("area", "nunique"), source_file=("source_file", "first"),
        source_sheet=("source_sheet", "first"), source_cell=("source_cell", " + ".join),
        domain=("domain", "first"), unit=("unit", "first"),
    )  # fmt: skip
    counts = [len(catalog.children(province, int(year))) for year, province in zip(sums["year"], sums[_GROUND],
                                                                                     strict=True)]  # fmt: skip
    sums = sums[sums["given"] == counts].drop(columns="given")
    sums = sums.assign(area=sums[_GROUND])
    given = pd.MultiIndex.from_frame(rows.loc[rows["area"] == rows[_GROUND], group])
    return sums[~pd.MultiIndex.from_frame(sums[group]).isin(given)].reset_index(drop=True)


def _derived_wholes(rows: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Return, on each sheet that gives all parts of a whole but never the whole itself, the parts' sums as the whole.

    2019's form gives each enterprise's prepaid and postpaid subscribers, not their total: their sum
    then stands for the enterprise's figure beside an all-enterprise one from another source. A
    derived whole's cell names its parts' cells ("D9 + C9").
    """
    group, derived = key_without("indicator"), []
    for whole in (i for i in catalog.indicators.values() if i.parts):
        given = pd.MultiIndex.from_frame(rows.loc[rows["indicator"] == whole.id, ["source_file", "source_sheet"]])
        parts = rows[rows["indicator"].isin(whole.parts)]
        parts = parts[~pd.MultiIndex.from_frame(parts[["source_file", "source_sheet"]]).isin(given)]
        sums = parts.groupby([*group, "source_file", "source_sheet"], as_index=False, sort=False).agg(
            value=("value", "sum"), given=("indicator", "nunique"), source_cell=("source_cell", " + ".join)
        )
        sums = sums[sums["given"] == len(whole.parts)].drop(columns="given")
        derived.append(sums.assign(indicator=whole.id, domain=whole.domain, unit=whole.unit))
    return pd.concat(derived, ignore_index=True) if derived else rows.iloc[0:0]


def _beside_parts(wholes: pd.DataFrame, parts: pd.DataFrame, group: list[str], names: tuple[str, ...]) -> pd.DataFrame:
    """Return each row of `wholes` with the sum, number and cells (`names`) of the `parts` sharing its `group`.

    A part read on the whole's own sheet is named by its cell; one read elsewhere by its file, sheet and
    cell, so that a disagreement between two sources names both.
    """
    total, count, cells = names
    wholes = wholes.reset_index(drop=True)
    left = wholes[[*group, "source_file", "source_sheet"]].reset_index(names="whole")
    pairs = left.merge(parts[[*group, "value", *SOURCE]], on=group, suffixes=("_whole", ""))
    same = pairs["source_file"].eq(pairs["source_file_whole"]) & pairs["source_sheet"].eq(pairs["source_sheet_whole"])
    where = pairs["source_file"] + SOURCE_SEPARATOR + pairs["source_sheet"] + SOURCE_SEPARATOR + pairs["source_cell"]
    pairs["cell"] = pairs["source_cell"].where(same, where)
    sums = pairs.groupby("whole").agg(**{total: ("value", "sum"), count: ("value", "count"), cells: ("cell", _cells)})
    return wholes.join(sums, how="inner").reset_index(drop=True)


def _changes(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each value of the report year beside the compared year's, with the change allowed.

    `excess` is the ratio of the change to the indicator's threshold: over 1
    is worth a warning. A value below the catalog's `change_min_base` the year
    before (small counts swing) or absent then is not judged.
    """
    group = key_without("year")
    from ictanalysis.compare import comparable_areas

    areas = comparable_areas(catalog, pair)
    now, before = (_with_comparable_areas(_as_merged(table[table["year"] == year], catalog, pair, year), catalog, areas,
                                          year) for year in (pair.year, pair.compare_year))  # fmt: skip
    before = before[[*group, "value", *SOURCE]]
    merged = now.merge(before, on=group, how="inner", suffixes=("", "_before"))
    merged = merged[(merged["value_before"] >= max(catalog.change_min_base, 1e-9)) & (merged["value"] >= 0)].copy()
    limit = 1 + merged["indicator"].map(catalog.max_change).astype(float)
    ratio = merged["value"] / merged["value_before"]
    merged["change_percent"] = (ratio - 1) * 100
    merged["excess"] = np.maximum(ratio, 1 / ratio.where(ratio > 0, np.nan)).fillna(np.inf) / limit
    return merged.reset_index(drop=True)


def _as_merged(rows: pd.DataFrame, catalog: Catalog, pair: YearPair, year: int) -> pd.DataFrame:
    """Return the rows of `year` with its former provinces' figures summed as the merged province's.

    Across the 2025 merger the province's figure of the compared year is its predecessors' sum (where the
    indicator's figures add up across it, and each gives one); their own rows go, so that the former
    Khánh Hòa's 2024 figure is never set beside the merged province's 2025 one.
    """
    ground = catalog.territory(pair.province, year, pair.year)
    if len(ground) < 2:
        return rows
    adds = rows["indicator"].map(lambda i: i in catalog.indicators and catalog.indicator(i).adds_across_merger)
    merged = _summed_over(rows[adds.astype(bool)], ground, pair.province)
    return pd.concat([rows[~rows["area"].isin(ground)], merged], ignore_index=True)


def _with_comparable_areas(rows: pd.DataFrame, catalog: Catalog, areas: dict, year: int) -> pd.DataFrame:
    """Add, across the 2025 map, each comparable area's sum (its districts' one year, its communes' the other).

    `areas` is :func:`ictanalysis.compare.comparable_areas` of the pair (none when both years share a map).
    Area codes of the two years never meet then; their comparable areas do, as the report compares them.
    """
    adds = rows[rows["indicator"].map(lambda i: _aggregates(catalog, i)).astype(bool)]
    return pd.concat([rows, *(_summed_over(adds, units[year], key) for key, units in areas.items())],
                     ignore_index=True)  # fmt: skip


def _summed_over(rows: pd.DataFrame, areas: tuple[str, ...], area: str) -> pd.DataFrame:
    """Return the rows' figures summed over `areas` as figures of `area`, where every one of `areas` gives one.

    The sum's file, sheet and cell join those of its parts with " + ".
    """
    parts = rows[rows["area"].isin(areas)]
    sums = parts.groupby(key_without("area"), as_index=False, sort=False, dropna=False).agg(
        value=("value", "sum"), given=("area", "nunique"), domain=("domain", "first"), unit=("unit", "first"),
        **{column: (column, " + ".join) for column in SOURCE})  # fmt: skip
    return sums[sums["given"] == len(areas)].drop(columns="given").assign(area=area)


def _years(table: pd.DataFrame, pair: YearPair) -> pd.DataFrame:
    return table[table["year"].isin([pair.year, pair.compare_year])]


def _aggregates(catalog: Catalog, indicator_id: str) -> bool:
    indicator = catalog.indicators.get(indicator_id)
    return indicator is not None and indicator.aggregation == "sum"


def _cells(cells: pd.Series) -> str:
    return ", ".join(cells.astype(str))


def _with_excess(frame: pd.DataFrame, catalog: Catalog, total: str, parts: str) -> pd.DataFrame:
    """Add the difference, the difference `allowed` and `excess` (over 1: too far).

    `allowed` is 0 unless the catalog states a tolerance for the indicator and the total and the
    parts' sum are rounded as it assumes: the total must otherwise be the exact sum
    (:func:`ictanalysis.catalog.total_excess`).
    """
    if frame.empty:
        return frame.assign(difference=[], allowed=[], excess=[])
    frame = frame.reset_index(drop=True)
    tolerances = frame["indicator"].map(catalog.tolerance)
    frame["difference"] = frame[total] - frame[parts]
    figures = list(zip(frame[total], frame[parts], strict=True))  # rounded as the tolerance assumes, or exact
    frame["allowed"] = [t.allowed(v, f) if t else 0.0 for t, v, f in zip(tolerances, frame[parts], figures, strict=True)]
    frame["excess"] = [
        total_excess(d, v, t, f)
        for d, v, t, f in zip(frame["difference"], frame[parts], tolerances, figures, strict=True)
    ]
    return frame


def tolerances_used(view: pd.DataFrame | None) -> pd.DataFrame:
    """Return, per indicator, the stated tolerance a view's totals were checked with: rows, allowed, largest difference.

    Empty for a view without tolerances (every total there had to add up exactly).

    >>> view = pd.DataFrame({"indicator": ["telecom_revenue", "telecom_revenue", "mobile_subscribers"],
    ...                      "difference": [-2e5, 1e5, 0.0], "allowed": [5e5, 5e5, 0.0]})
    >>> tolerances_used(view).values.tolist()
    [['telecom_revenue', 2, 500000.0, 200000.0]]
    """
    columns = ["indicator", "rows", "allowed", "largest_difference"]
    if view is None or "allowed" not in view.columns:
        return pd.DataFrame(columns=columns)
    used = view[view["allowed"] > 0].assign(largest_difference=lambda v: v["difference"].abs())
    grouped = used.groupby("indicator", as_index=False, sort=True)
    return grouped.agg(rows=("allowed", "size"), allowed=("allowed", "max"),
                       largest_difference=("largest_difference", "max"))  # fmt: skip


def _repeated_years(table: pd.DataFrame, catalog: Catalog, pair: YearPair) -> pd.DataFrame:
    """Each sheet of the pair's years, `repeated` when all its figures are an earlier year's sheet's.

    A workbook that carries last year's figures under new titles reads without a problem: only its
    figures betray it. A figure is the same when its indicator, area, enterprise, agency and value
    are; a sheet is judged when it holds :data:`REPEAT_MIN_FIGURES` figures that are not zero. The
    earlier sheet is `year_before`, `source_file_before`, `source_sheet_before`; each side's
    `source_cell` is the range its figures span.
    """
    sheet, figure = ["year", "source_file", "source_sheet"], ["indicator", "area", "operator", "agency", "value"]
    rows = table.dropna(subset=["value"])
    sheets = _sheets(rows, sheet)
    judged = sheets[sheets["year"].isin([pair.year, pair.compare_year]) & (sheets["nonzero"] >= REPEAT_MIN_FIGURES)]
    matches = rows[[*sheet, *figure]].merge(rows[[*sheet, *figure]], on=figure, suffixes=("", "_before"))
    matches = matches[matches["year_before"] < matches["year"]]
    before = [f"{c}_before" for c in sheet]
    counts = matches.groupby([*sheet, *before], as_index=False).size()
    found = judged.merge(counts, on=sheet, how="inner")
    found = found[found["size"] == found["figures"]].sort_values("year_before", ascending=False, kind="stable")
    found = found.drop_duplicates(sheet)  # the latest earlier year a sheet repeats
    renamed = dict(zip([*sheet, "source_cell"], [*before, "source_cell_before"], strict=True))
    earlier = sheets[list(renamed)].rename(columns=renamed)
    found = found.merge(earlier, on=before, how="left")[[*sheet, *before, "source_cell_before"]]
    view = judged.merge(found, on=sheet, how="left").reset_index(drop=True)
    return view.assign(repeated=view["year_before"].notna(), year_before=view["year_before"].astype("Int64"))


def _sheets(rows: pd.DataFrame, sheet: list[str]) -> pd.DataFrame:
    """One row per sheet and year: its indicators, how many figures (and not zero), the range of its cells."""
    grouped = rows.groupby(sheet, as_index=False, sort=True)
    return grouped.agg(
        indicator=("indicator", lambda s: ", ".join(sorted(set(s.dropna().astype(str))))), figures=("value", "size"),
        nonzero=("value", lambda v: int((v != 0).sum())), source_cell=("source_cell", _span),
    )  # fmt: skip


def _span(cells: pd.Series) -> str:
    """Return the range the A1 cells span ("C8:N15"), or the cells themselves when not all are A1 names.

    >>> _span(pd.Series(["C9", "AA8", "D15"]))
    'C8:AA15'
    """
    found = [re.fullmatch(r"([A-Z]+)([0-9]+)", str(cell)) for cell in cells]
    if not found or not all(found):
        return _cells(cells)
    columns = sorted({m.group(1) for m in found}, key=lambda letters: (len(letters), letters))
    rows = sorted(int(m.group(2)) for m in found)
    return f"{columns[0]}{rows[0]}:{columns[-1]}{rows[-1]}"


VIEWS = {
    "table": _table,
    "sources": _sources,
    "areas": _area_years,
    "units": _units,
    "ranges": _ranges,
    "completeness": _completeness,
    "district_totals": _district_totals,
    "enterprise_totals": _enterprise_totals,
    "agency_totals": _agency_totals,
    "parts": _parts,
    "changes": _changes,
    "repeated_years": _repeated_years,
    "held_domains": _held_domains,
}
