"""Writing and verifying the audit log. Services call `audit_record` inside their own transaction."""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from zhiben.core.db import insert_rows
from zhiben.core.middleware import current_request_info

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "data",
    "request_id",
    "ip",
    "success",
    "prev_hash",
    "hash",
)
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "data",
    "request_id",
    "ip",
    "success",
    "prev_hash",
)


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def jsonable(data):
    """Make `data` JSON-safe the same way before hashing and storing (dates, decimals, models)."""
    return json.loads(json.dumps(data, default=_plain, ensure_ascii=False))


def event_hash(fields):
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _region_of(obj):
    if obj is None:
        return ""
    for attr in ("region_id", "region_code"):
        value = getattr(obj, attr, None)
        if value:
            return value
    if type(obj).__name__ == "Region":
        return obj.code
    return ""


def _describe(actor, action, obj, data, success, region_code, object_type, object_id, object_repr):
    info = current_request_info()
    return {
        "at": timezone.now(),
        "actor_id": actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        "actor_name": (actor.get_username() if actor is not None and getattr(actor, "pk", None) else "") or "",
        "action": action,
        "object_type": object_type or (obj._meta.label_lower if obj is not None else ""),
        "object_id": str(object_id if object_id is not None else (obj.pk if obj is not None else "")),
        "object_repr": (object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
        "region_code": region_code if region_code is not None else _region_of(obj),
        "data": jsonable(data or {}),
        "request_id": info["request_id"],
        "ip": info["ip"],
        "success": success,
    }


def audit_record_many(entries):
    """Append events (dicts made by `audit_entry`) to the chain in one locked step.

    Returns the rows written: one saved AuditEvent for a single entry, else the field dicts
    (a batch goes straight through the driver: bulk_create spends ~1 s compiling placeholders
    for 10,000 events)."""
    if not entries:
        return []
    with transaction.atomic(savepoint=False):
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        seq, prev = head.seq, head.hash
        rows, at = [], AuditEvent._meta.get_field("at")
        for fields in entries:
            seq += 1
            fields = {**fields, "seq": seq, "prev_hash": prev}
            fields["hash"] = prev = event_hash(fields)
            rows.append(fields)
        if len(rows) == 1:
            rows = [AuditEvent.objects.create(**rows[0])]
        else:
            insert_rows(
                AuditEvent,
                COLUMNS,
                [
                    tuple(
                        at.get_db_prep_save(f["at"], connection)
                        if c == "at"
                        else json.dumps(f["data"], ensure_ascii=False)
                        if c == "data"
                        else f[c]
                        for c in COLUMNS
                    )
                    for f in rows
                ],
            )
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return rows


def audit_entry(
    *,
    actor,
    action,
    obj=None,
    data=None,
    success=True,
    region_code=None,
    object_type=None,
    object_id=None,
    object_repr=None,
):
    return _describe(actor, action, obj, data, success, region_code, object_type, object_id, object_repr)


def audit_record(
    *,
    actor,
    action,
    obj=None,
    data=None,
    success=True,
    region_code=None,
    object_type=None,
    object_id=None,
    object_repr=None,
):
    """Append one event. Call it inside the service's transaction so both commit or neither."""
    entry = audit_entry(
        actor=actor,
        action=action,
        obj=obj,
        data=data,
        success=success,
        region_code=region_code,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    return audit_record_many([entry])[0]


def changes(before, after):
    """{field: [old, new]} for the fields whose value differs."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_verify(batch=5000):
    """Walk the chain; return (ok, message). The message names the first bad event."""
    head = AuditHead.objects.filter(pk=1).first()
    prev, expected_seq = GENESIS, 1
    qs = AuditEvent.objects.order_by("seq").values(
        "id", *[f for f in HASHED_FIELDS if f != "prev_hash"], "prev_hash", "hash"
    )
    start = 0
    while True:
        rows = list(qs.filter(seq__gt=start)[:batch])
        if not rows:
            break
        for row in rows:
            if row["seq"] != expected_seq:
                return False, f"审计链断裂：缺少序号 {expected_seq} 的事件（下一条为 #{row['seq']}，ID {row['id']}）。"
            if row["prev_hash"] != prev:
                return False, f"审计事件 #{row['seq']}（ID {row['id']}）的上一条摘要不符：前一事件被修改或删除。"
            if event_hash(row) != row["hash"]:
                return (
                    False,
                    f"审计事件 #{row['seq']}（ID {row['id']}，{row['action']}）的内容与摘要不符：该记录被修改。",
                )
            prev, expected_seq = row["hash"], expected_seq + 1
        start = rows[-1]["seq"]
    count = expected_seq - 1
    if head is not None and (head.seq != count or head.hash != prev):
        return False, f"审计链尾部不符：链头记录到 #{head.seq}，实际只有 {count} 条，末尾事件被删除或修改。"
    return True, f"审计链完整：共 {count} 条事件。"
