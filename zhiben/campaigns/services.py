"""Every write of the campaigns module: defining and editing a campaign, its transitions, recording
a check (with its findings as hazards) and importing checks from a sheet. Each one is atomic,
checks rights and scope, and is audited; a refusal is one Chinese ApplicationError and writes nothing."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.cntext import parse_date as cn_date
from zhiben.core.db import as_id, whole_number
from zhiben.core.evidence import store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.scoping import scope_allows
from zhiben.core.services import ensure_capability, fail
from zhiben.core.timeline import record_event
from zhiben.hazards.choices import Channel, Level, PlaceKind
from zhiben.hazards.services import hazard_report
from zhiben.inspections.services import finding_text
from zhiben.regions.models import Industry

from . import columns as cols
from .choices import Result, Status
from .models import Campaign, CampaignCheck, CampaignCheckItem, CampaignPhoto
from .selectors import find_target, target_querysets
from .workflow import EDITABLE_STATUSES, TRANSITIONS, may_manage

STATUS_LABELS = dict(Status.choices)


# ---------------------------------------------------------------- defining a campaign


def _text(data, key, limit=None):
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    return value[:limit] if limit else value


def _a_date(value, label, field, errors):
    if value in (None, ""):
        errors.append((field, f"请填写{label}。"))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append((field, f"{label}“{value}”不是有效日期（格式：2024-06-30）。"))
        return None


def _industries(values, errors):
    """Industries by id or code."""
    wanted = [str(v).strip() for v in values or [] if str(v).strip()]
    found = {}
    for industry in Industry.objects.all():
        found[str(industry.pk)] = found[industry.code] = industry
    unknown = [v for v in wanted if v not in found]
    if unknown:
        errors.append(("industries", f"行业“{'、'.join(unknown)}”不存在。"))
    return list({found[v].pk: found[v] for v in wanted if v in found}.values())


def _used_columns(campaign):
    """{key: type} of the columns existing checks hold values for."""
    if campaign is None or campaign.pk is None:
        return {}
    keys = set()
    for values in campaign.checks.values_list("values", flat=True):
        keys.update(k for k, v in (values or {}).items() if v not in (None, ""))
    return {c["key"]: c["type"] for c in campaign.columns if c["key"] in keys}


def _clean_campaign(actor, data, campaign=None):
    errors = []
    name = _text(data, "name", 200)
    if len(name) < 2:
        errors.append(("name", "请填写专项整治名称。"))
    start = _a_date(data.get("start_date"), "开始日期", "start_date", errors)
    end = _a_date(data.get("end_date"), "结束日期", "end_date", errors)
    if start and end and end < start:
        errors.append(("end_date", "结束日期不能早于开始日期。"))
    industries = _industries(data.get("industries"), errors)
    kinds = [str(k) for k in data.get("place_kinds") or [] if str(k)]
    bad = [k for k in kinds if k not in PlaceKind.values]
    if bad:
        errors.append(("place_kinds", f"场所类型“{'、'.join(bad)}”无效。"))
    kinds = list(dict.fromkeys(k for k in kinds if k in PlaceKind.values))
    if not industries and not kinds:
        errors.append(("industries", "请至少选择一个排查行业或场所类型，作为专项整治的排查对象。"))
    place_industry = None
    raw = _text(data, "place_industry")
    if raw:
        place_industry = (
            Industry.objects.filter(pk=as_id(raw)).first()
            if whole_number(raw) is not None
            else Industry.objects.filter(code=raw).first()
        )
        if place_industry is None:
            errors.append(("place_industry", f"行业领域“{raw}”不存在。"))
    if kinds and place_industry is None and not any(f == "place_industry" for f, _ in errors):
        errors.append(
            ("place_industry", "排查场所时须选择场所隐患所属的行业领域（场所没有企业主体，隐患按此行业登记）。")
        )
    checklist = None
    raw = data.get("checklist")
    if raw not in (None, ""):
        from zhiben.inspections.models import ChecklistTemplate

        checklist = (
            ChecklistTemplate.objects.for_user(actor).filter(pk=as_id(raw), active=True).first()
            if as_id(raw) is not None
            else None
        )
        if checklist is None:
            errors.append(("checklist", "所选检查表不存在、已停用或不在您的管辖范围内。"))
    columns, column_errors = cols.clean_columns(data.get("columns") or [], used=_used_columns(campaign))
    errors += column_errors
    if errors:
        fail(errors)
    preset = _text(data, "preset", 40)
    return {
        "name": name,
        "description": _text(data, "description"),
        "start_date": start,
        "end_date": end,
        "place_kinds": kinds,
        "place_industry": place_industry,
        "checklist": checklist,
        "columns": columns,
        "preset": preset,
    }, industries


def _snapshot(campaign):
    return {
        "name": campaign.name,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "industries": sorted(campaign.industries.values_list("code", flat=True)),
        "place_kinds": campaign.place_kinds,
        "place_industry": campaign.place_industry.code if campaign.place_industry_id else None,
        "checklist": campaign.checklist_id,
        "columns": [c["label"] for c in campaign.columns],
    }


@transaction.atomic
def campaign_create(*, actor, data):
    """Define a campaign (draft) owned by the actor's region. `data`: name, description, start_date,
    end_date, industries (ids or codes), place_kinds, place_industry, checklist (id), columns, preset."""
    ensure_capability(actor, "campaign.manage", "您的角色无权制定专项整治。", system=False)
    if not actor.region_id:
        raise ApplicationError("您的账号没有管辖区划，不能制定专项整治。")
    values, industries = _clean_campaign(actor, data)
    campaign = Campaign.objects.create(region_id=actor.region_id, created_by=actor, **values)
    campaign.industries.set(industries)
    record_event(campaign, "create", actor=actor, note=campaign.name)
    audit_record(actor=actor, action="campaign.create", obj=campaign, data=_snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign, data):
    """Edit a draft or active campaign (a closed one is history). Columns already filled in by checks
    may be relabelled but not removed or retyped."""
    ensure_capability(actor, "campaign.manage", "您的角色无权修改专项整治。", system=False)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(actor, campaign):
        raise ApplicationError("该专项整治由上级牵头，您不能修改。", code="forbidden")
    if campaign.status not in EDITABLE_STATUSES:
        raise ApplicationError(f"专项整治已{STATUS_LABELS[campaign.status]}，不能再修改。")
    before = _snapshot(campaign)
    values, industries = _clean_campaign(actor, data, campaign)
    values.pop("preset")
    if campaign.status == Status.ACTIVE and campaign.checks.exists():
        first = campaign.checks.order_by("date").values_list("date", flat=True).first()
        last = campaign.checks.order_by("-date").values_list("date", flat=True).first()
        if values["start_date"] > first or values["end_date"] < last:
            fail([("start_date", f"已有 {first} 至 {last} 的检查记录，整治期间须包含这些日期。")])
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.save()
    campaign.industries.set(industries)
    after = _snapshot(campaign)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record_event(campaign, "edit", actor=actor, data={"changed": sorted(changed)})
    audit_record(actor=actor, action="campaign.update", obj=campaign, data=changed)
    return campaign


def _ready_to_start(campaign):
    industries = campaign.industries.exists()
    if not industries and not campaign.place_kinds:
        raise ApplicationError("专项整治尚未设定排查对象（行业或场所类型），不能启动。")


@transaction.atomic
def campaign_transition(*, actor, campaign, action, note=""):
    """Move a campaign along the table in workflow.py (start, close). A conditional UPDATE: of two
    clicks at once only one wins."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ApplicationError(f"未知操作“{action}”。")
    if actor is None or not actor.can("campaign.manage"):
        raise ApplicationError("您的角色无权启动或结束专项整治。", code="forbidden")
    if not Campaign.objects.for_user(actor).filter(pk=campaign.pk).exists():
        raise ScopeError()
    if not may_manage(actor, campaign):
        raise ApplicationError("该专项整治由上级牵头，您不能启动或结束。", code="forbidden")
    current = Campaign.objects.get(pk=campaign.pk)
    if current.status not in transition.sources:
        raise ApplicationError(
            f"专项整治当前为“{STATUS_LABELS[current.status]}”，不能{transition.label}。", code="conflict"
        )
    if action == "activate":
        _ready_to_start(current)
    now = timezone.now()
    stamp = {"activated_at": now} if transition.target == Status.ACTIVE else {"closed_at": now}
    changed = Campaign.objects.filter(pk=campaign.pk, status=current.status).update(
        status=transition.target, updated_at=now, **stamp
    )
    if changed != 1:
        raise ApplicationError("专项整治状态已被他人更改，请刷新后重试。", code="conflict")
    old = current.status
    campaign.refresh_from_db()
    record_event(campaign, action, actor=actor, note=note, data={"from": old, "to": campaign.status})
    audit_record(actor=actor, action=f"campaign.{action}", obj=campaign, data={"from": old, "to": campaign.status})
    return campaign


