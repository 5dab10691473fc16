"""Importing further 判定标准 catalogues from a table: one row per item, all or nothing.

A new version of a standard is a new (code, version) pair: cited items of older versions stay as they were.
"""

from datetime import date

from django.db import transaction

from zhiben.core.exceptions import ApplicationError

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


@transaction.atomic
def criteria_import(*, headers, rows):
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
        parsed.append((values, effective))
    if errors:
        raise ApplicationError(f"导入失败：{len(errors)} 处错误，未写入任何数据。", errors=errors)
    standards, new_standards, items = {}, 0, 0
    for sort, (values, effective) in enumerate(parsed, start=1):
        key = (values["code"], values["version"])
        if key not in standards:
            standard, created = CriteriaStandard.objects.get_or_create(
                code=values["code"],
                version=values["version"],
                defaults={
                    "name": values["name"],
                    "doc_number": values.get("doc_number", ""),
                    "effective_date": effective,
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
    return {"standards": len(standards), "new_standards": new_standards, "items": items}
