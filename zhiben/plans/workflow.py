"""The progress-report review as a table. Buttons, services and tests all read this one table.

Duties, decided per report:
- review: accept (采纳) or return (退回) a report — an 安委办 user (plan.manage) in whose jurisdiction the plan lies;
- report: resubmit a returned report — a plan.report user of the unit that reported it.
"""

from zhiben.core.workflow import Batch, Transition

from .choices import OWNER_ROLES, ReportStatus

TRANSITIONS = {
    "accept": Transition(frozenset({ReportStatus.PENDING}), ReportStatus.ACCEPTED, "review", "采纳", "primary"),
    "return": Transition(frozenset({ReportStatus.PENDING}), ReportStatus.RETURNED, "review", "退回", "danger"),
    "resubmit": Transition(frozenset({ReportStatus.RETURNED}), ReportStatus.PENDING, "report", "重新提交", "primary"),
}


# Steps the review list takes on many reports at once, and what each must be given in words (the note).
BATCH_ACTIONS = ("accept", "return")
NOTE_REQUIRED = {"return": "理由"}
BATCH = Batch(TRANSITIONS, BATCH_ACTIONS, NOTE_REQUIRED, noun="进展报告", elsewhere="请在任务页面处理")


def _in_scope(user, report):
    from .models import ProgressReport

    return ProgressReport.objects.for_user(user).filter(pk=report.pk).exists()


def may_report(user, task):
    """May `user` report progress on `task`? A plan.report user whose unit owns (牵头/负责) the task."""
    from .models import Task

    if not (user.is_authenticated and user.is_active and user.can("plan.report") and user.unit_id):
        return False
    if not task.plan.is_published:
        return False
    if not Task.objects.for_user(user).filter(pk=task.pk).exists():
        return False
    return task.assignments.filter(unit_id=user.unit_id, role__in=OWNER_ROLES).exists()


def has_duty(user, report, duty, *, in_scope=None):
    if not user.is_authenticated or not user.is_active:
        return False
    if not (in_scope if in_scope is not None else _in_scope(user, report)):
        return False
    if duty == "review":
        return user.can("plan.manage")
    if duty == "report":
        return user.can("plan.report") and bool(user.unit_id) and user.unit_id == report.unit_id
    raise ValueError(duty)


def allowed_actions(report, user, *, in_scope=None):
    """[(action, label, style)] the user may take on `report` now (`in_scope`: already known, for a list of the
    user's own reports)."""
    in_scope = _in_scope(user, report) if in_scope is None else in_scope
    return [
        (name, t.label, t.style)
        for name, t in TRANSITIONS.items()
        if report.status in t.sources and has_duty(user, report, t.duty, in_scope=in_scope)
    ]
