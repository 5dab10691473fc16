"""Word and Excel task tables with merged cells, prose plans, text variants and bad input."""

import io
import zipfile
from datetime import datetime

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.core.exceptions import ApplicationError
from zhiben.plans.parsing import parse_plan


def docx_bytes(document):
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill(table, r, c, text):
    table.cell(r, c).text = text


# --- Word -------------------------------------------------------------------------------------


def make_action_table_docx():
    """Seed 000's layout: 重点任务 spans two columns in the header, merged cells down the rows."""
    d = docx.Document()
    d.add_paragraph("某镇安全生产治本攻坚三年行动实施方案（2024—2026年）")
    d.add_paragraph("某镇安全生产治本攻坚三年行动重点任务清单")
    t = d.add_table(rows=7, cols=5)
    t.cell(0, 1).merge(t.cell(0, 2))
    for c, text in ((0, "行动名称"), (1, "重点任务"), (3, "完成时间"), (4, "责任科室")):
        fill(t, 0, c, text)
    t.cell(1, 0).merge(t.cell(4, 0))  # action over four rows
    t.cell(1, 1).merge(t.cell(3, 1))  # key task 1 over three rows
    t.cell(1, 3).merge(t.cell(2, 3))  # "2024年" over two rows
    t.cell(2, 4).merge(t.cell(3, 4))  # units over two rows
    fill(t, 1, 0, "一、开展重大安全风险源头管控行动")
    fill(t, 1, 1, "1.强化重大安全风险源头管控。")
    fill(t, 1, 2, "建立安全风险评估会商机制。")
    fill(t, 1, 3, "2024年")
    fill(t, 1, 4, "经发办")
    fill(t, 2, 2, "落实危险化学品禁限控目录。")
    fill(t, 2, 4, "经发办、应急办")
    fill(t, 3, 2, "建立高危项目源头立项咨询评估机制。")
    t.cell(3, 3).paragraphs[0].text = "2025年"
    t.cell(3, 3).add_paragraph("2026年")
    fill(t, 4, 1, "2.健全完善重大事故隐患自查自改常态化机制。")
    fill(t, 4, 2, "全面开展重大事故隐患大排查。")
    # row 4 has a genuinely empty 完成时间 cell (no merge): no deadline, a warning
    fill(t, 4, 4, "镇安委会有关成员单位")
    t.cell(5, 0).merge(t.cell(5, 4))
    fill(t, 5, 0, "二、开展全民安全素质提升行动")  # a heading row across the table
    fill(t, 6, 1, "3.强力推进安全宣传教育。")
    fill(t, 6, 2, "持续开展安全知识大宣讲活动。")
    fill(t, 6, 3, "按上级通知")
    fill(t, 6, 4, "应急办牵头，宣传办配合")
    d.add_paragraph("抄送：区应急局。")
    return docx_bytes(d)


def test_docx_table_with_merged_cells():
    result = parse_plan(make_action_table_docx(), "清单.docx")
    assert result.layout == "table" and result.year == 2024
    rows = result.as_dicts()
    assert [
        (
            r["action"][:2],
            r["key_task"][:2],
            r["content"],
            r["deadline_text"],
            r["deadline"],
            r["recurrence"],
            r["responsible"],
            r["cooperating"],
        )
        for r in rows
    ] == [
        ("一、", "1.", "建立安全风险评估会商机制。", "2024年", "2024-12-31", "once", ["经发办"], []),
        ("一、", "1.", "落实危险化学品禁限控目录。", "2024年", "2024-12-31", "once", ["经发办", "应急办"], []),
        (
            "一、",
            "1.",
            "建立高危项目源头立项咨询评估机制。",
            "2025年 2026年",
            ["2025-12-31", "2026-12-31"],
            "once",
            ["经发办", "应急办"],
            [],
        ),
        ("一、", "2.", "全面开展重大事故隐患大排查。", "", None, None, ["镇安委会有关成员单位"], []),
        ("二、", "3.", "持续开展安全知识大宣讲活动。", "按上级通知", None, None, ["应急办"], ["宣传办"]),
    ]
    assert rows[4]["action"] == "二、开展全民安全素质提升行动"
    assert result.warnings == [
        "第4条任务（表1第5行）：未注明完成时间",
        "第5条任务（表1第7行）：完成时间“按上级通知”无法识别为日期，未设截止日期",
    ]


