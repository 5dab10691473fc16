"""Reminders before deadlines (a job of `tick`/`run_worker`), for every deadline a module registers.

A module registers a `Reminder` (see zhiben/core/registry.py): which objects have a deadline soon,
how to re-read one under a row lock, who is told and what they are told. N days before the deadline
(N is the reminder's rule, per jurisdiction) the people who must act are told. Each reminder is a
claim row (`ReminderRecord`, unique per kind, object and deadline), an event on the object's
timeline, an audit row and the notifications, in one transaction: exactly once per object and
deadline, even with several workers at once. A deadline moved by an extension is reminded afresh.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.registry import entry, ordered
from zhiben.core.rules import RuleResolver
from zhiben.core.services import claim_once
from zhiben.core.timeline import record_event

from .models import ReminderRecord
from .services import notify

REMINDER_ACTION = "reminder"


def due_in(days_left):
    """How near a deadline is, as a reminder says it: 今天到期, 还有 3 天到期."""
    return "今天到期" if days_left == 0 else f"还有 {days_left} 天到期"


def remind(reminder, obj, *, today):
    """Remind about `obj`'s current deadline unless that was done already. Returns True if sent."""
    with transaction.atomic():
        current = reminder.current(obj, today)
        if current is None:
            return False
        deadline = reminder.deadline(current)
        region_code = getattr(current, "region_id", None) or getattr(current, "region_code", "") or ""
        claim = {"kind": reminder.key, "object_id": str(current.pk), "deadline": deadline, "region_code": region_code}
        if claim_once(ReminderRecord, **claim) is None:
            return False
        days_left = (deadline - today).days
        when = due_in(days_left)
        record_event(
            current,
            REMINDER_ACTION,
            note=f"期限 {deadline}，{when}",
            region_code=region_code,
            data={"key": f"reminder:{deadline}", "deadline": deadline, "days_left": days_left},
        )
        audit_record(
            actor=None,
            action=reminder.audit_action or f"{reminder.key}.reminder",
            obj=current,
            region_code=region_code,
            data={"deadline": deadline, "days_left": days_left},
        )
        subject, body = reminder.describe(current, deadline, days_left)
        users, contacts = reminder.recipients(current)
        notify(
            subject=subject,
            body=body,
            url=current.get_absolute_url(),
            users=users,
            contacts=contacts,
            obj=current,
            region_code=region_code,
        )
    return True


def remind_deadlines(key, *, today=None):
    """Remind about every object of reminder `key` whose deadline is within its jurisdiction's window."""
    reminder = entry("reminders", key)
    today = today or timezone.localdate()
    days = RuleResolver(reminder.days_rule)
    horizon = today + timedelta(days=max(days.largest(), 0))
    count = 0
    for obj, deadline, region_code in reminder.due(today, horizon):
        if deadline - timedelta(days=int(days.value(region_code))) > today:
            continue
        if remind(reminder, obj, today=today):
            count += 1
    return count


def remind_all(*, today=None):
    """The job: every registered reminder in turn. Returns {reminder label: reminders sent}."""
    return {reminder.label: remind_deadlines(reminder.key, today=today) for reminder in ordered("reminders")}
