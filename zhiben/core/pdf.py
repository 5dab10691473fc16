"""What a PDF holds as paragraphs and ruled tables: plans and ledgers are published as PDF.

pdfplumber (on pdfminer.six) gives each character with its place on the page, and finds tables by their ruling
lines, merged cells included. What is left to do here is to put paragraphs back together: a PDF holds lines, not
paragraphs, and breaks a paragraph at every line of the page and every page.

`pdf_blocks(data)` returns, in reading order, paragraphs (str) and tables (`Grid`: rows of cell texts and the
merged ranges, as a sheet has them). A line starts a paragraph when it is indented from the page's left margin
(公文 indent a paragraph's first line by two characters; a centred title is "indented" too), when the line before it
ended further short of the right margin than this line's first unbreakable piece ("制，", "100%。") would have
needed, when it opens with an item's number ("（二）", "3."), or when more space than
between a paragraph's lines sets it apart. A paragraph runs on over a page break; page numbers ("— 3 —") are left
out. A cell's lines are joined the same way within the cell. A table continued on the next page, its header row
repeated or not, is one table. A scanned PDF holds no text and is refused, as is a damaged or encrypted one.

An uploaded PDF is parsed in a process of its own under memory and time limits (`core.isolated`): a crafted file can
make pdfminer take memory and time without end, and the web worker must not go with it.
"""

import io
import re
from typing import NamedTuple

from .exceptions import ApplicationError, named
from .isolated import of_memory, parse_apart

PDF_MAGIC = b"%PDF"
MAX_PAGES = 500
# a line opening with a heading's or an item's number starts a paragraph: 一、 （一） 1. 1、 （1） 第一章
ITEM_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十\d]+[章节条部分])"
)
PAGE_NUMBER = re.compile(r"^[\s\-—–－·•]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[\s\-—–－·•]*$")
# A line runs on into the next when it ends no further short of the right margin than the next line's first
# unbreakable piece (a Latin word or figure, or a character with the punctuation that may not open a line: "制，",
# "100%。") is wide, plus SLACK ems (spacing); on a page, also when it ends within RUN_ON ems of the margin (text
# set ragged, in which the typesetter keeps more together).
RUN_ON = 3.5
SLACK = 0.3
_UNIT = re.compile(r"[（(「『“‘《〈【\[]*(?:[A-Za-z0-9.%‰+\-/:]+|.)[，。、；：！？）」』”’》〉】,.;:!?)\]]*")
OPENING, CLOSING, QUOTES = "（(「『“‘《〈【[", "，。、；：！？）」』”’》〉】,.;:!?)]", "“”‘’\"'"


def first_piece(text):
    """The length of the first piece of `text` that a line cannot break: a character (or Latin word) with the closing
    marks after it, and on through an opening mark, a quotation mark (which binds on both sides) or a figure after a
    closing mark: "制，", "100%。", "进“九", "所”智", "度，2020"."""
    end = 0
    while True:
        found = _UNIT.match(text, end)
        if not found:
            return max(end, 1)
        end = found.end()
        if end >= len(text):
            return end
        before, after = text[end - 1], text[end]
        binds = before in QUOTES or after in OPENING or after in QUOTES
        if not binds and before in CLOSING and after.isascii() and after.isalnum():
            binds = True  # a figure straight after a closing mark stays with it: "度，2020"
        if not binds:
            return end


class Grid(NamedTuple):
    """A document's table (a PDF's, a Word file's): rows of cell texts ("" under a merge) and merged ranges
    (r0, c0, r1, c1), as SheetData has them."""

    rows: list
    merged: list


class Line(NamedTuple):
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    piece: float  # the width of its first piece that a line cannot break (first_piece), in points


def pdf_blocks(data, *, name="", borderless=False):
    """The paragraphs (str) and tables (Grid) of a PDF, in reading order (see the module's text), read in a process of
    its own under the memory and time limits of the settings. `borderless`: when no page has a ruled table, tables
    are found by how their text lines up (a table printed without lines; for readers that want tables, not prose)."""
    return parse_apart("pdf", data, name, borderless)


