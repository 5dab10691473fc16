"""The enterprise sheet in Excel, both ways: header mapping for imports, the template, export rows.

Imports read the first sheet with `core.excel.read_table`, map each header cell to a field of
`services.FIELDS` by its label, the model's verbose name or a synonym, and hand the rows to
`services.enterprise_import`, which validates everything and writes all or nothing.
"""

import re

from openpyxl.utils import get_column_letter

from zhiben.core.crypto import mask_phone
from zhiben.core.excel import read_table, write_xlsx
from zhiben.core.exceptions import ApplicationError

from .models import Enterprise
from .services import FIELDS, enterprise_import

REQUIRED = ("credit_code", "name", "region", "industry")

# Header names seen in real ledgers, besides each field's label and verbose name.
SYNONYMS = {
    "credit_code": ["社会信用代码", "信用代码", "统一代码", "统一社会信用代码证号", "信用代码证号"],
    "name": ["企业名称", "单位名称", "名称", "生产经营单位名称", "单位全称", "企业全称", "公司名称"],
    "region": ["区划代码", "所属区划", "所属区划代码", "行政区划代码", "行政区划", "所在区划", "区划"],
    "address": ["详细地址", "经营地址", "生产经营地址", "注册地址", "单位地址", "企业地址"],
    "industry": ["行业", "行业领域", "监管行业领域", "所属行业", "行业类别"],
    "economic_code": ["国民经济行业分类代码", "国民经济行业分类", "国标行业代码", "行业代码"],
    "high_risk": ["是否高危", "是否高危企业", "高危"],
    "directly_supervised": ["是否重点监管", "重点监管企业"],
    "scale": ["企业规模", "单位规模"],
    "employees": ["从业人员数", "从业人员", "职工人数", "员工人数"],
    "principal": ["法定代表人", "法人代表", "负责人"],
    "principal_phone": [
        "联系电话",
        "电话",
        "负责人电话",
        "主要负责人联系电话",
        "法定代表人电话",
        "联系方式",
        "手机号码",
    ],
    "controller": ["实控人"],
    "controller_phone": ["实际控制人联系电话", "实控人电话"],
    "safety_manager": ["安全负责人", "安全管理员", "安全员", "安全管理负责人"],
    "safety_manager_phone": ["安全负责人电话", "安全管理员电话", "安全员电话", "安全管理人员联系电话"],
    "standard_grade": ["安全生产标准化等级", "标准化达标等级", "标准化"],
    "liability_insurance": ["安责险", "是否投保安责险", "安全生产责任保险", "投保安责险"],
    "status": ["状态", "生产经营状态", "企业状态"],
    "remarks": ["说明"],
}
IGNORED_HEADERS = {"序号"}

_SPACES_AND_STARS = re.compile(r"[\s\u3000*＊]+")
_BRACKETED = re.compile(r"[(（\[【［][^)）\]】］]*[)）\]】］]")
_BRACKETS = re.compile(r"[()（）\[\]【】［］]")


def normalize_header(text):
    """'*企业（单位）\\n名称' → '企业名称': no spaces, asterisks, newlines or bracketed notes."""
    text = _SPACES_AND_STARS.sub("", str(text or "")).lower()
    return _BRACKETED.sub("", text) or _BRACKETS.sub("", text)


def column_index(headers, columns):
    """{field: index of its column} for a sheet's `headers`, matching each field's label and synonyms
    (`columns`: {field: (label, synonyms)}) after normalize_header; the first matching column wins."""
    names = {}
    for field_name, (label, synonyms) in columns.items():
        for name in (label, *synonyms):
            names.setdefault(normalize_header(name), field_name)
    found = {}
    for index, header in enumerate(headers):
        field_name = names.get(normalize_header(header))
        if field_name and field_name not in found:
            found[field_name] = index
    return found


def _header_index():
    index = {}
    for field, (label, _) in FIELDS.items():
        names = [label, Enterprise._meta.get_field(field).verbose_name, *SYNONYMS.get(field, [])]
        for name in names:
            key = normalize_header(name)
            assert index.setdefault(key, field) == field, f"header {name} maps to two fields"
    return index


HEADER_INDEX = _header_index()


def field_for_header(header):
    """The field a header cell names, or None. Brackets are tried dropped with their content, then bare."""
    text = _SPACES_AND_STARS.sub("", str(header or "")).lower()
    return HEADER_INDEX.get(_BRACKETED.sub("", text)) or HEADER_INDEX.get(_BRACKETS.sub("", text))


def header_fields(headers):
    """The fields a header row names (how `read_table` tells the header row and the sheet of an upload)."""
    return {field for field in map(field_for_header, headers) if field}


def column_help():
    """[(label, required, other accepted headers)] for the import page."""
    return [(label, field in REQUIRED, "、".join(SYNONYMS.get(field, []))) for field, (label, _) in FIELDS.items()]


def column_name(index, header):
    """How errors name a column: '所属区划（C列）', or 'C列' when the header cell is empty."""
    letter = get_column_letter(index + 1)
    header = " ".join(str(header or "").split())
    return f"{header}（{letter}列）" if header else f"{letter}列"


