"""Every write to a hazard: intake from any channel, workflow transitions, plans, evidence,
extensions, listing (挂牌督办) and ledger import. Each one is atomic, scoped, evented and audited."""

import json
from collections import namedtuple
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import import_module
from itertools import repeat
from typing import NamedTuple

from django.conf import settings
from django.db import connection, connections, models, router, transaction
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.audit.services import (
    audit_entry,
    audit_record,
    audit_record_many,
    changes,
    head_lock_sql,
    import_entries,
    jsonable,
)
from zhiben.core.crypto import mask_phone
from zhiben.core.db import (
    as_id,
    insert_rows,
    insert_rows_returning_ids,
    prepared_cursor,
    row_instances,
    select_list,
    whole_number,
)
from zhiben.core.evidence import store_upload
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.memo import ProcessCache
from zhiben.core.models import Counter
from zhiben.core.rules import RuleResolver, rule
from zhiben.core.scoping import code_level, region_chain, scope_allows
from zhiben.core.services import data_text as _text
from zhiben.core.services import fail as _fail
from zhiben.core.services import next_number
from zhiben.core.timeline import actor_fields
from zhiben.enterprises.models import Enterprise
from zhiben.escalation.services import committee_admins, committee_unit
from zhiben.notifications.services import notify
from zhiben.regions.models import Industry, Region, Unit

from .choices import (
    OVERDUE_STATUSES,
    AttachmentKind,
    Category,
    Channel,
    ExtensionStatus,
    Level,
    ListingLevel,
    PlaceKind,
    Status,
)
from .criteria import applies_to_region
from .models import CriteriaItem, Hazard, HazardAttachment, HazardEvent, HazardExtension, Place
from .selectors import REPEAT_WINDOW, closed_hazards, repeat_candidate
from .workflow import BATCH, NOTE_REQUIRED, SIDE_ACTIONS, TRANSITIONS, has_duty

FIVE_FIELDS = {
    "responsible_person": "整改责任人",
    "measures": "整改措施",
    "funds": "整改资金",
    "deadline": "整改期限",
    "contingency": "应急预案/防范措施",
}
PLAN_FIELDS = {
    "plan_goal": "治理的目标和任务",
    "plan_method": "采取的方法和措施",
    "plan_resources": "经费和物资的落实",
    "plan_team": "负责治理的机构和人员",
    "plan_schedule": "治理的时限和要求",
    "plan_safety": "安全措施和应急预案",
}
EDITABLE = [
    "category",
    "description",
    "location",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funds",
    "contingency",
    "deadline",
    *PLAN_FIELDS,
    "remarks",
]
LISTING_BY_LEVEL = {2: ListingLevel.CITY, 3: ListingLevel.COUNTY, 4: ListingLevel.TOWN}


# ---------------------------------------------------------------- helpers


def _date(value, label, errors, field):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append((field, f"{label}“{value}”不是有效日期（格式：2024-06-30）。"))
        return None


def _money(value, errors):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("元", "").strip())
    except InvalidOperation:
        errors.append(("funds", f"整改资金“{value}”应为数字（元）。"))
        return None
    if amount < 0:
        errors.append(("funds", "整改资金不能为负数。"))
        return None
    return amount.quantize(Decimal("0.01"))


def deadline_limit(region_code, today):
    """The latest deadline that may be set today in `region_code` (rule "hazard.max_days")."""
    return today + timedelta(days=int(rule("hazard.max_days", region_code)))


def _deadline_too_far(deadline, limit):
    return f"整改期限 {deadline} 过远：最迟只能定到 {limit}（规则“整改期限最长天数”），确需更长时间的，核实后通过延期申请办理。"


def _masked(diff):
    """An audit diff with the 整改责任人's phone masked (personal data stays out of the audit log)."""
    if "responsible_phone" in diff:
        diff = {**diff, "responsible_phone": [mask_phone(v) for v in diff["responsible_phone"]]}
    return diff


# The supervising department per (region, industry), per process: cleared when a unit or its industries change
# (connected in apps.py).
_supervising_cache = ProcessCache("supervising", "RULE_CACHE_SECONDS")
supervising_cache_clear = _supervising_cache.clear


def responsible_unit(subject):
    """The unit answering for a subject with `region_id` and `industry_id` (an escalation's issuing unit):
    the department supervising its industry there (管行业必须管安全), else the 安委办."""
    from zhiben.escalation.services import committee_unit

    unit = supervising_unit_for(subject.region_id, subject.industry_id) if subject.industry_id else None
    return unit or committee_unit(subject.region_id)


def supervising_unit_for(region_code, industry):
    """The nearest active department up the region chain that supervises `industry` (管行业必须管安全)."""
    return _supervising_cache.get(
        (region_code, getattr(industry, "pk", industry)),
        lambda: (
            Unit.objects.filter(region_id__in=region_chain(region_code), industries=industry, is_active=True)
            .exclude(kind="committee")
            .order_by("-region_id", "id")
            .first()
        ),
    )


def hazard_event(hazard, action, *, actor=None, note="", data=None, from_status="", to_status=""):
    """Append an event to the hazard's timeline (the system acts when `actor` is None). The hazards
    Timeline registered with the platform writes through here, so `core.timeline.record_event` does too."""
    return HazardEvent.objects.create(
        hazard=hazard,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=jsonable(data or {}),
        **actor_fields(actor),
    )


def enterprise_contacts(hazard):
    """The enterprise's users (inbox) and its 主要负责人 and 实际控制人 (SMS): "及时告知"."""
    enterprise = hazard.enterprise
    if enterprise is None:
        return [], []
    return (
        list(enterprise.users.filter(is_active=True)),
        [
            (f"{enterprise.principal}（主要负责人）", enterprise.principal_phone),
            (f"{enterprise.controller}（实际控制人）", enterprise.controller_phone),
        ],
    )


def issuing_unit(hazard):
    """The unit that signs the hazard off and issues in its name: the listing unit of a 挂牌督办 hazard, else the
    supervising department, else the 安委办."""
    return hazard.listed_unit or hazard.supervising_unit or committee_unit(hazard.region_id)


def reviewers(hazard):
    """The active users of the unit that signs the hazard off (`issuing_unit`)."""
    unit = issuing_unit(hazard)
    return list(unit.users.filter(is_active=True)) if unit is not None else []


def _notify_reviewers(hazard, actor, subject, body):
    """Tell the unit that decides on the hazard (`reviewers`) of something it is to decide, all but `actor`."""
    return notify(
        subject=subject,
        body=body,
        url=hazard.get_absolute_url(),
        users=[u for u in reviewers(hazard) if u.pk != actor.pk],
        obj=hazard,
        region_code=hazard.region_id,
    )


def _notify_enterprise(hazard, subject, body):
    users, contacts = enterprise_contacts(hazard)
    return notify(
        subject=subject,
        body=body,
        url=hazard.get_absolute_url(),
        users=users,
        contacts=contacts,
        obj=hazard,
        region_code=hazard.region_id,
    )


def _lock(hazard):
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("enterprise", "industry", "region")
        .get(pk=hazard.pk)
    )


def _lock_for(actor, hazard, duty, label):
    """Lock the hazard's row and check, on its current state, that `actor` may act on it."""
    current = _lock(hazard)
    if not scope_allows(actor, current):
        raise ScopeError()
    if not has_duty(actor, current, duty, in_scope=True):
        raise ApplicationError(f"您无权对该隐患执行“{label}”。", code="forbidden")
    return current


def _state_error(hazard, label):
    return ApplicationError(f"当前状态为“{Status(hazard.status).label}”，不能执行“{label}”。", code="bad_state")


