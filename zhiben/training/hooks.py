"""What the training module offers the platform: registered from `TrainingConfig.ready()`.

Rules (key industries, the pass mark, the certificate reminder window), the certificate-expiry reminder,
workers on a special-operation post without a valid certificate as an escalation target, the coverage
figures (plan indicators link to them by key), menu entries, home cards and the demo."""

from django.urls import reverse
from django.utils import timezone

from zhiben.core.registry import (
    Backlink,
    DemoLoader,
    EscalationTarget,
    Figure,
    HomeSection,
    MenuEntry,
    Overdue,
    Reminder,
    RuleDef,
    register,
)
from zhiben.escalation.choices import Action
from zhiben.hazards.services import responsible_unit
from zhiben.notifications.reminders import due_in

from . import demo
from .choices import KEY_INDUSTRIES

GROUP = "教育培训与持证上岗"


# ---------------------------------------------------------------- certificate expiry


def reminder_due(today, horizon):
    from .models import Certificate

    rows = Certificate.objects.filter(revoked=False, expires_on__gte=today, expires_on__lte=horizon)
    return ((c, c.expires_on, c.region_id) for c in rows.only("pk", "region_id", "expires_on").order_by("pk"))


def reminder_current(certificate, today):
    from .models import Certificate

    current = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("person", "enterprise")
        .filter(pk=certificate.pk)
        .first()
    )
    if current is None or current.revoked or current.expires_on < today or not current.person.active:
        return None
    return current


def reminder_people(certificate):
    from zhiben.accounts.models import User

    users = []
    if certificate.enterprise_id:
        users = list(User.objects.filter(is_active=True, enterprise_id=certificate.enterprise_id))
    if not users:
        users = list(
            User.objects.filter(
                is_active=True, role="anweiban_admin", region_id=certificate.region_id[:6].ljust(12, "0")
            )
        )
    return users, []


def reminder_text(certificate, deadline, days_left):
    when = due_in(days_left)
    person = certificate.person
    place = certificate.enterprise.name if certificate.enterprise_id else ""
    return (
        f"证书即将到期：{person.name} {certificate.get_kind_display()}",
        f"{place}{person.name}的{certificate.get_kind_display()}（编号 {certificate.number}）有效期至 {deadline}（{when}），"
        "请及时组织复审或换证；过期后不得从事相应作业。",
    )


# ---------------------------------------------------------------- uncertified workers up the ladder

# days since the certificate ran out (or since the platform found the worker without one)
UNCERTIFIED_LADDER = [
    # action, name, days overdue, major only, document kind
    (Action.REMIND, "督促企业停止其特种作业", 1, False, ""),
    (Action.BULLETIN, "纳入通报", 7, False, ""),
    (Action.INTERVIEW, "约谈企业主要负责人", 15, False, ""),
]


def uncertified_overdue(today):
    """The open cases (brought up to `today` first), each as many days overdue as it has run; a case whose
    worker was reported as a 重大隐患 still open follows the hazard's own ladder instead."""
    from zhiben.hazards.choices import OPEN_STATUSES

    from .models import UncertifiedCase
    from .services import uncertified_sync

    uncertified_sync(today)
    cases = (
        UncertifiedCase.objects.filter(resolved_on__isnull=True, since__lte=today)
        .exclude(person__hazard__status__in=OPEN_STATUSES)
        .select_related("person", "person__enterprise", "person__unit")
        .order_by("since", "id")
    )
    return [Overdue(case, case.region_id, (today - case.since).days) for case in cases]


def uncertified_recipients(case, step, unit):
    from zhiben.accounts.models import User
    from zhiben.escalation.services import committee_admins

    person = case.person
    if person.enterprise_id:
        users = list(User.objects.filter(is_active=True, enterprise_id=person.enterprise_id))
    else:
        users = list(person.unit.users.filter(is_active=True)) if person.unit_id else []
    if unit is not None:
        users += list(unit.users.filter(is_active=True))
    return users + committee_admins(case.region_id, step), []


def uncertified_text(case, step, days):
    person = case.person
    employer = person.employer.name if person.employer else ""
    post = "、".join(x for x in (person.post, person.get_special_category_display()) if x)
    return (
        f"特种作业人员未持证{step.name}：{employer}{person.name}",
        f"{employer}{person.name}（{post}）在特种作业岗位上没有相应类别的有效特种作业操作证（{case.reason}），"
        f"已 {days} 天，属重大事故隐患（特种作业人员未按规定经专门的安全作业培训并取得相应资格上岗作业），"
        f"现{step.name}。请立即停止其特种作业，经培训考核取得相应资格后方可上岗。",
    )


def hazard_people(hazard, user):
    """A hazard reported from the uncertified list links back to the worker (for those who see training)."""
    from .models import Person

    if not user.can("training.view"):
        return []
    rows = Person.objects.for_user(user).filter(hazard=hazard).only("pk", "name")
    return [("特种作业人员未持证", p.name, p.get_absolute_url()) for p in rows]


