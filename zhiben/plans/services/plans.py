"""Plans and tasks: import (one transaction), publish, delete, edit, links across levels, unit links."""

import re
import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_entry, audit_record, audit_record_many
from zhiben.core.db import whole_number
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.scoping import assert_in_scope, normalize_code, region_chain
from zhiben.core.services import ensure_capability
from zhiben.plans.parsing import RECURRENCES, parse_deadline
from zhiben.regions.choices import UnitKind
from zhiben.regions.models import Region, Unit

from ..choices import Kind, MilestoneStatus, PlanStatus, UnitRole
from ..filters import plan_options_cache
from ..matching import (
    CHOICE_NEW,
    CHOICE_TEXT,
    candidate_units,
    extract_indicators,
    match_names,
    new_unit_name,
    parse_choice,
)
from ..models import Indicator, KeyTask, Milestone, Plan, PlanAction, Task, TaskUnit
from ..schedule import milestones_for

MAX_TASKS = 2000
_TITLE_RANGE = re.compile(r"(20\d\d)\s*年?\s*[-—–－~～至到]+\s*(20\d\d)")


# ---------------------------------------------------------------- helpers


def _require(actor, capability, message="您的角色无权进行此操作。"):
    """Plans are never written by the system itself: an actor is required."""
    ensure_capability(actor, capability, message, system=False)


def _fail(errors, message=None):
    """Raise one ApplicationError for [{"row", "field", "message"}]."""
    head = message or f"有 {len(errors)} 处问题，未写入任何数据。"
    raise ApplicationError(
        head + "；".join((f"第{e['row']}行：" if e.get("row") else "") + e["message"] for e in errors[:10]),
        errors=errors,
    )


def _visible_plan(actor, plan, *, lock=False):
    qs = Plan.objects.visible_to(actor).filter(pk=getattr(plan, "pk", plan))
    if not qs.exists():
        raise ScopeError()
    qs = Plan.objects.filter(pk=getattr(plan, "pk", plan))
    return (qs.select_for_update() if lock else qs).select_related("region").get()


def plan_region(actor, region=None):
    """The region a plan is filed under: `region` (a code or a Region) inside the actor's jurisdiction, else the actor's own."""
    code = normalize_code(getattr(region, "code", region) or actor.region_id)
    found = Region.objects.for_user(actor).filter(code=code).first() if code else None
    if found is None:
        raise ApplicationError("请选择您管辖范围内的区划作为方案的所属区划。", code="out_of_scope")
    return found


def plan_years(title, year, dates=()):
    """(start, end) years of a plan: the range in its title ("2024—2026年"), else from its year to
    the last year its deadlines name (at most ten years on)."""
    m = _TITLE_RANGE.search(title or "")
    if m and int(m.group(1)) <= int(m.group(2)) <= int(m.group(1)) + 10:
        return int(m.group(1)), int(m.group(2))
    last = max([d.year for d in dates if year <= d.year <= year + 10], default=year)
    return year, last


def _as_dates(value, row, errors):
    values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
    out = []
    for v in values:
        if isinstance(v, date):
            out.append(v)
            continue
        try:
            out.append(date.fromisoformat(str(v).strip()[:10]))
        except ValueError:
            errors.append(
                {"row": row, "field": "deadline", "message": f"完成时限“{v}”不是有效日期（格式：2024-06-30）。"}
            )
    return sorted(set(out))


def task_deadline(item, year, row=0, errors=None):
    """(dates, recurrence) of a task dict: its "deadline"/"recurrence" (the parser's JSON form) when
    given, else its deadline text read again."""
    errors = errors if errors is not None else []
    if "deadline" in item or "recurrence" in item:
        dates = _as_dates(item.get("deadline"), row, errors)
        recurrence = item.get("recurrence") or ""
        if recurrence and recurrence not in RECURRENCES:
            errors.append({"row": row, "field": "recurrence", "message": f"周期“{recurrence}”无效。"})
            recurrence = ""
        return dates, recurrence
    parsed = parse_deadline(item.get("deadline_text") or "", year)
    return list(parsed.dates), parsed.recurrence or ""


