"""Every write of the inspections module: checklists, inspections (team, items copied from a checklist,
results with photos, findings filed as hazards, transitions). Atomic, scoped, evented and audited."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.audit.services import audit_record
from zhiben.core.cntext import DateError, parse_date
from zhiben.core.db import as_id, possible_ids, whole_number
from zhiben.core.evidence import store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.services import ensure_capability, next_number
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.choices import Channel, Level
from zhiben.hazards.models import Place
from zhiben.hazards.services import hazard_report

from .choices import Kind, Result, Status
from .models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    Conflict,
    Inspection,
    InspectionItem,
    InspectionPhoto,
)
from .selectors import checklists_for, expert_candidates
from .workflow import TRANSITIONS

MIN_ENFORCEMENT_INSPECTORS = 2  # 行政处罚法第四十二条: 执法人员不得少于两人


def _text(data, key, limit=None):
    value = str(data.get(key) or "").strip()
    return value[:limit] if limit else value


def _ids(values):
    """Ids from a list of texts (a single value counts as a list of one); non-numbers are dropped."""
    if values in (None, ""):
        return []
    if isinstance(values, (str, int)):
        values = [values]
    return [number for number in map(whole_number, values) if number is not None]


def _possible(values):
    """The ids among the texts `values` a row can have (any other is not found)."""
    return possible_ids(_ids(values))


def _day(value, label, errors, field):
    if value in (None, ""):
        return None
    try:
        day = parse_date(value)
    except DateError:
        day = None
    if day is None:
        errors.append((field, f"{label}“{value}”不是有效日期（格式：2026-11-05）。"))
    return day


# ---------------------------------------------------------------- checklists


@transaction.atomic
def checklist_save(*, actor, data, template=None):
    ensure_capability(actor, "checklist.manage", "您的角色无权编辑检查表。")
    errors = []
    name = _text(data, "name", 200)
    if not name:
        errors.append(("name", "请填写检查表名称。"))
    industry = data.get("industry") or None
    if errors:
        _fail(errors)
    if template is None:
        if not actor.region_id:
            raise ApplicationError("您的账号没有管辖区划，不能新建检查表。", code="forbidden")
        template = ChecklistTemplate(region_id=actor.region_id, created_by=actor)
    elif not ChecklistTemplate.objects.for_user(actor).filter(pk=template.pk).exists():
        raise ScopeError()
    template.name = name
    template.industry_id = industry
    template.description = _text(data, "description")
    template.active = data.get("active", True) not in (False, "0", "false", "off")
    template.save()
    audit_record(actor=actor, action="checklist.save", obj=template, data={"name": name})
    return template


@transaction.atomic
def checklist_add_items(*, actor, template, criteria_ids=(), part_ids=(), texts=()):
    """Append criteria items (picked one by one, or every item of a part, their text copied) and free
    items to a checklist. Only items of standards that apply to the checklist's region are accepted."""
    from zhiben.hazards.criteria import applies_to_region, visible_items

    ensure_capability(actor, "checklist.manage", "您的角色无权编辑检查表。")
    if not ChecklistTemplate.objects.for_user(actor).filter(pk=template.pk).exists():
        raise ScopeError()
    wanted_ids = _ids(list(criteria_ids))
    wanted_parts = _ids(list(part_ids))
    chosen = visible_items(actor).filter(Q(pk__in=possible_ids(wanted_ids)) | Q(part_id__in=possible_ids(wanted_parts)))
    items = [i for i in chosen.select_related("standard") if applies_to_region(i.standard, template.region_id)]
    if len({i.pk for i in items if i.pk in wanted_ids}) != len(set(wanted_ids)):
        raise ApplicationError("所选判定标准条款不存在或不适用于本检查表所属区划。")
    present = set(template.items.filter(criteria_item__isnull=False).values_list("criteria_item_id", flat=True))
    items = [i for i in items if i.pk not in present]
    texts = [t.strip() for t in texts if t and t.strip()]
    if not items and not texts:
        raise ApplicationError("请选择判定标准条款（或整个部分）或填写自定义检查内容；已在表中的条款不会重复加入。")
    sort = (template.items.order_by("-sort").values_list("sort", flat=True).first() or 0) + 10
    rows = []
    for item in sorted(items, key=lambda i: (i.standard_id, i.sort, i.pk)):
        rows.append(
            ChecklistTemplateItem(
                template=template,
                sort=sort,
                criteria_item=item,
                text=item.text,
                method=f"{item.standard.name} {item.number}",
            )
        )
        sort += 10
    for text in texts:
        rows.append(ChecklistTemplateItem(template=template, sort=sort, text=text[:2000]))
        sort += 10
    ChecklistTemplateItem.objects.bulk_create(rows)
    audit_record(actor=actor, action="checklist.add_items", obj=template, data={"added": len(rows)})
    return rows


