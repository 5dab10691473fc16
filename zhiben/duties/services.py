"""Writes for the statutory reports: open (generate from data), attest, submit; and the
job that reminds enterprises before the deadline and marks those that did not submit in time."""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhiben.audit.services import audit_record, jsonable
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import RuleResolver
from zhiben.core.timeline import actor_fields
from zhiben.enterprises.choices import Status as EnterpriseStatus
from zhiben.enterprises.models import Enterprise
from zhiben.notifications.services import notify

from .choices import DEADLINE_RULES, Kind, ReportStatus
from .models import DutyEvent, PeriodReport
from .periods import closed_periods, deadline_from, parse_period
from .statistics import period_statistics

# ---------------------------------------------------------------- deadlines


class Deadlines:
    """Deadlines of many enterprises at once (one query per rule, not per enterprise)."""

    def __init__(self):
        self.rules = {kind: RuleResolver(key) for kind, key in DEADLINE_RULES.items()}

    def __call__(self, period, region_code):
        return deadline_from(self.rules[period.kind].value(region_code), period)


def deadline_for(period, region_code=""):
    """The deadline for `period` in `region_code` (nearest jurisdiction's rule, else the national default)."""
    return Deadlines()(period, region_code)


def obliged_enterprises():
    """Enterprises that owe the reports: every registered enterprise that is not closed."""
    return Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED)


