"""The map of a region's children: a GeoJSON upload checked feature by feature with Chinese messages naming
the feature and what is wrong (never a server error, nothing stored), stored normalised, served to the
charts of those who may see the region, replaced and removed by an 安委办 only."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from zhiben.analytics.models import RegionMap
from zhiben.audit.models import AuditEvent
from zhiben.core.models import Rule
from zhiben.core.rules import rules_cache_clear
from zhiben.testing import CastTestCase


def square(x, y, size=0.01):
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature(properties, geometry=None):
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": geometry or {"type": "Polygon", "coordinates": square(106.3, 29.6)},
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def upload(content, name="凤凰镇.geojson"):
    if not isinstance(content, bytes):
        content = json.dumps(content, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, content, content_type="application/geo+json")


class MapTests(CastTestCase):
    def post(self, user, content, region=None, name="凤凰镇.geojson"):
        self.client.force_login(user)
        return self.client.post(
            "/analytics/maps/upload/", {"region": region or self.town_a1.code, "file": upload(content, name)}
        )

    def good(self):
        return collection(
            # a village named by its 12-digit code among other properties
            feature({"adcode": self.village_a1.code, "名称": "凤凰村（旧称）", "面积": 3.5}),
            # the other by its name, drawn as two polygons
            feature(
                {"NAME": "双碑村"},
                {"type": "MultiPolygon", "coordinates": [square(106.32, 29.6), square(106.34, 29.6)]},
            ),
        )

    def test_a_good_map_is_stored_normalised_and_served_to_the_charts(self):
        response = self.post(self.alice, self.good())
        self.assertRedirects(response, f"/analytics/maps/?region={self.town_a1.code}", fetch_redirect_response=False)
        stored = RegionMap.objects.get(region=self.town_a1)
        self.assertEqual(stored.features, 2)
        self.assertEqual(stored.children, [self.village_a1.code, self.village_a2.code])
        self.assertEqual(stored.uploaded_by, self.alice)
        geojson = json.loads(stored.geojson)
        self.assertEqual(
            [f["properties"] for f in geojson["features"]],
            [{"name": "凤凰村", "code": self.village_a1.code}, {"name": "双碑村", "code": self.village_a2.code}],
        )
        self.assertEqual(geojson["features"][1]["geometry"]["type"], "MultiPolygon")
        self.assertTrue(
            AuditEvent.objects.filter(action="analytics.map_upload", region_code=self.town_a1.code).exists()
        )
        page = self.client.get(f"/analytics/maps/?region={self.town_a1.code}")
        self.assertContains(page, "已保存凤凰镇的地图（2 个图形）")
        self.assertContains(page, "2 / 2")

        # the screen of the town draws on it; its address carries the upload's version
        screen = self.client.get("/analytics/screen/", {"region": self.town_a1.code}).content.decode()
        url = f"/analytics/maps/{self.town_a1.code}.json?v={stored.version}"
        self.assertIn(url, screen)
        served = self.client.get(url)
        self.assertEqual(served.status_code, 200)
        self.assertEqual(served["Content-Type"], "application/json")
        self.assertIn("max-age", served["Cache-Control"])
        self.assertEqual(served.json(), geojson)
        # the county's screen has no map of its own: bars
        self.assertNotIn(".json?v=", self.client.get("/analytics/screen/").content.decode())

        # who may see the town gets the map; another county does not
        for user, status in (
            (self.erin, 200),
            (self.dave, 200),
            (self.charlie, 404),
            (self.gina, 404),
            (self.emma, 403),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user.username)

    def test_a_map_without_every_child_says_which_are_missing_and_a_new_one_replaces_it(self):
        self.post(self.alice, collection(feature({"name": "凤凰村"})))
        page = self.client.get(f"/analytics/maps/?region={self.town_a1.code}")
        self.assertContains(page, "以下下级区划在地图上没有图形，只在表格中显示：双碑村")
        self.assertContains(page, "1 / 2")
        first = RegionMap.objects.get(region=self.town_a1).version
        self.post(self.alice, self.good())
        self.assertEqual(RegionMap.objects.count(), 1)
        self.assertNotEqual(RegionMap.objects.get(region=self.town_a1).version, first)

    def refused(self, content, *expected, name="凤凰镇.geojson", region=None):
        response = self.post(self.alice, content, name=name, region=region)
        self.assertEqual(response.status_code, 200, expected)
        text = response.content.decode()
        for part in expected:
            self.assertIn(part, text)
        self.assertFalse(RegionMap.objects.exists())
        return text

    def test_malformed_files_are_named_clearly_and_nothing_is_stored(self):
        self.refused(
            b'{"type": "FeatureCollection", "features": [', "不是有效的 JSON 文件：第 1 行第 44 列附近格式错误"
        )
        self.refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "文件不是文本文件")
        self.refused(b"   ", "文件为空")
        self.refused([1, 2, 3], "最外层须为对象")
        self.refused(
            feature({"name": "凤凰村"}), "文件不是 GeoJSON 要素集合（FeatureCollection）：最外层的 type 为“Feature”"
        )
        self.refused({"type": "FeatureCollection", "features": []}, "要素集合中没有要素")
        self.refused({"type": "FeatureCollection"}, "要素集合中没有要素")
        self.refused(b"[" * 100000 + b"]" * 100000, "嵌套层数过多")
        text = self.refused(
            collection(
                feature({"name": "凤凰村"}),
                feature({"name": "双碑村"}, {"type": "Point", "coordinates": [106.3, 29.6]}),
                feature({"name": "青木关村"}),
                feature({"name": "凤凰村"}, {"type": "Polygon", "coordinates": [[[106.3, 29.6], [106.31, 29.6]]]}),
                feature({"name": "双碑村"}, {"type": "Polygon", "coordinates": square(3500000, 600000)}),
                feature(
                    {"name": "双碑村"},
                    {"type": "Polygon", "coordinates": [[[106.3, "北纬29"], [1, 2], [1, 3], [1, 2]]]},
                ),
                feature({"name": "双碑村"}, None) | {"geometry": None},
                {"type": "Point"},
                feature({"name": "双碑村"}, {"type": "MultiPolygon", "coordinates": [square(106.3, 29.6), []]}),
            ),
            "第 2 个要素（“双碑村”）：几何类型为 Point，只接受面（Polygon）或多面（MultiPolygon）",
            "第 3 个要素（“青木关村”）：属性中没有凤凰镇下级区划的代码或名称（下级区划有：凤凰村、双碑村）",
            "第 4 个要素（“凤凰村”）：面须为至少 4 个坐标点组成的闭合环",
            "第 5 个要素（“双碑村”）：面的坐标 (3500000, 600000) 超出经纬度范围，可能是投影坐标",
            "第 6 个要素（“双碑村”）：面有坐标点不是 [经度, 纬度] 数值",
            "第 7 个要素（“双碑村”）：没有几何图形（geometry 为空）",
            "第 8 个要素不是 Feature 对象",
            "第 9 个要素（“双碑村”）：第 2 个面没有坐标",
        )
        self.assertNotIn("第 1 个要素", text)
        self.assertIn('id="map-errors"', text)

    def test_size_limit_and_a_region_without_children(self):
        Rule.objects.create(key="analytics.map_max_mb", region_code="", value=1)
        rules_cache_clear()
        big = collection(*[feature({"name": "凤凰村", "note": "x" * 1000}) for _ in range(1100)])
        self.refused(big, "文件过大", "上限为 1 MB")
        self.refused(self.good(), "凤凰村没有下级区划，无需上传地图", region=self.village_a1.code)
        page = self.client.get(f"/analytics/maps/?region={self.village_a1.code}")
        self.assertContains(page, "凤凰村没有下级区划，无需上传地图。")
        self.assertNotContains(page, 'enctype="multipart/form-data"')

    def test_a_gbk_file_and_a_short_code_are_read(self):
        text = json.dumps(
            collection(feature({"XZQDM": "500106105002", "名称": "凤凰村"}), feature({"code": 500106105003})),
            ensure_ascii=False,
        )
        self.post(self.alice, text.encode("gbk"))
        self.assertEqual(
            RegionMap.objects.get(region=self.town_a1).children, [self.village_a1.code, self.village_a2.code]
        )
        # a county's map of its towns, named by their 9-digit codes
        self.post(
            self.alice,
            collection(feature({"id": "500106105"}), feature({"id": "500106104"})),
            region=self.county_a.code,
        )
        self.assertEqual(RegionMap.objects.get(region=self.county_a).children, [self.town_a2.code, self.town_a1.code])

    def test_only_an_anweiban_in_scope_uploads_and_removes(self):
        self.assertEqual(self.post(self.dave, self.good()).status_code, 403)
        self.assertEqual(self.post(self.erin, self.good()).status_code, 403)
        self.assertEqual(self.post(self.charlie, self.good()).status_code, 404)
        self.assertEqual(self.post(self.alice, self.good(), region=self.town_b1.code).status_code, 404)
        self.assertFalse(RegionMap.objects.exists())
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/analytics/maps/").status_code, 200)
        self.assertEqual(self.client.get("/analytics/maps/", {"region": self.county_b.code}).status_code, 404)
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get("/analytics/maps/").status_code, 403)
        # no file chosen
        self.client.force_login(self.alice)
        response = self.client.post("/analytics/maps/upload/", {"region": self.town_a1.code})
        self.assertContains(response, "请选择地图文件（GeoJSON）。")

        self.post(self.alice, self.good())
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.post("/analytics/maps/delete/", {"region": self.town_a1.code}).status_code, 404)
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post("/analytics/maps/delete/", {"region": self.town_a1.code}).status_code, 403)
        self.assertTrue(RegionMap.objects.exists())
        self.client.force_login(self.alice)
        response = self.client.post("/analytics/maps/delete/", {"region": self.town_a1.code}, follow=True)
        self.assertContains(response, "已删除凤凰镇的地图")
        self.assertFalse(RegionMap.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="analytics.map_delete").exists())
        response = self.client.post("/analytics/maps/delete/", {"region": self.town_a1.code}, follow=True)
        self.assertContains(response, "凤凰镇没有上传地图")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(f"/analytics/maps/{self.town_a1.code}.json").status_code, 404)
