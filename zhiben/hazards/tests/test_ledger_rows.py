"""Ledger import: the sheet around the header (titles, numbering, footers, merged cells), file kinds
(.xlsx, .xls, CSV, HTML-as-xls), the value checks, and files that are not ledgers at all."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.ledger import parse_date, parse_funds, parse_ledger, parse_level

from .ledger_fixtures import biff8_xls, csv_bytes, html_xls, ledger_grid, ledger_xlsx, xlsx_bytes

HEADERS = [
    "序号",
    "单位名称",
    "隐患内容",
    "隐患级别",
    "整改情况/整改措施",
    "整改情况/责任人",
    "整改情况/完成时限",
    "整改资金（万元）",
    "备注",
]
DATA = [
    [1, "丙公司", "配电房无挡鼠板", "一般", "加装挡鼠板", "甲", "2024-06-30", "0.2", None],
    [2, None, "氨站无喷淋", "重大隐患", "增设喷淋", "乙", "2024年9月底前", "3万元", None],
    [3, None, "有限空间无警示标识", "一般隐患", "设置标识", "丙", 45474, "500元", None],
]
LAYOUT = {
    "titles": ["丙公司隐患排查治理台账", "填报单位：丙公司    填报日期：2024年6月1日"],
    "numbering": True,
    "body_merges": [(0, 1, 2)],
    "footers": ["注：1.本表每月5日前报送。", "填表人：张三        审核人：李四"],
}


def check_full_ledger(result):
    assert result.mapping == {
        "序号": "seq",
        "单位名称": "enterprise",
        "隐患内容": "description",
        "隐患级别": "level",
        "整改情况/整改措施": "measures",
        "整改情况/责任人": "responsible_person",
        "整改情况/完成时限": "deadline",
        "整改资金（万元）": "funds",
        "备注": "remarks",
    }
    assert result.header_rows == [3, 4]
    assert result.errors == []
    assert [r["_row"] for r in result.rows] == [6, 7, 8]  # row 5 is the numbering row; notes below are not data
    assert [r["enterprise"] for r in result.rows] == ["丙公司"] * 3  # merged down
    assert [r["level"] for r in result.rows] == ["一般", "重大", "一般"]
    assert [r["deadline"] for r in result.rows] == [date(2024, 6, 30), date(2024, 9, 30), date(2024, 7, 1)]
    assert [r["funds"] for r in result.rows] == [Decimal("2000.00"), Decimal("30000.00"), Decimal("500.00")]
    assert result.meta["填报单位"] == "丙公司" and result.meta["year"] == 2024


def test_xlsx_with_titles_two_row_header_numbering_merged_body_and_notes():
    check_full_ledger(parse_ledger(ledger_xlsx(HEADERS, DATA, **LAYOUT), "台账.xlsx"))


def test_xls_excel_97_2003():
    rows, merges = ledger_grid(HEADERS, DATA, **LAYOUT)
    check_full_ledger(parse_ledger(biff8_xls(rows, merges), "台账.xls"))


def test_html_table_saved_as_xls():
    rows, merges = ledger_grid(HEADERS, DATA, **LAYOUT)
    result = parse_ledger(html_xls(rows, merges), "export.xls")
    assert result.mapping["整改情况/完成时限"] == "deadline"
    assert [r["enterprise"] for r in result.rows] == ["丙公司"] * 3
    assert result.rows[2]["deadline"] == date(2024, 7, 1)  # "45474" is text in HTML, still an Excel serial
    assert [r["_row"] for r in result.rows] == [6, 7, 8]


def test_csv_in_gb18030_with_a_two_row_header_and_no_merges():
    rows = [
        ["XX镇安全生产隐患排查台账"],
        [],
        ["序号", "企业名称", "隐患情况", "", "整改情况", "", "", "备注"],
        ["", "", "隐患描述", "隐患等级", "整改措施", "责任人", "完成时限", ""],
        ["1", "甲厂", "电线私拉乱接", "一般", "规范布线", "甲", "2024/6/1", ""],
        ["", "", "", "", "", "", "", ""],
        ["2", "乙厂", "灭火器失效", "一般隐患", "更换", "乙", "2024年6月5日", ""],
        ["合计", "", "", "", "", "", "", ""],
        ["填表人：张三", "", "审核人：李四", "", "", "", "", ""],
    ]
    result = parse_ledger(csv_bytes(rows, encoding="gb18030"), "taizhang.csv")
    assert result.mapping == {
        "序号": "seq",
        "企业名称": "enterprise",
        "隐患情况/隐患描述": "description",
        "隐患情况/隐患等级": "level",
        "整改情况/整改措施": "measures",
        "整改情况/责任人": "responsible_person",
        "整改情况/完成时限": "deadline",
        "备注": "remarks",
    }
    assert [r["_row"] for r in result.rows] == [5, 7]
    assert result.errors == []


def test_tab_separated_utf16_text_export():
    rows = [["序号", "隐患描述", "整改期限"], ["1", "通道堵塞", "2024-05-01"]]
    data = csv_bytes(rows, encoding="utf-16", delimiter="\t")
    result = parse_ledger(data, "export.txt")
    assert result.mapping == {"序号": "seq", "隐患描述": "description", "整改期限": "deadline"}
    assert result.rows[0]["deadline"] == date(2024, 5, 1)


def test_the_ledger_sheet_is_found_behind_an_instructions_sheet_and_away_from_a1():
    ledger = [[None] * 5, [None] * 5] + [
        [None] + r
        for r in [
            ["XX公司隐患台账"],
            [],
            ["序号", "隐患描述", "整改措施", "整改期限"],
            [1, "问题一", "措施一", "2024-01-01"],
            [2, "问题二", "措施二", "2024-01-02"],
        ]
    ]
    data = xlsx_bytes(
        ledger,
        [(2, 1, 2, 4)],
        sheet_title="台账",
        before=[("填表说明", [["填表说明"], ["1. 隐患描述：写清楚部位和问题"], ["2. 整改期限：填写日期"]])],
    )
    result = parse_ledger(data, "book.xlsx")
    assert result.sheet == "台账"
    assert result.header_rows == [5]
    assert [r["description"] for r in result.rows] == ["问题一", "问题二"]


def test_section_rows_repeated_headers_template_rows_and_nothing_found_rows_are_not_data():
    headers = ["序号", "隐患部位", "隐患内容", "已整改", "未整改", "整改责任人"]
    rows, merges = ledger_grid(
        headers,
        [
            ["一、生产车间"],
            [1, "冲压线", "光电保护失效", "√", "", "甲"],
            ["二、仓库"],
            headers,
            [2, "成品库", "货架超高堆放", "", "√", "乙"],
            [3, "原料库", "无隐患"],
            [4],
            [5],
        ],
    )
    merges.append((1, 0, 1, 5))
    result = parse_ledger(xlsx_bytes(rows, merges), "s.xlsx")
    assert result.mapping["已整改"] == "status" and result.mapping["未整改"] == "other"
    assert [(r["_row"], r["status"]) for r in result.rows] == [(3, "已整改"), (6, "未整改")]
    assert result.errors == []


def test_tick_columns_give_the_ticked_label():
    data = ledger_xlsx(
        ["序号", "隐患问题", "隐患等级/一般", "隐患等级/重大", "录入方式/自报", "录入方式/代报"],
        [[1, "甲", "√", "", "", "√"], [2, "乙", "", "√", "√", ""]],
    )
    rows = parse_ledger(data, "x.xlsx").rows
    assert [(r["level"], r["source_channel"]) for r in rows] == [("一般", "代报"), ("重大", "自报")]


def test_errors_name_the_excel_row_and_the_original_header():
    data = ledger_xlsx(
        ["序号", "隐患\n描述", "隐患等级", "发现日期", "整改期限", "整改资金"],
        [
            [1, "正常的一行", "一般", "2024-05-01", "5月底前", "2万元"],
            [2, "", "较大", "2024-13-01", "下周", "很多"],
            [3, "/", "Ⅲ级", "2024-05-01", "长期", "-5"],
        ],
        titles=["标题"],
    )
    result = parse_ledger(data, "x.xlsx")
    assert result.rows[0]["deadline"] == date(2024, 5, 31)
    assert [(e["row"], e["column"]) for e in result.errors] == [
        (4, "隐患\n描述"),
        (4, "隐患等级"),
        (4, "发现日期"),
        (4, "整改期限"),
        (4, "整改资金"),
        (5, "隐患\n描述"),
        (5, "隐患等级"),
        (5, "整改期限"),
        (5, "整改资金"),
    ]
    messages = {(e["row"], e["column"]): e["message"] for e in result.errors}
    assert messages[(4, "隐患\n描述")] == "隐患描述为空。"
    assert "较大" in messages[(4, "隐患等级")] and "一般" in messages[(4, "隐患等级")]
    assert "不存在" in messages[(4, "发现日期")]
    assert "很多" in messages[(4, "整改资金")]
    assert "不是具体日期" in messages[(5, "整改期限")]
    assert len(result.rows) == 3


def test_no_description_column_is_one_file_level_error():
    result = parse_ledger(
        ledger_xlsx(["序号", "单位名称", "整改措施", "整改期限"], [[1, "甲", "措施", "2024-01-01"]]), "x.xlsx"
    )
    assert result.errors == [{"row": None, "column": None, "message": result.errors[0]["message"]}]
    assert "隐患描述" in result.errors[0]["message"]


def test_overrides_correct_the_mapping_and_refuse_a_field_twice():
    data = ledger_xlsx(["序号", "问题", "检查内容"], [[1, "短", "二楼配电间门口堆放大量纸箱"]])
    assert parse_ledger(data, "x.xlsx").mapping["问题"] == "description"
    fixed = parse_ledger(data, "x.xlsx", overrides={"问题": "category", "检查内容": "description"})
    assert fixed.rows[0]["description"] == "二楼配电间门口堆放大量纸箱" and fixed.rows[0]["category"] == "短"
    with pytest.raises(ApplicationError, match="多列"):
        parse_ledger(data, "x.xlsx", overrides={"检查内容": "description"})
    with pytest.raises(ApplicationError, match="不是可导入的字段"):
        parse_ledger(data, "x.xlsx", overrides={"检查内容": "photo"})


def test_other_and_unknown_columns_are_kept_in_extra():
    data = ledger_xlsx(["序号", "隐患内容", "整改前照片", "自定义列"], [[1, "甲", "IMG_01.jpg", "x"]])
    assert parse_ledger(data, "x.xlsx").rows[0]["_extra"] == {"整改前照片": "IMG_01.jpg", "自定义列": "x"}


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-05-01", date(2024, 5, 1)),
        ("2024/5/1", date(2024, 5, 1)),
        ("2024.5.1", date(2024, 5, 1)),
        ("2024年5月1日", date(2024, 5, 1)),
        ("2024 年 5 月 1 日", date(2024, 5, 1)),
        ("二〇二四年五月一日", date(2024, 5, 1)),
        ("20240501", date(2024, 5, 1)),
        (45413, date(2024, 5, 1)),
        (45413.0, date(2024, 5, 1)),
        ("45413", date(2024, 5, 1)),
        ("2024-05-01 10:30:00", date(2024, 5, 1)),
        ("24.5.1", date(2024, 5, 1)),
        ("5/1/2024", date(2024, 5, 1)),
        ("2024年5月31日前", date(2024, 5, 31)),
        ("于2024年5月31日前完成整改", date(2024, 5, 31)),
        (date(2024, 5, 1), date(2024, 5, 1)),
        ("/", None),
        ("", None),
        (None, None),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == (expected, None)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("5月底前", date(2024, 5, 31)),
        ("5月底", date(2024, 5, 31)),
        ("6月中旬", date(2024, 6, 20)),
        ("5月20日前", date(2024, 5, 20)),
        ("2024年6月", date(2024, 6, 30)),
        ("年底前", date(2024, 12, 31)),
        ("7天内", date(2024, 4, 17)),
        ("一周内", date(2024, 4, 17)),
        ("一个月内", date(2024, 5, 10)),
        ("立即", date(2024, 4, 10)),
        ("立即整改", date(2024, 4, 10)),
        ("3个工作日", date(2024, 4, 13)),
        ("2024.5.1-2024.5.20", date(2024, 5, 20)),
        ("2024.5.1至5.20", date(2024, 5, 20)),
        ("1月10日前", date(2025, 1, 10)),
        # 月初 is 上旬 (core.cntext, as for plan deadlines): a deadline "6月初" is 10 June (it was the 5th here)
        ("6月初", date(2024, 6, 10)),
        ("2025年底前", date(2025, 12, 31)),
    ],
)
def test_deadlines_relative_to_the_found_date(value, expected):
    base = date(2024, 4, 10) if value != "1月10日前" else date(2024, 12, 20)
    assert parse_date(value, base=base, end=True) == (expected, None)


def test_month_only_found_date_is_the_first_and_the_year_can_come_from_the_title():
    assert parse_date("2024年3月") == (date(2024, 3, 1), None)
    assert parse_date("2024年3月下旬") == (date(2024, 3, 21), None)  # a date that is no deadline: the span's first day
    assert parse_date("5月20日", year=2023) == (date(2023, 5, 20), None)
    assert parse_date("5月20日")[1] == "日期“5月20日”缺少年份，本行也没有可参照的发现日期。"


@pytest.mark.parametrize("value", ["2024-02-30", "下周", "长期", "尽快", "abc", "1899-01-01", 12, "3天内"])
def test_bad_dates_get_a_chinese_message(value):
    found, message = parse_date(value)
    assert found is None and message and any("\u4e00" <= ch <= "\u9fff" for ch in message)


@pytest.mark.parametrize(
    "value, yes_no, expected",
    [
        ("一般", False, "一般"),
        ("一般隐患", False, "一般"),
        ("一般事故隐患", False, "一般"),
        ("重大", False, "重大"),
        ("重大事故隐患", False, "重大"),
        (" 重大隐患 ", False, "重大"),
        ("是", True, "重大"),
        ("否", True, "一般"),
        ("", False, None),
    ],
)
def test_levels(value, yes_no, expected):
    assert parse_level(value, yes_no=yes_no) == (expected, None)


@pytest.mark.parametrize("value", ["较大", "较大隐患", "三级", "高", "是"])
def test_bad_levels(value):
    level, message = parse_level(value)
    assert level is None and "一般" in message and "重大" in message


@pytest.mark.parametrize(
    "value, factor, expected",
    [
        ("2万元", 1, "20000.00"),
        ("5000元", 1, "5000.00"),
        ("5,000", 1, "5000.00"),
        ("0.5万", 1, "5000.00"),
        (1200, 1, "1200.00"),
        (2, 10000, "20000.00"),
        ("2", 10000, "20000.00"),
        ("3000元", 10000, "3000.00"),
        ("约1.5万元", 1, "15000.00"),
        ("¥800", 1, "800.00"),
        ("0", 1, "0.00"),
        ("无", 1, None),
        ("是", 1, None),
        ("/", 1, None),
    ],
)
def test_funds(value, factor, expected):
    amount, message = parse_funds(value, factor=Decimal(factor))
    assert message is None
    assert amount == (Decimal(expected) if expected else None)


@pytest.mark.parametrize("value", ["很多", "2万-3万", "-100", "五千余元"])
def test_bad_funds(value):
    amount, message = parse_funds(value)
    assert amount is None and "整改资金" in message


# ---------------------------------------------------------------- files that are not ledgers


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, name, words",
    [
        (b"", "a.xlsx", "文件为空"),
        (b"PK\x03\x04\x14\x00garbage-not-a-zip", "a.xlsx", "已损坏"),
        (_docx(), "台账.xlsx", "Word"),
        (b"%PDF-1.7\n...", "台账.xlsx", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "台账.xlsx", "图片"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"),
            "台账.xlsx",
            "密码",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "台账.xls", "无法读取"),
        ("这是一段说明文字\n没有任何表格\n".encode(), "readme.csv", "表头"),
        (csv_bytes([["姓名", "年龄", "爱好"], ["张三", "30", "钓鱼"]]), "people.csv", "表头"),
        (xlsx_bytes([[None]]), "blank.xlsx", "没有任何内容"),
        (b"\x00\x01\x02\x03binary", "x.xlsx", "不是有效"),
    ],
)
def test_files_that_are_not_ledgers_get_a_chinese_error(data, name, words):
    with pytest.raises(ApplicationError) as caught:
        parse_ledger(data, name)
    assert words in caught.value.message


def test_an_uploaded_file_object_is_read_like_a_path():
    upload = io.BytesIO(ledger_xlsx(["序号", "隐患描述"], [[1, "甲"]]))
    upload.name = "上传.xlsx"
    assert len(parse_ledger(upload, upload.name).rows) == 1


def test_an_inspection_record_with_a_form_above_the_table_gives_every_row_the_form_values():
    rows = [
        ["安全生产检查记录", None, None, None, None],
        ["被检查单位", "凤凰化工有限公司", None, "检查日期", "2024-05-06"],
        ["检查人员", "甲、乙", None, "所属镇街", "凤凰镇"],
        ["序号", "存在问题", "整改要求", "整改期限", "备注"],
        ["（1）", "（2）", "（3）", "（4）", "（5）"],
        [1, "储罐区静电接地损坏", "修复", "10日内", None],
        [2, "操作规程未上墙", "上墙", "5月底前", None],
        ["被检查单位负责人（签字）：", None, None, "检查人员（签字）：", None],
    ]
    result = parse_ledger(xlsx_bytes(rows, [(0, 0, 0, 4)]), "record.xlsx")
    assert result.header_rows == [4]
    assert result.mapping == {
        "序号": "seq",
        "存在问题": "description",
        "整改要求": "measures",
        "整改期限": "deadline",
        "备注": "remarks",
    }
    assert result.errors == []
    first, second = result.rows
    assert (first["enterprise"], first["found_date"], first["found_by"], first["region"]) == (
        "凤凰化工有限公司",
        date(2024, 5, 6),
        "甲、乙",
        "凤凰镇",
    )
    assert (first["deadline"], second["deadline"]) == (date(2024, 5, 16), date(2024, 5, 31))


def test_a_unit_row_under_the_header_sets_the_funds_unit():
    rows = [
        ["序号", "隐患描述", "整改资金", "整改期限"],
        [None, None, "（万元）", "（年月日）"],
        [1, "甲", 2, "2024-05-01"],
    ]
    result = parse_ledger(xlsx_bytes(rows), "x.xlsx")
    assert [r["funds"] for r in result.rows] == [Decimal("20000.00")]


def test_a_three_row_header():
    rows = [
        ["序号", "隐患描述", "整改情况", None, None, None, None, None],
        [None, None, "五落实", None, None, None, None, "完成情况"],
        [None, None, "责任", "措施", "资金", "时限", "预案", None],
        [1, "甲", "张", "换", "1万元", "2024-06-01", "有", "已完成"],
    ]
    result = parse_ledger(
        xlsx_bytes(rows, [(0, 0, 2, 0), (0, 1, 2, 1), (0, 2, 0, 7), (1, 2, 1, 6), (1, 7, 2, 7)]), "x.xlsx"
    )
    assert result.header_rows == [1, 2, 3]
    assert result.mapping == {
        "序号": "seq",
        "隐患描述": "description",
        "整改情况/五落实/责任": "responsible_person",
        "整改情况/五落实/措施": "measures",
        "整改情况/五落实/资金": "funds",
        "整改情况/五落实/时限": "deadline",
        "整改情况/五落实/预案": "other",
        "整改情况/完成情况": "status",
    }
    assert result.rows[0]["status"] == "已整改" and result.rows[0]["funds"] == Decimal("10000.00")


def test_a_deadline_in_days_counts_from_the_found_date():
    data = ledger_xlsx(
        ["序号", "排查日期", "隐患描述", "整改期限（天）"],
        [[1, "2024-05-01", "甲", 7], [2, "2024-05-01", "乙", "2024-05-20"]],
    )
    assert [r["deadline"] for r in parse_ledger(data, "x.xlsx").rows] == [date(2024, 5, 8), date(2024, 5, 20)]


def test_a_title_over_part_of_the_table_is_not_a_parent_header():
    rows = [
        ["2024年第二季度安全生产检查发现问题汇总", None, None, None, None],
        ["序号", "企业名称", "隐患描述", "整改期限", "备注"],
        [1, "甲", "问题", "2024-06-30", None],
    ]
    result = parse_ledger(xlsx_bytes(rows, [(0, 0, 0, 2)]), "x.xlsx")
    assert result.header_rows == [2]
    assert list(result.mapping) == ["序号", "企业名称", "隐患描述", "整改期限", "备注"]


def test_csv_whose_descriptions_are_full_of_chinese_commas():
    text = '序号,隐患描述,整改措施\n1,"通道堵塞，灭火器过期，应急灯损坏",清理，更换，维修\n2,配电箱未关，线路老化，私拉乱接,规范布线\n'
    result = parse_ledger(text.encode("utf-8"), "a.csv")
    assert result.mapping == {"序号": "seq", "隐患描述": "description", "整改措施": "measures"}
    assert [r["description"] for r in result.rows] == [
        "通道堵塞，灭火器过期，应急灯损坏",
        "配电箱未关，线路老化，私拉乱接",
    ]


def test_xml_spreadsheet_2003_saved_as_xls():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="隐患台账"><Table>
  <Row><Cell ss:MergeAcross="3"><Data ss:Type="String">隐患台账</Data></Cell></Row>
  <Row><Cell ss:MergeDown="1"><Data ss:Type="String">序号</Data></Cell><Cell ss:MergeDown="1"><Data ss:Type="String">隐患描述</Data></Cell>
   <Cell ss:MergeAcross="1"><Data ss:Type="String">整改情况</Data></Cell></Row>
  <Row><Cell ss:Index="3"><Data ss:Type="String">措施</Data></Cell><Cell><Data ss:Type="String">时限</Data></Cell></Row>
  <Row><Cell><Data ss:Type="Number">1</Data></Cell><Cell><Data ss:Type="String">通道堵塞</Data></Cell><Cell><Data ss:Type="String">清理</Data></Cell>
   <Cell><Data ss:Type="DateTime">2024-05-01T00:00:00.000</Data></Cell></Row>
 </Table></Worksheet></Workbook>"""
    result = parse_ledger(xml.encode("utf-8"), "export.xls")
    assert result.mapping == {
        "序号": "seq",
        "隐患描述": "description",
        "整改情况/措施": "measures",
        "整改情况/时限": "deadline",
    }
    assert result.rows == [
        {"_row": 4, "seq": "1", "description": "通道堵塞", "measures": "清理", "deadline": date(2024, 5, 1)}
    ]


def test_tick_columns_written_as_one_cell_parent_child_names():
    data = xlsx_bytes(
        [["序号", "隐患描述", "治理状态/未治理", "治理状态/已治理"], [1, "甲", "√", ""], [2, "乙", "", "√"]]
    )
    result = parse_ledger(data, "flat.xlsx")
    assert result.mapping == {
        "序号": "seq",
        "隐患描述": "description",
        "治理状态/未治理": "status",
        "治理状态/已治理": "other",
    }
    assert [r["status"] for r in result.rows] == ["未整改", "已整改"]
