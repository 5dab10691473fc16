"""The pages: an enterprise fills in, signs and submits; supervisors see their jurisdiction's compliance and export it."""

import io
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook

from zhiben.accounts.choices import Role
from zhiben.core.models import Rule
from zhiben.duties import services
from zhiben.duties.choices import ReportStatus
from zhiben.duties.models import PeriodReport
from zhiben.duties.periods import quarter_of
from zhiben.enterprises.models import Enterprise
from zhiben.testing import CastTestCase, make_enterprise, make_user


class EnterprisePagesTests(CastTestCase):
    def setUp(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="王建国")
        self.period = quarter_of(timezone.localdate()).previous()

    def test_open_sign_and_submit_through_the_pages(self):
        self.login(self.emma)
        response = self.client.get("/duties/")
        self.assertContains(response, self.period.label)
        self.assertContains(response, "生成并填报")
        self.assertContains(response, "统计分析表")  # nav entry
        response = self.client.post("/duties/open/", {"period": self.period.code})
        report = PeriodReport.objects.get(enterprise=self.enterprise_a, period=self.period.code)
        self.assertRedirects(response, f"/duties/{report.pk}/")
        page = self.client.get(f"/duties/{report.pk}/")
        self.assertContains(page, "本期排查发现隐患")
        self.assertContains(page, "主要负责人签字确认")
        response = self.client.post(f"/duties/{report.pk}/submit/", follow=True)
        self.assertContains(response, "须经主要负责人签字确认后才能报送")
        response = self.client.post(f"/duties/{report.pk}/attest/", {"name": "李四", "confirmed": "on"}, follow=True)
        self.assertContains(response, "须由主要负责人本人")
        response = self.client.post(
            f"/duties/{report.pk}/attest/", {"name": "王建国", "confirmed": "on", "analysis": "整改到位"}, follow=True
        )
        self.assertContains(response, "已签字确认")
        response = self.client.post(f"/duties/{report.pk}/submit/", follow=True)
        report.refresh_from_db()
        self.assertEqual(report.status, ReportStatus.SUBMITTED)
        self.assertEqual(report.analysis, "整改到位")
        self.assertContains(response, "已报送")

    def test_enterprise_sees_only_its_own_and_not_the_supervisors_pages(self):
        other = PeriodReport.objects.create(
            enterprise=self.enterprise_a_construction,
            kind="quarterly",
            period=self.period.code,
            year=self.period.year,
            quarter=self.period.quarter,
            period_start=self.period.start,
            period_end=self.period.end,
        )
        self.login(self.emma)
        self.assertEqual(self.client.get(f"/duties/{other.pk}/").status_code, 404)
        self.assertEqual(self.client.post(f"/duties/{other.pk}/submit/").status_code, 404)
        self.assertEqual(self.client.get("/duties/compliance/").status_code, 403)
        self.assertEqual(self.client.get("/rules/").status_code, 403)


