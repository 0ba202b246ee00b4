"""The official document as an editable .docx draft, laid out as the PDF is (python-docx).

A4 with the same margins; Times New Roman named as the font of every style
(Word has it; LibreOffice sets Liberation Serif in its place, the same widths);
the header blocks and the signature as tables without borders; the parts and
sectors as Word headings (the navigation pane lists them); the headline table
with its heading row repeated on each page; the page number at the top from
page 2 on. The places left to fill in are single highlighted runs,
"[Đánh giá của Sở: …]", which Find and Replace finds whole.
"""

from __future__ import annotations

import io
from pathlib import Path

from ictanalysis.document.metrics import text_width
from ictanalysis.document.model import (
    Document,
    Figure,
    Header,
    Heading,
    PageBreak,
    Paragraph,
    Placeholder,
    Summary,
    Table,
)
from ictanalysis.document.pdf import FONTS_DIR

__all__ = ["FONT", "docx_bytes"]

#: The font every style of the .docx names.
FONT = "Times New Roman"
_BOLD = FONTS_DIR / "LiberationSerif-Bold.ttf"  # Times New Roman's widths: the rules under the header lines
_PAGE_MM = (210, 297)
_MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
_TEXT_MM = _PAGE_MM[0] - _MARGINS_MM["left"] - _MARGINS_MM["right"]
_HEADER_MM = (75.5, _TEXT_MM - 75.5)  # the header blocks' columns, as in the PDF
_FIGURE_MM = 0.82 * _TEXT_MM  # a chart's width, as in the PDF, unless that makes it taller than:
_FIGURE_MAX_HEIGHT_MM = 115
_SIZE = 14


def docx_bytes(document: Document) -> bytes:
    """Return `document` as a .docx file's bytes."""
    import docx

    word = docx.Document()
    word.core_properties.title, word.core_properties.author = document.title, document.author
    _page(word, document)
    _styles(word, document.language)
    _header_blocks(word, document.header)
    _title(word, document)
    for block in document.body:
        _block(word, block)
    word.add_paragraph(document.closing).paragraph_format.keep_with_next = True  # on the signature's page
    _signature(word, document)
    for block in document.appendix:
        _block(word, block)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _page(word, document: Document) -> None:
    """Set A4 portrait and the margins; the page number at the top from page 2, the draft marker on page 1."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    section = word.sections[0]
    section.page_width, section.page_height = Mm(_PAGE_MM[0]), Mm(_PAGE_MM[1])
    for side, millimetres in _MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(millimetres))
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    _plain(number, WD_ALIGN_PARAGRAPH.CENTER)
    number._p.append(_page_field(13))
    if document.draft:
        marker = section.first_page_header.paragraphs[0]
        _plain(marker, WD_ALIGN_PARAGRAPH.CENTER)
        run = marker.add_run(document.draft)
        run.bold, run.font.size = True, Pt(12)
        box = text_width(document.draft, _BOLD, 12) + 8  # a box about the marker, at the right of the line
        marker.paragraph_format.left_indent = Pt(_TEXT_MM * 72 / 25.4 - box)
        _borders(marker, ("top", "left", "bottom", "right"))


def _styles(word, language: str) -> None:
    """Make Normal 14 pt Times New Roman, justified, first line indented 1 cm, 6 pt after; restyle the headings."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    defaults = word.styles.element.find(_qn("w:docDefaults"))
    _fonts(defaults.find(_qn("w:rPrDefault")).find(_qn("w:rPr")), language)
    normal = word.styles["Normal"]
    normal.font.size = Pt(_SIZE)
    _fonts(normal.element.get_or_add_rPr(), language)
    layout = normal.paragraph_format
    layout.alignment, layout.first_line_indent = WD_ALIGN_PARAGRAPH.JUSTIFY, Cm(1)
    layout.space_before, layout.space_after, layout.line_spacing = Pt(0), Pt(6), 1.2
    for name in ("Heading 1", "Heading 2"):
        style = word.styles[name]
        _fonts(style.element.get_or_add_rPr(), language)
        style.font.size, style.font.bold, style.font.italic = Pt(_SIZE), True, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(6), Pt(6)
        style.paragraph_format.first_line_indent, style.paragraph_format.keep_with_next = Cm(1), True


