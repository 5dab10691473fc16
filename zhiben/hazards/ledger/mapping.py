"""Column → field: every column's candidates from its header (`headers.column_candidates`), moved
by what its values look like (`values.value_profile`), tick columns grouped, then fields given out
greedily, best score first, so that no field goes to two columns; `apply_overrides` applies the
corrections made on the confirmation page."""

import re

from zhiben.core.cntext import to_simplified
from zhiben.core.exceptions import ApplicationError

from .headers import column_candidates, leaf_kind
from .values import funds_factor
from .vocabulary import BOOKKEEPING, DATE_FIELDS, FIELD_LABELS, FIELDS, OPTIONS, english_header, normalise

_BOOKKEEPING = re.compile(BOOKKEEPING)
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
TEXT_FIELDS = ("description", "measures")


def _find_groups(columns):
    """Tick columns: adjacent siblings (same parent, or none) whose own names are options of one field,
    e.g. "治理状态" over "未治理|已治理", "隐患等级" over "一般|重大", or top-level "已整改|未整改"."""
    groups = []
    i = 0
    while i < len(columns):
        parents = tuple(columns[i].labels[:-1])
        j = i
        while (
            j + 1 < len(columns)
            and tuple(columns[j + 1].labels[:-1]) == parents
            and columns[j + 1].index == columns[j].index + 1
        ):
            j += 1
        run = columns[i : j + 1]
        i = j + 1
        k = 0
        while k < len(run):
            leaf = normalise(run[k].labels[-1])[1]
            kinds = [f for f, options in OPTIONS.items() if leaf in options]
            best = None
            for f in kinds:
                end = k
                while end + 1 < len(run) and normalise(run[end + 1].labels[-1])[1] in OPTIONS[f]:
                    end += 1
                if end > k and (best is None or end > best[1]):
                    best = (f, end)
            if not best:
                k += 1
                continue
            f, end = best
            leaves = {normalise(c.labels[-1])[1] for c in run[k : end + 1]}
            if parents or not leaves <= {"是", "否"}:
                groups.append((f, run[k : end + 1]))
            k = end + 1
    return groups


def map_columns(columns, profiles):
    """Give every column a field: candidates from its header, moved by its values, then greedy, one column per field."""
    grouped = set()
    for f, run in _find_groups(columns):
        head = run[0]
        head.candidates = {f: 94}
        head.group = [(c.index, c.labels[-1]) for c in run]
        for c in run[1:]:
            c.candidates = {"other": 94}
        grouped.update(c.index for c in run)
    for col in columns:
        if col.index in grouped:
            continue
        col.candidates = column_candidates(col.labels)
        _header_notes(col)
        _, core = normalise(col.labels[-1])
        col.yes_no = "level" in col.candidates and core.startswith("是否")
        prof = profiles.get(col.index, {"n": 0})
        _apply_values(col, prof)
        if not col.candidates and prof["n"] >= 2 and prof["level"] >= 0.8:
            col.candidates["level"] = 80
    for f in TEXT_FIELDS:  # two columns offering the same text field: the one holding more text is the better one
        rivals = [c for c in columns if c.candidates.get(f, 0) >= 85 and profiles.get(c.index, {}).get("n")]
        if len(rivals) < 2:
            continue
        for col in rivals:
            avg = profiles[col.index]["avg_len"]
            col.candidates[f] += -30 if avg < 4 else min(avg, 40) / 8
    offers = []
    for col in columns:
        other = col.candidates.get("other", 0)
        for f, score in col.candidates.items():
            if f != "other" and score > other and score > 0:
                offers.append((-score, col.index, f, col))
    offers.sort(key=lambda o: (o[0], o[1]))
    taken = set()
    for _, _, f, col in offers:
        if f in taken or col.field:
            continue
        col.field = f
        taken.add(f)
    if "description" not in taken:  # unrecognised header, but long free text: the description
        spare = [
            c for c in columns if not c.field and not c.candidates and profiles.get(c.index, {}).get("avg_len", 0) >= 8
        ]
        if spare:
            best = max(spare, key=lambda c: profiles[c.index]["avg_len"])
            best.field = "description"
    winners = {c.field: c for c in columns if c.field}
    for col in columns:
        if col.field:
            col.notes.append(f"识别为“{FIELD_LABELS[col.field]}”（表头得分 {round(col.candidates.get(col.field, 0))}）")
            continue
        lost = [f for f in TEXT_FIELDS if col.candidates.get(f, 0) >= 85 and f in winners]
        if lost:
            winner = winners[lost[0]]
            label = FIELD_LABELS[lost[0]]
            mine = profiles.get(col.index, {}).get("avg_len", 0)
            theirs = profiles.get(winner.index, {}).get("avg_len", 0)
            col.notes.append(
                f"与“{winner.key}”同为“{label}”，按内容保留平均字数多的“{winner.key}”（{theirs:.0f} 字对 {mine:.0f} 字）"
            )
            if "remarks" not in winners and mine >= 4:
                col.field = "remarks"
                winners["remarks"] = col
                col.notes.append("本列作为备注导入")
                continue
        if col.candidates:
            col.field = "other"
            if not lost:
                top = max(col.candidates, key=col.candidates.get)
                if top != "other" and top in winners:
                    col.notes.append(f"“{FIELD_LABELS[top]}”已给了得分更高的“{winners[top].key}”")
            col.notes.append("保留在“其他”，不导入")
        else:  # a column we cannot name: its text is kept with the row, never dropped silently
            col.field = "other"
            col.notes.append("未能识别的列名：原样保留在“其他”，不导入，可在此更正")
    for col in columns:
        if col.field == "funds":
            col.factor = funds_factor(col.labels)
        if col.field == "deadline":
            col.days = bool(re.search(r"[（(][^（）()]*(天|日)[^（）()]*[）)]", "".join(col.labels)))
    return columns


