"""Every write of the accidents module: recording an accident (graded from its figures), the reporting
chain with its statutory clocks, 补报 within its window (re-grading as an event), the investigation (group,
60-day report with one extension, 批复 within 15/30 days, responsible parties, measures, education), the
四不放过 closure, 挂牌督办 and the annual targets. Atomic, scoped, evented and audited.

The rules are 《生产安全事故报告和调查处理条例》(国务院令第493号), kept as data (RuleDefs in hooks.py)."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.audit.services import audit_record
from zhiben.core.cntext import ascii_digits
from zhiben.core.db import as_id, whole_number
from zhiben.core.evidence import store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import rule
from zhiben.core.scoping import scope_allows
from zhiben.core.services import data_date as _day
from zhiben.core.services import data_text as _text
from zhiben.core.services import ensure_capability, next_number
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Industry, Region

from .choices import CHAIN, FOUR_CHECKS, GRADE_ORDER, REACH, Grade, Level, MeasureStatus, PartyKind, Status, Type
from .models import Accident, Attachment, Investigation, Measure, Party, ReportStep, Supplement, Target
from .workflow import TRANSITIONS

MAX_COUNT = 2**31 - 1  # the largest a PositiveIntegerField holds
FIGURES = ("deaths", "missing", "serious_injuries", "minor_injuries", "direct_loss")
LABELS = {
    "deaths": "死亡人数",
    "missing": "失踪人数",
    "serious_injuries": "重伤人数",
    "minor_injuries": "轻伤人数",
    "direct_loss": "直接经济损失",
}


# ---------------------------------------------------------------- grading


def grade_of(*, deaths=0, missing=0, serious_injuries=0, direct_loss=0, region_code=""):
    """The grade by 条例 第三条, highest criterion wins ("以上"包括本数, "以下"不包括本数). Thresholds are the
    rule "accident.grade_thresholds"; whether the missing count as dead is "accident.missing_as_deaths"."""
    dead = deaths + (missing if rule("accident.missing_as_deaths", region_code) else 0)
    loss = Decimal(str(direct_loss or 0))
    thresholds = rule("accident.grade_thresholds", region_code)
    for grade in reversed(GRADE_ORDER[1:]):
        limit = thresholds[grade]
        if (
            dead >= limit["deaths"]
            or serious_injuries >= limit["serious_injuries"]
            or loss >= Decimal(str(limit["loss"]))
        ):
            return grade
    return Grade.GENERAL


def _grade(accident):
    return grade_of(
        deaths=accident.deaths,
        missing=accident.missing,
        serious_injuries=accident.serious_injuries,
        direct_loss=accident.direct_loss,
        region_code=accident.region_id,
    )


# ---------------------------------------------------------------- reading input


def _moment(value, label, errors, field):
    """A date and time as typed ("2026-12-05 08:30", the browser's "2026-12-05T08:30") or a datetime, in
    local time; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = str(value).strip().replace("T", " ").replace("/", "-")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"):
        try:
            return timezone.make_aware(datetime.strptime(text, pattern))
        except ValueError:
            continue
    errors.append((field, f"{label}“{value}”不是有效的时间（格式：2026-12-05 08:30）。"))
    return None


def _count(data, name, errors):
    value = data.get(name)
    if value in (None, ""):
        return 0
    text = ascii_digits(value).strip()
    number = whole_number(text.removeprefix("-"))
    if number is None:
        errors.append((name, f"{LABELS[name]}“{value}”须为整数。"))
        return 0
    number = -number if text.startswith("-") else number
    if number < 0:
        errors.append((name, f"{LABELS[name]}不能为负数。"))
        return 0
    if number > 100000:
        errors.append((name, f"{LABELS[name]}“{value}”不合常理，请核对。"))
        return 0
    return number


def _loss(data, errors):
    value = data.get("direct_loss")
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value).replace(",", "").replace("元", "").strip())
    except (InvalidOperation, ValueError):
        errors.append(("direct_loss", f"直接经济损失“{value}”不是金额（单位：元）。"))
        return Decimal(0)
    if number < 0:
        errors.append(("direct_loss", "直接经济损失不能为负数。"))
        return Decimal(0)
    if number >= Decimal("1e12"):
        errors.append(("direct_loss", f"直接经济损失“{value}”超出范围，请核对（单位：元）。"))
        return Decimal(0)
    return number.quantize(Decimal("0.01"))


