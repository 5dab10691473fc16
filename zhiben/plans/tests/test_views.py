"""Pages and API: scope (404 for charlie everywhere), import with preview, the 一张表 and its
Excel export, the quarterly DOCX summary, progress reports by form, filters in the API."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.tests.helpers import photo
from zhiben.plans import services
from zhiben.plans.models import Indicator, Plan, PlanDraft, ProgressReport
from zhiben.testing import CastTestCase

from .helpers import SEED_000, import_seed, small_plan


class ScopeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = small_plan(cls.alice, cls.town_a1)
        cls.task = cls.plan.tasks.get(content="开展重大事故隐患大排查")
        cls.report = services.progress_report_submit(
            actor=cls.erin, task=cls.task, text="已组织排查", percentage=50, files=[photo("现场.png")]
        )
        cls.indicator = services.indicator_save(
            actor=cls.alice, plan=cls.plan, data={"name": "演练覆盖率", "target_value": 100}
        )
        cls.draft_plan = small_plan(cls.alice, cls.county_a, publish=False)
        from zhiben.plans import drafts

        cls.draft = drafts.draft_create(
            actor=cls.alice, upload=SimpleUploadedFile(SEED_000.name, SEED_000.read_bytes()), region=cls.town_a1.code
        )

    def test_it_hides_other_jurisdictions(self):
        self.login(self.charlie)
        p, t, r, a = self.plan.pk, self.task.pk, self.report.pk, self.report.attachments.get().pk
        gets = [
            f"/plans/{p}/",
            f"/plans/{p}/board/",
            f"/plans/{p}/board.xlsx",
            f"/plans/{p}/summary.docx",
            f"/plans/{p}/edit/",
            f"/plans/{p}/links/",
            f"/plans/{p}/units/",
            f"/plans/{p}/diff/{p}/",
            f"/plans/tasks/{t}/",
            f"/plans/reports/{r}/files/{a}/",
            f"/plans/reports/{r}/files/{a}/thumb/",
            f"/plans/drafts/{self.draft.pk}/",
            f"/plans/{self.draft_plan.pk}/",
            f"/api/v1/plans/{p}",
            f"/api/v1/plans/{p}/tasks",
            f"/api/v1/plans/tasks/{t}",
        ]
        for url in gets:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        posts = [
            f"/plans/{p}/publish/",
            f"/plans/{p}/delete/",
            f"/plans/{p}/file/",
            f"/plans/{p}/edit/",
            f"/plans/{p}/links/",
            f"/plans/{p}/units/",
            f"/plans/{p}/indicators/",
            f"/plans/tasks/{t}/edit/",
            f"/plans/tasks/{t}/report/",
            f"/plans/reports/{r}/do/accept/",
            f"/plans/reports/{r}/attach/",
            f"/plans/indicators/{self.indicator.pk}/report/",
            f"/plans/drafts/{self.draft.pk}/",
            f"/plans/drafts/{self.draft.pk}/confirm/",
            f"/plans/drafts/{self.draft.pk}/discard/",
        ]
        for url in posts:
            self.assertEqual(
                self.client.post(
                    url, {"note": "x", "op": "delete", "row": 1, "text": "越界报送", "percentage": 10}
                ).status_code,
                404,
                url,
            )
        api_posts = [
            (f"/api/v1/plans/tasks/{t}/reports", {"text": "越界报送", "percentage": 10}),
            (f"/api/v1/plans/reports/{r}/transitions", {"action": "accept"}),
        ]
        for url, body in api_posts:
            self.assertEqual(self.client.post(url, body, content_type="application/json").status_code, 404, url)
        self.assertNotContains(self.client.get("/plans/"), self.plan.title)
        self.assertNotContains(self.client.get("/plans/tasks/"), self.task.content)
        self.assertNotContains(self.client.get("/plans/reports/?status=all"), "已组织排查")
        for url in ("/api/v1/plans/", "/api/v1/plans/tasks", "/api/v1/plans/overdue"):
            self.assertEqual(self.client.get(url).json()["count"], 0, url)
        self.assertEqual(ProgressReport.objects.get(pk=r).status, "pending")
        self.assertTrue(PlanDraft.objects.filter(pk=self.draft.pk).exists())
        self.assertEqual(len(self.draft.rows), 79)

    def test_leader_reads_published_plans_only(self):
        self.login(self.dave)
        self.assertEqual(self.client.get(f"/plans/{self.plan.pk}/").status_code, 200)
        self.assertEqual(self.client.get(f"/plans/{self.draft_plan.pk}/").status_code, 404)
        self.assertNotContains(self.client.get(f"/plans/{self.plan.pk}/"), 'data-action="publish"')
        self.assertEqual(self.client.get("/plans/import/").status_code, 403)
        self.assertEqual(self.client.post(f"/plans/reports/{self.report.pk}/do/accept/").status_code, 302)
        self.assertEqual(ProgressReport.objects.get(pk=self.report.pk).status, "pending")

    def test_enterprise_users_see_no_plans(self):
        self.login(self.emma)
        self.assertEqual(self.client.get("/plans/").status_code, 403)
        self.assertEqual(self.client.get(f"/api/v1/plans/{self.plan.pk}").status_code, 403)

    def test_nav_and_pages_for_the_committee(self):
        self.login(self.alice)
        home = self.client.get("/")
        self.assertContains(home, 'href="/plans/"')
        for url in (
            "/plans/",
            "/plans/import/",
            f"/plans/{self.plan.pk}/",
            f"/plans/{self.plan.pk}/board/?period=quarter",
            f"/plans/{self.plan.pk}/edit/",
            f"/plans/{self.plan.pk}/links/",
            f"/plans/{self.plan.pk}/units/",
            f"/plans/tasks/{self.task.pk}/",
            "/plans/tasks/?overdue=1",
            "/plans/reports/",
            "/plans/filings/",
            f"/plans/drafts/{self.draft.pk}/",
            f"/plans/{self.draft_plan.pk}/",
        ):
            self.assertEqual(self.client.get(url).status_code, 200, url)
        thumb = self.client.get(f"/plans/reports/{self.report.pk}/files/{self.report.attachments.get().pk}/thumb/")
        self.assertEqual((thumb.status_code, thumb["Content-Type"]), (200, "image/jpeg"))


class ImportPageTests(CastTestCase):
    def test_upload_preview_correct_and_confirm(self):
        self.login(self.alice)
        response = self.client.post(
            "/plans/import/",
            {
                "file": SimpleUploadedFile(SEED_000.name, SEED_000.read_bytes()),
                "kind": "action_plan",
                "region": self.town_a1.code,
            },
        )
        draft = PlanDraft.objects.get()
        self.assertRedirects(response, f"/plans/drafts/{draft.pk}/")
        preview = self.client.get(f"/plans/drafts/{draft.pk}/")
        self.assertContains(preview, "确认导入（79 条任务）")
        self.assertContains(preview, "建立完善各类发展规划的安全风险评估会商机制")
        self.assertContains(preview, "凤凰镇应急办")
        self.assertEqual(Plan.objects.count(), 0)
        row = draft.rows[0]
        self.client.post(
            f"/plans/drafts/{draft.pk}/",
            {
                "op": "edit",
                "row": row["id"],
                "content": "建立安全风险评估会商机制（已改）",
                "deadline_text": "2024年6月底前",
                "responsible": "经发办",
                "cooperating": "",
                "action": row["action"],
                "key_task": row["key_task"],
            },
        )
        self.assertContains(self.client.get(f"/plans/drafts/{draft.pk}/"), "建立安全风险评估会商机制（已改）")
        response = self.client.post(f"/plans/drafts/{draft.pk}/confirm/", {"publish": "1"})
        plan = Plan.objects.get()
        self.assertRedirects(response, f"/plans/{plan.pk}/")
        first = plan.tasks.get(sort=1)
        self.assertEqual((first.content, first.due_dates), ("建立安全风险评估会商机制（已改）", ["2024-06-30"]))
        self.assertEqual(plan.tasks.count(), 79)
        self.assertTrue(plan.is_published)

    def test_a_file_without_a_task_table_says_so(self):
        self.login(self.alice)
        response = self.client.post(
            "/plans/import/",
            {
                "file": SimpleUploadedFile("通知.txt", "请各单位按时参加会议。".encode()),
                "kind": "action_plan",
                "region": self.county_a.code,
            },
        )
        self.assertContains(response, "未在“通知.txt”中找到任务清单")
        self.assertFalse(PlanDraft.objects.exists())


class BoardAndExportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = import_seed(cls.alice, cls.town_a1)

    def test_the_plan_page_counts_tasks_as_the_board_does(self):
        """The seed's standing tasks (长期坚持) are one count on both pages, never folded into 推进中/未开始."""
        from zhiben.plans.models import ProgressReport

        standing = self.plan.tasks.filter(recurrence="ongoing", milestones__isnull=True)
        ProgressReport.objects.create(task=standing.first(), unit=self.unit_emergency_a1, text="本季度开展晾晒")
        self.login(self.alice)
        page = self.client.get(f"/plans/{self.plan.pk}/")
        board = self.client.get(f"/plans/{self.plan.pk}/board/")
        on_page = {key: n for _, key, n in page.context["states"]}
        on_board = {key: n for key, _, n in board.context["board"]["legend"]}
        self.assertEqual(on_page, on_board)
        self.assertEqual(on_page["ongoing"], standing.count())
        self.assertGreater(on_page["ongoing"], 0)
        self.assertContains(page, "长期坚持")

    def test_board_page(self):
        self.login(self.dave)
        response = self.client.get(f"/plans/{self.plan.pk}/board/")
        self.assertContains(response, "一、开展重大安全风险源头管控行动")
        self.assertContains(response, "2024年</th>")
        self.assertContains(response, 'class="cell st-overdue"')  # 2024 deadlines are long past
        self.assertContains(response, "window.print()")
        task = self.plan.tasks.get(sort=2)
        emergency = self.unit_emergency_a1.pk
        filtered = self.client.get(f"/plans/{self.plan.pk}/board/?unit={emergency}&period=quarter")
        self.assertContains(filtered, task.content)
        self.assertNotContains(filtered, self.plan.tasks.get(sort=1).content)  # 经发办 alone
        self.assertContains(filtered, "2026年4季度")
        action = self.plan.actions.get(sort=8)
        by_action = self.client.get(f"/plans/{self.plan.pk}/board/?action={action.pk}")
        self.assertContains(by_action, action.title)
        self.assertNotContains(by_action, '<th colspan="8">一、开展重大安全风险源头管控行动')
        self.assertContains(by_action, f'<th colspan="8">{action.title}')

    def test_excel_export_in_the_plans_layout(self):
        self.login(self.alice)
        response = self.client.get(f"/plans/{self.plan.pk}/board.xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            rows[1][:11],
            (
                "行动名称",
                "重点任务",
                "具体任务",
                "完成时间",
                "责任单位",
                "配合单位",
                "当前状态",
                "完成进度（%）",
                "下一节点",
                "逾期节点",
                "最近进展",
            ),
        )
        self.assertEqual(rows[1][11:], ("2024年", "2025年", "2026年"))
        self.assertEqual(len(rows), 2 + 79)
        self.assertEqual(
            rows[2][:6],
            (
                "一、开展重大安全风险源头管控行动",
                "1.强化重大安全风险源头管控。",
                "建立完善各类发展规划的安全风险评估会商机制，配合落实青凤科创园等重点区域安全生产禁止和限制类产业目录，严格安全准入。",
                "2024年",
                "经发办",
                None,
            ),
        )
        self.assertEqual(rows[3][4], "经发办、凤凰镇应急办")
        self.assertEqual(rows[2][11], "逾期")
        merged = {str(r) for r in sheet.merged_cells.ranges}
        self.assertIn("A3:A6", merged)  # 行动一 spans its four rows, as in the plan
        self.assertEqual(rows[20][3], "2025年 2026年")

    def test_quarterly_summary_docx(self):
        from docx import Document
        from docx.oxml.ns import qn

        task = self.plan.tasks.get(sort=2)
        report = services.progress_report_submit(
            actor=self.erin, task=task, text="已配合完成危化品禁限控目录落实", percentage=100
        )
        services.progress_report_transition(actor=self.alice, report=report, action="accept")
        today = date.today()
        quarter = (today.month - 1) // 3 + 1
        self.login(self.alice)
        response = self.client.get(f"/plans/{self.plan.pk}/summary.docx?year={today.year}&quarter={quarter}")
        if not self.plan.start_year <= today.year <= self.plan.end_year + 1:
            self.assertEqual(response.status_code, 404)
            return
        self.assertEqual(response.status_code, 200)
        doc = Document(io.BytesIO(response.content))
        texts = [p.text for p in doc.paragraphs]
        headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
        self.assertEqual(headings[:2], ["一、总体情况", "二、各行动推进情况"])
        self.assertIn("三、各单位完成情况", headings)
        self.assertIn("四、逾期任务", headings)
        self.assertIn("（一）一、开展重大安全风险源头管控行动", headings)
        self.assertTrue(any("工作进展情况" in t for t in texts))
        self.assertTrue(any("已配合完成危化品禁限控目录落实" in t for t in texts))
        table = doc.tables[0]
        self.assertEqual(
            [c.text for c in table.rows[0].cells], ["责任单位", "牵头/负责任务", "到期节点", "已完成", "完成率", "逾期"]
        )
        section = doc.sections[0]
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
        fonts = doc.styles["Normal"].element.rPr.rFonts
        self.assertEqual(fonts.get(qn("w:eastAsia")), "仿宋_GB2312")

    def test_summary_for_a_past_quarter(self):
        from docx import Document

        self.login(self.alice)
        response = self.client.get(f"/plans/{self.plan.pk}/summary.docx?year=2024&quarter=2")
        doc = Document(io.BytesIO(response.content))
        texts = "\n".join(p.text for p in doc.paragraphs)
        self.assertIn("2024年第二季度工作进展情况", texts)
        self.assertIn("本季度共有1个任务节点到期", texts)  # 2024年6月底前
        self.assertIn("生产经营单位要在开展重大事故隐患判定标准培训的同时", texts)


