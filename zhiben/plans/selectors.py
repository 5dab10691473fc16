"""Reads of plans: lists with filters, task states on a given day, overdue milestones (for the
escalation ladder), completion by unit, the 一张表, filings and the difference between versions."""

import difflib
import re
from collections import OrderedDict, defaultdict

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.fields import CharField
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhiben.core.db import grouped as _grouped
from zhiben.core.scoping import region_chain, subtree_q
from zhiben.regions.models import Region

from .choices import (
    OWNER_ROLES,
    DisplayStatus,
    Granularity,
    Kind,
    MilestoneStatus,
    PlanStatus,
    Recurrence,
    ReportStatus,
)
from .filters import PLAN_FILTERS, TASK_FILTERS
from .models import Milestone, Plan, PlanFiling, ProgressReport, Task, TaskUnit
from .schedule import periods


def _today(today):
    return today or timezone.localdate()


# ---------------------------------------------------------------- plans and tasks


def plan_list(*, user, filters=None):
    """The plans `user` may open, narrowed by PLAN_FILTERS (kind, status, region, year, keyword) and in the order
    their `sort` names — the page, its export and the API share it."""
    qs = Plan.objects.visible_to(user).select_related("region", "issuing_unit").annotate(task_count=Count("tasks"))
    return PLAN_FILTERS.filter(qs, filters, user=user)


def plan_get(*, user, pk):
    return get_object_or_404(
        Plan.objects.visible_to(user).select_related("region", "issuing_unit", "parent", "previous"), pk=pk
    )


def visible_tasks(user):
    return Task.objects.for_user(user).filter(plan__in=Plan.objects.visible_to(user))


def task_get(*, user, pk):
    return get_object_or_404(
        visible_tasks(user).select_related("plan__region", "action", "key_task", "parent_task__plan"), pk=pk
    )


def with_state(qs, today=None, *, due_from=None, due_to=None, per_task=False, state_on_read=False):
    """Annotate tasks with their milestone counts and `state` on `today`: overdue (a milestone past
    due and not completed) > completed (every milestone) > in_progress (a milestone started or a
    live report) > not_started; a standing task (长期坚持) without milestones is `ongoing`, as on the board. With `due_from`/`due_to` only the milestones due in that span count.

    The counts come from a join grouped by task; with `per_task`, from subqueries of each task's own milestones,
    the same numbers: a page of 20 tasks in plan order then counts 20 tasks' milestones where grouping counts
    every task's first (2,400 tasks: ~22 ms → ~1 ms), but filtering on the state evaluates them for every task
    several times over (twice as slow as grouping). With `state_on_read` as well, the state is not in the SQL:
    each row is given it from its counts as it is read (`task_state`), for a page that only shows the rows — the
    CASE repeats every count's subquery, and the ORM and PostgreSQL took ~10 ms to prepare it for a page of 20."""
    today = _today(today)
    live_reports = ProgressReport.objects.filter(task=OuterRef("pk")).exclude(status=ReportStatus.RETURNED)
    if per_task and state_on_read:
        qs = qs.annotate(**_counts_per_task(today, due_from, due_to), has_reports=Exists(live_reports))
        qs._iterable_class = _WithState
        return qs
    if per_task:
        counts = _counts_per_task(today, due_from, due_to)
    else:
        span = Q()
        if due_from:
            span &= Q(milestones__due_date__gte=due_from)
        if due_to:
            span &= Q(milestones__due_date__lte=due_to)
        counts = {
            "ms_total": Count("milestones", filter=span),
            "ms_done": Count("milestones", filter=span & Q(milestones__status=MilestoneStatus.COMPLETED)),
            "ms_started": Count(
                "milestones",
                filter=span & Q(milestones__status__in=[MilestoneStatus.IN_PROGRESS, MilestoneStatus.COMPLETED]),
            ),
            "ms_overdue": Count(
                "milestones",
                filter=span
                & Q(milestones__due_date__lt=today)
                & ~Q(milestones__status=MilestoneStatus.COMPLETED)
                & ~Q(recurrence=Recurrence.ONGOING),
            ),
        }
    return qs.annotate(**counts, has_reports=Exists(live_reports)).annotate(
        state=Case(
            *(When(condition, then=Value(state.value)) for state, condition, _ in STATE_RULES),
            default=Value(DisplayStatus.NOT_STARTED.value),
            output_field=CharField(),
        )
    )


