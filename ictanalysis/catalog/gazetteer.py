"""The gazetteer in time: units before and after the 2025 reorganisation, and the crosswalk between them.

areas.yaml holds the 63 provinces and 705 districts of the 2021 register (and
the eleven provinces the 2025 merger left alone); communes.csv the 23 provinces
formed by merger on 2025-06-12, the communes before 2025-07-01 and the 3321
after; crosswalk.csv which former commune became which new one. A code names a
unit only with a date (new Khánh Hòa reuses code 56), so lookups take one.

The catalog (``ictanalysis.catalog``) builds each year's map from these units and
validates areas.yaml when it loads; this module imports nothing from it, so that
the catalog can ask it. Nothing is read when the module is imported: the files are read on first use,
once, and kept.

Example:
    >>> import datetime as dt
    >>> len(units(dt.date(2025, 7, 1), "province"))
    34
    >>> unit("58", dt.date(2020, 1, 1)).name, successors("58")
    ('Ninh Thuận', ('56',))
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

__all__ = [
    "Group", "Link", "Unit", "comparable_groups", "crosswalk", "every_unit", "predecessors", "successors", "unit", "units",
]  # fmt: skip

LEVELS = ("province", "district", "commune")
_DIRECTORY = Path(__file__).parent  # the catalog's folder: areas.yaml, communes.csv, crosswalk.csv
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Unit:
    """One administrative unit in force from `valid_from` to `valid_to` (None: open-ended).

    `parent` is the district of a former commune, else the province; `province`
    is the province the unit lies in (itself for a province).
    """

    code: str
    level: str
    name: str
    full_name: str
    kind: str
    parent: str | None
    province: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        """Tell whether the unit was in force on the day `on`."""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Link:
    """One crosswalk row: a former commune (before 2025-07-01) and one new commune it went to.

    `former_code` is empty for the island districts that had no communes;
    `share` is the part the source gives, None when it gives none (always, so far).
    """

    former_code: str
    former_district: str
    former_province: str
    new_code: str
    share: float | None


@dataclass(frozen=True)
class Group:
    """The smallest set of former districts and new communes that cover the same ground exactly.

    `former_communes` are the (district, commune) pairs inside `districts`.
    """

    districts: tuple[str, ...]
    former_communes: tuple[tuple[str, str], ...]
    communes: tuple[str, ...]


def units(on: dt.date, level: str | None = None) -> list[Unit]:
    """Return the units in force on the day `on`, of one `level` (province, district, commune) or all.

    Raises:
        ValueError: If `level` is not one of the three.

    Example:
        >>> len(units(dt.date(2025, 7, 1), "commune")), len(units(dt.date(2025, 7, 1), "district"))
        (3321, 0)
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; levels are {', '.join(LEVELS)}")
    return [u for u in _units() if u.in_force(on) and (level is None or u.level == level)]


def every_unit() -> tuple[Unit, ...]:
    """Return every unit of the gazetteer, of any date: areas.yaml's, then communes.csv's, in file order.

    Example:
        >>> sorted({u.level for u in every_unit()}), len(every_unit()) > 13000
        (['commune', 'district', 'province'], True)
    """
    return _units()


def unit(code: str, on: dt.date) -> Unit:
    """Return the unit that `code` named on the day `on`.

    Raises:
        KeyError: If no unit had that code that day.

    Example:
        >>> unit("56", dt.date(2024, 12, 31)).valid_to, unit("56", dt.date(2025, 7, 1)).valid_from
        (datetime.date(2025, 6, 11), datetime.date(2025, 6, 12))
    """
    found = [u for u in _by_code().get(code, ()) if u.in_force(on)]
    if len(found) != 1:
        raise KeyError(f"no unit {code!r} in force on {on.isoformat()} (catalog/areas.yaml, communes.csv)")
    return found[0]


def crosswalk() -> tuple[Link, ...]:
    """Return every (former commune, new commune) pair; a divided commune has one pair per new commune.

    Example:
        >>> [link.new_code for link in crosswalk() if link.former_code == "22768"]  # Đông Hải, Phan Rang-Tháp Chàm
        ['22779', '22903']
    """
    return _links()


def successors(province_code: str) -> tuple[str, ...]:
    """Return the codes of the provinces of 1 July 2025 that the former province `province_code` went into.

    Example:
        >>> successors("56"), successors("01")
        (('56',), ('01',))
    """
    return tuple(sorted({new for former, new in _province_pairs() if former == province_code}))


def predecessors(new_province_code: str) -> tuple[str, ...]:
    """Return the codes of the former provinces that the province of 1 July 2025 `new_province_code` was formed from.

    Example:
        >>> predecessors("56")
        ('56', '58')
    """
    return tuple(sorted({former for former, new in _province_pairs() if new == new_province_code}))


