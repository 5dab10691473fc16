"""What analytics keeps of its own: the map of a region's children (GeoJSON uploaded by an 安委办) the big
screen draws its figures on. Figures themselves are never stored: they are counted from the modules'
registrations (see selectors)."""

from django.conf import settings
from django.db import models

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
