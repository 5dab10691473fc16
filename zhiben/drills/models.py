"""Drills (应急演练) per enterprise with photos, and rescue resources: teams (镇级/村级/行业专业), stations
and equipment with inspection dates."""

from django.db import models
from django.urls import reverse

from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import DrillForm, DrillKind, TeamLevel


def period_label(start, end, months):
    """How a drill period is called: 2026年, 2026年上半年, or 2026-01至2026-03."""
    if months == 12:
        return f"{start.year}年"
    if months == 6:
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    return f"{start:%Y-%m}至{end:%Y-%m}"


class Drill(BaseModel):
    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("演练类型", max_length=16, choices=DrillKind.choices)
    form = models.CharField("演练形式", max_length=10, choices=DrillForm.choices, default=DrillForm.LIVE)
    held_on = models.DateField("演练日期")
    participants = models.PositiveIntegerField("参演人数")
    scenario = models.TextField("演练情景")
    evaluation = models.TextField("评估总结", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = verbose_name_plural = "应急演练"
        indexes = [models.Index(fields=["enterprise", "held_on"], name="drills_drill_ent_day")]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("drills:drill", args=[self.pk])


class DutyLapse(models.Model):
    """A drill period of an enterprise that ended without a drill: what the escalation ladder follows (one
    per enterprise and period). Resolved once a drill is on record held in or after that period."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField("周期起")
    end = models.DateField("周期止")
    months = models.PositiveSmallIntegerField("周期（月）")
    resolved_on = models.DateField("消除日期", null=True, blank=True)
    drill = models.ForeignKey(
        Drill, verbose_name="补充演练", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发现时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-end", "id"]
        verbose_name = verbose_name_plural = "应急演练逾期"
        constraints = [models.UniqueConstraint(fields=["enterprise", "start"], name="drills_lapse_once")]

    def __str__(self):
        return f"{self.enterprise.name} {self.label}未演练"

    def get_absolute_url(self):
        return reverse("drills:compliance") + f"?day={self.end:%Y-%m-%d}&region={self.region_id}&missing=1"

    @property
    def label(self):
        return period_label(self.start, self.end, self.months)


class DrillPhoto(EvidenceFile):
    STORAGE_DIR = "drills"

    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.CASCADE, related_name="photos")

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "演练照片"


class RescueTeam(BaseModel):
    """A rescue team: 镇级 (region = the town), 村级 (region = the village) or 行业专业 (with its industry)."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("队伍名称", max_length=100)
    level = models.CharField("队伍类别", max_length=10, choices=TeamLevel.choices)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="专业行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.PositiveIntegerField("队员人数")
    leader = models.CharField("负责人", max_length=50, blank=True)
    established_on = models.DateField("组建日期")
    active = models.BooleanField("在役", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "level", "name"]
        verbose_name = verbose_name_plural = "救援队伍"

    def __str__(self):
        return self.name


class RescueStation(BaseModel):
    """A rescue station (救援站点), usually one per village."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("站点名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200, blank=True)
    established_on = models.DateField("建成日期")
    active = models.BooleanField("在用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = verbose_name_plural = "救援站点"

    def __str__(self):
        return self.name


class Equipment(BaseModel):
    """Equipment of a team or a station, with its inspection dates (reminded before the next one)."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("装备名称", max_length=100)
    team = models.ForeignKey(
        RescueTeam, verbose_name="队伍", null=True, blank=True, on_delete=models.CASCADE, related_name="equipment"
    )
    station = models.ForeignKey(
        RescueStation, verbose_name="站点", null=True, blank=True, on_delete=models.CASCADE, related_name="equipment"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField("数量", default=1)
    last_inspected_on = models.DateField("上次检验日期", null=True, blank=True)
    next_inspection_on = models.DateField("下次检验日期")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["next_inspection_on", "id"]
        verbose_name = verbose_name_plural = "救援装备"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("drills:teams")
