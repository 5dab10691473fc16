"""Shared set-up of the risk tests: the cast, and a point recorded through the service."""

from datetime import timedelta

from django.utils import timezone

from zhiben.hazards.models import Hazard
from zhiben.risk import services
from zhiben.testing import CastTestCase

LEC = {"method": "lec", "l": "3", "e": "6", "c": "15"}  # D = 270: 较大
LS = {"method": "ls", "l": "2", "s": "4"}  # R = 8: 一般


class RiskTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()

    def point(self, actor=None, enterprise=None, **data):
        actor = actor or self.alice
        enterprise = enterprise or self.enterprise_a
        values = {"enterprise": enterprise.pk, "name": "甲类罐区", "kind": "place", "factors": "易燃液体泄漏", **LEC}
        values.update(data)
        return services.point_create(actor=actor, data=values)

    def hazard(self, enterprise=None, status="verified", number=None):
        enterprise = enterprise or self.enterprise_a
        count = Hazard.objects.count() + 1
        return Hazard.objects.create(
            number=number or f"YH-T-{count:04d}",
            enterprise=enterprise,
            region=enterprise.region,
            industry=enterprise.industry,
            channel="self",
            description="可燃气体检测报警器失效",
            found_date=self.today - timedelta(days=1),
            status=status,
            deadline=self.today + timedelta(days=10),
        )
