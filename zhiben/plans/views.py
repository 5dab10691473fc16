"""Plan pages: list, import with preview, detail, the 一张表 (page, Excel), the quarterly summary
(DOCX), tasks with progress reports and their review, links across levels, filings and versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhiben.audit.services import audit_record
from zhiben.core.db import as_id, whole_number
from zhiben.core.exceptions import ApplicationError
from zhiben.core.tables import Column, Table, badge, day, detail_link, esc, labels, link_to, minute, truncated
from zhiben.core.timeline import subject_events
from zhiben.core.views import (
    DOCX,
    audit_export,
    batch_view,
    download,
    evidence_response,
    export_xlsx,
    paginate,
    query_without,
    require_capability,
)

from . import drafts, exports, selectors, services
from .choices import DisplayStatus, Granularity, Kind, ReportStatus, UnitRole
from .filters import PLAN_SORT
from .forms import (
    BoardFilterForm,
    IndicatorForm,
    IndicatorValueForm,
    MetaForm,
    PlanFilterForm,
    ReportForm,
    ReviewForm,
    TaskFilterForm,
    TaskForm,
    UploadForm,
)
from .matching import candidate_units, match_names
from .models import Indicator, Plan, PlanFiling, ProgressAttachment, ProgressReport, TaskUnit
from .workflow import BATCH, TRANSITIONS, allowed_actions, may_report


def _plan(request, pk):
    require_capability(request.user, "plan.view")
    return selectors.plan_get(user=request.user, pk=pk)


def _done(request, call, success):
    """Run a service call; show its message either way."""
    try:
        result = call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result if result is not None else True


# ---------------------------------------------------------------- plans


KIND_LABELS = labels(Kind)


def _plan_title(p, context):
    unit = f'<br><small class="muted">{esc(p.issuing_unit.name)}</small>' if p.issuing_unit else ""
    return detail_link(p, context, p.title) + unit


# The plan list page's table; its headers sort by PLAN_SORT's keys
PLANS = Table(
    columns=(
        Column("名称", (), _plan_title, sort="title"),
        Column("类型", (), lambda p, _: esc(KIND_LABELS.get(p.kind, ""))),
        Column("区划", (), lambda p, _: esc(p.region.name), sort="region"),
        Column("年度", (), lambda p, _: esc(p.year_label), sort="year"),
        Column("版本", (), lambda p, _: f"第{p.version}版"),
        Column("任务", (), lambda p, _: str(p.task_count), css="num", sort="tasks"),
        Column("状态", (), lambda p, _: badge("已发布", "green") if p.is_published else badge("草稿")),
        Column("更新时间", (), lambda p, _: day(p.updated_at), sort="updated"),
    ),
    empty="没有符合条件的方案。",
)


@login_required
def plan_list(request):
    require_capability(request.user, "plan.view")
    can_manage = request.user.can("plan.manage")
    page = paginate(request, selectors.plan_list(user=request.user, filters=request.GET))
    form = PlanFilterForm(initial=request.GET.dict(), user=request.user)
    if not can_manage:  # drafts are the managers' only: the others' list holds published plans alone
        del form.fields["status"]
    context = {
        "page": page,
        "form": form,
        "head": PLANS.head_html(
            query=query_without(request, "page", "sort"), current=PLAN_SORT.shown(request.GET.get("sort"))
        ),
        "rows": PLANS.rows_html(page, detail=link_to("plans:detail")),
        "query": query_without(request, "page"),
        "can_manage": can_manage,
    }
    return render(request, "plans/plan_list.html", context)


@login_required
def plan_list_export(request):
    """方案清单: the plans the list shows (same filters and order) with their tasks counted."""
    require_capability(request.user, "plan.view")
    rows = (
        [
            p.title,
            KIND_LABELS.get(p.kind, ""),
            p.region.name,
            p.year_label,
            p.version,
            p.task_count,
            "已发布" if p.is_published else "草稿",
            p.issuing_unit.name if p.issuing_unit else "",
            p.source_filename,
            day(p.updated_at),
        ]
        for p in selectors.plan_list(user=request.user, filters=request.GET).iterator(chunk_size=1000)
    )
    return export_xlsx(
        request, action="plan.export", object_type="plans.plan", title="方案清单",
        headers=["名称", "类型", "区划", "年度", "版本", "任务数", "状态", "印发单位", "来源文件", "更新时间"],
        rows=rows, widths=[44, 12, 16, 14, 8, 8, 8, 24, 36, 12],
    )  # fmt: skip


@login_required
def plan_detail(request, pk):
    plan = _plan(request, pk)
    user = request.user
    today = timezone.localdate()
    tasks = selectors.with_state(plan.tasks.all(), today)
    states = dict.fromkeys(DisplayStatus.values, 0)
    for state in tasks.values_list("state", flat=True):
        states[state] += 1
    indicators = list(plan.indicators.select_related("task").prefetch_related("values__unit"))
    versions = list(Plan.objects.visible_to(user).filter(series=plan.series).order_by("version"))
    filing = PlanFiling.objects.filter(plan=plan).select_related("filed_by", "to_unit", "to_region").first()
    unlinked = TaskUnit.objects.filter(task__plan=plan, unit__isnull=True).values("name").distinct().count()
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "states": [(DisplayStatus(s).label, s, n) for s, n in states.items()],
            "completion": selectors.unit_completion(user=user, plan=plan, today=today) if plan.is_published else [],
            "actions": plan.actions.all(),
            "indicators": indicators,
            "versions": versions,
            "filing": filing,
            "can_manage": user.can("plan.manage"),
            "can_report": user.can("plan.report"),
            "indicator_form": IndicatorForm(plan=plan),
            "value_form": IndicatorValueForm(),
            "unlinked": unlinked,
            "child_plans": Plan.objects.visible_to(user).filter(parent=plan).select_related("region"),
            "upper_region": services.upper_region(plan.region_id),
            "cur_year": min(max(today.year, plan.start_year), plan.end_year),
            "cur_quarter": str((today.month - 1) // 3 + 1),
            "overdue": selectors.overdue_tasks(today, user=user).filter(task__plan=plan)[:50],
        },
    )


@login_required
@require_POST
def plan_publish(request, pk):
    plan = _plan(request, pk)
    _done(request, lambda: services.plan_publish(actor=request.user, plan=plan), "方案已发布，各责任单位可以报送进展。")
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_delete(request, pk):
    plan = _plan(request, pk)
    if _done(request, lambda: services.plan_delete(actor=request.user, plan=plan), f"已删除草稿方案“{plan.title}”。"):
        return redirect("plans:list")
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_file(request, pk):
    plan = _plan(request, pk)
    _done(
        request,
        lambda: services.plan_file(actor=request.user, plan=plan, note=request.POST.get("note", "")),
        f"第{plan.version}版已向上级安委办备案。",
    )
    return redirect("plans:detail", pk=plan.pk)


@login_required
def plan_edit(request, pk):
    plan = _plan(request, pk)
    require_capability(request.user, "plan.manage")
    parents = selectors.parent_plan_candidates(plan.region_id)
    if request.method == "POST":
        data = {k: request.POST.get(k) for k in ("title", "start_year", "end_year", "note", "parent")}
        if _done(request, lambda: services.plan_update(actor=request.user, plan=plan, data=data), "方案信息已保存。"):
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_edit.html", {"plan": plan, "parents": parents})


@login_required
def plan_links(request, pk):
    """Link this plan's tasks to the upper plan's tasks they implement (with suggestions)."""
    plan = _plan(request, pk)
    require_capability(request.user, "plan.manage")
    tasks = list(plan.tasks.select_related("parent_task").order_by("sort"))
    if request.method == "POST":
        links = {t.pk: request.POST.get(f"task_{t.pk}") or None for t in tasks if f"task_{t.pk}" in request.POST}
        count = _done(
            request,
            lambda: services.plan_link_tasks(actor=request.user, plan=plan, links=links),
            "已保存与上级任务的关联。",
        )
        if count:
            return redirect("plans:detail", pk=plan.pk)
    suggestions = selectors.suggest_parent_tasks(plan, [t for t in tasks if not t.parent_task_id])
    return render(
        request,
        "plans/plan_links.html",
        {
            "plan": plan,
            "rows": [(t, suggestions.get(t.pk)) for t in tasks],
            "candidates": list(selectors.parent_task_candidates(plan)),
        },
    )


@login_required
def plan_units(request, pk):
    """Link the unit names of the plan's tasks to units (or create them)."""
    plan = _plan(request, pk)
    require_capability(request.user, "plan.manage")
    names = list(
        dict.fromkeys(
            TaskUnit.objects.filter(task__plan=plan).order_by("task__sort", "sort").values_list("name", flat=True)
        )
    )
    if request.method == "POST":
        choices = {n: request.POST.get(f"unit_{i}") for i, n in enumerate(names) if request.POST.get(f"unit_{i}")}
        if _done(
            request,
            lambda: services.plan_link_units(actor=request.user, plan=plan, choices=choices),
            "责任单位已更新。",
        ):
            return redirect("plans:detail", pk=plan.pk)
    units = candidate_units(plan.region_id)
    by_id = {u.pk: u for u in units}
    current = dict(TaskUnit.objects.filter(task__plan=plan, unit__isnull=False).values_list("name", "unit_id"))
    rows = []
    for i, (name, result, default) in enumerate(match_names(names, units, plan.region_id)):
        choice = f"unit:{current[name]}" if name in current else ("text" if default == "new" else default)
        suggestions = [(by_id[x["id"]], x["score"]) for x in result["suggestions"] if x["id"] in by_id]
        rows.append({"i": i, "name": name, "options": drafts.unit_options(name, choice, suggestions, units)})
    return render(request, "plans/plan_units.html", {"plan": plan, "rows": rows, "units": units})


