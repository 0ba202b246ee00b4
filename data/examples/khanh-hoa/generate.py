"""Write the Khánh Hòa example across the 2025 reorganisation: 2024 by district, 2025 by commune, deterministically.

The third bundled example. In 2024 two departments reported: Sở TT&TT Khánh Hòa
(former province 56, districts 568–576) and Sở TT&TT Ninh Thuận (former province
58, districts 582–589), each in the forms of the bundled Ninh Thuận 2020 workbooks
(``data/raw/2020``): same sheets, headers and layouts, file names prefixed by the
department. In 2025 Ninh Thuận is part of Khánh Hòa (new code 56, from 2025-06-12),
the districts are gone (2025-07-01) and the merged department (Sở Khoa học và Công
nghệ) reports the same forms by the 65 communes of the new province.

- ``raw/2024/{khanh-hoa,ninh-thuan}-vien-thong-2024.xlsx``: ``TB di động``,
  ``TB cố định - Internet``, ``Trạm BTS``, ``Doanh thu`` and the hidden ``DM``.
- ``raw/2024/Viettel_BRDD_{KhanhHoa,NinhThuan}_2024.xls``: Viettel's branches'
  mobile-broadband export (the layout finds it by the name ``Viettel_BRDD*``).
- ``raw/2024/{dept}-buu-chinh-2024.xlsx``, ``{dept}-chinh-quyen-dien-tu-2024.xlsx``
  (``DVCTT``, ``Chỉ tiêu``), ``{dept}-bao-cao-tong-hop-so-2024.xlsx`` (``Tổng hợp``),
  ``{dept}-dan-so-2024.csv``.
- ``raw/2025/``: the same seven files of the merged department, without a prefix,
  rows by commune (official names), area column headed "Đơn vị hành chính"/"Địa bàn".

Figures: Ninh Thuận 2024 is its 2020 table (the real figures and the illustrative
splits of ``data/raw/generate.py``, copied in :data:`NT_2020`) grown to 2024 and
calibrated to the real magnitudes of 2022–2023 known for that province
(:data:`NT_2024_TARGETS`); Khánh Hòa 2024 is derived from it by the ratio of the two
populations and a few per-table factors (:data:`KH_FACTORS`), split across its
districts by illustrative weights — all illustrative. 2025 is grown from 2024 per
comparable group (``gazetteer.comparable_groups("56")``, copied in :data:`GROUPS`)
and split across the group's communes, so every group's 2025 sum is a growth of its
2024 districts' sum. Every split is a largest-remainder apportionment, so every total
row is the exact sum of the rows above it. ``README.md`` says which figures are real.

Run ``python data/examples/khanh-hoa/generate.py [RAW]`` to rewrite ``raw/``;
:func:`figures` returns the figure table of one report, :func:`expected` every value
the tidy table must hold.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import openpyxl
import xlwt
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2026, 1, 15, 8, 0)
"""Creation/modification time stamped into every zip-based file."""

# ---------------------------------------------------------------------------
# Administrative units (codes of the gazetteer, ictanalysis/catalog)
# ---------------------------------------------------------------------------

NT_DISTRICTS = ("582", "584", "585", "586", "587", "588", "589")
KH_DISTRICTS = ("568", "569", "570", "571", "572", "573", "574", "575", "576")

# How each table of each department spells its districts (the forms of data/raw/2020).
NT_LABELS = {
    "mobile": ("TP. Phan Rang - Tháp Chàm", "Huyện Bác Ái", "Huyện Ninh Sơn", "Huyện Ninh Hải", "Huyện Ninh Phước",
               "Thuận Bắc", "H.Thuận Nam"),
    "fixed": ("Tp PR-TC", "Bác Ái", "Ninh Sơn", "Ninh Hải", "Ninh Phước", "Thuận Bắc", "Thuận Nam"),
    "bts": ("TP Phan Rang Tháp Chàm", "H. Bác Ái", "H. Ninh Sơn", "H. Ninh Hải", "H. Ninh Phước", "H. Thuận Bắc",
            "H.Thuận Nam"),
    "viettel": ("Tp PR-TC", "Bác Ái", "Ninh Son", "NINH HẢI", "Ninh Phuoc", "Thuận Bắc", "Thuan Nam"),
    "population": ("Thành phố Phan Rang-Tháp Chàm", "Huyện Bác Ái", "Huyện Ninh Sơn", "Huyện Ninh Hải",
                   "Huyện Ninh Phước", "Huyện Thuận Bắc", "Huyện Thuận Nam"),
}
KH_LABELS = {
    "mobile": ("TP. Nha Trang", "TP. Cam Ranh", "Huyện Cam Lâm", "Huyện Vạn Ninh", "Thị xã Ninh Hòa",
               "Huyện Khánh Vĩnh", "Huyện Diên Khánh", "Huyện Khánh Sơn", "Huyện Trường Sa"),
    "fixed": ("Nha Trang", "Cam Ranh", "Cam Lâm", "Vạn Ninh", "Ninh Hòa", "Khánh Vĩnh", "Diên Khánh", "Khánh Sơn",
              "Trường Sa"),
    "bts": ("TP Nha Trang", "TP Cam Ranh", "H. Cam Lâm", "H. Vạn Ninh", "TX Ninh Hòa", "H. Khánh Vĩnh",
            "H. Diên Khánh", "H. Khánh Sơn", "H. Trường Sa"),
    "viettel": ("Nha Trang", "Cam Ranh", "Cam Lam", "Van Ninh", "NINH HÒA", "Khanh Vinh", "Dien Khanh", "Khánh Sơn",
                "Truong Sa"),
    "population": ("Thành phố Nha Trang", "Thành phố Cam Ranh", "Huyện Cam Lâm", "Huyện Vạn Ninh", "Thị xã Ninh Hòa",
                   "Huyện Khánh Vĩnh", "Huyện Diên Khánh", "Huyện Khánh Sơn", "Huyện Trường Sa"),
}

# The comparable groups of new province 56: the former districts each group covers exactly.
GROUPS = {code: (code,) for code in KH_DISTRICTS} | {"58": NT_DISTRICTS}

# The 65 communes of the new Khánh Hòa (from 2025-07-01): code, official name, comparable group.
COMMUNES = (
    ("22333", "Phường Bắc Nha Trang", "568"), ("22366", "Phường Nha Trang", "568"),
    ("22390", "Phường Tây Nha Trang", "568"), ("22402", "Phường Nam Nha Trang", "568"),
    ("22408", "Phường Bắc Cam Ranh", "569"), ("22420", "Phường Cam Ranh", "569"),
    ("22423", "Phường Ba Ngòi", "569"), ("22432", "Phường Cam Linh", "569"),
    ("22435", "Xã Cam Hiệp", "570"), ("22453", "Xã Cam Lâm", "570"), ("22465", "Xã Cam An", "570"),
    ("22480", "Xã Nam Cam Ranh", "569"), ("22489", "Xã Vạn Ninh", "571"), ("22498", "Xã Tu Bông", "571"),
    ("22504", "Xã Đại Lãnh", "571"), ("22516", "Xã Vạn Thắng", "571"), ("22525", "Xã Vạn Hưng", "571"),
    ("22528", "Phường Ninh Hòa", "572"), ("22546", "Xã Bắc Ninh Hòa", "572"), ("22552", "Xã Tây Ninh Hòa", "572"),
    ("22558", "Xã Hòa Trí", "572"), ("22561", "Phường Đông Ninh Hòa", "572"), ("22576", "Xã Tân Định", "572"),
    ("22591", "Phường Hòa Thắng", "572"), ("22597", "Xã Nam Ninh Hòa", "572"), ("22609", "Xã Khánh Vĩnh", "573"),
    ("22612", "Xã Trung Khánh Vĩnh", "573"), ("22615", "Xã Bắc Khánh Vĩnh", "573"),
    ("22624", "Xã Tây Khánh Vĩnh", "573"), ("22648", "Xã Nam Khánh Vĩnh", "573"), ("22651", "Xã Diên Khánh", "574"),
    ("22657", "Xã Diên Điền", "574"), ("22660", "Xã Diên Lâm", "574"), ("22672", "Xã Diên Thọ", "574"),
    ("22678", "Xã Diên Lạc", "574"), ("22702", "Xã Suối Hiệp", "574"), ("22708", "Xã Suối Dầu", "570"),
    ("22714", "Xã Khánh Sơn", "575"), ("22720", "Xã Tây Khánh Sơn", "575"), ("22732", "Xã Đông Khánh Sơn", "575"),
    ("22736", "Đặc khu Trường Sa", "576"), ("22738", "Phường Đô Vinh", "58"), ("22741", "Phường Bảo An", "58"),
    ("22759", "Phường Phan Rang", "58"), ("22779", "Phường Đông Hải", "58"), ("22786", "Xã Bác Ái Tây", "58"),
    ("22795", "Xã Bác Ái", "58"), ("22801", "Xã Bác Ái Đông", "58"), ("22810", "Xã Ninh Sơn", "58"),
    ("22813", "Xã Lâm Sơn", "58"), ("22822", "Xã Mỹ Sơn", "58"), ("22828", "Xã Anh Dũng", "58"),
    ("22834", "Phường Ninh Chử", "58"), ("22840", "Xã Công Hải", "58"), ("22849", "Xã Thuận Bắc", "58"),
    ("22852", "Xã Ninh Hải", "58"), ("22858", "Xã Xuân Hải", "58"), ("22868", "Xã Vĩnh Hải", "58"),
    ("22870", "Xã Ninh Phước", "58"), ("22873", "Xã Phước Hậu", "58"), ("22885", "Xã Phước Hà", "58"),
    ("22891", "Xã Phước Hữu", "58"), ("22897", "Xã Thuận Nam", "58"), ("22903", "Xã Phước Dinh", "58"),
    ("22910", "Xã Cà Ná", "58"),
)


class Report(NamedTuple):
    """Who sends one set of workbooks, for which year and which areas.

    `prefix` starts every file name ("" for the merged department); `areas` are the
    codes of the table rows, `labels` how each table spells them.
    """

    key: str
    year: int
    province: str
    prefix: str
    agency: str
    place: str
    viettel: str
    areas: tuple[str, ...]
    labels: dict
    area_word: str


def reports() -> tuple[Report, ...]:
    """Return the three senders of the example: the two former departments (2024) and the merged one (2025)."""
    commune_labels = tuple(name for _, name, _ in COMMUNES)
    return (
        Report("khanh-hoa", 2024, "56", "khanh-hoa-", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG KHÁNH HÒA", "Khánh Hòa",
               "KhanhHoa", KH_DISTRICTS, KH_LABELS, "huyện/thị xã/thành phố"),
        Report("ninh-thuan", 2024, "58", "ninh-thuan-", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN", "Ninh Thuận",
               "NinhThuan", NT_DISTRICTS, NT_LABELS, "huyện/thành phố"),
        Report("merged", 2025, "56", "", "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH KHÁNH HÒA", "Khánh Hòa", "",
               tuple(code for code, _, _ in COMMUNES), dict.fromkeys(NT_LABELS, commune_labels),
               "xã, phường, đặc khu"),
    )


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------

# Ninh Thuận 2020, as in data/raw/generate.py FIGURES_2020 (real totals: level 4 = 555, 4 procedures on the
# national portal, 32 land procedures, 20 ministries and 10 agencies, 3 levels, 4/21/7 documents, 66/66;
# everything else illustrative). Area tables are operator -> tuple per district in NT_DISTRICTS order.
NT_2020 = {
    "population": {"": ((168920,), (30710,), (77050,), (94960,), (123620,), (41480,), (58420,))},
    "mobile": {
        "VNPT": ((52379, 5054), (4913, 474), (17934, 1730), (20928, 2019), (29147, 2812), (8155, 787), (13600, 1312)),
        "Viettel": ((117392, 7759), (12148, 803), (40228, 2659), (46890, 3099), (65431, 4325), (18289, 1209),
                    (33584, 2220)),
        "MobiFone": ((48987, 3801), (4601, 357), (15218, 1181), (19577, 1519), (24774, 1922), (7623, 591),
                     (12726, 987)),
        "Vietnamobile": ((2788, 86), (262, 8), (954, 30), (1114, 34), (1408, 44), (434, 13), (724, 22)),
    },
    "fixed_phone": {
        "VNPT": ((4865,), (246,), (1190,), (1379,), (2323,), (590,), (1139,)),
        "Viettel": ((1141,), (0,), (253,), (324,), (495,), (126,), (268,)),
    },
    "fixed_broadband": {
        "VNPT": ((13164,), (623,), (3008,), (4157,), (5563,), (1193,), (2539,)),
        "Viettel": ((13475,), (578,), (2789,), (3862,), (5163,), (1220,), (2358,)),
        "FPT": ((7023,), (0,), (1537,), (1930,), (2840,), (610,), (1178,)),
    },
    "mobile_broadband_viettel": {"Viettel": ((12358, 40766), (1161, 3825), (3841, 13954), (4939, 16289),
                                             (6251, 20593), (1746, 6346), (3211, 10586))},
    "bts": {
        "VNPT": ((33, 42, 31), (15, 20, 15), (23, 29, 22), (21, 26, 22), (24, 34, 26), (15, 19, 15), (18, 22, 19)),
        "Viettel": ((48, 60, 54), (21, 26, 26), (33, 42, 38), (30, 38, 37), (35, 49, 44), (22, 28, 25),
                    (26, 32, 32)),
        "MobiFone": ((31, 41, 30), (14, 18, 14), (20, 28, 21), (20, 26, 19), (23, 33, 24), (14, 19, 14),
                     (17, 22, 18)),
        "Vietnamobile": ((4, 4, 4), (0, 0, 0), (2, 2, 3), (2, 2, 2), (2, 2, 3), (1, 1, 1), (2, 1, 2)),
    },
    "telecom_revenue": {"VNPT": 392806.2, "Viettel": 486527.4, "MobiFone": 152340.8, "Vietnamobile": 11285.6,
                        "FPT": 77903.1},
    "postal": {"VNPost": (100, 1265380, 74108.4), "ViettelPost": (10, 612450, 30925.7), "JT": (6, 441200, 17340.5),
               "GHN": (3, 198640, 8816.9), "GHTK": (2, 92310, 3904.2)},
    "egov_services": {
        "Văn phòng UBND tỉnh": (4, 1, 3), "Sở Kế hoạch và Đầu tư": (31, 14, 88), "Sở Tư pháp": (58, 20, 54),
        "Sở Công Thương": (44, 18, 78), "Sở Xây dựng": (15, 6, 26), "Sở Giao thông vận tải": (19, 10, 59),
        "Sở Tài nguyên và Môi trường": (57, 20, 12), "Sở Thông tin và Truyền thông": (6, 2, 35),
        "Sở Lao động - Thương binh và Xã hội": (84, 18, 24), "Sở Y tế": (96, 28, 31),
        "Sở Giáo dục và Đào tạo": (46, 14, 24), "Sở Nông nghiệp và Phát triển nông thôn": (80, 20, 19),
        "Sở Văn hóa, Thể thao và Du lịch": (83, 16, 31), "Sở Nội vụ": (60, 12, 18), "Sở Tài chính": (19, 5, 8),
        "Sở Khoa học và Công nghệ": (24, 8, 27), "Ban Quản lý các khu công nghiệp": (14, 6, 14),
        "UBND cấp huyện": (176, 22, 2), "UBND cấp xã": (97, 8, 2),
    },
    "egov_indicators": {"national_portal_procedures": 4, "national_portal_share": 30, "land_procedures": 32,
                        "video_endpoints": 47, "documents_exchanged": 160240, "ministries_connected": 20,
                        "government_agencies_connected": 10, "interconnection_levels": 3},
    "department": {"legal_documents": (4, 4), "decisions": (20, 21), "plans": (6, 7), "directives_assigned": (None, 66),
                   "directives_on_time": (66, 66), "coverage_4g": (100, 100), "coverage_3g4g": (100, 100)},
}

# Province totals of Ninh Thuận in 2024, set from the real figures of 2022–2023 (/work/shared/reference/facts.md:
# average population 598.683 in 2022; 690.503 telephone subscribers c. 2023; 1.911 BTS (2G 502, 3G 718, 4G 691) in
# 2023; 122 postal service points and 168,2 billion đồng postal revenue in 2023), grown plausibly to 2024. The 2024
# values themselves are illustrative.
NT_2024_TARGETS = {
    "population": round(598683 * 1.008**2),
    "telephone": round(690503 * 1.015),
    "bts": (470, 705, 780),                 # 2G falls, 4G grows from the 2023 counts
    "mobile_broadband_viettel": (9800, 128400),
    "postal_points": 124,
    "postal_revenue": 183300.0,             # million đồng: 168,2 billion × 1,09
}
GROWTH_2020_2024 = {"fixed_phone": 0.95**4, "fixed_broadband": 1.05**4, "telecom_revenue": 1.05**4,
                    "postal_items": 1.12**4, "egov": 1.05**4}

# Khánh Hòa 2024 from Ninh Thuận 2024: population 1,25 million against about 0,61 million (×2,05); more urban and
# touristic, so subscribers and revenue grow more than the population ratio. All illustrative.
KH_POPULATION = 1250000
KH_FACTORS = {"mobile": 2.4, "fixed_phone": 2.6, "fixed_broadband": 2.5, "mobile_broadband_viettel": 2.4,
              "bts": 1.9, "telecom_revenue": 2.4, "postal": (1.7, 2.6, 2.6), "egov_services": 1.15}
# Illustrative weights of old Khánh Hòa's districts (KH_DISTRICTS order): people (thousands, near the 2019
# census) for subscribers, and a flatter set for base stations, which follow area as much as people.
KH_WEIGHTS = {"people": (423, 125, 106, 128, 232, 40, 142, 25, 0.3),
              "bts": (250, 115, 105, 125, 185, 70, 120, 45, 6)}
# Where an enterprise has no subscribers or stations: (table, operator) -> area codes.
ZEROS = {
    ("fixed_broadband", "FPT"): {"584", "575", "576", "22786", "22795", "22801", "22714", "22720", "22732", "22736"},
    ("fixed_phone", "Viettel"): {"584", "576", "22786", "22736"},
    ("bts", "Vietnamobile"): {"584", "575", "576", "22786", "22795", "22801", "22720", "22732", "22736"},
    ("mobile", "Vietnamobile"): {"576", "22736"},
    ("fixed_broadband", "Viettel"): {"576", "22736"},
}

# Growth from 2024 to 2025, per table and per tuple component.
GROWTH_2025 = {"population": (1.008,), "mobile": (1.03, 1.06), "fixed_phone": (0.93,), "fixed_broadband": (1.06,),
               "mobile_broadband_viettel": (0.7, 1.05), "bts": (0.85, 0.96, 1.07)}
AREA_TABLES = tuple(GROWTH_2025)

# 2025 agencies and the 2024 agencies whose services they took over (mergers of 2025); the catalog does not
# know "Sở Nông nghiệp và Môi trường" yet, so its two predecessors are left out of 2025 (see README.md).
AGENCIES_2024 = tuple(NT_2020["egov_services"])
AGENCIES_2025 = {
    "Văn phòng UBND tỉnh": ("Văn phòng UBND tỉnh",),
    "Sở Tư pháp": ("Sở Tư pháp",),
    "Sở Công Thương": ("Sở Công Thương",),
    "Sở Xây dựng": ("Sở Xây dựng", "Sở Giao thông vận tải"),
    "Sở Nội vụ": ("Sở Nội vụ", "Sở Lao động - Thương binh và Xã hội"),
    "Sở Y tế": ("Sở Y tế",),
    "Sở Giáo dục và Đào tạo": ("Sở Giáo dục và Đào tạo",),
    "Sở Văn hóa, Thể thao và Du lịch": ("Sở Văn hóa, Thể thao và Du lịch",),
    "Sở Tài chính": ("Sở Tài chính", "Sở Kế hoạch và Đầu tư"),
    "Sở Khoa học và Công nghệ": ("Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"),
    "Ban Quản lý các khu công nghiệp": ("Ban Quản lý các khu công nghiệp",),
    "UBND cấp xã": ("UBND cấp huyện", "UBND cấp xã"),
}

OPERATOR_HEADERS = {"VNPT": "VNPT (VinaPhone)", "Viettel": "Viettel", "MobiFone": "MobiFone",
                    "Vietnamobile": "Vietnamobile"}
REVENUE_LABELS = {"VNPT": "VNPT", "Viettel": "Viettel", "MobiFone": "MobiFone", "Vietnamobile": "Vietnamobile",
                  "FPT": "FPT Telecom"}
POSTAL_LABELS = {"VNPost": {"ninh-thuan": "Bưu điện tỉnh Ninh Thuận"}, "ViettelPost": "Viettel Post",
                 "JT": "J&T Express", "GHN": "Giao Hàng Nhanh", "GHTK": "Giao Hàng Tiết Kiệm"}


def apportion(total: int, weights: dict) -> dict:
    """Split the integer `total` over the keys of `weights` in proportion, the parts summing to it exactly.

    Largest remainders, ties broken by key order: deterministic.

    >>> apportion(10, {"a": 1, "b": 1, "c": 1})
    {'a': 4, 'b': 3, 'c': 3}
    """
    mass = sum(weights.values())
    if not mass:
        return dict.fromkeys(weights, 0)
    exact = {key: total * w / mass for key, w in weights.items()}
    parts = {key: int(value) for key, value in exact.items()}
    order = sorted(weights, key=lambda key: -(exact[key] - parts[key]))
    for key in order[: total - sum(parts.values())]:
        parts[key] += 1
    return parts


def _split(table: str, op: str, totals: tuple, weights: dict) -> dict:
    """Split each component total over areas by `weights`, with the enterprise's zero areas left out."""
    zeros = ZEROS.get((table, op), set())
    live = {area: (0 if area in zeros else w) for area, w in weights.items()}
    columns = [apportion(total, live) for total in totals]
    return {area: tuple(column[area] for column in columns) for area in weights}