def comparable_groups(new_province_code: str) -> list[Group]:
    """Return the comparable areas of a new province: groups of former districts and new communes.

    Each group is the smallest that contains its parts exactly: where a new
    commune draws on two former districts, both districts, all their communes
    and every new commune drawing on them are one group. Groups are sorted by
    their first district.

    Example:
        >>> group = comparable_groups("56")[1]  # the former city of Cam Ranh is five new communes
        >>> group.districts, group.communes
        (('569',), ('22408', '22420', '22423', '22432', '22480'))
    """
    new_communes = {u.code for u in _units() if u.level == "commune" and u.province == new_province_code
                    and u.valid_from is not None}  # fmt: skip
    links = [link for link in _links() if link.new_code in new_communes]
    parent = {}
    for link in links:
        _union(parent, ("district", link.former_district), ("commune", link.new_code))
    members: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        members.setdefault(_root(parent, ("district", link.former_district)), []).append(link)
    groups = [_group(group) for group in members.values()]
    return sorted(groups, key=lambda group: group.districts)


def _group(links: list[Link]) -> Group:
    """Make one comparable group from the crosswalk rows of its parts."""
    return Group(
        districts=tuple(sorted({link.former_district for link in links})),
        former_communes=tuple(sorted({(link.former_district, link.former_code) for link in links if link.former_code})),
        communes=tuple(sorted({link.new_code for link in links})),
    )


def _root(parent: dict, node: tuple[str, str]) -> tuple[str, str]:
    """Find the representative of `node`'s set, halving the path on the way."""
    while parent.setdefault(node, node) != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def _union(parent: dict, a: tuple[str, str], b: tuple[str, str]) -> None:
    """Put `a` and `b` in one set."""
    parent[_root(parent, a)] = _root(parent, b)


@cache
def _province_pairs() -> frozenset[tuple[str, str]]:
    """Return the (former province, new province) pairs the crosswalk implies."""
    province = {u.code: u.province for u in _units() if u.level == "commune" and u.valid_from is not None}
    return frozenset((link.former_province, province[link.new_code]) for link in _links())


@cache
def _units() -> tuple[Unit, ...]:
    """Read areas.yaml and communes.csv (once)."""
    areas = yaml.load((_DIRECTORY / "areas.yaml").read_text(encoding="utf-8"), Loader=_YAML_LOADER)["areas"]
    return tuple(_from_area(area) for area in areas) + tuple(_from_row(row) for row in _read_csv("communes.csv"))


@cache
def _by_code() -> dict[str, tuple[Unit, ...]]:
    """Index the units by code; a code may name several units at different times."""
    index: dict[str, list[Unit]] = {}
    for item in _units():
        index.setdefault(item.code, []).append(item)
    return {code: tuple(found) for code, found in index.items()}


@cache
def _links() -> tuple[Link, ...]:
    """Read crosswalk.csv (once)."""
    return tuple(
        Link(row["former_code"], row["former_district"], row["former_province"], row["new_code"],
             float(row["share"]) if row["share"] else None)  # fmt: skip
        for row in _read_csv("crosswalk.csv")
    )


def _read_csv(name: str) -> list[dict[str, str]]:
    """Read one of the catalog's CSV files, skipping its ``#`` header comment."""
    with (_DIRECTORY / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(_uncommented(handle)))


def _uncommented(lines: Iterable[str]) -> Iterable[str]:
    """Yield the lines that are not ``#`` comments."""
    return (line for line in lines if not line.startswith("#"))


def _from_area(area: dict) -> Unit:
    """Turn an areas.yaml entry (as loaded; the catalog validates the file) into a unit."""
    code, parent = str(area["code"]), area["parent"]
    province = parent if area["level"] == "district" else code
    return Unit(code, area["level"], area["name"], area["full_name"], area["kind"], parent, province or code,
                _date(area["valid_from"]), _date(area["valid_to"]))  # fmt: skip


def _from_row(row: dict[str, str]) -> Unit:
    """Turn a communes.csv row into a unit."""
    parent = row["district"] or row["province"] or None
    province = row["province"] or row["code"]
    return Unit(row["code"], row["level"], row["name"], row["full_name"], row["kind"], parent, province,
                _date(row["valid_from"]), _date(row["valid_to"]))  # fmt: skip


def _date(text: str | dt.date | None) -> dt.date | None:
    """Read an ISO date; empty (or null) is None, a date stays one."""
    if isinstance(text, dt.date) or not text:
        return text or None
    return dt.date.fromisoformat(text)
