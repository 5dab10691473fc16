"""Running the escalation ladder, and editing it.

The ladder serves every kind of object a module registers as an `EscalationTarget` (see
zhiben/core/registry.py); this module knows none of them. `escalate_all` is a job of
`tick`/`run_worker`: for every overdue object of every target it takes each step whose threshold has
passed and that was not yet taken — exactly once, guarded by a unique constraint, so two workers
running at once cannot double a step. Each step writes its record, an event on the object's
timeline, its document (if the step names a kind), an audit row and the notifications, in one
transaction. A failing step (a document template broken, say) is rolled back alone and retried on
the next pass; the others go on.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError
from zhiben.core.registry import entry, ordered
from zhiben.core.scoping import code_level, in_subtree, region_chain
from zhiben.core.services import claim_once
from zhiben.core.timeline import record_event

from .choices import Action
from .models import EscalationRecord, LadderStep

log = logging.getLogger("zhiben.escalation")

# from these steps on, the 安委办 itself is told
COMMITTEE_ACTIONS = (Action.BULLETIN, Action.INTERVIEW, Action.PROPOSE_LISTING)


def ladder_for(target, region_code):
    """The steps in force for an object in `region_code`: the nearest jurisdiction's own ladder, else the default."""
    chain = region_chain(region_code, national=True)
    steps = list(LadderStep.objects.filter(target=target, region_code__in=chain))
    for code in chain:
        own = [s for s in steps if s.region_code == code]
        if own:
            return sorted(own, key=lambda s: s.order)
    return [
        LadderStep(target=target, region_code="", order=o, action=a, name=n, days=d, major_only=m, document_kind=k)
        for o, (a, n, d, m, k) in enumerate(entry("escalation_targets", target).ladder, start=1)
    ]


def step_documents(target):
    """[(key, label)] of the document kinds a step of `target` (an EscalationTarget) may issue."""
    return [
        (k.key, k.label)
        for k in ordered("document_kinds")
        if k.subject_model == target.model and not k.form and (target.documents is None or k.key in target.documents)
    ]


def validate_ladder(steps, target):
    """steps: [{"action", "name", "days", "major_only", "document_kind"}] in order, of `target` (an EscalationTarget),
    whose documents they may issue. Returns a list of Chinese errors."""
    documents = dict(step_documents(target))
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
        kind = step.get("document_kind") or ""
        if kind and kind not in documents:
            errors.append(f"第 {index} 步的公文“{kind}”不能在此生成（可选：{'、'.join(documents.values()) or '无'}）。")
    return errors


