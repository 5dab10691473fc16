"""Creating notifications and draining the outbox."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import Channel, DeliveryStatus
from .models import Notification
from .senders import sender_for

MAX_ATTEMPTS = 6


def notify(*, subject, body="", url="", users=(), contacts=(), obj=None, region_code=""):
    """Queue a message: an inbox row for each user, an SMS for each (name, phone) contact.

    Call inside the caller's transaction; the rows commit (or roll back) with the business change.
    """
    common = {"subject": subject[:200], "body": body, "url": url, "region_code": region_code,
              "object_type": obj._meta.label_lower if obj is not None else "", "object_id": str(obj.pk) if obj is not None else ""}
    rows = []
    seen_users = set()
    for user in users:
        if user is None or user.pk in seen_users or not user.is_active:
            continue
        seen_users.add(user.pk)
        rows.append(Notification(channel=Channel.INBOX, recipient=user, to_name=user.display_name, status=DeliveryStatus.SENT, sent_at=timezone.now(), **common))
    seen_contacts = set()
    for name, phone in contacts:
        if not phone or phone in seen_contacts:
            continue
        seen_contacts.add(phone)
        rows.append(Notification(channel=Channel.SMS, to_name=name or "", to_address=phone, **common))
    Notification.objects.bulk_create(rows)
    return rows


def backoff(attempts):
    return timedelta(minutes=min(2 ** attempts, 24 * 60))


def send_pending(*, limit=100, now=None):
    """Claim and send due outbox rows; returns (sent, failed). Safe with several workers at once:
    a row is claimed by a conditional UPDATE, so only one worker sends it."""
    now = now or timezone.now()
    sent = failed = 0
    due = list(Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).exclude(channel=Channel.INBOX)
               .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
    for pk in due:
        if Notification.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1) != 1:
            continue
        note = Notification.objects.get(pk=pk)
        try:
            sender_for(note.channel).send(note)
        except Exception as exc:  # any sender failure is recorded and retried with back-off
            final = note.attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=pk).update(
                status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
                next_attempt_at=now + backoff(note.attempts), last_error=f"{type(exc).__name__}: {exc}"[:2000])
            failed += 1
        else:
            Notification.objects.filter(pk=pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
            sent += 1
    return sent, failed


@transaction.atomic
def inbox_mark_read(*, user, ids=None):
    qs = Notification.objects.filter(recipient=user, channel=Channel.INBOX, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