# ---------------------------------------------------------------- intake


# What a closed hazard read along with its enterprise carries: what repeat_candidate compares and the report
# event names (its number). The other columns are deferred.
REPEAT_FIELDS = ("id", "number", "enterprise_id", "place_id", "region_id", "industry_id", "status", "description",
                 "location", "occurrence")  # fmt: skip
# Such a hazard as read: repeat_candidate makes a Hazard of the one a report repeats only
ClosedRow = namedtuple("ClosedRow", REPEAT_FIELDS)


@lru_cache(maxsize=1)
def _subject_sql():
    """PostgreSQL: the statement reading an enterprise by id with its industry (see select_list) and,
    in the same statement, the closed hazards a new report of it is compared with (repeat_candidate: same region
    and industry first, then the latest, REPEAT_WINDOW of them). Written once per process: compiling the same
    read through the ORM took ~4 ms of each ~15 ms intake."""
    quote = connection.ops.quote_name
    hazard = {name: quote(Hazard._meta.get_field(name).column) for name in REPEAT_FIELDS}
    # The same region and industry sort first rather than filter: as conditions, the planner estimated them
    # generically and ANDed the region index (thousands of rows) to the enterprise's few.
    closed = (
        f"ARRAY(SELECT json_build_array({', '.join(f'h.{c}' for c in hazard.values())}) "
        f"FROM {quote(Hazard._meta.db_table)} h "
        f"WHERE h.{hazard['enterprise_id']} = e.{quote('id')} AND h.{quote('status')} = %s "
        f"ORDER BY (h.{hazard['region_id']} = e.{quote('region_id')} "
        f"AND h.{hazard['industry_id']} = e.{quote('industry_id')}) DESC, h.{quote('closed_at')} DESC "
        f"LIMIT {int(REPEAT_WINDOW)})"
    )
    return (
        f"SELECT {select_list(('e', Enterprise), ('i', Industry))}, {closed} "
        f"FROM {quote(Enterprise._meta.db_table)} e "
        f"JOIN {quote(Industry._meta.db_table)} i ON i.{quote('id')} = e.{quote('industry_id')} "
        f"WHERE e.{quote('id')} = %s"
    )


def _enterprise_for_report(actor, pk, *, scoped=True):
    """Enterprise `pk` with its industry, or None when there is none or (`scoped`) `actor` may not see it. On
    PostgreSQL the same statement reads the closed hazards a new report of it is compared with into
    `enterprise.closed_for_repeat`, so an intake reads its subject once."""
    pk = as_id(pk)
    if pk is None:
        return None
    if connection.vendor != "postgresql":
        queryset = Enterprise.objects.for_user(actor) if scoped else Enterprise.objects.all()
        return queryset.select_related("industry").filter(pk=pk).order_by().first()
    with prepared_cursor() as cursor:
        cursor.execute(_subject_sql(), [Status.CLOSED, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    (enterprise, industry), (closed,) = row_instances(row, Enterprise, Industry)
    enterprise.industry = industry
    if scoped and not scope_allows(actor, enterprise):  # the rule for_user applies, checked on the row read
        return None
    # repeat_candidate keeps those of the report's own region and industry
    enterprise.closed_for_repeat = [ClosedRow(*r) for r in closed]
    return enterprise


def _resolve_subject(actor, data, errors, enterprises=None):
    """Return (enterprise, place, region_code, industry) for a report, checking scope. `enterprises`: the
    actor's enterprises a batch refers to, loaded at once ({pk: enterprise})."""
    enterprise = place = None
    if data.get("enterprise"):
        if enterprises is not None:
            enterprise = enterprises.get(as_id(data["enterprise"]))
        else:
            enterprise = _enterprise_for_report(actor, data["enterprise"])
        if enterprise is None:
            errors.append(("enterprise", "所选生产经营单位不存在或不在您的管辖范围内。"))
            return None, None, None, None
        return enterprise, None, enterprise.region_id, enterprise.industry
    if actor.role == Role.ENTERPRISE:
        if enterprises is None and actor.enterprise_id:  # its own enterprise, with the closed hazards
            enterprise = _enterprise_for_report(actor, actor.enterprise_id, scoped=False)
        enterprise = enterprise or actor.enterprise
        return enterprise, None, enterprise.region_id, enterprise.industry
    industry = (
        Industry.objects.filter(pk=as_id(data.get("industry"))).first()
        if whole_number(data.get("industry")) is not None
        else Industry.objects.filter(code=data.get("industry") or "").first()
    )
    if data.get("place"):
        place = Place.objects.for_user(actor).filter(pk=data["place"]).first()
        if place is None:
            errors.append(("place", "所选场所不存在或不在您的管辖范围内。"))
            return None, None, None, None
    else:
        name = _text(data, "place_name", 200)
        region = Region.objects.for_user(actor).filter(code=str(data.get("region") or "").ljust(12, "0")).first()
        if not name:
            errors.append(("enterprise", "请选择生产经营单位，或填写无主体隐患的场所名称。"))
            return None, None, None, None
        if region is None:
            errors.append(("region", "请选择场所所在的村社区或镇街（须在您的管辖范围内）。"))
            return None, None, None, None
        kind = data.get("place_kind") or PlaceKind.OTHER
        if kind not in PlaceKind.values:
            kind = PlaceKind.OTHER
        place = Place(name=name, kind=kind, region=region, address=_text(data, "address", 300), created_by=actor)
    if industry is None:
        errors.append(("industry", "无主体隐患须选择行业领域。"))
        return None, None, None, None
    return None, place, place.region_id, industry


def _clean_report(actor, data, *, today, enterprises=None):
    errors = []
    enterprise, place, region_code, industry = _resolve_subject(actor, data, errors, enterprises)
    channel = data.get("channel") or (Channel.SELF_REPORT if actor.role == Role.ENTERPRISE else Channel.SUPERVISION)
    if channel not in Channel.values:
        errors.append(("channel", f"发现渠道“{channel}”无效。"))
    elif actor.role == Role.ENTERPRISE and channel != Channel.SELF_REPORT:
        errors.append(("channel", "企业用户只能以“企业自查上报”渠道上报。"))
    level = data.get("level") or Level.GENERAL
    if level not in Level.values:
        errors.append(("level", f"隐患等级“{level}”无效，应为一般隐患或重大隐患。"))
    category = data.get("category") or ""
    if category and category not in Category.values:
        errors.append(("category", f"隐患类别“{category}”无效。"))
    description = _text(data, "description")
    if len(description) < 4:
        errors.append(("description", "请描述隐患（至少4个字）。"))
    criteria_item = None
    if data.get("criteria_item"):
        criteria_item = CriteriaItem.objects.select_related("standard").filter(pk=data["criteria_item"]).first()
        if criteria_item is None:
            errors.append(("criteria_item", "所选判定标准条款不存在。"))
    criteria_other = _text(data, "criteria_other")
    if level == Level.MAJOR and criteria_item is None and not criteria_other:
        errors.append(("criteria_item", "重大隐患须选择判定依据条款，或说明认定理由。"))
    if criteria_item is not None and region_code and not applies_to_region(criteria_item.standard, region_code):
        errors.append(("criteria_item", "所选判定标准条款是其他地区的地方细则，不适用于该隐患所在地。"))
    found_date = _date(data.get("found_date"), "发现日期", errors, "found_date") or today
    if found_date > today:
        errors.append(("found_date", "发现日期不能晚于今天。"))
    deadline = _date(data.get("deadline"), "整改期限", errors, "deadline")
    limit = deadline_limit(region_code or "", today)
    if deadline is not None and deadline < today:
        errors.append(("deadline", f"整改期限 {deadline} 已过，请填写今天或以后的日期。"))
    elif deadline is not None and deadline > limit:
        errors.append(("deadline", _deadline_too_far(deadline, limit)))
    if errors:
        _fail(errors)
    if deadline is None:
        days = rule(f"hazard.default_days.{level}", region_code)
        deadline = min(today + timedelta(days=days), limit)
    return {
        "enterprise": enterprise,
        "place": place,
        "region_id": region_code,
        "industry": industry,
        "channel": channel,
        "level": level,
        "category": category,
        "description": description,
        "location": _text(data, "location", 300),
        "criteria_item": criteria_item if level == Level.MAJOR else None,
        "criteria_other": criteria_other if level == Level.MAJOR else "",
        "found_date": found_date,
        "found_by": _text(data, "found_by", 100) or actor.display_name,
        "deadline": deadline,
        "original_deadline": deadline,
        "responsible_person": _text(data, "responsible_person", 50),
        "responsible_phone": _text(data, "responsible_phone", 20),
        "measures": _text(data, "measures"),
        "funds": _money(data.get("funds"), errors),
        "contingency": _text(data, "contingency"),
        "source_ref": _text(data, "source_ref", 100),
        "remarks": _text(data, "remarks"),
        **{f: _text(data, f) for f in PLAN_FIELDS},
    }


def _number_text(county, year, value):
    return f"YH{county}{year}{value:06d}"


def _new_number(region_code, year):
    county = region_code[:6]
    return _number_text(county, year, next_number(f"hazard:{county}:{year}"))


def _insert_statement(model, table_value):
    """(INSERT statement, fields) for a row of `model` given field by field, `table_value` {column: SQL expression}
    naming the columns whose value the statement itself computes; `_prepared_values` gives the fields' values."""
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.column not in table_value]
    columns = [quote(f.column) for f in fields] + [quote(c) for c in table_value]
    values = ["%s"] * len(fields) + list(table_value.values())
    return f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) VALUES ({', '.join(values)})", fields


