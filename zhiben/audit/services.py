"""Writing and verifying the audit log. Services call `audit_record` inside their own transaction.

Each event's `hash` is HMAC-SHA256, under the audit key, of the event's content and the previous
event's hash; the chain's head (`AuditHead`) carries its own MAC over (seq, hash). The key lives outside
the database (settings.AUDIT_KEY from ZHIBEN_AUDIT_KEY; in development derived from SECRET_KEY), so
someone who can write to the database can neither rewrite an event and re-hash the chain nor cut its
tail and move the head back: `audit_verify` names the first event that does not check out.
Personal data (mobile and identity numbers) is masked in `data` and `object_repr` before an event is
hashed and stored. `audit_reseal` re-seals an older chain under the current key (`audit_rekey`).
"""

import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhiben.core.crypto import mask_data, mask_text
from zhiben.core.db import insert_rows, prepared_cursor
from zhiben.core.exceptions import ApplicationError
from zhiben.core.middleware import current_request_info

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
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
COLUMNS = (*HASHED_FIELDS, "hash")


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


@lru_cache(maxsize=4)
def _key(configured, secret_key):
    if configured:
        return configured.encode()
    return hashlib.pbkdf2_hmac("sha256", secret_key.encode(), b"zhiben-audit-key", 100_000)


def audit_key():
    """The audit chain's HMAC key: settings.AUDIT_KEY, else derived from SECRET_KEY (development)."""
    return _key(getattr(settings, "AUDIT_KEY", "") or "", settings.SECRET_KEY)


def derived_key():
    """The development key (derived from SECRET_KEY), for re-sealing a chain begun without ZHIBEN_AUDIT_KEY."""
    return _key("", settings.SECRET_KEY)


def _canonical(fields):
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def event_hash(fields, key=None):
    """HMAC-SHA256 of an event's hashed fields (prev_hash included) under `key` (default: the audit key)."""
    return hmac.new(key or audit_key(), _canonical(fields), hashlib.sha256).hexdigest()


def unkeyed_hash(fields):
    """The plain SHA-256 the chain used before it was keyed (read only by `audit_reseal`)."""
    return hashlib.sha256(_canonical(fields)).hexdigest()


def head_mac(seq, tip, key=None):
    """The MAC of the chain's head: without the key, nobody can move the head back over deleted events."""
    return hmac.new(key or audit_key(), f"audit-head:{seq}:{tip}".encode(), hashlib.sha256).hexdigest()


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


def audit_record_many(entries, *, head=None):
    """Append events (dicts made by `audit_entry`) to the chain in one locked step.

    Returns the rows written: one saved AuditEvent for a single entry, else the field dicts
    (a batch goes straight through the driver: bulk_create spends ~1 s compiling placeholders
    for 10,000 events). `head`: the chain's (seq, hash) as a statement of the caller's own read it, locked,
    in this transaction (`head_lock_sql`), so the chain's lock costs no statement of its own."""
    if not entries:
        return []
    with transaction.atomic(savepoint=False):
        seq, prev = head or _lock_head()
        key = audit_key()
        rows, at = [], AuditEvent._meta.get_field("at")
        for fields in entries:
            seq += 1
            fields = {
                **fields,
                "data": mask_data(fields["data"]),
                "object_repr": mask_text(fields["object_repr"] or "")[:200],
                "seq": seq,
                "prev_hash": prev,
            }
            fields["hash"] = prev = event_hash(fields, key)
            rows.append(fields)
        values = [
            tuple(
                at.get_db_prep_save(f["at"], connection)
                if c == "at"
                else json.dumps(f["data"], ensure_ascii=False)
                if c == "data"
                else f[c]
                for c in COLUMNS
            )
            for f in rows
        ]
        mac = head_mac(seq, prev, key)
        if len(rows) == 1 and connection.vendor == "postgresql":
            # the event and the head in one statement: the chain's lock is held for one round trip less
            # (every audited write in every process queues on it)
            return [_append_one(rows[0], values[0], seq, prev, mac)]
        if len(rows) == 1:
            rows = [AuditEvent.objects.create(**rows[0])]
        else:
            insert_rows(AuditEvent, COLUMNS, values)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev, mac=mac)
    return rows


