"""The audit log for the 审计管理员: list with filters, event detail, chain verification.

Reading the log is itself audited ("audit.view"), and so is each verification ("audit.verify").
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.core.views import export_xlsx, paginate, query_without, require_capability

from . import selectors
from .forms import AuditFilterForm
from .labels import action_label
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


AUDIT_EXPORT_MAX = 50_000  # rows in one download: a longer span is exported a part at a time
AUDIT_EXPORT_HEADERS = [
    "序号", "时间", "操作人", "动作", "动作代码", "对象类型", "对象ID", "对象", "区划", "IP", "结果", "请求ID", "内容",
    "上一条摘要", "摘要",
]  # fmt: skip
CELL_MAX = 32_000  # Excel holds up to 32,767 characters in a cell


def _audit_row(e):
    content = json.dumps(e.data, ensure_ascii=False, sort_keys=True) if e.data else ""
    if len(content) > CELL_MAX:
        content = content[:CELL_MAX] + "…（过长，完整内容见系统中的事件详情）"
    return [
        e.seq, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name or "（系统）",
        action_label(e.action), e.action, e.object_type, e.object_id, e.object_repr, e.region_code, e.ip or "",
        "成功" if e.success else "失败", e.request_id, content, e.prev_hash, e.hash,
    ]  # fmt: skip


@login_required
def audit_export(request):
    """The events the list shows (same filters), oldest first, with each one's content and chain digests, for review
    or archive outside the system; recorded as an audit event of its own."""
    require_capability(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)

    def refuse(message):  # back to the list with the same filters, the message above it
        messages.error(request, message)
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")

    if request.GET and not form.is_valid():
        return refuse("筛选条件有误，请按提示修改后再导出。")
    filters = form.cleaned_data if request.GET else {}
    events = selectors.audit_event_list(user=request.user, filters=filters)
    total = events.count()
    if total > AUDIT_EXPORT_MAX:
        return refuse(
            f"符合条件的审计事件共 {total:,} 条，一次最多导出 {AUDIT_EXPORT_MAX:,} 条：请缩小日期范围，分段导出。"
        )
    rows = (_audit_row(e) for e in events.order_by("seq").iterator(chunk_size=2000))
    return export_xlsx(
        request, action="audit.export", object_type="audit.auditevent", title="审计日志",
        headers=AUDIT_EXPORT_HEADERS, rows=rows, widths=[9, 19, 12, 20, 22, 20, 10, 30, 13, 15, 6, 14, 60, 18, 18],
    )  # fmt: skip


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
