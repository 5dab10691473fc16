"""Reads: the shifts in force, who is on duty at a moment, the roster week and its gaps, the duty desk, a
duty day's summary, and information reports with the clock of each level."""

import re
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from zhiben.core.db import as_id
from zhiben.core.filters import Filter, FilterSet, Sort, flag, id_q
from zhiben.core.rules import rule
from zhiben.core.scoping import NOTHING, region_chain, subtree_q
from zhiben.enterprises.filters import region_options
from zhiben.regions.models import Unit

from .choices import DEFAULT_SHIFTS, DutyRole, EventKind, LogKind, ReportStatus
from .models import DutyDay, DutyLogEntry, DutyPerson, DutySlot, EventReport, Handover, ReportLevel, user_level  # noqa: F401

# ---------------------------------------------------------------- shifts

HHMM = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")


def parse_shifts(value):
    """[(name, time)] from the rule's value [{"name", "start": "HH:MM"}, …]; None when it is malformed
    (no shift, a bad time, a name missing or repeated, two shifts starting at the same time)."""
    if not isinstance(value, list) or not value:
        return None
    shifts, names, starts = [], set(), set()
    for item in value:
        if not isinstance(item, dict):
            return None
        name = str(item.get("name") or "").strip()
        match = HHMM.match(str(item.get("start") or "").strip())
        if not name or match is None or name in names:
            return None
        start = time(int(match.group(1)), int(match.group(2)))
        if start in starts:
            return None
        names.add(name)
        starts.add(start)
        shifts.append((name[:20], start))
    return shifts


def shifts_for(region_code):
    """The shifts of a jurisdiction (rule "watch.shifts"; the default when the rule is malformed), in the
    order of the day: the first starts the duty day, each lasts until the next one starts, the last until the
    first of the next day. One shift: 24 hours."""
    return parse_shifts(rule("watch.shifts", region_code or "")) or parse_shifts(DEFAULT_SHIFTS)


def shift_windows(day, shifts):
    """[(index, name, starts_at, ends_at)] of duty day `day`; a start earlier than the one before lies on the
    next calendar day (a night shift after midnight)."""
    tz = timezone.get_current_timezone()
    starts, previous = [], None
    for name, start in shifts:
        moment = datetime.combine(day, start)
        if previous is not None:
            while moment <= previous:
                moment += timedelta(days=1)
        starts.append((name, moment))
        previous = moment
    first_next = datetime.combine(day + timedelta(days=1), shifts[0][1])
    windows = []
    for index, (name, moment) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else first_next
        windows.append((index, name, timezone.make_aware(moment, tz), timezone.make_aware(end, tz)))
    return windows


def duty_date_of(unit, at):
    """The duty day a moment belongs to: the day of the shift covering it, else by the shifts in force
    (before the first shift's start it is still the previous duty day)."""
    slot = DutySlot.objects.filter(unit=unit, starts_at__lte=at, ends_at__gt=at).select_related("duty_day").first()
    if slot is not None:
        return slot.duty_day.day
    local = timezone.localtime(at)
    first = shifts_for(unit.region_id)[0][1]
    return local.date() if local.time() >= first else local.date() - timedelta(days=1)


# ---------------------------------------------------------------- who is on duty

PEOPLE = Prefetch("people", queryset=DutyPerson.objects.select_related("user").order_by("role", "position", "id"))


def slots_at(units, at):
    """{unit id: the slot covering moment `at`} for `units` (ids)."""
    rows = DutySlot.objects.filter(unit_id__in=units, starts_at__lte=at, ends_at__gt=at).prefetch_related(PEOPLE)
    return {slot.unit_id: slot for slot in rows}


def on_duty(*, unit=None, region=None, at=None):
    """Who is on duty at moment `at` (default now): for one unit, or for every active unit of a region (a
    Region or its code; that region's own units, not those below). Shifts crossing midnight are found by
    their start and end. Returns [{"unit", "slot", "leaders", "staff"}] (slot None: nobody on the roster)."""
    at = at or timezone.now()
    if unit is not None:
        units = [unit]
    else:
        code = getattr(region, "code", region)
        units = list(Unit.objects.filter(region_id=code, is_active=True).order_by("kind", "name"))
    slots = slots_at([u.pk for u in units], at)
    rows = []
    for u in units:
        slot = slots.get(u.pk)
        rows.append(
            {
                "unit": u,
                "slot": slot,
                "leaders": slot.leaders if slot else [],
                "staff": slot.staff if slot else [],
            }
        )
    return rows