def _prepared_values(obj, fields):
    """The values `fields` of `obj` are written with, as save() would (auto-now dates set, encrypted fields sealed)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


@lru_cache(maxsize=2)
def _numbered_statement(lock_audit):
    """(statement, hazard fields, event fields) of `_write_numbered`: its text is written once per process."""
    counter = connection.ops.quote_name(Counter._meta.db_table)
    number = "(SELECT %s || CASE WHEN value < 1000000 THEN lpad(value::text, 6, '0') ELSE value::text END FROM n)"
    hazard_sql, hazard_fields = _insert_statement(Hazard, {"number": number})
    event_sql, event_fields = _insert_statement(HazardEvent, {"hazard_id": "(SELECT id FROM h)"})
    sql = (
        f"WITH n AS (INSERT INTO {counter} (key, value) VALUES (%s, 1) "
        f"ON CONFLICT (key) DO UPDATE SET value = {counter}.value + 1 RETURNING value), "
        f"h AS ({hazard_sql} RETURNING id, number), e AS ({event_sql} RETURNING id), "
        f"a AS ({head_lock_sql('e') if lock_audit else 'SELECT NULL AS seq, NULL AS hash'}) "
        "SELECT h.id, h.number, (SELECT id FROM e), a.seq, a.hash FROM h LEFT JOIN a ON true"
    )
    return sql, hazard_fields, event_fields


def _write_numbered(hazard, event, year, *, lock_audit):
    """PostgreSQL: draw the county's next number, write the hazard with it and its report event and (`lock_audit`)
    lock the audit chain's head, in one statement (the counter row stays locked until commit, so concurrent reports
    in one county follow each other with no gap). Returns the head's (seq, hash) for the audit row, or None."""
    county = hazard.region_id[:6]
    sql, hazard_fields, event_fields = _numbered_statement(lock_audit)
    params = [
        f"hazard:{county}:{year}",
        *_prepared_values(hazard, hazard_fields),
        f"YH{county}{year}",
        *_prepared_values(event, event_fields),
    ]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        hazard.pk, hazard.number, event.pk, seq, tip = cursor.fetchone()
    for obj in (hazard, event):
        obj._state.adding, obj._state.db = False, connection.alias
    event.hazard = hazard
    return None if seq is None else (seq, tip)


def _prepare_report(actor, data, *, today, enterprises=None, closed=None):
    """The hazard `data` describes, checked and placed (its supervising department and the closed hazard it
    repeats), not yet numbered or saved; ApplicationError naming each bad field. A batch passes what it
    loaded at once: `enterprises` ({pk: enterprise}) and `closed` ({enterprise pk: closed hazards})."""
    values = _clean_report(actor, data, today=today, enterprises=enterprises)
    if values["place"] is not None and values["place"].pk is None:
        values["place"].save()
    hazard = Hazard(created_by=actor, reporter=actor, **values)
    if not scope_allows(actor, hazard):
        raise ScopeError("该隐患不在您的管辖范围内，未保存。")
    hazard.supervising_unit = supervising_unit_for(hazard.region_id, hazard.industry)
    if closed is not None:
        candidates = closed.get(hazard.enterprise_id, []) if hazard.enterprise_id else None
    else:  # read with the enterprise (PostgreSQL), else repeat_candidate reads them
        candidates = getattr(hazard.enterprise, "closed_for_repeat", None)
    hazard.repeat_of = repeat_candidate(hazard, today=today, closed=candidates)
    hazard.occurrence = hazard.repeat_of.occurrence + 1 if hazard.repeat_of else 1
    return hazard


def _alert_repeats(hazards):
    """Hazards found again for the rule's number of times (hazard.repeat_alert_times, 0: never) are put before their
    supervising department and the 安委办 of their town and county, with an event on their timeline: the same hazard
    coming back again and again after each 销号 is the 假闭环 no one escalates by hand."""
    for hazard in hazards:
        if hazard.occurrence < 2:
            continue
        times = int(rule("hazard.repeat_alert_times", hazard.region_id))
        if not times or hazard.occurrence < times:
            continue
        subject = hazard.enterprise.name if hazard.enterprise_id else hazard.place.name
        note = (
            f"{subject}同一隐患第 {hazard.occurrence} 次发现（上一次为 {hazard.repeat_of.number}，已销号）："
            "已提示监管部门和安委办，请查明屡改屡犯的原因。"
        )
        hazard_event(
            hazard,
            "repeat_alert",
            note=note,
            data={"occurrence": hazard.occurrence, "repeat_of": hazard.repeat_of.number},
        )
        users = list(hazard.supervising_unit.users.filter(is_active=True)) if hazard.supervising_unit_id else []
        notify(
            subject=f"隐患反复出现：{hazard.number}（第 {hazard.occurrence} 次）",
            body=f"{note}隐患：{hazard.description[:80]}",
            url=hazard.get_absolute_url(),
            users=users + committee_admins(hazard.region_id),
            obj=hazard,
            region_code=hazard.region_id,
        )


def _report_event(hazard, actor):
    return HazardEvent(hazard=hazard, **_report_event_fields(hazard), **actor_fields(actor))


def _report_event_fields(hazard):
    return {
        "action": "report",
        "to_status": Status.REPORTED,
        "note": Channel(hazard.channel).label,
        "data": {"repeat_of": hazard.repeat_of.number if hazard.repeat_of else None},
    }


def _report_audit(actor, hazard):
    data = {"channel": hazard.channel, "level": hazard.level, "enterprise": hazard.enterprise_id}
    return audit_entry(actor=actor, action="hazard.report", obj=hazard, data={**data, "deadline": hazard.deadline})


