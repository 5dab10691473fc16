"""`core.excel`: the one decoder of uploaded text, the one sheet reader (with merged ranges) behind
both `read_table` and `read_sheets`, and the merged-cell map the ledger and plan importers share."""

import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from zhiben.core.excel import NotTextError, SheetData, decode_text, read_sheets, read_table, sheets_read
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.ledger import parse_ledger
from zhiben.testing import workbook


def xlsx(rows, merges=(), extra_sheet=None):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    if extra_sheet:
        book.create_sheet(extra_sheet[0]).append(extra_sheet[1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        "序号,隐患描述\n".encode(),
        "序号,隐患描述\n".encode("utf-8-sig"),
        "序号,隐患描述\n".encode("gbk"),
        "序号,隐患描述\n".encode("gb18030"),
        "序号,隐患描述\n".encode("utf-16"),
    ],
)
def test_decode_text_reads_utf8_gbk_and_utf16(data):
    assert decode_text(data) == "序号,隐患描述\n"


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", bytes(range(1, 32)) * 50])
def test_decode_text_refuses_binary_data_naming_the_file(data):
    with pytest.raises(NotTextError, match="无法读取“方案.txt”：文件不是文本文件"):
        decode_text(data, name="uploads/方案.txt")


def test_read_sheets_keeps_every_sheet_and_its_merged_ranges():
    data = xlsx(
        [["标题", None, None], ["序号", "整改情况", None], [None, "措施", "时限"], [1, "清理", "2024-06-30"]],
        merges=["A1:C1", "B2:C2", "A2:A3"],
        extra_sheet=("说明", ["本表由安委办编制"]),
    )
    first, second = read_sheets(data, filename="台账.xlsx")
    assert (first.name, second.name) == ("Sheet", "说明")
    assert sorted(first.merged) == [(0, 0, 0, 2), (1, 0, 2, 0), (1, 1, 1, 2)]
    assert first.merge_origins() == {(0, 1): (0, 0), (0, 2): (0, 0), (2, 0): (1, 0), (1, 2): (1, 1)}
    assert all(len(row) == 3 for row in first.rows)


def test_merge_origins_leaves_out_huge_ranges():
    sheet = SheetData("表1", [["a", ""]], [(0, 0, 0, 1), (0, 0, 999, 999)])
    assert sheet.merge_origins(limit=10) == {(0, 1): (0, 0)}


def test_read_table_uses_the_same_readers():
    rows = [["企业名称", "所属区划"], ["甲公司", "凤凰镇"]]
    assert read_table(xlsx(rows, extra_sheet=("说明", ["x"])), filename="企业.xlsx") == (1, rows[0], [(2, rows[1])])
    csv_gbk = "企业名称,所属区划\n甲公司,凤凰镇\n".encode("gbk")
    assert read_table(csv_gbk, filename="企业.csv") == (1, rows[0], [(2, rows[1])])
    tsv = "企业名称\t所属区划\n甲公司\t凤凰镇\n".encode("utf-16")
    assert read_table(tsv, filename="企业.txt") == (1, rows[0], [(2, rows[1])])


def fields(headers):
    """An importer's header reader: the fields of 企业名称 and 所属区划."""
    return {h for h in headers if h in ("企业名称", "所属区划", "联系电话")}


HEADER = ["企业名称", "所属区划", "联系电话"]


def test_the_header_under_a_title_and_a_form_line_is_found_by_the_importers_columns():
    rows = [
        ["凤凰镇企业名单", None, None],
        ["填报单位：凤凰镇应急办（盖章）", None, "填报日期：2026年3月1日"],
        HEADER,
        ["甲公司", "凤凰村", "13812345678"],
    ]
    assert read_table(xlsx(rows), filename="企业.xlsx", columns=fields) == (3, HEADER, [(4, rows[3])])
    # without the importer's columns: the first row of two cells, as before
    assert read_table(xlsx(rows), filename="企业.xlsx")[0] == 2


def test_the_sheet_whose_header_names_the_most_columns_is_read():
    instructions = ("填表说明", [["填表说明"], ["1. 企业名称写全称", "2. 所属区划写到村"], ["企业名称", "必填"]])
    data = ("企业", [HEADER, ["甲公司", "凤凰村", ""]])
    assert read_table(workbook(instructions, data), filename="企业.xlsx", columns=fields) == (
        1,
        HEADER,
        [(2, ["甲公司", "凤凰村", ""])],
    )


