"""The task list counts each task's milestones by subqueries when no filter reads the state (issue 23: a page of
20 tasks no longer counts every task's milestones first); the counts and states are those of the grouped join."""

from datetime import date

from zhiben.plans.choices import MilestoneStatus
from zhiben.plans.models import Milestone
from zhiben.plans.selectors import task_list, with_state
from zhiben.testing import CastTestCase

from .helpers import small_plan

FIELDS = ("id", "ms_total", "ms_done", "ms_started", "ms_overdue", "has_reports", "state")


class PerTaskCountTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = small_plan(cls.alice, cls.town_a1)
        milestones = list(Milestone.objects.filter(task__plan=cls.plan).order_by("task_id", "due_date"))
        for n, milestone in enumerate(milestones):  # some done, some started, the rest not
            milestone.status = [MilestoneStatus.COMPLETED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.NOT_STARTED][
                n % 3
            ]
            milestone.save()

    def test_subqueries_give_the_grouped_counts_and_states(self):
        tasks = self.plan.tasks.all()
        for day in (date(2024, 1, 1), date(2024, 7, 1), date(2025, 1, 1), date(2030, 1, 1)):
            for span in ({}, {"due_from": date(2024, 4, 1), "due_to": date(2024, 9, 30)}):
                with self.subTest(day=day, span=span):
                    grouped = list(with_state(tasks, day, **span).order_by("id").values(*FIELDS))
                    per_task = list(with_state(tasks, day, **span, per_task=True).order_by("id").values(*FIELDS))
                    self.assertEqual(per_task, grouped)
        states = {row["state"] for row in with_state(tasks, date(2025, 1, 1), per_task=True).values("state")}
        self.assertGreater(len(states), 1)

    def test_a_state_worked_out_on_read_is_the_sql_state(self):
        tasks = self.plan.tasks.all()
        for day in (date(2024, 1, 1), date(2024, 7, 1), date(2025, 1, 1), date(2030, 1, 1)):
            for span in ({}, {"due_from": date(2024, 4, 1), "due_to": date(2024, 9, 30)}):
                with self.subTest(day=day, span=span):
                    grouped = [(t.pk, t.state) for t in with_state(tasks, day, **span).order_by("id")]
                    on_read = with_state(tasks, day, **span, per_task=True, state_on_read=True).order_by("id")
                    self.assertEqual([(t.pk, t.state) for t in on_read], grouped)
        day = date(2024, 7, 1)
        self.assertEqual(
            [(t.pk, t.state) for t in task_list(user=self.alice, filters={}, today=day, shown_only=True)],
            list(task_list(user=self.alice, filters={}, today=day).values_list("id", "state")),
        )

    def test_the_list_pages_and_filters_the_same_either_way(self):
        day = date(2024, 7, 1)
        everything = list(task_list(user=self.alice, filters={}, today=day).values_list("id", "state"))
        self.assertEqual(len(everything), self.plan.tasks.count())
        overdue = [pk for pk, state in everything if state == "overdue"]
        self.assertTrue(overdue)
        self.assertEqual(
            list(task_list(user=self.alice, filters={"status": "overdue"}, today=day).values_list("id", flat=True)),
            overdue,
        )
