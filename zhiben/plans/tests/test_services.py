"""Import (one transaction), milestones per recurrence, overdue on a moved clock, completion per
unit, indicators, links across levels, filing and the difference between versions."""

from datetime import date
from decimal import Decimal
from unittest import mock

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.plans import services
from zhiben.plans.choices import DisplayStatus, MilestoneStatus, PlanStatus, ReportStatus
from zhiben.plans.models import (
    Indicator,
    KeyTask,
    Milestone,
    Plan,
    PlanAction,
    PlanFiling,
    ProgressReport,
    Task,
    TaskUnit,
)
from zhiben.plans.schedule import milestones_for, periods, quarter_period
from zhiben.plans.selectors import (
    board,
    overdue_tasks,
    task_list,
    unit_completion,
    version_diff,
    with_state,
)
from zhiben.regions.models import Unit
from zhiben.testing import CastTestCase, make_user

from .helpers import import_seed, seed_parse, small_plan


class SeedImportTests(CastTestCase):
    def test_seed_000_imports_79_tasks_in_one_transaction(self):
        plan = import_seed(self.alice, self.town_a1)
        self.assertEqual(plan.tasks.count(), 79)
        self.assertEqual((plan.start_year, plan.end_year), (2024, 2026))
        self.assertEqual(plan.region, self.town_a1)
        self.assertEqual(plan.status, PlanStatus.PUBLISHED)
        self.assertEqual(PlanAction.objects.filter(plan=plan).count(), 8)
        self.assertEqual(KeyTask.objects.filter(plan=plan).count(), 21)
        first = plan.tasks.get(sort=1)
        self.assertEqual(first.action.title, "一、开展重大安全风险源头管控行动")
        self.assertEqual(first.key_task.title, "1.强化重大安全风险源头管控。")
        self.assertEqual((first.deadline_text, first.due_dates, first.recurrence), ("2024年", ["2024-12-31"], "once"))
        row19 = plan.tasks.get(sort=19)
        self.assertEqual(row19.due_dates, ["2025-12-31", "2026-12-31"])
        self.assertEqual([m.label for m in row19.milestones.all()], ["2025年", "2026年"])
        # 应急办 is the town's unit 凤凰镇应急办 (matched by its name without the town's name)
        linked = TaskUnit.objects.filter(task__plan=plan, name="应急办").values_list("unit", flat=True).distinct()
        self.assertEqual(set(linked), {self.unit_emergency_a1.pk})
        # names without a unit are kept as written: no unit is created without a confirmation
        self.assertFalse(Unit.objects.filter(name__contains="经发办").exists())
        self.assertTrue(TaskUnit.objects.filter(task__plan=plan, name="经发办", unit__isnull=True).exists())
        self.assertEqual(AuditEvent.objects.filter(action="plan.import", object_id=str(plan.pk)).count(), 1)
        self.assertGreater(Indicator.objects.filter(plan=plan).count(), 5)
        self.assertTrue(
            Indicator.objects.filter(
                plan=plan, name="重点行业领域专业救援队伍建成率", target_value=Decimal(80)
            ).exists()
        )

    def test_a_failure_midway_leaves_nothing(self):
        before = (Plan.objects.count(), Task.objects.count(), AuditEvent.objects.count())
        with (
            mock.patch.object(Milestone.objects, "bulk_create", side_effect=RuntimeError("disk full")),
            self.assertRaises(RuntimeError),
        ):
            import_seed(self.alice, self.town_a1, unit_choices={"经发办": "new"})
        self.assertEqual((Plan.objects.count(), Task.objects.count(), AuditEvent.objects.count()), before)
        self.assertEqual(PlanAction.objects.count() + TaskUnit.objects.count() + Milestone.objects.count(), 0)
        self.assertFalse(Unit.objects.filter(name="凤凰镇经发办").exists())

    def test_bad_rows_are_refused_by_row(self):
        tasks = seed_parse().as_dicts()[:3]
        tasks[1]["content"] = "  "
        tasks[2]["deadline"] = "2024-13-45"
        with self.assertRaises(ApplicationError) as caught:
            services.plan_import(actor=self.alice, tasks=tasks, year=2024, region=self.town_a1)
        rows = {(e["row"], e["field"]) for e in caught.exception.errors}
        self.assertEqual(rows, {(2, "content"), (3, "deadline")})
        self.assertIn("第2行", caught.exception.message)
        self.assertEqual(Plan.objects.count(), 0)

    def test_confirmed_new_units_are_created_in_the_plans_region(self):
        plan = import_seed(self.alice, self.town_a1, unit_choices={"经发办": "new", "镇安委会有关成员单位": "text"})
        unit = Unit.objects.get(name="凤凰镇经发办")
        self.assertEqual((unit.region, unit.short_name), (self.town_a1, "经发办"))
        self.assertEqual(
            set(TaskUnit.objects.filter(task__plan=plan, name="经发办").values_list("unit", flat=True)), {unit.pk}
        )
        self.assertTrue(AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk)).exists())

    def test_permission_and_scope(self):
        with self.assertRaises(ApplicationError) as caught:
            import_seed(self.erin, self.town_a1)
        self.assertEqual(caught.exception.code, "forbidden")
        with self.assertRaises(ApplicationError):
            import_seed(self.charlie, self.town_a1)
        self.assertEqual(Plan.objects.count(), 0)

    def test_import_plan_command_saves_through_the_service(self):
        import io

        from django.core.management import call_command

        from .helpers import SEED_000

        out = io.StringIO()
        call_command("import_plan", str(SEED_000), "--user", "alice", stdout=out)
        plan = Plan.objects.get()
        self.assertEqual((plan.tasks.count(), plan.region, plan.status), (79, self.county_a, PlanStatus.DRAFT))
        self.assertIn("已导入", out.getvalue())


