"""Per-kind context builders: read a hazard and return the placeholder values of a kind (strings).

The only module of this app that reads the hazard record. It also says which kinds a hazard's
current state allows (shown as buttons on the hazard page and checked again when issuing).
"""

from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.choices import DEADLINE_STATUSES, Status

from .choices import Kind


def cn_date(value):
    """2024年6月12日 (Arabic numerals, as GB/T 9704 wants for 成文日期)."""
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _sentence(text):
    """Text without a trailing full stop, so templates can end the sentence themselves."""
    return (text or "").strip().rstrip("。；;.")


# kind: (may the hazard have it now?, why not)
RULES = {
    Kind.RECTIFICATION_NOTICE: (lambda h: h.status in (Status.VERIFIED, Status.RECTIFYING),
                                "隐患核实后、申请销号前才能签发整改通知书"),
    Kind.LISTING_NOTICE: (lambda h: bool(h.listed_level) and h.status in DEADLINE_STATUSES,
                          "隐患挂牌督办后、销号前才能签发挂牌督办通知书"),
    Kind.SUPERVISION_LETTER: (lambda h: h.status in DEADLINE_STATUSES, "只能对尚未销号的已核实隐患发督办函"),
    Kind.INTERVIEW_NOTICE: (lambda h: h.status in DEADLINE_STATUSES, "只能对尚未销号的已核实隐患发约谈通知书"),
    Kind.EXTENSION_FORM: (lambda h: h.extensions.exists(), "该隐患没有延期申请，不能生成延期审批表"),
    Kind.CLOSURE_FORM: (lambda h: h.status in (Status.SUBMITTED, Status.CLOSED), "隐患申请销号或已销号后才能生成销号审批表"),
}


def available_kinds(hazard):
    """The kinds the hazard's current state allows, in menu order."""
    return [kind for kind in Kind if RULES[kind][0](hazard)]


def check_available(kind, hazard):
    allowed, reason = RULES[Kind(kind)]
    if not allowed(hazard):
        raise ApplicationError(f"{reason}（当前状态：{hazard.get_status_display()}）。", code="bad_state")


def _criteria(hazard):
    item = hazard.criteria_item
    if item is not None:
        standard = item.standard
        name = standard.name if standard.name.startswith("《") else f"《{standard.name}》"
        number = f"（{standard.doc_number}）" if standard.doc_number else ""
        return f"{name}{number}{item.number}“{_sentence(item.text)}”"
    return _sentence(hazard.criteria_other)


def _people(enterprise):
    if enterprise is None:
        return ""
    names = []
    if enterprise.principal:
        names.append(f"主要负责人{enterprise.principal}")
    if enterprise.controller and enterprise.controller != enterprise.principal:
        names.append(f"实际控制人{enterprise.controller}")
    return "、".join(names)


def hazard_fields(hazard, unit):
    """Values every kind shares."""
    subject = hazard.enterprise or hazard.place
    enterprise = hazard.enterprise
    days = hazard.days_overdue()
    return {
        "单位名称": subject.name if subject else "",
        "单位地址": getattr(subject, "address", "") or "",
        "主要负责人": enterprise.principal if enterprise else "",
        "实际控制人": enterprise.controller if enterprise else "",
        "隐患编号": hazard.number,
        "隐患描述": _sentence(hazard.description),
        "隐患部位": hazard.location,
        "隐患等级": hazard.get_level_display(),
        "隐患类别": hazard.get_category_display() if hazard.category else "",
        "发现日期": cn_date(hazard.found_date),
        "发现渠道": hazard.get_channel_display(),
        "所在区划": hazard.region.full_name,
        "行业领域": hazard.industry.name,
        "判定依据": _criteria(hazard),
        "整改期限": cn_date(hazard.deadline),
        "原定整改期限": cn_date(hazard.original_deadline),
        "整改责任人": hazard.responsible_person,
        "整改措施": _sentence(hazard.measures),
        "监管部门": hazard.supervising_unit.name if hazard.supervising_unit_id else unit.name,
        "逾期天数": str(days) if days else "",
    }


