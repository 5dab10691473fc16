"""One timeline interface for every subject: `record_event` writes an event, `subject_events` lists them.

A module whose subject has a typed event table (hazards → HazardEvent) registers a `Timeline` for it;
any other subject is kept in `core.SubjectEvent`. Callers — the escalation engine, reminders, a new
module — never need to know which.
"""

from .registry import registry


def _label(subject):
    return subject._meta.label_lower


def actor_fields(actor):
    """The actor columns every event table has: the user (None for the system) and the name shown."""
    real = actor is not None and getattr(actor, "pk", None)
    return {"actor": actor if real else None, "actor_name": actor.display_name if real else "系统"}


def record_event(subject, action, *, actor=None, note="", data=None, region_code=None, **extra):
    """Append an event to `subject`'s timeline (`actor` None is the system). Call inside the caller's
    transaction. `extra` goes to a typed table's own columns (from_status, to_status …)."""
    from zhiben.audit.services import jsonable

    timeline = registry["timelines"].get(_label(subject))
    if timeline is not None:
        return timeline.record(subject, action, actor=actor, note=note, data=data or {}, **extra)
    from .models import SubjectEvent

    if region_code is None:
        region_code = getattr(subject, "region_id", None) or getattr(subject, "region_code", "") or ""
    return SubjectEvent.objects.create(
        subject_type=_label(subject),
        subject_id=str(subject.pk),
        region_code=region_code,
        action=action,
        note=note,
        data=jsonable(data or {}),
        **actor_fields(actor),
    )


def subject_events(subject):
    """The subject's events, oldest first (each has at, actor_name, action, note, data)."""
    timeline = registry["timelines"].get(_label(subject))
    if timeline is not None:
        return list(timeline.events(subject))
    from .models import SubjectEvent

    return list(SubjectEvent.objects.filter(subject_type=_label(subject), subject_id=str(subject.pk)))
