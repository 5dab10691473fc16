"""Inspection plans: validation, confirm into planned inspections, publish and the public page, pages, API
schema and scope."""

from django.http import Http404
from django.test import RequestFactory

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.services import rule_save
from zhiben.inspections import draws
from zhiben.inspections.models import Inspection, InspectionPlan
from zhiben.inspections.plan_services import plan_confirm, plan_publish, plan_save
from zhiben.testing import CastTestCase

from .test_draws import TODAY, build_pool, make_plan


class PlanTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_pool(cls)

    def drawn(self, **overrides):
        plan = make_plan(self, experts_per_team=1, **overrides)
        return draws.plan_draw(actor=self.alice, plan=plan, seed="8848", today=TODAY)

    # ------------------------------------------------------------ create and edit

    def assertSaveRefused(self, message, **data):
        plans, audits = InspectionPlan.objects.count(), AuditEvent.objects.count()
        with self.assertRaises(ApplicationError) as caught:
            make_plan(self, **data)
        self.assertIn(message, caught.exception.message)
        self.assertEqual(InspectionPlan.objects.count(), plans)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_bad_plans_are_refused_in_chinese(self):
        self.assertSaveRefused("执法检查每组执法人员不得少于 2 名", team_size=1)
        self.assertSaveRefused("结束日期不能早于开始日期", end=TODAY)
        self.assertSaveRefused("抽查范围不存在或不在您的管辖范围内", region=self.county_b.code)
        self.assertSaveRefused("“煤矿”不是已知的行业", quotas="煤矿=2")
        self.assertSaveRefused("须为正整数", quotas="hazchem=两")
        self.assertSaveRefused("不能与分行业数量同时填写", quotas="*=3，hazchem=1")
        self.assertSaveRefused("请填写抽取数量", quotas="")
        self.assertSaveRefused("不在行业范围内", quotas="construction=1", industries=["hazchem"])
        self.assertSaveRefused("请填写计划名称", name=" ")

    def test_quotas_take_names_or_codes_and_exclude_days_default_from_the_rule(self):
        plan = make_plan(self, quotas="危险化学品=2，construction：1", exclude_days="")
        self.assertEqual(plan.quotas, {"hazchem": 2, "construction": 1})
        self.assertEqual(plan.exclude_days, 180)
        self.assertEqual(plan.unit, self.unit_office_a)
        rule_save(actor=self.alice, key="inspection.draw_exclude_days", region_code=self.county_a.code, text="60")
        self.assertEqual(make_plan(self, exclude_days=None).exclude_days, 60)

    def test_an_edit_clears_the_draw_and_a_confirmed_plan_is_locked(self):
        plan = self.drawn()
        plan = plan_save(actor=self.alice, data={**self._data(plan), "name": "改名"}, plan=plan)
        self.assertIsNone(plan.drawn_at)
        self.assertEqual(plan.result, {})
        plan = draws.plan_draw(actor=self.alice, plan=plan, seed="1", today=TODAY)
        plan_confirm(actor=self.alice, plan=plan)
        with self.assertRaisesMessage(ApplicationError, "已确认，不能修改"):
            plan_save(actor=self.alice, data=self._data(plan), plan=plan)

    def _data(self, plan):
        return {
            "name": plan.name,
            "region": plan.region_id,
            "kind": plan.kind,
            "start": plan.start,
            "end": plan.end,
            "quotas": plan.quotas,
            "team_size": plan.team_size,
        }

    # ------------------------------------------------------------ confirm and publish

    def test_confirm_creates_planned_inspections_with_the_drawn_teams(self):
        plan = self.drawn()
        with self.assertRaisesMessage(ApplicationError, "确认后才能公示"):
            plan_publish(actor=self.alice, plan=plan)
        created = plan_confirm(actor=self.alice, plan=plan)
        self.assertEqual(len(created), 4)
        year = plan.start.year
        for team, inspection in zip(plan.result["teams"], created, strict=True):
            inspection = Inspection.objects.get(pk=inspection.pk)
            self.assertEqual(inspection.enterprise_id, team["enterprise"])
            self.assertEqual(inspection.status, "planned")
            self.assertEqual(inspection.kind, "enforcement")
            self.assertEqual(inspection.unit, self.unit_office_a)
            self.assertEqual(inspection.planned_date, plan.start)
            self.assertEqual(inspection.plan, plan)
            self.assertRegex(inspection.number, rf"^JC500106{year}\d{{6}}$")
            self.assertEqual(sorted(inspection.inspectors.values_list("pk", flat=True)), sorted(team["inspectors"]))
            self.assertEqual(list(inspection.experts.values_list("pk", flat=True)), team["experts"])
        self.assertEqual(created[0].number, f"JC500106{year}000001")
        with self.assertRaisesMessage(ApplicationError, "不能重复确认"):
            plan_confirm(actor=self.alice, plan=plan)
        self.assertEqual(Inspection.objects.filter(plan=plan).count(), 4)

    def test_confirm_needs_a_draw(self):
        with self.assertRaisesMessage(ApplicationError, "请先进行双随机抽取"):
            plan_confirm(actor=self.alice, plan=make_plan(self))

    def test_the_public_page_shows_names_without_login_and_a_wrong_token_is_404(self):
        plan = self.drawn()
        plan_confirm(actor=self.alice, plan=plan)
        plan = plan_publish(actor=self.alice, plan=plan)
        self.assertTrue(plan.public_token)
        with self.assertRaisesMessage(ApplicationError, "已公示"):
            plan_publish(actor=self.alice, plan=plan)
        response = self.client.get(f"/inspections/public/{plan.public_token}/")
        self.assertEqual(response.status_code, 200)
        text = response.content.decode()
        self.assertIn(plan.name, text)
        self.assertIn("8848", text)
        self.assertIn("沙坪坝区安委办", text)
        first = plan.result["teams"][0]
        from zhiben.accounts.models import User
        from zhiben.enterprises.models import Enterprise

        self.assertIn(Enterprise.objects.get(pk=first["enterprise"]).name, text)
        for user in User.objects.filter(pk__in=first["inspectors"]):
            self.assertIn(user.display_name, text)
        from zhiben.inspections.models import Expert

        for expert in Expert.objects.filter(pk__in=first["experts"]):
            self.assertIn(expert.name, text)
        self.assertNotIn("13900001111", text)
        self.assertNotIn("139****1111", text)
        self.assertNotIn(f"/enterprises/{first['enterprise']}/", text)
        self.assertEqual(self.client.get("/inspections/public/not-the-token/").status_code, 404)
        other = make_plan(self)
        self.assertEqual(other.public_token, "")
        self.assertEqual(self.client.get("/inspections/public//").status_code, 404)

    # ------------------------------------------------------------ pages

    def test_pages_create_draw_verify_confirm_publish(self):
        client = self.login(self.alice)
        self.assertEqual(client.get("/inspections/plans/new/").status_code, 200)
        response = client.post(
            "/inspections/plans/new/",
            {
                "name": "页面计划",
                "region": self.county_a.code,
                "kind": "enforcement",
                "start": "2026-04-01",
                "end": "2026-04-30",
                "industries": ["hazchem"],
                "quotas": "危险化学品=2",
                "team_size": 2,
                "experts_per_team": 0,
                "exclude_days": 30,
            },
        )
        plan = InspectionPlan.objects.get(name="页面计划")
        self.assertRedirects(response, f"/inspections/plans/{plan.pk}/")
        response = client.post(f"/inspections/plans/{plan.pk}/draw/", {"seed": "x" * 70}, follow=True)
        self.assertContains(response, "随机种子最多 64 个字符")
        response = client.post(f"/inspections/plans/{plan.pk}/draw/", {"seed": "20260401"}, follow=True)
        self.assertContains(response, "抽取完成：随机种子 20260401，抽中 2 家企业")
        response = client.post(f"/inspections/plans/{plan.pk}/verify/", follow=True)
        self.assertContains(response, "验证一致")
        client.post(f"/inspections/plans/{plan.pk}/confirm/")
        response = client.post(f"/inspections/plans/{plan.pk}/publish/", follow=True)
        plan.refresh_from_db()
        self.assertContains(response, f"/inspections/public/{plan.public_token}/")
        self.assertContains(response, "JC500106")
        self.assertContains(client.get("/inspections/plans/"), "页面计划")
        self.assertContains(client.get("/inspections/plans/?stage=published"), "页面计划")
        self.assertNotContains(client.get("/inspections/plans/?stage=draft"), "页面计划")
        export = client.get("/inspections/plans/export/")
        self.assertEqual(export.status_code, 200)
        self.assertTrue(export.content.startswith(b"PK"))
        self.assertEqual(client.get(f"/inspections/plans/{plan.pk}/edit/").status_code, 200)

    def test_a_bad_form_shows_the_refusal_on_the_field(self):
        response = self.login(self.alice).post(
            "/inspections/plans/new/",
            {
                "name": "x",
                "region": self.county_a.code,
                "kind": "enforcement",
                "start": "2026-04-01",
                "end": "2026-04-30",
                "quotas": "hazchem=1",
                "team_size": 1,
                "experts_per_team": 0,
            },
        )
        self.assertContains(response, "执法检查每组执法人员不得少于 2 名")
        self.assertFalse(InspectionPlan.objects.filter(name="x").exists())

    # ------------------------------------------------------------ scope

    def test_charlie_gets_404_on_county_a_plans(self):
        plan = self.drawn()
        client = self.login(self.charlie)
        for url in ("", "edit/"):
            self.assertEqual(client.get(f"/inspections/plans/{plan.pk}/{url}").status_code, 404)
        for action in ("draw", "verify", "confirm", "publish"):
            self.assertEqual(client.post(f"/inspections/plans/{plan.pk}/{action}/").status_code, 404)
        self.assertNotContains(client.get("/inspections/plans/"), plan.name)
        plan.refresh_from_db()
        self.assertIsNone(plan.confirmed_at)

    def test_erin_cannot_draw_for_another_unit(self):
        plan = make_plan(self, region=self.town_a1.code, quotas="hazchem=1")
        client = self.login(self.erin)
        self.assertEqual(client.get(f"/inspections/plans/{plan.pk}/").status_code, 200)
        self.assertEqual(client.post(f"/inspections/plans/{plan.pk}/draw/", {"seed": "1"}).status_code, 403)
        with self.assertRaises(ApplicationError):
            plan_save(actor=self.erin, data=self._data(plan), plan=plan)
        plan.refresh_from_db()
        self.assertIsNone(plan.drawn_at)
        # her own plan must lie in her town
        with self.assertRaisesMessage(ApplicationError, "抽查范围不存在或不在您的管辖范围内"):
            make_plan(self, actor=self.erin, region=self.county_a.code)

    def test_the_api_lists_and_details_in_scope_only(self):
        from zhiben.inspections import plan_api, plan_selectors

        plan = self.drawn()
        request = RequestFactory().get("/")
        request.user = self.alice
        body = plan_api.InspectionPlanDetailOut.from_orm(plan_api.get_plan(request, plan.pk)).dict()
        self.assertEqual(body["seed"], "8848")
        self.assertEqual(len(body["teams"]), 4)
        self.assertTrue(all(len(t["inspectors"]) == 2 for t in body["teams"]))
        request.user = self.charlie
        with self.assertRaises(Http404):
            plan_api.get_plan(request, plan.pk)
        self.assertFalse(plan_selectors.plan_list(user=self.charlie).exists())
        self.assertTrue(plan_selectors.plan_list(user=self.bob).filter(pk=plan.pk).exists())

    def test_the_rule_is_on_the_rules_page(self):
        self.assertContains(self.login(self.alice).get("/rules/"), "排除近期已检查企业的天数")

    def test_menu_entries(self):
        response = self.login(self.alice).get("/inspections/plans/")
        self.assertContains(response, "检查计划")
        self.assertContains(response, "专家库")
        self.assertEqual(self.login(self.dave).get("/inspections/plans/").status_code, 200)
        self.assertEqual(self.login(self.dave).get("/inspections/plans/new/").status_code, 403)
