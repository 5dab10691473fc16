"""Every write a person makes in the monitoring module: devices (register, edit, new token, switch off),
their alarm rules, and alarms (acknowledge, close with a note, turn into a hazard). Atomic, scoped,
evented and audited. Readings come in through `ingest.py`; the periodic checks (silent devices,
unacknowledged alarms, pruning) are at the end of this file."""

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.crypto import key_digest
from zhiben.core.db import as_id, whole_number
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import RuleResolver, rule
from zhiben.core.scoping import scope_allows
from zhiben.core.services import data_text as _text
from zhiben.core.services import ensure_capability
from zhiben.core.services import fail as _fail
from zhiben.core.timeline import record_event
from zhiben.enterprises.models import Enterprise

from .choices import DEFAULT_UNIT, OPEN, AlarmStatus, Kind, RuleKind, Unit
from .models import Alarm, AlarmRule, Device, Reading
from .selectors import MANAGE

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # safe as one MQTT topic level


def token_hash(token):
    return key_digest(token)


def new_token():
    return secrets.token_urlsafe(24)


def device_for_token(token):
    """The device a bearer token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    return Device.objects.select_related("enterprise").filter(token_hash=token_hash(token)).first()


def _number(value, label, field, errors, *, positive=False, required=False):
    if value in (None, ""):
        if required:
            errors.append((field, f"请填写{label}。"))
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        errors.append((field, f"{label}“{value}”不是有效数字。"))
        return None
    if positive and number <= 0:
        errors.append((field, f"{label}应大于 0。"))
        return None
    return number


def _clean_device(actor, data, errors, device=None):
    values = {}
    if device is None:
        if actor is not None and actor.enterprise_id:
            enterprise = Enterprise.objects.filter(pk=actor.enterprise_id).first()
        else:
            pk = as_id(data.get("enterprise"))
            enterprises = Enterprise.objects.all() if actor is None else Enterprise.objects.for_user(actor)
            enterprise = enterprises.filter(pk=pk).first() if pk is not None else None
        if enterprise is None:
            errors.append(("enterprise", "所选单位不存在或不在您的管辖范围内。"))
        values["enterprise"] = enterprise
        code = _text(data, "code")
        if not CODE.match(code):
            errors.append(("code", "设备编码须为 1–64 位字母、数字、点、下划线或连字符，且以字母或数字开头。"))
        elif Device.objects.filter(code=code).exists():
            errors.append(("code", f"设备编码 {code} 已被使用。"))
        values["code"] = code
    name = _text(data, "name", 100)
    if len(name) < 2:
        errors.append(("name", "请填写设备名称（至少2个字）。"))
    kind = data.get("kind") or (device.kind if device else "")
    if kind not in Kind.values:
        errors.append(("kind", "请选择监测类型。"))
    unit = data.get("unit") or DEFAULT_UNIT.get(kind, "")
    if unit not in Unit.values:
        errors.append(("unit", "请选择计量单位。"))
    rated = _number(data.get("rated_power"), "正常生产负荷", "rated_power", errors, positive=True)
    if kind == Kind.POWER and rated is None and not any(f == "rated_power" for f, _ in errors):
        errors.append(("rated_power", "用电功率设备须填写正常生产负荷（kW），用于判断停产整顿期间是否违规生产。"))
    if kind == Kind.POWER and unit != Unit.KW:
        errors.append(("unit", "用电功率设备的计量单位应为 kW。"))
    values.update(
        name=name,
        kind=kind,
        unit=unit,
        rated_power=rated if kind == Kind.POWER else None,
        location=_text(data, "location", 200),
    )
    return values


@transaction.atomic
def device_create(*, actor, data):
    """Register a device; returns (device, token). The token is shown once: only its hash is kept. A power
    device gets the 停产整顿 power rule with the jurisdiction's defaults."""
    ensure_capability(actor, MANAGE, "您的角色无权管理监测设备。")
    errors = []
    values = _clean_device(actor, data, errors)
    if errors:
        _fail(errors)
    enterprise = values["enterprise"]
    token = new_token()
    device = Device.objects.create(
        **values,
        region_id=enterprise.region_id,
        industry_id=enterprise.industry_id,
        token_hash=token_hash(token),
        created_by=actor,
    )
    if actor is not None and not scope_allows(actor, device):
        raise ScopeError()
    if device.kind == Kind.POWER:
        AlarmRule.objects.create(
            device=device,
            kind=RuleKind.POWER,
            threshold=float(rule("monitoring.power_fraction", device.region_id)),
            minutes=int(rule("monitoring.power_minutes", device.region_id)),
        )
    record_event(device, "create", actor=actor, note=f"登记设备 {device.code}")
    audit_record(actor=actor, action="monitoring.device_create", obj=device, data={"enterprise": enterprise.pk})
    return device, token


