"""Every write of the enforcement module: cases (filing, 告知, decision, execution, closing, revoking,
typical cases, 准予复产) and 责令限期整改 orders (issue, review). Atomic, scoped, evented and audited.

A decision with 责令停产停业整顿 puts the enterprise in 停产整顿 until 准予复产; 关闭 closes it. The
enterprise's status is changed through `enterprises.services.enterprise_update` (its scope and
registrar checks, its audit entry), with an event on the enterprise's timeline naming the case."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.db import as_id
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.services import data_date as _day
from zhiben.core.services import data_text as _text
from zhiben.core.services import ensure_capability, next_number
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.choices import Status as EnterpriseStatus
from zhiben.enterprises.models import Enterprise
from zhiben.enterprises.services import enterprise_update
from zhiben.inspections.models import Inspection
from zhiben.inspections.services import finding_text

from .choices import CaseStatus, Measure, OrderStatus, ReviewResult
from .models import EnforcementCase, RectificationOrder
from .workflow import TRANSITIONS


def _enterprise(actor, data, errors):
    pk = as_id(data.get("enterprise"))
    if pk is None:
        errors.append(("enterprise", "请选择当事单位。"))
        return None
    enterprise = Enterprise.objects.for_user(actor).filter(pk=pk).first()
    if enterprise is None:
        errors.append(("enterprise", "所选单位不存在或不在您的管辖范围内。"))
    return enterprise


def _inspection(actor, data, enterprise, errors):
    if not data.get("inspection"):
        return None
    inspection = Inspection.objects.for_user(actor).filter(pk=data["inspection"]).first()
    if inspection is None:
        errors.append(("inspection", "所选检查不存在或不在您的管辖范围内。"))
    elif enterprise is not None and inspection.enterprise_id != enterprise.pk:
        errors.append(("inspection", "所选检查不是对该单位的检查。"))
    return inspection


def _unit(actor):
    ensure_capability(actor, "enforcement.manage", "您的角色无权办理执法案件。")
    if not actor.unit_id:
        raise ApplicationError("您的账号未关联执法单位。", code="forbidden")


def _about(actor, enterprise, inspection):
    """The fields a case and an order share: its enterprise (region and industry copied), source inspection
    and the actor's unit."""
    return {
        "inspection": inspection,
        "enterprise": enterprise,
        "region_id": enterprise.region_id,
        "industry_id": enterprise.industry_id,
        "unit_id": actor.unit_id,
    }


def _number(prefix, unit, year):
    """A unit's own sequence per year: AJ5001062026-12-0001 (county code, year, unit, serial)."""
    return f"{prefix}{unit.region_id[:6]}{year}-{unit.pk}-{next_number(f'{prefix}:{unit.pk}:{year}'):04d}"


# ---------------------------------------------------------------- cases


@transaction.atomic
def case_create(*, actor, data, today=None):
    _unit(actor)
    today = today or timezone.localdate()
    errors = []
    enterprise = _enterprise(actor, data, errors)
    inspection = _inspection(actor, data, enterprise, errors)
    violation = _text(data, "violation")
    if len(violation) < 4:
        errors.append(("violation", "请写明违法事实（至少4个字）。"))
    filed = _day(data.get("filed_date"), "立案日期", errors, "filed_date") or today
    if filed > today:
        errors.append(("filed_date", f"立案日期 {filed} 晚于今天。"))
    if errors:
        _fail(errors)
    case = EnforcementCase(
        number=_number("AJ", actor.unit, filed.year),
        **_about(actor, enterprise, inspection),
        violation=violation,
        legal_basis=_text(data, "legal_basis"),
        filed_date=filed,
        created_by=actor,
    )
    case.save()
    record_event(case, "file", actor=actor, note="立案")
    audit_record(actor=actor, action="enforcement.case_file", obj=case, data={"enterprise": enterprise.pk})
    return case


EDITABLE = (CaseStatus.FILED, CaseStatus.NOTIFIED)