def _figures(data, errors):
    return {**{name: _count(data, name, errors) for name in FIGURES[:-1]}, "direct_loss": _loss(data, errors)}


# ---------------------------------------------------------------- the reporting chain


def _hours(key, region_code):
    return timedelta(hours=float(rule(key, region_code)))


def _chain_levels(grade):
    return CHAIN[: CHAIN.index(REACH[grade]) + 1]


def _add_steps(accident, now):
    """Create the steps the grade requires that do not exist yet. A level's clock starts when the level below
    reported (or, while it has not, from that level's own deadline); a level added by re-grading starts no
    earlier than the re-grading."""
    existing = {s.level: s for s in accident.steps.all()}
    previous = None
    added = []
    for level in _chain_levels(accident.grade):
        step = existing.get(level)
        if step is None:
            if previous is None:
                due = accident.learned_at + _hours("accident.enterprise_report_hours", accident.region_id)
            else:
                start = previous.reported_at or previous.due_at
                if level not in existing and existing:
                    start = max(start, now)
                due = start + _hours("accident.level_report_hours", accident.region_id)
            step = ReportStep.objects.create(accident=accident, level=level, due_at=due)
            added.append(step)
        previous = step
    return added


def _restart_next(accident, step):
    """Once a level has reported, the next level's clock runs from that time, and each level above it not yet
    reported to from the new deadline of the level below."""
    steps = {s.level: s for s in accident.steps.all()}
    start = step.reported_at
    for level in CHAIN[CHAIN.index(step.level) + 1 :]:
        above = steps.get(level)
        if above is None or above.reported_at is not None:
            break
        start += _hours("accident.level_report_hours", accident.region_id)
        ReportStep.objects.filter(pk=above.pk).update(due_at=start)


def _number(region_code, year):
    county = region_code[:6]
    return f"SG{county}{year}{next_number(f'accident:{county}:{year}'):04d}"


def _subject(actor, data, errors):
    """(enterprise, place name, region, industry) of a new accident, within the actor's scope."""
    enterprise = None
    if actor.role == Role.ENTERPRISE:
        enterprise = actor.enterprise
    elif data.get("enterprise"):
        pk = as_id(data["enterprise"])
        enterprise = Enterprise.objects.for_user(actor).filter(pk=pk).first() if pk is not None else None
        if enterprise is None:
            errors.append(("enterprise", "所选事故单位不存在或不在您的管辖范围内。"))
            return None, "", None, None
    if enterprise is not None:
        return enterprise, "", enterprise.region, enterprise.industry
    place = _text(data, "place_name", 200)
    region = Region.objects.for_user(actor).filter(code=str(data.get("region") or "").ljust(12, "0")[:12]).first()
    industry = Industry.objects.filter(code=_text(data, "industry")).first() or (
        Industry.objects.filter(pk=as_id(data.get("industry"))).first()
    )
    if len(place) < 2:
        errors.append(("place_name", "请选择事故单位，或填写发生事故的场所/单位名称。"))
    if region is None:
        errors.append(("region", "请选择事故发生地（须在您的管辖范围内）。"))
    if industry is None:
        errors.append(("industry", "请选择行业领域。"))
    elif actor.limited_to_domains and industry.pk not in actor.domain_ids:
        errors.append(("industry", f"“{industry.name}”不在您单位的监管范围内，请由负责该行业的部门报告。"))
    return None, place, region, industry


