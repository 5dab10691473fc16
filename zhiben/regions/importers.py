"""Turning an uploaded region table (CSV or Excel) into rows for `region_import`."""

from zhiben.core.excel import read_table
from zhiben.core.exceptions import ApplicationError

CODE_HEADERS = {"code", "区划代码", "统计用区划代码", "行政区划代码", "代码"}
NAME_HEADERS = {"name", "名称", "区划名称", "单位名称"}


def _find(headers, accepted):
    for index, header in enumerate(headers):
        if header.strip().lower() in accepted:
            return index
    return None


def _header_fields(headers):
    """Which of 区划代码 and 名称 a header row names."""
    return {
        field
        for field, accepted in (("code", CODE_HEADERS), ("name", NAME_HEADERS))
        if _find(headers, accepted) is not None
    }


def read_region_rows(source, *, filename="", sheets=None):
    """Return (rows, columns): rows are (row_number, code, name); columns name the file's headers. `sheets`, a list,
    is filled with the sheets read and left out (`core.excel.read_table`)."""
    header_row, headers, body = read_table(source, filename=filename, columns=_header_fields, sheets=sheets)
    code_at, name_at = _find(headers, CODE_HEADERS), _find(headers, NAME_HEADERS)
    missing = [label for label, at in (("区划代码（code）", code_at), ("名称（name）", name_at)) if at is None]
    if missing:
        raise ApplicationError(
            f"第 {header_row} 行表头缺少列：{'、'.join(missing)}。表头应包含“区划代码”和“名称”两列。"
        )

    def cell(row, at):
        return row[at] if at < len(row) else ""

    rows = [(row_no, cell(row, code_at), cell(row, name_at)) for row_no, row in body]
    return rows, {"code": headers[code_at], "name": headers[name_at]}
