"""Writes to the enterprise registry: create, update, Excel import and export share one set of field rules."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import mul

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.audit.services import audit_record, audit_record_many, changes, import_entries
from zhiben.core.db import insert_rows_returning_ids
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import assert_in_scope, in_subtree, normalize_code, region_chain, scope_allows, scope_terms
from zhiben.core.services import ensure_capability as _require
from zhiben.core.services import fail as _fail
from zhiben.regions.choices import UnitKind
from zhiben.regions.models import Industry, Region, Unit

from .choices import Scale, StandardGrade, Status
from .models import Enterprise
from .validators import CHARSET, WEIGHTS, credit_code_error, normalize_credit_code
from .validators import VALUES as CODE_VALUES

# field → (Chinese label, kind). Order is the export/template column order.
FIELDS = {
    "credit_code": ("统一社会信用代码", "credit_code"),
    "name": ("单位名称", "text:200:required"),
    "region": ("所在区划代码", "region"),
    "address": ("地址", "text:300"),
    "industry": ("监管行业", "industry"),
    "economic_code": ("国民经济行业代码", "economic_code"),
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
MAX_EMPLOYEES = 10_000_000
DUPLICATE_RACE = "统一社会信用代码刚被其他用户登记，请刷新后重试。"
ECONOMIC_CODE = re.compile(r"^[A-T]?\d{2,4}$")


class Lookups:
    """Regions and industries loaded once per batch, so validating 10,000 rows costs two queries."""

    def __init__(self, region_codes=None):
        self.industries = {}
        for industry in Industry.objects.all():
            self.industries[industry.name] = industry
            self.industries[industry.code] = industry
        qs = Region.objects.all() if region_codes is None else Region.objects.filter(code__in=set(region_codes) - {""})
        self.regions = set(qs.values_list("code", flat=True))
        self._region_errors = {}

    def region_error(self, code, actor):
        """Why `code` cannot be used by `actor` (None if it can); remembered per code."""
        key = (code, actor.pk if actor is not None else None)
        if key not in self._region_errors:
            if code not in self.regions:
                error = f"区划代码 {code} 不存在。"
            elif (
                actor is not None
                and not actor.is_superuser
                and not (actor.region_id and in_subtree(code, actor.region_id))
            ):
                error = f"区划 {code} 不在您的管辖范围内。"
            else:
                error = None
            self._region_errors[key] = error
        return self._region_errors[key]


# --- one cleaner per field, built once: (raw value, lookups, actor) → (value, error or None) ---------


def _as_text(raw):
    return raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw).strip())


def _credit_code_cleaner(label):
    def clean(raw, lookups, actor):
        code = normalize_credit_code(_as_text(raw))
        return code, credit_code_error(code)

    return clean


def _text_cleaner(label, length, required=False):
    def clean(raw, lookups, actor):
        text = _as_text(raw)
        if not text:
            return text, f"{label}不能为空。" if required else None
        if len(text) > length:
            return text, f"{label}过长：最多{length}字，当前{len(text)}字。"
        return text, None

    return clean


def _region_cleaner(label):
    def clean(raw, lookups, actor):
        text = _as_text(raw)
        code = normalize_code(text)
        if not code:
            return None, f"区划代码“{text}”无效：应为6、9或12位数字。" if text else f"{label}不能为空。"
        error = lookups.region_error(code, actor)
        return (None, error) if error else (code, None)

    return clean


def _industry_cleaner(label):
    def clean(raw, lookups, actor):
        text = _as_text(raw)
        industry = lookups.industries.get(text) if text else None
        if industry is None:
            if not text:
                return None, f"{label}不能为空。"
            names = "、".join(
                sorted({i.name for i in lookups.industries.values()}, key=lambda n: lookups.industries[n].sort)
            )
            return None, f"监管行业“{text}”不存在，可选：{names}。"
        if actor is not None and actor.limited_to_domains and industry.id not in actor.domain_ids:
            return None, f"监管行业“{industry.name}”不在您单位的监管范围内。"
        return industry, None

    return clean


def _economic_code_cleaner(label):
    def clean(raw, lookups, actor):
        code = _as_text(raw).upper()
        if code and not ECONOMIC_CODE.match(code):
            return None, f"{label}“{code}”无效：应为门类字母加2至4位数字（GB/T 4754），如 C3311。"
        return code, None

    return clean


def _bool_cleaner(label):
    def clean(raw, lookups, actor):
        if isinstance(raw, bool):
            return raw, None
        word = _as_text(raw).lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, f"{label}应填“是”或“否”，实际为“{raw}”。"

    return clean


def _choice_cleaner(label, enum, default=""):
    words = {}
    for value, display in enum.choices:
        words[value] = words[str(display)] = value
    options = "、".join(str(d) for v, d in enum.choices if d)

    def clean(raw, lookups, actor):
        word = _as_text(raw)
        if word in words:
            return words[word], None
        if not word:
            return default, None
        return None, f"{label}“{word}”无效，可选：{options}。"

    return clean


def _int_cleaner(label):
    def clean(raw, lookups, actor):
        text = _as_text(raw)
        if not text:
            return None, None
        try:
            number = float(text)
        except ValueError:
            return None, f"{label}应为整数，实际为“{text}”。"
        if not number.is_integer():
            return None, f"{label}应为整数，实际为“{text}”。"
        if number < 0:
            return None, f"{label}不能为负数。"
        if number > MAX_EMPLOYEES:
            return None, f"{label}数值过大：{text}。"
        return int(number), None

    return clean


def _phone_cleaner(label):
    def clean(raw, lookups, actor):
        text = _as_text(raw)
        value = text.replace(" ", "").replace("-", "")
        if value and (not value.lstrip("+").isdigit() or not 7 <= len(value) <= 15):
            return None, f"{label}“{text}”不是有效的电话号码。"
        return value, None

    return clean


def _decimal_cleaner(label, low, high):
    low, high = Decimal(low), Decimal(high)

    def clean(raw, lookups, actor):
        text = _as_text(raw)
        if not text:
            return None, None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, f"{label}应为数字，实际为“{text}”。"
        if not number.is_finite() or not low <= number <= high:
            return None, f"{label}应在 {low} 到 {high} 之间。"
        return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), None

    return clean


def _cleaner(field, label, kind):
    name, *args = kind.split(":")
    if name == "text":
        return _text_cleaner(label, int(args[0]), required="required" in args)
    if name == "choice":
        return _choice_cleaner(label, CHOICES[args[0]], default=Status.OPERATING if field == "status" else "")
    if name == "decimal":
        return _decimal_cleaner(label, *args)
    return {
        "credit_code": _credit_code_cleaner,
        "region": _region_cleaner,
        "industry": _industry_cleaner,
        "economic_code": _economic_code_cleaner,
        "bool": _bool_cleaner,
        "int": _int_cleaner,
        "phone": _phone_cleaner,
    }[name](label)


CLEANERS = {field: _cleaner(field, label, kind) for field, (label, kind) in FIELDS.items()}


def enterprise_clean(data, *, lookups, actor, partial=False):
    """Validate a dict of raw values → (cleaned dict, [(field, message)]).

    Missing fields count as empty, unless `partial` (an update), when they are left out.
    """
    cleaned, errors = {}, []
    for field, clean in CLEANERS.items():
        if field in data:
            raw = data[field]
        elif partial:
            continue
        else:
            raw = ""
        value, error = clean(raw, lookups, actor)
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
    return {
        f: enterprise.region_id
        if f == "region"
        else enterprise.industry.code
        if f == "industry"
        else getattr(enterprise, f)
        for f in FIELDS
    }


def _region_of(data):
    return normalize_code(data.get("region"))


@transaction.atomic
def enterprise_create(*, actor, data):
    _require(actor, "enterprise.add")
    cleaned, errors = enterprise_clean(data, lookups=Lookups([_region_of(data)]), actor=actor)
    if not errors and Enterprise.objects.filter(credit_code=cleaned["credit_code"]).exists():
        errors.append(("credit_code", f"统一社会信用代码 {cleaned['credit_code']} 已登记，不能重复。"))
    if errors:
        _fail(errors)
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(created_by=actor, **_model_values(cleaned))
    except IntegrityError as exc:
        raise ApplicationError(DUPLICATE_RACE, errors=[{"field": "credit_code", "message": DUPLICATE_RACE}]) from exc
    if actor is not None:
        assert_in_scope(actor, enterprise)
    audit_record(actor=actor, action="enterprise.create", obj=enterprise, data={"after": _snapshot(enterprise)})
    return enterprise


# What the supervising side registers; other users who may edit the enterprise (its own users, grid
# workers, other departments) change its contacts and details, not these.
REGULATOR_FIELDS = (
    "credit_code",
    "name",
    "region",
    "industry",
    "high_risk",
    "directly_supervised",
    "status",
    "standard_grade",
)


def may_register(actor, enterprise):
    """May `actor` change what the regulator registers about `enterprise` (REGULATOR_FIELDS)? Only its
    supervising regulator: a department that supervises the enterprise's industry in its region or
    up the region chain (管行业必须管安全), or an 安委办管理员 whose jurisdiction holds it (or a superuser;
    None is the system)."""
    if actor is None:
        return True
    if not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.enterprise_id or not scope_allows(actor, enterprise):
        return False
    if actor.role == Role.COMMITTEE_ADMIN:
        return True
    if actor.role == Role.REGULATOR and actor.unit_id:
        return (
            Unit.objects.filter(
                pk=actor.unit_id,
                is_active=True,
                region_id__in=region_chain(enterprise.region_id),
                industries=enterprise.industry_id,
            )
            .exclude(kind=UnitKind.COMMITTEE_OFFICE)
            .exists()
        )
    return False


@transaction.atomic
def enterprise_update(*, actor, enterprise, data):
    """Change the fields given in `data`; refuses to move the enterprise out of the actor's scope."""
    _require(actor, "enterprise.change")
    if actor is not None:
        assert_in_scope(actor, enterprise)
    locked = Enterprise.objects.select_for_update().select_related("industry").get(pk=enterprise.pk)
    before = _snapshot(locked)
    cleaned, errors = enterprise_clean(
        data, lookups=Lookups([_region_of(data)] if "region" in data else []), actor=actor, partial=True
    )
    if not may_register(actor, locked):
        who = "企业用户" if actor.enterprise_id else "只有监管该行业的部门或本辖区安委办管理员可以修改，您"
        for field in REGULATOR_FIELDS:
            new = cleaned.get(field)
            if field in cleaned and (new.code if field == "industry" else new) != before[field]:
                errors.append((field, f"“{FIELDS[field][0]}”由监管部门登记维护，{who}不能修改。"))
    if "credit_code" in cleaned and cleaned["credit_code"] != locked.credit_code:
        if Enterprise.objects.filter(credit_code=cleaned["credit_code"]).exclude(pk=locked.pk).exists():
            errors.append(("credit_code", f"统一社会信用代码 {cleaned['credit_code']} 已被其他单位使用。"))
    if errors:
        _fail(errors)
    for name, value in _model_values(cleaned).items():
        setattr(locked, name, value)
    locked.save()
    if actor is not None:
        assert_in_scope(actor, locked)
    diff = changes(before, _snapshot(locked))
    if diff:
        audit_record(actor=actor, action="enterprise.update", obj=locked, data={"changes": diff})
    return locked


