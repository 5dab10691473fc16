"""The inbox (every user), channel preferences (every user) and the outbox for the 系统管理员.

The outbox is an administrator's page (三员分立): it shows how delivery goes — channel, recipient,
status, attempts, errors — within the administrator's region, never what the messages say. Subjects
and bodies are not shown (only what kind of object a message is about), addresses are masked, and
the search finds a recipient by name or by a whole address (through its blind index)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhiben.core.exceptions import ApplicationError
from zhiben.core.views import back_to, batch_ids, paginate, query_without, require_capability

from . import services
from .choices import Channel, DeliveryStatus
from .forms import OutboxFilterForm, PreferenceForm
from .models import Notification, kind_label


@login_required
def inbox(request):
    """The user's messages, unread first; narrowed to the unread (?show=unread) and to what they are about
    (?kind=hazards.hazard: 隐患, 举报, 进展报告 …, the kinds offered with their counts)."""
    qs = Notification.objects.filter(recipient=request.user, channel=Channel.INBOX)
    show, kind = request.GET.get("show", ""), request.GET.get("kind", "")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    kinds = [
        (object_type, kind_label(object_type), n)
        for object_type, n in qs.values_list("object_type").annotate(n=Count("id")).order_by("-n", "object_type")
    ]
    if kind:
        qs = qs.filter(object_type=_object_type(kind))
    qs = qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
    page = paginate(request, qs)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "query": query_without(request, "page"),
            "show": show,
            "kind": kind,
            "kind_label": "其他" if kind == "-" else next((label for key, label, _ in kinds if key == kind), ""),
            "kinds": kinds if len(kinds) > 1 else [],
            "show_query": query_without(request, "page", "kind"),
            "unread_here": qs.filter(read_at__isnull=True).count() if kind else None,
            # 批量标为已读 (includes/batch_bar.html) when the page holds an unread message
            "batch": [("read", "标为已读", "")] if any(n.is_unread for n in page) else [],
            "read_step": ["read"],
        },
    )


def _object_type(kind):
    """The object type a ?kind= names ("-": the messages about no object)."""
    return "" if kind == "-" else kind


@login_required
def inbox_open(request, pk):
    """Go to the object a message is about; a POST (the inbox's title button) also marks it read. A GET
    (a link kept elsewhere, a browser's prefetch) only redirects: a safe request changes nothing."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user, channel=Channel.INBOX)
    if request.method == "POST":
        services.inbox_mark_read(user=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def inbox_read(request):
    """Mark the chosen messages read, or with all=1 all of them (those of one kind with kind=, as the inbox shows
    them narrowed)."""
    if request.POST.get("all"):
        kind = request.POST.get("kind", "")
        count = services.inbox_mark_read(user=request.user, object_type=_object_type(kind) if kind else None)
    else:
        ids = batch_ids(request)
        count = services.inbox_mark_read(user=request.user, ids=ids) if ids else 0
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return back_to(request, "notifications:inbox")


@login_required
def preferences(request):
    preference = services.preference_for(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            for error in exc.errors:
                form.add_error(error.get("field") if error.get("field") in form.fields else None, error["message"])
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# what the outbox page reads: no subject, body or link (business content)
OUTBOX_COLUMNS = (
    "id",
    "channel",
    "to_name",
    "to_address",
    "object_type",
    "region_code",
    "created_at",
    "status",
    "attempts",
    "next_attempt_at",
    "sent_at",
    "last_error",
)


@login_required
def outbox(request):
    require_capability(request.user, "notification.admin")
    form = OutboxFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = Notification.objects.for_user(request.user).exclude(channel=Channel.INBOX)
    status = data.get("status") or ""
    qs = (
        qs.filter(status=status)
        if status
        else qs.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING, DeliveryStatus.SENDING])
    )
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("q"):
        qs = qs.filter(Q(to_name__icontains=data["q"]) | Q(to_address=data["q"].strip()))
    qs = qs.order_by("status", "next_attempt_at", "-id").only(*OUTBOX_COLUMNS)
    return render(
        request,
        "notifications/outbox.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "summary": services.outbox_summary(user=request.user),
            "max_attempts": services.MAX_ATTEMPTS,
        },
    )


@login_required
@require_POST
def outbox_retry(request, pk):
    require_capability(request.user, "notification.admin")
    note = get_object_or_404(Notification.objects.for_user(request.user).exclude(channel=Channel.INBOX), pk=pk)
    try:
        note = services.notification_retry(actor=request.user, notification=note)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if note.status == DeliveryStatus.SENT:
            messages.success(request, f"重试成功：已向 {note.to_name or note.masked_address} 发送。")
        else:
            messages.error(request, f"重试仍未成功：{note.last_error}。系统将按退避时间自动重试。")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(reverse("notifications:outbox") + (f"?{query}" if query else ""))


@login_required
@require_POST
def outbox_retry_failed(request):
    require_capability(request.user, "notification.admin")
    count = services.notification_retry_failed(actor=request.user)
    messages.success(request, f"已将 {count} 条发送失败的消息重新加入发送队列。")
    return redirect("notifications:outbox")
