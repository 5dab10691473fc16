"""The inspection list's and the checklist list's filters, declared once for the page, its Excel export
and the API (see zhiben/core/filters.py)."""

from django.db.models import Q

from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.scoping import NOTHING, subtree_q
from zhiben.enterprises.filters import industry_options, region_options

from .choices import Kind, Status


def unit_options(user):
    from zhiben.regions.models import Unit

    return [(str(u.pk), u.name) for u in Unit.objects.for_user(user).order_by("name")[:300]]


def _flag_q(field):
    def q(value, ctx):
        wanted = flag(value)
        return None if wanted is None else Q(**{field: wanted})

    return q


YES_NO = [("1", "是"), ("0", "否")]


def found_hazards():
    """Whether an inspection found a hazard (one not rejected as no hazard): the findings filter, and the
    share of inspections with findings analytics counts."""
    from django.db.models import Exists, OuterRef

    from zhiben.hazards.choices import Status as HazardStatus

    from .models import Inspection

    links = Inspection.hazards.through.objects.filter(inspection_id=OuterRef("pk"))
    return Exists(links.exclude(hazard__status=HazardStatus.REJECTED))


def findings_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(found_hazards()) if wanted else ~Q(found_hazards())


INSPECTION_FILTERS = FilterSet(
    Filter(
        "region",
        "区划",
        "choice",
        choices=region_options,
        q=lambda value, ctx: subtree_q(value),
        help="区划代码，含下级",
    ),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("status", "状态", "choice", choices=Status.choices, lookup="status"),
    Filter("kind", "检查类型", "choice", choices=Kind.choices, lookup="kind"),
    Filter("unit", "检查单位", "choice", choices=unit_options, q=id_q("unit_id", otherwise=NOTHING)),
    Filter("unannounced", "四不两直", "choice", choices=YES_NO, q=_flag_q("unannounced")),
    Filter("cross", "交叉检查", "choice", choices=YES_NO, q=_flag_q("cross")),
    Filter("findings", "发现隐患", "choice", choices=[("1", "发现隐患"), ("0", "未发现隐患")], q=findings_q),
    Filter("date_from", "检查日期从", "date", lookup="date__gte"),
    Filter("date_to", "检查日期至", "date", lookup="date__lte"),
    Filter("q", "关键词", "search", search=("number", "enterprise__name", "place__name"), placeholder="编号、单位"),
    Sort(
        "sort",
        {
            "date": ("date", "id"),
            "-date": ("-date", "-id"),
            "planned": ("planned_date", "id"),
            "-planned": ("-planned_date", "-id"),
            "number": ("number",),
            "-number": ("-number",),
        },
        default=("-planned_date", "-id"),
    ),
)


def _industry_q(value, ctx):
    """A checklist for an industry, or the general ones (通用, no industry) with "none"."""
    if value == "none":
        return Q(industry__isnull=True)
    return Q(industry__code=value) | Q(industry__isnull=True)


def _active_q(value, ctx):
    if value == "all":
        return None
    wanted = flag(value)
    return None if wanted is None else Q(active=wanted)


CHECKLIST_FILTERS = FilterSet(
    Filter("q", "名称", "search", search=("name",), placeholder="检查表名称"),
    Filter(
        "industry",
        "适用行业",
        "choice",
        choices=lambda user: [("none", "通用"), *industry_options(user)],
        q=_industry_q,
        help="行业代码（含通用检查表）；none：仅通用",
    ),
    Filter(
        "active",
        "状态",
        "choice",
        choices=[("1", "启用"), ("0", "停用"), ("all", "全部")],
        q=_active_q,
        help="1 启用，0 停用，all 全部（页面默认只列启用的）",
    ),
    Sort(
        "sort",
        {
            "name": ("name", "id"),
            "-name": ("-name", "-id"),
            "region": ("region_id", "name"),
            "-updated": ("-updated_at", "-id"),
        },
        default=("name", "id"),
    ),
)
