"""Reading uploaded tables (xlsx/xls/ods/csv, and the tables of a Word .docx) and text files, and writing xlsx
exports.

- `read_table`: the first sheet as header + rows of cell texts (the simple importers); `sheets_read` tells a user
  which sheets it read.
- `read_sheets`: every sheet with all its rows and merged ranges (`SheetData`; the hazard ledger
  and the plan importer), including the HTML tables and XML 2003 files saved as ".xls", and the
  tables of a Word document (a ledger kept in Word).
- `decode_text`: the one decoder of uploaded text (UTF-8, UTF-16 with BOM, GBK/GB18030).
- `cell_text`: a cell value as trimmed text.
- `write_xlsx` / `put`: every xlsx the platform writes goes through them, so text typed by a user
  ("=HYPERLINK(…)", "+1+1", "@SUM(A1)") is written as text, never as a formula (CSV/formula injection).

Reading uses python-calamine (fast, reads .xls too); every failure becomes an ApplicationError
with a Chinese message, so importers never show a traceback to a user.
"""

import contextlib
import csv
import io
import re
import zipfile
import zlib
from datetime import date, datetime
from functools import partial
from typing import NamedTuple

from django.conf import settings

from . import convert
from .cntext import display_width, is_numbering_row, is_table_edge
from .exceptions import ApplicationError, named
from .isolated import ParserFailed, parse_apart
from .pdf import PDF_MAGIC, SERIAL, Grid, join_text
from .wordnumbers import ListNumbers, W

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = convert.OLE_MAGIC


def _read_bytes(source):
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        return source.read()
    with open(source, "rb") as fh:
        return fh.read()


def _upload_bytes(source):
    """The uploaded file's bytes, refusing an empty or oversized file (IMPORT_MAX_BYTES) in Chinese."""
    max_bytes = settings.IMPORT_MAX_BYTES
    data = _read_bytes(source)
    if not data:
        raise ApplicationError("文件为空。")
    if len(data) > max_bytes:
        raise ApplicationError(f"文件过大：{len(data) / 1048576:.1f} MB，上限为 {max_bytes / 1048576:.0f} MB。")
    return data


def cell_text(value):
    """A cell as trimmed text: 12.0 → '12', dates → 'YYYY-MM-DD'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


HEADER_SCAN = 30  # rows of a sheet searched for the importer's header (a title, 填报单位/日期 lines and notes above it)


def read_table(source, *, filename="", columns=None, sheets=None):
    """Return (header_row_number, headers, [(row_number, [cell texts])]) of an uploaded table.

    Without `columns`: the first sheet (or Word table), its header the first row with at least two non-empty cells.
    With `columns`, the importer's own header reader (header cells → the fields they name, as a dict or set), the
    header is the row among the first HEADER_SCAN that names the most fields, so a title, a 填报单位/填报日期 line or a
    note above it is passed over; and the table is the sheet (or Word table) whose header names the most, so a
    填表说明 sheet before it is passed over; other sheets under the very same header follow it (one table kept a
    sheet a town or a month), their rows numbered with the sheet's name (`SheetRow`); a sheet whose header holds the
    same cells in another order (a column moved) is read too, its cells put in the first header's order. Rows
    repeating the header (a header pasted again, or repeated on each printed page) are left out, as are a row
    numbering the columns under the header and, below the records, notes, signature lines and totals
    (`core.cntext.is_table_edge`). Row numbers are as Excel shows them (in a Word table, as its rows are counted:
    `SheetData.number`).

    `sheets`, a list, is filled with what was read (`TableSheet`): each sheet read with its number of rows, then each
    sheet left out although its header names at least two of the importer's fields and half as many as the table's
    (the same table with a column added or renamed: its rows would be lost unseen), with why in Chinese.
    """
    max_rows = settings.IMPORT_MAX_ROWS
    data = _upload_bytes(source)
    name = (filename or getattr(source, "name", "") or "").lower()
    if _is_word(data):
        book = _word_sheets(data, filename)
    elif data.startswith(PDF_MAGIC):
        book = _pdf_sheets(data, filename)
    elif data.startswith(XLSX_MAGIC) or data.startswith(OLE_MAGIC):
        book = _calamine_sheets(data, first=columns is None)
    elif name.endswith((".csv", ".txt")) or not name:
        book = [_text_sheet("CSV", decode_text(data, name=filename or getattr(source, "name", "")))]
    else:
        raise ApplicationError("文件不是有效的 Excel（.xlsx/.xls）、CSV 或 Word 表格文件，请检查文件内容。")
    if columns is None:
        book = book[:1]
    found = [(sheet, rows, *_header_of(rows, columns)) for sheet in book for rows in [_text_rows(sheet)]]
    sheet, rows, header_index, named = max(found, key=lambda item: item[3])  # the first of the best
    if header_index is None:
        raise ApplicationError("文件中没有表头或数据。")
    headers = rows[header_index]
    body = _records(sheet, rows, header_index, sheet.number)
    report = [TableSheet(sheet.name, len(body))]
    if named > 0:  # the other sheets under the same header: one table kept on several (a town, a month each)
        key = _header_key(headers)
        for other, other_rows, other_index, other_named in found:
            if other is sheet or other_index is None:
                continue
            other_key = _header_key(other_rows[other_index])
            order = _column_order(key, other_key)
            if order is not None:
                records = _records(other, other_rows, other_index, partial(_sheet_row, other))
                if other_key != key:
                    records = [
                        (number, [cells[i] if i < len(cells) else "" for i in order]) for number, cells in records
                    ]
                body += records
                report.append(TableSheet(other.name, len(records)))
            elif other_named >= max(2, named / 2):
                report.append(TableSheet(other.name, 0, _left_out(other.name, sheet.name, key, other_key)))
    if not body:
        raise ApplicationError("文件只有表头，没有数据行。")
    if len(body) > max_rows:
        raise ApplicationError(f"数据行过多：{len(body)} 行，单次导入上限为 {max_rows} 行。")
    if sheets is not None:
        sheets += report
    return sheet.number(header_index), headers, body


class TableSheet(NamedTuple):
    """A sheet `read_table` read (`rows`: how many records it gave), or left out (`left_out`: why, in Chinese)."""

    name: str
    rows: int
    left_out: str = ""


def sheets_read(sheets):
    """“已读取工作表：一镇（120 行）、二镇（98 行）。” for `read_table`'s `sheets` when it read more than one, else ""."""
    read = [f"{s.name}（{s.rows} 行）" for s in sheets if not s.left_out]
    return f"已读取工作表：{'、'.join(read)}。" if len(read) > 1 else ""


