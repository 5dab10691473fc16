"""Reads: risk points in scope with filters (the four-colour list, its export), one point, an enterprise's
risk picture, enterprises graded by their highest risk, the red/orange counts by industry, overdue reviews,
and the hazards citing a point."""

from datetime import timedelta

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import grouped as _grouped
from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.rules import rule
from zhiben.core.scoping import NOTHING, subtree_q
from zhiben.enterprises.filters import industry_options, region_options
from zhiben.enterprises.models import Enterprise

from .choices import LEVEL_OF_RANK, RANK, Kind, Level, Method, level_label
from .models import RiskHazardLink, RiskPoint, SitePlan


def _review_q(value, ctx):
    if value == "overdue":
        return Q(next_review__lt=ctx.today)
    if value == "soon":
        return Q(next_review__gte=ctx.today, next_review__lte=ctx.today + timedelta(days=30))
    return None


def _active_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(active=wanted)


RISK_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("enterprise", "单位", "hidden", q=id_q("enterprise_id", otherwise=NOTHING)),
    Filter("level", "风险等级", "choice", choices=[(lv.value, level_label(lv)) for lv in Level], lookup="level"),
    Filter("kind", "类型", "choice", choices=Kind.choices, lookup="kind"),
    Filter("method", "评价方法", "choice", choices=[(m.value, m.value.upper()) for m in Method], lookup="method"),
    Filter(
        "direct",
        "直接判定重大",
        "choice",
        choices=[("1", "是")],
        q=lambda v, ctx: ~Q(direct_reason="") if flag(v) else None,
    ),
    Filter("review", "评审", "choice", choices=[("overdue", "评审逾期"), ("soon", "30天内到期")], q=_review_q),
    Filter("active", "状态", "choice", choices=[("1", "在用"), ("0", "已撤销")], q=_active_q),
    Filter("q", "关键词", "search", search=("name", "location", "factors", "enterprise__name", "responsible")),
    Sort(
        "sort",
        {
            "level": ("-rank", "-score", "id"),
            "-level": ("rank", "score", "id"),
            "score": ("-score", "id"),
            "review": ("next_review", "id"),
            "enterprise": ("enterprise__name", "-rank", "id"),
            "name": ("name", "id"),
        },
        default=("-rank", "-score", "id"),
    ),
)


def _viewer(user):
    if not user.can("risk.view"):
        raise Http404


def point_list(*, user, filters=None, today=None):
    """The points `user` may see (active ones unless the filter asks otherwise), narrowed by `filters`."""
    _viewer(user)
    filters = dict(filters.items()) if filters is not None else {}
    qs = RiskPoint.objects.for_user(user).select_related("enterprise", "region", "industry")
    if not filters.get("active"):
        qs = qs.filter(active=True)
    return RISK_FILTERS.filter(qs, filters, user=user, today=today)


def point_get(*, user, pk):
    _viewer(user)
    point = (
        RiskPoint.objects.for_user(user)
        .select_related("enterprise", "region", "industry", "criteria_item__standard")
        .filter(pk=pk)
        .first()
    )
    if point is None:
        raise Http404
    return point


def enterprise_get(*, user, pk):
    _viewer(user)
    enterprise = Enterprise.objects.for_user(user).select_related("region", "industry").filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return enterprise


def site_plan(enterprise):
    """The plan shown for an enterprise: its latest upload, or None."""
    return SitePlan.objects.filter(enterprise=enterprise).order_by("-uploaded_at", "-id").first()


def enterprise_points(enterprise):
    return RiskPoint.objects.filter(enterprise=enterprise, active=True).order_by("-rank", "-score", "id")


# ---------------------------------------------------------------- enterprises by their highest risk


def enterprise_risk_levels(qs):
    """`qs` (enterprises) annotated with `risk_rank`: the rank of the highest level among their active
    points (4 重大 … 1 低; None: no risk point recorded)."""
    return qs.annotate(risk_rank=Max("risk_points__rank", filter=Q(risk_points__active=True)))


def filter_by_risk_level(qs, levels):
    """The enterprises of `qs` whose highest risk level is one of `levels` (level values; "none" for those
    without any risk point) — the 双随机 pool's risk filter."""
    ranks = [RANK[lv] for lv in levels if lv in RANK]
    wanted = Q(risk_rank__in=ranks) if ranks else Q(pk__in=[])
    if "none" in levels:
        wanted |= Q(risk_rank__isnull=True)
    return qs.alias(risk_rank=Max("risk_points__rank", filter=Q(risk_points__active=True))).filter(wanted)


def enterprise_level(enterprise):
    """The highest level of an enterprise's active points (a Level) or None."""
    rank = RiskPoint.objects.filter(enterprise=enterprise, active=True).aggregate(r=Max("rank"))["r"]
    return LEVEL_OF_RANK.get(rank)


