"""Suggest a first layout for a sheet no layout reads, by the shape of its table, as YAML to print.

``ictanalysis layout suggest FILE`` reads one sheet with the readers ingest
uses (:func:`~ictanalysis.workbook.read_workbook`, the header, column and label
steps of :mod:`ictanalysis.extract`) and describes its table as a layout: the
header block is the first row of two or more cells with figures under it
(with the rows its merged cells span), the label column the one whose cells
beside the figures are text. Each column header is matched to a catalog
indicator (the catalog's aliases) or left, as a comment, to fill in; the row
labels say what the rows are (districts, enterprises, agencies, indicators or
years); a unit line gives `unit:`, the file and sheet names give `files:` and
`sheets:`. The sheet is then read with the layout suggested, and the notes
say what it read or what is left to fill in. Nothing is written.

Example:
    >>> import openpyxl, tempfile
    >>> book = openpyxl.Workbook()
    >>> for row in (["Đơn vị tính: trạm"], ["Địa bàn", "Trạm BTS 4G"], ["Ninh Sơn", 22], ["Bác Ái", 9]):
    ...     book.active.append(row)
    >>> path = Path(tempfile.mkdtemp()) / "bts_2020.xlsx"
    >>> book.save(path)
    >>> print(str(suggest_layout(path)).split("\\nid: ")[1])
    bts
    description: "Sheet (bts_2020.xlsx)"
    files: ["bts_*"]
    rows: area  # 2 of 2 row labels are districts
    label_headers: ["Địa bàn"]
    # Column headers matched to the catalog:
    #   B2 'Trạm BTS 4G' → bts_4g_stations
    unit: "trạm"  # the unit line in A1
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ictanalysis.catalog import Catalog, load_catalog
from ictanalysis.errors import InputError, Problem, UsageError
from ictanalysis.extract import SheetSource, extract_table, find_table
from ictanalysis.extract.columns import (
    UNIT_COLUMN_HEADERS,
    YEAR,
    Column,
    resolve_columns,
    split_units,
    take_operator,
    year_of,
)
from ictanalysis.extract.context import Context, cell_text
from ictanalysis.extract.header import Header, Heading, header_rows
from ictanalysis.extract.labels import ROW_KINDS, clean_label, row_key
from ictanalysis.extract.units import stated_unit, unit_line
from ictanalysis.ingest import match_layout
from ictanalysis.layouts import ALWAYS_IGNORED, Layout, load_layouts
from ictanalysis.normalise import fold
from ictanalysis.settings import DEFAULTS
from ictanalysis.text import one_line
from ictanalysis.workbook import Sheet, WorkbookError, cell_name, column_letter, read_workbook

__all__ = ["Suggestion", "suggest_layout"]

_SEARCHED_ROWS = 200  # a table's header is among a sheet's first rows (as ingest looks for it)
_SHOWN = 8  # problems of the trial read listed in the notes
_FIGURE = re.compile(r"[(+-]?\s*\d[\d., \u00a0]*\)?\s*[%*]*")  # a number as typed, in either notation
_NOT_LABELS = {fold(h) for h in (*ALWAYS_IGNORED, *UNIT_COLUMN_HEADERS)}
_DEFAULT_SHEET = re.compile(r"(?:sheet|trang tinh|bang tinh|feuil|tabelle)\s*\d*")
_KIND_WORDS = {"area": "districts", "operator": "enterprises", "agency": "agencies", "indicator": "indicators",
               "year": "years"}  # fmt: skip


@dataclass
class Suggestion:
    """A first layout for one sheet: its keys in the order written, comments beside and under them, notes above.

    ``str()`` of it is the YAML to save as ``layouts/<id>.yaml``; :attr:`fields` is what that YAML holds.
    """

    fields: dict[str, object]
    notes: list[str] = field(default_factory=list)
    inline: dict[str, str] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)  # under a key, or at the end when it is not written

    def __str__(self) -> str:
        lines = [f"# {note}" if note else "#" for note in self.notes]
        for key, value in self.fields.items():
            lines += _yaml_lines(key, value, self.inline.get(key))
            lines += [f"# {line}" for line in self.comments.get(key, ())]
        for key, comments in self.comments.items():
            if key not in self.fields:
                lines += [f"# {line}" for line in comments]
        return "\n".join(lines)


def _yaml_lines(key: str, value, comment: str | None) -> list[str]:
    """Write one key of a layout as YAML: a scalar or a flow list on its line, a mapping indented below."""
    tail = f"  # {comment}" if comment else ""
    if isinstance(value, dict):
        return [f"{key}:{tail}", *(f"  {name}: {_yaml_value(items)}" for name, items in value.items())]
    return [f"{key}: {_yaml_value(value)}{tail}"]


def _yaml_value(value) -> str:
    """Write a value as YAML that reads back as itself: JSON's strings and lists are YAML too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_-]*", value) and value not in ("yes", "no", "on", "off",
                                                                                              "null", "true", "false"):
        return value
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


