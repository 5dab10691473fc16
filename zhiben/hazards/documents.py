"""The hazards module's official documents (公文): six kinds issued about a hazard.

Registered with the platform in `hooks.py` (`register(*DOCUMENT_KINDS)`); the documents app numbers,
renders, stores and lists them without knowing hazards. Each kind gives: the placeholder values a
hazard provides (`build`), when the hazard's state allows it (`available`), the placeholders its
templates may use, what the issuer types in, the national default wording and the preview sample.
The key strings are stored in documents, templates and escalation ladders: never rename them.
"""

from django.db import models

from zhiben.core.registry import DocumentKind
from zhiben.documents.builders import cn_date, sentence

from .choices import DEADLINE_STATUSES, OVERDUE_STATUSES, Status
from .models import Hazard


class Kind(models.TextChoices):
    RECTIFICATION_NOTICE = "rectification_notice", "隐患整改通知书"
    LISTING_NOTICE = "listing_notice", "重大事故隐患挂牌督办通知书"
    SUPERVISION_LETTER = "supervision_letter", "督办函（函告）"
    INTERVIEW_NOTICE = "interview_notice", "约谈通知书"
    EXTENSION_FORM = "extension_form", "事故隐患延期整改审批表"
    CLOSURE_FORM = "closure_form", "事故隐患整改销号审批表"


SUBJECT_MODEL = "hazards.hazard"


# ---------------------------------------------------------------- reading the hazard


def get_hazard(pk, user):
    """The hazard `pk` as `user` may see it (None: the system sees all), with what the builders read; or None."""
    qs = Hazard.objects.all() if user is None else Hazard.objects.for_user(user)
    return (
        qs.select_related(
            "enterprise", "place", "region", "industry", "supervising_unit", "listed_unit", "criteria_item__standard"
        )
        .filter(pk=pk)
        .first()
    )


def _criteria(hazard):
    item = hazard.criteria_item
    if item is not None:
        standard = item.standard
        name = standard.name if standard.name.startswith("《") else f"《{standard.name}》"
        number = f"（{standard.doc_number}）" if standard.doc_number else ""
        return f"{name}{number}{item.number}“{sentence(item.text)}”"
    return sentence(hazard.criteria_other)


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
    """Values every hazard kind shares."""
    subject = hazard.enterprise or hazard.place
    enterprise = hazard.enterprise
    days = hazard.days_overdue()
    return {
        "单位名称": subject.name if subject else "",
        "单位地址": getattr(subject, "address", "") or "",
        "主要负责人": enterprise.principal if enterprise else "",
        "实际控制人": enterprise.controller if enterprise else "",
        "隐患编号": hazard.number,
        "隐患描述": sentence(hazard.description),
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
        "整改措施": sentence(hazard.measures),
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
        "延期理由": sentence(extension.reason),
        "申请人": extension.requested_by.display_name if extension.requested_by_id else "",
        "申请日期": cn_date(extension.requested_at),
        "审批结果": extension.get_status_display(),
        "审批意见": sentence(extension.decision_note),
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
        "审核意见": sentence(close.note) if close else "",
        "审核人": close.actor_name if close else "",
        "销号日期": cn_date(hazard.closed_at),
    }


def addressee(hazard):
    """主送: the enterprise (or, for a hazard of a public place, the place)."""
    subject = hazard.enterprise or hazard.place
    return subject.name if subject else ""


# ---------------------------------------------------------------- placeholders, inputs, wording

