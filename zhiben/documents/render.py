"""Turn a filled-in document (a `Layout`) into DOCX and PDF in the 党政机关公文格式 (GB/T 9704-2012).

This module knows layout only: no hazard, no database. Both renderers draw the same page:

- A4, 天头 37 mm, 订口 28 mm, text block 156 × 225 mm (so bottom ≈ 35 mm, right ≈ 26 mm);
- 22 lines of 28 characters in 3号 (16 pt) 仿宋: exact line spacing 225 mm / 22 = 29 pt, and a
  character spacing of −0.25 pt so that 28 characters (28 × 15.75 pt) fill the 156 mm line. (No
  Word "linesAndChars" grid: LibreOffice puts each 16 pt character on two 15.8 pt grid cells, and
  WPS/Word need no grid when spacing and indents are exact.);
- 版头: 发文机关标志 in red 小标宋 35 mm below the top of the text block, the 发文字号 centred two
  lines below it, a red line the width of the
  text block 4 mm under the 发文字号 (drawn as the bottom border of the 发文字号 paragraph);
- title in 2号 (22 pt) 小标宋 centred two lines below the red line; 主送 flush left one line below;
- body paragraphs with a two-character first-line indent; "一、" headings in 黑体, "（一）" in 楷体
  (see `paragraph_runs`);
- 发文机关署名 centred over the 成文日期, which sits 右空四字;
- page numbers "— 1 —" in 4号 (14 pt), odd pages right and even pages left, one character in from the edge;
- the two 审批表 kinds (`Layout.form`) have no red 版头: title; 编号 on the right; a two-column table;
  notes; 制表单位 and 制表日期 on the right.

A short letter (a DocumentKind with `letter`: 函, 约谈通知书) that runs a little onto a second page (its last
lines and the 署名 alone on page 2) is set on one page when it can (`fit_one_page`): in the 信函格式 of GB/T 9704-2012 §10.1 — the
发文机关标志 30 mm from the top edge, a red double line (thick over thin, 170 mm) 4 mm under it, the
发文字号 flush right under the line, the title two lines below, no page number on the single page — and,
as §7.3.5 allows when the page cannot hold the 署名 and date, lines closer together (`LETTER_PITCHES`).

Besides text, a body may hold tables and pictures, each written as plain text so a template, the frozen
context and `Document.body` stay text (see `body_blocks`):

- a run of lines "｜名次｜镇街｜得分｜" is one table, its first line the header (`table_line` writes one);
- a line "![图1 说明](documents/images/ab/<sha256>.png)" is a picture (PNG or JPEG) as wide as the text
  block, its caption centred under it; `image_line(data, caption)` stores the picture (by content) and
  returns that line. Only pictures stored there (or a data: URI) are drawn; anything else prints as
  "［图片无法显示：说明］".

Word on government PCs has 方正小标宋简体/仿宋_GB2312/黑体/楷体_GB2312, so the DOCX names them as the
East-Asian fonts. The PDF is drawn by WeasyPrint with free fonts (Noto Serif/Sans CJK SC, WenQuanYi Zen
Hei), which must be installed (Debian: fonts-noto-cjk, fonts-wqy-zenhei; libharfbuzz-subset0 keeps a
page at about half a second instead of twenty).
"""

import base64
import html
import io
import re
import threading
from dataclasses import dataclass, field, replace
from functools import partial

# ---------------------------------------------------------------- geometry (mm / pt)

PAGE_W, PAGE_H = 210, 297
TOP, LEFT = 37, 28
BLOCK_W, BLOCK_H = 156, 225
BOTTOM, RIGHT = PAGE_H - TOP - BLOCK_H, PAGE_W - LEFT - BLOCK_W  # 35, 26
LINES, CHARS = 22, 28
MM = 72 / 25.4  # points per mm
LINE_PT = round(BLOCK_H * MM / LINES, 2)  # 29 pt
BODY_PT, TITLE_PT, PAGE_NO_PT, TABLE_PT = 16, 22, 14, 14
CHAR_PT = BLOCK_W * MM / CHARS  # 15.79 pt: the width one character may take
TRACKING_PT = -0.25  # character spacing of body text (Word stores it in twentieths of a point: −5)
RED = "FF0000"
ISSUER_TOP = 35  # 发文机关标志: its top edge 35 mm below the top of the text block (GB/T 9704-2012 §7.2.4)
LETTER_TOP = 30  # 信函格式: the 发文机关标志 30 mm below the top edge of the page (§10.1)
LETTER_RULE_W = 170  # and its red double line 170 mm long, centred
LETTER_PITCHES = (LINE_PT, 27, 25)  # line pitches (pt) tried, widest first, to set a letter on one page

