"""Reads of plans, the expert pool, credentials and conflicts: scoped (404 outside), filtered, sorted."""

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.scoping import subtree_q
from zhiben.enterprises.filters import industry_options, region_options

from .choices import Kind
from .models import Expert, InspectionPlan, InspectorCredential
from .plan_services import can_manage_credentials, conflicts_for, unit_people


def _stage(value, ctx):
    return {
        "draft": Q(drawn_at__isnull=True),
        "drawn": Q(drawn_at__isnull=False, confirmed_at__isnull=True),
        "confirmed": Q(confirmed_at__isnull=False, published_at__isnull=True),
        "published": Q(published_at__isnull=False),
    }.get(value)


STAGES = [("draft", "待抽取"), ("drawn", "已抽取待确认"), ("confirmed", "已确认"), ("published", "已公示")]

PLAN_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("kind", "检查类型", "choice", choices=Kind.choices, lookup="kind"),
    Filter("stage", "状态", "choice", choices=STAGES, q=_stage),
    Filter("start_from", "开始日期从", "date", lookup="start__gte"),
    Filter("start_to", "开始日期至", "date", lookup="start__lte"),
    Filter("q", "关键词", "search", search=("name", "seed"), placeholder="名称、种子"),
    Sort(
        "sort",
        {"start": ("start", "id"), "-start": ("-start", "-id"), "name": ("name", "id"), "-name": ("-name", "-id")},
        default=("-start", "-id"),
    ),
)


def plan_list(*, user, filters=None):
    qs = InspectionPlan.objects.for_user(user).select_related("unit", "region").annotate(n=Count("inspections"))
    return PLAN_FILTERS.filter(qs, filters or {}, user=user)


def plan_get(*, user, pk):
    if not user.can("inspection.view"):
        raise Http404
    plan = (
        InspectionPlan.objects.for_user(user)
        .select_related("unit", "region", "drawn_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def plan_rows(plan):
    """The drawn teams with names: [{"enterprise", "stratum", "inspectors": [User], "experts": [Expert]}]."""
    from zhiben.accounts.models import User
    from zhiben.enterprises.models import Enterprise
    from zhiben.regions.models import Industry

    teams = (plan.result or {}).get("teams", [])
    enterprises = Enterprise.objects.select_related("region", "industry").in_bulk([t["enterprise"] for t in teams])
    users = User.objects.in_bulk([u for t in teams for u in t["inspectors"]])
    experts = Expert.objects.in_bulk([x for t in teams for x in t["experts"]])
    labels = dict(Industry.objects.values_list("code", "name")) | {"*": "全部行业"}
    return [
        {
            "enterprise": enterprises.get(t["enterprise"]),
            "stratum": labels.get(t["stratum"], t["stratum"]),
            "inspectors": [users[u] for u in t["inspectors"] if u in users],
            "experts": [experts[x] for x in t["experts"] if x in experts],
        }
        for t in teams
    ]


def published_plan(token):
    token = str(token or "")
    plan = None
    if token:
        plan = (
            InspectionPlan.objects.select_related("unit", "region")
            .filter(public_token=token, published_at__isnull=False)
            .first()
        )
    if plan is None:
        raise Http404
    return plan


# ---------------------------------------------------------------- experts


def _specialty(value, ctx):
    return Q(specialties__code=value)


EXPERT_FILTERS = FilterSet(
    Filter("specialty", "专业领域", "choice", choices=industry_options, q=_specialty),
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter(
        "active",
        "在库",
        "choice",
        choices=[("1", "在库"), ("0", "已出库")],
        q=lambda value, ctx: None if flag(value) is None else Q(active=flag(value)),
    ),
    Filter("q", "关键词", "search", search=("name", "title", "employer"), placeholder="姓名、职称、单位"),
    Sort(
        "sort",
        {"name": ("name", "id"), "-name": ("-name", "-id"), "region": ("region_id", "name")},
        default=("name", "id"),
    ),
)


def expert_list(*, user, filters=None):
    qs = Expert.objects.for_user(user).select_related("region", "enterprise").prefetch_related("specialties")
    return EXPERT_FILTERS.filter(qs, filters or {}, user=user).distinct()


def expert_get(*, user, pk):
    if not user.can("expert.view"):
        raise Http404
    expert = Expert.objects.for_user(user).select_related("region", "enterprise", "user").filter(pk=pk).first()
    if expert is None:
        raise Http404
    return expert


# ---------------------------------------------------------------- credentials and conflicts


def credential_list(*, user):
    if not can_manage_credentials(user):
        raise Http404
    return (
        InspectorCredential.objects.filter(user__in=unit_people(user))
        .select_related("user")
        .order_by("user__name", "user__username", "-valid_until")
    )


def credential_get(*, user, pk):
    credential = credential_list(user=user).filter(pk=pk).first()
    if credential is None:
        raise Http404
    return credential


def credential_state(credential, today=None):
    """(label, badge tone) of a credential's validity today."""
    today = today or timezone.localdate()
    if credential.valid_from and credential.valid_from > today:
        return "未生效", "blue"
    if credential.valid_until < today:
        return "已过期", "red"
    if (credential.valid_until - today).days <= 30:
        return f"{(credential.valid_until - today).days} 天后到期", "orange"
    return "有效", "green"


def conflict_list(*, user, filters=None):
    qs = conflicts_for(user).select_related("user", "expert", "enterprise").order_by("-created_at", "-id")
    filters = filters or {}
    for key in ("expert", "user"):
        by_id = id_q(f"{key}_id")(str(filters.get(key) or ""), None)  # an id (one no column holds: none)
        if by_id is not None:
            qs = qs.filter(by_id)
    if filters.get("q"):
        qs = qs.filter(enterprise__name__icontains=filters["q"])
    return qs
