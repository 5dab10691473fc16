"""The 判定标准 catalogues: who may see and cite which standard, and importing them from a table
(one row per item, all or nothing).

National standards (`region` empty) belong to the catalogue owner, a superuser (or the operator's
`import_criteria` command without --user): nobody else may add to them or rewrite their text. A town
or county 安委办 adds local standards (地方细则) under its own region; they apply to hazards in that
region's subtree and only that region may change them. A new version of a standard is a new
(code, version) pair: cited items of older versions stay as they were.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q

from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import region_chain, subtree_q

from .models import CriteriaItem, CriteriaPart, CriteriaStandard

COLUMNS = {
    "code": ("标准代码", True),
    "version": ("版本", True),
    "name": ("标准名称", True),
    "doc_number": ("文号", False),
    "effective_date": ("施行日期", False),
    "part": ("部分", False),
    "number": ("条款号", True),
    "text": ("条款内容", True),
}


# ---------------------------------------------------------------- who sees and cites what


def visible_q(user, field="region_id"):
    """Standards `user` may read: the national ones, the local ones of their region and its ancestors
    (those that apply to them) and of their subtree (what the jurisdiction below has added)."""
    if user.is_superuser:
        return Q()
    q = Q(**{f"{field}__isnull": True})
    if user.region_id:
        q |= Q(**{f"{field}__in": region_chain(user.region_id)}) | subtree_q(user.region_id, field)
    return q


def visible_standards(user):
    return CriteriaStandard.objects.filter(visible_q(user))


def visible_items(user):
    return CriteriaItem.objects.filter(visible_q(user, "standard__region_id"))


def applies_to_region(standard, region_code):
    """A national standard applies everywhere; a local one in its region's subtree only."""
    return standard.region_id is None or standard.region_id in region_chain(region_code)


def owner_region(actor):
    """The region under which `actor` keeps standards: None for the national catalogue (a superuser,
    or the system when `actor` is None), else the 安委办's own region."""
    if actor is None or actor.is_superuser:
        return None
    if not actor.can("rule.manage") or not actor.region_id:
        raise ApplicationError("只有安委办管理员可以导入本地判定标准细则。", code="forbidden")
    return actor.region_id


def _owner_name(standard):
    return "国家判定标准" if standard.region_id is None else f"{standard.region.name}制定的地方细则"


# ---------------------------------------------------------------- import


@transaction.atomic
def header_fields(headers):
    """The columns a header row names (how `read_table` finds the header of a criteria file)."""
    return {field for field, (label, _) in COLUMNS.items() if label in headers}


def criteria_import(*, actor, headers, rows, source_name=""):
    """Import standards and items (national for the catalogue owner, local under the actor's region),
    all or nothing; refuses rows of a standard that belongs to another owner. Audited."""
    from zhiben.audit.services import audit_record

    owner = owner_region(actor)
    index = {}
    for field, (label, required) in COLUMNS.items():
        if label in headers:
            index[field] = headers.index(label)
        elif required:
            raise ApplicationError(
                f"缺少必需的列“{label}”。", errors=[{"row": 1, "column": label, "message": "缺少该列"}]
            )
    errors, parsed, seen = [], [], set()
    for row_no, cells in rows:
        values = {f: (cells[i] if i < len(cells) else "").strip() for f, i in index.items()}
        for field, (label, required) in COLUMNS.items():
            if required and not values.get(field):
                errors.append({"row": row_no, "column": label, "message": f"{label}不能为空。"})
        effective = None
        if values.get("effective_date"):
            try:
                effective = date.fromisoformat(values["effective_date"][:10])
            except ValueError:
                errors.append(
                    {
                        "row": row_no,
                        "column": "施行日期",
                        "message": f"施行日期“{values['effective_date']}”无效（格式 2024-01-31）。",
                    }
                )
        key = (values.get("code"), values.get("version"), values.get("number"))
        if key in seen:
            errors.append(
                {"row": row_no, "column": "条款号", "message": f"条款 {values.get('number')} 在同一标准版本中重复。"}
            )
        seen.add(key)
        parsed.append((row_no, values, effective))
    existing = {}
    for row_no, values, _ in parsed:
        key = (values.get("code"), values.get("version"))
        if key not in existing:
            existing[key] = (
                CriteriaStandard.objects.select_related("region").filter(code=key[0], version=key[1]).first()
            )
        standard = existing[key]
        if standard is not None and standard.region_id != owner:
            errors.append(
                {
                    "row": row_no,
                    "column": "标准代码",
                    "message": f"标准 {key[0]} 版本 {key[1]} 是{_owner_name(standard)}，您不能增改其条款；"
                    "本地细则请以本地的标准代码导入。",
                }
            )
    if errors:
        raise ApplicationError(f"导入失败：{len(errors)} 处错误，未写入任何数据。", errors=errors)
    standards, new_standards, items = {}, 0, 0
    for sort, (_row_no, values, effective) in enumerate(parsed, start=1):
        key = (values["code"], values["version"])
        if key not in standards:
            standard, created = CriteriaStandard.objects.get_or_create(
                code=values["code"],
                version=values["version"],
                defaults={
                    "name": values["name"],
                    "doc_number": values.get("doc_number", ""),
                    "effective_date": effective,
                    "region_id": owner,
                },
            )
            if (
                not created
                and standard.items.filter(hazards__isnull=False).exists()
                and standard.name != values["name"]
            ):
                raise ApplicationError(
                    f"标准 {values['code']} 版本 {values['version']} 已被隐患引用，不能修改，请以新版本号导入。"
                )
            standards[key] = standard
            new_standards += created
        standard = standards[key]
        part = None
        if values.get("part"):
            part, _ = CriteriaPart.objects.get_or_create(
                standard=standard, title=values["part"], defaults={"sort": sort}
            )
        item, created = CriteriaItem.objects.get_or_create(
            standard=standard, number=values["number"], defaults={"text": values["text"], "part": part, "sort": sort}
        )
        if not created and item.text != values["text"]:
            if item.hazards.exists():
                raise ApplicationError(f"条款 {values['number']} 已被隐患引用，内容不能修改，请以新版本号导入该标准。")
            item.text, item.part = values["text"], part
            item.save(update_fields=["text", "part"])
        items += 1
    outcome = {"standards": len(standards), "new_standards": new_standards, "items": items}
    audit_record(
        actor=actor,
        action="criteria.import",
        object_type="hazards.criteriastandard",
        object_repr=(source_name or "判定标准导入")[:200],
        region_code=owner or "",
        data={**outcome, "region": owner or "全国"},
    )
    return outcome
