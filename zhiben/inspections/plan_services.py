"""Writes of the expert pool, inspector credentials (执法证), conflicts (回避) and inspection plans (create,
edit, confirm into planned inspections, publish). The draw itself is `draws.plan_draw`. Atomic, scoped,
audited; every bad input is refused in Chinese with nothing written."""

import re
import secrets

from django.db import transaction
from django.utils import timezone

from zhiben.accounts.models import User
from zhiben.audit.services import audit_record
from zhiben.core.cntext import DateError, parse_date
from zhiben.core.db import as_id, row_by_id
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import rule
from zhiben.core.scoping import normalize_code
from zhiben.core.services import ensure_capability, next_number
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.choices import Scale
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Industry, Region

from .choices import Kind, Status
from .draws import ALL, lock_plan
from .models import Conflict, Expert, Inspection, InspectionPlan, InspectorCredential

EXCLUDE_DAYS_RULE = "inspection.draw_exclude_days"
MIN_ENFORCEMENT_TEAM = 2  # 行政处罚法第四十二条: 执法人员不得少于两人
PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")


def _text(data, key, limit=None):
    value = str(data.get(key) or "").strip()
    return value[:limit] if limit else value


def _day(value, label, errors, field, required=False):
    if value in (None, ""):
        if required:
            errors.append((field, f"请填写{label}。"))
        return None
    try:
        day = parse_date(value)
    except DateError:
        day = None
    if day is None:
        errors.append((field, f"{label}“{value}”不是有效日期（格式：2026-11-05）。"))
    return day


def _int(value, label, errors, field, *, low=0, high=9999, default=None):
    if value in (None, "") and default is not None:
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.append((field, f"{label}须为整数。"))
        return None
    if not low <= number <= high:
        errors.append((field, f"{label}须在 {low} 至 {high} 之间。"))
        return None
    return number


def _flag(value, default=True):
    if value is None:
        return default
    return value not in (False, "", "0", "false", "off", "no")


def _ids(values):
    if values is None:
        return []
    if isinstance(values, (str, int)):
        values = [values]
    return [str(v).strip() for v in values if str(v).strip()]


# ---------------------------------------------------------------- experts


def _region_in_scope(actor, code, errors, field="region", label="所属区划"):
    code = normalize_code(code)
    region = Region.objects.for_user(actor).filter(code=code).first() if code else None
    if region is None:
        errors.append((field, f"{label}不存在或不在您的管辖范围内。"))
    return region


def _enterprise_in_scope(actor, value, errors, field="enterprise"):
    text = str(value or "").strip()
    enterprise = row_by_id(Enterprise.objects.for_user(actor), text)
    if enterprise is None:
        errors.append((field, "所选企业不存在或不在您的管辖范围内。"))
    return enterprise


def _industries(values, errors, field, label="专业领域"):
    wanted = _ids(values)
    found = list(Industry.objects.filter(code__in=wanted)) + list(
        Industry.objects.filter(pk__in=[as_id(v) for v in wanted if as_id(v) is not None])
    )
    found = list({i.pk: i for i in found}.values())
    known = {i.code for i in found} | {str(i.pk) for i in found}
    unknown = [v for v in wanted if v not in known]
    if unknown:
        errors.append((field, f"{label}中有无效的行业：{'、'.join(unknown)}。"))
    return found


