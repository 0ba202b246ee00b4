"""What the report notebook shows: headings, paragraphs and tables as escaped HTML.

Each function returns an IPython ``HTML`` object, so a notebook cell shows it
in JupyterLab and nbconvert copies it into the report. Every string that came
from a workbook is escaped, its control and bidirectional-override characters
written out (:func:`~ictanalysis.text.visible_text`); numbers are written
the Vietnamese way (or the English way) by :mod:`ictanalysis.formatting`; every
table ends with the source cells of its figures.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from ictanalysis.formatting import format_change, format_number, format_percent, format_points
from ictanalysis.text import visible_text

__all__ = [
    "CHANGE_COLUMNS", "DISTRICT_COLUMNS", "OPERATOR_COLUMNS", "PENETRATION_COLUMNS", "SECTIONS", "SOURCE_COLUMNS",
    "Charts", "change_text", "heading", "label", "paragraphs", "table", "table_markup", "title",
]  # fmt: skip

SECTIONS = {
    "headline": ("Những con số chính", "Headline figures"),
    "postal": ("Bưu chính", "Postal services"),
    "telecom": ("Viễn thông và Internet", "Telecommunications and internet"),
    "infrastructure": ("Hạ tầng viễn thông", "Telecom infrastructure"),
    "subscribers": ("Thuê bao", "Subscribers"),
    "penetration": ("Mật độ thuê bao trên 100 dân", "Subscriptions per 100 inhabitants"),
    "revenue": ("Doanh thu", "Revenue"),
    "egov": ("Chính quyền điện tử", "E-government"),
    "admin": ("Công tác tham mưu, chỉ đạo điều hành của Sở", "The department's own work"),
    "notes": ("Ghi chú số liệu", "Data notes"),
    "sources": ("Phụ lục: nguồn của từng số liệu", "Appendix: where each figure comes from"),
}

# Table columns: name → (Vietnamese heading, English heading), in display order.
CHANGE_COLUMNS = {
    "name": ("Chỉ tiêu", "Indicator"), "unit": ("Đơn vị tính", "Unit"), "value_before": ("Năm trước", "Previous year"),
    "value": ("Năm báo cáo", "Report year"), "change_percent": ("Tăng/giảm", "Change"),
}
OPERATOR_COLUMNS = {
    "operator": ("Doanh nghiệp", "Enterprise"), "value_before": ("Năm trước", "Previous year"),
    "value": ("Năm báo cáo", "Report year"), "change_percent": ("Tăng/giảm", "Change"), "share": ("Thị phần", "Share"),
}
DISTRICT_COLUMNS = {
    "name": ("Huyện/thành phố", "District"), "value_before": ("Năm trước", "Previous year"),
    "value": ("Năm báo cáo", "Report year"), "change_percent": ("Tăng/giảm", "Change"), "share": ("Tỷ trọng", "Share"),
    "rank": ("Xếp hạng", "Rank"), "rank_change": ("Thay đổi hạng", "Rank change"),
}
PENETRATION_COLUMNS = {
    "name": ("Địa bàn", "Area"), "population": ("Dân số", "Population"), "subscribers": ("Thuê bao", "Subscriptions"),
    "per_100_before": ("Trên 100 dân, năm trước", "Per 100, previous year"),
    "per_100": ("Trên 100 dân", "Per 100 inhabitants"),
}
SOURCE_COLUMNS = {
    "name": ("Số liệu", "Figure"), "year": ("Năm", "Year"), "value": ("Giá trị", "Value"),
    "sources": ("Tệp › trang tính › ô", "File › sheet › cell"),
}
EGOV_INDICATORS = [
    "online_services_level2", "online_services_level3", "online_services_level4", "national_portal_procedures",
    "national_portal_share", "interconnected_land_procedures", "videoconference_endpoints", "edocuments_exchanged",
]
_LABELS = {
    "title": ("Báo cáo số liệu ngành Thông tin và Truyền thông năm {year}",
              "Information and communications figures, {year}"),
    "subtitle": ("Tỉnh {province} · so sánh với năm {compare_year} · số liệu tính từ các báo cáo gửi về Sở",
                 "{province} province · compared with {compare_year} · computed from the reports sent to the department"),
    "change_chart": ("Tăng/giảm so với năm trước (%)", "Change from the previous year (%)"),
    "postal_revenue_by_enterprise": ("Doanh thu bưu chính theo doanh nghiệp (đồng)", "Postal revenue by enterprise (đồng)"),
    "postal_revenue_share": ("Thị phần doanh thu bưu chính", "Share of postal revenue"),
    "mobile_by_enterprise": ("Thuê bao di động theo doanh nghiệp", "Mobile subscriptions by enterprise"),
    "mobile_share": ("Thị phần thuê bao di động", "Share of mobile subscriptions"),
    "fixed_broadband_by_district": ("Thuê bao băng rộng cố định theo huyện/thành phố", "Fixed-broadband subscriptions by district"),
    "mobile_per_100": ("Thuê bao di động trên 100 dân", "Mobile subscriptions per 100 inhabitants"),
    "bts_4g_by_district": ("Trạm BTS 4G theo huyện/thành phố", "4G base stations by district"),
    "telecom_revenue_by_enterprise": ("Doanh thu dịch vụ viễn thông theo doanh nghiệp (đồng)", "Telecom service revenue by enterprise (đồng)"),
    "level4_by_agency": ("Dịch vụ công trực tuyến mức độ 4 theo cơ quan", "Level-4 online services by agency"),
    "unit_subscriptions": ("Thuê bao", "Subscriptions"),
    "unit_stations": ("Trạm", "Stations"),
    "unit_procedures": ("thủ tục", "procedures"),
}  # fmt: skip


def label(key: str, language: str = "vi", **values) -> str:
    """Return a caption or title of the report in `language`, with `values` filled in.

    >>> label("title", "vi", year=2020)
    'Báo cáo số liệu ngành Thông tin và Truyền thông năm 2020'
    """
    vi, en = _LABELS[key]
    return (vi if language == "vi" else en).format(**values)


class Charts:
    """Show charts in the notebook and, when the run has an output folder, keep each one's spec there.

    ``<output_dir>/charts/<name>.vl.json`` is what a scheduled run needs: the report stage
    draws each spec as SVG, PNG and an offline page in another process while the notebook
    goes on (:class:`ictanalysis.render.ChartRenderer`). An analyst's interactive run
    passes no folder and only sees the charts.
    """

    def __init__(self, output_dir: str, language: str = "vi") -> None:
        self.directory = Path(output_dir) / "charts" if output_dir else None
        self.language = language

    def show(self, chart, name: str):
        """Keep `chart`'s spec as `name` (when there is a folder) and return the chart for display."""
        from ictanalysis.chart import show
        from ictanalysis.render import write_spec

        shown = show(chart, self.language)
        if self.directory is not None:
            write_spec(shown.spec, self.directory, name)
        return shown


