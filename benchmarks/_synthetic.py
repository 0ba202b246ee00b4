"""A synthetic province: a catalog with thousands of districts and one huge, messy workbook.

The workbook has the shape of the department's sheet "TB di động" (see
``data/raw/generate.py``, ``sheet_mobile``): a title block, an "Đơn vị tính:
thuê bao" line, a three-row merged header (STT | Đơn vị hành chính | "Thuê
bao di động (thuê bao)" over enterprises over "Trả trước", "Trả sau", "Tổng
số"), one row per district, a "Tổng cộng" row equal to the sum of the rows,
and notes under the table. It is messy the way the real ones are: half the
numbers are Vietnamese-format text ("1.234.567"), zeros are "-", "–" or blank,
some cells and labels carry footnote marks, and district names come as
"Huyện X", "H. X", "HUYỆN X", bare "X", padded, or in decomposed Unicode.

Everything is deterministic for a given number of districts. The districts
belong to the synthetic province ``99`` (codes ``D00001``…), listed in an
``areas.yaml`` written beside copies of the bundled catalog's other files.
"""

from __future__ import annotations

import json
import random
import shutil
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["PROVINCE", "YEAR", "Manifest", "build", "used_range_rows"]

PROVINCE = "99"
YEAR = 2021
SHEET = "TB di động"
OPERATORS = {"VNPT": "VNPT (VinaPhone)", "Viettel": "Viettel", "MobiFone": "MobiFone", "Vietnamobile": "Vietnamobile"}
SUBCOLUMNS = ("Trả trước", "Trả sau", "Tổng số")
INDICATORS = ("mobile_prepaid_subscribers", "mobile_postpaid_subscribers", "mobile_subscribers")
WIDTH = 2 + len(OPERATORS) * len(SUBCOLUMNS)
TITLE_ROWS = 4  # sender, title, unit line, blank
HEADER_ROWS = 3
NOTES = (
    "Ghi chú: Thuê bao đang hoạt động hai chiều và bị khóa một chiều, theo báo cáo của doanh nghiệp.",
    f"(*) Số liệu ước tính đến 31/12/{YEAR}",
    "",
    "Người lập biểu",
    "",
    "",
    "Nguyễn Văn A",
)


@dataclass(frozen=True)
class Manifest:
    """What was generated, so that a run can be checked against it.

    Attributes:
        root: The temporary folder holding ``raw/``, ``catalog/`` and ``out/``.
        districts: Number of district rows.
        rows: Rows of the data sheet's used range.
        columns: Columns of the data sheet's used range.
        columns_read: Per value column: (indicator, operator) in sheet order.
        totals: Per value column: the sum of its district values (= the total row).
        weighted: Per value column: the sum of district number × value, which
            catches values read into the wrong district.
    """

    root: str
    districts: int
    rows: int
    columns: int
    columns_read: list[tuple[str, str]]
    totals: list[float]
    weighted: list[float]

    @property
    def cells(self) -> int:
        """Return the number of cells in the used range of the data sheet."""
        return self.rows * self.columns

    @property
    def workbook(self) -> Path:
        """Return the generated workbook's path."""
        return Path(self.root) / "raw" / str(YEAR) / "big.xlsx"

    @property
    def expected_values(self) -> int:
        """Return how many values a correct clean reads: every district and the total row."""
        return (self.districts + 1) * len(self.columns_read)

    def save(self) -> Path:
        """Write the manifest as ``manifest.json`` in `root` and return its path."""
        path = Path(self.root) / "manifest.json"
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")
        return path

    @classmethod
    def load(cls, root: Path) -> Manifest:
        """Read the manifest saved in `root`."""
        data = json.loads((Path(root) / "manifest.json").read_text(encoding="utf-8"))
        data["columns_read"] = [tuple(pair) for pair in data["columns_read"]]
        return cls(**data)


