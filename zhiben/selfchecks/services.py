"""Every write of the self-inspection module: a record (from a phone, the API or an import), its findings
filed as hazards, and the duties an 安委办 keeps. Atomic, scoped and audited."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.audit.services import audit_record
from zhiben.core.cntext import ascii_digits
from zhiben.core.db import as_id, row_by_id, whole_number
from zhiben.core.exceptions import ApplicationError
from zhiben.core.rules import rule
from zhiben.core.scoping import in_subtree
from zhiben.core.services import actor_covers, data_date, ensure_capability
from zhiben.core.services import data_text as _text
from zhiben.core.services import fail as _fail
from zhiben.enterprises.choices import Status as EnterpriseStatus
from zhiben.enterprises.models import Enterprise
from zhiben.hazards.choices import Channel
from zhiben.hazards.services import hazard_report

from .choices import AppliesTo, Frequency, Source
from .models import Duty, SelfInspection
from .periods import bucket_of

MAX_FINDINGS = 50
MAX_COUNT = 2**31 - 1  # the largest a PositiveIntegerField holds


def duty_applies(duty, enterprise):
    """True when `duty` binds `enterprise`: active, its region covers the enterprise, its class matches."""
    if not duty.active or (duty.region_id and not in_subtree(enterprise.region_id, duty.region_id)):
        return False
    return duty.applies(enterprise)


def find_duty(value):
    """A duty by id, key or name (the names a ledger uses: 班组日排查, 部门周排查 …)."""
    text = str(value or "").strip()
    if not text:
        return None
    if whole_number(text) is not None:
        return row_by_id(Duty.objects.all(), text)
    return Duty.objects.filter(key=text).first() or Duty.objects.filter(name=text).first()


def _enterprise_for(actor, value, errors):
    if actor.role == Role.ENTERPRISE:
        if not actor.enterprise_id:
            errors.append(("enterprise", "您的账号未关联生产经营单位。"))
            return None
        if value and str(value) != str(actor.enterprise_id):
            errors.append(("enterprise", "企业用户只能填报本单位的自查记录。"))
            return None
        return actor.enterprise
    if as_id(value) is None:
        errors.append(("enterprise", "请选择生产经营单位。"))
        return None
    enterprise = Enterprise.objects.for_user(actor).filter(pk=as_id(value)).first()
    if enterprise is None:
        errors.append(("enterprise", "所选生产经营单位不存在或不在您的管辖范围内。"))
    return enterprise


def clean_record(actor, data, *, today, enterprise=None):
    """Validate one record's fields; returns (values, errors) without writing."""
    errors = []
    if enterprise is None:
        enterprise = _enterprise_for(actor, data.get("enterprise"), errors)
    duty = find_duty(data.get("duty"))
    if not data.get("duty"):
        errors.append(("duty", "请选择排查类型。"))
    elif duty is None:
        errors.append(("duty", f"排查类型“{data.get('duty')}”不存在。"))
    elif enterprise is not None and not duty_applies(duty, enterprise):
        errors.append(("duty", f"“{duty.name}”不适用于{enterprise.name}（{duty.get_applies_to_display()}）。"))
    day = data_date(data.get("date"), "排查日期", errors, "date") if data.get("date") else None
    if not data.get("date"):
        errors.append(("date", "请填写排查日期。"))
    elif day is not None and day > today:
        errors.append(("date", f"排查日期 {day} 晚于今天，不能填报未来的自查记录。"))
    elif day is not None:
        oldest = today - timedelta(days=rule("selfcheck.max_backdate_days", getattr(enterprise, "region_id", "")))
        if day < oldest:
            errors.append(("date", f"排查日期 {day} 早于可补录的最早日期 {oldest}。"))
    inspector = _text(data, "inspector", 50)
    if not inspector:
        errors.append(("inspector", "请填写排查负责人。"))
    findings = [f for f in (data.get("findings") or []) if str(f.get("description") or "").strip()]
    if len(findings) > MAX_FINDINGS:
        errors.append(("findings", f"一次最多填报 {MAX_FINDINGS} 条隐患。"))
    for n, finding in enumerate(findings, start=1):
        if len(str(finding["description"]).strip()) < 4:
            errors.append(("findings", f"第 {n} 条隐患描述过短（至少4个字）。"))
    raw = data.get("findings_count")
    count = len(findings) if raw in (None, "") else whole_number(ascii_digits(raw))
    if count is None or count > MAX_COUNT:  # past the column's range too
        errors.append(("findings_count", f"发现隐患数“{raw}”应为非负整数。"))
        count = 0
    count = max(count, len(findings))
    values = {
        "enterprise": enterprise,
        "duty": duty,
        "date": day,
        "inspector": inspector,
        "participants": _text(data, "participants", 200),
        "scope": _text(data, "scope", 300),
        "note": _text(data, "note", 2000),
        "findings": count,
    }
    return values, findings, errors


