"""Every write of the watch module: the roster (a week at once, or imported from a sheet), the duty log and
handovers, information reports (create, pass on, 书面报告, 续报, 终报) and the roster-gap notices.
Atomic, scoped, evented and audited. Services that read the clock take `now=` (tests move it)."""

import re
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import definition, rule
from zhiben.core.scoping import code_level, in_subtree, region_chain
from zhiben.core.services import data_text as _text
from zhiben.core.services import ensure_capability, next_number
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.regions.models import Region, Unit

from . import selectors
from .choices import DutyRole, EventKind, LogKind, ReportStatus, UpdateKind
from .models import (
    DutyDay,
    DutyLogEntry,
    DutyPerson,
    DutySlot,
    EventReport,
    GapNotice,
    Handover,
    ReportLevel,
    ReportUpdate,
    user_level,
)
from .workflow import TRANSITIONS

# ---------------------------------------------------------------- people as typed

SEPARATORS = re.compile(r"[、，,；;\n/]+")
PHONE = re.compile(r"[0-9][0-9\- ]{5,}[0-9]")


def parse_people(text):
    """[(name, phone)] from "张三 13800138000、李四（023-65001234）"; ValueError naming a bad item."""
    people = []
    for item in SEPARATORS.split(str(text or "")):
        item = item.strip()
        if not item:
            continue
        match = PHONE.search(item)
        phone = re.sub(r"[\s-]", "", match.group(0)) if match else ""
        name = (item[: match.start()] + item[match.end() :]) if match else item
        name = re.sub(r"[（）()：:\s]", "", name)
        if not name:
            raise ValueError(f"“{item}”缺少姓名")
        if re.search(r"\d", name):
            raise ValueError(f"“{item}”的电话号码格式不正确")
        if phone and not 7 <= len(phone) <= 12:
            raise ValueError(f"“{item}”的电话号码位数不正确")
        if len(name) > 50:
            raise ValueError(f"“{item}”的姓名过长")
        people.append((name, phone))
    return people


def people_text(people):
    """The inverse of parse_people, for prefilling a form: "张三 13800138000、李四"."""
    return "、".join(f"{p.name} {p.phone}".strip() for p in people)


# ---------------------------------------------------------------- rights


def check_unit(actor, unit, message="您的角色无权编排值班表。"):
    """Refuse unless `actor` may keep `unit`'s roster and log (None: the system)."""
    if actor is None:
        return
    ensure_capability(actor, "watch.manage", message)
    if not Unit.objects.for_user(actor).filter(pk=unit.pk).exists():
        raise ScopeError()
    if actor.unit_id != unit.pk and actor.role != "anweiban_admin":
        raise ApplicationError("只能编排和记录本单位的值班。", code="forbidden")


def _duty_day(unit, day, actor=None):
    duty_day, _ = DutyDay.objects.get_or_create(
        unit=unit, day=day, defaults={"region_id": unit.region_id, "created_by": actor}
    )
    return duty_day


def _accounts(unit):
    """{name: user} of the unit's active accounts whose name is unique in it (links a roster name)."""
    from zhiben.accounts.models import User

    seen = {}
    for user in User.objects.filter(unit=unit, is_active=True).exclude(name=""):
        seen[user.name] = None if user.name in seen else user
    return {name: user for name, user in seen.items() if user is not None}


# ---------------------------------------------------------------- the roster