def column_totals(by_area: dict) -> tuple:
    """Sum a {area: tuple} table column by column."""
    return tuple(sum(column) for column in zip(*by_area.values(), strict=True))


def _nt_2020() -> dict:
    """Return Ninh Thuận 2020's area tables keyed by district code."""
    return {table: {op: dict(zip(NT_DISTRICTS, rows, strict=True)) for op, rows in NT_2020[table].items()}
            for table in AREA_TABLES}


def _nt_2024() -> dict:
    """Derive Ninh Thuận 2024 from 2020 and the calibration targets."""
    base, targets = _nt_2020(), NT_2024_TARGETS
    fig = {"population": {"": _rescale(base["population"][""], (targets["population"],))}}
    fig["fixed_phone"] = {op: {d: (round(v[0] * GROWTH_2020_2024["fixed_phone"]),) for d, v in rows.items()}
                          for op, rows in base["fixed_phone"].items()}
    fig["fixed_broadband"] = {op: {d: (round(v[0] * GROWTH_2020_2024["fixed_broadband"]),) for d, v in rows.items()}
                              for op, rows in base["fixed_broadband"].items()}
    fixed = sum(column_totals(rows)[0] for rows in fig["fixed_phone"].values())
    fig["mobile"] = _rescale_all(base["mobile"], (targets["telephone"] - fixed,))
    fig["mobile_broadband_viettel"] = {"Viettel": _rescale(base["mobile_broadband_viettel"]["Viettel"],
                                                           targets["mobile_broadband_viettel"])}
    fig["bts"] = _rescale_all(base["bts"], targets["bts"], by_component=True)
    fig["telecom_revenue"] = {op: round(v * GROWTH_2020_2024["telecom_revenue"], 1)
                              for op, v in NT_2020["telecom_revenue"].items()}
    points = apportion(targets["postal_points"], {k: v[0] for k, v in NT_2020["postal"].items()})
    tenths = apportion(round(targets["postal_revenue"] * 10), {k: v[2] for k, v in NT_2020["postal"].items()})
    fig["postal"] = {k: (points[k], round(v[1] * GROWTH_2020_2024["postal_items"]), tenths[k] / 10)
                     for k, v in NT_2020["postal"].items()}
    fig["egov_services"] = {agency: _level_shift(levels, 4) for agency, levels in NT_2020["egov_services"].items()}
    ind = dict(NT_2020["egov_indicators"])
    for key in ("national_portal_procedures", "land_procedures", "video_endpoints", "documents_exchanged"):
        ind[key] = round(ind[key] * GROWTH_2020_2024["egov"])
    ind["national_portal_share"] = 70
    fig["egov_indicators"] = ind
    fig["department"] = {"legal_documents": (5, 5), "decisions": (24, 26), "plans": (8, 9),
                         "directives_assigned": (None, 81), "directives_on_time": (81, 80),
                         "coverage_4g": (100, 100), "coverage_3g4g": (100, 100)}
    return fig