# Columns written by the import, in this order: FIELDS (FK fields by their column), then the BaseModel ones.
IMPORT_COLUMNS = [Enterprise._meta.get_field(f).column for f in FIELDS] + ["created_at", "updated_at", "created_by_id"]


def _ids_by_credit_code(codes, queryset=None):
    """{credit code: id} of the rows of `queryset` (default: all enterprises) with these codes. PostgreSQL takes
    the codes as one array parameter (an IN list of 10,000 placeholders costs ~0.3 s to compose); SQLite, which
    caps the placeholders of a statement, in chunks."""
    queryset = Enterprise.objects.all() if queryset is None else queryset
    if connection.vendor == "postgresql":
        column = f"{connection.ops.quote_name(Enterprise._meta.db_table)}.{connection.ops.quote_name('credit_code')}"
        matching = RawSQL(f"{column} = ANY(%s)", [list(codes)], output_field=BooleanField())
        return dict(queryset.filter(matching).values_list("credit_code", "id"))
    ids = {}
    for start in range(0, len(codes), 900):
        ids.update(queryset.filter(credit_code__in=codes[start : start + 900]).values_list("credit_code", "id"))
    return ids


# --- the import: each column cleaned in one pass, with the rules of CLEANERS -------------------------------


def _texts(raws):
    return [raw.strip() if raw.__class__ is str else _as_text(raw) for raw in raws]


