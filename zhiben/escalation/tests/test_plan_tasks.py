"""Overdue action-plan tasks go up their own ladder, once per milestone and step."""

from datetime import date

from zhiben.core.timeline import subject_events
from zhiben.escalation import services
from zhiben.escalation.models import EscalationRecord
from zhiben.notifications.models import Notification
from zhiben.plans.models import Milestone
from zhiben.plans.tests.helpers import small_plan
from zhiben.testing import CastTestCase


class PlanTaskLadderTests(CastTestCase):
    def test_overdue_milestone_steps_once_each(self):
        plan = small_plan(self.alice, self.town_a1)
        # on 2024-07-01: Q1 of "每季度" (due 03-31, 92 days late) takes its furthest step, the 3 before passed over;
        # "2024年6月底前" and Q2 (due 06-30, 1 day late) take the reminder each
        self.assertEqual(services.escalate("plan_task", today=date(2024, 7, 1)), 1 + 1 + 1)
        self.assertEqual(services.escalate("plan_task", today=date(2024, 7, 1)), 0)
        # a month later both June milestones are 31 days late: the interview each, letter and bulletin passed over
        self.assertEqual(services.escalate("plan_task", today=date(2024, 7, 31)), 1 + 1)
        self.assertEqual(services.escalate("plan_task", today=date(2024, 7, 31)), 0)
        records = EscalationRecord.objects.filter(target="plan_task")
        per_object = {}
        for record in records:
            per_object.setdefault(record.object_id, []).append(record.action)
        for actions in per_object.values():
            self.assertEqual(len(actions), len(set(actions)))
        self.assertTrue(all(r.region_code == plan.region_id for r in records))
        self.assertTrue(Notification.objects.filter(recipient=self.erin, subject__contains="行动方案任务").exists())
        # each step is on the task's timeline and shown on the task's page
        task = Milestone.objects.get(pk=records.order_by("at", "id").first().object_id).task
        events = subject_events(task)
        self.assertEqual({e.action for e in events}, {"escalate"})
        self.assertEqual(
            len(events),
            EscalationRecord.objects.filter(target="plan_task", object_id__in=task.milestones.values("pk")).count(),
        )
        self.login(self.alice)
        self.assertContains(self.client.get(task.get_absolute_url()), events[0].note)

    def test_draft_plans_are_not_escalated(self):
        small_plan(self.alice, self.town_a1, publish=False)
        self.assertEqual(services.escalate("plan_task", today=date(2024, 12, 31)), 0)


class PlanTaskRecordsNameTheirTaskTests(CastTestCase):
    """Issue 25: the records list named a milestone id ("行动方案任务 #72") and escalated 长期坚持 tasks."""

    def test_an_ongoing_task_never_escalates_and_records_name_and_link_their_task(self):
        from zhiben.plans.choices import Recurrence

        plan = small_plan(self.alice, self.town_a1)
        quarterly = Milestone.objects.filter(task__plan=plan, label__contains="季度").first().task
        quarterly.recurrence = Recurrence.ONGOING  # the demo's task 72: ongoing, yet with old milestones
        quarterly.save(update_fields=["recurrence"])
        self.assertEqual(services.escalate("plan_task", today=date(2024, 7, 1)), 1)
        self.assertFalse(EscalationRecord.objects.filter(object_id__in=quarterly.milestones.values("pk")).exists())
        self.assertFalse(any(m.is_overdue(date(2024, 7, 1)) for m in quarterly.milestones.all()))
        record = EscalationRecord.objects.get(target="plan_task")
        milestone = Milestone.objects.get(pk=record.object_id)
        self.login(self.alice)
        page = self.client.get("/escalation/")
        self.assertContains(page, f'<a href="{milestone.task.get_absolute_url()}">')
        self.assertContains(page, f"（{milestone.label}）")
        self.assertContains(page, milestone.task.content[:20])
        self.assertNotContains(page, f"#{record.object_id}")
