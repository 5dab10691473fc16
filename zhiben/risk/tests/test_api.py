"""The risk API: risk points in view with the page's filters and sorts (the retired ones only when asked), one point
with its control measures and the hazards found at it; another county's point a 404, a user without `risk.view` a
403."""

from zhiben.risk import services

from .helpers import LS, RiskTestCase


class RiskApiTests(RiskTestCase):
    def test_points_in_view_with_the_pages_filters(self):
        larger = self.point()  # D = 270: 较大
        general = self.point(name="配电室", kind="equipment", **LS)  # R = 8: 一般
        retired = self.point(name="旧仓库")
        services.point_retire(actor=self.alice, point=retired, reason="仓库已拆除")
        other = self.point(self.charlie, self.enterprise_b)
        client = self.login(self.alice)
        items = client.get("/api/v1/risk/points").json()["items"]
        self.assertEqual([i["id"] for i in items], [larger.pk, general.pk])  # the highest level first
        first = items[0]
        self.assertEqual((first["level"], first["level_label"], first["score"]), ("larger", "较大风险（橙）", "270.00"))
        self.assertEqual((first["enterprise_name"], first["kind_label"]), ("凤凰化工有限公司", "场所"))
        self.assertEqual(
            [i["id"] for i in client.get("/api/v1/risk/points?level=general").json()["items"]], [general.pk]
        )
        self.assertEqual([i["id"] for i in client.get("/api/v1/risk/points?active=0").json()["items"]], [retired.pk])
        self.assertEqual(client.get("/api/v1/risk/points?level=nonsense").status_code, 422)
        for enterprise in ("²", "9" * 25):  # a 500 (int() refuses "²"; the number overflowed in the query)
            self.assertEqual(client.get("/api/v1/risk/points", {"enterprise": enterprise}).status_code, 422)
        self.assertEqual(client.get(f"/api/v1/risk/points/{other.pk}").status_code, 404)
        charlie = self.login(self.charlie).get("/api/v1/risk/points").json()["items"]
        self.assertEqual([i["id"] for i in charlie], [other.pk])
        self.assertEqual(self.login(self.sam).get("/api/v1/risk/points").status_code, 403)

    def test_one_point_with_its_measures_and_hazards(self):
        point = self.point()
        services.measure_add(
            actor=self.alice,
            point=point,
            data={
                "type": "engineering",
                "control_level": "company",
                "text": "罐区设置可燃气体报警",
                "responsible": "张三",
            },
        )
        hazard = self.hazard()
        services.hazard_link(actor=self.alice, point=point, hazard=hazard)
        detail = self.login(self.alice).get(f"/api/v1/risk/points/{point.pk}").json()
        self.assertEqual(
            [(m["type_label"], m["text"]) for m in detail["measures"]], [("工程技术", "罐区设置可燃气体报警")]
        )
        self.assertEqual(detail["hazard_ids"], [hazard.pk])
        self.assertEqual(self.login(self.charlie).get(f"/api/v1/risk/points/{point.pk}").status_code, 404)