@login_required
def plan_diff(request, pk, other):
    plan = _plan(request, pk)
    old = selectors.plan_get(user=request.user, pk=other)
    if old.series != plan.series:
        raise Http404
    if old.version > plan.version:
        old, plan = plan, old
    return render(request, "plans/version_diff.html", {"diff": selectors.version_diff(old, plan)})


# ---------------------------------------------------------------- import with preview


@login_required
def plan_import(request):
    require_capability(request.user, "plan.manage")
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"previous": request.GET.get("previous", "")},
    )
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = drafts.draft_create(
                actor=request.user,
                upload=data["file"],
                kind=data["kind"],
                region=data["region"] or None,
                year=data["year"],
                parent=data["parent"] or None,
                previous=data["previous"] or None,
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("plans:draft", pk=draft.pk)
    return render(
        request, "plans/plan_import.html", {"form": form, "error": error, "drafts": request.user.plan_drafts.all()[:10]}
    )


@login_required
def draft_preview(request, pk):
    require_capability(request.user, "plan.manage")
    draft = drafts.draft_get(user=request.user, pk=pk)
    if request.method == "POST":
        op = request.POST.get("op", "")
        row_id = request.POST.get("row")
        if op == "units":
            data = {
                request.POST.get(f"name_{i}"): request.POST.get(f"unit_{i}")
                for i in range(min(whole_number(request.POST.get("count")) or 0, len(request.POST)))
                if request.POST.get(f"name_{i}")
            }
        elif op == "meta":
            data = {
                k: request.POST.get(k) for k in ("title", "kind", "year", "start_year", "end_year", "region", "parent")
            }
        else:
            data = {
                k: request.POST[k]
                for k in ("action", "key_task", "content", "deadline_text", "responsible", "cooperating")
                if k in request.POST
            }
        labels = {
            "edit": "已保存修改。",
            "merge": "已与上一行合并。",
            "split": "已拆分。",
            "delete": "已删除该行。",
            "insert": "已插入一行。",
            "units": "单位对应已更新。",
            "meta": "方案信息已更新。",
        }
        _done(
            request,
            lambda: drafts.draft_edit(actor=request.user, draft=draft, op=op, row_id=row_id, data=data),
            labels.get(op, "已更新。"),
        )
        anchor = f"#row-{row_id}" if row_id and op in ("edit", "split", "insert") else ""
        return redirect(f"{request.path}{anchor}")
    view = drafts.draft_view(draft)
    return render(
        request,
        "plans/draft_preview.html",
        {
            "draft": draft,
            **view,
            "meta_form": MetaForm(
                initial={
                    "title": draft.title,
                    "kind": draft.kind,
                    "year": draft.year,
                    "start_year": draft.start_year,
                    "end_year": draft.end_year,
                }
            ),
            "parents": selectors.parent_plan_candidates(draft.region_id),
        },
    )


@login_required
@require_POST
def draft_confirm(request, pk):
    require_capability(request.user, "plan.manage")
    draft = drafts.draft_get(user=request.user, pk=pk)
    try:
        plan = drafts.draft_confirm(actor=request.user, draft=draft, publish=request.POST.get("publish") == "1")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("plans:draft", pk=draft.pk)
    messages.success(
        request,
        f"已导入“{plan.title}”：{plan.tasks.count()} 条任务"
        + ("，已发布。" if plan.is_published else "（草稿，发布后生效）。"),
    )
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def draft_discard(request, pk):
    require_capability(request.user, "plan.manage")
    draft = drafts.draft_get(user=request.user, pk=pk)
    draft.delete()
    messages.success(request, "已放弃本次导入，未写入任何数据。")
    return redirect("plans:import")


# ---------------------------------------------------------------- the 一张表 and its exports


def _board_args(request, plan):
    form = BoardFilterForm(request.GET or None)
    units = (
        TaskUnit.objects.filter(task__plan=plan, unit__isnull=False)
        .select_related("unit")
        .order_by("unit__name")
        .distinct()
    )
    seen, unit_choices = set(), [("", "全部单位")]
    for a in units:
        if a.unit_id not in seen:
            seen.add(a.unit_id)
            unit_choices.append((str(a.unit_id), a.unit.name))
    form.fields["unit"].choices = unit_choices
    form.fields["action"].choices = [("", "全部行动")] + [(str(a.pk), a.title) for a in plan.actions.all()]
    form.fields["period"].choices = Granularity.choices
    granularity = request.GET.get("period") if request.GET.get("period") in Granularity.values else Granularity.YEAR
    unit, action = request.GET.get("unit") or "", request.GET.get("action") or ""
    return form, granularity, as_id(unit), as_id(action)


@login_required
def plan_board(request, pk):
    plan = _plan(request, pk)
    form, granularity, unit, action = _board_args(request, plan)
    data = selectors.board(plan=plan, granularity=granularity, unit=unit, action=action)
    return render(
        request,
        "plans/plan_board.html",
        {
            "plan": plan,
            "form": form,
            "board": data,
            "query": request.GET.urlencode(),
            "statuses": DisplayStatus.choices,
        },
    )


@login_required
def plan_board_export(request, pk):
    plan = _plan(request, pk)
    _, granularity, unit, action = _board_args(request, plan)
    data = exports.board_xlsx(plan, granularity=granularity, unit=unit, action=action)
    audit_export(request, action="plan.export", obj=plan)
    return download(data, f"{plan.title}_挂图作战一张表_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def plan_summary(request, pk):
    plan = _plan(request, pk)
    year, quarter = exports.default_quarter()
    try:
        year = int(request.GET.get("year") or year)
        quarter = int(request.GET.get("quarter") or quarter)
    except ValueError:
        raise Http404 from None
    if not (plan.start_year - 1 <= year <= plan.end_year + 1 and 1 <= quarter <= 4):
        raise Http404
    data = exports.summary_docx(plan, year=year, quarter=quarter, user=request.user)
    audit_record(actor=request.user, action="plan.summary", obj=plan, data={"year": year, "quarter": quarter})
    return download(data, f"{plan.title}_{year}年第{quarter}季度工作进展.docx", DOCX)


# ---------------------------------------------------------------- indicators


@login_required
@require_POST
def indicator_add(request, pk):
    plan = _plan(request, pk)
    form = IndicatorForm(request.POST, plan=plan)
    if form.is_valid():
        _done(
            request,
            lambda: services.indicator_save(actor=request.user, plan=plan, data=form.cleaned_data),
            "指标已添加。",
        )
    else:
        messages.error(request, "请填写指标名称、目标值、达标方向和统计周期。")
    return redirect(plan.get_absolute_url() + "#indicators")


@login_required
@require_POST
def indicator_report(request, pk):
    require_capability(request.user, "plan.view")
    indicator = get_object_or_404(
        Indicator.objects.for_user(request.user).filter(plan__in=Plan.objects.visible_to(request.user)), pk=pk
    )
    form = IndicatorValueForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        _done(
            request,
            lambda: services.indicator_report(
                actor=request.user, indicator=indicator, period=d["period"], value=d["value"], note=d["note"]
            ),
            "指标数值已报送。",
        )
    else:
        messages.error(request, "请填写统计期和数值。")
    return redirect(reverse("plans:detail", args=[indicator.plan_id]) + "#indicators")


# ---------------------------------------------------------------- tasks and progress reports


STATE_LABELS = labels(DisplayStatus)


def _task(t, context):
    where = " · ".join((truncated(t.plan.title, 30), truncated(t.action.title if t.action else "", 24)))
    return (
        f'<a href="{context["detail"](t.pk)}">{esc(str(t.sort))}. {truncated(t.content, 80)}</a>'
        f'<br><small class="muted">{where}</small>'
    )


# The task list page's table: what it shows of a task, and what it reads for the task's state (task_state)
TASKS = Table(
    columns=(
        Column("任务", ("sort", "content", "plan__title", "action__title"), _task),
        Column("完成时间", ("deadline_text",), lambda t, _: esc(t.deadline_text or "—")),
        Column("责任单位", (), lambda t, context: esc(context["owners"].get(t.pk) or "—")),
        Column("节点", (), lambda t, _: f"{t.ms_done}/{t.ms_total}", css="num"),
        Column(
            "状态",
            (),
            lambda t, _: f'<span class="badge st-{esc(t.state)}">{esc(STATE_LABELS.get(t.state, ""))}</span>',
        ),
    ),
    empty="没有符合条件的任务。",
    extra_fields=("recurrence",),
)


def _task_filters(request):
    """The task list's filters from the query; a department's reporter sees its own unit's tasks unless it asks."""
    filters = request.GET.copy()
    if (
        "unit" not in filters
        and request.user.unit_id
        and request.user.can("plan.report")
        and not request.user.can("plan.manage")
    ):
        filters["unit"] = str(request.user.unit_id)
    return filters


def _owners(assignments):
    """{task id: its lead and responsible units as one text, the lead marked} of task_assignments' answer."""
    return {
        pk: "、".join(
            a.display_name + ("（牵头）" if a.role == UnitRole.LEAD else "")
            for a in units
            if a.role != UnitRole.COOPERATING
        )
        for pk, units in assignments.items()
    }


@login_required
def task_list(request):
    require_capability(request.user, "plan.view")
    filters = _task_filters(request)
    tasks = selectors.task_list(user=request.user, filters=filters, shown_only=True)
    page = paginate(request, tasks.only(*TASKS.fields))
    owners = _owners(selectors.task_assignments(page.object_list))
    return render(
        request,
        "plans/task_list.html",
        {
            "page": page,
            "table": TASKS,
            "rows": TASKS.rows_html(page, owners=owners, detail=link_to("plans:task")),
            "query": query_without(request, "page"),
            "filters": filters,
            "form": TaskFilterForm(
                initial=filters.dict(), user=request.user
            ),  # shown as given; the rows use the same values
        },
    )


TASK_EXPORT_HEADERS = [
    "方案",
    "区划",
    "行动",
    "序号",
    "任务",
    "完成时间",
    "责任单位",
    "配合单位",
    "节点完成",
    "逾期节点",
    "状态",
]


def _task_export_rows(tasks):
    """The task list's rows for the export, a thousand tasks (and one read of their units) at a time."""
    chunk = []
    for task in tasks.iterator(chunk_size=1000):
        chunk.append(task)
        if len(chunk) == 1000:
            yield from _task_export_chunk(chunk)
            chunk = []
    yield from _task_export_chunk(chunk)


def _task_export_chunk(tasks):
    assignments = selectors.task_assignments(tasks)
    owners = _owners(assignments)
    for t in tasks:
        cooperating = "、".join(a.display_name for a in assignments.get(t.pk, ()) if a.role == UnitRole.COOPERATING)
        yield [
            str(t.plan), t.plan.region.name, t.action.title if t.action else "", t.sort, t.content, t.deadline_text,
            owners.get(t.pk, ""), cooperating, f"{t.ms_done}/{t.ms_total}", t.ms_overdue,
            STATE_LABELS.get(t.state, ""),
        ]  # fmt: skip


@login_required
def task_list_export(request):
    """任务清单: the tasks the list shows (same filters, the same order) with their units, milestones and state."""
    require_capability(request.user, "plan.view")
    tasks = selectors.task_list(user=request.user, filters=_task_filters(request), shown_only=True)
    return export_xlsx(
        request, action="plan.export", object_type="plans.task", title="任务清单", headers=TASK_EXPORT_HEADERS,
        rows=_task_export_rows(tasks.select_related("plan__region")),
        widths=[36, 12, 24, 6, 60, 20, 30, 24, 9, 9, 9],
    )  # fmt: skip


@login_required
def task_detail(request, pk):
    require_capability(request.user, "plan.view")
    task = selectors.task_get(user=request.user, pk=pk)
    user = request.user
    today = timezone.localdate()
    reports = list(
        task.reports.select_related("unit", "submitted_by", "reviewed_by", "milestone").prefetch_related(
            "attachments", "events"
        )
    )
    report_actions = {r.pk: allowed_actions(r, user) for r in reports}
    assignments = list(task.assignments.select_related("unit"))
    parent = task.parent_task
    parent_visible = parent is not None and selectors.visible_tasks(user).filter(pk=parent.pk).exists()
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "milestones": [(m, m.display_status(today)) for m in task.milestones.all()],
            "reports": [(r, report_actions[r.pk]) for r in reports],
            "assignments": assignments,
            "cooperating": [a for a in assignments if a.role == UnitRole.COOPERATING],
            "can_report": may_report(user, task),
            "can_manage": user.can("plan.manage"),
            "report_form": ReportForm(task=task),
            "review_form": ReviewForm(),
            "task_form": TaskForm(
                initial={
                    "content": task.content,
                    "deadline_text": task.deadline_text,
                    "responsible": "、".join(
                        f"{a.name}（牵头）" if a.role == UnitRole.LEAD else a.name
                        for a in assignments
                        if a.role != UnitRole.COOPERATING
                    ),
                    "cooperating": "、".join(a.name for a in assignments if a.role == UnitRole.COOPERATING),
                }
            ),
            "linked": selectors.linked_progress(user=user, task=task, today=today),
            "parent": parent,
            "parent_visible": parent_visible,
            "indicators": task.indicators.prefetch_related("values"),
            "today": today,
            "events": subject_events(task),
        },
    )


