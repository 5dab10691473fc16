"""Creating notifications, draining the outbox, the inbox, preferences and retries by administrators."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core import crypto
from zhiben.core.db import possible_ids
from zhiben.core.exceptions import ApplicationError

from .choices import Channel, DeliveryStatus
from .models import Notification, NotificationPreference
from .senders import sender_for

MAX_ATTEMPTS = 6
CLAIM_BATCH = 20
# how long a claimed row belongs to its worker; a worker that dies mid-way frees its rows after this
LEASE = timedelta(minutes=10)


def notify(*, subject, body="", url="", users=(), contacts=(), obj=None, region_code=""):
    """Queue a message. Each active user gets an inbox row, plus one outbox row per external channel
    they enabled in their preferences and have an address for. Each contact — (name, phone) for SMS,
    or (name, address, channel) — gets an outbox row. The same address is never queued twice.

    Personal data at rest: the addresses are stored encrypted (with their blind indexes), and any mobile
    or identity number in the subject or body is masked (138****5678) — the full number is on the
    object's page, for those who may see it. A row without `region_code` takes its recipient's region,
    so the outbox of the region's 系统管理员 shows it.

    Call inside the caller's transaction; the rows commit (or roll back) with the business change.
    """
    region_code = region_code or ""
    common = {
        "subject": crypto.mask_text(subject)[:200],
        "body": crypto.mask_text(body),
        "url": url[:300],
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
    }
    now = timezone.now()
    people = []
    for user in users:
        if user is not None and user.is_active and user.pk not in {u.pk for u in people}:
            people.append(user)
    preferences = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user__in=[u.pk for u in people]).select_related("user")
    }
    rows, queued = [], set()
    for user in people:
        region = region_code or user.region_id or ""
        rows.append(
            Notification(
                channel=Channel.INBOX,
                recipient=user,
                to_name=user.display_name,
                status=DeliveryStatus.SENT,
                sent_at=now,
                region_code=region,
                **common,
            )
        )
        preference = preferences.get(user.pk)
        for channel, address in (preference.addresses() if preference else {}).items():
            if (channel, address) not in queued:
                queued.add((channel, address))
                rows.append(
                    Notification(
                        channel=channel,
                        recipient=user,
                        to_name=user.display_name,
                        to_address=address,
                        region_code=region,
                        **common,
                    )
                )
    for contact in contacts:
        name, address, *rest = contact
        channel = rest[0] if rest else Channel.SMS
        if not address or (channel, address) in queued:
            continue
        queued.add((channel, address))
        rows.append(
            Notification(
                channel=channel, to_name=(name or "")[:100], to_address=address, region_code=region_code, **common
            )
        )
    for row in rows:
        crypto.set_blind_indexes(row)  # bulk_create skips save()
    Notification.objects.bulk_create(rows)
    return rows


# ---------------------------------------------------------------- the outbox


def backoff(attempts):
    """Wait before try number attempts+1: 2, 4, 8, 16, 32 … minutes, at most a day."""
    return timedelta(minutes=min(2**attempts, 24 * 60))


def _due(now):
    # pending rows whose time has come, and rows claimed by a worker whose lease ran out (it died)
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_attempt_at__lte=now)


def _claim(now, size, pk=None):
    """Claim up to `size` due rows for this worker and return them. On PostgreSQL the candidates are
    locked with SKIP LOCKED, so concurrent workers take disjoint rows; SQLite runs write transactions
    one at a time. The UPDATE repeats the condition, so a row is never claimed twice."""
    lease_until = max(now, timezone.now()) + LEASE
    with transaction.atomic():
        qs = Notification.objects.filter(_due(now)).exclude(channel=Channel.INBOX)
        if pk is not None:
            qs = qs.filter(pk=pk)
        ids = list(
            qs.order_by("next_attempt_at", "id").select_for_update(skip_locked=True).values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        Notification.objects.filter(_due(now), pk__in=ids).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until
        )
        return list(
            Notification.objects.filter(
                pk__in=ids, status=DeliveryStatus.SENDING, next_attempt_at=lease_until
            ).order_by("id")
        )


def _error_text(exc, note):
    """The failure as stored and shown on the outbox page: without the address or any mobile number."""
    text = f"{type(exc).__name__}: {exc}"
    if note.to_address:
        text = text.replace(note.to_address, note.masked_address)
    return crypto.mask_text(text)[:2000]


def _deliver(note, now):
    """Send one claimed row; record the outcome. Returns True when sent."""
    try:
        sender_for(note.channel).send(note)
    except Exception as exc:  # any sender failure is recorded and retried with back-off
        final = getattr(exc, "permanent", False) or note.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=note.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            next_attempt_at=now + backoff(note.attempts),
            last_error=_error_text(exc, note),
        )
        return False
    Notification.objects.filter(pk=note.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def send_pending(*, limit=500, now=None):
    """Claim and send due outbox rows; returns (sent, failed). Several workers may run at once: each
    row is sent by one of them. A sender that is down fails its own rows only; the rest go out."""
    now = now or timezone.now()
    sent = failed = 0
    while sent + failed < limit:
        batch = _claim(now, min(CLAIM_BATCH, limit - sent - failed))
        if not batch:
            break
        for note in batch:
            if _deliver(note, now):
                sent += 1
            else:
                failed += 1
    return sent, failed


def outbox_summary(*, user):
    """Counts of the outbox by status, within the administrator's scope."""
    from django.db.models import Count

    qs = Notification.objects.for_user(user).exclude(channel=Channel.INBOX)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in DeliveryStatus.values}


