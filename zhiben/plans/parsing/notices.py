"""Tasks written as the sentences of a notice (通知, 工作安排) rather than a numbered task list.

Used only when neither a task table nor a 主要任务 section gave any task. The body of the notice (after
the salutation, before the signature) is read section by section; sections that only frame the work
(指导思想, 工作目标, 组织领导, 工作要求, 考核 …) are skipped. A sentence (split at 。；) is a task when it
asks someone to do something (要, 须, 负责, 牵头, 开展, 报送 …); its units come from the sentence:

- "由县应急局牵头，公安、交通部门配合" / "由镇安办根据…" → lead (responsible) and cooperating units;
- its subject before 要/须/应/负责/将/于: "各镇街要于9月底前完成…" → 各镇街;
- a paragraph opening with a bare list of units ("区公安局、经开区公安分局。负责…；查处…；侦查…") gives them to
  every clause after it, each a duty; a label line ("责任单位：…", "成员：应急办全体成员") before
  "检查范围：…"/"主要职责：…" gives them to what follows;
- a time before the subject is not part of its name ("整治结束后专项整治领导小组办公室将…"); a sentence
  saying who heads or sits on a body ("…兼任主任，…为成员") is its make-up, not a task.

Deadlines come from the sentence ("7月2日和12月2日前" → both dates, "每月25日前" → monthly), else from
the phase it sits in ("（二）集中整治阶段（1月21日―2月15日）"), else from a section that only states the
work's time ("一、检查整改时间 / 2021年3月7日-3月10日"). The year is the plan year (the document's date);
a placeholder year "20xx" reads as that year.
"""

import re

from zhiben.core.cntext import to_simplified

from .deadlines import extract_inline_deadline, parse_deadline
from .result import PlanTask
from .units import is_unit, parse_assignment, split_units

_L1 = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*")
_L2 = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*")
_ITEM = re.compile(r"(?:^|(?<=[。；;：:!！]))\s*(?=\d{1,2}\s*[、.．](?!\d))")
_ITEM_MARK = re.compile(r"^\s*\d{1,2}\s*[、.．](?!\d)\s*")
_FRAME = re.compile(
    r"指导思想|总体要求|工作目标|主要目标|基本原则|组织领导|领导小组|组织机构|保障措施|工作要求|有关要求|督导要求|"
    r"检查(督导)?要求|适用范围|编制依据|考核|工作背景|^附件"
)
_TIME_SECTION = re.compile(r"时间|时限|期限")
_SALUTATION = re.compile(r"^[^。；;]{2,80}[:：]\s*$")
_SIGNATURE_DATE = re.compile(r"^\s*(20\d\d|二〇[〇一二三四五六七八九]{2})\s*[年.\-/]")
_PREAMBLE = re.compile(
    r"通知如下|安排如下|如下[，,：:]|特制定|制定本|印发给你们|请遵照执行|现将有关事项|现就有关事项|研究决定|经.{0,12}同意|^为了?|^附件|^附[:：]"
)
_TITLE = re.compile(r"(通知|方案|计划|要点|安排|意见)$")
_DUTY = re.compile(
    r"要|须|必须|应当|负责|牵头|配合|开展|完成|报送|上报|报区|报镇|报县|报市|组织|落实|建立|执行|严格|加强|推进|排查|整治|"
    r"检查|巡查|督促|取缔|宣传|制定|成立|确保|做好|加大|打击|杜绝|签订|整改|治理|查处|审查|禁止|侦查|处罚|监管|清理"
)
_SUBJECT = re.compile(
    r"(?:^|(?<=[，,]))(?P<subject>[^，,。；;：:]{2,40}?)"
    r"(?:要|须|必须|应当|应|负责|将|于|在|按|严格|认真|立即|及时|每月|每周|每年|每季度|安排|组织)"
)
# a time opening the subject: "整治结束后专项整治领导小组办公室将…", "春节期间街道将…"
_TIME_LEAD = re.compile(r"^[^，,]{0,12}?(?:结束后|完成后|开始后|以后|之后|以前|之前|期间|前夕|届时)")
_OWN_LEVEL = {"街道", "镇", "乡", "乡镇", "县", "区"}  # "春节期间街道将…": the plan's own 街道 (its office)
# who heads or sits on a body is its make-up, not a task: "由办事处副主任…兼任主任，…为成员"
_COMPOSITION = re.compile(r"(?:担任|兼任|任)(?:组长|副组长|主任|副主任|成员|组员)|为(?:成员|组员)|下设办公室")
_LEAD_LABEL = re.compile(r"^[^，,。；;:：（）()]{2,14}(?:[（(][^（）()]*[）)])?[:：]")
_ACTOR = re.compile(r"^(?P<subject>[^，,。；;：:]{2,30}?)(?:要|须|必须|应当|负责|将|安排|组织)")
_HELPERS = re.compile(
    r"(?:^|[，,])(?P<units>[^，,。；;]{2,40}?)(?:等部门|等单位)?(?:共同|积极|全力)?(?:配合|协助|协办|参与)(?:[，,。；;]|$)"
)
_WITH = re.compile(
    r"(?:组织|会同|协同|联合|协调)(?P<units>[^，,。；;]{2,40}?)(?:等部门|等单位|等)?(?:开展|进行|对|共同|参与)"
)
_BY = re.compile(r"由(?P<units>[^，,；;。]{2,40}?)(?:共同)?(?:牵头|负责|组织|根据|按照|会同|联合|统一|具体)")
_LABEL = re.compile(
    r"^(?P<label>责任单位|牵头单位|主责单位|责任部门|成员单位|成员|配合单位|协办单位|检查范围|主要职责|工作职责|职责|工作任务|"
    r"任务|检查内容|工作内容|整治内容|责任领导|组长|副组长)\s*[:：]\s*(?P<value>.*)$"
)
_TASK_LABELS = ("检查范围", "主要职责", "工作职责", "职责", "工作任务", "任务", "检查内容", "工作内容", "整治内容")
_UNIT_LABELS = ("责任单位", "牵头单位", "主责单位", "责任部门", "成员单位", "成员")
_PEOPLE_NOISE = re.compile(r"全体成员|全体人员|有关同志|相关同志|负责人|工作人员|等部门|等单位")
_PHASE = re.compile(r"[（(](?P<when>[^（）()]*\d{1,2}\s*月[^（）()]*)[）)]")
_PLACEHOLDER_YEAR = re.compile(r"20[xX×_＿]{2}")
_DAY_LIST = re.compile(r"(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?P<more>(?:\s*[、,，和及]\s*\d{1,2}\s*日)+)")
_GENERIC = {"单位", "部门", "有关部门", "有关单位", "相关部门", "相关单位"}


