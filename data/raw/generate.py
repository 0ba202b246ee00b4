"""Generate the example input workbooks of Ninh Thuận province (2019, 2020).

The files imitate what a provincial Department of Information and
Communications (Sở Thông tin và Truyền thông) collects each year: a
consolidated telecom workbook, an operator's old ``.xls`` export, the postal
enterprises' report, the e-government workbook, the department's own summary,
a population CSV exported from Excel and, for 2020 only, an extract of the
statistics office's yearbook in ODS format.

A handful of figures are real (see ``README.md`` beside this script); every
other figure is illustrative, at a realistic magnitude. The figures live in
the module-level tables ``FIGURES_2019`` and ``FIGURES_2020``;
:func:`figures` returns them for any year from 2019 on, deriving later years
from 2020. Totals are never typed: every total row is computed from its parts.

Output is deterministic: there is no randomness, and zip-based files (xlsx,
ods) are written with fixed timestamps, so two runs give byte-identical files.

Usage::

    python data/raw/generate.py [--out DIR] [--years 2019 2020]
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import xlwt
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent

FIXED_TIME = datetime(2021, 1, 15, 8, 0)
"""Creation/modification time stamped into every zip-based file."""

CREATOR = "So TTTT Ninh Thuan"

# ---------------------------------------------------------------------------
# Administrative units and spellings
# ---------------------------------------------------------------------------

DISTRICTS = (582, 584, 585, 586, 587, 588, 589)
"""GSO codes of Ninh Thuận's district-level units (province code 58), in order."""

DISTRICT_NAMES = {
    582: "Thành phố Phan Rang-Tháp Chàm",
    584: "Huyện Bác Ái",
    585: "Huyện Ninh Sơn",
    586: "Huyện Ninh Hải",
    587: "Huyện Ninh Phước",
    588: "Huyện Thuận Bắc",
    589: "Huyện Thuận Nam",
}

# How each table spells the districts. Spellings deliberately vary between
# and within files, as they do in real submissions.
LABELS = {
    "mobile": {
        582: "TP. Phan Rang - Tháp Chàm", 584: "Huyện Bác Ái", 585: "Huyện Ninh Sơn",
        586: "Huyện Ninh Hải", 587: "Huyện Ninh Phước", 588: "Thuận Bắc", 589: "H.Thuận Nam",
    },
    "fixed": {
        582: "Tp PR-TC", 584: "Bác Ái", 585: "Ninh Sơn", 586: "Ninh Hải",
        587: "Ninh Phước", 588: "Thuận Bắc", 589: "Thuận Nam",
    },
    "bts": {
        582: "TP Phan Rang Tháp Chàm", 584: "H. Bác Ái", 585: "H. Ninh Sơn", 586: "H. Ninh Hải",
        587: "H. Ninh Phước", 588: "H. Thuận Bắc", 589: "H.Thuận Nam",
    },
    "viettel": {
        582: "Tp PR-TC", 584: "Bác Ái", 585: "Ninh Son", 586: "NINH HẢI",
        587: "Ninh Phuoc", 588: "Thuận Bắc", 589: "Thuan Nam",
    },
    "population": {
        582: "Thành phố Phan Rang-Tháp Chàm", 584: "Huyện Bác Ái", 585: "Huyện Ninh Sơn",
        586: "Huyện Ninh Hải", 587: "Huyện Ninh Phước", 588: "Huyện Thuận Bắc", 589: "Huyện Thuận Nam",
    },
    "lookup": DISTRICT_NAMES,
}

TELECOM_AGENCY = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN"
VIETTEL_SENDER = "VIETTEL NINH THUẬN"

AGENCIES = (
    "Văn phòng UBND tỉnh",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Xây dựng",
    "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Khoa học và Công nghệ",
    "Ban Quản lý các khu công nghiệp",
    "UBND cấp huyện",
    "UBND cấp xã",
)

# Column headers of the telecom operators, by the key used in the tables.
OPERATOR_HEADERS = {
    "VNPT": "VNPT (VinaPhone)",
    "Viettel": "Viettel",
    "MobiFone": "MobiFone",
    "Vietnamobile": "Vietnamobile",
}
REVENUE_OPERATORS = {  # key -> (row label, free-text note)
    "VNPT": ("VNPT", "Viễn thông Ninh Thuận"),
    "Viettel": ("Viettel", "Chi nhánh Viettel Ninh Thuận"),
    "MobiFone": ("MobiFone", "Số liệu do Tổng công ty cung cấp"),
    "Vietnamobile": ("Vietnamobile", "Bắt đầu báo cáo từ năm 2020"),
    "FPT": ("FPT Telecom", "Chỉ cung cấp dịch vụ internet cố định"),
}
POSTAL_NAMES = {
    "VNPost": {2019: "BĐT Ninh Thuận (VNPost)", 2020: "Bưu điện tỉnh Ninh Thuận"},
    "ViettelPost": "Viettel Post",
    "JT": "J&T Express",
    "GHN": "Giao Hàng Nhanh",
    "GHTK": "Giao Hàng Tiết Kiệm",
}

# ---------------------------------------------------------------------------
# Figures. REAL figures (from the department's 2020 report and the 2019
# census) are marked "real"; everything else is illustrative.
# ---------------------------------------------------------------------------

