"""Reading the data rows under the header: which rows are hazards (not blank, numbering, hint, section,
total, footer, a repeated header or "无隐患"), each row's values read and checked, and the whole
file's result, `parse_ledger(source, filename) -> LedgerParse`."""

import re
from dataclasses import dataclass, field

from django.conf import settings

from zhiben.core.cntext import halfwidth
from zhiben.core.excel import read_sheets
from zhiben.core.exceptions import ApplicationError

from .headers import FOOTER_START, FOOTER_WORDS, HINT, SECTION, SIGN, TOTAL, extract_meta, find_table, is_numbering_row
from .mapping import apply_overrides, map_columns
from .values import (
    NOTHING_FOUND,
    UNTICKED,
    funds_factor,
    is_placeholder,
    normalise_status,
    parse_date,
    parse_funds,
    parse_level,
    value_profile,
)
from .vocabulary import DATE_FIELDS, header_candidates, normalise

MAX_ERRORS = 2000


@dataclass
class LedgerParse:
    """What a ledger file says: the column mapping, the data rows and the problems found."""

    mapping: dict
    header_rows: list
    rows: list
    errors: list
    columns: list = field(default_factory=list)
    sheet: str = ""
    meta: dict = field(default_factory=dict)

    def as_json(self):
        return {"mapping": self.mapping, "rows": len(self.rows), "errors": self.errors}

    def headers(self):
        """{field: the file's own header}, so that the import's errors name the file's columns."""
        return {c.field: c.key for c in self.columns if c.field and c.field != "other"}


def parse_ledger(source, filename="", *, overrides=None):
    """Read a hazard ledger (xlsx/xls/csv …) and return a LedgerParse; a file that cannot be a ledger
    at all raises ApplicationError. `overrides` ({original header: field or None}) corrects the
    automatic mapping after the user has looked at it."""
    sheets = read_sheets(source, filename=filename)
    tables = [t for t in (find_table(s) for s in sheets[:30]) if t]
    if not tables:
        raise ApplicationError(
            "未找到台账表头：表格前 60 行中没有可识别的列名（如“序号、隐患内容、整改措施、整改期限”）。"
            "请确认文件是隐患台账，表头为一行或两行列名。"
        )
    best = max(
        tables,
        key=lambda t: (
            t.score + (2 if any("description" in header_candidates(c.labels[-1]) for c in t.columns) else 0),
            -tables.index(t),
        ),
    )
    return read_rows(best, overrides=overrides)