@transaction.atomic
def case_update(*, actor, case, data, today=None):
    """Correct a case before its decision: violation facts, legal basis, filing date, source inspection."""
    _unit(actor)
    today = today or timezone.localdate()
    case = _lock_case(actor, case)
    if case.status not in EDITABLE:
        raise ApplicationError(f"案件当前为“{case.get_status_display()}”，不能再修改。")
    errors = []
    inspection = _inspection(actor, data, case.enterprise, errors)
    violation = _text(data, "violation")
    if len(violation) < 4:
        errors.append(("violation", "请写明违法事实（至少4个字）。"))
    filed = _day(data.get("filed_date"), "立案日期", errors, "filed_date") or case.filed_date
    if filed > today:
        errors.append(("filed_date", f"立案日期 {filed} 晚于今天。"))
    elif case.notice_date and filed > case.notice_date:
        errors.append(("filed_date", f"立案日期 {filed} 晚于告知日期 {case.notice_date}。"))
    if errors:
        _fail(errors)
    before = {"violation": case.violation, "legal_basis": case.legal_basis, "filed_date": case.filed_date}
    case.violation, case.legal_basis, case.filed_date = violation, _text(data, "legal_basis"), filed
    case.inspection = inspection
    case.save()
    after = {"violation": case.violation, "legal_basis": case.legal_basis, "filed_date": case.filed_date}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record_event(case, "edit", actor=actor, note="修改案件信息", data={"changed": sorted(changed)})
    audit_record(actor=actor, action="enforcement.case_edit", obj=case, data=changed)
    return case


def _clean_decision(case, data, today):
    errors = []
    measures = [m for m in (data.get("measures") or []) if m]
    unknown = [m for m in measures if m not in Measure.values]
    if unknown:
        errors.append(("measures", f"处罚措施“{'、'.join(unknown)}”无效。"))
    if not measures:
        errors.append(("measures", "请选择处罚措施。"))
    number = _text(data, "decision_number", 60)
    if not number:
        errors.append(("decision_number", "作出处罚决定须填写决定书文号。"))
    fine = data.get("fine")
    amount = None
    if fine not in (None, ""):
        try:
            amount = Decimal(str(fine).replace(",", "").strip())
        except InvalidOperation:
            errors.append(("fine", f"罚款金额“{fine}”不是有效数字。"))
        else:
            if amount <= 0:
                errors.append(("fine", "罚款金额应大于 0。"))
    if Measure.FINE in measures and amount is None and not any(f == "fine" for f, _ in errors):
        errors.append(("fine", "选择了罚款，请填写罚款金额。"))
    if amount is not None and Measure.FINE not in measures:
        errors.append(("fine", "填写了罚款金额，请在处罚措施中选择“罚款”。"))
    decided = _day(data.get("decision_date"), "决定日期", errors, "decision_date") or today
    if decided > today:
        errors.append(("decision_date", f"决定日期 {decided} 晚于今天。"))
    elif decided < case.filed_date:
        errors.append(("decision_date", f"决定日期 {decided} 早于立案日期 {case.filed_date}。"))
    if errors:
        _fail(errors)
    return {"measures": measures, "fine": amount, "decision_number": number, "decision_date": decided}


def _lock_case(actor, case):
    current = EnforcementCase.objects.select_for_update().get(pk=case.pk)
    if not EnforcementCase.objects.for_user(actor).filter(pk=current.pk).exists():
        raise ScopeError()
    if actor.unit_id != current.unit_id:
        raise ApplicationError("只有立案的执法单位可以办理本案件。", code="forbidden")
    return current


def _set_enterprise_status(actor, enterprise, status, note, case):
    """The enterprise's 经营状态 through the registry's own service (its checks and its audit entry), and an
    event on the enterprise's timeline naming the case."""
    before = enterprise.status
    if before == status:
        return
    enterprise_update(actor=actor, enterprise=enterprise, data={"status": status})
    enterprise.status = status
    record_event(enterprise, "status", actor=actor, note=note, data={"from": before, "to": status, "case": case.number})


@transaction.atomic
def case_transition(*, actor, case, action, data=None, today=None):
    _unit(actor)
    today = today or timezone.localdate()
    data = data or {}
    case = _lock_case(actor, case)
    if action not in TRANSITIONS:
        raise ApplicationError(f"未知操作“{action}”。")
    sources, target, label = TRANSITIONS[action]
    if case.status not in sources:
        raise ApplicationError(f"案件当前为“{case.get_status_display()}”，不能{label}。")
    before = case.status
    if action == "notify":
        errors = []
        case.notice_date = _day(data.get("notice_date"), "告知日期", errors, "notice_date") or today
        if case.notice_date > today or case.notice_date < case.filed_date:
            errors.append(("notice_date", "告知日期应在立案日期与今天之间。"))
        if errors:
            _fail(errors)
    if action == "decide":
        for field, value in _clean_decision(case, data, today).items():
            setattr(case, field, value)
    case.status = target
    case.save()
    if action == "decide":
        enterprise = case.enterprise
        if Measure.CLOSURE in case.measures:
            _set_enterprise_status(
                actor, enterprise, EnterpriseStatus.CLOSED, f"行政处罚决定关闭（{case.decision_number}）", case
            )
        elif Measure.SUSPENSION in case.measures:
            _set_enterprise_status(
                actor, enterprise, EnterpriseStatus.SUSPENDED, f"责令停产停业整顿（{case.decision_number}）", case
            )
    record_event(case, action, actor=actor, note=label, data={"from": before, "to": target})
    audit_record(
        actor=actor,
        action=f"enforcement.case_{action}",
        obj=case,
        data={"from": before, "to": target, "measures": case.measures, "fine": case.fine},
    )
    return case


