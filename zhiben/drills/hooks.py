"""What drills and rescue resources offer the platform: capabilities drill.view/drill.manage, the period and
target rules, reminders (the drill duty before its period ends; equipment before its next inspection), a
period passed without a drill as an escalation target, the construction rates and drill compliance as
figures, menu entries, a home card and the demo."""

from django.urls import reverse
from django.utils import timezone

from zhiben.accounts.choices import ROLE_CAPABILITIES, Role
from zhiben.core.registry import (
    DemoLoader,
    EscalationTarget,
    Figure,
    HomeSection,
    MenuEntry,
    Overdue,
    Reminder,
    RuleDef,
    register,
    sourced_figures,
)
from zhiben.escalation.choices import Action
from zhiben.hazards.services import responsible_unit

from . import demo
from .choices import KEY_INDUSTRIES

GROUP = "应急演练与救援力量"

CAPABILITIES = {
    Role.COMMITTEE_ADMIN: {"drill.view", "drill.manage"},
    Role.REGULATOR: {"drill.view", "drill.manage"},
    Role.ENTERPRISE: {"drill.view", "drill.manage"},
    Role.GRID: {"drill.view"},
    Role.LEADER: {"drill.view"},
}
for role, capabilities in CAPABILITIES.items():
    ROLE_CAPABILITIES[role] |= capabilities


def _committee_users(region_code):
    from zhiben.accounts.models import User

    return list(User.objects.filter(is_active=True, role="anweiban_admin", region_id=region_code[:6].ljust(12, "0")))


# ---------------------------------------------------------------- drill duty reminder


def duty_due(today, horizon):
    """Operating enterprises whose drill period (the one containing `today`) ends by `horizon` with no drill
    in it yet; the drills read in one query."""
    from zhiben.enterprises.models import Enterprise

    from .models import Drill
    from .selectors import period_months, period_of

    periods = {}
    for enterprise in Enterprise.objects.filter(status="operating").order_by("pk"):
        start, end = period_of(today, period_months(enterprise))
        if end <= horizon:
            periods[enterprise.pk] = (enterprise, start, end)
    if not periods:
        return
    drilled = set()
    earliest = min(start for _, start, _ in periods.values())
    for enterprise_id, held_on in Drill.objects.filter(held_on__gte=earliest).values_list("enterprise_id", "held_on"):
        if enterprise_id in periods and periods[enterprise_id][1] <= held_on <= periods[enterprise_id][2]:
            drilled.add(enterprise_id)
    for pk, (enterprise, _, end) in periods.items():
        if pk not in drilled:
            yield enterprise, end, enterprise.region_id


def duty_current(enterprise, today):
    """The enterprise re-read under a lock, with `duty_end` (its period's last day), while its period
    containing `today` still has no drill; else None."""
    from zhiben.enterprises.models import Enterprise

    from .models import Drill
    from .selectors import period_months, period_of

    current = Enterprise.objects.select_for_update().filter(pk=enterprise.pk, status="operating").first()
    if current is None:
        return None
    start, end = period_of(today, period_months(current))
    if Drill.objects.filter(enterprise=current, held_on__gte=start, held_on__lte=end).exists():
        return None
    current.duty_end = end
    return current


def duty_deadline(enterprise):
    """The end of the period the reminder is about (set by duty_current for the reminder's day)."""
    from .selectors import period_months, period_of

    end = getattr(enterprise, "duty_end", None)
    return end or period_of(timezone.localdate(), period_months(enterprise))[1]


def duty_people(enterprise):
    from zhiben.accounts.models import User

    users = list(User.objects.filter(is_active=True, enterprise_id=enterprise.pk))
    return (users or _committee_users(enterprise.region_id)), []


def duty_text(enterprise, deadline, days_left):
    return (
        f"应急演练即将到期：{enterprise.name}",
        f"{enterprise.name}本周期尚未组织应急演练，周期截止 {deadline}（还有 {days_left} 天），请按预案组织演练并登记。",
    )


# ---------------------------------------------------------------- a period without a drill up the ladder

# days since the period ended
DUTY_LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "督促企业补充演练", 1, False, ""),
    (Action.BULLETIN, "纳入通报", 30, False, ""),
    (Action.INTERVIEW, "约谈企业主要负责人", 60, False, ""),
]