class SupervisorPagesTests(CastTestCase):
    def setUp(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(principal="王建国")
        self.period = quarter_of(timezone.localdate()).previous()
        report = services.report_open(actor=self.emma, period_code=self.period.code)
        services.report_attest(actor=self.emma, report=report, name="王建国", confirmed=True)
        self.report = services.report_submit(
            actor=self.emma, report=report, today=services.deadline_for(self.period, self.enterprise_a.region_id)
        )

    def test_compliance_list_is_scoped_to_the_jurisdiction(self):
        response = self.login(self.alice).get(f"/duties/compliance/?period={self.period.code}")
        names = [row["enterprise"].name for row in response.context["page"]]
        self.assertEqual(sorted(names), sorted([self.enterprise_a.name, self.enterprise_a_construction.name]))
        self.assertContains(response, self.enterprise_a.name)
        self.assertNotContains(response, self.enterprise_b.name)
        states = {row["enterprise"].name: row["state"] for row in response.context["page"]}
        # the cast's enterprises were registered today, after last quarter's deadline: the one that did not submit is not counted as late
        self.assertEqual(states, {self.enterprise_a.name: "on_time", self.enterprise_a_construction.name: "exempt"})
        Enterprise.objects.filter(pk=self.enterprise_a_construction.pk).update(
            created_at=timezone.now() - timedelta(days=400)
        )
        response = self.client.get(f"/duties/compliance/?period={self.period.code}&state=overdue")
        self.assertEqual(
            [row["enterprise"].name for row in response.context["page"]], [self.enterprise_a_construction.name]
        )
        response = self.login(self.charlie).get(f"/duties/compliance/?period={self.period.code}")
        self.assertEqual([row["enterprise"].name for row in response.context["page"]], [self.enterprise_b.name])
        bob = self.login(self.bob).get(f"/duties/compliance/?period={self.period.code}&state=on_time")
        self.assertEqual([row["enterprise"].name for row in bob.context["page"]], [self.enterprise_a.name])

    def test_a_bad_parameter_drops_only_itself(self):
        older = self.period.previous()
        response = self.login(self.alice).get("/duties/compliance/", {"period": older.code, "region": "999999"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["period"].code, older.code)  # the period asked, not the latest
        self.assertTrue(response.context["form"].errors["region"])  # the bad region is shown as such

    def test_charlie_gets_404_on_county_a_s_report(self):
        self.assertEqual(self.login(self.charlie).get(f"/duties/{self.report.pk}/").status_code, 404)
        self.assertEqual(self.login(self.alice).get(f"/duties/{self.report.pk}/").status_code, 200)
        self.assertEqual(
            self.login(self.dave).get(f"/duties/{self.report.pk}/").status_code, 200
        )  # the county's leader reads it
        self.assertEqual(
            self.login(self.sam).get(f"/duties/{self.report.pk}/").status_code, 404
        )  # 系统管理员: no business data

    def test_supervisors_cannot_act_on_the_enterprise_s_report(self):
        self.assertEqual(self.login(self.alice).post(f"/duties/{self.report.pk}/regenerate/").status_code, 403)

    def test_the_list_sorts_by_name_by_what_is_most_pressing_and_by_when_it_was_sent(self):
        long_ago = timezone.now() - timedelta(days=400)
        Enterprise.objects.filter(pk=self.enterprise_a_construction.pk).update(created_at=long_ago)  # 逾期未报
        late = make_enterprise(self.village_a2, "machinery", name="阿尔法机械有限公司", principal="张三")
        Enterprise.objects.filter(pk=late.pk).update(created_at=long_ago)
        emily = make_user("emily", Role.ENTERPRISE, self.village_a2, enterprise=late)
        report = services.report_open(actor=emily, period_code=self.period.code)
        services.report_attest(actor=emily, report=report, name="张三", confirmed=True)
        deadline = services.deadline_for(self.period, late.region_id)
        services.report_submit(actor=emily, report=report, today=deadline + timedelta(days=3))  # 逾期报送, sent last
        self.login(self.alice)
        a, construction = self.enterprise_a.name, self.enterprise_a_construction.name

        def names(sort):
            response = self.client.get(f"/duties/compliance/?period={self.period.code}&sort={sort}")
            return [row["enterprise"].name for row in response.context["page"]]

        self.assertEqual(names(""), [a, construction, late.name])  # by place (village A1a, then A1b), then name
        self.assertEqual(names("nonsense"), names(""))
        self.assertEqual(names("name"), [a, construction, late.name])
        self.assertEqual(names("state"), [construction, late.name, a])  # 逾期未报, 逾期报送, 按期报送
        self.assertEqual(names("-submitted"), [late.name, a, construction])  # not sent: last either way
        self.assertEqual(names("submitted"), [a, late.name, construction])
        page = self.client.get(f"/duties/compliance/?period={self.period.code}&sort=state")
        self.assertContains(page, "<b>逾期未报优先</b>", html=False)
        self.assertContains(page, "&amp;sort=-submitted")
        rows = load_workbook(
            io.BytesIO(self.client.get(f"/duties/compliance/export/?period={self.period.code}&sort=state").content)
        ).active.iter_rows(min_row=2, values_only=True)
        self.assertEqual([row[0] for row in rows], [construction, late.name, a])  # the export in the page's order

    def test_export_to_excel(self):
        from openpyxl import load_workbook

        response = self.login(self.alice).get(f"/duties/compliance/export/?period={self.period.code}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(".xlsx", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            rows[0][:7], ("单位名称", "统一社会信用代码", "所在区划", "行业", "报告期", "报送期限", "报送情况")
        )
        by_name = {row[0]: row for row in rows[1:]}
        self.assertEqual(set(by_name), {self.enterprise_a.name, self.enterprise_a_construction.name})
        self.assertEqual(by_name[self.enterprise_a.name][6], "按期报送")
        self.assertEqual(by_name[self.enterprise_a.name][9], "王建国")
        self.assertEqual(
            self.login(self.emma).get(f"/duties/compliance/export/?period={self.period.code}").status_code, 403
        )

    def test_deadline_rules_are_set_on_the_platform_rules_page(self):
        self.login(self.alice)
        self.assertRedirects(self.client.get("/duties/rules/"), "/rules/", status_code=301)
        self.assertContains(self.client.get("/duties/compliance/"), 'href="/rules/"')
        response = self.client.get("/rules/")
        self.assertContains(response, "期满后次月 15 日前")
        response = self.client.post(
            "/rules/", {"key": "duty.quarterly.deadline", "kind": "monthday", "mode": "days", "days": "10"}, follow=True
        )
        self.assertContains(response, "规则已保存")
        self.assertEqual(Rule.objects.get(key="duty.quarterly.deadline").region_code, self.county_a.code)
        self.assertEqual(Rule.objects.get(key="duty.quarterly.deadline").value, {"days": 10})
        response = self.client.post(
            "/rules/",
            {"key": "duty.annual.deadline", "kind": "monthday", "mode": "month_day", "month": "2", "day": "28"},
            follow=True,
        )
        self.assertEqual(Rule.objects.get(key="duty.annual.deadline").value, {"month": 2, "day": 28})
        response = self.client.post("/rules/", {"key": "hazard.reminder_days", "value": "5"}, follow=True)
        self.assertEqual(Rule.objects.get(key="hazard.reminder_days", region_code=self.county_a.code).value, 5)
        response = self.client.post("/rules/", {"key": "duty.quarterly.deadline", "reset": "1"}, follow=True)
        self.assertFalse(Rule.objects.filter(key="duty.quarterly.deadline").exists())
        self.assertEqual(self.client.get(f"/rules/?region={self.county_b.code}").status_code, 403)
        self.assertEqual(self.login(self.dave).get("/rules/").status_code, 403)

    def test_supervisor_nav_and_redirect(self):
        response = self.login(self.alice).get("/duties/")
        self.assertRedirects(response, "/duties/compliance/")
        self.assertContains(self.client.get("/duties/compliance/"), "统计报送")

    def test_regulator_sees_only_supervised_industries(self):
        erin2 = make_user("erin3", "regulator", self.town_a1, unit=self.unit_emergency_a1)
        response = self.login(erin2).get(f"/duties/compliance/?period={self.period.code}")
        self.assertEqual(
            [row["enterprise"].name for row in response.context["page"]], [self.enterprise_a.name]
        )  # hazchem, not construction


class CompliancePageReadsClearlyTests(CastTestCase):
    """Issue 25: every unit showed 期限后登记 and the other counts were 0; the counts must add up, and an
    enterprise on the platform before the deadline that did not file is 逾期未报."""

    def test_counts_add_up_and_states_are_ones_an_official_understands(self):
        period = quarter_of(timezone.localdate()).previous()
        long_ago = timezone.now() - timedelta(days=400)
        Enterprise.objects.filter(pk=self.enterprise_a_construction.pk).update(created_at=long_ago)
        response = self.login(self.alice).get(f"/duties/compliance/?period={period.code}")
        summary = response.context["summary"]
        self.assertEqual(summary["total"], summary["on_time"] + summary["late"] + summary["overdue"] + summary["open"])
        self.assertEqual((summary["total"], summary["overdue"], summary["exempt"]), (1, 1, 1))
        self.assertContains(response, "应报单位 1 家 = 按期报送 0 + 逾期报送 0 + 逾期未报 1 + 待报送 0")
        self.assertContains(response, "另有 <a")
        self.assertContains(response, "在报送期限之后才入驻平台")
        self.assertNotContains(response, "期限后登记")
        states = {row["enterprise"].pk: row["state_label"] for row in response.context["page"]}
        self.assertEqual(states[self.enterprise_a_construction.pk], "逾期未报")
        self.assertEqual(states[self.enterprise_a.pk], "入驻平台前已到期（不计应报）")

    def test_the_enterprise_sees_an_unfiled_period_as_overdue_and_the_action_column_has_a_header(self):
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(created_at=timezone.now() - timedelta(days=800))
        response = self.login(self.emma).get("/duties/")
        self.assertContains(response, "<th>操作</th>")
        self.assertContains(response, "逾期未报")
        self.assertNotContains(response, "入驻平台前")
