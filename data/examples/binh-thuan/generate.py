"""Write the Bình Thuận example: yearbook-form and agency-form tables only, deterministically.

The second bundled example (province 60, Bình Thuận, before the 2025 merger): no
layout file of its own, every table in one of the national standard forms.

- ``raw/2019/bao-cao-so-tttt-2019.ods``: the department's form "STT | Chỉ tiêu |
  ĐVT | 2019 | Kế hoạch năm 2020", sections "I. Bưu chính", "II. Viễn thông";
  telecom revenue with its enterprises as "- VNPT" rows. No e-government (the
  domain is missing in 2019).
- ``raw/2020/so-lieu-thong-ke-2020.xlsx``: two statistics-office tables (not
  named "nien-giam"): telephone subscribers with the years as columns
  (bilingual, "Trong đó - Of which", "Sơ bộ - Prel. 2020", an index block,
  notes), and postal and telecom turnover with the years as rows.
- ``raw/2020/chi-tieu-2020.csv``: the department's form as a semicolon CSV,
  with e-government.
- ``raw/2021/bao-cao-tong-hop-2021.xlsx``: the department's form for 2021
  ("TT | Chỉ tiêu | ĐVT | 2021 | Ghi chú"), revenue as "Doanh thu" with
  "Bưu chính / Viễn thông" parts, and a sheet "STT | Chỉ tiêu | ĐVT | 2019 |
  2020 | 2021" of internet use with its breakdowns (thành thị / nông thôn, nam /
  nữ; blank where not surveyed).

Magnitudes are Bình Thuận's (about 1,24 million people). Run
``python data/examples/binh-thuan/generate.py`` to rewrite ``raw/``;
:func:`expected` returns every figure the tidy table must hold.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).parent
PROVINCE = "60"
FIXED_TIME = datetime(2022, 3, 1, 8, 0, 0)
UNIT_TB = "Nghìn thuê bao - Thous. subs."

# The department's figures: indicator → {year: value in the unit written}.
DEPARTMENT = {
    2019: {"postal_service_points": 142, "postal_items": 3_412_560, "postal_revenue": 148_230,
           "mobile_subscribers": 1_298_410, "fixed_telephone_subscribers": 41_225,
           "fixed_broadband_subscribers": 182_340, "bts_stations": 2_105,
           "telecom_revenue": {"": 2_312_400, "VNPT": 702_150, "Viettel": 1_298_300, "MobiFone": 311_950}},
    2020: {"postal_service_points": 145, "postal_items": 3_905_118, "postal_revenue": 159_870,
           "mobile_subscribers": 1_321_906, "fixed_telephone_subscribers": 37_940,
           "fixed_broadband_subscribers": 203_115, "bts_stations": 2_284,
           "telecom_revenue": {"": 2_398_650, "VNPT": 715_300, "Viettel": 1_356_200, "MobiFone": 327_150},
           "online_services_level3": 412, "online_services_level4": 1_187},
    2021: {"postal_service_points": 147, "postal_items": 4_460_020, "postal_revenue": 171_045,
           "mobile_subscribers": 1_352_410, "fixed_telephone_subscribers": 35_012,
           "fixed_broadband_subscribers": 226_480, "bts_stations": 2_431,
           "telecom_revenue": {"": 2_471_900},
           "online_services_level3": 389, "online_services_level4": 1_402},
}
PLAN_2019 = {"postal_revenue": 155_000, "mobile_subscribers": 1_310_000, "telecom_revenue": 2_380_000}
# Internet use (%, from the survey): None where not surveyed that year.
INTERNET_USE = {
    "internet_users_rate": {2019: 62.4, 2020: 68.1, 2021: 72.5},
    "internet_users_rate_urban": {2019: 74.2, 2020: 78.6, 2021: 81.3},
    "internet_users_rate_rural": {2019: 55.8, 2020: 62.0, 2021: 67.4},
    "internet_users_rate_male": {2019: None, 2020: 69.9, 2021: 73.8},
    "internet_users_rate_female": {2019: None, 2020: 66.3, 2021: 71.2},
}
# The statistics office's series, thousand subscribers and billion đồng (one decimal); 2015 for the indices.
GSO_PHONES = {2015: (1_190.4, 64.2), 2016: (1_245.8, 55.1), 2017: (1_262.3, 48.7), 2018: (1_281.6, 44.9),
              2019: (1_298.4, 41.2), 2020: (1_321.9, 37.9)}  # (mobile, fixed)
GSO_TURNOVER = {2015: (98.6, 1_845.2), 2016: (109.4, 1_962.7), 2017: (121.9, 2_071.5), 2018: (135.2, 2_190.3),
                2019: (148.2, 2_312.4), 2020: (159.9, 2_398.7)}  # (postal, telecom)
GSO_YEARS = (2016, 2017, 2018, 2019, 2020)


def vn(value: float, decimals: int = 0) -> str:
    """Write a number the Vietnamese way: 1.234.567 or 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,"))


