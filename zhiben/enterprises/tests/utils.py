"""In-memory spreadsheets for the enterprise tests (no fixture files)."""

import io

from openpyxl import Workbook, load_workbook

from zhiben.enterprises.validators import make_credit_code

HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属区划",
    "行业领域",
    "法定代表人",
    "联系电话",
    "高危企业",
    "从业人数",
    "经度",
]


def code(n, county="500106"):
    """A valid credit code, distinct per `n`."""
    return make_credit_code(f"91{county}MB{n:07d}")


def row(n, region="500106105002", industry="危险化学品", name=None, **overrides):
    """One data row in HEADERS order."""
    values = {
        "序号": n,
        "企业名称": name or f"导入测试企业{n}",
        "统一社会信用代码": code(9000 + n),
        "所属区划": region,
        "行业领域": industry,
        "法定代表人": "张伟",
        "联系电话": "13812345678",
        "高危企业": "是",
        "从业人数": 12,
        "经度": 106.35,
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def xlsx(rows, headers=HEADERS):
    """An .xlsx (bytes) with `headers` in row 1 and `rows` below."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(content):
    """[[cell values]] of the first sheet, header row included."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]
