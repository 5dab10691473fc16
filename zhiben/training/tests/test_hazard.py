"""转为重大隐患: a worker flagged uncertified becomes a 重大隐患 of their enterprise through the hazard intake
(the 工贸 criteria item when the enterprise's industry has it), linked to the person, not offered again while
that hazard is open; refused for those who may not report hazards, out of scope, or not uncertified.
Certificate revocation (注销) through the transition table: date and reason, allowed and refused."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from zhiben.audit.models import AuditEvent
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.escalation import services as escalation
from zhiben.escalation.models import EscalationRecord
from zhiben.hazards.models import Hazard
from zhiben.testing import make_enterprise

from .. import selectors, services, workflow
from ..models import Certificate, Person, UncertifiedCase
from .helpers import TrainingCase


class ToHazardTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.machinery = make_enterprise(cls.village_a1, "machinery", name="凤凰机械厂")
        cls.welder = cls.person("焊工甲", cls.machinery, category="welding", post="焊工", actor=cls.alice)
        cls.electrician = cls.person("电工乙", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.certified = cls.person("持证丙", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.certificate(cls.certified, "C1", date(2024, 1, 1), date(2099, 1, 1), actor=cls.alice)
        cls.west = cls.person("西彭丁", cls.enterprise_b, category="welding", actor=cls.charlie)

    def convert(self, person, actor=None):
        return services.person_to_hazard(actor=actor or self.alice, person=person)

    def test_becomes_a_major_hazard_citing_the_gongmao_item(self):
        hazard = self.convert(self.welder)
        self.assertEqual((hazard.level, hazard.channel, hazard.category), ("major", "supervision", "management"))
        self.assertEqual((hazard.enterprise, hazard.status), (self.machinery, "reported"))
        self.assertEqual(hazard.criteria_item.number, "第三条第（二）项")
        self.assertIn("工贸", hazard.criteria_item.standard.name)
        self.assertIn("焊工甲（焊工）从事焊接与热切割作业", hazard.description)
        self.assertEqual(Person.objects.get(pk=self.welder.pk).hazard, hazard)
        self.assertTrue(AuditEvent.objects.filter(action="training.person_hazard", object_id=str(self.welder.pk)))
        # not twice while it is open …
        with self.assertRaises(ApplicationError) as caught:
            self.convert(self.welder)
        self.assertIn(f"已转为重大隐患 {hazard.number}（待核实）", caught.exception.message)
        self.assertEqual(Hazard.objects.count(), 1)
        # … again once it is closed and the worker is still uncertified
        Hazard.objects.filter(pk=hazard.pk).update(status="closed")
        self.assertNotEqual(self.convert(self.welder).pk, hazard.pk)

    def test_without_an_item_for_the_industry_the_reason_is_written(self):
        hazard = self.convert(self.electrician)
        self.assertIsNone(hazard.criteria_item)
        self.assertIn(
            "特种作业人员未持证上岗（参照工贸企业重大事故隐患判定标准 第三条第（二）项", hazard.criteria_other
        )

    def test_enterprise_user_reports_its_own_as_self_inspection(self):
        self.assertEqual(self.convert(self.electrician, actor=self.emma).channel, "self")

    def test_refused(self):
        with self.assertRaises(ApplicationError) as caught:
            self.convert(self.welder, actor=self.dave)  # 领导: may not report hazards
        self.assertEqual(caught.exception.code, "forbidden")
        with self.assertRaises(ScopeError):
            self.convert(self.west)
        with self.assertRaises(ApplicationError) as caught:
            self.convert(self.certified)
        self.assertIn("持有相应类别的有效特种作业操作证", caught.exception.message)
        officer = self.person("执法戊", kind="enforcement", unit=self.unit_emergency_a1, category="electrical")
        with self.assertRaises(ApplicationError) as caught:
            self.convert(officer)
        self.assertIn("不属于登记的生产经营单位", caught.exception.message)
        self.assertFalse(Hazard.objects.exists())

    def test_pages_offer_it_once(self):
        client = self.login(self.gina)  # a grid worker reports hazards
        page = client.get(reverse("training:uncertified"))
        self.assertContains(page, "转为重大隐患</button>", count=2)  # 焊工甲 and 电工乙
        response = client.post(reverse("training:person_hazard", args=[self.welder.pk]), {"back": "list"})
        hazard = Hazard.objects.get()
        self.assertRedirects(response, hazard.get_absolute_url(), fetch_redirect_response=False)
        page = client.get(reverse("training:uncertified"))
        self.assertContains(page, "转为重大隐患</button>", count=1)
        self.assertContains(page, hazard.number)
        person_page = client.get(reverse("training:person", args=[self.welder.pk]))
        self.assertContains(person_page, hazard.number)
        self.assertNotContains(person_page, "转为重大隐患</button>")
        self.assertContains(person_page, "未持证转为重大隐患")  # on the person's record
        # a second post (an old page) is refused with the reason
        again = client.post(reverse("training:person_hazard", args=[self.welder.pk]), follow=True)
        self.assertContains(again, "不能重复转")
        self.assertEqual(Hazard.objects.count(), 1)
        # the hazard links back to the worker
        self.assertContains(
            self.login(self.alice).get(hazard.get_absolute_url()), f"/training/people/{self.welder.pk}/"
        )

    def test_pages_refuse(self):
        self.assertNotContains(self.login(self.dave).get(reverse("training:uncertified")), "转为重大隐患</button>")
        url = reverse("training:person_hazard", args=[self.welder.pk])
        self.assertEqual(self.login(self.dave).post(url).status_code, 403)
        self.assertEqual(self.login(self.charlie).post(url).status_code, 404)
        self.assertEqual(self.login(self.alice).get(url).status_code, 405)
        self.assertFalse(Hazard.objects.exists())

    def test_open_hazard_takes_over_from_the_ladder(self):
        found = timezone.localdate()
        escalation.escalate("uncertified_worker", today=found)
        hazard = self.convert(self.welder)
        escalation.escalate("uncertified_worker", today=found + timedelta(days=20))
        case = UncertifiedCase.objects.get(person=self.welder)
        self.assertFalse(EscalationRecord.objects.filter(target="uncertified_worker", object_id=case.pk).exists())
        Hazard.objects.filter(pk=hazard.pk).update(status="rejected")
        escalation.escalate("uncertified_worker", today=found + timedelta(days=21))
        self.assertEqual(
            set(EscalationRecord.objects.filter(object_id=case.pk).values_list("action", flat=True)),
            {"interview"},  # 21 days late at its first step: the furthest due, the two before passed over
        )


class RevokeTests(TrainingCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.worker = cls.person("电工甲", cls.enterprise_a, category="electrical", actor=cls.alice)
        cls.cert = cls.certificate(cls.worker, "R1", date(2022, 1, 1), date(2099, 1, 1), actor=cls.alice)

    def revoke(self, actor=None, **data):
        return services.certificate_revoke(
            actor=actor or self.alice,
            certificate=self.cert,
            data={"revoked_on": "2026-03-01", "reason": "伪造培训记录，依法撤销", **data},
        )

    def test_allowed(self):
        self.assertEqual([a for a, _, _ in workflow.allowed_actions(self.cert, self.alice)], ["revoke"])
        self.assertEqual(workflow.allowed_actions(self.cert, self.dave), [])
        done = self.revoke()
        self.assertEqual(
            (done.state, done.revoked_on, done.revoke_reason), ("revoked", date(2026, 3, 1), "伪造培训记录，依法撤销")
        )
        self.assertEqual(workflow.allowed_actions(done, self.alice), [])
        self.assertTrue(AuditEvent.objects.filter(action="training.certificate_revoke", object_id=str(done.pk)))
        # valid up to the day before, not from that day on
        self.assertNotIn(self.worker, selectors.uncertified_workers(self.alice, day=date(2026, 2, 28)))
        self.assertIn(self.worker, selectors.uncertified_workers(self.alice, day=date(2026, 3, 1)))
        self.assertTrue(done.valid_on(date(2026, 2, 28)))
        self.assertFalse(done.valid_on(date(2026, 3, 1)))
        # the ladder counts from the revocation
        escalation.escalate("uncertified_worker", today=date(2026, 3, 10))
        case = UncertifiedCase.objects.get()
        self.assertEqual((case.since, case.reason), (date(2026, 3, 1), "特种作业操作证（编号 R1）已于 2026-03-01 注销"))

    def test_refused_and_nothing_written(self):
        cases = [
            ({"revoked_on": "", "reason": ""}, {"revoked_on", "reason"}, "请填写注销日期"),
            ({"revoked_on": "2021-12-31"}, {"revoked_on"}, "早于发证日期"),
            ({"revoked_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, {"revoked_on"}, "晚于今天"),
            ({"revoked_on": "2026-02-30"}, {"revoked_on"}, "注销日期"),
        ]
        for data, fields, words in cases:
            with self.subTest(data=data), self.assertRaises(ApplicationError) as caught:
                self.revoke(**data)
            self.assertEqual({e["field"] for e in caught.exception.errors}, fields)
            self.assertIn(words, caught.exception.message)
        with self.assertRaises(ApplicationError) as caught:
            self.revoke(actor=self.dave)
        self.assertEqual(caught.exception.code, "forbidden")
        with self.assertRaises(ScopeError):
            self.revoke(actor=self.charlie)
        self.assertFalse(Certificate.objects.get(pk=self.cert.pk).revoked)
        self.revoke()
        with self.assertRaises(ApplicationError) as caught:
            self.revoke(revoked_on="2026-04-01")
        self.assertEqual(caught.exception.code, "bad_state")
        self.assertIn("已于 2026-03-01 注销，不能再次注销", caught.exception.message)
        self.assertEqual(Certificate.objects.get(pk=self.cert.pk).revoked_on, date(2026, 3, 1))

    def test_pages(self):
        url = reverse("training:certificate_revoke", args=[self.cert.pk])
        client = self.login(self.alice)
        self.assertContains(client.get(reverse("training:person", args=[self.worker.pk])), url)
        page = client.post(url, {"revoked_on": "2026-03-01", "reason": ""})
        self.assertContains(page, "请填写注销原因")
        response = client.post(url, {"revoked_on": "2026-03-01", "reason": "持证人调离"})
        self.assertRedirects(response, reverse("training:person", args=[self.worker.pk]), fetch_redirect_response=False)
        person_page = client.get(reverse("training:person", args=[self.worker.pk]))
        self.assertContains(person_page, "已注销")
        self.assertContains(person_page, "持证人调离")
        self.assertNotContains(person_page, url)
        self.assertEqual(self.login(self.dave).get(url).status_code, 403)
        self.assertEqual(self.login(self.charlie).get(url).status_code, 404)