@transaction.atomic
def case_resume(*, actor, case, note=""):
    """准予复产: the enterprise ordered to 停产停业整顿 by this case returns to 在营."""
    _unit(actor)
    case = _lock_case(actor, case)
    if Measure.SUSPENSION not in case.measures or case.status not in (
        CaseStatus.DECIDED,
        CaseStatus.EXECUTED,
        CaseStatus.CLOSED,
    ):
        raise ApplicationError("只有作出“责令停产停业整顿”决定的案件可以准予复产。")
    if case.enterprise.status != EnterpriseStatus.SUSPENDED:
        raise ApplicationError("该单位当前不在停产整顿状态。")
    if not note.strip():
        raise ApplicationError("请填写复查验收意见（准予复产的理由）。")
    _set_enterprise_status(actor, case.enterprise, EnterpriseStatus.OPERATING, f"准予复产：{note.strip()}", case)
    case.resumed_at = timezone.now()
    case.save(update_fields=["resumed_at", "updated_at"])
    record_event(case, "resume", actor=actor, note=f"准予复产：{note.strip()}")
    audit_record(actor=actor, action="enforcement.case_resume", obj=case, data={"note": note.strip()})
    return case


@transaction.atomic
def case_mark_typical(*, actor, case, typical=True):
    """Mark (or unmark) a case as 典型案例 for upward reporting."""
    _unit(actor)
    case = EnforcementCase.objects.select_for_update().get(pk=case.pk)
    if not EnforcementCase.objects.for_user(actor).filter(pk=case.pk).exists():
        raise ScopeError()
    if typical and case.status not in (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED):
        raise ApplicationError("作出处罚决定后才能列为典型案例。")
    case.typical = typical
    case.typical_at = timezone.now() if typical else None
    case.typical_by = actor if typical else None
    case.save(update_fields=["typical", "typical_at", "typical_by", "updated_at"])
    record_event(
        case, "typical" if typical else "untypical", actor=actor, note="列为典型案例" if typical else "取消典型案例"
    )
    audit_record(actor=actor, action="enforcement.case_typical", obj=case, data={"typical": typical})
    return case


# ---------------------------------------------------------------- orders


def inspection_items_text(inspection):
    """The failed items of an inspection, numbered: the prefilled text of an order issued from it."""
    failed = inspection.items.filter(result="fail").order_by("pk")
    return "\n".join(f"{n}. {finding_text(i.text, i.note)}" for n, i in enumerate(failed, start=1))


def inspection_hazard_ids(inspection):
    """The hazards an inspection found: its own hazards and those filed from its failed items."""
    ids = set(inspection.hazards.values_list("pk", flat=True))
    ids |= set(inspection.items.filter(hazard__isnull=False).values_list("hazard_id", flat=True))
    return sorted(ids)