def _rescale(by_area: dict, totals: tuple) -> dict:
    """Scale a {area: tuple} table to new column totals, keeping its shares."""
    columns = [apportion(total, {a: v[i] for a, v in by_area.items()}) for i, total in enumerate(totals)]
    return {a: tuple(column[a] for column in columns) for a in by_area}


def _rescale_all(table: dict, totals: tuple, by_component: bool = False) -> dict:
    """Scale an {operator: {area: tuple}} table so the grand total (or each component's) is `totals`."""
    cells = {(op, a, i): v[i] for op, rows in table.items() for a, v in rows.items() for i in range(len(v))}
    width = len(next(iter(next(iter(table.values())).values())))
    if by_component:
        parts = {}
        for i, total in enumerate(totals):
            parts |= apportion(total, {k: v for k, v in cells.items() if k[2] == i})
    else:
        parts = apportion(totals[0], cells)
    return {op: {a: tuple(parts[(op, a, i)] for i in range(width)) for a in rows} for op, rows in table.items()}


def _level_shift(levels: tuple, years: int) -> tuple:
    """Move half of the level-3 services to level 4 each year (as data/raw/generate.py does)."""
    l2, l3, l4 = levels
    for _ in range(years):
        moved = l3 // 2
        l3, l4 = l3 - moved, l4 + moved
    return (l2, l3, l4)


