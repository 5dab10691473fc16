"""What the accidents module offers the platform: registered from `AccidentsConfig.ready()`.

The statutory numbers are rules (per jurisdiction, editable by the 安委办); the investigation and 批复
deadlines go up the escalation ladder; a job flags reports that miss their clock; two documents; menu,
home cards, figures for analytics and the demo."""

from django.urls import reverse

from zhiben.core.registry import (
    DemoLoader,
    EscalationTarget,
    HomeSection,
    Job,
    MenuEntry,
    OfflineForm,
    Overdue,
    RuleDef,
    list_url,
    register,
    sourced_figures,
)
from zhiben.core.rulevalues import Part
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins

from . import demo
from .choices import Grade, Status
from .documents import DOCUMENT_KINDS
from .models import Accident

GROUP = "生产安全事故"

# 条例 第三条: the lowest figures of each grade (deaths, serious injuries, direct loss in yuan)
GRADE_THRESHOLDS = {
    Grade.LARGER.value: {"deaths": 3, "serious_injuries": 10, "loss": 10_000_000},
    Grade.MAJOR.value: {"deaths": 10, "serious_injuries": 50, "loss": 50_000_000},
    Grade.EXTRAORDINARY.value: {"deaths": 30, "serious_injuries": 100, "loss": 100_000_000},
}

LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "提醒", 1, False, ""),
    (Action.BULLETIN, "纳入通报", 10, False, ""),
    (Action.INTERVIEW, "约谈牵头单位负责人", 20, False, ""),
]


def overdue(today):
    """Investigations whose report is late, and reports whose 批复 is late."""
    rows = []
    qs = Accident.objects.select_related("investigation").filter(investigation__isnull=False)
    for accident in qs.filter(status=Status.INVESTIGATING, investigation__report_due__lt=today):
        rows.append(Overdue(accident, accident.region_id, (today - accident.investigation.report_due).days))
    for accident in qs.filter(status=Status.SUBMITTED, investigation__approval_due__lt=today):
        rows.append(Overdue(accident, accident.region_id, (today - accident.investigation.approval_due).days))
    return rows


def escalation_recipients(accident, step, unit):
    users = list(accident.unit.users.filter(is_active=True)) if accident.unit_id else []
    return users + committee_admins(accident.region_id, step), []


def escalation_text(accident, step, days):
    what = "调查报告" if accident.status == Status.INVESTIGATING else "调查报告批复"
    return (
        f"事故{what}逾期{step.name}：{accident.number}",
        f"{accident.subject_name}{accident.get_type_display()}事故（{accident.number}）的{what}已逾期 {days} 天，现{step.name}。",
    )


def flag_late_reports():
    """Tell the 安委办 once about each report that missed its clock."""
    from .services import flag_late_steps

    return flag_late_steps()


def home_cards(user):
    from .selectors import open_figures

    figures = open_figures(user)
    url = reverse("accidents:list")
    cards = [{"label": "未结案事故", "value": figures["open"], "url": url + "?status=open", "tone": ""}]
    if figures["late"]:
        cards.append({"label": "事故上报超时", "value": figures["late"], "url": url + "?late=1", "tone": "red"})
    return cards


def figure_source(user, filters, by=None):
    from .selectors import accident_figures

    return accident_figures(user=user, filters=filters, by=by)


def _figures():
    """事故起数, 死亡人数 and 较大及以上事故 for analytics, counted together (FigureSource "accidents")."""
    from .selectors import ACCIDENT_FIGURES

    figures = [
        (key, label, unit, "lower", list_url("accidents:list", "from={start}&to={end}" + query))
        for key, label, unit, query in ACCIDENT_FIGURES
    ]
    return sourced_figures("accidents", figure_source, figures, group="事故", order=10)


register(
    RuleDef(
        "accident.grade_thresholds",
        GRADE_THRESHOLDS,
        "事故等级划分（较大、重大、特别重大的死亡、重伤人数与直接经济损失下限）",
        "json",
        GROUP,
        order=80,
        parts={
            "extraordinary": Part("特别重大事故"),
            "major": Part("重大事故"),
            "larger": Part("较大事故"),
            "deaths": Part("死亡", "人", integer=True),
            "serious_injuries": Part("重伤", "人", integer=True),
            "loss": Part("直接经济损失", "元"),
        },
    ),
    RuleDef("accident.missing_as_deaths", True, "划分事故等级时失踪人数计入死亡人数", "flag", GROUP, order=81),
    RuleDef(
        "accident.enterprise_report_hours",
        1,
        "事故单位负责人接到报告后向县级部门报告的时限（小时）",
        "count",
        GROUP,
        order=82,
    ),
    RuleDef("accident.level_report_hours", 2, "每级政府部门向上一级报告的时限（小时）", "count", GROUP, order=83),
    RuleDef("accident.supplement_days", 30, "伤亡人数变化的补报期限（自事故发生之日起，天）", "days", GROUP, order=84),
    RuleDef("accident.supplement_days_short", 7, "道路交通、火灾事故的补报期限（天）", "days", GROUP, order=85),
    RuleDef("accident.investigation_days", 60, "事故调查报告提交期限（自事故发生之日起，天）", "days", GROUP, order=86),
    RuleDef("accident.extension_days", 60, "调查报告期限可延长的最长天数（只能延长一次）", "days", GROUP, order=87),
    RuleDef("accident.approval_days", 15, "调查报告批复期限（天）", "days", GROUP, order=88),
    RuleDef("accident.approval_days_extraordinary", 30, "特别重大事故调查报告批复期限（天）", "days", GROUP, order=89),
    RuleDef("accident.attachment_max_mb", 20, "事故附件单个文件大小上限", "megabytes", GROUP, order=90),
    EscalationTarget(
        "accident_inquiry",
        "事故调查与批复",
        "accidents.accident",
        LADDER,
        overdue,
        escalation_recipients,
        escalation_text,
        issuing_unit=lambda accident: accident.unit,
        industry=lambda accident: accident.industry_id,
        order=50,
    ),
    Job("accident_clocks", "事故上报超时提示", flag_late_reports, order=15),
    MenuEntry("事故", "accidents:list", "accident.view", order=45, group="台账"),
    MenuEntry("事故统计", "accidents:figures", "accident.view", order=46, group="统计"),
    OfflineForm("accidents:new", "报告事故", "accident.report", order=30),
    HomeSection("accidents", lambda user: user.can("accident.view"), home_cards, order=47, title="生产安全事故"),
    *_figures(),
    DemoLoader("accidents", demo.load, demo.summary, order=86),
    *DOCUMENT_KINDS,
)
