"""Statutory reporting duties: an enterprise's quarterly and annual 隐患排查治理统计分析表 (16号令)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhiben.core.models import ScopedQuerySet

from .choices import EVENT_LABELS, Kind, ReportStatus
from .periods import Period


class PeriodReport(models.Model):
    """One enterprise's report for one period: statistics generated from the hazard records, signed
    (签字确认) by the 主要负责人, then submitted. A row also exists, still 未填报, once a reminder or
    an overdue mark was issued for the enterprise and period."""

    SCOPE = {"region": "enterprise__region_id", "domain": "enterprise__industry_id", "enterprise": "enterprise_id"}

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="生产经营单位", on_delete=models.PROTECT, related_name="period_reports"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    period = models.CharField("报告期", max_length=7, help_text="2026Q3 或 2026")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True)
    period_start = models.DateField("期初")
    period_end = models.DateField("期末")
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    data = models.JSONField("统计数据", default=dict, blank=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    analysis = models.TextField("分析说明", blank=True, help_text="排查治理情况分析、存在问题和下一步措施")
    attested_name = models.CharField("签字确认人（主要负责人）", max_length=50, blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认操作账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attested_at = models.DateTimeField("签字确认时间", null=True, blank=True)
    attested_sha256 = models.CharField("确认内容摘要", max_length=64, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField("报送期限", null=True, blank=True, help_text="报送时适用的期限")
    late = models.BooleanField("逾期报送", default=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "kind", "enterprise_id"]
        verbose_name = verbose_name_plural = "隐患排查治理统计分析表"
        constraints = [models.UniqueConstraint(fields=["enterprise", "period"], name="period_report_once")]
        indexes = [models.Index(fields=["period", "status"], name="period_report_status")]

    def __str__(self):
        return f"{self.enterprise} {self.period_obj.label}统计分析表"

    def get_absolute_url(self):
        return reverse("duties:detail", args=[self.pk])

    @property
    def period_obj(self):
        return Period(self.year, self.quarter)

    @property
    def label(self):
        return self.period_obj.label


class DutyEvent(models.Model):
    """A step in a report's life (generated, attested, submitted) or a mark the worker issued
    (reminder, overdue). A non-empty `key` is unique per report: each mark happens once."""

    report = models.ForeignKey(PeriodReport, verbose_name="统计分析表", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    action = models.CharField("动作", max_length=20)
    key = models.CharField("唯一键", max_length=60, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "报送记录"
        constraints = [models.UniqueConstraint(fields=["report", "key"], condition=~Q(key=""), name="duty_event_once")]

    def __str__(self):
        return f"{self.report_id} {self.action}"

    @property
    def action_label(self):
        return EVENT_LABELS.get(self.action, self.action)