FIGURES_2019 = {
    # Census of 1 April 2019; districts sum to 590.467 (real total).
    "population": {582: 167394, 584: 30285, 585: 76512, 586: 94318, 587: 122845, 588: 41096, 589: 58017},
    # operator -> district -> (prepaid, postpaid)
    "mobile": {
        "VNPT": {582: (53346, 4956), 584: (5010, 465), 585: (16568, 1539), 586: (21319, 1980),
                 587: (26974, 2506), 588: (8301, 771), 589: (13858, 1287)},
        "Viettel": {582: (118402, 7558), 584: (11106, 709), 585: (40539, 2588), 586: (47305, 3020),
                    587: (65885, 4205), 588: (18435, 1177), 589: (30742, 1962)},
        "MobiFone": {582: (46750, 3519), 584: (4838, 364), 585: (16020, 1206), 586: (18673, 1406),
                     587: (26057, 1961), 588: (7283, 548), 589: (13374, 1007)},
    },
    "fixed_phone": {
        "VNPT": {582: 5472, 584: 251, 585: 1338, 586: 1551, 587: 2369, 588: 664, 589: 1282},
        "Viettel": {582: 1261, 584: 64, 585: 309, 586: 357, 587: 602, 588: 153, 589: 295},
    },
    "fixed_broadband": {
        "VNPT": {582: 11681, 584: 501, 585: 2667, 586: 3347, 587: 4928, 588: 1058, 589: 2043},
        "Viettel": {582: 10282, 584: 487, 585: 2349, 586: 3247, 587: 4345, 588: 932, 589: 1983},
        "FPT": {582: 5660, 584: 0, 585: 1123, 586: 1555, 587: 2079, 588: 491, 589: 950},
    },
    # Viettel's own mobile-broadband subscribers: district -> (3G, 4G)
    "mobile_broadband_viettel": {582: (14462, 31752), 584: (1496, 2983), 585: (4955, 9868), 586: (5777, 12690),
                                 587: (8058, 16061), 588: (2253, 4485), 589: (3753, 8249)},
    # operator -> district -> (2G, 3G, 4G)
    "bts": {
        "VNPT": {582: (35, 42, 26), 584: (15, 19, 13), 585: (22, 30, 18), 586: (22, 27, 16),
                 587: (26, 31, 21), 588: (15, 20, 12), 589: (19, 23, 14)},
        "Viettel": {582: (44, 61, 46), 584: (21, 27, 20), 585: (31, 42, 32), 586: (31, 38, 29),
                    587: (36, 45, 37), 588: (20, 28, 21), 589: (26, 32, 24)},
        "MobiFone": {582: (29, 43, 26), 584: (14, 19, 11), 585: (21, 27, 18), 586: (21, 27, 17),
                     587: (24, 32, 21), 588: (14, 20, 12), 589: (17, 23, 14)},
    },
    # telecom service revenue, million đồng
    "telecom_revenue": {"VNPT": 381245.7, "Viettel": 452310.5, "MobiFone": 148962.3, "FPT": 67418.9},
    # enterprise -> (service points, items, revenue in million đồng excluding money transfer)
    "postal": {
        "VNPost": (100, 1182460, 71235.6),
        "ViettelPost": (10, 486120, 27410.3),
        "JT": (5, 298750, 13862.8),
        "GHN": (3, 142300, 7591.2),
    },
    # agency -> (level 2, level 3, level 4) online public services; level 4 sums to 74 (real)
    "egov_services": {
        "Văn phòng UBND tỉnh": (5, 2, 0),
        "Sở Kế hoạch và Đầu tư": (52, 62, 12),
        "Sở Tư pháp": (76, 38, 8),
        "Sở Công Thương": (70, 52, 10),
        "Sở Xây dựng": (26, 18, 4),
        "Sở Giao thông vận tải": (41, 36, 9),
        "Sở Tài nguyên và Môi trường": (61, 21, 0),
        "Sở Thông tin và Truyền thông": (14, 20, 9),
        "Sở Lao động - Thương binh và Xã hội": (92, 24, 2),
        "Sở Y tế": (104, 41, 3),
        "Sở Giáo dục và Đào tạo": (57, 20, 4),
        "Sở Nông nghiệp và Phát triển nông thôn": (84, 25, 2),
        "Sở Văn hóa, Thể thao và Du lịch": (91, 30, 3),
        "Sở Nội vụ": (66, 18, 2),
        "Sở Tài chính": (23, 8, 1),
        "Sở Khoa học và Công nghệ": (39, 16, 3),
        "Ban Quản lý các khu công nghiệp": (20, 12, 2),
        "UBND cấp huyện": (181, 30, 0),
        "UBND cấp xã": (99, 12, 0),
    },
    "egov_indicators": {
        "national_portal_procedures": 0,
        "national_portal_share": 0,
        "land_procedures": 0,
        "video_endpoints": 12,
        "documents_exchanged": 95380,
        "ministries_connected": 14,
        "government_agencies_connected": 5,
        "interconnection_levels": 2,
    },
    # indicator -> (plan or None, actual)
    "department": {
        "legal_documents": (None, 3),
        "decisions": (None, 18),
        "plans": (None, 9),
        "directives_assigned": (None, 60),
        "directives_on_time": (None, 58),
        "coverage_4g": (None, 98.5),
        "coverage_3g4g": (None, 100),
    },
}

FIGURES_2020 = {
    "population": {582: 168920, 584: 30710, 585: 77050, 586: 94960, 587: 123620, 588: 41480, 589: 58420},
    "mobile": {
        "VNPT": {582: (52379, 5054), 584: (4913, 474), 585: (17934, 1730), 586: (20928, 2019),
                 587: (29147, 2812), 588: (8155, 787), 589: (13600, 1312)},
        "Viettel": {582: (117392, 7759), 584: (12148, 803), 585: (40228, 2659), 586: (46890, 3099),
                    587: (65431, 4325), 588: (18289, 1209), 589: (33584, 2220)},
        "MobiFone": {582: (48987, 3801), 584: (4601, 357), 585: (15218, 1181), 586: (19577, 1519),
                     587: (24774, 1922), 588: (7623, 591), 589: (12726, 987)},
        "Vietnamobile": {582: (2788, 86), 584: (262, 8), 585: (954, 30), 586: (1114, 34),
                         587: (1408, 44), 588: (434, 13), 589: (724, 22)},
    },
    "fixed_phone": {
        "VNPT": {582: 4865, 584: 246, 585: 1190, 586: 1379, 587: 2323, 588: 590, 589: 1139},
        "Viettel": {582: 1141, 584: 0, 585: 253, 586: 324, 587: 495, 588: 126, 589: 268},
    },
    "fixed_broadband": {
        "VNPT": {582: 13164, 584: 623, 585: 3008, 586: 4157, 587: 5563, 588: 1193, 589: 2539},
        "Viettel": {582: 13475, 584: 578, 585: 2789, 586: 3862, 587: 5163, 588: 1220, 589: 2358},
        "FPT": {582: 7023, 584: 0, 585: 1537, 586: 1930, 587: 2840, 588: 610, 589: 1178},
    },
    "mobile_broadband_viettel": {582: (12358, 40766), 584: (1161, 3825), 585: (3841, 13954), 586: (4939, 16289),
                                 587: (6251, 20593), 588: (1746, 6346), 589: (3211, 10586)},
    "bts": {
        "VNPT": {582: (33, 42, 31), 584: (15, 20, 15), 585: (23, 29, 22), 586: (21, 26, 22),
                 587: (24, 34, 26), 588: (15, 19, 15), 589: (18, 22, 19)},
        "Viettel": {582: (48, 60, 54), 584: (21, 26, 26), 585: (33, 42, 38), 586: (30, 38, 37),
                    587: (35, 49, 44), 588: (22, 28, 25), 589: (26, 32, 32)},
        "MobiFone": {582: (31, 41, 30), 584: (14, 18, 14), 585: (20, 28, 21), 586: (20, 26, 19),
                     587: (23, 33, 24), 588: (14, 19, 14), 589: (17, 22, 18)},
        "Vietnamobile": {582: (4, 4, 4), 584: (0, 0, 0), 585: (2, 2, 3), 586: (2, 2, 2),
                         587: (2, 2, 3), 588: (1, 1, 1), 589: (2, 1, 2)},
    },
    "telecom_revenue": {"VNPT": 392806.2, "Viettel": 486527.4, "MobiFone": 152340.8,
                        "Vietnamobile": 11285.6, "FPT": 77903.1},
    "postal": {
        "VNPost": (100, 1265380, 74108.4),
        "ViettelPost": (10, 612450, 30925.7),
        "JT": (6, 441200, 17340.5),
        "GHN": (3, 198640, 8816.9),
        "GHTK": (2, 92310, 3904.2),
    },
    # level 4 sums to 555 (real)
    "egov_services": {
        "Văn phòng UBND tỉnh": (4, 1, 3),
        "Sở Kế hoạch và Đầu tư": (31, 14, 88),
        "Sở Tư pháp": (58, 20, 54),
        "Sở Công Thương": (44, 18, 78),
        "Sở Xây dựng": (15, 6, 26),
        "Sở Giao thông vận tải": (19, 10, 59),
        "Sở Tài nguyên và Môi trường": (57, 20, 12),
        "Sở Thông tin và Truyền thông": (6, 2, 35),
        "Sở Lao động - Thương binh và Xã hội": (84, 18, 24),
        "Sở Y tế": (96, 28, 31),
        "Sở Giáo dục và Đào tạo": (46, 14, 24),
        "Sở Nông nghiệp và Phát triển nông thôn": (80, 20, 19),
        "Sở Văn hóa, Thể thao và Du lịch": (83, 16, 31),
        "Sở Nội vụ": (60, 12, 18),
        "Sở Tài chính": (19, 5, 8),
        "Sở Khoa học và Công nghệ": (24, 8, 27),
        "Ban Quản lý các khu công nghiệp": (14, 6, 14),
        "UBND cấp huyện": (176, 22, 2),
        "UBND cấp xã": (97, 8, 2),
    },
    "egov_indicators": {
        "national_portal_procedures": 4,        # real
        "national_portal_share": 30,            # real (at least 30 %)
        "land_procedures": 32,                  # real
        "video_endpoints": 47,                  # 35 added in 2020 (real) on 12 existing
        "documents_exchanged": 160240,
        "ministries_connected": 20,             # real
        "government_agencies_connected": 10,    # real
        "interconnection_levels": 3,            # real (4 with the centre)
    },
    "department": {                              # all real
        "legal_documents": (4, 4),
        "decisions": (20, 21),
        "plans": (6, 7),
        "directives_assigned": (None, 66),
        "directives_on_time": (66, 66),
        "coverage_4g": (100, 100),
        "coverage_3g4g": (100, 100),
    },
}