def _kh_2024(nt: dict) -> dict:
    """Derive old Khánh Hòa's 2024 figures from Ninh Thuận's (illustrative)."""
    people = dict(zip(KH_DISTRICTS, KH_WEIGHTS["people"], strict=True))
    towers = dict(zip(KH_DISTRICTS, KH_WEIGHTS["bts"], strict=True))
    fig = {"population": {"": _split("population", "", (KH_POPULATION,), people)}}
    for table in AREA_TABLES[1:]:
        weights = towers if table == "bts" else people
        fig[table] = {op: _split(table, op, tuple(round(t * KH_FACTORS[table]) for t in column_totals(rows)), weights)
                      for op, rows in nt[table].items()}
    fig["telecom_revenue"] = {op: round(v * KH_FACTORS["telecom_revenue"], 1) for op, v in nt["telecom_revenue"].items()}
    fig["postal"] = {k: tuple(round(x * f, 1) if isinstance(x, float) else round(x * f)
                              for x, f in zip(v, KH_FACTORS["postal"], strict=True)) for k, v in nt["postal"].items()}
    fig["egov_services"] = {a: tuple(round(x * KH_FACTORS["egov_services"]) for x in v)
                            for a, v in nt["egov_services"].items()}
    fig["egov_indicators"] = {"national_portal_procedures": 6, "national_portal_share": 80, "land_procedures": 41,
                              "video_endpoints": 168, "documents_exchanged": 412560, "ministries_connected": 20,
                              "government_agencies_connected": 10, "interconnection_levels": 3}
    fig["department"] = {"legal_documents": (7, 7), "decisions": (31, 34), "plans": (12, 12),
                         "directives_assigned": (None, 118), "directives_on_time": (118, 115),
                         "coverage_4g": (100, 100), "coverage_3g4g": (100, 100)}
    return fig


def _merged_2025(kh: dict, nt: dict) -> dict:
    """Grow 2024 to 2025 by comparable group and split each group over its communes (illustrative)."""
    weights = {code: _commune_weight(code, name) for code, name, _ in COMMUNES}
    fig = {}
    for table in AREA_TABLES:
        fig[table] = {}
        for op in kh[table]:
            by_area = kh[table][op] | nt[table][op]
            rows = {}
            for group, districts in GROUPS.items():
                before = column_totals({d: by_area[d] for d in districts})
                after = tuple(round(v * g) for v, g in zip(before, GROWTH_2025[table], strict=True))
                members = {code: weights[code] for code, _, g in COMMUNES if g == group}
                rows |= _split(table, op, after, members)
            fig[table][op] = {code: rows[code] for code, _, _ in COMMUNES}
    fig["telecom_revenue"] = {op: round((kh["telecom_revenue"][op] + nt["telecom_revenue"][op]) * 1.04, 1)
                              for op in kh["telecom_revenue"]}
    fig["postal"] = {k: (kh["postal"][k][0] + nt["postal"][k][0], round((kh["postal"][k][1] + nt["postal"][k][1]) * 1.1),
                         round((kh["postal"][k][2] + nt["postal"][k][2]) * 1.08, 1)) for k in kh["postal"]}
    # One portal for the merged province: each procedure counts once, so 2025 is not the sum of 2024.
    fig["egov_services"] = {
        new: tuple(round(1.05 * max(sum(f["egov_services"][a][i] for a in olds) for f in (kh, nt))) for i in range(3))
        for new, olds in AGENCIES_2025.items()
    }
    fig["egov_indicators"] = {"national_portal_procedures": 7, "national_portal_share": 100, "land_procedures": 44,
                              "video_endpoints": 238, "documents_exchanged": 655930, "ministries_connected": 20,
                              "government_agencies_connected": 10, "interconnection_levels": 2}
    fig["department"] = {"legal_documents": (10, 11), "decisions": (48, 52), "plans": (15, 17),
                         "directives_assigned": (None, 204), "directives_on_time": (204, 201),
                         "coverage_4g": (100, 100), "coverage_3g4g": (100, 100)}
    return fig


def _commune_weight(code: str, name: str) -> float:
    """An illustrative size of a commune: wards larger than communes, with a deterministic spread."""
    return (2.5 if name.startswith("Phường") else 1.0) * (1 + int(code) % 7 / 10)


