from django.db import models
from django.urls import reverse

from zhiben.core.models import ScopedQuerySet


class Drill(models.Model):
    """An evacuation drill an enterprise owes by a deadline: a subject the platform has never heard of."""

    SCOPE = {"region": "region_id", "enterprise": "enterprise_id"}

    title = models.CharField("演练", max_length=100)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("期限")
    done = models.BooleanField("已完成", default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("platform_app:drill", args=[self.pk])
