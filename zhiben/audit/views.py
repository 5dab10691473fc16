"""The audit log for the 审计管理员: list with filters, event detail, chain verification.

Reading the log is itself audited ("audit.view"), and so is each verification ("audit.verify").
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhiben.core.views import paginate, query_without, require_capability

from . import selectors
from .forms import AuditFilterForm
from .services import HASHED_FIELDS, audit_record, audit_verify, event_hash


def _region(user):
    return user.region_id or ""


@login_required
def audit_list(request):
    require_capability(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.audit_event_list(user=request.user, filters=filters), default=50)
    page.object_list = list(page.object_list)  # read before this reading is recorded, so the page stays as queried
    shown = {k: v for k, v in filters.items() if v not in (None, "")}
    audit_record(
        actor=request.user,
        action="audit.view",
        object_type="audit.auditevent",
        object_repr="审计日志列表",
        region_code=_region(request.user),
        data={"filters": shown, "page": page.number},
    )
    return render(
        request, "audit/audit_list.html", {"page": page, "form": form, "query": query_without(request, "page")}
    )


@login_required
def audit_detail(request, pk):
    event = selectors.audit_event_get(user=request.user, pk=pk)
    require_capability(request.user, "audit.view")
    audit_record(
        actor=request.user,
        action="audit.view",
        object_type="audit.auditevent",
        object_id=event.pk,
        object_repr=f"审计事件 #{event.seq}",
        region_code=_region(request.user),
    )
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    return render(
        request,
        "audit/audit_detail.html",
        {
            "event": event,
            "changes": selectors.audit_changes(event),
            "hash_ok": event_hash(fields) == event.hash,
            "data_json": json.dumps(event.data, ensure_ascii=False, indent=2, sort_keys=True) if event.data else "",
        },
    )


@login_required
@require_POST
def audit_verify_view(request):
    require_capability(request.user, "audit.view")
    ok, message = audit_verify()
    audit_record(
        actor=request.user,
        action="audit.verify",
        object_type="audit.auditevent",
        object_repr="校验审计链",
        region_code=_region(request.user),
        data={"ok": ok, "message": message},
        success=ok,
    )
    (messages.success if ok else messages.error)(request, message)
    return redirect("audit:list")
