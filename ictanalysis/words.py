"""Every text people read in an output, in every language: gettext catalogs read through Babel.

The words of the report, the data-quality page, the emails and the charts are
in ``locale/<language>/LC_MESSAGES/ictanalysis.po`` beside this module, one
catalog per language, a translator's usual file. Each message id is a key
(``section.postal``, ``narrative.mobile_subscribers``); its text may hold
``{name}`` fields that the program fills. The languages are the catalogs that
exist: a new language is one new file. Vietnamese and English must hold every
message (a test checks); another language may be partial, and its missing
messages are shown in English.

Names of catalog entries (indicators, units, agencies, areas) are data of the
catalog's YAML files in Vietnamese and English; another language may name
them in its catalog as ``indicator.<id>``, ``unit.<id>`` or ``agency.<name>``.

Example:
    >>> vi = words("vi")
    >>> vi("section.postal"), words("en")("narrative.same", cy=2019)
    ('Bưu chính', 'unchanged from 2019')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.errors import UsageError

__all__ = ["COMPLETE", "DEFAULT_LANGUAGE", "DIAGNOSTICS", "LOCALE_DIR", "Words", "check_language", "languages", "words"]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "ictanalysis"
#: The working language: the department's own, and the default of every output.
DEFAULT_LANGUAGE = "vi"
#: The languages every message must be in; another one falls back to the last of these.
COMPLETE = ("vi", "en")
#: The language of diagnostics (the command line's messages, the problems of a workbook, the logs).
DIAGNOSTICS = "en"


@functools.cache
def languages() -> tuple[str, ...]:
    """Return the languages that have a catalog, the working language first.

    >>> languages()[:2]
    ('vi', 'en')
    """
    found = {p.parents[1].name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found, key=lambda code: (COMPLETE.index(code) if code in COMPLETE else len(COMPLETE), code)))


def check_language(language: str) -> str:
    """Return `language` when it has a catalog.

    Raises:
        UsageError: naming the languages there are (exit code 2), never falling back silently.
    """
    if language not in languages():
        raise UsageError(f"language must be one of {', '.join(languages())}, not {language!r} "
                         f"(a language is a catalog in {LOCALE_DIR})")  # fmt: skip
    return language


@dataclass(frozen=True)
class Words:
    """The messages of one language; call it with a key (and the fields to fill) to get a text."""

    language: str
    messages: dict[str, str] = field(repr=False)
    fallback: Words | None = field(default=None, repr=False)

    def __call__(self, key: str, **values: object) -> str:
        """Return the text of message `key`, its ``{fields}`` filled from `values`.

        Raises:
            KeyError: no catalog holds the key (a bug: the test of the catalogs finds it first).
        """
        text = self.messages.get(key)
        if text is None:
            if self.fallback is None:
                raise KeyError(f"no message {key!r} in the {self.language!r} catalog ({self.path})")
            return self.fallback(key, **values)
        return text.format(**values) if values else text

    def __contains__(self, key: str) -> bool:
        return key in self.messages or (self.fallback is not None and key in self.fallback)

    @property
    def path(self) -> Path:
        """The catalog file of this language."""
        return LOCALE_DIR / self.language / "LC_MESSAGES" / f"{DOMAIN}.po"

    @functools.cached_property
    def locale(self):
        """The Babel locale whose number symbols this language uses."""
        from babel import Locale

        return Locale.parse(self.language)

    def indicator(self, indicator) -> str:
        """Return an indicator's name (a :class:`~ictanalysis.catalog.Indicator`)."""
        return self._named("indicator", indicator.id, {"vi": indicator.name_vi, "en": indicator.name_en})

    def unit(self, unit) -> str:
        """Return a unit's name (a :class:`~ictanalysis.catalog.Unit`): "thuê bao", "subscriptions"."""
        return self._named("unit", unit.id, {"vi": unit.id, "en": unit.name_en})

    def agency(self, name: str, agency=None) -> str:
        """Return an agency's name; `agency` is its catalog entry, None for a name the catalog lacks."""
        known = {} if agency is None else {"vi": agency.name, "en": agency.name_en}
        return self._named("agency", name, known) if known else name

    def area(self, area, *, full: bool = False, in_sentence: bool = False) -> str:
        """Return an area's name ("Bác Ái"), or with its kind when `full` ("Huyện Bác Ái").

        Names of places are the gazetteer's: Vietnamese, or its English name (as the statistics
        office writes it, "Bac Ai") in every other language. `in_sentence` writes the kind as the
        middle of a sentence has it ("huyện Bác Ái"); a name itself is never lowered.
        """
        if self.language != DEFAULT_LANGUAGE:
            return area.name_en
        name = area.full_name if full else area.name
        kind = len(name) - len(area.name)  # the kind word(s) before the name, as full_name writes them
        return name[:kind].lower() + name[kind:] if in_sentence and full else name

    def _named(self, kind: str, key: str, names: dict[str, str]) -> str:
        message = f"{kind}.{key}"
        if message in self.messages:
            return self.messages[message]
        if self.language in names:
            return names[self.language]
        return self.fallback._named(kind, key, names) if self.fallback else names[COMPLETE[-1]]


@functools.cache
def words(language: str = DEFAULT_LANGUAGE) -> Words:
    """Return the words of `language` (read once per process).

    Raises:
        UsageError: the language has no catalog.
    """
    check_language(language)
    fallback = None if language in COMPLETE else words(COMPLETE[-1])
    return Words(language, _read_catalog(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"), fallback)


def _read_catalog(path: Path) -> dict[str, str]:
    """Return a .po file's messages by id, leaving out empty (untranslated) and fuzzy ones."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
