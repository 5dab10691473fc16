"""Shared set-up for the monitoring tests: devices registered through the service, readings through ingest."""

from datetime import timedelta

from django.utils import timezone

from zhiben.monitoring import services
from zhiben.monitoring.ingest import Item, ingest


def make_device(actor, enterprise, code, kind="gas", rules=(), **extra):
    device, token = services.device_create(
        actor=actor, data={"enterprise": enterprise.pk, "code": code, "name": f"{code}探测器", "kind": kind, **extra}
    )
    for kind_, threshold, minutes in rules:
        services.rule_add(actor=actor, device=device, data={"kind": kind_, "threshold": threshold, "minutes": minutes})
    return device, token


def send(device, values, *, start, step=timedelta(minutes=1), now=None):
    """Ingest `values` one `step` apart from `start`, as one batch received at `now` (default: the last ts)."""
    items = [Item(device.code, {"ts": (start + i * step).isoformat(), "value": v}) for i, v in enumerate(values)]
    last = start + (len(values) - 1) * step
    return ingest(items, now=now or last + timedelta(seconds=1))


def base_time():
    return timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
