"""Notifications: an in-app inbox row per user, an outbox of external messages (SMS, e-mail, WeCom,
DingTalk), and each user's delivery preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhiben.core import crypto
from zhiben.core.models import ScopedQuerySet

from .choices import Channel, DeliveryStatus


def kind_label(object_type):
    """A message's object type ("hazards.hazard") as its kind's name ("隐患"), "—" for none or one no longer known."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name) if object_type else "—"
    except (LookupError, ValueError):
        return "—"


class Notification(crypto.BlindIndexed, models.Model):
    """One message to one recipient over one channel. Inbox rows are read in the app; the others are
    claimed and sent by the worker (`tick`, `run_worker` or `send_notifications`).

    The address (a phone, an e-mail) is personal data: stored encrypted, found by its blind index
    (`filter(to_address="138…")` compares the index), shown masked on the outbox page. Subjects,
    bodies and errors are stored with any mobile or identity number masked (`notify`)."""

    SCOPE = {"region": "region_code"}

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.INBOX)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    to_name = models.CharField("接收人姓名", max_length=100, blank=True)
    to_address = crypto.EncryptedTextField(
        "接收地址", blank=True, help_text="手机号、邮箱等（加密存储）", index_field="to_address_index"
    )
    to_address_index = models.CharField("接收地址检索摘要", max_length=64, blank=True, editable=False, db_index=True)
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
    # pending: when the next try is due; sending: when the claim lapses (a worker that died mid-way)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "通知"
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox"),
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["pending", "sending"]), name="notification_queue"
            ),
        ]

    def __str__(self):
        # no subject: this is what audit rows of the administrators' retries name
        return (
            f"{self.get_channel_display()}消息#{self.pk} → {self.to_name or self.masked_address or self.recipient_id}"
        )

    @property
    def is_unread(self):
        return self.read_at is None

    @property
    def about(self):
        """What the message is about, as a kind ("隐患", "用户"): never which one or what it says."""
        return kind_label(self.object_type)

    @property
    def masked_address(self):
        """The address as the outbox page shows it: 138****5678, e***@example.com, we*****id."""
        return mask_address(self.to_address)


def mask_address(address):
    """A phone or account masked by `crypto.mask_phone`; an e-mail keeps its first character and domain."""
    address = str(address or "").strip()
    local, at, domain = address.rpartition("@")
    if at and local:
        return f"{local[0]}***@{domain}"
    return crypto.mask_phone(address)


class NotificationPreference(models.Model):
    """Which channels a user wants besides the inbox (always on), and the addresses to use.

    SMS goes to the phone on the user's account; e-mail, WeCom and DingTalk addresses live here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms_enabled = models.BooleanField("短信", default=False)
    email_enabled = models.BooleanField("电子邮件", default=False)
    email = models.EmailField("电子邮箱", blank=True)
    wecom_enabled = models.BooleanField("企业微信", default=False)
    wecom_userid = models.CharField(
        "企业微信账号", max_length=64, blank=True, help_text="企业微信通讯录中的账号（userid），群机器人消息将 @ 该账号"
    )
    dingtalk_enabled = models.BooleanField("钉钉", default=False)
    dingtalk_userid = models.CharField(
        "钉钉用户ID", max_length=64, blank=True, help_text="钉钉通讯录中的 userId，群机器人消息将 @ 该用户"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知偏好"

    def __str__(self):
        return f"{self.user} 的通知偏好"

    def addresses(self):
        """{channel: address} for each external channel the user enabled and has an address for."""
        found = {}
        if self.sms_enabled and self.user.phone:
            found[Channel.SMS] = self.user.phone
        if self.email_enabled and self.email:
            found[Channel.EMAIL] = self.email
        if self.wecom_enabled and self.wecom_userid:
            found[Channel.WECOM] = self.wecom_userid
        if self.dingtalk_enabled and self.dingtalk_userid:
            found[Channel.DINGTALK] = self.dingtalk_userid
        return found


class ReminderRecord(models.Model):
    """A reminder sent: one per kind, object and deadline. The unique constraint makes it happen once,
    even when several workers run at the same moment; a new deadline (an extension) is a new reminder."""

    SCOPE = {"region": "region_code"}

    kind = models.CharField("提醒种类", max_length=40)
    object_id = models.CharField("对象ID", max_length=64)
    deadline = models.DateField("期限")
    region_code = models.CharField("区划", max_length=12, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "到期提醒记录"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "deadline"], name="reminder_once_per_deadline")
        ]

    def __str__(self):
        return f"{self.kind}#{self.object_id}@{self.deadline}"
