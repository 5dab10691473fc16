"""The progress report list's export: the reports the list shows (its status, a manager's default of those awaiting
review, a reporting unit's own, the newest first), each jurisdiction's only, refused without plans, audited."""

from django.urls import reverse

from zhiben.audit.models import AuditEvent
from zhiben.plans import services
from zhiben.plans.models import ProgressReport
from zhiben.testing import CastTestCase, sheet_rows

from .helpers import small_plan

HEADERS = ("方案", "任务序号", "任务", "节点", "报送单位", "完成进度（%）", "工作进展", "报送人", "报送时间", "状态")


class ReportExportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        plan = small_plan(cls.alice, cls.town_a1)
        checked = plan.tasks.get(content="开展重大事故隐患大排查")
        cls.pending = services.progress_report_submit(
            actor=cls.erin,
            task=plan.tasks.get(content="每季度开展一次专项督查"),
            text="已完成一季度督查",
            percentage=25,
        )
        cls.accepted = services.progress_report_submit(
            actor=cls.erin, task=checked, text="已完成全镇企业排查，建立台账", percentage=100
        )
        services.progress_report_transition(actor=cls.alice, report=cls.accepted, action="accept", note="属实")
        other = small_plan(cls.charlie, cls.county_b, title="九龙坡区实施方案")
        cls.theirs = ProgressReport.objects.create(
            task=other.tasks.first(), unit=cls.unit_office_b, text="九龙坡区进展", percentage=40
        )

    def texts(self, page):
        return [r.text for r in page.context["page"]]

    def export(self, query=None):
        return sheet_rows(self.client.get(reverse("plans:reports_export"), query or {}))

    def test_the_export_holds_the_rows_the_list_shows_in_its_order(self):
        self.login(self.alice)
        for query, expected in (
            ({}, ["已完成一季度督查"]),  # a manager's list: awaiting review
            ({"status": "all"}, ["已完成全镇企业排查，建立台账", "已完成一季度督查"]),
            ({"status": "accepted"}, ["已完成全镇企业排查，建立台账"]),
        ):
            with self.subTest(query=query):
                page = self.client.get(reverse("plans:reports"), {**query, "page": "1"})
                self.assertEqual(self.texts(page), expected)
                rows = self.export(query)
                self.assertEqual(rows[0][: len(HEADERS)], HEADERS)
                self.assertEqual([r[6] for r in rows[1:]], expected)
        row = self.export({"status": "accepted"})[1]
        self.assertEqual(
            row[:7], ("测试方案（2024—2026年）", 2, "开展重大事故隐患大排查", row[3], "凤凰镇应急办", 100, row[6])
        )
        self.assertEqual(
            (row[7], row[9], row[10], row[12]), (self.erin.display_name, "已采纳", self.alice.display_name, "属实")
        )
        self.assertRegex(row[8], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
        self.assertRegex(row[11], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

    def test_the_export_link_carries_the_page_query(self):
        page = self.login(self.alice).get(reverse("plans:reports"), {"status": "all", "page": "1"})
        self.assertContains(page, f"{reverse('plans:reports_export')}?status=all")

    def test_a_reporting_unit_exports_its_own_reports(self):
        self.login(self.erin)
        page = self.client.get(reverse("plans:reports"))
        self.assertEqual(self.texts(page), ["已完成全镇企业排查，建立台账", "已完成一季度督查"])
        self.assertEqual([r[6] for r in self.export()[1:]], self.texts(page))

    def test_each_jurisdiction_sees_and_exports_its_own(self):
        for user, own in (
            (self.alice, {"已完成全镇企业排查，建立台账", "已完成一季度督查"}),
            (self.charlie, {"九龙坡区进展"}),
        ):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(set(self.texts(self.client.get(reverse("plans:reports"), {"status": "all"}))), own)
                self.assertEqual({r[6] for r in self.export({"status": "all"})[1:]}, own)

    def test_a_role_without_plans_is_refused(self):
        for user in (self.emma, self.sam):
            with self.subTest(user=user.username):
                self.assertEqual(self.login(user).get(reverse("plans:reports_export")).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(object_type="plans.progressreport", action="plan.export").exists())

    def test_the_export_is_audited_with_its_filters(self):
        self.login(self.alice).get(reverse("plans:reports_export"), {"status": "all"})
        event = AuditEvent.objects.filter(action="plan.export").get()
        self.assertEqual(event.data["filters"], {"status": "all"})
        self.assertEqual((event.object_type, event.object_repr), ("plans.progressreport", "工作进展报告导出"))