def _check_rows(unit, rows, today):
    """Validate roster rows [{"label", "day", "shift", "leaders", "staff"}] (leaders/staff as text or as
    [(name, phone)]). Returns the rows with their windows and people, or raises with each row's errors."""
    shifts = selectors.shifts_for(unit.region_id)
    names = [name for name, _ in shifts]
    errors, clean, seen = [], [], {}
    for row in rows:
        problems = []
        day = row.get("day")
        if not isinstance(day, date):
            problems.append(row.get("day_error") or "值班日期无效")
        elif day < today:
            problems.append(f"{day} 已过，不能再修改以前的值班表")
        shift = (row.get("shift") or "").strip() or names[0]
        if shift not in names:
            problems.append(f"班次“{shift}”不存在（本辖区班次：{'、'.join(names)}）")
        people = {}
        for key, label in (("leaders", "带班领导"), ("staff", "值班人员")):
            value = row.get(key) or []
            try:
                people[key] = parse_people(value) if isinstance(value, str) else list(value)
            except ValueError as exc:
                problems.append(f"{label}{exc}")
                people[key] = []
        if not problems and row.get("require_people") and not (people["leaders"] or people["staff"]):
            problems.append("带班领导和值班人员都为空")
        if not problems:
            key = (day, shift)
            if key in seen:
                problems.append(f"与{seen[key]}的日期和班次重复")
            seen[key] = row["label"]
        if problems:
            errors.append(f"{row['label']}：" + "；".join(problems))
            continue
        index = names.index(shift)
        _, _, starts_at, ends_at = selectors.shift_windows(day, shifts)[index]
        clean.append({**row, "shift": shift, "starts_at": starts_at, "ends_at": ends_at, **people})
    if errors:
        shown = errors[:50] + ([f"……另有 {len(errors) - 50} 行有错误"] if len(errors) > 50 else [])
        raise ApplicationError(
            f"值班表未保存：{len(errors)} 处错误，未写入任何内容。",
            errors=[{"field": "roster", "message": m} for m in shown],
        )
    return clean


def _write_rows(actor, unit, clean):
    accounts = _accounts(unit)
    days = {}
    for row in clean:
        duty_day = days.get(row["day"]) or _duty_day(unit, row["day"], actor)
        days[row["day"]] = duty_day
        slot, _ = DutySlot.objects.update_or_create(
            unit=unit,
            starts_at=row["starts_at"],
            defaults={
                "duty_day": duty_day,
                "region_id": unit.region_id,
                "shift": row["shift"],
                "ends_at": row["ends_at"],
                "created_by": actor,
            },
        )
        slot.people.all().delete()
        people = [
            DutyPerson(slot=slot, role=role, name=name, phone=phone, user=accounts.get(name), position=position)
            for role, key in ((DutyRole.LEADER, "leaders"), (DutyRole.STAFF, "staff"))
            for position, (name, phone) in enumerate(row[key])
        ]
        DutyPerson.objects.bulk_create(people)
        names = "、".join(p.name for p in people) or "（空）"
        record_event(duty_day, "roster", actor=actor, note=f"编排{row['shift']}值班：{names}")
    return days


@transaction.atomic
def roster_save(*, actor, unit, rows, today=None, source="page"):
    """Write the roster of `unit` for the given days and shifts, all or nothing. Each row is
    {"label", "day", "shift" (name; empty: the first shift), "leaders", "staff"}; an empty cell leaves the
    shift without people (a gap, flagged). Days before `today` are refused. Returns the rows written."""
    check_unit(actor, unit)
    today = today or timezone.localdate()
    if not rows:
        raise ApplicationError("没有要保存的值班安排。")
    clean = _check_rows(unit, rows, today)
    _write_rows(actor, unit, clean)
    audit_record(
        actor=actor,
        action="watch.roster_import" if source == "import" else "watch.roster_save",
        object_type="regions.unit",
        object_id=str(unit.pk),
        object_repr=f"{unit.name}值班表",
        region_code=unit.region_id,
        data={"shifts": [[r["day"], r["shift"], len(r["leaders"]), len(r["staff"])] for r in clean]},
    )
    return clean


# A column is found by its header: the label or any synonym (spaces, asterisks and bracketed notes ignored).
COLUMNS = {
    "day": ("日期", ["值班日期", "时间", "值班时间"]),
    "shift": ("班次", ["值班班次"]),
    "leaders": ("带班领导", ["领导带班", "带班", "值班领导", "带班领导姓名"]),
    "leader_phone": ("带班领导电话", ["领导电话", "带班领导联系电话", "领导联系电话"]),
    "staff": ("值班人员", ["值班员", "值班人", "值班人员姓名"]),
    "phone": ("联系电话", ["值班电话", "值班人员电话", "电话", "值班人员联系电话"]),
}


