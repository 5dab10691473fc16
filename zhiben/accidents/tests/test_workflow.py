"""The accident's transition table: every action is allowed from its sources and refused from every other
status, with the status left as it was."""

from datetime import timedelta
from functools import partial

from zhiben.accidents import services
from zhiben.accidents.choices import Status
from zhiben.accidents.models import Accident, Investigation, Measure, Party
from zhiben.accidents.workflow import TRANSITIONS, allowed_actions
from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError
from zhiben.core.timeline import subject_events

from .test_services import AccidentTestCase

CAUSES = "直接原因：检修时未断电挂牌；间接原因：企业安全培训和现场管理缺失。"


class TransitionTableTests(AccidentTestCase):
    def prepared(self, status, *, investigation=True):
        """An accident in `status` with everything an action needs except the right status."""
        accident = self.record()
        if investigation:
            Investigation.objects.create(
                accident=accident,
                lead_unit="沙坪坝区应急管理局",
                leader="李明",
                started_on=self.today,
                report_due=self.today + timedelta(days=60),
                submitted_on=self.today,
                approval_due=self.today + timedelta(days=15),
                approved_on=self.today,
                approval_number="沙府复〔2026〕1号",
                causes=CAUSES,
                education_on=self.today,
                education_note="全镇企业负责人警示教育会",
            )
            Party.objects.create(
                accident=accident,
                name="凤凰化工有限公司",
                kind="enterprise",
                responsibility="主体责任",
                handling="罚款",
            )
            Measure.objects.create(
                accident=accident, text="加装光电保护", responsible="凤凰化工", deadline=self.today, status="done"
            )
        Accident.objects.filter(pk=accident.pk).update(status=status)
        return Accident.objects.get(pk=accident.pk)

    def act(self, action, accident):
        if action == "start":
            return services.investigation_start(
                actor=self.alice, accident=accident, data={"lead_unit": "沙坪坝区应急管理局", "leader": "李明"}
            )
        if action == "submit":
            return services.investigation_submit(actor=self.alice, accident=accident, data={})
        if action == "approve":
            return services.accident_approve(
                actor=self.alice, accident=accident, data={"approval_number": "沙府复〔2026〕2号"}
            )
        if action == "close":
            return services.accident_close(actor=self.alice, accident=accident)
        raise AssertionError(action)

    def test_every_action_from_every_status(self):
        for action, transition in TRANSITIONS.items():
            for status in Status.values:
                with self.subTest(action=action, status=status):
                    accident = self.prepared(status, investigation=action != "start")
                    if status in transition.sources:
                        self.act(action, accident)
                        self.assertEqual(Accident.objects.get(pk=accident.pk).status, transition.target)
                        self.assertTrue(
                            AuditEvent.objects.filter(action=f"accident.{action}", object_id=str(accident.pk)).exists()
                        )
                    else:
                        with self.assertRaises(ApplicationError) as caught:
                            self.act(action, accident)
                        label = Status(status).label
                        self.assertIn(f"事故当前为“{label}”，不能{transition.label}", caught.exception.message)
                        self.assertEqual(Accident.objects.get(pk=accident.pk).status, status)
                        self.assertFalse(
                            AuditEvent.objects.filter(action=f"accident.{action}", object_id=str(accident.pk)).exists()
                        )
                        if action == "start":
                            self.assertFalse(Investigation.objects.filter(accident=accident).exists())

    def test_each_status_offers_exactly_its_actions(self):
        expected = {
            "reported": ["start"],
            "investigating": ["submit"],
            "submitted": ["approve"],
            "approved": ["close"],
            "closed": [],
        }
        for status, actions in expected.items():
            self.assertEqual(allowed_actions(Accident(status=status)), actions)

    def test_the_extension_only_while_investigating(self):
        for status in Status.values:
            with self.subTest(status=status):
                accident = self.prepared(status)
                due = Investigation.objects.get(accident=accident).report_due
                call = partial(
                    services.investigation_extend, actor=self.alice, accident=accident, days=30, reason="需技术鉴定"
                )
                if status == Status.INVESTIGATING:
                    self.assertEqual(call().report_due, due + timedelta(days=30))
                else:
                    with self.assertRaises(ApplicationError):
                        call()
                    self.assertEqual(Investigation.objects.get(accident=accident).report_due, due)

    def test_the_whole_way_through_the_services(self):
        accident = self.ready_to_close(self.record())
        services.accident_close(actor=self.alice, accident=accident)
        actions = [e.action for e in subject_events(accident)]
        for action in ("report", "start", "investigation", "submit", "approve", "party", "handled", "measure"):
            self.assertIn(action, actions)
        self.assertEqual(actions[-1], "close")
        self.assertLess(actions.index("start"), actions.index("submit"))
        self.assertLess(actions.index("submit"), actions.index("approve"))