# Columns that hold a percentage or a signed change, written as such.
_PERCENT = {"share", "share_before"}
_PLAIN = {"year", "rank", "rank_before"}  # counted, not measured: no thousands separator
_CHANGE = {"per_100_change"}  # change_percent goes through change_text (points for a rate)
_SOURCES = ("Nguồn", "Sources")


def _escape(text: str) -> str:
    r"""Return text for HTML: markup characters escaped, invisible control characters written out.

    >>> _escape('<img src=x onerror="alert(1)">\u202e')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\\u202e'
    """
    return html.escape(visible_text(text))


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def title(text: str, subtitle: str = ""):
    """Return the report's title and a subtitle line."""
    sub = f'<p class="note">{_escape(subtitle)}</p>' if subtitle else ""
    return _html(f"<h1>{_escape(text)}</h1>{sub}")


def heading(section: str, language: str = "vi", level: int = 2):
    """Return the heading of a report section (see :data:`SECTIONS`) in `language`."""
    vi, en = SECTIONS[section]
    return _html(f'<h{level} id="{section}">{html.escape(vi if language == "vi" else en)}</h{level}>')


def paragraphs(sentences: Iterable[str], css_class: str = ""):
    """Return each sentence as a paragraph (escaped)."""
    attribute = f' class="{css_class}"' if css_class else ""
    return _html("".join(f"<p{attribute}>{_escape(s)}</p>" for s in sentences))


def table(
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    language: str = "vi",
    caption: str = "",
    sources: bool = True,
):
    """Return `frame`'s `columns` as an HTML table with local number notation, then its source cells.

    Args:
        frame: Rows to show; numeric columns are formatted, text is escaped.
        columns: column name → (Vietnamese heading, English heading), in display order.
        language: "vi" or "en".
        caption: Shown above the table.
        sources: Add a line listing the source cells of every figure (from `frame["sources"]`).
    """
    return _html(table_markup(frame, columns, language, caption, sources))


def table_markup(frame, columns, language="vi", caption="", sources=True) -> str:
    """Return the markup of :func:`table` as a string."""
    index = 0 if language == "vi" else 1
    head = "".join(f'<th class="{_kind(frame, c)}">{html.escape(labels[index])}</th>' for c, labels in columns.items())
    body = "".join(
        "<tr>" + "".join(f'<td class="{_kind(frame, c)}">{_row_cell(c, row, language)}</td>' for c in columns) + "</tr>"
        for _, row in frame.iterrows()
    )
    caption_markup = f"<caption>{_escape(caption)}</caption>" if caption else ""
    markup = f"<table>{caption_markup}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if sources and "sources" in frame.columns:
        cells = "; ".join(s for s in frame["sources"].astype(str) if s)
        markup += (f'<details class="sources"><summary>{_SOURCES[index]}</summary>'
                   f"<p>{_escape(cells)}</p></details>")  # fmt: skip
    return markup


def _kind(frame: pd.DataFrame, column: str) -> str:
    return "num" if column in frame.columns and pd.api.types.is_numeric_dtype(frame[column]) else ""


def change_text(row, language: str = "vi") -> str:
    """Return a change-table row's change as people read it: in percent, or in points for a rate.

    >>> change_text({"change_percent": 650.0}), change_text({"change_percent": float("nan"), "change_points": 1.5})
    ('+650,0 %', '+1,5 điểm %')
    """
    points = row.get("change_points")
    if points is not None and not pd.isna(points):
        return format_points(points, language)
    return format_change(row.get("change_percent"), language)


def _row_cell(column: str, row, language: str) -> str:
    if column == "change_percent":
        return html.escape(change_text(row, language))
    return _cell(column, row[column], language)


def _cell(column: str, value, language: str) -> str:
    if isinstance(value, str):
        return _escape(value)
    if value is None or pd.isna(value):
        return "–"
    if column in _PLAIN:
        return html.escape(str(int(value)))
    if column in _CHANGE:
        return html.escape(format_change(value, language))
    if column in _PERCENT:
        return html.escape(format_percent(value, language))
    if isinstance(value, (int, float)):
        return html.escape(format_number(value, language))
    return html.escape(str(value))
