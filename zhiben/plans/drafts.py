"""Preview before commit: an uploaded plan is parsed into a PlanDraft owned by the uploader, who
corrects it (edit a cell, merge or split rows, delete or add a row, re-assign units) and then
confirms; only the confirmation writes the plan, through `services.plan_import`, in one transaction.

A draft's rows are plain JSON ({"id", "action", "key_task", "content", "deadline_text", "lead",
"responsible", "cooperating", "source"}); what they mean (dates, recurrence, problems, unit
matches) is worked out again on every view, so an edited deadline cell is read afresh.
"""

import hashlib
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.db import row_by_id
from zhiben.core.exceptions import ApplicationError
from zhiben.plans.parsing import parse_deadline, parse_plan, split_units

from . import services
from .choices import Kind, Recurrence
from .matching import CHOICE_NEW, CHOICE_TEXT, candidate_units, match_names, parse_choice
from .models import Plan, PlanDraft

EDITABLE = ("action", "key_task", "content", "deadline_text", "lead", "responsible", "cooperating")
UNIT_FIELDS = ("lead", "responsible", "cooperating")
KEEP_DAYS = 7
_LEAD_MARK = re.compile(r"[（(]\s*牵头\s*[）)]")


def _row(rid, task=None, **values):
    row = {
        "id": rid,
        "action": "",
        "key_task": "",
        "content": "",
        "deadline_text": "",
        "lead": [],
        "responsible": [],
        "cooperating": [],
        "source": "",
    }
    if task is not None:
        row.update(
            action=task.action,
            key_task=task.key_task,
            content=task.content,
            deadline_text=task.deadline_text,
            responsible=list(task.responsible),
            cooperating=list(task.cooperating),
            source=task.source,
        )
    row.update(values)
    return row


def units_from_text(text):
    """Unit names typed in a preview cell: "A、B（牵头）、公安、交通部门" → (names, leads)."""
    leads, names = [], []
    for piece in re.split(r"[、，,；;\n]", text or ""):
        if not piece.strip():
            continue
        lead = bool(_LEAD_MARK.search(piece))
        piece = _LEAD_MARK.sub("", piece)
        found = split_units(piece) or [re.sub(r"\s+", "", piece)]
        names += found
        if lead:
            leads += found
    # "公安、交通部门" typed in one cell: expand the shared suffix across the whole cell
    joined = split_units("、".join(names))
    if len(joined) == len(names):
        mapping = dict(zip(names, joined))
        names, leads = joined, [mapping.get(n, n) for n in leads]
    out = []
    for n in names:
        if n and n not in out:
            out.append(n)
    return out, [n for n in leads if n in out]


@transaction.atomic
def draft_create(*, actor, upload, kind=Kind.ACTION_PLAN, region=None, year=None, parent=None, previous=None):
    """Parse an upload into a draft. An unreadable file or one without a task list raises
    ApplicationError (with the parser's reason) and nothing is kept."""
    services._require(actor, "plan.manage", "只有安委办管理员可以导入行动方案。")
    if kind not in Kind.values:
        raise ApplicationError("请选择文件类型：行动方案、职责清单或年度任务清单。")
    region = services.plan_region(actor, region)
    name = getattr(upload, "name", "") or "plan.txt"
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    try:
        parsed = parse_plan(data, name, year=year or None)
    except ApplicationError:
        raise
    except Exception as exc:  # a reader's own error on a corrupt file: say so, never a traceback
        raise ApplicationError(f"无法读取文件“{name}”：文件已损坏或格式不受支持（{type(exc).__name__}）。") from exc
    if previous not in (None, ""):
        previous = Plan.objects.visible_to(actor).filter(pk=getattr(previous, "pk", previous)).first()
        if previous is None:
            raise ApplicationError("所选的原清单不存在或不在您的管辖范围内。")
        kind, region = previous.kind, previous.region
    if parent not in (None, ""):
        parent = Plan.objects.filter(pk=getattr(parent, "pk", parent)).first()
    start, end = services.plan_years(parsed.title, parsed.year, [d for t in parsed.tasks for d in t.deadline.dates])
    PlanDraft.objects.filter(owner=actor, created_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)).delete()
    rows = [_row(i, task) for i, task in enumerate(parsed.tasks, start=1)]
    if kind == Kind.DUTY_LIST:
        # a duty list is read per leader or department: group the duties of each under its name
        for row in rows:
            if not row["action"] and row["responsible"]:
                row["action"] = "、".join(row["responsible"])
    draft = PlanDraft.objects.create(
        owner=actor,
        kind=kind,
        title=(parsed.title or name)[:200],
        region=region,
        year=parsed.year,
        start_year=start,
        end_year=end,
        parent=parent or None,
        previous=previous or None,
        filename=name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        layout=parsed.layout,
        rows=rows,
        next_id=len(rows) + 1,
    )
    audit_record(
        actor=actor,
        action="plan.upload",
        obj=draft,
        region_code=region.code,
        data={"filename": name, "tasks": len(rows), "layout": parsed.layout, "warnings": len(parsed.warnings)},
    )
    return draft


