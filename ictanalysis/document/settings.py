"""The document's header blocks, signer and recipients: the ``[document]`` table of a settings file.

:class:`DocumentSettings` holds what an analyst edits for the official
document (the governing body and the agency, the number and symbol, the
place and date, who signs and who receives it) and, when the analyst has
written them, the department's assessment and next year's tasks. Its defaults
are a Sở Thông tin và Truyền thông's, with the province's own People's
Committee and name (from the gazetteer) and the number left blank for the clerk:
a draft never carries the number of a document already issued. :func:`load_document_settings` reads the table of
an ``ictanalysis.toml`` and checks every key and type, naming the key that is
wrong, the way :mod:`ictanalysis.settings` checks its own tables.

The department follows the year of the report (:meth:`DocumentSettings.for_year`):
a report of 2024 or before is the Sở Thông tin và Truyền thông's, one of 2025 on the
Sở Khoa học và Công nghệ's, into which the provinces' Sở TT&TT were merged in 2025
(:data:`DEPARTMENTS`). A sub-table named by a year (``[document.2025]``) holds what
changes from that report year on, for a department the defaults do not know.

Example::

    [document]
    agency = "Sở Khoa học và Công nghệ"
    agency_abbreviation = "SKHCN"
    number = "150"
    date = 2025-12-15
    signer_authority = ["KT. GIÁM ĐỐC"]
    signer_title = "Phó Giám đốc"
    signer_name = "Nguyễn Văn A"
    recipients = ["UBND tỉnh (b/c);", "Lưu: VT."]

    [document.2025]                # reports of 2025 and later
    signer_name = "Trần Thị B"
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from ictanalysis.errors import UsageError

__all__ = ["DOCUMENT_DEFAULTS", "DOCUMENT_TABLE", "KIND_SYMBOL", "DocumentSettings", "document_settings",
           "load_document_settings"]  # fmt: skip

#: The table of the settings file that holds these settings.
DOCUMENT_TABLE = "document"
#: The symbol of the kind of document in its number ("2291/BC-STTTT"): BC is a báo cáo.
KIND_SYMBOL = "BC"


@dataclass(frozen=True)
class DocumentSettings:
    """What the official document says about itself, as the analyst sets it before it is signed.

    Names are written as in a sentence ("Sở Thông tin và Truyền thông"); the header blocks write them in
    capitals. An empty `number`, `signer_name`, `assessment` or `tasks` leaves a blank or a marked place to
    fill in; no `date` leaves the day and month blank, to be written when the document is signed.
    """

    #: the body the agency answers to (cơ quan chủ quản); empty: the province's People's Committee ("UBND tỉnh Ninh Thuận")
    governing_body: str = ""
    agency: str = "Sở Thông tin và Truyền thông"  #: the issuing agency (cơ quan ban hành)
    agency_abbreviation: str = "STTTT"  #: the agency's symbol in the number: 2291/BC-STTTT
    number: str = ""  #: the document's number; empty: left blank for the clerk (văn thư) to write
    place: str = ""  #: the place name before the date (địa danh); empty: the province's name ("Ninh Thuận")
    date: dt.date | None = None  #: the date it is signed; None: "ngày … tháng … năm <year>" left blank
    signer_authority: tuple[str, ...] = ("KT. GIÁM ĐỐC",)  #: the line(s) above the title: KT., TL., TM. …
    signer_title: str = "Phó Giám đốc"  #: the signer's title
    signer_name: str = ""  #: the signer's full name; empty: a marked place to fill in
    recipients: tuple[str, ...] = (  #: "Nơi nhận", one line each, written as they end (";" or ".")
        "Bộ Thông tin và Truyền thông (b/c);",
        "UBND tỉnh (b/c);",
        "Giám đốc, các Phó Giám đốc Sở;",
        "Lưu: VT.",
    )
    assessment: str = ""  #: the department's assessment; empty: a marked place to fill in; blank lines part paragraphs
    tasks: str = ""  #: the tasks of the year after; empty: a marked place to fill in
    #: the keys the settings file gives for every year: the department of the year does not change them
    given: frozenset = frozenset()
    #: (first report year, its keys and values) of the ``[document.<year>]`` tables, by year
    since: tuple = ()

    def for_year(self, year: int) -> DocumentSettings:
        """Return the settings of the report of `year`: the department of the year, then the file's keys for it.

        >>> DocumentSettings().for_year(2020).agency, DocumentSettings().for_year(2025).symbol
        ('Sở Thông tin và Truyền thông', '      /BC-SKHCN')
        >>> document_settings({"agency": "Sở TT&TT", "2025": {"number": "9"}}).for_year(2025).symbol
        '9/BC-STTTT'
        """
        values: dict[str, object] = {}
        tables = [table for first, table in self.since if year >= first]
        given = self.given.union(*tables)  # a key the file gives for this year keeps its department entry out
        for first, table in DEPARTMENTS:
            if year >= first and not given & set(table):
                values.update(table)
        for table in tables:
            values.update(table)
        return dataclasses.replace(self, **values)

    @property
    def symbol(self) -> str:
        """Return the number and symbol: "2291/BC-STTTT", or "   /BC-STTTT" when the number is left blank.

        >>> DocumentSettings(number="2291").symbol, DocumentSettings().symbol
        ('2291/BC-STTTT', '      /BC-STTTT')
        """
        return f"{self.number or ' ' * 6}/{KIND_SYMBOL}-{self.agency_abbreviation}"


#: The settings of the bundled example, and of a settings file without a ``[document]`` table.
DOCUMENT_DEFAULTS = DocumentSettings()

#: The department that issues the report, from the first report year it does (before the first: the defaults'
#: Sở Thông tin và Truyền thông). In 2025 the Ministry of Information and Communications was merged into the
#: Ministry of Science and Technology (Nghị quyết 176/2025/QH15, from 1 March 2025), and each province's Sở
#: TT&TT into its Sở Khoa học và Công nghệ.
#: Each entry's keys go together: one the settings file gives for every year keeps the whole entry out.
DEPARTMENTS: tuple[tuple[int, dict[str, object]], ...] = (
    (2025, {"agency": "Sở Khoa học và Công nghệ", "agency_abbreviation": "SKHCN"}),
    (2025, {"recipients": ("Bộ Khoa học và Công nghệ (b/c);", *DOCUMENT_DEFAULTS.recipients[1:])}),
)  # fmt: skip

_TEXTS = {f.name for f in fields(DocumentSettings) if f.type == "str"}
_LISTS = {f.name for f in fields(DocumentSettings) if f.type == "tuple[str, ...]"}
_KINDS = {**dict.fromkeys(_TEXTS, "a text"), **dict.fromkeys(_LISTS, "a list of texts"), "date": "a date (2020-11-13)"}


def load_document_settings(path: Path) -> DocumentSettings:
    """Read the ``[document]`` table of the settings file `path`; the defaults for a file without one.

    Raises:
        UsageError: the file is missing or not valid TOML, or the table holds an unknown key or a value of
            the wrong type (each named, all at once).
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no settings file {path}")
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    section = table.get(DOCUMENT_TABLE, {})
    if not isinstance(section, dict):
        raise UsageError(f"{path}: {DOCUMENT_TABLE} must be a table ([{DOCUMENT_TABLE}]), not {section!r}")
    return document_settings(section, str(path))