@transaction.atomic
def expert_save(*, actor, data, expert=None):
    """Add an expert to the pool or change one. Keys: name, phone, title, employer, enterprise (id),
    specialties (industry codes or ids), region (code, default the actor's), user (id), active."""
    ensure_capability(actor, "expert.manage", "您的角色无权管理专家库。")
    if expert is not None:
        expert = Expert.objects.select_for_update().filter(pk=expert.pk).first()
        if expert is None or not Expert.objects.for_user(actor).filter(pk=expert.pk).exists():
            raise ScopeError()
    errors = []
    name = _text(data, "name", 50)
    if not name:
        errors.append(("name", "请填写专家姓名。"))
    phone = _text(data, "phone", 30)
    if phone and not PHONE.match(phone):
        errors.append(("phone", f"联系电话“{phone}”格式不正确（如 13812345678 或 023-65123456）。"))
    region_code = data.get("region") or (expert.region_id if expert else actor.region_id if actor else "")
    region = _region_in_scope(actor, region_code, errors)
    enterprise = None
    if str(data.get("enterprise") or "").strip():
        enterprise = _enterprise_in_scope(actor, data.get("enterprise"), errors)
    specialties = _industries(data.get("specialties"), errors, "specialties")
    if not specialties and not errors:
        errors.append(("specialties", "请至少选择一个专业领域。"))
    user = None
    if str(data.get("user") or "").strip():
        user = User.objects.for_user(actor).filter(pk=as_id(data["user"]) or 0).first()
        if user is None:
            errors.append(("user", "所选登录账号不存在或不在您的管辖范围内。"))
        elif Expert.objects.filter(user=user).exclude(pk=expert.pk if expert else None).exists():
            errors.append(("user", f"账号“{user.display_name}”已关联其他专家。"))
    if errors:
        _fail(errors)
    creating = expert is None
    if creating:
        expert = Expert(created_by=actor)
    expert.name, expert.phone = name, phone
    expert.title, expert.employer = _text(data, "title", 100), _text(data, "employer", 200)
    expert.enterprise, expert.region, expert.user = enterprise, region, user
    expert.active = _flag(data.get("active"), True if creating else expert.active)
    expert.save()
    expert.specialties.set(specialties)
    audit_record(
        actor=actor,
        action="expert.create" if creating else "expert.update",
        obj=expert,
        data={"name": name, "specialties": sorted(i.code for i in specialties), "active": expert.active},
    )
    return expert


@transaction.atomic
def expert_set_active(*, actor, expert, active):
    """Take an expert out of the pool (出库) or back in; an expert out of the pool is never drawn."""
    ensure_capability(actor, "expert.manage", "您的角色无权管理专家库。")
    current = Expert.objects.select_for_update().filter(pk=expert.pk).first()
    if current is None or not Expert.objects.for_user(actor).filter(pk=expert.pk).exists():
        raise ScopeError()
    if current.active == bool(active):
        raise ApplicationError("该专家已在库。" if active else "该专家已出库。")
    current.active = bool(active)
    current.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="expert.activate" if active else "expert.deactivate", obj=current)
    return current


# ---------------------------------------------------------------- credentials (执法证)


def can_manage_credentials(user):
    return user.can("inspection.plan") or user.can("checklist.manage")


def unit_people(actor):
    """Users of the actor's unit (the holders whose credentials the actor keeps)."""
    qs = User.objects.for_user(actor).filter(enterprise__isnull=True)
    if actor.is_superuser:
        return qs
    return qs.filter(unit_id=actor.unit_id) if actor.unit_id else qs.none()


@transaction.atomic
def credential_save(*, actor, data, credential=None):
    """Register or change a 行政执法证 of a user of the actor's unit. Keys: user, number, issuer, valid_from,
    valid_until."""
    if not can_manage_credentials(actor):
        raise ApplicationError("您的角色无权登记执法证。", code="forbidden")
    people = unit_people(actor)
    if credential is not None:
        credential = InspectorCredential.objects.select_for_update().filter(pk=credential.pk).first()
        if credential is None or not people.filter(pk=credential.user_id).exists():
            raise ScopeError()
    errors = []
    user_id = str(data.get("user") or (credential.user_id if credential else "")).strip()
    user = row_by_id(people, user_id)
    if user is None:
        errors.append(("user", "请选择本单位的执法人员。"))
    number = _text(data, "number", 50)
    if not number:
        errors.append(("number", "请填写执法证号。"))
    else:
        taken = InspectorCredential.objects.filter(number=number).exclude(pk=credential.pk if credential else None)
        holder = taken.select_related("user").first()
        if holder is not None:
            errors.append(("number", f"执法证号“{number}”已登记（持证人：{holder.user.display_name}），不能重复登记。"))
    valid_from = _day(data.get("valid_from"), "有效期起", errors, "valid_from")
    valid_until = _day(data.get("valid_until"), "有效期至", errors, "valid_until", required=True)
    if valid_from and valid_until and valid_until < valid_from:
        errors.append(("valid_until", f"有效期至（{valid_until}）不能早于有效期起（{valid_from}）。"))
    if errors:
        _fail(errors)
    creating = credential is None
    credential = credential or InspectorCredential()
    credential.user, credential.number, credential.issuer = user, number, _text(data, "issuer", 100)
    credential.valid_from, credential.valid_until = valid_from, valid_until
    credential.save()
    audit_record(
        actor=actor,
        action="credential.create" if creating else "credential.update",
        object_type="inspections.inspectorcredential",
        object_id=str(credential.pk),
        object_repr=f"{user.display_name} 执法证 {number}",
        region_code=user.region_id or "",
        data={"number": number, "valid_from": valid_from, "valid_until": valid_until},
    )
    return credential


