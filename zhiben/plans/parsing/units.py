"""Responsible and cooperating units: splitting a cell or an annotation into unit names, and
matching names to the units that already exist.

"公安、交通部门" is two units (公安部门, 交通部门); "区应急、经信局" is 区应急局 and 区经信局;
"镇民政和社会事务办" is one unit (和 only splits between two complete names); "村（社区）" is never
split; "等相关部门" and a trailing "等" are dropped; "X牵头" is responsible, "Y配合" cooperating.
"""

import difflib
import re
from dataclasses import dataclass, field

from zhiben.core.cntext import halfwidth

from .deadlines import parse_deadline

# Words a unit's (or a collective's, or a person's) name ends with.
UNIT_SUFFIXES = tuple(
    sorted(
        {
            "办",
            "办公室",
            "局",
            "分局",
            "委",
            "委员会",
            "管委会",
            "会",
            "所",
            "队",
            "大队",
            "支队",
            "中队",
            "总队",
            "中心",
            "站",
            "部",
            "部门",
            "单位",
            "科",
            "科室",
            "处",
            "处室",
            "院",
            "厅",
            "司",
            "署",
            "公司",
            "集团",
            "村",
            "社区",
            "街道",
            "镇",
            "乡",
            "区",
            "县",
            "市",
            "组",
            "室",
            "校",
            "学校",
            "学区",
            "馆",
            "台",
            "行",
            "企业",
            "机构",
            "政府",
            "党委",
            "党组",
            "支部",
            "专班",
            "小组",
            "班子",
            "站所",
            "供销社",
            "合作社",
            "联社",
            "报社",
            "镇街",
            "园区",
            "协会",
            "商会",
            "医院",
            "法院",
            "检察院",
            "海关",
            "部队",
            "团",
            "办事处",
            "项目部",
            "干部",
            "领导",
            "书记",
            "主任",
            "负责人",
            "人员",
            "网格员",
            "成员",
            "组长",
            "委员",
            "镇长",
            "区长",
            "县长",
            "同志",
            "主体",
            "各方",
        },
        key=len,
        reverse=True,
    )
)
# Words that end like a unit but are verbs or plain nouns ("查处", "执行", "平台").
_NOT_UNITS = frozenset(
    [
        "查处",
        "惩处",
        "论处",
        "到处",
        "好处",
        "各处",
        "相处",
        "督办",
        "承办",
        "协办",
        "主办",
        "查办",
        "举办",
        "开办",
        "创办",
        "代办",
        "兴办",
        "包办",
        "开会",
        "学会",
        "体会",
        "机会",
        "场所",
        "住所",
        "排队",
        "网站",
        "全部",
        "局部",
        "内部",
        "外部",
        "大局",
        "格局",
        "结局",
        "出台",
        "平台",
        "执行",
        "进行",
        "实行",
        "运行",
        "举行",
        "通行",
        "施行",
        "试行",
        "推行",
        "履行",
        "发行",
        "可行",
        "先行",
        "自行",
        "同行",
        "辖区",
        "景区",
        "城区",
        "市区",
        "山区",
    ]
)
# Departments everyone names by a short word, without 局/办/部门: a unit as they stand ("派出所、城管、市场监管所").
BARE_DEPARTMENTS = frozenset(
    [
        "公安",
        "交警",
        "消防",
        "城管",
        "应急",
        "住建",
        "交通",
        "交运",
        "市场监管",
        "工商",
        "质监",
        "安监",
        "供电",
        "电力",
        "燃气",
        "卫健",
        "卫生",
        "教育",
        "民政",
        "文旅",
        "文广",
        "农业",
        "农业农村",
        "水利",
        "水务",
        "林业",
        "环保",
        "生态环境",
        "自然资源",
        "国土",
        "规划",
        "商务",
        "经信",
        "工信",
        "发改",
        "财政",
        "人社",
        "司法",
        "宣传",
        "网信",
        "气象",
        "海事",
        "邮政",
        "税务",
        "综合执法",
        "国资",
        "统计",
        "审计",
        "信访",
        "武装",
        "团委",
        "妇联",
        "工会",
        "电信",
        "移动",
        "联通",
    ]
)
# Suffixes a shorter name may borrow from the next one ("城北、向阳社区" → 城北社区, "公安、交通部门" → 公安部门);
# a department known by its short name borrows only the generic ones ("派出所、城管、市场监管所" keeps 城管).
_GENERIC_SUFFIXES = ("部门", "单位", "科室", "站所", "机构", "局", "委", "办")
_SHARED_SUFFIXES = (
    "社区",
    "街道",
    "部门",
    "单位",
    "科室",
    "站所",
    "机构",
    "办公室",
    "委员会",
    "管委会",
    "中心",
    "大队",
    "支队",
    "派出所",
    "监管所",
    "局",
    "委",
    "办",
    "所",
    "队",
    "站",
    "科",
    "处",
    "院",
    "厅",
    "室",
)
_REGION_PREFIX = re.compile(r"^(?:省|市(?!场)|区(?!域)|县(?!城)|镇(?!街)|乡(?!镇|村)|街道)")
_REGION_CHARS = re.compile(r"[省市区县镇乡]|街道")
_COLLECTIVES = {
    "村",
    "社区",
    "村（社区）",
    "村(社区)",
    "部门",
    "单位",
    "镇街",
    "街道",
    "乡镇",
    "园区",
    "企业",
    "站所",
    "科室",
    "镇",
    "村社区",
    "村居",
    "居委会",
    "村委会",
    "行业部门",
}
_OPEN, _CLOSE = "（([【《“‘「", "）)]】》”’」"
_HARD_SEPS = set("、，,；;/\n\t|")
_SOFT_SEPS = set("和及与 \u3000")
_ETC_TAIL = re.compile(
    r"等(?P<tail>(?:\d+|[一二三四五六七八九十几]+)?个?(?:相关|有关|其他|其它)?(?:职能|成员|责任|主管|行业)?"
    r"(?P<noun>部门|单位|科室|站所|机构|处室)?)$"
)
_ROLE_TAIL = re.compile(
    r"(?:要)?(?:按照?(?:各自)?职责(?:分工)?|分工|共同|具体|各自|分别)?"
    r"(?P<role>牵头负责|牵头|负总责|负责落实|负责|配合落实|配合|协助|协同|参与|协办|落实)"
    r"(?:实施|完成|推进)?$"
)
_ROLE_MARK = re.compile(r"[（(](?P<role>牵头|配合|协助|协办|参与|主责|负责)(?:单位|部门)?[）)]")
_LABEL = re.compile(
    r"^(?P<label>牵头(?:单位|部门|科室|处室)|(?:责任|主责|主办|承办|落实)(?:单位|部门|科室|处室|主体)"
    r"|(?:配合|协办|协助|参与)(?:单位|部门|科室|处室)|(?:完成|办结)?(?:时限|时间节点|时间|期限)|时间要求|进度要求)"
    r"(?:(?:及|和|与|、|/)(?:责任人|负责人|责任领导|联系人))?\s*[:：]\s*(?P<value>.*)$"
)
_PERSON_IN_BRACKETS = re.compile(r"[（(][\u4e00-\u9fff·]{2,4}(?:[、，,][\u4e00-\u9fff·]{2,4})*[）)]")
_DEADLINE_HINT = re.compile(r"20\d\d|年底|年内|季度|半年|每年|每月|长期|持续|月底|月前|完成$")