def test_sheets_under_the_same_header_are_one_table_their_rows_named_with_the_sheet():
    one = ("一镇", [["一镇企业名单"], HEADER, ["甲公司", "凤凰村", ""]])
    two = ("二镇", [HEADER, ["乙公司", "双碑村", ""], ["丙公司", "双碑村", ""], ["合计", "2家", ""]])
    other = ("汇总", [["镇街", "企业数"], ["一镇", "1"]])  # another table: not joined
    header_row, headers, body = read_table(workbook(one, other, two), filename="企业.xlsx", columns=fields)
    assert (header_row, headers) == (2, HEADER)
    assert [(n, cells[0]) for n, cells in body] == [(3, "甲公司"), (2, "乙公司"), (3, "丙公司")]
    assert [str(n) for n, _ in body] == ["3", "2（二镇）", "3（二镇）"]
    assert f"第 {body[1][0]} 行" == "第 2（二镇） 行"
    assert json.loads(json.dumps([n for n, _ in body])) == [3, 2, 3]  # audit data keeps plain numbers
    # a sheet whose header has the same cells in another order (a column moved) is read by its header
    moved = ("三镇", [["所属区划", "企业名称", "联系电话"], ["凤凰村", "丁公司", ""]])
    body = read_table(workbook(one, moved), filename="企业.xlsx", columns=fields)[2]
    assert [(str(n), cells) for n, cells in body] == [
        ("3", ["甲公司", "凤凰村", ""]),
        ("2（三镇）", ["丁公司", "凤凰村", ""]),
    ]


def test_the_sheets_read_and_those_left_out_under_another_header_are_reported():
    one = ("一镇", [HEADER, ["甲公司", "凤凰村", ""], ["乙公司", "凤凰村", ""]])
    two = ("二镇", [HEADER, ["丙公司", "双碑村", ""]])
    three = ("三镇", [["企业名称", "所属区划", "备注"], ["丁公司", "新村", "停产"]])  # 联系电话 renamed 备注
    instructions = ("填表说明", [["填表说明"], ["企业名称", "写全称"]])  # no table: not reported
    sheets = []
    body = read_table(workbook(instructions, one, two, three), filename="企业.xlsx", columns=fields, sheets=sheets)[2]
    assert [cells[0] for _, cells in body] == ["甲公司", "乙公司", "丙公司"]  # 三镇 not read
    assert [(s.name, s.rows) for s in sheets if not s.left_out] == [("一镇", 2), ("二镇", 1)]
    assert [(s.name, s.left_out) for s in sheets if s.left_out] == [
        (
            "三镇",
            "工作表“三镇”的表头与“一镇”不同（多出“备注”列，缺少“联系电话”列），未导入："
            "请把表头改成与“一镇”一致后再导入，或将该工作表另存为文件单独导入。",
        )
    ]
    assert sheets_read(sheets) == "已读取工作表：一镇（2 行）、二镇（1 行）。"
    # an extra column is told the same way
    extra = ("三镇", [[*HEADER, "备注"], ["丁公司", "新村", "", "停产"]])
    sheets = []
    read_table(workbook(one, extra), filename="企业.xlsx", columns=fields, sheets=sheets)
    assert [s.name for s in sheets if s.left_out] == ["三镇"]
    assert "多出“备注”列" in sheets[-1].left_out


@pytest.mark.parametrize(
    "data, filename",
    [
        (xlsx([HEADER, ["甲公司", "凤凰村", ""]], extra_sheet=("说明", ["本表由镇应急办填报"])), "企业.xlsx"),
        ("企业名称,所属区划,联系电话\n甲公司,凤凰村,\n".encode(), "企业.csv"),
    ],
)
def test_a_single_table_reports_its_one_sheet_and_nothing_more(data, filename):
    sheets = []
    read_table(data, filename=filename, columns=fields, sheets=sheets)
    assert [(s.rows, s.left_out) for s in sheets] == [(1, "")]
    assert sheets_read(sheets) == ""


