"""Reading the data rows under the header: which rows are hazards (not blank, numbering, hint, section,
total, footer, a repeated header or "无隐患"), each row's values read and checked, and the whole
file's result, `parse_ledger(source, filename) -> LedgerParse`."""

import re
from dataclasses import dataclass, field, replace

from django.conf import settings

from zhiben.core.cntext import FOOTER_START, FOOTER_WORDS, TOTAL, halfwidth, is_numbering_row
from zhiben.core.excel import read_sheets
from zhiben.core.exceptions import ApplicationError

from .headers import HINT, SECTION, SIGN, extract_meta, find_table
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
    sheets: list = field(default_factory=list)  # [(sheet name, data rows)] when several sheets were read as one

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
    tables = [t for t in tables if not SAMPLE.search(t.sheet.name)] or tables  # records, not an example of them
    best = max(
        tables,
        key=lambda t: (
            t.score + (2 if any("description" in header_candidates(c.labels[-1]) for c in t.columns) else 0),
            -tables.index(t),
        ),
    )
    layout = [c.key for c in best.columns]
    alike = [t for t in tables if [c.key for c in t.columns] == layout]
    summary = [t for t in alike if SUMMARY.search(t.sheet.name)]
    if summary:  # a 汇总 sheet under the same header holds the other sheets' rows again: it alone is read
        alike = [best if best in summary else summary[0]]
    if len(alike) == 1:
        return read_rows(alike[0], overrides=overrides)
    return _read_sheets(alike, best, overrides)


# A sheet named like this holds an example or the instructions, not records, even under the same header.
SAMPLE = re.compile(r"样表|样例|示例|范例|模板|模版|说明")
# … and one named like this gathers the records of the others (汇总表): reading both would import each twice.
SUMMARY = re.compile(r"汇总|总表|总台账|合计|全部")


def _read_sheets(tables, lead, overrides):
    """One LedgerParse of several sheets under the same header (a sheet a month, a town or a department): their rows
    in workbook order, each row and error naming its sheet; the mapping and the file's details are `lead`'s."""
    parts = [read_rows(t, overrides=overrides, sheet=t.sheet.name) for t in tables]
    rows = [row for part in parts for row in part.rows]
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ApplicationError(f"数据行过多：{len(rows)} 行，超过单次导入上限 {settings.IMPORT_MAX_ROWS} 行。")
    errors = [e for part in parts for e in part.errors]
    if len(errors) > MAX_ERRORS:
        extra = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [{"row": None, "column": None, "message": f"另有 {extra} 处错误未列出。"}]
    first = parts[tables.index(lead)]
    return replace(
        first,
        rows=rows,
        errors=errors,
        sheet="、".join(t.sheet.name for t in tables),
        sheets=[(t.sheet.name, len(part.rows)) for t, part in zip(tables, parts)],
    )


def read_rows(table, *, overrides=None, sheet=None):
    """Map the table's columns (learning from its values), then read and check every data row. With `sheet` (one of
    several sheets read as one ledger), each row (`_sheet`) and error (`sheet`) names it."""
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
    data_seen, data_rows = 0, []
    seq_index = seq_col.index if seq_col else None
    desc_index = desc_col.index if desc_col else None
    merged_rows = {r for r, _ in origin}  # rows holding a cell covered by a merge: the only ones checked for it
    carried = table.carried
    wide_starts = {(r0, c0) for r0, c0, _, c1 in table.sheet.merged if c1 > c0}  # ranges across columns
    placeholder = {}  # cell text → is it a placeholder (short cells repeat: 一般, 张伟, 0, /)
    for r in range(body_start, len(texts)):
        line = texts[r]
        merged = r in merged_rows
        own = []
        for c in range(first_col, min(last_col + 1, len(line))):
            t = line[c]
            if not t or (merged and (r, c) in origin):
                continue
            try:
                skip = placeholder[t]
            except KeyError:
                skip = placeholder[t] = is_placeholder(t)
            if not skip:
                own.append((c, t))
        if not own or (len(own) == 1 and own[0][0] == seq_index):  # nothing but a pre-filled 序号
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
        if desc_index is None:
            desc_text = ""
        elif carried:
            desc_text = table.text_at(r, desc_index)
        else:
            desc_text = line[desc_index] if desc_index < len(line) else ""
        distinct = len(set(values))
        few = distinct <= 4  # footers and signature lines hold few distinct texts; a record many
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
        if distinct == 1 and not (desc_col and any(c == desc_index for c, _ in own) and not SECTION.match(first_text)):
            c0 = own[0][0]
            wide = (r, c0) in wide_starts
            if wide or SECTION.match(first_text) or c0 in (first_col, seq_index) or not desc_col:
                continue  # a section row: "一、生产车间", or a title merged across the table
        if desc_col and NOTHING_FOUND.match(halfwidth(desc_text).replace(" ", "")):
            continue
        data_seen += 1
        if data_seen > settings.IMPORT_MAX_ROWS:
            raise ApplicationError(f"数据行过多：超过单次导入上限 {settings.IMPORT_MAX_ROWS} 行。")
        data_rows.append(r)
    rows = _read_rows(table, data_rows, meta, defaults, desc_col, errors, reading)
    errors.sort(key=lambda e: (e["row"] or 0, e.pop("_at", -1)))  # by row, then left to right
    if sheet is not None:
        for row in rows:
            row["_sheet"] = sheet
        for error in errors:
            error["sheet"] = sheet
    if len(errors) > MAX_ERRORS:
        extra = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [{"row": None, "column": None, "message": f"另有 {extra} 处错误未列出。"}]
    return LedgerParse(
        mapping={c.key: c.field for c in columns},
        header_rows=[table.sheet.number(r) for r in range(table.top, table.bottom + 1)],
        rows=rows,
        errors=errors,
        columns=columns,
        sheet=table.sheet.name,
        meta=meta,
    )