def expected() -> list[tuple[int, str, str, float]]:
    """Return every figure the tidy table must hold: (year, indicator, operator, value in the catalog's unit)."""
    money = {"postal_revenue", "telecom_revenue"}
    found = []
    for year, figures in DEPARTMENT.items():
        for indicator, value in figures.items():
            by_operator = value if isinstance(value, dict) else {"": value}
            for operator, figure in by_operator.items():
                found.append((year, indicator, operator, figure * (1_000_000 if indicator in money else 1)))
    for indicator, series in INTERNET_USE.items():
        found += [(year, indicator, "", value) for year, value in series.items() if value is not None]
    for year in GSO_YEARS:
        mobile, fixed = GSO_PHONES[year]
        found += [(year, "gso_telephone_subscribers", "", round(mobile + fixed, 1) * 1000),
                  (year, "gso_mobile_subscribers", "", mobile * 1000),
                  (year, "gso_fixed_telephone_subscribers", "", fixed * 1000)]
        postal, telecom = GSO_TURNOVER[year]
        found += [(year, "gso_postal_telecom_revenue", "", round(postal + telecom, 1) * 1e9),
                  (year, "gso_postal_revenue", "", postal * 1e9), (year, "gso_telecom_revenue", "", telecom * 1e9)]
    return found


def department_rows(year: int, revenue_parts: bool) -> list[list]:
    """Return the rows "STT | Chỉ tiêu | ĐVT | <year>" of the department's form for `year`."""
    f = DEPARTMENT[year]
    rows = [["I", "Bưu chính", "", ""],
            ["1", "Số điểm phục vụ bưu chính", "điểm", f["postal_service_points"]],
            ["2", "Sản lượng bưu gửi", "bưu gửi", f["postal_items"]]]
    if not revenue_parts:
        rows.append(["3", "Doanh thu", "triệu đồng", f["postal_revenue"]])
    rows += [["II", "Viễn thông", "", ""],
             ["1", "Thuê bao điện thoại đi động", "thuê bao", f["mobile_subscribers"]],
             ["2", "Thuê bao điện thoại cố định", "thuê bao", f["fixed_telephone_subscribers"]],
             ["3", "Thuê bao internet băng rộng cố định", "thuê bao", f["fixed_broadband_subscribers"]],
             ["4", "Số trạm BTS", "trạm", f["bts_stations"]]]
    revenue = f["telecom_revenue"]
    if revenue_parts:  # "Doanh thu" under no section: its parts say which
        rows += [["III", "Doanh thu", "", ""], ["", "- Bưu chính", "triệu đồng", f["postal_revenue"]],
                 ["", "- Viễn thông", "triệu đồng", revenue[""]]]
    else:
        rows.append(["5", "Doanh thu", "triệu đồng", revenue[""]])
        rows += [["", f"- {op}", "triệu đồng", value] for op, value in revenue.items() if op]
    if "online_services_level3" in f:
        rows += [["IV" if revenue_parts else "III", "Chính quyền điện tử", "", ""],
                 ["1", "Dịch vụ công trực tuyến mức độ 3", "thủ tục", f["online_services_level3"]],
                 ["2", "Dịch vụ công trực tuyến mức độ 4", "thủ tục", f["online_services_level4"]]]
    return rows