class MilestoneTests(CastTestCase):
    def test_generation_per_recurrence(self):
        cases = {
            "once": ([date(2024, 6, 30)], ["2024年6月底"]),
            "yearly": ([], ["2024年", "2025年", "2026年"]),
            "semiannual": (
                [],
                ["2024年上半年", "2024年下半年", "2025年上半年", "2025年下半年", "2026年上半年", "2026年下半年"],
            ),
            "ongoing": ([], []),
        }
        for recurrence, (dates, labels) in cases.items():
            with self.subTest(recurrence):
                self.assertEqual([m.label for m in milestones_for(recurrence, dates, 2024, 2026)], labels)
        quarterly = milestones_for("quarterly", [], 2024, 2025)
        self.assertEqual(len(quarterly), 8)
        self.assertEqual((quarterly[0].label, quarterly[0].due_date), ("2024年第一季度", date(2024, 3, 31)))
        monthly = milestones_for("monthly", [], 2024, 2024)
        self.assertEqual([m.due_date for m in monthly][:2], [date(2024, 1, 31), date(2024, 2, 29)])
        self.assertEqual(
            [m.due_date for m in milestones_for("yearly", [date(2024, 6, 30)], 2024, 2025)],
            [date(2024, 6, 30), date(2025, 6, 30)],
        )
        self.assertEqual(milestones_for(None, [], 2024, 2026), [])
        self.assertEqual(
            [m.label for m in milestones_for("once", [date(2024, 2, 29), date(2024, 3, 15)], 2024, 2024)],
            ["2024年2月底", "2024年3月15日"],
        )

    def test_board_columns_and_summary_quarter(self):
        columns = periods(2024, 2025, "quarter")
        self.assertEqual(
            [(c.key, c.label) for c in columns[3:5]], [("2024Q4", "2024年4季度"), ("2025Q1", "2025年1季度")]
        )
        self.assertEqual([(c.key, c.label) for c in periods(2024, 2024, "month")][1], ("2024-02", "2024年2月"))
        self.assertEqual(
            [(c.key, c.label, c.end) for c in periods(2024, 2023, "year")], [("2024", "2024年", date(2024, 12, 31))]
        )
        self.assertEqual(len(periods(1985, 1986, "month")), 24)  # a plan's years need not be statistical years
        summary = quarter_period(2024, 1)
        self.assertEqual(
            (summary.label, summary.start, summary.end), ("2024年第一季度", date(2024, 1, 1), date(2024, 3, 31))
        )
        self.assertTrue(summary.contains(date(2024, 3, 31)) and not summary.contains(date(2024, 4, 1)))

    def test_plan_tasks_get_their_milestones(self):
        plan = small_plan(self.alice, self.town_a1)
        by_text = {t.content: [m.due_date for m in t.milestones.all()] for t in plan.tasks.all()}
        self.assertEqual(by_text["建立安全风险评估会商机制"], [date(2024, 12, 31)])
        self.assertEqual(by_text["开展重大事故隐患大排查"], [date(2024, 6, 30)])
        self.assertEqual(len(by_text["每季度开展一次专项督查"]), 12)
        self.assertEqual(by_text["定期晾晒考核"], [])

    def test_overdue_is_computed_by_the_clock(self):
        plan = small_plan(self.alice, self.town_a1)
        june = plan.tasks.get(content="开展重大事故隐患大排查").milestones.get()
        self.assertFalse(june.is_overdue(date(2024, 6, 30)))
        self.assertTrue(june.is_overdue(date(2024, 7, 1)))
        self.assertEqual(june.display_status(date(2024, 7, 11)), DisplayStatus.OVERDUE)
        self.assertEqual(june.days_overdue(date(2024, 7, 11)), 11)
        self.assertEqual(Milestone.objects.get(pk=june.pk).status, MilestoneStatus.NOT_STARTED)  # never stored
        self.assertEqual(list(overdue_tasks(date(2024, 3, 31))), [])
        self.assertEqual([m.label for m in overdue_tasks(date(2024, 4, 1))], ["2024年第一季度"])
        on_july = list(overdue_tasks(date(2024, 7, 1)))
        self.assertEqual([m.label for m in on_july], ["2024年第一季度", "2024年6月底", "2024年第二季度"])
        self.assertIn(june.pk, [m.pk for m in on_july])
        self.assertEqual(on_july[1].task.plan.region_id, self.town_a1.code)
        self.assertEqual(len(overdue_tasks(date(2025, 1, 1))), 1 + 1 + 4)  # June, year-end, four quarters
        states = dict(with_state(plan.tasks.all(), date(2024, 7, 1)).values_list("content", "state"))
        self.assertEqual(states["开展重大事故隐患大排查"], "overdue")
        self.assertEqual(states["建立安全风险评估会商机制"], "not_started")
        self.assertEqual(task_list(user=self.alice, filters={"overdue": "1"}, today=date(2024, 7, 1)).count(), 2)

    def test_drafts_and_replaced_versions_feed_no_escalation(self):
        draft = small_plan(self.alice, self.town_a1, publish=False)
        self.assertEqual(list(overdue_tasks(date(2030, 1, 1))), [])
        services.plan_publish(actor=self.alice, plan=draft)
        self.assertTrue(overdue_tasks(date(2030, 1, 1)).exists())
        self.assertFalse(overdue_tasks(date(2030, 1, 1), user=self.charlie).exists())
        newer = small_plan(
            self.alice,
            self.town_a1,
            previous=draft,
            tasks=[{"action": "一", "content": "新版任务", "deadline_text": "2025年", "responsible": ["应急办"]}],
        )
        self.assertEqual({m.task.plan_id for m in overdue_tasks(date(2030, 1, 1))}, {newer.pk})


