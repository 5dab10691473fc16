"""Demo: monitoring devices at three hazardous-chemicals enterprises and a power meter at one in 停产整顿,
three days of readings (bulk-inserted), and the last half hour sent through the real ingest, which raises
an open gas alarm and a 疑似违规生产 power alarm."""

import math
import random
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from zhiben.core.db import insert_rows
from zhiben.enterprises.choices import Status
from zhiben.enterprises.models import Enterprise

from . import services
from .ingest import Item, ingest
from .models import Alarm, Device, Reading

STEP = timedelta(minutes=5)
DAYS = 3
LIVE = timedelta(minutes=45)  # the last part goes through the ingest (and its rules)

# code suffix, name, kind, location, rules [(kind, threshold, minutes)], value(t, hours ago, live?)
DEVICES = [
    ("LEL01", "罐区可燃气体探测器", "gas", "甲类罐区", [("above", 25, 0)], "gas"),
    ("T01", "反应釜温度", "temperature", "一车间1号反应釜", [("above", 120, 10), ("rate", 5, 0)], "temp"),
    ("P01", "储罐压力", "pressure", "甲类罐区2号储罐", [("above", 1.6, 5), ("below", 0.05, 15)], "pressure"),
    ("H2S01", "污水池硫化氢检测仪", "toxic", "污水处理站", [("above", 10, 0)], "toxic"),
    ("L01", "原料罐液位", "level", "原料罐区", [("above", 8.5, 0), ("below", 0.5, 0), ("silent", None, 60)], "level"),
]


def _value(shape, t, rng, live):
    hour = timezone.localtime(t).hour + timezone.localtime(t).minute / 60
    day = math.sin((hour - 6) / 24 * 2 * math.pi)
    if shape == "gas":
        return round(26 + rng.random() * 6, 1) if live else round(max(0.0, 1.5 + rng.gauss(0, 0.8)), 1)
    if shape == "temp":
        return round(85 + 6 * day + rng.gauss(0, 0.6), 1)
    if shape == "pressure":
        return round(0.82 + 0.05 * day + rng.gauss(0, 0.01), 3)
    if shape == "toxic":
        return round(max(0.0, 1.2 + rng.gauss(0, 0.5)), 1)
    if shape == "level":
        return round(5.0 + 1.5 * day + rng.gauss(0, 0.05), 2)
    if shape == "power":  # standby at night; production-like load in the last hour while 停产整顿
        return round(165 + rng.gauss(0, 8), 1) if live else round(18 + 4 * rng.random(), 1)
    return 0.0


def load(stdout=None):
    if Device.objects.exists():
        return
    county = "500106"
    plants = list(
        Enterprise.objects.filter(
            region__code__startswith=county, status=Status.OPERATING, industry__code="hazchem"
        ).order_by("id")[:3]
    )
    from zhiben.accounts.demo import own_enterprise

    own = own_enterprise()
    if own is not None and own not in plants:
        plants = [own, *plants[:2]]
    if not plants:
        return
    halted = Enterprise.objects.filter(region__code__startswith=county, status=Status.SUSPENDED).order_by("id").first()
    if halted is None:
        halted = (
            Enterprise.objects.filter(region__code__startswith=county).exclude(pk__in=[p.pk for p in plants]).first()
        )
        if halted is not None:
            Enterprise.objects.filter(pk=halted.pk).update(status=Status.SUSPENDED)
            halted.status = Status.SUSPENDED
    rng = random.Random(20)
    made = []  # (device, shape)
    for number, enterprise in enumerate(plants, start=1):
        chosen = DEVICES if number == 1 else [DEVICES[3], DEVICES[4]] if number == 2 else [DEVICES[1], DEVICES[2]]
        for suffix, name, kind, location, rules, shape in chosen:
            device, _ = services.device_create(
                actor=None,
                data={
                    "enterprise": enterprise.pk,
                    "code": f"E{enterprise.pk}-{suffix}",
                    "name": name,
                    "kind": kind,
                    "location": location,
                },
            )
            for rule_kind, threshold, minutes in rules:
                services.rule_add(
                    actor=None, device=device, data={"kind": rule_kind, "threshold": threshold, "minutes": minutes}
                )
            made.append((device, shape))
    if halted is not None:
        device, _ = services.device_create(
            actor=None,
            data={
                "enterprise": halted.pk,
                "code": f"E{halted.pk}-PWR01",
                "name": "总进线用电功率",
                "kind": "power",
                "rated_power": 400,
                "location": "配电房总进线",
            },
        )
        made.append((device, "power"))
    now = timezone.now().replace(second=0, microsecond=0)
    start, cut = now - timedelta(days=DAYS), now - LIVE
    adapt = connection.ops.adapt_datetimefield_value
    rows, live = [], []
    for device, shape in made:
        t, last = start, None
        while t <= now:
            if t <= cut:
                value = _value(shape, t, rng, False)
                rows.append((device.pk, adapt(t), value, adapt(t + timedelta(seconds=2))))
                last = (t, value)
            else:
                live.append(Item(device.code, {"ts": t.isoformat(), "value": _value(shape, t, rng, True)}, t))
            t += STEP
        Device.objects.filter(pk=device.pk).update(last_ts=last[0], last_value=last[1], last_seen=last[0])
    insert_rows(Reading, ["device_id", "ts", "value", "received_at"], rows)
    ingest(live, now=now + timedelta(seconds=5))


def summary():
    return f"{Device.objects.count()} 台监测设备、{Reading.objects.count()} 条读数、{Alarm.objects.count()} 条报警"
