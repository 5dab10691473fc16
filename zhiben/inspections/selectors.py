"""Reads: inspections and checklists in scope, and the completed inspections of a period (enforcement
statistics count them per unit)."""

from django.db.models import Q
from django.http import Http404

from zhiben.core.filters import Filter, FilterSet, Sort, flag
from zhiben.core.scoping import subtree_q
from zhiben.enterprises.filters import industry_options, region_options

from .choices import Kind, Status
from .models import ChecklistTemplate, Inspection


def unit_options(user):
    from zhiben.regions.models import Unit

    return [(str(u.pk), u.name) for u in Unit.objects.for_user(user).order_by("name")[:300]]


def _flag_q(field):
    def q(value, ctx):
        wanted = flag(value)
        return None if wanted is None else Q(**{field: wanted})

    return q


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
    Filter("unit", "检查单位", "choice", choices=unit_options, lookup="unit_id"),
    Filter("unannounced", "四不两直", "choice", choices=[("1", "是"), ("0", "否")], q=_flag_q("unannounced")),
    Filter("cross", "交叉检查", "choice", choices=[("1", "是"), ("0", "否")], q=_flag_q("cross")),
    Filter("date_from", "检查日期从", "date", lookup="date__gte"),
    Filter("date_to", "检查日期至", "date", lookup="date__lte"),
    Filter("q", "关键词", "search", search=("number", "enterprise__name", "place__name"), placeholder="编号、单位"),
    Sort(
        "sort",
        {"date": ("date", "id"), "-date": ("-date", "-id"), "number": ("number",), "-number": ("-number",)},
        default=("-planned_date", "-id"),
    ),
)


def inspection_list(*, user, filters=None):
    qs = Inspection.objects.for_user(user).select_related("enterprise", "place", "region", "unit", "industry")
    return INSPECTION_FILTERS.filter(qs, filters or {}, user=user)


def inspection_get(*, user, pk):
    if not user.can("inspection.view"):
        raise Http404
    inspection = (
        Inspection.objects.for_user(user)
        .select_related("enterprise", "place", "region", "unit", "industry", "plan")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    return inspection


def checklist_get(*, user, pk):
    if not user.can("inspection.view"):
        raise Http404
    visible = ChecklistTemplate.objects.for_user(user).values("pk")
    template = (
        ChecklistTemplate.objects.filter(Q(pk__in=visible) | Q(pk__in=checklists_for(user).values("pk")))
        .select_related("region", "industry")
        .filter(pk=pk)
        .first()
    )
    if template is None:
        raise Http404
    return template


def checklists_for(user):
    """Checklists a user may apply: their own region's and those of the regions above them."""
    from zhiben.core.scoping import region_chain

    chain = region_chain(user.region_id or "")
    return ChecklistTemplate.objects.filter(
        Q(region_id__in=chain) | Q(pk__in=ChecklistTemplate.objects.for_user(user).values("pk")), active=True
    )


def inspections_in_period(start, end):
    """Completed inspections dated within [start, end]."""
    return Inspection.objects.filter(status=Status.COMPLETED, date__gte=start, date__lte=end)
