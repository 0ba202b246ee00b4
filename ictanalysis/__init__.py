"""ictanalysis: turn a provincial ICT department's workbooks into a checked year-on-year report.

One import line serves a notebook::

    import ictanalysis as ict
    result = ict.clean()                      # data/raw → data/processed/indicators.parquet
    table = ict.read_indicators()             # the tidy table, one row per value
    ict.load_catalog().indicator("online_services_level4").name_vi

Names load on first use, so importing the package costs almost nothing and the
command line answers at once.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

__all__ = [
    "CleanResult",
    "ExitCode",
    "InputError",
    "Problem",
    "chart",
    "clean",
    "compare",
    "load_catalog",
    "load_layouts",
    "load_settings",
    "narrative",
    "open_report",
    "present",
    "read_indicators",
    "read_quality",
]

_SUBMODULES = {"chart", "narrative", "present"}

_HOMES = {
    "compare": "ictanalysis.compare",
    "read_quality": "ictanalysis.quality",
    "CleanResult": "ictanalysis.ingest",
    "clean": "ictanalysis.ingest",
    "read_indicators": "ictanalysis.tidy",
    "ExitCode": "ictanalysis.errors",
    "InputError": "ictanalysis.errors",
    "Problem": "ictanalysis.errors",
    "load_catalog": "ictanalysis.catalog",
    "load_layouts": "ictanalysis.layouts",
    "load_settings": "ictanalysis.settings",
    "open_report": "ictanalysis.view",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"ictanalysis.{name}")
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        # Kept, because importing ictanalysis.compare has just bound the name `compare` to that
        # module: without this, a second `ict.compare(...)` would call the module.
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ictanalysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