def _names(value):
    if isinstance(value, str):
        value = re.split(r"[、，,；;\n]", value)
    return [re.sub(r"\s+", "", str(v)) for v in (value or []) if str(v).strip()]


def _task_units(item):
    """[(name, role)] of a task dict: "lead", "responsible", "cooperating" lists; a name appears once."""
    out, seen = [], set()
    for key, role in (
        ("lead", UnitRole.LEAD),
        ("responsible", UnitRole.RESPONSIBLE),
        ("cooperating", UnitRole.COOPERATING),
    ):
        for name in _names(item.get(key)):
            if name and name not in seen and len(name) <= 100:
                seen.add(name)
                out.append((name, role))
    return out


def _resolve_units(actor, region, names, choices, *, create_default):
    """name → Unit or None, and the units created. `choices` maps a name to "unit:<id>", "new" or
    "text"; names without a choice get the matcher's (a "new" one only when `create_default`)."""
    choices = choices or {}
    units = candidate_units(region.code)
    allowed = {u.pk: u for u in units}
    resolved, created, errors = {}, [], []
    for name, _result, default in match_names(names, units, region.code):
        kind, unit_id = parse_choice(choices.get(name) or default)
        if kind is None:
            errors.append({"field": "units", "message": f"单位“{name}”的对应方式无效。"})
            continue
        if kind == CHOICE_NEW and name not in choices and not create_default:
            kind = CHOICE_TEXT
        if kind == "unit":
            if unit_id not in allowed:
                errors.append({"field": "units", "message": f"为“{name}”选择的单位不存在或不在本方案的区划链上。"})
                continue
            resolved[name] = allowed[unit_id]
        elif kind == CHOICE_NEW:
            full = new_unit_name(name, region)[:100]
            unit = Unit.objects.filter(region=region, name=full).first()
            if unit is None:
                unit = Unit.objects.create(
                    name=full,
                    short_name=name[:40] if name != full else "",
                    region=region,
                    kind=UnitKind.COMMITTEE_OFFICE if "安委" in name else UnitKind.DEPARTMENT,
                    created_by=actor,
                )
                created.append(unit)
            allowed[unit.pk] = unit
            resolved[name] = unit
        else:
            resolved[name] = None
    if errors:
        _fail(errors)
    return resolved, created


def _milestone_rows(task, plan):
    return [
        Milestone(task=task, label=s.label, period_start=s.period_start, due_date=s.due_date)
        for s in milestones_for(task.recurrence, task.dates, plan.start_year, plan.end_year)
    ]


def _indicator_rows(plan, task, actor):
    return [
        Indicator(
            plan=plan,
            task=task,
            name=name[:200],
            target_value=value,
            measure=measure,
            source_text=phrase[:300],
            created_by=actor,
        )
        for name, value, measure, phrase in extract_indicators(task.content)
    ]


# ---------------------------------------------------------------- import


def _check_tasks(tasks, year):
    if not tasks:
        raise ApplicationError("没有可导入的任务。")
    if len(tasks) > MAX_TASKS:
        raise ApplicationError(f"任务过多：{len(tasks)} 条，单个方案上限 {MAX_TASKS} 条。")
    errors, clean = [], []
    for row, item in enumerate(tasks, start=1):
        content = re.sub(r"\s+", " ", str(item.get("content") or "")).strip()
        if not content:
            errors.append({"row": row, "field": "content", "message": "具体任务内容为空。"})
        dates, recurrence = task_deadline(item, year, row, errors)
        clean.append(
            {
                "action": str(item.get("action") or "").strip()[:300],
                "key_task": str(item.get("key_task") or "").strip()[:500],
                "content": content,
                "deadline_text": re.sub(r"\s+", " ", str(item.get("deadline_text") or "")).strip()[:200],
                "dates": dates,
                "recurrence": recurrence,
                "units": _task_units(item),
                "source": str(item.get("source") or "")[:100],
                "parent_task": item.get("parent_task"),
            }
        )
    if errors:
        _fail(errors, f"任务清单有 {len(errors)} 处问题，未写入任何数据：")
    return clean


