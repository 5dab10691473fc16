"""Finding a ledger's table on a sheet: the header row (scored by how many of its cells are column
names we know), the parent and child rows of a two- or three-row header and the context a parent
gives its children ("整改情况" over "时间" → rectified_date), the rows above the header (title,
"填报单位：…", a form whose values hold for every row) and the furniture around the data (hints,
numbering, sections, totals, footers) that is never a hazard."""

import functools
import itertools
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal

from zhiben.core.excel import SheetData

from .values import NUMBER, looks_like_date, parse_date, text_of
from .vocabulary import OPTIONS, english_header, header_candidates, normalise

HEADER_SCAN_ROWS = 60

# Leaf words that mean little alone, and the parent-header groups that give them a meaning.
LEAF_KINDS = [
    (k, re.compile(rx))
    for k, rx in [
        ("time", r"^(时间|日期|完成时间|完成日期|年月日)$"),
        ("deadline", r"^(时限|期限)$"),
        ("person", r"^(人|人员|姓名|签字|签名|责任人|负责人|经办人)$"),
        ("unit", r"^(单位|部门|科室)$"),
        ("content", r"^(内容|描述|名称|问题|情况说明)$"),
        ("measures", r"^(措施|方案|要求|办法)$"),
        ("status", r"^(情况|结果|状态|进度|结论|完成情况)$"),
        ("funds", r"^(资金|经费|金额|费用|投入)$"),
        ("level", r"^(等级|级别)$"),
        ("category", r"^(类别|类型|分类)$"),
        ("place", r"^(部位|地点|位置|地址|区域)$"),
        ("way", r"^(方式|来源|形式|渠道)$"),
        ("responsibility", r"^责任$"),
        ("plan", r"^预案$"),
    ]
]
PARENT_KINDS = [
    (k, re.compile(rx))
    for k, rx in [
        ("fivefold", r"五落实|^落实"),
        ("verify", r"验收|复查|复检|复核|核查|销号|闭环|核验|验证"),
        ("rectify", r"整改|治理|处置|处理|落实"),
        ("found", r"排查|检查|发现|巡查|督查|上报|登记"),
        ("hazard", r"隐患|问题"),
        ("enterprise", r"单位|企业|场所|基本(情况|信息)|被检查"),
        ("responsible", r"责任"),
    ]
]
CONTEXT = {
    ("fivefold", "responsibility"): "responsible_person",
    ("fivefold", "person"): "responsible_person",
    ("fivefold", "measures"): "measures",
    ("fivefold", "funds"): "funds",
    ("fivefold", "deadline"): "deadline",
    ("fivefold", "time"): "deadline",
    ("fivefold", "plan"): "other",
    ("fivefold", "unit"): "other",
    ("rectify", "time"): "rectified_date",
    ("rectify", "deadline"): "deadline",
    ("rectify", "person"): "responsible_person",
    ("rectify", "responsibility"): "responsible_person",
    ("rectify", "measures"): "measures",
    ("rectify", "content"): "measures",
    ("rectify", "status"): "status",
    ("rectify", "funds"): "funds",
    ("rectify", "unit"): "other",
    ("rectify", "plan"): "other",
    ("verify", "time"): "closed_date",
    ("verify", "person"): "verified_by",
    ("verify", "status"): "status",
    ("verify", "unit"): "other",
    ("verify", "content"): "other",
    ("found", "time"): "found_date",
    ("found", "person"): "found_by",
    ("found", "unit"): "found_by",
    ("found", "way"): "source_channel",
    ("found", "content"): "description",
    ("found", "place"): "address",
    ("found", "status"): "description",
    ("hazard", "content"): "description",
    ("hazard", "status"): "description",
    ("hazard", "level"): "level",
    ("hazard", "category"): "category",
    ("hazard", "place"): "address",
    ("hazard", "way"): "source_channel",
    ("hazard", "time"): "found_date",
    ("hazard", "person"): "found_by",
    ("enterprise", "content"): "enterprise",
    ("enterprise", "place"): "address",
    ("enterprise", "person"): "other",
    ("responsible", "person"): "responsible_person",
    ("responsible", "unit"): "other",
    ("responsible", "deadline"): "deadline",
}
GENERIC_DEFAULTS = {
    "time": ("found_date", 55),
    "status": ("status", 60),
    "content": ("description", 72),
    "category": ("category", 60),
    "person": ("found_by", 40),
    "way": ("source_channel", 80),
    "place": ("address", 80),
    "funds": ("funds", 85),
    "deadline": ("deadline", 95),
}