# Fonts: what Word uses on government PCs, and the free faces WeasyPrint draws with.
WORD_FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "hei": "黑体", "kai": "楷体_GB2312"}
WORD_LATIN = "Times New Roman"
CSS_FONTS = {
    "title": '"Noto Serif CJK SC", "WenQuanYi Zen Hei", serif',
    "body": '"Noto Serif CJK SC", "WenQuanYi Zen Hei", serif',
    "hei": '"Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif',
    "kai": '"Noto Serif CJK SC", "WenQuanYi Zen Hei", serif',
}

HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")
HEADING_MAX = 20


@dataclass
class Layout:
    """Everything a page shows, already filled in (plain strings)."""

    issuer: str  # 发文机关标志 and 署名 (the issuing unit's name)
    number: str  # 发文字号, e.g. 沙安办〔2024〕12号
    title: str
    date: str  # 成文日期, e.g. 2024年6月12日
    addressee: str = ""  # 主送 (without the colon)
    paragraphs: list = field(default_factory=list)
    table: list = field(default_factory=list)  # [(label, value)] for 审批表
    form: bool = False
    letter: float = 0  # 0: the standard page(s); else one page in the 信函格式 with lines this many pt apart

    @property
    def pitch(self):
        return self.letter or LINE_PT


def paragraph_runs(text):
    """Split a body paragraph into [(text, font key)] by the 公文 heading rules:

    - "一、…" is a 黑体 heading and "（一）…" a 楷体 heading when it stands alone (no closing 。);
    - a run-in heading ("一、落实责任。正文……") has only its heading sentence in that font;
    - a numbered item that is a full sentence ("四、逾期……通报。", or a heading sentence longer than
      HEADING_MAX characters) stays in 仿宋.
    """
    key = "hei" if HEADING1.match(text) else "kai" if HEADING2.match(text) else None
    if key is None:
        return [(text, "body")]
    head, stop, rest = text.partition("。")
    if not stop:
        return [(text, key)]
    if rest.strip() and len(head) <= HEADING_MAX:
        return [(head + stop, key), (rest, "body")]
    return [(text, "body")]


def is_heading(runs):
    """A paragraph that is a heading alone ("一、总体情况"): kept on the page of what follows it."""
    return len(runs) == 1 and runs[0][1] != "body"


def issuer_size(name):
    """Point size of the 发文机关标志: large, but never wider than the text block."""
    width = BLOCK_W * MM * 0.92
    return max(18, min(36, int(width / max(len(name), 1))))


def signer_indent(issuer, date):
    """Right indent (in characters) that centres the 署名 over a 成文日期 set 右空四字."""
    return max(0.0, 4 + (len(date) - len(issuer)) / 2)


def is_opinion(label):
    """Rows whose label ends in 意见 get room for writing and a signature line."""
    return label.endswith("意见")


SIGN_LINE = "签字（盖章）：　　　　　　　年　　月　　日"


# ---------------------------------------------------------------- tables and pictures in the body

TABLE_LINE = re.compile(r"^[｜|].*[｜|]$")
CELL_SPLIT = re.compile(r"[｜|]")
IMAGE_LINE = re.compile(r"^!\[([^\]]*)\]\(([^()\s]+)\)$")
IMAGE_DIR = "documents/images"
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}
IMAGE_MAX_H = 200  # mm: a tall picture is narrowed so that it stays within one page


def table_line(cells):
    """One table row as a body line: "｜a｜b｜c｜" (a separator inside a cell becomes "／")."""
    clean = [CELL_SPLIT.sub("／", " ".join(str("" if c is None else c).split())) for c in cells]
    return "｜" + "｜".join(clean) + "｜"


