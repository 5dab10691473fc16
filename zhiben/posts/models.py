"""“两单两卡一会” per enterprise post: the post, its four items as versioned structured text (a new version
supersedes the previous one, which stays viewable), and the 班前会 records."""

from django.db import models
from django.urls import reverse

from zhiben.core.models import BaseModel, ScopedQuerySet

from .choices import CardKind

SCOPE = {"region": "region_id", "domain": "industry_id", "enterprise": "enterprise_id"}


class Post(BaseModel):
    """A post (岗位) of an enterprise; region and industry are the enterprise's, copied for scoping."""

    SCOPE = SCOPE

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("岗位名称", max_length=100)
    team = models.CharField("班组/车间", max_length=100, blank=True)
    active = models.BooleanField("在用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "name", "id"]
        verbose_name = verbose_name_plural = "岗位"
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="posts_post_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("posts:post", args=[self.pk])


class CardVersion(models.Model):
    """One version of one of the four items of a post. `current` is True on the latest version only
    (a partial unique constraint keeps it so); older versions are kept and viewable."""

    SCOPE = SCOPE

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.CASCADE, related_name="cards")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=12, choices=CardKind.choices)
    version = models.PositiveIntegerField("版本")
    items = models.JSONField("条目", default=list)
    note = models.CharField("修订说明", max_length=200, blank=True)
    current = models.BooleanField("现行版本", default=True)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="保存人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["post_id", "kind", "-version"]
        verbose_name = verbose_name_plural = "岗位清单与处置卡版本"
        constraints = [
            models.UniqueConstraint(fields=["post", "kind", "version"], name="posts_card_unique_version"),
            models.UniqueConstraint(
                fields=["post", "kind"], condition=models.Q(current=True), name="posts_card_one_current"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} 第{self.version}版"

    def get_absolute_url(self):
        return reverse("posts:card_version", args=[self.pk])


class Briefing(BaseModel):
    """A 班前会 record."""

    SCOPE = SCOPE

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.CASCADE, related_name="briefings")
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField("日期")
    team = models.CharField("班组", max_length=100, blank=True)
    attendees = models.TextField("参会人员")
    attendee_count = models.PositiveIntegerField("参会人数")
    content = models.TextField("会议内容")
    recorder = models.CharField("记录人", max_length=50)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = verbose_name_plural = "班前会记录"
        indexes = [models.Index(fields=["post", "held_on"], name="posts_briefing_post_day")]

    def __str__(self):
        return f"{self.held_on} {self.post.name} 班前会"