# ---------------------------------------------------------------- conflicts (回避)


def can_manage_conflicts(user):
    return user.can("inspection.plan") or user.can("expert.manage")


def conflicts_for(user):
    """Declared conflicts about enterprises the user can see."""
    return Conflict.objects.filter(enterprise__in=Enterprise.objects.for_user(user))


@transaction.atomic
def conflict_add(*, actor, data):
    """Declare that a user (`user`) or an expert (`expert`) must not inspect `enterprise`, with a reason."""
    if not can_manage_conflicts(actor):
        raise ApplicationError("您的角色无权登记回避。", code="forbidden")
    errors = []
    user_id, expert_id = _text(data, "user"), _text(data, "expert")
    user = expert = None
    if bool(user_id) == bool(expert_id):
        errors.append(("user", "请选择一名检查人员或一名专家（二选一）。"))
    elif user_id:
        user = User.objects.for_user(actor).filter(pk=as_id(user_id) or 0).first()
        if user is None:
            errors.append(("user", "所选人员不存在或不在您的管辖范围内。"))
    else:
        expert = Expert.objects.for_user(actor).filter(pk=as_id(expert_id) or 0).first()
        if expert is None:
            errors.append(("expert", "所选专家不存在或不在您的管辖范围内。"))
    enterprise = _enterprise_in_scope(actor, data.get("enterprise"), errors)
    reason = _text(data, "reason", 200)
    if not reason:
        errors.append(("reason", "请填写回避理由。"))
    if not errors and Conflict.objects.filter(user=user, expert=expert, enterprise=enterprise).exists():
        errors.append(("enterprise", f"{user or expert} 与“{enterprise.name}”的回避已登记。"))
    if errors:
        _fail(errors)
    conflict = Conflict.objects.create(user=user, expert=expert, enterprise=enterprise, reason=reason)
    audit_record(
        actor=actor,
        action="conflict.create",
        object_type="inspections.conflict",
        object_id=str(conflict.pk),
        object_repr=f"{user or expert} 回避 {enterprise.name}",
        region_code=enterprise.region_id,
        data={"user": user.pk if user else None, "expert": expert.pk if expert else None, "reason": reason},
    )
    return conflict


@transaction.atomic
def conflict_remove(*, actor, conflict):
    if not can_manage_conflicts(actor):
        raise ApplicationError("您的角色无权登记回避。", code="forbidden")
    current = conflicts_for(actor).select_related("enterprise").filter(pk=conflict.pk).first()
    if current is None:
        raise ScopeError()
    audit_record(
        actor=actor,
        action="conflict.delete",
        object_type="inspections.conflict",
        object_id=str(current.pk),
        object_repr=f"{current.user or current.expert} 回避 {current.enterprise.name}",
        region_code=current.enterprise.region_id,
        data={"reason": current.reason},
    )
    current.delete()


# ---------------------------------------------------------------- plans


def default_exclude_days(region_code):
    return int(rule(EXCLUDE_DAYS_RULE, region_code or ""))


