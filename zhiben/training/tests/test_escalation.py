"""Workers on a special-operation post without a valid certificate go up the escalation ladder on a moved
clock: each step once, to the enterprise, the supervising department and (from 通报 on) the 安委办; the
ladder stops once the worker is certified again or off the post, and a later spell starts afresh."""

from datetime import date, timedelta

from zhiben.core.timeline import subject_events
from zhiben.escalation import services as escalation
from zhiben.escalation.models import EscalationRecord
from zhiben.notifications.models import Notification

from ..models import Person, UncertifiedCase
from .helpers import TrainingCase

TARGET = "uncertified_worker"


def tick(day):
    return escalation.escalate(TARGET, today=day)


def actions(**filters):
    return list(
        EscalationRecord.objects.filter(target=TARGET, **filters).order_by("id").values_list("action", flat=True)
    )


class ExpiredCertificateTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.electrician = cls.person("电工甲", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.expires = date(2026, 3, 31)
        cls.certificate(cls.electrician, "T100", date(2020, 4, 1), cls.expires, actor=cls.alice)

    def test_each_step_once_on_a_moved_clock(self):
        self.assertEqual(tick(self.expires), 0)  # valid through its last day
        self.assertFalse(UncertifiedCase.objects.exists())
        expected = {1: ["remind"], 7: ["bulletin"], 15: ["interview"]}
        for day in range(1, 25):
            before = len(actions())
            tick(self.expires + timedelta(days=day))
            self.assertEqual(actions()[before:], expected.get(day, []), f"day {day}")
        case = UncertifiedCase.objects.get()
        self.assertEqual((case.person, case.since, case.resolved_on), (self.electrician, self.expires, None))
        self.assertIn("T100", case.reason)
        record = EscalationRecord.objects.filter(target=TARGET).first()
        self.assertEqual(
            (record.object_id, record.region_code, record.industry_id),
            (case.pk, self.village_a1.code, self.enterprise_a.industry_id),
        )
        # the person's timeline holds the steps
        self.assertEqual(len([e for e in subject_events(self.electrician) if e.action == "escalate"]), 3)

    def test_recipients_and_chinese_text(self):
        tick(self.expires + timedelta(days=1))
        remind = Notification.objects.filter(channel="inbox", subject__contains="特种作业人员未持证")
        self.assertEqual(set(remind.values_list("recipient__username", flat=True)), {"emma", "erin"})
        note = remind.get(recipient=self.emma)
        self.assertIn("凤凰化工有限公司电工甲", note.subject)
        self.assertIn("已于 2026-03-31 到期", note.body)
        self.assertIn("属重大事故隐患", note.body)
        self.assertIn("停止其特种作业", note.body)
        # from 通报 on the county 安委办 is told too
        tick(self.expires + timedelta(days=7))
        self.assertTrue(Notification.objects.filter(recipient=self.alice, subject__contains="纳入通报").exists())
        self.assertFalse(Notification.objects.filter(recipient=self.charlie).exists())

    def test_renewal_stops_the_ladder_and_a_later_spell_starts_afresh(self):
        tick(self.expires + timedelta(days=1))
        self.certificate(self.electrician, "T101", date(2026, 4, 3), date(2026, 9, 30), actor=self.alice)
        for day in (7, 15, 40):
            self.assertEqual(tick(self.expires + timedelta(days=day)), 0)
        self.assertEqual(actions(), ["remind"])
        case = UncertifiedCase.objects.get()
        self.assertEqual(case.resolved_on, self.expires + timedelta(days=7))
        # the renewed certificate runs out in turn: a new case, its own ladder from the first step
        self.assertEqual(tick(date(2026, 10, 1)), 1)
        new = UncertifiedCase.objects.get(resolved_on__isnull=True)
        self.assertEqual((new.since, actions(object_id=new.pk)), (date(2026, 9, 30), ["remind"]))

    def test_records_scoped_and_linked_to_the_person(self):
        tick(self.expires + timedelta(days=1))
        page = self.login(self.alice).get("/escalation/")
        self.assertContains(page, "特种作业人员未持证")
        self.assertContains(page, f'href="/training/people/{self.electrician.pk}/"')
        self.assertContains(self.login(self.erin).get("/escalation/"), "电工甲")
        self.assertNotContains(self.login(self.charlie).get("/escalation/"), "电工甲")


class NeverCertifiedTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.welder = cls.person("焊工乙", cls.enterprise_a_construction, category="welding", actor=cls.alice)
        cls.other = cls.person("西彭焊工", cls.enterprise_b, category="welding", actor=cls.charlie)

    def test_counted_from_when_found_and_stops_off_the_post(self):
        found = date(2026, 6, 1)
        self.assertEqual(tick(found), 0)
        case = UncertifiedCase.objects.get(person=self.welder)
        self.assertEqual((case.since, case.reason), (found, "未取得相应类别的特种作业操作证"))
        self.assertEqual(tick(found + timedelta(days=1)), 2)  # 焊工乙 and 西彭焊工, one reminder each
        # no enterprise user at the construction company and no department for construction: the 安委办
        self.assertTrue(Notification.objects.filter(recipient=self.alice, body__contains="焊工乙").exists())
        self.assertTrue(Notification.objects.filter(recipient=self.charlie, body__contains="西彭焊工").exists())
        self.assertFalse(Notification.objects.filter(recipient=self.alice, body__contains="西彭焊工").exists())
        Person.objects.filter(pk=self.welder.pk).update(active=False)
        self.assertEqual(tick(found + timedelta(days=30)), 1)  # 西彭焊工 only: 约谈 (the 通报 passed over)
        case.refresh_from_db()
        self.assertEqual(case.resolved_on, found + timedelta(days=30))
        self.assertEqual(actions(object_id=case.pk), ["remind"])

    def test_two_runs_open_one_case(self):
        tick(date(2026, 6, 1))
        tick(date(2026, 6, 1))
        self.assertEqual(UncertifiedCase.objects.filter(person=self.welder).count(), 1)
