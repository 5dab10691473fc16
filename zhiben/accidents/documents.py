"""The accidents module's documents (registered in hooks.py): 生产安全事故快报 (the written report up the chain)
and 事故调查报告批复. Key strings are stored: never rename them."""

from django.utils import timezone

from zhiben.core.registry import DocumentKind
from zhiben.documents.builders import cn_date

from .choices import Status
from .models import Accident


def _get(pk, user):
    qs = Accident.objects.all() if user is None else Accident.objects.for_user(user)
    return qs.select_related("region", "industry", "enterprise").filter(pk=pk).first()


def _when(value):
    local = timezone.localtime(value)
    return f"{cn_date(local.date())}{local:%H时%M分}"


def fields(accident, unit):
    investigation = getattr(accident, "investigation", None)
    return {
        "事故编号": accident.number,
        "事故单位": accident.subject_name,
        "发生时间": _when(accident.occurred_at),
        "发生地点": f"{accident.region.name}{accident.address}",
        "行业领域": accident.industry.name,
        "事故类别": accident.get_type_display(),
        "伤亡情况": accident.casualties,
        "直接经济损失": f"{accident.direct_loss:,.2f}元" if accident.direct_loss else "正在核实",
        "事故等级": accident.get_grade_display(),
        "事故经过": accident.account,
        "事故原因": investigation.causes if investigation else "",
        "批复文号": investigation.approval_number if investigation else "",
        "调查组牵头单位": investigation.lead_unit if investigation else "",
    }


PLACEHOLDERS = (
    "事故编号",
    "事故单位",
    "发生时间",
    "发生地点",
    "行业领域",
    "事故类别",
    "伤亡情况",
    "直接经济损失",
    "事故等级",
)
PLACEHOLDERS += ("事故经过", "事故原因", "批复文号", "调查组牵头单位")
SAMPLE = {
    "事故编号": "SG50010620260001",
    "事故单位": "示例建材有限公司",
    "发生时间": "2026年3月2日10时15分",
    "发生地点": "示例镇工业园2号厂房",
    "行业领域": "建材",
    "事故类别": "机械伤害",
    "伤亡情况": "死亡1人",
    "直接经济损失": "1,200,000.00元",
    "事故等级": "一般事故",
    "事故经过": "一名员工在清理破碎机时未停机断电，被卷入死亡。",
    "事故原因": "违章作业，未执行停机断电挂牌制度；企业安全培训不到位。",
    "批复文号": "沙府批〔2026〕8号",
    "调查组牵头单位": "沙坪坝区应急管理局",
}


def _approval_available(accident):
    if accident.status not in (Status.APPROVED, Status.CLOSED):
        return "调查报告批复后才能出具批复文书。"
    return None


DOCUMENT_KINDS = [
    DocumentKind(
        key="accident_express",
        label="生产安全事故快报",
        subject_model="accidents.accident",
        get_subject=_get,
        build=fields,
        available=lambda accident: None,
        placeholders=PLACEHOLDERS,
        template={
            "title": "生产安全事故快报",
            "body": "{{发生时间}}，{{事故单位}}在{{发生地点}}发生一起{{事故类别}}事故，{{伤亡情况}}，"
            "直接经济损失{{直接经济损失}}，初步认定为{{事故等级}}（行业领域：{{行业领域}}）。\n"
            "事故简要经过：{{事故经过}}\n现场救援和善后处置正在进行，有关情况将及时续报。（事故编号：{{事故编号}}）",
            "table": "",
        },
        sample=SAMPLE,
        addressee=lambda accident: "上级人民政府应急管理部门",
        region_code=lambda accident: accident.region_id,
        enterprise=lambda accident: accident.enterprise,
        industry=lambda accident: accident.industry_id,
        order=160,
    ),
    DocumentKind(
        key="accident_approval",
        label="事故调查报告批复",
        subject_model="accidents.accident",
        get_subject=_get,
        build=fields,
        available=_approval_available,
        placeholders=PLACEHOLDERS,
        template={
            "title": "关于{{事故单位}}“{{事故编号}}”{{事故类别}}事故调查报告的批复",
            "body": "你单位牵头的事故调查组报送的{{事故单位}}{{发生时间}}{{事故类别}}事故调查报告收悉。经研究，批复如下：\n"
            "一、同意事故调查报告对事故原因的分析和性质的认定。事故原因：{{事故原因}}\n"
            "二、同意调查报告对事故责任者的处理建议，请有关单位依法依规落实处理，并将落实情况按时报送。\n"
            "三、事故单位和有关部门要认真落实调查报告提出的整改措施，做到“四不放过”，举一反三，防止同类事故再次发生。",
            "table": "",
        },
        sample=SAMPLE,
        addressee=lambda accident: accident.investigation.lead_unit if hasattr(accident, "investigation") else "",
        region_code=lambda accident: accident.region_id,
        enterprise=lambda accident: accident.enterprise,
        industry=lambda accident: accident.industry_id,
        order=161,
    ),
]