# Statistics office yearbook (thousand subscribers). 2014 and 2016 are not
# printed but are needed for the 2015 and 2017 indices. Telephone total is computed as mobile + fixed.
GSO_YEARBOOK = {
    2014: {"mobile": 668.9, "fixed": 30.9, "internet": 33.7},
    2015: {"mobile": 690.5, "fixed": 26.8, "internet": 38.2},
    2016: {"mobile": 631.4, "fixed": 23.1, "internet": 43.5},
    2017: {"mobile": 625.0, "fixed": 20.4, "internet": 49.8},
    2018: {"mobile": 640.1, "fixed": 18.0, "internet": 55.6},
    2019: {"mobile": 652.6, "fixed": 16.3, "internet": 62.9},
    2020: {"mobile": 668.4, "fixed": 14.7, "internet": 76.1},
}
GSO_PRINTED_YEARS = (2015, 2017, 2018, 2019, 2020)

# Yearly growth factors used to derive years after 2020 from 2020.
GROWTH = {
    "population": 1.008,
    "mobile": 1.05,
    "fixed_phone": 0.95,
    "fixed_broadband": 1.05,
    "mobile_broadband_viettel": 1.05,
    "bts": (0.95, 1.0, 1.08),
    "telecom_revenue": 1.05,
    "postal": (1.02, 1.05, 1.05),
}

_FIGURES = {2019: FIGURES_2019, 2020: FIGURES_2020}


def _grow(value, factor, steps, decimals=0):
    """Grow ``value`` by ``factor`` per step and round.

    Args:
        value: An int or float, or a tuple of them.
        factor: A growth factor, or a tuple of factors matching ``value``.
        steps: Number of yearly steps.
        decimals: Decimal places to keep (0 gives ints).

    Returns:
        The grown value, of the same shape as ``value``.
    """
    if isinstance(value, tuple):
        factors = factor if isinstance(factor, tuple) else (factor,) * len(value)
        return tuple(_grow(v, f, steps, decimals) for v, f in zip(value, factors, strict=True))
    grown = round(value * factor ** steps, decimals)
    return int(grown) if decimals == 0 else grown


def _derive_from_2020(year: int) -> dict:
    """Derive the figures of a year after 2020 from the 2020 table.

    Counts grow by :data:`GROWTH`; coverage percentages stay at 100; each year
    half of every agency's level-3 services move to level 4.

    Args:
        year: A year after 2020.

    Returns:
        A figure table shaped like :data:`FIGURES_2020`.
    """
    base = FIGURES_2020
    n = year - 2020
    out = {}
    for key in ("population", "mobile_broadband_viettel"):
        out[key] = {d: _grow(v, GROWTH[key], n) for d, v in base[key].items()}
    for key in ("mobile", "fixed_phone", "fixed_broadband", "bts"):
        out[key] = {op: {d: _grow(v, GROWTH[key], n) for d, v in table.items()}
                    for op, table in base[key].items()}
    out["telecom_revenue"] = {op: _grow(v, GROWTH["telecom_revenue"], n, 1)
                              for op, v in base["telecom_revenue"].items()}
    out["postal"] = {}
    for ent, (points, items, revenue) in base["postal"].items():
        f_points, f_items, f_rev = GROWTH["postal"]
        out["postal"][ent] = (_grow(points, f_points, n), _grow(items, f_items, n),
                              _grow(revenue, f_rev, n, 1))
    services = {}
    for agency, (l2, l3, l4) in base["egov_services"].items():
        for _ in range(n):
            moved = l3 // 2
            l3, l4 = l3 - moved, l4 + moved
        services[agency] = (l2, l3, l4)
    out["egov_services"] = services
    ind = dict(base["egov_indicators"])
    for key in ("national_portal_procedures", "land_procedures", "video_endpoints", "documents_exchanged"):
        ind[key] = _grow(ind[key], 1.05, n)
    ind["national_portal_share"] = min(100, ind["national_portal_share"] + 10 * n)
    out["egov_indicators"] = ind
    dept = {}
    for key, (plan, actual) in base["department"].items():
        if key.startswith("coverage"):
            dept[key] = (plan, actual)
        else:
            dept[key] = (None if plan is None else _grow(plan, 1.05, n), _grow(actual, 1.05, n))
    dept["directives_on_time"] = (dept["directives_assigned"][1], dept["directives_assigned"][1])
    out["department"] = dept
    return out


def figures(year: int) -> dict:
    """Return the figure table of one year.

    2019 and 2020 come from :data:`FIGURES_2019` and :data:`FIGURES_2020`;
    later years are derived deterministically from 2020. The result is a deep
    copy that callers may modify.

    Args:
        year: A year, 2019 or later.

    Returns:
        The figure table (see :data:`FIGURES_2020` for its keys).

    Raises:
        ValueError: If ``year`` is before 2019.
    """
    if year < 2019:
        raise ValueError(f"no figures before 2019: {year}")
    if year in _FIGURES:
        return copy.deepcopy(_FIGURES[year])
    return _derive_from_2020(year)


def totals(table: dict) -> tuple:
    """Sum a ``{key: number or tuple}`` table column by column.

    Args:
        table: Values are numbers or equal-length tuples of numbers.

    Returns:
        A tuple of column sums (a 1-tuple for plain numbers); float sums are
        rounded to one decimal.
    """
    rows = [v if isinstance(v, tuple) else (v,) for v in table.values()]
    sums = tuple(sum(col) for col in zip(*rows, strict=True))
    return tuple(round(s, 1) if isinstance(s, float) else s for s in sums)


# ---------------------------------------------------------------------------
# Vietnamese number formatting and cell helpers
# ---------------------------------------------------------------------------

def vn_number(value, decimals: int = 0) -> str:
    """Format a number the Vietnamese way: "1.234.567" or "12,5".

    Args:
        value: The number.
        decimals: Decimal places to show.

    Returns:
        The formatted text.
    """
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def cell_value(value, as_text: bool, decimals: int = 0, zero="-", mark: str = ""):
    """Return what to store in a cell for ``value``.

    Args:
        value: The number (or None).
        as_text: Store a Vietnamese-formatted string instead of a number.
        decimals: Decimal places of the text form.
        zero: What to store for zero: "-", None (blank cell) or 0.
        mark: A footnote mark appended to the text ("*", "(*)"); forces text.

    Returns:
        A number, a string or None.
    """
    if value is None:
        return None
    if value == 0 and zero != 0:
        return zero
    if as_text or mark:
        return vn_number(value, decimals) + mark
    return value