@dataclass(frozen=True)
class _Shape:
    """Where a sheet's table is: its header block, its label column, and the rows below that hold figures."""

    sheet: Sheet
    header: Header
    label_column: int
    data_rows: tuple[int, ...]
    text_rows: tuple[int, ...]  # rows among the data rows that hold a label and no figure: sections, notes

    @property
    def row(self) -> int:
        """Return the first row of the header block (the row a layout's label header is found on)."""
        return self.header.rows[0]

    def label(self, row: int) -> str:
        """Return the row label of `row`, without footnote marks and enumeration."""
        return clean_label(self.sheet.value(*self.header.origin(row, self.label_column)))

    def label_header(self) -> str:
        """Return the text of the label column's header cell on the header's first row ("" when blank)."""
        return cell_text(self.sheet.value(*self.header.origin(self.row, self.label_column)))

    def headings(self) -> list[Heading]:
        """Return the headings of every column but the label column, left to right."""
        sheet = self.sheet
        found = (self.header.heading(col) for col in range(sheet.left, sheet.left + sheet.width))
        return [h for h in found if h is not None and h.index != self.label_column]

    def title_texts(self) -> list[tuple[str, str]]:
        """Return (cell, text) of each text above the header block."""
        sheet = self.sheet
        above = sheet.rows[: self.row - sheet.top]
        return [(cell_name(sheet.top + i, sheet.left + j), text) for i, cells in enumerate(above)
                for j, value in enumerate(cells) if (text := cell_text(value))]  # fmt: skip


@dataclass(frozen=True)
class _Subject:
    """The sheet being described, where its table is, and what it is read against: the catalog and the layouts."""

    source: SheetSource
    shape: _Shape
    catalog: Catalog
    layouts: tuple[Layout, ...]
    several: bool  # the workbook has other sheets with data: the layout names its sheet too

    @property
    def path(self) -> Path:
        """Return the file's name as a path."""
        return Path(self.source.file)

    def context(self, fields: dict) -> Context:
        """Return the reading context of the layout suggested so far."""
        return Context(self.source, _draft(fields), self.catalog)