@transaction.atomic
def accident_report(*, actor, data, files=(), now=None):
    """Record an accident. An enterprise records its own (its report to the county authority is made at
    that moment); a government user records one reported to it by phone with the time it was reported."""
    ensure_capability(actor, "accident.report", "您的角色无权报告事故。")
    now = now or timezone.now()
    errors = []
    enterprise, place, region, industry = _subject(actor, data, errors)
    occurred = _moment(data.get("occurred_at"), "发生时间", errors, "occurred_at")
    learned = _moment(data.get("learned_at"), "知悉时间", errors, "learned_at") or occurred
    reported = _moment(data.get("reported_at"), "报告时间", errors, "reported_at")
    if actor.role == Role.ENTERPRISE or reported is None:
        reported = now
    kind = _text(data, "type")
    if kind not in Type.values:
        errors.append(("type", "请选择事故类别。"))
    account = _text(data, "account")
    if len(account) < 10:
        errors.append(("account", "请写明事故简要经过（至少10个字）：时间、地点、经过、已采取的措施。"))
    figures = _figures(data, errors)
    if occurred is None and not any(f == "occurred_at" for f, _ in errors):
        errors.append(("occurred_at", "请填写事故发生时间。"))
    if occurred is not None:
        if occurred > now:
            errors.append(("occurred_at", "事故发生时间不能晚于现在。"))
        if learned is not None and learned < occurred:
            errors.append(("learned_at", "知悉时间不能早于事故发生时间。"))
        if learned is not None and learned > now:
            errors.append(("learned_at", "知悉时间不能晚于现在。"))
        if reported < occurred:
            errors.append(("reported_at", "报告时间不能早于事故发生时间。"))
        elif learned is not None and learned >= occurred and reported < learned:
            errors.append(("reported_at", "报告时间不能早于知悉时间。"))
        if reported > now:
            errors.append(("reported_at", "报告时间不能晚于现在。"))
    if errors:
        _fail(errors)
    accident = Accident(
        number=_number(region.code, timezone.localtime(occurred).year),
        occurred_at=occurred,
        learned_at=learned,
        region=region,
        address=_text(data, "address", 300),
        enterprise=enterprise,
        place_name=place,
        industry=industry,
        type=kind,
        road_traffic=str(data.get("road_traffic", "")).lower() in ("1", "true", "on", "yes"),
        account=account,
        unit_id=actor.unit_id if actor.role != Role.ENTERPRISE else None,
        created_by=actor,
        **figures,
    )
    accident.grade = _grade(accident)
    accident.save()
    if not scope_allows(actor, accident):
        raise ScopeError("该事故不在您的管辖范围内，未保存。")
    _add_steps(accident, now)
    first = accident.steps.get(level=Level.COUNTY)
    first.reported_at, first.reported_by = reported, actor
    first.recipient = _text(data, "recipient", 100) or (
        "本系统" if actor.role == Role.ENTERPRISE else (actor.unit.name if actor.unit_id else "")
    )
    first.method = _text(data, "method", 40) or ("系统报送" if actor.role == Role.ENTERPRISE else "电话")
    first.save()
    _restart_next(accident, first)
    for upload in files:
        store_upload(
            Attachment(accident=accident, uploaded_by=actor),
            upload,
            size_rule="accident.attachment_max_mb",
            region_code=accident.region_id,
        )
    record_event(
        accident,
        "report",
        actor=actor,
        note=f"接报：{accident.get_grade_display()}，{accident.casualties}",
        data={"grade": accident.grade, "late": first.is_late(now)},
    )
    audit_record(
        actor=actor,
        action="accident.report",
        obj=accident,
        data={"grade": accident.grade, **figures},
    )
    _notify_committee(
        accident,
        f"事故信息：{accident.number}",
        f"{accident.region.name}{accident.subject_name}发生{accident.get_type_display()}事故，{accident.casualties}，"
        f"初步定为{accident.get_grade_display()}，请按时限逐级上报。",
    )
    return accident


def _notify_committee(accident, subject, body):
    from zhiben.escalation.services import committee_admins
    from zhiben.notifications.services import notify

    users = committee_admins(accident.region_id)
    if users:
        notify(
            subject=subject,
            body=body,
            url=accident.get_absolute_url(),
            users=users,
            obj=accident,
            region_code=accident.region_id,
        )


def _lock(actor, accident, capability="accident.manage"):
    ensure_capability(actor, capability, "您的角色无权办理事故。")
    current = (
        Accident.objects.select_for_update(of=("self",))
        .select_related("region", "industry", "enterprise")
        .get(pk=accident.pk)
    )
    if not scope_allows(actor, current):
        raise ScopeError()
    return current