def map_columns(headers):
    """{field: column index} for the headers of an uploaded sheet."""
    from zhiben.enterprises.importers import column_index

    return column_index(headers, COLUMNS)


def _with_phones(names_text, phones_text):
    """Pair a names cell with a phones cell: one phone each in order, or one phone for all (the duty line)."""
    people = parse_people(names_text)
    phones = [p for p in re.split(r"[、，,；;/\s]+", str(phones_text or "")) if p]
    if not phones:
        return people
    if any(not PHONE.fullmatch(p) for p in phones):
        raise ValueError(f"电话“{phones_text}”格式不正确")
    phones = [re.sub(r"-", "", p) for p in phones]
    if len(phones) == 1:
        return [(name, phone or phones[0]) for name, phone in people]
    if len(phones) != len(people):
        raise ValueError(f"电话个数（{len(phones)}）与人数（{len(people)}）不符")
    return [(name, phone or phones[i]) for i, (name, phone) in enumerate(people)]


@transaction.atomic
def roster_import(*, actor, unit, upload, filename="", today=None, sheets=None):
    """Import a roster sheet (one row a day, or a day and shift): 日期, 班次 (optional), 带班领导 (and its
    phone), 值班人员, 联系电话. Every row is checked first; any error refuses the whole file with
    row-numbered Chinese messages. `sheets`, a list, is filled with the sheets read and left out
    (`core.excel.read_table`)."""
    from zhiben.core.cntext import DateError, parse_date
    from zhiben.core.excel import read_table

    check_unit(actor, unit)
    _, headers, body = read_table(upload, filename=filename, columns=map_columns, sheets=sheets)
    columns = map_columns(headers)
    missing = [COLUMNS[f][0] for f in ("day",) if f not in columns]
    if "leaders" not in columns and "staff" not in columns:
        missing.append("带班领导或值班人员")
    if missing:
        raise ApplicationError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板，或在表头写明这些列。")
    rows, errors = [], []
    for number, cells in body:

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        label = f"第 {number} 行"
        row = {"label": label, "shift": cell("shift"), "require_people": True}
        raw_day = cell("day")
        try:
            row["day"] = parse_date(raw_day) if raw_day else None
        except DateError:
            row["day"] = None
        if row["day"] is None:
            row["day_error"] = f"日期“{raw_day}”无效（格式：2026-05-06）" if raw_day else "缺少日期"
        try:
            row["leaders"] = _with_phones(cell("leaders"), cell("leader_phone"))
        except ValueError as exc:
            errors.append(f"{label}：带班领导{exc}")
            continue
        try:
            row["staff"] = _with_phones(cell("staff"), cell("phone"))
        except ValueError as exc:
            errors.append(f"{label}：值班人员{exc}")
            continue
        rows.append(row)
    try:
        clean = _check_rows(unit, rows, today or timezone.localdate()) if rows else []
    except ApplicationError as exc:
        errors += [e["message"] for e in exc.errors]
        clean = []
    if errors:
        errors.sort(key=lambda m: int(re.match(r"第 (\d+) 行", m).group(1)) if m.startswith("第 ") else 0)
        shown = errors[:50] + ([f"……另有 {len(errors) - 50} 处错误"] if len(errors) > 50 else [])
        raise ApplicationError(
            f"导入未完成：{len(errors)} 行有错误，未写入任何值班安排。",
            errors=[{"field": "file", "message": m} for m in shown],
        )
    return roster_save(actor=actor, unit=unit, rows=clean, today=today, source="import")


# ---------------------------------------------------------------- the duty log and handover


