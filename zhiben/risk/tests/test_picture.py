"""Scope, the hazard link both ways, measures and reviews, the red/orange counts by industry, enterprises by
their highest risk, the review reminder, and the pages (list, detail, enterprise picture, plan image, export)."""

import io
import shutil
import tempfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from zhiben.audit.models import AuditEvent
from zhiben.core.excel import read_table
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.models import Rule
from zhiben.core.registry import backlinks
from zhiben.core.timeline import subject_events
from zhiben.enterprises.models import Enterprise
from zhiben.notifications.models import Notification
from zhiben.notifications.reminders import remind_deadlines
from zhiben.risk import selectors, services
from zhiben.risk.demo import site_plan_png
from zhiben.risk.models import ControlMeasure, RiskHazardLink, RiskPoint, SitePlan

from .helpers import LS, RiskTestCase

MEDIA = tempfile.mkdtemp(prefix="risk-media-")


def tearDownModule():
    shutil.rmtree(MEDIA, ignore_errors=True)


class ScopeTests(RiskTestCase):
    def test_an_enterprise_user_sees_and_edits_only_their_own(self):
        own = self.point(self.emma)
        other = self.point(self.alice, self.enterprise_a_construction)
        self.assertEqual(list(selectors.point_list(user=self.emma)), [own])
        data = {"name": "改名", "kind": "place", "factors": "x", "method": "ls", "l": "1", "s": "1"}
        with self.assertRaises(ScopeError):
            services.point_update(actor=self.emma, point=other, data=data)
        self.assertEqual(RiskPoint.objects.get(pk=other.pk).name, "甲类罐区")
        client = self.login(self.emma)
        self.assertEqual(client.get(f"/risk/{other.pk}/").status_code, 404)
        self.assertEqual(client.get(f"/risk/enterprise/{self.enterprise_a_construction.pk}/").status_code, 404)
        self.assertEqual(services.point_update(actor=self.emma, point=own, data=data).name, "改名")

    def test_county_b_gets_404_on_county_a(self):
        point = self.point()
        client = self.login(self.charlie)
        for url in (f"/risk/{point.pk}/", f"/risk/{point.pk}/edit/", f"/risk/enterprise/{self.enterprise_a.pk}/"):
            self.assertEqual(client.get(url).status_code, 404, url)
        self.assertEqual(client.post(f"/risk/{point.pk}/do/review/", {}).status_code, 404)
        self.assertNotContains(client.get("/risk/"), "甲类罐区")
        with self.assertRaises(ScopeError):
            services.point_review(actor=self.charlie, point=point, data={})

    def test_a_department_sees_only_its_industries(self):
        chem = self.point()
        self.point(self.alice, self.enterprise_a_construction, name="塔吊")
        self.assertEqual(list(selectors.point_list(user=self.erin)), [chem])

    def test_leader_grid_and_expert_read_but_administrators_do_not(self):
        self.point()
        for user in (self.dave, self.gina):
            response = self.login(user).get("/risk/")
            self.assertContains(response, "甲类罐区")
            self.assertNotContains(response, "登记风险点</a>")
        for user in (self.sam, self.sid, self.aud):
            self.assertEqual(self.login(user).get("/risk/").status_code, 403)