def lapse_overdue(today):
    """The open lapses (brought up to `today` first) of operating enterprises, days counted from the period's end."""
    from .models import DutyLapse
    from .services import lapses_sync

    lapses_sync(today)
    rows = (
        DutyLapse.objects.filter(resolved_on__isnull=True, end__lt=today, enterprise__status="operating")
        .select_related("enterprise")
        .order_by("end", "id")
    )
    return [Overdue(lapse, lapse.region_id, (today - lapse.end).days) for lapse in rows]


def lapse_recipients(lapse, step, unit):
    from zhiben.accounts.models import User
    from zhiben.escalation.services import committee_admins

    users = list(User.objects.filter(is_active=True, enterprise_id=lapse.enterprise_id))
    if unit is not None:
        users += list(unit.users.filter(is_active=True))
    return users + committee_admins(lapse.region_id, step), []


def lapse_text(lapse, step, days):
    enterprise = lapse.enterprise
    every = {12: "每年", 6: "每半年"}.get(lapse.months, f"每{lapse.months}个月")
    return (
        f"应急演练逾期{step.name}：{enterprise.name}",
        f"{enterprise.name}{lapse.label}（{lapse.start}至{lapse.end}）未组织应急演练（应{every}至少一次），"
        f"已逾期 {days} 天，现{step.name}。请尽快按应急预案组织演练并在平台登记。",
    )


# ---------------------------------------------------------------- equipment inspection reminder


def equipment_due(today, horizon):
    from .models import Equipment

    rows = Equipment.objects.filter(next_inspection_on__gte=today, next_inspection_on__lte=horizon).order_by("pk")
    return ((e, e.next_inspection_on, e.region_id) for e in rows)


def equipment_current(equipment, today):
    from .models import Equipment

    current = Equipment.objects.select_for_update().filter(pk=equipment.pk).first()
    return None if current is None or current.next_inspection_on < today else current


def equipment_text(equipment, deadline, days_left):
    return (
        f"救援装备待检验：{equipment.name}",
        f"{equipment.name}（{equipment.quantity}）应于 {deadline} 前检验（还有 {days_left} 天）。",
    )


# ---------------------------------------------------------------- figures and cards


def _period(filters):
    """(first, last) day of a figure's filters (year, or start/end) — core.periods.filter_range."""
    from zhiben.core.periods import filter_range

    return filter_range(filters or {})


def rate_source(user, filters, by=None):
    """The FigureSource "drills": the three construction rates of the region (and each child, by="region")
    as of the period's last day; they have no industry breakdown."""
    from .selectors import rate_values

    if by == "industry":
        return {}
    filters = filters or {}
    return rate_values(user, region=filters.get("region") or "", end=_period(filters)[1], by=by)


def _judged_on(filters):
    """The day drill duties are judged on for a figure's period: its last day, today while it runs; None
    for a period that has not begun."""
    first, last = _period(filters)
    today = timezone.localdate()
    return None if first > today else min(last, today)


def compliance_value(user, filters):
    from .selectors import compliance_value as value

    filters = filters or {}
    day = _judged_on(filters)
    if day is None:
        return None
    return value(user, day=day, region=filters.get("region") or "", industry=filters.get("industry") or "")


def compliance_breakdown(user, filters, by):
    from .selectors import compliance_breakdown

    filters = filters or {}
    day = _judged_on(filters)
    if day is None:
        return {}
    return compliance_breakdown(
        user, by=by, day=day, region=filters.get("region") or "", industry=filters.get("industry") or ""
    )


def compliance_url(filters=None):
    filters = dict(filters or {})
    day = _judged_on(filters)
    parts = [f"{k}={filters[k]}" for k in ("region", "industry") if filters.get(k)]
    parts += [f"day={day:%Y-%m-%d}"] if day else []
    return reverse("drills:compliance") + (f"?{'&'.join(parts)}" if parts else "")


def rates_url(filters=None):
    filters = dict(filters or {})
    parts = [f"region={filters['region']}"] if filters.get("region") else []
    parts.append(f"year={_period(filters)[1].year}")
    return reverse("drills:rates") + "?" + "&".join(parts)


