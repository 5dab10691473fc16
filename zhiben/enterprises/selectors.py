"""Reads of the enterprise registry, always through `for_user`."""

from django.db.models import Q

from zhiben.core.scoping import subtree_q

from .models import Enterprise

SORTS = {
    "name": "name", "-name": "-name",
    "region": "region_id", "-region": "-region_id",
    "industry": "industry__sort", "-industry": "-industry__sort",
    "credit_code": "credit_code", "-credit_code": "-credit_code",
    "updated": "updated_at", "-updated": "-updated_at",
}


def enterprise_list(*, user, filters=None):
    """The enterprises `user` may see, narrowed by `filters` (the same keys in pages, exports and the API)."""
    filters = filters or {}
    qs = Enterprise.objects.for_user(user).select_related("region", "industry")
    region = subtree_q(filters.get("region"))
    if region is not None:
        qs = qs.filter(region)
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    if filters.get("high_risk") in ("1", "true", True):
        qs = qs.filter(high_risk=True)
    elif filters.get("high_risk") in ("0", "false", False):
        qs = qs.filter(high_risk=False)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("scale"):
        qs = qs.filter(scale=filters["scale"])
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(credit_code__icontains=text.upper()) | Q(address__icontains=text) | Q(principal__icontains=text))
    order = SORTS.get(filters.get("sort") or "", None)
    return qs.order_by(order, "id") if order else qs.order_by("region_id", "name", "id")


def enterprise_get(*, user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Enterprise.objects.for_user(user).select_related("region", "industry"), pk=pk)


def enterprise_history(*, enterprise, limit=20):
    """The latest audit events of one enterprise (the caller has already checked it is visible)."""
    from zhiben.audit.models import AuditEvent

    return AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk)).order_by("-seq")[:limit]
