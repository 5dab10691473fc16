"""Writes of the training module: people, certificates, training bodies, sessions, attendance and the
attendance-sheet import. Every write checks rights and jurisdiction, refuses bad input with Chinese
messages naming the field or row, writes its audit row in the same transaction, and writes nothing when
anything is wrong."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.crypto import blind_indexes, normalise
from zhiben.core.db import row_by_id
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.scoping import normalize_code
from zhiben.core.services import actor_covers, data_date, data_text, ensure_capability, fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.models import Enterprise
from zhiben.regions.models import Region, Unit

from .choices import CertificateKind, ExamResult, PersonKind, ReviewResult, SessionKind, SpecialCategory
from .models import Attendance, Certificate, Person, Session, TrainingBody, UncertifiedCase
from .workflow import TRANSITIONS

MANAGE = "training.manage"

# ---------------------------------------------------------------- identity numbers (GB 11643-1999)

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def check_digit(first17):
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def identity_error(value):
    """None when `value` is a valid 18-digit 公民身份号码, else the Chinese reason."""
    text = normalise(value)
    if not text:
        return "身份证号不能为空"
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return f"身份证号“{value}”应为 18 位（前 17 位数字，末位数字或 X）"
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return f"身份证号“{value}”中的出生日期无效"
    if born.year < 1900 or born > date.today():
        return f"身份证号“{value}”中的出生日期无效"
    if check_digit(text[:17]) != text[17]:
        return f"身份证号“{value}”校验码不正确（GB 11643-1999）"
    return None


def find_person(id_number):
    """The person with this identity number (blind-index lookup), or None."""
    indexes = blind_indexes(id_number)
    return Person.objects.filter(id_index__in=indexes).first() if indexes else None


# ---------------------------------------------------------------- helpers


def _check_region(actor, code):
    if not actor_covers(actor, code):
        raise ScopeError()


def _enterprise(actor, value):
    """An enterprise in the actor's scope (ScopeError otherwise); None for an empty value."""
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    qs = Enterprise.objects.all() if actor is None else Enterprise.objects.for_user(actor)
    found = row_by_id(qs, pk)
    if found is None:
        raise ScopeError("企业不存在或不在您的管辖范围内。")
    return found


def _unit(actor, value):
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    qs = Unit.objects.all() if actor is None else Unit.objects.for_user(actor)
    found = row_by_id(qs, pk)
    if found is None:
        raise ScopeError("单位不存在或不在您的管辖范围内。")
    return found


def _choice(data, key, choices, label, errors, *, required=True):
    value = data_text(data, key)
    if not value and not required:
        return ""
    if value not in dict(choices):
        errors.append((key, f"{label}“{value}”无效。" if value else f"请选择{label}。"))
    return value


def _decimal(value, label, errors, field, *, required=True, low=None, high=None):
    if value in (None, ""):
        if required:
            errors.append((field, f"请填写{label}。"))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append((field, f"{label}“{value}”不是数字。"))
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        errors.append((field, f"{label}“{value}”超出范围。"))
        return None
    return number


# ---------------------------------------------------------------- people


