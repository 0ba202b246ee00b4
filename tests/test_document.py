"""The official document: a PDF to print, sign and file, and an editable .docx, laid out as Nghị định 30/2020/NĐ-CP asks.

The bundled workbooks are cleaned and gated once per run (``conftest.build_once``),
and the document is built from them: with the bundled example's settings and
two chart files in the report folder, with the settings of a ``[document]``
table, in English, for a pair of two years that only the statistics office's
yearbook holds, and once more with a PDF that fails to typeset.
The tests read the files back as a reader's tools do: pypdf for the PDF's pages,
fonts and text, python-docx for the draft, pypdfium2 to draw page 1 to a PNG.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import unicodedata
import zlib
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import build_once
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Mm

from ictanalysis.document import DocumentSettings, build_document, document_files, load_document_settings
from ictanalysis.errors import ReportError, UsageError
from ictanalysis.ingest import clean
from ictanalysis.validate import gate

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PAGE_PNG = REPO / "reports" / "document-page1.png"
A4_PT = (595.28, 841.89)
MAX_PAGES = 10  # six for the bundled pair: 3½ pages of figures and sentences, the signature, a page of notes
SETTINGS = """\
[document]
governing_body = "UBND tỉnh Khánh Hòa"
agency = "Sở Khoa học và Công nghệ"
agency_abbreviation = "SKHCN"
number = "150"
place = "Khánh Hòa"
date = 2025-12-15
signer_authority = ["KT. GIÁM ĐỐC"]
signer_title = "Phó Giám đốc"
signer_name = "Nguyễn Văn An"
recipients = ["Bộ Khoa học và Công nghệ (b/c);", "Lưu: VT, BCVT."]
assessment = \"\"\"Các chỉ tiêu chủ yếu đều tăng so với năm trước.

Thuê bao cố định tiếp tục giảm.\"\"\"
tasks = "Tiếp tục phát triển hạ tầng số."
"""


# --- built once per run: the table, the gate, and the document in its variants --------------------------------


def _png(width: int, height: int) -> bytes:
    """Return a plain PNG image of `width` × `height` pixels (a chart file as the report stage leaves it)."""
    rows = b"".join(b"\x00" + bytes((40, 110, 90)) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240" viewBox="0 0 600 240">'
        '<rect x="20" y="20" width="400" height="60" fill="#2b6cb0"/><rect x="20" y="120" width="250" height="60" '
        'fill="#c53030"/></svg>')  # fmt: skip


def _build(folder: Path) -> None:
    clean(REPO / "data" / "raw", out_dir=folder / "processed")
    data = folder / "processed" / "indicators.parquet"
    gate(data, folder / "reports", year=2020, compare_year=2019)
    quality = folder / "reports" / "2020" / "quality" / "2020-vs-2019.json"
    example = folder / "reports" / "2020"
    (example / "charts").mkdir()
    (example / "charts" / "headline_change.png").write_bytes(_png(900, 500))
    (example / "charts" / "mobile_share.svg").write_text(_SVG, encoding="utf-8")
    build_document(2020, 2019, data=data, quality=quality, out_dir=example)
    (folder / "ictanalysis.toml").write_text(SETTINGS, encoding="utf-8")
    settings = load_document_settings(folder / "ictanalysis.toml")
    build_document(2020, 2019, data=data, quality=quality, out_dir=folder / "set", document=settings)
    build_document(2020, 2019, data=data, quality=None, out_dir=folder / "en", language="en")
    build_document(2018, 2017, data=data, quality=None, out_dir=folder / "yearbook")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the table, the gate and the documents once per run, even across xdist workers."""
    return build_once(tmp_path_factory, "document", _build)


def _files(built: Path, variant: str, year: int = 2020) -> tuple[Path, Path]:
    return document_files(built / ("reports/2020" if variant == "example" else variant), year)


@pytest.fixture(scope="module")
def pdf(built: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(_files(built, "example")[0])


@pytest.fixture(scope="module")
def word(built: Path) -> docx.document.Document:
    return docx.Document(str(_files(built, "example")[1]))


def _text(reader: pypdf.PdfReader) -> str:
    """Return the PDF's text in NFC with its runs of spaces as one."""
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \t\u00a0]+", " ", unicodedata.normalize("NFC", text))


