"""Reading a plan file into paragraphs and tables, whatever its format.

Spreadsheets and the decoding of text files are `core.excel`'s (`read_sheets`, `decode_text`); what
is read here is a plan's own structure: the paragraphs and tables of a Word file, and the text
export whose cells are tab-indented lines (or tab/"|"-separated rows). Text copied out of a PDF, its lines
broken at one width, is put back into paragraphs by the rules `core.pdf` uses on a page.

Tables keep what is known about merged cells: a cell that continues the one above (`up`) or the
one to its left (`left`). Word and Excel say so exactly; a text export (cells as tab-indented
lines, rows separated by blank lines) only shows a blank cell, so there `up` is None: unknown.
"""

import os
import re
from collections import Counter
from dataclasses import dataclass, field

from zhiben.core.cntext import display_width
from zhiben.core.convert import old_word_kind, to_docx
from zhiben.core.excel import (
    SheetData,
    aligned_pieces,
    aligned_rows,
    cell_text,
    decode_text,
    docx_blocks,
    read_sheets,
)
from zhiben.core.exceptions import ApplicationError
from zhiben.core.pdf import ITEM_START, PDF_MAGIC, Grid, first_piece, join_text, pdf_blocks

from .tables import header_roles_ok

TEXT_EXTS = {".txt", ".text", ".md", ".csv", ".tsv"}
DOCX_EXTS = {".docx", ".docm"}
SHEET_EXTS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".et", ".ods"}  # .et: WPS 表格, kept as an .xls


@dataclass
class Cell:
    text: str = ""
    up: bool | None = False
    left: bool = False


@dataclass
class Table:
    rows: list
    where: list = field(default_factory=list)  # a source label per row ("第12行", "表1第3行")
    title: str = ""
    exact: bool = True  # merged cells and header spans are known (Word, Excel)


@dataclass
class Paragraph:
    text: str
    where: str = ""


@dataclass
class Document:
    blocks: list
    text: str


def read_document(data, filename):
    """Bytes of a .txt/.docx/.xlsx (or .xls/.ods, an old .doc/.wps/.rtf, a PDF with text) file → Document;
    ApplicationError if unreadable."""
    name = os.path.basename(filename or "") or "文件"
    if not data or not data.strip():
        raise ApplicationError(f"文件“{name}”是空的。")
    ext = os.path.splitext(name)[1].lower()
    if ext in DOCX_EXTS or (not ext and data[:2] == b"PK" and b"word/" in data[:4096]):
        return read_docx(data, name)
    if ext in SHEET_EXTS or (not ext and data[:2] == b"PK"):
        return read_sheet(data, name)
    kind = old_word_kind(data)
    if kind:  # .doc, WPS .wps, .rtf (whatever the name says): LibreOffice makes a .docx of it
        return read_docx(to_docx(data, kind, name=name), name)
    if ext in (".doc", ".wps", ".rtf"):
        raise ApplicationError(
            f"无法读取“{name}”：文件已损坏或不是 Word 文档，请在 Word 或 WPS 中另存为 .docx 后再导入。"
        )
    if ext == ".pdf" or data.startswith(PDF_MAGIC):  # a plan as published: paragraphs put together, ruled tables
        return read_pdf(data, name)
    if ext and ext not in TEXT_EXTS:
        raise ApplicationError(f"暂不支持“{ext}”文件，请导入 .docx、.xlsx 或 .txt 文件。")
    return read_text(decode_text(data, name=name))


# --- plain text --------------------------------------------------------------------------------


def _is_cell_line(line):
    return line.startswith("\t")


def _is_blank(line):
    return not line.startswith("\t") and not line.strip()


def _cell_text(line):
    return line.strip()


# a line naming where the text was copied from ("# source: http://…", a bare address) is not the plan's
_SOURCE_LINE = re.compile(r"^\s*(?:#+\s*(?:source|来源|出处|原文|网址)\s*[:：]|(?:https?://|www\.)\S+\s*$)", re.I)
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")


def _wrap_width(lines):
    """The width at which the text's lines were broken (text copied out of a PDF): the most usual one, when most lines
    end within two Chinese characters of it and hardly any goes past more than a hanging mark; None for text with a
    line per paragraph."""
    widths = Counter(display_width(x.rstrip()) for x in lines if x.strip() and not _is_cell_line(x) and "|" not in x)
    total = sum(widths.values())
    if total < 8:
        return None
    width = max(widths, key=lambda w: (widths[w], w))
    near = sum(n for w, n in widths.items() if width - 4 <= w <= width + 2)
    over = sum(n for w, n in widths.items() if w > width + 2)
    return width if width >= 30 and near >= max(5, 0.35 * total) and over <= 0.05 * total else None


def _runs_on(before, line, width, margin):
    """Whether `line` goes on the paragraph that `before`, the line above, is part of, in text broken at `width`
    columns whose lines start at `margin`: not when it is indented or numbered, nor when the line above ended short
    by more than this line's first unbreakable piece ("制，", "2026年") needs."""
    text = line.strip()
    if display_width(line) - display_width(line.lstrip()) > margin + 1 or ITEM_START.match(text):
        return False
    return width - display_width(before.rstrip()) <= display_width(text[: first_piece(text)]) + 1