# A task's state from its milestone counts, the first rule that holds (else not started): each rule as the SQL
# condition (with_state's CASE) beside the same test on a row read with its counts (task_state).
STATE_RULES = (
    (DisplayStatus.OVERDUE, Q(ms_overdue__gt=0), lambda t: t.ms_overdue > 0),
    (
        DisplayStatus.ONGOING,
        Q(recurrence=Recurrence.ONGOING, ms_total=0),
        lambda t: t.recurrence == Recurrence.ONGOING and t.ms_total == 0,
    ),
    (
        DisplayStatus.COMPLETED,
        Q(ms_total__gt=0, ms_done=F("ms_total")),
        lambda t: t.ms_total > 0 and t.ms_done == t.ms_total,
    ),
    (DisplayStatus.IN_PROGRESS, Q(ms_started__gt=0) | Q(has_reports=True), lambda t: t.ms_started > 0 or t.has_reports),
)


def task_state(task):
    """The state `with_state` gives, from a task's annotated counts."""
    return next((state.value for state, _, holds in STATE_RULES if holds(task)), DisplayStatus.NOT_STARTED.value)


class _WithState(ModelIterable):
    """Tasks as read, each given its `state` from its counts (with_state per task)."""

    def __iter__(self):
        for task in super().__iter__():
            task.state = task_state(task)
            yield task


