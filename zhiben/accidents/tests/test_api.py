"""The accidents API: the list with the page's filters, one accident with its reporting chain, investigation and
measures; another county's accident a 404, a user without `accident.view` a 403."""

from datetime import timedelta

from zhiben.accidents import services

from .test_services import AccidentTestCase


class AccidentApiTests(AccidentTestCase):
    def test_the_list_in_view_with_the_pages_filters(self):
        larger = self.record(deaths="3")
        general = self.record(type="fall", enterprise=self.enterprise_a_construction.pk, actor=self.alice)
        other = self.record(self.charlie, enterprise=self.enterprise_b.pk)
        client = self.login(self.alice)
        items = client.get("/api/v1/accidents/").json()["items"]
        self.assertEqual({i["number"] for i in items}, {larger.number, general.number})
        item = next(i for i in items if i["number"] == larger.number)
        self.assertEqual(
            (item["grade_label"], item["deaths"], item["enterprise_name"]), ("较大事故", 3, "凤凰化工有限公司")
        )
        self.assertEqual(item["industry"], self.enterprise_a.industry.code)
        self.assertEqual(
            [i["number"] for i in client.get("/api/v1/accidents/?larger=1").json()["items"]], [larger.number]
        )
        self.assertEqual(
            [i["number"] for i in client.get("/api/v1/accidents/?type=fall").json()["items"]], [general.number]
        )
        self.assertEqual(client.get("/api/v1/accidents/?sort=-deaths").json()["items"][0]["number"], larger.number)
        self.assertEqual(client.get("/api/v1/accidents/?grade=nonsense").status_code, 422)
        self.assertEqual(client.get(f"/api/v1/accidents/{other.pk}").status_code, 404)
        self.assertEqual(
            [i["number"] for i in self.login(self.charlie).get("/api/v1/accidents/").json()["items"]], [other.number]
        )
        self.assertEqual(
            self.login(self.sam).get("/api/v1/accidents/").status_code, 403
        )  # 系统管理员: no business data

    def test_one_accident_with_its_chain_investigation_and_measures(self):
        accident = self.approved(self.record(deaths="1"))
        services.measure_add(
            actor=self.alice,
            accident=accident,
            data={
                "text": "检修前断电挂牌上锁",
                "responsible": "凤凰化工有限公司",
                "deadline": self.today + timedelta(days=30),
            },
        )
        detail = self.login(self.alice).get(f"/api/v1/accidents/{accident.pk}").json()
        self.assertEqual(detail["number"], accident.number)
        self.assertEqual(detail["steps"][0]["state"], "按时报告")
        self.assertFalse(detail["steps"][0]["late"])
        self.assertEqual(
            (detail["investigation"]["leader"], detail["investigation"]["approval_number"]),
            ("李明", "沙府复〔2026〕3号"),
        )
        [measure] = detail["measures"]
        self.assertEqual((measure["text"], measure["status"]), ("检修前断电挂牌上锁", "open"))
        fresh = self.record()
        self.assertIsNone(self.client.get(f"/api/v1/accidents/{fresh.pk}").json()["investigation"])
        self.assertEqual(self.login(self.charlie).get(f"/api/v1/accidents/{accident.pk}").status_code, 404)
