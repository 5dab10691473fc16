"""Builders of ledger files for the import tests, all made in memory.

`ledger_xlsx` lays a ledger out the way people do in Excel: title rows, a one- or two-row header
("parent/child" names become a merged parent cell over its children, other cells are merged down),
an optional numbering row, data rows, body cells merged down, footer notes. `biff8_xls` writes a
real (tiny) Excel 97-2003 .xls file — strings, numbers and merged ranges — so the .xls path is
tested without a writer dependency.
"""

import csv
import io
import struct

from openpyxl import Workbook
from openpyxl.utils import get_column_letter


def split_header(headers):
    """[(parent or None, child)] from names written "parent/child" (a lone name has no parent).

    A "/" inside brackets is part of the name ("隐患来源（自查/督查）"); write a literal slash outside
    brackets as the full-width "／" ("隐患所在区域／部门")."""
    out = []
    for h in headers:
        depth, cut = 0, None
        for i, ch in enumerate(h):
            depth += ch in "（(【[" and 1 or 0
            depth -= ch in "）)】]" and 1 or 0
            if ch == "/" and depth == 0:
                cut = i
                break
        out.append((h[:cut], h[cut + 1 :]) if cut is not None else (None, h))
    return out


def header_grid(headers):
    """(two rows of header cells, merges as (row, first col, last row, last col) 0-based) for `headers`."""
    parts = split_header(headers)
    if not any(p for p, _ in parts):
        return [list(headers)], []
    top, bottom, merges = [], [], []
    i = 0
    while i < len(parts):
        parent, child = parts[i]
        if parent is None:
            top.append(child)
            bottom.append(None)
            merges.append((0, i, 1, i))
            i += 1
            continue
        j = i
        while j + 1 < len(parts) and parts[j + 1][0] == parent:
            j += 1
        top.append(parent)
        top.extend([None] * (j - i))
        bottom.extend(child for _, child in parts[i : j + 1])
        if j > i:
            merges.append((0, i, 0, j))
        i = j + 1
    return [top, bottom], merges


def ledger_grid(headers, data, *, titles=(), numbering=False, footers=(), body_merges=()):
    """(rows, merges) of a whole ledger sheet; body_merges are (first data row, col, last data row) 0-based."""
    rows, merges = [], []
    width = len(headers)
    for title in titles:
        rows.append([title] + [None] * (width - 1))
        if title and "：" not in title:
            merges.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    head, head_merges = header_grid(headers)
    offset = len(rows)
    rows.extend(head)
    merges.extend((r0 + offset, c0, r1 + offset, c1) for r0, c0, r1, c1 in head_merges)
    if numbering:
        rows.append(list(range(1, width + 1)))
    start = len(rows)
    rows.extend(list(r) + [None] * (width - len(r)) for r in data)
    for r0, c, r1 in body_merges:
        merges.append((start + r0, c, start + r1, c))
    for note in footers:
        rows.append([note] + [None] * (width - 1))
        merges.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    return rows, merges


def xlsx_bytes(rows, merges=(), *, sheet_title="Sheet1", before=()):
    """An .xlsx with `rows` (None = empty) on a sheet, merged ranges applied; `before` adds earlier sheets."""
    book = Workbook()
    first = book.active
    sheets = []
    for title, extra_rows in before:
        sheet = first if not sheets else book.create_sheet()
        sheet.title = title
        for row in extra_rows:
            sheet.append(row)
        sheets.append(sheet)
    sheet = book.create_sheet() if sheets else first
    sheet.title = sheet_title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    for r0, c0, r1, c1 in merges:
        sheet.merge_cells(f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_xlsx(headers, data, **layout):
    rows, merges = ledger_grid(headers, data, **layout)
    return xlsx_bytes(rows, merges)


def csv_bytes(rows, *, encoding="utf-8-sig", delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def html_xls(rows, merges=()):
    """The "Excel export" of many web systems: an HTML table served as .xls (spans for merges)."""
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(spans)
    out = ['<html><head><meta charset="utf-8"></head><body><table border="1">']
    for r, row in enumerate(rows):
        out.append("<tr>")
        for c, value in enumerate(row):
            if (r, c) in covered:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            out.append(f"<td{attrs}>{'' if value is None else value}</td>")
        out.append("</tr>")
    out.append("</table></body></html>")
    return "".join(out).encode("utf-8")


# ---------------------------------------------------------------- a minimal BIFF8 (.xls) writer


def _record(kind, payload=b""):
    return struct.pack("<HH", kind, len(payload)) + payload


def _xl_string(text, length_bytes=2):
    encoded = text.encode("utf-16-le")
    return struct.pack("<H" if length_bytes == 2 else "<B", len(text)) + b"\x01" + encoded


def _biff_workbook(rows, merges, sheet_name):
    strings, index = [], {}
    for row in rows:
        for value in row:
            if isinstance(value, str) and value not in index:
                index[value] = len(strings)
                strings.append(value)
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    sst = _record(0x00FC, struct.pack("<II", len(strings), len(strings)) + b"".join(_xl_string(s) for s in strings))
    codepage = _record(0x0042, struct.pack("<H", 1200))
    name = _xl_string(sheet_name, 1)
    boundsheet_len = 4 + 6 + len(name)
    globals_len = len(bof_globals) + len(codepage) + boundsheet_len + len(sst) + 4
    boundsheet = _record(0x0085, struct.pack("<IBB", globals_len, 0, 0) + name)
    globals_ = bof_globals + codepage + boundsheet + sst + _record(0x000A)
    assert len(globals_) == globals_len
    cells = []
    width = max((len(r) for r in rows), default=0)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                cells.append(_record(0x00FD, struct.pack("<HHHI", r, c, 0, index[value])))
            else:
                cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 0, float(value))))
    sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
    sheet += _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
    sheet += b"".join(cells)
    if merges:
        sheet += _record(
            0x00E5,
            struct.pack("<H", len(merges))
            + b"".join(struct.pack("<HHHH", r0, r1, c0, c1) for r0, c0, r1, c1 in merges),
        )
    sheet += _record(0x000A)
    return globals_ + sheet


def biff8_xls(rows, merges=(), *, sheet_name="Sheet1"):
    """A real Excel 97-2003 workbook: one sheet of strings and numbers, merged ranges (rows, cols 0-based)."""
    stream = _biff_workbook(rows, list(merges), sheet_name)
    stream += b"\x00" * max(0, 4096 - len(stream))  # at least 4096 bytes: a normal stream, no mini-stream needed
    stream += b"\x00" * (-len(stream) % 512)
    n_stream = len(stream) // 512
    sector_count = 2 + n_stream  # FAT sector, directory sector, stream sectors
    if sector_count > 128:
        raise ValueError("test workbook too large for the one-FAT-sector writer")
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(n_stream - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name, kind, start, size, child=0xFFFFFFFF):
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\x00" * 16
            + struct.pack("<I", 0)
            + b"\x00" * 16
            + struct.pack("<IIi", start, size, 0)
        )

    unused = (
        b"\x00" * 64
        + struct.pack("<HBB", 0, 0, 0)
        + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        + b"\x00" * 48
    )
    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1) + entry("Workbook", 2, 2, len(stream)) + unused * 2
    assert len(directory) == 512
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", 0xFFFFFFFF) * 108
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + stream