def write_2019(raw: Path) -> Path:
    """Write the 2019 department form as an .ods, with a plan column that is not data."""
    header = ["STT", "Chỉ tiêu", "ĐVT", "2019", "Kế hoạch năm 2019"]
    body = [[*row, PLAN_2019.get(_indicator_of(row), "")] for row in department_rows(2019, revenue_parts=False)]
    rows = [["SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH BÌNH THUẬN"], ["MỘT SỐ CHỈ TIÊU BƯU CHÍNH, VIỄN THÔNG NĂM 2019"], [],
            header, *body, [], ["Ghi chú: số liệu do các doanh nghiệp báo cáo."]]
    return _write_ods(raw / "2019" / "bao-cao-so-tttt-2019.ods", "Chỉ tiêu", rows)


def _indicator_of(row: list) -> str:
    """Return which plan figure a row of the 2019 form carries (by its label)."""
    return {"Doanh thu": "postal_revenue", "Thuê bao điện thoại đi động": "mobile_subscribers"}.get(row[1], "")


def write_2020_csv(raw: Path) -> Path:
    """Write the 2020 department form as a semicolon CSV with a byte-order mark."""
    path = raw / "2020" / "chi-tieu-2020.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["STT", "Chỉ tiêu", "ĐVT", "2020"])
    for row in department_rows(2020, revenue_parts=False):
        writer.writerow([row[0], row[1], row[2], vn(row[3]) if isinstance(row[3], int) else row[3]])
    path.write_bytes("\ufeff".encode() + buf.getvalue().encode("utf-8"))
    return path


def phones_sheet(ws) -> None:
    """Fill the yearbook's telephone table: years as columns, bilingual, an index block and notes."""
    def series(i):
        return [_one(GSO_PHONES[y][i] if i < 2 else sum(GSO_PHONES[y]), 1) for y in GSO_YEARS]

    def index(i):
        value = (lambda y: sum(GSO_PHONES[y])) if i == 2 else (lambda y: GSO_PHONES[y][i])
        return [_one(round(100 * value(y) / value(y - 1), 2), 2) for y in GSO_YEARS]

    rows = [["195. Số thuê bao điện thoại - Number of telephone subscribers"], [],
            ["", "Đơn vị tính - Unit", "2016", "2017", "2018", "2019", "Sơ bộ - Prel. 2020"],
            ["Số thuê bao điện thoại - Number of telephone subscribers", UNIT_TB, *series(2)],
            ["Trong đó - Of which:"],
            ["Di động - Mobile", UNIT_TB, *series(0)],
            ["Cố định - Fixed", UNIT_TB, *series(1)],
            ["Chỉ số phát triển (Năm trước = 100) - Index (Previous year = 100) - %"],
            ["Số thuê bao điện thoại - Number of telephone subscribers", "%", *index(2)],
            ["Di động - Mobile", "%", *index(0)], ["Cố định - Fixed", "%", *index(1)], [],
            ["Ghi chú: Số liệu năm 2020 là số sơ bộ - Note: 2020 figures are preliminary."]]
    for row in rows:
        ws.append(row)


def turnover_sheet(ws) -> None:
    """Fill the yearbook's turnover table: years as rows under a blank cell, the index block below."""
    ws.append(["196. Doanh thu bưu chính, chuyển phát và viễn thông - "
               "Turnover of postal, delivery and telecommunication services"])
    ws.append(["Đơn vị tính: Tỷ đồng - Unit: Bill. dongs"])
    ws.append(["", "Tổng số - Total", "Chia ra - Of which", ""])
    ws.append(["", "", "Bưu chính, chuyển phát - Postal and delivery", "Viễn thông - Telecommunication"])
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    for year in GSO_YEARS:
        postal, telecom = GSO_TURNOVER[year]
        label = f"Sơ bộ - Prel. {year}" if year == GSO_YEARS[-1] else year
        ws.append([label, round(postal + telecom, 1), postal, telecom])
    ws.append(["", "Chỉ số phát triển (Năm trước = 100) - Index (Previous year = 100) - %"])
    ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=4)
    for year in GSO_YEARS:
        (p0, t0), (p1, t1) = GSO_TURNOVER[year - 1], GSO_TURNOVER[year]
        label = f"Sơ bộ - Prel. {year}" if year == GSO_YEARS[-1] else year
        ws.append([label, round(100 * (p1 + t1) / (p0 + t0), 2), round(100 * p1 / p0, 2), round(100 * t1 / t0, 2)])