def committee_of(region_code):
    """The 安委办 nearest to a region on its chain (the town's, else the county's …), or None."""
    if not region_code:
        return None
    return (
        Unit.objects.filter(kind="committee", is_active=True, region_id__in=region_chain(region_code))
        .order_by("-region_id")
        .first()
    )


def home_units(user):
    """The units whose duty the home page shows a user: their own unit when it keeps a roster (roster_units) and its
    安委办 (for a user without a unit, the 安委办 of their jurisdiction). A unit that keeps none is not shown as
    “未排班”: no shift of its is missing (the roster's gap card counts only units that keep one)."""
    units = []
    if user.unit_id and user.unit.is_active and roster_units(None).filter(pk=user.unit_id).exists():
        units.append(user.unit)
    region = user.unit.region_id if user.unit_id else user.region_id
    committee = committee_of(region)
    if committee is not None and committee.pk not in {u.pk for u in units}:
        units.append(committee)
    return units


def duty_names(row):
    """ "带班 张三 · 值班 李四、王五" (or "未排班")."""
    if row["slot"] is None or not (row["leaders"] or row["staff"]):
        return "未排班"
    parts = []
    if row["leaders"]:
        parts.append("带班 " + "、".join(p.name for p in row["leaders"]))
    if row["staff"]:
        parts.append("值班 " + "、".join(p.name for p in row["staff"]))
    return " · ".join(parts)


# ---------------------------------------------------------------- units and the roster


def units_in_scope(user):
    return Unit.objects.for_user(user).filter(is_active=True)


def roster_units(user):
    """The units in the user's scope (None: everywhere) that keep a roster: every 安委办, and any unit with a
    duty day."""
    has_days = DutyDay.objects.filter(unit_id=OuterRef("pk"))
    units = Unit.objects.filter(is_active=True) if user is None else units_in_scope(user)
    return units.filter(Q(kind="committee") | Exists(has_days)).order_by("region_id", "kind", "name")


def can_manage_unit(user, unit):
    """A duty manager edits their own unit's roster and log; an 安委办 administrator any unit in scope."""
    if not user.can("watch.manage"):
        return False
    if not Unit.objects.for_user(user).filter(pk=unit.pk).exists():
        return False
    return user.unit_id == unit.pk or user.role == "anweiban_admin"


def unit_get(user, pk):
    """A unit in the user's scope (404 otherwise), for the watch pages."""
    pk = as_id(pk)
    if not user.can("watch.view") or pk is None:
        raise Http404
    unit = units_in_scope(user).select_related("region").filter(pk=pk).first()
    if unit is None:
        above = committee_of(user.region_id)  # the 安委办 over a village: whom its grid workers call
        unit = above if above is not None and above.pk == int(pk) and above.is_active else None
    if unit is None:
        raise Http404
    return unit


def default_unit(user):
    """The unit a watch page opens on: the user's own, else the 安委办 of their jurisdiction (for a village,
    the one above it, read only)."""
    units = units_in_scope(user)
    if user.unit_id and units.filter(pk=user.unit_id).exists():
        return user.unit
    committee = committee_of(user.region_id)
    if committee is not None and units.filter(pk=committee.pk).exists():
        return committee
    return roster_units(user).first() or committee_of(user.region_id)


def slots_between(unit, first, last):
    """{(day, starts_at): slot} of the unit's duty days first..last, people prefetched."""
    rows = (
        DutySlot.objects.filter(unit=unit, duty_day__day__gte=first, duty_day__day__lte=last)
        .select_related("duty_day")
        .prefetch_related(PEOPLE)
    )
    return {(s.duty_day.day, s.starts_at): s for s in rows}


def roster_week(unit, monday):
    """The week's grid: for each day, each shift in force with its slot (or None)."""
    return roster_days(unit, monday, monday + timedelta(days=6))


