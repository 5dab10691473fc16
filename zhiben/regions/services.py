"""Writes to the jurisdiction tree and to units."""

from django.db import transaction

from zhiben.audit.services import audit_entry, audit_record_many
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import LEVEL_PREFIX, code_level

from .models import Region


def normalize_code(value):
    """'500106' → '500106000000'; returns '' for anything that is not 2–12 digits."""
    text = str(value or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        return ""
    return text.ljust(12, "0")


def parent_code(code):
    level = code_level(code)
    if level == 1:
        return None
    keep = LEVEL_PREFIX[level - 1]
    return code[:keep].ljust(12, "0")


@transaction.atomic
def region_import(*, actor, rows):
    """Create or rename regions from (row_number, code, name) triples, all or nothing.

    Each code must be 2/4/6/9/12 digits, its parent must exist (in the database or earlier
    in the file), and names must not be empty. Errors name the row and column.
    """
    errors, parsed = [], []
    for row_no, raw_code, raw_name in rows:
        code, name = normalize_code(raw_code), str(raw_name or "").strip()
        if not code:
            errors.append({"row": row_no, "column": "区划代码", "message": f"区划代码“{raw_code}”无效：应为2、4、6、9或12位数字。"})
            continue
        if not name:
            errors.append({"row": row_no, "column": "名称", "message": "名称不能为空。"})
            continue
        parsed.append((row_no, code, name[:100]))
    known = set(Region.objects.values_list("code", flat=True))
    seen = {}
    for row_no, code, name in sorted(parsed, key=lambda item: item[1]):
        if code in seen:
            errors.append({"row": row_no, "column": "区划代码", "message": f"区划代码 {code} 与第 {seen[code]} 行重复。"})
            continue
        parent = parent_code(code)
        if parent is not None and parent not in known:
            errors.append({"row": row_no, "column": "区划代码", "message": f"上级区划 {parent} 不存在：请先导入上级，或检查代码。"})
            continue
        seen[code] = row_no
        known.add(code)
    if errors:
        raise ApplicationError(f"导入失败：{len(errors)} 处错误，未写入任何数据。", errors=sorted(errors, key=lambda e: e["row"]))
    existing = Region.objects.in_bulk([code for _, code, _ in parsed])
    created, renamed = [], []
    for _, code, name in sorted(parsed, key=lambda item: item[1]):
        if code in existing:
            if existing[code].name != name:
                existing[code].name = name
                renamed.append(existing[code])
        else:
            created.append(Region(code=code, name=name, level=code_level(code), parent_id=parent_code(code)))
    Region.objects.bulk_create(created, batch_size=1000)
    Region.objects.bulk_update(renamed, ["name"], batch_size=1000)
    audit_record_many([audit_entry(actor=actor, action="region.import", object_type="regions.region",
                                   object_repr=f"导入区划 {len(created)} 新增 / {len(renamed)} 更名",
                                   region_code=actor.region_id or "" if actor else "",
                                   data={"created": len(created), "renamed": len(renamed)})])
    return {"created": len(created), "renamed": len(renamed)}