class ProgressTests(CastTestCase):
    def setUp(self):
        self.plan = small_plan(self.alice, self.town_a1)
        self.task = self.plan.tasks.get(content="开展重大事故隐患大排查")

    def test_report_then_accept_completes_the_milestone(self):
        report = services.progress_report_submit(
            actor=self.erin, task=self.task, text="已完成全镇企业排查，建立台账", percentage=100
        )
        milestone = self.task.milestones.get()
        self.assertEqual(
            (report.unit, report.milestone, report.status), (self.unit_emergency_a1, milestone, ReportStatus.PENDING)
        )
        self.assertEqual(Milestone.objects.get(pk=milestone.pk).status, MilestoneStatus.IN_PROGRESS)
        services.progress_report_transition(actor=self.alice, report=report, action="accept", note="属实")
        milestone.refresh_from_db()
        self.assertEqual(milestone.status, MilestoneStatus.COMPLETED)
        self.assertFalse(milestone.is_overdue(date(2030, 1, 1)))

    def test_evidence_follows_the_plans_own_size_rule(self):
        from zhiben.core.models import Rule
        from zhiben.hazards.tests.helpers import photo
        from zhiben.notifications.models import Notification

        Rule.objects.create(key="hazard.attachment_max_mb", value=0.00001)  # the hazards' limit does not apply here
        report = services.progress_report_submit(
            actor=self.erin, task=self.task, text="已组织排查", percentage=50, files=[photo()]
        )
        self.assertEqual(report.attachments.get().content_type, "image/png")
        self.assertEqual(
            Notification.objects.filter(subject__startswith="待审核").values_list("url", flat=True).first(),
            f"/plans/tasks/{self.task.pk}/#report-{report.pk}",
        )
        Rule.objects.create(key="plan.attachment_max_mb", value=0.00001)
        with self.assertRaises(ApplicationError) as caught:
            services.progress_report_attach(actor=self.erin, report=report, files=[photo("第二张.png")])
        self.assertIn("过大", caught.exception.message)

    def test_partial_report_keeps_the_milestone_in_progress(self):
        report = services.progress_report_submit(
            actor=self.erin, task=self.task, text="排查过半，继续推进", percentage=60
        )
        services.progress_report_transition(actor=self.alice, report=report, action="accept")
        self.assertEqual(self.task.milestones.get().status, MilestoneStatus.IN_PROGRESS)

    def test_only_owning_units_report(self):
        other_unit = Unit.objects.create(name="凤凰镇经发办", region=self.town_a1)
        frank = make_user("frank", "regulator", self.town_a1, unit=other_unit)
        for user in (frank, self.gina, self.dave):
            with self.subTest(user=user.username), self.assertRaises(ApplicationError):
                services.progress_report_submit(actor=user, task=self.task, text="不是我的任务", percentage=10)
        with self.assertRaises(ScopeError):
            services.progress_report_submit(actor=self.charlie, task=self.task, text="越界报送", percentage=10)
        self.assertEqual(ProgressReport.objects.count(), 0)

    def test_report_input_is_checked(self):
        for text, percentage in (("", 10), ("有进展了", 101), ("有进展了", "abc")):
            with self.subTest(text=text, percentage=percentage), self.assertRaises(ApplicationError):
                services.progress_report_submit(actor=self.erin, task=self.task, text=text, percentage=percentage)

    def test_completion_per_unit(self):
        today = date(2024, 12, 31)
        report = services.progress_report_submit(
            actor=self.erin, task=self.task, text="排查完成，台账建立", percentage=100
        )
        services.progress_report_transition(actor=self.alice, report=report, action="accept")
        rows = {r["name"]: r for r in unit_completion(user=self.alice, plan=self.plan, today=today)}
        emergency = rows["凤凰镇应急办"]
        # due by 31 December: June (done), four quarters and the year end → 1 of 6; overdue: Q1–Q3
        self.assertEqual((emergency["tasks"], emergency["due"], emergency["done"], emergency["overdue"]), (3, 6, 1, 3))
        self.assertEqual(emergency["rate"], 16.7)
        self.assertEqual(rows["镇安委会办公室"]["due"], 0)
        self.assertIsNone(rows["镇安委会办公室"]["rate"])
        self.assertNotIn("经发办", rows)  # cooperating units are not counted

    def test_board_cells_follow_the_milestones(self):
        data = board(plan=self.plan, granularity="year", today=date(2024, 7, 1))
        rows = {r["task"].content: r for _, group in data["groups"] for r in group}
        self.assertEqual([c["state"] for c in rows["开展重大事故隐患大排查"]["cells"]], ["overdue", "", ""])
        self.assertEqual(
            [c["state"] for c in rows["每季度开展一次专项督查"]["cells"]], ["overdue", "not_started", "not_started"]
        )
        services.progress_report_submit(actor=self.erin, task=self.task, text="排查已完成", percentage=100)
        data = board(plan=self.plan, granularity="quarter", today=date(2024, 6, 1))
        rows = {r["task"].content: r for _, group in data["groups"] for r in group}
        self.assertEqual(len(data["columns"]), 12)
        self.assertEqual(rows["开展重大事故隐患大排查"]["cells"][1]["state"], "in_progress")
        self.assertEqual(rows["开展重大事故隐患大排查"]["cells"][1]["percent"], 100)


