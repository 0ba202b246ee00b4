"""The catalog: indicators, units, areas, operators and agencies, loaded from YAML.

The YAML files beside this module are the data; this module validates them
(unknown keys are rejected) and answers the lookups ingest needs: which
indicator a header names, which area a district spelling means, how to convert
"triệu đồng" into đồng.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ictanalysis.errors import ExitCode, IctAnalysisError, UsageError
from ictanalysis.normalise import fold

CATALOG_DIR = Path(__file__).parent

__all__ = [
    "Agency", "Area", "Catalog", "CatalogError", "Indicator", "Operator", "StrictModel", "Tolerance", "load_catalog",
    "read_yaml", "total_excess",
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


class Indicator(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    domain: Literal["postal", "telecom", "internet", "egov", "admin", "population"]
    name_vi: str
    name_en: str
    unit: str
    itu: str | None = None
    source: Literal["department", "gso"] = "department"
    aggregation: Literal["sum", "none"]
    completeness: Literal["districts", "province", "none"]
    max_change: float | None = Field(default=None, gt=0)
    range: tuple[float, float]
    parts: tuple[str, ...] = ()
    tolerance: Tolerance | None = None
    aliases: tuple[str, ...] = ()


class Area(StrictModel):
    code: str
    level: Literal["province", "district"]
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


class Catalog:
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

    def find_area(self, label: str, *, province: str, year: int | None = None) -> Area | None:
        """Return the province or one of its districts that `label` names.

        Type words ("Huyện", "H.", "TP.", "Thành phố") are ignored, so
        "H. Bác Ái", "Huyện Bác Ái" and "BAC AI" are the same district.
        A unit not in force during `year` is not returned.
        """
        key = fold(label)
        for parent in (province, None):
            for candidate in (key, _strip_area_prefix(key)):
                codes = self._area_names.get((parent, candidate), ())
                if parent is None:
                    codes = tuple(c for c in codes if c == province)
                areas = [self.areas[c] for c in codes if year is None or self.areas[c].valid_in(year)]
                if len(areas) == 1:
                    return areas[0]
        return None

    def check_province(self, code: str) -> str:
        """Return `code` when it is a province of the catalog.

        Raises:
            UsageError: naming a few codes there are (exit 2).
        """
        area = self.areas.get(code)
        if area is None or area.level != "province":
            codes = ", ".join(sorted(a.code for a in self.areas.values() if a.level == "province")[:8])
            raise UsageError(f"there is no province {code!r} in catalog/areas.yaml; province codes are {codes}, …")
        return code

    def districts(self, province: str, year: int | None = None) -> list[Area]:
        """Return the districts of `province` in force during `year`, by code."""
        return [
            a for a in self.areas.values() if a.parent == province and (year is None or a.valid_in(year))
        ]

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


def _strip_area_prefix(folded: str) -> str:
    for prefix in _AREA_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


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