def _parse(data, name, borderless=False):
    import pdfplumber

    what = named(name)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds on damaged or encrypted files (PDFSyntaxError, …)
        if of_memory(exc):
            raise
        message = "设置了打开密码" if "password" in type(exc).__name__.lower() else "已损坏"
        raise ApplicationError(f"无法读取{what}：PDF 文件{message}，请导入 Word、Excel 或文本文件。") from None
    with pdf:
        try:
            count = len(pdf.pages)
            if count > MAX_PAGES:
                raise ApplicationError(f"{what}有 {count} 页，超过单次导入上限 {MAX_PAGES} 页。")
            pages = [_page_items(page) for page in pdf.pages]
            if borderless and not any(isinstance(item, Grid) for items, _ in pages for item in items):
                pages = [_page_items(page, lined_up=True) for page in pdf.pages]
        except ApplicationError:
            raise
        except Exception as exc:  # pdfminer's own errors on damaged content streams
            if of_memory(exc):
                raise
            raise ApplicationError(f"无法读取{what}：PDF 文件内容已损坏，请导入 Word、Excel 或文本文件。") from None
    blocks = _blocks(pages)
    if not any(isinstance(b, Grid) or b.strip() for b in blocks):
        raise ApplicationError(
            f"{what}中没有可读取的文字（可能是扫描件或图片）：请导入 Word（.docx/.doc）、Excel 或文本文件。"
        )
    return blocks


# how pdfplumber finds a table printed without lines: columns where words line up, rows at each line of text
LINED_UP = {"vertical_strategy": "text", "horizontal_strategy": "text"}


def _page_items(page, *, lined_up=False):
    """A page's text lines outside its tables and its tables (as Grids), in reading order; and the text's margins.
    Tables are found by their ruling lines, or (`lined_up`) by how their words line up in three columns or more."""
    if lined_up:
        tables = [t for t in page.find_tables(LINED_UP) if len(t.columns) >= 3 and len(t.rows) >= 2]
    else:
        tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    words = page.extract_words(return_chars=True)
    outside = [w for w in words if not any(_inside(w, box) for box in boxes)]
    lines = [_line(group) for group in _lines_of(outside)]
    items = [(line.top, line) for line in lines if not PAGE_NUMBER.match(line.text)]
    items.extend((table.bbox[1], _lined_up_grid(table) if lined_up else _grid(table, words)) for table in tables)
    # the text's margins: those of its lines, and of its tables (a page of a ledger holds few lines, all short)
    edges = [(line.x0, line.x1) for _, line in items if isinstance(line, Line)] + [(b[0], b[2]) for b in boxes]
    margins = (min((x0 for x0, _ in edges), default=0.0), max((x1 for _, x1 in edges), default=0.0))
    return [item for _, item in sorted(items, key=lambda pair: pair[0])], margins


def _grid(table, words):
    """The Grid of a pdfplumber table. Rows and columns are read off the cells' own edges (a merged cell spans those
    its box crosses); each cell holds its words, its lines joined into paragraphs."""
    cells = table.cells
    tops = sorted({round(top, 1) for _, top, _, _ in cells})
    lefts = sorted({round(x0, 1) for x0, _, _, _ in cells})
    texts = [[""] * len(lefts) for _ in tops]
    merged = []
    for box in cells:
        x0, top, x1, bottom = box
        r0, c0 = tops.index(round(top, 1)), lefts.index(round(x0, 1))
        r1 = max(r0, sum(1 for t in tops if t < bottom - 1) - 1)
        c1 = max(c0, sum(1 for x in lefts if x < x1 - 1) - 1)
        if (r1, c1) != (r0, c0):
            merged.append((r0, c0, r1, c1))
        lines = [_line(group) for group in _lines_of([w for w in words if _inside(w, box)])]
        if lines:
            cell, left = _Paragraphs(0), min(line.x0 for line in lines)
            # the text's right margin: as far in from the cell's right edge as its left margin is from its left
            cell.add(lines, left, max(x1 - (left - x0), max(line.x1 for line in lines)))
            texts[r0][c0] = "\n".join(cell.flush())
    return Grid(texts, merged)


# a row's 序号: "12", "12.", "十二、"
SERIAL = re.compile(r"^(?:\d{1,4}|[一二三四五六七八九十]{1,3})[.．、]?$")