def test_numbering_repeated_headers_notes_signatures_and_totals_are_not_records():
    rows = [
        HEADER,
        ["1", "2", "3"],
        ["甲公司", "凤凰村", ""],
        HEADER,
        ["乙公司", "双碑村", ""],
        ["合计", "2家", ""],
        ["注：所属区划写到村（社区）。", None, None],
        ["填表人：张三", None, "审核人：李四"],
    ]
    assert read_table(xlsx(rows), filename="企业.xlsx", columns=fields)[2] == [
        (3, ["甲公司", "凤凰村", ""]),
        (5, ["乙公司", "双碑村", ""]),
    ]
    # a note between records is a record's business (its importer refuses it by row), not dropped unseen
    rows = [HEADER, ["注：见附件", None, None], ["乙公司", "双碑村", ""]]
    assert [n for n, _ in read_table(xlsx(rows), filename="企业.xlsx", columns=fields)[2]] == [2, 3]


def test_a_binary_file_named_csv_is_no_table():
    with pytest.raises(ApplicationError, match="不是文本文件"):
        read_table(b"\x00\x01\x02" * 10, filename="企业.csv")
    with pytest.raises(ApplicationError, match="不是有效的 Excel"):
        read_sheets(b"\x00\x01\x02" * 10, filename="台账.csv")


# --- damaged and inflating packages are refused, never a server error ---------------------------


def repacked(data, part, change):
    """`data` (a zip package) with `part` replaced by change(its bytes), or its entry rewritten by change(ZipInfo)."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            body = source.read(info.filename)
            package.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


def inflated(data, part, megabytes):
    """`data` with `part` padded to `megabytes` MB unpacked: a small upload that unpacks to a great deal."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename != part:
                package.writestr(info.filename, body)
                continue
            with package.open(info.filename, "w") as fh:
                fh.write(body)
                for _ in range(megabytes):
                    fh.write(b" " * (1 << 20))
    return out.getvalue()


@pytest.mark.parametrize("apart", [True, False], ids=["in-its-own-process", "in-the-worker"])
def test_a_damaged_xls_on_which_calamine_panics_is_refused(settings, apart):
    # a 1.4 KB .xls, damaged by a fuzzer, on which python-calamine's Rust code panics (PanicException derives from
    # BaseException, which `except Exception` does not catch)
    settings.PARSE_MEMORY_MB = 1024 if apart else 0
    data = (Path(__file__).parent / "data" / "damaged-panics-calamine.xls").read_bytes()
    with pytest.raises(ApplicationError, match="文件已损坏或格式不受支持"):
        read_sheets(data, filename="台账.xls")


def test_a_damaged_xls_on_which_calamine_aborts_is_refused_and_the_worker_lives():
    # a 6.6 KB .xls, damaged by a fuzzer, on which calamine asks for 40 GB and aborts its process (SIGABRT): read in
    # a process of its own, it is a refusal in Chinese, not a dead web worker
    data = (Path(__file__).parent / "data" / "damaged-aborts-calamine.xls").read_bytes()
    with pytest.raises(ApplicationError, match="文件已损坏或内容异常"):
        read_sheets(data, filename="台账.xls")
    with pytest.raises(ApplicationError, match="文件已损坏或内容异常"):
        parse_ledger(data, "台账.xls")


