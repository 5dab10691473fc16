"""Shared test helpers: aware moments, the cast's duty units, a roster written through the service."""

from datetime import datetime

from django.utils import timezone

from zhiben.core.models import Rule
from zhiben.regions.models import Unit

from .. import services


def at(text):
    """An aware moment in the project's time zone from "2030-05-06 08:30"."""
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def set_rule(key, value, region_code=""):
    Rule.objects.update_or_create(
        key=key, region_code=region_code.ljust(12, "0") if region_code else "", defaults={"value": value}
    )


def town_office(case):
    """The 安委办 of town A1 (the cast has county offices only)."""
    unit, _ = Unit.objects.get_or_create(name="凤凰镇安委办", region=case.town_a1, defaults={"kind": "committee"})
    return unit


def write(actor, unit, day, leaders="", staff="", shift="", today=None):
    return services.roster_save(
        actor=actor,
        unit=unit,
        rows=[{"label": str(day), "day": day, "shift": shift, "leaders": leaders, "staff": staff}],
        today=today or day,
    )