def leaf_kind(core):
    return next((k for k, rx in LEAF_KINDS if rx.search(core)), None)


def parent_kind(core):
    return next((k for k, rx in PARENT_KINDS if rx.search(core)), None)


def column_candidates(labels):
    """{field: score} for a column whose header texts, top to bottom, are `labels`."""
    leaf = labels[-1]
    found = dict(header_candidates(leaf))
    _, leaf_core = normalise(leaf)
    kind = leaf_kind(leaf_core)
    parents = labels[:-1]

    def add(f, score):
        if score > found.get(f, 0):
            found[f] = score

    for parent in reversed(parents):
        _, parent_core = normalise(parent)
        pkind = parent_kind(parent_core)
        if kind and (pkind, kind) in CONTEXT:
            add(CONTEXT[(pkind, kind)], 91)
        for f, score in header_candidates(parent_core + leaf_core).items():
            add(f, score - 8)
    if kind in GENERIC_DEFAULTS and not found:
        f, score = GENERIC_DEFAULTS[kind]
        add(f, score - (10 if parents else 0))
    return found


# ---------------------------------------------------------------- the table's state


@dataclass
class LedgerColumn:
    """One column of the ledger: where it is, its header, what it was mapped to and why."""

    index: int
    key: str
    labels: list
    field: str | None = None
    candidates: dict = dc_field(default_factory=dict)
    factor: Decimal = Decimal(1)  # funds unit from the header: （万元） → 10000
    group: list = dc_field(default_factory=list)  # tick group: [(column index, option label), …]
    yes_no: bool = False  # "是否重大隐患": 是/否 values
    days: bool = False  # "整改期限（天）": numbers are days after the found date
    notes: list = dc_field(default_factory=list)  # the evidence for the decision, shown on the preview
    code: str = ""  # the field code under or over the name in a system export

    @property
    def evidence(self):
        return "；".join(self.notes)


@dataclass
class LedgerTable:
    """A sheet's ledger table as found, handed from stage to stage: the header rows (0-based,
    inclusive), how header-like the header is, its columns, and the sheet's cells."""

    sheet: SheetData
    texts: list  # every cell as text, row by row
    origin: dict  # merged ranges: covered (row, col) → its top-left (row, col)
    top: int
    bottom: int
    score: float
    columns: list  # LedgerColumn, left to right

    @property
    def body_start(self):
        return self.bottom + 1

    @functools.cached_property
    def carried(self):
        """Merged body cells: (row, first col of the range) → the top-left cell whose value runs down into it."""
        return {
            (r, c0): (r0, c0)
            for (r0, c0, r1, _), _whole in self.sheet.clipped_merges()
            if r0 >= self.body_start and r1 > r0
            for r in range(r0 + 1, r1 + 1)
        }

    def value(self, r, c):
        """The raw value at (r, c), a vertically merged body cell carrying its value down."""
        r, c = self.carried.get((r, c), (r, c))
        row = self.sheet.rows[r]
        return row[c] if c < len(row) else ""

    def text_at(self, r, c):
        r, c = self.carried.get((r, c), (r, c))
        row = self.texts[r]
        return row[c] if c < len(row) else ""


def find_table(sheet):
    """The LedgerTable of a sheet, or None when no row of its first 60 reads as a header."""
    texts = [
        [v.strip() if v.__class__ is str and "\n" not in v and "\r" not in v else text_of(v) for v in row]
        for row in sheet.rows
    ]  # text_of, its most common case (one line of text) inline
    origin = sheet.merge_origins()
    found = _find_header(texts, origin)
    if not found:
        return None
    top, bottom, score = found
    code_row = None
    if top == bottom:  # system exports: a row of field codes over or under the Chinese names
        for other in (top + 1, top - 1):
            pair = _code_pair(texts, top, other)
            if pair:
                code_row, names_row = pair
                top, bottom = min(top, other), max(top, other)
                break
    if code_row is None:
        columns = _header_columns(sheet, texts, origin, top, bottom)
    else:
        columns = _header_columns(sheet, texts, origin, names_row, names_row)
        codes = texts[code_row]
        for col in columns:
            code = codes[col.index].strip() if col.index < len(codes) else ""
            if code:
                col.code = code
                own = header_candidates(col.labels[-1])
                # the name says nothing we know and the code reads fully: read the code instead
                if not own and _CODE_CELL.match(code) and english_header(code, strict=True):
                    col.labels = [*col.labels[:-1], code]
                    col.notes.append(f"中文列名“{col.key}”未识别，按字段代码 {code} 识别")
    return LedgerTable(
        sheet=sheet,
        texts=texts,
        origin=origin,
        top=top,
        bottom=bottom,
        score=score,
        columns=columns,
    )