@transaction.atomic
def selfcheck_record(*, actor, data, source=Source.FORM, today=None):
    """Record one self-inspection. `data["findings"]` is a list of {description, location, level} that are
    filed as hazards (channel 企业自查上报) and linked; any error leaves nothing written."""
    ensure_capability(actor, "selfcheck.record", "您的角色无权填报企业自查记录。")
    today = today or timezone.localdate()
    values, findings, errors = clean_record(actor, data, today=today)
    if errors:
        _fail(errors)
    record = SelfInspection(
        **values, bucket=bucket_of(values["date"], values["duty"].frequency), source=source, created_by=actor
    )
    record.save()
    hazards = [_finding_hazard(actor, record, finding, today) for finding in findings]
    if hazards:
        record.hazards.add(*hazards)
    audit_record(
        actor=actor,
        action="selfcheck.record",
        obj=record,
        region_code=record.enterprise.region_id,
        data={"duty": record.duty.key, "date": record.date, "findings": record.findings, "source": source},
    )
    return record


# ---------------------------------------------------------------- duties


DUTY_FIELDS = ("name", "level", "frequency", "applies_to", "required_percent", "active", "sort", "basis")


@transaction.atomic
def duty_save(*, actor, data, duty=None):
    """Create a local duty for the actor's region, or change one. National duties (no region) are changed by
    the platform's superuser only; a duty's frequency never changes once it has records."""
    ensure_capability(actor, "selfcheck.manage", "您的角色无权设置自查制度。")
    errors = []
    if duty is not None and duty.region_id is None and not actor.is_superuser:
        raise ApplicationError("全国默认的自查制度只能由平台超级管理员修改；可为本辖区新增地方制度。", code="forbidden")
    if duty is not None and duty.region_id and not actor_covers(actor, duty.region_id):
        raise ApplicationError("该自查制度不在您的管辖范围内。", code="forbidden")
    name = _text(data, "name", 100)
    if not name:
        errors.append(("name", "请填写名称。"))
    frequency = data.get("frequency") or ""
    if frequency not in Frequency.values:
        errors.append(("frequency", "请选择频次。"))
    elif duty is not None and frequency != duty.frequency and duty.records.exists():
        errors.append(("frequency", "该制度已有自查记录，频次不能修改；请停用后新增一项制度。"))
    applies_to = data.get("applies_to") or AppliesTo.ALL
    if applies_to not in AppliesTo.values:
        errors.append(("applies_to", "适用企业无效。"))
    percent = data.get("required_percent")
    percent = 100 if percent in (None, "") else whole_number(percent)
    if percent is None or not 1 <= percent <= 100:
        errors.append(("required_percent", "达标比例应为 1 至 100 之间的整数。"))
    sort = data.get("sort")
    sort = 0 if sort in (None, "") else whole_number(sort)
    if sort is None or sort > MAX_COUNT:  # past the column's range too
        errors.append(("sort", "排序应为非负整数。"))
    if errors:
        _fail(errors)
    values = {
        "name": name,
        "level": _text(data, "level", 50) or name,
        "frequency": frequency,
        "applies_to": applies_to,
        "required_percent": percent,
        "active": bool(data.get("active", True)) and data.get("active") not in ("0", "false", "off"),
        "sort": sort,
        "basis": _text(data, "basis", 300),
    }
    if duty is None:
        if not actor.region_id and not actor.is_superuser:
            raise ApplicationError("您的账号没有管辖区划，不能新增地方自查制度。", code="forbidden")
        from zhiben.core.services import next_number

        duty = Duty(key=f"local-{actor.region_id or 'national'}-{next_number('selfcheck-duty')}", region=actor.region)
        before = {}
    else:
        before = {f: getattr(duty, f) for f in DUTY_FIELDS}
    for field, value in values.items():
        setattr(duty, field, value)
    duty.save()
    audit_record(
        actor=actor,
        action="selfcheck.duty_save",
        obj=duty,
        region_code=duty.region_id or "",
        data={"before": before, "after": values},
    )
    return duty


