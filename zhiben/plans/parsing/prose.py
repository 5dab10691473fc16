"""Tasks written as prose: "二、主要任务" → "（一）开展…行动" → "1．强化…。正文…" or "一是…。二是…。",
with the division of labour in an annotation ("（X牵头，A、B等按职责分工负责，2018年3月底前完成）",
"责任单位：…；完成时限：…", "由A负责，B配合。").

A numbered paragraph's first short sentence is its title; the body is split into tasks at
"一是/二是…", "（1）", "①" and at sentences that open with a year ("2024年，…。2025年，…"), the
way such plans are turned into task tables. An annotation at the end of a paragraph applies to all
the tasks in it; one standing alone applies to the tasks above it in the same section (or, right
after a heading, to those below).
"""

import re

from .deadlines import extract_inline_deadline, parse_deadline
from .result import PlanTask
from .units import split_annotation

_L1 = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*")
_L2 = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*")
_L3 = re.compile(r"^\s*\d{1,2}\s*[.．、](?!\d)\s*")
_L4 = re.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[）)]|[①-⑳])\s*")
_TASK_SECTION = re.compile(
    r"主要任务|重点任务|工作任务|重点工作|主要工作|工作重点|任务措施|工作措施|主要措施|具体任务|攻坚任务"
    r"|重点行动|专项行动|主要内容|工作内容|重点内容|任务分解|具体措施|重点举措|主要举措"
)
_NON_TASK = re.compile(
    r"总体要求|指导思想|工作目标|主要目标|目标任务$|基本原则|组织领导|保障措施|工作要求|实施步骤|进度安排"
    r"|时间安排|工作步骤|组织实施|工作机制|任务分工|责任分工|附件|适用范围|编制依据|工作背景|有关要求"
)
_ACTIONISH = re.compile(r"行动|整治|治理|攻坚|工程|建设|提升|专项|专题|强化|开展|推进|落实|加强|完善|健全|深化")
_ITEM = re.compile(r"(?:^|(?<=[。；;！!]))\s*(?=[一二三四五六七八九十]+是|[（(]\d{1,2}[）)]|[①-⑳])")
_YEAR_SENTENCE = re.compile(
    r"(?:^|(?<=[。；;]))\s*(?=(?:到|至|在|于|力争)?20\d\d\s*(?:年|[-—–至到]\s*20\d\d))"
    r"|(?<=[，,])\s*(?=(?:到|至|在|于|力争)?20\d\d\s*年[^，,。；;]{0,8}[，,])"
)
_BACKGROUND = re.compile(r"^\s*20\d\d\s*年\s*(?:以来|及以前|以前|之前)")


def _split_heading(text, marker):
    """(title, body) of a numbered paragraph: the title is its first short sentence."""
    rest = text[marker.end() :]
    stop = rest.find("。")
    if 0 <= stop <= 40 and rest[stop + 1 :].strip():
        return text[: marker.end() + stop + 1].strip(), rest[stop + 1 :].strip()
    if len(rest) <= 50:
        return text.strip(), ""
    return text.strip(), None  # a long single sentence: both the heading and its own task


def _split_at(pattern, text, *, min_len=6):
    cuts = [m.start() for m in pattern.finditer(text) if m.start() > 0]
    parts, start = [], 0
    for cut in cuts + [len(text)]:
        part = text[start:cut].strip()
        if part:
            parts.append(part)
        start = cut
    return [p for p in parts if len(p) >= min_len] or ([text.strip()] if text.strip() else [])


def _split_years(text):
    cuts = [
        m.start() for m in _YEAR_SENTENCE.finditer(text) if m.start() > 0 and not _BACKGROUND.match(text[m.start() :])
    ]
    if not cuts:
        return [text.strip()]
    parts, start, carry = [], 0, ""
    for cut in cuts + [len(text)]:
        part = carry + text[start:cut].strip()
        carry = ""
        if part.endswith(("，", ",")) and len(part) < 20 and cut < len(text):
            carry = part  # "摸清重点事故隐患存量，2024年6月底前，…" stays one task
        elif len(part.rstrip("，,")) >= 4:
            parts.append(part.rstrip("，,"))
        start = cut
    return parts


