"""Every write of the risk module: risk points (record, edit, review, retire, place on the site plan),
control measures, the site plan, the hazard ↔ risk point links, and regrading after a threshold change.
Atomic, scoped (out of scope is a ScopeError, shown as 404), evented on the point's timeline, audited."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.db import as_id, row_by_id
from zhiben.core.evidence import open_image, store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import RuleResolver, rule
from zhiben.core.services import data_date as _day
from zhiben.core.services import data_text as _text
from zhiben.core.services import ensure_capability
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.models import Enterprise

from . import grading
from .choices import DEFAULT_CONTROL_LEVEL, RANK, ControlLevel, Kind, Level, MeasureType, Method
from .models import ControlMeasure, RiskHazardLink, RiskPoint, SitePlan

FIELDS = ("name", "kind", "location", "factors", "accident_types", "method", "l_score", "e_score", "c_score")
FIELDS += ("s_score", "score", "exposed", "criteria_item_id", "level", "direct_reason", "control_level")
FIELDS += ("responsible", "next_review")


def _manager(actor):
    ensure_capability(actor, "risk.manage", "您的角色无权登记或修改风险点。")


def _lock(actor, point):
    """The point re-read under a row lock, refused when it is out of the actor's scope."""
    current = RiskPoint.objects.select_for_update().filter(pk=point.pk).first()
    if current is None or (actor is not None and not RiskPoint.objects.for_user(actor).filter(pk=point.pk).exists()):
        raise ScopeError()
    return current


def _enterprise(actor, data, errors):
    if actor is not None and actor.enterprise_id:
        return Enterprise.objects.get(pk=actor.enterprise_id)
    pk = as_id(data.get("enterprise"))
    if pk is None:
        errors.append(("enterprise", "请选择生产经营单位。"))
        return None
    qs = Enterprise.objects.for_user(actor) if actor is not None else Enterprise.objects.all()
    enterprise = qs.filter(pk=pk).first()
    if enterprise is None:
        errors.append(("enterprise", "所选单位不存在或不在您的管辖范围内。"))
    return enterprise


def _criteria_item(actor, data, enterprise, errors):
    from zhiben.hazards.criteria import applies_to_region, visible_items

    raw = str(data.get("criteria_item") or "").strip()
    if not raw:
        return None
    qs = visible_items(actor) if actor is not None else visible_items_all()
    item = qs.select_related("standard").filter(pk=as_id(raw) or 0).first()
    if item is None or not item.standard.is_current:
        errors.append(("criteria_item", "所选判定标准条款不存在或已失效。"))
        return None
    if enterprise is not None and not applies_to_region(item.standard, enterprise.region_id):
        errors.append(("criteria_item", "所选判定标准条款不适用于该单位所在区划。"))
        return None
    return item


def visible_items_all():
    from zhiben.hazards.models import CriteriaItem

    return CriteriaItem.objects.all()


def _exposed(data, errors):
    raw = data.get("exposed")
    if raw in (None, ""):
        return 0
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= 100000:
        errors.append(("exposed", f"暴露人数“{raw}”应为 0 至 100000 的整数。"))
        return 0
    return value


def _clean(actor, data, enterprise, today, errors, *, stored_review=None):
    """Everything a point's form carries, checked; the scores against the tables, the grade computed.
    A review date already past may stay as it was (`stored_review`): editing an overdue point is allowed."""
    values = {"name": _text(data, "name", 100), "location": _text(data, "location", 200)}
    values["factors"] = _text(data, "factors")
    values["accident_types"] = _text(data, "accident_types", 200)
    values["responsible"] = _text(data, "responsible", 50)
    if not values["name"]:
        errors.append(("name", "请填写风险点名称。"))
    if not values["factors"]:
        errors.append(("factors", "请填写危险有害因素。"))
    kind = data.get("kind") or ""
    if kind not in Kind.values:
        errors.append(("kind", "请选择风险点类型（场所、工艺、设备设施或作业活动）。"))
    values["kind"] = kind
    method = data.get("method") or ""
    if method not in Method.values:
        errors.append(("method", "请选择评价方法（LEC 或 LS）。"))
        computed = None
    else:
        computed = grading.scores(method, data, errors)
    values["method"] = method
    values["exposed"] = _exposed(data, errors)
    item = _criteria_item(actor, data, enterprise, errors)
    values["criteria_item_id"] = item.pk if item else None
    control = data.get("control_level") or ""
    if control and control not in ControlLevel.values:
        errors.append(("control_level", "管控层级无效。"))
    next_review = _day(data.get("next_review"), "下次评审日期", errors, "next_review")
    if next_review is not None and next_review < today and next_review != stored_review:
        errors.append(("next_review", f"下次评审日期 {next_review} 早于今天。"))
    if errors or computed is None or enterprise is None:
        return None
    l_score, e_score, c_score, s_score, score = computed
    values.update(l_score=l_score, e_score=e_score, c_score=c_score, s_score=s_score, score=score)
    score_level, level, reason = grading.grade(
        method, score, enterprise.region_id, criteria_item=item, exposed=values["exposed"]
    )
    values.update(score_level=score_level, level=level, rank=RANK[level], direct_reason=reason)
    values["control_level"] = control or DEFAULT_CONTROL_LEVEL[level]
    if next_review is None:
        next_review = today + timedelta(days=int(rule("risk.review_days", enterprise.region_id)))
    values["next_review"] = next_review
    return values


