"""Readings in, from HTTP and MQTT alike: decode, validate each reading, store the valid ones in bulk,
count the refused ones per device and reason, and evaluate the devices' alarm rules for the batch.

A batch costs a handful of statements whatever its size: the devices (with their enterprise), their
rules, the open alarms of the rules that fire, one COPY (PostgreSQL) or executemany (SQLite) of the
readings, one executemany of the devices' latest state, and one upsert per (device, reason) refused.
Rules keep their evaluation state on their row (`breach_since`), so several ingest processes agree.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from zhiben.core.db import insert_rows
from zhiben.core.rules import RuleResolver
from zhiben.core.tables import minute
from zhiben.enterprises.choices import Status as EnterpriseStatus

from .choices import OPEN, Reason, RuleKind
from .models import Alarm, AlarmRule, Device, Reading, Rejection


@dataclass(frozen=True)
class Refused:
    """A payload that could not be read at all (malformed JSON …): refused as a whole."""

    reason: str
    detail: str = ""


@dataclass
class Item:
    """One reading as it arrived: the device code it names, the decoded entry (or a Refused), and when
    it was received."""

    code: str
    entry: Any
    received_at: datetime | None = None


@dataclass
class Outcome:
    accepted: int = 0
    rejected: list = field(default_factory=list)  # (index, device code, reason, Chinese detail)
    alarms: list = field(default_factory=list)

    def reasons(self):
        counts = {}
        for _, _, reason, _ in self.rejected:
            counts[reason] = counts.get(reason, 0) + 1
        return counts


def decode(body):
    """The readings of a payload (bytes or text): a JSON object is one reading, a list is many.
    Returns (entries, None) or (None, Refused)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, Refused(Reason.MALFORMED, f"不是有效的 JSON：{str(exc)[:80]}")
    if isinstance(data, dict):
        return [data], None
    if isinstance(data, list):
        return data, None
    return None, Refused(Reason.MALFORMED, "应为 JSON 对象或对象数组")


def parse_ts(text, tz):
    """An ISO 8601 timestamp; a time without offset is read in the platform's time zone."""
    if not isinstance(text, str) or not 10 <= len(text) <= 40:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return timezone.make_aware(value, tz) if timezone.is_naive(value) else value


def _check(entry, device, now, tz, limits):
    """(ts, value) of a valid entry, or (reason, detail) as a Refused."""
    if isinstance(entry, Refused):
        return entry
    if device is None:
        return Refused(Reason.UNKNOWN_DEVICE, "设备编码未登记")
    if not device.active:
        return Refused(Reason.INACTIVE, "设备已停用")
    if not isinstance(entry, dict):
        return Refused(Reason.MALFORMED, "每条读数应为 JSON 对象")
    value = entry.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Refused(Reason.BAD_VALUE, f"读数“{str(value)[:30]}”不是数字")
    unit = entry.get("unit")
    if unit is not None and unit != device.unit:
        return Refused(Reason.WRONG_UNIT, f"单位“{str(unit)[:10]}”与设备登记的“{device.unit}”不符")
    ts = parse_ts(entry.get("ts"), tz)
    if ts is None:
        return Refused(Reason.BAD_TS, f"时间“{str(entry.get('ts'))[:40]}”不是 ISO 8601 格式")
    future_minutes, max_age_days = limits(device.region_id)
    if ts > now + timedelta(minutes=future_minutes):
        return Refused(Reason.FUTURE, f"时间 {ts.isoformat()} 超前于接收时间 {future_minutes} 分钟以上")
    if ts < now - timedelta(days=max_age_days):
        return Refused(Reason.TOO_OLD, f"时间 {ts.isoformat()} 早于 {max_age_days} 天前")
    return ts, float(value)


def _limits():
    future, age = RuleResolver("monitoring.future_minutes"), RuleResolver("monitoring.max_age_days")
    cache = {}

    def limits(region_code):
        if region_code not in cache:
            cache[region_code] = (int(future.value(region_code)), int(age.value(region_code)))
        return cache[region_code]

    return limits