@transaction.atomic
def hazard_report(*, actor, data, files=(), today=None):
    """Take a hazard in from any channel. `files` are uploads kept as 发现 evidence.

    Returns the hazard; `selectors.duplicate_candidates(hazard)` lists open or recent hazards that look the same.
    """
    if not actor.can("hazard.report"):
        raise ApplicationError("您的角色无权上报隐患。", code="forbidden")
    today = today or timezone.localdate()
    hazard = _prepare_report(actor, data, today=today)
    # The number is drawn just before the row is written: its counter row stays locked until commit, so
    # concurrent reports in one county wait only for the last statements (number, row and event; audit).
    head = None
    if connection.vendor == "postgresql":  # with uploads to store, the audit head is locked after them
        head = _write_numbered(hazard, _report_event(hazard, actor), today.year, lock_audit=not files)
    else:
        hazard.number = _new_number(hazard.region_id, today.year)
        hazard.save()
        _report_event(hazard, actor).save()
    for upload in files:
        _attach(hazard, actor, AttachmentKind.FOUND, upload)
    audit_record_many([_report_audit(actor, hazard)], head=head)
    _alert_repeats([hazard])
    return hazard


@transaction.atomic
def hazard_report_batch(*, actor, items, today=None):
    """Take many hazards in at once (integrations): all or nothing. Every item is checked first; if any is
    refused, nothing is written and the error names each item (`items.3.description`). Numbers are drawn
    per county in one statement, rows, events and audit written in bulk."""
    if not actor.can("hazard.report"):
        raise ApplicationError("您的角色无权上报隐患。", code="forbidden")
    limit = settings.BATCH_MAX
    if not items:
        _fail([("items", "请至少提交一条隐患。")])
    if len(items) > limit:
        _fail([("items", f"一次最多提交 {limit} 条隐患，本次 {len(items)} 条，请分批提交。")])
    today = today or timezone.localdate()
    ids = {as_id(data.get("enterprise")) for data in items} - {None}
    enterprises = Enterprise.objects.for_user(actor).select_related("industry").in_bulk(ids)
    closed = {}
    for hazard in closed_hazards(enterprises):
        closed.setdefault(hazard.enterprise_id, []).append(hazard)
    hazards, errors = [], []
    for index, data in enumerate(items):
        try:
            hazards.append(_prepare_report(actor, data, today=today, enterprises=enterprises, closed=closed))
        except ApplicationError as exc:
            for error in exc.errors or [{"field": "", "message": exc.message}]:
                field = f"items.{index}.{error['field']}" if error["field"] else f"items.{index}"
                errors.append({"field": field, "message": f"第 {index + 1} 条：{error['message']}"})
    if errors:
        refused = len({e["field"].split(".")[1] for e in errors})
        raise ApplicationError(f"批量上报失败：{refused} 条有误，未写入任何隐患。", errors=errors)
    by_county = {}
    for hazard in hazards:
        by_county.setdefault(hazard.region_id[:6], []).append(hazard)
    for county, group in by_county.items():
        last = next_number(f"hazard:{county}:{today.year}", len(group))
        for offset, hazard in enumerate(group):
            hazard.number = _number_text(county, today.year, last - len(group) + 1 + offset)
    with _tallies_once():
        _insert_instances(hazards)
    events = [_report_event_fields(h) for h in hazards]  # columns, not 1,000 more model instances
    _insert_columns(
        HazardEvent,
        len(events),
        {
            "hazard_id": _Ready(h.pk for h in hazards),
            "at": _Same(timezone.now()),
            "actor_id": _Same(actor.pk),
            "actor_name": _Same(actor.display_name),
            **{name: [event[name] for event in events] for name in events[0]},
        },
    )
    audit_record_many([_report_audit(actor, h) for h in hazards])
    _alert_repeats(hazards)
    return hazards


# ---------------------------------------------------------------- workflow


def _check_ready_to_start(hazard):
    missing = [label for field, label in FIVE_FIELDS.items() if getattr(hazard, field) in (None, "")]
    if hazard.is_major:
        missing += [label for field, label in PLAN_FIELDS.items() if not getattr(hazard, field)]
        if missing:
            raise ApplicationError(
                "重大隐患须落实“五落实”并制定治理方案后才能开始整改，尚缺：" + "、".join(missing) + "。",
                code="incomplete",
            )
    else:
        missing = [m for m in missing if m in ("整改责任人", "整改措施", "整改期限")]
        if missing:
            raise ApplicationError("开始整改前请填写：" + "、".join(missing) + "。", code="incomplete")


def _check_evidence(hazard):
    kinds = set(hazard.attachments.values_list("kind", flat=True))
    if not kinds & {AttachmentKind.AFTER, AttachmentKind.ACCEPTANCE}:
        raise ApplicationError("请先上传整改后照片或验收材料。", code="incomplete")


def review_deadline(region_code, submitted):
    """The day by which a 销号 request made on `submitted` is to be reviewed: rule hazard.review_days of the hazard's
    region, fixed when the request is made (as a deadline is). Only the workflow's 申请销号 starts one: an import
    brings requests waiting for 销号 in historic ledgers only, which are not reviewed."""
    return submitted + timedelta(days=int(rule("hazard.review_days", region_code)))


def signoff_refusal(hazard, actor):
    """Why `actor` may not sign off `hazard`, or None. 假闭环 ("fake closure"): the person who applied for 销号 does not
    sign it off too (rule hazard.signoff_by_other)."""
    if not rule("hazard.signoff_by_other", hazard.region_id):
        return None
    applied = hazard.events.filter(action="submit").order_by("-at", "-id").values_list("actor_id", flat=True).first()
    if applied == actor.pk:
        return "申请销号的人员不能审核销号同一条隐患（防止“自己整改、自己销号”）：请由监管部门的其他人员审核。"
    return None