class SheetRow(int):
    """The number of a row read from a sheet other than the first one read: an int, shown with its sheet's name
    ("5（二镇）") wherever an importer names the row."""

    def __new__(cls, number, sheet):
        row = super().__new__(cls, number)
        row.sheet = sheet
        return row

    def __str__(self):
        return f"{int(self)}（{self.sheet}）"

    def __format__(self, spec):  # f"第 {number} 行" formats, not str()s, an int
        return f"{format(int(self), spec)}（{self.sheet}）"


def _sheet_row(sheet, index):
    number = sheet.number(index)
    return None if number is None else SheetRow(number, sheet.name)


def _squeezed(cells):
    return ["".join(c.split()) for c in cells]


def _header_key(cells):
    """A header's cells as sheets are compared by: blanks squeezed out, the empty cells after the last left off."""
    key = _squeezed(cells)
    while key and not key[-1]:
        key.pop()
    return key


def _column_order(key, other):
    """For each column of the header `key`, the column of `other` under the same header cell, when `other` holds the
    same cells as `key` in this or another order (`_header_key`s); else None."""
    if sorted(key) != sorted(other):
        return None
    columns = {}
    for index, text in enumerate(other):
        columns.setdefault(text, []).append(index)
    return [columns[text].pop(0) for text in key]


def _left_out(name, table, key, other):
    """Why the sheet `name`, under the header `other`, was not read with the sheet `table` (header `key`)."""
    extra = [f"“{text}”" for text in other if text and text not in key]
    missing = [f"“{text}”" for text in key if text and text not in other]
    differences = [f"多出{'、'.join(extra)}列"] if extra else []
    differences += [f"缺少{'、'.join(missing)}列"] if missing else []
    return (
        f"工作表“{name}”的表头与“{table}”不同（{'，'.join(differences) or '列的名称或个数不一致'}），未导入："
        f"请把表头改成与“{table}”一致后再导入，或将该工作表另存为文件单独导入。"
    )


def _records(sheet, rows, header_index, number):
    """[(row number, cells)] of the records under a sheet's header: see `read_table`."""
    same = _squeezed(rows[header_index])
    body = [
        (number(i), row)
        for i, row in enumerate(rows[header_index + 1 :], start=header_index + 1)
        if any(row)
        and sheet.number(i) is not None  # not a paragraph under a Word table
        and _squeezed(row) != same
    ]
    if body and is_numbering_row(body[0][1]):  # "1 2 3 …" numbering the columns under the header
        body.pop(0)
    while body and is_table_edge(body[-1][1]):  # notes, 填表人/审核人 lines and totals below the records
        body.pop()
    return body


def _text_rows(sheet):
    return [[v.strip() if v.__class__ is str else cell_text(v) for v in row] for row in sheet.rows]  # str: most cells


def _header_of(rows, columns):
    """(index of the header row or None, how many of the importer's fields it names): see `read_table`. Only the
    rows up to the first with two filled cells, and the first HEADER_SCAN, are looked at."""

    def filled(row):
        return sum(1 for c in row if c) >= 2

    first = next((i for i, row in enumerate(rows) if filled(row)), None)
    if first is None:
        return None, -1
    if columns is None:
        return first, 0
    scored = [(len(columns(rows[i])), -i) for i in range(first, min(len(rows), HEADER_SCAN)) if filled(rows[i])]
    named, index = max(scored, default=(0, -first))
    return (-index if named else first), named


# Text starting with one of these is a formula (or a DDE payload) to Excel, WPS or LibreOffice — when
# written as one, when re-entered by a user editing the cell, or when the sheet is saved as CSV.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def as_text(cell):
    """Make `cell` hold its string value as text: openpyxl turns "=…" into a formula and "#N/A" into an
    error value; such strings, and any starting with + - @ tab or CR, are stored as a plain string with
    the quotePrefix style (Excel's leading apostrophe: shown and kept as text, even after editing).
    The value itself is unchanged. Other values (numbers, dates, None) are left alone."""
    if _needs_guard(cell._value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _needs_guard(value):
    from openpyxl.cell.cell import ERROR_CODES

    return isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value in ERROR_CODES)


def put(sheet, row, column, value):
    """Write `value` into cell (row, column) of an ordinary (not write-only) sheet, user text as text
    (see `as_text`); returns the cell for styling. Exports that lay out their own sheet (merged cells,
    fills) write every cell through this."""
    return as_text(sheet.cell(row=row, column=column, value=printable(value)))