# name, what it holds (shown to administrators next to the template editor)
PLACEHOLDERS = (
    ("单位名称", "主送的生产经营单位（或场所）名称"),
    ("单位地址", "生产经营单位（或场所）地址"),
    ("主要负责人", "生产经营单位主要负责人"),
    ("实际控制人", "生产经营单位实际控制人"),
    ("隐患编号", "隐患编号"),
    ("隐患描述", "隐患描述"),
    ("隐患部位", "隐患部位"),
    ("隐患等级", "一般隐患/重大隐患"),
    ("隐患类别", "人的不安全行为/物的不安全状态/管理缺陷/环境因素"),
    ("发现日期", "发现日期"),
    ("发现渠道", "如 督导检查、群众举报"),
    ("所在区划", "隐患所在区划全称"),
    ("行业领域", "监管行业领域"),
    ("判定依据", "重大隐患判定标准条款或认定理由"),
    ("整改期限", "现整改期限（含已批准的延期）"),
    ("原定整改期限", "最初确定的整改期限"),
    ("整改责任人", "整改责任人"),
    ("整改措施", "整改措施"),
    ("监管部门", "负责监管该隐患的部门"),
    ("逾期天数", "已逾期天数"),
    ("督办措施", "督办升级采取的措施，如 函告企业"),
    ("联系人", "签发单位联系人"),
    ("联系电话", "签发单位联系电话"),
)
PER_KIND = {
    Kind.LISTING_NOTICE: (
        ("挂牌级别", "镇街挂牌/区县挂牌/市级挂牌"),
        ("挂牌单位", "挂牌督办单位"),
        ("挂牌日期", "挂牌日期"),
    ),
    Kind.INTERVIEW_NOTICE: (
        ("约谈对象", "如 主要负责人张三、实际控制人李四"),
        ("约谈时间", "约谈时间"),
        ("约谈地点", "约谈地点"),
    ),
    Kind.EXTENSION_FORM: (
        ("延期前期限", "申请延期时的整改期限"),
        ("申请延至", "申请延长至的日期"),
        ("延期理由", "延期理由"),
        ("申请人", "申请人"),
        ("申请日期", "申请日期"),
        ("审批结果", "待审批/已批准/不予批准"),
        ("审批意见", "审批意见"),
        ("审批人", "审批人"),
        ("审批日期", "审批日期"),
    ),
    Kind.CLOSURE_FORM: (
        ("整改完成日期", "整改完成日期"),
        ("整改资金", "整改资金（元）"),
        ("申请销号日期", "申请销号日期"),
        ("审核意见", "销号审核意见"),
        ("审核人", "销号审核人"),
        ("销号日期", "销号日期"),
    ),
}

# What the issuer types in: (placeholder, label, required[, help text]).
CONTACT_INPUTS = (("联系人", "联系人", False), ("联系电话", "联系电话", False))
INTERVIEW_INPUTS = (
    ("约谈对象", "约谈对象", False, "留空则为企业主要负责人和实际控制人"),
    ("约谈时间", "约谈时间", False, "如 2026年3月9日上午9时"),
    ("约谈地点", "约谈地点", False),
)

# The national default wording of each kind (our own prose). The documents app seeds these as the
# global templates (region ''), and falls back to them when no template row exists. An 安委办 may
# replace them for its jurisdiction. Body: one paragraph per line. Table (审批表 only): one row per
# line, "栏目｜内容"; a row whose label ends in 意见 gets room for writing and a signature line.
CONTACT = "联系人：{{联系人}}；联系电话：{{联系电话}}。"

