"""The MQTT subscriber behind `manage.py mqtt_ingest`.

Devices publish to `{prefix}/devices/{device code}/readings` (prefix from ZHIBEN_MQTT_TOPIC_PREFIX, default
"zhiben") a JSON object `{"ts": ISO 8601, "value": number}` or a list of them, with QoS 1.

The subscriber keeps a persistent session (MQTT 5: a fixed client id, clean start off and a session
expiry interval), so what devices publish with QoS 1 while it is down is delivered when it comes back.
Messages are buffered and stored in batches (every `batch` messages or `flush_ms` milliseconds), and each
message is acknowledged only after the batch holding it is committed (paho's manual acks): a crash loses
nothing, the broker delivers the unacknowledged messages again. A bad payload is counted and logged,
never fatal.
"""

import logging
import os
import threading
import time
from collections import deque
from urllib.parse import unquote, urlparse

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection

from .choices import Reason
from .ingest import Item, Refused, decode, ingest

log = logging.getLogger("zhiben.monitoring.mqtt")

DEFAULT_URL = "mqtt://127.0.0.1:1883"
RECEIVE_MAXIMUM = 65535  # unacknowledged QoS 1 messages the broker may send us (MQTT 5's largest)
SESSION_EXPIRY = 7 * 24 * 3600  # seconds the broker keeps the session (and queues QoS 1 messages) while we are away


def settings_from_env():
    return {
        "url": os.environ.get("ZHIBEN_MQTT_URL", DEFAULT_URL),
        "prefix": os.environ.get("ZHIBEN_MQTT_TOPIC_PREFIX", "zhiben").strip("/") or "zhiben",
        "client_id": os.environ.get("ZHIBEN_MQTT_CLIENT_ID", "zhiben-ingest"),
    }


def topic_filter(prefix):
    return f"{prefix}/devices/+/readings"


def device_code(topic, prefix):
    """The device code of a readings topic, or '' when the topic is not one."""
    head, tail = f"{prefix}/devices/", "/readings"
    if topic.startswith(head) and topic.endswith(tail):
        code = topic[len(head) : -len(tail)]
        return code if code and "/" not in code else ""
    return ""


def broker(url):
    parts = urlparse(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"ZHIBEN_MQTT_URL 应为 mqtt://主机:端口，实际为 {url}")
    tls = parts.scheme in ("mqtts", "ssl")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or (8883 if tls else 1883),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "tls": tls,
    }


class Ingestor:
    """One subscriber: `run(stop)` until the event is set (or `max_seconds` pass)."""

    def __init__(self, *, url=None, prefix=None, client_id=None, batch=2000, flush_ms=200, stdout=None):
        env = settings_from_env()
        self.url, self.prefix = url or env["url"], (prefix or env["prefix"]).strip("/")
        self.client_id = client_id or env["client_id"]
        self.batch, self.flush_seconds = batch, flush_ms / 1000
        self.stdout = stdout
        self.buffer = deque()
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        self.connected = threading.Event()
        self.stats = {"messages": 0, "stored": 0, "rejected": 0, "batches": 0}

    # paho callbacks (network thread)
    def on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("MQTT 连接被拒绝：%s", reason_code)
            return
        client.subscribe(topic_filter(self.prefix), qos=1)

    def on_subscribe(self, client, userdata, mid, reason_codes, properties):
        self.connected.set()

    def on_message(self, client, userdata, message):
        with self.lock:
            self.buffer.append((message.topic, message.payload, message.mid, message.qos, time.time()))
        if len(self.buffer) >= self.batch:
            self.arrived.set()

    def on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if reason_code != 0:
            log.warning("MQTT 连接断开（%s），自动重连", reason_code)

    def client(self):
        import paho.mqtt.client as mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        where = broker(self.url)
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if where["username"]:
            client.username_pw_set(where["username"], where["password"])
        if where["tls"]:
            client.tls_set()
        client.on_connect, client.on_subscribe = self.on_connect, self.on_subscribe
        client.on_message, client.on_disconnect = self.on_message, self.on_disconnect
        client.reconnect_delay_set(1, 30)
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY
        # Without it Mosquitto keeps only 20 unacknowledged messages in flight to us and queues the rest up to
        # its max_queued_messages (1000), dropping beyond: acks wait for the commit, so allow a full window.
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        # connect in the network thread: a broker that is not up yet is retried, not fatal
        client.connect_async(where["host"], where["port"], keepalive=30, clean_start=False, properties=props)
        return client

    def items_of(self, messages):
        items = []
        for topic, payload, _mid, _qos, received in messages:
            code = device_code(topic, self.prefix)
            at = _aware(received)
            entries, refused = decode(payload)
            if refused is not None:
                log.warning("设备 %s 的消息无法解析：%s", code or topic, refused.detail)
                items.append(Item(code, refused, at))
                continue
            if not entries:
                items.append(Item(code, Refused(Reason.MALFORMED, "空数组"), at))
            items.extend(Item(code, entry, at) for entry in entries)
        return items

    def flush(self, client):
        with self.lock:
            messages = list(self.buffer)
            self.buffer.clear()
            self.arrived.clear()
        if not messages:
            return
        while True:
            try:
                outcome = ingest(self.items_of(messages))
                break
            except (OperationalError, InterfaceError) as exc:  # the database is away: keep the batch, retry
                log.error("写入读数失败，稍后重试：%s", exc)
                connection.close()
                time.sleep(1)
            except DatabaseError:
                log.exception("批量写入失败，逐条重试")
                outcome = self._one_by_one(messages)
                break
        for _topic, _payload, mid, qos, _at in messages:
            if qos:
                client.ack(mid, qos)
        self.stats["messages"] += len(messages)
        self.stats["stored"] += outcome.accepted
        self.stats["rejected"] += len(outcome.rejected)
        self.stats["batches"] += 1
        for _index, code, reason, detail in outcome.rejected[:20]:
            log.info("拒收设备 %s 的读数（%s）：%s", code, reason, detail)

    def _one_by_one(self, messages):
        from .ingest import Outcome

        total = Outcome()
        for message in messages:
            try:
                outcome = ingest(self.items_of([message]))
            except DatabaseError:
                log.exception("消息写入失败，已计为格式错误：%s", message[0])
                code = device_code(message[0], self.prefix)
                outcome = ingest([Item(code, Refused(Reason.MALFORMED, "无法写入"), _aware(message[4]))])
            total.accepted += outcome.accepted
            total.rejected += outcome.rejected
        return total

    def run(self, stop=None, max_seconds=None):
        stop = stop or threading.Event()
        client = self.client()
        client.loop_start()
        started = time.monotonic()
        try:
            while not stop.is_set():
                if max_seconds is not None and time.monotonic() - started >= max_seconds:
                    break
                self.arrived.wait(self.flush_seconds)
                close_old_connections()
                self.flush(client)
            self.flush(client)
        finally:
            client.disconnect()
            client.loop_stop()
            connection.close()
        return self.stats


def _aware(epoch):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)