class IndicatorTests(CastTestCase):
    def test_indicator_values(self):
        plan = small_plan(self.alice, self.town_a1)
        task = plan.tasks.get(sort=1)
        indicator = services.indicator_save(
            actor=self.alice,
            plan=plan,
            data={
                "name": "应急救援站建成率",
                "target_value": "90",
                "measure": "%",
                "direction": "at_least",
                "period": "year",
                "task": task.pk,
            },
        )
        value = services.indicator_report(actor=self.erin, indicator=indicator, period="2024", value="85.5")
        self.assertEqual((value.value, value.unit), (Decimal("85.50"), self.unit_emergency_a1))
        self.assertFalse(indicator.met_by(value.value))
        again = services.indicator_report(actor=self.erin, indicator=indicator, period="2024", value="92")
        self.assertEqual((again.pk, indicator.values.count()), (value.pk, 1))
        self.assertTrue(indicator.met_by(again.value))
        # the same year written another way is the same period: stored as "2024", the value replaced
        written = services.indicator_report(actor=self.erin, indicator=indicator, period=" 2024年 ", value="93")
        self.assertEqual((written.pk, written.period, indicator.values.count()), (value.pk, "2024", 1))
        for period in ("2023", "2024Q1", "2024-05", "abc"):
            with self.subTest(period=period), self.assertRaises(ApplicationError):
                services.indicator_report(actor=self.erin, indicator=indicator, period=period, value="1")
        with self.assertRaises(ScopeError):
            services.indicator_report(actor=self.charlie, indicator=indicator, period="2024", value="1")