def suggest_layout(
    path: Path,
    *,
    sheet: str | None = None,
    province: str = DEFAULTS.province,
    layout_dirs: Iterable[Path] = (),
    catalog: Catalog | None = None,
) -> Suggestion:
    """Describe one sheet of the workbook at `path` as a first layout, and say what reading with it gives.

    Without `sheet`, the first visible sheet that no layout (bundled, or of `layout_dirs`) reads is described.
    Only reads: nothing is written.

    Raises:
        InputError: the file cannot be read, holds no data, or the sheet holds no table (a header row with
            figures under it).
        UsageError: the workbook has no sheet `sheet`, or `province` is not a province of the catalog.
        CatalogError: a layout of `layout_dirs` does not validate.
    """
    path, catalog = Path(path), catalog or load_catalog()
    catalog.check_province(province)
    layouts = tuple(load_layouts(*layout_dirs))
    sheets = _read(path)
    chosen, notes = _choose_sheet(path, sheets, sheet, lambda s: _reader(path, s, province, catalog, layouts))
    shape = _find_shape(chosen)
    if shape is None:
        raise InputError([Problem(path.name, chosen.name, "", "no table was found on the sheet",
                                  "a header row of two or more cells with rows of figures under it, each with a label "
                                  f"(in the first {_SEARCHED_ROWS} rows)")])  # fmt: skip
    year, year_note = _year(path, shape)
    source = SheetSource(path.name, chosen, year or dt.date.today().year, province)
    subject = _Subject(source, shape, catalog, layouts, several=len(_visible(sheets)) > 1)
    suggestion = _describe(subject)
    suggestion.notes = [f"A first layout for {one_line(f'{path.name} › {chosen.name!r}')}, written by "
                        "`ictanalysis layout suggest`.", f"Save it as layouts/{suggestion.fields['id']}.yaml in the "
                        "project, then check it: ictanalysis clean --check --layouts layouts (or list the folder as "
                        "`layouts` in ictanalysis.toml)", *notes, *filter(None, [year_note]),
                        _shape_note(shape), *_trial(subject, suggestion)]  # fmt: skip
    return suggestion


def _read(path: Path) -> list[Sheet]:
    """Return the sheets of a workbook, or raise the problem of a file that cannot be read."""
    try:
        return read_workbook(path)
    except WorkbookError as exc:
        raise InputError([Problem(path.name, exc.sheet, exc.cell, str(exc), exc.expected)]) from None
    except OSError as exc:
        raise InputError([Problem(path.name, message=f"cannot be opened ({exc.strerror})",
                                  expected="a workbook file that you may read")]) from None  # fmt: skip


def _with_data(sheets: list[Sheet]) -> list[Sheet]:
    return [s for s in sheets if any(cell_text(v) for row in s.rows for v in row)]


def _visible(sheets: list[Sheet]) -> list[Sheet]:
    return [s for s in _with_data(sheets) if not s.hidden]


def _reader(path: Path, sheet: Sheet, province: str, catalog: Catalog, layouts: tuple[Layout, ...]) -> str | None:
    """Return the id of the layout that reads `sheet` without a problem, or None."""
    source = SheetSource(path.name, sheet, _folder_year(path) or dt.date.today().year, province)
    table, records, problems = match_layout(source, path.name, catalog, list(layouts))
    return table.layout.id if table is not None and len(records) and not problems else None


def _choose_sheet(path: Path, sheets: list[Sheet], name: str | None, reader) -> tuple[Sheet, list[str]]:
    """Return the sheet to describe and notes on it: the one named, or the first visible one no layout reads."""
    if name is not None:
        found = [s for s in sheets if s.name == name] or [s for s in sheets if fold(s.name) == fold(name)]
        if not found:
            names = ", ".join(repr(s.name) for s in sheets)
            raise UsageError(f"{one_line(path.name)} has no sheet {name!r}; its sheets are {names}")
        candidates = found
    else:
        candidates = _visible(sheets)
    if not candidates:
        raise InputError([Problem(path.name, message="the workbook holds no data: every sheet is empty or hidden",
                                  expected="a sheet with a table (--sheet NAME describes a hidden one)")])  # fmt: skip
    readers = {id(s): reader(s) for s in candidates}
    chosen = next((s for s in candidates if readers[id(s)] is None), candidates[0])
    notes = [f"Note: layout {readers[id(chosen)]!r} already reads this sheet without a problem; a layout of your own "
             "is needed only to read it otherwise (yours is tried first)."] if readers[id(chosen)] else []  # fmt: skip
    others = [s.name for s in _visible(sheets) if s is not chosen]
    if others:
        notes.append("Other sheets: " + ", ".join(repr(n) for n in others) + " (--sheet NAME describes one).")
    return chosen, notes