class ProgressPageTests(CastTestCase):
    def test_report_with_evidence_then_review(self):
        plan = small_plan(self.alice, self.town_a1)
        task = plan.tasks.get(content="开展重大事故隐患大排查")
        self.login(self.erin)
        page = self.client.get(f"/plans/tasks/{task.pk}/")
        self.assertContains(page, 'data-action="report"')
        response = self.client.post(
            f"/plans/tasks/{task.pk}/report/",
            {"percentage": 100, "text": "全镇企业排查完毕，台账已建立", "files": [photo("台账.png")]},
        )
        self.assertRedirects(response, f"/plans/tasks/{task.pk}/")
        report = ProgressReport.objects.get()
        self.assertEqual((report.unit, report.attachments.count()), (self.unit_emergency_a1, 1))
        fake = SimpleUploadedFile("伪装.png", b"not an image at all", content_type="image/png")
        self.client.post(f"/plans/tasks/{task.pk}/report/", {"percentage": 10, "text": "再报一次进展", "files": [fake]})
        self.assertEqual(ProgressReport.objects.count(), 1)  # the file was refused, so was the report
        self.login(self.alice)
        queue = self.client.get("/plans/reports/")
        self.assertContains(queue, "全镇企业排查完毕")
        self.client.post(f"/plans/reports/{report.pk}/do/accept/", {"note": "同意"})
        report.refresh_from_db()
        self.assertEqual(report.status, "accepted")
        self.assertEqual(task.milestones.get().status, "completed")

    def test_indicator_value_by_form(self):
        plan = small_plan(self.alice, self.town_a1)
        self.login(self.alice)
        self.client.post(
            f"/plans/{plan.pk}/indicators/",
            {
                "name": "应急救援站建成率",
                "target_value": "90",
                "measure": "%",
                "direction": "at_least",
                "period": "year",
            },
        )
        indicator = Indicator.objects.get(name="应急救援站建成率")
        self.login(self.erin)
        self.client.post(f"/plans/indicators/{indicator.pk}/report/", {"period": "2025", "value": "92"})
        self.assertEqual(str(indicator.values.get().value), "92.00")


class ApiTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = small_plan(cls.alice, cls.town_a1)
        cls.other = small_plan(cls.charlie, cls.county_b, title="九龙坡区方案")

    def test_lists_and_filters(self):
        self.login(self.alice)
        plans = self.client.get("/api/v1/plans/").json()
        self.assertEqual([p["id"] for p in plans["items"]], [self.plan.pk])
        detail = self.client.get(f"/api/v1/plans/{self.plan.pk}").json()
        self.assertEqual((detail["task_count"], detail["actions"]), (4, ["一、风险管控行动", "二、隐患清零行动"]))
        self.assertIn("凤凰镇应急办", [c["name"] for c in detail["completion"]])
        tasks = self.client.get(f"/api/v1/plans/{self.plan.pk}/tasks").json()["items"]
        self.assertEqual([t["sort"] for t in tasks], [1, 2, 3, 4])
        self.assertEqual(tasks[1]["deadline"], ["2024-06-30"])
        self.assertEqual(
            {(u["name"], u["role"]) for u in tasks[1]["units"]}, {("应急办", "responsible"), ("经发办", "cooperating")}
        )
        overdue = self.client.get("/api/v1/plans/tasks?overdue=1").json()["items"]
        self.assertEqual(
            {t["content"] for t in overdue},
            {"建立安全风险评估会商机制", "开展重大事故隐患大排查", "每季度开展一次专项督查"},
        )
        # a standing task (长期坚持, no milestones) is counted as such, as on the board — not as not started
        ongoing = self.client.get("/api/v1/plans/tasks?status=ongoing").json()["items"]
        self.assertEqual([(t["content"], t["state"]) for t in ongoing], [("定期晾晒考核", "ongoing")])
        self.assertEqual(self.client.get("/api/v1/plans/tasks?status=not_started").json()["items"], [])
        by_unit = self.client.get(f"/api/v1/plans/tasks?unit={self.unit_emergency_a1.pk}").json()["count"]
        self.assertEqual(by_unit, 3)
        self.assertEqual(self.client.get(f"/api/v1/plans/{self.other.pk}").status_code, 404)
        task = self.client.get(f"/api/v1/plans/tasks/{tasks[2]['id']}").json()
        self.assertEqual(len(task["milestones"]), 12)
        self.assertGreater(self.client.get("/api/v1/plans/overdue").json()["count"], 0)

    def test_report_and_review_through_the_api(self):
        task = self.plan.tasks.get(sort=2)
        self.login(self.erin)
        created = self.client.post(
            f"/api/v1/plans/tasks/{task.pk}/reports",
            {"text": "排查完成", "percentage": 100},
            content_type="application/json",
        )
        self.assertEqual(created.status_code, 201)
        refused = self.client.post(
            f"/api/v1/plans/reports/{created.json()['id']}/transitions",
            {"action": "accept"},
            content_type="application/json",
        )
        self.assertEqual(refused.status_code, 403)
        self.login(self.alice)
        accepted = self.client.post(
            f"/api/v1/plans/reports/{created.json()['id']}/transitions",
            {"action": "accept"},
            content_type="application/json",
        )
        self.assertEqual(accepted.json()["status"], "accepted")
        self.assertEqual(
            self.client.get(f"/api/v1/plans/tasks?plan={self.plan.pk}&status=completed").json()["count"], 1
        )