@transaction.atomic
def person_save(*, actor, data, person=None):
    """Create or change a person: a worker of an enterprise, or an official of a unit."""
    ensure_capability(actor, MANAGE)
    if person is not None and actor is not None and not Person.objects.for_user(actor).filter(pk=person.pk).exists():
        raise ScopeError()
    errors = []
    name = data_text(data, "name", 50)
    if not name:
        errors.append(("name", "请填写姓名。"))
    kind = _choice(data, "kind", PersonKind.choices, "人员类别", errors)
    if actor is not None and actor.enterprise_id:  # an enterprise registers its own people only
        enterprise, unit = _enterprise(actor, actor.enterprise_id), None
    else:
        enterprise, unit = _enterprise(actor, data.get("enterprise")), _unit(actor, data.get("unit"))
    official = kind in (PersonKind.OFFICIAL, PersonKind.ENFORCEMENT)
    if official and unit is None:
        errors.append(("unit", "党政领导干部和执法人员须填写所在单位。"))
    if not official and kind and enterprise is None:
        errors.append(("enterprise", "从业人员、主要负责人、安全管理人员须填写所在企业。"))
    id_number = normalise(data_text(data, "id_number")) or (person.id_number if person is not None else "")
    problem = identity_error(id_number)
    if problem:
        errors.append(("id_number", problem + "。"))
    else:
        other = find_person(id_number)
        if other is not None and (person is None or other.pk != person.pk):
            seen = actor is None or Person.objects.for_user(actor).filter(pk=other.pk).exists()
            who = f"（{other.name}）" if seen else "（在其他辖区或单位）"  # never name a person out of scope
            errors.append(("id_number", f"身份证号 {other.id_masked} 已登记{who}，不能重复登记。"))
    special_post = str(data.get("special_post") or "").lower() in ("1", "true", "on", "yes", "是")
    category = _choice(data, "special_category", SpecialCategory.choices, "作业类别", errors, required=False)
    if special_post and not category:
        errors.append(("special_category", "特种作业岗位须选择作业类别。"))
    if errors:
        fail(errors)
    place = enterprise if enterprise is not None and not official else None
    region_id = place.region_id if place else unit.region_id
    _check_region(actor, region_id)
    created = person is None
    person = person or Person(created_by=actor)
    person.name = name
    person.kind = kind
    person.enterprise = place
    person.unit = unit if official else None
    person.region_id = region_id
    person.industry_id = place.industry_id if place else None
    person.post = data_text(data, "post", 100)
    person.special_post = special_post
    person.special_category = category if special_post else ""
    person.id_number = id_number
    person.active = str(data.get("active", "1")).lower() not in ("0", "false", "off", "no", "否")
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        fail([("id_number", "该身份证号已登记，不能重复登记。")])
    audit_record(
        actor=actor,
        action="training.person_add" if created else "training.person_change",
        obj=person,
        region_code=person.region_id,
        data={"name": person.name, "kind": person.kind, "id_number": person.id_masked},
    )
    return person


# ---------------------------------------------------------------- certificates