_VERB_START = re.compile(
    r"^(广泛|开展|加强|推进|落实|组织|建立|征求|严格|认真|深入|全面|进一步|及时|持续|切实|积极|主动|依法|重点|"
    r"大力|集中|定期|结合|根据|按照|通过|利用|对|把|将|在|从|自|经(?![开济])|以|为|发现|确保|做好|完成|督促)"
)


def _units(text):
    """Unit names in a short text, or [] when it does not read as a list of units."""
    text = _PEOPLE_NOISE.sub("", text or "").strip(" ，,、")
    if not text or len(text) > 60 or _VERB_START.match(text):
        return []
    names = [n for n in split_units(text) if n not in _GENERIC]
    return names if names and all(is_unit(n) and len(n) <= 20 for n in names) else []


def _sentences(text):
    parts = []
    for item in _ITEM.split(text):
        item = _ITEM_MARK.sub("", item)
        parts += [s.strip() for s in re.split(r"(?<=[。；;])", item) if s.strip()]
    return parts


def _deadline(text, year, fallback):
    text = _PLACEHOLDER_YEAR.sub(str(year), text)
    deadline = extract_inline_deadline(text, year)
    for m in _DAY_LIST.finditer(text):  # "3月3日、10日、17日" → every day of the month listed
        extra = parse_deadline(f"{m['m']}月{m['d']}日", year).dates
        for d in re.findall(r"\d{1,2}", m["more"]):
            extra += parse_deadline(f"{m['m']}月{d}日", year).dates
        for d in extra:
            if d not in deadline.dates:
                deadline.dates.append(d)
        deadline.dates.sort()
    if not deadline.ok and fallback is not None:
        return fallback
    return deadline


