"""Writes to the jurisdiction tree and to units. Each service checks capability and scope and audits itself."""

import re

from django.db import transaction

from zhiben.audit.services import audit_entry, audit_record, audit_record_many, changes
from zhiben.core.exceptions import ApplicationError
from zhiben.core.memo import clear_process_caches
from zhiben.core.scoping import LEVEL_PREFIX, assert_in_scope, code_level, normalize_code
from zhiben.core.services import actor_covers as _in_actor_scope
from zhiben.core.services import ensure_capability as _require
from zhiben.core.services import fail as _fail

from .choices import Level, UnitKind
from .models import Region, Unit


def parent_code(code):
    level = code_level(code)
    if level == 1:
        return None
    keep = LEVEL_PREFIX[level - 1]
    return code[:keep].ljust(12, "0")


@transaction.atomic
def region_import(*, actor, rows, columns=None):
    """Create or rename regions from (row_number, code, name) triples, all or nothing.

    Each code must be 2/4/6/9/12 digits (padded to 12) and lie in the actor's jurisdiction; its parent
    must exist (in the database or anywhere in the file) and sit exactly one level up, so a village code
    cannot hang under a county through a 000 town segment; names must not be empty; a code may appear
    once. Errors name the row and the file's column. `actor` None is the system (command line).
    """
    _require(actor, "region.import", "只有系统管理员可以导入行政区划。")
    columns = {"code": "区划代码", "name": "名称", **(columns or {})}
    errors, parsed = [], []

    def error(row_no, field, message):
        errors.append({"row": row_no, "column": columns[field], "message": message})

    for row_no, raw_code, raw_name in rows:
        code, name = normalize_code(raw_code), str(raw_name or "").strip()
        if not code:
            error(
                row_no,
                "code",
                f"区划代码“{raw_code}”无效：应为2、4、6、9或12位数字。"
                if str(raw_code or "").strip()
                else "区划代码不能为空。",
            )
            continue
        if not name:
            error(row_no, "name", "名称不能为空。")
            continue
        if len(name) > 100:
            error(row_no, "name", f"名称过长：最多100字，当前{len(name)}字。")
            continue
        if not _in_actor_scope(actor, code):
            error(row_no, "code", f"区划代码 {code} 不在您的管辖范围内。")
            continue
        parsed.append((row_no, code, name))
    seen = {}
    for row_no, code, _name in sorted(parsed, key=lambda item: item[0]):
        if code in seen:
            error(row_no, "code", f"区划代码 {code} 与第 {seen[code]} 行重复。")
        else:
            seen[code] = row_no
    existing = Region.objects.in_bulk(list(seen))
    known = set(seen)
    parents = {parent_code(code) for code in seen} - known - {None}
    known |= set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
    for code, row_no in seen.items():
        parent = parent_code(code)
        if parent is None:
            continue
        level, parent_level = code_level(code), code_level(parent)
        if parent_level != level - 1:
            error(
                row_no,
                "code",
                f"区划代码 {code} 层级不一致：按{Level(level).label}代码，其上级段 {parent} 应为"
                f"{Level(level - 1).label}，实际为{Level(parent_level).label}（代码中间段不能为全0）。",
            )
        elif parent not in known:
            error(row_no, "code", f"上级区划 {parent} 不存在：请先导入上级，或检查代码。")
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ApplicationError(f"导入失败：{len(errors)} 处错误，未写入任何数据。", errors=errors)
    created, renamed = [], []
    for row_no, code, name in sorted(parsed, key=lambda item: item[1]):
        if seen.get(code) != row_no:
            continue
        if code in existing:
            if existing[code].name != name:
                existing[code].name = name
                renamed.append(existing[code])
        else:
            created.append(Region(code=code, name=name, level=code_level(code), parent_id=parent_code(code)))
    Region.objects.bulk_create(created, batch_size=1000)
    Region.objects.bulk_update(renamed, ["name"], batch_size=1000)
    clear_process_caches()  # bulk writes send no signals: the region tree and every list's region options
    audit_record_many(
        [
            audit_entry(
                actor=actor,
                action="region.import",
                object_type="regions.region",
                object_repr=f"导入区划 {len(created)} 新增 / {len(renamed)} 更名",
                region_code=(actor.region_id or "") if actor else "",
                data={
                    "created": len(created),
                    "renamed": len(renamed),
                    "rows": len(rows),
                    "renamed_codes": [r.code for r in renamed[:200]],
                },
            )
        ]
    )
    return {"created": len(created), "renamed": len(renamed), "unchanged": len(seen) - len(created) - len(renamed)}


