"""What the reports module offers the platform: registered from `ReportsConfig.ready()`.

The verification deadline goes up the escalation ladder and is reminded; the written reply is a document;
rules (deadlines, photo limits, rate limits, the challenge, the reward schedule); a job that prunes the
rate-limit log; menu entries, home cards and the demo."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import (
    Backlink,
    DemoLoader,
    EscalationTarget,
    HomeSection,
    Job,
    MenuEntry,
    Overdue,
    Reminder,
    RuleDef,
    list_url,
    register,
    sourced_figures,
)
from zhiben.core.rulevalues import Part
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins
from zhiben.notifications.reminders import due_in

from . import demo
from .choices import OPEN
from .documents import DOCUMENT_KINDS
from .models import Report

GROUP = "群众举报"

LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "核查逾期提醒", 1, False, ""),
    (Action.BULLETIN, "纳入通报", 10, False, ""),
    (Action.INTERVIEW, "约谈承办单位负责人", 30, False, ""),
]

# 《安全生产领域举报奖励办法》: 15% of the fine, at least 3,000 and at most 300,000 yuan for a 重大事故隐患 or an
# illegal act; per concealed death by grade for 瞒报/谎报; a general hazard earns none by default.
REWARD_SCHEDULE = {
    "major_hazard": {"rate": 0.15, "min": 3000, "max": 300000},
    "violation": {"rate": 0.15, "min": 3000, "max": 300000},
    "general_hazard": None,
    "concealment": {"per_death": {"一般": 30000, "较大": 40000, "重大": 50000, "特别重大": 60000}, "max": 300000},
    "employee_bonus": 0.2,
}


def overdue(today):
    rows = Report.objects.filter(status__in=OPEN, deadline__lt=today).select_related("unit").order_by("deadline", "id")
    return [Overdue(r, r.region_id, (today - r.deadline).days) for r in rows]


def people(report):
    users = list(report.unit.users.filter(is_active=True)) if report.unit_id else []
    return users, []


def escalation_recipients(report, step, unit):
    users, contacts = people(report)
    return users + committee_admins(report.region_id, step), contacts


def escalation_text(report, step, days):
    unit = report.unit.name if report.unit_id else "承办单位"
    return (
        f"举报核查{step.name}：{report.code}",
        f"{unit}承办的群众举报 {report.code}（{report.category}）未在 {report.deadline} 前办结，已逾期 {days} 天，现{step.name}。",
    )


def reminder_due(today, horizon):
    rows = Report.objects.filter(status__in=OPEN, deadline__gte=today, deadline__lte=horizon)
    return ((r, r.deadline, r.region_id) for r in rows.only("pk", "region_id", "deadline").order_by("deadline", "pk"))


def reminder_current(report, today):
    current = Report.objects.select_for_update().select_related("unit", "category").get(pk=report.pk)
    return current if current.status in OPEN and current.deadline >= today else None


def reminder_text(report, deadline, days_left):
    when = due_in(days_left)
    return (
        f"举报核查即将到期：{report.code}",
        f"群众举报 {report.code}（{report.category}）的核查期限为 {deadline}（{when}），请按期核查并答复举报人。",
    )


def home_cards(user):
    from .selectors import open_figures

    figures = open_figures(user, timezone.localdate())
    url = reverse("reports:list")
    return [
        {"label": "待受理举报", "value": figures["received"], "url": url + "?status=received", "tone": ""},
        {
            "label": "举报核查逾期",
            "value": figures["overdue"],
            "url": url + "?overdue=1",
            "tone": "red" if figures["overdue"] else "",
        },
    ]


def figure_source(user, filters, by=None):
    from .selectors import report_figures

    return report_figures(user=user, filters=filters, by=by)


def _figures():
    """受理, 属实率, 首次答复天数 and 核查逾期 for analytics, counted together (FigureSource "reports")."""
    from .selectors import REPORT_FIGURES

    figures = [
        (key, label, unit, better, list_url("reports:list", query))
        for key, label, unit, better, query in REPORT_FIGURES
    ]
    return sourced_figures("reports", figure_source, figures, group="群众举报", order=55)


def hazard_sources(hazard, user):
    """A hazard verified from public reports links back to them (for those who may see reports: never the
    enterprise)."""
    rows = Report.objects.for_user(user).filter(hazard=hazard).only("pk", "code") if user.can("report.view") else []
    return [("群众举报", r.code, r.get_absolute_url()) for r in rows]


def hazard_probe(hazard, user):
    """The reports verified into the hazard (unscoped; `hazard_sources` scopes), for those who see reports."""
    return Report.objects.filter(hazard_id=hazard.pk) if user.can("report.view") else None


def enterprise_poster(enterprise, user):
    if not user.can("report.view"):
        return []
    return [("举报二维码", "举报二维码海报", reverse("reports:enterprise_poster", args=[enterprise.pk]))]


def prune():
    from .services import prune_attempts

    return prune_attempts()


register(
    RuleDef("reports.verify_days", 15, "群众举报受理后核查办结的期限（天）", "days", GROUP, order=60),
    RuleDef("reports.reminder_days", 3, "举报核查期限届满前多少天提醒", "days", GROUP, order=61),
    RuleDef("reports.photo_max_mb", 10, "举报照片单张大小上限", "megabytes", GROUP, order=62),
    RuleDef("reports.max_photos", 6, "每件举报最多照片张数", "count", GROUP, order=63),
    RuleDef("reports.limit_address_hour", 20, "防刷：同一网络地址每小时最多提交举报件数", "count", GROUP, order=64),
    RuleDef("reports.limit_device_hour", 5, "防刷：同一设备每小时最多提交举报件数", "count", GROUP, order=65),
    RuleDef("reports.limit_device_day", 10, "防刷：同一设备每天最多提交举报件数", "count", GROUP, order=66),
    RuleDef(
        "reports.limit_lookup_fail_hour", 10, "防猜测：每小时查询密码错误多少次后暂停查询", "count", GROUP, order=67
    ),
    RuleDef(
        "reports.pow_bits", 16, "防刷：提交前浏览器须完成的计算难度（位，每加1位计算量翻倍）", "count", GROUP, order=68
    ),
    RuleDef("reports.pow_max_age_minutes", 120, "举报页面打开后多少分钟内须提交", "count", GROUP, order=69),
    RuleDef("reports.suspect_links", 3, "举报内容含多少个网址链接时提示疑似广告", "count", GROUP, order=70),
    RuleDef(
        "reports.reward_schedule",
        REWARD_SCHEDULE,
        "举报奖励标准（比例、最低、最高；瞒报事故按死亡人数）",
        "json",
        GROUP,
        order=71,
        parts={
            "rate": Part("比例", "%", high=1),
            "min": Part("最低", "元"),
            "max": Part("最高", "元"),
            "per_death": Part("每瞒报死亡一人", "元"),
            "major_hazard": Part("重大事故隐患"),
            "general_hazard": Part(
                "一般事故隐患", empty="不予奖励", shape={"rate": 0.15, "min": 3000, "max": 300000}
            ),  # null: no reward, else as a 重大事故隐患's
            "violation": Part("非法违法生产经营建设行为"),
            "concealment": Part("瞒报谎报事故"),
            "employee_bonus": Part("本单位从业人员举报上浮", "%", high=1),
        },
    ),
    EscalationTarget(
        "public_report",
        "群众举报核查",
        "reports.report",
        LADDER,
        overdue,
        escalation_recipients,
        escalation_text,
        issuing_unit=lambda report: report.unit,
        industry=lambda report: report.industry_id,
        order=40,
    ),
    Reminder(
        "reports.verify_deadline",
        "举报核查到期提醒",
        "reports.report",
        "reports.reminder_days",
        reminder_due,
        reminder_current,
        lambda report: report.deadline,
        people,
        reminder_text,
        audit_action="report.reminder",
        order=40,
    ),
    Job("reports_prune", "清理举报页访问记录", prune, order=80),
    MenuEntry("群众举报", "reports:list", "report.view", order=40, group="日常工作"),
    MenuEntry("举报奖励", "reports:rewards", "report.view", order=41, group="台账"),
    MenuEntry("举报分办", "reports:routing", "report.route", order=42, group="设置"),
    MenuEntry("举报保密专员", "reports:keepers", "security.manage", order=43, group="设置"),
    HomeSection("reports", lambda user: user.can("report.view"), home_cards, order=38, title="群众举报"),
    DemoLoader("reports", demo.load, demo.summary, demo.accounts, order=85),
    Backlink("reports_hazard", "hazards.hazard", hazard_sources, order=40, probe=hazard_probe),
    Backlink("reports_poster", "enterprises.enterprise", enterprise_poster, order=40),
    *DOCUMENT_KINDS,
    *_figures(),
)
