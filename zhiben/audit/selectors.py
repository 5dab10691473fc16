"""Reads of the audit log, always through `for_user`."""

from datetime import datetime, time, timedelta

from django.apps import apps
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import AuditEvent


def object_type_choices():
    """(label_lower, verbose name) of the project's models, for the object-type filter."""
    return sorted(
        (model._meta.label_lower, f"{model._meta.verbose_name}（{model._meta.label_lower}）")
        for model in apps.get_models()
        if model.__module__.startswith("zhiben.")
    )


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(*, user, filters=None):
    """Events `user` may read, narrowed by action prefix, actor, object, date range and outcome."""
    filters = filters or {}
    qs = AuditEvent.objects.for_user(user)
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"].strip())
    if filters.get("actor"):
        qs = qs.filter(actor_name__icontains=filters["actor"].strip())
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("object_id"):
        qs = qs.filter(object_id=str(filters["object_id"]).strip())
    if filters.get("date_from"):
        qs = qs.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(at__lt=_day_start(filters["date_to"] + timedelta(days=1)))
    if filters.get("success") == "1":
        qs = qs.filter(success=True)
    elif filters.get("success") == "0":
        qs = qs.filter(success=False)
    return qs.order_by("-seq")


def audit_event_get(*, user, pk):
    return get_object_or_404(AuditEvent.objects.for_user(user), pk=pk)


def audit_changes(event):
    """Rows (field, before, after) for the detail page, from the shapes services record.

    {"changes": {field: [old, new]}} for updates, {"after": {...}} for creations, {"before": ..., "after": ...}.
    """
    data = event.data if isinstance(event.data, dict) else {}
    if isinstance(data.get("changes"), dict):
        return [
            (field, pair[0], pair[1]) if isinstance(pair, list) and len(pair) == 2 else (field, "", pair)
            for field, pair in data["changes"].items()
        ]
    before, after = data.get("before"), data.get("after")
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        return [(field, before.get(field, ""), after.get(field, "")) for field in dict.fromkeys([*before, *after])]
    return []