class _Reader:
    def __init__(self, year):
        self.year = year
        self.tasks = []
        self.section_deadline = None  # from a "检查整改时间" section
        self.phase_deadline = None
        self.units = []  # given by a label line or a bare unit list to what follows
        self.cooperating = []

    def heading(self):
        self.units, self.cooperating, self.phase_deadline = [], [], None

    def phase(self, text):
        m = _PHASE.search(_PLACEHOLDER_YEAR.sub(str(self.year), text))
        if m:
            d = parse_deadline(m["when"], self.year)
            if d.ok:
                self.phase_deadline = d

    def label(self, text, where):
        """A "责任单位：…" / "检查范围：…" line: True when the text was one."""
        simple = to_simplified(text)
        m = _LABEL.match(simple)
        if not m:
            return False
        label, value = m["label"], m["value"].strip().rstrip("。；;")
        if label in _UNIT_LABELS:
            self.units = _units(value) or self.units
        elif label in ("配合单位", "协办单位"):
            self.cooperating = _units(value)
        elif label in _TASK_LABELS and value:
            original = re.split(r"[:：]", text, maxsplit=1)[-1].strip()
            self.emit(original, where, self.units, self.cooperating)
        return True

    def paragraph(self, text, where):
        if self.label(text, where):
            return
        if _TITLE.search(text) and not re.search(r"[。；;]", text):
            return
        subject, owned = [], False
        for sentence in self.clauses(text):
            body = to_simplified(sentence.rstrip("。；;"))  # matched as Simplified, kept as written
            bare = _units(body)
            if bare and len(body) <= 40:  # "区公安局、经开区公安分局。" — who the duties below belong to
                subject, owned = bare, True
                continue
            if _PREAMBLE.search(body) or _COMPOSITION.search(body):
                continue
            responsible, cooperating = self.assignment(body)
            if responsible:
                subject, owned = responsible, False
            if len(body) < 8 or not (_DUTY.search(body) or (owned and not responsible)):
                continue  # under a paragraph's own units every clause is a duty: "区公安局。负责…；侦查…"
            self.emit(sentence, where, responsible or subject or self.units, cooperating or self.cooperating)

    @staticmethod
    def clauses(text):
        """Sentences, each cut again where a clause opens with a new actor ("…建立台账，其他社区安排专班，…")."""
        out = []
        for sentence in _sentences(text):
            parts = re.split(r"(?<=[，,])", sentence)
            current = ""
            for part in parts:
                m = _ACTOR.match(_LEAD_LABEL.sub("", part))
                if current and m and _units(m["subject"]) and len(current) >= 8:
                    out.append(current.rstrip("，,") + "。")
                    current = part
                else:
                    current += part
            if current:
                out.append(current)
        return out

    @staticmethod
    def helpers(body, lead):
        """Units a clause names as helping: "…，镇农业服务中心配合" / "公安、交通部门配合"."""
        m = _HELPERS.search(body)
        return [n for n in (_units(m["units"]) if m else []) if n not in lead]

    def assignment(self, body):
        body = _LEAD_LABEL.sub("", body)  # "排查梳理阶段：城建办…要…"
        by = body.find("由")
        if by >= 0:
            a = parse_assignment(re.split(r"[，,]做好", body[by:])[0], strict=True)
            if a and a.responsible:
                return [n for n in a.responsible if n not in _GENERIC], [n for n in a.cooperating if n not in _GENERIC]
            m = _BY.search(body)
            if m and _units(m["units"]):
                return _units(m["units"]), self.helpers(body, _units(m["units"]))
        for m in _SUBJECT.finditer(body):
            if m.start("subject") > 24:  # the subject opens the sentence (after a time phrase at most)
                break
            lead = _TIME_LEAD.match(m["subject"])
            rest = m["subject"][lead.end() :] if lead else ""
            names = ([rest] if rest in _OWN_LEVEL else _units(rest)) or _units(m["subject"])
            if names:
                w = _WITH.search(body, m.end("subject"))
                helpers = [n for n in (_units(w["units"]) if w else []) if n not in names]
                return names, helpers or self.helpers(body, names)
        return [], []

    def emit(self, content, where, responsible, cooperating):
        task = PlanTask(content=content.strip(), source=where)
        task.deadline = _deadline(content, self.year, self.phase_deadline or self.section_deadline)
        task.responsible = list(responsible)
        task.cooperating = [n for n in cooperating if n not in responsible]
        self.tasks.append(task)


def extract_notice(paragraphs, year):
    """Tasks from the sentences of a notice; [] when none reads as a task."""
    texts = [(p.text.strip().strip("?？ 　"), p.where) for p in paragraphs if p.text.strip().strip("?？ 　")]
    start = next((i + 1 for i, (t, _) in enumerate(texts[:12]) if _SALUTATION.match(t) and not _L1.match(t)), 0)
    reader = _Reader(year)
    skipping = False
    i = start
    while i < len(texts):
        text, where = texts[i]
        if _SIGNATURE_DATE.match(text) and len(text) <= 16:
            i += 1
            continue
        if _L1.match(text) and len(text) <= 40:
            reader.heading()
            title = to_simplified(_L1.sub("", text))
            skipping = bool(_FRAME.search(title))
            if _TIME_SECTION.search(title) and i + 1 < len(texts) and len(texts[i + 1][0]) <= 30:
                d = parse_deadline(_PLACEHOLDER_YEAR.sub(str(year), texts[i + 1][0]), year)
                if d.ok:
                    reader.section_deadline = d
                    i += 2
                    continue
            i += 1
            continue
        if skipping:  # a framing section: only its labelled duties ("主要职责：…") are tasks
            if _L2.match(text):
                reader.heading()
            else:
                reader.label(text, where)
            i += 1
            continue
        if _L2.match(text):
            reader.heading()
            reader.phase(text)
            head = _L2.sub("", text)
            if len(head) <= 30 and not re.search(r"[。；;：:]", head.rstrip("；;。")):
                if not (head.endswith("。") and _DUTY.search(head)):
                    i += 1
                    continue  # "（一）第一检查督导组；" — a group heading, its lines follow
            text = head
        reader.paragraph(text, where)
        i += 1
    return reader.tasks