class MeasureReviewTests(RiskTestCase):
    def test_measures_by_type_and_level_with_a_responsible_person(self):
        point = self.point()
        measure = services.measure_add(
            actor=self.emma,
            point=point,
            data={"type": "engineering", "control_level": "company", "text": "紧急切断装置", "responsible": "王厂"},
        )
        self.assertEqual((measure.get_type_display(), measure.get_control_level_display()), ("工程技术", "公司"))
        with self.assertRaises(ApplicationError) as ctx:
            services.measure_add(actor=self.emma, point=point, data={"type": "x", "control_level": "y", "text": ""})
        self.assertEqual({e["field"] for e in ctx.exception.errors}, {"type", "control_level", "text", "responsible"})
        with self.assertRaises(ScopeError):
            services.measure_remove(actor=self.charlie, measure=measure)
        services.measure_remove(actor=self.emma, measure=measure)
        self.assertFalse(ControlMeasure.objects.exists())

    def test_the_default_control_level_follows_the_level(self):
        self.assertEqual(self.point(method="lec", l="3", e="3", c="40").control_level, "company")
        self.assertEqual(self.point(method="ls", l="1", s="1").control_level, "post")

    def test_a_review_sets_the_next_date_and_overdue_reviews_are_listed(self):
        point = self.point(next_review=self.today + timedelta(days=5))
        RiskPoint.objects.filter(pk=point.pk).update(next_review=self.today - timedelta(days=3))
        self.assertEqual(list(selectors.overdue_reviews(user=self.alice)), [point])
        self.assertEqual(list(selectors.point_list(user=self.alice, filters={"review": "overdue"})), [point])
        self.assertEqual(list(selectors.overdue_reviews(user=self.charlie)), [])
        point.refresh_from_db()
        data = {"name": "罐区", "kind": "place", "factors": "x", "next_review": point.next_review, **LS}
        self.assertEqual(services.point_update(actor=self.alice, point=point, data=data).name, "罐区")  # date kept
        with self.assertRaises(ApplicationError):
            services.point_review(actor=self.alice, point=point, data={"next_review": self.today.isoformat()})
        point = services.point_review(actor=self.alice, point=point, data={"note": "措施有效"})
        self.assertEqual((point.reviewed_on, point.next_review), (self.today, self.today + timedelta(days=365)))
        self.assertEqual(list(selectors.overdue_reviews(user=self.alice)), [])
        self.assertIn("措施有效", subject_events(point)[-1].note)

    def test_the_review_is_reminded_once_before_its_date(self):
        point = self.point(self.emma, next_review=self.today + timedelta(days=20))
        due = point.next_review
        self.assertEqual(remind_deadlines("risk.review", today=due - timedelta(days=16)), 0)
        self.assertEqual(remind_deadlines("risk.review", today=due - timedelta(days=15)), 1)
        self.assertEqual(remind_deadlines("risk.review", today=due - timedelta(days=10)), 0)
        note = Notification.objects.get(recipient=self.emma)
        self.assertIn("风险点评审即将到期", note.subject)
        self.assertTrue(AuditEvent.objects.filter(action="risk.review_reminder").exists())

    def test_a_retired_point_is_not_reminded_and_leaves_the_list(self):
        point = self.point(next_review=self.today + timedelta(days=3))
        with self.assertRaises(ApplicationError):
            services.point_retire(actor=self.alice, point=point, reason="")
        services.point_retire(actor=self.alice, point=point, reason="装置已拆除")
        self.assertEqual(remind_deadlines("risk.review", today=self.today), 0)
        self.assertEqual(list(selectors.point_list(user=self.alice)), [])
        self.assertEqual(list(selectors.point_list(user=self.alice, filters={"active": "0"})), [point])


