"""The quality gate's result as plain values, and the data-quality page made from it.

:mod:`ictanalysis.validate` fills a :class:`QualityResult`; this module turns it
into ``quality.json`` and a self-contained ``quality.html`` (inline CSS, no
script, nothing fetched) that lists every failed or warned rule in plain
Vietnamese (or English), with the offending rows and the cells they came from.
Every value on the page is escaped, its control and bidirectional-override
characters written out (:func:`~ictanalysis.text.visible_text`).
Both files are written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ictanalysis.atomic import write_atomically
from ictanalysis.catalog import Catalog, load_catalog
from ictanalysis.formatting import format_number
from ictanalysis.rules import Rule, YearPair
from ictanalysis.text import visible_text

__all__ = ["QualityResult", "RuleResult", "read_quality", "write_quality_page"]

MAX_ROWS_SHOWN = 200

# Columns of a view worth showing, in this order, with their headings.
_COLUMNS = {
    "year": ("Năm", "Year"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "area": ("Địa bàn", "Area"),
    "operator": ("Doanh nghiệp", "Enterprise"),
    "agency": ("Cơ quan", "Agency"),
    "value_before": ("Năm trước", "Previous year"),
    "value": ("Giá trị", "Value"),
    "change_percent": ("Thay đổi (%)", "Change (%)"),
    "unit": ("Đơn vị tính", "Unit"),
    "catalog_unit": ("Đơn vị chuẩn", "Catalog unit"),
    "minimum": ("Tối thiểu", "Minimum"),
    "maximum": ("Tối đa", "Maximum"),
    "province_value": ("Toàn tỉnh", "Province"),
    "district_sum": ("Tổng các huyện", "Sum of districts"),
    "whole_value": ("Tổng", "Whole"),
    "parts_sum": ("Tổng thành phần", "Sum of parts"),
    "difference": ("Chênh lệch", "Difference"),
    "present": ("Có số liệu", "Present"),
    "source_file": ("Tệp", "File"),
    "source_sheet": ("Trang tính", "Sheet"),
    "source_cell": ("Ô", "Cell"),
    "source_cell_before": ("Ô năm trước", "Previous-year cell"),
    "district_cells": ("Ô các huyện", "District cells"),
    "part_cells": ("Ô thành phần", "Part cells"),
}
_NUMBERS = {"value", "value_before", "change_percent", "minimum", "maximum", "province_value", "district_sum",
            "whole_value", "parts_sum", "difference"}  # fmt: skip

_WORDS = {
    "vi": {
        "title": "Kiểm tra chất lượng số liệu", "compared": "so với", "passed": "ĐẠT",
        "failed": "KHÔNG ĐẠT: chưa lập báo cáo; sửa các lỗi dưới đây rồi chạy lại",
        "warned": "ĐẠT, có cảnh báo: các cảnh báo sẽ được nêu trong phần ghi chú số liệu của báo cáo",
        "rules": "Các quy tắc kiểm tra", "rule": "Quy tắc", "severity": "Mức độ", "status": "Kết quả",
        "checked": "Số dòng kiểm tra", "failing": "Số dòng không đạt", "error": "Lỗi", "warning": "Cảnh báo",
        "ok": "Đạt", "not_ok": "Không đạt", "rows_checked": "dòng số liệu", "findings": "Chi tiết",
        "more": "và {n} dòng khác (xem quality.json)", "generated": "Lập lúc", "data": "Số liệu",
        "errors": "lỗi", "warnings": "cảnh báo", "observed": "Ghi nhận", "exception": "Không kiểm tra được",
        "yes": "có", "no": "thiếu", "skipped": "Chưa kiểm tra (cấu trúc bảng sai)",
    },
    "en": {
        "title": "Data quality check", "compared": "compared with", "passed": "PASSED",
        "failed": "FAILED: no report was built; fix the errors below and run again",
        "warned": "PASSED with warnings: they will appear in the report's data notes",
        "rules": "Rules checked", "rule": "Rule", "severity": "Severity", "status": "Result",
        "checked": "Rows checked", "failing": "Rows failing", "error": "Error", "warning": "Warning",
        "ok": "Passed", "not_ok": "Failed", "rows_checked": "data rows", "findings": "Details",
        "more": "and {n} more rows (see quality.json)", "generated": "Generated", "data": "Data",
        "errors": "errors", "warnings": "warnings", "observed": "Observed", "exception": "Could not be checked",
        "yes": "yes", "no": "missing", "skipped": "Not checked (the table's structure is wrong)",
    },
}  # fmt: skip


@dataclass
class RuleResult:
    """The outcome of one rule: how many rows it checked, which failed."""

    id: str
    severity: str
    description_vi: str
    description_en: str
    success: bool
    checked: int
    failed: int = 0
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    observed: str | None = None
    error: str | None = None
    skipped: bool = False  #: not checked, because the table's schema is wrong

    @classmethod
    def from_rule(cls, rule: Rule, **outcome) -> RuleResult:
        """Return the result of `rule` with the outcome given."""
        return cls(rule.id, rule.severity, rule.vi, rule.en, **outcome)

    def description(self, language: str) -> str:
        """Return what the rule checks, in `language` ("vi" or "en")."""
        return self.description_vi if language == "vi" else self.description_en


@dataclass
class QualityResult:
    """The gate's verdict on the tidy table for one pair of years."""

    pair: YearPair
    rules: list[RuleResult]
    checked_rows: int

    @property
    def failures(self) -> list[RuleResult]:
        """Return the error rules that failed: any of them stops the run."""
        return [r for r in self.rules if not r.success and r.severity == "error"]

    @property
    def warnings(self) -> list[RuleResult]:
        """Return the warning rules that failed: they travel on into the report."""
        return [r for r in self.rules if not r.success and r.severity == "warning"]

    @property
    def passed(self) -> bool:
        """Tell whether the gate lets the run go on."""
        return not self.failures

    def summary(self) -> str:
        """Return a few lines for the terminal."""
        head = f"Quality gate {self.pair.year} vs {self.pair.compare_year}: "
        head += "passed" if self.passed else "FAILED"
        head += f" ({len(self.rules)} rules on {self.checked_rows:,} rows, "
        head += f"{len(self.failures)} failing, {len(self.warnings)} warning)"
        lines = [head]
        for rule in self.failures + self.warnings:
            where = f"not met by {rule.failed} of {rule.checked} rows" if rule.failed else "not met"
            lines.append(f"  {rule.severity} [{rule.id}] {rule.description_en}: {where}")
        return "\n".join(lines)

    def to_json_dict(self) -> dict:
        """Return the whole result as JSON-ready data (offending rows included, up to 1000 a rule)."""
        return {
            "year": self.pair.year,
            "compare_year": self.pair.compare_year,
            "province": self.pair.province,
            "passed": self.passed,
            "checked_rows": self.checked_rows,
            "rules": [
                {
                    "id": r.id, "severity": r.severity, "success": r.success, "checked": r.checked,
                    "failed": r.failed, "description_vi": r.description_vi, "description_en": r.description_en,
                    "observed": r.observed, "error": r.error, "skipped": r.skipped, "rows": _records(r.rows.head(1000)),
                }
                for r in self.rules
            ],
        }  # fmt: skip


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False)) if len(frame) else []


