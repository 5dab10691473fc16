"""Everything the test module offers the platform: an escalation target, a document kind, a reminder,
a rule and a job. No timeline is registered, so its events land in the shared table."""

from zhiben.core.registry import DocumentKind, EscalationTarget, Job, Overdue, Reminder, RuleDef, register
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins

from .models import Drill

LADDER = [
    (Action.REMIND, "演练逾期提醒", 1, False, ""),
    (Action.LETTER, "演练督办函", 3, False, "drill_letter"),
    (Action.INTERVIEW, "约谈企业", 10, False, ""),
]


def open_drills():
    return Drill.objects.filter(done=False).select_related("enterprise", "region")


def people(drill):
    return (list(drill.enterprise.users.filter(is_active=True)) if drill.enterprise_id else []), [
        ("演练负责人", "13800000000")
    ]


def get_subject(pk, user):
    qs = Drill.objects.all() if user is None else Drill.objects.for_user(user)
    return qs.select_related("enterprise", "region").filter(pk=pk).first()


register(
    RuleDef("drill.reminder_days", 2, "演练期限前多少天提醒", "days", "测试模块"),
    EscalationTarget(
        "drill",
        "应急演练",
        "platform_app.drill",
        LADDER,
        overdue=lambda today: [
            Overdue(d, d.region_id, (today - d.deadline).days) for d in open_drills().filter(deadline__lt=today)
        ],
        recipients=lambda drill, step, unit: (
            people(drill)[0] + committee_admins(drill.region_id, step),
            people(drill)[1],
        ),
        describe=lambda drill, step, days: (f"演练{step.name}", f"“{drill.title}”已逾期 {days} 天，现{step.name}。"),
    ),
    DocumentKind(
        "drill_letter",
        "演练督办函",
        "platform_app.drill",
        get_subject,
        build=lambda drill, unit: {
            "演练名称": drill.title,
            "单位名称": drill.enterprise.name if drill.enterprise_id else "",
        },
        available=lambda drill: "演练已完成，无需督办" if drill.done else None,
        placeholders=("演练名称", "单位名称", "逾期天数", "督办措施"),
        template={
            "title": "关于督促完成{{演练名称}}的函",
            "body": "{{单位名称}}：\n{{演练名称}}已逾期{{逾期天数}}天，现{{督办措施}}。",
            "table": "",
        },
        sample={"演练名称": "消防疏散演练", "单位名称": "示例公司", "逾期天数": "3", "督办措施": "函告"},
        addressee=lambda drill: drill.enterprise.name if drill.enterprise_id else "",
        region_code=lambda drill: drill.region_id,
        enterprise=lambda drill: drill.enterprise,
    ),
    Reminder(
        "drill.deadline",
        "演练到期提醒",
        "platform_app.drill",
        "drill.reminder_days",
        due=lambda today, horizon: [
            (d, d.deadline, d.region_id) for d in open_drills().filter(deadline__gte=today, deadline__lte=horizon)
        ],
        current=lambda drill, today: (
            Drill.objects.select_for_update().filter(pk=drill.pk, done=False, deadline__gte=today).first()
        ),
        deadline=lambda drill: drill.deadline,
        recipients=people,
        describe=lambda drill, deadline, days_left: ("演练即将到期", f"“{drill.title}”应于 {deadline} 前完成。"),
    ),
    Job("drills", "演练检查", lambda: open_drills().count(), order=95),
)
