"""A subject defined only in the tests (tests/platform_app: an evacuation drill) goes through every shared
service the registry offers — reminder, every ladder step, its document, notifications, timeline, the
worker, the ladder page, the document list — with no change to zhiben/."""

from datetime import date, timedelta

from zhiben.core.jobs import run_once
from zhiben.core.registry import DemoLoader, register, registry, unregister
from zhiben.core.timeline import record_event, subject_events
from zhiben.documents.models import Document
from zhiben.escalation.models import EscalationRecord
from zhiben.escalation.services import escalate
from zhiben.notifications.models import Notification
from zhiben.notifications.reminders import remind_deadlines
from zhiben.testing import CastTestCase

from .platform_app.models import Drill


class PlatformRegistryTests(CastTestCase):
    def setUp(self):
        self.deadline = date(2026, 3, 10)
        self.drill = Drill.objects.create(
            title="消防疏散演练", region=self.village_a1, enterprise=self.enterprise_a, deadline=self.deadline
        )

    def test_a_new_subject_goes_through_reminder_ladder_document_notifications_and_timeline(self):
        # reminder: 2 days before (the module's own rule), once
        self.assertEqual(remind_deadlines("drill.deadline", today=self.deadline - timedelta(days=3)), 0)
        self.assertEqual(remind_deadlines("drill.deadline", today=self.deadline - timedelta(days=2)), 1)
        self.assertEqual(remind_deadlines("drill.deadline", today=self.deadline - timedelta(days=1)), 0)
        # every ladder step on its day, once
        taken = {days: escalate("drill", today=self.deadline + timedelta(days=days)) for days in range(0, 13)}
        self.assertEqual({d: n for d, n in taken.items() if n}, {1: 1, 3: 1, 10: 1})
        records = list(EscalationRecord.objects.filter(target="drill", object_id=self.drill.pk).order_by("step_order"))
        self.assertEqual([r.action for r in records], ["remind", "letter", "interview"])
        # the letter step issued the module's document, numbered by the county 安委办 (the default issuer)
        document = records[1].document
        self.assertEqual(document.kind, "drill_letter")
        self.assertEqual(document.number, f"沙安办〔{document.year}〕1号")
        self.assertEqual(document.subject, self.drill)
        self.assertIn("关于督促完成消防疏散演练的函", document.title)
        self.assertIn("已逾期3天，现演练督办函", document.body)
        self.assertEqual(document.enterprise, self.enterprise_a)
        # notifications: the enterprise's user in the inbox, the contact by SMS, linking to the drill
        inbox = Notification.objects.filter(
            recipient=self.emma, object_type="platform_app.drill", object_id=str(self.drill.pk)
        )
        self.assertEqual(inbox.count(), 4)  # the reminder and three steps
        self.assertTrue(all(n.url == self.drill.get_absolute_url() for n in inbox))
        self.assertEqual(Notification.objects.filter(channel="sms", to_address="13800000000").count(), 4)
        # the 安委办 is told from 约谈 on (the module asks for it with escalation.services.committee_admins)
        self.assertEqual(
            list(Notification.objects.filter(recipient=self.alice).values_list("subject", flat=True)), ["演练约谈企业"]
        )
        # the timeline, through the one interface (no typed table registered: the shared one)
        events = subject_events(self.drill)
        self.assertEqual([e.action for e in events], ["reminder", "escalate", "escalate", "escalate"])
        self.assertIn(document.number, events[2].note)
        record_event(self.drill, "done", actor=self.emma, note="已完成演练")
        self.assertEqual(subject_events(self.drill)[-1].actor_name, self.emma.display_name)

    def test_the_worker_the_ladder_page_and_the_document_list_know_the_subject(self):
        escalate("drill", today=self.deadline + timedelta(days=5))  # the 督办函 (the reminder passed over)
        results = run_once()
        self.assertIn("演练检查", results)
        self.assertEqual(results["演练检查"], 1)
        self.login(self.alice)
        page = self.client.get("/escalation/ladder/?target=drill")
        self.assertContains(page, "应急演练")
        self.assertContains(page, "演练督办函")
        self.assertContains(page, "演练逾期提醒")
        records = self.client.get("/escalation/?target=drill")
        self.assertContains(records, self.drill.get_absolute_url())
        document = Document.objects.get(kind="drill_letter")
        listing = self.client.get("/documents/", {"subject_type": "platform_app.drill"})
        self.assertContains(listing, document.number)
        # charlie, in the other county, sees none of it
        self.login(self.charlie)
        self.assertNotContains(self.client.get("/escalation/?target=drill"), self.drill.get_absolute_url())
        self.assertEqual(self.client.get(f"/documents/{document.pk}/").status_code, 404)

    def test_a_finished_drill_is_neither_reminded_nor_escalated(self):
        Drill.objects.filter(pk=self.drill.pk).update(done=True)
        self.assertEqual(remind_deadlines("drill.deadline", today=self.deadline - timedelta(days=1)), 0)
        self.assertEqual(escalate("drill", today=self.deadline + timedelta(days=30)), 0)


