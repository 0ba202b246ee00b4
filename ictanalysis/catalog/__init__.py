"""The catalog: indicators, units, areas, operators and agencies, loaded from YAML.

The YAML files beside this module are the data; this module validates them
(unknown keys are rejected) and answers the lookups ingest needs: which
indicator a header names, which area a district spelling means, how to convert
"triệu đồng" into đồng.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ictanalysis.catalog import gazetteer
from ictanalysis.errors import ExitCode, IctAnalysisError, UsageError
from ictanalysis.normalise import fold

CATALOG_DIR = Path(__file__).parent

__all__ = [
    "Agency", "Area", "Catalog", "CatalogError", "Indicator", "Operator", "Replacement", "StrictModel", "Tolerance",
    "load_catalog", "read_yaml", "total_excess",
]  # fmt: skip


class CatalogError(IctAnalysisError, ValueError):
    """A catalog or layout file that does not validate."""

    exit_code = ExitCode.INPUT


class StrictModel(BaseModel):
    """A frozen model that rejects unknown keys: the base of every YAML schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(StrictModel):
    """How far an indicator's total may be from the sum of its parts, and why (e.g. figures rounded to the million).

    Stated in the catalog only where the senders' practice needs one; without it a total adds up exactly.
    `reason` says why in Vietnamese, `reason_en` in English. `precision` is the rounding the reason
    is about (100.000 đồng for revenue written in million đồng with one decimal): figures not all
    rounded to it were written more precisely, and must add up exactly.
    """

    absolute: float = Field(default=0, ge=0)
    relative: float = Field(default=0, ge=0)
    precision: float = Field(gt=0)
    reason: str = Field(min_length=1)
    reason_en: str = Field(min_length=1)

    def allowed(self, expected: float, figures: Iterable[float] = ()) -> float:
        """Return the difference allowed from `expected`: the absolute amount or the relative share, the larger.

        Nothing is allowed when one of `figures` (the total and its parts as read) is not rounded to `precision`.

        >>> t = Tolerance(absolute=5e5, precision=1e5, reason="làm tròn", reason_en="rounded")
        >>> t.allowed(1.1e12, [1.1e12, 3.2e11]), t.allowed(1.1e12, [1.1e12, 320_000_001_000.0])
        (500000.0, 0.0)
        """
        if not all(abs(f / self.precision - round(f / self.precision)) < 1e-6 for f in figures):
            return 0.0
        return max(self.absolute, self.relative * abs(expected))


#: What float arithmetic alone may leave between a sum and an equal total: a 10⁻¹² share (and 10⁻⁹ absolute),
#: far below one of any count. It is not a tolerance: the figures as written must add up exactly.
_FLOAT_ROUNDING = (1e-12, 1e-9)


def total_excess(difference: float, expected: float, tolerance: Tolerance | None, figures: Iterable[float] = ()) -> float:
    """Return how far a total is from the sum `expected` of its parts, in units of what may be: over 1 is too far.

    Without a tolerance (or for `figures` not rounded as it assumes) only float arithmetic's own rounding may be.

    >>> total_excess(150.0, 333962.0, None) > 1, total_excess(1.2e-4, 1.05e12, None) < 1
    (True, True)
    >>> total_excess(4e5, 1.1e12, Tolerance(absolute=5e5, precision=1e5, reason="làm tròn", reason_en="rounded"))
    0.8
    """
    share, floor = _FLOAT_ROUNDING
    slack = max(tolerance.allowed(expected, figures) if tolerance else 0.0, share * abs(expected), floor)
    return abs(difference) / slack


class Unit(StrictModel):
    id: str
    name_en: str
    factors: dict[str, float]


class Replacement(StrictModel):
    """The indicator an indicator replaces from a report year on, and whether their figures compare.

    Definitions move: from 2022 (Nghị định 42/2022/NĐ-CP) online public services are counted as
    "toàn trình" (comparable with the former level 4) and "một phần" (not comparable with any one level).
    A year's figures are year-end figures, so `since` is the first report year of the new definition.
    """

    indicator: str
    since: int = Field(ge=1900, le=2100)
    comparable: bool
    basis: str = Field(min_length=1)  #: the act that changed the definition, as its title is written