LEAD, RESPONSIBLE, COOPERATING, SHARE, DEADLINE = "lead", "responsible", "cooperating", "share", "deadline"


@dataclass
class Assignment:
    """Who does a task (and by when), as read from a cell or an annotation."""

    responsible: list = field(default_factory=list)
    cooperating: list = field(default_factory=list)
    deadline_text: str = ""

    def __bool__(self):
        return bool(self.responsible or self.cooperating or self.deadline_text)


def dedupe(names):
    out = []
    for name in names:
        if name and name not in out:
            out.append(name)
    return out


def _strip_brackets(name):
    return re.sub(r"[（(][^（）()]*[）)]$", "", name)


def is_complete(name):
    """True when the name ends like a unit ("…办", "…部门", "各村（社区）"), not a bare word ("公安")."""
    core = _strip_brackets(name.strip())
    if len(core) < 2 or _REGION_PREFIX.fullmatch(core) or core in _NOT_UNITS:
        return False
    return core.endswith(UNIT_SUFFIXES)


def is_unit(name):
    """A complete name, or a department by its short name ("公安", "区城管")."""
    return is_complete(name) or _strip_region(_strip_brackets(name.strip())) in BARE_DEPARTMENTS


def _split_top(text, seps):
    """Split on the characters in `seps` outside any brackets or quotes."""
    parts, buf, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if depth == 0 and ch in seps:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _split_soft(piece):
    """Split on 和/及/与/blanks only between two complete names ("镇财政办和各行业领域主管部门")."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(piece):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if depth or ch not in _SOFT_SEPS or i == start:
            continue
        left, right = piece[start:i].strip(), piece[i + 1 :].strip()
        if not left or not right or piece[i + 1 : i + 2] == "其":
            continue
        if is_complete(left) and not (ch.isspace() and right.startswith(UNIT_SUFFIXES) and len(right) <= 3):
            out.append(left)
            start = i + 1
    out.append(piece[start:])
    return out


def _role_of(word):
    if word.startswith("牵头"):
        return LEAD
    if word in ("配合", "配合落实", "协助", "协同", "参与", "协办"):
        return COOPERATING
    return SHARE


def _clean(name):
    """Drop blanks, a leading 由, trailing punctuation; return (name, role hint, shared noun from 等…)."""
    name = re.sub(r"\s+", "", halfwidth(name).replace("(", "（").replace(")", "）"))
    role, noun = None, None
    m = _ROLE_MARK.search(name)
    if m:
        role = {"牵头": LEAD, "主责": LEAD, "负责": SHARE}.get(m.group("role"), COOPERATING)
        name = name[: m.start()] + name[m.end() :]
    name = name.strip("。.．:：、，,；; ")
    if name.startswith("由"):
        name = name[1:]
    m = _ROLE_TAIL.search(name)
    if m and m.start() > 0:
        role = role or _role_of(m.group("role"))
        name = name[: m.start()]
    m = _ETC_TAIL.search(name)
    if m and m.start() > 0:
        noun = m.group("noun")
        name = name[: m.start()]
    name = re.sub(r"^(?:由|请|会同)", "", name).strip("。.．、，,；; ")
    return name, role, noun


def _expand(names, trailing_noun=None):
    """Shared suffixes and prefixes: "公安、交通部门", "区应急、经信局", "各村、社区"."""
    names = list(names)
    if trailing_noun and names and not is_complete(names[-1]):
        names[-1] += trailing_noun
    out, run = [], []
    for name in names:
        if not is_complete(name) and len(name) <= 6 and not name.startswith("各"):
            run.append(name)
            continue
        if run and is_complete(name):
            suffix = next((s for s in _SHARED_SUFFIXES if name.endswith(s) and len(name) > len(s)), None)
            if suffix and suffix not in _GENERIC_SUFFIXES and any(is_unit(m) for m in run):
                suffix = None  # "城管、市场监管所": 城管 is a unit as it stands
            if suffix:
                prefix_m = _REGION_PREFIX.match(run[0])
                members = run + [name]
                if prefix_m:
                    members = [m if _REGION_CHARS.search(m[:3]) else prefix_m.group(0) + m for m in members]
                out.extend(m + suffix for m in members[:-1])
                out.append(members[-1])
                run = []
                continue
        out.extend(run)
        run = []
        out.append(name)
    out.extend(run)
    # "各村、社区" → 各村, 各社区
    for i in range(1, len(out)):
        if out[i] in _COLLECTIVES and out[i - 1].startswith("各"):
            out[i] = "各" + out[i]
    return out


def _split_with_roles(text):
    """[(name, role hint)] for one run of unit names."""
    items, noun = [], None
    for hard in _split_top(text or "", _HARD_SEPS):
        for piece in _split_soft(hard):
            name, role, tail_noun = _clean(piece)
            if name:
                items.append([name, role])
                noun = tail_noun
    names = _expand([n for n, _ in items], noun)
    if len(names) == len(items):
        return [(n, r) for n, (_, r) in zip(names, items, strict=True)]
    return [(n, None) for n in names]


def split_units(text):
    """Unit names in a cell or list, in order, without duplicates; role words are dropped."""
    return dedupe(n for n, _ in _split_with_roles(text))


def _looks_like_deadline(piece):
    core = re.sub(r"(?:前)?完成(?:任务)?$|^(?:于|在)", "", piece.strip())
    return bool(_DEADLINE_HINT.search(piece)) and parse_deadline(core, 2000).ok and not is_complete(core)


def parse_assignment(text, *, strict=False):
    """Read "X牵头，A、B等按职责分工负责，2018年3月底前完成", "由A负责，B配合",
    "责任单位：A、B；完成时限：2024年底前" or a plain list ("A、B" → responsible).

    With a lead (牵头), units that merely "分工负责" are cooperating; without one they are
    responsible. With strict=True every clause must carry a role word, a label or a date (so a
    sentence like "由各部门负责，按属地原则明确…" is not mistaken for an assignment): None otherwise.
    """
    pieces = [p.strip() for p in _split_top(text or "", set("，,；;。\n")) if p.strip()]
    clauses, pending, labelled = [], [], None
    for piece in pieces:
        m = _LABEL.match(piece)
        if m:
            label = m.group("label")
            role = (
                LEAD
                if label.startswith("牵头")
                else COOPERATING
                if label[:2] in ("配合", "协办", "协助", "参与")
                else RESPONSIBLE
                if "时" not in label and "期限" not in label and "进度" not in label
                else DEADLINE
            )
            value = m.group("value")
            if re.search(r"责任人|负责人|责任领导|联系人", m.group(0)[: m.start("value")]):
                # "责任单位及责任人：县应急局（王某）": the person in brackets is not part of the unit
                value = _PERSON_IN_BRACKETS.sub(lambda b: b.group(0) if is_complete(b.group(0)[1:-1]) else "", value)
            labelled = [role, value]
            clauses.append(labelled)
            continue
        if _looks_like_deadline(piece):
            clauses.append([DEADLINE, piece])
            labelled = None
            continue
        if labelled is not None and labelled[0] != DEADLINE and not _ROLE_TAIL.search(piece):
            labelled[1] += "、" + piece
            continue
        tail = _ROLE_TAIL.search(piece)
        if tail and tail.start() > 0 or (tail and pending):
            clauses.append([None, "、".join(pending + [piece])])
            pending, labelled = [], None
            continue
        if strict and not (_ROLE_MARK.search(piece)):
            return None
        pending.append(piece)
    if pending:
        clauses.append([None, "、".join(pending)])

    leads, responsible, cooperating, share, deadline = [], [], [], [], []
    for role, value in clauses:
        if role == DEADLINE:
            deadline.append(
                re.sub(r"(?:前)?完成(?:任务)?$", lambda m: "前" if m.group(0).startswith("前") else "", value.strip())
            )
            continue
        if role is None:
            tail = _ROLE_TAIL.search(value.strip("。；; "))
            if tail and tail.start() > 0:
                role = _role_of(tail.group("role"))
                value = value.strip("。；; ")[: tail.start()]
        for name, hint in _split_with_roles(value):
            r = role if role is not None else (hint or RESPONSIBLE)
            if role == RESPONSIBLE and hint == LEAD:
                r = LEAD
            {LEAD: leads, RESPONSIBLE: responsible, COOPERATING: cooperating, SHARE: share}[r].append(name)
    if strict and not (leads or responsible or cooperating or share):
        return None
    if leads:
        cooperating = share + cooperating
    else:
        responsible = responsible + share
    resp = dedupe(leads + responsible)
    return Assignment(
        responsible=resp,
        cooperating=[c for c in dedupe(cooperating) if c not in resp],
        deadline_text="、".join(deadline),
    )


def parse_unit_cell(text):
    """(responsible, cooperating) for one 责任单位 cell."""
    a = parse_assignment(text)
    return a.responsible, a.cooperating


# --- matching names to existing units -------------------------------------------------------


def _norm_name(name):
    return re.sub(r"\s+", "", halfwidth(name)).replace("(", "（").replace(")", "）")


def _strip_region(name):
    name = re.sub(r"^(?:各|本)", "", name)
    return _REGION_PREFIX.sub("", name) or name


def match_units(names, units, *, limit=5, cutoff=0.6):
    """Match unit names to existing units given as (id, name, short_name, aliases) tuples.

    For each name: {"name", "match": id or None, "suggestions": [{"id", "name", "score"}], "new"}.
    A match is an exact name, then an exact short name or alias (aliases separated by commas or
    、); otherwise the suggestions are the closest names by difflib ratio on names stripped of a
    region prefix (镇/区/县/街道 …), best first. "new" is True when nothing matched and no
    suggestion scores 0.8 or more: the name is proposed for creation.
    """
    units = [tuple(u) + (None,) * (4 - len(u)) for u in units]
    by_name, by_alias = {}, {}
    for uid, name, short, aliases in units:
        by_name.setdefault(_norm_name(name), uid)
        for alias in [short] + re.split(r"[,，、;；]", aliases or ""):
            if alias and alias.strip():
                by_alias.setdefault(_norm_name(alias), uid)
    results = []
    for raw in names:
        key = _norm_name(raw)
        match = by_name.get(key) or by_alias.get(key)
        suggestions = []
        if match is None:
            stripped = _strip_region(key)
            scored = []
            for uid, name, short, _ in units:
                candidates = [n for n in (name, short) if n]
                score = max(
                    max(
                        difflib.SequenceMatcher(None, key, _norm_name(c)).ratio(),
                        difflib.SequenceMatcher(None, stripped, _strip_region(_norm_name(c))).ratio(),
                    )
                    for c in candidates
                )
                if score >= cutoff:
                    scored.append((score, uid, name))
            scored.sort(key=lambda s: (-s[0], str(s[2])))
            suggestions = [{"id": uid, "name": name, "score": round(score, 3)} for score, uid, name in scored[:limit]]
        results.append(
            {
                "name": raw,
                "match": match,
                "suggestions": suggestions,
                "new": match is None and not any(s["score"] >= 0.8 for s in suggestions),
            }
        )
    return results


# --- annotations in running text --------------------------------------------------------------

_TRAILING_PAREN = re.compile(
    r"[（(](?P<body>[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]\s*(?:[。.；;，,]\s*)?$"
)
_ANNOTATION_WORDS = re.compile(r"牵头|负责|配合|协助|协办|参与|责任单位|责任部门|责任科室|配合单位|完成时限|时间节点")
_TRAILING_LABEL = re.compile(
    r"(?:^|(?<=[。；;\s]))(?P<body>(?:牵头单位|牵头部门|责任单位|责任部门|责任科室|主责单位|配合单位|配合部门"
    r"|完成时限|完成时间|时间节点)(?:(?:及|和|与|、|/)(?:责任人|负责人|责任领导|联系人))?\s*[:：].*)$",
    re.S,
)
_LAST_SENTENCE = re.compile(r"(?:^|(?<=[。；;]))(?P<body>[^。；;]*(?:负责|牵头|配合|协助)[^。；;]*)[。；;]?\s*$")


def split_annotation(text):
    """(text without it, Assignment) for a trailing "（X牵头，A、B按职责分工负责，2024年底前完成）",
    "责任单位：A；完成时限：2024年底前" or a closing sentence "由A负责，B配合。"; (text, None) if none."""
    text = (text or "").rstrip()
    m = _TRAILING_PAREN.search(text)
    if m:
        body = m.group("body")
        end = "。" if text.endswith(("。", ".")) and not text[: m.start()].rstrip().endswith("。") else ""
        if _ANNOTATION_WORDS.search(body):
            a = parse_assignment(body, strict=True)
            if a:
                return text[: m.start()].rstrip() + end, a
        elif re.search(r"完成$", body) and _looks_like_deadline(body):
            return text[: m.start()].rstrip() + end, Assignment(deadline_text=re.sub(r"完成$", "", body).strip())
    m = _TRAILING_LABEL.search(text)
    if m:
        a = parse_assignment(m.group("body"))
        if a:
            return text[: m.start()].rstrip(), a
    m = _LAST_SENTENCE.search(text)
    if m and len(m.group("body")) <= 120:
        a = parse_assignment(m.group("body"), strict=True)
        if a:
            return text[: m.start()].rstrip(), a
    return text, None