def _figure(value) -> bool:
    """Tell whether a cell holds a number, or text that reads as one in either notation ("1.234", "12,5 %")."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and _FIGURE.fullmatch(value.strip()) is not None


def _year_like(value) -> bool:
    """Tell whether a cell is a year, alone or with a word or two ("2020", "Sơ bộ 2020")."""
    text = fold(cell_text(value))
    return bool(YEAR.search(text)) and len(text.split()) <= 4


def _holds_figures(cells: list) -> bool:
    """Tell whether a row holds a figure that is not a year: a row of data, not of headers."""
    return any(_figure(v) and not _year_like(v) for v in cells)


def _find_shape(sheet: Sheet) -> _Shape | None:
    """Return where the table is: the first row of two or more cells, not all figures, with figures under it."""
    for i, cells in enumerate(sheet.rows[:_SEARCHED_ROWS]):
        filled = [v for v in cells if cell_text(v)]
        if len(filled) < 2 or all(_figure(v) for v in filled):
            continue
        row = sheet.top + i
        data, text_rows = _table_rows(sheet, header_rows(sheet, row)[-1] + 1)
        label_column = _label_column(sheet, Header.at(sheet, row, sheet.left), data) if data else None
        if label_column is not None:
            return _Shape(sheet, Header.at(sheet, row, label_column), label_column, tuple(data), tuple(text_rows))
    return None


def _table_rows(sheet: Sheet, first: int) -> tuple[list[int], list[int]]:
    """Return the rows from `first` down that hold figures (one of the first two filled rows must), and the text rows
    between them."""
    filled = (r for r in range(first, sheet.top + sheet.height) if any(cell_text(v) for v in sheet.rows[r - sheet.top]))
    if not any(_holds_figures(sheet.rows[r - sheet.top]) for r in itertools.islice(filled, 2)):
        return [], []  # looked at two rows only: a sheet's every row is not read again for each row above its table
    filled = [r for r in range(first, sheet.top + sheet.height) if any(cell_text(v) for v in sheet.rows[r - sheet.top])]
    data = [r for r in filled if _holds_figures(sheet.rows[r - sheet.top])]
    return data, [r for r in filled if data[0] < r < data[-1] and r not in data]


def _label_column(sheet: Sheet, header: Header, data: list[int]) -> int | None:
    """Return the column whose cells in the rows of figures are most often labels (text, or a year), None if none."""
    counts = {}
    for col in range(sheet.left, sheet.left + sheet.width):
        heading = header.heading(col)
        if heading is not None and {fold(p) for p in heading.path} & _NOT_LABELS:
            continue  # STT, Ghi chú, a unit column: never the labels
        values = [sheet.value(*header.origin(r, col)) for r in data]
        counts[col] = sum(1 for v in values if cell_text(v) and (_year_like(v) or not _figure(v)))
    best = max(counts.values(), default=0)
    return next(col for col, count in counts.items() if count == best) if best else None


def _folder_year(path: Path) -> int | None:
    return int(path.parent.name) if re.fullmatch(r"(?:19|20)\d\d", path.parent.name) else None


def _year(path: Path, shape: _Shape) -> tuple[int | None, str]:
    """Return the year the sheet is of (its folder's, else one its file name or title states) and a note on it."""
    if (year := _folder_year(path)) is not None:
        return year, ""
    for where, text in (("the file name", path.name), *shape.title_texts()):
        if match := YEAR.search(text):
            return int(match.group(1)), (f"The year {match.group(1)} is read from {where}; ingest takes a file's year "
                                         "from its folder, data/raw/<year>/.")  # fmt: skip
    return None, (f"No year found (folder, file name or title): read as {dt.date.today().year}; ingest takes a "
                  "file's year from its folder, data/raw/<year>/.")  # fmt: skip


def _shape_note(shape: _Shape) -> str:
    """Say where the table was found: its header rows, its label column and its rows of figures."""
    rows = shape.header.rows
    header = f"row {rows[0] + 1}" if len(rows) == 1 else f"rows {rows[0] + 1}–{rows[-1] + 1}"
    label, count = column_letter(shape.label_column), len(shape.data_rows)
    return (f"Found: the header on {header}, the row labels in column {label}, {count} row{'s' if count > 1 else ''} "
            f"of figures from row {shape.data_rows[0] + 1}.")


def _draft(fields: dict) -> Layout:
    """Return the layout of the fields suggested so far (what the YAML will hold)."""
    return Layout.model_validate({"id": "draft", "description": "draft", **fields})


def _describe(subject: _Subject) -> Suggestion:
    """Suggest each key of the layout in turn: names and patterns, rows, headers, columns, unit and enterprise."""
    shape = subject.shape
    sheet_name = shape.sheet.name if subject.several else ""
    suggestion = Suggestion({"id": _new_id(subject.path, sheet_name, {layout.id for layout in subject.layouts}),
                             "description": _description(subject.path, shape)})  # fmt: skip
    _patterns(suggestion, subject)
    kind = _rows(suggestion, subject)
    suggestion.fields["label_headers"] = (shape.label_header(),)
    if kind == "indicator":
        _indicator_columns(suggestion, subject)
    _anchor(suggestion, shape)
    columns = _columns(suggestion, subject) if kind not in (None, "indicator") else []
    _unit(suggestion, subject)
    _operator(suggestion, subject, columns)
    return suggestion


def _new_id(path: Path, sheet_name: str, taken: set[str]) -> str:
    """Return an id from the file (and sheet) name, without its year, that no layout has yet."""
    words = [w for w in fold(f"{path.stem} {sheet_name}").split() if not YEAR.fullmatch(w)]
    base = "-".join(words)[:40].strip("-") or "new-layout"
    base = base if base[0].isalpha() else f"layout-{base}"
    number = next(n for n in range(1, len(taken) + 2) if (f"{base}-{n}" if n > 1 else base) not in taken)
    return f"{base}-{number}" if number > 1 else base


def _description(path: Path, shape: _Shape) -> str:
    """Return the sheet's title (above the header: a text that states a year, else the longest), or its names."""
    titles = [text for _, text in shape.title_texts() if stated_unit(text) is None]
    title = max(titles, key=lambda text: (YEAR.search(text) is not None, len(text)), default=None)
    return one_line(title)[:120] if title else f"{shape.sheet.name} ({path.name})"


def _pattern(name: str) -> str:
    """Return a name pattern that also matches other years' files: the year as `*`, and `*` at the end."""
    return re.sub(r"\*+", "*", YEAR.sub("*", name) + "*")


def _patterns(suggestion: Suggestion, subject: _Subject) -> None:
    """Suggest `files:` from the file name and, in a workbook of several sheets, `sheets:` from the sheet's."""
    suggestion.fields["files"] = (_pattern(subject.path.stem),)
    sheet_name = subject.shape.sheet.name
    if not subject.several:
        return
    if _DEFAULT_SHEET.fullmatch(fold(sheet_name)):
        suggestion.comments["files"] = [f"sheets: the sheet's name {sheet_name!r} is a default one, not a pattern"]
    else:
        suggestion.fields["sheets"] = (_pattern(sheet_name),)


def _rows(suggestion: Suggestion, subject: _Subject) -> str | None:
    """Suggest `rows:`: the kind of key most row labels name; list the labels that name nothing."""
    shape = subject.shape
    labelled = [(row, shape.label(row)) for row in shape.data_rows if shape.label(row)]
    scores = {kind: _kind_matches(subject, kind, [label for _, label in labelled]) for kind in ROW_KINDS}
    kind = max(ROW_KINDS, key=lambda k: len(scores[k][0]))
    matched, unknown = scores[kind]
    if not matched:
        labels = ", ".join(repr(label) for _, label in labelled[:4])
        suggestion.comments["rows"] = [f"TODO rows: none of the row labels ({labels}, …) is a known district, "
                                       "enterprise, agency, indicator or year; write rows: area, operator, agency, "
                                       "indicator or year, and add their names to the catalog or aliases"]  # fmt: skip
        return None
    suggestion.fields["rows"] = kind
    suggestion.inline["rows"] = f"{len(matched)} of {len(labelled)} row labels are {_KIND_WORDS[kind]}"
    unknown_rows = [(row, label) for row, label in labelled if label in unknown]
    suggestion.comments["rows"] = _matched_labels_comment(subject, labelled) if kind == "indicator" else []
    suggestion.comments["rows"] += _unknown_labels_comment(subject, kind, unknown_rows)
    return kind


def _matched_labels_comment(subject: _Subject, labelled: list[tuple[int, str]]) -> list[str]:
    """List the row labels of an indicators-as-rows table that name a catalog indicator, and which."""
    context, column = subject.context({"rows": "indicator", "label_headers": ("-",)}), subject.shape.label_column
    keys = [(row, label, row_key(context, label, fold(label))) for row, label in labelled]
    lines = [f"  {cell_name(row, column)} {label!r} → {key['indicator'].id}" for row, label, key in keys if key]
    return ["Row labels matched to the catalog:", *lines] if lines else []


def _kind_matches(subject: _Subject, kind: str, labels: list[str]) -> tuple[list[str], list[str]]:
    """Return the labels that name a key of `kind` (totals aside), and those that name nothing."""
    context = subject.context({"rows": kind, "label_headers": ("-",)})
    matched, unknown = [], []
    for label in labels:
        key = row_key(context, label, fold(label))
        if key is None:
            unknown.append(label)
        elif not key["total"] and (kind != "year" or _year_like(label)):
            matched.append(label)
    return matched, unknown


def _unknown_labels_comment(subject: _Subject, kind: str, unknown: list[tuple[int, str]]) -> list[str]:
    """Say which row labels name nothing, and what to write for them: aliases, or a derived section above them."""
    if not unknown:
        return []
    column = subject.shape.label_column
    lines = [f"TODO row labels that name no {ROW_KINDS[kind]}: "
             + ", ".join(f"{cell_name(row, column)} {label!r}" for row, label in unknown[:_SHOWN])]  # fmt: skip
    section = _section_above(subject.shape, [row for row, _ in unknown])
    if section is not None:
        row, words = section
        lines += [f"  if the rows below {cell_name(row, column)} are computed from the others (an index, a share), "
                  "they are not read with",
                  f"  derived_sections: [{json.dumps(words, ensure_ascii=False)}]"]  # fmt: skip
    if kind == "indicator":
        lines.append("  otherwise give each its indicator under aliases (indicator id: [label]), e.g.")
        lines += [_alias_line(_close_indicator(subject.catalog, label), label, cell_name(row, column))
                  for row, label in unknown[:_SHOWN]]  # fmt: skip
    return lines


def _section_above(shape: _Shape, unknown_rows: list[int]) -> tuple[int, str] | None:
    """Return the row without figures after which every row of figures names nothing, and its first words."""
    for row in shape.text_rows:
        below = [r for r in shape.data_rows if r > row]
        if below and set(below) <= set(unknown_rows) and (label := shape.label(row)):
            return row, re.split(r"\s+[-–(/:]", label, maxsplit=1)[0].strip()
    return None


def _alias_line(key: str, text: str, cells: str) -> str:
    """Write one alias to fill in, as a comment line: `  TODO_id: ["text"]  # cells (and other candidates)`."""
    key, _, others = key.partition("  # ")
    return f"  {key}: [{json.dumps(text, ensure_ascii=False)}]  # {cells}" + (f"; {others}" if others else "")


def _close_indicator(catalog: Catalog, text: str) -> str:
    """Return an alias line's key for `text`: TODO_ and the indicator it likely means, and the others it may mean.

    Candidates are the catalog names and aliases with the same numbers ("4G" is not "5G"): those that hold all
    its words, else one a typing error away.
    """
    digits = set(re.findall(r"\d+", fold(text)))
    names = {fold(name): ind.id for ind in catalog.indicators.values()
             for name in (ind.name_vi, ind.name_en, *ind.aliases)
             if set(re.findall(r"\d+", fold(name))) == digits}  # fmt: skip
    words = set(fold(text).split())
    holding = sorted((name for name in names if words and words <= set(name.split())), key=len)
    close = holding or difflib.get_close_matches(fold(text), names, n=1, cutoff=0.8)
    ids = list(dict.fromkeys(names[name] for name in close))
    if not ids:
        return "TODO_indicator_id"
    return f"TODO_{ids[0]}" + (f"  # or {', '.join(ids[1:4])}?" if len(ids) > 1 else "")


def _indicator_columns(suggestion: Suggestion, subject: _Subject) -> None:
    """Suggest `value_headers` and `ignore_columns` of a table whose rows are indicators.

    Columns headed by a year alone ("2019", "Sơ bộ 2020") are the values of their year and need no key.
    Otherwise the value column is the one whose header a layout of indicator rows knows ("Thực hiện",
    "Năm {year}"), else the one that names the file's year; every other column is not data.
    """
    headings = [h for h in subject.shape.headings() if not {fold(p) for p in h.path} & _NOT_LABELS]
    texts = {h.index: split_units(list(h.path))[0] or [h.text] for h in headings}
    if not headings or all(_year_like(" ".join(texts[h.index])) for h in headings):
        return
    year = str(subject.source.year)
    known = {fold(v.replace("{year}", year)) for lay in subject.layouts if lay.rows == "indicator"
             for v in lay.value_headers}  # fmt: skip
    candidates = [(fold(t) not in known, year not in t, len(t), -h.index, t, h)
                  for h in headings for t in texts[h.index]]  # fmt: skip
    *_, text, value = min(candidates, key=lambda candidate: candidate[:4])
    suggestion.fields["value_headers"] = (text.replace(year, "{year}"),)
    if fold(text) not in known and year not in text:
        suggestion.comments["value_headers"] = [f"TODO value_headers: no header names the year {year} or reads as a "
                                                f"value column; {text!r} is taken: check it"]  # fmt: skip
    ignored = tuple(dict.fromkeys(h.path[0] for h in headings if h is not value))
    if ignored:
        suggestion.fields["ignore_columns"] = ignored
        suggestion.inline["ignore_columns"] = "not read: check that none holds the year's figures"


def _anchor(suggestion: Suggestion, shape: _Shape) -> None:
    """Give a blank label header what it is found by: a unit or value header on the same row, without {year}."""
    if shape.label_header() or _draft(suggestion.fields).anchor_headers:
        return
    row_texts = [cell_text(shape.sheet.value(shape.row, h.index)) for h in shape.headings()]
    units = [t for t in row_texts if t and fold(t) in {fold(u) for u in UNIT_COLUMN_HEADERS}]
    if units:
        suggestion.fields["unit_headers"] = (units[0],)
        return
    literal = next((t for t in row_texts if t and fold(t) not in _NOT_LABELS), "")
    suggestion.fields["value_headers"] = (*suggestion.fields.get("value_headers", ()), literal)
    suggestion.comments["value_headers"] = [f"{literal!r}: a blank label header is found only on a row that holds "
                                            "a unit or value header without {year}: this one"]  # fmt: skip


def _columns(suggestion: Suggestion, subject: _Subject) -> list[Column]:
    """Match each column header to a catalog indicator; list those matched and those left to fill in."""
    context = subject.context(suggestion.fields)
    columns, problems = resolve_columns(context, subject.shape.header)
    matched = [c for c in columns if c.role == "value"]
    lines = [f"  {c.header_cell} {one_line(c.header)!r} → {c.indicator.id}"
             + (f" ({c.operator})" if c.operator else "") for c in matched]  # fmt: skip
    suggestion.comments["label_headers"] = ["Column headers matched to the catalog:", *lines] if lines else []
    unknown = {p.cell for p in problems}
    aliases: dict[str, list[str]] = {}
    for column in (c for c in columns if c.role == "ignored" and c.header_cell in unknown):
        aliases.setdefault(_alias_text(context, subject.shape.header, column), []).append(column.header_cell)
    if aliases:
        suggestion.comments["aliases"] = [
            "TODO column headers that name no indicator: give each its indicator under aliases, or list it under",
            "ignore_columns if it holds no data; e.g.", "aliases:",
            *(_alias_line(_close_indicator(subject.catalog, text), text, ", ".join(cells))
              for text, cells in aliases.items()),
        ]  # fmt: skip
    return columns


def _alias_text(context: Context, header: Header, column: Column) -> str:
    """Return what of a column's header an alias must match: the header without its enterprise, unit and year."""
    heading = header.heading(column.index)
    _, rest, _ = take_operator(context, header, heading)
    texts, _ = split_units(rest)
    if context.layout.rows != "year" and year_of(texts)[0] is not None:
        texts = [t for t in texts if not YEAR.fullmatch(fold(t))] or texts
    return " ".join(texts) or heading.text


def _unit(suggestion: Suggestion, subject: _Subject) -> None:
    """Suggest `unit:` from a unit line above the table, when the catalog knows that unit."""
    catalog = subject.catalog
    found = unit_line(subject.shape.sheet, subject.shape.row, catalog)
    if found is None:
        return
    unit, cell = found
    if any(catalog.unit_factor(unit, canonical) is not None for canonical in catalog.units):
        suggestion.fields["unit"] = unit
        suggestion.inline["unit"] = f"the unit line in {cell}"
    else:
        suggestion.comments["unit"] = [f"TODO unit: the unit line in {cell} says {unit!r}, which catalog/units.yaml "
                                       "does not know"]  # fmt: skip


def _operator(suggestion: Suggestion, subject: _Subject, columns: list[Column]) -> None:
    """Suggest `operator:` when the title or the file name names one enterprise and no column names any."""
    if suggestion.fields.get("rows") in (None, "operator") or any(c.operator for c in columns):
        return
    named: dict[str, str] = {}
    for where, text in (*subject.shape.title_texts(), ("the file name", subject.path.stem)):
        padded = f" {fold(text)} "
        for operator in subject.catalog.operators.values():
            if any(f" {fold(s)} " in padded for s in (operator.name, *operator.spellings)):
                named.setdefault(operator.name, where)
    if len(named) == 1:
        ((name, where),) = named.items()
        suggestion.fields["operator"] = name
        suggestion.inline["operator"] = f"named in {where}"


def _trial(subject: _Subject, suggestion: Suggestion) -> list[str]:
    """Read the sheet with the layout suggested and say what it read, or what is left to fill in."""
    if "rows" not in suggestion.fields:
        return ["Not read with this layout yet: fill in rows (see TODO below), then run ictanalysis clean --check."]
    layout = _draft(suggestion.fields)
    table = find_table(subject.source, layout, subject.catalog)
    if table is None:
        return [f"Read with this layout: its table is not found; expected {layout.header_expectation()}."]
    records, problems = extract_table(subject.source, table, subject.catalog)
    if not problems:
        return [f"Read with this layout: {len(records)} values, no problem.", *_blank_note(subject, table)]
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    lines = [f"Read with this layout: {len(records)} values and {count}; still to fill in:"]
    lines += _blank_note(subject, table)
    lines += [one_line(f"  - {f'cell {p.cell}: ' if p.cell else ''}{p.message}" + (f"; expected {p.expected}"
                                                                                  if p.expected else ""))
              for p in problems[:_SHOWN]]  # fmt: skip
    if len(problems) > _SHOWN:
        lines.append(f"  - and {len(problems) - _SHOWN} more (ictanalysis clean --check lists them all)")
    return lines


def _blank_note(subject: _Subject, table) -> list[str]:
    """Say how many value cells of the rows of figures are empty, which `blank: zero` (the default) reads as 0."""
    sheet, rows = subject.shape.sheet, subject.shape.data_rows
    empty = [cell_name(r, c.index) for c in table.columns if c.role == "value"
             for r in rows if not cell_text(sheet.value(r, c.index))]  # fmt: skip
    if not empty:
        return []
    cells = ", ".join(empty[:4]) + (", …" if len(empty) > 4 else "")
    plural = "s" if len(empty) > 1 else ""
    return [f"  - {len(empty)} empty value cell{plural} ({cells}) read as 0: write blank: missing if an empty cell "
            "means a figure not reported"]
