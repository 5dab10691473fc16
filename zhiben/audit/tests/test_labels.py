"""The audit log names actions in Chinese (issue 25: it showed auth.login, hazard.export); the code stays
beside the label for whoever searches by it."""

from django.test import SimpleTestCase

from zhiben.audit.labels import action_label
from zhiben.audit.services import audit_record
from zhiben.testing import CastTestCase


class ActionLabelTests(CastTestCase):
    def test_codes_read_as_chinese(self):
        self.assertEqual(action_label("auth.login"), "登录")
        self.assertEqual(action_label("hazard.export"), "隐患导出")
        self.assertEqual(action_label("accident.supplement"), "事故补报")
        self.assertEqual(action_label("plan.weird_new_verb"), "行动方案（weird_new_verb）")
        self.assertEqual(action_label("unknown"), "unknown")

    def test_the_log_page_shows_the_label_beside_the_code(self):
        audit_record(actor=self.alice, action="hazard.export", object_type="hazards.hazard", object_repr="隐患台账导出")
        response = self.login(self.aud).get("/audit/")
        self.assertContains(response, "隐患导出")
        self.assertContains(response, '<code class="muted small">hazard.export</code>', html=False)


class EveryActionLabelledTests(SimpleTestCase):
    def test_every_action_code_written_by_a_service_reads_in_chinese(self):
        """Each literal action code in the code base (audit_record(action="…")) has a Chinese label of its
        own, not the fallback that shows the code's verb."""
        import re
        from pathlib import Path

        from zhiben.audit.labels import action_label

        root = Path(__file__).resolve().parents[2]
        pattern = re.compile(r'action=f?"([a-z_]+\.[a-z_]+)"')
        codes = {code for path in root.rglob("*.py") for code in pattern.findall(path.read_text(encoding="utf-8"))}
        self.assertGreater(len(codes), 150)
        unlabelled = sorted(c for c in codes if action_label(c) == c or "（" in action_label(c))
        self.assertEqual(unlabelled, [])

    def test_every_step_of_every_ladder_and_every_reminder_reads_in_chinese(self):
        """The codes a registered escalation target or reminder writes (audit_action="plan.report_{action}")."""
        from zhiben.core.registry import ordered
        from zhiben.escalation.choices import Action

        codes = {t.audit_action.format(action=a) for t in ordered("escalation_targets") for a in Action.values}
        codes |= {r.audit_action or f"{r.key}.reminder" for r in ordered("reminders")}
        self.assertGreater(len(codes), 15)
        unlabelled = sorted(c for c in codes if action_label(c) == c or "（" in action_label(c))
        self.assertEqual(unlabelled, [])
        self.assertEqual(action_label("enforcement.case_propose_listing"), "执法提请挂牌督办")