@transaction.atomic
def checklist_reorder(*, actor, template, order=None, item=None, move=None):
    """Put the checklist's items in `order` (item ids; those left out keep their relative place after),
    or move one `item` "up" or "down"."""
    ensure_capability(actor, "checklist.manage", "您的角色无权编辑检查表。")
    if not ChecklistTemplate.objects.for_user(actor).filter(pk=template.pk).exists():
        raise ScopeError()
    items = list(template.items.order_by("sort", "id"))
    if item is not None:
        index = next((n for n, i in enumerate(items) if i.pk == item.pk), None)
        if index is None:
            raise ApplicationError("该条目不在本检查表中。")
        other = index - 1 if move == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
    else:
        wanted = _ids(list(order or []))
        by_id = {i.pk: i for i in items}
        if any(pk not in by_id for pk in wanted):
            raise ApplicationError("排序中含有不属于本检查表的条目。")
        items = [by_id[pk] for pk in dict.fromkeys(wanted)] + [i for i in items if i.pk not in set(wanted)]
    for n, row in enumerate(items, start=1):
        row.sort = n * 10
    ChecklistTemplateItem.objects.bulk_update(items, ["sort"])
    audit_record(actor=actor, action="checklist.reorder", obj=template, data={"order": [i.pk for i in items]})
    return items


@transaction.atomic
def checklist_set_active(*, actor, template, active):
    """Deactivate (停用) a checklist — no new inspection may use it; those already made keep their copy — or
    bring it back."""
    ensure_capability(actor, "checklist.manage", "您的角色无权编辑检查表。")
    if not ChecklistTemplate.objects.for_user(actor).filter(pk=template.pk).exists():
        raise ScopeError()
    template.active = bool(active)
    template.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="checklist.activate" if active else "checklist.deactivate", obj=template)
    return template


@transaction.atomic
def checklist_remove_item(*, actor, item):
    ensure_capability(actor, "checklist.manage", "您的角色无权编辑检查表。")
    if not ChecklistTemplate.objects.for_user(actor).filter(pk=item.template_id).exists():
        raise ScopeError()
    audit_record(actor=actor, action="checklist.remove_item", obj=item.template, data={"text": item.text[:100]})
    item.delete()


# ---------------------------------------------------------------- inspections


def _people(actor, data, subject_enterprise, day, kind, errors):
    """The team: users with inspection.conduct in the actor's scope and experts, checked for duplicates,
    conflicts (回避) and, for 执法检查, two valid 执法证."""
    ids = [str(i) for i in (data.get("inspectors") or []) if str(i).strip()]
    if len(ids) != len(set(ids)):
        errors.append(("inspectors", "同一检查人员不能重复选择。"))
    users = list(User.objects.for_user(actor).filter(pk__in=_possible(ids), is_active=True))
    if len(users) != len(set(ids)):
        errors.append(("inspectors", "所选检查人员不存在或不在您的管辖范围内。"))
    expert_ids = [str(i) for i in (data.get("experts") or []) if str(i).strip()]
    if len(expert_ids) != len(set(expert_ids)):
        errors.append(("experts", "同一专家不能重复选择。"))
    experts = list(expert_candidates(actor).filter(pk__in=_possible(expert_ids)))
    if len(experts) != len(set(expert_ids)):
        errors.append(("experts", "所选专家不存在、已出库或不属于您可选用的专家库。"))
    if not errors:
        _team_rules(users, experts, subject_enterprise, day, kind, errors)
    return users, experts


