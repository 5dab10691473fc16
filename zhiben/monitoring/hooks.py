"""What the monitoring module offers the platform: registered from `MonitoringConfig.ready()`.

Rules (timestamp limits, batch size, acknowledgement minutes, the 停产整顿 power fraction, retention), jobs
(silent devices, unacknowledged alarms, pruning old readings), an escalation target for alarms left
unacknowledged for days, menu entries, home cards, the enterprise page's link and the demo."""

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
    RuleDef,
    list_url,
    register,
    sourced_figures,
)
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins

from . import demo
from .choices import AlarmStatus
from .models import Alarm
from .selectors import VIEW

GROUP = "监测预警"

LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "逾期提醒", 1, False, ""),
    (Action.LETTER, "函告企业", 3, False, ""),
    (Action.BULLETIN, "纳入通报", 7, False, ""),
]


def overdue(today):
    """Alarms still unacknowledged a day or more after they were raised."""
    rows = Alarm.objects.filter(status=AlarmStatus.RAISED, raised_at__date__lt=today).select_related(
        "enterprise", "device"
    )
    return [
        Overdue(a, a.region_id, (today - timezone.localtime(a.raised_at).date()).days)
        for a in rows.order_by("raised_at", "id")
    ]


def escalation_recipients(alarm, step, unit):
    from zhiben.hazards.services import supervising_unit_for

    users = list(alarm.enterprise.users.filter(is_active=True))
    supervising = supervising_unit_for(alarm.region_id, alarm.industry)
    users += list(supervising.users.filter(is_active=True)) if supervising else []
    return users + committee_admins(alarm.region_id, step), []


def escalation_text(alarm, step, days):
    return (
        f"监测报警未确认{step.name}：{alarm.enterprise.name}",
        f"{alarm.enterprise.name}的监测报警（{alarm.device.code}）：{alarm.message}，已 {days} 天未确认，现{step.name}。",
    )


def home_cards(user):
    from .selectors import alarm_figures

    figures = alarm_figures(user)
    url = reverse("monitoring:alarms")
    return [
        {"label": "监测报警未关闭", "value": figures["open"], "url": url + "?status=open", "tone": ""},
        {
            "label": "监测报警未确认",
            "value": figures["unack"],
            "url": url + "?unack=1",
            "tone": "red" if figures["unack"] else "",
        },
    ]


def enterprise_links(enterprise, user):
    from .selectors import enterprise_has_devices

    if not user.can(VIEW) or not enterprise_has_devices(user, enterprise):
        return []
    return [("监测预警", "监测设备与读数曲线", reverse("monitoring:enterprise", args=[enterprise.pk]))]


def figure_source(user, filters, by=None):
    from .selectors import monitoring_figures

    return monitoring_figures(user=user, filters=filters, by=by)


def _figures():
    """报警次数 and 未确认报警 for analytics, counted together (FigureSource "monitoring")."""
    from .selectors import ALARM_FIGURES

    figures = [
        (key, label, unit, better, list_url("monitoring:alarms", query))
        for key, label, unit, better, query in ALARM_FIGURES
    ]
    return sourced_figures("monitoring", figure_source, figures, group="监测预警", order=80)


def _job(name):
    def run():
        from . import services

        return getattr(services, name)()

    return run


register(
    RuleDef(
        "monitoring.future_minutes", 5, "监测读数时间最多可晚于接收时间多少分钟（超前即拒收）", "count", GROUP, order=90
    ),
    RuleDef(
        "monitoring.max_age_days", 7, "监测读数时间最多可早于接收时间多少天（过旧即拒收）", "days", GROUP, order=91
    ),
    RuleDef("monitoring.max_batch", 1000, "设备每次通过 HTTP 上报的最多读数条数", "count", GROUP, order=92),
    RuleDef(
        "monitoring.ack_minutes",
        30,
        "监测报警多少分钟未确认即通知企业、监管部门和安委办（分钟）",
        "count",
        GROUP,
        order=93,
    ),
    RuleDef(
        "monitoring.power_fraction",
        0.3,
        "停产整顿企业用电超过正常生产负荷的多大比例视为疑似违规生产（新登记用电设备的默认值）",
        "ratio",
        GROUP,
        order=94,
    ),
    RuleDef("monitoring.power_minutes", 30, "停产整顿企业用电超限持续多少分钟报警（分钟）", "count", GROUP, order=95),
    RuleDef("monitoring.keep_days", 400, "监测读数保存天数", "days", GROUP, order=96),
    EscalationTarget(
        "monitoring_alarm",
        "监测报警未确认",
        "monitoring.alarm",
        LADDER,
        overdue,
        escalation_recipients,
        escalation_text,
        industry=lambda alarm: alarm.industry_id,
        order=60,
    ),
    Job("monitoring_silent", "监测设备离线检查", _job("check_silent"), order=5),
    Job("monitoring_escalate", "监测报警超时未确认通知", _job("escalate_unacknowledged"), order=6),
    Job("monitoring_prune", "清理过期监测读数", _job("prune_readings"), order=90),
    MenuEntry("监测报警", "monitoring:alarms", VIEW, order=47, group="日常工作"),
    MenuEntry("监测设备", "monitoring:devices", VIEW, order=48, group="台账"),
    HomeSection("monitoring", lambda user: user.can(VIEW), home_cards, order=45, title="风险管控与监测预警"),
    Backlink("monitoring.enterprise", "enterprises.enterprise", enterprise_links, order=50),
    DemoLoader("monitoring", demo.load, demo.summary, order=88),
    *_figures(),
)
