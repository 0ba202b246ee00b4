"""The data-quality page in a real headless Chromium with the network off."""

from pathlib import Path

import pytest
from browser import open_page, requires_chromium

from ictanalysis.ingest import clean
from ictanalysis.quality import write_quality_page
from ictanalysis.validate import validate
from ictanalysis.years import YearPair

pytestmark = [requires_chromium, pytest.mark.xdist_group("browser")]

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


@pytest.fixture(scope="module")
def broken_page(tmp_path_factory):
    """A page for the bundled table with one negative count and one unknown district."""
    table = clean(RAW, out_dir=None).table
    table.loc[(table["indicator"] == "postal_items") & (table["year"] == 2020) & (table["operator"] == "Viettel Post"), "value"] = -5
    table.loc[table.index[0], "area"] = "999"
    result = validate(table, YearPair(2020, 2019))
    page, _ = write_quality_page(result, tmp_path_factory.mktemp("reports") / "2020")
    return page, result


def test_the_page_shows_the_failing_rows_with_their_source_cells_offline(broken_page):
    page_path, result = broken_page
    negative = next(r for r in result.failures if r.id == "value_not_below_range").rows.iloc[0]
    screenshot = RAW.parents[1] / "reports" / "quality-failed-screenshot.png"
    with open_page(page_path, screenshot=screenshot) as opened:
        page = opened.page
        assert opened.blocked_requests == []
        assert opened.page_errors == []
        assert "KHÔNG ĐẠT" in page.locator("#verdict").inner_text()
        finding = page.locator("#rule-value_not_below_range")
        assert finding.count() == 1
        text = finding.inner_text()
        assert negative.source_cell in text and negative.source_file in text and "−5" in text  # a true minus sign
        assert "999" in page.locator("#rule-area_known").inner_text()
        assert page.locator("table.rules tbody tr").count() == len(result.rules)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
