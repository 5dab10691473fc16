"""The 一张表 as Excel in the plan's own layout (行动名称 | 重点任务 | 具体任务 | 完成时间 | 责任单位 |
配合单位) plus status columns, and the quarterly progress summary as DOCX (A4, Chinese fonts)."""

import io
from collections import OrderedDict

from django.db.models import Prefetch
from django.utils import timezone

from zhiben.core.excel import put

from .choices import OWNER_ROLES, DisplayStatus, ReportStatus, UnitRole
from .models import Milestone, ProgressReport, TaskUnit
from .schedule import quarter_period
from .selectors import board, overdue_tasks, unit_completion

FILLS = {
    "completed": "C6EFCE",
    "in_progress": "FFEB9C",
    "overdue": "FFC7CE",
    "not_started": "EDEDED",
    "ongoing_reported": "FFEB9C",
    "ongoing": "F2F2F2",
}
BASE_COLUMNS = [
    ("行动名称", 22),
    ("重点任务", 24),
    ("具体任务", 48),
    ("完成时间", 14),
    ("责任单位", 18),
    ("配合单位", 18),
]
STATUS_COLUMNS = [("当前状态", 9), ("完成进度（%）", 9), ("下一节点", 14), ("逾期节点", 16), ("最近进展", 36)]


def _names(assignments, roles):
    return "、".join(a.display_name for a in assignments if a.role in roles)


def board_xlsx(plan, *, granularity="year", unit=None, action=None, today=None):
    """The board exactly as filtered on the page, one row per task; 行动名称 and 重点任务 are merged
    down their rows as in the plan; one status column per period, coloured like the page. Every value
    goes through `core.excel.put`, so text from the plan and the reports is never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    data = board(plan=plan, granularity=granularity, unit=unit, action=action, today=today)
    today = data["today"]
    book = Workbook()
    sheet = book.active
    sheet.title = "挂图作战一张表"
    columns = BASE_COLUMNS + STATUS_COLUMNS + [(p.label, 10) for p in data["columns"]]
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    put(sheet, 1, 1, f"{plan.title}挂图作战一张表（截至{today:%Y年%m月%d日}）").font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    for j, (title, width) in enumerate(columns, start=1):
        cell = put(sheet, 2, j, title)
        cell.font, cell.alignment, cell.border = Font(bold=True), center, border
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "D3"
    r, merges = 3, []
    for action_obj, rows in data["groups"]:
        first = r
        for row in rows:
            task = row["task"]
            milestones = list(task.milestones.all())
            upcoming = next((m for m in milestones if m.status != "completed" and m.due_date >= today), None)
            overdue = [m.label for m in milestones if m.is_overdue(today)]
            latest = task.live_reports[0] if task.live_reports else None
            values = [
                action_obj.title,
                task.key_task.title if task.key_task_id else "",
                task.content,
                task.deadline_text,
                _names(row["owners"], OWNER_ROLES),
                _names(row["helpers"], (UnitRole.COOPERATING,)),
                DisplayStatus(row["state"]).label if row["state"] else ("长期" if task.recurrence == "ongoing" else ""),
                latest.percentage if latest else None,
                upcoming.label if upcoming else "",
                "、".join(overdue),
                f"{latest.unit.name}：{latest.text}" if latest else "",
            ]
            for j, value in enumerate(values, start=1):
                cell = put(sheet, r, j, value)
                cell.alignment, cell.border = wrap, border
            if row["state"] in FILLS:
                sheet.cell(row=r, column=7).fill = PatternFill("solid", fgColor=FILLS[row["state"]])
            for k, c in enumerate(row["cells"]):
                cell = put(
                    sheet, r, len(values) + 1 + k, c["label"] or ("长期" if c["state"].startswith("ongoing") else "")
                )
                cell.alignment, cell.border = center, border
                if c["state"] in FILLS:
                    cell.fill = PatternFill("solid", fgColor=FILLS[c["state"]])
            if row["key_rowspan"] > 1:
                merges.append((r, 2, r + row["key_rowspan"] - 1, 2))
            r += 1
        if r - 1 > first:
            merges.append((first, 1, r - 1, 1))
    for r0, c0, r1, c1 in merges:  # after every value is written: merged cells below the first are read-only
        sheet.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- quarterly summary (DOCX)

FONT_BODY, FONT_HEI, FONT_TITLE, FONT_KAI = "仿宋_GB2312", "黑体", "方正小标宋简体", "楷体_GB2312"
LATIN = "Times New Roman"


def _fonts(run, east_asia, size=None, bold=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = LATIN
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _para(doc, text, *, font=FONT_BODY, size=16, bold=None, center=False, indent=True, style=None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph(style=style)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    _fonts(paragraph.add_run(text), font, size, bold)
    return paragraph


def _heading(doc, text, level):
    """A real Word heading (navigable) in the 公文 fonts: 黑体 for 一、, 楷体 for （一）."""
    paragraph = doc.add_heading(level=level)
    paragraph.paragraph_format.first_line_indent = None
    run = paragraph.add_run(text)
    _fonts(run, FONT_HEI if level == 1 else FONT_KAI, 16, level == 1)
    from docx.shared import RGBColor

    run.font.color.rgb = RGBColor(0, 0, 0)
    return paragraph


def _styles(doc):
    """Document defaults and heading styles with East-Asian fonts set (w:eastAsia), zh-CN."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for name, font, size in (
        ("Normal", FONT_BODY, 16),
        ("Heading 1", FONT_HEI, 16),
        ("Heading 2", FONT_KAI, 16),
        ("Title", FONT_TITLE, 22),
    ):
        style = doc.styles[name]
        style.font.name = LATIN
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        fonts.set(qn("w:ascii"), LATIN)
        fonts.set(qn("w:hAnsi"), LATIN)
        fonts.set(qn("w:eastAsia"), font)


