"""Reads: inspections and checklists in scope, and the completed inspections of a period (enforcement
statistics count them per unit)."""

from django.db.models import Count, Q
from django.http import Http404

from zhiben.core.db import grouped as _grouped

from .choices import Status
from .filters import CHECKLIST_FILTERS, INSPECTION_FILTERS, found_hazards, unit_options
from .models import ChecklistTemplate, Inspection

__all__ = [
    "CHECKLIST_FILTERS",
    "INSPECTION_FILTERS",
    "checklist_get",
    "checklist_list",
    "checklists_visible",
    "expert_candidates",
    "checklists_for",
    "inspection_get",
    "inspection_list",
    "inspector_candidates",
    "inspections_in_period",
    "unit_options",
    "inspection_figures",
]


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
    template = checklists_visible(user).select_related("region", "industry").filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


def checklists_visible(user):
    """Checklists a user may read: those of their scope (their region subtree) and those they may apply."""
    visible = ChecklistTemplate.objects.for_user(user).values("pk")
    return ChecklistTemplate.objects.filter(Q(pk__in=visible) | Q(pk__in=checklists_for(user).values("pk")))


def checklist_list(*, user, filters=None):
    """The checklist list: filtered (name, industry, state), sorted, with the number of items."""
    qs = checklists_visible(user).select_related("region", "industry").annotate(n_items=Count("items"))
    return CHECKLIST_FILTERS.filter(qs, filters or {}, user=user)


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


def inspector_candidates(user):
    """Who `user` may put on an inspection team: active people in scope whose role may inspect
    (inspection.conduct), of the user's own unit (or the user alone when without a unit)."""
    from zhiben.accounts.choices import ROLE_CAPABILITIES
    from zhiben.accounts.models import User

    roles = [role for role, caps in ROLE_CAPABILITIES.items() if "inspection.conduct" in caps]
    people = User.objects.for_user(user).filter(is_active=True).filter(Q(role__in=roles) | Q(is_superuser=True))
    mine = Q(unit_id=user.unit_id) | Q(pk=user.pk) if user.unit_id else Q(pk=user.pk)
    return people.filter(mine).order_by("name")


def expert_candidates(user):
    """Experts `user` may invite: active experts of the pools of the user's region and the regions above
    it (a town draws on the county's pool) and of the regions below."""
    from zhiben.core.scoping import region_chain

    from .models import Expert

    chain = region_chain(user.region_id or "")
    below = Expert.objects.for_user(user).values("pk")
    return Expert.objects.filter(Q(region_id__in=chain) | Q(pk__in=below), active=True).order_by("name")


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better, the inspection list's filters behind it, with {start}/{end} for the period)
INSPECTION_FIGURES = [
    ("done", "完成监督检查", "次", "higher", "status=completed&date_from={start}&date_to={end}"),
    (
        "findings_share",
        "检查发现隐患占比",
        "%",
        "higher",
        "status=completed&date_from={start}&date_to={end}&findings=1",
    ),
]


def inspection_figures(*, user, filters=None, by=None, today=None):
    """The inspection figures for `user`'s scope (None: the system, unscoped) narrowed by `filters`
    (core.registry.Figure: region, industry, year or start/end): inspections completed in the period and
    the share of them that found a hazard (one not rejected as no hazard) — {group: {"inspections.<key>":
    value}} with group "" (by=None), each child region's code (by="region") or each industry's code
    (by="industry"), in one aggregate query."""
    from zhiben.core.periods import filter_range
    from zhiben.core.scoping import normalize_code, subtree_q

    filters = filters or {}
    start, end = filter_range(filters, today)
    qs = Inspection.objects.for_user(user) if user is not None else Inspection.objects.all()
    qs = qs.filter(status=Status.COMPLETED, date__gte=start, date__lte=end)
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    qs = qs.alias(found=found_hazards())
    measures = {"done": Count("pk"), "found": Count("pk", filter=Q(found=True))}

    def values(c):
        done = c.get("done", 0)
        return {
            "inspections.done": done,
            "inspections.findings_share": round(100 * c.get("found", 0) / done, 1) if done else None,
        }

    return _grouped(qs, measures, values, region=region, by=by)