def far_cell(ref, *, dimension=True):
    """A ledger of one record with one more cell at `ref`, as Excel writes it (its used range declared in
    <dimension>), or without the declaration."""
    book = Workbook()
    sheet = book.active
    sheet.title = "隐患台账"
    sheet.append(["序号", "隐患描述"])
    sheet.append([1, "配电箱未接地"])
    sheet[ref] = "备注"
    out = io.BytesIO()
    book.save(out)
    if dimension:
        return out.getvalue()
    return repacked(out.getvalue(), "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))


def test_a_workbook_whose_cells_reach_xfd1048576_is_refused_and_the_worker_lives():
    # one stray cell in the last row and column: calamine asks for 512 GB for the sheet and aborts its process
    with pytest.raises(
        ApplicationError,
        match=r"数据行过多：工作表的内容延伸到第 1,048,576 行（单元格 XFD1048576），单次导入上限为 100000 行。若表格以外远处有多余的内容",
    ):
        read_sheets(far_cell("XFD1048576"), filename="台账.xlsx")
    # without the used range the sheet declares, nothing says why: refused as damaged
    with pytest.raises(ApplicationError, match="“台账.xlsx”.*文件已损坏或内容异常|文件已损坏或内容异常"):
        parse_ledger(far_cell("XFD1048576", dimension=False), "台账.xlsx")
    assert read_sheets(far_cell("C3"), filename="台账.xlsx")[0].rows[1] == [1, "配电箱未接地", ""]


@pytest.mark.parametrize("apart", [True, False], ids=["in-its-own-process", "in-the-worker"])
def test_a_sheet_spanning_more_cells_than_an_import_reads_is_refused_before_it_is_read(settings, apart):
    settings.PARSE_MEMORY_MB = 1024 if apart else 0
    with pytest.raises(ApplicationError, match=r"工作表“隐患台账”的范围过大：从 A1 到 ZZ20000（20,000 行 × 702 列）"):
        read_sheets(far_cell("ZZ20000"), filename="台账.xlsx")
    settings.IMPORT_MAX_ROWS = 1000
    with pytest.raises(
        ApplicationError,
        match="数据行过多：工作表“隐患台账”的内容延伸到第 2,001 行（单元格 B2001），单次导入上限为 1000 行",
    ):
        read_sheets(far_cell("A2001"), filename="台账.xlsx")
    assert len(read_sheets(far_cell("A2000"), filename="台账.xlsx")[0].rows) == 2000


SPREADSHEET_2003 = (
    '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="隐患台账"><Table>{}</Table></Worksheet>'
    "</Workbook>"
)


def xml_row(*cells, attrs=""):
    return (
        f"<Row {attrs}>" + "".join(f'<Cell {a}><Data ss:Type="String">{t}</Data></Cell>' for t, a in cells) + "</Row>"
    )


@pytest.mark.parametrize(
    "rows, message",
    [
        # a cell placed a hundred million columns out, a row ninety million rows down
        (xml_row(("序号", ""), ("y", 'ss:Index="100000000"')), r"范围过大：共（1 行 × 100,000,000 列）"),
        (
            xml_row(("序号", "")) + xml_row(("y", ""), attrs='ss:Index="90000000"'),
            "延伸到第 90,000,000 行（单元格 A90000000），单次导入上限为 100000 行",
        ),
        (xml_row(("序号", "")) + xml_row(("y", 'ss:Index="5000"'), attrs='ss:Index="9000"'), "从 A1 到 GJH9000"),
        # forty merges of 1,000 × 1,000 cells
        (
            "".join(
                xml_row(("x", 'ss:MergeAcross="999" ss:MergeDown="999"'), attrs=f'ss:Index="{1000 * i + 1}"')
                for i in range(40)
            ),
            "单元格过多（超过 2,000,000 个",
        ),
    ],
    ids=["far-column", "far-row", "far-cell", "many-merges"],
)
def test_an_xml_2003_spreadsheet_reaching_beyond_what_an_import_reads_is_refused(rows, message):
    with pytest.raises(ApplicationError, match=message):
        read_sheets(SPREADSHEET_2003.format(rows).encode(), filename="台账.xls")


def test_an_xml_2003_spreadsheet_with_indexes_that_are_not_numbers_is_read_as_far_as_it_goes():
    rows = xml_row(("序号", 'ss:Index="x"'), ("隐患描述", 'ss:MergeAcross="q"'), attrs='ss:Index="-4"')
    assert read_sheets(SPREADSHEET_2003.format(rows).encode(), filename="台账.xls")[0].rows == [["序号", "隐患描述"]]


def test_an_html_table_of_many_large_merged_cells_is_refused():
    spans = '<td rowspan="1000" colspan="1000">x</td>' * 40
    data = f"<html><body><table><tr>{spans}</tr><tr><td>a</td></tr></table></body></html>".encode()
    with pytest.raises(ApplicationError, match="工作表“表1”的单元格过多"):
        read_sheets(data, filename="台账.xls")


def test_a_shared_string_table_declaring_four_billion_strings_is_refused():
    # calamine reserves room for the declared count first: 96 GB, and aborts its process
    data = xlsx([["序号", "隐患描述"], [1, "配电箱未接地"]])
    table = (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="4000000000" uniqueCount="4000000000"><si><t>hello</t></si></sst>'
    )
    data = repacked(
        _add_part(data, "xl/sharedStrings.xml", table),
        "xl/_rels/workbook.xml.rels",
        lambda xml: xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        ),
    )
    with pytest.raises(ApplicationError, match="文件已损坏或内容异常"):
        read_sheets(data, filename="台账.xlsx")
    assert read_sheets(xlsx([["序号"], [1]]), filename="台账.xlsx")[0].rows == [["序号"], [1]]