# ---------------------------------------------------------------- checks


def checklist_items(campaign):
    """The campaign's checklist items as they read now (what a new check copies)."""
    if not campaign.checklist_id:
        return []
    return list(campaign.checklist.items.select_related("criteria_item").order_by("sort", "id"))


def _clean_results(items, raw, errors):
    """[(item, result, note)] of every checklist item; each needs a result."""
    raw = raw or {}
    out = []
    for number, item in enumerate(items, start=1):
        given = raw.get(str(item.pk)) or raw.get(item.pk) or {}
        if isinstance(given, str):
            given = {"result": given}
        result = str(given.get("result") or "").strip()
        note = str(given.get("note") or "").strip()
        if result not in Result.values:
            errors.append(
                (f"item_{item.pk}", f"检查表第{number}项“{item.text[:30]}”未填写检查结果（合格/不合格/不适用）。")
            )
            continue
        out.append((item, result, note))
    return out


def _check_date(value, campaign, today, errors):
    if value in (None, ""):
        day = today
    else:
        try:
            day = value if isinstance(value, date) else cn_date(value)
        except ValueError:
            day = None
        if day is None:
            errors.append(("date", f"检查日期“{value}”不是有效日期（格式：2024-06-30）。"))
            return None
    if day > today:
        errors.append(("date", "检查日期不能晚于今天。"))
    elif not campaign.start_date <= day <= campaign.end_date:
        errors.append(("date", f"检查日期 {day} 不在专项整治期间（{campaign.start_date} 至 {campaign.end_date}）内。"))
    return day


