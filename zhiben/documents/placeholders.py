"""Placeholders such as {{单位名称}} in document templates: which ones a kind offers, checking, filling.

A template may use only the placeholders of its kind (the kind's `placeholders`, registered by its
module, plus the three the issuing service sets); anything else is refused with a Chinese message
naming it, both when an administrator saves the template and when a document is rendered.
"""

import re

from zhiben.core.exceptions import ApplicationError

TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
BLANK = "＿＿＿＿＿＿"  # a missing value prints as a line to fill in by hand
TABLE_SEPARATORS = ("｜", "|")

# Set by the issuing service itself for every kind; callers cannot override them through `extra`.
COMMON = {
    "发文机关": "签发单位名称",
    "发文字号": "如 凤安办〔2024〕12号（签发时编号）",
    "成文日期": "如 2024年6月12日",
}
SYSTEM = frozenset(COMMON)


def allowed(kind):
    """{name: description} of the placeholders a template of `kind` may use.

    A kind lists its placeholders as names or (name, description) pairs."""
    names = dict(COMMON)
    for item in kind.placeholders:
        name, description = (item, "") if isinstance(item, str) else (item[0], item[1] if len(item) > 1 else "")
        names[name] = description
    return names


def names_in(text):
    return [m.group(1) for m in TOKEN.finditer(text or "")]


def table_rows(text):
    """Parse a table template: one row per line, "栏目｜内容". Returns [(label, value)] or raises."""
    rows = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        for sep in TABLE_SEPARATORS:
            if sep in line:
                label, value = line.split(sep, 1)
                break
        else:
            raise ApplicationError(
                f"表格第 {n} 行“{line.strip()[:20]}”应写作“栏目｜内容”。",
                errors=[{"field": "table", "message": f"第 {n} 行缺少“｜”。"}],
            )
        if not label.strip():
            raise ApplicationError(
                f"表格第 {n} 行缺少栏目名称。", errors=[{"field": "table", "message": f"第 {n} 行缺少栏目名称。"}]
            )
        rows.append((label.strip(), value.strip()))
    return rows


PARTS = {"title": "标题", "body": "正文", "table": "表格"}


def check(kind, *, title="", body="", table=""):
    """Raise ApplicationError naming the first unknown or malformed placeholder (per template part)."""
    names = allowed(kind)
    errors = []
    for part, text in (("title", title), ("body", body), ("table", table)):
        for name in names_in(text):
            if name not in names:
                errors.append(
                    {"field": part, "message": f"{PARTS[part]}中的占位符“{{{{{name}}}}}”不是“{kind.label}”可用的字段。"}
                )
        rest = TOKEN.sub("", text or "")
        if "{{" in rest or "}}" in rest:
            errors.append({"field": part, "message": f"{PARTS[part]}中有不完整的占位符：“{{{{”与“}}}}”须成对出现。"})
    if kind.form and not (table or "").strip():
        errors.append({"field": "table", "message": f"“{kind.label}”须有表格内容。"})
    if not (title or "").strip():
        errors.append({"field": "title", "message": "请填写标题。"})
    if errors:
        raise ApplicationError(
            "模板有误：" + "；".join(e["message"] for e in errors) + " 可用的占位符见右侧列表。",
            errors=errors,
            code="bad_template",
        )
    if table:
        table_rows(table)


def check_values(kind, values):
    """Refuse caller-supplied values for placeholders the kind does not have (or the service sets)."""
    names = allowed(kind)
    for name in values:
        if name in SYSTEM or name not in names:
            raise ApplicationError(f"字段“{name}”不是“{kind.label}”可填写的内容。", code="bad_template")


def fill(text, values):
    """Replace each {{name}} with its value; an empty value prints as a line to fill in by hand."""

    def value(match):
        v = values.get(match.group(1))
        v = "" if v is None else str(v).strip()
        return v or BLANK

    return TOKEN.sub(value, text or "")
