from datetime import date

from zhiben.core.models import Rule
from zhiben.core.rules import rule, rule_date
from zhiben.testing import CastTestCase


class RulePageTests(CastTestCase):
    def test_committee_sets_baseline_for_its_jurisdiction_only(self):
        self.login(self.alice)
        self.assertContains(self.client.get("/rules/"), "存量隐患基准日")
        self.client.post("/rules/", {"key": "hazard.baseline_date", "value": "2024-06-30"})
        self.assertEqual(rule_date("hazard.baseline_date", self.village_a1.code), date(2024, 6, 30))
        self.assertEqual(rule_date("hazard.baseline_date", self.village_b1.code), date(2023, 12, 31))
        self.client.post("/rules/", {"key": "hazard.baseline_date", "reset": "1"})
        self.assertFalse(Rule.objects.exists())

    def test_bad_values_are_refused_in_chinese(self):
        self.login(self.alice)
        for key, text in (("hazard.baseline_date", "2024-13-01"), ("hazard.duplicate_similarity", "3"), ("hazard.default_days.general", "-5")):
            response = self.client.post("/rules/", {"key": key, "value": text}, follow=True)
            self.assertContains(response, "应为")
        self.assertFalse(Rule.objects.exists())
        self.assertEqual(rule("hazard.default_days.general", self.county_a.code), 30)

    def test_only_committee_admins(self):
        for user in (self.dave, self.erin, self.sam, self.aud):
            self.assertEqual(self.login(user).get("/rules/").status_code, 403)
        self.login(self.alice).post("/rules/", {"key": "hazard.attachment_max_mb", "value": "5"})
        self.assertEqual(Rule.objects.get().region_code, self.county_a.code)
