"""Writes to the enterprise registry: create, update and Excel import share one set of field rules."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from zhiben.audit.services import audit_entry, audit_record, audit_record_many, changes
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import assert_in_scope, in_subtree
from zhiben.regions.models import Industry, Region

from .choices import Scale, StandardGrade, Status
from .models import Enterprise
from .validators import credit_code_error, normalize_credit_code

# field → (Chinese label, kind). Order is the export/template column order.
FIELDS = {
    "credit_code": ("统一社会信用代码", "credit_code"),
    "name": ("单位名称", "text:200:required"),
    "region": ("所在区划代码", "region"),
    "address": ("地址", "text:300"),
    "industry": ("监管行业", "industry"),
    "economic_code": ("国民经济行业代码", "text:5"),
    "high_risk": ("高危企业", "bool"),
    "directly_supervised": ("重点监管", "bool"),
    "scale": ("规模", "choice:Scale"),
    "employees": ("从业人数", "int"),
    "principal": ("主要负责人", "text:50"),
    "principal_phone": ("主要负责人电话", "phone"),
    "controller": ("实际控制人", "text:50"),
    "controller_phone": ("实际控制人电话", "phone"),
    "safety_manager": ("安全管理人员", "text:50"),
    "safety_manager_phone": ("安全管理人员电话", "phone"),
    "standard_grade": ("标准化等级", "choice:StandardGrade"),
    "liability_insurance": ("已投保安责险", "bool"),
    "status": ("经营状态", "choice:Status"),
    "longitude": ("经度", "decimal:-180:180"),
    "latitude": ("纬度", "decimal:-90:90"),
    "remarks": ("备注", "text:2000"),
}
CHOICES = {"Scale": Scale, "StandardGrade": StandardGrade, "Status": Status}
TRUE_WORDS = {"是", "1", "true", "yes", "y", "√", "有", "已投保", "高危"}
FALSE_WORDS = {"否", "0", "false", "no", "n", "", "无", "未投保", "×"}


class Lookups:
    """Regions and industries loaded once per batch, so validating 10,000 rows costs two queries."""

    def __init__(self, region_codes=None):
        self.industries = {}
        for industry in Industry.objects.all():
            self.industries[industry.name] = industry
            self.industries[industry.code] = industry
        qs = Region.objects.all() if region_codes is None else Region.objects.filter(code__in=set(region_codes))
        self.regions = set(qs.values_list("code", flat=True))


def _clean_value(field, kind, raw, lookups, actor):
    """Return (value, error message or None) for one cell."""
    from zhiben.regions.services import normalize_code

    text = raw.strip() if isinstance(raw, str) else raw
    label = FIELDS[field][0]
    if kind == "credit_code":
        code = normalize_credit_code(text)
        return code, credit_code_error(code)
    if kind.startswith("text"):
        _, length, *flags = kind.split(":")
        text = (text or "").strip() if isinstance(text, str) else ("" if text is None else str(text))
        if "required" in flags and not text:
            return text, f"{label}不能为空。"
        if len(text) > int(length):
            return text, f"{label}过长：最多{length}字，当前{len(text)}字。"
        return text, None
    if kind == "region":
        code = normalize_code(text)
        if not code:
            return None, f"区划代码“{text}”无效：应为6、9或12位数字。" if text else "所在区划代码不能为空。"
        if code not in lookups.regions:
            return None, f"区划代码 {code} 不存在。"
        if actor is not None and not actor.is_superuser and not (actor.region_id and in_subtree(code, actor.region_id)):
            return None, f"区划 {code} 不在您的管辖范围内。"
        return code, None
    if kind == "industry":
        industry = lookups.industries.get((text or "").strip()) if text else None
        if industry is None:
            return None, f"监管行业“{text}”不存在，可选：{'、'.join(sorted({i.name for i in lookups.industries.values()}))}。" if text else "监管行业不能为空。"
        if actor is not None and actor.limited_to_domains and industry.id not in actor.domain_ids:
            return None, f"监管行业“{industry.name}”不在您单位的监管范围内。"
        return industry, None
    if kind == "bool":
        if isinstance(text, bool):
            return text, None
        word = str(text or "").strip().lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, f"{label}应填“是”或“否”，实际为“{text}”。"
    if kind.startswith("choice"):
        enum = CHOICES[kind.split(":")[1]]
        word = str(text or "").strip()
        for value, display in enum.choices:
            if word in (value, display):
                return value, None
        if not word and (field != "status"):
            return "", None
        if not word:
            return Status.OPERATING, None
        return None, f"{label}“{word}”无效，可选：{'、'.join(d for v, d in enum.choices if d)}。"
    if kind == "int":
        if text in (None, ""):
            return None, None
        try:
            number = int(float(str(text).strip()))
        except ValueError:
            return None, f"{label}应为整数，实际为“{text}”。"
        if number < 0:
            return None, f"{label}不能为负数。"
        return number, None
    if kind == "phone":
        value = str(text or "").strip().replace(" ", "").replace("-", "")
        if value and (not value.lstrip("+").isdigit() or not 7 <= len(value) <= 15):
            return None, f"{label}“{text}”不是有效的电话号码。"
        return value, None
    if kind.startswith("decimal"):
        _, low, high = kind.split(":")
        if text in (None, ""):
            return None, None
        try:
            number = Decimal(str(text).strip())
        except InvalidOperation:
            return None, f"{label}应为数字，实际为“{text}”。"
        if not Decimal(low) <= number <= Decimal(high):
            return None, f"{label}应在 {low} 到 {high} 之间。"
        return number.quantize(Decimal("0.000001")), None
    raise AssertionError(kind)


def enterprise_clean(data, *, lookups, actor, partial=False):
    """Validate a dict of raw values → (cleaned dict, [(field, message)])."""
    cleaned, errors = {}, []
    for field, (label, kind) in FIELDS.items():
        if field not in data:
            if partial:
                continue
            data = {**data, field: ""}
        value, error = _clean_value(field, kind, data[field], lookups, actor)
        if error:
            errors.append((field, error))
        else:
            cleaned[field] = value
    return cleaned, errors


def _model_values(cleaned):
    values = dict(cleaned)
    if "region" in values:
        values["region_id"] = values.pop("region")
    return values


def _snapshot(enterprise):
    return {f: (getattr(enterprise, "region_id") if f == "region" else getattr(enterprise, f) if f != "industry" else enterprise.industry.code) for f in FIELDS}


def _require(actor, capability):
    if actor is not None and not actor.can(capability):
        raise ApplicationError("您的角色无权进行此操作。", code="forbidden")


@transaction.atomic
def enterprise_create(*, actor, data):
    _require(actor, "enterprise.add")
    cleaned, errors = enterprise_clean(data, lookups=Lookups([_code_of(data)]), actor=actor)
    if not errors and Enterprise.objects.filter(credit_code=cleaned["credit_code"]).exists():
        errors.append(("credit_code", f"统一社会信用代码 {cleaned['credit_code']} 已登记，不能重复。"))
    if errors:
        raise ApplicationError("；".join(m for _, m in errors), errors=[{"field": f, "message": m} for f, m in errors])
    enterprise = Enterprise.objects.create(created_by=actor, **_model_values(cleaned))
    if actor is not None:
        assert_in_scope(actor, enterprise)
    audit_record(actor=actor, action="enterprise.create", obj=enterprise, data={"after": _snapshot(enterprise)})
    return enterprise


def _code_of(data):
    from zhiben.regions.services import normalize_code

    return normalize_code(data.get("region"))


@transaction.atomic
def enterprise_update(*, actor, enterprise, data):
    """Change the fields given in `data`; refuses to move the enterprise out of the actor's scope."""
    _require(actor, "enterprise.change")
    if actor is not None:
        assert_in_scope(actor, enterprise)
    locked = Enterprise.objects.select_for_update().select_related("industry").get(pk=enterprise.pk)
    before = _snapshot(locked)
    cleaned, errors = enterprise_clean(data, lookups=Lookups([_code_of(data)] if "region" in data else []), actor=actor, partial=True)
    if "credit_code" in cleaned and cleaned["credit_code"] != locked.credit_code:
        if Enterprise.objects.filter(credit_code=cleaned["credit_code"]).exclude(pk=locked.pk).exists():
            errors.append(("credit_code", f"统一社会信用代码 {cleaned['credit_code']} 已被其他单位使用。"))
    if errors:
        raise ApplicationError("；".join(m for _, m in errors), errors=[{"field": f, "message": m} for f, m in errors])
    for name, value in _model_values(cleaned).items():
        setattr(locked, name, value)
    locked.save()
    if actor is not None:
        assert_in_scope(actor, locked)
    diff = changes(before, _snapshot(locked))
    if diff:
        audit_record(actor=actor, action="enterprise.update", obj=locked, data={"changes": diff})
    return locked