@transaction.atomic
def ladder_save(*, actor, target, region_code, steps):
    """Replace the ladder of `region_code` (the actor's own jurisdiction) with `steps`."""
    target = entry("escalation_targets", target).key
    if not actor.can("escalation.manage"):
        raise ApplicationError("只有安委办管理员可以设置督办升级规则。", code="forbidden")
    if not actor.is_superuser and not (actor.region_id and in_subtree(region_code, actor.region_id)):
        raise ApplicationError("只能设置本辖区的督办升级规则。", code="forbidden")
    errors = validate_ladder(steps, entry("escalation_targets", target))
    if errors:
        raise ApplicationError("；".join(errors), errors=[{"message": e} for e in errors])
    before = [(s.order, s.action, s.days) for s in LadderStep.objects.filter(target=target, region_code=region_code)]
    LadderStep.objects.filter(target=target, region_code=region_code).delete()
    LadderStep.objects.bulk_create(
        [
            LadderStep(
                target=target,
                region_code=region_code,
                order=i,
                action=s["action"],
                name=s["name"].strip()[:60],
                days=int(s["days"]),
                major_only=bool(s.get("major_only")),
                document_kind=s.get("document_kind") or "",
            )
            for i, s in enumerate(steps, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="escalation.ladder_save",
        object_type="escalation.ladderstep",
        object_id=region_code,
        object_repr=f"督办升级规则（{target}）",
        region_code=region_code,
        data={"before": before, "after": steps},
    )


@transaction.atomic
def ladder_reset(*, actor, target, region_code):
    """Drop a jurisdiction's own ladder so the inherited one applies again."""
    if not actor.can("escalation.manage"):
        raise ApplicationError("只有安委办管理员可以设置督办升级规则。", code="forbidden")
    deleted, _ = LadderStep.objects.filter(target=target, region_code=region_code).delete()
    audit_record(
        actor=actor,
        action="escalation.ladder_reset",
        object_type="escalation.ladderstep",
        object_id=region_code,
        object_repr=f"恢复默认督办升级规则（{target}）",
        region_code=region_code,
        data={"deleted": deleted},
    )


# ---------------------------------------------------------------- taking steps


def _town_and_county(region_code):
    return [code for code in region_chain(region_code) if code_level(code) in (3, 4)]


def committee_unit(region_code):
    """The 安委办 of the object's town, else of its county: who issues a step's document by default."""
    from zhiben.regions.models import Unit

    return (
        Unit.objects.filter(kind="committee", region_id__in=_town_and_county(region_code), is_active=True)
        .order_by("-region_id")
        .first()
    )


def committee_admins(region_code, step=None):
    """The 安委办 administrators of the object's town and county — with `step`, only when the step is
    one the 安委办 itself must follow (通报, 约谈, 提请挂牌督办)."""
    from zhiben.accounts.models import User

    if step is not None and step.action not in COMMITTEE_ACTIONS:
        return []
    return list(
        User.objects.filter(
            role="anweiban_admin", is_active=True, unit__kind="committee", region_id__in=_town_and_county(region_code)
        )
    )


# What an automatically issued document states that no record holds (issue 25: the automatic 约谈通知书
# said "____" for time, place and contact): per jurisdiction on the rules page.
AUTOMATIC_DOCUMENT_RULE = "escalation.document.arrangements"
AUTOMATIC_DOCUMENT_DEFAULT = {"workdays": 5, "time": "上午9时", "place": "", "contact": "", "phone": ""}


def automatic_document_fields(kind_key, unit, region_code, today=None):
    """The values of an automatic document's inputs (约谈时间, 约谈地点, 联系人, 联系电话) from the rule
    of the jurisdiction and the issuing unit; only those the kind asks for."""
    from zhiben.core.registry import registry
    from zhiben.core.rules import rule

    kind = registry["document_kinds"].get(kind_key)
    wanted = {entry[0] for entry in getattr(kind, "inputs", ())}
    if not wanted:
        return {}
    settings = {**AUTOMATIC_DOCUMENT_DEFAULT, **(rule(AUTOMATIC_DOCUMENT_RULE, region_code) or {})}
    day = today or timezone.localdate()
    left = max(int(settings.get("workdays") or 0), 1)
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    values = {
        "约谈时间": f"{day.year}年{day.month}月{day.day}日{settings.get('time') or ''}",
        "约谈地点": settings.get("place") or f"{unit.name}会议室",
        "联系人": settings.get("contact") or f"{unit.name}办公室",
        "联系电话": settings.get("phone") or f"由{unit.name}另行电话告知",
    }
    return {key: value for key, value in values.items() if key in wanted and value}


def take_step(target, obj, step, days_overdue, region_code, passed_over=()):
    """One step on one object, in its own transaction. Returns the record, or None when already taken.
    `passed_over`: the names of earlier steps that fell due before this pass and are not taken (see `escalate`)."""
    from zhiben.notifications.services import notify

    with transaction.atomic():
        industry_id = target.industry(obj) if target.industry else None
        record = claim_once(
            EscalationRecord,
            target=target.key,
            object_id=obj.pk,
            step_order=step.order,
            action=step.action,
            name=step.name,
            region_code=region_code,
            industry_id=industry_id,
            days_overdue=days_overdue,
        )
        if record is None:
            return None  # another worker took this step first
        unit = target.issuing_unit(obj) if target.issuing_unit else committee_unit(region_code)
        if step.document_kind:
            from zhiben.documents.services import document_issue

            record.document = document_issue(
                actor=None,
                kind=step.document_kind,
                subject=obj,
                unit=unit,
                extra={
                    **automatic_document_fields(step.document_kind, unit, region_code),
                    "逾期天数": days_overdue,
                    "督办措施": step.name,
                },
            )
            record.save(update_fields=["document"])
        number = record.document.number if record.document_id else None
        note = f"{step.name}：已逾期 {days_overdue} 天" + (f"，{number}" if number else "")
        if passed_over:
            note += f"（{'、'.join(passed_over)}的期限已过，不再单独执行）"
        subject = target.timeline_subject(obj) if target.timeline_subject else obj
        record_event(
            subject,
            "escalate",
            note=note,
            region_code=region_code,
            data={"action": step.action, "days": days_overdue, "document": number, "passed_over": list(passed_over)},
        )
        audit_record(
            actor=None,
            action=target.audit_action.format(action=step.action),
            obj=obj,
            region_code=region_code,
            data={
                "step": step.name,
                "days_overdue": days_overdue,
                "document": record.document_id,
                "passed_over": list(passed_over),
            },
        )
        title, body = target.describe(obj, step, days_overdue)
        users, contacts = target.recipients(obj, step, unit)
        notify(
            subject=title,
            body=body,
            url=obj.get_absolute_url(),
            users=users,
            contacts=contacts,
            obj=obj,
            region_code=region_code,
        )
        return record


def escalate(target, *, today=None):
    """On each overdue object of `target` (a key), the steps of the furthest threshold due among those after the steps
    already taken (steps of one threshold — 约谈 and 提请挂牌督办 at 30 days — are taken together). A pass that finds
    several thresholds due at once (the first pass over a ledger of old hazards, or one after the job stood still)
    takes only the furthest: a 31-day-late hazard gets its 约谈, not a reminder, a 督办函, a 通报 and a 约谈 on one day;
    the steps passed over are named in the timeline and the audit. Returns how many steps were taken."""
    target = entry("escalation_targets", target)
    today = today or timezone.localdate()
    items = list(target.overdue(today))
    taken, ladders = 0, {}
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        done = {}
        for object_id, action in EscalationRecord.objects.filter(
            target=target.key, object_id__in=[i.obj.pk for i in chunk]
        ).values_list("object_id", "action"):
            done.setdefault(object_id, set()).add(action)
        for item in chunk:
            if item.region_code not in ladders:
                ladders[item.region_code] = ladder_for(target.key, item.region_code)
            ladder, taken_actions = ladders[item.region_code], done.get(item.obj.pk, set())
            # from the furthest threshold already reached on: a step of it that failed is tried again
            reached = max((step.days for step in ladder if step.action in taken_actions), default=-1)
            due = [
                step
                for step in ladder
                if reached <= step.days <= item.days
                and step.action not in taken_actions
                and not (step.major_only and not item.major)
                and not (target.skip and target.skip(item.obj, step))
            ]
            if not due:
                continue
            rung = due[-1].days  # the furthest threshold reached: its steps (one rung may hold several) are taken
            passed_over = [step.name for step in due if step.days < rung]
            for step in due:
                if step.days < rung:
                    continue
                try:
                    if take_step(target, item.obj, step, item.days, item.region_code, passed_over) is not None:
                        taken += 1
                except Exception:  # one failing step must not stop the others; it is retried next pass
                    log.exception("escalation step %s on %s %s failed", step.action, target.key, item.obj.pk)
    return taken


def escalate_all(*, today=None):
    """The job: every registered target in turn. Returns {target label: steps taken}."""
    return {target.label: escalate(target.key, today=today) for target in ordered("escalation_targets")}