def used_range_rows(districts: int) -> int:
    """Return the rows of the data sheet's used range for `districts` district rows.

    Example:
        >>> used_range_rows(10) * WIDTH
        364
    """
    return TITLE_ROWS + HEADER_ROWS + districts + 1 + 1 + len(NOTES)


def build(root: Path, districts: int, *, catalog_source: Path) -> Manifest:
    """Write ``root/catalog/`` and ``root/raw/<YEAR>/big.xlsx`` and return their manifest.

    Args:
        root: An empty temporary folder.
        districts: Number of synthetic districts, one table row each.
        catalog_source: The bundled catalog folder; all its YAML files but
            ``areas.yaml`` are copied.
    """
    write_catalog(root / "catalog", districts, catalog_source)
    figures = district_figures(districts)
    manifest = write_workbook(root, figures)
    manifest.save()
    return manifest


# --- the catalog ------------------------------------------------------------------------


def write_catalog(directory: Path, districts: int, source: Path) -> None:
    """Copy the bundled catalog into `directory`, replacing its areas by the synthetic province."""
    directory.mkdir(parents=True)
    for path in sorted(source.glob("*.yaml")):
        if path.name != "areas.yaml":
            shutil.copyfile(path, directory / path.name)
    (directory / "areas.yaml").write_text(areas_yaml(districts), encoding="utf-8")


def areas_yaml(districts: int) -> str:
    """Return an ``areas.yaml`` (schema of ``ictanalysis/catalog/areas.yaml``) for province 99.

    Example:
        >>> print(areas_yaml(1).splitlines()[14])
          name: Thử Nghiệm 1
    """
    entries = ["# Synthetic gazetteer written by benchmarks/_synthetic.py.\nareas:\n",
               _area(PROVINCE, "province", "Thử Nghiệm", "Tỉnh Thử Nghiệm", "Thu Nghiem", "null", "tỉnh")]
    for i in range(1, districts + 1):
        entries.append(_area(district_code(i), "district", f"Thử Nghiệm {i}", f"Huyện Thử Nghiệm {i}",
                             f"Thu Nghiem {i}", f"'{PROVINCE}'", "huyện"))  # fmt: skip
    return "".join(entries)


def _area(code: str, level: str, name: str, full_name: str, name_en: str, parent: str, kind: str) -> str:
    return (f"- code: '{code}'\n  level: {level}\n  name: {name}\n  full_name: {full_name}\n  name_en: {name_en}\n"
            f"  parent: {parent}\n  kind: {kind}\n  valid_from: null\n  valid_to: null\n  spellings: []\n")  # fmt: skip


def district_code(i: int) -> str:
    """Return the code of synthetic district number `i` (from 1).

    Example:
        >>> district_code(12)
        'D00012'
    """
    return f"D{i:05d}"


def district_label(i: int) -> str:
    """Return district `i`'s name as a messy workbook would spell it.

    Example:
        >>> [district_label(i) for i in (1, 2, 5, 7, 13)]
        ['Huyện Thử Nghiệm 1', 'H. Thử Nghiệm 2', 'Thử Nghiệm 5', 'HUYỆN THỬ NGHIỆM 7', 'H.Thử Nghiệm 13 (*)']
        >>> district_label(3) == unicodedata.normalize("NFD", "Huyện Thử Nghiệm 3")
        True
    """
    name = f"Thử Nghiệm {i}"
    if i % 50 == 13:
        return f"H.{name} (*)"
    variants = {2: f"H. {name}", 5: name, 7: f"HUYỆN {name.upper()}", 9: f"  Huyện  {name} "}
    label = variants.get(i % 10, f"Huyện {name}")
    return unicodedata.normalize("NFD", label) if i % 10 == 3 else label


# --- the figures and the workbook -------------------------------------------------------