def _counts_per_task(today, due_from, due_to):
    """with_state's milestone counts as subqueries of each task's own milestones (0 when it has none)."""
    milestones = Milestone.objects.filter(task=OuterRef("pk")).order_by()
    if due_from:
        milestones = milestones.filter(due_date__gte=due_from)
    if due_to:
        milestones = milestones.filter(due_date__lte=due_to)

    def count(condition=Q()):
        counted = milestones.filter(condition).values("task").annotate(n=Count("id")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    past_due = count(Q(due_date__lt=today) & ~Q(status=MilestoneStatus.COMPLETED))
    return {
        "ms_total": count(),
        "ms_done": count(Q(status=MilestoneStatus.COMPLETED)),
        "ms_started": count(Q(status__in=[MilestoneStatus.IN_PROGRESS, MilestoneStatus.COMPLETED])),
        "ms_overdue": Case(When(recurrence=Recurrence.ONGOING, then=Value(0)), default=past_due),
    }


# The task list's filters that read the state or the counts: with one of them the counts are grouped (with_state)
STATE_FILTERS = ("status", "overdue", "due_from", "due_to")


def task_list(*, user, filters=None, today=None, shown_only=False):
    """Tasks `user` may see with their state, narrowed by `filters` (any of TASK_FILTERS: region, plan,
    unit, action, status, overdue, milestones due in a span, keyword) — the page and the API share it.
    With due_from/due_to the milestone counts and the state are those of the milestones due in the span.
    `shown_only`: the rows are only read and shown (the page), so the state may be worked out as they are
    read rather than in SQL (see with_state's `state_on_read`); it cannot then be filtered or selected on."""
    from zhiben.core.filters import parse_date

    values = TASK_FILTERS.values(filters)
    span = {"due_from": parse_date(values["due_from"]), "due_to": parse_date(values["due_to"])}
    per_task = not any(values[name] for name in STATE_FILTERS)
    qs = with_state(visible_tasks(user), today, **span, per_task=per_task, state_on_read=shown_only)
    qs = TASK_FILTERS.filter(qs, filters, user=user, today=today)
    related = ("plan", "action") if shown_only else ("plan", "action", "key_task")  # the page shows no key task
    return qs.select_related(*related).order_by("plan_id", "sort", "id")


def task_assignments(tasks):
    """{task id: [TaskUnit]} for a page of tasks (one query)."""
    out = defaultdict(list)
    # in each task's own order, without the model's default ordering through the task and its plan (two joins)
    rows = TaskUnit.objects.filter(task__in=[t.pk for t in tasks]).select_related("unit").order_by("sort", "id")
    for a in rows.only("task", "name", "role", "unit__name"):  # what display_name and the role read
        out[a.task_id].append(a)
    return out


def overdue_tasks(today=None, *, user=None):
    """Milestones past their due date and not completed, on published plans not replaced by a newer
    published version: what the escalation ladder (target "plan_task") acts on. Each has `task`
    (with `plan` and its `region`); `days_overdue(today)` gives the days."""
    today = _today(today)
    qs = (
        Milestone.objects.overdue(today)
        .filter(task__plan__status=PlanStatus.PUBLISHED)
        .exclude(task__plan__next_versions__status=PlanStatus.PUBLISHED)
    )
    if user is not None:
        qs = qs.filter(pk__in=Milestone.objects.for_user(user).values("pk"))
    return qs.select_related("task__plan__region", "task__action").order_by("due_date", "pk")


def task_owners(task):
    """The units that own a task (牵头/负责), for addressing reminders."""
    return [a.unit for a in task.assignments.filter(role__in=OWNER_ROLES, unit__isnull=False).select_related("unit")]


# ---------------------------------------------------------------- completion by unit


def unit_completion(*, user, plan=None, today=None):
    """Per owning unit (牵头/负责): tasks, milestones due so far, of them completed, the rate
    (completed ÷ due), and overdue. Names not linked to a unit are listed by name."""
    today = _today(today)
    plans = Plan.objects.visible_to(user).filter(status=PlanStatus.PUBLISHED)
    if plan is not None:
        plans = plans.filter(pk=plan.pk)
    assignments = TaskUnit.objects.filter(task__plan__in=plans, role__in=OWNER_ROLES)
    tasks = {
        (r["unit_id"], r["unit__name"] or r["name"]): r["n"]
        for r in assignments.values("unit_id", "unit__name", "name").annotate(n=Count("task", distinct=True))
    }
    figures = (
        Milestone.objects.filter(task__plan__in=plans, task__assignments__role__in=OWNER_ROLES)
        .values("task__assignments__unit_id", "task__assignments__unit__name", "task__assignments__name")
        .annotate(
            total=Count("id"),
            due=Count("id", filter=Q(due_date__lte=today)),
            done=Count("id", filter=Q(due_date__lte=today, status=MilestoneStatus.COMPLETED)),
            overdue=Count("id", filter=Q(due_date__lt=today) & ~Q(status=MilestoneStatus.COMPLETED)),
        )
    )
    rows = OrderedDict()

    def row(unit_id, name):
        key = unit_id or name
        if key not in rows:
            rows[key] = {"unit_id": unit_id, "name": name, "tasks": 0, "total": 0, "due": 0, "done": 0, "overdue": 0}
        return rows[key]

    for (unit_id, name), n in tasks.items():
        row(unit_id, name)["tasks"] += n
    for f in figures:
        r = row(f["task__assignments__unit_id"], f["task__assignments__unit__name"] or f["task__assignments__name"])
        for k in ("total", "due", "done", "overdue"):
            r[k] += f[k]
    out = list(rows.values())
    for r in out:
        r["rate"] = round(100 * r["done"] / r["due"], 1) if r["due"] else None
    out.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["name"]))
    return out


# ---------------------------------------------------------------- figures for analytics

# (key, label, unit, better)
PLAN_FIGURES = [
    ("completion_rate", "方案任务完成率", "%", "higher"),
    ("overdue_tasks", "方案任务逾期", "条", "lower"),
]