def map_rows(header_row, headers, body):
    """Turn `read_table` output into the service's rows: [(row_number, {field: text}, {field: column name})].

    Raises ApplicationError naming unknown, duplicated and missing columns (empty columns are ignored).
    """
    columns, errors = {}, []
    for index, header in enumerate(headers):
        field = field_for_header(header)
        name = column_name(index, header)
        if field is None:
            if normalize_header(header) in IGNORED_HEADERS or not any(
                index < len(row) and row[index] for _, row in body
            ):
                continue
            errors.append(
                {
                    "row": header_row,
                    "column": name,
                    "message": f"无法识别的列“{header}”：请改用导入模板中的列名，或删除该列。"
                    if header
                    else "该列没有表头但有数据：请补上列名或删除该列。",
                }
            )
        elif field in columns:
            errors.append(
                {
                    "row": header_row,
                    "column": name,
                    "message": f"与{columns[field][1]}都对应“{FIELDS[field][0]}”，只能保留一列。",
                }
            )
        else:
            columns[field] = (index, name)
    missing = [FIELDS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        errors.append(
            {
                "row": header_row,
                "column": "、".join(missing),
                "message": f"缺少必需的列：{'、'.join(missing)}。请使用导入模板。",
            }
        )
    if errors:
        raise ApplicationError(f"表头有误：共 {len(errors)} 处，未写入任何数据。", errors=errors)
    names = {field: name for field, (_, name) in columns.items()}
    positions = [(field, index) for field, (index, _) in columns.items()]
    rows = []
    for row_no, cells in body:
        width = len(cells)
        rows.append((row_no, {field: cells[index] if index < width else "" for field, index in positions}, names))
    return rows


def read_enterprise_rows(source, *, filename="", sheets=None):
    """Read an uploaded file (path, bytes or file object) into the service's rows; `sheets`, a list, is filled with
    the sheets read and left out (`read_table`)."""
    return map_rows(*read_table(source, filename=filename, columns=header_fields, sheets=sheets))


def import_file(*, actor, source, filename="", sheets=None):
    """Read, map and import in one go; returns the service's result or raises ApplicationError (`sheets`: as for
    `read_enterprise_rows`)."""
    name = filename or str(getattr(source, "name", "") or "")
    rows = read_enterprise_rows(source, filename=name, sheets=sheets)
    return enterprise_import(actor=actor, rows=rows, source_name=name)


# --- the other direction: template and export ---------------------------------------------------

HEADERS = [label for label, _ in FIELDS.values()]
WIDTHS = [22, 30, 16, 36, 14] + [12] * (len(FIELDS) - 5)


def sheet_values(enterprise):
    """One enterprise as a sheet row in FIELDS order. Phones are masked (138****5678): an export leaves the
    platform, the full numbers stay on the detail page. Everything else imports back unchanged."""
    values = []
    for field, (_, kind) in FIELDS.items():
        if field == "region":
            value = enterprise.region_id
        elif field == "industry":
            value = enterprise.industry.name
        elif kind == "bool":
            value = "是" if getattr(enterprise, field) else "否"
        elif kind.startswith("choice"):
            value = getattr(enterprise, f"get_{field}_display")() if getattr(enterprise, field) else ""
        elif kind.startswith("decimal"):
            number = getattr(enterprise, field)
            value = float(number) if number is not None else None
        elif kind == "phone":
            value = mask_phone(getattr(enterprise, field))
        else:
            value = getattr(enterprise, field)
        values.append(value)
    return values


def export_xlsx(queryset):
    """The rows of `queryset` as .xlsx bytes, headers as in the import template."""
    rows = (sheet_values(e) for e in queryset.select_related("industry").iterator(chunk_size=2000))
    return write_xlsx(HEADERS, rows, sheet_title="生产经营单位", widths=WIDTHS)


TEMPLATE_EXAMPLE = {
    "credit_code": "91500106MA5U7LXX6L",
    "name": "重庆示例化工有限公司",
    "region": "500106105002",
    "address": "重庆市沙坪坝区凤凰镇凤凰大道88号",
    "industry": "危险化学品",
    "economic_code": "C2614",
    "high_risk": "是",
    "directly_supervised": "否",
    "scale": "小型",
    "employees": 45,
    "principal": "张伟",
    "principal_phone": "13812345678",
    "controller": "张伟",
    "controller_phone": "13812345678",
    "safety_manager": "李强",
    "safety_manager_phone": "13987654321",
    "standard_grade": "三级",
    "liability_insurance": "是",
    "status": "在营",
    "longitude": 106.35,
    "latitude": 29.61,
    "remarks": "示例行，导入前请删除",
}


def template_xlsx():
    """The import template: the headers and one example row."""
    assert list(TEMPLATE_EXAMPLE) == list(FIELDS)
    return write_xlsx(HEADERS, [list(TEMPLATE_EXAMPLE.values())], sheet_title="生产经营单位", widths=WIDTHS)