@transaction.atomic
def hazard_transition(*, actor, hazard, action, note="", target=None, rectified_date=None, today=None):
    """Move a hazard along the workflow table. A conditional UPDATE guarantees that of two people
    acting at once only one wins; the other gets a clear message and changes nothing."""
    if action not in TRANSITIONS:
        raise ApplicationError(f"未知的操作“{action}”。")
    spec = TRANSITIONS[action]
    today = today or timezone.localdate()
    current = _lock_for(actor, hazard, spec.duty, spec.label)
    if current.status not in spec.sources:
        raise _state_error(current, spec.label)
    note = (note or "").strip()
    fields = {"status": spec.target}
    data = {}
    if action in ("reject", "return", "merge") and not note:
        raise ApplicationError(f"“{spec.label}”须填写{NOTE_REQUIRED[action]}。", code="incomplete")
    if action == "verify":
        fields["verified_at"] = timezone.now()
    elif action == "merge":
        into = Hazard.objects.for_user(actor).filter(pk=getattr(target, "pk", target)).first()
        if into is None or into.pk == current.pk:
            raise ApplicationError("请选择要合并到的另一条隐患（须在您的管辖范围内）。", code="incomplete")
        if into.status in (Status.MERGED, Status.REJECTED):
            raise ApplicationError(
                f"隐患 {into.number} 已{Status(into.status).label}，不能作为合并目标。", code="bad_state"
            )
        fields["merged_into"] = into
        data["merged_into"] = into.number
    elif action == "start":
        _check_ready_to_start(current)
    elif action == "submit":
        _check_evidence(current)
        done = rectified_date or today
        if isinstance(done, str):
            errors = []
            done = _date(done, "整改完成日期", errors, "rectified_date")
            if errors:
                _fail(errors)
        if done > today or done < current.found_date:
            raise ApplicationError("整改完成日期应在发现日期与今天之间。", code="incomplete")
        fields["rectified_date"] = done
        fields["review_deadline"] = review_deadline(current.region_id, today)
    elif action == "close":
        _check_evidence(current)
        if not note:
            raise ApplicationError(f"销号须填写{NOTE_REQUIRED[action]}。", code="incomplete")
        if refusal := signoff_refusal(current, actor):
            raise ApplicationError(refusal, code="forbidden")
        fields.update(closed_at=timezone.now(), closed_by=actor)
    updated = Hazard.objects.filter(pk=current.pk, status=current.status).update(**fields, updated_at=timezone.now())
    if updated != 1:
        latest = Hazard.objects.get(pk=current.pk)
        raise ApplicationError(
            f"该隐患已被他人处理（当前状态：{Status(latest.status).label}），请刷新后查看。", code="conflict"
        )
    hazard_event(current, action, actor=actor, from_status=current.status, to_status=spec.target, note=note, data=data)
    audit_record(
        actor=actor,
        action=f"hazard.{action}",
        obj=current,
        data={"from": current.status, "to": spec.target, "note": note, **data},
    )
    current.refresh_from_db()
    if action == "verify":
        _notify_enterprise(
            current,
            f"隐患已核实：{current.number}",
            f"贵单位隐患“{current.description[:60]}”已核实为{current.get_level_display()}，请于 {current.deadline} 前完成整改。",
        )
    elif action == "submit":  # the reviewers learn of the request at once, not only days before its deadline
        _notify_reviewers(
            current,
            actor,
            f"隐患申请销号待审核：{current.number}",
            f"{current.subject}的隐患“{current.description[:60]}”已整改完成（{current.rectified_date}）并申请销号，"
            f"请于 {current.review_deadline} 前现场核查验收，审核销号或退回整改。",
        )
    elif action in ("return", "close"):
        returned = action == "return"
        _notify_enterprise(
            current,
            f"隐患{'销号申请被退回' if returned else '已销号'}：{current.number}",
            f"贵单位隐患“{current.description[:60]}”"
            + (
                f"的销号申请未通过，已退回整改：{note}。整改期限 {current.deadline}。"
                if returned
                else f"已审核销号。审核意见：{note}"
            ),
        )
    elif action == "merge":
        hazard_event(
            fields["merged_into"],
            "merged_in",
            actor=actor,
            note=f"{current.number}（{current.get_channel_display()}）已合并至此",
            data={"duplicate": current.number},
        )
    return current


def hazard_transition_many(*, actor, ids, action, note="", today=None):
    """One workflow step on several hazards at once (the ledger's 批量处理, the API's batch transitions), each moved
    by hazard_transition on its own (core.workflow.transition_many: what cannot be moved is reported with the reason,
    the rest done). Refused whole for merge (it names a hazard of its own), an unknown step or a missing note."""
    return BATCH.run(
        Hazard.objects.for_user(actor),
        ids,
        action,
        note,
        lambda hazard: hazard_transition(actor=actor, hazard=hazard, action=action, note=note, today=today),
    )


@transaction.atomic
def hazard_update_plan(*, actor, hazard, data):
    """Fill in or change the rectification plan: 五落实 and, for 重大 hazards, the 治理方案."""
    label = SIDE_ACTIONS["edit_plan"][2]
    current = _lock_for(actor, hazard, "rectify", label)
    if current.status not in SIDE_ACTIONS["edit_plan"][0]:
        raise _state_error(current, label)
    errors = []
    today = timezone.localdate()
    before = {f: getattr(current, f) for f in EDITABLE}
    for field in EDITABLE:
        if field not in data:
            continue
        if field == "funds":
            current.funds = _money(data[field], errors)
        elif field == "deadline":
            if current.status != Status.REPORTED and str(data[field] or "") != str(current.deadline or ""):
                errors.append(("deadline", "核实后整改期限只能通过延期申请变更。"))
                continue
            value = _date(data[field], "整改期限", errors, "deadline")
            limit = deadline_limit(current.region_id, today)
            if value is not None and value < today:
                errors.append(("deadline", "整改期限不能早于今天。"))
            elif value is not None and value != current.deadline and value > limit:
                errors.append(("deadline", _deadline_too_far(value, limit)))
            elif value is not None:
                current.deadline = current.original_deadline = value
        elif field == "category":
            if data[field] and data[field] not in Category.values:
                errors.append(("category", "隐患类别无效。"))
            else:
                current.category = data[field] or ""
        elif field == "description":
            text = _text(data, field)
            if len(text) < 4:
                errors.append(("description", "请描述隐患（至少4个字）。"))
            current.description = text
        else:
            max_length = getattr(Hazard._meta.get_field(field), "max_length", None)
            setattr(current, field, _text(data, field, max_length))
    if errors:
        _fail(errors)
    current.save()
    diff = changes(before, {f: getattr(current, f) for f in EDITABLE})
    if diff:
        if "description" in diff and current.status != Status.REPORTED:
            # after verification the hazard as verified stays on its timeline: the old text is kept there
            old_text, new_text = diff["description"]
            hazard_event(
                current,
                "edit_description",
                actor=actor,
                note=f"原描述：{old_text}",
                data={"old": old_text, "new": new_text},
            )
        others = sorted(set(diff) - {"description"}) if current.status != Status.REPORTED else sorted(diff)
        if others:
            hazard_event(current, "edit_plan", actor=actor, note="更新整改方案", data={"fields": others})
        audit_record(actor=actor, action="hazard.edit_plan", obj=current, data={"changes": _masked(diff)})
    return current


@transaction.atomic
def hazard_list(*, actor, hazard, note=""):
    """挂牌督办 by the actor's 安委办 at its level; the listing unit then owns the sign-off."""
    label = "挂牌督办"
    current = _lock_for(actor, hazard, "listing", label)
    if current.status not in SIDE_ACTIONS["list"][0]:
        raise _state_error(current, label)
    unit = actor.unit
    level = LISTING_BY_LEVEL.get(code_level(unit.region_id))
    if level is None:
        raise ApplicationError("只有镇街、区县或市级安委办可以挂牌督办。", code="forbidden")
    order = [ListingLevel.TOWN, ListingLevel.COUNTY, ListingLevel.CITY]
    if current.listed_level and order.index(level) <= order.index(current.listed_level):
        raise ApplicationError(
            f"该隐患已由{current.listed_unit}以“{current.get_listed_level_display()}”挂牌，只能提级挂牌。",
            code="bad_state",
        )
    previous = current.listed_unit.name if current.listed_unit else ""
    Hazard.objects.filter(pk=current.pk).update(
        listed_level=level, listed_unit=unit, listed_at=timezone.now(), updated_at=timezone.now()
    )
    current.refresh_from_db()
    hazard_event(
        current,
        "list",
        actor=actor,
        note=note or f"{unit.name}{level.label}",
        data={"level": level, "unit": unit.name, "previous": previous},
    )
    audit_record(
        actor=actor,
        action="hazard.list",
        obj=current,
        data={"level": level, "unit": unit.pk, "previous": previous, "note": note},
    )
    _notify_enterprise(
        current,
        f"隐患挂牌督办：{current.number}",
        f"贵单位隐患“{current.description[:60]}”已由{unit.name}挂牌督办，请于 {current.deadline} 前完成整改并申请销号。",
    )
    return current


