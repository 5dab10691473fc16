"""Scorecards (评分表) of a jurisdiction over its child regions, and the scored periods (排名) they produce.

A `Scorecard` says which registered figures count, with what weight, which way is better, how points are
given (relative or against a target) and how scores fall into tiers. Scoring a period freezes all of
that in a `RankingRun` with one `RankingEntry` per child region (values and points as JSON), so the
history reads the same after the scorecard is edited. Scoring a period again writes a new version of the
run and keeps the older one as superseded (`current=False`): only one current run per scorecard and
period (a partial unique constraint), every version kept.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from zhiben.core.models import BaseModel, ScopedQuerySet

from .choices import Direction, Method, PeriodKind, TierMode


class Scorecard(BaseModel):
    """The scoring rules of one jurisdiction (a county over its towns, a town over its villages)."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("评分表名称", max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name="辖区", on_delete=models.PROTECT, related_name="+", db_index=True
    )
    period_kind = models.CharField("评分周期", max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    tier_mode = models.CharField("分档方式", max_length=12, choices=TierMode.choices, default=TierMode.THRESHOLDS)
    tiers = models.JSONField(
        "等次",
        default=list,
        help_text='[{"name": "A", "value": 90}, …, {"name": "D", "value": null}]（最后一档为其余）',
    )
    active = models.BooleanField("启用", default=True, help_text="启用的评分表每期结束后自动评分")
    note = models.CharField("说明", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", verbose_name="修改人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = verbose_name_plural = "评分表"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="rankings_scorecard_region_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("rankings:scorecard", args=[self.pk])


class ScorecardItem(models.Model):
    """One figure of a scorecard: its weight (the items add up to 100), direction and scoring method."""

    scorecard = models.ForeignKey(Scorecard, verbose_name="评分表", on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    figure = models.CharField("指标", max_length=100, help_text="登记的统计指标键，如 hazards.ontime_rate")
    label = models.CharField("指标名称", max_length=100)
    unit = models.CharField("单位", max_length=10, blank=True)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=2)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices)
    method = models.CharField("计分方法", max_length=10, choices=Method.choices, default=Method.RELATIVE)
    target = models.DecimalField("目标值", max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["scorecard", "position"]
        verbose_name = verbose_name_plural = "评分项"
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "figure"], name="rankings_item_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rankings_item_weight_positive"),
        ]

    def __str__(self):
        return f"{self.label}（{self.weight}分）"


class RankingRun(models.Model):
    """One scored period of a scorecard (one version of it): the rules as they were, and the entries."""

    SCOPE = {"region": "region_id"}

    scorecard = models.ForeignKey(Scorecard, verbose_name="评分表", on_delete=models.PROTECT, related_name="runs")
    region = models.ForeignKey("regions.Region", verbose_name="辖区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("评分表名称", max_length=100)
    period_kind = models.CharField("评分周期", max_length=10, choices=PeriodKind.choices)
    period_text = models.CharField("统计期", max_length=30)
    period_label = models.CharField("统计期名称", max_length=60)
    period_start = models.DateField("统计期起")
    period_end = models.DateField("统计期止")
    version = models.PositiveSmallIntegerField("版本", default=1)
    current = models.BooleanField("现行版本", default=True)
    spec = models.JSONField("评分规则", default=dict, help_text="评分时的评分项、分档方式和等次")
    headline = models.JSONField("辖区主要指标", default=list)
    automatic = models.BooleanField("自动评分", default=False)
    scored_at = models.DateTimeField("评分时间", auto_now_add=True)
    scored_by = models.ForeignKey(
        "accounts.User", verbose_name="评分人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_by_name = models.CharField("评分人", max_length=100, blank=True)
    reader_name = models.CharField("统计口径账号", max_length=100, blank=True, help_text="按谁的管辖范围统计的指标")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-version"]
        verbose_name = verbose_name_plural = "评分排名"
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "period_start", "period_end", "version"], name="rankings_run_version"
            ),
            models.UniqueConstraint(
                fields=["scorecard", "period_start", "period_end"],
                condition=Q(current=True),
                name="rankings_run_one_current",
            ),
        ]

    def __str__(self):
        version = f"（第{self.version}版）" if self.version > 1 else ""
        return f"{self.name} · {self.period_label}{version}"

    def get_absolute_url(self):
        return reverse("rankings:run", args=[self.pk])

    @property
    def items(self):
        return self.spec.get("items", [])

    @property
    def tiers(self):
        return self.spec.get("tiers", [])


class RankingEntry(models.Model):
    """One child region's result in a run: values and points per figure, score, rank, tier, change."""

    run = models.ForeignKey(RankingRun, verbose_name="评分排名", on_delete=models.CASCADE, related_name="entries")
    region = models.ForeignKey("regions.Region", verbose_name="排名对象", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField("名次")
    tier = models.CharField("等次", max_length=10)
    values = models.JSONField("指标值", default=dict)
    points = models.JSONField("各项得分", default=dict)
    missing = models.JSONField("无数据的指标", default=list)
    previous_rank = models.PositiveSmallIntegerField("上期名次", null=True, blank=True)
    previous_score = models.DecimalField("上期得分", max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["run", "rank", "region_id"]
        verbose_name = verbose_name_plural = "排名结果"
        constraints = [models.UniqueConstraint(fields=["run", "region"], name="rankings_entry_once")]
        indexes = [models.Index(fields=["region", "run"], name="rankings_entry_region_run")]

    def __str__(self):
        return f"{self.rank}. {self.name} {self.score}"

    @property
    def rank_change(self):
        """Places moved up since the previous period (negative: down); None when not ranked then."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def score_change(self):
        return None if self.previous_score is None else self.score - self.previous_score