class TimelineTests(CastTestCase):
    def test_a_typed_table_is_reached_through_the_one_interface(self):
        from zhiben.hazards.models import HazardEvent
        from zhiben.hazards.tests.helpers import report

        hazard = report(self.gina, self.enterprise_a)
        record_event(hazard, "note", actor=self.alice, note="现场复查，整改进行中")
        event = HazardEvent.objects.filter(hazard=hazard).last()
        self.assertEqual((event.action, event.actor, event.note), ("note", self.alice, "现场复查，整改进行中"))
        self.assertEqual([e.action for e in subject_events(hazard)], ["report", "note"])
        self.assertLessEqual(
            {"hazards.hazard", "plans.progressreport", "duties.periodreport"}, set(registry["timelines"])
        )


class RegistryTests(CastTestCase):
    def test_stores_are_fixed_and_keys_unique(self):
        with self.assertRaises(KeyError):
            registry["widgets"] = {}
        loader = DemoLoader("platform_test", lambda stdout: None)
        register(loader)
        try:
            with self.assertRaises(ValueError):
                register(DemoLoader("platform_test", lambda stdout: None))
        finally:
            unregister("demo_loaders", "platform_test")
        self.assertNotIn("platform_test", registry["demo_loaders"])

    def test_every_module_registered_its_parts(self):
        self.assertLessEqual({"hazard", "plan_task", "drill"}, set(registry["escalation_targets"]))
        self.assertLessEqual(
            {"supervision_letter", "interview_notice", "drill_letter"}, set(registry["document_kinds"])
        )
        self.assertIn("hazard.deadline", registry["reminders"])
        self.assertLessEqual({"regions", "accounts", "enterprises", "plans", "hazards"}, set(registry["demo_loaders"]))
        self.assertIn("hazards:list", [m.url_name for m in registry["menu"]])


class GroundTests(CastTestCase):
    def test_the_ground_imports_no_business_module(self):
        """core, audit, escalation, documents and notifications only loop over the registry."""
        import ast
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent / "zhiben"
        business = ("zhiben.hazards", "zhiben.plans", "zhiben.duties", "zhiben.enterprises")
        offenders = []
        for app in ("core", "audit", "escalation", "documents", "notifications"):
            for path in (root / app).rglob("*.py"):
                if "tests" in path.parts:
                    continue
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                    names = (
                        [node.module or ""]
                        if isinstance(node, ast.ImportFrom)
                        else [a.name for a in getattr(node, "names", [])]
                        if isinstance(node, ast.Import)
                        else []
                    )
                    offenders += [f"{path.relative_to(root)}: {n}" for n in names if n.startswith(business)]
        self.assertEqual(offenders, [])
