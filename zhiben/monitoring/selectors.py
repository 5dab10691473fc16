"""Reads: devices and alarms in scope (filters declared once for page and export), an enterprise's devices,
home figures, and a device's readings as a chart (an SVG polyline computed here, no JavaScript)."""

import math
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import grouped as _grouped
from zhiben.core.filters import Filter, FilterSet, Sort, flag, status_filter_q
from zhiben.core.scoping import subtree_q
from zhiben.enterprises.filters import industry_options, region_options

from .choices import OPEN, AlarmStatus, Kind, RuleKind
from .models import Alarm, AlarmRule, Device, Reading, Rejection

VIEW, MANAGE = "monitoring.view", "monitoring.manage"  # the capabilities of the pages and the API


def _open_alarm_q(value, ctx):
    wanted = flag(value)
    if wanted is None:
        return None
    has = Exists(Alarm.objects.filter(device=OuterRef("pk"), status__in=OPEN))
    return Q(has) if wanted else ~Q(has)


def _active_q(value, ctx):
    wanted = flag(value)
    return None if wanted is None else Q(active=wanted)


DEVICE_FILTERS = FilterSet(
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("kind", "监测类型", "choice", choices=Kind.choices, lookup="kind"),
    Filter("alarm", "报警", "choice", choices=[("1", "有未关闭报警"), ("0", "无报警")], q=_open_alarm_q),
    Filter("active", "启用", "choice", choices=[("1", "启用"), ("0", "停用")], q=_active_q),
    Filter("q", "关键词", "search", search=("code", "name", "enterprise__name", "location")),
    Sort(
        "sort",
        {"code": ("code",), "seen": ("last_seen", "code"), "-seen": ("-last_seen", "code")},
        default=("enterprise__name", "code"),
    ),
)