def _lock_device(actor, device):
    ensure_capability(actor, MANAGE, "您的角色无权管理监测设备。")
    current = Device.objects.select_for_update().select_related("enterprise").get(pk=device.pk)
    if actor is not None and not Device.objects.for_user(actor).filter(pk=current.pk).exists():
        raise ScopeError()
    return current


@transaction.atomic
def device_update(*, actor, device, data):
    device = _lock_device(actor, device)
    errors = []
    values = _clean_device(actor, data, errors, device=device)
    if errors:
        _fail(errors)
    before = {k: getattr(device, k) for k in values}
    for key, value in values.items():
        setattr(device, key, value)
    device.save()
    changed = {k: [before[k], values[k]] for k in values if before[k] != values[k]}
    record_event(device, "edit", actor=actor, note="修改设备信息", data={"changed": sorted(changed)})
    audit_record(actor=actor, action="monitoring.device_edit", obj=device, data=changed)
    return device


@transaction.atomic
def device_new_token(*, actor, device):
    """Replace the device's token (the old one stops working at once); returns the new token."""
    device = _lock_device(actor, device)
    token = new_token()
    Device.objects.filter(pk=device.pk).update(token_hash=token_hash(token))
    record_event(device, "token", actor=actor, note="更换接入令牌")
    audit_record(actor=actor, action="monitoring.device_token", obj=device)
    return token


@transaction.atomic
def device_set_active(*, actor, device, active):
    device = _lock_device(actor, device)
    Device.objects.filter(pk=device.pk).update(active=active)
    device.active = active
    record_event(device, "activate" if active else "deactivate", actor=actor, note="启用设备" if active else "停用设备")
    audit_record(actor=actor, action="monitoring.device_active", obj=device, data={"active": active})
    return device


@transaction.atomic
def rule_add(*, actor, device, data):
    device = _lock_device(actor, device)
    errors = []
    kind = data.get("kind")
    if kind not in RuleKind.values:
        errors.append(("kind", "请选择规则类型。"))
    threshold = _number(data.get("threshold"), "阈值", "threshold", errors)
    minutes_text = str(data.get("minutes") if data.get("minutes") is not None else "").strip() or "0"
    minutes = whole_number(minutes_text)
    if minutes is None or minutes > 7 * 24 * 60:
        errors.append(("minutes", "持续时间应为 0 到 10080 之间的整数（分钟）。"))
    if kind in (RuleKind.ABOVE, RuleKind.BELOW) and threshold is None and not errors:
        errors.append(("threshold", "请填写阈值。"))
    if kind == RuleKind.RATE and (threshold is None or threshold <= 0) and not errors:
        errors.append(("threshold", "变化速率阈值应大于 0（每分钟变化量）。"))
    if kind == RuleKind.SILENT and not minutes and not errors:
        errors.append(("minutes", "离线规则须填写多少分钟未上报（至少 1 分钟）。"))
    if kind == RuleKind.POWER:
        if device.kind != Kind.POWER:
            errors.append(("kind", "停产整顿用电规则只适用于用电功率设备。"))
        elif threshold is None or not 0 < threshold <= 1:
            errors.append(("threshold", "停产整顿用电规则的阈值是正常生产负荷的比例，应大于 0、不大于 1，如 0.3。"))
    if errors:
        _fail(errors)
    item = AlarmRule.objects.create(
        device=device, kind=kind, threshold=None if kind == RuleKind.SILENT else threshold, minutes=minutes
    )
    record_event(device, "rule_add", actor=actor, note=f"新增报警规则：{item.describe(device.unit)}")
    audit_record(actor=actor, action="monitoring.rule_add", obj=device, data={"rule": item.pk, "kind": kind})
    return item


