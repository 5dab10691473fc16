"""What the risk module offers the platform: registered from `RiskConfig.ready()`.

Thresholds and the direct-重大 head count are rules per jurisdiction; the review date is a reminder; a
job regrades points after a threshold change; hazards and enterprises link back to their risk points;
menu entries, home cards, a figure and the demo."""

from django.urls import reverse

from zhiben.core.registry import (
    Backlink,
    DemoLoader,
    HomeSection,
    Job,
    MenuEntry,
    Reminder,
    RuleDef,
    list_url,
    register,
    sourced_figures,
)
from zhiben.core.rulevalues import Part
from zhiben.notifications.reminders import due_in

from . import demo
from .choices import level_label
from .grading import LEC_DEFAULT, LS_DEFAULT
from .models import RiskPoint

GROUP = "风险分级管控"

INSPECTION_FREQUENCY = {
    "major": "每季度至少检查一次",
    "larger": "每半年至少检查一次",
    "general": "每年至少检查一次",
    "low": "纳入双随机抽查",
}


# ---------------------------------------------------------------- the review reminder


def reminder_due(today, horizon):
    rows = RiskPoint.objects.filter(active=True, next_review__gte=today, next_review__lte=horizon)
    return ((p, p.next_review, p.region_id) for p in rows.only("pk", "region_id", "next_review").order_by("pk"))


def reminder_current(point, today):
    current = RiskPoint.objects.select_for_update().select_related("enterprise").get(pk=point.pk)
    return current if current.active and current.next_review and current.next_review >= today else None


def reminder_people(point):
    return list(point.enterprise.users.filter(is_active=True)), []


def reminder_text(point, deadline, days_left):
    when = due_in(days_left)
    return (
        f"风险点评审即将到期：{point.name}",
        f"{point.enterprise.name}的风险点“{point.name}”（{point.level_text}）应于 {deadline} 前评审（{when}），"
        "请组织评审并更新管控措施。",
    )


# ---------------------------------------------------------------- links, cards, figures


def hazard_links(hazard, user):
    """The hazard page (under 发现渠道): the risk points it cites; a manager may cite one."""
    from .selectors import hazard_points

    rows = [
        ("管控失效的风险点", f"{p.name}（{level_label(p.level)}）", p.get_absolute_url())
        for p in hazard_points(hazard, user)
    ]
    if not rows and hazard.enterprise_id and user.can("risk.manage"):
        if RiskPoint.objects.for_user(user).filter(enterprise_id=hazard.enterprise_id, active=True).exists():
            rows.append(("风险点", "关联管控失效的风险点", reverse("risk:cite", args=[hazard.pk])))
    return rows


def hazard_probe(hazard, user):
    """The risk points the hazard cites and, for a manager who may cite one, its enterprise's active
    points (unscoped; `hazard_links` scopes)."""
    from .models import RiskHazardLink

    probes = (RiskHazardLink.objects.filter(hazard_id=hazard.pk),) if user.can("risk.view") else ()
    if hazard.enterprise_id and user.can("risk.manage"):
        probes += (RiskPoint.objects.filter(enterprise_id=hazard.enterprise_id, active=True),)
    return probes or None


def enterprise_links(enterprise, user):
    from .selectors import enterprise_level

    if not user.can("risk.view"):
        return []
    level = enterprise_level(enterprise)
    text = f"安全风险：{level_label(level)}" if level else "安全风险分级管控"
    return [("风险分级", text, reverse("risk:enterprise", args=[enterprise.pk]))]


def home_cards(user):
    from .selectors import figures

    f = figures(user)
    url = reverse("risk:list")
    return [
        {"label": "重大风险点", "value": f["major"], "url": url + "?level=major", "tone": "red" if f["major"] else ""},
        {
            "label": "较大风险点",
            "value": f["larger"],
            "url": url + "?level=larger",
            "tone": "orange" if f["larger"] else "",
        },
        {
            "label": "风险点评审逾期",
            "value": f["overdue"],
            "url": url + "?review=overdue",
            "tone": "red" if f["overdue"] else "",
        },
    ]


def figure_source(user, filters, by=None):
    from .selectors import risk_figures

    return risk_figures(user=user, filters=filters, by=by)


def _figures():
    """重大/较大风险点 and 评审逾期 for analytics, counted together (FigureSource "risk")."""
    from .selectors import RISK_FIGURES

    figures = [(key, label, "处", "lower", list_url("risk:list", query)) for key, label, query in RISK_FIGURES]
    return sourced_figures("risk", figure_source, figures, group="风险管控", order=60)


def regrade_job():
    from .services import regrade

    return regrade()


LEVEL_NAMES = (("major", "重大"), ("larger", "较大"), ("general", "一般"))

register(
    RuleDef(
        "risk.lec_thresholds",
        LEC_DEFAULT,
        "LEC 分级阈值：D 大于 major 为重大（红），大于 larger 为较大（橙），大于 general 为一般（黄），其余为低（蓝）",
        "json",
        GROUP,
        order=110,
        parts={level: Part(name, fmt="D > {}") for level, name in LEVEL_NAMES},
    ),
    RuleDef(
        "risk.ls_thresholds",
        LS_DEFAULT,
        "LS 分级阈值：R 不小于 major 为重大（红），不小于 larger 为较大（橙），不小于 general 为一般（黄），其余为低（蓝）",
        "json",
        GROUP,
        order=111,
        parts={level: Part(name, fmt="R ≥ {}") for level, name in LEVEL_NAMES},
    ),
    RuleDef(
        "risk.direct_major_exposed", 30, "暴露人数达到多少人直接判定为重大风险（0 不适用）", "count", GROUP, order=112
    ),
    RuleDef("risk.review_days", 365, "风险点评审周期（未填下次评审日期时，天）", "days", GROUP, order=113),
    RuleDef("risk.review_reminder_days", 15, "风险点评审日期前多少天提醒", "days", GROUP, order=114),
    RuleDef("risk.plan_max_mb", 10, "厂区平面图文件大小上限", "megabytes", GROUP, order=115),
    RuleDef(
        "risk.inspection_frequency",
        INSPECTION_FREQUENCY,
        "按企业最高风险等级的监督检查频次（major 重大、larger 较大、general 一般、low 低）",
        "json",
        GROUP,
        order=116,
    ),
    Reminder(
        "risk.review",
        "风险点评审提醒",
        "risk.riskpoint",
        "risk.review_reminder_days",
        reminder_due,
        reminder_current,
        lambda point: point.next_review,
        reminder_people,
        reminder_text,
        audit_action="risk.review_reminder",
        order=60,
    ),
    Job("risk_regrade", "风险点按现行阈值重新分级", regrade_job, order=40),
    MenuEntry("风险分级", "risk:list", "risk.view", order=44, group="台账"),
    MenuEntry("风险统计", "risk:figures", "risk.view", order=49, group="统计"),
    HomeSection("risk", lambda user: user.can("risk.view"), home_cards, order=44, title="风险管控与监测预警"),
    Backlink("risk.hazard", "hazards.hazard", hazard_links, order=30, probe=hazard_probe),
    Backlink("risk.enterprise", "enterprises.enterprise", enterprise_links, order=45),
    *_figures(),
    DemoLoader("risk", demo.load, demo.summary, order=87),
)