def parse_quotas(value, errors, field="quotas"):
    """{industry code or "*": count ≥ 1} from a dict or text such as "hazchem=3，建筑施工=2" or "*=5"."""
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for part in re.split(r"[,，;；\n]+", str(value or "")):
            if not part.strip():
                continue
            match = re.match(r"^(.+?)\s*[=:：]\s*(.*)$", part.strip())
            pairs.append((match.group(1), match.group(2)) if match else (part.strip(), ""))
    if not pairs:
        errors.append((field, "请填写抽取数量（如 危险化学品=3，或全部合计 *=5）。"))
        return {}
    quotas = {}
    for key, count in pairs:
        key = str(key).strip()
        if key != ALL:
            industry = Industry.objects.filter(code=key).first() or Industry.objects.filter(name=key).first()
            if industry is None:
                errors.append((field, f"抽取数量中的“{key}”不是已知的行业（填行业代码或名称，全部合计用 *）。"))
                continue
            key = industry.code
        try:
            number = int(str(count).strip())
        except ValueError:
            errors.append((field, f"“{key}”的抽取数量“{count}”须为正整数。"))
            continue
        if not 1 <= number <= 1000:
            errors.append((field, f"“{key}”的抽取数量须在 1 至 1000 之间。"))
            continue
        if key in quotas:
            errors.append((field, f"“{key}”的抽取数量重复填写。"))
        quotas[key] = number
    if ALL in quotas and len(quotas) > 1:
        errors.append((field, "全部合计（*）不能与分行业数量同时填写。"))
    return quotas


@transaction.atomic
def plan_save(*, actor, data, plan=None):
    """Create or change an inspection plan of the actor's unit. Keys: name, region (code), kind, start, end,
    industries (codes), high_risk / directly_supervised ("", "1", "0"), scales, exclude_days (default the
    rule), quotas (dict or text), team_size, experts_per_team. A change clears an unconfirmed draw."""
    ensure_capability(actor, "inspection.plan", "您的角色无权制定检查计划。")
    if plan is not None:
        plan = lock_plan(actor, plan)
        if plan.confirmed_at:
            raise ApplicationError("检查计划已确认，不能修改。")
    elif not actor.unit_id:
        raise ApplicationError("您的账号未关联单位，不能以单位名义制定检查计划。", code="forbidden")
    errors = []
    name = _text(data, "name", 200)
    if not name:
        errors.append(("name", "请填写计划名称。"))
    region = _region_in_scope(actor, data.get("region") or actor.region_id, errors, label="抽查范围")
    kind = data.get("kind") or Kind.ENFORCEMENT
    if kind not in Kind.values:
        errors.append(("kind", "检查类型无效。"))
    start = _day(data.get("start"), "检查开始日期", errors, "start", required=True)
    end = _day(data.get("end"), "检查结束日期", errors, "end", required=True)
    if start and end and end < start:
        errors.append(("end", "检查结束日期不能早于开始日期。"))
    industries = _industries(data.get("industries"), errors, "industries", label="行业范围")
    scales = _ids(data.get("scales"))
    bad_scales = [s for s in scales if s not in Scale.values]
    if bad_scales:
        errors.append(("scales", f"规模无效：{'、'.join(bad_scales)}。"))
    filters = {"industries": sorted(i.code for i in industries), "scales": sorted(scales)}
    for key, label in (("high_risk", "高危企业"), ("directly_supervised", "重点监管")):
        value = str(data.get(key) if data.get(key) is not None else "").strip().lower()
        value = {"true": "1", "false": "0"}.get(value, value)
        if value not in ("", "1", "0"):
            errors.append((key, f"{label}条件无效。"))
        filters[key] = value
    risk_levels = _ids(data.get("risk_levels"))
    if risk_levels:
        from zhiben.risk.choices import POOL_LEVELS

        if any(v not in dict(POOL_LEVELS) for v in risk_levels):
            errors.append(("risk_levels", "企业风险等级条件无效。"))
        filters["risk_levels"] = sorted(risk_levels)
    region_code = region.code if region else actor.region_id
    exclude_days = _int(
        data.get("exclude_days"),
        "排除近期已检查天数",
        errors,
        "exclude_days",
        high=3650,
        default=default_exclude_days(region_code),
    )
    quotas = parse_quotas(data.get("quotas"), errors)
    if industries and quotas and ALL not in quotas:
        outside = [k for k in quotas if k not in filters["industries"]]
        if outside:
            errors.append(("quotas", f"抽取数量中的行业不在行业范围内：{'、'.join(outside)}。"))
    team_size = _int(data.get("team_size"), "每组检查人员数", errors, "team_size", low=1, high=10, default=2)
    if kind == Kind.ENFORCEMENT and team_size is not None and team_size < MIN_ENFORCEMENT_TEAM:
        errors.append(("team_size", f"执法检查每组执法人员不得少于 {MIN_ENFORCEMENT_TEAM} 名。"))
    experts = _int(data.get("experts_per_team"), "每组专家数", errors, "experts_per_team", high=10, default=0)
    if errors:
        _fail(errors)
    creating = plan is None
    if creating:
        plan = InspectionPlan(unit_id=actor.unit_id, created_by=actor)
    plan.name, plan.region, plan.kind, plan.start, plan.end = name, region, kind, start, end
    plan.filters, plan.quotas, plan.exclude_days = filters, quotas, exclude_days
    plan.team_size, plan.experts_per_team = team_size, experts
    cleared = bool(plan.drawn_at)
    plan.seed, plan.inputs, plan.result, plan.drawn_at, plan.drawn_by = "", {}, {}, None, None
    plan.save()
    audit_record(
        actor=actor,
        action="inspection_plan.create" if creating else "inspection_plan.update",
        obj=plan,
        data={"filters": filters, "quotas": quotas, "exclude_days": exclude_days, "draw_cleared": cleared},
    )
    return plan


