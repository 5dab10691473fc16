"""Enforcement: cases and penalties (行政处罚), 责令限期整改 orders with their review (复查)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from zhiben.core.models import BaseModel, ScopedQuerySet

from .choices import CaseStatus, Measure, OrderStatus, ReviewResult

SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}


class EnforcementCase(BaseModel):
    """An administrative penalty case against an enterprise: violation, measures, fine, decision."""

    SCOPE = SCOPE

    number = models.CharField("案件编号", max_length=40, unique=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name="来源检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="当事单位", on_delete=models.PROTECT, related_name="enforcement_cases"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("regions.Unit", verbose_name="执法单位", on_delete=models.PROTECT, related_name="cases")
    violation = models.TextField("违法事实")
    legal_basis = models.TextField("法律依据", blank=True)
    measures = models.JSONField("处罚措施", default=list, blank=True)
    fine = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    filed_date = models.DateField("立案日期")
    notice_date = models.DateField("告知日期", null=True, blank=True)
    decision_date = models.DateField("决定日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.FILED)
    typical = models.BooleanField("典型案例", default=False)
    typical_at = models.DateTimeField("列为典型案例时间", null=True, blank=True)
    typical_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="列为典型案例人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resumed_at = models.DateTimeField("准予复产时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_date", "-id"]
        verbose_name = verbose_name_plural = "执法案件"
        indexes = [models.Index(fields=["unit", "filed_date"], name="case_unit_filed")]

    def __str__(self):
        return f"{self.number} {self.enterprise}"

    def get_absolute_url(self):
        return reverse("enforcement:case_detail", args=[self.pk])

    @property
    def measure_labels(self):
        return "、".join(Measure(m).label for m in self.measures if m in Measure.values)

    @property
    def fine_text(self):
        """The fine as the pages and documents write it: 80,000.00 (None: "")."""
        return "" if self.fine is None else f"{self.fine:,.2f}"

    @property
    def is_penalty(self):
        from .choices import PENALTIES

        return self.status in (CaseStatus.DECIDED, CaseStatus.EXECUTED, CaseStatus.CLOSED) and any(
            m in PENALTIES for m in self.measures
        )


class RectificationOrder(BaseModel):
    """A 责令限期整改 order: what to rectify by when, and the review (复查) of it."""

    SCOPE = SCOPE

    number = models.CharField("指令编号", max_length=40, unique=True)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name="来源检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="被责令单位",
        on_delete=models.PROTECT,
        related_name="rectification_orders",
    )
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("regions.Unit", verbose_name="责令单位", on_delete=models.PROTECT, related_name="orders")
    items = models.TextField("存在的问题和整改要求")
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    reviewed_on = models.DateField("复查日期", null=True, blank=True)
    review_result = models.CharField(
        "复查结论", max_length=10, choices=ReviewResult.choices, blank=True, default=ReviewResult.NONE
    )
    review_opinion = models.TextField("复查意见", blank=True)
    hazards = models.ManyToManyField("hazards.Hazard", verbose_name="涉及隐患", blank=True, related_name="orders")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "责令限期整改指令"
        indexes = [models.Index(fields=["status", "deadline"], name="order_status_deadline")]

    def __str__(self):
        return f"{self.number} {self.enterprise}"

    def get_absolute_url(self):
        return reverse("enforcement:order_detail", args=[self.pk])

    @property
    def review_conclusion(self):
        """The last review's conclusion in words: 复查合格, 复查不合格 (and the new deadline when one was set)."""
        if self.review_result == ReviewResult.FAILED and self.status == OrderStatus.OPEN:
            return f"复查不合格，限于{self.deadline.year}年{self.deadline.month}月{self.deadline.day}日前整改完毕"
        return self.get_review_result_display() if self.review_result else ""

    def is_overdue(self, today=None):
        return self.status == OrderStatus.OPEN and self.deadline < (today or timezone.localdate())