def roster_days(unit, first, last):
    """The grid of days first..last: for each day, each shift in force with its slot (or None), and the slots
    written under an earlier shift rule (`other_slots`)."""
    shifts = shifts_for(unit.region_id)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    slots = slots_between(unit, days[0], days[-1])
    extra = defaultdict(list)
    expected = set()
    grid = []
    for day in days:
        cells = []
        for index, name, start, end in shift_windows(day, shifts):
            expected.add((day, start))
            cells.append(
                {"index": index, "shift": name, "starts_at": start, "ends_at": end, "slot": slots.get((day, start))}
            )
        grid.append({"day": day, "cells": cells})
    for key, slot in slots.items():  # shifts written under an earlier shift rule stay visible
        if key not in expected:
            extra[key[0]].append(slot)
    for row in grid:
        row["other_slots"] = extra.get(row["day"], [])
    return grid


ROSTER_HEADERS = ["日期", "星期", "班次", "起止时间", "带班领导", "带班领导电话", "值班人员", "联系电话"]
ROSTER_EXPORT_DAYS = 92  # a quarter: the longest period a roster is asked for (a holiday season, a quarter)
WEEKDAYS = "一二三四五六日"


def roster_period_problem(first, last):
    """What is wrong with a roster period asked for (its days first..last; None: a date missing or malformed), in
    the words the page and the API give; None when it can be read."""
    if first is None or last is None:
        return "请填写值班表期间的开始和结束日期（格式：2026-10-01）。"
    if last < first:
        return "结束日期不能早于开始日期。"
    if (last - first).days >= ROSTER_EXPORT_DAYS:
        return f"一次最多读取 {ROSTER_EXPORT_DAYS} 天的值班表，请缩短期间。"
    return None


def _people_cells(people, full):
    """(names, phones) of the export: the phones in a column of their own (one for all when they share the duty
    line), or each beside its name when some have none, so that the file reads back as it was written
    (services.roster_import). `full`: the numbers unmasked (a manager of the unit)."""
    phones = [p.phone if full else p.phone_masked for p in people]
    names = "、".join(p.name for p in people)
    if not any(phones):
        return names, ""
    if all(phones):
        return names, phones[0] if len(set(phones)) == 1 else "、".join(phones)
    return "、".join(f"{p.name} {phone}".strip() for p, phone in zip(people, phones)), ""


def roster_export_rows(units, first, last, *, full_phones, with_unit=False):
    """The rows of ROSTER_HEADERS (after a 单位 column `with_unit`) of `units`' rosters first..last: each shift in
    force, filled or not (a blank shift is left blank to be filled in and imported), and those written under an
    earlier shift rule. `full_phones(unit)`: whether the reader sees that unit's numbers unmasked."""
    for unit in units:
        full = full_phones(unit)
        for row in roster_days(unit, first, last):
            day = row["day"]
            shifts = [(c["shift"], c["starts_at"], c["ends_at"], c["slot"]) for c in row["cells"]]
            shifts += [(f"{s.shift}（原班次）", s.starts_at, s.ends_at, s) for s in row["other_slots"]]
            for shift, starts_at, ends_at, slot in shifts:
                hours = f"{timezone.localtime(starts_at):%H:%M}—{timezone.localtime(ends_at):%H:%M}"
                cells = [day, f"星期{WEEKDAYS[day.weekday()]}", shift, hours]
                cells += _people_cells(slot.leaders if slot else [], full)
                cells += _people_cells(slot.staff if slot else [], full)
                yield [unit.name, *cells] if with_unit else cells


def gaps(unit, today, days=None):
    """The shifts in force of the coming `days` (rule "watch.gap_days") from `today` that lack a 带班领导 or
    值班人员: [{"day", "shift", "missing"}]."""
    days = int(rule("watch.gap_days", unit.region_id) if days is None else days)
    if days <= 0:
        return []
    shifts = shifts_for(unit.region_id)
    last = today + timedelta(days=days - 1)
    slots = slots_between(unit, today, last)
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        for _, name, start, _end in shift_windows(day, shifts):
            slot = slots.get((day, start))
            missing = []
            if slot is None or not slot.leaders:
                missing.append("带班领导")
            if slot is None or not slot.staff:
                missing.append("值班人员")
            if missing:
                found.append({"day": day, "shift": name, "missing": missing, "single": len(shifts) == 1})
    return found


def gap_summary(user, today):
    """[(unit, gaps)] of every roster unit in the user's scope with a gap in the coming days."""
    return [(unit, found) for unit in roster_units(user) if (found := gaps(unit, today))]


