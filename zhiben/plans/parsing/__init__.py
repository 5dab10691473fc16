"""Plan-document task extraction: `parse_plan(source, filename, year=None) -> PlanParse`.

A plan (.txt as exported from Word, .docx, .xlsx/.xls/.ods) is read into paragraphs and tables
(`readers`); task tables are read row by row (`tables`), and only when there is none is the prose
of its 主要任务 section read (`prose`). Deadlines are normalised by `deadlines`, units split and
matched by `units`. Nothing here touches the database.
"""

import os
import re
from datetime import date
from pathlib import Path

from django.conf import settings

from zhiben.core.exceptions import ApplicationError
from zhiben.core.pdf import ITEM_START

from .deadlines import RECURRENCES, Deadline, extract_inline_deadline, parse_deadline
from .notices import extract_notice
from .prose import extract_prose
from .readers import Paragraph, Table, read_document
from .result import JSON_KEYS, PlanParse, PlanTask
from .tables import extract_table
from .units import Assignment, match_units, parse_assignment, parse_unit_cell, split_annotation, split_units

__all__ = [
    "JSON_KEYS",
    "RECURRENCES",
    "Assignment",
    "Deadline",
    "PlanParse",
    "PlanTask",
    "detect_title",
    "detect_year",
    "extract_inline_deadline",
    "match_units",
    "parse_assignment",
    "parse_deadline",
    "parse_plan",
    "parse_unit_cell",
    "split_annotation",
    "split_units",
]

_RANGE = re.compile(r"[（(]\s*(20\d\d)\s*(?:年)?\s*[-—–－~～至到]+\s*(20\d\d)\s*年?\s*[）)]")
_DATE_LINE = re.compile(r"^\s*(20\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印发|发布)?\s*$")
_DATE_ISSUED = re.compile(r"(20\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发")
_TITLE_YEAR = re.compile(r"(20\d\d)\s*年度?[^，。；]{0,40}(?:方案|计划|清单|要点|任务表|分解表)")
_NOTICE_YEAR = re.compile(r"关于[^。\n]{0,30}?(20\d\d)\s*年[^。\n]{0,40}?的通知")
_DOC_NUMBER = re.compile(r"^\s*\S{1,12}[〔\[［(（](20\d\d)[〕\]］)）]\s*\d+\s*号\s*$")


def detect_year(text):
    """The plan's first year: "（2024—2026年）" in its title, else its issue date (a date line or
    "…印发"), else its document number ("X府发〔2020〕137号"), else a year in a title line
    ("2024年安全生产重点工作任务清单"); None if none is found."""
    head = text[:6000]
    m = _RANGE.search(head)
    if m:
        return int(m.group(1))
    lines = text.splitlines()
    for line in lines:
        m = _DATE_LINE.match(line)
        if m:
            return int(m.group(1))
    m = _DATE_ISSUED.search(text)
    if m:
        return int(m.group(1))
    for line in lines[:30]:
        m = _DOC_NUMBER.match(line)
        if m:
            return int(m.group(1))
    for line in [x for x in lines if x.strip()][:15]:
        m = _TITLE_YEAR.search(line)
        if m and len(line.strip()) <= 80:
            return int(m.group(1))
    m = _NOTICE_YEAR.search("\n".join(lines[:5]))
    return int(m.group(1)) if m else None


def detect_title(document, filename=""):
    """The plan's title: what 《》 quotes in the covering notice, what "关于印发…的通知" names, a 方案/计划
    in 《》 or the first line that names a 方案/计划/清单, else a line that reads as a title (…工作要点, 关于…的通知); else
    the file name."""
    paragraphs = [b.text for b in document.blocks[:40] if isinstance(b, Paragraph)]
    head = "".join(paragraphs[:12])
    m = re.search(r"关于印发《([^《》]{4,80})》", head) or re.search(r"关于印发([^《》]{4,80}?)的通知", head)
    if m:
        return m.group(1).strip()
    for text in paragraphs:
        quoted = re.search(r"《([^《》]{4,80}(?:方案|计划|清单|任务表|要点))》", text)
        if quoted:  # "现将《…工作计划》印发给你们", "附件：《…实施方案》"
            return quoted.group(1).strip()
        if len(text) <= 60 and re.search(r"方案|计划|清单|任务表", text):
            return text.strip()
    for text in paragraphs:  # "市应急管理局2024年工作要点", "卢市镇关于做好…安全生产大检查的通知"
        if (
            len(text) <= 60
            and not re.search(r"[，,。：:；;]", text)
            and not ITEM_START.match(text.strip())
            and re.search(r"要点|安排|意见|通知$", text)
        ):
            return text.strip()
    for block in document.blocks:
        if isinstance(block, Table) and block.title:
            return block.title
    return os.path.splitext(os.path.basename(filename or ""))[0]