def _memoised(clean):
    """A column cleaner from a cell cleaner, each distinct value cleaned once (regions, industries, yes/no,
    choices and head counts repeat; the result depends only on the value, the lookups and the actor). Values
    are told apart by type too: 1, 1.0 and True are not the same cell."""

    def column(raws, lookups, actor):
        seen, values, errors = {}, [], []
        for position, raw in enumerate(raws):
            key = (raw.__class__, raw)
            try:
                value, error = seen[key]
            except KeyError:
                value, error = seen[key] = clean(raw, lookups, actor)
            except TypeError:  # not hashable
                value, error = clean(raw, lookups, actor)
            values.append(value)
            if error:
                errors.append((position, error))
        return values, errors

    return column


def _text_column(clean, length, required):
    def column(raws, lookups, actor):
        values = _texts(raws)
        if (required and not all(values)) or max(map(len, values), default=0) > length:
            return values, [(p, e) for p, (_, e) in enumerate(clean(v, lookups, actor) for v in values) if e]
        return values, []

    return column


def _phone_column(clean):
    def column(raws, lookups, actor):
        values = [t.replace(" ", "").replace("-", "") for t in _texts(raws)]
        errors = []
        for position, value in enumerate(values):
            if value and not (7 <= len(value) <= 15 and value.lstrip("+").isdigit()):
                values[position], error = clean(raws[position], lookups, actor)
                errors.append((position, error))
        return values, errors

    return column


