"""What the hazards module offers the platform: registered from `HazardsConfig.ready()`.

Escalation target "hazard" (overdue rectification goes up the ladder), the deadline reminder, the
timeline on `HazardEvent`, rules, menu entries, home-page figures and the demo hazards.
"""

from django.urls import reverse

from zhiben.core.registry import (
    DemoLoader,
    EscalationTarget,
    HomeSection,
    MenuEntry,
    OfflineForm,
    Overdue,
    RecordList,
    Reminder,
    RuleDef,
    Timeline,
    list_url,
    register,
    sourced_figures,
)
from zhiben.escalation.choices import Action
from zhiben.escalation.services import committee_admins
from zhiben.notifications.reminders import due_in

from . import demo
from .choices import OVERDUE_STATUSES, Status
from .models import Hazard
from .selectors import CHANNEL_FIGURES, HAZARD_FIGURES, hazard_figures, hazard_records, hazard_values
from .services import enterprise_contacts, hazard_event, issuing_unit, reviewers

GROUP = "事故隐患"

# The national default ladder (days overdue); an 安委办 may replace it for its jurisdiction.
LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "逾期提醒", 1, False, ""),
    (Action.LETTER, "函告企业", 7, False, "supervision_letter"),
    (Action.BULLETIN, "纳入通报", 15, False, ""),
    (Action.INTERVIEW, "约谈主要负责人和实际控制人", 30, False, "interview_notice"),
    (Action.PROPOSE_LISTING, "提请挂牌督办", 30, True, ""),
]


# A request for 销号 left unreviewed past hazard.review_days goes up a ladder of its own: the reviewing department,
# then the 安委办.
REVIEW_LADDER = [
    (Action.REMIND, "销号审核逾期提醒", 1, False, ""),
    (Action.BULLETIN, "销号审核超期纳入通报", 10, False, ""),
]


def events(hazard):
    return hazard.events.all()


# ---------------------------------------------------------------- escalation


def overdue(today):
    """Overdue hazards up the ladder; historic ledger rows (archives) are never escalated, nor is a hazard whose
    closing is requested (申请销号, not overdue): it waits on its reviewer, not on the enterprise (REVIEW_LADDER),
    and goes up this ladder again only when the review sends it back to rectification."""
    rows = (
        Hazard.objects.overdue(today)
        .select_related("enterprise", "supervising_unit", "listed_unit")
        .order_by("deadline", "id")
    )
    return [Overdue(h, h.region_id, (today - h.deadline).days, h.is_major) for h in rows]


def escalation_recipients(hazard, step, unit):
    users, contacts = enterprise_contacts(hazard)
    if unit is not None:
        users += list(unit.users.filter(is_active=True))
    return users + committee_admins(hazard.region_id, step), contacts


def escalation_text(hazard, step, days):
    return (
        f"隐患{step.name}：{hazard.number}",
        f"隐患“{hazard.description[:60]}”整改期限 {hazard.deadline}，已逾期 {days} 天，现{step.name}。",
    )


def skip(hazard, step):
    return step.action == Action.PROPOSE_LISTING and bool(hazard.listed_unit_id)


def review_overdue(today):
    rows = (
        Hazard.objects.review_overdue(today)
        .select_related("enterprise", "place", "supervising_unit", "listed_unit")
        .order_by("review_deadline", "id")
    )
    return [Overdue(h, h.region_id, (today - h.review_deadline).days, h.is_major) for h in rows]


def review_escalation_recipients(hazard, step, unit):
    return reviewers(hazard) + committee_admins(hazard.region_id, step), []


def review_escalation_text(hazard, step, days):
    unit = issuing_unit(hazard)
    return (
        f"隐患{step.name}：{hazard.number}",
        f"{hazard.subject}的隐患“{hazard.description[:60]}”已申请销号，审核期限 {hazard.review_deadline}，"
        f"{unit.name if unit else '监管部门'}已超期 {days} 天未审核，现{step.name}。",
    )


