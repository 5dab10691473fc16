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


def may_see_history(user):
    """The change history (who changed what, old and new values) is for the supervising side only:
    安委办, departments and leaders; never the enterprise's own users, grid workers or experts."""
    from zhiben.accounts.choices import Role

    if user.is_superuser:
        return True
    return not user.enterprise_id and user.role in (Role.COMMITTEE_ADMIN, Role.REGULATOR, Role.LEADER)


def enterprise_history(*, user, enterprise, limit=20):
    """The latest audit events of one enterprise (the caller has already checked it is visible), or
    none when `user` may not read the history."""
    from zhiben.audit.models import AuditEvent

    if not may_see_history(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk)).order_by(
        "-seq"
    )[:limit]