def test_docx_table_with_two_header_rows_and_lead_columns():
    d = docx.Document()
    d.add_paragraph("2024年重点工作任务分解表")
    t = d.add_table(rows=4, cols=5)
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(1, 1))
    t.cell(0, 2).merge(t.cell(0, 3))
    t.cell(0, 4).merge(t.cell(1, 4))
    fill(t, 0, 0, "序号")
    fill(t, 0, 1, "工作任务")
    fill(t, 0, 2, "责任单位")
    fill(t, 1, 2, "牵头单位")
    fill(t, 1, 3, "配合单位")
    fill(t, 0, 4, "完成时限")
    for r, row in enumerate(
        [
            ("1", "开展燃气安全专项整治", "区住建委", "区应急局、区市场监管局", "2024年第三季度"),
            ("2", "开展消防安全专项整治", "区消防救援支队", "", "每季度"),
        ],
        start=2,
    ):
        for c, text in enumerate(row):
            fill(t, r, c, text)
    result = parse_plan(docx_bytes(d), "分解表.docx", year=2024)
    assert result.as_dicts() == [
        {
            "action": "",
            "key_task": "",
            "content": "开展燃气安全专项整治",
            "deadline_text": "2024年第三季度",
            "deadline": "2024-09-30",
            "recurrence": "once",
            "responsible": ["区住建委"],
            "cooperating": ["区应急局", "区市场监管局"],
        },
        {
            "action": "",
            "key_task": "",
            "content": "开展消防安全专项整治",
            "deadline_text": "每季度",
            "deadline": None,
            "recurrence": "quarterly",
            "responsible": ["区消防救援支队"],
            "cooperating": [],
        },
    ]


def test_docx_prose_plan_with_inline_annotations():
    d = docx.Document()
    for text in [
        "关于印发《某区安全生产专项整治三年行动实施方案》的通知",
        "2018年1月10日",
        "一、总体要求",
        "坚持人民至上、生命至上。",
        "二、主要任务",
        "（一）开展危险化学品安全整治行动",
        "1．完善监管体制。明确危险化学品监管职责，消除监管盲区（区应急局牵头，区公安分局、区交通局等按职责分工负责，2018年3月底前完成）。",
        "2．推进信息化建设。建立危险化学品全链条信息平台。由区经信委负责，区应急局配合。",
        "（二）开展消防安全整治行动",
        "责任单位：区消防救援支队、各镇街；完成时限：2018年底前",
        "3．整治高层建筑。开展高层建筑消防安全专项整治。",
        "4．打通生命通道。清理占用消防车通道行为，每季度开展一次联合检查。",
        "三、保障措施",
        "（一）加强组织领导。由区政府主要领导任组长。",
    ]:
        d.add_paragraph(text)
    result = parse_plan(docx_bytes(d), "方案.docx")
    assert result.layout == "prose"
    assert result.year == 2018
    assert result.title == "某区安全生产专项整治三年行动实施方案"
    assert result.as_dicts() == [
        {
            "action": "（一）开展危险化学品安全整治行动",
            "key_task": "1．完善监管体制。",
            "content": "明确危险化学品监管职责，消除监管盲区。",
            "deadline_text": "2018年3月底前",
            "deadline": "2018-03-31",
            "recurrence": "once",
            "responsible": ["区应急局"],
            "cooperating": ["区公安分局", "区交通局"],
        },
        {
            "action": "（一）开展危险化学品安全整治行动",
            "key_task": "2．推进信息化建设。",
            "content": "建立危险化学品全链条信息平台。",
            "deadline_text": "",
            "deadline": None,
            "recurrence": None,
            "responsible": ["区经信委"],
            "cooperating": ["区应急局"],
        },
        {
            "action": "（二）开展消防安全整治行动",
            "key_task": "3．整治高层建筑。",
            "content": "开展高层建筑消防安全专项整治。",
            "deadline_text": "2018年底前",
            "deadline": "2018-12-31",
            "recurrence": "once",
            "responsible": ["区消防救援支队", "各镇街"],
            "cooperating": [],
        },
        {
            "action": "（二）开展消防安全整治行动",
            "key_task": "4．打通生命通道。",
            "content": "清理占用消防车通道行为，每季度开展一次联合检查。",
            "deadline_text": "2018年底前",
            "deadline": "2018-12-31",
            "recurrence": "once",
            "responsible": ["区消防救援支队", "各镇街"],
            "cooperating": [],
        },
    ]
    assert result.warnings == ["第2条任务（第8段）：未注明完成时间"]