# ---------------------------------------------------------------- reminders


def _falling_due(field, today, horizon, **where):
    """(hazard, its date `field`, its region) for the hazards (not historic, narrowed by `where`) whose `field` falls
    between today and `horizon`, the soonest first: what a reminder goes through."""
    rows = (
        Hazard.objects.filter(historic=False, **{f"{field}__gte": today, f"{field}__lte": horizon}, **where)
        .only("pk", "region_id", field)
        .order_by(field, "pk")
    )
    return ((h, getattr(h, field), h.region_id) for h in rows.iterator())


def reminder_due(today, horizon):
    """Hazards still to be rectified whose deadline is near. A request for 销号 has its review deadline instead
    (`review_due`): the enterprise has done its part."""
    return _falling_due("deadline", today, horizon, status__in=OVERDUE_STATUSES)


def reminder_current(hazard, today):
    current = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("enterprise", "supervising_unit", "listed_unit")
        .get(pk=hazard.pk)
    )
    if (
        current.historic
        or current.status not in OVERDUE_STATUSES
        or current.deadline is None
        or current.deadline < today
    ):
        return None
    return current


def reminder_recipients(hazard):
    """The enterprise side (its users, the 整改责任人), and the departments."""
    users, contacts = [], []
    if hazard.enterprise is not None:
        users += list(hazard.enterprise.users.filter(is_active=True))
    if hazard.responsible_phone:
        contacts.append((f"{hazard.responsible_person or '整改责任人'}（整改责任人）", hazard.responsible_phone))
    for unit in (hazard.supervising_unit, hazard.listed_unit):
        if unit is not None:
            users += list(unit.users.filter(is_active=True))
    return users, contacts


def reminder_text(hazard, deadline, days_left):
    body = (
        f"{hazard.subject}的隐患“{hazard.description[:60]}”整改期限为 {deadline}（{due_in(days_left)}），"
        "请按期完成整改并申请销号。"
    )
    return f"隐患整改即将到期：{hazard.number}", body


def review_due(today, horizon):
    """Requests for 销号 whose review deadline is near."""
    return _falling_due("review_deadline", today, horizon, status=Status.SUBMITTED)


def review_current(hazard, today):
    current = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("enterprise", "place", "supervising_unit", "listed_unit")
        .get(pk=hazard.pk)
    )
    days_left = current.review_days_left(today)
    return current if days_left is not None and days_left >= 0 else None


def review_text(hazard, deadline, days_left):
    body = (
        f"{hazard.subject}的隐患“{hazard.description[:60]}”已申请销号（整改完成日期 {hazard.rectified_date}），"
        f"审核期限 {deadline}（{due_in(days_left)}），请及时现场核查验收并审核销号或退回整改。"
    )
    return f"隐患销号待审核：{hazard.number}", body


# ---------------------------------------------------------------- home page