@transaction.atomic
def plan_confirm(*, actor, plan):
    """Lock the drawn plan and create one planned inspection per drawn enterprise with its team."""
    ensure_capability(actor, "inspection.plan", "您的角色无权确认检查计划。")
    plan = lock_plan(actor, plan)
    if not plan.drawn_at or not plan.result.get("teams"):
        raise ApplicationError("请先进行双随机抽取，再确认计划。")
    now = timezone.now()
    if not InspectionPlan.objects.filter(pk=plan.pk, confirmed_at__isnull=True).update(confirmed_at=now):
        raise ApplicationError("检查计划已确认，不能重复确认。")
    plan.confirmed_at = now
    teams = plan.result["teams"]
    enterprises = Enterprise.objects.in_bulk([t["enterprise"] for t in teams])
    users = User.objects.in_bulk([u for t in teams for u in t["inspectors"]])
    experts = Expert.objects.in_bulk([x for t in teams for x in t["experts"]])
    missing = [t["enterprise"] for t in teams if t["enterprise"] not in enterprises]
    if missing:
        raise ApplicationError("抽中的企业已被删除，请重新抽取。")
    created = []
    for team in teams:
        enterprise = enterprises[team["enterprise"]]
        county, year = enterprise.region_id[:6], plan.start.year
        inspection = Inspection.objects.create(
            number=f"JC{county}{year}{next_number(f'inspection:{county}:{year}'):06d}",
            kind=plan.kind,
            status=Status.PLANNED,
            enterprise=enterprise,
            region_id=enterprise.region_id,
            industry_id=enterprise.industry_id,
            unit_id=plan.unit_id,
            planned_date=plan.start,
            plan=plan,
            created_by=actor,
        )
        inspection.inspectors.set([users[u] for u in team["inspectors"] if u in users])
        inspection.experts.set([experts[x] for x in team["experts"] if x in experts])
        record_event(
            inspection, "create", actor=actor, note=f"由检查计划“{plan.name}”双随机抽取生成（种子 {plan.seed}）"
        )
        created.append(inspection)
    audit_record(
        actor=actor,
        action="inspection_plan.confirm",
        obj=plan,
        data={"seed": plan.seed, "inspections": [i.number for i in created]},
    )
    return created


@transaction.atomic
def plan_publish(*, actor, plan):
    """公示: give the confirmed plan a public link (no login) showing the draw."""
    ensure_capability(actor, "inspection.plan", "您的角色无权公示检查计划。")
    plan = lock_plan(actor, plan)
    if not plan.confirmed_at:
        raise ApplicationError("检查计划确认后才能公示。")
    if plan.published_at:
        raise ApplicationError("检查计划已公示。")
    plan.public_token, plan.published_at = secrets.token_urlsafe(24), timezone.now()
    plan.save(update_fields=["public_token", "published_at", "updated_at"])
    audit_record(actor=actor, action="inspection_plan.publish", obj=plan, data={"seed": plan.seed})
    return plan
