"""The plan list and the task list as the other lists work: filters declared once (page, export, API), the plan
list sorted from its column headers, both exported to Excel as filtered, each jurisdiction's plans only."""

from zhiben.audit.models import AuditEvent
from zhiben.testing import CastTestCase, sheet_rows

from .helpers import small_plan


class PlanListTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.town_plan = small_plan(cls.alice, cls.town_a1, title="凤凰镇安全生产治本攻坚三年行动方案")
        cls.county_plan = small_plan(
            cls.alice, cls.county_a, title="沙坪坝区年度任务清单", start_year=2025, end_year=2025, publish=False
        )
        cls.other = small_plan(cls.charlie, cls.county_b, title="九龙坡区实施方案")

    def titles(self, response):
        return [p.title for p in response.context["page"]]

    def test_filters_narrow_the_page_the_export_and_the_api_alike(self):
        self.login(self.alice)
        for query, expected in (
            ({}, {"凤凰镇安全生产治本攻坚三年行动方案", "沙坪坝区年度任务清单"}),
            ({"region": self.town_a1.code}, {"凤凰镇安全生产治本攻坚三年行动方案"}),
            ({"status": "draft"}, {"沙坪坝区年度任务清单"}),
            ({"year": "2024"}, {"凤凰镇安全生产治本攻坚三年行动方案"}),
            ({"q": "年度"}, {"沙坪坝区年度任务清单"}),
        ):
            with self.subTest(query=query):
                self.assertEqual(set(self.titles(self.client.get("/plans/", query))), expected)
                exported = sheet_rows(self.client.get("/plans/export.xlsx", query))
                self.assertEqual(exported[0][:4], ("名称", "类型", "区划", "年度"))
                self.assertEqual({row[0] for row in exported[1:]}, expected)
                api = self.client.get("/api/v1/plans/", query).json()["items"]
                self.assertEqual({p["title"] for p in api}, expected)

    def test_a_value_the_filter_cannot_read_is_ignored_by_the_page_and_named_by_the_api(self):
        self.login(self.alice)
        self.assertEqual(len(self.titles(self.client.get("/plans/", {"region": "abc", "year": "去年"}))), 2)
        # four characters for which str.isdigit() holds and int() refuses were a 500
        self.assertEqual(len(self.titles(self.client.get("/plans/", {"year": "²⁰²⁴"}))), 2)
        self.assertEqual(self.client.get("/api/v1/plans/", {"year": "²⁰²⁴"}).status_code, 422)
        for name, value in (("region", "abc"), ("year", "去年"), ("kind", "x"), ("sort", "nope")):
            with self.subTest(name=name):
                answer = self.client.get("/api/v1/plans/", {name: value})
                self.assertEqual(answer.status_code, 422)
                self.assertEqual(answer.json()["errors"][0]["field"], name)

    def test_the_headers_sort_each_way(self):
        self.login(self.alice)
        page = self.client.get("/plans/", {"sort": "title"})
        self.assertEqual(self.titles(page), sorted(self.titles(page)))
        self.assertContains(page, 'href="?sort=-title"')  # the sorted column offers the other way
        reverse = self.client.get("/plans/", {"sort": "-year"})
        self.assertEqual(self.titles(reverse), ["沙坪坝区年度任务清单", "凤凰镇安全生产治本攻坚三年行动方案"])
        self.assertEqual(
            self.titles(self.client.get("/plans/", {"sort": "bogus"})), self.titles(self.client.get("/plans/"))
        )

    def test_drafts_and_the_status_filter_are_the_managers_only(self):
        self.login(self.erin)
        page = self.client.get("/plans/")
        self.assertEqual(self.titles(page), ["凤凰镇安全生产治本攻坚三年行动方案"])
        self.assertNotIn("status", page.context["form"].fields)
        self.assertEqual(self.titles(self.client.get("/plans/", {"status": "draft"})), [])

    def test_each_jurisdiction_sees_and_exports_its_own_plans(self):
        self.login(self.charlie)
        self.assertEqual(self.titles(self.client.get("/plans/")), ["九龙坡区实施方案"])
        self.assertEqual([r[0] for r in sheet_rows(self.client.get("/plans/export.xlsx"))[1:]], ["九龙坡区实施方案"])
        self.assertEqual(self.client.get(f"/plans/{self.town_plan.pk}/").status_code, 404)

    def test_the_export_is_audited_with_its_filters(self):
        self.login(self.alice)
        self.client.get("/plans/export.xlsx", {"region": self.town_a1.code})
        event = AuditEvent.objects.filter(action="plan.export").latest("id")
        self.assertEqual(event.data["filters"], {"region": self.town_a1.code})
        self.assertEqual(event.object_repr, "方案清单导出")


class TaskListExportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = small_plan(cls.alice, cls.town_a1)
        small_plan(cls.charlie, cls.county_b, title="九龙坡区实施方案")

    def test_the_export_holds_the_filtered_tasks_with_their_units_and_state(self):
        self.login(self.alice)
        rows = sheet_rows(self.client.get("/plans/tasks/export.xlsx"))
        self.assertEqual(rows[0][:5], ("方案", "区划", "行动", "序号", "任务"))
        tasks = {row[4]: row for row in rows[1:]}
        self.assertEqual(len(tasks), self.plan.tasks.count())  # the other county's tasks are not here
        checked = tasks["开展重大事故隐患大排查"]
        self.assertEqual(checked[1], "凤凰镇")
        self.assertEqual(checked[5], "2024年6月底前")
        self.assertIn("应急办", checked[6])
        self.assertIn("经发办", checked[7])  # cooperating
        self.assertRegex(checked[8], r"^\d+/\d+$")
        self.assertTrue(checked[10])  # the state, in Chinese
        narrowed = sheet_rows(self.client.get("/plans/tasks/export.xlsx", {"q": "督查"}))
        self.assertEqual([row[4] for row in narrowed[1:]], ["每季度开展一次专项督查"])
        page = self.client.get("/plans/tasks/", {"q": "督查"})
        self.assertContains(page, "/plans/tasks/export.xlsx?q=")
