"""The reports module's document (registered in hooks.py): 举报核查处理情况告知书, the written reply a closed
report gets (安全生产法 art. 73: each verified complaint gets a written record). It names the report by its
code only: the reporter is never named in a document. Key strings are stored: never rename them."""

from django.utils import timezone

from zhiben.core.registry import DocumentKind
from zhiben.documents.builders import cn_date

from .choices import MessageKind, Status
from .models import Report


def _get(pk, user):
    qs = Report.objects.all() if user is None else Report.objects.for_user(user)
    return qs.select_related("category", "region", "unit", "hazard").filter(pk=pk).first()


def reply_fields(report, unit):
    # the reply given with the outcome: the first one written in the report's final state (later replies are
    # about the reward)
    last = report.messages.filter(kind=MessageKind.REPLY, status=report.status).order_by("at", "id").first()
    return {
        "举报编号": report.code,
        "受理日期": cn_date(timezone.localtime(report.created_at).date()),
        "举报类别": report.category.name,
        "所在地": report.region.name + (f"（{report.address}）" if report.address else ""),
        "核查结果": report.get_status_display(),
        "答复意见": last.text if last else "",
        "承办单位": report.unit.name if report.unit_id else "",
        "隐患编号": report.hazard.number if report.hazard_id else "",
    }


def _available(report):
    if report.status in (Status.RECEIVED, Status.VERIFYING):
        return "举报办结后才能出具告知书。"
    if report.status == Status.SPAM:
        return "无效信息不出具告知书。"
    return None


PLACEHOLDERS = ("举报编号", "受理日期", "举报类别", "所在地", "核查结果", "答复意见", "承办单位", "隐患编号")

DOCUMENT_KINDS = [
    DocumentKind(
        key="report_reply",
        label="举报核查处理情况告知书",
        subject_model="reports.report",
        get_subject=_get,
        build=reply_fields,
        available=_available,
        placeholders=PLACEHOLDERS,
        template={
            "title": "举报核查处理情况告知书",
            "body": "您于{{受理日期}}反映的{{所在地}}“{{举报类别}}”问题，"
            "经{{承办单位}}依法核查，核查结果：{{核查结果}}。\n{{答复意见}}\n感谢您对安全生产工作的监督和支持。"
            "本机关依法对举报人的信息予以保密。",
            "table": "",
        },
        sample={
            "举报编号": "JB-K7M2-Q9XD",
            "受理日期": "2026年3月2日",
            "举报类别": "消防安全隐患",
            "所在地": "示例镇示例村（工业园3号厂房）",
            "核查结果": "属实",
            "答复意见": "经现场核查，该厂房安全出口确被锁闭，已责令立即整改并纳入隐患台账跟踪。",
            "承办单位": "示例镇应急办",
            "隐患编号": "YH500106202600000123",
        },
        addressee=lambda report: f"举报人（举报编号：{report.code}）",
        region_code=lambda report: report.region_id,
        industry=lambda report: report.industry_id,
        order=150,
    )
]