_CREDIT_CODE = re.compile(f"[{CHARSET}]{{18}}")


def _credit_code_column(clean):
    """Codes normalised as the cell cleaner does; the check character computed in C-level loops (map), and
    the cell cleaner's message for any code that fails it."""
    weights, value_of = WEIGHTS, CODE_VALUES.__getitem__

    def column(raws, lookups, actor):
        codes = [normalize_credit_code(t) for t in _texts(raws)]
        errors = []
        for position, code in enumerate(codes):
            if not (
                _CREDIT_CODE.fullmatch(code)
                and CHARSET[(31 - sum(map(mul, map(value_of, code[:17]), weights)) % 31) % 31] == code[17]
            ):
                _, error = clean(code, lookups, actor)
                errors.append((position, error))
        return codes, errors

    return column


def _column_cleaner(field, kind):
    clean = CLEANERS[field]
    name, *args = kind.split(":")
    if name == "text":
        return _text_column(clean, int(args[0]), "required" in args)
    if name == "phone":
        return _phone_column(clean)
    if name == "credit_code":
        return _credit_code_column(clean)
    return _memoised(clean)


COLUMN_CLEANERS = {field: _column_cleaner(field, kind) for field, (_, kind) in FIELDS.items()}


def _in_scope(actor, ids, cleaned):
    """The check after save for the whole batch, in memory (`scope_allows`, the rule `for_user` filters by):
    the credit codes of the rows `actor` could not see."""
    terms = scope_terms(actor, Enterprise)
    if terms is None:
        return list(cleaned["credit_code"])
    by_id = any(field == "id" for field, _, _ in terms)
    outside, judged = [], {}
    for position, (region, industry) in enumerate(zip(cleaned["region"], cleaned["industry"])):
        key = (region, industry.id, ids[position] if by_id else None)
        if key not in judged:
            judged[key] = scope_allows(actor, Enterprise(id=key[2], region_id=region, industry_id=industry.id))
        if not judged[key]:
            outside.append(cleaned["credit_code"][position])
    return outside


def _registered(codes, seen):
    """Errors for the codes of the file already in the registry."""
    errors = []
    for code in _ids_by_credit_code(codes):
        row_no, columns = seen[code]
        errors.append(
            {
                "row": row_no,
                "column": columns.get("credit_code", FIELDS["credit_code"][0]),
                "message": f"统一社会信用代码 {code} 已登记，不能重复导入。",
                "_at": len(FIELDS) + 1,
            }
        )
    return errors


