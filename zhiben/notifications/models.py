"""Notifications: an in-app inbox row per user, and an outbox of external messages (SMS, e-mail …)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import Channel, DeliveryStatus


class Notification(models.Model):
    """One message to one recipient over one channel. Inbox rows are read in the app; the others are
    claimed and sent by the worker (`python manage.py send_notifications`)."""

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.INBOX)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    to_name = models.CharField("接收人姓名", max_length=100, blank=True)
    to_address = models.CharField("接收地址", max_length=200, blank=True, help_text="手机号、邮箱等")
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    status = models.CharField("发送状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "通知"
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="notification_outbox"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.to_name or self.recipient_id}: {self.subject}"