def figures(key: str) -> dict:
    """Return the figure table of one report: "khanh-hoa" or "ninh-thuan" (2024), "merged" (2025).

    Area tables are {table: {operator: {area code: tuple}}} (population's operator is "").
    """
    nt = _nt_2024()
    kh = _kh_2024(nt)
    return {"khanh-hoa": kh, "ninh-thuan": nt, "merged": _merged_2025(kh, nt)}[key]


# ---------------------------------------------------------------------------
# What the tidy table must hold
# ---------------------------------------------------------------------------

AREA_INDICATORS = {  # table -> indicator of each component, and of the computed total (None: no total column)
    "population": (("population",), None),
    "mobile": (("mobile_prepaid_subscribers", "mobile_postpaid_subscribers"), "mobile_subscribers"),
    "fixed_phone": (("fixed_telephone_subscribers",), None),
    "fixed_broadband": (("fixed_broadband_subscribers",), None),
    "mobile_broadband_viettel": (("mobile_broadband_3g_subscribers", "mobile_broadband_4g_subscribers"),
                                 "mobile_broadband_subscribers"),
    "bts": (("bts_2g_stations", "bts_3g_stations", "bts_4g_stations"), None),
}
OPERATOR_NAMES = {"VNPT": "VNPT", "Viettel": "Viettel", "MobiFone": "MobiFone", "Vietnamobile": "Vietnamobile",
                  "FPT": "FPT Telecom", "VNPost": "VNPost", "ViettelPost": "Viettel Post", "JT": "J&T Express",
                  "GHN": "Giao Hàng Nhanh", "GHTK": "Giao Hàng Tiết Kiệm"}
INDICATOR_IDS = {
    "national_portal_procedures": "national_portal_procedures", "national_portal_share": "national_portal_share",
    "land_procedures": "interconnected_land_procedures", "video_endpoints": "videoconference_endpoints",
    "documents_exchanged": "edocuments_exchanged", "ministries_connected": "ministries_connected",
    "government_agencies_connected": "government_agencies_connected",
    "interconnection_levels": "document_interconnection_levels", "legal_documents": "legal_documents_drafted",
    "decisions": "decisions_drafted", "plans": "plans_drafted", "directives_assigned": "directives_assigned",
    "directives_on_time": "directives_completed_on_time", "coverage_4g": "coverage_4g_population",
    "coverage_3g4g": "coverage_3g4g_population",
}


def expected(key: str) -> dict[tuple[int, str, str, str, str], float]:
    """Return every value one report's files must give: (year, indicator, area, operator, agency) -> value.

    Values are in the catalog's units (money in đồng); totals are the province's (area = the report's province).
    """
    report = next(r for r in reports() if r.key == key)
    fig, year, province, found = figures(key), report.year, report.province, {}
    for table, (components, total) in AREA_INDICATORS.items():
        for op, by_area in fig[table].items():
            operator = "" if table == "population" else OPERATOR_NAMES[op]
            for area, values in [*by_area.items(), (province, column_totals(by_area))]:
                for indicator, value in zip(components, values, strict=True):
                    found[(year, indicator, area, operator, "")] = value
                if total:
                    found[(year, total, area, operator, "")] = sum(values)
    for op, value in [*fig["telecom_revenue"].items(), ("", sum(fig["telecom_revenue"].values()))]:
        found[(year, "telecom_revenue", province, OPERATOR_NAMES.get(op, ""), "")] = value * 1e6
    postal = [*fig["postal"].items(), ("", column_totals(fig["postal"]))]
    for op, (points, items, revenue) in postal:
        name = OPERATOR_NAMES.get(op, "")
        found |= {(year, "postal_service_points", province, name, ""): points,
                  (year, "postal_items", province, name, ""): items,
                  (year, "postal_revenue", province, name, ""): revenue * 1e6}
    counted = services_by_definition(fig["egov_services"])
    for agency, kinds in [*counted.items(), ("", column_totals(counted))]:
        for indicator, value in zip(("online_services_full", "online_services_partial"), kinds, strict=True):
            found[(year, indicator, province, "", agency)] = value
    for name, value in fig["egov_indicators"].items():
        found[(year, INDICATOR_IDS[name], province, "", "")] = value
    for name, (_, actual) in fig["department"].items():
        found[(year, INDICATOR_IDS[name], province, "", "")] = actual
    return found


# ---------------------------------------------------------------------------
# Cells: Vietnamese numbers, text or numbers, zeros (as in data/raw/generate.py)
# ---------------------------------------------------------------------------

def vn_number(value, decimals: int = 0) -> str:
    """Format a number the Vietnamese way: "1.234.567" or "12,5"."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def cell_value(value, as_text: bool, decimals: int = 0, zero="-", mark: str = ""):
    """Return what to store for `value`: a number, Vietnamese text, or the zero's mark ("-", None, 0)."""
    if value is None:
        return None
    if value == 0 and zero != 0:
        return zero
    if as_text or mark:
        return vn_number(value, decimals) + mark
    return value


def texty(row: int, col: int, salt: int) -> bool:
    """Tell whether a data cell holds its number as text (about half do, on a fixed pattern)."""
    return (row * 3 + col + salt) % 4 < 2


def note_lines(year: int, extra: list[str]) -> list[str]:
    """Return the notes and signature block written under every table."""
    return [*extra, f"(*) Số liệu ước tính đến 31/12/{year}", "", "Người lập biểu", "", "", "Nguyễn Văn A"]


# ---------------------------------------------------------------------------
# openpyxl helpers (copied from data/raw/generate.py)
# ---------------------------------------------------------------------------

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def new_workbook(report: Report) -> openpyxl.Workbook:
    """Create an empty workbook with fixed document properties."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = wb.properties.lastModifiedBy = report.agency.title()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def title_block(ws, lines: list[tuple[str, bool]], width: int) -> int:
    """Write the sender, the title (and a unit line) above a table; return the header's first row."""
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
    """Write a header cell, merged over `rows` x `cols` cells."""
    ws.cell(row=row, column=col, value=text)
    if rows > 1 or cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)
    for r in range(row, row + rows):
        for c in range(col, col + cols):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = Font(name=FONT, bold=True, size=11), CENTER, BOX


def body_row(ws, row: int, values: list, bold: bool = False) -> None:
    """Write one bordered table row from column A."""
    for c, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=c, value=value)
        cell.font, cell.border = Font(name=FONT, bold=bold, size=11), BOX
        if isinstance(value, (int, float)):
            cell.number_format = "#,##0.0" if isinstance(value, float) else "#,##0"
        if c == 1:
            cell.alignment = Alignment(horizontal="center")
        elif c > 2 and (not isinstance(value, str) or value[:1].isdigit() or value == "-"):
            cell.alignment = Alignment(horizontal="right")


def notes(ws, row: int, lines: list[str], column: int = 2) -> None:
    """Write notes and the signature block below a table ("" skips a row)."""
    for i, text in enumerate(lines):
        if text:
            cell = ws.cell(row=row + i, column=column, value=text)
            cell.font = Font(name=FONT, italic=text.startswith(("Ghi chú", "(*)", "*")),
                             bold=text in ("Người lập biểu", "Nguyễn Văn A"), size=11)