def moment(value, label, errors, field):
    """An aware datetime from a datetime or "2026-05-06 14:30" / "2026-05-06T14:30"; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = str(value).strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return timezone.make_aware(datetime.strptime(text, pattern))
        except ValueError:
            continue
    errors.append((field, f"{label}“{value}”不是有效时间（格式：2026-05-06 14:30）。"))
    return None


@transaction.atomic
def log_add(*, actor, unit, data, now=None):
    """Add an entry to the unit's duty log (time, type, content); it belongs to the duty day of its time."""
    check_unit(actor, unit, "您的角色无权记录值班日志。")
    now = now or timezone.now()
    errors = []
    at = moment(data.get("at"), "时间", errors, "at") or now
    if at > now + timedelta(minutes=5):
        errors.append(("at", "时间晚于现在。"))
    kind = _text(data, "kind")
    if kind not in LogKind.values:
        errors.append(("kind", "请选择日志类型。"))
    content = _text(data, "content")
    if len(content) < 2:
        errors.append(("content", "请填写日志内容。"))
    if errors:
        _fail(errors)
    duty_day = _duty_day(unit, selectors.duty_date_of(unit, at), actor)
    entry = DutyLogEntry.objects.create(
        duty_day=duty_day,
        unit=unit,
        region_id=unit.region_id,
        at=at,
        kind=kind,
        content=content,
        recorded_by_name=actor.display_name if actor else "系统",
        created_by=actor,
    )
    record_event(duty_day, "log", actor=actor, note=f"{entry.get_kind_display()}：{content[:60]}")
    audit_record(actor=actor, action="watch.log_add", obj=entry, region_code=unit.region_id, data={"kind": kind})
    return entry


@transaction.atomic
def handover_create(*, actor, unit, data, now=None):
    """Hand the current shift over to the next: who handed over and who took over (default: the two shifts'
    staff), the items still open (the next shift sees them on its desk), a note."""
    check_unit(actor, unit, "您的角色无权办理交接班。")
    now = now or timezone.now()
    errors = []
    at = moment(data.get("at"), "交接时间", errors, "at") or now
    if at > now + timedelta(minutes=5):
        errors.append(("at", "交接时间晚于现在。"))
    if errors:
        _fail(errors)
    current = selectors.current_slot(unit, at)
    following = selectors.next_slot(unit, current, at)
    handed = _text(data, "handed_by", 100) or (", ".join(p.name for p in current.staff) if current else "")
    taken = _text(data, "taken_by", 100) or (", ".join(p.name for p in following.staff) if following else "")
    handed, taken = handed.replace(", ", "、"), taken.replace(", ", "、")
    if not handed:
        errors.append(("handed_by", "请填写交班人。"))
    if not taken:
        errors.append(("taken_by", "请填写接班人。"))
    if errors:
        _fail(errors)
    day = current.duty_day.day if current else selectors.duty_date_of(unit, at)
    duty_day = _duty_day(unit, day, actor)
    handover = Handover.objects.create(
        duty_day=duty_day,
        unit=unit,
        region_id=unit.region_id,
        at=at,
        from_slot=current,
        to_slot=following,
        handed_by=handed,
        taken_by=taken,
        open_items=_text(data, "open_items"),
        note=_text(data, "note"),
        created_by=actor,
    )
    items = len(handover.open_item_lines)
    record_event(duty_day, "handover", actor=actor, note=f"交接班：{handed} → {taken}，未办结事项 {items} 项")
    audit_record(
        actor=actor, action="watch.handover", obj=handover, region_code=unit.region_id, data={"open_items": items}
    )
    return handover


# ---------------------------------------------------------------- information reports


def _minutes(key, region_code):
    try:
        return max(int(rule(key, region_code)), 1)
    except (TypeError, ValueError):
        return max(int(definition(key).default), 1)


def _chain(report):
    """The report's levels from its first (the origin) up to its top: [(level, region code)] of the regions
    that exist, lowest first."""
    codes = region_chain(report.region_id)
    wanted = [c for c in codes if report.top_level <= code_level(c) <= report.origin_level]
    existing = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
    return [(code_level(c), c) for c in wanted if c in existing]


def _level_row(report, level, code, received_at, chain):
    top = level == chain[-1][0]
    return ReportLevel(
        report=report,
        region_id=code,
        level=level,
        received_at=received_at,
        deadline_at=None if top else received_at + timedelta(minutes=_minutes("watch.pass_on_minutes", code)),
        written_deadline_at=None if top else received_at + timedelta(minutes=_minutes("watch.written_minutes", code)),
    )