def home_cards(user):
    """重大事故隐患动态清零 at a glance: open, overdue, major, stock left, increment, listed; 销号 requests waiting and
    those waiting past their review deadline; requests to move a deadline waiting for a decision (when there are)."""
    from .selectors import extensions_waiting, hazard_counts, review_waiting

    counts = hazard_counts(user=user)
    url = reverse("hazards:list")
    # an enterprise's own requests wait on its department: the cards say so, not "to review" as to the reviewer
    own = user.enterprise_id is not None
    return [
        {"label": "未销号隐患", "value": counts["open"], "url": f"{url}?status=open", "tone": ""},
        {
            "label": "逾期未整改",
            "value": counts["overdue"],
            "url": f"{url}?overdue=1",
            "tone": "red" if counts["overdue"] else "",
        },
        {
            "label": "重大隐患（未销号）",
            "value": counts["major_open"],
            "url": f"{url}?status=open&level=major",
            "tone": "red" if counts["major_open"] else "",
        },
        {
            "label": f"存量未清零（{counts['baseline']:%Y-%m-%d}前）",
            "value": counts["stock_open"],
            "url": f"{url}?stock=stock&status=open",
            "tone": "orange" if counts["stock_open"] else "",
        },
        {"label": "增量隐患", "value": counts["increment"], "url": f"{url}?stock=increment&status=counted", "tone": ""},
        {"label": "挂牌督办中", "value": counts["listed_open"], "url": f"{url}?listed=1&status=open", "tone": ""},
        {
            "label": "已申请销号（待审核）" if own else "待审核销号",
            "value": review_waiting(user=user),
            "url": f"{url}?status=submitted&sort=review",
            "tone": "",
        },
        *(
            [
                {
                    "label": "销号申请超期未审核" if own else "销号审核超期",
                    "value": counts["review_overdue"],
                    "url": f"{url}?review_overdue=1&sort=review",
                    "tone": "red",
                }
            ]
            if counts["review_overdue"]
            else []
        ),
        *(
            [
                {
                    "label": "延期申请（待审批）" if own else "待审批延期",
                    "value": waiting,
                    "url": f"{url}?extension=pending&sort=deadline",
                    "tone": "orange",
                }
            ]
            if (waiting := extensions_waiting(user=user))
            else []
        ),
    ]


def _figure_source(user, filters, by=None):
    return hazard_figures(user=user, filters=filters, by=by)


def _counted(query):
    """A figure's list filters narrowed to what the figures count (filters.NOT_COUNTED left out), so the list it
    opens holds as many rows as the figure says."""
    return query if "status=" in query else f"{query}&status=counted"


def _figures():
    channels = [
        (
            key,
            f"{label}发现",
            "条",
            "",
            list_url("hazards:list", f"channel={key[8:]}&found_from={{start}}&found_to={{end}}&status=counted"),
        )
        for key, label in CHANNEL_FIGURES
    ]
    return [
        *sourced_figures(
            "hazards",
            _figure_source,
            [
                (key, label, unit, better, list_url("hazards:list", _counted(query)))
                for key, label, unit, better, query in HAZARD_FIGURES
            ],
            group="隐患排查治理",
            order=0,
            empty=lambda: hazard_values({}),
        ),
        *sourced_figures("hazards", _figure_source, channels, group="隐患发现渠道", order=20, with_source=False),
    ]


RECORD_COLUMNS = (
    ("number", "隐患编号"),
    ("subject", "单位/场所"),
    ("region", "区划"),
    ("description", "隐患描述"),
    ("deadline", "整改期限"),
)


def _records(which):
    def rows(user, filters, limit=20):
        return hazard_records(user=user, filters=filters, which=which, limit=limit)

    return rows


register(
    *_figures(),
    RecordList(
        "hazards.major_overdue",
        "逾期未整改的重大隐患",
        (*RECORD_COLUMNS, ("days_overdue", "逾期天数")),
        _records("major_overdue"),
        list_url("hazards:list", "level=major&overdue=1"),
        order=10,
    ),
    RecordList(
        "hazards.listed_open",
        "挂牌督办中的隐患",
        (*RECORD_COLUMNS, ("listed", "挂牌级别")),
        _records("listed_open"),
        list_url("hazards:list", "listed=1&status=open"),
        order=11,
    ),
)