def texty(row: int, col: int, salt: int) -> bool:
    """Decide whether a data cell holds its number as text.

    About half of all data cells are text, on a deterministic pattern that
    differs from table to table.

    Args:
        row: Row index within the table body.
        col: Column index within the table body.
        salt: Per-table offset.

    Returns:
        True to store the cell as text.
    """
    return (row * 3 + col + salt) % 4 < 2


def note_lines(year: int, extra: list[str]) -> list[str]:
    """The notes and signature block written under every table.

    Args:
        year: Report year.
        extra: Table-specific notes, written first.

    Returns:
        Lines to write, one per row ("" for a blank row).
    """
    return [*extra, f"(*) Số liệu ước tính đến 31/12/{year}", "", "Người lập biểu", "", "", "Nguyễn Văn A"]


# ---------------------------------------------------------------------------
# openpyxl helpers
# ---------------------------------------------------------------------------

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def new_workbook() -> openpyxl.Workbook:
    """Create an empty workbook with fixed document properties.

    Returns:
        A workbook without sheets.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def title_block(ws, lines: list[tuple[str, bool]], width: int) -> int:
    """Write the lines above a table, then one blank spacer row.

    Args:
        ws: The worksheet.
        lines: ``(text, centred)`` pairs; the first is the sender, bold and
            left-aligned; centred lines are merged across the table width
            (the report title is bold, an "Đơn vị tính" line italic).
        width: Number of table columns.

    Returns:
        The 1-based row where the table header starts.
    """
    for r, (text, centred) in enumerate(lines, start=1):
        cell = ws.cell(row=r, column=1, value=text)
        if r == 1:
            cell.font = Font(name=FONT, bold=True, size=12)
            continue
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        italic = text.startswith("Đơn vị tính")
        cell.font = Font(name=FONT, bold=not italic, italic=italic, size=13 if not italic else 11)
        cell.alignment = Alignment(horizontal="center" if centred else "right")
    return len(lines) + 2


def header(ws, row: int, col: int, text: str, rows: int = 1, cols: int = 1) -> None:
    """Write a header cell, merging it over ``rows`` x ``cols`` cells.

    Args:
        ws: The worksheet.
        row: 1-based row.
        col: 1-based column.
        text: Header text.
        rows: Rows spanned.
        cols: Columns spanned.
    """
    ws.cell(row=row, column=col, value=text)
    if rows > 1 or cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            cell = ws.cell(row=r, column=c)
            cell.font = Font(name=FONT, bold=True, size=11)
            cell.alignment = CENTER
            cell.border = BOX


def body_row(ws, row: int, values: list, bold: bool = False) -> None:
    """Write one table row starting in column A, with borders.

    Args:
        ws: The worksheet.
        row: 1-based row.
        values: Cell values in column order.
        bold: Bold font (for total rows).
    """
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=c, value=value)
        cell.font = Font(name=FONT, bold=bold, size=11)
        cell.border = BOX
        if isinstance(value, (int, float)):
            cell.number_format = "#,##0.0" if isinstance(value, float) else "#,##0"
        if c == 1:
            cell.alignment = Alignment(horizontal="center")
        elif c > 2 and (not isinstance(value, str) or value[:1].isdigit() or value == "-"):
            cell.alignment = Alignment(horizontal="right")


def notes(ws, row: int, lines: list[str], column: int = 2) -> None:
    """Write notes and the signature block below a table.

    Args:
        ws: The worksheet.
        row: First 1-based row to write.
        lines: Text lines ("" skips a row).
        column: Column of the notes.
    """
    for i, text in enumerate(lines):
        if text:
            cell = ws.cell(row=row + i, column=column, value=text)
            cell.font = Font(name=FONT, italic=text.startswith(("Ghi chú", "(*)", "*")),
                             bold=text in ("Người lập biểu", "Nguyễn Văn A"), size=11)


def widths(ws, values: list[float]) -> None:
    """Set column widths.

    Args:
        ws: The worksheet.
        values: Widths of columns A, B, ... in characters.
    """
    for i, w in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed timestamps, keeping entry order.

    Args:
        data: The archive as written by openpyxl or odfpy.

    Returns:
        The same archive with every entry dated :data:`FIXED_TIME`.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zi.create_system = 3
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def save_xlsx(wb: openpyxl.Workbook, path: Path) -> Path:
    """Save a workbook deterministically.

    ``openpyxl.save_workbook`` stamps the current time into the document
    properties and the zip entries; this writes through ``ExcelWriter``
    directly and then fixes the zip timestamps.

    Args:
        wb: The workbook.
        path: Target file.

    Returns:
        ``path``.
    """
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalise_zip(buf.getvalue()))
    return path


def hidden_lookup_sheet(wb: openpyxl.Workbook, operators: list[str]) -> None:
    """Add the hidden "DM" sheet of lookup lists used by data validation.

    Args:
        wb: The workbook.
        operators: Operator names to list.
    """
    ws = wb.create_sheet("DM")
    ws["A1"] = "Danh mục huyện/thành phố"
    ws["B1"] = "Mã"
    ws["D1"] = "Danh mục doanh nghiệp"
    for i, code in enumerate(DISTRICTS, start=2):
        ws.cell(row=i, column=1, value=LABELS["lookup"][code])
        ws.cell(row=i, column=2, value=code)
    for i, op in enumerate(operators, start=2):
        ws.cell(row=i, column=4, value=op)
    ws.sheet_state = "hidden"


# ---------------------------------------------------------------------------
# a. vien-thong-{Y}.xlsx
# ---------------------------------------------------------------------------

def sheet_mobile(wb, year: int, fig: dict) -> None:
    """Sheet "TB di động": mobile subscribers by district and operator.

    2019 layout: sub-columns "TB trả sau", "TB trả trước" per operator.
    2020 layout: "Trả trước", "Trả sau", "Tổng số" per operator.

    Args:
        wb: The workbook.
        year: Report year.
        fig: The year's figure table.
    """
    ws = wb.create_sheet("TB di động")
    ops = list(fig["mobile"])
    new_layout = year >= 2020
    subs = ["Trả trước", "Trả sau", "Tổng số"] if new_layout else ["TB trả sau", "TB trả trước"]
    width = 2 + len(ops) * len(subs)
    top = title_block(ws, [(TELECOM_AGENCY, False), (f"BÁO CÁO SỐ LIỆU THUÊ BAO DI ĐỘNG NĂM {year}", True),
                           ("Đơn vị tính: thuê bao", False)], width)
    header(ws, top, 1, "STT", rows=3)
    header(ws, top, 2, "Đơn vị hành chính", rows=3)
    header(ws, top, 3, "Thuê bao di động (thuê bao)", cols=width - 2)
    for i, op in enumerate(ops):
        col = 3 + i * len(subs)
        header(ws, top + 1, col, OPERATOR_HEADERS[op], cols=len(subs))
        for j, sub in enumerate(subs):
            header(ws, top + 2, col + j, sub)

    row = top + 3
    for r, d in enumerate(DISTRICTS):
        values = [r + 1, LABELS["mobile"][d]]
        for i, op in enumerate(ops):
            pre, post = fig["mobile"][op][d]
            values += [cell_value(v, texty(r, i * 3 + j, 1))
                       for j, v in enumerate([pre, post, pre + post] if new_layout else [post, pre])]
        body_row(ws, row + r, values)
    total = [None, "Tổng cộng"]
    for op in ops:
        pre, post = totals(fig["mobile"][op])
        total += [pre, post, pre + post] if new_layout else [post, pre]
    body_row(ws, row + len(DISTRICTS), total, bold=True)
    notes(ws, row + len(DISTRICTS) + 2, note_lines(year, [
        "Ghi chú: Thuê bao đang hoạt động hai chiều và bị khóa một chiều, theo báo cáo của doanh nghiệp.",
    ]))
    widths(ws, [6, 30] + [12] * (width - 2))


def sheet_fixed(wb, year: int, fig: dict) -> None:
    """Sheet "TB cố định - Internet": fixed telephone and fixed broadband.

    Args:
        wb: The workbook.
        year: Report year.
        fig: The year's figure table.
    """
    ws = wb.create_sheet("TB cố định - Internet")
    phone_ops, bb_ops = list(fig["fixed_phone"]), list(fig["fixed_broadband"])
    width = 2 + len(phone_ops) + len(bb_ops)
    top = title_block(ws, [(TELECOM_AGENCY, False),
                           (f"BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH VÀ INTERNET NĂM {year}", True),
                           ("Đơn vị tính: thuê bao", False)], width)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Địa bàn", rows=2)
    header(ws, top, 3, "Điện thoại cố định", cols=len(phone_ops))
    header(ws, top, 3 + len(phone_ops), "Internet băng rộng cố định (FTTH/xDSL)", cols=len(bb_ops))
    for i, op in enumerate(phone_ops + bb_ops):
        header(ws, top + 1, 3 + i, op)
    row = top + 2
    for r, d in enumerate(DISTRICTS):
        numbers = [fig["fixed_phone"][op][d] for op in phone_ops] + [fig["fixed_broadband"][op][d] for op in bb_ops]
        # a missing Viettel fixed line is left blank, a missing FPT line is "-"
        values = [r + 1, LABELS["fixed"][d]] + [
            cell_value(v, texty(r, c, 2), zero=None if c < len(phone_ops) else "-") for c, v in enumerate(numbers)]
        body_row(ws, row + r, values)
    total = [totals(fig["fixed_phone"][op])[0] for op in phone_ops] + \
            [totals(fig["fixed_broadband"][op])[0] for op in bb_ops]
    body_row(ws, row + len(DISTRICTS), [None, "Cộng"] + [cell_value(v, c % 2 == 0) for c, v in enumerate(total)],
             bold=True)
    notes(ws, row + len(DISTRICTS) + 2, note_lines(year, [
        "Ghi chú: FPT Telecom chưa triển khai hạ tầng tại huyện Bác Ái.",
    ]))
    widths(ws, [6, 28] + [14] * (width - 2))


def sheet_bts(wb, year: int, fig: dict) -> None:
    """Sheet "Trạm BTS": base stations by district, operator and technology.

    Args:
        wb: The workbook.
        year: Report year.
        fig: The year's figure table.
    """
    ws = wb.create_sheet("Trạm BTS")
    ops = list(fig["bts"])
    techs = ("2G", "3G", "4G")
    width = 2 + 3 * len(ops)
    top = title_block(ws, [(TELECOM_AGENCY, False), (f"BÁO CÁO SỐ LƯỢNG TRẠM BTS NĂM {year}", True),
                           ("Đơn vị tính: trạm", False)], width)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Huyện/Thành phố", rows=2)
    for i, op in enumerate(ops):
        header(ws, top, 3 + 3 * i, op, cols=3)
        for j, tech in enumerate(techs):
            header(ws, top + 1, 3 + 3 * i + j, tech)
    row = top + 2
    for r, d in enumerate(DISTRICTS):
        values = [r + 1, LABELS["bts"][d]]
        for i, op in enumerate(ops):
            values += [cell_value(v, texty(r, 3 * i + j, 3)) for j, v in enumerate(fig["bts"][op][d])]
        body_row(ws, row + r, values)
    total = [None, "Tổng cộng"]
    for op in ops:
        total += list(totals(fig["bts"][op]))
    body_row(ws, row + len(DISTRICTS), total, bold=True)
    notes(ws, row + len(DISTRICTS) + 2, note_lines(year, [
        "Ghi chú: Trạm BTS 3G (NodeB), 4G (eNodeB) tính theo số trạm thu phát sóng đang hoạt động.",
    ]))
    widths(ws, [6, 28] + [8] * (width - 2))


def sheet_revenue(wb, year: int, fig: dict) -> None:
    """Sheet "Doanh thu": telecom service revenue, operators as rows.

    The last-but-one operator of the year (Vietnamobile in 2020, MobiFone in
    2019) carries an estimated value marked "(*)".

    Args:
        wb: The workbook.
        year: Report year.
        fig: The year's figure table.
    """
    ws = wb.create_sheet("Doanh thu")
    top = title_block(ws, [(TELECOM_AGENCY, False), (f"DOANH THU DỊCH VỤ VIỄN THÔNG NĂM {year}", True),
                           ("Đơn vị tính: triệu đồng", False)], 4)
    for c, text in enumerate(["STT", "Doanh nghiệp", "Doanh thu dịch vụ viễn thông", "Ghi chú"], start=1):
        header(ws, top, c, text)
    revenue = fig["telecom_revenue"]
    estimated = list(revenue)[-2]
    for r, (op, value) in enumerate(revenue.items()):
        label, remark = REVENUE_OPERATORS[op]
        mark = "(*)" if op == estimated else ""
        body_row(ws, top + 1 + r, [r + 1, label, cell_value(value, r % 2 == 0, decimals=1, mark=mark), remark])
    body_row(ws, top + 1 + len(revenue), [None, "Tổng cộng", totals(revenue)[0], None], bold=True)
    notes(ws, top + len(revenue) + 3, note_lines(year, [
        "Ghi chú: Doanh thu dịch vụ viễn thông theo báo cáo của doanh nghiệp, chưa bao gồm thuế GTGT.",
    ]))
    widths(ws, [6, 22, 20, 40])


def write_telecom(out_dir: Path, year: int, fig: dict) -> Path:
    """Write ``{Y}/vien-thong-{Y}.xlsx``, the consolidated telecom report.

    Args:
        out_dir: Output root.
        year: Report year.
        fig: The year's figure table.

    Returns:
        The written path.
    """
    wb = new_workbook()
    sheet_mobile(wb, year, fig)
    sheet_fixed(wb, year, fig)
    sheet_bts(wb, year, fig)
    sheet_revenue(wb, year, fig)
    hidden_lookup_sheet(wb, [REVENUE_OPERATORS[op][0] for op in fig["telecom_revenue"]])
    return save_xlsx(wb, out_dir / str(year) / f"vien-thong-{year}.xlsx")


# ---------------------------------------------------------------------------
# b. Viettel_BRDD_{Y}.xls (old Excel format)
# ---------------------------------------------------------------------------

def write_viettel_xls(out_dir: Path, year: int, fig: dict) -> Path:
    """Write ``{Y}/Viettel_BRDD_{Y}.xls``, Viettel's mobile-broadband export.

    Args:
        out_dir: Output root.
        year: Report year.
        fig: The year's figure table.

    Returns:
        The written path.
    """
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("BRDD")
    bold = xlwt.easyxf("font: name Times New Roman, bold on")
    title = xlwt.easyxf("font: name Times New Roman, bold on, height 260; align: horiz center")
    head = xlwt.easyxf("font: name Times New Roman, bold on; align: horiz center, vert center, wrap on; "
                       "borders: left thin, right thin, top thin, bottom thin")
    cell = xlwt.easyxf("font: name Times New Roman; borders: left thin, right thin, top thin, bottom thin")
    number = xlwt.easyxf("font: name Times New Roman; borders: left thin, right thin, top thin, bottom thin",
                         num_format_str="#,##0")
    total_style = xlwt.easyxf("font: name Times New Roman, bold on; "
                              "borders: left thin, right thin, top thin, bottom thin", num_format_str="#,##0")
    plain = xlwt.easyxf("font: name Times New Roman, italic on")

    ws.write(0, 0, VIETTEL_SENDER, bold)
    ws.write_merge(1, 1, 0, 4, f"SỐ LIỆU THUÊ BAO BĂNG RỘNG DI ĐỘNG NĂM {year}", title)
    ws.write_merge(2, 2, 0, 4, "Đơn vị tính: thuê bao", plain)
    ws.write_merge(4, 5, 0, 0, "STT", head)
    ws.write_merge(4, 5, 1, 1, "Đơn vị", head)
    ws.write_merge(4, 4, 2, 3, "Thuê bao băng rộng di động", head)
    ws.write(5, 2, "3G", head)
    ws.write(5, 3, "4G", head)
    ws.write_merge(4, 5, 4, 4, "Tổng", head)
    data = fig["mobile_broadband_viettel"]
    for r, d in enumerate(DISTRICTS):
        g3, g4 = data[d]
        row = 6 + r
        ws.write(row, 0, r + 1, cell)
        ws.write(row, 1, LABELS["viettel"][d], cell)
        for c, v in enumerate((g3, g4, g3 + g4), start=2):
            value = cell_value(v, texty(r, c, 4))
            ws.write(row, c, value, number if isinstance(value, int) else cell)
    g3, g4 = totals(data)
    row = 6 + len(DISTRICTS)
    ws.write(row, 0, "", total_style)
    ws.write(row, 1, "Cộng", total_style)
    for c, v in enumerate((g3, g4, g3 + g4), start=2):
        ws.write(row, c, v, total_style)
    for i, text in enumerate(note_lines(year, ["Ghi chú: Thuê bao có phát sinh lưu lượng data trong tháng 12."])):
        if text:
            ws.write(row + 2 + i, 1, text, plain)
    ws.col(0).width = 6 * 256
    ws.col(1).width = 24 * 256
    for c in (2, 3, 4):
        ws.col(c).width = 14 * 256
    buf = io.BytesIO()
    wb.save(buf)
    path = out_dir / str(year) / f"Viettel_BRDD_{year}.xls"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


# ---------------------------------------------------------------------------
# c. buu-chinh-{Y}.xlsx
# ---------------------------------------------------------------------------

def postal_name(key: str, year: int) -> str:
    """Name of a postal enterprise as written in the given year's report.

    Args:
        key: Enterprise key of the figure table.
        year: Report year.

    Returns:
        The name.
    """
    name = POSTAL_NAMES[key]
    if isinstance(name, dict):
        return name[2019] if year < 2020 else name[2020]
    return name


def write_postal(out_dir: Path, year: int, fig: dict) -> Path:
    """Write ``{Y}/buu-chinh-{Y}.xlsx``, the postal enterprises' report.

    In 2019 the revenue column comes before the items column.

    Args:
        out_dir: Output root.
        year: Report year.
        fig: The year's figure table.

    Returns:
        The written path.
    """
    wb = new_workbook()
    ws = wb.create_sheet("Bưu chính")
    top = title_block(ws, [(TELECOM_AGENCY, False), (f"BÁO CÁO SỐ LIỆU BƯU CHÍNH NĂM {year}", True)], 5)
    revenue_first = year < 2020
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Doanh nghiệp", rows=2)
    header(ws, top, 3, "Số điểm phục vụ (điểm)", rows=2)
    items_col, revenue_col = (5, 4) if revenue_first else (4, 5)
    header(ws, top, items_col, "Sản lượng (bưu gửi)", rows=2)
    header(ws, top, revenue_col, "Doanh thu")
    header(ws, top + 1, revenue_col, "(triệu đồng)")

    def ordered(points, items, revenue):
        return [points, revenue, items] if revenue_first else [points, items, revenue]

    postal = fig["postal"]
    for r, (key, (points, items, revenue)) in enumerate(postal.items()):
        cells = [cell_value(points, texty(r, 0, 5)),
                 cell_value(items, texty(r, 1, 5)),
                 cell_value(revenue, texty(r, 2, 5), decimals=1)]
        body_row(ws, top + 2 + r, [r + 1, postal_name(key, year)] + ordered(*cells))
    points, items, revenue = totals(postal)
    body_row(ws, top + 2 + len(postal), [None, "Cộng"] + ordered(points, vn_number(items), revenue), bold=True)
    notes(ws, top + len(postal) + 4, note_lines(year, [
        "Ghi chú: Doanh thu không bao gồm dịch vụ chuyển tiền và tiết kiệm bưu điện.",
    ]))
    widths(ws, [6, 30, 16, 18, 16])
    return save_xlsx(wb, out_dir / str(year) / f"buu-chinh-{year}.xlsx")


# ---------------------------------------------------------------------------
# d. chinh-quyen-dien-tu-{Y}.xlsx
# ---------------------------------------------------------------------------

EGOV_INDICATORS = (  # section, key, label, unit
    ("I", None, "Dịch vụ công", None),
    ("1", "national_portal_procedures", "Số thủ tục tích hợp lên Cổng Dịch vụ công quốc gia", "thủ tục"),
    ("2", "national_portal_share", "Tỷ lệ dịch vụ công trực tuyến kết nối Cổng Dịch vụ công quốc gia", "%"),
    ("3", "land_procedures", "Số thủ tục liên thông lĩnh vực đất đai cấp huyện", "thủ tục"),
    ("II", None, "Liên thông văn bản", None),
    ("1", "documents_exchanged", "Số văn bản điện tử gửi nhận qua trục liên thông", "văn bản"),
    ("2", "ministries_connected", "Số bộ, cơ quan ngang bộ kết nối liên thông văn bản", "cơ quan"),
    ("3", "government_agencies_connected", "Số cơ quan thuộc Chính phủ kết nối liên thông văn bản", "cơ quan"),
    ("4", "interconnection_levels", "Số cấp liên thông văn bản trong tỉnh", "cấp"),
    ("III", None, "Hội nghị truyền hình", None),
    ("1", "video_endpoints", "Số điểm cầu hội nghị truyền hình trực tuyến", "điểm cầu"),
)


def sheet_services(wb, year: int, fig: dict) -> None:
    """Sheet "DVCTT": online public services by agency and level.

    The level-4 total carries a "*" footnote mark from 2020 on.

    Args:
        wb: The workbook.
        year: Report year.
        fig: The year's figure table.
    """
    ws = wb.create_sheet("DVCTT")
    top = title_block(ws, [(TELECOM_AGENCY, False),
                           (f"BÁO CÁO SỐ LƯỢNG DỊCH VỤ CÔNG TRỰC TUYẾN NĂM {year}", True),
                           ("Đơn vị tính: thủ tục", False)], 5)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Cơ quan, đơn vị", rows=2)
    header(ws, top, 3, "Số dịch vụ công trực tuyến", cols=3)
    for j, level in enumerate(("Mức 2", "Mức 3", "Mức 4")):
        header(ws, top + 1, 3 + j, level)
    services = fig["egov_services"]
    for r, agency in enumerate(AGENCIES):
        label = agency + " (*)" if agency == "UBND cấp xã" else agency
        values = [cell_value(v, texty(r, j, 6), zero="-" if j < 2 else None) for j, v in enumerate(services[agency])]
        body_row(ws, top + 2 + r, [r + 1, label] + values)
    l2, l3, l4 = totals(services)
    mark = "*" if year >= 2020 else ""
    body_row(ws, top + 2 + len(AGENCIES), [None, "Tổng cộng", l2, vn_number(l3), cell_value(l4, False, mark=mark)],
             bold=True)
    extra = ["Ghi chú: Số liệu lấy từ Cổng dịch vụ công trực tuyến của tỉnh.",
             "(*) Thủ tục thuộc thẩm quyền UBND cấp xã, tính chung cho các xã, phường, thị trấn."]
    if mark:
        extra.append(f"* Tăng {l4 - totals(figures(year - 1)['egov_services'])[2]} dịch vụ mức độ 4 so với năm "
                     f"{year - 1}.")
    notes(ws, top + len(AGENCIES) + 4, [*extra, "", "Người lập biểu", "", "", "Nguyễn Văn A"])
    widths(ws, [6, 42, 12, 12, 12])


def egov_indicator_cell(key: str, value):
    """Cell value of one e-government indicator, as the office typed it.

    Args:
        key: Indicator key.
        value: The figure.

    Returns:
        What to store in the "Năm {Y}" cell.
    """
    if key == "national_portal_share":
        return f"{value}%" if value else 0
    if key == "national_portal_procedures":
        return f"{value:02d}" if value else "-"
    if key == "documents_exchanged":
        return vn_number(value)
    if key == "land_procedures" and not value:
        return 0
    return value


EGOV_REMARKS = {
    "national_portal_share": "Tối thiểu 30% theo chỉ tiêu được giao",
    "video_endpoints": "Tăng {added} điểm cầu so với năm {prev}",
    "interconnection_levels": "Tỉnh, huyện, xã; 4 cấp khi tính cả Trung ương",
}


def sheet_egov_indicators(wb, year: int, fig: dict) -> None:
    """Sheet "Chỉ tiêu": province-level e-government indicators as rows.

    Args:
        wb: The workbook.
        year: Report year.
        fig: The year's figure table.
    """
    ws = wb.create_sheet("Chỉ tiêu")
    top = title_block(ws, [(TELECOM_AGENCY, False), (f"MỘT SỐ CHỈ TIÊU CHÍNH QUYỀN ĐIỆN TỬ NĂM {year}", True)], 5)
    for c, text in enumerate(["STT", "Chỉ tiêu", "Đơn vị tính", f"Năm {year}", "Ghi chú"], start=1):
        header(ws, top, c, text)
    ind = fig["egov_indicators"]
    prev = figures(year - 1)["egov_indicators"] if year > 2019 else None
    for r, (stt, key, label, unit) in enumerate(EGOV_INDICATORS):
        row = top + 1 + r
        if key is None:
            body_row(ws, row, [stt, label, None, None, None], bold=True)
            continue
        remark = None
        if key in EGOV_REMARKS and year >= 2020:
            remark = EGOV_REMARKS[key]
            if key == "video_endpoints":
                remark = remark.format(added=ind[key] - prev[key], prev=year - 1)
        value = egov_indicator_cell(key, ind[key])
        body_row(ws, row, [stt, label, unit, value, remark])
        if isinstance(value, (int, float)):
            ws.cell(row=row, column=4).number_format = "General"
    notes(ws, top + len(EGOV_INDICATORS) + 2, note_lines(year, [
        "Ghi chú: Số liệu tổng hợp từ Cổng dịch vụ công và hệ thống quản lý văn bản của tỉnh.",
    ]))
    widths(ws, [6, 62, 12, 12, 40])


def write_egov(out_dir: Path, year: int, fig: dict) -> Path:
    """Write ``{Y}/chinh-quyen-dien-tu-{Y}.xlsx``, the e-government workbook.

    Args:
        out_dir: Output root.
        year: Report year.
        fig: The year's figure table.

    Returns:
        The written path.
    """
    wb = new_workbook()
    sheet_services(wb, year, fig)
    sheet_egov_indicators(wb, year, fig)
    return save_xlsx(wb, out_dir / str(year) / f"chinh-quyen-dien-tu-{year}.xlsx")


# ---------------------------------------------------------------------------
# e. bao-cao-tong-hop-so-{Y}.xlsx
# ---------------------------------------------------------------------------

DEPARTMENT_ROWS = (  # section, key, label, unit
    ("I", None, "Công tác tham mưu", None),
    ("1", "legal_documents", "Văn bản quy phạm pháp luật tham mưu ban hành", "văn bản"),
    ("2", "decisions", "Quyết định tham mưu UBND tỉnh ban hành", "quyết định"),
    ("3", "plans", "Kế hoạch tham mưu ban hành", "kế hoạch"),
    ("4", "directives_assigned", "Văn bản chỉ đạo điều hành được giao", "văn bản"),
    ("5", "directives_on_time", "Văn bản chỉ đạo điều hành hoàn thành đúng hạn", "văn bản"),
    ("II", None, "Hạ tầng viễn thông", None),
    ("1", "coverage_4g", "Tỷ lệ vùng phủ sóng 4G khu vực có dân cư", "%"),
    ("2", "coverage_3g4g", "Tỷ lệ vùng phủ sóng 3G/4G khu vực có dân cư", "%"),
)


def department_cell(key: str, value, text: bool):
    """Cell value of one of the department's own results.

    Args:
        key: Indicator key.
        value: The figure (or None).
        text: Store as text.

    Returns:
        A number, text such as "04" or "98,5%", or None.
    """
    if value is None:
        return None
    if key.startswith("coverage"):
        return vn_number(value, 0 if value == int(value) else 1) + "%" if text else value
    if text:
        return f"{value:02d}"
    return value


def write_department(out_dir: Path, year: int, fig: dict) -> Path:
    """Write ``{Y}/bao-cao-tong-hop-so-{Y}.xlsx``, the department's summary.

    2019 has no "Kế hoạch" column and calls "Thực hiện" "Kết quả thực hiện";
    its "Tỷ lệ (%)" is filled only for the directives completed on time.

    Args:
        out_dir: Output root.
        year: Report year.
        fig: The year's figure table.

    Returns:
        The written path.
    """
    wb = new_workbook()
    ws = wb.create_sheet("Tổng hợp")
    with_plan = year >= 2020
    columns = ["TT", "Nội dung", "ĐVT"] + (["Kế hoạch", "Thực hiện"] if with_plan else ["Kết quả thực hiện"]) + \
        ["Tỷ lệ (%)"]
    top = title_block(ws, [(TELECOM_AGENCY, False), (f"BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM {year}", True)],
                      len(columns))
    for c, text in enumerate(columns, start=1):
        header(ws, top, c, text)
    dept = fig["department"]
    for r, (stt, key, label, unit) in enumerate(DEPARTMENT_ROWS):
        row = top + 1 + r
        if key is None:
            body_row(ws, row, [stt, label] + [None] * (len(columns) - 2), bold=True)
            continue
        plan, actual = dept[key]
        if key == "directives_on_time" and not with_plan:
            plan = dept["directives_assigned"][1]
        ratio = None if not plan else vn_number(100 * actual / plan, 1)
        actual_cell = department_cell(key, actual, r % 2 == 1)
        values = [stt, label, unit]
        values += [department_cell(key, plan, False), actual_cell] if with_plan else [actual_cell]
        body_row(ws, row, values + [ratio])
    notes(ws, top + len(DEPARTMENT_ROWS) + 2, note_lines(year, [
        "Ghi chú: Tỷ lệ (%) = Thực hiện / Kế hoạch x 100." if with_plan
        else "Ghi chú: Tỷ lệ (%) tính trên số văn bản được giao.",
    ]))
    widths(ws, [6, 52, 12] + [14] * (len(columns) - 3))
    return save_xlsx(wb, out_dir / str(year) / f"bao-cao-tong-hop-so-{year}.xlsx")


# ---------------------------------------------------------------------------
# f. dan-so-{Y}.csv
# ---------------------------------------------------------------------------

def write_population(out_dir: Path, year: int, fig: dict) -> Path:
    """Write ``{Y}/dan-so-{Y}.csv`` as Excel exports it: BOM, ";", CRLF.

    Every line has three fields (Excel pads short rows); numbers are quoted
    in Vietnamese format.

    Args:
        out_dir: Output root.
        year: Report year.
        fig: The year's figure table.

    Returns:
        The written path.
    """
    title = ("Dân số theo Tổng điều tra 01/4/2019" if year == 2019
             else f"Dân số trung bình phân theo huyện/thành phố năm {year}")
    note = ("Ghi chú: Số liệu tại thời điểm 0 giờ ngày 01/4/2019 (Tổng điều tra dân số và nhà ở)." if year == 2019
            else "Nguồn: Cục Thống kê tỉnh Ninh Thuận (số liệu sơ bộ).")
    pop = fig["population"]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([title, "", ""])
    writer.writerow(["Đơn vị tính: người", "", ""])
    writer.writerow(["", "", ""])
    writer.writerow(["STT", "Huyện/thành phố", "Dân số"])
    lines = [buf.getvalue()]
    for i, d in enumerate(DISTRICTS, start=1):
        lines.append(f'{i};{LABELS["population"][d]};"{vn_number(pop[d])}"\r\n')
    lines.append(f';Toàn tỉnh;"{vn_number(totals(pop)[0])}"\r\n')
    lines.append(f"{note};;\r\n")
    path = out_dir / str(year) / f"dan-so-{year}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\ufeff".encode() + "".join(lines).encode("utf-8"))
    return path


# ---------------------------------------------------------------------------
# g. nien-giam-thong-ke-2020.ods (2020 only)
# ---------------------------------------------------------------------------

def yearbook_rows() -> list[list[str]]:
    """Rows of the statistics office's table, as text with decimal commas.

    Returns:
        Rows of cell texts ("" for empty cells).
    """
    def value(year, key):
        entry = GSO_YEARBOOK[year]
        return round(entry["mobile"] + entry["fixed"], 1) if key == "telephone" else entry[key]

    def series(key):
        return [vn_number(value(y, key), 1) for y in GSO_PRINTED_YEARS]

    def index(key):
        return [vn_number(100 * value(y, key) / value(y - 1, key), 1) for y in GSO_PRINTED_YEARS]

    unit = "Nghìn thuê bao - Thous. subs."
    return [
        ["Số thuê bao điện thoại và internet - Number of telephone and internet subscribers"],
        ["", "Đơn vị tính - Unit", "2015", "2017", "2018", "2019", "Sơ bộ - Prel. 2020"],
        ["Số thuê bao điện thoại - Number of telephone subscribers", unit, *series("telephone")],
        ["Trong đó - Of which:"],
        ["Di động - Mobile", unit, *series("mobile")],
        ["Cố định - Fixed", unit, *series("fixed")],
        ["Số thuê bao internet - Number of internet subscribers", unit, *series("internet")],
        ["Chỉ số phát triển (Năm trước = 100) - % / Index (Previous year = 100) - %"],
        ["Số thuê bao điện thoại - Telephone subscribers", "", *index("telephone")],
        ["Số thuê bao internet - Internet subscribers", "", *index("internet")],
    ]


def write_yearbook(out_dir: Path, year: int = 2020) -> Path:
    """Write ``2020/nien-giam-thong-ke-2020.ods``, the yearbook extract.

    Args:
        out_dir: Output root.
        year: Folder year (the table itself is fixed).

    Returns:
        The written path.
    """
    # odfpy keeps the namespaces of every element ever made in one class-wide dict and declares
    # them all; start from an empty one so the file does not depend on what ran before.
    Element.namespaces = {}
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Bưu chính viễn thông")
    table.addElement(TableColumn(numbercolumnsrepeated=7))
    for cells in yearbook_rows():
        tr = TableRow()
        for text in cells:
            tc = TableCell()
            if text:
                tc = TableCell(valuetype="string")
                tc.addElement(P(text=text))
            tr.addElement(tc)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.write(buf)
    path = out_dir / str(year) / f"nien-giam-thong-ke-{year}.ods"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalise_zip(buf.getvalue()))
    return path


# ---------------------------------------------------------------------------
# Driver and self-check
# ---------------------------------------------------------------------------

WRITERS = (write_telecom, write_viettel_xls, write_postal, write_egov, write_department, write_population)


def write_all(out_dir: Path, years=(2019, 2020)) -> list[Path]:
    """Write every workbook of the given years under ``out_dir/{year}/``.

    Args:
        out_dir: Output root.
        years: Years to write, each 2019 or later. Years after 2020 use the
            2020 layouts with derived figures. The yearbook extract is written
            for 2020 only.

    Returns:
        The written paths.
    """
    out_dir = Path(out_dir)
    paths = []
    for year in years:
        fig = figures(year)
        paths += [write(out_dir, year, fig) for write in WRITERS]
        if year == 2020:
            paths.append(write_yearbook(out_dir, year))
    return paths


def check(years=(2019, 2020)) -> None:
    """Assert the real figures and the consistency of the figure tables.

    Args:
        years: Years to check.

    Raises:
        AssertionError: If a figure or total is off.
    """
    for year in years:
        fig = figures(year)
        assert set(fig["egov_services"]) == set(AGENCIES), year
        for table in ("mobile", "fixed_phone", "fixed_broadband", "bts"):
            for op, by_district in fig[table].items():
                assert set(by_district) == set(DISTRICTS), (year, table, op)
        assert set(fig["population"]) == set(DISTRICTS)
        assert set(fig["mobile_broadband_viettel"]) == set(DISTRICTS)
        # totals are sums of their parts (they are computed, so check the helper)
        assert totals(fig["egov_services"])[2] == sum(v[2] for v in fig["egov_services"].values())
        assert totals(fig["postal"])[0] == sum(v[0] for v in fig["postal"].values())
    if 2019 in years:
        f19 = figures(2019)
        assert totals(f19["egov_services"])[2] == 74
        assert totals(f19["population"])[0] == 590467
    if 2020 in years:
        f20 = figures(2020)
        assert totals(f20["egov_services"])[2] == 555
        ind = f20["egov_indicators"]
        assert ind["video_endpoints"] - figures(2019)["egov_indicators"]["video_endpoints"] == 35
        assert (ind["national_portal_procedures"], ind["land_procedures"]) == (4, 32)
        assert (ind["ministries_connected"], ind["government_agencies_connected"]) == (20, 10)
        dept = f20["department"]
        assert [dept[k][1] for k in ("legal_documents", "decisions", "plans")] == [4, 21, 7]
        assert dept["directives_assigned"][1] == dept["directives_on_time"][1] == 66
    used = {label for name, table in LABELS.items() if name != "lookup" for label in table.values()}
    required = {"TP. Phan Rang - Tháp Chàm", "Tp PR-TC", "Thành phố Phan Rang-Tháp Chàm", "TP Phan Rang Tháp Chàm",
                "H. Bác Ái", "Huyện Bác Ái", "Bác Ái", "Ninh Son", "NINH HẢI", "Huyện Ninh Phước", "Thuận Bắc",
                "H.Thuận Nam"}
    assert required <= used, required - used


def main(argv=None) -> int:
    """Command-line entry point.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output root (default: this script's folder)")
    parser.add_argument("--years", type=int, nargs="+", default=[2019, 2020], help="years to write")
    args = parser.parse_args(argv)
    check(tuple(args.years))
    for path in write_all(args.out, tuple(args.years)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