@transaction.atomic
def step_report(*, actor, accident, data, now=None):
    """Record that the next level of the chain was reported to (when, to whom, how)."""
    accident = _lock(actor, accident)
    now = now or timezone.now()
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案，不能再登记逐级报告。", code="bad_state")
    pending = list(accident.steps.filter(reported_at__isnull=True).order_by("due_at", "id"))
    level = _text(data, "level") or (pending[0].level if pending else "")
    step = next((s for s in pending if s.level == level), None)
    if step is None:
        _fail([("level", "没有待报告的层级（已全部报告，或该等级无须报至此级）。")])
    if pending and step.pk != pending[0].pk:
        _fail([("level", f"请先登记报告至{pending[0].get_level_display()}的时间。")])
    errors = []
    at = _moment(data.get("reported_at"), "报告时间", errors, "reported_at") or now
    recipient = _text(data, "recipient", 100)
    if len(recipient) < 2:
        errors.append(("recipient", "请填写接收报告的单位（如 市应急管理局值班室）。"))
    previous = accident.steps.filter(reported_at__isnull=False).order_by("-reported_at").first()
    if at > now:
        errors.append(("reported_at", "报告时间不能晚于现在。"))
    if previous is not None and at < previous.reported_at:
        errors.append(
            (
                "reported_at",
                f"报告时间不能早于下级报告的时间（{timezone.localtime(previous.reported_at):%Y-%m-%d %H:%M}）。",
            )
        )
    if errors:
        _fail(errors)
    step.reported_at, step.recipient, step.method, step.reported_by = at, recipient, _text(data, "method", 40), actor
    step.save()
    _restart_next(accident, step)
    late = step.is_late(now)
    record_event(
        accident,
        "step",
        actor=actor,
        note=f"已报告{step.get_level_display()}（{recipient}）{'，超过时限' if late else ''}",
        data={"level": step.level, "late": late},
    )
    audit_record(actor=actor, action="accident.step", obj=accident, data={"level": step.level, "late": late})
    return step


def supplement_window(accident):
    """Days after the accident within which changed casualties are reported (30; 7 for road traffic and fire)."""
    short = accident.road_traffic or accident.type == Type.FIRE
    return int(rule("accident.supplement_days_short" if short else "accident.supplement_days", accident.region_id))


def supplement_open(accident, now):
    """Whether `now` is within the window: "自事故发生之日起N日内" counts days, so the last day is the
    occurrence date + N, to its end."""
    last = timezone.localtime(accident.occurred_at).date() + timedelta(days=supplement_window(accident))
    return timezone.localtime(now).date() <= last


@transaction.atomic
def accident_supplement(*, actor, accident, data, now=None):
    """补报: new figures within the window; the accident is re-graded and a change of grade is an event (and
    adds the levels the new grade must reach)."""
    accident = _lock(actor, accident, "accident.report")
    now = now or timezone.now()
    days = supplement_window(accident)
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案，不能再补报。", code="bad_state")
    if not supplement_open(accident, now):
        raise ApplicationError(
            f"已超过补报期限：事故发生之日起{days}日内伤亡人数发生变化的应当补报，此后的变化不再补报。", code="too_late"
        )
    errors = []
    before = {name: getattr(accident, name) for name in FIGURES}
    figures = _figures({**before, **{name: data[name] for name in FIGURES if name in data}}, errors)
    if errors:
        _fail(errors)
    if figures == before:
        _fail([("deaths", "补报的数字与现有数字相同，无须补报。")])
    for name, value in figures.items():
        setattr(accident, name, value)
    old = accident.grade
    accident.grade = _grade(accident)
    accident.save()
    Supplement.objects.create(
        accident=accident, before=_plain(before), after=_plain(figures), note=_text(data, "note"), by=actor
    )
    record_event(
        accident,
        "supplement",
        actor=actor,
        note=f"补报：{accident.casualties}",
        data={"before": before, "after": figures},
    )
    if accident.grade != old:
        _add_steps(accident, now)
        record_event(
            accident,
            "regrade",
            actor=actor,
            note=f"等级由{Grade(old).label}调整为{accident.get_grade_display()}",
            data={"from": old, "to": accident.grade},
        )
        _notify_committee(
            accident,
            f"事故等级调整：{accident.number}",
            f"{accident.subject_name}事故经补报调整为{accident.get_grade_display()}，须报至{REACH[accident.grade].label}。",
        )
    audit_record(
        actor=actor,
        action="accident.supplement",
        obj=accident,
        data={"before": before, "after": figures, "grade": accident.grade},
    )
    return accident