def test_corrupt_docx():
    with pytest.raises(ApplicationError, match="不是有效的 Word"):
        parse_plan(b"PK\x03\x04 this is not really a zip" * 20, "坏文件.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a word document")
    with pytest.raises(ApplicationError, match="无法读取“坏文件.docx”"):
        parse_plan(buffer.getvalue(), "坏文件.docx")


def test_docx_without_task_table_or_task_section():
    d = docx.Document()
    d.add_paragraph("关于召开安全生产工作会议的通知")
    d.add_paragraph("各村、社区：定于下周一召开会议，请准时参加。")
    t = d.add_table(rows=2, cols=2)
    fill(t, 0, 0, "姓名")
    fill(t, 0, 1, "电话")
    with pytest.raises(ApplicationError, match="未在“通知.docx”中找到任务清单"):
        parse_plan(docx_bytes(d), "通知.docx")


# --- Excel ------------------------------------------------------------------------------------


def make_sheet():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务清单"
    ws.append(["某街道安全生产治本攻坚三年行动任务清单（2024-2026年）"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "工作目标任务", "时间节点", "责任单位", "配合单位"])
    ws.append(["一、开展安全生产责任落实行动"])
    ws.merge_cells("A3:E3")
    ws.append(
        [1, "建立街道党政领导干部安全生产职责清单和年度任务清单", "2024年6月底前、2025年12月底前", "党政办", "应急办"]
    )
    ws.append([2, "开展安全生产月活动", "每年", "应急办", None])
    ws.append([3, "组织主要负责人专题培训", datetime(2024, 10, 15), None, "经发办"])
    ws.merge_cells("D5:D6")  # 应急办 responsible for rows 2 and 3
    ws.append(["二、开展安全风险隐患排查整治行动"])
    ws.merge_cells("A7:E7")
    ws.append([4, "开展有限空间作业专项整治", "上半年", "应急办、经发办等", "各村社区"])
    ws.append([5, "推进隐患排查治理信息化", "", "", ""])
    wb.create_sheet("说明").append(["本表由街道安委办编制"])
    return xlsx_bytes(wb)


def test_xlsx_table_with_merged_cells():
    result = parse_plan(make_sheet(), "清单.xlsx")
    assert result.year == 2024
    assert result.as_dicts() == [
        {
            "action": "一、开展安全生产责任落实行动",
            "key_task": "",
            "content": "建立街道党政领导干部安全生产职责清单和年度任务清单",
            "deadline_text": "2024年6月底前、2025年12月底前",
            "deadline": ["2024-06-30", "2025-12-31"],
            "recurrence": "once",
            "responsible": ["党政办"],
            "cooperating": ["应急办"],
        },
        {
            "action": "一、开展安全生产责任落实行动",
            "key_task": "",
            "content": "开展安全生产月活动",
            "deadline_text": "每年",
            "deadline": None,
            "recurrence": "yearly",
            "responsible": ["应急办"],
            "cooperating": [],
        },
        {
            "action": "一、开展安全生产责任落实行动",
            "key_task": "",
            "content": "组织主要负责人专题培训",
            "deadline_text": "2024-10-15",
            "deadline": "2024-10-15",
            "recurrence": "once",
            "responsible": ["应急办"],
            "cooperating": ["经发办"],
        },
        {
            "action": "二、开展安全风险隐患排查整治行动",
            "key_task": "",
            "content": "开展有限空间作业专项整治",
            "deadline_text": "上半年",
            "deadline": "2024-06-30",
            "recurrence": "once",
            "responsible": ["应急办", "经发办"],
            "cooperating": ["各村社区"],
        },
        {
            "action": "二、开展安全风险隐患排查整治行动",
            "key_task": "",
            "content": "推进隐患排查治理信息化",
            "deadline_text": "",
            "deadline": None,
            "recurrence": None,
            "responsible": [],
            "cooperating": [],
        },
    ]
    assert result.warnings == [
        "第5条任务（工作表“任务清单”第9行）：未注明完成时间",
        "第5条任务（工作表“任务清单”第9行）：未注明责任单位",
    ]