@login_required
@require_POST
def task_edit(request, pk):
    require_capability(request.user, "plan.manage")
    task = selectors.task_get(user=request.user, pk=pk)
    form = TaskForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        names, leads = drafts.units_from_text(d["responsible"])
        coop, _ = drafts.units_from_text(d["cooperating"])
        data = {
            "content": d["content"],
            "deadline_text": d["deadline_text"],
            "lead": leads,
            "responsible": [n for n in names if n not in leads],
            "cooperating": [n for n in coop if n not in names],
        }
        _done(request, lambda: services.task_update(actor=request.user, task=task, data=data), "任务已保存。")
    else:
        messages.error(request, "请填写具体任务内容。")
    return redirect("plans:task", pk=task.pk)


@login_required
@require_POST
def task_report(request, pk):
    require_capability(request.user, "plan.view")
    task = selectors.task_get(user=request.user, pk=pk)
    form = ReportForm(request.POST, request.FILES, task=task)
    if form.is_valid():
        d = form.cleaned_data
        _done(
            request,
            lambda: services.progress_report_submit(
                actor=request.user,
                task=task,
                text=d["text"],
                percentage=d["percentage"],
                milestone=d["milestone"] or None,
                files=d["files"],
            ),
            "进展已报送，等待安委办审核。",
        )
    else:
        messages.error(
            request,
            "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}" for f, e in form.errors.items()),
        )
    return redirect("plans:task", pk=task.pk)