@transaction.atomic
def ingest(items, *, now=None):
    """Validate and store `items` (a list of Item) in one transaction; evaluate the alarm rules of the
    devices that sent valid readings. Valid readings are stored even when others in the batch are refused."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    outcome = Outcome()
    codes = {item.code for item in items if item.code}
    devices = {d.code: d for d in Device.objects.filter(code__in=codes).select_related("enterprise")} if codes else {}
    limits = _limits()
    rows, per_device, refused = [], {}, {}
    for index, item in enumerate(items):
        device = devices.get(item.code)
        checked = _check(item.entry, device, now, tz, limits)
        if isinstance(checked, Refused):
            outcome.rejected.append((index, item.code, checked.reason, checked.detail))
            key = (device.pk if device else None, checked.reason)
            count, _ = refused.get(key, (0, ""))
            detail = checked.detail if device else f"{item.code[:60]}：{checked.detail}"
            refused[key] = (count + 1, detail)
            continue
        ts, value = checked
        received = item.received_at or now
        rows.append((device.pk, ts, value, received))
        per_device.setdefault(device.pk, (device, []))[1].append((ts, value, received))
    if rows:
        adapt = connection.ops.adapt_datetimefield_value
        insert_rows(
            Reading,
            ["device_id", "ts", "value", "received_at"],
            ((d, adapt(ts), v, adapt(r)) for d, ts, v, r in rows),
        )
        outcome.accepted = len(rows)
        outcome.alarms = _evaluate(per_device, now)
        _advance(per_device)
    count_refusals(refused, now)
    return outcome


def _advance(per_device):
    """Each device's latest reading and last contact (never moved backwards by a late batch)."""
    adapt = connection.ops.adapt_datetimefield_value
    latest, seen = [], []
    for device, readings in per_device.values():
        ts, value, _ = max(readings, key=lambda r: r[0])
        received = max(r[2] for r in readings)
        latest.append((value, adapt(ts), device.pk, adapt(ts)))
        seen.append((adapt(received), device.pk, adapt(received)))
    table = connection.ops.quote_name(Device._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET last_value = %s, last_ts = %s WHERE id = %s AND (last_ts IS NULL OR last_ts < %s)",
            latest,
        )
        cursor.executemany(
            f"UPDATE {table} SET last_seen = %s WHERE id = %s AND (last_seen IS NULL OR last_seen < %s)", seen
        )


def count_refusals(refused, now):
    """Add {(device id or None, reason): (count, last detail)} to the refusal counters."""
    for (device_id, reason), (count, detail) in refused.items():
        rows = Rejection.objects.filter(
            reason=reason, **({"device_id": device_id} if device_id else {"device__isnull": True})
        )
        changes = {"count": F("count") + count, "last_at": now, "last_detail": detail[:200]}
        if rows.update(**changes):
            continue
        try:
            with transaction.atomic():
                Rejection.objects.create(
                    device_id=device_id, reason=reason, count=count, last_at=now, last_detail=detail[:200]
                )
        except IntegrityError:  # another ingest created it meanwhile
            rows.update(**changes)


# ---------------------------------------------------------------- alarm rules


def _power_applies(device):
    return device.enterprise.status == EnterpriseStatus.SUSPENDED and bool(device.rated_power)


def _limit(rule, device):
    if rule.kind == RuleKind.POWER:
        return rule.threshold * device.rated_power
    return rule.threshold


def _breaches(rule, value, limit):
    return value < limit if rule.kind == RuleKind.BELOW else value > limit


def _evaluate(per_device, now):
    """Run the batch through the rules of its devices; returns the alarms raised. Readings older than the
    device's latest known one are stored but do not move the sustained/rate state; they may still raise an
    immediate (0-minute) threshold alarm."""
    rules = {}
    for rule in AlarmRule.objects.filter(device_id__in=list(per_device), active=True).exclude(kind=RuleKind.SILENT):
        rules.setdefault(rule.device_id, []).append(rule)
    fired, moved = [], []
    for device_id, device_rules in rules.items():
        device, readings = per_device[device_id]
        readings.sort(key=lambda r: r[0])
        fresh = [r for r in readings if device.last_ts is None or r[0] > device.last_ts]
        stale = readings[: len(readings) - len(fresh)] if fresh else readings
        for rule in device_rules:
            if rule.kind == RuleKind.RATE:
                hit = _rate_hit(rule, device, fresh)
                if hit:
                    fired.append(hit)
                continue
            if rule.kind == RuleKind.POWER and not _power_applies(device):
                if rule.breach_since is not None:
                    rule.breach_since = None
                    moved.append(rule)
                continue
            if rule.threshold is None:
                continue
            limit = _limit(rule, device)
            since, hit = rule.breach_since, None
            for ts, value, received in fresh:
                if not _breaches(rule, value, limit):
                    since = None
                    continue
                since = since or ts
                if hit is None and ts - since >= timedelta(minutes=rule.minutes):
                    hit = (rule, device, ts, value, received, since, limit)
            if hit is None and rule.minutes == 0:
                for ts, value, received in stale:
                    if _breaches(rule, value, limit):
                        hit = (rule, device, ts, value, received, ts, limit)
                        break
            if hit:
                fired.append(hit)
            if since != rule.breach_since:
                rule.breach_since = since
                moved.append(rule)
    for rule in moved:
        AlarmRule.objects.filter(pk=rule.pk).update(breach_since=rule.breach_since)
    if not fired:
        return []
    open_rules = set(
        Alarm.objects.filter(rule_id__in=[h[0].pk for h in fired], status__in=OPEN).values_list("rule_id", flat=True)
    )
    return raise_alarms([h for h in fired if h[0].pk not in open_rules], now=now)