def test_xlsx_year_option_overrides_detection():
    result = parse_plan(make_sheet(), "清单.xlsx", year=2025)
    assert result.year == 2025
    assert result.tasks[3].deadline.as_json() == "2025-06-30"


def test_corrupt_xlsx():
    with pytest.raises(ApplicationError, match="不是有效的 Excel"):
        parse_plan(b"\x00\x01garbage" * 100, "坏表.xlsx")


# --- plain text variants --------------------------------------------------------------------


def test_tab_separated_rows():
    text = (
        "某镇2024年安全生产重点任务\n\n"
        "序号\t重点任务\t完成时限\t牵头单位\t配合单位\n"
        "1\t开展燃气安全专项整治\t2024年6月底前\t经发办\t应急办、规建办\n"
        "2\t开展消防安全专项整治\t\t\t\n"
        "3\t开展道路交通安全整治\t长期坚持\t派出所\t\n"
    )
    result = parse_plan(text.encode("gb18030"), "任务.txt", year=2024)
    rows = [
        (r["content"], r["deadline"], r["recurrence"], r["responsible"], r["cooperating"]) for r in result.as_dicts()
    ]
    assert rows == [
        ("开展燃气安全专项整治", "2024-06-30", "once", ["经发办"], ["应急办", "规建办"]),
        ("开展消防安全专项整治", "2024-06-30", "once", ["经发办"], []),  # blank cells were merged ones
        ("开展道路交通安全整治", None, "ongoing", ["派出所"], []),
    ]


def test_markdown_table():
    text = (
        "| 序号 | 工作目标任务 | 时间节点 | 责任单位 | 配合单位 |\n"
        "|---|---|---|---|---|\n"
        "| 1 | 完善应急预案体系 | 2024年12月 | 应急办 | 各村（社区） |\n"
    )
    result = parse_plan(text, "任务.md", year=2024)
    assert result.as_dicts()[0]["cooperating"] == ["各村（社区）"]
    assert result.as_dicts()[0]["deadline"] == "2024-12-31"


def test_indented_cells_with_header_spanning_unknown_columns():
    """A text export where the header has fewer cells than the rows (序号 | 任务 | 时限 | 单位 over
    key task + task): the spans are inferred from what the columns hold."""
    text = (
        "\t序号\n\t重点任务\n\t完成时限\n\t责任单位\n\n"
        "\t1\n\t建立清单制度\n\t建立职责清单。\n\t2024年底前\n\t应急办\n\n"
        "\t\n\t\n\t建立年度任务清单。\n\t2025年\n\t\n\n"
        "\t2\n\t开展培训\n\t组织全员培训。\n\t每年\n\t党建办、应急办\n"
    )
    result = parse_plan(text, "t.txt", year=2024)
    assert [(t.key_task, t.content, t.deadline.as_json(), t.responsible) for t in result.tasks] == [
        ("建立清单制度", "建立职责清单。", "2024-12-31", ["应急办"]),
        ("建立清单制度", "建立年度任务清单。", "2025-12-31", ["应急办"]),
        ("开展培训", "组织全员培训。", None, ["党建办", "应急办"]),
    ]