def _snapshot(point):
    return {name: getattr(point, name) for name in FIELDS}


@transaction.atomic
def point_create(*, actor, data, today=None):
    """Record a risk point of an enterprise in the actor's scope (an enterprise user: its own). Keys: enterprise
    (id), name, kind, location, factors, accident_types, method, l, e, c (LEC) or l, s (LS), exposed,
    criteria_item (id), control_level, responsible, next_review (default: today + rule risk.review_days)."""
    _manager(actor)
    today = today or timezone.localdate()
    errors = []
    enterprise = _enterprise(actor, data, errors)
    values = _clean(actor, data, enterprise, today, errors)
    if errors or values is None:
        _fail(errors or [("", "风险点信息不完整。")])
    point = RiskPoint(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        industry_id=enterprise.industry_id,
        created_by=actor,
        **values,
    )
    point.save()
    if actor is not None and not RiskPoint.objects.for_user(actor).filter(pk=point.pk).exists():
        raise ScopeError()
    record_event(point, "create", actor=actor, note=f"登记风险点，{point.formula}，{point.level_text}")
    audit_record(
        actor=actor,
        action="risk.point_create",
        obj=point,
        data={"enterprise": enterprise.pk, "method": point.method, "score": point.score, "level": point.level},
    )
    return point


@transaction.atomic
def point_update(*, actor, point, data, today=None):
    """Change a point (the same keys as `point_create`, the enterprise stays); the grade is computed again."""
    _manager(actor)
    today = today or timezone.localdate()
    point = _lock(actor, point)
    if not point.active:
        raise ApplicationError("风险点已撤销，不能修改。")
    errors = []
    values = _clean(actor, data, point.enterprise, today, errors, stored_review=point.next_review)
    if errors or values is None:
        _fail(errors or [("", "风险点信息不完整。")])
    before = _snapshot(point)
    for name, value in values.items():
        setattr(point, name, value)
    point.save()
    after = _snapshot(point)
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    note = "修改风险点" + (f"，等级 {Level(before['level']).label} → {point.level_text}" if "level" in changed else "")
    record_event(point, "edit", actor=actor, note=note, data={"changed": sorted(changed)})
    audit_record(actor=actor, action="risk.point_update", obj=point, data=changed)
    return point


@transaction.atomic
def point_review(*, actor, point, data, today=None):
    """Record a review (评审) of the point: the date it was reviewed (default today) and the next review date."""
    _manager(actor)
    today = today or timezone.localdate()
    point = _lock(actor, point)
    if not point.active:
        raise ApplicationError("风险点已撤销，不需评审。")
    errors = []
    reviewed = _day(data.get("reviewed_on"), "评审日期", errors, "reviewed_on") or today
    if reviewed > today:
        errors.append(("reviewed_on", f"评审日期 {reviewed} 晚于今天。"))
    next_review = _day(data.get("next_review"), "下次评审日期", errors, "next_review")
    if next_review is None and not errors:
        next_review = reviewed + timedelta(days=int(rule("risk.review_days", point.region_id)))
    if next_review is not None and next_review <= today:
        errors.append(("next_review", f"下次评审日期 {next_review} 应晚于今天。"))
    if errors:
        _fail(errors)
    before = point.next_review
    point.reviewed_on, point.next_review = reviewed, next_review
    point.save(update_fields=["reviewed_on", "next_review", "updated_at"])
    note = _text(data, "note", 300)
    record_event(point, "review", actor=actor, note=f"评审：{note or '管控措施有效'}；下次评审 {next_review}")
    audit_record(
        actor=actor,
        action="risk.point_review",
        obj=point,
        data={"reviewed_on": reviewed, "next_review": [before, next_review], "note": note},
    )
    return point