TEMPLATES = {
    Kind.RECTIFICATION_NOTICE: {
        "title": "隐患整改通知书",
        "body": "\n".join(
            [
                "经检查，你单位存在以下事故隐患：{{隐患描述}}（隐患编号：{{隐患编号}}；隐患部位：{{隐患部位}}；隐患等级：{{隐患等级}}）。",
                "根据《中华人民共和国安全生产法》《安全生产事故隐患排查治理暂行规定》等有关规定，现责令你单位于{{整改期限}}前整改完毕，"
                "做到整改责任、措施、资金、时限和应急预案“五落实”。整改期间应当采取可靠的防范措施；无法保证安全的，应当从危险区域内撤出作业人员，"
                "暂时停止使用相关设施、设备。",
                "整改完成后，请将整改情况连同整改前后的照片和验收材料报{{监管部门}}，经审核同意后销号。逾期未完成整改的，"
                "将依法依规采取函告、通报、约谈等措施。",
                CONTACT,
            ]
        ),
        "table": "",
    },
    Kind.LISTING_NOTICE: {
        "title": "重大事故隐患挂牌督办通知书",
        "body": "\n".join(
            [
                "经排查认定，你单位存在重大事故隐患：{{隐患描述}}（隐患编号：{{隐患编号}}；隐患部位：{{隐患部位}}）。判定依据：{{判定依据}}。",
                "根据《中华人民共和国安全生产法》关于重大事故隐患治理督办制度的规定，{{挂牌单位}}决定对该隐患实行{{挂牌级别}}督办。现将有关要求通知如下：",
                "一、落实治理责任",
                "你单位主要负责人{{主要负责人}}是该隐患治理的第一责任人，须组织制定并实施治理方案，明确治理的目标和任务、方法和措施、"
                "经费和物资、机构和人员、时限和要求以及安全措施和应急预案。",
                "二、限期完成治理",
                "该隐患须于{{整改期限}}前治理完毕。治理期间无法保证安全的，应当停止相关区域作业，撤出作业人员，设置警示标志，加强监测监控。",
                "三、按时报告进展",
                "请于每月末前向{{监管部门}}书面报告治理进展。治理完成后，组织评估验收并提出书面销号申请，经现场审核同意后方可销号摘牌。",
                "四、严肃督办问责",
                "逾期未完成治理或者拒不执行督办要求的，将依法依规严肃处理，并在一定范围内通报。",
                CONTACT,
            ]
        ),
        "table": "",
    },
    Kind.SUPERVISION_LETTER: {
        "title": "关于督促整改事故隐患的函",
        "body": "\n".join(
            [
                "你单位“{{隐患描述}}”事故隐患（隐患编号：{{隐患编号}}），整改期限为{{整改期限}}，截至目前已逾期{{逾期天数}}天仍未整改销号。",
                "请你单位高度重视，接函后立即组织整改，并于5个工作日内将整改进展、未按期完成的原因及下一步措施书面报送{{监管部门}}。"
                "整改完成前务必落实防范措施，确保安全。",
                "仍不按要求整改的，将按照督办工作有关规定予以通报、约谈，并依法依规处理。",
                "特此函告。",
                CONTACT,
            ]
        ),
        "table": "",
    },
    Kind.INTERVIEW_NOTICE: {
        "title": "约谈通知书",
        "body": "\n".join(
            [
                "你单位“{{隐患描述}}”事故隐患（隐患编号：{{隐患编号}}），整改期限为{{整改期限}}，已逾期{{逾期天数}}天未完成整改。"
                "根据安全生产督办工作有关规定，决定对你单位有关负责人进行约谈。现将有关事项通知如下：",
                "一、约谈对象：{{约谈对象}}。",
                "二、约谈时间：{{约谈时间}}。",
                "三、约谈地点：{{约谈地点}}。",
                "请被约谈人员准时参加，并携带隐患整改情况、未按期完成的原因和下一步整改计划的书面材料。无正当理由不参加约谈的，将予以通报。",
                CONTACT,
            ]
        ),
        "table": "",
    },
    Kind.EXTENSION_FORM: {
        "title": "事故隐患延期整改审批表",
        "body": "注：延期申请应当在整改期限届满前提出；批准延期后，以新的整改期限督办考核。",
        "table": "\n".join(
            [
                "单位名称｜{{单位名称}}",
                "隐患编号｜{{隐患编号}}",
                "隐患描述｜{{隐患描述}}",
                "隐患等级｜{{隐患等级}}",
                "原整改期限｜{{延期前期限}}",
                "申请延至｜{{申请延至}}",
                "延期理由｜{{延期理由}}",
                "申请人｜{{申请人}}（{{申请日期}}）",
                "审批意见｜{{审批结果}}。{{审批意见}}",
            ]
        ),
    },
    Kind.CLOSURE_FORM: {
        "title": "事故隐患整改销号审批表",
        "body": "注：整改前后照片及验收材料附后。",
        "table": "\n".join(
            [
                "单位名称｜{{单位名称}}",
                "隐患编号｜{{隐患编号}}",
                "隐患描述｜{{隐患描述}}",
                "隐患等级｜{{隐患等级}}",
                "整改期限｜{{整改期限}}",
                "整改完成日期｜{{整改完成日期}}",
                "整改措施｜{{整改措施}}",
                "整改资金｜{{整改资金}}",
                "整改责任人｜{{整改责任人}}",
                "企业申请意见｜经自查，该隐患已按要求整改完毕，申请销号。（{{申请销号日期}}）",
                "审核意见｜{{审核意见}}",
            ]
        ),
    },
}