def widths(ws, values: list[float]) -> None:
    """Set the widths of columns A, B, … in characters."""
    for i, w in enumerate(values, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip archive with every entry dated :data:`FIXED_TIME`, keeping entry order."""
    src, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type, zi.external_attr, zi.create_system = info.compress_type, info.external_attr, 3
            dst.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def save_xlsx(wb: openpyxl.Workbook, path: Path) -> Path:
    """Save a workbook deterministically (fixed document and zip times)."""
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(normalise_zip(buf.getvalue()))
    return path


def _path(raw: Path, report: Report, name: str, ext: str = "xlsx") -> Path:
    return raw / str(report.year) / f"{report.prefix}{name}-{report.year}.{ext}"


def _labels(report: Report, table: str) -> dict:
    return dict(zip(report.areas, report.labels[table], strict=True))


# ---------------------------------------------------------------------------
# vien-thong: mobile, fixed, BTS, revenue, hidden lookup
# ---------------------------------------------------------------------------

def sheet_mobile(wb, report: Report, fig: dict) -> None:
    """Sheet "TB di động": prepaid, postpaid and total by area and operator (3 header rows)."""
    ws = wb.create_sheet("TB di động")
    ops, subs = list(fig["mobile"]), ["Trả trước", "Trả sau", "Tổng số"]
    width = 2 + len(ops) * len(subs)
    top = title_block(ws, [(report.agency, False),
                           (f"BÁO CÁO SỐ LIỆU THUÊ BAO DI ĐỘNG NĂM {report.year}", True),
                           ("Đơn vị tính: thuê bao", False)], width)
    header(ws, top, 1, "STT", rows=3)
    header(ws, top, 2, "Đơn vị hành chính", rows=3)
    header(ws, top, 3, "Thuê bao di động (thuê bao)", cols=width - 2)
    for i, op in enumerate(ops):
        header(ws, top + 1, 3 + i * 3, OPERATOR_HEADERS[op], cols=3)
        for j, sub in enumerate(subs):
            header(ws, top + 2, 3 + i * 3 + j, sub)
    labels = _labels(report, "mobile")
    for r, area in enumerate(report.areas):
        values = [r + 1, labels[area]]
        for i, op in enumerate(ops):
            pre, post = fig["mobile"][op][area]
            values += [cell_value(v, texty(r, i * 3 + j, 1)) for j, v in enumerate([pre, post, pre + post])]
        body_row(ws, top + 3 + r, values)
    total = [None, "Tổng cộng"]
    for op in ops:
        pre, post = column_totals(fig["mobile"][op])
        total += [pre, post, pre + post]
    end = top + 3 + len(report.areas)
    body_row(ws, end, total, bold=True)
    notes(ws, end + 2, note_lines(report.year, [
        "Ghi chú: Thuê bao đang hoạt động hai chiều và bị khóa một chiều, theo báo cáo của doanh nghiệp."]))
    widths(ws, [6, 30] + [12] * (width - 2))


def sheet_fixed(wb, report: Report, fig: dict) -> None:
    """Sheet "TB cố định - Internet": fixed telephone and fixed broadband by area and operator."""
    ws = wb.create_sheet("TB cố định - Internet")
    phone_ops, bb_ops = list(fig["fixed_phone"]), list(fig["fixed_broadband"])
    width = 2 + len(phone_ops) + len(bb_ops)
    top = title_block(ws, [(report.agency, False),
                           (f"BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH VÀ INTERNET NĂM {report.year}", True),
                           ("Đơn vị tính: thuê bao", False)], width)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Địa bàn", rows=2)
    header(ws, top, 3, "Điện thoại cố định", cols=len(phone_ops))
    header(ws, top, 3 + len(phone_ops), "Internet băng rộng cố định (FTTH/xDSL)", cols=len(bb_ops))
    for i, op in enumerate(phone_ops + bb_ops):
        header(ws, top + 1, 3 + i, REVENUE_LABELS[op] if op == "FPT" else op)
    labels = _labels(report, "fixed")
    for r, area in enumerate(report.areas):
        numbers = [fig["fixed_phone"][op][area][0] for op in phone_ops] + \
                  [fig["fixed_broadband"][op][area][0] for op in bb_ops]
        body_row(ws, top + 2 + r, [r + 1, labels[area]] + [  # a missing fixed line is blank, a missing FPT one "-"
            cell_value(v, texty(r, c, 2), zero=None if c < len(phone_ops) else "-") for c, v in enumerate(numbers)])
    total = [column_totals(fig["fixed_phone"][op])[0] for op in phone_ops] + \
            [column_totals(fig["fixed_broadband"][op])[0] for op in bb_ops]
    end = top + 2 + len(report.areas)
    body_row(ws, end, [None, "Cộng"] + [cell_value(v, c % 2 == 0) for c, v in enumerate(total)], bold=True)
    notes(ws, end + 2, note_lines(report.year, ["Ghi chú: Thuê bao theo địa chỉ lắp đặt."]))
    widths(ws, [6, 28] + [14] * (width - 2))


def sheet_bts(wb, report: Report, fig: dict) -> None:
    """Sheet "Trạm BTS": base stations by area, operator and 2G/3G/4G."""
    ws = wb.create_sheet("Trạm BTS")
    ops = list(fig["bts"])
    width = 2 + 3 * len(ops)
    top = title_block(ws, [(report.agency, False), (f"BÁO CÁO SỐ LƯỢNG TRẠM BTS NĂM {report.year}", True),
                           ("Đơn vị tính: trạm", False)], width)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Huyện/Thành phố" if report.year < 2025 else "Đơn vị hành chính", rows=2)
    for i, op in enumerate(ops):
        header(ws, top, 3 + 3 * i, op, cols=3)
        for j, tech in enumerate(("2G", "3G", "4G")):
            header(ws, top + 1, 3 + 3 * i + j, tech)
    labels = _labels(report, "bts")
    for r, area in enumerate(report.areas):
        values = [r + 1, labels[area]]
        for i, op in enumerate(ops):
            values += [cell_value(v, texty(r, 3 * i + j, 3)) for j, v in enumerate(fig["bts"][op][area])]
        body_row(ws, top + 2 + r, values)
    total = [None, "Tổng cộng"]
    for op in ops:
        total += list(column_totals(fig["bts"][op]))
    end = top + 2 + len(report.areas)
    body_row(ws, end, total, bold=True)
    notes(ws, end + 2, note_lines(report.year, [
        "Ghi chú: Trạm BTS 3G (NodeB), 4G (eNodeB) tính theo số trạm thu phát sóng đang hoạt động."]))
    widths(ws, [6, 28] + [8] * (width - 2))


def sheet_revenue(wb, report: Report, fig: dict) -> None:
    """Sheet "Doanh thu": telecom service revenue, enterprises as rows (million đồng); one estimate marked "(*)"."""
    ws = wb.create_sheet("Doanh thu")
    top = title_block(ws, [(report.agency, False), (f"DOANH THU DỊCH VỤ VIỄN THÔNG NĂM {report.year}", True),
                           ("Đơn vị tính: triệu đồng", False)], 4)
    for c, text in enumerate(["STT", "Doanh nghiệp", "Doanh thu dịch vụ viễn thông", "Ghi chú"], start=1):
        header(ws, top, c, text)
    revenue = fig["telecom_revenue"]
    for r, (op, value) in enumerate(revenue.items()):
        mark = "(*)" if op == "Vietnamobile" else ""
        remark = "Số liệu do Tổng công ty cung cấp" if op in ("MobiFone", "Vietnamobile") else None
        body_row(ws, top + 1 + r, [r + 1, REVENUE_LABELS[op], cell_value(value, r % 2 == 0, 1, mark=mark), remark])
    body_row(ws, top + 1 + len(revenue), [None, "Tổng cộng", round(sum(revenue.values()), 1), None], bold=True)
    notes(ws, top + len(revenue) + 3, note_lines(report.year, [
        "Ghi chú: Doanh thu dịch vụ viễn thông theo báo cáo của doanh nghiệp, chưa bao gồm thuế GTGT."]))
    widths(ws, [6, 22, 20, 40])


def hidden_lookup_sheet(wb, report: Report, operators: list[str]) -> None:
    """Add the hidden "DM" sheet of lookup lists (not data)."""
    ws = wb.create_sheet("DM")
    ws["A1"], ws["B1"], ws["D1"] = f"Danh mục {report.area_word}", "Mã", "Danh mục doanh nghiệp"
    for i, area in enumerate(report.areas, start=2):
        ws.cell(row=i, column=1, value=_labels(report, "population")[area])
        ws.cell(row=i, column=2, value=int(area))
    for i, op in enumerate(operators, start=2):
        ws.cell(row=i, column=4, value=op)
    ws.sheet_state = "hidden"


def write_telecom(raw: Path, report: Report, fig: dict) -> Path:
    """Write ``{prefix}vien-thong-{Y}.xlsx``."""
    wb = new_workbook(report)
    for sheet in (sheet_mobile, sheet_fixed, sheet_bts, sheet_revenue):
        sheet(wb, report, fig)
    hidden_lookup_sheet(wb, report, [REVENUE_LABELS[op] for op in fig["telecom_revenue"]])
    return save_xlsx(wb, _path(raw, report, "vien-thong"))


# ---------------------------------------------------------------------------
# Viettel_BRDD (Excel 97)
# ---------------------------------------------------------------------------

def write_viettel_xls(raw: Path, report: Report, fig: dict) -> Path:
    """Write ``Viettel_BRDD[_{branch}]_{Y}.xls``, Viettel's mobile-broadband export by area."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("BRDD")
    borders = "borders: left thin, right thin, top thin, bottom thin"
    bold = xlwt.easyxf("font: name Times New Roman, bold on")
    title = xlwt.easyxf("font: name Times New Roman, bold on, height 260; align: horiz center")
    head = xlwt.easyxf(f"font: name Times New Roman, bold on; align: horiz center, vert center, wrap on; {borders}")
    cell = xlwt.easyxf(f"font: name Times New Roman; {borders}")
    number = xlwt.easyxf(f"font: name Times New Roman; {borders}", num_format_str="#,##0")
    total_style = xlwt.easyxf(f"font: name Times New Roman, bold on; {borders}", num_format_str="#,##0")
    plain = xlwt.easyxf("font: name Times New Roman, italic on")
    ws.write(0, 0, f"VIETTEL {report.place.upper()}", bold)
    ws.write_merge(1, 1, 0, 4, f"SỐ LIỆU THUÊ BAO BĂNG RỘNG DI ĐỘNG NĂM {report.year}", title)
    ws.write_merge(2, 2, 0, 4, "Đơn vị tính: thuê bao", plain)
    ws.write_merge(4, 5, 0, 0, "STT", head)
    ws.write_merge(4, 5, 1, 1, "Đơn vị", head)
    ws.write_merge(4, 4, 2, 3, "Thuê bao băng rộng di động", head)
    ws.write(5, 2, "3G", head)
    ws.write(5, 3, "4G", head)
    ws.write_merge(4, 5, 4, 4, "Tổng", head)
    data, labels = fig["mobile_broadband_viettel"]["Viettel"], _labels(report, "viettel")
    for r, area in enumerate(report.areas):
        g3, g4 = data[area]
        ws.write(6 + r, 0, r + 1, cell)
        ws.write(6 + r, 1, labels[area], cell)
        for c, v in enumerate((g3, g4, g3 + g4), start=2):
            value = cell_value(v, texty(r, c, 4))
            ws.write(6 + r, c, value, number if isinstance(value, int) else cell)
    g3, g4 = column_totals(data)
    row = 6 + len(report.areas)
    ws.write(row, 0, "", total_style)
    ws.write(row, 1, "Cộng", total_style)
    for c, v in enumerate((g3, g4, g3 + g4), start=2):
        ws.write(row, c, v, total_style)
    for i, text in enumerate(note_lines(report.year, ["Ghi chú: Thuê bao có phát sinh lưu lượng data trong tháng 12."])):
        if text:
            ws.write(row + 2 + i, 1, text, plain)
    for c, w in enumerate((6, 28, 14, 14, 14)):
        ws.col(c).width = w * 256
    buf = io.BytesIO()
    wb.save(buf)
    branch = f"_{report.viettel}" if report.viettel else ""
    path = raw / str(report.year) / f"Viettel_BRDD{branch}_{report.year}.xls"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


# ---------------------------------------------------------------------------
# buu-chinh, chinh-quyen-dien-tu, bao-cao-tong-hop-so, dan-so
# ---------------------------------------------------------------------------

def postal_name(key: str, report: Report) -> str:
    """Return how the report names a postal enterprise."""
    name = POSTAL_LABELS[key]
    return name.get(report.key, "VNPost") if isinstance(name, dict) else name


def write_postal(raw: Path, report: Report, fig: dict) -> Path:
    """Write ``{prefix}buu-chinh-{Y}.xlsx``: points, items and revenue (million đồng) by enterprise."""
    wb = new_workbook(report)
    ws = wb.create_sheet("Bưu chính")
    top = title_block(ws, [(report.agency, False), (f"BÁO CÁO SỐ LIỆU BƯU CHÍNH NĂM {report.year}", True)], 5)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Doanh nghiệp", rows=2)
    header(ws, top, 3, "Số điểm phục vụ (điểm)", rows=2)
    header(ws, top, 4, "Sản lượng (bưu gửi)", rows=2)
    header(ws, top, 5, "Doanh thu")
    header(ws, top + 1, 5, "(triệu đồng)")
    postal = fig["postal"]
    for r, (key, (points, items, revenue)) in enumerate(postal.items()):
        cells = [cell_value(points, texty(r, 0, 5)), cell_value(items, texty(r, 1, 5)),
                 cell_value(revenue, texty(r, 2, 5), decimals=1)]
        body_row(ws, top + 2 + r, [r + 1, postal_name(key, report), *cells])
    points, items, revenue = column_totals(postal)
    body_row(ws, top + 2 + len(postal), [None, "Cộng", points, vn_number(items), round(revenue, 1)], bold=True)
    notes(ws, top + len(postal) + 4, note_lines(report.year, [
        "Ghi chú: Doanh thu không bao gồm dịch vụ chuyển tiền và tiết kiệm bưu điện."]))
    widths(ws, [6, 30, 16, 18, 16])
    return save_xlsx(wb, _path(raw, report, "buu-chinh"))


EGOV_INDICATORS = (  # section, key, label, unit (the rows of data/raw's "Chỉ tiêu")
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


def services_by_definition(levels_by_agency: dict) -> dict:
    """Count each agency's services as Nghị định 42/2022/NĐ-CP does from 2022: (toàn trình, một phần).

    The figures are grown as levels (2, 3, 4), as the 2020 form counted them; toàn trình is the former level 4,
    một phần the former level 3 and a quarter of level 2 (the part that took applications online, illustrative).
    Level 2 ("cung cấp thông tin", information only) is no longer a level of online public services: not counted.
    """
    return {agency: (l4, l3 + l2 // 4) for agency, (l2, l3, l4) in levels_by_agency.items()}


def sheet_services(wb, report: Report, fig: dict) -> None:
    """Sheet "DVCTT": online public services by agency, toàn trình and một phần (Nghị định 42/2022/NĐ-CP)."""
    ws = wb.create_sheet("DVCTT")
    top = title_block(ws, [(report.agency, False),
                           (f"BÁO CÁO SỐ LƯỢNG DỊCH VỤ CÔNG TRỰC TUYẾN NĂM {report.year}", True),
                           ("Đơn vị tính: thủ tục", False)], 4)
    header(ws, top, 1, "STT", rows=2)
    header(ws, top, 2, "Cơ quan, đơn vị", rows=2)
    header(ws, top, 3, "Số dịch vụ công trực tuyến", cols=2)
    for j, kind in enumerate(("Toàn trình", "Một phần")):
        header(ws, top + 1, 3 + j, kind)
    services = services_by_definition(fig["egov_services"])
    for r, (agency, kinds) in enumerate(services.items()):
        label = agency + " (*)" if agency == "UBND cấp xã" else agency
        values = [cell_value(v, texty(r, j, 6), zero="-" if j == 1 else None) for j, v in enumerate(kinds)]
        body_row(ws, top + 2 + r, [r + 1, label, *values])
    full, partial = column_totals(services)
    body_row(ws, top + 2 + len(services), [None, "Tổng cộng", cell_value(full, False, mark="*"), vn_number(partial)],
             bold=True)
    extra = ["Ghi chú: Số liệu lấy từ Cổng dịch vụ công trực tuyến của tỉnh.",
             "(*) Thủ tục thuộc thẩm quyền UBND cấp xã, tính chung cho các xã, phường"
             + (", đặc khu." if report.year >= 2025 else ", thị trấn."),
             f"* Số liệu tính đến ngày 31/12/{report.year}."]
    notes(ws, top + len(services) + 4, [*extra, "", "Người lập biểu", "", "", "Nguyễn Văn A"])
    widths(ws, [6, 42, 12, 12])


def egov_indicator_cell(key: str, value):
    """Return an e-government indicator's cell as the office typed it ("70%", "05", "412.560")."""
    if key == "national_portal_share":
        return f"{value}%"
    if key == "national_portal_procedures":
        return f"{value:02d}"
    if key == "documents_exchanged":
        return vn_number(value)
    return value


def sheet_egov_indicators(wb, report: Report, fig: dict) -> None:
    """Sheet "Chỉ tiêu": province-level e-government indicators, one per row, sections without values."""
    ws = wb.create_sheet("Chỉ tiêu")
    top = title_block(ws, [(report.agency, False),
                           (f"MỘT SỐ CHỈ TIÊU CHÍNH QUYỀN ĐIỆN TỬ NĂM {report.year}", True)], 5)
    for c, text in enumerate(["STT", "Chỉ tiêu", "Đơn vị tính", f"Năm {report.year}", "Ghi chú"], start=1):
        header(ws, top, c, text)
    ind = fig["egov_indicators"]
    for r, (stt, key, label, unit) in enumerate(EGOV_INDICATORS):
        if key is None:
            body_row(ws, top + 1 + r, [stt, label, None, None, None], bold=True)
            continue
        remark = "Cấp tỉnh và cấp xã (từ 01/7/2025)" if key == "interconnection_levels" and report.year >= 2025 else None
        body_row(ws, top + 1 + r, [stt, label, unit, egov_indicator_cell(key, ind[key]), remark])
    notes(ws, top + len(EGOV_INDICATORS) + 2, note_lines(report.year, [
        "Ghi chú: Số liệu tổng hợp từ Cổng dịch vụ công và hệ thống quản lý văn bản của tỉnh."]))
    widths(ws, [6, 62, 12, 12, 40])


def write_egov(raw: Path, report: Report, fig: dict) -> Path:
    """Write ``{prefix}chinh-quyen-dien-tu-{Y}.xlsx``."""
    wb = new_workbook(report)
    sheet_services(wb, report, fig)
    sheet_egov_indicators(wb, report, fig)
    return save_xlsx(wb, _path(raw, report, "chinh-quyen-dien-tu"))


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


def write_department(raw: Path, report: Report, fig: dict) -> Path:
    """Write ``{prefix}bao-cao-tong-hop-so-{Y}.xlsx``: "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"."""
    wb = new_workbook(report)
    ws = wb.create_sheet("Tổng hợp")
    columns = ["TT", "Nội dung", "ĐVT", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"]
    top = title_block(ws, [(report.agency, False),
                           (f"BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM {report.year}", True)], len(columns))
    for c, text in enumerate(columns, start=1):
        header(ws, top, c, text)
    for r, (stt, key, label, unit) in enumerate(DEPARTMENT_ROWS):
        if key is None:
            body_row(ws, top + 1 + r, [stt, label, None, None, None, None], bold=True)
            continue
        plan, actual = fig["department"][key]
        ratio = None if not plan else vn_number(100 * actual / plan, 1)
        shown = (f"{actual}%" if key.startswith("coverage") else f"{actual:02d}") if r % 2 == 1 else actual
        body_row(ws, top + 1 + r, [stt, label, unit, plan, shown, ratio])
    notes(ws, top + len(DEPARTMENT_ROWS) + 2, note_lines(report.year, [
        "Ghi chú: Tỷ lệ (%) = Thực hiện / Kế hoạch x 100."]))
    widths(ws, [6, 52, 12, 14, 14, 14])
    return save_xlsx(wb, _path(raw, report, "bao-cao-tong-hop-so"))


def write_population(raw: Path, report: Report, fig: dict) -> Path:
    """Write ``{prefix}dan-so-{Y}.csv`` as Excel exports it: BOM, ";", CRLF, quoted Vietnamese numbers."""
    pop = {area: values[0] for area, values in fig["population"][""].items()}
    labels = _labels(report, "population")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"Dân số trung bình phân theo {report.area_word} năm {report.year}", "", ""])
    writer.writerow(["Đơn vị tính: người", "", ""])
    writer.writerow(["", "", ""])
    writer.writerow(["STT", "Huyện/thành phố" if report.year < 2025 else "Đơn vị hành chính", "Dân số"])
    lines = [buf.getvalue()]
    lines += [f'{i};{labels[area]};"{vn_number(pop[area])}"\r\n' for i, area in enumerate(report.areas, start=1)]
    lines.append(f';Toàn tỉnh;"{vn_number(sum(pop.values()))}"\r\n')
    lines.append(f"Nguồn: Thống kê tỉnh {report.place} (số liệu sơ bộ).;;\r\n")
    path = _path(raw, report, "dan-so", "csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\ufeff".encode() + "".join(lines).encode("utf-8"))
    return path


WRITERS = (write_telecom, write_viettel_xls, write_postal, write_egov, write_department, write_population)


def check() -> None:
    """Assert what the example promises: every area covered, every group's 2025 sum a growth of its 2024 sum.

    Raises:
        AssertionError: If a figure table breaks a promise.
    """
    kh, nt, merged = figures("khanh-hoa"), figures("ninh-thuan"), figures("merged")
    assert len(COMMUNES) == 65 and sum(g == "58" for _, _, g in COMMUNES) == 24
    for fig, areas in ((kh, KH_DISTRICTS), (nt, NT_DISTRICTS), (merged, [c for c, _, _ in COMMUNES])):
        for table in AREA_TABLES:
            assert all(tuple(rows) == tuple(areas) for rows in fig[table].values()), table
    for table in AREA_TABLES:
        for op in merged[table]:
            before, after = kh[table][op] | nt[table][op], merged[table][op]
            for group, districts in GROUPS.items():
                old = column_totals({d: before[d] for d in districts})
                new = column_totals({c: after[c] for c, _, g in COMMUNES if g == group})
                for o, n, growth in zip(old, new, GROWTH_2025[table], strict=True):
                    assert n == round(o * growth), (table, op, group)
    assert column_totals(nt["population"][""]) == (NT_2024_TARGETS["population"],)
    assert column_totals(kh["population"][""]) == (KH_POPULATION,)


def write_all(raw: Path = HERE / "raw") -> list[Path]:
    """Write every file of the example under `raw` (``raw/2024``, ``raw/2025``); return the paths."""
    check()
    paths = []
    for report in reports():
        fig = figures(report.key)
        paths += [write(Path(raw), report, fig) for write in WRITERS]
    return paths


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "raw"):
        print(written)