@transaction.atomic
def point_retire(*, actor, point, reason):
    """撤销 a point (the place or process no longer exists); it leaves the lists and the grading."""
    _manager(actor)
    point = _lock(actor, point)
    reason = str(reason or "").strip()[:200]
    if not point.active:
        raise ApplicationError("风险点已撤销。")
    if len(reason) < 2:
        raise ApplicationError("请写明撤销原因。", errors=[{"field": "reason", "message": "请写明撤销原因。"}])
    point.active = False
    point.save(update_fields=["active", "updated_at"])
    record_event(point, "retire", actor=actor, note=f"撤销风险点：{reason}")
    audit_record(actor=actor, action="risk.point_retire", obj=point, data={"reason": reason})
    return point


def _percent(raw, label, field, errors):
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors.append((field, f"{label}“{raw}”应为 0 至 100 之间的数（百分比）。"))
        return None
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def point_place(*, actor, point, x, y):
    """Place the point on its enterprise's site plan at (x, y), percentages of the image's width and height
    from its top-left corner; both empty takes it off the plan."""
    _manager(actor)
    point = _lock(actor, point)
    if x in (None, "") and y in (None, ""):
        point.plan_x = point.plan_y = None
    else:
        if not SitePlan.objects.filter(enterprise_id=point.enterprise_id).exists():
            raise ApplicationError("该单位尚未上传厂区平面图。")
        errors = []
        px, py = _percent(x, "横向位置", "x", errors), _percent(y, "纵向位置", "y", errors)
        if errors:
            _fail(errors)
        point.plan_x, point.plan_y = px, py
    point.save(update_fields=["plan_x", "plan_y", "updated_at"])
    where = f"（{point.plan_x}%，{point.plan_y}%）" if point.placed else "（移出平面图）"
    record_event(point, "place", actor=actor, note=f"标注平面图位置{where}")
    audit_record(actor=actor, action="risk.point_place", obj=point, data={"x": point.plan_x, "y": point.plan_y})
    return point


# ---------------------------------------------------------------- control measures


@transaction.atomic
def measure_add(*, actor, point, data):
    _manager(actor)
    point = _lock(actor, point)
    if not point.active:
        raise ApplicationError("风险点已撤销，不能添加管控措施。")
    errors = []
    kind = data.get("type") or ""
    if kind not in MeasureType.values:
        errors.append(("type", "请选择措施类型（工程技术、管理、培训教育、个体防护、应急处置）。"))
    level = data.get("control_level") or ""
    if level not in ControlLevel.values:
        errors.append(("control_level", "请选择管控层级（公司、车间、班组、岗位）。"))
    text = _text(data, "text")
    if len(text) < 2:
        errors.append(("text", "请填写管控措施。"))
    responsible = _text(data, "responsible", 50)
    if not responsible:
        errors.append(("responsible", "请填写措施责任人。"))
    if errors:
        _fail(errors)
    measure = ControlMeasure.objects.create(
        point=point, type=kind, control_level=level, text=text, responsible=responsible
    )
    record_event(
        point,
        "measure_add",
        actor=actor,
        note=f"添加{measure.get_type_display()}措施（{measure.get_control_level_display()}级，{responsible}）：{text[:60]}",
    )
    audit_record(
        actor=actor,
        action="risk.measure_add",
        obj=point,
        data={"measure": measure.pk, "type": kind, "control_level": level, "responsible": responsible},
    )
    return measure


@transaction.atomic
def measure_remove(*, actor, measure):
    _manager(actor)
    point = _lock(actor, measure.point)
    measure = ControlMeasure.objects.filter(pk=measure.pk, point=point).first()
    if measure is None:
        raise ScopeError()
    record_event(
        point, "measure_remove", actor=actor, note=f"删除{measure.get_type_display()}措施：{measure.text[:60]}"
    )
    audit_record(
        actor=actor, action="risk.measure_remove", obj=point, data={"measure": measure.pk, "text": measure.text}
    )
    measure.delete()
    return point


# ---------------------------------------------------------------- the site plan


@transaction.atomic
def plan_upload(*, actor, enterprise, upload):
    """Store a site plan image for an enterprise in scope (checked by content, size rule risk.plan_max_mb);
    it becomes the plan shown, the points keep their positions."""
    _manager(actor)
    scoped = Enterprise.objects.for_user(actor) if actor is not None else Enterprise.objects.all()
    enterprise = scoped.filter(pk=enterprise.pk).first()
    if enterprise is None:
        raise ScopeError()
    if upload is None:
        raise ApplicationError("请选择平面图图片。", errors=[{"field": "image", "message": "请选择平面图图片。"}])
    plan = SitePlan(enterprise=enterprise, uploaded_by=actor)
    store_upload(plan, upload, size_rule="risk.plan_max_mb", region_code=enterprise.region_id)
    if not plan.is_image:
        raise ApplicationError(
            "平面图须为 JPG、PNG、WebP 或 GIF 图片。", errors=[{"field": "image", "message": "须为图片。"}]
        )
    with plan.file.open("rb") as fh, open_image(fh.read()) as image:
        plan.width, plan.height = image.size
    plan.save(update_fields=["width", "height"])
    record_event(enterprise, "site_plan", actor=actor, note=f"上传厂区平面图 {plan.original_name}")
    audit_record(actor=actor, action="risk.plan_upload", obj=enterprise, data={"plan": plan.pk, "sha256": plan.sha256})
    return plan


