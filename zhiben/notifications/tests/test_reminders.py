"""Reminders before a hazard's deadline, moving the clock: once per hazard and deadline."""

from datetime import timedelta

from zhiben.audit.models import AuditEvent
from zhiben.core.models import Rule
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard
from zhiben.hazards.tests.helpers import ready, report
from zhiben.notifications.models import Notification
from zhiben.notifications.reminders import remind_deadlines
from zhiben.testing import CastTestCase


class HazardReminderTests(CastTestCase):
    def setUp(self):
        self.hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        Hazard.objects.filter(pk=self.hazard.pk).update(responsible_phone="13600000001")
        self.deadline = self.hazard.deadline

    def reminders(self):
        return self.hazard.events.filter(action="reminder")

    def test_three_days_before_once(self):
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=4)), 0)
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=3)), 1)
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=2)), 0)
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline), 0)
        [event] = self.reminders()
        self.assertEqual(event.data["key"], f"reminder:{self.deadline}")
        self.assertEqual(event.actor_name, "系统")
        self.assertEqual(event.action_label, "到期提醒")
        inbox = set(
            Notification.objects.filter(channel="inbox", object_id=str(self.hazard.pk)).values_list(
                "recipient__username", flat=True
            )
        )
        self.assertEqual(inbox, {"emma", "erin"})  # the enterprise's user and the supervising department's
        sms = Notification.objects.get(channel="sms", object_id=str(self.hazard.pk))
        self.assertEqual(sms.to_address, "13600000001")  # the 整改责任人
        self.assertIn("还有 3 天到期", sms.body)
        self.assertTrue(AuditEvent.objects.filter(action="hazard.reminder", object_id=str(self.hazard.pk)).exists())

    def test_a_missed_run_still_reminds_before_the_deadline_but_not_after(self):
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline + timedelta(days=1)), 0)
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline), 1)

    def test_granted_extension_brings_a_new_reminder_for_the_new_deadline(self):
        remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=3))
        new_deadline = self.deadline + timedelta(days=30)
        extension = hazard_services.hazard_request_extension(
            actor=self.emma, hazard=self.hazard, new_deadline=new_deadline, reason="设备到货延迟"
        )
        hazard_services.hazard_decide_extension(actor=self.erin, extension=extension, grant=True, note="同意")
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=1)), 0)
        self.assertEqual(remind_deadlines("hazard.deadline", today=new_deadline - timedelta(days=3)), 1)
        self.assertEqual(remind_deadlines("hazard.deadline", today=new_deadline - timedelta(days=1)), 0)
        self.assertEqual(
            sorted(e.data["key"] for e in self.reminders()), [f"reminder:{self.deadline}", f"reminder:{new_deadline}"]
        )

    def test_a_request_for_closing_is_reminded_of_its_review_deadline_not_of_the_rectification_deadline(self):
        # the enterprise has done its part; the department's review has a deadline of its own (test_review_deadline)
        Hazard.objects.filter(pk=self.hazard.pk).update(status=Status.SUBMITTED)
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=1)), 0)
        self.assertFalse(Notification.objects.filter(object_id=str(self.hazard.pk)).exists())

    def test_closed_and_unverified_hazards_are_not_reminded(self):
        Hazard.objects.filter(pk=self.hazard.pk).update(status=Status.CLOSED)
        fresh = report(self.gina, self.enterprise_a, description="消防通道堆放杂物")  # 待核实: no deadline runs yet
        self.assertEqual(remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=1)), 0)
        self.assertEqual(remind_deadlines("hazard.deadline", today=fresh.deadline - timedelta(days=1)), 0)

    def test_days_before_is_a_rule_per_jurisdiction(self):
        Rule.objects.create(key="hazard.reminder_days", region_code=self.county_a.code, value=7)
        other = ready(
            report(self.charlie, self.enterprise_b, description="储罐区静电接地失效"),
            self.charlie,
            status=Status.RECTIFYING,
        )
        self.assertEqual(other.deadline, self.deadline)
        self.assertEqual(
            remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=7)), 1
        )  # county A: 7 days
        self.assertEqual(self.reminders().count(), 1)
        self.assertEqual(
            remind_deadlines("hazard.deadline", today=self.deadline - timedelta(days=3)), 1
        )  # county B: the default 3
        self.assertEqual(other.events.filter(action="reminder").count(), 1)

    def test_the_job_is_registered(self):
        from zhiben.core.registry import ordered

        keys = [job.key for job in ordered("jobs")]
        self.assertIn("hazard.deadline", [r.key for r in ordered("reminders")])
        self.assertLess(keys.index("reminders"), keys.index("send_notifications"))  # reminders go out in the same tick