# ---------------------------------------------------------------- the duty desk


def current_slot(unit, at):
    return slots_at([unit.pk], at).get(unit.pk)


def next_slot(unit, slot, at):
    """The shift after `slot` (or after moment `at` when there is no current slot)."""
    start = slot.ends_at if slot is not None else at
    return (
        DutySlot.objects.filter(unit=unit, starts_at__gte=start).prefetch_related(PEOPLE).order_by("starts_at").first()
    )


def handover_for(unit, slot, at):
    """The handover the shift on duty took over (its open items are this shift's to follow up): the last one
    addressed to `slot`, else the last one before `at`."""
    qs = Handover.objects.filter(unit=unit)
    if slot is not None:
        own = qs.filter(to_slot=slot).order_by("-at", "-id").first()
        if own is not None:
            return own
        return qs.filter(at__lte=at, at__gte=slot.starts_at - timedelta(hours=2)).order_by("-at", "-id").first()
    return qs.filter(at__lte=at).order_by("-at", "-id").first()


def desk(unit, at):
    """What the duty desk shows: the shift on duty, the handover it took over, its log, the next shift."""
    slot = current_slot(unit, at)
    since = slot.starts_at if slot is not None else at - timedelta(hours=24)
    entries = DutyLogEntry.objects.filter(unit=unit, at__gte=since, at__lte=at).order_by("-at", "-id")
    return {
        "slot": slot,
        "received": handover_for(unit, slot, at),
        "entries": list(entries),
        "next": next_slot(unit, slot, at),
    }


# ---------------------------------------------------------------- a duty day


def duty_day_for(user, unit, day):
    return DutyDay.objects.for_user(user).filter(unit=unit, day=day).first()


def day_bounds(unit, day, duty_day=None):
    """(start, end) of a duty day: from its first shift's start to the next day's first shift start."""
    if duty_day is not None:
        slots = list(duty_day.slots.order_by("starts_at"))
        if slots:
            return slots[0].starts_at, max(s.ends_at for s in slots)
    windows = shift_windows(day, shifts_for(unit.region_id))
    return windows[0][2], windows[-1][3]


def day_summary(duty_day, *, user=None):
    """A unit's duty day: its shifts and people, log entries, handovers, and the information reports its
    region's level received or passed on during the day (those `user` may see, when given)."""
    unit = duty_day.unit
    start, end = day_bounds(unit, duty_day.day, duty_day)
    slots = list(duty_day.slots.prefetch_related(PEOPLE).order_by("starts_at"))
    levels = (
        ReportLevel.objects.filter(region_id=unit.region_id)
        .filter(Q(received_at__gte=start, received_at__lt=end) | Q(passed_at__gte=start, passed_at__lt=end))
        .select_related("report", "report__region")
        .order_by("received_at")
    )
    if user is not None:
        levels = levels.filter(report__in=EventReport.objects.for_user(user))
    return {
        "start": start,
        "end": end,
        "slots": slots,
        "entries": list(duty_day.entries.order_by("at", "id")),
        "handovers": list(duty_day.handovers.select_related("from_slot", "to_slot").order_by("at", "id")),
        "received": [lv for lv in levels if start <= lv.received_at < end],
        "passed": [lv for lv in levels if lv.passed_at and start <= lv.passed_at < end],
    }


# ---------------------------------------------------------------- the duty log across days


def _unit_options(user):
    return [(str(u.pk), u.name) for u in roster_units(user)]


LOG_FILTERS = FilterSet(
    Filter("unit", "值班单位", "choice", choices=_unit_options, q=id_q("unit_id", otherwise=NOTHING)),
    Filter("kind", "类型", "choice", choices=LogKind.choices, lookup="kind"),
    Filter("from", "日期从", "date", lookup="duty_day__day__gte"),
    Filter("to", "日期至", "date", lookup="duty_day__day__lte"),
    Filter("q", "关键词", "search", search=("content", "recorded_by_name")),
    Sort(
        "sort",
        {"at": ("at", "id"), "-at": ("-at", "-id"), "unit": ("unit__name", "at", "id")},
        default=("-at", "-id"),
    ),
)