def _require_admin(actor):
    if not actor.can("notification.admin"):
        raise ApplicationError("只有系统管理员可以管理消息发送。", code="forbidden")


def notification_retry(*, actor, notification, now=None):
    """Put a failed or waiting message back in the queue with a fresh round of attempts, and try it
    now. Returns the message as it stands afterwards (status sent, or pending with the new error)."""
    _require_admin(actor)
    now = now or timezone.now()
    with transaction.atomic():
        requeued = (
            Notification.objects.for_user(actor)
            .filter(pk=notification.pk, status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING])
            .exclude(channel=Channel.INBOX)
            .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
        )
        if requeued != 1:
            raise ApplicationError("该消息已发送或正在发送，无需重试。", code="bad_state")
        audit_record(
            actor=actor,
            action="notification.retry",
            obj=notification,
            data={"channel": notification.channel, "previous_error": notification.last_error},
        )
    for note in _claim(now, 1, pk=notification.pk):
        _deliver(note, now)
    return Notification.objects.get(pk=notification.pk)


@transaction.atomic
def notification_retry_failed(*, actor, now=None):
    """Requeue every failed message in the administrator's scope; the worker sends them."""
    _require_admin(actor)
    now = now or timezone.now()
    count = (
        Notification.objects.for_user(actor)
        .filter(status=DeliveryStatus.FAILED)
        .exclude(channel=Channel.INBOX)
        .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    if count:
        audit_record(
            actor=actor,
            action="notification.retry_failed",
            object_type="notifications.notification",
            object_repr=f"重试 {count} 条失败消息",
            region_code=actor.region_id or "",
            data={"count": count},
        )
    return count


# ---------------------------------------------------------------- the inbox


def unread_count(user):
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True).count()


@transaction.atomic
def inbox_mark_read(*, user, ids=None, object_type=None):
    """Mark `user`'s unread messages read: those of `ids`, or those about `object_type` ("" for the messages about
    no object), or all; the number marked. Another user's message among `ids` is left as it is."""
    qs = Notification.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=possible_ids(ids))
    if object_type is not None:
        qs = qs.filter(object_type=object_type)
    return qs.update(read_at=timezone.now())


# ---------------------------------------------------------------- preferences


def preference_for(user):
    """The user's preferences (an unsaved default when none were saved yet)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


PREFERENCE_FIELDS = [
    "sms_enabled",
    "email_enabled",
    "email",
    "wecom_enabled",
    "wecom_userid",
    "dingtalk_enabled",
    "dingtalk_userid",
]


@transaction.atomic
def preference_save(*, actor, data):
    """Save the actor's own channel choices; an enabled channel needs an address."""
    preference = preference_for(actor)
    before = {f: getattr(preference, f) for f in PREFERENCE_FIELDS}
    for field in PREFERENCE_FIELDS:
        value = data.get(field)
        setattr(preference, field, bool(value) if field.endswith("_enabled") else (value or "").strip())
    errors = []
    if preference.sms_enabled and not actor.phone:
        errors.append(
            {"field": "sms_enabled", "message": "您的账号未登记手机号，不能开启短信通知（手机号由系统管理员维护）。"}
        )
    if preference.email_enabled and not preference.email:
        errors.append({"field": "email", "message": "开启电子邮件通知须填写邮箱地址。"})
    if preference.wecom_enabled and not preference.wecom_userid:
        errors.append({"field": "wecom_userid", "message": "开启企业微信通知须填写企业微信账号。"})
    if preference.dingtalk_enabled and not preference.dingtalk_userid:
        errors.append({"field": "dingtalk_userid", "message": "开启钉钉通知须填写钉钉用户ID。"})
    if errors:
        raise ApplicationError("；".join(e["message"] for e in errors), errors=errors)
    preference.save()
    after = {f: getattr(preference, f) for f in PREFERENCE_FIELDS}
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if diff:
        audit_record(
            actor=actor,
            action="notification.preferences",
            obj=preference,
            region_code=actor.region_id or "",
            data={"changes": diff},
        )
    return preference
