"""Task tables: find the header, decide what each column holds, and read the rows.

Headers vary (行动名称 | 重点任务 | 完成时间 | 责任科室; 序号 | 工作目标任务 | 时间节点 | 责任单位 |
配合单位; …) and a header cell may span several data columns ("重点任务" over the key task and
the task). When the spans are unknown (a text export) every way of spreading the header over the
data columns is tried and the one whose columns best fit their contents wins.

Merged cells carry their value down: a blank cell in a text export, or a vertically merged cell
in Word or Excel, repeats the value above (for 配合单位 only when the merge is known: a blank
there usually means "none").
"""

import itertools
import re

from zhiben.core.cntext import halfwidth

from .deadlines import extract_inline_deadline, parse_deadline
from .result import PlanTask
from .units import is_complete, parse_assignment, split_annotation, split_units

SEQ, REMARK, COOP, LEAD, RESP, LEADER, DEADLINE, CONTENT, ACTION, TASK, KEY, OTHER = (
    "seq",
    "remark",
    "cooperating",
    "lead",
    "responsible",
    "leader",
    "deadline",
    "content",
    "action",
    "task",
    "key_task",
    "other",
)
_ROLE_PATTERNS = [
    (SEQ, r"^(?:序号|编号|序|No\.?|项次|排序)$"),
    (REMARK, r"备注|说明|完成情况|进展|佐证|成效|评分|分值|考核|依据"),
    (COOP, r"(?:配合|协办|协助|参与)(?:单位|部门|科室|处室|站所)?"),
    (LEAD, r"牵头"),
    (RESP, r"(?:责任|主责|主办|承办|落实|实施|负责|职责)(?:单位|部门|科室|处室|主体|站所)|责任单位"),
    (LEADER, r"领导|责任人|负责人|职务|姓名"),
    (DEADLINE, r"时间|时限|期限|节点|进度安排|时间安排|完成年度|年度安排|完成年限"),
    (
        CONTENT,
        r"具体(?:任务|措施|内容|工作|事项)|工作(?:措施|内容|举措|要求|目标)|任务(?:内容|措施|要求|目标|描述)"
        r"|目标任务|主要(?:内容|措施|举措|职责)|(?:推进|落实|实施|整治|攻坚)措施|^措施$|职责|清单内容",
    ),
    (ACTION, r"行动|专项|类别|板块|领域|专题|攻坚方向|^类型$|^项目$"),
    (TASK, r"任务|重点工作|工作事项|^事项$|^工作$|^内容$"),
]
_ROLE_RES = [(role, re.compile(p)) for role, p in _ROLE_PATTERNS]
_TASK_FAMILY = {TASK, CONTENT, KEY}
_UNIT_FAMILY = {RESP, LEAD, COOP, LEADER}
_L1 = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
_L2 = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]")
_L3 = re.compile(r"^\d{1,2}\s*[.．、](?!\d)")
_SEQ_VALUE = re.compile(r"^(?:\d{1,3}|[一二三四五六七八九十]+)[、.．]?$")


def _squash(text):
    return re.sub(r"\s+", "", halfwidth(text))


def header_role(text):
    """The column role a header cell names, or None."""
    t = re.sub(r"[（(][^（）()]*[）)]$", "", _squash(text))
    if not t or len(t) > 12:
        return None
    for role, pattern in _ROLE_RES:
        if pattern.search(t):
            return role
    return None


def header_roles_ok(texts):
    """Do these cells look like the header row of a task table?"""
    texts = [t for t in texts if t and t.strip()]
    if not 2 <= len(texts) <= 16:
        return False
    roles = [header_role(t) for t in texts]
    known = {r for r in roles if r}
    if sum(1 for r in roles if r) * 10 < len(texts) * 6:
        return False
    has_task = bool(known & _TASK_FAMILY)
    if not has_task and ACTION in known and DEADLINE in known and known & _UNIT_FAMILY:
        return True  # "专项整治行业名称 | 时间安排 | 责任单位": each campaign is the task
    return (has_task and bool(known & (_UNIT_FAMILY | {DEADLINE}))) or (has_task and len(known - {SEQ, REMARK}) >= 3)


def _expand(role, span):
    if span == 1:
        return [role or OTHER]
    if role in (TASK, CONTENT, KEY):
        return [KEY, CONTENT] if span == 2 else [ACTION, KEY] + [CONTENT] * (span - 2)
    if role == ACTION:
        return [ACTION, KEY] + [CONTENT] * (span - 2)
    return [role or OTHER] * span