def _ensure_open(actor, campaign):
    ensure_capability(actor, "campaign.check", "您的角色无权登记专项整治检查。", system=False)
    if not Campaign.objects.for_user(actor).filter(pk=campaign.pk).exists():
        raise ScopeError()
    # read under a row lock: the campaign is neither closed nor re-dated while a check of it is written
    current = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if current.status == Status.DRAFT:
        raise ApplicationError(f"专项整治“{current.name}”尚未启动（草稿），不能登记检查。")
    if current.status == Status.CLOSED:
        raise ApplicationError(f"专项整治“{current.name}”已结束，不能再登记检查。")
    return current


def default_unit_name(actor):
    """The checking unit as the ledger names it: the actor's unit, else (grid staff) the village's 网格员."""
    if actor.unit_id:
        return actor.unit.name
    return f"{actor.region.name}网格员" if actor.region_id else ""


def _clean_check(actor, campaign, data, *, today, items, target=None):
    """The check's values, or ApplicationError with every problem found (field, message)."""
    errors = []
    if target is None:
        key = data.get("target") or (
            f"e{data['enterprise']}" if data.get("enterprise") else f"p{data['place']}" if data.get("place") else ""
        )
        target, problem = find_target(campaign, actor, key)
        if target is None:
            errors.append(("target", problem))
    day = _check_date(data.get("date"), campaign, today, errors)
    checker = _text(data, "checker", 100) or actor.display_name
    values, value_errors = cols.parse_values(campaign.columns, data.get("values") or {})
    errors += value_errors
    results = _clean_results(items, data.get("results"), errors) if items is not None else []
    if errors:
        fail(errors)
    unit = actor.unit if actor.unit_id else None
    unit_name = _text(data, "unit_name", 100) or default_unit_name(actor)
    return {
        "target": target,
        "date": day,
        "checker": checker,
        "unit": unit,
        "unit_name": unit_name,
        "values": values,
        "note": _text(data, "note"),
        "results": results,
        "report_hazards": data.get("report_hazards", True) not in (False, "0", "false", ""),
    }


def _findings(campaign, clean):
    """[(description, item or None)] the check found: each failed checklist item, and the problem the
    extra columns record."""
    found = []
    for item, result, note in clean["results"]:
        if result == Result.FAIL:
            text = finding_text(item.text, note) if note else f"不符合检查要求：{item.text.strip()}"
            found.append((text, item))
    problem = cols.problem_description(campaign.columns, clean["values"])
    if problem:
        found.append((problem, None))
    return found