class Indicator(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    domain: Literal["postal", "telecom", "internet", "egov", "admin", "population"]
    name_vi: str
    name_en: str
    unit: str
    itu: str | None = None
    source: Literal["department", "gso"] = "department"
    aggregation: Literal["sum", "none"]
    #: how the former provinces' figures make the merged province's (2025): its `aggregation` unless stated
    merger: Literal["sum", "none"] | None = None
    completeness: Literal["districts", "province", "none"]
    max_change: float | None = Field(default=None, gt=0)
    range: tuple[float, float]
    parts: tuple[str, ...] = ()
    tolerance: Tolerance | None = None
    aliases: tuple[str, ...] = ()
    #: the indicator this one replaces from a year on (see :class:`Replacement`)
    replaces: Replacement | None = None

    @property
    def adds_across_merger(self) -> bool:
        """Tell whether the former provinces' figures add up to the merged province's (`merger`, else `aggregation`)."""
        return (self.merger or self.aggregation) == "sum"


class Area(StrictModel):
    """One administrative unit: a province, a district (until 2025-06-30) or a commune, with its validity dates."""

    code: str
    level: Literal["province", "district", "commune"]
    name: str
    full_name: str
    name_en: str
    parent: str | None
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    spellings: tuple[str, ...] = ()

    def valid_in(self, year: int) -> bool:
        """Tell whether the unit existed at some time during `year`."""
        starts = self.valid_from is None or self.valid_from <= dt.date(year, 12, 31)
        ends = self.valid_to is None or self.valid_to >= dt.date(year, 1, 1)
        return starts and ends

    def in_force(self, on: dt.date) -> bool:
        """Tell whether the unit was in force on the day `on` (a year's map is its units on 31 December)."""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


class Operator(StrictModel):
    name: str
    kind: Literal["telecom", "postal"]
    spellings: tuple[str, ...]


class Agency(StrictModel):
    name: str
    name_en: str
    spellings: tuple[str, ...] = ()


class _Defaults(StrictModel):
    max_change: float = Field(gt=0)
    change_min_base: float = Field(ge=0)


class _IndicatorFile(StrictModel):
    defaults: _Defaults
    indicators: tuple[Indicator, ...]


class _UnitFile(StrictModel):
    units: tuple[Unit, ...]


class _AreaFile(StrictModel):
    areas: tuple[Area, ...]


class _OperatorFile(StrictModel):
    operators: tuple[Operator, ...]


class _AgencyFile(StrictModel):
    agencies: tuple[Agency, ...]


# Words that only say what kind of unit a name is: "Huyện Bác Ái" is Bác Ái.
_AREA_PREFIXES = ("thanh pho", "tp", "huyen", "h", "thi xa", "tx", "quan", "q", "tinh", "thi tran")
# The same for a commune: "Xã Bác Ái Tây", "P. Phan Rang", "Đặc khu Trường Sa" (never a district's word).
_COMMUNE_PREFIXES = ("phuong", "xa", "dac khu", "thi tran", "tt", "p", "x")


# libyaml's loader reads the 768-unit gazetteer in a fifth of the pure-Python loader's time.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, model: type[BaseModel]) -> BaseModel:
    """Load one YAML file and validate it against `model`.

    Raises:
        CatalogError: naming the file and every field that does not validate.
    """
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
        return model.model_validate(raw)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from None
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc'])) or 'the file'}: {_plain_message(e)}" for e in exc.errors()]
        raise CatalogError(f"{path}: " + "; ".join(errors)) from None


def _plain_message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "missing"
    return error["msg"]


@dataclass(frozen=True)
class _YearMap:
    """The units in force on 31 December of one year, and the names of its provinces and the level below them."""

    units: dict[str, gazetteer.Unit]  # by code: a code names one unit on one day
    level: str  # the level below the provinces: "district" until 2025, "commune" from 2025
    provinces: tuple[Area, ...]
    below: dict[str, tuple[Area, ...]]  # province code → its units one level below
    below_names: dict[tuple[str, str], tuple[str, ...]]  # (province, folded spelling) → codes
    province_names: dict[tuple[str, str], tuple[str, ...]]  # (province, folded spelling) → its code


class _Places:
    """The catalog's lookups of areas in time: the map of a year is the units in force on its 31 December.

    Annual figures are year-end figures, so 2024's map has Khánh Hòa (56, until 2025-06-11) and Ninh Thuận
    (58) with their districts, and 2025's the new Khánh Hòa (56) with its 65 communes and no districts.
    A province code means the province of the latest map where there is one (56: the new Khánh Hòa), else
    the former province (58). Mixed into :class:`Catalog`, which holds `areas` (areas.yaml, by code).
    """

    areas: dict[str, Area]

    def area(self, code: str, year: int) -> Area | None:
        """Return the unit that `code` named in `year`'s map, or None (codes are reused: 56, and 22759 below).

        >>> catalog = load_catalog()
        >>> catalog.area("56", 2024).valid_to, catalog.area("56", 2025).valid_from, catalog.area("58", 2025)
        (datetime.date(2025, 6, 11), datetime.date(2025, 6, 12), None)
        >>> catalog.area("22759", 2025).full_name, catalog.area("22759", 2024).full_name
        ('Phường Phan Rang', 'Phường Kinh Dinh')
        """
        unit = self._map(year).units.get(code)
        return None if unit is None else self._as_area(unit)

    def provinces(self, year: int) -> list[Area]:
        """Return the provinces of `year`'s map: 63 until 2024, 34 from 2025 (``len(load_catalog().provinces(2025))``)."""
        return list(self._map(year).provinces)

    def sublevel(self, year: int) -> str:
        """Return the level below the provinces in `year`'s map: "district" until 2024, "commune" from 2025."""
        return self._map(year).level

    def territory(self, province: str, year: int, as_of: int | None = None) -> tuple[str, ...]:
        """Return the codes of the provinces of `year`'s map that make up `province` (none for a former one after it).

        `province` is the unit of `as_of`'s map (a report's year), of the latest one without it: 56 as of
        2024 is the former Khánh Hòa alone, whose own report of 2024 compares it with its own 2023.

        >>> catalog = load_catalog()
        >>> catalog.territory("56", 2025), catalog.territory("56", 2024), catalog.territory("58", 2020)
        (('56',), ('56', '58'), ('58',))
        >>> catalog.territory("56", 2023, as_of=2024), catalog.territory("56", 2025, as_of=2024)
        (('56',), ())
        """
        in_map = {a.code for a in self._map(year).provinces}
        then = None if as_of is None else self.area(province, as_of)
        if then is not None and then.level == "province" and then.valid_to is not None:  # a province that ceased
            same = self.area(province, year)
            return (province,) if same is not None and same.valid_from == then.valid_from else ()
        if province in self._latest_provinces:
            return tuple(sorted({province, *gazetteer.predecessors(province)} & in_map))
        return (province,) if province in in_map else ()

    def children(self, code: str, year: int) -> list[Area]:
        """Return the units directly below the unit `code` of `year`'s map: a province's districts or communes.

        >>> catalog = load_catalog()
        >>> len(catalog.children("56", 2024)), len(catalog.children("58", 2024)), len(catalog.children("56", 2025))
        (9, 7, 65)
        """
        return list(self._map(year).below.get(code, ()))

    def subunits(self, province: str, year: int, as_of: int | None = None) -> list[Area]:
        """Return the units one level below the territory in `year`'s map: districts until 2025, then communes.

        :meth:`districts` is the part of these whose parent is `province` itself (none from 2025).

        >>> catalog = load_catalog()
        >>> len(catalog.subunits("56", 2024)), len(catalog.subunits("56", 2025)), catalog.subunits("56", 2025)[0].level
        (16, 65, 'commune')
        """
        below = self._map(year).below
        return [a for code in self.territory(province, year, as_of) for a in below.get(code, ())]

    def _map(self, year: int) -> _YearMap:
        """Return `year`'s map (built once per year)."""
        if year not in self._maps:
            self._maps[year] = _year_map(year, self._as_area)
        return self._maps[year]

    def _as_area(self, unit: gazetteer.Unit) -> Area:
        """Return the area of a gazetteer unit: areas.yaml's entry (with its spellings) where it is the same unit."""
        if unit not in self._unit_areas:
            known = self.areas.get(unit.code)
            same = known is not None and (known.level, known.valid_from, known.valid_to) == (
                unit.level, unit.valid_from, unit.valid_to)  # fmt: skip
            self._unit_areas[unit] = known if same else _area_of(unit)
        return self._unit_areas[unit]

    @functools.cached_property
    def _maps(self) -> dict[int, _YearMap]:
        return {}

    @functools.cached_property
    def _unit_areas(self) -> dict[gazetteer.Unit, Area]:
        return {}

    @functools.cached_property
    def _latest_provinces(self) -> frozenset[str]:
        return frozenset(u.code for u in gazetteer.units(dt.date.max, "province"))

    @functools.cached_property
    def _every_name(self) -> dict[str, tuple[gazetteer.Unit, ...]]:
        """Map each folded spelling (with and without its kind word) to the units of any date so spelled."""
        index: dict[str, list[gazetteer.Unit]] = {}
        for unit in gazetteer.every_unit():
            for key in _keys(self._as_area(unit)):
                index.setdefault(key, []).append(unit)
        return {key: tuple(units) for key, units in index.items()}


class _Names(_Places):
    """The catalog's lookups of areas by name, in a year's map (:class:`_Places`)."""

    def find_area(self, label: str, *, province: str, year: int | None = None) -> Area | None:
        """Return the province or the unit below it that `label` names: in `year`'s map, among its territory.

        Kind words ("Huyện", "H.", "TP.", "Thành phố"; for communes "Xã", "Phường", "Đặc khu", "P.", "X.")
        are ignored, so "H. Bác Ái", "Huyện Bác Ái" and "BAC AI" are the same district. Without a year,
        `province`'s own districts of any year. See :meth:`find_in_map`.

        >>> catalog = load_catalog()
        >>> [catalog.find_area(x, province="56", year=2024).code for x in ("Tỉnh Ninh Thuận", "H. Ninh Hải")]
        ['58', '586']
        >>> catalog.find_area("P. Phan Rang", province="56", year=2025).code, catalog.find_area("H. Ninh Hải",
        ...     province="56", year=2025)
        ('22759', None)
        """
        if year is None:
            return _find_in_register(self.areas, self._area_names, label, province)
        return self.find_in_map(label, self.territory(province, year), year)

    def find_in_map(self, label: str, provinces: Iterable[str], year: int) -> Area | None:
        """Return the unit of `year`'s map among `provinces` and the level below them that `label` names, or None.

        The level below is tried first, then the provinces; two units of one name are none. From 2025 a
        commune's bare name that is also a former district's ("Bác Ái") is none: the row may be the district's;
        so is a name whose kind is not the commune's but a former unit's full name ("Phường Vĩnh Hải", a ward
        of Nha Trang until 2025, is not Xã Vĩnh Hải of the former Ninh Thuận).
        """
        year_map, key, provinces = self._map(year), fold(label), tuple(provinces)
        for names, level in ((year_map.below_names, year_map.level), (year_map.province_names, "province")):
            for candidate in (key, _strip_prefix(key, level)):
                codes = {c for p in provinces for c in names.get((p, candidate), ())}
                if len(codes) == 1:
                    found = self.area(codes.pop(), year)
                    bare = level == "commune" and _strip_prefix(key, level) == key
                    if bare and self._former_district(key, provinces, year):
                        return None
                    return None if candidate != key and self._former_full_name(key, found, provinces, year) else found
        return None

    def _former_full_name(self, key: str, found: Area, provinces: tuple[str, ...], year: int) -> bool:
        """Tell whether `key`, which names `found` only once its kind word is dropped, is a former unit's full name."""
        return fold(found.full_name) != key and any(fold(a.full_name) == key for a in self._former(key, provinces, year))

    def find_units(self, label: str, *, province: str) -> list[Area]:
        """Return every unit of any date that `label` names among `province`'s predecessors, successors and their units.

        >>> [(a.code, a.valid_to) for a in load_catalog().find_units("Huyện Bác Ái", province="56")]
        [('584', datetime.date(2025, 6, 30))]
        """
        family, key, found = _family(province), fold(label), {}
        for candidate in {key, _strip_prefix(key, "district"), _strip_prefix(key, "commune")}:
            for unit in self._every_name.get(candidate, ()):
                if unit.province in family and candidate in (key, _strip_prefix(key, unit.level)):
                    found[unit] = self._as_area(unit)
        return sorted(found.values(), key=lambda a: (a.valid_from or dt.date.min, len(a.code), a.code))

    def _former_district(self, key: str, provinces: tuple[str, ...], year: int) -> bool:
        """Tell whether `key` names a district of `provinces`' ground abolished before the end of `year`."""
        return any(a.level == "district" for a in self._former(key, provinces, year))

    def _former(self, key: str, provinces: tuple[str, ...], year: int) -> list[Area]:
        """Return the units `key` names on `provinces`' ground that were no longer in force at the end of `year`."""
        end = dt.date(year, 12, 31)
        return [a for p in provinces for a in self.find_units(key, province=p) if not a.in_force(end)]


class _Definitions:
    """The catalog's lookups of definitions in time: which indicator replaces which from a report year on.

    Mixed into :class:`Catalog`, which holds `indicators` (indicators.yaml, by id); see :class:`Replacement`.
    """

    indicators: dict[str, Indicator]

    def successor(self, indicator_id: str) -> Indicator | None:
        """Return the indicator that replaces `indicator_id` from a year on (its `replaces`), or None.

        >>> load_catalog().successor("online_services_level4").id
        'online_services_full'
        """
        return self._successors.get(indicator_id)

    @functools.cached_property
    def _successors(self) -> dict[str, Indicator]:
        return {i.replaces.indicator: i for i in self.indicators.values() if i.replaces is not None}

    def current(self, indicator_id: str, year: int) -> str:
        """Return the id that counts what `indicator_id` counted, under the definitions of report year `year`.

        >>> catalog = load_catalog()
        >>> catalog.current("online_services_level4", 2022), catalog.current("online_services_level4", 2021)
        ('online_services_full', 'online_services_level4')
        """
        found = self.successor(indicator_id)
        return found.id if found is not None and found.replaces.since <= year else indicator_id

    def out_of_time(self, indicator_id: str, year: int) -> tuple[Indicator, Indicator] | None:
        """Return (the replaced, its successor) when `indicator_id` is not a definition of `year`; else None.

        A replaced indicator is not one from its successor's `since` on, a successor not before it.
        """
        ind, successor = self.indicators[indicator_id], self.successor(indicator_id)
        if successor is not None and year >= successor.replaces.since:
            return ind, successor
        if ind.replaces is not None and year < ind.replaces.since:
            return self.indicators[ind.replaces.indicator], ind
        return None


class Catalog(_Names, _Definitions):
    """The validated catalog with the lookups that ingest and the quality gate use.

    Example:
        >>> catalog = load_catalog()
        >>> catalog.indicator("online_services_level4").unit
        'thủ tục'
        >>> catalog.find_area("H. Bác Ái", province="58").code
        '584'
        >>> catalog.find_operator("VNPT (VinaPhone)").name
        'VNPT'
        >>> catalog.unit_factor("triệu đồng", "đồng")
        1000000.0
    """

    def __init__(self, directory: Path = CATALOG_DIR) -> None:
        self.directory = directory
        indicator_file = read_yaml(directory / "indicators.yaml", _IndicatorFile)
        self.default_max_change = indicator_file.defaults.max_change
        self.change_min_base = indicator_file.defaults.change_min_base
        self.indicators = {i.id: i for i in indicator_file.indicators}
        self.units = {u.id: u for u in read_yaml(directory / "units.yaml", _UnitFile).units}
        self.areas = {a.code: a for a in read_yaml(directory / "areas.yaml", _AreaFile).areas}
        self.operators = {o.name: o for o in read_yaml(directory / "operators.yaml", _OperatorFile).operators}
        self.agencies = {a.name: a for a in read_yaml(directory / "agencies.yaml", _AgencyFile).agencies}
        self._check_references()
        self._indicator_names = _index({i.id: (i.name_vi, i.name_en, *i.aliases) for i in self.indicators.values()})
        self._operator_names = _index({o.name: (o.name, *o.spellings) for o in self.operators.values()})
        self._agency_names = _index({a.name: (a.name, *a.spellings) for a in self.agencies.values()})
        self._area_names = _area_index(self.areas.values())

    def _check_references(self) -> None:
        problems = []
        for ind in self.indicators.values():
            if ind.unit not in self.units:
                problems.append(f"indicator {ind.id}: unknown unit {ind.unit!r}")
            problems += [f"indicator {ind.id}: unknown part {p!r}" for p in ind.parts if p not in self.indicators]
            if ind.replaces is not None and ind.replaces.indicator not in self.indicators:
                problems.append(f"indicator {ind.id}: replaces unknown indicator {ind.replaces.indicator!r}")
        for area in self.areas.values():
            if area.parent is not None and area.parent not in self.areas:
                problems.append(f"area {area.code}: unknown parent {area.parent!r}")
        if problems:
            raise CatalogError(f"{self.directory}: " + "; ".join(problems))

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the indicator with this id (KeyError when unknown)."""
        return self.indicators[indicator_id]

    def tolerance(self, indicator_id: str) -> Tolerance | None:
        """Return how far a total may be from the sum of its parts for this indicator (None: not at all)."""
        return self.indicators[indicator_id].tolerance

    def max_change(self, indicator_id: str) -> float:
        """Return the year-on-year relative change beyond which a value is worth a warning."""
        return self.indicators[indicator_id].max_change or self.default_max_change

    def find_indicator(self, label: str) -> Indicator | None:
        """Return the indicator whose name or alias is `label`, ignoring diacritics and case."""
        found = self._indicator_names.get(fold(label))
        return self.indicators[found] if found else None

    def find_operator(self, label: str) -> Operator | None:
        """Return the enterprise that `label` names.

        The whole label is tried first, then the label without a parenthesis
        and then the parenthesis alone: "VNPT (VinaPhone)", "BĐT Ninh Thuận (VNPost)".
        """
        for candidate in _with_and_without_parenthesis(label):
            found = self._operator_names.get(fold(candidate))
            if found:
                return self.operators[found]
        return None

    def operator_suffix(self, label: str) -> tuple[Operator, str] | None:
        """Split an enterprise name off the end of a header, "Điện thoại cố định VNPT".

        Returns the enterprise and the rest of the label (folded), or None.
        """
        folded = fold(label)
        for spelling, name in self._operator_suffixes:
            if folded.endswith(" " + spelling):
                return self.operators[name], folded[: -len(spelling) - 1]
        return None

    @functools.cached_property
    def _operator_suffixes(self) -> list[tuple[str, str]]:
        return sorted(self._operator_names.items(), key=lambda item: -len(item[0]))

    def find_agency(self, label: str) -> Agency | None:
        """Return the public body that `label` names."""
        found = self._agency_names.get(fold(label))
        return self.agencies[found] if found else None

    def districts(self, province: str, year: int | None = None) -> list[Area]:
        """Return the districts of `province` in `year`'s map (any year's without one), by code.

        These are the :meth:`subunits` whose parent is `province`: for 2024 and province 56 the districts of
        the former Khánh Hòa alone, for 2025 none (the level was abolished on 2025-07-01).
        """
        if year is None:
            return [a for a in self.areas.values() if a.parent == province]
        return [a for a in self.subunits(province, year) if a.level == "district" and a.parent == province]

    def check_province(self, code: str) -> str:
        """Return `code` when it is a province of the catalog: one of the 63 until 2025 or of the 34 since.

        Raises:
            UsageError: naming a few codes there are (exit 2).
        """
        area = self.areas.get(code)
        if (area is None or area.level != "province") and code not in self._latest_provinces:
            codes = ", ".join(sorted(a.code for a in self.areas.values() if a.level == "province")[:8])
            raise UsageError(f"there is no province {code!r} in catalog/areas.yaml; province codes are {codes}, …")
        return code

    def check_report_province(self, code: str, year: int) -> str:
        """Return `code` when it names a province in `year`'s map, the report's year.

        >>> load_catalog().check_report_province("58", 2025)
        Traceback (most recent call last):
        ictanalysis.errors.UsageError: there is no province 58 in 2025: Ninh Thuận (58) was merged into Khánh Hòa (56) on 2025-06-12; report 2025 with --province 56

        Raises:
            UsageError: a former province after its merger, naming its successor (exit 2).
        """
        self.check_province(code)
        if self.area(code, year) is not None or code in {a.code for a in self._map(year).provinces}:
            return code
        former = self.areas[code]
        after = ", ".join(f"{self.area(s, year).name} ({s})" for s in gazetteer.successors(code) if self.area(s, year))
        merged = f"{former.name} ({code}) was merged into {after} on {former.valid_to + dt.timedelta(days=1)}"
        raise UsageError(f"there is no province {code} in {year}: {merged}; report {year} with --province "
                         f"{', '.join(gazetteer.successors(code))}")

    def unit_factor(self, written: str, canonical: str) -> float | None:
        """Return the multiplier from a unit as written to a canonical unit, or None.

        Bilingual units ("Nghìn thuê bao - Thous. subs.") are read part by part; see :func:`written_factor`.
        """
        return written_factor(self._unit_factors[canonical], written)

    @functools.cached_property
    def _unit_factors(self) -> dict[str, dict[str, float]]:
        """Map each canonical unit to its written forms (folded) and their factors."""
        return {
            unit.id: {_unit_key(name): float(factor) for name, factor in {unit.id: 1, **unit.factors}.items()}
            for unit in self.units.values()
        }


def _unit_key(text: str) -> str:
    """Return how a written unit is looked up: folded, or as written when folding leaves nothing ("%")."""
    return fold(text) or text.strip()


def written_factor(factors: dict[str, float], written: str) -> float | None:
    """Return the factor of a unit as written among one canonical unit's `factors`, or None when it is not certain.

    The whole text is tried first, then each side of a bilingual " - ": one known
    side is enough, two known sides must agree. A side holding "/" is a ratio
    ("TB/100 dân", "triệu đồng/người"), not the unit, unless every part of it
    gives the same factor ("Thuê bao/Subscriptions"). Punctuation alone is no unit.

    Example:
        >>> factors = {"thue bao": 1.0, "nghin thue bao": 1000.0, "thous subs": 1000.0, "tb": 1.0}
        >>> written_factor(factors, "Nghìn thuê bao - Thous. subs."), written_factor(factors, "TB/100 dân")
        (1000.0, None)
        >>> written_factor(factors, "Thuê bao - Thous. subs."), written_factor(factors, "___")
        (None, None)
    """
    key = _unit_key(written)
    if not key or key in factors:
        return factors.get(key)
    found = {_side_factor(factors, side) for side in written.split(" - ")} - {None}
    return found.pop() if len(found) == 1 else None


def _side_factor(factors: dict[str, float], side: str) -> float | None:
    """Return the factor of one side of a bilingual unit: a unit, or a "/" whose parts all agree; else None."""
    parts = {factors.get(_unit_key(part)) for part in side.split("/")} if _unit_key(side) else {None}
    return parts.pop() if len(parts) == 1 else None


def _area_index(areas) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """Map (parent, folded spelling) to the codes of the areas so spelled, with and without their kind word."""
    index: dict[tuple[str | None, str], set[str]] = {}
    for area in areas:
        for spelling in (area.name, area.full_name, area.name_en, *area.spellings):
            for key in {fold(spelling), _strip_area_prefix(fold(spelling))}:
                index.setdefault((area.parent, key), set()).add(area.code)
    return {key: tuple(sorted(codes)) for key, codes in index.items()}


def _index(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, spellings in names.items():
        for spelling in spellings:
            folded = fold(spelling)
            if index.get(folded, key) != key:
                raise CatalogError(f"{spelling!r} names both {index[folded]!r} and {key!r}")
            index[folded] = key
    return index


def _find_in_register(areas: dict[str, Area], names: dict, label: str, province: str) -> Area | None:
    """Return the province or one of its districts of any year (areas.yaml) that `label` names."""
    key = fold(label)
    for parent in (province, None):
        for candidate in (key, _strip_area_prefix(key)):
            codes = names.get((parent, candidate), ())
            if parent is None:
                codes = tuple(c for c in codes if c == province)
            if len(codes) == 1:
                return areas[codes[0]]
    return None


def _year_map(year: int, as_area) -> _YearMap:
    """Build the map of `year`: the units in force on its 31 December, with `as_area` turning each into an Area."""
    units = {u.code: u for u in gazetteer.units(dt.date(year, 12, 31))}
    level = "district" if any(u.level == "district" for u in units.values()) else "commune"
    provinces = tuple(as_area(u) for u in units.values() if u.level == "province")
    below: dict[str, list[Area]] = {}
    for unit in units.values():
        if unit.level == level:
            below.setdefault(unit.province, []).append(as_area(unit))
    return _YearMap(units, level, provinces, {code: tuple(areas) for code, areas in below.items()},
                    _names(a for areas in below.values() for a in areas), _names(provinces))  # fmt: skip


def _names(areas: Iterable[Area]) -> dict[tuple[str, str], tuple[str, ...]]:
    """Map (the province a unit lies in, folded spelling) to the codes of the units so spelled."""
    index: dict[tuple[str, str], set[str]] = {}
    for area in areas:
        province = area.code if area.level == "province" else area.parent
        for key in _keys(area):
            index.setdefault((province, key), set()).add(area.code)
    return {key: tuple(sorted(codes)) for key, codes in index.items()}


def _keys(area: Area) -> set[str]:
    """Return the folded spellings of `area`, with and without the kind word of its level."""
    folded = {fold(s) for s in (area.name, area.full_name, area.name_en, *area.spellings)}
    return folded | {_strip_prefix(f, area.level) for f in folded}


def _family(province: str) -> set[str]:
    """Return `province` with the provinces it went into and every province those were formed from."""
    new = {province, *gazetteer.successors(province)}
    return {p for code in new for p in (code, *gazetteer.predecessors(code))}


def _area_of(unit: gazetteer.Unit) -> Area:
    """Make an Area of a gazetteer unit that areas.yaml does not hold (a new province, a commune)."""
    return Area(code=unit.code, level=unit.level, name=unit.name, full_name=unit.full_name, name_en=_ascii(unit.name),
                parent=unit.parent if unit.level != "province" else None, kind=unit.kind,
                valid_from=unit.valid_from, valid_to=unit.valid_to)  # fmt: skip


def _ascii(text: str) -> str:
    """Return `text` without diacritics ("Bác Ái Tây" → "Bac Ai Tay"), the gazetteer's English names."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _strip_prefix(folded: str, level: str) -> str:
    """Return a folded name without the kind word of its level ("xa bac ai" → "bac ai" for a commune)."""
    prefixes = _COMMUNE_PREFIXES if level == "commune" else _AREA_PREFIXES
    for prefix in prefixes:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def _strip_area_prefix(folded: str) -> str:
    return _strip_prefix(folded, "district")


def _with_and_without_parenthesis(label: str) -> list[str]:
    head, sep, tail = label.partition("(")
    if not sep:
        return [label]
    return [label, head, tail.rstrip(") ")]


@functools.cache
def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Load and validate the catalog in `directory` (cached per directory).

    Raises:
        CatalogError: when a file is missing a field, has an unknown key or a
            dangling reference.
    """
    return Catalog(Path(directory))