def _report(request, pk):
    require_capability(request.user, "plan.view")
    return get_object_or_404(
        ProgressReport.objects.for_user(request.user)
        .filter(task__plan__in=Plan.objects.visible_to(request.user))
        .select_related("task"),
        pk=pk,
    )


def _report_name(report):
    return f"{report.unit.name}报送的“{report.task.content[:20]}”"


# 批量采纳/退回 from the review list: each chosen report moved on its own; what was not, and why
report_batch = batch_view(
    "plan.view",
    services.progress_report_transition_many,
    batch=BATCH,
    name=_report_name,
    back="plans:reports",
)


@login_required
@require_POST
def report_transition(request, pk, action):
    report = _report(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    form = ReviewForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    _done(
        request,
        lambda: services.progress_report_transition(
            actor=request.user,
            report=report,
            action=action,
            note=d.get("note", ""),
            text=d.get("text") or None,
            percentage=d.get("percentage"),
        ),
        f"已{TRANSITIONS[action].label}。",
    )
    if request.POST.get("next") == "reports":
        return redirect("plans:reports")
    return redirect("plans:task", pk=report.task_id)


@login_required
@require_POST
def report_attach(request, pk):
    report = _report(request, pk)
    files = request.FILES.getlist("files")
    _done(
        request, lambda: services.progress_report_attach(actor=request.user, report=report, files=files), "材料已上传。"
    )
    return redirect("plans:task", pk=report.task_id)


@login_required
def report_file(request, pk, attachment_pk, thumb=False):
    """Evidence is served only to users who may see the report (never from a public media URL)."""
    report = _report(request, pk)
    attachment = get_object_or_404(ProgressAttachment, pk=attachment_pk, report=report)
    return evidence_response(attachment, thumb=thumb)


def _reports(request):
    """(status, reports): the progress reports the list shows for the query, in its order (the newest first). A
    manager's list holds the reports awaiting review unless another status (or 全部) is asked for; a reporting
    unit's holds its own."""
    user = request.user
    status = request.GET.get("status", ReportStatus.PENDING if user.can("plan.manage") else "")
    qs = (
        ProgressReport.objects.for_user(user)
        .filter(task__plan__in=Plan.objects.visible_to(user))
        .select_related("task__plan", "unit", "submitted_by", "milestone")
    )
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    if not user.can("plan.manage") and user.unit_id:
        qs = qs.filter(unit_id=user.unit_id)
    return status, qs


@login_required
def report_list(request):
    """The 安委办's review queue (and everyone's record of reports in scope)."""
    require_capability(request.user, "plan.view")
    status, qs = _reports(request)
    page = paginate(request, qs)
    return render(
        request,
        "plans/report_list.html",
        {
            "page": page,
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page"),
            "status": status,
            "statuses": ReportStatus.choices,
            "rows": (rows := [_review_row(r, request.user) for r in page]),
            "batch": BATCH.offer([steps for _, _, steps in rows]),
        },
    )


def _review_row(report, user):
    """(report, its buttons [(action, label, style)], the batch steps among them) for a row of the user's own list."""
    actions = allowed_actions(report, user, in_scope=True)
    return report, actions, [name for name, _, _ in actions if name in BATCH.actions]


REPORT_STATUS_LABELS = labels(ReportStatus)


@login_required
def report_list_export(request):
    """工作进展报告: the reports the list shows (same status, same order), with their review."""
    require_capability(request.user, "plan.view")
    _, qs = _reports(request)
    rows = (
        [
            r.task.plan.title, r.task.sort, r.task.content, r.milestone.label if r.milestone_id else "", r.unit.name,
            r.percentage, r.text, r.submitted_by.display_name if r.submitted_by_id else "", minute(r.submitted_at),
            REPORT_STATUS_LABELS.get(r.status, ""), r.reviewed_by.display_name if r.reviewed_by_id else "",
            minute(r.reviewed_at), r.review_note,
        ]
        for r in qs.select_related("reviewed_by").iterator(chunk_size=1000)
    )  # fmt: skip
    return export_xlsx(
        request, action="plan.export", object_type="plans.progressreport", title="工作进展报告",
        headers=[
            "方案", "任务序号", "任务", "节点", "报送单位", "完成进度（%）", "工作进展", "报送人", "报送时间", "状态",
            "审核人", "审核时间", "审核意见",
        ],
        rows=rows, widths=[36, 8, 50, 14, 20, 12, 60, 10, 17, 8, 10, 17, 30],
    )  # fmt: skip


# ---------------------------------------------------------------- filings


@login_required
def filings(request):
    require_capability(request.user, "plan.manage")
    return render(request, "plans/filings.html", {"overview": selectors.filings_overview(user=request.user)})
