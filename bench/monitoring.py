"""Monitoring readings at district scale on PostgreSQL: 2,000 devices publishing through the real MQTT
broker (127.0.0.1:1883, to a running `manage.py mqtt_ingest`) and posting to the HTTP ingest (gunicorn,
2 workers), both at once.

Measured:
- throughput: a burst of readings sent as fast as the publishers go (MQTT messages of 10 readings, HTTP
  batches of 200), stored readings per second from the first send until the last reading is committed;
- alarm latency at a steady load (every device one reading a second, through MQTT and HTTP), with
  threshold crossings spread over the run: reading received by the ingest → alarm row committed (p50/p95),
  and reading sent → alarm row;
- the anchor: the raw COPY rate of the same readings into the same table (rows/s), same run.
Targets (DESIGN.md): ≥ 5,000 readings stored per second, alarm latency p95 < 2 s.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from time import perf_counter

from .common import ROOT, Result, for_each_database, in_django, postgres_only

PART = "monitoring"
DEVICES = 2000
ENTERPRISES = 200
BURST = 200_000  # readings in the throughput burst
MQTT_SHARE = 0.6
PER_MESSAGE = 10
PER_POST = 200
STEADY_SECONDS = 15
ALARM_DEVICES = 200
THRESHOLD = 100.0
TARGET_RATE = 5000
TARGET_P95 = 2.0
BROKER = ("127.0.0.1", 1883)


def run(options):
    skipped, _ = postgres_only(options, PART)
    if skipped:
        return skipped
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError:
        return [Result(part=PART, database="PostgreSQL", data="—", note="跳过：127.0.0.1:1883 没有 MQTT 服务器")]
    options_pg = type(options)(**{**vars(options), "databases": ["postgres"]})
    scale = (options.rows or BURST) / BURST

    def measure(label, url):
        out = in_django(url, "bench.monitoring:measure", devices=DEVICES, burst=int(BURST * scale))
        data = (
            f"{out['devices']:,} 台设备（{out['enterprises']} 家企业），突发 {out['burst']:,} 条读数"
            f"（MQTT {out['mqtt']:,} + HTTP {out['http']:,}），稳态 {out['steady_readings']:,} 条"
        )
        rate, copy = out["rate"], out["copy_rate"]
        lat = out["latency"]
        return [
            Result(
                part=f"{PART}.throughput",
                database=label,
                data=data,
                times=[out["seconds"]],
                anchor=f"COPY {copy:,.0f} 条/秒",
                note=f"入库 {rate:,.0f} 条/秒（目标 ≥ {TARGET_RATE:,}：{'✓' if rate >= TARGET_RATE else '✗'}），"
                f"同场 COPY {copy:,.0f} 条/秒，比值 {rate / copy:.1%}；MQTT 发布 {out['mqtt_rate']:,.0f} 条/秒，"
                f"HTTP 上报（应答即已入库）{out['http_rate']:,.0f} 条/秒；丢失 {out['lost']} 条",
                failed=rate < TARGET_RATE or out["lost"] > 0,
                verdict=rate >= TARGET_RATE and out["lost"] == 0,
                anchor_value=round(copy, 1),
                ratio=rate / copy,
            ),
            Result(
                part=f"{PART}.alarm_latency",
                database=label,
                data=data,
                times=[lat["p95"]],
                target=TARGET_P95,
                anchor="",
                p50=lat["p50"],
                p95=lat["p95"],
                note=f"稳态 {out['steady_rate']:,.0f} 条/秒下 {lat['n']} 台设备同一秒越限报警：接收→报警入库 p50 {lat['p50'] * 1000:.0f} ms，"
                f"p95 {lat['p95'] * 1000:.0f} ms；发送→报警入库 p95 {out['latency_sent']['p95'] * 1000:.0f} ms；"
                f"突发时（积压中）接收→报警 p95 {out['burst_latency']['p95'] * 1000:.0f} ms",
            ),
        ]

    return for_each_database(options_pg, PART, measure)


# --- runs inside the Django subprocess ---------------------------------------------------------


def _pct(samples):
    samples = sorted(samples)
    if not samples:
        return {"p50": 0.0, "p95": 0.0, "n": 0}
    return {"p50": samples[len(samples) // 2], "p95": samples[max(0, int(len(samples) * 0.95) - 1)], "n": len(samples)}


def _devices(n):
    """n devices spread over the enterprises, each with an above-threshold rule; tokens are 'bench-<i>'."""
    from django.utils import timezone

    from zhiben.enterprises.models import Enterprise
    from zhiben.monitoring.models import AlarmRule, Device
    from zhiben.monitoring.services import token_hash

    from .hazards import _copy

    enterprises = list(Enterprise.objects.values_list("id", "region_id", "industry_id"))
    now = timezone.now()
    rows = []
    for i in range(n):
        ent, region, industry = enterprises[i % len(enterprises)]
        rows.append(
            {
                "enterprise_id": ent,
                "region_id": region,
                "industry_id": industry,
                "code": f"BENCH-{i:05d}",
                "name": f"基准探测器{i}",
                "kind": "gas",
                "unit": "%LEL",
                "token_hash": token_hash(f"bench-{i}"),
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    _copy(Device, rows)
    ids = dict(Device.objects.values_list("code", "id"))
    _copy(
        AlarmRule,
        [
            {
                "device_id": ids[r["code"]],
                "kind": "above",
                "threshold": THRESHOLD,
                "minutes": 0,
                "active": True,
                "created_at": now,
            }
            for r in rows
        ],
    )
    return [r["code"] for r in rows]


def _copy_rate(codes, n):
    """The anchor: n readings of the same devices COPYed straight into the readings table (then removed)."""
    from django.db import connection, transaction

    from zhiben.core.db import insert_rows
    from zhiben.monitoring.models import Device, Reading

    ids = list(Device.objects.filter(code__in=codes).values_list("id", flat=True))
    now = datetime.now(UTC)
    rows = [(ids[i % len(ids)], now - timedelta(milliseconds=i), float(i % 50), now) for i in range(n)]
    with transaction.atomic():
        t0 = perf_counter()
        insert_rows(Reading, ["device_id", "ts", "value", "received_at"], rows)
        seconds = perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Reading._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {Reading._meta.db_table}")
    return n / seconds


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _count():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM monitoring_reading")
        return cursor.fetchone()[0]


def _wait_count(expected, timeout):
    """Poll until `expected` readings are stored; returns (time reached or None, last count)."""
    deadline = time.monotonic() + timeout
    count = _count()
    while count < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _count()
    return (perf_counter() if count >= expected else None), count


class Senders:
    """The device side: one paho publisher and keep-alive HTTP connections."""

    def __init__(self, prefix, port, codes):
        import paho.mqtt.client as mqtt

        self.prefix, self.port, self.codes = prefix, port, codes
        self.mqtt = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{prefix}-pub", protocol=mqtt.MQTTv5)
        self.mqtt.max_inflight_messages_set(2000)
        self.mqtt.max_queued_messages_set(0)
        self.mqtt.connect(*BROKER)
        self.mqtt.loop_start()
        self.last_info = None

    def publish(self, index, readings):
        body = json.dumps(readings)
        self.last_info = self.mqtt.publish(f"{self.prefix}/devices/{self.codes[index]}/readings", body, qos=1)

    def post_all(self, batches, threads=4):
        """POST [(device index, readings)] over `threads` keep-alive connections."""
        import http.client

        chunks = [batches[i::threads] for i in range(threads)]
        errors = []

        def work(chunk):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            for index, readings in chunk:
                conn.request(
                    "POST",
                    "/monitoring/ingest/",
                    json.dumps(readings),
                    {"Authorization": f"Bearer bench-{index}", "Content-Type": "application/json"},
                )
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    errors.append(body[:200])
            conn.close()

        workers = [threading.Thread(target=work, args=(c,)) for c in chunks]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return errors

    def close(self):
        if self.last_info is not None:
            self.last_info.wait_for_publish(60)
        self.mqtt.disconnect()
        self.mqtt.loop_stop()


def _readings(n, value=lambda k: 10.0, spread=0.0):
    now = datetime.now(UTC)
    return [{"ts": (now - timedelta(seconds=spread * (n - 1 - k))).isoformat(), "value": value(k)} for k in range(n)]


def _start(prefix, port):
    env = {**os.environ}
    log = open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"{prefix}-ingest.log"), "w")  # noqa: SIM115
    ingest = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "mqtt_ingest",
            "--prefix",
            prefix,
            "--client-id",
            f"{prefix}-ingest",
            "--batch",
            "5000",
            "--flush-ms",
            "100",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "zhiben.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    return ingest, web


def _forget(prefix):
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{prefix}-ingest", protocol=mqtt.MQTTv5)
    client.connect(*BROKER, clean_start=True)
    client.loop_start()
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


def measure(devices, burst):
    from django.db import connection

    from zhiben.monitoring.models import Alarm

    from .hazards import _build

    t0 = perf_counter()
    _build(ENTERPRISES, 0)
    codes = _devices(devices)
    build = perf_counter() - t0
    copy_rate = _copy_rate(codes, burst)
    prefix, port = f"bench-{uuid.uuid4().hex[:8]}", _free_port()
    ingest, web = _start(prefix, port)
    try:
        senders = Senders(prefix, port, codes)
        # the ingest is up once a probe reading comes through (messages sent before its first subscription are
        # nobody's: its persistent session begins then)
        deadline = time.monotonic() + 60
        while _count() == 0 and time.monotonic() < deadline:
            senders.publish(0, _readings(1))
            time.sleep(0.5)
        # warm up: one reading per device through each path, until stored
        warm = _count()
        for i in range(devices):
            senders.publish(i, _readings(1))
        senders.post_all([(i, _readings(1)) for i in range(0, devices, 10)])
        expected = warm + devices + len(range(0, devices, 10))
        if _wait_count(expected, 120)[0] is None:
            raise RuntimeError(f"预热读数未全部入库：{_count()} / {expected}")
        connection.close()

        # throughput: a burst through both paths at once; the alarm devices cross the threshold in their last message
        base = _count()
        mqtt_n = int(burst * MQTT_SHARE) // PER_MESSAGE * PER_MESSAGE
        http_n = (burst - mqtt_n) // PER_POST * PER_POST
        messages = mqtt_n // PER_MESSAGE
        alarm_from = messages - ALARM_DEVICES
        http_batches = [(i % devices, None) for i in range(http_n // PER_POST)]
        start = perf_counter()
        poster = threading.Thread(
            target=lambda: senders.post_all([(i, _readings(PER_POST, spread=0.001)) for i, _ in http_batches])
        )
        poster.start()
        mqtt_sent_at = None
        for m in range(messages):
            index = (m * 7) % devices if m < alarm_from else m - alarm_from
            value = (lambda k: THRESHOLD + 50) if m >= alarm_from else (lambda k: float(k))
            senders.publish(index, _readings(PER_MESSAGE, value, spread=0.001))
        mqtt_sent_at = perf_counter()
        poster.join()
        http_done = perf_counter()
        reached, count = _wait_count(base + mqtt_n + http_n, 300)
        lost = 0 if reached else base + mqtt_n + http_n - count
        end = reached or perf_counter()
        seconds = end - start
        burst_lat = _latencies(Alarm, received=True)
        Alarm.objects.all().update(status="closed")
        connection.close()

        # steady load: every device one reading a second (98% MQTT, 2% HTTP), alarm crossings spread evenly
        base = _count()
        steady_start, steady_n = perf_counter(), 0
        Alarm.objects.all().delete()
        crossing = set(range(0, devices, devices // ALARM_DEVICES))
        for second in range(STEADY_SECONDS):
            tick = perf_counter()
            http = []
            for i in range(devices):
                high = second == STEADY_SECONDS // 2 and i in crossing
                readings = _readings(1, (lambda k: THRESHOLD + 1) if high else (lambda k: 5.0))
                if i % 50 == 0:
                    http.append((i, readings))
                else:
                    senders.publish(i, readings)
                steady_n += 1
            senders.post_all(http, threads=2)
            time.sleep(max(0.0, 1 - (perf_counter() - tick)))
        steady_seconds = perf_counter() - steady_start
        reached, count = _wait_count(base + steady_n, 120)
        lost += 0 if reached else base + steady_n - count
        latency, latency_sent = _latencies(Alarm, received=True), _latencies(Alarm, received=False)
        senders.close()
    finally:
        for proc in (ingest, web):
            proc.terminate()
        for proc in (ingest, web):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        _forget(prefix)
    return {
        "devices": devices,
        "enterprises": ENTERPRISES,
        "build": build,
        "burst": mqtt_n + http_n,
        "mqtt": mqtt_n,
        "http": http_n,
        "seconds": seconds,
        "rate": (mqtt_n + http_n) / seconds,
        "mqtt_rate": mqtt_n / (mqtt_sent_at - start),
        "http_rate": http_n / (http_done - start),
        "lost": lost,
        "copy_rate": copy_rate,
        "burst_latency": burst_lat,
        "steady_readings": steady_n,
        "steady_rate": steady_n / steady_seconds,
        "latency": latency,
        "latency_sent": latency_sent,
    }


def _latencies(Alarm, received):
    rows = Alarm.objects.values_list("created_at", "received_at" if received else "reading_ts")
    return _pct([(created - at).total_seconds() for created, at in rows if at is not None])