def log_list(*, user, filters=None):
    """The duty log entries of the units in the user's view (值班日志查询), newest first, narrowed by LOG_FILTERS."""
    if not user.can("watch.view"):
        return DutyLogEntry.objects.none()
    qs = DutyLogEntry.objects.for_user(user).select_related("unit", "duty_day")
    return LOG_FILTERS.filter(qs, filters or {}, user=user)


# ---------------------------------------------------------------- information reports


def late_q(now):
    """Reports with a level that passed on late, or has not passed on past its deadline (while open)."""
    levels = ReportLevel.objects.filter(report_id=OuterRef("pk"), deadline_at__isnull=False).filter(
        Q(passed_at__isnull=False, passed_at__gt=F("deadline_at"))
        | Q(passed_at__isnull=True, deadline_at__lt=now, report__status=ReportStatus.OPEN)
    )
    return Exists(levels)


def _late_filter(value, ctx, now=None):
    wanted = flag(value)
    if wanted is None:
        return None
    condition = late_q(now or timezone.now())
    return condition if wanted else ~condition


REPORT_FILTERS = FilterSet(
    Filter("region", "事发地", "choice", choices=region_options, q=lambda value, ctx: subtree_q(value)),
    Filter("kind", "类别", "choice", choices=EventKind.choices, lookup="kind"),
    Filter("status", "状态", "choice", choices=ReportStatus.choices, lookup="status"),
    Filter("late", "迟报", "choice", choices=[("1", "有迟报"), ("0", "无迟报")], q=_late_filter),
    Filter("from", "发生日期从", "date", lookup="occurred_at__date__gte"),
    Filter("to", "发生日期至", "date", lookup="occurred_at__date__lte"),
    Filter("q", "关键词", "search", search=("number", "title", "description", "place")),
    Sort(
        "sort",
        {
            "occurred": ("occurred_at", "id"),
            "-occurred": ("-occurred_at", "-id"),
            "deaths": ("deaths", "id"),
            "-deaths": ("-deaths", "-id"),
        },
        default=("-occurred_at", "-id"),
    ),
)


def report_list(*, user, filters=None, now=None):
    if not user.can("watch.view"):
        return EventReport.objects.none()
    now = now or timezone.now()
    filters = filters or {}
    qs = EventReport.objects.for_user(user).select_related("region", "reporter_unit")
    qs = REPORT_FILTERS.filter(qs, filters, user=user, names=[n for n in REPORT_FILTERS.names if n != "late"])
    late = _late_filter(REPORT_FILTERS.values(filters)["late"], None, now)  # the filter context has no clock
    if late is not None:
        qs = qs.filter(late)
    return qs.annotate(is_late=late_q(now))


def report_get(*, user, pk):
    if not user.can("watch.view"):
        raise Http404
    report = (
        EventReport.objects.for_user(user)
        .select_related("region", "reporter_unit", "created_by")
        .prefetch_related(
            Prefetch("levels", queryset=ReportLevel.objects.select_related("region").order_by("-level")),
            "updates",
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report


def chain_view(report, now=None):
    """The report's levels from the first up, each with its clock: elapsed minutes, late flags."""
    now = now or timezone.now()
    rows = []
    for level in report.levels.all():
        level.report = report
        rows.append(
            {
                "level": level,
                "elapsed": level.elapsed_minutes(now) if not level.is_top else None,
                "elapsed_text": elapsed_text(level.elapsed_minutes(now)) if not level.is_top else "",
                "late": level.late(now),
                "written_late": level.written_late(now),
            }
        )
    return rows


def overdue_levels(now=None):
    """Levels of open reports not passed on past their deadline (the escalation target's objects)."""
    now = now or timezone.now()
    return (
        ReportLevel.objects.filter(
            passed_at__isnull=True, deadline_at__isnull=False, deadline_at__lt=now, report__status=ReportStatus.OPEN
        )
        .select_related("report", "region")
        .order_by("deadline_at", "id")
    )


def report_figures(user, now=None):
    """Open reports in scope, and those with a late level (one query each)."""
    now = now or timezone.now()
    qs = EventReport.objects.for_user(user)
    return {
        "open": qs.filter(status=ReportStatus.OPEN).count(),
        "late": qs.filter(late_q(now)).count(),
    }


def elapsed_text(minutes):
    """90 → "1小时30分"."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}小时{rest}分" if hours else f"{rest}分钟"


def roles_label(role):
    return DutyRole(role).label
