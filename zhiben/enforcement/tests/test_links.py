"""From a completed inspection to an order or a case, and from a failed review to a case."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from zhiben.enforcement import services
from zhiben.inspections.models import Inspection
from zhiben.testing import CastTestCase


class LinkTests(CastTestCase):
    def test_inspection_page_offers_order_and_case_to_enforcers_only(self):
        inspection = Inspection.objects.create(
            number="JC-L1",
            enterprise=self.enterprise_a,
            region=self.village_a1,
            industry=self.enterprise_a.industry,
            unit=self.unit_emergency_a1,
            status="completed",
            date=timezone.localdate(),
        )
        url = reverse("inspections:detail", args=[inspection.pk])
        page = self.login(self.erin).get(url)
        self.assertContains(page, f"{reverse('enforcement:order_new')}?inspection={inspection.pk}")
        self.assertContains(page, f"{reverse('enforcement:case_new')}?inspection={inspection.pk}")
        self.assertNotContains(self.login(self.emma).get(url), "下达责令限期整改")

    def test_a_failed_review_offers_a_case(self):
        today = timezone.localdate()
        order = services.order_create(
            actor=self.erin,
            data={
                "enterprise": self.enterprise_a.pk,
                "items": "1. 安全出口堵塞",
                "deadline": today + timedelta(days=5),
            },
        )
        services.order_review(actor=self.erin, order=order, passed=False, opinion="仍未整改")
        page = self.login(self.erin).get(reverse("enforcement:order_detail", args=[order.pk]))
        self.assertContains(page, "复查不合格：立案查处")
        self.assertNotContains(
            self.login(self.emma).get(reverse("enforcement:order_detail", args=[order.pk])), "立案查处"
        )


class DocumentSectionTests(CastTestCase):
    def test_pages_offer_their_documents(self):
        case = services.case_create(
            actor=self.erin, data={"enterprise": self.enterprise_a.pk, "violation": "违法事实一"}
        )
        page = self.login(self.erin).get(reverse("enforcement:case_detail", args=[case.pk]))
        self.assertContains(page, 'data-kind="penalty_notice"')
        order = services.order_create(
            actor=self.erin,
            data={"enterprise": self.enterprise_a.pk, "items": "1. 整改要求", "deadline": timezone.localdate()},
        )
        page = self.login(self.erin).get(reverse("enforcement:order_detail", args=[order.pk]))
        self.assertContains(page, 'data-kind="rectification_order"')
        inspection = Inspection.objects.create(
            number="JC-D1",
            enterprise=self.enterprise_a,
            region=self.village_a1,
            industry=self.enterprise_a.industry,
            unit=self.unit_emergency_a1,
            status="completed",
            date=timezone.localdate(),
        )
        page = self.login(self.erin).get(reverse("inspections:detail", args=[inspection.pk]))
        self.assertContains(page, 'data-kind="site_inspection_record"')