class HazardLinkTests(RiskTestCase):
    def test_a_hazard_cites_a_point_and_both_pages_show_it(self):
        point = self.point()
        hazard = self.hazard()
        services.hazard_link(actor=self.emma, point=point, hazard=hazard.number, note="报警器失效")
        self.assertEqual(
            backlinks(hazard, self.alice),
            [("管控失效的风险点", "甲类罐区（较大风险（橙））", point.get_absolute_url())],
        )
        self.assertEqual(backlinks(hazard, self.charlie), [])
        response = self.login(self.alice).get(f"/hazards/{hazard.pk}/")
        self.assertContains(response, point.get_absolute_url())
        page = self.login(self.emma).get(point.get_absolute_url())
        self.assertContains(page, hazard.number)
        self.assertContains(page, "未销号 1 项")
        self.assertTrue(any("关联风险点" in e.note for e in subject_events(hazard)))

    def test_closed_hazards_are_listed_but_not_counted_open(self):
        point = self.point()
        services.hazard_link(actor=self.alice, point=point, hazard=self.hazard(status="closed"))
        links = selectors.point_hazards(point, self.alice)
        self.assertEqual([link.open for link in links], [False])
        self.assertNotContains(self.login(self.alice).get(point.get_absolute_url()), "未销号")

    def test_refusals_and_unlink(self):
        point = self.point()
        other = self.hazard(enterprise=self.enterprise_a_construction)
        with self.assertRaises(ApplicationError) as ctx:
            services.hazard_link(actor=self.alice, point=point, hazard=other)
        self.assertIn("只能关联同一单位的隐患", ctx.exception.message)
        with self.assertRaises(ApplicationError):
            services.hazard_link(actor=self.alice, point=point, hazard="YH-NONE")
        b_point = self.point(self.charlie, self.enterprise_b)
        with self.assertRaises(ScopeError):
            services.hazard_link(actor=self.alice, point=b_point, hazard=self.hazard(enterprise=self.enterprise_b))
        hazard = self.hazard()
        services.hazard_link(actor=self.alice, point=point, hazard=hazard)
        with self.assertRaises(ApplicationError):
            services.hazard_link(actor=self.alice, point=point, hazard=hazard)
        services.hazard_unlink(actor=self.alice, point=point, hazard=hazard)
        self.assertFalse(RiskHazardLink.objects.exists())

    def test_citing_from_the_hazard_page(self):
        point = self.point()
        hazard = self.hazard()
        self.assertEqual(backlinks(hazard, self.emma)[0][2], f"/risk/cite/{hazard.pk}/")
        client = self.login(self.emma)
        self.assertContains(client.get(f"/risk/cite/{hazard.pk}/"), "甲类罐区")
        response = client.post(f"/risk/cite/{hazard.pk}/", {"point": point.pk, "note": "巡检未落实"})
        self.assertRedirects(response, f"/hazards/{hazard.pk}/", fetch_redirect_response=False)
        self.assertTrue(RiskHazardLink.objects.filter(point=point, hazard=hazard).exists())
        self.assertEqual(self.login(self.charlie).get(f"/risk/cite/{hazard.pk}/").status_code, 404)


class FigureTests(RiskTestCase):
    def test_red_and_orange_points_by_industry_in_scope(self):
        self.point(method="lec", l="3", e="3", c="40")  # 重大, 危化
        self.point(method="lec", l="3", e="6", c="15")  # 较大, 危化
        self.point(method="ls", l="1", s="1")  # 低: not counted
        self.point(self.alice, self.enterprise_a_construction, method="ls", l="4", s="4")  # 较大, 建筑施工
        self.point(self.charlie, self.enterprise_b, method="ls", l="5", s="5")  # 重大, county B
        table, totals = selectors.region_counts(user=self.alice)
        rows = {r["industry"]: (r["major"], r["larger"], r["enterprises"]) for r in table}
        chem, build = self.enterprise_a.industry.name, self.enterprise_a_construction.industry.name
        self.assertEqual(rows, {chem: (1, 1, 1), build: (0, 1, 1)})
        self.assertEqual(totals, {"major": 1, "larger": 2, "enterprises": 2})
        self.assertEqual(selectors.region_counts(user=self.bob)[1], {"major": 2, "larger": 2, "enterprises": 3})
        self.assertEqual(selectors.region_counts(user=self.bob, region_code=self.county_b.code)[1]["major"], 1)
        self.assertEqual(selectors.region_counts(user=self.erin)[1], {"major": 1, "larger": 1, "enterprises": 1})
        response = self.login(self.alice).get("/risk/figures/")
        self.assertContains(response, build)
        self.assertNotContains(response, "西彭化工")

    def test_enterprises_graded_by_their_highest_active_point(self):
        low = self.point(method="ls", l="1", s="1")
        top = self.point(method="lec", l="3", e="3", c="40")
        self.point(self.alice, self.enterprise_a_construction, method="ls", l="2", s="2")
        qs = selectors.enterprise_risk_levels(Enterprise.objects.for_user(self.bob))
        self.assertEqual(
            {e.pk: e.risk_rank for e in qs},
            {self.enterprise_a.pk: 4, self.enterprise_a_construction.pk: 2, self.enterprise_b.pk: None},
        )
        scoped = Enterprise.objects.for_user(self.bob)
        self.assertEqual(list(selectors.filter_by_risk_level(scoped, ["major"])), [self.enterprise_a])
        self.assertEqual(
            set(selectors.filter_by_risk_level(scoped, ["general", "none"])),
            {self.enterprise_a_construction, self.enterprise_b},
        )
        self.assertEqual(
            selectors.enterprises_by_level(user=self.alice),
            {"major": 1, "larger": 0, "general": 1, "low": 0, "none": 0},
        )
        services.point_retire(actor=self.alice, point=top, reason="已拆除")
        self.assertEqual(selectors.enterprise_level(self.enterprise_a), low.level)

    def test_the_inspection_frequency_rule_shows_on_the_enterprise_page(self):
        self.point(method="lec", l="3", e="3", c="40")
        client = self.login(self.alice)
        self.assertContains(client.get(f"/risk/enterprise/{self.enterprise_a.pk}/"), "每季度至少检查一次")
        Rule.objects.create(
            key="risk.inspection_frequency", region_code=self.county_a.code, value={"major": "每月一次", "low": "抽查"}
        )
        response = client.get(f"/risk/enterprise/{self.enterprise_a.pk}/")
        self.assertContains(response, "每月一次")
        self.assertContains(response, "重大风险（红）")


