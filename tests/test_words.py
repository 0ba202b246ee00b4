"""The words: every text of the outputs in one catalog per language, complete in Vietnamese and English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ictanalysis import words as words_module
from ictanalysis.catalog import load_catalog
from ictanalysis.contents import load_contents
from ictanalysis.errors import ExitCode, UsageError
from ictanalysis.formatting import format_money, format_number, format_percent
from ictanalysis.quality import _COLUMNS as QUALITY_COLUMNS
from ictanalysis.rules import load_rules
from ictanalysis.words import COMPLETE, LOCALE_DIR, Words, check_language, languages, words

PACKAGE = Path(words_module.__file__).parent
# A key written out in the code: said("…"), words(language)("…"), _("…") in a template, _t("…") (narrative.…).
_CALLS = re.compile(r"""(?:\bsaid|words\([^()]*\)|\b_)\(\s*["']([a-z][a-z0-9_.]+)["']""")
_NARRATIVE = re.compile(r"""\b_t\(\s*["']([a-z][a-z0-9_]+)["']""")
_CHART = re.compile(r"""\b_label\(\s*["']([a-z][a-z0-9_]+)["']""")
# Any other literal that is a whole key ("quality.yes" if … else "quality.no").
_LITERAL = re.compile(r"""["']((?:quality|report|section|email|alert|chart|severity)\.[a-z0-9_.]*[a-z0-9_])["']""")


_FILE_SUFFIXES = {"html", "j2", "json", "yaml", "eml", "csv", "ipynb"}  # "quality.json" names a file, not a message


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _static_keys() -> set[str]:
    keys = set()
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]:
        text = path.read_text(encoding="utf-8")
        keys |= {k for k in _CALLS.findall(text) if "." in k and not k.endswith(".")}
        keys |= {f"narrative.{k}" for k in _NARRATIVE.findall(text)} | {f"chart.{k}" for k in _CHART.findall(text)}
        keys |= {k for k in _LITERAL.findall(text) if k.rpartition(".")[2] not in _FILE_SUFFIXES}
    return keys


def _data_keys() -> set[str]:
    """The keys formed from data: sections, captions, chart titles, column headings, rules."""
    shown = load_contents()
    keys = {f"section.{s.id}" for s in shown.sections}
    keys |= {f"report.{name}" for name, table in shown.tables.items() if table.caption} | {f"report.{c}" for c in shown.charts}
    keys |= {f"column.{kind}.{column}" for kind, columns in shown.columns.items() for column in columns}
    keys |= {f"rule.{rule.id}" for rule in load_rules()} | {f"quality.column.{c}" for c in QUALITY_COLUMNS}
    return keys | {f"severity.{s}" for s in ("error", "warning")}


@pytest.mark.parametrize("language", COMPLETE)
def test_every_message_the_outputs_use_is_in_vietnamese_and_english(language):
    missing = sorted((_static_keys() | _data_keys()) - set(words(language).messages))
    assert missing == [], f"not in {words(language).path}: {missing}"


def test_vietnamese_and_english_hold_the_same_messages_with_the_same_fields():
    vi, en = words("vi").messages, words("en").messages
    assert sorted(set(vi) ^ set(en)) == []
    assert [key for key in vi if _fields(vi[key]) != _fields(en[key])] == []
    assert all(text.strip() for text in [*vi.values(), *en.values()])


def test_no_message_is_left_unused():
    """Every message is used: by name in the code, formed from data, or a sentence or count the narrative forms."""
    indicators = load_catalog().indicators
    used = _static_keys() | _data_keys()
    # Formed in the code: a count's noun, a drafted document, numbers and money (formatting), a trend's
    # direction (narrative._direction) and how a figure was summed (narrative._derivation_notes).
    formed = ("narrative.count.", "narrative.drafted.", "number.", "money.", "narrative.sum_of_", "narrative.up",
              "narrative.down", "narrative.more", "narrative.fewer")
    unused = [key for key in words("vi").messages if key not in used and not key.startswith(formed)
              and key.removeprefix("narrative.") not in indicators]  # fmt: skip
    assert unused == []


def test_an_unknown_language_is_a_usage_error_never_silent_english():
    with pytest.raises(UsageError, match="language must be one of vi, en") as caught:
        words("fr")
    assert caught.value.exit_code == ExitCode.USAGE
    for call in (lambda: check_language("VI"), lambda: format_number(1, "de"), lambda: format_money(1, "")):
        with pytest.raises(UsageError):
            call()


def test_the_languages_are_the_catalogs_there_are_the_working_language_first():
    assert languages()[0] == "vi" and set(COMPLETE) <= set(languages())
    assert {p.parents[1].name for p in LOCALE_DIR.glob("*/LC_MESSAGES/ictanalysis.po")} == set(languages())


def test_a_new_language_is_one_catalog_and_a_partial_one_falls_back_to_english(tmp_path, monkeypatch):
    for code in COMPLETE:
        target = tmp_path / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "ictanalysis.po").write_bytes((LOCALE_DIR / code / "LC_MESSAGES" / "ictanalysis.po").read_bytes())
    stub = tmp_path / "fr" / "LC_MESSAGES"
    stub.mkdir(parents=True)
    (stub / "ictanalysis.po").write_text('msgid ""\nmsgstr "Language: fr\\n"\n\nmsgid "section.postal"\n'
                                         'msgstr "Services postaux"\n\nmsgid "number.percent"\nmsgstr "{number} %"\n',
                                         encoding="utf-8")  # fmt: skip
    monkeypatch.setattr(words_module, "LOCALE_DIR", tmp_path)
    words_module.languages.cache_clear(), words_module.words.cache_clear()
    try:
        assert languages() == ("vi", "en", "fr")
        french = words("fr")
        assert french("section.postal") == "Services postaux"
        assert french("section.egov") == words("en")("section.egov")  # not translated yet: English
        assert format_number(1234567.5, "fr") == "1\u202f234\u202f567,5" and format_percent(12.5, "fr") == "12,5\u00a0%"  # a no-break space
        assert french.indicator(load_catalog().indicator("mobile_subscribers")) == "Mobile-cellular subscriptions"
    finally:
        words_module.languages.cache_clear(), words_module.words.cache_clear()


def test_catalog_names_come_in_each_language(cmp):
    catalog = cmp.catalog
    assert words("vi").indicator(catalog.indicator("online_services_level4")).startswith("Dịch vụ công trực tuyến")
    assert words("en").unit(catalog.units["đồng"]) == "VND"
    assert words("vi").area(catalog.areas["58"], full=True) == "Tỉnh Ninh Thuận"
    assert words("en").area(catalog.areas["584"]) == "Bac Ai"
    assert words("vi").agency("Sở không có trong danh mục") == "Sở không có trong danh mục"


def test_a_missing_message_names_the_catalog():
    with pytest.raises(KeyError, match=r"no message 'report\.nothing' in the 'vi' catalog"):
        words("vi")("report.nothing")
    assert isinstance(words("vi"), Words)
