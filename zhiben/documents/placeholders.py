"""Placeholders such as {{单位名称}} in document templates: which ones each kind offers, checking, filling.

A template may use only the placeholders of its kind; anything else is refused with a Chinese message
naming it, both when an administrator saves the template and when a document is rendered.
"""

import re

from zhiben.core.exceptions import ApplicationError

from .choices import FORM_KINDS, Kind

TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
BLANK = "＿＿＿＿＿＿"  # a missing value prints as a line to fill in by hand
TABLE_SEPARATORS = ("｜", "|")

# name: what it holds (shown to administrators next to the template editor)
COMMON = {
    "发文机关": "签发单位名称",
    "发文字号": "如 凤安办〔2024〕12号（签发时编号）",
    "成文日期": "如 2024年6月12日",
    "单位名称": "主送的生产经营单位（或场所）名称",
    "单位地址": "生产经营单位（或场所）地址",
    "主要负责人": "生产经营单位主要负责人",
    "实际控制人": "生产经营单位实际控制人",
    "隐患编号": "隐患编号",
    "隐患描述": "隐患描述",
    "隐患部位": "隐患部位",
    "隐患等级": "一般隐患/重大隐患",
    "隐患类别": "人的不安全行为/物的不安全状态/管理缺陷/环境因素",
    "发现日期": "发现日期",
    "发现渠道": "如 督导检查、群众举报",
    "所在区划": "隐患所在区划全称",
    "行业领域": "监管行业领域",
    "判定依据": "重大隐患判定标准条款或认定理由",
    "整改期限": "现整改期限（含已批准的延期）",
    "原定整改期限": "最初确定的整改期限",
    "整改责任人": "整改责任人",
    "整改措施": "整改措施",
    "监管部门": "负责监管该隐患的部门",
    "逾期天数": "已逾期天数",
    "督办措施": "督办升级采取的措施，如 函告企业",
    "联系人": "签发单位联系人",
    "联系电话": "签发单位联系电话",
}
PER_KIND = {
    Kind.RECTIFICATION_NOTICE: {},
    Kind.SUPERVISION_LETTER: {},
    Kind.LISTING_NOTICE: {"挂牌级别": "镇街挂牌/区县挂牌/市级挂牌", "挂牌单位": "挂牌督办单位", "挂牌日期": "挂牌日期"},
    Kind.INTERVIEW_NOTICE: {"约谈对象": "如 主要负责人张三、实际控制人李四", "约谈时间": "约谈时间", "约谈地点": "约谈地点"},
    Kind.EXTENSION_FORM: {
        "延期前期限": "申请延期时的整改期限", "申请延至": "申请延长至的日期", "延期理由": "延期理由", "申请人": "申请人",
        "申请日期": "申请日期", "审批结果": "待审批/已批准/不予批准", "审批意见": "审批意见", "审批人": "审批人", "审批日期": "审批日期",
    },
    Kind.CLOSURE_FORM: {
        "整改完成日期": "整改完成日期", "整改资金": "整改资金（元）", "申请销号日期": "申请销号日期", "审核意见": "销号审核意见",
        "审核人": "销号审核人", "销号日期": "销号日期",
    },
}
# Set by the issuing service itself; callers cannot override them through `extra`.
SYSTEM = frozenset({"发文机关", "发文字号", "成文日期"})


def allowed(kind):
    """{name: description} of the placeholders a template of `kind` may use."""
    return {**COMMON, **PER_KIND[Kind(kind)]}


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
            raise ApplicationError(f"表格第 {n} 行“{line.strip()[:20]}”应写作“栏目｜内容”。", errors=[{"field": "table", "message": f"第 {n} 行缺少“｜”。"}])
        if not label.strip():
            raise ApplicationError(f"表格第 {n} 行缺少栏目名称。", errors=[{"field": "table", "message": f"第 {n} 行缺少栏目名称。"}])
        rows.append((label.strip(), value.strip()))
    return rows


PARTS = {"title": "标题", "body": "正文", "table": "表格"}


def check(kind, *, title="", body="", table=""):
    """Raise ApplicationError naming the first unknown or malformed placeholder (per template part)."""
    kind = Kind(kind)
    names = allowed(kind)
    errors = []
    for part, text in (("title", title), ("body", body), ("table", table)):
        for name in names_in(text):
            if name not in names:
                errors.append({"field": part, "message": f"{PARTS[part]}中的占位符“{{{{{name}}}}}”不是“{kind.label}”可用的字段。"})
        rest = TOKEN.sub("", text or "")
        if "{{" in rest or "}}" in rest:
            errors.append({"field": part, "message": f"{PARTS[part]}中有不完整的占位符：“{{{{”与“}}}}”须成对出现。"})
    if kind in FORM_KINDS and not (table or "").strip():
        errors.append({"field": "table", "message": f"“{kind.label}”须有表格内容。"})
    if not (title or "").strip():
        errors.append({"field": "title", "message": "请填写标题。"})
    if errors:
        raise ApplicationError("模板有误：" + "；".join(e["message"] for e in errors) + " 可用的占位符见右侧列表。", errors=errors, code="bad_template")
    if table:
        table_rows(table)


def check_values(kind, values):
    """Refuse caller-supplied values for placeholders the kind does not have (or the service sets)."""
    names = allowed(kind)
    for name in values:
        if name in SYSTEM or name not in names:
            raise ApplicationError(f"字段“{name}”不是“{Kind(kind).label}”可填写的内容。", code="bad_template")


def fill(text, values):
    """Replace each {{name}} with its value; an empty value prints as a line to fill in by hand."""
    def value(match):
        v = values.get(match.group(1))
        v = "" if v is None else str(v).strip()
        return v or BLANK

    return TOKEN.sub(value, text or "")
