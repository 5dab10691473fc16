"""A drill period that ends without a drill goes up the escalation ladder on a moved clock: the half-year
of a high-risk enterprise and the year of the others, counted from the day after the period ends, each
step once; a drill recorded afterwards (or late, dated inside the period) stops it; an enterprise
registered after the period ended, or no longer operating, owes nothing."""

from datetime import date, datetime
from unittest import mock

from django.utils import timezone

from zhiben.enterprises.models import Enterprise
from zhiben.escalation import services as escalation
from zhiben.escalation.models import EscalationRecord
from zhiben.notifications.models import Notification
from zhiben.testing import CastTestCase

from ..models import DutyLapse
from .test_drills import drill

TARGET = "drill_duty"


def tick(day):
    return escalation.escalate(TARGET, today=day)


def steps(enterprise):
    lapses = DutyLapse.objects.filter(enterprise=enterprise).values("pk")
    return list(
        EscalationRecord.objects.filter(target=TARGET, object_id__in=lapses)
        .order_by("id")
        .values_list("action", flat=True)
    )


@mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 31))
class DrillDutyLadderTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Enterprise.objects.filter(pk=cls.enterprise_a.pk).update(high_risk=True)
        registered = timezone.make_aware(datetime(2026, 1, 1, 9))
        Enterprise.objects.filter(pk__in=[cls.enterprise_a.pk, cls.enterprise_a_construction.pk]).update(
            created_at=registered
        )
        # 西彭化工 (county B) is registered on the platform on the first day of 2027
        Enterprise.objects.filter(pk=cls.enterprise_b.pk).update(
            created_at=timezone.make_aware(datetime(2027, 1, 1, 9))
        )

    def test_half_year_and_year_boundaries(self, _):
        self.assertEqual(tick(date(2026, 6, 30)), 0)  # the first half-year is still running
        self.assertFalse(DutyLapse.objects.exists())
        self.assertEqual(tick(date(2026, 7, 1)), 1)  # 凤凰化工 (high-risk) missed the first half-year
        lapse = DutyLapse.objects.get()
        self.assertEqual(
            (lapse.enterprise_id, lapse.start, lapse.end, lapse.label),
            (self.enterprise_a.pk, date(2026, 1, 1), date(2026, 6, 30), "2026年上半年"),
        )
        self.assertEqual(steps(self.enterprise_a), ["remind"])
        self.assertEqual(tick(date(2026, 7, 29)), 0)
        self.assertEqual(tick(date(2026, 7, 30)), 1)  # 30 days: 通报
        self.assertEqual(tick(date(2026, 8, 29)), 1)  # 60 days: 约谈
        self.assertEqual(steps(self.enterprise_a), ["remind", "bulletin", "interview"])
        # the construction company (yearly) owes 2026 only from 1 January 2027; 西彭化工, registered that
        # day, owes nothing for 2026
        self.assertEqual(tick(date(2026, 12, 31)), 0)
        self.assertEqual(set(DutyLapse.objects.values_list("enterprise_id", flat=True)), {self.enterprise_a.pk})
        self.assertEqual(tick(date(2027, 1, 1)), 2)  # 凤凰化工's second half-year, the construction company's year
        self.assertEqual(steps(self.enterprise_a_construction), ["remind"])
        self.assertFalse(DutyLapse.objects.filter(enterprise=self.enterprise_b).exists())

    def test_a_drill_afterwards_stops_the_ladder(self, _):
        tick(date(2026, 7, 1))
        record = drill(self.alice, self.enterprise_a, date(2026, 7, 20))
        self.assertEqual(tick(date(2026, 7, 30)), 0)
        self.assertEqual(tick(date(2026, 9, 30)), 0)
        lapse = DutyLapse.objects.get()
        self.assertEqual((lapse.resolved_on, lapse.drill), (date(2026, 7, 30), record))
        self.assertEqual(steps(self.enterprise_a), ["remind"])
        # the July drill also keeps the second half-year: nothing on 1 January for 凤凰化工
        tick(date(2027, 1, 1))
        self.assertEqual(steps(self.enterprise_a), ["remind"])

    def test_a_drill_recorded_late_inside_the_period_resolves(self, _):
        tick(date(2026, 7, 1))
        drill(self.alice, self.enterprise_a, date(2026, 5, 10))
        self.assertEqual(tick(date(2026, 8, 30)), 0)
        self.assertIsNotNone(DutyLapse.objects.get().resolved_on)

    def test_closed_enterprise_is_not_escalated(self, _):
        tick(date(2026, 7, 1))
        Enterprise.objects.filter(pk=self.enterprise_a.pk).update(status="closed")
        self.assertEqual(tick(date(2026, 9, 30)), 0)
        self.assertEqual(steps(self.enterprise_a), ["remind"])

    def test_recipients_text_and_scope(self, _):
        tick(date(2026, 7, 1))
        notes = Notification.objects.filter(channel="inbox", subject__contains="应急演练逾期")
        # the enterprise and the department supervising 危险化学品 in 凤凰镇
        self.assertEqual(set(notes.values_list("recipient__username", flat=True)), {"emma", "erin"})
        body = notes.get(recipient=self.emma).body
        self.assertIn("2026年上半年（2026-01-01至2026-06-30）未组织应急演练（应每半年至少一次）", body)
        self.assertIn("已逾期 1 天", body)
        tick(date(2026, 7, 30))
        self.assertTrue(Notification.objects.filter(recipient=self.alice, subject__contains="纳入通报").exists())
        record = EscalationRecord.objects.filter(target=TARGET).first()
        self.assertEqual(record.industry_id, self.enterprise_a.industry_id)
        page = self.login(self.alice).get("/escalation/")
        self.assertContains(page, "凤凰化工有限公司 2026年上半年未演练")
        self.assertNotContains(self.login(self.charlie).get("/escalation/"), "凤凰化工有限公司")
        # the lapse links to the compliance list at the period's end
        self.assertEqual(self.login(self.alice).get(DutyLapse.objects.get().get_absolute_url()).status_code, 200)
