"""The escalation ladder as data, and the record of each step taken (once per object and step)."""

from django.conf import settings
from django.db import models

from zhiben.core.models import ScopedQuerySet

from .choices import Action, target_choices


class LadderStep(models.Model):
    """One rung: after `days` days overdue, take `action` (and issue `document_kind`).

    Rows with region_code '' are the global default; an 安委办 defines its own ladder with its
    region code, which then replaces the default for its whole subtree."""

    SCOPE = {"region": "region_code"}

    target = models.CharField("适用对象", max_length=20, choices=target_choices)
    region_code = models.CharField("适用区划", max_length=12, blank=True, default="")
    order = models.PositiveSmallIntegerField("顺序")
    action = models.CharField("措施", max_length=20, choices=Action.choices)
    name = models.CharField("名称", max_length=60)
    days = models.PositiveIntegerField("逾期天数")
    major_only = models.BooleanField("仅重大隐患", default=False)
    document_kind = models.CharField("生成公文", max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["target", "region_code", "order"]
        verbose_name = verbose_name_plural = "督办升级步骤"
        constraints = [models.UniqueConstraint(fields=["target", "region_code", "order"], name="ladder_step_order")]

    def __str__(self):
        return f"{self.name}（逾期{self.days}天）"


class EscalationRecord(models.Model):
    """A step taken on an object. The unique constraint makes each step happen once, even when
    several workers run at the same moment.

    Scope as the object's: the region subtree and, for department staff, the industry the target's
    `industry(obj)` hook gave (a hazard's); records without one (plan tasks) are not domain-restricted."""

    SCOPE = {"region": "region_code", "domain": "industry_id"}
    SCOPE_DOMAIN_OPTIONAL = True

    target = models.CharField("对象类型", max_length=20, choices=target_choices)
    object_id = models.BigIntegerField("对象ID")
    step_order = models.PositiveSmallIntegerField("步骤")
    action = models.CharField("措施", max_length=20, choices=Action.choices)
    name = models.CharField("名称", max_length=60)
    region_code = models.CharField("区划", max_length=12, db_index=True)
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业领域", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    days_overdue = models.PositiveIntegerField("逾期天数")
    at = models.DateTimeField("时间", auto_now_add=True)
    document = models.ForeignKey(
        "documents.Document", verbose_name="公文", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    included_in_bulletin = models.ForeignKey(
        "documents.Document",
        verbose_name="已纳入通报",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "督办升级记录"
        constraints = [
            models.UniqueConstraint(fields=["target", "object_id", "action"], name="escalation_once_per_step")
        ]

    def __str__(self):
        return f"{self.target}#{self.object_id} {self.name}"
