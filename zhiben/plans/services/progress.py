"""Progress reports and their review, indicators and filing (备案)."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.audit.services import audit_record, jsonable
from zhiben.core.evidence import store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.periods import PeriodError, parse_period
from zhiben.core.registry import registry
from zhiben.core.scoping import in_subtree, region_chain
from zhiben.core.timeline import actor_fields
from zhiben.notifications.services import notify
from zhiben.regions.choices import UnitKind
from zhiben.regions.models import Region, Unit

from ..choices import MilestoneStatus, PlanStatus, ReportStatus
from ..models import (
    Indicator,
    IndicatorValue,
    Milestone,
    Plan,
    PlanFiling,
    ProgressAttachment,
    ProgressEvent,
    ProgressReport,
)
from ..workflow import BATCH, NOTE_REQUIRED, TRANSITIONS, has_duty, may_report
from .plans import _lock_task, _require, _visible_plan

# ---------------------------------------------------------------- progress reports


def _percentage(value):
    try:
        number = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise ApplicationError(
            "完成进度应为 0–100 的整数。", errors=[{"field": "percentage", "message": "完成进度应为 0–100 的整数。"}]
        ) from None
    if not 0 <= number <= 100:
        raise ApplicationError(
            "完成进度应为 0–100 的整数。", errors=[{"field": "percentage", "message": "完成进度应为 0–100 的整数。"}]
        )
    return number


def progress_event(report, action, *, actor=None, note="", data=None, from_status="", to_status=""):
    """Append an event to a progress report's timeline (registered with the platform as its Timeline)."""
    return ProgressEvent.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=jsonable(data or {}),
        **actor_fields(actor),
    )


def _reviewers(plan):
    """The 安委办 users whose jurisdiction holds the plan (they review its reports)."""
    from zhiben.accounts.models import User

    return User.objects.filter(role=Role.COMMITTEE_ADMIN, is_active=True, region_id__in=region_chain(plan.region_id))


@transaction.atomic
def progress_report_submit(*, actor, task, text, percentage, milestone=None, files=(), today=None):
    """A responsible unit reports progress on a task (for one milestone: the given one, else the
    earliest not completed). The milestone becomes 推进中; the 安委办 is told to review."""
    current = _lock_task(actor, task)
    if not may_report(actor, current):
        raise ApplicationError("只有该任务的牵头或责任单位可以报送进展（方案须已发布）。", code="forbidden")
    text = (text or "").strip()
    if len(text) < 4:
        raise ApplicationError(
            "请填写工作进展（至少4个字）。", errors=[{"field": "text", "message": "请填写工作进展（至少4个字）。"}]
        )
    percentage = _percentage(percentage)
    milestones = current.milestones.all()
    if milestone not in (None, ""):
        target = milestones.filter(pk=getattr(milestone, "pk", milestone)).first()
        if target is None:
            raise ApplicationError(
                "所选节点不属于该任务。", errors=[{"field": "milestone", "message": "所选节点不属于该任务。"}]
            )
    else:
        target = milestones.exclude(status=MilestoneStatus.COMPLETED).order_by("due_date").first()
    if target is not None and target.status == MilestoneStatus.COMPLETED:
        raise ApplicationError(f"节点“{target.label}”已完成，无需再报。", code="bad_state")
    report = ProgressReport.objects.create(
        task=current,
        milestone=target,
        unit=actor.unit,
        text=text,
        percentage=percentage,
        submitted_by=actor,
        created_by=actor,
    )
    progress_event(report, "submit", actor=actor, to_status=ReportStatus.PENDING, note=f"{percentage}%")
    for upload in files or ():
        _attach(report, actor, upload, current.plan.region_id)
    if target is not None:
        Milestone.objects.filter(pk=target.pk, status=MilestoneStatus.NOT_STARTED).update(
            status=MilestoneStatus.IN_PROGRESS
        )
    audit_record(
        actor=actor,
        action="plan.report_submit",
        obj=report,
        region_code=current.plan.region_id,
        data={
            "task": current.pk,
            "milestone": target.pk if target else None,
            "percentage": percentage,
            "attachments": report.attachments.count(),
        },
    )
    notify(
        subject=f"待审核：{actor.unit.name}报送任务进展",
        body=f"{current.content[:80]}（{percentage}%）",
        url=report.get_absolute_url(),
        users=_reviewers(current.plan),
        obj=report,
        region_code=current.plan.region_id,
    )
    return report


def _attach(report, actor, upload, region_code):
    return store_upload(
        ProgressAttachment(report=report, uploaded_by=actor),
        upload,
        size_rule="plan.attachment_max_mb",
        region_code=region_code,
    )


@transaction.atomic
def progress_report_attach(*, actor, report, files):
    """Add evidence to a report not yet accepted (by the reporting unit)."""
    if not ProgressReport.objects.for_user(actor).filter(pk=report.pk).exists():
        raise ScopeError()
    current = ProgressReport.objects.select_related("task__plan").get(pk=report.pk)
    if not has_duty(actor, current, "report", in_scope=True) or current.status == ReportStatus.ACCEPTED:
        raise ApplicationError("只有报送单位可以为未采纳的进展补充材料。", code="forbidden")
    saved = [_attach(current, actor, f, current.task.plan.region_id) for f in files]
    audit_record(
        actor=actor,
        action="plan.report_attach",
        obj=current,
        region_code=current.task.plan.region_id,
        data={"files": [a.sha256 for a in saved]},
    )
    return saved