def _header_notes(col):
    """Why the header reads as it does: an English field code, Traditional characters, bookkeeping."""
    leaf = col.labels[-1].strip()
    if _CODE.match(leaf):
        zh = english_header(leaf)
        col.notes.append(f"英文字段名 {leaf} 读作“{zh}”" if zh else f"英文字段名 {leaf} 无法解读")
    elif to_simplified(leaf) != leaf:
        col.notes.append(f"繁体表头读作“{to_simplified(leaf)}”")
    _, core = normalise(leaf)
    if col.candidates.get("other", 0) >= 98 and _BOOKKEEPING.search(core):
        col.notes.append("信息系统的记录字段（编号、流程、创建/修改记录、删除/归档标志等）")


def _apply_values(column, profile):
    """Let the column's values move its header-based candidates."""
    c = column.candidates
    if not profile.get("n"):
        return
    n = profile["n"]
    if "level" in c and profile["level"] < 0.5 and not column.yes_no and profile["tick"] < 0.8:
        c["level"] -= 45
    if profile["level"] >= 0.8:  # a closed vocabulary: the values outweigh a header saying "类型"
        for f in list(c):
            if f not in ("level", "other"):
                c[f] -= 30
        c["level"] = max(c.get("level", 0), 96)
    if profile["category"] >= 0.8:
        c["category"] = max(c.get("category", 0), 94)
    for f in DATE_FIELDS:
        if f in c and n >= 2 and profile["date"] < 0.2 and profile["avg_len"] > 8:
            c[f] -= 40
    if profile["tick"] >= 0.8:  # 是/否, √: a flag is never a date or a text
        for f in (*DATE_FIELDS, "description", "measures", "responsible_person", "found_by", "verified_by"):
            if f in c:
                c[f] -= 40
    if "description" in c and n >= 2 and profile["avg_len"] < 3 and (profile["number"] > 0.8 or profile["date"] > 0.8):
        c["description"] -= 40
    _, core = normalise(column.labels[-1])
    if core in ("区域", "所在区域", "检查区域") and profile["region"] >= 0.6:
        c["region"] = max(c.get("region", 0), 93)
    if core in ("名称", "全称") and len(column.labels) == 1:
        if profile["enterprise"] >= 0.5:
            c["enterprise"] = max(c.get("enterprise", 0), 85)
        elif profile["avg_len"] >= 10:
            c["description"] = max(c.get("description", 0), 80)
    if leaf_kind(core) == "status" and profile["status"] >= 0.6:
        c["status"] = c.get("status", 0) + 10
    if core in ("时间", "日期") and len(column.labels) == 1 and profile["date"] >= 0.6:
        c["found_date"] = max(c.get("found_date", 0), 60)


def apply_overrides(columns, overrides):
    """Apply {original header: field or None} from the confirmation page; a field may still go to one column only."""
    by_key = {c.key: c for c in columns}
    for key, f in overrides.items():
        if key not in by_key:
            raise ApplicationError(f"表头“{key}”不在文件中。")
        if f not in FIELDS and f is not None:
            raise ApplicationError(f"“{f}”不是可导入的字段。")
        by_key[key].field = f
        by_key[key].group = by_key[key].group if f else []
    used = [c.field for c in columns if c.field and c.field != "other"]
    duplicates = {f for f in used if used.count(f) > 1}
    if duplicates:
        names = "、".join(FIELD_LABELS[f] for f in sorted(duplicates))
        raise ApplicationError(f"同一字段只能对应一列：{names} 被指定给了多列。")