def _count(data, key, label, errors, default=None):
    value = data.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.append((key, f"{label}“{value}”不是整数。"))
        return default
    if number < 0:
        errors.append((key, f"{label}不能为负数。"))
        return default
    if number > 100000:
        errors.append((key, f"{label}“{number}”不合常理，请核实。"))
        return default
    return number


def _report_actor(actor, message):
    ensure_capability(actor, "watch.manage", message, system=False)
    level = user_level(actor)
    if level is None:
        raise ApplicationError("您的账号未设置管辖区划，不能报送信息。", code="forbidden")
    return level


@transaction.atomic
def report_create(*, actor, data, now=None):
    """首报: an event report made at the actor's level (a town or a county), about an event in its
    jurisdiction; the actor's level is the first of the chain, having received it at 接报时间."""
    level = _report_actor(actor, "您的角色无权报送信息。")
    if level not in (3, 4):
        raise ApplicationError("信息首报由镇街或区县值班部门录入。", code="forbidden")
    now = now or timezone.now()
    errors = []
    kind = _text(data, "kind") or EventKind.EMERGENCY
    if kind not in EventKind.values:
        errors.append(("kind", "请选择信息类别。"))
    title = _text(data, "title", 100)
    if len(title) < 4:
        errors.append(("title", "请填写事件名称（至少4个字）。"))
    description = _text(data, "description")
    if len(description) < 4:
        errors.append(("description", "请写明事件基本情况（至少4个字）。"))
    code = getattr(data.get("region"), "code", None) or _text(data, "region")
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        region = actor.region
    elif not in_subtree(region.code, actor.region_id):
        errors.append(("region", "事发地不在您的管辖范围内。"))
    occurred = moment(data.get("occurred_at"), "发生时间", errors, "occurred_at")
    received = moment(data.get("received_at"), "接报时间", errors, "received_at") or now
    if occurred is None and not any(f == "occurred_at" for f, _ in errors):
        errors.append(("occurred_at", "请填写发生时间。"))
    if occurred is not None and occurred > now:
        errors.append(("occurred_at", "发生时间晚于现在。"))
    if received > now + timedelta(minutes=1):
        errors.append(("received_at", "接报时间晚于现在。"))
    if occurred is not None and occurred <= now and received < occurred:  # a future 发生时间 is its own error
        errors.append(("received_at", "接报时间早于事件发生时间。"))
    figures = {k: _count(data, k, label, errors, 0) for k, label in CASUALTIES}
    if errors:
        _fail(errors)
    top = min(max(int(rule("watch.report_top_level", actor.region_id) or 2), 1), level)
    year = timezone.localtime(now).year
    report = EventReport(
        number=f"XB{actor.region_id[:9]}-{year}-{next_number(f'watch:report:{actor.region_id}:{year}'):04d}",
        kind=kind,
        title=title,
        description=description,
        region=region,
        place=_text(data, "place", 200),
        occurred_at=occurred,
        measures=_text(data, "measures"),
        reporter_unit_id=actor.unit_id,
        reporter_name=_text(data, "reporter_name", 100) or actor.display_name,
        origin_level=level,
        top_level=top,
        reached_level=level,
        created_by=actor,
        **figures,
    )
    report.save()
    chain = _chain(report)
    if not chain or chain[0][1] != actor.region_id:
        raise ApplicationError("您的管辖区划不在行政区划表中，不能报送信息。")
    _level_row(report, level, actor.region_id, received, chain).save()
    record_event(report, "create", actor=actor, note=f"首报：{title}（{report.casualties}）")
    audit_record(actor=actor, action="watch.report_create", obj=report, data={"kind": kind, **figures})
    return report


CASUALTIES = (("deaths", "死亡人数"), ("missing", "失踪人数"), ("injured", "受伤人数"))


