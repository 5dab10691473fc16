"""Reads of the enterprise registry, always through `for_user`."""

import re

from django.db.models import Case, Count, IntegerField, Q, Value, When

from zhiben.core.db import whole_number
from zhiben.core.filters import id_q
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
        by_id = id_q("industry_id")(str(industry), None)  # its id (one no column holds: none), else its code
        qs = qs.filter(by_id if by_id is not None else Q(industry__code=industry))
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


PICKED = re.compile(r"[（(]\s*([0-9A-Za-z]{18})\s*[）)]\s*$")  # "名称（统一社会信用代码）", as the picker writes it


def picked_text(enterprise):
    """How the enterprise picker (static/zhiben/picker.js) writes a chosen enterprise: its name and, in brackets,
    its code, which `enterprise_from_text` reads back."""
    return f"{enterprise.name}（{enterprise.credit_code}）"


def enterprise_from_text(user, text):
    """The enterprise in `user`'s jurisdiction that `text` names, or None: its id (digits, as links pass it), its
    统一社会信用代码 (any case), "名称（代码）" as the picker writes it, or its exact name."""
    text = (text or "").strip()
    if not text:
        return None
    scoped = Enterprise.objects.for_user(user)
    if (pk := whole_number(text)) is not None and len(text) < 10:
        return scoped.filter(pk=pk).first()
    picked = PICKED.search(text)
    code = (picked.group(1) if picked else text).upper()
    return scoped.filter(credit_code=code).first() or (None if picked else scoped.filter(name=text).first())


def enterprise_suggestions(*, user, text, limit=15):
    """Up to `limit` enterprises of `user`'s jurisdiction whose name holds `text` or whose code starts with it,
    those whose name starts with it first, then by name (the picker's suggestions)."""
    text = text.strip()[:100]
    if not text:
        return []
    qs = Enterprise.objects.for_user(user).filter(Q(name__icontains=text) | Q(credit_code__startswith=text.upper()))
    first = Case(When(name__startswith=text, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(
        qs.select_related("region").only("name", "credit_code", "region__name").order_by(first, "name", "id")[:limit]
    )
