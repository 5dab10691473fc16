"""Production safety accidents: the record and its grade, the reporting chain with its clocks, 补报, the
investigation with responsible parties and measures, the 四不放过 closure, and the yearly targets."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import OPEN, Grade, Level, MeasureStatus, PartyKind, Status, Type

SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}


class Accident(BaseModel):
    SCOPE = SCOPE

    number = models.CharField("事故编号", max_length=40, unique=True)
    occurred_at = models.DateTimeField("发生时间")
    learned_at = models.DateTimeField("单位负责人知悉时间")
    region = models.ForeignKey("regions.Region", verbose_name="发生地区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("发生地点", max_length=300, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="事故单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
    )
    place_name = models.CharField("场所或单位名称（非登记企业）", max_length=200, blank=True)
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField("事故类别", max_length=12, choices=Type.choices)
    road_traffic = models.BooleanField("道路交通事故", default=False)
    deaths = models.PositiveIntegerField("死亡人数", default=0)
    missing = models.PositiveIntegerField("失踪人数", default=0)
    serious_injuries = models.PositiveIntegerField("重伤人数（含急性工业中毒）", default=0)
    minor_injuries = models.PositiveIntegerField("轻伤人数", default=0)
    direct_loss = models.DecimalField("直接经济损失（元）", max_digits=14, decimal_places=2, default=0)
    account = models.TextField("事故简要经过")
    grade = models.CharField("事故等级", max_length=14, choices=Grade.choices)
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.REPORTED)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="接报单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    listed = models.BooleanField("挂牌督办", default=False)
    listed_at = models.DateTimeField("挂牌时间", null=True, blank=True)
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="挂牌人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    listed_note = models.CharField("督办要求", max_length=300, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = verbose_name_plural = "生产安全事故"
        indexes = [
            models.Index(fields=["region", "occurred_at"], name="accident_region_time"),
            models.Index(fields=["status"], name="accident_status"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject_name}"

    def get_absolute_url(self):
        return reverse("accidents:detail", args=[self.pk])

    @property
    def subject_name(self):
        return self.enterprise.name if self.enterprise_id else self.place_name

    @property
    def is_open(self):
        return self.status in OPEN

    @property
    def casualties(self):
        parts = [
            f"{label}{n}人"
            for label, n in (
                ("死亡", self.deaths),
                ("失踪", self.missing),
                ("重伤", self.serious_injuries),
                ("轻伤", self.minor_injuries),
            )
            if n
        ]
        return "、".join(parts) or "无人员伤亡"


class ReportStep(models.Model):
    """One report along the chain: who had to report to `level`, by when, and when they did."""

    accident = models.ForeignKey(Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="steps")
    level = models.CharField("报告至", max_length=10, choices=Level.choices)
    due_at = models.DateTimeField("时限")
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    recipient = models.CharField("接收单位", max_length=100, blank=True)
    method = models.CharField("报告方式", max_length=40, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    late_notified = models.BooleanField("已提示超时", default=False)

    class Meta:
        ordering = ["accident", "due_at", "id"]
        verbose_name = verbose_name_plural = "事故报告时限"
        constraints = [models.UniqueConstraint(fields=["accident", "level"], name="accident_step_unique")]

    def __str__(self):
        return f"{self.accident_id} → {self.get_level_display()}"

    def is_late(self, now):
        return (self.reported_at or now) > self.due_at


class Supplement(models.Model):
    """补报: changed casualties or loss, with the figures before and after."""

    accident = models.ForeignKey(Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="supplements")
    at = models.DateTimeField("补报时间", auto_now_add=True)
    before = models.JSONField("补报前")
    after = models.JSONField("补报后")
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="补报人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "事故补报"

    def __str__(self):
        return f"{self.accident_id} 补报 {self.at:%Y-%m-%d}"


class Attachment(EvidenceFile):
    STORAGE_DIR = "accidents"

    accident = models.ForeignKey(Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="attachments")

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "事故附件"


class Investigation(models.Model):
    """The investigation: group, deadlines (report within 60 days, one extension, 批复 within 15/30 days),
    causes, education — its parties and measures hang off the accident."""

    accident = models.OneToOneField(
        Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="investigation"
    )
    lead_unit = models.CharField("牵头单位", max_length=100)
    leader = models.CharField("调查组组长", max_length=50)
    members = models.TextField("调查组成员", blank=True)
    experts = models.TextField("专家", blank=True)
    started_on = models.DateField("成立日期")
    report_due = models.DateField("调查报告期限")
    extended_days = models.PositiveSmallIntegerField("延长天数", default=0)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    submitted_on = models.DateField("调查报告提交日期", null=True, blank=True)
    approval_due = models.DateField("批复期限", null=True, blank=True)
    approved_on = models.DateField("批复日期", null=True, blank=True)
    approval_number = models.CharField("批复文号", max_length=60, blank=True)
    causes = models.TextField("事故原因", blank=True)
    education_on = models.DateField("警示教育日期", null=True, blank=True)
    education_note = models.TextField("警示教育情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事故调查"

    def __str__(self):
        return f"{self.accident_id} 调查"


class Party(models.Model):
    """A party held responsible: the enterprise, its people, and officials (一案双查), with how each was dealt with."""

    accident = models.ForeignKey(Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="parties")
    name = models.CharField("名称或姓名", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=PartyKind.choices)
    responsibility = models.CharField("责任认定", max_length=300)
    handling = models.CharField("处理结果", max_length=300, blank=True)
    handled_on = models.DateField("处理日期", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "事故责任者"

    def __str__(self):
        return self.name


class Measure(models.Model):
    """A corrective measure from the investigation, tracked to completion (optionally as a hazard)."""

    accident = models.ForeignKey(Accident, verbose_name="事故", on_delete=models.CASCADE, related_name="measures")
    text = models.TextField("整改措施")
    responsible = models.CharField("责任单位", max_length=100)
    deadline = models.DateField("完成期限")
    status = models.CharField("状态", max_length=6, choices=MeasureStatus.choices, default=MeasureStatus.OPEN)
    done_on = models.DateField("落实日期", null=True, blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name="跟踪隐患", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = verbose_name_plural = "事故整改措施"

    def __str__(self):
        return self.text[:30]


class Target(BaseModel):
    """A jurisdiction's annual accident targets (e.g. no 较大 or above; deaths at most last year's less 5%)."""

    SCOPE = {"region": "region_id"}

    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    max_larger = models.PositiveIntegerField("较大及以上事故起数上限", default=0)
    max_accidents = models.PositiveIntegerField("事故起数上限", null=True, blank=True)
    max_deaths = models.PositiveIntegerField("死亡人数上限", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region_id"]
        verbose_name = verbose_name_plural = "事故控制目标"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="accident_target_unique")]

    def __str__(self):
        return f"{self.region_id} {self.year}"
