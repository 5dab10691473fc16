"""What analytics keeps of its own: the map of a region's children (GeoJSON uploaded by an 安委办) the big
screen draws its figures on. Figures themselves are never stored: they are counted from the modules'
registrations (see selectors) — and the links that show a big screen on a display without logging in."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhiben.core.crypto import key_digest
from zhiben.core.models import ScopedQuerySet


class RegionMap(models.Model):
    """A region's map: a GeoJSON FeatureCollection of Polygon/MultiPolygon features, each naming one child
    region of `region`. Stored as checked and normalised (properties reduced to the child's `name` and
    `code`), so the big screen registers it as is; the latest upload replaces the previous one."""

    SCOPE = {"region": "region_id"}

    region = models.OneToOneField(
        "regions.Region", verbose_name="区划", primary_key=True, on_delete=models.CASCADE, related_name="map"
    )
    geojson = models.TextField("GeoJSON（已校验）")
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("原文件大小（字节）")
    sha256 = models.CharField("原文件 SHA-256", max_length=64)
    features = models.PositiveIntegerField("要素数")
    children = models.JSONField("有图形的下级区划代码", default=list)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "区划地图"

    def __str__(self):
        return f"{self.region_id} 地图"

    @property
    def version(self):
        """Changes with every upload: the map's address carries it, so a browser may keep the file."""
        return self.sha256[:12]


class ScreenLink(models.Model):
    """大屏投放: an address that shows a region's big screen without logging in, for a display left running in a
    command centre. The screen reads its figures as the 安委办 user who made the link, narrowed to the link's
    region (and the regions below it) and industry, read-only; a logged-in session would either log out when
    idle or, kept alive by the refreshes, leave the whole account open on an unattended screen. Only the key's
    SHA-256 is stored; the address is shown once. It stops working when revoked, when it expires (rule
    analytics.screen_link_days) and while its maker is inactive, locked or no longer sees the region."""

    SCOPE = {"region": "region_id"}

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.CASCADE, related_name="+")
    industry = models.ForeignKey(
        "regions.Industry", verbose_name="行业", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField("统计期", max_length=40, blank=True, help_text="空为当年（跨年自动换到新的一年）")
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "大屏投放链接"

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def hash_key(key):
        return key_digest(key)

    @staticmethod
    def new_key():
        return "zbs_" + secrets.token_urlsafe(24)

    @property
    def is_valid(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
