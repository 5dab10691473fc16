"""Risk points of an enterprise (风险点) with their grading, control measures, reviews, the enterprise's site
plan, and the hazards that cite a point whose control failed (kept here, not on the hazard)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet

from .choices import COLOUR, CSS, ControlLevel, Kind, Level, MeasureType, Method, level_label

SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}


class RiskPoint(BaseModel):
    """One risk point. The score (D or R) and the level are computed by the grading service from the
    scores and the jurisdiction's thresholds; `score_level` is what the score alone gives, `level` the
    level in force (a direct 重大 grading overrides the score, `direct_reason` says why)."""

    SCOPE = SCOPE

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="生产经营单位", on_delete=models.PROTECT, related_name="risk_points"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("风险点名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    location = models.CharField("位置", max_length=200, blank=True)
    factors = models.TextField("危险有害因素")
    accident_types = models.CharField("可能导致的事故类型", max_length=200, blank=True)
    method = models.CharField("评价方法", max_length=4, choices=Method.choices)
    l_score = models.DecimalField("L", max_digits=5, decimal_places=1)
    e_score = models.DecimalField("E", max_digits=5, decimal_places=1, null=True, blank=True)
    c_score = models.DecimalField("C", max_digits=5, decimal_places=1, null=True, blank=True)
    s_score = models.PositiveSmallIntegerField("S", null=True, blank=True)
    score = models.DecimalField("风险值（D 或 R）", max_digits=9, decimal_places=2)
    exposed = models.PositiveIntegerField("暴露人数", default=0)
    criteria_item = models.ForeignKey(
        "hazards.CriteriaItem",
        verbose_name="符合的重大事故隐患判定标准条款",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score_level = models.CharField("按风险值的等级", max_length=8, choices=Level.choices)
    level = models.CharField("风险等级", max_length=8, choices=Level.choices)
    rank = models.PositiveSmallIntegerField("等级序（4 重大 … 1 低）", db_index=True)
    direct_reason = models.CharField("直接判定理由", max_length=300, blank=True)
    control_level = models.CharField("管控层级", max_length=10, choices=ControlLevel.choices)
    responsible = models.CharField("管控责任人", max_length=50, blank=True)
    next_review = models.DateField("下次评审日期", null=True, blank=True)
    reviewed_on = models.DateField("上次评审日期", null=True, blank=True)
    plan_x = models.DecimalField("平面图横向位置（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    plan_y = models.DecimalField("平面图纵向位置（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    active = models.BooleanField("在用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-rank", "-score", "id"]
        verbose_name = verbose_name_plural = "风险点"
        indexes = [
            models.Index(fields=["enterprise", "active", "rank"], name="risk_point_enterprise_rank"),
            models.Index(fields=["region", "level"], name="risk_point_region_level"),
            models.Index(fields=["next_review"], name="risk_point_next_review"),
        ]

    def __str__(self):
        return f"{self.name}（{self.colour}）"

    def get_absolute_url(self):
        return reverse("risk:detail", args=[self.pk])

    @property
    def colour(self):
        return COLOUR.get(self.level, "")

    @property
    def css(self):
        return CSS.get(self.level, "")

    @property
    def level_text(self):
        return level_label(self.level)

    @property
    def placed(self):
        return self.plan_x is not None and self.plan_y is not None

    @property
    def score_text(self):
        return format(self.score.normalize(), "f") if self.score is not None else ""

    @property
    def formula(self):
        def n(v):
            return format(v.normalize(), "f") if v is not None and not isinstance(v, int) else str(v)

        if self.method == Method.LEC:
            return f"D = {n(self.l_score)} × {n(self.e_score)} × {n(self.c_score)} = {n(self.score)}"
        return f"R = {n(self.l_score)} × {self.s_score} = {n(self.score)}"


class ControlMeasure(models.Model):
    """A control measure of a point, by type and by the level that carries it out, with its responsible person."""

    point = models.ForeignKey(RiskPoint, verbose_name="风险点", on_delete=models.CASCADE, related_name="measures")
    type = models.CharField("措施类型", max_length=12, choices=MeasureType.choices)
    control_level = models.CharField("管控层级", max_length=10, choices=ControlLevel.choices)
    text = models.TextField("管控措施")
    responsible = models.CharField("责任人", max_length=50)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        ordering = ["point", "type", "id"]
        verbose_name = verbose_name_plural = "风险管控措施"

    def __str__(self):
        return self.text[:30]


class SitePlan(EvidenceFile):
    """An enterprise's site plan (厂区平面布置图): the latest upload is the one shown."""

    STORAGE_DIR = "risk"
    SCOPE = {"region": "enterprise__region", "domain": "enterprise__industry", "enterprise": "enterprise_id"}

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="生产经营单位", on_delete=models.PROTECT, related_name="site_plans"
    )
    width = models.PositiveIntegerField("宽（像素）", default=0)
    height = models.PositiveIntegerField("高（像素）", default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "厂区平面图"


class RiskHazardLink(models.Model):
    """A hazard cites the risk point whose control failed (the 2026 draft 条例's definition of a hazard)."""

    point = models.ForeignKey(RiskPoint, verbose_name="风险点", on_delete=models.CASCADE, related_name="hazard_links")
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name="隐患", on_delete=models.CASCADE, related_name="risk_links"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("关联时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="关联人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "隐患关联风险点"
        constraints = [models.UniqueConstraint(fields=["point", "hazard"], name="risk_hazard_link_unique")]

    def __str__(self):
        return f"{self.point_id} ← {self.hazard_id}"