@transaction.atomic
def progress_report_transition(*, actor, report, action, note="", text=None, percentage=None, today=None):
    """Move a report along the review table. A conditional UPDATE makes sure that of two reviewers
    acting at once only one wins. Accepting a 100% report completes its milestone."""
    if action not in TRANSITIONS:
        raise ApplicationError(f"未知的操作“{action}”。")
    spec = TRANSITIONS[action]
    if not ProgressReport.objects.for_user(actor).filter(pk=report.pk).exists():
        raise ScopeError()
    current = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("task__plan", "milestone")
        .get(pk=report.pk)
    )
    if not has_duty(actor, current, spec.duty, in_scope=True):
        raise ApplicationError(f"您无权对该进展执行“{spec.label}”。", code="forbidden")
    if current.status not in spec.sources:
        raise ApplicationError(
            f"当前状态为“{ReportStatus(current.status).label}”，不能执行“{spec.label}”。", code="bad_state"
        )
    note = (note or "").strip()
    if action in NOTE_REQUIRED and not note:
        message = f"{spec.label}须填写{NOTE_REQUIRED[action]}。"
        raise ApplicationError(message, code="incomplete", errors=[{"field": "note", "message": message}])
    now = timezone.now()
    fields = {"status": spec.target, "updated_at": now}
    if spec.duty == "review":
        fields.update(reviewed_by=actor, reviewed_at=now, review_note=note)
    else:
        fields["submitted_at"] = now
        if text is not None and len(text.strip()) >= 4:
            fields["text"] = text.strip()
        if percentage not in (None, ""):
            fields["percentage"] = _percentage(percentage)
    updated = ProgressReport.objects.filter(pk=current.pk, status=current.status).update(**fields)
    if updated != 1:
        latest = ProgressReport.objects.get(pk=current.pk)
        raise ApplicationError(
            f"该进展已被他人处理（当前状态：{ReportStatus(latest.status).label}），请刷新后查看。", code="conflict"
        )
    old_status = current.status
    progress_event(current, action, actor=actor, from_status=old_status, to_status=spec.target, note=note)
    current.refresh_from_db()
    milestone = current.milestone
    if action == "accept" and milestone is not None:
        if current.percentage >= 100:
            Milestone.objects.filter(pk=milestone.pk).exclude(status=MilestoneStatus.COMPLETED).update(
                status=MilestoneStatus.COMPLETED, completed_on=timezone.localtime(current.submitted_at).date()
            )
        else:
            Milestone.objects.filter(pk=milestone.pk, status=MilestoneStatus.NOT_STARTED).update(
                status=MilestoneStatus.IN_PROGRESS
            )
    audit_record(
        actor=actor,
        action=f"plan.report_{action}",
        obj=current,
        region_code=current.task.plan.region_id,
        data={"from": old_status, "to": spec.target, "note": note, "milestone": milestone.pk if milestone else None},
    )
    if action == "return" and current.submitted_by_id:
        notify(
            subject="任务进展被退回",
            body=f"{current.task.content[:60]}：{note}",
            url=current.get_absolute_url(),
            users=[current.submitted_by],
            obj=current,
            region_code=current.task.plan.region_id,
        )
    return current


def progress_report_transition_many(*, actor, ids, action, note=""):
    """采纳 or 退回 many reports at once from the review list, each by progress_report_transition on its own
    (core.workflow.transition_many: what cannot be moved is reported with the reason, the rest done)."""
    return BATCH.run(
        ProgressReport.objects.for_user(actor),
        ids,
        action,
        note,
        lambda report: progress_report_transition(actor=actor, report=report, action=action, note=note),
    )


# ---------------------------------------------------------------- indicators