def _report(actor, campaign, check, description, item, today):
    target = check.target
    data = {
        "channel": Channel.SUPERVISION,
        "description": description if len(description) >= 4 else f"专项检查发现：{description}",
        "found_date": check.date,
        "found_by": check.checker,
        "source_ref": f"专项整治“{campaign.name}”"[:100],
        "remarks": f"{campaign.name}（检查记录 {check.pk}）",
    }
    if item is not None and item.criteria_item_id:
        data.update(level=Level.MAJOR, criteria_item=item.criteria_item_id)
    if check.enterprise_id:
        data["enterprise"] = target.pk
    else:
        data["place"] = target.pk
        data["industry"] = campaign.place_industry_id
        if not campaign.place_industry_id:
            raise ApplicationError("专项整治未设定场所隐患所属的行业领域，不能为场所登记隐患，请先修改专项整治。")
    try:
        return hazard_report(actor=actor, data=data, today=today)
    except ScopeError:
        # a department checking a place whose hazards belong to an industry it does not supervise
        industry = campaign.place_industry.name if campaign.place_industry_id else ""
        raise ApplicationError(
            f"发现的问题将登记为“{industry}”行业的隐患，不在您的监管行业范围内，未保存。"
            "可取消勾选“登记为隐患”后提交检查，再请属地安委办或该行业监管部门登记隐患。"
        ) from None


def _write_check(actor, campaign, clean, *, items_copied, files, today):
    target = clean["target"]
    is_enterprise = target.__class__.__name__ == "Enterprise"
    check = CampaignCheck.objects.create(
        campaign=campaign,
        enterprise=target if is_enterprise else None,
        place=None if is_enterprise else target,
        region_id=target.region_id,
        industry_id=target.industry_id if is_enterprise else None,
        date=clean["date"],
        checker=clean["checker"],
        unit=clean["unit"],
        unit_name=clean["unit_name"],
        checklist_name=campaign.checklist.name if items_copied and campaign.checklist_id else "",
        values=clean["values"],
        note=clean["note"],
        created_by=actor,
    )
    if not scope_allows(actor, check):
        raise ScopeError("该检查对象不在您的管辖范围内，未保存。")
    rows = {
        item.pk: CampaignCheckItem(
            campaign_check=check,
            sort=index,
            criteria_item_id=item.criteria_item_id,
            text=item.text,
            method=item.method,
            result=result,
            note=note,
        )
        for index, (item, result, note) in enumerate(clean["results"], start=1)
    }
    CampaignCheckItem.objects.bulk_create(rows.values())
    for upload in files:
        store_upload(
            CampaignPhoto(campaign_check=check, uploaded_by=actor),
            upload,
            size_rule="campaign.attachment_max_mb",
            region_code=check.region_id,
        )
    hazards = []
    if clean["report_hazards"]:
        for description, item in _findings(campaign, clean):
            hazard = _report(actor, campaign, check, description, item, today)
            hazards.append(hazard)
            if item is not None:
                CampaignCheckItem.objects.filter(pk=rows[item.pk].pk).update(hazard=hazard)
        check.hazards.add(*hazards)
    audit_record(
        actor=actor,
        action="campaign.check",
        obj=check,
        data={
            "campaign": campaign.pk,
            "target": check.target_key,
            "date": check.date,
            "values": check.values,
            "failed": sum(1 for _, r, _ in clean["results"] if r == Result.FAIL),
            "hazards": [h.number for h in hazards],
        },
    )
    return check


@transaction.atomic
def check_record(*, actor, campaign, data, files=(), today=None):
    """Record one check of an active campaign. `data`: target ("e12"/"p7", or enterprise / place ids),
    date (default today), checker, unit_name, values {column key: value}, results {checklist item id:
    {"result": pass/fail/na, "note"}}, note, report_hazards (default True). `files`: photos.

    Findings (failed items; the problem the extra columns record) become hazards through
    `hazard_report` (channel 督导检查), linked to the check. Any refusal writes nothing."""
    today = today or timezone.localdate()
    campaign = _ensure_open(actor, campaign)
    items = checklist_items(campaign)
    clean = _clean_check(actor, campaign, data, today=today, items=items)
    return _write_check(actor, campaign, clean, items_copied=True, files=files, today=today)


# ---------------------------------------------------------------- import


IGNORED_HEADERS = {"序号", "发现隐患数", "已整改销号数"}


def _header_fields(campaign, headers):
    """({column index: field}, [unknown header texts]) of a header row."""
    fixed, extra = _FIXED_HEADERS, {c["label"]: c["key"] for c in campaign.columns}
    mapping, unknown = {}, []
    for index, header in enumerate(headers):
        text = str(header or "").strip().replace("*", "").replace("＊", "")
        if not text or text in IGNORED_HEADERS:
            continue
        if text in fixed:
            mapping[index] = fixed[text]
        elif text in extra:
            mapping[index] = ("col", extra[text])
        else:
            unknown.append(text)
    return mapping, unknown


