"""The training API: the coverage figures as the 培训覆盖率 page counts them (on the hand-counted fixture), the
certificates and sessions in view with the pages' filters, a session with its attendance; another county's region
or session a 404, a user without `training.view` a 403, a bad value a 422; no identity number in any answer."""

from datetime import date

from .. import services
from .test_coverage import CoverageFixture


class TrainingApiTests(CoverageFixture):
    def test_coverage_figures_with_their_counts_for_the_region_industry_and_period_asked(self):
        client = self.login(self.alice)
        figures = {f["key"]: f for f in client.get("/api/v1/training/coverage?year=2026").json()}
        principal = figures["training.principal_coverage"]
        self.assertEqual(
            (principal["covered"], principal["expected"], principal["missing"], principal["value"]), (1, 3, 2, "33.3")
        )
        self.assertEqual(principal["missing_label"], "主要负责人本年度未培训的企业")
        certified = figures["training.certified_share"]
        self.assertEqual((certified["covered"], certified["expected"], certified["value"]), (1, 4, "25.0"))
        town = client.get(f"/api/v1/training/coverage?year=2026&region={self.town_a1.code}").json()
        self.assertEqual(next(f["value"] for f in town if f["key"] == "training.principal_coverage"), "50.0")
        machinery = client.get("/api/v1/training/coverage?year=2026&industry=machinery").json()
        self.assertIsNone(next(f["value"] for f in machinery if f["key"] == "training.principal_coverage"))
        self.assertEqual(client.get(f"/api/v1/training/coverage?region={self.county_b.code}").status_code, 404)
        self.assertEqual(client.get("/api/v1/training/coverage?year=1999").status_code, 422)
        self.assertEqual(client.get("/api/v1/training/coverage?start=2026-13-01").status_code, 422)
        self.assertEqual(self.login(self.sam).get("/api/v1/training/coverage").status_code, 403)

    def test_certificates_in_view_with_the_pages_filters(self):
        client = self.login(self.alice)
        items = client.get("/api/v1/training/certificates").json()["items"]
        self.assertEqual([(i["number"], i["person_name"]) for i in items], [("C2", "电工二"), ("C1", "电工一")])
        self.assertEqual((items[0]["kind_label"], items[0]["category_label"]), ("特种作业操作证", "电工作业"))
        self.assertEqual(
            [i["number"] for i in client.get("/api/v1/training/certificates?expiring=0").json()["items"]], ["C2"]
        )
        self.assertEqual(client.get("/api/v1/training/certificates?kind=nonsense").status_code, 422)
        self.assertEqual(self.login(self.charlie).get("/api/v1/training/certificates").json()["items"], [])
        self.assertNotIn("id_number", items[0])

    def test_sessions_and_one_session_with_its_attendance(self):
        mine = self.session("principal", date(2026, 5, 9), actor=self.alice, title="主要负责人专题培训")
        person = self.person("丁总", self.enterprise_a, "principal", actor=self.alice)
        services.attendance_add(actor=self.alice, session=mine, person=person, result="passed", score=92)
        other = self.session("principal", date(2026, 5, 9), region="500107", actor=self.charlie)
        client = self.login(self.alice)
        listed = client.get("/api/v1/training/sessions?q=专题").json()["items"]
        self.assertEqual([s["id"] for s in listed], [mine.pk])
        self.assertEqual(listed[0]["kind_label"], "主要负责人履职")
        detail = client.get(f"/api/v1/training/sessions/{mine.pk}").json()
        self.assertEqual(
            [(a["person_name"], a["attended"], a["score"], a["result_label"]) for a in detail["attendance"]],
            [("丁总", True, "92.0", "合格")],
        )
        self.assertNotIn("id_number", str(detail))
        self.assertEqual(client.get(f"/api/v1/training/sessions/{other.pk}").status_code, 404)
        self.assertEqual(client.get("/api/v1/training/sessions?from=not-a-date").status_code, 422)
        self.assertEqual(self.login(self.sam).get(f"/api/v1/training/sessions/{mine.pk}").status_code, 403)