# Values the template editor's preview fills in ("主送" is the preview's addressee line).
SAMPLE = {
    "主送": "示例化工有限公司",
    "单位名称": "示例化工有限公司",
    "单位地址": "示例镇工业园区1号",
    "主要负责人": "张三",
    "实际控制人": "李四",
    "隐患编号": "YH5001062026000012",
    "隐患描述": "粉尘爆炸危险场所电气设备不防爆",
    "隐患部位": "一号车间",
    "隐患等级": "重大隐患",
    "隐患类别": "物的不安全状态",
    "发现日期": "2026年2月10日",
    "发现渠道": "督导检查",
    "所在区划": "示例区示例镇",
    "行业领域": "危险化学品",
    "判定依据": "《工贸企业重大事故隐患判定标准》第十一条第（六）项",
    "整改期限": "2026年3月31日",
    "原定整改期限": "2026年3月10日",
    "整改责任人": "王五",
    "整改措施": "更换防爆电气设备",
    "监管部门": "示例镇应急办",
    "逾期天数": "7",
    "督办措施": "函告企业",
    "联系人": "赵六",
    "联系电话": "023-00000000",
    "挂牌级别": "区县挂牌",
    "挂牌单位": "示例区安全生产委员会办公室",
    "挂牌日期": "2026年2月20日",
    "约谈对象": "主要负责人张三、实际控制人李四",
    "约谈时间": "2026年3月9日上午9时",
    "约谈地点": "区应急管理局三楼会议室",
    "延期前期限": "2026年3月10日",
    "申请延至": "2026年3月31日",
    "延期理由": "防爆设备采购周期较长",
    "申请人": "王五",
    "申请日期": "2026年3月5日",
    "审批结果": "已批准",
    "审批意见": "同意延期",
    "审批人": "赵六",
    "审批日期": "2026年3月6日",
    "整改完成日期": "2026年3月28日",
    "整改资金": "20000.00元",
    "申请销号日期": "2026年3月29日",
    "审核意见": "经现场核查，同意销号",
    "审核人": "赵六",
    "销号日期": "2026年3月30日",
}


# ---------------------------------------------------------------- the kinds


def _available(allowed, reason):
    """`available(hazard)`: None when `allowed(hazard)`, else the reason with the hazard's state."""

    def available(hazard):
        if allowed(hazard):
            return None
        return f"{reason}（当前状态：{hazard.get_status_display()}）。"

    return available


# kind: (may the hazard have it now?, why not, its own values, what the issuer types in)
RULES = {
    Kind.RECTIFICATION_NOTICE: (
        lambda h: h.status in (Status.VERIFIED, Status.RECTIFYING),
        "隐患核实后、申请销号前才能签发整改通知书",
        None,
        CONTACT_INPUTS,
    ),
    Kind.LISTING_NOTICE: (
        lambda h: bool(h.listed_level) and h.status in DEADLINE_STATUSES,
        "隐患挂牌督办后、销号前才能签发挂牌督办通知书",
        _listing,
        CONTACT_INPUTS,
    ),
    # the letters are about a rectification not done: not once the enterprise reports it done (申请销号)
    Kind.SUPERVISION_LETTER: (
        lambda h: h.status in OVERDUE_STATUSES,
        "只能对核实后、申请销号前（整改中）的隐患发督办函",
        None,
        CONTACT_INPUTS,
    ),
    Kind.INTERVIEW_NOTICE: (
        lambda h: h.status in OVERDUE_STATUSES,
        "只能对核实后、申请销号前（整改中）的隐患发约谈通知书",
        _interview,
        CONTACT_INPUTS + INTERVIEW_INPUTS,
    ),
    Kind.EXTENSION_FORM: (lambda h: h.extensions.exists(), "该隐患没有延期申请，不能生成延期审批表", _extension, ()),
    Kind.CLOSURE_FORM: (
        lambda h: h.status in (Status.SUBMITTED, Status.CLOSED),
        "隐患申请销号或已销号后才能生成销号审批表",
        _closure,
        (),
    ),
}
FORM_KINDS = frozenset({Kind.EXTENSION_FORM, Kind.CLOSURE_FORM})  # 审批表: no red 版头, a table instead of a letter
LETTER_KINDS = frozenset({Kind.SUPERVISION_LETTER, Kind.INTERVIEW_NOTICE})  # on one page in the 信函格式 when they can


def _builder(own):
    def build(hazard, unit):
        """All placeholder values the hazard gives for the kind (strings; '' when unknown)."""
        values = hazard_fields(hazard, unit)
        if own is not None:
            values.update(own(hazard))
        return values

    return build


def _document_kind(kind, order):
    allowed, reason, own, inputs = RULES[kind]
    return DocumentKind(
        key=kind.value,
        label=kind.label,
        subject_model=SUBJECT_MODEL,
        get_subject=get_hazard,
        build=_builder(own),
        available=_available(allowed, reason),
        placeholders=PLACEHOLDERS + PER_KIND.get(kind, ()),
        template=dict(TEMPLATES[kind]),
        sample=SAMPLE,
        addressee=addressee,
        region_code=lambda hazard: hazard.region_id,
        enterprise=lambda hazard: hazard.enterprise,
        industry=lambda hazard: hazard.industry_id,
        inputs=inputs,
        form=kind in FORM_KINDS,
        letter=kind in LETTER_KINDS,
        order=order,
    )


DOCUMENT_KINDS = [_document_kind(kind, 10 + 10 * n) for n, kind in enumerate(Kind)]