_CODE_CELL = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")


def _code_pair(texts, row, other):
    """(code row, names row) when one of the two rows holds field codes (dangerSrc, create_time) and the
    other the names, column for column; else None."""
    if other < 0 or other >= len(texts):
        return None

    def cells(r):
        return {c: t.strip() for c, t in enumerate(texts[r]) if t and t.strip()}

    a, b = cells(row), cells(other)
    if len(a) < 3 or len(b) < 3 or len(set(a) & set(b)) < 0.8 * max(len(a), len(b)):
        return None

    def coded(cs):
        return sum(1 for t in cs.values() if _CODE_CELL.match(t)) >= 0.8 * len(cs)

    def named(cs):  # a row of column names, not the first data row: short names, some of them known
        if not all(header_like(t) for t in cs.values()):
            return False
        known = sum(1 for t in cs.values() if header_candidates(t))
        return known * 2 >= len(cs) and sum(1 for t in cs.values() if re.search(r"[\u4e00-\u9fff]", t)) >= 0.8 * len(cs)

    if coded(a) and named(b):
        return row, other
    if coded(b) and named(a):
        return other, row
    return None


# ---------------------------------------------------------------- finding the header

TITLE = re.compile(r"台账|统计表|登记表|一览表|清单|汇总表|明细表|情况表|记录表|排查表$")


def header_like(text):
    """Could the cell be a column name: short, not a date or number, not a "key：value" line or a sentence?"""
    if not text:
        return False
    full, core = normalise(text)
    if not core or len(core) > 30 or looks_like_date(text) or NUMBER.match(full):
        return False
    return not (re.search(r"[:：]\s*\S", text) or "。" in text)


def _row_score(texts):
    """How much a row looks like a header row: recognised names count, data-like cells count against."""
    seen, score, hits = set(), 0.0, 0
    for t in texts:
        if not t or t in seen:
            continue
        seen.add(t)
        if not header_like(t):
            score -= 0.5 if len(t) > 30 or looks_like_date(t) else 0.2
            continue
        best = max(header_candidates(t).values(), default=0)
        _, core = normalise(t)
        if best >= 85:
            score, hits = score + 1.0, hits + 1
        elif best > 0:
            score, hits = score + 0.6, hits + 1
        elif any(core in opts for opts in OPTIONS.values()):
            score += 0.3
        if TITLE.search(core) and len(seen) == 1:
            score -= 1
    return score if hits >= 2 else min(score, 0.5)


def _find_header(texts, origin):
    """(first header row, last header row, score) or None."""
    filled = [list(r) for r in texts[: HEADER_SCAN_ROWS + 3]]
    for (r, c), (r0, c0) in origin.items():
        if r < len(filled) and r0 < len(filled):
            filled[r][c] = texts[r0][c0]
    best = None
    for r, row in enumerate(filled[:HEADER_SCAN_ROWS]):
        distinct = [t for i, t in enumerate(row) if t and (r, i) not in origin]
        if len(distinct) < 2:
            continue
        score = _row_score(row)
        if best is None or score > best[1]:
            best = (r, score)
    if best is None or best[1] < 1.5:
        return None
    top = bottom = best[0]
    for _ in range(2):
        if bottom + 1 < len(filled) and _is_child_row(texts, origin, bottom, bottom + 1):
            bottom += 1
        elif top > 0 and _is_child_row(texts, origin, top - 1, top):
            top -= 1
    return top, bottom, best[1]


