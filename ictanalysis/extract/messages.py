"""Write cell texts and numbers into problem messages: quoted, cut short, in Vietnamese notation."""

from __future__ import annotations

from ictanalysis.layouts import Layout

__all__ = ["MAX_QUOTED", "ground_names", "layout_expectation", "plain", "quote"]

MAX_QUOTED = 80
"""Longest cell text quoted in a message; longer texts are cut with an ellipsis and their length."""


def quote(value) -> str:
    """Quote a cell's text for a message, cut to MAX_QUOTED characters.

    >>> quote("Ninh Hải"), quote("x" * 100_000)[-23:]
    ("'Ninh Hải'", "…' (100.000 characters)")
    """
    text = str(value)
    if len(text) <= MAX_QUOTED:
        return repr(text)
    return f"{text[: MAX_QUOTED - 1] + '…'!r} ({plain(len(text))} characters)"


def plain(number: float, decimals: int = 2) -> str:
    """Write a number the Vietnamese way for messages: 1.234.567,5.

    >>> plain(1234567.5), plain(0.985, 6), plain(100.0)
    ('1.234.567,5', '0,985', '100')
    """
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


def layout_expectation(layout: Layout) -> str:
    """Say, for a message, that the columns of `layout` were expected.

    >>> layout_expectation(Layout(id="area-table", description="districts"))
    "the columns of layout 'area-table'"
    """
    source = f" ({layout.source.name})" if layout.source else ""
    return f"the columns of layout {layout.id!r}{source}"


def ground_names(catalog, province: str, year: int) -> str:
    """Name the provinces of `province`'s ground in `year`'s map for a message.

    >>> from ictanalysis.catalog import load_catalog
    >>> ground_names(load_catalog(), "56", 2024)
    'Khánh Hòa (56) and Ninh Thuận (58)'
    """
    return " and ".join(f"{catalog.area(code, year).name} ({code})" for code in catalog.territory(province, year))