@override_settings(MEDIA_ROOT=MEDIA)
class PageTests(RiskTestCase):
    def upload(self, user=None, data=None, name="plan.png"):
        client = self.login(user or self.emma)
        image = SimpleUploadedFile(name, data or site_plan_png(), content_type="image/png")
        return client.post(f"/risk/enterprise/{self.enterprise_a.pk}/plan/", {"image": image})

    def test_record_through_the_form(self):
        client = self.login(self.emma)
        self.assertEqual(client.get("/risk/new/").status_code, 200)
        response = client.post(
            "/risk/new/",
            {
                "name": "配电室",
                "kind": "equipment",
                "factors": "触电",
                "method": "ls",
                "ls_l": "4",
                "ls_s": "5",
                "exposed": "0",
            },
        )
        point = RiskPoint.objects.get()
        self.assertRedirects(response, point.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((point.enterprise, point.level), (self.enterprise_a, "major"))
        response = client.post(
            "/risk/new/", {"name": "x", "kind": "place", "factors": "y", "method": "lec", "lec_l": "3"}
        )
        self.assertContains(response, "请选择E")
        self.assertEqual(RiskPoint.objects.count(), 1)

    def test_a_regulator_records_for_an_enterprise_by_credit_code(self):
        client = self.login(self.alice)
        data = {
            "name": "罐区",
            "kind": "place",
            "factors": "泄漏",
            "method": "lec",
            "lec_l": "1",
            "lec_e": "6",
            "lec_c": "15",
        }
        self.assertContains(
            client.post("/risk/new/", {**data, "enterprise": self.enterprise_b.credit_code}), "没有找到该单位"
        )
        client.post("/risk/new/", {**data, "enterprise": self.enterprise_a.credit_code})
        self.assertEqual(RiskPoint.objects.get().level, "general")  # D = 1×6×15 = 90

    def test_list_sorted_by_level_and_export(self):
        self.point(method="ls", l="1", s="1", name="低点")
        self.point(method="lec", l="3", e="3", c="40", name="红点")
        self.point(method="ls", l="3", s="3", name="黄点")
        client = self.login(self.alice)
        page = client.get("/risk/?sort=level")
        self.assertEqual([p.name for p in page.context["page"]], ["红点", "黄点", "低点"])
        self.assertEqual([p.name for p in client.get("/risk/?sort=-level").context["page"]], ["低点", "黄点", "红点"])
        self.assertEqual([p.name for p in client.get("/risk/?level=major").context["page"]], ["红点"])
        # "²" (str.isdigit() holds, int() refuses) and a number no id column holds were a 500: no enterprise's
        for enterprise in ("²", "9" * 25):
            self.assertEqual(list(client.get("/risk/", {"enterprise": enterprise}).context["page"]), [])
        response = client.get(f"/risk/export/?enterprise={self.enterprise_a.pk}&sort=level")
        self.assertEqual(response.status_code, 200)
        _, headers, rows = read_table(io.BytesIO(response.content), filename="x.xlsx")
        self.assertIn("风险等级", headers)
        column = headers.index("颜色")
        self.assertEqual([r[column] for _, r in rows], ["红", "黄", "蓝"])
        self.assertTrue(AuditEvent.objects.filter(action="risk.export").exists())
        response = self.login(self.charlie).get(f"/risk/export/?enterprise={self.enterprise_a.pk}")
        self.assertEqual(load_workbook(io.BytesIO(response.content)).active.max_row, 1)  # the header only

    def test_detail_page(self):
        point = self.point(method="lec", l="3", e="3", c="40")
        response = self.login(self.dave).get(point.get_absolute_url())
        self.assertContains(response, "D = 3 × 3 × 40 = 360")
        self.assertContains(response, "重大风险（红）")
        self.assertNotContains(response, "添加管控措施")
        self.assertContains(self.login(self.emma).get(point.get_absolute_url()), "添加管控措施")

    def test_site_plan_upload_placing_and_image(self):
        point = self.point(self.emma)
        with self.assertRaises(ApplicationError):
            services.point_place(actor=self.emma, point=point, x="10", y="10")
        self.upload(data=b"not an image at all", name="plan.png")
        self.assertFalse(SitePlan.objects.exists())
        self.upload()
        plan = SitePlan.objects.get()
        self.assertEqual((plan.width, plan.height), (1000, 640))
        client = self.login(self.emma)
        client.post(f"/risk/{point.pk}/do/place/", {"pos.x": "250", "pos.y": "160"})  # a click on the image
        point.refresh_from_db()
        self.assertEqual((str(point.plan_x), str(point.plan_y)), ("25.00", "25.00"))
        client.post(f"/risk/{point.pk}/do/place/", {"x": "101", "y": "5"})
        point.refresh_from_db()
        self.assertEqual(str(point.plan_x), "25.00")
        page = client.get(f"/risk/enterprise/{self.enterprise_a.pk}/")
        self.assertContains(page, 'style="left:25.00%;top:25.00%"')
        self.assertContains(page, f"/risk/plan/{plan.pk}/")
        image = client.get(f"/risk/plan/{plan.pk}/")
        self.assertEqual((image.status_code, image["Content-Type"]), (200, "image/png"))
        self.assertEqual(self.login(self.charlie).get(f"/risk/plan/{plan.pk}/").status_code, 404)
        self.assertEqual(self.upload(self.charlie).status_code, 404)
        client = self.login(self.emma)
        client.post(f"/risk/{point.pk}/do/place/", {"x": "", "y": ""})
        point.refresh_from_db()
        self.assertFalse(point.placed)

    def test_home_cards_and_menu(self):
        self.point(method="lec", l="3", e="3", c="40")
        response = self.login(self.alice).get("/")
        cards = {c["label"]: c["value"] for c in response.context["summary"]["cards"]}
        self.assertEqual((cards["重大风险点"], cards["较大风险点"]), (1, 0))
        self.assertIn("风险分级", [item["label"] for item in response.context["nav"]])
        self.assertNotIn("风险分级", [item["label"] for item in self.login(self.sam).get("/").context["nav"]])


class PoolTests(RiskTestCase):
    def plan(self, **data):
        from zhiben.inspections import plan_services

        values = {
            "name": "双随机抽查",
            "region": self.county_a.code,
            "start": self.today,
            "end": self.today + timedelta(days=30),
            "quotas": "*=1",
            **data,
        }
        return plan_services.plan_save(actor=self.alice, data=values)

    def test_the_inspection_pool_filters_by_the_enterprises_highest_risk(self):
        from zhiben.inspections.draws import candidate_enterprises

        self.point(method="lec", l="3", e="3", c="40")
        self.point(self.alice, self.enterprise_a_construction, method="ls", l="1", s="1")
        plan = self.plan(risk_levels=["major", "larger"])
        self.assertEqual(plan.filters["risk_levels"], ["larger", "major"])
        self.assertEqual(list(candidate_enterprises(self.alice, plan, self.today)[0]), [self.enterprise_a])
        plan = self.plan(risk_levels=["low"])
        self.assertEqual(list(candidate_enterprises(self.alice, plan, self.today)[0]), [self.enterprise_a_construction])
        plan = self.plan()
        self.assertNotIn("risk_levels", plan.filters)
        self.assertEqual(len(candidate_enterprises(self.alice, plan, self.today)[0]), 2)
        with self.assertRaises(ApplicationError) as ctx:
            self.plan(risk_levels=["purple"])
        self.assertIn("企业风险等级条件无效", ctx.exception.message)
        response = self.login(self.alice).get(f"/inspections/plans/{self.plan(risk_levels=['major']).pk}/")
        self.assertContains(response, "企业风险等级：重大风险（红）")
