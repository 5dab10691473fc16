"""Reading uploaded tables (xlsx/xls/ods/csv) and writing xlsx exports.

Reading uses python-calamine (fast, reads .xls too); every failure becomes an ApplicationError
with a Chinese message, so importers never show a traceback to a user.
"""

import csv
import io
from datetime import date, datetime

from django.conf import settings

from .exceptions import ApplicationError

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_bytes(source):
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        return source.read()
    with open(source, "rb") as fh:
        return fh.read()


def cell_text(value):
    """A cell as trimmed text: 12.0 → '12', dates → 'YYYY-MM-DD'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _sheet_rows(data):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise ApplicationError("文件中没有工作表。")
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except ApplicationError:
        raise
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise ApplicationError(f"无法读取 Excel 文件：文件已损坏或格式不受支持（{type(exc).__name__}）。") from exc


def _csv_rows(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApplicationError("无法识别 CSV 文件的编码：请另存为 UTF-8 或 Excel 格式。")
    if "\x00" in text:
        raise ApplicationError("文件不是有效的表格文件。")
    return list(csv.reader(io.StringIO(text)))


def read_table(source, *, filename="", max_bytes=None, max_rows=None):
    """Return (header_row_number, headers, [(row_number, [cell texts])]) of the first sheet.

    The header is the first row with at least two non-empty cells. Row numbers are as Excel shows them.
    """
    max_bytes = max_bytes or settings.IMPORT_MAX_BYTES
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    data = _read_bytes(source)
    if not data:
        raise ApplicationError("文件为空。")
    if len(data) > max_bytes:
        raise ApplicationError(f"文件过大：{len(data) / 1048576:.1f} MB，上限为 {max_bytes / 1048576:.0f} MB。")
    name = (filename or getattr(source, "name", "") or "").lower()
    if data.startswith(XLSX_MAGIC) or data.startswith(OLE_MAGIC):
        raw = _sheet_rows(data)
    elif name.endswith((".csv", ".txt")) or not name:
        raw = _csv_rows(data)
    else:
        raise ApplicationError("文件不是有效的 Excel（.xlsx/.xls）或 CSV 文件，请检查文件内容。")
    rows = [[cell_text(v) for v in row] for row in raw]
    header_index = next((i for i, row in enumerate(rows) if sum(1 for c in row if c) >= 2), None)
    if header_index is None:
        raise ApplicationError("文件中没有表头或数据。")
    headers = rows[header_index]
    body = [(i + 1, row) for i, row in enumerate(rows[header_index + 1:], start=header_index + 1) if any(row)]
    if not body:
        raise ApplicationError("文件只有表头，没有数据行。")
    if len(body) > max_rows:
        raise ApplicationError(f"数据行过多：{len(body)} 行，单次导入上限为 {max_rows} 行。")
    return header_index + 1, headers, body


def write_xlsx(headers, rows, *, sheet_title="Sheet1", widths=None):
    """Write rows to an .xlsx in memory and return its bytes (streaming writer, bold header)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    for index, width in enumerate(widths or [], start=1):
        from openpyxl.utils import get_column_letter

        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