def _refuse(errors):
    errors.sort(key=lambda e: (e["row"], e.pop("_at")))  # by row; within a row, columns in field order
    raise ApplicationError(f"导入失败：共 {len(errors)} 处错误，未写入任何数据。", errors=errors)


@transaction.atomic
def enterprise_import(*, actor, rows, source_name=""):
    """Create enterprises from already-mapped rows: [(row_number, {field: raw value}, {field: column name})].

    All rows are validated first, a column at a time (two lookup queries in all); any error aborts with
    every error listed by row and column, and nothing is written. Otherwise one bulk insert (the unique
    credit code refuses a code registered meanwhile, reported per row like the others) and the import's
    audit events, which list every row written (audit.services.import_entries).
    """
    _require(actor, "enterprise.import")
    lookups = Lookups(_region_of(values) for _, values, _ in rows)
    cleaned, errors, bad_codes = {}, [], set()
    for order, (field, column) in enumerate(COLUMN_CLEANERS.items()):
        cleaned[field], field_errors = column([values.get(field, "") for _, values, _ in rows], lookups, actor)
        for position, message in field_errors:
            row_no, _, columns = rows[position]
            errors.append(
                {"row": row_no, "column": columns.get(field, FIELDS[field][0]), "message": message, "_at": order}
            )
        if field == "credit_code":
            bad_codes = {position for position, _ in field_errors}
    seen = {}
    for position, code in enumerate(cleaned["credit_code"]):
        if position in bad_codes:
            continue
        row_no, _, columns = rows[position]
        if code in seen:
            errors.append(
                {
                    "row": row_no,
                    "column": columns.get("credit_code", FIELDS["credit_code"][0]),
                    "message": f"统一社会信用代码 {code} 与第 {seen[code][0]} 行重复。",
                    "_at": len(FIELDS),
                }
            )
        else:
            seen[code] = (row_no, columns)
    if errors:
        _refuse(errors + _registered(list(seen), seen))
    if not rows:
        raise ApplicationError("文件中没有可导入的数据行。")
    now = Enterprise._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    creator = actor.pk if actor is not None else None
    industries = [industry.id for industry in cleaned["industry"]]
    columns = [cleaned[f] if f != "industry" else industries for f in FIELDS]
    try:
        with transaction.atomic():
            ids = insert_rows_returning_ids(
                Enterprise, IMPORT_COLUMNS, [(*values, now, now, creator) for values in zip(*columns)]
            )
    except (IntegrityError, connection.Database.IntegrityError) as exc:  # COPY raises the driver's own error
        # a code already registered, or registered by another import a moment ago
        registered = _registered(list(seen), seen)
        if registered:
            _refuse(registered)
        raise ApplicationError(DUPLICATE_RACE) from exc
    # The check after save, for the whole batch: only rows the actor can see count as written.
    outside = _in_scope(actor, ids, cleaned) if actor is not None else []
    if outside:
        raise ApplicationError(
            f"导入的单位 {'、'.join(outside[:5])} 不在您的管辖范围内，已全部撤销。", code="out_of_scope"
        )
    audit_record_many(
        import_entries(
            actor=actor,
            action="enterprise.import",
            object_type="enterprises.enterprise",
            label="导入生产经营单位",
            source=source_name,
            columns=("row", "id", "credit_code"),
            records=[[row[0], key, code] for row, key, code in zip(rows, ids, cleaned["credit_code"])],
            regions=cleaned["region"],
        )
    )
    return {"created": len(rows)}


@transaction.atomic
def enterprise_export(*, actor, queryset, filters=None):
    """The .xlsx of `queryset` (what the list page shows, all pages), recorded in the audit log."""
    from .importers import export_xlsx

    _require(actor, "enterprise.export")
    count = queryset.count()
    content = export_xlsx(queryset)
    audit_record(
        actor=actor,
        action="enterprise.export",
        object_type="enterprises.enterprise",
        object_id="",
        object_repr=f"导出生产经营单位 {count} 家",
        region_code=actor.region_id or "" if actor else "",
        data={"filters": {k: v for k, v in (filters or {}).items() if v not in ("", None)}, "count": count},
    )
    return content
