"""The filters of the self-inspection record list, declared once for the page, its export and the API."""

from django.db.models import Q

from zhiben.core.filters import Filter, FilterSet, Sort, id_q
from zhiben.core.scoping import NOTHING, subtree_q
from zhiben.enterprises.filters import industry_options, region_options

from .choices import Source


def duty_options(user):
    from .models import Duty

    return [(str(d.pk), d.name) for d in Duty.objects.filter(active=True)]


enterprise_q = id_q("enterprise_id", otherwise=NOTHING)


def findings_q(value, ctx):
    return {"1": Q(findings__gt=0), "0": Q(findings=0)}.get(value)


RECORD_FILTERS = FilterSet(
    Filter(
        "region",
        "区划",
        "choice",
        choices=region_options,
        q=lambda value, ctx: subtree_q(value, "enterprise__region_id"),
        help="区划代码，含下级",
    ),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="enterprise__industry__code"),
    Filter("duty", "排查类型", "choice", choices=duty_options, q=id_q("duty_id", otherwise=NOTHING)),
    Filter("findings", "发现隐患", "choice", choices=[("1", "有隐患"), ("0", "未发现隐患")], q=findings_q),
    Filter("source", "来源", "choice", choices=Source.choices, lookup="source"),
    Filter("date_from", "排查日期从", "date", lookup="date__gte"),
    Filter("date_to", "排查日期至", "date", lookup="date__lte"),
    Filter("enterprise", "生产经营单位", "hidden", q=enterprise_q, help="单位 ID"),
    Filter(
        "q",
        "关键词",
        "search",
        search=("enterprise__name", "inspector", "scope"),
        placeholder="单位、负责人、范围",
        help="单位名称、排查负责人或排查范围中包含的文字",
    ),
    Sort(
        "sort",
        {
            "date": ("date", "id"),
            "-date": ("-date", "-id"),
            "enterprise": ("enterprise__name", "-date"),
            "-enterprise": ("-enterprise__name", "-date"),
            "findings": ("findings", "-date"),
            "-findings": ("-findings", "-date"),
        },
        default=("-date", "-id"),
        help="前加 - 为倒序；默认按排查日期倒序",
    ),
)