# ---------------------------------------------------------------- hazards citing a point


def _hazard(actor, hazard_ref, point):
    from zhiben.hazards.models import Hazard

    qs = Hazard.objects.for_user(actor) if actor is not None else Hazard.objects.all()
    ref = str(getattr(hazard_ref, "pk", hazard_ref) or "").strip()
    hazard = qs.filter(number=ref).first() or row_by_id(qs, ref)
    if hazard is None:
        raise ApplicationError(
            f"隐患“{ref}”不存在或不在您的管辖范围内。", errors=[{"field": "hazard", "message": "隐患不存在。"}]
        )
    if hazard.enterprise_id != point.enterprise_id:
        raise ApplicationError(
            "只能关联同一单位的隐患。", errors=[{"field": "hazard", "message": "只能关联同一单位的隐患。"}]
        )
    return hazard


@transaction.atomic
def hazard_link(*, actor, point, hazard, note=""):
    """A hazard (object, id or number) of the point's enterprise cites the point whose control failed."""
    _manager(actor)
    point = _lock(actor, point)
    hazard = _hazard(actor, hazard, point)
    if RiskHazardLink.objects.filter(point=point, hazard=hazard).exists():
        raise ApplicationError(f"隐患 {hazard.number} 已关联此风险点。")
    link = RiskHazardLink.objects.create(
        point=point, hazard=hazard, note=str(note or "").strip()[:200], created_by=actor
    )
    record_event(point, "hazard_link", actor=actor, note=f"关联隐患 {hazard.number}（管控失效）")
    record_event(hazard, "risk_link", actor=actor, note=f"关联风险点：{point.name}（{point.level_text}）")
    audit_record(actor=actor, action="risk.hazard_link", obj=point, data={"hazard": hazard.number})
    return link


@transaction.atomic
def hazard_unlink(*, actor, point, hazard):
    _manager(actor)
    point = _lock(actor, point)
    hazard = _hazard(actor, hazard, point)
    deleted, _ = RiskHazardLink.objects.filter(point=point, hazard=hazard).delete()
    if not deleted:
        raise ApplicationError(f"隐患 {hazard.number} 未关联此风险点。")
    record_event(point, "hazard_unlink", actor=actor, note=f"取消关联隐患 {hazard.number}")
    record_event(hazard, "risk_unlink", actor=actor, note=f"取消关联风险点：{point.name}")
    audit_record(actor=actor, action="risk.hazard_unlink", obj=point, data={"hazard": hazard.number})
    return point


# ---------------------------------------------------------------- regrading


def regrade(*, actor=None):
    """Grade every active point again under the thresholds in force (after a jurisdiction changed its
    rule): each changed point is saved with an event and an audit row. Idempotent (the job)."""
    resolvers = {
        Method.LEC: RuleResolver(grading.RULE_KEYS[Method.LEC]),
        Method.LS: RuleResolver(grading.RULE_KEYS[Method.LS]),
        "exposed": RuleResolver("risk.direct_major_exposed"),
    }
    changed = 0
    qs = RiskPoint.objects.filter(active=True).select_related("criteria_item__standard").order_by("id")
    for point in qs.iterator(chunk_size=500):
        score_level, level, reason = grading.grade(
            point.method,
            point.score,
            point.region_id,
            criteria_item=point.criteria_item,
            exposed=point.exposed,
            resolvers=resolvers,
        )
        if (score_level, level, reason) == (point.score_level, point.level, point.direct_reason):
            continue
        with transaction.atomic():
            updated = RiskPoint.objects.filter(pk=point.pk, level=point.level, score_level=point.score_level).update(
                score_level=score_level, level=level, rank=RANK[level], direct_reason=reason, updated_at=timezone.now()
            )
            if not updated:
                continue
            before = point.level
            point.score_level, point.level, point.direct_reason = score_level, level, reason
            record_event(
                point,
                "regrade",
                actor=actor,
                note=f"按现行分级阈值重新分级：{Level(before).label} → {point.level_text}",
            )
            audit_record(actor=actor, action="risk.point_regrade", obj=point, data={"level": [before, level]})
        changed += 1
    return changed