def is_option(text):
    """Is the text one of the closed options (一般, 已整改, 自查 …) a tick column is named by?"""
    return any(normalise(text)[1] in o for o in OPTIONS.values())


def _is_child_row(texts, origin, upper, lower):
    """Is row `lower` the sub-header of row `upper` (or `upper` the group row above `lower`)?"""
    up, low = texts[upper], texts[lower]
    width = len(up)
    up_cells = [c for c in range(width) if up[c]]
    low_cells = [c for c in range(width) if low[c] and (lower, c) not in origin]
    if not up_cells or not low_cells:
        return False
    if any(not header_like(low[c]) for c in low_cells) or any(not header_like(up[c]) for c in up_cells):
        return False
    if len(up_cells) == 1:  # one cell alone above: a title unless it is a short group label
        core = normalise(up[up_cells[0]])[1]
        if TITLE.search(core) or len(core) > 8 or re.match(r"\d{4}", core):
            return False
    # merged cells joining the two rows: a vertical merge from upper into lower, or a horizontal
    # merge in upper (a group label) with names under it
    vertical = any(origin.get((lower, c)) == (upper, c) for c in range(width))
    spans = [(c0, c1) for (r0, c0, r1, c1) in _ranges_in_row(origin, upper) if c1 > c0]
    table_width = max(up_cells + low_cells) - min(up_cells + low_cells) + 1
    group = any(c1 - c0 + 1 < table_width and any(c0 <= c <= c1 for c in low_cells) for c0, c1 in spans)
    if vertical or group:
        return True
    if any(r in (upper, lower) for (r, c) in origin):
        return False
    # no merges here (CSV, "centre across selection", merges undone): upper has blanks exactly where
    # lower has names, and most of lower's cells are names we know
    lower_known = sum(1 for c in low_cells if header_candidates(low[c]) or is_option(low[c]))
    under_blank = [c for c in low_cells if not up[c]]
    known = lambda t: header_candidates(t) or parent_kind(normalise(t)[1]) or re.search(r"情况|信息|基本|项目", t)  # noqa: E731
    if not all(known(up[c]) for c in up_cells):  # "检查人员 | 甲、乙": a form line above the table, not group labels
        return False
    if not under_blank or len(low_cells) < 2 or not any(c < under_blank[-1] for c in up_cells):
        return False
    # a group label spread over blanks: "整改责任单位 | | |" above "建设 | 设计 | 施工 | 监理"
    spread = any(c + 1 < width and not up[c + 1] and low[c] and low[c + 1] for c in up_cells)
    return spread or lower_known >= max(1, len(low_cells) // 2)


def _ranges_in_row(origin, row):
    out = {}
    for (r, c), (r0, c0) in origin.items():
        if r0 == row:
            rr = out.setdefault((r0, c0), [r0, c0, r0, c0])
            rr[2], rr[3] = max(rr[2], r), max(rr[3], c)
    return [tuple(v) for v in out.values()]


def _raw_header(value):
    """A header cell as written (only the ends trimmed): the key the mapping reports."""
    return value.strip() if isinstance(value, str) else text_of(value)


def _header_columns(sheet, texts, origin, top, bottom):
    width = max(len(r) for r in texts)
    raw = sheet.rows
    grid = []
    for r in range(top, bottom + 1):
        row = []
        for c in range(width):
            o = origin.get((r, c))
            row.append(
                _raw_header(raw[o[0]][o[1]])
                if o and o[0] >= top
                else (_raw_header(raw[r][c]) if c < len(raw[r]) else "")
            )
        grid.append(row)
    header_merged = any(top <= r <= bottom for (r, c) in origin)
    if not header_merged and bottom > top:  # CSV two-row header: spread a group label over the blanks to its right
        for i in range(len(grid) - 1):
            for c in range(1, width):
                if (
                    not grid[i][c]
                    and grid[i][c - 1]
                    and grid[i + 1][c]
                    and grid[i + 1][c - 1]
                    and not texts[top + i][c]
                ):
                    grid[i][c] = grid[i][c - 1]
    columns = []
    for c in range(width):
        labels = []
        for i in range(len(grid)):
            t = grid[i][c]
            if t and (not labels or labels[-1] != t):
                labels.append(t)
        if not labels:
            continue
        same_as_left = c > 0 and all(
            (origin.get((top + i, c)) or (top + i, c)) == (origin.get((top + i, c - 1)) or (top + i, c - 1))
            for i in range(len(grid))
        )
        if same_as_left:
            continue
        key = "/".join(labels)
        if len(labels) == 1:
            labels = _split_literal(labels[0]) or labels
        columns.append(LedgerColumn(index=c, key=key, labels=labels))
    seen = {}
    for col in columns:
        n = seen[col.key] = seen.get(col.key, 0) + 1
        if n > 1:
            col.key = f"{col.key}（{n}）"
    return columns


def _split_literal(text):
    """["录入方式", "自报"] for a one-cell "录入方式/自报" that reads as parent/child; None for a
    name whose "/" means "or" ("隐患所在区域/部门", "一般/重大")."""
    depth, cut = 0, None
    for i, ch in enumerate(text):
        depth += ch in "（(【[" and 1 or 0
        depth -= ch in "）)】]" and 1 or 0
        if ch in "/／" and depth == 0:
            if cut is not None:
                return None
            cut = i
    if cut is None:
        return None
    parent, child = text[:cut].strip(), text[cut + 1 :].strip()
    if not parent or not child:
        return None
    whole = header_candidates(text)
    split = column_candidates([parent, child])

    def best(c):
        return max((v for f, v in c.items() if f != "other"), default=0)

    option = is_option(child) and header_candidates(parent)
    return [parent, child] if option or best(split) > best(whole) else None


# ---------------------------------------------------------------- above the header: title and form

_META_FIELDS = ("enterprise", "region", "industry", "address", "found_date", "found_by")
_NOT_THE_SUBJECT = re.compile(r"填报|填表|制表|报送|统计|审核|编制|打印|导出")


def extract_meta(texts, top):
    """What the rows above the header say: the title, "key：value" pairs (or a label cell followed by
    its value cell), the ledger's year, and `defaults` — fields of every row stated once up there
    ("企业名称：XX公司", "检查日期 | 2024-05-06"), used where the table has no such column."""
    meta, pairs = {}, []
    for r in range(top):
        cells = [t for t in texts[r] if t]
        line = " ".join(cells)
        if not line:
            continue
        if "title" not in meta and TITLE.search(normalise(line)[1]):
            meta["title"] = line
        pairs += re.findall(
            r"([\u4e00-\u9fff（）()]{2,10})\s*[:：]\s*([^\s:：]+(?:\s[^\s:：]+)*?)"
            r"(?=\s+[\u4e00-\u9fff（）()]{2,10}\s*[:：]|$)",
            line,
        )
        for label, value in itertools.pairwise(cells):
            if ":" not in label and "：" not in label and header_like(label) and not header_candidates(value):
                pairs.append((label, value))
    defaults = {}
    for key, value in pairs:
        key, value = key.strip(), value.strip()
        if not value or re.fullmatch(r"[\s_（）()年月日]*", value):
            continue
        meta.setdefault(key, value)
        candidates = header_candidates(key)
        best = max(candidates, key=candidates.get) if candidates else None
        if (
            best in _META_FIELDS
            and candidates[best] >= 85
            and not _NOT_THE_SUBJECT.search(key)
            and best not in defaults
        ):
            defaults[best] = value
    year = None
    for key, value in meta.items():
        if "日期" in key or "时间" in key:
            d, _ = parse_date(value)
            if d:
                year = d.year
    if year is None:
        m = re.search(
            r"(20\d{2}|19\d{2})\s*年", meta.get("title", "") or " ".join(" ".join(texts[r]) for r in range(top))
        )
        year = int(m[1]) if m else None
    if year:
        meta["year"] = year
    if defaults:
        meta["defaults"] = defaults
    return meta


# ---------------------------------------------------------------- around the data: hints, sections, totals, footers

SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]|^[（(][一二三四五六七八九十\d]+[)）]|^第.{1,4}[部分章节类]")
SIGN = re.compile(r"签字|签名|盖章|签章|^[\u4e00-\u9fff（）()]{2,14}[:：]$")
HINT = re.compile(
    r"^[（(]?(填写|请填写|如[:：]|例[:：]|示例|格式|选择|可选|必填|选填|下拉)|^[（(][^（）()]{1,12}[)）]$"
)
