"""The real path: paho-mqtt publishes through the Mosquitto broker on 127.0.0.1:1883 to a running
`mqtt_ingest` (its Ingestor in a thread, on the test database). Readings are stored and an alarm raised;
readings published with QoS 1 while the ingest is down arrive when it comes back (persistent session).

Each run uses its own topic prefix and client id, so parallel runs never take each other's messages."""

import json
import socket
import threading
import time
import unittest
import uuid

from django.db import OperationalError
from django.test import TransactionTestCase
from django.utils import timezone

from zhiben.monitoring.models import Alarm, Reading, Rejection
from zhiben.monitoring.mqtt import Ingestor
from zhiben.testing import build_cast

from .helpers import make_device

BROKER = ("127.0.0.1", 1883)
URL = "mqtt://127.0.0.1:1883"


def broker_up():
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


def read(query, seconds=10):
    """Run a read; on SQLite's shared in-memory test database a read can meet the ingest thread's table
    lock ("database table is locked"), so it is retried for a while."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return query()
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def wait_for(check, seconds=30):
    """Poll until `check()` is true; False when it never became true (the test then fails on its assert)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if read(check):
            return True
        time.sleep(0.1)
    return read(check)


@unittest.skipUnless(broker_up(), "MQTT broker not running on 127.0.0.1:1883")
class MqttIngestTests(TransactionTestCase):
    def setUp(self):
        build_cast(self)
        run = uuid.uuid4().hex[:12]
        self.prefix, self.client_id = f"zhiben-test-{run}", f"zhiben-test-ingest-{run}"
        self.device, _ = make_device(self.alice, self.enterprise_a, f"LEL-{run}", rules=[("above", 25, 0)])
        self.publisher = self.connect(f"zhiben-test-pub-{run}")

    def tearDown(self):
        self.publisher.disconnect()
        self.publisher.loop_stop()
        self.forget_session()

    def connect(self, client_id, **kwargs):
        import paho.mqtt.client as mqtt

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        client.connect(*BROKER, **kwargs)
        client.loop_start()
        return client

    def forget_session(self):
        """End the ingest's persistent session on the broker (clean start, no expiry)."""
        client = self.connect(self.client_id, clean_start=True)
        time.sleep(0.2)
        client.disconnect()
        client.loop_stop()

    def start_ingest(self):
        ingestor = Ingestor(url=URL, prefix=self.prefix, client_id=self.client_id, batch=50, flush_ms=50)
        stop = threading.Event()
        thread = threading.Thread(target=ingestor.run, args=(stop,), daemon=True)
        thread.start()
        self.assertTrue(ingestor.connected.wait(15), "the ingest did not subscribe")
        return ingestor, stop, thread

    def publish(self, payload, code=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload)
        info = self.publisher.publish(f"{self.prefix}/devices/{code or self.device.code}/readings", body, qos=1)
        info.wait_for_publish(10)  # the broker has it (PUBACK)
        self.assertTrue(info.is_published())

    def reading(self, value):
        return {"ts": timezone.now().isoformat(), "value": value}

    def test_readings_are_stored_and_alarm_raised_and_nothing_is_lost_while_down(self):
        ingestor, stop, thread = self.start_ingest()
        self.publish([self.reading(3.0), self.reading(4.0)])
        self.publish(self.reading(31.5))
        self.publish(b'{"ts": "2026-11-05T08:00:00+08:00", "value": ')  # malformed: counted, the ingest goes on
        self.publish(self.reading("high"))  # not a number
        self.publish(self.reading(1.0), code="NO-SUCH-DEVICE")
        self.assertTrue(wait_for(lambda: Reading.objects.filter(device=self.device).count() == 3))
        self.assertTrue(wait_for(lambda: Rejection.objects.filter(device=self.device).count() == 2))
        self.assertTrue(wait_for(lambda: Rejection.objects.filter(device=None, reason="unknown_device").exists()))
        alarm = read(lambda: Alarm.objects.get(device=self.device))
        self.assertEqual((alarm.status, alarm.value), ("raised", 31.5))
        self.assertEqual(
            read(lambda: dict(Rejection.objects.filter(device=self.device).values_list("reason", "count"))),
            {"malformed": 1, "bad_value": 1},
        )
        self.assertTrue(thread.is_alive())  # bad payloads did not stop it
        stop.set()
        thread.join(15)
        self.assertFalse(thread.is_alive())

        # while the ingest is down, the device keeps publishing with QoS 1
        for value in (5.0, 6.0, 7.0, 8.0):
            self.publish(self.reading(value))
        self.publish([self.reading(9.0), self.reading(10.0)])
        self.assertEqual(Reading.objects.filter(device=self.device).count(), 3)

        ingestor, stop, thread = self.start_ingest()
        self.assertTrue(wait_for(lambda: Reading.objects.filter(device=self.device).count() == 9))
        values = sorted(read(lambda: list(Reading.objects.filter(device=self.device).values_list("value", flat=True))))
        self.assertEqual(values, [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 31.5])
        stop.set()
        thread.join(15)
        self.assertEqual(ingestor.stats["stored"], 6)
