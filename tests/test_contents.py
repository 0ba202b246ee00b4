"""What the report shows, declared once: the declaration is checked when it is read, and nothing names what it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ictanalysis import narrative
from ictanalysis.catalog import CATALOG_DIR, CatalogError
from ictanalysis.contents import SENTENCES, load_contents

DECLARED = yaml.safe_load((CATALOG_DIR / "report.yaml").read_text(encoding="utf-8"))


def _load(tmp_path: Path, changed: dict):
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump({**DECLARED, **changed}, allow_unicode=True), encoding="utf-8")
    return load_contents(path)


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"email": {**DECLARED["email"], "charts": ["mobile_share", "no_such_chart"]}}, "email: unknown chart 'no_such_chart'"),
        ({"sections": [{"id": "postal", "show": [{"chart": "postal_share"}]}]}, "section postal: unknown chart 'postal_share'"),
        ({"sections": [{"id": "postal", "sentences": "postal_words"}]}, "unknown sentences 'postal_words'"),
        ({"headline": ["mobile_subscriber"]}, "unknown indicators mobile_subscriber"),
        ({"charts": {"x": {"kind": "district_bars"}}}, "chart x: a district_bars chart needs an `indicator`"),
        ({"tables": {**DECLARED["tables"], "t": {"kind": "change"}}}, "table t: a change table needs `indicators`"),
        ({"sections": [{"id": "postal", "shows": []}]}, "unknown key"),
    ],
)
def test_a_name_the_declaration_does_not_hold_is_an_error_when_it_is_read(tmp_path, changed, message):
    with pytest.raises(CatalogError, match=message):
        _load(tmp_path, changed)


def test_every_chart_and_table_is_shown_somewhere_and_the_email_shows_declared_charts():
    shown = load_contents()
    used = {name for section in shown.sections for item in section.show for name in item.values()}
    assert set(shown.charts) | set(shown.tables) <= used
    assert set(shown.email.charts) <= set(shown.charts)


@pytest.mark.parametrize("name", SENTENCES)
def test_every_set_of_sentences_the_declaration_may_name_is_written(name, cmp):
    written = narrative.sentences(name, cmp)
    assert written and all(isinstance(s, str) and s for s in written)


def test_a_set_of_sentences_not_declared_is_not_written(cmp):
    with pytest.raises(KeyError):
        narrative.sentences("weather", cmp)
