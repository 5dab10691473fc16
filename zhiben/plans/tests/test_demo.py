"""The demo plan shows a plan in progress (issue 25: its board showed 推进中 0 / 已完成 0 / 逾期 50 and an
empty 配合单位 column): reports and reviews, milestones done (some late), tasks behind, this period's work
under way, the cooperating units named."""

from datetime import date, datetime, time

from django.test import TestCase
from django.utils import timezone

from zhiben.accounts import demo as accounts_demo
from zhiben.escalation.models import EscalationRecord
from zhiben.plans import demo
from zhiben.plans.choices import DisplayStatus, MilestoneStatus, ReportStatus, UnitRole
from zhiben.plans.models import Indicator, IndicatorValue, Milestone, Plan, ProgressEvent, ProgressReport, TaskUnit
from zhiben.plans.selectors import board
from zhiben.regions import demo as regions_demo

TODAY = date(2025, 9, 15)  # inside the plan's years: its 2024 milestones are due, its 2025 ones under way


class DemoPlanTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        regions_demo.load()
        accounts_demo.load()
        demo.load()
        # the training demo (loaded between the two) links some indicators to live figures
        Indicator.objects.filter(name="镇安全生产工作负责人监管执法能力提升培训覆盖率").update(
            figure_key="training.enforcement_trained"
        )
        demo.progress(today=TODAY)
        cls.plan = Plan.objects.get()

    def test_the_board_shows_a_plan_in_progress(self):
        counts = board(plan=self.plan, today=TODAY)["counts"]
        self.assertGreaterEqual(counts.get(DisplayStatus.COMPLETED, 0), 15, counts)
        self.assertGreaterEqual(counts.get(DisplayStatus.IN_PROGRESS, 0), 8, counts)
        self.assertGreaterEqual(counts.get(DisplayStatus.OVERDUE, 0), 2, counts)
        self.assertLess(counts.get(DisplayStatus.OVERDUE, 0), 79 // 4, counts)  # some late, not most
        # completed late: some milestones were finished after their due date, none after today
        done = Milestone.objects.filter(task__plan=self.plan, status=MilestoneStatus.COMPLETED)
        self.assertTrue(any(m.completed_on > m.due_date for m in done))
        self.assertFalse(done.filter(completed_on__gt=TODAY).exists())

    def test_reports_were_reviewed_some_returned_once_some_awaiting_review(self):
        reports = ProgressReport.objects.filter(task__plan=self.plan)
        self.assertGreater(reports.filter(status=ReportStatus.ACCEPTED).count(), 40)
        self.assertTrue(reports.filter(status=ReportStatus.PENDING).exists())
        self.assertTrue(ProgressEvent.objects.filter(report__in=reports, action="return").exists())
        # dated when they happened, never after the day the demo is loaded for
        end = timezone.make_aware(datetime.combine(TODAY, time.max))
        self.assertFalse(reports.filter(submitted_at__gt=end).exists())
        self.assertFalse(reports.filter(reviewed_at__gt=end).exists())
        self.assertFalse(ProgressEvent.objects.filter(report__in=reports, at__gt=end).exists())
        self.assertGreater(len({r.submitted_at.date() for r in reports}), 20)
        # each report is its task's owning unit's
        for report in reports.select_related("task"):
            owners = set(report.task.assignments.exclude(role=UnitRole.COOPERATING).values_list("unit_id", flat=True))
            self.assertIn(report.unit_id, owners)

    def test_the_late_milestones_went_up_the_ladder(self):
        overdue = Milestone.objects.filter(task__plan=self.plan).overdue(TODAY)
        self.assertTrue(overdue.exists())
        escalated = set(EscalationRecord.objects.filter(target="plan_task").values_list("object_id", flat=True))
        self.assertTrue(escalated)
        self.assertLessEqual(escalated, set(overdue.values_list("pk", flat=True)))

    def test_the_cooperating_units_are_named_and_shown(self):
        cooperating = TaskUnit.objects.filter(task__plan=self.plan, role=UnitRole.COOPERATING)
        self.assertGreaterEqual(cooperating.values("task").distinct().count(), 20)
        self.assertFalse(cooperating.filter(unit=None).exists())
        # the collective "镇安委会有关成员单位" has a lead department on each of its tasks
        self.assertFalse(TaskUnit.objects.filter(task__plan=self.plan, name=demo.COLLECTIVE).exists())
        self.assertEqual(
            TaskUnit.objects.filter(task__plan=self.plan, role=UnitRole.LEAD).values("task").distinct().count(),
            TaskUnit.objects.filter(task__plan=self.plan, role=UnitRole.LEAD).count(),
        )
        rows = [row for _, group in board(plan=self.plan, today=TODAY)["groups"] for row in group]
        self.assertGreaterEqual(sum(1 for row in rows if row["helpers"]), 20)
        client = self.client
        client.force_login(self.plan.published_by)
        page = client.get(f"/plans/{self.plan.pk}/board/").content.decode()
        helper = cooperating.select_related("unit").first().unit.name
        self.assertIn(helper, page.split("配合单位", 1)[1])
        task = cooperating.first().task
        names = "、".join(
            a.unit.name for a in task.assignments.filter(role=UnitRole.COOPERATING).select_related("unit")
        )
        self.assertContains(client.get(task.get_absolute_url()), f"<dt>配合单位</dt><dd>{names}</dd>")

    def test_indicators_have_values_except_those_shown_live(self):
        values = IndicatorValue.objects.filter(indicator__plan=self.plan)
        self.assertTrue(values.exists())  # on the 15th of September 2025 the 2024 targets are due
        self.assertFalse(values.exclude(indicator__figure_key="").exists())
        self.assertFalse(values.filter(period__gt=str(TODAY.year)).exists())

    def test_progress_loads_once(self):
        before = ProgressReport.objects.count()
        demo.progress(today=TODAY)
        self.assertEqual(ProgressReport.objects.count(), before)