def write_quality_page(
    result: QualityResult, out_dir: Path, *, language: str = "vi", catalog: Catalog | None = None
) -> tuple[Path, Path]:
    """Write ``quality.html`` and ``quality.json`` into `out_dir`, each atomically.

    Returns the paths of the page and of the JSON.
    """
    catalog = catalog or load_catalog()
    out_dir.mkdir(parents=True, exist_ok=True)
    page, data = out_dir / "quality.html", out_dir / "quality.json"
    html = render_quality_page(result, language=language, catalog=catalog)
    text = json.dumps(result.to_json_dict(), ensure_ascii=False, indent=1)
    write_atomically(data, lambda p: p.write_text(text, encoding="utf-8"))
    write_atomically(page, lambda p: p.write_text(html, encoding="utf-8"))
    return page, data


def render_quality_page(result: QualityResult, *, language: str = "vi", catalog: Catalog) -> str:
    """Return the data-quality page as one self-contained HTML string (all text escaped)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("ictanalysis", "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
        finalize=visible_text,
    )
    words = _WORDS[language]
    findings = [_finding(rule, language, catalog) for rule in result.failures + result.warnings]
    return environment.get_template("quality.html.j2").render(
        result=result,
        language=language,
        w=words,
        findings=findings,
        province=catalog.areas[result.pair.province].name if result.pair.province in catalog.areas else result.pair.province,
        generated=dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M"),
    )


def _finding(rule: RuleResult, language: str, catalog: Catalog) -> dict:
    """Return one failed rule's table: headings and formatted rows."""
    index = 0 if language == "vi" else 1
    columns = [c for c in _COLUMNS if c in rule.rows.columns]
    shown = rule.rows.head(MAX_ROWS_SHOWN)
    rows = [[_cell(column, row[column], language, catalog) for column in columns] for _, row in shown.iterrows()]
    return {
        "rule": rule,
        "headings": [_COLUMNS[c][index] for c in columns],
        "rows": rows,
        "more": max(0, len(rule.rows) - MAX_ROWS_SHOWN),
    }


def _cell(column: str, value, language: str, catalog: Catalog) -> str:
    """Format one value of an offending row for people: names for codes, local number notation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column in _NUMBERS:
        return format_number(float(value), language)
    if column == "indicator" and value in catalog.indicators:
        indicator = catalog.indicators[value]
        return f"{indicator.name_vi if language == 'vi' else indicator.name_en} ({value})"
    if column == "area" and value in catalog.areas:
        return f"{value} {catalog.areas[value].name}"
    if column == "present":
        return _WORDS[language]["yes" if value else "no"]
    return str(value)


def read_quality(path: str | Path) -> dict | None:
    """Return the gate's JSON result written beside the page, or None when there is none."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