class QueryCountTests(CastTestCase):
    """The list endpoints and the 一张表 cost the same number of queries for 4 tasks or 83."""

    def counts(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.login(self.alice)
        plan = Plan.objects.order_by("id").first()
        out = {}
        for url in (
            "/api/v1/plans/tasks",
            "/plans/tasks/",
            f"/plans/{plan.pk}/board/?period=quarter",
            "/plans/",
            "/api/v1/plans/",
        ):
            self.client.get(url)  # once to settle the session's own bookkeeping
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(url).status_code, 200, url)
            out[url] = len(ctx.captured_queries)
        return out

    def test_query_counts_do_not_grow_with_tasks(self):
        small_plan(self.alice, self.town_a1)
        small = self.counts()
        plan = Plan.objects.get()
        services.progress_report_submit(actor=self.erin, task=plan.tasks.get(sort=2), text="排查完成", percentage=100)
        import_seed(self.alice, self.town_a1)
        self.assertEqual(self.counts(), small)


class IndicatorFigureTests(CastTestCase):
    """An indicator chosen on the plan page can take its value live from a registered figure."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = small_plan(cls.alice, cls.town_a1)

    def add(self, **extra):
        data = {"name": "主要负责人培训覆盖率", "target_value": "100", "measure": "%", "direction": "at_least"}
        return self.client.post(f"/plans/{self.plan.pk}/indicators/", {**data, "period": "year", **extra})

    def test_the_figure_is_offered_and_saved(self):
        from zhiben.core.registry import ordered

        figure = ordered("figures")[0]
        self.login(self.alice)
        page = self.client.get(f"/plans/{self.plan.pk}/")
        self.assertContains(page, 'name="figure_key"')
        self.assertContains(page, f'<option value="{figure.key}">{figure.label}</option>', html=True)
        self.add(figure_key=figure.key)
        self.assertEqual(Indicator.objects.get(plan=self.plan).figure_key, figure.key)

    def test_an_unknown_figure_is_refused_and_nothing_saved(self):
        with self.assertRaises(ApplicationError) as caught:
            services.indicator_save(
                actor=self.alice, plan=self.plan, data={"name": "x", "target_value": 1, "figure_key": "no.such"}
            )
        self.assertIn("实时取数口径不存在", caught.exception.message)
        self.assertFalse(Indicator.objects.filter(plan=self.plan).exists())