def test_uploaded_file_and_path_sources(tmp_path):
    upload = SimpleUploadedFile("清单.xlsx", make_sheet())
    assert len(parse_plan(upload, upload.name).tasks) == 5
    path = tmp_path / "清单.docx"
    path.write_bytes(make_action_table_docx())
    assert len(parse_plan(path, path.name).tasks) == 5


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "空.txt", "文件“空.txt”是空的"),
        (b"  \n\n\t \n", "空.txt", "是空的"),
        (b"", "空.docx", "是空的"),
        (bytes(range(256)) * 40, "乱码.txt", "不是文本文件"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "图片.txt", "不是文本文件"),
        (b"%PDF-1.7 ...", "方案.pdf", "PDF 文件已损坏"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "方案.doc", "另存为 .docx"),
        ("关于召开会议的通知\n请各单位准时参加。\n".encode(), "通知.txt", "未在“通知.txt”中找到任务清单"),
    ],
)
def test_bad_input_raises_chinese_application_error(data, name, message):
    with pytest.raises(ApplicationError, match=message):
        parse_plan(data, name)


# --- seed 000's list rebuilt as Word and Excel tables with merged cells --------------------------


def _runs(values, groups):
    """[(start, end)] of consecutive equal values within the same group."""
    runs, start = [], 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start] or groups[i] != groups[start]:
            runs.append((start, i - 1))
            start = i
    return runs


def _seed_000_grid():
    from .test_seed_plans import expected_000

    rows = expected_000()
    columns = [
        [r["action"] for r in rows],
        [r["key_task"] for r in rows],
        [r["content"] for r in rows],
        [r["deadline_text"] for r in rows],
        ["、".join(r["responsible"]) for r in rows],
    ]
    keys = columns[1]
    merges = {
        0: _runs(columns[0], [0] * len(rows)),
        1: _runs(keys, [0] * len(rows)),
        3: _runs(columns[3], keys),
        4: _runs(columns[4], keys),
    }
    return rows, columns, merges


def test_seed_000_as_docx_with_merged_cells():
    rows, columns, merges = _seed_000_grid()
    d = docx.Document()
    d.add_paragraph("沙坪坝区凤凰镇安全生产治本攻坚三年行动重点任务清单")
    t = d.add_table(rows=len(rows) + 1, cols=5)
    t.cell(0, 1).merge(t.cell(0, 2))
    for c, text in ((0, "行动名称"), (1, "重点任务"), (3, "完成时间"), (4, "责任科室")):
        t.cell(0, c).text = text
    for c, runs in merges.items():
        for start, end in runs:
            cell = t.cell(start + 1, c).merge(t.cell(end + 1, c)) if end > start else t.cell(start + 1, c)
            lines = columns[c][start].split(" ")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    for r, content in enumerate(columns[2], 1):
        t.cell(r, 2).text = content
    result = parse_plan(docx_bytes(d), "000.docx", year=2024)
    assert result.as_dicts() == rows
    assert result.warnings == []


def test_seed_000_as_xlsx_with_merged_cells():
    rows, columns, merges = _seed_000_grid()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["沙坪坝区凤凰镇安全生产治本攻坚三年行动重点任务清单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    ws.append(["行动名称", "重点任务", None, "完成时间", "责任科室"])
    ws.merge_cells("B2:C2")
    for r in range(len(rows)):
        ws.append([columns[c][r] for c in range(5)])
    for c, runs in merges.items():
        for start, end in runs:
            if end > start:
                ws.merge_cells(start_row=start + 3, start_column=c + 1, end_row=end + 3, end_column=c + 1)
    result = parse_plan(xlsx_bytes(wb), "000.xlsx", year=2024)
    assert result.as_dicts() == rows


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("关于印发《某镇安全生产治本攻坚三年行动实施方案（2024—2026年）》的通知\n某镇人民政府\n2024年5月29日", 2024),
        ("某街道实施方案（2024-2026年）", 2024),
        ("某镇人民政府\n2020年10月15日\n", 2020),
        ("某镇人民政府党政办  2021年3月2日印发", 2021),
        ("先锋府发〔2019〕137号\n关于印发方案的通知", 2019),
        ("某区2023年安全生产重点工作任务清单", 2023),
        ("某区安全生产工作要点", None),
    ],
)
def test_detect_year(text, year):
    from zhiben.plans.parsing import detect_year

    assert detect_year(text) == year


def test_year_falls_back_to_the_current_year():
    from datetime import date

    text = "安全生产工作方案\n二、主要任务\n（一）开展隐患排查行动\n1．开展排查。年底前完成全面排查。\n"
    result = parse_plan(text, "p.txt")
    assert result.year == date.today().year
    assert result.tasks[0].deadline.as_json() == f"{date.today().year}-12-31"


