"""Running the escalation ladder, and editing it.

`escalate_hazards` is a job of `tick`/`run_worker`: for every overdue hazard it takes each step
whose threshold has passed and that was not yet taken — exactly once, guarded by a unique
constraint, so two workers running at once cannot double a step. A failing step (a document
template broken, say) is rolled back alone and retried on the next pass; the others go on.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import LEVEL_PREFIX, in_subtree

from .choices import DEFAULT_LADDERS, Action, Target
from .models import EscalationRecord, LadderStep

log = logging.getLogger("zhiben.escalation")


def ladder_for(target, region_code):
    """The steps in force for an object in `region_code`: the nearest jurisdiction's own ladder, else the default."""
    chain = sorted({region_code[:n].ljust(12, "0") for n in LEVEL_PREFIX.values()} | {""}, reverse=True)
    chain = [c for c in chain if c == "" or in_subtree(region_code, c)]
    steps = list(LadderStep.objects.filter(target=target, region_code__in=chain))
    for code in chain:
        own = [s for s in steps if s.region_code == code]
        if own:
            return sorted(own, key=lambda s: s.order)
    return [LadderStep(target=target, region_code="", order=o, action=a, name=n, days=d, major_only=m, document_kind=k)
            for o, a, n, d, m, k in DEFAULT_LADDERS[target]]


def validate_ladder(steps):
    """steps: [{"action", "name", "days", "major_only", "document_kind"}] in order. Returns a list of Chinese errors."""
    errors, seen, previous = [], set(), -1
    if not steps:
        errors.append("督办升级至少需要一个步骤。")
    for index, step in enumerate(steps, start=1):
        try:
            days = int(step.get("days"))
        except (TypeError, ValueError):
            errors.append(f"第 {index} 步的逾期天数“{step.get('days')}”不是整数。")
            continue
        if days < 0:
            errors.append(f"第 {index} 步的逾期天数不能为负数。")
        if days < previous:
            errors.append(f"第 {index} 步（{days} 天）早于上一步（{previous} 天）：步骤须按逾期天数从少到多排列。")
        previous = max(previous, days)
        if step.get("action") not in Action.values:
            errors.append(f"第 {index} 步的措施“{step.get('action')}”无效。")
        elif step["action"] in seen:
            errors.append(f"措施“{Action(step['action']).label}”重复出现：每种措施只能设置一次。")
        seen.add(step.get("action"))
        if not (step.get("name") or "").strip():
            errors.append(f"第 {index} 步缺少名称。")
    return errors


@transaction.atomic
def ladder_save(*, actor, target, region_code, steps):
    """Replace the ladder of `region_code` (the actor's own jurisdiction) with `steps`."""
    if not actor.can("escalation.manage"):
        raise ApplicationError("只有安委办管理员可以设置督办升级规则。", code="forbidden")
    if not actor.is_superuser and not (actor.region_id and in_subtree(region_code, actor.region_id)):
        raise ApplicationError("只能设置本辖区的督办升级规则。", code="forbidden")
    errors = validate_ladder(steps)
    if errors:
        raise ApplicationError("；".join(errors), errors=[{"message": e} for e in errors])
    before = [(s.order, s.action, s.days) for s in LadderStep.objects.filter(target=target, region_code=region_code)]
    LadderStep.objects.filter(target=target, region_code=region_code).delete()
    LadderStep.objects.bulk_create([
        LadderStep(target=target, region_code=region_code, order=i, action=s["action"], name=s["name"].strip()[:60],
                   days=int(s["days"]), major_only=bool(s.get("major_only")), document_kind=s.get("document_kind") or "")
        for i, s in enumerate(steps, start=1)
    ])
    audit_record(actor=actor, action="escalation.ladder_save", object_type="escalation.ladderstep", object_id=region_code,
                 object_repr=f"督办升级规则（{target}）", region_code=region_code, data={"before": before, "after": steps})


@transaction.atomic
def ladder_reset(*, actor, target, region_code):
    """Drop a jurisdiction's own ladder so the inherited one applies again."""
    if not actor.can("escalation.manage"):
        raise ApplicationError("只有安委办管理员可以设置督办升级规则。", code="forbidden")
    deleted, _ = LadderStep.objects.filter(target=target, region_code=region_code).delete()
    audit_record(actor=actor, action="escalation.ladder_reset", object_type="escalation.ladderstep", object_id=region_code,
                 object_repr=f"恢复默认督办升级规则（{target}）", region_code=region_code, data={"deleted": deleted})


# ---------------------------------------------------------------- hazards

def _issuing_unit(hazard):
    from zhiben.regions.models import Unit

    if hazard.listed_unit_id:
        return hazard.listed_unit
    if hazard.supervising_unit_id:
        return hazard.supervising_unit
    town = hazard.region_id[:9].ljust(12, "0")
    county = hazard.region_id[:6].ljust(12, "0")
    return (Unit.objects.filter(kind="committee", region_id__in=[town, county], is_active=True).order_by("-region_id").first())