@transaction.atomic
def hazard_request_extension(*, actor, hazard, new_deadline, reason, today=None):
    label = "申请延期"
    today = today or timezone.localdate()
    current = _lock_for(actor, hazard, "rectify", label)
    if current.status not in SIDE_ACTIONS["request_extension"][0]:
        raise _state_error(current, label)
    errors = []
    new = _date(new_deadline, "延期后的期限", errors, "new_deadline")
    if not errors and new is None:
        errors.append(("new_deadline", "请填写延期后的期限。"))
    elif new is not None and current.deadline and new <= current.deadline:
        errors.append(("new_deadline", f"延期后的期限应晚于现期限 {current.deadline}。"))
    elif new is not None and new < today:
        errors.append(("new_deadline", "延期后的期限不能早于今天。"))
    if not (reason or "").strip():
        errors.append(("reason", "请说明延期理由。"))
    if current.extensions.filter(status=ExtensionStatus.PENDING).exists():
        errors.append(("new_deadline", "已有待审批的延期申请。"))
    if errors:
        _fail(errors)
    extension = HazardExtension.objects.create(
        hazard=current, requested_by=actor, old_deadline=current.deadline, new_deadline=new, reason=reason.strip()
    )
    hazard_event(
        current, "request_extension", actor=actor, note=reason.strip(), data={"from": current.deadline, "to": new}
    )
    audit_record(
        actor=actor,
        action="hazard.request_extension",
        obj=current,
        data={"from": current.deadline, "to": new, "reason": reason},
    )
    _notify_reviewers(  # at once: the clock of the deadline it would move runs on meanwhile
        current,
        actor,
        f"隐患延期申请待审批：{current.number}",
        f"{current.subject}申请将隐患“{current.description[:60]}”的整改期限由 {current.deadline} 延至 {new}，"
        f"理由：{reason.strip()[:100]}。请在整改期限前审批。",
    )
    return extension


@transaction.atomic
def hazard_decide_extension(*, actor, extension, grant, note=""):
    label = "审批延期"
    hazard = extension.hazard
    current = _lock_for(actor, hazard, "signoff", label)
    new_status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    if not grant and not (note or "").strip():
        raise ApplicationError("不予批准须填写理由。", code="incomplete")
    claimed = HazardExtension.objects.filter(pk=extension.pk, status=ExtensionStatus.PENDING).update(
        status=new_status, decided_by=actor, decided_at=timezone.now(), decision_note=(note or "").strip()
    )
    if claimed != 1:
        raise ApplicationError("该延期申请已被处理。", code="conflict")
    if grant:
        Hazard.objects.filter(pk=current.pk).update(deadline=extension.new_deadline, updated_at=timezone.now())
    hazard_event(
        current,
        "grant_extension" if grant else "refuse_extension",
        actor=actor,
        note=note,
        data={"from": extension.old_deadline, "to": extension.new_deadline},
    )
    audit_record(
        actor=actor,
        action="hazard.grant_extension" if grant else "hazard.refuse_extension",
        obj=current,
        data={"from": extension.old_deadline, "to": extension.new_deadline, "note": note},
    )
    extension.refresh_from_db()
    _notify_enterprise(
        current,
        f"隐患延期申请{'已批准' if grant else '未获批准'}：{current.number}",
        f"贵单位隐患“{current.description[:60]}”的延期申请"
        + (
            f"已批准，整改期限延至 {extension.new_deadline}。"
            if grant
            else f"未获批准：{extension.decision_note}。整改期限仍为 {extension.old_deadline}。"
        ),
    )
    return extension


def _attach(hazard, actor, kind, upload):
    return store_upload(
        HazardAttachment(hazard=hazard, kind=kind, uploaded_by=actor),
        upload,
        size_rule="hazard.attachment_max_mb",
        region_code=hazard.region_id,
    )


@transaction.atomic
def hazard_attach(*, actor, hazard, kind, files):
    label = "上传证据"
    current = _lock_for(actor, hazard, "rectify", label)
    if current.status not in SIDE_ACTIONS["attach"][0]:
        raise _state_error(current, label)
    if kind not in AttachmentKind.values:
        raise ApplicationError(f"证据类型“{kind}”无效。")
    if not files:
        raise ApplicationError("请选择要上传的文件。")
    saved = [_attach(current, actor, kind, upload) for upload in files]
    hazard_event(
        current,
        "attach",
        actor=actor,
        note=f"{AttachmentKind(kind).label} {len(saved)} 个文件",
        data={"kind": kind, "files": [a.original_name for a in saved], "sha256": [a.sha256 for a in saved]},
    )
    audit_record(
        actor=actor, action="hazard.attach", obj=current, data={"kind": kind, "sha256": [a.sha256 for a in saved]}
    )
    return saved


# ---------------------------------------------------------------- ledger import


def _day_start(day):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(12))) if day else timezone.now()


LEDGER_LEVELS = {
    "一般": Level.GENERAL,
    "一般隐患": Level.GENERAL,
    "一般事故隐患": Level.GENERAL,
    "重大": Level.MAJOR,
    "重大隐患": Level.MAJOR,
    "重大事故隐患": Level.MAJOR,
}
LEDGER_CHANNELS = {label: value for value, label in Channel.choices} | {
    "自查": Channel.SELF_REPORT,
    "企业自查": Channel.SELF_REPORT,
    "督查": Channel.SUPERVISION,
    "督导": Channel.SUPERVISION,
    "执法": Channel.ENFORCEMENT,
    "举报": Channel.PUBLIC,
    "暗访": Channel.UNANNOUNCED,
    "交办": Channel.ASSIGNED,
    "监测": Channel.MONITORING,
}
LEDGER_CLOSED = {"已销号", "销号"}
LEDGER_RECTIFIED = {"已整改", "已完成", "完成", "是", "已闭环"}
LEDGER_RECTIFYING = {"整改中"}
# how far along the workflow each state is: an import may not start a hazard beyond what its importer may create
WORKFLOW_ORDER = [Status.REPORTED, Status.VERIFIED, Status.RECTIFYING, Status.SUBMITTED, Status.CLOSED]


def may_import_historic(actor):
    """Historic ledgers (archives kept with their own states) are imported by the 安委办 only."""
    return actor.is_superuser or actor.role == Role.COMMITTEE_ADMIN


def allowed_channels(actor):
    """The discovery channels `actor` may report or import under: an enterprise only its self-inspection."""
    if actor.role == Role.ENTERPRISE:
        return [Channel.SELF_REPORT]
    return list(Channel.values)


def _ledger_state(row):
    """(state the ledger row records or None when it records none beyond "not rectified", its column)."""
    status = str(row.get("status") or "").strip()
    if row.get("closed_date"):
        return Status.CLOSED, "closed_date"
    if status in LEDGER_CLOSED:
        return Status.CLOSED, "status"
    if row.get("rectified_date"):
        return Status.SUBMITTED, "rectified_date"
    if status in LEDGER_RECTIFIED:
        return Status.SUBMITTED, "status"
    if status in LEDGER_RECTIFYING:
        return Status.RECTIFYING, "status"
    return None, "status"