class _Walker:
    def __init__(self, year, levels):
        self.year, self.levels = year, levels
        self.tasks, self.action, self.key = [], "", ""
        self.started, self.pending = False, []
        self.defaults = {"action": None, "key": None}
        self.heading_tasks = 0
        self.heading_text, self.heading_where, self.heading_level = "", "", None

    def _close_heading(self, next_level=None):
        # an action heading followed by its first key task is not empty: its tasks come below
        closing_parent = self.heading_level == "action" and next_level == "key"
        if self.heading_text and self.heading_tasks == 0 and not closing_parent:
            content = re.sub(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[）)]?\s*[、.．]?)\s*", "", self.heading_text)
            self._emit([(content, None)], self.heading_where)
        self.heading_text, self.heading_tasks = "", 0

    def heading(self, level, title, where, body):
        self._close_heading(level)
        self.heading_level = level
        if level == "action":
            self.action, self.key = title, ""
            self.defaults = {"action": None, "key": None}
        else:
            self.key = title
            self.defaults["key"] = None
        self.started, self.pending = True, []
        self.heading_text, self.heading_where = title, where
        if body:
            self.body(body, where)
        elif body is None:  # a long one-sentence heading is its own task
            self._emit([(self.heading_text, None)], where)

    def body(self, text, where, *, single=False):
        if not self.started:
            return
        rest, annotation = split_annotation(text)
        if annotation and not rest.strip():
            self._annotate_pending(annotation)
            return
        items = [rest] if single else _split_at(_ITEM, rest)
        parsed, own = [], False
        for item in items:
            item_rest, item_ann = split_annotation(item) if len(items) > 1 else (item, None)
            own = own or item_ann is not None
            parsed.append((item_rest, item_ann))
        if annotation:
            if own:
                parsed[-1] = (parsed[-1][0], parsed[-1][1] or annotation)
            else:
                parsed = [(t, a or annotation) for t, a in parsed]
        segments = []
        for item_text, ann in parsed:
            for segment in _split_years(item_text):
                segments.append((segment, ann))
        self._emit(segments, where)

    def _emit(self, segments, where):
        for content, ann in segments:
            task = PlanTask(action=self.action, key_task=self.key, content=content, source=where)
            ann = ann or self.defaults["key"] or self.defaults["action"]
            self._assign(task, ann)
            self.tasks.append(task)
            self.pending.append(task)
            self.heading_tasks += 1

    def _assign(self, task, ann):
        if ann and ann.deadline_text:
            task.deadline = parse_deadline(ann.deadline_text, self.year)
        elif not task.deadline.ok:
            task.deadline = extract_inline_deadline(task.content, self.year)
        if ann:
            task.responsible = list(ann.responsible)
            task.cooperating = list(ann.cooperating)

    def _annotate_pending(self, annotation):
        targets = [t for t in self.pending if not t.responsible and not t.cooperating]
        if not targets:
            self.defaults["action" if self.heading_level == "action" else "key"] = annotation
            return
        for task in targets:
            self._assign(task, annotation)

    def finish(self):
        self._close_heading()
        return self.tasks


def _heading_level(text, levels):
    for pattern, level in levels:
        m = pattern.match(text)
        if m and (level != "action" or len(text) <= 80 or "。" in text[:45]):
            return m, level
    return None, None


def _walk(paragraphs, year, levels):
    walker = _Walker(year, levels)
    for p in paragraphs:
        m, level = _heading_level(p.text, levels)
        if level in ("action", "key"):
            title, body = _split_heading(p.text, m)
            walker.heading(level, title, p.where, body)
        elif level == "item":
            walker.body(p.text, p.where, single=True)
        else:
            walker.body(p.text, p.where)
    return walker.finish()


def extract_prose(paragraphs, year):
    """Tasks from the task section(s) of a prose plan; [] when there are none."""
    paragraphs = [p for p in paragraphs if p.text.strip()]
    l1 = [i for i, p in enumerate(paragraphs) if _L1.match(p.text) and len(p.text) <= 40]
    bounds = list(zip(l1, l1[1:] + [len(paragraphs)], strict=False))  # [] without any 一、 heading
    task_sections = [(s, e) for s, e in bounds if _TASK_SECTION.search(paragraphs[s].text)]
    tasks = []
    if task_sections:
        for s, e in task_sections:
            body = paragraphs[s + 1 : e]
            has_l2 = any(_L2.match(p.text) for p in body)
            levels = [(_L2, "action"), (_L3, "key"), (_L4, "item")] if has_l2 else [(_L3, "key"), (_L4, "item")]
            walker_tasks = _walk(body, year, levels)
            if not has_l2:
                for t in walker_tasks:
                    t.action = t.action or ""
            tasks += walker_tasks
        return tasks
    action_sections = [
        (s, e) for s, e in bounds if not _NON_TASK.search(paragraphs[s].text) and _ACTIONISH.search(paragraphs[s].text)
    ]
    for s, e in action_sections:
        tasks += _walk(paragraphs[s:e], year, [(_L1, "action"), (_L2, "key"), (_L3, "item"), (_L4, "item")])
    if tasks:
        return tasks
    if not l1:  # no top-level numbering at all: (一) sections that read like actions
        l2 = [p for p in paragraphs if _L2.match(p.text)]
        if any(_ACTIONISH.search(p.text) and not _NON_TASK.search(p.text) for p in l2):
            tasks = _walk(paragraphs, year, [(_L2, "action"), (_L3, "key"), (_L4, "item")])
    return tasks