def _plain(figures):
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items()}


# ---------------------------------------------------------------- investigation


def _move(actor, accident, action, note="", data=None):
    transition = TRANSITIONS[action]
    if accident.status not in transition.sources:
        raise ApplicationError(
            f"事故当前为“{accident.get_status_display()}”，不能{transition.label}。", code="bad_state"
        )
    before = accident.status
    accident.status = transition.target
    if transition.target == Status.CLOSED:
        accident.closed_at = timezone.now()
    accident.save()
    record_event(
        accident,
        action,
        actor=actor,
        note=note or transition.label,
        data={"from": before, "to": accident.status, **(data or {})},
    )
    audit_record(
        actor=actor,
        action=f"accident.{action}",
        obj=accident,
        data={"from": before, "to": accident.status, **(data or {})},
    )


@transaction.atomic
def investigation_start(*, actor, accident, data, today=None):
    accident = _lock(actor, accident)
    today = today or timezone.localdate()
    errors = []
    started = _day(data.get("started_on"), "成立日期", errors, "started_on") or today
    lead, leader = _text(data, "lead_unit", 100), _text(data, "leader", 50)
    if len(lead) < 2:
        errors.append(("lead_unit", "请填写调查组牵头单位。"))
    if len(leader) < 2:
        errors.append(("leader", "请填写调查组组长。"))
    if started > today:
        errors.append(("started_on", "成立日期不能晚于今天。"))
    if started < timezone.localtime(accident.occurred_at).date():
        errors.append(("started_on", "成立日期不能早于事故发生日期。"))
    if errors:
        _fail(errors)
    if Investigation.objects.filter(accident=accident).exists():
        raise ApplicationError("已成立调查组。", code="bad_state")
    occurred = timezone.localtime(accident.occurred_at).date()
    Investigation.objects.create(
        accident=accident,
        lead_unit=lead,
        leader=leader,
        members=_text(data, "members"),
        experts=_text(data, "experts"),
        started_on=started,
        report_due=occurred + timedelta(days=int(rule("accident.investigation_days", accident.region_id))),
    )
    _move(actor, accident, "start", note=f"成立调查组（{lead}，组长{leader}）")
    return accident.investigation


def _investigation(accident):
    investigation = Investigation.objects.select_for_update().filter(accident=accident).first()
    if investigation is None:
        raise ApplicationError("尚未成立调查组。", code="bad_state")
    return investigation


@transaction.atomic
def investigation_extend(*, actor, accident, days, reason):
    """One extension of the report deadline, of at most the rule's days (条例 第二十九条: 最长不超过60日)."""
    accident = _lock(actor, accident)
    investigation = _investigation(accident)
    limit = int(rule("accident.extension_days", accident.region_id))
    if investigation.extended_days:
        raise ApplicationError("调查报告期限只能延长一次，已经延长过。", code="bad_state")
    if accident.status != Status.INVESTIGATING:
        raise ApplicationError("只有调查中的事故可以延长调查期限。", code="bad_state")
    errors = []
    number = whole_number(days)
    if number is None or not 1 <= number <= limit:
        errors.append(("days", f"延长天数须为 1 至 {limit} 天。"))
    reason = str(reason or "").strip()[:300]
    if len(reason) < 4:
        errors.append(("reason", "请写明延期理由（经负责事故调查的人民政府批准）。"))
    if errors:
        _fail(errors)
    investigation.extended_days, investigation.extension_reason = number, reason
    investigation.report_due += timedelta(days=number)
    investigation.save()
    record_event(accident, "extend", actor=actor, note=f"调查期限延长{number}天至 {investigation.report_due}：{reason}")
    audit_record(
        actor=actor, action="accident.extend", obj=accident, data={"days": number, "due": investigation.report_due}
    )
    return investigation


