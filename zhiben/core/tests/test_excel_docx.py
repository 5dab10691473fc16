"""`core.excel` reads the tables of a Word document: offices keep ledgers, sign-in sheets and duty rosters as Word
tables. Files are made with python-docx (Word's own merge markup) or, for what python-docx cannot write (content
controls, rows starting after skipped grid columns), as hand-written document.xml."""

import io
import zipfile

import pytest
from docx import Document

from zhiben.core.excel import read_sheets, read_table
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.ledger import parse_ledger


def docx_bytes(build):
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def table(document, rows):
    t = document.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"  # ruled, as ledgers are (and as a PDF's tables are found)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                t.cell(r, c).text = value
    return t


def ledger(document):
    document.add_paragraph("凤凰镇隐患排查整改台账")
    document.add_paragraph("填报单位：凤凰镇应急办")
    t = table(
        document,
        [
            ["序号", "隐患描述", "整改情况", "", "备注"],
            ["", "", "整改措施", "整改期限", ""],
            ["1", "配电箱未接地", "重新接地", "2024.4.30", ""],
            ["2", "消防通道堵塞\n（二号仓库）", "清理通道", "2024年5月10日", "复查"],
        ],
    )
    t.cell(0, 2).merge(t.cell(0, 3))  # gridSpan
    for c in (0, 1, 4):
        t.cell(0, c).merge(t.cell(1, c))  # vMerge
    document.add_paragraph("（续表）")
    table(document, [["3", "灭火器过期", "更换", "2024-04-15", ""]])
    document.add_paragraph("填表人：赵六")


# the first four columns of the sheet `ledger` makes, and its merged ranges
LEDGER_ROWS = [
    ["凤凰镇隐患排查整改台账", "", "", ""],
    ["填报单位：凤凰镇应急办", "", "", ""],
    ["序号", "隐患描述", "整改情况", ""],
    ["", "", "整改措施", "整改期限"],
    ["1", "配电箱未接地", "重新接地", "2024.4.30"],
    ["2", "消防通道堵塞\n（二号仓库）", "清理通道", "2024年5月10日"],
    ["（续表）", "", "", ""],
    ["3", "灭火器过期", "更换", "2024-04-15"],
    ["填表人：赵六", "", "", ""],
]
LEDGER_MERGED = [(2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 3), (2, 4, 3, 4)]


def test_a_word_ledger_is_one_sheet_with_its_title_merged_header_and_continuation():
    [sheet] = read_sheets(docx_bytes(ledger), filename="台账.docx")
    assert sheet.name == "表1"
    assert [row[:4] for row in sheet.rows] == LEDGER_ROWS
    assert sorted(sheet.merged) == LEDGER_MERGED
    # rows are numbered as counted in Word's table, on through the continued table; paragraphs have none
    assert [sheet.number(i) for i in range(len(sheet.rows))] == [None, None, 1, 2, 3, 4, None, 5, None]


def test_tables_of_another_width_are_sheets_of_their_own():
    def build(document):
        table(document, [["单位", "人数"], ["应急办", "3"]])
        document.add_paragraph("附表")
        table(document, [["序号", "姓名", "岗位"], ["1", "张三", "值班员"]])

    first, second = read_sheets(docx_bytes(build), filename="值班表.docx")
    # a paragraph between them may be the first one's footer or the second one's title: both keep it
    assert (first.name, first.rows) == ("表1", [["单位", "人数"], ["应急办", "3"], ["附表", ""]])
    assert (second.name, second.rows) == ("表2", [["附表", "", ""], ["序号", "姓名", "岗位"], ["1", "张三", "值班员"]])


def test_a_table_of_the_same_width_under_a_header_of_its_own_is_another_sheet():
    def build(document):
        document.add_paragraph("凤凰镇2026年11月隐患排查台账")
        table(
            document,
            [["序号", "单位名称", "隐患描述", "整改期限"], ["1", "凤凰化工有限公司", "配电箱未接地", "2026-12-20"]],
        )
        document.add_paragraph("（续表）")
        # a part that repeats the header (wrapped otherwise on its page), or starts with data, continues the sheet
        table(
            document,
            [["序号", "单位\n名称", "隐患描述", "整改期限"], ["2", "凤凰建设有限公司", "安全出口堵塞", "2026-12-25"]],
        )
        table(document, [["3", "凤凰二厂", "灭火器过期", "2026-12-28"]])
        document.add_paragraph("检查人员名单")
        table(document, [["序号", "姓名", "单位", "联系电话"], ["1", "张伟", "凤凰镇应急办", "13800000001"]])

    data = docx_bytes(build)
    ledger_sheet, people = read_sheets(data, filename="台账.docx")
    assert [row[2] for row in ledger_sheet.rows if ledger_sheet.number(ledger_sheet.rows.index(row))] == [
        "隐患描述",
        "配电箱未接地",
        "隐患描述",
        "安全出口堵塞",
        "灭火器过期",
    ]
    assert people.rows[-2:] == [["序号", "姓名", "单位", "联系电话"], ["1", "张伟", "凤凰镇应急办", "13800000001"]]
    # the ledger is the inspectors' list no more: three hazards, no error about a 整改期限 of “联系电话”
    parsed = parse_ledger(data, "台账.docx")
    assert parsed.errors == []
    assert [row["description"] for row in parsed.rows] == ["配电箱未接地", "安全出口堵塞", "灭火器过期"]


