"""Reminders before a hazard's rectification deadline (a job of `tick`/`run_worker`).

N days before the deadline (rule "hazard.reminder_days", per jurisdiction, default 3) the people who
must act are told: while the enterprise is rectifying, its users and the 整改责任人; and always the
supervising department (and the listing unit of a 挂牌督办 hazard). `hazard.deadline` already holds
the deadline after granted extensions, so an extension brings a fresh reminder for the new date.
Each reminder is a HazardEvent (action "reminder", data {"key": "reminder:<deadline>"}) written with
its audit record and notifications in one transaction, under a lock on the hazard's row: exactly once
per hazard and deadline, even with several workers at once.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record, jsonable
from zhiben.core.rules import DEFAULTS
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard, HazardEvent

from .rules import RuleResolver
from .services import notify

REMINDER_ACTION = "reminder"
REMINDED_STATUSES = (Status.VERIFIED, Status.RECTIFYING, Status.SUBMITTED)


def hazard_event(hazard, action, *, note="", data=None, actor=None):
    """Append an event to a hazard's timeline (the system acts when `actor` is None)."""
    return HazardEvent.objects.create(
        hazard=hazard, actor=actor, actor_name=actor.display_name if actor is not None else "系统",
        action=action, note=note, data=jsonable(data or {}))


def reminder_recipients(hazard):
    """(users, contacts) to remind: the enterprise side while it still has to rectify, and the departments."""
    users, contacts = [], []
    if hazard.status != Status.SUBMITTED:
        if hazard.enterprise is not None:
            users += list(hazard.enterprise.users.filter(is_active=True))
        if hazard.responsible_phone:
            contacts.append((f"{hazard.responsible_person or '整改责任人'}（整改责任人）", hazard.responsible_phone))
    for unit in (hazard.supervising_unit, hazard.listed_unit):
        if unit is not None:
            users += list(unit.users.filter(is_active=True))
    return users, contacts


def hazard_remind(hazard, *, today):
    """Remind about `hazard`'s current deadline unless that was done already. Returns True if sent."""
    with transaction.atomic():
        current = (Hazard.objects.select_for_update(of=("self",))
                   .select_related("enterprise", "supervising_unit", "listed_unit").get(pk=hazard.pk))
        if current.status not in REMINDED_STATUSES or current.deadline is None or current.deadline < today:
            return False
        key = f"reminder:{current.deadline}"
        if current.events.filter(action=REMINDER_ACTION, data__key=key).exists():
            return False
        days_left = (current.deadline - today).days
        when = "今天到期" if days_left == 0 else f"还有 {days_left} 天到期"
        hazard_event(current, REMINDER_ACTION, note=f"整改期限 {current.deadline}，{when}",
                     data={"key": key, "deadline": current.deadline, "days_left": days_left})
        audit_record(actor=None, action="hazard.reminder", obj=current, data={"deadline": current.deadline, "days_left": days_left})
        subject = f"隐患整改即将到期：{current.number}"
        if current.status == Status.SUBMITTED:
            body = (f"{current.subject}的隐患“{current.description[:60]}”已申请销号，整改期限 {current.deadline}（{when}），"
                    "请监管部门及时审核。")
        else:
            body = f"{current.subject}的隐患“{current.description[:60]}”整改期限为 {current.deadline}（{when}），请按期完成整改并申请销号。"
        users, contacts = reminder_recipients(current)
        notify(subject=subject, body=body, url=f"/hazards/{current.pk}/", users=users, contacts=contacts,
               obj=current, region_code=current.region_id)
    return True


def hazards_remind_deadlines(*, today=None):
    """The job: remind about every hazard whose deadline is within its jurisdiction's reminder window."""
    today = today or timezone.localdate()
    days = RuleResolver("hazard.reminder_days", DEFAULTS["hazard.reminder_days"][0])
    horizon = today + timedelta(days=max(days.largest(), 0))
    candidates = (Hazard.objects.filter(status__in=REMINDED_STATUSES, deadline__gte=today, deadline__lte=horizon)
                  .only("pk", "region_id", "deadline").order_by("deadline", "pk"))
    count = 0
    for hazard in candidates.iterator():
        if hazard.deadline - timedelta(days=int(days.value(hazard.region_id))) > today:
            continue
        if hazard_remind(hazard, today=today):
            count += 1
    return count