def _docx_text(document) -> str:
    paragraphs = [p.text for p in document.paragraphs]
    cells = [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return re.sub(r"[ \t\u00a0]+", " ", unicodedata.normalize("NFC", "\n".join(paragraphs + cells)))


# --- the PDF ------------------------------------------------------------------------------------------------------


def test_the_files_are_named_for_the_year_in_the_report_folder(built):
    pdf_path, docx_path = _files(built, "example")
    assert (pdf_path.name, docx_path.name) == ("bao-cao-2020.pdf", "bao-cao-2020.docx")
    assert pdf_path.read_bytes()[:5] == b"%PDF-" and docx_path.read_bytes()[:2] == b"PK"
    assert [p.name for p in pdf_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_every_page_is_a4_portrait(pdf):
    sizes = {(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in pdf.pages}
    assert all(abs(w - A4_PT[0]) <= 1 and abs(h - A4_PT[1]) <= 1 for w, h in sizes), sizes


def test_the_page_count_is_that_of_a_short_report(pdf):
    assert 3 <= len(pdf.pages) <= MAX_PAGES, len(pdf.pages)
    signed = [n for n, page in enumerate(pdf.pages) if "Nơi nhận:" in _text_of(page)]
    assert len(signed) == 1 and "Trên đây là báo cáo" in _text_of(pdf.pages[signed[0]])
    assert "PHỤ LỤC" in _text_of(pdf.pages[signed[0] + 1])  # the appendix starts a page of its own


def _fonts(reader: pypdf.PdfReader) -> dict[str, set[str]]:
    """Return each font of the PDF by name, with the keys of its descriptor that hold a font file."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"])] = {k for k in descriptor if k in ("/FontFile", "/FontFile2", "/FontFile3")}
    return found


def test_every_font_is_embedded_and_is_the_packaged_liberation_serif(pdf):
    fonts = _fonts(pdf)
    assert fonts and all(files for files in fonts.values()), fonts
    assert {name.split("+")[-1] for name in fonts} <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                                                      "LiberationSerif-BoldItalic"}, fonts  # fmt: skip


def test_the_pdf_is_archival_pdf_a_2b_with_the_document_s_title_and_agency(built, pdf):
    raw = _files(built, "example")[0].read_bytes()
    assert b"<pdfaid:part>2</pdfaid:part>" in raw and b"<pdfaid:conformance>B</pdfaid:conformance>" in raw
    assert pdf.metadata.title.startswith("Kết quả thống kê số liệu") and pdf.metadata.author == "Sở Thông tin và Truyền thông"


def test_the_text_holds_the_header_blocks_and_the_headline_figures_with_their_diacritics(pdf):
    text = _text(pdf)
    for expected in ("UBND TỈNH NINH THUẬN", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "Số: /BC-STTTT",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Ninh Thuận, ngày tháng năm 2020",
                     "BÁO CÁO", "Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "DỰ THẢO",
                     "Bảng 1. Một số chỉ tiêu chủ yếu năm 2020 so với năm 2019", "Năm 2019 Năm 2020"):  # fmt: skip
        assert unicodedata.normalize("NFC", expected) in text, expected
    # The headline table's rows as the report prints them: 2019, 2020, the change; money in tỷ đồng as in the text.
    for row in ("Dịch vụ công trực tuyến mức độ 4 thủ tục 74 555 +650,0 %",
                "Thuê bao điện thoại di động thuê bao 655.519 669.065 +2,1 %",
                "Doanh thu dịch vụ viễn thông tỷ đồng 1.049,9 1.120,9 +6,8 %"):  # fmt: skip
        assert row in text, row
    assert "1.120,9 tỷ đồng" in text  # the sentence, in the same unit


def test_page_one_has_no_number_and_page_two_has_its_number_centred_at_the_top(pdf):
    def top_texts(page) -> list[tuple[str, float]]:
        found = []

        def visit(text, cm, tm, font, size):
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if text.strip() and y > A4_PT[1] - 20 * 72 / 25.4:  # in the top margin
                found.append((text.strip(), x))

        page.extract_text(visitor_text=visit)
        return found

    assert [t for t, _ in top_texts(pdf.pages[0])] == ["DỰ THẢO"]
    ((number, x),) = top_texts(pdf.pages[1])
    centre = (30 + (210 - 30 - 15) / 2) * 72 / 25.4
    assert number == "2" and abs(x + 3.5 - centre) < 6, (number, x, centre)


def test_the_charts_in_the_report_folder_are_shown_with_captions_and_a_missing_one_is_left_out(pdf):
    images = [obj.get_object() for page in pdf.pages for obj in page["/Resources"].get("/XObject", {}).values()]
    assert [(i["/Subtype"], i["/Width"]) for i in images if i.get("/Subtype") == "/Image"] == [("/Image", 900)]  # the PNG
    text = _text(pdf)
    assert "Hình 1. Tăng/giảm so với năm trước (%)" in text and "Hình 2. Thị phần thuê bao di động" in text
    assert "Hình 3" not in text  # level4_by_agency has no file in the folder


def test_page_one_drawn_to_a_png_to_look_at(built):
    import pypdfium2

    document = pypdfium2.PdfDocument(_files(built, "example")[0])
    try:
        bitmap = document[0].render(scale=2, rev_byteorder=True)
        png = _bitmap_png(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels)
    finally:
        document.close()
    PAGE_PNG.parent.mkdir(exist_ok=True)
    PAGE_PNG.write_bytes(png)
    width, height = struct.unpack(">II", png[16:24])
    assert abs(height / width - A4_PT[1] / A4_PT[0]) < 0.01


def _bitmap_png(buffer, width: int, height: int, stride: int, channels: int) -> bytes:
    raw = bytes(buffer)
    rows = b"".join(b"\x00" + raw[y * stride : y * stride + width * channels] for y in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, {3: 2, 4: 6}[channels], 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


# --- the .docx ----------------------------------------------------------------------------------------------------


def test_the_docx_is_a4_with_the_decree_s_margins_and_times_new_roman(word):
    (section,) = word.sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)]
    assert margins == [20, 20, 30, 15]
    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    assert section.different_first_page_header_footer
    assert 'instr="PAGE"' in section.header._element.xml.replace("w:instr", "instr")


def test_the_docx_holds_the_header_blocks_the_title_and_the_headings(word):
    header = word.tables[0]
    left, right = (cell.text for cell in header.rows[0].cells)
    assert "UBND TỈNH NINH THUẬN" in left and "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" in left and "Số:       /BC-STTTT" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert "ngày      tháng      năm 2020" in right
    assert "tblBorders" not in header._tbl.xml and header.style.name == "Normal Table"  # no borders
    texts = [p.text for p in word.paragraphs]
    assert "BÁO CÁO" in texts
    parts = [p.text.split(".")[0] for p in word.paragraphs if p.style.name == "Heading 1"]
    assert parts == ["I", "II", "III", "IV", "V"]
    sectors = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert sectors[:2] == ["1. Bưu chính", "2. Viễn thông và Internet"]


def test_the_docx_headline_table_has_real_years_as_headings_and_the_report_s_figures(word):
    (table,) = [t for t in word.tables if t.rows[0].cells[0].text == "TT"]
    assert [c.text for c in table.rows[0].cells] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Năm 2019", "Năm 2020", "Tăng, giảm"]
    rows = {row.cells[1].text: [c.text for c in row.cells[2:]] for row in table.rows[1:]}
    assert rows["Thuê bao điện thoại di động"] == ["thuê bao", "655.519", "669.065", "+2,1\u00a0%"]  # no-break spaces
    assert rows["Tỷ lệ vùng phủ sóng 4G khu vực có dân cư"] == ["%", "98,5", "100,0", "+1,5\u00a0điểm\u00a0%"]
    assert rows["Doanh thu bưu chính"][0] == "tỷ đồng"
    assert "<w:tblHeader/>" in table.rows[0]._tr.xml


def test_the_docx_marks_the_places_to_fill_in_as_highlighted_runs_found_whole(word):
    marked = [r.text for p in word.paragraphs for r in p.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert any(t.startswith("[Đánh giá của Sở:") for t in marked), marked
    assert "[Nhiệm vụ năm 2021: …]" in marked
    signature = word.tables[-1]
    assert "Nơi nhận:" in signature.rows[0].cells[0].text and "- Lưu: VT." in signature.rows[0].cells[0].text
    names = [r for p in signature.rows[0].cells[1].paragraphs for r in p.runs if r.text == "[Họ và tên người ký]"]
    assert names and names[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_no_sentence_is_said_twice(word):
    body = [p.text for p in word.paragraphs if p.style.name == "Normal" and len(p.text) > 40]
    assert len(body) > 20
    assert [t for t in body if body.count(t) > 1] == []


def test_the_docx_shows_the_same_charts_with_their_captions(word):
    assert len(word.inline_shapes) == 2
    assert all(shape.width <= Mm(136) for shape in word.inline_shapes)
    captions = [p.text for p in word.paragraphs if p.text.startswith("Hình ")]
    assert captions == ["Hình 1. Tăng/giảm so với năm trước (%)", "Hình 2. Thị phần thuê bao di động"]


# --- settings, languages, failures ----------------------------------------------------------------------------------


def test_the_document_table_sets_the_agency_the_number_and_the_signer_in_both_files(built):
    pdf_path, docx_path = _files(built, "set")
    for text in (_text(pypdf.PdfReader(pdf_path)), _docx_text(docx.Document(str(docx_path)))):
        for expected in ("UBND TỈNH KHÁNH HÒA", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 150/BC-SKHCN",
                         "Khánh Hòa, ngày 15 tháng 12 năm 2025", "Nguyễn Văn An", "- Lưu: VT, BCVT.",
                         "Thuê bao cố định tiếp tục giảm.", "Tiếp tục phát triển hạ tầng số."):  # fmt: skip
            assert expected in text, expected
        assert "DỰ THẢO" not in text and "[Đánh giá của Sở" not in text and "Sở Thông tin và Truyền thông" not in text


def test_settings_read_from_the_file_and_the_defaults_of_the_example(tmp_path):
    path = tmp_path / "ictanalysis.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    settings = load_document_settings(path)
    assert settings.symbol == "150/BC-SKHCN" and settings.date == dt.date(2025, 12, 15)
    assert settings.recipients == ("Bộ Khoa học và Công nghệ (b/c);", "Lưu: VT, BCVT.")
    path.write_text('province = "58"\n', encoding="utf-8")
    assert load_document_settings(path) == DocumentSettings()
    assert DocumentSettings().symbol == "      /BC-STTTT"  # a draft's number is the clerk's to write


@pytest.mark.parametrize(("line", "key"), [
    ("number = 150", "number"),
    ('signer_authority = "KT. GIÁM ĐỐC"', "signer_authority"),
    ('recipients = ["Lưu: VT.", 2]', "recipients"),
    ('date = "2020-11-13"', "date"),
    ("date = 2020-11-13T08:00:00", "date"),
    ('signer = "Nguyễn Văn An"', "signer"),
])  # fmt: skip
def test_a_wrong_value_in_the_document_table_is_a_usage_error_naming_the_key(tmp_path, line, key):
    path = tmp_path / "ictanalysis.toml"
    path.write_text(f"[document]\n{line}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=rf"\[document\] (unknown key '{key}'|{key} = )") as caught:
        load_document_settings(path)
    assert str(path) in str(caught.value)


def test_a_document_that_is_not_a_table_or_a_file_that_is_not_toml_is_a_usage_error(tmp_path):
    path = tmp_path / "ictanalysis.toml"
    path.write_text('document = "yes"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="document must be a table"):
        load_document_settings(path)
    path.write_text("[document\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid TOML"):
        load_document_settings(path)


def test_the_english_document_is_a_translation_of_the_same_document(built):
    pdf_path, docx_path = _files(built, "en")
    text = _text(pypdf.PdfReader(pdf_path))
    for expected in ("SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness", "No.: /BC-STTTT",
                     "REPORT", "Recipients:", "I. OVERALL ASSESSMENT", "655,519 669,065", "DRAFT",
                     "[Tasks for 2021: …]", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"):  # fmt: skip
        assert expected in text, expected
    assert "Recipients:" in _docx_text(docx.Document(str(docx_path)))
    assert "Hình" not in text and "Figure 1" not in text  # its folder holds no charts


def test_a_pair_that_holds_none_of_the_department_s_figures_says_so_sector_by_sector(built):
    reader = pypdf.PdfReader(_files(built, "yearbook", 2018)[0])
    text = _text(reader)
    for expected in ("Kết quả thống kê số liệu ngành Thông tin và Truyền thông năm 2018 so với năm 2017",
                     "Năm 2017 và 2018 không có số liệu bưu chính.", "Chưa có số liệu về thuê bao điện thoại di động",
                     "Không có chỉ tiêu nào của Sở", "[Nhiệm vụ năm 2019: …]"):  # fmt: skip
        assert expected in re.sub(r"\s+", " ", text), expected
    assert "Bảng 1" not in text  # no headline figure in either year: no table of dashes
    (signed,) = [_text_of(page) for page in reader.pages if "Nơi nhận:" in _text_of(page)]
    assert "Trên đây là báo cáo" in signed  # the signature is never alone on its page


def _text_of(page) -> str:
    return unicodedata.normalize("NFC", page.extract_text())


def test_a_pdf_that_cannot_be_typeset_leaves_the_last_files_as_they_were(built, tmp_path, monkeypatch):
    import ictanalysis.document.pdf as pdf_module

    out = tmp_path / "2020"
    out.mkdir()
    for path in document_files(out, 2020):
        path.write_bytes(b"the last good one")

    def broken(document):
        raise ReportError("the document's PDF could not be typeset: test")

    monkeypatch.setattr(pdf_module, "pdf_bytes", broken)
    with pytest.raises(ReportError):
        build_document(2020, 2019, data=built / "processed" / "indicators.parquet", quality=None, out_dir=out)
    assert [p.read_bytes() for p in document_files(out, 2020)] == [b"the last good one"] * 2
    assert sorted(p.name for p in out.iterdir()) == ["bao-cao-2020.docx", "bao-cao-2020.pdf"]


@pytest.mark.slow
def test_the_report_command_writes_the_document_headed_as_the_settings_file_says(built, tmp_path):
    """End to end: `ictanalysis report` reads [document] from ictanalysis.toml and publishes both files."""
    import shutil
    import subprocess
    import sys

    shutil.copytree(built / "processed", tmp_path / "processed")
    shutil.copytree(built / "reports" / "2020" / "quality", tmp_path / "reports" / "2020" / "quality")
    (tmp_path / "ictanalysis.toml").write_text(
        '[paths]\nprocessed = "processed"\nreports = "reports"\n\n'
        '[document]\nnumber = "150"\nsigner_name = "Trần Thị B"\n', encoding="utf-8")  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "ictanalysis", "report", "--year", "2020", "--compare", "2019"],
                          cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    pdf, word = document_files(tmp_path / "reports" / "2020", 2020)
    assert f"official document: {Path('reports/2020/bao-cao-2020.pdf')}" in done.stdout
    text = unicodedata.normalize("NFC", _text(pypdf.PdfReader(pdf)))
    assert "Số: 150/BC-STTTT" in text and "Trần Thị B" in text
    assert "Trần Thị B" in _docx_text(docx.Document(str(word)))
    (tmp_path / "ictanalysis.toml").write_text('[document]\nnumbr = "150"\n', encoding="utf-8")
    wrong = subprocess.run([sys.executable, "-m", "ictanalysis", "report"], cwd=tmp_path, capture_output=True,
                           text=True, encoding="utf-8", timeout=120)  # fmt: skip
    assert wrong.returncode == 2 and "[document] unknown key 'numbr'" in wrong.stderr, wrong.stderr


def test_another_province_s_document_names_its_own_people_s_committee_and_place(tmp_path):
    """Bình Thuận's (60) draft is headed by UBND tỉnh Bình Thuận, dated at Bình Thuận: never the bundled example's."""
    example = REPO / "data" / "examples" / "binh-thuan" / "raw"
    clean(example, out_dir=tmp_path / "processed", province="60")
    data = tmp_path / "processed" / "indicators.parquet"
    built = build_document(2021, 2020, data=data, quality=None, out_dir=tmp_path / "out", province="60")
    pdf_path, docx_path = built.pdf, built.docx
    text, word_text = _text(pypdf.PdfReader(pdf_path)), _docx_text(docx.Document(str(docx_path)))
    for found in (text, word_text):
        assert "UBND TỈNH BÌNH THUẬN" in found and "Bình Thuận, ngày" in found
        assert "NINH THUẬN" not in found.upper() and "2291" not in found