@transaction.atomic
def rule_remove(*, actor, rule_obj):
    device = _lock_device(actor, rule_obj.device)
    AlarmRule.objects.filter(pk=rule_obj.pk).update(active=False, breach_since=None)
    record_event(device, "rule_remove", actor=actor, note=f"停用报警规则：{rule_obj.describe(device.unit)}")
    audit_record(actor=actor, action="monitoring.rule_remove", obj=device, data={"rule": rule_obj.pk})


# ---------------------------------------------------------------- alarms


def _lock_alarm(actor, alarm, capability=MANAGE):
    ensure_capability(actor, capability, "您的角色无权处置监测报警。")
    current = Alarm.objects.select_for_update().select_related("device", "enterprise").get(pk=alarm.pk)
    if actor is not None and not Alarm.objects.for_user(actor).filter(pk=current.pk).exists():
        raise ScopeError()
    return current


@transaction.atomic
def alarm_acknowledge(*, actor, alarm, note="", now=None):
    alarm = _lock_alarm(actor, alarm)
    now = now or timezone.now()
    if not Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.RAISED).update(
        status=AlarmStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor
    ):
        raise ApplicationError(f"报警当前为“{alarm.get_status_display()}”，不能确认。")
    alarm.refresh_from_db()
    record_event(alarm, "acknowledge", actor=actor, note=("确认报警：" + note.strip()) if note.strip() else "确认报警")
    audit_record(actor=actor, action="monitoring.alarm_acknowledge", obj=alarm)
    return alarm


@transaction.atomic
def alarm_close(*, actor, alarm, note, now=None):
    alarm = _lock_alarm(actor, alarm)
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) < 2:
        raise ApplicationError(
            "关闭报警须写明处置情况（至少2个字）。", errors=[{"field": "note", "message": "请写明处置情况"}]
        )
    changes = {"status": AlarmStatus.CLOSED, "closed_at": now, "closed_by": actor, "close_note": note}
    if alarm.status == AlarmStatus.RAISED:  # closing unacknowledged is acknowledging too
        changes.update(acknowledged_at=now, acknowledged_by=actor)
    if not Alarm.objects.filter(pk=alarm.pk, status__in=OPEN).update(**changes):
        raise ApplicationError("报警已关闭。")
    alarm.refresh_from_db()
    record_event(alarm, "close", actor=actor, note=f"关闭报警：{note}")
    audit_record(actor=actor, action="monitoring.alarm_close", obj=alarm, data={"note": note})
    return alarm


@transaction.atomic
def alarm_to_hazard(*, actor, alarm, data=None, today=None):
    """Report the alarm as a hazard (channel 监测预警; an enterprise user reports it as its own 自查上报)."""
    from zhiben.hazards.choices import Channel
    from zhiben.hazards.services import hazard_report

    alarm = _lock_alarm(actor, alarm, "hazard.report")
    if alarm.hazard_id:
        raise ApplicationError("该报警已转为隐患。")
    data = data or {}
    device = alarm.device
    description = _text(data, "description") or f"监测报警：{alarm.message}"
    hazard = hazard_report(
        actor=actor,
        data={
            "enterprise": alarm.enterprise_id,
            "channel": Channel.SELF_REPORT if actor.enterprise_id else Channel.MONITORING,
            "level": data.get("level") or "general",
            "description": description,
            "location": device.location or device.name,
            "deadline": data.get("deadline") or None,
            "source_ref": f"监测报警 {alarm.pk}（设备 {device.code}）",
        },
        today=today,
    )
    Alarm.objects.filter(pk=alarm.pk).update(hazard=hazard)
    alarm.hazard = hazard
    record_event(alarm, "to_hazard", actor=actor, note=f"转为隐患 {hazard.number}")
    audit_record(actor=actor, action="monitoring.alarm_to_hazard", obj=alarm, data={"hazard": hazard.pk})
    return hazard


