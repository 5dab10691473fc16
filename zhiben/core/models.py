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
