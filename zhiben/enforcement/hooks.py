"""What the enforcement module offers the platform: registered from `EnforcementConfig.ready()`.

The 责令限期整改 deadline goes up the escalation ladder and is reminded like a hazard's; the four
documents; rules (the 零处罚 threshold, reminder days); menu entries, home cards and the demo."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import (
    DemoLoader,
    EscalationTarget,
    HomeSection,
    MenuEntry,
    Overdue,
    Reminder,
    RuleDef,
    register,
    sourced_figures,
)
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins
from zhiben.notifications.reminders import due_in

from . import demo
from .choices import OrderStatus
from .documents import DOCUMENT_KINDS
from .models import RectificationOrder

GROUP = "行政执法"

LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "逾期提醒", 1, False, ""),
    (Action.LETTER, "函告企业", 7, False, ""),
    (Action.BULLETIN, "纳入通报", 15, False, ""),
    (Action.INTERVIEW, "约谈主要负责人", 30, False, ""),
]


def overdue(today):
    rows = (
        RectificationOrder.objects.filter(status=OrderStatus.OPEN, deadline__lt=today)
        .select_related("enterprise", "unit")
        .order_by("deadline", "id")
    )
    return [Overdue(o, o.region_id, (today - o.deadline).days) for o in rows]


def people(order):
    users = list(order.enterprise.users.filter(is_active=True)) + list(order.unit.users.filter(is_active=True))
    contacts = (
        [(f"{order.enterprise.principal}（主要负责人）", order.enterprise.principal_phone)]
        if order.enterprise.principal_phone
        else []
    )
    return users, contacts


def escalation_recipients(order, step, unit):
    users, contacts = people(order)
    return users + committee_admins(order.region_id, step), contacts


def escalation_text(order, step, days):
    return (
        f"责令整改{step.name}：{order.number}",
        f"{order.enterprise.name}未在 {order.deadline} 前完成责令限期整改（{order.number}），已逾期 {days} 天，现{step.name}。",
    )


def reminder_due(today, horizon):
    rows = RectificationOrder.objects.filter(status=OrderStatus.OPEN, deadline__gte=today, deadline__lte=horizon)
    return ((o, o.deadline, o.region_id) for o in rows.only("pk", "region_id", "deadline").order_by("deadline", "pk"))


def reminder_current(order, today):
    current = RectificationOrder.objects.select_for_update().select_related("enterprise", "unit").get(pk=order.pk)
    return current if current.status == OrderStatus.OPEN and current.deadline >= today else None


def reminder_text(order, deadline, days_left):
    when = due_in(days_left)
    return (
        f"责令限期整改即将到期：{order.number}",
        f"{order.enterprise.name}的责令限期整改（{order.number}）期限为 {deadline}（{when}），请按期完成整改。",
    )


def home_cards(user):
    from .selectors import case_year_figures, open_order_figures

    today = timezone.localdate()
    orders = open_order_figures(user, today)
    url = reverse("enforcement:orders")
    cases_url = reverse("enforcement:cases") + f"?filed_from={today.year}-01-01"
    cards = [
        {"label": "责令整改中", "value": orders["open"], "url": url + "?status=open", "tone": ""},
        {
            "label": "责令整改逾期",
            "value": orders["overdue"],
            "url": url + "?overdue=1",
            "tone": "red" if orders["overdue"] else "",
        },
    ]
    if user.enterprise_id:  # an enterprise sees the orders it must carry out
        return cards
    cases = case_year_figures(user, today.year)
    return cards + [
        {"label": f"{today.year}年执法案件", "value": cases["cases"], "url": cases_url, "tone": ""},
        {
            "label": f"{today.year}年罚款（万元）",
            "value": cases["fines_wan"],
            "url": cases_url + "&sort=-fine",
            "tone": "",
        },
    ]


def figure_source(user, filters, by=None):
    from .selectors import enforcement_figures

    return enforcement_figures(user=user, filters=filters, by=by)


def figure_url(key, filters=None):
    """The cases filed in the period (罚款金额: those with a fine decided, largest first); the 零处罚 units on
    the statistics page."""
    from zhiben.core.periods import filter_range

    filters = filters or {}
    start, end = filter_range(filters)
    if key == "zero_penalty_units":
        region = f"&region={filters['region']}" if filters.get("region") else ""
        return reverse("enforcement:statistics") + f"?start={start}&end={end}&zero=1{region}"
    parts = [f"filed_from={start}&filed_to={end}" + ("&fined=1&sort=-fine" if key == "fines" else "")]
    parts += [f"{name}={filters[name]}" for name in ("region", "industry") if filters.get(name)]
    return reverse("enforcement:cases") + "?" + "&".join(parts)


def _figures():
    """立案, 罚款金额 and “零处罚”单位 for analytics, counted together (FigureSource "enforcement")."""
    from .selectors import ENFORCEMENT_FIGURES

    figures = [
        (
            key,
            label,
            unit,
            better,
            lambda filters=None, key=key: figure_url(key, filters),
            "enforcement.manage" if key == "zero_penalty_units" else "enforcement.view",  # the page each opens
        )
        for key, label, unit, better in ENFORCEMENT_FIGURES
    ]
    return sourced_figures("enforcement", figure_source, figures, group="执法", order=50)


register(
    RuleDef(
        "enforcement.zero_penalty_min_inspections",
        10,
        "“零处罚”提示：统计期内执法检查达到多少次而无处罚案件时列为只检查不处罚",
        "count",
        GROUP,
        order=50,
    ),
    RuleDef("enforcement.order_reminder_days", 3, "责令限期整改期限届满前多少天提醒", "days", GROUP, order=51),
    EscalationTarget(
        "rectification_order",
        "责令限期整改",
        "enforcement.rectificationorder",
        LADDER,
        overdue,
        escalation_recipients,
        escalation_text,
        issuing_unit=lambda order: order.unit,
        industry=lambda order: order.industry_id,
        order=30,
    ),
    Reminder(
        "enforcement.order_deadline",
        "责令整改到期提醒",
        "enforcement.rectificationorder",
        "enforcement.order_reminder_days",
        reminder_due,
        reminder_current,
        lambda order: order.deadline,
        people,
        reminder_text,
        audit_action="enforcement.order_reminder",
        order=30,
    ),
    MenuEntry("执法案件", "enforcement:cases", "enforcement.view", order=36, group="台账"),
    MenuEntry("责令整改", "enforcement:orders", "enforcement.view", order=37, group="台账"),
    MenuEntry("执法统计", "enforcement:statistics", "enforcement.manage", order=38, group="统计"),
    HomeSection("enforcement", lambda user: user.can("enforcement.view"), home_cards, order=35, title="监督检查与执法"),
    DemoLoader("enforcement", demo.load, demo.summary, order=80),
    *DOCUMENT_KINDS,
    *_figures(),
)
