"""Pluggable senders behind one interface: `send(notification)` returns on success and raises on failure.

settings.NOTIFICATION_SENDERS maps each external channel to a dotted path. Shipped senders:

- EmailSender: SMTP through Django's e-mail settings (EMAIL_HOST, EMAIL_PORT, … from ZHIBEN_EMAIL_*);
- WeComSender / DingTalkSender: group-robot webhooks (企业微信/钉钉群机器人), HTTP POST of JSON; the
  recipient's account is @-mentioned in the group;
- ConsoleSender and FileSender: for development (FileSender appends JSON lines to NOTIFICATION_FILE).

An SMS gateway plugs in the same way. Raise `SendError(..., permanent=True)` for a failure no retry
can fix (a missing address); anything else is retried with back-off by `services.send_pending`.
"""

import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SendError(Exception):
    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def full_url(path):
    """An absolute link for messages read outside the app (ZHIBEN_SITE_URL + path)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else path


def plain_text(notification):
    """Body text with the link appended (for e-mail and chat messages)."""
    parts = [notification.body.strip()] if notification.body.strip() else []
    link = full_url(notification.url)
    if link:
        parts.append(f"查看详情：{link}")
    return "\n\n".join(parts) or notification.subject


class ConsoleSender:
    def send(self, notification):
        sys.stdout.write(
            f"[{notification.channel}] → {notification.to_name} <{notification.to_address}>: {notification.subject}\n{plain_text(notification)}\n"
        )


class FileSender:
    """Appends each message as a JSON line to settings.NOTIFICATION_FILE (default var/notifications.jsonl)."""

    def send(self, notification):
        path = Path(getattr(settings, "NOTIFICATION_FILE", settings.BASE_DIR / "var" / "notifications.jsonl"))
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "channel": notification.channel,
            "to": notification.to_address,
            "name": notification.to_name,
            "subject": notification.subject,
            "body": notification.body,
            "url": notification.url,
            "id": notification.pk,
        }
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


class EmailSender:
    """SMTP e-mail with Django's mail machinery: the backend and server come from settings."""

    def send(self, notification):
        from django.core.mail import EmailMessage

        if not notification.to_address:
            raise SendError("缺少收件人邮箱地址。", permanent=True)
        message = EmailMessage(
            subject=notification.subject,
            body=plain_text(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_address],
        )
        if message.send(fail_silently=False) != 1:
            raise SendError("邮件服务器未接受该邮件。")


class WebhookSender:
    """A group-robot webhook: POST JSON, expect {"errcode": 0}. Subclasses say where and what to post."""

    setting = ""
    label = ""
    limit = 2000  # bytes of UTF-8 text content the robot accepts

    def clip(self, text):
        data = text.encode("utf-8")
        return text if len(data) <= self.limit else data[: self.limit - 3].decode("utf-8", "ignore") + "…"

    def url(self):
        url = getattr(settings, self.setting, "")
        if not url:
            raise SendError(f"未配置{self.label}机器人地址（{self.setting}）。")
        return url

    def payload(self, notification, text):
        raise NotImplementedError

    def send(self, notification):
        text = self.clip(f"{notification.subject}\n{plain_text(notification)}")
        data = json.dumps(self.payload(notification, text), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url(), data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        timeout = getattr(settings, "NOTIFICATION_HTTP_TIMEOUT", 10)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise SendError(f"{self.label}机器人返回 HTTP {exc.code}。") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"无法连接{self.label}机器人：{reason}") from exc
        try:
            answer = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError) as exc:
            raise SendError(f"{self.label}机器人的应答不是 JSON。") from exc
        if answer.get("errcode", 0) != 0:
            raise SendError(
                f"{self.label}机器人拒绝了消息：errcode={answer.get('errcode')} {answer.get('errmsg', '')}".strip()
            )


class WeComSender(WebhookSender):
    """企业微信群机器人: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… (settings.WECOM_WEBHOOK_URL)."""

    setting = "WECOM_WEBHOOK_URL"
    label = "企业微信"
    limit = 2048

    def payload(self, notification, text):
        content = {"content": text}
        if notification.to_address:
            content["mentioned_list"] = [notification.to_address]
        return {"msgtype": "text", "text": content}


class DingTalkSender(WebhookSender):
    """钉钉群机器人: https://oapi.dingtalk.com/robot/send?access_token=… (settings.DINGTALK_WEBHOOK_URL);
    with DINGTALK_SECRET set, each request is signed (加签: HMAC-SHA256 of "timestamp\\nsecret")."""

    setting = "DINGTALK_WEBHOOK_URL"
    label = "钉钉"
    limit = 18000

    def url(self):
        url = super().url()
        secret = getattr(settings, "DINGTALK_SECRET", "")
        if not secret:
            return url
        timestamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"

    def payload(self, notification, text):
        at = {"isAtAll": False}
        if notification.to_address:
            at["atUserIds"] = [notification.to_address]
            text = f"{text}\n@{notification.to_address}"
        return {"msgtype": "text", "text": {"content": text}, "at": at}


_cache = {}


def sender_for(channel):
    path = settings.NOTIFICATION_SENDERS.get(channel)
    if not path:
        raise SendError(f"渠道 {channel} 未配置发送器。")
    if path not in _cache:
        _cache[path] = import_string(path)()
    return _cache[path]