def draft_get(*, user, pk):
    """A draft is its owner's alone: anyone else gets nothing (a 404)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(PlanDraft.objects.select_related("region", "parent", "previous"), pk=pk, owner=user)


def row_problems(row, year):
    """[(level, message)] for one row: "error" blocks the import, "warning" only informs."""
    problems = []
    if not (row.get("content") or "").strip():
        problems.append(("error", "具体任务内容为空"))
    text = (row.get("deadline_text") or "").strip()
    if text:
        if not parse_deadline(text, year).ok:
            problems.append(("warning", f"完成时间“{text}”无法识别为日期或周期，将不设截止日期"))
    else:
        problems.append(("warning", "未注明完成时间"))
    if not (row.get("responsible") or row.get("lead")):
        problems.append(("warning", "未注明责任单位"))
    if len(row.get("content") or "") > 4000:
        problems.append(("error", "具体任务内容过长（超过4000字），请拆分"))
    return problems


def draft_view(draft):
    """Everything the preview page shows: rows with their reading and problems, unit matches."""
    rows = []
    for n, row in enumerate(draft.rows, start=1):
        deadline = parse_deadline(row.get("deadline_text") or "", draft.year)
        rows.append(
            {
                **row,
                "n": n,
                "dates": list(deadline.dates),
                "recurrence": Recurrence(deadline.recurrence).label if deadline.recurrence else "",
                "problems": row_problems(row, draft.year),
                "responsible_text": "、".join(
                    [f"{x}（牵头）" for x in row.get("lead", [])]
                    + [x for x in row.get("responsible", []) if x not in row.get("lead", [])]
                ),
                "cooperating_text": "、".join(row.get("cooperating", [])),
            }
        )
    names = []
    for row in draft.rows:
        for key in UNIT_FIELDS:
            for name in row.get(key, []):
                if name not in names:
                    names.append(name)
    units = candidate_units(draft.region_id)
    by_id = {u.pk: u for u in units}
    matches = []
    for name, result, default in match_names(names, units, draft.region_id):
        choice = draft.unit_choices.get(name) or default
        kind, unit_id = parse_choice(choice)
        suggestions = [(by_id[s["id"]], s["score"]) for s in result["suggestions"] if s["id"] in by_id]
        matches.append(
            {
                "name": name,
                "result": result,
                "choice": choice,
                "kind": kind,
                "unit": by_id.get(unit_id),
                "suggestions": suggestions,
                "options": unit_options(name, choice, suggestions, units),
            }
        )
    errors = [(r["n"], m) for r in rows for level, m in r["problems"] if level == "error"]
    warnings = [(r["n"], m) for r in rows for level, m in r["problems"] if level == "warning"]
    return {
        "rows": rows,
        "matches": matches,
        "units": units,
        "errors": errors,
        "warnings": warnings,
        "new_units": [m["name"] for m in matches if m["kind"] == CHOICE_NEW],
        "text_units": [m["name"] for m in matches if m["kind"] == CHOICE_TEXT],
    }


def unit_options(name, choice, suggestions, units):
    """[(value, label, selected)] for a unit-name select: suggestions, new, keep as text, every unit."""
    options, seen = [], set()
    for unit, score in suggestions:
        seen.add(unit.pk)
        options.append((f"unit:{unit.pk}", f"关联：{unit.name}（相似度 {score}）", choice == f"unit:{unit.pk}"))
    options.append((CHOICE_NEW, f"新建单位“{name}”", choice == CHOICE_NEW))
    options.append((CHOICE_TEXT, "仅保留名称（不关联单位）", choice == CHOICE_TEXT))
    for unit in units:
        if unit.pk not in seen:
            options.append((f"unit:{unit.pk}", f"{unit.name}（{unit.region.name}）", choice == f"unit:{unit.pk}"))
    return options


def _index(draft, row_id):
    for i, row in enumerate(draft.rows):
        if str(row["id"]) == str(row_id):
            return i
    raise ApplicationError("该行已不存在（可能已被合并或删除），请刷新预览。", code="conflict")


def _apply_cells(row, data):
    for key in ("action", "key_task", "content", "deadline_text"):
        if key in data:
            row[key] = re.sub(r"[ \t\u3000]+", " ", str(data[key] or "")).strip()
    if "responsible" in data:
        names, leads = units_from_text(data["responsible"])
        row["responsible"], row["lead"] = names, leads
    if "cooperating" in data:
        names, _ = units_from_text(data["cooperating"])
        row["cooperating"] = [n for n in names if n not in row.get("responsible", [])]


def _merge_list(a, b):
    return a + [x for x in b if x not in a]


@transaction.atomic
def draft_edit(*, actor, draft, op, row_id=None, data=None):
    """One correction of the preview: "edit" a row's cells, "merge" a row into the one above,
    "split" a row (at the line breaks of its text, else at each 。/；), "delete" a row, "insert"
    an empty row after one, set the "units" choices, or change the "meta" (title, kind, years…)."""
    draft = PlanDraft.objects.select_for_update().get(pk=draft.pk, owner=actor)
    data = data or {}
    rows = list(draft.rows)
    if op == "edit":
        i = _index(draft, row_id)
        _apply_cells(rows[i], data)
    elif op == "merge":
        i = _index(draft, row_id)
        if i == 0:
            raise ApplicationError("第一行上面没有可合并的行。")
        above, row = rows[i - 1], rows.pop(i)
        above["content"] = (above["content"] + row["content"]).strip()
        above["deadline_text"] = above["deadline_text"] or row["deadline_text"]
        for key in UNIT_FIELDS:
            above[key] = _merge_list(above.get(key, []), row.get(key, []))
        above["source"] = "、".join(x for x in (above.get("source"), row.get("source")) if x)[:100]
    elif op == "split":
        i = _index(draft, row_id)
        if "content" in data or any(k in data for k in EDITABLE):
            _apply_cells(rows[i], data)
        text = rows[i]["content"]
        parts = [p.strip() for p in re.split(r"\r?\n+", text) if p.strip()]
        if len(parts) < 2:
            parts = [p.strip() for p in re.findall(r"[^。；;]+[。；;]?", text) if p.strip()]
        if len(parts) < 2:
            raise ApplicationError("无法拆分：请在任务内容中要拆开的地方换行后再点“拆分”。")
        new_rows = []
        for part in parts:
            new = dict(rows[i], content=part, id=draft.next_id)
            for key in UNIT_FIELDS:
                new[key] = list(rows[i].get(key, []))
            draft.next_id += 1
            new_rows.append(new)
        rows[i : i + 1] = new_rows
    elif op == "delete":
        i = _index(draft, row_id)
        rows.pop(i)
        if not rows:
            raise ApplicationError("不能删除最后一行：没有任务就没有可导入的方案。")
    elif op == "insert":
        i = _index(draft, row_id) if row_id not in (None, "") else len(rows) - 1
        base = rows[i] if rows else {}
        new = _row(draft.next_id, action=base.get("action", ""), key_task=base.get("key_task", ""))
        _apply_cells(new, data)
        draft.next_id += 1
        rows.insert(i + 1, new)
    elif op == "units":
        choices = dict(draft.unit_choices)
        for name, choice in data.items():
            kind, _ = parse_choice(choice)
            if kind is None:
                raise ApplicationError(f"单位“{name}”的对应方式无效。")
            choices[name] = choice
        draft.unit_choices = choices
    elif op == "meta":
        _apply_meta(actor, draft, data)
    else:
        raise ApplicationError(f"未知的操作“{op}”。")
    draft.rows = rows
    draft.save()
    return draft


def _apply_meta(actor, draft, data):
    if data.get("title"):
        draft.title = str(data["title"]).strip()[:200]
    if data.get("kind") in Kind.values and draft.previous_id is None:
        draft.kind = data["kind"]
    try:
        start = int(data.get("start_year") or draft.start_year)
        end = int(data.get("end_year") or draft.end_year)
        year = int(data.get("year") or draft.year)
    except (TypeError, ValueError):
        raise ApplicationError("年度须为数字，如 2024。") from None
    if not 2000 <= start <= end <= start + 10 or not 2000 <= year <= 2100:
        raise ApplicationError("方案年度范围无效：截止年度须不早于起始年度，且跨度不超过10年。")
    draft.start_year, draft.end_year, draft.year = start, end, year
    if "region" in data and data["region"] and draft.previous_id is None:
        draft.region = services.plan_region(actor, data["region"])
    if "parent" in data:
        parent = data["parent"]
        draft.parent = row_by_id(Plan.objects.all(), parent)


def draft_tasks(draft):
    """The draft's rows in the form plan_import takes (the deadline read from the edited text)."""
    tasks = []
    for row in draft.rows:
        deadline = parse_deadline(row.get("deadline_text") or "", draft.year)
        tasks.append(
            {
                "action": row.get("action", ""),
                "key_task": row.get("key_task", ""),
                "content": row.get("content", ""),
                "deadline_text": row.get("deadline_text", ""),
                "deadline": deadline.as_json(),
                "recurrence": deadline.recurrence,
                "lead": row.get("lead", []),
                "responsible": row.get("responsible", []),
                "cooperating": row.get("cooperating", []),
                "source": row.get("source", ""),
            }
        )
    return tasks


@transaction.atomic
def draft_confirm(*, actor, draft, publish=True):
    """确认导入: write the corrected plan in one transaction and drop the draft. New units are
    created exactly for the names the preview shows as "新建"."""
    draft = PlanDraft.objects.select_for_update().select_related("region").get(pk=draft.pk, owner=actor)
    view = draft_view(draft)
    if view["errors"]:
        raise ApplicationError(
            "预览中还有错误，请先改正：" + "；".join(f"第{n}行：{m}" for n, m in view["errors"][:10]),
            errors=[{"row": n, "message": m} for n, m in view["errors"]],
        )
    choices = {m["name"]: m["choice"] for m in view["matches"]}
    plan = services.plan_import(
        actor=actor,
        tasks=draft_tasks(draft),
        year=draft.year,
        title=draft.title,
        filename=draft.filename,
        warnings=[f"第{n}行：{m}" for n, m in view["warnings"]],
        kind=draft.kind,
        region=draft.region,
        start_year=draft.start_year,
        end_year=draft.end_year,
        parent=draft.parent,
        previous=draft.previous,
        unit_choices=choices,
        publish=publish,
        sha256=draft.sha256,
        layout=draft.layout,
    )
    draft.delete()
    return plan
