"""Certificates: duplicates and expiry before issue refused; reminders before expiry on a moved clock
(once per certificate and deadline, to the enterprise's users); workers on a special-operation post
without a valid certificate of their category flagged as the 工贸 重大事故隐患 item."""

from datetime import date, timedelta

from django.urls import reverse

from zhiben.core.exceptions import ApplicationError
from zhiben.notifications.models import Notification
from zhiben.notifications.reminders import remind_deadlines

from .. import selectors
from ..models import Certificate
from .helpers import TrainingCase

KEY = "training.certificate_expiry"


class CertificateInputTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.welder = cls.person("焊工甲", cls.enterprise_a, category="welding", actor=cls.alice)

    def test_expiry_before_issue_refused(self):
        with self.assertRaises(ApplicationError) as caught:
            self.certificate(self.welder, "T001", date(2026, 5, 1), date(2026, 4, 30), "welding", actor=self.alice)
        self.assertEqual(caught.exception.errors[0]["field"], "expires_on")
        self.assertIn("早于", caught.exception.message)
        self.assertFalse(Certificate.objects.exists())

    def test_duplicate_number_refused(self):
        self.certificate(self.welder, "T001", date(2024, 1, 1), date(2030, 1, 1), "welding", actor=self.alice)
        with self.assertRaises(ApplicationError) as caught:
            self.certificate(self.welder, "T001", date(2024, 1, 1), date(2030, 1, 1), "welding", actor=self.alice)
        self.assertIn("已登记", caught.exception.message)
        self.assertEqual(Certificate.objects.count(), 1)
        # the same number under another kind of certificate is another certificate
        self.certificate(self.welder, "T001", date(2024, 1, 1), date(2030, 1, 1), "", kind="other", actor=self.alice)

    def test_special_certificate_needs_category_and_dates(self):
        with self.assertRaises(ApplicationError) as caught:
            self.certificate(self.welder, "T002", "", "不是日期", "", actor=self.alice)
        fields = {e["field"] for e in caught.exception.errors}
        self.assertEqual(fields, {"category", "issued_on", "expires_on"})

    def test_page_refuses_with_message(self):
        page = self.login(self.alice).post(
            reverse("training:certificate_new", args=[self.welder.pk]),
            {
                "kind": "special",
                "category": "welding",
                "number": "T9",
                "issued_on": "2026-05-01",
                "expires_on": "2026-01-01",
            },
        )
        self.assertContains(page, "早于或等于发证日期")
        self.assertFalse(Certificate.objects.exists())

    def test_other_county_refused(self):
        page = self.login(self.charlie).post(
            reverse("training:certificate_new", args=[self.welder.pk]),
            {
                "kind": "special",
                "category": "welding",
                "number": "T9",
                "issued_on": "2026-01-01",
                "expires_on": "2030-01-01",
            },
        )
        self.assertEqual(page.status_code, 404)


class ReminderTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.electrician = cls.person("电工甲", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.expires = date(2027, 3, 31)
        cls.cert = cls.certificate(cls.electrician, "T100", date(2021, 4, 1), cls.expires, actor=cls.alice)

    def test_reminded_once_inside_the_window(self):
        # default window 60 days
        self.assertEqual(remind_deadlines(KEY, today=self.expires - timedelta(days=61)), 0)
        self.assertEqual(remind_deadlines(KEY, today=self.expires - timedelta(days=60)), 1)
        self.assertEqual(remind_deadlines(KEY, today=self.expires - timedelta(days=30)), 0)
        note = Notification.objects.get(recipient=self.emma)
        self.assertIn("电工甲", note.subject)
        self.assertIn("还有 60 天到期", note.body)

    def test_expired_or_revoked_not_reminded(self):
        self.assertEqual(remind_deadlines(KEY, today=self.expires + timedelta(days=1)), 0)
        Certificate.objects.filter(pk=self.cert.pk).update(revoked=True)
        self.assertEqual(remind_deadlines(KEY, today=self.expires - timedelta(days=10)), 0)

    def test_window_is_a_rule_per_jurisdiction(self):
        from zhiben.core.services import rule_save

        rule_save(actor=self.alice, key="training.certificate_reminder_days", region_code=self.county_a.code, value=10)
        self.assertEqual(remind_deadlines(KEY, today=self.expires - timedelta(days=30)), 0)
        self.assertEqual(remind_deadlines(KEY, today=self.expires - timedelta(days=10)), 1)

    def test_renewed_certificate_reminded_afresh(self):
        remind_deadlines(KEY, today=self.expires - timedelta(days=5))
        later = self.expires + timedelta(days=365 * 6)
        self.certificate(self.electrician, "T101", self.expires, later, actor=self.alice)
        self.assertEqual(remind_deadlines(KEY, today=later - timedelta(days=1)), 1)


class UncertifiedFlagTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = date(2026, 6, 1)
        cls.certified = cls.person("持证电工", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.certificate(cls.certified, "E1", date(2022, 1, 1), date(2028, 1, 1), actor=cls.alice)
        cls.expired = cls.person("过期电工", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.certificate(cls.expired, "E2", date(2019, 1, 1), date(2026, 5, 31), actor=cls.alice)
        cls.wrong = cls.person("错类焊工", cls.enterprise_a, category="welding", actor=cls.alice)
        cls.certificate(cls.wrong, "E3", date(2022, 1, 1), date(2028, 1, 1), "electrical", actor=cls.alice)
        cls.none = cls.person("无证高处", cls.enterprise_a_construction, category="height", actor=cls.alice)
        cls.plain = cls.person("普通工", cls.enterprise_a, actor=cls.alice)  # not a special post
        cls.other = cls.person("九龙坡无证", cls.enterprise_b, category="welding", actor=cls.charlie)

    def test_flagged_workers(self):
        names = {p.name for p in selectors.uncertified_workers(self.alice, day=self.today)}
        self.assertEqual(names, {"过期电工", "错类焊工", "无证高处"})
        self.assertEqual({p.name for p in selectors.uncertified_workers(self.charlie, day=self.today)}, {"九龙坡无证"})
        # the day before the expiry the expired one still held a valid certificate
        names = {p.name for p in selectors.uncertified_workers(self.alice, day=date(2026, 5, 31))}
        self.assertEqual(names, {"错类焊工", "无证高处"})

    def test_left_post_not_flagged(self):
        self.none.active = False
        self.none.save()
        names = {p.name for p in selectors.uncertified_workers(self.alice, day=self.today)}
        self.assertNotIn("无证高处", names)

    def test_page_names_the_major_hazard_item(self):
        page = self.login(self.alice).get(reverse("training:uncertified"))
        self.assertContains(page, "重大事故隐患")
        self.assertContains(page, "特种作业人员未按规定经专门的安全作业培训")
        self.assertContains(page, "无证高处")
        self.assertNotContains(page, "九龙坡无证")


class OfficialReminderTests(TrainingCase):
    def test_official_certificate_reminds_the_county_committee(self):
        officer = self.person("执法甲", kind="enforcement", unit=self.unit_emergency_a1, actor=self.alice)
        expires = date(2027, 1, 31)
        self.certificate(officer, "Z1", date(2022, 1, 31), expires, "", kind="other", actor=self.alice)
        self.assertEqual(remind_deadlines(KEY, today=expires - timedelta(days=7)), 1)
        self.assertTrue(Notification.objects.filter(recipient=self.alice).exists())
        self.assertFalse(Notification.objects.filter(recipient=self.charlie).exists())