@transaction.atomic
def certificate_save(*, actor, person, data):
    """Add a certificate to a person: kind, number (unique per kind), issue and expiry dates."""
    ensure_capability(actor, MANAGE)
    if actor is not None and not Person.objects.for_user(actor).filter(pk=person.pk).exists():
        raise ScopeError()
    errors = []
    kind = _choice(data, "kind", CertificateKind.choices, "证书类型", errors)
    category = _choice(data, "category", SpecialCategory.choices, "作业类别", errors, required=False)
    if kind == CertificateKind.SPECIAL and not category:
        errors.append(("category", "特种作业操作证须填写作业类别。"))
    number = data_text(data, "number", 50)
    if not number:
        errors.append(("number", "请填写证书编号。"))
    elif kind and Certificate.objects.filter(kind=kind, number=number).exists():
        errors.append(("number", f"证书编号“{number}”已登记，不能重复登记。"))
    issued = data_date(data.get("issued_on"), "发证日期", errors, "issued_on")
    expires = data_date(data.get("expires_on"), "有效期至", errors, "expires_on")
    if issued is None and not any(f == "issued_on" for f, _ in errors):
        errors.append(("issued_on", "请填写发证日期。"))
    if expires is None and not any(f == "expires_on" for f, _ in errors):
        errors.append(("expires_on", "请填写有效期至。"))
    if issued and expires and expires <= issued:
        errors.append(("expires_on", f"有效期至 {expires} 早于或等于发证日期 {issued}。"))
    if errors:
        fail(errors)
    certificate = Certificate(
        person=person,
        region_id=person.region_id,
        enterprise_id=person.enterprise_id,
        industry_id=person.industry_id,
        kind=kind,
        category=category,
        number=number,
        issuer=data_text(data, "issuer", 100),
        issued_on=issued,
        expires_on=expires,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        fail([("number", f"证书编号“{number}”已登记，不能重复登记。")])
    audit_record(
        actor=actor,
        action="training.certificate_add",
        obj=certificate,
        region_code=certificate.region_id,
        data={"person": person.pk, "kind": kind, "number": number, "expires_on": expires},
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor, certificate, data, today=None):
    """注销 a certificate (transition "revoke" of workflow.TRANSITIONS) on a date between its issue and today,
    with the reason. A revoked certificate is not valid from that date on (nor reminded of)."""
    transition = TRANSITIONS["revoke"]
    ensure_capability(actor, transition.duty)
    visible = Certificate.objects.all() if actor is None else Certificate.objects.for_user(actor)
    current = visible.select_for_update().filter(pk=certificate.pk).first()
    if current is None:
        raise ScopeError()
    if current.state not in transition.sources:
        when = f"于 {current.revoked_on} " if current.revoked_on else ""
        raise ApplicationError(f"证书 {current.number} 已{when}注销，不能再次注销。", code="bad_state")
    today = today or timezone.localdate()
    errors = []
    day = data_date(data.get("revoked_on"), "注销日期", errors, "revoked_on")
    if day is None and not errors:
        errors.append(("revoked_on", "请填写注销日期。"))
    elif day is not None and day > today:
        errors.append(("revoked_on", f"注销日期 {day} 晚于今天。"))
    elif day is not None and day < current.issued_on:
        errors.append(("revoked_on", f"注销日期 {day} 早于发证日期 {current.issued_on}。"))
    reason = data_text(data, "reason", 200)
    if not reason:
        errors.append(("reason", "请填写注销原因。"))
    if errors:
        fail(errors)
    current.revoked, current.revoked_on, current.revoke_reason = True, day, reason
    current.save(update_fields=["revoked", "revoked_on", "revoke_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="training.certificate_revoke",
        obj=current,
        region_code=current.region_id,
        data={"person": current.person_id, "number": current.number, "revoked_on": day, "reason": reason},
    )
    return current


# ---------------------------------------------------------------- the uncertified worker as a 重大隐患


def hazard_open(person):
    """The open hazard the person's missing certificate was reported as, or None."""
    from zhiben.hazards.choices import OPEN_STATUSES

    hazard = person.hazard if person.hazard_id else None
    return hazard if hazard is not None and hazard.status in OPEN_STATUSES else None


@transaction.atomic
def person_to_hazard(*, actor, person, today=None):
    """Report a worker on a special-operation post without a valid certificate as a 重大隐患 of their
    enterprise through the hazard intake (特种作业人员未持证上岗; the criteria item of the enterprise's
    industry when the catalogue holds one, else the reason in words), and link it to the person. Refused
    while an earlier such hazard of the person is still open, and for workers who are not uncertified."""
    from zhiben.accounts.choices import Role
    from zhiben.hazards.choices import Category, Channel, Level, Status
    from zhiben.hazards.services import hazard_report

    from .selectors import criteria_text, uncertified_criteria, uncertified_workers

    if not actor.can("hazard.report"):
        raise ApplicationError("您的角色无权上报隐患。", code="forbidden")
    current = Person.objects.for_user(actor).select_for_update().filter(pk=person.pk).first()
    if current is None:
        raise ScopeError()
    today = today or timezone.localdate()
    open_hazard = hazard_open(current)
    if open_hazard is not None:
        raise ApplicationError(
            f"{current.name}未持证已转为重大隐患 {open_hazard.number}（{Status(open_hazard.status).label}），"
            "该隐患销号前不能重复转。",
            code="bad_state",
        )
    if current.enterprise_id is None:
        raise ApplicationError(f"{current.name}不属于登记的生产经营单位，不能转为企业隐患。", code="bad_state")
    if not uncertified_workers(None, day=today).filter(pk=current.pk).exists():
        raise ApplicationError(
            f"{current.name}持有相应类别的有效特种作业操作证，或不在特种作业岗位上，无须转为隐患。", code="bad_state"
        )
    item = uncertified_criteria(current.enterprise)
    category = current.get_special_category_display()
    hazard = hazard_report(
        actor=actor,
        data={
            "enterprise": current.enterprise_id,
            "channel": Channel.SELF_REPORT if actor.role == Role.ENTERPRISE else Channel.SUPERVISION,
            "level": Level.MAJOR,
            "category": Category.MANAGEMENT,
            "description": f"特种作业人员未持证上岗：{current.name}（{current.post or '特种作业岗位'}）从事{category}，"
            f"未持有相应类别的有效特种作业操作证。",
            "location": current.post,
            "criteria_item": item.pk if item else "",
            "criteria_other": "" if item else f"特种作业人员未持证上岗（参照{criteria_text()}）",
            "measures": "立即停止其特种作业；组织参加特种作业安全技术培训考核，取得相应资格后方可上岗。",
        },
        today=today,
    )
    current.hazard = hazard
    current.save(update_fields=["hazard", "updated_at"])
    record_event(current, "to_hazard", actor=actor, note=f"未持证转为重大隐患 {hazard.number}")
    audit_record(
        actor=actor,
        action="training.person_hazard",
        obj=current,
        region_code=current.region_id,
        data={"hazard": hazard.number, "criteria_item": item.pk if item else None},
    )
    return hazard


# ---------------------------------------------------------------- training bodies


@transaction.atomic
def body_save(*, actor, data, body=None):
    """Register a training body or record its review against the basic conditions."""
    ensure_capability(actor, MANAGE)
    if actor is not None and actor.enterprise_id:
        raise ApplicationError("企业用户不能登记培训机构。", code="forbidden")
    errors = []
    name = data_text(data, "name", 200)
    if not name:
        errors.append(("name", "请填写机构名称。"))
    region_code = data_text(data, "region") or (body.region_id if body else "") or getattr(actor, "region_id", "")
    region_code = normalize_code(region_code) or region_code
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors.append(("region", "请选择所属区划。"))
    result = _choice(data, "review_result", ReviewResult.choices, "评估结果", errors, required=False)
    reviewed = data_date(data.get("reviewed_on"), "评估日期", errors, "reviewed_on")
    if result and reviewed is None and not any(f == "reviewed_on" for f, _ in errors):
        errors.append(("reviewed_on", "填写评估结果时须填写评估日期。"))
    if errors:
        fail(errors)
    _check_region(actor, region.code)
    clash = TrainingBody.objects.filter(region=region, name=name)
    if body is not None:
        clash = clash.exclude(pk=body.pk)
    if clash.exists():
        fail([("name", f"{region.name}已登记“{name}”。")])
    created = body is None
    body = body or TrainingBody(created_by=actor)
    body.name = name
    body.region = region
    body.credit_code = data_text(data, "credit_code", 18)
    body.address = data_text(data, "address", 300)
    body.contact = data_text(data, "contact", 50)
    body.scope = data_text(data, "scope", 300)
    body.review_result = result
    body.reviewed_on = reviewed
    body.review_note = data_text(data, "review_note")
    body.save()
    audit_record(
        actor=actor,
        action="training.body_add" if created else "training.body_review",
        obj=body,
        region_code=region.code,
        data={"name": name, "review_result": result},
    )
    return body


# ---------------------------------------------------------------- sessions and attendance


@transaction.atomic
def session_save(*, actor, data, session=None):
    """Record a training (or change one): type, organiser, training body, date, hours, topics."""
    ensure_capability(actor, MANAGE)
    if session is not None and actor is not None and not Session.objects.for_user(actor).filter(pk=session.pk).exists():
        raise ScopeError()
    errors = []
    title = data_text(data, "title", 200)
    if not title:
        errors.append(("title", "请填写培训名称。"))
    kind = _choice(data, "kind", SessionKind.choices, "培训类型", errors)
    organiser = data_text(data, "organiser", 200)
    if not organiser:
        errors.append(("organiser", "请填写组织单位。"))
    held = data_date(data.get("held_on"), "培训日期", errors, "held_on")
    if held is None and not any(f == "held_on" for f, _ in errors):
        errors.append(("held_on", "请填写培训日期。"))
    hours = _decimal(data.get("hours"), "学时", errors, "hours", low=Decimal("0.5"), high=Decimal("1000"))
    if actor is not None and actor.enterprise_id:  # an enterprise records its own trainings only
        enterprise = _enterprise(actor, actor.enterprise_id)
    else:
        enterprise = _enterprise(actor, data.get("enterprise"))
    region_code = enterprise.region_id if enterprise else (data_text(data, "region") or getattr(actor, "region_id", ""))
    region_code = normalize_code(region_code) or region_code
    if not Region.objects.filter(code=region_code).exists():
        errors.append(("region", "请选择培训所属区划。"))
    body = None
    if data.get("body") not in (None, ""):
        body = TrainingBody.objects.filter(pk=getattr(data.get("body"), "pk", data.get("body"))).first()
        if body is None:
            errors.append(("body", "培训机构不存在。"))
    if errors:
        fail(errors)
    _check_region(actor, region_code)
    created = session is None
    session = session or Session(created_by=actor)
    session.title = title
    session.kind = kind
    session.organiser = organiser
    session.held_on = held
    session.hours = hours
    session.topics = data_text(data, "topics")
    session.has_exam = str(data.get("has_exam") or "").lower() in ("1", "true", "on", "yes", "是")
    session.enterprise = enterprise
    session.region_id = region_code
    session.industry_id = enterprise.industry_id if enterprise else None
    session.body = body
    session.save()
    audit_record(
        actor=actor,
        action="training.session_add" if created else "training.session_change",
        obj=session,
        region_code=region_code,
        data={"title": title, "kind": kind, "held_on": held},
    )
    return session


def _check_session(actor, session):
    ensure_capability(actor, MANAGE)
    if actor is not None and not Session.objects.for_user(actor).filter(pk=session.pk).exists():
        raise ScopeError()


RESULT_WORDS = {
    "合格": ExamResult.PASSED,
    "通过": ExamResult.PASSED,
    "passed": ExamResult.PASSED,
    "不合格": ExamResult.FAILED,
    "未通过": ExamResult.FAILED,
    "failed": ExamResult.FAILED,
    "": ExamResult.NONE,
    "未考试": ExamResult.NONE,
}
ATTEND_WORDS = {"": True, "是": True, "到": True, "到课": True, "1": True, "否": False, "缺": False}
ATTEND_WORDS |= {"缺课": False, "0": False, "未到": False}


def _attendance_values(attended_text, score_text, result_text, label, errors, pass_mark):
    """(attended, score, result) from the texts of a row or form; errors named with `label`."""
    attended = ATTEND_WORDS.get(str(attended_text or "").strip())
    if attended is None:
        errors.append(f"{label}到课“{attended_text}”无效（填 是 或 否）")
    score = None
    if str(score_text or "").strip():
        try:
            score = Decimal(str(score_text).strip())
        except InvalidOperation:
            score = None
        if score is None or not Decimal(0) <= score <= Decimal(1000):
            errors.append(f"{label}成绩“{score_text}”不是 0–1000 之间的数字")
            score = None
    result = RESULT_WORDS.get(str(result_text or "").strip())
    if result is None:
        errors.append(f"{label}考试结果“{result_text}”无效（填 合格 或 不合格）")
    elif result == ExamResult.NONE and score is not None:
        result = ExamResult.PASSED if score >= pass_mark else ExamResult.FAILED
    if attended is False and result:
        errors.append(f"{label}未到课却有考试结果")
    return attended, score, result


@transaction.atomic
def attendance_add(*, actor, session, person, attended=True, score=None, result=""):
    _check_session(actor, session)
    if actor is not None and not Person.objects.for_user(actor).filter(pk=person.pk).exists():
        raise ScopeError("人员不存在或不在您的管辖范围内。")
    from zhiben.core.rules import rule

    errors = []
    values = _attendance_values(
        "是" if attended else "否",
        score,
        result,
        "",
        errors,
        Decimal(str(rule("training.pass_mark", session.region_id))),
    )
    if errors:
        raise ApplicationError("；".join(errors) + "。")
    row, _ = Attendance.objects.update_or_create(
        session=session, person=person, defaults={"attended": values[0], "score": values[1], "result": values[2]}
    )
    audit_record(
        actor=actor,
        action="training.attendance",
        obj=session,
        region_code=session.region_id,
        data={"person": person.pk, "attended": values[0], "result": values[2]},
    )
    return row


COLUMNS = {
    "id_number": ("身份证号", ("身份证号码", "公民身份号码", "证件号码", "身份证")),
    "name": ("姓名", ("学员姓名", "参训人员", "人员姓名")),
    "attended": ("到课", ("是否到课", "出勤", "签到")),
    "score": ("成绩", ("考试成绩", "分数", "得分")),
    "result": ("考试结果", ("考核结果", "是否合格", "结果")),
}


def map_columns(headers):
    """{field: column index} for the headers of an uploaded sheet."""
    from zhiben.enterprises.importers import column_index

    return column_index(headers, COLUMNS)


def _people_by_identity(visible, numbers):
    """{normalised identity number: person} of the numbers that name a person in `visible`, in one query
    per 500 numbers (a blind index under every configured key)."""
    keys = {normalise(n) for n in numbers if n and not identity_error(n)}
    by_index = {index: key for key in keys for index in blind_indexes(key)}
    found = {}
    indexes = list(by_index)
    for start in range(0, len(indexes), 500):
        for person in visible.filter(id_index__in=indexes[start : start + 500]):
            found[by_index[person.id_index]] = person
    return found


def _sheet_person(raw, name, label, people, errors):
    """The registered person a sheet row names by identity number (`people`: see _people_by_identity),
    whose name matches when the row gives one; else None with the row's error appended."""
    problem = identity_error(raw)
    if problem:
        errors.append(f"{label}{problem}")
        return None
    key = normalise(raw)
    person = people.get(key)
    if person is None:
        errors.append(f"{label}身份证号 {mask(key)} 的人员未登记（或不在您的管辖范围内），请先登记人员")
        return None
    if name and name != person.name:
        errors.append(f"{label}姓名“{name}”与登记的姓名不符（身份证号 {mask(key)}）")
        return None
    return person


def _refuse_rows(errors, what):
    shown = errors[:50] + ([f"……另有 {len(errors) - 50} 处错误"] if len(errors) > 50 else [])
    raise ApplicationError(
        f"导入未完成：{len(errors)} 处错误，未写入任何{what}。",
        errors=[{"field": "file", "message": m} for m in shown],
    )


def attendance_import(*, actor, session, upload, filename="", sheets=None):
    """Import an attendance sheet (身份证号, 姓名, 到课, 成绩, 考试结果) into a session. People are found by
    identity number among those the actor may see; the name, when given, must match. Any bad row refuses the
    whole file with row-numbered Chinese messages; otherwise rows are written (a person already on the
    session is updated). Returns the number of rows written. `sheets`, a list, is filled with the sheets read and
    left out (`core.excel.read_table`)."""
    from zhiben.core.excel import read_table
    from zhiben.core.rules import rule

    _check_session(actor, session)
    _, headers, body = read_table(upload, filename=filename, columns=map_columns, sheets=sheets)
    columns = map_columns(headers)
    if "id_number" not in columns:
        raise ApplicationError("缺少必填列：身份证号。请使用导入模板，或在表头写明这一列。")
    pass_mark = Decimal(str(rule("training.pass_mark", session.region_id)))
    visible = Person.objects.all() if actor is None else Person.objects.for_user(actor)
    index = columns["id_number"]
    people = _people_by_identity(visible, [cells[index] for _, cells in body if index < len(cells)])
    rows, errors, seen = [], [], {}
    for number, cells in body:

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        label = f"第 {number} 行："
        person = _sheet_person(cell("id_number"), cell("name"), label, people, errors)
        if person is None:
            continue
        if person.pk in seen:
            errors.append(f"{label}身份证号与第 {seen[person.pk]} 行重复")
            continue
        seen[person.pk] = number
        row_errors = []
        values = _attendance_values(cell("attended"), cell("score"), cell("result"), label, row_errors, pass_mark)
        if row_errors:
            errors += row_errors
            continue
        rows.append((person, values))
    if errors:
        _refuse_rows(errors, "参训记录")
    with transaction.atomic():
        existing = {
            a.person_id: a
            for a in Attendance.objects.select_for_update().filter(session=session, person__in=[p for p, _ in rows])
        }
        new, changed = [], []
        for person, (attended, score, result) in rows:
            row = existing.get(person.pk) or Attendance(session=session, person=person)
            row.attended, row.score, row.result = attended, score, result
            (changed if row.pk else new).append(row)
        Attendance.objects.bulk_create(new, batch_size=500)
        Attendance.objects.bulk_update(changed, ["attended", "score", "result"], batch_size=500)
        audit_record(
            actor=actor,
            action="training.attendance_import",
            obj=session,
            region_code=session.region_id,
            data={"rows": len(rows), "file": filename[:100]},
        )
    return len(rows)


# ---------------------------------------------------------------- uncertified cases (what the ladder follows)


def _uncertified_since(certificates, today):
    """(since, reason) of a worker found uncertified on `today`: when their latest certificate of the post's
    category ran out (its expiry, or its revocation), else `today` (they never held one)."""
    ended = []
    for c in certificates:
        if c.revoked and (c.revoked_on is None or c.revoked_on < c.expires_on):
            day = min(c.revoked_on or today, today)
            ended.append((day, f"特种作业操作证（编号 {c.number}）已于 {day} 注销"))
        elif c.expires_on < today:
            ended.append((c.expires_on, f"特种作业操作证（编号 {c.number}）已于 {c.expires_on} 到期"))
    if ended:
        return max(ended)
    return today, "未取得相应类别的特种作业操作证"


@transaction.atomic
def uncertified_sync(today):
    """Bring the cases up to `today`: open one for each worker uncertified that day who has none open,
    resolve the open cases of those who are not (certified again, off the post, gone). Idempotent; two
    workers at once open one case each at most (a partial unique constraint). Returns (opened, resolved)."""
    from .selectors import uncertified_workers

    flagged = {p.pk: p for p in uncertified_workers(None, day=today)}
    open_cases = dict(UncertifiedCase.objects.filter(resolved_on__isnull=True).values_list("person_id", "pk"))
    gone = [pk for person_id, pk in open_cases.items() if person_id not in flagged]
    for start in range(0, len(gone), 500):
        UncertifiedCase.objects.filter(pk__in=gone[start : start + 500]).update(resolved_on=today)
    new = [p for pk, p in flagged.items() if pk not in open_cases]
    held = {}
    for start in range(0, len(new), 500):
        for c in Certificate.objects.filter(
            kind=CertificateKind.SPECIAL, person__in=[p.pk for p in new[start : start + 500]]
        ):
            held.setdefault(c.person_id, []).append(c)
    cases = []
    for person in new:
        mine = [c for c in held.get(person.pk, []) if c.category in ("", person.special_category)]
        since, reason = _uncertified_since(mine, today)
        cases.append(
            UncertifiedCase(
                person=person,
                region_id=person.region_id,
                enterprise_id=person.enterprise_id,
                industry_id=person.industry_id,
                since=since,
                reason=reason[:200],
            )
        )
    UncertifiedCase.objects.bulk_create(cases, batch_size=500, ignore_conflicts=True)
    return len(cases), len(gone)


CERTIFICATE_COLUMNS = {
    "id_number": ("身份证号", ("身份证号码", "公民身份号码", "证件号码", "身份证")),
    "name": ("姓名", ("持证人", "持证人姓名", "人员姓名")),
    "kind": ("证书类型", ("证书种类", "证件类型")),
    "category": ("作业类别", ("操作项目", "作业项目", "准操项目")),
    "number": ("证书编号", ("证号", "证书号", "操作证号")),
    "issuer": ("发证机关", ("发证单位",)),
    "issued_on": ("发证日期", ("初领日期", "领证日期")),
    "expires_on": ("有效期至", ("有效期截止", "有效期截止日期", "到期日期")),
}
CERTIFICATE_REQUIRED = ("id_number", "number", "issued_on", "expires_on")


def _words(choices):
    """{label or code: code} of a choice list, for the cells of a sheet."""
    return {text: value for value, text in choices} | {value: value for value, _ in choices}


def certificate_import(*, actor, upload, filename="", sheets=None):
    """Import a list of certificates (身份证号, 姓名, 证书类型, 作业类别, 证书编号, 发证机关, 发证日期,
    有效期至): people found by identity number among those the actor may see, the kind 特种作业操作证 when
    left blank. Any bad row — an unknown person, expiry on or before issue, a number already registered or
    repeated in the file — refuses the whole file with row-numbered Chinese messages, nothing written.
    Returns the number of certificates written; `sheets` as for `attendance_import`."""
    from zhiben.core.excel import read_table
    from zhiben.enterprises.importers import column_index

    ensure_capability(actor, MANAGE)
    _, headers, body = read_table(
        upload, filename=filename, columns=lambda headers: column_index(headers, CERTIFICATE_COLUMNS), sheets=sheets
    )
    columns = column_index(headers, CERTIFICATE_COLUMNS)
    missing = [CERTIFICATE_COLUMNS[f][0] for f in CERTIFICATE_REQUIRED if f not in columns]
    if missing:
        raise ApplicationError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板，或在表头写明这些列。")

    def cell(cells, name):
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    visible = Person.objects.all() if actor is None else Person.objects.for_user(actor)
    people = _people_by_identity(visible, [cell(cells, "id_number") for _, cells in body])
    numbers = [cell(cells, "number") for _, cells in body]
    registered = set()
    for start in range(0, len(numbers), 500):
        registered |= set(
            Certificate.objects.filter(number__in=numbers[start : start + 500]).values_list("kind", "number")
        )
    kinds, categories = _words(CertificateKind.choices), _words(SpecialCategory.choices)
    rows, errors, seen = [], [], {}
    for row_number, cells in body:
        label = f"第 {row_number} 行："
        person = _sheet_person(cell(cells, "id_number"), cell(cells, "name"), label, people, errors)
        kind = kinds.get(cell(cells, "kind") or CertificateKind.SPECIAL.label)
        if kind is None:
            errors.append(f"{label}证书类型“{cell(cells, 'kind')}”无效")
        category = categories.get(cell(cells, "category"), None) if cell(cells, "category") else ""
        if category is None:
            errors.append(f"{label}作业类别“{cell(cells, 'category')}”无效")
        elif kind == CertificateKind.SPECIAL and not category:
            errors.append(f"{label}特种作业操作证须填写作业类别")
        number = cell(cells, "number")[:50]
        if not number:
            errors.append(f"{label}缺少证书编号")
        elif kind and (kind, number) in seen:
            errors.append(f"{label}证书编号“{number}”与第 {seen[(kind, number)]} 行重复")
        elif kind and (kind, number) in registered:
            errors.append(f"{label}证书编号“{number}”已登记，不能重复登记")
        if kind and number:
            seen.setdefault((kind, number), row_number)
        dates, problems = {}, []
        for name, text in (("issued_on", "发证日期"), ("expires_on", "有效期至")):
            dates[name] = data_date(cell(cells, name), text, problems, name)
            if dates[name] is None and not cell(cells, name):
                problems.append((name, f"缺少{text}"))
        errors += [f"{label}{message.rstrip('。')}" for _, message in problems]
        issued, expires = dates["issued_on"], dates["expires_on"]
        if issued and expires and expires <= issued:
            errors.append(f"{label}有效期至 {expires} 早于或等于发证日期 {issued}")
        if person is not None and kind and category is not None and number and issued and expires:
            rows.append((person, kind, category, number, cell(cells, "issuer")[:100], issued, expires))
    if errors:
        _refuse_rows(errors, "证书")
    certificates = [
        Certificate(
            person=person,
            region_id=person.region_id,
            enterprise_id=person.enterprise_id,
            industry_id=person.industry_id,
            kind=kind,
            category=category,
            number=number,
            issuer=issuer,
            issued_on=issued,
            expires_on=expires,
            created_by=actor,
        )
        for person, kind, category, number, issuer, issued, expires in rows
    ]
    try:
        with transaction.atomic():
            Certificate.objects.bulk_create(certificates, batch_size=500)
            audit_record(
                actor=actor,
                action="training.certificate_import",
                object_type="training.certificate",
                object_repr=f"导入证书 {len(certificates)} 本",
                region_code=getattr(actor, "region_id", "") or "",
                data={"rows": len(certificates), "file": filename[:100]},
            )
    except IntegrityError:  # registered by someone else meanwhile
        raise ApplicationError("导入未完成：有证书编号刚由他人登记，未写入任何证书，请重新导入。") from None
    return len(certificates)


def mask(id_number):
    from zhiben.core.crypto import mask_identity

    return mask_identity(id_number)
