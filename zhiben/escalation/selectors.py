"""Reads of the escalation app: the records a user may see, with the objects they concern."""

from django.apps import apps

from zhiben.core.filters import Sort
from zhiben.core.registry import registry

from .models import EscalationRecord

# The record list's orders (?sort=key, "-key" descending)
RECORD_SORT = Sort.both_ways({"at": ("at", "id"), "days": ("days_overdue", "at", "id")}, default=("-at", "-id"))


def record_list(*, user, filters=None):
    """Steps taken in the user's jurisdiction, filtered by target and action, in the order `sort` names
    (RECORD_SORT; newest first by default): the page and its export."""
    filters = filters or {}
    qs = EscalationRecord.objects.for_user(user).select_related("document")
    if filters.get("target") in registry["escalation_targets"]:
        qs = qs.filter(target=filters["target"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    return RECORD_SORT.narrow(qs, str(filters.get("sort") or ""), None)


def with_subjects(records):
    """Set `subject` (the object, or None when it is gone) on each record of a page: one query per target."""
    records = list(records)
    wanted = {}
    for record in records:
        wanted.setdefault(record.target, set()).add(record.object_id)
    found = {}
    for key, ids in wanted.items():
        target = registry["escalation_targets"].get(key)
        if target is not None:
            model = apps.get_model(target.model)
            found.update({(key, obj.pk): obj for obj in model._default_manager.filter(pk__in=ids)})
    for record in records:
        record.subject = found.get((record.target, record.object_id))
    return records
