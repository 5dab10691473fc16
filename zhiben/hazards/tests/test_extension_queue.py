"""A request to move a deadline reaches the unit that decides it at once, waits on its home page and in the ledger
(延期申请：待审批) until decided, and the enterprise hears the decision."""

from datetime import timedelta

from django.urls import reverse

from zhiben.hazards import services
from zhiben.hazards.choices import Status
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase

from .helpers import ready, report


class ExtensionQueueTests(CastTestCase):
    def setUp(self):
        self.hazard = ready(report(self.gina, self.enterprise_a), self.erin, status=Status.RECTIFYING)
        self.other = ready(report(self.gina, self.enterprise_a, description="灭火器过期未更换"), self.erin)
        self.new = self.hazard.deadline + timedelta(days=15)
        self.extension = services.hazard_request_extension(
            actor=self.emma, hazard=self.hazard, new_deadline=self.new.isoformat(), reason="防爆电机到货延迟"
        )

    def told(self, user):
        return list(
            Notification.objects.filter(channel="inbox", recipient=user, object_id=str(self.hazard.pk)).values_list(
                "subject", "body"
            )
        )

    def test_the_unit_that_decides_is_told_at_once_and_the_enterprise_of_the_decision(self):
        ((subject, body),) = self.told(self.erin)
        self.assertEqual(subject, f"隐患延期申请待审批：{self.hazard.number}")
        self.assertIn(f"由 {self.hazard.deadline} 延至 {self.new}，理由：防爆电机到货延迟", body)
        self.assertEqual(self.told(self.emma), [])  # who asked is not told of their own request
        services.hazard_decide_extension(actor=self.erin, extension=self.extension, grant=False, note="理由不充分")
        ((subject, body),) = self.told(self.emma)
        self.assertEqual(subject, f"隐患延期申请未获批准：{self.hazard.number}")
        self.assertIn(f"未获批准：理由不充分。整改期限仍为 {self.hazard.deadline}", body)

    def test_it_waits_on_the_home_page_and_in_the_ledger_until_decided(self):
        ledger = reverse("hazards:list")
        self.login(self.erin)
        page = self.client.get(ledger, {"extension": "pending"}).content.decode()
        self.assertIn(self.hazard.number, page)
        self.assertNotIn(self.other.number, page)
        api = self.client.get("/api/v1/hazards/", {"extension": "pending"}).json()
        self.assertEqual([h["number"] for h in api["items"]], [self.hazard.number])
        cards = {c["label"]: c for c in self.client.get("/").context["summary"]["cards"]}
        self.assertEqual(cards["待审批延期"]["value"], 1)
        self.assertEqual(cards["待审批延期"]["url"], f"{ledger}?extension=pending&sort=deadline")
        self.login(self.charlie)  # another county sees none of it
        self.assertNotIn("待审批延期", {c["label"] for c in self.client.get("/").context["summary"]["cards"]})
        self.assertNotIn(self.hazard.number, self.client.get(ledger, {"extension": "pending"}).content.decode())
        services.hazard_decide_extension(actor=self.erin, extension=self.extension, grant=True, note="同意")
        self.login(self.erin)
        self.assertNotIn(self.hazard.number, self.client.get(ledger, {"extension": "pending"}).content.decode())
        cards = {c["label"] for c in self.client.get("/?fresh=1").context["summary"]["cards"]}
        self.assertNotIn("待审批延期", cards)