def read_text(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = ["" if _SOURCE_LINE.match(line) else line for line in lines]
    width = _wrap_width(lines)
    margin = min((display_width(x) - display_width(x.lstrip()) for x in lines if x.strip()), default=0)
    blocks, i, last_line = [], 0, None
    while i < len(lines):
        line = lines[i]
        if _is_cell_line(line) and (i == 0 or not _is_cell_line(lines[i - 1])):
            table, end = _text_table_at(lines, i)
            if table:
                blocks.append(table)
                i = end
                continue
        delimited = _delimited_table_at(lines, i) or _aligned_table_at(lines, i)
        if delimited:
            table, end = delimited
            blocks.append(table)
            i = end
            continue
        if line.strip():
            if width and last_line == i - 1 and _runs_on(lines[i - 1], line, width, margin):
                blocks[-1].text = join_text(blocks[-1].text, line.strip(), wrapped=True)
            else:
                blocks.append(Paragraph(_MARKDOWN_HEADING.sub("", line).strip(), f"第{i + 1}行"))
            last_line = i
        i += 1
    _attach_titles(blocks)
    return Document(blocks, "\n".join(lines))


def _group_at(lines, i):
    """The cells on consecutive cell lines from i (empty cells included): (texts, end index)."""
    texts = []
    while i < len(lines) and _is_cell_line(lines[i]):
        texts.append(_cell_text(lines[i]))
        i += 1
    return texts, i


def _text_table_at(lines, start):
    """A table whose header row starts at `start` (cells on tab-indented lines), or (None, start)."""
    header, after = _group_at(lines, start)
    if not header_roles_ok(header):
        return None, start
    width = _row_width(lines, after, len(header))
    rows, where = [[Cell(t) for t in header]], [f"第{start + 1}行"]
    cur, cur_line, last_kind, i = None, None, None, after
    while i < len(lines):
        line = lines[i]
        if _is_cell_line(line):
            if cur is None or len(cur) >= width:
                if cur is not None:
                    rows.append(cur)
                    where.append(f"第{cur_line + 1}行")
                cur, cur_line = [], i
            cur.append(_cell_text(line))
            last_kind = "cell"
        elif _is_blank(line):
            j = i + 1
            while j < len(lines) and _is_blank(lines[j]):
                j += 1
            if j >= len(lines):
                i = j
                break
            if _is_cell_line(lines[j]):
                # a blank line between rows — unless the row is short and the cells that follow
                # complete it: then it was a blank paragraph inside the last cell
                following = len(_group_at(lines, j)[0])
                if cur is not None and (len(cur) <= 1 or len(cur) + following > width):
                    rows.append(cur)
                    where.append(f"第{cur_line + 1}行")
                    cur = None
            elif not (cur is not None and len(cur) < width):
                i = j
                break
            last_kind = "blank"
            i = j
            continue
        else:  # a line without indentation: the next paragraph of the last cell, or the end
            if cur is not None and (last_kind != "blank" or len(cur) < width):
                cur[-1] = (cur[-1] + "\n" + line.strip()).strip("\n")
                last_kind = "cont"
            else:
                break
        i += 1
    if cur is not None:
        rows.append(cur)
        where.append(f"第{cur_line + 1}行")
    if len(rows) < 2:
        return None, start
    cells = [rows[0]]
    for row in rows[1:]:
        if len(row) == 1 and width > 2:  # a row spanning the whole table: a heading
            cells.append([Cell(row[0])] + [Cell(row[0], left=True) for _ in range(width - 1)])
        else:
            cells.append([Cell(t, up=False if t else None) for t in row] + [Cell("", up=None)] * (width - len(row)))
    return Table(cells, where, exact=False), i


def _row_width(lines, i, default):
    """The most common number of cells per row in the table whose rows start at line i."""
    sizes = []
    while i < len(lines) and len(sizes) < 200:
        if _is_cell_line(lines[i]):
            n = 0
            while i < len(lines) and _is_cell_line(lines[i]):
                n += 1
                i += 1
            sizes.append(n)
        elif _is_blank(lines[i]):
            i += 1
        else:
            break
    # rows are at least as wide as the header (whose cells may span columns); a cell with a blank
    # paragraph splits its row in two smaller groups
    wide = [s for s in sizes if s >= default] or [s for s in sizes if s >= 2]
    return Counter(wide).most_common(1)[0][0] if wide else default


def _split_delimited(line):
    if "\t" in line.strip("\t"):
        return [c.strip() for c in line.strip("\n").split("\t")]
    if line.count("|") >= 2:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return None


def _delimited_table_at(lines, start):
    """A table with one row per line, cells separated by tabs or "|" (a spreadsheet pasted as text)."""
    header = _split_delimited(lines[start])
    if not header or not header_roles_ok([h for h in header if h]):
        return None
    rows, where, i = [[Cell(h) for h in header]], [f"第{start + 1}行"], start + 1
    while i < len(lines):
        cells = _split_delimited(lines[i]) if lines[i].strip() else None
        if cells is None:
            if lines[i].strip():
                break
            i += 1
            continue
        if set("".join(cells)) <= set("-:| "):
            i += 1
            continue  # a Markdown separator row
        rows.append([Cell(t, up=False if t else None) for t in cells])
        where.append(f"第{i + 1}行")
        i += 1
    if len(rows) < 2:
        return None
    return Table(rows, where, exact=False), i


def _aligned_table_at(lines, start):
    """A task table whose columns are lined up with blanks (`core.excel.aligned_rows`), its header at `start`."""
    header = aligned_pieces(lines[start])
    if len(header) < 3 or not header_roles_ok([t for _, _, t in header]):
        return None
    rows, at, end = aligned_rows(lines, start)
    if len(rows) < 2:
        return None
    cells = [[Cell(t) for t in rows[0]]]
    cells += [[Cell(t, up=False if t else None) for t in row] for row in rows[1:]]  # a blank may be a merge's: unknown
    return Table(cells, [f"第{i + 1}行" for i in at], exact=False), end


def _attach_titles(blocks):
    for k, block in enumerate(blocks):
        if isinstance(block, Table) and not block.title:
            for prev in reversed(blocks[max(0, k - 3) : k]):
                if isinstance(prev, Paragraph) and len(prev.text) <= 60:
                    block.title = prev.text
                    break


# --- Word --------------------------------------------------------------------------------------


def read_docx(data, name):
    """A plan kept as Word (`core.excel.docx_blocks`): its paragraphs (a paragraph's lines each one, numbered by the
    paragraph) and tables with their merged cells. A paragraph that is nothing but Word's number is left out."""
    blocks, texts, n_table = [], [], 0
    for n_para, block in enumerate(docx_blocks(data, name), 1):
        if isinstance(block, Grid):
            n_table += 1
            rows = _cells(SheetData(f"表{n_table}", *block))
            blocks.append(Table(rows, [f"表{n_table}第{r + 1}行" for r in range(len(rows))]))
            texts.extend(c.text for row in rows for c in row if c.text and not c.up and not c.left)
            continue
        for line in block.split("\n"):
            number = ITEM_START.match(line.strip())
            if line.strip() and not (number and number.end() == len(line.strip())):
                blocks.append(Paragraph(line.strip(), f"第{n_para - n_table}段"))
                texts.append(line.strip())
    _attach_titles(blocks)
    return Document(blocks, "\n".join(texts))


# --- PDF ---------------------------------------------------------------------------------------


def read_pdf(data, name):
    """A plan published as PDF (`core.pdf`): its paragraphs, and its ruled tables with their merged cells."""
    blocks, texts, n_table = [], [], 0
    for block in pdf_blocks(data, name=name):
        if isinstance(block, Grid):
            n_table += 1
            rows = _cells(SheetData(f"表{n_table}", *block))
            blocks.append(Table(rows, [f"表{n_table}第{r + 1}行" for r in range(len(rows))]))
            texts.extend(c.text for row in rows for c in row if c.text and not c.up and not c.left)
        else:
            blocks.append(Paragraph(block, f"第{len(blocks) + 1}段"))
            texts.append(block)
    _attach_titles(blocks)
    return Document(blocks, "\n".join(texts))


def _cells(sheet):
    """A sheet's rows as Cells: a merged range's value repeated in the cells it covers, marked as continuing the cell
    above (`up`) or to the left."""
    rows = [[Cell(cell_text(v)) for v in row] for row in sheet.rows]
    for (r, c), (r0, c0) in sheet.merge_origins().items():
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = Cell(rows[r0][c0].text, up=r > r0, left=c > c0)
    return rows


# --- Excel -------------------------------------------------------------------------------------


def read_sheet(data, name):
    """Every sheet of a workbook (`core.excel.read_sheets`) as a table (`_cells`)."""
    blocks, texts = [], []
    for sheet in read_sheets(data, filename=name):
        rows = _cells(sheet)
        rows_kept, where = [], []
        for r, row in enumerate(rows):
            if any(c.text for c in row):
                rows_kept.append(row)
                where.append(f"工作表“{sheet.name}”第{r + 1}行")
        texts.extend(c.text for row in rows_kept for c in row if c.text and not c.up and not c.left)
        # a title row above the header (one merged cell) becomes the table's title
        table = Table(rows_kept, where)
        for row in rows_kept[:3]:
            own = [c.text for c in row if c.text and not c.left]
            if len(own) == 1 and not header_roles_ok([c.text for c in row]):
                table.title = own[0]
                break
        blocks.append(Paragraph(sheet.name, f"工作表“{sheet.name}”"))
        blocks.append(table)
    return Document(blocks, "\n".join(texts))