def head_lock_sql(after=""):
    """PostgreSQL: the SELECT of the chain head's (seq, hash) that locks it until commit, for a statement to read it
    with what it writes (then `audit_record_many(..., head=...)`); `after` names a CTE of that statement to run
    first, so that locks are taken in the order every writer takes them (its own rows, then the head). No row when
    the chain has no head yet."""
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    first = f" AND EXISTS (SELECT 1 FROM {after})" if after else ""
    return f"SELECT seq, hash FROM {table} WHERE id = 1{first} FOR UPDATE"


def _lock_head():
    """(seq, hash) of the chain's head, locked until commit (created on first use)."""
    if connection.vendor == "postgresql":  # written out: every audited write takes this lock first
        with prepared_cursor() as cursor:
            cursor.execute(head_lock_sql())
            row = cursor.fetchone()
        if row is not None:
            return row
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head.seq, head.hash


def _append_one(fields, values, seq, tip, mac):
    """INSERT one event and move the head to it in a single PostgreSQL statement; the saved AuditEvent."""
    quote = connection.ops.quote_name
    events, head = quote(AuditEvent._meta.db_table), quote(AuditHead._meta.db_table)
    names, marks = ", ".join(quote(c) for c in COLUMNS), ", ".join(["%s"] * len(COLUMNS))
    sql = (
        f"WITH event AS (INSERT INTO {events} ({names}) VALUES ({marks}) RETURNING id), "
        f"moved AS (UPDATE {head} SET seq = %s, hash = %s, mac = %s WHERE id = 1) SELECT id FROM event"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [*values, seq, tip, mac])
        pk = cursor.fetchone()[0]
    event = AuditEvent(**fields)
    event.pk = pk
    event._state.adding, event._state.db = False, connection.alias
    return event


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


IMPORT_BATCH = 1000  # records listed per import event


def common_region(codes):
    """The nearest region containing every one of `codes` (12-digit codes): '' for none, or when they lie in
    different provinces."""
    codes = {c for c in codes if c}
    if not codes:
        return ""
    low, high = min(codes), max(codes)
    shared = 0
    while shared < min(len(low), len(high)) and low[shared] == high[shared]:
        shared += 1
    for length in (12, 9, 6, 4, 2):
        if length <= shared:
            return low[:length].ljust(12, "0")
    return ""


def import_entries(*, actor, action, object_type, label, source, columns, records, regions, extra=None):
    """Audit entries of an import: one event per `batch` records instead of one per record (10,000 events cost
    ~0.5 s to seal and write, most of an import's time), each listing its records in `data["records"]` as rows
    in `columns` order (the row number in the file, the object's id, its key: [row, id, credit code]; numbers
    and text only), so
    every imported record stays traceable in the chain. `regions` are the records' region codes: an event
    is placed in the nearest region holding all of its records (who may read it). `extra` goes into each
    event's data."""
    entries, batch = [], IMPORT_BATCH
    for start in range(0, len(records), batch):
        part = records[start : start + batch]
        region = common_region(regions[start : start + batch])
        entry = audit_entry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id="",
            object_repr=f"{label} {len(part)} 条（{source or '文件'}，第 {start + 1}–{start + len(part)} 条）",
            region_code=region,
            data={"source": source, **(extra or {}), "count": len(part), "columns": list(columns)},
        )
        # the records are plain numbers and text already: not sent through jsonable's encode and decode
        entry["data"]["records"] = [[*record] for record in part]
        entries.append(entry)
    return entries


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


def _walk(event_model, sealers, batch=5000):
    """Walk the chain in order checking each event with the first of `sealers` (hash functions) that
    matches; once a later sealer has matched, earlier ones are no longer accepted (an old-scheme prefix,
    then a current-key suffix). Yield each (row, sealer index); raise ChainBroken at the first bad event."""
    prev, expected_seq, start, level = GENESIS, 1, 0, 0
    qs = event_model.objects.order_by("seq").values(
        "id", *[f for f in HASHED_FIELDS if f != "prev_hash"], "prev_hash", "hash"
    )
    while True:
        rows = list(qs.filter(seq__gt=start)[:batch])
        if not rows:
            break
        for row in rows:
            if row["seq"] != expected_seq:
                raise ChainBroken(
                    f"审计链断裂：缺少序号 {expected_seq} 的事件（下一条为 #{row['seq']}，ID {row['id']}）。"
                )
            if row["prev_hash"] != prev:
                raise ChainBroken(f"审计事件 #{row['seq']}（ID {row['id']}）的上一条摘要不符：前一事件被修改或删除。")
            for index in range(level, len(sealers)):
                if hmac.compare_digest(sealers[index](row), row["hash"]):
                    level = index
                    break
            else:
                hint = ""
                if len(sealers) == 1 and hmac.compare_digest(unkeyed_hash(row), row["hash"]):
                    hint = (
                        "该记录的摘要是不带密钥的 SHA-256：或是升级前写入、尚未用 audit_rekey 以密钥重新封存，"
                        "或是有人改写记录后重算了摘要。"
                    )
                raise ChainBroken(
                    f"审计事件 #{row['seq']}（ID {row['id']}，{row['action']}）的内容与摘要不符：该记录被修改。{hint}"
                )
            yield row, level
            prev, expected_seq = row["hash"], expected_seq + 1
        start = rows[-1]["seq"]