def test_a_small_schedule_table_does_not_hide_the_prose_tasks():
    d = docx.Document()
    d.add_paragraph("二、主要任务")
    d.add_paragraph("（一）开展隐患排查整治行动")
    for n in range(1, 8):
        d.add_paragraph(f"{n}．任务{n}。落实第{n}项措施（应急办牵头，经发办配合）。")
    d.add_paragraph("三、进度安排")
    t = d.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [("阶段", "工作内容", "时间"), ("动员部署", "制定方案", "2024年6月"), ("总结", "总结评估", "2026年12月")]
    ):
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    result = parse_plan(docx_bytes(d), "方案.docx", year=2024)
    assert result.layout == "prose"
    assert [t.content for t in result.tasks] == [f"落实第{n}项措施。" for n in range(1, 8)]
    assert all(t.responsible == ["应急办"] and t.cooperating == ["经发办"] for t in result.tasks)


def _cells(rows):
    return "\n\n".join("\n".join("\t" + c for c in row) for row in rows) + "\n"


def test_text_export_with_a_second_header_row():
    text = _cells(
        [
            ["序号", "工作任务", "完成时限", "责任单位"],
            ["牵头单位", "配合单位"],
            ["1", "建立会商机制", "2024年底前", "区发改委", "区应急局"],
            ["2", "落实目录", "2025年6月", "区应急局", ""],
        ]
    )
    result = parse_plan(text, "t.txt", year=2024)
    assert [(t.content, t.responsible, t.cooperating) for t in result.tasks] == [
        ("建立会商机制", ["区发改委"], ["区应急局"]),
        ("落实目录", ["区应急局"], []),
    ]


def test_text_export_with_a_blank_paragraph_inside_a_cell():
    text = (
        "\t序号\n\t工作任务\n\t完成时限\n\t责任单位\n\n"
        "\t1\n\t建立会商机制\n\n\t2024年底前\n\t区发改委\n\n"
        "\t2\n\t落实目录\n\t2025年\n\t区应急局\n"
    )
    result = parse_plan(text, "t.txt", year=2024)
    assert [(t.content, t.deadline.as_json(), t.responsible) for t in result.tasks] == [
        ("建立会商机制", "2024-12-31", ["区发改委"]),
        ("落实目录", "2025-12-31", ["区应急局"]),
    ]


def test_prose_plan_whose_top_sections_are_the_actions():
    text = """某区安全生产治本攻坚三年行动方案（2024—2026年）
一、总体要求
坚持人民至上。
二、开展重大安全风险源头管控行动
（一）严格安全准入。2024年，建立安全风险评估会商机制。2025年，建立高危项目源头立项咨询评估机制。（区发改委牵头，区经信委、区应急局按职责分工负责）
（二）推进产业转型。鼓励园区外企业搬迁入园，降低安全风险。由区经信委负责，区规资局配合。
三、开展重大事故隐患动态清零行动
（一）建立督办销号制度。将重大事故隐患纳入问题清单管理，定期晾晒考核。
四、保障措施
（一）强化组织领导。成立工作专班。
"""
    result = parse_plan(text, "p.txt")
    assert [
        (t.action[:2], t.key_task, t.content, t.deadline.as_json(), t.responsible, t.cooperating) for t in result.tasks
    ] == [
        (
            "二、",
            "（一）严格安全准入。",
            "2024年，建立安全风险评估会商机制。",
            "2024-12-31",
            ["区发改委"],
            ["区经信委", "区应急局"],
        ),
        (
            "二、",
            "（一）严格安全准入。",
            "2025年，建立高危项目源头立项咨询评估机制。",
            "2025-12-31",
            ["区发改委"],
            ["区经信委", "区应急局"],
        ),
        ("二、", "（二）推进产业转型。", "鼓励园区外企业搬迁入园，降低安全风险。", None, ["区经信委"], ["区规资局"]),
        ("三、", "（一）建立督办销号制度。", "将重大事故隐患纳入问题清单管理，定期晾晒考核。", None, [], []),
    ]


