"""A campaign's extra ledger columns: their definition checked when the 安委办 saves the campaign, the
values of each check checked against them, and how a value is shown and exported.

A column is {key, label, type: text/number/bool/choice, choices, required, problem} (see presets.py).
"""

import re
from decimal import Decimal, InvalidOperation

from .choices import ColumnType

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIXED_HEADERS = ("序号", "对象名称", "所在区划", "检查日期", "检查单位", "检查人", "发现隐患数", "已整改销号数", "备注")
TRUE_WORDS = {"1", "true", "yes", "y", "on", "是", "有", "√", "✓", "存在"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "否", "无", "×", "✗", "不存在"}
MAX_COLUMNS = 30
MAX_TEXT = 1000


def _split_choices(value):
    if isinstance(value, str):
        value = re.split(r"[、,，;；\n]", value)
    return [str(v).strip() for v in (value or []) if str(v).strip()]


def clean_columns(columns, *, used=None):
    """(columns as stored, [(field, message)]) for a list of column dicts. Keys are given or made
    from the position; labels are unique and must not repeat a fixed ledger header. `used` maps the
    keys existing checks hold values for to their type: those columns may be relabelled, not removed
    or retyped (the ledger would lose or misread what was recorded)."""
    errors, cleaned, keys, labels = [], [], set(), set()
    if not isinstance(columns, list):
        return [], [("columns", "台账自定义列格式不正确。")]
    if len(columns) > MAX_COLUMNS:
        errors.append(("columns", f"台账自定义列最多 {MAX_COLUMNS} 列。"))
    for number, raw in enumerate(columns, start=1):
        if not isinstance(raw, dict):
            errors.append(("columns", f"第{number}列格式不正确。"))
            continue
        label = str(raw.get("label") or "").strip()[:40]
        if not label:
            errors.append(("columns", f"第{number}列缺少列名。"))
            continue
        key = str(raw.get("key") or "").strip()
        if key and not KEY_RE.match(key):
            errors.append(("columns", f"列“{label}”的标识“{key}”无效：只能用小写字母、数字和下划线，以字母开头。"))
            continue
        kind = str(raw.get("type") or ColumnType.TEXT)
        if kind not in ColumnType.values:
            errors.append(("columns", f"列“{label}”的类型“{kind}”无效，应为文本、数字、是/否或选项。"))
            continue
        choices = _split_choices(raw.get("choices")) if kind == ColumnType.CHOICE else []
        if kind == ColumnType.CHOICE and len(choices) < 2:
            errors.append(("columns", f"选项列“{label}”至少需要两个选项（以顿号分隔）。"))
        if len(set(choices)) != len(choices):
            errors.append(("columns", f"选项列“{label}”的选项有重复。"))
        if label in FIXED_HEADERS:
            errors.append(("columns", f"列名“{label}”与台账固定列重复，请换一个名称。"))
        if label in labels:
            errors.append(("columns", f"列名“{label}”重复。"))
        if key and key in keys:
            errors.append(("columns", f"列标识“{key}”重复。"))
        labels.add(label)
        if key:
            keys.add(key)
        cleaned.append(
            {
                "key": key,
                "label": label,
                "type": kind,
                "choices": choices,
                "required": _truthy(raw.get("required")),
                "problem": _truthy(raw.get("problem")) and kind in (ColumnType.BOOL, ColumnType.TEXT),
            }
        )
    serial = 1
    for column in cleaned:  # new columns get the first free "colN"
        if not column["key"]:
            while f"col{serial}" in keys:
                serial += 1
            column["key"] = f"col{serial}"
            keys.add(column["key"])
    for key, kind in (used or {}).items():
        column = next((c for c in cleaned if c["key"] == key), None)
        if column is None:
            errors.append(("columns", f"列“{key}”已有检查记录填写，不能删除。"))
        elif column["type"] != kind:
            errors.append(("columns", f"列“{column['label']}”已有检查记录填写，不能更改类型。"))
    return cleaned, errors


def _truthy(value):
    return value is True or str(value).strip().lower() in TRUE_WORDS


def parse_bool(value):
    """True, False, or None (not answered); ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(text)


def parse_values(columns, raw):
    """({key: value}, [(field, message)]) of the extra column values `raw` (texts from a form, an
    import row or the API). Empty values are left out; required columns must be given."""
    raw = raw or {}
    values, errors = {}, []
    for column in columns:
        key, label, kind = column["key"], column["label"], column["type"]
        value = raw.get(key)
        if isinstance(value, str):
            value = value.strip()
        field = f"col_{key}"
        if value is None or value == "":
            if column.get("required"):
                errors.append((field, f"“{label}”为必填项。"))
            continue
        if kind == ColumnType.NUMBER:
            try:
                number = Decimal(str(value).replace(",", ""))
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append((field, f"“{label}”应填写数字，填写的是“{value}”。"))
                continue
            values[key] = int(number) if number == number.to_integral_value() else float(number)
        elif kind == ColumnType.BOOL:
            try:
                values[key] = parse_bool(value)
            except ValueError:
                errors.append((field, f"“{label}”应填写“是”或“否”，填写的是“{value}”。"))
        elif kind == ColumnType.CHOICE:
            if str(value) not in column["choices"]:
                errors.append((field, f"“{label}”的值“{value}”不在可选项（{'、'.join(column['choices'])}）中。"))
                continue
            values[key] = str(value)
        else:
            values[key] = str(value)[:MAX_TEXT]
    return values, errors


def problem_description(columns, values):
    """The problem the extra columns record, as a hazard description, or "" when none: the 是 answers
    of the problem bool columns, and the text of the problem text columns."""
    flagged = [
        c["label"] for c in columns if c.get("problem") and c["type"] == ColumnType.BOOL and values.get(c["key"])
    ]
    texts = [
        str(values[c["key"]]).strip()
        for c in columns
        if c.get("problem") and c["type"] == ColumnType.TEXT and str(values.get(c["key"]) or "").strip()
    ]
    if texts:
        text = "；".join(texts)
        return f"{text}（{'、'.join(flagged)}）" if flagged else text
    if flagged:
        return "专项检查发现：" + "、".join(flagged)
    return ""


def display(column, value):
    """A stored value as the ledger shows it (bool as 是/否, numbers as they are)."""
    if value is None or value == "":
        return ""
    if column["type"] == ColumnType.BOOL:
        return "是" if value else "否"
    return value
