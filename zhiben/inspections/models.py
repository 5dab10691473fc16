"""Government inspections: checklists, inspections with their items and findings, experts and inspectors,
inspection plans with 双随机 draws.

An inspection copies its checklist's items when it starts (`InspectionItem.text`, `criteria_item`), so a
later edit of the template never rewrites what was checked."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import Kind, Result, Status


class ChecklistTemplate(BaseModel):
    """A checklist (检查表) owned by a region: criteria items plus free items, optionally for one industry."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("检查表名称", max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name="制定区划", on_delete=models.PROTECT, related_name="checklist_templates"
    )
    industry = models.ForeignKey(
        "regions.Industry",
        verbose_name="适用行业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_templates",
    )
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = verbose_name_plural = "检查表"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inspections:checklist_detail", args=[self.pk])


class ChecklistTemplateItem(models.Model):
    """One line of a checklist: a criteria item (its text copied at the time) or a free item."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name="检查表", on_delete=models.CASCADE, related_name="items"
    )
    sort = models.PositiveIntegerField("排序", default=0)
    criteria_item = models.ForeignKey(
        "hazards.CriteriaItem",
        verbose_name="判定标准条款",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("检查内容")
    method = models.CharField("检查方法/依据", max_length=300, blank=True)

    class Meta:
        ordering = ["template", "sort", "id"]
        verbose_name = verbose_name_plural = "检查表条目"

    def __str__(self):
        return self.text[:40]


class Inspection(BaseModel):
    """One government inspection of an enterprise (or a place): who, when, how (四不两直, 交叉), the items
    checked and the hazards found. Scoped like the enterprise it inspects."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}

    number = models.CharField("检查编号", max_length=40, unique=True)
    kind = models.CharField("检查类型", max_length=12, choices=Kind.choices, default=Kind.SUPERVISION)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="被检查单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    place = models.ForeignKey(
        "hazards.Place",
        verbose_name="被检查场所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="inspections"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="inspections"
    )
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="检查单位", on_delete=models.PROTECT, related_name="inspections"
    )
    planned_date = models.DateField("计划检查日期", null=True, blank=True)
    date = models.DateField("检查日期", null=True, blank=True)
    unannounced = models.BooleanField("四不两直（暗查暗访）", default=False)
    cross = models.BooleanField("交叉检查", default=False)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="检查人员", blank=True, related_name="inspections"
    )
    checklist_name = models.CharField("所用检查表", max_length=200, blank=True)
    summary = models.TextField("检查情况", blank=True)
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name="发现的隐患", blank=True, related_name="inspections"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = verbose_name_plural = "监督检查"
        indexes = [
            models.Index(fields=["unit", "date"], name="inspection_unit_date"),
            models.Index(fields=["enterprise", "date"], name="inspection_enterprise_date"),
            models.Index(fields=["region", "date"], name="inspection_region_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False) | models.Q(place__isnull=False),
                name="inspection_has_enterprise_or_place",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def get_absolute_url(self):
        return reverse("inspections:detail", args=[self.pk])

    @property
    def subject(self):
        return self.enterprise or self.place


class InspectionItem(models.Model):
    """One item checked, copied from the checklist when the inspection started (text and criteria item),
    with its result; a failed item may become a hazard (`hazard`)."""

    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="items")
    sort = models.PositiveIntegerField("排序", default=0)
    criteria_item = models.ForeignKey(
        "hazards.CriteriaItem",
        verbose_name="判定标准条款",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("检查内容")
    method = models.CharField("检查方法/依据", max_length=300, blank=True)
    result = models.CharField("检查结果", max_length=4, choices=Result.choices, blank=True, default=Result.PENDING)
    note = models.TextField("情况说明", blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name="形成的隐患",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["inspection", "sort", "id"]
        verbose_name = verbose_name_plural = "检查条目"

    def __str__(self):
        return self.text[:40]


class InspectionPhoto(EvidenceFile):
    """A photo or document taken during an inspection, optionally about one item."""

    STORAGE_DIR = "evidence"

    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(
        InspectionItem, verbose_name="检查条目", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "检查照片"

    def __str__(self):
        return self.original_name
