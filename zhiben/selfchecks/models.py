"""Enterprise self-inspection duties (日周月排查), the records enterprises keep, compliance per period and
the "查不出问题" flag.

A duty is data (`Duty`): what level inspects how often, for which class of enterprise (ordinary or
high-risk). A record (`SelfInspection`) stores the index of the duty period its date falls in
(`bucket`, see periods.py), so compliance for any window is a count of distinct buckets per enterprise."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhiben.core.models import ScopedQuerySet

from .choices import AppliesTo, Frequency, Source


class Duty(models.Model):
    """One self-inspection duty: e.g. 班组日排查 (daily, all enterprises) or 主要负责人月度带队检查 (monthly,
    high-risk enterprises). National rows (no region) are seeded; a county or town may add its own, which
    apply to the enterprises in its subtree. The frequency of a duty with records never changes."""

    key = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("排查层级", max_length=50, help_text="班组、部门（车间）、厂长、主要负责人等")
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    applies_to = models.CharField("适用企业", max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL)
    required_percent = models.PositiveSmallIntegerField(
        "达标比例（%）",
        default=100,
        help_text="统计期内应排查的周期中至少有多少比例留有记录才算完成；如班组日排查可按工作日设为 70",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="selfcheck_duties",
        help_text="空：全国默认；否则只适用于该区划及下级的企业",
    )
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveIntegerField("排序", default=0)
    basis = models.CharField("依据", max_length=300, blank=True)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name = verbose_name_plural = "自查制度"

    def __str__(self):
        return self.name

    def applies(self, enterprise):
        if self.applies_to == AppliesTo.HIGH_RISK:
            return enterprise.high_risk
        if self.applies_to == AppliesTo.ORDINARY:
            return not enterprise.high_risk
        return True


class SelfInspection(models.Model):
    """One self-inspection an enterprise carried out under a duty: who, when, what was covered, what was found.
    Findings are filed as hazards (channel 企业自查上报) and linked in `hazards`."""

    SCOPE = {"region": "enterprise__region_id", "domain": "enterprise__industry_id", "enterprise": "enterprise_id"}

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="生产经营单位", on_delete=models.PROTECT, related_name="self_inspections"
    )
    duty = models.ForeignKey(Duty, verbose_name="排查类型", on_delete=models.PROTECT, related_name="records")
    date = models.DateField("排查日期")
    bucket = models.IntegerField("所属周期", editable=False)
    inspector = models.CharField("排查负责人", max_length=50)
    participants = models.CharField("参加人员", max_length=200, blank=True)
    scope = models.CharField("排查范围", max_length=300, blank=True)
    findings = models.PositiveIntegerField("发现隐患数", default=0)
    note = models.TextField("情况说明", blank=True)
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name="上报的隐患", blank=True, related_name="self_inspections"
    )
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.FORM)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = verbose_name_plural = "企业自查记录"
        indexes = [
            models.Index(fields=["enterprise", "duty", "bucket"], name="selfcheck_enterprise_duty"),
            models.Index(fields=["duty", "bucket", "enterprise"], name="selfcheck_duty_bucket"),
            models.Index(fields=["date"], name="selfcheck_date"),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.duty_id} {self.date}"

    def get_absolute_url(self):
        return reverse("selfchecks:detail", args=[self.pk])