@transaction.atomic
def investigation_update(*, actor, accident, data):
    """Group members, experts, causes and the education (警示教育) record, while the case is open."""
    accident = _lock(actor, accident)
    investigation = _investigation(accident)
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案，不能再修改调查情况。", code="bad_state")
    errors = []
    education_on = _day(data.get("education_on"), "警示教育日期", errors, "education_on")
    if education_on and education_on > timezone.localdate():
        errors.append(("education_on", "警示教育日期不能晚于今天。"))
    if errors:
        _fail(errors)
    for name in ("members", "experts", "causes", "education_note"):
        if name in data:
            setattr(investigation, name, _text(data, name))
    if "education_on" in data:
        investigation.education_on = education_on
    investigation.save()
    record_event(accident, "investigation", actor=actor, note="更新调查情况")
    audit_record(
        actor=actor,
        action="accident.investigation",
        obj=accident,
        data={"fields": sorted(k for k in data if k != "csrfmiddlewaretoken")},
    )
    return investigation


@transaction.atomic
def investigation_submit(*, actor, accident, data, today=None):
    accident = _lock(actor, accident)
    investigation = _investigation(accident)
    today = today or timezone.localdate()
    errors = []
    submitted = _day(data.get("submitted_on"), "提交日期", errors, "submitted_on") or today
    if submitted > today or submitted < investigation.started_on:
        errors.append(("submitted_on", "提交日期须在调查组成立之后、今天之前。"))
    if len(investigation.causes) < 10:
        errors.append(("causes", "请先写明事故原因（直接原因和间接原因）再提交调查报告。"))
    if errors:
        _fail(errors)
    days = int(
        rule(
            "accident.approval_days_extraordinary"
            if accident.grade == Grade.EXTRAORDINARY
            else "accident.approval_days",
            accident.region_id,
        )
    )
    investigation.submitted_on, investigation.approval_due = submitted, submitted + timedelta(days=days)
    investigation.save()
    _move(actor, accident, "submit", note=f"提交调查报告，批复期限 {investigation.approval_due}")
    return investigation


@transaction.atomic
def accident_approve(*, actor, accident, data, today=None):
    accident = _lock(actor, accident)
    investigation = _investigation(accident)
    today = today or timezone.localdate()
    errors = []
    approved = _day(data.get("approved_on"), "批复日期", errors, "approved_on") or today
    number = _text(data, "approval_number", 60)
    if len(number) < 2:
        errors.append(("approval_number", "请填写批复文号。"))
    if approved > today or (investigation.submitted_on and approved < investigation.submitted_on):
        errors.append(("approved_on", "批复日期须在调查报告提交之后、今天之前。"))
    if errors:
        _fail(errors)
    investigation.approved_on, investigation.approval_number = approved, number
    investigation.save()
    late = investigation.approval_due and approved > investigation.approval_due
    _move(
        actor,
        accident,
        "approve",
        note=f"批复（{number}）{'，超过批复期限' if late else ''}",
        data={"late": bool(late)},
    )
    return investigation


@transaction.atomic
def party_add(*, actor, accident, data):
    accident = _lock(actor, accident)
    _investigation(accident)
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案。", code="bad_state")
    errors = []
    name, kind, duty = _text(data, "name", 100), _text(data, "kind"), _text(data, "responsibility", 300)
    if len(name) < 2:
        errors.append(("name", "请填写责任单位名称或责任人姓名。"))
    if kind not in PartyKind.values:
        errors.append(("kind", "请选择责任者类型。"))
    if len(duty) < 2:
        errors.append(("responsibility", "请填写责任认定。"))
    if errors:
        _fail(errors)
    party = Party.objects.create(accident=accident, name=name, kind=kind, responsibility=duty)
    record_event(accident, "party", actor=actor, note=f"认定责任者：{name}（{party.get_kind_display()}）")
    audit_record(actor=actor, action="accident.party", obj=accident, data={"party": party.pk, "kind": kind})
    return party