def _resolve(roles):
    """Generic 任务 columns become the key task or the task; a 领导 column counts as responsible
    only when there is no unit column."""
    roles = list(roles)
    tasks = [j for j, r in enumerate(roles) if r == TASK]
    if tasks:
        if CONTENT in roles:
            for j in tasks:
                roles[j] = KEY
        else:
            for j in tasks[:-1]:
                roles[j] = KEY
            roles[tasks[-1]] = CONTENT
    if CONTENT not in roles and KEY in roles:
        roles[len(roles) - 1 - roles[::-1].index(KEY)] = CONTENT
    if CONTENT not in roles and KEY not in roles and ACTION in roles:
        roles[roles.index(ACTION)] = CONTENT
    if LEADER in roles:
        replacement = OTHER if {RESP, LEAD} & set(roles) else RESP
        roles = [replacement if r == LEADER else r for r in roles]
    return roles


# --- fitting a header of unknown spans to the data -----------------------------------------------


def _date_like(text):
    return len(text) <= 30 and parse_deadline(text, 2024).ok and not is_complete(text)


def _unit_like(text):
    if len(text) > 80 or _date_like(text):
        return False
    names = split_units(text)
    return bool(names) and sum(1 for n in names if is_complete(n) and len(n) <= 20) * 2 >= len(names)


def _fit(role, values):
    if not values:
        return 0.2
    n = len(values)
    if role == SEQ:
        return sum(1 for v in values if _SEQ_VALUE.match(v)) / n
    if role == ACTION:
        return (
            sum(
                1
                for v in values
                if len(v) <= 40 and (_L1.match(v) or _L2.match(v) or re.search(r"行动|专项|专题|整治", v))
            )
            / n
        )
    if role == KEY:
        return sum(1 for v in values if len(v) <= 60 and not _date_like(v) and not _unit_like(v)) / n * 0.8
    if role == CONTENT:
        return sum(1 for v in values if len(v) >= 8 and not _date_like(v) and not _unit_like(v)) / n
    if role == DEADLINE:
        return sum(1 for v in values if _date_like(v)) / n
    if role in (RESP, COOP, LEAD):
        return sum(1 for v in values if _unit_like(v)) / n
    return 0.3


def _fit_spans(header, width, data):
    """Column roles for a header of n cells over `width` data columns (n < width)."""
    n = len(header)
    columns = [[r[j].text for r in data[:150] if j < len(r) and r[j].text and not r[j].left] for j in range(width)]
    cache, best, best_score = {}, None, -1.0
    combos = itertools.combinations(range(1, width), n - 1)
    for k, cuts in enumerate(combos):
        if k > 3000:
            break
        bounds = (0, *cuts, width)
        roles = []
        for i, cell in enumerate(header):
            roles += _expand(header_role(cell), bounds[i + 1] - bounds[i])
        roles = _resolve(roles)
        score = 0.0
        for j, role in enumerate(roles):
            if (j, role) not in cache:
                cache[j, role] = _fit(role, columns[j])
            score += cache[j, role]
        if score > best_score + 1e-9:
            best, best_score = roles, score
    return best


def _column_roles(header_row, width, data, exact):
    if exact and len(header_row) == width:
        roles, j = [], 0
        while j < width:
            span = 1
            while j + span < width and header_row[j + span].left:
                span += 1
            roles += _expand(header_role(header_row[j].text), span)
            j += span
        return _resolve(roles)
    header = [c.text for c in header_row if not c.left]
    if len(header) >= width:
        return _resolve([header_role(t) or OTHER for t in header[:width]])
    return _fit_spans(header, width, data)


def _apply_subheader(header_row, sub_row, roles, exact):
    """A second header row ("责任单位" over "牵头单位 | 配合单位") refines the roles above it."""
    sub = [c for c in sub_row if c.text and not c.left]
    if exact and len(sub_row) == len(roles):
        out = list(roles)
        for j, cell in enumerate(sub_row):
            role = header_role(cell.text) if cell.text and not cell.up and not cell.left else None
            if role:
                out[j] = role
        return _resolve(out)
    sub_roles = [header_role(c.text) for c in sub]
    texts = [c.text for c in header_row if not c.left]
    for i, t in enumerate(texts):
        top = header_role(t)
        if top and (
            (top in _UNIT_FAMILY and set(sub_roles) <= _UNIT_FAMILY)
            or (top == DEADLINE and set(sub_roles) <= {DEADLINE})
        ):
            texts = texts[:i] + [c.text for c in sub] + texts[i + 1 :]
            return _resolve([header_role(x) or OTHER for x in texts])
    return roles


# --- reading the rows -------------------------------------------------------------------------


def _is_subheader(row, exact):
    """A second header row: its own cells all name columns (and, in Word/Excel, others merge down)."""
    own = [c.text for c in row if c.text and not c.left and not c.up]
    if not own or not all(header_role(t) for t in own) or any(_date_like(t) for t in own):
        return False
    return any(c.up for c in row) if exact else len(own) >= 2


def _find_header(rows):
    for i, row in enumerate(rows[:8]):
        if header_roles_ok([c.text for c in row if not c.left]):
            return i
    return None