def _team_rules(users, experts, enterprise, day, kind, errors):
    """Who may form a team: people who may inspect, none tied to the enterprise (its staff, 回避), and
    for 执法检查 at least two holders of a 执法证 valid on `day`."""
    for user in users:
        if not user.can("inspection.conduct"):
            errors.append(("inspectors", f"{user.display_name}的角色不能参加检查。"))
    if enterprise is not None:
        conflicts = Conflict.objects.filter(enterprise=enterprise)
        for user in users:
            if user.enterprise_id == enterprise.pk or conflicts.filter(user=user).exists():
                errors.append(("inspectors", f"{user.display_name}与被检查单位存在利害关系，应当回避。"))
        for expert in experts:
            if expert.enterprise_id == enterprise.pk or conflicts.filter(expert=expert).exists():
                errors.append(("experts", f"专家{expert.name}与被检查单位存在利害关系，应当回避。"))
    if kind == Kind.ENFORCEMENT and not errors:
        _certified(users, day or timezone.localdate(), errors)


def _certified(users, day, errors):
    """执法检查: at least two of `users` hold a 执法证 valid on `day`."""
    certified = [u for u in users if any(c.valid_on(day) for c in u.credentials.all())]
    if len(certified) < MIN_ENFORCEMENT_INSPECTORS:
        errors.append(
            (
                "inspectors",
                f"执法检查须有至少 {MIN_ENFORCEMENT_INSPECTORS} 名持有效执法证的执法人员"
                f"（{day:%Y-%m-%d} 现有 {len(certified)} 名）。",
            )
        )


def _subject(actor, data, errors):
    if whole_number(data.get("enterprise")) is not None:
        enterprise = (
            Enterprise.objects.for_user(actor).select_related("industry").filter(pk=as_id(data["enterprise"])).first()
        )
        if enterprise is None:
            errors.append(("enterprise", "所选生产经营单位不存在或不在您的管辖范围内。"))
            return None, None
        return enterprise, None
    if whole_number(data.get("place")) is not None:
        place = Place.objects.for_user(actor).filter(pk=as_id(data["place"])).first()
        if place is None:
            errors.append(("place", "所选场所不存在或不在您的管辖范围内。"))
        return None, place
    errors.append(("enterprise", "请选择被检查单位。"))
    return None, None


@transaction.atomic
def inspection_create(*, actor, data, today=None):
    """Plan an inspection of an enterprise (or a place) with its team."""
    ensure_capability(actor, "inspection.conduct", "您的角色无权组织检查。")
    today = today or timezone.localdate()
    errors = []
    if not actor.unit_id:
        raise ApplicationError("您的账号未关联单位，不能以单位名义组织检查。", code="forbidden")
    kind = data.get("kind") or Kind.SUPERVISION
    if kind not in Kind.values:
        errors.append(("kind", "检查类型无效。"))
    enterprise, place = _subject(actor, data, errors)
    planned = _day(data.get("planned_date"), "计划检查日期", errors, "planned_date") or today
    industry_id = enterprise.industry_id if enterprise else (data.get("industry") or None)
    if place is not None and not industry_id:
        errors.append(("industry", "检查无主体场所须选择行业领域。"))
    users, experts = _people(actor, data, enterprise, planned, kind, errors)
    if errors:
        _fail(errors)
    subject = enterprise or place
    inspection = Inspection(
        kind=kind,
        enterprise=enterprise,
        place=place,
        region_id=subject.region_id,
        industry_id=industry_id,
        unit_id=actor.unit_id,
        planned_date=planned,
        unannounced=bool(data.get("unannounced")) and data.get("unannounced") not in ("0", "false", "off"),
        cross=bool(data.get("cross")) and data.get("cross") not in ("0", "false", "off"),
        summary=_text(data, "summary"),
        created_by=actor,
    )
    county = inspection.region_id[:6]
    inspection.number = f"JC{county}{planned.year}{next_number(f'inspection:{county}:{planned.year}'):06d}"
    inspection.save()
    inspection.inspectors.set(users)
    inspection.experts.set(experts)
    record_event(
        inspection,
        "create",
        actor=actor,
        note=f"{inspection.get_kind_display()}，检查人员：{'、'.join(u.display_name for u in users)}",
    )
    audit_record(
        actor=actor,
        action="inspection.create",
        obj=inspection,
        data={"kind": kind, "inspectors": [u.pk for u in users]},
    )
    return inspection


def _lock(actor, inspection):
    current = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not Inspection.objects.for_user(actor).filter(pk=current.pk).exists():
        raise ScopeError()
    return current