def summary_data(plan, *, year, quarter, today=None, user=None):
    """What the quarterly summary says: the quarter's milestones, the reports made in it per
    action, completion by unit and overdue tasks as of the quarter's end (or today, if earlier)."""
    today = today or timezone.localdate()
    period = quarter_period(year, quarter)
    as_of = min(period.end, today)
    due = Milestone.objects.filter(task__plan=plan, due_date__gte=period.start, due_date__lte=period.end)
    done = due.filter(status="completed", completed_on__lte=period.end)
    reports = (
        ProgressReport.objects.filter(
            task__plan=plan, submitted_at__date__gte=period.start, submitted_at__date__lte=period.end
        )
        .exclude(status=ReportStatus.RETURNED)
        .select_related("task__action", "unit", "milestone")
        .order_by("task__sort", "submitted_at")
    )
    by_action = OrderedDict((action, {"due": [], "reports": []}) for action in plan.actions.all())
    for m in due.select_related("task__action").order_by("task__sort", "due_date"):
        by_action.setdefault(m.task.action, {"due": [], "reports": []})["due"].append(m)
    for report in reports:
        by_action.setdefault(report.task.action, {"due": [], "reports": []})["reports"].append(report)
    overdue = list(
        overdue_tasks(as_of)
        .filter(task__plan=plan)
        .prefetch_related(Prefetch("task__assignments", queryset=TaskUnit.objects.select_related("unit")))
    )
    completion = unit_completion(user=user, plan=plan, today=as_of) if user is not None else []
    return {
        "plan": plan,
        "period": period,
        "as_of": as_of,
        "due": due.count(),
        "done": done.count(),
        "reports": reports.count(),
        "by_action": by_action,
        "completion": completion,
        "overdue": overdue,
    }


def summary_docx(plan, *, year, quarter, user, today=None):
    """The quarterly progress summary: a heading, overall figures, one section per action with the
    reports made in the quarter, a table of completion by unit, and the overdue tasks."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    data = summary_data(plan, year=year, quarter=quarter, today=today, user=user)
    period = data["period"]
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
        Mm(37),
        Mm(35),
        Mm(28),
        Mm(26),
    )
    lang = doc.styles.element.find(qn("w:docDefaults"))
    if lang is not None:
        rpr = lang.find(qn("w:rPrDefault"))
        if (
            rpr is not None
            and rpr.find(qn("w:rPr")) is not None
            and rpr.find(qn("w:rPr")).find(qn("w:lang")) is not None
        ):
            rpr.find(qn("w:rPr")).find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")

    title = doc.add_paragraph(style="Title")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(title.add_run(f"{plan.title}\n{period.label}工作进展情况"), FONT_TITLE, 22)
    _para(doc, f"（截至{data['as_of']:%Y年%m月%d日}）", font=FONT_KAI, center=True)

    _heading(doc, "一、总体情况", 1)
    rate = f"{100 * data['done'] / data['due']:.1f}%" if data["due"] else "—"
    _para(
        doc,
        f"本季度共有{data['due']}个任务节点到期，已完成{data['done']}个，完成率{rate}；"
        f"各责任单位报送工作进展{data['reports']}条；截至{data['as_of']:%m月%d日}，逾期未完成的任务节点{len(data['overdue'])}个。",
    )

    _heading(doc, "二、各行动推进情况", 1)
    cn = "一二三四五六七八九十"
    for i, (action, items) in enumerate(data["by_action"].items()):
        number = f"（{cn[i]}）" if i < len(cn) else f"（{i + 1}）"
        _heading(doc, f"{number}{action.title}", 2)
        for m in items["due"]:
            state = m.display_status(data["as_of"])
            _para(doc, f"{m.task.sort}. {m.task.content}（{m.label}到期）：{DisplayStatus(state).label}。")
        if not items["reports"]:
            _para(doc, "本季度无进展报送。" if items["due"] else "本季度无到期节点，无进展报送。")
        for report in items["reports"]:
            status = ReportStatus(report.status).label
            node = f"（{report.milestone.label}）" if report.milestone_id else ""
            _para(
                doc,
                f"{report.task.sort}. {report.task.content[:60]}{node}：{report.unit.name}报送，完成{report.percentage}%"
                f"（{status}）。{report.text}",
            )

    _heading(doc, "三、各单位完成情况", 1)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("责任单位", "牵头/负责任务", "到期节点", "已完成", "完成率", "逾期")):
        _fonts(cell.paragraphs[0].add_run(text), FONT_HEI, 12)
    for row in data["completion"]:
        cells = table.add_row().cells
        values = (
            row["name"],
            row["tasks"],
            row["due"],
            row["done"],
            f"{row['rate']}%" if row["rate"] is not None else "—",
            row["overdue"],
        )
        for cell, value in zip(cells, values):
            _fonts(cell.paragraphs[0].add_run(str(value)), FONT_BODY, 12)
    if not data["completion"]:
        _para(doc, "暂无责任单位数据。")

    _heading(doc, "四、逾期任务", 1)
    if not data["overdue"]:
        _para(doc, "无逾期任务。")
    for m in data["overdue"]:
        owners = "、".join(a.display_name for a in m.task.assignments.all() if a.role in OWNER_ROLES) or "未明确"
        _para(
            doc,
            f"{m.task.sort}. {m.task.content[:60]}（{m.label}，应于{m.due_date:%Y年%m月%d日}前完成，"
            f"已逾期{m.days_overdue(data['as_of'])}天；责任单位：{owners}）",
        )
    for paragraph in doc.paragraphs:
        paragraph.paragraph_format.space_before = Pt(0)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def default_quarter(today=None):
    """The quarter a summary is usually asked for: the current one."""
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1
