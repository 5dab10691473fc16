"""Reads: accidents in scope with filters, the reporting clocks, the figures by grade, industry and type
against the same period last year and against the annual targets."""

from datetime import date, datetime, time

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import grouped as _grouped
from zhiben.core.filters import Filter, FilterSet, Sort, flag, status_filter_q
from zhiben.core.scoping import region_chain, subtree_q
from zhiben.enterprises.filters import industry_options, region_options

from .choices import GRADE_ORDER, OPEN, Grade, Status, Type
from .models import Accident, ReportStep, Target


def _late_q(value, ctx):
    if not flag(value):
        return None
    now = timezone.now()
    late = ReportStep.objects.filter(
        Q(reported_at__isnull=True, due_at__lt=now) | Q(reported_at__gt=F("due_at"))
    ).values("accident_id")
    return Q(pk__in=late)


ACCIDENT_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("type", "事故类别", "choice", choices=Type.choices, lookup="type"),
    Filter("grade", "等级", "choice", choices=Grade.choices, lookup="grade"),
    Filter(
        "larger",
        "较大及以上",
        "choice",
        choices=[("1", "较大及以上事故")],
        q=lambda v, ctx: ~Q(grade=Grade.GENERAL) if flag(v) else None,
    ),
    Filter(
        "status",
        "状态",
        "choice",
        choices=[("open", "未结案"), *Status.choices],
        q=status_filter_q(Status, {"open": OPEN}),
    ),
    Filter("late", "上报超时", "choice", choices=[("1", "有超时")], q=_late_q),
    Filter("listed", "挂牌督办", "choice", choices=[("1", "是")], q=lambda v, ctx: Q(listed=True) if flag(v) else None),
    Filter("from", "发生日期从", "date", lookup="occurred_at__date__gte"),
    Filter("to", "发生日期至", "date", lookup="occurred_at__date__lte"),
    Filter("q", "关键词", "search", search=("number", "enterprise__name", "place_name", "address", "account")),
    Sort(
        "sort",
        {
            "occurred": ("occurred_at", "id"),
            "-occurred": ("-occurred_at", "-id"),
            "-deaths": ("-deaths", "-occurred_at"),
        },
        default=("-occurred_at", "-id"),
    ),
)


def _viewer(user):
    if not user.can("accident.view"):
        raise Http404


def accident_list(*, user, filters=None):
    _viewer(user)
    qs = Accident.objects.for_user(user).select_related("region", "industry", "enterprise")
    return ACCIDENT_FILTERS.filter(qs, filters or {}, user=user)


def accident_get(*, user, pk):
    _viewer(user)
    accident = (
        Accident.objects.for_user(user)
        .select_related("region", "industry", "enterprise", "unit", "listed_by")
        .filter(pk=pk)
        .first()
    )
    if accident is None:
        raise Http404
    return accident