def _ensure_team_member(actor, inspection):
    """The inspecting unit's staff, the team's inspectors and its experts record the inspection."""
    ensure_capability(actor, "inspection.conduct", "您的角色无权进行检查。")
    if actor.unit_id == inspection.unit_id or inspection.inspectors.filter(pk=actor.pk).exists():
        return
    if inspection.experts.filter(user=actor).exists():
        return
    raise ApplicationError("只有检查单位的人员或检查组成员可以记录本次检查。", code="forbidden")


@transaction.atomic
def inspection_transition(*, actor, inspection, action, checklist=None, date=None, summary="", today=None):
    """Start (copying a checklist's items), complete (a date, every item answered) or cancel."""
    today = today or timezone.localdate()
    inspection = _lock(actor, inspection)
    _ensure_team_member(actor, inspection)
    if action not in TRANSITIONS:
        raise ApplicationError(f"未知操作“{action}”。")
    sources, target, label, capability = TRANSITIONS[action]
    ensure_capability(actor, capability, "您的角色无权进行此操作。")
    if inspection.status not in sources:
        raise ApplicationError(f"检查当前为“{inspection.get_status_display()}”，不能{label}。", code="bad_state")
    before = inspection.status
    if action == "start":
        if checklist is not None:
            if not checklists_for(actor).filter(pk=checklist.pk).exists():
                raise ApplicationError("所选检查表不存在、已停用或不在您的管辖范围内。")
            rows = [
                InspectionItem(
                    inspection=inspection,
                    sort=i.sort,
                    criteria_item_id=i.criteria_item_id,
                    text=i.text,
                    method=i.method,
                )
                for i in checklist.items.all()
            ]
            InspectionItem.objects.bulk_create(rows)
            inspection.checklist_name = checklist.name
        inspection.date = inspection.date or today
        if inspection.kind == Kind.ENFORCEMENT:
            errors = []
            _certified(list(inspection.inspectors.all()), inspection.date, errors)
            if errors:
                _fail(errors)
    if action == "complete":
        errors = []
        day = _day(date, "检查日期", errors, "date") or inspection.date or today
        if day > today:
            errors.append(("date", f"检查日期 {day} 晚于今天。"))
        pending = inspection.items.filter(result=Result.PENDING).count()
        if pending:
            errors.append(("items", f"还有 {pending} 项检查内容未填写结果。"))
        if inspection.kind == Kind.ENFORCEMENT and not errors:
            _certified(list(inspection.inspectors.all()), day, errors)
        if errors:
            _fail(errors)
        inspection.date = day
        if summary:
            inspection.summary = summary.strip()
    # conditional UPDATE: of two clicks (or two team members) at once only one moves the inspection
    moved = Inspection.objects.filter(pk=inspection.pk, status=before).update(
        status=target,
        date=inspection.date,
        summary=inspection.summary,
        checklist_name=inspection.checklist_name,
        updated_at=timezone.now(),
    )
    if moved != 1:
        raise ApplicationError(f"检查状态已被他人更改，不能{label}，请刷新页面。", code="bad_state")
    inspection.status = target
    record_event(inspection, action, actor=actor, note=label, data={"from": before, "to": target})
    audit_record(actor=actor, action=f"inspection.{action}", obj=inspection, data={"from": before, "to": target})
    return inspection


@transaction.atomic
def item_record(*, actor, item, result, note="", files=()):
    """Record one item's result (符合/不符合/不适用) with a note and photos."""
    inspection = _lock(actor, item.inspection)
    _ensure_team_member(actor, inspection)
    if inspection.status != Status.IN_PROGRESS:
        raise ApplicationError("只有检查中的检查可以填写检查结果。")
    if result not in (Result.PASS, Result.FAIL, Result.NOT_APPLICABLE):
        raise ApplicationError("请选择检查结果：符合、不符合或不适用。")
    if result == Result.FAIL and not note.strip() and not files:
        raise ApplicationError("不符合的检查项请说明情况或上传照片。")
    item.result = result
    item.note = note.strip()
    item.save(update_fields=["result", "note"])
    for upload in files:
        store_upload(
            InspectionPhoto(inspection=inspection, item=item, uploaded_by=actor),
            upload,
            size_rule="hazard.attachment_max_mb",
            region_code=inspection.region_id,
        )
    record_event(
        inspection,
        "item",
        actor=actor,
        note=f"{item.text[:40]}：{Result(result).label}"
        + (f"（{item.note[:60]}）" if item.note else "")
        + (f"，照片 {len(files)} 张" if files else ""),
        data={"item": item.pk, "result": result},
    )
    audit_record(actor=actor, action="inspection.item", obj=inspection, data={"item": item.pk, "result": result})
    return item