def test_read_table_reads_the_first_word_table_with_its_own_row_numbers():
    header_row, headers, body = read_table(docx_bytes(ledger), filename="台账.docx")
    assert header_row == 1  # the title paragraphs above the table are not counted
    assert headers[:2] == ["序号", "隐患描述"]
    assert [(n, row[1]) for n, row in body] == [
        (2, ""),
        (3, "配电箱未接地"),
        (4, "消防通道堵塞\n（二号仓库）"),
        (5, "灭火器过期"),
    ]


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def package(body, prologue=""):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"{prologue}<w:document {W}><w:body>{body}</w:body></w:document>")
    return out.getvalue()


def cell(text, props=""):
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_content_controls_skipped_grid_columns_tabs_breaks_and_deleted_text():
    body = (
        "<w:tbl>"
        f"<w:tr>{cell('序号')}{cell('隐患描述')}{cell('期限')}</w:tr>"
        # a row inside a content control, its text with a tab, a line break and a tracked deletion
        "<w:sdt><w:sdtContent><w:tr>"
        f"{cell('1')}"
        "<w:tc><w:p><w:r><w:t>配电箱</w:t><w:tab/><w:t>未接地</w:t><w:br/><w:t>一号车间</w:t></w:r>"
        "<w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del></w:p></w:tc>"
        f"{cell('2024-06-30')}"
        "</w:tr></w:sdtContent></w:sdt>"
        # a row whose first grid column is skipped (gridBefore)
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{cell("灭火器过期")}{cell("2024-07-01")}</w:tr>'
        "</w:tbl>"
    )
    [sheet] = read_sheets(package(body), filename="台账.docx")
    assert sheet.rows == [
        ["序号", "隐患描述", "期限"],
        ["1", "配电箱 未接地\n一号车间", "2024-06-30"],
        ["", "灭火器过期", "2024-07-01"],
    ]


RESTART = """<w:vMerge w:val="restart"/>"""
CONTINUE = """<w:vMerge w:val="continue"/>"""


def test_a_vertical_merge_continued_three_rows_is_one_range():
    body = (
        "<w:tbl>"
        f"<w:tr>{cell('企业')}{cell('隐患')}</w:tr>"
        f"<w:tr>{cell('凤凰化工', RESTART)}{cell('甲')}</w:tr>"
        f"<w:tr>{cell('', '<w:vMerge/>')}{cell('乙')}</w:tr>"
        f"<w:tr>{cell('', CONTINUE)}{cell('丙')}</w:tr>"
        "</w:tbl>"
    )
    [sheet] = read_sheets(package(body), filename="台账.docx")
    assert sheet.merged == [(1, 0, 3, 0)]
    assert [row[0] for row in sheet.rows] == ["企业", "凤凰化工", "", ""]


@pytest.mark.parametrize(
    "data, words",
    [
        (docx_bytes(lambda d: d.add_paragraph("这不是表格")), "这份 Word 文档中没有表格"),
        (package("<w:p><w:r><w:t>只有正文</w:t></w:r></w:p>"), "没有表格"),
        (package("<w:tbl><w:tr><w:tc><w:p>"), "文件已损坏"),
        (package("", prologue='<!DOCTYPE x [<!ENTITY a "b">]>'), "不是有效的 Word 文档"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "WordDocument".encode("utf-16-le"), "另存为 .docx"),
    ],
)
def test_word_files_that_hold_no_readable_table_are_refused_in_chinese(data, words):
    with pytest.raises(ApplicationError) as caught:
        read_sheets(data, filename="台账.docx")
    assert words in caught.value.message


def test_an_auto_numbered_serial_column_shows_the_numbers_word_shows():
    def build(document):
        t = table(
            document, [["序号", "隐患描述", "整改期限"], ["", "消防通道堵塞", "2024-06-30"], ["", "配电箱未接地", ""]]
        )
        for row in t.rows[1:]:
            row.cells[0].paragraphs[0].style = "List Number"  # Word's numbering: the cell itself is empty

    [sheet] = read_sheets(docx_bytes(build), filename="台账.docx")
    assert [row[0] for row in sheet.rows] == ["序号", "1.", "2."]
    parsed = parse_ledger(docx_bytes(build), "台账.docx")
    assert [(r["seq"], r["description"]) for r in parsed.rows] == [("1.", "消防通道堵塞"), ("2.", "配电箱未接地")]


def test_a_word_table_spanning_more_cells_than_an_import_reads_is_refused_before_it_is_laid_out():
    # 3,000 cells each spanning 1,000 columns (gridSpan): three million cells from a few hundred KB
    wide = cell("x", '<w:gridSpan w:val="1000"/>') * 3000
    data = package(f"<w:tbl><w:tr>{cell('序号')}{cell('隐患描述')}</w:tr><w:tr>{wide}</w:tr></w:tbl>")
    with pytest.raises(ApplicationError, match="Word 表格的单元格过多（超过 2,000,000 个"):
        read_sheets(data, filename="台账.docx")
    # rows of one cell under one wide row: made rectangular, more cells than a sheet may have
    rows = f"<w:tr>{cell('x', '<w:gridSpan w:val="1000"/>')}</w:tr>" + f"<w:tr>{cell('y')}</w:tr>" * 11000
    with pytest.raises(ApplicationError, match="Word 表格的单元格过多"):
        read_sheets(package(f"<w:tbl>{rows}</w:tbl>"), filename="台账.docx")