@transaction.atomic
def party_handle(*, actor, party, data, today=None):
    accident = _lock(actor, party.accident)
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案。", code="bad_state")
    today = today or timezone.localdate()
    errors = []
    handling = _text(data, "handling", 300)
    handled_on = _day(data.get("handled_on"), "处理日期", errors, "handled_on") or today
    if len(handling) < 2:
        errors.append(("handling", "请填写处理结果（如 罚款、撤职、移送司法机关）。"))
    if handled_on > today:
        errors.append(("handled_on", "处理日期不能晚于今天。"))
    if errors:
        _fail(errors)
    Party.objects.filter(pk=party.pk).update(handling=handling, handled_on=handled_on)
    record_event(accident, "handled", actor=actor, note=f"{party.name}：{handling}")
    audit_record(actor=actor, action="accident.handled", obj=accident, data={"party": party.pk})


@transaction.atomic
def measure_add(*, actor, accident, data, today=None):
    accident = _lock(actor, accident)
    _investigation(accident)
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案。", code="bad_state")
    today = today or timezone.localdate()
    errors = []
    text, responsible = _text(data, "text"), _text(data, "responsible", 100)
    deadline = _day(data.get("deadline"), "完成期限", errors, "deadline")
    if len(text) < 4:
        errors.append(("text", "请写明整改措施。"))
    if len(responsible) < 2:
        errors.append(("responsible", "请填写责任单位。"))
    if deadline is None and not any(f == "deadline" for f, _ in errors):
        errors.append(("deadline", "请填写完成期限。"))
    elif deadline is not None and deadline < today:
        errors.append(("deadline", "完成期限不能早于今天。"))
    if errors:
        _fail(errors)
    measure = Measure.objects.create(accident=accident, text=text, responsible=responsible, deadline=deadline)
    record_event(accident, "measure", actor=actor, note=f"整改措施：{text[:40]}（{responsible}，{deadline}前）")
    audit_record(actor=actor, action="accident.measure", obj=accident, data={"measure": measure.pk})
    return measure


@transaction.atomic
def measure_done(*, actor, measure, today=None):
    accident = _lock(actor, measure.accident)
    today = today or timezone.localdate()
    if measure.status == MeasureStatus.DONE:
        raise ApplicationError("该措施已落实。", code="bad_state")
    if measure.hazard_id and measure.hazard.status != "closed":
        raise ApplicationError(f"该措施以隐患 {measure.hazard.number} 跟踪，隐患销号后才算落实。", code="bad_state")
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.DONE, done_on=today)
    record_event(accident, "measure_done", actor=actor, note=f"措施已落实：{measure.text[:40]}")
    audit_record(actor=actor, action="accident.measure_done", obj=accident, data={"measure": measure.pk})


@transaction.atomic
def measure_to_hazard(*, actor, measure):
    """Track a measure at the accident's enterprise as a hazard (channel 上级交办) until it is closed."""
    from zhiben.hazards.services import hazard_report

    accident = _lock(actor, measure.accident)
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案。", code="bad_state")
    if measure.hazard_id:
        raise ApplicationError(f"该措施已以隐患 {measure.hazard.number} 跟踪。", code="bad_state")
    if measure.status == MeasureStatus.DONE:
        raise ApplicationError("该措施已落实，无须以隐患跟踪。", code="bad_state")
    if accident.enterprise_id is None:
        raise ApplicationError("事故不是登记企业的，不能以隐患跟踪；请在措施中直接登记落实情况。", code="bad_state")
    hazard = hazard_report(
        actor=actor,
        data={
            "enterprise": accident.enterprise_id,
            "channel": "assigned",
            "description": f"事故（{accident.number}）调查提出的整改措施：{measure.text}",
            "deadline": measure.deadline,
            "source_ref": accident.number,
            "found_by": measure.responsible,
        },
    )
    Measure.objects.filter(pk=measure.pk).update(hazard=hazard)
    record_event(accident, "measure_hazard", actor=actor, note=f"措施以隐患 {hazard.number} 跟踪")
    return hazard