def hazard_probe(hazard, user):
    """The workers whose missing certificate the hazard records (unscoped; `hazard_people` scopes)."""
    from .models import Person

    return Person.objects.filter(hazard_id=hazard.pk) if user.can("training.view") else None


# ---------------------------------------------------------------- figures and cards


def _figure_args(filters):
    filters = filters or {}
    return {
        "region_code": filters.get("region") or None,
        "industry": filters.get("industry") or None,
        "year": filters.get("year") or None,
        "start": filters.get("start") or None,
        "end": filters.get("end") or None,
    }


def figure(key):
    def compute(user, filters):
        from .selectors import coverage_value

        return coverage_value(key, user, **_figure_args(filters))

    return compute


def figure_breakdown(key):
    def breakdown(user, filters, by):
        from .selectors import coverage_breakdown

        return coverage_breakdown(key, user, by=by, **_figure_args(filters))

    return breakdown


def figure_url(key):
    def url(filters=None, **kwargs):
        filters = dict(filters or {}, **kwargs)
        names = ("region", "industry", "year", "start", "end")
        query = "&".join(f"{k}={filters[k]}" for k in names if filters.get(k))
        return reverse("training:coverage_detail", args=[key]) + (f"?{query}" if query else "")

    return url


def home_cards(user):
    from .selectors import PRINCIPAL, coverage_value, expiring_certificates, uncertified_workers

    today = timezone.localdate()
    uncertified = uncertified_workers(user, day=today).count()
    expiring = expiring_certificates(user, today=today).count()
    cards = [
        {
            "label": "特种作业人员未持证",
            "value": uncertified,
            "url": reverse("training:uncertified"),
            "tone": "red" if uncertified else "",
        },
        {
            "label": "证书即将到期",
            "value": expiring,
            "url": reverse("training:certificates") + "?expiring=1",
            "tone": "orange" if expiring else "",
        },
    ]
    if not user.enterprise_id:
        share = coverage_value(PRINCIPAL, user, year=today.year)  # counted by the database
        cards.append(
            {
                "label": "主要负责人培训覆盖率",
                "value": "—" if share is None else f"{share}%",
                "url": reverse("training:coverage_detail", args=["training.principal_coverage"]),
                "tone": "" if share is None or share >= 100 else "orange",
            }
        )
    return cards


# Yearly duties count the year of the period asked for; the certified share is taken on the period's last
# day, the pass rate over exactly the period. Each breaks down by child region (or industry) in one pass.
FIGURES = [
    ("training.principal_coverage", "重点行业企业主要负责人培训覆盖率"),
    ("training.certified_share", "特种作业人员持证率"),
    ("training.pass_rate", "培训考核合格率"),
    ("training.officials_trained", "党政领导干部培训覆盖率"),
    ("training.enforcement_trained", "执法人员培训覆盖率"),
]

register(
    RuleDef(
        "training.key_industries",
        KEY_INDUSTRIES,
        "主要负责人培训覆盖率统计的重点行业（行业代码列表）",
        "json",
        GROUP,
        order=140,
        items="industries",
    ),
    RuleDef("training.pass_mark", 80, "培训考试合格分数线（只填成绩未填结果时据此判定）", "count", GROUP, order=141),
    RuleDef("training.certificate_reminder_days", 60, "证书到期前多少天提醒复审或换证", "days", GROUP, order=142),
    Reminder(
        "training.certificate_expiry",
        "证书到期提醒",
        "training.certificate",
        "training.certificate_reminder_days",
        reminder_due,
        reminder_current,
        lambda certificate: certificate.expires_on,
        reminder_people,
        reminder_text,
        audit_action="training.certificate_reminder",
        order=70,
    ),
    EscalationTarget(
        "uncertified_worker",
        "特种作业人员未持证",
        "training.uncertifiedcase",
        UNCERTIFIED_LADDER,
        uncertified_overdue,
        uncertified_recipients,
        uncertified_text,
        issuing_unit=responsible_unit,
        timeline_subject=lambda case: case.person,
        industry=lambda case: case.industry_id,
        order=70,
    ),
    Backlink("training_uncertified", "hazards.hazard", hazard_people, order=60, probe=hazard_probe),
    *[
        Figure(
            key,
            label,
            figure(key),
            figure_url(key),
            order=70 + i,
            group="教育培训",
            unit="%",
            better="higher",
            breakdown=figure_breakdown(key),
        )
        for i, (key, label) in enumerate(FIGURES)
    ],
    MenuEntry("教育培训", "training:sessions", "training.view", order=50, group="台账"),
    MenuEntry("培训人员", "training:people", "training.view", order=51, group="台账"),
    MenuEntry("培训覆盖率", "training:coverage", "training.view", order=52, group="统计"),
    HomeSection("training", lambda user: user.can("training.view"), home_cards, order=40, title="教育培训与应急演练"),
    DemoLoader("training", demo.load, demo.summary, order=90),
)