def operating():
    return Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)


# ---------------------------------------------------------------- import

# A column is found by its header: the label or any synonym (spaces, asterisks and bracketed notes ignored).
COLUMNS = {
    "credit_code": ("统一社会信用代码", ["社会信用代码", "信用代码"]),
    "enterprise_name": ("单位名称", ["企业名称", "生产经营单位", "生产经营单位名称", "公司名称"]),
    "duty": ("排查类型", ["排查层级", "自查类型", "检查类型", "排查类别", "排查制度"]),
    "date": ("排查日期", ["检查日期", "自查日期", "日期", "排查时间", "检查时间"]),
    "inspector": ("排查负责人", ["带队人", "检查人", "排查人", "负责人", "带队负责人"]),
    "participants": ("参加人员", ["参与人员", "排查人员", "检查人员"]),
    "scope": ("排查范围", ["检查范围", "排查内容", "检查内容", "排查区域", "检查部位"]),
    "findings_count": ("发现隐患数", ["隐患数量", "发现隐患数量", "隐患数", "发现问题数"]),
    "findings": ("隐患描述", ["发现的隐患", "隐患内容", "存在问题", "发现问题"]),
    "note": ("备注", ["说明", "情况说明"]),
}
# the names a ledger gives the levels, for the 排查类型 column
DUTY_WORDS = [
    ("班组", "team_daily"),
    ("日", "team_daily"),
    ("部门", "department_weekly"),
    ("车间", "department_weekly"),
    ("周", "department_weekly"),
    ("厂长", "director_monthly"),
    ("总经理", "director_monthly"),
]


def map_columns(headers):
    """{field: column index} for the headers of an uploaded sheet."""
    from zhiben.enterprises.importers import column_index

    return column_index(headers, COLUMNS)


def duty_from_text(text, enterprise):
    """The duty a ledger's 排查类型 cell names: an exact name or key, else the level words (班组/部门/厂长,
    主要负责人 → the one of the enterprise's class)."""
    duty = find_duty(text)
    if duty is not None:
        return duty
    text = str(text or "").strip()
    if not text:
        return None
    if "主要负责人" in text or "负责人带队" in text:
        key = "principal_monthly" if enterprise is not None and enterprise.high_risk else "principal_quarterly"
        return Duty.objects.filter(key=key).first()
    for word, key in DUTY_WORDS:
        if word in text:
            return Duty.objects.filter(key=key).first()
    return None