# --- units ---

UNIT_FIELDS = ("name", "short_name", "aliases", "kind", "region", "doc_prefix", "is_active")


def normalize_aliases(text):
    """'应急局，应急办; 安监' → '应急局,应急办,安监' (one separator, no blanks, no repeats)."""
    parts = [p.strip() for p in re.split(r"[,，、;；\s]+", text or "")]
    return ",".join(dict.fromkeys(p for p in parts if p))


def _unit_snapshot(unit):
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "aliases": unit.aliases,
        "kind": unit.kind,
        "region": unit.region_id,
        "doc_prefix": unit.doc_prefix,
        "is_active": unit.is_active,
        "industries": sorted(unit.industries.values_list("code", flat=True)),
    }


def _unit_errors(*, actor, values, unit=None):
    errors = []
    if not values["name"]:
        errors.append(("name", "单位名称不能为空。"))
    if values["kind"] not in UnitKind.values:
        errors.append(("kind", f"单位类型“{values['kind']}”无效。"))
    region = values["region"]
    if region is None:
        errors.append(("region", "请选择所属区划。"))
    elif not _in_actor_scope(actor, region.code):
        errors.append(("region", f"区划“{region.name}”不在您的管辖范围内。"))
    elif values["name"]:
        clash = Unit.objects.filter(region=region, name=values["name"])
        if unit is not None:
            clash = clash.exclude(pk=unit.pk)
        if clash.exists():
            errors.append(("name", f"“{region.name}”已有名为“{values['name']}”的单位。"))
    prefix = values["doc_prefix"]
    if prefix and not re.fullmatch(r"[\u4e00-\u9fff]{1,20}", prefix):
        errors.append(("doc_prefix", "发文机关代字应为汉字，如“凤安办”。"))
    return errors


def _unit_values(data, unit=None):
    values = {field: data.get(field, getattr(unit, field) if unit is not None else None) for field in UNIT_FIELDS}
    for field in ("name", "short_name", "doc_prefix"):
        values[field] = (values[field] or "").strip()
    values["aliases"] = normalize_aliases(values["aliases"])
    values["kind"] = values["kind"] or UnitKind.DEPARTMENT
    values["is_active"] = True if values["is_active"] is None else bool(values["is_active"])
    return values


@transaction.atomic
def unit_create(*, actor, data):
    """Create a unit from `data` (name, short_name, aliases, kind, region, industries, doc_prefix, is_active)."""
    _require(actor, "unit.manage", "只有系统管理员可以维护单位。")
    values = _unit_values(data)
    errors = _unit_errors(actor=actor, values=values)
    if errors:
        _fail(errors)
    unit = Unit.objects.create(created_by=actor, **values)
    unit.industries.set(data.get("industries") or [])
    if actor is not None:
        assert_in_scope(actor, unit)
    audit_record(actor=actor, action="unit.create", obj=unit, data={"after": _unit_snapshot(unit)})
    return unit


@transaction.atomic
def unit_update(*, actor, unit, data):
    """Change the fields given in `data`; the unit cannot be moved out of the actor's jurisdiction."""
    _require(actor, "unit.manage", "只有系统管理员可以维护单位。")
    if actor is not None:
        assert_in_scope(actor, unit)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    before = _unit_snapshot(locked)
    values = _unit_values(data, locked)
    errors = _unit_errors(actor=actor, values=values, unit=locked)
    if errors:
        _fail(errors)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.save()
    if "industries" in data:
        locked.industries.set(data["industries"] or [])
    if actor is not None:
        assert_in_scope(actor, locked)
    diff = changes(before, _unit_snapshot(locked))
    if diff:
        audit_record(actor=actor, action="unit.update", obj=locked, data={"changes": diff})
    return locked