def printable(value):
    """`value` without the control characters a workbook cannot hold (a \x0b pasted from a web page
    would make openpyxl refuse the whole export); other values unchanged."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _write_only_row(sheet, row):
    """A row for a write-only sheet: values as they are, except strings that `as_text` must guard,
    which become cells of their own."""
    from openpyxl.cell import WriteOnlyCell

    row = [printable(value) for value in row]
    return [as_text(WriteOnlyCell(sheet, value=value)) if _needs_guard(value) else value for value in row]


def write_xlsx(headers, rows, *, sheet_title="Sheet1", widths=None):
    """Write rows to an .xlsx in memory and return its bytes (streaming writer, bold header).
    Every string is written as text, never as a formula (see `as_text`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(widths or [], start=1):
        from openpyxl.utils import get_column_letter

        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = as_text(WriteOnlyCell(sheet, value=printable(title)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(_write_only_row(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_report(title, sections, *, subtitle="", widths=None):
    """A statistics page as one sheet, the way it is printed and sent on: the title (and `subtitle`: the period,
    the region) on top, then each section of `sections` [(heading, headers, rows)] under its bold heading, a
    blank row between them. Strings are written as text (`as_text`)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def bold(values, size=None):
        cells = []
        for value in values:
            cell = as_text(WriteOnlyCell(sheet, value=printable(value)))
            cell.font = Font(bold=True, size=size)
            cells.append(cell)
        return cells

    sheet.append(bold([title], size=14))
    if subtitle:
        sheet.append(_write_only_row(sheet, [subtitle]))
    for heading, headers, rows in sections:
        sheet.append([])
        sheet.append(bold([heading], size=12))
        sheet.append(bold(headers))
        for row in rows:
            sheet.append(_write_only_row(sheet, row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- whole sheets, with merged cells


class SheetData(NamedTuple):
    """One sheet as read: every row from Excel row 1 (index 0), raw cell values, and merged ranges.

    `rows` is rectangular; values are str, float, int, bool, date, datetime (or "" for empty).
    `merged` holds (first_row, first_col, last_row, last_col), 0-based and inclusive.
    `numbers` is the row number a user is told for each row (see `number`) where it is not the Excel one.
    """

    name: str
    rows: list
    merged: list
    numbers: list | None = None

    def number(self, index):
        """The row number a user finds row `index` by: Excel's (index + 1); in a Word table, the table's own row
        counted from its first (None for a paragraph above or below it)."""
        return index + 1 if self.numbers is None else self.numbers[index]

    def merge_origins(self, limit=200000):
        """{(row, col): (first_row, first_col)} for every cell a merged range covers except its own
        top-left cell (ranges of more than `limit` cells — a merged whole column — are left out)."""
        origin = {}
        for (r0, c0, r1, c1), whole in self.clipped_merges():
            if whole > limit:
                continue
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        origin[(r, c)] = (r0, c0)
        return origin

    def clipped_merges(self):
        """[(merged range cut to the sheet's rows and columns, the cells of the whole range)]: a range may reach past
        the last cell (a merged whole column). Those wholly outside are left out, and so is every range past what
        the sheet holds: ranges that do not overlap cover it at most once, and a damaged or crafted file can list a
        thousand that each cover most of it (a 10 KB workbook held a web worker 48 s)."""
        height, width = len(self.rows), len(self.rows[0]) if self.rows else 0
        room, out = height * width, []
        for r0, c0, r1, c1 in self.merged:
            whole = (r1 - r0 + 1) * (c1 - c0 + 1)
            r1, c1 = min(r1, height - 1), min(c1, width - 1)
            if r1 < r0 or c1 < c0:
                continue
            room -= (r1 - r0 + 1) * (c1 - c0 + 1)
            if room < 0:
                break
            out.append(((r0, c0, r1, c1), whole))
        return out


def read_sheets(source, *, filename=""):
    """Return every sheet of an uploaded table as a list of SheetData (all rows, merged ranges kept).

    Reads .xlsx/.xlsm/.xls/.ods (calamine), CSV/TSV text (UTF-8, UTF-16 or GB18030; comma, tab,
    semicolon or bar), the two "fake .xls" files that old government systems export — an HTML
    table (rowspan/colspan become merged ranges) and an XML Spreadsheet 2003 file — and the tables
    of a Word document (.docx, whatever its name ends with; an old .doc or RTF file converted to
    .docx first, `core.convert`) and the ruled tables of a PDF (`core.pdf`). Anything else — an
    image, an archive, an encrypted workbook — is refused with a Chinese ApplicationError saying what
    the file really is.
    """
    max_rows = settings.IMPORT_MAX_ROWS
    data = _upload_bytes(source)
    name = (filename or getattr(source, "name", "") or "").lower()
    if _is_word(data):
        sheets = _word_sheets(data, filename)
    elif data.startswith(PDF_MAGIC):
        sheets = _pdf_sheets(data, filename)
    elif data.startswith(XLSX_MAGIC):
        _check_zip(data)
        sheets = _calamine_sheets(data)
    elif data.startswith(OLE_MAGIC):
        _check_ole(data)
        sheets = _calamine_sheets(data)
    else:
        sheets = _text_sheets(data, name)
    for sheet in sheets:
        _check_rows(f"工作表“{sheet.name}”", len(sheet.rows), max_rows)
    if not any(any(_filled(v) for v in row) for sheet in sheets for row in sheet.rows):
        raise ApplicationError("文件中没有任何内容。")
    return sheets


def _filled(value):
    return value is not None and value != "" and not (isinstance(value, str) and not value.strip())


_NOT_A_TABLE = {
    b"\x89PNG": "这是 PNG 图片",
    b"\xff\xd8\xff": "这是 JPEG 图片",
    b"GIF8": "这是 GIF 图片",
    b"Rar!": "这是 RAR 压缩包",
    b"7z\xbc\xaf": "这是 7z 压缩包",
}


def _refuse(what):
    raise ApplicationError(f"{what}，不是 Excel 表格：请在 Excel 或 WPS 中另存为 .xlsx（或 .csv）后再导入。")


# What a workbook's or Word file's parts may hold once unpacked: a few MB packed can unpack to gigabytes, and the
# readers would take them all (a 10,000-row ledger's sheet is about 10 MB unpacked, its Word table about 30 MB; a Word
# file's text is parsed into a tree about ten times its size).
MAX_UNPACKED = 256 << 20
MAX_WORD_XML = 64 << 20


# What reading a damaged package raises: a bad directory, a missing part, a field it cannot handle ("zip file version
# 9.9"), data that does not inflate.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    RuntimeError,
    EOFError,
    NotImplementedError,
    zlib.error,
)


def _check_unpacked(infos, label, limit=MAX_UNPACKED):
    if sum(info.file_size for info in infos) > limit:
        raise ApplicationError(f"{label}解压后超过 {limit >> 20} MB，过大或内容异常：请拆分后再导入。")


def check_word_package(package):
    """Refuse a Word file (an open ZipFile) whose parts, or whose text, would unpack to more than the readers take."""
    _check_unpacked(package.infolist(), "Word 文件")
    _check_unpacked([package.getinfo("word/document.xml")], "Word 文件的正文", MAX_WORD_XML)


def _check_zip(data):

    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except ZIP_ERRORS:
        raise ApplicationError("无法读取 Excel 文件：文件已损坏或不完整，请重新保存后再导入。") from None
    names = {info.filename for info in infos}
    _check_unpacked(infos, "Excel 文件")
    if any(n.startswith("xl/") for n in names) or "content.xml" in names:
        return
    if any(n.startswith("ppt/") for n in names):
        _refuse("这是 PowerPoint 演示文稿（.pptx）")
    _refuse("这是一个压缩包")


def _check_ole(data):
    utf16 = lambda s: s.encode("utf-16-le")  # noqa: E731 — OLE directory entry names are UTF-16
    head = data[: 1 << 20]
    if utf16("EncryptedPackage") in head or utf16("EncryptionInfo") in head:
        raise ApplicationError("文件设置了打开密码：请在 Excel 中取消密码后再导入。")
    if utf16("PowerPoint Document") in head:
        _refuse("这是 PowerPoint 演示文稿（.ppt）")


def _is_word(data):
    """Is this a Word document: a .docx (a zip whose main part is word/document.xml), or an old Word or RTF file
    (`core.convert`)?"""

    if not data.startswith(XLSX_MAGIC):
        return convert.old_word_kind(data) is not None
    try:
        return "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except ZIP_ERRORS:
        return False


def _word_sheets(data, name):
    """`_docx_sheets` of a Word document; an old Word or RTF file is converted to .docx first."""
    return _docx_sheets(convert.docx_of(data, name))


DOCX_TEXT_ROWS = 5  # paragraphs kept above a document's table (its title, "填报单位：…") and below it (signatures)


def _docx_sheets(data):
    """The tables of a Word document as sheets (`_document_sheets`): offices keep ledgers as Word tables."""
    return _document_sheets(
        docx_blocks(data),
        "这份 Word 文档中没有表格：台账须是表格（每行一条记录），或在 Excel 中整理为 .xlsx 后再导入。",
    )


def docx_blocks(data, name=""):
    """The paragraphs (str, "" for an empty one) and tables (Grid) of a Word document, in order, those inside content
    controls included. Cells spanning columns (gridSpan) or rows (vMerge) become merged ranges, their text in the first
    cell; an auto-numbered paragraph has the number Word shows before it (an auto-numbered 序号 column shows its
    numbers, a plan's 一、/（一）/1. its structure)."""
    import xml.etree.ElementTree as ET

    what = named(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_word_package(package)
            parts = {
                part: package.read(f"word/{part}.xml")
                for part in ("document", "numbering", "styles")
                if part == "document" or f"word/{part}.xml" in package.namelist()
            }
    except ZIP_ERRORS:
        raise ApplicationError(
            f"无法读取{what}：不是有效的 Word 文件，文件已损坏或不完整，请重新保存后再导入。"
        ) from None
    if any(b"<!DOCTYPE" in xml or b"<!ENTITY" in xml for xml in parts.values()):
        raise ApplicationError(f"无法读取{what}：文件内容不是有效的 Word 文档。")
    try:
        roots = {part: ET.fromstring(xml) for part, xml in parts.items()}
    except ET.ParseError:
        raise ApplicationError(f"无法读取{what}：文件已损坏，请在 Word 或 WPS 中重新保存后再导入。") from None
    body = roots["document"].find(f"{W}body")
    numbers = ListNumbers(roots.get("numbering"), roots.get("styles"))
    return [
        _docx_paragraph(block, numbers) if block.tag == f"{W}p" else Grid(*_docx_table(block, numbers))
        for block in docx_children(body if body is not None else (), f"{W}p", f"{W}tbl")
    ]


def _pdf_sheets(data, name):
    """The tables of a PDF as sheets (`core.pdf`, `_document_sheets`): ledgers and lists published as PDF, ruled or,
    when no page has a ruled table, lined up without lines."""
    from .pdf import pdf_blocks

    return _document_sheets(
        pdf_blocks(data, name=name, borderless=True),
        "这份 PDF 中没有可读取的表格（或是扫描件）：请导入原始的 Excel 或 Word 文件。",
    )


def _document_sheets(blocks, none):
    """Sheets of a document's paragraphs (str) and tables (Grid), in order; ApplicationError(`none`) without a table.

    - Consecutive tables of the same width are one sheet ("表1"), as a table is split by a page break, by a
      heading or by being pasted in parts; a table of another width starts the next sheet, and so does one of the
      same width whose first row is a header of its own (another table: a list of inspectors under a ledger, a
      signature block) — a part that repeats the sheet's header, or starts with data, continues it.
    - Paragraphs become rows of one cell: the few just above a sheet's first table (its title, "填报单位：…"),
      those between its tables and the few just below it, as a title above a sheet's header would be.
    - Rows are numbered as a user counts them in the document: the table's rows from its first, on through its
      continuations.
    """
    sheets, rows, merged, numbers, width, texts, counted = [], None, [], [], 0, [], 0  # counted: table rows so far
    head = None  # the first row of the sheet's first table

    def text_rows(lines):
        numbers.extend([None] * len(lines))
        return [[line] + [""] * (width - 1) for line in lines]

    def close():
        if rows is not None:
            rows.extend(text_rows(texts[:DOCX_TEXT_ROWS]))
            sheets.append(SheetData(f"表{len(sheets) + 1}", rows, merged, numbers))

    for block in blocks:
        if not isinstance(block, Grid):
            if block:
                texts.append(block)
            continue
        table, spans = block
        if not table:
            continue
        if rows is not None and len(table[0]) == width and not _another_header(table[0], head):  # continued
            rows.extend(text_rows(texts))
        else:
            close()
            rows, merged, numbers, width, counted, head = [], [], [], len(table[0]), 0, table[0]
            rows.extend(text_rows(texts[-DOCX_TEXT_ROWS:]))
        top = len(rows)
        numbers.extend(range(counted + 1, counted + len(table) + 1))
        counted += len(table)
        rows.extend(table)
        merged.extend((r0 + top, c0, r1 + top, c1) for r0, c0, r1, c1 in spans)
        texts = []
    close()
    if not sheets:
        raise ApplicationError(none)
    return sheets


def _another_header(row, head):
    """Whether a table's first `row` is a header other than the sheet's `head`: both read as headers (most cells
    filled, each a short label without a digit — a data row has its 序号, dates, amounts or long text) and differ."""

    def labels(cells):
        found = ["".join(c.split()) for c in cells if c.__class__ is str and c.strip()]  # as wrapped on any page
        short = all(len(c) <= 16 and not any(ch.isdigit() for ch in c) for c in found)
        return found if short and len(found) >= max(2, (len(cells) + 1) // 2) else None

    mine, theirs = labels(row), labels(head)
    return mine is not None and theirs is not None and mine != theirs


def _docx_paragraph(p, numbers):
    """A paragraph's text: the number Word shows before it when it is auto-numbered (`core.wordnumbers`), its runs'
    text, tabs as spaces and line breaks kept (deleted text and field codes are in other elements, and left out)."""
    label, parts = numbers.label(p), []
    for node in p.iter():
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append(" ")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return label + "".join(parts).replace("\xa0", " ").strip()


def docx_children(parent, *tags):
    """`parent`'s children of `tags`, in order, looking inside content controls (w:sdt: a paragraph, table, row or
    cell can sit in one)."""
    for child in parent:
        if child.tag in tags:
            yield child
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from docx_children(content, *tags)


def _docx_value(element, path):
    """The w:val of the element at `path` under `element` as a whole number, or None."""
    found = element.find(path)
    try:
        return max(0, min(int(found.get(f"{W}val")), 1000))
    except (AttributeError, TypeError, ValueError):
        return None


def _docx_table(tbl, numbers):
    """(rows of cell texts, merged ranges) of a Word table; a nested table's text stays in its cell."""
    rows, spans, down = [], [], {}  # down: grid column → the index in spans of the vertical merge open there
    laid = 0  # cells so far, those under merges counted (`MAX_LAID_OUT`)
    for r, tr in enumerate(docx_children(tbl, f"{W}tr")):
        before = _docx_value(tr, f"{W}trPr/{W}gridBefore") or 0
        row = [""] * before
        for c in range(before):
            down.pop(c, None)
        for tc in docx_children(tr, f"{W}tc"):
            c, span = len(row), _docx_value(tc, f"{W}tcPr/{W}gridSpan") or 1
            if laid + c + span > MAX_LAID_OUT:  # each cell spans up to 1,000 columns: checked before it is laid out
                raise _too_many_cells("Word 表格")
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            if vmerge is not None and vmerge.get(f"{W}val", "continue") == "continue" and c in down:
                spans[down[c]][2] = r  # the cell above reaches down to this row
                row.extend([""] * span)
                continue
            for k in range(c, c + span):
                down.pop(k, None)
            row.append("\n".join(t for t in (_docx_paragraph(p, numbers) for p in tc.iter(f"{W}p")) if t))
            row.extend([""] * (span - 1))
            if vmerge is not None or span > 1:
                if vmerge is not None:
                    down[c] = len(spans)
                spans.append([r, c, r, c + span - 1])
        rows.append(row)
        laid += len(row)
    if len(rows) * max(map(len, rows), default=0) > MAX_CELLS:  # made rectangular below
        raise _too_many_cells("Word 表格")
    if not any(any(row) for row in rows):
        return [], []
    rows = _rectangular(rows)
    return rows, [tuple(s) for s in spans if (s[0], s[1]) != (s[2], s[3])]


def _calamine_sheets(data, *, first=False):
    """The worksheets of an .xlsx/.xls/.ods file (only the first one when `first`), read in a process of its own
    (`core.isolated`): on damaged and crafted workbooks, calamine's Rust code has panicked, and has asked for 40 GB
    (a damaged .xls) or 512 GB (a 1.5 KB .xlsx with a cell in XFD1048576) and aborted."""
    try:
        return parse_apart("workbook", data, "", first, settings.IMPORT_MAX_ROWS)
    except ParserFailed:
        declared = _declared_extent(data)
        if declared:
            _check_extent("", *declared, settings.IMPORT_MAX_ROWS)
        raise


def _calamine_read(data, name="", first=False, max_rows=None):
    """`_calamine_sheets`' reading itself (`name` is what `core.isolated` hands every parser; calamine's messages do
    not need it). A sheet whose cells reach beyond the rows (`max_rows`) or cells an import takes is refused before its
    cells are made Python values."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise ApplicationError("文件中没有工作表。")
        sheets = []
        for index, meta in enumerate(book.sheets_metadata):
            if "WorkSheet" not in str(meta.typ):
                continue
            sheet = book.get_sheet_by_index(index)
            if sheet.end is not None:
                _check_extent(meta.name, sheet.end[0] + 1, sheet.end[1] + 1, max_rows)
            rows = sheet.to_python(skip_empty_area=False)
            try:
                merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            except BaseException as exc:  # merged ranges are a help, never a reason to refuse a file
                if not _corrupt(exc):
                    raise
                merged = []
            sheets.append(SheetData(meta.name, _rectangular(rows), merged))
            if first:
                break
    except ApplicationError:
        raise
    except BaseException as exc:  # calamine raises its own error types for corrupt files, or panics
        if not _corrupt(exc):
            raise
        raise ApplicationError(f"无法读取 Excel 文件：文件已损坏或格式不受支持（{type(exc).__name__}）。") from None
    if not sheets:
        raise ApplicationError("文件中没有工作表。")
    return sheets


# The most cells a sheet may span, from A1 to its last cell: 100,000 rows of 100 columns. Reading them takes about
# 1 GB in all; a sheet spanning more holds a stray cell far outside its table, or was made to.
MAX_CELLS = 10_000_000


def _check_extent(name, rows, columns, max_rows):
    """Refuse a sheet (`name`, "" when not known) spanning `rows` × `columns` from A1 beyond what an import reads,
    saying how far it reaches: most often one stray entry far outside the table. Called for every cell a table is laid
    out by: the message is only made for a refusal."""
    too_many_rows = max_rows is not None and rows > _row_limit(max_rows)
    if not too_many_rows and rows * columns <= MAX_CELLS:
        return
    from openpyxl.utils import get_column_letter

    sheet = f"工作表“{name}”" if name else "工作表"
    last = f"{get_column_letter(columns)}{rows}" if columns <= 16384 else None
    stray = "若表格以外远处有多余的内容，请删除后再导入"
    if too_many_rows:
        raise ApplicationError(
            f"数据行过多：{sheet}的内容延伸到第 {rows:,} 行{f'（单元格 {last}）' if last else ''}，"
            f"单次导入上限为 {max_rows} 行。{stray}；否则请拆分后导入。"
        )
    raise ApplicationError(
        f"{sheet}的范围过大：{f'从 A1 到 {last}' if last else '共'}（{rows:,} 行 × {columns:,} 列），"
        f"超过单次导入上限 {MAX_CELLS:,} 个单元格。{stray}。"
    )


def _row_limit(max_rows):
    return max_rows + 1000  # title, header and footer rows come on top of the data rows


def _check_rows(sheet, rows, max_rows):
    if rows > _row_limit(max_rows):
        raise ApplicationError(f"数据行过多：{sheet}有 {rows} 行，单次导入上限为 {max_rows} 行。")


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref\s*=\s*[\"'](?:[A-Za-z]+\d+:)?([A-Za-z]{1,3})(\d{1,7})[\"']")


def _declared_extent(data):
    """(rows, columns) of the largest range a workbook's sheets declare they use (`<dimension ref="A1:K120"/>`, which
    Excel and WPS write near the top of each sheet), or None: what to tell the user when reading it failed."""
    from openpyxl.utils import column_index_from_string

    found = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for info in package.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with package.open(info) as part:
                        match = _DIMENSION.search(part.read(4096))
                    if match:
                        found.append((int(match[2]), column_index_from_string(match[1].decode().upper())))
    except ZIP_ERRORS:
        return None
    return max(found, key=lambda extent: extent[0] * extent[1], default=None)


def _corrupt(exc):
    """Whether calamine failed on the file: one of its errors, or a panic in its Rust code on a damaged file (pyo3's
    PanicException derives from BaseException, so `except Exception` lets it through as a server error)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _rectangular(rows):
    width = max((len(r) for r in rows), default=0)
    return [r if len(r) == width and r.__class__ is list else list(r) + [""] * (width - len(r)) for r in rows]


class NotTextError(ApplicationError):
    """The bytes are not text at all (a binary file): readers that expect a table say so in their words."""


def decode_text(data, *, name=""):
    """The text of an uploaded text file (CSV, TXT, an HTML or XML "xls" …): UTF-16 when it has a
    byte-order mark, else UTF-8 (with or without BOM), else GB18030 (which reads GBK and GB2312).
    Binary data — NUL bytes, or more than 1 % control characters — raises NotTextError, bytes that
    no encoding reads an ApplicationError; both in Chinese, naming the file when `name` is given."""
    what = named(name)
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data[:8192] and not utf16:
        raise NotTextError(f"无法读取{what}：文件不是文本文件（可能已损坏或格式不对）。")
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = text[:8192]
        if sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n\f") > max(2, len(head) // 100):
            raise NotTextError(f"无法读取{what}：文件不是文本文件（可能已损坏或格式不对）。")
        return text
    raise ApplicationError(f"无法读取{what}：无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码后再导入。")


def _text_sheets(data, name):
    for magic, what in _NOT_A_TABLE.items():
        if data.startswith(magic):
            _refuse(what)
    try:
        text = decode_text(data)
    except NotTextError:
        raise ApplicationError("文件不是有效的 Excel（.xlsx/.xls）或 CSV 文件，请检查文件内容。") from None
    head = text[:4096].lstrip().lower()
    if head.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:8192]:
        return _spreadsheetml_sheets(text)
    if head.startswith("<") and "<table" in text.lower():
        return _html_sheets(text)
    if any(ord(ch) < 32 and ch not in "\t\r\n\x0c" for ch in text[:4096]):
        raise ApplicationError("文件不是有效的 Excel（.xlsx/.xls）或 CSV 文件，请检查文件内容。")
    sheet = _text_sheet(name.rsplit("/", 1)[-1] or "CSV", text)
    if (
        name
        and not name.endswith((".csv", ".txt", ".tsv"))
        and not any(len([c for c in r if c.strip()]) >= 2 for r in sheet.rows)
    ):
        raise ApplicationError("文件不是有效的 Excel（.xlsx/.xls）或 CSV 文件，请检查文件内容。")
    return [sheet]


def _text_sheet(name, text):
    """The sheet of a text table: CSV (or TSV, …), else columns lined up with blanks, its rows numbered by line."""
    rows, numbers = _split_text(text)
    _check_extent(name, len(rows), max(map(len, rows), default=0), settings.IMPORT_MAX_ROWS)  # before padding
    return SheetData(name, _rectangular(rows), [], numbers)


# --- columns lined up with blanks (a fixed-width export, text copied out of a PDF) ----------------------------------

_GAP = re.compile(r"(?: {2,}|\u3000+|\t)+")
_SERIAL_HEADER = re.compile(r"^(?:序号|编号|序)$")


def aligned_pieces(line):
    """The pieces of a line that two or more blanks set apart, each with the columns (a Chinese character two) it
    starts and ends at: [(start, end, text)]."""
    out, at, width = [], 0, 0  # width: the columns of line[:at]
    for part in _GAP.split(line.rstrip()):
        at_part = line.index(part, at) if part else at
        if part.strip():
            start = width + display_width(line[at:at_part])
            out.append((start, start + display_width(part), part.strip()))
        width += display_width(line[at : at_part + len(part)])
        at = at_part + len(part)
    return out


def aligned_rows(lines, start):
    """The rows of a table lined up with blanks whose header is lines[start]: the header's pieces set the columns, a
    line's pieces fall in the column they start in (a column begins midway from the one before), so an empty cell is
    just blank. Where the first column is a 序号, a line without one continues the row above (a cell's text wrapped in
    its column). Returns (rows of texts, the index of each row's line, the index after the table)."""
    header = aligned_pieces(lines[start])
    bounds = [(a[1] + b[0]) / 2 for a, b in zip(header, header[1:])]
    numbered = bool(_SERIAL_HEADER.match(header[0][2]))
    rows, at, i, blank = [[text for _, _, text in header]], [start], start + 1, 0
    while i < len(lines):
        if not lines[i].strip():
            i, blank = i + 1, blank + 1
            continue
        row = [""] * len(header)
        for begin, _, text in aligned_pieces(lines[i]):
            column = sum(begin >= b for b in bounds)
            row[column] = join_text(row[column], text, wrapped=True)
        if numbered and not row[0] and len(rows) > 1 and blank <= 1:  # the row above goes on
            rows[-1] = [join_text(a, b, wrapped=True) if b else a for a, b in zip(rows[-1], row, strict=True)]
        elif (numbered and SERIAL.match(row[0])) or (not numbered and sum(1 for t in row if t) >= 2):
            rows.append(row)
            at.append(i)
        else:
            break
        i, blank = i + 1, 0
    return rows, at, i - blank


def _aligned_sheet_rows(text):
    """A text table lined up with blanks as (sheet rows, their line numbers): the lines above its header and below its
    end as rows of one cell (a title, "填报单位：…"); None when the text is not one (no line of three pieces or more
    with a row of two or more under it in its first 30 lines)."""
    lines = text.splitlines()
    for start in range(min(len(lines), 30)):
        if len(aligned_pieces(lines[start])) < 3:
            continue
        rows, at, end = aligned_rows(lines, start)
        if len(rows) < 2:
            continue
        above = [i for i, line in enumerate(lines[:start]) if line.strip()]
        below = [end + i for i, line in enumerate(lines[end:]) if line.strip()]
        one_cell = [[lines[i].strip()] for i in above + below]  # made as wide as the table by _rectangular
        rows = one_cell[: len(above)] + rows + one_cell[len(above) :]
        return rows, [i + 1 for i in above + at + below]
    return None


def _split_text(text):
    """(CSV rows, None); the delimiter is the one that cuts the first lines into the most equal-width rows. Text with
    no delimiter whose columns are lined up with blanks gives (its rows, their line numbers).

    Descriptions are full of "，", so a full-width comma is the delimiter only when no ASCII one fits.
    """
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = None, 1
    for delimiter in (",", "\t", ";", "|"):
        try:
            widths = [len(row) for row in csv.reader(io.StringIO("\n".join(sample)), delimiter=delimiter)]
        except csv.Error:  # a cell over the reader's limit: not this delimiter's fault alone, told below
            continue
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = wide.count(mode) + (0.5 if mode > 2 else 0)
        if score > best_score:
            best, best_score = delimiter, score
    if best is None:
        aligned = _aligned_sheet_rows(text)
        if aligned:
            return aligned
        if any("，" in line for line in sample):  # a hand-typed "CSV" with full-width commas
            return [line.split("，") for line in text.splitlines()], None
        best = ","
    reader = csv.reader(io.StringIO(text), delimiter=best)
    try:
        return list(reader), None
    except csv.Error:  # a cell of more than 131,072 characters (an unclosed quote takes in the rest of the file)
        raise ApplicationError(
            f"无法读取 CSV 文件：第 {reader.line_num} 行起有一个单元格超过 131,072 个字符（常因引号不成对）。"
            "请在 Excel 或 WPS 中打开检查，另存为 .xlsx 后再导入。"
        ) from None


def _html_sheets(text):
    """Tables of an HTML page (what many systems send as "xxx.xls"); rowspan/colspan → merged ranges."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tables, self.depth, self.cell, self.skip = [], 0, None, 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.skip += 1
            elif tag == "table":
                self.depth += 1
                if self.depth == 1:
                    self.tables.append([])
            elif self.depth == 1 and tag == "tr":
                self.tables[-1].append([])
            elif self.depth == 1 and tag in ("td", "th"):
                if not self.tables[-1]:
                    self.tables[-1].append([])
                a = dict(attrs)
                self.cell = {"text": [], "rowspan": _span(a.get("rowspan")), "colspan": _span(a.get("colspan"))}
                self.tables[-1][-1].append(self.cell)
            elif tag in ("br", "p", "div", "tr") and self.cell is not None:
                self.cell["text"].append("\n")

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.skip = max(0, self.skip - 1)
            elif tag == "table":
                self.depth -= 1
            elif self.depth == 1 and tag in ("td", "th"):
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None and not self.skip:
                self.cell["text"].append(data)

    parser = Parser()
    parser.feed(text)
    sheets = []
    for number, table in enumerate(parser.tables, start=1):
        grid, merged = {}, []
        for r, row in enumerate(table):
            c = 0
            for cell in row:
                while (r, c) in grid:
                    c += 1
                value = "\n".join(
                    part.strip() for part in "".join(cell["text"]).replace("\xa0", " ").split("\n")
                ).strip()
                _lay_out(grid, merged, f"表{number}", r, c, cell["rowspan"] - 1, cell["colspan"] - 1, value)
                c += cell["colspan"]
        if not grid:
            continue
        sheets.append(SheetData(f"表{number}", _grid_rows(grid), merged))
    if not sheets:
        raise ApplicationError("文件中没有表格。")
    return sheets


def _span(value, least=1):
    """A cell's span as written (colspan, MergeAcross …), from `least` to 1,000; `least` when it is not a number."""
    try:
        return max(least, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return least


def _position(value, following):
    """A 0-based row or column from an ss:Index as written (1-based), or `following` when it has none or it is not
    a number (a damaged file is read as far as it goes)."""
    try:
        return max(0, int(str(value).strip()) - 1) if value is not None else following
    except ValueError:
        return following


# The most cells a table laid out cell by cell (an HTML page's, an XML 2003 spreadsheet's) may fill, its merged ranges
# counted cell by cell: 100,000 rows of 20. Each takes about 100 bytes while the table is laid out.
MAX_LAID_OUT = 2_000_000


def _grid_rows(grid):
    """The rows of a laid-out grid ({(row, col): text}, `_lay_out`), from A1 to its last cell, "" where it has none."""
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


def _too_many_cells(what):
    return ApplicationError(f"{what}的单元格过多（超过 {MAX_LAID_OUT:,} 个，合并单元格按所占格数计）：请拆分后再导入。")


def _lay_out(grid, merged, name, r, c, down, across, value):
    """Put `value` at (r, c) of `grid` ({(row, col): text}), the cells its span covers ("" under a merge) with it;
    ApplicationError when the table would reach beyond what an import reads (`_check_extent`, `MAX_LAID_OUT`)."""
    _check_extent(name, r + down + 1, c + across + 1, settings.IMPORT_MAX_ROWS)
    if len(grid) + (down + 1) * (across + 1) > MAX_LAID_OUT:
        raise _too_many_cells(f"工作表“{name}”")
    for dr in range(down + 1):
        for dc in range(across + 1):
            grid[(r + dr, c + dc)] = value if (dr, dc) == (0, 0) else ""
    if down or across:
        merged.append((r, c, r + down, c + across))


def _spreadsheetml_sheets(text):
    """An "XML 电子表格 2003" file: Worksheet/Table/Row/Cell with ss:Index, ss:MergeAcross, ss:MergeDown."""
    import xml.etree.ElementTree as ET

    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ApplicationError("文件不是有效的 XML 电子表格。")
    ns = "{urn:schemas-microsoft-com:office:spreadsheet}"
    try:
        root = ET.fromstring(_drop_xml_decl(text.lstrip()))
    except ET.ParseError as exc:
        raise ApplicationError("无法读取 XML 电子表格：文件已损坏。") from exc
    sheets = []
    for ws in root.iter(f"{ns}Worksheet"):
        grid, merged, r = {}, [], -1
        name = ws.get(f"{ns}Name") or f"表{len(sheets) + 1}"
        for row in ws.iter(f"{ns}Row"):
            r = _position(row.get(f"{ns}Index"), r + 1)
            c = -1
            for cell in row.findall(f"{ns}Cell"):
                c = _position(cell.get(f"{ns}Index"), c + 1)
                while (r, c) in grid:
                    c += 1
                data = cell.find(f"{ns}Data")
                value = "".join(data.itertext()).strip() if data is not None else ""
                kind = data.get(f"{ns}Type") if data is not None else ""
                if kind == "Number":
                    with contextlib.suppress(ValueError):
                        value = float(value)
                elif kind == "DateTime" and value:
                    with contextlib.suppress(ValueError):
                        value = datetime.fromisoformat(value[:19])
                across = _span(cell.get(f"{ns}MergeAcross", 0), least=0)
                down = _span(cell.get(f"{ns}MergeDown", 0), least=0)
                _lay_out(grid, merged, name, r, c, down, across, value)
                c += across
        if grid:
            sheets.append(SheetData(name, _grid_rows(grid), merged))
    if not sheets:
        raise ApplicationError("XML 电子表格中没有工作表。")
    return sheets


def _drop_xml_decl(text):
    """The declaration may name an encoding the text no longer has (it was decoded already)."""
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    return text.encode("utf-8")
