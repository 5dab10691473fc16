"""Pluggable senders behind one interface: `send(notification)` raises on failure.

Configured by settings.NOTIFICATION_SENDERS = {channel: dotted path}. The console and file senders
are for development and tests; real SMS/WeCom/DingTalk gateways plug in the same way.
"""

import json
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SendError(Exception):
    pass


class ConsoleSender:
    def send(self, notification):
        print(f"[{notification.channel}] → {notification.to_name} <{notification.to_address}>: {notification.subject}\n{notification.body}")


class FileSender:
    """Appends each message as a JSON line to settings.NOTIFICATION_FILE (default var/notifications.jsonl)."""

    def send(self, notification):
        path = Path(getattr(settings, "NOTIFICATION_FILE", settings.BASE_DIR / "var" / "notifications.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"channel": notification.channel, "to": notification.to_address, "name": notification.to_name,
                  "subject": notification.subject, "body": notification.body, "id": notification.pk}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


_cache = {}


def sender_for(channel):
    path = settings.NOTIFICATION_SENDERS.get(channel)
    if not path:
        raise SendError(f"渠道 {channel} 未配置发送器。")
    if path not in _cache:
        _cache[path] = import_string(path)()
    return _cache[path]
