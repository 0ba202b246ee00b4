"""A start-up cost the project's processes skip: the IRI grammar jsonschema would build.

jsonschema, which nbformat, papermill, Altair and Great Expectations import, loads
``rfc3987_syntax`` when it is installed (Jupyter's packages install it). That module
builds 38 Earley parsers when imported: 2 to 3 seconds in every process that imports
jsonschema, which is every stage here and the report's kernel. All it serves is
jsonschema's ``iri`` and ``iri-reference`` format checkers, and no schema validated
in these processes uses either format: Vega-Lite's use ``uri``, ``uri-reference`` and
``color-hex`` (checked without it), and nbformat checks no format at all.

:func:`skip_iri_grammar` marks the module as absent before jsonschema is imported;
jsonschema then simply leaves those two checkers out, as it does where the package is
not installed. Only processes this project starts do it (the command line and the
report's kernel); importing :mod:`ictanalysis` in a notebook changes nothing.
"""

from __future__ import annotations

import sys

__all__ = ["SKIPPED_MODULE", "SKIP_IN_KERNEL", "skip_iri_grammar"]

SKIPPED_MODULE = "rfc3987_syntax"

#: The same, as code for a kernel to run first (the report sends it before any cell).
SKIP_IN_KERNEL = f"import sys\nsys.modules.setdefault({SKIPPED_MODULE!r}, None)"


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail in this process, unless it is already imported."""
    sys.modules.setdefault(SKIPPED_MODULE, None)
