"""Reads of the enterprise registry, always through `for_user`."""

from .filters import ENTERPRISE_FILTERS
from .models import Enterprise


def enterprise_list(*, user, filters=None):
    """The enterprises `user` may see, narrowed by `filters` (any of ENTERPRISE_FILTERS, as text) — the
    page, its export and the API share it."""
    qs = Enterprise.objects.for_user(user).select_related("region", "industry")
    return ENTERPRISE_FILTERS.filter(qs, filters, user=user)


def enterprise_get(*, user, pk):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Enterprise.objects.for_user(user).select_related("region", "industry"), pk=pk)


def enterprise_history(*, enterprise, limit=20):
    """The latest audit events of one enterprise (the caller has already checked it is visible)."""
    from zhiben.audit.models import AuditEvent

    return AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk)).order_by(
        "-seq"
    )[:limit]