def _add_part(data, part, body):
    import zipfile

    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr(part, body)
    return out.getvalue()


def test_the_parsing_server_is_started_again_when_it_died():
    from zhiben.core.isolated import _server

    read_sheets(xlsx([["序号"], [1]]), filename="台账.xlsx")
    first = _server.process
    first.kill()
    first.wait()
    assert read_sheets(xlsx([["序号"], [2]]), filename="台账.xlsx")[0].rows == [["序号"], [2]]
    assert _server.process is not first


def test_an_xls_read_apart_is_the_same_sheet_and_what_crosses_keeps_its_types(settings):
    from datetime import date, datetime, time, timedelta

    from zhiben.core.isolated import _dumps, _loads
    from zhiben.core.pdf import Grid
    from zhiben.hazards.tests.ledger_fixtures import biff8_xls

    data = biff8_xls([["序号", "隐患描述", "整改期限"], ["1", "消防通道堵塞", "2024-06-30"]], [(0, 0, 0, 1)])
    apart = read_sheets(data, filename="台账.xls")
    settings.PARSE_MEMORY_MB = 0
    assert read_sheets(data, filename="台账.xls") == apart
    values = [
        SheetData(
            "表1", [["a", 1, 2.5, True, date(2024, 6, 30), datetime(2024, 6, 30, 8, 5), time(8, 5), ""]], [(0, 0, 1, 1)]
        ),
        Grid([["甲", ""]], [(0, 0, 0, 1)]),
        timedelta(hours=2),
        None,
    ]
    assert _loads(_dumps(values)) == values


def test_a_word_part_that_does_not_inflate_is_refused():
    from .test_excel_docx import docx_bytes, ledger

    data = docx_bytes(ledger)
    start = data.index(b"word/document.xml") + len("word/document.xml")  # the local header's name; the data follow
    damaged = data[:start] + bytes(b ^ 0x5A for b in data[start : start + 40]) + data[start + 40 :]
    with pytest.raises(ApplicationError, match="文件已损坏"):
        read_sheets(damaged, filename="台账.docx")
    from zhiben.plans.parsing import parse_plan

    with pytest.raises(ApplicationError, match="已损坏"):
        parse_plan(damaged, "方案.docx")


def test_packages_that_unpack_to_too_much_are_refused_before_reading():
    from zhiben.plans.parsing import parse_plan

    from .test_excel_docx import docx_bytes, ledger

    workbook = inflated(
        xlsx([["隐患描述", "整改期限"], ["消防通道堵塞", "2024-06-30"]]), "xl/worksheets/sheet1.xml", 260
    )
    assert len(workbook) < 1_000_000
    with pytest.raises(ApplicationError, match="Excel 文件解压后超过 256 MB"):
        read_sheets(workbook, filename="台账.xlsx")
    document = inflated(docx_bytes(ledger), "word/document.xml", 65)
    with pytest.raises(ApplicationError, match="Word 文件的正文解压后超过 64 MB"):
        read_sheets(document, filename="台账.docx")
    with pytest.raises(ApplicationError, match="Word 文件的正文解压后超过 64 MB"):
        parse_plan(document, "方案.docx")


FIXED_WIDTH = """凤凰镇隐患排查治理台账
填报单位：凤凰镇应急办                    填报日期：2026年11月30日
序号  单位名称                  隐患描述                          隐患级别  整改期限      整改状态
1     重庆某某化工有限公司      消防通道堵塞，需立即清理          一般      2026-06-20    未整改
2     重庆某某机械有限公司      配电箱未接地，电缆老化破损，      重大      2026-10-01    整改中
                                需更换电缆
3     重庆某某建材有限公司      有限空间作业未审批                一般                    已整改
填表人：张三        审核人：李四
"""