@transaction.atomic
def hazard_import_ledger(
    *,
    actor,
    rows,
    enterprise=None,
    channel=None,
    source_name="",
    today=None,
    historic=False,
    columns=None,
):
    """Create hazards from parsed ledger rows ([{field: value, "_row": n}]), all or nothing.

    The enterprise comes from the row's `enterprise` column (matched by name or credit code within
    the actor's scope) or from `enterprise` for a single-enterprise ledger. `columns` ({field: original
    header}) names the file's columns in the errors.

    An import enters the workflow like any other intake: each hazard starts at the state its importer
    may create — 已核实 for those holding the triage duty on it (workflow.has_duty), otherwise 待核实.
    A row recording a later state (整改中, 已整改, a rectification or closing date, 已销号), a channel
    the importer may not use, or a deadline beyond the rule "hazard.max_days" is refused with its row
    and column. With `historic` (the 安委办 only) the ledger is an archive: rows keep their recorded
    states and dates and are marked historic, which keeps them out of on-time/overdue figures,
    reminders and escalation.
    """
    if not actor.can("hazard.import"):
        raise ApplicationError("您的角色无权导入隐患台账。", code="forbidden")
    if historic and not may_import_historic(actor):
        raise ApplicationError("只有安委办管理员可以导入历史台账。", code="forbidden")
    today = today or timezone.localdate()
    columns = columns or {}
    channels = allowed_channels(actor)
    default_channel = channel or Channel.SELF_REPORT  # for rows without a channel column
    if default_channel not in Channel.values:
        raise ApplicationError(f"发现渠道“{default_channel}”无效。")
    if not historic and default_channel not in channels:
        raise ApplicationError("企业用户只能以“企业自查上报”渠道导入隐患。", code="forbidden")
    enterprise = enterprise or actor.enterprise
    scoped = Enterprise.objects.for_user(actor)
    names = {str(r.get("enterprise") or "").strip() for r in rows} - {""}
    by_name = {}  # the enterprises named, by name and by credit code: (pk, region_id, industry_id) is all a row needs
    for key in ("name", "credit_code"):
        for found in scoped.filter(**{f"{key}__in": names}).values_list(key, "pk", "region_id", "industry_id"):
            by_name[found[0]] = _Subject(*found[1:])
    supervising = _supervising_units({(e.region_id, e.industry_id) for e in (*by_name.values(), enterprise) if e})
    triage = {}  # supervising unit id → whether the importer triages hazards it supervises (has_duty), once each
    max_days, default_days = (
        RuleResolver("hazard.max_days"),
        {level: RuleResolver(f"hazard.default_days.{level}") for level in Level.values},
    )
    units, limits, defaults = {}, {}, {}  # per (region, industry), region, (level, region): looked up once each
    errors, prepared = [], []
    sheet = None  # the row's sheet, when several sheets were read as one ledger

    def refuse(n, field, message):
        error = {"row": n, "column": columns.get(field, field), "message": message}
        errors.append({**error, "sheet": sheet} if sheet else error)

    def limit_for(region_id):
        try:
            return limits[region_id]
        except KeyError:
            limits[region_id] = value = today + timedelta(days=int(max_days.value(region_id)))
            return value

    for row in rows:
        n, sheet = row.get("_row"), row.get("_sheet")
        name = str(row.get("enterprise") or "").strip()
        subject = by_name.get(name) if name else enterprise
        if subject is None:
            refuse(
                n,
                "enterprise",
                f"生产经营单位“{name}”未登记或不在您的管辖范围内。"
                if name
                else "缺少生产经营单位：请在文件中提供单位名称，或导入时指定单位。",
            )
            continue
        description = str(row.get("description") or "").strip()
        if len(description) < 2:
            refuse(n, "description", "隐患描述为空。")
            continue
        level = LEDGER_LEVELS.get(str(row.get("level") or "一般").strip())
        if level is None:
            refuse(n, "level", f"隐患等级“{row.get('level')}”无法识别，应为一般或重大。")
            continue
        found = row.get("found_date") or today
        deadline = row.get("deadline")
        if isinstance(found, str) or (deadline is not None and isinstance(deadline, str)):
            refuse(n, "found_date", "日期未能识别。")
            continue
        channel_text = str(row.get("source_channel") or "").strip()
        row_channel = LEDGER_CHANNELS.get(channel_text, default_channel)
        state, state_column = _ledger_state(row)
        region_id = subject.region_id
        key = (region_id, subject.industry_id)
        if key not in units:  # the supervising department and whether the importer triages there, once per key
            unit = supervising[key]
            if (unit_id := unit.pk if unit is not None else None) not in triage:
                probe = Hazard(region_id=region_id, industry_id=subject.industry_id, supervising_unit=unit)
                triage[unit_id] = has_duty(actor, probe, "triage", in_scope=True)
            units[key] = (unit, triage[unit_id])
        unit, triages = units[key]
        if historic:
            status = state or Status.VERIFIED
        else:
            status = Status.VERIFIED if triages else Status.REPORTED
            problems = False
            if row_channel not in channels:
                refuse(
                    n,
                    "source_channel",
                    f"发现渠道“{channel_text or Channel(row_channel).label}”不可用："
                    "企业用户导入的隐患只能是“企业自查上报”。",
                )
                problems = True
            if state is not None and WORKFLOW_ORDER.index(state) > WORKFLOW_ORDER.index(status):
                recorded = {
                    "closed_date": f"销号日期 {row.get('closed_date')}",
                    "rectified_date": f"整改完成日期 {row.get('rectified_date')}",
                }.get(state_column, f"整改状态“{row.get('status')}”")
                refuse(
                    n,
                    state_column,
                    f"台账记录的{recorded}（{Status(state).label}）超出导入可建立的状态：导入的隐患以"
                    f"“{Status(status).label}”进入流程，整改、申请销号和销号须在系统中按流程办理。"
                    "已办结的历史台账请由安委办管理员以“历史台账”方式导入。",
                )
                problems = True
            limit = limit_for(region_id)
            if deadline is not None and deadline > limit:
                refuse(n, "deadline", _deadline_too_far(deadline, limit))
                problems = True
            if problems:
                continue
        if deadline is None:
            try:
                days = defaults[(level, region_id)]
            except KeyError:
                days = defaults[(level, region_id)] = int(default_days[level].value(region_id))
            deadline = found + timedelta(days=days)
            if not historic:
                deadline = min(deadline, limit_for(region_id))
        where = f"工作表“{sheet}”第 {n} 行" if sheet else f"第 {n} 行"  # as the hazard's history names its origin
        prepared.append((where, subject, description, level, found, deadline, row_channel, status, unit, row))
    if errors:
        raise ApplicationError(f"导入失败：共 {len(errors)} 处错误，未写入任何数据。", errors=errors)
    # Numbers: one counter step per county and year for the whole file, given out in row order.
    blocks = {}
    for _n, subject, _d, _l, found, *_ in prepared:
        blocks[(subject.region_id[:6], found.year)] = blocks.get((subject.region_id[:6], found.year), 0) + 1
    following = {}
    for (county, year), count in blocks.items():
        following[(county, year)] = next_number(f"hazard:{county}:{year}", count) - count + 1
    numbers = []
    for _n, subject, _d, _l, found, *_ in prepared:
        block = (subject.region_id[:6], found.year)
        value = following[block]
        following[block] = value + 1
        numbers.append(_number_text(block[0], block[1], value))
    now = timezone.now()
    # the rows a column at a time (the driver writes them so): [p[i] for p in prepared] is one pass per column
    subjects = [p[1] for p in prepared]
    levels = [p[3] for p in prepared]
    deadlines = [p[5] for p in prepared]
    statuses = [p[7] for p in prepared]
    cells = [p[9] for p in prepared]

    def text(field, limit=None):
        values = [str(row.get(field) or "") for row in cells]
        return [v[:limit] for v in values] if limit else values

    def when_closed(row, status):
        return (
            (row.get("rectified_date") or row.get("closed_date"))
            if status in (Status.SUBMITTED, Status.CLOSED)
            else None
        )

    region_ids = [e.region_id for e in subjects]
    values = {
        "number": numbers,
        "enterprise_id": [e.pk for e in subjects],
        "region_id": region_ids,
        "industry_id": [e.industry_id for e in subjects],
        "channel": [p[6] for p in prepared],
        "level": levels,
        "description": [p[2][:4000] for p in prepared],
        "criteria_other": ["台账导入：判定依据见原台账" if level == Level.MAJOR else "" for level in levels],
        "location": text("address", 300),
        "found_date": [p[4] for p in prepared],
        "found_by": text("found_by", 100),
        "reporter_id": _Same(actor.pk),
        "created_by_id": _Same(actor.pk),
        "status": statuses,
        "deadline": deadlines,
        "original_deadline": deadlines,
        "measures": text("measures"),
        "responsible_person": text("responsible_person", 50),
        "funds": [row.get("funds") for row in cells],
        "rectified_date": [when_closed(row, status) for row, status in zip(cells, statuses)],
        "closed_at": [
            _day_start(row.get("closed_date")) if status == Status.CLOSED else None
            for row, status in zip(cells, statuses)
        ],
        "verified_at": [now if status != Status.REPORTED else None for status in statuses],
        "source_ref": text("seq", 100),
        "remarks": text("remarks"),
        "supervising_unit_id": [p[8].pk if p[8] is not None else None for p in prepared],
        "historic": _Same(historic),
        "created_at": _Same(now),
        "updated_at": _Same(now),
    }
    with _tallies_once():
        ids = _insert_columns(Hazard, len(prepared), values, returning_ids=True)
    kind = "历史台账导入" if historic else "台账导入"
    source = source_name or "文件"
    _insert_columns(
        HazardEvent,
        len(prepared),
        {
            "hazard_id": _Ready(ids),  # the keys drawn from the sequence: integers as the driver takes them
            "at": _Same(now),
            "actor_id": _Same(actor.pk),
            "actor_name": _Same(actor.display_name),
            "action": _Same("import_historic" if historic else "import"),
            "to_status": statuses,
            "note": [f"{kind}（{source} {p[0]}）" for p in prepared],
        },
    )
    # every hazard is listed in the import's audit events (and has its own import event in its history)
    sheets = any("_sheet" in p[9] for p in prepared)  # several sheets read as one ledger: rows named by sheet too
    audit_record_many(
        import_entries(
            actor=actor,
            action="hazard.import",
            object_type=Hazard._meta.label_lower,
            label="导入历史隐患台账" if historic else "导入隐患台账",
            source=source_name,
            columns=("row", "id", "number", "sheet") if sheets else ("row", "id", "number"),
            records=[
                [p[9].get("_row"), key, number, *([p[9].get("_sheet")] if sheets else [])]
                for key, number, p in zip(ids, numbers, prepared)
            ],
            regions=region_ids,
            extra={"historic": True} if historic else None,
        )
    )
    return {"created": len(prepared)}