@transaction.atomic
def enterprise_import(*, actor, rows, source_name=""):
    """Create enterprises from already-mapped rows: [(row_number, {field: raw value}, {field: column label})].

    All rows are validated first (two lookup queries in all); any error aborts with every error
    listed by row and column, and nothing is written. Otherwise one bulk insert and one bulk audit.
    """
    _require(actor, "enterprise.import")
    lookups = Lookups(_code_of(values) for _, values, _ in rows)
    errors, cleaned_rows, seen = [], [], {}
    for row_no, values, columns in rows:
        cleaned, row_errors = enterprise_clean(values, lookups=lookups, actor=actor)
        for field, message in row_errors:
            errors.append({"row": row_no, "column": columns.get(field, FIELDS[field][0]), "message": message})
        code = cleaned.get("credit_code")
        if code:
            if code in seen:
                errors.append({"row": row_no, "column": columns.get("credit_code", "统一社会信用代码"),
                               "message": f"统一社会信用代码 {code} 与第 {seen[code]} 行重复。"})
            else:
                seen[code] = row_no
        if not row_errors:
            cleaned_rows.append((row_no, cleaned))
    existing = set()
    codes = list(seen)
    for start in range(0, len(codes), 900):
        existing.update(Enterprise.objects.filter(credit_code__in=codes[start:start + 900]).values_list("credit_code", flat=True))
    for code in existing:
        errors.append({"row": seen[code], "column": "统一社会信用代码", "message": f"统一社会信用代码 {code} 已登记，不能重复导入。"})
    if errors:
        errors.sort(key=lambda e: (e["row"], e["column"]))
        raise ApplicationError(f"导入失败：共 {len(errors)} 处错误，未写入任何数据。", errors=errors)
    objects = [Enterprise(created_by=actor, **_model_values(cleaned)) for _, cleaned in cleaned_rows]
    Enterprise.objects.bulk_create(objects, batch_size=1000)
    if objects and objects[0].pk is None:  # backends that do not return ids from bulk inserts
        ids = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "id"))
        for obj in objects:
            obj.pk = ids[obj.credit_code]
    entries = [
        audit_entry(actor=actor, action="enterprise.import", object_type="enterprises.enterprise", object_id=e.pk,
                    object_repr=e.name, region_code=e.region_id, data={"source": source_name, "row": row_no, "credit_code": e.credit_code})
        for (row_no, _), e in zip(cleaned_rows, objects)
    ]
    audit_record_many(entries)
    return {"created": len(objects)}