def test_a_table_lined_up_with_blanks_is_read_by_its_columns_and_numbered_by_line():
    [sheet] = read_sheets(FIXED_WIDTH.encode("gbk"), filename="台账.txt")
    assert sheet.rows[2] == ["序号", "单位名称", "隐患描述", "隐患级别", "整改期限", "整改状态"]
    assert sheet.rows[4] == [
        "2",
        "重庆某某机械有限公司",
        "配电箱未接地，电缆老化破损，需更换电缆",
        "重大",
        "2026-10-01",
        "整改中",
    ]
    assert sheet.rows[5][4] == ""  # an empty cell is just blank
    assert [sheet.number(i) for i in range(len(sheet.rows))] == [1, 2, 3, 4, 5, 7, 8]  # a wrapped cell's line skipped
    parsed = parse_ledger(FIXED_WIDTH.encode(), "台账.txt")
    assert [(r["_row"], r["description"]) for r in parsed.rows] == [
        (4, "消防通道堵塞，需立即清理"),
        (5, "配电箱未接地，电缆老化破损，需更换电缆"),
        (7, "有限空间作业未审批"),
    ]
    assert parsed.meta["填报单位"] == "凤凰镇应急办" and not parsed.errors
    header_number, headers, body = read_table(FIXED_WIDTH.encode(), filename="台账.txt")
    assert (header_number, headers[:3], [n for n, _ in body][:3]) == (3, ["序号", "单位名称", "隐患描述"], [4, 5, 7])


@pytest.mark.parametrize("read", [read_sheets, read_table], ids=["read_sheets", "read_table"])
def test_a_csv_cell_longer_than_the_reader_takes_is_refused_in_chinese(read):
    data = ("序号,隐患描述\n1," + "x" * 140_000 + "\n").encode()
    with pytest.raises(ApplicationError, match="第 2 行起有一个单元格超过 131,072 个字符"):
        read(data, filename="台账.csv")


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_csv_row_of_a_million_delimiters_is_refused_before_every_row_is_padded_to_it(delimiter):
    # 1 MB that would have made 20,000 rows of a million cells each
    data = (f"序号{delimiter}隐患描述\n" + f"1{delimiter}配电箱\n" * 20_000 + delimiter * 1_000_000 + "\n").encode()
    with pytest.raises(ApplicationError, match=r"范围过大：共（20,002 行 × 1,000,001 列）"):
        read_sheets(data, filename="台账.csv")


def test_files_parsed_at_once_from_several_threads_each_get_their_own_sheet():
    # one parsing server per web process, one request at a time: threads (a threaded server, the live-server tests)
    # wait their turn instead of mixing their requests
    from concurrent.futures import ThreadPoolExecutor

    files = [xlsx([["序号", "隐患描述"], [n, f"隐患{n}"]]) for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        sheets = list(pool.map(lambda data: read_sheets(data, filename="台账.xlsx")[0], files))
    assert [s.rows[1] for s in sheets] == [[n, f"隐患{n}"] for n in range(8)]


def test_merged_ranges_are_cut_to_the_sheet_and_overlapping_ones_past_its_cells_left_out():
    # a merged whole column is cut to the sheet's rows (and still left out of merge_origins by its own size)
    sheet = SheetData("S", [["a", "b"], ["", ""], ["", ""]], [(0, 0, 1048575, 0), (1, 1, 2, 1), (5, 0, 9, 1)])
    assert [m for m, _ in sheet.clipped_merges()] == [(0, 0, 2, 0), (1, 1, 2, 1)]
    assert sheet.merge_origins() == {(2, 1): (1, 1)}
    # a 10 KB workbook listing a thousand ranges that each cover most of the sheet: only what fits on it is used
    rows = [["x"] * 26 for _ in range(8000)]
    crafted = SheetData("S", rows, [(r, 3, r + 7600, 25) for r in range(2, 1002)])
    assert len(crafted.clipped_merges()) == 1
    ledger = xlsx([["序号", "隐患描述", "整改期限"], [1, "配电箱未接地", "2026-12-31"]])
    merges = "".join(f'<mergeCell ref="D{i}:Z{i + 7600}"/>' for i in range(3, 1003))
    ledger = repacked(
        ledger,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>".encode()),
    )
    assert len(parse_ledger(ledger, "台账.xlsx").rows) == 1
