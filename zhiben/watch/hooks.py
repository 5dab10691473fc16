"""What the watch module offers the platform: registered from `WatchConfig.ready()`.

Rules (the shifts, the gap window, the information-report clocks), the overdue pass-on as an escalation
target, the roster-gap job, the 值班日报 document, menu entries, home cards (who is on duty now for the
user's unit and its 安委办, roster gaps, late reports) and the demo."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import DemoLoader, EscalationTarget, HomeSection, Job, MenuEntry, Overdue, RuleDef, register
from zhiben.core.rulevalues import Part
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins

from . import demo
from .choices import DEFAULT_SHIFTS
from .documents import DOCUMENT_KINDS

GROUP = "值班与信息报送"

LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "迟报提醒", 0, False, ""),
    (Action.BULLETIN, "迟报通报", 1, False, ""),
]


def overdue(today):
    """Levels that have not passed their report on past the deadline (counted from now: the clock is in
    minutes; `today` only says the job ran)."""
    from .selectors import overdue_levels

    now = timezone.now()
    return [Overdue(lv, lv.region_id, max((now - lv.deadline_at).days, 0)) for lv in overdue_levels(now)]


def escalation_recipients(level, step, unit):
    from zhiben.accounts.models import User

    users = list(
        User.objects.filter(is_active=True, region_id=level.region_id, role__in=("anweiban_admin", "regulator"))
    )
    return users + committee_admins(level.region_id, step), []


def escalation_text(level, step, days):
    report = level.report
    deadline = timezone.localtime(level.deadline_at)
    return (
        f"信息迟报{step.name}：{report.number}",
        f"“{report.title}”应于 {deadline:%Y-%m-%d %H:%M} 前由{level.region.name}上报上一级，至今未上报，现{step.name}。",
    )


def home_cards(user):
    from .selectors import duty_names, gap_summary, home_units, on_duty, report_figures

    cards = []
    now = timezone.now()
    for unit in home_units(user):
        row = on_duty(unit=unit, at=now)[0]
        names = duty_names(row)
        cards.append(
            {
                "label": f"今日值班 · {unit.name}",
                "value": names,
                "url": reverse("watch:desk") + f"?unit={unit.pk}",
                "tone": "text red" if names == "未排班" else "text",  # names, not a count
            }
        )
    if user.can("watch.manage"):
        found = gap_summary(user, timezone.localdate())
        count = sum(len(g) for _, g in found)
        cards.append(
            {
                "label": "值班表缺口（班次）",
                "value": count,
                "url": reverse("watch:roster") + (f"?unit={found[0][0].pk}" if found else ""),
                "tone": "red" if count else "",
            }
        )
    figures = report_figures(user, now)
    url = reverse("watch:reports")
    cards.append({"label": "信息报送中", "value": figures["open"], "url": url + "?status=open", "tone": ""})
    cards.append(
        {
            "label": "信息迟报",
            "value": figures["late"],
            "url": url + "?late=1",
            "tone": "red" if figures["late"] else "",
        }
    )
    return cards


def _notify_gaps():
    from .services import notify_gaps

    return notify_gaps()


register(
    RuleDef(
        "watch.shifts",
        DEFAULT_SHIFTS,
        "值班班次：每班的名称和开始时间，按一天内的先后排列；只设一班即 24 小时值班，白夜两班如白班 08:30、夜班 20:30",
        "json",
        GROUP,
        order=120,
        parts={"start": Part("开始时间")},
    ),
    RuleDef("watch.gap_days", 7, "值班表缺口提示：检查今后多少天是否排齐带班领导和值班人员", "days", GROUP, order=121),
    RuleDef(
        "watch.pass_on_minutes",
        60,
        "信息报送：接报后多少分钟内向上一级报告（分钟）",
        "count",
        GROUP,
        order=122,
    ),
    RuleDef("watch.written_minutes", 120, "信息报送：接报后多少分钟内报送书面报告（分钟）", "count", GROUP, order=123),
    RuleDef(
        "watch.report_top_level",
        2,
        "信息报送逐级上报至哪一级（1 省级、2 市级、3 区县）",
        "count",
        GROUP,
        order=124,
    ),
    EscalationTarget(
        "watch_report",
        "信息迟报",
        "watch.reportlevel",
        LADDER,
        overdue,
        escalation_recipients,
        escalation_text,
        timeline_subject=lambda level: level.report,
        order=60,
    ),
    Job("watch.roster_gaps", "值班表缺口提醒", _notify_gaps, order=60),
    MenuEntry("值班", "watch:desk", "watch.view", order=43, group="日常工作"),
    MenuEntry("值班表", "watch:roster", "watch.view", order=44, group="日常工作"),
    MenuEntry("信息报送", "watch:reports", "watch.view", order=44, group="日常工作"),
    HomeSection("watch", lambda user: user.can("watch.view"), home_cards, order=15, title="值班值守与信息报送"),
    DemoLoader("watch", demo.load, demo.summary, order=85),
    *DOCUMENT_KINDS,
)