def _decimal(value, label, field):
    try:
        number = Decimal(str(value).replace(",", "").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(
            f"{label}应为数字。", errors=[{"field": field, "message": f"{label}应为数字。"}]
        ) from None
    if not number.is_finite():
        raise ApplicationError(f"{label}应为数字。", errors=[{"field": field, "message": f"{label}应为数字。"}])
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def indicator_save(*, actor, plan, data, indicator=None):
    """Create or change a quantitative indicator of a plan."""
    _require(actor, "plan.manage", "只有安委办管理员可以设置指标。")
    current = _visible_plan(actor, plan)
    name = str(data.get("name") or "").strip()[:200]
    if not name:
        raise ApplicationError("请填写指标名称。", errors=[{"field": "name", "message": "请填写指标名称。"}])
    task = None
    if data.get("task"):
        task = current.tasks.filter(pk=getattr(data["task"], "pk", data["task"])).first()
        if task is None:
            raise ApplicationError("所选任务不属于该方案。")
    figure_key = str(data.get("figure_key") or "").strip()
    if figure_key and figure_key not in registry["figures"]:
        raise ApplicationError(
            "所选实时取数口径不存在。", errors=[{"field": "figure_key", "message": "所选实时取数口径不存在。"}]
        )
    values = {
        "name": name,
        "task": task,
        "figure_key": figure_key,
        "target_value": _decimal(data.get("target_value"), "目标值", "target_value"),
        "measure": str(data.get("measure") or "").strip()[:20],
        "direction": data.get("direction") or "at_least",
        "period": data.get("period") or "year",
    }
    if values["direction"] not in ("at_least", "at_most") or values["period"] not in ("year", "quarter"):
        raise ApplicationError("达标方向或统计周期无效。")
    if indicator is None:
        indicator = Indicator.objects.create(plan=current, created_by=actor, **values)
        action = "plan.indicator_create"
    else:
        indicator = Indicator.objects.for_user(actor).filter(pk=indicator.pk, plan=current).first()
        if indicator is None:
            raise ScopeError()
        for k, v in values.items():
            setattr(indicator, k, v)
        indicator.save()
        action = "plan.indicator_update"
    audit_record(
        actor=actor,
        action=action,
        obj=indicator,
        region_code=current.region_id,
        data={k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()},
    )
    return indicator


@transaction.atomic
def indicator_report(*, actor, indicator, period, value, note=""):
    """Report an indicator's value for a period ("2024" or "2024Q2"); a unit's new value for the
    same period replaces its old one."""
    if not Indicator.objects.for_user(actor).filter(pk=indicator.pk).exists():
        raise ScopeError()
    current = Indicator.objects.select_related("plan", "task").get(pk=indicator.pk)
    if not Plan.objects.visible_to(actor).filter(pk=current.plan_id, status=PlanStatus.PUBLISHED).exists():
        raise ApplicationError("方案发布后才能报送指标。", code="bad_state")
    manager = actor.can("plan.manage")
    if not manager:
        if not (actor.can("plan.report") and actor.unit_id):
            raise ApplicationError("您的角色无权报送指标。", code="forbidden")
        if current.task_id and not may_report(actor, current.task):
            raise ApplicationError("只有该任务的牵头或责任单位可以报送此指标。", code="forbidden")
    text = str(period or "").strip()
    try:
        period = parse_period(text)
    except PeriodError:
        period = None
    if (
        period is None
        or period.kind != current.period  # "year" or "quarter"
        or not current.plan.start_year <= period.start.year <= current.plan.end_year
    ):
        example = f"{current.plan.start_year}Q1" if current.period == "quarter" else str(current.plan.start_year)
        raise ApplicationError(
            f"统计期“{text}”无效（如 {example}，须在方案年度内）。",
            errors=[{"field": "period", "message": "统计期无效。"}],
        )
    number = _decimal(value, "数值", "value")
    row, created = IndicatorValue.objects.update_or_create(
        indicator=current,
        period=period.code,  # "2026" or "2026Q2", however it was written
        unit=actor.unit if actor.unit_id else None,
        defaults={"value": number, "note": str(note or "")[:300], "reported_by": actor, "reported_at": timezone.now()},
    )
    audit_record(
        actor=actor,
        action="plan.indicator_report",
        obj=current,
        region_code=current.plan.region_id,
        data={"period": period.code, "value": number, "created": created},
    )
    return row


# ---------------------------------------------------------------- filing (备案)


def upper_region(region_code):
    chain = region_chain(region_code)
    return chain[1] if len(chain) > 1 else None


@transaction.atomic
def plan_file(*, actor, plan, note=""):
    """File (备案) this version of a plan or list with the upper level's 安委办."""
    _require(actor, "plan.manage", "只有安委办管理员可以办理备案。")
    current = _visible_plan(actor, plan, lock=True)
    if current.status != PlanStatus.PUBLISHED:
        raise ApplicationError("请先发布，再向上级备案。", code="bad_state")
    code = upper_region(current.region_id)
    if code is None or not Region.objects.filter(code=code).exists():
        raise ApplicationError("该方案所属区划没有上级区划，无需备案。", code="bad_state")
    if PlanFiling.objects.filter(plan=current).exists():
        raise ApplicationError(f"第{current.version}版已备案。", code="bad_state")
    to_unit = Unit.objects.filter(region_id=code, kind=UnitKind.COMMITTEE_OFFICE, is_active=True).order_by("id").first()
    filing = PlanFiling.objects.create(
        plan=current,
        version=current.version,
        to_region_id=code,
        to_unit=to_unit,
        filed_by=actor,
        note=str(note or "")[:300],
    )
    audit_record(
        actor=actor,
        action="plan.file",
        obj=current,
        data={"version": current.version, "to": code, "to_unit": to_unit.name if to_unit else ""},
    )
    upper = [u for u in _reviewers(current) if u.region_id and in_subtree(code, u.region_id)]
    notify(
        subject=f"备案：{current.region.name}{current.get_kind_display()}（第{current.version}版）",
        body=current.title,
        url=reverse("plans:filings"),
        users=upper,
        obj=current,
        region_code=code,
    )
    return filing
