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
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
    region_code ''); absent rows fall back to the default each module registered (`RuleDef` in zhiben/core/registry.py).
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


def evidence_path(instance, filename):
    """Evidence is stored under its own SHA-256: the same file uploaded twice is one object."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.STORAGE_DIR}/{instance.sha256[:2]}/{instance.sha256[2:4]}/{instance.sha256}.{ext}"


def evidence_thumb_path(instance, filename):
    return f"{instance.STORAGE_DIR}/thumbs/{filename}"


class EvidenceFile(models.Model):
    """A photo or document kept as evidence: checked by content, with its SHA-256 and a thumbnail for images.
    Filled by `core.evidence.store_upload`, served by `core.views.evidence_response`. Files go through
    Django's storage API, so S3-compatible storage can replace the disk later."""

    STORAGE_DIR = "evidence"

    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=evidence_thumb_path, max_length=200, blank=True)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class SubjectEvent(models.Model):
    """An event on the timeline of a subject that has no typed event table of its own.

    Subjects with a typed table (hazards, progress reports …) register a `Timeline`; every other
    subject — a new module's, or a plan task's escalation steps — lands here, keyed by the model
    label and the object id. Read and write through `core.timeline`, never directly."""

    SCOPE = {"region": "region_code"}

    subject_type = models.CharField("对象类型", max_length=60)
    subject_id = models.CharField("对象ID", max_length=64)
    region_code = models.CharField("区划", max_length=12, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    action = models.CharField("动作", max_length=40)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("内容", default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "处置记录"
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"], name="subject_event_subject")]

    def __str__(self):
        return f"{self.subject_type}#{self.subject_id} {self.action}"


class SubmissionKey(models.Model):
    """A submission saved once (core.offline): the key the page gave the form (or an API call's Idempotency-Key
    header), the page the saved submission led to and the records it created. A second send of the same key (the
    phone's queue after a lost answer, a retry, two tabs, an integration retrying after a timeout) is answered with
    what the first one saved instead of saving again. Kept SUBMISSION_KEY_DAYS days."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("提交标识", max_length=64)
    url = models.CharField("结果页面", max_length=300, blank=True)
    ids = models.JSONField("所建记录", default=list, blank=True)  # the records an API call created, for its replay
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "表单提交记录"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_key_once")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