def _lock_report(actor, report):
    current = EventReport.objects.select_for_update().get(pk=report.pk)
    if not EventReport.objects.for_user(actor).filter(pk=current.pk).exists():
        raise ScopeError()
    return current


def _own_level(actor, report):
    row = ReportLevel.objects.select_for_update().filter(report=report, region_id=actor.region_id).first()
    if row is None:
        raise ApplicationError("本级尚未收到该信息，不能办理。", code="forbidden")
    return row


@transaction.atomic
def report_pass_on(*, actor, report, data=None, now=None):
    """The actor's level passes the report up to the next level of the chain: its 上报时间 (now, or the time
    typed when it was phoned up earlier) is the next level's 接报时间; each level's deadline is its own
    jurisdiction's rule. A level that has passed it on cannot do it twice."""
    _report_actor(actor, "您的角色无权报送信息。")
    now = now or timezone.now()
    data = data or {}
    report = _lock_report(actor, report)
    _transition_allowed(report, "pass_on")
    own = _own_level(actor, report)
    if own.deadline_at is None:
        raise ApplicationError("本级为该信息的最高报送层级，无需再上报。")
    if own.passed_at is not None:
        raise ApplicationError(f"本级已于 {timezone.localtime(own.passed_at):%Y-%m-%d %H:%M} 上报。")
    errors = []
    at = moment(data.get("passed_at"), "上报时间", errors, "passed_at") or now
    if at > now + timedelta(minutes=1):
        errors.append(("passed_at", "上报时间晚于现在。"))
    elif at < own.received_at:
        errors.append(("passed_at", "上报时间早于本级接报时间。"))
    if errors:
        _fail(errors)
    chain = _chain(report)
    above = [(lv, code) for lv, code in chain if lv < own.level]
    if not above:
        raise ApplicationError("上一级区划不存在，无法上报。")
    level, code = above[0]  # the nearest level above
    updated = ReportLevel.objects.filter(pk=own.pk, passed_at__isnull=True).update(
        passed_at=at, passed_by_name=actor.display_name
    )
    if updated != 1:
        raise ApplicationError("本级已上报。")
    _level_row(report, level, code, at, chain).save()
    EventReport.objects.filter(pk=report.pk).update(reached_level=min(report.reached_level, level))
    own.passed_at = at
    late = own.late(now)
    region_name = Region.objects.get(code=code).name
    note = f"{own.region.name}上报{region_name}" + ("（迟报）" if late else "")
    record_event(report, "pass_on", actor=actor, note=note, data={"from": own.region_id, "to": code, "late": late})
    audit_record(
        actor=actor, action="watch.report_pass_on", obj=report, data={"from": own.region_id, "to": code, "late": late}
    )
    return own


@transaction.atomic
def report_written(*, actor, report, now=None):
    """The actor's level records that its 书面报告 went up (once)."""
    _report_actor(actor, "您的角色无权报送信息。")
    now = now or timezone.now()
    report = _lock_report(actor, report)
    own = _own_level(actor, report)
    if own.written_deadline_at is None:
        raise ApplicationError("本级为最高报送层级，无需再报送书面报告。")
    if own.written_at is not None:
        raise ApplicationError("本级已报送书面报告。")
    ReportLevel.objects.filter(pk=own.pk, written_at__isnull=True).update(
        written_at=now, written_by_name=actor.display_name
    )
    own.written_at = now
    late = own.written_at > own.written_deadline_at
    record_event(report, "written", actor=actor, note=f"{own.region.name}报送书面报告" + ("（迟报）" if late else ""))
    audit_record(actor=actor, action="watch.report_written", obj=report, data={"level": own.region_id, "late": late})
    return own


def _transition_allowed(report, action):
    transition = TRANSITIONS[action]
    if report.status not in transition.sources:
        raise ApplicationError(f"该信息当前为“{report.get_status_display()}”，不能{transition.label}。")
    return transition