def _value(row, cols):
    """(text, status) for the cells of one role: status is own, merged, unknown or empty."""
    texts, statuses = [], set()
    for j in cols:
        if j >= len(row):
            continue
        cell = row[j]
        if cell.left and j - 1 in cols:
            continue
        if cell.up is True:
            statuses.add("merged")
        elif cell.text and not cell.left:
            texts.append(cell.text)
            statuses.add("own")
        elif cell.up is None:
            statuses.add("unknown")
    for status in ("own", "merged", "unknown"):
        if status in statuses:
            return "\n".join(texts), status
    return "", "empty"


def _heading_of(row, width):
    """The text of a row that spans the table (a section heading inside it), or None."""
    if width < 3 or sum(1 for c in row if c.left) * 2 < width - 1:
        return None
    own = []
    for c in row:
        if c.text and not c.left and not c.up and c.text not in own:
            own.append(c.text)
    own = [t for t in own if not _SEQ_VALUE.match(t)] or own
    return max(own, key=len) if own and len(own) <= 2 else None


def extract_table(table, year):
    """The tasks of one table, or None when it is not a task table."""
    rows = table.rows
    h = _find_header(rows)
    if h is None:
        return None
    header_row, data, where = rows[h], rows[h + 1 :], table.where[h + 1 :]
    width = max([len(r) for r in data] + [1])
    roles = _column_roles(header_row, width, data, table.exact)
    if data and _is_subheader(data[0], table.exact):
        roles = _apply_subheader(header_row, data[0], roles, table.exact)
        data, where = data[1:], where[1:]
    if not roles or CONTENT not in roles:
        return None
    cols = {}
    for j, role in enumerate(roles):
        cols.setdefault(role, []).append(j)
    header_texts = {_squash(c.text) for c in header_row if c.text}

    tasks = []
    state = {"action": "", "key": "", "content": "", "deadline": "", "resp": "", "lead": "", "coop": ""}
    for row, source in zip(data, where, strict=False):
        if not any(c.text for c in row):
            continue
        own_texts = [_squash(c.text) for c in row if c.text and not c.left and not c.up]
        if own_texts and all(t in header_texts for t in own_texts) and len(own_texts) >= 2:
            continue  # the header repeated on a new page
        heading = _heading_of(row, width)
        if heading:
            if _L3.match(heading) or (
                ACTION in cols and not (_L1.match(heading) or _L2.match(heading) or "行动" in heading)
            ):
                state["key"] = heading
            else:
                state["action"], state["key"] = heading, ""
            continue
        action, st = _value(row, cols.get(ACTION, []))
        action_changed = st == "own" and action != state["action"]
        if st == "own":
            state["action"] = action
        key, st = _value(row, cols.get(KEY, []))
        if st == "own":
            state["key"] = key
        elif st == "empty" or (st == "unknown" and action_changed):
            state["key"] = ""
        others_own = False
        for name, role in (("deadline", DEADLINE), ("resp", RESP), ("lead", LEAD), ("coop", COOP)):
            text, st = _value(row, cols.get(role, []))
            if st == "own":
                state[name] = text
                others_own = True
            elif st == "empty" or (st == "unknown" and name == "coop"):
                state[name] = ""
        content, st = _value(row, cols.get(CONTENT, []))
        if st == "own":
            state["content"] = content
        elif not (st in ("merged", "unknown") and others_own and state["content"]):
            continue  # a row that only names an action or key task
        tasks.append(_task(state, source, year, cols))
    return tasks


def _task(state, source, year, cols):
    task = PlanTask(action=state["action"], key_task=state["key"], content=state["content"], source=source)
    deadline_text = state["deadline"]
    lead = parse_assignment(state["lead"]) if state["lead"] else None
    resp = parse_assignment(state["resp"]) if state["resp"] else None
    coop = split_units(state["coop"]) if state["coop"] else []
    if not (lead or resp) or DEADLINE not in cols:
        stripped, inline = split_annotation(task.content)
        if inline:
            task.content = stripped
            if not (lead or resp):
                resp = inline
            if DEADLINE not in cols and inline.deadline_text:
                deadline_text = inline.deadline_text
    responsible, cooperating = [], []
    for a in (lead, resp):
        if a:
            responsible += a.responsible
            cooperating += a.cooperating
            deadline_text = deadline_text or a.deadline_text
    cooperating += coop
    responsible = list(dict.fromkeys(responsible))
    task.responsible = responsible
    task.cooperating = [c for c in dict.fromkeys(cooperating) if c not in responsible]
    task.deadline = parse_deadline(deadline_text.replace("\n", " "), year)
    if DEADLINE not in cols and not deadline_text:
        task.deadline = extract_inline_deadline(task.content, year)
    return task
