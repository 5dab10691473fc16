"""What the action-plans module offers the platform: registered from `PlansConfig.ready()`.

Escalation target "plan_task" (overdue milestones of published plans go up their own ladder), rules,
the menu entry and the demo plan.
"""

from zhiben.accounts.models import User
from zhiben.core.registry import (
    DemoLoader,
    EscalationTarget,
    MenuEntry,
    Overdue,
    RuleDef,
    Timeline,
    register,
    sourced_figures,
)
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins

from . import demo
from .selectors import overdue_tasks, task_owners
from .services.progress import progress_event

GROUP = "行动方案"

# The national default ladder for overdue milestones (days overdue).
LADDER = [
    (Action.REMIND, "任务逾期提醒", 1, False, ""),
    (Action.LETTER, "函告责任单位", 7, False, ""),
    (Action.BULLETIN, "纳入通报", 15, False, ""),
    (Action.INTERVIEW, "约谈责任单位负责人", 30, False, ""),
]


def overdue(today):
    return [Overdue(m, m.task.plan.region_id, m.days_overdue(today)) for m in overdue_tasks(today)]


def recipients(milestone, step, unit):
    """The owning units' staff, and the 安委办 from 通报 on."""
    users = list(User.objects.filter(unit__in=task_owners(milestone.task), is_active=True))
    return users + committee_admins(milestone.task.plan.region_id, step), []


def describe(milestone, step, days):
    task = milestone.task
    units = "、".join(u.name for u in task_owners(task)) or "未关联单位"
    return (
        f"行动方案任务{step.name}：{task.content[:30]}",
        f"《{task.plan.title}》任务“{task.content[:80]}”应于 {milestone.due_date} 完成，已逾期 {days} 天，现{step.name}。"
        f"责任单位：{units}。",
    )


def figure_source(user, filters, by=None):
    from .selectors import plan_figures

    return plan_figures(user=user, filters=filters, by=by)


def figure_url(key, filters=None):
    """The task list: tasks of the current plans with milestones due in the period (逾期: those with one
    overdue), their milestone counts and state over the period's milestones."""
    from django.urls import reverse

    from zhiben.core.periods import filter_range

    filters = filters or {}
    start, end = filter_range(filters)
    query = f"current=1&due_from={start}&due_to={end}" + ("&overdue=1" if key == "overdue_tasks" else "")
    if filters.get("region"):
        query += f"&region={filters['region']}"
    return reverse("plans:tasks") + "?" + query


def _figures():
    """任务完成率 and 任务逾期 for analytics, counted together (FigureSource "plans")."""
    from .selectors import PLAN_FIGURES

    figures = [
        (key, label, unit, better, lambda filters=None, key=key: figure_url(key, filters))
        for key, label, unit, better in PLAN_FIGURES
    ]
    return sourced_figures("plans", figure_source, figures, group="方案任务", order=35)


register(
    RuleDef("plan.attachment_max_mb", 15, "方案进展证据文件大小上限（MB）", "megabytes", GROUP, order=40),
    EscalationTarget(
        "plan_task",
        "行动方案任务",
        "plans.milestone",
        LADDER,
        overdue,
        recipients,
        describe,
        timeline_subject=lambda milestone: milestone.task,
        audit_action="escalation.plan_{action}",
        order=20,
    ),
    Timeline("plans.progressreport", progress_event, lambda report: report.events.all()),
    MenuEntry("行动方案", "plans:list", "plan.view", order=80, group="方案"),
    DemoLoader("plans", demo.load, demo.summary, order=40),
    DemoLoader("plan_progress", demo.progress, demo.progress_summary, demo.accounts, order=99),
    *_figures(),
)