def _listing(hazard):
    return {
        "挂牌级别": hazard.get_listed_level_display() if hazard.listed_level else "",
        "挂牌单位": hazard.listed_unit.name if hazard.listed_unit_id else "",
        "挂牌日期": cn_date(hazard.listed_at),
    }


def _interview(hazard):
    return {"约谈对象": _people(hazard.enterprise)}


def _extension(hazard):
    extension = hazard.extensions.select_related("requested_by", "decided_by").first()
    if extension is None:
        return {}
    return {
        "延期前期限": cn_date(extension.old_deadline),
        "申请延至": cn_date(extension.new_deadline),
        "延期理由": _sentence(extension.reason),
        "申请人": extension.requested_by.display_name if extension.requested_by_id else "",
        "申请日期": cn_date(extension.requested_at),
        "审批结果": extension.get_status_display(),
        "审批意见": _sentence(extension.decision_note),
        "审批人": extension.decided_by.display_name if extension.decided_by_id else "",
        "审批日期": cn_date(extension.decided_at),
    }


def _closure(hazard):
    submit = hazard.events.filter(action="submit").order_by("at", "id").last()
    close = hazard.events.filter(action="close").order_by("at", "id").last()
    return {
        "整改完成日期": cn_date(hazard.rectified_date),
        "整改资金": f"{hazard.funds}元" if hazard.funds is not None else "",
        "申请销号日期": cn_date(submit.at) if submit else "",
        "审核意见": _sentence(close.note) if close else "",
        "审核人": close.actor_name if close else "",
        "销号日期": cn_date(hazard.closed_at),
    }


PER_KIND = {
    Kind.LISTING_NOTICE: _listing,
    Kind.INTERVIEW_NOTICE: _interview,
    Kind.EXTENSION_FORM: _extension,
    Kind.CLOSURE_FORM: _closure,
}


def build(kind, hazard, unit):
    """All placeholder values the hazard gives for `kind` (strings; '' when unknown)."""
    values = hazard_fields(hazard, unit)
    if kind in PER_KIND:
        values.update(PER_KIND[kind](hazard))
    return values


# Values the template editor's preview fills in.
SAMPLE = {
    "发文机关": "示例区安全生产委员会办公室", "发文字号": "示安办〔2026〕8号", "成文日期": "2026年3月2日",
    "单位名称": "示例化工有限公司", "单位地址": "示例镇工业园区1号", "主要负责人": "张三", "实际控制人": "李四",
    "隐患编号": "YH5001062026000012", "隐患描述": "粉尘爆炸危险场所电气设备不防爆", "隐患部位": "一号车间",
    "隐患等级": "重大隐患", "隐患类别": "物的不安全状态", "发现日期": "2026年2月10日", "发现渠道": "督导检查",
    "所在区划": "示例区示例镇", "行业领域": "危险化学品", "判定依据": "《工贸企业重大事故隐患判定标准》第十一条第（六）项",
    "整改期限": "2026年3月31日", "原定整改期限": "2026年3月10日", "整改责任人": "王五", "整改措施": "更换防爆电气设备",
    "监管部门": "示例镇应急办", "逾期天数": "7", "督办措施": "函告企业", "联系人": "赵六", "联系电话": "023-00000000",
    "挂牌级别": "区县挂牌", "挂牌单位": "示例区安全生产委员会办公室", "挂牌日期": "2026年2月20日",
    "约谈对象": "主要负责人张三、实际控制人李四", "约谈时间": "2026年3月9日上午9时", "约谈地点": "区应急管理局三楼会议室",
    "延期前期限": "2026年3月10日", "申请延至": "2026年3月31日", "延期理由": "防爆设备采购周期较长", "申请人": "王五",
    "申请日期": "2026年3月5日", "审批结果": "已批准", "审批意见": "同意延期", "审批人": "赵六", "审批日期": "2026年3月6日",
    "整改完成日期": "2026年3月28日", "整改资金": "20000.00元", "申请销号日期": "2026年3月29日", "审核意见": "经现场核查，同意销号",
    "审核人": "赵六", "销号日期": "2026年3月30日",
}
