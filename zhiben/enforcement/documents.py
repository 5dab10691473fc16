"""The enforcement module's documents (registered in hooks.py): 责令限期整改指令书 and 整改复查意见书 about an
order, 行政处罚告知书 and 行政处罚决定书 about a case. Key strings are stored: never rename them."""

from zhiben.core.registry import DocumentKind
from zhiben.documents.builders import cn_date, sentence

from .choices import CaseStatus
from .models import EnforcementCase, RectificationOrder


def _getter(model):
    def get(pk, user):
        qs = model.objects.all() if user is None else model.objects.for_user(user)
        return qs.select_related("enterprise", "unit", "region").filter(pk=pk).first()

    return get


def _enterprise_fields(obj):
    e = obj.enterprise
    return {"单位名称": e.name, "单位地址": e.address, "主要负责人": e.principal, "统一社会信用代码": e.credit_code}


def order_fields(order, unit):
    return {
        **_enterprise_fields(order),
        "指令编号": order.number,
        "存在的问题": order.items,
        "整改期限": cn_date(order.deadline),
        "复查日期": cn_date(order.reviewed_on) if order.reviewed_on else "",
        "复查意见": order.review_opinion,
        "复查结论": order.review_conclusion,
    }


def case_fields(case, unit):
    return {
        **_enterprise_fields(case),
        "案件编号": case.number,
        "违法事实": sentence(case.violation),
        "法律依据": sentence(case.legal_basis) if case.legal_basis else "",
        "处罚措施": case.measure_labels or "（拟定）",
        "罚款金额": f"{case.fine_text}元" if case.fine else "无",
        "决定书文号": case.decision_number,
        "决定日期": cn_date(case.decision_date) if case.decision_date else "",
    }


ENTERPRISE = ("单位名称", "单位地址", "主要负责人", "统一社会信用代码")
ORDER_PLACEHOLDERS = (*ENTERPRISE, "指令编号", "存在的问题", "整改期限", "复查日期", "复查意见", "复查结论")
CASE_PLACEHOLDERS = (*ENTERPRISE, "案件编号", "违法事实", "法律依据", "处罚措施", "罚款金额", "决定书文号", "决定日期")
SAMPLE = {
    "单位名称": "示例化工有限公司",
    "单位地址": "示例区示例镇工业园1号",
    "主要负责人": "张三",
    "统一社会信用代码": "91500106MA00000000",
    "指令编号": "ZL500106202600001",
    "存在的问题": "1. 危化品仓库未分类存放",
    "整改期限": "2026年3月20日",
    "复查日期": "2026年3月21日",
    "复查意见": "已按要求分类存放，整改到位。",
    "复查结论": "复查合格",
    "案件编号": "AJ500106202600001",
    "违法事实": "未按规定对重大危险源进行监测监控。",
    "法律依据": "《中华人民共和国安全生产法》第一百零一条。",
    "处罚措施": "罚款",
    "罚款金额": "50,000.00元",
    "决定书文号": "沙应急罚〔2026〕12号",
    "决定日期": "2026年3月2日",
}

TEMPLATES = {
    "rectification_order": {
        "title": "责令限期整改指令书",
        "body": "经查，你单位存在下列问题：\n{{存在的问题}}\n"
        "现责令你单位于{{整改期限}}前整改完毕，达到有关法律法规规章和标准规定的要求。"
        "整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。\n（指令编号：{{指令编号}}）",
        "table": "",
    },
    "review_opinion": {
        "title": "整改复查意见书",
        "body": "本机关于{{复查日期}}对你单位执行责令限期整改指令（{{指令编号}}）的情况进行了复查，"
        "复查结论：{{复查结论}}。\n复查意见：{{复查意见}}",
        "table": "",
    },
    "penalty_notice": {
        "title": "行政处罚告知书",
        "body": "经查，{{违法事实}}以上事实违反了{{法律依据}}"
        "依据有关规定，本机关拟对你单位作出{{处罚措施}}（罚款金额：{{罚款金额}}）的行政处罚。\n"
        "依据《中华人民共和国行政处罚法》的规定，你单位可在收到本告知书之日起五日内向本机关进行陈述和申辩；"
        "符合听证条件的，可要求举行听证。逾期不提出的，视为放弃上述权利。\n（案件编号：{{案件编号}}）",
        "table": "",
    },
    "penalty_decision": {
        "title": "行政处罚决定书",
        "body": "经查，{{违法事实}}以上事实违反了{{法律依据}}"
        "本机关决定对你单位给予以下行政处罚：{{处罚措施}}，罚款金额：{{罚款金额}}。\n"
        "罚款限于收到本决定书之日起十五日内缴至指定银行。逾期不缴纳的，每日按罚款数额的百分之三加处罚款。\n"
        "如不服本决定，可以依法申请行政复议或者提起行政诉讼。\n（决定书文号：{{决定书文号}}；案件编号：{{案件编号}}）",
        "table": "",
    },
}


def _addressee(obj):
    """主送: the enterprise, with its credit code (a decision names the party exactly)."""
    e = obj.enterprise
    return f"{e.name}（统一社会信用代码：{e.credit_code}）" if e.credit_code else e.name


def _kind(key, label, model, fields, placeholders, available, order):
    return DocumentKind(
        key=key,
        label=label,
        subject_model=f"enforcement.{model.__name__.lower()}",
        get_subject=_getter(model),
        build=fields,
        available=available,
        placeholders=placeholders,
        template=TEMPLATES[key],
        sample=SAMPLE,
        addressee=_addressee,
        region_code=lambda obj: obj.region_id,
        enterprise=lambda obj: obj.enterprise,
        industry=lambda obj: obj.industry_id,
        order=order,
    )


DOCUMENT_KINDS = [
    _kind(
        "rectification_order",
        "责令限期整改指令书",
        RectificationOrder,
        order_fields,
        ORDER_PLACEHOLDERS,
        lambda o: None,
        120,
    ),
    _kind(
        "review_opinion",
        "整改复查意见书",
        RectificationOrder,
        order_fields,
        ORDER_PLACEHOLDERS,
        lambda o: None if o.reviewed_on else "复查后才能出具整改复查意见书",
        130,
    ),
    _kind(
        "penalty_notice",
        "行政处罚告知书",
        EnforcementCase,
        case_fields,
        CASE_PLACEHOLDERS,
        lambda c: None if c.status in (CaseStatus.FILED, CaseStatus.NOTIFIED) else "案件已作出决定或已撤销，不再告知",
        140,
    ),
    _kind(
        "penalty_decision",
        "行政处罚决定书",
        EnforcementCase,
        case_fields,
        CASE_PLACEHOLDERS,
        lambda c: (
            None
            if c.status in (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED) and c.decision_number
            else "作出处罚决定（有决定书文号）后才能出具行政处罚决定书"
        ),
        150,
    ),
]