def _read_rows(table, data_rows, meta, defaults, desc_col, errors, reading):
    """The data rows `data_rows` (0-based sheet rows) as [{field: value, "_row": Excel row number, "_extra": {header:
    text}}]; their problems go to `errors`. `reading`: the columns read, those inside a tick group left to the
    group's first column.

    Read a column at a time: a ledger repeats its values (dates, levels, names, amounts), so each distinct value of a
    column is read once — a date once per distinct (value, base date), since a year-less date or a relative deadline
    depends on the row's found date."""
    sheet_rows, texts, carried = table.sheet.rows, table.texts, table.carried
    numbers = [table.sheet.number(r) for r in data_rows]

    def raw(c):
        if carried:
            return [table.value(r, c) for r in data_rows]
        return [row[c] if c < len(row) else "" for row in (sheet_rows[r] for r in data_rows)]

    def text(c):
        if carried:
            return [table.text_at(r, c) for r in data_rows]
        return [row[c] if c < len(row) else "" for row in (texts[r] for r in data_rows)]

    def err(col, i, message):
        errors.append({"row": numbers[i], "column": col.key, "message": message, "_at": col.index})

    def once(function, values, key=lambda v: (v.__class__, v)):
        """function(value) for every value, computed once per distinct value (1 and True differ)."""
        seen, out = {}, []
        for v in values:
            k = key(v)
            try:
                out.append(seen[k])
            except KeyError:
                seen[k] = result = function(v)
                out.append(result)
            except TypeError:  # not hashable
                out.append(function(v))
        return out

    by_field, extra = {}, []  # field → (column, raw values, texts); other columns → (header, texts)
    for col in reading:
        if col.group:
            group = [(label, text(idx)) for idx, label in col.group]
            ticked = []
            for i in range(len(data_rows)):
                labels = [label for label, cells in group if cells[i].lower() not in UNTICKED]
                ticked.append(labels[0] if labels else "")
            by_field[col.field] = (col, ticked, ticked)
        elif col.field and col.field != "other":
            by_field[col.field] = (col, raw(col.index), text(col.index))
        else:
            extra.append((col.key, text(col.index)))

    out = {}  # field → values in row order
    base = [defaults["found_date"]] * len(data_rows) if defaults.get("found_date") else None
    year = meta.get("year")
    for f in DATE_FIELDS:
        if f not in by_field:
            continue
        col, vs, ts = by_field[f]
        if col.days:
            vs = [f"{int(float(t))}天" if re.fullmatch(r"\d{1,3}(\.0+)?", t) else v for v, t in zip(vs, ts)]
        end = f == "deadline"
        pairs = list(zip(vs, base or [None] * len(vs)))
        read = once(
            lambda pair, end=end: parse_date(pair[0], base=pair[1], year=year, end=end),
            pairs,
            key=lambda pair: (pair[0].__class__, pair[0], pair[1]),
        )
        for i, (_, problem) in enumerate(read):
            if problem:
                err(col, i, problem)
        out[f] = [d for d, _ in read]
        if f == "found_date":
            base = out[f]
    for f, (col, vs, ts) in by_field.items():
        if f in DATE_FIELDS:
            continue
        if f in ("level", "funds"):
            if f == "level":
                read = once(lambda v, yes_no=col.yes_no: parse_level(v, yes_no=yes_no), vs)
            else:
                read = once(lambda v, factor=col.factor: parse_funds(v, factor=factor), vs)
            for i, (_, problem) in enumerate(read):
                if problem:
                    err(col, i, problem)
            out[f] = [value for value, _ in read]
        elif f == "status":
            out[f] = once(normalise_status, ts, key=lambda t: t)
        elif f == "description":
            out[f] = [t or None for t in ts]
        else:
            out[f] = once(lambda t: None if not t or is_placeholder(t) else t, ts, key=lambda t: t)
    if desc_col is not None:
        descriptions = out.get("description") or [None] * len(data_rows)
        empty = {}
        for i, d in enumerate(descriptions):
            d = d or ""
            try:
                blank = empty[d]
            except KeyError:
                blank = empty[d] = not d or is_placeholder(d)
            if blank:
                err(desc_col, i, "隐患描述为空。")
                descriptions[i] = None
        out["description"] = descriptions

    constant = {f: v for f, v in defaults.items() if v}
    keys = list(out)
    rows = [
        {"_row": n, **constant, **dict(zip(keys, values))} if constant else {"_row": n, **dict(zip(keys, values))}
        for n, values in zip(numbers, zip(*out.values()) if out else [()] * len(data_rows))
    ]
    for header, ts in extra:
        for row, t in zip(rows, ts):
            if t:
                row.setdefault("_extra", {})[header] = t
    return rows