# ---------------------------------------------------------------- periodic checks (jobs)


def check_silent(*, now=None):
    """Raise an alarm for each device whose silence rule has run out (at most one open per rule)."""
    from .ingest import raise_alarm

    now = now or timezone.now()
    raised = 0
    rules = AlarmRule.objects.filter(kind=RuleKind.SILENT, active=True, device__active=True).select_related(
        "device__enterprise"
    )
    due = []
    for item in rules:
        last = item.device.last_seen or item.created_at
        if now - last >= timedelta(minutes=item.minutes):
            due.append(item)
    open_rules = set(Alarm.objects.filter(rule__in=due, status__in=OPEN).values_list("rule_id", flat=True))
    for item in due:
        if item.pk in open_rules:
            continue
        with transaction.atomic():
            alarm = raise_alarm(item, item.device, None, None, None, item.device.last_seen, None, now=now)
        raised += alarm is not None
    return f"离线报警 {raised} 条"


def escalate_unacknowledged(*, now=None):
    """Tell the enterprise, the supervising department and the 安委办 once about each alarm left
    unacknowledged longer than `monitoring.ack_minutes` (per jurisdiction)."""
    from zhiben.escalation.services import committee_admins
    from zhiben.hazards.services import supervising_unit_for
    from zhiben.notifications.services import notify

    now = now or timezone.now()
    minutes = RuleResolver("monitoring.ack_minutes")
    earliest = now - timedelta(minutes=min(int(v) for v in minutes.values()))
    done = 0
    candidates = Alarm.objects.filter(
        status=AlarmStatus.RAISED, escalated_at__isnull=True, raised_at__lte=earliest
    ).select_related("device", "enterprise", "industry")
    for alarm in candidates:
        limit = int(minutes.value(alarm.region_id))
        if now - alarm.raised_at < timedelta(minutes=limit):
            continue
        with transaction.atomic():
            if not Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.RAISED, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue  # acknowledged meanwhile, or another worker took it
            unit = supervising_unit_for(alarm.region_id, alarm.industry)
            users = list(alarm.enterprise.users.filter(is_active=True))
            users += list(unit.users.filter(is_active=True)) if unit else []
            users += committee_admins(alarm.region_id)
            body = (
                f"{alarm.enterprise.name}的监测报警（{alarm.device.code} {alarm.device.name}）已 {limit} 分钟未确认："
                f"{alarm.message}。请立即核实处置。"
            )
            notify(
                subject=f"监测报警超时未确认：{alarm.enterprise.name}",
                body=body,
                url=alarm.get_absolute_url(),
                users=users,
                obj=alarm,
                region_code=alarm.region_id,
            )
            record_event(alarm, "escalate", note=f"超过 {limit} 分钟未确认，已通知企业、监管部门和安委办")
            audit_record(actor=None, action="monitoring.alarm_escalate", obj=alarm, data={"minutes": limit})
            done += 1
    return f"报警超时上报 {done} 条"


def prune_readings(*, now=None, chunk=50_000):
    """Delete readings older than `monitoring.keep_days` (the longest period any jurisdiction keeps), in
    chunks so the table is never locked for long."""
    now = now or timezone.now()
    days = RuleResolver("monitoring.keep_days").largest()
    cutoff = now - timedelta(days=days)
    removed = 0
    while True:  # readings arrive in time order, so the oldest ids hold the oldest readings
        first = Reading.objects.order_by("pk").values_list("pk", "ts").first()
        if first is None or first[1] >= cutoff:
            break
        removed += Reading.objects.filter(pk__lt=first[0] + chunk, ts__lt=cutoff).delete()[0]
    return f"清理过期读数 {removed} 条"
