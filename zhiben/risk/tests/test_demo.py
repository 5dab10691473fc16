"""The demo's risk part: four colours, a site plan with the points placed, an overdue review, a cited open hazard."""

import shutil
import tempfile
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from zhiben.hazards.choices import OPEN_STATUSES
from zhiben.risk.models import RiskHazardLink, RiskPoint, SitePlan

MEDIA = tempfile.mkdtemp(prefix="risk-demo-")


def tearDownModule():
    shutil.rmtree(MEDIA, ignore_errors=True)


@override_settings(MEDIA_ROOT=MEDIA)
class RiskDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with override_settings(MEDIA_ROOT=MEDIA):
            call_command("load_demo", stdout=StringIO())

    def test_the_demo_has_what_the_issue_asks(self):
        points = RiskPoint.objects.filter(active=True)
        self.assertEqual(set(points.values_list("level", flat=True)), {"major", "larger", "general", "low"})
        plan = SitePlan.objects.get()
        placed = points.filter(enterprise=plan.enterprise, plan_x__isnull=False)
        self.assertEqual(set(placed.values_list("level", flat=True)), {"major", "larger", "general", "low"})
        self.assertEqual(points.filter(next_review__lt=timezone.localdate()).count(), 1)
        link = RiskHazardLink.objects.select_related("hazard").get()
        self.assertIn(link.hazard.status, OPEN_STATUSES)
        self.assertEqual(link.point.enterprise_id, link.hazard.enterprise_id)
        count = RiskPoint.objects.count()
        call_command("load_demo", stdout=StringIO())
        self.assertEqual(RiskPoint.objects.count(), count)