def _header_blocks(word, header: Header) -> None:
    """Write the two header blocks side by side in a table without borders."""
    left, right = _borderless(word, _HEADER_MM).rows[0].cells
    _line(left.paragraphs[0], header.governing_body, 12)
    _line(left.add_paragraph(), header.agency, 12, bold=True)
    _rule(left.add_paragraph(), 0.4 * text_width(header.agency, _BOLD, 12), _HEADER_MM[0])
    _line(left.add_paragraph(), header.number, 13, before=6)
    _line(right.paragraphs[0], header.nation, 12, bold=True)
    _line(right.add_paragraph(), header.motto, 13, bold=True)
    _rule(right.add_paragraph(), text_width(header.motto, _BOLD, 13), _HEADER_MM[1])
    _line(right.add_paragraph(), header.date, 13, italic=True, before=6)


def _title(word, document: Document) -> None:
    """Write the kind of document and the trích yếu, centred, with a short rule under it."""
    from docx.shared import Pt

    _line(word.add_paragraph(), document.kind, _SIZE, bold=True, before=18)
    subject = _line(word.add_paragraph(), document.subject, _SIZE, bold=True)
    # In lines of about equal length, as the PDF sets it: the paragraph as wide as its longest line.
    column = _TEXT_MM * 72 / 25.4
    width = text_width(document.subject, _BOLD, _SIZE)
    lines = -(-width // (0.9 * column))
    side = max(0.0, (column - min(column, width / lines * 1.2)) / 2)
    subject.paragraph_format.left_indent = subject.paragraph_format.right_indent = Pt(side)
    _rule(word.add_paragraph(), 45 * 72 / 25.4, _TEXT_MM)
    word.add_paragraph().paragraph_format.space_after = 0


def _block(word, block) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    if isinstance(block, Heading):
        word.add_paragraph(block.text, style=f"Heading {block.level}")
    elif isinstance(block, Paragraph):
        _paragraph(word, block)
    elif isinstance(block, Placeholder):
        run = word.add_paragraph().add_run(block.text)
        run.italic, run.font.highlight_color = True, WD_COLOR_INDEX.YELLOW
    elif isinstance(block, Table):
        _table(word, block)
    elif isinstance(block, Figure):
        _figure(word, block)
    elif isinstance(block, Summary):
        _summary(word, block)
    elif isinstance(block, PageBreak):
        word.add_page_break()


def _summary(word, summary: Summary) -> None:
    """Write the summary: its title, the tiles as a table of four columns, the targets, the trend as a table."""
    _line(word.add_paragraph(), summary.title, _SIZE, bold=True, after=6).paragraph_format.keep_with_next = True
    if summary.tiles:
        _line(word.add_paragraph(), summary.tiles_caption, 13, bold=True, after=4).paragraph_format.keep_with_next = True
        _tiles(word, summary.tiles)
    if summary.targets is not None:
        _table(word, summary.targets)
        if summary.note:
            _sized(word.paragraphs[-1].add_run(summary.note), 11).italic = True
    if summary.trend is not None:
        trend = summary.trend
        rows = tuple((f"{s.name} ({s.unit})", *s.values) for s in trend.series)
        first = 0.34
        widths = (first, *((1 - first) / len(trend.years),) * len(trend.years))
        _table(word, Table(trend.caption, (trend.first_heading, *trend.years), rows,
                           ("left", *("right",) * len(trend.years)), widths))  # fmt: skip


def _tiles(word, tiles, columns: int = 4) -> None:
    """Write the headline tiles in a grid: name, value in bold, the changes; each cell shaded."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    grid = word.add_table(rows=-(-len(tiles) // columns), cols=columns)
    grid.style = word.styles["Table Grid"]
    _widths(grid, [_TEXT_MM / columns] * columns)
    for number, tile in enumerate(tiles):
        cell = grid.rows[number // columns].cells[number % columns]
        cell._tc.get_or_add_tcPr().append(_element("w:shd", val="clear", color="auto", fill="EEF2F6"))
        lines = [(tile.name, 10, False), (tile.value, 13, True), (tile.change, 9, False)]
        lines += [(tile.like_for_like, 9, False)] if tile.like_for_like else []
        for index, (text, size, bold) in enumerate(lines):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            _plain(paragraph, WD_ALIGN_PARAGRAPH.LEFT)
            _sized(paragraph.add_run(text), size).bold = bold
    _row_flags(grid.rows[0], "w:cantSplit")
    word.add_paragraph().paragraph_format.space_after = 0


def _paragraph(word, block: Paragraph) -> None:
    if block.style in ("title", "subtitle"):
        bold = block.style == "title"
        _line(word.add_paragraph(), block.text, _SIZE, bold=bold, italic=not bold, after=0 if bold else 12)
    elif block.style == "item":
        word.add_paragraph(f"- {block.text}")
    elif block.style == "note":
        _sized(word.add_paragraph().add_run(block.text), 13)
    else:
        word.add_paragraph(block.text)


def _table(word, table: Table) -> None:
    """Write the caption, then the table with a grid, its heading row repeated on every page it spans."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    caption = word.add_paragraph()
    _line(caption, table.caption, 13, bold=True, before=6)
    caption.paragraph_format.keep_with_next = True
    grid = word.add_table(rows=1 + len(table.rows), cols=len(table.head))
    grid.style = word.styles["Table Grid"]
    _widths(grid, [share * _TEXT_MM for share in table.widths])
    for row_number, texts in enumerate((table.head, *table.rows)):
        row = grid.rows[row_number]
        for column, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = WD_ALIGN_PARAGRAPH.CENTER if row_number == 0 else getattr(WD_ALIGN_PARAGRAPH, table.align[column].upper())
            paragraph = cell.paragraphs[0]
            _plain(paragraph, align)
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(2)
            _sized(paragraph.add_run(text), 12).bold = row_number == 0
    _row_flags(grid.rows[0], "w:tblHeader")
    word.add_paragraph().paragraph_format.space_after = 0


def _figure(word, figure: Figure) -> None:
    """Write the chart's image (a PNG; an SVG made one) centred, as the PDF sizes it, then its caption."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    image = figure.image
    if image.suffix.lower() == ".svg":
        import vl_convert

        png = vl_convert.svg_to_png(image.read_text(encoding="utf-8"), scale=2)
    else:
        png = Path(image).read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG's header
    word.add_picture(io.BytesIO(png), width=Mm(min(_FIGURE_MM, _FIGURE_MAX_HEIGHT_MM * width / max(height, 1))))
    picture = word.paragraphs[-1]
    _plain(picture, WD_ALIGN_PARAGRAPH.CENTER)
    picture.paragraph_format.keep_with_next = True
    _line(word.add_paragraph(), figure.caption, 13, italic=True, after=12)


def _signature(word, document: Document) -> None:
    """Write "Nơi nhận" and its list beside the signature block, in a table without borders kept on one page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.shared import Pt

    table = _borderless(word, (_TEXT_MM / 2, _TEXT_MM / 2))
    left, right = table.rows[0].cells
    title = left.paragraphs[0]
    _plain(title, WD_ALIGN_PARAGRAPH.LEFT)
    run = _sized(title.add_run(document.recipients_title), 12)
    run.bold = run.italic = True
    for line in document.recipients:
        paragraph = left.add_paragraph()
        _plain(paragraph, WD_ALIGN_PARAGRAPH.LEFT)
        _sized(paragraph.add_run(f"- {line}"), 11)
    signer = document.signer
    for number, line in enumerate((*signer.authority, signer.title)):
        _line(right.paragraphs[0] if number == 0 else right.add_paragraph(), line, _SIZE, bold=True)
    name = right.add_paragraph()
    _line(name, signer.name, _SIZE, bold=True)
    name.paragraph_format.space_before = Pt(80)  # about 28 mm for the signature and the seal
    if signer.name_missing:
        name.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW
    _row_flags(table.rows[0], "w:cantSplit")


# --- small pieces -------------------------------------------------------------------------------------


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _element(tag: str, **attributes: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(_qn(f"w:{name}"), value)
    return element


def _fonts(rpr, language: str) -> None:
    """Name Times New Roman for every script (no theme font) and the document's language, in a run's properties."""
    for tag in ("w:rFonts", "w:lang"):
        for found in rpr.findall(_qn(tag)):
            rpr.remove(found)
    rpr.insert(0, _element("w:rFonts", ascii=FONT, hAnsi=FONT, cs=FONT, eastAsia=FONT))
    rpr.append(_element("w:lang", val=language, eastAsia=language, bidi=language))


def _plain(paragraph, alignment) -> None:
    """Align a paragraph and take away the body's indent and spacing (header blocks, tables, signature)."""
    from docx.shared import Pt

    layout = paragraph.paragraph_format
    layout.alignment, layout.first_line_indent = alignment, Pt(0)
    layout.space_before, layout.space_after, layout.line_spacing = Pt(0), Pt(0), 1.0


def _line(paragraph, text: str, size: int, *, bold: bool = False, italic: bool = False, before: int = 0,
          after: int = 0):  # fmt: skip
    """Write one centred line of `size` points."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    _plain(paragraph, WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.paragraph_format.space_before, paragraph.paragraph_format.space_after = Pt(before), Pt(after)
    run = _sized(paragraph.add_run(text), size)
    run.bold, run.italic = bold, italic
    return paragraph


def _sized(run, size: float):
    from docx.shared import Pt

    run.font.size = Pt(size)
    return run


def _rule(paragraph, width_pt: float, column_mm: float) -> None:
    """Make an empty paragraph a rule `width_pt` long, centred in a column `column_mm` wide (its top border)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    column = column_mm * 72 / 25.4
    side = max(0.0, (column - min(width_pt, column)) / 2)
    _plain(paragraph, WD_ALIGN_PARAGRAPH.CENTER)
    layout = paragraph.paragraph_format
    layout.left_indent, layout.right_indent = Pt(side), Pt(side)
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(3)
    layout.space_before = Pt(5)
    _borders(paragraph, ("top",))


def _borders(paragraph, sides: tuple[str, ...]) -> None:
    borders = _element("w:pBdr")
    for side in sides:
        borders.append(_element(f"w:{side}", val="single", sz="6", space="1", color="000000"))
    paragraph._p.get_or_add_pPr().append(borders)


def _page_field(size: int):
    """Return a run-holding PAGE field (the page's number), `size` points."""
    field = _element("w:fldSimple", instr="PAGE")
    run = _element("w:r")
    properties = _element("w:rPr")
    properties.append(_element("w:sz", val=str(size * 2)))
    run.append(properties)
    text = _element("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    return field


def _borderless(word, widths_mm: tuple[float, float]):
    """Add a one-row table without borders or cell margins, its columns `widths_mm` wide."""
    table = word.add_table(rows=1, cols=len(widths_mm))
    margins = _element("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_element(f"w:{side}", w="0", type="dxa"))
    table._tbl.tblPr.append(margins)
    _widths(table, widths_mm)
    return table


def _widths(table, widths_mm) -> None:
    from docx.shared import Mm

    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _row_flags(row, tag: str) -> None:
    """Set a flag of a table row: its heading row repeated on each page (tblHeader), kept on one page (cantSplit)."""
    row._tr.get_or_add_trPr().append(_element(tag))