ALARM_FILTERS = FilterSet(
    Filter(
        "status",
        "状态",
        "choice",
        choices=[("open", "未关闭"), *AlarmStatus.choices],
        q=status_filter_q(AlarmStatus, {"open": OPEN}),
    ),
    Filter(
        "unack",
        "未确认",
        "choice",
        choices=[("1", "未确认")],
        q=lambda value, ctx: Q(status=AlarmStatus.RAISED) if flag(value) else None,
    ),
    Filter("enterprise", "单位", "search", search=("enterprise__name", "enterprise__credit_code")),
    Filter("kind", "报警类型", "choice", choices=RuleKind.choices, lookup="kind"),
    Filter("region", "区划", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("industry", "行业", "choice", choices=industry_options, lookup="industry__code"),
    Filter("raised_from", "报警日期从", "date", lookup="raised_at__date__gte"),
    Filter("raised_to", "报警日期至", "date", lookup="raised_at__date__lte"),
    Filter("q", "关键词", "search", search=("device__code", "device__name", "message")),
    Sort("sort", {"raised": ("raised_at", "id"), "-raised": ("-raised_at", "-id")}, default=("-raised_at", "-id")),
)


def _visible(user):
    if not user.can(VIEW):
        raise Http404
    return True


def device_list(*, user, filters=None):
    _visible(user)
    qs = Device.objects.for_user(user).select_related("enterprise", "region")
    qs = qs.annotate(open_alarms=Count("alarms", filter=Q(alarms__status__in=OPEN)))
    return DEVICE_FILTERS.filter(qs, filters or {}, user=user)


def device_get(*, user, pk):
    _visible(user)
    device = Device.objects.for_user(user).select_related("enterprise", "region").filter(pk=pk).first()
    if device is None:
        raise Http404
    return device


def device_rules(device):
    return list(AlarmRule.objects.filter(device=device, active=True).order_by("id"))


def device_rejections(device):
    return list(Rejection.objects.filter(device=device).order_by("-count"))


def alarm_list(*, user, filters=None):
    _visible(user)
    qs = Alarm.objects.for_user(user).select_related("device", "enterprise", "rule")
    return ALARM_FILTERS.filter(qs, filters or {}, user=user)


def alarm_get(*, user, pk):
    _visible(user)
    alarm = (
        Alarm.objects.for_user(user)
        .select_related("device", "enterprise", "rule", "hazard", "acknowledged_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if alarm is None:
        raise Http404
    return alarm


def device_readings(device, *, since, until):
    """The device's readings in [since, until), oldest first."""
    return Reading.objects.filter(device=device, ts__gte=since, ts__lt=until).order_by("ts", "id")


def enterprise_devices(*, user, enterprise_pk):
    """The enterprise (in scope) and its devices."""
    from zhiben.enterprises.models import Enterprise

    _visible(user)
    enterprise = Enterprise.objects.for_user(user).filter(pk=enterprise_pk).first()
    if enterprise is None:
        raise Http404
    devices = list(Device.objects.for_user(user).filter(enterprise=enterprise).order_by("code"))
    return enterprise, devices


def alarm_figures(user):
    """Open and unacknowledged alarms in scope (one query)."""
    return Alarm.objects.for_user(user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN)), unack=Count("pk", filter=Q(status=AlarmStatus.RAISED))
    )


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better, the alarm list's filters behind it, with {start}/{end} for the period)
ALARM_FIGURES = [
    ("alarms", "监测报警次数", "次", "lower", "raised_from={start}&raised_to={end}"),
    ("unacknowledged", "监测报警未确认", "条", "lower", "unack=1&raised_to={end}"),
]


def monitoring_figures(*, user, filters=None, by=None, today=None):
    """The alarm figures for `user`'s scope (None: the system, unscoped) narrowed by `filters`
    (core.registry.Figure: region, industry, year or start/end): {group: {"monitoring.<key>": value}} with
    group "" (by=None), each child region's code (by="region") or each industry's code (by="industry"),
    in one aggregate query. 报警次数 counts the alarms raised in the period; 未确认 the alarms raised by
    its end that nobody has acknowledged yet (as of now)."""
    from zhiben.core.periods import filter_range

    start, end = filter_range(filters, today)
    qs, region = _figure_rows(Alarm, user, filters)
    measures = {
        "alarms": Count("pk", filter=Q(raised_at__date__gte=start, raised_at__date__lte=end)),
        "unacknowledged": Count("pk", filter=Q(status=AlarmStatus.RAISED, raised_at__date__lte=end)),
    }

    def values(counts):
        return {f"monitoring.{key}": counts.get(key, 0) for key, *_ in ALARM_FIGURES}

    return _grouped(qs, measures, values, region=region, by=by)


def _figure_rows(model, user, filters):
    """(rows of `model` in `user`'s scope within filters' region and industry, the region code)."""
    from zhiben.core.scoping import normalize_code

    filters = filters or {}
    qs = model.objects.for_user(user) if user is not None else model.objects.all()
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    return qs, region


def enterprise_has_devices(user, enterprise):
    return Device.objects.for_user(user).filter(enterprise=enterprise).exists()


# ---------------------------------------------------------------- the chart

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 220, 56, 12, 12, 28
MAX_ROWS = 50_000


def _nice(low, high):
    """(axis low, axis high, step): the values' range widened to round numbers, a step of 1, 2 or 5 × a power of
    ten giving four or five intervals (ticks read 0, 2, 4 …, not 7.9, 10.8); the axis starts at 0 or above when no
    value is below zero (a concentration, a power)."""
    if low == high:  # one value: a unit around it, not below zero when it is not
        low, high = (max(low - 1, 0) if low >= 0 else low - 1), high + 1
    raw = (high - low) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
    if bottom == low and low != 0:  # a line on the frame's edge: one step of room
        bottom -= step
    if top == high:
        top += step
    if bottom < 0 <= low:
        bottom = 0
    return bottom, top, step


def chart(device, *, hours=24, now=None, rules=None):
    """The device's readings of the last `hours` as an SVG polyline: at most one point per pixel column
    each for the column's lowest and highest reading (peaks survive), threshold lines of its
    above/below rules, and axis labels. Returns a dict the template draws."""
    now = now or timezone.now()
    since = now - timedelta(hours=hours)
    rows = list(
        Reading.objects.filter(device=device, ts__gte=since, ts__lte=now)
        .order_by("-ts")
        .values_list("ts", "value")[:MAX_ROWS]
    )
    rows.reverse()
    rules = device_rules(device) if rules is None else rules
    lines = [
        (r.kind, r.threshold) for r in rules if r.kind in (RuleKind.ABOVE, RuleKind.BELOW) and r.threshold is not None
    ]
    if device.kind == Kind.POWER and device.rated_power:
        lines += [
            ("power", r.threshold * device.rated_power) for r in rules if r.kind == RuleKind.POWER and r.threshold
        ]
    out = {"width": WIDTH, "height": HEIGHT, "count": len(rows), "hours": hours, "unit": device.unit}
    if not rows:
        return {**out, "empty": True}
    values = [v for _, v in rows] + [v for _, v in lines]
    low, high, step = _nice(min(values), max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = (now - since).total_seconds()

    def x_of(ts):
        return LEFT + (ts - since).total_seconds() / span * plot_w

    def y_of(value):
        return TOP + (high - value) / (high - low) * plot_h

    columns = {}
    for ts, value in rows:
        column = int(x_of(ts))
        lo_hi = columns.get(column)
        if lo_hi is None:
            columns[column] = [(ts, value), (ts, value)]
        else:
            if value < lo_hi[0][1]:
                lo_hi[0] = (ts, value)
            if value > lo_hi[1][1]:
                lo_hi[1] = (ts, value)
    points = []
    for column in sorted(columns):
        pair = sorted(set(columns[column]), key=lambda p: p[0])
        points += [f"{x_of(ts):.1f},{y_of(v):.1f}" for ts, v in pair]
    labels = {"above": "上限", "below": "下限", "power": "停产用电限值"}
    ticks = []
    for i in range(round((high - low) / step) + 1):
        value = round(low + step * i, 10)
        ticks.append({"y": round(y_of(value), 1), "text": f"{value:g}"})
    xticks = []
    for i in range(5):
        at = since + timedelta(seconds=span * i / 4)
        xticks.append({"x": round(x_of(at), 1), "text": timezone.localtime(at).strftime("%m-%d %H:%M")})
    return {
        **out,
        "empty": False,
        "points": " ".join(points),
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "lines": [{"y": round(y_of(v), 1), "text": f"{labels[k]} {v:g}", "kind": k} for k, v in lines],
        "yticks": ticks,
        "xticks": xticks,
        "last": rows[-1],
        "min": min(v for _, v in rows),
        "max": max(v for _, v in rows),
    }
