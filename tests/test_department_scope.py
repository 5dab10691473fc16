"""The probe (等保2.0 访问控制, part 3): department scope on every object.

A department (role regulator) sees only the industries its unit supervises — hazards and enterprises
always did; documents, escalation records, duplicate and repeat hints, the evidence of merged
duplicates and places must follow the same rule. erin (凤凰镇应急办: hazchem, machinery) asks for
every object of a sibling department in the same town — frank's 凤凰镇规建办 (construction) — through
the pages, the API and the selectors, and gets 404 or finds nothing; frank and the 安委办 still see
them, and erin still sees her own industries' objects and those no industry restricts (plan tasks).
"""

from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.utils import timezone

from zhiben.accounts.choices import Role
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import scope_allows
from zhiben.documents.models import Document
from zhiben.documents.services import document_issue
from zhiben.escalation.models import EscalationRecord
from zhiben.escalation.services import escalate
from zhiben.hazards import selectors as hazard_selectors
from zhiben.hazards import services as hazard_services
from zhiben.hazards.choices import Status
from zhiben.hazards.models import Hazard, Place
from zhiben.hazards.tests.helpers import photo, ready, report
from zhiben.regions.models import Industry, Unit
from zhiben.testing import CastTestCase, make_user

SQUARE = "凤凰广场"
STAND = "广场临时看台搭设不规范，未设置防护栏杆"


def place_report(actor, industry, **data):
    """A hazard with no enterprise behind it, at 凤凰广场 (凤凰村)."""
    base = {
        "place_name": SQUARE,
        "place_kind": "public_place",
        "region": "500106105002",
        "industry": industry,
        "channel": "supervision",
        "level": "general",
        "description": STAND,
        "location": "东侧看台",
    }
    return hazard_services.hazard_report(actor=actor, data=base | data)


class DepartmentProbeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit_planning = Unit.objects.create(name="凤凰镇规建办", kind="department", region=cls.town_a1)
        cls.unit_planning.industries.set(Industry.objects.filter(code="construction"))
        cls.frank = make_user("frank", Role.REGULATOR, cls.town_a1, unit=cls.unit_planning)
        site = cls.enterprise_a_construction

        # the construction enterprise's hazard: verified, a 整改通知书 by 规建办, then overdue and escalated
        cls.hazard = ready(report(cls.frank, site, description="脚手架未设置连墙件"), cls.frank)
        cls.document = document_issue(actor=cls.frank, kind="rectification_notice", subject=cls.hazard)
        Hazard.objects.filter(pk=cls.hazard.pk).update(status=Status.RECTIFYING)
        escalate("hazard", today=cls.hazard.deadline + timedelta(days=1))
        cls.record = EscalationRecord.objects.get(target="hazard", object_id=cls.hazard.pk)

        # erin's own hazchem hazard, with her own document (what she must still see)
        cls.own = ready(report(cls.gina, cls.enterprise_a, description="储罐区防火堤破损"), cls.erin)
        cls.own_document = document_issue(actor=cls.erin, kind="rectification_notice", subject=cls.own)

        # a construction duplicate with its photo, merged into erin's hazard by the 安委办
        cls.duplicate = report(cls.frank, site, description="储罐区旁脚手架基础下沉")
        hazard_services.hazard_attach(actor=cls.frank, hazard=cls.duplicate, kind="found", files=[photo("现场.png")])
        hazard_services.hazard_transition(
            actor=cls.alice, hazard=cls.duplicate, action="merge", target=cls.own.pk, note="同一处"
        )
        cls.attachment = cls.duplicate.attachments.get()

        # construction hazards at 凤凰广场: one open, one closed (candidates for a duplicate / a repeat)
        cls.place_open = place_report(cls.frank, "construction")
        cls.place_closed = place_report(cls.frank, "construction", location="西侧看台")
        Hazard.objects.filter(pk=cls.place_closed.pk).update(status=Status.CLOSED, closed_at=timezone.now())
        cls.place = cls.place_open.place

        # erin reports the same-looking hazard at the same square, in her own industry
        cls.mine = place_report(cls.erin, "hazchem")

    def theirs(self):
        """Every construction object erin must not reach, as numbers shown on pages."""
        return [self.hazard.number, self.duplicate.number, self.place_open.number, self.place_closed.number]

    # ---------------------------------------------------------------- pages

    def test_pages_answer_404_or_show_nothing(self):
        self.login(self.erin)
        for url in (
            f"/hazards/{self.hazard.pk}/",
            f"/hazards/{self.duplicate.pk}/",
            f"/hazards/{self.place_open.pk}/",
            f"/enterprises/{self.enterprise_a_construction.pk}/",
            f"/documents/{self.document.pk}/",
            f"/documents/{self.document.pk}/file.pdf",
            f"/documents/{self.document.pk}/file.docx",
            f"/hazards/{self.own.pk}/files/{self.attachment.pk}/",
            f"/hazards/{self.own.pk}/files/{self.attachment.pk}/thumb/",
            f"/hazards/{self.duplicate.pk}/files/{self.attachment.pk}/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        lists = [
            self.client.get("/documents/"),
            self.client.get("/documents/", {"subject_type": "hazards.hazard", "subject": self.hazard.pk}),
            self.client.get("/escalation/"),
            self.client.get("/escalation/", {"target": "hazard"}),
            self.client.get("/hazards/", {"q": SQUARE}),
            self.client.get(f"/hazards/{self.mine.pk}/"),  # no duplicate candidates, no 复发自 link
        ]
        for response in lists:
            with self.subTest(url=response.request["PATH_INFO"], query=response.request["QUERY_STRING"]):
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, self.document.number)
                for number in self.theirs():
                    self.assertNotContains(response, number)
        self.assertNotIn(self.record, list(self.client.get("/escalation/").context["page"].object_list))
        searched = self.client.get("/documents/", {"q": self.document.number})
        self.assertEqual(list(searched.context["page"].object_list), [])
        # the merged duplicate's evidence is neither offered on the hazard's page nor served
        self.assertNotContains(self.client.get(f"/hazards/{self.own.pk}/"), f"/files/{self.attachment.pk}/")

    def test_erin_still_sees_her_own_industries(self):
        self.login(self.erin)
        self.assertContains(self.client.get("/documents/"), self.own_document.number)
        self.assertEqual(self.client.get(f"/documents/{self.own_document.pk}/file.pdf").status_code, 200)
        self.assertEqual(self.client.get(f"/hazards/{self.mine.pk}/").status_code, 200)
        self.assertIn(self.mine.place, Place.objects.for_user(self.erin))

    def test_the_sibling_department_and_the_committee_see_them(self):
        for user in (self.frank, self.alice):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(f"/documents/{self.document.pk}/file.pdf").status_code, 200)
                self.assertContains(self.client.get("/escalation/"), self.hazard.number)
                self.assertIn(self.place, Place.objects.for_user(user))
        self.login(self.alice)
        self.assertEqual(self.client.get(f"/hazards/{self.own.pk}/files/{self.attachment.pk}/").status_code, 200)
        self.assertEqual(
            {h for h, _ in hazard_selectors.duplicate_candidates(place_report(self.alice, "construction"))},
            {self.place_open, self.place_closed},
        )
        self.assertContains(self.client.get(f"/hazards/{self.own.pk}/"), f"/files/{self.attachment.pk}/")

    # ---------------------------------------------------------------- API

    def test_api_answers_404_or_lists_nothing(self):
        self.login(self.erin)
        for url in (
            f"/api/v1/hazards/{self.hazard.pk}",
            f"/api/v1/hazards/{self.duplicate.pk}",
            f"/api/v1/hazards/{self.place_open.pk}",
            f"/api/v1/enterprises/{self.enterprise_a_construction.pk}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        listed = self.client.get("/api/v1/hazards/", {"q": SQUARE}).json()["items"]
        self.assertEqual([h["number"] for h in listed], [self.mine.number])
        enterprises = [e["id"] for e in self.client.get("/api/v1/enterprises/").json()["items"]]
        self.assertNotIn(self.enterprise_a_construction.pk, enterprises)

    # ---------------------------------------------------------------- reads and services

    def test_scoped_reads_find_nothing(self):
        self.assertFalse(Document.objects.for_user(self.erin).filter(pk=self.document.pk).exists())
        self.assertFalse(EscalationRecord.objects.for_user(self.erin).filter(pk=self.record.pk).exists())
        self.assertFalse(scope_allows(self.erin, self.document))
        self.assertFalse(scope_allows(self.erin, self.record))
        self.assertEqual(hazard_selectors.duplicate_candidates(self.mine), [])
        self.assertEqual(hazard_selectors.duplicate_candidates(self.mine, user=self.erin), [])
        self.assertIsNone(self.mine.repeat_of)
        self.assertIsNone(hazard_selectors.repeat_candidate(self.mine))
        construction_places = {self.place.pk, self.place_closed.place_id}
        self.assertFalse(Place.objects.for_user(self.erin).filter(pk__in=construction_places).exists())
        self.assertFalse(hazard_selectors.place_list(user=self.erin).filter(pk__in=construction_places).exists())

    def test_a_department_cannot_report_at_another_industry_s_place(self):
        with self.assertRaises(ApplicationError) as caught:
            place_report(self.erin, "hazchem", place=self.place.pk)
        self.assertIn("所选场所不存在或不在您的管辖范围内", caught.exception.message)

    def test_records_and_documents_carry_the_industry(self):
        construction = Industry.objects.get(code="construction")
        self.assertEqual(self.document.industry, construction)
        self.assertEqual(self.record.industry, construction)
        self.assertEqual(self.own_document.industry_id, self.own.industry_id)

    def test_records_without_an_industry_are_not_domain_restricted(self):
        plan_step = EscalationRecord.objects.create(
            target="plan_task",
            object_id=1,
            step_order=1,
            action="remind",
            name="逾期提醒",
            region_code=self.town_a1.code,
            days_overdue=1,
        )
        self.assertIsNone(plan_step.industry_id)
        for user in (self.erin, self.frank):
            self.assertIn(plan_step, EscalationRecord.objects.for_user(user))
            self.assertTrue(scope_allows(user, plan_step))
        self.assertNotIn(plan_step, EscalationRecord.objects.for_user(self.charlie))  # still by region

    def test_migrations_fill_the_industry_of_existing_rows(self):
        Document.objects.filter(pk__in=[self.document.pk, self.own_document.pk]).update(industry=None)
        EscalationRecord.objects.filter(pk=self.record.pk).update(industry=None)
        import_module("zhiben.documents.migrations.0007_document_industry_data").forwards(apps, None)
        import_module("zhiben.escalation.migrations.0004_escalationrecord_industry_data").forwards(apps, None)
        self.assertEqual(Document.objects.get(pk=self.document.pk).industry_id, self.hazard.industry_id)
        self.assertEqual(Document.objects.get(pk=self.own_document.pk).industry_id, self.own.industry_id)
        self.assertEqual(EscalationRecord.objects.get(pk=self.record.pk).industry_id, self.hazard.industry_id)
        self.assertFalse(Document.objects.for_user(self.erin).filter(pk=self.document.pk).exists())