@transaction.atomic
def plan_import(
    *,
    actor,
    tasks,
    year=None,
    title="",
    filename="",
    warnings=(),
    parse=None,
    kind=Kind.ACTION_PLAN,
    region=None,
    issuing_unit=None,
    start_year=None,
    end_year=None,
    parent=None,
    previous=None,
    unit_choices=None,
    publish=False,
    sha256="",
    layout="",
):
    """Write a whole plan from its task list in one transaction: plan, actions, key tasks, tasks,
    their units (matched; new ones created only when `unit_choices` says "new" for them — the
    confirmed preview), milestones and the indicators the texts state.

    `tasks` are dicts with the keys of `import_plan --json` (and optionally "lead", "source",
    "parent_task"); `previous` makes the plan the next version of that list; `parent` is the upper
    level's plan it implements. Anything wrong → ApplicationError naming the row; nothing is written.
    """
    _require(actor, "plan.manage", "只有安委办管理员可以导入行动方案。")
    if kind not in Kind.values:
        raise ApplicationError(f"方案类型“{kind}”无效。")
    region = plan_region(actor, region)
    year = int(year or getattr(parse, "year", None) or timezone.localdate().year)
    title = (title or getattr(parse, "title", "") or filename or "行动方案").strip()[:200]
    layout = layout or getattr(parse, "layout", "") or ""
    clean = _check_tasks(list(tasks), year)

    series, version = uuid.uuid4().hex, 1
    if previous is not None:
        previous = _visible_plan(actor, previous, lock=True)
        if previous.kind != kind:
            raise ApplicationError(f"新版本须与原清单类型一致（原清单为{previous.get_kind_display()}）。")
        if previous.region_id != region.code:
            raise ApplicationError("新版本须与原清单属于同一区划。")
        latest = Plan.objects.filter(series=previous.series).order_by("-version").first()
        series, version = previous.series, latest.version + 1
        parent = parent if parent is not None else previous.parent
        issuing_unit = issuing_unit if issuing_unit is not None else previous.issuing_unit
    if parent is not None:
        parent = Plan.objects.filter(
            pk=getattr(parent, "pk", parent), status=PlanStatus.PUBLISHED, region_id__in=region_chain(region.code)[1:]
        ).first()
        if parent is None:
            raise ApplicationError("上级方案须是上级区划已发布的方案。")
    if issuing_unit is None and actor.unit_id and actor.unit.region_id == region.code:
        issuing_unit = actor.unit
    elif issuing_unit is not None and getattr(issuing_unit, "region_id", None) not in region_chain(region.code):
        raise ApplicationError("印发单位须是本区划或上级区划的单位。")
    all_dates = [d for t in clean for d in t["dates"]]
    if start_year and end_year:
        start_year, end_year = int(start_year), int(end_year)
        if not 2000 <= start_year <= end_year <= start_year + 10:
            raise ApplicationError("方案年度范围无效：截止年度须不早于起始年度，且跨度不超过10年。")
    else:
        start_year, end_year = plan_years(title, year, all_dates)

    names = []
    for t in clean:
        for name, _ in t["units"]:
            if name not in names:
                names.append(name)
    resolved, created_units = _resolve_units(actor, region, names, unit_choices, create_default=False)

    plan = Plan.objects.create(
        title=title,
        kind=kind,
        region=region,
        issuing_unit=issuing_unit,
        start_year=start_year,
        end_year=end_year,
        series=series,
        version=version,
        previous=previous,
        parent=parent,
        source_filename=(filename or "")[:200],
        source_sha256=sha256 or "",
        layout=layout[:10],
        import_warnings=[str(w) for w in warnings][:500],
        created_by=actor,
    )

    actions, key_tasks, task_rows = {}, {}, []
    for sort, t in enumerate(clean, start=1):
        action = actions.get(t["action"])
        if action is None:
            action = actions[t["action"]] = PlanAction(plan=plan, sort=len(actions) + 1, title=t["action"])
        if t["key_task"]:
            key = (t["action"], t["key_task"])
            if key not in key_tasks:
                key_tasks[key] = KeyTask(plan=plan, action=action, sort=len(key_tasks) + 1, title=t["key_task"])
        task_rows.append(
            Task(
                plan=plan,
                action=action,
                sort=sort,
                content=t["content"],
                deadline_text=t["deadline_text"],
                due_dates=[d.isoformat() for d in t["dates"]],
                recurrence=t["recurrence"],
                source=t["source"],
                created_by=actor,
            )
        )
    PlanAction.objects.bulk_create(actions.values())
    for kt in key_tasks.values():
        kt.action_id = kt.action.pk
    KeyTask.objects.bulk_create(key_tasks.values())
    for task, t in zip(task_rows, clean):
        task.action_id = task.action.pk
        if t["key_task"]:
            task.key_task = key_tasks[(t["action"], t["key_task"])]
    Task.objects.bulk_create(task_rows)

    assignments, milestones, indicators = [], [], []
    for task, t in zip(task_rows, clean):
        for sort, (name, role) in enumerate(t["units"]):
            unit = resolved.get(name)
            assignments.append(TaskUnit(task=task, unit=unit, name=name, role=role, sort=sort))
        milestones += _milestone_rows(task, plan)
        indicators += _indicator_rows(plan, task, actor)
    TaskUnit.objects.bulk_create(assignments)
    Milestone.objects.bulk_create(milestones)
    Indicator.objects.bulk_create(indicators)
    links = {task.pk: t["parent_task"] for task, t in zip(task_rows, clean) if t["parent_task"]}
    if links and parent is not None:
        _apply_links(plan, links)

    assert_in_scope(actor, plan)
    entries = [
        audit_entry(actor=actor, action="unit.create", obj=u, data={"source": "plan.import", "plan": title})
        for u in created_units
    ]
    entries.append(
        audit_entry(
            actor=actor,
            action="plan.import",
            obj=plan,
            data={
                "kind": kind,
                "filename": filename,
                "tasks": len(task_rows),
                "actions": len(actions),
                "milestones": len(milestones),
                "indicators": len(indicators),
                "units_created": [u.name for u in created_units],
                "version": version,
                "warnings": len(plan.import_warnings),
            },
        )
    )
    audit_record_many(entries)
    if publish:
        plan = plan_publish(actor=actor, plan=plan)
    return plan