def image_line(data, caption=""):
    """Store a PNG/JPEG picture under its SHA-256 (the same picture is stored once) and return the body line
    that draws it. ValueError when `data` is not a PNG or JPEG picture."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    ext = _image_format(data)
    if ext is None:
        raise ValueError("不是 PNG 或 JPEG 图片")
    digest = hashlib.sha256(data).hexdigest()
    name = f"{IMAGE_DIR}/{digest[:2]}/{digest}.{ext}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    caption = " ".join(str(caption).replace("[", "［").replace("]", "］").split())
    return f"![{caption}]({name})"


def _image_format(data):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return IMAGE_FORMATS.get(image.format)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


def image_bytes(src):
    """(bytes, width px, height px) of a picture line's source — a name under IMAGE_DIR in the default
    storage, or a data: URI — or None when it is neither, missing, or not a PNG/JPEG picture."""
    import base64
    import binascii

    from PIL import Image

    data = None
    if src.startswith("data:image/") and ";base64," in src:
        try:
            data = base64.b64decode(src.split(";base64,", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            return None
    elif src.startswith(IMAGE_DIR + "/") and ".." not in src:
        from django.core.exceptions import SuspiciousFileOperation
        from django.core.files.storage import default_storage

        try:
            with default_storage.open(src, "rb") as f:
                data = f.read()
        except (OSError, SuspiciousFileOperation):  # missing, or a name the storage refuses
            return None
    if not data or _image_format(data) is None:
        return None
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    return data, width, height


@dataclass
class Block:
    """A piece of the body: kind "text" (text), "table" (rows of cells, the first the header) or "image"
    (data, size in mm, caption; data None when the picture cannot be drawn)."""

    kind: str
    text: str = ""
    rows: list = field(default_factory=list)
    data: bytes | None = None
    size: tuple = (0, 0)


def image_size(width, height):
    """(width, height) in mm of a picture in the body: the text block's width, narrower when that would make
    it taller than IMAGE_MAX_H."""
    w = BLOCK_W
    h = w * height / max(width, 1)
    if h > IMAGE_MAX_H:
        w, h = w * IMAGE_MAX_H / h, IMAGE_MAX_H
    return round(w, 1), round(h, 1)


def body_blocks(paragraphs):
    """The body's paragraphs as blocks: consecutive table lines make one table, a picture line one picture,
    anything else a paragraph of text."""
    blocks = []
    for text in paragraphs:
        text = text.strip()
        image = IMAGE_LINE.match(text)
        if TABLE_LINE.match(text) and len(text) > 2:
            cells = [c.strip() for c in CELL_SPLIT.split(text[1:-1])]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
        elif image:
            found = image_bytes(image.group(2))
            caption = image.group(1).strip()
            if found is None:
                blocks.append(Block("text", text=f"［图片无法显示：{caption or image.group(2)}］"))
            else:
                blocks.append(Block("image", text=caption, data=found[0], size=image_size(found[1], found[2])))
        else:
            blocks.append(Block("text", text=text))
    for block in blocks:  # every row as wide as the widest
        if block.kind == "table":
            width = max(len(row) for row in block.rows)
            block.rows = [row + [""] * (width - len(row)) for row in block.rows]
    return blocks


def text_width(text):
    """Width of `text` in characters of the body font: a Chinese character (or full-width sign) is one, a
    digit, Latin letter or half-width sign a little over half."""
    return sum(1 if ord(ch) >= 0x2E80 else 0.55 for ch in text)


LATIN_WORD = re.compile(r"[\x21-\x7e]+")


def column_widths(rows, size=None):
    """Widths (mm, adding up to the text block's width) of a body table's columns, the way a browser lays
    out an automatic table: each column wants its longest cell (a header may wrap onto two lines) and
    needs at least its longest unbreakable word (a number, a code, a date: Chinese text wraps anywhere).
    When everything fits, the columns share the block by what they want; otherwise every column gets at
    least what it needs and the ones wanting more are raised together to one width, as far as the block
    allows (narrow columns keep their width, long text wraps)."""
    size = size or grid_size(rows)
    pad = 1.2
    count = len(rows[0])
    need, want = [], []
    for i in range(count):
        cells = [row[i] for row in rows]
        words = [text_width(w) for c in cells for w in LATIN_WORD.findall(c)]
        need.append(max(2.0, *words) + pad if words else 2.0 + pad)
        want.append(max(need[-1], text_width(rows[0][i]) / 2 + pad, *(text_width(c) + pad for c in cells[1:])))
    room = BLOCK_W / (size / MM)
    if sum(want) <= room:
        return [BLOCK_W * w / sum(want) for w in want]
    if sum(need) >= room:
        return [BLOCK_W * n / sum(need) for n in need]
    low, high = 0.0, max(want)
    for _ in range(50):  # the level at which the columns fill the block
        level = (low + high) / 2
        if sum(max(n, min(w, level)) for n, w in zip(need, want, strict=True)) > room:
            high = level
        else:
            low = level
    widths = [max(n, min(w, low)) for n, w in zip(need, want, strict=True)]
    return [BLOCK_W * w / sum(widths) for w in widths]


def grid_size(rows):
    """Point size of a body table: 4号 for up to four columns, 小四 for five or six, 五号 for more."""
    count = len(rows[0])
    return TABLE_PT if count <= 4 else 12 if count <= 6 else 10.5


def centred_columns(rows):
    """Columns whose cells are short (numbers, names, grades) are centred; long text is set flush left."""
    return [max(len(row[i]) for row in rows[1:] or rows) <= 10 for i in range(len(rows[0]))]


# ---------------------------------------------------------------- DOCX

RPR_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def _tracking(rpr):
    """Character spacing TRACKING_PT on a run's properties (w:spacing, in twentieths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *RPR_AFTER_SPACING)
    spacing.set(qn("w:val"), str(round(TRACKING_PT * 20)))


def _set_fonts(rpr_owner, key, size=None, color=None, bold=None):
    """Set Latin and East-Asian fonts (and size/colour) on a run or a style."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = rpr_owner.font
    font.name = WORD_LATIN
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), WORD_FONTS[key])
    fonts.set(qn("w:ascii"), WORD_LATIN)
    fonts.set(qn("w:hAnsi"), WORD_LATIN)
    if size:
        font.size = Pt(size)
        if size == BODY_PT and key != "title":
            _tracking(rpr)
    if color:
        font.color.rgb = RGBColor.from_string(color)
    if bold is not None:
        font.bold = bold


def _spacing(paragraph, line_pt=LINE_PT, before=0, after=0):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    return fmt


def _para(
    doc, text="", *, key="body", size=BODY_PT, align=None, color=None, indent_chars=0, right_chars=0, line_pt=LINE_PT
):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    fmt = _spacing(paragraph, line_pt)
    if align is not None:
        paragraph.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
    if right_chars:
        fmt.right_indent = Pt(CHAR_PT * right_chars)
    for part, part_key in [(text, key)] if isinstance(text, str) else text:
        if part:
            _set_fonts(paragraph.add_run(part), part_key, size=size, color=color)
    return paragraph


def _red_rule(paragraph, space_pt=11, double=False):
    """A red line under the paragraph, the width of the text block (4 mm ≈ 11 pt below the text); `double`:
    the 信函格式's double line, thick over thin."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    style, size = ("thickThinSmallGap", "18") if double else ("single", "12")
    for key, value in (("w:val", style), ("w:sz", size), ("w:space", str(space_pt)), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # schema order matters to Word: pBdr comes before shd, tabs, spacing, ind, jc …
    ppr.insert_element_before(
        borders,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


def _page_number(footer, right):
    """— PAGE — in 4号, one character in from the outer edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if right:
        fmt.right_indent = Pt(PAGE_NO_PT)
    else:
        fmt.left_indent = Pt(PAGE_NO_PT)

    def run(text=None, field=None):
        r = paragraph.add_run(text or "")
        _set_fonts(r, "body", size=PAGE_NO_PT)
        if field:
            for kind, instr in (("begin", None), (None, field), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                else:
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = instr
                r._r.append(el)
        return r

    run("— ")
    run(field=" PAGE ")
    run(" —")


def _doc_defaults(doc, pitch=LINE_PT):
    """Document-wide defaults: 3号仿宋, Chinese language, exact line pitch, no theme fonts (Word lets a
    theme font win over a named one)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), WORD_LATIN)
    fonts.set(qn("w:hAnsi"), WORD_LATIN)
    fonts.set(qn("w:eastAsia"), WORD_FONTS["body"])
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
    rpr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra gap between Chinese and digits/Latin
        element = OxmlElement(tag)
        element.set(qn("w:val"), "0")
        spacing.addprevious(element)
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), str(round(pitch * 20)))
    spacing.set(qn("w:lineRule"), "exact")