def _take_hazard_step(hazard, step, days_overdue):
    """One step on one hazard, in its own transaction. Returns the record, or None when already taken."""
    from zhiben.hazards.services import _event, _notify_enterprise
    from zhiben.notifications.services import notify

    with transaction.atomic():
        record = _record(Target.HAZARD, hazard, step, hazard.region_id, days_overdue)
        if record is None:
            return None  # another worker took this step first
        unit = _issuing_unit(hazard)
        if step.document_kind:
            from zhiben.documents.services import document_issue

            record.document = document_issue(actor=None, kind=step.document_kind, hazard=hazard, unit=unit,
                                             extra={"逾期天数": days_overdue, "督办措施": step.name})
            record.save(update_fields=["document"])
        note = f"{step.name}：已逾期 {days_overdue} 天" + (f"，{record.document.number}" if record.document_id else "")
        _event(hazard, None, "escalate", note=note, data={"action": step.action, "days": days_overdue,
                                                         "document": record.document.number if record.document_id else None})
        audit_record(actor=None, action=f"escalation.{step.action}", obj=hazard,
                     data={"step": step.name, "days_overdue": days_overdue, "document": record.document_id})
        subject = f"隐患{step.name}：{hazard.number}"
        body = f"隐患“{hazard.description[:60]}”整改期限 {hazard.deadline}，已逾期 {days_overdue} 天，现{step.name}。"
        _notify_enterprise(hazard, subject, body)
        staff = []
        if unit is not None:
            staff += list(unit.users.filter(is_active=True))
        if step.action in (Action.BULLETIN, Action.INTERVIEW, Action.PROPOSE_LISTING):
            from zhiben.accounts.models import User

            staff += list(User.objects.filter(role="anweiban_admin", is_active=True, unit__kind="committee",
                                              region_id__in=[hazard.region_id[:9].ljust(12, "0"), hazard.region_id[:6].ljust(12, "0")]))
        notify(subject=subject, body=body, url=f"/hazards/{hazard.pk}/", users=staff, obj=hazard, region_code=hazard.region_id)
        return record


def _escalate(target, items, take, today):
    """Take every due, not yet taken step of `target`'s ladder on each (object, region, days, major) of `items`."""
    taken, ladders = 0, {}
    for start in range(0, len(items), 500):
        chunk = items[start:start + 500]
        done = {}
        for object_id, action in EscalationRecord.objects.filter(target=target, object_id__in=[o.pk for o, *_ in chunk]).values_list("object_id", "action"):
            done.setdefault(object_id, set()).add(action)
        for obj, region_code, days, major in chunk:
            if region_code not in ladders:
                ladders[region_code] = ladder_for(target, region_code)
            for step in ladders[region_code]:
                if step.days > days or step.action in done.get(obj.pk, ()) or (step.major_only and not major):
                    continue
                try:
                    if take(obj, step, days) is not None:
                        taken += 1
                except Exception:  # one failing step must not stop the others; it is retried next pass
                    log.exception("escalation step %s on %s %s failed", step.action, target, obj.pk)
    return taken


def _record(target, obj, step, region_code, days):
    """Claim the step for the object; None when another worker already took it."""
    try:
        with transaction.atomic():
            return EscalationRecord.objects.create(target=target, object_id=obj.pk, step_order=step.order, action=step.action,
                                                   name=step.name, region_code=region_code, days_overdue=days)
    except IntegrityError:
        return None


def escalate_hazards(*, today=None):
    """Take every due ladder step on overdue hazards. Returns how many steps were taken."""
    from zhiben.hazards.models import Hazard

    today = today or timezone.localdate()
    overdue = Hazard.objects.overdue(today).select_related("enterprise", "supervising_unit", "listed_unit").order_by("deadline", "id")
    items = [(h, h.region_id, (today - h.deadline).days, h.is_major) for h in overdue]

    def take(hazard, step, days):
        if step.action == Action.PROPOSE_LISTING and hazard.listed_unit_id:
            return None
        return _take_hazard_step(hazard, step, days)

    return _escalate(Target.HAZARD, items, take, today)


def _take_plan_step(milestone, step, days):
    """One step on one overdue plan milestone: record, audit, tell the owning units (and the 安委办 from 通报 on)."""
    from zhiben.accounts.models import User
    from zhiben.notifications.services import notify
    from zhiben.plans.selectors import task_owners

    task = milestone.task
    region_code = task.plan.region_id
    with transaction.atomic():
        record = _record(Target.PLAN_TASK, milestone, step, region_code, days)
        if record is None:
            return None
        audit_record(actor=None, action=f"escalation.plan_{step.action}", object_type="plans.milestone", object_id=milestone.pk,
                     object_repr=task.content[:200], region_code=region_code,
                     data={"step": step.name, "days_overdue": days, "task": task.pk, "due": milestone.due_date})
        units = task_owners(task)
        staff = list(User.objects.filter(unit__in=units, is_active=True))
        if step.action in (Action.BULLETIN, Action.INTERVIEW):
            staff += list(User.objects.filter(role="anweiban_admin", is_active=True, unit__kind="committee", region_id=region_code))
        subject = f"行动方案任务{step.name}：{task.content[:30]}"
        body = (f"《{task.plan.title}》任务“{task.content[:80]}”应于 {milestone.due_date} 完成，已逾期 {days} 天，现{step.name}。"
                f"责任单位：{'、'.join(u.name for u in units) or '未关联单位'}。")
        notify(subject=subject, body=body, url=f"/plans/tasks/{task.pk}/", users=staff, obj=task, region_code=region_code)
        return record


def escalate_plan_tasks(*, today=None):
    """Take every due ladder step on overdue milestones of published action plans."""
    from zhiben.plans.selectors import overdue_tasks

    today = today or timezone.localdate()
    items = [(m, m.task.plan.region_id, m.days_overdue(today), False) for m in overdue_tasks(today)]
    return _escalate(Target.PLAN_TASK, items, _take_plan_step, today)
