"""The inspections module's document: 现场检查记录, issued about an inspection (registered in hooks.py).
The key string is stored in documents and templates: never rename it."""

from zhiben.core.registry import DocumentKind
from zhiben.documents.builders import cn_date

from .choices import Result, Status
from .models import Inspection

SUBJECT_MODEL = "inspections.inspection"


def get_inspection(pk, user):
    qs = Inspection.objects.all() if user is None else Inspection.objects.for_user(user)
    return qs.select_related("enterprise", "place", "region", "unit").filter(pk=pk).first()


def _people(inspection):
    names = []
    for user in inspection.inspectors.all():
        numbers = [c.number for c in user.credentials.all()]
        names.append(f"{user.display_name}（执法证号{numbers[0]}）" if numbers else user.display_name)
    return "、".join(names)


def build(inspection, unit):
    subject = inspection.subject
    enterprise = inspection.enterprise
    items = list(inspection.items.all())
    failed = [i for i in items if i.result == Result.FAIL]
    lines = [f"{n}. {i.text}：{i.note}" if i.note else f"{n}. {i.text}" for n, i in enumerate(failed, start=1)]
    return {
        "单位名称": subject.name if subject else "",
        "单位地址": getattr(subject, "address", "") or "",
        "主要负责人": enterprise.principal if enterprise else "",
        "检查编号": inspection.number,
        "检查类型": inspection.get_kind_display() + ("（四不两直）" if inspection.unannounced else ""),
        "检查日期": cn_date(inspection.date or inspection.planned_date),
        "检查单位": inspection.unit.name,
        "检查人员": _people(inspection),
        "专家": "、".join(e.name for e in inspection.experts.all()) or "无",
        "检查项数": str(len(items)),
        "不符合项数": str(len(failed)),
        "检查情况": inspection.summary or ("未发现问题。" if not failed else f"发现 {len(failed)} 项不符合。"),
        "发现的问题": "；".join(lines) or "无",
        "检查内容及结果": "；".join(
            f"{n}. {i.text}（{i.get_result_display() or '未填写'}）" for n, i in enumerate(items, start=1)
        )
        or "未使用检查表",
    }


PLACEHOLDERS = (
    "单位名称",
    "单位地址",
    "主要负责人",
    "检查编号",
    "检查类型",
    "检查日期",
    "检查单位",
    "检查人员",
    "专家",
    "检查项数",
    "不符合项数",
    "检查情况",
    "检查内容及结果",
    "发现的问题",
)
TEMPLATE = {
    "title": "现场检查记录",
    "body": "检查人员出示了执法证件，告知了检查事项和被检查单位的权利义务。被检查单位现场负责人签字：",
    "table": "\n".join(
        [
            "被检查单位｜{{单位名称}}",
            "地址｜{{单位地址}}",
            "主要负责人｜{{主要负责人}}",
            "检查编号｜{{检查编号}}",
            "检查类型｜{{检查类型}}",
            "检查时间｜{{检查日期}}",
            "检查单位｜{{检查单位}}",
            "检查人员｜{{检查人员}}",
            "参加专家｜{{专家}}",
            "检查情况｜共检查 {{检查项数}} 项，不符合 {{不符合项数}} 项。{{检查情况}}",
            "检查内容及结果｜{{检查内容及结果}}",
            "发现的问题｜{{发现的问题}}",
        ]
    ),
}
SAMPLE = {
    "单位名称": "示例化工有限公司",
    "单位地址": "示例区示例镇工业园1号",
    "主要负责人": "张三",
    "检查编号": "JC5001062026000001",
    "检查类型": "执法检查",
    "检查日期": "2026年3月2日",
    "检查单位": "示例区应急管理局",
    "检查人员": "李四（执法证号500106001）、王五（执法证号500106002）",
    "专家": "赵六",
    "检查项数": "12",
    "不符合项数": "1",
    "检查情况": "发现 1 项不符合。",
    "检查内容及结果": "1. 危化品仓库分类存放（不符合）；2. 安全出口畅通（符合）",
    "发现的问题": "1. 危化品仓库未分类存放：甲类与乙类混存",
}


def available(inspection):
    if inspection.status not in (Status.IN_PROGRESS, Status.COMPLETED):
        return "检查开始后才能出具现场检查记录"
    return None


DOCUMENT_KINDS = [
    DocumentKind(
        key="site_inspection_record",
        label="现场检查记录",
        subject_model=SUBJECT_MODEL,
        get_subject=get_inspection,
        build=build,
        available=available,
        placeholders=PLACEHOLDERS,
        template=TEMPLATE,
        sample=SAMPLE,
        addressee=lambda inspection: str(inspection.subject),
        region_code=lambda inspection: inspection.region_id,
        enterprise=lambda inspection: inspection.enterprise,
        industry=lambda inspection: inspection.industry_id,
        form=True,
        order=110,
    )
]