def _read_source(source):
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, str):
        return source.encode("utf-8")
    if isinstance(source, Path):
        return source.read_bytes()
    if hasattr(source, "chunks"):  # a Django UploadedFile
        return b"".join(source.chunks())
    if hasattr(source, "read"):
        data = source.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    raise TypeError("source must be bytes, str, a Path or a file object")


def _check(task):
    if task.deadline.text and not task.deadline.ok:
        task.warnings.append(f"完成时间“{task.deadline.text}”无法识别为日期，未设截止日期")
    elif not task.deadline.text:
        task.warnings.append("未注明完成时间")
    if not task.responsible:
        task.warnings.append("未注明责任单位")


def parse_plan(source, filename, year=None):
    """Extract the task list of a plan document.

    `source` is the file's bytes, a file object (an upload) or a Path; a str is taken as the text
    of a .txt file. `year` is the plan's year for deadlines without one ("年底前", "12月"); by
    default it is detected from the document, else the current year. Raises ApplicationError
    (Chinese message) for an empty, unreadable or unsupported file or one without a task list.
    """
    data = _read_source(source)
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ApplicationError(f"文件过大（{len(data) // 1024 // 1024} MB），请拆分后再导入。")
    document = read_document(data, filename)
    detected = detect_year(document.text)
    plan_year = int(year) if year else (detected or date.today().year)

    tasks, task_tables = [], []
    for block in document.blocks:
        if isinstance(block, Table):
            found = extract_table(block, plan_year)
            if found:
                task_tables.append((block, found))
    for block, found in task_tables:
        if len(task_tables) > 1 and block.title:
            title = re.sub(r"^附件\s*\d*\s*[:：．.、]?\s*", "", block.title)
            for task in found:
                task.action = task.action or title
        tasks += found
    layout = "table"
    paragraphs = [b for b in document.blocks if isinstance(b, Paragraph)]
    if not tasks:
        tasks, layout = extract_prose(paragraphs, plan_year), "prose"
    elif len(tasks) < 10:
        # a small table (a schedule, a contact list that happens to match) next to a long
        # 主要任务 section is not the plan's task list
        prose_tasks = extract_prose(paragraphs, plan_year)
        if len(prose_tasks) > 2 * len(tasks):
            tasks, layout = prose_tasks, "prose"
    if len(tasks) < 5 and layout == "prose":  # a notice: tasks are its sentences
        notice_tasks = extract_notice(paragraphs, plan_year)
        with_units = sum(1 for t in tasks if t.responsible)
        notice_units = sum(1 for t in notice_tasks if t.responsible)
        if with_units * 2 < len(tasks) + 1 and (
            len(notice_tasks) > 2 * len(tasks) or (notice_units > with_units and len(notice_tasks) >= len(tasks))
        ):
            tasks, layout = notice_tasks, "notice"
    if not tasks:
        name = os.path.basename(filename or "") or "文件"
        raise ApplicationError(
            f"未在“{name}”中找到任务清单：既没有带“重点任务、完成时间、责任单位”等表头的表格，"
            "也没有“主要任务”“重点任务”等章节。"
        )

    warnings = []
    for n, task in enumerate(tasks, 1):
        task.row = n
        _check(task)
        for warning in task.warnings:
            where = f"（{task.source}）" if task.source else ""
            warnings.append(f"第{n}条任务{where}：{warning}")
    return PlanParse(
        tasks=tasks, warnings=warnings, year=plan_year, title=detect_title(document, filename), layout=layout
    )