def document_settings(table: Mapping[str, object], where: str = "") -> DocumentSettings:
    """Return the settings a ``[document]`` table gives, the defaults for the keys it leaves out.

    >>> document_settings({"number": "150", "recipients": ["Lưu: VT."]}).symbol
    '150/BC-STTTT'
    >>> document_settings({"number": 150}, "ictanalysis.toml")
    Traceback (most recent call last):
    ictanalysis.errors.UsageError: ictanalysis.toml: [document] number = 150 is not a text

    Raises:
        UsageError: an unknown key or a value of the wrong type, naming the key (all of them at once).
    """
    periods = {key: value for key, value in table.items() if _YEAR.fullmatch(key) and isinstance(value, dict)}
    general = {key: value for key, value in table.items() if key not in periods}
    problems = [_problem(key, value) for key, value in general.items()]
    problems += [_problem(key, value, f"{DOCUMENT_TABLE}.{year}") for year, part in periods.items()
                 for key, value in part.items()]  # fmt: skip
    problems = [p for p in problems if p]
    if problems:
        raise UsageError(f"{where + ': ' if where else ''}" + "; ".join(problems))
    since = tuple(sorted((int(year), _values(part)) for year, part in periods.items()))
    return dataclasses.replace(DOCUMENT_DEFAULTS, **_values(general), given=frozenset(general), since=since)


_YEAR = re.compile(r"(19|20)\d\d")  #: a table named by a report year: [document.2025]


def _values(table: Mapping[str, object]) -> dict[str, object]:
    """Return a table's values as the settings hold them (lists as tuples)."""
    return {key: tuple(value) if key in _LISTS else value for key, value in table.items()}


def _problem(key: str, value: object, table: str = DOCUMENT_TABLE) -> str:
    """Return what is wrong with `key` = `value` in the table ("" when nothing is)."""
    where = f"[{table}] "
    if key not in _KINDS:
        return f"{where}unknown key {key!r} (known: {', '.join(_KINDS)}; a year for what changes from that year on)"
    if key in _TEXTS:
        fits = isinstance(value, str)
    elif key in _LISTS:
        fits = isinstance(value, list) and all(isinstance(item, str) for item in value)
    else:  # a TOML local date; a date-time is not one
        fits = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return "" if fits else f"{where}{key} = {value!r} is not {_KINDS[key]}"