def _doc_grid(section, pitch=LINE_PT):
    """No layout grid ("default"): exact line spacing gives the 22 lines; linePitch is kept for Word's
    page-setup dialog."""
    from docx.oxml.ns import qn

    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.attrib.pop(qn("w:type"), None)
        grid.attrib.pop(qn("w:charSpace"), None)
        grid.set(qn("w:linePitch"), str(round(pitch * 20)))


def _cell(cell, text, *, key="body", size=TABLE_PT, align=None):
    paragraph = cell.paragraphs[0]
    _spacing(paragraph, size * 1.5)
    if align is not None:
        paragraph.alignment = align
    lines = str(text).split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _set_fonts(run, key, size=size)
        if i < len(lines) - 1:
            run.add_break()
    return paragraph


def _docx_table(doc, rows):
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(36), Mm(BLOCK_W - 36))
    for label, value in rows:
        row = table.add_row()
        for cell, width in zip(row.cells, widths):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _cell(row.cells[0], label, key="hei", align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell(row.cells[1], value)
        if is_opinion(label):
            row.height = Mm(38)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            row.cells[1].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            sign = row.cells[1].add_paragraph()
            _spacing(sign, TABLE_PT * 1.5, before=TABLE_PT * 3)
            sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_fonts(sign.add_run(SIGN_LINE), "body", size=TABLE_PT)
        else:
            row.height = Mm(11)
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    return table


def _repeat_header(row):
    """Repeat a table's first row at the top of every page it runs over."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _docx_grid(doc, rows):
    """A body table (`Block` "table"): header row in 黑体, short columns centred, the header repeated."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    size = grid_size(rows)
    widths = [Mm(w) for w in column_widths(rows)]
    centred = centred_columns(rows)
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for n, cells in enumerate(rows):
        row = table.add_row()
        for i, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = widths[i]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = WD_ALIGN_PARAGRAPH.CENTER if n == 0 or centred[i] else WD_ALIGN_PARAGRAPH.LEFT
            _cell(cell, text, key="hei" if n == 0 else "body", size=size, align=align)
        if n == 0:
            _repeat_header(row)
    return table


def _docx_image(doc, block):
    """A body picture (`Block` "image") centred at its size, single line spacing (an exact spacing would
    clip it), its caption centred under it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm

    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = fmt.space_after = 0
    fmt.keep_with_next = bool(block.text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(io.BytesIO(block.data), width=Mm(block.size[0]), height=Mm(block.size[1]))
    if block.text:
        _para(doc, block.text, key="hei", size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)


def render_docx(layout, *, created=None):
    """The layout as DOCX bytes. `created` (a datetime) goes into the document properties."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    doc = Docx()
    pitch = layout.pitch
    para = partial(_para, doc, line_pt=pitch)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(LETTER_TOP if layout.letter else TOP), Mm(BOTTOM)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(BOTTOM - 7 - 7)  # the number's line sits 7 mm below the text block
    _doc_grid(section, pitch)
    if not layout.letter:  # a one-page letter shows no page number
        doc.settings.odd_and_even_pages_header_footer = True
        _page_number(section.footer, right=True)
        _page_number(section.even_page_footer, right=False)

    _doc_defaults(doc, pitch)
    normal = doc.styles["Normal"]
    _set_fonts(normal, "body", size=BODY_PT)
    _spacing(normal, pitch)
    normal.paragraph_format.widow_control = False

    props = doc.core_properties
    props.title, props.author, props.subject = layout.title, layout.issuer, layout.number
    props.comments = props.keywords = ""
    if created is not None:
        props.created = props.modified = created.replace(tzinfo=None)
        props.last_printed = created.replace(tzinfo=None)
    props.last_modified_by = layout.issuer

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    if layout.letter:  # 信函格式: the double line under the 发文机关标志, the 发文字号 flush right under it
        size = issuer_size(layout.issuer)
        issuer = para(layout.issuer, key="title", size=size, align=center, color=RED, line_pt=size * 1.3)
        overhang = Mm((LETTER_RULE_W - BLOCK_W) / 2)
        issuer.paragraph_format.left_indent = issuer.paragraph_format.right_indent = -overhang
        _red_rule(issuer, double=True)
        para(layout.number, align=right)
        para()
        para()
    elif not layout.form:
        size = issuer_size(layout.issuer)
        issuer = para(layout.issuer, key="title", size=size, align=center, color=RED, line_pt=size * 1.3)
        issuer.paragraph_format.space_before = Mm(ISSUER_TOP)
        para()
        para()
        _red_rule(para(layout.number, align=center))
        para()
        para()
    for line in layout.title.split("\n"):
        para(line, key="title", size=TITLE_PT, align=center)
    if layout.form:
        para(f"编号：{layout.number}", size=TABLE_PT, align=right)
        _docx_table(doc, layout.table)
    else:
        para()
        if layout.addressee:
            para(f"{layout.addressee}：")
    for block in body_blocks(layout.paragraphs):
        if block.kind == "table":
            _docx_grid(doc, block.rows)
        elif block.kind == "image":
            _docx_image(doc, block)
        else:
            runs = paragraph_runs(block.text)
            paragraph = para(runs, indent_chars=2)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            paragraph.paragraph_format.keep_with_next = is_heading(runs) or None
    if layout.form:
        para(f"制表单位：{layout.issuer}", size=TABLE_PT, align=right)
        para(f"制表日期：{layout.date}", size=TABLE_PT, align=right)
    else:
        # the 署名 and 成文日期 never stand alone on a page: keep them with the end of the body
        closing = [
            doc.paragraphs[-1],
            para(),
            para(),
            para(layout.issuer, align=right, right_chars=signer_indent(layout.issuer, layout.date)),
        ]
        for paragraph in closing:
            paragraph.paragraph_format.keep_with_next = True
        para(layout.date, align=right, right_chars=4)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- HTML / PDF

CSS = """
@page {{
  size: A4; margin: {top}mm {right}mm {bottom}mm {left}mm;
  @bottom-right {{ content: none; }}
}}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font: {pn}pt {body}; vertical-align: top;
  padding-top: 7mm; padding-right: 1em; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; font: {pn}pt {body}; vertical-align: top;
  padding-top: 7mm; padding-left: 1em; }} }}
html {{ font-family: {body}; font-size: {size}pt; line-height: {line}pt; color: #000; }}
body {{ margin: 0; }}
p {{ margin: 0; min-height: {line}pt; letter-spacing: {spacing}pt; }}
.issuer {{ font-family: {title}; font-weight: bold; color: #{red}; text-align: center; letter-spacing: 0.05em;
  margin-top: {issuer_top}mm; }}
.number {{ text-align: center; margin-top: {line2}pt; padding-bottom: 4mm; border-bottom: 1pt solid #{red}; }}
.title {{ font-family: {title}; font-weight: bold; font-size: {title_size}pt; text-align: center; margin-top: {line2}pt; }}
.form .title {{ margin-top: 0; }}
.addressee {{ margin-top: {line}pt; }}
.text {{ text-indent: 2em; text-align: justify; }}
.heading {{ break-after: avoid; }}
.hei {{ font-family: {hei}; }}
.kai {{ font-family: {kai}; }}
.sign {{ text-align: right; }}
.closing {{ margin-top: {line2}pt; break-before: avoid; break-inside: avoid; }}
.form-meta {{ font-size: {table_size}pt; }}
table {{ width: 100%; border-collapse: collapse; font-size: {table_size}pt; line-height: 1.5; margin: 4pt 0 8pt; }}
th, td {{ border: 0.75pt solid #000; padding: 1.5mm 2.5mm; vertical-align: middle; }}
th {{ width: 36mm; font-family: {hei}; font-weight: normal; text-align: center; }}
td.opinion {{ height: 30mm; vertical-align: top; }}
td .signline {{ text-align: right; margin-top: 8mm; }}
table.grid {{ table-layout: fixed; line-height: 1.35; margin: 6pt 0 10pt; }}
table.grid th {{ width: auto; padding: 1mm 1mm; }}
table.grid td {{ padding: 1mm 1.2mm; word-break: break-all; }}
table.grid td.c {{ text-align: center; }}
table.grid thead {{ display: table-header-group; }}
table.grid tr {{ break-inside: avoid; }}
p.figure {{ text-align: center; text-indent: 0; margin: 6pt 0 0; line-height: 1; break-after: avoid; }}
p.caption {{ font-family: {hei}; font-size: {table_size}pt; text-align: center; margin-bottom: 6pt; }}
@media screen {{ body {{ width: {block_w}mm; margin: 12mm auto; }} }}
"""

# 信函格式 (GB/T 9704-2012 §10.1) for a one-page letter: see `fit_one_page`
LETTER_CSS = """
@page {{ margin-top: {letter_top}mm; }}
@page :right {{ @bottom-right {{ content: none; }} }}
@page :left {{ @bottom-left {{ content: none; }} }}
.letter .issuer {{ margin-top: 0; }}
.letter .letter-rule {{ margin: 4mm -{overhang}mm 0; height: 1pt; border-top: 2.25pt solid #{red};
  border-bottom: 0.75pt solid #{red}; }}
.letter .number {{ text-align: right; margin-top: 3mm; padding-bottom: 0; border-bottom: none; }}
"""


def css(letter=0):
    """The page's style; `letter`: the line pitch of a one-page letter (信函格式), 0 for the standard page."""
    pitch = letter or LINE_PT
    page = CSS.format(
        top=TOP,
        right=RIGHT,
        issuer_top=ISSUER_TOP,
        block_w=BLOCK_W,
        bottom=BOTTOM,
        left=LEFT,
        size=BODY_PT,
        line=pitch,
        line2=pitch * 2,
        spacing=TRACKING_PT,
        title_size=TITLE_PT,
        table_size=TABLE_PT,
        pn=PAGE_NO_PT,
        red=RED,
        **CSS_FONTS,
    )
    if not letter:
        return page
    return page + LETTER_CSS.format(letter_top=LETTER_TOP, overhang=(LETTER_RULE_W - BLOCK_W) / 2, red=RED)


def _html_grid(rows):
    e = html.escape
    widths = [100 * w / BLOCK_W for w in column_widths(rows)]
    centred = centred_columns(rows)
    cols = "".join(f'<col style="width:{w:.1f}%">' for w in widths)
    head = "".join(f"<th>{e(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td{' class=c' if centred[i] else ''}>{e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows[1:]
    )
    return (
        f'<table class="grid" style="font-size:{grid_size(rows)}pt"><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def render_html(layout, *, standalone=True):
    """The layout as an HTML page (the PDF source, and the template preview)."""
    e = html.escape
    parts = []
    if not layout.form:
        size = issuer_size(layout.issuer)
        parts.append(
            f'<p class="issuer" style="font-size:{size}pt;line-height:{size * 1.3:.1f}pt">{e(layout.issuer)}</p>'
        )
        if layout.letter:
            parts.append('<div class="letter-rule"></div>')
        parts.append(f'<p class="number">{e(layout.number)}</p>')
    for i, line in enumerate(layout.title.split("\n")):
        parts.append(f'<p class="title"{" style=margin-top:0" if i else ""}>{e(line)}</p>')
    if layout.form:
        parts.append(f'<p class="form-meta sign">编号：{e(layout.number)}</p>')
        rows = []
        for label, value in layout.table:
            value_html = e(str(value)).replace("\n", "<br>")
            if is_opinion(label):
                rows.append(
                    f'<tr><th>{e(label)}</th><td class="opinion">{value_html}<p class="signline">{SIGN_LINE}</p></td></tr>'
                )
            else:
                rows.append(f"<tr><th>{e(label)}</th><td>{value_html}</td></tr>")
        parts.append("<table>" + "".join(rows) + "</table>")
    elif layout.addressee:
        parts.append(f'<p class="addressee">{e(layout.addressee)}：</p>')
    for block in body_blocks(layout.paragraphs):
        if block.kind == "table":
            parts.append(_html_grid(block.rows))
        elif block.kind == "image":
            data = base64.b64encode(block.data).decode()
            kind = "jpeg" if block.data[:2] == b"\xff\xd8" else "png"
            parts.append(
                f'<p class="figure"><img alt="{e(block.text)}" src="data:image/{kind};base64,{data}" '
                f'style="width:{block.size[0]}mm;height:{block.size[1]}mm"></p>'
            )
            if block.text:
                parts.append(f'<p class="caption">{e(block.text)}</p>')
        else:
            runs = paragraph_runs(block.text)
            text = "".join(e(part) if key == "body" else f'<span class="{key}">{e(part)}</span>' for part, key in runs)
            parts.append(f'<p class="text{" heading" if is_heading(runs) else ""}">{text}</p>')
    if layout.form:
        parts.append(
            f'<p class="form-meta sign">制表单位：{e(layout.issuer)}</p><p class="form-meta sign">制表日期：{e(layout.date)}</p>'
        )
    else:
        indent = signer_indent(layout.issuer, layout.date)
        parts.append(
            f'<div class="closing"><p class="sign" style="padding-right:{indent:.1f}em">{e(layout.issuer)}</p>'
            f'<p class="sign" style="padding-right:4em">{e(layout.date)}</p></div>'
        )
    body = "\n".join(parts)
    if not standalone:
        return body
    page_class = "form" if layout.form else "doc letter" if layout.letter else "doc"
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(layout.title)}</title>'
        f'<style>{css(layout.letter)}</style></head><body class="{page_class}">\n{body}\n</body></html>'
    )