_FIXED_HEADERS = {
    "对象名称": "name",
    "所在区划": "region",
    "检查日期": "date",
    "检查单位": "unit_name",
    "检查人": "checker",
    "备注": "note",
}


def _header_map(campaign, headers):
    """{column index: field} from the sheet's header row, or ApplicationError naming what is missing."""
    fixed = _FIXED_HEADERS
    mapping, unknown = _header_fields(campaign, headers)
    present = set(mapping.values())
    missing = [label for label, field in fixed.items() if field in ("name", "date") and field not in present]
    missing += [c["label"] for c in campaign.columns if c.get("required") and ("col", c["key"]) not in present]
    problems = []
    if missing:
        problems.append(f"缺少列：{'、'.join(missing)}")
    if unknown:
        problems.append(f"无法识别的列：{'、'.join(unknown)}（应与本专项整治的台账列一致，可下载导入模板）")
    if problems:
        raise ApplicationError("；".join(problems) + "。未导入任何数据。")
    return mapping


def _target_index(campaign, actor):
    """{name: [(key, region_id, region text)]} of the targets the actor may check."""
    from .selectors import region_names

    enterprises, places = target_querysets(campaign, actor)
    rows = [("e", *r) for r in enterprises.values_list("pk", "name", "region_id")]
    rows += [("p", *r) for r in places.values_list("pk", "name", "region_id")]
    names = region_names(r[3] for r in rows)
    index = {}
    for kind, pk, name, region_id in rows:
        index.setdefault(name.strip(), []).append((f"{kind}{pk}", region_id, names.get(region_id, "")))
    return index


@transaction.atomic
def check_import(*, actor, campaign, source, filename="", today=None, sheets=None):
    """Import checks from a sheet in the ledger's columns (对象名称, 所在区划, 检查日期, 检查单位, 检查人,
    the campaign's columns, 备注). Targets are found by name among the campaign's targets in the actor's
    scope (所在区划 tells apart two of the same name). Every row is checked first; any error (each
    with its row number) and nothing is written. Imported checks carry no checklist results. `sheets`, a list, is
    filled with the sheets read and left out (`core.excel.read_table`)."""
    from zhiben.core.excel import read_table

    today = today or timezone.localdate()
    campaign = _ensure_open(actor, campaign)
    _, headers, body = read_table(
        source, filename=filename, columns=lambda headers: _header_fields(campaign, headers)[0], sheets=sheets
    )
    mapping = _header_map(campaign, headers)
    index = _target_index(campaign, actor)
    cleaned, errors = [], []
    for row_number, cells in body:
        data = {"values": {}}
        for col, field in mapping.items():
            value = cells[col] if col < len(cells) else ""
            if isinstance(field, tuple):
                data["values"][field[1]] = value
            else:
                data[field] = value
        row_errors = []
        name = str(data.get("name") or "").strip()
        candidates = index.get(name, [])
        region_text = str(data.get("region") or "").strip()
        if len(candidates) > 1 and region_text:
            candidates = [c for c in candidates if region_text and (region_text in c[2] or c[2] in region_text)]
        target = None
        if not name:
            row_errors.append("对象名称为空")
        elif not candidates:
            row_errors.append(f"“{name}”不是本专项整治在您管辖范围内的排查对象")
        elif len(candidates) > 1:
            row_errors.append(f"“{name}”有 {len(candidates)} 个同名对象，请在“所在区划”列写明村社区")
        else:
            target, _ = find_target(campaign, actor, candidates[0][0])
        if not data.get("date"):
            row_errors.append("检查日期为空")
        try:
            clean = _clean_check(actor, campaign, data, today=today, items=None, target=target or object())
        except ApplicationError as exc:
            row_errors += [e["message"].rstrip("。") for e in exc.errors] or [exc.message]
            clean = None
        if row_errors:
            errors.append({"row": row_number, "message": f"第{row_number}行：{'；'.join(row_errors)}。"})
        else:
            cleaned.append((row_number, clean))
    if errors:
        raise ApplicationError(
            f"导入未完成：{len(errors)} 行有错误，未写入任何数据。" + " ".join(e["message"] for e in errors[:20]),
            errors=errors,
        )
    checks = []
    for row_number, clean in cleaned:
        try:
            checks.append(_write_check(actor, campaign, clean, items_copied=False, files=(), today=today))
        except ApplicationError as exc:
            raise ApplicationError(
                f"第{row_number}行：{exc.message} 未写入任何数据。",
                errors=[{"row": row_number, "message": exc.message}],
            ) from exc
    return checks
