"""Reads of the audit log, always through `for_user`."""

from datetime import datetime, time, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhiben.core.db import as_id

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
        object_id = str(filters["object_id"]).strip()
        if filters.get("object_type") and as_id(object_id) is not None:  # and the imports that list it
            qs = qs.filter(Q(object_id=object_id) | Q(pk__in=_listing(filters["object_type"], as_id(object_id))))
        else:
            qs = qs.filter(object_id=object_id)
    if filters.get("date_from"):
        qs = qs.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(at__lt=_day_start(filters["date_to"] + timedelta(days=1)))
    if filters.get("success") == "1":
        qs = qs.filter(success=True)
    elif filters.get("success") == "0":
        qs = qs.filter(success=False)
    return qs.order_by("-seq")


def _listing(object_type, pk):
    """The ids of the import events of `object_type` that list the record `pk`: an import is audited in events of up
    to 1,000 records, each listed as [row, id, key] in data["records"] (audit.services.import_entries). The JSON is
    searched by the database, among the events of that type that name no single object."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    if connection.vendor == "postgresql":
        listed = (
            "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.data -> 'records') = 'array' "
            "THEN e.data -> 'records' ELSE '[]'::jsonb END) AS r WHERE r ->> 1 = %s)"
        )
        key = str(pk)
    else:
        listed = "EXISTS (SELECT 1 FROM json_each(e.data, '$.records') AS r WHERE json_extract(r.value, '$[1]') = %s)"
        key = pk
    return RawSQL(
        f"SELECT e.id FROM {table} AS e WHERE e.object_type = %s AND e.object_id = '' AND {listed}", [object_type, key]
    )


def import_events(object_type, pk):
    """The import events listing the record `pk` of `object_type` (see `_listing`), oldest first, each with
    `import_row`: the record's row in the imported file."""
    events = list(AuditEvent.objects.filter(pk__in=_listing(object_type, pk)).order_by("seq"))
    for event in events:
        event.import_row = next(
            (r[0] for r in (event.data or {}).get("records", []) if isinstance(r, list) and r[1:2] == [pk]), None
        )
    return events


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
