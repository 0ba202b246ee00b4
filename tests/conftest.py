"""Shared test helpers: real workbooks built in tmp_path, raw-folder snapshots, the CLI in a subprocess."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED_RAW = REPO / "data" / "raw"

# The seven districts of Ninh Thuận in the spellings met in the bundled workbooks,
# with 2020 fixed-telephone subscribers of VNPT and Viettel (data/raw/generate.py).
DISTRICT_TABLE_ROWS = (
    ("Tp PR-TC", 4865, 1141),
    ("H. Bác Ái", 246, 0),
    ("Ninh Son", 1190, 253),
    ("NINH HẢI", 1379, 324),
    ("Huyện Ninh Phước", 2323, 495),
    ("Thuận Bắc", 590, 126),
    ("H.Thuận Nam", 1139, 268),
)
DISTRICT_TABLE_SHEET = "TB cố định - Internet"


def write_district_table(
    path: Path,
    cells: dict[str, object] | None = None,
    *,
    sheet: str = DISTRICT_TABLE_SHEET,
    unit: str = "thuê bao",
    operators: tuple[str, str] = ("VNPT", "Viettel"),
    total: bool = True,
) -> Path:
    """Write a minimal valid district × enterprise table shaped like 'TB cố định - Internet'.

    Rows 1–3: sender, title, "Đơn vị tính: <unit>"; rows 5–6: header (STT and "Địa bàn"
    merged over both rows, "Điện thoại cố định" merged over C5:D5, enterprises in C6:D6);
    rows 7–13: the seven districts; row 14: "Cộng" with the exact sums (C14, D14); then a
    note and a signature. `cells` then overrides single cells by A1 name (None empties one),
    the way a test breaks one thing.
    """
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws["A1"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG NINH THUẬN"
    ws["A2"] = "BÁO CÁO THUÊ BAO ĐIỆN THOẠI CỐ ĐỊNH NĂM 2020"
    ws.merge_cells("A2:D2")
    ws["A3"] = f"Đơn vị tính: {unit}"
    ws["A5"], ws["B5"], ws["C5"] = "STT", "Địa bàn", "Điện thoại cố định"
    ws.merge_cells("A5:A6")
    ws.merge_cells("B5:B6")
    ws.merge_cells("C5:D5")
    ws["C6"], ws["D6"] = operators
    for i, (label, vnpt, viettel) in enumerate(DISTRICT_TABLE_ROWS):
        for col, value in enumerate((i + 1, label, vnpt, viettel), start=1):
            ws.cell(row=7 + i, column=col, value=value)
    if total:
        ws["B14"] = "Cộng"
        ws["C14"] = sum(r[1] for r in DISTRICT_TABLE_ROWS)
        ws["D14"] = sum(r[2] for r in DISTRICT_TABLE_ROWS)
    ws["B16"] = "Ghi chú: số liệu do doanh nghiệp báo cáo."
    ws["B18"] = "Người lập biểu"
    for name, value in (cells or {}).items():
        ws[name] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


_ODS_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                 'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                 'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                 'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')  # fmt: skip
_CALCEXT = 'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '


def ods_package(path: Path, rows: str, table: str = 'table:name="S"', *, manifest: bool = True) -> Path:
    """Write an .ods by hand whose one table (with the attributes `table`) holds `rows` (table:table-row elements).

    The way to write what odfpy would not: repeated rows and cells, covered cells, calcext value types,
    damaged or hostile content. Without `manifest`, the package has no META-INF/manifest.xml.
    """
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
               'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               f'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" {_CALCEXT}office:version="1.2">'
               f"<office:body><office:spreadsheet><table:table {table}>{rows}</table:table></office:spreadsheet>"
               "</office:body></office:document-content>")  # fmt: skip
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        if manifest:
            archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def row_index(table, **key) -> object:
    """Return the index label of the one row of a tidy `table` matching `key` (column=value); fail otherwise."""
    import pandas as pd

    mask = pd.Series(True, index=table.index)
    for column, value in key.items():
        mask &= table[column] == value
    assert mask.sum() == 1, f"{key} matches {mask.sum()} rows"
    return table.index[mask][0]


def write_rows(path: Path, sheets: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> Path:
    """Write an .xlsx with one sheet per entry, its rows appended in order and the ranges given merged."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(name, ()):
            sheet.merge_cells(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def xls_bytes() -> bytes:
    """Return what xlwt writes for a sheet 'TB' holding 'Địa bàn' in A1: an .xls to break in tests.

    Its sectors: 0 to 7 the workbook stream, 8 the FAT, 9 the directory.
    """
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("TB").write(0, 0, "Địa bàn")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def district_table() -> Callable[..., Path]:
    """Return the factory that writes a minimal valid district table (see write_district_table)."""
    return write_district_table


@pytest.fixture
def raw_2020(tmp_path: Path) -> Path:
    """Return an empty raw folder `<tmp>/raw` that already holds the year folder 2020/."""
    (tmp_path / "raw" / "2020").mkdir(parents=True)
    return tmp_path / "raw"


@pytest.fixture
def bundled_raw_copy(tmp_path: Path) -> Path:
    """Return a copy of the bundled data/raw (year folders only) in `<tmp>/raw`."""
    target = tmp_path / "raw"
    for year in sorted(p for p in BUNDLED_RAW.iterdir() if p.is_dir() and p.name.isdigit()):
        shutil.copytree(year, target / year.name)
    return target


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Return {relative path: (sha256, mtime_ns)} of every file under `folder`."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _assert_nothing_written(out: Path) -> None:
    """Assert that `out` holds no tidy table and no temporary file (it may not exist at all)."""
    if out.exists():
        left = sorted(p.name for p in out.iterdir())
        assert left == [], f"left in {out}: {left}"


def _run_cli(*args: str | os.PathLike, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ictanalysis", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )


@pytest.fixture
def tree_snapshot() -> Callable[[Path], dict[str, tuple[str, int]]]:
    """Return a function giving {relative path: (sha256, mtime_ns)} of every file under a folder."""
    return _snapshot


@pytest.fixture
def assert_nothing_written() -> Callable[[Path], None]:
    """Return a check that an output folder holds no tidy table and no temporary file (or does not exist)."""
    return _assert_nothing_written


@pytest.fixture
def ictanalysis_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Return a function running `python -m ictanalysis ARGS` in a subprocess, in tmp_path."""

    def run(*args: str | os.PathLike) -> subprocess.CompletedProcess:
        return _run_cli(*args, cwd=tmp_path)

    return run


# --- the bundled data and a third year -------------------------------------------------------


def load_sample_generator():
    """Import data/raw/generate.py (not a package module) as `sample_generator`."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_generator", BUNDLED_RAW / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sample_generator():
    """The sample-workbook generator, for building other years."""
    return load_sample_generator()


@pytest.fixture(scope="session")
def table():
    """The tidy table of the bundled 2019/2020 workbooks (shared: do not modify it in a test)."""
    from ictanalysis.ingest import clean

    return clean(BUNDLED_RAW, out_dir=None).table


@pytest.fixture(scope="session")
def cmp(table):
    """The bundled 2020 compared with 2019."""
    from ictanalysis.compare import compare

    return compare(table, 2020, 2019)


@pytest.fixture(scope="session")
def third_year_table(tmp_path_factory, sample_generator):
    """The tidy table of 2020 and 2021, both written by the generator (any pair of years works)."""
    from ictanalysis.ingest import clean

    raw = tmp_path_factory.mktemp("third-year") / "raw"
    sample_generator.write_all(raw, years=(2020, 2021))
    return clean(raw, out_dir=None).table


# --- expensive outputs built once per test run -----------------------------------------------

BUILD_WAIT_S = 900


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """Run `build(folder)` once per test run and return the folder, even across xdist workers.

    Under xdist the workers share the parent of their base temporary folders; the
    first worker to create `<shared>/<name>` builds there, the others wait for its
    `.done` (or `.failed`) marker. Without xdist this is simply a fresh folder.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / name
    done, failed = folder / ".done", folder / ".failed"
    try:
        folder.mkdir()
    except FileExistsError:
        deadline = time.monotonic() + BUILD_WAIT_S
        while not (done.exists() or failed.exists()):
            if time.monotonic() > deadline:
                pytest.fail(f"another worker has been building {folder} for more than {BUILD_WAIT_S} s")
            time.sleep(0.5)
        if failed.exists():
            pytest.fail(f"building {folder} failed in another worker: {failed.read_text(encoding='utf-8')}")
        return folder
    try:
        build(folder)
    except BaseException as exc:
        failed.write_text(f"{type(exc).__name__}: {exc}", encoding="utf-8")
        raise
    done.write_text("", encoding="utf-8")
    return folder