def _rate_hit(rule, device, fresh):
    if not rule.threshold:
        return None
    prev_ts, prev_value = device.last_ts, device.last_value
    for ts, value, received in fresh:
        if prev_ts is not None and prev_value is not None and ts > prev_ts:
            per_minute = abs(value - prev_value) / ((ts - prev_ts).total_seconds() / 60)
            if per_minute > rule.threshold:
                return (rule, device, ts, value, received, prev_ts, per_minute)
        prev_ts, prev_value = ts, value
    return None


def alarm_message(rule, device, value, limit, since, ts):
    unit = device.unit
    held = f"，已持续 {int((ts - since).total_seconds() // 60)} 分钟" if since and rule.minutes else ""
    if rule.kind == RuleKind.ABOVE:
        return f"{device.name}读数 {value:g} {unit}，高于上限 {limit:g} {unit}{held}"
    if rule.kind == RuleKind.BELOW:
        return f"{device.name}读数 {value:g} {unit}，低于下限 {limit:g} {unit}{held}"
    if rule.kind == RuleKind.RATE:
        return f"{device.name}读数每分钟变化 {limit:.2f} {unit}，超过 {rule.threshold:g} {unit}/分钟"
    if rule.kind == RuleKind.SILENT:
        last = minute(since) or "从未"
        return f"{device.name}已超过 {rule.minutes} 分钟未上报读数（最近接收：{last}）"
    return (
        f"{device.enterprise.name}处于停产整顿，{device.name}为 {value:g} kW，超过正常生产负荷 "
        f"{device.rated_power:g} kW 的 {rule.threshold * 100:g}%{held}，疑似违规生产"
    )


def raise_alarm(rule, device, ts, value, received, since, limit, *, now=None):
    """Create the alarm of `rule` unless one is open (the partial unique index decides under concurrency);
    tell the enterprise's users. Returns the alarm or None."""
    alarms = raise_alarms([(rule, device, ts, value, received, since, limit)], now=now)
    return alarms[0] if alarms else None


def raise_alarms(hits, *, now=None):
    """raise_alarm for a batch of hits: every alarm row is created first, then their timeline events, one
    append of their audit events to the chain, and the notifications (the enterprises' users read once),
    all in the caller's transaction — the batch's last alarm does not wait for the others' follow-ups."""
    from zhiben.accounts.models import User
    from zhiben.audit.services import audit_entry, audit_record_many
    from zhiben.core.timeline import record_event
    from zhiben.notifications.services import notify

    now = now or timezone.now()
    raised = []
    for rule, device, ts, value, received, since, limit in hits:
        message = alarm_message(rule, device, value, limit, since, ts or now)
        try:
            with transaction.atomic():
                alarm = Alarm.objects.create(
                    device=device,
                    rule=rule,
                    enterprise_id=device.enterprise_id,
                    region_id=device.region_id,
                    industry_id=device.industry_id,
                    kind=rule.kind,
                    message=message[:300],
                    value=value,
                    started_at=since,
                    reading_ts=ts,
                    received_at=received,
                    raised_at=now,
                )
        except IntegrityError:
            continue
        raised.append((alarm, rule, device, value, message))
    if not raised:
        return []
    entries = []
    for alarm, rule, _, value, message in raised:
        record_event(alarm, "raise", note=message)
        entries.append(
            audit_entry(actor=None, action="monitoring.alarm_raise", obj=alarm, data={"rule": rule.pk, "value": value})
        )
    audit_record_many(entries)
    users = {}
    for user in User.objects.filter(enterprise_id__in={d.enterprise_id for _, _, d, _, _ in raised}, is_active=True):
        users.setdefault(user.enterprise_id, []).append(user)
    for alarm, rule, device, _, message in raised:
        if users.get(device.enterprise_id):
            notify(
                subject=f"监测报警：{rule.get_kind_display()}（{device.code}）",
                body=message,
                url=alarm.get_absolute_url(),
                users=users[device.enterprise_id],
                obj=alarm,
                region_code=device.region_id,
            )
    return [alarm for alarm, *_ in raised]