def district_figures(districts: int, seed: int = YEAR) -> list[list[int]]:
    """Return each district's values in sheet column order (prepaid, postpaid, total per enterprise)."""
    rng = random.Random(seed)
    scale = {"VNPT": 40_000, "Viettel": 90_000, "MobiFone": 35_000, "Vietnamobile": 2_500}
    rows = []
    for _ in range(districts):
        values = []
        for operator, size in scale.items():
            prepaid = rng.randint(0, size)
            postpaid = 0 if operator == "Vietnamobile" and rng.random() < 0.2 else rng.randint(0, size // 10)
            values += [prepaid, postpaid, prepaid + postpaid]
        rows.append(values)
    return rows


def vn_number(value: int) -> str:
    """Format an integer the Vietnamese way.

    Example:
        >>> vn_number(1234567)
        '1.234.567'
    """
    return f"{value:,}".replace(",", ".")


def cell_value(value: int, row: int, col: int):
    """Return what the messy workbook stores for `value` at table row `row`, value column `col`.

    About half the cells are text; zeros are "-", "–" or blank; a few numbers
    carry a footnote mark or stray spaces.

    Example:
        >>> cell_value(1234, 0, 0), cell_value(1234, 0, 2), cell_value(0, 0, 0), cell_value(0, 1, 0)
        ('1.234', 1234, '-', '–')
    """
    if value == 0:
        return ("-", "–", None)[(row + col) % 3]
    if row % 997 == 5 and col == 1:
        return vn_number(value) + "*"
    if row % 991 == 7 and col == 4:
        return f"{vn_number(value)} (*)"
    if (row * 3 + col + 1) % 4 < 2:
        return f" {vn_number(value)} " if row % 1009 == 11 else vn_number(value)
    return value


def write_workbook(root: Path, figures: list[list[int]]) -> Manifest:
    """Write the messy workbook with openpyxl's write-only mode and return its manifest."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = root / "raw" / str(YEAR) / "big.xlsx"
    path.parent.mkdir(parents=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    last = get_column_letter(WIDTH)
    for text in ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH THỬ NGHIỆM", f"BÁO CÁO SỐ LIỆU THUÊ BAO DI ĐỘNG NĂM {YEAR}",
                 "Đơn vị tính: thuê bao", None):  # fmt: skip
        sheet.append([text])
    _write_header(sheet, TITLE_ROWS + 1, last)
    for row in ("A2:{0}2", "A3:{0}3"):
        sheet.merged_cells.add(row.format(last))
    for r, values in enumerate(figures):
        sheet.append([r + 1, district_label(r + 1), *(cell_value(v, r, c) for c, v in enumerate(values))])
    totals = [sum(column) for column in zip(*figures, strict=True)]
    sheet.append([None, "Tổng cộng", *totals])
    sheet.append([])
    for note in NOTES:
        sheet.append([None, note or None])
    book.save(path)
    weighted = [sum((i + 1) * v for i, v in enumerate(column)) for column in zip(*figures, strict=True)]
    columns_read = [(indicator, operator) for operator in OPERATORS for indicator in INDICATORS]
    return Manifest(str(root), len(figures), used_range_rows(len(figures)), WIDTH, columns_read,
                    [float(t) for t in totals], [float(w) for w in weighted])  # fmt: skip


def _write_header(sheet, top: int, last: str) -> None:
    """Append the three header rows starting at 1-based row `top` and merge their cells."""
    from openpyxl.utils import get_column_letter

    operators = []
    for header in OPERATORS.values():
        operators += [header, None, None]
    sheet.append(["STT", "Đơn vị hành chính", "Thuê bao di động (thuê bao)"])
    sheet.append([None, None, *operators])
    sheet.append([None, None, *SUBCOLUMNS * len(OPERATORS)])
    merged = [f"A{top}:A{top + 2}", f"B{top}:B{top + 2}", f"C{top}:{last}{top}"]
    for k in range(len(OPERATORS)):
        first, end = 3 + k * len(SUBCOLUMNS), 2 + (k + 1) * len(SUBCOLUMNS)
        merged.append(f"{get_column_letter(first)}{top + 1}:{get_column_letter(end)}{top + 1}")
    for cells in merged:
        sheet.merged_cells.add(cells)