@transaction.atomic
def order_create(*, actor, data, today=None):
    """Issue a 责令限期整改 order, from an inspection (its failed items and hazards) or standalone."""
    _unit(actor)
    today = today or timezone.localdate()
    errors = []
    enterprise = _enterprise(actor, data, errors)
    inspection = _inspection(actor, data, enterprise, errors)
    items = _text(data, "items")
    if inspection is not None and inspection.status in ("planned", "cancelled"):
        errors.append(("inspection", f"该检查{inspection.get_status_display()}，不能据此下达指令。"))
    if not items and inspection is not None:
        items = inspection_items_text(inspection)
    if len(items) < 4:
        errors.append(("items", "请写明存在的问题和整改要求。"))
    deadline = _day(data.get("deadline"), "整改期限", errors, "deadline")
    if deadline is None and not any(f == "deadline" for f, _ in errors):
        errors.append(("deadline", "请填写整改期限。"))
    elif deadline is not None and deadline < today:
        errors.append(("deadline", f"整改期限 {deadline} 已过。"))
    if errors:
        _fail(errors)
    order = RectificationOrder(
        number=_number("ZL", actor.unit, today.year),
        **_about(actor, enterprise, inspection),
        items=items,
        deadline=deadline,
        created_by=actor,
    )
    order.save()
    if inspection is not None:
        order.hazards.set(inspection_hazard_ids(inspection))
    record_event(order, "issue", actor=actor, note=f"责令于 {deadline} 前整改")
    audit_record(actor=actor, action="enforcement.order_issue", obj=order, data={"deadline": deadline})
    return order


@transaction.atomic
def order_review(*, actor, order, passed, opinion, new_deadline=None, reviewed_on=None, today=None):
    """复查: passed closes the order; not passed either sets a new deadline (the order stays open) or ends it
    as 复查不合格 (the unit then files a case)."""
    _unit(actor)
    today = today or timezone.localdate()
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if not RectificationOrder.objects.for_user(actor).filter(pk=order.pk).exists():
        raise ScopeError()
    if actor.unit_id != order.unit_id:
        raise ApplicationError("只有发出指令的单位可以复查。", code="forbidden")
    if order.status != OrderStatus.OPEN:
        raise ApplicationError(f"该指令已{order.get_status_display()}，不能再复查。")
    errors = []
    if not (opinion or "").strip():
        errors.append(("opinion", "请填写复查意见。"))
    day = _day(reviewed_on, "复查日期", errors, "reviewed_on") or today
    if day > today:
        errors.append(("reviewed_on", f"复查日期 {day} 晚于今天。"))
    new = _day(new_deadline, "新的整改期限", errors, "new_deadline") if not passed else None
    if new is not None and new <= today:
        errors.append(("new_deadline", "新的整改期限应晚于今天。"))
    if errors:
        _fail(errors)
    before = order.deadline
    order.reviewed_on = day
    order.review_opinion = opinion.strip()
    order.review_result = ReviewResult.PASSED if passed else ReviewResult.FAILED
    if passed:
        order.status = OrderStatus.PASSED
    elif new is not None:
        order.deadline = new
    else:
        order.status = OrderStatus.FAILED
    order.save()
    note = "复查合格" if passed else (f"复查不合格，限期延至 {new}" if new else "复查不合格")
    record_event(order, "review", actor=actor, note=f"{note}：{order.review_opinion}")
    audit_record(
        actor=actor,
        action="enforcement.order_review",
        obj=order,
        data={"passed": passed, "old_deadline": before, "new_deadline": new},
    )
    return order


@transaction.atomic
def order_update(*, actor, order, data, today=None):
    """Correct an open order's items (and its deadline while it has not passed nor been reviewed)."""
    _unit(actor)
    today = today or timezone.localdate()
    order = RectificationOrder.objects.select_for_update().get(pk=order.pk)
    if not RectificationOrder.objects.for_user(actor).filter(pk=order.pk).exists():
        raise ScopeError()
    if actor.unit_id != order.unit_id:
        raise ApplicationError("只有发出指令的单位可以修改。", code="forbidden")
    if order.status != OrderStatus.OPEN:
        raise ApplicationError(f"该指令已{order.get_status_display()}，不能再修改。")
    errors = []
    items = _text(data, "items")
    if len(items) < 4:
        errors.append(("items", "请写明存在的问题和整改要求。"))
    deadline = _day(data.get("deadline"), "整改期限", errors, "deadline") or order.deadline
    if deadline != order.deadline:
        if order.reviewed_on or order.deadline < today:
            errors.append(("deadline", "已复查或已逾期的指令不能直接改期限，请通过复查重新限期。"))
        elif deadline < today:
            errors.append(("deadline", f"整改期限 {deadline} 已过。"))
    if errors:
        _fail(errors)
    before = {"items": order.items, "deadline": order.deadline}
    order.items, order.deadline = items, deadline
    order.save()
    changed = {k: [before[k], getattr(order, k)] for k in before if before[k] != getattr(order, k)}
    record_event(order, "edit", actor=actor, note="修改指令内容", data={"changed": sorted(changed)})
    audit_record(actor=actor, action="enforcement.order_edit", obj=order, data=changed)
    return order