def _lined_up_grid(table):
    """The Grid of a table found by how its text lines up: pdfplumber gives a row per line of text, which are put
    together into the table's rows — at each 序号 when the first column numbers them, else where the space between
    two lines is wider than within a cell."""
    lines = [(row.bbox[1], row.bbox[3], cells) for row, cells in zip(table.rows, table.extract(), strict=True)]
    lines = [(top, bottom, [c or "" for c in cells]) for top, bottom, cells in lines if any(cells)]
    numbered = [cells[0] for _, _, cells in lines[1:] if cells[0]]
    serial = len(numbered) >= 2 and all(SERIAL.match(c.strip()) for c in numbered)
    gaps = [b[0] - a[1] for a, b in zip(lines, lines[1:])]
    # lines within a cell sit closer than rows do (a cell's padding lies between rows)
    apart = min(gaps, default=0.0) + 3.0 if gaps and max(gaps) - min(gaps) > 3.0 else None
    rows = []
    for index, (_, _, cells) in enumerate(lines):
        if not rows or (bool(cells[0]) if serial else apart is None or gaps[index - 1] >= apart):
            rows.append(list(cells))
        else:
            rows[-1] = [join_text(a, b, wrapped=True) if b else a for a, b in zip(rows[-1], cells, strict=True)]
    return Grid(rows, [])


def _inside(word, box):
    """Is the middle of `word` inside `box` (x0, top, x1, bottom)?"""
    x0, top, x1, bottom = box
    return x0 <= (word["x0"] + word["x1"]) / 2 <= x1 and top <= (word["top"] + word["bottom"]) / 2 <= bottom


def _lines_of(words):
    """Words grouped into lines: those whose middles share a height, left to right."""
    lines = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        middle = (word["top"] + word["bottom"]) / 2
        if lines and abs(lines[-1][0] - middle) < (word["bottom"] - word["top"]) / 2:
            lines[-1][1].append(word)
        else:
            lines.append([middle, [word]])
    return [sorted(group, key=lambda w: w["x0"]) for _, group in lines]


def _line(words):
    """A Line of pdfplumber words, left to right, with the width of its first piece."""
    text, end = "", None
    for word in words:
        gap = word["x0"] - end if end is not None else 0.0
        if gap > 0.8 * (word["bottom"] - word["top"]):  # set apart on the line: "填报单位：…    填报日期：…"
            text += "  " + word["text"].strip()
        else:
            text = join_text(text, word["text"].strip())
        end = word["x1"]
    chars = [c for word in words for c in word["chars"] if c["text"].strip()]
    n = first_piece("".join(c["text"] for c in chars))
    piece = chars[min(n, len(chars)) - 1]["x1"] - chars[0]["x0"] if chars else 0.0
    return Line(
        words[0]["x0"],
        max(w["x1"] for w in words),
        min(w["top"] for w in words),
        max(w["bottom"] for w in words),
        text,
        piece,
    )


def join_text(before, after, *, wrapped=False):
    """`after` appended to `before` (a word to a line, or a `wrapped` line to the paragraph it goes on): a space
    only between Latin words — and not inside a figure or date broken over two lines ("2026.12.3" + "1")."""
    if not (before and after and before[-1].isascii() and after[0].isascii()) or after[0] in ",.;:!?)]}%":
        return before + after
    if wrapped and after[0].isdigit() and (before[-1].isdigit() or before[-1] in ".-/:"):
        return before + after
    return before + " " + after


def _blocks(pages):
    """The pages' items as paragraphs and tables; a table continued at the top of the next page joined to its start."""
    paragraphs, blocks = _Paragraphs(RUN_ON), []
    for number, (items, (left, right)) in enumerate(pages):
        run = []
        for index, item in enumerate(items):
            if isinstance(item, Line):
                run.append(item)
                continue
            paragraphs.add(run, left, right)
            run = []
            blocks.extend(paragraphs.flush())
            previous = blocks[-1] if blocks else None
            if isinstance(previous, Grid) and number > 0 and index == 0 and _same_columns(previous, item):
                blocks[-1] = _continued(previous, item)
            else:
                blocks.append(item)
        paragraphs.add(run, left, right)
    blocks.extend(paragraphs.flush())
    return blocks


def _same_columns(grid, other):
    return bool(grid.rows and other.rows) and len(grid.rows[0]) == len(other.rows[0])


