"""Shared model machinery: timestamps and the scoped queryset."""

from django.conf import settings
from django.db import models

from .scoping import scope_q


class ScopedQuerySet(models.QuerySet):
    """Every read that carries meaning starts here: `Model.objects.for_user(user)`."""

    def for_user(self, user):
        return self.filter(scope_q(user, self.model))


class BaseModel(models.Model):
    """Created/updated timestamps and the creator, on every domain model."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named sequence (hazard numbers, document numbers): no gaps, no duplicates, safe under concurrency."""

    key = models.CharField("键", max_length=100, primary_key=True)
    value = models.BigIntegerField("当前值", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数器"

    def __str__(self):
        return f"{self.key}={self.value}"


class Rule(models.Model):
    """A rule that is data (baseline date, thresholds, deadlines), optionally per jurisdiction.

    The value for a region is the row of the nearest ancestor region (or the global row,
    region_code ''); absent rows fall back to the defaults in `zhiben.core.rules.DEFAULTS`.
    """

    key = models.CharField("规则", max_length=100)
    region_code = models.CharField("适用区划", max_length=12, blank=True, default="")
    value = models.JSONField("取值")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["key", "region_code"]
        verbose_name = verbose_name_plural = "规则参数"
        constraints = [models.UniqueConstraint(fields=["key", "region_code"], name="rule_unique_key_region")]

    def __str__(self):
        return f"{self.key}@{self.region_code or '全局'}"