def _figure(key, label, compute, url, order, breakdown=None):
    return Figure(
        key,
        label,
        compute,
        url,
        order=order,
        group="应急演练与救援",
        unit="%",
        better="higher",
        breakdown=breakdown,
    )


def home_cards(user):
    from .selectors import compliance_counts

    counts = compliance_counts(user)  # counted by the database, not enterprise by enterprise
    total = sum(n for _, _, n, _ in counts)
    if not total:
        return []
    missing = total - sum(drilled for _, _, _, drilled in counts)
    if user.enterprise_id:  # its own drill, not a count of enterprises
        return [
            {
                "label": "本周期应急演练",
                "value": "未完成" if missing else "已完成",
                "url": reverse("drills:drills"),
                "tone": "orange" if missing else "green",
            }
        ]
    return [
        {
            "label": "本周期未演练企业",
            "value": missing,
            "url": reverse("drills:compliance") + "?missing=1",
            "tone": "orange" if missing else "",
        }
    ]


register(
    RuleDef("drills.period_months", 12, "应急演练周期（月）：一般企业", "count", GROUP, order=160),
    RuleDef("drills.high_risk_period_months", 6, "应急演练周期（月）：高危企业", "count", GROUP, order=161),
    RuleDef("drills.duty_reminder_days", 30, "演练周期截止前多少天提醒未演练企业", "days", GROUP, order=162),
    RuleDef("drills.equipment_reminder_days", 30, "救援装备检验日期前多少天提醒", "days", GROUP, order=163),
    RuleDef("drills.attachment_max_mb", 10, "演练照片单个文件大小上限", "megabytes", GROUP, order=164),
    RuleDef(
        "drills.key_industries",
        KEY_INDUSTRIES,
        "行业专业救援队伍覆盖率统计的重点行业（行业代码列表）",
        "json",
        GROUP,
        order=165,
        items="industries",
    ),
    RuleDef("drills.target_town_team", 100, "镇级救援队伍建成率目标（%）", "count", GROUP, order=166),
    RuleDef("drills.target_village_station", 90, "村级救援站点建成率目标（%）", "count", GROUP, order=167),
    RuleDef("drills.target_industry_team", 80, "行业专业救援队伍覆盖率目标（%）", "count", GROUP, order=168),
    Reminder(
        "drills.duty",
        "应急演练到期提醒",
        "enterprises.enterprise",
        "drills.duty_reminder_days",
        duty_due,
        duty_current,
        duty_deadline,
        duty_people,
        duty_text,
        audit_action="drill.duty_reminder",
        order=75,
    ),
    Reminder(
        "drills.equipment",
        "救援装备检验提醒",
        "drills.equipment",
        "drills.equipment_reminder_days",
        equipment_due,
        equipment_current,
        lambda e: e.next_inspection_on,
        lambda e: (_committee_users(e.region_id), []),
        equipment_text,
        audit_action="drill.equipment_reminder",
        order=76,
    ),
    EscalationTarget(
        "drill_duty",
        "应急演练逾期",
        "drills.dutylapse",
        DUTY_LADDER,
        lapse_overdue,
        lapse_recipients,
        lapse_text,
        issuing_unit=responsible_unit,
        timeline_subject=lambda lapse: lapse.enterprise,
        industry=lambda lapse: lapse.industry_id,
        order=75,
    ),
    _figure("drills.compliance", "应急演练按期完成率", compliance_value, compliance_url, 85, compliance_breakdown),
    *sourced_figures(
        "drills",
        rate_source,
        [
            ("town_team_rate", "镇级救援队伍建成率", "%", "higher", rates_url),
            ("village_station_rate", "村级救援站点建成率", "%", "higher", rates_url),
            ("industry_team_rate", "行业专业救援队伍覆盖率", "%", "higher", rates_url),
        ],
        group="应急演练与救援",
        order=86,
    ),
    MenuEntry("应急演练", "drills:drills", "drill.view", order=56, group="台账"),
    MenuEntry("救援力量", "drills:teams", "drill.view", order=57, group="台账"),
    HomeSection("drills", lambda user: user.can("drill.view"), home_cards, order=42, title="教育培训与应急演练"),
    DemoLoader("drills", demo.load, demo.summary, order=96),
)
