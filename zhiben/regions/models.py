"""Jurisdictions, regulatory industry domains and government units."""

from django.db import models
from django.urls import reverse

from zhiben.core.models import BaseModel, ScopedQuerySet
from zhiben.core.scoping import LEVEL_PREFIX, region_chain, subtree_range

from .choices import Level, UnitKind


class RegionQuerySet(ScopedQuerySet):
    def subtree(self, code):
        low, high = subtree_range(code)
        return self.filter(code__gte=low, code__lte=high)


class Region(models.Model):
    """A node of the jurisdiction tree keyed by its 12-digit 统计用区划代码 (prefix = ancestry)."""

    SCOPE = {"region": "code"}

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:region_detail", args=[self.code])

    @property
    def short_code(self):
        return self.code[: LEVEL_PREFIX[self.level]]

    def ancestors(self):
        """Ancestors from the root down, excluding self (one query)."""
        return list(Region.objects.filter(code__in=region_chain(self.code)[1:]).order_by("code"))

    @property
    def full_name(self):
        return "".join(r.name for r in self.ancestors() if r.level >= Level.COUNTY) + self.name


class Industry(models.Model):
    """A regulatory industry domain (监管行业领域), e.g. 危险化学品, 冶金, 建筑施工."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    high_risk = models.BooleanField("高危行业", default=False)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = verbose_name_plural = "监管行业领域"

    def __str__(self):
        return self.name


class Unit(BaseModel):
    """A government unit: the 安委办, a supervising department (成员单位/科室), a village committee."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    aliases = models.CharField("别名", max_length=300, blank=True, help_text="以逗号分隔，用于导入时识别单位")
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="units")
    industries = models.ManyToManyField(Industry, verbose_name="监管行业", blank=True, related_name="units")
    doc_prefix = models.CharField("发文机关代字", max_length=20, blank=True, help_text="如 凤安办")
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = verbose_name_plural = "单位"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:unit_detail", args=[self.pk])