@transaction.atomic
def report_update(*, actor, report, kind, data, now=None):
    """续报 or 终报 by a level that has the report: its time and text, and the casualty figures when they
    changed (they replace the report's). The 终报 closes the report (conditional update: only one wins)."""
    _report_actor(actor, "您的角色无权报送信息。")
    now = now or timezone.now()
    action = "final" if kind == UpdateKind.FINAL else "followup"
    if kind not in UpdateKind.values:
        raise ApplicationError("未知的报送类型。")
    report = _lock_report(actor, report)
    transition = _transition_allowed(report, action)
    if not ReportLevel.objects.filter(report=report, region_id=actor.region_id).exists():
        raise ApplicationError("本级尚未收到该信息，不能续报或终报。", code="forbidden")
    errors = []
    at = moment(data.get("at"), "报送时间", errors, "at") or now
    if at > now + timedelta(minutes=1):
        errors.append(("at", "报送时间晚于现在。"))
    elif at < report.occurred_at:
        errors.append(("at", "报送时间早于事件发生时间。"))
    text = _text(data, "text")
    if len(text) < 4:
        errors.append(("text", f"请填写{transition.label}内容。"))
    figures = {k: _count(data, k, label, errors) for k, label in CASUALTIES}
    if errors:
        _fail(errors)
    update = ReportUpdate.objects.create(
        report=report,
        kind=kind,
        at=at,
        text=text,
        unit_id=actor.unit_id,
        created_by_name=actor.display_name,
        **figures,
    )
    changed = {k: [getattr(report, k), v] for k, v in figures.items() if v is not None and v != getattr(report, k)}
    fields = {k: v for k, (_, v) in changed.items()}
    if kind == UpdateKind.FINAL:
        if (
            EventReport.objects.filter(pk=report.pk, status=ReportStatus.OPEN).update(
                status=ReportStatus.CLOSED, closed_at=at, **fields
            )
            != 1
        ):
            raise ApplicationError("该信息已终报。")
    elif fields:
        EventReport.objects.filter(pk=report.pk).update(**fields)
    note = f"{transition.label}：{text[:80]}"
    if changed:
        note += "（" + "，".join(f"{dict(CASUALTIES)[k]} {a}→{b}" for k, (a, b) in changed.items()) + "）"
    record_event(report, action, actor=actor, note=note, data={"changed": changed})
    audit_record(actor=actor, action=f"watch.report_{action}", obj=report, data={"changed": changed, "at": at})
    return update


# ---------------------------------------------------------------- roster gaps (the job)


def notify_gaps(*, today=None):
    """Tell the 安委办 administrators of each unit's town and county about the unit's roster gaps in the
    coming days (rule "watch.gap_days"): once per unit and day, even with several workers."""
    from zhiben.core.services import claim_once
    from zhiben.escalation.services import committee_admins
    from zhiben.notifications.services import notify

    today = today or timezone.localdate()
    sent = 0
    for unit in selectors.roster_units(None).select_related("region"):
        found = selectors.gaps(unit, today)
        days = sorted({g["day"] for g in found})
        if not days:
            continue
        with transaction.atomic():
            fresh = [d for d in days if claim_once(GapNotice, unit=unit, day=d) is not None]
            if not fresh:
                continue
            lines = [
                f"{g['day']:%m月%d日}{'' if g['single'] else g['shift']}缺{'、'.join(g['missing'])}"
                for g in found
                if g["day"] in fresh
            ]
            users = committee_admins(unit.region_id) + list(unit.users.filter(is_active=True, role="anweiban_admin"))
            notify(
                subject=f"值班表缺口：{unit.name}",
                body=f"{unit.name}值班表尚未排齐：{'；'.join(lines)}。请及时补排领导带班和值班人员。",
                url=f"/watch/roster/?unit={unit.pk}&week={fresh[0].isoformat()}",
                users=users,
                region_code=unit.region_id,
            )
            audit_record(
                actor=None,
                action="watch.gap_notice",
                object_type="regions.unit",
                object_id=str(unit.pk),
                object_repr=f"{unit.name}值班表缺口",
                region_code=unit.region_id,
                data={"days": fresh},
            )
            sent += 1
    return sent
