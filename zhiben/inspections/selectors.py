"""Reads: inspections and checklists in scope, and the completed inspections of a period (enforcement
statistics count them per unit)."""

from django.db.models import Count, Q
from django.http import Http404

from .choices import Status
from .filters import CHECKLIST_FILTERS, INSPECTION_FILTERS, unit_options
from .models import ChecklistTemplate, Inspection

__all__ = [
    "CHECKLIST_FILTERS",
    "INSPECTION_FILTERS",
    "checklist_get",
    "checklist_list",
    "checklists_visible",
    "checklists_for",
    "inspection_get",
    "inspection_list",
    "inspections_in_period",
    "unit_options",
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