register(
    # 存量/增量 baseline of the 2024–2026 plans: hazards found on or before it are stock.
    RuleDef(
        "hazard.baseline_date", "2023-12-31", "存量隐患基准日：此日及以前发现的隐患为存量", "date", GROUP, order=10
    ),
    # default rectification period by level when the reporter gives none (days)
    RuleDef("hazard.default_days.general", 30, "一般隐患默认整改期限（天）", "days", GROUP, order=11),
    RuleDef("hazard.default_days.major", 90, "重大隐患默认整改期限（天）", "days", GROUP, order=12),
    # the furthest deadline that may be set at intake, import or in the plan (counted from that day)
    RuleDef("hazard.max_days", 365, "整改期限最长天数：上报、导入或修改时最多可定到多少天后", "days", GROUP, order=12),
    # duplicates: how similar (0–1) descriptions must be, how far back closed hazards count (days)
    RuleDef("hazard.duplicate_similarity", 0.5, "重复隐患提示的描述相似度阈值", "ratio", GROUP, order=13),
    RuleDef("hazard.duplicate_closed_days", 180, "销号多少天内再次发现视为重复/复发", "days", GROUP, order=14),
    RuleDef("hazard.attachment_max_mb", 15, "单个证据文件大小上限（MB）", "megabytes", GROUP, order=15),
    RuleDef("hazard.reminder_days", 3, "隐患整改期限届满前多少天提醒", "days", GROUP, order=16),
    # the regulator reviews (现场验收) a request for 销号 within so many days of it (FACTS: 10 days, Hubei) [M]
    RuleDef("hazard.review_days", 10, "申请销号后监管部门应在多少天内审核（验收）", "days", GROUP, order=16),
    RuleDef("hazard.review_reminder_days", 3, "销号审核期限届满前多少天提醒监管部门", "days", GROUP, order=16),
    # the same hazard found again after 销号, this many times (counting the first), goes before the department and 安委办
    RuleDef(
        "hazard.repeat_alert_times",
        3,
        "同一隐患第几次发现时提示监管部门和安委办（0 为不提示）",
        "count",
        GROUP,
        order=17,
    ),
    # 假闭环: the one who applied for 销号 does not also sign it off
    RuleDef(
        "hazard.signoff_by_other",
        True,
        "审核销号须由申请销号以外的人员办理（防止自己整改、自己销号）",
        "flag",
        GROUP,
        order=17,
    ),
    Timeline("hazards.hazard", hazard_event, events),
    EscalationTarget(
        "hazard",
        "事故隐患",
        "hazards.hazard",
        LADDER,
        overdue,
        escalation_recipients,
        escalation_text,
        issuing_unit=issuing_unit,
        skip=skip,
        industry=lambda hazard: hazard.industry_id,
        major_label="仅重大隐患",
        order=10,
    ),
    EscalationTarget(
        "hazard_review",
        "隐患销号审核",
        "hazards.hazard",
        REVIEW_LADDER,
        review_overdue,
        review_escalation_recipients,
        review_escalation_text,
        industry=lambda hazard: hazard.industry_id,
        documents=(),  # the hazard's letters speak to its enterprise, not to the department late with its review
        order=11,
    ),
    Reminder(
        "hazard.review",
        "销号审核提醒",
        "hazards.hazard",
        "hazard.review_reminder_days",
        review_due,
        review_current,
        lambda hazard: hazard.review_deadline,
        lambda hazard: (reviewers(hazard), []),
        review_text,
        audit_action="hazard.signoff_reminder",
        order=11,
    ),
    Reminder(
        "hazard.deadline",
        "隐患到期提醒",
        "hazards.hazard",
        "hazard.reminder_days",
        reminder_due,
        reminder_current,
        lambda hazard: hazard.deadline,
        reminder_recipients,
        reminder_text,
        audit_action="hazard.reminder",
        order=10,
    ),
    MenuEntry("隐患台账", "hazards:list", "hazard.view", order=10, group="台账"),
    MenuEntry("上报隐患", "hazards:report", "hazard.report", order=20, group="日常工作"),
    OfflineForm("hazards:report", "上报隐患", "hazard.report", order=10),
    HomeSection("hazards", lambda user: user.can("hazard.view"), home_cards, order=10, title="隐患排查治理"),
    DemoLoader("hazards", demo.load, demo.summary, order=50),
)

from .documents import DOCUMENT_KINDS  # noqa: E402

register(*DOCUMENT_KINDS)