@contextmanager
def _tallies_once():
    """Around one INSERT of many hazards: the roll-ups (FoundTally, ClosedTally, DueTally) added to once for all the
    statement's rows instead of row by row.

    PostgreSQL's tally triggers already run once per statement. SQLite's run once per row (three upserts per hazard,
    ~0.9 s of a 10,000-row ledger): inside the import's transaction, which holds SQLite's only write lock, the insert
    trigger is set aside, the new rows (the ids above the largest before) are added to the tallies by the statements
    PostgreSQL's trigger runs (migration 0007_tallies.set_statements over OVERDUE_STATUSES, as 0012 wrote them,
    summed per key), and the trigger is created again from its own stored text — all in the transaction, so no other
    connection ever writes without it, and a failure rolls the whole back with the trigger in place."""
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'hazards_tally_insert'")
        found = cursor.fetchone()
        if found is None:
            yield
            return
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Hazard._meta.db_table}")
        last = cursor.fetchone()[0]
        cursor.execute("DROP TRIGGER hazards_tally_insert")
        yield
        tallies = import_module("zhiben.hazards.migrations.0007_tallies")
        source = f"SELECT *, 1 AS s FROM {Hazard._meta.db_table} WHERE id > {int(last)}"
        for statement in tallies.set_statements(tallies.Dialect("sqlite"), source, due=OVERDUE_STATUSES):
            cursor.execute(statement)
        cursor.execute(found[0])


class _Subject(NamedTuple):
    """An enterprise as a ledger row needs it."""

    pk: int
    region_id: str
    industry_id: int | None


def _supervising_units(keys):
    """{(region code, industry id): its supervising department or None} for every key, as supervising_unit_for
    finds it (the nearest active department up the region chain supervising the industry, the committee excepted;
    the lowest id among those of one region), in one query for all the keys."""
    keys = set(keys)
    chains = {region: region_chain(region) for region, _ in keys}
    industries = {industry for _, industry in keys if industry is not None}
    found = {}
    if industries:
        codes = {code for chain in chains.values() for code in chain}
        units = (
            Unit.objects.filter(region_id__in=codes, industries__in=industries, is_active=True)
            .exclude(kind="committee")
            .annotate(supervised=models.F("industries"))
            .order_by("-region_id", "id")
        )
        for unit in units:
            found.setdefault((unit.region_id, unit.supervised), unit)
    return {
        (region, industry): next((found[(c, industry)] for c in chains[region] if (c, industry) in found), None)
        if industry is not None
        else supervising_unit_for(region, industry)
        for region, industry in keys
    }


def _insert_instances(objs):
    """Write unsaved instances of one model as bulk_create would (each field's pre_save, as for an INSERT), through
    the driver (`_insert_columns`); the instances get their keys and count as saved."""
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = {f.attname: [f.pre_save(obj, True) for obj in objs] for f in fields}
    ids = _insert_columns(model, len(objs), values, returning_ids=True)
    db = router.db_for_write(model)
    for obj, key in zip(objs, ids):
        obj.pk = key
        obj._state.adding, obj._state.db = False, db


class _Same:
    """One value for every row of a column (`_insert_columns`)."""

    def __init__(self, value):
        self.value = value


class _Ready(list):
    """A column's values already as the database takes them (`_insert_columns` writes them as they are)."""


def _insert_columns(model, count, values, *, returning_ids=False):
    """Write `count` rows of `model` through the driver (core.db.insert_rows), given a column at a time: `values`
    {attname: [value per row] or _Same(value)}, each value prepared as save() prepares it, every other column its
    default. Building 10,000 model instances and compiling bulk_create's placeholders took ~4 s; here text goes as
    it is, a repeated value is prepared once, and other values once per distinct value (a file holds few distinct
    dates). With `returning_ids`, the new rows' ids in row order (core.db.insert_rows_returning_ids)."""
    if not count:
        return []
    db = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]

    def column(field):
        given = values.get(field.attname, _Same(field.get_default()))
        if isinstance(given, _Same):
            if isinstance(field, models.JSONField) and db.vendor == "postgresql":
                # as text, encoded once: the driver's JSON wrapper is encoded again for every row (COPY reads text)
                return repeat(json.dumps(given.value, cls=field.encoder), count)
            return repeat(field.get_db_prep_save(given.value, db), count)
        if type(field) in (models.CharField, models.TextField) or isinstance(given, _Ready):
            return given
        prepared, out = {}, []
        for value in given:
            try:
                out.append(prepared[value])
            except KeyError:
                prepared[value] = result = field.get_db_prep_save(value, db)
                out.append(result)
            except TypeError:  # not hashable (a dict for a JSON field)
                out.append(field.get_db_prep_save(value, db))
        return out

    write = insert_rows_returning_ids if returning_ids else insert_rows
    return write(model, [f.column for f in fields], list(zip(*[column(f) for f in fields])))