def clocks(accident, now=None):
    """The chain with each level's clock: [(step, state, minutes)] where state is 已按时/已超时/计时中/已超时未报
    and minutes is how long is left (positive) or how late (negative)."""
    now = now or timezone.now()
    rows = []
    for step in accident.steps.all().order_by("due_at", "id"):
        if step.reported_at:
            late = step.reported_at > step.due_at
            minutes = int((step.due_at - step.reported_at).total_seconds() // 60)
            rows.append((step, "已超时报告" if late else "按时报告", minutes))
        else:
            minutes = int((step.due_at - now).total_seconds() // 60)
            rows.append((step, "计时中" if minutes >= 0 else "已超时未报", minutes))
    return rows


def late_steps(now=None):
    now = now or timezone.now()
    return ReportStep.objects.filter(reported_at__isnull=True, due_at__lt=now, late_notified=False).select_related(
        "accident", "accident__region"
    )


def _period(year, until):
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(until, time.max))
    return start, end


def _same_day_last_year(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _counts(qs):
    total = qs.aggregate(
        n=Count("pk"),
        deaths=Sum("deaths"),
        missing=Sum("missing"),
        injuries=Sum("serious_injuries"),
        loss=Sum("direct_loss"),
    )
    return {
        "accidents": total["n"] or 0,
        "deaths": (total["deaths"] or 0) + (total["missing"] or 0),
        "injuries": total["injuries"] or 0,
        "loss": total["loss"] or 0,
    }


def figures(*, user, region_code=None, year=None, until=None):
    """Accidents and deaths (死亡含失踪) from 1 January to `until` of `year`, by grade, industry and type, with
    the same period of the year before and the jurisdiction's target; `broken` lists the targets already
    exceeded (a red mark as soon as it happens)."""
    _viewer(user)
    today = timezone.localdate()
    year = int(year or today.year)
    until = until or (today if year == today.year else date(year, 12, 31))
    scoped = Accident.objects.for_user(user)
    if region_code:
        scoped = scoped.filter(subtree_q(region_code))
    now_qs = scoped.filter(occurred_at__range=_period(year, until))
    last_qs = scoped.filter(occurred_at__range=_period(year - 1, _same_day_last_year(until)))
    current, previous = _counts(now_qs), _counts(last_qs)

    def grouped(qs, field):
        return {
            row[field]: (row["n"], (row["d"] or 0) + (row["m"] or 0))
            for row in qs.values(field).annotate(n=Count("pk"), d=Sum("deaths"), m=Sum("missing")).order_by()
        }

    def compare(field, labels):
        now_rows, last_rows = grouped(now_qs, field), grouped(last_qs, field)
        keys = [k for k in labels if k in now_rows or k in last_rows]
        return [
            {"key": k, "label": labels[k], "now": now_rows.get(k, (0, 0)), "last": last_rows.get(k, (0, 0))}
            for k in keys
        ]

    from zhiben.regions.models import Industry

    industries = {i.pk: i.name for i in Industry.objects.all()}
    code = region_code or user.region_id or ""
    target = (
        Target.objects.filter(region_id__in=region_chain(code), year=year).order_by("-region_id").first()
        if code
        else None
    )
    larger = now_qs.exclude(grade=Grade.GENERAL).count()
    broken = []
    if target is not None:
        if larger > target.max_larger:
            broken.append(f"较大及以上事故 {larger} 起，超过目标（{target.max_larger} 起）")
        if target.max_accidents is not None and current["accidents"] > target.max_accidents:
            broken.append(f"事故 {current['accidents']} 起，超过全年控制目标（{target.max_accidents} 起）")
        if target.max_deaths is not None and current["deaths"] > target.max_deaths:
            broken.append(f"死亡 {current['deaths']} 人，超过全年控制目标（{target.max_deaths} 人）")

    def change(now, last):
        return None if not last else round((now - last) * 100 / last, 1)

    return {
        "year": year,
        "until": until,
        "current": current,
        "previous": previous,
        "change": {k: change(current[k], previous[k]) for k in ("accidents", "deaths")},
        "by_grade": compare("grade", {g.value: g.label for g in reversed(GRADE_ORDER)}),
        "by_industry": compare("industry_id", industries),
        "by_type": compare("type", dict(Type.choices)),
        "larger": larger,
        "target": target,
        "broken": broken,
    }


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, the accident list's filters behind it)
ACCIDENT_FIGURES = [
    ("count", "事故起数", "起", ""),
    ("deaths", "事故死亡人数（含失踪）", "人", "&sort=-deaths"),
    ("larger", "较大及以上事故起数", "起", "&larger=1"),
]


def accident_figures(*, user, filters=None, by=None, today=None):
    """The accident figures for `user`'s scope (None: the system, unscoped) narrowed by `filters` (region,
    industry, year or start/end: core.registry.Figure) — accidents that occurred in the period, their
    deaths (死亡含失踪) and those graded 较大 or above: {group: {"accidents.<key>": value}} with group ""
    (by=None), each child region's code (by="region") or each industry's code (by="industry"), in one
    aggregate query."""
    from zhiben.core.periods import filter_range
    from zhiben.core.scoping import normalize_code

    filters = filters or {}
    start, end = filter_range(filters, today)
    qs = Accident.objects.for_user(user) if user is not None else Accident.objects.all()
    qs = qs.filter(occurred_at__date__gte=start, occurred_at__date__lte=end)
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    measures = {
        "count": Count("pk"),
        "dead": Sum("deaths"),
        "missing": Sum("missing"),
        "larger": Count("pk", filter=~Q(grade=Grade.GENERAL)),
    }

    def values(c):
        return {
            "accidents.count": c.get("count", 0),
            "accidents.deaths": (c.get("dead") or 0) + (c.get("missing") or 0),
            "accidents.larger": c.get("larger", 0),
        }

    return _grouped(qs, measures, values, region=region, by=by)


def open_figures(user, now=None):
    now = now or timezone.now()
    qs = Accident.objects.for_user(user)
    late = ReportStep.objects.filter(accident__in=qs.filter(status__in=OPEN), reported_at__isnull=True, due_at__lt=now)
    return {
        "open": qs.filter(status__in=OPEN).count(),
        "late": late.values("accident_id").distinct().count(),
    }