class LevelsTests(CastTestCase):
    def test_town_task_implements_district_task_and_district_sees_its_progress(self):
        district = small_plan(
            self.alice,
            self.county_a,
            title="沙坪坝区治本攻坚实施方案（2024—2026年）",
            tasks=[
                {
                    "action": "一、源头管控",
                    "content": "全面开展重大事故隐患大排查大整治",
                    "deadline_text": "2024年",
                    "responsible": ["区应急局"],
                }
            ],
        )
        district_task = district.tasks.get()
        town = small_plan(self.alice, self.town_a1, parent=district)
        town_task = town.tasks.get(content="开展重大事故隐患大排查")
        from zhiben.plans.selectors import linked_progress, parent_task_candidates, suggest_parent_tasks

        self.assertEqual(list(parent_task_candidates(town)), [district_task])
        self.assertEqual(suggest_parent_tasks(town, [town_task])[town_task.pk][0], district_task)
        services.plan_link_tasks(actor=self.alice, plan=town, links={town_task.pk: district_task.pk})
        town_task.refresh_from_db()
        self.assertEqual(town_task.parent_task, district_task)
        services.progress_report_submit(actor=self.erin, task=town_task, text="镇级排查完成", percentage=100)
        rows = linked_progress(user=self.alice, task=district_task, today=date(2024, 6, 1))
        self.assertEqual(
            [(r["task"], r["state"], r["latest"].percentage) for r in rows], [(town_task, "in_progress", 100)]
        )
        self.assertEqual(linked_progress(user=self.charlie, task=district_task), [])
        # a task cannot implement a task of a plan that is not above it
        other = small_plan(
            self.charlie, self.county_b, tasks=[{"action": "一", "content": "九龙坡任务", "deadline_text": "2024年"}]
        )
        with self.assertRaises(ApplicationError):
            services.plan_link_tasks(actor=self.alice, plan=town, links={town_task.pk: other.tasks.get().pk})
        # the page posts text: "²" (str.isdigit() holds, int() refuses) and "abc" were a 500, not a refusal
        for value in ("²", "abc", "9" * 25):
            with self.assertRaises(ApplicationError):
                services.plan_link_tasks(actor=self.alice, plan=town, links={town_task.pk: value})
        client = self.login(self.alice)
        client.post(f"/plans/{town.pk}/links/", {f"task_{town_task.pk}": "²"})
        town_task.refresh_from_db()
        self.assertEqual(town_task.parent_task, district_task)
        response = client.post(f"/plans/{town.pk}/edit/", {"title": town.title, "start_year": "abc", "end_year": "²"})
        self.assertContains(response, "方案年度范围无效")

    def test_parent_must_be_above(self):
        sibling = small_plan(self.alice, self.town_a2)
        with self.assertRaises(ApplicationError):
            small_plan(self.alice, self.town_a1, parent=sibling)