class ChainBroken(Exception):
    """The chain does not verify; the message (Chinese) names the first bad event."""


def audit_verify(batch=5000):
    """Walk the chain under the audit key; return (ok, message). The message names the first bad event."""
    key = audit_key()
    head = AuditHead.objects.filter(pk=1).first()
    count, prev = 0, GENESIS
    try:
        for row, _ in _walk(AuditEvent, [lambda row: event_hash(row, key)], batch):
            count, prev = row["seq"], row["hash"]
    except ChainBroken as exc:
        return False, str(exc)
    if head is not None and (head.seq != count or head.hash != prev):
        return False, f"审计链尾部不符：链头记录到 #{head.seq}，实际只有 {count} 条，末尾事件被删除或修改。"
    if head is not None and head.seq and not hmac.compare_digest(head.mac or "", head_mac(head.seq, head.hash, key)):
        return (
            False,
            f"审计链头（#{head.seq}）的签名不符：链头被改写，末尾的事件可能已被删除（或审计密钥已更换而未重新封存）。",
        )
    return True, f"审计链完整：共 {count} 条事件。"


def audit_reseal(*, old_key=None, mask=False, event_model=AuditEvent, head_model=AuditHead, batch=2000):
    """Re-seal the whole chain under the current audit key, after checking it under the old scheme:
    `old_key` None is the unkeyed SHA-256 of earlier versions, else the previous HMAC key (rotation).
    Events already sealed under the current key may follow the old ones (written after an upgrade).
    A chain that does not check out is refused (ApplicationError naming the first bad event): re-sealing
    it would make the tampering permanent. With `mask`, personal data written before masking existed is
    masked in `data` and `object_repr` as the events are re-sealed.

    Returns (events re-sealed, events whose content was masked). The models are parameters so that
    a migration can run it on its historical models."""
    key = audit_key()
    old = unkeyed_hash if old_key is None else (lambda row: event_hash(row, old_key))
    with transaction.atomic():
        head = head_model.objects.select_for_update().filter(pk=1).first()
        count, prev = 0, GENESIS
        try:
            for row, _ in _walk(event_model, [old, lambda row: event_hash(row, key)], batch):
                count, prev = row["seq"], row["hash"]
        except ChainBroken as exc:
            raise ApplicationError(f"审计链校验未通过，拒绝重新封存：{exc}") from None
        if head is not None and (head.seq != count or head.hash != prev):
            raise ApplicationError(
                f"审计链校验未通过，拒绝重新封存：链头记录到 #{head.seq}，实际只有 {count} 条，末尾事件被删除或修改。"
            )
        prev, masked, start = GENESIS, 0, 0
        fields = [f for f in HASHED_FIELDS if f != "prev_hash"]
        while True:
            rows = list(event_model.objects.order_by("seq").filter(seq__gt=start).values("id", *fields)[:batch])
            if not rows:
                break
            for row in rows:
                changes = {}
                if mask:
                    data, text = mask_data(row["data"]), mask_text(row["object_repr"])
                    if data != row["data"] or text != row["object_repr"]:
                        changes.update(data=data, object_repr=text)
                        row.update(changes)
                        masked += 1
                row["prev_hash"] = prev
                prev = event_hash(row, key)
                event_model.objects.filter(pk=row["id"]).update(prev_hash=row["prev_hash"], hash=prev, **changes)
            start = rows[-1]["seq"]
        if count:
            head_model.objects.update_or_create(
                pk=1, defaults={"seq": count, "hash": prev, "mac": head_mac(count, prev, key)}
            )
    return count, masked