def _hash(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def signed_digest(data, analysis):
    """The digest of what the principal signs: the figures and the analysis (checked again before 报送)."""
    return _hash({"data": data, "analysis": analysis})


def duty_event(report, action, *, actor=None, key="", note="", data=None):
    """Append an event to a report's timeline (registered with the platform as its Timeline). A non-empty
    `key` is unique per report: the worker's marks (reminder, overdue) happen once."""
    return DutyEvent.objects.create(
        report=report, action=action, key=key, note=note, data=jsonable(data or {}), **actor_fields(actor)
    )


def _get_or_create(enterprise, period):
    """The report row for (enterprise, period), created 未填报 if absent; safe when two create it at once."""
    defaults = {
        "kind": period.kind,
        "year": period.year,
        "quarter": period.quarter,
        "period_start": period.start,
        "period_end": period.end,
    }
    report = PeriodReport.objects.filter(enterprise=enterprise, period=period.code).first()
    if report is not None:
        return report
    try:
        with transaction.atomic():
            return PeriodReport.objects.create(enterprise=enterprise, period=period.code, **defaults)
    except IntegrityError:
        return PeriodReport.objects.get(enterprise=enterprise, period=period.code)


# ---------------------------------------------------------------- the enterprise's side


def _own_report(actor, report):
    """Lock `report` for a write by the enterprise's own user."""
    if not actor.can("duty.submit") or not actor.enterprise_id:
        raise ApplicationError("只有企业用户可以填报统计分析表。", code="forbidden")
    if not PeriodReport.objects.for_user(actor).filter(pk=report.pk, enterprise_id=actor.enterprise_id).exists():
        raise ScopeError()
    return PeriodReport.objects.select_for_update().select_related("enterprise").get(pk=report.pk)


def _generate(report, actor):
    report.data = period_statistics(report.enterprise, report.period_obj)
    report.generated_at = timezone.now()
    report.generated_by = actor
    was_attested = report.status == ReportStatus.ATTESTED
    report.status = ReportStatus.DRAFT
    report.attested_name, report.attested_by, report.attested_at, report.attested_sha256 = "", None, None, ""
    report.save()
    duty_event(
        report,
        "generate",
        actor=actor,
        note="已清除原签字确认，须重新确认" if was_attested else "",
        data={"rows": {row["key"]: row["total"] for row in report.data["rows"]}},
    )
    audit_record(
        actor=actor,
        action="duty.generate",
        obj=report,
        region_code=report.enterprise.region_id,
        data={"period": report.period, "sha256": _hash(report.data)},
    )
    return report


@transaction.atomic
def report_open(*, actor, period_code, today=None):
    """The enterprise user opens the report for a period that has ended: it is created if needed and,
    unless already signed or submitted, (re)generated from the hazard records as they stand now."""
    if not actor.can("duty.submit") or not actor.enterprise_id:
        raise ApplicationError("只有企业用户可以填报统计分析表。", code="forbidden")
    today = today or timezone.localdate()
    period = parse_period(period_code)
    if period.end >= today:
        raise ApplicationError(f"{period.label}尚未结束，期满后才能填报。", code="bad_state")
    report = _get_or_create(actor.enterprise, period)
    report = PeriodReport.objects.select_for_update().select_related("enterprise").get(pk=report.pk)
    if report.status in (ReportStatus.PENDING, ReportStatus.DRAFT):
        _generate(report, actor)
    return report


@transaction.atomic
def report_regenerate(*, actor, report):
    """Recompute the figures from the current records; a signature given earlier no longer holds."""
    current = _own_report(actor, report)
    if current.status == ReportStatus.SUBMITTED:
        raise ApplicationError("已报送的统计分析表不能重新生成。", code="bad_state")
    return _generate(current, actor)


def _same_name(a, b):
    return "".join((a or "").split()) == "".join((b or "").split())


@transaction.atomic
def report_attest(*, actor, report, name, confirmed, analysis=""):
    """签字确认 by the 主要负责人: the typed name must be the principal registered for the enterprise.
    Records the name, the account used, the time and a digest of the figures signed."""
    current = _own_report(actor, report)
    if current.status != ReportStatus.DRAFT:
        raise ApplicationError(f"当前状态为“{current.get_status_display()}”，不能签字确认。", code="bad_state")
    principal = current.enterprise.principal
    errors = []
    if not principal:
        errors.append(
            {"field": "name", "message": "本单位未登记主要负责人，请先在单位信息中填写主要负责人后再签字确认。"}
        )
    elif not _same_name(name, principal):
        errors.append(
            {
                "field": "name",
                "message": f"签字确认须由主要负责人本人进行：请填写主要负责人姓名（登记为“{principal[0]}**”）。",
            }
        )
    if not confirmed:
        errors.append({"field": "confirmed", "message": "请勾选确认统计数据真实、准确、完整。"})
    if errors:
        raise ApplicationError("；".join(e["message"] for e in errors), errors=errors)
    now = timezone.now()
    current.analysis = (analysis or "").strip()
    current.status = ReportStatus.ATTESTED
    current.attested_name, current.attested_by, current.attested_at = principal, actor, now
    current.attested_sha256 = signed_digest(current.data, current.analysis)
    current.save()
    duty_event(
        current,
        "attest",
        actor=actor,
        note=f"主要负责人 {principal} 签字确认",
        data={"name": name.strip(), "sha256": current.attested_sha256},
    )
    audit_record(
        actor=actor,
        action="duty.attest",
        obj=current,
        region_code=current.enterprise.region_id,
        data={"period": current.period, "name": name.strip(), "sha256": current.attested_sha256},
    )
    return current


@transaction.atomic
def report_submit(*, actor, report, today=None):
    """报送. Only a signed report goes; one submitted after the deadline is marked 逾期报送."""
    current = _own_report(actor, report)
    today = today or timezone.localdate()
    if current.status == ReportStatus.SUBMITTED:
        raise ApplicationError("该统计分析表已报送。", code="bad_state")
    if current.status != ReportStatus.ATTESTED:
        raise ApplicationError("统计分析表须经主要负责人签字确认后才能报送。", code="not_attested")
    if signed_digest(current.data, current.analysis) != current.attested_sha256:
        raise ApplicationError("统计数据在签字确认后发生了变化，请重新生成并签字确认。", code="bad_state")
    deadline = deadline_for(current.period_obj, current.enterprise.region_id)
    late = today > deadline
    current.status, current.submitted_at, current.submitted_by = ReportStatus.SUBMITTED, timezone.now(), actor
    current.deadline, current.late = deadline, late
    current.save()
    note = f"逾期报送（期限 {deadline}，逾期 {(today - deadline).days} 天）" if late else f"按期报送（期限 {deadline}）"
    duty_event(current, "submit", actor=actor, note=note, data={"deadline": deadline, "late": late})
    audit_record(
        actor=actor,
        action="duty.submit",
        obj=current,
        region_code=current.enterprise.region_id,
        data={"period": current.period, "deadline": deadline, "late": late},
    )
    return current


# ---------------------------------------------------------------- the job: reminders and overdue marks


def candidate_periods(today):
    """The periods the job looks at: the last two quarters and the last year that have ended."""
    return closed_periods(today, Kind.QUARTERLY, 2) + closed_periods(today, Kind.ANNUAL, 1)


def _mark(enterprise, period, key, action, *, note, subject, body, data):
    """Issue one reminder or overdue mark with its event, audit record and notifications — once."""
    report = _get_or_create(enterprise, period)
    try:
        with transaction.atomic():
            duty_event(report, action, key=key, note=note, data=data)
            audit_record(
                actor=None,
                action=f"duty.{action}",
                obj=report,
                region_code=enterprise.region_id,
                data={"period": period.code, **data},
            )
            contacts = (
                [(f"{enterprise.principal}（主要负责人）", enterprise.principal_phone)]
                if enterprise.principal_phone
                else []
            )
            notify(
                subject=subject,
                body=body,
                url=reverse("duties:mine"),
                users=enterprise.users.filter(is_active=True),
                contacts=contacts,
                obj=report,
                region_code=enterprise.region_id,
            )
    except IntegrityError:  # another worker issued it first
        return False
    return True


def duties_tick(*, today=None):
    """Remind enterprises N days (rule "duty.reminder_days") before a report's deadline, and mark those
    whose deadline passed without a submission. Each happens once per enterprise, period and deadline.
    An enterprise registered on the platform only after a deadline is not marked for that period."""
    today = today or timezone.localdate()
    deadlines = Deadlines()
    lead = RuleResolver("duty.reminder_days")
    counts = {"reminders": 0, "overdue": 0}
    enterprises = list(obliged_enterprises().select_related("region").order_by("pk"))
    for period in candidate_periods(today):
        reports = {
            r.enterprise_id: r
            for r in PeriodReport.objects.filter(period=period.code).only("id", "enterprise_id", "status")
        }
        done = set(
            DutyEvent.objects.filter(report__period=period.code)
            .exclude(key="")
            .values_list("report__enterprise_id", "key")
        )
        for enterprise in enterprises:
            report = reports.get(enterprise.pk)
            if report is not None and report.status == ReportStatus.SUBMITTED:
                continue
            deadline = deadlines(period, enterprise.region_id)
            if timezone.localdate(enterprise.created_at) > deadline:  # see selectors.registered_after
                continue
            if today > deadline:
                key = f"overdue:{deadline}"
                if (enterprise.pk, key) in done:
                    continue
                days = (today - deadline).days
                counts["overdue"] += _mark(
                    enterprise,
                    period,
                    key,
                    "overdue",
                    note=f"报送期限 {deadline} 已过，尚未报送",
                    data={"deadline": deadline, "days": days},
                    subject=f"{period.label}隐患排查治理统计分析表逾期未报",
                    body=f"{enterprise.name}：{period.label}隐患排查治理统计分析表应于 {deadline} 前报送，至今未报送，已逾期 {days} 天。"
                    "请立即生成统计数据，经主要负责人签字确认后报送。",
                )
            elif (deadline - today).days <= int(lead.value(enterprise.region_id)):
                key = f"reminder:{deadline}"
                if (enterprise.pk, key) in done:
                    continue
                left = (deadline - today).days
                counts["reminders"] += _mark(
                    enterprise,
                    period,
                    key,
                    "reminder",
                    note=f"报送期限 {deadline}，还有 {left} 天",
                    data={"deadline": deadline, "days_left": left},
                    subject=f"请于 {deadline} 前报送{period.label}隐患排查治理统计分析表",
                    body=f"{enterprise.name}：根据《安全生产事故隐患排查治理暂行规定》，{period.label}隐患排查治理统计分析表"
                    f"须经主要负责人签字确认后于 {deadline} 前报送（还有 {left} 天）。",
                )
    return counts