def plan_figures(*, user, filters=None, by=None, today=None):
    """The action-plan figures for `user`'s scope (None: the system, unscoped) inside `filters`' region and
    period (core.registry.Figure; plans have no industry: by industry there is nothing, {}), over the
    milestones of published plans not replaced by a newer version that fall due in the period:

    - 完成率: of those already due (by today), the share completed — what the plan page's 完成情况 by
      unit counts, over every unit;
    - 逾期: the tasks with a milestone of the period past due and not completed (长期坚持 never).

    {group: {"plans.<key>": value}} with group "" (by=None) or each child region's code (by="region",
    by the plan's region), in one aggregate query."""
    from zhiben.core.periods import filter_range
    from zhiben.core.scoping import normalize_code

    filters = filters or {}
    today = _today(today)
    start, end = filter_range(filters, today)
    qs = Milestone.objects.for_user(user) if user is not None else Milestone.objects.all()
    qs = qs.filter(task__plan__status=PlanStatus.PUBLISHED, due_date__gte=start, due_date__lte=end).exclude(
        task__plan__next_versions__status=PlanStatus.PUBLISHED
    )
    region = normalize_code(filters.get("region")) or (getattr(user, "region_id", "") or "")
    if region:
        qs = qs.filter(subtree_q(region, "task__plan__region_id"))
    due = Q(due_date__lte=today)
    overdue = Q(due_date__lt=today) & ~Q(status=MilestoneStatus.COMPLETED) & ~Q(task__recurrence=Recurrence.ONGOING)
    measures = {
        "due": Count("pk", filter=due),
        "done": Count("pk", filter=due & Q(status=MilestoneStatus.COMPLETED)),
        "overdue": Count("task", filter=overdue, distinct=True),
    }
    if by == "industry":
        return {}

    def values(c):
        due_n = c.get("due", 0)
        return {
            "plans.completion_rate": round(100 * c.get("done", 0) / due_n, 1) if due_n else None,
            "plans.overdue_tasks": c.get("overdue", 0),
        }

    return _grouped(qs, measures, values, region=region, by=by, region_field="task__plan__region_id")


# ---------------------------------------------------------------- the 一张表


def _cell_state(statuses):
    if not statuses:
        return ""
    if DisplayStatus.OVERDUE in statuses:
        return DisplayStatus.OVERDUE
    if all(s == DisplayStatus.COMPLETED for s in statuses):
        return DisplayStatus.COMPLETED
    if any(s in (DisplayStatus.IN_PROGRESS, DisplayStatus.COMPLETED) for s in statuses):
        return DisplayStatus.IN_PROGRESS
    return DisplayStatus.NOT_STARTED