def _continued(grid, more):
    """`grid` with the rows of `more`, the same table continued on the next page, below it.

    - A header row repeated at the top of the page is dropped.
    - A row split by the page break is one row again: the part on the new page has no first cell (序号, or a merged
      action) and the text it goes on from does not end a sentence ("…、部门" + "周排查…").
    - A column merged down over the page break (Word prints the text once, on the first page) goes on being merged:
      an empty cell at the top of the page, in a column with merged cells, belongs to the cell above it."""
    rows = [list(row) for row in more.rows]
    spans = [list(span) for span in more.merged]
    if rows and rows[0] == grid.rows[0]:  # the header row repeated
        rows, spans = rows[1:], [[r0 - 1, c0, r1 - 1, c1] for r0, c0, r1, c1 in spans if r0 >= 1]
    out_rows = [list(row) for row in grid.rows]
    out_spans = [list(span) for span in grid.merged]
    if not rows:
        return Grid(out_rows, [tuple(span) for span in out_spans])
    last = len(out_rows) - 1
    below = len(out_rows)  # where `more`'s row 0 lands unless it is the split row's rest
    head, tail = out_rows[last], rows[0]
    main = max(range(len(head)), key=lambda c: len(head[c]))
    split = not tail[0] and any(tail) and head[main] and not TERMINAL.search(head[main])
    if split:
        for c, text in enumerate(tail):
            if text:
                origin = _origin(out_spans, last, c)
                out_rows[origin[0]][origin[1]] = join_text(out_rows[origin[0]][origin[1]], text, wrapped=True)
        below = last  # `more`'s row 0 is the last row itself
    merged_columns = {c for _, c0, _, c1 in out_spans + spans for c in range(c0, c1 + 1)}
    shift = below  # `more`'s row k becomes row k + shift
    for r0, c0, r1, c1 in spans:
        if r0 == 0 and (split or (not tail[c0] and c0 in merged_columns)):
            # merged on from the cell above the page break
            _reach(out_spans, _origin(out_spans, last, c0), c1, r1 + shift)
        else:
            out_spans.append([r0 + shift, c0, r1 + shift, c1])
    if not split:
        for c in range(len(tail)):
            if not tail[c] and c in merged_columns and not any(s[0] == 0 and s[1] == c for s in spans):
                _reach(out_spans, _origin(out_spans, last, c), c, shift)  # one empty cell under a merged column
    out_rows.extend(rows[1:] if split else rows)
    return Grid(out_rows, [tuple(span) for span in out_spans if (span[0], span[1]) != (span[2], span[3])])


TERMINAL = re.compile(r"[。；;！!？?…）)」』”]\s*$")


def _origin(spans, r, c):
    """The top-left cell of the merged range covering (r, c), or (r, c) itself."""
    for r0, c0, r1, c1 in spans:
        if r0 <= r <= r1 and c0 <= c <= c1:
            return (r0, c0)
    return (r, c)


def _reach(spans, origin, last_column, row):
    """Make the merged range starting at `origin` (a new one, to `last_column`, if there is none) reach down to `row`."""
    span = next((span for span in spans if (span[0], span[1]) == origin), None)
    if span is None:
        span = [*origin, origin[0], last_column]
        spans.append(span)
    span[2] = max(span[2], row)


class _Paragraphs:
    """Lines put together as paragraphs (see the module's text), page after page: a paragraph runs on over a page
    break; `flush` ends the one under way (a table comes) and hands over those made. `run_on`: ems short of the
    margin within which a line always runs on (RUN_ON on a page, 0 in a cell)."""

    def __init__(self, run_on):
        self.run_on, self.done, self.current, self.last = run_on, [], "", None

    def add(self, lines, left, right):
        """The next `lines` of a page whose text runs from `left` to `right`."""
        gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:]) if b.top > a.bottom)
        gap = gaps[len(gaps) // 2] if gaps else 0.0  # the space between a paragraph's lines: the most usual one
        above = None
        for line in lines:
            em = (line.bottom - line.top) or 10.0
            if self.last is not None:
                x_before, right_before, em_before = self.last
                short = right_before - x_before  # how far the line before ended short of the margin
                starts = (
                    line.x0 - left > 0.8 * em  # indented: a paragraph's first line, or a centred title
                    # the line before ended short: this line's first piece would have fitted at its end
                    or (short > self.run_on * em_before and short > line.piece + SLACK * em_before)
                    or bool(ITEM_START.match(line.text))
                    or (above is not None and line.top - above > gap + 0.6 * em)  # set apart, on the same page
                )
                if starts:
                    self.done.append(self.current)
                    self.current = ""
            self.current = join_text(self.current, line.text, wrapped=True)
            self.last, above = (line.x1, right, em), line.bottom

    def flush(self):
        if self.current:
            self.done.append(self.current)
        done, self.done, self.current, self.last = self.done, [], "", None
        return done
