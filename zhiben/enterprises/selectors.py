"""Reads of the enterprise registry, always through `for_user`."""

from django.db.models import Count, Q

from zhiben.core.memo import memoized
from zhiben.core.scoping import subtree_q

from .filters import ENTERPRISE_FILTERS
from .models import Enterprise


def operating_enterprises(user, region="", industry=""):
    """The operating enterprises `user` sees, in the subtree of `region` (nothing for a text that is no
    region code) and of the industry `industry` (its code, or its id) — whom the duties of drills, posts, training and
    self-inspection fall on."""
    qs = (Enterprise.objects.all() if user is None else Enterprise.objects.for_user(user)).filter(status="operating")
    if region:
        qs = qs.filter(subtree_q(region) or Q(pk__in=[]))
    if industry:
        qs = qs.filter(industry_id=industry) if str(industry).isdigit() else qs.filter(industry__code=industry)
    return qs


@memoized
def operating_census(user, region="", industry=""):
    """[(region_id, industry code, high_risk, n)] of operating_enterprises(), counted by the database — one
    scan of the registry that every coverage figure of a dashboard shares (core.memo)."""
    rows = operating_enterprises(user, region, industry).values("region_id", "industry__code", "high_risk")
    return [
        (r["region_id"], r["industry__code"], r["high_risk"], r["n"]) for r in rows.annotate(n=Count("id")).order_by()
    ]


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
        return []
    own = AuditEvent.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk))
    events = list(own.order_by("-seq")[:limit])
    imported = _import_event(enterprise)
    if imported is not None:
        events = sorted([*events, imported], key=lambda event: -event.seq)[:limit]
    return events


def _import_event(enterprise):
    """The audit event of the import that registered `enterprise`, with `import_row` (its row in the file), or
    None (an import lists its records inside its events: audit.selectors.import_events)."""
    from zhiben.audit.selectors import import_events

    found = import_events("enterprises.enterprise", enterprise.pk)
    return found[0] if found else None