def board(*, plan, granularity=Granularity.YEAR, unit=None, action=None, today=None):
    """The 挂图作战一张表: rows = tasks grouped by action, columns = periods, each cell the status of
    the task's milestones due in that period (逾期 > 已完成 > 推进中 > 未开始). A standing task's
    cell shows 推进中 where a report was made in the period."""
    today = _today(today)
    granularity = granularity if granularity in Granularity.values else Granularity.YEAR
    columns = periods(plan.start_year, plan.end_year, granularity)
    live = ProgressReport.objects.exclude(status=ReportStatus.RETURNED).select_related("unit").order_by("-submitted_at")
    tasks = plan.tasks.select_related("action", "key_task").prefetch_related(
        Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit")),
        "milestones",
        Prefetch("reports", queryset=live, to_attr="live_reports"),
    )
    if unit:
        tasks = tasks.filter(pk__in=TaskUnit.objects.filter(unit_id=unit).values("task_id"))
    if action:
        tasks = tasks.filter(action_id=action)
    groups, counts = OrderedDict(), defaultdict(int)
    for task in tasks:
        cells = []
        milestones = list(task.milestones.all())
        for period in columns:
            inside = [m for m in milestones if period.contains(m.due_date)]
            statuses = [m.display_status(today) for m in inside]
            state = _cell_state(statuses)
            percent = None
            if inside:
                ids = {m.pk for m in inside}
                latest = next((r for r in task.live_reports if r.milestone_id in ids), None)
                percent = latest.percentage if latest else None
            elif not milestones and task.recurrence == "ongoing" and period.start <= today:
                reported = [r for r in task.live_reports if period.contains(timezone.localtime(r.submitted_at).date())]
                state = "ongoing_reported" if reported else "ongoing"
                percent = reported[0].percentage if reported else None
            cells.append(
                {
                    "state": state,
                    "label": DisplayStatus(state).label if state in DisplayStatus.values else "",
                    "milestones": inside,
                    "percent": percent,
                    "period": period,
                }
            )
        task_state = _cell_state([m.display_status(today) for m in milestones])
        if not milestones and task.recurrence == Recurrence.ONGOING:
            task_state = DisplayStatus.ONGOING  # as the plan page and the task list count it
        counts[task_state or "none"] += 1
        owners = [a for a in task.assignments.all() if a.role != "cooperating"]
        helpers = [a for a in task.assignments.all() if a.role == "cooperating"]
        groups.setdefault(task.action, []).append(
            {"task": task, "cells": cells, "owners": owners, "helpers": helpers, "state": task_state}
        )
    for rows in groups.values():
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1]["task"].key_task_id == rows[i]["task"].key_task_id:
                j += 1
            rows[i]["key_rowspan"] = j - i + 1
            for k in range(i + 1, j + 1):
                rows[k]["key_rowspan"] = 0
            i = j + 1
    legend = [(value, label, counts.get(value, 0)) for value, label in DisplayStatus.choices]
    return {
        "columns": columns,
        "groups": list(groups.items()),
        "counts": dict(counts),
        "legend": legend,
        "granularity": granularity,
        "today": today,
    }


# ---------------------------------------------------------------- several levels


def parent_task_candidates(plan):
    """Tasks an upper level's published plan holds that `plan`'s tasks may implement: the parent
    plan's when one is set, else those of every plan of the regions above."""
    qs = Task.objects.filter(plan__status=PlanStatus.PUBLISHED, plan__region_id__in=region_chain(plan.region_id)[1:])
    if plan.parent_id:
        qs = qs.filter(plan_id=plan.parent_id)
    return qs.select_related("plan", "action").order_by("plan_id", "sort")


def parent_plan_candidates(region_code):
    return Plan.objects.filter(status=PlanStatus.PUBLISHED, region_id__in=region_chain(region_code)[1:]).select_related(
        "region"
    )


def suggest_parent_tasks(plan, tasks, *, cutoff=0.35):
    """{task id: (parent task, score)}: the upper plan's task whose text is closest to each task."""
    candidates = list(parent_task_candidates(plan))
    out = {}
    texts = [(c, _norm(c.content)) for c in candidates]
    for task in tasks:
        best, best_score = None, cutoff
        matcher = difflib.SequenceMatcher(None, "", _norm(task.content))
        for c, text in texts:
            matcher.set_seq1(text)
            if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
                continue
            score = matcher.ratio()
            if score > best_score:
                best, best_score = c, score
        if best is not None:
            out[task.pk] = (best, round(best_score, 2))
    return out


def linked_progress(*, user, task, today=None):
    """The lower levels' tasks that implement `task`, each with its state and latest report."""
    qs = with_state(visible_tasks(user).filter(parent_task=task), today).select_related("plan__region")
    rows = []
    for t in qs:
        latest = t.reports.exclude(status=ReportStatus.RETURNED).select_related("unit").first()
        rows.append({"task": t, "state": t.state, "latest": latest})
    return rows


# ---------------------------------------------------------------- filings and versions