def inspection_frequency(level, region_code):
    """What the jurisdiction's rule "risk.inspection_frequency" says for enterprises of `level`."""
    if level is None:
        return ""
    value = rule("risk.inspection_frequency", region_code)
    return str(value.get(level, "")) if isinstance(value, dict) else ""


def enterprises_by_level(*, user, region_code=None):
    """{level: number of enterprises in scope whose highest risk is that level}, plus "none"."""
    _viewer(user)
    qs = Enterprise.objects.for_user(user)
    if region_code:
        qs = qs.filter(subtree_q(region_code))
    counts = {lv.value: 0 for lv in Level} | {"none": 0}
    for rank in enterprise_risk_levels(qs).order_by().values_list("risk_rank", flat=True).iterator(chunk_size=2000):
        counts[LEVEL_OF_RANK[rank] if rank else "none"] += 1
    return counts


def region_counts(*, user, region_code=None):
    """Red and orange points in the user's scope (or `region_code`'s subtree inside it) by industry:
    [{"industry", "major", "larger", "enterprises"}], most red first; and the totals."""
    _viewer(user)
    qs = RiskPoint.objects.for_user(user).filter(active=True, level__in=[Level.MAJOR, Level.LARGER])
    if region_code:
        qs = qs.filter(subtree_q(region_code))
    rows = (
        qs.values("industry_id", "industry__name", "industry__sort")
        .annotate(
            major=Count("pk", filter=Q(level=Level.MAJOR)),
            larger=Count("pk", filter=Q(level=Level.LARGER)),
            enterprises=Count("enterprise_id", distinct=True),
        )
        .order_by("-major", "-larger", "industry__sort")
    )
    table = [
        {"industry": r["industry__name"], "major": r["major"], "larger": r["larger"], "enterprises": r["enterprises"]}
        for r in rows
    ]
    totals = {k: sum(r[k] for r in table) for k in ("major", "larger")}
    totals["enterprises"] = qs.values("enterprise_id").distinct().count()
    return table, totals


def overdue_reviews(*, user, today=None):
    _viewer(user)
    today = today or timezone.localdate()
    return RiskPoint.objects.for_user(user).filter(active=True, next_review__lt=today).select_related("enterprise")


def figures(user, today=None):
    """The home cards' numbers."""
    today = today or timezone.localdate()
    qs = RiskPoint.objects.for_user(user).filter(active=True)
    return qs.aggregate(
        major=Count("pk", filter=Q(level=Level.MAJOR)),
        larger=Count("pk", filter=Q(level=Level.LARGER)),
        overdue=Count("pk", filter=Q(next_review__lt=today)),
        total=Count("pk"),
    )


# ---------------------------------------------------------------- figures for analytics

# (key, label, the point list's filters behind it)
RISK_FIGURES = [
    ("major_points", "重大风险点数", "level=major"),
    ("larger_points", "较大风险点数", "level=larger"),
    ("review_overdue", "风险点评审逾期", "review=overdue"),
]


def risk_figures(*, user, filters=None, by=None, today=None):
    """The risk figures for `user`'s scope (None: the system, unscoped) narrowed by `filters`' region and
    industry (core.registry.Figure), as of today — risk points are a standing list, the period does not
    narrow them: {group: {"risk.<key>": value}} with group "" (by=None), each child region's code
    (by="region") or each industry's code (by="industry"), in one aggregate query over the points in use."""
    from zhiben.core.scoping import normalize_code

    today = today or timezone.localdate()
    filters = filters or {}
    qs = (RiskPoint.objects.for_user(user) if user is not None else RiskPoint.objects.all()).filter(active=True)
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    measures = {
        "major_points": Count("pk", filter=Q(level=Level.MAJOR)),
        "larger_points": Count("pk", filter=Q(level=Level.LARGER)),
        "review_overdue": Count("pk", filter=Q(next_review__lt=today)),
    }

    def values(counts):
        return {f"risk.{key}": counts.get(key, 0) for key, *_ in RISK_FIGURES}

    return _grouped(qs, measures, values, region=region, by=by)


# ---------------------------------------------------------------- hazards ↔ points


def point_hazards(point, user):
    """The hazards citing `point` that `user` may see, open ones first."""
    from zhiben.hazards.choices import OPEN_STATUSES
    from zhiben.hazards.models import Hazard

    links = RiskHazardLink.objects.filter(point=point, hazard__in=Hazard.objects.for_user(user))
    rows = list(links.select_related("hazard").order_by("-created_at"))
    for link in rows:
        link.open = link.hazard.status in OPEN_STATUSES
    return sorted(rows, key=lambda link: not link.open)


def hazard_points(hazard, user):
    """The risk points `hazard` cites that `user` may see."""
    if not user.can("risk.view"):
        return RiskPoint.objects.none()
    return RiskPoint.objects.for_user(user).filter(hazard_links__hazard=hazard).order_by("-rank", "id")