@transaction.atomic
def plan_publish(*, actor, plan):
    """草稿 → 已发布: the units see it, its milestones count and run overdue."""
    _require(actor, "plan.manage", "只有安委办管理员可以发布方案。")
    current = _visible_plan(actor, plan, lock=True)
    updated = Plan.objects.filter(pk=current.pk, status=PlanStatus.DRAFT).update(
        status=PlanStatus.PUBLISHED, published_at=timezone.now(), published_by=actor, updated_at=timezone.now()
    )
    if updated != 1:
        raise ApplicationError("该方案已发布。", code="bad_state")
    plan_options_cache.clear()  # an UPDATE sends no signal; the units now see the plan in the task list's filter
    audit_record(actor=actor, action="plan.publish", obj=current, data={"version": current.version})
    current.refresh_from_db()
    return current


@transaction.atomic
def plan_delete(*, actor, plan):
    """Delete a plan still in draft (an import to redo). Published plans are kept."""
    _require(actor, "plan.manage", "只有安委办管理员可以删除方案。")
    current = _visible_plan(actor, plan, lock=True)
    if current.status != PlanStatus.DRAFT:
        raise ApplicationError("已发布的方案不能删除。", code="bad_state")
    if current.next_versions.exists():
        raise ApplicationError("该清单已有新版本，不能删除。", code="bad_state")
    audit_record(
        actor=actor, action="plan.delete", obj=current, data={"title": current.title, "tasks": current.tasks.count()}
    )
    current.delete()