def filings_overview(*, user):
    """For the upper level: every list of the regions directly below, its versions and which of them
    were filed, plus the regions that filed no duty list or annual task list at all."""
    if not user.region_id:
        return {"series": [], "missing": []}
    children = list(Region.objects.filter(parent_id=user.region_id).order_by("code"))
    plans = (
        Plan.objects.for_user(user)
        .filter(region_id__in=[r.code for r in children], status=PlanStatus.PUBLISHED)
        .select_related("region", "issuing_unit")
        .order_by("region_id", "series", "version")
    )
    filings = {f.plan_id: f for f in PlanFiling.objects.filter(plan__in=plans).select_related("filed_by", "to_unit")}
    series = OrderedDict()
    for p in plans:
        series.setdefault(p.series, []).append(p)
    out = []
    for versions in series.values():
        latest = versions[-1]
        filed = [v for v in versions if v.pk in filings]
        last_filed = filed[-1] if filed else None
        previous_filed = filed[-2] if len(filed) > 1 else None
        out.append(
            {
                "region": latest.region,
                "plan": latest,
                "versions": versions,
                "filings": [filings[v.pk] for v in filed],
                "last_filed": last_filed,
                "last_filing": filings.get(last_filed.pk) if last_filed else None,
                "unfiled_newer": last_filed is None or last_filed.version < latest.version,
                "diff_from": previous_filed,
            }
        )
    kinds_by_region = defaultdict(set)
    for row in out:
        if row["filings"]:
            kinds_by_region[row["region"].code].add(row["plan"].kind)
    missing = [
        (r, [Kind(k).label for k in (Kind.DUTY_LIST, Kind.ANNUAL_LIST) if k not in kinds_by_region[r.code]])
        for r in children
    ]
    return {"series": out, "missing": [(r, kinds) for r, kinds in missing if kinds]}


def _norm(text):
    return re.sub(r"[\s，。；、,.;:：（）()“”\"'‘’]", "", text or "")


def _task_signature(task):
    units = sorted((a.name, a.role) for a in task.assignments.all())
    return {"action": task.action.title, "deadline_text": task.deadline_text, "units": units}


def version_diff(old, new):
    """What changed between two versions of a list: tasks added, removed and changed (content,
    deadline, units or action), matching tasks by identical text, then by the closest text."""

    def load(plan):
        return list(plan.tasks.select_related("action").prefetch_related("assignments").order_by("sort"))

    before, after = load(old), load(new)
    pairs, left, right = [], list(before), []
    by_text = defaultdict(list)
    for t in left:
        by_text[_norm(t.content)].append(t)
    for t in after:
        bucket = by_text.get(_norm(t.content))
        if bucket:
            match = bucket.pop(0)
            left.remove(match)
            pairs.append((match, t))
        else:
            right.append(t)
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, _norm(a.content), _norm(b.content)).ratio(), i, j)
            for i, a in enumerate(left)
            for j, b in enumerate(right)
        ),
        reverse=True,
    )
    used_l, used_r = set(), set()
    for score, i, j in scored:
        if score < 0.6:
            break
        if i in used_l or j in used_r:
            continue
        used_l.add(i)
        used_r.add(j)
        pairs.append((left[i], right[j]))
    removed = [t for i, t in enumerate(left) if i not in used_l]
    added = [t for j, t in enumerate(right) if j not in used_r]
    changed, unchanged = [], 0
    labels = {"content": "任务内容", "action": "所属行动", "deadline_text": "完成时间", "units": "责任单位"}
    for a, b in sorted(pairs, key=lambda p: p[1].sort):
        sa, sb = _task_signature(a), _task_signature(b)
        fields = [labels[k] for k in ("action", "deadline_text", "units") if sa[k] != sb[k]]
        if _norm(a.content) != _norm(b.content):
            fields.insert(0, labels["content"])
        if fields:
            changed.append(
                {
                    "old": a,
                    "new": b,
                    "fields": fields,
                    "old_units": "、".join(n for n, _ in sa["units"]),
                    "new_units": "、".join(n for n, _ in sb["units"]),
                }
            )
        else:
            unchanged += 1
    return {"old": old, "new": new, "added": added, "removed": removed, "changed": changed, "unchanged": unchanged}