def _one(value: float, decimals: int) -> str:
    """Write a yearbook figure as text with a decimal comma, as copied from the statistics office's page."""
    return vn(value, decimals)


def write_2020_yearbook(raw: Path) -> Path:
    """Write the statistics office's two tables, in a file not named after the yearbook."""
    wb = openpyxl.Workbook()
    phones_sheet(wb.active)
    wb.active.title = "Thuê bao"
    turnover_sheet(wb.create_sheet("Doanh thu"))
    return _save_xlsx(wb, raw / "2020" / "so-lieu-thong-ke-2020.xlsx")


def write_2021(raw: Path) -> Path:
    """Write the 2021 department form and the internet-use series (2019–2021) as an .xlsx."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    ws.append(["SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH BÌNH THUẬN"])
    ws.append(["BÁO CÁO TỔNG HỢP SỐ LIỆU NĂM 2021"])
    ws.append([])
    ws.append(["TT", "Chỉ tiêu", "ĐVT", "2021", "Ghi chú"])
    for row in department_rows(2021, revenue_parts=True):  # copied from a web page: "1,352,410", English thousands
        ws.append([*row[:3], f"{row[3]:,}" if isinstance(row[3], int) else row[3], ""])
    series = wb.create_sheet("Internet")
    series.append(["MỘT SỐ CHỈ TIÊU VỀ SỬ DỤNG INTERNET GIAI ĐOẠN 2019 - 2021"])
    series.append(["STT", "Chỉ tiêu", "ĐVT", "2019", "2020", "2021"])
    labels = {"internet_users_rate": ("1", "Tỷ lệ người sử dụng Internet"),
              "internet_users_rate_urban": ("", "- Thành thị"), "internet_users_rate_rural": ("", "- Nông thôn"),
              "internet_users_rate_male": ("", "- Nam"), "internet_users_rate_female": ("", "- Nữ")}
    for indicator, (number, label) in labels.items():
        values = INTERNET_USE[indicator]
        series.append([number, label, "%", *(values[y] if values[y] is not None else None for y in (2019, 2020, 2021))])
    return _save_xlsx(wb, raw / "2021" / "bao-cao-tong-hop-2021.xlsx")


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed timestamps, so the file does not change from run to run."""
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type, entry.external_attr, entry.create_system = info.compress_type, info.external_attr, 3
            dst.writestr(entry, src.read(info.filename))
    return buf.getvalue()


def _save_xlsx(wb: openpyxl.Workbook, path: Path) -> Path:
    """Save a workbook deterministically (fixed document times and zip timestamps)."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return path


def _write_ods(path: Path, name: str, rows: list[list]) -> Path:
    """Write one sheet as an .ods: numbers as float cells, text as strings."""
    Element.namespaces = {}  # odfpy declares every namespace ever used: start from none
    doc = OpenDocumentSpreadsheet()
    table = Table(name=name)
    for cells in rows:
        tr = TableRow()
        for value in cells:
            if isinstance(value, int | float):
                tc = TableCell(valuetype="float", value=value)
                tc.addElement(P(text=str(value)))
            elif value:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=value))
            else:
                tc = TableCell()
            tr.addElement(tc)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return path


def write_all(raw: Path = HERE / "raw") -> list[Path]:
    """Write every workbook of the example under `raw`."""
    return [write_2019(raw), write_2020_csv(raw), write_2020_yearbook(raw), write_2021(raw)]


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "raw"):
        print(written)