def weasy_html(html):
    """A WeasyPrint document of `html` that reads only `data:` addresses (a QR code, an inline image): never a file
    of the server nor the network, whatever a document's text holds. Its fetcher gets a bare TLS context, so a render
    does not load the system's certificate store (WeasyPrint's default fetcher does, ~25 ms per document)."""
    import ssl

    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher)


# The page last laid out by `page_count` in this thread, as (html, rendered document): `fit_one_page` lays out the
# layout it settles on, and drawing that layout then takes the laid-out pages instead of laying them out again.
_laid_out = threading.local()


def pdf_bytes(html):
    """`html` as PDF bytes (fonts subset and embedded)."""
    last = getattr(_laid_out, "page", None)
    _laid_out.page = None
    document = last[1] if last and last[0] == html else weasy_html(html).render()
    return document.write_pdf(pdf_identifier=b"zhiben", uncompressed_pdf=False)


def render_pdf(layout):
    """The layout as PDF bytes."""
    return pdf_bytes(render_html(layout))


def page_count(layout):
    """How many pages the layout takes (laid out by WeasyPrint, not drawn: about 50 ms)."""
    html = render_html(layout)
    document = weasy_html(html).render()
    _laid_out.page = (html, document)
    return len(document.pages)


def fit_one_page(layout):
    """The layout set on one page when it can (issue 25: the automatic 约谈通知书 ran onto a second page that
    held only its last lines and the 署名): a letter of two pages becomes a one-page letter in the 信函格式
    with the widest of `LETTER_PITCHES` that fits; anything else (a 审批表, one page already, a longer
    document, a letter that does not fit) is returned as it is. Both renderers then draw the same page."""
    if layout.form or layout.letter or page_count(layout) != 2:
        return layout
    for pitch in LETTER_PITCHES:
        letter = replace(layout, letter=pitch)
        if page_count(letter) == 1:
            return letter
    return layout