@transaction.atomic
def inspection_add_member(*, actor, inspection, user=None, expert=None):
    """Add an inspector or an expert to a planned or ongoing inspection's team (the same rules as at
    creation; the same person twice is refused and nothing is written)."""
    inspection = _lock(actor, inspection)
    _ensure_team_member(actor, inspection)
    if inspection.status not in (Status.PLANNED, Status.IN_PROGRESS):
        raise ApplicationError(f"检查已{inspection.get_status_display()}，不能再调整检查组。")
    errors = []
    if user is not None:
        if inspection.inspectors.filter(pk=user.pk).exists():
            raise ApplicationError(f"{user.display_name}已在检查组中，不能重复加入。")
        if not User.objects.for_user(actor).filter(pk=user.pk, is_active=True).exists():
            raise ApplicationError("所选检查人员不存在或不在您的管辖范围内。")
        _team_rules([user], [], inspection.enterprise, inspection.planned_date, Kind.SUPERVISION, errors)
    if expert is not None:
        if inspection.experts.filter(pk=expert.pk).exists():
            raise ApplicationError(f"专家{expert.name}已在检查组中，不能重复加入。")
        if not expert_candidates(actor).filter(pk=expert.pk).exists():
            raise ApplicationError("所选专家不存在、已出库或不属于您可选用的专家库。")
        _team_rules([], [expert], inspection.enterprise, inspection.planned_date, Kind.SUPERVISION, errors)
    if user is None and expert is None:
        errors.append(("inspectors", "请选择要加入的检查人员或专家。"))
    if errors:
        _fail(errors)
    if user is not None:
        inspection.inspectors.add(user)
    if expert is not None:
        inspection.experts.add(expert)
    name = user.display_name if user is not None else f"专家{expert.name}"
    record_event(inspection, "member", actor=actor, note=f"加入检查组：{name}")
    audit_record(
        actor=actor,
        action="inspection.member",
        obj=inspection,
        data={"user": getattr(user, "pk", None), "expert": getattr(expert, "pk", None)},
    )
    return inspection


def finding_text(text, note):
    """A failed item as one sentence: "检查内容：情况" (the item's closing punctuation dropped before the note)."""
    text = text.strip()
    return f"{text.rstrip('。；;，, ')}：{note.strip()}" if note and note.strip() else text


def channel_for(inspection):
    if inspection.unannounced:
        return Channel.UNANNOUNCED
    return Channel.ENFORCEMENT if inspection.kind == Kind.ENFORCEMENT else Channel.SUPERVISION


@transaction.atomic
def item_to_hazard(*, actor, item, level=None, deadline=None, today=None):
    """File a failed item as a hazard, prefilled with the item's criteria item and text, and link it."""
    inspection = _lock(actor, item.inspection)
    _ensure_team_member(actor, inspection)
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.result != Result.FAIL:
        raise ApplicationError("只有“不符合”的检查项可以形成隐患。")
    if item.hazard_id:
        raise ApplicationError(f"该检查项已形成隐患 {item.hazard.number}。")
    level = level or (Level.MAJOR if item.criteria_item_id else Level.GENERAL)
    data = {
        "channel": channel_for(inspection),
        "level": level,
        "criteria_item": item.criteria_item_id if level == Level.MAJOR else None,
        "criteria_other": "" if item.criteria_item_id or level != Level.MAJOR else item.text,
        "description": finding_text(item.text, item.note)[:2000],
        "found_date": inspection.date or today,
        "found_by": "、".join(u.display_name for u in inspection.inspectors.all()) or actor.display_name,
        "source_ref": inspection.number,
        "deadline": deadline,
    }
    if inspection.enterprise_id:
        data["enterprise"] = inspection.enterprise_id
    else:
        data["place"] = inspection.place_id
        data["industry"] = inspection.industry_id
    hazard = hazard_report(actor=actor, data=data, today=today)
    item.hazard = hazard
    item.save(update_fields=["hazard"])
    inspection.hazards.add(hazard)
    record_event(inspection, "hazard", actor=actor, note=f"形成隐患 {hazard.number}", data={"hazard": hazard.pk})
    return hazard
