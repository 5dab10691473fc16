"""Shared write helpers."""

from django.db import IntegrityError, transaction

from .models import Counter


def next_number(key):
    """Return the next value of sequence `key`. Call inside the caller's transaction: the row lock
    is held until it commits, so two concurrent callers get consecutive numbers and a rollback
    leaves no gap."""
    with transaction.atomic(savepoint=False):
        updated = Counter.objects.filter(key=key).select_for_update().first()
        if updated is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(key=key, value=0)
            except IntegrityError:
                pass
            updated = Counter.objects.select_for_update().get(key=key)
        updated.value += 1
        Counter.objects.filter(key=key).update(value=updated.value)
    return updated.value
