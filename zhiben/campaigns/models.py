"""Special campaigns (专项整治): targets, checklist, own ledger columns, checks and progress.

A campaign is data the 安委办 defines (often from a preset, `presets.py`): its owner region, period,
targets (enterprises of some industries and/or places of some kinds in the owner's subtree), an
optional checklist and extra ledger columns. A check copies the checklist's items when it is recorded,
so a later edit of the template never rewrites what was checked; its findings become hazards linked
to it (`hazards`), which tags them with the campaign."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from zhiben.core.models import BaseModel, EvidenceFile, ScopedQuerySet
from zhiben.core.scoping import region_chain, scope_terms, subtree_q

from .choices import Result, Status


class CampaignQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """A campaign is seen along its owner's line: by users of its region's subtree (a county
        campaign reaches every town and village that has to carry it out) and by the levels above it
        (the city sees the counties' campaigns). A neighbouring county sees nothing."""
        terms = scope_terms(user, self.model)
        if terms is None or getattr(user, "enterprise_id", None):
            return self.none()
        if not terms:
            return self.all()
        return self.filter(subtree_q(user.region_id) | Q(region_id__in=region_chain(user.region_id)))


class Campaign(BaseModel):
    """A special campaign (专项整治): who owns it, when it runs, what it targets, what it checks and
    which extra columns its ledger has. Status moves draft → active → closed (workflow.py)."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("专项整治名称", max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name="牵头区划", on_delete=models.PROTECT, related_name="campaigns"
    )
    preset = models.CharField("所用模板", max_length=40, blank=True)
    description = models.TextField("工作要求", blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    industries = models.ManyToManyField(
        "regions.Industry", verbose_name="排查行业（生产经营单位）", blank=True, related_name="campaigns"
    )
    place_kinds = models.JSONField("排查场所类型", default=list, blank=True)
    place_industry = models.ForeignKey(
        "regions.Industry",
        verbose_name="场所隐患所属行业领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="场所（无企业主体）发现的隐患登记到此行业领域",
    )
    checklist = models.ForeignKey(
        "inspections.ChecklistTemplate",
        verbose_name="检查表",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    columns = models.JSONField("台账自定义列", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    activated_at = models.DateTimeField("启动时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = verbose_name_plural = "专项整治"
        indexes = [models.Index(fields=["region", "status"], name="campaign_region_status")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="campaign_dates_ordered"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="campaign_status_known"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.pk])

    def column(self, key):
        return next((c for c in self.columns if c["key"] == key), None)


class CampaignCheck(BaseModel):
    """One check of one target (an enterprise or a place) in a campaign: when, by whom, the checklist
    results (copied items, `items`), the campaign's extra column values, photos and the hazards found.
    A target may be checked more than once (re-checks). Scoped like its target."""

    SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}
    SCOPE_DOMAIN_OPTIONAL = True  # a place has no industry: every department of the region sees its checks

    campaign = models.ForeignKey(Campaign, verbose_name="专项整治", on_delete=models.PROTECT, related_name="checks")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name="生产经营单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_checks",
    )
    place = models.ForeignKey(
        "hazards.Place",
        verbose_name="场所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_checks",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="campaign_checks"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("检查日期")
    checker = models.CharField("检查人", max_length=100)
    unit = models.ForeignKey(
        "regions.Unit", verbose_name="检查单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_name = models.CharField("检查单位", max_length=100, blank=True)
    checklist_name = models.CharField("所用检查表", max_length=200, blank=True)
    values = models.JSONField("台账列取值", default=dict, blank=True)
    note = models.TextField("备注", blank=True)
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name="发现的隐患", blank=True, related_name="campaign_checks"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = verbose_name_plural = "专项整治检查"
        indexes = [
            models.Index(fields=["campaign", "enterprise"], name="campaign_check_enterprise"),
            models.Index(fields=["campaign", "place"], name="campaign_check_place"),
            models.Index(fields=["campaign", "region"], name="campaign_check_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False) & Q(place__isnull=True))
                | (Q(enterprise__isnull=True) & Q(place__isnull=False)),
                name="campaign_check_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.target} {self.date}"

    def get_absolute_url(self):
        return reverse("campaigns:check_detail", args=[self.pk])

    @property
    def target(self):
        return self.enterprise or self.place

    @property
    def target_key(self):
        return f"e{self.enterprise_id}" if self.enterprise_id else f"p{self.place_id}"


class CampaignCheckItem(models.Model):
    """One checklist item as it read when the check was recorded (text, method, criteria item), with
    its result and note; a failed item becomes a hazard (`hazard`)."""

    campaign_check = models.ForeignKey(
        CampaignCheck, verbose_name="检查", on_delete=models.CASCADE, related_name="items"
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
    result = models.CharField("检查结果", max_length=4, choices=Result.choices)
    note = models.TextField("情况说明", blank=True)
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name="形成的隐患", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["campaign_check", "sort", "id"]
        verbose_name = verbose_name_plural = "专项整治检查条目"

    def __str__(self):
        return self.text[:40]


class CampaignPhoto(EvidenceFile):
    """A photo (or document) taken during a campaign check."""

    STORAGE_DIR = "evidence"

    campaign_check = models.ForeignKey(
        CampaignCheck, verbose_name="检查", on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(EvidenceFile.Meta):
        verbose_name = verbose_name_plural = "专项整治检查照片"

    def __str__(self):
        return self.original_name