def read_rows(table, *, overrides=None):
    """Map the table's columns (learning from its values), then read and check every data row."""
    texts, origin, columns = table.texts, table.origin, table.columns
    first_col = min(c.index for c in columns)
    last_col = max(c.index for c in columns)
    body_start = table.body_start

    sample = []  # rows to learn the columns' values from: not the numbering row, hints or notes
    for r in range(body_start, min(len(texts), body_start + 300)):
        cells = [t for t in texts[r][first_col : last_col + 1] if t]
        if (
            not cells
            or FOOTER_START.match(cells[0])
            or (
                r - body_start < 3
                and (is_numbering_row(texts[r][first_col : last_col + 1]) or all(HINT.match(t) for t in cells))
            )
        ):
            continue
        sample.append(r)
    profiles = {col.index: value_profile(table.value(r, col.index) for r in sample) for col in columns}
    map_columns(columns, profiles)
    if overrides:
        apply_overrides(columns, overrides)
    by_field = {c.field: c for c in columns if c.field and c.field != "other"}
    by_index = {c.index: c for c in columns}
    seq_col = by_field.get("seq")
    desc_col = by_field.get("description")
    header_leaves = {normalise(c.labels[-1])[1] for c in columns}
    header_raw = {c.labels[-1] for c in columns}
    meta = extract_meta(texts, table.top)
    defaults = {f: v for f, v in meta.get("defaults", {}).items() if f not in by_field}
    if "found_date" in defaults:
        defaults["found_date"] = parse_date(defaults["found_date"])[0]
    errors, rows = [], []
    if desc_col is None:
        errors.append(
            {
                "row": None,
                "column": None,
                "message": "未识别出“隐患描述”列：请确认表头中有“隐患内容”“隐患描述”“存在问题”等列名。",
            }
        )

    in_groups = {idx for col in columns for idx, _ in col.group[1:]}
    reading = [col for col in columns if col.index not in in_groups]
    data_seen = 0
    for r in range(body_start, len(texts)):
        own = [
            (c, texts[r][c])
            for c in range(first_col, min(last_col + 1, len(texts[r])))
            if texts[r][c] and (r, c) not in origin and not is_placeholder(texts[r][c])
        ]
        content = [(c, t) for c, t in own if not (seq_col and c == seq_col.index)]
        if not content:
            continue
        values = [t for _, t in own]
        first_text = values[0]
        if (
            data_seen == 0
            and r - body_start < 3
            and (
                is_numbering_row([texts[r][c] for c in range(first_col, last_col + 1)])
                or all(HINT.match(t) for t in values)
            )
        ):
            for c, t in own:  # a unit row under the header: "（万元）" under 整改资金
                col = by_index.get(c)
                if col is not None and col.field == "funds" and funds_factor([t]) != 1:
                    col.factor = funds_factor([t])
            continue
        desc_text = table.text_at(r, desc_col.index) if desc_col else ""
        few = len(set(values)) <= 4  # footers and signature lines hold few distinct texts; a record many
        if FOOTER_START.match(first_text) and (few or not desc_text):
            continue
        if few and sum(1 for w in FOOTER_WORDS if w in " ".join(values)) >= 2:
            continue
        if few and any(SIGN.search(t) for t in values) and (not desc_text or SIGN.search(desc_text)):
            continue  # "被检查单位负责人（签字）：" — the signature line under a record
        if any("计" in t and TOTAL.match(normalise(t)[1]) for _, t in own[:3]) and (
            not desc_text or TOTAL.match(normalise(desc_text)[1])
        ):
            continue
        if (
            len(values) >= 2
            and any(t in header_raw for t in values)
            and sum(1 for t in values if normalise(t)[1] in header_leaves) >= max(2, len(values) // 2)
        ):
            continue  # the header repeated (a printed ledger pasted together)
        if len(set(values)) == 1 and not (
            desc_col and any(c == desc_col.index for c, _ in own) and not SECTION.match(first_text)
        ):
            c0 = own[0][0]
            wide = any(r0 == r and c0 == cc0 and c1 > cc0 for r0, cc0, _, c1 in table.sheet.merged)
            if (
                wide
                or SECTION.match(first_text)
                or c0 == first_col
                or (seq_col and c0 == seq_col.index)
                or not desc_col
            ):
                continue  # a section row: "一、生产车间", or a title merged across the table
        if desc_col and NOTHING_FOUND.match(halfwidth(desc_text).replace(" ", "")):
            continue
        data_seen += 1
        if data_seen > settings.IMPORT_MAX_ROWS:
            raise ApplicationError(f"数据行过多：超过单次导入上限 {settings.IMPORT_MAX_ROWS} 行。")
        rows.append(_read_row(table, r, meta, defaults, desc_col, errors, reading))
    errors.sort(key=lambda e: (e["row"] or 0, e.pop("_at", -1)))  # by row, then left to right
    if len(errors) > MAX_ERRORS:
        extra = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [{"row": None, "column": None, "message": f"另有 {extra} 处错误未列出。"}]
    return LedgerParse(
        mapping={c.key: c.field for c in columns},
        header_rows=list(range(table.top + 1, table.bottom + 2)),
        rows=rows,
        errors=errors,
        columns=columns,
        sheet=table.sheet.name,
        meta=meta,
    )


def _read_row(table, r, meta, defaults, desc_col, errors, reading):
    """One data row as {field: value, "_row": Excel row number, "_extra": {header: text}}; its problems go to `errors`.
    `reading`: the columns read, those inside a tick group left to the group's first column."""

    def err(col, message):
        errors.append({"row": r + 1, "column": col.key, "message": message, "_at": col.index})

    row = {"_row": r + 1, **{f: v for f, v in defaults.items() if v}}
    extra = {}
    by_field = {}
    for col in reading:
        if col.group:
            ticked = [label for idx, label in col.group if table.text_at(r, idx).lower() not in UNTICKED]
            by_field[col.field] = (col, ticked[0] if ticked else "", ticked[0] if ticked else "")
        elif col.field and col.field != "other":
            by_field[col.field] = (col, table.value(r, col.index), table.text_at(r, col.index))
        else:
            t = table.text_at(r, col.index)
            if t:
                extra[col.key] = t
    base = row.get("found_date")
    for f in DATE_FIELDS:
        if f not in by_field:
            continue
        col, v, t = by_field[f]
        if col.days and re.fullmatch(r"\d{1,3}(\.0+)?", t):
            v = f"{int(float(t))}天"
        d, problem = parse_date(v, base=base, year=meta.get("year"), end=(f == "deadline"))
        if problem:
            err(col, problem)
        row[f] = d
        if f == "found_date":
            base = d
    for f, (col, v, t) in by_field.items():
        if f in DATE_FIELDS:
            continue
        if f == "level":
            level, problem = parse_level(v, yes_no=col.yes_no)
            if problem:
                err(col, problem)
            row[f] = level
        elif f == "funds":
            amount, problem = parse_funds(v, factor=col.factor)
            if problem:
                err(col, problem)
            row[f] = amount
        elif f == "status":
            row[f] = normalise_status(t)
        else:
            row[f] = None if not t or (is_placeholder(t) and f != "description") else t
    if desc_col is not None:
        d = row.get("description") or ""
        if not d or is_placeholder(d):
            err(desc_col, "隐患描述为空。")
            row["description"] = None
    if extra:
        row["_extra"] = extra
    return row