class FilingTests(CastTestCase):
    DUTIES_V1 = [
        {"action": "镇党委书记", "content": "全面领导本镇安全生产工作", "responsible": ["镇党委书记"]},
        {"action": "镇长", "content": "统筹推进安全生产工作，每季度研究安全生产工作", "responsible": ["镇长"]},
        {
            "action": "分管副镇长",
            "content": "组织开展隐患排查治理",
            "deadline_text": "每月",
            "responsible": ["分管副镇长"],
        },
    ]

    def test_filing_and_version_diff(self):
        v1 = small_plan(
            self.alice, self.town_a1, tasks=self.DUTIES_V1, kind="duty_list", title="凤凰镇党政领导干部安全生产职责清单"
        )
        self.assertEqual(v1.tasks.filter(milestones__isnull=False).distinct().count(), 1)
        filing = services.plan_file(actor=self.alice, plan=v1, note="按程序备案")
        self.assertEqual(
            (filing.to_region, filing.to_unit, filing.version, filing.filed_by),
            (self.county_a, self.unit_office_a, 1, self.alice),
        )
        with self.assertRaises(ApplicationError):
            services.plan_file(actor=self.alice, plan=v1)
        v2_tasks = [dict(t) for t in self.DUTIES_V1[:2]] + [
            {
                "action": "分管副镇长",
                "content": "组织开展重大事故隐患排查治理和督办",
                "deadline_text": "每月",
                "responsible": ["分管副镇长"],
            },
            {"action": "武装部长", "content": "负责民兵应急队伍建设", "responsible": ["武装部长"]},
        ]
        v2_tasks[1]["deadline_text"] = "每季度"
        v2 = small_plan(self.alice, self.town_a1, tasks=v2_tasks, kind="duty_list", previous=v1, title=v1.title)
        self.assertEqual((v2.version, v2.series, v2.previous), (2, v1.series, v1))
        diff = version_diff(v1, v2)
        self.assertEqual([t.content for t in diff["added"]], ["负责民兵应急队伍建设"])
        self.assertEqual(diff["removed"], [])
        self.assertEqual(
            {c["new"].content: c["fields"] for c in diff["changed"]},
            {
                "统筹推进安全生产工作，每季度研究安全生产工作": ["完成时间"],
                "组织开展重大事故隐患排查治理和督办": ["任务内容"],
            },
        )
        self.assertEqual(diff["unchanged"], 1)
        services.plan_file(actor=self.alice, plan=v2)

        from zhiben.plans.selectors import filings_overview

        overview = filings_overview(user=self.alice)
        [row] = overview["series"]
        self.assertEqual(
            (row["region"], row["plan"], [f.version for f in row["filings"]], row["diff_from"]),
            (self.town_a1, v2, [1, 2], v1),
        )
        self.assertEqual(
            {r.name: kinds for r, kinds in overview["missing"]},
            {"凤凰镇": ["年度任务清单"], "青木关镇": ["职责清单", "年度任务清单"]},
        )
        self.assertEqual(filings_overview(user=self.charlie)["series"], [])
        self.assertEqual(PlanFiling.objects.count(), 2)

    def test_new_version_must_match_kind_and_region(self):
        v1 = small_plan(self.alice, self.town_a1, tasks=self.DUTIES_V1, kind="duty_list")
        with self.assertRaises(ApplicationError):
            small_plan(self.alice, self.town_a1, tasks=self.DUTIES_V1, kind="annual_list", previous=v1)
        with self.assertRaises(ApplicationError):
            small_plan(self.alice, self.town_a2, tasks=self.DUTIES_V1, kind="duty_list", previous=v1)

    def test_unpublished_or_top_level_plans_are_not_filed(self):
        draft = small_plan(self.alice, self.town_a1, publish=False)
        with self.assertRaises(ApplicationError):
            services.plan_file(actor=self.alice, plan=draft)
        with self.assertRaises(ScopeError):
            services.plan_file(actor=self.charlie, plan=draft)