def test_a_wps_spreadsheet_kept_as_et_is_read_as_the_xls_it_is():
    from zhiben.hazards.tests.ledger_fixtures import biff8_xls

    data = biff8_xls(
        [["序号", "工作任务", "责任单位", "完成时限"], ["1", "开展燃气安全专项整治", "镇应急办", "2024年6月底前"]]
    )
    [task] = parse_plan(data, "重点任务.et").tasks
    assert (task.content, task.responsible, task.deadline.as_json()) == (
        "开展燃气安全专项整治",
        ["镇应急办"],
        "2024-06-30",
    )


# --- Word's list numbering: the numbers Word shows, which the text does not hold ---------------------------------


def auto_numbered_plan():
    """A prose plan whose 一、/（一）/1. are Word's list numbering (chineseCounting, chineseCounting, decimal)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    numbering = d.part.numbering_part.element
    levels = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3.")]
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
            + "".join(
                f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
                for i, (fmt, text) in enumerate(levels)
            )
            + "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def add(text, level=None):
        paragraph = d.add_paragraph(text)
        if level is not None:
            paragraph._p.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
            )

    add("某镇安全生产治本攻坚三年行动实施方案")
    add("总体要求", 0)
    add("坚持人民至上、生命至上。")
    add("主要任务", 0)
    add("开展安全风险源头管控行动", 1)
    add("强化源头管控。建立安全风险评估会商机制（镇应急办牵头，镇经发办配合，2024年底前完成）。", 2)
    add("严格安全准入。落实产业目录，严格安全准入（镇经发办负责，长期坚持）。", 2)
    add("开展重大事故隐患排查整治行动", 1)
    add("动态清零。建立重大事故隐患台账，推动整改销号（镇应急办负责，2025年6月底前完成）。", 2)
    add("保障措施", 0)
    add("加强组织领导。")
    return docx_bytes(d)


def test_word_list_numbering_gives_a_prose_plan_its_sections_and_items():
    result = parse_plan(auto_numbered_plan(), "方案.docx")
    assert result.layout == "prose"
    assert [(t.action, t.key_task, t.responsible, t.cooperating, t.deadline.as_json()) for t in result.tasks] == [
        ("（一）开展安全风险源头管控行动", "1.强化源头管控。", ["镇应急办"], ["镇经发办"], "2024-12-31"),
        ("（一）开展安全风险源头管控行动", "2.严格安全准入。", ["镇经发办"], [], None),
        ("（二）开展重大事故隐患排查整治行动", "1.动态清零。", ["镇应急办"], [], "2025-06-30"),  # a level starts again
    ]


def test_word_number_formats():
    from zhiben.core.wordnumbers import chinese_number, format_number

    assert [chinese_number(n) for n in (1, 10, 12, 20, 21, 100, 105, 110)] == [
        "一", "十", "十二", "二十", "二十一", "一百", "一百零五", "一百一十",
    ]  # fmt: skip
    assert [format_number(3, f) for f in ("decimal", "chineseLegalSimplified", "ideographTraditional")] == [
        "3",
        "叁",
        "丙",
    ]
    assert [format_number(n, f) for n, f in ((2, "decimalEnclosedCircle"), (4, "upperRoman"), (28, "lowerLetter"))] == [
        "②", "IV", "bb",
    ]  # fmt: skip


def test_paragraphs_and_tables_inside_content_controls_are_read():
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph("某镇2024年安全生产重点任务清单")
    t = d.add_table(rows=2, cols=3)
    for c, text in enumerate(["工作任务", "责任单位", "完成时限"]):
        t.cell(0, c).text = text
    for c, text in enumerate(["开展燃气安全专项整治", "镇应急办", "2024年6月底前"]):
        t.cell(1, c).text = text
    control = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")  # a form template's field
    t._tbl.addprevious(control)
    control[1].append(t._tbl)
    [task] = parse_plan(docx_bytes(d), "清单.docx").tasks
    assert (task.content, task.responsible, task.deadline.as_json()) == (
        "开展燃气安全专项整治",
        ["镇应急办"],
        "2024-06-30",
    )