@transaction.atomic
def plan_update(*, actor, plan, data):
    """Change a plan's title, years, parent plan, issuing unit or note."""
    _require(actor, "plan.manage", "只有安委办管理员可以修改方案。")
    current = _visible_plan(actor, plan, lock=True)
    before = {
        "title": current.title,
        "start_year": current.start_year,
        "end_year": current.end_year,
        "parent": current.parent_id,
        "note": current.note,
    }
    if "title" in data:
        current.title = str(data["title"] or "").strip()[:200] or current.title
    if "note" in data:
        current.note = str(data["note"] or "").strip()
    if "parent" in data:
        parent = data["parent"]
        if parent in (None, ""):
            current.parent = None
        else:
            found = Plan.objects.filter(
                pk=getattr(parent, "pk", parent),
                status=PlanStatus.PUBLISHED,
                region_id__in=region_chain(current.region_id)[1:],
            ).first()
            if found is None:
                raise ApplicationError("上级方案须是上级区划已发布的方案。")
            current.parent = found
    years_changed = False
    if "start_year" in data or "end_year" in data:
        start, end = (
            whole_number(data.get(k)) if data.get(k) else getattr(current, k) for k in ("start_year", "end_year")
        )
        if start is None or end is None or not 2000 <= start <= end <= start + 10:
            raise ApplicationError("方案年度范围无效：截止年度须不早于起始年度，且跨度不超过10年。")
        years_changed = (start, end) != (current.start_year, current.end_year)
        current.start_year, current.end_year = start, end
    current.save()
    if years_changed:
        for task in current.tasks.all():
            _sync_milestones(task, current)
    after = {
        "title": current.title,
        "start_year": current.start_year,
        "end_year": current.end_year,
        "parent": current.parent_id,
        "note": current.note,
    }
    audit_record(
        actor=actor,
        action="plan.update",
        obj=current,
        data={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return current


# ---------------------------------------------------------------- tasks


def _sync_milestones(task, plan):
    """Bring a task's milestones in line with its deadline, keeping those with progress."""
    wanted = {s.due_date: s for s in milestones_for(task.recurrence, task.dates, plan.start_year, plan.end_year)}
    existing = {m.due_date: m for m in task.milestones.all()}
    stale = [
        m.pk
        for d, m in existing.items()
        if d not in wanted and m.status == MilestoneStatus.NOT_STARTED and not m.reports.exists()
    ]
    Milestone.objects.filter(pk__in=stale).delete()
    Milestone.objects.bulk_create(
        [
            Milestone(task=task, label=s.label, period_start=s.period_start, due_date=d)
            for d, s in wanted.items()
            if d not in existing
        ]
    )


def _lock_task(actor, task):
    if not Task.objects.for_user(actor).filter(pk=getattr(task, "pk", task)).exists():
        raise ScopeError()
    current = (
        Task.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__region")
        .get(pk=getattr(task, "pk", task))
    )
    if not Plan.objects.visible_to(actor).filter(pk=current.plan_id).exists():
        raise ScopeError()
    return current


@transaction.atomic
def task_update(*, actor, task, data, unit_choices=None):
    """Edit a task: its text, its deadline text (dates and recurrence are read again and the
    milestones follow, keeping those with progress) and its units ("responsible", "cooperating",
    "lead" as lists or "、"-separated text)."""
    _require(actor, "plan.manage", "只有安委办管理员可以修改任务。")
    current = _lock_task(actor, task)
    plan = current.plan
    before = {
        "content": current.content,
        "deadline_text": current.deadline_text,
        "units": [(a.name, a.role) for a in current.assignments.all()],
    }
    if "content" in data:
        content = re.sub(r"\s+", " ", str(data["content"] or "")).strip()
        if not content:
            raise ApplicationError(
                "具体任务内容不能为空。", errors=[{"field": "content", "message": "具体任务内容不能为空。"}]
            )
        current.content = content
    if "deadline_text" in data:
        text = re.sub(r"\s+", " ", str(data["deadline_text"] or "")).strip()[:200]
        parsed = parse_deadline(text, plan.start_year)
        current.deadline_text, current.due_dates = text, [d.isoformat() for d in parsed.dates]
        current.recurrence = parsed.recurrence or ""
    current.save()
    if any(k in data for k in ("lead", "responsible", "cooperating")):
        pairs = _task_units(data)
        resolved, created = _resolve_units(
            actor, plan.region, [n for n, _ in pairs], unit_choices, create_default=False
        )
        current.assignments.all().delete()
        TaskUnit.objects.bulk_create(
            [TaskUnit(task=current, unit=resolved.get(n), name=n, role=r, sort=i) for i, (n, r) in enumerate(pairs)]
        )
        for unit in created:
            audit_record(actor=actor, action="unit.create", obj=unit, data={"source": "plan.task_update"})
    if "deadline_text" in data:
        _sync_milestones(current, plan)
    after = {
        "content": current.content,
        "deadline_text": current.deadline_text,
        "units": [(a.name, a.role) for a in current.assignments.all()],
    }
    audit_record(
        actor=actor,
        action="plan.task_update",
        obj=current,
        region_code=plan.region_id,
        data={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return current


def _apply_links(plan, links):
    from ..selectors import parent_task_candidates

    allowed = set(parent_task_candidates(plan).values_list("pk", flat=True))
    errors = []
    for task_id, parent_id in links.items():
        if parent_id not in (None, "") and whole_number(parent_id) not in allowed:
            errors.append({"field": "parent_task", "message": f"任务 {task_id} 所选的上级任务不在上级方案中。"})
    if errors:
        _fail(errors)
    for task_id, parent_id in links.items():
        Task.objects.filter(pk=task_id, plan=plan).update(
            parent_task_id=whole_number(parent_id) if parent_id not in (None, "") else None
        )


@transaction.atomic
def plan_link_tasks(*, actor, plan, links):
    """Link this plan's tasks to the upper-level tasks they implement: {task id: parent task id or None}."""
    _require(actor, "plan.manage", "只有安委办管理员可以关联上级任务。")
    current = _visible_plan(actor, plan, lock=True)
    links = {int(k): v for k, v in links.items()}
    unknown = set(links) - set(current.tasks.values_list("pk", flat=True))
    if unknown:
        raise ApplicationError("所选任务不属于该方案。")
    before = dict(current.tasks.filter(pk__in=links).values_list("pk", "parent_task_id"))
    _apply_links(current, links)
    changed = {
        k: [before.get(k), v]
        for k, v in links.items()
        if (before.get(k) or None) != (whole_number(v) if v not in (None, "") else None)
    }
    audit_record(actor=actor, action="plan.link_tasks", obj=current, data={"changed": changed})
    return len(changed)


@transaction.atomic
def plan_link_units(*, actor, plan, choices):
    """Link the names this plan's tasks carry to units (or create them): {name: "unit:<id>"|"new"|"text"}."""
    _require(actor, "plan.manage", "只有安委办管理员可以调整责任单位。")
    current = _visible_plan(actor, plan, lock=True)
    names = [
        n
        for n in dict.fromkeys(TaskUnit.objects.filter(task__plan=current).values_list("name", flat=True))
        if n in choices
    ]
    resolved, created = _resolve_units(actor, current.region, names, choices, create_default=True)
    for name, unit in resolved.items():
        TaskUnit.objects.filter(task__plan=current, name=name).update(unit=unit)
    entries = [
        audit_entry(actor=actor, action="unit.create", obj=u, data={"source": "plan.link_units"}) for u in created
    ]
    entries.append(
        audit_entry(
            actor=actor,
            action="plan.link_units",
            obj=current,
            data={n: (u.pk if u else None) for n, u in resolved.items()},
        )
    )
    audit_record_many(entries)
    return resolved