def four_checks(accident):
    """{check: (label, passed, why)} for 四不放过."""
    investigation = Investigation.objects.filter(accident=accident).first()
    parties = list(accident.parties.all())
    measures = list(accident.measures.all())
    causes = bool(investigation and len(investigation.causes) >= 10 and investigation.approved_on)
    handled = bool(parties) and all(p.handling for p in parties)
    done = bool(measures) and all(m.status == MeasureStatus.DONE for m in measures)
    educated = bool(investigation and investigation.education_on and investigation.education_note)
    why = {
        "causes": "" if causes else "事故原因未写明或调查报告未批复",
        "handled": ""
        if handled
        else ("未认定责任者" if not parties else f"{sum(1 for p in parties if not p.handling)} 名责任者未处理"),
        "measures": ""
        if done
        else (
            "未提出整改措施"
            if not measures
            else f"{sum(1 for m in measures if m.status != MeasureStatus.DONE)} 项措施未落实"
        ),
        "educated": "" if educated else "未登记警示教育",
    }
    passed = {"causes": causes, "handled": handled, "measures": done, "educated": educated}
    return {key: (label, passed[key], why[key]) for key, label in FOUR_CHECKS.items()}


@transaction.atomic
def accident_close(*, actor, accident):
    accident = _lock(actor, accident)
    missing = [f"{label}：{why}" for label, ok, why in four_checks(accident).values() if not ok]
    if missing:
        raise ApplicationError("“四不放过”尚未做到，不能结案：" + "；".join(missing) + "。", code="not_ready")
    _move(actor, accident, "close", note="四不放过已落实，结案")
    return accident


@transaction.atomic
def accident_list(*, actor, accident, note):
    """挂牌督办 of a typical accident (an 安委办 decision)."""
    ensure_capability(actor, "accident.list", "只有安委办可以对事故挂牌督办。")
    accident = _lock(actor, accident)
    if accident.listed:
        raise ApplicationError("该事故已挂牌督办。", code="bad_state")
    if accident.status == Status.CLOSED:
        raise ApplicationError("事故已结案，不能再挂牌督办。", code="bad_state")
    note = str(note or "").strip()[:300]
    if len(note) < 4:
        _fail([("note", "请写明督办要求。")])
    accident.listed, accident.listed_at, accident.listed_by, accident.listed_note = True, timezone.now(), actor, note
    accident.save()
    record_event(accident, "list", actor=actor, note=f"挂牌督办：{note}")
    audit_record(actor=actor, action="accident.list", obj=accident, data={"note": note})
    return accident


# ---------------------------------------------------------------- targets


@transaction.atomic
def target_save(*, actor, data):
    ensure_capability(actor, "accident.list", "只有安委办可以设置事故控制目标。")
    errors = []
    region = Region.objects.for_user(actor).filter(code=_text(data, "region")).first()
    if region is None:
        errors.append(("region", "请选择您辖区内的区划。"))
    year = whole_number(_text(data, "year"))
    if year is None or not 2000 <= year <= 2100:
        errors.append(("year", "请填写年度（如 2026）。"))
    values = {}
    for name, label in (
        ("max_larger", "较大及以上事故起数上限"),
        ("max_accidents", "事故起数上限"),
        ("max_deaths", "死亡人数上限"),
    ):
        raw = _text(data, name)
        number = whole_number(raw)
        if raw == "":
            values[name] = 0 if name == "max_larger" else None
        elif number is None or number > MAX_COUNT:  # past the column's range too
            errors.append((name, f"{label}须为不小于0的整数。"))
        else:
            values[name] = number
    if errors:
        _fail(errors)
    target, _ = Target.objects.update_or_create(
        region=region, year=year, defaults={**values, "note": _text(data, "note", 200), "created_by": actor}
    )
    audit_record(actor=actor, action="accident.target", obj=target, data={"year": year, **values})
    return target


@transaction.atomic
def flag_late_steps(*, now=None):
    """Notify the 安委办 once for each report step past its clock and still not made (the job)."""
    from .selectors import late_steps

    count = 0
    for step in late_steps(now).select_for_update(of=("self",)):
        accident = step.accident
        _notify_committee(
            accident,
            f"事故上报超时：{accident.number}",
            f"{accident.subject_name}事故向{step.get_level_display()}的报告已超过时限"
            f"（{timezone.localtime(step.due_at):%m-%d %H:%M}），请立即报告并登记。",
        )
        ReportStep.objects.filter(pk=step.pk).update(late_notified=True)
        record_event(accident, "late", note=f"向{step.get_level_display()}报告超时")
        count += 1
    return count