@transaction.atomic
def selfcheck_import(*, actor, upload, filename="", today=None, sheets=None):
    """Import self-inspection records from a sheet (one row a record; 隐患描述 lines are filed as hazards).
    Every row is checked first; any error refuses the whole file with row-numbered messages. `sheets`, a list, is
    filled with the sheets read and left out (`core.excel.read_table`)."""
    from zhiben.core.excel import read_table

    ensure_capability(actor, "selfcheck.import", "您的角色无权导入企业自查记录。")
    today = today or timezone.localdate()
    _, headers, body = read_table(upload, filename=filename, columns=map_columns, sheets=sheets)
    columns = map_columns(headers)
    missing = [COLUMNS[f][0] for f in ("duty", "date", "inspector") if f not in columns]
    if actor.role != Role.ENTERPRISE and "credit_code" not in columns and "enterprise_name" not in columns:
        missing.insert(0, "统一社会信用代码或单位名称")
    if missing:
        raise ApplicationError(f"缺少必填列：{'、'.join(missing)}。请使用导入模板，或在表头写明这些列。")
    scoped = Enterprise.objects.for_user(actor)
    by_code, by_name = {}, {}
    errors, prepared = [], []
    for number, cells in body:

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row_errors = []
        if actor.role == Role.ENTERPRISE:
            enterprise = actor.enterprise
        else:
            code, name = cell("credit_code").upper(), cell("enterprise_name")
            if code:
                if code not in by_code:
                    by_code[code] = scoped.filter(credit_code=code).first()
                enterprise = by_code[code]
            else:
                if name not in by_name:
                    matches = list(scoped.filter(name=name)[:2]) if name else []
                    by_name[name] = matches[0] if len(matches) == 1 else None
                enterprise = by_name[name]
            if enterprise is None:
                row_errors.append(f"单位“{code or name or '（空）'}”不存在或不在您的管辖范围内")
        data = {
            "duty": "",
            "date": cell("date"),
            "inspector": cell("inspector"),
            "participants": cell("participants"),
            "scope": cell("scope"),
            "findings_count": cell("findings_count"),
            "note": cell("note"),
            "findings": [{"description": line.strip()} for line in cell("findings").splitlines() if line.strip()],
        }
        duty = duty_from_text(cell("duty"), enterprise)
        if duty is None:
            row_errors.append(
                f"排查类型“{cell('duty')}”无法识别（应为班组日排查、部门周排查、厂长月排查或主要负责人带队检查）"
            )
        else:
            data["duty"] = str(duty.pk)
        if enterprise is not None:
            values, found, problems = clean_record(actor, data, today=today, enterprise=enterprise)
            row_errors += [message for field_name, message in problems if duty is not None or field_name != "duty"]
        if row_errors:
            errors.append(f"第 {number} 行：" + "；".join(row_errors))
        else:
            prepared.append((values, found))
    if errors:
        shown = errors[:50] + ([f"……另有 {len(errors) - 50} 行有错误"] if len(errors) > 50 else [])
        raise ApplicationError(
            f"导入未完成：{len(errors)} 行有错误，未写入任何记录。",
            errors=[{"field": "file", "message": m} for m in shown],
        )
    records, with_hazards = [], []
    for values, findings in prepared:
        record = SelfInspection(
            **values, bucket=bucket_of(values["date"], values["duty"].frequency), source=Source.IMPORT, created_by=actor
        )
        records.append(record)
        if findings:
            with_hazards.append((record, findings))
    SelfInspection.objects.bulk_create(records, batch_size=2000)
    for record, findings in with_hazards:
        record.hazards.add(*[_finding_hazard(actor, record, f, today) for f in findings])
    audit_record(
        actor=actor,
        action="selfcheck.import",
        region_code=actor.region_id or "",
        object_type="selfchecks.selfinspection",
        object_repr=filename or "自查记录导入",
        data={"rows": len(records), "hazards": sum(len(f) for _, f in with_hazards)},
    )
    return records


def _finding_hazard(actor, record, finding, today):
    return hazard_report(
        actor=actor,
        data={
            "enterprise": record.enterprise_id,
            "channel": Channel.SELF_REPORT,
            "description": finding["description"],
            "location": finding.get("location") or "",
            "level": finding.get("level") or "",
            "found_date": record.date,
            "found_by": record.inspector,
            "source_ref": f"自查记录{record.pk}",
        },
        today=today,
    )
