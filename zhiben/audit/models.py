"""The append-only, hash-chained audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhiben.core.models import ScopedQuerySet
from zhiben.core.scoping import scope_q


class AuditQuerySet(ScopedQuerySet):
    def for_user(self, user):
        """Events in the user's region subtree; an auditor also sees system-wide events (no region),
        such as failed logins with unknown user names and imports run from the command line."""
        q = scope_q(user, self.model)
        if user is not None and user.is_authenticated and user.can("audit.view"):
            q |= Q(region_code="")
        return self.filter(q)


class AuditEvent(models.Model):
    """One audited action. `hash` is the HMAC (audit key) of the row's content and the previous row's hash."""

    SCOPE = {"region": "region_code"}

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    action = models.CharField("动作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True, db_index=True)
    data = models.JSONField("内容", default=dict, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    success = models.BooleanField("成功", default=True)
    prev_hash = models.CharField("上一条摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditHead(models.Model):
    """A single row holding the chain's tip; locked while appending so the chain stays linear.
    `mac` is the keyed MAC of (seq, hash): the head cannot be moved back over deleted events."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self):
        return f"{self.seq}:{self.hash[:12]}"
