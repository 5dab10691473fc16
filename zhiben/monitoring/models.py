"""Monitoring: devices of an enterprise, their readings (a table built for volume), alarm rules as data,
alarms with their lifecycle, and the count of refused readings per device and reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from zhiben.core.models import BaseModel, ScopedQuerySet

from .choices import AlarmStatus, Kind, Reason, RuleKind, Unit

SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}


class Device(BaseModel):
    """A monitoring device (sensor or meter) of an enterprise. Its HTTP token is kept only as a SHA-256."""

    SCOPE = SCOPE

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="所属单位", on_delete=models.PROTECT, related_name="devices"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("设备编码", max_length=64, unique=True)
    name = models.CharField("设备名称", max_length=100)
    kind = models.CharField("监测类型", max_length=12, choices=Kind.choices)
    unit = models.CharField("计量单位", max_length=8, choices=Unit.choices)
    location = models.CharField("安装位置", max_length=200, blank=True)
    rated_power = models.FloatField("正常生产负荷（kW）", null=True, blank=True)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    active = models.BooleanField("启用", default=True)
    last_value = models.FloatField("最新读数", null=True, blank=True)
    last_ts = models.DateTimeField("最新读数时间", null=True, blank=True)
    last_seen = models.DateTimeField("最近接收时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "code"]
        verbose_name = verbose_name_plural = "监测设备"

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("monitoring:device_detail", args=[self.pk])


class AlarmRule(models.Model):
    """One alarm rule of a device, as data.

    - above / below: a reading beyond `threshold`, sustained for `minutes` (0: at once);
    - rate: the change between consecutive readings faster than `threshold` units per minute;
    - silent: no reading received for `minutes`;
    - power: the enterprise is in 停产整顿 and the power use exceeds `threshold` (a fraction) of the
      device's normal production load for `minutes` (疑似违规生产).
    `breach_since` is the evaluation state: when the current run of breaching readings began."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField("规则类型", max_length=8, choices=RuleKind.choices)
    threshold = models.FloatField("阈值", null=True, blank=True)
    minutes = models.PositiveIntegerField("持续时间（分钟）", default=0)
    active = models.BooleanField("启用", default=True)
    breach_since = models.DateTimeField("越限开始时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["device_id", "id"]
        verbose_name = verbose_name_plural = "报警规则"

    def __str__(self):
        return self.describe()

    def describe(self, unit=None):
        unit = unit if unit is not None else self.device.unit
        held = f"持续 {self.minutes} 分钟" if self.minutes else "即时"
        if self.kind == RuleKind.ABOVE:
            return f"读数高于 {self.threshold:g} {unit}（{held}）"
        if self.kind == RuleKind.BELOW:
            return f"读数低于 {self.threshold:g} {unit}（{held}）"
        if self.kind == RuleKind.RATE:
            return f"每分钟变化超过 {self.threshold:g} {unit}"
        if self.kind == RuleKind.SILENT:
            return f"超过 {self.minutes} 分钟未收到读数"
        return f"停产整顿期间用电超过正常生产负荷的 {self.threshold * 100:g}%（{held}）"


class Reading(models.Model):
    """One reading. Written in bulk (COPY on PostgreSQL), never audited row by row; pruned by age."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(
        Device, verbose_name="设备", on_delete=models.DO_NOTHING, related_name="readings", db_index=False
    )
    ts = models.DateTimeField("采集时间")
    value = models.FloatField("读数")
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = verbose_name_plural = "监测读数"
        indexes = [models.Index(fields=["device", "ts"], name="reading_device_ts")]

    def __str__(self):
        return f"{self.device_id} {self.ts:%Y-%m-%d %H:%M:%S} {self.value:g}"


class Rejection(models.Model):
    """How many readings of a device were refused for one reason (device None: the device was unknown)."""

    device = models.ForeignKey(
        Device, verbose_name="设备", null=True, blank=True, on_delete=models.CASCADE, related_name="rejections"
    )
    reason = models.CharField("原因", max_length=16, choices=Reason.choices)
    count = models.BigIntegerField("次数", default=0)
    last_at = models.DateTimeField("最近一次")
    last_detail = models.CharField("最近一次说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "拒收读数统计"
        constraints = [
            models.UniqueConstraint(fields=["device", "reason"], name="rejection_device_reason"),
            models.UniqueConstraint(
                fields=["reason"], condition=Q(device__isnull=True), name="rejection_unknown_reason"
            ),
        ]

    def __str__(self):
        return f"{self.device_id or '未知设备'} {self.get_reason_display()} {self.count}"


class Alarm(BaseModel):
    """An alarm raised by a rule: raised → acknowledged → closed (with a note). One open alarm per rule."""

    SCOPE = SCOPE

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT, related_name="alarms")
    rule = models.ForeignKey(AlarmRule, verbose_name="规则", on_delete=models.PROTECT, related_name="alarms")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("报警类型", max_length=8, choices=RuleKind.choices)
    status = models.CharField("状态", max_length=12, choices=AlarmStatus.choices, default=AlarmStatus.RAISED)
    message = models.CharField("报警内容", max_length=300)
    value = models.FloatField("触发读数", null=True, blank=True)
    started_at = models.DateTimeField("越限开始时间", null=True, blank=True)
    reading_ts = models.DateTimeField("触发读数时间", null=True, blank=True)
    received_at = models.DateTimeField("触发读数接收时间", null=True, blank=True)
    raised_at = models.DateTimeField("报警时间")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_note = models.TextField("处置情况", blank=True)
    escalated_at = models.DateTimeField("超时上报时间", null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name="转为隐患", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = verbose_name_plural = "监测报警"
        constraints = [
            models.UniqueConstraint(
                fields=["rule"], condition=Q(status__in=["raised", "acknowledged"]), name="alarm_one_open_per_rule"
            )
        ]
        indexes = [models.Index(fields=["status", "raised_at"], name="alarm_status_raised")]

    def __str__(self):
        return f"{self.device.code} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("monitoring:alarm_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED)
