"""Forms filled in where the network is not: a village lane, a plant's basement, a phone on one bar of signal.

The browser keeps what cannot be sent and sends it later (static/zhiben/offline.js, with the service worker of
templates/core/sw.js keeping the pages to fill in). This module is the server's half:

- `offline_form` decorates the view of such a form. Its page is marked (header X-Zhiben-Offline) for the service
  worker to keep, so that it opens without a network; and a POST carrying a submission key (the hidden field the
  page adds to the form) is saved once. The same key sent again — the queue resending after an answer it never
  received, the upload retried, two open tabs sending the queue at once — is answered with the page the first
  save led to, and nothing is saved twice.
- `OfflineForm` entries (core.registry, "offline_forms") name the forms with a page of their own that a user may
  fill in; the browser keeps them ahead of need (see core.context).
- `submitted_once` is the same once-only save for an API call carrying an Idempotency-Key header (`api_key`): an
  integration that retries after a timeout gets the records its first call created, not a second set.
- `purge_submission_keys` (a job) forgets keys after SUBMISSION_KEY_DAYS days.
"""

import re
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from .exceptions import ApplicationError
from .models import SubmissionKey

KEY_FIELD = "submission_key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # as offline.js makes them; anything else is ignored
HEADER = "X-Zhiben-Offline"
SUBMISSION_KEY_DAYS = 30  # a phone's queue is sent within days; a key older than this is never asked again
REPEATED = "这份表单此前已提交成功（网络重试或离线队列再次发送），未重复保存。"


def offline_form(view):
    """The view of a form that may be filled in offline and sent later (see the module's text).

    The view saves through its service and answers a saved submission with `saved(redirect(...))` (the saved
    record's page); any other answer (the form again with its errors, a redirect elsewhere with an error message)
    means nothing was saved, and its key may be sent again."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            response = view(request, *args, **kwargs)
        else:
            response = _once(request, key, lambda: view(request, *args, **kwargs))
        if request.method == "GET" and response.status_code == 200:
            response[HEADER] = "1"
        return response

    return wrapped


def _key(request):
    if request.method != "POST":
        return None
    key = request.POST.get(KEY_FIELD, "")
    return key if KEY_PATTERN.fullmatch(key) else None


def api_key(value):
    """An API call's Idempotency-Key header: None when absent; a malformed one is refused (400)."""
    if value is None:
        return None
    if not KEY_PATTERN.fullmatch(value):
        raise ApplicationError("Idempotency-Key 须为 16～64 位字母、数字、“-”或“_”（如一个 UUID）。")
    return value


class Repeated(Exception):
    """The submission key was saved before: `memo` (a SubmissionKey) says what that save led to and created."""

    def __init__(self, memo):
        super().__init__(memo.key)
        self.memo = memo


def _earlier(user, key):
    return SubmissionKey.objects.filter(user=user, key=key).first()


@contextmanager
def submitted_once(user, key):
    """Run the block — a save — once per (user, key), in one transaction with the key; yield the SubmissionKey row
    for the block to fill (`url`, `ids`; or delete it when nothing was saved). Raise Repeated when the key was saved
    before, or by a second send that won the race: the key is taken first, so such a send waits for the first one's
    transaction to end and then fails here. An exception in the block rolls back the save and the key alike."""
    earlier = _earlier(user, key)
    if earlier is not None:
        raise Repeated(earlier)
    try:
        with transaction.atomic():
            memo = SubmissionKey.objects.create(user=user, key=key)
            yield memo
            if memo.pk is not None:
                memo.save(update_fields=["url", "ids"])
    except IntegrityError:
        earlier = _earlier(user, key)
        if earlier is None:  # not our key's: the block's own
            raise
        raise Repeated(earlier) from None


def _once(request, key, view):
    try:
        with submitted_once(request.user, key) as memo:
            response = view()
            if getattr(response, "saved", False):
                memo.url = response["Location"][:300]
            else:
                memo.delete()  # not saved: the corrected form is sent with the same key
    except Repeated as repeated:
        messages.info(request, REPEATED)
        return redirect(repeated.memo.url or request.path)
    return response


def saved(response):
    """Mark the redirect that answers a saved submission (see offline_form): its address is what a second send of the
    same submission key is answered with."""
    response.saved = True
    return response


def purge_submission_keys(now=None):
    """Forget the submission keys older than SUBMISSION_KEY_DAYS days; the number forgotten."""
    cutoff = (now or timezone.now()) - timedelta(days=SUBMISSION_KEY_DAYS)
    deleted, _ = SubmissionKey.objects.filter(at__lt=cutoff).delete()
    return deleted
