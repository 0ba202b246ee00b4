"""The quality gate: Great Expectations checks the tidy table before any chart is drawn.

This is the only module that imports Great Expectations (its import costs
seconds; nothing else pays for it). The suite is built from the rules in
``catalog/rules.yaml`` and the catalog; each rule runs on its view of the
table (see :mod:`ictanalysis.rules`) in an ephemeral context, so no ``gx/``
folder or temporary directory is left behind. What comes back is a plain
:class:`~ictanalysis.quality.QualityResult`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage statistics: nothing leaves the machine

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402
import pandas as pd  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from ictanalysis.catalog import Catalog, load_catalog  # noqa: E402
from ictanalysis.errors import QualityError  # noqa: E402
from ictanalysis.quality import QualityResult, RuleResult, write_quality_page  # noqa: E402
from ictanalysis.rules import Rule, build_views, load_rules, tolerances_used  # noqa: E402
from ictanalysis.settings import DEFAULTS  # noqa: E402
from ictanalysis.tidy import fingerprint, read_indicators  # noqa: E402
from ictanalysis.words import check_language  # noqa: E402
from ictanalysis.years import YearPair, choose_years  # noqa: E402

__all__ = ["gate", "validate"]

_RESULT_FORMAT = {"result_format": "COMPLETE", "include_unexpected_rows": False}


def validate(
    table: pd.DataFrame,
    pair: YearPair,
    *,
    catalog: Catalog | None = None,
    rules: tuple[Rule, ...] | None = None,
) -> QualityResult:
    """Check the tidy table against every rule and return what passed, failed and warned.

    Nothing is written. Example (slow: it imports Great Expectations)::

        result = validate(read_indicators(), YearPair(2020, 2019))
        result.passed, [r.id for r in result.failures]
    """
    catalog = catalog or load_catalog()
    rules = rules or load_rules()
    views = build_views(table, catalog, pair)
    source = _context().data_sources.add_pandas("ictanalysis")
    results = []
    for view_name in dict.fromkeys(rule.view for rule in rules):
        view_rules = [rule for rule in rules if rule.view == view_name]
        results += _run_view(source, view_name, views[view_name], view_rules, catalog, pair)
    order = {rule.id: i for i, rule in enumerate(rules)}
    return QualityResult(pair=pair, rules=sorted(results, key=lambda r: order[r.id]), checked_rows=len(table))


def gate(
    data: Path,
    reports: Path,
    *,
    year: int | None = None,
    compare_year: int | None = None,
    province: str = DEFAULTS.province,
    language: str = DEFAULTS.language,
) -> tuple[QualityResult, Path]:
    """Check the tidy table at `data` and write ``reports/<year>/quality/<year>-vs-<compare year>.html`` and ``.json``.

    Returns the result, which records the table's sha256, and the page's path.
    Nothing but the pair's two quality files is written, so a report already in
    `reports`, and another pair's result, stay exactly as they were.

    Raises:
        YearError: when the years are not in the data.
        QualityError: when an error rule failed (after the page is written).
    """
    check_language(language)
    load_catalog().check_province(province)
    checked = fingerprint(data)  # before reading: a table written meanwhile is then "another table" to report
    table = read_indicators(data)
    pair = choose_years(table["year"].tolist(), year, compare_year, province)
    load_catalog().check_report_province(province, pair.year)
    result = validate(table, pair)
    result.table = checked
    page, _ = write_quality_page(result, DEFAULTS.replace(reports=Path(reports)).outputs.year(pair.year).path,
                                 language=language)  # fmt: skip
    if not result.passed:
        raise QualityError(result.summary(), page)
    return result, page


def _context():
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _run_view(source, name: str, view: pd.DataFrame | None, rules: list[Rule], catalog: Catalog, pair: YearPair) -> list[RuleResult]:
    """Run the rules of one view as one suite; results are matched back by rule id."""
    if view is None:
        return [RuleResult.from_rule(rule, success=True, checked=0, skipped=True) for rule in rules]
    if view.empty and name != "table":
        return [RuleResult.from_rule(rule, success=True, checked=0) for rule in rules]
    view = view.reset_index(drop=True)
    batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    suite = gx.ExpectationSuite(name=f"ictanalysis_{name}")
    for rule in rules:
        suite.add_expectation(_expectation(rule, catalog, pair))
    outcome = batch.get_batch(batch_parameters={"dataframe": view}).validate(suite, result_format=_RESULT_FORMAT)
    by_rule = {r["expectation_config"]["meta"]["rule"]: r for r in outcome.to_json_dict()["results"]}
    return [_rule_result(rule, by_rule[rule.id], view) for rule in rules]


def _expectation(rule: Rule, catalog: Catalog, pair: YearPair):
    class_name = "".join(word.capitalize() for word in rule.expect.split("_"))
    expectation_class = getattr(gxe, class_name)
    return expectation_class(**rule.arguments(catalog, pair), meta={"rule": rule.id})


def _rule_result(rule: Rule, raw: dict, view: pd.DataFrame) -> RuleResult:
    result = raw.get("result") or {}
    exception = (raw.get("exception_info") or {}).get("exception_message")
    indexes = result.get("unexpected_index_list") or []
    rows = view.loc[[i for i in indexes if i in view.index]] if indexes else view.iloc[0:0]
    key = rule.kwargs.get("column_list", [])
    if rule.expect == "expect_compound_columns_to_be_unique" and not raw["success"] and set(key) <= set(view.columns):
        rows = view[view.duplicated(key, keep=False)]
    observed = result.get("observed_value")
    return RuleResult.from_rule(
        rule,
        success=bool(raw["success"]),
        checked=int(result.get("element_count", len(view))),
        failed=int(result.get("unexpected_count", len(rows))),
        rows=rows,
        observed=None if observed is None else str(observed),
        error=exception,
        tolerances=tolerances_used(view),
    )
